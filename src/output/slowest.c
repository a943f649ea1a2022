/* slowest.c: a min-heap of the slowest exchanges, by index into a pool so
 * that an admitted entry stays where the caller fills it. */
#include <stdlib.h>
#include <string.h>

#include "slowest.h"

static int
cmp_addr(const struct addr *a, const struct addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

/* <0 when a ranks before b (slower, or equal and first in address, port
 * and time order) */
static int
rank(const struct slow *a, const struct slow *b)
{
	int c;

	if (a->wait != b->wait)
		return a->wait > b->wait ? -1 : 1;
	if ((c = cmp_addr(&a->key.server, &b->key.server)) != 0)
		return c;
	if (a->key.server_port != b->key.server_port)
		return a->key.server_port < b->key.server_port ? -1 : 1;
	if ((c = cmp_addr(&a->key.client, &b->key.client)) != 0)
		return c;
	if (a->key.client_port != b->key.client_port)
		return a->key.client_port < b->key.client_port ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return 0;
}

int
slowest_init(struct slowest *s, unsigned cap)
{
	memset(s, 0, sizeof(*s));
	if (cap == 0)
		return 0;
	s->pool = calloc(cap, sizeof(*s->pool));
	s->heap = calloc(cap, sizeof(*s->heap));
	if (s->pool == NULL || s->heap == NULL) {
		slowest_free(s);
		return -1;
	}
	s->cap = cap;
	return 0;
}

void
slowest_free(struct slowest *s)
{
	free(s->pool);
	free(s->heap);
	memset(s, 0, sizeof(*s));
}

/* heap order: a parent ranks after its children */
static int
above(const struct slowest *s, unsigned i, unsigned j)
{
	return rank(&s->pool[s->heap[i]], &s->pool[s->heap[j]]) > 0;
}

static void
swap(struct slowest *s, unsigned i, unsigned j)
{
	uint32_t t = s->heap[i];

	s->heap[i] = s->heap[j];
	s->heap[j] = t;
}

static void
sift_up(struct slowest *s, unsigned i)
{
	while (i > 0 && above(s, i, (i - 1) / 2)) {
		swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
sift_down(struct slowest *s, unsigned i)
{
	for (;;) {
		unsigned l = 2 * i + 1, r = l + 1, m = i;

		if (l < s->n && above(s, l, m))
			m = l;
		if (r < s->n && above(s, r, m))
			m = r;
		if (m == i)
			return;
		swap(s, i, m);
		i = m;
	}
}

struct slow *
slowest_admit(struct slowest *s, int64_t wait, const struct flow_key *k,
    int64_t ts)
{
	struct slow probe = {.wait = wait, .ts = ts, .key = *k};
	struct slow *e;

	s->seen++;
	if (s->cap == 0)
		return NULL;
	if (s->n < s->cap) {
		s->heap[s->n] = s->n;
		e = &s->pool[s->n];
		e->wait = wait;
		e->ts = ts;
		e->key = *k;
		e->text[0] = '\0';
		sift_up(s, s->n++);
		return e;
	}
	if (rank(&probe, &s->pool[s->heap[0]]) >= 0)
		return NULL;
	e = &s->pool[s->heap[0]];
	e->wait = wait;
	e->ts = ts;
	e->key = *k;
	e->text[0] = '\0';
	sift_down(s, 0);
	return e;
}

static int
by_rank(const void *a, const void *b)
{
	return rank(*(const struct slow *const *)a,
	    *(const struct slow *const *)b);
}

unsigned
slowest_sorted(const struct slowest *s, const struct slow **out)
{
	for (unsigned i = 0; i < s->n; i++)
		out[i] = &s->pool[i];
	qsort(out, s->n, sizeof(out[0]), by_rank);
	return s->n;
}
