#!/usr/bin/env python3
"""Keep-alive client told when to go on, for the mid-stream samples.

usage: keepalive-client.py PORT [HOST]

Connects to HOST:PORT (127.0.0.1 by default, ::1 for IPv6), sends
`GET /first` and reads its answer, prints "ready" and waits for a line on
stdin (record.sh starts tcpdump in between for a mid-stream capture). Then,
on the same connection: `GET /processing` (the origin answers 102, then
200), and `POST /upload` with `Expect: 100-continue`, whose 12-byte body is
sent only after the 100. Closes after the last final response. Each read
times out after 10 s. Loopback only.
"""
import socket
import sys

FIRST = (b"GET /first HTTP/1.1\r\n"
         b"Host: sample\r\n"
         b"User-Agent: keepalive-client/1\r\n\r\n")
PROCESSING = (b"GET /processing HTTP/1.1\r\n"
              b"Host: sample\r\n"
              b"User-Agent: keepalive-client/1\r\n\r\n")
UPLOAD_HEAD = (b"POST /upload HTTP/1.1\r\n"
               b"Host: sample\r\n"
               b"User-Agent: keepalive-client/1\r\n"
               b"Content-Type: text/plain\r\n"
               b"Content-Length: 12\r\n"
               b"Expect: 100-continue\r\n\r\n")
UPLOAD_BODY = b"hello world\n"


class Reader:
    """Reads HTTP/1.1 responses off one socket (Content-Length bodies only)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self):
        chunk = self.sock.recv(4096)
        if not chunk:
            raise EOFError("server closed the connection")
        self.buf += chunk

    def head(self):
        """One response head: returns (status, headers dict, lowercase names)."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        return status, headers

    def final(self):
        """Skips 1xx heads, reads the final response's body; returns statuses."""
        seen = []
        while True:
            status, headers = self.head()
            seen.append(status)
            if status >= 200:
                break
        length = int(headers.get(b"content-length", b"0"))
        while len(self.buf) < length:
            self._fill()
        self.buf = self.buf[length:]
        return seen


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: keepalive-client.py PORT [HOST]")
    host = sys.argv[2] if len(sys.argv) == 3 else "127.0.0.1"
    s = socket.create_connection((host, int(sys.argv[1])), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    r = Reader(s)
    s.sendall(FIRST)
    print("GET /first:", r.final(), flush=True)
    print("ready", flush=True)
    sys.stdin.readline()
    s.sendall(PROCESSING)
    print("GET /processing:", r.final(), flush=True)
    s.sendall(UPLOAD_HEAD)
    status, _ = r.head()
    if status != 100:
        sys.exit("POST /upload: expected 100, got %d" % status)
    s.sendall(UPLOAD_BODY)
    print("POST /upload:", [100] + r.final(), flush=True)
    s.close()


if __name__ == "__main__":
    main()
