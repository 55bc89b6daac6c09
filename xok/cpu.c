/*
 * cpu: descriptor tables and per-CPU registers.
 */
#include "cpu.h"

#include <stddef.h>
#include <xok/trapframe.h>

#include "../lib/string.h"
#include "x86.h"

#define KSTACK_SIZE 16384
#define DFSTACK_SIZE 4096

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type; /* P | DPL | 0xE (64-bit interrupt gate) */
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

_Static_assert(offsetof(struct cpu, kstack_top) == CPU_KSTACK_TOP, "entry.S");
_Static_assert(offsetof(struct cpu, user_rsp) == CPU_USER_RSP, "entry.S");

static struct cpu cpu0;
static struct tss tss0;
static uint64_t gdt[7];
static struct idt_gate idt[256];
static uint8_t kstack0[KSTACK_SIZE] __attribute__((aligned(16)));
static uint8_t dfstack0[DFSTACK_SIZE] __attribute__((aligned(16)));

/* entry.S: 256 stubs, 16 bytes apart, that push the vector and trap. */
extern char trap_vectors[];
extern char syscall_entry[];

static void gdt_init(void)
{
	uint64_t base = (uint64_t)&tss0, limit = sizeof(tss0) - 1;

	gdt[0] = 0;
	gdt[GD_KCODE / 8] = 0x00af9a000000ffff; /* 64-bit code, DPL 0 */
	gdt[GD_KDATA / 8] = 0x00cf92000000ffff; /* data, DPL 0 */
	gdt[GD_UDATA / 8] = 0x00cff2000000ffff; /* data, DPL 3 */
	gdt[GD_UCODE / 8] = 0x00affa000000ffff; /* 64-bit code, DPL 3 */
	/* A 16-byte available 64-bit TSS descriptor (type 9, present). */
	gdt[GD_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			  (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
			  (((base >> 24) & 0xff) << 56);
	gdt[GD_TSS / 8 + 1] = base >> 32;

	struct desc_ptr gp = { sizeof(gdt) - 1, (uint64_t)gdt };
	__asm__ volatile(
		"lgdt %0\n\t"
		"mov %1, %%ds\n\tmov %1, %%es\n\tmov %1, %%ss\n\t"
		"pushq %2\n\tleaq 1f(%%rip), %%rax\n\tpushq %%rax\n\tlretq\n"
		"1:\n\t"
		"ltr %w3"
		: : "m"(gp), "r"((uint64_t)GD_KDATA), "i"(GD_KCODE),
		    "r"(GD_TSS)
		: "rax", "memory");
}

static void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t off = (uint64_t)trap_vectors + 16 * v;
		/* int3 and into may be used on purpose from user mode. */
		int dpl = (v == XOK_T_BRKPT || v == XOK_T_OFLOW) ? 3 : 0;

		idt[v] = (struct idt_gate){
			.off_lo = off & 0xffff,
			.sel = GD_KCODE,
			.ist = v == 8 ? 1 : 0, /* double fault: its own stack */
			.type = 0x8e | (dpl << 5),
			.off_mid = (off >> 16) & 0xffff,
			.off_hi = off >> 32,
		};
	}
	struct desc_ptr ip = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(ip));
}

void cpu_init(void)
{
	uint32_t a, b, c, d;

	cpu0.self = &cpu0;
	cpu0.kstack_top = (uint64_t)kstack0 + KSTACK_SIZE;
	tss0.rsp[0] = cpu0.kstack_top;
	tss0.ist[0] = (uint64_t)dfstack0 + DFSTACK_SIZE;
	tss0.iomap_base = sizeof(tss0); /* no I/O bitmap: user in/out faults */
	gdt_init();
	idt_init();
	wrmsr(MSR_GS_BASE, (uint64_t)&cpu0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);

	/* User code uses SSE (compilers emit it freely); the kernel saves
	 * that state only when it switches environments (env_run). */
	lcr0((rcr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	lcr4(rcr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);

	cpuid(0x80000001, &a, &b, &c, &d);
	cpu0.nx = (d >> 20) & 1;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | (cpu0.nx ? EFER_NXE : 0));
	/* sysret loads CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8. */
	wrmsr(MSR_STAR, ((uint64_t)(GD_UDATA - 8) << 48) |
				((uint64_t)GD_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* Enter the kernel with interrupts off and flags sane. */
	wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC |
				  RFLAGS_NT | RFLAGS_IOPL);
}

void cpu_triple_fault(void)
{
	struct desc_ptr empty = { 0, 0 };

	__asm__ volatile("lidt %0\n\tint3" : : "m"(empty));
	for (;;)
		hlt();
}
