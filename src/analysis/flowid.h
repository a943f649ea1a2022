/* flowid.h: the ids the outputs give connections (flow_id), like
 * Suricata's flow_id or Zeek's uid: one per connection, never a hash of
 * its addresses alone, so that two connections from the same client port
 * have two ids. */
#ifndef INTERIM_FLOWID_H
#define INTERIM_FLOWID_H

#include <stdint.h>

#include "model.h"

/* Per run: zero at first. */
struct flowid {
	uint64_t salt;
	uint64_t made;                  /* ids given so far */
	uint64_t entropy;               /* flowid_seed()'s, or 0 */
	int salted;
};

/* Live capture: mix in what differs between runs, even two started in
 * the same second that see the same first packet: the wall clock at the
 * start in microseconds, and the pid. Files leave it out, so that the
 * same files give the same ids. Before the first flowid_next(). */
void flowid_seed(struct flowid *g, int64_t start_us, long pid);

/* The next connection's id: 1 to 2^53 - 1, so that JSON readers using
 * doubles keep it exact. No two ids of a run are equal; runs differ by
 * their salt, made from the first connection's key and first-seen time
 * (and flowid_seed's entropy). O(1). */
uint64_t flowid_next(struct flowid *g, const struct flow_key *k,
    int64_t first_seen);

#endif
