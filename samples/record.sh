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

# start_capture FILE PORT [IFACE [LINKTYPE [SNAPLEN]]]   (empty LINKTYPE: default)
start_capture() {
    local file=$1 port=$2 iface=${3:-lo} dlt=() snaplen=${5:-0}
    [ -n "${4:-}" ] && dlt=(-y "$4")
    CAPTURE_FILE=$file
    : >"$WORK/tcpdump.log"
    # -Z root: write the file as root (Debian's tcpdump drops to user tcpdump)
    # --immediate-mode: without it libpcap's TPACKET_V3 ring hands packets over
    # only when a block is retired (every 1 s), and the packets of a block not
    # yet retired when SIGINT comes are lost (seen with rule-continue-slow)
    tcpdump -i "$iface" "${dlt[@]}" -s "$snaplen" --immediate-mode -U -Z root -w "$WORK/capture" "tcp port $port" \
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
         keepalive-102-continue midstream-keepalive ipv6-midstream-keepalive)

# Samples that wait for seconds to minutes: recorded in parallel.
LONG=(rule-processing-silence rule-response-timeout near-processing-every-30s
      near-processing-5s)

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
