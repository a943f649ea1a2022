/* evidence.h: --write-violations, a pcap of only the connections that
 * broke a rule, both directions: the capture a vendor's support asks for.
 *
 * A connection is its 4-tuple and its lifetime: a later connection on the
 * same addresses and ports (its SYN accepted by a SYN-ACK, or a SYN after
 * the first ended) is another one, and is written only if it broke a rule
 * too. A SYN that was never answered (handshake-timeout) is written with
 * its retransmissions. Addresses are the packets' own (IPv6 too), read
 * here from each packet behind decap().
 *
 * Capture files are read twice: during the analysis each connection is
 * followed (where it began and ended, in packets) and the violations mark
 * theirs; afterwards the files are read again and every packet of a
 * marked connection is written, so the file is complete and in the input's
 * order. A live capture, or standard input, cannot be read again: there
 * each connection keeps its last --violation-buffer packets, which are
 * written when its first violation fires, and every later packet of it as
 * it comes; what a buffer lost by then is counted as cut.
 */
#ifndef INTERIM_EVIDENCE_H
#define INTERIM_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>
#include <pcap/pcap.h>

#include "capture.h"
#include "output.h"
#include "rules.h"

#define EVIDENCE_BUFFER 64              /* packets per connection, live */
#define EVIDENCE_MAX_HELD (64u << 20)   /* bytes buffered in all, live */

struct evidence_opts {
	const char *path;       /* the pcap written */
	unsigned buffer;        /* packets kept per connection (live) */
	size_t max_tracked;     /* 4-tuples followed at once; past it the
				 * longest silent goes, closed ones first */
	size_t max_attempts;    /* of them SYNs not answered: no more are
				 * followed (as the TCP watch's cap) */
	/* how long a silent connection may still break a rule: the rules'
	 * timeouts, and the reassembler's --idle-timeout (a connection
	 * it still follows can be ended, after a 102, by a FIN or a new SYN
	 * on its 4-tuple) */
	const struct rules_config *rules;
	int64_t idle_timeout;
};

struct evidence;

/* Open o->path for writing, with the inputs' link type (their first one
 * when they differ: then each packet is written from its IP header, as
 * LINKTYPE_RAW) and, when every input is a regular file, the inputs a
 * second time, with co's filter, for the second read. Before privileges
 * are dropped. The counts go in st. NULL with err filled on failure. */
struct evidence *evidence_open(const struct evidence_opts *o,
    const struct capture *c, const struct capture_opts *co,
    struct stats *st, char *err, size_t errlen);

/* The sink that learns of the violations, handing every event on to
 * inner. */
const struct sink *evidence_sink(struct evidence *ev,
    const struct sink *inner);

/* Every packet read, in order, with its time on the analysis' clock;
 * before the analysis sees it. O(1): one lookup in a table of the
 * connections seen recently. */
void evidence_packet(struct evidence *ev, int dlt,
    const struct pcap_pkthdr *h, const uint8_t *bytes, int64_t ts);

/* After the analysis, before its summary: files are read again and their
 * marked connections written; then the file is closed and the counts are
 * final. Returns -1 with err filled when reading or writing failed. */
int evidence_finish(struct evidence *ev, char *err, size_t errlen);

void evidence_free(struct evidence *ev);

#endif
