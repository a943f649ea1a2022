/* rules.c: the rule table and the one place violations are raised. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"

#define RULE_ROW(e, id, sev, cf, src, meaning) {id, sev, cf, src, meaning},
const struct rule rules[RULE_COUNT] = { RULE_TABLE(RULE_ROW) };
#undef RULE_ROW

static const struct {
	enum severity sev;
	const char *name;
} severities[] = {
	{SEV_NOTICE, "notice"}, {SEV_WARNING, "warning"}, {SEV_ERROR, "error"},
	{SEV_NONE, NULL}
};

const char *
severity_name(enum severity s)
{
	for (size_t i = 0; severities[i].name != NULL; i++)
		if (severities[i].sev == s)
			return severities[i].name;
	return "none";
}

enum severity
severity_parse(const char *s)
{
	for (size_t i = 0; severities[i].name != NULL; i++)
		if (strcmp(severities[i].name, s) == 0)
			return severities[i].sev;
	return SEV_NONE;
}

int
rules_find(const char *id)
{
	for (int r = 0; r < RULE_COUNT; r++)
		if (strcmp(rules[r].id, id) == 0)
			return r;
	return -1;
}

/* v has its subject and figures; count it and hand it on. */
static void
hand_on(struct analysis *a, struct violation *v, const char *fmt, va_list ap)
{
	if (a->cfg.disabled[v->rule])
		return;
	a->rule_counts[v->rule] += v->count > 0 ? v->count : 1;
	if (rules[v->rule].severity > a->worst)
		a->worst = rules[v->rule].severity;
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	if (a->out->violation != NULL)
		a->out->violation(a->out->self, v);
}

static void
subject(struct violation *v, enum rule_id r, int64_t ts,
    const struct flow_ident *flow, const struct exchange *x)
{
	memset(v, 0, offsetof(struct violation, message));
	v->rule = r;
	v->ts = ts;
	v->key = flow != NULL ? &flow->key : NULL;
	v->flow_id = flow != NULL ? flow->id : 0;
	v->x = x;
}

void
rules_raise(struct analysis *a, enum rule_id r, int64_t ts,
    const struct flow_ident *flow, const struct exchange *x, const char *fmt,
    ...)
{
	struct violation v;
	va_list ap;

	subject(&v, r, ts, flow, x);
	va_start(ap, fmt);
	hand_on(a, &v, fmt, ap);
	va_end(ap);
}

void
rules_raise_wait(struct analysis *a, enum rule_id r, int64_t ts,
    const struct flow_ident *flow, const struct exchange *x, int64_t since,
    int64_t deadline, const char *fmt, ...)
{
	struct violation v;
	va_list ap;

	subject(&v, r, ts, flow, x);
	v.timed = 1;
	v.since = since;
	v.waited = ts - since;
	v.deadline = deadline;
	va_start(ap, fmt);
	hand_on(a, &v, fmt, ap);
	va_end(ap);
}

void
rules_raise_many(struct analysis *a, enum rule_id r, int64_t ts,
    const struct flow_ident *flow, int64_t since, int64_t deadline,
    uint64_t count, unsigned sources, int sources_more, const char *fmt, ...)
{
	struct violation v;
	va_list ap;

	subject(&v, r, ts, flow, NULL);
	v.timed = 1;
	v.since = since;
	v.waited = deadline;
	v.deadline = deadline;
	v.count = count;
	v.sources = sources;
	v.sources_more = sources_more;
	va_start(ap, fmt);
	hand_on(a, &v, fmt, ap);
	va_end(ap);
}
