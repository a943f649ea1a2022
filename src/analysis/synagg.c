/* synagg.c: unanswered SYNs per server endpoint, past the first few
 * counted into one violation (synagg.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowid.h"
#include "format.h"
#include "rules.h"
#include "synagg.h"

struct target {
	int used;
	struct addr server;
	uint16_t port;
	uint64_t seen;                  /* unanswered SYNs, all */
	/* counted since the last aggregate */
	uint64_t pending;
	int64_t first, last;            /* first SYN, latest deadline */
	struct flow_key example;        /* the first of them */
	int64_t emitted;                /* the last aggregate's time, 0 */
	unsigned nsources;              /* distinct, up to SYNAGG_SOURCES */
	int more_sources;               /* ... and there were more */
	struct addr *sources;           /* allocated once counting starts */
};

struct synagg {
	struct analysis *an;
	struct target t[SYNAGG_SERVERS + 1];    /* the last: all others */
};

struct synagg *
synagg_new(struct analysis *an)
{
	struct synagg *g = calloc(1, sizeof(*g));

	if (g != NULL)
		g->an = an;
	return g;
}

static uint32_t
mix(const struct addr *a, uint16_t port)
{
	uint32_t h = 2166136261u ^ port;

	for (int i = 0; i < 16; i++)
		h = (h ^ a->bytes[i]) * 16777619u;
	return h;
}

static int
same(const struct addr *a, const struct addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

/* k's server's entry: open addressing; a full table shares the last. */
static struct target *
target_of(struct synagg *g, const struct flow_key *k)
{
	uint32_t h = mix(&k->server, k->server_port);

	for (unsigned i = 0; i < SYNAGG_SERVERS; i++) {
		struct target *t = &g->t[(h + i) % SYNAGG_SERVERS];

		if (!t->used) {
			t->used = 1;
			t->server = k->server;
			t->port = k->server_port;
			return t;
		}
		if (t->port == k->server_port && same(&t->server, &k->server))
			return t;
	}
	return &g->t[SYNAGG_SERVERS];
}

static void
add_source(struct target *t, const struct addr *a)
{
	for (unsigned i = 0; i < t->nsources; i++)
		if (same(&t->sources[i], a))
			return;
	if (t->sources == NULL)
		t->sources = calloc(SYNAGG_SOURCES, sizeof(*t->sources));
	if (t->sources == NULL || t->nsources == SYNAGG_SOURCES) {
		t->more_sources = 1;
		return;
	}
	t->sources[t->nsources++] = *a;
}

/* "192.0.2.1, 192.0.2.2, 192.0.2.3 and 4 more": the first three */
static void
sources_text(const struct target *t, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < t->nsources && i < 3 && n < size; i++) {
		char a[INET6_ADDRSTRLEN];

		format_addr(a, sizeof(a), &t->sources[i]);
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
		    a);
	}
	if ((t->nsources > 3 || t->more_sources) && n < size)
		snprintf(buf + n, size - n, " and %s%u more",
		    t->more_sources ? "at least " : "", t->nsources - 3);
}

static void
emit(struct synagg *g, struct target *t, int64_t now)
{
	struct analysis *an = g->an;
	struct flow_ident flow;
	char sv[64], from[32], to[32], src[200];

	if (t->pending == 0)
		return;
	flow.key = t->example;
	flow.id = flowid_next(&an->ids, &flow.key, t->first);
	if (t == &g->t[SYNAGG_SERVERS])
		snprintf(sv, sizeof(sv), "servers past the first %d",
		    SYNAGG_SERVERS);
	else
		format_endpoint(sv, sizeof(sv), &t->server, t->port);
	format_clock(from, sizeof(from), t->first);
	format_clock(to, sizeof(to), t->last - an->cfg.syn_timeout);
	sources_text(t, src, sizeof(src));
	rules_raise_many(an, R_HANDSHAKE_TIMEOUT, t->last, &flow, t->first,
	    an->cfg.syn_timeout, t->pending, t->nsources, t->more_sources,
	    "%llu more SYNs to %s, sent between %s and %s from %s%u source "
	    "address%s (%s), got no SYN-ACK within %.1f s (after the first "
	    "%d, reported one by one, these are counted); Cloudflare would "
	    "answer 522 to each (--syn-timeout %.0f s): if they are a flood, "
	    "the origin's SYN backlog may be full (check SYN cookies and the "
	    "listen backlog); else check that it listens and that no firewall "
	    "drops Cloudflare's addresses",
	    (unsigned long long)t->pending, sv, from, to,
	    t->more_sources ? "at least " : "", t->nsources,
	    t->nsources == 1 && !t->more_sources ? "" : "es", src,
	    (double)an->cfg.syn_timeout / USEC, SYNAGG_EACH,
	    (double)an->cfg.syn_timeout / USEC);
	t->pending = 0;
	t->nsources = 0;
	t->more_sources = 0;
	t->emitted = now;
}

int
synagg_admit(struct synagg *g, const struct flow_key *k, int64_t first,
    int64_t deadline)
{
	struct target *t;

	if (g == NULL)
		return 1;
	t = target_of(g, k);
	if (t->seen++ < SYNAGG_EACH && t != &g->t[SYNAGG_SERVERS])
		return 1;
	if (t->pending++ == 0) {
		t->first = first;
		t->example = *k;
	}
	if (first < t->first)
		t->first = first;
	t->last = deadline;
	add_source(t, &k->client);
	if (t->emitted == 0)
		t->emitted = deadline;          /* the first comes a while on */
	else if (deadline - t->emitted >= SYNAGG_EVERY)
		emit(g, t, deadline);
	return 0;
}

void
synagg_finish(struct synagg *g)
{
	if (g == NULL)
		return;
	for (unsigned i = 0; i <= SYNAGG_SERVERS; i++) {
		struct target *t = &g->t[i];

		emit(g, t, t->last);
		free(t->sources);
	}
	free(g);
}
