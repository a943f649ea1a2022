/* test_format.c: times as the outputs print them, before 1970 too: whole
 * seconds round down, so the fraction is never negative ("10:13:41.-737"
 * was C's / and % rounding toward zero). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"

static int passed, failed;

static void
expect(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) == 0) {
		passed++;
	} else {
		failed++;
		printf("FAIL: %s: got '%s', want '%s'\n", what, got, want);
	}
}

int
main(void)
{
	char buf[64];

	setenv("TZ", "UTC", 1);
	tzset();
	format_iso(buf, sizeof(buf), -1);
	expect("iso, 1 us before 1970", buf, "1969-12-31T23:59:59.999999Z");
	format_iso(buf, sizeof(buf), -USEC);
	expect("iso, 1 s before 1970", buf, "1969-12-31T23:59:59.000000Z");
	/* the 1919 of a pcap magic taken for a time (0xa1b2c3d4 signed) */
	format_iso(buf, sizeof(buf), -1582119980LL * USEC - 737000);
	expect("iso, 1919", buf, "1919-11-13T10:13:39.263000Z");
	format_clock(buf, sizeof(buf), -1500000);
	expect("clock, 1.5 s before 1970", buf, "23:59:58.500");
	format_date_clock(buf, sizeof(buf), -1);
	expect("date and clock, 1 us before 1970", buf,
	    "1969-12-31 23:59:59.999");
	format_clock(buf, sizeof(buf), 1500000);
	expect("clock, after 1970", buf, "00:00:01.500");
	format_iso(buf, sizeof(buf), 1764547200123456LL);
	expect("iso, 2025", buf, "2025-12-01T00:00:00.123456Z");
	expect("same day, either side of a midnight before 1970",
	    format_same_day(-1, 0) ? "same" : "two", "two");
	expect("same day, one second before 1970",
	    format_same_day(-USEC, -1) ? "same" : "two", "same");
	printf("test_format: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
