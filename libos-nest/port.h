/*
 * port: a scheduler's wakeup port (Fluke's schedule(client, wakeup_port,
 * sensitivity)): the notifications it gets about its clients, in the
 * order they came. A client blocked or unblocked, was created (adopted by
 * the scheduler) or exited; a loan ended because the client switched to
 * a server or would have helped another's call (the sensitivities of
 * sched.h). Pure and freestanding: built for Xok and for the host tests.
 */
#ifndef NEST_PORT_H
#define NEST_PORT_H

#include <stdint.h>

#define NEST_PORT_SIZE 32 /* notifications kept; the oldest are kept */

#define NEST_EV_BLOCKED   1
#define NEST_EV_UNBLOCKED 2
#define NEST_EV_CREATED   3
#define NEST_EV_EXITED    4
#define NEST_EV_SWITCHED  5
#define NEST_EV_CONFLICT  6
#define NEST_EV_KINDS     7

struct nest_event {
	uint32_t kind;   /* NEST_EV_* */
	uint32_t client; /* the client's slot in its scheduler */
	uint64_t env;    /* its environment */
};

struct nest_port {
	struct nest_event ev[NEST_PORT_SIZE];
	uint64_t posted, taken; /* ev[i % NEST_PORT_SIZE] for taken <= i < posted */
	uint64_t lost;          /* posted while the port was full */
	uint64_t count[NEST_EV_KINDS]; /* every notification, by kind */
};

/* Posts a notification; a full port counts it in `lost` instead (and in
 * `count` either way). */
void nest_port_post(struct nest_port *p, uint32_t kind, uint32_t client,
		    uint64_t env);

/* Takes the oldest notification into *out: 1, or 0 if there is none. */
int nest_port_take(struct nest_port *p, struct nest_event *out);

/* Posts what changed between two views of a scheduler's clients (bit c:
 * slot c): EXITED for each client no longer present, BLOCKED and
 * UNBLOCKED for each present in both whose runnable bit flipped. env[c]
 * is slot c's environment (of the first view). */
void nest_port_post_changes(struct nest_port *p, uint32_t present_before,
			    uint32_t runnable_before, uint32_t present_after,
			    uint32_t runnable_after, const uint64_t *env);

/* "blocked", "unblocked", ...; "?" for a kind that is none of them. */
const char *nest_event_name(uint32_t kind);

#endif
