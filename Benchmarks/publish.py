#!/usr/bin/env python3
"""Publish benchmark (SPEC §7): events POSTed into one endpoint with 1,000 clients connected.

Started by `Benchmarks/run.sh --only publish`, which builds the gateway (release) and the load
client and installs ApacheBench (`apache2-utils`). Every process is started here and stopped by
pid on exit; everything listens on 127.0.0.1.

Per case: a fresh gateway with an `http` source, 1,000 SSE clients (the C load client) connected
to its endpoint, then ApacheBench POSTing for a fixed number of requests with 8 concurrent
keep-alive connections: one event per POST, then 100-event JSON arrays. Reported: POSTs/s and
events/s accepted (every answer must be 202), the gateway's CPU per thousand events published,
and the events the clients received (every client must get every event).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOOLS = HERE / ".build" / "tools"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def run_case(args, workdir: Path, events_per_post: int, posts: int, clients: int) -> dict:
    port = free_port()
    config = workdir / "gateway.yaml"
    config.write_text(
        f"""server: {{ listen: '127.0.0.1:{port}', dashboard: false, max_clients: 20000 }}
sources:
  pub: {{ type: http, path: /publish, max_body: 1MiB }}
endpoints:
  - {{ path: /sub, from: [pub], replay: 1000 }}
"""
    )
    gateway = subprocess.Popen([args.gateway, "run", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = None
    try:
        wait_port(port)
        total = posts * events_per_post
        # Clients: connected first, then they count what arrives until every event has (or time runs out).
        if clients > 0:
            client = subprocess.Popen(
                [str(TOOLS / "loadclient"), "-p", str(port), "-u", "/sub", "-n", str(clients), "-w", "0", "-d", str(args.window)],
                stdout=subprocess.PIPE, text=True)
            for line in client.stdout:
                if line.startswith("start"):
                    break
        item = '{"data":{"seq":0,"ts":0}}'
        body = item if events_per_post == 1 else "[" + ",".join([item] * events_per_post) + "]"
        body_file = workdir / "body.json"
        body_file.write_text(body)
        before = cpu_seconds(gateway.pid)
        started = time.time()
        ab = subprocess.run(
            ["ab", "-q", "-k", "-c", str(args.concurrency), "-n", str(posts), "-p", str(body_file), "-T", "application/json",
             f"http://127.0.0.1:{port}/publish"], capture_output=True, text=True, timeout=600)
        elapsed = time.time() - started
        cpu = cpu_seconds(gateway.pid) - before
        found = re.search(r"Requests per second:\s+([\d.]+)", ab.stdout)
        if found is None:
            raise SystemExit(f"ab failed:\n{ab.stdout}\n{ab.stderr}")
        rate = float(found.group(1))
        failed = int(re.search(r"Failed requests:\s+(\d+)", ab.stdout).group(1))
        non2xx = re.search(r"Non-2xx responses:\s+(\d+)", ab.stdout)
        received = 0
        if client is not None:
            output = client.communicate(timeout=args.window + 30)[0]
            report = json.loads(output.strip().splitlines()[-1])
            received = report.get("events", report.get("healthy", {}).get("events", 0))
        return {
            "events_per_post": events_per_post, "posts": posts, "posts_per_s": rate, "events_per_s": rate * events_per_post,
            "failed": failed + (int(non2xx.group(1)) if non2xx else 0), "seconds": round(elapsed, 2),
            "gateway_cpu_s": round(cpu, 2), "cpu_ms_per_1000_events": round(1000 * cpu / total * 1000, 3),
            "clients": clients, "deliveries_expected": total * clients, "deliveries": received,
        }
    finally:
        stop(client)
        stop(gateway)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--posts", type=int, default=20000, help="POSTs of one event")
    parser.add_argument("--array-posts", type=int, default=200, help="POSTs of 100-event arrays")
    parser.add_argument("--window", type=int, default=60, help="how long the clients count, at most (s)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        # Without clients first: what publishing itself costs; then with them.
        for clients, events_per_post, posts in [
            (0, 1, args.posts), (0, 100, args.array_posts), (args.clients, 1, args.posts), (args.clients, 100, args.array_posts),
        ]:
            result = run_case(args, Path(folder), events_per_post, posts, clients)
            results.append(result)
            print(
                f"{events_per_post:>3} event(s)/POST: {result['posts_per_s']:,.0f} POSTs/s = {result['events_per_s']:,.0f} events/s "
                f"({result['failed']} failed); gateway {result['cpu_ms_per_1000_events']} CPU-ms per 1,000 events published "
                f"to {result['clients']} clients; deliveries {result['deliveries']:,} of {result['deliveries_expected']:,}",
                flush=True)
    out = HERE / "results" / f"publish-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"saved {out}")


if __name__ == "__main__":
    sys.exit(main())
