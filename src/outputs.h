/* outputs.h: the sinks that render events (report.c, json.c). */
#ifndef INTERIM_OUTPUTS_H
#define INTERIM_OUTPUTS_H

#include <stdio.h>

#include "output.h"

struct report_opts {
	int verbose;            /* -v: every exchange with its 1xx timeline */
	int quiet;              /* -q: only what is wrong */
	int colour;
	const char *iface;      /* live capture: the interface; else NULL */
};

const struct sink *json_sink(FILE *out, int flush);
const struct sink *report_sink(FILE *out, const struct report_opts *o);

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
