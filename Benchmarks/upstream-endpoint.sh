#!/usr/bin/env bash
# Upstream read throughput into an endpoint: events/s from one SSE upstream through a running
# `gateway run` (sse source → endpoint) to one client.
#
#   Benchmarks/upstream-endpoint.sh [--quick]
#
# UpstreamBenchmark --serve is the origin: it writes ~106-byte events as fast as the socket takes
# them, three seconds after the gateway connects (so the client is connected first). The client
# (python3) reads the endpoint and counts `data:` lines; the figure is events from its first byte
# to the last event, per second. Needs a gateway binary with `gateway run` (set GATEWAY to use
# another build than ../.build/release/gateway).
set -euo pipefail
cd "$(dirname "$0")"
count=2000000
[[ "${1:-}" == "--quick" ]] && count=200000
swift build -c release --product UpstreamBenchmark >/dev/null
gateway=${GATEWAY:-../.build/release/gateway}
[[ -n "${GATEWAY:-}" ]] || swift build -c release --package-path .. --product gateway >/dev/null

ports=$(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
read -r origin_port gateway_port <<<"$ports"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cat >"$work/gateway.yaml" <<YAML
server:
  listen: 127.0.0.1:$gateway_port
  client_buffer: 256MiB        # one client reading flat out must not be cut off
sources:
  upstream:
    type: sse
    url: http://127.0.0.1:$origin_port/
    reconnect: { initial: 30s, max: 30s }
endpoints:
  - path: /feed
    from: [upstream]
    replay: 0
    ids: source
YAML

if [[ "${1:-}" == "--quick" ]]; then quick=--quick; else quick=; fi
.build/release/UpstreamBenchmark --serve "$origin_port" $quick >"$work/origin.log" &
sleep 1
"$gateway" run "$work/gateway.yaml" --log-level error &
python3 - "$gateway_port" "$count" <<'PY'
import socket, sys, time
port, count = int(sys.argv[1]), int(sys.argv[2])
for _ in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", port)); break
    except OSError:
        time.sleep(0.05)
s.sendall(b"GET /feed HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n")
seen, tail, start, total = 0, b"", None, 0
while seen < count:
    chunk = s.recv(1 << 20)
    if not chunk:
        break
    data = tail + chunk
    if start is None and b"data: " in data:
        start = time.perf_counter()
    seen += data.count(b"data: ") - tail.count(b"data: ")
    total += len(chunk)
    tail = data[-6:]
elapsed = time.perf_counter() - start
print(f"upstream → gateway run (sse source → endpoint) → one client: {seen} events in {elapsed:.2f} s = {seen / elapsed:,.0f} events/s ({total / elapsed / 1e6:.0f} MB/s downstream)")
PY
