/* test_timers.c: the timer heap against a plain array, under random sets,
 * moves and cancels. Five properties, each one check: timers fire in
 * deadline order, never before their deadline, never when cancelled, none
 * is missed, and timers_next() says the earliest deadline armed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "timers.h"

#define N 2000

enum { ORDER, EARLY, CANCELLED, MISSED, NEXT, CHECKS };
static const char *names[CHECKS] = {
	"fire in deadline order", "never before the deadline",
	"never once cancelled", "none missed", "next is the earliest"
};

static struct timer t[N];
static int64_t want[N];         /* the model: deadline, or 0 when unarmed */
static int64_t last_fired;
static int broken[CHECKS];

static void
fire(struct timer *x, int64_t now)
{
	size_t i = (size_t)(x - t);

	if (want[i] == 0 || x->deadline != want[i])
		broken[CANCELLED]++;
	if (x->deadline >= now)
		broken[EARLY]++;
	if (x->deadline < last_fired)
		broken[ORDER]++;
	last_fired = x->deadline;
	want[i] = 0;
}

int
main(void)
{
	struct timers h = {0};
	int64_t now = 1;
	int failed = 0;

	srand(42);
	for (size_t i = 0; i < N; i++)
		t[i].fire = fire;
	for (int step = 0; step < 200000; step++) {
		size_t i = (size_t)rand() % N;
		int op = rand() % 10;

		if (op < 5) {
			want[i] = now + 1 + rand() % 5000;
			timers_set(&h, &t[i], want[i]);
		} else if (op < 7) {
			timers_cancel(&h, &t[i]);
			want[i] = 0;
		} else {
			now += rand() % 300;
			last_fired = 0;
			timers_run(&h, now);
			for (size_t k = 0; k < N; k++)
				if (want[k] != 0 && want[k] < now) {
					broken[MISSED]++;
					want[k] = 0;
				}
		}
		if (step % 97 == 0) {
			int64_t min = INT64_MAX;

			for (size_t k = 0; k < N; k++)
				if (want[k] != 0 && want[k] < min)
					min = want[k];
			if (timers_next(&h) != min)
				broken[NEXT]++;
		}
	}
	timers_free(&h);
	for (int c = 0; c < CHECKS; c++)
		if (broken[c]) {
			printf("not ok - timers %s (%d times)\n", names[c],
			    broken[c]);
			failed++;
		}
	printf("test_timers: %d passed, %d failed\n", CHECKS - failed, failed);
	return failed != 0;
}
