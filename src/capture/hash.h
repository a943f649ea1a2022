/* hash.h: a keyed hash for the tables that packets fill.
 *
 * An attacker who knows a table's hash can send keys that all land in
 * one bucket and turn every lookup into a walk of the whole table. Each
 * table takes a seed at random when it is made, so that where a key lands
 * cannot be known from outside. Not cryptographic: a multiply-xorshift
 * mix, whose result depends on the seed non-linearly. */
#ifndef INTERIM_HASH_H
#define INTERIM_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t
hash_seed(void)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
		s = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^
		    (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)&s;
	return s | 1;
}

static inline uint64_t
hash_mix(uint64_t h, uint32_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ h >> 32;
}

/* n bytes at p, 4 at a time (a tail of 1 to 3 zero-padded); n is a
 * small constant in every caller. A word is one load: a copy of a length
 * the compiler cannot see would go byte by byte. */
static inline uint32_t
hash_bytes(uint64_t seed, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = seed;
	uint32_t w;

	for (; n >= 4; b += 4, n -= 4) {
		memcpy(&w, b, 4);
		h = hash_mix(h, w);
	}
	if (n > 0) {
		w = 0;
		memcpy(&w, b, n);
		h = hash_mix(h, w);
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (uint32_t)h;
}

/* Two words built in registers (a 4-tuple packed as two endpoints),
 * mixed as hash_bytes() mixes its words, 64 bits at a time. */
static inline uint32_t
hash_pair(uint64_t seed, uint64_t a, uint64_t b)
{
	uint64_t h = (seed ^ a) * 0x9e3779b97f4a7c15ULL;

	h ^= h >> 32;
	h = (h ^ b) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (uint32_t)h;
}

#endif
