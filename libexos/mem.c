/*
 * mem: a process's memory — page faults (copy-on-write, stacks that grow
 * on demand), checking the pointers programs pass, brk and mmap.
 *
 * Pages are Xok pages mapped in the process's own page table; ExOS reads
 * its page table through XOK_UVPT and changes it with Xok's calls. A
 * private writable page shared after fork is mapped read-only with
 * EXOS_PTE_COW; the first write copies it (or, if nobody else maps it any
 * more, just makes it writable again).
 */
#include <xok/error.h>
#include <xok/page.h>
#include <xok/syscall.h>

#include "../lib/elf.h"
#include "../lib/string.h"
#include "exos.h"
#include "sys.h"

#define PAGE XOK_PAGE_SIZE
#define PAGES ((const volatile struct xok_ppage *)XOK_UPAGES)
#define PFN(pte) (((pte) & XOK_PTE_ADDR) >> XOK_PAGE_SHIFT)

uint64_t exos_pte(uint64_t va)
{
	if (!(*XOK_VPT_PML4E(XOK_UVPT, XOK_UVPT_SLOT, va) & XOK_PTE_P) ||
	    !(*XOK_VPT_PDPTE(XOK_UVPT, XOK_UVPT_SLOT, va) & XOK_PTE_P) ||
	    !(*XOK_VPT_PDE(XOK_UVPT, XOK_UVPT_SLOT, va) & XOK_PTE_P))
		return 0;
	return *XOK_VPT_PTE(XOK_UVPT, va);
}

int exos_map_fresh(uint64_t va, uint64_t perm)
{
	return (int)xok_page_alloc(0, 0, va, perm, XOK_PFN_ANY);
}

/* Where a page may appear on first touch: ExOS's stack, and a program's
 * stack down to its limit. */
static int grows_on_demand(uint64_t va)
{
	return (va < EXOS_STACK_TOP && va >= EXOS_STACK_TOP - EXOS_STACK_MAX) ||
	       (va < EXOS_USTACK_TOP && va >= EXOS_USTACK_TOP - EXOS_USTACK_MAX);
}

extern const char __ehdr_start[];

/* Is `va` in a page of this binary's writable segment past its file's
 * bytes (its bss)? The ExOS image is loaded leaving those for their
 * first touch (exec.c), so a fork copies only the ones used; a native
 * program's are all mapped when it starts and never fault here. */
static int bss_on_demand(uint64_t va)
{
	const struct elf64_ehdr *eh = (const void *)__ehdr_start;
	const struct elf64_phdr *ph = (const void *)(__ehdr_start + eh->phoff);

	for (unsigned i = 0; i < eh->phnum; i++)
		if (ph[i].type == ELF_PT_LOAD && (ph[i].flags & ELF_PF_W) &&
		    va >= elf_pages_end(&ph[i], 0, 1) &&
		    va < elf_pages_end(&ph[i], 0, 0))
			return 1;
	return 0;
}

/* Gives the process its own copy of the copy-on-write page at `va`. */
static int copy_on_write(uint64_t va, uint64_t pte)
{
	uint64_t perm = (pte & XOK_PTE_USER_BITS & ~EXOS_PTE_COW) | XOK_PTE_W;
	int64_t r;

	if (PAGES[PFN(pte)].ref == 1) /* nobody else has it any more */
		return (int)xok_page_map(0, 0, va, 0, PFN(pte), perm);
	if ((r = xok_page_alloc(0, 0, EXOS_SCRATCH, XOK_PTE_W | XOK_PTE_NX,
				XOK_PFN_ANY)) < 0)
		return (int)r;
	memcpy((void *)EXOS_SCRATCH, (const void *)va, PAGE);
	r = xok_page_map(0, 0, va, 0, PFN(exos_pte(EXOS_SCRATCH)), perm);
	xok_page_unmap(0, 0, EXOS_SCRATCH);
	return (int)r;
}

/* Makes a fault at `va` go away if ExOS owes the page: 0 if it did,
 * -L_EFAULT if the access is really bad. */
int exos_resolve_fault(uint64_t va, int write)
{
	uint64_t pte = exos_pte(va & ~(PAGE - 1));

	va &= ~(PAGE - 1);
	if (!(pte & XOK_PTE_P)) {
		int r;

		if (grows_on_demand(va) || bss_on_demand(va))
			return exos_map_fresh(va, XOK_PTE_W | XOK_PTE_NX) < 0 ?
				-L_ENOMEM : 0;
		r = exos_lazy_fault(va);
		return r == 1 ? -L_EFAULT : r;
	}
	if (write && !(pte & XOK_PTE_W)) {
		if (!(pte & EXOS_PTE_COW))
			return -L_EFAULT;
		return copy_on_write(va, pte) < 0 ? -L_ENOMEM : 0;
	}
	return 0;
}

int exos_uaccess(uint64_t va, uint64_t len, int write)
{
	if (!len)
		return 0;
	if (va < EXOS_USER_BOTTOM || va >= EXOS_USER_TOP ||
	    len > EXOS_USER_TOP - va)
		return -L_EFAULT;
	for (uint64_t p = va & ~(PAGE - 1); p < va + len; p += PAGE) {
		uint64_t pte = exos_pte(p);

		if ((pte & XOK_PTE_P) && (!write || (pte & XOK_PTE_W)))
			continue;
		if (exos_resolve_fault(p, write))
			return -L_EFAULT;
	}
	return 0;
}

int exos_ustring(const char *s, char *out, size_t size)
{
	uint64_t readable = 0; /* bytes below this address were checked */

	for (size_t i = 0; i < size; i++) {
		uint64_t a = (uint64_t)s + i;

		if (a >= readable) {
			if (exos_uaccess(a, 1, 0))
				return -L_EFAULT;
			readable = (a | (PAGE - 1)) + 1; /* its whole page */
		}
		if (!(out[i] = s[i]))
			return 0;
	}
	return -L_ENAMETOOLONG;
}

/* ---- Unmapping ranges ---- */

/* The entry mapping `va` at `level` of the page tables (3: the PML4, 0:
 * the page table), read through XOK_UVPT. Consecutive addresses' entries
 * of a level are consecutive words there. */
static const volatile uint64_t *entry_of(int level, uint64_t va)
{
	switch (level) {
	case 3: return XOK_VPT_PML4E(XOK_UVPT, XOK_UVPT_SLOT, va);
	case 2: return XOK_VPT_PDPTE(XOK_UVPT, XOK_UVPT_SLOT, va);
	case 1: return XOK_VPT_PDE(XOK_UVPT, XOK_UVPT_SLOT, va);
	default: return XOK_VPT_PTE(XOK_UVPT, va);
	}
}

/* Walks [lo, hi) at `level`: a tight loop over the level's entries,
 * going down only where one is present, to the `leaf` level, whose
 * present entries go to `fn` — so walking the user half costs what is
 * mapped, not its size. */
static int walk_level(int level, int leaf, uint64_t lo, uint64_t hi,
		      int (*fn)(uint64_t va, uint64_t pte, void *arg),
		      void *arg)
{
	uint64_t span = 1ull << (12 + 9 * level);
	const volatile uint64_t *e = entry_of(level, lo);

	for (uint64_t va = lo; va < hi; e++) {
		uint64_t next = (va | (span - 1)) + 1, pte;
		int r;

		/* Eight absent entries at a time (an aligned group the range
		 * takes to its end): tables are mostly empty. */
		uint64_t group_end = (va | (8 * span - 1)) + 1;

		if (!((uintptr_t)e & 63) && group_end <= hi &&
		    !((e[0] | e[1] | e[2] | e[3] | e[4] | e[5] | e[6] | e[7]) &
		      XOK_PTE_P)) {
			va = group_end;
			e += 7;
			continue;
		}
		pte = *e;
		if ((pte & XOK_PTE_P) &&
		    (r = level > leaf ?
			 walk_level(level - 1, leaf, va,
				    next < hi ? next : hi, fn, arg) :
			 fn(va, pte, arg)))
			return r;
		va = next;
	}
	return 0;
}

int exos_walk(uint64_t lo, uint64_t hi,
	      int (*fn)(uint64_t va, uint64_t pte, void *arg), void *arg)
{
	return walk_level(3, 0, lo, hi, fn, arg);
}

int exos_walk_tables(uint64_t lo, uint64_t hi,
		     int (*fn)(uint64_t va, uint64_t pde, void *arg),
		     void *arg)
{
	return walk_level(3, 1, lo, hi, fn, arg);
}

int exos_batch_add(struct exos_batch *b, uint64_t va, uint64_t pfn, uint64_t perm)
{
	b->ops[b->n++] = (struct xok_pte_op){ .va = va, .pfn = pfn,
					      .perm = perm };
	if (b->n < 64)
		return 0;
	b->n = 0;
	return (int)xok_pte_batch(0, b->env, b->ops, 64);
}

int exos_batch_flush(struct exos_batch *b)
{
	unsigned n = b->n;

	b->n = 0;
	return n ? (int)xok_pte_batch(0, b->env, b->ops, n) : 0;
}

static int unmap_one(uint64_t va, uint64_t pte, void *arg)
{
	(void)pte;
	return exos_batch_add(arg, va, XOK_PFN_NONE, 0);
}

struct unmapping {
	uint64_t lo, hi;
	struct exos_batch b;
};

/* The part of [lo, hi) in the page table at `va`: a whole table in one
 * call (Xok's page_unmap_span), an edge a page at a time. */
static int unmap_table(uint64_t va, uint64_t pde, void *arg)
{
	struct unmapping *u = arg;
	uint64_t base = va & ~(XOK_PTE_SHARE_SPAN - 1),
		 end = base + XOK_PTE_SHARE_SPAN;

	(void)pde;
	if (u->lo <= base && end <= u->hi)
		return xok_page_unmap_span(0, 0, base) < 0 ? -L_EINVAL : 0;
	return exos_walk(base > u->lo ? base : u->lo, end < u->hi ? end : u->hi,
			 unmap_one, &u->b);
}

int exos_unmap_range(uint64_t lo, uint64_t hi)
{
	struct unmapping u = { lo, hi, { .env = 0 } };
	int r;

	if (lo < EXOS_USER_TOP)
		exos_lazy_forget(lo, hi);
	r = exos_walk_tables(lo, hi, unmap_table, &u);
	return r ? r : exos_batch_flush(&u.b);
}

int exos_unmap_program(void)
{
	return exos_unmap_range(0, EXOS_USER_TOP);
}

/* ---- brk and mmap ---- */

void exos_mem_exec_reset(uint64_t brk_start)
{
	SELF->brk_start = SELF->brk = (brk_start + PAGE - 1) & ~(PAGE - 1);
	SELF->mmap_next = EXOS_MMAP_TOP;
}

static uint64_t prot_perm(uint64_t prot)
{
	return ((prot & L_PROT_WRITE) ? XOK_PTE_W : 0) |
	       ((prot & L_PROT_EXEC) ? 0 : XOK_PTE_NX);
}

/* Maps fresh zeroed pages over [lo, hi), replacing what is there. */
static int map_zero(uint64_t lo, uint64_t hi, uint64_t perm)
{
	for (uint64_t va = lo; va < hi; va += PAGE)
		if (exos_map_fresh(va, perm) < 0) {
			exos_unmap_range(lo, va);
			return -L_ENOMEM;
		}
	return 0;
}

SYS(brk)
{
	uint64_t want = (a->a[0] + PAGE - 1) & ~(PAGE - 1);

	if (a->a[0] < SELF->brk_start || want > SELF->mmap_next - (1ull << 30))
		return (int64_t)SELF->brk;
	if (want > SELF->brk) {
		if (map_zero(SELF->brk, want, XOK_PTE_W | XOK_PTE_NX))
			return (int64_t)SELF->brk;
	} else if (want < SELF->brk) {
		exos_unmap_range(want, SELF->brk);
	}
	SELF->brk = want;
	return (int64_t)a->a[0];
}

/* Reads `len` bytes of the file at `fd` from `off` into mapped pages. */
static int fill_from_file(int fd, uint64_t va, uint64_t len, uint64_t off)
{
	struct exos_file *f = exos_fd_get(fd);
	long n;

	if (!f)
		return -L_EBADF;
	n = exos_file_read(f, (void *)va, len, (int64_t)off);
	return n < 0 ? (int)n : 0;
}

SYS(mmap)
{
	uint64_t addr = a->a[0], len = a->a[1], prot = a->a[2],
		 flags = a->a[3], off = a->a[5];
	int fd = (int)a->a[4];
	uint64_t size = (len + PAGE - 1) & ~(PAGE - 1), va;
	int r;

	if (!len || (addr & (PAGE - 1)) || (off & (PAGE - 1)) ||
	    size > EXOS_USER_TOP)
		return -L_EINVAL;
	if (!(flags & L_MAP_ANONYMOUS) && (flags & L_MAP_SHARED) &&
	    (prot & L_PROT_WRITE))
		return -L_ENODEV; /* shared writable file mappings: not yet */
	if (flags & (L_MAP_FIXED | L_MAP_FIXED_NOREPLACE)) {
		if (addr < EXOS_USER_BOTTOM)
			return -L_EPERM;
		if (addr >= EXOS_USER_TOP || size > EXOS_USER_TOP - addr)
			return -L_ENOMEM;
		va = addr;
		exos_unmap_range(va, va + size);
	} else {
		if (SELF->mmap_next - SELF->brk < size + (1ull << 30))
			return -L_ENOMEM;
		va = SELF->mmap_next - size;
		SELF->mmap_next = va - PAGE; /* a guard page between */
	}
	/* Filled writable, then given the protection asked for. A shared
	 * mapping stays shared with the children fork makes. */
	uint64_t shared = (flags & L_MAP_SHARED) ? EXOS_PTE_SHARED : 0;

	if ((r = map_zero(va, va + size, XOK_PTE_W | XOK_PTE_NX | shared)))
		return r;
	if (!(flags & L_MAP_ANONYMOUS) &&
	    (r = fill_from_file(fd, va, len, off))) {
		exos_unmap_range(va, va + size);
		return r;
	}
	if (prot != (L_PROT_READ | L_PROT_WRITE))
		for (uint64_t p = va; p < va + size; p += PAGE)
			xok_page_map(0, 0, p, 0, PFN(exos_pte(p)),
				     prot_perm(prot) | shared);
	return (int64_t)va;
}

SYS(munmap)
{
	uint64_t va = a->a[0], size = (a->a[1] + PAGE - 1) & ~(PAGE - 1);

	if ((va & (PAGE - 1)) || !size || va >= EXOS_USER_TOP ||
	    size > EXOS_USER_TOP - va)
		return -L_EINVAL;
	return exos_unmap_range(va, va + size) ? -L_EINVAL : 0;
}

struct protect {
	uint64_t perm;
};

static int protect_one(uint64_t va, uint64_t pte, void *arg)
{
	uint64_t perm = ((struct protect *)arg)->perm | (pte & EXOS_PTE_SHARED);

	/* A private read-only page others map too (after fork, or a page
	 * cache frame) becomes copy-on-write, not writable in place. */
	if ((perm & XOK_PTE_W) && !(pte & (XOK_PTE_W | EXOS_PTE_SHARED)) &&
	    PAGES[PFN(pte)].ref > 1)
		pte |= EXOS_PTE_COW;
	/* A copy-on-write page stays read-only until its fault copies it;
	 * the fault then gives it write access if asked. */
	if (pte & EXOS_PTE_COW) {
		if (!(perm & XOK_PTE_W))
			perm &= ~EXOS_PTE_COW;
		else
			perm = (perm & ~XOK_PTE_W) | EXOS_PTE_COW;
	}
	return (int)xok_page_map(0, 0, va, 0, PFN(pte), perm);
}

SYS(mprotect)
{
	uint64_t va = a->a[0], size = (a->a[1] + PAGE - 1) & ~(PAGE - 1);
	struct protect p = { prot_perm(a->a[2]) };

	if ((va & (PAGE - 1)) || va >= EXOS_USER_TOP ||
	    size > EXOS_USER_TOP - va)
		return -L_EINVAL;
	/* Pages still in their file get the new protection too. */
	if (exos_lazy_fill(va, va + size) == -L_ENOMEM)
		return -L_ENOMEM;
	return exos_walk(va, va + size, protect_one, &p) ? -L_ENOMEM : 0;
}

SYS(mremap)
{
	(void)a;
	return -L_ENOMEM; /* callers fall back to mmap + copy */
}

SYS(madvise)
{
	(void)a;
	return 0; /* advice only */
}

/* ---- The fault upcall ---- */

void exos_fault_upcall(struct xok_upcall_frame *f)
{
	struct xok_trapframe *tf = &f->tf;
	/* Process 1 may fault (its stack growing) before it has any state. */
	int have_self = exos_pte(EXOS_SELF) != 0;
	uint32_t was_in_exos = have_self ? SELF->in_exos : 1;
	int sig, resolution;

	/* While ExOS handles the fault, a slice's prologue must not deliver
	 * a signal into this handler's context. */
	if (have_self)
		SELF->in_exos = 1;
	resolution = tf->trapno == XOK_T_PGFLT ?
		exos_resolve_fault(f->addr, (tf->err & 2) != 0) : -L_EFAULT;
	/* System calls check user memory (exos_uaccess) before they work
	 * on it: a fault on a file-backed page with the lock held is one
	 * inside C-FFS, which filling the page would re-enter. */
	if (tf->trapno == XOK_T_PGFLT && have_self &&
	    SHARED->lock == (uint64_t)xok_getenvid() && exos_lazy_covers(f->addr) &&
	    !(exos_pte(f->addr & ~(PAGE - 1)) & XOK_PTE_P)) {
		exos_printf("exos: pid %d: file-backed page %#lx touched "
			    "inside the libOS (rip %#lx)\n", SELF->pid,
			    f->addr, tf->rip);
		resolution = -L_EFAULT;
	}
	if (have_self)
		SELF->in_exos = was_in_exos;
	if (!resolution)
		return;
	if (!have_self) {
		exos_printf("exos: fault %lu at %#lx (rip %#lx) while starting\n",
			    tf->trapno, f->addr, tf->rip);
		xok_exit(128 + L_SIGSEGV);
	}
	switch (tf->trapno) {
	case XOK_T_PGFLT:
		/* The file behind the page changed: as a page past a
		 * mapped file's end on Linux. */
		sig = resolution == -L_EIO ? L_SIGBUS : L_SIGSEGV;
		break;
	case XOK_T_GPFLT: sig = L_SIGSEGV; break;
	case XOK_T_ILLOP: sig = L_SIGILL; break;
	case XOK_T_DIVIDE:
	case XOK_T_FPERR:
	case XOK_T_SIMDERR: sig = L_SIGFPE; break;
	case XOK_T_BRKPT:
	case XOK_T_DEBUG: sig = L_SIGTRAP; break;
	default: sig = L_SIGBUS;
	}
	exos_signal_fault(tf, sig, tf->trapno == XOK_T_PGFLT ? f->addr : tf->rip);
}
