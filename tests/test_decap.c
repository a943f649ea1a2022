/* test_decap.c: link layers off, on frames built here; every frame is also
 * cut at every length, which must give DECAP_BAD or a shorter IP packet,
 * never a read past the end (run under ASan in CI). */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decap.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

static int checks, failures;

static const uint8_t ipv4[20] = {0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6};
static const uint8_t ipv6[40] = {0x60, 0, 0, 0, 0, 0, 6, 64};

struct frame {
	const char *name;
	int dlt;
	uint8_t bytes[256];
	size_t link;            /* link header length */
	size_t outer;           /* where an outer IP packet begins (VXLAN):
				 * a cut before the inner one may give it */
	const uint8_t *ip;      /* which packet follows */
	size_t iplen;
	enum decap_result want;
	enum decap_skip why;    /* when want is neither IPV4 nor IPV6 */
};

static size_t
build(struct frame *f, const uint8_t *hdr, size_t hlen, const uint8_t *ip,
    size_t iplen)
{
	memcpy(f->bytes, hdr, hlen);
	memcpy(f->bytes + hlen, ip, iplen);
	f->link = hlen;
	f->ip = ip;
	f->iplen = iplen;
	return hlen + iplen;
}

static void
check(int ok, const char *name, const char *what)
{
	checks++;
	if (!ok) {
		failures++;
		printf("not ok %d - %s: %s\n", checks, name, what);
	}
}

static void
try(struct frame *f, size_t len)
{
	const uint8_t *ip = NULL;
	size_t iplen = 0;
	enum decap_skip why;
	enum decap_result r = decap(f->dlt, f->bytes, len, &ip, &iplen, &why);

	check(r == f->want, f->name, "result");
	if (f->want == DECAP_IPV4 || f->want == DECAP_IPV6)
		check(ip == f->bytes + f->link && iplen == f->iplen, f->name,
		    "packet position");
	else
		check(why == f->why, f->name, decap_skip_name((int)f->why));
	/* every shorter cut: no overread, and never a packet out of nothing */
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, f->bytes, cut);
		r = decap(f->dlt, copy, cut, &ip, &iplen, &why);
		if ((r == DECAP_IPV4 || r == DECAP_IPV6) &&
		    (cut <= f->link || iplen != cut - f->link) &&
		    (f->outer == 0 || ip != copy + f->outer ||
		    iplen != cut - f->outer))
			check(0, f->name, "cut frame gave a packet");
		if ((r == DECAP_NOT_IP || r == DECAP_BAD) && cut <= f->link &&
		    (f->want == DECAP_IPV4 || f->want == DECAP_IPV6) &&
		    why != DECAP_SKIP_CUT && f->outer == 0)
			check(0, f->name, "a cut header is not named cut-short");
		free(copy);
	}
}

int
main(void)
{
	static const uint8_t eth4[14] = {[12] = 0x08, [13] = 0x00};
	static const uint8_t eth6[14] = {[12] = 0x86, [13] = 0xdd};
	static const uint8_t vlan[18] = {[12] = 0x81, [13] = 0, [16] = 0x08, [17] = 0};
	static const uint8_t qinq[22] = {[12] = 0x88, [13] = 0xa8, [16] = 0x81,
	    [17] = 0, [20] = 0x86, [21] = 0xdd};
	static const uint8_t tags5[34] = {[12] = 0x81, [16] = 0x81, [20] = 0x81,
	    [24] = 0x81, [28] = 0x81, [32] = 0x08};
	static const uint8_t arp[14] = {[12] = 0x08, [13] = 0x06};
	static const uint8_t sll[16] = {[14] = 0x08, [15] = 0x00};
	static const uint8_t sll2[20] = {[0] = 0x86, [1] = 0xdd};
	static const uint8_t null_le[4] = {2, 0, 0, 0};
	static const uint8_t null_be6[4] = {0, 0, 0, 30};
	static const uint8_t loop4[4] = {0, 0, 0, 2};
	/* PPPoE session (0x8864): ver/type, code, session, length, protocol */
	static const uint8_t pppoe4[22] = {[12] = 0x88, [13] = 0x64,
	    0x11, 0, 0, 1, 0, 22, 0x00, 0x21};
	static const uint8_t pppoe6[22] = {[12] = 0x88, [13] = 0x64,
	    0x11, 0, 0, 1, 0, 42, 0x00, 0x57};
	static const uint8_t pppoe_lcp[22] = {[12] = 0x88, [13] = 0x64,
	    0x11, 0, 0, 1, 0, 22, 0xc0, 0x21};
	static const uint8_t pppoe_pfc[21] = {[12] = 0x88, [13] = 0x64,
	    0x11, 0, 0, 1, 0, 21, 0x21};
	static const uint8_t pppoe_disc[14] = {[12] = 0x88, [13] = 0x63};
	static const uint8_t lldp[14] = {[12] = 0x88, [13] = 0xcc};
	static const uint8_t other[14] = {[12] = 0x12, [13] = 0x34};
	/* MPLS: label, TC, S (bottom of stack), TTL */
	static const uint8_t mpls1[18] = {[12] = 0x88, [13] = 0x47,
	    0, 0x10, 0x01, 64};
	static const uint8_t mpls2[22] = {[12] = 0x88, [13] = 0x48,
	    0, 0x10, 0x00, 64, 0, 0x20, 0x01, 64};
	static const uint8_t mpls9[50] = {[12] = 0x88, [13] = 0x47};
	static const uint8_t pw_cw[8] = {0, 0, 0, 0, 0x02, 0, 0, 0};
	/* VXLAN: outer Ethernet, IPv4 (UDP), UDP to 4789, VXLAN (I flag,
	 * VNI 1), inner Ethernet */
	static const uint8_t vxlan4[64] = {[12] = 0x08, [13] = 0x00,
	    0x45, 0, 0, 70, 0, 0, 0x40, 0, 64, 17, [34] = 0x30, 0x39,
	    0x12, 0xb5, 0, 50, [42] = 0x08, [48] = 1, [62] = 0x08, [63] = 0};
	static const uint8_t vxlan6[84] = {[12] = 0x86, [13] = 0xdd,
	    0x60, 0, 0, 0, 0, 70, 17, 64, [54] = 0x30, 0x39, 0x12, 0xb5, 0,
	    70, [62] = 0x08, [68] = 1, [82] = 0x86, [83] = 0xdd};
	static const uint8_t vxlan_no_i[64] = {[12] = 0x08, [13] = 0x00,
	    0x45, 0, 0, 70, 0, 0, 0x40, 0, 64, 17, [34] = 0x30, 0x39,
	    0x12, 0xb5, 0, 50, [42] = 0x00, [62] = 0x08, [63] = 0};
	static const uint8_t udp53[28] = {0x45, 0, 0, 28, 0, 0, 0x40, 0, 64,
	    17, [20] = 0x30, 0x39, 0, 53, 0, 8};
	struct frame f;
	size_t len;

#define CASEW(n, d, h, p, w, y) do { \
	memset(&f, 0, sizeof(f)); f.name = n; f.dlt = d; f.want = w; \
	f.why = y; len = build(&f, h, sizeof(h), p, sizeof(p)); \
	try(&f, len); } while (0)
#define CASE(n, d, h, p, w) CASEW(n, d, h, p, w, DECAP_SKIP_CUT)

	CASE("ethernet ipv4", DLT_EN10MB, eth4, ipv4, DECAP_IPV4);
	CASE("ethernet ipv6", DLT_EN10MB, eth6, ipv6, DECAP_IPV6);
	CASE("802.1Q", DLT_EN10MB, vlan, ipv4, DECAP_IPV4);
	CASE("QinQ", DLT_EN10MB, qinq, ipv6, DECAP_IPV6);
	CASEW("five tags is too many", DLT_EN10MB, tags5, ipv4, DECAP_BAD,
	    DECAP_SKIP_NESTED);
	CASEW("ARP is not IP", DLT_EN10MB, arp, ipv4, DECAP_NOT_IP,
	    DECAP_SKIP_ARP);
	CASE("PPPoE session, IPv4", DLT_EN10MB, pppoe4, ipv4, DECAP_IPV4);
	CASE("PPPoE session, IPv6", DLT_EN10MB, pppoe6, ipv6, DECAP_IPV6);
	CASE("PPPoE session, compressed protocol field", DLT_EN10MB, pppoe_pfc,
	    ipv4, DECAP_IPV4);
	CASEW("PPPoE session, LCP", DLT_EN10MB, pppoe_lcp, ipv4, DECAP_NOT_IP,
	    DECAP_SKIP_PPP);
	CASEW("PPPoE discovery", DLT_EN10MB, pppoe_disc, ipv4, DECAP_NOT_IP,
	    DECAP_SKIP_PPPOE_DISCOVERY);
	CASEW("LLDP", DLT_EN10MB, lldp, ipv4, DECAP_NOT_IP, DECAP_SKIP_LLDP);
	CASEW("unknown EtherType", DLT_EN10MB, other, ipv4, DECAP_NOT_IP,
	    DECAP_SKIP_ETHERTYPE);
	CASE("MPLS, one label", DLT_EN10MB, mpls1, ipv4, DECAP_IPV4);
	CASE("MPLS multicast, two labels, IPv6", DLT_EN10MB, mpls2, ipv6,
	    DECAP_IPV6);
	CASEW("MPLS, nine labels is too many", DLT_EN10MB, mpls9, ipv4,
	    DECAP_BAD, DECAP_SKIP_NESTED);
	CASEW("MPLS pseudowire control word", DLT_EN10MB, mpls1, pw_cw,
	    DECAP_NOT_IP, DECAP_SKIP_MPLS);
	CASE("UDP to port 53 is IP", DLT_EN10MB, eth4, udp53, DECAP_IPV4);

	memset(&f, 0, sizeof(f));
	f.name = "UDP to 4789 without the VXLAN I flag";
	f.dlt = DLT_EN10MB;
	f.want = DECAP_NOT_IP;
	f.why = DECAP_SKIP_UDP;
	f.outer = 14;
	len = build(&f, vxlan_no_i, sizeof(vxlan_no_i), ipv4, sizeof(ipv4));
	try(&f, len);

	memset(&f, 0, sizeof(f));
	f.name = "VXLAN over IPv4";
	f.dlt = DLT_EN10MB;
	f.want = DECAP_IPV4;
	f.outer = 14;
	len = build(&f, vxlan4, sizeof(vxlan4), ipv4, sizeof(ipv4));
	try(&f, len);

	memset(&f, 0, sizeof(f));
	f.name = "VXLAN over IPv6, IPv6 inside";
	f.dlt = DLT_EN10MB;
	f.want = DECAP_IPV6;
	f.outer = 14;
	len = build(&f, vxlan6, sizeof(vxlan6), ipv6, sizeof(ipv6));
	try(&f, len);

	/* VXLAN in VXLAN in VXLAN in VXLAN: one too many (each cut gives
	 * one of the outer packets, so only the whole frame is tried) */
	{
		const uint8_t *ip;
		size_t iplen;
		enum decap_skip why;

		memset(&f, 0, sizeof(f));
		for (int i = 0; i < 4; i++)
			memcpy(f.bytes + i * 50, vxlan4, 64);
		memcpy(f.bytes + 214, ipv4, sizeof(ipv4));
		check(decap(DLT_EN10MB, f.bytes, 214 + sizeof(ipv4), &ip,
		    &iplen, &why) == DECAP_BAD && why == DECAP_SKIP_NESTED,
		    "VXLAN four deep", "nested-too-deep");
		check(decap(DLT_EN10MB, f.bytes + 50, 164 + sizeof(ipv4), &ip,
		    &iplen, &why) == DECAP_IPV4 && ip == f.bytes + 214,
		    "VXLAN three deep", "packet position");
	}
	CASE("Linux SLL", DLT_LINUX_SLL, sll, ipv4, DECAP_IPV4);
	CASE("Linux SLL2", DLT_LINUX_SLL2, sll2, ipv6, DECAP_IPV6);
	CASE("NULL, little-endian host", DLT_NULL, null_le, ipv4, DECAP_IPV4);
	CASE("NULL, big-endian host, IPv6", DLT_NULL, null_be6, ipv6, DECAP_IPV6);
	CASE("LOOP", DLT_LOOP, loop4, ipv4, DECAP_IPV4);

	memset(&f, 0, sizeof(f));
	f.name = "raw IP";
	f.dlt = DLT_RAW;
	f.want = DECAP_IPV6;
	len = build(&f, (const uint8_t *)"", 0, ipv6, sizeof(ipv6));
	try(&f, len);

	memset(&f, 0, sizeof(f));
	f.name = "unknown link type";
	f.dlt = 147;            /* DLT_USER0 */
	f.want = DECAP_BAD;
	f.why = DECAP_SKIP_LINK;
	len = build(&f, eth4, sizeof(eth4), ipv4, sizeof(ipv4));
	try(&f, len);
	check(!decap_supported(147) && decap_supported(DLT_LINUX_SLL2),
	    "decap_supported", "table");

	printf("test_decap: %d passed, %d failed\n", checks - failures, failures);
	return failures == 0 ? 0 : 1;
}
