/* decap.h: link layers and tunnels off, IP packet out. */
#ifndef INTERIM_DECAP_H
#define INTERIM_DECAP_H

#include <stddef.h>
#include <stdint.h>
#include <pcap/dlt.h>

enum decap_result {
	DECAP_IPV4,
	DECAP_IPV6,
	DECAP_NOT_IP,           /* a valid frame carrying something else */
	DECAP_BAD               /* cut short, or a link type we do not know */
};

/* What a frame that gave no IP packet carried (names: decap_skip_name). */
enum decap_skip {
	DECAP_SKIP_CUT,         /* a header cut short */
	DECAP_SKIP_LINK,        /* a link type decap() does not know */
	DECAP_SKIP_NESTED,      /* tags, labels or tunnels nested too deep */
	DECAP_SKIP_ARP,
	DECAP_SKIP_LLDP,
	DECAP_SKIP_PPPOE_DISCOVERY,
	DECAP_SKIP_PPP,         /* a PPP protocol other than IPv4 or IPv6 */
	DECAP_SKIP_ETHERTYPE,   /* any other EtherType */
	DECAP_SKIP_MPLS,        /* MPLS payload that is not IP */
	DECAP_SKIP_FAMILY,      /* BSD NULL/LOOP: not AF_INET or AF_INET6 */
	DECAP_SKIP_VERSION,     /* an IP version other than 4 or 6 */
	DECAP_SKIP_UDP,         /* counted by the caller: UDP, not VXLAN */
	DECAP_SKIP_IP_PROTO,    /* counted by the caller: neither TCP nor UDP */
	DECAP_SKIP_KINDS
};

/* Every link type and tunnel, step by step: what decap() does for any
 * frame but the plain one. */
enum decap_result decap_walk(int dlt, const uint8_t *frame, size_t caplen,
    const uint8_t **ip, size_t *len, enum decap_skip *why);

/* Find the IP packet in a frame of link type dlt (a DLT_* value), inside
 * PPPoE, MPLS and VXLAN (UDP port 4789) too. On DECAP_IPV4/6, *ip and
 * *len describe it within frame; otherwise *why says what was there.
 * Cost: the headers, at most a few tunnels deep. The frame of nearly
 * every packet (Ethernet, no tag, IPv4 that is not UDP, so not VXLAN) is
 * taken here, inline: decap_walk() would find the same. */
static inline enum decap_result
decap(int dlt, const uint8_t *frame, size_t caplen, const uint8_t **ip,
    size_t *len, enum decap_skip *why)
{
	if (dlt != DLT_EN10MB || caplen < 14 + 20 || frame[12] != 0x08 ||
	    frame[13] != 0x00 || frame[14] >> 4 != 4 || frame[14 + 9] == 17)
		return decap_walk(dlt, frame, caplen, ip, len, why);
	*ip = frame + 14;
	*len = caplen - 14;
	*why = DECAP_SKIP_CUT;  /* unread for an IP packet */
	return DECAP_IPV4;
}

/* Is the link type one decap() knows? */
int decap_supported(int dlt);

/* "arp", "cut-short", ...: for the summary. */
const char *decap_skip_name(int why);

#endif
