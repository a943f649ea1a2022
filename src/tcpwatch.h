/* tcpwatch.h: the TCP-level rules (handshake-timeout, request-unacked),
 * seen on raw packets before libnids, which never reports a handshake that
 * did not complete nor data that was never acknowledged. */
#ifndef INTERIM_TCPWATCH_H
#define INTERIM_TCPWATCH_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

#define TCPWATCH_MAX 262144     /* connections watched at once */

struct tcpwatch;

struct tcpwatch *tcpwatch_new(struct analysis *an);

/* One IPv4 packet carrying TCP (IP header first). */
void tcpwatch_ipv4(struct tcpwatch *w, const uint8_t *ip, size_t len,
    int64_t ts);

/* Are request bytes of this connection still waiting for their ACK?
 * (Then a missing response is the network's doing, not the origin's.) */
int tcpwatch_unacked(const struct tcpwatch *w, const struct flow_key *key);

void tcpwatch_free(struct tcpwatch *w);

#endif
