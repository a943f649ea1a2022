/* fuzz_http1.c: libFuzzer target for the dissector and the exchange layer.
 *
 * Input (what seeds.py writes):
 *   byte 0      flags: bit 0 the connection ends by FIN (else the input
 *               ends), bit 1 the per-direction parsers start as HTTP
 *   bytes 1-4   seed of the chunking (little endian)
 *   records     [dir:1 bit | delay:7 bits] [len: 2 bytes LE] [len bytes]
 *               dir 1: from the server; the record arrives delay^3 * 100 us
 *               after the one before (up to 205 s); a short last record
 *               takes what is left
 *
 * Oracles (the spec: "its result never depends on where the segments
 * broke"):
 *   - per direction, the parser's callbacks (begin, head and its fields,
 *     end, errors) and its counters are the same when the direction's bytes
 *     come in one piece and when they come in random chunks;
 *   - for the connection, what exchange.c emits (exchanges, anomalies,
 *     violations) and its counters are the same when each record comes
 *     whole and when it comes in random chunks, in the records' order.
 * Bytes left unconsumed are presented again with more appended, at a fresh
 * address, as libnids does: a pointer kept past a call shows under ASan.
 * A mismatch prints both event logs and aborts.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "exchange.h"
#include "http1.h"
#include "rules.h"

#define MAX_CHUNKS 4096         /* per run: bounds the cost of one input */

/* A growing event log; events are text, so a mismatch prints readably. */
struct log {
	char *buf;
	size_t len, cap;
};

static void
log_printf(struct log *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->buf == NULL) {
		l->cap = 4096;
		if ((l->buf = malloc(l->cap)) == NULL)
			abort();
	}
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if ((size_t)n < l->cap - l->len)
			break;
		l->cap = (l->cap + (size_t)n + 1) * 2;
		if ((l->buf = realloc(l->buf, l->cap)) == NULL)
			abort();
	}
	l->len += (size_t)n;
}

/* Bytes as a quoted C string; control bytes escaped. */
static void
log_bytes(struct log *l, const char *p, size_t n)
{
	log_printf(l, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			log_printf(l, "%c", c);
		else
			log_printf(l, "\\x%02x", c);
	}
	log_printf(l, "\"");
}

static size_t
line_len(const struct log *l, size_t at)
{
	const char *nl = at < l->len ? memchr(l->buf + at, '\n',
	    l->len - at) : NULL;

	return at >= l->len ? 0 : nl != NULL ? (size_t)(nl - (l->buf + at)) :
	    l->len - at;
}

static void
log_compare(const struct log *a, const struct log *b, const char *what)
{
	size_t i = 0;

	if (a->len == b->len && memcmp(a->buf, b->buf, a->len) == 0)
		return;
	while (i < a->len && i < b->len && a->buf[i] == b->buf[i])
		i++;
	while (i > 0 && a->buf[i - 1] != '\n')
		i--;            /* the line where they part */
	fprintf(stderr, "fuzz_http1: %s differ\n--- whole:\n%.*s\n"
	    "--- chunked:\n%.*s\n--- first difference:\nwhole:   %.*s\n"
	    "chunked: %.*s\n", what, (int)a->len, a->buf, (int)b->len,
	    b->buf, (int)line_len(a, i), a->buf + i, (int)line_len(b, i),
	    b->buf + i);
	abort();
}

/* xorshift32: the chunking schedule */
static uint32_t
next_rand(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* A chunk length for n bytes left. A record is cut either all in small
 * chunks (so that a long line is seen growing byte by byte) or in mixed
 * ones, mostly tiny, sometimes large; small is drawn once per record. */
static size_t
chunk_len(uint32_t *s, size_t n, int small)
{
	uint32_t r = next_rand(s);
	size_t k;

	switch (r & 3) {
	case 0: k = 1; break;
	case 1: k = 1 + (r >> 8) % 8; break;
	case 2: k = 1 + (r >> 8) % 64; break;
	default: k = 1 + (r >> 8) % (small ? 64 : 8192); break;
	}
	return k < n ? k : n;
}

/* What libnids keeps of one direction: the bytes not yet consumed. */
struct held {
	char *buf;
	size_t len;
};

typedef size_t (*consume_fn)(void *ctx, const char *buf, size_t len);

/* New bytes arrive: offer held + new at a fresh exact-size address, keep
 * the unconsumed tail. */
static void
deliver(struct held *h, const char *p, size_t n, consume_fn fn, void *ctx)
{
	size_t total = h->len + n, used;
	char *buf;

	if (n == 0)
		return;
	if ((buf = malloc(total)) == NULL)
		abort();
	if (h->len > 0)
		memcpy(buf, h->buf, h->len);
	memcpy(buf + h->len, p, n);
	free(h->buf);
	h->buf = NULL;
	h->len = 0;
	used = fn(ctx, buf, total);
	if (used > total) {
		fprintf(stderr, "fuzz_http1: consumed %zu of %zu\n", used,
		    total);
		abort();
	}
	if (used < total) {
		if ((h->buf = malloc(total - used)) == NULL)
			abort();
		memcpy(h->buf, buf + used, total - used);
		h->len = total - used;
	}
	free(buf);
}

/* --- the input --- */

struct record {
	int from_server;
	int64_t ts;
	const char *data;
	size_t len;
};

struct input {
	unsigned flags;
	uint32_t seed;
	struct record *rec;
	size_t n;
};

static int
input_parse(const uint8_t *data, size_t size, struct input *in)
{
	size_t pos = 5;
	int64_t ts = 1767225600LL * USEC;      /* 2026-01-01 */

	memset(in, 0, sizeof(*in));
	if (size < 5)
		return -1;
	in->flags = data[0];
	in->seed = (uint32_t)data[1] | (uint32_t)data[2] << 8 |
	    (uint32_t)data[3] << 16 | (uint32_t)data[4] << 24;
	if ((in->rec = calloc(size / 3 + 1, sizeof(*in->rec))) == NULL)
		abort();
	while (size - pos >= 3) {
		struct record *r = &in->rec[in->n++];
		int64_t d = data[pos] & 0x7f;
		size_t len = (size_t)data[pos + 1] | (size_t)data[pos + 2] << 8;

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		ts += d * d * d * 100;
		r->from_server = data[pos - 3] >> 7;
		r->ts = ts;
		r->data = (const char *)data + pos;
		r->len = len;
		pos += len;
	}
	return 0;
}

/* --- oracle 1: one direction through the parser --- */

struct parse_run {
	struct http1_parser p;
	struct log log;
};

static void
p_begin(void *ctx)
{
	log_printf(&((struct parse_run *)ctx)->log, "begin\n");
}

static enum http1_body
p_head(void *ctx, const struct http1_message *m)
{
	struct log *l = &((struct parse_run *)ctx)->log;

	log_printf(l, "head kind=%d minor=%d ", m->kind, m->minor);
	if (m->kind == HTTP1_REQUEST) {
		log_bytes(l, m->method, m->method_len);
		log_printf(l, " ");
		log_bytes(l, m->target, m->target_len);
	} else {
		log_printf(l, "status=%d ", m->status);
		log_bytes(l, m->reason, m->reason_len);
	}
	log_printf(l, " fields=%zu len=%zu", m->num_headers, m->head_len);
	for (int f = 0; f < HTTP1_FIELDS; f++) {
		const struct http1_header *h = http1_get(m, (enum http1_field)f);

		if (h == NULL)
			continue;
		log_printf(l, " [%d]", f);
		log_bytes(l, h->name, h->name_len);
		log_printf(l, ":");
		log_bytes(l, h->value, h->value_len);
	}
	log_printf(l, "\n");
	/* a decision that depends on the message only, so that the other
	 * body modes are reached: reason "N..." no body, "T..." tunnel */
	if (m->kind == HTTP1_RESPONSE && m->reason_len > 0 &&
	    m->reason[0] == 'N')
		return HTTP1_BODY_NONE;
	if (m->kind == HTTP1_RESPONSE && m->reason_len > 0 &&
	    m->reason[0] == 'T')
		return HTTP1_BODY_TUNNEL;
	return HTTP1_BODY_DEFAULT;
}

static void
p_end(void *ctx)
{
	log_printf(&((struct parse_run *)ctx)->log, "end\n");
}

static void
p_error(void *ctx, enum http1_error e)
{
	log_printf(&((struct parse_run *)ctx)->log, "error %s\n",
	    http1_error_name(e));
}

static const struct http1_callbacks parse_cb = {
	p_begin, p_head, p_end, p_error
};

static size_t
parse_consume(void *ctx, const char *buf, size_t len)
{
	return http1_feed(&((struct parse_run *)ctx)->p, buf, len);
}

/* Direction dir's bytes, whole (seed NULL) or in random chunks that also
 * break at every record boundary. */
static void
parse_direction(const struct input *in, int from_server, uint32_t *seed,
    struct parse_run *r)
{
	struct held h = {NULL, 0};
	size_t chunks = 0;
	int small;
	char *all = NULL;
	size_t all_len = 0;

	memset(r, 0, sizeof(*r));
	http1_init(&r->p, from_server ? HTTP1_RESPONSE : HTTP1_REQUEST,
	    &parse_cb, r);
	if (in->flags & 2)
		http1_expect_http(&r->p);
	for (size_t i = 0; i < in->n; i++) {
		const struct record *rc = &in->rec[i];

		if (rc->from_server != from_server || rc->len == 0)
			continue;
		if (seed == NULL) {
			if ((all = realloc(all, all_len + rc->len)) == NULL)
				abort();
			memcpy(all + all_len, rc->data, rc->len);
			all_len += rc->len;
			continue;
		}
		small = next_rand(seed) & 1;
		for (size_t off = 0; off < rc->len; ) {
			size_t k = chunks++ < MAX_CHUNKS ?
			    chunk_len(seed, rc->len - off, small) :
			    rc->len - off;

			deliver(&h, rc->data + off, k, parse_consume, r);
			off += k;
		}
	}
	if (seed == NULL) {
		deliver(&h, all, all_len, parse_consume, r);
		free(all);
	}
	http1_finish(&r->p, h.len);
	log_printf(&r->log, "finish messages=%u tunnel=%llu\n",
	    (unsigned)r->p.messages, (unsigned long long)r->p.tunnel_bytes);
	free(h.buf);
}

static void
oracle_parser(const struct input *in)
{
	for (int dir = 0; dir < 2; dir++) {
		struct parse_run whole, chunked;
		uint32_t seed = in->seed ^ (uint32_t)dir * 0x85ebca6bu;

		parse_direction(in, dir, NULL, &whole);
		parse_direction(in, dir, &seed, &chunked);
		log_compare(&whole.log, &chunked.log, dir ?
		    "server direction's parser events" :
		    "client direction's parser events");
		free(whole.log.buf);
		free(chunked.log.buf);
	}
}

/* --- oracle 2: the connection through exchange.c --- */

struct conn_run {
	struct stats st;
	struct analysis an;
	struct sink sink;
	struct log log;
	struct flow *f;
	enum flow_dir dir;
	int64_t ts;
};

static void
s_exchange(void *self, const struct flow_key *key, uint64_t id,
    const struct exchange *x)
{
	struct log *l = &((struct conn_run *)self)->log;

	(void)key;
	log_printf(l, "exchange %llu seq=%llu minor=%d head=%d host=%d "
	    "expect=%d upgrade=%d t=%lld/%lld/%lld first=%lld answered=%lld "
	    "final=%d@%lld end=%d fired=%u continues=%u interim=%u/%u ",
	    (unsigned long long)id, (unsigned long long)x->seq, x->minor,
	    x->head_done, x->has_host, x->has_expect, x->has_upgrade,
	    (long long)x->t_begin, (long long)x->t_head, (long long)x->t_end,
	    (long long)x->t_first_byte, (long long)x->t_answered,
	    x->final_status, (long long)x->t_final, (int)x->end, x->fired,
	    x->continues, x->n_interim, x->n_interim_seen);
	log_bytes(l, x->method, strlen(x->method));
	log_bytes(l, x->target, strlen(x->target));
	log_bytes(l, x->host, strlen(x->host));
	log_bytes(l, x->expect, strlen(x->expect));
	log_bytes(l, x->upgrade, strlen(x->upgrade));
	log_bytes(l, x->final_reason, strlen(x->final_reason));
	log_bytes(l, x->tunnel, strlen(x->tunnel));
	for (unsigned i = 0; i < x->n_interim && i < X_INTERIM; i++) {
		log_printf(l, " %d@%lld", x->interim[i].status,
		    (long long)x->interim[i].ts);
		log_bytes(l, x->interim[i].reason,
		    strlen(x->interim[i].reason));
	}
	log_printf(l, "\n");
}

static void
s_anomaly(void *self, const struct anomaly *a)
{
	log_printf(&((struct conn_run *)self)->log,
	    "anomaly client=%d %s @%lld\n", a->from_client,
	    http1_error_name(a->error), (long long)a->ts);
}

static void
s_violation(void *self, const struct violation *v)
{
	struct log *l = &((struct conn_run *)self)->log;

	log_printf(l, "violation %s @%lld seq=%llu ", rules[v->rule].id,
	    (long long)v->ts,
	    (unsigned long long)(v->x != NULL ? v->x->seq : 0));
	log_bytes(l, v->message, strnlen(v->message, sizeof(v->message)));
	log_printf(l, "\n");
}

static size_t
conn_consume(void *ctx, const char *buf, size_t len)
{
	struct conn_run *r = ctx;

	return flow_data(r->f, r->dir, buf, len, r->ts);
}

/* The records in order, each whole (seed NULL) or in random chunks; the
 * clock runs before each delivery as main.c runs it before each packet. */
static void
conn_run(const struct input *in, uint32_t *seed, struct conn_run *r)
{
	static const struct flow_key key = {
		{AF_INET, {10, 0, 0, 1}}, {AF_INET, {10, 0, 0, 2}}, 40000, 80
	};
	static const struct rules_config defaults = RULES_DEFAULTS;
	struct held h[2] = {{NULL, 0}, {NULL, 0}};
	size_t chunks = 0, unread[2];
	int small;
	int64_t ts = in->n > 0 ? in->rec[0].ts : 0;

	memset(r, 0, sizeof(*r));
	r->sink = (struct sink){s_exchange, s_anomaly, s_violation, NULL, r};
	r->an.st = &r->st;
	r->an.cfg = defaults;
	r->an.out = &r->sink;
	if ((r->f = flow_open(&key, ts, &r->an)) == NULL)
		abort();
	for (size_t i = 0; i < in->n && !flow_ignored(r->f); i++) {
		const struct record *rc = &in->rec[i];

		r->dir = rc->from_server ? FROM_SERVER : FROM_CLIENT;
		r->ts = ts = rc->ts;
		small = seed != NULL && (next_rand(seed) & 1);
		for (size_t off = 0; off < rc->len &&
		    !flow_ignored(r->f); ) {
			size_t k = seed != NULL && chunks++ < MAX_CHUNKS ?
			    chunk_len(seed, rc->len - off, small) :
			    rc->len - off;

			timers_run(&r->an.timers, ts);
			deliver(&h[r->dir], rc->data + off, k, conn_consume, r);
			off += k;
		}
	}
	/* as reassembly.c: an ignored flow is closed at once, unread bytes
	 * dropped */
	unread[FROM_CLIENT] = flow_ignored(r->f) ? 0 : h[FROM_CLIENT].len;
	unread[FROM_SERVER] = flow_ignored(r->f) ? 0 : h[FROM_SERVER].len;
	log_printf(&r->log, "close ignored=%d\n", flow_ignored(r->f));
	flow_close(r->f, unread, flow_ignored(r->f) ? END_CAPTURE_ENDED :
	    (in->flags & 1) ? END_CLOSED : END_CAPTURE_ENDED, ts);
	timers_run(&r->an.timers, ts);
	log_printf(&r->log, "worst=%d\n", (int)r->an.worst);
	for (int i = 0; i < RULE_COUNT; i++)
		if (r->an.rule_counts[i] != 0)
			log_printf(&r->log, "rule %s=%llu\n", rules[i].id,
			    (unsigned long long)r->an.rule_counts[i]);
	timers_free(&r->an.timers);
	exchange_cleanup(&r->an);
	free(h[0].buf);
	free(h[1].buf);
}

static void
oracle_exchange(const struct input *in)
{
	struct conn_run *whole = calloc(1, sizeof(*whole));
	struct conn_run *chunked = calloc(1, sizeof(*chunked));
	uint32_t seed = in->seed;

	if (whole == NULL || chunked == NULL)
		abort();
	conn_run(in, NULL, whole);
	conn_run(in, &seed, chunked);
	log_compare(&whole->log, &chunked->log, "connection's events");
	if (memcmp(&whole->st, &chunked->st, sizeof(whole->st)) != 0) {
		fprintf(stderr, "fuzz_http1: counters differ (events the "
		    "same)\n%.*s\n", (int)whole->log.len, whole->log.buf);
		abort();
	}
	free(whole->log.buf);
	free(chunked->log.buf);
	free(whole);
	free(chunked);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in;

	if (input_parse(data, size, &in) != 0)
		return 0;
	oracle_parser(&in);
	oracle_exchange(&in);
	free(in.rec);
	return 0;
}
