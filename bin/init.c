/*
 * init: process 1 of ExOS, a native program (musl + libexos). It runs
 * /etc/rc, then keeps a shell on the console — busybox's, restarted when
 * it exits — reaps orphans, and takes what is typed on the console so
 * that ^C reaches the foreground job. `poweroff` (SIGUSR2 to init, as
 * busybox sends it) syncs and ends the system.
 *
 * "init=init:COMMAND" runs `sh -c COMMAND` instead of an interactive
 * shell and powers off with its exit status (for tests and benchmarks).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exos_native.h"

static volatile sig_atomic_t power_off;

static void on_power_signal(int sig)
{
	(void)sig;
	power_off = 1;
}

static char *const shell_env[] = {
	"PATH=/sbin:/usr/sbin:/bin:/usr/bin", "HOME=/root", "TERM=vt100",
	"PS1=exos# ", NULL,
};

static pid_t start(char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		setsid();
		execve(argv[0], argv, shell_env);
		fprintf(stderr, "init: cannot run %s\n", argv[0]);
		_exit(127);
	}
	if (pid < 0)
		fprintf(stderr, "init: fork failed\n");
	return pid;
}

/* Waits for `pid`, reaping whatever else ends meanwhile; its status. */
static int wait_for(pid_t pid)
{
	for (;;) {
		int status;
		pid_t got = waitpid(-1, &status, WNOHANG);

		if (got == pid)
			return status;
		if (got > 0)
			continue;
		if (power_off)
			return -1;
		exos_console_wait();
	}
}

static void shut_down(int status)
{
	sync();
	printf("init: powering off\n");
	fflush(stdout);
	if (status)
		_exit(status);
	reboot(RB_POWER_OFF);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_power_signal };
	char *rc[] = { "/bin/sh", "/etc/rc", NULL };
	char *sh[] = { "/bin/sh", NULL };
	char *cmd[] = { "/bin/sh", "-c", argc > 1 ? argv[1] : "", NULL };

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (access("/etc/rc", R_OK) == 0)
		wait_for(start(rc));
	if (argc > 1) {
		int status = wait_for(start(cmd));

		shut_down(WIFEXITED(status) ? WEXITSTATUS(status) : 128 +
			  WTERMSIG(status));
	}
	while (!power_off) {
		pid_t pid = start(sh);
		int status = pid < 0 ? -1 : wait_for(pid);

		if (status == -1)
			break;
		/* A shell that cannot even start would only fail again. */
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			shut_down(127);
	}
	shut_down(0);
	return 0;
}
