/* decap.c: Ethernet (802.1Q, QinQ), Linux SLL and SLL2, BSD NULL/LOOP and
 * raw IP link layers, and PPPoE sessions, MPLS and VXLAN inside them,
 * stripped by us so that libnids only sees IP. A frame with no IP packet
 * says what it held instead (enum decap_skip), for the summary.
 *
 * Every read goes through need(), which checks the captured length.
 */
#include <pcap/pcap.h>

#include "bytes.h"
#include "decap.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#define ETH_IPV4   0x0800
#define ETH_ARP    0x0806
#define ETH_IPV6   0x86dd
#define ETH_VLAN   0x8100
#define ETH_QINQ   0x88a8
#define ETH_QINQ1  0x9100
#define ETH_MPLS   0x8847
#define ETH_MPLS_M 0x8848
#define ETH_PPPOED 0x8863
#define ETH_PPPOES 0x8864
#define ETH_LLDP   0x88cc
#define PPP_IPV4   0x0021
#define PPP_IPV6   0x0057
#define VXLAN_PORT 4789
#define MAX_TAGS   4            /* VLAN tags in a row */
#define MAX_LABELS 8            /* MPLS label stack entries */
#define MAX_TUNNELS 3           /* VXLAN in VXLAN ... */

static const struct {
	enum decap_skip why;
	const char *name;
} skip_names[] = {
	{DECAP_SKIP_CUT, "cut-short"},
	{DECAP_SKIP_LINK, "unknown-link-type"},
	{DECAP_SKIP_NESTED, "nested-too-deep"},
	{DECAP_SKIP_ARP, "arp"},
	{DECAP_SKIP_LLDP, "lldp"},
	{DECAP_SKIP_PPPOE_DISCOVERY, "pppoe-discovery"},
	{DECAP_SKIP_PPP, "ppp-not-ip"},
	{DECAP_SKIP_ETHERTYPE, "other-ethertype"},
	{DECAP_SKIP_MPLS, "mpls-not-ip"},
	{DECAP_SKIP_FAMILY, "other-address-family"},
	{DECAP_SKIP_VERSION, "not-ipv4-or-ipv6"},
	{DECAP_SKIP_UDP, "udp-not-vxlan"},
	{DECAP_SKIP_IP_PROTO, "ip-not-tcp-or-udp"},
	{0, NULL}
};

/* A cursor over the captured bytes. */
struct cur {
	const uint8_t *p;
	size_t left;
};

/* What was found: the IP packet, or why there is none. */
struct out {
	const uint8_t *ip;
	size_t len;
	enum decap_skip why;
	int tunnels;            /* VXLAN headers passed */
};

static int
need(const struct cur *c, size_t n)
{
	return c->left >= n;
}

static void
skip(struct cur *c, size_t n)
{
	c->p += n;
	c->left -= n;
}

static enum decap_result
none(struct out *o, enum decap_result r, enum decap_skip why)
{
	o->why = why;
	return r;
}

static enum decap_result by_ethernet(struct cur *, struct out *);

/* The length of the outer IP and UDP headers when the packet at c is
 * unfragmented UDP to the VXLAN port with its UDP header captured, else
 * 0 (the packet is then itself what was found). */
static size_t
vxlan_at(const struct cur *c)
{
	size_t hlen;

	if (c->p[0] >> 4 == 4) {
		hlen = (size_t)(c->p[0] & 0x0f) * 4;
		if (hlen < 20 || !need(c, hlen + 8) || c->p[9] != 17 ||
		    (be16(c->p + 6) & 0x3fff) != 0)
			return 0;
	} else {
		hlen = 40;      /* no extension headers */
		if (!need(c, hlen + 8) || c->p[6] != 17)
			return 0;
	}
	return be16(c->p + hlen + 2) == VXLAN_PORT ? hlen + 8 : 0;
}

/* RFC 7348 5: after UDP, flags (I set: a valid VNI), 3 reserved bytes,
 * VNI, 1 reserved; then the tenant's Ethernet frame. */
static enum decap_result
by_vxlan(struct cur *c, size_t outer, struct out *o)
{
	skip(c, outer);
	if (!need(c, 8))
		return none(o, DECAP_BAD, DECAP_SKIP_CUT);
	if (!(c->p[0] & 0x08))
		return none(o, DECAP_NOT_IP, DECAP_SKIP_UDP);
	if (++o->tunnels > MAX_TUNNELS)
		return none(o, DECAP_BAD, DECAP_SKIP_NESTED);
	skip(c, 8);
	return by_ethernet(c, o);
}

static enum decap_result
by_version(struct cur *c, struct out *o)
{
	enum decap_result r;
	size_t outer;

	if (!need(c, 1))
		return none(o, DECAP_BAD, DECAP_SKIP_CUT);
	if (c->p[0] >> 4 == 4)
		r = DECAP_IPV4;
	else if (c->p[0] >> 4 == 6)
		r = DECAP_IPV6;
	else
		return none(o, DECAP_NOT_IP, DECAP_SKIP_VERSION);
	if ((outer = vxlan_at(c)) != 0)
		return by_vxlan(c, outer, o);
	o->ip = c->p;
	o->len = c->left;
	return r;
}

/* RFC 3032 2.1: 4-byte label stack entries down to the one with the
 * bottom-of-stack bit. The payload has no type: IP is told by its first
 * nibble (a pseudowire's control word begins with 0, RFC 4385). */
static enum decap_result
by_mpls(struct cur *c, struct out *o)
{
	int bottom = 0;

	for (int n = 0; !bottom; n++) {
		if (n == MAX_LABELS)
			return none(o, DECAP_BAD, DECAP_SKIP_NESTED);
		if (!need(c, 4))
			return none(o, DECAP_BAD, DECAP_SKIP_CUT);
		bottom = c->p[2] & 1;
		skip(c, 4);
	}
	if (!need(c, 1))
		return none(o, DECAP_BAD, DECAP_SKIP_CUT);
	if (c->p[0] >> 4 != 4 && c->p[0] >> 4 != 6)
		return none(o, DECAP_NOT_IP, DECAP_SKIP_MPLS);
	return by_version(c, o);
}

/* RFC 2516 5.4: PPPoE session header (ver/type, code, session id,
 * length), then the PPP protocol (RFC 1661 2), one byte when compressed
 * (RFC 1661 6.5: its first byte is then odd). */
static enum decap_result
by_pppoe(struct cur *c, struct out *o)
{
	unsigned proto;

	if (!need(c, 7))
		return none(o, DECAP_BAD, DECAP_SKIP_CUT);
	if (c->p[6] & 1) {
		proto = c->p[6];
		skip(c, 7);
	} else {
		if (!need(c, 8))
			return none(o, DECAP_BAD, DECAP_SKIP_CUT);
		proto = be16(c->p + 6);
		skip(c, 8);
	}
	if (proto == 0x21)
		proto = PPP_IPV4;
	else if (proto == 0x57)
		proto = PPP_IPV6;
	if (proto != PPP_IPV4 && proto != PPP_IPV6)
		return none(o, DECAP_NOT_IP, DECAP_SKIP_PPP);
	return by_version(c, o);
}

/* What follows each EtherType: a decoder, or (NULL) a kind not decoded. */
static const struct {
	unsigned type;
	enum decap_result (*next)(struct cur *, struct out *);
	enum decap_skip why;
} ethertypes[] = {
	{ETH_IPV4, by_version, 0},
	{ETH_IPV6, by_version, 0},
	{ETH_MPLS, by_mpls, 0},
	{ETH_MPLS_M, by_mpls, 0},
	{ETH_PPPOES, by_pppoe, 0},
	{ETH_ARP, NULL, DECAP_SKIP_ARP},
	{ETH_LLDP, NULL, DECAP_SKIP_LLDP},
	{ETH_PPPOED, NULL, DECAP_SKIP_PPPOE_DISCOVERY},
	{0, NULL, 0}
};

/* An EtherType, after any number (up to MAX_TAGS) of VLAN tags. */
static enum decap_result
by_ethertype(struct cur *c, unsigned type, struct out *o)
{
	for (int tags = 0; type == ETH_VLAN || type == ETH_QINQ ||
	    type == ETH_QINQ1; tags++) {
		if (tags == MAX_TAGS)
			return none(o, DECAP_BAD, DECAP_SKIP_NESTED);
		if (!need(c, 4))
			return none(o, DECAP_BAD, DECAP_SKIP_CUT);
		type = be16(c->p + 2);
		skip(c, 4);
	}
	for (size_t i = 0; ethertypes[i].type != 0; i++) {
		if (ethertypes[i].type != type)
			continue;
		if (ethertypes[i].next == NULL)
			return none(o, DECAP_NOT_IP, ethertypes[i].why);
		return ethertypes[i].next(c, o);
	}
	return none(o, DECAP_NOT_IP, DECAP_SKIP_ETHERTYPE);
}

static enum decap_result
by_ethernet(struct cur *c, struct out *o)
{
	unsigned type;

	if (!need(c, 14))
		return none(o, DECAP_BAD, DECAP_SKIP_CUT);
	type = be16(c->p + 12);
	skip(c, 14);
	return by_ethertype(c, type, o);
}

/* BSD NULL (host byte order) and LOOP (network order): an address family.
 * AF_INET6 differs between BSDs: 24, 28 or 30. */
static enum decap_result
by_family(struct cur *c, int swapped, struct out *o)
{
	uint32_t af;

	if (!need(c, 4))
		return none(o, DECAP_BAD, DECAP_SKIP_CUT);
	af = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	    (uint32_t)c->p[2] << 8 | c->p[3];
	if (swapped)
		af = __builtin_bswap32(af);
	skip(c, 4);
	if (af != 2 && af != 24 && af != 28 && af != 30)
		return none(o, DECAP_NOT_IP, DECAP_SKIP_FAMILY);
	return by_version(c, o);
}

static enum decap_result
by_link(int dlt, struct cur *c, struct out *o)
{
	unsigned type;

	switch (dlt) {
	case DLT_EN10MB:
		return by_ethernet(c, o);
	case DLT_LINUX_SLL:
		if (!need(c, 16))
			return none(o, DECAP_BAD, DECAP_SKIP_CUT);
		type = be16(c->p + 14);
		skip(c, 16);
		return by_ethertype(c, type, o);
	case DLT_LINUX_SLL2:
		if (!need(c, 20))
			return none(o, DECAP_BAD, DECAP_SKIP_CUT);
		type = be16(c->p);
		skip(c, 20);
		return by_ethertype(c, type, o);
	case DLT_NULL:
		/* written in the capturing host's order: guess it from which
		 * half is zero */
		if (!need(c, 4))
			return none(o, DECAP_BAD, DECAP_SKIP_CUT);
		return by_family(c, c->p[0] != 0 || c->p[1] != 0, o);
	case DLT_LOOP:
		return by_family(c, 0, o);
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return by_version(c, o);
	default:
		return none(o, DECAP_BAD, DECAP_SKIP_LINK);
	}
}

enum decap_result
decap_walk(int dlt, const uint8_t *frame, size_t caplen, const uint8_t **ip,
    size_t *len, enum decap_skip *why)
{
	struct cur c = {frame, caplen};
	struct out o = {NULL, 0, DECAP_SKIP_CUT, 0};
	enum decap_result r = by_link(dlt, &c, &o);

	*ip = o.ip;
	*len = o.len;
	*why = o.why;
	return r;
}

const char *
decap_skip_name(int why)
{
	for (size_t i = 0; skip_names[i].name != NULL; i++)
		if ((int)skip_names[i].why == why)
			return skip_names[i].name;
	return "unknown";
}

int
decap_supported(int dlt)
{
	static const int known[] = {
		DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP,
		DLT_RAW, DLT_IPV4, DLT_IPV6
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i] == dlt)
			return 1;
	return 0;
}
