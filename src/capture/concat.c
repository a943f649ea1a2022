/* concat.c: a byte stream of captures one after another, split into one
 * stdio stream per capture for libpcap.
 *
 * libpcap reads one capture per stream: given `cat a.pcap b.pcap`, it
 * takes b's file header for a packet record. So we follow the framing
 * ourselves, as far as needed to know where each record (pcap) or block
 * (pcapng) ends, and end the stream we hand out where a new file header
 * stands instead of a record. Anything we do not understand is passed on
 * as it is, for libpcap to judge. Costs one copy of every byte.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"     /* _GNU_SOURCE: fopencookie() */
#endif

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "concat.h"

#define PCAP_MAGIC      0xa1b2c3d4u     /* microseconds */
#define PCAP_MAGIC_NS   0xa1b23c4du     /* nanoseconds */
#define PCAP_MAGIC_KUZ  0xa1b2cd34u     /* Kuznetzov's, longer records */
#define PCAPNG_SHB      0x0a0d0d0au     /* the same in either byte order */
#define PCAPNG_BOM      0x1a2b3c4du
#define PCAP_FILE_HEAD  24
#define PCAP_REC_HEAD   16
/* past this a length is not believed: the rest goes to libpcap as is */
#define UNIT_MAX        (64u << 20)
#define RAW             UINT64_MAX

enum kind { KIND_RAW, KIND_PCAP, KIND_PCAPNG };

struct concat {
	int fd;
	int eof;                /* the stream ended (or failed: err) */
	int err;
	int open;               /* a piece is handed out and not closed */
	int pieces;             /* handed out so far */
	/* the piece being read */
	int fresh;              /* nothing of it classified yet */
	int ended;              /* it reads as ended from here on */
	int cut;                /* it ended at the next capture's header */
	enum kind kind;
	int big;                /* its byte order */
	uint64_t left;          /* bytes of the current record or block */
	size_t pos, len;
	unsigned char buf[65536];
};

static uint32_t
rd32(const unsigned char *p, int big)
{
	return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3] : (uint32_t)p[3] << 24 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static unsigned
rd16(const unsigned char *p, int big)
{
	return big ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

/* A pcap magic in either byte order: 1 with *big set, else 0. */
static int
pcap_magic(const unsigned char *p, int *big)
{
	for (int b = 0; b < 2; b++) {
		uint32_t m = rd32(p, b);

		if (m == PCAP_MAGIC || m == PCAP_MAGIC_NS ||
		    m == PCAP_MAGIC_KUZ) {
			*big = b;
			return 1;
		}
	}
	return 0;
}

/* Does a capture begin at p? A pcap magic with major version 2, or a
 * pcapng Section Header Block with its byte-order magic. As a pcap record
 * header the first would be a packet stamped to the exact second of a
 * magic with 2 as its microseconds' high half; the second a record
 * longer than 400 MB. */
static int
capture_starts(const unsigned char *p, size_t n, int *big)
{
	if (n >= 8 && pcap_magic(p, big) && rd16(p + 4, *big) == 2)
		return 1;
	if (n >= 12 && rd32(p, 0) == PCAPNG_SHB) {
		for (int b = 0; b < 2; b++)
			if (rd32(p + 8, b) == PCAPNG_BOM) {
				*big = b;
				return 1;
			}
	}
	return 0;
}

/* At least need bytes buffered, unless the stream ends first: 1 if so. */
static int
fill(struct concat *c, size_t need)
{
	if (c->pos > 0 && c->len - c->pos < need) {
		memmove(c->buf, c->buf + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
	}
	while (c->len - c->pos < need && !c->eof) {
		ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);

		if (n > 0)
			c->len += (size_t)n;
		else if (n == 0)
			c->eof = 1;
		else if (errno != EINTR) {
			c->err = errno;
			c->eof = 1;
		}
	}
	return c->len - c->pos >= need;
}

/* The first unit of a piece: its file header (pcap) or first block
 * (pcapng); a pcap variant whose records we do not know is passed on. */
static void
classify(struct concat *c, const unsigned char *p, size_t n)
{
	int big;

	c->kind = KIND_RAW;
	c->left = RAW;
	if (!capture_starts(p, n, &big))
		return;
	if (rd32(p, 0) == PCAPNG_SHB) {
		uint32_t len = rd32(p + 4, big);

		if (len >= 28 && len % 4 == 0 && len <= UNIT_MAX) {
			c->kind = KIND_PCAPNG;
			c->left = len;
		}
	} else if (rd32(p, big) != PCAP_MAGIC_KUZ && n >= 8 &&
	    rd16(p + 6, big) == 4) {
		c->kind = KIND_PCAP;
		c->left = PCAP_FILE_HEAD;
	}
	c->big = big;
}

/* At the end of a unit: measure the next, or end the piece (at another
 * capture's header, or at the end of the stream). 1 if there is more. */
static int
boundary(struct concat *c)
{
	const unsigned char *p;
	size_t n;
	uint32_t len;
	int big;

	fill(c, PCAP_FILE_HEAD);
	p = c->buf + c->pos;
	n = c->len - c->pos;
	if (n == 0) {
		c->ended = 1;
		return 0;
	}
	if (c->fresh) {
		c->fresh = 0;
		classify(c, p, n);
		return 1;
	}
	if (capture_starts(p, n, &big)) {
		c->cut = 1;
		c->ended = 1;
		return 0;
	}
	c->left = RAW;          /* cut short or not believed: libpcap judges */
	if (c->kind == KIND_PCAP && n >= PCAP_REC_HEAD) {
		len = rd32(p + 8, c->big);              /* caplen */
		if (len <= UNIT_MAX)
			c->left = PCAP_REC_HEAD + (uint64_t)len;
	} else if (c->kind == KIND_PCAPNG && n >= 8) {
		len = rd32(p + 4, c->big);              /* block total length */
		if (len >= 12 && len % 4 == 0 && len <= UNIT_MAX)
			c->left = len;
	}
	return 1;
}

/* Bytes of the current piece. Returns what is buffered rather than wait
 * for more once it has something, so a pipe's packets come as they are
 * written. */
static ssize_t
piece_read(void *cookie, char *out, size_t size)
{
	struct concat *c = cookie;
	size_t given = 0;

	while (given < size && !c->ended) {
		size_t n;

		/* what is here first, rather than wait to measure the next */
		if (c->left == 0 && given > 0 && !c->eof &&
		    c->len - c->pos < PCAP_FILE_HEAD)
			break;
		if (c->left == 0 && !boundary(c))
			break;
		if (c->pos == c->len && (given > 0 || !fill(c, 1))) {
			if (c->pos == c->len && c->eof)
				c->ended = 1;
			break;
		}
		n = c->len - c->pos;
		if (n > size - given)
			n = size - given;
		if (n > c->left)
			n = (size_t)c->left;
		memcpy(out + given, c->buf + c->pos, n);
		c->pos += n;
		c->left -= n;
		given += n;
	}
	if (given == 0 && c->err != 0) {
		errno = c->err;
		return -1;
	}
	return (ssize_t)given;
}

static int
piece_close(void *cookie)
{
	struct concat *c = cookie;

	c->open = 0;
	return 0;
}

struct concat *
concat_open(int fd)
{
	struct concat *c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->fd = fd;
	return c;
}

FILE *
concat_next(struct concat *c)
{
	cookie_io_functions_t io = {piece_read, NULL, NULL, piece_close};
	FILE *f;

	if (c->open || (c->pieces > 0 && !c->cut))
		return NULL;
	c->fresh = 1;
	c->ended = 0;
	c->cut = 0;
	c->left = 0;
	f = fopencookie(c, "r", io);
	if (f != NULL) {
		c->open = 1;
		c->pieces++;
	}
	return f;
}

int
concat_more(const struct concat *c)
{
	return c->cut;
}

void
concat_free(struct concat *c)
{
	free(c);
}
