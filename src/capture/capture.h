/* capture.h: the libpcap loop over capture files or a live interface. */
#ifndef INTERIM_CAPTURE_H
#define INTERIM_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <pcap/pcap.h>

struct capture_opts {
	const char *filter;     /* BPF expression, or NULL for all packets */
	long count;             /* stop after this many packets; 0: no limit */
	int snaplen;            /* live only; 0: libpcap's default */
	int buffer_kib;         /* live only; 0: libpcap's default */
	int promisc;            /* live only */
};

struct source {
	pcap_t *pcap;
	char *name;             /* file name, "-" or interface */
	int dlt;
};

struct capture {
	struct source *src;
	int n;
	int cur;                /* the source being read */
	int live;
	long seen;              /* packets handed on so far */
	long count;
	volatile int stop;      /* set from a signal handler */
};

typedef void (*capture_fn)(void *ctx, int dlt, const struct pcap_pkthdr *h,
    const uint8_t *bytes);

/* Live capture only: called at least every 100 ms with the wall clock
 * (microseconds since the epoch), so that deadlines pass without packets. */
typedef void (*capture_tick_fn)(void *ctx, int64_t now);

/* Open every file before reading any, so a bad name fails fast.
 * Returns -1 and fills err (naming the file) on failure. */
int capture_open_files(struct capture *c, char *const *files, int n,
    const struct capture_opts *o, char *err, size_t errlen);

int capture_open_live(struct capture *c, const char *iface,
    const struct capture_opts *o, char *err, size_t errlen,
    char *warn, size_t warnlen);

/* Read on. Returns 0 at the end of all input, 1 with a warning in msg
 * (e.g. a truncated file; call again to go on with the next), -1 with an
 * error in msg. */
int capture_run(struct capture *c, capture_fn fn, capture_tick_fn tick,
    void *ctx, char *msg, size_t msglen);

/* Safe from a signal handler. */
void capture_stop(struct capture *c);

/* Kernel and interface drops for a live capture; 0 when not known. */
void capture_drops(struct capture *c, uint64_t *dropped, uint64_t *if_dropped);

void capture_close(struct capture *c);

#endif
