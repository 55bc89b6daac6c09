#!/bin/sh
# The QEMU command line of the Linux side of `make bench`: Debian's newest
# installed kernel, booted through Xok's own mk/qemu.sh, so both run on the
# very same virtual machine (machine, memory, CPU, devices), console on
# the serial port.
#   qemu-linux.sh INITRD "EXTRA KERNEL ARGS" [MORE-QEMU-ARGS...]
#   qemu-linux.sh --kernel      prints the kernel image it would boot
# BENCH_LINUX_KERNEL overrides the kernel image.
set -u
kernel=${BENCH_LINUX_KERNEL:-$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$kernel" ] || [ ! -r "$kernel" ]; then
	echo "qemu-linux: no readable /boot/vmlinuz-* (package linux-image-amd64)" >&2
	exit 1
fi
if [ "${1:-}" = --kernel ]; then
	echo "$kernel"
	exit 0
fi
initrd=$1
extra=$2
shift 2
exec sh "$(dirname "$0")/../../mk/qemu.sh" "$kernel" \
	"console=ttyS0 quiet panic=-1 $extra" -initrd "$initrd" "$@"
