/* test_tcpwatch.c: the TCP-level rules on hand-made time lines.
 *
 * ackwatch: the server's ACK is a variable the test moves, as libnids
 * would; request-unacked must fire at the right time or not at all.
 * Handshakes: SYN, retransmitted SYN, SYN-ACK and RST segments fed to
 * tcpwatch_ipv4(); handshake-timeout must fire once per unanswered
 * attempt.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "exchange.h"
#include "tcpwatch.h"

/* seconds on a time line that starts, like a capture, far from 0 */
#define S(x) ((int64_t)(1767225600 + (x)) * USEC)

static int failures, checks;
static int raised[RULE_COUNT];
static int64_t raised_at;

static void
on_violation(void *self, const struct violation *v)
{
	(void)self;
	raised[v->rule]++;
	raised_at = v->ts;
}

static const struct sink sink = {NULL, NULL, on_violation, NULL, NULL};
static struct stats stats;
static struct analysis an;
static struct flow_ident flow;

static void
expect(int ok, const char *what)
{
	checks++;
	if (!ok) {
		failures++;
		printf("not ok - %s\n", what);
	}
}

static void
reset(void)
{
	timers_free(&an.timers);
	memset(&an, 0, sizeof(an));
	an.st = &stats;
	an.out = &sink;
	an.cfg = (struct rules_config)RULES_DEFAULTS;
	memset(raised, 0, sizeof(raised));
	raised_at = 0;
}

/* --- request bytes and ACKs --- */

static void
test_ack(void)
{
	struct ackwatch aw;
	unsigned int ack = 1000;

	/* nothing acknowledged: fires 90 s after the bytes were sent */
	reset();
	ackwatch_init(&aw, &an, &flow);
	ackwatch_follow(&aw, &ack, NULL, NULL);
	ackwatch_sent(&aw, 1100, ack, S(10));
	expect(ackwatch_pending(&aw), "bytes waiting are pending");
	timers_run(&an.timers, S(99));
	expect(raised[R_REQUEST_UNACKED] == 0, "not before the deadline");
	timers_run(&an.timers, S(101));
	expect(raised[R_REQUEST_UNACKED] == 1, "unacked for 90 s fires");
	expect(raised_at == S(100), "at the bytes' time + 90 s");
	ackwatch_sent(&aw, 1200, ack, S(102));
	timers_run(&an.timers, S(400));
	expect(raised[R_REQUEST_UNACKED] == 1, "once per connection");
	ackwatch_stop(&aw);

	/* acknowledged in time: nothing */
	reset();
	ack = 1000;
	ackwatch_init(&aw, &an, &flow);
	ackwatch_follow(&aw, &ack, NULL, NULL);
	ackwatch_sent(&aw, 1100, ack, S(10));
	ack = 1100;
	expect(!ackwatch_pending(&aw), "acknowledged bytes are not pending");
	timers_run(&an.timers, S(500));
	expect(raised[R_REQUEST_UNACKED] == 0, "acknowledged: clean");

	/* keep-alive: the first request acknowledged, the second (sent in
	 * two segments, at 50 and 60 s) never: counted from its start */
	reset();
	ack = 1000;
	ackwatch_init(&aw, &an, &flow);
	ackwatch_follow(&aw, &ack, NULL, NULL);
	ackwatch_sent(&aw, 1100, ack, S(0));
	ack = 1100;
	ackwatch_sent(&aw, 1150, ack, S(50));
	ackwatch_sent(&aw, 1200, ack, S(60));
	timers_run(&an.timers, S(120));
	expect(raised[R_REQUEST_UNACKED] == 0, "second request: not at 90 s");
	timers_run(&an.timers, S(141));
	expect(raised[R_REQUEST_UNACKED] == 1, "second request: at 140 s");
	expect(raised_at == S(140), "second request: from its own time");
	ackwatch_stop(&aw);

	/* partial progress: never early */
	reset();
	ack = 1000;
	ackwatch_init(&aw, &an, &flow);
	ackwatch_follow(&aw, &ack, NULL, NULL);
	ackwatch_sent(&aw, 1100, ack, S(0));
	ackwatch_sent(&aw, 1200, ack, S(30));
	ack = 1100;                     /* the first bytes, acked late */
	timers_run(&an.timers, S(91));
	expect(raised[R_REQUEST_UNACKED] == 0, "progress: not at 90 s");
	timers_run(&an.timers, S(121));
	expect(raised[R_REQUEST_UNACKED] == 1,
	    "progress: from the latest bytes (30 s + 90 s)");
	ackwatch_stop(&aw);

	/* a longer --ack-timeout */
	reset();
	an.cfg.ack_timeout = 120 * USEC;
	ack = 1000;
	ackwatch_init(&aw, &an, &flow);
	ackwatch_follow(&aw, &ack, NULL, NULL);
	ackwatch_sent(&aw, 1100, ack, S(0));
	timers_run(&an.timers, S(110));
	expect(raised[R_REQUEST_UNACKED] == 0, "--ack-timeout 120: not at 110 s");
	timers_run(&an.timers, S(121));
	expect(raised[R_REQUEST_UNACKED] == 1, "--ack-timeout 120: at 120 s");
	ackwatch_stop(&aw);

	/* stopped (the connection ended): never fires */
	reset();
	ack = 1000;
	ackwatch_init(&aw, &an, &flow);
	ackwatch_follow(&aw, &ack, NULL, NULL);
	ackwatch_sent(&aw, 1100, ack, S(0));
	ackwatch_stop(&aw);
	timers_run(&an.timers, S(500));
	expect(raised[R_REQUEST_UNACKED] == 0, "stopped: never fires");

	/* after it fired, the watch still knows where the client's bytes
	 * end: a response-timeout later on is still held back */
	reset();
	ack = 1000;
	ackwatch_init(&aw, &an, &flow);
	ackwatch_follow(&aw, &ack, NULL, NULL);
	ackwatch_sent(&aw, 1100, ack, S(0));
	timers_run(&an.timers, S(91));
	ack = 1100;
	ackwatch_sent(&aw, 1200, ack, S(95));
	expect(ackwatch_pending(&aw), "fired: new bytes still tracked");
	ackwatch_stop(&aw);

	/* sequence numbers wrap */
	reset();
	ack = 0xffffff00u;
	ackwatch_init(&aw, &an, &flow);
	ackwatch_follow(&aw, &ack, NULL, NULL);
	ackwatch_sent(&aw, 0x10, ack, S(0));
	expect(ackwatch_pending(&aw), "pending across the wrap");
	ack = 0x10;
	timers_run(&an.timers, S(200));
	expect(raised[R_REQUEST_UNACKED] == 0, "acknowledged across the wrap");
}

/* --- bytes missing from the capture --- */

static int gap;

static int
missing(const void *conn)
{
	(void)conn;
	return gap;
}

static void
test_lossy(void)
{
	struct ackwatch aw;
	unsigned int ack = 1000;

	reset();
	ackwatch_init(&aw, &an, &flow);
	expect(!ackwatch_lossy(&aw), "a watch that follows nothing is whole");
	gap = 0;
	ackwatch_follow(&aw, &ack, missing, NULL);
	expect(!ackwatch_lossy(&aw), "no bytes missing: not lossy");
	gap = 1;
	expect(ackwatch_lossy(&aw), "the reassembler finds a gap: lossy");
	gap = 0;
	expect(ackwatch_lossy(&aw), "once lossy, lossy for good");
	ackwatch_init(&aw, &an, &flow);
	ackwatch_mark_lossy(&aw);
	expect(ackwatch_lossy(&aw), "marked (a snaplen cut): lossy");

	/* the server's ACKs may be what the capture lost: no request-unacked */
	reset();
	gap = 1;
	ackwatch_init(&aw, &an, &flow);
	ackwatch_follow(&aw, &ack, missing, NULL);
	ackwatch_sent(&aw, 1100, ack, S(0));
	timers_run(&an.timers, S(200));
	expect(raised[R_REQUEST_UNACKED] == 0, "lossy: request-unacked quiet");
	ackwatch_stop(&aw);
}

/* --- handshakes --- */

/* A 40-byte IPv4 + TCP header, client 10.0.0.1:port -> 10.0.0.2:80, or
 * the other way with reply set. */
static void
segment(struct tcpwatch *w, unsigned port, int reply, uint8_t flags,
    int64_t ts)
{
	uint8_t p[40] = {0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6};
	uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
	uint8_t *tcp = p + 20;

	memcpy(p + 12, reply ? b : a, 4);
	memcpy(p + 16, reply ? a : b, 4);
	tcp[reply ? 2 : 0] = (uint8_t)(port >> 8);
	tcp[reply ? 3 : 1] = (uint8_t)port;
	tcp[reply ? 1 : 3] = 80;
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	tcpwatch_ipv4(w, p, sizeof(p), ts);
}

enum { FIN = 1, SYN = 2, RST = 4, ACK = 16 };

static void
test_handshake(void)
{
	struct tcpwatch *w;

	reset();
	w = tcpwatch_new(&an, NULL);
	/* port 1: SYN retransmitted, never answered */
	segment(w, 1, 0, SYN, S(0));
	segment(w, 1, 0, SYN, S(1));
	segment(w, 1, 0, SYN, S(3));
	/* port 2: answered at 5 s */
	segment(w, 2, 0, SYN, S(0));
	segment(w, 2, 1, SYN | ACK, S(5));
	/* port 3: refused */
	segment(w, 3, 0, SYN, S(0));
	segment(w, 3, 1, RST | ACK, S(0));
	/* port 5: the client gives up (a bare RST) */
	segment(w, 5, 0, SYN, S(0));
	segment(w, 5, 0, RST, S(2));
	/* data and ACKs are not looked at */
	segment(w, 4, 0, ACK, S(1));
	segment(w, 4, 1, ACK | FIN, S(1));
	timers_run(&an.timers, S(18));
	expect(raised[R_HANDSHAKE_TIMEOUT] == 0, "SYN: not before 19 s");
	timers_run(&an.timers, S(20));
	expect(raised[R_HANDSHAKE_TIMEOUT] == 1, "one unanswered SYN fires once");
	expect(raised_at == S(19), "19 s after the first SYN");
	segment(w, 1, 0, SYN, S(25));   /* still trying: the same attempt */
	timers_run(&an.timers, S(40));
	expect(raised[R_HANDSHAKE_TIMEOUT] == 1, "retransmissions: one attempt");
	timers_run(&an.timers, S(100));
	segment(w, 1, 0, SYN, S(200));  /* long after: a new attempt */
	timers_run(&an.timers, S(220));
	expect(raised[R_HANDSHAKE_TIMEOUT] == 2, "a later attempt fires again");
	tcpwatch_free(w);
	expect(an.timers.used == 0, "tcpwatch_free leaves no timer armed");
}

int
main(void)
{
	flow.key.client.family = flow.key.server.family = AF_INET;
	test_ack();
	test_lossy();
	test_handshake();
	timers_free(&an.timers);
	printf("test_tcpwatch: %d passed, %d failed\n", checks - failures,
	    failures);
	return failures != 0;
}
