#!/bin/sh
# Installs the Debian packages that building, `make run` and `make test`
# need, if any is missing. As root it runs apt-get; otherwise it prints
# the exact command and fails. The one list of dependencies is here.
# clang and libclang-rt-dev build the libFuzzer targets (tests/fuzz/);
# the second line is the Linux side of `make bench` (tests/bench/).
PACKAGES="gcc make binutils gawk qemu-system-x86 libcunit1-dev clang libclang-rt-dev
	linux-image-amd64 busybox-static musl-tools cpio e2fsprogs"

missing=
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q && apt-get install -y -q --no-install-recommends $missing
else
	echo "missing Debian packages:$missing" >&2
	echo "install them with:  sudo apt-get install -y$missing" >&2
	exit 1
fi
