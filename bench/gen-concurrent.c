/* gen-concurrent: a capture of many keep-alive connections left open, for
 * measuring the memory a concurrent connection costs.
 *
 * usage: gen-concurrent [-w] OUT.pcap CONNECTIONS [GAP_US]
 *
 * Writes a classic pcap (LINKTYPE_ETHERNET, microsecond timestamps) in
 * which CONNECTIONS clients' connections to 10.0.0.10:80 each do one
 * exchange and then stay open to the end of the file: handshake (the SYN
 * with MSS, SACK-permitted, timestamps and window scale, as Linux sends
 * it), a GET, a 200 with a 62-byte body, the client's ACK. No FIN, no RST:
 * at the end every connection is still open and idle, as on a server
 * holding that many keep-alive clients. Connections follow one another,
 * one every GAP_US (default 20 us: 100,000 in 2 s, far inside interim's
 * 300 s idle timeout), their six packets 3 us apart.
 *
 * -w (waiting): each connection's request is still waiting for its
 * response at the end, as on a server holding that many slow requests: a
 * browser-like GET (a 41-byte target, Host and a Chrome User-Agent) that
 * the server only acknowledges; five packets.
 *
 * Client i is 10.128.0.0 + 1 + i / 500, port 20000 + i % 500: every
 * 4-tuple differs, none is reused. Checksums are correct (nids-only -c
 * agrees). Same arguments, same bytes; only libc. A summary on stderr.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "put.h"

#define SERVER_IP     0x0a00000au           /* 10.0.0.10 */
#define CLIENT_NET    0x0a800000u           /* 10.128.0.0 */
#define PER_CLIENT    500u                  /* connections per client address */
#define EPOCH_START   1700000000u           /* 2023-11-14 */
#define CONN_GAP_US   20u                   /* GAP_US's default */
#define PKT_GAP_US    3u
#define ETH_LEN       14u
#define IP_LEN        20u
#define TCP_LEN       32u                   /* 20 + NOP NOP timestamps */
#define TCP_SYN_LEN   40u                   /* 20 + MSS SACKOK TS NOP WS */
#define PAYLOAD_MAX   512u

enum { F_FIN = 0x01, F_SYN = 0x02, F_PSH = 0x08, F_ACK = 0x10 };

struct conn {
	uint32_t cli_ip;
	uint16_t cli_port;
	uint32_t seq[2];                /* next to send: [0] client, [1] server */
	uint16_t cli_ipid;
};

struct gen {
	FILE *out;
	uint64_t clock_us;              /* since EPOCH_START */
	uint16_t srv_ipid;
	unsigned gap_us;                /* from one connection to the next */
	int waiting;                    /* -w: requests left unanswered */
	uint64_t packets, bytes, payload[2];
};

/* RFC 1071: the ones' complement sum of big-endian 16-bit words. */
static uint32_t csum_add(uint32_t sum, const unsigned char *p, size_t len)
{
	for (; len >= 2; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* One packet of c from the client (from_client) or the server; moves that
 * side's sequence number on and the clock by gap_us. Returns 0 or -1. */
static int emit(struct gen *g, struct conn *c, int from_client,
		unsigned flags, const char *payload, size_t len,
		unsigned gap_us)
{
	static const unsigned char mac_cli[6] = { 0x52, 0x54, 0x00, 0xfe, 0x00, 0x01 };
	static const unsigned char mac_srv[6] = { 0x52, 0x54, 0x00, 0x10, 0x00, 0x0a };
	unsigned char pkt[16 + ETH_LEN + IP_LEN + TCP_SYN_LEN + PAYLOAD_MAX];
	size_t tcp_len = (flags & F_SYN) ? TCP_SYN_LEN : TCP_LEN;
	size_t wire = ETH_LEN + IP_LEN + tcp_len + len;
	unsigned char *eth = pkt + 16, *ip = eth + ETH_LEN, *tcp = ip + IP_LEN;
	int s = !from_client;
	uint32_t ms = 1000000u + (uint32_t)(g->clock_us / 1000), sum;
	unsigned char ph[4];

	memset(pkt, 0, sizeof pkt);
	le32(pkt, (uint32_t)(EPOCH_START + g->clock_us / 1000000));
	le32(pkt + 4, (uint32_t)(g->clock_us % 1000000));
	le32(pkt + 8, (uint32_t)wire);
	le32(pkt + 12, (uint32_t)wire);

	memcpy(eth, from_client ? mac_srv : mac_cli, 6);
	memcpy(eth + 6, from_client ? mac_cli : mac_srv, 6);
	eth[12] = 0x08;

	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IP_LEN + tcp_len + len));
	put16(ip + 4, from_client ? c->cli_ipid++ : g->srv_ipid++);
	put16(ip + 6, 0x4000);                  /* DF */
	ip[8] = 64;
	ip[9] = 6;
	put32(ip + 12, from_client ? c->cli_ip : SERVER_IP);
	put32(ip + 16, from_client ? SERVER_IP : c->cli_ip);
	put16(ip + 10, csum_fold(csum_add(0, ip, IP_LEN)));

	put16(tcp, from_client ? c->cli_port : 80);
	put16(tcp + 2, from_client ? 80 : c->cli_port);
	put32(tcp + 4, c->seq[s]);
	put32(tcp + 8, (flags & F_ACK) ? c->seq[!s] : 0);
	tcp[12] = (unsigned char)((tcp_len / 4) << 4);
	tcp[13] = (unsigned char)flags;
	put16(tcp + 14, (flags & F_SYN) ? 64240 : 502);
	if (flags & F_SYN) {
		static const unsigned char opt[20] = {
			2, 4, 0x05, 0xb4,       /* MSS 1460 */
			4, 2,                   /* SACK permitted */
			8, 10, 0, 0, 0, 0, 0, 0, 0, 0,  /* timestamps */
			1, 3, 3, 7              /* NOP, window scale 7 */
		};
		memcpy(tcp + 20, opt, sizeof opt);
		put32(tcp + 28, ms);
		put32(tcp + 32, (flags & F_ACK) ? ms : 0);
	} else {
		tcp[20] = 1; tcp[21] = 1; tcp[22] = 8; tcp[23] = 10;
		put32(tcp + 24, ms);
		put32(tcp + 28, ms);
	}
	memcpy(tcp + tcp_len, payload, len);
	/* pseudo-header: addresses, protocol, TCP length (RFC 793 3.1) */
	put16(ph, 6);
	put16(ph + 2, (uint16_t)(tcp_len + len));
	sum = csum_add(csum_add(0, ip + 12, 8), ph, 4);
	put16(tcp + 16, csum_fold(csum_add(sum, tcp, tcp_len + len)));

	if (fwrite(pkt, 1, 16 + wire, g->out) != 16 + wire)
		return -1;
	c->seq[s] += (uint32_t)len + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
	g->packets++;
	g->bytes += 16 + wire;
	g->payload[s] += len;
	g->clock_us += gap_us;
	return 0;
}

/* Connection i, waiting: handshake, a request the server only
 * acknowledges, left open. Returns 0 or -1. */
static int one_waiting(struct gen *g, struct conn *c, uint32_t i)
{
	char req[PAYLOAD_MAX];
	int rl = snprintf(req, sizeof req,
	    "GET /api/v1/orders/%07u/items?page=2&limit=50 HTTP/1.1\r\n"
	    "Host: shop.example.com\r\n"
	    "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
	    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
	    "Safari/537.36\r\n"
	    "Accept: application/json\r\n"
	    "Accept-Language: en-US,en;q=0.9\r\n"
	    "Accept-Encoding: gzip, deflate, br\r\n\r\n", i % 10000000u);

	return emit(g, c, 1, F_SYN, NULL, 0, PKT_GAP_US) == 0 &&
	    emit(g, c, 0, F_SYN | F_ACK, NULL, 0, PKT_GAP_US) == 0 &&
	    emit(g, c, 1, F_ACK, NULL, 0, PKT_GAP_US) == 0 &&
	    emit(g, c, 1, F_PSH | F_ACK, req, (size_t)rl, PKT_GAP_US) == 0 &&
	    emit(g, c, 0, F_ACK, NULL, 0, g->gap_us - 4 * PKT_GAP_US) == 0 ?
	    0 : -1;
}

/* Connection i: handshake, one exchange (or, waiting, a request), left
 * open. Returns 0 or -1. */
static int one_connection(struct gen *g, uint32_t i)
{
	static const char body[] =
	    "concurrent connections: each one exchange, then left open.\n\n\n\n";
	char req[256], resp[PAYLOAD_MAX];
	struct conn c = { 0 };
	int rl, sl, ok;

	c.cli_ip = CLIENT_NET + 1 + i / PER_CLIENT;
	c.cli_port = (uint16_t)(20000 + i % PER_CLIENT);
	c.seq[0] = 0x10000000u + i * 7919u;
	c.seq[1] = 0x80000000u + i * 104729u;
	c.cli_ipid = (uint16_t)(i * 31u);
	if (g->waiting)
		return one_waiting(g, &c, i);
	rl = snprintf(req, sizeof req,
	    "GET /item/%u HTTP/1.1\r\nHost: 10.0.0.10\r\n"
	    "User-Agent: gen-concurrent\r\nAccept: */*\r\n\r\n", i);
	sl = snprintf(resp, sizeof resp,
	    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n\r\n%s", sizeof body - 1, body);
	ok = emit(g, &c, 1, F_SYN, NULL, 0, PKT_GAP_US) == 0 &&
	    emit(g, &c, 0, F_SYN | F_ACK, NULL, 0, PKT_GAP_US) == 0 &&
	    emit(g, &c, 1, F_ACK, NULL, 0, PKT_GAP_US) == 0 &&
	    emit(g, &c, 1, F_PSH | F_ACK, req, (size_t)rl, PKT_GAP_US) == 0 &&
	    emit(g, &c, 0, F_PSH | F_ACK, resp, (size_t)sl, PKT_GAP_US) == 0 &&
	    emit(g, &c, 1, F_ACK, NULL, 0,
		g->gap_us - 5 * PKT_GAP_US) == 0;
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	unsigned char hdr[24] = { 0 };
	struct gen g = { 0 };
	char *end;
	unsigned long n;

	if (argc > 1 && strcmp(argv[1], "-w") == 0) {
		g.waiting = 1;
		argv++;
		argc--;
	}
	if (argc != 3 && argc != 4) {
		fprintf(stderr,
		    "usage: gen-concurrent [-w] OUT.pcap CONNECTIONS [GAP_US]\n");
		return 2;
	}
	g.gap_us = CONN_GAP_US;
	if (argc == 4) {
		unsigned long gap = strtoul(argv[3], &end, 10);

		if (*argv[3] == '\0' || *end != '\0' || gap < 5 * PKT_GAP_US ||
		    gap > 1000000) {
			fprintf(stderr, "gen-concurrent: bad GAP_US '%s' (%u to "
			    "1000000)\n", argv[3], 5 * PKT_GAP_US);
			return 2;
		}
		g.gap_us = (unsigned)gap;
	}
	n = strtoul(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' ||
	    n > (uint64_t)PER_CLIENT * 0x7ffffe) {
		fprintf(stderr, "gen-concurrent: bad CONNECTIONS '%s'\n", argv[2]);
		return 2;
	}
	g.out = fopen(argv[1], "wb");
	if (!g.out) {
		perror(argv[1]);
		return 2;
	}
	le32(hdr, 0xa1b2c3d4u);                 /* microsecond timestamps */
	hdr[4] = 2; hdr[6] = 4;                 /* version 2.4 */
	le32(hdr + 16, 65535);                  /* snaplen */
	le32(hdr + 20, 1);                      /* LINKTYPE_ETHERNET */
	if (fwrite(hdr, 1, sizeof hdr, g.out) != sizeof hdr)
		goto fail;
	for (unsigned long i = 0; i < n; i++)
		if (one_connection(&g, (uint32_t)i) < 0)
			goto fail;
	if (fclose(g.out) != 0) {
		g.out = NULL;
		goto fail;
	}
	fprintf(stderr, "%s: %llu bytes, %llu packets, %.3f s of capture\n"
	    "connections %lu, all open at the end, %s\n"
	    "tcp payload: client->server %llu, server->client %llu\n",
	    argv[1], (unsigned long long)(g.bytes + sizeof hdr),
	    (unsigned long long)g.packets, (double)g.clock_us / 1e6, n,
	    g.waiting ? "each with one request waiting" : "one exchange each",
	    (unsigned long long)g.payload[0], (unsigned long long)g.payload[1]);
	return 0;
fail:
	perror(argv[1]);
	if (g.out)
		fclose(g.out);
	return 2;
}
