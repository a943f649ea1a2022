/* bytes.h: big-endian fields of packet headers, read from bytes. */
#ifndef INTERIM_BYTES_H
#define INTERIM_BYTES_H

#include <stdint.h>

static inline unsigned
be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static inline uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

#endif
