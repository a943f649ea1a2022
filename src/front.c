/* front.c: IPv4 packets vetted and adapted before libnids sees them.
 *
 * libnids trusts header fields that a hostile packet sets: a fragment
 * shorter than its header plus 8 bytes makes it read past the packet
 * (ip_create() and ip_defrag() copy ihl + 8 bytes), and a TCP data offset
 * under 5 makes it take header bytes for stream data. What a receiving
 * host would drop is dropped here and counted by reason; what it would
 * accept is passed on, if need be in a form libnids reads safely.
 *
 * A SYN on a 4-tuple that libnids still follows (its FIN was not
 * captured, or the SYN is spoofed) would be ignored by libnids, or free
 * the old stream without a word. It is held here instead, one per
 * 4-tuple, until the server's SYN-ACK acknowledges it: then the old
 * connection is over, its flow is closed and reported, and the held SYN
 * starts the new one. A SYN the server never accepts changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "front.h"
#include "hash.h"
#include "reassembly.h"
#include "tcpwatch.h"

#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

#define HELD_SLOTS 1024         /* power of two */
#define HELD_BYTES 120          /* IP and TCP headers at their largest */

static const struct {
	int reason;
	const char *name;
} drop_names[] = {
	{DROP_IP_HEADER, "bad-ip-header-length"},
	{DROP_IP_LENGTH, "bad-ip-total-length"},
	{DROP_IP_OPTIONS, "bad-ip-options"},
	{DROP_FRAGMENT, "bad-fragment"},
	{DROP_TCP_HEADER, "bad-tcp-header-length"},
	{DROP_V6_HEADER, "bad-ipv6-header"},
	{DROP_V6_LENGTH, "bad-ipv6-payload-length"},
	{DROP_IP_RESERVED, "reserved-ipv4-address"},
	{0, NULL}
};

/* A SYN held back until its SYN-ACK. */
struct held {
	uint8_t used;
	uint8_t key[12];                /* client addr, server addr, ports */
	uint32_t next_seq;              /* the ISN + 1 a SYN-ACK acknowledges */
	int64_t ts;
	size_t len;
	uint8_t packet[HELD_BYTES];
};

static struct held *held;       /* HELD_SLOTS of them, made on first use */
static uint64_t held_seed;

const char *
front_drop_name(int reason)
{
	for (size_t i = 0; drop_names[i].name != NULL; i++)
		if (drop_names[i].reason == reason)
			return drop_names[i].name;
	return "unknown";
}

static unsigned
be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* RFC 791 3.1: options are EOL, NOP, or kind, length (>= 2), data. */
static int
options_ok(const uint8_t *opt, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (opt[i] == 0)
			return 1;
		if (opt[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || opt[i + 1] > len - i)
			return 0;
		i += opt[i + 1];
	}
	return 1;
}

int
front_tcp_ok(struct stats *st, const uint8_t *ip, size_t len)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	size_t doff;

	if (ip[9] != 6)
		return 1;
	if (len < ihl + 20 || (doff = (size_t)(ip[ihl + 12] >> 4) * 4) < 20 ||
	    ihl + doff > len) {
		st->front_dropped[DROP_TCP_HEADER]++;
		return 0;
	}
	return 1;
}

/* --- SYNs held back --- */

/* RFC 791 3.1: the header checksum, after a change to the header. */
static void
ip_checksum(uint8_t *ip, size_t ihl)
{
	uint32_t sum = 0;

	ip[10] = ip[11] = 0;
	for (size_t i = 0; i < ihl; i += 2)
		sum += be16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
}

/* The 4-tuple as the client sends: addresses, then ports. */
static void
client_key(uint8_t key[12], const uint8_t *ip, int from_client)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	const uint8_t *tcp = ip + ihl;

	memcpy(key, ip + (from_client ? 12 : 16), 4);
	memcpy(key + 4, ip + (from_client ? 16 : 12), 4);
	memcpy(key + 8, tcp + (from_client ? 0 : 2), 2);
	memcpy(key + 10, tcp + (from_client ? 2 : 0), 2);
}

static struct held *
held_slot(const uint8_t key[12])
{
	if (held == NULL) {
		held = calloc(HELD_SLOTS, sizeof(*held));
		if (held == NULL)
			return NULL;
		held_seed = hash_seed();
	}
	return &held[hash_bytes(held_seed, key, 12) & (HELD_SLOTS - 1)];
}

/* A client SYN for a 4-tuple libnids follows: keep the latest one (a
 * slot taken by another 4-tuple is overwritten: bounded, and a SYN lost
 * here is one a spoofer sent, or a retransmission will bring again). */
static void
hold_syn(struct stats *st, const uint8_t *ip, int64_t ts)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	struct held *h;
	uint8_t key[12];

	client_key(key, ip, 1);
	if ((h = held_slot(key)) == NULL)
		return;
	if (h->used && memcmp(h->key, key, 12) != 0)
		st->syns_overwritten++;
	h->used = 1;
	memcpy(h->key, key, 12);
	h->next_seq = be32(ip + ihl + 4) + 1;
	h->ts = ts;
	/* headers only: data in a SYN is not delivered (yet) */
	h->len = ihl + (size_t)(ip[ihl + 12] >> 4) * 4;
	memcpy(h->packet, ip, h->len);
	h->packet[2] = (uint8_t)(h->len >> 8);
	h->packet[3] = (uint8_t)h->len;
	/* the total length changed: the header checksum must follow */
	ip_checksum(h->packet, ihl);
}

/* A SYN-ACK: if it acknowledges a held SYN, the connection libnids
 * follows on that 4-tuple has ended; start the new one. */
static void
release_syn(struct analysis *an, const uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	uint32_t ack = be32(ip + ihl + 8), expected;
	struct held *h;
	uint8_t key[12];

	if (held == NULL)
		return;
	client_key(key, ip, 0);
	h = held_slot(key);
	if (h == NULL || !h->used || memcmp(h->key, key, 12) != 0 ||
	    h->next_seq != ack)
		return;
	h->used = 0;
	if (reassembly_follows(h->packet, &expected) && expected == ack &&
	    !reassembly_established(h->packet))
		return;         /* libnids holds this very SYN already */
	if (reassembly_follows(h->packet, &expected)) {
		if (reassembly_established(h->packet))
			an->st->tuples_reused++;
		reassembly_end(h->packet);
	}
	reassembly_ipv4(h->packet, h->len, h->ts);
}

/* --- the packet path --- */

/* Returns the bytes to hand on (the packet, or pad when a short last
 * fragment had to be lengthened), or NULL when the packet is dropped. */
static const uint8_t *
vet_ipv4(struct stats *st, const uint8_t *ip, size_t *caplen, uint8_t *pad)
{
	size_t ihl, total, payload;
	unsigned off;

	if (*caplen < 20 || (ihl = (size_t)(ip[0] & 15) * 4) < 20 ||
	    ihl > *caplen) {
		st->front_dropped[DROP_IP_HEADER]++;
		return NULL;
	}
	total = be16(ip + 2);
	if (total < ihl) {
		st->front_dropped[DROP_IP_LENGTH]++;
		return NULL;
	}
	if (ihl > 20 && !options_ok(ip + 20, ihl - 20)) {
		st->front_dropped[DROP_IP_OPTIONS]++;
		return NULL;
	}
	off = be16(ip + 6) & 0x1fff;
	if (!(ip[6] & 0x20) && off == 0)
		return ip;      /* not a fragment */
	payload = total - ihl;
	/* RFC 791: every fragment but the last carries 8 bytes or more;
	 * RFC 1858: a TCP fragment at offset 8 rewrites the header */
	if (((ip[6] & 0x20) && payload < 8) || (ip[9] == 6 && off == 1)) {
		st->front_dropped[DROP_FRAGMENT]++;
		return NULL;
	}
	if (payload < 8 && total <= *caplen) {
		/* a short last fragment, legal: give libnids the 8 bytes it
		 * reads beyond it (past the total length, so not data) */
		memset(pad, 0, ihl + 8);
		memcpy(pad, ip, total);
		*caplen = ihl + 8;
		return pad;
	}
	return ip;
}

void
front_ipv4(struct analysis *an, struct tcpwatch *w, const uint8_t *ip,
    size_t caplen, int64_t ts)
{
	uint8_t pad[60 + 8];
	size_t total, len = caplen;
	const uint8_t *p = vet_ipv4(an->st, ip, &len, pad);
	uint8_t flags;

	if (p == NULL)
		return;
	if (((p[6] & 0x3f) | p[7]) != 0) {
		/* TCP is vetted once libnids has put the fragments together */
		reassembly_ipv4(p, len, ts);
		return;
	}
	total = be16(p + 2);
	if (total <= len && !front_tcp_ok(an->st, p, total))
		return;
	tcpwatch_ipv4(w, p, len, ts);
	if (total > len) {
		reassembly_ipv4(p, len, ts);    /* cut: it marks the loss */
		return;
	}
	flags = p[(size_t)(p[0] & 15) * 4 + 13];
	if ((flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN &&
	    reassembly_follows(p, NULL)) {
		hold_syn(an->st, p, ts);
		return;
	}
	if ((flags & (TH_SYN | TH_ACK | TH_RST)) == (TH_SYN | TH_ACK))
		release_syn(an, p);
	reassembly_ipv4(p, len, ts);
}

void
front_finish(void)
{
	free(held);
	held = NULL;
}
