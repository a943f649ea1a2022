#!/usr/bin/env python3
"""twins.py: do two `interim -j` outputs tell the same story?

usage: twins.py SAMPLE.json TWIN.json SKIP MID

SAMPLE is the IPv6 or mid-stream capture's output, TWIN its IPv4 or
full-handshake twin's. Compared, per connection in order of appearance:
each exchange's method, target, version, expect, upgrade, tunnel, interim
statuses and final status, and the `after` of each response within
TOLERANCE seconds; then the violations as a multiset of (rule, method,
target). Not compared, as they must differ: addresses, ports, flow_id, Host
(it names the address), timestamps, and the summary's packet, byte, flow,
handshake and IPv6 counters.

SKIP: the twin's first SKIP exchanges happened before the SAMPLE's capture
began (mid-stream): they are dropped, and so are the twin's violations
timed before the first exchange kept. With SKIP 0 the summaries' exchange,
1xx and rule counts must match too.
MID: 1 if every exchange of SAMPLE must carry "midstream": true (and none
of TWIN's), 0 to ignore the flag.

Prints each difference; exit 0 when none, 1 otherwise, 2 on bad input.
"""
import json
import sys
from collections import Counter

TOLERANCE = 0.25        # seconds: both are real recordings of the same programs


def load(path):
    events = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                events.append(json.loads(line))
            except ValueError as e:
                sys.exit("twins.py: %s:%d: not JSON: %s" % (path, n, e))
    return events


def has_midstream(obj):
    """True if a "midstream": true sits anywhere in obj."""
    if isinstance(obj, dict):
        return obj.get("midstream") is True or any(
            has_midstream(v) for v in obj.values())
    if isinstance(obj, list):
        return any(has_midstream(v) for v in obj)
    return False


def exchanges(events):
    """Exchanges grouped per flow (flows in order of first appearance)."""
    flows = {}
    for e in events:
        if e.get("event_type") == "exchange":
            flows.setdefault(e.get("flow_id"), []).append(e)
    return [x for xs in flows.values() for x in xs]


def shape(x):
    h = x.get("http") or {}
    final = x.get("final")
    return {
        "method": h.get("method"), "target": h.get("target"),
        "version": h.get("version"), "expect": h.get("expect"),
        "upgrade": h.get("upgrade"), "tunnel": x.get("tunnel"),
        "interim": [i.get("status") for i in x.get("interim") or []],
        "final": final.get("status") if final else None,
    }


def afters(x):
    out = [i.get("after") for i in x.get("interim") or []]
    if x.get("final"):
        out.append(x["final"].get("after"))
    return out


def violations(events, since=None):
    c = Counter()
    for e in events:
        if e.get("event_type") != "violation":
            continue
        if since is not None and e.get("timestamp", "") < since:
            continue
        h = e.get("http") or {}
        c[(e.get("rule"), h.get("method"), h.get("target"))] += 1
    return c


def summary(events):
    for e in reversed(events):
        if e.get("event_type") == "summary":
            return {k: e.get(k) for k in ("exchanges", "interim", "rules",
                                          "parse_errors", "tunnel_bytes")}
    return None


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: twins.py SAMPLE.json TWIN.json SKIP MID")
    sample, twin = load(sys.argv[1]), load(sys.argv[2])
    skip, mid = int(sys.argv[3]), sys.argv[4] == "1"
    diffs = []

    sx, tx = exchanges(sample), exchanges(twin)
    if len(tx) <= skip:
        sys.exit("twins.py: the twin has %d exchanges, %d to skip" % (len(tx), skip))
    since = tx[skip].get("timestamp") if skip else None
    tx = tx[skip:]
    if len(sx) != len(tx):
        diffs.append("%d exchanges, the twin %d" % (len(sx), len(tx)))
    for n, (a, b) in enumerate(zip(sx, tx)):
        if shape(a) != shape(b):
            diffs.append("exchange %d: %s, the twin %s" % (n, shape(a), shape(b)))
            continue
        for i, (ta, tb) in enumerate(zip(afters(a), afters(b))):
            if ta is None or tb is None or abs(ta - tb) > TOLERANCE:
                diffs.append("exchange %d response %d: after %s s, the twin %s s"
                             % (n, i, ta, tb))
        if mid and not has_midstream(a):
            diffs.append("exchange %d: no \"midstream\": true" % n)
        if mid and has_midstream(b):
            diffs.append("exchange %d of the twin: \"midstream\": true" % n)

    va, vb = violations(sample), violations(twin, since)
    if va != vb:
        diffs.append("violations %s, the twin %s"
                     % (sorted(va.items()), sorted(vb.items())))
    if skip == 0 and summary(sample) != summary(twin):
        diffs.append("summary %s, the twin %s" % (summary(sample), summary(twin)))

    for d in diffs:
        print("  " + d)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
