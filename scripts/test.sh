#!/usr/bin/env bash
# Sets up dependencies, configures, builds and runs every test with ctest.
# Honours BUILD_DIR (default: build). Extra arguments go to ctest (e.g. -L sim-long).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}

./scripts/setup.sh
# ccache: let clones at other paths (CI's fresh clone) reuse the same cache entries.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} ${CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
# Long simulations carry the label sim-long and only run when asked for (ctest -L sim-long).
if [ $# -eq 0 ]; then set -- -LE sim-long; fi
cd "$BUILD_DIR"
ctest --output-on-failure -j "$JOBS" "$@"
