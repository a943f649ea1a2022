/* format.h: small text helpers shared by the outputs. */
#ifndef INTERIM_FORMAT_H
#define INTERIM_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

/* "2026-01-01T00:00:00.123456Z" */
void format_iso(char *buf, size_t size, int64_t ts);

/* "12:00:01.204" in local time (the TZ variable applies, as in tcpdump) */
void format_clock(char *buf, size_t size, int64_t ts);

/* "2026-11-24 12:00:01.204" in local time */
void format_date_clock(char *buf, size_t size, int64_t ts);

/* Do two times fall on one local calendar day? */
int format_same_day(int64_t a, int64_t b);

/* "2026-11-24" in local time */
void format_date(char *buf, size_t size, int64_t ts);

/* The local time zone's name at ts: "UTC", "CET", "CEST" */
void format_zone(char *buf, size_t size, int64_t ts);

/* A duration in seconds in at most 5 characters, to 3 significant digits
 * or more: "0.004", "12.35", "105.0", "7200", "27.8h" */
void format_secs(char *buf, size_t size, int64_t us);

/* "127.0.0.1" or "::1"; returns its length */
size_t format_addr(char *buf, size_t size, const struct addr *a);

/* "127.0.0.1:8080" or "[::1]:8080" */
void format_endpoint(char *buf, size_t size, const struct addr *a,
    unsigned port);

/* "1.2 MB" */
void format_bytes(char *buf, size_t size, uint64_t n);

/* The length of the valid UTF-8 sequence at p (RFC 3629 section 4: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0. Reads no
 * further than the first byte that breaks it, so never past a NUL. */
size_t format_utf8_len(const unsigned char *p);

#endif
