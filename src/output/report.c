/* report.c: the text report, a summary a person reads in ten seconds.
 * Examples are kept as formatted lines, a few per kind, the servers as
 * fixed-size aggregates (servers.h) and the slowest exchanges in a bounded
 * heap (slowest.h), so memory stays bounded whatever the input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "format.h"
#include "front.h"
#include "outputs.h"
#include "rules.h"
#include "servers.h"
#include "xtext.h"
#include "slowest.h"
#include "v6map.h"

#define EXAMPLES 3
#define CF_EXAMPLES 10
#define LINE 1800        /* where (256), request (160), message (640)
			 * and what came then (720) */
#define TARGET_SHOWN 80         /* target characters in one-line examples */
#define SERVER_ROWS 20
#define WIDTH 100               /* the server table and its wrapped lines */
#define H2_PENDING 64           /* HTTP/2 answers awaiting their request */

/* Lines are kept without their time, which is written when the report is:
 * with the date when the capture spans days. */
struct examples {
	uint64_t count;
	int64_t ts[EXAMPLES];
	char line[EXAMPLES][LINE];
	/* a timer rule's example waits for its exchange to end, to say how
	 * (then_told): its connection and position, seq 0 when it does not */
	uint64_t flow[EXAMPLES], seq[EXAMPLES];
	/* aggregates (v->count > 0): the first one's line, and how many */
	uint64_t aggregates, aggregated;
	int64_t agg_ts;
	char agg_line[LINE];
};

#define ANY_SEQ UINT64_MAX      /* the first exchange of the flow to end */

struct cf_example {
	int64_t ts;
	int rule;
	uint64_t flow, seq;             /* as in struct examples */
	char line[LINE];
};

/* A server that answered in HTTP/2, until its connection's unanswered
 * request comes out and names what it answered. */
struct h2_pending {
	uint64_t flow_id;
	int64_t ts;
	struct flow_key key;
	int used;
};

struct report {
	FILE *out;
	struct report_opts o;
	int err;                        /* errno of a failed write, or 0 */
	void (*failed)(void *, int);    /* told once, with err */
	void *ctx;
	int multi_day;                  /* first and last packet: two days */
	int listed;                     /* -v: a line was, at listed_ts */
	int64_t listed_ts;
	uint64_t with_interim;
	struct examples unanswered;             /* no final response */
	struct examples errors[HTTP1_ERR_COUNT];        /* by enum http1_error */
	uint64_t h2_count;                      /* servers answering HTTP/2 */
	struct examples h2_answers;             /* count: lines kept */
	struct h2_pending h2[H2_PENDING];
	unsigned h2_next;
	unsigned awaiting;              /* examples waiting for an exchange */
	struct examples rule[RULE_COUNT];
	uint64_t cloudflare;                    /* violations with a code */
	struct cf_example cf[CF_EXAMPLES];
	struct servers servers;
	struct slowest slowest;
	int slowest_failed;             /* no memory for --top */
};

static struct report report_state;

/* Counts the example and keeps it when there is room: its slot, or -1. */
static int
keep(struct examples *e, int64_t ts, const char *line)
{
	int at = -1;

	if (e->count < EXAMPLES) {
		at = (int)e->count;
		e->ts[at] = ts;
		e->flow[at] = e->seq[at] = 0;
		snprintf(e->line[at], LINE, "%s", line);
	}
	e->count++;
	return at;
}

/* A line that may hold bytes from the capture (methods, targets, reasons,
 * header values): anything but printable ASCII and our own line breaks is
 * written as \xHH, so that a capture cannot drive the terminal. */
static void
put_line(struct report *r, const char *indent, const char *s)
{
	fputs(indent, r->out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 0x20 && *p < 0x7f) || *p == '\n')
			putc(*p, r->out);
		else
			fprintf(r->out, "\\x%02x", *p);
	}
	putc('\n', r->out);
}

/* s as put_line() writes it, in at most width characters (width >= 3,
 * size > width): cut short with "..." when it does not fit, never inside
 * an escape. For the table's cells. */
static void
cell(char *buf, size_t size, const char *s, size_t width)
{
	size_t n = 0, fit = 0;      /* fit: length within width - 3 */

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		size_t k = *p >= 0x20 && *p < 0x7f ? 1 : 4;

		if (n + k > width) {
			memcpy(buf + fit, "...", 4);
			return;
		}
		if (k == 1)
			buf[n] = (char)*p;
		else
			snprintf(buf + n, size - n, "\\x%02x", *p);
		n += k;
		if (n <= width - 3)
			fit = n;
	}
	buf[n] = '\0';
}

/* Has a write to out failed since the last look? The stream's error flag
 * is sticky and errno is still the failed write's: stdio calls that only
 * fill the buffer do not touch it. */
static int
check_out(struct report *r)
{
	if (r->err == 0 && ferror(r->out)) {
		r->err = errno != 0 ? errno : EIO;
		if (r->failed != NULL)
			r->failed(r->ctx, r->err);
	}
	return r->err;
}

static const char *
bold(const struct report *r)
{
	return r->o.colour ? "\033[1m" : "";
}

static const char *
plain(const struct report *r)
{
	return r->o.colour ? "\033[0m" : "";
}

/* "18:27:17.123", or "2026-11-24 18:27:17.123" when the capture spans
 * days: the header gives the date once, and a line needs it only then. */
static void
when(const struct report *r, char *buf, size_t size, int64_t ts)
{
	if (r->multi_day)
		format_date_clock(buf, size, ts);
	else
		format_clock(buf, size, ts);
}

/* "127.0.0.1:51234 -> 127.0.0.1:8080" */
static void
pair(char *buf, size_t size, const struct flow_key *k)
{
	char c[64], s[64];

	format_endpoint(c, sizeof(c), &k->client, k->client_port);
	format_endpoint(s, sizeof(s), &k->server, k->server_port);
	snprintf(buf, size, "%s -> %s", c, s);
}

/* Did the server of flow_id answer in HTTP/2? Then forget it, and the
 * example is kept here, with the request it answered. */
static int
h2_answered(struct report *r, uint64_t flow_id, const struct flow_key *k,
    const struct exchange *x)
{
	char p[160], req[384], line[LINE];

	for (unsigned i = 0; i < H2_PENDING; i++) {
		struct h2_pending *h = &r->h2[i];

		if (!h->used || h->flow_id != flow_id)
			continue;
		h->used = 0;
		if (r->h2_answers.count >= EXAMPLES)
			return 1;
		pair(p, sizeof(p), k);
		xtext_request(req, sizeof(req), x, TARGET_SHOWN);
		snprintf(line, sizeof(line), "%s  %s\n      the server answered "
		    "in HTTP/2 (connection preface / SETTINGS frame) to an "
		    "HTTP/1.%d request: it expects HTTP/2 on this port (prior "
		    "knowledge); HTTP/1.x clients get no response there", p,
		    req, x->minor);
		r->h2_answers.ts[r->h2_answers.count] = h->ts;
		snprintf(r->h2_answers.line[r->h2_answers.count], LINE, "%s",
		    line);
		r->h2_answers.count++;
		return 1;
	}
	return 0;
}

/* "+0.002s  102 Processing" lines, the final response and when it ended,
 * or how the exchange ended without one */
static void
timeline(struct report *r, const struct exchange *x, int h2)
{
	char line[LINE], how[320];

	for (unsigned i = 0; i < x->n_interim; i++) {
		snprintf(line, sizeof(line), "+%.3fs  %d %s",
		    xtext_since(x->interim[i].ts, x), x->interim[i].status,
		    x->interim[i].reason);
		put_line(r, "      ", line);
	}
	if (x->n_interim_seen > x->n_interim)
		fprintf(r->out, "      ... %u more 1xx\n",
		    x->n_interim_seen - x->n_interim);
	if (x->final_status != 0) {
		char end[96] = "";

		if ((x->seen & SEEN_RESPONSE_END) && x->end != END_TUNNEL)
			snprintf(end, sizeof(end), "  (ended +%.3fs, body %llu "
			    "byte%s)", xtext_since(x->t_response_end, x),
			    (unsigned long long)x->response_body_len,
			    x->response_body_len == 1 ? "" : "s");
		snprintf(line, sizeof(line), "+%.3fs  %d %s%s",
		    xtext_since(x->t_final, x), x->final_status, x->final_reason,
		    end);
		put_line(r, "      ", line);
	}
	if (x->tunnel[0] != '\0') {
		snprintf(line, sizeof(line), "tunnel: %s", x->tunnel);
		put_line(r, "      ", line);
	} else if (x->final_status == 0) {
		xtext_outcome(how, sizeof(how), x, h2);
		put_line(r, "      ", how);
	} else if ((x->seen & SEEN_CLIENT_CLOSED) &&
	    x->t_client_closed < x->t_final)
		fprintf(r->out, "      (%s at +%.3fs, before the final "
		    "response)\n", xtext_client_end(x),
		    xtext_since(x->t_client_closed, x));
}

/* The second line of a slowest-list entry: host, 1xx, first byte, and
 * the final response or why none came. */
static void
slow_detail(char *buf, size_t size, const struct exchange *x, int h2)
{
	size_t n = 0;
	const char *sep = "";
	char how[240];

#define ADD(...) do { if (n < size) n += (size_t)snprintf(buf + n, \
	    size - n, __VA_ARGS__); } while (0)
	if (x->has_host) {
		ADD("host %.60s%s", x->host, strlen(x->host) > 60 ? "..." : "");
		sep = "; ";
	}
	for (unsigned i = 0; i < x->n_interim; i++) {
		ADD("%s%d +%.3fs", i == 0 ? sep : ", ", x->interim[i].status,
		    xtext_since(x->interim[i].ts, x));
		sep = "; ";
	}
	if (x->n_interim_seen > x->n_interim)
		ADD(" and %u more 1xx", x->n_interim_seen - x->n_interim);
	if (check_bundled(x))
		ADD(" (only with the final response: held back on the way)");
	if (x->seen & SEEN_FIRST_BYTE) {
		ADD("%sfirst byte +%.3fs", sep, xtext_since(x->t_first_byte, x));
		sep = "; ";
	}
	xtext_outcome(how, sizeof(how), x, h2);
	ADD("%s%s", sep, how);
#undef ADD
}

static void
rank_slowest(struct report *r, const struct flow_key *k,
    const struct exchange *x, int h2)
{
	struct slow *e = slowest_admit(&r->slowest, xtext_wait(x), k,
	    x->t_begin);
	char p[136], req[TARGET_SHOWN + X_METHOD + 16], detail[360];

	if (e == NULL)
		return;
	pair(p, sizeof(p), k);
	xtext_request(req, sizeof(req), x, TARGET_SHOWN);
	slow_detail(detail, sizeof(detail), x, h2);
	snprintf(e->text, sizeof(e->text), "%s  %s\n%11s%s", p, req, "",
	    detail);
}

/* -v: one line per exchange; the date again when the day changed since
 * the line before. */
static void
list_exchange(struct report *r, const struct flow_key *k,
    const struct exchange *x, int h2)
{
	char t[48], p[160], req[384], line[LINE];

	if (r->listed && !format_same_day(r->listed_ts, x->t_begin))
		format_date_clock(t, sizeof(t), x->t_begin);
	else
		format_clock(t, sizeof(t), x->t_begin);
	r->listed = 1;
	r->listed_ts = x->t_begin;
	pair(p, sizeof(p), k);
	xtext_request(req, sizeof(req), x, X_TARGET);
	snprintf(line, sizeof(line), "%s  %s  %s%s%s%s", t, p, req,
	    x->tunnel_of[0] != '\0' ? "  in the tunnel to " : "", x->tunnel_of,
	    x->midstream ? "  (picked up mid-stream)" : "");
	put_line(r, "", line);
	timeline(r, x, h2);
}

/* The timer rules' examples about x, now that it ended, say how: whether
 * the origin answered after all, or who gave up. */
static void
then_told(struct report *r, uint64_t flow_id, const struct exchange *x,
    int h2)
{
	char how[720], brief[760];
	const char *held = check_held_note(x);
	size_t n;

	xtext_outcome(how, sizeof(how), x, h2);
	snprintf(brief, sizeof(brief), "%s%s", how, held != NULL ?
	    "; its 1xx were held back on the way" : "");
	if (held != NULL) {
		n = strlen(how);
		snprintf(how + n, sizeof(how) - n, "; %s", held);
	}
	for (int i = 0; i < RULE_COUNT; i++) {
		struct examples *e = &r->rule[i];

		for (int j = 0; j < EXAMPLES && (uint64_t)j < e->count; j++) {
			if (e->seq[j] == 0 || e->flow[j] != flow_id ||
			    (e->seq[j] != x->seq && e->seq[j] != ANY_SEQ))
				continue;
			n = strlen(e->line[j]);
			snprintf(e->line[j] + n, LINE - n, "\n      then: %s",
			    how);
			e->seq[j] = 0;
			r->awaiting--;
		}
	}
	for (uint64_t i = 0; i < r->cloudflare && i < CF_EXAMPLES; i++) {
		struct cf_example *c = &r->cf[i];

		if (c->seq == 0 || c->flow != flow_id ||
		    (c->seq != x->seq && c->seq != ANY_SEQ))
			continue;
		n = strlen(c->line);
		snprintf(c->line + n, LINE - n, "  then: %s", brief);
		c->seq = 0;
		r->awaiting--;
	}
}

static void
on_exchange(void *self, const struct flow_key *k, uint64_t flow_id,
    const struct exchange *x)
{
	struct report *r = self;
	char p[160], req[384], line[LINE];
	int h2 = 0;

	if (x->n_interim_seen > 0)
		r->with_interim++;
	if (xtext_unanswered(x))
		h2 = h2_answered(r, flow_id, k, x);
	servers_exchange(&r->servers, k, x);
	rank_slowest(r, k, x, h2);
	if (r->awaiting > 0)
		then_told(r, flow_id, x, h2);
	if (xtext_unanswered(x)) {
		const struct interim *last = x->n_interim > 0 ?
		    &x->interim[x->n_interim - 1] : NULL;
		char after[96] = "", why[256];

		if (last != NULL)
			snprintf(after, sizeof(after), "%d %s at +%.3fs, then ",
			    last->status, last->reason, xtext_since(last->ts, x));
		if (h2)
			snprintf(why, sizeof(why), "the server answered in "
			    "HTTP/2; ");
		else
			why[0] = '\0';
		xtext_gave_up(why + strlen(why), sizeof(why) - strlen(why), x);
		pair(p, sizeof(p), k);
		xtext_request(req, sizeof(req), x, TARGET_SHOWN);
		snprintf(line, sizeof(line), "%s  %s  (%s%s)", p, req, after,
		    why);
		keep(&r->unanswered, x->t_begin, line);
	}
	if (!(r->o.verbose || (r->o.stream && !r->o.quiet)) || r->err != 0)
		return;
	list_exchange(r, k, x, h2);
	if (r->o.stream)
		fflush(r->out);
	check_out(r);
}

static void
on_anomaly(void *self, const struct anomaly *a)
{
	struct report *r = self;
	char p[160], line[LINE];

	if ((size_t)a->error >= sizeof(r->errors) / sizeof(r->errors[0]))
		return;
	if (a->error == HTTP1_ERR_HTTP2 && !a->from_client) {
		/* named when its request comes out (h2_answered) */
		struct h2_pending *h = &r->h2[r->h2_next++ % H2_PENDING];

		*h = (struct h2_pending){a->flow_id, a->ts, *a->key, 1};
		r->h2_count++;
		return;
	}
	pair(p, sizeof(p), a->key);
	if (a->error == HTTP1_ERR_HTTP2)
		snprintf(line, sizeof(line), "%s  in the requests: the client "
		    "sent HTTP/2's connection preface (PRI * HTTP/2.0), with "
		    "prior knowledge; HTTP/2 is not analysed", p);
	else
		snprintf(line, sizeof(line), "%s  in the %s", p,
		    a->from_client ? "requests" : "responses");
	keep(&r->errors[a->error], a->ts, line);
}

static const char *
colour_of(const struct report *r, enum severity s)
{
	if (!r->o.colour)
		return "";
	return s == SEV_ERROR ? "\033[31m" : s == SEV_WARNING ? "\033[33m" :
	    "\033[36m";
}

static void
on_violation(void *self, const struct violation *v)
{
	struct report *r = self;
	const struct rule *rule = &rules[v->rule];
	char p[160] = "", req[400] = "", line[LINE], t[48];
	/* a timer rule's exchange is still open: how it ends comes later;
	 * request-unacked names no exchange, but its flow's first is it */
	uint64_t seq = !v->timed || v->flow_id == 0 ? 0 : v->x != NULL ?
	    v->x->seq : v->rule == R_REQUEST_UNACKED ? ANY_SEQ : 0;
	int at;

	if (v->key != NULL) {
		servers_violation(&r->servers, v->key, v->rule,
		    v->count > 0 ? v->count : 1);
		pair(p, sizeof(p), v->key);
	}
	if (v->x != NULL && v->x->head_done) {
		req[0] = req[1] = ' ';
		xtext_request(req + 2, sizeof(req) - 2, v->x, TARGET_SHOWN);
	}
	snprintf(line, sizeof(line), "%s%s\n      %s", p, req, v->message);
	if (v->count > 0) {             /* many alike, counted as many */
		struct examples *e = &r->rule[v->rule];

		if (e->aggregates++ == 0) {
			e->agg_ts = v->ts;
			snprintf(e->agg_line, LINE, "%s", line);
		}
		e->count += v->count;
		e->aggregated += v->count;
		if (rule->cloudflare != NULL)
			r->cloudflare += v->count;
		if (r->o.stream && r->err == 0) {
			format_clock(t, sizeof(t), v->ts);
			fprintf(r->out, "%s%s%s %s: %s  ", colour_of(r,
			    rule->severity), severity_name(rule->severity),
			    plain(r), rule->id, t);
			put_line(r, "", line);
			fflush(r->out);
			check_out(r);
		}
		return;
	}
	if ((at = keep(&r->rule[v->rule], v->ts, line)) >= 0 && seq != 0) {
		r->rule[v->rule].flow[at] = v->flow_id;
		r->rule[v->rule].seq[at] = seq;
		r->awaiting++;
	}
	if (r->o.stream && r->err == 0) {
		format_clock(t, sizeof(t), v->ts);
		fprintf(r->out, "%s%s%s %s: %s  ", colour_of(r, rule->severity),
		    severity_name(rule->severity), plain(r), rule->id, t);
		put_line(r, "", line);
		fflush(r->out);
		check_out(r);
	}
	if (rule->cloudflare != NULL) {
		if (r->cloudflare < CF_EXAMPLES) {
			struct cf_example *c = &r->cf[r->cloudflare];

			c->ts = v->ts;
			c->rule = v->rule;
			c->flow = v->flow_id;
			c->seq = seq;
			r->awaiting += seq != 0;
			snprintf(c->line, sizeof(c->line), "%s%s", p, req);
		}
		r->cloudflare++;
	}
}

static void
print_examples(struct report *r, const struct examples *e)
{
	uint64_t shown = e->count < EXAMPLES ? e->count : EXAMPLES;
	char t[48], line[LINE + 64];

	for (uint64_t i = 0; i < shown; i++) {
		when(r, t, sizeof(t), e->ts[i]);
		snprintf(line, sizeof(line), "%s  %s", t, e->line[i]);
		put_line(r, "    ", line);
	}
	if (e->count > shown)
		fprintf(r->out, "    ... and %llu more\n",
		    (unsigned long long)(e->count - shown));
	if (e->aggregates > 0) {
		when(r, t, sizeof(t), e->agg_ts);
		snprintf(line, sizeof(line), "%s  %.*s", t, LINE, e->agg_line);
		fprintf(r->out, "    %llu of them counted together, in %llu "
		    "aggregate%s; the first:\n",
		    (unsigned long long)e->aggregated,
		    (unsigned long long)e->aggregates,
		    e->aggregates == 1 ? "" : "s");
		put_line(r, "    ", line);
	}
}

static uint64_t
undecoded_total(const struct stats *st)
{
	uint64_t n = 0;

	for (int k = 0; k < DECAP_SKIP_KINDS; k++)
		n += st->undecoded[k];
	return n;
}

int
nothing_analysed(const struct stats *st, char *buf, size_t size)
{
	uint64_t tcp = st->ipv4_tcp + st->ipv6_tcp;
	uint64_t other = undecoded_total(st);

	if (st->packets == 0 || st->exchanges > 0)
		return 0;
	if (tcp == 0 && other > 0)
		snprintf(buf, size, "no TCP packet among the %llu read (%llu "
		    "not decoded or not TCP, by kind below)",
		    (unsigned long long)st->packets, (unsigned long long)other);
	else if (tcp == 0)
		snprintf(buf, size, "no TCP packet among the %llu read",
		    (unsigned long long)st->packets);
	else if (st->flows == 0 && st->early_responses > 0)
		snprintf(buf, size, "%llu TCP packets, but only responses to "
		    "requests made before the capture began, or the capture "
		    "saw the server's side only", (unsigned long long)tcp);
	else if (st->flows == 0)
		snprintf(buf, size, "%llu TCP packets, but no connection "
		    "established or picked up at a request",
		    (unsigned long long)tcp);
	else if (st->http_flows == 0)
		snprintf(buf, size, "%llu TCP connection%s, none speaking "
		    "HTTP/1.x", (unsigned long long)st->flows,
		    st->flows == 1 ? "" : "s");
	else
		snprintf(buf, size, "%llu HTTP connection%s, but no request "
		    "head was whole%s", (unsigned long long)st->http_flows,
		    st->http_flows == 1 ? "" : "s",
		    st->lossy_flows > 0 || st->snaplen_cut > 0 ? " (bytes are "
		    "missing from the capture)" : "");
	return 1;
}

/* ", 2026-11-24 18:39:53.212 to 18:41:38.213 UTC (105.001 s)": the date
 * once, again for the end on another day; the zone once, or for each end
 * when it changed between them (summer time) */
static void
print_range(struct report *r, const struct stats *st)
{
	char from[48], to[48], zf[32], zt[32], span[32];
	double secs = (double)(st->last_ts - st->first_ts) / USEC;

	format_date_clock(from, sizeof(from), st->first_ts);
	if (r->multi_day)
		format_date_clock(to, sizeof(to), st->last_ts);
	else
		format_clock(to, sizeof(to), st->last_ts);
	format_zone(zf, sizeof(zf), st->first_ts);
	format_zone(zt, sizeof(zt), st->last_ts);
	if (secs < 86400)
		snprintf(span, sizeof(span), "%.3f s", secs);
	else
		snprintf(span, sizeof(span), "%.1f days", secs / 86400);
	if (strcmp(zf, zt) == 0)
		fprintf(r->out, ", %s to %s %s (%s)", from, to, zt, span);
	else
		fprintf(r->out, ", %s %s to %s %s (%s)", from, zf, to, zt, span);
}

static void
print_input(struct report *r, const struct stats *st)
{
	char size[32];

	format_bytes(size, sizeof(size), st->bytes);
	if (r->o.iface != NULL)
		fprintf(r->out, "%sCaptured%s on '%s': %llu packets, %s",
		    bold(r), plain(r), r->o.iface,
		    (unsigned long long)st->packets, size);
	else
		fprintf(r->out, "%sRead%s %llu file%s: %llu packets, %s",
		    bold(r), plain(r), (unsigned long long)st->files,
		    st->files == 1 ? "" : "s", (unsigned long long)st->packets,
		    size);
	if (st->packets > 0)
		print_range(r, st);
	fprintf(r->out, "\nConnections: %llu TCP, %llu HTTP",
	    (unsigned long long)st->flows, (unsigned long long)st->http_flows);
	if (st->not_http_flows > 0)
		fprintf(r->out, ", %llu not HTTP",
		    (unsigned long long)st->not_http_flows);
	fprintf(r->out, ".  Exchanges: %llu, %llu with a 1xx.\n",
	    (unsigned long long)st->exchanges,
	    (unsigned long long)r->with_interim);
}

static void
print_interim(struct report *r, const struct stats *st)
{
	int any = 0;

	for (int c = 0; c < 100; c++) {
		if (st->status_1xx[c] == 0)
			continue;
		if (!any++)
			fprintf(r->out, "\n%s1xx responses%s\n", bold(r),
			    plain(r));
		fprintf(r->out, "  %d %-22s %8llu\n", 100 + c,
		    c < 4 ? http1_reason_default(100 + c) : "(unknown)",
		    (unsigned long long)st->status_1xx[c]);
	}
	if (!any)
		fprintf(r->out, "\nNo 1xx responses.\n");
	if (st->unsolicited > 0)
		fprintf(r->out, "  %llu response%s arrived with no request "
		    "outstanding\n", (unsigned long long)st->unsolicited,
		    st->unsolicited == 1 ? "" : "s");
}

static void
print_violations(struct report *r, const uint64_t *counts)
{
	uint64_t total = 0, by[SEV_ERROR + 1] = {0};

	for (int i = 0; i < RULE_COUNT; i++) {
		total += counts[i];
		by[rules[i].severity] += counts[i];
	}
	if (total == 0) {
		fprintf(r->out, "\nNo violations.\n");
		return;
	}
	fprintf(r->out, "\n%sViolations%s: %llu (%llu error%s, %llu warning%s, "
	    "%llu notice%s)\n", bold(r), plain(r), (unsigned long long)total,
	    (unsigned long long)by[SEV_ERROR], by[SEV_ERROR] == 1 ? "" : "s",
	    (unsigned long long)by[SEV_WARNING], by[SEV_WARNING] == 1 ? "" : "s",
	    (unsigned long long)by[SEV_NOTICE], by[SEV_NOTICE] == 1 ? "" : "s");
	for (int i = 0; i < RULE_COUNT; i++) {
		if (counts[i] == 0)
			continue;
		fprintf(r->out, "\n  %s%-26s%s %-8s %llu\n",
		    colour_of(r, rules[i].severity), rules[i].id, plain(r),
		    severity_name(rules[i].severity),
		    (unsigned long long)counts[i]);
		print_examples(r, &r->rule[i]);
	}
}

static void
print_cloudflare(struct report *r)
{
	uint64_t shown = r->cloudflare < CF_EXAMPLES ? r->cloudflare :
	    CF_EXAMPLES;
	char t[48], line[LINE + 96];

	if (r->cloudflare == 0) {
		fprintf(r->out, "\nCloudflare: nothing here would be a 522 or "
		    "524.\n");
		return;
	}
	fprintf(r->out, "\n%sCloudflare%s: %llu request%s would end in a 522 "
	    "or 524 there\n", bold(r), plain(r),
	    (unsigned long long)r->cloudflare, r->cloudflare == 1 ? "" : "s");
	for (uint64_t i = 0; i < shown; i++) {
		const struct cf_example *c = &r->cf[i];

		when(r, t, sizeof(t), c->ts);
		snprintf(line, sizeof(line), "%s  %-19s %s  %s",
		    rules[c->rule].cloudflare, rules[c->rule].id, t, c->line);
		put_line(r, "    ", line);
	}
	if (r->cloudflare > shown)
		fprintf(r->out, "    ... and %llu more\n",
		    (unsigned long long)(r->cloudflare - shown));
}

/* Items joined on lines of at most WIDTH columns, each line after the
 * first indented as the first. */
struct wrap {
	struct report *r;
	const char *indent;
	size_t col;
	int any;
};

static void
wrap_add(struct wrap *w, const char *sep, const char *item)
{
	size_t need = strlen(sep) + strlen(item);

	if (!w->any) {
		fputs(w->indent, w->r->out);
		w->col = strlen(w->indent);
		sep = "";
		need = strlen(item);
	} else if (w->col + need > WIDTH) {
		fprintf(w->r->out, "\n%s", w->indent);
		w->col = strlen(w->indent);
		sep = "";
		need = strlen(item);
	}
	fprintf(w->r->out, "%s%s", sep, item);
	w->col += need;
	w->any = 1;
}

static void
wrap_end(struct wrap *w)
{
	if (w->any)
		putc('\n', w->r->out);
}

/* "0.002/0.004/0.010": p50, p95 and max in seconds, or "-" */
static void
quantiles(char *buf, size_t size, const struct hist *h)
{
	char a[16], b[16], c[16];

	if (h->n == 0) {
		snprintf(buf, size, "-");
		return;
	}
	format_secs(a, sizeof(a), hist_quantile(h, 0.5));
	format_secs(b, sizeof(b), hist_quantile(h, 0.95));
	format_secs(c, sizeof(c), h->max);
	snprintf(buf, size, "%s/%s/%s", a, b, c);
}

/* Under a server's row: its 1xx by code, violations by rule, and the
 * exchanges that got no final response. */
static void
server_detail(struct report *r, const struct server *s)
{
	struct wrap w = {r, "      ", 0, 0};
	char item[96];
	int first = 1;

	for (int c = 0; c < 100; c++) {
		if (s->status_1xx[c] == 0)
			continue;
		snprintf(item, sizeof(item), "%s%d x%llu", first ? "1xx: " : "",
		    100 + c, (unsigned long long)s->status_1xx[c]);
		wrap_add(&w, first ? "   " : ", ", item);
		first = 0;
	}
	if (s->more_1xx > 0) {
		snprintf(item, sizeof(item), "%s%llu more not kept",
		    first ? "1xx: " : "", (unsigned long long)s->more_1xx);
		wrap_add(&w, first ? "   " : ", ", item);
	}
	first = 1;
	for (int i = 0; i < RULE_COUNT; i++) {
		if (s->rule[i] == 0)
			continue;
		snprintf(item, sizeof(item), "%s%s x%llu",
		    first ? "violations: " : "", rules[i].id,
		    (unsigned long long)s->rule[i]);
		wrap_add(&w, first ? "   " : ", ", item);
		first = 0;
	}
	if (s->unanswered > 0) {
		snprintf(item, sizeof(item), "no final response: %llu",
		    (unsigned long long)s->unanswered);
		wrap_add(&w, "   ", item);
	}
	wrap_end(&w);
}

static void
print_server(struct report *r, const struct server *s)
{
	char ep[64], host[24], fb[48], fin[48], n[24];
	const char *h = server_host(s);

	format_endpoint(ep, sizeof(ep), &s->addr, s->port);
	cell(host, sizeof(host), h != NULL ? h : "-", 18);
	quantiles(fb, sizeof(fb), &s->first_byte);
	quantiles(fin, sizeof(fin), &s->final);
	snprintf(n, sizeof(n), "%llu", (unsigned long long)s->exchanges);
	if (strlen(ep) > 21) {          /* IPv6: its own line */
		fprintf(r->out, "  %s\n", ep);
		ep[0] = '\0';
	}
	fprintf(r->out, "  %-21s %-18s %9s  %-22s  %s\n", ep, host, n, fb, fin);
	server_detail(r, s);
}

static void
print_servers(struct report *r)
{
	const struct server **by = malloc(SERVERS_MAX * sizeof(*by));
	unsigned n, shown;
	uint64_t ex = 0, viol = 0;

	if (by == NULL)
		return;
	n = servers_sorted(&r->servers, by);
	if (n == 0) {
		free(by);
		return;
	}
	fprintf(r->out, "\n%sServers%s: %u%s, busiest first; seconds from the "
	    "request's first byte, p50 and p95 within 3%%\n", bold(r),
	    plain(r), n, r->servers.other_exchanges > 0 ||
	    r->servers.other_violations > 0 ? " and more" : "");
	fprintf(r->out, "  %-21s %-18s %9s  %-22s  %s\n", "server", "host",
	    "exchanges", "first byte p50/p95/max", "final p50/p95/max");
	shown = n < SERVER_ROWS ? n : SERVER_ROWS;
	for (unsigned i = 0; i < shown; i++)
		print_server(r, by[i]);
	for (unsigned i = shown; i < n; i++) {
		ex += by[i]->exchanges;
		viol += by[i]->violations;
	}
	if (n > shown)
		fprintf(r->out, "  ... and %u more server%s: %llu exchange%s, "
		    "%llu violation%s\n", n - shown, n - shown == 1 ? "" : "s",
		    (unsigned long long)ex, ex == 1 ? "" : "s",
		    (unsigned long long)viol, viol == 1 ? "" : "s");
	if (r->servers.other_exchanges > 0 || r->servers.other_violations > 0)
		fprintf(r->out, "  ... and past the first %d servers seen, not "
		    "told apart: %llu exchange%s, %llu violation%s\n",
		    SERVERS_MAX,
		    (unsigned long long)r->servers.other_exchanges,
		    r->servers.other_exchanges == 1 ? "" : "s",
		    (unsigned long long)r->servers.other_violations,
		    r->servers.other_violations == 1 ? "" : "s");
	free(by);
}

static void
print_slowest(struct report *r)
{
	const struct slow **by;
	unsigned n;
	char t[48], w[16], line[SLOW_TEXT + 96];

	if (r->slowest_failed) {
		fprintf(r->out, "\nSlowest exchanges: not kept (out of "
		    "memory for --top).\n");
		return;
	}
	if (r->slowest.n == 0 ||
	    (by = malloc(r->slowest.n * sizeof(*by))) == NULL)
		return;
	n = slowest_sorted(&r->slowest, by);
	fprintf(r->out, "\n%sSlowest exchanges%s: %u of %llu, by the wait for "
	    "the final response (or, with none, until the end)\n", bold(r),
	    plain(r), n, (unsigned long long)r->slowest.seen);
	for (unsigned i = 0; i < n; i++) {
		when(r, t, sizeof(t), by[i]->ts);
		format_secs(w, sizeof(w), by[i]->wait);
		snprintf(line, sizeof(line), "%7s s  %s  %s", w, t,
		    by[i]->text);
		put_line(r, "", line);
	}
	free(by);
}

/* HTTP/2 answers whose request never came out (its head was not whole):
 * kept now, without it. */
static void
h2_unpaired(struct report *r)
{
	char p[160], line[LINE];

	for (unsigned i = 0; i < H2_PENDING; i++) {
		struct h2_pending *h = &r->h2[i];

		if (!h->used || r->h2_answers.count >= EXAMPLES)
			continue;
		h->used = 0;
		pair(p, sizeof(p), &h->key);
		snprintf(line, sizeof(line), "%s\n      the server answered in "
		    "HTTP/2 (connection preface / SETTINGS frame) where "
		    "HTTP/1.x was expected", p);
		keep(&r->h2_answers, h->ts, line);
	}
}

static void
print_problems(struct report *r)
{
	if (r->unanswered.count > 0) {
		fprintf(r->out, "\n%sNo final response%s: %llu exchange%s\n",
		    bold(r), plain(r),
		    (unsigned long long)r->unanswered.count,
		    r->unanswered.count == 1 ? "" : "s");
		print_examples(r, &r->unanswered);
	}
	if (r->h2_count > 0) {
		struct examples e = r->h2_answers;

		h2_unpaired(r);
		e = r->h2_answers;
		e.count = r->h2_count;
		fprintf(r->out, "\n%sAnswered in HTTP/2%s: %llu connection%s\n",
		    bold(r), plain(r), (unsigned long long)r->h2_count,
		    r->h2_count == 1 ? "" : "s");
		print_examples(r, &e);
	}
	for (int e = 1; e < HTTP1_ERR_COUNT; e++) {
		if (r->errors[e].count == 0)
			continue;
		fprintf(r->out, "\n%sParse error%s: %s, %llu time%s\n", bold(r),
		    plain(r), http1_error_name((enum http1_error)e),
		    (unsigned long long)r->errors[e].count,
		    r->errors[e].count == 1 ? "" : "s");
		print_examples(r, &r->errors[e]);
	}
}

/* What the front end kept from libnids, and the clock it corrected. */
static void
print_front(struct report *r, const struct stats *st)
{
	uint64_t dropped = 0;
	const char *sep = "";

	for (int d = 0; d < DROP_KINDS; d++)
		dropped += st->front_dropped[d];
	if (dropped > 0) {
		fprintf(r->out, "\nDropped before reassembly: %llu malformed "
		    "packet%s, as the receiving host would (",
		    (unsigned long long)dropped, dropped == 1 ? "" : "s");
		for (int d = 0; d < DROP_KINDS; d++) {
			if (st->front_dropped[d] == 0)
				continue;
			fprintf(r->out, "%s%s %llu", sep, front_drop_name(d),
			    (unsigned long long)st->front_dropped[d]);
			sep = ", ";
		}
		fprintf(r->out, ").\n");
	}
	if (st->midstream_flows > 0)
		fprintf(r->out, "\nPicked up: %llu connection%s already open "
		    "when the capture began, from %s first request seen "
		    "(marked mid-stream).\n",
		    (unsigned long long)st->midstream_flows,
		    st->midstream_flows == 1 ? "" : "s",
		    st->midstream_flows == 1 ? "its" : "their");
	if (st->early_responses > 0)
		fprintf(r->out, "\nNot paired: %llu response%s to requests "
		    "made before the capture began.\n",
		    (unsigned long long)st->early_responses,
		    st->early_responses == 1 ? "" : "s");
	if (st->gaps > 0 || st->gaps_unfilled > 0)
		fprintf(r->out, "\nGaps: %llu hole%s (%llu bytes) that a peer "
		    "acknowledged but the capture lacks were skipped; "
		    "%llu too large to skip. Analysis went on after them.\n",
		    (unsigned long long)st->gaps, st->gaps == 1 ? "" : "s",
		    (unsigned long long)st->gap_bytes,
		    (unsigned long long)st->gaps_unfilled);
	if (st->ends_ignored > 0 || st->signed_ignored > 0)
		fprintf(r->out, "\nIgnored: %llu RST or FIN outside the "
		    "receiver's window and %llu RST signed (TCP-MD5, TCP-AO) "
		    "on connections that negotiated no signature, as the "
		    "hosts ignore them.\n",
		    (unsigned long long)st->ends_ignored,
		    (unsigned long long)st->signed_ignored);
	if (st->fast_open > 0)
		fprintf(r->out, "\nFast Open: %llu request%s sent in the SYN.\n",
		    (unsigned long long)st->fast_open,
		    st->fast_open == 1 ? "" : "s");
	if (st->tuples_reused > 0)
		fprintf(r->out, "\nReused: %llu connection%s ended unseen, "
		    "when the server accepted a new SYN on the same addresses "
		    "and ports; reported as closed there.\n",
		    (unsigned long long)st->tuples_reused,
		    st->tuples_reused == 1 ? "" : "s");
	if (st->held_capped > 0)
		fprintf(r->out, "\nCaps reached: %llu incomplete message "
		    "head%s given up, with more than --max-held bytes held "
		    "back across all connections.\n",
		    (unsigned long long)st->held_capped,
		    st->held_capped == 1 ? "" : "s");
	if (st->bad_times > 0)
		fprintf(r->out, "\nWarning: %llu packet%s had an impossible "
		    "timestamp (before 1970 or after 9999), taken as the "
		    "packet before's.\n", (unsigned long long)st->bad_times,
		    st->bad_times == 1 ? "" : "s");
	if (st->time_backwards > 0)
		fprintf(r->out, "\nWarning: %llu packet%s stamped earlier than "
		    "the packet before (a clock stepped back, or captures "
		    "merged out of order); time was held still until it "
		    "caught up.\n", (unsigned long long)st->time_backwards,
		    st->time_backwards == 1 ? " was" : "s were");
}

/* Frames that gave no TCP packet, by kind. */
static void
print_undecoded(struct report *r, const struct stats *st)
{
	uint64_t n = undecoded_total(st);
	const char *sep = "";

	if (n == 0)
		return;
	fprintf(r->out, "\nNot decoded or not TCP: %llu packet%s (",
	    (unsigned long long)n, n == 1 ? "" : "s");
	for (int k = 0; k < DECAP_SKIP_KINDS; k++) {
		if (st->undecoded[k] == 0)
			continue;
		fprintf(r->out, "%s%s %llu", sep, decap_skip_name(k),
		    (unsigned long long)st->undecoded[k]);
		sep = ", ";
	}
	fprintf(r->out, ").\n");
}

static void
print_coverage(struct report *r, const struct stats *st)
{
	uint64_t warnings = reassembly_warning_total(st);
	uint64_t capped = st->pipeline_capped + st->interim_capped;

	print_undecoded(r, st);
	if (st->ipv6_fragments > 0)
		fprintf(r->out, "\nNot analysed: %llu IPv6 fragment%s, not "
		    "reassembled.\n", (unsigned long long)st->ipv6_fragments,
		    st->ipv6_fragments == 1 ? "" : "s");
	if (st->v6map_full > 0 || st->v6map_evicted > 0)
		fprintf(r->out, "\nCaps reached: %llu IPv6 packets not analysed "
		    "and %llu idle IPv6 addresses forgotten early, with %d "
		    "IPv6 addresses followed at once.\n",
		    (unsigned long long)st->v6map_full,
		    (unsigned long long)st->v6map_evicted, V6MAP_MAX);
	if (st->snaplen_cut > 0)
		fprintf(r->out, "\nWarning: %llu packet%s cut short by the "
		    "capture's snaplen; their connections are analysed only up "
		    "to the first cut (capture with -s 0).\n",
		    (unsigned long long)st->snaplen_cut,
		    st->snaplen_cut == 1 ? " was" : "s were");
	if (st->lossy_flows > 0)
		fprintf(r->out, "\nWarning: %llu connection%s missing bytes "
		    "that the peers exchanged (capture loss, snaplen, or only one "
		    "direction captured); their "
		    "silences were not judged.\n",
		    (unsigned long long)st->lossy_flows,
		    st->lossy_flows == 1 ? " is" : "s are");
	print_front(r, st);
	if (warnings > 0)
		fprintf(r->out, "\nReassembly: %llu packets rejected by libnids "
		    "(bad IP or TCP headers, stream table or queue full).\n",
		    (unsigned long long)warnings);
	if (st->flows_evicted > 0)
		fprintf(r->out, "\nCaps reached: %llu connections let go "
		    "before they ended, the longest idle first, to follow new "
		    "ones (--max-flows); their open requests were not followed "
		    "further.\n", (unsigned long long)st->flows_evicted);
	if (st->flows_idle > 0)
		fprintf(r->out, "\nIdle: %llu connections silent past "
		    "--idle-timeout were let go (picked up again if they speak "
		    "later).\n", (unsigned long long)st->flows_idle);
	if (st->timers_refused > 0)
		fprintf(r->out, "\nCaps reached: %llu deadlines not watched "
		    "(--max-timers).\n", (unsigned long long)st->timers_refused);
	if (capped > 0)
		fprintf(r->out, "\nCaps reached: %llu requests or 1xx beyond the "
		    "per-connection limits were counted, not kept.\n",
		    (unsigned long long)capped);
	if (st->tcp_untracked > 0)
		fprintf(r->out, "\nCaps reached: %llu SYNs not watched for "
		    "handshake-timeout (too many unanswered at once).\n",
		    (unsigned long long)st->tcp_untracked);
	if (st->dropped > 0 || st->if_dropped > 0)
		fprintf(r->out, "\nDropped: %llu packets by the kernel, %llu by "
		    "the interface.\n", (unsigned long long)st->dropped,
		    (unsigned long long)st->if_dropped);
	if (st->evidence) {     /* --write-violations */
		fprintf(r->out, "\nEvidence: %llu packet%s of %llu connection%s "
		    "with a violation written (--write-violations); %llu cut "
		    "(gone from --violation-buffer before the violation).\n",
		    (unsigned long long)st->evidence_packets,
		    st->evidence_packets == 1 ? "" : "s",
		    (unsigned long long)st->evidence_flows,
		    st->evidence_flows == 1 ? "" : "s",
		    (unsigned long long)st->evidence_cut);
		if (st->evidence_untracked > 0)
			fprintf(r->out, "Caps reached: %llu violations of "
			    "connections no longer followed, not written.\n",
			    (unsigned long long)st->evidence_untracked);
	}
	if (st->truncated)
		fprintf(r->out, "\nThe input ended early (truncated capture); "
		    "the report covers what was read.\n");
}

static void
on_finish(void *self, const struct stats *st, const uint64_t *rule_counts)
{
	struct report *r = self;
	char why[256];

	if (check_out(r) != 0)
		return;
	if (r->o.verbose && st->exchanges > 0)
		putc('\n', r->out);
	if (nothing_analysed(st, why, sizeof(why)))
		fprintf(r->out, "%sNothing analysed%s: %s.\n\n", bold(r),
		    plain(r), why);
	r->multi_day = st->packets > 0 &&
	    !format_same_day(st->first_ts, st->last_ts);
	print_input(r, st);
	if (!r->o.quiet)
		print_interim(r, st);
	print_violations(r, rule_counts);
	print_cloudflare(r);
	if (!r->o.quiet) {
		print_servers(r);
		print_slowest(r);
	}
	print_problems(r);
	print_coverage(r, st);
	fflush(r->out);
	check_out(r);
	servers_free(&r->servers);
	slowest_free(&r->slowest);
}

const struct sink *
report_sink(FILE *out, const struct report_opts *o,
    void (*failed)(void *, int), void *ctx)
{
	static struct sink s = {on_exchange, on_anomaly, on_violation,
	    on_finish, NULL};

	memset(&report_state, 0, sizeof(report_state));
	report_state.out = out;
	report_state.o = *o;
	report_state.failed = failed;
	report_state.ctx = ctx;
	servers_init(&report_state.servers);
	report_state.slowest_failed = slowest_init(&report_state.slowest,
	    o->top != 0 ? o->top : REPORT_TOP) != 0;
	s.self = &report_state;
	return &s;
}
