/* reassembly.h: TCP stream reassembly (libnids, fed by us) into flows. */
#ifndef INTERIM_REASSEMBLY_H
#define INTERIM_REASSEMBLY_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

/* The state it keeps, bounded: the options of the same names. */
struct reassembly_caps {
	uint64_t max_held;              /* bytes held back, all flows */
	uint32_t max_stream_buffer;     /* bytes held back, one direction */
	uint32_t max_flows;             /* connections followed at once */
	int64_t idle_timeout;           /* silent this long: let go */
};

#define REASSEMBLY_MAX_FLOWS 100000     /* --max-flows default */
#define REASSEMBLY_IDLE (300 * USEC)    /* --idle-timeout default */
#define REASSEMBLY_STREAM_BUFFER 65536  /* --max-stream-buffer default */

#define REASSEMBLY_MAX_HELD (256ULL << 20)   /* --max-held default */

/* Called when libnids runs out of memory; must not return. where names
 * the libnids function. */
typedef void (*reassembly_fatal_fn)(const char *where);

/* Set libnids up; ports is a bitmap of server ports to analyse (NULL: all).
 * Returns -1 and fills err on failure. */
int reassembly_init(struct analysis *an, const uint8_t *ports,
    const struct reassembly_caps *caps, reassembly_fatal_fn fatal, char *err,
    size_t errlen);

/* One IPv4 packet (IP header first), caplen bytes of it captured.
 * Returns whether it moved a connection libnids follows (data, its
 * handshake completing, its end): 0 says that a segment with data fell on
 * a 4-tuple libnids does not follow, or was old. */
int reassembly_ipv4(const uint8_t *ip, size_t caplen, int64_t ts);

/* reassembly_ipv4() for a segment that front.c found plain: a 20-byte
 * IPv4 header, no fragment, captured whole, its TCP header sound, none
 * of SYN, RST or FIN; without the checks that only other packets need.
 * A pure ACK on an established stream is taken without libnids, as
 * libnids would take it (reassembly.c, ack_stream()). */
int reassembly_segment(const uint8_t *ip, size_t caplen, int64_t ts);

/* Does libnids follow the 4-tuple of this packet (either direction)? If
 * so and client_next is not NULL, *client_next is the sequence number
 * after the client's SYN that it knows. */
int reassembly_follows(const uint8_t *ip, uint32_t *client_next);

/* ... and has that connection's handshake completed? */
int reassembly_established(const uint8_t *ip);

/* The connection libnids follows on this packet's 4-tuple is over (its
 * port was reused): report its flow as closed and forget the stream. */
void reassembly_end(const uint8_t *ip);

/* While on, the streams that libnids establishes were made up by the
 * front end (a connection already open when the capture began). */
void reassembly_pickup(int on);

/* Is the packet's sender the client of the connection libnids follows on
 * its 4-tuple? (1 when it follows none.) */
int reassembly_from_client(const uint8_t *ip);

/* Would the receiver take this RST (rst) or FIN where its sequence number
 * lies? 1 when libnids follows no data on the 4-tuple. */
int reassembly_end_acceptable(const uint8_t *ip, int rst);

/* Give libnids what stands in for the gaps found while it handled the
 * last packet (bytes a peer acknowledged that the capture lacks). */
void reassembly_fill_gaps(void);

/* End of input: streams still open are finished and reported. */
void reassembly_finish(void);

/* Live, while no packet comes: what each packet does on its way, on the
 * wall clock (libnids' buffers of connections quiet long enough are freed). */
void reassembly_tick(int64_t now);

#endif
