/* tcpwatch.h: the TCP-level rules, which libnids does not see for us.
 *
 * handshake-timeout: libnids never reports a handshake that did not
 * complete, so SYNs are watched here, on raw packets before libnids. Only
 * SYN and RST segments are looked at; every other packet costs one test.
 *
 * request-unacked: libnids hands us request bytes as they arrive, whether
 * or not the server acknowledges them. An ackwatch per connection is told
 * where the client's bytes end and reads the server's highest ACK, which
 * libnids keeps, only when its deadline passes: no work per packet.
 *
 * The same watch answers whether bytes of the connection are missing from
 * the capture (cut by the snaplen, or a hole the reassembler could not
 * fill): then silences prove nothing, and the timer rules stay quiet.
 */
#ifndef INTERIM_TCPWATCH_H
#define INTERIM_TCPWATCH_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

#define TCPWATCH_MAX 131072     /* unanswered handshakes watched at once */

struct tcpwatch;

/* ports: a bitmap of the server ports to watch (--ports), or NULL: all. */
struct tcpwatch *tcpwatch_new(struct analysis *an, const uint8_t *ports);

/* One IPv4 packet carrying TCP (IP header first). */
void tcpwatch_ipv4(struct tcpwatch *w, const uint8_t *ip, size_t len,
    int64_t ts);

/* The connection of this IPv4 packet is established, though its SYN-ACK
 * was not captured: no handshake-timeout for its SYN. */
void tcpwatch_established(struct tcpwatch *w, const uint8_t *ip);

/* How to turn a key made from a packet into the one on the wire (the
 * front end lends IPv4 addresses to IPv6 ones); by default, as is. */
void tcpwatch_unmap(struct tcpwatch *w, void (*unmap)(struct flow_key *k));

void tcpwatch_free(struct tcpwatch *w);

/* request-unacked on one established connection. */
struct ackwatch {
	/* what every ackwatch_sent() touches: the first 24 bytes */
	int64_t since;                  /* oldest bytes waiting, if waiting */
	int64_t last;                   /* the client's latest bytes */
	uint32_t sent;                  /* seq after the client's last byte */
	uint8_t fired;
	uint8_t waiting;                /* since is set */
	/* what a new wait or the deadline touches */
	uint32_t mark;                  /* the ACK when since was set */
	const unsigned int *acked;      /* the server's highest ACK, kept
					 * current by the reassembler */
	struct timer timer;
	struct analysis *an;
	const struct flow_ident *flow;
	uint8_t lossy;                  /* bytes known to be missing */
	int (*missing)(const void *conn);       /* asks the reassembler */
	const void *conn;
};

void ackwatch_init(struct ackwatch *aw, struct analysis *an,
    const struct flow_ident *flow);

/* Where the server's highest ACK is kept (libnids' half-stream), and how
 * to ask whether bytes are missing (missing(conn) != 0); until this is
 * called the watch sees nothing. conn must outlive the watch. */
void ackwatch_follow(struct ackwatch *aw, const unsigned int *acked,
    int (*missing)(const void *conn), const void *conn);

/* Bytes of this connection are missing from the capture. */
void ackwatch_mark_lossy(struct ackwatch *aw);

/* Are bytes of this connection missing from the capture? Asks the
 * reassembler once no answer is known yet: call it when a conclusion
 * depends on it, not per packet. */
int ackwatch_lossy(struct ackwatch *aw);

/* The client's bytes now end at sequence number end, the latest sent at
 * ts; acked is the server's highest ACK now (*aw->acked, handed over by a
 * caller that has it in cache). O(1), and O(log n) at most once per
 * --ack-timeout. */
void ackwatch_sent(struct ackwatch *aw, uint32_t end, uint32_t acked,
    int64_t ts);

/* Are request bytes waiting for their ACK? (Then a missing response is
 * the network's doing, not the origin's.) */
int ackwatch_pending(const struct ackwatch *aw);

/* The connection is gone: disarm. */
void ackwatch_stop(struct ackwatch *aw);

#endif
