/* checks.h: the HTTP rules, called by exchange.c at each message and when
 * its connection's timer runs. None judges an exchange whose request head
 * was not parsed (head_done 0). */
#ifndef INTERIM_CHECKS_H
#define INTERIM_CHECKS_H

#include "rules.h"

struct ackwatch;

/* x is new and queued. ack is its connection's ACK watch, or NULL; wake
 * is its connection's timer, which the rules arm no later than x's
 * earliest deadline (and never disarm). */
void check_begin(struct analysis *an, const struct flow_ident *flow,
    struct ackwatch *ack, struct timer *wake, struct exchange *x);

/* Raise x's timer rules whose deadline is at or before upto. */
void check_expire(struct exchange *x, int64_t upto);

/* x's earliest deadline still open; 0: none. */
int64_t check_next(const struct exchange *x);

/* request line and headers of x are complete */
void check_request(struct exchange *x, const struct http1_message *m);

/* the responses to the requests before x have all ended: the server may
 * answer x from now on */
void check_turn(struct exchange *x, int64_t ts);

/* the first byte of a response to x */
void check_response_byte(struct exchange *x, int64_t ts);

/* a 1xx to x, already added to its interim list */
void check_interim(struct exchange *x, const struct http1_message *m,
    int64_t ts);

/* the final response to x, already recorded */
void check_final(struct exchange *x);

/* a 1xx with no request outstanding */
void check_unsolicited(struct analysis *an, const struct flow_ident *flow,
    const struct http1_message *m, int64_t ts);

/* x leaves the flow: closed says the connection really ended (not the
 * capture). */
void check_end(struct exchange *x, int closed, int64_t ts);

/* When x's broken silence ended with 1xx held by a hop: what to say,
 * else NULL. */
const char *check_held_note(const struct exchange *x);

/* Every 1xx of x came within 10 ms of its final response, a second or
 * more after the request: a hop most likely held them back. */
int check_bundled(const struct exchange *x);

#endif
