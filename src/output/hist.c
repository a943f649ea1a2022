/* hist.c: the log-scale histogram behind the server table's quantiles. */
#include "hist.h"

/* The bucket of v >= 0: v itself below HIST_SUB; else its top bit e picks
 * the doubling and the HIST_SUB-sized step below it the bucket. */
static unsigned
bucket_of(uint64_t v)
{
	unsigned e = 63 - (unsigned)__builtin_clzll(v | 1);
	unsigned b;

	if (v < HIST_SUB)
		return (unsigned)v;
	b = HIST_SUB + (e - 4) * HIST_SUB + (unsigned)(v >> (e - 4)) -
	    HIST_SUB;
	return b < HIST_BUCKETS ? b : HIST_BUCKETS - 1;
}

/* The middle of bucket b, the value it stands for. */
static int64_t
middle_of(unsigned b)
{
	unsigned e, sub;
	uint64_t low, width;

	if (b < HIST_SUB)
		return (int64_t)b;
	e = (b - HIST_SUB) / HIST_SUB + 4;
	sub = (b - HIST_SUB) % HIST_SUB;
	width = 1ULL << (e - 4);
	low = (uint64_t)(HIST_SUB + sub) << (e - 4);
	return (int64_t)(low + width / 2);
}

void
hist_add(struct hist *h, int64_t v)
{
	if (v < 0)
		v = 0;
	if (h->n == 0 || v < h->min)
		h->min = v;
	if (h->n == 0 || v > h->max)
		h->max = v;
	h->n++;
	h->bucket[bucket_of((uint64_t)v)]++;
}

int64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;
	int64_t v;

	if (h->n == 0)
		return 0;
	if (q >= 1)
		return h->max;
	rank = (uint64_t)(q * (double)h->n);
	if ((double)rank < q * (double)h->n || rank == 0)
		rank++;                 /* nearest rank: ceil(q n), at least 1 */
	for (unsigned b = 0; b < HIST_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank) {
			v = middle_of(b);
			return v < h->min ? h->min : v > h->max ? h->max : v;
		}
	}
	return h->max;
}
