#!/usr/bin/env python3
"""python http.server origin whose 200 is close-delimited, sent slowly.

usage: python-close-delimited.py PORT

BaseHTTPRequestHandler speaks HTTP/1.0 by default: the 200 has no
Content-Length and no Transfer-Encoding, so its body ends when the server
closes. One line of body every second for 5 s, then the handler returns and
http.server closes the connection, ~5 s after the status line. Serves ONE
request on 127.0.0.1 and exits.
"""
import http.server
import sys
import time


class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.flush()
        for i in range(5):
            self.wfile.write(b"line %d of a body that ends when the server closes\n" % i)
            self.wfile.flush()
            time.sleep(1)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python-close-delimited.py PORT")
    server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Slow)
    print("python-close-delimited listening on port", sys.argv[1], flush=True)
    server.handle_request()
    server.server_close()


if __name__ == "__main__":
    main()
