/* nids-only: baseline 2, the cost of libnids TCP reassembly alone.
 *
 * usage: nids-only [-p] [-B] [-c] FILE
 *
 * Runs libnids over FILE with the settings an analyzer would use: port-scan
 * detection off, a stream table sized for 100k flows, checksum checks off
 * (-c turns them on, to check a capture's checksums: the counts must not
 * change), syslog reports counted instead of printed. The TCP callback asks
 * for both directions at NIDS_JUST_EST and on NIDS_DATA only adds count_new
 * to a byte counter, so this measures reassembly without any parsing.
 *
 * By default libnids opens FILE itself (nids_params.filename). With -p we
 * open it with pcap_open_offline() and feed packets through
 * nids_params.pcap_desc and nids_pcap_handler(), as interim's capture stage
 * does; the two should cost the same. -B (implies -p) reads FILE through a
 * 64 KiB stdio buffer as interim does (capture.c), not libpcap's 4 KiB
 * one: a read(2) per 64 KiB, not per 4 KiB.
 *
 * Prints one line of counters on stdout. Exit status 0, 2 on error.
 */
#include <nids.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* libnids callbacks take no user pointer, so the counters are global. */
static struct {
	uint64_t established, closed, reset, timed_out, exiting;
	uint64_t data_events;
	uint64_t c2s_bytes;     /* reassembled client->server payload */
	uint64_t s2c_bytes;     /* reassembled server->client payload */
	uint64_t syslog_reports;
} counts;

/* nids tcp callback: collect both halves, count delivered bytes. */
static void on_tcp(struct tcp_stream *s, void **param)
{
	(void)param;
	switch (s->nids_state) {
	case NIDS_JUST_EST:
		s->client.collect++;
		s->server.collect++;
		counts.established++;
		break;
	case NIDS_DATA:
		counts.data_events++;
		counts.c2s_bytes += (uint64_t)s->server.count_new;
		counts.s2c_bytes += (uint64_t)s->client.count_new;
		break;
	case NIDS_CLOSE:
		counts.closed++;
		break;
	case NIDS_RESET:
		counts.reset++;
		break;
	case NIDS_TIMED_OUT:
		counts.timed_out++;
		break;
	case NIDS_EXITING:
		counts.exiting++;
		break;
	}
}

/* Replaces libnids' syslog(3) reporting: count, do not print. */
static void on_syslog(int type, int errnum, struct ip *iph, void *data)
{
	(void)type; (void)errnum; (void)iph; (void)data;
	counts.syslog_reports++;
}

/* Runs libnids over an already-open pcap handle. Returns 0 or -1. */
static int feed_from_handle(pcap_t *p)
{
	nids_params.pcap_desc = p;
	if (!nids_init())
		return -1;
	nids_register_tcp(on_tcp);
	if (pcap_loop(p, -1, (pcap_handler)nids_pcap_handler, NULL) ==
	    PCAP_ERROR) {
		snprintf(nids_errbuf, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(p));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct nids_chksum_ctl no_chksum = { 0, 0, NIDS_DONT_CHKSUM, 0 };
	char errbuf[PCAP_ERRBUF_SIZE];
	int own_handle = 0, big_buffer = 0, check_sums = 0, opt;
	static char buffer[64 * 1024];
	pcap_t *p = NULL;

	while ((opt = getopt(argc, argv, "pBc")) != -1) {
		if (opt == 'p')
			own_handle = 1;
		else if (opt == 'B')
			own_handle = big_buffer = 1;
		else if (opt == 'c')
			check_sums = 1;
		else
			break;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: nids-only [-p] [-B] [-c] FILE\n");
		return 2;
	}

	nids_params.scan_num_hosts = 0;         /* no port-scan detection */
	nids_params.n_tcp_streams = 136000;     /* ~100k concurrent flows */
	nids_params.syslog = on_syslog;
	nids_params.pcap_filter = NULL;
	if (!check_sums)
		nids_register_chksum_ctl(&no_chksum, 1);

	if (own_handle) {
		if (big_buffer) {
			FILE *f = fopen(argv[optind], "rb");

			if (f != NULL)
				setvbuf(f, buffer, _IOFBF, sizeof(buffer));
			p = f != NULL ? pcap_fopen_offline(f, errbuf) : NULL;
			if (f == NULL)
				snprintf(errbuf, sizeof(errbuf), "cannot open");
			else if (p == NULL)
				fclose(f);
		} else {
			p = pcap_open_offline(argv[optind], errbuf);
		}
		if (!p) {
			fprintf(stderr, "nids-only: cannot open '%s': %s\n",
				argv[optind], errbuf);
			return 2;
		}
		if (feed_from_handle(p) < 0) {
			fprintf(stderr, "nids-only: '%s': %s\n", argv[optind],
				nids_errbuf);
			pcap_close(p);
			return 2;
		}
	} else {
		nids_params.filename = argv[optind];
		if (!nids_init()) {
			fprintf(stderr, "nids-only: cannot open '%s': %s\n",
				argv[optind], nids_errbuf);
			return 2;
		}
		nids_register_tcp(on_tcp);
		nids_run();             /* returns at end of file */
	}
	nids_exit();            /* NIDS_EXITING for streams still open */
	if (p)
		pcap_close(p);

	printf("streams %llu closed %llu reset %llu timed_out %llu "
	       "open_at_exit %llu data_events %llu c2s_bytes %llu "
	       "s2c_bytes %llu syslog_reports %llu\n",
	       (unsigned long long)counts.established,
	       (unsigned long long)counts.closed,
	       (unsigned long long)counts.reset,
	       (unsigned long long)counts.timed_out,
	       (unsigned long long)counts.exiting,
	       (unsigned long long)counts.data_events,
	       (unsigned long long)counts.c2s_bytes,
	       (unsigned long long)counts.s2c_bytes,
	       (unsigned long long)counts.syslog_reports);
	return 0;
}
