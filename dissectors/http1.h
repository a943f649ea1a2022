/* http1.h: incremental HTTP/1.x message parser, one instance per direction.
 *
 * Bytes in, events out. The caller hands http1_feed() every byte it has not
 * yet had consumed; the parser reports how many it consumed. Bytes of an
 * incomplete start line, header block or chunk-size line are left
 * unconsumed, so the caller must present them again with more data appended
 * (libnids' nids_discard() does exactly that). Header views point into the
 * caller's buffer and are valid only during the on_head callback.
 *
 * Knows nothing of pcap, libnids or curses. RFC 9112 section numbers are in
 * the comments of http1.c.
 */
#ifndef INTERIM_HTTP1_H
#define INTERIM_HTTP1_H

#include <stddef.h>
#include <stdint.h>

/* Caps on what is buffered. Each holds the same whether the bytes come
 * in one segment or in many: a line past its cap is refused as soon as the
 * cap is passed, and a whole line past it is refused too. */
#define HTTP1_MAX_HEAD    (64 * 1024)  /* start line + header block */
#define HTTP1_MAX_START   8192         /* start line without CRLF; RFC 9112 3
					* recommends 8000 at least */
#define HTTP1_MAX_METHOD  32           /* method token */
#define HTTP1_MAX_LINE    4096         /* chunk-size line */

enum http1_kind { HTTP1_REQUEST, HTTP1_RESPONSE };

/* RFC 9112 grammar states of one direction. */
enum http1_state {
	HTTP1_START_LINE,       /* waiting for a whole start line + headers */
	HTTP1_BODY_LENGTH,      /* Content-Length body, body_left to go */
	HTTP1_BODY_CHUNK_SIZE,  /* chunk-size [ext] CRLF */
	HTTP1_BODY_CHUNK_DATA,  /* chunk-data, body_left to go */
	HTTP1_BODY_CHUNK_CRLF,  /* the CRLF after chunk-data */
	HTTP1_BODY_TRAILERS,    /* trailer-section after the last chunk */
	HTTP1_BODY_CLOSE,       /* body runs to connection close */
	HTTP1_INTERIM_BODY,     /* a 1xx declared a body: is one there? */
	HTTP1_SKIP_BODY,        /* skipping its Content-Length body (a chunked
				 * one goes through the chunk states) */
	HTTP1_TUNNEL,           /* after 101 or CONNECT: opaque bytes */
	HTTP1_CONNECT_PROBE,    /* after a 2xx to CONNECT: HTTP/1.x inside,
				 * if the next bytes begin a message */
	HTTP1_RESYNC,           /* after an error: skipping to a start line */
	HTTP1_NOT_HTTP          /* first bytes were not HTTP: ignored */
};

/* Anomalies; never fatal. Table of names in http1_error_name(). */
enum http1_error {
	HTTP1_ERR_NONE,
	HTTP1_ERR_START_LINE,     /* malformed request or status line */
	HTTP1_ERR_HEADER,         /* malformed header field line */
	HTTP1_ERR_HEAD_TOO_LARGE, /* start line + headers over HTTP1_MAX_HEAD */
	HTTP1_ERR_CONTENT_LENGTH, /* invalid or conflicting Content-Length */
	HTTP1_ERR_CHUNK,          /* malformed chunk-size line or chunk end */
	HTTP1_ERR_TRUNCATED,      /* stream ended inside a message */
	HTTP1_ERR_ABANDONED,      /* the caller could not hold the bytes of
				   * an incomplete head any longer */
	HTTP1_ERR_STRAY,          /* bytes before the first request line,
				   * skipped */
	HTTP1_ERR_HTTP2,          /* an HTTP/2 preface, or a server's
				   * SETTINGS or GOAWAY frame, where
				   * HTTP/1.x was expected */
	HTTP1_ERR_GAP,            /* bytes missing from the capture */
	HTTP1_ERR_COUNT
};

struct http1_header {
	const char *name;
	size_t name_len;
	const char *value;        /* without surrounding whitespace */
	size_t value_len;
};

/* The fields that framing and the rules ask for: kept while a head is
 * scanned, so that asking costs nothing (http1_get). Other fields are
 * counted, not kept. */
enum http1_field {
	HTTP1_CONTENT_LENGTH,
	HTTP1_TRANSFER_ENCODING,
	HTTP1_HOST,
	HTTP1_EXPECT,
	HTTP1_UPGRADE,
	HTTP1_LINK,
	HTTP1_USER_AGENT,
	HTTP1_FIELDS
};

/* One message head: a view into the caller's buffer. */
struct http1_message {
	enum http1_kind kind;
	int minor;                /* HTTP/1.<minor> */
	const char *method;       /* requests */
	size_t method_len;
	const char *target;
	size_t target_len;
	int status;               /* responses */
	const char *reason;
	size_t reason_len;
	unsigned have;                /* bit f: known[f] is set */
	struct http1_header known[HTTP1_FIELDS];  /* the first of each */
	size_t num_headers;           /* valid field lines, all names */
	size_t head_len;          /* bytes of start line + headers + CRLF */
};

/* What the caller decides about the body of the message it was shown. */
enum http1_body {
	HTTP1_BODY_DEFAULT,       /* framing from the headers (RFC 9112 6.3) */
	HTTP1_BODY_NONE,          /* no body: response to HEAD */
	HTTP1_BODY_TUNNEL,        /* the rest of this direction is a tunnel */
	HTTP1_BODY_CONNECT        /* a tunnel, parsed if its next bytes begin
				   * a message (a 2xx to CONNECT) */
};

struct http1_callbacks {
	/* first byte of a message seen (its head may still be incomplete) */
	void (*on_begin)(void *ctx);
	/* start line and headers complete */
	enum http1_body (*on_head)(void *ctx, const struct http1_message *m);
	/* message complete (body included); not called for a tunnel */
	void (*on_end)(void *ctx);
	/* anomaly; the parser goes on (re-synchronising if it must) */
	void (*on_error)(void *ctx, enum http1_error e);
};

/* 64 bytes: one cache line holds what every segment reads. */
struct http1_parser {
	enum http1_state state;
	enum http1_kind kind;
	uint64_t body_left;
	uint64_t body_bytes;      /* body of the last head, so far: the
				   * payload, without chunk framing */
	const struct http1_callbacks *cb;
	void *ctx;
	uint64_t tunnel_bytes;
	uint32_t messages;        /* heads seen */
	uint8_t begun;            /* on_begin sent for the current message */
	uint8_t recognised;       /* a valid start line has been seen */
	uint8_t line_start;       /* RESYNC: the next byte begins a line */
	uint8_t interim_chunked;  /* a 1xx declared a chunked body */
	uint8_t line_ok;          /* START_LINE: the start line is whole, valid */
	uint8_t doubt;            /* NOT_HTTP: the enum http1_error that made
				   * it so, reported if the peer is HTTP */
	uint32_t scanned;         /* bytes not consumed already searched for
				   * what the state waits for (an offset, as
				   * the bytes may move): each byte is
				   * searched once, whatever the split */
};

void http1_init(struct http1_parser *p, enum http1_kind kind,
    const struct http1_callbacks *cb, void *ctx);

/* Consume what can be consumed of buf[0..len); returns that count. */
size_t http1_feed(struct http1_parser *p, const char *buf, size_t len);

/* The stream ended: completes a close-delimited body or reports a
 * truncated message. */
void http1_finish(struct http1_parser *p, size_t unconsumed);

/* A body not begun that the peer may rightly never send (a request with
 * Expect: 100-continue answered by a final status: RFC 9110 10.1.1):
 * true when the parser waits for the first byte of such a body. */
int http1_body_pending(const struct http1_parser *p);

/* The stream ended without that body: the message is over, no error. */
void http1_withheld(struct http1_parser *p);

/* The caller drops the bytes it holds unconsumed: an incomplete head is
 * given up (HTTP1_ERR_ABANDONED) and the parser skips to the next line
 * that begins a message. */
void http1_abandon(struct http1_parser *p);

/* The next n bytes of this direction are missing (the capture lost them;
 * the caller does not present them). Inside a body of known length they
 * are skipped as body; elsewhere the framing is lost, and the parser skips
 * to the next line that begins a message. Nothing is reported: the caller
 * knows of the gap first. */
void http1_gap(struct http1_parser *p, uint64_t n);

/* Switch the direction to tunnel mode (the other side sent 101). */
void http1_set_tunnel(struct http1_parser *p);

/* The other side sent a 2xx to CONNECT: if this direction's next bytes
 * begin a message, parsing goes on inside the tunnel; otherwise (TLS, any
 * other protocol) it is an opaque tunnel. */
void http1_set_connect(struct http1_parser *p);

/* The other direction is HTTP, so this one is too: from now on a bad
 * start line is reported and re-synchronised, not taken for another
 * protocol. A direction already taken for another protocol by its first
 * line reports that line's error now and re-synchronises at the next
 * line that begins a message. */
void http1_expect_http(struct http1_parser *p);

/* The first field f of the message (names compared case-insensitively);
 * NULL when absent. */
const struct http1_header *http1_get(const struct http1_message *m,
    enum http1_field f);

/* Does a comma-separated header value hold token tok (case-insensitive)? */
int http1_list_has(const char *v, size_t len, const char *tok);

const char *http1_error_name(enum http1_error e);
const char *http1_reason_default(int status);

#endif
