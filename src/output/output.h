/* output.h: the events every output renders (text report, JSON lines). */
#ifndef INTERIM_OUTPUT_H
#define INTERIM_OUTPUT_H

#include "model.h"

struct flow;

/* A parse error in one direction of a connection. */
struct anomaly {
	const struct flow_key *key;
	uint64_t flow_id;
	int from_client;        /* which direction broke */
	enum http1_error error;
	int64_t ts;
};

/* A broken rule; rule is an enum rule_id (rules.h). */
struct violation {
	int rule;
	int64_t ts;
	const struct flow_key *key;     /* its connection, or NULL */
	uint64_t flow_id;               /* ... its id (0: none) */
	const struct exchange *x;       /* the request concerned, or NULL:
					 * its tx_id is x->seq - 1 */
	/* a timer rule's figures (timed 1): the wait began at since, had
	 * lasted waited when it broke deadline (the option's value) */
	int timed;
	int64_t since, waited, deadline;
	/* an aggregate (count > 0): count like it since since, from sources
	 * distinct client addresses (at least, when sources_more) */
	uint64_t count;
	unsigned sources;
	int sources_more;
	char message[640];
};

struct sink {
	void (*exchange)(void *self, const struct flow_key *key,
	    uint64_t flow_id, const struct exchange *x);
	void (*anomaly)(void *self, const struct anomaly *a);
	void (*violation)(void *self, const struct violation *v);
	/* rule_counts has RULE_COUNT entries */
	void (*finish)(void *self, const struct stats *st,
	    const uint64_t *rule_counts);
	void *self;
};

#endif
