#!/usr/bin/env bash
# Installs every build and test dependency of evidence-ledger from Debian packages.
# Idempotent: when everything is already installed it only checks and returns quickly.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache git clang clang-14 libclang-rt-14-dev
  libssl-dev openssl
  libleveldb-dev
  libboost1.81-dev libboost-json1.81-dev libboost-system1.81-dev
  libcereal-dev libtomlplusplus-dev libspdlog-dev libfmt-dev libcli11-dev
  libgoogle-perftools-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl jq python3 procps psmisc
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} dependencies are installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
