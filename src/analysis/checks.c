/* checks.c: when each HTTP rule of the table fires.
 *
 * Message rules fire as the message is seen. Timer rules share their
 * connection's one timer (exchange.c), which must run no later than the
 * earliest deadline of its exchanges: wake() moves it earlier when a
 * deadline appears, and nothing moves it later, so an answered request
 * costs the heap nothing. When it runs, check_expire() raises what is due
 * and check_next() says when to run again.
 *
 * An exchange whose request head was not parsed (a malformed request line,
 * a head over the cap) keeps its place in its connection's queue, so that
 * its responses are not taken for the next request's; but no rule judges
 * it: its fields are empty. The parse error is reported instead.
 */
#include <stddef.h>
#include <string.h>

#include "checks.h"
#include "format.h"
#include "tcpwatch.h"

#define FIRED(r) (1u << (r))    /* RULE_COUNT < 32 */

/* A broken silence (response-timeout, processing-silence) is raised at its
 * deadline, before anyone knows how it will end. If it ends with 1xx that
 * come only together with the final response, within BUNDLE_US of it, the
 * origin most likely sent them in time and a hop in between held them
 * (x->interim_held; the outputs say so, check_held_note()). */
#define BUNDLE_US (10 * USEC / 1000)

/* "POST /upload" for messages */
#define REQ_FMT "%s %.60s"
#define REQ(x) (x)->method, (x)->target

static double
secs(int64_t us)
{
	return (double)us / USEC;
}

/* --- timers --- */

/* From the request's head, or its turn if pipelined behind others. */
static int64_t
continue_deadline(const struct exchange *x)
{
	if (!x->expects_100 || x->minor == 0 || (x->seen & SEEN_ANSWERED) ||
	    !(x->seen & SEEN_TURN) || (x->fired & FIRED(R_CONTINUE_SLOW)))
		return 0;
	return (x->t_head > x->t_turn ? x->t_head : x->t_turn) +
	    x->an->cfg.continue_timeout;
}

/* From the last request byte, or from when the response before it ended
 * if that was later: a pipelined request waits its turn. */
static int64_t
response_deadline(const struct exchange *x)
{
	if (!(x->seen & SEEN_TURN) || (x->seen & SEEN_FIRST_BYTE) ||
	    (x->fired & FIRED(R_RESPONSE_TIMEOUT)))
		return 0;
	return (x->t_end > x->t_turn ? x->t_end : x->t_turn) +
	    x->an->cfg.response_timeout;
}

static int64_t
processing_deadline(const struct exchange *x)
{
	if (!(x->seen & SEEN_PROCESSING) || x->final_status != 0 ||
	    (x->fired & FIRED(R_PROCESSING_SILENCE)))
		return 0;
	return x->t_processing + x->an->cfg.processing_timeout;
}

static void
earliest(int64_t *best, int64_t d)
{
	if (d != 0 && (*best == 0 || d < *best))
		*best = d;
}

int64_t
check_next(const struct exchange *x)
{
	int64_t d = 0;

	if (!x->head_done)
		return 0;
	earliest(&d, continue_deadline(x));
	earliest(&d, response_deadline(x));
	earliest(&d, processing_deadline(x));
	return d;
}

/* The connection's timer must run by x's earliest deadline. */
static void
wake(struct exchange *x)
{
	int64_t d = check_next(x);
	struct timer *t = x->wake;

	if (d != 0 && (t->slot == 0 || d < t->deadline))
		timers_set(&x->an->timers, t, d);
}

/* A request the server never acknowledged is request-unacked's (a 522),
 * not a slow origin's (a 524). */
static int
unacked(const struct exchange *x)
{
	return x->ack != NULL && ackwatch_pending(x->ack);
}

/* Bytes of x's connection are missing from the capture: a silence may be
 * the capture's, so the timer rules do not judge it. */
static int
lossy(struct exchange *x)
{
	return x->ack != NULL && ackwatch_lossy(x->ack);
}

/* "; the client had closed at +6.0 s" when it had, before deadline d:
 * whoever waits, it gave up first */
static void
client_gone(const struct exchange *x, int64_t d, char *buf, size_t size)
{
	buf[0] = '\0';
	if ((x->seen & SEEN_CLIENT_CLOSED) && x->t_client_closed <= d)
		snprintf(buf, size, "; the client had %s at +%.1f s",
		    x->seen & SEEN_CLIENT_RESET ? "reset the connection" :
		    "closed its side", secs(x->t_client_closed - x->t_begin));
}

/* The last 1xx that came by ts, or NULL. */
static const struct interim *
interim_by(const struct exchange *x, int64_t ts)
{
	for (unsigned i = x->n_interim; i > 0; i--)
		if (x->interim[i - 1].ts <= ts)
			return &x->interim[i - 1];
	return NULL;
}

/* At the deadline it is not known yet whether the origin is silent or a
 * hop holds its 1xx back: the advice names both. */
#define HEDGE "; if the origin does send 1xx in time, a hop between it " \
	"and this capture point holds them back (nginx, up to at least " \
	"1.22, holds 102 and 103 until the final response)"

static void
raise_response_timeout(struct exchange *x, int64_t d)
{
	struct analysis *an = x->an;
	char gone[64];
	double every = secs(an->cfg.processing_timeout) / 2;

	client_gone(x, d, gone, sizeof(gone));
	rules_raise_wait(an, R_RESPONSE_TIMEOUT, d, x->flow, x,
	    d - an->cfg.response_timeout, an->cfg.response_timeout,
	    "origin sent no response byte to " REQ_FMT " for %.1f s after "
	    "the request; Cloudflare would answer 524 (--response-timeout "
	    "%.0f s): the origin takes longer than that, so send 102 "
	    "Processing before then and again at least every %.3g s until "
	    "the final response, or answer sooner" HEDGE "%s", REQ(x),
	    secs(an->cfg.response_timeout), secs(an->cfg.response_timeout),
	    every, gone);
}

static void
raise_processing_silence(struct exchange *x, int64_t d)
{
	struct analysis *an = x->an;
	int64_t since = d - an->cfg.processing_timeout;
	const struct interim *i = interim_by(x, since);
	char at[32], gone[64];
	double every = secs(an->cfg.processing_timeout) / 2;

	format_clock(at, sizeof(at), since);
	client_gone(x, d, gone, sizeof(gone));
	rules_raise_wait(an, R_PROCESSING_SILENCE, d, x->flow, x, since,
	    an->cfg.processing_timeout, "origin sent %s at %s for " REQ_FMT
	    " and then nothing for %.1f s; Cloudflare would answer 522 "
	    "(--processing-timeout %.0f s): send 102 Processing again at "
	    "least every %.3g s until the final response" HEDGE "%s",
	    i != NULL && i->status == 102 ? "102 Processing" :
	    "a 1xx after 102 Processing", at, REQ(x),
	    secs(an->cfg.processing_timeout), secs(an->cfg.processing_timeout),
	    every, gone);
}

/* A silence broke its deadline: what ends it may be held 1xx. */
static void
silence_broken(struct exchange *x)
{
	x->silence_broken = 1;
	x->seen &= ~(unsigned)SEEN_LATE_1XX;
}

void
check_expire(struct exchange *x, int64_t upto)
{
	struct analysis *an = x->an;
	int64_t d;

	if (!x->head_done)
		return;
	if (lossy(x)) {
		x->fired |= FIRED(R_CONTINUE_SLOW) | FIRED(R_RESPONSE_TIMEOUT) |
		    FIRED(R_PROCESSING_SILENCE);
		return;
	}
	d = continue_deadline(x);
	if (d != 0 && d <= upto) {
		x->fired |= FIRED(R_CONTINUE_SLOW);
		rules_raise_wait(an, R_CONTINUE_SLOW, d, x->flow, x,
		    d - an->cfg.continue_timeout, an->cfg.continue_timeout,
		    "client sent "
		    REQ_FMT " with Expect: 100-continue and the origin sent "
		    "neither 100 Continue nor a final response within %.1f s "
		    "(--continue-timeout); the client may send the body "
		    "anyway or give up", REQ(x),
		    secs(an->cfg.continue_timeout));
	}
	d = response_deadline(x);
	if (d != 0 && d <= upto) {
		x->fired |= FIRED(R_RESPONSE_TIMEOUT);
		if (!unacked(x)) {
			raise_response_timeout(x, d);
			silence_broken(x);
		}
	}
	d = processing_deadline(x);
	if (d != 0 && d <= upto) {
		x->fired |= FIRED(R_PROCESSING_SILENCE);
		raise_processing_silence(x, d);
		silence_broken(x);
	}
}

/* --- messages --- */

void
check_begin(struct analysis *an, const struct flow_ident *flow,
    struct ackwatch *ack, struct timer *wake, struct exchange *x)
{
	x->an = an;
	x->flow = flow;
	x->ack = ack;
	x->wake = wake;
}

void
check_request(struct exchange *x, const struct http1_message *m)
{
	const struct http1_header *e = http1_get(m, HTTP1_EXPECT);

	/* RFC 9110 10.1.1; read once here, asked on every deadline */
	x->expects_100 = e != NULL &&
	    http1_list_has(e->value, e->value_len, "100-continue");
	if (x->minor == 0 && x->expects_100)
		rules_raise(x->an, R_EXPECT_ON_HTTP10, x->t_head, x->flow, x,
		    "client sent " REQ_FMT " as HTTP/1.0 with Expect: "
		    "100-continue; HTTP/1.0 servers do not know Expect, so "
		    "the client should not wait for a 100", REQ(x));
	wake(x);
}

void
check_turn(struct exchange *x, int64_t ts)
{
	if (x->seen & SEEN_TURN)
		return;
	x->seen |= SEEN_TURN;
	x->t_turn = ts;
	wake(x);
}

void
check_response_byte(struct exchange *x, int64_t ts)
{
	if (x->seen & SEEN_FIRST_BYTE)
		return;
	x->seen |= SEEN_FIRST_BYTE;
	x->t_first_byte = ts;
	wake(x);
}

/* Does the 101's Upgrade name a protocol the request offered? */
static int
upgrade_offered(const struct exchange *x, const struct http1_header *h)
{
	size_t i = 0;

	while (i < h->value_len) {
		char name[X_FIELD];
		size_t s, n = 0;

		while (i < h->value_len && (h->value[i] == ' ' ||
		    h->value[i] == '\t' || h->value[i] == ','))
			i++;
		s = i;
		while (i < h->value_len && h->value[i] != ',')
			i++;
		while (s + n < i && n + 1 < sizeof(name) &&
		    h->value[s + n] != '/' && h->value[s + n] != ' ' &&
		    h->value[s + n] != '\t') {
			name[n] = h->value[s + n];
			n++;
		}
		name[n] = '\0';
		if (n > 0 && http1_list_has(x->upgrade, strlen(x->upgrade),
		    name))
			return 1;
	}
	return 0;
}

static void
check_upgrade(struct exchange *x, const struct http1_message *m, int64_t ts)
{
	const struct http1_header *h = http1_get(m, HTTP1_UPGRADE);

	if (!x->has_upgrade)
		rules_raise(x->an, R_UPGRADE_UNREQUESTED, ts, x->flow, x,
		    "origin switched protocols (101) for " REQ_FMT ", which "
		    "asked for no Upgrade; the client cannot know what the "
		    "connection now carries", REQ(x));
	if (h == NULL || h->value_len == 0)
		rules_raise(x->an, R_UPGRADE_MISSING, ts, x->flow, x,
		    "origin's 101 Switching Protocols to " REQ_FMT " has no "
		    "Upgrade header naming the new protocol", REQ(x));
	else if (x->has_upgrade && x->upgrade[0] != '\0' &&
	    !upgrade_offered(x, h))
		rules_raise(x->an, R_UPGRADE_MISMATCH, ts, x->flow, x,
		    "origin switched " REQ_FMT " to '%.*s', but the client "
		    "offered only '%s'", REQ(x), (int)(h->value_len < 60 ?
		    h->value_len : 60), h->value, x->upgrade);
}

static void
check_body(struct exchange *x, const struct http1_message *m, int64_t ts)
{
	const struct http1_header *cl = http1_get(m, HTTP1_CONTENT_LENGTH);
	const struct http1_header *te = http1_get(m, HTTP1_TRANSFER_ENCODING);

	if (te != NULL)
		rules_raise(x->an, R_INTERIM_WITH_BODY, ts, x->flow, x,
		    "origin's %d response to " REQ_FMT " carries "
		    "Transfer-Encoding; a 1xx ends at its empty line, so the "
		    "client will read the body as the next response",
		    m->status, REQ(x));
	else if (cl != NULL && !(cl->value_len == 1 && cl->value[0] == '0'))
		rules_raise(x->an, R_INTERIM_WITH_BODY, ts, x->flow, x,
		    "origin's %d response to " REQ_FMT " carries "
		    "Content-Length: %.*s; a 1xx ends at its empty line, so the "
		    "client will read the body as the next response",
		    m->status, REQ(x), (int)(cl->value_len < 20 ?
		    cl->value_len : 20), cl->value);
}

void
check_interim(struct exchange *x, const struct http1_message *m, int64_t ts)
{
	/* past the X_INTERIM kept, this 1xx has no record of its own (the
	 * last kept is an earlier one): its status's usual reason then */
	const char *reason = x->n_interim_seen == x->n_interim ?
	    x->interim[x->n_interim - 1].reason :
	    http1_reason_default(m->status);

	if (!x->head_done)
		return;
	if (x->minor == 0)
		rules_raise(x->an, R_INTERIM_TO_HTTP10, ts, x->flow, x,
		    "origin sent %d %s to the HTTP/1.0 request " REQ_FMT "; "
		    "an HTTP/1.0 client does not expect 1xx and may take it "
		    "as the final response; the usual cause is a reverse "
		    "proxy that speaks HTTP/1.0 to its upstream (nginx's "
		    "default, proxy_http_version 1.0) in front of code that "
		    "sends 1xx without checking the request's version "
		    "(Node's writeContinue(), writeProcessing() or "
		    "writeEarlyHints(); Go's WriteHeader(103)): set "
		    "proxy_http_version 1.1, or send 1xx only to HTTP/1.1 "
		    "requests", m->status, reason, REQ(x));
	check_body(x, m, ts);
	if (m->minor == 0)
		rules_raise(x->an, R_INTERIM_VERSION_HTTP10, ts, x->flow, x,
		    "origin's %d status line says HTTP/1.0, which has no 1xx "
		    "responses (answering " REQ_FMT ")", m->status, REQ(x));
	if (m->status > 103)
		rules_raise(x->an, R_INTERIM_UNKNOWN, ts, x->flow, x,
		    "origin sent unknown status %d to " REQ_FMT "; clients "
		    "treat it as interim and keep waiting", m->status, REQ(x));
	if (m->status == 100) {
		x->continues++;
		if (x->continues == 1 && !x->expects_100)
			rules_raise(x->an, R_CONTINUE_UNEXPECTED, ts, x->flow, x,
			    "origin sent 100 Continue to " REQ_FMT ", which "
			    "did not send Expect: 100-continue", REQ(x));
		if (x->continues == 2)
			rules_raise(x->an, R_CONTINUE_REPEATED, ts, x->flow, x,
			    "origin sent 100 Continue more than once to "
			    REQ_FMT, REQ(x));
		if (!(x->seen & SEEN_ANSWERED)) {
			x->seen |= SEEN_ANSWERED;
			x->t_answered = ts;
		}
	}
	if (m->status == 101)
		check_upgrade(x, m, ts);
	if (m->status == 103 && http1_get(m, HTTP1_LINK) == NULL)
		rules_raise(x->an, R_EARLY_HINTS_WITHOUT_LINK, ts, x->flow, x,
		    "origin sent 103 Early Hints to " REQ_FMT " without a Link "
		    "header, so it hints nothing", REQ(x));
	if (x->silence_broken && !(x->seen & SEEN_LATE_1XX)) {
		x->seen |= SEEN_LATE_1XX;       /* a broken silence ended */
		x->t_late = ts;
	}
	/* a 102 starts the silence watch; any later 1xx restarts it */
	if (m->status == 102 || (x->seen & SEEN_PROCESSING)) {
		x->seen |= SEEN_PROCESSING;
		x->t_processing = ts;
		x->fired &= ~FIRED(R_PROCESSING_SILENCE);
	}
	wake(x);
}

void
check_final(struct exchange *x)
{
	if (!x->head_done)
		return;
	x->interim_held = x->silence_broken && (x->seen & SEEN_LATE_1XX) &&
	    x->t_final - x->t_late <= BUNDLE_US;
	if (!(x->seen & SEEN_ANSWERED)) {
		x->seen |= SEEN_ANSWERED;
		x->t_answered = x->t_final;
	}
	wake(x);
}

void
check_unsolicited(struct analysis *an, const struct flow_ident *flow,
    const struct http1_message *m, int64_t ts)
{
	rules_raise(an, R_INTERIM_UNSOLICITED, ts, flow, NULL, "origin sent "
	    "%d %.*s while no request was outstanding; the client may take "
	    "it as the answer to its next request", m->status,
	    (int)(m->reason_len < 40 ? m->reason_len : 40), m->reason);
}

void
check_end(struct exchange *x, int closed, int64_t ts)
{
	char at[32];

	if (!x->head_done)
		return;
	if (closed && (x->seen & SEEN_PROCESSING) && x->final_status == 0 &&
	    x->tunnel[0] == '\0' && !lossy(x)) {
		format_clock(at, sizeof(at), x->t_processing);
		rules_raise(x->an, R_PROCESSING_ABANDONED, ts, x->flow, x,
		    "origin sent 102 Processing for " REQ_FMT " and the "
		    "connection ended %.1f s after its last 1xx (at %s) "
		    "without a final response", REQ(x),
		    secs(ts - x->t_processing), at);
	}
}

const char *
check_held_note(const struct exchange *x)
{
	if (!x->interim_held)
		return NULL;
	return "its 1xx came only together with the final response, so the "
	    "origin most likely sent them in time and a hop between it and "
	    "this capture point held them back (nginx, up to at least 1.22, "
	    "holds 102 and 103 until the final response): make that hop "
	    "pass 1xx on as they come";
}

int
check_bundled(const struct exchange *x)
{
	if (x->final_status == 0 || x->n_interim == 0)
		return 0;
	return x->t_final - x->interim[0].ts <= BUNDLE_US &&
	    x->t_final - x->t_end >= USEC;
}
