/* junit.h: --junit FILE, JUnit XML for CI: one test suite per capture
 * file (or the live interface), one test case per rule in each, failed
 * when the rule fired at or above --fail-on in that file. */
#ifndef INTERIM_JUNIT_H
#define INTERIM_JUNIT_H

#include <stddef.h>

#include "output.h"
#include "rules.h"

struct junit;

/* Creates (truncates) path now, so that a bad name fails before any
 * analysis and -Z can drop privileges; the XML is written by junit_close.
 * NULL with err filled on failure. */
struct junit *junit_open(const char *path, const struct rules_config *rc,
    enum severity fail_on, char *err, size_t errlen);

/* Its sink takes violations only. */
const struct sink *junit_sink(struct junit *j);

/* From now on violations belong to source index (0-based, as the capture
 * numbers them); its time runs until the next call. */
void junit_source(struct junit *j, int index);

/* Source index was cut short: said in its suite's system-err. */
void junit_warn(struct junit *j, int index, const char *msg);

/* Writes the suites for sources names[0..n), closes and frees. -1 with
 * err filled when the file could not be written. */
int junit_close(struct junit *j, char *const *names, int n, char *err,
    size_t errlen);

#endif
