/* hist.h: durations in a fixed log-scale histogram, for quantiles in
 * constant memory.
 *
 * Below 16 us every microsecond has its bucket; above, each doubling is cut
 * into HIST_SUB buckets, so a quantile read back as its bucket's middle is
 * within 1/(2 * HIST_SUB) = 3.2% of the true value (and never outside the
 * exact min and max). Values past 2^42 us (50 days) share the last bucket.
 */
#ifndef INTERIM_HIST_H
#define INTERIM_HIST_H

#include <stdint.h>

#define HIST_SUB 16
#define HIST_OCTAVES 38
#define HIST_BUCKETS (HIST_SUB + HIST_OCTAVES * HIST_SUB)

struct hist {
	uint64_t n;
	int64_t min, max;               /* exact; valid when n > 0 */
	uint64_t bucket[HIST_BUCKETS];
};

/* Count v microseconds (a negative v counts as 0). */
void hist_add(struct hist *h, int64_t v);

/* The nearest-rank q-quantile (0 < q <= 1) to the precision above; q = 1
 * is the exact max. 0 when nothing was counted. */
int64_t hist_quantile(const struct hist *h, double q);

#endif
