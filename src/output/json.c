/* json.c: JSON lines, one object per event, in the spirit of Suricata's EVE.
 * Every object has timestamp and event_type; connection objects have
 * flow_id, src_ip/src_port (the client) and dest_ip/dest_port (the server).
 *
 * Each line is built in a buffer and written with one fwrite: stdio calls
 * per field were the largest cost of this output on a busy capture. Every
 * string in an event is bounded (model.h), so a line always fits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "front.h"
#include "outputs.h"
#include "rules.h"

#define JSON_LINE 32768

struct json {
	struct sink sink;
	FILE *out;
	int flush;              /* live: a line as soon as it is known */
	int err;                /* errno of the first failed write, or 0 */
	void (*failed)(void *, int);    /* told once, with err */
	void *ctx;
	int64_t day;            /* the day (seconds / 86400) stamp[] begins */
	int64_t sec;            /* the second stamp[] was made for, or -1 */
	char stamp[20];         /* "2026-01-01T00:00:00" */
	struct addr ip[2];      /* the addresses of ip_text[] (client, server) */
	char ip_text[2][48];    /* formatted once, kept while they repeat */
	size_t ip_len[2];
	size_t len;
	int overflow;
	int fresh;              /* an object was just opened: no comma */
	char line[JSON_LINE];
};

/* Where n more bytes go, or NULL (and the line lost) if they do not fit.
 * Writers check once for the most they may write, then store directly:
 * small copies of known size compile to a few moves, not memcpy calls. */
static inline char *
room(struct json *j, size_t n)
{
	if (n > sizeof(j->line) - j->len) {
		j->overflow = 1;
		return NULL;
	}
	return j->line + j->len;
}

static inline void
put_mem(struct json *j, const char *p, size_t n)
{
	char *o = room(j, n);

	if (o == NULL)
		return;
	memcpy(o, p, n);
	j->len += n;
}

static void
put_str(struct json *j, const char *s)
{
	put_mem(j, s, strlen(s));
}

/* a string literal, its length known at compile time */
#define PUT_LIT(j, lit) put_mem(j, lit, sizeof(lit) - 1)

static inline void
put_chr(struct json *j, char c)
{
	if (j->len < sizeof(j->line))
		j->line[j->len++] = c;
	else
		j->overflow = 1;
}

/* "00" to "99": numbers are written two digits at a time, from the end,
 * with no division loop per digit and no printf. */
static char pairs[200];

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
	while (v >= 100) {
		e -= 2;
		memcpy(e, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(e - 2, pairs + 2 * v, 2);
	else
		e[-1] = (char)('0' + v);
}

static void
put_u64(struct json *j, uint64_t v)
{
	unsigned n = digits(v);
	char *o = room(j, n);

	if (o == NULL)
		return;
	digits_back(o + n, v);
	j->len += n;
}

/* six digits of microseconds, frac from 0 to 999999 */
static inline void
micros(char *o, unsigned frac)
{
	memcpy(o, pairs + 2 * (frac / 10000), 2);
	memcpy(o + 2, pairs + 2 * (frac / 100 % 100), 2);
	memcpy(o + 4, pairs + 2 * (frac % 100), 2);
}

static void
put_micros(struct json *j, int64_t frac)
{
	char us[6];

	if (frac >= 0 && frac < USEC) {
		micros(us, (unsigned)frac);
	} else {        /* what the digit loop always wrote for these */
		for (int i = 5; i >= 0; i--, frac /= 10)
			us[i] = (char)('0' + frac % 10);
	}
	put_mem(j, us, 6);
}

/* "2026-01-01T00:00:00" for the second sec (>= 0). gmtime only when the
 * day changes: within a day the time of day is sec % 86400 (UTC has no
 * leap seconds in time_t). */
static void
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
	memcpy(j->stamp + 11, pairs + 2 * (s / 3600), 2);
	j->stamp[13] = ':';
	memcpy(j->stamp + 14, pairs + 2 * (s / 60 % 60), 2);
	j->stamp[16] = ':';
	memcpy(j->stamp + 17, pairs + 2 * (s % 60), 2);
	j->sec = sec;
}

/* "2026-01-01T00:00:00.123456Z" */
static void
put_time(struct json *j, int64_t ts)
{
	uint64_t sec;
	char *o;

	if (ts < 0) {   /* not from the packet clock; as it always was */
		char full[40];

		format_iso(full, sizeof(full), ts / USEC * USEC);
		put_mem(j, full, 19);
		put_chr(j, '.');
		put_micros(j, ts % USEC);
		put_chr(j, 'Z');
		return;
	}
	sec = (uint64_t)ts / USEC;      /* unsigned: no sign to fix up */
	if ((int64_t)sec != j->sec)
		make_stamp(j, (int64_t)sec);
	if ((o = room(j, 27)) == NULL)
		return;
	memcpy(o, j->stamp, 19);
	o[19] = '.';
	micros(o + 20, (unsigned)((uint64_t)ts - sec * USEC));
	o[26] = 'Z';
	j->len += 27;
}

/* seconds with microseconds: "1.504542" */
static void
put_seconds(struct json *j, int64_t us)
{
	if (us < 0) {
		put_chr(j, '-');
		us = -us;
	}
	put_u64(j, (uint64_t)(us / USEC));
	put_chr(j, '.');
	put_micros(j, us % USEC);
}

/* Bytes that leave put_string's fast path: controls, '"', '\\', DEL, every
 * byte above (UTF-8 is checked a sequence at a time), and NUL, which ends
 * the run. */
static unsigned char escape[256];

static void
tables_init(void)
{
	for (int c = 0; c < 256; c++)
		escape[c] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
	for (int i = 0; i < 100; i++) {
		pairs[2 * i] = (char)('0' + i / 10);
		pairs[2 * i + 1] = (char)('0' + i % 10);
	}
}


/* A JSON string: plain ASCII copied as it is scanned, the rest one by one.
 * Valid UTF-8 is copied as it is, except C1 controls (U+0080 to U+009F),
 * written \u0080 like the C0 ones. A byte that is not part of valid UTF-8
 * is written as the four characters \xHH (the JSON text "\\xHH"), and so
 * is a backslash from the capture (\x5c): in the decoded string a backslash
 * always begins such an escape. Output is at most 6 bytes per input byte,
 * checked once. */
static void
put_string(struct json *j, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), u;
	char *o;

	if (j->len + 6 * n + 2 > sizeof(j->line)) {
		j->overflow = 1;
		return;
	}
	o = j->line + j->len;
	*o++ = '"';
	for (;;) {
		/* copied as scanned: most strings are a few bytes, for which
		 * a second pass and a memcpy call cost more than the bytes */
		while (!escape[*p])
			*o++ = (char)*p++;
		if (*p == '\0')
			break;
		if (*p == '"') {
			memcpy(o, "\\\"", 2);
			o += 2;
			p++;
		} else if (*p < 0x20 || *p == 0x7f ||
		    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			unsigned c = *p == 0xc2 ? p[1] : *p;

			memcpy(o, "\\u00", 4);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 15];
			o += 6;
			p += *p == 0xc2 ? 2 : 1;
		} else if (*p >= 0x80 && (u = format_utf8_len(p)) != 0) {
			memcpy(o, p, u);
			o += u;
			p += u;
		} else {                /* invalid byte, or backslash */
			memcpy(o, "\\\\x", 3);
			o[3] = hex[*p >> 4];
			o[4] = hex[*p & 15];
			o += 5;
			p++;
		}
	}
	*o++ = '"';
	j->len = (size_t)(o - j->line);
}

/* ,"name": (no comma first in an object) */
static void
member_n(struct json *j, const char *name, size_t len)
{
	if (!j->fresh)
		put_chr(j, ',');
	j->fresh = 0;
	put_chr(j, '"');
	put_mem(j, name, len);
	PUT_LIT(j, "\":");
}

/* The same from ,"name": made at compile time: one copy, of a length the
 * compiler knows in both branches (inlined, it is a few moves). */
static inline void
member_lit(struct json *j, const char *lit, size_t len)
{
	if (j->fresh) {
		j->fresh = 0;
		put_mem(j, lit + 1, len - 1);
	} else {
		put_mem(j, lit, len);
	}
}

#define MEMBER(name) ",\"" name "\":"
#define member(j, name) member_lit(j, MEMBER(name), sizeof(MEMBER(name)) - 1)

/* ,"name":{ */
#define open_object(j, name) do { \
	member(j, name); \
	put_chr(j, '{'); \
	(j)->fresh = 1; \
} while (0)

static void
close_object(struct json *j)
{
	put_chr(j, '}');
	j->fresh = 0;
}

/* ,"name":"value" or ,"name":null */
static void
field_lit(struct json *j, const char *lit, size_t len, const char *v,
    int present)
{
	member_lit(j, lit, len);
	if (present)
		put_string(j, v);
	else
		PUT_LIT(j, "null");
}

#define field(j, name, v, present) \
	field_lit(j, MEMBER(name), sizeof(MEMBER(name)) - 1, v, present)

static void
counter_n(struct json *j, const char *name, size_t len, uint64_t n)
{
	member_n(j, name, len);
	put_u64(j, n);
}

#define counter(j, name, n) do { \
	member(j, name); \
	put_u64(j, n); \
} while (0)

/* An address as format_addr() writes it, formatted again only when it is
 * not the one this slot (0 client, 1 server) had last: a busy capture
 * names the same server, and often the same client, line after line. */
static void
put_addr(struct json *j, int slot, const struct addr *a)
{
	struct addr *last = &j->ip[slot];

	if (last->family != a->family ||
	    memcmp(last->bytes, a->bytes, sizeof(a->bytes)) != 0) {
		j->ip_len[slot] = format_addr(j->ip_text[slot],
		    sizeof(j->ip_text[slot]), a);
		*last = *a;
	}
	put_mem(j, j->ip_text[slot], j->ip_len[slot]);
}

/* type: a string literal */
#define head(j, ts, type, k, flow_id) \
	head_lit(j, ts, type, sizeof(type) - 1, k, flow_id)

static void
head_lit(struct json *j, int64_t ts, const char *type, size_t type_len,
    const struct flow_key *k, uint64_t flow_id)
{
	j->len = 0;
	j->overflow = 0;
	j->fresh = 0;
	PUT_LIT(j, "{\"timestamp\":\"");
	put_time(j, ts);
	put_chr(j, '"');
	if (k != NULL)
		counter(j, "flow_id", flow_id);
	PUT_LIT(j, ",\"event_type\":\"");
	put_mem(j, type, type_len);
	put_chr(j, '"');
	if (k == NULL)
		return;
	/* addresses are ours to format: nothing to escape */
	PUT_LIT(j, ",\"src_ip\":\"");
	put_addr(j, 0, &k->client);
	PUT_LIT(j, "\",\"src_port\":");
	put_u64(j, k->client_port);
	PUT_LIT(j, ",\"dest_ip\":\"");
	put_addr(j, 1, &k->server);
	PUT_LIT(j, "\",\"dest_port\":");
	put_u64(j, k->server_port);
}

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

static void
end_line(struct json *j)
{
	PUT_LIT(j, "}\n");
	if (j->overflow || j->err != 0) /* overflow: not with model.h's bounds */
		return;
	errno = 0;
	if (fwrite(j->line, 1, j->len, j->out) != j->len ||
	    (j->flush && fflush(j->out) != 0) || ferror(j->out))
		write_failed(j);
}

/* ,"name":"2026-01-01T00:00:00.000000Z" or ,"name":null */
#define time_field(j, name, ts, present) do { \
	member(j, name); \
	if (present) { \
		put_chr(j, '"'); \
		put_time(j, ts); \
		put_chr(j, '"'); \
	} else { \
		PUT_LIT(j, "null"); \
	} \
} while (0)

/* ,"name":1.500000 (seconds) or ,"name":null */
#define seconds_field(j, name, us, present) do { \
	member(j, name); \
	if (present) \
		put_seconds(j, us); \
	else \
		PUT_LIT(j, "null"); \
} while (0)

/* ,"name":true or false */
#define bool_field(j, name, v) do { \
	member(j, name); \
	if (v) \
		PUT_LIT(j, "true"); \
	else \
		PUT_LIT(j, "false"); \
} while (0)

/* How an exchange ended, by enum exchange_end. */
static const char *const end_names[] = {
	"final", "tunnel", "client_closed", "server_closed", "client_reset",
	"server_reset", "evicted", "idle", "capture_ended", "closed"
};

_Static_assert(sizeof(end_names) / sizeof(end_names[0]) == END_CLOSED + 1,
    "a name for each enum exchange_end");

/* The "http" object of a request. */
static void
http(struct json *j, const struct exchange *x)
{
	open_object(j, "http");
	field(j, "method", x->method, 1);
	field(j, "target", x->target, 1);
	bool_field(j, "target_truncated", x->target_truncated);
	PUT_LIT(j, ",\"version\":\"HTTP/1.");       /* nothing to escape */
	put_chr(j, (char)('0' + x->minor));     /* one digit (http1.c) */
	put_chr(j, '"');
	field(j, "host", x->host, x->has_host);
	field(j, "user_agent", x->user_agent, x->has_user_agent);
	field(j, "expect", x->expect, x->has_expect);
	field(j, "upgrade", x->upgrade, x->has_upgrade);
	close_object(j);
}

static void
response(struct json *j, int status, const char *reason, int64_t ts,
    int64_t since)
{
	put_chr(j, '{');
	j->fresh = 1;
	counter(j, "status", (uint64_t)status);
	field(j, "reason", reason, 1);
	PUT_LIT(j, ",\"timestamp\":\"");
	put_time(j, ts);
	PUT_LIT(j, "\",\"after\":");
	put_seconds(j, ts - since);
	close_object(j);
}

static void
on_exchange(void *self, const struct flow_key *k, uint64_t flow_id,
    const struct exchange *x)
{
	struct json *j = self;

	head(j, x->t_begin, "exchange", k, flow_id);
	counter(j, "tx_id", x->seq - 1);
	http(j, x);
	PUT_LIT(j, ",\"interim\":[");
	for (unsigned i = 0; i < x->n_interim; i++) {
		if (i > 0)
			put_chr(j, ',');
		response(j, x->interim[i].status, x->interim[i].reason,
		    x->interim[i].ts, x->t_begin);
	}
	PUT_LIT(j, "],\"final\":");
	if (x->final_status != 0)
		response(j, x->final_status, x->final_reason, x->t_final,
		    x->t_begin);
	else
		PUT_LIT(j, "null");
	field(j, "tunnel", x->tunnel, x->tunnel[0] != '\0');
	if (x->midstream)
		PUT_LIT(j, ",\"midstream\":true");
	field(j, "tunnel_of", x->tunnel_of, x->tunnel_of[0] != '\0');
	bool_field(j, "interim_held", x->interim_held);
	counter(j, "request_body_len", x->request_body_len);
	counter(j, "response_body_len", x->response_body_len);
	time_field(j, "response_end_timestamp", x->t_response_end,
	    x->seen & SEEN_RESPONSE_END);
	field(j, "end", end_names[x->end], 1);
	time_field(j, "end_timestamp", x->t_ended, 1);
	time_field(j, "client_closed_timestamp", x->t_client_closed,
	    x->seen & SEEN_CLIENT_CLOSED);
	end_line(j);
}

static void
on_anomaly(void *self, const struct anomaly *a)
{
	struct json *j = self;

	head(j, a->ts, "anomaly", a->key, a->flow_id);
	open_object(j, "anomaly");
	field(j, "direction", a->from_client ? "request" : "response", 1);
	field(j, "error", http1_error_name(a->error), 1);
	close_object(j);
	end_line(j);
}

static void
on_violation(void *self, const struct violation *v)
{
	struct json *j = self;
	const struct rule *r = &rules[v->rule];

	head(j, v->ts, "violation", v->key, v->flow_id);
	member(j, "tx_id");
	if (v->x != NULL)
		put_u64(j, v->x->seq - 1);
	else
		PUT_LIT(j, "null");
	field(j, "rule", r->id, 1);
	field(j, "severity", severity_name(r->severity), 1);
	member(j, "cloudflare");
	if (r->cloudflare != NULL)
		put_str(j, r->cloudflare);      /* digits: a JSON number */
	else
		PUT_LIT(j, "null");
	field(j, "message", v->message, 1);
	seconds_field(j, "waited", v->waited, v->timed);
	seconds_field(j, "deadline", v->deadline, v->timed);
	time_field(j, "since", v->since, v->timed);
	if (v->count > 0) {             /* an aggregate (synagg.h) */
		counter(j, "count", v->count);
		counter(j, "sources", v->sources);
		bool_field(j, "sources_more", v->sources_more);
	}
	if (v->x != NULL && v->x->head_done)
		http(j, v->x);
	end_line(j);
}

static void
on_finish(void *self, const struct stats *st, const uint64_t *rule_counts)
{
	struct json *j = self;
	char code[8], why[256] = "";
	int nothing = nothing_analysed(st, why, sizeof(why));

	head(j, st->last_ts, "summary", NULL, 0);
	counter(j, "files", st->files);
	counter(j, "packets", st->packets);
	counter(j, "bytes", st->bytes);
	counter(j, "flows", st->flows);
	counter(j, "http_flows", st->http_flows);
	counter(j, "exchanges", st->exchanges);
	open_object(j, "status_1xx");
	for (int c = 0; c < 100; c++) {
		if (st->status_1xx[c] == 0)
			continue;
		snprintf(code, sizeof(code), "%d", 100 + c);
		counter_n(j, code, strlen(code), st->status_1xx[c]);
	}
	close_object(j);
	open_object(j, "rules");
	for (int r = 0; r < RULE_COUNT; r++)
		if (rule_counts[r] != 0)
			counter_n(j, rules[r].id, strlen(rules[r].id),
			    rule_counts[r]);
	close_object(j);
	open_object(j, "parse_errors");
	for (int e = 1; e < HTTP1_ERR_COUNT; e++)
		if (st->parse_errors[e] != 0)
			counter_n(j, http1_error_name((enum http1_error)e),
			    strlen(http1_error_name((enum http1_error)e)),
			    st->parse_errors[e]);
	close_object(j);
	counter(j, "unsolicited_responses", st->unsolicited);
	counter(j, "tunnel_bytes", st->tunnel_bytes);
	counter(j, "ipv6_tcp_packets", st->ipv6_tcp);
	counter(j, "ipv6_fragments", st->ipv6_fragments);
	counter(j, "ipv6_addresses_peak", st->v6map_peak);
	counter(j, "ipv6_map_full", st->v6map_full);
	counter(j, "ipv6_map_evicted", st->v6map_evicted);
	counter(j, "not_http_flows", st->not_http_flows);
	counter(j, "snaplen_cut_packets", st->snaplen_cut);
	open_object(j, "undecoded");
	for (int k = 0; k < DECAP_SKIP_KINDS; k++)
		if (st->undecoded[k] != 0)
			counter_n(j, decap_skip_name(k), strlen(decap_skip_name(k)),
			    st->undecoded[k]);
	close_object(j);
	counter(j, "reassembly_warnings", reassembly_warning_total(st));
	counter(j, "lossy_flows", st->lossy_flows);
	counter(j, "evicted_flows", st->flows_evicted);
	counter(j, "idle_flows", st->flows_idle);
	counter(j, "timers_refused", st->timers_refused);
	open_object(j, "dropped_before_reassembly");
	for (int d = 0; d < DROP_KINDS; d++)
		if (st->front_dropped[d] != 0)
			counter_n(j, front_drop_name(d), strlen(front_drop_name(d)),
			    st->front_dropped[d]);
	close_object(j);
	counter(j, "midstream_flows", st->midstream_flows);
	counter(j, "responses_before_pickup", st->early_responses);
	counter(j, "fast_open", st->fast_open);
	counter(j, "gaps", st->gaps);
	counter(j, "gap_bytes", st->gap_bytes);
	counter(j, "gaps_unfilled", st->gaps_unfilled);
	counter(j, "ends_ignored", st->ends_ignored);
	counter(j, "signed_rsts_ignored", st->signed_ignored);
	counter(j, "reused_tuples", st->tuples_reused);
	counter(j, "held_syns_overwritten", st->syns_overwritten);
	counter(j, "heads_given_up", st->held_capped);
	counter(j, "bad_timestamps", st->bad_times);
	counter(j, "backward_timestamps", st->time_backwards);
	counter(j, "capped", st->pipeline_capped + st->interim_capped +
	    st->tcp_untracked);
	counter(j, "dropped", st->dropped);
	counter(j, "if_dropped", st->if_dropped);
	if (st->evidence) {     /* --write-violations */
		counter(j, "evidence_flows", st->evidence_flows);
		counter(j, "evidence_packets", st->evidence_packets);
		counter(j, "evidence_cut_packets", st->evidence_cut);
		counter(j, "evidence_untracked", st->evidence_untracked);
	}
	put_str(j, st->truncated ? ",\"truncated\":true" : ",\"truncated\":false");
	field(j, "nothing_analysed", why, nothing);
	end_line(j);
	errno = 0;
	if (j->err == 0 && fflush(j->out) != 0)
		write_failed(j);
}

/* One per call: standard output (-j) and --log may both want one. */
const struct sink *
json_sink(FILE *out, int flush, void (*failed)(void *, int), void *ctx)
{
	struct json *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	tables_init();
	j->sec = -1;
	j->ip[0].family = j->ip[1].family = -1; /* no address yet */
	j->out = out;
	j->flush = flush;
	j->failed = failed;
	j->ctx = ctx;
	j->sink = (struct sink){on_exchange, on_anomaly, on_violation,
	    on_finish, j};
	return &j->sink;
}

void
json_sink_free(const struct sink *s)
{
	if (s != NULL)
		free(s->self);
}
