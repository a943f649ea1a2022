/* checks.h: the HTTP rules, called by exchange.c at each message and by
 * the timer heap at each deadline. */
#ifndef INTERIM_CHECKS_H
#define INTERIM_CHECKS_H

#include "rules.h"

struct ackwatch;

/* x is new and queued; its timer belongs to the rules from now on. ack is
 * its connection's ACK watch, or NULL. */
void check_begin(struct analysis *an, const struct flow_key *key,
    const struct ackwatch *ack, struct exchange *x);

/* request line and headers of x are complete */
void check_request(struct exchange *x, const struct http1_message *m);

/* the first byte of a response to x */
void check_response_byte(struct exchange *x, int64_t ts);

/* a 1xx to x, already added to its interim list */
void check_interim(struct exchange *x, const struct http1_message *m);

/* the final response to x, already recorded */
void check_final(struct exchange *x);

/* a 1xx with no request outstanding */
void check_unsolicited(struct analysis *an, const struct flow_key *key,
    const struct http1_message *m, int64_t ts);

/* x leaves the flow: closed says the connection really ended (not the
 * capture). Disarms its timer. */
void check_end(struct exchange *x, int closed, int64_t ts);

#endif
