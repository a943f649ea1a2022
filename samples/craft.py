#!/usr/bin/python3
"""Write the crafted-* captures: link-layer shapes a loopback capture cannot give.

usage: /usr/bin/python3 craft.py [OUTDIR]      (needs python3-scapy; no root,
                                                 no network: files only)

The link-layer files hold the same tiny HTTP/1.1 exchange, one TCP
connection each:
  SYN, SYN-ACK, ACK; GET; ACK; "HTTP/1.1 102 Processing"; ACK;
  300 ms later "HTTP/1.1 200 OK" (Content-Length: 3); ACK;
  client FIN-ACK, server FIN-ACK, client ACK.
Sequence and acknowledgement numbers follow the bytes, checksums are computed
by scapy, and timestamps are fixed (from 2026-01-01 00:00:00 UTC), so the
output is the same byte for byte on every run.

It also writes TCP-timer shapes a real peer will not produce on demand
(Ethernet, same addresses and clock): crafted-handshake-timeout.pcap (SYNs
never answered; crafted-handshake-timeout-ipv6.pcap is its IPv6 twin), crafted-request-unacked.pcap (request never acknowledged),
crafted-capture-gap.pcap and crafted-capture-gap-request.pcap (a response
or a request segment missing from the capture),
crafted-pipeline-slow-body.pcap (a pipelined request waiting its turn),
crafted-escapes.pcap (control bytes from the wire, for the outputs),
crafted-utf8.pcap (valid and invalid UTF-8 from the wire, for the JSON),
crafted-pipeline-70.pcap (more requests pipelined than interim keeps),
crafted-malformed-request.pcap (1xx answering requests interim cannot
parse), crafted-ipv6-extensions.pcap (IPv6 extension headers, fragments,
bad lengths), crafted-lenient-start.pcap (first request lines interim cannot
parse, answered in HTTP/1.x, and HTTP/2), crafted-connect.pcap (HTTP and
TLS inside CONNECT tunnels), crafted-long-fields.pcap (text fields at and
past interim's caps), crafted-servers.pcap (three servers for the
report's server table and slowest list, an HTTP/2 answer, over midnight),
crafted-client-gave-up.pcap (clients that close or reset before an
answer), crafted-tcp-ack-edges.pcap (pure ACKs that libnids ignores or
that decide what it takes next), the encapsulations crafted-pppoe.pcap,
crafted-mpls.pcap and crafted-vxlan.pcap, and, as test inputs, ../tests/unknown-link.pcap (a link type interim does
not support) and ../tests/port-scan.pcap (SYNs to 30 ports, refused).
"""
import logging
import os
import struct
import sys

from scapy.all import (IP, TCP, UDP, Dot1AD, Dot1Q, Ether, IPv6, Loopback,
                       PcapWriter, raw)
from scapy.contrib.mpls import MPLS
from scapy.layers.ppp import PPPoE, PPPoED
from scapy.layers.vxlan import VXLAN

# scapy warns that IP/Loopback packets do not match the linktype we force
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

T0 = 1767225600  # 2026-01-01 00:00:00 UTC

CLIENT4, SERVER4 = "192.0.2.10", "198.51.100.20"       # documentation ranges
CLIENT6, SERVER6 = "2001:db8::10", "2001:db8::20"
CLIENT_MAC, SERVER_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"

REQUEST = (b"GET /report HTTP/1.1\r\n"
           b"Host: origin.example\r\n"
           b"User-Agent: craft/1\r\n"
           b"Accept: */*\r\n\r\n")
INTERIM = b"HTTP/1.1 102 Processing\r\n\r\n"
FINAL = (b"HTTP/1.1 200 OK\r\n"
         b"Content-Type: text/plain\r\n"
         b"Content-Length: 3\r\n\r\n"
         b"ok\n")


# Linux-like SYN options without timestamps (12 bytes, NOP-aligned)
MSS = [("MSS", 1460), ("NOP", None), ("NOP", None), ("SAckOK", b""),
       ("NOP", None), ("WScale", 7)]


def segments(sport, dport=80, v6=False):
    """tcp(from_client, flags, seq, ack, payload=b"", opts=None): IP packets
    of one connection, the IP ID counting up per side."""
    ipid = {"c": 0x1000, "s": 0x2000}

    def ip(from_client, seg):
        side = "c" if from_client else "s"
        if v6:
            src, dst = (CLIENT6, SERVER6) if from_client else (SERVER6, CLIENT6)
            return IPv6(src=src, dst=dst, hlim=64) / seg
        src, dst = (CLIENT4, SERVER4) if from_client else (SERVER4, CLIENT4)
        ipid[side] += 1
        return IP(src=src, dst=dst, ttl=64, id=ipid[side], flags="DF") / seg

    def tcp(from_client, flags, seq, ack, payload=b"", opts=None):
        sp, dp = (sport, dport) if from_client else (dport, sport)
        seg = TCP(sport=sp, dport=dp, flags=flags, seq=seq, ack=ack,
                  window=64240 if from_client else 65160,
                  options=opts or [])
        return ip(from_client, seg / payload if payload else seg)

    return tcp


def exchange(sport, start, v6=False, syn_at=(0.0,), synack_delay=0.000120, dport=80,
             lose_final_head=False, lose_request=False, request=REQUEST,
             interim=INTERIM):
    """[(timestamp, from_client, ip_packet)] for one connection from port sport.

    syn_at: offsets of the client's SYNs (more than one: retransmissions of
    the same SYN, same ISN); the SYN-ACK comes synack_delay after the last,
    and everything after it shifts along. lose_final_head: the 200's head
    goes in a segment of its own that the capture lost (the client still
    acknowledges it), its body in the next. lose_request: the request's
    segment is missing from the capture (the server still acknowledges
    and answers it). The defaults give the plain
    exchange; request and interim replace the GET and the 102.
    """
    cisn, sisn = 1000000000 + sport, 2000000000 + sport
    c, s = cisn + 1, sisn + 1  # next sequence number of each side after SYNs
    tcp = segments(sport, dport, v6)
    pkts = []

    def add(dt, from_client, pkt):
        pkts.append((start + dt, from_client, pkt))

    for t in syn_at:
        add(t, True, tcp(True, "S", cisn, 0, opts=MSS))
    shift = syn_at[-1] + synack_delay - 0.000120   # 0.0 with the defaults
    add(shift + 0.000120, False, tcp(False, "SA", sisn, c, opts=MSS))

    def add(dt, from_client, pkt):      # the rest: after the SYN-ACK
        pkts.append((start + shift + dt, from_client, pkt))

    add(0.000240, True, tcp(True, "A", c, s))
    if not lose_request:
        add(0.001000, True, tcp(True, "PA", c, s, request))
    c += len(request)
    add(0.001130, False, tcp(False, "A", s, c))
    add(0.002000, False, tcp(False, "PA", s, c, interim)); s += len(interim)
    add(0.002120, True, tcp(True, "A", c, s))
    if lose_final_head:
        head, body = FINAL[:-3], FINAL[-3:]
        s += len(head)                  # sent, never captured
        add(0.302000, False, tcp(False, "PA", s, c, body)); s += len(body)
    else:
        add(0.302000, False, tcp(False, "PA", s, c, FINAL)); s += len(FINAL)
    add(0.302120, True, tcp(True, "A", c, s))
    add(0.303000, True, tcp(True, "FA", c, s)); c += 1
    add(0.303130, False, tcp(False, "FA", s, c)); s += 1
    add(0.303250, True, tcp(True, "A", c, s))
    return pkts


def unanswered_syns(sport, start, syn_at, dport=80, v6=False):
    """A client SYN (one ISN) sent at each offset in syn_at, never answered."""
    return [(t, fc, p) for t, fc, p in exchange(sport, start, v6=v6, syn_at=syn_at,
                                                dport=dport)
            if fc and p[TCP].flags == "S"]


def ipv6_extensions(start):
    """IPv6 shapes (LINKTYPE_RAW), [(timestamp, from_client, packet)]:
    port 40050 sends SYNs at 0, 1 and 3 s, never answered; port 40051's
    exchange at 25 s goes with extension headers in turn (hop-by-hop on the
    SYN; routing and destination options; AH), all to be skipped; port
    40052's GET comes in two fragments, counted and not reassembled (its
    connection then has a hole); a TCP packet whose payload length says 0
    (a jumbogram without its option) is dropped; and an IPv4 packet to
    240.0.0.1, the range interim lends to IPv6 addresses, is dropped."""
    from scapy.layers.ipsec import AH
    from scapy.all import (IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                           IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, fragment6)

    pkts = unanswered_syns(40050, start, (0.0, 1.0, 3.0), v6=True)
    ext = [lambda: IPv6ExtHdrHopByHop(),
           lambda: IPv6ExtHdrRouting(segleft=0) / IPv6ExtHdrDestOpt(),
           lambda: AH(nh=6, payloadlen=4, spi=0x100, seq=1, icv=bytes(12)),
           lambda: None]
    for i, (t, fc, p) in enumerate(exchange(40051, start + 25 - 0.30325, v6=True)):
        e = ext[i % len(ext)]()
        head = IPv6(src=p[IPv6].src, dst=p[IPv6].dst, hlim=64)
        pkts.append((t, fc, head / e / p[TCP] if e is not None else p))
    for t, fc, p in exchange(40052, start + 10, v6=True):
        if fc and len(p[TCP].payload) > 0:
            whole = IPv6(src=p[IPv6].src, dst=p[IPv6].dst, hlim=64) / \
                IPv6ExtHdrFragment(id=0x52) / p[TCP]
            pkts += [(t, fc, f) for f in fragment6(whole, 96)]
        else:
            pkts.append((t, fc, p))
    syn = exchange(40053, start + 20, v6=True)[0]
    jumbo = IPv6(raw(syn[2]))
    jumbo.plen = 0
    pkts.append((syn[0], True, jumbo))
    pkts.append((start + 21, True, IP(src=CLIENT4, dst="240.0.0.1", ttl=64) /
                 TCP(sport=40054, dport=80, flags="S", seq=1, options=MSS)))
    pkts.sort(key=lambda x: x[0])
    return pkts


UNACKED_REQUEST = b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n"


def unacked_request(sport, start, retx_at, rst_at):
    """Handshake, then a request the server never acknowledges: the client
    retransmits it at each offset in retx_at (after the first send), then
    gives up with a RST at rst_at. The server sends nothing after its SYN-ACK."""
    cisn, sisn = 1000000000 + sport, 2000000000 + sport
    c, s = cisn + 1, sisn + 1
    tcp = segments(sport)

    pkts = [(start + 0.000000, True, tcp(True, "S", cisn, 0, opts=MSS)),
            (start + 0.000120, False, tcp(False, "SA", sisn, c, opts=MSS)),
            (start + 0.000240, True, tcp(True, "A", c, s))]
    t_req = start + 0.001000
    pkts.append((t_req, True, tcp(True, "PA", c, s, UNACKED_REQUEST)))
    for dt in retx_at:
        pkts.append((t_req + dt, True, tcp(True, "PA", c, s, UNACKED_REQUEST)))
    c += len(UNACKED_REQUEST)
    pkts.append((t_req + rst_at, True, tcp(True, "RA", c, s)))
    return pkts


PIPELINED = (b"GET /big HTTP/1.1\r\nHost: origin.example\r\n\r\n"
             b"GET /next HTTP/1.1\r\nHost: origin.example\r\n\r\n")
BIG_HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n"
NEXT = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"


def pipelined_slow_body(sport, start):
    """Two GETs pipelined in one segment; the first 200 trickles its
    14-byte body, a byte every 10 s, and the second 200 follows the last
    byte at once. The server is never silent for long."""
    cisn, sisn = 1000000000 + sport, 2000000000 + sport
    c, s = cisn + 1, sisn + 1
    tcp = segments(sport)
    pkts = []

    def add(dt, from_client, pkt):
        pkts.append((start + dt, from_client, pkt))

    add(0.000000, True, tcp(True, "S", cisn, 0, opts=MSS))
    add(0.000120, False, tcp(False, "SA", sisn, c, opts=MSS))
    add(0.000240, True, tcp(True, "A", c, s))
    add(0.001000, True, tcp(True, "PA", c, s, PIPELINED)); c += len(PIPELINED)
    add(0.001130, False, tcp(False, "A", s, c))
    add(0.002000, False, tcp(False, "PA", s, c, BIG_HEAD)); s += len(BIG_HEAD)
    add(0.002120, True, tcp(True, "A", c, s))
    for i in range(14):
        add(10.002 * (i + 1), False, tcp(False, "PA", s, c, b"x")); s += 1
        add(10.002 * (i + 1) + 0.00012, True, tcp(True, "A", c, s))
    t = 10.002 * 14 + 0.001
    add(t, False, tcp(False, "PA", s, c, NEXT)); s += len(NEXT)
    add(t + 0.00012, True, tcp(True, "A", c, s))
    add(t + 0.001, True, tcp(True, "FA", c, s)); c += 1
    add(t + 0.00113, False, tcp(False, "FA", s, c)); s += 1
    add(t + 0.00125, True, tcp(True, "A", c, s))
    return pkts


def pipelined_past_cap(sport, start, n=70):
    """n requests pipelined at once (in segments of up to 1448 bytes), all
    GETs answered by a 102 and a 204 but for two: request 66 is a HEAD,
    answered by a 200 with Content-Length: 100 and no body; the last GET's
    200 (Content-Length: 14) trickles its body, a byte every 10 s. At 1 s
    the client sends GET /late, answered right after that body."""
    cisn, sisn = 1000000000 + sport, 2000000000 + sport
    c, s = cisn + 1, sisn + 1
    tcp = segments(sport)
    reqs, resps = b"", b""
    for i in range(1, n + 1):
        method = b"HEAD" if i == 66 else b"GET"
        reqs += b"%s /%d HTTP/1.1\r\n\r\n" % (method, i)
        if i == 66:
            resps += b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
        elif i == n:
            resps += b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n"
        else:
            resps += b"HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
    late = b"GET /late HTTP/1.1\r\n\r\n"
    late_resp = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    pkts = [(start + 0.000000, True, tcp(True, "S", cisn, 0, opts=MSS)),
            (start + 0.000120, False, tcp(False, "SA", sisn, c, opts=MSS)),
            (start + 0.000240, True, tcp(True, "A", c, s))]
    t = start + 0.001
    for i in range(0, len(reqs), 1448):
        part = reqs[i:i + 1448]
        pkts.append((t, True, tcp(True, "PA", c, s, part))); c += len(part)
        t += 0.0001
    pkts.append((t, False, tcp(False, "A", s, c)))
    t += 0.001
    for i in range(0, len(resps), 1448):
        part = resps[i:i + 1448]
        pkts.append((t, False, tcp(False, "PA", s, c, part))); s += len(part)
        t += 0.0001
    pkts.append((t, True, tcp(True, "A", c, s)))
    pkts.append((start + 1.0, True, tcp(True, "PA", c, s, late))); c += len(late)
    pkts.append((start + 1.00013, False, tcp(False, "A", s, c)))
    for i in range(1, 15):
        pkts.append((start + 10.0 * i, False, tcp(False, "PA", s, c, b"x"))); s += 1
        pkts.append((start + 10.0 * i + 0.00012, True, tcp(True, "A", c, s)))
    t = start + 140.001
    pkts.append((t, False, tcp(False, "PA", s, c, late_resp))); s += len(late_resp)
    pkts.append((t + 0.00012, True, tcp(True, "A", c, s)))
    pkts.append((t + 0.001, True, tcp(True, "FA", c, s))); c += 1
    pkts.append((t + 0.00113, False, tcp(False, "FA", s, c))); s += 1
    pkts.append((t + 0.00125, True, tcp(True, "A", c, s)))
    return pkts


def conversation(sport, start, turns, server_closes=False, close_at=None,
                 dport=80, v6=False):
    """One keep-alive connection: for each turn (at, client, replies) the
    client sends each of client's segments (offset, bytes) at start + at +
    offset, the server acknowledges it, and sends each of replies' (offset,
    bytes) at start + at + offset, acknowledged by the client. Then the
    client closes, 1 ms after the last segment or at start + close_at; or,
    with server_closes, the server does."""
    cisn, sisn = 1000000000 + sport, 2000000000 + sport
    c, s = cisn + 1, sisn + 1
    tcp = segments(sport, dport, v6)
    pkts = [(start + 0.000000, True, tcp(True, "S", cisn, 0, opts=MSS)),
            (start + 0.000120, False, tcp(False, "SA", sisn, c, opts=MSS)),
            (start + 0.000240, True, tcp(True, "A", c, s))]
    t = start
    for at, client, replies in turns:
        sent = [(at + dt, True, data) for dt, data in client]
        sent += [(at + dt, False, data) for dt, data in replies]
        for dt, from_client, data in sorted(sent, key=lambda x: x[0]):
            t = start + dt
            if from_client:
                pkts.append((t, True, tcp(True, "PA", c, s, data))); c += len(data)
                pkts.append((t + 0.00013, False, tcp(False, "A", s, c)))
            else:
                pkts.append((t, False, tcp(False, "PA", s, c, data))); s += len(data)
                pkts.append((t + 0.00012, True, tcp(True, "A", c, s)))
    t = start + close_at if close_at is not None else t + 0.001
    first, second = (False, True) if server_closes else (True, False)
    a, b = (s, c) if server_closes else (c, s)
    pkts.append((t, first, tcp(first, "FA", a, b))); a += 1
    pkts.append((t + 0.00013, second, tcp(second, "FA", b, a))); b += 1
    pkts.append((t + 0.00025, first, tcp(first, "A", a, b)))
    return pkts


def write_raw_pcap(path, linktype, frames, snaplen=262144):
    """Classic little-endian pcap written by hand: frames = [(timestamp, bytes)]."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        for ts, data in frames:
            usec = round(ts * 1000000)
            f.write(struct.pack("<IIII", usec // 1000000, usec % 1000000,
                                len(data), len(data)) + data)
    print("%-28s %3d packets, %5d bytes" % (os.path.basename(path), len(frames),
                                             os.path.getsize(path)))


def usbmon_packet(urb_id, event, ts, setup):
    """A 48-byte Linux usbmon header (LINKTYPE_USB_LINUX, 189), no data:
    a GET_DESCRIPTOR control transfer on bus 1, device 1, endpoint 0."""
    sec, usec = divmod(round(ts * 1000000), 1000000)
    return struct.pack("<QBBBBHBBqiiII8s", urb_id, ord(event), 2, 0x80, 1, 1,
                       0 if event == "S" else ord("-"), ord("<"),
                       sec, usec, -115 if event == "S" else 0,
                       18 if event == "S" else 0, 0, setup)


def eth(from_client, ethertype=None):
    src, dst = (CLIENT_MAC, SERVER_MAC) if from_client else (SERVER_MAC, CLIENT_MAC)
    return Ether(src=src, dst=dst) if ethertype is None else Ether(src=src, dst=dst, type=ethertype)


def pcapng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack("<II", btype, length) + body + struct.pack("<I", length)


def pcapng_option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def write_pcapng(path, linktype, frames):
    """pcapng written by hand (little-endian): SHB, one IDB, one EPB per frame."""
    with open(path, "wb") as f:
        f.write(pcapng_block(0x0A0D0D0A,
                             struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) +
                             pcapng_option(4, b"interim samples/craft.py") +  # shb_userappl
                             pcapng_option(0, b"")))
        f.write(pcapng_block(0x00000001,
                             struct.pack("<HHI", linktype, 0, 262144) +
                             pcapng_option(2, b"eth0") +                      # if_name
                             pcapng_option(9, bytes([6])) +                   # if_tsresol: us
                             pcapng_option(0, b"")))
        for ts, data in frames:
            usec = round(ts * 1000000)
            f.write(pcapng_block(0x00000006,
                                 struct.pack("<IIIII", 0, usec >> 32, usec & 0xFFFFFFFF,
                                             len(data), len(data)) + data))


def write(path, linktype, frames, ng=False):
    """frames: [(timestamp, packet)]; the packet is built (checksums filled)."""
    if ng:
        write_pcapng(path, linktype, [(ts, raw(pkt)) for ts, pkt in frames])
    else:
        w = PcapWriter(path, linktype=linktype, sync=True)
        for ts, pkt in frames:
            built = pkt.__class__(raw(pkt))
            built.time = ts
            w.write(built)
        w.close()
    print("%-28s %3d packets, %5d bytes" % (os.path.basename(path), len(frames),
                                             os.path.getsize(path)))


def pppoe_frames(start):
    """The plain exchange in PPPoE session 0x0101 (Ethernet), after a PADI
    (PPPoE discovery) and followed by an LCP echo request: two frames that
    are not IP, counted as such."""
    frames = [(start - 0.5, Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") /
               PPPoED(code=0x09, sessionid=0) / b"\x01\x01\x00\x00")]
    frames += [(t, eth(fc, 0x8864) / PPPoE(sessionid=0x0101) / b"\x00\x21" / p)
               for t, fc, p in exchange(40007, start)]
    frames.append((start + 1, eth(True, 0x8864) / PPPoE(sessionid=0x0101) /
                   (b"\xc0\x21" + b"\x09\x01\x00\x08\x00\x00\x00\x00")))
    return frames


def vxlan_frames(start):
    """The plain exchange as AWS/GCP traffic mirroring delivers it: outer
    Ethernet, IPv4 10.0.0.1 -> 10.0.0.2, UDP to 4789, VXLAN VNI 42, then
    the mirrored Ethernet frame; one DNS query (UDP, not VXLAN) too."""
    outer = (Ether(src="02:00:00:00:00:0a", dst="02:00:00:00:00:0b") /
             IP(src="10.0.0.1", dst="10.0.0.2", ttl=64, id=1) /
             UDP(sport=49152, dport=4789))
    frames = [(t, outer / VXLAN(vni=42, flags=0x08) / eth(fc) / p)
              for t, fc, p in exchange(40009, start)]
    frames.append((start + 1, Ether(src=CLIENT_MAC, dst=SERVER_MAC) /
                   IP(src=CLIENT4, dst="192.0.2.53", ttl=64) /
                   UDP(sport=53000, dport=53) / b"\x12\x34\x01\x00\x00\x00"))
    return frames


def lenient_start(start):
    """First request lines interim cannot parse, each on its own
    connection: answered with an HTTP/1.x status line, they are parse
    errors paired with that response; stray bytes before a request line
    are skipped; HTTP/2's preface is named."""
    host = b"Host: origin.example\r\n"
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
    bad = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
    pkts = conversation(40050, start, [
        (0.001, [(0, b"GET HTTP/1.1\r\n" + host + b"\r\n")], [(0.002, bad)]),
        (0.5, [(0, b"GET /after HTTP/1.1\r\n" + host + b"\r\n")], [(0.002, ok)])])
    pkts += conversation(40051, start + 1, [
        (0.001, [(0, b"CONNECT host:25 / HTTP/1.0\r\n\r\n")],
         [(0.002, b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")])],
        server_closes=True)
    pkts += conversation(40052, start + 2, [
        (0.001, [(0, b"\x00\x17\x03\xfe\x81GET /txt HTTP/1.1\r\n" + host + b"\r\n")],
         [(0.002, b"HTTP/1.1 102 Processing\r\n\r\n"), (0.302, ok)])])
    settings = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"      # RFC 9113 6.5
    pkts += conversation(40053, start + 3, [
        (0.001, [(0, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + settings)],
         [(0.002, settings)])])
    return pkts


def report_servers(start):
    """Three servers for the report's table and slowest list, over
    midnight (start is 4 s before it): 198.51.100.20:80 (five requests on
    one connection: a POST answered 100 then 201, a 102 then 200 after
    2.5 s, a 300-byte target, one after midnight), :8080 (a 100
    nobody asked for, a 103 without Link, a request the client gives up on
    after 6 s) and [2001:db8::20]:80, which answers an HTTP/1.1 request
    with HTTP/2's SETTINGS and GOAWAY frames."""
    def get(target, host=b"origin.example"):
        return b"GET " + target + b" HTTP/1.1\r\nHost: " + host + b"\r\n\r\n"

    def ok(status=b"200 OK"):
        return b"HTTP/1.1 " + status + b"\r\nContent-Length: 3\r\n\r\nok\n"
    upload = (b"POST /upload HTTP/1.1\r\nHost: origin.example\r\n"
              b"Expect: 100-continue\r\nContent-Length: 5\r\n\r\n")
    long_target = b"/search?q=" + b"x" * 290
    pkts = conversation(40080, start, [
        (0.001, [(0, get(b"/"))], [(0.005, ok())]),
        (0.1, [(0, upload), (0.003, b"hello")],
         [(0.002, b"HTTP/1.1 100 Continue\r\n\r\n"), (0.05, ok(b"201 Created"))]),
        (0.5, [(0, get(b"/report"))],
         [(0.001, INTERIM), (2.5, ok())]),
        (3.2, [(0, get(long_target, b"www.origin.example"))], [(0.01, ok())]),
        (4.1, [(0, get(b"/midnight"))], [(0.3, ok())])])
    pkts += conversation(40081, start + 0.2, [
        (0.001, [(0, get(b"/ping", b"api.example"))],
         [(0.001, b"HTTP/1.1 100 Continue\r\n\r\n"), (0.002, ok())]),
        (0.1, [(0, get(b"/hints", b"api.example"))],
         [(0.005, b"HTTP/1.1 103 Early Hints\r\nX-Hint: none\r\n\r\n"),
          (1.2, ok())]),
        (2.0, [(0, get(b"/never", b"api.example"))], [])],
        close_at=8.0, dport=8080)
    settings = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"      # RFC 9113 6.5
    goaway = b"\x00\x00\x08\x07\x00\x00\x00\x00\x00" + bytes(7) + b"\x01"
    pkts += conversation(40082, start + 1, [
        (0.001, [(0, get(b"/", b"h2.example"))], [(0.002, settings + goaway)])],
        server_closes=True, v6=True)
    return sorted(pkts, key=lambda x: x[0])


def client_gives_up(sport, start, request, end_at, rst=False, dport=8080):
    """A request the server acknowledges and never answers; at start +
    end_at the client closes its side (FIN, acknowledged, the server keeping
    its own side open) or, with rst, resets the connection."""
    cisn, sisn = 1000000000 + sport, 2000000000 + sport
    c, s = cisn + 1, sisn + 1
    tcp = segments(sport, dport)
    pkts = [(start, True, tcp(True, "S", cisn, 0, opts=MSS)),
            (start + 0.00012, False, tcp(False, "SA", sisn, c, opts=MSS)),
            (start + 0.00024, True, tcp(True, "A", c, s)),
            (start + 0.001, True, tcp(True, "PA", c, s, request))]
    c += len(request)
    pkts.append((start + 0.00113, False, tcp(False, "A", s, c)))
    if rst:
        pkts.append((start + end_at, True, tcp(True, "R", c, 0)))
    else:
        pkts.append((start + end_at, True, tcp(True, "FA", c, s)))
        pkts.append((start + end_at + 0.00013, False, tcp(False, "A", s, c + 1)))
    return pkts


def clients_give_up(start):
    """Who gave up on requests never answered: port 40090's client closes
    its side 6 s after GET /stuck (as curl --max-time 6 does) and the
    server keeps the connection open past the 100 s --response-timeout;
    port 40091's client resets its connection 8 s after GET /reset; an
    unrelated exchange (port 40092) ends the capture at 110 s."""
    host = b"Host: api.example\r\n\r\n"
    pkts = client_gives_up(40090, start, b"GET /stuck HTTP/1.1\r\n" + host, 6.0)
    pkts += client_gives_up(40091, start + 1, b"GET /reset HTTP/1.1\r\n" + host,
                            8.0, rst=True)
    pkts += conversation(40092, start + 110, [
        (0.001, [(0, b"GET / HTTP/1.1\r\nHost: origin.example\r\n\r\n")],
         [(0.002, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")])])
    return sorted(pkts, key=lambda x: x[0])


def connect_tunnels(start):
    """CONNECT answered 200, then plain HTTP inside (102, 200): parsed, the
    inner exchange carries tunnel_of; and CONNECT answered 200, then bytes
    that look like TLS: an opaque tunnel."""
    pkts = conversation(40060, start, [
        (0.001, [(0, b"CONNECT x:80 HTTP/1.1\r\nHost: x:80\r\n\r\n")],
         [(0.002, b"HTTP/1.1 200 Connection Established\r\n\r\n")]),
        (0.1, [(0, b"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n")],
         [(0.002, b"HTTP/1.1 102 Processing\r\n\r\n"),
          (0.302, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")])])
    pkts += conversation(40061, start + 1, [
        (0.001, [(0, b"CONNECT secure.example:443 HTTP/1.1\r\n"
                     b"Host: secure.example:443\r\n\r\n")],
         [(0.002, b"HTTP/1.1 200 Connection Established\r\n\r\n")]),
        (0.1, [(0, b"\x16\x03\x01\x00\x08\x01\x00\x00\x04\x03\x03GET")],
         [(0.002, b"\x16\x03\x03\x00\x04\x02\x00\x00\x00")])])
    return pkts


def long_fields(start):
    """Every text field an exchange keeps, at and past its cap, for the
    block interim keeps them in (exchange.c): port 40070, the first
    connection (a new block), sends its request head in two segments with a
    103 between them, and offers a 100-byte token in Upgrade, which a 101
    without Upgrade takes as the tunnel's name. Port 40071: a POST with a
    300-byte target, a 200-byte Host, a 200-byte User-Agent holding a NUL,
    Expect and a 150-byte Upgrade, answered by 100, nine 102 with 60-byte
    reasons (one more than interim keeps), the body, a 200 with a 60-byte
    reason; then a request whose 101 names a 150-byte protocol. Port 40072:
    CONNECT to a 200-byte authority, 200, then a request inside (the
    tunnel's target cut to 127 bytes), 102 and 200."""
    token = b"t" * 100
    pkts = conversation(40070, start, [
        (0.001, [(0, b"GET /first HTTP/1.1\r\nHost: a.example\r\n"),
                 (0.010, b"Upgrade: " + token + b", h2c\r\n"
                         b"Connection: Upgrade\r\n\r\n")],
         [(0.005, b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"),
          (0.020, b"HTTP/1.1 101 Switching Protocols\r\n"
                  b"Connection: Upgrade\r\n\r\n")])])
    reason = b"Still Processing " + b"r" * 43
    agent = b"Agent/" + b"u" * 97 + b"\x00" + b"u" * 96
    pkts += conversation(40071, start + 1, [
        (0.001, [(0, b"POST /" + b"p" * 299 + b" HTTP/1.1\r\n"
                     b"Host: " + b"h" * 192 + b".example\r\n"
                     b"User-Agent: " + agent + b"\r\n"
                     b"Expect: 100-continue\r\n"
                     b"Upgrade: " + b"w" * 150 + b"\r\n"
                     b"Content-Length: 3\r\n\r\n"),
                 (0.004, b"abc")],
         [(0.002, b"HTTP/1.1 100 Continue\r\n\r\n")] +
         [(0.005 + 0.001 * i, b"HTTP/1.1 102 " + reason + b"\r\n\r\n")
          for i in range(9)] +
         [(0.020, b"HTTP/1.1 200 " + reason + b"\r\n"
                  b"Content-Length: 2\r\n\r\nok")]),
        (0.1, [(0, b"GET /ws HTTP/1.1\r\nHost: b.example\r\n"
                   b"Upgrade: " + b"v" * 150 + b"\r\n"
                   b"Connection: Upgrade\r\n\r\n")],
         [(0.002, b"HTTP/1.1 101 Switching Protocols\r\n"
                  b"Upgrade: " + b"v" * 150 + b"\r\n"
                  b"Connection: Upgrade\r\n\r\n")])])
    authority = b"c" * 192 + b".example:443"
    pkts += conversation(40072, start + 2, [
        (0.001, [(0, b"CONNECT " + authority + b" HTTP/1.1\r\n"
                     b"Host: " + authority + b"\r\n\r\n")],
         [(0.002, b"HTTP/1.1 200 Connection Established\r\n\r\n")]),
        (0.1, [(0, b"GET /inside HTTP/1.1\r\nHost: c.example\r\n\r\n")],
         [(0.002, b"HTTP/1.1 102 Processing\r\n\r\n"),
          (0.010, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")])])
    return pkts


def many_processing(start):
    """A long job kept alive the way RFC 2518 meant 102: one every 20 s
    for 280 s (15 of them, more than the 8 interim keeps per exchange),
    then the 200 at 300 s. No silence lasts 100 s: nothing to report.
    Crafted because a real origin takes five minutes to record it."""
    replies = [(20.0 * k + 0.002, b"HTTP/1.1 102 Processing\r\n\r\n")
               for k in range(15)]
    replies.append((300.002, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                    b"\r\ndone\n"))
    return conversation(40094, start, [
        (0.001, [(0, b"POST /export HTTP/1.1\r\nHost: jobs.example\r\n"
                     b"Content-Length: 0\r\n\r\n")], replies)])


def ack_edges(start):
    """Pure ACKs (no data; ACK the only one of SYN, FIN, RST, ACK) that
    reassembly takes without libnids, in the shapes where libnids ignores
    one or where one decides what comes next: with TCP timestamps and
    window scaling on both sides. After the GET and its 102, the client
    sends an ACK with an old timestamp (PAWS drops it) and one far outside
    the window (dropped), both acknowledging more than was sent; then one
    acknowledging less than before, with a zero window. The server's 200,
    sent into that zero window, is dropped; the client opens the window
    again and the 200, sent again, is the one taken. Crafted: a real peer
    will not send these on demand."""
    sport, dport = 40095, 80
    cisn, sisn = 1000000000 + sport, 2000000000 + sport
    c, s = cisn + 1, sisn + 1
    ipid = {True: 0x1000, False: 0x2000}
    clock = {True: 100, False: 5000}

    def tcp(from_client, flags, seq, ack, payload=b"", window=None, ts=None,
            syn=False):
        sp, dp = (sport, dport) if from_client else (dport, sport)
        src, dst = (CLIENT4, SERVER4) if from_client else (SERVER4, CLIENT4)
        ipid[from_client] += 1
        clock[from_client] += 1
        tsval = clock[from_client] if ts is None else ts
        opts = [("NOP", None), ("NOP", None), ("Timestamp", (tsval, 0))]
        if syn:
            opts = [("MSS", 1460), ("SAckOK", b""),
                    ("Timestamp", (tsval, 0)), ("NOP", None), ("WScale", 7)]
        seg = TCP(sport=sp, dport=dp, flags=flags, seq=seq, ack=ack,
                  window=(502 if from_client else 509) if window is None
                  else window, options=opts)
        return IP(src=src, dst=dst, ttl=64, id=ipid[from_client],
                  flags="DF") / (seg / payload if payload else seg)

    get = b"GET /ack HTTP/1.1\r\nHost: origin.example\r\n\r\n"
    final = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
    pkts = []

    def add(dt, from_client, pkt):
        pkts.append((start + dt, from_client, pkt))

    add(0.000000, True, tcp(True, "S", cisn, 0, syn=True))
    add(0.000120, False, tcp(False, "SA", sisn, c, syn=True))
    add(0.000240, True, tcp(True, "A", c, s))
    add(0.001000, True, tcp(True, "PA", c, s, get)); c += len(get)
    add(0.001130, False, tcp(False, "A", s, c))
    add(0.002000, False, tcp(False, "PA", s, c, INTERIM)); s += len(INTERIM)
    add(0.002120, True, tcp(True, "A", c, s))
    add(0.010000, True, tcp(True, "A", c, s + 4000, ts=50))          # PAWS
    add(0.020000, True, tcp(True, "A", c + 10000000, s + 4000))      # window
    add(0.030000, True, tcp(True, "A", c, s - 10, window=0))         # shut
    add(0.302000, False, tcp(False, "PA", s, c, final))              # dropped
    add(0.500000, True, tcp(True, "A", c, s, window=502))            # open
    add(0.700000, False, tcp(False, "PA", s, c, final)); s += len(final)
    add(0.700120, True, tcp(True, "A", c, s))
    add(0.701000, True, tcp(True, "FA", c, s)); c += 1
    add(0.701130, False, tcp(False, "FA", s, c)); s += 1
    add(0.701250, True, tcp(True, "A", c, s))
    return pkts


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))

    # PPPoE session, MPLS and VXLAN (Ethernet), each the plain exchange.
    write(os.path.join(out, "crafted-pppoe.pcap"), 1, pppoe_frames(T0))
    write(os.path.join(out, "crafted-mpls.pcap"), 1,
          [(t, eth(fc, 0x8847) / MPLS(label=100 + fc, s=0, ttl=64) /
            MPLS(label=16, s=1, ttl=64) / p) for t, fc, p in exchange(40008, T0)])
    write(os.path.join(out, "crafted-vxlan.pcap"), 1, vxlan_frames(T0))
    write(os.path.join(out, "crafted-lenient-start.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in lenient_start(T0)])
    write(os.path.join(out, "crafted-connect.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in connect_tunnels(T0)])
    write(os.path.join(out, "crafted-long-fields.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in long_fields(T0)])
    write(os.path.join(out, "crafted-servers.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in report_servers(T0 - 4)])
    write(os.path.join(out, "crafted-client-gave-up.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in clients_give_up(T0)])
    write(os.path.join(out, "crafted-many-102.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in many_processing(T0)])
    write(os.path.join(out, "crafted-tcp-ack-edges.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in ack_edges(T0)])

    # Ethernet + 802.1Q (VLAN 100), then a second connection with QinQ:
    # outer 802.1ad S-tag 0x88a8 (VLAN 200) + inner 802.1Q C-tag (VLAN 300).
    frames = [(t, eth(fc) / Dot1Q(vlan=100) / p) for t, fc, p in exchange(40001, T0)]
    frames += [(t, eth(fc) / Dot1AD(vlan=200) / Dot1Q(vlan=300) / p)
               for t, fc, p in exchange(40002, T0 + 1)]
    write(os.path.join(out, "crafted-vlan-qinq.pcap"), 1, frames)

    # DLT_NULL (BSD loopback): 4-byte host-order (little-endian here) AF_INET = 2.
    write(os.path.join(out, "crafted-null-loop.pcap"), 0,
          [(t, Loopback(type=2) / p) for t, fc, p in exchange(40003, T0)])

    # LINKTYPE_RAW (101): the packet starts with the IP header.
    write(os.path.join(out, "crafted-raw-ip.pcap"), 101,
          [(t, p) for t, fc, p in exchange(40004, T0)])

    # LINKTYPE_RAW (101) carrying IPv6.
    write(os.path.join(out, "crafted-raw-ipv6.pcap"), 101,
          [(t, p) for t, fc, p in exchange(40005, T0, v6=True)])

    # LINKTYPE_RAW (101): IPv6 extension headers, fragments and bad lengths.
    write(os.path.join(out, "crafted-ipv6-extensions.pcap"), 101,
          [(t, p) for t, fc, p in ipv6_extensions(T0)])

    # pcapng (SHB, IDB Ethernet, EPBs; written by hand) with plain Ethernet frames.
    write(os.path.join(out, "crafted-pcapng.pcapng"), 1,
          [(t, eth(fc) / p) for t, fc, p in exchange(40006, T0)], ng=True)

    # handshake-timeout (Ethernet): port 40010 -> 80 sends one SYN (same ISN)
    # at 0, 1, 3, 7 and 15 s and never gets a SYN-ACK. Near miss: port
    # 40011 -> 8080 sends its SYN at 2 s, again at 3 and 5 s, and gets the
    # SYN-ACK 0.4 s after the last (3.4 s after the first), then a full
    # exchange. An unrelated complete exchange (port 40012 -> 80) ends the
    # capture at 25 s, past the 19 s --syn-timeout of the first SYN.
    # crafted-handshake-timeout-ipv6.pcap: the same over IPv6, its twin.
    for v6, name in ((False, "crafted-handshake-timeout.pcap"),
                     (True, "crafted-handshake-timeout-ipv6.pcap")):
        pkts = unanswered_syns(40010, T0, (0.0, 1.0, 3.0, 7.0, 15.0), v6=v6)
        pkts += exchange(40011, T0, v6=v6, syn_at=(2.0, 3.0, 5.0), synack_delay=0.4,
                         dport=8080)
        pkts += exchange(40012, T0 + 25 - 0.30325, v6=v6)
        pkts.sort(key=lambda x: x[0])
        write(os.path.join(out, name), 1, [(t, eth(fc) / p) for t, fc, p in pkts])

    # request-unacked (Ethernet): handshake, `GET /x`, the server never
    # acknowledges it; the client retransmits it (Linux-like backoff) at
    # 0.2 ... 102 s after the first send, then gives up with a RST at 102.5 s.
    pkts = unacked_request(40020, T0, (0.2, 0.6, 1.4, 3.0, 6.2, 12.6, 25.4, 51.0, 102.0),
                           102.5)
    write(os.path.join(out, "crafted-request-unacked.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in pkts])

    # A capture gap (Ethernet): port 40030 gets its 102, then the segment
    # holding the 200's head is missing from the capture, though the client
    # acknowledges it along with the body that follows. An unrelated
    # exchange (port 40031) ends the capture at 120 s, past the 100 s
    # --processing-timeout: the silence after the 102 is the capture's.
    pkts = exchange(40030, T0, lose_final_head=True)
    pkts += exchange(40031, T0 + 120 - 0.30325)
    write(os.path.join(out, "crafted-capture-gap.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in pkts])

    # The other way (Ethernet): the GET's segment is missing from the
    # capture, the server acknowledges it and answers 102 then 200. The 102
    # is not unsolicited: the server's ACK shows the capture lost a request.
    write(os.path.join(out, "crafted-capture-gap-request.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in exchange(40035, T0, lose_request=True)])

    # Pipelining (Ethernet), a near miss: GET /next waits 140 s behind a
    # body that trickles in for 140 s; response-timeout counts from when its
    # turn came, not from the request.
    write(os.path.join(out, "crafted-pipeline-slow-body.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in pipelined_slow_body(40032, T0)])

    # 70 requests pipelined: past interim's 64 outstanding requests per
    # connection, the last 6 are counted, not kept; their answers are still
    # framed as their requests ask (one is a HEAD) and are not unsolicited,
    # and the last one's trickling body delays GET /late's turn.
    write(os.path.join(out, "crafted-pipeline-70.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in pipelined_past_cap(40034, T0)])

    # Requests interim cannot parse, answered with 1xx (Ethernet). Port
    # 40040: GET /first (200), then "GET HTTP/1.1" with no target, answered
    # 102 and, 0.2 s later, 400; then GET /third (103, 200). Port 40041:
    # GET /first (200), then a PUT whose target holds a space, with Expect:
    # 100-continue: the server sends 100, the client its body, the server
    # 102 and then closes without a final response. No rule may judge the
    # malformed requests (their fields are unknown), the parse errors are
    # reported, and their responses must not be taken for GET /third's.
    host = b"Host: origin.example\r\n"
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
    first = [(0.001, [(0, b"GET /first HTTP/1.1\r\n" + host + b"\r\n")],
              [(0.002, ok)])]
    pkts = conversation(40040, T0, first + [
        (0.5, [(0, b"GET HTTP/1.1\r\n" + host + b"\r\n")],
         [(0.001, b"HTTP/1.1 102 Processing\r\n\r\n"),
          (0.201, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                  b"Connection: keep-alive\r\n\r\n")]),
        (1.0, [(0, b"GET /third HTTP/1.1\r\n" + host + b"\r\n")],
         [(0.001, b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"),
          (0.051, ok)])])
    pkts += conversation(40041, T0 + 2, first + [
        (0.5, [(0, b"PUT /up load HTTP/1.1\r\n" + host +
                b"Expect: 100-continue\r\nContent-Length: 5\r\n\r\n"),
               (0.002, b"hello")],
         [(0.001, b"HTTP/1.1 100 Continue\r\n\r\n"),
          (0.003, b"HTTP/1.1 102 Processing\r\n\r\n")])],
        server_closes=True, close_at=1.5)
    write(os.path.join(out, "crafted-malformed-request.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in pkts])

    # Bytes a terminal or a JSON reader must not take as they are: a 102
    # whose reason holds ESC [31m, a BEL and a byte above 0x7f, for a target
    # with a quote and a backslash. The text report writes them as \xHH,
    # the JSON escapes them.
    write(os.path.join(out, "crafted-escapes.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in exchange(
              40033, T0,
              request=b'GET /a"b\\c HTTP/1.1\r\nHost: origin.example\r\n\r\n',
              interim=b"HTTP/1.1 102 Pro\x1b[31mcess\x07ing\xe9\r\n\r\n")])

    # UTF-8 from the wire (Ethernet), valid and not: the target, the Host and
    # the 102's reason hold "é" and a 4-byte emoji, a C1 control (U+009B)
    # and bytes that are not UTF-8: 0xff, a lone continuation byte, an
    # overlong "/" (c0 af), an encoded surrogate (ed a0 80), a code point
    # above U+10FFFF (f4 90 80 80) and a sequence cut by the field's end
    # (e2 82). The JSON passes the valid text through; tests/utf8.sh checks.
    write(os.path.join(out, "crafted-utf8.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in exchange(
              40036, T0,
              request=(b"GET /caf\xc3\xa9/\xf0\x9f\x98\x80?a=\xff&b=\x80&c=\xc0\xaf"
                       b"&d=\xf4\x90\x80\x80 HTTP/1.1\r\n"
                       b"Host: h\xc3\xa9.example\xe2\x82\r\n\r\n"),
              interim=(b"HTTP/1.1 102 Trait\xc3\xa9 \xf0\x9f\x98\x80 \xed\xa0\x80 "
                       b"\xc2\x9b\\ \xe2\x82\r\n\r\n"))])

    # A port scan (Ethernet): one client sends a SYN to 30 ports within
    # 0.3 s, each refused with an RST. libnids' scan detection would report
    # it; interim turns it off, so nothing is counted. A test input, not a
    # sample: it lives with the tests.
    pkts = []
    for i in range(30):
        syn = [(t, fc, p) for t, fc, p in exchange(40100 + i, T0 + 0.01 * i,
                                                  dport=1000 + i)][0]
        t, fc, p = syn
        rst = IP(src=SERVER4, dst=CLIENT4, ttl=64, flags="DF") / \
            TCP(sport=1000 + i, dport=40100 + i, flags="RA", seq=0,
                ack=p[TCP].seq + 1, window=0)
        pkts += [(t, True, p), (t + 0.0001, False, rst)]
    write(os.path.join(out, "..", "tests", "port-scan.pcap"), 1,
          [(t, eth(fc) / p) for t, fc, p in pkts])

    # A link type interim does not support: LINKTYPE_USB_LINUX (189), two
    # usbmon records (submit and completion of one control transfer).
    setup = bytes([0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00])  # GET_DESCRIPTOR device
    # It is a bad input, not a sample: it lives with the tests.
    write_raw_pcap(os.path.join(out, "..", "tests", "unknown-link.pcap"), 189,
                   [(T0, usbmon_packet(0xffff888000000001, "S", T0, setup)),
                    (T0 + 0.000250, usbmon_packet(0xffff888000000001, "C", T0 + 0.000250,
                                                  bytes(8)))])


if __name__ == "__main__":
    main()
