#!/usr/bin/env bash
# Record the real loopback captures in this folder.
#
# usage: sudo ./record.sh [SAMPLE...]     (no argument: all samples)
#        ./record.sh --list
#
# Needs root (tcpdump on lo / any), tcpdump, curl, node (>= 18) and python3;
# the go-*, nginx-* and apache-* samples also need go (>= 1.19), nginx and
# apache2 (Debian: golang-go, nginx, apache2; only their binaries are used,
# never the system services).
# Every sample talks ONLY to 127.0.0.1 or ::1. Each one: start the server,
# start tcpdump on its own port(s), wait until tcpdump listens (+0.5 s so the
# SYN is captured), run the client, wait 0.5 s for the last packets, stop
# tcpdump with SIGINT and wait for it, then wait for the server (every server
# exits after its one connection) or stop it (nginx and Apache run until
# stopped: stop_daemon).
#
# The long samples (LONG below: waits of 5 s to 130 s) run in parallel, each
# in a background subshell with its own port, tcpdump and work directory,
# while the short ones are recorded one after another; the whole run takes
# about 2.5 minutes (the longest sample lasts 130 s).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRV=$HERE/servers
PYTHON=${PYTHON:-python3}
NODE=${NODE:-node}
CURL=(curl --no-progress-meter --max-time 10)
# For the long samples: wait up to 200 s, and no TCP keepalive probes (curl
# sends them after 60 s idle by default; they would show up in the capture).
CURL_LONG=(curl --no-progress-meter --max-time 200 --no-keepalive)
WORK=$(mktemp -d /tmp/interim-record.XXXXXX)
PIDS=()
BG_PIDS=()      # background subshells recording long samples

kill_pids() {
    local p
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null || true
    done
}

cleanup() {
    local p
    kill_pids
    for p in "${BG_PIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '== %s\n' "$*" >&2; }

# wait_listen PORT: poll the socket table (no packet is sent) until PORT listens
wait_listen() {
    local i
    for i in $(seq 100); do
        if [ -n "$(ss -Hltn "sport = :$1")" ]; then return 0; fi
        sleep 0.05
    done
    echo "nothing listens on port $1" >&2
    return 1
}

# start_server PORT CMD...: run CMD in the background, wait until PORT listens
start_server() {
    local port=$1; shift
    "$@" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    wait_listen "$port"
}

# stop_server: give the server 3 s to exit on its own, then SIGTERM it
stop_server() {
    local i
    for i in $(seq 60); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    PIDS=()     # tcpdump and the server are both gone now
}

# start_daemon PORT CMD...: run CMD (a server that does not exit by itself:
# nginx, apache2 in the foreground) in the background, wait until PORT listens
start_daemon() {
    local port=$1; shift
    "$@" >"$WORK/daemon.log" 2>&1 &
    DAEMON_PID=$!
    PIDS+=("$DAEMON_PID")
    wait_listen "$port"
}

# stop_daemon SIGNAL: stop it (nginx: QUIT, graceful; apache2: TERM)
stop_daemon() {
    kill -"$1" "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
}

# config TEMPLATE PORT UPSTREAM [PROXY_HTTP_VERSION]: servers/TEMPLATE with
# its @...@ filled in, written to $WORK; prints the file's path
config() {
    sed -e "s|@DIR@|$WORK|g" -e "s|@SRV@|$SRV|g" -e "s|@PORT@|$2|g" \
        -e "s|@UPSTREAM@|$3|g" -e "s|@PROXY_HTTP_VERSION@|${4:-1.0}|g" \
        "$SRV/$1" >"$WORK/$1"
    echo "$WORK/$1"
}

# start_capture FILE PORTS [IFACE [LINKTYPE [SNAPLEN]]]   (empty LINKTYPE: default)
# PORTS: one port, or several separated by spaces (a proxy and its upstream)
start_capture() {
    local file=$1 iface=${3:-lo} dlt=() snaplen=${5:-0} port filter=
    for port in $2; do filter="${filter:+$filter or }tcp port $port"; done
    [ -n "${4:-}" ] && dlt=(-y "$4")
    CAPTURE_FILE=$file
    : >"$WORK/tcpdump.log"
    # -Z root: write the file as root (Debian's tcpdump drops to user tcpdump)
    # --immediate-mode: without it libpcap's TPACKET_V3 ring hands packets over
    # only when a block is retired (every 1 s), and the packets of a block not
    # yet retired when SIGINT comes are lost (seen with rule-continue-slow)
    tcpdump -i "$iface" "${dlt[@]}" -s "$snaplen" --immediate-mode -U -Z root -w "$WORK/capture" "$filter" \
        2>"$WORK/tcpdump.log" &
    TCPDUMP_PID=$!
    PIDS+=("$TCPDUMP_PID")
    local i
    for i in $(seq 100); do
        grep -q 'listening on' "$WORK/tcpdump.log" && break
        kill -0 "$TCPDUMP_PID" 2>/dev/null || { cat "$WORK/tcpdump.log" >&2; return 1; }
        sleep 0.05
    done
    sleep 0.5
}

stop_capture() {
    sleep 0.5
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    sed -n '/packets captured/p' "$WORK/tcpdump.log" >&2
    mv "$WORK/capture" "$HERE/$CAPTURE_FILE"
    chmod 644 "$HERE/$CAPTURE_FILE"
}

# A 2 KB request body (same bytes every run).
body2k() { printf 'sample=curl-expect-100&data='; head -c 2020 /dev/zero | tr '\0' 'a'; }

# start_stepped_client PORT HOST: servers/keepalive-client.py in the
# background, reading its go-ahead from a fifo on fd 9; returns once it has
# had its first answer (it printed "ready")
start_stepped_client() {
    rm -f "$WORK/go"
    mkfifo "$WORK/go"
    "$PYTHON" "$SRV/keepalive-client.py" "$1" "$2" <"$WORK/go" >"$WORK/client.log" 2>&1 &
    CLIENT_PID=$!
    exec 9>"$WORK/go"
    local i
    for i in $(seq 100); do
        grep -q '^ready' "$WORK/client.log" && return 0
        kill -0 "$CLIENT_PID" 2>/dev/null || break
        sleep 0.05
    done
    cat "$WORK/client.log" >&2
    return 1
}

# go_client: let the stepped client go on, wait for it to finish
go_client() {
    echo go >&9
    exec 9>&-
    local rc=0
    wait "$CLIENT_PID" || rc=$?
    cat "$WORK/client.log" >&2
    return $rc
}

# keepalive_sample FILE PORT HOST mid|full: the keep-alive connection of
# servers/keepalive-client.py; "mid": tcpdump starts after its first
# exchange (no handshake in the capture), "full": before the connect
keepalive_sample() {
    local file=$1 port=$2 host=$3 when=$4
    start_server $port "$NODE" "$SRV/node-1xx.js" keepalive-1xx $port "$host"
    [ "$when" = full ] && start_capture "$file" $port
    start_stepped_client $port "$host"
    [ "$when" = mid ] && start_capture "$file" $port
    go_client
    stop_capture; stop_server
}

# ---------------------------------------------------------------- samples

rec_curl_expect_100() {
    local port=18080
    start_server $port "$NODE" "$SRV/node-1xx.js" expect100 $port
    start_capture curl-expect-100.pcap $port
    body2k | "${CURL[@]}" --http1.1 -H 'Expect: 100-continue' \
        -H 'Content-Type: application/x-www-form-urlencoded' \
        --data-binary @- "http://127.0.0.1:$port/upload"
    stop_capture; stop_server
}

rec_node_processing() {
    local port=18081
    start_server $port "$NODE" "$SRV/node-1xx.js" processing $port
    start_capture node-processing.pcap $port
    "${CURL[@]}" --http1.1 "http://127.0.0.1:$port/slow"
    stop_capture; stop_server
}

rec_node_early_hints() {
    local port=18082
    start_server $port "$NODE" "$SRV/node-1xx.js" early-hints $port
    start_capture node-early-hints.pcap $port
    "${CURL[@]}" --http1.1 "http://127.0.0.1:$port/"
    stop_capture; stop_server
}

rec_node_continue() {
    local port=18083
    start_server $port "$NODE" "$SRV/node-1xx.js" continue $port
    start_capture node-continue.pcap $port
    "$NODE" "$SRV/node-client.js" continue $port
    stop_capture; stop_server
}

rec_node_websocket() {
    local port=18084
    start_server $port "$NODE" "$SRV/node-1xx.js" websocket $port
    start_capture node-websocket.pcap $port
    "$NODE" "$SRV/node-client.js" websocket $port
    stop_capture; stop_server
}

rec_keepalive_pipeline() {
    local port=18085
    start_server $port "$NODE" "$SRV/node-1xx.js" keepalive $port
    start_capture keepalive-pipeline.pcap $port
    "$PYTHON" "$SRV/raw-client.py" pipeline $port
    stop_capture; stop_server
}

rec_raw_http10_continue() {
    local port=18086
    start_server $port "$PYTHON" "$SRV/raw-origin.py" http10-continue $port
    start_capture raw-http10-continue.pcap $port
    "${CURL[@]}" --http1.0 --data-binary 'a=1' "http://127.0.0.1:$port/form"
    stop_capture; stop_server
}

rec_raw_101_no_upgrade() {
    local port=18087
    start_server $port "$PYTHON" "$SRV/raw-origin.py" 101-no-upgrade $port
    start_capture raw-101-no-upgrade.pcap $port
    "$PYTHON" "$SRV/raw-client.py" get $port | od -c | tail -n 4
    stop_capture; stop_server
}

rec_raw_1xx_with_body() {
    local port=18088
    start_server $port "$PYTHON" "$SRV/raw-origin.py" 1xx-with-body $port
    start_capture raw-1xx-with-body.pcap $port
    "$PYTHON" "$SRV/raw-client.py" post-expect $port
    stop_capture; stop_server
}

rec_raw_102_then_close() {
    local port=18089
    start_server $port "$PYTHON" "$SRV/raw-origin.py" 102-then-close $port
    start_capture raw-102-then-close.pcap $port
    "$PYTHON" "$SRV/raw-client.py" get $port
    stop_capture; stop_server
}

rec_raw_unknown_1xx() {
    local port=18090
    start_server $port "$PYTHON" "$SRV/raw-origin.py" unknown-1xx $port
    start_capture raw-unknown-1xx.pcap $port
    "$PYTHON" "$SRV/raw-client.py" post-expect $port
    stop_capture; stop_server
}

rec_any_interface() {
    local port=18091
    start_server $port "$NODE" "$SRV/node-1xx.js" processing $port
    start_capture any-interface.pcap $port any
    "${CURL[@]}" --http1.1 "http://127.0.0.1:$port/slow"
    stop_capture; stop_server
}

rec_any_interface_sll() {
    local port=18093
    start_server $port "$NODE" "$SRV/node-1xx.js" processing $port
    start_capture any-interface-sll.pcap $port any LINUX_SLL
    "${CURL[@]}" --http1.1 "http://127.0.0.1:$port/slow"
    stop_capture; stop_server
}

rec_ipv6_loopback() {
    local port=18092
    start_server $port "$NODE" "$SRV/node-1xx.js" processing $port ::1
    start_capture ipv6-loopback.pcap $port
    "${CURL[@]}" --http1.1 -g "http://[::1]:$port/v6"
    stop_capture; stop_server
}

rec_rule_continue_slow() {
    local port=18100
    start_server $port "$NODE" "$SRV/node-1xx.js" continue-slow $port
    start_capture rule-continue-slow.pcap $port
    # --expect100-timeout 5: curl waits for the (1.5 s late) 100 instead of
    # sending the body after its default 1 s
    body2k | "${CURL[@]}" --http1.1 --expect100-timeout 5 -H 'Expect: 100-continue' \
        -H 'Content-Type: application/x-www-form-urlencoded' \
        --data-binary @- "http://127.0.0.1:$port/upload"
    stop_capture; stop_server
}

rec_rule_continue_repeated() {
    local port=18101
    start_server $port "$PYTHON" "$SRV/raw-origin.py" continue-repeated $port
    start_capture rule-continue-repeated.pcap $port
    "$PYTHON" "$SRV/raw-client.py" post-expect $port
    stop_capture; stop_server
}

rec_rule_continue_unexpected() {
    local port=18102
    start_server $port "$PYTHON" "$SRV/raw-origin.py" continue-unexpected $port
    start_capture rule-continue-unexpected.pcap $port
    "$PYTHON" "$SRV/raw-client.py" get $port
    stop_capture; stop_server
}

rec_rule_expect_on_http10() {
    local port=18103
    start_server $port "$PYTHON" "$SRV/raw-origin.py" http10-ok $port
    start_capture rule-expect-on-http10.pcap $port
    "$PYTHON" "$SRV/raw-client.py" post-expect-http10 $port
    stop_capture; stop_server
}

rec_rule_upgrade_mismatch() {
    local port=18104
    start_server $port "$PYTHON" "$SRV/raw-origin.py" 101-h2c $port
    start_capture rule-upgrade-mismatch.pcap $port
    "$PYTHON" "$SRV/raw-client.py" upgrade-websocket $port | od -c | tail -n 4
    stop_capture; stop_server
}

rec_rule_upgrade_unrequested() {
    local port=18105
    start_server $port "$PYTHON" "$SRV/raw-origin.py" 101-websocket $port
    start_capture rule-upgrade-unrequested.pcap $port
    "$PYTHON" "$SRV/raw-client.py" get $port | od -c | tail -n 4
    stop_capture; stop_server
}

rec_rule_upgrade_missing() {
    local port=18106
    start_server $port "$PYTHON" "$SRV/raw-origin.py" 101-connection-only $port
    start_capture rule-upgrade-missing.pcap $port
    "$PYTHON" "$SRV/raw-client.py" upgrade-websocket $port | od -c | tail -n 4
    stop_capture; stop_server
}

rec_rule_interim_unsolicited() {
    local port=18107
    start_server $port "$PYTHON" "$SRV/raw-origin.py" unsolicited-100 $port
    start_capture rule-interim-unsolicited.pcap $port
    "$PYTHON" "$SRV/raw-client.py" get $port
    stop_capture; stop_server
}

rec_rule_processing_silence() {
    local port=18108
    start_server $port "$PYTHON" "$SRV/raw-origin.py" 102-silence-105s $port
    start_capture rule-processing-silence.pcap $port
    "${CURL_LONG[@]}" --http1.1 "http://127.0.0.1:$port/slow"
    stop_capture; stop_server
}

rec_rule_response_timeout() {
    local port=18109
    start_server $port "$PYTHON" "$SRV/raw-origin.py" silent-105s $port
    start_capture rule-response-timeout.pcap $port
    "${CURL_LONG[@]}" --http1.1 "http://127.0.0.1:$port/slow"
    stop_capture; stop_server
}

rec_near_processing_every_30s() {
    local port=18110
    start_server $port "$PYTHON" "$SRV/raw-origin.py" 102-every-30s $port
    start_capture near-processing-every-30s.pcap $port
    "${CURL_LONG[@]}" --http1.1 "http://127.0.0.1:$port/slow"
    stop_capture; stop_server
}

rec_near_processing_5s() {
    local port=18111
    start_server $port "$PYTHON" "$SRV/raw-origin.py" 102-5s $port
    start_capture near-processing-5s.pcap $port
    "${CURL_LONG[@]}" --http1.1 "http://127.0.0.1:$port/slow"
    stop_capture; stop_server
}

rec_snaplen_cut() {
    local port=18112
    start_server $port "$NODE" "$SRV/node-1xx.js" expect100 $port
    start_capture snaplen-cut.pcap $port lo "" 100
    body2k | "${CURL[@]}" --http1.1 -H 'Expect: 100-continue' \
        -H 'Content-Type: application/x-www-form-urlencoded' \
        --data-binary @- "http://127.0.0.1:$port/upload"
    stop_capture; stop_server
}

rec_ipv6_curl_expect_100() {
    local port=18094
    start_server $port "$NODE" "$SRV/node-1xx.js" expect100 $port ::1
    start_capture ipv6-curl-expect-100.pcap $port
    body2k | "${CURL[@]}" --http1.1 -g -H 'Expect: 100-continue' \
        -H 'Content-Type: application/x-www-form-urlencoded' \
        --data-binary @- "http://[::1]:$port/upload"
    stop_capture; stop_server
}

rec_raw_http10_100_102() {
    local port=18095
    start_server $port "$PYTHON" "$SRV/raw-origin.py" http10-100-102 $port
    start_capture raw-http10-100-102.pcap $port
    "${CURL[@]}" --http1.0 --data-binary 'a=1' "http://127.0.0.1:$port/form"
    stop_capture; stop_server
}

rec_ipv6_http10_100_102() {
    local port=18096
    start_server $port "$PYTHON" "$SRV/raw-origin.py" http10-100-102 $port ::1
    start_capture ipv6-http10-100-102.pcap $port
    "${CURL[@]}" --http1.0 -g --data-binary 'a=1' "http://[::1]:$port/form"
    stop_capture; stop_server
}

rec_keepalive_102_continue() {
    keepalive_sample keepalive-102-continue.pcap 18097 127.0.0.1 full
}

rec_midstream_keepalive() {
    keepalive_sample midstream-keepalive.pcap 18098 127.0.0.1 mid
}

rec_ipv6_midstream_keepalive() {
    keepalive_sample ipv6-midstream-keepalive.pcap 18099 ::1 mid
}

# ------------------------------------------- other servers (issue 10)

# go_server PORT: build servers/go-1xx.go (once per run; its build cache in
# $WORK, not in the home sudo may have kept) and start it
go_server() {
    [ -x "$WORK/go-1xx" ] ||
        GOCACHE=$WORK/go-cache go build -o "$WORK/go-1xx" "$SRV/go-1xx.go"
    start_server "$1" "$WORK/go-1xx" "$1"
}

rec_go_early_hints() {
    local port=24080
    go_server $port
    start_capture go-early-hints.pcap $port
    "${CURL[@]}" --http1.1 "http://127.0.0.1:$port/"
    stop_capture; stop_server
}

rec_go_http10_103() {
    local port=24081
    go_server $port
    start_capture go-http10-103.pcap $port
    "${CURL[@]}" --http1.0 "http://127.0.0.1:$port/"
    stop_capture; stop_server
}

# nginx_sample FILE PORT UPSTREAM NODE_MODE PROXY_HTTP_VERSION: curl -> nginx
# on PORT -> servers/node-1xx.js NODE_MODE on UPSTREAM; both legs captured
nginx_sample() {
    local file=$1 port=$2 up=$3 mode=$4 version=$5
    start_server $up "$NODE" "$SRV/node-1xx.js" "$mode" $up
    start_daemon $port nginx -e "$WORK/nginx-error.log" -p "$WORK/" \
        -c "$(config nginx-proxy.conf $port $up "$version")"
    start_capture "$file" "$port $up"
    "${CURL[@]}" --http1.1 "http://127.0.0.1:$port/"
    stop_capture; stop_daemon QUIT; stop_server
}

rec_nginx_proxy_http10() {
    nginx_sample nginx-proxy-http10.pcap 24082 24083 proxy-1xx 1.0
}

rec_nginx_proxy_held_102() {
    nginx_sample nginx-proxy-held-102.pcap 24084 24085 proxy-1xx-held 1.1
}

# apache2 in the foreground with servers/apache-cgi.conf on PORT, in a session
# of its own: stopping, it sends SIGTERM to its whole process group (its
# children), which would otherwise be ours too
apache_daemon() {
    start_daemon "$1" setsid apache2 -DFOREGROUND \
        -f "$(config apache-cgi.conf "$1" "${2:-0}")"
}

rec_apache_continue() {
    local port=24086
    apache_daemon $port
    start_capture apache-continue.pcap $port
    body2k | "${CURL[@]}" --http1.1 -H 'Expect: 100-continue' \
        -H 'Content-Type: application/x-www-form-urlencoded' \
        --data-binary @- "http://127.0.0.1:$port/cgi/upload"
    stop_capture; stop_daemon TERM
    PIDS=()     # tcpdump and Apache are both gone
}

rec_apache_proxy_1xx() {
    local port=24087 up=24088
    start_server $up "$NODE" "$SRV/node-1xx.js" proxy-1xx $up
    apache_daemon $port $up
    start_capture apache-proxy-1xx.pcap "$port $up"
    "${CURL[@]}" --http1.1 "http://127.0.0.1:$port/proxy/"
    stop_capture; stop_daemon TERM; stop_server
}

rec_python_close_delimited() {
    local port=24089
    start_server $port "$PYTHON" "$SRV/python-close-delimited.py" $port
    start_capture python-close-delimited.pcap $port
    "${CURL[@]}" --http1.1 "http://127.0.0.1:$port/stream"
    stop_capture; stop_server
}

rec_curl_gives_up() {
    local port=24090 rc=0
    start_server $port "$PYTHON" "$SRV/raw-origin.py" silent-6s $port
    start_capture curl-gives-up.pcap $port
    curl --no-progress-meter --max-time 3 --http1.1 "http://127.0.0.1:$port/slow" || rc=$?
    [ $rc = 28 ] || { echo "curl: exit $rc, not 28 (timeout)" >&2; return 1; }
    wait "$SERVER_PID" || true      # its FIN, 6 s after the request
    stop_capture; stop_server
}

rec_http2_answer() {
    local port=24091 rc=0
    start_server $port "$NODE" "$SRV/node-h2c.js" $port
    start_capture http2-answer.pcap $port
    "${CURL[@]}" --http1.1 "http://127.0.0.1:$port/" || rc=$?
    echo "curl: exit $rc (the answer is not HTTP/1.x)" >&2
    stop_capture; stop_server
}

# python's http.server (HTTP/1.0, no 100) answers curl's Expect POST 501
# before the body; curl then closes without sending it (RFC 9110 10.1.1)
rec_python_expect_refused() {
    local port=24092
    start_server $port "$PYTHON" -m http.server $port --bind 127.0.0.1
    start_capture python-expect-refused.pcap $port
    body2k | "${CURL[@]}" --http1.1 -H 'Expect: 100-continue' \
        --data-binary @- "http://127.0.0.1:$port/upload" -o /dev/null || true
    stop_capture
    kill "$SERVER_PID" 2>/dev/null || true
    stop_server
}

SAMPLES=(curl-expect-100 node-processing node-early-hints node-continue
         node-websocket keepalive-pipeline raw-http10-continue
         raw-101-no-upgrade raw-1xx-with-body raw-102-then-close
         raw-unknown-1xx any-interface any-interface-sll ipv6-loopback
         rule-continue-slow rule-continue-repeated rule-continue-unexpected
         rule-expect-on-http10 rule-upgrade-mismatch rule-upgrade-unrequested
         rule-upgrade-missing rule-interim-unsolicited
         rule-processing-silence rule-response-timeout
         near-processing-every-30s near-processing-5s snaplen-cut
         ipv6-curl-expect-100 raw-http10-100-102 ipv6-http10-100-102
         keepalive-102-continue midstream-keepalive ipv6-midstream-keepalive
         go-early-hints go-http10-103 nginx-proxy-http10 nginx-proxy-held-102
         apache-continue apache-proxy-1xx python-close-delimited
         curl-gives-up http2-answer python-expect-refused)

# Samples that wait for seconds to minutes: recorded in parallel.
LONG=(rule-processing-silence rule-response-timeout near-processing-every-30s
      near-processing-5s nginx-proxy-held-102 python-close-delimited
      curl-gives-up)

if [ "${1:-}" = --list ]; then
    printf '%s\n' "${SAMPLES[@]}"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "record.sh: needs root (tcpdump)" >&2
    exit 1
fi

args=("$@")
[ ${#args[@]} -eq 0 ] && args=("${SAMPLES[@]}")
want=()
for s in "${args[@]}"; do
    s=${s%.pcap}
    case " ${SAMPLES[*]} " in
        *" $s "*) want+=("$s") ;;
        *) echo "record.sh: unknown sample '$s' (try --list)" >&2; exit 2 ;;
    esac
done

# Long samples first, each in a background subshell with its own work
# directory (its own server.log, tcpdump.log, capture) and its own log.
BG_NAMES=()
for s in "${want[@]}"; do
    case " ${LONG[*]} " in *" $s "*) ;; *) continue ;; esac
    log "$s (in the background)"
    (
        WORK=$WORK/$s
        PIDS=()
        mkdir -p "$WORK"
        trap 'kill_pids' EXIT
        trap 'kill_pids; exit 1' TERM INT
        "rec_${s//-/_}"
    ) >"$WORK/$s.log" 2>&1 &
    BG_PIDS+=("$!")
    BG_NAMES+=("$s")
done

for s in "${want[@]}"; do
    case " ${LONG[*]} " in *" $s "*) continue ;; esac
    log "$s"
    "rec_${s//-/_}"
    printf '\n' >&2
done

failed=0
for i in "${!BG_PIDS[@]}"; do
    s=${BG_NAMES[$i]}
    rc=0
    wait "${BG_PIDS[$i]}" || rc=$?
    log "$s (background, exit $rc)"
    cat "$WORK/$s.log" >&2
    printf '\n' >&2
    [ "$rc" = 0 ] || failed=1
done
BG_PIDS=()
exit $failed
