#!/usr/bin/env bash
# Record the real loopback captures in this folder.
#
# usage: sudo ./record.sh [SAMPLE...]     (no argument: all samples)
#        ./record.sh --list
#
# Needs root (tcpdump on lo / any), tcpdump, curl, node (>= 18) and python3.
# Every sample talks ONLY to 127.0.0.1 or ::1. Each one: start the server,
# start tcpdump on its own port, wait until tcpdump listens (+0.5 s so the
# SYN is captured), run the client, wait 0.5 s for the last packets, stop
# tcpdump with SIGINT and wait for it, then wait for the server (every server
# exits after its one connection) or stop it.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRV=$HERE/servers
PYTHON=${PYTHON:-python3}
NODE=${NODE:-node}
CURL=(curl --no-progress-meter --max-time 10)
WORK=$(mktemp -d /tmp/interim-record.XXXXXX)
PIDS=()

cleanup() {
    local p
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null || true
    done
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

# start_capture FILE PORT [IFACE [LINKTYPE]]
start_capture() {
    local file=$1 port=$2 iface=${3:-lo} dlt=()
    [ -n "${4:-}" ] && dlt=(-y "$4")
    CAPTURE_FILE=$file
    : >"$WORK/tcpdump.log"
    # -Z root: write the file as root (Debian's tcpdump drops to user tcpdump)
    tcpdump -i "$iface" "${dlt[@]}" -s 0 -U -Z root -w "$WORK/capture" "tcp port $port" \
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

SAMPLES=(curl-expect-100 node-processing node-early-hints node-continue
         node-websocket keepalive-pipeline raw-http10-continue
         raw-101-no-upgrade raw-1xx-with-body raw-102-then-close
         raw-unknown-1xx any-interface any-interface-sll ipv6-loopback)

if [ "${1:-}" = --list ]; then
    printf '%s\n' "${SAMPLES[@]}"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "record.sh: needs root (tcpdump)" >&2
    exit 1
fi

want=("$@")
[ ${#want[@]} -eq 0 ] && want=("${SAMPLES[@]}")
for s in "${want[@]}"; do
    s=${s%.pcap}
    case " ${SAMPLES[*]} " in
        *" $s "*) ;;
        *) echo "record.sh: unknown sample '$s' (try --list)" >&2; exit 2 ;;
    esac
    log "$s"
    "rec_${s//-/_}"
    printf '\n' >&2
done
