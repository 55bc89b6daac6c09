#!/bin/sh
# Reads `nm -n` output of the kernel and writes the assembly of its symbol
# table (struct ksym ksyms_table[], sorted by address, and ksyms_count),
# listing code symbols only. Empty input gives an empty table.
awk 'BEGIN { n = 0 }
$2 ~ /^[tT]$/ { addr[n] = $1; name[n] = $3; n++ }
END {
	print "\t.section .ksyms, \"a\""
	print "\t.balign 8"
	print "\t.globl ksyms_table, ksyms_count"
	print "ksyms_count:"
	printf "\t.quad %d\n", n
	print "ksyms_table:"
	for (i = 0; i < n; i++)
		printf "\t.quad 0x%s, ksym_name_%d\n", addr[i], i
	for (i = 0; i < n; i++)
		printf "ksym_name_%d:\t.asciz \"%s\"\n", i, name[i]
}'
