/* format.c: times, addresses and strings as the outputs print them. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "format.h"

/* Whole seconds rounded down and the microseconds past them, never
 * negative: C's / and % round toward zero, which before 1970 gave
 * "10:13:41.-737". */
static time_t
split_us(int64_t ts, long *frac)
{
	int64_t sec = ts / USEC, us = ts % USEC;

	if (us < 0) {
		us += USEC;
		sec--;
	}
	*frac = (long)us;
	return (time_t)sec;
}

void
format_iso(char *buf, size_t size, int64_t ts)
{
	long us;
	time_t sec = split_us(ts, &us);
	struct tm tm;
	char day[32];

	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06ldZ", day, us);
}

/* local time as fmt (strftime), then milliseconds. The whole seconds
 * of the last call are kept per format: a flood of violations asks for
 * the same second many times, and localtime_r() is costly. */
static void
local_ms(char *buf, size_t size, int64_t ts, const char *fmt)
{
	static struct {
		const char *fmt;
		time_t sec;
		char whole[32];
	} last[2];
	long us;
	time_t sec = split_us(ts, &us);
	int i = last[0].fmt == fmt || last[0].fmt == NULL ? 0 : 1;
	struct tm tm;

	if (last[i].fmt != fmt || last[i].sec != sec) {
		localtime_r(&sec, &tm);
		strftime(last[i].whole, sizeof(last[i].whole), fmt, &tm);
		last[i].fmt = fmt;
		last[i].sec = sec;
	}
	snprintf(buf, size, "%s.%03ld", last[i].whole, us / 1000);
}

void
format_clock(char *buf, size_t size, int64_t ts)
{
	local_ms(buf, size, ts, "%H:%M:%S");
}

void
format_date_clock(char *buf, size_t size, int64_t ts)
{
	local_ms(buf, size, ts, "%Y-%m-%d %H:%M:%S");
}

int
format_same_day(int64_t a, int64_t b)
{
	long us;
	time_t sa = split_us(a, &us), sb = split_us(b, &us);
	struct tm ta, tb;

	localtime_r(&sa, &ta);
	localtime_r(&sb, &tb);
	return ta.tm_year == tb.tm_year && ta.tm_yday == tb.tm_yday;
}

size_t
format_addr(char *buf, size_t size, const struct addr *a)
{
	char v4[16], *p = v4;
	size_t n;

	if (size == 0)
		return 0;
	if (a->family != AF_INET) {
		if (inet_ntop(a->family, a->bytes, buf, (socklen_t)size) == NULL)
			snprintf(buf, size, "?");
		return strlen(buf);
	}
	/* by hand: inet_ntop formats IPv4 with sprintf, a cost per event */
	for (int i = 0; i < 4; i++) {
		unsigned b = a->bytes[i];

		if (b >= 100)
			*p++ = (char)('0' + b / 100);
		if (b >= 10)
			*p++ = (char)('0' + b / 10 % 10);
		*p++ = (char)('0' + b % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
	n = (size_t)(p - v4) < size ? (size_t)(p - v4) : size;
	memcpy(buf, v4, n);
	buf[n - 1] = '\0';
	return n - 1;
}

void
format_endpoint(char *buf, size_t size, const struct addr *a, unsigned port)
{
	char out[INET6_ADDRSTRLEN + 10], *p = out, digits[6];
	int n = 0;

	/* by hand, as format_addr(): a flood prints it for every SYN */
	if (a->family == AF_INET6)
		*p++ = '[';
	p += format_addr(p, INET6_ADDRSTRLEN, a);
	if (a->family == AF_INET6)
		*p++ = ']';
	*p++ = ':';
	do {
		digits[n++] = (char)('0' + port % 10);
		port /= 10;
	} while (port != 0 && n < 5);
	while (n > 0)
		*p++ = digits[--n];
	*p = '\0';
	snprintf(buf, size, "%s", out);
}

void
format_bytes(char *buf, size_t size, uint64_t n)
{
	static const char *unit[] = {"B", "KB", "MB", "GB", "TB"};
	double v = (double)n;
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%llu B", (unsigned long long)n);
	else
		snprintf(buf, size, "%.1f %s", v, unit[u]);
}

/* one strftime of the local time at ts, without the cache of local_ms():
 * these are asked for once per report line, not per event */
static void
local_fmt(char *buf, size_t size, int64_t ts, const char *fmt)
{
	time_t sec = (time_t)(ts / USEC);
	struct tm tm;

	if (size == 0)
		return;
	if (ts < 0 && ts % USEC != 0)
		sec--;                  /* the second it falls in */
	localtime_r(&sec, &tm);
	if (strftime(buf, size, fmt, &tm) == 0)
		buf[0] = '\0';
}

void
format_date(char *buf, size_t size, int64_t ts)
{
	local_fmt(buf, size, ts, "%Y-%m-%d");
}

void
format_zone(char *buf, size_t size, int64_t ts)
{
	local_fmt(buf, size, ts, "%Z");
}

void
format_secs(char *buf, size_t size, int64_t us)
{
	double s = (double)(us < 0 ? 0 : us) / USEC;

	if (s < 9.9995)
		snprintf(buf, size, "%.3f", s);
	else if (s < 99.995)
		snprintf(buf, size, "%.2f", s);
	else if (s < 999.95)
		snprintf(buf, size, "%.1f", s);
	else if (s < 99999.5)
		snprintf(buf, size, "%.0f", s);
	else if (s < 999.95 * 3600)
		snprintf(buf, size, "%.1fh", s / 3600);
	else
		snprintf(buf, size, "%.0fd", s / 86400);
}

/* The length of the valid UTF-8 sequence at p (RFC 3629 section 4: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0. Reads no
 * further than the first byte that breaks it, so never past a NUL. */
size_t
format_utf8_len(const unsigned char *p)
{
	unsigned lo = 0x80, hi = 0xbf;  /* range of the second byte */
	size_t n;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}
