/* v6map.c: the table of IPv4 addresses lent to IPv6 addresses.
 *
 * Entries live in one array, found by either address through two keyed
 * hash tables; those no flow holds are on an idle list in the order of
 * their last use (packet time never goes back), so that expiry takes from
 * its head. Addresses given back wait in a FIFO ring. Arrays are made at
 * their full size with calloc, so untouched pages cost nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "v6map.h"

#define NONE 0                  /* links are index + 1 */

struct entry {
	uint8_t a6[16];
	uint32_t off;                   /* 240.0.0.0 + off is lent */
	uint32_t refs;                  /* flows holding it */
	int64_t last;                   /* last use, once no flow holds it */
	uint32_t next6, next4;          /* hash chains */
	uint32_t prev, next;            /* idle list */
};

struct v6map {
	uint32_t max, space;
	uint32_t mask;                  /* buckets - 1 */
	uint32_t fresh;                 /* next offset never lent */
	uint32_t used;                  /* entries ever taken */
	uint32_t nfree;
	uint32_t ring_head, ring_len;   /* offsets given back, oldest first */
	uint32_t idle_head, idle_tail;
	int64_t linger;
	uint64_t seed;
	struct entry *e;
	uint32_t *by6, *by4;
	uint32_t *free;                 /* entries given back */
	uint32_t *ring;                 /* max of them */
	struct v6map_counts c;
};

struct v6map *
v6map_new(uint32_t max, uint32_t space, int64_t linger)
{
	struct v6map *m;
	uint32_t buckets = 1;

	if (max == 0 || space == 0 || space > V6MAP_SPACE)
		return NULL;
	while (buckets < max)
		buckets <<= 1;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->max = max;
	m->space = space;
	m->mask = buckets - 1;
	m->fresh = 1;
	m->linger = linger;
	m->seed = hash_seed();
	m->e = calloc(max, sizeof(*m->e));
	m->by6 = calloc(buckets, sizeof(*m->by6));
	m->by4 = calloc(buckets, sizeof(*m->by4));
	m->free = calloc(max, sizeof(*m->free));
	m->ring = calloc(max, sizeof(*m->ring));
	if (m->e == NULL || m->by6 == NULL || m->by4 == NULL ||
	    m->free == NULL || m->ring == NULL) {
		v6map_free(m);
		return NULL;
	}
	return m;
}

void
v6map_free(struct v6map *m)
{
	if (m == NULL)
		return;
	free(m->e);
	free(m->by6);
	free(m->by4);
	free(m->free);
	free(m->ring);
	free(m);
}

static uint32_t *
bucket6(struct v6map *m, const uint8_t a6[16])
{
	return &m->by6[hash_bytes(m->seed, a6, 16) & m->mask];
}

static uint32_t *
bucket4(struct v6map *m, uint32_t off)
{
	return &m->by4[hash_bytes(m->seed, &off, 4) & m->mask];
}

static uint32_t
find6(const struct v6map *m, const uint8_t a6[16])
{
	uint32_t i = m->by6[hash_bytes(m->seed, a6, 16) & m->mask];

	while (i != NONE && memcmp(m->e[i - 1].a6, a6, 16) != 0)
		i = m->e[i - 1].next6;
	return i;
}

int
v6map_lent_range(const uint8_t a4[4])
{
	return a4[0] >= 240;
}

/* The entry lent a4, or NONE. */
static uint32_t
find4(const struct v6map *m, const uint8_t a4[4])
{
	uint32_t off = ((uint32_t)a4[0] << 24 | (uint32_t)a4[1] << 16 |
	    (uint32_t)a4[2] << 8 | a4[3]) & 0x0fffffff, i;

	if (!v6map_lent_range(a4) || off == 0 || off > m->space)
		return NONE;
	i = m->by4[hash_bytes(m->seed, &off, 4) & m->mask];
	while (i != NONE && m->e[i - 1].off != off)
		i = m->e[i - 1].next4;
	return i;
}

static void
put_a4(uint32_t off, uint8_t a4[4])
{
	uint32_t v = 0xf0000000U | off;

	a4[0] = (uint8_t)(v >> 24);
	a4[1] = (uint8_t)(v >> 16);
	a4[2] = (uint8_t)(v >> 8);
	a4[3] = (uint8_t)v;
}

static void
idle_unlink(struct v6map *m, uint32_t i)
{
	struct entry *x = &m->e[i - 1];

	if (x->prev != NONE)
		m->e[x->prev - 1].next = x->next;
	else
		m->idle_head = x->next;
	if (x->next != NONE)
		m->e[x->next - 1].prev = x->prev;
	else
		m->idle_tail = x->prev;
	x->prev = x->next = NONE;
}

static void
idle_append(struct v6map *m, uint32_t i, int64_t ts)
{
	struct entry *x = &m->e[i - 1];

	x->last = ts;
	x->prev = m->idle_tail;
	x->next = NONE;
	if (m->idle_tail != NONE)
		m->e[m->idle_tail - 1].next = i;
	else
		m->idle_head = i;
	m->idle_tail = i;
}

static void
chain_unlink(struct v6map *m, uint32_t *head, uint32_t i, int four)
{
	uint32_t *p = head;

	while (*p != i)
		p = four ? &m->e[*p - 1].next4 : &m->e[*p - 1].next6;
	*p = four ? m->e[i - 1].next4 : m->e[i - 1].next6;
}

/* An idle entry's address goes to the back of the ring (lost for good if
 * the ring is full: then max addresses wait there already, enough for a
 * full table), its entry to the free list. */
static void
give_back(struct v6map *m, uint32_t i)
{
	struct entry *x = &m->e[i - 1];

	idle_unlink(m, i);
	chain_unlink(m, bucket6(m, x->a6), i, 0);
	chain_unlink(m, bucket4(m, x->off), i, 1);
	if (m->ring_len < m->max)
		m->ring[(m->ring_head + m->ring_len++) % m->max] = x->off;
	memset(x, 0, sizeof(*x));
	m->free[m->nfree++] = i;
	m->c.in_use--;
}

/* An entry to fill: a free one, one never used, or the idle one used
 * longest ago (counted: taken before its time). NONE when all are held. */
static uint32_t
take_entry(struct v6map *m)
{
	if (m->nfree > 0)
		return m->free[--m->nfree];
	if (m->used < m->max)
		return ++m->used;
	if (m->idle_head == NONE)
		return NONE;
	m->c.evicted++;
	give_back(m, m->idle_head);
	return m->free[--m->nfree];
}

int
v6map_lend(struct v6map *m, const uint8_t a6[16], int64_t ts, uint8_t a4[4])
{
	uint32_t i = find6(m, a6), off, *b;
	struct entry *x;

	if (i != NONE) {
		x = &m->e[i - 1];
		if (x->refs == 0) {
			idle_unlink(m, i);
			idle_append(m, i, ts);
		}
		put_a4(x->off, a4);
		return 0;
	}
	if ((i = take_entry(m)) == NONE) {
		m->c.full++;
		return -1;
	}
	if (m->fresh <= m->space) {
		off = m->fresh++;
	} else if (m->ring_len > 0) {
		off = m->ring[m->ring_head];
		m->ring_head = (m->ring_head + 1) % m->max;
		m->ring_len--;
	} else {
		/* cannot happen: max addresses wait in the ring once any is
		 * lost, and in_use < max here */
		m->free[m->nfree++] = i;
		m->c.full++;
		return -1;
	}
	x = &m->e[i - 1];
	memcpy(x->a6, a6, 16);
	x->off = off;
	x->refs = 0;
	b = bucket6(m, a6);
	x->next6 = *b;
	*b = i;
	b = bucket4(m, off);
	x->next4 = *b;
	*b = i;
	idle_append(m, i, ts);
	if (++m->c.in_use > m->c.peak)
		m->c.peak = m->c.in_use;
	put_a4(off, a4);
	return 0;
}

const uint8_t *
v6map_find(const struct v6map *m, const uint8_t a4[4])
{
	uint32_t i = find4(m, a4);

	return i == NONE ? NULL : m->e[i - 1].a6;
}

int
v6map_peek(const struct v6map *m, const uint8_t a6[16], uint8_t a4[4])
{
	uint32_t i = find6(m, a6);

	if (i == NONE)
		return -1;
	put_a4(m->e[i - 1].off, a4);
	return 0;
}

void
v6map_hold(struct v6map *m, const uint8_t a4[4])
{
	uint32_t i = find4(m, a4);

	if (i != NONE && m->e[i - 1].refs++ == 0)
		idle_unlink(m, i);
}

void
v6map_release(struct v6map *m, const uint8_t a4[4], int64_t ts)
{
	uint32_t i = find4(m, a4);

	if (i != NONE && m->e[i - 1].refs > 0 && --m->e[i - 1].refs == 0)
		idle_append(m, i, ts);
}

void
v6map_expire(struct v6map *m, int64_t now)
{
	while (m->idle_head != NONE &&
	    m->e[m->idle_head - 1].last + m->linger < now)
		give_back(m, m->idle_head);
}

const struct v6map_counts *
v6map_counts(const struct v6map *m)
{
	return &m->c;
}
