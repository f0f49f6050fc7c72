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
nats=""
gateways=()
# The gateways first (a lease holder publishes what it holds and releases its lease), then NATS.
stop() {
  trap - INT TERM EXIT
  echo "stopping…"
  for pid in "${gateways[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${gateways[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$nats" ]; then kill "$nats" 2>/dev/null || true; wait "$nats" 2>/dev/null || true; fi
  rm -rf "$store"
}
trap stop INT TERM EXIT

# The example's configuration, with its store in the temporary folder.
sed "s|store_dir: .*|store_dir: \"$store/jetstream\"|" "$here/nats-server.conf" >"$store/nats-server.conf"
nats-server -c "$store/nats-server.conf" >"$store/nats.log" 2>&1 &
nats=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null && break; sleep 0.1; done
(exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null || { echo "nats-server did not start:" >&2; cat "$store/nats.log" >&2; exit 1; }

for port in 8081 8082 8083; do
  "$gateway" run "$here/gateway.yaml" --listen "127.0.0.1:$port" 2>"$store/gateway-$port.log" &
  gateways+=($!)
done
# Wait until each serves (its stream open in JetStream).
for port in 8081 8082 8083; do
  for _ in $(seq 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ] && break
    sleep 0.2
  done
done
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
