/* slowest.h: the N slowest exchanges, in a bounded heap.
 *
 * Ranked by the wait the caller gives (time to the final response, or how
 * long an unanswered request waited); equal waits by server address and
 * port, then client address and port, then start time, so that the list
 * is the same on every run whatever the order exchanges end in. */
#ifndef INTERIM_SLOWEST_H
#define INTERIM_SLOWEST_H

#include "model.h"

#define SLOW_TEXT 640

struct slow {
	int64_t wait;
	int64_t ts;                     /* the request's first byte */
	struct flow_key key;
	char text[SLOW_TEXT];           /* the caller's */
};

struct slowest {
	unsigned cap, n;
	struct slow *pool;              /* cap entries */
	uint32_t *heap;                 /* into pool; [0] ranks last */
	uint64_t seen;                  /* offered */
};

/* 0, or -1 when out of memory (then nothing is kept). cap may be 0. */
int slowest_init(struct slowest *s, unsigned cap);
void slowest_free(struct slowest *s);

/* An entry for this exchange, its text to be filled by the caller, when it
 * ranks among the cap slowest so far (it may push out the one that ranked
 * last); else NULL. */
struct slow *slowest_admit(struct slowest *s, int64_t wait,
    const struct flow_key *k, int64_t ts);

/* out (room for cap) gets the entries, slowest first; returns how many.
 * The heap is left as it was. */
unsigned slowest_sorted(const struct slowest *s, const struct slow **out);

#endif
