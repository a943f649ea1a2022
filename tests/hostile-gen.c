/* hostile-gen: write the hostile captures of tests/hostile.sh.
 *
 * usage: hostile-gen SHAPE [N] > out.pcap
 *
 * Shapes a real peer will not produce on demand, each around one or more
 * ordinary HTTP/1.1 connections (192.0.2.10 -> 198.51.100.20:80, raw IPv4
 * link type, timestamps from 2026-01-01 00:00:00 UTC). Same arguments, same
 * bytes. Shapes:
 *   short-fragment   an IPv4 fragment with MF set and no payload, one at
 *                    offset 8 (RFC 1858), and a request sent as two
 *                    fragments, the last one 3 bytes long
 *   syn-fragments    the client's SYN (20 bytes of options) in two IPv4
 *                    fragments, 32 bytes and 8, then the exchange, its
 *                    request sent twice
 *   bad-doff         a segment with TCP data offset 4 before the request
 *   bad-ip           IHL 4, total length under the IHL, an IP option
 *                    running past the header, between the packets
 *   reuse N          a GET answered by 102 whose FIN is not captured, then
 *                    N seconds later a new connection on the same 4-tuple
 *   spoofed-syn      two SYNs with other ISNs on the 4-tuple of an open
 *                    connection, that the server never answers
 *   spoofed-first    a SYN with another ISN before the client's own
 *   syn-collide N    N SYNs whose 4-tuples share one bucket of the SYN
 *                    table's former, unkeyed hash
 *   syn-random N     N SYNs from random ports, for comparison
 *   held N           N connections each sending 60 KB of a request line
 *                    that never ends
 *   huge-time        pcapng whose if_tsoffset puts packets past year 10^11
 *   epoch0           a request at 0.000000 (1970) unanswered for 105 s
 *   clock-back       102, then the clock steps back an hour, then 200
 *   head N           a request whose 60 KB header block comes N bytes
 *                    per segment (N up to 65,000), answered by 200
 *   ignored-ends     RSTs and FINs outside the window, and RSTs signed
 *                    with TCP-MD5 and TCP-AO, mid-exchange
 *   fast-open        the request in the SYN (TCP Fast Open)
 *   midstream        no handshake: a GET (102, 200), then a POST with
 *                    Expect: 100-continue on the same connection
 *   midstream-response-first   the same, after the end of a response to
 *                    a request before the capture
 *   one-sided        the client's packets only; its request waits 200 s
 *   gap-body         1,000 bytes of a 3,000-byte body lost by the capture
 *   gap-between      a whole request lost by the capture, answered
 *   waiting-and-idle N   one request waiting while N connections open,
 *                    are answered and stay open
 *   open N           N requests still waiting when the capture ends
 *   servers N        N servers (ports 8000 to 8000 + N - 1), server i
 *                    answering 1 + i % 3 requests, each after i ms
 *   gives-up         clients that give up at 6 s (curl --max-time 6) on a
 *                    silent server: a GET with a 300-byte target, answered
 *                    200 at 105 s (the client resets), and a POST with a
 *                    chunked body, closed by the server at 110 s
 *   held-1xx         1xx held back by a hop: silent 105 s, then 102 and
 *                    200 1 ms apart (port 40060); 102, silent 105 s, then
 *                    102, 103 and 200 (40061); and, not held, a 102 alone
 *                    at 103 s and the 200 at 104 s (40062)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0        1767225600LL         /* 2026-01-01 00:00:00 UTC */
#define LINKTYPE_RAW 101
#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

static const uint8_t CLIENT[4] = {192, 0, 2, 10};
static const uint8_t SERVER[4] = {198, 51, 100, 20};

static const char REQUEST[] = "GET /report HTTP/1.1\r\nHost: origin.example\r\n"
    "User-Agent: hostile-gen/1\r\n\r\n";
static const char INTERIM[] = "HTTP/1.1 102 Processing\r\n\r\n";
static const char FINAL[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";

static int pcapng;              /* write pcapng EPBs instead of records */

/* What a test may bend in one packet. */
struct shape {
	int ihl;                /* 32-bit words; 0: 5 */
	int doff;               /* 32-bit words; 0: 5 */
	int total_delta;        /* added to the true total length */
	int frag_off;           /* 8-byte units */
	int mf;
	const uint8_t *ipopt;   /* IHL beyond 5 filled with these */
	const uint8_t *tcpopt;  /* TCP options, a multiple of 4 bytes */
	size_t tcpopt_len;
};

/* One side's addresses and next sequence number. */
struct end {
	const uint8_t *addr;
	uint16_t port;
	uint32_t seq;
};

struct conn {
	struct end c, s;
	double t;               /* seconds after T0 */
};

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

static void
le32(uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 24)};

	fwrite(b, 1, 4, stdout);
}

static void
le16(unsigned v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	fwrite(b, 1, 2, stdout);
}

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static unsigned
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void
file_header(void)
{
	if (!pcapng) {
		le32(0xa1b2c3d4);
		le16(2);
		le16(4);
		le32(0);
		le32(0);
		le32(262144);
		le32(LINKTYPE_RAW);
		return;
	}
	/* SHB */
	le32(0x0a0d0d0a);
	le32(28);
	le32(0x1a2b3c4d);
	le16(1);
	le16(0);
	le32(0xffffffff);
	le32(0xffffffff);
	le32(28);
	/* IDB with if_tsoffset (14) = 2^62 + 12345 s, then opt_endofopt */
	le32(1);
	le32(16 + 12 + 4 + 4);
	le16(LINKTYPE_RAW);
	le16(0);
	le32(262144);
	le16(14);
	le16(8);
	le32(12345);
	le32(0x40000000);
	le32(0);
	le32(16 + 12 + 4 + 4);
}

static void
record(double t, const uint8_t *p, size_t n)
{
	int64_t us = (int64_t)((T0 + t) * 1e6 + 0.5);

	if (!pcapng) {
		le32((uint32_t)(us / 1000000));
		le32((uint32_t)(us % 1000000));
		le32((uint32_t)n);
		le32((uint32_t)n);
		fwrite(p, 1, n, stdout);
		return;
	}
	size_t padded = (n + 3) & ~(size_t)3;
	uint64_t ts = (uint64_t)us;

	le32(6);
	le32((uint32_t)(32 + padded));
	le32(0);
	le32((uint32_t)(ts >> 32));
	le32((uint32_t)ts);
	le32((uint32_t)n);
	le32((uint32_t)n);
	fwrite(p, 1, n, stdout);
	for (size_t i = n; i < padded; i++)
		putchar(0);
	le32((uint32_t)(32 + padded));
}

/* An IPv4 packet carrying TCP (or, with sh->frag_off or sh->mf, a piece
 * of one: tcp_part bytes of the segment from byte tcp_from). */
static void
packet(double t, const struct end *from, const struct end *to, uint32_t ack,
    int flags, const void *data, size_t len, const struct shape *sh)
{
	static const struct shape none;
	uint8_t seg[65536], pkt[65536];
	size_t ihl, doff, n;
	uint32_t sum;

	if (sh == NULL)
		sh = &none;
	ihl = (size_t)(sh->ihl ? sh->ihl : 5) * 4;
	doff = (size_t)(sh->doff ? sh->doff : 5 + (int)sh->tcpopt_len / 4) * 4;
	if (doff < 20)
		doff = 20;      /* the bytes are there; the field lies */
	memset(seg, 0, doff);
	if (sh->tcpopt_len > 0)
		memcpy(seg + 20, sh->tcpopt, sh->tcpopt_len);
	put16(seg, from->port);
	put16(seg + 2, to->port);
	put32(seg + 4, from->seq);
	put32(seg + 8, ack);
	seg[12] = (uint8_t)(doff / 4 << 4);
	if (sh->doff)
		seg[12] = (uint8_t)(sh->doff << 4);
	seg[13] = (uint8_t)flags;
	put16(seg + 14, 65535);
	if (len > 0)
		memcpy(seg + doff, data, len);
	n = doff + len;
	memset(pkt, 0, ihl);
	pkt[0] = (uint8_t)(0x40 | (sh->ihl ? sh->ihl : 5));
	put16(pkt + 2, (unsigned)((int)(ihl + n) + sh->total_delta));
	put16(pkt + 6, (unsigned)((sh->mf ? 0x2000 : 0) | sh->frag_off));
	pkt[8] = 64;
	pkt[9] = 6;
	memcpy(pkt + 12, from->addr, 4);
	memcpy(pkt + 16, to->addr, 4);
	if (sh->ipopt != NULL && ihl > 20)
		memcpy(pkt + 20, sh->ipopt, ihl - 20);
	sum = sum16(from->addr, 4, 0);
	sum = sum16(to->addr, 4, sum);
	sum += 6 + (uint32_t)n;
	put16(seg + 16, fold(sum16(seg, n, sum)));
	put16(pkt + 10, fold(sum16(pkt, ihl < 20 ? 20 : ihl, 0)));
	memcpy(pkt + (ihl < 20 ? 20 : ihl), seg, n);
	record(t, pkt, (ihl < 20 ? 20 : ihl) + n);
}

/* A raw IPv4 packet of the given bytes after the 20-byte header. */
static void
raw_ip(double t, const struct end *from, const struct end *to, int mf,
    int off, const uint8_t *payload, size_t len)
{
	uint8_t pkt[2048];

	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	put16(pkt + 2, (unsigned)(20 + len));
	put16(pkt + 4, 0x4242);
	put16(pkt + 6, (unsigned)((mf ? 0x2000 : 0) | off));
	pkt[8] = 64;
	pkt[9] = 6;
	memcpy(pkt + 12, from->addr, 4);
	memcpy(pkt + 16, to->addr, 4);
	put16(pkt + 10, fold(sum16(pkt, 20, 0)));
	if (len > 0)
		memcpy(pkt + 20, payload, len);
	record(t, pkt, 20 + len);
}

static void
send_data(struct conn *k, int from_client, const void *data, size_t len)
{
	struct end *a = from_client ? &k->c : &k->s;
	struct end *b = from_client ? &k->s : &k->c;

	packet(k->t, a, b, b->seq, F_PSH | F_ACK, data, len, NULL);
	a->seq += (uint32_t)len;
	k->t += 0.0001;
	packet(k->t, b, a, a->seq, F_ACK, NULL, 0, NULL);
	k->t += 0.0001;
}

/* The server's SYN-ACK to the client's SYN (its sequence number already
 * counted), and the client's ACK. */
static void
handshake_answer(struct conn *k)
{
	packet(k->t, &k->s, &k->c, k->c.seq, F_SYN | F_ACK, NULL, 0, NULL);
	k->s.seq++;
	k->t += 0.0001;
	packet(k->t, &k->c, &k->s, k->s.seq, F_ACK, NULL, 0, NULL);
	k->t += 0.0001;
}

static void
handshake(struct conn *k)
{
	packet(k->t, &k->c, &k->s, 0, F_SYN, NULL, 0, NULL);
	k->c.seq++;
	k->t += 0.0001;
	handshake_answer(k);
}

/* A TCP segment from the client of k, written into seg by hand for
 * raw_ip() to cut into fragments: flags, options (a multiple of 4 bytes)
 * and data, its checksum right. Returns its length. */
static size_t
tcp_segment(uint8_t *seg, const struct conn *k, int flags,
    const uint8_t *opt, size_t opt_len, const void *data, size_t len)
{
	size_t n = 20 + opt_len + len;
	uint32_t sum;

	memset(seg, 0, 20);
	put16(seg, k->c.port);
	put16(seg + 2, k->s.port);
	put32(seg + 4, k->c.seq);
	if (flags & F_ACK)
		put32(seg + 8, k->s.seq);
	seg[12] = (uint8_t)((20 + opt_len) / 4 << 4);
	seg[13] = (uint8_t)flags;
	put16(seg + 14, 65535);
	if (opt_len > 0)
		memcpy(seg + 20, opt, opt_len);
	if (len > 0)
		memcpy(seg + 20 + opt_len, data, len);
	sum = sum16(k->c.addr, 4, 0);
	sum = sum16(k->s.addr, 4, sum);
	sum += 6 + (uint32_t)n;
	put16(seg + 16, fold(sum16(seg, n, sum)));
	return n;
}

static void
teardown(struct conn *k)
{
	packet(k->t, &k->c, &k->s, k->s.seq, F_FIN | F_ACK, NULL, 0, NULL);
	k->c.seq++;
	k->t += 0.0001;
	packet(k->t, &k->s, &k->c, k->c.seq, F_FIN | F_ACK, NULL, 0, NULL);
	k->s.seq++;
	k->t += 0.0001;
	packet(k->t, &k->c, &k->s, k->s.seq, F_ACK, NULL, 0, NULL);
	k->t += 0.0001;
}

static struct conn
conn_new(uint16_t port, double t)
{
	struct conn k = {{CLIENT, port, 1000000}, {SERVER, 80, 5000000}, t};

	return k;
}

/* GET, 102, 200 on a fresh connection: the shape every test builds on. */
static void
exchange(struct conn *k)
{
	send_data(k, 1, REQUEST, sizeof(REQUEST) - 1);
	send_data(k, 0, INTERIM, sizeof(INTERIM) - 1);
	k->t += 0.3;
	send_data(k, 0, FINAL, sizeof(FINAL) - 1);
}

/* --- shapes --- */

static void
short_fragment(void)
{
	struct conn k = conn_new(40001, 0);
	uint8_t seg[20 + sizeof(REQUEST)], eight[8] = {0};
	size_t rl = sizeof(REQUEST) - 1, cut;

	handshake(&k);
	raw_ip(k.t, &k.c, &k.s, 1, 0, NULL, 0);         /* MF, no payload */
	k.t += 0.0001;
	raw_ip(k.t, &k.c, &k.s, 1, 1, eight, 8);        /* RFC 1858 */
	k.t += 0.0001;
	/* the request as one TCP segment in two fragments, the last one 3
	 * bytes long */
	tcp_segment(seg, &k, F_PSH | F_ACK, NULL, 0, REQUEST, rl);
	cut = (20 + rl - 3) & ~(size_t)7;
	raw_ip(k.t, &k.c, &k.s, 1, 0, seg, cut);
	k.t += 0.0001;
	raw_ip(k.t, &k.c, &k.s, 0, (int)(cut / 8), seg + cut, 20 + rl - cut);
	k.c.seq += (uint32_t)rl;
	k.t += 0.0001;
	packet(k.t, &k.s, &k.c, k.c.seq, F_ACK, NULL, 0, NULL);
	k.t += 0.0001;
	send_data(&k, 0, INTERIM, sizeof(INTERIM) - 1);
	k.t += 0.3;
	send_data(&k, 0, FINAL, sizeof(FINAL) - 1);
	teardown(&k);
}

/* A SYN that libnids sees only once it has put it together: the TCP
 * header (with options: MSS, SACK permitted, timestamps, window scale)
 * in two fragments. The request comes again, which libnids takes nothing
 * from: the connection must still be known as followed, not picked up
 * anew. */
static void
syn_fragments(void)
{
	static const uint8_t opts[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10,
	    0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
	struct conn k = conn_new(40096, 0);
	uint8_t seg[40];

	tcp_segment(seg, &k, F_SYN, opts, sizeof(opts), NULL, 0);
	raw_ip(k.t, &k.c, &k.s, 1, 0, seg, 32);
	k.t += 0.0001;
	raw_ip(k.t, &k.c, &k.s, 0, 4, seg + 32, 8);
	k.c.seq++;
	k.t += 0.0001;
	handshake_answer(&k);
	send_data(&k, 1, REQUEST, sizeof(REQUEST) - 1);
	k.c.seq -= (uint32_t)(sizeof(REQUEST) - 1);     /* sent again */
	packet(k.t, &k.c, &k.s, k.s.seq, F_PSH | F_ACK, REQUEST,
	    sizeof(REQUEST) - 1, NULL);
	k.c.seq += (uint32_t)(sizeof(REQUEST) - 1);
	k.t += 0.0001;
	send_data(&k, 0, INTERIM, sizeof(INTERIM) - 1);
	k.t += 0.3;
	send_data(&k, 0, FINAL, sizeof(FINAL) - 1);
	teardown(&k);
}

static void
bad_doff(void)
{
	struct conn k = conn_new(40002, 0);
	struct shape sh = {.doff = 4};
	static const char junk[] = "XXXXXXXX";

	handshake(&k);
	packet(k.t, &k.c, &k.s, k.s.seq, F_PSH | F_ACK, junk, 8, &sh);
	k.t += 0.0001;
	exchange(&k);
	teardown(&k);
}

static void
bad_ip(void)
{
	static const uint8_t overrun[4] = {7, 9, 4, 0};   /* RR, length 9 */
	struct shape ihl4 = {.ihl = 4};
	struct shape short_total = {.total_delta = -40};
	struct shape options = {.ihl = 6, .ipopt = overrun};
	struct conn k = conn_new(40003, 0);

	handshake(&k);
	packet(k.t, &k.c, &k.s, k.s.seq, F_PSH | F_ACK, "GET", 3, &ihl4);
	packet(k.t, &k.c, &k.s, k.s.seq, F_PSH | F_ACK, "GET", 3,
	    &short_total);
	packet(k.t, &k.c, &k.s, k.s.seq, F_PSH | F_ACK, "GET", 3, &options);
	k.t += 0.0001;
	exchange(&k);
	teardown(&k);
}

/* The FIN of the first connection is not in the capture. */
static void
reuse(double gap)
{
	struct conn k = conn_new(40004, 0);

	handshake(&k);
	send_data(&k, 1, REQUEST, sizeof(REQUEST) - 1);
	send_data(&k, 0, INTERIM, sizeof(INTERIM) - 1);
	k = conn_new(40004, gap);
	k.c.seq = 7000000;
	k.s.seq = 9000000;
	handshake(&k);
	exchange(&k);
	teardown(&k);
}

static void
spoofed_syn(void)
{
	struct conn k = conn_new(40005, 0);
	struct end spoof = k.c;

	handshake(&k);
	send_data(&k, 1, REQUEST, sizeof(REQUEST) - 1);
	spoof.seq = 123456;
	packet(k.t, &spoof, &k.s, 0, F_SYN, NULL, 0, NULL);
	spoof.seq = 654321;
	packet(k.t + 0.00005, &spoof, &k.s, 0, F_SYN, NULL, 0, NULL);
	send_data(&k, 0, INTERIM, sizeof(INTERIM) - 1);
	k.t += 0.3;
	send_data(&k, 0, FINAL, sizeof(FINAL) - 1);
	teardown(&k);
}

/* A spoofed SYN first, with another ISN, then the client's own; the
 * server accepts the client's. */
static void
spoofed_first(void)
{
	struct conn k = conn_new(40015, 0);
	struct end spoof = k.c;

	spoof.seq = 424242;
	packet(k.t, &spoof, &k.s, 0, F_SYN, NULL, 0, NULL);
	k.t += 0.0001;
	handshake(&k);
	exchange(&k);
	teardown(&k);
}

/* The former bucket_of() of tcpwatch.c, little-endian words:
 *   h = a * 2654435761 ^ (b + 0x9e3779b9) * 40503 ^ (sport << 16 | dport)
 *       * 2246822519, bucket (h ^ h >> 16) & 16383.
 * For each port, solve for the client address a that makes h 0. */
static uint32_t
inverse(uint32_t k)
{
	uint32_t x = k;         /* Newton's iteration, mod 2^32 */

	for (int i = 0; i < 5; i++)
		x *= 2 - k * x;
	return x;
}

static void
syns(int n, int collide)
{
	uint32_t b, rng = 12345;
	struct end srv = {SERVER, 80, 0};

	memcpy(&b, SERVER, 4);
	for (int i = 0; i < n && i < 65536; i++) {
		uint16_t sport = (uint16_t)i;
		uint8_t addr[4];
		struct end cl = {addr, sport, (uint32_t)i * 7919u};

		if (collide) {
			uint32_t rest = (b + 0x9e3779b9u) * 40503u ^
			    ((uint32_t)sport << 16 | 80) * 2246822519u;
			uint32_t a = inverse(2654435761u) * rest;

			memcpy(addr, &a, 4);
		} else {
			rng ^= rng << 13;
			rng ^= rng >> 17;
			rng ^= rng << 5;
			memcpy(addr, &rng, 4);
			addr[0] = 10;
		}
		packet(1.0 + i * 1e-6, &cl, &srv, 0, F_SYN, NULL, 0, NULL);
	}
}

/* A request line, then 60 KB of header fields in 1,400-byte segments,
 * and never the empty line that ends them. */
static void
held(int n)
{
	static const char first[] = "GET /held HTTP/1.1\r\nHost: origin.example\r\n";
	char line[1400];

	memset(line, 'a', sizeof(line));
	memcpy(line, "X-Pad: ", 7);
	line[sizeof(line) - 2] = '\r';
	line[sizeof(line) - 1] = '\n';
	for (int i = 0; i < n; i++) {
		struct conn k = conn_new((uint16_t)(20000 + i), i * 0.001);

		handshake(&k);
		packet(k.t, &k.c, &k.s, k.s.seq, F_ACK, first,
		    sizeof(first) - 1, NULL);
		k.c.seq += sizeof(first) - 1;
		for (int s = 0; s < 43; s++) {
			packet(k.t, &k.c, &k.s, k.s.seq, F_ACK, line,
			    sizeof(line), NULL);
			k.c.seq += sizeof(line);
		}
	}
}

static void
huge_time(void)
{
	struct conn k = conn_new(40006, 0);

	pcapng = 1;
	file_header();
	handshake(&k);
	exchange(&k);
	teardown(&k);
}

static void
epoch0(double start)
{
	struct conn k = conn_new(40007, 0);

	k.t = start - T0;
	packet(k.t, &k.c, &k.s, 0, F_SYN, NULL, 0, NULL);
	k.c.seq++;
	packet(k.t, &k.s, &k.c, k.c.seq, F_SYN | F_ACK, NULL, 0, NULL);
	k.s.seq++;
	packet(k.t, &k.c, &k.s, k.s.seq, F_ACK, NULL, 0, NULL);
	packet(k.t, &k.c, &k.s, k.s.seq, F_PSH | F_ACK, REQUEST,
	    sizeof(REQUEST) - 1, NULL);
	k.c.seq += sizeof(REQUEST) - 1;
	packet(k.t + 0.0001, &k.s, &k.c, k.c.seq, F_ACK, NULL, 0, NULL);
	k.t += 105;
	send_data(&k, 0, FINAL, sizeof(FINAL) - 1);
	teardown(&k);
}

static void
clock_back(void)
{
	struct conn k = conn_new(40008, 7200);

	handshake(&k);
	send_data(&k, 1, REQUEST, sizeof(REQUEST) - 1);
	send_data(&k, 0, INTERIM, sizeof(INTERIM) - 1);
	k.t -= 3600;
	send_data(&k, 0, FINAL, sizeof(FINAL) - 1);
	teardown(&k);
}

static void
head_segments(size_t seg)
{
	static char head[61000];
	struct conn k = conn_new(40009, 0);
	size_t n = 0;

	n += (size_t)snprintf(head, sizeof(head), "GET /big HTTP/1.1\r\n"
	    "Host: origin.example\r\n");
	while (n < 60000)
		n += (size_t)snprintf(head + n, sizeof(head) - n,
		    "X-Filler-%05zu: %s\r\n", n, "0123456789abcdef0123456789");
	n += (size_t)snprintf(head + n, sizeof(head) - n, "\r\n");
	handshake(&k);
	for (size_t i = 0; i < n; i += seg) {
		size_t m = n - i < seg ? n - i : seg;

		packet(k.t, &k.c, &k.s, k.s.seq, F_ACK, head + i, m, NULL);
		k.c.seq += (uint32_t)m;
		k.t += 0.000001;
	}
	packet(k.t, &k.s, &k.c, k.c.seq, F_ACK, NULL, 0, NULL);
	send_data(&k, 0, FINAL, sizeof(FINAL) - 1);
	teardown(&k);
}

/* RSTs and FINs a host ignores: outside the window, or signed (TCP-MD5,
 * TCP-AO) on a connection that negotiated no signature. */
static void
ignored_ends(void)
{
	static const uint8_t md5[20] = {1, 1, 19, 18};  /* NOP NOP MD5 */
	static const uint8_t ao[20] = {29, 20, 1, 1};   /* AO, keys 1 */
	struct shape with_md5 = {.tcpopt = md5, .tcpopt_len = 20};
	struct shape with_ao = {.tcpopt = ao, .tcpopt_len = 20};
	struct conn k = conn_new(40010, 0);
	struct end far;

	handshake(&k);
	send_data(&k, 1, REQUEST, sizeof(REQUEST) - 1);
	far = k.s;
	far.seq += 0x40000000u;
	packet(k.t, &far, &k.c, k.c.seq, F_RST, NULL, 0, NULL);
	packet(k.t, &far, &k.c, k.c.seq, F_FIN | F_ACK, NULL, 0, NULL);
	far = k.c;
	far.seq -= 0x40000000u;
	packet(k.t, &far, &k.s, k.s.seq, F_RST, NULL, 0, NULL);
	packet(k.t, &k.s, &k.c, k.c.seq, F_RST | F_ACK, NULL, 0, &with_md5);
	packet(k.t, &k.c, &k.s, k.s.seq, F_RST | F_ACK, NULL, 0, &with_ao);
	k.t += 0.0001;
	send_data(&k, 0, INTERIM, sizeof(INTERIM) - 1);
	k.t += 0.3;
	send_data(&k, 0, FINAL, sizeof(FINAL) - 1);
	teardown(&k);
}

/* TCP Fast Open: the request rides in the SYN, which the SYN-ACK
 * acknowledges with it. */
static void
fast_open(void)
{
	static const uint8_t cookie[12] = {34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1};
	struct shape tfo = {.tcpopt = cookie, .tcpopt_len = 12};
	struct conn k = conn_new(40011, 0);
	size_t rl = sizeof(REQUEST) - 1;

	packet(k.t, &k.c, &k.s, 0, F_SYN, REQUEST, rl, &tfo);
	k.c.seq += 1 + (uint32_t)rl;
	k.t += 0.0001;
	handshake_answer(&k);
	send_data(&k, 0, INTERIM, sizeof(INTERIM) - 1);
	k.t += 0.3;
	send_data(&k, 0, FINAL, sizeof(FINAL) - 1);
	teardown(&k);
}

static const char POST[] = "POST /upload HTTP/1.1\r\nHost: origin.example\r\n"
    "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n";
static const char CONTINUE[] = "HTTP/1.1 100 Continue\r\n\r\n";

/* A keep-alive connection already open when the capture began: first
 * the end of a response to a request before it (only with
 * response_first), then a GET answered by 102 and 200, then a POST with
 * Expect: 100-continue. */
static void
midstream(int response_first)
{
	struct conn k = conn_new(40012, 0);

	k.c.seq = 3000000;
	k.s.seq = 8000000;
	if (response_first)
		send_data(&k, 0, FINAL, sizeof(FINAL) - 1);
	exchange(&k);
	send_data(&k, 1, POST, sizeof(POST) - 1);
	send_data(&k, 0, CONTINUE, sizeof(CONTINUE) - 1);
	send_data(&k, 1, "a=123", 5);
	send_data(&k, 0, FINAL, sizeof(FINAL) - 1);
	teardown(&k);
}

/* Only the client's packets: a mirror port that saw one direction. The
 * request waits 200 s, long past every deadline. */
static void
one_sided(void)
{
	struct conn k = conn_new(40013, 0);
	size_t rl = sizeof(REQUEST) - 1;

	packet(k.t, &k.c, &k.s, 0, F_SYN, NULL, 0, NULL);
	k.c.seq++;
	k.s.seq++;
	k.t += 0.0002;
	packet(k.t, &k.c, &k.s, k.s.seq, F_ACK, NULL, 0, NULL);
	packet(k.t, &k.c, &k.s, k.s.seq, F_PSH | F_ACK, REQUEST, rl, NULL);
	k.c.seq += (uint32_t)rl;
	k.t += 200;
	k.s.seq += sizeof(FINAL) - 1;
	packet(k.t, &k.c, &k.s, k.s.seq, F_ACK, NULL, 0, NULL);
	packet(k.t, &k.c, &k.s, k.s.seq, F_FIN | F_ACK, NULL, 0, NULL);
}

/* Bytes the capture lost but the peer acknowledged: in the middle of a
 * response body (body), or a whole request (between). */
static void
gap(int between)
{
	static char body[3000 + 64];
	struct conn k = conn_new(40014, 0);
	int n;

	handshake(&k);
	if (between) {
		exchange(&k);
		/* the second request: lost by the capture, acknowledged */
		k.c.seq += sizeof(REQUEST) - 1;
		packet(k.t, &k.s, &k.c, k.c.seq, F_ACK, NULL, 0, NULL);
		k.t += 0.0001;
		send_data(&k, 0, INTERIM, sizeof(INTERIM) - 1);
		send_data(&k, 0, FINAL, sizeof(FINAL) - 1);
	} else {
		send_data(&k, 1, REQUEST, sizeof(REQUEST) - 1);
		n = snprintf(body, sizeof(body), "HTTP/1.1 200 OK\r\n"
		    "Content-Length: 3000\r\n\r\n");
		memset(body + n, 'b', 3000);
		send_data(&k, 0, body, (size_t)n + 1000);
		k.s.seq += 1000;                /* lost */
		send_data(&k, 0, body + n + 2000, 1000);
	}
	send_data(&k, 1, REQUEST, sizeof(REQUEST) - 1);
	send_data(&k, 0, INTERIM, sizeof(INTERIM) - 1);
	send_data(&k, 0, FINAL, sizeof(FINAL) - 1);
	teardown(&k);
}

/* A request waiting for its answer on one connection, while n others
 * open, are answered and stay open: with fewer flows allowed than that,
 * the others must go first. */
static void
waiting_and_idle(int n)
{
	struct conn a = conn_new(41000, 0), k;

	handshake(&a);
	send_data(&a, 1, REQUEST, sizeof(REQUEST) - 1);
	for (int i = 0; i < n; i++) {
		k = conn_new((uint16_t)(41001 + i), 1 + i * 0.1);
		handshake(&k);
		send_data(&k, 1, REQUEST, sizeof(REQUEST) - 1);
		send_data(&k, 0, FINAL, sizeof(FINAL) - 1);
	}
	a.t = 1 + n * 0.1 + 1;
	send_data(&a, 0, INTERIM, sizeof(INTERIM) - 1);
	send_data(&a, 0, FINAL, sizeof(FINAL) - 1);
	teardown(&a);
}

/* n connections, each with a request still waiting when the capture
 * ends, active in an order unlike their ports': the end's events must
 * come in the same order on every run. */
static void
open_at_end(int n)
{
	for (int i = 0; i < n; i++) {
		struct conn k = conn_new((uint16_t)(30000 + (i * 7919) % n),
		    0.001 * i);

		handshake(&k);
		send_data(&k, 1, REQUEST, sizeof(REQUEST) - 1);
	}
}

/* For the report's server table: more servers than it shows or follows. */
static void
servers(int n)
{
	static const char fast[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	double t = 0;

	for (int i = 0; i < n; i++) {       /* one after the other */
		struct conn k = conn_new((uint16_t)(20000 + i), t);

		k.s.port = (uint16_t)(8000 + i);
		handshake(&k);
		for (int j = 0; j <= i % 3; j++) {
			send_data(&k, 1, REQUEST, sizeof(REQUEST) - 1);
			k.t += i * 0.001;
			send_data(&k, 0, fast, sizeof(fast) - 1);
		}
		teardown(&k);
		t = k.t;
	}
}

/* The client's FIN at k->t, acknowledged. */
static void
client_fin(struct conn *k)
{
	packet(k->t, &k->c, &k->s, k->s.seq, F_FIN | F_ACK, NULL, 0, NULL);
	k->c.seq++;
	k->t += 0.0001;
	packet(k->t, &k->s, &k->c, k->c.seq, F_ACK, NULL, 0, NULL);
	k->t += 0.0001;
}

static void
gives_up(void)
{
	static const char post[] = "POST /upload HTTP/1.1\r\n"
	    "Host: origin.example\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhello\r\n0\r\n\r\n";
	struct conn a = conn_new(40050, 0), b = conn_new(40051, 0.5);
	char get[512];
	int n;

	n = snprintf(get, sizeof(get), "GET /%0300d HTTP/1.1\r\n"
	    "Host: origin.example\r\nUser-Agent: curl/8.5.0\r\n\r\n", 7);
	handshake(&a);
	send_data(&a, 1, get, (size_t)n);
	handshake(&b);
	send_data(&b, 1, post, sizeof(post) - 1);
	a.t = 6;
	client_fin(&a);
	b.t = 6.5;
	client_fin(&b);
	a.t = 105;
	packet(a.t, &a.s, &a.c, a.c.seq, F_PSH | F_ACK, FINAL, sizeof(FINAL) - 1,
	    NULL);
	a.s.seq += (uint32_t)(sizeof(FINAL) - 1);
	packet(a.t + 0.0001, &a.c, &a.s, 0, F_RST, NULL, 0, NULL);
	b.t = 110;
	packet(b.t, &b.s, &b.c, b.c.seq, F_FIN | F_ACK, NULL, 0, NULL);
	b.s.seq++;
	packet(b.t + 0.0001, &b.c, &b.s, b.s.seq, F_ACK, NULL, 0, NULL);
}

/* Server segments at t, t + 1 ms, ...: each acknowledged at once. */
static void
server_burst(struct conn *k, double t, const char *const *msgs)
{
	for (int i = 0; msgs[i] != NULL; i++) {
		k->t = t + i * 0.001;
		send_data(k, 0, msgs[i], strlen(msgs[i]));
	}
}

static void
held_1xx(void)
{
	static const char *const p_ok[] = {INTERIM, FINAL, NULL};
	static const char *const p_hints_ok[] = {INTERIM,
	    "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n",
	    FINAL, NULL};
	static const char *const p[] = {INTERIM, NULL};
	static const char *const ok[] = {FINAL, NULL};
	struct conn a = conn_new(40060, 0), b = conn_new(40061, 0.1),
	    c = conn_new(40062, 0.2);

	handshake(&a);
	send_data(&a, 1, REQUEST, sizeof(REQUEST) - 1);
	handshake(&b);
	send_data(&b, 1, REQUEST, sizeof(REQUEST) - 1);
	send_data(&b, 0, INTERIM, sizeof(INTERIM) - 1);
	handshake(&c);
	send_data(&c, 1, REQUEST, sizeof(REQUEST) - 1);
	server_burst(&c, 103.2, p);
	server_burst(&c, 104.2, ok);
	teardown(&c);
	server_burst(&a, 105, p_ok);
	teardown(&a);
	server_burst(&b, 105.2, p_hints_ok);
	teardown(&b);
}

int
main(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : "";
	int n = argc > 2 ? atoi(argv[2]) : 0;

	if (strcmp(s, "huge-time") == 0) {
		huge_time();
		return ferror(stdout) ? 1 : 0;
	}
	file_header();
	if (strcmp(s, "short-fragment") == 0)
		short_fragment();
	else if (strcmp(s, "syn-fragments") == 0)
		syn_fragments();
	else if (strcmp(s, "bad-doff") == 0)
		bad_doff();
	else if (strcmp(s, "bad-ip") == 0)
		bad_ip();
	else if (strcmp(s, "reuse") == 0 && n > 0)
		reuse(n);
	else if (strcmp(s, "spoofed-syn") == 0)
		spoofed_syn();
	else if (strcmp(s, "spoofed-first") == 0)
		spoofed_first();
	else if (strcmp(s, "syn-collide") == 0 && n > 0)
		syns(n, 1);
	else if (strcmp(s, "syn-random") == 0 && n > 0)
		syns(n, 0);
	else if (strcmp(s, "held") == 0 && n > 0)
		held(n);
	else if (strcmp(s, "epoch0") == 0)
		epoch0(n);
	else if (strcmp(s, "clock-back") == 0)
		clock_back();
	else if (strcmp(s, "ignored-ends") == 0)
		ignored_ends();
	else if (strcmp(s, "fast-open") == 0)
		fast_open();
	else if (strcmp(s, "midstream") == 0)
		midstream(0);
	else if (strcmp(s, "midstream-response-first") == 0)
		midstream(1);
	else if (strcmp(s, "one-sided") == 0)
		one_sided();
	else if (strcmp(s, "gap-body") == 0)
		gap(0);
	else if (strcmp(s, "gap-between") == 0)
		gap(1);
	else if (strcmp(s, "waiting-and-idle") == 0 && n > 0)
		waiting_and_idle(n);
	else if (strcmp(s, "servers") == 0 && n > 0 && n <= 10000)
		servers(n);
	else if (strcmp(s, "open") == 0 && n > 0 && n <= 30000)
		open_at_end(n);
	else if (strcmp(s, "head") == 0 && n > 0)
		head_segments((size_t)n);
	else if (strcmp(s, "gives-up") == 0)
		gives_up();
	else if (strcmp(s, "held-1xx") == 0)
		held_1xx();
	else {
		fprintf(stderr, "usage: hostile-gen SHAPE [N] > out.pcap "
		    "(shapes: see the comment at the top)\n");
		return 2;
	}
	return ferror(stdout) ? 1 : 0;
}
