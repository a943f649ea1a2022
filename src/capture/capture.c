/* capture.c: our own libpcap loop. Files are read one after another as one
 * timeline; a live interface goes through pcap_create/pcap_activate and is
 * read without blocking, waiting in poll() on its descriptor until a
 * packet or the next deadline. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "capture.h"
#include "concat.h"
#include "decap.h"

/* libpcap's offline errors begin with the file name; ours quote it. */
static const char *
without_name(const char *msg, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(msg, name, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
		return msg + n + 2;
	return msg;
}

static int
set_filter(pcap_t *p, const char *filter, char *err, size_t errlen)
{
	struct bpf_program prog;

	if (filter == NULL)
		return 0;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, errlen, "bad filter '%s': %s", filter,
		    pcap_geterr(p));
		return -1;
	}
	if (pcap_setfilter(p, &prog) != 0) {
		snprintf(err, errlen, "cannot set filter '%s': %s", filter,
		    pcap_geterr(p));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

static int
check_link(struct source *s, char *err, size_t errlen)
{
	s->dlt = pcap_datalink(s->pcap);
	if (decap_supported(s->dlt))
		return 0;
	snprintf(err, errlen, "'%s': unsupported link type %s (%d)", s->name,
	    pcap_datalink_val_to_name(s->dlt) ? pcap_datalink_val_to_name(s->dlt)
	    : "unknown", s->dlt);
	return -1;
}

/* The next capture on standard input, through concat.c: libpcap alone
 * would take a second capture's file header for a packet. */
static pcap_t *
open_stdin(struct capture *c, char *pe)
{
	pcap_t *p;
	FILE *f;

	if (c->in == NULL)
		c->in = concat_open(STDIN_FILENO);
	f = c->in != NULL ? concat_next(c->in) : NULL;
	if (f == NULL) {
		snprintf(pe, PCAP_ERRBUF_SIZE, "out of memory");
		return NULL;
	}
	p = pcap_fopen_offline_with_tstamp_precision(f,
	    PCAP_TSTAMP_PRECISION_MICRO, pe);
	if (p == NULL)
		fclose(f);
	return p;
}

/* A named capture file, read through a stdio buffer of READ_BUFFER bytes:
 * with libpcap's own fopen() it takes a read(2) per 4 KiB, whose cost
 * beside the copy was a fifth of interim's time on a file in the page
 * cache. 64 KiB per file named, held while it is open (all of them are,
 * from the start). pe as libpcap words it. */
#define READ_BUFFER (64 * 1024)

static pcap_t *
open_named(struct source *s, const char *name, char *pe)
{
	pcap_t *p;
	FILE *f = fopen(name, "rb");

	if (f == NULL) {
		snprintf(pe, PCAP_ERRBUF_SIZE, "%s: %s", name,
		    strerror(errno));
		return NULL;
	}
	/* glibc takes a size only with the buffer; without one, stdio's */
	if ((s->buffer = malloc(READ_BUFFER)) != NULL)
		(void)setvbuf(f, s->buffer, _IOFBF, READ_BUFFER);
	p = pcap_fopen_offline_with_tstamp_precision(f,
	    PCAP_TSTAMP_PRECISION_MICRO, pe);
	if (p == NULL) {
		fclose(f);
		free(s->buffer);
		s->buffer = NULL;
	}
	return p;
}

/* Its capture closed, then the buffer the capture read through. */
static void
source_close(struct source *s)
{
	if (s->pcap != NULL)
		pcap_close(s->pcap);
	s->pcap = NULL;
	free(s->buffer);
	s->buffer = NULL;
}

/* piece: standard input's how manieth capture, or 0 for a named file */
static int
open_file(struct capture *c, struct source *s, const char *name, int piece,
    char *err, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	struct stat sb;

	s->name = strdup(name);
	s->piece = piece;
	if (s->name == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (piece == 0 && stat(name, &sb) == 0) {
		if (S_ISDIR(sb.st_mode)) {
			snprintf(err, errlen, "cannot open '%s': %s", name,
			    strerror(EISDIR));
			return -1;
		}
		if (S_ISREG(sb.st_mode) && sb.st_size == 0) {
			snprintf(err, errlen, "cannot read '%s': empty file",
			    name);
			return -1;
		}
	}
	errno = 0;
	s->pcap = piece > 0 ? open_stdin(c, pe) : open_named(s, name, pe);
	if (s->pcap == NULL) {
		const char *why = without_name(pe, name);

		if (strstr(why, "unknown file format") != NULL)
			snprintf(err, errlen, "cannot read '%s': not a pcap or "
			    "pcapng capture", name);
		else if (errno == ENOENT || errno == EACCES || errno == EISDIR)
			snprintf(err, errlen, "cannot open '%s': %s", name, why);
		else
			snprintf(err, errlen, "cannot read '%s': %s", name, why);
		return -1;
	}
	if (set_filter(s->pcap, c->filter, err, errlen) != 0)
		return -1;
	return check_link(s, err, errlen);
}

/* -w: a pcap file with the first source's link type and snapshot length;
 * every source must share the link type. */
static int
open_save(struct capture *c, const char *save, char *err, size_t errlen)
{
	if (save == NULL)
		return 0;
	for (int i = 1; i < c->n; i++)
		if (c->src[i].dlt != c->src[0].dlt) {
			snprintf(err, errlen, "cannot save to '%s': '%s' and "
			    "'%s' have different link types", save,
			    c->src[0].name, c->src[i].name);
			return -1;
		}
	c->dump = pcap_dump_open(c->src[0].pcap, save);
	if (c->dump == NULL) {
		snprintf(err, errlen, "cannot save to '%s': %s", save,
		    without_name(pcap_geterr(c->src[0].pcap), save));
		return -1;
	}
	c->save = save;
	return 0;
}

int
capture_open_files(struct capture *c, char *const *files, int n,
    const struct capture_opts *o, char *err, size_t errlen)
{
	int stdin_used = 0;

	memset(c, 0, sizeof(*c));
	c->count = o->count;
	c->filter = o->filter;
	c->src = calloc((size_t)n, sizeof(*c->src));
	if (c->src == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (strcmp(files[i], "-") == 0 && stdin_used++) {
			snprintf(err, errlen, "'-' (standard input) given twice");
			return -1;
		}
		c->n = i + 1;
		if (open_file(c, &c->src[i], files[i], strcmp(files[i], "-") ==
		    0, err, errlen) != 0)
			return -1;
	}
	return open_save(c, o->save, err, errlen);
}

/* "No such device exists (SIOCGIFHWADDR: No such device)": libpcap's
 * status, then its detail when it has one. */
static void
live_error(char *err, size_t errlen, const char *iface, pcap_t *p, int rc)
{
	const char *detail = pcap_geterr(p);

	if (rc == PCAP_ERROR || detail[0] == '\0')
		snprintf(err, errlen, "cannot capture on '%s': %s", iface,
		    rc == PCAP_ERROR ? detail : pcap_statustostr(rc));
	else
		snprintf(err, errlen, "cannot capture on '%s': %s (%s)", iface,
		    pcap_statustostr(rc), detail);
}

int
capture_open_live(struct capture *c, const char *iface,
    const struct capture_opts *o, char *err, size_t errlen, char *warn,
    size_t warnlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	struct source *s;
	int rc;

	memset(c, 0, sizeof(*c));
	warn[0] = '\0';
	c->count = o->count;
	c->live = 1;
	c->src = calloc(1, sizeof(*c->src));
	if (c->src == NULL || (c->src->name = strdup(iface)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->n = 1;
	s = c->src;
	s->pcap = pcap_create(iface, pe);
	if (s->pcap == NULL) {
		snprintf(err, errlen, "cannot capture on '%s': %s", iface, pe);
		return -1;
	}
	pcap_set_snaplen(s->pcap, o->snaplen > 0 ? o->snaplen :
	    CAPTURE_SNAPLEN);
	pcap_set_buffer_size(s->pcap, (o->buffer_kib > 0 ? o->buffer_kib :
	    CAPTURE_BUFFER_KIB) * 1024);
	pcap_set_promisc(s->pcap, o->promisc);
	/* packets come in batches at least this often: a deadline waits for
	 * twice this at most, see capture_tick_fn */
	pcap_set_timeout(s->pcap, CAPTURE_TIMEOUT_MS);
	rc = pcap_activate(s->pcap);
	if (rc < 0) {
		live_error(err, errlen, iface, s->pcap, rc);
		return -1;
	}
	if (rc > 0)
		snprintf(warn, warnlen, "'%s': %s", iface,
		    rc == PCAP_WARNING ? pcap_geterr(s->pcap) :
		    pcap_statustostr(rc));
	if (set_filter(s->pcap, o->filter, err, errlen) != 0 ||
	    check_link(s, err, errlen) != 0)
		return -1;
	if (pcap_setnonblock(s->pcap, 1, pe) != 0) {
		snprintf(err, errlen, "cannot capture on '%s': %s", iface, pe);
		return -1;
	}
	return open_save(c, o->save, err, errlen);
}

void
capture_describe(const struct capture *c, char *buf, size_t size)
{
	const struct source *s = &c->src[0];
	const char *name = pcap_datalink_val_to_name(s->dlt);
	const char *desc = pcap_datalink_val_to_description(s->dlt);

	snprintf(buf, size, "%s, link-type %s (%s), snapshot length %d bytes",
	    s->name, name != NULL ? name : "unknown",
	    desc != NULL ? desc : "unknown", pcap_snapshot(s->pcap));
}

struct run_ctx {
	struct capture *c;
	int dlt;
	capture_fn fn;
	void *ctx;
};

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct run_ctx *r = (struct run_ctx *)user;

	if (r->c->dump != NULL)
		pcap_dump((u_char *)r->c->dump, h, bytes);
	r->fn(r->ctx, r->dlt, h, bytes);
	if (++r->c->seen >= r->c->count && r->c->count > 0) {
		r->c->stop = 1;
		pcap_breakloop(r->c->src[r->c->cur].pcap);
	}
}

/* on_packet() for a file read with neither -w nor -c: each packet only
 * handed on (capture_run counts them by the batch). */
static void
on_packet_plain(u_char *user, const struct pcap_pkthdr *h,
    const u_char *bytes)
{
	struct run_ctx *r = (struct run_ctx *)user;

	r->fn(r->ctx, r->dlt, h, bytes);
}

static int64_t
wall_clock(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* Milliseconds for poll() until the wall clock passes next (microseconds),
 * at least 1, at most 1 s so that a clock stepped back is caught up on. */
static int
wait_ms(int64_t now, int64_t next)
{
	if (next == INT64_MAX || next - now >= 1000000)
		return 1000;
	if (next <= now)
		return 1;
	return (int)((next - now) / 1000) + 1;
}

/* The live loop: drain what libpcap has without blocking, let the caller
 * run its deadlines, then sleep in poll() until a batch of packets or the
 * next deadline. Once stopped (a signal), what was captured before still
 * comes out of the buffer within SETTLE, and is read; a -c count reached
 * stops at once. */
static int
run_live(struct capture *c, capture_fn fn, capture_tick_fn tick, void *ctx,
    char *msg, size_t msglen)
{
	const int64_t settle = 2 * CAPTURE_TIMEOUT_MS * 1000;
	struct source *s = &c->src[0];
	struct run_ctx r = {c, s->dlt, fn, ctx};
	struct pollfd pfd = {pcap_get_selectable_fd(s->pcap), POLLIN, 0};
	int64_t drain_until = 0;

	for (;;) {
		int64_t now, next = INT64_MAX;
		int ms;

		if (pcap_dispatch(s->pcap, -1, on_packet, (u_char *)&r) ==
		    PCAP_ERROR) {
			snprintf(msg, msglen, "'%s': %s", s->name,
			    pcap_geterr(s->pcap));
			return -1;
		}
		if (c->count > 0 && c->seen >= c->count)
			return 0;
		now = wall_clock();
		if (tick != NULL) {
			next = tick(ctx, now - settle);
			if (next != INT64_MAX)
				next += settle;
		}
		if (c->stop) {
			if (drain_until == 0)
				drain_until = now + settle;
			else if (now >= drain_until)
				return 0;
			if (drain_until < next)
				next = drain_until;
		}
		ms = wait_ms(now, next);
		/* no descriptor to wait on: look again every buffer timeout */
		if (pfd.fd < 0 && ms > CAPTURE_TIMEOUT_MS)
			ms = CAPTURE_TIMEOUT_MS;
		if (poll(&pfd, pfd.fd >= 0 ? 1 : 0, ms) < 0 && errno != EINTR) {
			snprintf(msg, msglen, "'%s': poll: %s", s->name,
			    strerror(errno));
			return -1;
		}
	}
}

/* Standard input's capture after the one that just ended becomes the
 * source at index at. 0, or 1 with a warning in msg (it cannot be read:
 * the rest of standard input is not), or -1 with an error (-w cannot take
 * its link type). Signals wait meanwhile: capture_stop reads c->src. */
static int
add_piece(struct capture *c, int at, int piece, char *msg, size_t msglen)
{
	struct source s = {0}, *grown;
	char name[24], err[512];
	sigset_t all, old;

	snprintf(name, sizeof(name), "-#%d", piece);
	if (open_file(c, &s, name, piece, err, sizeof(err)) != 0) {
		snprintf(msg, msglen, "%s; the rest of standard input was not "
		    "read", err);
		source_close(&s);
		free(s.name);
		return 1;
	}
	if (c->dump != NULL && s.dlt != c->src[0].dlt) {
		snprintf(msg, msglen, "cannot save to '%s': '%s' and '%s' have "
		    "different link types", c->save, c->src[0].name, name);
		source_close(&s);
		free(s.name);
		return -1;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	grown = realloc(c->src, ((size_t)c->n + 1) * sizeof(*c->src));
	if (grown != NULL) {
		c->src = grown;
		memmove(&c->src[at + 1], &c->src[at],
		    (size_t)(c->n - at) * sizeof(*c->src));
		c->src[at] = s;
		c->n++;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (grown == NULL) {
		snprintf(msg, msglen, "out of memory");
		source_close(&s);
		free(s.name);
		return -1;
	}
	return 0;
}

int
capture_run(struct capture *c, capture_fn fn, capture_tick_fn tick,
    void *ctx, char *msg, size_t msglen)
{
	if (c->live)
		return c->n == 1 ? run_live(c, fn, tick, ctx, msg, msglen) : 0;
	while (c->cur < c->n && !c->stop) {
		struct source *s = &c->src[c->cur];
		struct run_ctx r = {c, s->dlt, fn, ctx};
		int plain = c->dump == NULL && c->count == 0;
		int rc = pcap_dispatch(s->pcap, 4096, plain ? on_packet_plain :
		    on_packet, (u_char *)&r);
		int piece = s->piece;

		if (rc > 0) {
			if (plain)
				c->seen += rc;
			continue;
		}
		if (rc == PCAP_ERROR_BREAK)
			break;
		c->cur++;
		if (rc == PCAP_ERROR) {
			snprintf(msg, msglen, "'%s': %s; analysed up to there",
			    s->name, pcap_geterr(s->pcap));
			return 1;
		}
		if (piece > 0 && concat_more(c->in)) {
			/* the ended stream is closed first: concat_next
			 * hands out one at a time */
			source_close(s);
			if ((rc = add_piece(c, c->cur, piece + 1, msg,
			    msglen)) != 0)
				return rc;
		}
	}
	return 0;
}

void
capture_stop(struct capture *c)
{
	c->stop = 1;
	if (c->cur < c->n && c->src[c->cur].pcap != NULL)
		pcap_breakloop(c->src[c->cur].pcap);
}

int
capture_counts(struct capture *c, struct capture_counts *n)
{
	struct pcap_stat ps;

	memset(n, 0, sizeof(*n));
	if (!c->live || c->n == 0 || pcap_stats(c->src[0].pcap, &ps) != 0)
		return -1;
	n->captured = (uint64_t)c->seen;
	n->received = ps.ps_recv;
	n->dropped = ps.ps_drop;
	n->if_dropped = ps.ps_ifdrop;
	return 0;
}

int
capture_close(struct capture *c, char *err, size_t errlen)
{
	int rc = 0;

	if (c->dump != NULL) {
		FILE *f = pcap_dump_file(c->dump);

		errno = 0;
		if (pcap_dump_flush(c->dump) != 0 || ferror(f)) {
			snprintf(err, errlen, "cannot write '%s': %s", c->save,
			    strerror(errno != 0 ? errno : EIO));
			rc = -1;
		}
		pcap_dump_close(c->dump);
	}
	for (int i = 0; i < c->n; i++) {
		source_close(&c->src[i]);
		free(c->src[i].name);
	}
	free(c->src);
	if (c->in != NULL)
		concat_free(c->in);
	memset(c, 0, sizeof(*c));
	return rc;
}
