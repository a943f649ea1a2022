/* xtext.c: an exchange in words, for the text report: its request line,
 * and how it ended (its final response, its tunnel, or who gave up). */
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "xtext.h"

/* Was the target longer than the copy kept of it? */
static int
target_cut(const struct exchange *x)
{
	return x->target_truncated;
}

/* "GET /path HTTP/1.1", the target cut to max characters; "..." says that
 * it was cut, here or when it was copied from the capture. */
void
xtext_request(char *buf, size_t size, const struct exchange *x, size_t max)
{
	size_t len = strlen(x->target);

	snprintf(buf, size, "%s %.*s%s HTTP/1.%d", x->method,
	    (int)(len > max ? max : len), x->target,
	    len > max || target_cut(x) ? "..." : "", x->minor);
}

double
xtext_since(int64_t ts, const struct exchange *x)
{
	return (double)(ts - x->t_begin) / USEC;
}

/* Did this exchange end without a final response, and not in a tunnel? */
int
xtext_unanswered(const struct exchange *x)
{
	return x->final_status == 0 && x->end != END_TUNNEL;
}

/* When the request stopped waiting: the client's FIN or RST when it came
 * first (it gave up), else when the exchange ended. */
static int64_t
gave_up_at(const struct exchange *x)
{
	if ((x->seen & SEEN_CLIENT_CLOSED) && x->t_client_closed < x->t_ended)
		return x->t_client_closed;
	return x->t_ended;
}

/* What the exchange waited for, ranked in the slowest list: its final
 * response (or the 101 that began its tunnel), else until it ended: a
 * client that closed its side may still read an answer, so the wait goes
 * on to the connection's end (or the capture's). */
int64_t
xtext_wait(const struct exchange *x)
{
	if (x->final_status != 0)
		return x->t_final - x->t_begin;
	return x->t_ended - x->t_begin;
}

/* "the client closed its side": its FIN or RST, for x */
const char *
xtext_client_end(const struct exchange *x)
{
	return x->seen & SEEN_CLIENT_RESET ? "the client reset the connection" :
	    "the client closed its side";
}

/* Who gave up on an unanswered x, and when: "the client closed the
 * connection at +6.000s", "the capture ended at +120.000s", ... */
void
xtext_gave_up(char *buf, size_t size, const struct exchange *x)
{
	double at = xtext_since(x->t_ended, x);
	char before[128] = "";

	/* a FIN or RST that did not end the connection: the client's, when
	 * the capture (or a cap) ended it */
	if ((x->seen & SEEN_CLIENT_CLOSED) && !end_is_close(x->end))
		snprintf(before, sizeof(before), "%s at +%.3fs, then ",
		    xtext_client_end(x), xtext_since(x->t_client_closed, x));
	switch (x->end) {
	case END_CLIENT_RESET:
		snprintf(buf, size, "the client reset the connection at +%.3fs",
		    xtext_since(gave_up_at(x), x));
		break;
	case END_CLIENT_CLOSED:
		/* the server's FIN follows within a round trip, unless it
		 * kept its side open (and might still have answered) */
		if (x->t_ended - gave_up_at(x) < USEC)
			snprintf(buf, size, "the client closed the connection "
			    "at +%.3fs", xtext_since(gave_up_at(x), x));
		else
			snprintf(buf, size, "the client closed its side at "
			    "+%.3fs, the server its own at +%.3fs",
			    xtext_since(gave_up_at(x), x), at);
		break;
	case END_SERVER_CLOSED:
	case END_SERVER_RESET:
		snprintf(buf, size, "%sthe server %s the connection at +%.3fs",
		    before, x->end == END_SERVER_RESET ? "reset" : "closed", at);
		break;
	case END_EVICTED:
		snprintf(buf, size, "%slet go at +%.3fs to make room "
		    "(--max-flows)", before, at);
		break;
	case END_IDLE:
		snprintf(buf, size, "%sidle past --idle-timeout, let go at "
		    "+%.3fs", before, at);
		break;
	default:
		snprintf(buf, size, "%sthe capture ended at +%.3fs%s", before,
		    at, before[0] != '\0' ? "" : ", still waiting");
		break;
	}
}

/* How x ended, for a line about it: its final response (and whether the
 * client had given up before), its tunnel, or who gave up. */
void
xtext_outcome(char *buf, size_t size, const struct exchange *x, int h2)
{
	char why[256];

	if (x->final_status != 0 && (x->seen & SEEN_CLIENT_CLOSED) &&
	    x->t_client_closed < x->t_final)
		snprintf(buf, size, "%d %s at +%.3fs, after %s at +%.3fs",
		    x->final_status, x->final_reason, xtext_since(x->t_final, x),
		    xtext_client_end(x), xtext_since(x->t_client_closed, x));
	else if (x->final_status != 0)
		snprintf(buf, size, "%d %s at +%.3fs", x->final_status,
		    x->final_reason, xtext_since(x->t_final, x));
	else if (x->end == END_TUNNEL)
		snprintf(buf, size, "tunnel (%s) from +%.3fs", x->tunnel,
		    xtext_since(x->t_ended, x));
	else {
		xtext_gave_up(why, sizeof(why), x);
		snprintf(buf, size, "no final response%s: %s",
		    h2 ? ", the server answered in HTTP/2" : "", why);
	}
}
