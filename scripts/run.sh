#!/usr/bin/env bash
# Sets up, builds, and shows the CLI. (Once evidence-node exists this starts the
# four-institution local network.) Honours BUILD_DIR (default: build).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
./scripts/setup.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
"$BUILD_DIR/bin/evidence" --help
