/* evidence.c: the packets of the connections with a violation, as pcap
 * (--write-violations; evidence.h says what a connection is).
 *
 * Every packet carrying TCP finds its 4-tuple in a table of the tuples
 * seen recently. Each keeps the span of its current connection (ordinals
 * of its first and last packet: the n-th packet read is the n-th again in
 * the second read), the span before it, and a SYN with another ISN that
 * no SYN-ACK has accepted yet: accepted, it begins the next span; never
 * accepted (spoofed, or lost), it stays a packet of the current one. A
 * violation marks the span that was current when what it is about
 * happened (anchor()), so that a reused tuple's later connection is not
 * taken for the one that broke the rule.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "bytes.h"
#include "decap.h"
#include "evidence.h"
#include "hash.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

#define SLACK (10 * USEC)       /* on top of the longest timeout */
#define SYN_SLACK (2 * USEC)    /* and of --syn-timeout, after the last
				 * SYN (the TCP watch times from the
				 * first) */
#define FIRST_BUCKETS 1024      /* power of two; doubles as it fills */

/* Both ends of a connection, the lower (address, port) first, so that
 * either direction finds it. */
struct tuple {
	uint8_t family;         /* 4 or 6 */
	uint8_t pad;
	uint16_t port[2];
	uint8_t addr[2][16];
};

/* What a packet says of its connection. */
struct seen {
	struct tuple t;
	int side;               /* the end that sent it: 0 or 1 of t */
	uint8_t flags;
	uint8_t data;           /* it carries bytes (by the IP length) */
	uint32_t seq, ack;
	size_t ip_off;          /* where its IP header begins in the frame */
};

/* The datagram a fragment is of; the first fragment, which has the TCP
 * header, tells the later ones' tuple. A table of the latest, each
 * overwriting what shares its slot: a later fragment whose first is gone
 * from it is not written. */
struct frag {
	uint8_t family;
	uint8_t pad[3];
	uint32_t id;
	uint8_t src[16], dst[16];
};

#define FRAGS 1024              /* power of two */

struct frag_slot {
	struct frag f;
	struct tuple t;
	int side;
};

/* The packets of one connection on a tuple. */
struct span {
	uint64_t from, to;      /* ordinals of its first and last packet */
	int64_t start;          /* its first packet's time */
	uint32_t dropped;       /* live: lost from the buffer */
	uint8_t marked;         /* a violation is about it */
	uint8_t valid;
};

/* Live: a packet kept in case its connection breaks a rule. */
struct held {
	struct held *next;              /* its tuple's, oldest first */
	struct held *gprev, *gnext;     /* every tuple's, oldest first */
	struct conn *c;
	uint64_t ord;
	uint32_t seq;
	int8_t syn_side;                /* a SYN from this end; -1: not one */
	struct pcap_pkthdr h;           /* as it is written */
	uint8_t data[];
};

/* What a packet of the tuple reads and writes comes first: one cache
 * line for the lookup, one for the rest. */
struct conn {
	struct conn *next, **pprev;     /* hash chain */
	struct tuple t;
	uint8_t list;                   /* enum list */
	int8_t syn_side;                /* -1: cur began without a SYN */
	uint8_t syn_only;               /* nothing but that SYN so far */
	uint8_t fin[2], rst, closed;
	uint8_t pending;                /* a SYN with another ISN, not
					 * accepted yet (pend: its SYNs) */
	int64_t last;                   /* its last packet's time */
	struct span cur;
	uint32_t isn;                   /* the SYN that began cur, if */
	int8_t pend_side;
	uint32_t pend_isn;
	struct conn *older, *newer;     /* in its list, by listed */
	int64_t listed;                 /* last, when it was put at the end
					 * of its list */
	struct span prev;
	struct span pend;
	uint32_t pend_all;              /* packets since, of either end */
	uint32_t pend_all_dropped;
	struct held *head, *tail;
	unsigned held;
};

/* Files: what the second read writes. syn_side -1: every packet of the
 * tuple from..to; else only that end's SYNs with seq isn. */
struct pick {
	struct tuple t;
	uint64_t from, to;
	int syn_side;
	uint32_t isn;
	size_t next;            /* the tuple's next pick, or NO_PICK */
};

#define NO_PICK SIZE_MAX

/* The tuples by what they hold, each list by last packet: how long one
 * may still have a violation depends on it, and the first to go when
 * the table is full are the ones least likely to have one. */
enum list {
	L_CLOSED,               /* FIN both ways, or RST: only stragglers to
				 * come (SLACK) */
	L_ATTEMPT,              /* SYNs only: handshake-timeout or nothing
				 * (--syn-timeout + SYN_SLACK) */
	L_OPEN,                 /* the timeouts, --idle-timeout (keep) */
	LISTS
};

struct lru {
	struct conn *oldest, *newest;
	size_t n;
};

struct evidence {
	struct sink sink;
	const struct sink *inner;
	struct stats *st;
	struct evidence_opts o;
	int64_t keep[LISTS];
	const char *path;
	pcap_t *dead;
	pcap_dumper_t *dump;
	int raw;                /* written from the IP header: LINKTYPE_RAW */
	int reread;             /* files: read again at the end */
	struct capture again;
	uint64_t ord;           /* packets read so far */
	int err;                /* errno of a failed write */
	time_t flushed;         /* live: second of the last flush */
	uint64_t seed;
	struct conn **bucket;
	size_t nbuckets, count;
	struct lru lru[LISTS];
	struct held *hold_old, *hold_new;
	size_t held_bytes;
	struct pick *picks;
	size_t npicks, picks_cap;
	size_t *index;          /* the first pick of each tuple, by hash:
				 * open addressing, NO_PICK where empty */
	size_t index_mask;
	uint64_t last_pick;     /* the highest ordinal picked */
	struct frag_slot frags[FRAGS];
};

/* --- what a packet is --- */

/* The tuple of a connection between (a, pa) and (b, pb); returns the
 * side (a, pa) is on. */
static int
tuple_make(struct tuple *t, int family, const uint8_t *a, unsigned pa,
    const uint8_t *b, unsigned pb)
{
	size_t n = family == 6 ? 16 : 4;
	int c = memcmp(a, b, n), side = c > 0 || (c == 0 && pa > pb);

	memset(t, 0, sizeof(*t));
	t->family = (uint8_t)family;
	memcpy(t->addr[side], a, n);
	memcpy(t->addr[!side], b, n);
	t->port[side] = (uint16_t)pa;
	t->port[!side] = (uint16_t)pb;
	return side;
}

/* RFC 8200 4: the headers a host passes over on the way to TCP, and
 * their length: (length field + add) * unit bytes. */
static const struct {
	int nh;
	unsigned add, unit;
} ext6[] = {
	{0, 1, 8},      /* hop-by-hop options */
	{43, 1, 8},     /* routing */
	{60, 1, 8},     /* destination options */
	{51, 2, 4},     /* authentication header, RFC 4302 2.2 */
	{-1, 0, 0}
};

#define NH_TCP 6
#define NH_FRAGMENT 44

/* Where a packet's TCP header is, and which datagram it is a fragment
 * of, if it is one. */
struct layout {
	size_t tcp;             /* 0: not here (not TCP, or a later
				 * fragment, or cut short) */
	size_t end;             /* where the IP length says it ends */
	int fragment;           /* a fragment: first or later */
	uint32_t id;            /* its datagram's identification */
};

/* Where TCP begins behind the IPv6 header, with 14 bytes of it captured
 * (ports, numbers and flags). Only a first fragment carries it. */
static void
walk6(const uint8_t *ip, size_t len, struct layout *l)
{
	size_t at = 40;
	int nh;

	memset(l, 0, sizeof(*l));
	if (len < 40)
		return;
	l->end = 40 + be16(ip + 4);
	for (nh = ip[6]; nh != NH_TCP; ) {
		int i;

		if (at + 8 > len)
			return;
		if (nh == NH_FRAGMENT) {        /* RFC 8200 4.5 */
			l->fragment = 1;
			l->id = be32(ip + at + 4);
			if ((be16(ip + at + 2) & 0xfff8) != 0)
				return;
			nh = ip[at];
			at += 8;
			continue;
		}
		for (i = 0; ext6[i].nh >= 0 && ext6[i].nh != nh; i++)
			;
		if (ext6[i].nh < 0)
			return;
		nh = ip[at];
		at += (ip[at + 1] + ext6[i].add) * ext6[i].unit;
	}
	if (at + 14 <= len)
		l->tcp = at;
}

/* The same behind an IPv4 header. */
static void
walk4(const uint8_t *ip, size_t len, struct layout *l)
{
	size_t ihl;

	memset(l, 0, sizeof(*l));
	if (len < 20 || ip[9] != NH_TCP)
		return;
	l->fragment = (be16(ip + 6) & 0x3fff) != 0;     /* MF or offset */
	l->end = be16(ip + 2);
	l->id = be16(ip + 4);
	ihl = (size_t)(ip[0] & 15) * 4;
	if ((be16(ip + 6) & 0x1fff) == 0 && ihl >= 20 && ihl + 14 <= len)
		l->tcp = ihl;
}

/* A fragment's datagram: addresses and identification. */
static size_t
frag_find(const struct evidence *ev, int family, const uint8_t *ip,
    uint32_t id, struct frag *f)
{
	size_t n = family == 6 ? 16 : 4;

	memset(f, 0, sizeof(*f));
	f->family = (uint8_t)family;
	f->id = id;
	memcpy(f->src, ip + (family == 6 ? 8 : 12), n);
	memcpy(f->dst, ip + (family == 6 ? 24 : 16), n);
	return hash_bytes(ev->seed, f, sizeof(*f)) & (FRAGS - 1);
}

/* Is this frame a TCP segment, or a later fragment of one whose first
 * fragment came before (remembered in ev->frags)? Then s says whose. */
static int
parse(struct evidence *ev, int dlt, const struct pcap_pkthdr *h,
    const uint8_t *frame, struct seen *s)
{
	const uint8_t *ip, *tcp;
	size_t len, slot = 0;
	enum decap_skip why;
	struct layout l;
	struct frag f;
	int family;

	switch (decap(dlt, frame, h->caplen, &ip, &len, &why)) {
	case DECAP_IPV4:
		family = 4;
		walk4(ip, len, &l);
		break;
	case DECAP_IPV6:
		family = 6;
		walk6(ip, len, &l);
		break;
	default:
		return 0;
	}
	s->ip_off = (size_t)(ip - frame);
	if (l.fragment)
		slot = frag_find(ev, family, ip, l.id, &f);
	if (l.tcp == 0) {
		if (!l.fragment || memcmp(&ev->frags[slot].f, &f,
		    sizeof(f)) != 0)
			return 0;
		s->t = ev->frags[slot].t;
		s->side = ev->frags[slot].side;
		s->flags = 0;
		s->data = 1;
		s->seq = s->ack = 0;
		return 1;
	}
	tcp = ip + l.tcp;
	s->side = tuple_make(&s->t, family, ip + (family == 6 ? 8 : 12),
	    be16(tcp), ip + (family == 6 ? 24 : 16), be16(tcp + 2));
	s->seq = be32(tcp + 4);
	s->ack = be32(tcp + 8);
	s->flags = tcp[13];
	s->data = l.end > l.tcp + (size_t)(tcp[12] >> 4) * 4;
	if (l.fragment) {
		ev->frags[slot].f = f;
		ev->frags[slot].t = s->t;
		ev->frags[slot].side = s->side;
	}
	return 1;
}

static int
pure_syn(const struct seen *s)
{
	return (s->flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN;
}

/* --- writing --- */

static void
put(struct evidence *ev, const struct pcap_pkthdr *h, const uint8_t *bytes)
{
	if (ev->err != 0)
		return;
	pcap_dump((u_char *)ev->dump, h, bytes);
	ev->st->evidence_packets++;
}

/* The frame as it is written: from its IP header when link types are
 * mixed. */
static const uint8_t *
as_written(const struct evidence *ev, const struct seen *s,
    const struct pcap_pkthdr *h, const uint8_t *frame,
    struct pcap_pkthdr *out)
{
	*out = *h;
	if (!ev->raw)
		return frame;
	out->caplen = h->caplen - (bpf_u_int32)s->ip_off;
	out->len = h->len > s->ip_off ? h->len - (bpf_u_int32)s->ip_off :
	    out->caplen;
	return frame + s->ip_off;
}

static int
flush(struct evidence *ev)
{
	FILE *f = pcap_dump_file(ev->dump);

	errno = 0;
	if (ev->err == 0 && (pcap_dump_flush(ev->dump) != 0 || ferror(f)))
		ev->err = errno != 0 ? errno : EIO;
	return ev->err != 0 ? -1 : 0;
}

/* --- the live buffers --- */

static void
held_unlink(struct evidence *ev, struct held *n)
{
	if (n->gprev != NULL)
		n->gprev->gnext = n->gnext;
	else
		ev->hold_old = n->gnext;
	if (n->gnext != NULL)
		n->gnext->gprev = n->gprev;
	else
		ev->hold_new = n->gprev;
	ev->held_bytes -= sizeof(*n) + n->h.caplen;
	n->c->held--;
}

/* A held packet is lost: counted against the span it was of, in case
 * that span breaks a rule later. */
static void
count_lost(struct conn *c, const struct held *n)
{
	if (c->cur.valid && n->ord >= c->cur.from) {
		c->cur.dropped++;
		if (c->pending && n->ord >= c->pend.from) {
			c->pend_all_dropped++;
			if (n->syn_side == c->pend_side && n->seq == c->pend_isn)
				c->pend.dropped++;
		}
	} else if (c->prev.valid && n->ord >= c->prev.from) {
		c->prev.dropped++;
	}
}

/* The oldest packet of c goes; every tuple's oldest is its own oldest. */
static void
drop_head(struct evidence *ev, struct conn *c, int lost)
{
	struct held *n = c->head;

	c->head = n->next;
	if (c->head == NULL)
		c->tail = NULL;
	held_unlink(ev, n);
	if (lost)
		count_lost(c, n);
	free(n);
}

static void
hold(struct evidence *ev, struct conn *c, const struct seen *s,
    const struct pcap_pkthdr *h, const uint8_t *frame)
{
	struct pcap_pkthdr w;
	const uint8_t *bytes = as_written(ev, s, h, frame, &w);
	struct held *n = malloc(sizeof(*n) + w.caplen);

	if (n == NULL) {
		c->cur.dropped++;
		if (c->pending)
			c->pend_all_dropped++;
		return;
	}
	n->next = NULL;
	n->c = c;
	n->ord = ev->ord;
	n->seq = s->seq;
	n->syn_side = (int8_t)(pure_syn(s) ? s->side : -1);
	n->h = w;
	memcpy(n->data, bytes, w.caplen);
	if (c->tail != NULL)
		c->tail->next = n;
	else
		c->head = n;
	c->tail = n;
	c->held++;
	n->gnext = NULL;
	n->gprev = ev->hold_new;
	if (ev->hold_new != NULL)
		ev->hold_new->gnext = n;
	else
		ev->hold_old = n;
	ev->hold_new = n;
	ev->held_bytes += sizeof(*n) + w.caplen;
	while (c->held > ev->o.buffer)
		drop_head(ev, c, 1);
	while (ev->held_bytes > EVIDENCE_MAX_HELD && ev->hold_old != NULL)
		drop_head(ev, ev->hold_old->c, 1);
}

/* Which of a tuple's held packets to write: the pending SYN's, or the
 * others (held back from the current connection until a SYN-ACK tells
 * whether they begin the next). */
enum which { PENDING_SYNS, OTHERS };

static int
is_pending_syn(const struct conn *c, const struct held *n)
{
	return c->pending && n->syn_side == c->pend_side &&
	    n->seq == c->pend_isn;
}

/* Write and let go of c's held packets from..to of the kind asked. */
static void
write_held(struct evidence *ev, struct conn *c, uint64_t from, uint64_t to,
    enum which w)
{
	struct held **p = &c->head, *last = NULL;

	while (*p != NULL) {
		struct held *n = *p;

		if (n->ord < from || n->ord > to ||
		    is_pending_syn(c, n) != (w == PENDING_SYNS)) {
			last = n;
			p = &n->next;
			continue;
		}
		put(ev, &n->h, n->data);
		*p = n->next;
		if (c->tail == n)
			c->tail = last;
		held_unlink(ev, n);
		free(n);
	}
	flush(ev);
}

/* --- files: what to write on the second read --- */

static void
pick(struct evidence *ev, const struct tuple *t, uint64_t from, uint64_t to,
    int syn_side, uint32_t isn)
{
	struct pick *p;

	if (ev->npicks == ev->picks_cap) {
		size_t cap = ev->picks_cap ? ev->picks_cap * 2 : 64;

		p = realloc(ev->picks, cap * sizeof(*p));
		if (p == NULL) {
			ev->st->evidence_untracked++;
			return;
		}
		ev->picks = p;
		ev->picks_cap = cap;
	}
	p = &ev->picks[ev->npicks++];
	p->t = *t;
	p->from = from;
	p->to = to;
	p->syn_side = syn_side;
	p->isn = isn;
	if (to > ev->last_pick)
		ev->last_pick = to;
}

/* --- connections on a tuple --- */

static void
mark(struct evidence *ev, struct conn *c, struct span *sp)
{
	if (sp->marked)
		return;
	sp->marked = 1;
	ev->st->evidence_flows++;
	if (ev->reread) {
		if (sp == &c->prev)
			pick(ev, &c->t, sp->from, sp->to, -1, 0);
		return;         /* cur and pend: when they end */
	}
	ev->st->evidence_cut += sp->dropped;
	if (sp == &c->pend)
		write_held(ev, c, sp->from, UINT64_MAX, PENDING_SYNS);
	else
		write_held(ev, c, sp->from, sp == &c->cur ? UINT64_MAX : sp->to,
		    OTHERS);
}

/* The SYN that was pending is no longer: refused, replaced or
 * forgotten. Its retransmissions so far are what there is of it; or,
 * live, packets of the current connection after all, held back from it
 * until the SYN-ACK would tell. */
static void
unpend(struct evidence *ev, struct conn *c)
{
	if (ev->reread && c->pend.marked)
		pick(ev, &c->t, c->pend.from, c->cur.to, c->pend_side,
		    c->pend_isn);
	else if (!ev->reread && c->cur.marked && !c->pend.marked)
		write_held(ev, c, c->pend.from, UINT64_MAX, PENDING_SYNS);
	c->pending = 0;
}

static void
pend(struct evidence *ev, struct conn *c, const struct seen *s,
    int64_t ts)
{
	if (c->pending)
		unpend(ev, c);
	c->pending = 1;
	c->pend_side = (int8_t)s->side;
	c->pend_isn = s->seq;
	memset(&c->pend, 0, sizeof(c->pend));
	c->pend.from = c->pend.to = ev->ord;
	c->pend.start = ts;
	c->pend.valid = 1;
	c->pend_all = c->pend_all_dropped = 0;
}

/* A new connection on c's tuple from packet from: the SYN s, or (s NULL)
 * the pending one, which a SYN-ACK has just accepted. */
static void
begin(struct evidence *ev, struct conn *c, const struct seen *s,
    int64_t ts)
{
	int promoted = s == NULL;
	uint64_t from = promoted ? c->pend.from : ev->ord;

	if (c->pending && !promoted)
		unpend(ev, c);
	if (ev->reread && c->cur.marked)
		pick(ev, &c->t, c->cur.from, from - 1, -1, 0);
	c->prev = c->cur;
	c->prev.to = from - 1;
	memset(&c->cur, 0, sizeof(c->cur));
	c->cur.valid = 1;
	c->cur.from = from;
	if (promoted) {
		c->prev.dropped -= c->pend_all_dropped;
		c->cur.start = c->pend.start;
		c->cur.dropped = c->pend_all_dropped;
		c->cur.marked = c->pend.marked;
		c->isn = c->pend_isn;
		c->syn_side = c->pend_side;
	} else {
		c->cur.start = ts;
		c->isn = s->seq;
		c->syn_side = (int8_t)s->side;
	}
	c->syn_only = !promoted;
	c->fin[0] = c->fin[1] = c->rst = c->closed = 0;
	c->pending = 0;
}

/* How the packet moves c's connections on. */
static void
follow(struct evidence *ev, struct conn *c, const struct seen *s,
    int64_t ts)
{
	int other = s->side != c->pend_side;

	if (pure_syn(s)) {
		if (s->side == c->syn_side && s->seq == c->isn)
			;       /* a retransmission */
		else if (c->pending && !other && s->seq == c->pend_isn)
			;       /* the pending one's */
		else if (c->closed || c->syn_only)
			begin(ev, c, s, ts);
		else
			pend(ev, c, s, ts);
	} else if ((s->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK)) {
		if (c->pending && other && s->ack - 1 == c->pend_isn)
			begin(ev, c, NULL, ts);
	} else if (s->flags & TH_RST) {
		if (c->pending && other && s->ack - 1 == c->pend_isn)
			unpend(ev, c);          /* refused */
		else
			c->rst = 1;
	}
	if (s->flags & TH_FIN) {
		c->fin[s->side] = 1;
	} else if (s->data && !(s->flags & TH_RST)) {
		/* bytes after: the RST or this end's FIN was one the hosts
		 * ignored (out of the window), and it goes on */
		c->rst = 0;
		c->fin[s->side] = 0;
	}
	c->closed = c->rst || (c->fin[0] && c->fin[1]);
	if (!pure_syn(s) || s->side != c->syn_side || s->seq != c->isn)
		c->syn_only = 0;
}

/* --- the table of tuples --- */

static size_t
bucket_of(const struct evidence *ev, const struct tuple *t)
{
	return hash_bytes(ev->seed, t, sizeof(*t)) & (ev->nbuckets - 1);
}

static struct conn **
conn_find(struct evidence *ev, const struct tuple *t)
{
	struct conn **p = &ev->bucket[bucket_of(ev, t)];

	while (*p != NULL && memcmp(&(*p)->t, t, sizeof(*t)) != 0)
		p = &(*p)->next;
	return p;
}

/* c at p, the end of a chain or its head */
static void
chain(struct conn *c, struct conn **p)
{
	c->next = *p;
	if (c->next != NULL)
		c->next->pprev = &c->next;
	c->pprev = p;
	*p = c;
}

static void
lru_unlink(struct evidence *ev, struct conn *c)
{
	struct lru *l = &ev->lru[c->list];

	if (c->older != NULL)
		c->older->newer = c->newer;
	else
		l->oldest = c->newer;
	if (c->newer != NULL)
		c->newer->older = c->older;
	else
		l->newest = c->older;
	l->n--;
}

static enum list
list_of(const struct conn *c)
{
	return c->syn_only ? L_ATTEMPT : c->closed ? L_CLOSED : L_OPEN;
}

/* At the end of its list. A packet does not move it there (that would
 * touch its neighbours' cache lines every time): the head of a list is
 * looked at when it may be due, and put back at the end if it has had
 * packets since (expire, make_room). */
static void
lru_append(struct evidence *ev, struct conn *c)
{
	struct lru *l;

	c->list = list_of(c);
	c->listed = c->last;
	l = &ev->lru[c->list];
	c->newer = NULL;
	c->older = l->newest;
	if (l->newest != NULL)
		l->newest->newer = c;
	else
		l->oldest = c;
	l->newest = c;
	l->n++;
}

/* c can have no more violations (or there is no room): what was marked
 * of it is settled. */
static void
forget(struct evidence *ev, struct conn *c)
{
	if (ev->reread && c->cur.marked)
		pick(ev, &c->t, c->cur.from, c->cur.to, -1, 0);
	if (c->pending)
		unpend(ev, c);
	while (c->head != NULL)
		drop_head(ev, c, 0);
	*c->pprev = c->next;
	if (c->next != NULL)
		c->next->pprev = c->pprev;
	lru_unlink(ev, c);
	ev->count--;
	free(c);
}

static void
forget_all(struct evidence *ev)
{
	for (int l = 0; l < LISTS; l++)
		while (ev->lru[l].oldest != NULL)
			forget(ev, ev->lru[l].oldest);
}

/* Twice the buckets once there are half as many tuples (a lookup that
 * misses then reads half an entry on average); without memory for it,
 * the chains grow longer instead. */
static void
grow(struct evidence *ev)
{
	size_t n = ev->nbuckets * 2;
	struct conn **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return;
	free(ev->bucket);
	ev->bucket = b;
	ev->nbuckets = n;
	for (int l = 0; l < LISTS; l++)
		for (struct conn *c = ev->lru[l].oldest; c != NULL;
		    c = c->newer)
			chain(c, &b[bucket_of(ev, &c->t)]);
}

static void
requeue(struct evidence *ev, struct conn *c)
{
	lru_unlink(ev, c);
	lru_append(ev, c);
}

/* Room for one more: a SYN is not followed past max_attempts (as the TCP
 * watch follows no more, it could have no violation); past the cap on
 * all, the longest silent of the closed, then of the attempts, then of
 * the open goes (a few heads with packets since go to the end first).
 * Returns -1: no room; 1: the table changed (a chain's end found before
 * is stale); 0: it did not. */
static int
make_room(struct evidence *ev, int attempt)
{
	int changed = 0;

	if (attempt && ev->lru[L_ATTEMPT].n >= ev->o.max_attempts)
		return -1;
	for (int l = 0; l < LISTS && ev->count >= ev->o.max_tracked; l++) {
		struct lru *q = &ev->lru[l];

		for (int tries = 0; q->oldest != NULL && tries < 8 &&
		    q->oldest->last > q->oldest->listed; tries++)
			requeue(ev, q->oldest);
		if (q->oldest != NULL) {
			forget(ev, q->oldest);
			changed = 1;
		}
	}
	if (2 * ev->count >= ev->nbuckets) {
		grow(ev);
		changed = 1;
	}
	return changed;
}

/* A tuple seen for the first time, to go at p, the end of its chain. */
static struct conn *
conn_new(struct evidence *ev, const struct seen *s, int64_t ts,
    struct conn **p)
{
	struct conn *c;
	int room = make_room(ev, pure_syn(s));

	if (room < 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (room > 0)
		p = conn_find(ev, &s->t);
	c->t = s->t;
	c->last = ts;
	c->cur.valid = 1;
	c->cur.from = ev->ord;
	c->cur.start = ts;
	c->syn_side = c->pend_side = -1;
	if (pure_syn(s)) {
		c->syn_side = (int8_t)s->side;
		c->isn = s->seq;
		c->syn_only = 1;
	}
	chain(c, p);
	lru_append(ev, c);
	ev->count++;
	return c;
}

/* Forget what can no longer have a violation by ts. */
static void
expire(struct evidence *ev, int64_t ts)
{
	for (int l = 0; l < LISTS; l++) {
		struct conn *c;

		while ((c = ev->lru[l].oldest) != NULL &&
		    c->listed + ev->keep[l] < ts) {
			if (c->last + ev->keep[l] < ts)
				forget(ev, c);
			else
				requeue(ev, c);
		}
	}
}

void
evidence_packet(struct evidence *ev, int dlt, const struct pcap_pkthdr *h,
    const uint8_t *bytes, int64_t ts)
{
	struct seen s;
	struct conn **p, *c;
	int pending_syn;

	ev->ord++;
	if (!parse(ev, dlt, h, bytes, &s))
		return;
	expire(ev, ts);
	p = conn_find(ev, &s.t);
	if ((c = *p) == NULL) {
		if ((c = conn_new(ev, &s, ts, p)) == NULL)
			return;
	} else {
		follow(ev, c, &s, ts);
		c->last = ts;
		if (list_of(c) != c->list)
			requeue(ev, c);
	}
	c->cur.to = ev->ord;
	if (c->pending)
		c->pend_all++;
	if (ev->reread)
		return;
	pending_syn = c->pending && pure_syn(&s) && s.side == c->pend_side &&
	    s.seq == c->pend_isn;
	if (pending_syn ? c->pend.marked : c->cur.marked) {
		struct pcap_pkthdr w;
		const uint8_t *b = as_written(ev, &s, h, bytes, &w);

		put(ev, &w, b);
		if (h->ts.tv_sec != ev->flushed) {
			ev->flushed = h->ts.tv_sec;
			flush(ev);
		}
	} else {
		hold(ev, c, &s, h, bytes);
	}
}

/* --- violations --- */

/* When what the violation is about happened: the request's first byte,
 * the first SYN, the request bytes that waited for their ACK, or the
 * packet that broke the rule. A timer fires later, when the connection
 * may have ended and its tuple been taken by another. */
static int64_t
anchor(const struct evidence *ev, const struct violation *v)
{
	if (v->rule == R_HANDSHAKE_TIMEOUT)
		return v->ts - ev->o.rules->syn_timeout;
	if (v->rule == R_REQUEST_UNACKED)
		return v->ts - ev->o.rules->ack_timeout;
	if (v->x != NULL && v->x->t_begin <= v->ts)
		return v->x->t_begin;
	return v->ts;
}

/* Mark the span the violation is about: the latest to begin by its
 * anchor (for a handshake-timeout, the pending SYN may be it); when it is
 * older than any span known, the oldest known. A tuple no longer
 * followed is counted. */
static void
mark_violation(struct evidence *ev, const struct violation *v)
{
	const struct flow_key *k = v->key;
	struct tuple t;
	struct conn *c;
	int64_t at = anchor(ev, v);

	if (k == NULL || k->client.family != k->server.family) {
		ev->st->evidence_untracked++;
		return;
	}
	tuple_make(&t, k->client.family == AF_INET6 ? 6 : 4, k->client.bytes,
	    k->client_port, k->server.bytes, k->server_port);
	if ((c = *conn_find(ev, &t)) == NULL)
		ev->st->evidence_untracked++;
	else if (v->rule == R_HANDSHAKE_TIMEOUT && c->pending &&
	    c->pend.start <= at)
		mark(ev, c, &c->pend);
	else if (c->cur.start <= at || !c->prev.valid)
		mark(ev, c, &c->cur);
	else
		mark(ev, c, &c->prev);  /* or older: the oldest known */
}

/* --- the sink: every event handed on --- */

static void
on_exchange(void *self, const struct flow_key *key, uint64_t flow_id,
    const struct exchange *x)
{
	const struct sink *in = ((struct evidence *)self)->inner;

	if (in->exchange != NULL)
		in->exchange(in->self, key, flow_id, x);
}

static void
on_anomaly(void *self, const struct anomaly *a)
{
	const struct sink *in = ((struct evidence *)self)->inner;

	if (in->anomaly != NULL)
		in->anomaly(in->self, a);
}

static void
on_violation(void *self, const struct violation *v)
{
	struct evidence *ev = self;

	mark_violation(ev, v);
	if (ev->inner->violation != NULL)
		ev->inner->violation(ev->inner->self, v);
}

static void
on_finish(void *self, const struct stats *st, const uint64_t *rule_counts)
{
	const struct sink *in = ((struct evidence *)self)->inner;

	if (in->finish != NULL)
		in->finish(in->self, st, rule_counts);
}

const struct sink *
evidence_sink(struct evidence *ev, const struct sink *inner)
{
	ev->inner = inner;
	ev->sink = (struct sink){on_exchange, on_anomaly, on_violation,
	    on_finish, ev};
	return &ev->sink;
}

/* --- opening and the second read --- */

/* Can every input be read again from its start? */
static int
rereadable(const struct capture *c)
{
	struct stat sb;

	if (c->live)
		return 0;
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->src[i].name, "-") == 0 ||
		    stat(c->src[i].name, &sb) != 0 || !S_ISREG(sb.st_mode))
			return 0;
	return 1;
}

/* Writing over an input would lose it before it is read; over the -w
 * file, both would be garbage. */
static const char *
taken(const struct capture *c, const char *save, const char *path)
{
	struct stat out, in;

	if (stat(path, &out) != 0)
		return NULL;
	for (int i = 0; i < c->n; i++)
		if (!c->live && stat(c->src[i].name, &in) == 0 &&
		    in.st_dev == out.st_dev && in.st_ino == out.st_ino)
			return "the input";
	if (save != NULL && stat(save, &in) == 0 && in.st_dev == out.st_dev &&
	    in.st_ino == out.st_ino)
		return "the -w file";
	return NULL;
}

static int
open_again(struct evidence *ev, const struct capture *c,
    const struct capture_opts *co, char *err, size_t errlen)
{
	struct capture_opts o = *co;
	char **names = c->n > 0 ? calloc((size_t)c->n, sizeof(*names)) : NULL;
	int rc;

	if (names == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < c->n; i++)
		names[i] = c->src[i].name;
	o.save = NULL;
	o.count = 0;
	rc = capture_open_files(&ev->again, names, c->n, &o, err, errlen);
	free(names);
	return rc;
}

struct evidence *
evidence_open(const struct evidence_opts *o, const struct capture *c,
    const struct capture_opts *co, struct stats *st, char *err,
    size_t errlen)
{
	struct evidence *ev = calloc(1, sizeof(*ev));
	const struct rules_config *r = o->rules;
	const char *in, *why;
	int dlt = c->src[0].dlt, snap = 0;
	int64_t keep;

	if (ev == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ev->o = *o;
	ev->path = o->path;
	ev->st = st;
	st->evidence = 1;
	ev->seed = hash_seed();
	keep = o->idle_timeout;
	if (r->continue_timeout > keep)
		keep = r->continue_timeout;
	if (r->processing_timeout > keep)
		keep = r->processing_timeout;
	if (r->response_timeout > keep)
		keep = r->response_timeout;
	if (r->syn_timeout > keep)
		keep = r->syn_timeout;
	if (r->ack_timeout > keep)
		keep = r->ack_timeout;
	ev->keep[L_OPEN] = keep + SLACK;
	ev->keep[L_ATTEMPT] = r->syn_timeout + SYN_SLACK;
	ev->keep[L_CLOSED] = SLACK;
	if ((in = taken(c, co->save, o->path)) != NULL) {
		snprintf(err, errlen, "cannot save to '%s': it is %s", o->path,
		    in);
		goto fail;
	}
	for (int i = 0; i < c->n; i++) {
		if (c->src[i].dlt != dlt)
			ev->raw = 1;
		if (pcap_snapshot(c->src[i].pcap) > snap)
			snap = pcap_snapshot(c->src[i].pcap);
	}
	ev->dead = pcap_open_dead(ev->raw ? DLT_RAW : dlt,
	    snap > 0 ? snap : CAPTURE_SNAPLEN);
	if (ev->dead == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ev->dump = pcap_dump_open(ev->dead, o->path);
	if (ev->dump == NULL) {
		why = pcap_geterr(ev->dead);
		if (strncmp(why, o->path, strlen(o->path)) == 0 &&
		    strncmp(why + strlen(o->path), ": ", 2) == 0)
			why += strlen(o->path) + 2;
		snprintf(err, errlen, "cannot save to '%s': %s", o->path, why);
		goto fail;
	}
	ev->bucket = calloc(FIRST_BUCKETS, sizeof(*ev->bucket));
	if (ev->bucket == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ev->nbuckets = FIRST_BUCKETS;
	ev->reread = rereadable(c);
	if (ev->reread && open_again(ev, c, co, err, errlen) != 0)
		goto fail;
	return ev;
fail:
	evidence_free(ev);
	return NULL;
}

/* Where the first pick of t is in the index, or its empty slot. */
static size_t
index_slot(const struct evidence *ev, const struct tuple *t)
{
	size_t i = hash_bytes(ev->seed, t, sizeof(*t)) & ev->index_mask;

	while (ev->index[i] != NO_PICK &&
	    memcmp(&ev->picks[ev->index[i]].t, t, sizeof(*t)) != 0)
		i = (i + 1) & ev->index_mask;
	return i;
}

/* Chain each tuple's picks from one slot of an index twice their
 * number, so that each packet of the second read costs a lookup. */
static int
index_picks(struct evidence *ev)
{
	size_t n = 2;

	while (n < 2 * ev->npicks)
		n *= 2;
	ev->index = malloc(n * sizeof(*ev->index));
	if (ev->index == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		ev->index[i] = NO_PICK;
	ev->index_mask = n - 1;
	for (size_t i = ev->npicks; i-- > 0; ) {
		size_t slot = index_slot(ev, &ev->picks[i].t);

		ev->picks[i].next = ev->index[slot];
		ev->index[slot] = i;
	}
	return 0;
}

static void
on_again(void *ctx, int dlt, const struct pcap_pkthdr *h,
    const uint8_t *bytes)
{
	struct evidence *ev = ctx;
	struct seen s;

	if (++ev->ord > ev->last_pick) {
		capture_stop(&ev->again);
		return;
	}
	if (!parse(ev, dlt, h, bytes, &s))
		return;
	for (size_t i = ev->index[index_slot(ev, &s.t)]; i != NO_PICK;
	    i = ev->picks[i].next) {
		const struct pick *p = &ev->picks[i];
		struct pcap_pkthdr w;
		const uint8_t *b;

		if (ev->ord < p->from || ev->ord > p->to || (p->syn_side >= 0 &&
		    (!pure_syn(&s) || s.side != p->syn_side ||
		    s.seq != p->isn)))
			continue;
		b = as_written(ev, &s, h, bytes, &w);
		put(ev, &w, b);
		return;
	}
}

int
evidence_finish(struct evidence *ev, char *err, size_t errlen)
{
	char msg[512];
	int rc = 0, r;

	forget_all(ev);
	if (ev->reread && ev->npicks > 0 && index_picks(ev) != 0) {
		snprintf(err, errlen, "cannot write '%s': out of memory",
		    ev->path);
		rc = -1;
	} else if (ev->reread && ev->npicks > 0) {
		ev->ord = 0;
		memset(ev->frags, 0, sizeof(ev->frags));        /* as then */
		while ((r = capture_run(&ev->again, on_again, NULL, ev, msg,
		    sizeof(msg))) == 1)
			;       /* a truncated file: warned of on the first read */
		if (r < 0) {
			snprintf(err, errlen, "cannot read again for '%s': %s",
			    ev->path, msg);
			rc = -1;
		}
	}
	if (flush(ev) != 0 && rc == 0) {
		snprintf(err, errlen, "cannot write '%s': %s", ev->path,
		    strerror(ev->err));
		rc = -1;
	}
	pcap_dump_close(ev->dump);
	ev->dump = NULL;
	return rc;
}

void
evidence_free(struct evidence *ev)
{
	char err[256];

	if (ev == NULL)
		return;
	forget_all(ev);
	if (ev->dump != NULL)
		pcap_dump_close(ev->dump);
	if (ev->dead != NULL)
		pcap_close(ev->dead);
	if (ev->again.src != NULL)
		capture_close(&ev->again, err, sizeof(err));
	free(ev->bucket);
	free(ev->picks);
	free(ev->index);
	free(ev);
}
