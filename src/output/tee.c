/* tee.c: one sink that hands every event to two, so that the report on
 * standard output, --log and --junit each see all of them. */
#include <stdlib.h>

#include "tee.h"

struct tee {
	struct sink sink;
	const struct sink *a, *b;
};

static void
on_exchange(void *self, const struct flow_key *key, uint64_t flow_id,
    const struct exchange *x)
{
	struct tee *t = self;

	if (t->a->exchange != NULL)
		t->a->exchange(t->a->self, key, flow_id, x);
	if (t->b->exchange != NULL)
		t->b->exchange(t->b->self, key, flow_id, x);
}

static void
on_anomaly(void *self, const struct anomaly *an)
{
	struct tee *t = self;

	if (t->a->anomaly != NULL)
		t->a->anomaly(t->a->self, an);
	if (t->b->anomaly != NULL)
		t->b->anomaly(t->b->self, an);
}

static void
on_violation(void *self, const struct violation *v)
{
	struct tee *t = self;

	if (t->a->violation != NULL)
		t->a->violation(t->a->self, v);
	if (t->b->violation != NULL)
		t->b->violation(t->b->self, v);
}

static void
on_finish(void *self, const struct stats *st, const uint64_t *rule_counts)
{
	struct tee *t = self;

	if (t->a->finish != NULL)
		t->a->finish(t->a->self, st, rule_counts);
	if (t->b->finish != NULL)
		t->b->finish(t->b->self, st, rule_counts);
}

const struct sink *
sink_tee(const struct sink *a, const struct sink *b)
{
	struct tee *t = malloc(sizeof(*t));

	if (t == NULL)
		return NULL;
	t->a = a;
	t->b = b;
	t->sink = (struct sink){on_exchange, on_anomaly, on_violation,
	    on_finish, t};
	return &t->sink;
}

void
sink_tee_free(const struct sink *tee)
{
	if (tee != NULL)
		free(tee->self);
}
