/* outputs.h: the sinks that render events (report.c, json.c). */
#ifndef INTERIM_OUTPUTS_H
#define INTERIM_OUTPUTS_H

#include <stdio.h>

#include "output.h"

struct report_opts {
	int verbose;            /* -v: every exchange with its 1xx timeline */
	int quiet;              /* -q: only what is wrong */
	int colour;
	int stream;             /* live: each violation and exchange as it
	                         * comes, flushed, before the report */
	const char *iface;      /* live capture: the interface; else NULL */
	unsigned top;           /* --top: slowest exchanges listed (0: the
	                         * default, REPORT_TOP) */
};

#define REPORT_TOP 10
#define REPORT_TOP_MAX 1000

/* flush: each line is written as soon as it is made (live capture).
 * When a write to out fails, the sink writes nothing more and calls
 * failed(ctx, errno) once, from that write, so that the caller can end the
 * capture rather than analyse for nobody; failed may be NULL. The last
 * write is the fflush at the end of finish. json_sink returns NULL when
 * out of memory; json_sink_free frees what it made. */
const struct sink *json_sink(FILE *out, int flush,
    void (*failed)(void *ctx, int err), void *ctx);
void json_sink_free(const struct sink *s);
/* Lines are held and written many at once unless flush, out is line
 * buffered or a terminal: json_sink_flush hands those held to out's stdio
 * buffer (before a caller flushes or swaps out). finish and exit() write
 * them too. */
void json_sink_flush(const struct sink *s);
const struct sink *report_sink(FILE *out, const struct report_opts *o,
    void (*failed)(void *ctx, int err), void *ctx);

/* When packets were read but no exchange was analysed: 1, and buf holds
 * why, as far as the counters tell ("no TCP connection was seen from its
 * handshake ..."); else 0. For the report, the JSON summary and main's
 * warning. */
int nothing_analysed(const struct stats *st, char *buf, size_t size);

static inline uint64_t
reassembly_warning_total(const struct stats *st)
{
	uint64_t n = 0;

	for (size_t i = 0; i < sizeof(st->nids_warnings) /
	    sizeof(st->nids_warnings[0]); i++)
		n += st->nids_warnings[i];
	return n;
}

#endif
