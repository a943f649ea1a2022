/* logfile.h: --log FILE, the JSON lines appended to a file that logrotate
 * may move away, reopened by name on request (SIGHUP), as Suricata's
 * eve.json. */
#ifndef INTERIM_LOGFILE_H
#define INTERIM_LOGFILE_H

#include <stddef.h>

#include "output.h"

struct logfile;

/* Opens path to append to (created if missing) and makes its JSON sink;
 * flush: each line written as it is made (live capture). When a write
 * fails the sink writes nothing more and calls failed(ctx, errno) once.
 * NULL with err filled on failure. */
struct logfile *logfile_open(const char *path, int flush,
    void (*failed)(void *ctx, int err), void *ctx, char *err, size_t errlen);

const struct sink *logfile_sink(const struct logfile *l);

/* Lines so far go to the file opened before (wherever it was moved),
 * the next ones to path, opened anew. On failure the old file is kept and
 * err says why: -1. */
int logfile_reopen(struct logfile *l, char *err, size_t errlen);

/* Flushes, closes and frees. -1 with err filled when a write failed. */
int logfile_close(struct logfile *l, char *err, size_t errlen);

#endif
