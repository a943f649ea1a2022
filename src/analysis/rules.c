/* rules.c: the rule table and the one place violations are raised. */
#include <stdio.h>
#include <string.h>

#include "exchange.h"
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

void
rules_raise(struct analysis *a, enum rule_id r, int64_t ts,
    const struct flow_key *key, const struct exchange *x, const char *fmt,
    ...)
{
	struct violation v;
	va_list ap;

	if (a->cfg.disabled[r])
		return;
	a->rule_counts[r]++;
	if (rules[r].severity > a->worst)
		a->worst = rules[r].severity;
	v.rule = r;
	v.ts = ts;
	v.key = key;
	v.flow_id = flow_id(key);
	v.x = x;
	va_start(ap, fmt);
	vsnprintf(v.message, sizeof(v.message), fmt, ap);
	va_end(ap);
	if (a->out->violation != NULL)
		a->out->violation(a->out->self, &v);
}
