/* front.c: IPv4 packets vetted and adapted before libnids sees them.
 *
 * libnids trusts header fields that a hostile packet sets: a fragment
 * shorter than its header plus 8 bytes makes it read past the packet
 * (ip_create() and ip_defrag() copy ihl + 8 bytes), and a TCP data offset
 * under 5 makes it take header bytes for stream data. What a receiving
 * host would drop is dropped here and counted by reason; what it would
 * accept is passed on, if need be in a form libnids reads safely.
 *
 * Every SYN is held here until the server's SYN-ACK acknowledges it, so
 * that unanswered SYNs never fill libnids' table, and a SYN on a 4-tuple
 * libnids still follows (its FIN was not captured) ends the old
 * connection only once the server accepts it (libnids would ignore it, or
 * free the old stream without a word). A connection whose handshake the
 * capture lacks is picked up at its first request: the handshake is made
 * up from that segment's numbers. RSTs and FINs the receiving host would
 * ignore are ignored, and counted.
 */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "front.h"
#include "hash.h"
#include "pool.h"
#include "reassembly.h"
#include "tcpwatch.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

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

const char *
front_drop_name(int reason)
{
	for (size_t i = 0; drop_names[i].name != NULL; i++)
		if (drop_names[i].reason == reason)
			return drop_names[i].name;
	return "unknown";
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

/* --- packets made for libnids --- */

/* The ones' complement sum of 32-bit words folds to that of its 16-bit
 * halves (RFC 1071 2 (B)); ihl is a multiple of 4. */
void
front_ip_checksum(uint8_t *ip, size_t ihl)
{
	unsigned sum;

	ip[10] = ip[11] = 0;
	sum = ~sum16_folded(ip, ihl) & 0xffff;
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
}

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* An IPv4 TCP segment from src to dst (addresses then port, as in a
 * 4-tuple key: src[0..3], dst[0..3], sport, dport in key order) into out;
 * returns its length. TCP checksums are not checked (reassembly.c). */
static size_t
make_segment(uint8_t *out, const uint8_t src[4], const uint8_t dst[4],
    const uint8_t sport[2], const uint8_t dport[2], uint32_t seq,
    uint32_t ack, unsigned flags, const uint8_t *opt, size_t optlen,
    const uint8_t *data, size_t len)
{
	size_t n = 20 + 20 + optlen + len;

	memset(out, 0, 40 + optlen);
	out[0] = 0x45;
	put16(out + 2, (unsigned)n);
	out[8] = 64;
	out[9] = 6;
	memcpy(out + 12, src, 4);
	memcpy(out + 16, dst, 4);
	front_ip_checksum(out, 20);
	memcpy(out + 20, sport, 2);
	memcpy(out + 22, dport, 2);
	put32(out + 24, seq);
	put32(out + 28, ack);
	out[32] = (uint8_t)((20 + optlen) / 4 << 4);
	out[33] = (uint8_t)flags;
	put16(out + 34, 65535);
	if (optlen > 0)
		memcpy(out + 40, opt, optlen);
	if (len > 0)
		memcpy(out + 40 + optlen, data, len);
	return n;
}

size_t
front_filler(uint8_t *out, size_t size, const uint8_t src[4],
    const uint8_t dst[4], uint16_t sport, uint16_t dport, uint32_t seq,
    uint32_t ack, size_t len)
{
	uint8_t sp[2], dp[2];

	if (40 + len > size || 40 + len > 65535)
		return 0;
	put16(sp, sport);
	put16(dp, dport);
	make_segment(out, src, dst, sp, dp, seq, ack, TH_ACK, NULL, 0, NULL, 0);
	memset(out + 40, 0, len);
	put16(out + 2, (unsigned)(40 + len));
	front_ip_checksum(out, 20);
	return 40 + len;
}

/* --- SYNs held back until their SYN-ACK ---
 *
 * A SYN reaches libnids only with the SYN-ACK that acknowledges it, so
 * that SYNs nobody answers (a flood, spoofed ones) never fill its stream
 * table, and the connection followed is the one the server accepted. The
 * table is bounded (HELD_MAX, least recently seen dropped first) and
 * keyed at random. */

#define HELD_BUCKETS_MIN 1024   /* a power of two, doubled while the */
#define HELD_BUCKETS 16384      /* handshakes outnumber it, up to this */
#define HELD_MAX     16384      /* handshakes in flight at once: plenty for
				 * 10,000 new connections a second at an
				 * RTT of a second; small enough to stay in
				 * cache under a flood */
#define HELD_BYTES   120        /* IP and TCP headers at their largest */
#define HELD_DATA    4096       /* Fast Open data kept at most */

struct held {
	struct held *next, **pprev;     /* hash chain */
	struct held *older, *newer;     /* least recently seen first */
	uint8_t key[12];                /* client addr, server addr, ports */
	uint32_t isn;
	int64_t ts;
	uint16_t len;                   /* headers in packet */
	uint16_t data_len;              /* Fast Open data */
	uint8_t *data;
	uint8_t packet[HELD_BYTES];
};

static struct pool held_pool = POOL(struct held, 256, 0);

static struct {
	struct held **bucket;
	size_t buckets;                 /* how many: small stays in cache */
	struct held *oldest, *newest;
	size_t count;
	uint64_t seed;
} held;

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

static struct held **
held_find(const uint8_t key[12])
{
	struct held **p;

	if (held.bucket == NULL)
		return NULL;
	p = &held.bucket[hash_bytes(held.seed, key, 12) & (held.buckets - 1)];
	while (*p != NULL && memcmp((*p)->key, key, 12) != 0)
		p = &(*p)->next;
	return p;
}

/* A SYN's bucket, loaded while the TCP watch looks up its own: the two
 * cache misses of a SYN then overlap. */
static void
held_prefetch(const uint8_t *ip)
{
	uint8_t key[12];

	if (held.bucket == NULL)
		return;
	client_key(key, ip, 1);
	__builtin_prefetch(&held.bucket[hash_bytes(held.seed, key, 12) &
	    (held.buckets - 1)]);
}

static void
held_unlink(struct held *h)
{
	if (h->older != NULL)
		h->older->newer = h->newer;
	else
		held.oldest = h->newer;
	if (h->newer != NULL)
		h->newer->older = h->older;
	else
		held.newest = h->older;
}

static void
held_append(struct held *h)
{
	h->newer = NULL;
	h->older = held.newest;
	if (held.newest != NULL)
		held.newest->newer = h;
	else
		held.oldest = h;
	held.newest = h;
}

static void
held_remove(struct held **p)
{
	struct held *h = *p;

	*p = h->next;
	if (h->next != NULL)
		h->next->pprev = p;
	held_unlink(h);
	free(h->data);
	pool_put(&held_pool, h);
	held.count--;
}

/* Twice the buckets, the handshakes moved over; without memory, the
 * chains only grow longer. */
static void
held_grow(void)
{
	size_t n = held.buckets * 2;
	struct held **old = held.bucket, **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return;
	held.bucket = b;
	held.buckets = n;
	for (size_t i = 0; i < n / 2; i++)
		while (old[i] != NULL) {
			struct held *h = old[i], **head;

			old[i] = h->next;
			head = &b[hash_bytes(held.seed, h->key, 12) & (n - 1)];
			h->next = *head;
			if (h->next != NULL)
				h->next->pprev = &h->next;
			*head = h;
			h->pprev = head;
		}
	free(old);
}

/* A new entry for key, at p (where held_find() found it missing), the
 * least recently seen one dropped if the table is full. */
static struct held *
held_new(struct stats *st, struct held **p, const uint8_t key[12])
{
	struct held *h;

	if (held.count >= HELD_MAX) {
		st->syns_overwritten++;
		held_remove(held.oldest->pprev);
		p = held_find(key);     /* the chain may have changed */
	}
	if ((h = pool_get(&held_pool)) == NULL)
		return NULL;
	memcpy(h->key, key, 12);
	h->next = *p;
	if (h->next != NULL)
		h->next->pprev = &h->next;
	h->pprev = p;
	*p = h;
	held_append(h);
	held.count++;
	if (held.count > held.buckets && held.buckets < HELD_BUCKETS)
		held_grow();
	return h;
}

/* Does the TCP header carry a signature option, TCP-MD5 (kind 19, RFC
 * 2385) or TCP-AO (kind 29, RFC 5925)? One walk for both. */
static int
is_signed_segment(const uint8_t *tcp)
{
	size_t len = (size_t)(tcp[12] >> 4) * 4, i = 20;

	while (i < len) {
		if (tcp[i] == 0)
			return 0;
		if (tcp[i] == 1) {
			i++;
			continue;
		}
		if (tcp[i] == 19 || tcp[i] == 29)
			return 1;
		if (i + 1 >= len || tcp[i + 1] < 2)
			return 0;
		i += tcp[i + 1];
	}
	return 0;
}

/* A client SYN: keep the latest one of its 4-tuple (a retransmission, or
 * a new attempt). Data it carries (Fast Open) is kept too, up to
 * HELD_DATA bytes. */
static void
hold_syn(struct stats *st, const uint8_t *ip, size_t total, int64_t ts)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	size_t hdr = ihl + (size_t)(ip[ihl + 12] >> 4) * 4;
	struct held *h, **p;
	uint8_t key[12];

	client_key(key, ip, 1);
	if (held.bucket == NULL) {
		held.bucket = calloc(HELD_BUCKETS_MIN, sizeof(*held.bucket));
		if (held.bucket == NULL)
			return;
		held.buckets = HELD_BUCKETS_MIN;
		held.seed = hash_seed();
	}
	p = held_find(key);
	if (*p != NULL) {
		h = *p;
		held_unlink(h);
		held_append(h);
		free(h->data);
		h->data = NULL;
		h->data_len = 0;
	} else if ((h = held_new(st, p, key)) == NULL) {
		return;
	}
	h->isn = be32(ip + ihl + 4);
	h->ts = ts;
	h->len = (uint16_t)hdr;
	memcpy(h->packet, ip, hdr);
	put16(h->packet + 2, (unsigned)hdr);   /* headers only */
	front_ip_checksum(h->packet, ihl);
	if (total > hdr && total - hdr <= HELD_DATA &&
	    (h->data = malloc(total - hdr)) != NULL) {
		memcpy(h->data, ip + hdr, total - hdr);
		h->data_len = (uint16_t)(total - hdr);
	}
}

/* Connections that negotiated TCP-MD5 (RFC 2385) or TCP-AO (RFC 5925):
 * a few, remembered in a small table; others drop signed segments. */
#define SIGNED_SLOTS 1024
static uint8_t (*signed_keys)[12];

static int
is_signed(const uint8_t key[12])
{
	return signed_keys != NULL && memcmp(signed_keys[hash_bytes(held.seed,
	    key, 12) & (SIGNED_SLOTS - 1)], key, 12) == 0;
}

static void
mark_signed(const uint8_t key[12])
{
	if (signed_keys == NULL &&
	    (signed_keys = calloc(SIGNED_SLOTS, 12)) == NULL)
		return;
	memcpy(signed_keys[hash_bytes(held.seed, key, 12) & (SIGNED_SLOTS - 1)],
	    key, 12);
}

/* A SYN-ACK: does it accept a held SYN? Then whatever libnids follows on
 * that 4-tuple is over; give it the SYN, the SYN-ACK and, when the server
 * took the SYN's data (Fast Open), that data as the first segment. Returns
 * 1 when it fed libnids the SYN-ACK itself. */
static int
release_syn(struct analysis *an, const uint8_t *ip, int64_t ts)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	const uint8_t *tcp = ip + ihl;
	uint32_t ack = be32(tcp + 8), next;
	uint8_t key[12], synack[HELD_BYTES], seg[40 + HELD_DATA];
	struct held **p, *h;
	size_t n;
	int tfo;

	client_key(key, ip, 0);
	if ((p = held_find(key)) == NULL || (h = *p) == NULL)
		return 0;
	tfo = h->data_len > 0 && ack == h->isn + 1 + h->data_len;
	if (ack != h->isn + 1 && !tfo)
		return 0;
	if (reassembly_follows(h->packet, &next)) {
		if (reassembly_established(h->packet))
			an->st->tuples_reused++;
		reassembly_end(h->packet);
	}
	if (is_signed_segment(h->packet + ihl))
		mark_signed(key);
	reassembly_ipv4(h->packet, h->len, h->ts);
	if (!tfo) {
		held_remove(p);
		return 0;
	}
	/* libnids wants the SYN-ACK to acknowledge the SYN alone */
	n = ihl + (size_t)(tcp[12] >> 4) * 4;
	memcpy(synack, ip, n < sizeof(synack) ? n : sizeof(synack));
	put16(synack + 2, (unsigned)n);
	put32(synack + ihl + 8, h->isn + 1);
	front_ip_checksum(synack, ihl);
	reassembly_ipv4(synack, n, ts);
	n = make_segment(seg, key, key + 4, key + 8, key + 10, h->isn + 1,
	    be32(tcp + 4) + 1, TH_ACK | TH_PSH, NULL, 0, h->data, h->data_len);
	reassembly_ipv4(seg, n, ts);
	an->st->fast_open++;
	held_remove(p);
	return 1;
}

/* --- connections already open when the capture began --- */

/* Does the payload begin with an HTTP/1.x request line (RFC 9112 3)?
 * A whole line must end in HTTP/1.x; a line the segment cuts must begin
 * with a method of RFC 9110 9.3, since body bytes could begin with any
 * token and a space. */
static int
begins_request(const uint8_t *d, size_t n)
{
	static const char *const methods[] = {"GET", "POST", "HEAD", "PUT",
	    "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", NULL};
	size_t m = 0, e;
	const uint8_t *lf;

	while (m < n && m < 32 && d[m] > ' ' && d[m] < 0x7f && d[m] != '/')
		m++;
	if (m == 0 || m >= n || d[m] != ' ' || m == 32)
		return 0;
	lf = memchr(d, '\n', n < 8192 ? n : 8192);
	if (lf != NULL) {
		e = (size_t)(lf - d);
		if (e > 0 && d[e - 1] == '\r')
			e--;
		return e >= m + 10 && memcmp(d + e - 8, "HTTP/1.", 7) == 0 &&
		    d[e - 9] == ' ';
	}
	for (size_t i = 0; methods[i] != NULL; i++)
		if (strlen(methods[i]) == m && memcmp(d, methods[i], m) == 0)
			return 1;
	return 0;
}

static int
begins_response(const uint8_t *d, size_t n)
{
	return n >= 12 && memcmp(d, "HTTP/1.", 7) == 0 && d[8] == ' ';
}

/* A segment that begins a request, on a 4-tuple libnids does not follow:
 * make up the handshake it would have seen, its numbers taken from the
 * segment, with window scaling at its largest (RFC 7323: 14) so that what
 * follows falls inside the window. */
static void
pick_up(struct analysis *an, struct tcpwatch *w, const uint8_t *ip,
    int64_t ts)
{
	static const uint8_t wscale[4] = {3, 3, 14, 1};
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	const uint8_t *tcp = ip + ihl;
	uint32_t seq = be32(tcp + 4), ack = be32(tcp + 8);
	uint8_t key[12], pkt[64];
	struct held **p;
	size_t n;

	client_key(key, ip, 1);
	if ((p = held_find(key)) != NULL && *p != NULL)
		held_remove(p);         /* its SYN-ACK is not in the capture */
	tcpwatch_established(w, ip);
	reassembly_pickup(1);
	n = make_segment(pkt, key, key + 4, key + 8, key + 10, seq - 1, 0,
	    TH_SYN, wscale, 4, NULL, 0);
	reassembly_ipv4(pkt, n, ts);
	n = make_segment(pkt, key + 4, key, key + 10, key + 8, ack - 1, seq,
	    TH_SYN | TH_ACK, wscale, 4, NULL, 0);
	reassembly_ipv4(pkt, n, ts);
	n = make_segment(pkt, key, key + 4, key + 8, key + 10, seq, ack,
	    TH_ACK, NULL, 0, NULL, 0);
	reassembly_ipv4(pkt, n, ts);
	reassembly_pickup(0);
	an->st->midstream_flows++;
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

/* An RST or FIN the receiving host would ignore: outside its window
 * (RFC 5961 3.2: an RST only at the next sequence number it expects), or
 * an RST signed with TCP-MD5 or TCP-AO on a connection that did not
 * negotiate it (RFC 2385 2.0, RFC 5925 7.7). */
static int
ignored_end(struct stats *st, const uint8_t *p, unsigned flags)
{
	const uint8_t *tcp = p + (size_t)(p[0] & 15) * 4;
	uint8_t key[12];

	if ((flags & TH_RST) && is_signed_segment(tcp)) {
		client_key(key, p, reassembly_from_client(p));
		if (!is_signed(key)) {
			st->signed_ignored++;
			return 1;
		}
	}
	if (!reassembly_end_acceptable(p, (flags & TH_RST) != 0)) {
		st->ends_ignored++;
		return 1;
	}
	return 0;
}

/* A segment with data that libnids did not take: it falls on a 4-tuple
 * libnids does not follow (or it was old). A response there is counted;
 * a request is picked up. flags as front_ipv4() masks them. */
static void
not_followed(struct analysis *an, struct tcpwatch *w, const uint8_t *p,
    size_t len, size_t total, size_t hdr, unsigned flags, int64_t ts)
{
	if (reassembly_follows(p, NULL))
		return;
	if (begins_response(p + hdr, total - hdr)) {
		an->st->early_responses++;
	} else if ((flags & TH_ACK) && begins_request(p + hdr, total - hdr)) {
		pick_up(an, w, p, ts);
		reassembly_ipv4(p, len, ts);
	}
}

/* The segment of nearly every packet: a 20-byte IPv4 header, no
 * fragment, captured whole, a TCP header that fits, and none of SYN, RST
 * or FIN. vet_ipv4() and front_tcp_ok() pass it, and of front_ipv4()'s
 * tricks only the pick-up can apply; the TCP watch follows handshakes
 * (SYNs, RSTs) and has nothing to do with it. Returns the TCP header's
 * end, or 0 for any other packet. */
static size_t
plain_segment(const uint8_t *ip, size_t caplen, size_t *total)
{
	size_t doff;

	if (caplen < 40 || ip[0] != 0x45 || ((ip[6] & 0x3f) | ip[7]) != 0 ||
	    ip[9] != 6 || (ip[33] & (TH_SYN | TH_RST | TH_FIN)) != 0)
		return 0;
	*total = be16(ip + 2);
	doff = (size_t)(ip[32] >> 4) * 4;
	if (*total > caplen || doff < 20 || 20 + doff > *total)
		return 0;
	return 20 + doff;
}

void
front_ipv4(struct analysis *an, struct tcpwatch *w, const uint8_t *ip,
    size_t caplen, int64_t ts)
{
	uint8_t pad[60 + 8];
	size_t total, hdr, len = caplen;
	const uint8_t *p;
	unsigned flags;

	if ((hdr = plain_segment(ip, caplen, &total)) != 0) {
		if (!reassembly_segment(ip, caplen, ts) && total > hdr)
			not_followed(an, w, ip, caplen, total, hdr,
			    ip[33] & TH_ACK, ts);
		reassembly_fill_gaps();
		return;
	}
	if ((p = vet_ipv4(an->st, ip, &len, pad)) == NULL)
		return;
	if (((p[6] & 0x3f) | p[7]) != 0) {
		/* TCP is vetted once libnids has put the fragments together */
		reassembly_ipv4(p, len, ts);
		return;
	}
	total = be16(p + 2);
	if (total <= len && !front_tcp_ok(an->st, p, total))
		return;
	hdr = (size_t)(p[0] & 15) * 4;
	if (total <= len && (p[hdr + 13] & (TH_SYN | TH_ACK)) == TH_SYN)
		held_prefetch(p);
	tcpwatch_ipv4(w, p, len, ts);
	if (total > len) {
		reassembly_ipv4(p, len, ts);    /* cut: it marks the loss */
		return;
	}
	flags = p[hdr + 13] & (TH_SYN | TH_ACK | TH_RST | TH_FIN);
	hdr += (size_t)(p[hdr + 12] >> 4) * 4;
	if (flags == TH_SYN) {
		hold_syn(an->st, p, total, ts);
		return;
	}
	if (flags == (TH_SYN | TH_ACK) && release_syn(an, p, ts))
		return;
	if ((flags & (TH_RST | TH_FIN)) && ignored_end(an->st, p, flags))
		return;
	/* libnids first: what it follows moves it, and the rest (rare)
	 * costs the lookups */
	if (!reassembly_ipv4(p, len, ts) && total > hdr &&
	    !(flags & (TH_SYN | TH_RST)))
		not_followed(an, w, p, len, total, hdr, flags, ts);
	reassembly_fill_gaps();
}

void
front_finish(void)
{
	while (held.oldest != NULL)
		held_remove(held.oldest->pprev);
	free(held.bucket);
	held.bucket = NULL;
	pool_drain(&held_pool);
	free(signed_keys);
	signed_keys = NULL;
}
