#!/usr/bin/env bash
# Chaos under load (docs/reliability.md §2): four real validators behind fault-injecting
# TCP proxies, steady load from several clients, N random faults (SIGKILL, SIGSTOP/SIGCONT,
# clean restart, wipe-and-resync, link drop, delay, one-way loss, isolation, split), then
# every check of tests/e2e/chaos.py. Prints one summary line; exit 0 only on PASS.
#
#   scripts/chaos.sh [--events N] [--seed S] [other chaos.py options]
#
# Builds evidence-node and evidence in BUILD_DIR (default build) first. Ports are free
# ones the OS picks on 127.0.0.1; files go to a temporary directory (kept on failure).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} >/dev/null
fi
cmake --build "$BUILD_DIR" -j "${JOBS:-2}" --target evidence-node evidence >/dev/null
# Debian's python3: the load signs records with python3-cryptography (scripts/setup.sh).
exec /usr/bin/python3 tests/e2e/chaos.py --bin "$BUILD_DIR/bin" "$@"
