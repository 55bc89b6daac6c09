/*
 * note: the ELF note that marks a native program (ExOS linked in), so
 * exec loads it without the ExOS image beside it. Only libexos.a carries
 * it, never the image.
 */
	.section .note.exos, "a"
	.balign 4
	.long 5          /* name size: "ExOS\0" */
	.long 0          /* no description */
	.long 0x45584f53 /* type */
	.asciz "ExOS"
	.balign 4
