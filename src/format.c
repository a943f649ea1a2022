/* format.c: times, addresses and strings as the outputs print them. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "format.h"

void
format_iso(char *buf, size_t size, int64_t ts)
{
	time_t sec = (time_t)(ts / USEC);
	struct tm tm;
	char day[32];

	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06ldZ", day, (long)(ts % USEC));
}

/* local time as fmt (strftime), then milliseconds */
static void
local_ms(char *buf, size_t size, int64_t ts, const char *fmt)
{
	time_t sec = (time_t)(ts / USEC);
	struct tm tm;
	char whole[32];

	localtime_r(&sec, &tm);
	strftime(whole, sizeof(whole), fmt, &tm);
	snprintf(buf, size, "%s.%03ld", whole, (long)(ts % USEC / 1000));
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
	time_t sa = (time_t)(a / USEC), sb = (time_t)(b / USEC);
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
	char ip[INET6_ADDRSTRLEN];

	format_addr(ip, sizeof(ip), a);
	if (a->family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", ip, port);
	else
		snprintf(buf, size, "%s:%u", ip, port);
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
