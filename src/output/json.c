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
	int64_t day;            /* the day (seconds / 86400) stamp[] begins */
	int64_t sec;            /* the second stamp[] was made for, or -1 */
	char stamp[20];         /* "2026-01-01T00:00:00" */
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
#define U64_MOST 20
#define TIME_LEN 27             /* "2026-01-01T00:00:00.000000Z" */
#define SECONDS_MOST 28         /* "-", 20 digits, ".000000" */
#define ADDR_MOST 47            /* ip_text[] less its NUL */

/* "000" to "999": numbers are written three digits at a time, from the
 * end, with no division loop per digit and no printf. */
static char trio[1000][4];

/* 10^n, but 0 for n = 0 so that the number 0 counts one digit */
static const uint64_t pow10[20] = {
	0, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
	10000000000000ULL, 100000000000000ULL, 1000000000000000ULL,
	10000000000000000ULL, 100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL
};

/* Decimal digits of v: log10 from the bit length (1233 / 4096 is a hair
 * under log10(2)), then one comparison to settle it. */
static inline unsigned
digits(uint64_t v)
{
	unsigned bits = 64 - (unsigned)__builtin_clzll(v | 1);
	unsigned t = (bits * 1233) >> 12;

	return t + (v >= pow10[t]);
}

/* the digits of v, ending at e */
static inline void
digits_back(char *e, uint64_t v)
{
	while (v >= 1000) {
		e -= 3;
		memcpy(e, trio[v % 1000], 3);
		v /= 1000;
	}
	if (v >= 100)
		memcpy(e - 3, trio[v], 3);
	else if (v >= 10)
		memcpy(e - 2, trio[v] + 1, 2);
	else
		e[-1] = (char)('0' + v);
}

static char *
put_u64(char *o, uint64_t v)
{
	unsigned n = digits(v);

	digits_back(o + n, v);
	return o + n;
}

/* six digits of microseconds, frac from 0 to 999999 */
static inline void
micros(char *o, unsigned frac)
{
	memcpy(o, trio[frac / 1000], 3);
	memcpy(o + 3, trio[frac % 1000], 3);
}

static char *
put_micros(char *o, int64_t frac)
{
	if (frac >= 0 && frac < USEC) {
		micros(o, (unsigned)frac);
	} else {        /* what the digit loop always wrote for these */
		for (int i = 5; i >= 0; i--, frac /= 10)
			o[i] = (char)('0' + frac % 10);
	}
	return o + 6;
}

/* Apart from put_time (not inlined): the registers they need would cost
 * every timestamp a save and restore. */
#define COLD __attribute__((noinline, cold))

/* "2026-01-01T00:00:00" for the second sec (>= 0). gmtime only when the
 * day changes: within a day the time of day is sec % 86400 (UTC has no
 * leap seconds in time_t). */
static COLD void
make_stamp(struct json *j, int64_t sec)
{
	int64_t day = sec / 86400;
	unsigned s = (unsigned)(sec % 86400);
	char full[40];

	if (j->sec < 0 || day != j->day) {
		format_iso(full, sizeof(full), day * 86400 * USEC);
		memcpy(j->stamp, full, 11);     /* "2026-01-01T" */
		j->day = day;
	}
	memcpy(j->stamp + 11, trio[s / 3600] + 1, 2);
	j->stamp[13] = ':';
	memcpy(j->stamp + 14, trio[s / 60 % 60] + 1, 2);
	j->stamp[16] = ':';
	memcpy(j->stamp + 17, trio[s % 60] + 1, 2);
	j->sec = sec;
}

/* put_time before 1970: not from the packet clock; as it always was */
static COLD char *
put_time_negative(char *o, int64_t ts)
{
	char full[40];

	format_iso(full, sizeof(full), ts / USEC * USEC);
	o = put_mem(o, full, 19);
	*o++ = '.';
	o = put_micros(o, ts % USEC);
	*o++ = 'Z';
	return o;
}

/* "2026-01-01T00:00:00.123456Z", TIME_LEN bytes */
static char *
put_time(struct json *j, char *o, int64_t ts)
{
	uint64_t sec;

	if (ts < 0)
		return put_time_negative(o, ts);
	sec = (uint64_t)ts / USEC;      /* unsigned: no sign to fix up */
	if ((int64_t)sec != j->sec)
		make_stamp(j, (int64_t)sec);
	memcpy(o, j->stamp, 19);
	o[19] = '.';
	micros(o + 20, (unsigned)((uint64_t)ts - sec * USEC));
	o[26] = 'Z';
	return o + TIME_LEN;
}

/* "2026-01-01T00:00:00.000000Z" with its quotes, or null: TIME_LEN + 2 */
static char *
put_time_or_null(struct json *j, char *o, int64_t ts, int present)
{
	if (!present)
		return PUT_LIT(o, "null");
	*o++ = '"';
	o = put_time(j, o, ts);
	*o++ = '"';
	return o;
}

/* seconds with microseconds: "1.504542", SECONDS_MOST bytes at most */
static char *
put_seconds(char *o, int64_t us)
{
	if (us < 0) {
		*o++ = '-';
		us = -us;
	}
	o = put_u64(o, (uint64_t)(us / USEC));
	*o++ = '.';
	return put_micros(o, us % USEC);
}

static void
tables_init(void)
{
	jsonstr_init();
	for (int i = 0; i < 1000; i++) {
		trio[i][0] = (char)('0' + i / 100);
		trio[i][1] = (char)('0' + i / 10 % 10);
		trio[i][2] = (char)('0' + i % 10);
	}
}

/* a string, or null when absent: at most TEXT_MOST(n) */
#define TEXT_MOST(n) (JSONSTR_MOST(n) + 2)

static inline char *
put_text(char *o, const char *s, size_t n, int present)
{
	return present ? jsonstr_put(o, s, n) : PUT_LIT(o, "null");
}

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
	return put_mem(o, j->ip_text[slot], j->ip_len[slot]);
}

/* ,"flow_id":N,"event_type":"TYPE" and, with a connection,
 * ,"src_ip":"A","src_port":N,"dest_ip":"B","dest_port":N:
 * CONN_MOST(type_len) bytes at most */
#define CONN_MOST(type_len) (sizeof(",\"flow_id\":,\"event_type\":\"" \
	"\",\"src_ip\":\"\",\"src_port\":,\"dest_ip\":\"\",\"dest_port\":") - 1 + \
	U64_MOST + (type_len) + 2 * ADDR_MOST + 2 * 5)

static char *
put_conn(struct json *j, char *o, const char *type, size_t type_len,
    const struct flow_key *k, uint64_t flow_id)
{
	if (k != NULL) {
		o = PUT_LIT(o, ",\"flow_id\":");
		o = put_u64(o, flow_id);
	}
	o = PUT_LIT(o, ",\"event_type\":\"");
	o = put_mem(o, type, type_len);
	*o++ = '"';
	if (k == NULL)
		return o;
	/* addresses are ours to format: nothing to escape */
	o = PUT_LIT(o, ",\"src_ip\":\"");
	o = put_addr(j, o, 0, &k->client);
	o = PUT_LIT(o, "\",\"src_port\":");
	o = put_u64(o, k->client_port);
	o = PUT_LIT(o, ",\"dest_ip\":\"");
	o = put_addr(j, o, 1, &k->server);
	o = PUT_LIT(o, "\",\"dest_port\":");
	return put_u64(o, k->server_port);
}

_Static_assert(CONN_MOST(sizeof("exchange") - 1) <= CONN_TEXT,
    "an exchange's connection part fits its slot");

/* {"timestamp":"2026-01-01T00:00:00.000000Z": the start of every line */
#define STAMP_MOST (sizeof("{\"timestamp\":\"\"") - 1 + TIME_LEN)

static char *
put_stamp(struct json *j, char *o, int64_t ts)
{
	o = PUT_LIT(o, "{\"timestamp\":\"");
	o = put_time(j, o, ts);
	*o++ = '"';
	return o;
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

/* An exchange line's head: its connection's part from its slot, made
 * there on the connection's first line (or when another took the slot).
 * flow_id alone names the slot's text: ids are unique in a run. */
static char *
exchange_head(struct json *j, int64_t ts, const struct flow_key *k,
    uint64_t flow_id)
{
	struct conn_text *c = &j->conn[flow_id % CONN_SLOTS];
	char *o = line_begin(j);

	if (c->flow_id != flow_id || c->len == 0) {
		c->len = (size_t)(put_conn(j, c->text, "exchange",
		    sizeof("exchange") - 1, k, flow_id) - c->text);
		c->flow_id = flow_id;
	}
	o = put_stamp(j, o, ts);        /* the line's first bytes: room */
	return put_mem(o, c->text, c->len);
}

_Static_assert(STAMP_MOST + CONN_TEXT < JSON_LINE, "a head fits a line");

/* The members of the objects other than exchanges (rarer: each checks
 * its own room). */
#define MEMBER(name) ",\"" name "\":"
#define MEMBER_LEN(name) (sizeof(MEMBER(name)) - 1)

/* ,"name": (no comma first in an object), from MEMBER(name) */
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
	return put_u64(o, n);
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
	return put_u64(o, n);
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
	if ((o = room(j, o, len + TIME_LEN + 2)) == NULL)
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
	return present ? put_seconds(o, us) : PUT_LIT(o, "null");
}

#define seconds_field(j, o, name, us, present) \
	seconds_lit(j, o, MEMBER(name), MEMBER_LEN(name), us, present)

/* How an exchange ended, by enum exchange_end: the member as written. */
#define END(name) {MEMBER("end") "\"" name "\"", \
	sizeof(MEMBER("end") "\"" name "\"") - 1}

static const struct {
	const char *text;
	size_t len;
} end_members[] = {
	END("final"), END("tunnel"), END("client_closed"),
	END("server_closed"), END("client_reset"), END("server_reset"),
	END("evicted"), END("idle"), END("capture_ended"), END("closed")
};

_Static_assert(sizeof(end_members) / sizeof(end_members[0]) ==
    END_CLOSED + 1, "a name for each enum exchange_end");

/* The bytes of http() other than its strings: 138 counted, quotes and
 * nulls among them. */
#define HTTP_FIXED 192

/* The "http" object of a request: ,"http":{...} */
static char *
http(struct json *j, char *o, const struct exchange *x)
{
	size_t method = x->method_len, target = x->target_len;
	size_t host = x->has_host ? x->host_len : 0;
	size_t agent = x->has_user_agent ? x->user_agent_len : 0;
	size_t expect = x->has_expect ? x->expect_len : 0;
	size_t upgrade = x->has_upgrade ? x->upgrade_len : 0;

	if ((o = room(j, o, HTTP_FIXED + 6 * (method + target + host + agent +
	    expect + upgrade))) == NULL)
		return NULL;
	o = PUT_LIT(o, ",\"http\":{\"method\":");
	o = jsonstr_put(o, x->method, method);
	o = PUT_LIT(o, ",\"target\":");
	o = jsonstr_put(o, x->target, target);
	if (x->target_truncated)
		o = PUT_LIT(o, ",\"target_truncated\":true");
	else
		o = PUT_LIT(o, ",\"target_truncated\":false");
	o = PUT_LIT(o, ",\"version\":\"HTTP/1.");    /* nothing to escape */
	*o++ = (char)('0' + x->minor);          /* one digit (http1.c) */
	o = PUT_LIT(o, "\",\"host\":");
	o = put_text(o, x->host, host, x->has_host);
	o = PUT_LIT(o, ",\"user_agent\":");
	o = put_text(o, x->user_agent, agent, x->has_user_agent);
	o = PUT_LIT(o, ",\"expect\":");
	o = put_text(o, x->expect, expect, x->has_expect);
	o = PUT_LIT(o, ",\"upgrade\":");
	o = put_text(o, x->upgrade, upgrade, x->has_upgrade);
	*o++ = '}';
	return o;
}

/* The bytes of response() other than its reason: 122 counted. */
#define RESPONSE_FIXED 160

/* {"status":N,"reason":"..","timestamp":"..","after":S} */
static char *
response(struct json *j, char *o, int status, const char *reason, size_t n,
    int64_t ts, int64_t since)
{
	if ((o = room(j, o, RESPONSE_FIXED + 6 * n)) == NULL)
		return NULL;
	o = PUT_LIT(o, "{\"status\":");
	o = put_u64(o, (uint64_t)status);
	o = PUT_LIT(o, ",\"reason\":");
	o = jsonstr_put(o, reason, n);
	o = PUT_LIT(o, ",\"timestamp\":\"");
	o = put_time(j, o, ts);
	o = PUT_LIT(o, "\",\"after\":");
	o = put_seconds(o, ts - since);
	*o++ = '}';
	return o;
}

/* The bytes of exchange_tail() other than its strings: 329 counted. */
#define TAIL_FIXED 400

/* From ,"tunnel" to the end of an exchange line */
static char *
exchange_tail(struct json *j, char *o, const struct exchange *x)
{
	size_t tunnel = x->tunnel_len, tunnel_of = x->tunnel_of_len;

	if ((o = room(j, o, TAIL_FIXED + 6 * (tunnel + tunnel_of))) == NULL)
		return NULL;
	o = PUT_LIT(o, ",\"tunnel\":");
	o = put_text(o, x->tunnel, tunnel, tunnel != 0);
	if (x->midstream)
		o = PUT_LIT(o, ",\"midstream\":true");
	o = PUT_LIT(o, ",\"tunnel_of\":");
	o = put_text(o, x->tunnel_of, tunnel_of, tunnel_of != 0);
	if (x->interim_held)
		o = PUT_LIT(o, ",\"interim_held\":true");
	else
		o = PUT_LIT(o, ",\"interim_held\":false");
	o = PUT_LIT(o, ",\"request_body_len\":");
	o = put_u64(o, x->request_body_len);
	o = PUT_LIT(o, ",\"response_body_len\":");
	o = put_u64(o, x->response_body_len);
	o = PUT_LIT(o, ",\"response_end_timestamp\":");
	o = put_time_or_null(j, o, x->t_response_end,
	    x->seen & SEEN_RESPONSE_END);
	o = put_mem(o, end_members[x->end].text, end_members[x->end].len);
	o = PUT_LIT(o, ",\"end_timestamp\":");
	o = put_time_or_null(j, o, x->t_ended, 1);
	o = PUT_LIT(o, ",\"client_closed_timestamp\":");
	return put_time_or_null(j, o, x->t_client_closed,
	    x->seen & SEEN_CLIENT_CLOSED);
}

static void
on_exchange(void *self, const struct flow_key *k, uint64_t flow_id,
    const struct exchange *x)
{
	struct json *j = self;
	char *o;

	if (j->err != 0)
		return;
	o = exchange_head(j, x->t_begin, k, flow_id);
	o = PUT_LIT(o, ",\"tx_id\":");          /* still in the head's room */
	o = put_u64(o, x->seq - 1);
	o = http(j, o, x);
	o = GLUE(j, o, ",\"interim\":[");
	for (unsigned i = 0; i < x->n_interim; i++) {
		if (i > 0)
			o = GLUE(j, o, ",");
		o = response(j, o, x->interim[i].status, x->interim[i].reason,
		    x->interim[i].reason_len, x->interim[i].ts, x->t_begin);
	}
	o = GLUE(j, o, "],\"final\":");
	if (x->final_status != 0)
		o = response(j, o, x->final_status, x->final_reason,
		    x->final_reason_len, x->t_final, x->t_begin);
	else
		o = GLUE(j, o, "null");
	line_end(j, exchange_tail(j, o, x));
}

_Static_assert(STAMP_MOST + CONN_TEXT + MEMBER_LEN("tx_id") + U64_MOST <
    JSON_LINE, "an exchange's head and tx_id fit a line");

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
	tables_init();
	j->sec = -1;
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
