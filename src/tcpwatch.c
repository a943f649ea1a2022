/* tcpwatch.c: SYNs that get no SYN-ACK, request bytes that get no ACK.
 *
 * A connection is watched from its first SYN (or, picked up mid-stream,
 * its first request bytes) until an RST, the client's FIN with nothing
 * waiting, or a long idle time. It holds a timer only while a deadline is
 * open (a handshake, or request bytes waiting for their ACK), so the heap
 * stays small; one sweep timer drops idle connections, walking the table
 * once per half idle period.
 *
 * The hash lookup is a cache miss, so packets that cannot matter skip it.
 * pending[] counts, per bucket, the connections with a deadline open;
 * clients[] counts, per slot of a one-way hash, the connections whose
 * client sends that way. A packet that is not SYN or RST, falls in a bucket
 * with nothing pending, and cannot be client data or a client FIN, changes
 * nothing and is skipped: in steady traffic, most server data and every
 * pure ACK.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "format.h"
#include "tcpwatch.h"

#define BUCKETS   32768         /* power of two; 256 KiB stays in cache */
#define SLOTS     16384         /* power of two; with pending[], 48 KiB */
#define TH_FIN    0x01
#define TH_SYN    0x02
#define TH_RST    0x04
#define TH_ACK    0x10

/* a packet's addresses, as sent */
struct endpoints {
	uint8_t src[4], dst[4];
	uint16_t sport, dport;
};

/* What every packet looks at comes first: one cache line (conns are
 * allocated on a line boundary). */
struct conn {
	struct conn *next;              /* hash chain */
	struct endpoints id;            /* as the client sends */
	uint32_t client_next;           /* seq after the client's last byte */
	int64_t unacked_since;          /* 0: every request byte acked */
	int64_t last_seen;
	uint32_t b;                     /* its bucket */
	uint8_t synack, data_seen, is_http, fin_client;
	uint8_t fired_syn, fired_ack;
	uint8_t counted;                /* in pending[b] */
	/* for timers and reports */
	struct timer timer;
	struct tcpwatch *w;
	int64_t syn_ts;
	unsigned syns;
	struct flow_key key;
};

struct tcpwatch {
	struct analysis *an;
	struct timer sweep;
	size_t count;
	uint8_t pending[BUCKETS];       /* both saturate at 255, then stay */
	uint8_t clients[SLOTS];
	struct conn *bucket[BUCKETS];
};

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* Symmetric: both directions of a connection land in one bucket. */
static size_t
bucket_of(const struct endpoints *e)
{
	uint32_t a, b, h;

	memcpy(&a, e->src, 4);
	memcpy(&b, e->dst, 4);
	h = (a ^ b) * 2654435761u ^ (uint32_t)(e->sport ^ e->dport) * 40503u;
	return (h ^ h >> 15) & (BUCKETS - 1);
}

/* One-way: the client's direction of a connection. */
static size_t
slot_of(const struct endpoints *e)
{
	uint32_t a, b, h;

	memcpy(&a, e->src, 4);
	memcpy(&b, e->dst, 4);
	h = a * 2654435761u ^ (b + 0x9e3779b9u) * 40503u ^
	    ((uint32_t)e->sport << 16 | e->dport) * 2246822519u;
	return (h ^ h >> 16) & (SLOTS - 1);
}

static int
is_client(const struct conn *c, const struct endpoints *e)
{
	return c->id.sport == e->sport && c->id.dport == e->dport &&
	    memcmp(c->id.src, e->src, 4) == 0 &&
	    memcmp(c->id.dst, e->dst, 4) == 0;
}

static int
is_server(const struct conn *c, const struct endpoints *e)
{
	return c->id.sport == e->dport && c->id.dport == e->sport &&
	    memcmp(c->id.src, e->dst, 4) == 0 &&
	    memcmp(c->id.dst, e->src, 4) == 0;
}

static int64_t
idle_limit(const struct analysis *an)
{
	int64_t m = an->cfg.ack_timeout > an->cfg.syn_timeout ?
	    an->cfg.ack_timeout : an->cfg.syn_timeout;

	return 2 * m;
}

static int64_t
syn_deadline(const struct conn *c)
{
	if (c->synack || c->fired_syn)
		return 0;
	return c->syn_ts + c->w->an->cfg.syn_timeout;
}

static int64_t
ack_deadline(const struct conn *c)
{
	if (c->unacked_since == 0 || c->fired_ack)
		return 0;
	return c->unacked_since + c->w->an->cfg.ack_timeout;
}

static void
endpoints_of(struct endpoints *e, const struct flow_key *k)
{
	memcpy(e->src, k->client.bytes, 4);
	memcpy(e->dst, k->server.bytes, 4);
	e->sport = k->client_port;
	e->dport = k->server_port;
}

static void
unlink_conn(struct tcpwatch *w, struct conn *c)
{
	struct conn **p = &w->bucket[c->b];
	size_t slot = slot_of(&c->id);

	while (*p != c)
		p = &(*p)->next;
	*p = c->next;
	if (c->counted && w->pending[c->b] != 255)
		w->pending[c->b]--;
	if (w->clients[slot] != 255)
		w->clients[slot]--;
	timers_cancel(&w->an->timers, &c->timer);
	w->count--;
	free(c);
}

/* The timer at the nearest open deadline, or none. A deadline that moves
 * later (more bytes acknowledged) is left early: fire() looks again. */
static void
arm(struct conn *c)
{
	struct tcpwatch *w = c->w;
	int64_t d = syn_deadline(c), a = ack_deadline(c);

	if (d == 0 || (a != 0 && a < d))
		d = a;
	if (d == 0)
		timers_cancel(&w->an->timers, &c->timer);
	else
		timers_set(&w->an->timers, &c->timer, d);
	if ((d != 0) != c->counted) {
		c->counted = d != 0;
		if (w->pending[c->b] != 255)
			w->pending[c->b] += c->counted ? 1 : -1;
	}
}

static void
fire(struct timer *t, int64_t now)
{
	struct conn *c = (struct conn *)((char *)t -
	    offsetof(struct conn, timer));
	struct analysis *an = c->w->an;
	char cl[64], sv[64], at[32];
	int64_t d;

	format_endpoint(cl, sizeof(cl), &c->key.client, c->key.client_port);
	format_endpoint(sv, sizeof(sv), &c->key.server, c->key.server_port);
	d = syn_deadline(c);
	if (d != 0 && d < now) {
		c->fired_syn = 1;
		format_clock(at, sizeof(at), c->syn_ts);
		rules_raise(an, R_HANDSHAKE_TIMEOUT, d, &c->key, NULL, "client "
		    "%s sent SYN to %s at %s (%u time%s) and got no SYN-ACK "
		    "within %.1f s; Cloudflare would answer 522 (--syn-timeout "
		    "%.0f s): check that the origin listens and that no "
		    "firewall drops Cloudflare's addresses", cl, sv, at, c->syns,
		    c->syns == 1 ? "" : "s", (double)an->cfg.syn_timeout / USEC,
		    (double)an->cfg.syn_timeout / USEC);
	}
	d = ack_deadline(c);
	if (d != 0 && d < now) {
		c->fired_ack = 1;
		format_clock(at, sizeof(at), c->unacked_since);
		rules_raise(an, R_REQUEST_UNACKED, d, &c->key, NULL, "server %s "
		    "did not acknowledge request bytes that client %s sent at "
		    "%s for %.1f s; Cloudflare would answer 522 (--ack-timeout "
		    "%.0f s): the origin is overloaded or a middlebox drops the "
		    "traffic", sv, cl, at, (double)an->cfg.ack_timeout / USEC,
		    (double)an->cfg.ack_timeout / USEC);
	}
	arm(c);
}

/* Drop the connections idle for longer than any deadline could need. */
static void
sweep(struct timer *t, int64_t now)
{
	struct tcpwatch *w = (struct tcpwatch *)((char *)t -
	    offsetof(struct tcpwatch, sweep));
	int64_t idle = idle_limit(w->an);

	for (size_t b = 0; b < BUCKETS; b++) {
		struct conn *c = w->bucket[b], *next;

		for (; c != NULL; c = next) {
			next = c->next;
			if (now > c->last_seen + idle)
				unlink_conn(w, c);
		}
	}
	if (w->count > 0)
		timers_set(&w->an->timers, &w->sweep, now + idle / 2);
}

static struct conn *
conn_new(struct tcpwatch *w, const struct endpoints *e, size_t b, int64_t ts)
{
	struct conn *c;

	if (w->count >= TCPWATCH_MAX || (c = aligned_alloc(64,
	    (sizeof(*c) + 63) / 64 * 64)) == NULL) {
		w->an->st->tcp_untracked++;
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->id = *e;
	c->key.client.family = c->key.server.family = AF_INET;
	memcpy(c->key.client.bytes, e->src, 4);
	memcpy(c->key.server.bytes, e->dst, 4);
	c->key.client_port = e->sport;
	c->key.server_port = e->dport;
	c->w = w;
	c->b = (uint32_t)b;
	c->timer.fire = fire;
	c->syn_ts = c->last_seen = ts;
	c->next = w->bucket[b];
	w->bucket[b] = c;
	w->count++;
	if (w->clients[slot_of(e)] != 255)
		w->clients[slot_of(e)]++;
	arm(c);
	if (w->sweep.slot == 0)
		timers_set(&w->an->timers, &w->sweep, ts + idle_limit(w->an) / 2);
	return c;
}

/* The request line starts with a method token and a space. */
static int
looks_like_request(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && i < 16 && p[i] >= 'A' && p[i] <= 'Z')
		i++;
	return i > 0 && i < n && p[i] == ' ';
}

static void
from_client(struct conn *c, uint32_t seq, const uint8_t *payload,
    size_t captured, size_t len, int64_t ts)
{
	uint32_t end = seq + (uint32_t)len;

	if (!c->data_seen) {
		c->data_seen = 1;
		c->is_http = looks_like_request(payload, captured);
		c->client_next = end;
	}
	if (!c->is_http)
		return;
	if (seq_after(end, c->client_next))
		c->client_next = end;
	if (c->unacked_since == 0) {
		c->unacked_since = ts;
		arm(c);
	}
}

static void
from_server_ack(struct conn *c, uint32_t ack, int64_t ts)
{
	if (c->unacked_since == 0)
		return;
	if (!seq_after(c->client_next, ack)) {
		c->unacked_since = 0;           /* all acknowledged */
		arm(c);
	} else
		c->unacked_since = ts;          /* progress: older bytes acked */
}

/* Could this packet change anything watched? (See the top comment.) */
static int
may_matter(const struct tcpwatch *w, const struct endpoints *e, size_t b,
    uint8_t flags, size_t payload)
{
	if ((flags & (TH_SYN | TH_RST)) || w->pending[b] != 0)
		return 1;
	return (payload > 0 || (flags & TH_FIN)) && w->clients[slot_of(e)] != 0;
}

static void
on_client(struct tcpwatch *w, struct conn *c, const uint8_t *tcp,
    const uint8_t *data, size_t captured, size_t payload, int64_t ts)
{
	uint8_t flags = tcp[13];

	if ((flags & (TH_SYN | TH_ACK)) == TH_SYN)
		c->syns++;
	if (payload > 0)
		from_client(c, be32(tcp + 4), data, captured, payload, ts);
	c->fin_client |= (flags & TH_FIN) != 0;
	if (c->fin_client && !c->counted)
		unlink_conn(w, c);      /* it will ask nothing more */
}

static void
on_server(struct tcpwatch *w, struct conn *c, const uint8_t *tcp,
    int64_t ts)
{
	uint8_t flags = tcp[13];

	if ((flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) && !c->synack) {
		c->synack = 1;
		arm(c);
	}
	if (flags & TH_ACK)
		from_server_ack(c, be32(tcp + 8), ts);
	if (c->fin_client && !c->counted)
		unlink_conn(w, c);
}

void
tcpwatch_ipv4(struct tcpwatch *w, const uint8_t *ip, size_t len, int64_t ts)
{
	struct endpoints e;
	size_t ihl, doff, total, payload, captured, b;
	const uint8_t *tcp, *data;
	uint8_t flags;
	struct conn *c;

	ihl = (size_t)(ip[0] & 15) * 4;
	total = (size_t)ip[2] << 8 | ip[3];
	if (ihl < 20 || len < ihl + 20 || total < ihl + 20 ||
	    (((ip[6] & 0x3f) | ip[7]) != 0))
		return;                 /* cut short, or a fragment */
	tcp = ip + ihl;
	doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < 20 || total < ihl + doff)
		return;
	payload = total - ihl - doff;
	data = tcp + doff;
	captured = len > ihl + doff ? len - ihl - doff : 0;
	flags = tcp[13];
	memcpy(e.src, ip + 12, 4);
	memcpy(e.dst, ip + 16, 4);
	e.sport = (uint16_t)(tcp[0] << 8 | tcp[1]);
	e.dport = (uint16_t)(tcp[2] << 8 | tcp[3]);
	b = bucket_of(&e);
	if (!may_matter(w, &e, b, flags, payload))
		return;
	for (c = w->bucket[b]; c != NULL; c = c->next) {
		int client = is_client(c, &e);

		if (!client && !is_server(c, &e))
			continue;
		c->last_seen = ts;
		if (flags & TH_RST)
			unlink_conn(w, c);
		else if (client)
			on_client(w, c, tcp, data, captured, payload, ts);
		else
			on_server(w, c, tcp, ts);
		return;
	}
	/* first seen: by its SYN, or mid-stream by a request */
	if ((flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN) {
		c = conn_new(w, &e, b, ts);
	} else if (payload > 0 && !(flags & TH_RST) &&
	    looks_like_request(data, captured)) {
		c = conn_new(w, &e, b, ts);
		if (c != NULL)
			c->synack = 1;
	} else {
		return;
	}
	if (c != NULL)
		on_client(w, c, tcp, data, captured, payload, ts);
}

int
tcpwatch_unacked(const struct tcpwatch *w, const struct flow_key *key)
{
	struct endpoints e;

	if (key->client.family != AF_INET)
		return 0;
	endpoints_of(&e, key);
	for (const struct conn *c = w->bucket[bucket_of(&e)]; c != NULL;
	    c = c->next)
		if (is_client(c, &e))
			return c->unacked_since != 0;
	return 0;
}

struct tcpwatch *
tcpwatch_new(struct analysis *an)
{
	struct tcpwatch *w = calloc(1, sizeof(*w));

	if (w != NULL) {
		w->an = an;
		w->sweep.fire = sweep;
	}
	return w;
}

void
tcpwatch_free(struct tcpwatch *w)
{
	if (w == NULL)
		return;
	for (size_t b = 0; b < BUCKETS; b++)
		while (w->bucket[b] != NULL)
			unlink_conn(w, w->bucket[b]);
	timers_cancel(&w->an->timers, &w->sweep);
	free(w);
}
