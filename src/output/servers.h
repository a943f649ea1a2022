/* servers.h: what each server did, aggregated for the report's table.
 *
 * Memory is bounded: the first SERVERS_MAX servers seen are followed, each
 * with fixed-size counters and two histograms (hist.h); what later servers
 * did is only counted together. */
#ifndef INTERIM_SERVERS_H
#define INTERIM_SERVERS_H

#include "hist.h"
#include "model.h"
#include "rules.h"

#define SERVERS_MAX 256
#define SERVER_HOSTS 4          /* Host values counted per server */

struct server {
	struct addr addr;
	uint16_t port;
	uint64_t exchanges;
	uint64_t unanswered;            /* ended without a final response */
	uint64_t status_1xx[100];       /* kept 1xx, index: code - 100 */
	uint64_t more_1xx;              /* past the X_INTERIM kept */
	uint64_t violations;
	uint64_t rule[RULE_COUNT];
	/* the most frequent Host values (Misra-Gries: a value seen more than
	 * a fifth of the time is among them) */
	char host[SERVER_HOSTS][X_FIELD];
	uint64_t host_n[SERVER_HOSTS];
	struct hist first_byte;         /* request's first byte to response's */
	struct hist final;              /* request's first byte to the final
					 * response's status line */
};

struct servers {
	struct server *s[SERVERS_MAX];
	unsigned n;
	uint16_t slot[2 * SERVERS_MAX]; /* index + 1 into s, open addressing */
	uint64_t seed;
	uint64_t other_exchanges;       /* to servers past SERVERS_MAX */
	uint64_t other_violations;
};

void servers_init(struct servers *t);
void servers_free(struct servers *t);
void servers_exchange(struct servers *t, const struct flow_key *k,
    const struct exchange *x);
void servers_violation(struct servers *t, const struct flow_key *k, int rule,
    uint64_t n);

/* The most seen Host value, or NULL when none was. */
const char *server_host(const struct server *s);

/* out (room for SERVERS_MAX) gets the servers followed, most exchanges
 * first, then most violations, then by address and port, so that the
 * order is the same on every run; returns how many. */
unsigned servers_sorted(const struct servers *t, const struct server **out);

#endif
