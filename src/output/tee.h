/* tee.h: one sink that hands every event to two. */
#ifndef INTERIM_TEE_H
#define INTERIM_TEE_H

#include "output.h"

/* Events go to a, then b. NULL when out of memory. */
const struct sink *sink_tee(const struct sink *a, const struct sink *b);

/* Frees the tee only, not a or b. */
void sink_tee_free(const struct sink *tee);

#endif
