/* decap.h: link layers off, IP packet out. */
#ifndef INTERIM_DECAP_H
#define INTERIM_DECAP_H

#include <stddef.h>
#include <stdint.h>

enum decap_result {
	DECAP_IPV4,
	DECAP_IPV6,
	DECAP_NOT_IP,           /* a valid frame carrying something else */
	DECAP_BAD               /* cut short, or a link type we do not know */
};

/* Find the IP packet in a frame of link type dlt (a DLT_* value).
 * On DECAP_IPV4/6, *ip and *len describe it within frame. */
enum decap_result decap(int dlt, const uint8_t *frame, size_t caplen,
    const uint8_t **ip, size_t *len);

/* Is the link type one decap() knows? */
int decap_supported(int dlt);

#endif
