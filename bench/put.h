/* put.h: the byte writers the capture generators share. Network order for
 * the packets' headers, little-endian for the pcap file's own (its magic
 * says which order the file is in). */
#ifndef BENCH_PUT_H
#define BENCH_PUT_H

#include <stdint.h>

static inline void put16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static inline void put32(unsigned char *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static inline void le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

#endif
