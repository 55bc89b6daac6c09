/*
 * exec: replacing the program in the same environment (so the process
 * keeps its pid, its environment id and its place under init).
 *
 * The ELF file is read through the VFS and checked (lib/elf.c) before
 * anything is given up; a bad file is refused with ENOEXEC and the
 * caller goes on. Then the old program's memory is unmapped, the
 * segments are loaded, and the stack is built as Linux builds it.
 *
 * The loader must not run from memory it unmaps, so it always runs in
 * the ExOS image at XOK_EXOS_IMAGE. A native program (ExOS linked in,
 * low in memory) first maps the image from /lib/exos and hands the
 * request to it. The image stays beside an unmodified Linux program as
 * its libOS; a native program (recognised by its "ExOS" ELF note) brings
 * its own, and unmaps the image when it starts.
 */
#include <xok/syscall.h>

#include "../lib/elf.h"
#include "../lib/string.h"
#include "exec.h"
#include "exos.h"
#include "path.h"
#include "stack.h"
#include "sys.h"

#define PAGE XOK_PAGE_SIZE
#define HEADER_MAX 4096
#define MAX_SCRIPT_DEPTH 4
#define PFN(pte) (((pte) & XOK_PTE_ADDR) >> XOK_PAGE_SHIFT)

/* The note native programs carry (libexos/native_start.S). */
#define NOTE_NAME "ExOS"
#define NOTE_TYPE 0x45584f53u

/* Is this copy of ExOS the image (or linked into a native program)? */
static int running_in_image(void)
{
	return (uint64_t)running_in_image >= XOK_EXOS_IMAGE;
}

static const char *base_name(const char *path)
{
	const char *b = path;

	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1])
			b = p + 1;
	return b;
}

/* ---- Reading the file ---- */

struct image {
	char path[PATH_MAX_LEN];
	struct exos_file file; /* a private description: no descriptor */
	uint64_t size;
	uint8_t header[HEADER_MAX] __attribute__((aligned(8)));
	size_t header_len;
	struct elf_info info;
	uint64_t bias;
	int native;
	struct cffs_inode ino; /* the file's, when opened */
};

static long read_at(struct image *im, void *buf, size_t len, uint64_t off)
{
	return exos_file_read(&im->file, buf, len, (int64_t)off);
}

/* Opens `abs` for execution: a regular file with an execute bit. */
static int open_image(struct image *im, const char *abs)
{
	struct exos_node n;
	int r;
	long got;

	exos_lock();
	r = exos_node_lookup(abs, &n);
	exos_unlock();
	if (r)
		return r;
	if (n.kind != NODE_CFFS || (n.ino.mode & L_S_IFMT) != L_S_IFREG)
		return -L_EACCES;
	if (!(n.ino.mode & 0111))
		return -L_EACCES;
	memset(&im->file, 0, sizeof(im->file));
	im->file.kind = FILE_CFFS;
	im->file.loc = n.loc;
	im->ino = n.ino;
	im->size = n.ino.size;
	memcpy(im->path, abs, strlen(abs) + 1);
	got = read_at(im, im->header, HEADER_MAX, 0);
	if (got < 0)
		return (int)got;
	im->header_len = (size_t)got;
	return 0;
}

/* Does the file carry the ExOS note (a native program)? */
static int has_exos_note(struct image *im)
{
	for (unsigned i = 0; i < im->info.phnum; i++) {
		const struct elf64_phdr *ph = &im->info.phdrs[i];
		uint8_t note[64];
		struct { uint32_t namesz, descsz, type; char name[8]; } *n =
			(void *)note;

		if (ph->type != 4 /* PT_NOTE */ || ph->filesz < sizeof(*n))
			continue;
		/* A bounded number of notes: a huge, empty-noted segment
		 * must not keep exec reading. */
		uint64_t at = 0;

		for (unsigned k = 0; k < 64 && at + sizeof(*n) <= ph->filesz;
		     k++) {
			if (read_at(im, note, sizeof(*n), ph->offset + at) !=
			    (long)sizeof(*n))
				break;
			if (n->namesz == 5 && n->type == NOTE_TYPE &&
			    !memcmp(n->name, NOTE_NAME, 5))
				return 1;
			at += 12 + ((n->namesz + 3) & ~3u) +
			      ((n->descsz + 3) & ~3u);
		}
	}
	return 0;
}

static int check_elf(struct image *im, uint64_t base)
{
	int r = elf_check_headers(im->header, im->header_len, im->size,
				  EXOS_USER_TOP, &im->info);

	if (r == ELF_E_RANGE && base) /* the image lives above programs */
		r = elf_check_headers(im->header, im->header_len, im->size,
				      XOK_EXOS_IMAGE + (1ull << 30), &im->info);
	if (r) {
		exos_printf("exos: exec %s: %s\n", im->path, elf_strerror(r));
		return -L_ENOEXEC;
	}
	im->bias = im->info.is_pie ? EXOS_PIE_BASE : 0;
	if (im->info.is_pie && im->info.hi > EXOS_USER_TOP - EXOS_PIE_BASE)
		return -L_ENOEXEC;
	im->native = has_exos_note(im);
	unsigned loads = 0;

	for (unsigned i = 0; i < im->info.phnum; i++)
		loads += im->info.phdrs[i].type == ELF_PT_LOAD;
	if (loads > EXOS_NLAZY) {
		exos_printf("exos: exec %s: more than %d loadable segments\n",
			    im->path, EXOS_NLAZY);
		return -L_ENOEXEC;
	}
	return 0;
}

/* ---- Arguments ---- */

/* Copies a NULL-terminated array of user strings into `v`, packed at
 * v->bytes (which has `room` bytes). */
static int copy_strings(char *const *uv, struct strvec *v, char *buf,
			size_t room)
{
	v->bytes = buf;
	v->size = 0;
	v->n = 0;
	if (!uv)
		return 0;
	for (;; v->n++) {
		const char *s;
		int r;

		if (exos_uaccess((uint64_t)&uv[v->n], 8, 0))
			return -L_EFAULT;
		if (!(s = uv[v->n]))
			return 0;
		if ((r = exos_ustring(s, buf + v->size, room - v->size)))
			return r == -L_ENAMETOOLONG ? -L_E2BIG : r;
		v->size += strlen(buf + v->size) + 1;
	}
}

/* Puts `s` in front of the strings of `v` (room: bytes at v->bytes). */
static int prepend(struct strvec *v, size_t room, const char *s, size_t len)
{
	if (v->size + len + 1 > room)
		return -L_E2BIG;
	memmove((char *)v->bytes + len + 1, v->bytes, v->size);
	memcpy((char *)v->bytes, s, len);
	((char *)v->bytes)[len] = '\0';
	v->size += len + 1;
	v->n++;
	return 0;
}

/* Drops the first string of `v`. */
static void drop_first(struct strvec *v)
{
	size_t len = strlen(v->bytes) + 1;

	memmove((char *)v->bytes, v->bytes + len, v->size - len);
	v->size -= len;
	v->n--;
}

/* "#!interp [arg]": argv becomes interp [arg] path argv[1...]. */
static int script(struct image *im, struct exec_request *rq)
{
	char line[256], *interp, *arg = 0, *e;
	size_t n = im->header_len < sizeof(line) - 1 ? im->header_len :
						       sizeof(line) - 1;
	int r;

	memcpy(line, im->header, n);
	line[n] = '\0';
	if (!(e = strchr(line, '\n')))
		return -L_ENOEXEC;
	*e = '\0';
	for (interp = line + 2; *interp == ' ' || *interp == '\t'; interp++)
		;
	for (e = interp; *e && *e != ' ' && *e != '\t'; e++)
		;
	if (*e) {
		/* The rest of the line, trimmed, is one argument (as Linux). */
		*e++ = '\0';
		while (*e == ' ' || *e == '\t')
			e++;
		arg = e;
		for (e = arg + strlen(arg); e > arg &&
		     (e[-1] == ' ' || e[-1] == '\t'); e--)
			e[-1] = '\0';
		if (!*arg)
			arg = 0;
	}
	if (!*interp)
		return -L_ENOEXEC;
	if (rq->argv.n)
		drop_first(&rq->argv);
	if ((r = prepend(&rq->argv, EXEC_ARGS, im->path, strlen(im->path))) ||
	    (arg && (r = prepend(&rq->argv, EXEC_ARGS, arg, strlen(arg)))) ||
	    (r = prepend(&rq->argv, EXEC_ARGS, interp, strlen(interp))))
		return r;
	if (strlen(interp) >= sizeof(rq->path))
		return -L_ENAMETOOLONG;
	memcpy(rq->path, interp, strlen(interp) + 1);
	return 0;
}

/* Opens the program, following #! scripts; fills im. */
static int find_program(struct exec_request *rq, struct image *im)
{
	for (int depth = 0;; depth++) {
		char abs[PATH_MAX_LEN];
		int r;

		if ((r = exos_resolve_path(rq->path, 1, abs)) ||
		    (r = open_image(im, abs)))
			return r;
		if (im->header_len < 2 || im->header[0] != '#' ||
		    im->header[1] != '!')
			return check_elf(im, 0);
		if (depth == MAX_SCRIPT_DEPTH)
			return -L_ELOOP;
		if ((r = script(im, rq)))
			return r;
	}
}

/* ---- Loading ---- */

/* The protection of page `p`: every segment on it adds its own. */
static uint64_t page_perm(const struct image *im, uint64_t p)
{
	uint64_t w = 0, x = 0;

	for (unsigned i = 0; i < im->info.phnum; i++) {
		const struct elf64_phdr *ph = &im->info.phdrs[i];
		uint64_t va = ph->vaddr + im->bias;

		if (ph->type != ELF_PT_LOAD || p + PAGE <= va ||
		    p >= va + ph->memsz)
			continue;
		w |= ph->flags & ELF_PF_W;
		x |= ph->flags & ELF_PF_X;
	}
	return (w ? XOK_PTE_W : 0) | (x ? 0 : XOK_PTE_NX);
}

/* Maps and fills every PT_LOAD segment, then gives each page its
 * protection; with bss_on_demand, pages past the file's bytes are left
 * for their first touch (mem.c zeroes the ExOS image's, and only the
 * image loads that way). */
static int load_segments(struct image *im, int bss_on_demand)
{
	for (unsigned i = 0; i < im->info.phnum; i++) {
		const struct elf64_phdr *ph = &im->info.phdrs[i];
		uint64_t va = ph->vaddr + im->bias;
		uint64_t hi = elf_pages_end(ph, im->bias, bss_on_demand);
		long got;

		if (ph->type != ELF_PT_LOAD)
			continue;
		for (uint64_t p = va & ~(PAGE - 1); p < hi; p += PAGE)
			if (!(exos_pte(p) & XOK_PTE_P) &&
			    exos_map_fresh(p, XOK_PTE_W | XOK_PTE_NX) < 0)
				return -L_ENOMEM;
		got = ph->filesz ? read_at(im, (void *)va, ph->filesz,
					   ph->offset) : 0;
		if (got < 0 || (uint64_t)got != ph->filesz)
			return -L_EIO;
	}
	for (unsigned i = 0; i < im->info.phnum; i++) {
		const struct elf64_phdr *ph = &im->info.phdrs[i];
		uint64_t hi = elf_pages_end(ph, im->bias, bss_on_demand);

		if (ph->type != ELF_PT_LOAD)
			continue;
		for (uint64_t p = (ph->vaddr + im->bias) & ~(PAGE - 1); p < hi;
		     p += PAGE)
			if (xok_page_map(0, 0, p, 0, PFN(exos_pte(p)),
					 page_perm(im, p)) < 0)
				return -L_ENOMEM;
	}
	return 0;
}

/* Records every PT_LOAD segment as memory filled from the file when
 * first touched (lazy.c). Only a program the image serves: a native
 * program's own fault handler is in the pages it loads. */
static int lazy_segments(struct image *im)
{
	for (unsigned i = 0; i < im->info.phnum; i++) {
		const struct elf64_phdr *ph = &im->info.phdrs[i];
		uint64_t va = ph->vaddr + im->bias;
		struct exos_lazy r = {
			.lo = va & ~(PAGE - 1),
			.hi = (va + ph->memsz + PAGE - 1) & ~(PAGE - 1),
			.va = va, .off = ph->offset, .filesz = ph->filesz,
			.perm = ((ph->flags & ELF_PF_W) ? XOK_PTE_W : 0) |
				((ph->flags & ELF_PF_X) ? 0 : XOK_PTE_NX),
			.file = { im->file.loc, im->ino.size,
				  im->ino.mtime_ns, im->ino.ctime_ns },
		};

		if (ph->type == ELF_PT_LOAD && ph->memsz &&
		    exos_lazy_add(&r))
			return -L_ENOMEM;
	}
	return 0;
}

/* Where the program header table is in the new program's memory. */
static uint64_t phdr_address(const struct image *im)
{
	const struct elf64_ehdr *eh = im->info.ehdr;

	for (unsigned i = 0; i < im->info.phnum; i++) {
		const struct elf64_phdr *ph = &im->info.phdrs[i];

		if (ph->type == 6 /* PT_PHDR */)
			return ph->vaddr + im->bias;
	}
	for (unsigned i = 0; i < im->info.phnum; i++) {
		const struct elf64_phdr *ph = &im->info.phdrs[i];

		if (ph->type == ELF_PT_LOAD && eh->phoff >= ph->offset &&
		    eh->phoff < ph->offset + ph->filesz)
			return ph->vaddr + im->bias + (eh->phoff - ph->offset);
	}
	return 0;
}

/* The CPU's features, as AT_HWCAP gives them on x86: CPUID 1's %edx. */
static uint64_t hwcap(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d;
}

static uint64_t build_stack(const struct image *im,
			    const struct exec_request *rq)
{
	uint64_t top = EXOS_USTACK_TOP;
	/* Linux's entries, in its order (stack.h adds the rest). */
	struct auxv aux[] = {
		{ L_AT_MINSIGSTKSZ, exos_signal_frame_size() },
		{ L_AT_HWCAP, hwcap() },
		{ L_AT_PAGESZ, PAGE },
		{ L_AT_CLKTCK, 100 },
		{ L_AT_PHDR, phdr_address(im) },
		{ L_AT_PHENT, sizeof(struct elf64_phdr) },
		{ L_AT_PHNUM, im->info.phnum },
		{ L_AT_BASE, 0 },
		{ L_AT_FLAGS, 0 },
		{ L_AT_ENTRY, im->info.entry + im->bias },
		{ L_AT_UID, 0 }, { L_AT_EUID, 0 },
		{ L_AT_GID, 0 }, { L_AT_EGID, 0 },
		{ L_AT_SECURE, 0 },
	};
	uint8_t random[16];

	/* Pages enough for the strings and vectors, and one more: the rest
	 * of the stack grows on demand. */
	uint64_t size = (rq->argv.size + rq->envp.size + strlen(im->path) +
			 8 * (rq->argv.n + rq->envp.n + 2 * 16 + 8) + 2 * PAGE) &
			~(PAGE - 1);

	for (uint64_t p = top - size; p < top; p += PAGE)
		if (exos_map_fresh(p, XOK_PTE_W | XOK_PTE_NX) < 0)
			return 0;
	exos_random_fill(random, sizeof(random));
	return stack_build((uint8_t *)(top - size), size,
			   top, &rq->argv, &rq->envp, aux,
			   sizeof(aux) / sizeof(aux[0]), random, im->path);
}

/* What the process looks like from outside: ps, /proc/<pid>/exe. Its
 * name is the one it was run by (sh, not busybox), as on Linux. */
static void publish(const struct image *im, const struct exec_request *rq)
{
	struct exos_proc *p;
	const char *base = base_name(rq->path);
	size_t n;

	memcpy(SELF->exe, im->path, strlen(im->path) + 1);
	exos_lock();
	p = exos_proc_self();
	n = strlen(im->path) < sizeof(p->exe) - 1 ? strlen(im->path) :
						    sizeof(p->exe) - 1;
	memcpy(p->exe, im->path, n);
	p->exe[n] = '\0';
	n = rq->argv.size < sizeof(p->cmdline) ? rq->argv.size :
						 sizeof(p->cmdline);
	memcpy(p->cmdline, rq->argv.bytes, n);
	p->cmdline_len = (uint32_t)n;
	n = strlen(base) < sizeof(p->comm) - 1 ? strlen(base) :
						 sizeof(p->comm) - 1;
	memcpy(p->comm, base, n);
	p->comm[n] = '\0';
	exos_unlock();
}

/* A fresh x87/SSE state, as a new Linux process gets. */
static void reset_fpu(void)
{
	static uint8_t area[512] __attribute__((aligned(16)));

	memset(area, 0, sizeof(area));
	*(uint16_t *)area = 0x37f;
	*(uint32_t *)(area + 24) = 0x1f80;
	exos_fxrstor(area);
}

/* Past the point of no return: the old program is gone. */
static void replace_program(struct image *im, struct exec_request *rq)
	__attribute__((noreturn));
static void replace_program(struct image *im, struct exec_request *rq)
{
	struct xok_trapframe tf = { 0 };
	struct xok_env_state st = { 0 };
	uint64_t sp, hi = 0;

	exos_init_upcalls();
	if (exos_unmap_program() ||
	    (im->native ? load_segments(im, 0) : lazy_segments(im)) ||
	    !(sp = build_stack(im, rq)))
		exos_exit(L_SIGKILL);
	for (unsigned i = 0; i < im->info.phnum; i++) {
		const struct elf64_phdr *ph = &im->info.phdrs[i];

		if (ph->type == ELF_PT_LOAD && ph->vaddr + ph->memsz > hi)
			hi = ph->vaddr + ph->memsz;
	}
	exos_mem_exec_reset(hi + im->bias);
	exos_fd_close_all(1);
	exos_signal_exec_reset();
	publish(im, rq);
	xok_env_set(0, 0, &st, XOK_SET_FSBASE);
	reset_fpu();
	tf.rip = im->info.entry + im->bias;
	tf.rsp = sp;
	tf.rflags = 0x202;
	SELF->in_exos = 0;
	xok_resume(&tf);
}

/* ---- The image, for a native caller ---- */

static struct image im_storage; /* large: not on the stack */

/* Maps /lib/exos at XOK_EXOS_IMAGE: its entry, or a negative errno. */
static int64_t map_image(void)
{
	struct image *im = &im_storage;
	int r;

	if ((r = open_image(im, EXOS_IMAGE_PATH)))
		return r;
	if (elf_check_headers(im->header, im->header_len, im->size,
			      XOK_EXOS_IMAGE + (1ull << 30), &im->info) ||
	    im->info.lo < XOK_EXOS_IMAGE || im->info.is_pie) {
		exos_printf("exos: %s is not an ExOS image\n", EXOS_IMAGE_PATH);
		return -L_ENOEXEC;
	}
	im->bias = 0;
	exos_unmap_range(XOK_EXOS_IMAGE, XOK_EXOS_IMAGE + (1ull << 30));
	if ((r = load_segments(im, 1))) {
		exos_unmap_range(XOK_EXOS_IMAGE, XOK_EXOS_IMAGE + (1ull << 30));
		return r;
	}
	return (int64_t)im->info.entry;
}

/* ---- The call ---- */

static struct exec_request request; /* large: not on the stack */

/* The image's entry (its ELF entry point): a native program's exec,
 * whose request lives in memory the exec will unmap, so it is copied. */
int64_t exos_image_entry(const struct exec_request *from)
{
	struct exec_request *rq = &request;

	if (SHARED->magic != EXOS_SHARED_MAGIC ||
	    SELF->magic != EXOS_SELF_MAGIC) {
		exos_printf("exos: %s was built for another ExOS than this "
			    "system's (rebuild the disk)\n", EXOS_IMAGE_PATH);
		return -L_ENOEXEC;
	}
	/* The image's own handlers from here: its zeroed data appears on
	 * first touch, which only its fault handler knows. */
	exos_init_upcalls();
	memcpy(rq->path, from->path, sizeof(rq->path));
	memcpy(rq->args, from->argv.bytes, from->argv.size);
	memcpy(rq->envs, from->envp.bytes, from->envp.size);
	rq->argv = (struct strvec){ rq->args, from->argv.size, from->argv.n };
	rq->envp = (struct strvec){ rq->envs, from->envp.size, from->envp.n };
	return exos_exec_request(rq);
}

int64_t exos_exec_request(struct exec_request *rq)
{
	struct image *im = &im_storage;
	int r;

	if ((r = find_program(rq, im)))
		return r;
	replace_program(im, rq);
}

SYS(execve)
{
	struct exec_request *rq = &request;
	int64_t r, entry;

	if ((r = exos_ustring((const char *)a->a[0], rq->path,
			      sizeof(rq->path))) ||
	    (r = copy_strings((char *const *)a->a[1], &rq->argv, rq->args,
			      EXEC_ARGS)) ||
	    (r = copy_strings((char *const *)a->a[2], &rq->envp, rq->envs,
			      EXEC_ARGS)))
		return r;
	if (running_in_image())
		return exos_exec_request(rq);
	if ((entry = map_image()) < 0)
		return entry;
	/* The image's exec starts with its own, empty, C-FFS state. */
	exos_unmap_range(EXOS_XN_WINDOW, EXOS_XN_WINDOW + (1ull << 32));
	exos_fs_forget();
	r = ((int64_t (*)(struct exec_request *))entry)(rq);
	exos_init_upcalls(); /* this program's own again */
	exos_unmap_range(XOK_EXOS_IMAGE, XOK_EXOS_IMAGE + (1ull << 30));
	return r;
}
