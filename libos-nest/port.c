/*
 * port: see port.h.
 */
#include "port.h"

#include "policy.h"

void nest_port_post(struct nest_port *p, uint32_t kind, uint32_t client,
		    uint64_t env)
{
	if (kind < NEST_EV_KINDS)
		p->count[kind]++;
	if (p->posted - p->taken == NEST_PORT_SIZE) {
		p->lost++;
		return;
	}
	p->ev[p->posted++ % NEST_PORT_SIZE] =
		(struct nest_event){ .kind = kind, .client = client, .env = env };
}

int nest_port_take(struct nest_port *p, struct nest_event *out)
{
	if (p->taken == p->posted)
		return 0;
	*out = p->ev[p->taken++ % NEST_PORT_SIZE];
	return 1;
}

void nest_port_post_changes(struct nest_port *p, uint32_t present_before,
			    uint32_t runnable_before, uint32_t present_after,
			    uint32_t runnable_after, const uint64_t *env)
{
	uint32_t gone = present_before & ~present_after;
	uint32_t flipped = (runnable_before ^ runnable_after) & present_before &
			   present_after;

	for (uint32_t set = gone | flipped; set;) {
		unsigned c = nest_next_slot(&set);
		uint32_t kind = gone >> c & 1 ? NEST_EV_EXITED :
				runnable_after >> c & 1 ? NEST_EV_UNBLOCKED :
				NEST_EV_BLOCKED;

		nest_port_post(p, kind, c, env[c]);
	}
}

const char *nest_event_name(uint32_t kind)
{
	static const char *const names[NEST_EV_KINDS] = {
		[NEST_EV_BLOCKED] = "blocked", [NEST_EV_UNBLOCKED] = "unblocked",
		[NEST_EV_CREATED] = "created", [NEST_EV_EXITED] = "exited",
		[NEST_EV_SWITCHED] = "switched", [NEST_EV_CONFLICT] = "conflict",
	};

	return kind < NEST_EV_KINDS && names[kind] ? names[kind] : "?";
}
