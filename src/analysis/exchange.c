/* exchange.c: pair requests with their interim and final responses.
 *
 * RFC 9110 15.2: every 1xx is interim; the request stays outstanding until
 * a final (2xx-5xx) response, a 101 (the connection becomes a tunnel) or the
 * end of the connection. Cost: O(1) per message. An exchange is 384 bytes
 * and one block of text sized to what its strings hold (a browser's GET:
 * about 200). Freed ones are kept on a short list, each with its block,
 * and reused while still in cache: neither is allocated again.
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

/* What an exchange's absent strings point to; every other one points
 * into its text. */
static const char no_text[1] = "";

static struct exchange *
exchange_new(struct analysis *an)
{
	struct exchange *x = an->spare;

	if (x == NULL) {
		x = calloc(1, sizeof(*x));
		if (x == NULL)
			return NULL;
	} else {
		an->spare = x->next;
		an->spares--;
		memset(x, 0, offsetof(struct exchange, method));
	}
	x->method = x->target = x->host = x->user_agent = no_text;
	x->expect = x->upgrade = x->final_reason = x->tunnel = no_text;
	x->tunnel_of = no_text;
	return x;               /* its block, if any, kept and now empty */
}

static void
exchange_free(struct analysis *an, struct exchange *x)
{
	if (an->spares == SPARES_MAX) {
		free(x->text);
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
		free(x->text);
		free(x);
	}
	an->spares = 0;
	pool_drain(&flow_pool);
}

/* --- an exchange's text --- */

/* Room kept in a new block past what it was made for: the final reason
 * that usually follows ("Internal Server Error" fits) without a second
 * block */
#define TEXT_SPARE 32

/* The most an exchange's text can hold: each string at its cap, and
 * X_INTERIM interims, their array left behind each time it doubled, and
 * padding */
_Static_assert(X_METHOD + X_TARGET + 6 * X_FIELD + X_REASON +
    X_INTERIM * X_REASON + 2 * X_INTERIM * sizeof(struct interim) +
    TEXT_SPARE + 64 <= UINT16_MAX,
    "an exchange's text is counted in 16 bits");

static void
repoint(const char **s, const char *from, char *to)
{
	if (*s != no_text)
		*s = to + (*s - from);
}

/* n more bytes of x's text, in a new block: what it holds copied over
 * and re-pointed, with TEXT_SPARE more. Rare: a block is kept with its
 * exchange, so it soon holds what the traffic needs. NULL without
 * memory, x unchanged. */
static char *
text_grow(struct exchange *x, size_t n)
{
	/* glibc hands out 16-byte steps less its 8-byte header anyway */
	size_t cap = ((size_t)x->text_used + n + TEXT_SPARE + 8 + 15) /
	    16 * 16 - 8;
	char *from = x->text, *to;

	if (cap > UINT16_MAX)   /* past the caps (above): never */
		return NULL;
	to = malloc(cap);
	if (to == NULL)
		return NULL;
	if (x->text_used > 0)
		memcpy(to, from, x->text_used);
	repoint(&x->method, from, to);
	repoint(&x->target, from, to);
	repoint(&x->host, from, to);
	repoint(&x->user_agent, from, to);
	repoint(&x->expect, from, to);
	repoint(&x->upgrade, from, to);
	repoint(&x->final_reason, from, to);
	repoint(&x->tunnel, from, to);
	repoint(&x->tunnel_of, from, to);
	if (x->interim_cap > 0)
		x->interim = (struct interim *)(void *)(to +
		    ((char *)x->interim - from));
	for (unsigned i = 0; i < x->n_interim; i++)
		repoint(&x->interim[i].reason, from, to);
	free(from);
	x->text = to;
	x->text_cap = (uint16_t)cap;
	return to + x->text_used;
}

/* Room for n more bytes at the end of x's text (n > 0); it may move the
 * block. NULL without memory. */
static char *
text_room(struct exchange *x, size_t n)
{
	if (x->text_used + n <= x->text_cap)
		return x->text + x->text_used;
	return text_grow(x, n);
}

/* The length kept of n bytes, cut to fit size with the NUL. */
static size_t
cut(size_t n, size_t size)
{
	return n < size ? n : size - 1;
}

/* n bytes of src and a NUL at t, for bytes that hold no NUL: a method or
 * target (the parser admits only tchar, or bytes above SP), a string.
 * *s and *len say where; returns the byte after. */
static char *
put_token(char *t, const char **s, uint16_t *len, const char *src,
    size_t n)
{
	memcpy(t, src, n);
	t[n] = '\0';
	*s = t;
	*len = (uint16_t)n;
	return t + n + 1;
}

/* n (8 or more) bytes of src to t, a word at a time; returns whether
 * they hold a NUL. One pass where memcpy and memchr would take two (and
 * a call): this runs for each header kept of every request. */
static inline __attribute__((always_inline)) int
copy_words(char *t, const char *src, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, highs = ones << 7;
	uint64_t w, nul;

	memcpy(&w, src, 8);
	memcpy(t, &w, 8);
	nul = (w - ones) & ~w & highs;  /* a byte 0: its high bit */
	for (size_t i = 8; i + 8 < n; i += 8) {
		memcpy(&w, src + i, 8);
		memcpy(t + i, &w, 8);
		nul |= (w - ones) & ~w & highs;
	}
	memcpy(&w, src + n - 8, 8);     /* the last 8, again or not */
	memcpy(t + n - 8, &w, 8);
	nul |= (w - ones) & ~w & highs;
	return nul != 0;
}

/* Each NUL in t's n bytes made '?' */
static void
unnul(char *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (t[i] == '\0')
			t[i] = '?';
}

/* The same as put_token() for a view of the wire's bytes, each NUL made
 * '?': outputs escape, but a NUL would cut the string. */
static inline __attribute__((always_inline)) char *
put_view(char *t, const char **s, uint16_t *len, const char *src,
    size_t n)
{
	int nul;

	if (n >= 8) {
		nul = copy_words(t, src, n);
	} else if (n >= 4) {    /* the first 4 and the last 4 */
		uint32_t a, b;

		memcpy(&a, src, 4);
		memcpy(&b, src + n - 4, 4);
		memcpy(t, &a, 4);
		memcpy(t + n - 4, &b, 4);
		nul = (((a - 0x01010101u) & ~a) | ((b - 0x01010101u) & ~b)) &
		    0x80808080u;
	} else if (n > 0) {     /* "OK": the first, the middle, the last */
		t[0] = src[0];
		t[n / 2] = src[n / 2];
		t[n - 1] = src[n - 1];
		nul = src[0] == '\0' || src[n / 2] == '\0' ||
		    src[n - 1] == '\0';
	} else {
		nul = 0;
	}
	if (nul)                /* rare */
		unnul(t, n);
	t[n] = '\0';
	*s = t;
	*len = (uint16_t)n;
	return t + n + 1;
}

/* *s, *len: a view's first n bytes (already cut), added to x's text; left
 * as they are without memory. Not for an interim's reason: the array may
 * move. */
static inline __attribute__((always_inline)) void
text_add(struct exchange *x, const char **s, uint16_t *len,
    const char *src, size_t n)
{
	char *t;

	if (x->text_used + n + 1 <= x->text_cap)
		t = x->text + x->text_used;
	else if ((t = text_grow(x, n + 1)) == NULL)
		return;
	x->text_used = (uint16_t)(put_view(t, s, len, src, n) - x->text);
}

/* The request's strings, cut to their caps, in one piece of x's text, and
 * which headers came (has_*: 0 in a new exchange). The four headers are
 * read as http1_get() would: m->have says which known[] are set. An empty
 * header is kept as an absent one: "" all the same. */
static void
request_text(struct exchange *x, const struct http1_message *m)
{
	const struct http1_header *h = m->known;
	unsigned have = m->have;
	size_t method = cut(m->method_len, X_METHOD);
	size_t target = cut(m->target_len, X_TARGET);
	size_t host = 0, agent = 0, expect = 0, upgrade = 0, need;
	char *t;

	if (have & (1u << HTTP1_HOST)) {
		x->has_host = 1;
		host = cut(h[HTTP1_HOST].value_len, X_FIELD);
	}
	if (have & (1u << HTTP1_USER_AGENT)) {
		x->has_user_agent = 1;
		agent = cut(h[HTTP1_USER_AGENT].value_len, X_FIELD);
	}
	if (have & (1u << HTTP1_EXPECT)) {
		x->has_expect = 1;
		expect = cut(h[HTTP1_EXPECT].value_len, X_FIELD);
	}
	if (have & (1u << HTTP1_UPGRADE)) {
		x->has_upgrade = 1;
		upgrade = cut(h[HTTP1_UPGRADE].value_len, X_FIELD);
	}
	x->target_truncated = m->target_len > target;
	need = method + target + host + agent + expect + upgrade + 6;
	if (x->text_used + need > x->text_cap) {
		/* the rare case, apart: nothing is kept across the call */
		if (text_grow(x, need) != NULL)
			request_text(x, m);     /* it fits now */
		else    /* no memory: kept, but cut to nothing */
			x->target_truncated = m->target_len > 0;
		return;
	}
	t = x->text + x->text_used;
	if (m->target == m->method + method + 1) {
		/* "GET /": one copy, the SP between made the method's NUL */
		x->method = t;
		x->method_len = (uint16_t)method;
		x->target = t + method + 1;
		x->target_len = (uint16_t)target;
		memcpy(t, m->method, method + 1 + target);
		t[method] = '\0';
		t += method + 1 + target;
		*t++ = '\0';
	} else {
		t = put_token(t, &x->method, &x->method_len, m->method,
		    method);
		t = put_token(t, &x->target, &x->target_len, m->target,
		    target);
	}
	if (host > 0)
		t = put_view(t, &x->host, &x->host_len, h[HTTP1_HOST].value,
		    host);
	if (agent > 0)
		t = put_view(t, &x->user_agent, &x->user_agent_len,
		    h[HTTP1_USER_AGENT].value, agent);
	if (expect > 0)
		t = put_view(t, &x->expect, &x->expect_len,
		    h[HTTP1_EXPECT].value, expect);
	if (upgrade > 0)
		t = put_view(t, &x->upgrade, &x->upgrade_len,
		    h[HTTP1_UPGRADE].value, upgrade);
	x->text_used = (uint16_t)(t - x->text);
}

/* Room for one more interim: the first is interim_first; then the array
 * moves into x's text (8-byte aligned), doubling up to X_INTERIM, with
 * reason_len + 1 bytes after it for its reason. Returns that room, or
 * NULL without memory. */
static char *
interim_room(struct exchange *x, size_t reason_len)
{
	size_t pad, cap, size;
	char *t;

	if (x->n_interim == 0) {
		x->interim = &x->interim_first;
		return text_room(x, reason_len + 1);
	}
	if (x->n_interim < x->interim_cap)
		return text_room(x, reason_len + 1);
	pad = (size_t)(-x->text_used & 7);
	cap = x->interim_cap > 0 ? 2 * (size_t)x->interim_cap : 2;
	size = cap * sizeof(struct interim);
	t = text_room(x, pad + size + reason_len + 1);  /* may move interim */
	if (t == NULL)
		return NULL;
	memcpy(t + pad, x->interim, x->n_interim * sizeof(struct interim));
	x->interim = (struct interim *)(void *)(t + pad);
	x->interim_cap = (uint16_t)cap;
	x->text_used = (uint16_t)(x->text_used + pad + size);
	return t + pad + size;
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
	x->minor = m->minor;
	/* asked of the message, not the copy: the copy differs only when
	 * cut short, and then it is longer than either name */
	x->is_head = method_is(m, "HEAD");
	x->is_connect = method_is(m, "CONNECT");
	x->head_done = 1;
	x->t_head = f->now;
	x->t_end = f->now;
	request_text(x, m);
	if (f->tunnel_of[0] != '\0')    /* inside a CONNECT tunnel */
		text_add(x, &x->tunnel_of, &x->tunnel_of_len, f->tunnel_of,
		    strlen(f->tunnel_of));
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
	size_t n = cut(m->reason_len, X_REASON);
	struct interim *i;
	char *t;

	x->n_interim_seen++;
	f->last_1xx = m->status;
	f->last_1xx_ts = f->now;
	/* the first has its place in x; without memory for a later one, it
	 * is counted as one past the cap */
	t = x->n_interim < X_INTERIM ? interim_room(x, n) : NULL;
	if (t == NULL && x->n_interim > 0) {
		f->st->interim_capped++;
		return;
	}
	i = &x->interim[x->n_interim++];
	i->status = m->status;
	i->ts = f->now;
	i->reason = no_text;
	i->reason_len = 0;
	if (t != NULL)
		x->text_used = (uint16_t)(put_view(t, &i->reason,
		    &i->reason_len, m->reason, n) - x->text);
}

/* The protocol a 101 switched to: the response's Upgrade, else the
 * request's, first token. */
static void
tunnel_name(struct exchange *x, const struct http1_message *m)
{
	const struct http1_header *h = http1_get(m, HTTP1_UPGRADE);
	const char *v = h != NULL ? h->value : x->upgrade;
	size_t len = h != NULL ? h->value_len : x->upgrade_len, n = 0;
	char *t;

	while (n < len && v[n] != ',' && v[n] != ' ')
		n++;
	n = cut(n, X_FIELD);
	if (n == 0) {
		text_add(x, &x->tunnel, &x->tunnel_len, "unknown", 7);
		return;
	}
	t = text_room(x, n + 1);
	if (t == NULL)
		return;
	if (h == NULL)
		v = x->upgrade;         /* the room may have moved it */
	x->text_used = (uint16_t)(put_view(t, &x->tunnel, &x->tunnel_len, v,
	    n) - x->text);
}

static enum http1_body
resp_head(void *ctx, const struct http1_message *m)
{
	struct flow *f = ctx;
	struct exchange *x;
	int connect, head;
	size_t n;

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
		check_interim(x, m, f->now);
		if (m->status != 101)
			return HTTP1_BODY_DEFAULT;
		tunnel_name(x, m);
		http1_set_tunnel(&f->req);
		emit(f, dequeue(f), END_TUNNEL);
		return HTTP1_BODY_TUNNEL;
	}
	f->answering = 1;
	x->final_status = m->status;
	text_add(x, &x->final_reason, &x->final_reason_len, m->reason,
	    cut(m->reason_len, X_REASON));
	x->t_final = f->now;
	check_final(x);
	connect = x->is_connect && m->status < 300;
	head = x->is_head;
	(void)dequeue(f);
	if (connect) {
		text_add(x, &x->tunnel, &x->tunnel_len, "connect", 7);
		n = cut(x->target_len, sizeof(f->tunnel_of));
		memcpy(f->tunnel_of, x->target, n);
		f->tunnel_of[n] = '\0';
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
