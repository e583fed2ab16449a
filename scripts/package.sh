#!/usr/bin/env bash
# Builds the Debian package of evidence-ledger with CPack (packaging/CMakeLists.txt):
# build/package/evidence-ledger_<version>_<arch>.deb.
#
#   scripts/package.sh            build (RelWithDebInfo, stripped in the package) and pack
#   scripts/package.sh --lintian  also run lintian on the .deb (fails on an error or warning)
#
# Honours BUILD_DIR (default: build). Prints the path of the .deb on its last line.
# Install it with `dpkg -i` (docs/operations.md §1); tests/ops/package_test.sh installs,
# runs and removes it (ctest -L package).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
command -v help2man >/dev/null || { echo "package: help2man is missing: run scripts/setup.sh" >&2; exit 1; }
command -v dpkg-shlibdeps >/dev/null || { echo "package: dpkg-shlibdeps is missing: run scripts/setup.sh" >&2; exit 1; }
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS" --target evidence evidence-node evidence_package_files
rm -f "$BUILD_DIR"/package/*.deb
(cd "$BUILD_DIR" && cpack -G DEB >/dev/null)
deb=$(ls "$BUILD_DIR"/package/*.deb)
if [ "${1:-}" = --lintian ]; then
  command -v lintian >/dev/null || { echo "package: lintian is missing: run scripts/setup.sh" >&2; exit 1; }
  # Errors fail the build; warnings are printed (none at the time of writing).
  lintian --fail-on error,warning "$deb" >&2
fi
echo "$deb"
