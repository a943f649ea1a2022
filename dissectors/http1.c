/* http1.c: HTTP/1.x message framing per RFC 9112, both directions.
 *
 * Every read of the caller's bytes goes through a bounded scan (memchr, an
 * index checked against len, find_lf()'s and line_at()'s 16-byte reads,
 * each within the bytes given, or, within a line, a scan that the line's
 * CR or LF stops). Nothing here allocates.
 */
#include <stddef.h>
#include <string.h>

#include "http1.h"

#ifdef __SSE2__         /* every x86-64; elsewhere memchr() does it */
#include <emmintrin.h>
#endif

enum verdict { NO, YES, MAYBE };

#define MAX_STRAY 8     /* bytes skipped before the first request line */
#define H2_PREFACE "PRI * HTTP/2.0"     /* RFC 9113 3.4, its first line */

_Static_assert(sizeof(struct http1_parser) <= 64,
    "a parser is one cache line (struct flow aligns each to one)");

static const struct {
	enum http1_error e;
	const char *name;
} error_names[] = {
	{HTTP1_ERR_START_LINE, "malformed start line"},
	{HTTP1_ERR_HEADER, "malformed header field"},
	{HTTP1_ERR_HEAD_TOO_LARGE, "header block over 64 KiB"},
	{HTTP1_ERR_CONTENT_LENGTH, "invalid Content-Length or Transfer-Encoding"},
	{HTTP1_ERR_CHUNK, "malformed chunk"},
	{HTTP1_ERR_TRUNCATED, "stream ended inside a message"},
	{HTTP1_ERR_ABANDONED, "incomplete head given up (--max-held)"},
	{HTTP1_ERR_GAP, "bytes missing from the capture"},
	{HTTP1_ERR_STRAY, "stray bytes before the first request line"},
	{HTTP1_ERR_HTTP2, "HTTP/2 where HTTP/1.x was expected"},
	{HTTP1_ERR_NONE, NULL}
};

static const struct {
	int status;
	const char *reason;
} reasons[] = {
	{100, "Continue"}, {101, "Switching Protocols"}, {102, "Processing"},
	{103, "Early Hints"}, {200, "OK"}, {204, "No Content"},
	{304, "Not Modified"}, {0, NULL}
};

const char *
http1_error_name(enum http1_error e)
{
	for (size_t i = 0; error_names[i].name != NULL; i++)
		if (error_names[i].e == e)
			return error_names[i].name;
	return "unknown error";
}

const char *
http1_reason_default(int status)
{
	for (size_t i = 0; reasons[i].reason != NULL; i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "";
}

/* Byte classes, as a table: this is on the per-byte path. TCHAR: RFC 9110
 * 5.6.2 tchar; OWS: what optional whitespace is made of, SP and HTAB
 * (5.6.3). */
enum { TCHAR = 1, OWS = 2 };
static const unsigned char cls[256] = {
	[' '] = OWS, ['\t'] = OWS,
	['!'] = TCHAR, ['#'] = TCHAR, ['$'] = TCHAR, ['%'] = TCHAR,
	['&'] = TCHAR, ['\''] = TCHAR, ['*'] = TCHAR, ['+'] = TCHAR,
	['-'] = TCHAR, ['.'] = TCHAR, ['^'] = TCHAR, ['_'] = TCHAR,
	['`'] = TCHAR, ['|'] = TCHAR, ['~'] = TCHAR,
	['0'] = TCHAR, ['1'] = TCHAR, ['2'] = TCHAR, ['3'] = TCHAR,
	['4'] = TCHAR, ['5'] = TCHAR, ['6'] = TCHAR, ['7'] = TCHAR,
	['8'] = TCHAR, ['9'] = TCHAR,
	['A'] = TCHAR, ['B'] = TCHAR, ['C'] = TCHAR, ['D'] = TCHAR,
	['E'] = TCHAR, ['F'] = TCHAR, ['G'] = TCHAR, ['H'] = TCHAR,
	['I'] = TCHAR, ['J'] = TCHAR, ['K'] = TCHAR, ['L'] = TCHAR,
	['M'] = TCHAR, ['N'] = TCHAR, ['O'] = TCHAR, ['P'] = TCHAR,
	['Q'] = TCHAR, ['R'] = TCHAR, ['S'] = TCHAR, ['T'] = TCHAR,
	['U'] = TCHAR, ['V'] = TCHAR, ['W'] = TCHAR, ['X'] = TCHAR,
	['Y'] = TCHAR, ['Z'] = TCHAR,
	['a'] = TCHAR, ['b'] = TCHAR, ['c'] = TCHAR, ['d'] = TCHAR,
	['e'] = TCHAR, ['f'] = TCHAR, ['g'] = TCHAR, ['h'] = TCHAR,
	['i'] = TCHAR, ['j'] = TCHAR, ['k'] = TCHAR, ['l'] = TCHAR,
	['m'] = TCHAR, ['n'] = TCHAR, ['o'] = TCHAR, ['p'] = TCHAR,
	['q'] = TCHAR, ['r'] = TCHAR, ['s'] = TCHAR, ['t'] = TCHAR,
	['u'] = TCHAR, ['v'] = TCHAR, ['w'] = TCHAR, ['x'] = TCHAR,
	['y'] = TCHAR, ['z'] = TCHAR,
};

static int
is_tchar(unsigned char c)
{
	return cls[c] & TCHAR;
}

static int
is_ows(unsigned char c)
{
	return cls[c] & OWS;
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static unsigned char
lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static int
ieq(const char *a, const char *b, size_t len)
{
	size_t i = 0;

	/* bytes most often match as they are: 8 at a time while they do,
	 * then fold only those that differ */
	for (; i + 8 <= len; i += 8) {
		uint64_t x, y;

		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			break;
	}
	for (; i < len; i++)
		if (a[i] != b[i] &&
		    lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

#ifdef __SSE2__
/* Bit i set when byte i of the 16 at p is c. */
static unsigned
mask16(const char *p, __m128i c)
{
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c,
	    _mm_loadu_si128((const __m128i *)(const void *)p)));
}
#endif

/* The first LF in [p, end), or NULL; s (s <= p) is where the caller's
 * bytes begin. Lines in a head are short: 32 bytes at a time inline cost
 * less than a call to memchr(). Every 16-byte read lies within [s, end):
 * the last one, when fewer than 16 bytes are left, ends at end and its
 * bytes before p are shifted out. */
static const char *
find_lf(const char *p, const char *s, const char *end)
{
#ifdef __SSE2__
	const __m128i lf = _mm_set1_epi8('\n');
	uint32_t m;

	for (; end - p >= 32; p += 32) {
		m = mask16(p, lf) | (uint32_t)mask16(p + 16, lf) << 16;
		if (m != 0)
			return p + (unsigned)__builtin_ctz(m);
	}
	if (end - s >= 16 && p < end) {
		if (end - p > 16) {
			if ((m = mask16(p, lf)) != 0)
				return p + (unsigned)__builtin_ctz(m);
			p += 16;
		}
		m = mask16(end - 16, lf) >> (16 - (end - p));
		return m != 0 ? p + (unsigned)__builtin_ctz(m) : NULL;
	}
#else
	(void)s;
#endif
	return memchr(p, '\n', (size_t)(end - p));
}

#ifdef __SSE2__
/* Bit i set when byte i of q is not a letter nor '-' (all the bytes of
 * nearly every field name, all of them tchar), and bit 16: the first set
 * bit ends what a name may begin with. Bit 0x20 folds a letter to
 * lowercase; less 'a', letters are 0 to 25, and a saturating add of
 * 128 - 26 sets the top bit of every other byte. */
static unsigned
odd16(__m128i q)
{
	__m128i l = _mm_adds_epu8(_mm_sub_epi8(_mm_or_si128(q,
	    _mm_set1_epi8(0x20)), _mm_set1_epi8('a')),
	    _mm_set1_epi8(128 - 26));

	return (unsigned)_mm_movemask_epi8(_mm_andnot_si128(
	    _mm_cmpeq_epi8(q, _mm_set1_epi8('-')), l)) | 1u << 16;
}
#endif

/* find_lf() for a line at p, and in *name how many of its first bytes
 * (at most 16) are letters or '-': a field name of those alone is checked
 * by one look at the byte after it (a start line's search ignores *name,
 * and, inline, does not compute it). Most lines end within the
 * 48 bytes read first, the first 16 of which give *name too. When fewer
 * are left, reads end at end, the bytes already searched shifted out, as
 * in find_lf(); when fewer than 16 are left, the last 16 of [s, end) are
 * read. *name stops at the LF, a byte of neither kind, when the LF is
 * there; when it is not (NULL) *name may count bytes past end. Without 16
 * bytes to read, *name is 0 and the caller's scan does it all. */
static inline __attribute__((always_inline)) const char *
line_at(const char *p, const char *s, const char *end, size_t *name)
{
#ifdef __SSE2__
	const __m128i lf = _mm_set1_epi8('\n');
	__m128i q;
	unsigned m, k;

	if (end - p >= 16) {
		q = _mm_loadu_si128((const __m128i *)(const void *)p);
		*name = (unsigned)__builtin_ctz(odd16(q));
		m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(q, lf));
		if (end - p < 32) {     /* the rest: the last 16 bytes */
			m |= mask16(end - 16, lf) >> (32 - (end - p)) << 16;
			return m != 0 ? p + (unsigned)__builtin_ctz(m) : NULL;
		}
		m |= mask16(p + 16, lf) << 16;
		if (m != 0)
			return p + (unsigned)__builtin_ctz(m);
		if (end - p < 48)
			return find_lf(p + 32, s, end);
		if ((m = mask16(p + 32, lf)) != 0)
			return p + 32 + (unsigned)__builtin_ctz(m);
		return find_lf(p + 48, s, end);
	}
	if (end - s >= 16) {
		k = 16 - (unsigned)(end - p);   /* bytes before p: 1 to 16 */
		q = _mm_loadu_si128((const __m128i *)(const void *)(end - 16));
		m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(q, lf)) >> k;
		if (m == 0)
			return NULL;
		*name = (unsigned)__builtin_ctz(odd16(q) >> k);
		return p + (unsigned)__builtin_ctz(m);
	}
#endif
	*name = 0;
	return find_lf(p, s, end);
}

/* Length of the line at buf (without CRLF or LF) and, in *next, the offset
 * after its end. Returns -1 when no LF lies within len bytes. */
static long
line_end(const char *buf, size_t len, size_t *next)
{
	const char *lf = memchr(buf, '\n', len);
	size_t n;

	if (lf == NULL)
		return -1;
	n = (size_t)(lf - buf);
	*next = n + 1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	return (long)n;
}

/* line_end() for a line that may still be arriving: its LF is searched
 * for from *scanned, within the first cap bytes. When it is not there,
 * returns -1 and moves *scanned to where the search stopped, so that
 * asking again with more bytes appended costs only the new ones. */
static long
line_from(const char *buf, size_t len, size_t cap, uint32_t *scanned,
    size_t *next)
{
	size_t upto = len < cap ? len : cap, from = *scanned, n;
	const char *lf = from < upto ? memchr(buf + from, '\n', upto - from) :
	    NULL;

	if (lf == NULL) {
		*scanned = (uint32_t)upto;
		return -1;
	}
	n = (size_t)(lf - buf);
	*next = n + 1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	return (long)n;
}

/* "HTTP/1." DIGIT at s; sets *minor. */
static int
parse_version(const char *s, size_t n, int *minor)
{
	if (n != 8 || memcmp(s, "HTTP/1.", 7) != 0 || !is_digit(s[7]))
		return -1;
	*minor = s[7] - '0';
	return 0;
}

/* RFC 9112 3: method SP request-target SP HTTP-version. s[n] is the CR
 * or LF that ends the line (as for every start line parsed here): neither
 * a tchar, nor a space, nor above one, it stops both scans. */
static int
parse_request_line(const char *s, size_t n, struct http1_message *m)
{
	size_t i = 0, t;

	while (is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i > HTTP1_MAX_METHOD || s[i] != ' ')
		return -1;
	m->method = s;
	m->method_len = i;
	t = ++i;
	while ((unsigned char)s[i] > ' ' && s[i] != 0x7f)
		i++;
	if (i == t || s[i] != ' ')
		return -1;
	m->target = s + t;
	m->target_len = i - t;
	i++;
	return parse_version(s + i, n - i, &m->minor);
}

/* RFC 9112 4: HTTP-version SP status-code SP [ reason-phrase ]
 * (a missing SP before an empty reason is tolerated) */
static int
parse_status_line(const char *s, size_t n, struct http1_message *m)
{
	if (n < 12 || parse_version(s, 8, &m->minor) != 0 || s[8] != ' ' ||
	    !is_digit(s[9]) || !is_digit(s[10]) || !is_digit(s[11]))
		return -1;
	m->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (m->status < 100)
		return -1;
	if (n > 12 && s[12] != ' ')
		return -1;
	m->reason = n > 13 ? s + 13 : s + n;
	m->reason_len = n > 13 ? n - 13 : 0;
	return 0;
}

/* A whole start line of this kind, n bytes without its CRLF. */
static int
parse_start_line(enum http1_kind kind, const char *s, size_t n,
    struct http1_message *m)
{
	if (n > HTTP1_MAX_START)
		return -1;
	return kind == HTTP1_RESPONSE ? parse_status_line(s, n, m) :
	    parse_request_line(s, n, m);
}

/* The usual case, a head that comes whole: a start line complete and
 * valid at buf, found in one search (the first, so *scanned is 0; inline,
 * as lines in a head are short). On 0, m holds it and *next is the offset
 * after it; on -1, begins_message() must judge. */
static int
start_line_whole(enum http1_kind kind, const char *buf, size_t len,
    struct http1_message *m, size_t *next)
{
	size_t upto = len < HTTP1_MAX_START + 2 ? len : HTTP1_MAX_START + 2, n;
	size_t unused;
	const char *lf = line_at(buf, buf, buf + upto, &unused);

	if (lf == NULL)
		return -1;
	n = (size_t)(lf - buf);
	*next = n + 1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	return parse_start_line(kind, buf, n, m);
}

/* Could the bytes at buf begin a start line of this kind? MAYBE when the
 * bytes so far fit but the line is not complete; *scanned as for
 * line_from(). NO for a prefix only when every line it begins is NO, so
 * the answer does not depend on where the bytes were cut. On YES, m holds
 * the start line and *next the offset after it. Cost: the new bytes, and
 * at most HTTP1_MAX_METHOD + 1 more. */
static enum verdict
begins_message(enum http1_kind kind, const char *buf, size_t len,
    uint32_t *scanned, struct http1_message *m, size_t *next)
{
	/* a line within the cap has its LF within the cap + 2 bytes */
	long n = line_from(buf, len, HTTP1_MAX_START + 2, scanned, next);

	if (n >= 0)
		return parse_start_line(kind, buf, (size_t)n, m) == 0 ? YES : NO;
	if (len >= HTTP1_MAX_START + 2)
		return NO;
	if (kind == HTTP1_RESPONSE)
		return memcmp(buf, "HTTP/1.", len < 7 ? len : 7) == 0 ? MAYBE :
		    NO;
	/* the method must be a token within its cap and then come a space */
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == ' ')
			return i > 0 ? MAYBE : NO;
		if (!is_tchar((unsigned char)buf[i]) || i >= HTTP1_MAX_METHOD)
			return NO;
	}
	return MAYBE;
}

static void
report(struct http1_parser *p, enum http1_error e)
{
	if (p->cb->on_error != NULL)
		p->cb->on_error(p->ctx, e);
}

/* Bytes a and b, 8 of them, equal ignoring the case of a: b is in
 * lowercase, of letters, digits and '-'. Bit 0x20 folds a letter to
 * lowercase; it is set only where b holds a letter (those have bit 0x40,
 * digits and '-' not), so elsewhere a must be exactly b. */
static int
fold_eq64(const char *a, const char *b)
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	return (x | (y & 0x4040404040404040u) >> 1) == y;
}

/* fold_eq64() for 4 bytes */
static int
fold_eq32(const char *a, const char *b)
{
	uint32_t x, y;

	memcpy(&x, a, 4);
	memcpy(&y, b, 4);
	return (x | (y & 0x40404040u) >> 1) == y;
}

/* Is the n-byte field name a (n >= 4) the lowercase name b, ignoring
 * case? Compared a word at a time, the last word overlapping the one
 * before: nothing is read outside the n bytes of either. */
static inline __attribute__((always_inline)) int
name_is(const char *a, const char *b, size_t n)
{
	size_t i;

	if (n < 8)
		return fold_eq32(a, b) && fold_eq32(a + n - 4, b + n - 4);
	for (i = 0; i + 8 < n; i += 8)
		if (!fold_eq64(a + i, b + i))
			return 0;
	return fold_eq64(a + n - 8, b + n - 8);
}

/* The slot of a field name of len bytes that begins with the lowercase
 * letter c in field_of()'s table: the seven names fill seven slots. */
#define FIELD_SLOT(len, c) (((len) + (c)) & 31)

/* The fields of enum http1_field: name, first letter (a constant for
 * FIELD_SLOT), field. */
#define KNOWN_FIELDS(X) \
	X("content-length", 'c', HTTP1_CONTENT_LENGTH) \
	X("transfer-encoding", 't', HTTP1_TRANSFER_ENCODING) \
	X("host", 'h', HTTP1_HOST) \
	X("expect", 'e', HTTP1_EXPECT) \
	X("upgrade", 'u', HTTP1_UPGRADE) \
	X("link", 'l', HTTP1_LINK) \
	X("user-agent", 'u', HTTP1_USER_AGENT)

/* Which of enum http1_field a field name is, or -1: one slot, from the
 * length and the first letter, then one comparison. Most names are none
 * of them, and most of those land on an empty slot (its length 0) or
 * differ in length or first letter: they cost no comparison. The lengths
 * are a table of their own, bytes, so that the usual test is one load. */
static inline __attribute__((always_inline)) int
field_of(const char *name, size_t len)
{
#define SLOT_LEN(s, c, f) [FIELD_SLOT(sizeof(s) - 1, c)] = sizeof(s) - 1,
#define SLOT(s, c, f) [FIELD_SLOT(sizeof(s) - 1, c)] = {s, f},
	static const unsigned char slot_len[32] = {KNOWN_FIELDS(SLOT_LEN)};
	static const struct {
		const char *name;
		int f;
	} slot[32] = {KNOWN_FIELDS(SLOT)};
#undef SLOT_LEN
#undef SLOT
	/* bit 0x20 folds a letter to lowercase; a byte that is not a letter
	 * becomes none of the first letters above */
	unsigned char c = (unsigned char)(name[0] | 0x20);
	size_t i = FIELD_SLOT(len, c);

	if (slot_len[i] != len || c != (unsigned char)slot[i].name[0])
		return -1;
	return name_is(name, slot[i].name, len) ? slot[i].f : -1;
}

/* Field lines from s up to the empty line that ends the head: counted, and
 * the known ones kept in m->known. Returns the offset just past that empty
 * line, or 0 when it is not within len bytes. Bad lines are skipped and
 * flagged in *bad. One search (line_at) finds each line's end and the
 * letters and '-' its name begins with; a name of only those is then
 * checked by the one byte after it, any other by a tchar scan from there.
 * Only a known field's value is needed: only its whitespace is trimmed. */
static inline __attribute__((always_inline)) size_t
scan_headers(const char *s, size_t len, struct http1_message *m,
    unsigned *bad)
{
	const char *at = s, *end = s + len, *lf, *eol, *v;
	size_t i;
	int k;

	m->num_headers = 0;

	for (;; at = lf + 1) {
		/* the empty line that ends the head, most often at the end
		 * of the bytes: no search */
		if (__builtin_expect(at < end && (unsigned char)*at <= '\r', 0) &&
		    (*at == '\n' || (*at == '\r' && end - at >= 2 &&
		    at[1] == '\n'))) {
			return (size_t)(at + (*at == '\r') + 1 - s);
		}
		if ((lf = line_at(at, s, end, &i)) == NULL)
			return 0;
		/* at[0..i) are tchar and lie before the LF, which is not at
		 * at (the line is not empty). The CR or LF that ends the line
		 * is neither tchar nor whitespace, so it stops these scans
		 * without an index check per byte. Names go two bytes a
		 * step: the second is read only when the first was a tchar,
		 * so never past the line's end. */
		if (at[i] != ':') {
			while (is_tchar((unsigned char)at[i]) &&
			    is_tchar((unsigned char)at[i + 1]))
				i += 2;
			if (is_tchar((unsigned char)at[i]))
				i++;
		}
		if (i == 0 || at[i] != ':') {
			/* obs-fold (RFC 9112 5.2), a line that begins with
			 * whitespace: ignored, not an error */
			if (i != 0 || !is_ows((unsigned char)at[0]))
				*bad |= 1u << HTTP1_ERR_HEADER;
			continue;
		}
		m->num_headers++;
		k = field_of(at, i);
		if (k < 0 || (m->have & (1u << k)))
			continue;
		eol = lf[-1] == '\r' ? lf - 1 : lf;
		v = at + i + 1;
		if (*v == ' ')          /* the usual one space, then any more */
			v++;
		while (is_ows((unsigned char)*v))
			v++;
		while (eol > v && is_ows((unsigned char)eol[-1]))
			eol--;
		m->have |= 1u << k;
		m->known[k] = (struct http1_header){
			at, i, v, (size_t)(eol - v)
		};
	}
}

/* scan_headers() for a head seen whole only now, out of line: the head
 * that comes whole keeps the inline one to itself. */
static __attribute__((noinline)) size_t
scan_split(const char *s, size_t len, struct http1_message *m, unsigned *bad)
{
	return scan_headers(s, len, m, bad);
}

const struct http1_header *
http1_get(const struct http1_message *m, enum http1_field f)
{
	return m->have & (1u << f) ? &m->known[f] : NULL;
}

int
http1_list_has(const char *v, size_t len, const char *tok)
{
	size_t i = 0, n = strlen(tok);

	/* the usual value is the token alone (a token holds none of the
	 * separators below) */
	if (len == n && ieq(v, tok, n))
		return 1;
	while (i < len) {
		size_t s, e;

		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < len && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		/* compared by name: "chunked;x", "websocket/13" */
		for (size_t k = s; k < e; k++)
			if (v[k] == ';' || v[k] == ' ' || v[k] == '/') {
				e = k;
				break;
			}
		if (e > s && e - s == n && ieq(v + s, tok, e - s))
			return 1;
	}
	return 0;
}

/* RFC 9110 8.6: 1*DIGIT, or a list of identical values. */
static __attribute__((noinline)) int
content_length_list(const char *v, size_t len, uint64_t *out)
{
	uint64_t first = 0;
	int have = 0;
	size_t i = 0;

	while (i < len) {
		uint64_t n = 0;
		size_t digits = 0;

		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		if (i >= len)
			break;
		while (i < len && is_digit((unsigned char)v[i])) {
			if (n > (UINT64_MAX - 9) / 10)
				return -1;
			n = n * 10 + (uint64_t)(v[i++] - '0');
			digits++;
		}
		while (i < len && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (digits == 0 || (i < len && v[i] != ','))
			return -1;
		if (have && n != first)
			return -1;
		first = n;
		have = 1;
	}
	if (!have)
		return -1;
	*out = first;
	return 0;
}

/* content_length_list(), inline for the usual value: 1 to 19 digits
 * alone, too few to overflow. */
static inline __attribute__((always_inline)) int
parse_content_length(const char *v, size_t len, uint64_t *out)
{
	uint64_t n = 0;

	if (len - 1 >= 19)
		return content_length_list(v, len, out);
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(unsigned char)v[i] - '0';

		if (d > 9)
			return content_length_list(v, len, out);
		n = n * 10 + d;
	}
	*out = n;
	return 0;
}

/* Is chunked the final transfer coding? (RFC 9112 6.1) */
static int
chunked_last(const struct http1_header *te)
{
	const char *v = te->value;
	size_t e = te->value_len, s;

	while (e > 0 && (v[e - 1] == ' ' || v[e - 1] == '\t' || v[e - 1] == ','))
		e--;
	s = e;
	while (s > 0 && v[s - 1] != ',')
		s--;
	return http1_list_has(v + s, e - s, "chunked");
}

/* The state after a head, per RFC 9112 6.3; -1 on invalid framing. */
static int
body_state(const struct http1_message *m, enum http1_body decided,
    struct http1_parser *p)
{
	const struct http1_header *te, *cl;

	p->body_left = 0;
	if (decided == HTTP1_BODY_CONNECT)
		return HTTP1_CONNECT_PROBE;
	if (decided == HTTP1_BODY_TUNNEL ||
	    (m->kind == HTTP1_RESPONSE && m->status == 101))
		return HTTP1_TUNNEL;
	if (m->kind == HTTP1_RESPONSE && m->status < 200) {
		/* a 1xx has no body (RFC 9110 15.2); one that declares one
		 * is checked against what follows */
		te = http1_get(m, HTTP1_TRANSFER_ENCODING);
		if (te != NULL && chunked_last(te)) {
			p->interim_chunked = 1;
			return HTTP1_INTERIM_BODY;
		}
		cl = http1_get(m, HTTP1_CONTENT_LENGTH);
		if (cl != NULL && parse_content_length(cl->value,
		    cl->value_len, &p->body_left) == 0 && p->body_left > 0)
			return HTTP1_INTERIM_BODY;
		return HTTP1_START_LINE;
	}
	if (m->kind == HTTP1_RESPONSE && (decided == HTTP1_BODY_NONE ||
	    m->status == 204 || m->status == 304))
		return HTTP1_START_LINE;
	te = http1_get(m, HTTP1_TRANSFER_ENCODING);
	if (te != NULL) {
		if (chunked_last(te))
			return HTTP1_BODY_CHUNK_SIZE;
		return m->kind == HTTP1_RESPONSE ? HTTP1_BODY_CLOSE : -1;
	}
	cl = http1_get(m, HTTP1_CONTENT_LENGTH);
	if (cl != NULL) {
		if (parse_content_length(cl->value, cl->value_len,
		    &p->body_left) != 0)
			return -1;
		return p->body_left > 0 ? HTTP1_BODY_LENGTH : HTTP1_START_LINE;
	}
	return m->kind == HTTP1_RESPONSE ? HTTP1_BODY_CLOSE : HTTP1_START_LINE;
}

static void
message_end(struct http1_parser *p)
{
	p->state = HTTP1_START_LINE;
	p->begun = 0;
	p->messages++;
	if (p->cb->on_end != NULL)
		p->cb->on_end(p->ctx);
}

/* Before the connection is known to be HTTP, a broken first line makes
 * the direction another protocol's; its error is kept (doubt) and reported
 * only if the peer turns out to speak HTTP (http1_expect_http), except
 * for HTTP/2, which is named at once. */
static void
fail(struct http1_parser *p, enum http1_error e)
{
	p->state = p->recognised ? HTTP1_RESYNC : HTTP1_NOT_HTTP;
	p->begun = 0;
	p->interim_chunked = 0;
	p->line_start = 0;      /* skip the line that broke */
	p->doubt = p->recognised ? 0 : (uint8_t)e;
	if (p->recognised || e == HTTP1_ERR_HTTP2)
		report(p, e);
}

/* The error for a start line judged NO, from the n bytes at b: HTTP/2's
 * preface is named in a request (where NO for it comes only once its line
 * is whole, so whatever the split). */
static enum http1_error
start_error(enum http1_kind kind, const char *b, size_t n)
{
	size_t k = sizeof(H2_PREFACE) - 1;

	return kind == HTTP1_REQUEST && n >= k &&
	    memcmp(b, H2_PREFACE, k) == 0 ? HTTP1_ERR_HTTP2 :
	    HTTP1_ERR_START_LINE;
}

/* Could the n bytes at b be an HTTP/2 frame header (RFC 9113 4.1) of the
 * kind a server sends first or on giving up, SETTINGS or GOAWAY, on stream
 * 0? MAYBE while fewer than its 9 bytes are there and they fit. */
static enum verdict
h2_frame(const char *b, size_t n)
{
	for (size_t i = 3; i < 9; i++) {
		if (i >= n)
			return MAYBE;
		if (i == 3 ? b[i] != 4 && b[i] != 7 : i >= 5 && b[i] != 0)
			return NO;
	}
	return YES;
}

/* A first request line judged NO at b: the offset (1 to MAX_STRAY) of a
 * request line after bytes that no method can hold (not tchar), 0 when
 * there is none, -1 when that is not known yet. Judged as begins_message()
 * judges, so the answer does not depend on the split. */
static long
stray_before(const struct http1_parser *p, const char *b, size_t n)
{
	struct http1_message m;
	size_t k = 0, next;
	uint32_t sc;

	if (p->kind != HTTP1_REQUEST || p->recognised || p->messages > 0)
		return 0;
	while (k < n && k <= MAX_STRAY && !is_tchar((unsigned char)b[k]))
		k++;
	if (k == 0 || k > MAX_STRAY)
		return 0;
	if (k == n)
		return -1;
	/* the LF search resumes where the one at offset 0 stopped */
	sc = p->scanned > k ? p->scanned - (uint32_t)k : 0;
	switch (begins_message(p->kind, b + k, n - k, &sc, &m, &next)) {
	case YES:
		return (long)k;
	case MAYBE:
		return -1;
	case NO:
		break;
	}
	return 0;
}

/* The end of a head whose start line ends before b + *scanned: the offset
 * just past the empty line that ends its header block, or 0 when that is
 * not within len bytes (nor within HTTP1_MAX_HEAD). The search resumes at
 * *scanned and leaves it where it stopped. */
static size_t
head_end(const char *b, size_t len, uint32_t *scanned)
{
	size_t upto = len < HTTP1_MAX_HEAD ? len : HTTP1_MAX_HEAD, i = *scanned;
	const char *lf;

	while (i < upto && (lf = memchr(b + i, '\n', upto - i)) != NULL) {
		i = (size_t)(lf - b);
		/* an empty line: this LF follows LF, or LF CR */
		if (i >= 2 && (b[i - 1] == '\n' ||
		    (b[i - 1] == '\r' && b[i - 2] == '\n')))
			return i + 1;
		i++;
	}
	*scanned = (uint32_t)upto;
	return 0;
}

/* START_LINE: a whole head, or nothing. A head that comes whole is parsed
 * in one pass; one that does not is searched only where the last call
 * stopped (p->scanned, from the message's first byte), then parsed once,
 * when whole: linear whatever the split. */
static size_t
feed_head(struct http1_parser *p, const char *buf, size_t len)
{
	struct http1_message head, *m = &head;
	size_t pos = 0, end, first = 0, n;
	enum http1_body decided = HTTP1_BODY_DEFAULT;
	unsigned bad = 0;
	int parsed = 0, st;
	const char *b;
	long line, stray;
	enum verdict h2;

	/* RFC 9112 2.2: ignore empty lines before a message */
	while (pos < len && !p->begun && (buf[pos] == '\r' || buf[pos] == '\n'))
		pos++;
	if (pos == len)
		return pos;
	if (!p->begun) {
		p->begun = 1;
		if (p->cb->on_begin != NULL)
			p->cb->on_begin(p->ctx);
	}
	b = buf + pos;
	n = len - pos;
	if (!p->line_ok) {
		memset(m, 0, offsetof(struct http1_message, known));
		m->kind = p->kind;
		switch (p->scanned == 0 && start_line_whole(p->kind, b, n, m,
		    &first) == 0 ? YES :
		    begins_message(p->kind, b, n, &p->scanned, m, &first)) {
		case NO:
			if (p->kind == HTTP1_RESPONSE &&
			    (h2 = h2_frame(b, n)) != NO) {
				if (h2 == YES)
					fail(p, HTTP1_ERR_HTTP2);
				return pos;     /* MAYBE: need more */
			}
			stray = stray_before(p, b, n);
			if (stray < 0)
				return pos;     /* need more */
			if (stray > 0) {        /* skipped: then the line */
				report(p, HTTP1_ERR_STRAY);
				p->scanned = p->scanned > (uint32_t)stray ?
				    p->scanned - (uint32_t)stray : 0;
				return pos + (size_t)stray;
			}
			fail(p, start_error(p->kind, b, n));
			return pos;
		case MAYBE:
			return pos;     /* need more */
		case YES:
			p->recognised = 1;
			p->line_ok = 1;
			parsed = 1;
			break;
		}
		end = scan_headers(b + first, n - first, m, &bad);
		if (end != 0)
			end += first;
		else    /* where head_end() goes on next time */
			p->scanned = (uint32_t)(n < HTTP1_MAX_HEAD ? n :
			    HTTP1_MAX_HEAD);
	} else {
		end = head_end(b, n, &p->scanned);
	}
	if (end == 0 || end > HTTP1_MAX_HEAD) {
		if (end > HTTP1_MAX_HEAD || n >= HTTP1_MAX_HEAD) {
			fail(p, HTTP1_ERR_HEAD_TOO_LARGE);
			return pos + 1;
		}
		return pos;     /* need more */
	}
	p->line_ok = 0;
	p->scanned = 0;
	if (!parsed) {          /* checked by an earlier call: the same bytes */
		memset(m, 0, offsetof(struct http1_message, known));
		m->kind = p->kind;
		line = line_end(b, end, &first);
		if (line < 0 || parse_start_line(p->kind, b, (size_t)line,
		    m) != 0) {
			fail(p, HTTP1_ERR_START_LINE);  /* they were not */
			return pos;
		}
		scan_split(b + first, end - first, m, &bad);
	}
	m->head_len = end;
	/* reported once the head is whole, so never twice for one head */
	if (bad & (1u << HTTP1_ERR_HEADER))
		report(p, HTTP1_ERR_HEADER);
	p->body_bytes = 0;
	if (p->cb->on_head != NULL)
		decided = p->cb->on_head(p->ctx, m);
	st = body_state(m, decided, p);
	pos += end;
	if (st < 0) {
		report(p, HTTP1_ERR_CONTENT_LENGTH);
		message_end(p);
		return pos;
	}
	if (st == HTTP1_TUNNEL || st == HTTP1_CONNECT_PROBE) {
		p->messages++;
		p->begun = 0;   /* a message inside begins afresh */
		p->state = (enum http1_state)st;
		return pos;
	}
	if (st == HTTP1_START_LINE || st == HTTP1_INTERIM_BODY)
		message_end(p);
	if (st != HTTP1_START_LINE)
		p->state = (enum http1_state)st;
	return pos;
}

/* INTERIM_BODY: a status line next means the 1xx really had no body;
 * anything else is the body it declared, skipped. */
static size_t
feed_interim_body(struct http1_parser *p, const char *buf, size_t len)
{
	struct http1_message m;
	size_t next;

	switch (begins_message(HTTP1_RESPONSE, buf, len, &p->scanned, &m,
	    &next)) {
	case YES:
		p->state = HTTP1_START_LINE;
		p->interim_chunked = 0;
		break;
	case NO:
		p->state = p->interim_chunked ? HTTP1_BODY_CHUNK_SIZE :
		    HTTP1_SKIP_BODY;
		break;
	case MAYBE:
		break;          /* need more */
	}
	return 0;
}

/* CONNECT_PROBE: a start line next means HTTP inside the tunnel (RFC 9110
 * 9.3.6 lets the client send any protocol); anything else is opaque. */
static size_t
feed_connect_probe(struct http1_parser *p, const char *buf, size_t len)
{
	struct http1_message m;
	size_t next;

	switch (begins_message(p->kind, buf, len, &p->scanned, &m, &next)) {
	case YES:
		p->state = HTTP1_START_LINE;
		break;
	case NO:
		p->state = HTTP1_TUNNEL;
		break;
	case MAYBE:
		break;          /* need more */
	}
	return 0;
}

/* BODY_CHUNK_SIZE: chunk-size [ chunk-ext ] CRLF (RFC 9112 7.1) */
static size_t
feed_chunk_size(struct http1_parser *p, const char *buf, size_t len)
{
	size_t next, i = 0;
	long n = line_from(buf, len, HTTP1_MAX_LINE, &p->scanned, &next);
	uint64_t size = 0;

	if (n < 0) {
		if (len >= HTTP1_MAX_LINE) {
			fail(p, HTTP1_ERR_CHUNK);
			return 0;
		}
		return 0;
	}
	while (i < (size_t)n && i < 16) {
		unsigned char c = lower((unsigned char)buf[i]);
		if (is_digit(c))
			size = size * 16 + (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			size = size * 16 + (uint64_t)(c - 'a' + 10);
		else
			break;
		i++;
	}
	if (i == 0 || (i < (size_t)n && buf[i] != ';' && buf[i] != ' ' &&
	    buf[i] != '\t')) {
		fail(p, HTTP1_ERR_CHUNK);
		return 0;
	}
	p->body_left = size;
	p->state = size == 0 ? HTTP1_BODY_TRAILERS : HTTP1_BODY_CHUNK_DATA;
	return next;
}

/* BODY_CHUNK_CRLF: the line end after chunk-data */
static size_t
feed_chunk_crlf(struct http1_parser *p, const char *buf, size_t len)
{
	if (buf[0] == '\n') {
		p->state = HTTP1_BODY_CHUNK_SIZE;
		return 1;
	}
	if (buf[0] != '\r') {
		fail(p, HTTP1_ERR_CHUNK);
		return 0;
	}
	if (len < 2)
		return 0;
	if (buf[1] != '\n') {
		fail(p, HTTP1_ERR_CHUNK);
		return 0;
	}
	p->state = HTTP1_BODY_CHUNK_SIZE;
	return 2;
}

/* BODY_TRAILERS: field lines up to an empty line, one line at a time,
 * each within HTTP1_MAX_HEAD */
static size_t
feed_trailers(struct http1_parser *p, const char *buf, size_t len)
{
	size_t next;
	long n = line_from(buf, len, HTTP1_MAX_HEAD, &p->scanned, &next);

	if (n < 0) {
		if (len >= HTTP1_MAX_HEAD)
			fail(p, HTTP1_ERR_HEAD_TOO_LARGE);
		return 0;
	}
	p->scanned = 0;         /* the next line */
	if (n == 0 && p->interim_chunked) {    /* a 1xx's body: skipped */
		p->interim_chunked = 0;
		p->state = HTTP1_START_LINE;
	} else if (n == 0) {
		message_end(p);
	}
	return next;
}

/* RESYNC: skip to the next line that begins a message. */
static size_t
feed_resync(struct http1_parser *p, const char *buf, size_t len)
{
	struct http1_message m;
	size_t pos = 0, next;

	for (;;) {
		const char *lf;
		enum verdict v;

		if (p->line_start) {
			v = begins_message(p->kind, buf + pos, len - pos,
			    &p->scanned, &m, &next);
			if (v == YES)
				p->state = HTTP1_START_LINE;
			if (v != NO)
				return pos;     /* MAYBE: look again with more */
			p->scanned = 0;
		}
		lf = memchr(buf + pos, '\n', len - pos);
		p->line_start = lf != NULL;
		if (lf == NULL || (size_t)(lf - buf) + 1 == len)
			return len;
		pos = (size_t)(lf - buf) + 1;
	}
}

static size_t
take_body(struct http1_parser *p, size_t len)
{
	size_t n = p->body_left < len ? (size_t)p->body_left : len;

	p->body_left -= n;
	return n;
}

size_t
http1_feed(struct http1_parser *p, const char *buf, size_t len)
{
	size_t pos = 0;

	if (p->scanned > len) {         /* bytes went missing: search again */
		p->scanned = 0;
		p->line_ok = 0;
	}
	while (pos < len) {
		enum http1_state before = p->state;
		size_t used = 0;

		switch (p->state) {
		case HTTP1_START_LINE:
			used = feed_head(p, buf + pos, len - pos);
			break;
		case HTTP1_BODY_LENGTH:
			used = take_body(p, len - pos);
			p->body_bytes += used;
			if (p->body_left == 0)
				message_end(p);
			break;
		case HTTP1_BODY_CHUNK_SIZE:
			used = feed_chunk_size(p, buf + pos, len - pos);
			break;
		case HTTP1_BODY_CHUNK_DATA:
			used = take_body(p, len - pos);
			if (!p->interim_chunked)
				p->body_bytes += used;
			if (p->body_left == 0)
				p->state = HTTP1_BODY_CHUNK_CRLF;
			break;
		case HTTP1_BODY_CHUNK_CRLF:
			used = feed_chunk_crlf(p, buf + pos, len - pos);
			break;
		case HTTP1_BODY_TRAILERS:
			used = feed_trailers(p, buf + pos, len - pos);
			break;
		case HTTP1_BODY_CLOSE:
			used = len - pos;
			p->body_bytes += used;
			break;
		case HTTP1_INTERIM_BODY:
			used = feed_interim_body(p, buf + pos, len - pos);
			break;
		case HTTP1_SKIP_BODY:
			used = take_body(p, len - pos);
			if (p->body_left == 0)
				p->state = HTTP1_START_LINE;
			break;
		case HTTP1_TUNNEL:
			used = len - pos;
			p->tunnel_bytes += used;
			break;
		case HTTP1_RESYNC:
			used = feed_resync(p, buf + pos, len - pos);
			break;
		case HTTP1_CONNECT_PROBE:
			used = feed_connect_probe(p, buf + pos, len - pos);
			break;
		case HTTP1_NOT_HTTP:
			used = len - pos;
			/* where http1_expect_http() would resynchronise */
			p->line_start = buf[len - 1] == '\n';
			break;
		}
		pos += used;
		if (p->state != before) {       /* searches start afresh */
			p->scanned = 0;
			p->line_ok = 0;
		}
		if (used == 0 && p->state == before)
			break;  /* need more bytes */
	}
	return pos;
}

void
http1_finish(struct http1_parser *p, size_t unconsumed)
{
	switch (p->state) {
	case HTTP1_BODY_CLOSE:
		message_end(p);
		break;
	case HTTP1_START_LINE:
		if (p->begun && unconsumed > 0)
			report(p, HTTP1_ERR_TRUNCATED);
		break;
	case HTTP1_BODY_CHUNK_SIZE:
	case HTTP1_BODY_CHUNK_DATA:
	case HTTP1_BODY_CHUNK_CRLF:
	case HTTP1_BODY_TRAILERS:
		if (p->interim_chunked)
			break;  /* a 1xx's body, skipped like SKIP_BODY's */
		/* FALLTHROUGH */
	case HTTP1_BODY_LENGTH:
		report(p, HTTP1_ERR_TRUNCATED);
		break;
	case HTTP1_INTERIM_BODY:
	case HTTP1_SKIP_BODY:
	case HTTP1_TUNNEL:
	case HTTP1_CONNECT_PROBE:
	case HTTP1_RESYNC:
	case HTTP1_NOT_HTTP:
		break;
	}
	p->begun = 0;
}

int
http1_body_pending(const struct http1_parser *p)
{
	return p->body_bytes == 0 && (p->state == HTTP1_BODY_LENGTH ||
	    p->state == HTTP1_BODY_CHUNK_SIZE);
}

void
http1_withheld(struct http1_parser *p)
{
	if (http1_body_pending(p)) {
		p->state = HTTP1_START_LINE;
		p->begun = 0;
		p->scanned = 0;
		p->line_ok = 0;
	}
}

void
http1_abandon(struct http1_parser *p)
{
	/* a head, or a chunk-size or trailer line: framing is lost; a
	 * tunnel's first bytes too long for a start line are opaque */
	if (p->state == HTTP1_CONNECT_PROBE)
		p->state = HTTP1_TUNNEL;
	else if (p->state != HTTP1_NOT_HTTP && p->state != HTTP1_TUNNEL &&
	    p->state != HTTP1_RESYNC)
		fail(p, HTTP1_ERR_ABANDONED);
	p->scanned = 0;         /* the bytes searched are gone */
	p->line_ok = 0;
}

void
http1_gap(struct http1_parser *p, uint64_t n)
{
	switch (p->state) {
	case HTTP1_BODY_LENGTH:
	case HTTP1_BODY_CHUNK_DATA:
	case HTTP1_SKIP_BODY:
		/* the body was sent, though the capture lost it */
		if (p->state != HTTP1_SKIP_BODY && !p->interim_chunked)
			p->body_bytes += p->body_left < n ? p->body_left : n;
		if (p->body_left > n) {
			p->body_left -= n;
			return;
		}
		if (p->state == HTTP1_BODY_LENGTH && p->body_left == n) {
			p->body_left = 0;
			message_end(p);
			return;
		}
		if (p->state == HTTP1_BODY_LENGTH)
			message_end(p);         /* and the next began in the gap */
		break;
	case HTTP1_BODY_CLOSE:
		p->body_bytes += n;
		return;
	case HTTP1_TUNNEL:
	case HTTP1_NOT_HTTP:
		return;
	default:
		break;
	}
	p->state = p->recognised ? HTTP1_RESYNC : HTTP1_NOT_HTTP;
	p->begun = 0;
	p->interim_chunked = 0;
	p->line_start = 1;      /* a message may begin right after the gap */
	p->scanned = 0;
	p->line_ok = 0;
}

void
http1_expect_http(struct http1_parser *p)
{
	enum http1_error e = (enum http1_error)p->doubt;

	p->recognised = 1;
	if (p->state != HTTP1_NOT_HTTP || e == HTTP1_ERR_NONE)
		return;
	p->doubt = 0;
	p->state = HTTP1_RESYNC;        /* line_start: kept by NOT_HTTP */
	p->scanned = 0;
	if (e != HTTP1_ERR_HTTP2)       /* already named */
		report(p, e);
}

void
http1_set_connect(struct http1_parser *p)
{
	p->state = HTTP1_CONNECT_PROBE;
	p->scanned = 0;
	p->line_ok = 0;
}

void
http1_set_tunnel(struct http1_parser *p)
{
	p->state = HTTP1_TUNNEL;
	p->scanned = 0;
	p->line_ok = 0;
}

void
http1_init(struct http1_parser *p, enum http1_kind kind,
    const struct http1_callbacks *cb, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->state = HTTP1_START_LINE;
	p->cb = cb;
	p->ctx = ctx;
}
