/* rules.h: the rule table, and raising violations of it.
 *
 * One table (RULE_TABLE) feeds --list-rules, the text report, the JSON and
 * the man page's agreement test. Sources, separated by "; ", are named so
 * that a reader finds them: RFC and section, "Cloudflare 1xx" for
 * Cloudflare's page on 1xx responses (shared/reference/
 * 1xx-informational.txt), "Cloudflare error 522" for its error pages;
 * --list-rules says where each is (rulelist.c).
 */
#ifndef INTERIM_RULES_H
#define INTERIM_RULES_H

#include <stdarg.h>
#include <stdint.h>

#include "flowid.h"
#include "output.h"
#include "timers.h"

enum severity { SEV_NONE, SEV_NOTICE, SEV_WARNING, SEV_ERROR };

/* X(enum, id, severity, cloudflare code or NULL, source, meaning) */
#define RULE_TABLE(X) \
	X(R_INTERIM_TO_HTTP10, "interim-to-http10", SEV_ERROR, NULL, \
	  "RFC 9110 15.2; Cloudflare 1xx", \
	  "a 1xx answers an HTTP/1.0 request") \
	X(R_INTERIM_WITH_BODY, "interim-with-body", SEV_ERROR, NULL, \
	  "RFC 9110 15.2; Cloudflare 1xx", \
	  "a 1xx carries Content-Length other than 0 or Transfer-Encoding") \
	X(R_INTERIM_VERSION_HTTP10, "interim-version-http10", SEV_WARNING, NULL, \
	  "RFC 9110 15.2; Cloudflare 1xx", \
	  "a 1xx status line says HTTP/1.0") \
	X(R_INTERIM_UNKNOWN, "interim-unknown", SEV_NOTICE, NULL, \
	  "RFC 9110 15.2", "a 1xx code other than 100, 101, 102, 103") \
	X(R_INTERIM_UNSOLICITED, "interim-unsolicited", SEV_ERROR, NULL, \
	  "RFC 9110 15.2", "a 1xx arrives while no request is outstanding") \
	X(R_CONTINUE_UNEXPECTED, "continue-unexpected", SEV_NOTICE, NULL, \
	  "RFC 9110 10.1.1", \
	  "100 answers a request without Expect: 100-continue") \
	X(R_CONTINUE_REPEATED, "continue-repeated", SEV_NOTICE, NULL, \
	  "RFC 9110 10.1.1", "more than one 100 for one request") \
	X(R_CONTINUE_SLOW, "continue-slow", SEV_WARNING, NULL, \
	  "RFC 9110 10.1.1; Cloudflare 1xx", \
	  "the first response to an Expect: 100-continue request came later " \
	  "than --continue-timeout") \
	X(R_EXPECT_ON_HTTP10, "expect-on-http10", SEV_NOTICE, NULL, \
	  "RFC 9110 10.1.1", \
	  "an HTTP/1.0 request carries Expect: 100-continue") \
	X(R_UPGRADE_UNREQUESTED, "upgrade-unrequested", SEV_ERROR, NULL, \
	  "RFC 9110 7.8; Cloudflare 1xx", \
	  "101 answers a request without an Upgrade header") \
	X(R_UPGRADE_MISSING, "upgrade-missing", SEV_ERROR, NULL, \
	  "RFC 9110 15.2.2; Cloudflare 1xx", \
	  "a 101 response has no Upgrade header") \
	X(R_UPGRADE_MISMATCH, "upgrade-mismatch", SEV_ERROR, NULL, \
	  "RFC 9110 7.8; Cloudflare 1xx", \
	  "the 101's Upgrade names no protocol the request offered") \
	X(R_EARLY_HINTS_WITHOUT_LINK, "early-hints-without-link", SEV_NOTICE, \
	  NULL, "RFC 8297", "a 103 without a Link header") \
	X(R_PROCESSING_SILENCE, "processing-silence", SEV_ERROR, "522", \
	  "Cloudflare 1xx; Cloudflare error 522", \
	  "after a 102, no further response within --processing-timeout") \
	X(R_PROCESSING_ABANDONED, "processing-abandoned", SEV_ERROR, NULL, \
	  "RFC 2518 10.1; Cloudflare 1xx", \
	  "the connection ends after a 102 without a final response") \
	X(R_RESPONSE_TIMEOUT, "response-timeout", SEV_ERROR, "524", \
	  "Cloudflare error 524", \
	  "no response byte within --response-timeout after the request") \
	X(R_HANDSHAKE_TIMEOUT, "handshake-timeout", SEV_ERROR, "522", \
	  "Cloudflare error 522", "a SYN has no SYN-ACK within --syn-timeout") \
	X(R_REQUEST_UNACKED, "request-unacked", SEV_ERROR, "522", \
	  "Cloudflare error 522", \
	  "request bytes stay unacknowledged for --ack-timeout")

#define RULE_ENUM(e, id, sev, cf, src, meaning) e,
enum rule_id { RULE_TABLE(RULE_ENUM) RULE_COUNT };
#undef RULE_ENUM

struct rule {
	const char *id;
	enum severity severity;
	const char *cloudflare;
	const char *source;
	const char *meaning;
};

extern const struct rule rules[RULE_COUNT];

/* Thresholds in microseconds, and the rules switched off. */
struct rules_config {
	int64_t continue_timeout;
	int64_t processing_timeout;
	int64_t response_timeout;
	int64_t syn_timeout;
	int64_t ack_timeout;
	unsigned char disabled[RULE_COUNT];
};

#define RULES_DEFAULTS { 1 * USEC, 100 * USEC, 100 * USEC, 19 * USEC, \
	90 * USEC, {0} }

/* Everything the analysis stages share: counters, outputs, rules, time. */
struct flow;

struct analysis {
	struct stats *st;
	const struct sink *out;
	struct rules_config cfg;
	struct timers timers;
	uint64_t rule_counts[RULE_COUNT];
	enum severity worst;            /* highest severity raised */
	struct exchange *spare;         /* freed exchanges kept for reuse */
	unsigned spares;
	struct flow *open, *open_last;  /* open connections (exchange.c) */
	struct flowid ids;              /* connection ids given (flowid.h) */
};

/* A violation at ts about connection flow (NULL: none) and its exchange x
 * (NULL: about none of them); message is printf-style. */
void rules_raise(struct analysis *a, enum rule_id r, int64_t ts,
    const struct flow_ident *flow, const struct exchange *x,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* The same for a timer rule: the wait began at since, and deadline is the
 * option it broke (ts is usually since + deadline). */
void rules_raise_wait(struct analysis *a, enum rule_id r, int64_t ts,
    const struct flow_ident *flow, const struct exchange *x, int64_t since,
    int64_t deadline, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* count violations of r alike, the first at since, the last at ts (each
 * broke its deadline), from sources distinct clients (or more): one
 * event, counted count times. */
void rules_raise_many(struct analysis *a, enum rule_id r, int64_t ts,
    const struct flow_ident *flow, int64_t since, int64_t deadline,
    uint64_t count, unsigned sources, int sources_more, const char *fmt, ...)
    __attribute__((format(printf, 10, 11)));

/* Rule by id; -1 when unknown. */
int rules_find(const char *id);

enum severity severity_parse(const char *s);    /* SEV_NONE if unknown */
const char *severity_name(enum severity s);

#endif
