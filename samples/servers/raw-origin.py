#!/usr/bin/env python3
"""Raw-socket HTTP origin that writes exact bytes, for broken 1xx behaviours.

usage: raw-origin.py MODE PORT [HOST]

Binds HOST:PORT (HOST 127.0.0.1 by default, ::1 for IPv6), accepts ONE connection, reads one request (headers and
a Content-Length body if any), plays the MODE's script (bytes, pause, ...;
empty bytes send nothing, only wait), then half-closes, waits for the
client's FIN and exits. Loopback only. No TCP keepalive is set (the kernel
default is off), so long silences stay silent on the wire.
"""
import socket
import sys
import time

OK = (b"HTTP/1.1 200 OK\r\n"
      b"Content-Type: text/plain\r\n"
      b"Content-Length: 3\r\n"
      b"Connection: close\r\n\r\n"
      b"ok\n")

# The same final response without Connection: close (keep-alive).
OK_KEEPALIVE = (b"HTTP/1.1 200 OK\r\n"
                b"Content-Type: text/plain\r\n"
                b"Content-Length: 3\r\n\r\n"
                b"ok\n")
PROCESSING = b"HTTP/1.1 102 Processing\r\n\r\n"
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
# A few non-HTTP bytes sent after a 101 (the "new protocol").
TUNNEL = b"\x00\x01\x02\x03not-http tunnel bytes\xff\xfe"

# Each script is a list of (bytes_to_send, seconds_to_wait_after).
SCRIPTS = {
    # 100 Continue sent to an HTTP/1.0 client, then a Content-Length final.
    "http10-continue": [
        (b"HTTP/1.1 100 Continue\r\n\r\n", 0.05),
        (OK, 0),
    ],
    # 101 to a request without Upgrade, and no Upgrade header in the 101;
    # then some non-HTTP bytes, then close.
    "101-no-upgrade": [
        (b"HTTP/1.1 101 Switching Protocols\r\n"
         b"\r\n", 0.05),
        (b"\x00\x01\x02\x03not-http tunnel bytes\xff\xfe", 0.05),
    ],
    # A 100 that carries a body (Content-Length: 5), then the final.
    "1xx-with-body": [
        (b"HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\nhello", 0.05),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", 0),
    ],
    # 100 Continue and 102 Processing to an HTTP/1.0 request (which expects
    # neither), then a Content-Length final.
    "http10-100-102": [
        (CONTINUE, 0.02),
        (PROCESSING, 0.05),
        (OK, 0),
    ],
    # 102, then 200 ms of silence, then close without a final response.
    "102-then-close": [
        (b"HTTP/1.1 102 Processing\r\n\r\n", 0.2),
    ],
    # Unknown 199, a 100 whose status line says HTTP/1.0, a 103 without Link,
    # then the final.
    "unknown-1xx": [
        (b"HTTP/1.1 199 Misc\r\n\r\n", 0.02),
        (b"HTTP/1.0 100 Continue\r\n\r\n", 0.02),
        (b"HTTP/1.1 103 Early Hints\r\n"
         b"X-Hint: none\r\n\r\n", 0.02),
        (OK, 0),
    ],
    # Two 100 Continue for one Expect: 100-continue request, then the final.
    "continue-repeated": [
        (CONTINUE, 0.02),
        (CONTINUE, 0.02),
        (OK, 0),
    ],
    # 100 Continue to a request without Expect, then the final.
    "continue-unexpected": [
        (CONTINUE, 0.02),
        (OK, 0),
    ],
    # HTTP/1.0 final response straight away (no 1xx), Content-Length body.
    "http10-ok": [
        (b"HTTP/1.0 200 OK\r\n"
         b"Content-Type: text/plain\r\n"
         b"Content-Length: 3\r\n\r\n"
         b"ok\n", 0),
    ],
    # 101 whose Upgrade (h2c) is not what the request offered (websocket),
    # then tunnel bytes, then close.
    "101-h2c": [
        (b"HTTP/1.1 101 Switching Protocols\r\n"
         b"Connection: Upgrade\r\n"
         b"Upgrade: h2c\r\n\r\n", 0.05),
        (TUNNEL, 0.05),
    ],
    # 101 with Upgrade: websocket (sent to a request without Upgrade).
    "101-websocket": [
        (b"HTTP/1.1 101 Switching Protocols\r\n"
         b"Connection: Upgrade\r\n"
         b"Upgrade: websocket\r\n\r\n", 0.05),
        (TUNNEL, 0.05),
    ],
    # 101 with Connection: Upgrade but no Upgrade header.
    "101-connection-only": [
        (b"HTTP/1.1 101 Switching Protocols\r\n"
         b"Connection: Upgrade\r\n\r\n", 0.05),
        (TUNNEL, 0.05),
    ],
    # Keep-alive 200, then ~100 ms later a 100 Continue with no request
    # outstanding, then close.
    "unsolicited-100": [
        (OK_KEEPALIVE, 0.1),
        (CONTINUE, 0.05),
    ],
    # 102 at once, then 105 s of silence, then the final.
    "102-silence-105s": [
        (PROCESSING, 105),
        (OK, 0),
    ],
    # No byte at all for 105 s after the request, then the final.
    "silent-105s": [
        (b"", 105),
        (OK, 0),
    ],
    # 102 every 30 s (at 0, 30, 60, 90, 120 s), then the final at 130 s.
    "102-every-30s": [
        (PROCESSING, 30),
        (PROCESSING, 30),
        (PROCESSING, 30),
        (PROCESSING, 30),
        (PROCESSING, 10),
        (OK, 0),
    ],
    # 102, 5 s of silence, then the final.
    "102-5s": [
        (PROCESSING, 5),
        (OK, 0),
    ],
    # Never an answer: 6 s of silence after the request, then close (the
    # client has given up before).
    "silent-6s": [
        (b"", 6),
    ],
}


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(4096)
        if not chunk:
            break
        body += chunk
    return data


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in SCRIPTS:
        sys.exit("usage: raw-origin.py {%s} PORT [HOST]" % "|".join(SCRIPTS))
    script = SCRIPTS[sys.argv[1]]
    port = int(sys.argv[2])
    host = sys.argv[3] if len(sys.argv) == 4 else "127.0.0.1"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(1)
    print("raw-origin %s listening on %s port %d" % (sys.argv[1], host, port), flush=True)
    conn, _ = srv.accept()
    srv.close()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    read_request(conn)
    for data, pause in script:
        if data:
            conn.sendall(data)
        if pause:
            time.sleep(pause)
    conn.shutdown(socket.SHUT_WR)       # our FIN
    conn.settimeout(5)
    try:
        while conn.recv(4096):          # drain until the client's FIN
            pass
    except OSError:
        pass
    conn.close()


if __name__ == "__main__":
    main()
