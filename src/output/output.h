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
	const struct flow_key *key;
	uint64_t flow_id;
	const struct exchange *x;       /* the request concerned, or NULL */
	char message[320];
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
