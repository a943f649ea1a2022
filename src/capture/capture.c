/* capture.c: our own libpcap loop. Files are read one after another as one
 * timeline; a live interface goes through pcap_create/pcap_activate. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "capture.h"
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

static int
open_file(struct source *s, const char *name, const struct capture_opts *o,
    char *err, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	struct stat sb;

	s->name = strdup(name);
	if (s->name == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (strcmp(name, "-") != 0 && stat(name, &sb) == 0) {
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
	s->pcap = pcap_open_offline_with_tstamp_precision(name,
	    PCAP_TSTAMP_PRECISION_MICRO, pe);
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
	if (set_filter(s->pcap, o->filter, err, errlen) != 0)
		return -1;
	return check_link(s, err, errlen);
}

int
capture_open_files(struct capture *c, char *const *files, int n,
    const struct capture_opts *o, char *err, size_t errlen)
{
	int stdin_used = 0;

	memset(c, 0, sizeof(*c));
	c->count = o->count;
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
		if (open_file(&c->src[i], files[i], o, err, errlen) != 0)
			return -1;
	}
	return 0;
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
	if (o->snaplen > 0)
		pcap_set_snaplen(s->pcap, o->snaplen);
	if (o->buffer_kib > 0)
		pcap_set_buffer_size(s->pcap, o->buffer_kib * 1024);
	pcap_set_promisc(s->pcap, o->promisc);
	pcap_set_timeout(s->pcap, 100);
	pcap_set_immediate_mode(s->pcap, 1);
	rc = pcap_activate(s->pcap);
	if (rc < 0) {
		snprintf(err, errlen, "cannot capture on '%s': %s", iface,
		    rc == PCAP_ERROR ? pcap_geterr(s->pcap) :
		    pcap_statustostr(rc));
		return -1;
	}
	if (rc > 0)
		snprintf(warn, warnlen, "'%s': %s", iface,
		    rc == PCAP_WARNING ? pcap_geterr(s->pcap) :
		    pcap_statustostr(rc));
	if (set_filter(s->pcap, o->filter, err, errlen) != 0)
		return -1;
	return check_link(s, err, errlen);
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

	r->fn(r->ctx, r->dlt, h, bytes);
	if (r->c->count > 0 && ++r->c->seen >= r->c->count) {
		r->c->stop = 1;
		pcap_breakloop(r->c->src[r->c->cur].pcap);
	}
}

static int64_t
wall_clock(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

int
capture_run(struct capture *c, capture_fn fn, capture_tick_fn tick,
    void *ctx, char *msg, size_t msglen)
{
	while (c->cur < c->n && !c->stop) {
		struct source *s = &c->src[c->cur];
		struct run_ctx r = {c, s->dlt, fn, ctx};
		int rc = pcap_dispatch(s->pcap, c->live ? -1 : 4096, on_packet,
		    (u_char *)&r);

		if (c->live && tick != NULL)
			tick(ctx, wall_clock());
		if (rc > 0 || (rc == 0 && c->live))
			continue;
		if (rc == PCAP_ERROR_BREAK)
			break;
		c->cur++;
		if (rc == PCAP_ERROR) {
			snprintf(msg, msglen, "'%s': %s; analysed up to there",
			    s->name, pcap_geterr(s->pcap));
			return c->live ? -1 : 1;
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

void
capture_drops(struct capture *c, uint64_t *dropped, uint64_t *if_dropped)
{
	struct pcap_stat ps;

	*dropped = *if_dropped = 0;
	if (!c->live || c->n == 0 || pcap_stats(c->src[0].pcap, &ps) != 0)
		return;
	*dropped = ps.ps_drop;
	*if_dropped = ps.ps_ifdrop;
}

void
capture_close(struct capture *c)
{
	for (int i = 0; i < c->n; i++) {
		if (c->src[i].pcap != NULL)
			pcap_close(c->src[i].pcap);
		free(c->src[i].name);
	}
	free(c->src);
	memset(c, 0, sizeof(*c));
}
