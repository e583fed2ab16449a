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
# The clang build, for two checks (about 280 CPU-seconds cold: 2.5 minutes on two cores):
# - the thread-safety annotations (which mutex or thread owns which member,
#   common/thread_annotations.h): everything compiles with -Werror=thread-safety,
#   so a violation fails the run here;
# - the fuzz targets (tests/fuzz/, EVIDENCE_FUZZ): everything is instrumented with
#   ASan, UBSan and libFuzzer's coverage, and each target gets a smoke run below
#   (its seed corpus, then 4 s of mutations: about 40 s for all targets on two
#   cores; scripts/fuzz.sh runs longer).
CLANG_DIR="$BUILD_DIR/clang"
cmake -S . -B "$CLANG_DIR" -DCMAKE_CXX_COMPILER=clang++ \
  -DEVIDENCE_THREAD_SAFETY=ON -DEVIDENCE_FUZZ=ON -DEVIDENCE_BUILD_TESTS=OFF \
  -DEVIDENCE_BUILD_BENCHMARKS=OFF -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 >/dev/null
cmake --build "$CLANG_DIR" -j "$JOBS"
# Long simulations carry the label sim-long and only run when asked for (ctest -L sim-long);
# so does the Debian package test (ctest -L package: it installs into /usr as root and
# takes dpkg's machine-wide lock, so parallel runs on one machine would collide).
if [ $# -eq 0 ]; then
  set -- -LE "sim-long|package"
  run_fuzz_smoke=true
else
  run_fuzz_smoke=false
fi
(cd "$BUILD_DIR" && ctest --output-on-failure -j "$JOBS" "$@")
# The fuzz smoke runs (label fuzz) live in the clang build.
if $run_fuzz_smoke; then
  (cd "$CLANG_DIR" && ctest --output-on-failure -j "$JOBS" -L fuzz)
fi
