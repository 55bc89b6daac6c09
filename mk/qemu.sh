#!/bin/sh
# The one QEMU command line of Xok, shared by `make run`, `make gdb` and the
# test harness:  qemu.sh KERNEL CMDLINE [MORE-QEMU-ARGS...]
# TCG is QEMU's default where KVM is absent; nothing here depends on either.
kernel=$1
cmdline=$2
shift 2
exec qemu-system-x86_64 \
	-machine q35 -m 256M -cpu qemu64 \
	-nodefaults -no-reboot -display none \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$kernel" -append "$cmdline" \
	"$@"
