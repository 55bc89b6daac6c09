#!/bin/sh
# Installs the Debian packages that building, `make run` and `make test`
# need, if any is missing. As root it runs apt-get; otherwise it prints
# the exact command and fails. The one list of dependencies is here.
# clang and libclang-rt-dev build the libFuzzer targets (tests/fuzz/);
# linux-libc-dev has the system call numbers ExOS's table is made from;
# busybox-static is the boot disk's shell and utilities, musl-tools the C
# library of native ExOS programs, coreutils a dynamically linked program
# ExOS must refuse; the second line is the Linux side of `make bench`.
PACKAGES="gcc make binutils gawk qemu-system-x86 libcunit1-dev clang libclang-rt-dev
	linux-libc-dev busybox-static musl-tools coreutils e2fsprogs
	linux-image-amd64 cpio"

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
