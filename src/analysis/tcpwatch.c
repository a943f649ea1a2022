/* tcpwatch.c: SYNs that get no SYN-ACK, request bytes that get no ACK.
 *
 * Handshakes: a table of the SYNs not yet answered, keyed by the client's
 * addresses and ports. A SYN adds one (a retransmitted SYN is the same
 * attempt), a SYN-ACK or an RST removes it. Each holds one timer: first the
 * deadline, then, once it fired, how long it lingers so that the client's
 * further retransmissions do not count as new attempts.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "format.h"
#include "hash.h"
#include "pool.h"
#include "synagg.h"
#include "tcpwatch.h"

/* The SYN table's buckets: a power of two, doubled while SYNs outnumber
 * them, up to TCPWATCH_MAX (chains of 1). Few SYNs wait at a time on
 * most links, and a small table stays in the cache: one of 131,072 cost
 * a cache miss per connection. */
#define BUCKETS_MIN 1024
#define BUCKETS_MAX TCPWATCH_MAX
#define TH_SYN    0x02
#define TH_RST    0x04
#define TH_ACK    0x10

/* a packet's addresses, as sent */
struct endpoints {
	uint8_t src[4], dst[4];
	uint16_t sport, dport;
};

/* A SYN not answered yet. */
struct syn {
	struct syn *next, **pprev;      /* hash chain */
	struct syn *older, *newer;      /* by deadline, earliest first */
	struct endpoints id;            /* as the client sends */
	int64_t deadline;
	int64_t first;                  /* the first SYN */
	int64_t last;                   /* the latest one */
	uint32_t count;
	uint32_t fired;
};

static struct pool syn_pool = POOL(struct syn, 256, 0);

struct tcpwatch {
	struct analysis *an;
	const uint8_t *ports;           /* server ports watched; NULL: all */
	void (*unmap)(struct flow_key *k);      /* or NULL */
	size_t count;
	uint64_t seed;                  /* keys bucket_of(), at random */
	struct syn *oldest, *newest;    /* the deadlines, in order */
	char advice[160];               /* handshake-timeout's, made once */
	struct synagg *agg;             /* past the first few per server */
	struct timer timer;             /* runs by the oldest one's */
	struct syn **bucket;
	size_t buckets;                 /* how many, a power of two */
};

/* The connection as the outputs show it, made when it is needed: 40 bytes
 * fewer per SYN watched. */
static void
syn_key(const struct tcpwatch *w, const struct syn *s, struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->client.family = k->server.family = AF_INET;
	memcpy(k->client.bytes, s->id.src, 4);
	memcpy(k->server.bytes, s->id.dst, 4);
	k->client_port = s->id.sport;
	k->server_port = s->id.dport;
	if (w->unmap != NULL)
		w->unmap(k);
}

static int
seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static double
secs(int64_t us)
{
	return (double)us / USEC;
}

/* --- handshakes --- */

/* Keyed: SYNs chosen to share a bucket would make each lookup walk them
 * all (65,536 of them took 17.7 s against 0.28 s when unkeyed). */
static size_t
bucket_of(const struct tcpwatch *w, const struct endpoints *e)
{
	return hash_bytes(w->seed, e, sizeof(*e)) & (w->buckets - 1);
}

/* Twice the buckets, the SYNs moved over; without memory, the chains
 * only grow longer. */
static void
grow(struct tcpwatch *w)
{
	size_t n = w->buckets * 2;
	struct syn **old = w->bucket, **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return;
	w->bucket = b;
	w->buckets = n;
	for (size_t i = 0; i < n / 2; i++)
		while (old[i] != NULL) {
			struct syn *s = old[i], **head;

			old[i] = s->next;
			head = &b[bucket_of(w, &s->id)];
			s->next = *head;
			if (s->next != NULL)
				s->next->pprev = &s->next;
			*head = s;
			s->pprev = head;
		}
	free(old);
}

static struct syn **
syn_find(struct tcpwatch *w, const struct endpoints *e)
{
	struct syn **p = &w->bucket[bucket_of(w, e)];

	while (*p != NULL && memcmp(&(*p)->id, e, sizeof(*e)) != 0)
		p = &(*p)->next;
	return p;
}

/* The deadlines: packet time never goes back within a file (main.c), so a
 * SYN's deadline, its first time plus --syn-timeout, is the latest yet, and
 * the SYNs wait in a list in deadline order, appended at the end: O(1)
 * each, and one timer for all, at the oldest one's deadline. */
static void
list_unlink(struct tcpwatch *w, struct syn *s)
{
	if (s->older != NULL)
		s->older->newer = s->newer;
	else
		w->oldest = s->newer;
	if (s->newer != NULL)
		s->newer->older = s->older;
	else
		w->newest = s->older;
}

static void
list_append(struct tcpwatch *w, struct syn *s, int64_t deadline)
{
	struct syn *after = w->newest;

	/* a file older than the one before starts a timeline of its own:
	 * walk back past the later deadlines (only then) */
	while (after != NULL && after->deadline > deadline)
		after = after->older;
	s->deadline = deadline;
	s->older = after;
	s->newer = after != NULL ? after->newer : w->oldest;
	if (s->newer != NULL)
		s->newer->older = s;
	else
		w->newest = s;
	if (after != NULL)
		after->newer = s;
	else
		w->oldest = s;
	if ((w->timer.slot == 0 || w->timer.deadline > w->oldest->deadline) &&
	    timers_set(&w->an->timers, &w->timer, w->oldest->deadline) != 0)
		w->an->st->tcp_untracked++;
}

/* A SYN that fired lingers so that its retransmissions are not new
 * attempts; when it goes matters little, so it goes at the end of the
 * list, never earlier than the SYN there (O(1), where its own deadline
 * would walk back across the whole list). */
static int64_t
linger(const struct tcpwatch *w, int64_t until)
{
	return w->newest != NULL && w->newest->deadline > until ?
	    w->newest->deadline : until;
}

static void
syn_remove(struct tcpwatch *w, struct syn **p)
{
	struct syn *s = *p;

	*p = s->next;
	if (s->next != NULL)
		s->next->pprev = p;
	list_unlink(w, s);
	w->count--;
	pool_put(&syn_pool, s);
}

static void
syn_expire(struct tcpwatch *w, struct syn *s, int64_t now)
{
	struct analysis *an = w->an;
	int64_t limit = an->cfg.syn_timeout;
	char cl[64], sv[64], at[32];
	struct flow_ident flow;

	list_unlink(w, s);
	if (s->fired) {
		/* lingering: gone once its SYNs have stopped for a while */
		if (now > s->last + limit)
			syn_remove(w, s->pprev);
		else
			list_append(w, s, linger(w, s->last + limit));
		return;
	}
	s->fired = 1;
	syn_key(w, s, &flow.key);
	format_endpoint(cl, sizeof(cl), &flow.key.client, flow.key.client_port);
	format_endpoint(sv, sizeof(sv), &flow.key.server, flow.key.server_port);
	format_clock(at, sizeof(at), s->first);
	/* a connection that never opened: its id is made now, from its
	 * first SYN */
	flow.id = flowid_next(&an->ids, &flow.key, s->first);
	if (w->advice[0] == '\0')       /* the same for every SYN */
		snprintf(w->advice, sizeof(w->advice), "within %.1f s; "
		    "Cloudflare would answer 522 (--syn-timeout %.0f s): check "
		    "that the origin listens and that no firewall drops "
		    "Cloudflare's addresses", secs(limit), secs(limit));
	if (!synagg_admit(w->agg, &flow.key, s->first, s->first + limit)) {
		list_append(w, s, linger(w, s->last + limit));
		return;                 /* counted: past the first few */
	}
	rules_raise_wait(an, R_HANDSHAKE_TIMEOUT, s->first + limit, &flow,
	    NULL, s->first, limit,
	    "client %s sent SYN to %s at %s (%u time%s) and got no SYN-ACK "
	    "%s", cl, sv, at, s->count, s->count == 1 ? "" : "s", w->advice);
	list_append(w, s, linger(w, s->last + limit));
}

/* The timer, at the oldest deadline or later (a SYN answered since left
 * it where it was): expire what is due by then, one deadline at a time so
 * that violations keep their order with the other timers'. */
static void
watch_fire(struct timer *t, int64_t now)
{
	struct tcpwatch *w = (struct tcpwatch *)((char *)t -
	    offsetof(struct tcpwatch, timer));
	int64_t upto = t->deadline;

	while (w->oldest != NULL && w->oldest->deadline <= upto &&
	    w->oldest->deadline < now)
		syn_expire(w, w->oldest, now);
	if (w->oldest != NULL && w->timer.slot == 0)
		timers_set(&w->an->timers, &w->timer, w->oldest->deadline);
}

static void
syn_seen(struct tcpwatch *w, const struct endpoints *e, int64_t ts)
{
	struct syn **p, *s;

	if (w->ports != NULL && !(w->ports[e->dport / 8] & (1 << (e->dport % 8))))
		return;
	p = syn_find(w, e);
	if ((s = *p) != NULL) {
		s->count++;             /* a retransmission: the same attempt */
		s->last = ts;
		return;
	}
	if (w->count >= TCPWATCH_MAX || (s = pool_get(&syn_pool)) == NULL) {
		w->an->st->tcp_untracked++;
		return;
	}
	s->id = *e;
	s->first = s->last = ts;
	s->count = 1;
	s->pprev = p;           /* p points at the chain's end */
	*p = s;
	w->count++;
	list_append(w, s, ts + w->an->cfg.syn_timeout);
	if (w->count > w->buckets && w->buckets < BUCKETS_MAX)
		grow(w);
}

/* An answer to the SYN that e's reverse sent: a SYN-ACK, or an RST
 * (refused: the origin is there, so no 522). */
static void
syn_answered(struct tcpwatch *w, const struct endpoints *e)
{
	struct endpoints r;
	struct syn **p;

	memcpy(r.src, e->dst, 4);
	memcpy(r.dst, e->src, 4);
	r.sport = e->dport;
	r.dport = e->sport;
	p = syn_find(w, &r);
	if (*p != NULL)
		syn_remove(w, p);
}

void
tcpwatch_ipv4(struct tcpwatch *w, const uint8_t *ip, size_t len, int64_t ts)
{
	struct endpoints e;
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	const uint8_t *tcp = ip + ihl;
	uint8_t flags;

	if (ihl < 20 || len < ihl + 14 || (((ip[6] & 0x3f) | ip[7]) != 0))
		return;                 /* cut short, or a fragment */
	flags = tcp[13];
	if (!(flags & (TH_SYN | TH_RST)))
		return;
	memcpy(e.src, ip + 12, 4);
	memcpy(e.dst, ip + 16, 4);
	e.sport = (uint16_t)(tcp[0] << 8 | tcp[1]);
	e.dport = (uint16_t)(tcp[2] << 8 | tcp[3]);
	if (flags & TH_RST) {
		struct syn **p = syn_find(w, &e);

		if (*p != NULL)         /* the client gave up */
			syn_remove(w, p);
		syn_answered(w, &e);
	} else if (flags & TH_ACK) {
		syn_answered(w, &e);
	} else {
		syn_seen(w, &e, ts);
	}
}

void
tcpwatch_established(struct tcpwatch *w, const uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	struct endpoints e;
	struct syn **p;

	memcpy(e.src, ip + 12, 4);
	memcpy(e.dst, ip + 16, 4);
	e.sport = (uint16_t)(ip[ihl] << 8 | ip[ihl + 1]);
	e.dport = (uint16_t)(ip[ihl + 2] << 8 | ip[ihl + 3]);
	p = syn_find(w, &e);
	if (*p != NULL)
		syn_remove(w, p);
}

struct tcpwatch *
tcpwatch_new(struct analysis *an, const uint8_t *ports)
{
	struct tcpwatch *w = calloc(1, sizeof(*w));

	if (w != NULL) {
		w->bucket = calloc(BUCKETS_MIN, sizeof(*w->bucket));
		if (w->bucket == NULL) {
			free(w);
			return NULL;
		}
		w->buckets = BUCKETS_MIN;
		w->an = an;
		w->ports = ports;
		w->seed = hash_seed();
		w->timer.fire = watch_fire;
		w->agg = synagg_new(an);        /* NULL: each one reported */
	}
	return w;
}

void
tcpwatch_unmap(struct tcpwatch *w, void (*unmap)(struct flow_key *k))
{
	w->unmap = unmap;
}

void
tcpwatch_free(struct tcpwatch *w)
{
	if (w == NULL)
		return;
	for (size_t b = 0; b < w->buckets && w->count > 0; b++)
		while (w->bucket[b] != NULL)
			syn_remove(w, &w->bucket[b]);
	timers_cancel(&w->an->timers, &w->timer);
	synagg_finish(w->agg);
	free(w->bucket);
	free(w);
	pool_drain(&syn_pool);
}

/* --- request bytes and their ACKs ---
 *
 * since is when the oldest bytes still waiting were sent: set when bytes
 * are sent while everything before them was acknowledged. The timer may
 * run early (a new wait does not move it); when it fires, the ACK is read:
 * all acknowledged ends the wait, and partial progress means the oldest
 * bytes waiting are newer than since, sent at the latest at last, so the
 * wait counts from there (it may then fire later than it could have,
 * never earlier).
 */

static void
ack_fire(struct timer *t, int64_t now)
{
	struct ackwatch *aw = (struct ackwatch *)((char *)t -
	    offsetof(struct ackwatch, timer));
	struct analysis *an = aw->an;
	int64_t limit = an->cfg.ack_timeout;
	uint32_t acked = *aw->acked;
	char cl[64], sv[64], at[32];

	if (!seq_after(aw->sent, acked)) {
		aw->waiting = 0;
		return;
	}
	if (seq_after(acked, aw->mark)) {
		aw->since = aw->last;
		aw->mark = acked;
	}
	if (aw->since + limit >= now) {
		timers_set(&an->timers, t, aw->since + limit);
		return;
	}
	aw->fired = 1;          /* once per connection */
	if (ackwatch_lossy(aw))
		return;         /* the ACKs may be what the capture lost */
	format_endpoint(cl, sizeof(cl), &aw->flow->key.client,
	    aw->flow->key.client_port);
	format_endpoint(sv, sizeof(sv), &aw->flow->key.server,
	    aw->flow->key.server_port);
	format_clock(at, sizeof(at), aw->since);
	rules_raise_wait(an, R_REQUEST_UNACKED, aw->since + limit, aw->flow,
	    NULL, aw->since, limit,
	    "server %s did not acknowledge request bytes that client %s sent "
	    "at %s for %.1f s; Cloudflare would answer 522 (--ack-timeout "
	    "%.0f s): the origin is overloaded or a middlebox drops the "
	    "traffic", sv, cl, at, secs(limit), secs(limit));
}

void
ackwatch_init(struct ackwatch *aw, struct analysis *an,
    const struct flow_ident *flow)
{
	memset(aw, 0, sizeof(*aw));
	aw->an = an;
	aw->flow = flow;
	aw->timer.fire = ack_fire;
}

void
ackwatch_follow(struct ackwatch *aw, const unsigned int *acked,
    int (*missing)(const void *conn), const void *conn)
{
	aw->acked = acked;
	aw->missing = missing;
	aw->conn = conn;
}

void
ackwatch_mark_lossy(struct ackwatch *aw)
{
	aw->lossy = 1;
}

int
ackwatch_lossy(struct ackwatch *aw)
{
	if (!aw->lossy && aw->missing != NULL && aw->missing(aw->conn))
		aw->lossy = 1;
	return aw->lossy;
}

void
ackwatch_sent(struct ackwatch *aw, uint32_t end, uint32_t acked, int64_t ts)
{
	if (!aw->fired && seq_after(end, acked) &&
	    (!aw->waiting || !seq_after(aw->sent, acked))) {
		/* everything before was acknowledged: a new wait */
		aw->waiting = 1;
		aw->since = ts;
		aw->mark = acked;
		if (aw->timer.slot == 0 && aw->acked != NULL)
			timers_set(&aw->an->timers, &aw->timer,
			    ts + aw->an->cfg.ack_timeout);
	}
	aw->sent = end;
	aw->last = ts;
}

int
ackwatch_pending(const struct ackwatch *aw)
{
	return aw->acked != NULL && seq_after(aw->sent, *aw->acked);
}

void
ackwatch_stop(struct ackwatch *aw)
{
	if (aw->an != NULL)
		timers_cancel(&aw->an->timers, &aw->timer);
}
