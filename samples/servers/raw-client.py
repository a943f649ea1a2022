#!/usr/bin/env python3
"""Raw-socket HTTP client that sends exact request bytes (loopback only).

usage: raw-client.py NAME PORT [TIMEOUT]

Connects to 127.0.0.1:PORT, writes the NAME request bytes in ONE send (so
pipelined requests share a segment), reads until the server closes, prints
what it got, then closes. TIMEOUT (seconds, default 10) bounds each read.
"""
import socket
import sys

REQUESTS = {
    # Plain GET without Upgrade (answered by a 101 anyway).
    "get": (b"GET /plain HTTP/1.1\r\n"
            b"Host: 127.0.0.1\r\n"
            b"User-Agent: raw-client/1\r\n"
            b"Accept: */*\r\n\r\n"),
    # POST with Expect: 100-continue, body sent straight away (RFC 9110 allows it).
    "post-expect": (b"POST /upload HTTP/1.1\r\n"
                    b"Host: 127.0.0.1\r\n"
                    b"User-Agent: raw-client/1\r\n"
                    b"Content-Type: text/plain\r\n"
                    b"Content-Length: 12\r\n"
                    b"Expect: 100-continue\r\n\r\n"
                    b"hello world\n"),
    # Four pipelined keep-alive requests in one write: GET (chunked answer),
    # HEAD (Content-Length, no body), GET (Content-Length body), GET (204);
    # the last one asks the server to close.
    "pipeline": (b"GET /chunked HTTP/1.1\r\n"
                 b"Host: 127.0.0.1\r\n"
                 b"User-Agent: raw-client/1\r\n\r\n"
                 b"HEAD /length HTTP/1.1\r\n"
                 b"Host: 127.0.0.1\r\n"
                 b"User-Agent: raw-client/1\r\n\r\n"
                 b"GET /length HTTP/1.1\r\n"
                 b"Host: 127.0.0.1\r\n"
                 b"User-Agent: raw-client/1\r\n\r\n"
                 b"GET /empty HTTP/1.1\r\n"
                 b"Host: 127.0.0.1\r\n"
                 b"User-Agent: raw-client/1\r\n"
                 b"Connection: close\r\n\r\n"),
    # HTTP/1.0 POST that carries Expect: 100-continue, body sent at once.
    "post-expect-http10": (b"POST /form HTTP/1.0\r\n"
                           b"Host: 127.0.0.1\r\n"
                           b"User-Agent: raw-client/1\r\n"
                           b"Content-Type: application/x-www-form-urlencoded\r\n"
                           b"Content-Length: 3\r\n"
                           b"Expect: 100-continue\r\n\r\n"
                           b"a=1"),
    # WebSocket upgrade request (RFC 6455 sample key).
    "upgrade-websocket": (b"GET /chat HTTP/1.1\r\n"
                          b"Host: 127.0.0.1\r\n"
                          b"User-Agent: raw-client/1\r\n"
                          b"Upgrade: websocket\r\n"
                          b"Connection: Upgrade\r\n"
                          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          b"Sec-WebSocket-Version: 13\r\n\r\n"),
}


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in REQUESTS:
        sys.exit("usage: raw-client.py {%s} PORT [TIMEOUT]" % "|".join(REQUESTS))
    timeout = float(sys.argv[3]) if len(sys.argv) == 4 else 10
    s = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(REQUESTS[sys.argv[1]])
    got = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
    s.close()
    sys.stdout.buffer.write(got + b"\n")


if __name__ == "__main__":
    main()
