/* synagg.h: unanswered SYNs per server endpoint. The first SYNAGG_EACH
 * to an endpoint are reported one by one; past them they are counted, and
 * one violation says how many, from how many sources, over what time span
 * (every SYNAGG_EVERY while they go on, and at the end). A SYN flood then
 * writes a few lines, not one per SYN. */
#ifndef INTERIM_SYNAGG_H
#define INTERIM_SYNAGG_H

#include <stdint.h>

#include "model.h"

#define SYNAGG_EACH 10                  /* reported one by one, per server */
#define SYNAGG_EVERY (60 * USEC)        /* an aggregate at most this often */
#define SYNAGG_SERVERS 256              /* endpoints counted apart; the
					 * rest together */
#define SYNAGG_SOURCES 256              /* distinct sources counted, each */

struct analysis;
struct synagg;

struct synagg *synagg_new(struct analysis *an);

/* The SYN of k, first sent at first, got no SYN-ACK by deadline: returns
 * 1 when it is to be reported by itself, 0 when it was counted (and an
 * aggregate raised if one was due). */
int synagg_admit(struct synagg *g, const struct flow_key *k, int64_t first,
    int64_t deadline);

/* The input ended: the aggregates still owed are raised; then freed. */
void synagg_finish(struct synagg *g);

#endif
