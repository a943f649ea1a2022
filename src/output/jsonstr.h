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

#include "model.h"      /* USEC */

/* The most jsonstr_put stores for n bytes: 6 a byte, and the quotes. */
#define JSONSTR_MOST(n) (6 * (n) + 2)

/* Writes the n bytes at s (s[n] is a NUL) at o as a JSON string, quotes
 * included, and returns the end. Valid UTF-8 is copied as it is, except
 * C1 controls (U+0080 to U+009F), written \u0080 like the C0 ones. A byte
 * that is not part of valid UTF-8 is written as the four characters \xHH
 * (the JSON text "\\xHH"), and so is a backslash from the capture (\x5c):
 * in the decoded string a backslash always begins such an escape. */
char *jsonstr_put(char *o, const char *s, size_t n);

/* Its table, made once before the first jsonstr_put. */
void jsonstr_init(void);

/* "000" to "999", each in 4 bytes (the last a NUL): numbers are written
 * three digits at a time, a group in one 4-byte store where a byte more
 * may be stored. */
extern const char jsonstr_trio[1000][4];

/* Decimal v: at most JSONSTR_U64_MOST bytes stored. */
#define JSONSTR_U64_MOST 20

char *jsonstr_u64_long(char *o, uint64_t v);

static inline char *
jsonstr_u64(char *o, uint64_t v)
{
	if (v < 10) {
		*o = (char)('0' + v);
		return o + 1;
	}
	if (v < 1000) {         /* "42": "042" from its second byte */
		memcpy(o, jsonstr_trio[v] + (v < 100), 4);
		return o + 3 - (v < 100);
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
