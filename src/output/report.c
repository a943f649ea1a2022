/* report.c: the text report, a summary a person reads in ten seconds.
 * Examples are kept as formatted lines, a few per kind, so memory stays
 * bounded whatever the input. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "front.h"
#include "outputs.h"
#include "rules.h"
#include "v6map.h"

#define EXAMPLES 3
#define CF_EXAMPLES 10
#define LINE 768

struct examples {
	uint64_t count;
	char line[EXAMPLES][LINE];
};

struct report {
	FILE *out;
	struct report_opts o;
	int err;                        /* errno of a failed write, or 0 */
	void (*failed)(void *, int);    /* told once, with err */
	void *ctx;
	uint64_t with_interim;
	struct examples unanswered;             /* no final response */
	struct examples errors[HTTP1_ERR_COUNT];        /* by enum http1_error */
	struct examples rule[RULE_COUNT];
	uint64_t cloudflare;                    /* violations with a code */
	char cf_line[CF_EXAMPLES][LINE];
};

static struct report report_state;

static void
keep(struct examples *e, const char *line)
{
	if (e->count < EXAMPLES)
		snprintf(e->line[e->count], LINE, "%s", line);
	e->count++;
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

/* "18:27:17.123  127.0.0.1:51234 -> 127.0.0.1:8080" */
static void
where(char *buf, size_t size, int64_t ts, const struct flow_key *k)
{
	char t[32], c[64], s[64];

	format_clock(t, sizeof(t), ts);
	format_endpoint(c, sizeof(c), &k->client, k->client_port);
	format_endpoint(s, sizeof(s), &k->server, k->server_port);
	snprintf(buf, size, "%s  %s -> %s", t, c, s);
}

static void
timeline(struct report *r, const struct exchange *x)
{
	char line[LINE];

	for (unsigned i = 0; i < x->n_interim; i++) {
		snprintf(line, sizeof(line), "+%.3fs  %d %s",
		    (double)(x->interim[i].ts - x->t_begin) / USEC,
		    x->interim[i].status, x->interim[i].reason);
		put_line(r, "      ", line);
	}
	if (x->n_interim_seen > x->n_interim)
		fprintf(r->out, "      ... %u more 1xx\n",
		    x->n_interim_seen - x->n_interim);
	if (x->final_status != 0) {
		snprintf(line, sizeof(line), "+%.3fs  %d %s",
		    (double)(x->t_final - x->t_begin) / USEC, x->final_status,
		    x->final_reason);
		put_line(r, "      ", line);
	}
	if (x->tunnel[0] != '\0') {
		snprintf(line, sizeof(line), "tunnel: %s", x->tunnel);
		put_line(r, "      ", line);
	}
	else if (x->end == END_CLOSED)
		fprintf(r->out, "      connection ended, no final response\n");
	else if (x->end == END_OPEN)
		fprintf(r->out, "      still waiting when the capture ended\n");
	else if (x->end == END_EVICTED)
		fprintf(r->out, "      let go to make room (--max-flows), no "
		    "final response\n");
	else if (x->end == END_IDLE)
		fprintf(r->out, "      connection idle past --idle-timeout, no "
		    "final response\n");
}

static void
on_exchange(void *self, const struct flow_key *k, uint64_t flow_id,
    const struct exchange *x)
{
	struct report *r = self;
	char w[256], line[LINE];

	(void)flow_id;
	if (x->n_interim_seen > 0)
		r->with_interim++;
	where(w, sizeof(w), x->t_begin, k);
	if (x->end == END_CLOSED || x->end == END_OPEN ||
	    x->end == END_EVICTED || x->end == END_IDLE) {
		const struct interim *last = x->n_interim > 0 ?
		    &x->interim[x->n_interim - 1] : NULL;
		char after[96] = "";

		if (last != NULL)
			snprintf(after, sizeof(after), "%d %s at +%.3fs, then ",
			    last->status, last->reason,
			    (double)(last->ts - x->t_begin) / USEC);
		snprintf(line, sizeof(line), "%s  %s %.80s HTTP/1.%d  (%s%s)", w,
		    x->method, x->target, x->minor, after,
		    x->end == END_CLOSED ? "the connection ended" :
		    x->end == END_OPEN ? "the capture ended" :
		    x->end == END_IDLE ? "idle past --idle-timeout" :
		    "let go to make room, --max-flows");
		keep(&r->unanswered, line);
	}
	if (!(r->o.verbose || (r->o.stream && !r->o.quiet)) || r->err != 0)
		return;
	snprintf(line, sizeof(line), "%s  %s %s HTTP/1.%d%s%s%s", w, x->method,
	    x->target, x->minor, x->tunnel_of[0] != '\0' ? "  in the tunnel "
	    "to " : "", x->tunnel_of, x->midstream ?
	    "  (picked up mid-stream)" : "");
	put_line(r, "", line);
	timeline(r, x);
	if (r->o.stream)
		fflush(r->out);
	check_out(r);
}

static void
on_anomaly(void *self, const struct anomaly *a)
{
	struct report *r = self;
	char w[256], line[LINE];

	if ((size_t)a->error >= sizeof(r->errors) / sizeof(r->errors[0]))
		return;
	where(w, sizeof(w), a->ts, a->key);
	snprintf(line, sizeof(line), "%s  in the %s", w,
	    a->from_client ? "requests" : "responses");
	keep(&r->errors[a->error], line);
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
	char w[256], req[160] = "", line[LINE];

	where(w, sizeof(w), v->ts, v->key);
	if (v->x != NULL && v->x->head_done)
		snprintf(req, sizeof(req), "  %s %.80s HTTP/1.%d", v->x->method,
		    v->x->target, v->x->minor);
	snprintf(line, sizeof(line), "%s%s\n      %s", w, req, v->message);
	keep(&r->rule[v->rule], line);
	if (r->o.stream && r->err == 0) {
		fprintf(r->out, "%s%s%s %s: ", colour_of(r, rule->severity),
		    severity_name(rule->severity), plain(r), rule->id);
		put_line(r, "", line);
		fflush(r->out);
		check_out(r);
	}
	if (rule->cloudflare != NULL) {
		if (r->cloudflare < CF_EXAMPLES)
			snprintf(r->cf_line[r->cloudflare], LINE, "%s  %-19s "
			    "%s%s", rule->cloudflare, rule->id, w, req);
		r->cloudflare++;
	}
}

static void
print_examples(struct report *r, const struct examples *e)
{
	uint64_t shown = e->count < EXAMPLES ? e->count : EXAMPLES;

	for (uint64_t i = 0; i < shown; i++)
		put_line(r, "    ", e->line[i]);
	if (e->count > shown)
		fprintf(r->out, "    ... and %llu more\n",
		    (unsigned long long)(e->count - shown));
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

static void
print_input(struct report *r, const struct stats *st)
{
	char size[32], from[40], to[40], span[32];
	double secs = (double)(st->last_ts - st->first_ts) / USEC;

	format_bytes(size, sizeof(size), st->bytes);
	if (format_same_day(st->first_ts, st->last_ts)) {
		format_clock(from, sizeof(from), st->first_ts);
		format_clock(to, sizeof(to), st->last_ts);
	} else {        /* several days: say which */
		format_date_clock(from, sizeof(from), st->first_ts);
		format_date_clock(to, sizeof(to), st->last_ts);
	}
	if (secs < 86400)
		snprintf(span, sizeof(span), "%.3f s", secs);
	else
		snprintf(span, sizeof(span), "%.1f days", secs / 86400);
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
		fprintf(r->out, ", %s to %s (%s)", from, to, span);
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

	if (r->cloudflare == 0) {
		fprintf(r->out, "\nCloudflare: nothing here would be a 522 or "
		    "524.\n");
		return;
	}
	fprintf(r->out, "\n%sCloudflare%s: %llu request%s would end in a 522 "
	    "or 524 there\n", bold(r), plain(r),
	    (unsigned long long)r->cloudflare, r->cloudflare == 1 ? "" : "s");
	for (uint64_t i = 0; i < shown; i++)
		put_line(r, "    ", r->cf_line[i]);
	if (r->cloudflare > shown)
		fprintf(r->out, "    ... and %llu more\n",
		    (unsigned long long)(r->cloudflare - shown));
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
	print_input(r, st);
	if (!r->o.quiet)
		print_interim(r, st);
	print_violations(r, rule_counts);
	print_cloudflare(r);
	print_problems(r);
	print_coverage(r, st);
	fflush(r->out);
	check_out(r);
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
	s.self = &report_state;
	return &s;
}
