/* flowid.c: connection ids, unique within a run by construction.
 *
 * The n-th id of a run is P(salt + n), P a bijection of 53-bit numbers
 * (xor-shifts and odd multipliers modulo 2^53, each invertible): distinct
 * n give distinct ids, with no table of the ids in use, and consecutive
 * connections do not get consecutive ids. The salt comes from the run's
 * first connection (and, live, the start time and pid), so two runs
 * share an id only if their salts fall within N of each other: 2N
 * chances in 2^53 for runs of N connections.
 */
#include <stddef.h>

#include "flowid.h"

#define ID_MASK ((1ULL << 53) - 1)

static uint64_t
permute53(uint64_t x)
{
	x &= ID_MASK;
	x ^= x >> 27;
	x = (x * 0x9e3779b97f4a7c15ULL) & ID_MASK;
	x ^= x >> 31;
	x = (x * 0xbf58476d1ce4e5b9ULL) & ID_MASK;
	x ^= x >> 26;
	return x;
}

/* FNV-1a over the key and the time, then mixed: the run's salt */
static uint64_t
salt_of(const struct flow_key *k, int64_t ts, uint64_t entropy)
{
	uint64_t h = 1469598103934665603ULL;
	const uint8_t *parts[] = {k->client.bytes, k->server.bytes};
	uint64_t v[] = {k->client_port, k->server_port, (uint64_t)ts, entropy};

	for (int p = 0; p < 2; p++)
		for (int i = 0; i < 16; i++)
			h = (h ^ parts[p][i]) * 1099511628211ULL;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (int b = 0; b < 64; b += 8)
			h = (h ^ ((v[i] >> b) & 0xff)) * 1099511628211ULL;
	return permute53(h ^ (h >> 53));
}

void
flowid_seed(struct flowid *g, int64_t start_us, long pid)
{
	g->entropy = permute53((uint64_t)start_us) ^
	    ((uint64_t)pid * 0x94d049bb133111ebULL);
}

uint64_t
flowid_next(struct flowid *g, const struct flow_key *k, int64_t first_seen)
{
	uint64_t v;

	if (!g->salted) {
		g->salt = salt_of(k, first_seen, g->entropy);
		g->salted = 1;
	}
	/* 1 to 2^53 - 1, a different one for each of 2^53 - 1 ids; P maps
	 * only 0 to 0 */
	v = (g->salt + g->made++) % ID_MASK + 1;
	return permute53(v);
}
