#!/bin/sh
# The QEMU command line of the Linux side of `make bench`: Debian's newest
# installed kernel on the same virtual machine as Xok's mk/qemu.sh (same
# machine, memory, CPU and devices, isa-debug-exit included, unused by
# Linux), console on the serial port.
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
exec qemu-system-x86_64 \
	-machine q35 -m 256M -cpu qemu64 \
	-nodefaults -no-reboot -display none \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 quiet panic=-1 $extra" \
	"$@"
