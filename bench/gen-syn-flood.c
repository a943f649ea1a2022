/* gen-syn-flood: write a SYN flood with one real 102 exchange inside it.
 *
 * usage: gen-syn-flood OUT.pcap [SYNS [SEED]]      (SYNS: default 1000000)
 *
 * Writes a classic pcap (LINKTYPE_ETHERNET, microsecond timestamps) of SYNS
 * SYNs to 192.0.2.80:80 from addresses in 198.18.0.0/15 (RFC 2544's
 * benchmarking range) and random ports, no two on the same 4-tuple, never
 * answered, spread evenly over FLOOD_SECONDS. Inside them, one real
 * connection from 192.0.2.10:40000 to the same server: handshake at 1 s,
 * `GET /report`, `HTTP/1.1 102 Processing`, then SILENCE_SECONDS without a
 * packet of that connection (the SYNs keep coming), then `200 OK` and a
 * FIN/ACK teardown. interim must report `processing-silence` for it.
 *
 * Same arguments, same bytes (one xorshift generator). Only libc; nothing is
 * sent anywhere. IPv4 and TCP checksums are correct. A summary goes to
 * stderr. Exit status 0, 2 on error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "put.h"

#define FLOOD_SECONDS   110u
#define SILENCE_SECONDS 105u
#define MAX_SYNS        (1u << 20)      /* distinct 4-tuples by construction */
#define EPOCH_START     1767225600u     /* 2026-01-01 00:00:00 UTC */
#define SERVER_IP       0xc0000250u     /* 192.0.2.80 */
#define CLIENT_IP       0xc000020au     /* 192.0.2.10 */
#define FLOOD_NET       0xc6120000u     /* 198.18.0.0/15 */
#define CLIENT_PORT     40000u
#define SERVER_PORT     80u
#define ETH_LEN         14u
#define IP_LEN          20u
#define TCP_LEN         20u
#define MSS_OPT_LEN     4u              /* SYNs carry MSS 1460 */
#define FRAME_MAX       512u

enum { F_FIN = 0x01, F_SYN = 0x02, F_PSH = 0x08, F_ACK = 0x10 };

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

struct seg {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	const char *payload;            /* NUL-terminated, or NULL */
};

static uint32_t ip_id;

/* Writes one Ethernet/IPv4/TCP frame at time us (since EPOCH_START).
 * Returns 0, or -1 with errno set. */
static int write_seg(FILE *out, uint64_t us, const struct seg *s)
{
	uint8_t f[16 + FRAME_MAX];
	uint8_t *eth = f + 16, *ip = eth + ETH_LEN, *tcp = ip + IP_LEN;
	size_t plen = s->payload ? strlen(s->payload) : 0;
	size_t olen = (s->flags & F_SYN) ? MSS_OPT_LEN : 0;
	size_t tlen = TCP_LEN + olen + plen, iplen = IP_LEN + tlen;
	size_t caplen = ETH_LEN + iplen;
	uint32_t acc;

	if (caplen > FRAME_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(f, 0, 16 + caplen);
	le32(f, (uint32_t)(EPOCH_START + us / 1000000u));
	le32(f + 4, (uint32_t)(us % 1000000u));
	le32(f + 8, (uint32_t)caplen);
	le32(f + 12, (uint32_t)caplen);
	memcpy(eth, "\x02\x00\x00\x00\x00\x50\x02\x00\x00\x00\x00\x01\x08\x00",
	       ETH_LEN);
	ip[0] = 0x45;
	put16(ip + 2, (uint32_t)iplen);
	put16(ip + 4, ip_id++);
	ip[6] = 0x40;                   /* DF */
	ip[8] = 64;
	ip[9] = 6;
	put32(ip + 12, s->src);
	put32(ip + 16, s->dst);
	put16(ip + 10, fold(sum16(ip, IP_LEN, 0)));
	put16(tcp, s->sport);
	put16(tcp + 2, s->dport);
	put32(tcp + 4, s->seq);
	put32(tcp + 8, s->ack);
	tcp[12] = (uint8_t)((TCP_LEN + olen) / 4 << 4);
	tcp[13] = s->flags;
	put16(tcp + 14, 64240);
	if (olen) {
		tcp[20] = 2;            /* MSS */
		tcp[21] = 4;
		put16(tcp + 22, 1460);
	}
	memcpy(tcp + TCP_LEN + olen, s->payload ? s->payload : "", plen);
	acc = sum16(ip + 12, 8, 0) + 6 + (uint32_t)tlen;   /* pseudo-header */
	put16(tcp + 16, fold(sum16(tcp, tlen, acc)));
	return fwrite(f, 16 + caplen, 1, out) == 1 ? 0 : -1;
}

/* The real connection, packet by packet (times in us since EPOCH_START). */
#define REQ "GET /report HTTP/1.1\r\nHost: origin.example\r\n\r\n"
#define R102 "HTTP/1.1 102 Processing\r\n\r\n"
#define R200 "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
#define CISN 1000u
#define SISN 5000u
#define T_SYN 1000000u
#define T_102 (T_SYN + 1000u)
#define T_200 (T_102 + SILENCE_SECONDS * 1000000ull)
#define CL(n) (CISN + 1 + (n))          /* client seq after n bytes */
#define SV(n) (SISN + 1 + (n))
#define LREQ (sizeof(REQ) - 1)
#define L102 (sizeof(R102) - 1)
#define L200 (sizeof(R200) - 1)

static const struct real_pkt {
	uint64_t us;
	int from_client;
	uint32_t seq, ack;
	uint8_t flags;
	const char *payload;
} real[] = {
	{ T_SYN, 1, CISN, 0, F_SYN, NULL },
	{ T_SYN + 100, 0, SISN, CL(0), F_SYN | F_ACK, NULL },
	{ T_SYN + 200, 1, CL(0), SV(0), F_ACK, NULL },
	{ T_SYN + 300, 1, CL(0), SV(0), F_PSH | F_ACK, REQ },
	{ T_SYN + 400, 0, SV(0), CL(LREQ), F_ACK, NULL },
	{ T_102, 0, SV(0), CL(LREQ), F_PSH | F_ACK, R102 },
	{ T_102 + 100, 1, CL(LREQ), SV(L102), F_ACK, NULL },
	{ T_200, 0, SV(L102), CL(LREQ), F_PSH | F_ACK, R200 },
	{ T_200 + 100, 1, CL(LREQ), SV(L102 + L200), F_ACK, NULL },
	{ T_200 + 1000, 1, CL(LREQ), SV(L102 + L200), F_FIN | F_ACK, NULL },
	{ T_200 + 1100, 0, SV(L102 + L200), CL(LREQ + 1), F_FIN | F_ACK, NULL },
	{ T_200 + 1200, 1, CL(LREQ + 1), SV(L102 + L200 + 1), F_ACK, NULL },
};
#define N_REAL (sizeof(real) / sizeof(real[0]))

static int write_real(FILE *out, size_t i)
{
	const struct real_pkt *r = &real[i];
	struct seg s = {
		.src = r->from_client ? CLIENT_IP : SERVER_IP,
		.dst = r->from_client ? SERVER_IP : CLIENT_IP,
		.sport = r->from_client ? CLIENT_PORT : SERVER_PORT,
		.dport = r->from_client ? SERVER_PORT : CLIENT_PORT,
		.seq = r->seq, .ack = r->ack, .flags = r->flags,
		.payload = r->payload,
	};
	return write_seg(out, r->us, &s);
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	uint8_t gh[24];
	unsigned long syns = 1000000;
	uint64_t span = FLOOD_SECONDS * 1000000ull, us = 0;
	unsigned long i;
	size_t next_real = 0;
	FILE *out;
	char *end;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: gen-syn-flood OUT.pcap [SYNS [SEED]]\n");
		return 2;
	}
	if (argc > 2) {
		errno = 0;
		syns = strtoul(argv[2], &end, 10);
		if (errno || *end || syns == 0 || syns > MAX_SYNS) {
			fprintf(stderr, "gen-syn-flood: SYNS must be 1 to %u: '%s'\n",
				MAX_SYNS, argv[2]);
			return 2;
		}
	}
	rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) : 0;
	rng_state ^= 0x9e3779b97f4a7c15ull;
	if (!rng_state)
		rng_state = 1;
	out = fopen(argv[1], "wb");
	if (!out) {
		fprintf(stderr, "gen-syn-flood: cannot open '%s': %s\n", argv[1],
			strerror(errno));
		return 2;
	}
	setvbuf(out, buf, _IOFBF, sizeof(buf));
	memset(gh, 0, sizeof(gh));
	le32(gh, 0xa1b2c3d4);
	gh[4] = 2;                      /* version 2.4 */
	gh[6] = 4;
	le32(gh + 16, 65535);
	le32(gh + 20, 1);               /* LINKTYPE_ETHERNET */
	if (fwrite(gh, sizeof(gh), 1, out) != 1)
		goto fail;

	for (i = 0; i < syns; i++) {
		/* an odd multiplier permutes 0..2^20-1: j is unique per SYN, its
		 * low 17 bits pick the address, the top 3 a band of 8000 ports */
		uint32_t j = (uint32_t)(i * 0x9e3b5ul) & (MAX_SYNS - 1);
		struct seg s = {
			.src = FLOOD_NET | (j & 0x1ffff), .dst = SERVER_IP,
			.sport = (uint16_t)(1024 + (j >> 17) * 8000 + rng() % 8000),
			.dport = SERVER_PORT, .seq = (uint32_t)rng(),
			.flags = F_SYN,
		};

		us = span * i / syns;
		while (next_real < N_REAL && real[next_real].us <= us)
			if (write_real(out, next_real++) < 0)
				goto fail;
		if (write_seg(out, us, &s) < 0)
			goto fail;
	}
	while (next_real < N_REAL)
		if (write_real(out, next_real++) < 0)
			goto fail;
	if (fclose(out) != 0) {
		out = NULL;
		goto fail;
	}
	fprintf(stderr, "gen-syn-flood: %s: %lu SYNs to 192.0.2.80:80 over %u s, "
		"%zu packets of 192.0.2.10:%u -> 192.0.2.80:80: 102 at %.3f s, "
		"200 at %.3f s (%u s of silence)\n", argv[1], syns, FLOOD_SECONDS,
		N_REAL, CLIENT_PORT, T_102 / 1e6, T_200 / 1e6, SILENCE_SECONDS);
	return 0;
fail:
	fprintf(stderr, "gen-syn-flood: cannot write '%s': %s\n", argv[1],
		strerror(errno));
	if (out)
		fclose(out);
	return 2;
}
