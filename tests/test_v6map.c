/* test_v6map.c: the IPv6 address table under churn, against a model.
 *
 * 100,000 short connections, each from an IPv6 address of its own to one
 * of 8 servers, about 100 open at once, one in ten never more than a SYN;
 * one connection stays open throughout. The table lends from 4,096
 * addresses, so each is lent some 25 times. Checked: a lent address
 * stands for one IPv6 address only (no collision), stays the same while a
 * flow holds it or packets come, is lent again only after it was given
 * back, never while addresses never lent remain; the table holds exactly
 * what the model says is live, and nothing once every flow has ended (no
 * leak). Then the bound: a full table refuses, and counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v6map.h"

#define CONNS   100000
#define SERVERS 8
#define IDS     (CONNS + SERVERS + 1)
#define PINNED  (CONNS + SERVERS)
#define SPACE   4096
#define MAX     2048
#define LINGER  40
#define OPEN    100             /* connections open at once, about */

enum { COLLISION, UNSTABLE, EARLY_REUSE, FRESH_FIRST, LIVE_COUNT, LEAK,
	BOUND, CHECKS };
static const char *names[CHECKS] = {
	"one IPv6 address per lent address", "stable while held or used",
	"lent again only after given back", "never-lent addresses first",
	"table holds what is live", "empty once every flow ended",
	"a full table refuses and counts"
};
static int broken[CHECKS];

/* the model, per IPv6 address */
static struct {
	unsigned refs;
	int64_t last;           /* last use */
	uint32_t off;           /* lent address - 240.0.0.0, 0: none known */
	int used;
} id[IDS];
static int owner[SPACE + 1];    /* the id an offset was lent to last, + 1 */

struct conn {
	int client, server;
	int64_t end;
	int flow;               /* became a flow (holds its addresses) */
};

static void
addr_of(int i, uint8_t a6[16])
{
	memset(a6, 0, 16);
	a6[0] = 0x20;
	a6[1] = 0x01;
	a6[2] = 0x0d;
	a6[3] = 0xb8;
	a6[12] = (uint8_t)(i >> 24);
	a6[13] = (uint8_t)(i >> 16);
	a6[14] = (uint8_t)(i >> 8);
	a6[15] = (uint8_t)i;
}

static uint32_t
off_of(const uint8_t a4[4])
{
	return ((uint32_t)a4[0] << 24 | (uint32_t)a4[1] << 16 |
	    (uint32_t)a4[2] << 8 | a4[3]) & 0x0fffffff;
}

/* In the model: is the address still lent at now? */
static int
live(int i, int64_t now)
{
	return id[i].used && (id[i].refs > 0 || id[i].last + LINGER >= now);
}

static uint64_t lends;

/* A packet from or to i at now. */
static void
use(struct v6map *m, int i, int64_t now, uint8_t a4[4])
{
	uint8_t a6[16];
	const uint8_t *back;
	uint32_t off;
	int prev;

	addr_of(i, a6);
	if (v6map_lend(m, a6, now, a4) != 0) {
		broken[BOUND]++;
		return;
	}
	off = off_of(a4);
	back = v6map_find(m, a4);
	if (back == NULL || memcmp(back, a6, 16) != 0)
		broken[COLLISION]++;
	if (live(i, now) && id[i].off != off)
		broken[UNSTABLE]++;
	if (!live(i, now)) {
		prev = owner[off] - 1;
		if (prev >= 0 && prev != i && live(prev, now) &&
		    id[prev].off == off)
			broken[EARLY_REUSE]++;
		if (prev >= 0 && lends < SPACE)
			broken[FRESH_FIRST]++;
		if (prev >= 0 && prev != i) {
			uint8_t p6[16], p4[4];

			addr_of(prev, p6);
			if (v6map_peek(m, p6, p4) == 0 && off_of(p4) == off)
				broken[COLLISION]++;
		}
		lends++;
	}
	if (off == 0 || off > SPACE)
		broken[COLLISION]++;
	else
		owner[off] = i + 1;
	id[i].off = off;
	id[i].used = 1;
	id[i].last = now;
}

static void
hold(struct v6map *m, int i)
{
	uint8_t a4[4];

	use(m, i, id[i].last, a4);
	v6map_hold(m, a4);
	id[i].refs++;
}

static void
release(struct v6map *m, int i, int64_t now)
{
	uint8_t a4[4], a6[16];

	addr_of(i, a6);
	if (v6map_peek(m, a6, a4) != 0 || off_of(a4) != id[i].off) {
		broken[UNSTABLE]++;
		return;
	}
	v6map_release(m, a4, now);
	id[i].refs--;
	id[i].last = now;
}

static void
count_live(struct v6map *m, int64_t now)
{
	uint64_t n = 0;

	for (int i = 0; i < IDS; i++)
		n += live(i, now) ? 1 : 0;
	if (n != v6map_counts(m)->in_use)
		broken[LIVE_COUNT]++;
}

static void
churn(void)
{
	struct v6map *m = v6map_new(MAX, SPACE, LINGER);
	static struct conn open[OPEN * 4];
	int nopen = 0, next = 0;
	uint8_t a4[4];
	int64_t now = 0;
	unsigned rnd = 12345;

	if (m == NULL) {
		broken[BOUND]++;
		return;
	}
	use(m, PINNED, now, a4);
	hold(m, PINNED);
	while (next < CONNS || nopen > 0) {
		now++;
		v6map_expire(m, now);
		for (int k = 0; k < nopen; k++) {
			struct conn *c = &open[k];

			if (c->end > now) {
				/* a packet of the connection, now and then */
				if ((rnd = rnd * 1103515245 + 12345) >> 28 == 0) {
					use(m, c->client, now, a4);
					use(m, c->server, now, a4);
				}
				continue;
			}
			if (c->flow) {
				release(m, c->client, now);
				release(m, c->server, now);
			}
			*c = open[--nopen];
			k--;
		}
		/* about OPEN open: a new one each tick, for 1 to 2 * OPEN */
		if (next < CONNS && nopen < OPEN * 4) {
			struct conn *c = &open[nopen++];

			rnd = rnd * 1103515245 + 12345;
			c->client = next;
			c->server = CONNS + (int)(rnd >> 16) % SERVERS;
			c->end = now + 1 + (int64_t)((rnd >> 8) % (2 * OPEN));
			c->flow = (rnd >> 4) % 10 != 0;
			use(m, c->client, now, a4);     /* SYN */
			use(m, c->server, now, a4);
			if (c->flow) {                  /* the handshake completed */
				hold(m, c->client);
				hold(m, c->server);
			}
			next++;
		}
		if (now % 997 == 0)
			count_live(m, now);
		/* the pinned connection speaks now and then */
		if (now % 5000 == 0)
			use(m, PINNED, now, a4);
	}
	release(m, PINNED, now);
	count_live(m, now);
	v6map_expire(m, now + LINGER + 1);
	if (v6map_counts(m)->in_use != 0)
		broken[LEAK]++;
	if (v6map_counts(m)->peak > MAX || v6map_counts(m)->full != 0 ||
	    v6map_counts(m)->evicted != 0)
		broken[BOUND]++;
	printf("# %llu lendings, peak %llu lent at once\n",
	    (unsigned long long)lends,
	    (unsigned long long)v6map_counts(m)->peak);
	v6map_free(m);
}

/* Four entries: held ones cannot be taken; an idle one can, counted. */
static void
bound(void)
{
	struct v6map *m = v6map_new(4, 100, LINGER);
	uint8_t a6[16], a4[4];

	if (m == NULL) {
		broken[BOUND]++;
		return;
	}
	for (int i = 0; i < 4; i++) {
		addr_of(i, a6);
		if (v6map_lend(m, a6, 0, a4) != 0)
			broken[BOUND]++;
		v6map_hold(m, a4);
	}
	addr_of(4, a6);
	if (v6map_lend(m, a6, 1, a4) == 0 || v6map_counts(m)->full != 1)
		broken[BOUND]++;
	addr_of(0, a6);
	v6map_peek(m, a6, a4);
	v6map_release(m, a4, 2);
	addr_of(4, a6);
	if (v6map_lend(m, a6, 3, a4) != 0 || v6map_counts(m)->evicted != 1 ||
	    v6map_counts(m)->in_use != 4)
		broken[BOUND]++;
	addr_of(0, a6);
	if (v6map_peek(m, a6, a4) == 0)
		broken[BOUND]++;        /* taken back for 4 */
	v6map_free(m);
}

int
main(void)
{
	int failed = 0;

	churn();
	bound();
	for (int c = 0; c < CHECKS; c++) {
		if (broken[c] != 0) {
			printf("not ok - v6map %s (%d times)\n", names[c],
			    broken[c]);
			failed++;
		} else {
			printf("ok - v6map %s\n", names[c]);
		}
	}
	printf("test_v6map: %d passed, %d failed\n", CHECKS - failed, failed);
	return failed != 0;
}
