#!/usr/bin/env bash
# Installs what Tessera needs to build, test and benchmark, from Debian packages only.
# Idempotent: when everything is present it changes nothing and takes well under a second.
# Also installs Swagger UI's npm package (docs/swagger-ui), which the build embeds.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsodium-dev libcjose-dev libsqlite3-dev libpq-dev
  libkainjow-mustache-dev libspdlog-dev libcli11-dev libcrypt-dev libcurl4-openssl-dev
  libidn2-dev libicu-dev
  # Second factors (src/mfa): TOTP codes (liboath-dev), QR codes as SVG (libqrencode-dev),
  # WebAuthn's CBOR (libcbor-dev).
  liboath-dev libqrencode-dev libcbor-dev
  libgtest-dev libgmock-dev
  # The fuzz targets (fuzz/, scripts/fuzz.sh): clang, libFuzzer and the sanitizer runtimes
  # (libclang-rt-dev), llvm-symbolizer for readable crash stacks (llvm).
  clang libclang-rt-dev llvm
  postgresql sqlite3 wrk nodejs npm
  nginx  # the e2e test of --trusted-proxies runs a real reverse proxy (started by the test)
  haproxy  # scripts/cluster.sh: the load balancer in front of the nodes, health checks on /readyz
  # The Debian package (make package, tests/package): CPack's DEB generator computes the
  # dependencies with dpkg-shlibdeps (dpkg-dev, in build-essential), which needs `file`; the
  # package test talks to the installed server with curl.
  file curl
  chromium python3-authlib python3-requests python3-aiosmtpd
  # The Django migration kit: a real Django dumps the users the import tests read, and the
  # DRF drop-in (integrations/django) is tested with Debian's Django, DRF and PyJWT.
  python3-django python3-djangorestframework python3-jwt python3-cryptography python3-bcrypt
  python3-argon2 python3-django-allauth
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs and npm may come from outside Debian's archive (the machine image); accept any node
# (>= 20) and npm on the PATH. npm installs the black-box tests' packages (tests/e2e).
if [[ " ${missing[*]} " == *" nodejs "* ]] && command -v node >/dev/null; then
  missing=("${missing[@]/nodejs}")
fi
if [[ " ${missing[*]} " == *" npm "* ]] && command -v npm >/dev/null; then
  missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]}"
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Swagger UI for /api/docs: npm's swagger-ui-dist, pinned in docs/swagger-ui/package-lock.json,
# embedded into the binary by the build (cmake/embed_api_docs.cmake); never vendored into git.
# Installed exactly from the lock file when node_modules is missing or older than the lock.
# --ignore-scripts: the package's only install script is a usage-analytics ping.
UI="$(cd "$(dirname "$0")/.." && pwd)/docs/swagger-ui"
if [ ! -f "$UI/node_modules/swagger-ui-dist/swagger-ui-bundle.js" ] ||
   [ "$UI/package-lock.json" -nt "$UI/node_modules/.package-lock.json" ]; then
  echo "setup: installing Swagger UI (npm ci in docs/swagger-ui)" >&2
  npm ci --prefix "$UI" --ignore-scripts --no-audit --no-fund >&2
  touch "$UI/node_modules/.package-lock.json"
fi
