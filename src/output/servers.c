/* servers.c: per-server counters and latency histograms, bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "servers.h"

void
servers_init(struct servers *t)
{
	memset(t, 0, sizeof(*t));
	t->seed = hash_seed();
}

void
servers_free(struct servers *t)
{
	for (unsigned i = 0; i < t->n; i++)
		free(t->s[i]);
	memset(t, 0, sizeof(*t));
}

static int
same(const struct server *s, const struct flow_key *k)
{
	return s->port == k->server_port && s->addr.family == k->server.family &&
	    memcmp(s->addr.bytes, k->server.bytes, sizeof(s->addr.bytes)) == 0;
}

/* k's server, added when there is room; NULL past SERVERS_MAX (or out of
 * memory): the caller counts it among the others. */
static struct server *
find(struct servers *t, const struct flow_key *k)
{
	uint8_t key[18];
	unsigned mask = 2 * SERVERS_MAX - 1, i;
	struct server *s;

	memcpy(key, k->server.bytes, 16);
	memcpy(key + 16, &k->server_port, 2);
	i = hash_bytes(t->seed, key, sizeof(key)) & mask;
	for (; t->slot[i] != 0; i = (i + 1) & mask)
		if (same(t->s[t->slot[i] - 1], k))
			return t->s[t->slot[i] - 1];
	if (t->n == SERVERS_MAX || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->addr = k->server;
	s->port = k->server_port;
	t->s[t->n++] = s;
	t->slot[i] = (uint16_t)t->n;
	return s;
}

/* Misra-Gries over SERVER_HOSTS counters: a known value counts up, a new
 * one takes a free counter, else every counter counts down. */
static void
count_host(struct server *s, const char *host)
{
	int free_at = -1;

	for (int i = 0; i < SERVER_HOSTS; i++) {
		if (s->host_n[i] > 0 && strcmp(s->host[i], host) == 0) {
			s->host_n[i]++;
			return;
		}
		if (s->host_n[i] == 0 && free_at < 0)
			free_at = i;
	}
	if (free_at >= 0) {
		snprintf(s->host[free_at], X_FIELD, "%s", host);
		s->host_n[free_at] = 1;
		return;
	}
	for (int i = 0; i < SERVER_HOSTS; i++)
		s->host_n[i]--;
}

const char *
server_host(const struct server *s)
{
	int best = -1;

	for (int i = 0; i < SERVER_HOSTS; i++)
		if (s->host_n[i] > 0 && (best < 0 ||
		    s->host_n[i] > s->host_n[best] ||
		    (s->host_n[i] == s->host_n[best] &&
		    strcmp(s->host[i], s->host[best]) < 0)))
			best = i;
	return best < 0 ? NULL : s->host[best];
}

void
servers_exchange(struct servers *t, const struct flow_key *k,
    const struct exchange *x)
{
	struct server *s = find(t, k);

	if (s == NULL) {
		t->other_exchanges++;
		return;
	}
	s->exchanges++;
	if (x->has_host)
		count_host(s, x->host);
	for (unsigned i = 0; i < x->n_interim; i++)
		if (x->interim[i].status >= 100 && x->interim[i].status < 200)
			s->status_1xx[x->interim[i].status - 100]++;
	s->more_1xx += x->n_interim_seen - x->n_interim;
	if (x->seen & SEEN_FIRST_BYTE)
		hist_add(&s->first_byte, x->t_first_byte - x->t_begin);
	if (x->final_status != 0)
		hist_add(&s->final, x->t_final - x->t_begin);
	else if (x->end != END_TUNNEL)
		s->unanswered++;
}

void
servers_violation(struct servers *t, const struct flow_key *k, int rule,
    uint64_t n)
{
	struct server *s = find(t, k);

	if (s == NULL) {
		t->other_violations += n;
		return;
	}
	s->violations += n;
	s->rule[rule] += n;
}

static int
busier(const void *pa, const void *pb)
{
	const struct server *a = *(const struct server *const *)pa;
	const struct server *b = *(const struct server *const *)pb;
	int c;

	if (a->exchanges != b->exchanges)
		return a->exchanges > b->exchanges ? -1 : 1;
	if (a->violations != b->violations)
		return a->violations > b->violations ? -1 : 1;
	if (a->addr.family != b->addr.family)
		return a->addr.family < b->addr.family ? -1 : 1;
	if ((c = memcmp(a->addr.bytes, b->addr.bytes, 16)) != 0)
		return c;
	return (int)a->port - (int)b->port;
}

unsigned
servers_sorted(const struct servers *t, const struct server **out)
{
	memcpy(out, t->s, t->n * sizeof(t->s[0]));
	qsort(out, t->n, sizeof(out[0]), busier);
	return t->n;
}
