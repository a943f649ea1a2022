/* test_json.c: jsonstr_put, the word-at-a-time JSON string writer, against
 * a plain byte-at-a-time statement of the same rules (man/interim.1,
 * OUTPUT FORMAT), on every byte and pair of bytes at each place in a word
 * and on random strings of every length to 40. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "jsonstr.h"

static int passed, failed, shown;

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
	end = jsonstr_put(got, src, n);
	if ((size_t)(end - got) == wlen && memcmp(got, want, wlen) == 0 &&
	    wlen <= JSONSTR_MOST(n))
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

	jsonstr_init();
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
	printf("test_json: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
