/* model.h: what the pipeline knows: flows, exchanges and counters.
 *
 * Written by the capture path (capture, reassembly, exchange), read by the
 * outputs. Times are microseconds since the Unix epoch: packet time for
 * files, the wall clock for live capture.
 */
#ifndef INTERIM_MODEL_H
#define INTERIM_MODEL_H

#include <stdint.h>

#include "decap.h"
#include "http1.h"
#include "timers.h"

#define USEC 1000000LL

struct analysis;
struct ackwatch;

struct addr {
	int family;             /* AF_INET or AF_INET6 */
	uint8_t bytes[16];
};

/* A TCP connection as the client opened it. */
struct flow_key {
	struct addr client;
	struct addr server;
	uint16_t client_port;
	uint16_t server_port;
};

/* A connection as the outputs name it: its addresses, and its id, unique
 * per connection in a run (flowid.h). */
struct flow_ident {
	struct flow_key key;
	uint64_t id;
};

/* Field copies are bounded, the NUL included: a longer value is cut (a
 * target marks target_truncated). They take only what they hold (struct
 * exchange). */
#define X_METHOD   24
#define X_TARGET   256
#define X_FIELD    128
#define X_REASON   48
#define X_INTERIM  8            /* 1xx kept per exchange; more are counted */

struct interim {
	int status;
	uint16_t reason_len;
	const char *reason;     /* as an exchange's text (below) */
	int64_t ts;
};

/* How an exchange ended. A connection that ended is said to be closed or
 * reset by the side whose FIN or RST came first. */
enum exchange_end {
	END_FINAL,              /* a final response arrived and ended */
	END_TUNNEL,             /* 101 (or 2xx to CONNECT) */
	END_CLIENT_CLOSED,      /* the connection ended first: the client's */
	END_SERVER_CLOSED,      /* FIN, the server's FIN, the client's RST, */
	END_CLIENT_RESET,       /* the server's RST */
	END_SERVER_RESET,
	END_EVICTED,            /* the reassembler dropped the connection */
	END_IDLE,               /* silent past --idle-timeout: let go */
	END_CAPTURE_ENDED,      /* the input ended first */
	END_CLOSED              /* flow_close() only, never an exchange's:
				 * ended by FIN or RST, the side as
				 * flow_tcp_end() told */
};

/* The connection ended by FIN or RST (one of the four above). */
static inline int
end_is_close(enum exchange_end e)
{
	return e >= END_CLIENT_CLOSED && e <= END_SERVER_RESET;
}

enum {
	SEEN_TURN = 1,
	SEEN_FIRST_BYTE = 2,
	SEEN_ANSWERED = 4,
	SEEN_PROCESSING = 8,
	SEEN_RESPONSE_END = 16,         /* t_response_end is set */
	SEEN_CLIENT_CLOSED = 32,        /* t_client_closed is set */
	SEEN_CLIENT_RESET = 64,         /* ... and it was an RST, not a FIN */
	SEEN_LATE_1XX = 128             /* t_late is set */
};

/* One request and what answered it. The scalars come first and the text
 * after: a new exchange clears only the scalars and the lengths, and the
 * timer rules read only the first lines. Never copied as a struct: its
 * text and interim point into memory it owns (or into itself). */
struct exchange {
	struct exchange *next;          /* per-flow FIFO of outstanding requests */
	uint64_t seq;                   /* 1-based position on its connection,
					 * requests past the cap counted: its
					 * tx_id is seq - 1 */
	int minor;                      /* HTTP/1.<minor> */
	int head_done;                  /* request line + headers seen */
	int has_host, has_expect, has_upgrade;
	int is_head, is_connect;        /* the method, for the response */
	int midstream;                  /* its connection was picked up
					 * without a handshake */
	int64_t t_begin;                /* first request byte */
	int64_t t_head;                 /* request head complete */
	int64_t t_end;                  /* last request byte (body included) */
	unsigned n_interim;             /* kept */
	unsigned n_interim_seen;        /* all */
	int final_status;               /* 0: none */
	enum exchange_end end;
	int64_t t_final;                /* the final response's head */
	int64_t t_response_end;         /* ... and its last byte (SEEN_*): for
					 * a body that runs to the close, or is
					 * cut short by it, the close */
	int64_t t_ended;                /* when end happened: the response's
					 * end, the tunnel's start, or the
					 * connection's or capture's end */
	int64_t t_client_closed;        /* the client's first FIN or RST on
					 * the connection, set as it comes
					 * (SEEN_CLIENT_CLOSED) */
	uint64_t request_body_len;      /* body bytes, without chunk framing */
	uint64_t response_body_len;     /* the final response's, likewise */
	uint8_t target_truncated;       /* longer than X_TARGET - 1: cut */
	uint8_t has_user_agent;

	/* what the timer rules watch (checks.c) */
	struct timer *wake;             /* its connection's timer */
	const struct flow_ident *flow;  /* its connection */
	struct analysis *an;
	struct ackwatch *ack;           /* its connection's, or NULL */
	unsigned seen;                  /* which times are set (SEEN_*): 0
					 * is a valid time */
	int64_t t_turn;                 /* the responses before it ended (not
					 * yet: pipelined behind one) */
	int64_t t_first_byte;           /* first response byte */
	int64_t t_answered;             /* first 100 or final */
	int64_t t_processing;           /* last 1xx after a 102 */
	int expects_100;                /* Expect: 100-continue */
	unsigned fired;                 /* timer rules fired, by bit */
	unsigned continues;             /* 100 responses */
	uint8_t silence_broken;         /* response-timeout or
					 * processing-silence fired */
	uint8_t interim_held;           /* ... and the 1xx that ended the
					 * silence came only with the final
					 * response (checks.c) */
	int64_t t_late;                 /* the first 1xx after it fired */

	/* text: each string NUL-terminated, "" when absent, its length (no
	 * NUL) in its _len; cut to its X_ cap less the NUL. exchange.c keeps
	 * the strings in one block sized to them (text), moved and re-pointed
	 * as later ones (reasons, tunnel) need room, so a pointer into it
	 * holds only until the exchange is written again. Without memory for
	 * it a string stays "" (as if cut to nothing). */
	uint16_t method_len, target_len, host_len, user_agent_len, expect_len,
	    upgrade_len, final_reason_len, tunnel_len, tunnel_of_len;
	uint16_t text_used;             /* exchange.c's: of text, below */
	uint16_t interim_cap;           /* ... and room at interim when it is
					 * in text, 0: interim_first only */
	struct interim *interim;        /* the n_interim kept (NULL: none):
					 * interim_first, then an array in
					 * text */
	const char *method;
	const char *target;
	const char *host;
	const char *user_agent;
	const char *expect;
	const char *upgrade;
	const char *final_reason;
	const char *tunnel;             /* protocol after 101, or "" */
	const char *tunnel_of;          /* inside a CONNECT tunnel: its
					 * target, or "" */
	/* exchange.c's; text stays with the exchange when it is reused */
	char *text;                     /* the block, or NULL */
	uint16_t text_cap;
	struct interim interim_first;
};

/* Why the front end dropped a packet before libnids (front.c has the
 * names): each is a shape the receiving host drops too. */
enum front_drop {
	DROP_IP_HEADER,         /* IHL under 5, or more than was captured */
	DROP_IP_LENGTH,         /* total length shorter than the header */
	DROP_IP_OPTIONS,        /* an IP option runs past the header */
	DROP_FRAGMENT,          /* too short, or rewriting the TCP header */
	DROP_TCP_HEADER,        /* data offset under 5 or past the packet */
	DROP_V6_HEADER,         /* IPv6 header or extension header cut short,
				 * past the payload, or out of place */
	DROP_V6_LENGTH,         /* payload length 0 (jumbogram) or past what
				 * IPv4 can carry */
	DROP_IP_RESERVED,       /* IPv4 from or to 240.0.0.0/4, the range
				 * lent to IPv6 addresses */
	DROP_KINDS
};

/* Counters the summary shows; every cap that is reached is counted here. */
struct stats {
	uint64_t files;
	uint64_t packets;
	uint64_t bytes;                 /* on the wire (original length) */
	uint64_t snaplen_cut;           /* packets captured shorter than sent */
	uint64_t ipv4_tcp;
	uint64_t ipv6_tcp;              /* IPv6 packets carrying TCP */
	uint64_t ipv6_fragments;        /* IPv6 fragments, not reassembled */
	uint64_t v6map_peak;            /* IPv6 addresses lent IPv4 at once */
	uint64_t v6map_full;            /* IPv6 packets dropped: table full */
	uint64_t v6map_evicted;         /* idle addresses taken back early */
	uint64_t other_ip;              /* IP but not TCP */
	uint64_t not_ip;                /* ARP, LLDP, unknown link payload */
	uint64_t bad_link;              /* link header cut short or unknown */
	uint64_t undecoded[DECAP_SKIP_KINDS];   /* the three above, by kind
						 * (enum decap_skip) */
	uint64_t flows;                 /* TCP connections established */
	uint64_t http_flows;
	uint64_t not_http_flows;        /* dropped as another protocol */
	uint64_t exchanges;
	uint64_t status_1xx[100];       /* index: code - 100 */
	uint64_t unsolicited;           /* responses with no request waiting */
	uint64_t parse_errors[HTTP1_ERR_COUNT]; /* index: enum http1_error */
	uint64_t pipeline_capped;       /* requests past the per-flow cap */
	uint64_t interim_capped;        /* 1xx past X_INTERIM */
	uint64_t tunnel_bytes;
	uint64_t nids_warnings[10];     /* index: libnids' NIDS_WARN_* errnum */
	uint64_t dropped;               /* live: by the kernel */
	uint64_t if_dropped;            /* live: by the interface */
	uint64_t tcp_untracked;         /* handshakes past the watch table cap */
	uint64_t lossy_flows;           /* bytes missing from the capture */
	uint64_t flows_evicted;         /* let go early: --max-flows reached */
	uint64_t flows_idle;            /* let go: silent past --idle-timeout */
	uint64_t timers_refused;        /* not armed: --max-timers reached */
	uint64_t front_dropped[DROP_KINDS];     /* index: enum front_drop */
	uint64_t tuples_reused;         /* a SYN-ACK ended an open connection */
	uint64_t syns_overwritten;      /* held SYNs lost to the table's cap */
	uint64_t held_capped;           /* heads given up: --max-held reached */
	uint64_t ends_ignored;          /* RST or FIN outside the window */
	uint64_t signed_ignored;        /* RST signed, none negotiated */
	uint64_t midstream_flows;       /* picked up without a handshake */
	uint64_t early_responses;       /* responses before any pickup */
	uint64_t fast_open;             /* SYN data delivered */
	uint64_t gaps;                  /* holes the peer acknowledged */
	uint64_t gap_bytes;
	uint64_t gaps_unfilled;         /* too large to stand in for */
	uint64_t bad_times;             /* impossible timestamps, clamped */
	uint64_t time_backwards;        /* stamped before the packet before */
	int evidence;                   /* --write-violations: */
	uint64_t evidence_flows;        /* connections with a violation */
	uint64_t evidence_packets;      /* packets written */
	uint64_t evidence_cut;          /* theirs not written: gone from a
					 * live buffer before the violation */
	uint64_t evidence_untracked;    /* violations whose connection was
					 * no longer followed (a cap) */
	int truncated;                  /* an input ended early */
	int64_t first_ts;
	int64_t last_ts;
};

#endif
