/* rulelist.h: --list-rules, the rule table as text or JSON lines. */
#ifndef INTERIM_RULELIST_H
#define INTERIM_RULELIST_H

#include <stdio.h>

/* A table of at most 100 columns, the meanings (and sources) wrapped,
 * then where each source is to be found. */
void rulelist_text(FILE *out);

/* One object a line: id, severity, cloudflare (a number or null),
 * source, meaning. */
void rulelist_json(FILE *out);

#endif
