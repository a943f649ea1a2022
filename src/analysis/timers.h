/* timers.h: deadlines in a binary min-heap, O(log n) per change.
 *
 * A timer is embedded in what it watches (an exchange, a TCP handshake)
 * and must be cancelled before that is freed. Time is whatever the caller
 * says it is: packet time for files, the wall clock when live.
 */
#ifndef INTERIM_TIMERS_H
#define INTERIM_TIMERS_H

#include <stddef.h>
#include <stdint.h>

struct timer {
	int64_t deadline;
	size_t slot;            /* index in the heap + 1; 0: not armed */
	/* called once the deadline is passed, with the timer disarmed; may
	 * arm it again */
	void (*fire)(struct timer *t, int64_t now);
};

struct timers {
	struct timer **heap;
	size_t used, cap;
	size_t max;             /* --max-timers; 0: no cap */
	uint64_t refused;       /* timers not armed: max reached */
};

/* Arm t at deadline, or move it there if armed. Returns -1 when the heap
 * is at its cap or cannot grow (the timer is then not armed, and counted
 * in refused). */
int timers_set(struct timers *h, struct timer *t, int64_t deadline);

void timers_cancel(struct timers *h, struct timer *t);

/* Fire, in deadline order, every timer whose deadline is before now. */
void timers_run(struct timers *h, int64_t now);

/* The earliest deadline armed, or INT64_MAX when none is; O(1). */
int64_t timers_next(const struct timers *h);

void timers_free(struct timers *h);

#endif
