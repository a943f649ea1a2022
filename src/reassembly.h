/* reassembly.h: TCP stream reassembly (libnids, fed by us) into flows. */
#ifndef INTERIM_REASSEMBLY_H
#define INTERIM_REASSEMBLY_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

#define REASSEMBLY_MAX_STREAMS 102000   /* concurrent TCP connections */

/* Set libnids up; ports is a bitmap of server ports to analyse (NULL: all).
 * Returns -1 and fills err on failure. */
int reassembly_init(struct analysis *an, const uint8_t *ports, char *err,
    size_t errlen);

/* One IPv4 packet (IP header first), caplen bytes of it captured. */
void reassembly_ipv4(const uint8_t *ip, size_t caplen, int64_t ts);

/* End of input: streams still open are finished and reported. */
void reassembly_finish(void);

#endif
