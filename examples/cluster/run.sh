#!/usr/bin/env bash
# Starts a NATS server with JetStream and three gateways on this machine, prints their URLs,
# and stops everything on Ctrl-C. Run from anywhere: examples/cluster/run.sh
# Needs nats-server (apt-get install nats-server) and a built gateway (swift build).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
gateway="${GATEWAY:-$root/.build/debug/gateway}"
[ -x "$gateway" ] || gateway="$root/.build/release/gateway"
[ -x "$gateway" ] || { echo "build the gateway first: swift build" >&2; exit 1; }
command -v nats-server >/dev/null || { echo "nats-server is not installed: apt-get install nats-server" >&2; exit 1; }

store="$(mktemp -d)"
pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping…"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$store"
}
trap stop INT TERM EXIT

nats-server -c "$here/nats-server.conf" -sd "$store" >"$store/nats.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null && break; sleep 0.1; done

for port in 8081 8082 8083; do
  "$gateway" run "$here/gateway.yaml" --listen "127.0.0.1:$port" 2>"$store/gateway-$port.log" &
  pids+=($!)
done
sleep 1
cat <<TEXT
NATS JetStream: nats://127.0.0.1:4222 (store $store)
gateways:       http://127.0.0.1:8081/quotes  http://127.0.0.1:8082/quotes  http://127.0.0.1:8083/quotes
dashboards:     http://127.0.0.1:8081/  http://127.0.0.1:8082/  http://127.0.0.1:8083/
logs:           $store/gateway-808{1,2,3}.log

Try: curl -N http://127.0.0.1:8082/quotes        (any instance serves the same ids)
     kill the instance whose log says "took the lease", and watch another take over.
Ctrl-C stops everything.
TEXT
wait
