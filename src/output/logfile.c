/* logfile.c: --log FILE. The JSON sink writes to one stdio stream for the
 * whole run; reopening swaps the descriptor under it (dup2) once its
 * buffer is flushed, so no line is split between two files or lost. */
#ifdef HAVE_CONFIG_H
#include "config.h"     /* _GNU_SOURCE: dup3() */
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logfile.h"
#include "outputs.h"

struct logfile {
	char *path;
	FILE *out;
	const struct sink *json;
	int err;                /* errno of the first failed write, or 0 */
	void (*failed)(void *, int);
	void *ctx;
};

static void
on_failed(void *ctx, int err)
{
	struct logfile *l = ctx;

	l->err = err;
	if (l->failed != NULL)
		l->failed(l->ctx, err);
}

/* O_APPEND: lines from another writer (or a copytruncate) never overlap */
static int
open_append(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
}

struct logfile *
logfile_open(const char *path, int flush, void (*failed)(void *, int),
    void *ctx, char *err, size_t errlen)
{
	struct logfile *l = calloc(1, sizeof(*l));
	int fd = -1;

	if (l == NULL || (l->path = strdup(path)) == NULL)
		goto oom;
	if ((fd = open_append(path)) < 0 || (l->out = fdopen(fd, "a")) ==
	    NULL) {
		snprintf(err, errlen, "cannot open '%s': %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		free(l->path);
		free(l);
		return NULL;
	}
	l->failed = failed;
	l->ctx = ctx;
	if ((l->json = json_sink(l->out, flush, on_failed, l)) == NULL) {
		fclose(l->out);
		goto oom;
	}
	return l;
oom:
	snprintf(err, errlen, "out of memory");
	if (l != NULL)
		free(l->path);
	free(l);
	return NULL;
}

const struct sink *
logfile_sink(const struct logfile *l)
{
	return l->json;
}

int
logfile_reopen(struct logfile *l, char *err, size_t errlen)
{
	int fd = open_append(l->path);

	if (fd < 0) {
		snprintf(err, errlen, "cannot reopen '%s': %s", l->path,
		    strerror(errno));
		return -1;
	}
	json_sink_flush(l->json);
	errno = 0;
	if (fflush(l->out) != 0 && l->err == 0)
		on_failed(l, errno != 0 ? errno : EIO);
	if (dup3(fd, fileno(l->out), O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot reopen '%s': %s", l->path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
logfile_close(struct logfile *l, char *err, size_t errlen)
{
	int e;

	if (l == NULL)
		return 0;
	errno = 0;
	if ((fclose(l->out) != 0 || l->err != 0) && l->err == 0)
		l->err = errno != 0 ? errno : EIO;
	e = l->err;
	if (e != 0)
		snprintf(err, errlen, "cannot write '%s': %s", l->path,
		    strerror(e));
	json_sink_free(l->json);
	free(l->path);
	free(l);
	return e != 0 ? -1 : 0;
}
