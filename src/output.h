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

struct sink {
	void (*exchange)(void *self, const struct flow_key *key,
	    uint64_t flow_id, const struct exchange *x);
	void (*anomaly)(void *self, const struct anomaly *a);
	void (*finish)(void *self, const struct stats *st);
	void *self;
};

#endif
