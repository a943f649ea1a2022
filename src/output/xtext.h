/* xtext.h: an exchange in words, for the text report. */
#ifndef INTERIM_XTEXT_H
#define INTERIM_XTEXT_H

#include <stddef.h>
#include <stdint.h>

struct exchange;

/* "GET /path HTTP/1.1", the target cut to max characters; "..." says that
 * it was cut, here or when it was copied from the capture. */
void xtext_request(char *buf, size_t size, const struct exchange *x,
    size_t max);

/* Seconds from x's first request byte to ts. */
double xtext_since(int64_t ts, const struct exchange *x);

/* Ended without a final response, and not in a tunnel. */
int xtext_unanswered(const struct exchange *x);

/* What x waited for, as the slowest list ranks it: to its final
 * response, or else to its end. */
int64_t xtext_wait(const struct exchange *x);

/* "the client closed its side" or "the client reset the connection" */
const char *xtext_client_end(const struct exchange *x);

/* Who gave up on an unanswered x, and when: "the client closed the
 * connection at +6.000s", "the capture ended at +120.000s", ... */
void xtext_gave_up(char *buf, size_t size, const struct exchange *x);

/* How x ended: "200 OK at +0.308s", "tunnel (websocket) from +0.010s", or
 * "no final response: the client closed its side at +3.001s, ..."; h2:
 * the server answered in HTTP/2. */
void xtext_outcome(char *buf, size_t size, const struct exchange *x, int h2);

#endif
