#!/usr/bin/env bash
# Installs every build and test dependency of evidence-ledger from Debian packages,
# and the web portal's JavaScript packages with `npm ci` from web/package-lock.json.
# Idempotent: when everything is already installed it only checks and returns quickly
# (and needs no network: npm runs only when web/node_modules does not match the lockfile).
# prometheus brings promtool (tests/ops checks configs/prometheus/alerts.yml with it);
# lintian checks the Debian package and help2man makes its man pages (scripts/package.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config ccache git clang clang-14 libclang-rt-14-dev
  libssl-dev openssl
  libleveldb-dev
  libboost1.81-dev libboost-json1.81-dev libboost-system1.81-dev
  libcereal-dev libtomlplusplus-dev libspdlog-dev libfmt-dev libcli11-dev libhowardhinnant-date-dev
  libgoogle-perftools-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl jq python3 procps psmisc
  python3-yaml python3-jsonschema python3-cryptography
  # The SDKs: JDK 17 with BouncyCastle, Jackson and JUnit 5 from Debian (sdk/java).
  openjdk-17-jdk-headless libbcprov-java libjackson2-databind-java junit5
  # The portal's browser tests drive Debian's Chromium (never a downloaded browser);
  # CJK fonts so that pages and screenshots show Chinese text.
  chromium fonts-noto-cjk
  prometheus lintian help2man
)
# Node.js and npm build the web portal. A machine may have them from elsewhere
# (NodeSource's nodejs package bundles npm and conflicts with Debian's npm); ask
# Debian for them only when there is no node or npm at all.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} Debian packages are installed"
else
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The portal's packages, exactly as web/package-lock.json pins them. The hash of
# the lockfile they came from is kept beside them (the build checks it), so an
# unchanged lockfile costs nothing and needs no network.
node_major=$(node --version | sed -E 's/^v([0-9]+).*/\1/')
if [ "$node_major" -lt 18 ]; then
  echo "setup: Node.js $(node --version) is too old for the web portal (18 or newer)" >&2
  exit 1
fi
lock_hash=$(sha256sum web/package-lock.json | cut -d' ' -f1)
stamp=web/node_modules/.evidence-lock-sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ] && [ -f web/node_modules/.package-lock.json ]; then
  echo "setup: web/node_modules matches web/package-lock.json"
else
  echo "setup: npm ci in web/"
  # No browser download (playwright-core never downloads one; this makes sure),
  # no audit or funding calls: only the registry's packages.
  (cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" >"$stamp"
fi
echo "setup: done"
