/* junit.c: JUnit XML, the report format CI systems read (Jenkins, GitLab,
 * GitHub's test reporters). Suites are capture files, test cases rules:
 *
 *   <testsuites name="interim" tests= failures= errors= skipped= time=>
 *     <testsuite name=FILE tests= failures= errors= skipped= time=
 *         timestamp=>
 *       <testcase classname=FILE name=RULE>
 *         <failure message= type=SEVERITY>each violation, one a line
 *         or <skipped message=/> (--disable), or <system-out> for a rule
 *         that fired below --fail-on
 *       <system-err> what cut the file short
 *
 * A violation belongs to the file being read when it was raised. The first
 * JUNIT_KEEP of each rule in each file are written out, the rest counted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "junit.h"

#define JUNIT_KEEP 20

struct tally {
	uint64_t count;                 /* events: lines[] holds the first */
	uint64_t violations;            /* an aggregate counts as many */
	char *first;                    /* the first violation's message */
	char *lines[JUNIT_KEEP];        /* time, connection, request: message */
};

struct suite {
	struct tally rule[RULE_COUNT];
	double secs;                    /* wall clock spent reading it */
	time_t started;                 /* 0: never read */
	char *warning;
};

struct junit {
	struct sink sink;
	FILE *out;
	char *path;
	struct suite *suites;
	int n;                          /* suites made so far */
	int cur;                        /* -1: none yet */
	struct timespec since;          /* when cur became current */
	struct rules_config rc;
	enum severity fail_on;          /* SEV_NONE: never */
};

static struct timespec
mono_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

static double
secs_since(struct timespec a)
{
	struct timespec b = mono_now();

	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec -
	    a.tv_nsec) / 1e9;
}

/* The suite for index, made (with those before it) when new. */
static struct suite *
suite_at(struct junit *j, int index)
{
	if (index >= j->n) {
		struct suite *grown = realloc(j->suites, (size_t)(index + 1) *
		    sizeof(*grown));

		if (grown == NULL)
			return NULL;
		memset(grown + j->n, 0, (size_t)(index + 1 - j->n) *
		    sizeof(*grown));
		j->suites = grown;
		j->n = index + 1;
	}
	return &j->suites[index];
}

static void
on_violation(void *self, const struct violation *v)
{
	struct junit *j = self;
	struct suite *s = suite_at(j, j->cur < 0 ? 0 : j->cur);
	struct tally *t;
	char line[1200], when[40], cl[64], sv[64], req[X_METHOD + X_TARGET + 16];

	if (s == NULL)
		return;                 /* out of memory: counted nowhere */
	t = &s->rule[v->rule];
	t->violations += v->count > 0 ? v->count : 1;
	if (t->count++ == 0)
		t->first = strdup(v->message);
	if (t->count > JUNIT_KEEP)
		return;
	format_iso(when, sizeof(when), v->ts);
	cl[0] = sv[0] = req[0] = '\0';
	if (v->key != NULL) {
		format_endpoint(cl, sizeof(cl), &v->key->client,
		    v->key->client_port);
		format_endpoint(sv, sizeof(sv), &v->key->server,
		    v->key->server_port);
	}
	if (v->x != NULL && v->x->head_done)
		snprintf(req, sizeof(req), "  %s %s HTTP/1.%d", v->x->method,
		    v->x->target, v->x->minor);
	snprintf(line, sizeof(line), "%s  %s%s%s%s: %s", when, cl,
	    v->key != NULL ? " -> " : "", sv, req, v->message);
	t->lines[t->count - 1] = strdup(line);
}

struct junit *
junit_open(const char *path, const struct rules_config *rc,
    enum severity fail_on, char *err, size_t errlen)
{
	struct junit *j = calloc(1, sizeof(*j));

	if (j == NULL || (j->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(j);
		return NULL;
	}
	if ((j->out = fopen(path, "w")) == NULL) {
		snprintf(err, errlen, "cannot open '%s': %s", path,
		    strerror(errno));
		free(j->path);
		free(j);
		return NULL;
	}
	j->rc = *rc;
	j->fail_on = fail_on;
	j->cur = -1;
	j->sink = (struct sink){NULL, NULL, on_violation, NULL, j};
	return j;
}

const struct sink *
junit_sink(struct junit *j)
{
	return &j->sink;
}

void
junit_source(struct junit *j, int index)
{
	struct suite *s;

	if (index == j->cur)
		return;
	if (j->cur >= 0)
		j->suites[j->cur].secs += secs_since(j->since);
	if ((s = suite_at(j, index)) == NULL)
		return;
	if (s->started == 0)
		s->started = time(NULL);
	j->cur = index;
	j->since = mono_now();
}

void
junit_warn(struct junit *j, int index, const char *msg)
{
	struct suite *s = suite_at(j, index < 0 ? 0 : index);

	if (s != NULL && s->warning == NULL)
		s->warning = strdup(msg);
}

/* --- writing --- */

/* The length of the UTF-8 sequence at p that XML 1.0 allows as a
 * character: valid UTF-8 (format_utf8_len()), and not U+FFFE or U+FFFF;
 * or 0. */
static size_t
xml_utf8_len(const unsigned char *p)
{
	size_t n = format_utf8_len(p);

	if (n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
		return 0;
	return n;
}

/* Text or an attribute value (attr: newlines and tabs as references).
 * What XML cannot hold (controls, bytes that are not UTF-8) and the
 * backslash are written \xHH, as in the JSON lines. */
static void
put_xml(FILE *f, const char *s, int attr)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		size_t n;

		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs(attr ? "&quot;" : "\"", f); break;
		case '\n': fputs(attr ? "&#10;" : "\n", f); break;
		case '\t': fputs(attr ? "&#9;" : "\t", f); break;
		default:
			if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
				fputc(*p, f);
			} else if (*p >= 0x80 && (n = xml_utf8_len(p)) != 0) {
				fwrite(p, 1, n, f);
				p += n;
				continue;
			} else {
				fprintf(f, "\\x%02x", *p);
			}
		}
		p++;
	}
}

static int
fails(const struct junit *j, int r, const struct tally *t)
{
	return t->count > 0 && j->fail_on != SEV_NONE &&
	    rules[r].severity >= j->fail_on;
}

/* The lines kept, then how many were not. */
static void
put_lines(FILE *f, const struct tally *t)
{
	for (uint64_t i = 0; i < t->count && i < JUNIT_KEEP; i++) {
		if (t->lines[i] != NULL)
			put_xml(f, t->lines[i], 0);
		fputc('\n', f);
	}
	if (t->count > JUNIT_KEEP)
		fprintf(f, "... and %llu more\n",
		    (unsigned long long)(t->count - JUNIT_KEEP));
}

static void
put_case(FILE *f, const struct junit *j, const char *name, int r,
    const struct tally *t)
{
	fputs("    <testcase classname=\"", f);
	put_xml(f, name, 1);
	fprintf(f, "\" name=\"%s\"", rules[r].id);
	if (j->rc.disabled[r]) {
		fputs(">\n      <skipped message=\"disabled with --disable\"/>\n"
		    "    </testcase>\n", f);
	} else if (fails(j, r, t)) {
		fputs(">\n      <failure message=\"", f);
		if (t->violations > 1)
			fprintf(f, "%llu violations; the first: ",
			    (unsigned long long)t->violations);
		put_xml(f, t->first != NULL ? t->first : rules[r].meaning, 1);
		fprintf(f, "\" type=\"%s\">", severity_name(rules[r].severity));
		put_lines(f, t);
		fputs("</failure>\n    </testcase>\n", f);
	} else if (t->count > 0) {              /* below --fail-on */
		fputs(">\n      <system-out>", f);
		put_lines(f, t);
		fputs("</system-out>\n    </testcase>\n", f);
	} else {
		fputs("/>\n", f);
	}
}

struct counts {
	int tests, failures, skipped;
};

static struct counts
suite_counts(const struct junit *j, const struct suite *s)
{
	struct counts c = {RULE_COUNT, 0, 0};

	for (int r = 0; r < RULE_COUNT; r++) {
		if (j->rc.disabled[r])
			c.skipped++;
		else if (s != NULL && fails(j, r, &s->rule[r]))
			c.failures++;
	}
	return c;
}

static void
put_suite(FILE *f, const struct junit *j, const char *name,
    const struct suite *s, time_t now)
{
	static const struct tally none;
	struct counts c = suite_counts(j, s);
	time_t started = s != NULL && s->started != 0 ? s->started : now;
	char stamp[32];
	struct tm tm;

	gmtime_r(&started, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fputs("  <testsuite name=\"", f);
	put_xml(f, name, 1);
	fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" "
	    "skipped=\"%d\" time=\"%.3f\" timestamp=\"%s\">\n", c.tests,
	    c.failures, c.skipped, s != NULL ? s->secs : 0.0, stamp);
	for (int r = 0; r < RULE_COUNT; r++)
		put_case(f, j, name, r, s != NULL ? &s->rule[r] : &none);
	if (s != NULL && s->warning != NULL) {
		fputs("    <system-err>", f);
		put_xml(f, s->warning, 0);
		fputs("</system-err>\n", f);
	}
	fputs("  </testsuite>\n", f);
}

static void
suite_free(struct suite *s)
{
	for (int r = 0; r < RULE_COUNT; r++) {
		free(s->rule[r].first);
		for (int i = 0; i < JUNIT_KEEP; i++)
			free(s->rule[r].lines[i]);
	}
	free(s->warning);
}

int
junit_close(struct junit *j, char *const *names, int n, char *err,
    size_t errlen)
{
	struct counts all = {0, 0, 0};
	double secs = 0;
	time_t now = time(NULL);
	int rc = 0;

	if (j->cur >= 0)
		j->suites[j->cur].secs += secs_since(j->since);
	for (int i = 0; i < n; i++) {
		struct counts c = suite_counts(j, i < j->n ? &j->suites[i] :
		    NULL);

		all.tests += c.tests;
		all.failures += c.failures;
		all.skipped += c.skipped;
		if (i < j->n)
			secs += j->suites[i].secs;
	}
	errno = 0;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", j->out);
	fprintf(j->out, "<testsuites name=\"interim\" tests=\"%d\" "
	    "failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%.3f\">\n",
	    all.tests, all.failures, all.skipped, secs);
	for (int i = 0; i < n; i++)
		put_suite(j->out, j, names[i], i < j->n ? &j->suites[i] : NULL,
		    now);
	fputs("</testsuites>\n", j->out);
	if (ferror(j->out) | (fclose(j->out) != 0)) {
		snprintf(err, errlen, "cannot write '%s': %s", j->path,
		    strerror(errno != 0 ? errno : EIO));
		rc = -1;
	}
	for (int i = 0; i < j->n; i++)
		suite_free(&j->suites[i]);
	free(j->suites);
	free(j->path);
	free(j);
	return rc;
}
