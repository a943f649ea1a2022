/* jsonstr.h: the values of a JSON line (json.c): bytes from the capture
 * as a JSON string, numbers, timestamps. Each writer stores at o and
 * returns the end; it may store past that end, but never past its _MOST
 * bytes from o: the caller has asked for that much room, and what comes
 * next overwrites the rest. The fast paths are inline here (a line has a
 * dozen values); the rare cases are calls. */
#ifndef INTERIM_JSONSTR_H
#define INTERIM_JSONSTR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "model.h"      /* USEC */

/* The most jsonstr_put stores for n bytes: 6 a byte, and the quotes. */
#define JSONSTR_MOST(n) (6 * (n) + 2)

/* 1 for the bytes copied into a string as they are: 0x20 to 0x7e but
 * '"' and '\\' */
extern const unsigned char jsonstr_plain[256];

#define JSONSTR_ONES 0x0101010101010101ULL

/* The top bit of each byte of w, or 0 when no byte of w needs escaping:
 * each is from 0x20 to 0x7e, and neither '"' nor '\\'. With no byte
 * above 0x7f (the last term), w + ONES carries nowhere and sets a top bit
 * only for 0x7f, and each subtraction sets one only where a byte is under
 * 0x20 or (after the xor) is the quote or backslash, or where a borrow
 * comes from such a byte: the answer for the word is exact. */
static inline uint64_t
jsonstr_escapes(uint64_t w)
{
	const uint64_t ones = JSONSTR_ONES;
	uint64_t t = (w - 0x20 * ones) | ((w ^ '"' * ones) - ones) |
	    ((w ^ '\\' * ones) - ones) | (w + ones) | w;

	return t & 0x80 * ones;
}

#ifdef __SSE2__         /* every x86-64 */
/* Whether no byte of the 16 in x needs escaping. Each plus 1, signed,
 * is from 0x21 to 0x7f just when it was from 0x20 to 0x7e (0x7f and
 * those from 0x80 become negative, 0xff becomes 0). In xmm registers,
 * which a call does not save. */
static inline int
jsonstr_plain16(__m128i x)
{
	__m128i in = _mm_cmpgt_epi8(_mm_add_epi8(x, _mm_set1_epi8(1)),
	    _mm_set1_epi8(0x20));
	__m128i out = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
	    _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));

	return _mm_movemask_epi8(_mm_andnot_si128(out, in)) == 0xffff;
}

/* whether no byte of the words lo and hi needs escaping */
#define JSONSTR_PLAIN_PAIR(lo, hi) \
	jsonstr_plain16(_mm_set_epi64x((long long)(hi), (long long)(lo)))
#else
#define JSONSTR_PLAIN_PAIR(lo, hi) \
	((jsonstr_escapes(lo) | jsonstr_escapes(hi)) == 0)
#endif

/* Copies the n bytes at p (1 to 16) to o when none needs escaping, in two
 * loads and two stores that may overlap, and returns 1; else 0, with
 * nothing stored. Loads stay within the n bytes. */
static inline __attribute__((always_inline)) int
jsonstr_copy_short(char *o, const unsigned char *p, size_t n)
{
	uint64_t a, b;
	uint32_t c, d;

	if (n >= 8) {
		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
		if (!JSONSTR_PLAIN_PAIR(a, b))
			return 0;
		memcpy(o, &a, 8);
		memcpy(o + n - 8, &b, 8);
	} else if (n >= 4) {
		memcpy(&c, p, 4);
		memcpy(&d, p + n - 4, 4);
		a = c | (uint64_t)d << 32;
		if (!JSONSTR_PLAIN_PAIR(a, a))
			return 0;
		memcpy(o, &c, 4);
		memcpy(o + n - 4, &d, 4);
	} else {                /* the first, middle and last of 1 to 3 */
		unsigned char x = p[0], y = p[n / 2], z = p[n - 1];

		if (!(jsonstr_plain[x] & jsonstr_plain[y] & jsonstr_plain[z]))
			return 0;
		o[0] = (char)x;
		o[n / 2] = (char)y;
		o[n - 1] = (char)z;
	}
	return 1;
}

/* What jsonstr_put's fast path does not take, o after the opening quote:
 * the empty string, longer ones and those with a byte to escape. */
char *jsonstr_put_long(char *o, const char *s, size_t n);

/* Writes the n bytes at s (s[n] is a NUL) at o as a JSON string, quotes
 * included, and returns the end. Valid UTF-8 is copied as it is, except
 * C1 controls (U+0080 to U+009F), written \u0080 like the C0 ones. A byte
 * that is not part of valid UTF-8 is written as the four characters \xHH
 * (the JSON text "\\xHH"), and so is a backslash from the capture (\x5c):
 * in the decoded string a backslash always begins such an escape. Short
 * plain strings, most of them, take no call. */
static inline __attribute__((always_inline)) char *
jsonstr_put(char *o, const char *s, size_t n)
{
	*o++ = '"';
	if (n - 1 < 16 &&               /* 1 to 16 bytes */
	    jsonstr_copy_short(o, (const unsigned char *)s, n)) {
		o[n] = '"';
		return o + n + 1;
	}
	return jsonstr_put_long(o, s, n);
}

/* "000" to "999", each in 4 bytes (the last a NUL): numbers are written
 * three digits at a time, a group in one 4-byte store where a byte more
 * may be stored. */
extern const char jsonstr_trio[1000][4];

/* Decimal v: at most JSONSTR_U64_MOST bytes stored. */
#define JSONSTR_U64_MOST 20

/* jsonstr_u64 from 10^6 on (a call: most numbers are smaller) */
char *jsonstr_u64_long(char *o, uint64_t v);

static inline char *
jsonstr_u64(char *o, uint64_t v)
{
	unsigned skip;          /* the leading zeros of a group of 3 */

	if (v < 1000) {         /* "42": "042" from its second byte */
		skip = (v < 10) + (v < 100);
		memcpy(o, jsonstr_trio[v] + skip, 4);
		return o + 3 - skip;
	}
	if (v < 1000000) {      /* the thousands, then 3 digits */
		uint32_t hi = (uint32_t)v / 1000;

		skip = (hi < 10) + (hi < 100);
		memcpy(o, jsonstr_trio[hi] + skip, 4);
		o += 3 - skip;
		memcpy(o, jsonstr_trio[(uint32_t)v - hi * 1000], 4);
		return o + 3;
	}
	return jsonstr_u64_long(o, v);
}

/* Six digits of frac (0 to 999999), stored in 7 bytes. */
static inline void
jsonstr_micros(char *o, uint32_t frac)
{
	uint32_t hi = frac / 1000;

	memcpy(o, jsonstr_trio[hi], 4);
	memcpy(o + 3, jsonstr_trio[frac - hi * 1000], 4);
}

/* Seconds with microseconds, "1.504542" or "-0.000001": at most
 * JSONSTR_SECONDS_MOST bytes ("-", 20 digits, ".000000", a spare). */
#define JSONSTR_SECONDS_MOST 29

/* jsonstr_seconds for a second or more, and for less than 0 */
char *jsonstr_seconds_long(char *o, int64_t us);

static inline char *
jsonstr_seconds(char *o, int64_t us)
{
	if (us >= 0 && us < USEC) {
		memcpy(o, "0.", 2);
		jsonstr_micros(o + 2, (uint32_t)us);
		return o + 8;
	}
	return jsonstr_seconds_long(o, us);
}

/* The second of the last timestamp written, formatted: a capture's
 * timestamps come in order, many to a second, and within a minute only
 * the seconds' digits change. jsonstr_clock_init makes one that holds
 * no second. */
struct jsonstr_clock {
	int64_t base;           /* the microsecond text's second begins
				 * (>= 0), or INT64_MIN: none */
	int64_t minute;         /* seconds / 60 of text, or -1: none */
	int64_t day;            /* seconds / 86400 of text */
	char text[24];          /* "\"2026-01-01T00:00:00." and 3 spare */
};

void jsonstr_clock_init(struct jsonstr_clock *c);

/* "2026-01-01T00:00:00.123456Z" with its quotes, JSONSTR_TIME_LEN bytes,
 * UTC; ts in microseconds since 1970. */
#define JSONSTR_TIME_LEN 29

/* jsonstr_time in another second than c's (c set to it), or before 1970 */
char *jsonstr_time_new(struct jsonstr_clock *c, char *o, int64_t ts);

static inline char *
jsonstr_time(struct jsonstr_clock *c, char *o, int64_t ts)
{
	uint64_t us = (uint64_t)ts - (uint64_t)c->base;

	if (ts < 0 || us >= USEC)       /* another second */
		return jsonstr_time_new(c, o, ts);
	memcpy(o, c->text, 24);
	jsonstr_micros(o + 21, (uint32_t)us);
	memcpy(o + 27, "Z\"", 2);
	return o + JSONSTR_TIME_LEN;
}

#endif
