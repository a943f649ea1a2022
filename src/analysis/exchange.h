/* exchange.h: one TCP connection's HTTP: requests paired with their 1xx and
 * final responses, in order (pipelining). Knows nothing of libnids. */
#ifndef INTERIM_EXCHANGE_H
#define INTERIM_EXCHANGE_H

#include <stddef.h>

#include "model.h"
#include "output.h"
#include "rules.h"

#define FLOW_MAX_PENDING 64     /* outstanding requests kept per connection */

enum flow_dir { FROM_CLIENT, FROM_SERVER };

struct flow;

struct flow *flow_open(const struct flow_key *key, int64_t ts,
    struct analysis *an);

/* The connection's watch of request bytes and their ACKs (tcpwatch.h),
 * for the reassembler to set up and feed. Disarmed by flow_close(). */
struct ackwatch *flow_ackwatch(struct flow *f);

/* Bytes of one direction not yet consumed, oldest first; returns how many
 * were consumed. The rest must be offered again with more appended. */
size_t flow_data(struct flow *f, enum flow_dir d, const char *buf,
    size_t len, int64_t ts);

/* About to hand f bytes of both directions, or of one: start loading what
 * that reads, so that the cache misses overlap. */
void flow_prefetch(const struct flow *f, int from_client, int from_server);

/* Bytes of this connection were lost (cut by the snaplen): absence of a
 * request is no longer evidence. */
void flow_mark_lossy(struct flow *f);

/* The connection was picked up without a handshake (reassembly.c
 * makes one up): its exchanges say so. */
void flow_set_midstream(struct flow *f);
int flow_is_midstream(const struct flow *f);

/* Bytes [at, at + len) of direction d (offsets from its first byte) are
 * missing from the capture, though the peer acknowledged them. What the
 * reassembler delivers for them is not data: the dissector skips them.
 * Counted, reported as an anomaly, and the connection's silences are no
 * longer judged. One gap per direction at a time. */
void flow_gap(struct flow *f, enum flow_dir d, uint64_t at, uint32_t len,
    int64_t ts);

/* What the reassembler keeps of each flow, zero at first: its to read
 * and write. */
struct flow_link {
	struct flow *older, *newer;     /* by last activity */
	int64_t active;                 /* last data either way */
	void *conn;                     /* libnids' stream */
	uint32_t held[2];               /* bytes held back, by enum flow_dir */
};

struct flow_link *flow_link(struct flow *f);

/* Requests waiting for their response. */
unsigned flow_pending(const struct flow *f);

/* Direction d held back too much: give up the message head it waits to
 * complete (reported as an anomaly); its bytes are not offered again. */
void flow_give_up(struct flow *f, enum flow_dir d, int64_t ts);

/* Neither HTTP nor worth keeping: the caller may stop delivering data. */
int flow_ignored(const struct flow *f);

/* Direction d sent a FIN (rst 0) or an RST that the reassembler took, at
 * ts. The first of each direction is kept: who ended the connection, and
 * when the client gave up even if the server went on. */
void flow_tcp_end(struct flow *f, enum flow_dir d, int rst, int64_t ts);

/* The connection is gone: how says why (END_CLOSED: by FIN or RST, the
 * side told by flow_tcp_end(), the client's when none was; END_CAPTURE_
 * ENDED: the input ended; END_EVICTED, END_IDLE: the reassembler let it
 * go). Reports what was outstanding and frees f. unconsumed[d] is what the
 * caller still held of direction d. */
void flow_close(struct flow *f, const size_t unconsumed[2],
    enum exchange_end how, int64_t ts);

/* Free the exchanges and flows kept for reuse; at exit, after every
 * flow_close(). */
void exchange_cleanup(struct analysis *an);

/* What the live view shows of an open connection: a copy, taken on
 * the view's timer. */
enum flow_state {
	FLOW_IDLE,              /* nothing outstanding */
	FLOW_AWAIT_100,         /* Expect: 100-continue, no answer yet */
	FLOW_AFTER_102,         /* 102 Processing came, no final yet */
	FLOW_AWAIT_RESPONSE,
	FLOW_UPGRADED           /* a tunnel after 101 or CONNECT */
};

struct flow_snapshot {
	struct flow_key key;
	uint64_t id;
	enum flow_state state;
	char request[X_METHOD + X_TARGET + 2]; /* the current one, or "" */
	char upgraded[X_FIELD];
	unsigned pending;
	uint64_t requests;
	int last_1xx;                   /* 0: none */
	int64_t last_1xx_ts;
	int64_t since;                  /* waiting since, when timeout > 0 or
					 * the state waits */
	int64_t timeout;                /* the deadline that applies, 0: none */
	int cloudflare;                 /* 522 or 524 once timeout passes, 0 */
	int64_t active;                 /* last data either way */
};

/* Open connections, oldest first; read-only. */
const struct flow *flow_first(const struct analysis *an);
const struct flow *flow_next(const struct flow *f);
void flow_snapshot(const struct flow *f, struct flow_snapshot *s);

#endif
