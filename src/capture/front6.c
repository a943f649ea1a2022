/* front6.c: IPv6 packets made into IPv4 ones that libnids can follow.
 *
 * The extension headers a host passes over on its way to TCP are
 * skipped; a fragment is counted, not reassembled. Each address is lent
 * a private IPv4 address (v6map.c), and the TCP segment is handed on as
 * is behind a new IPv4 header, through front_ipv4(), so that every check
 * and trick for IPv4 applies. The outputs see the IPv6 addresses again:
 * reassembly and the TCP watch turn their keys back (front_unmap_key).
 *
 * An address is held by each flow that uses it, and stays lent while
 * packets keep coming for it (a handshake, a connection not followed),
 * until FRONT6_LINGER of packet time without one.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bytes.h"
#include "front.h"
#include "rules.h"
#include "v6map.h"

#define FRONT6_LINGER (120 * USEC)      /* above --syn-timeout's 19 s
					 * and the SYN retries around it */
#define IP4_MAX 65535

#define NH_TCP 6
#define NH_FRAGMENT 44

/* RFC 8200 4: the headers passed over, and how their length is given:
 * (len field + add) * unit bytes. */
static const struct {
	int nh;
	unsigned add, unit;
} skipped[] = {
	{0, 1, 8},      /* hop-by-hop options (first only, RFC 8200 4.1) */
	{43, 1, 8},     /* routing */
	{60, 1, 8},     /* destination options */
	{51, 2, 4},     /* authentication header, RFC 4302 2.2 */
	{-1, 0, 0}
};

static struct v6map *map;       /* made on the first IPv6 packet */
static uint8_t *packet;         /* the rewritten packet, IP4_MAX bytes */

static int
skip_index(int nh)
{
	for (int i = 0; skipped[i].nh >= 0; i++)
		if (skipped[i].nh == nh)
			return i;
	return -1;
}

enum walk {
	WALK_TCP,
	WALK_OTHER,             /* not TCP: counted as other IP */
	WALK_FRAGMENT,
	WALK_CUT,               /* headers past what was captured */
	WALK_BAD                /* headers past the payload, or misplaced */
};

/* Find TCP behind the extension headers: *off is where it starts. end is
 * where the payload length says the packet ends, cap what was captured
 * of it. */
static enum walk
walk(const uint8_t *ip, size_t end, size_t cap, size_t *off)
{
	int nh = ip[6], k;
	size_t at = 40, len;

	while (nh != NH_TCP) {
		if (nh == NH_FRAGMENT)
			return WALK_FRAGMENT;
		if ((k = skip_index(nh)) < 0)
			return WALK_OTHER;
		if (nh == 0 && at != 40)
			return WALK_BAD;
		if (at + 2 > end)
			return WALK_BAD;
		if (at + 2 > cap)
			return WALK_CUT;
		len = ((size_t)ip[at + 1] + skipped[k].add) * skipped[k].unit;
		if (at + len > end)
			return WALK_BAD;
		if (at + len > cap)
			return WALK_CUT;
		nh = ip[at];
		at += len;
	}
	*off = at;
	return WALK_TCP;
}

static int
map_ready(struct stats *st)
{
	if (map != NULL)
		return 0;
	map = v6map_new(V6MAP_MAX, V6MAP_SPACE, FRONT6_LINGER);
	packet = malloc(IP4_MAX);
	if (map == NULL || packet == NULL) {
		front_ipv6_finish();
		st->v6map_full++;
		return -1;
	}
	return 0;
}

static void
map_counts(struct stats *st)
{
	const struct v6map_counts *c = v6map_counts(map);

	st->v6map_peak = c->peak;
	st->v6map_full = c->full;
	st->v6map_evicted = c->evicted;
}

void
front_ipv6(struct analysis *an, struct tcpwatch *w, const uint8_t *ip,
    size_t caplen, int64_t ts)
{
	struct stats *st = an->st;
	size_t end, cap, off = 0, seg;
	uint8_t *p;

	if (caplen < 40 || ip[0] >> 4 != 6) {
		st->front_dropped[DROP_V6_HEADER]++;
		return;
	}
	/* RFC 2675: a jumbogram says 0 here; nor can IPv4 carry more */
	if ((end = 40 + be16(ip + 4)) == 40) {
		st->front_dropped[DROP_V6_LENGTH]++;
		return;
	}
	cap = caplen < end ? caplen : end;
	switch (walk(ip, end, cap, &off)) {
	case WALK_OTHER:
		st->other_ip++;
		return;
	case WALK_FRAGMENT:
		st->ipv6_fragments++;
		return;
	case WALK_CUT:
		return;         /* counted as cut by the snaplen */
	case WALK_BAD:
		st->front_dropped[DROP_V6_HEADER]++;
		return;
	case WALK_TCP:
		break;
	}
	st->ipv6_tcp++;
	if (20 + (seg = end - off) > IP4_MAX) {
		st->front_dropped[DROP_V6_LENGTH]++;
		return;
	}
	if (map_ready(st) != 0)
		return;
	p = packet;
	v6map_expire(map, ts);
	if (v6map_lend(map, ip + 8, ts, p + 12) != 0 ||
	    v6map_lend(map, ip + 24, ts, p + 16) != 0) {
		map_counts(st);
		return;
	}
	map_counts(st);
	p[0] = 0x45;
	p[1] = (uint8_t)((ip[0] & 15) << 4 | ip[1] >> 4);  /* traffic class */
	p[2] = (uint8_t)((20 + seg) >> 8);
	p[3] = (uint8_t)(20 + seg);
	memset(p + 4, 0, 4);            /* no ID, not a fragment */
	p[8] = ip[7];                   /* hop limit */
	p[9] = NH_TCP;
	front_ip_checksum(p, 20);
	memcpy(p + 20, ip + off, cap - off);
	front_ipv4(an, w, p, 20 + (cap - off), ts);
}

void
front_ipv4_wire(struct analysis *an, struct tcpwatch *w, const uint8_t *ip,
    size_t caplen, int64_t ts)
{
	/* v6map_lent_range(), inline: every IPv4 packet asks */
	if (caplen >= 20 && (ip[12] >= 240 || ip[16] >= 240)) {
		an->st->front_dropped[DROP_IP_RESERVED]++;
		return;
	}
	front_ipv4(an, w, ip, caplen, ts);
}

static void
unmap_addr(struct addr *a)
{
	const uint8_t *a6;

	if (map == NULL || a->family != AF_INET ||
	    (a6 = v6map_find(map, a->bytes)) == NULL)
		return;
	a->family = AF_INET6;
	memcpy(a->bytes, a6, 16);
}

void
front_unmap_key(struct flow_key *k)
{
	unmap_addr(&k->client);
	unmap_addr(&k->server);
}

void
front_hold_key(const struct flow_key *k, int hold, int64_t ts)
{
	const struct addr *a[2] = {&k->client, &k->server};

	if (map == NULL)
		return;
	for (int i = 0; i < 2; i++) {
		if (a[i]->family != AF_INET)
			continue;
		if (hold)
			v6map_hold(map, a[i]->bytes);
		else
			v6map_release(map, a[i]->bytes, ts);
	}
}

void
front_ipv6_finish(void)
{
	v6map_free(map);
	map = NULL;
	free(packet);
	packet = NULL;
}
