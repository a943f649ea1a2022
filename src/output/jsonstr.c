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

/* 10^n, but 0 for n = 0 so that the number 0 counts one digit */
static const uint64_t pow10[20] = {
	0, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
	10000000000000ULL, 100000000000000ULL, 1000000000000000ULL,
	10000000000000000ULL, 100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL
};

/* Decimal digits of v: log10 from the bit length (1233 / 4096 is a hair
 * under log10(2)), then one comparison to settle it. */
static inline unsigned
digits(uint64_t v)
{
	unsigned bits = 64 - (unsigned)__builtin_clzll(v | 1);
	unsigned t = (bits * 1233) >> 12;

	return t + (v >= pow10[t]);
}

/* jsonstr_u64 from 1000 on: the digits from the end, three at a time,
 * then the one to three before them; every store within the number. */
char *
jsonstr_u64_long(char *o, uint64_t v)
{
	char *end = o + digits(v), *e = end;

	while (v >= 1000) {
		uint64_t q = v / 1000;

		e -= 3;
		memcpy(e, jsonstr_trio[v - q * 1000], 3);
		v = q;
	}
	if (v >= 100)
		memcpy(o, jsonstr_trio[v], 3);
	else if (v >= 10)
		memcpy(o, jsonstr_trio[v] + 1, 2);
	else
		*o = (char)('0' + v);
	return end;
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

#define ONES 0x0101010101010101ULL

/* The top bit of each byte of w, or 0 when no byte of w needs escaping:
 * each is from 0x20 to 0x7e, and neither '"' nor '\\'. With no byte
 * above 0x7f (the last term), w + ONES carries nowhere and sets a top bit
 * only for 0x7f, and each subtraction sets one only where a byte is under
 * 0x20 or (after the xor) is the quote or backslash, or where a borrow
 * comes from such a byte: the answer for the word is exact. */
static inline uint64_t
escapes(uint64_t w)
{
	uint64_t t = (w - 0x20 * ONES) | ((w ^ '"' * ONES) - ONES) |
	    ((w ^ '\\' * ONES) - ONES) | (w + ONES) | w;

	return t & 0x80 * ONES;
}

/* 1 for the bytes copied as they are: 0x20 to 0x7e but '"' and '\\' */
static unsigned char plain_byte[256];

void
jsonstr_init(void)
{
	for (int c = 0x20; c < 0x7f; c++)
		plain_byte[c] = c != '"' && c != '\\';
}

/* Copies the n bytes at p (1 to 16) to o when none needs escaping, in two
 * loads and two stores that may overlap, and returns 1; else 0, with
 * nothing stored. Loads stay within the n bytes. */
static inline int
copy_short(char *o, const unsigned char *p, size_t n)
{
	uint64_t a, b;
	uint32_t c, d;

	if (n >= 8) {
		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
		if ((escapes(a) | escapes(b)) != 0)
			return 0;
		memcpy(o, &a, 8);
		memcpy(o + n - 8, &b, 8);
	} else if (n >= 4) {
		memcpy(&c, p, 4);
		memcpy(&d, p + n - 4, 4);
		if (escapes(c | (uint64_t)d << 32) != 0)
			return 0;
		memcpy(o, &c, 4);
		memcpy(o + n - 4, &d, 4);
	} else {                /* the first, middle and last of 1 to 3 */
		if (!(plain_byte[p[0]] & plain_byte[p[n / 2]] &
		    plain_byte[p[n - 1]]))
			return 0;
		o[0] = (char)p[0];
		o[n / 2] = (char)p[n / 2];
		o[n - 1] = (char)p[n - 1];
	}
	return 1;
}

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
		if (escapes(w) != 0)
			return i;
		memcpy(o + i, &w, 8);
	}
	if (i < n) {
		memcpy(&w, p + n - 8, 8);
		if (escapes(w) != 0)
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
		if (plain_byte[*p]) {
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

/* jsonstr_put for what copy_short does not take: longer strings and
 * those with a byte to escape. The opening quote is at o[-1]. */
static __attribute__((noinline)) char *
put_long(char *o, const unsigned char *p, size_t n)
{
	size_t done = 0;

	if (n >= 8)
		done = copy_words(o, p, n);
	else
		while (done < n && plain_byte[p[done]]) {
			o[done] = (char)p[done];
			done++;
		}
	o += done;
	if (done < n)
		o = put_escaped(o, p + done, p + n);
	*o++ = '"';
	return o;
}

/* The short plain strings, most of them, with no call (and so no
 * registers to save). */
char *
jsonstr_put(char *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	*o++ = '"';
	if (n - 1 < 16 && copy_short(o, p, n)) {        /* 1 to 16 bytes */
		o[n] = '"';
		return o + n + 1;
	}
	if (n == 0) {
		*o = '"';
		return o + 1;
	}
	return put_long(o, p, n);
}
