#!/usr/bin/env python3
"""A soak of the gateway: upstream kills, client churn, slow clients and bursts, checked.

    Benchmarks/soak.sh                 # 30 minutes (builds the release binary first)
    python3 Benchmarks/soak.py --minutes 2 --gateway .build/release/gateway

What runs, all on 127.0.0.1, every process started here and stopped by its pid:

- an origin (this file, `--origin`): an SSE endpoint whose event N is a pure function of N, and
  whose head (the newest N) is a pure function of the time since a fixed start: a steady rate
  plus a burst every `--burst-every` seconds. On a `Last-Event-ID: K` it sends K+1… up to the
  head, so a gateway that reconnects loses nothing; it is killed (SIGKILL) and restarted at
  random, and each restart is a burst of what was missed;
- the gateway, reading the origin with an `sse` source, serving a broadcast endpoint `/all` and
  a channel endpoint `/c/{ch}` (channel = N mod `--channels`);
- clients: broadcast readers and channel readers that disconnect and resume with
  `Last-Event-ID` at random, and slow readers (a small receive buffer, a few KiB/s) that fall
  behind and are cut off.

The checker: every client, across all its sessions, must see N increase by exactly 1 (by
`--channels` on a channel) — no gap and no duplicate — except right after a `reset` event,
which is the gateway saying it could not resume exactly. At the end the steady clients must
reach the head, and the gateway's RSS must be near what it was once warm.

Exit status 0 when every check holds; the summary is printed as JSON on the last line.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# --- the origin ---------------------------------------------------------------------------


class Head:
    """The newest event number at a time: `rate` per second plus `burst` every `every` seconds."""

    def __init__(self, start: float, rate: float, burst: int, every: float):
        self.start, self.rate, self.burst, self.every = start, rate, burst, every

    def at(self, now: float) -> int:
        elapsed = max(0.0, now - self.start)
        return int(elapsed * self.rate) + (int(elapsed // self.every) * self.burst if self.every > 0 else 0)


def event_bytes(n: int, channels: int, pad: int) -> bytes:
    data = json.dumps({"n": n, "ch": str(n % channels), "pad": "x" * pad}, separators=(",", ":"))
    return f"id: {n}\nevent: tick\ndata: {data}\n\n".encode()


def run_origin(port: int, head: Head, channels: int, pad: int) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            try:
                last = int(self.headers.get("Last-Event-ID", ""))
            except ValueError:
                last = head.at(time.time())
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(b":ok\n\n")
            self.wfile.flush()
            try:
                while True:
                    target = head.at(time.time())
                    if target > last:
                        # At most 2,000 per write: a long backlog goes out in pieces.
                        upto = min(target, last + 2000)
                        self.wfile.write(b"".join(event_bytes(n, channels, pad) for n in range(last + 1, upto + 1)))
                        self.wfile.flush()
                        last = upto
                        continue
                    time.sleep(0.01)
            except (BrokenPipeError, ConnectionResetError):
                return

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


# --- processes ----------------------------------------------------------------------------

started: list[subprocess.Popen] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process: subprocess.Popen | None, sig=signal.SIGTERM) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


# --- clients ------------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.sessions = 0
        self.resumes = 0
        self.events = 0
        self.resets: dict[str, int] = {}
        self.cut_off = 0
        self.violations: list[str] = []


class Client:
    """One logical client: sessions one after another, checked as one sequence."""

    def __init__(self, name: str, path: str, stride: int, slow: bool):
        self.name, self.path, self.stride, self.slow = name, path, stride, slow
        self.last_id: str | None = None
        self.expected: int | None = None
        self.last_n = 0
        self.after_reset = False

    def event(self, stats: Stats, kind: str, event_id: str | None, data: str) -> None:
        if kind == "reset":
            reason = json.loads(data).get("reason", "?")
            stats.resets[reason] = stats.resets.get(reason, 0) + 1
            self.after_reset = True
            return
        if kind != "tick":
            return
        n = json.loads(data)["n"]
        stats.events += 1
        if self.expected is not None and n != self.expected and not self.after_reset:
            what = "gap" if n > self.expected else "duplicate"
            if len(stats.violations) < 50:
                stats.violations.append(f"{self.name}: {what}: expected {self.expected}, got {n}")
            else:
                stats.violations.append("…")
        self.after_reset = False
        self.expected = n + self.stride
        self.last_n = n
        if event_id is not None:
            self.last_id = event_id


async def session(port: int, client: Client, stats: Stats, seconds: float) -> None:
    """Reads one stream for `seconds` (or until the gateway ends it), feeding `client`."""
    sock = socket.socket()
    if client.slow:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_connect(sock, ("127.0.0.1", port))
    # A slow reader's buffer here is small too, so the socket (not this process) holds the backlog.
    reader, writer = await asyncio.open_connection(sock=sock, limit=(16 << 10) if client.slow else (1 << 20))
    headers = f"GET {client.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if client.last_id is not None:
        headers += f"Last-Event-ID: {client.last_id}\r\n"
        stats.resumes += 1
    writer.write((headers + "\r\n").encode())
    stats.sessions += 1
    deadline = loop.time() + seconds
    kind, event_id, data = "message", None, []
    pending = b""
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
        # A chunked body: each chunk is whole SSE lines here, but nothing below relies on it.
        while loop.time() < deadline:
            size_line = await asyncio.wait_for(reader.readuntil(b"\r\n"), max(0.01, deadline - loop.time()))
            size = int(size_line.strip(), 16)
            if size == 0:
                stats.cut_off += 1  # the gateway ended the stream cleanly: behind, or shutdown
                return
            body = await reader.readexactly(size + 2)
            pending += body[:-2]
            *lines, pending = pending.split(b"\n")
            for line in lines:
                text = line.decode()
                if text == "":
                    if data:
                        client.event(stats, kind, event_id, "\n".join(data))
                    kind, event_id, data = "message", None, []
                elif text.startswith("id: "):
                    event_id = text[4:]
                elif text.startswith("event: "):
                    kind = text[7:]
                elif text.startswith("data: "):
                    data.append(text[6:])
            if client.slow:
                await asyncio.sleep(size / 3000)  # about 3 KB/s
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def churn(port: int, client: Client, stats: Stats, until: float, lifetimes: tuple[float, float]) -> None:
    loop = asyncio.get_running_loop()
    while loop.time() < until:
        await session(port, client, stats, min(random.uniform(*lifetimes), until - loop.time()))
        await asyncio.sleep(random.uniform(0, 1.0))


async def drive(args, gateway_port: int, gateway_pid: int, head: Head, origin_control) -> dict:
    loop = asyncio.get_running_loop()
    stats = Stats()
    started_at = loop.time()
    until = started_at + args.minutes * 60
    clients = [Client(f"all-{i}", "/all", 1, False) for i in range(args.clients)]
    clients += [Client(f"ch-{i}", f"/c/{i % args.channels}", args.channels, False) for i in range(args.channel_clients)]
    slow = [Client(f"slow-{i}", "/all", 1, True) for i in range(args.slow_clients)]
    tasks = [asyncio.create_task(churn(gateway_port, c, stats, until, (5, 60))) for c in clients]
    tasks += [asyncio.create_task(churn(gateway_port, c, stats, until, (20, 90))) for c in slow]

    rss: list[tuple[float, int]] = []
    kills = 0
    warm = started_at + min(60, args.minutes * 60 / 4)
    next_kill = started_at + random.uniform(20, 60)
    next_sample = started_at
    while loop.time() < until:
        await asyncio.sleep(1)
        now = loop.time()
        if now >= next_sample:
            rss.append((now - started_at, rss_kib(gateway_pid)))
            next_sample += 10
        if now >= next_kill:
            kills += 1
            await loop.run_in_executor(None, origin_control, random.uniform(0.2, 3.0))
            next_kill = now + random.uniform(20, 90)
    await asyncio.gather(*tasks)

    # The end: one more session per steady client, which must reach the head as it is now.
    final_head = head.at(time.time())
    await asyncio.sleep(2)
    await asyncio.gather(*(session(gateway_port, c, stats, 15) for c in clients))
    behind = [c.name for c in clients if c.last_n < final_head - (0 if c.stride == 1 else c.stride)]
    warm_rss = next((kib for t, kib in rss if t >= warm - started_at), rss[0][1] if rss else 0)
    end_rss = rss_kib(gateway_pid)
    return {
        "minutes": args.minutes,
        "origin_kills": kills,
        "sessions": stats.sessions,
        "resumes": stats.resumes,
        "events_checked": stats.events,
        "resets": stats.resets,
        "streams_ended_by_gateway": stats.cut_off,
        "violations": stats.violations,
        "clients_short_of_head": behind,
        "rss_kib_warm": warm_rss,
        "rss_kib_end": end_rss,
        "rss_samples": rss,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--gateway", default=".build/release/gateway")
    parser.add_argument("--rate", type=float, default=100, help="events/s between bursts")
    parser.add_argument("--burst", type=int, default=3000, help="events in each burst")
    parser.add_argument("--burst-every", type=float, default=45)
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--channel-clients", type=int, default=40)
    parser.add_argument("--slow-clients", type=int, default=6)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--pad", type=int, default=150)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--origin", nargs=2, metavar=("PORT", "START"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.origin:
        port, start = int(args.origin[0]), float(args.origin[1])
        run_origin(port, Head(start, args.rate, args.burst, args.burst_every), args.channels, args.pad)
        return 0

    seed = args.seed if args.seed is not None else int(time.time())
    random.seed(seed)
    folder = tempfile.mkdtemp(prefix="gateway-soak-")
    origin_port, gateway_port = free_port(), free_port()
    start = time.time()
    head = Head(start, args.rate, args.burst, args.burst_every)
    origin_cmd = [sys.executable, os.path.abspath(__file__), "--origin", str(origin_port), repr(start),
                  "--rate", str(args.rate), "--burst", str(args.burst), "--burst-every", str(args.burst_every),
                  "--channels", str(args.channels), "--pad", str(args.pad)]
    origin = {"process": subprocess.Popen(origin_cmd)}
    lock = threading.Lock()

    def restart_origin(down_seconds: float) -> None:
        with lock:
            stop(origin["process"], signal.SIGKILL)
            time.sleep(down_seconds)
            origin["process"] = subprocess.Popen(origin_cmd)

    config = os.path.join(folder, "gateway.yaml")
    with open(config, "w") as f:
        f.write(f"""
server:
  listen: 127.0.0.1:{gateway_port}
  client_buffer: 64KiB
  stall_timeout: 10s
  heartbeat: 5s
sources:
  up:
    type: sse
    url: http://127.0.0.1:{origin_port}/events
    reconnect: {{ initial: 100ms, max: 1s }}
    read_timeout: 10s
endpoints:
  - {{ path: /all, from: [up], replay: 5000 }}
  - {{ path: "/c/{{ch}}", from: [up], channel: data.ch, replay: 500 }}
""")
    log = open(os.path.join(folder, "gateway.log"), "w")
    gateway = subprocess.Popen([args.gateway, "run", config], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_port(origin_port)
        wait_port(gateway_port)
        summary = asyncio.run(drive(args, gateway_port, gateway.pid, head, restart_origin))
        summary["seed"] = seed
        summary["gateway_alive"] = gateway.poll() is None
    finally:
        stop(gateway)
        stop(origin["process"], signal.SIGKILL)
        log.close()
    warm, end = summary["rss_kib_warm"], summary["rss_kib_end"]
    summary["rss_ok"] = end <= warm * 1.5 + 20 * 1024
    ok = (summary["gateway_alive"] and not summary["violations"] and not summary["clients_short_of_head"]
          and summary["rss_ok"])
    samples = summary.pop("rss_samples")
    print("rss (s, KiB):", " ".join(f"{int(t)}:{kib}" for t, kib in samples), file=sys.stderr)
    print(f"gateway log: {folder}/gateway.log", file=sys.stderr)
    print(json.dumps(summary))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
