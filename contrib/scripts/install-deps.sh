#!/bin/sh
# install-deps.sh [--fuzz] - install the Debian packages orderhub builds, tests and runs
# with; --fuzz adds what `make fuzz` needs (clang and its libFuzzer runtime, Debian 12
# names).  Installs only what is missing; needs root (or sudo).  Safe to run repeatedly.
set -eu
PACKAGES="build-essential autoconf automake libtool pkg-config binutils xz-utils \
libcurl4-openssl-dev libxml2-dev libjansson-dev libconfig-dev check libsubunit-dev \
libmicrohttpd-dev libsqlite3-dev libssl-dev curl jq openssl libxml2-utils \
python3-aiosmtpd"
FUZZ_PACKAGES="clang libclang-rt-14-dev"
[ "${1:-}" = "--fuzz" ] && PACKAGES="$PACKAGES $FUZZ_PACKAGES"

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing > /dev/null
