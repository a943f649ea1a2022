/* v6map.h: IPv6 addresses lent private IPv4 addresses, and given back.
 *
 * libnids follows IPv4 only. Each IPv6 address seen is lent an address of
 * 240.0.0.0/4 (reserved, RFC 1112 4; no host sends from it) for as long as
 * a stream may use it: while a flow holds it, and while packets keep
 * coming for it (a handshake, a connection not followed), until it has
 * been idle for the linger time. An address given back is lent again only
 * once every address never lent has been, and then the one given back
 * longest ago first, so that a stream libnids still keeps for an address
 * (a SYN never answered) meets another host's connection as late as
 * possible.
 *
 * Every operation is O(1) (amortised, for expiry). The table is bounded:
 * when it is full and no address is idle, lending fails and is counted.
 */
#ifndef INTERIM_V6MAP_H
#define INTERIM_V6MAP_H

#include <stdint.h>

#define V6MAP_MAX    262144             /* addresses lent at once */
#define V6MAP_SPACE  ((1U << 28) - 2)   /* 240.0.0.1 to 255.255.255.254 */

struct v6map;

struct v6map_counts {
	uint64_t in_use;        /* addresses lent now */
	uint64_t peak;          /* most lent at once */
	uint64_t full;          /* lendings refused: table full, none idle */
	uint64_t evicted;       /* idle ones taken back before their time */
};

/* A table of at most max addresses, lent from the first space addresses
 * of 240.0.0.0/4 after 240.0.0.0 (space <= V6MAP_SPACE); an address not
 * held is given back after linger microseconds without use. NULL when out
 * of memory. */
struct v6map *v6map_new(uint32_t max, uint32_t space, int64_t linger);

void v6map_free(struct v6map *m);

/* The IPv4 address (network order, a4[4]) lent to the IPv6 address a6,
 * lent now if it has none, used at ts. Returns 0, or -1 when the table is
 * full. */
int v6map_lend(struct v6map *m, const uint8_t a6[16], int64_t ts,
    uint8_t a4[4]);

/* Is a4 in 240.0.0.0/4, the range addresses are lent from? */
int v6map_lent_range(const uint8_t a4[4]);

/* The IPv6 address that a4 stands for, or NULL if a4 is not lent. */
const uint8_t *v6map_find(const struct v6map *m, const uint8_t a4[4]);

/* The IPv4 address lent to a6, into a4: 0, or -1 if none. Lends nothing. */
int v6map_peek(const struct v6map *m, const uint8_t a6[16], uint8_t a4[4]);

/* A flow takes (hold) or lets go of (release, at ts) the address lent as
 * a4. Not lent: nothing happens. */
void v6map_hold(struct v6map *m, const uint8_t a4[4]);
void v6map_release(struct v6map *m, const uint8_t a4[4], int64_t ts);

/* Give back every address neither held nor used since now - linger. */
void v6map_expire(struct v6map *m, int64_t now);

const struct v6map_counts *v6map_counts(const struct v6map *m);

#endif
