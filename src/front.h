/* front.h: what the capture shows, turned into what libnids can follow.
 *
 * Sits between decap and reassembly, and is the only code that knows the
 * tricks this takes: it vets every IPv4 packet for the shapes libnids
 * mishandles (dropping them as the receiving host would, counted by
 * reason), and holds back a SYN that reopens a connection libnids still
 * follows until the server's SYN-ACK shows the old one is gone.
 */
#ifndef INTERIM_FRONT_H
#define INTERIM_FRONT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct tcpwatch;

/* Vet one IPv4 packet (IP header first, caplen bytes captured) and hand
 * what passes to the TCP watch and to reassembly. */
void front_ipv4(struct analysis *an, struct tcpwatch *w, const uint8_t *ip,
    size_t caplen, int64_t ts);

/* Is this TCP segment one a host would accept as TCP? The IP header has
 * been vetted; len covers the datagram (after reassembly of fragments). */
int front_tcp_ok(struct stats *st, const uint8_t *ip, size_t len);

/* Names of enum front_drop, for the outputs. */
const char *front_drop_name(int reason);

/* End of input: forget held SYNs. */
void front_finish(void);

#endif
