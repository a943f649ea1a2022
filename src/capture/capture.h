/* capture.h: the libpcap loop over capture files or a live interface. */
#ifndef INTERIM_CAPTURE_H
#define INTERIM_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <pcap/pcap.h>

struct capture_opts {
	const char *filter;     /* BPF expression, or NULL for all packets */
	long count;             /* stop after this many packets; 0: no limit */
	int snaplen;            /* live only; 0: CAPTURE_SNAPLEN */
	int buffer_kib;         /* live only; 0: CAPTURE_BUFFER_KIB */
	int promisc;            /* live only */
	const char *save;       /* -w: write every packet read here, or NULL */
};

#define CAPTURE_SNAPLEN 262144          /* as tcpdump */
#define CAPTURE_BUFFER_KIB 32768        /* 32 MiB: ~0.25 s of 1 Gbit/s */
#define CAPTURE_TIMEOUT_MS 50           /* libpcap's buffer timeout, live */

struct source {
	pcap_t *pcap;
	char *name;             /* file name, "-" ("-#2", ...) or interface */
	int dlt;
	int piece;              /* standard input: its 1st, 2nd... capture;
	                         * else 0 */
	char *buffer;           /* a named file's stdio buffer, or NULL */
};

struct concat;

struct capture {
	struct source *src;
	int n;                  /* grows while reading: each further capture
	                         * on standard input is a source of its own */
	int cur;                /* the source being read */
	int live;
	long seen;              /* packets handed on so far */
	long count;
	pcap_dumper_t *dump;    /* -w, or NULL */
	const char *save;
	const char *filter;
	struct concat *in;      /* standard input, or NULL */
	volatile int stop;      /* set from a signal handler */
};

typedef void (*capture_fn)(void *ctx, int dlt, const struct pcap_pkthdr *h,
    const uint8_t *bytes);

/* Live capture only: called after every wake-up with the wall clock
 * (microseconds since the epoch) less twice the buffer timeout, a time
 * before which every packet captured has been handed on; returns the next
 * deadline on that clock (INT64_MAX: none), which the capture then waits
 * for, on the capture's descriptor, if no packet comes first. */
typedef int64_t (*capture_tick_fn)(void *ctx, int64_t now);

/* Open every file before reading any, so a bad name fails fast.
 * Returns -1 and fills err (naming the file) on failure. Standard input
 * ("-") may hold several captures one after another: each further one
 * becomes the source after it, named "-#2", "-#3", ... */
int capture_open_files(struct capture *c, char *const *files, int n,
    const struct capture_opts *o, char *err, size_t errlen);

/* pcap_create, the pcap_set_* calls from o, pcap_activate, as tcpdump
 * does; not in immediate mode. A warning from activation goes in warn. */
int capture_open_live(struct capture *c, const char *iface,
    const struct capture_opts *o, char *err, size_t errlen,
    char *warn, size_t warnlen);

/* "lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes" */
void capture_describe(const struct capture *c, char *buf, size_t size);

/* Read on; live, until capture_stop, then the packets already captured
 * are read too (for up to twice the buffer timeout). Returns 0 at the end
 * of all input, 1 with a warning in msg (e.g. a truncated file; call again
 * to go on with the next), -1 with an error in msg. */
int capture_run(struct capture *c, capture_fn fn, capture_tick_fn tick,
    void *ctx, char *msg, size_t msglen);

/* Safe from a signal handler. */
void capture_stop(struct capture *c);

/* A live capture's counts from pcap_stats, as tcpdump prints them at exit.
 * Returns -1 (all 0) when not live or not known. */
struct capture_counts {
	uint64_t captured;      /* handed on */
	uint64_t received;      /* by the filter */
	uint64_t dropped;       /* by the kernel: no room in the buffer */
	uint64_t if_dropped;    /* by the interface */
};
int capture_counts(struct capture *c, struct capture_counts *n);

/* Closes every source and the -w file. Returns -1 with err filled when
 * the -w file could not be written in full. */
int capture_close(struct capture *c, char *err, size_t errlen);

#endif
