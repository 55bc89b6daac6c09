/*
 * echo: reads one line typed on the console (polling the Xok console call,
 * yielding between tries) and prints it back.
 */
#include "rt/rt.h"

#define MAX_TRIES 20000000

int main(const char *arg)
{
	char line[80];
	unsigned n = 0;

	(void)arg;
	printf("echo: type a line\n");
	for (long tries = 0; tries < MAX_TRIES; tries++) {
		int64_t c = xok_cgetc();

		if (c == E_AGAIN) {
			xok_yield();
			continue;
		}
		if (c < 0 || c > 255)
			return 3;
		if (c == '\r' || c == '\n') {
			line[n] = '\0';
			printf("echo: got '%s'\n", line);
			return 0;
		}
		if (n < sizeof(line) - 1)
			line[n++] = (char)c;
	}
	printf("echo: no input\n");
	return 1;
}
