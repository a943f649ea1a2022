/* test_hist.c: the server table's histogram against the sorted values.
 * Three properties, each one check over many random sets: a p50, p95 or
 * p99 is within 1/32 of the true nearest-rank quantile (exact below 16 us),
 * the max is exact, and an empty histogram says 0. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"

#define N 5000

enum { NEAR, MAX, EMPTY, CHECKS };
static const char *names[CHECKS] = {
	"quantiles within 1/32", "max exact", "empty says 0"
};

static int
cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* a duration: small, log-uniform up to 2^42 us, or a few repeated ones */
static int64_t
draw(int kind)
{
	switch (kind) {
	case 0:
		return rand() % 40;
	case 1:
		return (int64_t)exp2((double)rand() / RAND_MAX * 42);
	default:
		return 100000 * (1 + rand() % 3);
	}
}

int
main(void)
{
	static int64_t v[N];
	static struct hist h;
	static const double qs[] = {0.5, 0.95, 0.99};
	int broken[CHECKS] = {0}, failed = 0;

	srand(7);
	if (hist_quantile(&h, 0.5) != 0 || hist_quantile(&h, 1) != 0)
		broken[EMPTY]++;
	for (int round = 0; round < 300; round++) {
		size_t n = 1 + (size_t)rand() % N;

		memset(&h, 0, sizeof(h));
		for (size_t i = 0; i < n; i++) {
			v[i] = draw(round % 3);
			hist_add(&h, v[i]);
		}
		qsort(v, n, sizeof(v[0]), cmp);
		if (hist_quantile(&h, 1) != v[n - 1] || h.max != v[n - 1] ||
		    h.min != v[0] || h.n != n)
			broken[MAX]++;
		for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
			size_t rank = (size_t)ceil(qs[k] * (double)n);
			int64_t want = v[rank > 0 ? rank - 1 : 0];
			int64_t got = hist_quantile(&h, qs[k]);

			if (llabs(got - want) * 32 > want) {
				if (broken[NEAR]++ == 0)
					fprintf(stderr, "q %.2f of %zu: %lld, "
					    "want %lld\n", qs[k], n,
					    (long long)got, (long long)want);
			}
		}
	}
	for (int c = 0; c < CHECKS; c++) {
		if (broken[c] == 0)
			continue;
		fprintf(stderr, "FAIL: %s (%d times)\n", names[c], broken[c]);
		failed++;
	}
	printf("test_hist: %d passed, %d failed\n", CHECKS - failed, failed);
	return failed ? 1 : 0;
}
