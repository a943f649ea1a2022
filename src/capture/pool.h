/* pool.h: freed records of one size kept for the next, for the tables
 * that every new connection adds to (held SYNs, watched SYNs, flows).
 *
 * A connection that lasts one request allocates and frees each of its
 * records once: malloc and free cost more than the rest of its packets'
 * bookkeeping there. Up to max records wait here instead, linked through
 * their first bytes; past that they are freed. */
#ifndef INTERIM_POOL_H
#define INTERIM_POOL_H

#include <stdlib.h>
#include <string.h>

struct pool {
	void *free;             /* the last record put back, or NULL */
	unsigned n, max;
	size_t size;            /* of a record, at least a pointer's */
	size_t align;           /* 0: malloc's own */
};

#define POOL(type, max_kept, alignment) \
	{NULL, 0, (max_kept), sizeof(type), (alignment)}

/* A record of p's size, zeroed, or NULL. */
static inline void *
pool_get(struct pool *p)
{
	void *r = p->free;

	if (r != NULL) {
		memcpy(&p->free, r, sizeof(void *));
		p->n--;
	} else if (p->align != 0) {
		r = aligned_alloc(p->align,
		    (p->size + p->align - 1) / p->align * p->align);
	} else {
		r = malloc(p->size);
	}
	if (r != NULL)
		memset(r, 0, p->size);
	return r;
}

static inline void
pool_put(struct pool *p, void *r)
{
	if (r == NULL)
		return;
	if (p->n == p->max) {
		free(r);
		return;
	}
	memcpy(r, &p->free, sizeof(void *));
	p->free = r;
	p->n++;
}

/* At exit: free what waits. */
static inline void
pool_drain(struct pool *p)
{
	while (p->free != NULL) {
		void *r = p->free;

		memcpy(&p->free, r, sizeof(void *));
		free(r);
	}
	p->n = 0;
}

#endif
