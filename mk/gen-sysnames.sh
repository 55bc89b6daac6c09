#!/bin/sh
# Turns the kernel headers' x86-64 system call numbers into one X-macro
# line per call, SYSCALL(name, number), for ExOS's dispatch table and its
# "unknown system call" messages.
awk '$1 == "#define" && $2 ~ /^__NR_/ {
	print "SYSCALL(" substr($2, 6) ", " $3 ")"
}' "${1:-/usr/include/x86_64-linux-gnu/asm/unistd_64.h}"
