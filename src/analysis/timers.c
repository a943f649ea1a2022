/* timers.c: a binary min-heap of embedded timers. */
#include <stdlib.h>

#include "timers.h"


static void
place(struct timers *h, size_t i, struct timer *t)
{
	h->heap[i] = t;
	t->slot = i + 1;
}

static void
up(struct timers *h, size_t i)
{
	struct timer *t = h->heap[i];

	while (i > 0 && h->heap[(i - 1) / 2]->deadline > t->deadline) {
		place(h, i, h->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	place(h, i, t);
}

static void
down(struct timers *h, size_t i)
{
	struct timer *t = h->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->used)
			break;
		if (c + 1 < h->used && h->heap[c + 1]->deadline < h->heap[c]->deadline)
			c++;
		if (h->heap[c]->deadline >= t->deadline)
			break;
		place(h, i, h->heap[c]);
		i = c;
	}
	place(h, i, t);
}

int
timers_set(struct timers *h, struct timer *t, int64_t deadline)
{
	if (t->slot != 0) {
		int64_t old = t->deadline;

		t->deadline = deadline;
		if (deadline < old)
			up(h, t->slot - 1);
		else
			down(h, t->slot - 1);
		return 0;
	}
	if (h->max != 0 && h->used >= h->max) {
		h->refused++;
		return -1;
	}
	if (h->used == h->cap) {
		size_t n = h->cap ? h->cap * 2 : 1024;
		struct timer **grown = realloc(h->heap, n * sizeof(*grown));

		if (grown == NULL) {
			h->refused++;
			return -1;
		}
		h->heap = grown;
		h->cap = n;
	}
	t->deadline = deadline;
	place(h, h->used, t);
	up(h, h->used++);
	return 0;
}

void
timers_cancel(struct timers *h, struct timer *t)
{
	size_t i;

	if (t->slot == 0)
		return;
	i = t->slot - 1;
	t->slot = 0;
	if (i == --h->used)
		return;
	place(h, i, h->heap[h->used]);
	if (i > 0 && h->heap[(i - 1) / 2]->deadline > h->heap[i]->deadline)
		up(h, i);
	else
		down(h, i);
}

void
timers_run(struct timers *h, int64_t now)
{
	while (h->used > 0 && h->heap[0]->deadline < now) {
		struct timer *t = h->heap[0];

		timers_cancel(h, t);
		t->fire(t, now);
	}
}

int64_t
timers_next(const struct timers *h)
{
	return h->used > 0 ? h->heap[0]->deadline : INT64_MAX;
}

void
timers_free(struct timers *h)
{
	free(h->heap);
	h->heap = NULL;
	h->used = h->cap = 0;
}
