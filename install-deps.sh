#!/bin/sh
# install-deps.sh: Debian packages needed to build and test interim.
# Runs apt-get as root (through sudo when not root).
set -e
PACKAGES="gcc libc6-dev make autoconf automake pkg-config python3
    libpcap-dev libnids-dev libnet1-dev libglib2.0-dev libncurses-dev"
if [ "$(id -u)" -ne 0 ]; then
    exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
