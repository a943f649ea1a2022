/* gen-capture: write a deterministic synthetic HTTP/1.1 capture for benchmarks.
 *
 * usage: gen-capture OUT.pcap MEGABYTES [SEED]
 *
 * Writes a classic pcap (LINKTYPE_ETHERNET, snaplen 262144) of roughly
 * MEGABYTES * 10^6 bytes: many clients (10.20.x.y) talking HTTP/1.1 to one
 * server (10.0.0.10) on ports 80 and 8080, with up to CONCURRENCY connections
 * open at once and their packets interleaved. Every connection has a full 3-way
 * handshake and a FIN/ACK teardown; payload is segmented at MSS 1448 (TCP
 * timestamps on), the receiver ACKs every second segment, and IPv4 and TCP
 * checksums are correct. Half the connections are keep-alive with 5-20
 * requests, half carry one request and "Connection: close". About a quarter
 * of the requests are POSTs with "Expect: 100-continue"; a few percent see a
 * 102 Processing or a 103 Early Hints before the final response. Bodies are
 * 100 B to 64 KiB, Content-Length or chunked.
 *
 * Same arguments, same bytes: everything comes from one xorshift generator.
 * Only libc; nothing is sent on any network. A summary goes to stderr.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "put.h"

#define SNAPLEN       262144u
#define MSS           1448u
#define CONCURRENCY   3000u
#define N_CLIENTS     40000u
#define SERVER_IP     0x0a00000au           /* 10.0.0.10 */
#define EPOCH_START   1700000000u           /* 2023-11-14, capture start */
#define FILLER_LEN    (192u * 1024u)        /* > 64 KiB body + any offset */
#define OUTBUF_LEN    (8u * 1024u * 1024u)
#define MEAN_REQUEST  10500u               /* payload bytes, both ways */
#define HEAD_MAX      2048u                 /* rendered header block bound */
#define ETH_LEN       14u
#define IP_LEN        20u
#define TCP_LEN       32u                   /* 20 + NOP NOP TS(10) */
#define TCP_SYN_LEN   40u                   /* 20 + MSS SACKOK TS NOP WS */

enum { F_FIN = 0x01, F_SYN = 0x02, F_PSH = 0x08, F_ACK = 0x10 };

/* One message on the wire, from one side. */
enum msg_kind {
	M_REQ_HEAD,     /* request line + headers (+ body unless Expect) */
	M_REQ_BODY,     /* POST body sent after 100 Continue */
	M_100,
	M_102,
	M_103,
	M_FINAL         /* final response with its body */
};

#define PLAN_MAX 6

/* Connection life: handshake, then requests (each a plan of messages), then
 * teardown by the side named in close_by_server. */
enum phase {
	P_SYN, P_SYNACK, P_ACK, P_MSG, P_FIN1, P_FIN2, P_FIN3, P_DONE
};

struct conn {
	uint32_t cli_ip, srv_ip;
	uint16_t cli_port, srv_port;
	uint32_t cli_seq, srv_seq;      /* next sequence number each side sends */
	uint32_t cli_ts_off, srv_ts_off;
	uint16_t cli_ipid;
	uint8_t cli_ttl;
	uint8_t close_by_server;        /* one-shot connection: server closes */
	uint8_t unacked_cli, unacked_srv;       /* segments not yet ACKed */
	enum phase phase;
	int requests_left;              /* requests still to start, this one incl. */
	/* current request */
	int is_post, status, chunked, ua;
	size_t req_body_len, resp_body_len;
	uint32_t path_id;
	enum msg_kind plan[PLAN_MAX];
	int plan_len, plan_pos;
	/* current message: buf[0..len), sent up to off */
	char *buf;
	size_t cap, len, off;
};

struct stats {
	uint64_t packets, bytes, payload_c2s, payload_s2c;
	uint64_t conns, keepalive_conns, requests, gets, posts_expect;
	uint64_t r100, r102, r103, chunked, cl_bodies, no_body;
	uint64_t active_sum;            /* open connections, summed per packet */
	unsigned active_max;
};

struct gen {
	FILE *out;
	unsigned char *obuf;
	size_t olen;
	uint64_t rng;
	uint64_t clock_us;              /* capture time since EPOCH_START */
	uint64_t target;                /* bytes; wind down when near it */
	uint64_t pending;               /* payload of started requests not sent */
	int winding_down;
	uint16_t srv_ipid;
	uint16_t next_port[N_CLIENTS];
	char filler[FILLER_LEN];
	char date[64];                  /* cached "Date:" value */
	uint64_t date_sec;
	struct conn *slots;
	unsigned n_slots, active;
	struct stats st;
};

/* ---- random numbers: xorshift64*, deterministic for a given seed ---- */

static uint64_t rnd(struct gen *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 0x2545f4914f6cdd1dull;
}

/* Uniform in [lo, hi], hi >= lo. */
static uint32_t rnd_range(struct gen *g, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rnd(g) % ((uint64_t)hi - lo + 1));
}

/* True with probability pct/1000. */
static int rnd_permille(struct gen *g, unsigned pct)
{
	return rnd(g) % 1000 < pct;
}

/* Log-uniform size in [lo, hi]: many small bodies, some large. */
static size_t rnd_size(struct gen *g, double lo, double hi)
{
	double u = (double)(rnd(g) >> 11) / 9007199254740992.0;
	return (size_t)exp(log(lo) + u * (log(hi) - log(lo)));
}

/* ---- output: record headers and packets are staged in obuf ---- */

/* Returns 0, or -1 with errno set when the write failed. */
static int out_flush(struct gen *g)
{
	if (g->olen && fwrite(g->obuf, 1, g->olen, g->out) != g->olen)
		return -1;
	g->olen = 0;
	return 0;
}

static int out_header(struct gen *g)
{
	unsigned char h[24];

	le32(h, 0xa1b2c3d4u);                   /* microsecond timestamps */
	h[4] = 2; h[5] = 0; h[6] = 4; h[7] = 0; /* version 2.4 */
	le32(h + 8, 0);                         /* thiszone */
	le32(h + 12, 0);                        /* sigfigs */
	le32(h + 16, SNAPLEN);
	le32(h + 20, 1);                        /* LINKTYPE_ETHERNET */
	memcpy(g->obuf, h, sizeof h);
	g->olen = sizeof h;
	return 0;
}

/* ---- checksums (RFC 1071) ---- */

/* Sum of 16-bit big-endian words of p[0..len), unfolded. */
static uint64_t csum_add(uint64_t sum, const unsigned char *p, size_t len)
{
	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		/* host-order 64-bit adds of byte-swapped-consistent halves:
		 * summing native words then folding gives the same ones'
		 * complement sum in native order (RFC 1071 section 2(B)). */
		sum += w & 0xffffffffu;
		sum += w >> 32;
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		sum += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint16_t w = 0;

		memcpy(&w, p, 1);       /* pad the odd byte with zero */
		sum += w;
	}
	return sum;
}

/* Folds a native-order sum into the 16-bit complement, to be stored with
 * memcpy (so it lands in network order, matching the native sum). */
static uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ---- packets ---- */

/* Appends one Ethernet/IPv4/TCP packet from the named side of c. payload may
 * be NULL when len is 0. Advances that side's sequence number by len (and by
 * one for SYN or FIN) and the capture clock by a random gap. */
static int emit(struct gen *g, struct conn *c, int from_client, unsigned flags,
		const char *payload, size_t len)
{
	static const unsigned char mac_srv[6] = { 0x52, 0x54, 0x00, 0x10, 0x00, 0x0a };
	static const unsigned char mac_gw[6] = { 0x52, 0x54, 0x00, 0xfe, 0x00, 0x01 };
	size_t tcp_len = (flags & F_SYN) ? TCP_SYN_LEN : TCP_LEN;
	size_t pkt_len = ETH_LEN + IP_LEN + tcp_len + len;
	unsigned char *rec, *eth, *ip, *tcp;
	uint32_t src = from_client ? c->cli_ip : c->srv_ip;
	uint32_t dst = from_client ? c->srv_ip : c->cli_ip;
	uint32_t *seq = from_client ? &c->cli_seq : &c->srv_seq;
	uint32_t ack = from_client ? c->srv_seq : c->cli_seq;
	uint32_t ms = (uint32_t)(g->clock_us / 1000);
	uint64_t sum;
	uint16_t ck;

	if (g->olen + 16 + pkt_len > OUTBUF_LEN && out_flush(g) < 0)
		return -1;
	rec = g->obuf + g->olen;
	le32(rec, (uint32_t)(EPOCH_START + g->clock_us / 1000000));
	le32(rec + 4, (uint32_t)(g->clock_us % 1000000));
	le32(rec + 8, (uint32_t)pkt_len);
	le32(rec + 12, (uint32_t)pkt_len);

	eth = rec + 16;
	memcpy(eth, from_client ? mac_srv : mac_gw, 6);
	memcpy(eth + 6, from_client ? mac_gw : mac_srv, 6);
	eth[12] = 0x08; eth[13] = 0x00;

	ip = eth + ETH_LEN;
	ip[0] = 0x45; ip[1] = 0;
	put16(ip + 2, (uint16_t)(IP_LEN + tcp_len + len));
	put16(ip + 4, from_client ? c->cli_ipid++ : g->srv_ipid++);
	put16(ip + 6, 0x4000);                  /* DF */
	ip[8] = from_client ? c->cli_ttl : 64;
	ip[9] = 6;
	put16(ip + 10, 0);
	put32(ip + 12, src);
	put32(ip + 16, dst);
	ck = csum_fold(csum_add(0, ip, IP_LEN));
	memcpy(ip + 10, &ck, 2);

	tcp = ip + IP_LEN;
	put16(tcp, from_client ? c->cli_port : c->srv_port);
	put16(tcp + 2, from_client ? c->srv_port : c->cli_port);
	put32(tcp + 4, *seq);
	put32(tcp + 8, (flags & F_ACK) ? ack : 0);
	tcp[12] = (unsigned char)((tcp_len / 4) << 4);
	tcp[13] = (unsigned char)flags;
	put16(tcp + 14, (flags & F_SYN) ? 64240 : 502);  /* x128 once scaled */
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	if (flags & F_SYN) {
		static const unsigned char opt[20] = {
			2, 4, 0x05, 0xb4,       /* MSS 1460 */
			4, 2,                   /* SACK permitted */
			8, 10, 0, 0, 0, 0, 0, 0, 0, 0,  /* timestamps */
			1, 3, 3, 7              /* NOP, window scale 7 */
		};
		memcpy(tcp + 20, opt, sizeof opt);
		put32(tcp + 28, ms + (from_client ? c->cli_ts_off : c->srv_ts_off));
		put32(tcp + 32, (flags & F_ACK) ? ms + c->cli_ts_off : 0);
	} else {
		tcp[20] = 1; tcp[21] = 1; tcp[22] = 8; tcp[23] = 10;
		put32(tcp + 24, ms + (from_client ? c->cli_ts_off : c->srv_ts_off));
		put32(tcp + 28, ms + (from_client ? c->srv_ts_off : c->cli_ts_off));
	}
	if (len)
		memcpy(tcp + tcp_len, payload, len);

	/* pseudo-header: addresses, protocol, TCP length (RFC 793 3.1) */
	{
		unsigned char ph[4];

		put16(ph, 6);
		put16(ph + 2, (uint16_t)(tcp_len + len));
		sum = csum_add(0, ip + 12, 8);
		sum = csum_add(sum, ph, 4);
		sum = csum_add(sum, tcp, tcp_len + len);
		ck = csum_fold(sum);
		memcpy(tcp + 16, &ck, 2);
	}

	g->olen += 16 + pkt_len;
	g->pending -= len < g->pending ? len : g->pending;
	*seq += (uint32_t)len + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
	if (from_client)
		g->st.payload_c2s += len;
	else
		g->st.payload_s2c += len;
	g->st.packets++;
	g->st.active_sum += g->active;
	g->st.bytes += 16 + pkt_len;
	/* ~20 us mean gap: 50k packets/s, a few thousand requests/s */
	g->clock_us += rnd_range(g, 1, 39);
	return 0;
}

/* ---- HTTP message rendering ---- */

static const char *const user_agents[] = {
	"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36",
	"curl/7.88.1",
	"python-requests/2.31.0",
	"okhttp/4.12.0",
};

static const char *const get_paths[] = {
	"/", "/index.html", "/static/app.js", "/static/app.css",
	"/img/product/%u.jpg", "/api/v1/items/%u", "/api/v1/search?q=item%u",
	"/news/%u.html", "/favicon.ico",
};

static const char *const post_paths[] = {
	"/api/v1/upload", "/api/v1/items", "/api/v1/orders/%u", "/login",
};

static const char *const content_types[] = {
	"text/html; charset=utf-8", "application/json", "text/css",
	"application/javascript", "image/jpeg",
};

/* Grows c->buf to hold at least need bytes. Returns 0 or -1. */
static int buf_reserve(struct conn *c, size_t need)
{
	char *p;

	if (need <= c->cap)
		return 0;
	p = realloc(c->buf, need);
	if (!p)
		return -1;
	c->buf = p;
	c->cap = need;
	return 0;
}

/* Appends a formatted string at c->buf + c->len, truncating at c->cap; the
 * caller reserved HEAD_MAX for header text. */
static void buf_printf(struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void buf_printf(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->buf + c->len, c->cap - c->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->len += (size_t)n < c->cap - c->len ? (size_t)n : c->cap - c->len - 1;
}

/* Appends len body bytes copied from the filler text at a random offset. */
static void buf_body(struct gen *g, struct conn *c, size_t len)
{
	size_t at = rnd(g) % (FILLER_LEN - len);

	memcpy(c->buf + c->len, g->filler + at, len);
	c->len += len;
}

/* Appends len body bytes as chunks of 1-8 KiB and the last-chunk
 * (RFC 9112 7.1). Needs len + 16 * (len / 1024 + 2) bytes of room. */
static void buf_chunked(struct gen *g, struct conn *c, size_t len)
{
	while (len) {
		size_t n = rnd_range(g, 1024, 8192);

		if (n > len)
			n = len;
		buf_printf(c, "%zx\r\n", n);
		buf_body(g, c, n);
		buf_printf(c, "\r\n");
		len -= n;
	}
	buf_printf(c, "0\r\n\r\n");
}

/* Refreshes the cached IMF-fixdate for the current capture second. */
static const char *http_date(struct gen *g)
{
	uint64_t sec = EPOCH_START + g->clock_us / 1000000;

	if (sec != g->date_sec || !g->date[0]) {
		time_t t = (time_t)sec;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(g->date, sizeof g->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		g->date_sec = sec;
	}
	return g->date;
}

static void render_request(struct conn *c)
{
	const char *fmt = c->is_post
		? post_paths[c->path_id % (sizeof post_paths / sizeof *post_paths)]
		: get_paths[c->path_id % (sizeof get_paths / sizeof *get_paths)];
	int last = c->requests_left == 1;

	buf_printf(c, c->is_post ? "POST " : "GET ");
	buf_printf(c, fmt, c->path_id);
	buf_printf(c, " HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
		   "Accept: */*\r\nAccept-Encoding: gzip, deflate\r\n"
		   "Accept-Language: en-US,en;q=0.5\r\n",
		   c->srv_port == 80 ? "www.example.com" : "api.example.com:8080",
		   user_agents[c->ua]);
	if (c->path_id % 3 == 0)
		buf_printf(c, "Cookie: session=%08x%08x\r\n",
			   c->cli_ip, c->path_id);
	if (c->is_post)
		buf_printf(c, "Content-Type: application/octet-stream\r\n"
			   "Content-Length: %zu\r\nExpect: 100-continue\r\n",
			   c->req_body_len);
	if (c->close_by_server && last)
		buf_printf(c, "Connection: close\r\n");
	buf_printf(c, "\r\n");
}

static const struct { int status; const char *reason; } reasons[] = {
	{ 200, "OK" }, { 201, "Created" }, { 304, "Not Modified" },
	{ 404, "Not Found" }, { 0, NULL }
};

/* Reason phrase for the final statuses the generator uses. */
static const char *reason(int status)
{
	int i;

	for (i = 0; reasons[i].reason; i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

static void render_final(struct gen *g, struct conn *c)
{
	int has_body = c->status != 304;

	buf_printf(c, "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: nginx/1.24.0\r\n",
		   c->status, reason(c->status), http_date(g));
	if (has_body)
		buf_printf(c, "Content-Type: %s\r\n",
			   content_types[c->path_id % (sizeof content_types /
						       sizeof *content_types)]);
	if (c->chunked)
		buf_printf(c, "Transfer-Encoding: chunked\r\n");
	else if (has_body)
		buf_printf(c, "Content-Length: %zu\r\n", c->resp_body_len);
	buf_printf(c, "Cache-Control: max-age=%u\r\nConnection: %s\r\n\r\n",
		   c->path_id % 3600,
		   c->close_by_server ? "close" : "keep-alive");
	if (c->chunked)
		buf_chunked(g, c, c->resp_body_len);
	else if (has_body)
		buf_body(g, c, c->resp_body_len);
}

/* Renders plan[plan_pos] into c->buf. Returns 0 or -1 (out of memory). */
static int render_message(struct gen *g, struct conn *c)
{
	size_t body = c->plan[c->plan_pos] == M_REQ_BODY ? c->req_body_len
		: c->plan[c->plan_pos] == M_FINAL ? c->resp_body_len : 0;

	if (buf_reserve(c, HEAD_MAX + body + 16 * (body / 1024 + 2)) < 0)
		return -1;
	c->len = 0;
	c->off = 0;
	switch (c->plan[c->plan_pos]) {
	case M_REQ_HEAD:
		render_request(c);
		break;
	case M_REQ_BODY:
		buf_body(g, c, c->req_body_len);
		break;
	case M_100:
		buf_printf(c, "HTTP/1.1 100 Continue\r\n\r\n");
		break;
	case M_102:
		buf_printf(c, "HTTP/1.1 102 Processing\r\n\r\n");
		break;
	case M_103:
		buf_printf(c, "HTTP/1.1 103 Early Hints\r\n"
			   "Link: </static/app.css>; rel=preload; as=style\r\n"
			   "Link: </static/app.js>; rel=preload; as=script\r\n\r\n");
		break;
	case M_FINAL:
		render_final(g, c);
		break;
	}
	return 0;
}

static int msg_from_client(enum msg_kind k)
{
	return k == M_REQ_HEAD || k == M_REQ_BODY;
}

/* Chooses the next request's method, sizes and interim responses, and
 * renders its first message. */
static int plan_request(struct gen *g, struct conn *c)
{
	struct stats *st = &g->st;

	c->is_post = rnd_permille(g, 250);
	c->path_id = (uint32_t)rnd_range(g, 1, 99999);
	c->plan_len = 0;
	c->plan_pos = 0;
	c->plan[c->plan_len++] = M_REQ_HEAD;
	c->chunked = 0;
	if (c->is_post) {
		c->req_body_len = rnd_size(g, 100, 65536);
		c->resp_body_len = rnd_size(g, 100, 2048);
		c->status = 201;
		c->plan[c->plan_len++] = M_100;
		c->plan[c->plan_len++] = M_REQ_BODY;
		if (rnd_permille(g, 120)) {
			c->plan[c->plan_len++] = M_102;
			st->r102++;
		}
		st->posts_expect++;
		st->r100++;
	} else {
		unsigned r = (unsigned)(rnd(g) % 100);

		c->req_body_len = 0;
		c->status = r < 92 ? 200 : r < 96 ? 304 : 404;
		c->resp_body_len = c->status == 404 ? rnd_size(g, 100, 600)
			: rnd_size(g, 100, 65536);
		c->chunked = c->status == 200 && rnd_permille(g, 200);
		if (rnd_permille(g, 40)) {
			c->plan[c->plan_len++] = M_103;
			st->r103++;
		}
		st->gets++;
	}
	if (c->status == 304)
		st->no_body++;
	else if (c->chunked)
		st->chunked++;
	else
		st->cl_bodies++;
	c->plan[c->plan_len++] = M_FINAL;
	st->requests++;
	/* header blocks are ~300-700 bytes each way */
	g->pending += 900 + c->req_body_len + c->resp_body_len;
	g->pending -= MEAN_REQUEST < g->pending ? MEAN_REQUEST : g->pending;
	return render_message(g, c);
}

/* Starts a new connection in slot c: picks client, port and kind. */
static void conn_open(struct gen *g, struct conn *c)
{
	uint32_t client = (uint32_t)(rnd(g) % N_CLIENTS);
	char *buf = c->buf;
	size_t cap = c->cap;

	memset(c, 0, sizeof *c);
	c->buf = buf;
	c->cap = cap;
	c->cli_ip = 0x0a140000u | ((1 + client / 250) << 8) | (1 + client % 250);
	c->srv_ip = SERVER_IP;
	if (g->next_port[client] < 32768 || g->next_port[client] > 60999)
		g->next_port[client] = (uint16_t)rnd_range(g, 32768, 60999);
	c->cli_port = g->next_port[client]++;
	c->srv_port = rnd_permille(g, 700) ? 80 : 8080;
	c->cli_seq = (uint32_t)rnd(g);
	c->srv_seq = (uint32_t)rnd(g);
	c->cli_ts_off = (uint32_t)rnd(g);
	c->srv_ts_off = (uint32_t)rnd(g);
	c->cli_ipid = (uint16_t)rnd(g);
	c->cli_ttl = (uint8_t)rnd_range(g, 52, 63);
	c->ua = (int)(rnd(g) % (sizeof user_agents / sizeof *user_agents));
	c->close_by_server = rnd_permille(g, 500);
	c->requests_left = c->close_by_server ? 1 : (int)rnd_range(g, 5, 20);
	c->phase = P_SYN;
	g->pending += (uint64_t)c->requests_left * MEAN_REQUEST;
	g->st.conns++;
	g->st.keepalive_conns += !c->close_by_server;
	g->active++;
	if (g->active > g->st.active_max)
		g->st.active_max = g->active;
}

/* Called when the current message is fully sent and ACKed as needed: moves
 * to the next message, the next request, or teardown. */
static int conn_next_message(struct gen *g, struct conn *c)
{
	if (++c->plan_pos < c->plan_len)
		return render_message(g, c);
	if (--c->requests_left > 0)
		return plan_request(g, c);
	c->phase = P_FIN1;
	return 0;
}

/* Sends one segment of the current message, or the receiver's ACK when
 * two segments are outstanding or the message is done and nothing from
 * the receiver follows to carry the ACK. */
static int conn_step_msg(struct gen *g, struct conn *c)
{
	int from_client = msg_from_client(c->plan[c->plan_pos]);
	uint8_t *unacked = from_client ? &c->unacked_cli : &c->unacked_srv;
	size_t left = c->len - c->off;

	if (*unacked >= 2 || (left == 0 && *unacked)) {
		int rest_from_peer = left == 0 && c->plan_pos + 1 < c->plan_len &&
			msg_from_client(c->plan[c->plan_pos + 1]) != from_client;

		if (!rest_from_peer) {
			*unacked = 0;
			return emit(g, c, !from_client, F_ACK, NULL, 0);
		}
	}
	if (left == 0)
		return conn_next_message(g, c);
	{
		size_t n = left < MSS ? left : MSS;
		unsigned flags = F_ACK | (n == left ? F_PSH : 0);

		/* our data carries an ACK of everything the peer sent */
		if (from_client)
			c->unacked_srv = 0;
		else
			c->unacked_cli = 0;
		if (emit(g, c, from_client, flags, c->buf + c->off, n) < 0)
			return -1;
		c->off += n;
		(*unacked)++;
	}
	return 0;
}

/* Advances connection c by one packet. Returns 0 or -1 (write error). */
static int conn_step(struct gen *g, struct conn *c)
{
	int closer = !c->close_by_server;       /* 1: client sends first FIN */

	switch (c->phase) {
	case P_SYN:
		c->phase = P_SYNACK;
		return emit(g, c, 1, F_SYN, NULL, 0);
	case P_SYNACK:
		c->phase = P_ACK;
		return emit(g, c, 0, F_SYN | F_ACK, NULL, 0);
	case P_ACK:
		c->phase = P_MSG;
		if (plan_request(g, c) < 0)
			return -1;
		return emit(g, c, 1, F_ACK, NULL, 0);
	case P_MSG:
		return conn_step_msg(g, c);
	case P_FIN1:
		c->phase = P_FIN2;
		return emit(g, c, closer, F_FIN | F_ACK, NULL, 0);
	case P_FIN2:
		c->phase = P_FIN3;
		return emit(g, c, !closer, F_FIN | F_ACK, NULL, 0);
	case P_FIN3:
		c->phase = P_DONE;
		g->active--;
		return emit(g, c, closer, F_ACK, NULL, 0);
	case P_DONE:
		break;
	}
	return 0;
}

/* ---- body filler: HTML-ish words, deterministic ---- */

static void filler_init(struct gen *g)
{
	static const char *const words[] = {
		"<div class=\"item\">", "</div>\n", "<p>", "</p>\n", "lorem",
		"ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing",
		"elit", "sed", "do", "eiusmod", "tempor", "incididunt", "ut",
		"labore", "et", "dolore", "magna", "aliqua", "{\"id\":", "}",
		"\"price\":", "\"name\":", "<a href=\"/p/", "\">", "</a>",
	};
	size_t n = sizeof words / sizeof *words, i = 0;

	while (i < FILLER_LEN) {
		const char *w = words[rnd(g) % n];
		size_t wl = strlen(w);

		if (wl > FILLER_LEN - i)
			wl = FILLER_LEN - i;
		memcpy(g->filler + i, w, wl);
		i += wl;
		if (i < FILLER_LEN)
			g->filler[i++] = ' ';
	}
}

/* ---- main loop ---- */

/* Emits packets from randomly chosen slots, replacing each closed
 * connection, until the byte target is close; then opens no more and lets
 * every open connection finish all its requests and close. */
static int generate(struct gen *g)
{
	for (;;) {
		struct conn *c = &g->slots[rnd(g) % g->n_slots];

		/* payload still planned (requests not yet started count at
		 * their mean size), plus ~10% headers and ACKs, plus
		 * teardown: what the open connections will add */
		if (!g->winding_down &&
		    g->st.bytes + g->pending + g->pending / 10 +
		    (uint64_t)g->active * 400 >= g->target)
			g->winding_down = 1;
		if (c->phase == P_DONE) {
			if (g->winding_down) {
				if (g->active == 0)
					return 0;
				continue;
			}
			conn_open(g, c);
		}
		if (conn_step(g, c) < 0)
			return -1;
	}
}

static void print_summary(const struct gen *g, const char *path)
{
	const struct stats *st = &g->st;
	double secs = (double)g->clock_us / 1e6;

	fprintf(stderr,
		"%s: %llu bytes, %llu packets, %.1f s of capture\n"
		"connections %llu (keep-alive %llu, one-shot %llu), "
		"open at once: max %u, mean %.0f\n"
		"requests %llu (%.0f/s): GET %llu, POST+Expect %llu\n"
		"interim: 100 %llu, 102 %llu, 103 %llu\n"
		"final bodies: content-length %llu, chunked %llu, none %llu\n"
		"tcp payload: client->server %llu, server->client %llu\n",
		path, (unsigned long long)st->bytes,
		(unsigned long long)st->packets, secs,
		(unsigned long long)st->conns,
		(unsigned long long)st->keepalive_conns,
		(unsigned long long)(st->conns - st->keepalive_conns),
		st->active_max,
		st->packets ? (double)st->active_sum / (double)st->packets : 0.0,
		(unsigned long long)st->requests,
		secs > 0 ? (double)st->requests / secs : 0.0,
		(unsigned long long)st->gets,
		(unsigned long long)st->posts_expect,
		(unsigned long long)st->r100, (unsigned long long)st->r102,
		(unsigned long long)st->r103,
		(unsigned long long)st->cl_bodies,
		(unsigned long long)st->chunked,
		(unsigned long long)st->no_body,
		(unsigned long long)st->payload_c2s,
		(unsigned long long)st->payload_s2c);
}

static void gen_free(struct gen *g)
{
	unsigned i;

	if (g->slots)
		for (i = 0; i < g->n_slots; i++)
			free(g->slots[i].buf);
	free(g->slots);
	free(g->obuf);
	free(g);
}

int main(int argc, char **argv)
{
	struct gen *g;
	char *end;
	unsigned long mb;
	unsigned long long seed = 20240601;
	unsigned i;
	int rc = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: gen-capture OUT.pcap MEGABYTES [SEED]\n");
		return 2;
	}
	errno = 0;
	mb = strtoul(argv[2], &end, 10);
	if (errno || *end || mb == 0 || mb > 100000) {
		fprintf(stderr, "gen-capture: bad size '%s'\n", argv[2]);
		return 2;
	}
	if (argc == 4)
		seed = strtoull(argv[3], NULL, 10);

	g = calloc(1, sizeof *g);
	if (!g || !(g->obuf = malloc(OUTBUF_LEN))) {
		fprintf(stderr, "gen-capture: out of memory\n");
		return 1;
	}
	g->rng = seed * 0x9e3779b97f4a7c15ull | 1;
	g->target = (uint64_t)mb * 1000000u;
	/* small captures get fewer parallel connections so most finish */
	g->n_slots = mb >= 50 ? CONCURRENCY : (unsigned)(mb * CONCURRENCY / 50);
	if (g->n_slots < 20)
		g->n_slots = 20;
	g->slots = calloc(g->n_slots, sizeof *g->slots);
	if (!g->slots) {
		fprintf(stderr, "gen-capture: out of memory\n");
		gen_free(g);
		return 1;
	}
	for (i = 0; i < g->n_slots; i++)
		g->slots[i].phase = P_DONE;
	g->srv_ipid = (uint16_t)rnd(g);
	filler_init(g);

	g->out = fopen(argv[1], "wb");
	if (!g->out) {
		fprintf(stderr, "gen-capture: cannot open '%s': %s\n", argv[1],
			strerror(errno));
		gen_free(g);
		return 1;
	}
	out_header(g);
	if (generate(g) < 0 || out_flush(g) < 0 || fclose(g->out) != 0) {
		fprintf(stderr, "gen-capture: cannot write '%s': %s\n", argv[1],
			strerror(errno));
		rc = 1;
	} else {
		g->st.bytes += 24;
		print_summary(g, argv[1]);
	}
	gen_free(g);
	return rc;
}
