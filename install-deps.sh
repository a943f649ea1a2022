#!/bin/sh
# install-deps.sh: Debian packages needed to build and test interim.
# Runs apt-get as root (through sudo when not root).
#   --fuzz   also what tests/fuzz needs: clang with its libFuzzer runtime,
#            and scapy for the seed corpora
set -e
PACKAGES="gcc libc6-dev make autoconf automake pkg-config python3
    libpcap-dev libnids-dev libnet1-dev libglib2.0-dev libncurses-dev
    valgrind time tmux libxml2-utils man-db jq tshark tcpdump"
if [ "$(id -u)" -ne 0 ]; then
    exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
# tshark (tests/write-violations.sh): no setuid dumpcap for non-root capture
echo "wireshark-common wireshark-common/install-setuid boolean false" |
    debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
if [ "${1:-}" = "--fuzz" ]; then
    apt-get install -y -qq --no-install-recommends clang python3-scapy \
        >/dev/null
    # libFuzzer ships in the runtime package of clang's own version
    major=$(clang -dumpversion | cut -d. -f1)
    apt-get install -y -qq --no-install-recommends \
        "libclang-rt-$major-dev" >/dev/null
fi
