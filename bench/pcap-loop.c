/* pcap-loop: baseline 1, the cost of reading a capture with libpcap alone.
 *
 * usage: pcap-loop FILE
 *
 * Opens FILE with pcap_open_offline(), runs pcap_loop() with a callback that
 * only counts packets and captured bytes, and prints both on stdout. This is
 * the floor for any libpcap-based analyzer: file I/O plus record parsing.
 * Exit status 0, or 2 when the file cannot be read.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

struct counts {
	uint64_t packets;
	uint64_t caplen_bytes;  /* bytes of packet data handed to us */
	uint64_t wire_bytes;    /* original lengths, as on the wire */
};

/* pcap_handler: adds one record to the struct counts in user. */
static void count_packet(u_char *user, const struct pcap_pkthdr *h,
			 const u_char *bytes)
{
	struct counts *c = (struct counts *)user;

	(void)bytes;
	c->packets++;
	c->caplen_bytes += h->caplen;
	c->wire_bytes += h->len;
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct counts c = { 0, 0, 0 };
	pcap_t *p;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap-loop FILE\n");
		return 2;
	}
	p = pcap_open_offline(argv[1], errbuf);
	if (!p) {
		fprintf(stderr, "pcap-loop: cannot open '%s': %s\n", argv[1], errbuf);
		return 2;
	}
	if (pcap_loop(p, -1, count_packet, (u_char *)&c) == PCAP_ERROR) {
		fprintf(stderr, "pcap-loop: cannot read '%s': %s\n", argv[1],
			pcap_geterr(p));
		pcap_close(p);
		return 2;
	}
	pcap_close(p);
	printf("packets %llu caplen_bytes %llu wire_bytes %llu\n",
	       (unsigned long long)c.packets,
	       (unsigned long long)c.caplen_bytes,
	       (unsigned long long)c.wire_bytes);
	return 0;
}
