/* bytes.h: big-endian fields of packet headers, read from bytes, and
 * the Internet checksum's sum over them. */
#ifndef INTERIM_BYTES_H
#define INTERIM_BYTES_H

#include <stddef.h>
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

/* RFC 1071: the 16-bit ones' complement sum of the n bytes at p (n a
 * multiple of 4), folded to 16 bits. An IPv4 header whose checksum is
 * right sums to 0xffff. */
static inline unsigned
sum16_folded(const uint8_t *p, size_t n)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i += 4)
		sum += be32(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (unsigned)sum;
}

#endif
