/* test_http1.c: the dissector on byte streams.
 *
 * Every stream is fed whole, byte by byte, and split in two at every
 * offset; the events must be the same every time. Bytes not consumed are
 * offered again with the next ones, as reassembly.c does with libnids.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http1.h"

#define LOG 8192

struct rec {
	char log[LOG];
	size_t len;
	int head_request;       /* answer HEAD: the next response has no body */
	int connect;            /* the first 2xx (or CONNECT request) opens a
				 * CONNECT tunnel */
};

static int failures, checks;

static void
say(struct rec *r, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);

	if (k > 0 && r->len + (size_t)k < LOG) {
		memcpy(r->log + r->len, line, (size_t)k);
		r->len += (size_t)k;
		r->log[r->len] = '\0';
	}
}

static void
on_begin(void *ctx)
{
	say(ctx, "begin;");
}

static enum http1_body
on_head(void *ctx, const struct http1_message *m)
{
	struct rec *r = ctx;
	const struct http1_header *h;

	if (m->kind == HTTP1_REQUEST)
		say(r, "req %.*s/%d", (int)m->method_len, m->method, m->minor);
	else
		say(r, "resp %d", m->status);
	say(r, " h=%d", (int)m->num_headers);
	if ((h = http1_get(m, HTTP1_UPGRADE)) != NULL)
		say(r, " up=%.*s", (int)h->value_len, h->value);
	say(r, ";");
	if (m->kind == HTTP1_RESPONSE && r->head_request && m->status >= 200)
		return HTTP1_BODY_NONE;
	if (r->connect && (m->kind == HTTP1_REQUEST ? m->method_len == 7 &&
	    memcmp(m->method, "CONNECT", 7) == 0 : m->status / 100 == 2)) {
		r->connect = 0;
		return HTTP1_BODY_CONNECT;
	}
	return HTTP1_BODY_DEFAULT;
}

static void
on_end(void *ctx)
{
	say(ctx, "end;");
}

static void
on_error(void *ctx, enum http1_error e)
{
	say(ctx, "error %d;", (int)e);
}

static const struct http1_callbacks cb = {on_begin, on_head, on_end, on_error};

/* Flags for run() and EXPECT(): the stream answers a HEAD request; the
 * other direction is known to be HTTP (http1_expect_http). */
#define HEAD_REQUEST 1
#define PEER_IS_HTTP 2
#define CONNECT_2XX  4          /* see struct rec's connect */

/* http1_feed() on a copy of buf[0..len) in a block of exactly len bytes,
 * at a fresh address as libnids presents them: a read past the bytes
 * given is one past the block, which AddressSanitizer reports. */
static size_t
feed_exact(struct http1_parser *p, const char *buf, size_t len)
{
	char *exact = malloc(len > 0 ? len : 1);
	size_t used;

	memcpy(exact, buf, len);
	used = http1_feed(p, exact, len);
	free(exact);
	return used;
}

/* Feed stream in pieces that end at the offsets in cuts[]; returns the
 * parser's final state and fills r. */
static enum http1_state
run(enum http1_kind kind, const char *stream, size_t len, const size_t *cuts,
    size_t ncuts, int head_request, struct rec *r, uint64_t *tunnel)
{
	struct http1_parser p;
	char *buf = malloc(len + 1);
	size_t have = 0, fed = 0;

	memset(r, 0, sizeof(*r));
	r->head_request = head_request & HEAD_REQUEST;
	r->connect = head_request & CONNECT_2XX;
	http1_init(&p, kind, &cb, r);
	if (head_request & PEER_IS_HTTP)
		http1_expect_http(&p);
	for (size_t c = 0; c <= ncuts; c++) {
		size_t upto = c < ncuts ? cuts[c] : len;
		size_t used;

		memcpy(buf + have, stream + fed, upto - fed);
		have += upto - fed;
		fed = upto;
		used = feed_exact(&p, buf, have);
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	http1_finish(&p, have);
	free(buf);
	if (tunnel != NULL)
		*tunnel = p.tunnel_bytes;
	return p.state;
}

static void
check(int ok, const char *name, const char *detail)
{
	checks++;
	if (!ok) {
		failures++;
		printf("not ok %d - %s\n  %s\n", checks, name, detail);
	}
}

/* The expected log, and the same under every way of splitting. */
static void
expect(const char *name, enum http1_kind kind, const char *stream,
    size_t len, int head_request, const char *want)
{
	struct rec whole, piece;
	size_t *cuts = malloc((len + 1) * sizeof(size_t));
	char detail[LOG * 2 + 64];

	run(kind, stream, len, NULL, 0, head_request, &whole, NULL);
	snprintf(detail, sizeof(detail), "want %s\n  got  %s", want, whole.log);
	check(strcmp(whole.log, want) == 0, name, detail);
	for (size_t k = 1; k < len; k++) {
		run(kind, stream, len, &k, 1, head_request, &piece, NULL);
		if (strcmp(piece.log, whole.log) != 0) {
			snprintf(detail, sizeof(detail), "split at %zu: %s", k,
			    piece.log);
			check(0, name, detail);
			break;
		}
	}
	for (size_t k = 0; k < len; k++)
		cuts[k] = k + 1;
	run(kind, stream, len, cuts, len - 1, head_request, &piece, NULL);
	snprintf(detail, sizeof(detail), "byte by byte: %s", piece.log);
	check(strcmp(piece.log, whole.log) == 0, name, detail);
	free(cuts);
}

#define EXPECT(name, kind, s, head, want) \
	expect(name, kind, s, sizeof(s) - 1, head, want)

static void
test_requests(void)
{
	EXPECT("simple GET", HTTP1_REQUEST,
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0,
	    "begin;req GET/1 h=1;end;");
	EXPECT("pipelined POST with body then GET", HTTP1_REQUEST,
	    "POST /u HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello"
	    "GET /b HTTP/1.0\r\n\r\n", 0,
	    "begin;req POST/1 h=2;end;begin;req GET/0 h=0;end;");
	EXPECT("chunked request with trailers", HTTP1_REQUEST,
	    "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5;ext=1\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n"
	    "GET / HTTP/1.1\r\n\r\n", 0,
	    "begin;req PUT/1 h=1;end;begin;req GET/1 h=0;end;");
	EXPECT("bare LF line ends", HTTP1_REQUEST,
	    "GET /lf HTTP/1.1\nHost: x\n\n", 0, "begin;req GET/1 h=1;end;");
	EXPECT("empty lines before a request are ignored", HTTP1_REQUEST,
	    "\r\n\r\nGET / HTTP/1.1\r\n\r\n", 0, "begin;req GET/1 h=0;end;");
	EXPECT("Content-Length list of equal values", HTTP1_REQUEST,
	    "POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\nokGET / HTTP/1.1\r\n\r\n",
	    0, "begin;req POST/1 h=1;end;begin;req GET/1 h=0;end;");
	EXPECT("conflicting Content-Length is an error, then resync",
	    HTTP1_REQUEST,
	    "POST / HTTP/1.1\r\nContent-Length: 2, 3\r\n\r\nGET /n HTTP/1.1\r\n\r\n",
	    0, "begin;req POST/1 h=1;error 4;end;begin;req GET/1 h=0;end;");
	EXPECT("field names in any case", HTTP1_REQUEST,
	    "POST / HTTP/1.1\r\ncOnTeNt-LeNgTh: 2\r\nUPGRADE: h2c\r\n\r\nok"
	    "GET / HTTP/1.1\r\n\r\n", 0,
	    "begin;req POST/1 h=2 up=h2c;end;begin;req GET/1 h=0;end;");
	EXPECT("names one byte off are other fields", HTTP1_REQUEST,
	    "POST / HTTP/1.1\r\nContent-Lengtx: 2\r\nXontent-Length: 2\r\n"
	    "Content_Length: 2\r\nContent-Lengthh: 2\r\nUpgradf: h2c\r\n"
	    "Transfer-Encodinh: chunked\r\n\r\nGET / HTTP/1.1\r\n\r\n", 0,
	    "begin;req POST/1 h=6;end;begin;req GET/1 h=0;end;");
	EXPECT("Content-Length with zeros and whitespace", HTTP1_REQUEST,
	    "POST / HTTP/1.1\r\nContent-Length: \t 0003 \t\r\n\r\nabc"
	    "POST / HTTP/1.1\r\nContent-Length: 00000000000000000005\r\n\r\n"
	    "hello", 0,
	    "begin;req POST/1 h=1;end;begin;req POST/1 h=1;end;");
	EXPECT("Transfer-Encoding in capitals", HTTP1_REQUEST,
	    "PUT /c HTTP/1.1\r\nTRANSFER-ENCODING: CHUNKED\r\n\r\n"
	    "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n", 0,
	    "begin;req PUT/1 h=1;end;begin;req GET/1 h=0;end;");
	EXPECT("obs-fold lines are ignored", HTTP1_REQUEST,
	    "GET / HTTP/1.1\r\nX: a\r\n  b\r\nY: c\r\n\r\n", 0,
	    "begin;req GET/1 h=2;end;");
	EXPECT("a bad header line is reported, the message kept", HTTP1_REQUEST,
	    "GET / HTTP/1.1\r\nno colon here\r\nY: c\r\n\r\n", 0,
	    "begin;error 2;req GET/1 h=1;end;");
	EXPECT("request truncated in its body", HTTP1_REQUEST,
	    "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", 0,
	    "begin;req POST/1 h=1;error 6;");
	EXPECT("request truncated in its head", HTTP1_REQUEST,
	    "GET / HTTP/1.1\r\nHost: a\r\n", 0, "begin;error 6;");
	EXPECT("garbage after a request re-synchronises", HTTP1_REQUEST,
	    "GET / HTTP/1.1\r\n\r\n\x01\x02garbage\r\nmore junk\r\nGET /2 HTTP/1.1\r\n\r\n",
	    0, "begin;req GET/1 h=0;end;begin;error 1;begin;req GET/1 h=0;end;");
}

static void
test_responses(void)
{
	EXPECT("a bad first status line: ignored as another protocol",
	    HTTP1_RESPONSE,
	    "HTTP/1.1 1x2 Weird\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	    0, "begin;");
	EXPECT("a bad first status line after an HTTP request: reported, resync",
	    HTTP1_RESPONSE,
	    "HTTP/1.1 1x2 Weird\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	    PEER_IS_HTTP, "begin;error 1;begin;resp 200 h=1;end;");
	EXPECT("100 then 200 with a body", HTTP1_RESPONSE,
	    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
	    0, "begin;resp 100 h=0;end;begin;resp 200 h=1;end;");
	EXPECT("102, 103, unknown 1xx all interim", HTTP1_RESPONSE,
	    "HTTP/1.1 102 Processing\r\n\r\n"
	    "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
	    "HTTP/1.1 199\r\n\r\n"
	    "HTTP/1.1 204 No Content\r\n\r\n",
	    0, "begin;resp 102 h=0;end;begin;resp 103 h=1;end;"
	    "begin;resp 199 h=0;end;begin;resp 204 h=0;end;");
	EXPECT("chunked response with trailers, then 304", HTTP1_RESPONSE,
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
	    "a\r\n0123456789\r\n1F\r\n0123456789012345678901234567890\r\n"
	    "0\r\nT: 1\r\n\r\n"
	    "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n",
	    0, "begin;resp 200 h=1;end;begin;resp 304 h=1;end;");
	EXPECT("HEAD response has no body", HTTP1_RESPONSE,
	    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
	    1, "begin;resp 200 h=1;end;begin;resp 200 h=0;end;");
	EXPECT("close-delimited body ends with the stream", HTTP1_RESPONSE,
	    "HTTP/1.0 200 OK\r\n\r\nHTTP/1.1 200 OK is body text", 0,
	    "begin;resp 200 h=0;end;");
	EXPECT("1xx declaring a body: skipped when no status line follows",
	    HTTP1_RESPONSE,
	    "HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\nhello"
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
	    0, "begin;resp 100 h=1;end;begin;resp 200 h=1;end;");
	EXPECT("1xx declaring a body: kept when a status line follows",
	    HTTP1_RESPONSE,
	    "HTTP/1.1 103 Early Hints\r\nContent-Length: 5\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
	    0, "begin;resp 103 h=1;end;begin;resp 200 h=1;end;");
	EXPECT("1xx declaring a chunked body: skipped, trailers and all",
	    HTTP1_RESPONSE,
	    "HTTP/1.1 100 Continue\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
	    0, "begin;resp 100 h=1;end;begin;resp 200 h=1;end;");
	EXPECT("1xx declaring chunked: a skipped body cut short is no error",
	    HTTP1_RESPONSE,
	    "HTTP/1.1 100 Continue\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhel",
	    0, "begin;resp 100 h=1;end;");
	EXPECT("1xx declaring chunked: no body when a status line follows",
	    HTTP1_RESPONSE,
	    "HTTP/1.1 103 Early Hints\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
	    0, "begin;resp 103 h=1;end;begin;resp 200 h=1;end;");
	EXPECT("1xx with Content-Length 0", HTTP1_RESPONSE,
	    "HTTP/1.1 100 Continue\r\nContent-Length: 0\r\n\r\nHTTP/1.1 201 Created\r\n"
	    "Content-Length: 0\r\n\r\n",
	    0, "begin;resp 100 h=1;end;begin;resp 201 h=1;end;");
	EXPECT("bad Content-Length then resync", HTTP1_RESPONSE,
	    "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
	    0, "begin;resp 200 h=1;error 4;end;begin;resp 204 h=0;end;");
	EXPECT("malformed chunk then resync", HTTP1_RESPONSE,
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n"
	    "HTTP/1.1 204 No Content\r\n\r\n",
	    0, "begin;resp 200 h=1;error 5;begin;resp 204 h=0;end;");
	EXPECT("chunk size too large", HTTP1_RESPONSE,
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "FFFFFFFFFFFFFFFFF\r\n", 0, "begin;resp 200 h=1;error 5;");
	EXPECT("status line without reason", HTTP1_RESPONSE,
	    "HTTP/1.1 204\r\n\r\n", 0, "begin;resp 204 h=0;end;");
	EXPECT("101 turns the rest into a tunnel", HTTP1_RESPONSE,
	    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
	    "\x81\x05hello HTTP/1.1 200 OK\r\n\r\n",
	    0, "begin;resp 101 h=1 up=websocket;");
}

static void
test_hostile(void)
{
	struct rec r;
	enum http1_state st;
	uint64_t tunnel = 0;
	size_t big = HTTP1_MAX_HEAD + 100, n;
	char *s = malloc(big + 64);
	static const char tls[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
	static const char ws[] = "HTTP/1.1 101 Switching Protocols\r\n\r\n0123456789";

	st = run(HTTP1_REQUEST, tls, sizeof(tls) - 1, NULL, 0, 0, &r, NULL);
	check(st == HTTP1_NOT_HTTP && strcmp(r.log, "begin;") == 0,
	    "TLS bytes are not HTTP", r.log);

	/* a header block over the cap: reported, then the next request */
	n = (size_t)snprintf(s, 64, "GET / HTTP/1.1\r\nX: ");
	memset(s + n, 'a', big - n);
	n = big;
	n += (size_t)snprintf(s + n, 64, "\r\n\r\nGET /ok HTTP/1.1\r\n\r\n");
	st = run(HTTP1_REQUEST, s, n, NULL, 0, 0, &r, NULL);
	check(strcmp(r.log, "begin;error 3;begin;req GET/1 h=0;end;") == 0,
	    "header block over 64 KiB", r.log);

	/* many header fields: all counted, none an error */
	n = (size_t)snprintf(s, 64, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(s + n, 64, "X-%d: v\r\n", i);
	n += (size_t)snprintf(s + n, 64, "\r\n");
	run(HTTP1_REQUEST, s, n, NULL, 0, 0, &r, NULL);
	check(strcmp(r.log, "begin;req GET/1 h=1000;end;") == 0,
	    "1000 header fields", r.log);

	run(HTTP1_RESPONSE, ws, sizeof(ws) - 1, NULL, 0, 0, &r, &tunnel);
	check(tunnel == 10, "tunnel bytes counted", r.log);

	/* random bytes never crash or hang, and give the same events
	 * whatever the split: here cut at up to 8 random offsets */
	srand(7);
	for (int round = 0; round < 2000; round++) {
		static const char *piece[] = {
			"GET / HTTP/1.1\r\n", "HEAD /x HTTP/1.0\n",
			"HTTP/1.1 100 Continue\r\n", "HTTP/1.1 101 S\r\n",
			"HTTP/1.1 103\r\n", "HTTP/1.1 200 OK\r\n",
			"HTTP/1.0 204 No Content\r\n", "Content-Length: 3\r\n",
			"Content-Length: x\r\n", "Transfer-Encoding: chunked\r\n",
			"Upgrade: h2c\r\n", "no colon\r\n", " fold\r\n", "\r\n",
			"\n", "3\r\nabc\r\n", "0\r\n", "zz\r\n", "abc", "G",
			"HTTP/1.", "\x16\x03\x01", " ", ":"
		};
		enum http1_kind kind = round % 2 ? HTTP1_REQUEST :
		    HTTP1_RESPONSE;
		size_t len = 0, cuts[8], ncuts = 0;
		struct rec whole;
		char detail[LOG + 64];

		for (int k = rand() % 40; k > 0; k--) {
			const char *w = piece[(size_t)rand() %
			    (sizeof(piece) / sizeof(piece[0]))];
			memcpy(s + len, w, strlen(w));
			len += strlen(w);
		}
		for (size_t c = 0; len > 0 && c < 8; c++) {
			size_t k = (size_t)rand() % len;
			if (k > (ncuts > 0 ? cuts[ncuts - 1] : 0))
				cuts[ncuts++] = k;
		}
		run(kind, s, len, NULL, 0, round & 4 ? PEER_IS_HTTP : 0, &whole,
		    NULL);
		run(kind, s, len, cuts, ncuts, round & 4 ? PEER_IS_HTTP : 0, &r,
		    NULL);
		if (strcmp(whole.log, r.log) != 0) {
			snprintf(detail, sizeof(detail), "round %d: %s", round,
			    r.log);
			check(0, "random bytes: the same events cut", detail);
		}
	}
	check(1, "random bytes", "");
	free(s);
}

/* prefix, then fill bytes of c, then suffix, into s (size bytes); returns
 * the length */
static size_t
build(char *s, size_t size, const char *prefix, int c, size_t fill,
    const char *suffix)
{
	size_t n = (size_t)snprintf(s, size, "%s", prefix);

	memset(s + n, c, fill);
	n += fill;
	n += (size_t)snprintf(s + n, size - n, "%s", suffix);
	return n;
}

/* Lines near and past the caps decide the same way whole, split at every
 * offset and byte by byte. */
static void
test_long_lines(void)
{
	size_t size = HTTP1_MAX_START + 256, n;
	char *s = malloc(size);
	/* what "GET /aaa... HTTP/1.1" needs around its target */
	size_t req = strlen("GET / HTTP/1.1"), resp = strlen("HTTP/1.1 102 ");

	n = build(s, size, "GET /", 'a', 5000, " HTTP/1.1\r\nHost: a\r\n\r\n");
	expect("request line over 4 KiB", HTTP1_REQUEST, s, n, 0,
	    "begin;req GET/1 h=1;end;");
	n = build(s, size, "GET /", 'a', HTTP1_MAX_START - req,
	    " HTTP/1.1\r\n\r\n");
	expect("request line at the cap, CRLF", HTTP1_REQUEST, s, n, 0,
	    "begin;req GET/1 h=0;end;");
	n = build(s, size, "GET /", 'a', HTTP1_MAX_START - req,
	    " HTTP/1.1\n\n");
	expect("request line at the cap, LF", HTTP1_REQUEST, s, n, 0,
	    "begin;req GET/1 h=0;end;");
	n = build(s, size, "GET /", 'a', HTTP1_MAX_START - req + 1,
	    " HTTP/1.1\r\n\r\n");
	expect("request line past the cap: not HTTP", HTTP1_REQUEST, s, n, 0,
	    "begin;");
	n = build(s, size, "GET / HTTP/1.1\r\n\r\nGET /", 'a',
	    HTTP1_MAX_START - req + 1,
	    " HTTP/1.1\r\n\r\nGET /ok HTTP/1.1\r\n\r\n");
	expect("request line past the cap after a request: resync",
	    HTTP1_REQUEST, s, n, 0,
	    "begin;req GET/1 h=0;end;begin;error 1;begin;req GET/1 h=0;end;");

	n = build(s, size, "", 'M', HTTP1_MAX_METHOD, " / HTTP/1.1\r\n\r\n");
	expect("method at the cap", HTTP1_REQUEST, s, n, 0,
	    "begin;req MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM/1 h=0;end;");
	n = build(s, size, "", 'M', HTTP1_MAX_METHOD + 1,
	    " / HTTP/1.1\r\n\r\n");
	expect("method past the cap: not HTTP", HTTP1_REQUEST, s, n, 0,
	    "begin;");
	n = build(s, size, "GET / HTTP/1.1\r\n\r\n", 'M',
	    HTTP1_MAX_METHOD + 1, " / HTTP/1.1\r\n\r\nGET / HTTP/1.0\r\n\r\n");
	expect("method past the cap after a request: resync", HTTP1_REQUEST,
	    s, n, 0,
	    "begin;req GET/1 h=0;end;begin;error 1;begin;req GET/0 h=0;end;");

	n = build(s, size, "HTTP/1.1 102 ", 'p', 5000,
	    "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	expect("1xx status line over 4 KiB", HTTP1_RESPONSE, s, n,
	    PEER_IS_HTTP, "begin;resp 102 h=0;end;begin;resp 200 h=1;end;");
	n = build(s, size, "HTTP/1.1 102 ", 'p', HTTP1_MAX_START - resp,
	    "\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
	expect("status line at the cap", HTTP1_RESPONSE, s, n, PEER_IS_HTTP,
	    "begin;resp 102 h=0;end;begin;resp 204 h=0;end;");
	n = build(s, size, "HTTP/1.1 102 ", 'p', HTTP1_MAX_START - resp + 1,
	    "\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
	expect("status line past the cap: reported, resync", HTTP1_RESPONSE,
	    s, n, PEER_IS_HTTP, "begin;error 1;begin;resp 204 h=0;end;");
	n = build(s, size,
	    "HTTP/1.1 103 Early Hints\r\nContent-Length: 4\r\n\r\n"
	    "HTTP/1.1 200 ", 'p', 5000, "\r\nContent-Length: 0\r\n\r\n");
	expect("a long status line after a 1xx declaring a body",
	    HTTP1_RESPONSE, s, n, PEER_IS_HTTP,
	    "begin;resp 103 h=1;end;begin;resp 200 h=1;end;");
	n = build(s, size,
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhello\r\n0\r\nX-Trailer: ", 't', 5000,
	    "\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
	expect("a long trailer line", HTTP1_RESPONSE, s, n, 0,
	    "begin;resp 200 h=1;end;begin;resp 204 h=0;end;");
	free(s);
}

/* CPU seconds to feed stream in pieces of step bytes, the best of three.
 * The bytes stay where they are: only the parser's cost is measured. */
static double
feed_time(enum http1_kind kind, const char *stream, size_t len, size_t step,
    const char *want)
{
	double best = 0;

	for (int round = 0; round < 3; round++) {
		struct http1_parser p;
		struct rec r;
		size_t used = 0, fed = 0;
		clock_t t0 = clock();
		double t;

		memset(&r, 0, sizeof(r));
		http1_init(&p, kind, &cb, &r);
		while (fed < len) {
			fed = fed + step < len ? fed + step : len;
			used += http1_feed(&p, stream + used, fed - used);
		}
		t = (double)(clock() - t0) / CLOCKS_PER_SEC;
		if (round == 0 || t < best)
			best = t;
		check(strcmp(r.log, want) == 0, "timed stream", r.log);
	}
	return best;
}

/* A head that comes a byte at a time costs what a body that comes a byte
 * at a time does, not its length times more: no byte is searched twice
 * (each segment used to rescan the whole head: 7.8 s for 60 KB). */
static void
test_linear(void)
{
	size_t size = 64 * 1024, n = 0;
	char *head = malloc(size), *body = malloc(size), *line = malloc(size);
	char detail[256];
	double t_head, t_line, t_body;

	n = (size_t)snprintf(head, size, "GET / HTTP/1.1\r\n");
	for (int i = 0; n < 60000; i++)
		n += (size_t)snprintf(head + n, size - n,
		    "X-Field-%d: some value\r\n", i);
	n += (size_t)snprintf(head + n, size - n, "\r\n");
	t_head = feed_time(HTTP1_REQUEST, head, n, 1,
	    "begin;req GET/1 h=2350;end;");
	n = build(line, size, "GET / HTTP/1.1\r\nX: ", 'v', 60000, "\r\n\r\n");
	t_line = feed_time(HTTP1_REQUEST, line, n, 1,
	    "begin;req GET/1 h=1;end;");
	n = build(body, size, "POST / HTTP/1.1\r\nContent-Length: 60000\r\n\r\n",
	    'b', 60000, "");
	t_body = feed_time(HTTP1_REQUEST, body, n, 1,
	    "begin;req POST/1 h=1;end;");
	snprintf(detail, sizeof(detail), "60 KB byte by byte: head of fields "
	    "%.4f s, one long field %.4f s, body %.4f s", t_head, t_line,
	    t_body);
	/* generous: equal in principle; before the fix, over 100 times */
	check(t_head < 10 * t_body + 0.005, "a head byte by byte: linear",
	    detail);
	check(t_line < 10 * t_body + 0.005, "a long field byte by byte: linear",
	    detail);
	if (getenv("VERBOSE") != NULL)
		printf("%s\n", detail);
	free(head);
	free(line);
	free(body);
}

static void
test_helpers(void)
{
	check(http1_list_has("h2c, WebSocket/13", 17, "websocket"),
	    "list_has finds a token with a version", "");
	check(!http1_list_has("websockets", 10, "websocket"),
	    "list_has matches whole tokens", "");
	check(strcmp(http1_reason_default(103), "Early Hints") == 0,
	    "default reasons", "");
}

/* What http1_get() finds, field by field, as "value|value|..." with "-"
 * for an absent field (enum http1_field order). */
static char fields_seen[512];

static enum http1_body
on_head_fields(void *ctx, const struct http1_message *m)
{
	size_t n = 0;

	(void)ctx;
	for (int f = 0; f < HTTP1_FIELDS; f++) {
		const struct http1_header *h = http1_get(m,
		    (enum http1_field)f);

		n += (size_t)snprintf(fields_seen + n, sizeof(fields_seen) - n,
		    "%s%.*s", f ? "|" : "", h ? (int)h->value_len : 1,
		    h ? h->value : "-");
	}
	return HTTP1_BODY_DEFAULT;
}

/* What http1_get() finds in head, fed whole and then split at every
 * offset (the unconsumed bytes again, with the rest), each piece in a
 * block of its exact size. */
static void
fields(const char *name, const char *head, size_t len, const char *want)
{
	static const struct http1_callbacks fcb = {NULL, on_head_fields, NULL,
	    NULL};
	struct http1_parser p;
	char detail[1200], *buf = malloc(len + 1);

	for (size_t k = len; k > 0; k--) {      /* len first: whole */
		size_t used;

		http1_init(&p, head[0] == 'H' ? HTTP1_RESPONSE :
		    HTTP1_REQUEST, &fcb, NULL);
		fields_seen[0] = '\0';
		used = feed_exact(&p, head, k);
		memcpy(buf, head + used, len - used);
		if (k < len)
			feed_exact(&p, buf, len - used);
		snprintf(detail, sizeof(detail), "split at %zu: want %s\n"
		    "  got  %s", k, want, fields_seen);
		if (strcmp(fields_seen, want) != 0) {
			check(0, name, detail);
			free(buf);
			return;
		}
	}
	check(1, name, "");
	free(buf);
}

#define FIELDS(name, head, want) fields(name, head, sizeof(head) - 1, want)

static void
test_fields(void)
{
	char many[8192];
	size_t n;

	/* Content-Length|Transfer-Encoding|Host|Expect|Upgrade|Link|
	 * User-Agent */
	FIELDS("mixed case, look-alikes, duplicates: the first counts",
	    "GET / HTTP/1.1\r\nX-Host: a\r\nHosts: b\r\nhost: first\r\n"
	    "HOST: second\r\nLINK: l\r\nexpect:  100-continue \r\n"
	    "UpGrade: h2c\r\nTransfer-Encodings: x\r\n"
	    "User-Agents: no\r\nuser-AGENT: curl/8.5.0\r\n"
	    "User-Agent: second\r\ncontent-length: 0\r\n\r\n",
	    "0|-|first|100-continue|h2c|l|curl/8.5.0");
	FIELDS("none of them",
	    "GET / HTTP/1.1\r\nAccept: */*\r\nLinks: x\r\n\r\n",
	    "-|-|-|-|-|-|-");
	FIELDS("two Links: the first",
	    "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n"
	    "Link: </b.js>\r\nTransfer-Encoding: chunked\r\n\r\n",
	    "-|chunked|-|-|-|</a.css>|-");
	/* any number of fields: these come after 120 others */
	n = (size_t)snprintf(many, sizeof(many), "HTTP/1.1 200 OK\r\n");
	for (int i = 0; i < 120; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n,
		    "Set-Cookie: c%d=1\r\n", i);
	n += (size_t)snprintf(many + n, sizeof(many) - n,
	    "Upgrade: h2c\r\nContent-Length: 0\r\n\r\n");
	fields("after 120 other fields", many, n, "0|-|-|-|h2c|-|-");
}

/* The one-pass scan of a head's lines: values without the whitespace
 * around them, line ends as RFC 9112 2.2 allows, names that are not
 * tokens, and lines of every length up to past two of its 16-byte reads,
 * so that each line end falls at every place in one; each fed whole, split
 * at every offset and in pieces of their exact size. */
static void
test_scan(void)
{
	char h[256];
	size_t n;

	/* Content-Length|Transfer-Encoding|Host|Expect|Upgrade|Link|
	 * User-Agent */
	FIELDS("empty values, trailing spaces and tabs",
	    "GET / HTTP/1.1\r\nHost:\r\nExpect: \r\nUpgrade:\t \t\r\n"
	    "Link: a \t \r\nUser-Agent: \ta b\t\r\n\r\n",
	    "-|-||||a|a b");
	FIELDS("a CR inside a value, or before the CRLF, is the value's",
	    "GET / HTTP/1.1\r\nHost: a\rb\r\nLink: l\r\r\n\r\n",
	    "-|-|a\rb|-|-|l\r|-");
	FIELDS("bare LF line ends, mixed with CRLF",
	    "HTTP/1.1 200 OK\nLink: b \nContent-Length: 0\r\n\n",
	    "0|-|-|-|-|b|-");
	FIELDS("obs-fold lines: ignored, the field before kept as it was",
	    "GET / HTTP/1.1\r\n\tfold\r\nHost: a\r\n  more\r\n"
	    "Link: b\r\n\r\n", "-|-|a|-|-|b|-");
	FIELDS("known names at the end of 16 bytes and of a short buffer",
	    "GET / HTTP/1.1\nHost:x\nLink:y\n\n", "-|-|x|-|-|y|-");
	EXPECT("obs-fold first, and a line of spaces: not errors",
	    HTTP1_REQUEST, "GET / HTTP/1.1\r\n\tfold\r\n   \r\nHost: a\r\n"
	    "\t\r\n\r\n", 0, "begin;req GET/1 h=1;end;");
	EXPECT("names that are not tokens: one error, the head kept",
	    HTTP1_REQUEST, "GET / HTTP/1.1\r\n:x\r\nHost : a\r\nX\x80: b\r\n"
	    "X@: c\r\n\x7f: d\r\nX\0: e\r\nno colon\r\n"
	    "Ok_name.x!#$%&'*+^`|~: e\r\n\r\n", 0,
	    "begin;error 2;req GET/1 h=1;end;");
	EXPECT("a line that begins with ':' is an error, a fold is not",
	    HTTP1_REQUEST, "GET / HTTP/1.1\r\n\tfold\r\n:x\r\n\r\n", 0,
	    "begin;error 2;req GET/1 h=0;end;");
	EXPECT("a NUL in a value is the value's", HTTP1_REQUEST,
	    "GET / HTTP/1.1\r\nHost: a\0b\r\nX: \0\r\n\r\n", 0,
	    "begin;req GET/1 h=2;end;");
	EXPECT("a CR before the start line's CRLF: not a start line",
	    HTTP1_REQUEST, "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", 0,
	    "begin;");
	EXPECT("a head of exactly 16 bytes", HTTP1_RESPONSE,
	    "HTTP/1.1 204\r\n\r\n", 0, "begin;resp 204 h=0;end;");
	EXPECT("a head of exactly 32 bytes", HTTP1_RESPONSE,
	    "HTTP/1.1 204\r\nServer: abcdefghi\r\n\r\n", 0,
	    "begin;resp 204 h=1;end;");

	/* a field name of every length from 1 to 40 */
	for (size_t k = 1; k <= 40; k++) {
		n = (size_t)snprintf(h, sizeof(h), "GET / HTTP/1.1\r\n");
		for (size_t i = 0; i < k; i++)
			h[n++] = (char)(i % 3 == 2 ? '-' : 'a' + (int)(i % 26));
		n += (size_t)snprintf(h + n, sizeof(h) - n,
		    ": v\r\nHost: h\r\n\r\n");
		expect("field names of every length", HTTP1_REQUEST, h, n, 0,
		    "begin;req GET/1 h=2;end;");
		fields("field names of every length: the next kept", h, n,
		    "-|-|h|-|-|-|-");
	}
	/* a value of every length from 0 to 70, and the next line's Host
	 * starting at every offset of a 32-byte read */
	for (size_t k = 0; k <= 70; k++) {
		n = (size_t)snprintf(h, sizeof(h), "HTTP/1.1 200 OK\r\nX: ");
		memset(h + n, 'v', k);
		n += k;
		n += (size_t)snprintf(h + n, sizeof(h) - n, "%s",
		    k % 2 ? "\r\nHost: h \r\nContent-Length: 0\r\n\r\n" :
		    "\nHost: h \nContent-Length: 0\n\n");
		expect("values of every length", HTTP1_RESPONSE, h, n, 0,
		    "begin;resp 200 h=3;end;");
		fields("values of every length: the next kept", h, n,
		    "0|-|h|-|-|-|-");
	}
}

/* The log of stream fed whole, split in two at every offset and byte by
 * byte, each piece in a block of its exact size: 1 when every one is want,
 * else 0 with what differed in detail. */
static int
agrees(enum http1_kind kind, const char *stream, size_t len,
    const char *want, char *detail, size_t size)
{
	struct rec r;
	size_t *cuts = malloc((len + 1) * sizeof(size_t));
	int ok = 1;

	for (size_t k = 0; k < len; k++)
		cuts[k] = k + 1;
	for (size_t k = 0; k <= len && ok; k++) {
		/* k == 0: whole; k == len: byte by byte */
		if (k == len)
			run(kind, stream, len, cuts, len - 1, 0, &r, NULL);
		else
			run(kind, stream, len, &k, k > 0, 0, &r, NULL);
		if (strcmp(r.log, want) != 0) {
			snprintf(detail, size, "%.*s\n  cut at %zu%s: want %s\n"
			    "  got  %s", (int)len, stream, k,
			    k == len ? " (every byte)" : "", want, r.log);
			ok = 0;
		}
	}
	free(cuts);
	return ok;
}

/* The fast name check (line_at(): letters and '-' in the first 16 bytes,
 * then one look at the byte after them) against the exact one: names of
 * lengths about one and two 16-byte reads, with a byte at each position
 * that is tchar but not a letter or '-' (a good name, checked by the
 * tchar scan from there) or not tchar at all (a bad one), on the second
 * line, so that every cut puts the name's bytes at every place in the
 * last 16 of the buffer. Then heads that end at a 16-byte boundary. */
static void
test_fast_names(void)
{
	static const size_t lens[] = {1, 2, 15, 16, 17, 31, 32, 33};
	static const char good[] = "09_.!#$%&'*+^`|~AZaz-";
	static const char bad[] = " \t\"(),/;<=>?@[\\]{}\x7f\x80\xff\r\0";
	char h[256], detail[1024];
	int ok_good = 1, ok_bad = 1, ok_end = 1;
	size_t n;

	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		size_t len = lens[l];

		for (size_t at = 0; at < len; at++) {
			for (size_t b = 0; b < sizeof(good) - 1 + sizeof(bad)
			    - 1; b++) {
				int is_good = b < sizeof(good) - 1;
				char c = is_good ? good[b] :
				    bad[b - (sizeof(good) - 1)];
				const char *want = is_good ?
				    "begin;req GET/1 h=3;end;" :
				    "begin;error 2;req GET/1 h=2;end;";

				if (!(is_good ? ok_good : ok_bad))
					continue;
				/* a name that begins with SP or HTAB is an
				 * obs-fold: ignored, no error */
				if (at == 0 && (c == ' ' || c == '\t'))
					want = "begin;req GET/1 h=2;end;";
				n = (size_t)snprintf(h, sizeof(h),
				    "GET / HTTP/1.1\r\nHost: h\r\n");
				for (size_t i = 0; i < len; i++)
					h[n++] = (char)('a' + (int)(i % 26));
				h[n + at - len] = c;
				n += (size_t)snprintf(h + n, sizeof(h) - n,
				    ": v\r\nLink: l\r\n\r\n");
				if (!agrees(HTTP1_REQUEST, h, n, want, detail,
				    sizeof(detail))) {
					if (is_good)
						ok_good = 0;
					else
						ok_bad = 0;
					printf("  %s\n", detail);
				}
			}
		}
	}
	check(ok_good, "names of 1 to 33 bytes, a tchar not a letter or '-' "
	    "at each place: good", "");
	check(ok_bad, "names of 1 to 33 bytes, a byte not tchar at each "
	    "place: bad", "");

	/* the last line ends where a 16-byte read does, from the start of
	 * the head and from its first field line (16 bytes on): 25 bytes of
	 * start line and Host, a name, ':', v spaces, "v" and CRLF CRLF */
	for (size_t total = 48; total <= 96 && ok_end; total += 16) {
		for (size_t v = 0; 25 + 1 + v + 6 < total; v++) {
			size_t name = total - 25 - v - 6;

			n = (size_t)snprintf(h, sizeof(h), "GET / HTTP/1.1\r\n"
			    "Host: h\r\n");
			memset(h + n, 'x', name);
			n += name;
			n += (size_t)snprintf(h + n, sizeof(h) - n,
			    ":%*s\r\n\r\n", (int)v + 1, "v");
			if (n != total || !agrees(HTTP1_REQUEST, h, n,
			    "begin;req GET/1 h=2;end;", detail, sizeof(detail))) {
				ok_end = 0;
				printf("  %zu bytes, want %zu: %s\n", n, total,
				    detail);
				break;
			}
		}
	}
	check(ok_end, "heads that end at a 16-byte boundary", "");
}

/* A first request line that fails, stray bytes before one, HTTP/2, and
 * HTTP (or not) inside a CONNECT tunnel. */
static void
test_lenient(void)
{
	static const char first[] = "GET HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char next[] = "GET /after HTTP/1.1\r\n\r\n";
	struct rec r;
	struct http1_parser p;
	uint64_t tunnel = 0;
	enum http1_state st;
	size_t used;

	EXPECT("stray bytes before the first request line", HTTP1_REQUEST,
	    "\x00\x17\x03\xfe\x81GET /txt HTTP/1.1\r\nHost: a\r\n\r\n", 0,
	    "begin;error 8;req GET/1 h=1;end;");
	EXPECT("stray bytes only before the first", HTTP1_REQUEST,
	    "GET / HTTP/1.1\r\n\r\n\x01GET / HTTP/1.1\r\n\r\n"
	    "GET /ok HTTP/1.1\r\n\r\n", 0,
	    "begin;req GET/1 h=0;end;begin;error 1;begin;req GET/1 h=0;end;");
	st = run(HTTP1_REQUEST, "\x01\x02\x03\x04\x05\x06\x07\x08\x09GET / "
	    "HTTP/1.1\r\n\r\n", 25, NULL, 0, 0, &r, NULL);
	check(st == HTTP1_NOT_HTTP && strcmp(r.log, "begin;") == 0,
	    "nine stray bytes are too many", r.log);
	EXPECT("HTTP/2 preface is named at once", HTTP1_REQUEST,
	    "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0, "begin;error 9;");

	EXPECT("HTTP/2 SETTINGS frame where a status line was expected",
	    HTTP1_RESPONSE, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	    "\x00\x00\x00\x04\x00\x00\x00\x00\x00", PEER_IS_HTTP,
	    "begin;resp 200 h=1;end;begin;error 9;");
	EXPECT("not every binary response is HTTP/2", HTTP1_RESPONSE,
	    "HTTP/1.1 204 No Content\r\n\r\n\x00\x00\x00\x05\x00\x00\x00"
	    "\x00\x00", PEER_IS_HTTP,
	    "begin;resp 204 h=0;end;begin;error 1;");

	/* the error of a first line kept until the peer speaks HTTP */
	memset(&r, 0, sizeof(r));
	http1_init(&p, HTTP1_REQUEST, &cb, &r);
	used = http1_feed(&p, first, sizeof(first) - 1);
	check(used == sizeof(first) - 1 && p.state == HTTP1_NOT_HTTP &&
	    strcmp(r.log, "begin;") == 0, "bad first line: not HTTP yet", r.log);
	http1_expect_http(&p);
	used = http1_feed(&p, next, sizeof(next) - 1);
	check(used == sizeof(next) - 1 && strcmp(r.log,
	    "begin;error 1;begin;req GET/1 h=0;end;") == 0,
	    "bad first line: reported once the peer is HTTP, then resync",
	    r.log);

	EXPECT("HTTP inside a CONNECT tunnel (responses)", HTTP1_RESPONSE,
	    "HTTP/1.1 200 Connection Established\r\n\r\n"
	    "HTTP/1.1 102 Processing\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", CONNECT_2XX,
	    "begin;resp 200 h=0;begin;resp 102 h=0;end;begin;resp 200 h=1;end;");
	EXPECT("HTTP inside a CONNECT tunnel (requests)", HTTP1_REQUEST,
	    "CONNECT x:80 HTTP/1.1\r\n\r\nGET http://x/ HTTP/1.1\r\n\r\n",
	    CONNECT_2XX, "begin;req CONNECT/1 h=0;begin;req GET/1 h=0;end;");
	st = run(HTTP1_RESPONSE, "HTTP/1.1 200 OK\r\n\r\n\x16\x03\x03\x00\x02hi",
	    26, NULL, 0, CONNECT_2XX, &r, &tunnel);
	check(st == HTTP1_TUNNEL && tunnel == 7 &&
	    strcmp(r.log, "begin;resp 200 h=0;") == 0,
	    "TLS inside a CONNECT tunnel is opaque", r.log);
}

/* body_bytes at each message's end: the payload without chunk framing,
 * a close-delimited body up to the close, whatever the split. */
struct bodies {
	struct http1_parser p;
	char log[128];
	size_t len;
};

static void
body_end(void *ctx)
{
	struct bodies *b = ctx;
	int k = snprintf(b->log + b->len, sizeof(b->log) - b->len, "%llu;",
	    (unsigned long long)b->p.body_bytes);

	if (k > 0 && b->len + (size_t)k < sizeof(b->log))
		b->len += (size_t)k;
}

static void
test_body_bytes(void)
{
	static const struct http1_callbacks body_cb = {NULL, NULL, body_end,
	    NULL};
	static const char stream[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3;x=1\r\nabc\r\n4\r\ndefg\r\n0\r\nT: 1\r\n\r\n"
	    "HTTP/1.1 102 Processing\r\n\r\n"
	    "HTTP/1.1 204 No Content\r\n\r\n"
	    "HTTP/1.1 200 OK\r\n\r\nto the close";
	const char *want = "5;7;0;0;12;";
	size_t len = sizeof(stream) - 1;

	for (size_t step = 1; step <= len; step += step < 8 ? 1 : 37) {
		struct bodies b;
		char buf[sizeof(stream)], detail[300];
		size_t have = 0, fed = 0;

		memset(&b, 0, sizeof(b));
		http1_init(&b.p, HTTP1_RESPONSE, &body_cb, &b);
		while (fed < len) {
			size_t n = len - fed < step ? len - fed : step, used;

			memcpy(buf + have, stream + fed, n);
			have += n;
			fed += n;
			used = http1_feed(&b.p, buf, have);
			memmove(buf, buf + used, have - used);
			have -= used;
		}
		http1_finish(&b.p, have);
		snprintf(detail, sizeof(detail), "pieces of %zu: want %s got %s",
		    step, want, b.log);
		check(strcmp(b.log, want) == 0, "body bytes of each response",
		    detail);
	}
}

int
main(void)
{
	test_requests();
	test_responses();
	test_hostile();
	test_lenient();
	test_long_lines();
	test_linear();
	test_helpers();
	test_fields();
	test_scan();
	test_fast_names();
	test_body_bytes();
	printf("test_http1: %d passed, %d failed\n", checks - failures, failures);
	return failures == 0 ? 0 : 1;
}
