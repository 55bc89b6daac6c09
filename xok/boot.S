/*
 * boot.S: from the PVH entry to C.
 *
 * QEMU's -kernel loads this ELF64 at its physical addresses and, finding the
 * Xen PVH note below, enters pvh_entry in 32-bit protected mode with paging
 * off and %ebx pointing to a struct hvm_start_info (memory map, command
 * line). We chose PVH over Multiboot because QEMU refuses an ELF64 with a
 * Multiboot header, and PVH needs no conversion step or 32-bit image.
 *
 * The stub maps the first GiB three times (identity, for the jump; the
 * direct map; the kernel image at KERNBASE) with 2 MiB pages, enters long
 * mode and calls kmain(start_info_pa) on the boot stack. pmap_init() then
 * builds the real kernel page table.
 */
#include "kmemlayout.h"

#define PTE_P  0x001
#define PTE_W  0x002
#define PTE_PS 0x080
#define CR0_PE 0x00000001
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100

	.section .note.Xen, "a", @note
	.balign 4
	.long 4                 /* name size: "Xen\0" */
	.long 4                 /* descriptor size */
	.long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_entry

	.section .boot.text, "ax"
	.code32
	.globl pvh_entry
pvh_entry:
	cli
	cld
	mov %ebx, %esi          /* keep start_info for kmain */

	/* boot_pd: 512 entries of 2 MiB covering physical [0, 1 GiB). */
	mov $boot_pd, %edi
	mov $(PTE_P | PTE_W | PTE_PS), %eax
	mov $512, %ecx
1:	mov %eax, (%edi)
	movl $0, 4(%edi)
	add $0x200000, %eax
	add $8, %edi
	loop 1b

	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PE | CR0_PG), %eax
	mov %eax, %cr0

	lgdt boot_gdt_desc
	ljmp $GD_KCODE, $long_mode

	.code64
long_mode:
	mov $GD_KDATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	movabs $boot_stack_top, %rsp
	xor %ebp, %ebp          /* ends the backtrace */
	mov %esi, %edi          /* kmain(start_info_pa) */
	movabs $kmain, %rax
	call *%rax
2:	hlt
	jmp 2b

	.section .boot.data, "aw"
	.balign 4096
boot_pml4:
	.quad boot_pdpt_low + (PTE_P | PTE_W)      /* [0]: identity */
	.fill 255, 8, 0
	.quad boot_pdpt_low + (PTE_P | PTE_W)      /* [256]: DIRECTMAP */
	.fill 254, 8, 0
	.quad boot_pdpt_high + (PTE_P | PTE_W)     /* [511]: KERNBASE */
boot_pdpt_low:
	.quad boot_pd + (PTE_P | PTE_W)
	.fill 511, 8, 0
boot_pdpt_high:
	.fill 510, 8, 0
	.quad boot_pd + (PTE_P | PTE_W)            /* [510]: -2 GiB */
	.quad 0
boot_pd:
	.fill 512, 8, 0

	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff  /* GD_KCODE: 64-bit code, ring 0 */
	.quad 0x00cf92000000ffff  /* GD_KDATA: data, ring 0 */
boot_gdt_end:
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .bss
	.balign 16
	.globl boot_stack, boot_stack_top
boot_stack:
	.space 16384
boot_stack_top:
