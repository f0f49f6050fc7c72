#!/usr/bin/env bash
# Fan-out benchmark: idle memory per connection and delivered events/s with CPU per delivery,
# for the gateway (release build) against a raw write(2)-per-client floor.
#
#   Benchmarks/fanout.sh [IDLE_CLIENTS] [BUSY_CLIENTS]     (defaults: 10000 1000)
#
# Each process may hold at most ~19,900 sockets here (hard limit 20,000), so the load client
# and the gateway run as separate processes. Results go to stdout (and Benchmarks/results/).
set -euo pipefail
cd "$(dirname "$0")/.."
IDLE=${1:-10000}
BUSY=${2:-1000}
ulimit -n 20000
swift build -c release --product gateway >/dev/null
swift build -c release --package-path Benchmarks --product LoadClient >/dev/null
swift build -c release --package-path Benchmarks --product RawFanOut >/dev/null
GATEWAY=.build/release/gateway
BIN=$(swift build -c release --package-path Benchmarks --show-bin-path)
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p Benchmarks/results
OUT=Benchmarks/results/fanout-$(date +%Y%m%d-%H%M%S).txt

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)

# start_gateway INTERVAL — starts the gateway on a free port; sets GW_PID and GW_PORT.
start_gateway() {
  cat > "$WORK/gateway.yaml" <<YAML
server: { max_clients: 19000, heartbeat: 15s }
sources:
  ticks: { type: generate, interval: $1, event: tick, data: '{"seq":{{seq}},"payload":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}' }
endpoints:
  - { path: /ticks, from: [ticks], replay: 100 }
YAML
  "$GATEWAY" run "$WORK/gateway.yaml" --listen 127.0.0.1:0 2> "$WORK/gateway.log" &
  GW_PID=$!
  PIDS+=("$GW_PID")
  GW_PORT=""
  for _ in $(seq 1 100); do
    GW_PORT=$(sed -n 's/.*address=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/gateway.log" | head -1)
    [ -n "$GW_PORT" ] && break
    sleep 0.1
  done
}

{
echo "# fan-out benchmark, $(date -u +%FT%TZ), $(nproc) cores, $(uname -r)"

# 1. Idle memory per connection.
start_gateway 1h
sleep 1
BASE=$(rss_kib "$GW_PID")
"$BIN/LoadClient" --port "$GW_PORT" --path /ticks --connections "$IDLE" --warmup 0 --seconds 12 > "$WORK/idle.json" &
LC=$!; PIDS+=("$LC")
sleep 10
LOADED=$(rss_kib "$GW_PID")
wait "$LC"
echo "idle: $(cat "$WORK/idle.json")"
awk -v b="$BASE" -v l="$LOADED" -v n="$IDLE" 'BEGIN {printf "idle memory: %d clients, RSS %d KiB -> %d KiB, %.2f KiB per client\n", n, b, l, (l-b)/n}'
kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true

# 2. Delivered events/s and CPU per million deliveries, gateway vs raw write(2).
for RATE in 100 1000; do
  INTERVAL=$(awk -v r="$RATE" 'BEGIN {printf "%dms", 1000/r}')
  start_gateway "$INTERVAL"
  sleep 1
  "$BIN/LoadClient" --port "$GW_PORT" --path /ticks --connections "$BUSY" --warmup 3 --seconds 10 > "$WORK/busy.json" &
  LC=$!; PIDS+=("$LC")
  sleep 3.5
  C0=$(cpu_ticks "$GW_PID"); T0=$(date +%s.%N)
  sleep 9
  C1=$(cpu_ticks "$GW_PID"); T1=$(date +%s.%N)
  wait "$LC"
  EPS=$(sed 's/.*"events_per_second": \([0-9]*\).*/\1/' "$WORK/busy.json")
  echo "gateway $RATE ev/s offered, $BUSY clients: $(cat "$WORK/busy.json")"
  awk -v c0="$C0" -v c1="$C1" -v t0="$T0" -v t1="$T1" -v tick="$TICK" -v eps="$EPS" \
    'BEGIN {cpu=(c1-c0)/tick; s=t1-t0; printf "  gateway: %d deliveries/s, %.2f cores, %.2f CPU-s per million deliveries\n", eps, cpu/s, cpu/(eps*s)*1e6}'
  kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true

  "$BIN/RawFanOut" --connections "$BUSY" --rate "$RATE" --seconds 10 --size 120 > "$WORK/raw.txt" &
  RAW=$!; PIDS+=("$RAW")
  for _ in $(seq 1 50); do grep -q port "$WORK/raw.txt" 2>/dev/null && break; sleep 0.1; done
  RAW_PORT=$(awk '/port/ {print $2}' "$WORK/raw.txt")
  "$BIN/LoadClient" --port "$RAW_PORT" --connections "$BUSY" --warmup 1 --seconds 10 > "$WORK/rawclient.json" &
  LC=$!; PIDS+=("$LC")
  wait "$RAW"
  kill "$LC" 2>/dev/null || true
  echo "  raw write(2) floor: $(tail -1 "$WORK/raw.txt")"
done
} | tee "$OUT"
