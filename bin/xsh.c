/*
 * xsh: a small monitor for `make run` until ExOS brings busybox's shell.
 * It reads the kernel's exported tables directly (no system call needed
 * to look): environments, physical pages, slices, disks, XN's cache, the
 * clock. Commands: help, envs, pages, slices, disks, clock, echo TEXT,
 * exit [STATUS].
 */
#include <xok/disk.h>
#include <xok/xn.h>

#include "rt/rt.h"

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)
#define SLICES ((const volatile struct xok_cpu_slices *)XOK_USLICES)
#define DISKS ((const volatile struct xok_disk *)XOK_UDISKS)
#define CLOCK ((const volatile struct xok_clock *)XOK_UCLOCK)

static const char *const status_names[] = {
	"free", "runnable", "stopped", "sleeping", "waiting", "donating",
};

/* Reads a line from the console, echoing it; returns its length. */
static unsigned read_line(char *buf, unsigned size)
{
	unsigned n = 0;

	for (;;) {
		int64_t c = xok_cgetc();

		if (c == E_AGAIN) {
			xok_yield();
			continue;
		}
		if (c == '\r' || c == '\n') {
			xok_cputs("\n", 1);
			buf[n] = '\0';
			return n;
		}
		if ((c == 127 || c == 8) && n > 0) {
			n--;
			xok_cputs("\b \b", 3);
		} else if (c >= ' ' && c < 127 && n < size - 1) {
			char ch = (char)c;

			buf[n++] = ch;
			xok_cputs(&ch, 1);
		}
	}
}

static void envs(void)
{
	printf("  id        parent    status    ticks  name\n");
	for (unsigned i = 0; i < XOK_NENV; i++) {
		const volatile struct xok_env *e = &ENVS[i];
		char name[17] = { 0 };

		if (!e->id)
			continue;
		for (int k = 0; k < 16; k++)
			name[k] = e->name[k];
		printf("  %-9lx %-9lx %-9s %-6lu %s\n", (unsigned long)e->id,
		       (unsigned long)e->parent,
		       e->status < 6 ? status_names[e->status] : "?",
		       (unsigned long)e->ticks, name);
	}
}

static void slices(void)
{
	printf("  now at slice %u; owners:", SLICES[0].pos);
	for (unsigned i = 0; i < XOK_NSLICES; i++)
		printf(" %lx", (unsigned long)SLICES[0].slice[i].owner);
	printf("\n");
}

static void disks(void)
{
	for (unsigned d = 0; d < XOK_NDISKS; d++) {
		if (DISKS[d].kind == XOK_DISK_NONE)
			continue;
		printf("  disk %u: %s, %lu blocks; %lu reads, %lu writes\n", d,
		       DISKS[d].kind == XOK_DISK_VIRTIO ? "virtio-blk" : "ATA",
		       (unsigned long)DISKS[d].nblocks,
		       (unsigned long)DISKS[d].reads,
		       (unsigned long)DISKS[d].writes);
	}
}

/* Runs one command; returns 1 to leave. */
static int command(char *line, int64_t *status)
{
	char *arg = line;

	while (*arg && *arg != ' ')
		arg++;
	if (*arg)
		*arg++ = '\0';
	if (!strcmp(line, "help"))
		printf("  help envs pages slices disks clock echo exit\n");
	else if (!strcmp(line, "envs"))
		envs();
	else if (!strcmp(line, "pages"))
		printf("  %ld of %lu physical pages free\n", rt_free_pages(),
		       (unsigned long)CLOCK->npages);
	else if (!strcmp(line, "slices"))
		slices();
	else if (!strcmp(line, "disks"))
		disks();
	else if (!strcmp(line, "clock"))
		printf("  %lu ms since boot, %lu slices\n",
		       (unsigned long)(xok_clock_ns() / 1000000),
		       (unsigned long)CLOCK->slices);
	else if (!strcmp(line, "echo"))
		printf("%s\n", arg);
	else if (!strcmp(line, "exit")) {
		*status = 0;
		for (; *arg >= '0' && *arg <= '9'; arg++)
			*status = *status * 10 + (*arg - '0');
		return 1;
	} else if (*line)
		printf("xsh: unknown command '%s' (try help)\n", line);
	return 0;
}

int main(const char *arg)
{
	char line[128];
	int64_t status = 0;

	(void)arg;
	printf("xsh: the Xok monitor (ExOS's shell comes later); try help\n");
	do {
		xok_cputs("xok> ", 5);
		read_line(line, sizeof(line));
	} while (!command(line, &status));
	return (int)status;
}
