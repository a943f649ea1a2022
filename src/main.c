/* main.c: options, wiring of the pipeline, exit status. The only file that
 * prints errors and exits.
 *
 *   capture -> decap -> front -> reassembly -> exchange (dissector) -> outputs
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "decap.h"
#include "evidence.h"
#include "exchange.h"
#include "front.h"
#include "junit.h"
#include "logfile.h"
#include "outputs.h"
#include "reassembly.h"
#include "rulelist.h"
#include "tcpwatch.h"
#include "tee.h"
#include "view.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

enum {
	EXIT_CLEAN = 0,         /* nothing at or above --fail-on */
	EXIT_FOUND = 1,         /* a violation at or above --fail-on */
	EXIT_USAGE = 2          /* usage, input or output error */
};

/* Long-only options. */
enum {
	OPT_PORTS = 256,
	OPT_FAIL_ON,
	OPT_LIST_RULES,
	OPT_DISABLE,
	OPT_CONTINUE_TIMEOUT,
	OPT_PROCESSING_TIMEOUT,
	OPT_RESPONSE_TIMEOUT,
	OPT_SYN_TIMEOUT,
	OPT_ACK_TIMEOUT,
	OPT_MAX_HELD,
	OPT_MAX_STREAM_BUFFER,
	OPT_MAX_FLOWS,
	OPT_MAX_TIMERS,
	OPT_IDLE_TIMEOUT,
	OPT_TUI,
	OPT_NO_TUI,
	OPT_SPEED,
	OPT_JUNIT,
	OPT_LOG,
	OPT_TOP,
	OPT_WRITE_VIOLATIONS,
	OPT_VIOLATION_BUFFER
};

/* One table for getopt_long, --help and the man page test. */
static const struct opt {
	int key;                /* short letter or OPT_* */
	const char *name;       /* long name, or NULL */
	const char *arg;        /* argument name, or NULL */
	const char *help;
} opts[] = {
	{'r', "read", "FILE", "read a capture file (pcap or pcapng; - is standard input)"},
	{'i', "interface", "IFACE", "capture live on IFACE (\"any\" for all)"},
	{'f', "filter", "EXPR", "BPF filter applied by libpcap (default: every TCP packet)"},
	{'c', "count", "COUNT", "stop after COUNT packets"},
	{'s', "snaplen", "SNAPLEN", "live: bytes captured per packet (0 or default: 262144)"},
	{'B', "buffer-size", "KIB", "live: capture buffer size in KiB (default 32768, 32 MiB)"},
	{'p', "no-promiscuous-mode", NULL, "live: do not put the interface in promiscuous mode"},
	{'Z', "relinquish-privileges", "USER", "drop privileges to USER after opening the capture and the -w file"},
	{'w', "write", "FILE", "also save every packet read to FILE, as pcap"},
	{'n', "no-resolve", NULL, "resolve no names (interim never does; as tcpdump)"},
	{'l', "line-buffered", NULL, "line-buffer standard output"},
	{'j', "json", NULL, "write JSON lines instead of the text report"},
	{OPT_LOG, "log", "FILE", "also append the JSON lines to FILE; SIGHUP reopens it (logrotate)"},
	{OPT_JUNIT, "junit", "FILE", "also write JUnit XML to FILE: a test suite per capture file, a test case per rule"},
	{'v', "verbose", NULL, "list every exchange with its 1xx timeline"},
	{'q', "quiet", NULL, "report only the summary line and what is wrong"},
	{OPT_PORTS, "ports", "LIST", "only analyse connections to these server ports (80,8000-8099)"},
	{OPT_FAIL_ON, "fail-on", "LEVEL", "exit 1 on a violation of this severity or worse: error (default), warning, notice, never; nothing analysed is no violation (exit 0, with a warning)"},
	{OPT_DISABLE, "disable", "RULES", "comma-separated rule ids not to check"},
	{OPT_LIST_RULES, "list-rules", NULL, "list the rules and exit (with -j: as JSON lines)"},
	{OPT_CONTINUE_TIMEOUT, "continue-timeout", "SEC", "continue-slow after SEC without 100 or final (default 1)"},
	{OPT_PROCESSING_TIMEOUT, "processing-timeout", "SEC", "processing-silence after SEC without a response after 102 (default 100)"},
	{OPT_RESPONSE_TIMEOUT, "response-timeout", "SEC", "response-timeout after SEC without a response byte (default 100)"},
	{OPT_SYN_TIMEOUT, "syn-timeout", "SEC", "handshake-timeout after SEC without SYN-ACK (default 19)"},
	{OPT_ACK_TIMEOUT, "ack-timeout", "SEC", "request-unacked after SEC without an ACK (default 90)"},
	{OPT_MAX_HELD, "max-held", "MIB", "bytes of incomplete message heads held back, all connections together (default 256)"},
	{OPT_MAX_STREAM_BUFFER, "max-stream-buffer", "KIB", "bytes of an incomplete message head held back in one direction (default 64, at most 64)"},
	{OPT_MAX_FLOWS, "max-flows", "N", "connections followed at once; past it the longest idle goes (default 100000)"},
	{OPT_MAX_TIMERS, "max-timers", "N", "deadlines watched at once (default 1000000)"},
	{OPT_IDLE_TIMEOUT, "idle-timeout", "SEC", "let a connection go after SEC without data (default 300)"},
	{OPT_TUI, "tui", NULL, "show the live view (the default when capturing live with a terminal on standard output)"},
	{OPT_NO_TUI, "no-tui", NULL, "no live view: stream and report as text"},
	{OPT_SPEED, "speed", "X", "with --tui on files: replay in packet time scaled by X (default 1; 0: as fast as possible)"},
	{OPT_TOP, "top", "N", "text report: list the N slowest exchanges (default 10, at most 1000)"},
	{OPT_WRITE_VIOLATIONS, "write-violations", "FILE", "write the packets of the connections with a violation to FILE, as pcap"},
	{OPT_VIOLATION_BUFFER, "violation-buffer", "N", "live or standard input: packets kept per connection until its first violation (default 64; 64 MiB in all)"},
	{'h', "help", NULL, "print this help and exit"},
	{'V', "version", NULL, "print the version and exit"},
	{0, NULL, NULL, NULL}
};

struct config {
	char **files;
	int nfiles;
	const char *iface;
	const char *user;
	int line_buffered;
	struct capture_opts cap;
	struct report_opts rep;
	int json;
	uint8_t *ports;         /* bitmap of server ports, or NULL: all */
	struct reassembly_caps caps;
	size_t max_timers;
	struct rules_config rules;
	enum severity fail_on;  /* SEV_NONE: never */
	int tui;                /* -1: when live on a terminal */
	double speed;           /* --speed: file replay pace */
	int list_rules;
	const char *junit;      /* --junit FILE, or NULL */
	const char *log;        /* --log FILE, or NULL */
	struct evidence_opts evidence;  /* --write-violations */
};

/* What the signal handler and the packet callback reach. */
static struct capture cap;
static struct stats stats;
static struct analysis analysis;
static struct tcpwatch *watch;
static int output_errno;        /* the first write to stdout that failed */
static int tui;                 /* the live view is on */
static double speed;            /* --speed */
/* the outputs to files besides standard output */
static struct {
	struct logfile *log;    /* --log, or NULL */
	volatile sig_atomic_t reopen;   /* SIGHUP with --log: reopen it */
	struct junit *junit;    /* --junit, or NULL */
	int source;             /* the source junit was last told of */
	const struct sink *tee[2];      /* what chained them, to free */
} files_out;
static struct evidence *evidence;       /* --write-violations, or NULL */

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: interim [options] [FILE...]   analyse capture files\n"
	    "       interim [options] -i IFACE    capture live\n\n"
	    "Pairs HTTP/1.x requests with their interim (1xx) and final "
	    "responses.\n\noptions:\n");
	for (const struct opt *o = opts; o->name != NULL; o++) {
		char left[64];

		if (o->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key,
			    o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(out, "  %-34s %s\n", left, o->help);
	}
	fprintf(out, "\nExit status: 0 clean (also when nothing was analysed: "
	    "a warning says so), 1 a violation at or above\n--fail-on was "
	    "found, 2 usage, input or output error.\n"
	    "Rules: interim --list-rules.  Manual: man interim.\n");
}

/* Standard output flushed and closed. A write that failed there or in a
 * sink before is an error: one line, and EXIT_USAGE instead of status. */
static int
close_output(int status)
{
	int err = output_errno, had_error = ferror(stdout);

	if ((fclose(stdout) != 0 || had_error) && err == 0)
		err = errno != 0 ? errno : EIO;
	if (err == 0)
		return status;
	fprintf(stderr, "interim: cannot write output: %s\n", strerror(err));
	return EXIT_USAGE;
}

static void
die(const char *fmt, const char *what)
{
	fprintf(stderr, "interim: ");
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

static long
parse_count(const char *s, const char *opt, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v <= 0 || v > max) {
		fprintf(stderr, "interim: invalid %s '%s'\n", opt, s);
		exit(EXIT_USAGE);
	}
	return v;
}

/* seconds, fractions allowed, into microseconds */
static int64_t
parse_seconds(const char *s, const char *opt)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0) ||
	    v > 1e9) {
		fprintf(stderr, "interim: invalid --%s '%s' (seconds, e.g. "
		    "2.5)\n", opt, s);
		exit(EXIT_USAGE);
	}
	return (int64_t)(v * USEC + 0.5);
}

static double
parse_speed(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0) || v > 1e6)
		die("invalid --speed '%s' (a factor, 0 for no pacing)", s);
	return v;
}

static void
parse_disable(const char *s, struct rules_config *rc)
{
	char *copy = strdup(s), *save = NULL;

	if (copy == NULL)
		die("%s", "out of memory");
	for (char *id = strtok_r(copy, ",", &save); id != NULL;
	    id = strtok_r(NULL, ",", &save)) {
		int r = rules_find(id);

		if (r < 0) {
			fprintf(stderr, "interim: unknown rule '%s' (see "
			    "--list-rules)\n", id);
			exit(EXIT_USAGE);
		}
		rc->disabled[r] = 1;
	}
	free(copy);
}

static enum severity
parse_fail_on(const char *s)
{
	enum severity v = severity_parse(s);

	if (v == SEV_NONE && strcmp(s, "never") != 0)
		die("invalid --fail-on '%s' (error, warning, notice or never)",
		    s);
	return v;
}

/* "80,443,8000-8099" */
static uint8_t *
parse_ports(const char *s)
{
	uint8_t *map = calloc(65536 / 8, 1);
	const char *p = s;

	if (map == NULL)
		die("%s", "out of memory");
	if (*s == '\0')
		die("invalid --ports '%s'", s);
	while (*p != '\0') {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			die("invalid --ports '%s'", s);
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p)
				die("invalid --ports '%s'", s);
		}
		if (lo < 1 || hi > 65535 || lo > hi || (*end != ',' &&
		    *end != '\0'))
			die("invalid --ports '%s'", s);
		for (long port = lo; port <= hi; port++)
			map[port / 8] |= (uint8_t)(1 << (port % 8));
		p = *end == ',' ? end + 1 : end;
	}
	return map;
}

/* One line instead of getopt's, which names argv[0] (a path) and was
 * followed by the whole usage. c is what getopt_long returned: ':' for a
 * missing argument, '?' for the rest. getopt has moved past a long
 * option and an option missing its argument, so argv[optind - 1] is what
 * was typed; an unknown letter may be inside a group (-qx), so it is
 * named by optopt alone. */
static void
bad_option(int c, char **argv, const struct option *longs,
    const char *shorts)
{
	const char *typed = argv[optind - 1], *what = "unrecognized option";
	char name[64] = "?";
	size_t len;
	int matches = 0;

	if (c == '?' && optopt > 0 && optopt < 256 && (optopt == ':' ||
	    strchr(shorts + 1, optopt) == NULL)) {
		snprintf(name, sizeof(name), "-%c", optopt);
	} else if (c == ':' && strncmp(typed, "--", 2) != 0) {
		snprintf(name, sizeof(name), "-%c", optopt);
		what = "option";
	} else if (optopt != 0) {       /* the long name, not as abbreviated */
		for (const struct option *o = longs; o->name != NULL; o++)
			if (o->val == optopt)
				snprintf(name, sizeof(name), "--%s", o->name);
		what = "option";
	} else {
		len = strcspn(typed, "=");
		snprintf(name, sizeof(name), "%.*s", (int)len, typed);
		for (const struct option *o = longs; o->name != NULL; o++)
			matches += strncmp(o->name, typed + 2, len - 2) == 0;
		if (matches > 1)
			what = "ambiguous option";
	}
	fprintf(stderr, "interim: %s '%s'%s (see interim --help)\n", what,
	    name, c == ':' ? " requires an argument" : strcmp(what,
	    "option") == 0 ? " doesn't allow an argument" : "");
	exit(EXIT_USAGE);
}

static void
parse_args(int argc, char **argv, struct config *cf)
{
	struct option longs[sizeof(opts) / sizeof(opts[0])];
	char shorts[64] = ":";          /* ':' for a missing argument */
	size_t n = 0, sl = 1;
	int c;

	for (const struct opt *o = opts; o->name != NULL; o++, n++) {
		longs[n] = (struct option){o->name, o->arg ? required_argument :
		    no_argument, NULL, o->key};
		if (o->key < 256) {
			shorts[sl++] = (char)o->key;
			if (o->arg)
				shorts[sl++] = ':';
		}
	}
	longs[n] = (struct option){NULL, 0, NULL, 0};
	shorts[sl] = '\0';
	cf->files = calloc((size_t)argc + 1, sizeof(char *));
	if (cf->files == NULL)
		die("%s", "out of memory");
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		switch (c) {
		case 'r': cf->files[cf->nfiles++] = optarg; break;
		case 'i': cf->iface = optarg; break;
		case 'f': cf->cap.filter = optarg; break;
		case 'c': cf->cap.count = parse_count(optarg, "count", LONG_MAX); break;
		case 's': cf->cap.snaplen = strcmp(optarg, "0") == 0 ? 262144 :   /* as tcpdump */
			(int)parse_count(optarg, "snaplen", 262144); break;
		case 'B': cf->cap.buffer_kib = (int)parse_count(optarg, "buffer size", 4194304); break;
		case 'p': cf->cap.promisc = 0; break;
		case 'Z': cf->user = optarg; break;
		case 'w': cf->cap.save = optarg; break;
		case 'n': break;
		case 'l': cf->line_buffered = 1; break;
		case 'j': cf->json = 1; break;
		case 'v': cf->rep.verbose = 1; break;
		case 'q': cf->rep.quiet = 1; break;
		case OPT_PORTS: cf->ports = parse_ports(optarg); break;
		case OPT_FAIL_ON: cf->fail_on = parse_fail_on(optarg); break;
		case OPT_DISABLE: parse_disable(optarg, &cf->rules); break;
		case OPT_LIST_RULES: cf->list_rules = 1; break;
		case OPT_CONTINUE_TIMEOUT: cf->rules.continue_timeout = parse_seconds(optarg, "continue-timeout"); break;
		case OPT_PROCESSING_TIMEOUT: cf->rules.processing_timeout = parse_seconds(optarg, "processing-timeout"); break;
		case OPT_RESPONSE_TIMEOUT: cf->rules.response_timeout = parse_seconds(optarg, "response-timeout"); break;
		case OPT_SYN_TIMEOUT: cf->rules.syn_timeout = parse_seconds(optarg, "syn-timeout"); break;
		case OPT_ACK_TIMEOUT: cf->rules.ack_timeout = parse_seconds(optarg, "ack-timeout"); break;
		case OPT_MAX_HELD: cf->caps.max_held = (uint64_t)parse_count(optarg, "--max-held", 1048576) << 20; break;
		case OPT_MAX_STREAM_BUFFER: cf->caps.max_stream_buffer = (uint32_t)parse_count(optarg, "--max-stream-buffer", 64) << 10; break;
		case OPT_MAX_FLOWS: cf->caps.max_flows = (uint32_t)parse_count(optarg, "--max-flows", 10000000); break;
		case OPT_MAX_TIMERS: cf->max_timers = (size_t)parse_count(optarg, "--max-timers", 100000000); break;
		case OPT_IDLE_TIMEOUT: cf->caps.idle_timeout = parse_seconds(optarg, "idle-timeout"); break;
		case OPT_TUI: cf->tui = 1; break;
		case OPT_NO_TUI: cf->tui = 0; break;
		case OPT_SPEED: cf->speed = parse_speed(optarg); break;
		case OPT_JUNIT: cf->junit = optarg; break;
		case OPT_LOG: cf->log = optarg; break;
		case OPT_TOP: cf->rep.top = (unsigned)parse_count(optarg, "--top", REPORT_TOP_MAX); break;
		case OPT_WRITE_VIOLATIONS: cf->evidence.path = optarg; break;
		case OPT_VIOLATION_BUFFER: cf->evidence.buffer = (unsigned)parse_count(optarg, "--violation-buffer", 1000000); break;
		case 'h': usage(stdout); exit(close_output(EXIT_CLEAN));
		case 'V': printf("interim %s\n", PACKAGE_VERSION); exit(close_output(EXIT_CLEAN));
		default: bad_option(c, argv, longs, shorts);
		}
	}
	if (cf->list_rules) {           /* after the loop: -j may follow */
		if (cf->json)
			rulelist_json(stdout);
		else
			rulelist_text(stdout);
		exit(close_output(EXIT_CLEAN));
	}
	for (int i = optind; i < argc; i++)
		cf->files[cf->nfiles++] = argv[i];
	if (cf->nfiles == 0 && cf->iface == NULL) {
		usage(stderr);
		exit(EXIT_USAGE);
	}
	if (cf->nfiles > 0 && cf->iface != NULL)
		die("%s", "give capture files or -i, not both");
	if (cf->cap.save != NULL && strcmp(cf->cap.save, "-") == 0)
		die("%s", "cannot save to '-': standard output has the report");
	if (cf->junit != NULL && strcmp(cf->junit, "-") == 0)
		die("%s", "cannot write --junit to '-': standard output has the "
		    "report");
	if (cf->log != NULL && strcmp(cf->log, "-") == 0)
		die("%s", "cannot write --log to '-': use -j for standard output");
	if (cf->evidence.path != NULL && strcmp(cf->evidence.path, "-") == 0)
		die("%s", "cannot write violations to '-': standard output has "
		    "the report");
	if (cf->evidence.buffer > 0 && cf->evidence.path == NULL)
		die("%s", "--violation-buffer needs --write-violations");
}

static void
drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (pw == NULL)
		die("unknown user '%s'", user);
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		fprintf(stderr, "interim: cannot change to user '%s': %s\n",
		    user, strerror(errno));
		exit(EXIT_USAGE);
	}
}

/* Packet time in microseconds, never earlier than the packet before in
 * the same source: a clock stepped back (or a capture merged out of order)
 * then stands still until it catches up, so that no wait looks shorter or
 * longer than it was. Each file is a timeline of its own, so the next one
 * may begin earlier. A time past year 9999 or before 1970 (pcapng lets a
 * file say so) is impossible, and taken as the packet before's. Both are
 * counted. Sets stats.first_ts, which only a file's first packet can
 * move. */
static int64_t
packet_clock(const struct timeval *tv)
{
	static const uint64_t max_sec = 253402300799;   /* 9999-12-31 */
	static struct {
		int src;                /* cap.cur the clock was read for */
		int64_t last;           /* INT64_MIN: none read there yet */
	} clock = {-1, INT64_MIN};
	int64_t ts;

	int first = clock.src != cap.cur;       /* of its file */

	if (first) {
		clock.src = cap.cur;
		clock.last = INT64_MIN;
	}
	/* negative fields are huge once unsigned */
	if ((uint64_t)tv->tv_sec > max_sec ||
	    (unsigned long)tv->tv_usec >= USEC) {
		stats.bad_times++;
		ts = clock.last != INT64_MIN ? clock.last : 0;
	} else {
		ts = (int64_t)tv->tv_sec * USEC + tv->tv_usec;
		if (ts < clock.last) {          /* never when none was read */
			stats.time_backwards++;
			ts = clock.last;
		}
	}
	clock.last = ts;
	/* never earlier than a file's first: the least of those is the
	 * capture's first */
	if (first && (stats.packets == 0 || ts < stats.first_ts))
		stats.first_ts = ts;
	return ts;
}

static int64_t
wall_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * USEC + t.tv_nsec / 1000;
}

/* Files in the live view: wait for packet time ts, scaled by --speed,
 * redrawing and reading keys meanwhile; every packet at --speed 0, with a
 * look at the clock for a redraw. Quitting stops the capture. */
static void
pace(int64_t ts)
{
	static int64_t base_wall, base_ts, next_look;
	static int file = -1;
	int64_t wall = wall_now(), due;

	if (cap.live)
		return;
	if (cap.cur != file) {
		file = cap.cur;
		view_file(cap.src[file].name, file, cap.n);
	}
	if (stats.packets == 0) {
		base_wall = wall;
		base_ts = ts;
		next_look = 0;
	}
	due = speed > 0 ? base_wall + (int64_t)((double)(ts - base_ts) /
	    speed) : wall;
	if (wall < due)
		next_look = 0;
	if (wall < next_look)
		return;
	next_look = wall + 50000;       /* keys and the clock, 20 times/s */
	for (;;) {
		struct timespec nap;

		if (view_poll(wall, stats.last_ts)) {
			capture_stop(&cap);
			return;
		}
		if (wall >= due || cap.stop)
			return;
		nap.tv_sec = 0;
		nap.tv_nsec = (long)((due - wall > 50000 ? 50000 : due - wall) *
		    1000);
		nanosleep(&nap, NULL);
		wall = wall_now();
	}
}

/* SIGHUP with --log: the lines so far stay in the file logrotate moved,
 * the next go to a new one by the same name. */
static void
reopen_log(void)
{
	char err[512];

	files_out.reopen = 0;
	if (logfile_reopen(files_out.log, err, sizeof(err)) != 0)
		fprintf(stderr, "interim: warning: %s; writing on to the file "
		    "before\n", err);
}

/* Before a frame's deadlines, what options off on most runs ask: --log
 * reopened after SIGHUP, --junit told of a new file, the live view's
 * pace. Out of on_frame() so that the plain frame's path stays short. */
static void __attribute__((noinline))
frame_options(int64_t ts)
{
	if (files_out.reopen)
		reopen_log();
	/* a violation belongs to the file being read when it is raised */
	if (files_out.junit != NULL && cap.cur != files_out.source) {
		files_out.source = cap.cur;
		junit_source(files_out.junit, cap.cur);
	}
	if (tui)
		pace(ts);
}

/* The deadlines before a frame, when one has passed (out of line, as
 * above). */
static void __attribute__((noinline))
frame_timers(int64_t ts)
{
	timers_run(&analysis.timers, ts);
}

/* --write-violations keeps the frame (out of line, as above). */
static void __attribute__((noinline))
frame_evidence(int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes,
    int64_t ts)
{
	evidence_packet(evidence, dlt, h, bytes, ts);
}

/* What decap() found in a frame, when it is not IPv4 TCP (out of line,
 * as above). */
static void __attribute__((noinline))
frame_other(enum decap_result r, const uint8_t *ip, size_t len,
    enum decap_skip why, int64_t ts)
{
	switch (r) {
	case DECAP_IPV4:
		stats.other_ip++;
		stats.undecoded[ip[9] == 17 ? DECAP_SKIP_UDP :
		    DECAP_SKIP_IP_PROTO]++;
		break;
	case DECAP_IPV6:
		front_ipv6(&analysis, watch, ip, len, ts);
		break;
	case DECAP_NOT_IP:
		stats.not_ip++;
		stats.undecoded[why]++;
		break;
	case DECAP_BAD:
		stats.bad_link++;
		stats.undecoded[why]++;
		break;
	}
}

/* One captured frame through decap and the front end into reassembly. */
static void
on_frame(void *ctx, int dlt, const struct pcap_pkthdr *h,
    const uint8_t *bytes)
{
	int64_t ts = packet_clock(&h->ts);
	const uint8_t *ip;
	size_t len;
	enum decap_skip why;
	enum decap_result r;

	(void)ctx;
	if (files_out.reopen || files_out.junit != NULL || tui)
		frame_options(ts);
	if (timers_next(&analysis.timers) < ts)
		frame_timers(ts);       /* deadlines before this packet */
	stats.packets++;
	if (ts > stats.last_ts)
		stats.last_ts = ts;
	stats.bytes += h->len;
	if (h->caplen < h->len)
		stats.snaplen_cut++;
	if (evidence != NULL)
		frame_evidence(dlt, h, bytes, ts);
	r = decap(dlt, bytes, h->caplen, &ip, &len, &why);
	if (r == DECAP_IPV4 && (len < 20 || ip[9] == 6)) {
		stats.ipv4_tcp++;
		front_ipv4_wire(&analysis, watch, ip, len, ts);
	} else {
		frame_other(r, ip, len, why, ts);
	}
}

/* Live: deadlines pass on the wall clock even when no packet comes; the
 * capture then sleeps until the next one. */
static int64_t
on_tick(void *ctx, int64_t now)
{
	int64_t next;

	(void)ctx;
	if (files_out.reopen)
		reopen_log();
	if (now > stats.last_ts) {
		timers_run(&analysis.timers, now);
		reassembly_tick(now);
	}
	next = timers_next(&analysis.timers);
	if (tui) {
		if (view_poll(wall_now(), now))
			capture_stop(&cap);
		if (next > now + VIEW_REDRAW_MS * 1000LL)
			next = now + VIEW_REDRAW_MS * 1000LL;
	}
	return next;
}

/* libnids ran out of memory, and cannot go on. */
static void
reassembly_fatal(const char *where)
{
	fprintf(stderr, "interim: out of memory in the TCP reassembler (%s); "
	    "analysis stopped (try a capture filter or --max-held)\n", where);
	exit(EXIT_USAGE);
}

/* A sink could not write: analysing on would be for nobody. */
static void
on_output_failed(void *ctx, int err)
{
	(void)ctx;
	output_errno = err;
	capture_stop(&cap);
}

/* A failed --log write ends the capture as one on standard output does;
 * logfile_close names the file. */
static void
on_log_failed(void *ctx, int err)
{
	(void)ctx;
	(void)err;
	capture_stop(&cap);
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP && files_out.log != NULL)
		files_out.reopen = 1;   /* poll() wakes with EINTR */
	else
		capture_stop(&cap);
}

static void
print_counts(const struct capture_counts *n)
{
	fprintf(stderr, "%llu packet%s captured\n%llu packet%s received by "
	    "filter\n%llu packet%s dropped by kernel\n",
	    (unsigned long long)n->captured, n->captured == 1 ? "" : "s",
	    (unsigned long long)n->received, n->received == 1 ? "" : "s",
	    (unsigned long long)n->dropped, n->dropped == 1 ? "" : "s");
	if (n->if_dropped > 0)
		fprintf(stderr, "%llu packet%s dropped by interface\n",
		    (unsigned long long)n->if_dropped,
		    n->if_dropped == 1 ? "" : "s");
}

static void
open_input(struct config *cf)
{
	char err[512], warn[512];

	if (cf->iface != NULL) {
		if (capture_open_live(&cap, cf->iface, &cf->cap, err,
		    sizeof(err), warn, sizeof(warn)) != 0)
			die("%s", err);
		if (warn[0] != '\0')
			fprintf(stderr, "interim: warning: %s\n", warn);
		capture_describe(&cap, warn, sizeof(warn));
		fprintf(stderr, "interim: listening on %s\n", warn);
	} else if (capture_open_files(&cap, cf->files, cf->nfiles, &cf->cap,
	    err, sizeof(err)) != 0) {
		die("%s", err);
	}
	stats.files = cap.live ? 0 : (uint64_t)cap.n;
}

/* --log and --junit: opened before -Z drops privileges. */
static void
open_file_outputs(const struct config *cf)
{
	char err[512];

	if (cf->log != NULL && (files_out.log = logfile_open(cf->log,
	    cap.live, on_log_failed, NULL, err, sizeof(err))) == NULL)
		die("%s", err);
	if (cf->junit != NULL && (files_out.junit = junit_open(cf->junit,
	    &cf->rules, cf->fail_on, err, sizeof(err))) == NULL)
		die("%s", err);
}

/* out, then --log and --junit after it: a tee each. */
static const struct sink *
chain_file_outputs(const struct sink *out)
{
	if (out != NULL && files_out.log != NULL)
		out = files_out.tee[0] = sink_tee(out,
		    logfile_sink(files_out.log));
	if (out != NULL && files_out.junit != NULL)
		out = files_out.tee[1] = sink_tee(out,
		    junit_sink(files_out.junit));
	if (out == NULL)
		die("%s", "out of memory");
	return out;
}

/* Writes the JUnit XML and closes --log: 0, or -1 after saying why. */
static int
close_file_outputs(void)
{
	char err[512], **names;
	int rc = 0;

	if (files_out.junit != NULL) {
		names = calloc((size_t)cap.n + 1, sizeof(*names));
		for (int i = 0; names != NULL && i < cap.n; i++)
			names[i] = cap.src[i].name;
		if (names == NULL || junit_close(files_out.junit, names, cap.n,
		    err, sizeof(err)) != 0) {
			fprintf(stderr, "interim: %s\n", names == NULL ?
			    "out of memory" : err);
			rc = -1;
		}
		free(names);
		files_out.junit = NULL;
	}
	if (logfile_close(files_out.log, err, sizeof(err)) != 0) {
		fprintf(stderr, "interim: %s\n", err);
		rc = -1;
	}
	files_out.log = NULL;
	sink_tee_free(files_out.tee[0]);
	sink_tee_free(files_out.tee[1]);
	return rc;
}

/* --write-violations: open before privileges are dropped, as -w. */
static void
open_evidence(struct config *cf)
{
	char err[512];

	if (cf->evidence.buffer == 0)
		cf->evidence.buffer = EVIDENCE_BUFFER;
	cf->evidence.rules = &cf->rules;
	cf->evidence.idle_timeout = cf->caps.idle_timeout;
	cf->evidence.max_tracked = 2 * (size_t)cf->caps.max_flows +
	    2 * TCPWATCH_MAX;
	cf->evidence.max_attempts = 2 * TCPWATCH_MAX;
	evidence = evidence_open(&cf->evidence, &cap, &cf->cap, &stats, err,
	    sizeof(err));
	if (evidence == NULL)
		die("%s", err);
}

int
main(int argc, char **argv)
{
	struct config cf = {.rules = RULES_DEFAULTS, .fail_on = SEV_ERROR,
	    .caps = {REASSEMBLY_MAX_HELD, REASSEMBLY_STREAM_BUFFER,
	    REASSEMBLY_MAX_FLOWS, REASSEMBLY_IDLE}, .max_timers = 1000000};
	struct capture_counts counts;
	int have_counts;
	const struct sink *primary;
	const char *no_colour;
	char err[512];
	int rc;

	/* from scratch, so that main() can run again (tests/fuzz) */
	memset(&cap, 0, sizeof(cap));
	memset(&stats, 0, sizeof(stats));
	memset(&analysis, 0, sizeof(analysis));
	memset(&files_out, 0, sizeof(files_out));
	watch = NULL;
	evidence = NULL;
	output_errno = 0;
	cf.cap.promisc = 1;
	cf.tui = -1;
	cf.speed = 1;
	tui = 0;
	parse_args(argc, argv, &cf);
	if (cf.line_buffered)
		setvbuf(stdout, NULL, _IOLBF, 0);
	/* closed, it would be reused by the capture's descriptor */
	if (fcntl(STDOUT_FILENO, F_GETFD) == -1)
		die("cannot write output: %s", strerror(EBADF));
	open_input(&cf);
	open_file_outputs(&cf);
	if (cf.evidence.path != NULL)
		open_evidence(&cf);
	if (cf.user != NULL)
		drop_privileges(cf.user);
	/* no-color.org: set and not empty */
	no_colour = getenv("NO_COLOR");
	if (cf.tui < 0)
		cf.tui = cap.live && !cf.json && isatty(STDOUT_FILENO);
	if (cf.tui && cf.json)
		die("%s", "--tui and --json both want standard output");
	if (cf.tui && !isatty(STDOUT_FILENO))
		die("%s", "--tui needs a terminal on standard output");
	tui = cf.tui;
	speed = cf.speed;
	cf.rep.iface = cf.iface;
	cf.rep.stream = cap.live && !tui;
	cf.rep.colour = isatty(STDOUT_FILENO) &&
	    (no_colour == NULL || no_colour[0] == '\0');
	analysis.st = &stats;
	analysis.cfg = cf.rules;
	if (cap.live)           /* ids unlike those of any run before */
		flowid_seed(&analysis.ids, wall_now(), (long)getpid());
	primary = cf.json ?
	    json_sink(stdout, cap.live, on_output_failed, NULL) :
	    report_sink(stdout, &cf.rep, on_output_failed, NULL);
	if (primary == NULL)
		die("%s", "out of memory");
	analysis.out = chain_file_outputs(primary);
	if (tui) {
		struct view_opts vo = {cap.live ? cf.iface : cf.files[0],
		    cap.live};

		if (view_open(&analysis, analysis.out, &vo, err,
		    sizeof(err)) != 0)
			die("%s", err);
		atexit(view_close);
		analysis.out = view_sink();
	}
	if (evidence != NULL)
		analysis.out = evidence_sink(evidence, analysis.out);
	watch = tcpwatch_new(&analysis, cf.ports);
	if (watch == NULL)
		die("%s", "out of memory");
	tcpwatch_unmap(watch, front_unmap_key);
	analysis.timers.max = cf.max_timers;
	if (reassembly_init(&analysis, cf.ports, &cf.caps, reassembly_fatal,
	    err, sizeof(err)) != 0)
		die("%s", err);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (signal(SIGHUP, on_signal) == SIG_IGN)       /* nohup: stay ignored */
		signal(SIGHUP, SIG_IGN);
	if (files_out.junit != NULL)    /* its clock starts */
		junit_source(files_out.junit, files_out.source = 0);
	while ((rc = capture_run(&cap, on_frame, on_tick, NULL, err,
	    sizeof(err))) == 1) {
		fprintf(stderr, "interim: warning: %s\n", err);
		stats.truncated = 1;
		if (files_out.junit != NULL)    /* the source that ended */
			junit_warn(files_out.junit, cap.cur - 1, err);
	}
	stats.files = cap.live ? 0 : (uint64_t)cap.n;  /* stdin may hold more */
	if (tui) {
		if (!cap.stop && rc >= 0)
			view_hold(cap.live ? wall_now() : stats.last_ts,
			    &cap.stop);
		view_close();
	}
	if (rc < 0)
		fprintf(stderr, "interim: %s\n", err);
	if ((have_counts = capture_counts(&cap, &counts) == 0)) {
		stats.dropped = counts.dropped;
		stats.if_dropped = counts.if_dropped;
	}
	reassembly_finish();
	front_finish();
	front_ipv6_finish();
	tcpwatch_free(watch);
	stats.timers_refused = analysis.timers.refused;
	if (evidence != NULL && evidence_finish(evidence, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "interim: %s\n", err);
		rc = -1;
	}
	if (analysis.out->finish != NULL)
		analysis.out->finish(analysis.out->self, &stats,
		    analysis.rule_counts);
	if (rc >= 0 && nothing_analysed(&stats, err, sizeof(err)))
		fprintf(stderr, "interim: warning: nothing analysed: %s\n", err);
	if (have_counts)        /* after the report, as tcpdump */
		print_counts(&counts);
	timers_free(&analysis.timers);
	exchange_cleanup(&analysis);
	if (close_file_outputs() != 0)
		rc = -1;
	if (cf.json)
		json_sink_free(primary);
	evidence_free(evidence);
	evidence = NULL;
	if (capture_close(&cap, err, sizeof(err)) != 0) {
		fprintf(stderr, "interim: %s\n", err);
		rc = -1;
	}
	free(cf.files);
	free(cf.ports);
	if (rc < 0)
		return close_output(EXIT_USAGE);
	return close_output(cf.fail_on != SEV_NONE &&
	    analysis.worst >= cf.fail_on ? EXIT_FOUND : EXIT_CLEAN);
}
