/* front.h: what the capture shows, turned into what libnids can follow.
 *
 * Sits between decap and reassembly, and is the only code that knows the
 * tricks this takes: it vets every IPv4 packet for the shapes libnids
 * mishandles (dropping them as the receiving host would, counted by
 * reason); maps IPv6 connections onto private IPv4 addresses and back
 * (front6.c); holds every SYN back until the server's SYN-ACK accepts it;
 * makes up the handshake of a connection already open when the capture
 * began; ignores the RSTs and FINs the hosts would ignore; and builds the
 * segments that stand for bytes the capture lost.
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

/* A segment of len zero bytes standing for bytes the capture lost (a
 * gap the peer acknowledged): written into out, its length returned, 0
 * when it does not fit. Addresses as in the IP header; ports in host
 * order. */
size_t front_filler(uint8_t *out, size_t size, const uint8_t src[4],
    const uint8_t dst[4], uint16_t sport, uint16_t dport, uint32_t seq,
    uint32_t ack, size_t len);

/* RFC 791 3.1: set the header checksum of the IPv4 header at ip, ihl
 * bytes long (a multiple of 4), after a change to it. */
void front_ip_checksum(uint8_t *ip, size_t ihl);

/* Names of enum front_drop, for the outputs. */
const char *front_drop_name(int reason);

/* End of input: forget held SYNs. */
void front_finish(void);

/* front6.c */

/* One IPv6 packet (IPv6 header first, caplen bytes captured): TCP is
 * handed to front_ipv4() with lent IPv4 addresses, the rest counted. */
void front_ipv6(struct analysis *an, struct tcpwatch *w, const uint8_t *ip,
    size_t caplen, int64_t ts);

/* One IPv4 packet from the wire: one from or to the range lent to IPv6
 * addresses is dropped (counted), the rest goes to front_ipv4(). */
void front_ipv4_wire(struct analysis *an, struct tcpwatch *w,
    const uint8_t *ip, size_t caplen, int64_t ts);

/* A key as libnids sees it, turned into the one on the wire: lent IPv4
 * addresses become IPv6 ones again. */
void front_unmap_key(struct flow_key *k);

/* A flow on this key (as libnids sees it) begins (hold) or ends (at ts):
 * the addresses lent to it stay lent while a flow holds them. */
void front_hold_key(const struct flow_key *k, int hold, int64_t ts);

/* End of input, after reassembly_finish(): give every address back. */
void front_ipv6_finish(void);

#endif
