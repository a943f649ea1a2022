/* exchange.c: pair requests with their interim and final responses.
 *
 * RFC 9110 15.2: every 1xx is interim; the request stays outstanding until
 * a final (2xx-5xx) response, a 101 (the connection becomes a tunnel) or the
 * end of the connection. Cost: O(1) per message. An exchange (1.8 KiB)
 * is too big for malloc's fast bins, so freed ones are kept on a short
 * list and reused while still in cache.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "checks.h"
#include "exchange.h"
#include "flowid.h"
#include "pool.h"
#include "tcpwatch.h"

/* Every segment costs cache misses on its flow, so a flow is aligned to
 * cache lines and a segment touches two of them: the first (which ends
 * with the part of the ACK watch that each client segment updates) and
 * its direction's parser. What requests and the outputs read comes after. */
struct flow {
	int64_t now;
	struct exchange *head;          /* outstanding, oldest first */
	struct exchange *req_cur;       /* the request being read, if any */
	struct analysis *an;
	uint32_t pending;
	uint8_t is_http;                /* a request or status line was seen */
	uint8_t ignored;
	uint8_t answering;              /* a final response is being read */
	struct ackwatch ack;            /* at 40: since, last, sent, fired */
	_Alignas(64) struct http1_parser req;   /* client -> server */
	_Alignas(64) struct http1_parser resp;  /* server -> client */
	struct exchange *tail;
	struct exchange *resp_cur;      /* its final response is being read */
	struct stats *st;
	struct timer timer;             /* runs by its exchanges' first deadline */
	/* requests past the cap: not kept, but their answers must still be
	 * framed (HEAD: no body; CONNECT: a tunnel), oldest in bit 0 */
	uint8_t capping;                /* the request being read is one */
	uint32_t uncounted;             /* unanswered ones */
	uint64_t uncounted_head, uncounted_connect;
	uint64_t requests;              /* begun, kept or not */
	struct flow_link link;          /* the reassembler's */
	uint8_t midstream;              /* picked up without a handshake */
	uint8_t body_withheld;          /* a final response came before the
					 * Expect: 100-continue body */
	uint64_t consumed[2];           /* bytes of each direction, so far */
	uint64_t gap_at[2];             /* a gap there, gap_len[d] long */
	uint32_t gap_len[2];
	int64_t end_ts[2];              /* each direction's first FIN or RST */
	uint8_t end_how[2];             /* ... of enum tcp_end */
	uint8_t first_end;              /* enum flow_dir + 1 of the first of
					 * them, 0: none yet */
	struct flow_ident ident;
	char tunnel_of[X_FIELD];        /* the last CONNECT target answered
					 * 2xx, or "" */
	/* for the live view (flow_snapshot) */
	struct flow *open_prev, *open_next;     /* an->open, by opening */
	int last_1xx;                   /* 0: none yet */
	int64_t last_1xx_ts;
	char upgraded[X_FIELD];         /* the protocol after 101, or "" */
};

_Static_assert(offsetof(struct flow, ack) +
    offsetof(struct ackwatch, fired) < 64,
    "the ACK watch's hot fields share the flow's first cache line");

#define SPARES_MAX 256

enum tcp_end { TCP_OPEN, TCP_FIN, TCP_RST };

static const struct http1_callbacks req_cb, resp_cb;

static void client_closed(const struct flow *f, struct exchange *x);

/* Closed flows' memory, for the next connections: aligned_alloc() cost
 * more than the rest of opening one. Cache-line aligned. */
static struct pool flow_pool = POOL(struct flow, 256, 64);

static struct exchange *
exchange_new(struct analysis *an)
{
	struct exchange *x = an->spare;

	if (x == NULL)
		return calloc(1, sizeof(*x));
	an->spare = x->next;
	an->spares--;
	memset(x, 0, offsetof(struct exchange, method));
	x->method[0] = x->target[0] = x->host[0] = x->expect[0] = '\0';
	x->user_agent[0] = '\0';
	x->upgrade[0] = x->final_reason[0] = x->tunnel[0] = '\0';
	x->tunnel_of[0] = '\0';
	return x;
}

static void
exchange_free(struct analysis *an, struct exchange *x)
{
	if (an->spares == SPARES_MAX) {
		free(x);
		return;
	}
	x->next = an->spare;
	an->spare = x;
	an->spares++;
}

void
exchange_cleanup(struct analysis *an)
{
	while (an->spare != NULL) {
		struct exchange *x = an->spare;

		an->spare = x->next;
		free(x);
	}
	an->spares = 0;
	pool_drain(&flow_pool);
}

/* src's first len bytes, cut to fit size with the NUL, by one memcpy;
 * returns the length copied. As it is, for bytes that hold no NUL: a
 * method or target (the parser admits only tchar, or bytes above SP), a
 * string. */
static size_t
copy_token(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return len;
}

/* A view of the wire's bytes, copied as copy_token() does, with each NUL
 * made '?' */
static void
copy_view(char *dst, size_t size, const char *src, size_t len)
{
	/* keep the copy printable: outputs escape, but NUL would cut it */
	if (len < 8) {  /* a short one ("OK"): cheaper than two calls */
		size_t i;

		for (i = 0; i < len && i < size - 1; i++)
			dst[i] = src[i] != '\0' ? src[i] : '?';
		dst[i] = '\0';
		return;
	}
	/* memcpy, then memchr, as NUL is rare: vectorised, not a byte loop */
	len = copy_token(dst, size, src, len);
	for (char *z = dst;
	    (z = memchr(z, '\0', len - (size_t)(z - dst))) != NULL; )
		*z++ = '?';
}

static int
copy_header(char *dst, size_t size, const struct http1_message *m,
    enum http1_field name)
{
	/* http1_get(), read here: m->have says which known[] are set, and
	 * this runs for four fields of every request */
	const struct http1_header *h = &m->known[name];

	if (!(m->have & (1u << name))) {
		dst[0] = '\0';
		return 0;
	}
	copy_view(dst, size, h->value, h->value_len);
	return 1;
}

/* Hand x to the outputs and free it; it must no longer be queued. It
 * ends now, as end says. */
static void
emit(struct flow *f, struct exchange *x, enum exchange_end end)
{
	const struct sink *out = f->an->out;

	x->end = end;
	x->t_ended = f->now;
	if (f->end_how[FROM_CLIENT] != TCP_OPEN)
		client_closed(f, x);
	if (end == END_TUNNEL)
		snprintf(f->upgraded, sizeof(f->upgraded), "%s",
		    x->is_connect ? "CONNECT" : x->tunnel[0] != '\0' ?
		    x->tunnel : "unknown");
	check_end(x, end_is_close(end), f->now);
	if (x->head_done) {
		f->st->exchanges++;
		if (out->exchange != NULL)
			out->exchange(out->self, &f->ident.key, f->ident.id, x);
	}
	if (f->req_cur == x) {
		/* told no before its body: the client may close instead */
		f->body_withheld = x->expects_100 && x->final_status >= 200 &&
		    http1_body_pending(&f->req);
		f->req_cur = NULL;
	}
	exchange_free(f->an, x);
}

static struct exchange *
dequeue(struct flow *f)
{
	struct exchange *x = f->head;

	if (x != NULL) {
		f->head = x->next;
		if (f->head == NULL)
			f->tail = NULL;
		f->pending--;
	}
	return x;
}

static void
anomaly(struct flow *f, enum flow_dir d, enum http1_error e)
{
	struct anomaly a = {&f->ident.key, f->ident.id, d == FROM_CLIENT, e,
	    f->now};

	if ((size_t)e < sizeof(f->st->parse_errors) / sizeof(f->st->parse_errors[0]))
		f->st->parse_errors[e]++;
	if (f->an->out->anomaly != NULL)
		f->an->out->anomaly(f->an->out->self, &a);
}

/* --- client -> server --- */

static void
req_begin(void *ctx)
{
	struct flow *f = ctx;
	struct exchange *x;

	/* past the cap, and after any request past it (responses come in
	 * order), requests are counted and their responses matched to them
	 * but not kept */
	f->requests++;
	f->capping = f->uncounted > 0 || f->pending >= FLOW_MAX_PENDING ||
	    (x = exchange_new(f->an)) == NULL;
	if (f->capping) {
		f->req_cur = NULL;
		return;
	}
	x->seq = f->requests;
	x->midstream = f->midstream;
	x->t_begin = f->now;
	check_begin(f->an, &f->ident, &f->ack, &f->timer, x);
	if (f->tail != NULL)
		f->tail->next = x;
	else
		f->head = x;
	f->tail = x;
	f->pending++;
	f->req_cur = x;
	if (x == f->head && !f->answering) {
		x->seen |= SEEN_TURN;
		x->t_turn = f->now;
	}
}

static int
method_is(const struct http1_message *m, const char *name)
{
	return m->method_len == strlen(name) &&
	    memcmp(m->method, name, m->method_len) == 0;
}

/* A request past the cap, now that its method is known. Past 64 of them
 * unanswered, the method is no longer kept (taken for a GET). */
static void
uncounted_push(struct flow *f, const struct http1_message *m)
{
	uint64_t bit = f->uncounted < 64 ? (uint64_t)1 << f->uncounted : 0;

	f->capping = 0;
	f->st->pipeline_capped++;
	f->uncounted++;
	if (method_is(m, "HEAD"))
		f->uncounted_head |= bit;
	if (method_is(m, "CONNECT"))
		f->uncounted_connect |= bit;
}

/* A response to the oldest request past the cap: frame it as the request
 * asks (RFC 9112 6.3) and forget the request. */
static enum http1_body
uncounted_answer(struct flow *f, int status)
{
	int head = (int)(f->uncounted_head & 1);
	int connect = (int)(f->uncounted_connect & 1);

	f->uncounted_head >>= 1;
	f->uncounted_connect >>= 1;
	f->uncounted--;
	if (status == 101 || (connect && status < 300)) {
		http1_set_tunnel(&f->req);
		return HTTP1_BODY_TUNNEL;
	}
	f->answering = 1;
	return head ? HTTP1_BODY_NONE : HTTP1_BODY_DEFAULT;
}

/* A valid start line in either direction: the connection is HTTP, and a
 * first line the other direction could not parse is reported now. */
static void
flow_is_http(struct flow *f)
{
	if (f->is_http)
		return;
	f->is_http = 1;
	f->st->http_flows++;
	http1_expect_http(&f->resp);
	http1_expect_http(&f->req);
}

static enum http1_body
req_head(void *ctx, const struct http1_message *m)
{
	struct flow *f = ctx;
	struct exchange *x = f->req_cur;

	flow_is_http(f);
	if (x == NULL) {
		if (f->capping)
			uncounted_push(f, m);
		return HTTP1_BODY_DEFAULT;
	}
	copy_token(x->method, sizeof(x->method), m->method, m->method_len);
	copy_token(x->target, sizeof(x->target), m->target, m->target_len);
	x->target_truncated = m->target_len >= sizeof(x->target);
	x->minor = m->minor;
	/* asked of the message, not the copy: the copy differs only when
	 * cut short, and then it is longer than either name */
	x->is_head = method_is(m, "HEAD");
	x->is_connect = method_is(m, "CONNECT");
	x->has_host = copy_header(x->host, sizeof(x->host), m, HTTP1_HOST);
	x->has_expect = copy_header(x->expect, sizeof(x->expect), m,
	    HTTP1_EXPECT);
	x->has_upgrade = copy_header(x->upgrade, sizeof(x->upgrade), m,
	    HTTP1_UPGRADE);
	x->has_user_agent = (uint8_t)copy_header(x->user_agent,
	    sizeof(x->user_agent), m, HTTP1_USER_AGENT);
	if (f->tunnel_of[0] != '\0')    /* inside a CONNECT tunnel */
		copy_token(x->tunnel_of, sizeof(x->tunnel_of), f->tunnel_of,
		    strlen(f->tunnel_of));
	else
		x->tunnel_of[0] = '\0';
	x->head_done = 1;
	x->t_head = f->now;
	x->t_end = f->now;
	check_request(x, m);
	return HTTP1_BODY_DEFAULT;
}

/* The request being read ends here, whole or not. */
static void
req_over(struct flow *f)
{
	struct exchange *x = f->req_cur;

	if (x != NULL && x->head_done)
		x->request_body_len = f->req.body_bytes;
	f->req_cur = NULL;
}

static void
req_end(void *ctx)
{
	struct flow *f = ctx;

	if (f->req_cur != NULL)
		f->req_cur->t_end = f->now;
	req_over(f);
}

static void
resp_begin(void *ctx)
{
	struct flow *f = ctx;

	if (f->head != NULL)
		check_response_byte(f->head, f->now);
}

/* A request the parser gave up on stays queued, headless if its head was
 * never whole: its responses are its own (checks.c judges none of them),
 * and the requests after it keep theirs. */
static void
req_error(void *ctx, enum http1_error e)
{
	struct flow *f = ctx;

	anomaly(f, FROM_CLIENT, e);
	if (e != HTTP1_ERR_HEADER && e != HTTP1_ERR_STRAY)  /* it ends here */
		req_over(f);
}

/* --- server -> client --- */

/* The final response being read is over: whole (its last byte now), or
 * where it ended is lost. */
static void
response_over(struct flow *f, int whole)
{
	struct exchange *x = f->resp_cur;

	if (x == NULL)
		return;
	f->resp_cur = NULL;
	x->response_body_len = f->resp.body_bytes;
	if (whole) {
		x->seen |= SEEN_RESPONSE_END;
		x->t_response_end = f->now;
	}
	emit(f, x, END_FINAL);
}

static void
add_interim(struct flow *f, struct exchange *x, const struct http1_message *m)
{
	struct interim *i;

	x->n_interim_seen++;
	f->last_1xx = m->status;
	f->last_1xx_ts = f->now;
	if (x->n_interim == X_INTERIM) {
		f->st->interim_capped++;
		return;
	}
	i = &x->interim[x->n_interim++];
	i->status = m->status;
	copy_view(i->reason, sizeof(i->reason), m->reason, m->reason_len);
	i->ts = f->now;
}

/* The protocol a 101 switched to: the response's Upgrade, else the
 * request's, first token. */
static void
tunnel_name(struct exchange *x, const struct http1_message *m)
{
	const struct http1_header *h = http1_get(m, HTTP1_UPGRADE);
	const char *v = h != NULL ? h->value : x->upgrade;
	size_t len = h != NULL ? h->value_len : strlen(x->upgrade), n = 0;

	while (n < len && v[n] != ',' && v[n] != ' ')
		n++;
	if (n == 0)
		copy_token(x->tunnel, sizeof(x->tunnel), "unknown", 7);
	else
		copy_view(x->tunnel, sizeof(x->tunnel), v, n);
}

static enum http1_body
resp_head(void *ctx, const struct http1_message *m)
{
	struct flow *f = ctx;
	struct exchange *x;
	int connect, head;

	flow_is_http(f);        /* may give a headless request to answer */
	response_over(f, 0);    /* the one before did not end: framing lost */
	x = f->head;
	if (m->status < 200)
		f->st->status_1xx[m->status - 100]++;
	if (x == NULL && f->uncounted > 0)      /* answers one not kept */
		return m->status >= 200 || m->status == 101 ?
		    uncounted_answer(f, m->status) : HTTP1_BODY_DEFAULT;
	if (x == NULL) {
		f->st->unsolicited++;
		if (m->status < 200 && !ackwatch_lossy(&f->ack))
			check_unsolicited(f->an, &f->ident, m, f->now);
		if (m->status == 101) {
			http1_set_tunnel(&f->req);
			return HTTP1_BODY_TUNNEL;
		}
		if (m->status >= 200)
			f->answering = 1;       /* its body delays the next */
		return HTTP1_BODY_DEFAULT;
	}
	if (m->status < 200) {
		add_interim(f, x, m);
		check_interim(x, m);
		if (m->status != 101)
			return HTTP1_BODY_DEFAULT;
		tunnel_name(x, m);
		http1_set_tunnel(&f->req);
		emit(f, dequeue(f), END_TUNNEL);
		return HTTP1_BODY_TUNNEL;
	}
	f->answering = 1;
	x->final_status = m->status;
	copy_view(x->final_reason, sizeof(x->final_reason), m->reason,
	    m->reason_len);
	x->t_final = f->now;
	check_final(x);
	connect = x->is_connect && m->status < 300;
	head = x->is_head;
	(void)dequeue(f);
	if (connect) {
		copy_token(x->tunnel, sizeof(x->tunnel), "connect", 7);
		copy_token(f->tunnel_of, sizeof(f->tunnel_of), x->target,
		    strlen(x->target));
		http1_set_connect(&f->req);
		f->answering = 0;       /* no body: the next request's turn */
		x->seen |= SEEN_RESPONSE_END;
		x->t_response_end = f->now;
		emit(f, x, END_TUNNEL);
		return HTTP1_BODY_CONNECT;
	}
	f->resp_cur = x;        /* out when its body ends (resp_end) */
	return head ? HTTP1_BODY_NONE : HTTP1_BODY_DEFAULT;
}

/* A response ended; after a final one, the next request's turn. */
static void
resp_end(void *ctx)
{
	struct flow *f = ctx;

	if (!f->answering)
		return;
	f->answering = 0;
	response_over(f, 1);
	if (f->head != NULL)
		check_turn(f->head, f->now);
}

static void
resp_error(void *ctx, enum http1_error e)
{
	anomaly(ctx, FROM_SERVER, e);
	resp_end(ctx);          /* a broken response ends there too */
}

static const struct http1_callbacks req_cb = {
	req_begin, req_head, req_end, req_error
};

static const struct http1_callbacks resp_cb = {
	resp_begin, resp_head, resp_end, resp_error
};

/* --- the connection --- */

/* Run by the heap at the earliest deadline it was given, or later than
 * any still open (deadlines only move later once set): raise what is due
 * up to that deadline, then wait for the next. Violations thus come out in
 * deadline order across connections (timers_run picks the next at once
 * when it is already past). */
static void
flow_fire(struct timer *t, int64_t now)
{
	struct flow *f = (struct flow *)((char *)t -
	    offsetof(struct flow, timer));
	int64_t upto = t->deadline, next = 0;

	(void)now;
	for (struct exchange *x = f->head; x != NULL; x = x->next) {
		int64_t d;

		check_expire(x, upto);
		d = check_next(x);
		if (d != 0 && (next == 0 || d < next))
			next = d;
	}
	if (next != 0)
		timers_set(&f->an->timers, t, next);
}

struct flow *
flow_open(const struct flow_key *key, int64_t ts, struct analysis *an)
{
	struct flow *f = pool_get(&flow_pool);

	if (f == NULL)
		return NULL;
	f->ident.key = *key;
	f->ident.id = flowid_next(&an->ids, key, ts);
	f->an = an;
	f->st = an->st;
	f->now = ts;
	http1_init(&f->req, HTTP1_REQUEST, &req_cb, f);
	http1_init(&f->resp, HTTP1_RESPONSE, &resp_cb, f);
	ackwatch_init(&f->ack, an, &f->ident);
	f->timer.fire = flow_fire;
	f->st->flows++;
	f->open_prev = an->open_last;
	if (an->open_last != NULL)
		an->open_last->open_next = f;
	else
		an->open = f;
	an->open_last = f;
	return f;
}

/* Bytes of direction d, none of them in a gap. */
static size_t
feed(struct flow *f, enum flow_dir d, const char *buf, size_t len)
{
	struct http1_parser *p = d == FROM_CLIENT ? &f->req : &f->resp;
	uint64_t tunnel = p->tunnel_bytes;
	size_t used;

	/* HTTP is recognised from the client's first bytes; a server that
	 * speaks first is some other protocol unless it speaks HTTP (judged
	 * on what has come so far, so the same wherever segments break) */
	if (!f->is_http && d == FROM_SERVER && f->req.messages == 0 &&
	    !f->req.begun && f->resp.state == HTTP1_START_LINE &&
	    !f->resp.recognised && memcmp(buf, "HTTP/", len < 5 ? len : 5) != 0) {
		if (!f->ignored)
			f->st->not_http_flows++;
		f->ignored = 1;
		return len;
	}
	used = http1_feed(p, buf, len);
	if (p->state == HTTP1_TUNNEL)
		f->st->tunnel_bytes += p->tunnel_bytes - tunnel;
	return used;
}

size_t
flow_data(struct flow *f, enum flow_dir d, const char *buf, size_t len,
    int64_t ts)
{
	struct http1_parser *p = d == FROM_CLIENT ? &f->req : &f->resp;
	size_t used, before, g;

	f->now = ts;
	if (d == FROM_CLIENT && f->req_cur != NULL && f->req_cur->head_done)
		f->req_cur->t_end = ts;         /* body bytes move it on */
	if (f->gap_len[d] == 0 || f->gap_at[d] >= f->consumed[d] + len) {
		used = feed(f, d, buf, len);
		f->consumed[d] += used;
		return used;
	}
	/* the bytes up to the gap, then the gap (what stands in for it is
	 * not data), then the rest */
	before = (size_t)(f->gap_at[d] - f->consumed[d]);
	if (before > 0)
		(void)feed(f, d, buf, before);  /* a head it cuts is lost */
	g = len - before < f->gap_len[d] ? len - before : f->gap_len[d];
	http1_gap(p, g);
	if (d == FROM_SERVER && p->state == HTTP1_RESYNC)
		response_over(f, 0);    /* where its body ended is lost */
	f->gap_len[d] -= (uint32_t)g;
	f->gap_at[d] += g;
	f->consumed[d] += before + g;
	if (before + g == len)
		return len;
	return before + g + flow_data(f, d, buf + before + g,
	    len - before - g, ts);
}

void
flow_prefetch(const struct flow *f, int from_client, int from_server)
{
	__builtin_prefetch(f, 1);
	if (from_client)
		__builtin_prefetch(&f->req, 1);
	if (from_server)
		__builtin_prefetch(&f->resp, 1);
}

struct ackwatch *
flow_ackwatch(struct flow *f)
{
	return &f->ack;
}

void
flow_mark_lossy(struct flow *f)
{
	ackwatch_mark_lossy(&f->ack);
}

void
flow_set_midstream(struct flow *f)
{
	f->midstream = 1;
}

int
flow_is_midstream(const struct flow *f)
{
	return f->midstream;
}

void
flow_gap(struct flow *f, enum flow_dir d, uint64_t at, uint32_t len,
    int64_t ts)
{
	if (f->gap_len[d] != 0)
		return;         /* one at a time: it is being filled */
	f->now = ts;
	f->gap_at[d] = at;
	f->gap_len[d] = len;
	f->st->gaps++;
	f->st->gap_bytes += len;
	ackwatch_mark_lossy(&f->ack);
	anomaly(f, d, HTTP1_ERR_GAP);
}

struct flow_link *
flow_link(struct flow *f)
{
	return &f->link;
}

unsigned
flow_pending(const struct flow *f)
{
	return f->pending;
}

void
flow_give_up(struct flow *f, enum flow_dir d, int64_t ts)
{
	f->now = ts;
	http1_abandon(d == FROM_CLIENT ? &f->req : &f->resp);
}

int
flow_ignored(const struct flow *f)
{
	return f->ignored;
}

/* The client's first FIN or RST, on x. */
static void
client_closed(const struct flow *f, struct exchange *x)
{
	x->seen |= SEEN_CLIENT_CLOSED;
	if (f->end_how[FROM_CLIENT] == TCP_RST)
		x->seen |= SEEN_CLIENT_RESET;
	x->t_client_closed = f->end_ts[FROM_CLIENT];
}

void
flow_tcp_end(struct flow *f, enum flow_dir d, int rst, int64_t ts)
{
	if (f->end_how[d] != TCP_OPEN)
		return;
	f->end_how[d] = rst ? TCP_RST : TCP_FIN;
	f->end_ts[d] = ts;
	if (f->first_end == 0)
		f->first_end = (uint8_t)(d + 1);
	if (d != FROM_CLIENT)
		return;
	/* the timer rules may say that the client gave up */
	for (struct exchange *x = f->head; x != NULL; x = x->next)
		client_closed(f, x);
	if (f->resp_cur != NULL)
		client_closed(f, f->resp_cur);
}

/* END_CLOSED, said of the side whose FIN or RST came first; with neither
 * seen (a new connection took the 4-tuple), the client's: it opened the
 * new one from the same port. */
static enum exchange_end
closed_by(const struct flow *f)
{
	enum flow_dir d = f->first_end == FROM_SERVER + 1 ? FROM_SERVER :
	    FROM_CLIENT;
	int rst = f->end_how[d] == TCP_RST;

	if (d == FROM_CLIENT)
		return rst ? END_CLIENT_RESET : END_CLIENT_CLOSED;
	return rst ? END_SERVER_RESET : END_SERVER_CLOSED;
}

void
flow_close(struct flow *f, const size_t unconsumed[2], enum exchange_end how,
    int64_t ts)
{
	struct exchange *x;

	f->now = ts;
	if (how == END_CLOSED)
		how = closed_by(f);
	if (!f->ignored) {
		if (f->body_withheld)
			http1_withheld(&f->req);
		http1_finish(&f->req, unconsumed[FROM_CLIENT]);
		http1_finish(&f->resp, unconsumed[FROM_SERVER]);
		/* the client spoke, not HTTP, and the server never did */
		if (!f->is_http && f->req.state == HTTP1_NOT_HTTP)
			f->st->not_http_flows++;
	}
	response_over(f, 0);    /* not ended by the close: framing lost */
	while ((x = dequeue(f)) != NULL)
		emit(f, x, how);
	if (ackwatch_lossy(&f->ack))
		f->st->lossy_flows++;
	ackwatch_stop(&f->ack);
	timers_cancel(&f->an->timers, &f->timer);
	if (f->open_prev != NULL)
		f->open_prev->open_next = f->open_next;
	else
		f->an->open = f->open_next;
	if (f->open_next != NULL)
		f->open_next->open_prev = f->open_prev;
	else
		f->an->open_last = f->open_prev;
	pool_put(&flow_pool, f);
}

const struct flow *
flow_first(const struct analysis *an)
{
	return an->open;
}

const struct flow *
flow_next(const struct flow *f)
{
	return f->open_next;
}

void
flow_snapshot(const struct flow *f, struct flow_snapshot *s)
{
	const struct exchange *x = f->head;
	const struct rules_config *cfg = &f->an->cfg;

	memset(s, 0, sizeof(*s));
	s->key = f->ident.key;
	s->id = f->ident.id;
	s->pending = f->pending;
	s->requests = f->requests;
	s->last_1xx = f->last_1xx;
	s->last_1xx_ts = f->last_1xx_ts;
	s->active = f->link.active;
	if (x == NULL)
		x = f->req_cur;
	if (x != NULL) {
		snprintf(s->request, sizeof(s->request), "%s %s", x->method,
		    x->target);
		if (x->n_interim > 0) {
			s->last_1xx = x->interim[x->n_interim - 1].status;
			s->last_1xx_ts = x->interim[x->n_interim - 1].ts;
		}
	}
	if (f->upgraded[0] != '\0') {
		s->state = FLOW_UPGRADED;
		snprintf(s->upgraded, sizeof(s->upgraded), "%s", f->upgraded);
		return;
	}
	if (x == NULL || !x->head_done || !(x->seen & SEEN_TURN)) {
		s->state = FLOW_IDLE;
		return;
	}
	if (x->expects_100 && x->minor > 0 && !(x->seen & SEEN_ANSWERED)) {
		s->state = FLOW_AWAIT_100;
		s->since = x->t_head > x->t_turn ? x->t_head : x->t_turn;
		s->timeout = cfg->continue_timeout;
	} else if (x->seen & SEEN_PROCESSING) {
		s->state = FLOW_AFTER_102;
		s->since = x->t_processing;
		s->timeout = cfg->processing_timeout;
		s->cloudflare = 522;
	} else {
		s->state = FLOW_AWAIT_RESPONSE;
		s->since = x->t_end > x->t_turn ? x->t_end : x->t_turn;
		if (!(x->seen & SEEN_FIRST_BYTE)) {
			s->timeout = cfg->response_timeout;
			s->cloudflare = 524;
		}
	}
}
