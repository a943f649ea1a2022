/* format.c: times, addresses and strings as the outputs print them. */
#include <arpa/inet.h>
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

void
format_clock(char *buf, size_t size, int64_t ts)
{
	time_t sec = (time_t)(ts / USEC);
	struct tm tm;
	char hms[16];

	localtime_r(&sec, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03ld", hms, (long)(ts % USEC / 1000));
}

void
format_addr(char *buf, size_t size, const struct addr *a)
{
	if (inet_ntop(a->family, a->bytes, buf, (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
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

void
json_string(FILE *out, const char *s)
{
	putc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(out, "\\u%04x", *p);  /* bytes, not UTF-8 */
		else
			putc(*p, out);
	}
	putc('"', out);
}
