/* json.c: JSON lines, one object per event, in the spirit of Suricata's EVE.
 * Every object has timestamp and event_type; connection objects have
 * flow_id, src_ip/src_port (the client) and dest_ip/dest_port (the server).
 *
 * Lines are made straight in a batch buffer and handed to stdio many at a
 * time: stdio per line was the largest cost of this output on a busy
 * capture after the formatting itself. Live, line-buffered or on a
 * terminal, each line is written as soon as it is made.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"     /* HAVE_STDIO_EXT_H */
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_STDIO_EXT_H
#include <stdio_ext.h>  /* __flbf */
#endif

#include "format.h"
#include "front.h"
#include "jsonstr.h"
#include "outputs.h"
#include "rules.h"

#define JSON_LINE 32768         /* the most one line may take, "}\n" too */
#define JSON_BATCH 65536        /* lines held before they are written */

/* The bytes of an exchange line that only its connection decides, from
 * ,"flow_id" to dest_port, formatted once per connection and copied on
 * every line after: keep-alive connections carry many exchanges. */
#define CONN_SLOTS 512          /* direct-mapped by flow_id */
#define CONN_TEXT 224           /* 209 at most, with two IPv6 addresses */
#define CONN_SHORT 144          /* 141 at most with IPv4 (ids < 2^53) */

struct conn_text {
	uint64_t flow_id;       /* 0: empty (ids begin at 1, flowid.h) */
	size_t len;
	char text[CONN_TEXT];
};

struct json {
	struct sink sink;
	FILE *out;
	int flush;              /* live: a line as soon as it is known */
	int hold;               /* lines may wait in buf for a full batch */
	int err;                /* errno of the first failed write, or 0 */
	void (*failed)(void *, int);    /* told once, with err */
	void *ctx;
	struct json *next;      /* sinks_open: what exit() writes out */
	struct jsonstr_clock clock;     /* the last timestamp's second */
	struct addr ip[2];      /* the addresses of ip_text[] (client, server) */
	char ip_text[2][48];    /* formatted once, kept while they repeat */
	size_t ip_len[2];
	int fresh;              /* an object was just opened: no comma */
	size_t used;            /* bytes of whole lines in buf, not written */
	char *end;              /* where the room of the line being made ends */
	struct conn_text conn[CONN_SLOTS];
	char buf[JSON_BATCH + JSON_LINE];
};

/* A write failed (errno says why): nothing more is written. */
static void
write_failed(struct json *j)
{
	if (j->err != 0)
		return;
	j->err = errno != 0 ? errno : EIO;
	if (j->failed != NULL)
		j->failed(j->ctx, j->err);
}

/* The lines held, to stdio in one fwrite (and flushed, when live). */
static void
send_lines(struct json *j)
{
	size_t n = j->used;

	j->used = 0;
	if (n == 0 || j->err != 0)
		return;
	errno = 0;
	if (fwrite(j->buf, 1, n, j->out) != n ||
	    (j->flush && fflush(j->out) != 0) || ferror(j->out))
		write_failed(j);
}

/* Every sink, so that lines held when something calls exit() mid-capture
 * still reach stdio, which exit() then flushes. */
static struct json *sinks_open;

static void
send_all_at_exit(void)
{
	for (struct json *j = sinks_open; j != NULL; j = j->next)
		send_lines(j);
}

/* The writers below store at a cursor o and return it moved on. A piece
 * of a line asks room() once for the most it may write, then stores with
 * the put_ writers, which check nothing (small copies of known size
 * compile to a few moves, not calls). room() gives NULL when the piece
 * does not fit, and the pieces given NULL give NULL back: the line is
 * dropped at its end, never cut. Every string in an event is bounded
 * (model.h), so a line fits. */
static inline char *
room(const struct json *j, char *o, size_t n)
{
	return o != NULL && n <= (size_t)(j->end - o) ? o : NULL;
}

/* A new line after those held; its room is JSON_LINE bytes. */
static char *
line_begin(struct json *j)
{
	char *o = j->buf + j->used;

	j->end = o + JSON_LINE - 2;     /* "}\n" always fits */
	j->fresh = 0;
	return o;
}

/* The line ends at o (NULL: it did not fit, and is dropped). */
static void
line_end(struct json *j, char *o)
{
	if (o == NULL || j->err != 0)
		return;
	memcpy(o, "}\n", 2);
	j->used = (size_t)(o + 2 - j->buf);
	if (!j->hold || j->used >= JSON_BATCH)
		send_lines(j);
}

static inline char *
put_mem(char *o, const char *p, size_t n)
{
	memcpy(o, p, n);
	return o + n;
}

/* a string literal, its length known at compile time */
#define PUT_LIT(o, lit) put_mem(o, lit, sizeof(lit) - 1)

/* The same where it may not fit: punctuation between checked pieces. */
#define GLUE(j, o, lit) glue(j, o, lit, sizeof(lit) - 1)

static inline char *
glue(const struct json *j, char *o, const char *lit, size_t len)
{
	if ((o = room(j, o, len)) == NULL)
		return NULL;
	return put_mem(o, lit, len);
}

/* The most the unchecked writers store. */
#define U64_MOST JSONSTR_U64_MOST
#define TIME_MOST JSONSTR_TIME_LEN      /* with its quotes */
#define SECONDS_MOST JSONSTR_SECONDS_MOST
#define ADDR_MOST 47            /* ip_text[] less its NUL */
#define PORT_MOST 6             /* 5 digits, and the byte more stored */

/* "2026-01-01T00:00:00.000000Z" with its quotes, or null: TIME_MOST */
static inline char *
put_time_or_null(struct json *j, char *o, int64_t ts, int present)
{
	return present ? jsonstr_time(&j->clock, o, ts) : PUT_LIT(o, "null");
}

/* a string, or null when absent: at most TEXT_MOST(n) */
#define TEXT_MOST(n) (JSONSTR_MOST(n) + 2)

static inline char *
put_text(char *o, const char *s, size_t n, int present)
{
	return present ? jsonstr_put(o, s, n) : PUT_LIT(o, "null");
}

/* The members of an object, by name. */
#define MEMBER(name) ",\"" name "\":"
#define MEMBER_LEN(name) (sizeof(MEMBER(name)) - 1)

/* ,"name":"value" or ,"name":null in a checked room: the member and its
 * null in one copy */
#define PUT_TEXT(o, name, s, n, present) ((present) ? \
	jsonstr_put(PUT_LIT(o, MEMBER(name)), s, n) : \
	PUT_LIT(o, MEMBER(name) "null"))

/* An address as format_addr() writes it, formatted again only when it is
 * not the one this slot (0 client, 1 server) had last: a busy capture
 * names the same server, and often the same client, line after line. */
static char *
put_addr(struct json *j, char *o, int slot, const struct addr *a)
{
	struct addr *last = &j->ip[slot];

	if (last->family != a->family ||
	    memcmp(last->bytes, a->bytes, sizeof(a->bytes)) != 0) {
		j->ip_len[slot] = format_addr(j->ip_text[slot],
		    sizeof(j->ip_text[slot]), a);
		*last = *a;
	}
	/* all of ip_text[]: one more than ADDR_MOST, and an address is
	 * always followed by its closing quote */
	memcpy(o, j->ip_text[slot], sizeof(j->ip_text[slot]));
	return o + j->ip_len[slot];
}

/* ,"flow_id":N,"event_type":"TYPE" and, with a connection,
 * ,"src_ip":"A","src_port":N,"dest_ip":"B","dest_port":N:
 * CONN_MOST(type_len) bytes at most */
#define CONN_MOST(type_len) (sizeof(",\"flow_id\":,\"event_type\":\"" \
	"\",\"src_ip\":\"\",\"src_port\":,\"dest_ip\":\"\",\"dest_port\":") - 1 + \
	U64_MOST + (type_len) + 2 * ADDR_MOST + 2 * PORT_MOST)

/* A","src_port":N,"dest_ip":"B","dest_port":N, after ,"src_ip":" */
static char *
put_ends(struct json *j, char *o, const struct flow_key *k)
{
	/* addresses are ours to format: nothing to escape */
	o = put_addr(j, o, 0, &k->client);
	o = jsonstr_u64(PUT_LIT(o, "\",\"src_port\":"), k->client_port);
	o = put_addr(j, PUT_LIT(o, ",\"dest_ip\":\""), 1, &k->server);
	return jsonstr_u64(PUT_LIT(o, "\",\"dest_port\":"), k->server_port);
}

static char *
put_conn(struct json *j, char *o, const char *type, size_t type_len,
    const struct flow_key *k, uint64_t flow_id)
{
	if (k != NULL)
		o = jsonstr_u64(PUT_LIT(o, ",\"flow_id\":"), flow_id);
	o = PUT_LIT(o, ",\"event_type\":\"");
	o = put_mem(o, type, type_len);
	*o++ = '"';
	if (k == NULL)
		return o;
	return put_ends(j, PUT_LIT(o, ",\"src_ip\":\""), k);
}

/* The same for an exchange, its literals run together */
static char *
put_exchange_conn(struct json *j, char *o, const struct flow_key *k,
    uint64_t flow_id)
{
	if (k == NULL)
		return put_conn(j, o, "exchange", sizeof("exchange") - 1, k,
		    flow_id);
	o = jsonstr_u64(PUT_LIT(o, ",\"flow_id\":"), flow_id);
	return put_ends(j, PUT_LIT(o, ",\"event_type\":\"exchange\""
	    ",\"src_ip\":\""), k);
}

_Static_assert(CONN_MOST(sizeof("exchange") - 1) <= CONN_TEXT,
    "an exchange's connection part fits its slot");

/* {"timestamp":"2026-01-01T00:00:00.000000Z": the start of every line */
#define STAMP_MOST (sizeof("{\"timestamp\":") - 1 + TIME_MOST)

static inline char *
put_stamp(struct json *j, char *o, int64_t ts)
{
	return jsonstr_time(&j->clock, PUT_LIT(o, "{\"timestamp\":"), ts);
}

/* A line's head; type: a string literal */
#define head(j, ts, type, k, flow_id) \
	head_lit(j, ts, type, sizeof(type) - 1, k, flow_id)

static char *
head_lit(struct json *j, int64_t ts, const char *type, size_t type_len,
    const struct flow_key *k, uint64_t flow_id)
{
	char *o = room(j, line_begin(j), STAMP_MOST + CONN_MOST(type_len));

	if (o == NULL)
		return NULL;
	o = put_stamp(j, o, ts);
	return put_conn(j, o, type, type_len, k, flow_id);
}

/* An exchange line's head, at o (its room asked for): its connection's
 * part from its slot, made there on the connection's first line (or
 * when another took the slot). flow_id alone names the slot's text: ids
 * are unique in a run. */
static char *
exchange_head(struct json *j, char *o, int64_t ts, const struct flow_key *k,
    uint64_t flow_id)
{
	struct conn_text *c = &j->conn[flow_id % CONN_SLOTS];

	if (c->flow_id != flow_id || c->len == 0) {
		c->len = (size_t)(put_exchange_conn(j, c->text, k, flow_id) -
		    c->text);
		c->flow_id = flow_id;
	}
	o = put_stamp(j, o, ts);
	/* most (IPv4) in one copy of a known size: CONN_TEXT is asked for */
	if (c->len <= CONN_SHORT)
		memcpy(o, c->text, CONN_SHORT);
	else
		memcpy(o, c->text, c->len);
	return o + c->len;
}

_Static_assert(STAMP_MOST + CONN_TEXT < JSON_LINE, "a head fits a line");

/* The members of the objects other than exchanges (rarer: each checks
 * its own room). ,"name": (no comma first in an object), from
 * MEMBER(name): */
static inline char *
put_member(struct json *j, char *o, const char *m, size_t len)
{
	if (j->fresh) {
		j->fresh = 0;
		return put_mem(o, m + 1, len - 1);
	}
	return put_mem(o, m, len);
}

/* ,"name":{ */
static char *
open_object_lit(struct json *j, char *o, const char *m, size_t len)
{
	if ((o = room(j, o, len + 1)) == NULL)
		return NULL;
	o = put_member(j, o, m, len);
	*o++ = '{';
	j->fresh = 1;
	return o;
}

#define open_object(j, o, name) \
	open_object_lit(j, o, MEMBER(name), MEMBER_LEN(name))

static char *
close_object(struct json *j, char *o)
{
	j->fresh = 0;
	return GLUE(j, o, "}");
}

/* ,"name":"value" or ,"name":null */
static char *
field_lit(struct json *j, char *o, const char *m, size_t len, const char *v,
    int present)
{
	size_t n = present ? strlen(v) : 0;

	if ((o = room(j, o, len + TEXT_MOST(n))) == NULL)
		return NULL;
	o = put_member(j, o, m, len);
	return put_text(o, v, n, present);
}

#define field(j, o, name, v, present) \
	field_lit(j, o, MEMBER(name), MEMBER_LEN(name), v, present)

/* ,"name":N */
static char *
counter_lit(struct json *j, char *o, const char *m, size_t len, uint64_t n)
{
	if ((o = room(j, o, len + U64_MOST)) == NULL)
		return NULL;
	o = put_member(j, o, m, len);
	return jsonstr_u64(o, n);
}

#define counter(j, o, name, n) \
	counter_lit(j, o, MEMBER(name), MEMBER_LEN(name), n)

/* The same for a name from a table (nothing in it to escape) */
static char *
counter_named(struct json *j, char *o, const char *name, uint64_t n)
{
	size_t len = strlen(name);

	if ((o = room(j, o, len + 4 + U64_MOST)) == NULL)
		return NULL;
	if (!j->fresh)
		*o++ = ',';
	j->fresh = 0;
	*o++ = '"';
	o = put_mem(o, name, len);
	o = PUT_LIT(o, "\":");
	return jsonstr_u64(o, n);
}

/* ,"name":TEXT, TEXT written as it is (a number, true, null) */
static char *
raw_lit(struct json *j, char *o, const char *m, size_t len, const char *v)
{
	size_t n = strlen(v);

	if ((o = room(j, o, len + n)) == NULL)
		return NULL;
	o = put_member(j, o, m, len);
	return put_mem(o, v, n);
}

#define raw(j, o, name, v) raw_lit(j, o, MEMBER(name), MEMBER_LEN(name), v)
#define bool_field(j, o, name, v) raw(j, o, name, (v) ? "true" : "false")

/* ,"name":"2026-01-01T00:00:00.000000Z" or ,"name":null */
static char *
time_lit(struct json *j, char *o, const char *m, size_t len, int64_t ts,
    int present)
{
	if ((o = room(j, o, len + TIME_MOST)) == NULL)
		return NULL;
	o = put_member(j, o, m, len);
	return put_time_or_null(j, o, ts, present);
}

#define time_field(j, o, name, ts, present) \
	time_lit(j, o, MEMBER(name), MEMBER_LEN(name), ts, present)

/* ,"name":1.500000 (seconds) or ,"name":null */
static char *
seconds_lit(struct json *j, char *o, const char *m, size_t len, int64_t us,
    int present)
{
	if ((o = room(j, o, len + SECONDS_MOST)) == NULL)
		return NULL;
	o = put_member(j, o, m, len);
	return present ? jsonstr_seconds(o, us) : PUT_LIT(o, "null");
}

#define seconds_field(j, o, name, us, present) \
	seconds_lit(j, o, MEMBER(name), MEMBER_LEN(name), us, present)

/* How an exchange ended, by enum exchange_end: the member as written,
 * stored as all its 24 bytes (room for that always follows: the end
 * timestamp). */
#define END(name) {MEMBER("end") "\"" name "\"", \
	sizeof(MEMBER("end") "\"" name "\"") - 1}

static const struct {
	char text[24];          /* 22 at most, and a NUL */
	size_t len;
} end_members[] = {
	END("final"), END("tunnel"), END("client_closed"),
	END("server_closed"), END("client_reset"), END("server_reset"),
	END("evicted"), END("idle"), END("capture_ended"), END("closed")
};

_Static_assert(sizeof(end_members) / sizeof(end_members[0]) ==
    END_CLOSED + 1, "a name for each enum exchange_end");

/* The last timestamp written in the line being made, and where: an
 * exchange's times are often equal (the response's end and the
 * exchange's), and a copy costs less than the digits. */
struct line_time {
	int64_t ts;
	const char *at;         /* JSONSTR_TIME_LEN bytes */
};

static inline char *
put_line_time(struct json *j, struct line_time *t, char *o, int64_t ts)
{
	if (ts == t->ts)
		return put_mem(o, t->at, JSONSTR_TIME_LEN);
	t->ts = ts;
	t->at = o;
	return jsonstr_time(&j->clock, o, ts);
}

/* ,"name":"2026-01-01T00:00:00.000000Z" or ,"name":null in a checked
 * room, the member and its null in one copy */
#define PUT_TIME(j, t, o, name, ts, present) ((present) ? \
	put_line_time(j, t, PUT_LIT(o, MEMBER(name)), ts) : \
	PUT_LIT(o, MEMBER(name) "null"))

/* The bytes of put_http() other than its strings: 138 counted, quotes
 * and nulls among them. */
#define HTTP_FIXED 192

/* The "http" object of a request, ,"http":{...}: at most HTTP_FIXED
 * bytes and 6 for each byte of its strings */
static inline __attribute__((always_inline)) char *
put_http(char *o, const struct exchange *x)
{
	o = jsonstr_put(PUT_LIT(o, ",\"http\":{\"method\":"), x->method,
	    x->method_len);
	o = jsonstr_put(PUT_LIT(o, ",\"target\":"), x->target, x->target_len);
	if (x->target_truncated)
		o = PUT_LIT(o, ",\"target_truncated\":true"
		    ",\"version\":\"HTTP/1.");
	else
		o = PUT_LIT(o, ",\"target_truncated\":false"
		    ",\"version\":\"HTTP/1.");
	o[0] = (char)('0' + x->minor);          /* one digit (http1.c) */
	o[1] = '"';
	o = PUT_TEXT(o + 2, "host", x->host, x->host_len, x->has_host);
	if (!x->has_user_agent && !x->has_expect && !x->has_upgrade)
		return PUT_LIT(o, ",\"user_agent\":null,\"expect\":null"
		    ",\"upgrade\":null}");    /* most requests: one copy */
	o = PUT_TEXT(o, "user_agent", x->user_agent, x->user_agent_len,
	    x->has_user_agent);
	o = PUT_TEXT(o, "expect", x->expect, x->expect_len, x->has_expect);
	o = PUT_TEXT(o, "upgrade", x->upgrade, x->upgrade_len,
	    x->has_upgrade);
	*o++ = '}';
	return o;
}

/* The same where its room is not known (a violation's line) */
static char *
http(struct json *j, char *o, const struct exchange *x)
{
	size_t host = x->has_host ? x->host_len : 0;
	size_t agent = x->has_user_agent ? x->user_agent_len : 0;
	size_t expect = x->has_expect ? x->expect_len : 0;
	size_t upgrade = x->has_upgrade ? x->upgrade_len : 0;

	if ((o = room(j, o, HTTP_FIXED + 6 * ((size_t)x->method_len +
	    x->target_len + host + agent + expect + upgrade))) == NULL)
		return NULL;
	return put_http(o, x);
}

/* The bytes of put_response() other than its reason: 123 counted. */
#define RESPONSE_FIXED 160

/* {"status":N,"reason":"..","timestamp":"..","after":S} from N on: the
 * caller's literal before it ends in {"status": */
static inline __attribute__((always_inline)) char *
put_response(struct json *j, struct line_time *t, char *o, int status,
    const char *reason, size_t n, int64_t ts, int64_t since)
{
	o = jsonstr_u64(o, (uint64_t)status);
	o = jsonstr_put(PUT_LIT(o, ",\"reason\":"), reason, n);
	o = put_line_time(j, t, PUT_LIT(o, ",\"timestamp\":"), ts);
	o = jsonstr_seconds(PUT_LIT(o, ",\"after\":"), ts - since);
	*o++ = '}';
	return o;
}

/* The bytes of put_tail() other than its strings: 335 counted, the
 * copy of an end member's 24 bytes among them. */
#define TAIL_FIXED 400

/* From ,"tunnel" to the end of an exchange line */
static inline __attribute__((always_inline)) char *
put_tail(struct json *j, struct line_time *t, char *o,
    const struct exchange *x)
{
	if ((x->tunnel_len | x->tunnel_of_len) == 0 && !x->midstream &&
	    !x->interim_held) {         /* most exchanges: one copy */
		o = PUT_LIT(o, ",\"tunnel\":null,\"tunnel_of\":null"
		    ",\"interim_held\":false,\"request_body_len\":");
	} else {
		o = PUT_TEXT(o, "tunnel", x->tunnel, x->tunnel_len,
		    x->tunnel_len != 0);
		if (x->midstream)
			o = PUT_LIT(o, ",\"midstream\":true");
		o = PUT_TEXT(o, "tunnel_of", x->tunnel_of, x->tunnel_of_len,
		    x->tunnel_of_len != 0);
		if (x->interim_held)
			o = PUT_LIT(o, ",\"interim_held\":true"
			    ",\"request_body_len\":");
		else
			o = PUT_LIT(o, ",\"interim_held\":false"
			    ",\"request_body_len\":");
	}
	o = jsonstr_u64(o, x->request_body_len);
	o = jsonstr_u64(PUT_LIT(o, ",\"response_body_len\":"),
	    x->response_body_len);
	o = PUT_TIME(j, t, o, "response_end_timestamp", x->t_response_end,
	    x->seen & SEEN_RESPONSE_END);
	memcpy(o, end_members[x->end].text, sizeof(end_members[0].text));
	o += end_members[x->end].len;
	o = PUT_TIME(j, t, o, "end_timestamp", x->t_ended, 1);
	return PUT_TIME(j, t, o, "client_closed_timestamp", x->t_client_closed,
	    x->seen & SEEN_CLIENT_CLOSED);
}

/* The most an exchange line takes: its fixed bytes (numbers and times at
 * their longest), and 6 bytes for each byte of its strings. */
#define EXCHANGE_FIXED (STAMP_MOST + CONN_TEXT + MEMBER_LEN("tx_id") + \
	U64_MOST + HTTP_FIXED + sizeof(",\"interim\":[],\"final\":") + \
	RESPONSE_FIXED + TAIL_FIXED)
#define INTERIM_FIXED (RESPONSE_FIXED + 1)      /* and a comma */

static size_t
exchange_most(const struct exchange *x)
{
	size_t n = (size_t)x->method_len + x->target_len + x->host_len +
	    x->user_agent_len + x->expect_len + x->upgrade_len +
	    x->final_reason_len + x->tunnel_len + x->tunnel_of_len;

	for (unsigned i = 0; i < x->n_interim; i++)
		n += x->interim[i].reason_len;
	return EXCHANGE_FIXED + x->n_interim * INTERIM_FIXED + 6 * n;
}

/* Strings within their caps (model.h), every exchange line fits: none
 * is dropped. */
_Static_assert(EXCHANGE_FIXED + X_INTERIM * INTERIM_FIXED +
    6 * (X_METHOD + X_TARGET + 6 * X_FIELD + (X_INTERIM + 1) * X_REASON) <=
    JSON_LINE - 2, "an exchange line fits");

/* An exchange line: its room asked for once, the pieces then unchecked. */
static void
on_exchange(void *self, const struct flow_key *k, uint64_t flow_id,
    const struct exchange *x)
{
	struct json *j = self;
	struct line_time t;
	char *o;

	if (j->err != 0 ||
	    (o = room(j, line_begin(j), exchange_most(x))) == NULL)
		return;
	t.ts = x->t_begin;      /* the head's, after {"timestamp": */
	t.at = o + sizeof("{\"timestamp\":") - 1;
	o = exchange_head(j, o, x->t_begin, k, flow_id);
	o = jsonstr_u64(PUT_LIT(o, ",\"tx_id\":"), x->seq - 1);
	o = put_http(o, x);
	if (x->n_interim == 0)
		o = PUT_LIT(o, ",\"interim\":[");
	/* each literal runs on to the next response's {"status": */
	for (unsigned i = 0; i < x->n_interim; i++)
		o = put_response(j, &t, i == 0 ?
		    PUT_LIT(o, ",\"interim\":[{\"status\":") :
		    PUT_LIT(o, ",{\"status\":"), x->interim[i].status,
		    x->interim[i].reason, x->interim[i].reason_len,
		    x->interim[i].ts, x->t_begin);
	if (x->final_status != 0)
		o = put_response(j, &t, PUT_LIT(o, "],\"final\":{\"status\":"),
		    x->final_status, x->final_reason, x->final_reason_len,
		    x->t_final, x->t_begin);
	else
		o = PUT_LIT(o, "],\"final\":null");
	line_end(j, put_tail(j, &t, o, x));
}

static void
on_anomaly(void *self, const struct anomaly *a)
{
	struct json *j = self;
	char *o;

	if (j->err != 0)
		return;
	o = head(j, a->ts, "anomaly", a->key, a->flow_id);
	o = open_object(j, o, "anomaly");
	o = field(j, o, "direction", a->from_client ? "request" : "response",
	    1);
	o = field(j, o, "error", http1_error_name(a->error), 1);
	line_end(j, close_object(j, o));
}

static void
on_violation(void *self, const struct violation *v)
{
	struct json *j = self;
	const struct rule *r = &rules[v->rule];
	char *o;

	if (j->err != 0)
		return;
	o = head(j, v->ts, "violation", v->key, v->flow_id);
	if (v->x != NULL)
		o = counter(j, o, "tx_id", v->x->seq - 1);
	else
		o = raw(j, o, "tx_id", "null");
	o = field(j, o, "rule", r->id, 1);
	o = field(j, o, "severity", severity_name(r->severity), 1);
	/* digits: a JSON number */
	o = raw(j, o, "cloudflare", r->cloudflare != NULL ? r->cloudflare :
	    "null");
	o = field(j, o, "message", v->message, 1);
	o = seconds_field(j, o, "waited", v->waited, v->timed);
	o = seconds_field(j, o, "deadline", v->deadline, v->timed);
	o = time_field(j, o, "since", v->since, v->timed);
	if (v->count > 0) {             /* an aggregate (synagg.h) */
		o = counter(j, o, "count", v->count);
		o = counter(j, o, "sources", v->sources);
		o = bool_field(j, o, "sources_more", v->sources_more);
	}
	if (v->x != NULL && v->x->head_done)
		o = http(j, o, v->x);
	line_end(j, o);
}

/* The summary's objects of counts by name, those not 0 */
static char *
counts_1xx(struct json *j, char *o, const struct stats *st)
{
	char code[8];

	o = open_object(j, o, "status_1xx");
	for (int c = 0; c < 100; c++) {
		if (st->status_1xx[c] == 0)
			continue;
		snprintf(code, sizeof(code), "%d", 100 + c);
		o = counter_named(j, o, code, st->status_1xx[c]);
	}
	return close_object(j, o);
}

static char *
counts_named(struct json *j, char *o, const char *(*name)(int), int from,
    int to, const uint64_t *n)
{
	for (int i = from; i < to; i++)
		if (n[i] != 0)
			o = counter_named(j, o, name(i), n[i]);
	return close_object(j, o);
}

static const char *
rule_name(int r)
{
	return rules[r].id;
}

static const char *
parse_error_name(int e)
{
	return http1_error_name((enum http1_error)e);
}

static void
on_finish(void *self, const struct stats *st, const uint64_t *rule_counts)
{
	struct json *j = self;
	char why[256] = "";
	int nothing = nothing_analysed(st, why, sizeof(why));
	char *o;

	o = head(j, st->last_ts, "summary", NULL, 0);
	o = counter(j, o, "files", st->files);
	o = counter(j, o, "packets", st->packets);
	o = counter(j, o, "bytes", st->bytes);
	o = counter(j, o, "flows", st->flows);
	o = counter(j, o, "http_flows", st->http_flows);
	o = counter(j, o, "exchanges", st->exchanges);
	o = counts_1xx(j, o, st);
	o = open_object(j, o, "rules");
	o = counts_named(j, o, rule_name, 0, RULE_COUNT, rule_counts);
	o = open_object(j, o, "parse_errors");
	o = counts_named(j, o, parse_error_name, 1, HTTP1_ERR_COUNT,
	    st->parse_errors);
	o = counter(j, o, "unsolicited_responses", st->unsolicited);
	o = counter(j, o, "tunnel_bytes", st->tunnel_bytes);
	o = counter(j, o, "ipv6_tcp_packets", st->ipv6_tcp);
	o = counter(j, o, "ipv6_fragments", st->ipv6_fragments);
	o = counter(j, o, "ipv6_addresses_peak", st->v6map_peak);
	o = counter(j, o, "ipv6_map_full", st->v6map_full);
	o = counter(j, o, "ipv6_map_evicted", st->v6map_evicted);
	o = counter(j, o, "not_http_flows", st->not_http_flows);
	o = counter(j, o, "snaplen_cut_packets", st->snaplen_cut);
	o = open_object(j, o, "undecoded");
	o = counts_named(j, o, decap_skip_name, 0, DECAP_SKIP_KINDS,
	    st->undecoded);
	o = counter(j, o, "reassembly_warnings", reassembly_warning_total(st));
	o = counter(j, o, "lossy_flows", st->lossy_flows);
	o = counter(j, o, "evicted_flows", st->flows_evicted);
	o = counter(j, o, "idle_flows", st->flows_idle);
	o = counter(j, o, "timers_refused", st->timers_refused);
	o = open_object(j, o, "dropped_before_reassembly");
	o = counts_named(j, o, front_drop_name, 0, DROP_KINDS,
	    st->front_dropped);
	o = counter(j, o, "midstream_flows", st->midstream_flows);
	o = counter(j, o, "responses_before_pickup", st->early_responses);
	o = counter(j, o, "fast_open", st->fast_open);
	o = counter(j, o, "gaps", st->gaps);
	o = counter(j, o, "gap_bytes", st->gap_bytes);
	o = counter(j, o, "gaps_unfilled", st->gaps_unfilled);
	o = counter(j, o, "ends_ignored", st->ends_ignored);
	o = counter(j, o, "signed_rsts_ignored", st->signed_ignored);
	o = counter(j, o, "reused_tuples", st->tuples_reused);
	o = counter(j, o, "held_syns_overwritten", st->syns_overwritten);
	o = counter(j, o, "heads_given_up", st->held_capped);
	o = counter(j, o, "bad_timestamps", st->bad_times);
	o = counter(j, o, "backward_timestamps", st->time_backwards);
	o = counter(j, o, "capped", st->pipeline_capped + st->interim_capped +
	    st->tcp_untracked);
	o = counter(j, o, "dropped", st->dropped);
	o = counter(j, o, "if_dropped", st->if_dropped);
	if (st->evidence) {     /* --write-violations */
		o = counter(j, o, "evidence_flows", st->evidence_flows);
		o = counter(j, o, "evidence_packets", st->evidence_packets);
		o = counter(j, o, "evidence_cut_packets", st->evidence_cut);
		o = counter(j, o, "evidence_untracked", st->evidence_untracked);
	}
	o = bool_field(j, o, "truncated", st->truncated);
	o = field(j, o, "nothing_analysed", why, nothing);
	line_end(j, o);
	send_lines(j);
	errno = 0;
	if (j->err == 0 && fflush(j->out) != 0)
		write_failed(j);
}

/* Whether each line should reach the file as it is made: a reader is
 * waiting for it (a terminal, or --line-buffered). */
static int
line_by_line(FILE *out)
{
#ifdef HAVE_STDIO_EXT_H
	return __flbf(out) || isatty(fileno(out));
#else
	(void)out;
	return 1;       /* cannot tell: as if so */
#endif
}

/* One per call: standard output (-j) and --log may both want one. */
const struct sink *
json_sink(FILE *out, int flush, void (*failed)(void *, int), void *ctx)
{
	static int registered;
	struct json *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	if (!registered && atexit(send_all_at_exit) != 0) {
		free(j);
		return NULL;
	}
	registered = 1;
	jsonstr_clock_init(&j->clock);
	j->ip[0].family = j->ip[1].family = -1; /* no address yet */
	j->out = out;
	j->flush = flush;
	j->hold = !flush && !line_by_line(out);
	j->failed = failed;
	j->ctx = ctx;
	j->sink = (struct sink){on_exchange, on_anomaly, on_violation,
	    on_finish, j};
	j->next = sinks_open;
	sinks_open = j;
	return &j->sink;
}

void
json_sink_flush(const struct sink *s)
{
	send_lines(s->self);
}

void
json_sink_free(const struct sink *s)
{
	struct json **p;

	if (s == NULL)
		return;
	for (p = &sinks_open; *p != NULL; p = &(*p)->next)
		if (*p == s->self) {
			*p = (*p)->next;
			break;
		}
	free(s->self);
}
