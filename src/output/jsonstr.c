/* jsonstr.c: bytes from the capture as a JSON string. Most strings are a
 * few printable ASCII bytes (a method, a target, a host): those are
 * checked and copied a word at a time, with no call; anything else goes
 * byte by byte from the first word that holds a byte to escape. */
#include <stdint.h>
#include <string.h>

#include "format.h"
#include "jsonstr.h"

#define ONES 0x0101010101010101ULL

/* Whether no byte of w needs escaping: each is from 0x20 to 0x7e, and
 * neither '"' nor '\\'. With no byte above 0x7f (the last term), w + ONES
 * carries nowhere and sets a top bit only for 0x7f, and each subtraction
 * sets one only where a byte is under 0x20 or (after the xor) is the
 * quote or backslash, or where a borrow comes from such a byte: the
 * answer for the word is exact. */
static inline int
plain(uint64_t w)
{
	uint64_t t = (w - 0x20 * ONES) | ((w ^ '"' * ONES) - ONES) |
	    ((w ^ '\\' * ONES) - ONES) | (w + ONES) | w;

	return (t & 0x80 * ONES) == 0;
}

/* copy_plain() for n >= 8: 8 bytes at a time, the last 8 overlapping
 * those before. Apart, so that the short strings, most of them, need no
 * registers saved. */
static __attribute__((noinline)) size_t
copy_words(char *o, const unsigned char *p, size_t n)
{
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		if (!plain(w))
			return i;
		memcpy(o + i, &w, 8);
	}
	if (i < n) {
		memcpy(&w, p + n - 8, 8);
		if (!plain(w))
			return i;
		memcpy(o + n - 8, &w, 8);
	}
	return n;
}

/* 1 for the bytes copied as they are: 0x20 to 0x7e but '"' and '\\' */
static unsigned char plain_byte[256];

void
jsonstr_init(void)
{
	for (int c = 0x20; c < 0x7f; c++)
		plain_byte[c] = c != '"' && c != '\\';
}

/* Copies the n bytes at p to o while none needs escaping; returns how
 * many were copied (n when all were). Loads stay within the n bytes. A
 * string under 8 bytes goes a byte at a time: there a table costs less
 * than making a word. */
static inline size_t
copy_plain(char *o, const unsigned char *p, size_t n)
{
	size_t i;

	if (n >= 8)
		return copy_words(o, p, n);
	for (i = 0; i < n && plain_byte[p[i]]; i++)
		o[i] = (char)p[i];
	return i;
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

char *
jsonstr_put(char *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t done;

	*o++ = '"';
	done = copy_plain(o, p, n);
	o += done;
	if (done < n)
		o = put_escaped(o, p + done, p + n);
	*o++ = '"';
	return o;
}
