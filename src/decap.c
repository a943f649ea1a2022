/* decap.c: Ethernet (802.1Q, QinQ), Linux SLL and SLL2, BSD NULL/LOOP and
 * raw IP link layers, stripped by us so that libnids only sees IP.
 *
 * Every read goes through need(), which checks the captured length.
 */
#include <pcap/pcap.h>

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

#define ETH_IPV4  0x0800
#define ETH_IPV6  0x86dd
#define ETH_VLAN  0x8100
#define ETH_QINQ  0x88a8
#define ETH_QINQ1 0x9100
#define MAX_TAGS  4

/* A cursor over the captured bytes. */
struct cur {
	const uint8_t *p;
	size_t left;
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

static unsigned
be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static enum decap_result
by_version(struct cur *c, const uint8_t **ip, size_t *len)
{
	if (!need(c, 1))
		return DECAP_BAD;
	*ip = c->p;
	*len = c->left;
	switch (c->p[0] >> 4) {
	case 4:
		return DECAP_IPV4;
	case 6:
		return DECAP_IPV6;
	default:
		return DECAP_NOT_IP;
	}
}

/* An EtherType, after any number (up to MAX_TAGS) of VLAN tags. */
static enum decap_result
by_ethertype(struct cur *c, unsigned type, const uint8_t **ip, size_t *len)
{
	for (int tags = 0; type == ETH_VLAN || type == ETH_QINQ ||
	    type == ETH_QINQ1; tags++) {
		if (tags == MAX_TAGS || !need(c, 4))
			return DECAP_BAD;
		type = be16(c->p + 2);
		skip(c, 4);
	}
	if (type != ETH_IPV4 && type != ETH_IPV6)
		return DECAP_NOT_IP;
	return by_version(c, ip, len);
}

/* BSD NULL (host byte order) and LOOP (network order): an address family.
 * AF_INET6 differs between BSDs: 24, 28 or 30. */
static enum decap_result
by_family(struct cur *c, int swapped, const uint8_t **ip, size_t *len)
{
	uint32_t af;

	if (!need(c, 4))
		return DECAP_BAD;
	af = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	    (uint32_t)c->p[2] << 8 | c->p[3];
	if (swapped)
		af = __builtin_bswap32(af);
	skip(c, 4);
	if (af != 2 && af != 24 && af != 28 && af != 30)
		return DECAP_NOT_IP;
	return by_version(c, ip, len);
}

enum decap_result
decap(int dlt, const uint8_t *frame, size_t caplen, const uint8_t **ip,
    size_t *len)
{
	struct cur c = {frame, caplen};
	unsigned type;

	switch (dlt) {
	case DLT_EN10MB:
		if (!need(&c, 14))
			return DECAP_BAD;
		type = be16(c.p + 12);
		skip(&c, 14);
		return by_ethertype(&c, type, ip, len);
	case DLT_LINUX_SLL:
		if (!need(&c, 16))
			return DECAP_BAD;
		type = be16(c.p + 14);
		skip(&c, 16);
		return by_ethertype(&c, type, ip, len);
	case DLT_LINUX_SLL2:
		if (!need(&c, 20))
			return DECAP_BAD;
		type = be16(c.p);
		skip(&c, 20);
		return by_ethertype(&c, type, ip, len);
	case DLT_NULL:
		/* written in the capturing host's order: guess it from which
		 * half is zero */
		if (!need(&c, 4))
			return DECAP_BAD;
		return by_family(&c, c.p[0] != 0 || c.p[1] != 0, ip, len);
	case DLT_LOOP:
		return by_family(&c, 0, ip, len);
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return by_version(&c, ip, len);
	default:
		return DECAP_BAD;
	}
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
