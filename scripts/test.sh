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
# The thread-safety annotations (which mutex or thread owns which member,
# common/thread_annotations.h) are checked by clang: the libraries and programs
# are compiled once more with clang and -Werror=thread-safety (unoptimised; about
# a minute cold on two cores). A violation fails the run here.
cmake -S . -B "$BUILD_DIR/clang-thread-safety" -DCMAKE_CXX_COMPILER=clang++ \
  -DEVIDENCE_THREAD_SAFETY=ON -DEVIDENCE_BUILD_TESTS=OFF -DEVIDENCE_BUILD_BENCHMARKS=OFF \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 >/dev/null
cmake --build "$BUILD_DIR/clang-thread-safety" -j "$JOBS"
# Long simulations carry the label sim-long and only run when asked for (ctest -L sim-long);
# so does the Debian package test (ctest -L package: it installs into /usr as root and
# takes dpkg's machine-wide lock, so parallel runs on one machine would collide).
if [ $# -eq 0 ]; then set -- -LE "sim-long|package"; fi
cd "$BUILD_DIR"
ctest --output-on-failure -j "$JOBS" "$@"
