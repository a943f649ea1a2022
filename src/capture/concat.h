/* concat.h: one byte stream holding captures one after another, as
 * `cat a.pcap b.pcap | interim -` makes, read by libpcap one at a time. */
#ifndef INTERIM_CONCAT_H
#define INTERIM_CONCAT_H

#include <stdio.h>

struct concat;

/* Reads fd (not closed here). NULL when out of memory. */
struct concat *concat_open(int fd);

/* A stream of the next capture for pcap_fopen_offline(): it ends where
 * a pcap file header or a pcapng Section Header Block stands where the
 * next packet record (or block) would begin. NULL when out of memory or
 * when the capture before did not end at such a header; call it only
 * after the stream before has been read to its end and closed. */
FILE *concat_next(struct concat *c);

/* Did the capture last handed out end at the header of another? */
int concat_more(const struct concat *c);

void concat_free(struct concat *c);

#endif
