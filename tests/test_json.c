/* test_json.c: jsonstr_put, the word-at-a-time JSON string writer, against
 * a plain byte-at-a-time statement of the same rules (man/interim.1,
 * OUTPUT FORMAT), on every byte and pair of bytes at each place in a word
 * and on random strings of every length to 40; and the number, seconds
 * and timestamp writers against printf and gmtime, at the edges of each
 * fast path (powers of ten, 2^53 - 1, minute, hour, day and year
 * boundaries, time stepping back). Each writer is also held to the bytes
 * it may store. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "jsonstr.h"

static int passed, failed, shown;

/* whether the n bytes at p are all still '#' */
static int
untouched(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '#')
			return 0;
	return 1;
}

/* The rules, one byte or sequence at a time. */
static size_t
reference(char *o, const unsigned char *p, size_t n)
{
	const unsigned char *e = p + n;
	size_t len = 0, u;

	o[len++] = '"';
	while (p < e) {
		if (*p == '"') {
			len += (size_t)sprintf(o + len, "\\\"");
			p++;
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			len += (size_t)sprintf(o + len, "\\u00%02x", p[1]);
			p += 2;
		} else if (*p < 0x20 || *p == 0x7f) {
			len += (size_t)sprintf(o + len, "\\u00%02x", *p);
			p++;
		} else if (*p == '\\' || (*p >= 0x80 &&
		    format_utf8_len(p) == 0)) {
			len += (size_t)sprintf(o + len, "\\\\x%02x", *p);
			p++;
		} else if (*p >= 0x80) {
			u = format_utf8_len(p);
			memcpy(o + len, p, u);
			len += u;
			p += u;
		} else {
			o[len++] = (char)*p++;
		}
	}
	o[len++] = '"';
	return len;
}

/* s: n bytes (and a NUL after them), at an odd place in memory; 1 when
 * jsonstr_put() wrote what the rules say. A case that fails is printed
 * (the first ten). */
static int
check(const unsigned char *s, size_t n)
{
	static char buf[64 + 8], want[JSONSTR_MOST(64) + 8];
	static char got[JSONSTR_MOST(64) + 8];
	char *src = buf + 3, *end;
	size_t wlen;

	memcpy(src, s, n);
	src[n] = '\0';
	wlen = reference(want, (const unsigned char *)src, n);
	memset(got, '#', sizeof(got));
	end = jsonstr_put(got, src, n);
	if ((size_t)(end - got) == wlen && memcmp(got, want, wlen) == 0 &&
	    wlen <= JSONSTR_MOST(n) && untouched(got + JSONSTR_MOST(n),
	    sizeof(got) - JSONSTR_MOST(n)))
		return 1;
	if (shown++ < 10) {
		printf("FAIL: %zu bytes:", n);
		for (size_t i = 0; i < n; i++)
			printf(" %02x", s[i]);
		printf(": got '%.*s', want '%.*s'\n", (int)(end - got), got,
		    (int)wlen, want);
	}
	return 0;
}

/* One check per group of cases: it passes when all of them did. */
static void
group(const char *what, unsigned bad)
{
	if (bad == 0) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL: %s: %u cases\n", what, bad);
}

/* A failure, printed (the first ten): what was written, what was due. */
static void
show(const char *what, const char *got, size_t glen, const char *want,
    size_t wlen)
{
	if (shown++ < 10)
		printf("FAIL: %s: got '%.*s', want '%.*s'\n", what, (int)glen,
		    got, (int)wlen, want);
}

/* jsonstr_u64(v) at an odd place: printf's digits, nothing stored before
 * it or past JSONSTR_U64_MOST */
static int
check_u64(uint64_t v)
{
	char buf[JSONSTR_U64_MOST + 16], want[32], *o = buf + 3, *end;
	size_t n = (size_t)snprintf(want, sizeof(want), "%" PRIu64, v);

	memset(buf, '#', sizeof(buf));
	end = jsonstr_u64(o, v);
	if ((size_t)(end - o) == n && memcmp(o, want, n) == 0 &&
	    untouched(buf, 3) && untouched(o + JSONSTR_U64_MOST,
	    sizeof(buf) - 3 - JSONSTR_U64_MOST))
		return 1;
	show("u64", o, (size_t)(end - o), want, n);
	return 0;
}

/* jsonstr_seconds(us) against "%s%llu.%06llu" */
static int
check_seconds(int64_t us)
{
	char buf[JSONSTR_SECONDS_MOST + 16], want[48], *o = buf + 3, *end;
	uint64_t a = us < 0 ? -(uint64_t)us : (uint64_t)us;
	uint64_t unit = (uint64_t)USEC;
	size_t n = (size_t)snprintf(want, sizeof(want), "%s%" PRIu64 ".%06"
	    PRIu64, us < 0 ? "-" : "", a / unit, a % unit);

	memset(buf, '#', sizeof(buf));
	end = jsonstr_seconds(o, us);
	if ((size_t)(end - o) == n && memcmp(o, want, n) == 0 &&
	    untouched(buf, 3) && untouched(o + JSONSTR_SECONDS_MOST,
	    sizeof(buf) - 3 - JSONSTR_SECONDS_MOST))
		return 1;
	show("seconds", o, (size_t)(end - o), want, n);
	return 0;
}

/* A timestamp as gmtime says (format_iso), quoted; before 1970 as json.c
 * always wrote it: the second rounded toward 0, the microseconds' digits
 * from a loop. */
static size_t
time_reference(char *w, int64_t ts)
{
	char full[48];
	int64_t frac = ts % USEC;

	if (ts >= 0) {
		format_iso(full, sizeof(full), ts);
		return (size_t)sprintf(w, "\"%s\"", full);
	}
	format_iso(full, sizeof(full), ts / USEC * USEC);
	w[0] = '"';
	memcpy(w + 1, full, 19);
	w[20] = '.';
	for (int i = 5; i >= 0; i--, frac /= 10)
		w[21 + i] = (char)('0' + frac % 10);
	memcpy(w + 27, "Z\"", 2);
	return JSONSTR_TIME_LEN;
}

/* jsonstr_time(c, ts) with the clock c as the times before left it, and
 * with a new clock: both as the reference, JSONSTR_TIME_LEN bytes. */
static int
check_time(struct jsonstr_clock *c, int64_t ts)
{
	char buf[JSONSTR_TIME_LEN + 16], want[64], *o = buf + 3, *end;
	size_t n = time_reference(want, ts);
	struct jsonstr_clock fresh;
	int ok = 1;

	for (int pass = 0; pass < 2; pass++) {
		memset(buf, '#', sizeof(buf));
		jsonstr_clock_init(&fresh);
		end = jsonstr_time(pass == 0 ? c : &fresh, o, ts);
		if ((size_t)(end - o) != n || memcmp(o, want, n) != 0 ||
		    !untouched(buf, 3) || !untouched(o + JSONSTR_TIME_LEN,
		    sizeof(buf) - 3 - JSONSTR_TIME_LEN)) {
			show(pass == 0 ? "time" : "time, new clock", o,
			    (size_t)(end - o), want, n);
			ok = 0;
		}
	}
	return ok;
}

/* The numbers: every one to 2000, each power of ten and its neighbours,
 * 2^53 - 1 (the largest flow_id) and 2^64 - 1, random ones of each size. */
static void
numbers(void)
{
	unsigned bad = 0;
	uint64_t p = 1;

	for (uint64_t v = 0; v <= 2000; v++)
		bad += !check_u64(v);
	for (int e = 0; e <= 19; e++, p *= 10) {
		bad += !check_u64(p - 1) + !check_u64(p) + !check_u64(p + 1);
		bad += !check_u64(p * 2 - 1) + !check_u64(p / 2 * 9 + p / 2);
	}
	bad += !check_u64((1ULL << 53) - 1) + !check_u64(1ULL << 53);
	bad += !check_u64(UINT64_MAX) + !check_u64(UINT64_MAX - 1);
	for (int t = 0; t < 20000; t++) {
		uint64_t v = (uint64_t)rand() << 42 ^ (uint64_t)rand() << 21 ^
		    (uint64_t)rand();

		bad += !check_u64(v >> (rand() % 64));
	}
	group("numbers", bad);
	bad = 0;
	for (int64_t us = -2000001; us <= 2000001; us += 999)
		bad += !check_seconds(us);
	p = 1;
	for (int e = 0; e <= 18; e++, p *= 10)
		for (int d = -1; d <= 1; d++) {
			bad += !check_seconds((int64_t)p + d);
			bad += !check_seconds(-(int64_t)p + d);
		}
	bad += !check_seconds(INT64_MAX) + !check_seconds(INT64_MIN + 1);
	group("seconds", bad);
}

/* whether c is copied into a JSON string as it is */
static int
plain(unsigned c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* jsonstr_escapes, the word test where SSE2 is not (and the long
 * strings' test everywhere): two bytes at each pair of places */
static void
words(void)
{
	unsigned bad = 0;

	for (unsigned c = 0; c < 256; c++)
		for (unsigned d = 0; d < 256; d += 5)
			for (int at = 0; at < 8; at++)
				for (int at2 = 0; at2 < 8; at2++) {
					uint64_t w = 0x7878787878787878ULL;

					w ^= (uint64_t)(c ^ 0x78) << 8 * at;
					w = (w & ~(0xffULL << 8 * at2)) |
					    (uint64_t)d << 8 * at2;
					if ((jsonstr_escapes(w) == 0) !=
					    ((at == at2 || plain(c)) &&
					    plain(d)))
						bad++;
				}
	group("the word test", bad);
}

/* Timestamps in the order they come: across each boundary of a field and
 * back over it, a random walk of small and large steps either way, and
 * times before 1970 among them. */
static void
times(void)
{
	static const int64_t edges[] = {
		0,                              /* 1970-01-01 */
		60, 3600, 86400,
		946684800,                      /* 2000-01-01 */
		951782400,                      /* 2000-02-29 */
		1709164800,                     /* 2024-02-29 */
		1798761600,                     /* 2027-01-01 */
		4107542400,                     /* 2100-03-01 */
		253339228800                    /* 9998-01-01 (a year on
						 * is as far as format_iso's
						 * text keeps its width) */
	};
	static const int64_t steps[] = {
		0, 1, -1, USEC, -USEC, 60 * USEC, -60 * USEC, 3600 * USEC,
		-3600 * USEC, 86400 * USEC, -86400 * USEC, 366 * 86400 * USEC,
		-366 * 86400 * USEC
	};
	struct jsonstr_clock c;
	unsigned bad = 0;
	int64_t ts;

	jsonstr_clock_init(&c);
	for (size_t e = 0; e < sizeof(edges) / sizeof(edges[0]); e++)
		for (size_t s1 = 0; s1 < sizeof(steps) / sizeof(steps[0]); s1++)
			for (int64_t d = -2; d <= 1; d++) {
				ts = edges[e] * USEC + d;
				bad += !check_time(&c, ts);
				bad += !check_time(&c, ts + steps[s1]);
				bad += !check_time(&c, ts);
			}
	group("times across boundaries and back", bad);
	bad = 0;
	ts = 1798761600 * USEC - 3 * 86400 * USEC;
	for (int t = 0; t < 50000; t++) {
		int64_t step = (int64_t)rand() % (t % 3 == 0 ? 3 * USEC :
		    t % 3 == 1 ? 200 * USEC : 3 * 86400 * USEC);

		ts += rand() % 4 == 0 ? -step : step;
		if (ts < 0)
			ts = -ts;
		bad += !check_time(&c, ts);
	}
	group("times on a random walk", bad);
	bad = 0;
	static const int64_t early[] = {
		-1, -999999, -USEC, -USEC - 1, -USEC * 3 / 2, -86400 * USEC - 5,
		-(int64_t)10000 * 86400 * USEC, 0, 1, USEC
	};
	for (size_t i = 0; i < sizeof(early) / sizeof(early[0]); i++) {
		bad += !check_time(&c, early[i]);
		bad += !check_time(&c, 1709164800 * USEC + 7);
		bad += !check_time(&c, early[i]);
	}
	group("times before 1970", bad);
}

int
main(void)
{
	/* bytes that matter to the rules, and plain ones beside them */
	static const unsigned char some[] = {
		0x01, 0x1f, 0x20, 0x21, '"', '\\', 'a', 0x7e, 0x7f, 0x80,
		0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xc3, 0xe0, 0xe2, 0xed, 0xf0,
		0xf4, 0xf5, 0xff
	};
	unsigned char s[64] = {0};
	unsigned bad;

	group("the empty string", !check(s, 0));
	/* each byte alone, and at each place of a 1- to 17-byte string */
	bad = 0;
	for (int c = 1; c < 256; c++)
		for (size_t n = 1; n <= 17; n++)
			for (size_t at = 0; at < n; at++) {
				memset(s, 'x', n);
				s[at] = (unsigned char)c;
				bad += !check(s, n);
			}
	group("each byte at each place", bad);
	/* two bytes side by side (UTF-8 pairs, C1 controls, cut sequences)
	 * across the words of a 12-byte string */
	bad = 0;
	for (size_t i = 0; i < sizeof(some); i++)
		for (size_t k = 0; k < sizeof(some); k++)
			for (size_t at = 0; at + 1 < 12; at++) {
				memset(s, 'y', 12);
				s[at] = some[i];
				s[at + 1] = some[k];
				bad += !check(s, 12);
			}
	group("byte pairs across words", bad);
	/* random strings, mostly plain */
	bad = 0;
	srand(1);
	for (int t = 0; t < 20000; t++) {
		size_t n = (size_t)rand() % 41;

		for (size_t i = 0; i < n; i++)
			s[i] = rand() % 8 != 0 ? (unsigned char)(0x20 +
			    rand() % 0x5f) : some[rand() % sizeof(some)];
		bad += !check(s, n);
	}
	group("random strings", bad);
	words();
	numbers();
	times();
	printf("test_json: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
