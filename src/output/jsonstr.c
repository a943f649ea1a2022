/* jsonstr.c: the values of a JSON line: bytes from the capture as a JSON
 * string, numbers, timestamps. Most strings are a few printable ASCII
 * bytes (a method, a target, a host): those are checked and copied a word
 * at a time; anything else goes byte by byte from the first word that
 * holds a byte to escape. */
#include <stdint.h>
#include <string.h>
#include "format.h"
#include "jsonstr.h"

/* "000" to "999", made by the preprocessor: nothing to set up first */
#define TRIO_1(a, b, c) {a, b, c, 0}
#define TRIO_10(a, b) TRIO_1(a, b, '0'), TRIO_1(a, b, '1'), \
	TRIO_1(a, b, '2'), TRIO_1(a, b, '3'), TRIO_1(a, b, '4'), \
	TRIO_1(a, b, '5'), TRIO_1(a, b, '6'), TRIO_1(a, b, '7'), \
	TRIO_1(a, b, '8'), TRIO_1(a, b, '9')
#define TRIO_100(a) TRIO_10(a, '0'), TRIO_10(a, '1'), TRIO_10(a, '2'), \
	TRIO_10(a, '3'), TRIO_10(a, '4'), TRIO_10(a, '5'), TRIO_10(a, '6'), \
	TRIO_10(a, '7'), TRIO_10(a, '8'), TRIO_10(a, '9')

const char jsonstr_trio[1000][4] = {
	TRIO_100('0'), TRIO_100('1'), TRIO_100('2'), TRIO_100('3'),
	TRIO_100('4'), TRIO_100('5'), TRIO_100('6'), TRIO_100('7'),
	TRIO_100('8'), TRIO_100('9')
};

/* The 8 digits of v (under 10^8) in a word, the first in its lowest
 * byte, as 0 to 9 (not yet ASCII). Each step splits every lane of the
 * word in two, the quotient in the low half (it comes first): 4-digit
 * numbers in 32-bit lanes by 100 (x * 10486 >> 20 is x / 100 under
 * 43699), then 2-digit ones in 16-bit lanes by 10 (x * 103 >> 10 is
 * x / 10 under 179). No product reaches the next lane; the bits a shift
 * brings down from it are masked off. */
static inline uint64_t
eight(uint32_t v)
{
	uint32_t hi = v / 10000;
	uint64_t w = hi | (uint64_t)(v - hi * 10000) << 32, q;

	q = (w * 10486 >> 20) & 0x0000007f0000007fULL;
	w = q | (w - q * 100) << 16;
	q = (w * 103 >> 10) & 0x000f000f000f000fULL;
	return q | (w - q * 10) << 8;
}

/* the 8 bytes of w at o, its lowest first */
static inline void
store_low_first(char *o, uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	memcpy(o, &w, 8);
}

#define ASCII_0 (0x30 * 0x0101010101010101ULL)   /* '0' in each byte */

/* v (1 to 10^8 - 1) as its digits, made as 8 with the leading zeros
 * shifted out: one 8-byte store, reaching past the digits (into what is
 * stored next, or past the number by 1 at most: it has 7 digits or
 * more). */
static inline char *
lead(char *o, uint32_t v)
{
	uint64_t w = eight(v);          /* v >= 1: a digit is not 0 */
	unsigned zeros = (unsigned)__builtin_ctzll(w) / 8;

	store_low_first(o, (w >> 8 * zeros) + ASCII_0);
	return o + 8 - zeros;
}

/* jsonstr_u64 from 10^6 on: 8 digits at a time from the end (2^64 has
 * 20), those before them first. */
char *
jsonstr_u64_long(char *o, uint64_t v)
{
	uint64_t hi;

	if (v < 100000000)
		return lead(o, (uint32_t)v);
	if (v < 10000000000000000ULL) {         /* flow ids: under 2^53 */
		hi = v / 100000000;
		o = lead(o, (uint32_t)hi);
	} else {
		hi = v / 10000000000000000ULL;
		o = lead(o, (uint32_t)hi);
		v -= hi * 10000000000000000ULL;
		hi = v / 100000000;
		store_low_first(o, eight((uint32_t)hi) + ASCII_0);
		o += 8;
	}
	store_low_first(o, eight((uint32_t)(v - hi * 100000000)) + ASCII_0);
	return o + 8;
}

/* Six digits of any frac: jsonstr_micros in 0 to 999999, and for the
 * rest what the digit loop always wrote. Stores 7 bytes. */
static void
micros_any(char *o, int64_t frac)
{
	if (frac >= 0 && frac < USEC) {
		jsonstr_micros(o, (uint32_t)frac);
		return;
	}
	for (int i = 5; i >= 0; i--, frac /= 10)
		o[i] = (char)('0' + frac % 10);
}

char *
jsonstr_seconds_long(char *o, int64_t us)
{
	if (us < 0) {
		*o++ = '-';
		us = -us;
	}
	o = jsonstr_u64(o, (uint64_t)(us / USEC));
	*o++ = '.';
	micros_any(o, us % USEC);
	return o + 6;
}

void
jsonstr_clock_init(struct jsonstr_clock *c)
{
	c->base = INT64_MIN;
	c->minute = -1;
	c->day = 0;
	memcpy(c->text, "\"1970-01-01T00:00:00.\0\0", 24);
}

/* Before 1970: not from the packet clock; written as it always was, the
 * second rounded toward 0 and the microseconds' digits from a loop. */
static char *
time_before_1970(char *o, int64_t ts)
{
	char full[40];

	format_iso(full, sizeof(full), ts / USEC * USEC);
	*o = '"';
	memcpy(o + 1, full, 19);
	o[20] = '.';
	micros_any(o + 21, ts % USEC);
	memcpy(o + 27, "Z\"", 2);
	return o + JSONSTR_TIME_LEN;
}

/* The clock set to ts's second, then ts written. Within the minute only
 * the seconds' digits change; within the day the time of day is
 * sec % 86400 (UTC has no leap seconds in time_t); gmtime (format_iso)
 * only for another day. Whichever way time stepped. */
char *
jsonstr_time_new(struct jsonstr_clock *c, char *o, int64_t ts)
{
	int64_t sec, minute, day;
	unsigned s;

	if (ts < 0)
		return time_before_1970(o, ts);
	sec = ts / USEC;
	minute = sec / 60;
	if (minute != c->minute) {
		day = sec / 86400;
		if (c->minute < 0 || day != c->day) {
			char full[40];

			format_iso(full, sizeof(full), day * 86400 * USEC);
			memcpy(c->text + 1, full, 11);  /* "2026-01-01T" */
			c->day = day;
		}
		s = (unsigned)(sec % 86400);
		memcpy(c->text + 12, jsonstr_trio[s / 3600] + 1, 2);
		memcpy(c->text + 15, jsonstr_trio[s / 60 % 60] + 1, 2);
		c->minute = minute;
	}
	memcpy(c->text + 18, jsonstr_trio[sec % 60] + 1, 2);
	c->base = sec * USEC;
	return jsonstr_time(c, o, ts);
}

const unsigned char jsonstr_plain[256] = {    /* '"' is 0x22, '\\' 0x5c */
	[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1
};

/* Copies the n bytes at p (n >= 8) to o while none needs escaping, 8
 * bytes at a time, the last 8 overlapping those before; returns how many
 * were copied (n when all were). */
static size_t
copy_words(char *o, const unsigned char *p, size_t n)
{
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		if (jsonstr_escapes(w) != 0)
			return i;
		memcpy(o + i, &w, 8);
	}
	if (i < n) {
		memcpy(&w, p + n - 8, 8);
		if (jsonstr_escapes(w) != 0)
			return i;
		memcpy(o + n - 8, &w, 8);
	}
	return n;
}

/* From p to e, each byte as it needs. A sequence never reads past the
 * NUL at e (format_utf8_len). Not inlined: its registers would cost the
 * fast path a save and restore on every call. */
static __attribute__((noinline)) char *
put_escaped(char *o, const unsigned char *p, const unsigned char *e)
{
	static const char hex[] = "0123456789abcdef";
	size_t u;

	while (p < e) {
		if (jsonstr_plain[*p]) {
			*o++ = (char)*p++;
		} else if (*p == '"') {
			memcpy(o, "\\\"", 2);
			o += 2;
			p++;
		} else if (*p < 0x20 || *p == 0x7f ||
		    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			unsigned c = *p == 0xc2 ? p[1] : *p;

			memcpy(o, "\\u00", 4);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 15];
			o += 6;
			p += *p == 0xc2 ? 2 : 1;
		} else if (*p >= 0x80 && (u = format_utf8_len(p)) != 0) {
			memcpy(o, p, u);
			o += u;
			p += u;
		} else {                /* invalid byte, or backslash */
			memcpy(o, "\\\\x", 3);
			o[3] = hex[*p >> 4];
			o[4] = hex[*p & 15];
			o += 5;
			p++;
		}
	}
	return o;
}

char *
jsonstr_put_long(char *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t done = 0;

	if (n >= 8)
		done = copy_words(o, p, n);
	else
		while (done < n && jsonstr_plain[p[done]]) {
			o[done] = (char)p[done];
			done++;
		}
	o += done;
	if (done < n)
		o = put_escaped(o, p + done, p + n);
	*o++ = '"';
	return o;
}
