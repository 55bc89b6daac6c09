#!/bin/sh
# Writes the assembly that embeds user programs in the kernel image:
# each file, 8-byte aligned, and the table struct embedded_prog
# embedded_programs[] = { name, start, end }..., ending with a null name.
#   genprograms.sh PATH...
i=0
for f in "$@"; do
	printf '\t.section .rodata\n\t.balign 8\nprog_%d:\n\t.incbin "%s"\nprog_%d_end:\n' \
		"$i" "$f" "$i"
	i=$((i + 1))
done
printf '\t.section .rodata\n\t.balign 8\n\t.globl embedded_programs\nembedded_programs:\n'
i=0
for f in "$@"; do
	printf '\t.quad prog_name_%d, prog_%d, prog_%d_end\n' "$i" "$i" "$i"
	i=$((i + 1))
done
printf '\t.quad 0, 0, 0\n'
i=0
for f in "$@"; do
	printf 'prog_name_%d:\t.asciz "%s"\n' "$i" "$(basename "$f")"
	i=$((i + 1))
done
