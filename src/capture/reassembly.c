/* reassembly.c: libnids, fed packet by packet, turned into flow events.
 *
 * The only file that includes nids.h, and so the home of the globals that
 * libnids forces on us (its callbacks carry no context pointer). libnids
 * never opens a capture: it is given a dead DLT_RAW handle, so it expects
 * bare IP packets, which is what decap hands us.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/tcp.h>         /* TCP_SYN_SENT, as libnids names states */
#include <nids.h>
#include <time.h>

#include "bytes.h"
#include "exchange.h"
#include "front.h"
#include "hash.h"
#include "pool.h"
#include "reassembly.h"
#include "tcpwatch.h"


static struct analysis *analysis;
static const uint8_t *ports;
static pcap_t *raw_handle;
static struct pcap_pkthdr last_header;  /* libnids keeps a pointer to it */
static reassembly_fatal_fn fatal;
static struct reassembly_caps caps;
static uint64_t held_total;     /* bytes held back, all flows */

/* Our flows by last activity, the longest idle at the old end: who goes
 * first when --max-flows is reached, and whom the idle sweep lets go. */
static struct {
	struct flow *oldest, *newest;
	uint32_t count;
	struct timer sweep;             /* at the oldest one's idle deadline */
} flows;

/* Halves whose buffer grew past libnids' first 4 KiB (they held back an
 * incomplete head) and are now wholly consumed: their buffer is freed
 * once libnids is done with the packet, and comes back on the next byte
 * (add2buf() allocates when data is NULL). A packet reaches one stream. */
#define SHRINK_MAX 2
struct shrink {
	struct tcp_stream *a;
	struct half_stream *h;
	struct flow *f;                 /* a->user when queued */
};
static struct shrink shrink[SHRINK_MAX];
static int shrinks;

/* Connections whose halves were wholly consumed at the end of a message,
 * oldest first. From a direction's first byte to its connection's end
 * libnids keeps a buffer of at least 4 KiB for it (add2buf()), more than
 * all else a connection costs together. With nothing unread in it, it
 * can go: libnids allocates a new one on the next byte (add2buf() does
 * when data is NULL). Freed at once, each message would cost a free and
 * a malloc (5% more instructions on the nginx keep-alive capture,
 * bench/README.md), so the buffers go only once the connection has sent
 * nothing either way for QUIET after a message's end: a segment with PSH
 * or FIN, which stacks set on the last segment of each write. Past
 * QUIET_MAX queued (160,000 messages a second of packet time) the newest
 * are not queued and keep their buffers. */
#ifndef QUIET                   /* -DQUIET=N to measure another */
#define QUIET (USEC / 10)
#endif
#define QUIET_MAX 16384
struct quiet {
	struct tcp_stream *a;
	struct flow *f;                 /* a->user when queued */
	int64_t at;                     /* queued then */
	int count[2];                   /* a->client.count, a->server.count
					 * then: if one moved, data came */
};
static struct quiet quiet[QUIET_MAX];   /* a ring */
static unsigned quiet_first, quiet_n;
static int64_t quiet_due = INT64_MAX;   /* the oldest's time to go */
static const uint8_t *segment;  /* the IP datagram libnids is handling */
static int64_t now_ts;          /* its time */

static int pickup;              /* the next stream is made up (front.c) */
static int rst_sender = -1;     /* the packet given to libnids is an RST
				 * from this enum flow_dir; -1: not one */
static unsigned events;         /* calls of on_tcp(), for reassembly_ipv4() */
static int whole;               /* the packet given to libnids is no
				 * fragment: front.c vetted its TCP header */
static int on_ip_registered;    /* a fragment came: on_ip() is called */

/* Gaps found while libnids called us, filled once it returns. */
#define FILLS_MAX 2
#define GAP_MAX 65000           /* one segment stands in for a gap */
struct fill {
	struct tcp_stream *a;
	struct flow *f;                 /* a->user when queued */
	enum flow_dir d;
	uint32_t seq, len;
};
static struct fill fills[FILLS_MAX];
static int nfills;

/* A half-stream's state once its FIN was taken (libnids' tcp.c, 1.24 to
 * 1.26, not installed); FIN_CONFIRMED (121) once acknowledged. */
#define NIDS_FIN_SENT 120

/* The head of libnids' queue of segments past a hole (tcp.h of libnids
 * 1.24 to 1.26, not installed): only seq is read, of the first one. */
struct nids_skbuff {
	struct nids_skbuff *next, *prev;
	void *data;
	u_int len, truesize, urg_ptr;
	char fin, urg;
	u_int seq, ack;
};

/* The time of the packet libnids handles, or handled last (as
 * nids_last_pcap_header tells it: feed() sets both). */
static int64_t
packet_time(void)
{
	return now_ts;
}

/* Replaces libnids' syslog reporting: count, never print. */
static void
count_warning(int type, int errnum, struct ip *iph, void *data)
{
	(void)type;
	(void)iph;
	(void)data;
	struct stats *st = analysis->st;

	if (errnum >= 0 && (size_t)errnum <
	    sizeof(st->nids_warnings) / sizeof(st->nids_warnings[0]))
		st->nids_warnings[errnum]++;
}

/* The key as libnids sees it: IPv4, lent addresses included. */
static void
key_from(struct flow_key *k, const struct tuple4 *t)
{
	memset(k, 0, sizeof(*k));
	k->client.family = AF_INET;
	k->server.family = AF_INET;
	memcpy(k->client.bytes, &t->saddr, 4);
	memcpy(k->server.bytes, &t->daddr, 4);
	k->client_port = t->source;
	k->server_port = t->dest;
}

/* libnids calls this when malloc fails, and would exit(1) after it:
 * that must not pass for "violations found". */
static void
out_of_memory(char *where)
{
	fatal(where);
}

/* Does the segment libnids is handling have PSH or FIN? (Its TCP header
 * is whole: front.c or on_ip() vetted it.) */
static int
ends_message(void)
{
	return (segment[(segment[0] & 15) * 4 + 13] & (TH_PUSH | TH_FIN)) != 0;
}

/* A message ended and left nothing unread in its direction. */
static void
queue_quiet(struct tcp_stream *a, struct flow *f)
{
	if (quiet_n == QUIET_MAX)
		return;
	if (quiet_n == 0)
		quiet_due = now_ts + QUIET;
	quiet[(quiet_first + quiet_n++) % QUIET_MAX] =
	    (struct quiet){a, f, now_ts, {a->client.count, a->server.count}};
}

/* Offer a half's unread bytes; keep what the dissector did not consume.
 * What is kept stays in libnids' buffer, so the bytes kept are bounded,
 * per stream (--max-stream-buffer) and across all flows (--max-held):
 * past either, the head this flow is waiting to complete is given up. */
static void
deliver(struct tcp_stream *a, struct flow *f, enum flow_dir d,
    struct half_stream *h)
{
	size_t avail = (size_t)(h->count - h->offset);
	size_t used = flow_data(f, d, h->data, avail, packet_time());
	uint32_t *held = flow_link(f)->held;

	held_total -= held[d];
	held[d] = 0;
	if (used < avail && (avail - used > caps.max_stream_buffer ||
	    held_total + (avail - used) > caps.max_held)) {
		analysis->st->held_capped++;
		flow_give_up(f, d, packet_time());
		used = avail;
	}
	if (used == avail) {
		if (h->bufsize > 4096 && shrinks < SHRINK_MAX)
			shrink[shrinks++] = (struct shrink){a, h, f};
		else if (ends_message())
			queue_quiet(a, f);
		return;
	}
	held[d] = (uint32_t)(avail - used);
	held_total += held[d];
	nids_discard(a, (int)used);
}

/* Did a side acknowledge bytes of the other that never reached us? Then
 * the capture lost them (a FIN takes one sequence number, hence > 1).
 * Segments libnids holds beyond a hole prove nothing by themselves: the
 * network may have lost one, and then the peer is still waiting too. */
static int
stream_missing(const void *conn)
{
	const struct tcp_stream *a = conn;
	uint32_t from_server = a->server.first_data_seq +
	    (uint32_t)a->client.count + (uint32_t)a->client.urg_count;
	uint32_t from_client = a->client.first_data_seq +
	    (uint32_t)a->server.count + (uint32_t)a->server.urg_count;

	if ((int32_t)(a->client.ack_seq - from_server) > 1 ||
	    (int32_t)(a->server.ack_seq - from_client) > 1)
		return 1;
	/* picked up without a handshake and nothing from the server since:
	 * its silence may be the capture's (one direction only) */
	return a->user != NULL && flow_is_midstream(a->user) &&
	    a->client.count == 0 && a->server.ack_seq == a->client.first_data_seq;
}

/* Has the receiver of direction d acknowledged bytes of it that libnids
 * never got? Then the capture lost them: the flow is told, and a segment standing in for them
 * is given to libnids once it returns (reassembly_fill_gaps), so that what
 * it holds past the hole comes through. */
static inline void
find_gap(struct tcp_stream *a, struct flow *f, enum flow_dir d)
{
	struct half_stream *snd = d == FROM_CLIENT ? &a->client : &a->server;
	struct half_stream *rcv = d == FROM_CLIENT ? &a->server : &a->client;
	uint32_t next = snd->first_data_seq + (uint32_t)rcv->count +
	    (uint32_t)rcv->urg_count, end = rcv->ack_seq;
	const struct nids_skbuff *q = (const void *)rcv->list;

	if ((int32_t)(end - next) <= 1)
		return;         /* nothing missing (a FIN takes one number) */
	if (q != NULL && (int32_t)(q->seq - end) < 0)
		end = q->seq;   /* up to what libnids holds past the hole */
	if ((int32_t)(end - next) <= 0 || nfills == FILLS_MAX)
		return;
	if (end - next > GAP_MAX) {
		analysis->st->gaps_unfilled++;
		return;
	}
	flow_gap(f, d, (uint64_t)rcv->count, end - next, packet_time());
	fills[nfills++] = (struct fill){a, f, d, next, end - next};
}

static void
lru_unlink(struct flow *f)
{
	struct flow_link *l = flow_link(f);

	if (l->older != NULL)
		flow_link(l->older)->newer = l->newer;
	else
		flows.oldest = l->newer;
	if (l->newer != NULL)
		flow_link(l->newer)->older = l->older;
	else
		flows.newest = l->older;
	l->older = l->newer = NULL;
}

/* lru_touch() past its test: f to the new end. */
static void __attribute__((noinline))
lru_move(struct flow *f, int64_t now, int linked)
{
	struct flow_link *l = flow_link(f);

	l->active = now;
	if (flows.newest == f)
		return;
	if (linked)
		lru_unlink(f);
	l->older = flows.newest;
	if (flows.newest != NULL)
		flow_link(flows.newest)->newer = f;
	else
		flows.oldest = f;
	flows.newest = f;
	if (flows.sweep.slot == 0 && caps.idle_timeout > 0)
		timers_set(&analysis->timers, &flows.sweep,
		    flow_link(flows.oldest)->active + caps.idle_timeout);
}

static inline void
lru_touch(struct flow *f, int64_t now)
{
	struct flow_link *l = flow_link(f);
	int linked = l->older != NULL || flows.oldest == f;

	/* to the second: relinking on every segment costs more than the
	 * order is worth */
	if (!linked || now - l->active >= USEC)
		lru_move(f, now, linked);
}

/* The last lookup, kept while libnids' table cannot have changed: a FIN
 * or RST is looked up two or three times around its packet (is it in the
 * window, who sent it), and each libnids lookup hashes the 4-tuple with
 * mkhash() once per direction tried. table_gen moves on whenever libnids
 * runs or a stream is freed. */
static unsigned table_gen = 1;
static struct {
	unsigned gen;
	uint8_t key[12];        /* addresses and ports as in the packet */
	struct tcp_stream *a;
} last_lookup;

static void
table_changed(void)
{
	table_gen++;
}

/* The 4-tuples (either direction) on which this code gave libnids a SYN
 * without ACK or RST, the only segment from which it starts a stream
 * (add_new_tcp()): bits of a table keyed at random. A clear bit proves
 * that libnids follows nothing there, and spares reassembly_follows()
 * the two failing lookups (a mkhash() each) that a new connection's
 * SYN-ACK would cost. Bits are never cleared, since libnids lets streams
 * go without a word: as the table fills, libnids is asked more often, as
 * it always was before. Never made (out of memory): ask. */
#define SYN_BITS (1u << 20)     /* 128 KiB */
static struct {
	uint64_t *bits;
	uint64_t seed;
	int failed;             /* calloc failed: every lookup asks */
} syns;

/* The bit of the 4-tuple of ip (its IP header and TCP ports), the same
 * for both directions. */
static uint32_t
syn_bit(const uint8_t *ip)
{
	const uint8_t *tcp = ip + (size_t)(ip[0] & 15) * 4;
	uint64_t a = (uint64_t)be32(ip + 12) << 16 | be16(tcp);
	uint64_t b = (uint64_t)be32(ip + 16) << 16 | be16(tcp + 2);

	return hash_pair(syns.seed, a < b ? a : b, a < b ? b : a) &
	    (SYN_BITS - 1);
}

/* ip, a whole TCP segment with SYN and neither ACK nor RST (its header
 * captured), is given to libnids: it may start a stream. */
static void
note_syn(const uint8_t *ip)
{
	uint32_t bit;

	if (syns.failed)
		return;
	if (syns.bits == NULL) {
		syns.seed = hash_seed();
		syns.bits = calloc(SYN_BITS / 64, sizeof(*syns.bits));
		if (syns.bits == NULL) {
			syns.failed = 1;
			return;
		}
	}
	bit = syn_bit(ip);
	syns.bits[bit / 64] |= 1ULL << (bit % 64);
}

/* Could libnids follow the 4-tuple of ip? 0 only when it cannot. */
static int
syn_seen(const uint8_t *ip)
{
	uint32_t bit;

	if (syns.failed)
		return 1;
	if (syns.bits == NULL)
		return 0;
	bit = syn_bit(ip);
	return (syns.bits[bit / 64] >> (bit % 64)) & 1;
}

/* The streams that carry a flow of ours, by 4-tuple (either direction),
 * so that stream_of() finds them without libnids' lookup (a mkhash() per
 * direction tried): the FINs and RSTs of every connection ask. An entry
 * lives from stream_open() to stream_close(), and libnids frees no
 * stream that carries a flow without calling on_tcp() first (its timeout
 * for reused 4-tuples is off: reassembly_init()), nor do we (let_go(),
 * reassembly_end()). Any other stream is libnids' to find. */
#define OURS_BUCKETS_MIN 1024   /* a power of two, doubled while the */
#define OURS_BUCKETS 65536      /* streams outnumber it, up to this */
struct ours {
	struct ours *next;
	uint64_t lo, hi;        /* the endpoints, address and port, lower
				 * first */
	struct tcp_stream *a;
};
static struct pool ours_pool = POOL(struct ours, 1024, 0);
static struct {
	struct ours **bucket;   /* NULL: none made yet, or out of memory */
	size_t buckets;         /* how many: small stays in cache */
	uint64_t seed;
	size_t count;
} ours;

static struct ours **
ours_find(uint64_t lo, uint64_t hi)
{
	struct ours **p = &ours.bucket[hash_pair(ours.seed, lo, hi) &
	    (ours.buckets - 1)];

	while (*p != NULL && ((*p)->lo != lo || (*p)->hi != hi))
		p = &(*p)->next;
	return p;
}

/* The endpoints of a libnids 4-tuple, as ours_of() packs a packet's. */
static void
ours_key(const struct tcp_stream *a, uint64_t *lo, uint64_t *hi)
{
	uint64_t c = (uint64_t)be32((const uint8_t *)&a->addr.saddr) << 16 |
	    a->addr.source;
	uint64_t s = (uint64_t)be32((const uint8_t *)&a->addr.daddr) << 16 |
	    a->addr.dest;

	*lo = c < s ? c : s;
	*hi = c < s ? s : c;
}

/* Twice the buckets, the entries moved over; without memory, the chains
 * only grow longer. */
static void
ours_grow(void)
{
	size_t n = ours.buckets * 2;
	struct ours **old = ours.bucket, **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return;
	for (size_t i = 0; i < n / 2; i++)
		while (old[i] != NULL) {
			struct ours *o = old[i], **head;

			old[i] = o->next;
			head = &b[hash_pair(ours.seed, o->lo, o->hi) & (n - 1)];
			o->next = *head;
			*head = o;
		}
	free(old);
	ours.bucket = b;
	ours.buckets = n;
}

static void
ours_add(struct tcp_stream *a)
{
	struct ours *o, **p;
	uint64_t lo, hi;

	if (ours.bucket == NULL) {
		ours.bucket = calloc(OURS_BUCKETS_MIN, sizeof(*ours.bucket));
		if (ours.bucket == NULL)
			return;
		ours.buckets = OURS_BUCKETS_MIN;
		ours.seed = hash_seed();
	}
	ours_key(a, &lo, &hi);
	p = ours_find(lo, hi);
	if (*p != NULL) {
		(*p)->a = a;    /* libnids keeps one stream per 4-tuple */
		return;
	}
	if ((o = pool_get(&ours_pool)) == NULL)
		return;
	*o = (struct ours){NULL, lo, hi, a};
	*p = o;
	ours.count++;
	if (ours.count > ours.buckets && ours.buckets < OURS_BUCKETS)
		ours_grow();
}

static void
ours_remove(const struct tcp_stream *a)
{
	struct ours *o, **p;
	uint64_t lo, hi;

	if (ours.bucket == NULL)
		return;
	ours_key(a, &lo, &hi);
	p = ours_find(lo, hi);
	if ((o = *p) == NULL || o->a != a)
		return;
	*p = o->next;
	pool_put(&ours_pool, o);
	ours.count--;
}

/* The stream of ours on the packet's 4-tuple (its IP header and TCP
 * ports captured), or NULL. */
static struct tcp_stream *
ours_of(const uint8_t *ip)
{
	const uint8_t *tcp = ip + (size_t)(ip[0] & 15) * 4;
	uint64_t a = (uint64_t)be32(ip + 12) << 16 | be16(tcp);
	uint64_t b = (uint64_t)be32(ip + 16) << 16 | be16(tcp + 2);
	struct ours *o;

	if (ours.bucket == NULL)
		return NULL;
	o = *ours_find(a < b ? a : b, a < b ? b : a);
	return o != NULL ? o->a : NULL;
}

/* At the end, when every flow has let go (none are left, then). */
static void
ours_free(void)
{
	for (size_t i = 0; ours.count > 0 && i < ours.buckets; i++)
		while (ours.bucket[i] != NULL) {
			struct ours *o = ours.bucket[i];

			ours.bucket[i] = o->next;
			free(o);
			ours.count--;
		}
	free(ours.bucket);
	ours.bucket = NULL;
	pool_drain(&ours_pool);
}

static void stream_close(struct tcp_stream *, struct flow *,
    const size_t[2], enum exchange_end);

/* Let a flow go before its connection ended: report it, and free its
 * stream (no libnids callback follows). */
static void
let_go(struct flow *f, enum exchange_end how)
{
	struct tcp_stream *a = flow_link(f)->conn;
	size_t unread[2];

	unread[FROM_CLIENT] = (size_t)(a->server.count - a->server.offset);
	unread[FROM_SERVER] = (size_t)(a->client.count - a->client.offset);
	stream_close(a, f, unread, how);
	nids_free_tcp_stream(a);
	table_changed();
}

/* --max-flows reached: the longest idle of the oldest few that waits for
 * no response goes, else the longest idle. */
static void
make_room(void)
{
	struct flow *f = flows.oldest, *pick = flows.oldest;

	for (int i = 0; f != NULL && i < 16; i++, f = flow_link(f)->newer)
		if (flow_pending(f) == 0) {
			pick = f;
			break;
		}
	if (pick == NULL)
		return;
	analysis->st->flows_evicted++;
	let_go(pick, END_EVICTED);
}

/* The idle sweep: flows silent past --idle-timeout go, oldest first. */
static void
on_sweep(struct timer *t, int64_t now)
{
	(void)t;
	while (flows.oldest != NULL &&
	    flow_link(flows.oldest)->active + caps.idle_timeout < now) {
		analysis->st->flows_idle++;
		let_go(flows.oldest, END_IDLE);
	}
	if (flows.oldest != NULL)
		timers_set(&analysis->timers, &flows.sweep,
		    flow_link(flows.oldest)->active + caps.idle_timeout);
}

static struct flow *
stream_open(struct tcp_stream *a)
{
	struct flow_key k;
	struct flow *f;

	if (caps.max_flows > 0 && flows.count >= caps.max_flows)
		make_room();
	key_from(&k, &a->addr);
	front_unmap_key(&k);
	f = flow_open(&k, packet_time(), analysis);
	if (f == NULL)
		return NULL;
	flow_link(f)->conn = a;
	ours_add(a);
	flows.count++;
	lru_touch(f, packet_time());
	/* a->server.ack_seq: the highest ACK the server sent */
	ackwatch_follow(flow_ackwatch(f), &a->server.ack_seq, stream_missing,
	    a);
	key_from(&k, &a->addr);
	front_hold_key(&k, 1, packet_time());
	return f;
}

static void
stream_close(struct tcp_stream *a, struct flow *f, const size_t unread[2],
    enum exchange_end how)
{
	const uint32_t *held = flow_link(f)->held;
	struct flow_key k;

	held_total -= held[FROM_CLIENT] + held[FROM_SERVER];
	lru_unlink(f);
	flows.count--;
	flow_close(f, unread, how, packet_time());
	a->user = NULL;
	ours_remove(a);
	key_from(&k, &a->addr);
	front_hold_key(&k, 0, packet_time());
}

/* Why libnids let go of a stream: only CLOSE and RESET are the
 * connection ending; TIMED_OUT is its table being full, EXITING the end
 * of the input. */
static enum exchange_end
end_of(int nids_state)
{
	switch (nids_state) {
	case NIDS_TIMED_OUT:
		return END_EVICTED;
	case NIDS_EXITING:
		return END_CAPTURE_ENDED;
	default:
		return END_CLOSED;
	}
}

static void
on_tcp(struct tcp_stream *a, void **param)
{
	struct flow *f = *param;
	size_t unread[2];

	events++;
	switch (a->nids_state) {
	case NIDS_JUST_EST:
		if (ports != NULL &&
		    !(ports[a->addr.dest / 8] & (1 << (a->addr.dest % 8))))
			return;
		if ((f = stream_open(a)) == NULL)
			return;
		*param = f;
		a->user = f;
		if (pickup)
			flow_set_midstream(f);
		a->client.collect++;
		a->server.collect++;
		return;
	case NIDS_DATA:
		if (f == NULL)
			return;
		flow_prefetch(f, a->server.count_new > 0,
		    a->client.count_new > 0);
		lru_touch(f, packet_time());
		find_gap(a, f, FROM_CLIENT);
		find_gap(a, f, FROM_SERVER);
		/* a->server receives what the client sent */
		if (a->server.count_new > 0) {
			ackwatch_sent(flow_ackwatch(f), a->client.first_data_seq +
			    (unsigned)a->server.count +
			    (unsigned)a->server.urg_count, a->server.ack_seq,
			    packet_time());
			deliver(a, f, FROM_CLIENT, &a->server);
		}
		if (a->client.count_new > 0)
			deliver(a, f, FROM_SERVER, &a->client);
		if (flow_ignored(f)) {
			a->client.collect--;
			a->server.collect--;
			unread[FROM_CLIENT] = unread[FROM_SERVER] = 0;
			stream_close(a, f, unread, END_CAPTURE_ENDED);
			*param = NULL;
		}
		return;
	default:        /* NIDS_CLOSE, NIDS_RESET, NIDS_TIMED_OUT, NIDS_EXITING */
		if (f == NULL)
			return;
		unread[FROM_CLIENT] = (size_t)(a->server.count - a->server.offset);
		unread[FROM_SERVER] = (size_t)(a->client.count - a->client.offset);
		if (a->nids_state == NIDS_TIMED_OUT)
			analysis->st->flows_evicted++;
		if (a->nids_state == NIDS_RESET && rst_sender >= 0)
			flow_tcp_end(f, (enum flow_dir)rst_sender, 1,
			    packet_time());
		stream_close(a, f, unread, end_of(a->nids_state));
		*param = NULL;
		return;
	}
}

/* After libnids put fragments together: vet the TCP header as front.c
 * does for whole packets. libnids calls us before its own TCP code, and
 * passes over a datagram whose protocol is not one it knows. Registered
 * with the first fragment (feed()): whole packets need nothing of it. */
static void
on_ip(struct ip *iph, int skblen)
{
	uint8_t *ip = (uint8_t *)iph;   /* not always aligned for struct ip */

	(void)skblen;
	if (whole)
		return;
	segment = ip;   /* put together */
	if (!front_tcp_ok(analysis->st, ip, (size_t)(ip[2] << 8 | ip[3])))
		ip[9] = 255;    /* IANA: reserved */
	else if (ip[9] == IPPROTO_TCP && (ip[(ip[0] & 15) * 4 + 13] &
	    (TH_SYN | TH_ACK | TH_RST)) == TH_SYN)
		note_syn(ip);   /* its TCP header is whole */
}

int
reassembly_init(struct analysis *an, const uint8_t *port_map,
    const struct reassembly_caps *c, reassembly_fatal_fn on_fatal, char *err,
    size_t errlen)
{
	static struct nids_chksum_ctl no_checksums = {0, 0, NIDS_DONT_CHKSUM, 0};

	analysis = an;
	ports = port_map;
	caps = *c;
	fatal = on_fatal;
	memset(&flows, 0, sizeof(flows));
	flows.sweep.fire = on_sweep;
	raw_handle = pcap_open_dead(DLT_RAW, 262144);
	if (raw_handle == NULL) {
		snprintf(err, errlen, "cannot create the reassembly handle");
		return -1;
	}
	nids_params.pcap_desc = raw_handle;
	nids_params.filename = NULL;
	nids_params.device = NULL;
	nids_params.pcap_filter = NULL;
	nids_params.scan_num_hosts = 0;         /* port-scan detection off */
	/* libnids lets its oldest stream go past 3/4 of this: above what
	 * --max-flows lets through, with room for handshakes under way */
	nids_params.n_tcp_streams = (int)((caps.max_flows + 4096) / 3 * 4);
	nids_params.syslog = count_warning;
	nids_params.no_mem = out_of_memory;
	/* a SYN on a 4-tuple it follows would make libnids free that stream
	 * without telling us, once the stream is older than this: front.c
	 * decides instead (reassembly_end) */
	nids_params.tcp_flow_timeout = 0;
	if (!nids_init()) {
		snprintf(err, errlen, "cannot start libnids: %s", nids_errbuf);
		return -1;
	}
	/* offloaded checksums would otherwise drop a whole direction */
	nids_register_chksum_ctl(&no_checksums, 1);
	on_ip_registered = 0;
	nids_register_tcp(on_tcp);
	return 0;
}

/* The 4-tuple as the other side sends. */
static void
reverse(struct tuple4 *t)
{
	u_short port = t->source;
	u_int addr = t->saddr;

	t->source = t->dest;
	t->dest = port;
	t->saddr = t->daddr;
	t->daddr = addr;
}

/* libnids' stream of the packet's 4-tuple, in either direction, or
 * NULL: two lookups at most, each hashing the 4-tuple (mkhash()). */
static struct tcp_stream *
nids_stream_of(const uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	struct tuple4 t;
	struct tcp_stream *a;

	memcpy(&t.saddr, ip + 12, 4);
	memcpy(&t.daddr, ip + 16, 4);
	t.source = (u_short)(ip[ihl] << 8 | ip[ihl + 1]);
	t.dest = (u_short)(ip[ihl + 2] << 8 | ip[ihl + 3]);
	/* libnids keys a stream as its client sends; a server's port is
	 * usually the lower one, so a packet from it is tried reversed first
	 * (both are tried either way: this only saves a lookup) */
	if (t.source < t.dest)
		reverse(&t);
	if ((a = nids_find_tcp_stream(&t)) == NULL) {
		reverse(&t);
		a = nids_find_tcp_stream(&t);
	}
	return a;
}

/* The stream of the packet's 4-tuple, in either direction, or NULL.
 * The packet has its IP header and TCP ports captured. One of ours is
 * found in our table; libnids is asked for any other, once while its
 * table stays the same (last_lookup). */
static struct tcp_stream *
stream_of(const uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	struct tcp_stream *a;
	uint8_t key[12];

	memcpy(key, ip + 12, 8);
	memcpy(key + 8, ip + ihl, 4);
	if (last_lookup.gen == table_gen &&
	    memcmp(last_lookup.key, key, sizeof(key)) == 0)
		return last_lookup.a;
	if ((a = ours_of(ip)) == NULL)
		a = nids_stream_of(ip);
	last_lookup.gen = table_gen;
	memcpy(last_lookup.key, key, sizeof(key));
	last_lookup.a = a;
	return a;
}

/* Did the packet come from the side that opened the stream? */
static int
sent_by_client(const struct tcp_stream *a, const uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;

	return memcmp(&a->addr.saddr, ip + 12, 4) == 0 &&
	    a->addr.source == (u_short)(ip[ihl] << 8 | ip[ihl + 1]);
}

/* A packet cut by the snaplen cannot reach the stream, so its connection
 * has a hole: tell the flow, whose rules must then not take a missing
 * request for an unsolicited response. Returns 1 if the packet was cut. */
static int
mark_cut(const uint8_t *ip, size_t caplen)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	struct tcp_stream *a;

	if (caplen < 20 || ((size_t)ip[2] << 8 | ip[3]) <= caplen)
		return 0;
	if (ihl < 20 || caplen < ihl + 4)
		return 1;
	a = stream_of(ip);
	if (a != NULL && a->user != NULL)
		flow_mark_lossy(a->user);
	return 1;
}

/* Asked of a SYN-ACK's held SYN and of data libnids did not take, that
 * is, mostly where libnids follows nothing: syn_seen() spares its
 * lookups then. */
int
reassembly_follows(const uint8_t *ip, uint32_t *client_next)
{
	struct tcp_stream *a = syn_seen(ip) ? stream_of(ip) : NULL;

	if (a != NULL && client_next != NULL)
		*client_next = a->client.seq;
	return a != NULL;
}

int
reassembly_established(const uint8_t *ip)
{
	struct tcp_stream *a = stream_of(ip);

	return a != NULL && a->client.state != TCP_SYN_SENT;
}

void
reassembly_end(const uint8_t *ip)
{
	struct tcp_stream *a = stream_of(ip);
	size_t unread[2];

	if (a == NULL)
		return;
	if (a->user != NULL) {
		unread[FROM_CLIENT] = (size_t)(a->server.count - a->server.offset);
		unread[FROM_SERVER] = (size_t)(a->client.count - a->client.offset);
		stream_close(a, a->user, unread, END_CLOSED);
	}
	nids_free_tcp_stream(a);        /* frees our listener's record too */
	table_changed();
}

void
reassembly_pickup(int on)
{
	pickup = on;
}

int
reassembly_from_client(const uint8_t *ip)
{
	struct tcp_stream *a = stream_of(ip);

	return a == NULL || sent_by_client(a, ip);
}

int
reassembly_end_acceptable(const uint8_t *ip, int rst)
{
	struct tcp_stream *a = stream_of(ip);
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	const uint8_t *tcp = ip + ihl;
	uint32_t seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 |
	    (uint32_t)tcp[6] << 8 | tcp[7], lo, hi, sent;
	int32_t len = (int32_t)((size_t)(ip[2] << 8 | ip[3]) - ihl -
	    (size_t)(tcp[12] >> 4) * 4);
	struct half_stream *snd, *rcv;

	if (a == NULL || a->nids_state != NIDS_DATA)
		return 1;       /* nothing of ours to end */
	if (sent_by_client(a, ip)) {
		snd = &a->client;
		rcv = &a->server;
	} else {
		snd = &a->server;
		rcv = &a->client;
	}
	lo = rcv->ack_seq;
	if (!rst)       /* libnids' own window check, counted here */
		return (len == 0 && seq == lo) ||
		    ((int32_t)(seq - (lo + rcv->window * rcv->wscale)) < 0 &&
		    (int32_t)(seq + (uint32_t)len - lo) >= 0);
	/* RFC 5961 3.2: the receiver takes an RST only at the next number
	 * it expects, which lies between what it acknowledged and what the
	 * sender sent */
	sent = snd->first_data_seq + (uint32_t)rcv->count +
	    (uint32_t)rcv->urg_count;
	hi = (int32_t)(sent - lo) > 0 ? sent : lo;
	if ((int32_t)(sent - lo) < 0)
		lo = sent;
	return (int32_t)(seq - lo) >= 0 && (int32_t)(seq - (hi + 1)) <= 0;
}

/* A half's buffer, when nothing in it is unread, freed; libnids must
 * not be running (it may hold on to the buffer while it calls us). */
static void
release_buffer(struct half_stream *h)
{
	if (h->data == NULL || h->count != h->offset)
		return;
	free(h->data);
	h->data = NULL;
	h->bufsize = 0;
}

/* After the packet: free the buffers queued by deliver() whose stream
 * is still the same connection (a->user is cleared when it ends) and
 * still holds nothing. */
static void
release_buffers(void)
{
	for (int i = 0; i < shrinks; i++)
		if (shrink[i].a->user == shrink[i].f)
			release_buffer(shrink[i].h);
	shrinks = 0;
}

/* Free the buffers of the connections queued before now - QUIET whose
 * stream is still the same connection (a->user is cleared when it ends)
 * and has had no data either way since. */
static __attribute__((noinline)) void
release_quiet(int64_t now)
{
	while (quiet_n > 0 && quiet[quiet_first].at + QUIET <= now) {
		const struct quiet *q = &quiet[quiet_first];
		struct tcp_stream *a = q->a;

		if (a->user == q->f && a->client.count == q->count[0] &&
		    a->server.count == q->count[1]) {
			release_buffer(&a->client);
			release_buffer(&a->server);
		}
		quiet_first = (quiet_first + 1) % QUIET_MAX;
		quiet_n--;
	}
	quiet_due = quiet_n > 0 ? quiet[quiet_first].at + QUIET : INT64_MAX;
}

void
reassembly_tick(int64_t now)
{
	if (now >= quiet_due)
		release_quiet(now);
}

/* When libnids last had a fragment (wall clock, as libnids' fragment
 * queues time out), or 0: never. */
static time_t fragment_fed;

/* The packet now handled, whether libnids takes it or not: its time is
 * the time of what it causes (packet_time()). */
static inline void
set_packet(size_t caplen, int64_t ts)
{
	struct pcap_pkthdr *h = &last_header;

	/* h->ts is now_ts as a timeval (both 0 at first): carried on from
	 * it when the time moved less than a second, as between most
	 * packets, for less than a division costs */
	if (ts - now_ts >= 0 && ts - now_ts < USEC) {
		h->ts.tv_usec += (suseconds_t)(ts - now_ts);
		if (h->ts.tv_usec >= USEC) {
			h->ts.tv_usec -= USEC;
			h->ts.tv_sec++;
		}
	} else {
		h->ts.tv_sec = (time_t)(ts / USEC);
		h->ts.tv_usec = (suseconds_t)(ts % USEC);
	}
	h->caplen = (bpf_u_int32)caplen;
	h->len = (bpf_u_int32)caplen;
	now_ts = ts;
}

/* One packet into libnids; whole: it is no fragment. */
static inline void
feed(const uint8_t *ip, size_t caplen, int64_t ts, int is_whole)
{
	struct pcap_pkthdr *h = &last_header;

	set_packet(caplen, ts);
	whole = is_whole;
	if (!is_whole) {
		fragment_fed = time(NULL);
		if (!on_ip_registered) {
			nids_register_ip(on_ip);        /* before libnids' own */
			on_ip_registered = 1;
		}
	}
	segment = ip;   /* for a fragment, on_ip() sets the datagram */
	/* libnids reads the packet in place and keeps no pointer into it */
	table_changed();
	nids_pcap_handler(NULL, h, (u_char *)(uintptr_t)ip);
	table_changed();
	if (shrinks > 0)
		release_buffers();
	if (ts >= quiet_due)
		release_quiet(ts);
}

/* --- pure ACKs, taken without libnids --- */

/* libnids' get_ts(): the TCP timestamp option's first value, read as
 * libnids reads options (a walk that stops at EOL or at a length below
 * 2). Returns 1 if there is one. */
static int
nids_timestamp(const uint8_t *tcp, uint32_t *ts)
{
	int len = (tcp[12] >> 4) * 4, ind = 0, ret = 0;
	const uint8_t *o = tcp + 20;

	while (ind <= len - 20 - 10)
		switch (o[ind]) {
		case 0:
			return ret;
		case 1:
			ind++;
			continue;
		case 8:
			*ts = be32(o + ind + 2);
			ret = 1;
			/* FALLTHROUGH */
		default:
			if (o[ind + 1] < 2)
				return ret;
			ind += o[ind + 1];
		}
	return ret;
}

/* The stream of a plain segment (front.c: a 20-byte IPv4 header, whole,
 * captured whole, none of SYN, RST or FIN) that process_tcp() of libnids
 * 1.24 to 1.26 would only read an ACK from: no data, ACK set, past
 * libnids' IP checks, on a stream both sides have established, with no
 * more queued past a hole than libnids keeps. Else NULL, and the packet
 * goes to libnids. So does everything for a minute after libnids last
 * had a fragment: a whole datagram with a fragment's IP id would end
 * that fragment's queue. */
static struct tcp_stream *
ack_stream(const uint8_t *ip)
{
	const uint8_t *tcp = ip + 20;
	struct tcp_stream *a;

	if (be16(ip + 2) != 20 + (size_t)(tcp[12] >> 4) * 4 ||
	    !(tcp[13] & TH_ACK))
		return NULL;
	if (fragment_fed != 0 && time(NULL) - fragment_fed <= 60)
		return NULL;
	/* libnids checks the header's checksum */
	if (sum16_folded(ip, 20) != 0xffff ||
	    (be32(ip + 12) | be32(ip + 16)) == 0)
		return NULL;
	if ((a = stream_of(ip)) == NULL || a->listeners == NULL ||
	    a->client.state != TCP_ESTABLISHED ||
	    a->server.state != TCP_ESTABLISHED ||
	    (sent_by_client(a, ip) ? &a->server : &a->client)->rmem_alloc >
	    65535)
		return NULL;
	return a;
}

/* What process_tcp() does with such a packet (ack_stream()): past its
 * window and PAWS checks, the sender's ack_seq moves forward to the ACK,
 * and its window is the one sent. No callback, no buffer: done here, the
 * packet skips libnids' IP layer and its stream lookups. */
static void
ack_apply(struct tcp_stream *a, const uint8_t *ip)
{
	const uint8_t *tcp = ip + 20;
	uint32_t seq = be32(tcp + 4), ack = be32(tcp + 8), ts;
	struct half_stream *snd = &a->server, *rcv = &a->client;

	if (sent_by_client(a, ip)) {
		snd = &a->client;
		rcv = &a->server;
	}
	if (seq != rcv->ack_seq &&
	    ((int32_t)(seq - (rcv->ack_seq + rcv->window * rcv->wscale)) >=
	    0 || (int32_t)(seq - rcv->ack_seq) < 0))
		return;         /* outside the window: libnids drops it */
	if (rcv->ts_on && nids_timestamp(tcp, &ts) &&
	    (int32_t)(ts - snd->curr_ts) < 0)
		return;         /* PAWS: likewise */
	if ((int32_t)(ack - snd->ack_seq) > 0)
		snd->ack_seq = ack;
	snd->window = (u_short)be16(tcp + 14);
}

#ifdef REASSEMBLY_CHECK_ACKS
/* tests/ack-check.sh builds interim with this: every ACK taken without
 * libnids goes to libnids too, which must leave its stream as
 * ack_apply() does, and call no one. */
static unsigned long acks_checked;

static void
ack_check(struct tcp_stream *a, const uint8_t *ip, size_t caplen,
    int64_t ts)
{
	struct tcp_stream want;
	unsigned before = events;

	if (ts >= quiet_due)    /* ours, not libnids': first, as below */
		release_quiet(ts);
	want = *a;
	ack_apply(&want, ip);
	feed(ip, caplen, ts, 1);
	if (events != before || a->nids_state != want.nids_state ||
	    a->listeners != want.listeners ||
	    memcmp(&a->client, &want.client, sizeof(want.client)) != 0 ||
	    memcmp(&a->server, &want.server, sizeof(want.server)) != 0) {
		fprintf(stderr, "interim: ack check: libnids differs after "
		    "the ACK of packet time %lld: events %u (0), state %d "
		    "(%d); client ack_seq %u (%u) window %u (%u) state %d "
		    "(%d); server ack_seq %u (%u) window %u (%u) state %d "
		    "(%d)\n", (long long)ts, events - before, a->nids_state,
		    want.nids_state, a->client.ack_seq, want.client.ack_seq,
		    a->client.window, want.client.window, a->client.state,
		    want.client.state, a->server.ack_seq, want.server.ack_seq,
		    a->server.window, want.server.window, a->server.state,
		    want.server.state);
		abort();
	}
	acks_checked++;
}
#endif

/* The TCP flags of a whole (unfragmented) segment, or 0. */
static int
tcp_flags(const uint8_t *ip, size_t caplen)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;

	if (ip[9] != IPPROTO_TCP || ((ip[6] & 0x3f) | ip[7]) != 0 ||
	    caplen < ihl + 14)
		return 0;
	return ip[ihl + 13];
}

/* Who ended the connection, and when the client gave up, are told by
 * its FINs and RSTs: libnids reports only that it closed. A FIN counts
 * once libnids took it (in order); an RST is told by on_tcp(). a is the
 * FIN's stream, found before libnids took the packet: if libnids ended it
 * meanwhile, stream_close() cleared a->user (libnids keeps its streams in
 * a pool it never frees, and a FIN starts no other stream). */
static void
note_fin(struct tcp_stream *a, const uint8_t *ip)
{
	int client;

	if (a == NULL || a->user == NULL)
		return;
	client = sent_by_client(a, ip);
	if ((client ? &a->client : &a->server)->state >= NIDS_FIN_SENT)
		flow_tcp_end(a->user, client ? FROM_CLIENT : FROM_SERVER, 0,
		    packet_time());
}

int
reassembly_ipv4(const uint8_t *ip, size_t caplen, int64_t ts)
{
	unsigned before = events;
	struct tcp_stream *fin = NULL;
	int flags;

	if (mark_cut(ip, caplen))
		return 1;       /* libnids would reject it as a bad header */
	flags = tcp_flags(ip, caplen);
	if (flags & TH_RST)
		rst_sender = reassembly_from_client(ip) ? FROM_CLIENT :
		    FROM_SERVER;
	if (flags & TH_FIN)
		fin = stream_of(ip);    /* front.c just looked it up */
	/* a fragment's SYN is noted by on_ip(), once put together */
	if ((flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN)
		note_syn(ip);
	feed(ip, caplen, ts, ((ip[6] & 0x3f) | ip[7]) == 0);
	rst_sender = -1;
	if (flags & TH_FIN)
		note_fin(fin, ip);
	return events != before;
}

int
reassembly_segment(const uint8_t *ip, size_t caplen, int64_t ts)
{
	unsigned before = events;
	struct tcp_stream *a;

	if ((a = ack_stream(ip)) != NULL) {
#ifdef REASSEMBLY_CHECK_ACKS
		ack_check(a, ip, caplen, ts);
#else
		set_packet(caplen, ts);
		if (ts >= quiet_due)
			release_quiet(ts);
		ack_apply(a, ip);
#endif
		return 0;
	}
	feed(ip, caplen, ts, 1);
	return events != before;
}

static void __attribute__((noinline))
fill_gaps(void)
{
	static uint8_t seg[40 + GAP_MAX];

	for (int i = 0; i < nfills; i++) {
		struct fill *g = &fills[i];
		struct tcp_stream *a = g->a;
		struct half_stream *rcv = g->d == FROM_CLIENT ? &a->server :
		    &a->client;
		struct half_stream *snd = g->d == FROM_CLIENT ? &a->client :
		    &a->server;
		u_int addr[2] = {a->addr.saddr, a->addr.daddr}, acked;
		u_short port[2] = {a->addr.source, a->addr.dest};
		int c = g->d == FROM_CLIENT ? 0 : 1;
		size_t n;

		if (a->user != g->f)
			continue;       /* it ended meanwhile */
		n = front_filler(seg, sizeof(seg), (uint8_t *)&addr[c],
		    (uint8_t *)&addr[!c], port[c], port[!c], g->seq,
		    snd->ack_seq, g->len);
		/* libnids drops a segment that ends before what the receiver
		 * acknowledged: let it take this one, then put the ACK back */
		acked = rcv->ack_seq;
		rcv->ack_seq = g->seq;
		if (n > 0)
			feed(seg, n, packet_time(), 1);
		if (a->user == g->f && (int32_t)(acked - rcv->ack_seq) > 0)
			rcv->ack_seq = acked;
	}
	nfills = 0;
}

void
reassembly_fill_gaps(void)
{
	if (nfills > 0)
		fill_gaps();
}

void
reassembly_finish(void)
{
	if (raw_handle == NULL)
		return;
	timers_cancel(&analysis->timers, &flows.sweep);
	/* the connections still open, least recently active first: in the
	 * same order on every run, which nids_exit()'s walk of its hash
	 * table (seeded at random) is not */
	while (flows.oldest != NULL)
		let_go(flows.oldest, END_CAPTURE_ENDED);
	/* nids_exit() frees only the first IP callback's record, which
	 * is ours, registered last: take it out first */
	if (on_ip_registered)
		nids_unregister_ip(on_ip);
	on_ip_registered = 0;
	nids_exit();            /* NIDS_EXITING for every open stream */
#ifdef REASSEMBLY_CHECK_ACKS
	fprintf(stderr, "interim: ack check: %lu ACKs taken, as libnids "
	    "takes them\n", acks_checked);
#endif
	ours_free();
	table_changed();
	quiet_n = 0;            /* their streams are gone */
	quiet_due = INT64_MAX;
	pcap_close(raw_handle);
	raw_handle = NULL;
}
