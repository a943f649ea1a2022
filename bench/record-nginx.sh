#!/bin/sh
# record-nginx.sh: record a capture of real programs, nginx serving and
# wrk loading it, for bench/run.sh to read and bench/live.sh to replay.
#
#   bench/record-nginx.sh [OUT]      # keep-alive: /tmp/interim-bench/nginx-wrk.pcap
#   REC_CLOSE=1 bench/record-nginx.sh [OUT]
#                                    # one request per connection:
#                                    # /tmp/interim-bench/nginx-wrk-close.pcap
#
# Environment: REC_PORT (18480), REC_SECONDS (3, wrk -d), REC_CONNS (16,
# wrk -c), REC_THREADS (2, wrk -t), REC_MTU (1500), REC_CLOSE (0).
#
# Everything runs inside a fresh network namespace (unshare -n, so root is
# needed) whose only device is its own lo: no traffic leaves the machine or
# reaches the host's lo. In it lo gets MTU $REC_MTU and gso_max_size
# $REC_MTU, so TCP segments are what they would be on a 1500-byte Ethernet
# (MSS 1448 with timestamps) instead of lo's 64 KiB. The capture is
# tcpdump on that lo with a port filter: link type EN10MB, which tcpreplay
# can send back onto lo.
#
# nginx (a tiny config in a temporary directory) serves a 2 KiB static
# file at / and answers POST /upload with 201 after reading the body. wrk
# runs keep-alive; its Lua script makes one request in four a POST with
# `Expect: 100-continue` and a 1 KiB body, which nginx answers with
# `HTTP/1.1 100 Continue` before the 201 (nginx sends the 100 itself when
# the request says Expect, even though wrk sends the body at once).
#
# wrk's HTTP parser counts the 100 as a response and writes the next
# request, so each POST leaves one more request in flight on its
# connection: the capture has pipelined requests. nginx's
# keepalive_requests 100 bounds that: it closes each connection after 100
# requests and wrk reconnects, so the capture also has handshakes and
# teardowns.
#
# REC_CLOSE=1: every request carries `Connection: close`, so nginx closes
# the connection after its response and wrk opens a new one for the next
# request: a handshake and a teardown per request. A POST's 100 Continue
# still makes wrk write its next request on that connection when the 100
# arrives alone; nginx closes it after the 201 without answering that
# request, so a few exchanges end unanswered (559 of 26,335 in one 3 s
# run). net.ipv4.tcp_tw_reuse is set inside the namespace so that wrk's
# ports, reused faster than TIME_WAIT ends, do not run out.

set -eu

close=${REC_CLOSE:-0}
if [ "$close" = 1 ]; then
	out=${1:-/tmp/interim-bench/nginx-wrk-close.pcap}
	conn_header='["Connection"] = "close",'
else
	out=${1:-/tmp/interim-bench/nginx-wrk.pcap}
	conn_header=''
fi
port=${REC_PORT:-18480}
secs=${REC_SECONDS:-3}
conns=${REC_CONNS:-16}
threads=${REC_THREADS:-2}
mtu=${REC_MTU:-1500}

die() {
	echo "record-nginx.sh: $*" >&2
	exit 2
}

for p in nginx wrk tcpdump unshare ip; do
	command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] ||
		die "$p not found (Debian: apt-get install nginx wrk tcpdump)"
done
[ "$(id -u)" = 0 ] || die "needs root (a network namespace, tcpdump)"

mkdir -p "$(dirname "$out")" || die "cannot create $(dirname "$out")"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/interim-rec.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM

mkdir "$tmp/www"
head -c 2048 /dev/zero | tr '\0' 'a' >"$tmp/www/index.html"

cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	keepalive_requests 100;
	keepalive_timeout 30s;
	client_body_temp_path $tmp/body;
	server {
		listen 127.0.0.1:$port;
		root $tmp/www;
		location = / { index index.html; }
		location = /upload {
			client_body_buffer_size 64k;
			# nginx discards the body, sending 100 Continue first
			return 201 "created \$content_length\n";
		}
	}
}
EOF
nginx -t -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf" >/dev/null 2>&1 ||
	{ nginx -t -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf"; die "bad nginx config"; }

cat >"$tmp/post.lua" <<EOF
-- one request in four: POST /upload with Expect: 100-continue
local n = 0
local body = string.rep("b", 1024)
request = function()
	n = n + 1
	if n % 4 == 0 then
		return wrk.format("POST", "/upload", {
			$conn_header
			["Expect"] = "100-continue",
			["Content-Type"] = "application/octet-stream",
		}, body)
	end
	return wrk.format("GET", "/", { $conn_header })
end
EOF

# The namespace's shell: lo at MTU $mtu, nginx, tcpdump, wrk; each
# stopped by the PID it was started with.
cat >"$tmp/inside.sh" <<EOF
set -eu
ip link set lo mtu $mtu up
ip link set dev lo gso_max_size $mtu
sysctl -q -w net.ipv4.tcp_tw_reuse=1
nginx -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf" &
ngx=\$!
tcpdump -i lo -n -s 262144 -B 65536 -w "$out.tmp" "tcp port $port" 2>"$tmp/tcpdump.err" &
tcpd=\$!
sleep 1
wrk -t $threads -c $conns -d ${secs}s -s "$tmp/post.lua" "http://127.0.0.1:$port/" >"$tmp/wrk.out" 2>&1 ||
	{ cat "$tmp/wrk.out" >&2; kill \$tcpd \$ngx; exit 2; }
sleep 0.5
kill -INT \$tcpd
wait \$tcpd || true
kill -QUIT \$ngx
wait \$ngx || true
EOF
unshare -n sh "$tmp/inside.sh" || die "recording failed"
mv "$out.tmp" "$out"

sed 's/^/record-nginx.sh: wrk: /' "$tmp/wrk.out" >&2
sed 's/^/record-nginx.sh: tcpdump: /' "$tmp/tcpdump.err" >&2
echo "record-nginx.sh: wrote $out ($(stat -c %s "$out") bytes, MTU $mtu)" >&2
echo "$out"
