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
	uint8_t bytes[128];
	size_t link;            /* link header length */
	const uint8_t *ip;      /* which packet follows */
	size_t iplen;
	enum decap_result want;
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
	enum decap_result r = decap(f->dlt, f->bytes, len, &ip, &iplen);

	check(r == f->want, f->name, "result");
	if (f->want == DECAP_IPV4 || f->want == DECAP_IPV6)
		check(ip == f->bytes + f->link && iplen == f->iplen, f->name,
		    "packet position");
	/* every shorter cut: no overread, and never a packet out of nothing */
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, f->bytes, cut);
		r = decap(f->dlt, copy, cut, &ip, &iplen);
		if ((r == DECAP_IPV4 || r == DECAP_IPV6) &&
		    (cut <= f->link || iplen != cut - f->link))
			check(0, f->name, "cut frame gave a packet");
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
	struct frame f;
	size_t len;

#define CASE(n, d, h, p, w) do { \
	memset(&f, 0, sizeof(f)); f.name = n; f.dlt = d; f.want = w; \
	len = build(&f, h, sizeof(h), p, sizeof(p)); try(&f, len); } while (0)

	CASE("ethernet ipv4", DLT_EN10MB, eth4, ipv4, DECAP_IPV4);
	CASE("ethernet ipv6", DLT_EN10MB, eth6, ipv6, DECAP_IPV6);
	CASE("802.1Q", DLT_EN10MB, vlan, ipv4, DECAP_IPV4);
	CASE("QinQ", DLT_EN10MB, qinq, ipv6, DECAP_IPV6);
	CASE("five tags is too many", DLT_EN10MB, tags5, ipv4, DECAP_BAD);
	CASE("ARP is not IP", DLT_EN10MB, arp, ipv4, DECAP_NOT_IP);
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
	len = build(&f, eth4, sizeof(eth4), ipv4, sizeof(ipv4));
	try(&f, len);
	check(!decap_supported(147) && decap_supported(DLT_LINUX_SLL2),
	    "decap_supported", "table");

	printf("test_decap: %d passed, %d failed\n", checks - failures, failures);
	return failures == 0 ? 0 : 1;
}
