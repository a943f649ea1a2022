#!/usr/bin/python3
"""Write the fuzz targets' seed corpora from the sample captures.

usage: /usr/bin/python3 seeds.py OUTDIR [CAPTURE...]
       (default captures: ../../samples/*.pcap*; needs python3-scapy)

OUTDIR/pipeline/: each capture in fuzz_pipeline's format (a link-type
byte, then the pcap records).
OUTDIR/http1/: each TCP connection of each capture in fuzz_http1's format
(flags, chunking seed, then the two directions' bytes as records in the
order and with the delays the capture shows). See the targets' opening
comments for the formats.
"""
import glob
import hashlib
import logging
import os
import struct
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
try:
    from scapy.all import IP, IPv6, TCP, PcapNgReader, PcapReader
except ImportError:     # pcap files still give pipeline seeds
    PcapNgReader = None

# fuzz_pipeline.c's links[], in order
LINKS = [1, 113, 276, 0, 108, 101, 228, 229]


def write(outdir, data):
    """Store data under its hash, as libFuzzer names corpus files."""
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(data)


def packets(path):
    """(linktype, [(ts_sec, ts_usec, wirelen, bytes)]) of a capture."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:4] == b"\x0a\x0d\x0d\x0a":
        if PcapNgReader is None:
            return None, []
        pkts, link = [], None
        for p in PcapNgReader(path):
            link = link if link is not None else getattr(p, "linktype", 1)
            t = int(p.time * 1000000)
            raw = bytes(p)
            pkts.append((t // 1000000, t % 1000000, len(raw), raw))
        return link if link is not None else 1, pkts
    order = "<" if head[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") \
        else ">"
    nano = head[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    link = struct.unpack(order + "I", head[20:24])[0] & 0x0fffffff
    pkts = []
    with open(path, "rb") as f:
        data = f.read()
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(order + "IIII",
                                              data[pos:pos + 16])
        pos += 16
        pkts.append((sec, frac // 1000 if nano else frac, orig,
                     data[pos:pos + incl]))
        pos += incl
    return link, pkts


def pipeline_seed(link, pkts):
    if link not in LINKS:
        return None
    out = bytearray([LINKS.index(link)])
    for sec, usec, orig, raw in pkts:
        out += struct.pack("<IIII", sec, usec, len(raw), orig) + raw
    return bytes(out)


def connections(path):
    """{key: [(from_server, ts_us, payload)]} of the TCP connections, in
    packet order, retransmitted bytes dropped."""
    conns, client, next_seq = {}, {}, {}
    reader = PcapNgReader if open(path, "rb").read(4) == \
        b"\x0a\x0d\x0d\x0a" else PcapReader
    for p in reader(path):
        ip = p.getlayer(IP) or p.getlayer(IPv6)
        if ip is None or not p.haslayer(TCP):
            continue
        tcp = p[TCP]
        a, b = (ip.src, tcp.sport), (ip.dst, tcp.dport)
        key = tuple(sorted([a, b]))
        if key not in client and (tcp.flags & 0x12) == 0x02:
            client[key] = a
        payload = bytes(tcp.payload)
        if not payload:
            continue
        client.setdefault(key, a)
        seq = tcp.seq
        want = next_seq.get(a)
        if want is not None:
            skip = (want - seq) & 0xffffffff
            if skip < 0x80000000:   # bytes already seen
                if skip >= len(payload):
                    continue
                payload = payload[skip:]
                seq = want
        next_seq[a] = (seq + len(payload)) & 0xffffffff
        conns.setdefault(key, []).append(
            (a != client[key], int(p.time * 1000000), payload))
    return conns


def http1_seed(segments, flags):
    out = bytearray([flags]) + struct.pack("<I", len(segments) * 2654435761
                                           & 0xffffffff)
    last = segments[0][1]
    for from_server, t, payload in segments:
        delta = max(0, t - last)
        last = t
        code = min(127, round((delta / 100) ** (1 / 3)))
        for i in range(0, len(payload), 65535):
            part = payload[i:i + 65535]
            out += bytes([from_server << 7 | code]) + \
                struct.pack("<H", len(part)) + part
            code = 0
    return bytes(out)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    files = sys.argv[2:] or sorted(
        glob.glob(os.path.join(here, "..", "..", "samples", "*.pcap*")))
    for sub in ("pipeline", "http1"):
        os.makedirs(os.path.join(outdir, sub), exist_ok=True)
    n = [0, 0]
    for path in files:
        link, pkts = packets(path)
        seed = pipeline_seed(link, pkts)
        if seed is not None:
            write(os.path.join(outdir, "pipeline"), seed)
            n[0] += 1
        if PcapNgReader is None:
            continue
        for segments in connections(path).values():
            # the connection ends by FIN; the other parser starts fresh
            write(os.path.join(outdir, "http1"), http1_seed(segments, 1))
            n[1] += 1
    if PcapNgReader is None:
        print("seeds.py: no python3-scapy: no http1 seeds, no pcapng")
    print("seeds.py: %d pipeline seeds, %d http1 seeds in %s"
          % (n[0], n[1], outdir))


if __name__ == "__main__":
    main()
