#!/usr/bin/env python3
"""Fan-out benchmark: the gateway against nginx+nchan (and a C floor), side by side.

Started by Benchmarks/run.sh, which installs nginx + nchan, builds the gateway and the
C tools, then calls this script. Every process started here is stopped by pid on exit.

Per run: a fresh server under test (pinned to one CPU unless --no-pin), the origin
publishing events at a fixed rate or in bursts (to the gateway through its `sse` source, to
nchan through its publisher location), then the load client: connect N clients, warm up,
measure a window. The server's CPU time (utime + stime from /proc/PID/stat, summed over
nginx's master and worker) and RSS are sampled exactly at the window's start and end,
which the load client announces on its stdout; RSS also every 100 ms in between, for its peak.

Scenario (f) runs two such measurements per server and run, channels (each client on its own
channel) and broadcast at the same delivery rate, then fills each server with 100,000 channels
and no client to weigh one channel (run_memory).

Scenario (g), the gateway only, runs a cluster on NATS JetStream: a nats-server per run (its store
in a temporary folder removed when it stops), first one gateway whose stored events/s is measured
at stepped-up rates (run_publish), then three instances served by two load clients beside one
gateway alone (run_spread).

Scenario (h), "browsers", measures at the load of (a) the gateway over HTTP/1.1, over HTTP/2 (h2c
by prior knowledge, 10 streams on each of 100 connections) and gzip'd (the load client's --h2 and
--gzip), beside nchan and the C floor over HTTP/1.1, in the same run (run_variants); the figure
added is the bytes on the wire per event (the load client's wire_bytes).
"""
from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import os
import queue
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOOLS = HERE / ".build" / "tools"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

# ------------------------------------------------------------------ processes

_started: list[subprocess.Popen] = []
_temp_dirs: list[Path] = []  # removed at exit, after the processes using them have stopped


def start(cmd: list[str], **kw) -> subprocess.Popen:
    p = subprocess.Popen(cmd, **kw)
    _started.append(p)
    return p


def stop(p: subprocess.Popen | None, sig=signal.SIGTERM, timeout=10.0) -> None:
    """Stops one process we started, by its pid: `sig`, then SIGKILL after `timeout`."""
    if p is None or p.poll() is not None:
        return
    try:
        os.kill(p.pid, sig)
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
    except ProcessLookupError:
        pass


def stop_all() -> None:
    for p in reversed(_started):
        stop(p, timeout=5)
    for d in _temp_dirs:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(stop_all)
for _s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(_s, lambda *_: sys.exit(130))

# ------------------------------------------------------------------ /proc


def cpu_ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return 0
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except FileNotFoundError:
        return 0


class RssPeak:
    """The highest RSS of a set of processes (summed), sampled every 100 ms while running.

    A burst makes a server's memory rise and fall within a second; the two samples at the
    window's edges would miss it."""

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._done.is_set():
            self.sample()
            self._done.wait(0.1)

    def sample(self) -> None:
        self.peak = max(self.peak, sum(rss_bytes(p) for p in self.pids))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> int:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()
        self.sample()
        return self.peak


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(x) for x in (task / "children").read_text().split()]
        except FileNotFoundError:
            pass
    return out


def machine_busy_ticks() -> int:
    f = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    v = [int(x) for x in f]
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]  # user nice system irq softirq steal


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


# ------------------------------------------------------------------ helpers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout=20.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def pin(cpu: str | None) -> list[str]:
    return ["taskset", "-c", cpu] if cpu else []


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# ------------------------------------------------------------------ servers under test


class Server:
    """One server under test: started fresh for each run, stopped by pid."""

    name = "?"
    sub_path = "/sub"
    channel_path = "/sub/%d"   # (f): the path of channel i (the load client's --path-format)
    origin_first = False

    def __init__(self, args, workdir: Path):
        self.args = args
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.cpu = args.server_cpu  # the CPU it is pinned to (None: not pinned)
        # Messages kept for late or slow subscribers (the gateway's `replay:`, nchan's message
        # buffer) and the gateway's `client_buffer`; a scenario may change them.
        self.replay = 100
        self.client_buffer = "1MiB"
        # (f): events name a channel (the origin's --channels), clients read one each.
        self.channels = False

    def pids(self) -> list[int]:
        return [self.proc.pid] if self.proc else []

    def cutoffs(self) -> dict | None:
        """Streams the server itself ended so far, by reason, when it says."""
        return None

    def channel_counts(self) -> dict | None:
        """(f): events the server has taken in so far and channels it knows, when it says."""
        return None

    def origin_args(self) -> list[str]:
        return []

    def start(self, origin_port: int) -> None:
        raise NotImplementedError

    def ready(self) -> None:
        pass

    def stop(self) -> None:
        stop(self.proc)
        self.proc = None


class NchanServer(Server):
    name = "nchan"

    def start(self, origin_port: int) -> None:
        self.port = free_port()
        d = Path(tempfile.mkdtemp(prefix="nchan-", dir=self.workdir))
        (d / "tmp").mkdir()
        conf = (HERE / "nchan.conf.in").read_text()
        conf = conf.replace("@DIR@", str(d)).replace("@PORT@", str(self.port)).replace("@MODULE@", self.args.nchan_module)
        conf = conf.replace("@BUFFER@", str(self.replay))
        (d / "nginx.conf").write_text(conf)
        self.log = open(d / "stderr.log", "w")
        self.proc = start(pin(self.args.server_cpu) + self.args.nice_cmd + ["nginx", "-p", str(d), "-c", str(d / "nginx.conf")],
                          stdout=self.log, stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc)
        self.dir = d

    def pids(self) -> list[int]:
        if not self.proc:
            return []
        return [self.proc.pid] + children(self.proc.pid)

    def origin_args(self) -> list[str]:
        return ["--pub", f"127.0.0.1:{self.port}/pub" + ("/{ch}" if self.channels else "")]

    def channel_counts(self) -> dict | None:
        """From nchan_stub_status: messages published and stored, channels, shared memory used."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/nchan_status", timeout=2) as r:
                text = r.read().decode()
        except OSError:
            return None
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        def num(key):
            v = fields.get(key, "").strip().rstrip("K")
            return int(v) if v.isdigit() else None
        return {"events": num("total published messages"), "stored": num("stored messages"),
                "channels": num("channels"), "shm_used_kib": num("shared memory used")}

    def stop(self) -> None:
        if self.proc:
            workers = children(self.proc.pid)
            stop(self.proc)  # SIGTERM to the master: fast shutdown, it stops its worker
            for w in workers:  # a worker outliving its master would be ours to end
                try:
                    os.kill(w, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.proc = None


class GatewayServer(Server):
    name = "gateway"
    origin_first = True

    def start(self, origin_port: int) -> None:
        self.port = free_port()
        env = dict(os.environ, BENCH_ORIGIN_URL=f"http://127.0.0.1:{origin_port}/events",
                   BENCH_REPLAY=str(self.replay), BENCH_CLIENT_BUFFER=self.client_buffer)
        config = self.args.gateway_channels_config if self.channels else self.args.gateway_config
        if self.args.gateway_source == "generate" and not self.channels:
            config = str(self.generate_config())
        self.log = open(self.workdir / f"gateway-{self.port}.log", "w")
        self.proc = start(pin(self.cpu) + self.args.nice_cmd + [self.args.gateway, "run", config,
                                                        "--listen", f"127.0.0.1:{self.port}", "--log-level", "warning"],
                          env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc)

    def generate_config(self) -> Path:
        """The benchmark config with the `generate` source in place of `sse` + origin.

        Only for builds without the `sse` source: the same event shape, but `ts` has millisecond
        resolution ({{unix_ms}} followed by 000) and the rate is at most 1,000 ev/s (1 ms interval)."""
        rate = self.rate
        interval = "1h" if rate <= 0 else f"{max(1, round(1000 / rate))}ms"
        head = '{"seq":{{seq}},"ts":{{unix_ms}}000,"pad":"'
        pad = max(0, self.size - len('{"seq":12345,"ts":1764075000000000,"pad":"') - 2)
        text = (HERE / "gateway-bench.yaml").read_text()
        src = text[text.index("sources:"):text.index("endpoints:")]
        gen = ("sources:\n  origin:\n    type: generate\n    interval: " + interval + "\n    data: '" + head + "x" * pad
               + "\"}'\n\n")
        path = self.workdir / f"gateway-generate-{rate:g}.yaml"
        path.write_text(text.replace(src, gen))
        return path

    def ready(self) -> None:
        # /readyz turns 200 once the sse source has connected to the origin.
        deadline = time.time() + 15
        while time.time() < deadline:
            s = http_status(f"http://127.0.0.1:{self.port}/readyz")
            if s == 200:
                return
            if s == 404:
                time.sleep(1)
                return
            time.sleep(0.05)
        raise RuntimeError("gateway: /readyz did not turn 200 within 15 s (is the origin reachable?)")

    def metrics(self) -> str | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=2) as r:
                return r.read().decode()
        except OSError:
            return None

    def cutoffs(self) -> dict | None:
        """`gateway_disconnects_total` by reason, from /metrics (None when it cannot be read)."""
        text = self.metrics()
        if text is None:
            return None
        out: dict = {}
        for line in text.splitlines():
            if line.startswith("gateway_disconnects_total{") and 'reason="' in line:
                reason = line.split('reason="', 1)[1].split('"', 1)[0]
                out[reason] = out.get(reason, 0) + int(float(line.rsplit(" ", 1)[1]))
        return out

    def streams_opened(self) -> dict | None:
        """`gateway_streams_opened_total` by protocol and encoding ("h2/gzip": n), from /metrics."""
        text = self.metrics()
        if text is None:
            return None
        out: dict = {}
        for line in text.splitlines():
            if line.startswith("gateway_streams_opened_total{"):
                labels = dict(part.split("=", 1) for part in line.split("{", 1)[1].split("}", 1)[0].split(","))
                key = f"{labels.get('protocol', '?').strip(chr(34))}/{labels.get('encoding', '?').strip(chr(34))}"
                out[key] = out.get(key, 0) + int(float(line.rsplit(" ", 1)[1]))
        return out

    def channel_counts(self) -> dict | None:
        """From /metrics: events into the endpoint, channels known, evictions, events dropped."""
        text = self.metrics()
        if text is None:
            return None
        out = {"events": 0, "channels": 0, "evictions": 0, "dropped": 0}
        for line in text.splitlines():
            name = line.split("{", 1)[0]
            key = {"gateway_endpoint_events_total": "events", "gateway_channels": "channels",
                   "gateway_channel_evictions_total": "evictions"}.get(name)
            if name == "gateway_dropped_events_total" and "endpoint=" in line:
                key = "dropped"
            if key:
                out[key] += int(float(line.rsplit(" ", 1)[1]))
        return out

    def stop(self) -> None:
        stop(self.proc, signal.SIGTERM, timeout=10)
        self.proc = None


class FloorServer(Server):
    """The origin itself serving every client: a minimal C writer, the floor for any relay."""

    name = "C floor"
    sub_path = "/events"
    channel_path = "/events/%d"  # the origin's own channel streams (its --channels)

    def start(self, origin_port: int) -> None:
        self.port = origin_port

    def pids(self) -> list[int]:
        return [self.origin_pid]


SERVERS = {"gateway": GatewayServer, "nchan": NchanServer, "floor": FloorServer}

# ------------------------------------------------------------------ one run


def run_once(args, server: Server, *, clients: int, rate: float, size: int, warmup: float, window: float,
             idle: bool = False, burst: int = 1, slow: float = 0, slow_factor: float = 0.1,
             replay: int = 100, client_buffer: str = "1MiB", channels: int = 0, settle: float = 0,
             client_args: list[str] | tuple = (), origin_args: list[str] | tuple = ()) -> dict:
    """Starts origin and server, runs the load client, returns the figures of one run.

    burst: the origin publishes `rate` on average in bursts of this many events; slow: this
    fraction of the clients reads at `slow_factor` x the publish rate (the load client's -S).
    channels: the events go round-robin to this many channels and client i reads channel
    i % channels (0: broadcast). settle: once every client is in, wait this long and sample the
    server's RSS before publishing starts (rss_connected: clients connected, nothing published).
    client_args: more options for the load client ((h): --h2 --streams N, --gzip); origin_args:
    for the origin ((h): --pad-random)."""
    floor = isinstance(server, FloorServer)
    result: dict = {"server": server.name, "clients": clients, "rate": rate, "size": size, "window_s": window}
    origin = None
    rss_peak = None
    try:
        server.rate, server.size = rate, size
        server.replay, server.client_buffer = replay, client_buffer
        server.channels = channels > 0
        # The origin binds port 0 and says which port it got (no race for a free port). nchan must
        # listen before the origin connects to its publisher; the gateway must know the origin's port.
        if not floor and not server.origin_first:
            server.start(0)
        origin_cpu = args.server_cpu if floor else args.client_cpu
        origin = start(pin(origin_cpu) + args.nice_cmd + [str(TOOLS / "origin"), "--port", "0", "--rate", str(rate),
                                                          "--size", str(size), "--burst", str(burst)]
                                          + (["--channels", str(channels)] if channels else [])
                                          + server.origin_args() + list(origin_args)
                                          + (["--paused"] if args.connect_first else []),
                       stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
        line = origin.stdout.readline()
        if not line.startswith("listening"):
            raise RuntimeError(f"origin did not start: {line!r}")
        origin_port = int(line.split()[1])
        if floor:
            server.origin_pid = origin.pid
        if floor or server.origin_first:
            server.start(origin_port)
        server.ready()
        time.sleep(0.3)
        pids = server.pids()
        result["load_before"] = loadavg()
        rss0 = sum(rss_bytes(p) for p in pids)
        slow_args = ["-S", str(slow), "-s", str(slow_factor), "-e", str(rate)] if slow else []
        # (f): client i reads channel i, and sees every `channels`-th sequence number.
        path_args = (["--path-format", server.channel_path, "--stride", str(channels)] if channels
                     else ["-u", server.sub_path])
        client = start(pin(args.client_cpu) + args.nice_cmd + [str(TOOLS / "loadclient"), "-p", str(server.port)]
                       + path_args + ["-n", str(clients), "-w", str(warmup), "-d", str(window)] + slow_args
                       + list(client_args),
                       stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
        marks = {}
        report = None
        rss_peak = RssPeak(pids)
        for line in client.stdout:
            line = line.strip()
            if line.startswith("connected"):
                result["connected"] = int(line.split()[1])
                result["connect_s"] = float(line.split()[2])
                if settle:
                    time.sleep(settle)
                    result["rss_connected"] = sum(rss_bytes(p) for p in pids)
                if args.connect_first:
                    os.kill(origin.pid, signal.SIGUSR1)  # every client is in: start publishing
            elif line in ("start", "end"):
                marks[line] = {
                    "t": time.monotonic(),
                    "cpu": sum(cpu_ticks(p) for p in pids),
                    "rss": sum(rss_bytes(p) for p in pids),
                    "client_cpu": cpu_ticks(client.pid),
                    "origin_cpu": cpu_ticks(origin.pid),
                    "machine": machine_busy_ticks(),
                    "cutoffs": server.cutoffs(),
                }
                if line == "end" and isinstance(server, GatewayServer):
                    marks["end"]["streams_opened"] = server.streams_opened()
                if line == "start":
                    rss_peak.start()
                else:
                    marks["end"]["rss_peak"] = rss_peak.stop()
            elif line.startswith("{"):
                report = json.loads(line)
        client.wait()
        if report is None or "start" not in marks or "end" not in marks:
            raise RuntimeError("load client gave no report")
        a, b = marks["start"], marks["end"]
        secs = b["t"] - a["t"]
        cpu_s = (b["cpu"] - a["cpu"]) / CLK_TCK
        ours = (b["cpu"] - a["cpu"]) + (b["client_cpu"] - a["client_cpu"]) + (
            0 if floor else b["origin_cpu"] - a["origin_cpu"])
        result.update(
            client=report,
            delivered_per_s=report["events_per_s"],
            p50_ms=report["latency_ms"]["p50"],
            p90_ms=report["latency_ms"]["p90"],
            p99_ms=report["latency_ms"]["p99"],
            max_ms=report["latency_ms"]["max"],
            gaps=report["gaps"],
            dups=report["dups"],
            misrouted=report.get("misrouted", 0),
            disconnects=report["disconnects"],
            server_cpu_s=cpu_s,
            server_cpu_pct=100 * cpu_s / secs if secs else None,
            cpu_s_per_million=(cpu_s / (report["events"] / 1e6)) if report["events"] else None,
            client_cpu_pct=100 * (b["client_cpu"] - a["client_cpu"]) / CLK_TCK / secs if secs else None,
            other_load_cores=max(0.0, (b["machine"] - a["machine"] - ours) / CLK_TCK / secs) if secs else None,
            rss_before_mib=rss0 / 2**20,
            rss_mib=a["rss"] / 2**20,
            rss_per_client_kib=(a["rss"] - rss0) / 1024 / clients,
            rss_peak_mib=b["rss_peak"] / 2**20,
            rss_end_mib=b["rss"] / 2**20,
            load_after=loadavg(),
            # Bytes read from the sockets in the window per event received (compressed bytes and
            # HTTP/2 frames included), and the SSE bytes the parser got per event.
            wire_bytes_per_event=report.get("wire_bytes_per_event"),
            body_bytes_per_event=report.get("body_bytes_per_event"),
            protocol=report.get("protocol"),
            tcp_connections=report.get("tcp_connections"),
            gzip_streams=report.get("gzip_streams"),
            gzip_errors=report.get("gzip_errors"),
            h2_rsts=report.get("h2_rsts"),
            h2_goaways=report.get("h2_goaways"),
        )
        if b.get("streams_opened") is not None:
            result["server_streams_opened"] = b["streams_opened"]
        if "rss_connected" in result:
            result["rss_connected_per_client_b"] = (result["rss_connected"] - rss0) / clients
        if slow:
            result.update(class_figures(report, rate))
        if a["cutoffs"] is not None and b["cutoffs"] is not None:
            # Only the server's own cut-offs: by the time the driver reads "end", the load client
            # may already be closing its connections (client_closed, error).
            for reason in ("behind", "stalled"):
                result[f"cut_{reason}"] = b["cutoffs"].get(reason, 0) - a["cutoffs"].get(reason, 0)
    finally:
        if rss_peak is not None:
            rss_peak.stop()
        # The one downstream of the other stops first: the gateway before its upstream (or it
        # logs the upstream going away), the origin before nchan (or it tries to publish again).
        if server.origin_first:
            server.stop()
        stop(origin, signal.SIGTERM)
        server.stop()
        if origin is not None and origin.stdout:
            for line in origin.stdout.read().splitlines():
                if line.startswith("{"):
                    result["origin"] = json.loads(line)
    return result


def run_memory(args, server: Server, *, channels: int, rate: float, size: int, stages: int = 2,
               replay: int = 100) -> dict:
    """(f), memory: what a channel costs the server with no client.

    The origin publishes `channels` events at `rate` (one to each channel, round-robin), pauses,
    and again, `stages` times; after each stage, once the server has taken every event in, its
    RSS is sampled. Per channel: (RSS after the stage - RSS before the first event) / channels,
    with k events held per channel after stage k (replay is larger)."""
    result: dict = {"server": server.name, "channels": channels, "rate": rate, "size": size, "stages": []}
    origin = None
    lines: queue.Queue = queue.Queue()
    try:
        server.rate, server.size, server.replay, server.channels = rate, size, replay, True
        if not server.origin_first:
            server.start(0)
        origin = start(pin(args.client_cpu) + args.nice_cmd + [str(TOOLS / "origin"), "--port", "0", "--rate", str(rate),
                                                               "--size", str(size), "--channels", str(channels),
                                                               "--count", str(channels), "--paused"]
                       + server.origin_args(), stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
        line = origin.stdout.readline()
        if not line.startswith("listening"):
            raise RuntimeError(f"origin did not start: {line!r}")
        threading.Thread(target=lambda: [lines.put(l.strip()) for l in origin.stdout], daemon=True).start()
        if server.origin_first:
            server.start(int(line.split()[1]))
        server.ready()
        time.sleep(1.0)
        pids = server.pids()
        result["load_before"] = loadavg()
        rss0 = sum(rss_bytes(p) for p in pids)
        result["rss_before_mib"] = rss0 / 2**20
        before = server.channel_counts() or {}
        for k in range(1, stages + 1):
            os.kill(origin.pid, signal.SIGUSR1)
            t0 = time.monotonic()
            try:
                line = lines.get(timeout=channels / rate * 3 + 30)
            except queue.Empty:
                raise RuntimeError(f"origin did not finish stage {k}")
            if not line.startswith("paused"):
                raise RuntimeError(f"origin said {line!r}")
            # Wait until the server has every event (its own count), then a second for it to settle.
            want = (before.get("events") or 0) + k * channels
            counts = server.channel_counts() or {}
            while (counts.get("events") or 0) < want and time.monotonic() - t0 < channels / rate * 3 + 30:
                time.sleep(0.2)
                counts = server.channel_counts() or {}
            if (counts.get("events") or 0) < want:
                raise RuntimeError(f"stage {k}: the server took {counts.get('events')} of {want} events")
            time.sleep(1.0)
            counts = server.channel_counts() or counts
            rss = sum(rss_bytes(p) for p in pids)
            result["stages"].append({"events_per_channel": k, "seconds": time.monotonic() - t0, "rss_mib": rss / 2**20,
                                     "rss_per_channel_b": (rss - rss0) / channels, "server_says": counts})
            log(f"      {server.name:8s} {channels:,} channels x {k} event{'s' if k > 1 else ''}: "
                f"RSS {rss0 / 2**20:.1f} -> {rss / 2**20:.1f} MiB, {(rss - rss0) / channels:,.0f} B per channel; "
                f"server says {counts}")
        for st in result["stages"]:
            result[f"rss_per_channel_{st['events_per_channel']}_b"] = st["rss_per_channel_b"]
    finally:
        if server.origin_first:
            server.stop()
        stop(origin, signal.SIGTERM)
        server.stop()
    return result


def class_figures(report: dict, rate: float) -> dict:
    """The healthy and the slow clients' figures, apart: a slow reader being cut off and
    reconnecting is by design, a healthy one never should be."""
    h, s = report["healthy"], report["slow"]
    return dict(
        healthy_delivered_per_s=h["events_per_s"],
        healthy_p50_ms=h["latency_ms"]["p50"],
        healthy_p99_ms=h["latency_ms"]["p99"],
        healthy_gaps=h["gaps"],
        healthy_disconnects=h["disconnects"],
        slow_clients=s["clients"],
        slow_disconnects=s["disconnects"],
        slow_clients_cut_off=s["clients_cut_off"],
        slow_gaps=s["gaps"],
        # What a slow reader got, as a share of the publish rate: about slow_factor while the
        # server keeps its stream going, less when it is cut off and reconnects.
        slow_read_pct=100 * s["events_per_s_per_client"] / rate if rate else None,
    )


def passes(r: dict, clients: int, rate: float) -> bool:
    return (r.get("p99_ms") is not None and r["p99_ms"] < 100 and r["gaps"] == 0 and r["dups"] == 0
            and r["disconnects"] == 0 and r["delivered_per_s"] >= 0.98 * clients * rate)


# ------------------------------------------------------------------ (g): a cluster on NATS JetStream
#
# Two parts. publish: one gateway in cluster mode on one nats-server (file storage) whose `sse`
# source reads the origin at a stepped-up rate; what the stream stores per second (its last
# sequence, from the server's monitoring port) against what the origin offers, one client of the
# endpoint checking every seq. fan-out: three instances on one nats-server, two load clients
# spreading their connections evenly over them, beside one gateway alone with as many clients as
# one instance has, at the same rate. Nothing is pinned in (g): three gateways, nats-server, the
# origin and two load clients need both CPUs; the single gateway runs the same way.


class NatsServer:
    """A nats-server with JetStream on free loopback ports (clients and monitoring), its store in a
    fresh temporary folder that is removed when it stops (or when the driver exits)."""

    stream_name = "GW_bench_sub"  # gateway-bench-cluster.yaml: cluster `bench`, endpoint /sub

    def __init__(self, args, workdir: Path):
        self.args, self.workdir = args, workdir
        self.proc: subprocess.Popen | None = None
        self.dir: Path | None = None
        self.url = self.monitor = None

    def start(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="nats-", dir=self.workdir))
        _temp_dirs.append(self.dir)
        (self.dir / "ports").mkdir()
        conf = self.dir / "nats-server.conf"
        conf.write_text("listen: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\n"
                        f'jetstream {{ store_dir: "{self.dir / "store"}", max_memory_store: 256MB, max_file_store: 8GB }}\n')
        self.log = open(self.workdir / f"nats-{self.dir.name}.log", "w")
        self.proc = start(self.args.nice_cmd + [self.args.nats_server, "-c", str(conf), "--ports_file_dir",
                                                str(self.dir / "ports")], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline:
            for f in (self.dir / "ports").glob("*.ports"):
                try:
                    ports = json.loads(f.read_text())
                    self.url, self.monitor = ports["nats"][0], ports["monitoring"][0]
                    return
                except (ValueError, KeyError, IndexError):
                    pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"nats-server exited with {self.proc.returncode} (log: {self.log.name})")
            time.sleep(0.02)
        raise RuntimeError("nats-server wrote no ports file within 10 s")

    def stream(self) -> dict | None:
        """The endpoint's stream state (messages, bytes, first_seq, last_seq), or None."""
        try:
            with urllib.request.urlopen(f"{self.monitor}/jsz?streams=true", timeout=2) as r:
                d = json.loads(r.read())
        except (OSError, ValueError):
            return None
        for acc in d.get("account_details") or []:
            for s in acc.get("stream_detail") or []:
                if s.get("name") == self.stream_name:
                    return s.get("state")
        return None

    def stop(self) -> None:
        stop(self.proc)
        self.proc = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


class ClusterGatewayServer(GatewayServer):
    """One instance of the cluster: gateway-bench-cluster.yaml, NATS from BENCH_NATS_URL."""

    name = "gateway (cluster)"

    def __init__(self, args, workdir: Path, nats_url: str):
        super().__init__(args, workdir)
        self.nats_url = nats_url
        self.cpu = None

    def start(self, origin_port: int) -> None:
        self.port = free_port()
        env = dict(os.environ, BENCH_ORIGIN_URL=f"http://127.0.0.1:{origin_port}/events", BENCH_NATS_URL=self.nats_url,
                   BENCH_REPLAY=str(self.replay), BENCH_CLIENT_BUFFER=self.client_buffer)
        self.log = open(self.workdir / f"gateway-cluster-{self.port}.log", "w")
        self.proc = start(pin(self.cpu) + self.args.nice_cmd + [self.args.gateway, "run", self.args.gateway_cluster_config,
                                                                "--listen", f"127.0.0.1:{self.port}", "--log-level", "warning"],
                          env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc)


def metric(text: str | None, name: str) -> float | None:
    """The sum of the series of `name` (a metric name, or a name with its labels) in /metrics text."""
    if text is None:
        return None
    total, seen = 0.0, False
    for line in text.splitlines():
        if line.startswith(name) and line[len(name):len(name) + 1] in (" ", "{"):
            total += float(line.rsplit(" ", 1)[1])
            seen = True
    return total if seen else None


def lease_states(gws: list) -> list[float | None]:
    """Each instance's `gateway_cluster_lease_held` for /sub (None: /metrics did not answer in 2 s)."""
    return [metric(g.metrics(), 'gateway_cluster_lease_held{endpoint="/sub"}') for g in gws]


def lease_holders(gws: list) -> list[int]:
    return [i for i, v in enumerate(lease_states(gws)) if (v or 0) >= 1]


def wait_holder(gws: list, timeout=20.0) -> int:
    deadline = time.time() + timeout
    while time.time() < deadline:
        held = lease_holders(gws)
        if len(held) == 1:
            return held[0]
        time.sleep(0.1)
    raise RuntimeError(f"no single lease holder of /sub after {timeout:.0f} s")


def hist_percentile(hist: list, q: float) -> float | None:
    """A percentile (ms) of a merged sparse histogram [[upper edge µs, count], ...]."""
    total = sum(c for _, c in hist)
    if not total:
        return None
    target, acc = max(1, int(q * total)), 0
    for v, c in sorted(hist):
        acc += c
        if acc >= target:
            return v / 1000
    return None


def merge_hists(hists: list[list]) -> list:
    out: dict = {}
    for h in hists:
        for v, c in h:
            out[v] = out.get(v, 0) + c
    return list(out.items())


def start_origin(args, rate: float, size: int) -> tuple[subprocess.Popen, int]:
    origin = start(args.nice_cmd + [str(TOOLS / "origin"), "--port", "0", "--rate", str(rate), "--size", str(size),
                                    "--paused"], stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
    line = origin.stdout.readline()
    if not line.startswith("listening"):
        raise RuntimeError(f"origin did not start: {line!r}")
    return origin, int(line.split()[1])


def origin_report(origin: subprocess.Popen | None) -> dict | None:
    """Stops the origin (SIGTERM) and returns the JSON line it prints then."""
    if origin is None:
        return None
    stop(origin, signal.SIGTERM)
    if origin.stdout:
        for line in origin.stdout.read().splitlines():
            if line.startswith("{"):
                return json.loads(line)
    return None


def run_publish(args, workdir: Path, *, rate: float, size: int, warmup: float, window: float, replay: int) -> dict:
    """(g) publish, one step: what one lease holder gets stored per second at this offered rate."""
    result: dict = {"rate": rate, "size": size, "window_s": window, "replay": replay}
    nats = origin = gw = client = None
    try:
        nats = NatsServer(args, workdir)
        nats.start()
        origin, origin_port = start_origin(args, rate, size)
        gw = ClusterGatewayServer(args, workdir, nats.url)
        gw.replay = replay
        gw.start(origin_port)
        gw.ready()
        wait_holder([gw])
        result["load_before"] = loadavg()
        client = start(args.nice_cmd + [str(TOOLS / "loadclient"), "-p", str(gw.port), "-u", "/sub", "-n", "1",
                                        "-w", str(warmup), "-d", str(window)],
                       stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
        marks, report = {}, None
        for line in client.stdout:
            line = line.strip()
            if line.startswith("connected"):
                os.kill(origin.pid, signal.SIGUSR1)
            elif line in ("start", "end"):
                text = gw.metrics()
                marks[line] = {"t": time.monotonic(), "stream": nats.stream() or {}, "gw_cpu": cpu_ticks(gw.proc.pid),
                               "nats_cpu": cpu_ticks(nats.proc.pid), "origin_cpu": cpu_ticks(origin.pid),
                               "client_cpu": cpu_ticks(client.pid), "machine": machine_busy_ticks(),
                               "published": metric(text, "gateway_cluster_published_total") or 0,
                               "outbox": metric(text, "gateway_cluster_outbox_bytes") or 0,
                               "reconnects": metric(text, "gateway_upstream_reconnects_total") or 0}
            elif line.startswith("{"):
                report = json.loads(line)
        client.wait()
        if report is None or "start" not in marks or "end" not in marks:
            raise RuntimeError("load client gave no report")
        a, b = marks["start"], marks["end"]
        secs = b["t"] - a["t"]
        stored = (b["stream"].get("last_seq") or 0) - (a["stream"].get("last_seq") or 0)
        gw_cpu = (b["gw_cpu"] - a["gw_cpu"]) / CLK_TCK
        nats_cpu = (b["nats_cpu"] - a["nats_cpu"]) / CLK_TCK
        ours = sum(b[k] - a[k] for k in ("gw_cpu", "nats_cpu", "origin_cpu", "client_cpu"))
        result.update(
            client=report,
            stored_per_s=stored / secs,
            published_per_s=(b["published"] - a["published"]) / secs,
            client_per_s=report["events_per_s"],
            gaps=report["gaps"], dups=report["dups"], disconnects=report["disconnects"],
            p50_ms=report["latency_ms"]["p50"], p99_ms=report["latency_ms"]["p99"], max_ms=report["latency_ms"]["max"],
            gateway_cpu_pct=100 * gw_cpu / secs, nats_cpu_pct=100 * nats_cpu / secs,
            gateway_cpu_s_per_million=gw_cpu / (stored / 1e6) if stored else None,
            nats_cpu_s_per_million=nats_cpu / (stored / 1e6) if stored else None,
            outbox_end_bytes=b["outbox"], upstream_reconnects=b["reconnects"] - a["reconnects"],
            stream_end=b["stream"], gateway_rss_mib=rss_bytes(gw.proc.pid) / 2**20,
            nats_rss_mib=rss_bytes(nats.proc.pid) / 2**20,
            other_load_cores=max(0.0, (b["machine"] - a["machine"] - ours) / CLK_TCK / secs),
        )
    finally:
        stop(client)
        if gw is not None:
            gw.stop()
        result["origin"] = origin_report(origin)
        if nats is not None:
            nats.stop()
    o = result.get("origin") or {}
    result["origin_dropped"] = o.get("subscribers_dropped")
    if "stored_per_s" in result:
        result["follows"] = (result["stored_per_s"] >= 0.97 * rate and result["gaps"] == 0 and result["dups"] == 0
                             and result["disconnects"] == 0 and not result["origin_dropped"] and result["p99_ms"] < 1000)
    return result


def publish_search(args, workdir: Path, sc: dict) -> dict:
    """(g) publish: the rates in turn until one is not followed (twice: one failure on a shared
    machine can be noise), then `bisect` steps between the last rate followed and that one."""
    steps = []
    kw = dict(size=sc["size"], warmup=sc["publish_warmup"], window=sc["publish_window"], replay=sc["publish_replay"])

    def attempt(rate: float) -> bool:
        for _ in range(2):
            try:
                r = run_publish(args, workdir, rate=rate, **kw)
            except Exception as e:
                r = {"rate": rate, "error": str(e)}
            steps.append(r)
            log(f"    publish {rate:>9,.0f} ev/s offered: {brief_publish(r)}")
            if r.get("follows") or args.quick:
                return bool(r.get("follows"))
        return False

    good, bad = None, None
    for rate in sc["publish_rates"]:
        if not attempt(rate):
            bad = rate
            break
        good = rate
    for _ in range(sc.get("publish_bisect", 0) if bad and not args.quick else 0):
        rate = round(((good or 0) + bad) / 2 / 500) * 500
        if rate <= (good or 0) or rate >= bad:
            break
        if attempt(rate):
            good = rate
        else:
            bad = rate
    ceiling = max((s.get("stored_per_s") or 0 for s in steps), default=0)
    return {"steps": steps, "max_rate_followed": good, "first_rate_not_followed": bad, "max_stored_per_s": ceiling}


def brief_publish(r: dict) -> str:
    if "error" in r:
        return f"ERROR {r['error']}"
    return (f"stored {r['stored_per_s']:>9,.0f}/s  client {r['client_per_s']:>9,.0f}/s  gaps {r['gaps']} dups {r['dups']} "
            f"disc {r['disconnects']}  p50 {r['p50_ms']:.2f} p99 {r['p99_ms']:.2f} ms  gateway {r['gateway_cpu_pct']:.0f}% "
            f"nats {r['nats_cpu_pct']:.0f}%  outbox {r['outbox_end_bytes'] / 2**20:.1f} MiB  origin dropped "
            f"{r['origin_dropped']}  {'follows' if r['follows'] else 'DOES NOT FOLLOW'}  other load {r['other_load_cores']:.2f}")


def run_spread(args, workdir: Path, *, cluster: bool, instances: int, processes: int, per_process: int, rate: float,
               size: int, warmup: float, window: float, replay: int, settle: float = 1.0) -> dict:
    """(g) fan-out, one run: `instances` gateways on one nats-server (cluster) or one gateway alone,
    `processes` load clients of `per_process` connections each; connection i of each load client
    goes to instance i mod instances. The load clients connect, then the driver starts the origin
    and every load client's warm-up at once (SIGUSR1, their --hold), so their windows coincide."""
    result: dict = {"mode": "cluster" if cluster else "single", "instances": instances,
                    "clients": processes * per_process, "rate": rate, "size": size, "window_s": window}
    nats = origin = None
    gws: list = []
    clients: list = []
    try:
        if cluster:
            nats = NatsServer(args, workdir)
            nats.start()
        origin, origin_port = start_origin(args, rate, size)
        for _ in range(instances):
            g = ClusterGatewayServer(args, workdir, nats.url) if cluster else GatewayServer(args, workdir)
            g.cpu = None
            g.replay, g.rate, g.size = replay, rate, size
            g.start(origin_port)
            gws.append(g)
        for g in gws:
            g.ready()
        holder = wait_holder(gws) if cluster else 0
        time.sleep(0.3)
        pids = [g.proc.pid for g in gws]
        rss0 = [rss_bytes(p) for p in pids]
        result["load_before"] = loadavg()
        ports = ",".join(str(g.port) for g in gws)
        lines: queue.Queue = queue.Queue()
        for k in range(processes):
            c = start(args.nice_cmd + [str(TOOLS / "loadclient"), "--ports", ports, "-u", "/sub", "-n", str(per_process),
                                       "-w", str(warmup), "-d", str(window), "--hold", "--hist"],
                      stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
            clients.append(c)

            def read(c=c, k=k):
                for line in c.stdout:
                    lines.put((k, line.strip()))
                lines.put((k, None))
            threading.Thread(target=read, daemon=True).start()

        def sample() -> dict:
            return {"t": time.monotonic(), "cpu": [cpu_ticks(p) for p in pids], "rss": [rss_bytes(p) for p in pids],
                    "nats_cpu": cpu_ticks(nats.proc.pid) if nats else 0, "origin_cpu": cpu_ticks(origin.pid),
                    "client_cpu": sum(cpu_ticks(c.pid) for c in clients), "machine": machine_busy_ticks(),
                    "leases": lease_states(gws) if cluster else [1.0]}

        connected: dict = {}
        marks: dict = {}
        reports: dict = {}
        finished: set = set()
        timeout = 120 + warmup + window
        while len(finished) < processes:
            try:
                k, line = lines.get(timeout=timeout)
            except queue.Empty:
                raise RuntimeError(f"the load clients said nothing for {timeout:.0f} s")
            if line is None:
                finished.add(k)
            elif line.startswith("connected"):
                connected[k] = (int(line.split()[1]), float(line.split()[2]))
                if len(connected) == processes:
                    time.sleep(settle)
                    result["rss_connected"] = [rss_bytes(p) for p in pids]
                    os.kill(origin.pid, signal.SIGUSR1)
                    for c in clients:
                        os.kill(c.pid, signal.SIGUSR1)
            elif line in ("start", "end"):
                if line not in marks:  # the first load client to say it; the others within ms
                    marks[line] = sample()
            elif line.startswith("{"):
                reports[k] = json.loads(line)
        for c in clients:
            c.wait()
        if len(reports) < processes or "start" not in marks or "end" not in marks:
            raise RuntimeError("a load client gave no report")
        a, b = marks["start"], marks["end"]
        secs = b["t"] - a["t"]
        reps = list(reports.values())
        result["connected"] = sum(v[0] for v in connected.values())
        result["connect_s"] = max(v[1] for v in connected.values())
        per = []
        for i, g in enumerate(gws):
            mine = [p for r in reps for p in r["ports"] if p["port"] == g.port]
            events = sum(p["events"] for p in mine)
            cpu = (b["cpu"][i] - a["cpu"][i]) / CLK_TCK
            hist = merge_hists([p["hist"] for p in mine])
            nclients = sum(p["clients"] for p in mine)
            per.append(dict(
                port=g.port, role="holder" if cluster and i == holder else "follower" if cluster else "single",
                clients=nclients, events=events, delivered_per_s=events / secs,
                cpu_s=cpu, cpu_pct=100 * cpu / secs, cpu_s_per_million=cpu / (events / 1e6) if events else None,
                p50_ms=hist_percentile(hist, 0.5), p99_ms=hist_percentile(hist, 0.99),
                gaps=sum(p["gaps"] for p in mine), dups=sum(p["dups"] for p in mine),
                disconnects=sum(p["disconnects"] for p in mine), clean_clients=sum(p["clean_clients"] for p in mine),
                rss_before_mib=rss0[i] / 2**20, rss_connected_mib=result["rss_connected"][i] / 2**20,
                rss_end_mib=b["rss"][i] / 2**20,
                rss_per_client_b=(result["rss_connected"][i] - rss0[i]) / nclients if nclients else None))
        hist = merge_hists([r["hist"] for r in reps])
        nats_cpu = (b["nats_cpu"] - a["nats_cpu"]) / CLK_TCK
        total_events = sum(r["events"] for r in reps)
        ours = (sum(b["cpu"]) - sum(a["cpu"]) + b["nats_cpu"] - a["nats_cpu"] + b["origin_cpu"] - a["origin_cpu"]
                + b["client_cpu"] - a["client_cpu"])
        result.update(
            instances_figures=per, holder=holder, leases_at_start=a["leases"], leases_at_end=b["leases"],
            reports=reps, delivered_per_s=total_events / secs,
            p50_ms=hist_percentile(hist, 0.5), p99_ms=hist_percentile(hist, 0.99), max_ms=max(r["latency_ms"]["max"] for r in reps),
            gaps=sum(r["gaps"] for r in reps), dups=sum(r["dups"] for r in reps),
            disconnects=sum(r["disconnects"] for r in reps), clean_clients=sum(r["clean_clients"] for r in reps),
            nats_cpu_pct=100 * nats_cpu / secs if cluster else None,
            nats_cpu_s_per_million=nats_cpu / (total_events / 1e6) if cluster and total_events else None,
            nats_rss_mib=rss_bytes(nats.proc.pid) / 2**20 if cluster else None,
            stream_end=nats.stream() if cluster else None,
            client_cpu_pct=100 * (b["client_cpu"] - a["client_cpu"]) / CLK_TCK / secs,
            other_load_cores=max(0.0, (b["machine"] - a["machine"] - ours) / CLK_TCK / secs),
            machine_busy_cores=(b["machine"] - a["machine"]) / CLK_TCK / secs,
            load_after=loadavg(),
        )
        # The figures a table shows, flat: the holder, the followers' mean, the single process.
        def mean(xs):
            xs = [x for x in xs if x is not None]
            return sum(xs) / len(xs) if xs else None
        groups = {"holder": [p for p in per if p["role"] == "holder"],
                  "followers": [p for p in per if p["role"] == "follower"],
                  "single": [p for p in per if p["role"] == "single"]}
        for gname, ps in groups.items():
            if not ps:
                continue
            for k in ("delivered_per_s", "cpu_s_per_million", "cpu_pct", "p50_ms", "p99_ms", "rss_connected_mib",
                      "rss_end_mib", "rss_per_client_b"):
                result[f"{gname}_{k}"] = mean([p[k] for p in ps])
            for k in ("clients", "clean_clients", "gaps", "dups", "disconnects"):
                result[f"{gname}_{k}"] = sum(p[k] for p in ps)
    finally:
        for c in clients:  # still running only when the run failed
            stop(c)
        for g in gws:  # the gateways before their upstream and their NATS
            g.stop()
        result["origin"] = origin_report(origin)
        if nats is not None:
            nats.stop()
    return result


def brief_spread(r: dict) -> str:
    if "error" in r:
        return f"ERROR {r['error']}"
    inst = "  ".join(f"{p['role']} {p['cpu_s_per_million'] or 0:.2f} cpu-s/M {p['cpu_pct']:.0f}% p99 {p['p99_ms'] or 0:.1f}"
                     for p in r["instances_figures"])
    nats = f"  nats {r['nats_cpu_pct']:.1f}%" if r.get("nats_cpu_pct") is not None else ""
    if r.get("leases_at_start") != r.get("leases_at_end"):  # None: that instance's /metrics did not answer in 2 s
        nats += f"  lease_held at start {r.get('leases_at_start')}, at end {r.get('leases_at_end')}"
    return (f"{r['delivered_per_s']:>9,.0f}/s  p50 {r['p50_ms'] or 0:.2f} p99 {r['p99_ms'] or 0:.2f} ms  clean "
            f"{r['clean_clients']:,}/{r['clients']:,}  gaps {r['gaps']} dups {r['dups']} disc {r['disconnects']}  "
            f"{inst}{nats}  clients {r['client_cpu_pct']:.0f}%  machine busy {r['machine_busy_cores']:.2f} cores, "
            f"other load {r['other_load_cores']:.2f}")


def run_cluster(args, sc: dict, runs: int, workdir: Path) -> dict:
    """(g): the publish-throughput search once, then `runs` fan-out runs of the cluster and of the
    single process, alternating which goes first."""
    out: dict = {}
    log("  publish throughput: one gateway, one nats-server (file storage)")
    out["publish"] = publish_search(args, workdir, sc)
    kw = {k: sc[k] for k in ("size", "warmup", "window", "replay")}
    for rate in sc["rates"]:
        log(f"  fan-out at {rate:g} ev/s: {sc['instances']} instances x "
            f"{sc['processes'] * sc['per_process'] // sc['instances']:,} clients, beside one gateway alone")
        per: dict = {"cluster": [], "single": []}
        for i in range(runs):
            for mode in (("cluster", "single") if i % 2 == 0 else ("single", "cluster")):
                if mode == "cluster":
                    spread = dict(instances=sc["instances"], processes=sc["processes"], per_process=sc["per_process"])
                else:  # one instance's share of the clients, from as many load clients
                    spread = dict(instances=1, processes=sc["processes"],
                                  per_process=sc["per_process"] // sc["instances"])
                try:
                    r = run_spread(args, workdir, cluster=mode == "cluster", rate=rate, **spread, **kw)
                except Exception as e:
                    r = {"mode": mode, "rate": rate, "error": str(e)}
                per[mode].append(r)
                log(f"    {mode:8s} run {i + 1}: {brief_spread(r)}")
        out[f"fanout-{rate:g}"] = {mode: {"runs": per[mode], "median": summarize(per[mode], CLUSTER_METRICS)}
                                   for mode in per}
    return out


CLUSTER_METRICS = [(f"{g}_{k}", None, None, None) for g in ("holder", "followers", "single") for k in (
    "delivered_per_s", "cpu_s_per_million", "cpu_pct", "p50_ms", "p99_ms", "rss_connected_mib", "rss_end_mib",
    "rss_per_client_b", "clients", "clean_clients", "gaps", "dups", "disconnects")] + [
    (k, None, None, None) for k in ("delivered_per_s", "p50_ms", "p99_ms", "max_ms", "gaps", "dups", "disconnects",
                                    "clean_clients", "clients", "nats_cpu_pct", "nats_cpu_s_per_million", "nats_rss_mib",
                                    "client_cpu_pct", "other_load_cores", "machine_busy_cores")]


def cluster_rows(res: dict, sc: dict) -> list[str]:
    """(g): the publish steps, then holder / followers / single process side by side."""
    out = []
    pub = res.get("publish", {})
    out.append(f"  publish throughput: one gateway + nats-server (file storage, replay {sc['publish_replay']:,}), "
               f"events of {sc['size']} B")
    out.append(f"    {'offered/s':>10}{'stored/s':>10}{'client/s':>10}{'lost':>6}{'doubled':>8}{'p50 ms':>9}{'p99 ms':>9}"
               f"{'gw CPU':>8}{'nats CPU':>9}{'gw µs/ev':>9}{'nats µs/ev':>11}{'outbox':>9}  follows")
    out.append(f"    {'':>10}{'':>10}{'':>10}{'':>6}{'':>8}{'':>9}{'':>9}{'(% of a core)':>17}{'(per event stored)':>20}"
               f"{'(end)':>9}")
    for s in pub.get("steps", []):
        if "error" in s:
            out.append(f"    {s['rate']:>10,.0f}  ERROR {s['error']}")
            continue
        lost = s["gaps"] + (s["origin_dropped"] or 0)
        out.append(f"    {s['rate']:>10,.0f}{s['stored_per_s']:>10,.0f}{s['client_per_s']:>10,.0f}{lost:>6,}{s['dups']:>8,}"
                   f"{s['p50_ms']:>9.2f}{s['p99_ms']:>9.2f}{s['gateway_cpu_pct']:>7.0f}%{s['nats_cpu_pct']:>8.0f}%"
                   f"{fmt(s['gateway_cpu_s_per_million'], '{:.1f}'):>9}{fmt(s['nats_cpu_s_per_million'], '{:.1f}'):>11}"
                   f"{s['outbox_end_bytes'] / 2**20:>6.1f}MiB  {'yes' if s['follows'] else 'no'}")
    best = pub.get("max_rate_followed")
    out.append(f"    highest rate followed: {fmt(best, '{:,.0f}')} ev/s (first not followed: "
               f"{fmt(pub.get('first_rate_not_followed'), '{:,.0f}')}); most stored: "
               f"{fmt(pub.get('max_stored_per_s'), '{:,.0f}')} ev/s")
    for rate in sc["rates"]:
        out += fanout_rows(res.get(f"fanout-{rate:g}", {}), sc, rate)
    return out


def fanout_rows(res: dict, sc: dict, rate: float) -> list[str]:
    out = []
    cl = res.get("cluster", {}).get("median", {})
    si = res.get("single", {}).get("median", {})
    per_instance = sc["processes"] * sc["per_process"] // sc["instances"]
    out.append(f"  fan-out at {rate:g} ev/s, {per_instance:,} clients per instance (median of runs)")
    out.append(f"    {'per instance':<42}{'holder':>10}{'followers':>11}{'single':>10}{'holder/single':>15}"
               f"{'follower/single':>17}")

    def row(label, k, f):
        h, fo, s = cl.get(f"holder_{k}"), cl.get(f"followers_{k}"), si.get(f"single_{k}")
        line = f"    {label:<42}{fmt(h, f):>10}{fmt(fo, f):>11}{fmt(s, f):>10}"
        line += f"{(f'{h / s:.2f}' if h is not None and s else '—'):>15}{(f'{fo / s:.2f}' if fo is not None and s else '—'):>17}"
        out.append(line)
    row("delivered events/s", "delivered_per_s", "{:,.0f}")
    row("CPU-s per M deliveries", "cpu_s_per_million", "{:.2f}")
    row("CPU (% of a core)", "cpu_pct", "{:.0f}")
    row("latency p50 (ms)", "p50_ms", "{:.2f}")
    row("latency p99 (ms)", "p99_ms", "{:.2f}")
    row("RSS with clients, idle (MiB)", "rss_connected_mib", "{:.1f}")
    row("RSS per client, idle (B)", "rss_per_client_b", "{:,.0f}")
    row("RSS at the window's end (MiB)", "rss_end_mib", "{:.1f}")

    def counts(m, g):
        c = m.get(f"{g}_clients")
        return "—" if c is None else (f"{m.get(f'{g}_clean_clients'):,.0f}/{c:,.0f} gap-free; gaps {m.get(f'{g}_gaps'):,.0f}, "
                                      f"dups {m.get(f'{g}_dups'):,.0f}, disconnects {m.get(f'{g}_disconnects'):,.0f}")
    out.append(f"    clients: holder {counts(cl, 'holder')}")
    out.append(f"             followers {counts(cl, 'followers')}")
    out.append(f"             single {counts(si, 'single')}")
    out.append(f"    cluster: {fmt(cl.get('delivered_per_s'), '{:,.0f}')} deliveries/s, p50 {fmt(cl.get('p50_ms'), '{:.2f}')} / "
               f"p99 {fmt(cl.get('p99_ms'), '{:.2f}')} ms over all clients")
    out.append(f"      nats-server {fmt(cl.get('nats_cpu_pct'), '{:.1f}')} % of a core "
               f"({fmt(cl.get('nats_cpu_s_per_million'), '{:.3f}')} CPU-s per M deliveries), "
               f"RSS {fmt(cl.get('nats_rss_mib'), '{:.1f}')} MiB")
    out.append(f"      load clients {fmt(cl.get('client_cpu_pct'), '{:.0f}')} % of a core, other load "
               f"{fmt(cl.get('other_load_cores'), '{:.2f}')} cores, CPUs busy {fmt(cl.get('machine_busy_cores'), '{:.2f}')} "
               f"of {os.cpu_count()}")
    out.append(f"    single: {fmt(si.get('delivered_per_s'), '{:,.0f}')} deliveries/s; load clients "
               f"{fmt(si.get('client_cpu_pct'), '{:.0f}')} % of a core, other load "
               f"{fmt(si.get('other_load_cores'), '{:.2f}')} cores, CPUs busy {fmt(si.get('machine_busy_cores'), '{:.2f}')}")
    runs = f"{res.get('cluster', {}).get('median', {}).get('runs', 0)}/{res.get('single', {}).get('median', {}).get('runs', 0)}"
    out.append(f"    runs (cluster/single): {runs}")
    return out


# ------------------------------------------------------------------ scenarios

def scenario_defs(quick: bool) -> dict:
    if quick:
        return {
            "a": dict(title="(a) 50 clients x 100 ev/s (quick)", clients=50, rate=100, size=200, warmup=0.5, window=1.5),
            "d": dict(title="(d) idle, 200 clients (quick)", clients=200, rate=0, size=200, warmup=0.5, window=0.5,
                      idle=True),
            "e": dict(title="(e) 50 clients, bursts of 200 ev/s, 10 % slow (quick)", clients=50, rate=200, burst=200,
                      size=200, warmup=1, window=2, slow=0.1, slow_factor=0.1, replay=200, client_buffer="64KiB"),
            "f": dict(title="(f) 200 clients each on its own channel, beside broadcast (quick)", parts={
                "channels": dict(title="channels: 200 channels x 1 ev/s (200 ev/s round-robin)", clients=200, rate=200,
                                 channels=200, size=200, warmup=1.5, window=2, settle=0.5),
                "broadcast": dict(title="broadcast: 200 clients x 1 ev/s", clients=200, rate=1, size=200, warmup=1.5,
                                  window=2, settle=0.5)},
                memory=dict(title="memory: 2,000 channels, no client", channels=2000, rate=20000, size=200, stages=2)),
            "h": dict(title="(h) browsers: 50 clients x 100 ev/s, HTTP/1.1, HTTP/2 (5 connections x 10 streams), gzip (quick)",
                      clients=50, rate=100, size=200, warmup=0.5, window=1.5, variants=browser_variants(10)),
            "g": dict(title="(g) cluster: 3 instances x 40 clients x 10 ev/s on one nats-server, beside one gateway (quick)",
                      cluster=True, instances=3, processes=2, per_process=60, rates=[10], size=200, warmup=0.5, window=2,
                      replay=1000, publish_rates=[1000], publish_warmup=0.5, publish_window=2, publish_replay=100000),
        }
    return {
        "a": dict(title="(a) 1,000 clients x 100 ev/s, 200 B", clients=1000, rate=100, size=200, warmup=3, window=20),
        "b": dict(title="(b) 10,000 clients x 10 ev/s, 200 B", clients=10000, rate=10, size=200, warmup=5, window=20),
        "c": dict(title="(c) max rate at 1,000 clients, p99 < 100 ms, no gaps", clients=1000, size=200, warmup=3,
                  window=10, search=True),
        "d": dict(title="(d) idle, 10,000 clients", clients=10000, rate=0, size=200, warmup=5, window=2, idle=True),
        # Bursts: one burst of 1,000 events a second, 2 % of the clients reading at 1/10 of that.
        # Both servers keep 1,000 messages (the gateway's replay, nchan's buffer), one burst; the
        # gateway's client_buffer is smaller than a burst (~230 KB a client), so every burst puts
        # healthy clients behind too, to be caught up from the log.
        "e": dict(title="(e) 1,000 clients, bursts of 1,000 x 200 B each second, 2 % slow", clients=1000, rate=1000,
                  burst=1000, size=200, warmup=3, window=20, slow=0.02, slow_factor=0.1, replay=1000,
                  client_buffer="64KiB"),
        # Channels: every client on its own channel, 1 event/s each, beside the broadcast case at the
        # same 10,000 deliveries/s (10,000 clients x 1 ev/s), alternating within each run; RSS is
        # sampled 2 s after the last client is in, before anything is published (settle), and the
        # warm-up covers those 2 s. Then the memory of 100,000 channels with no client, 1 and 2
        # events each (the gateway's max_channels is 100,000).
        "f": dict(title="(f) 10,000 clients each on its own channel, beside broadcast at 10,000 deliveries/s", parts={
            "channels": dict(title="channels: 10,000 channels x 1 ev/s (10,000 ev/s round-robin), 200 B", clients=10000,
                             rate=10000, channels=10000, size=200, warmup=6, window=30, settle=2),
            "broadcast": dict(title="broadcast: 10,000 clients x 1 ev/s, 200 B", clients=10000, rate=1, size=200,
                              warmup=6, window=30, settle=2)},
            memory=dict(title="memory: 100,000 channels, no client (replay 100, so all held)", channels=100000,
                        rate=20000, size=200, stages=2)),
        # A cluster on NATS JetStream: first what one lease holder gets stored per second (the origin's
        # rate stepped up until the stream stops following), then three instances x 7,000 clients at
        # the rate of (b), from two load clients of 10,500 connections (a process holds ~19,900 files
        # here), beside one gateway alone with 7,000 clients (the same two load clients, 3,500 each);
        # and again at 1 ev/s, the rate of (f) broadcast: at 10 ev/s the three instances and the load
        # clients need more than this machine's two CPUs.
        "g": dict(title="(g) cluster: 3 instances x 7,000 clients x 10 and 1 ev/s, 200 B, on one nats-server, beside one gateway",
                  cluster=True, instances=3, processes=2, per_process=10500, rates=[10, 1], size=200, warmup=5,
                  window=20, replay=1000, publish_rates=[5000, 20000, 50000, 100000, 200000], publish_bisect=2,
                  publish_warmup=3, publish_window=10, publish_replay=100000),
        # Browsers: the load of (a), the gateway over HTTP/1.1 (the baseline, as (a)), over HTTP/2 with
        # 10 streams on each of 100 connections, gzip'd over HTTP/1.1 and over HTTP/2, beside nchan and
        # the C floor over HTTP/1.1, alternating within each run.
        "h": dict(title="(h) browsers: 1,000 clients x 100 ev/s, 200 B, over HTTP/1.1, HTTP/2 (100 connections x 10 "
                        "streams) and gzip", clients=1000, rate=100, size=200, warmup=3, window=20,
                  variants=browser_variants(10)),
    }


def browser_variants(streams: int) -> dict:
    """(h): what is measured, in order: the server, how the load client speaks to it, a label.

    nchan is measured over HTTP/1.1 identity only: nginx's `gzip on; gzip_types text/event-stream;`
    leaves nchan's EventSource responses uncompressed (no Content-Encoding: gzip; checked with
    nginx 1.22.1 and nchan 1.3.6, nchan issue #194), so there is no nchan gzip to compare with.

    The events of (a) are padded with `x`s, which deflate to almost nothing: the best case for
    gzip. The last two variants pad with random base64 characters instead (the origin's
    --pad-random), about the worst case for text: the gateway identity and gzip'd over HTTP/1.1."""
    h2 = ["--h2", "--streams", str(streams)]
    rnd = ["--pad-random"]
    return {
        "gateway-h1": dict(server="gateway", client_args=[], label="gateway, HTTP/1.1"),
        "gateway-h2": dict(server="gateway", client_args=h2, label=f"gateway, HTTP/2 ({streams} streams/conn)"),
        "gateway-gzip": dict(server="gateway", client_args=["--gzip"], label="gateway, HTTP/1.1 + gzip"),
        "gateway-h2-gzip": dict(server="gateway", client_args=h2 + ["--gzip"], label="gateway, HTTP/2 + gzip"),
        "nchan": dict(server="nchan", client_args=[], label="nchan, HTTP/1.1"),
        "floor": dict(server="floor", client_args=[], label="C floor, HTTP/1.1"),
        "gateway-h1-random": dict(server="gateway", client_args=[], origin_args=rnd,
                                  label="gateway, HTTP/1.1, random pad"),
        "gateway-gzip-random": dict(server="gateway", client_args=["--gzip"], origin_args=rnd,
                                    label="gateway, HTTP/1.1 + gzip, random pad", baseline="gateway-h1-random"),
    }


RUN_KEYS = ("clients", "rate", "size", "warmup", "window", "idle", "burst", "slow", "slow_factor", "replay",
            "client_buffer", "channels", "settle")


def run_kwargs(sc: dict) -> dict:
    """The parameters of one run (run_once's keywords) out of a scenario's definition."""
    return {k: sc[k] for k in RUN_KEYS if k in sc}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def brief(r: dict) -> str:
    if "error" in r:
        return f"ERROR {r['error']}"
    if r.get("rate", 0) == 0:
        return f"connected {r.get('connected')}  rss/client {r['rss_per_client_kib']:.2f} KiB  load {r['load_before']:.2f}"
    if "healthy_p99_ms" in r:
        cut = f" (behind {r['cut_behind']}, stalled {r['cut_stalled']})" if "cut_behind" in r else ""
        return (f"healthy: {r['healthy_delivered_per_s']:>9,.0f}/s p99 {r['healthy_p99_ms']:8.2f} ms gaps {r['healthy_gaps']} "
                f"disc {r['healthy_disconnects']}  slow: {r['slow_read_pct']:.1f} % of rate, disc {r['slow_disconnects']}"
                f"{cut}  rss peak {r['rss_peak_mib']:.1f} MiB  cpu {r['server_cpu_pct']:.0f}%  "
                f"other load {r['other_load_cores']:.2f}")
    extra = ""
    if r.get("dups") or r.get("misrouted"):
        extra += f" dups {r['dups']} misrouted {r['misrouted']}"
    if "rss_connected_per_client_b" in r:
        extra += f"  rss/client {r['rss_connected_per_client_b']:,.0f} B"
    return (f"{r['delivered_per_s']:>10,.0f}/s  p50 {r['p50_ms']:7.2f}  p99 {r['p99_ms']:8.2f} ms  "
            f"cpu {r['server_cpu_pct']:5.1f}%  {r['cpu_s_per_million'] or 0:5.2f} cpu-s/M  gaps {r['gaps']} "
            f"disc {r['disconnects']}{extra}  client {r['client_cpu_pct']:.0f}%  other load {r['other_load_cores']:.2f}")


def safe_run(args, server, **kw) -> dict:
    try:
        return run_once(args, server, **kw)
    except Exception as e:  # one broken run is reported, the others go on
        server.stop()
        return {"server": server.name, "error": str(e), **{k: kw[k] for k in ("clients", "rate")}}


def safe_memory(args, server, **kw) -> dict:
    try:
        return run_memory(args, server, **kw)
    except Exception as e:
        server.stop()
        return {"server": server.name, "error": str(e), "channels": kw["channels"]}


def run_channels(args, servers: list[str], sc: dict, runs: int, workdir: Path) -> dict:
    """(f): per run and server, the channels and the broadcast measurement (alternating which
    goes first, and the servers' order), then the memory runs (not for the C floor: it keeps
    nothing per channel)."""
    parts = sc["parts"]
    per: dict = {s: {p: [] for p in parts} for s in servers}
    for i in range(runs):
        order = servers if i % 2 == 0 else list(reversed(servers))
        for s in order:
            for part in (list(parts) if i % 2 == 0 else list(reversed(list(parts)))):
                r = safe_run(args, SERVERS[s](args, workdir), **run_kwargs(parts[part]))
                per[s][part].append(r)
                log(f"    {SERVERS[s].name:8s} run {i + 1} {part:9s}: {brief(r)}")
    memory = {s: [] for s in servers if s != "floor"}
    mem_kw = {k: v for k, v in sc["memory"].items() if k != "title"}
    for i in range(runs):
        for s in (list(memory) if i % 2 == 0 else list(reversed(list(memory)))):
            r = safe_memory(args, SERVERS[s](args, workdir), **mem_kw)
            memory[s].append(r)
            if "error" in r:
                log(f"    {SERVERS[s].name:8s} run {i + 1} memory: ERROR {r['error']}")
    out: dict = {}
    for s in servers:
        out[s] = {p: {"runs": per[s][p], "median": summarize(per[s][p], CHANNEL_METRICS)} for p in parts}
        if s in memory:
            out[s]["memory"] = {"runs": memory[s], "median": summarize(memory[s], MEMORY_METRICS)}
    return out


def run_variants(args, servers: list[str], sc: dict, runs: int, workdir: Path) -> dict:
    """(h): per run, every variant (a server and the load client's protocol and coding) at the
    same load, alternating their order between runs."""
    variants = {k: v for k, v in sc["variants"].items() if v["server"] in servers}
    per: dict = {k: [] for k in variants}
    for i in range(runs):
        order = list(variants) if i % 2 == 0 else list(reversed(list(variants)))
        for k in order:
            v = variants[k]
            r = safe_run(args, SERVERS[v["server"]](args, workdir), client_args=v["client_args"],
                         origin_args=v.get("origin_args", []), **run_kwargs(sc))
            r["variant"] = k
            per[k].append(r)
            log(f"    {v['label']:<37} run {i + 1}: {brief_variant(r)}")
    return {k: {"runs": per[k], "median": summarize(per[k], VARIANT_METRICS)} for k in variants}


def brief_variant(r: dict) -> str:
    if "error" in r:
        return f"ERROR {r['error']}"
    extra = f"  wire {r['wire_bytes_per_event'] or 0:.1f} B/ev (SSE {r['body_bytes_per_event'] or 0:.1f})"
    if r.get("dups"):
        extra += f"  dups {r['dups']}"
    if r.get("gzip_streams"):
        extra += f"  gzip'd streams {r['gzip_streams']}, inflate errors {r['gzip_errors']}"
    if r.get("protocol") == "h2c":
        extra += f"  h2: {r['tcp_connections']} connections, RST_STREAM {r['h2_rsts']}, GOAWAY {r['h2_goaways']}"
    if r.get("server_streams_opened") is not None:
        extra += f"  server says streams opened {r['server_streams_opened']}"
    return brief(r) + extra


def search(args, server: Server, sc: dict) -> dict:
    """Highest publish rate (ev/s) that `clients` sustain with p99 < 100 ms and no gaps."""
    steps = []
    clients = sc["clients"]
    kw = dict(clients=clients, size=sc["size"], warmup=sc["warmup"], window=sc["window"])
    good, bad = 0.0, None
    def attempt(rate: float) -> bool:
        # On a shared machine one failure can be noise: a rate fails only when a second run fails too.
        for _ in range(2):
            r = safe_run(args, server, rate=rate, **kw)
            ok = "error" not in r and passes(r, clients, rate)
            steps.append({**r, "pass": ok})
            log(f"    {server.name:8s} rate {rate:6.0f}: {'pass' if ok else 'FAIL'}  {brief(r)}")
            if ok or args.quick:
                return ok
        return False

    for rate in args.search_rates:
        ok = attempt(rate)
        if ok:
            good = rate
        else:
            bad = rate
            break
    for _ in range(args.bisect if bad else 0):
        rate = round((good + bad) / 2 / 10) * 10
        if rate <= good or rate >= bad:
            break
        ok = attempt(rate)
        if ok:
            good = rate
        else:
            bad = rate
    best = [s for s in steps if s["pass"] and s["rate"] == good]
    return {"server": server.name, "steps": steps, "max_rate": good, "max_deliveries_per_s": good * clients,
            "at_max": best[0] if best else None}


# ------------------------------------------------------------------ report

METRICS = [  # key, label, format, better
    ("delivered_per_s", "delivered events/s", "{:,.0f}", "higher"),
    ("p50_ms", "latency p50 (ms)", "{:.2f}", "lower"),
    ("p99_ms", "latency p99 (ms)", "{:.2f}", "lower"),
    ("cpu_s_per_million", "server CPU-s per M deliveries", "{:.2f}", "lower"),
    ("server_cpu_pct", "server CPU (% of a core)", "{:.0f}", "lower"),
    ("gaps", "gaps (sum over clients)", "{:,.0f}", "lower"),
    ("disconnects", "disconnects", "{:,.0f}", "lower"),
]
BURST_METRICS = [
    ("healthy_delivered_per_s", "healthy: delivered events/s", "{:,.0f}", "higher"),
    ("healthy_p50_ms", "healthy: latency p50 (ms)", "{:.2f}", "lower"),
    ("healthy_p99_ms", "healthy: latency p99 (ms)", "{:.2f}", "lower"),
    ("healthy_gaps", "healthy: gaps", "{:,.0f}", "lower"),
    ("healthy_disconnects", "healthy: cut off (disconnects)", "{:,.0f}", "lower"),
    ("slow_disconnects", "slow: cut off (disconnects)", "{:,.0f}", "lower"),
    ("slow_clients_cut_off", "slow: clients cut off at least once", "{:,.0f}", "lower"),
    ("cut_behind", "  server says: behind", "{:,.0f}", "lower"),
    ("cut_stalled", "  server says: stalled", "{:,.0f}", "lower"),
    ("slow_read_pct", "slow: events received (% of publish rate)", "{:.1f}", "higher"),
    ("slow_gaps", "slow: gaps", "{:,.0f}", "lower"),
    ("rss_peak_mib", "server RSS, peak over the window (MiB)", "{:.1f}", "lower"),
    ("cpu_s_per_million", "server CPU-s per M deliveries", "{:.2f}", "lower"),
    ("server_cpu_pct", "server CPU (% of a core)", "{:.0f}", "lower"),
]
IDLE_METRICS = [
    ("connected", "clients connected", "{:,.0f}", "higher"),
    ("rss_per_client_kib", "RSS per client (KiB)", "{:.2f}", "lower"),
    ("rss_mib", "server RSS with clients (MiB)", "{:.1f}", "lower"),
]


def metrics_for(sc: dict) -> list:
    return IDLE_METRICS if sc.get("idle") else BURST_METRICS if sc.get("slow") else METRICS


# (f): the rows of the channels and the broadcast runs, then of the memory runs.
CHANNEL_METRICS = [
    ("delivered_per_s", "delivered events/s", "{:,.0f}", "higher"),
    ("p50_ms", "latency p50 (ms)", "{:.2f}", "lower"),
    ("p99_ms", "latency p99 (ms)", "{:.2f}", "lower"),
    ("cpu_s_per_million", "server CPU-s per M deliveries", "{:.2f}", "lower"),
    ("server_cpu_pct", "server CPU (% of a core)", "{:.1f}", "lower"),
    ("gaps", "gaps (sum over clients)", "{:,.0f}", "lower"),
    ("dups", "duplicates", "{:,.0f}", "lower"),
    ("misrouted", "another channel's events", "{:,.0f}", "lower"),
    ("disconnects", "disconnects", "{:,.0f}", "lower"),
    ("rss_connected_per_client_b", "RSS per client, connected, idle (B)", "{:,.0f}", "lower"),
    ("other_load_cores", "other load (cores)", "{:.2f}", None),  # no gateway/nchan ratio: not theirs
]
# (h): the figures of each variant.
VARIANT_METRICS = [(k, None, None, None) for k in (
    "delivered_per_s", "p50_ms", "p99_ms", "max_ms", "cpu_s_per_million", "server_cpu_pct", "gaps", "dups",
    "disconnects", "wire_bytes_per_event", "body_bytes_per_event", "client_cpu_pct", "other_load_cores",
    "tcp_connections", "gzip_streams", "gzip_errors", "h2_rsts", "h2_goaways")]

MEMORY_METRICS = [
    ("rss_per_channel_1_b", "1 event each: RSS per channel (B)", "{:,.0f}", "lower"),
    ("rss_per_channel_2_b", "2 events each: RSS per channel (B)", "{:,.0f}", "lower"),
]


def summarize(runs: list[dict], keys) -> dict:
    ok = [r for r in runs if "error" not in r]
    return {k: median([r.get(k) for r in ok]) for k, *_ in keys} | {"runs": len(ok), "errors": len(runs) - len(ok)}


def fmt(v, f):
    return "—" if v is None else f.format(v)


def table(results: dict, servers: list[str], defs: dict) -> str:
    names = [SERVERS[s].name for s in servers]
    has_ratio = "gateway" in servers and "nchan" in servers
    head = f"{'scenario / figure (median of runs)':<44}" + "".join(f"{n:>14}" for n in names)
    if has_ratio:
        head += f"{'gateway/nchan':>15}"
    out = [head, "-" * len(head)]
    for key, sc in defs.items():
        if key not in results:
            continue
        res = results[key]
        out.append(sc["title"])
        if sc.get("cluster"):
            out += cluster_rows(res, sc)
            continue
        if sc.get("parts"):
            out += channel_rows(res, servers, sc, has_ratio)
            continue
        if sc.get("variants"):
            out += variant_rows(res, sc)
            continue
        if sc.get("search"):
            vals = {s: res[s]["max_deliveries_per_s"] if s in res else None for s in servers}
            rows = [("max deliveries/s (p99<100ms, no gaps)", vals, "{:,.0f}"),
                    ("publish rate at that point (ev/s)", {s: res[s]["max_rate"] if s in res else None for s in servers}, "{:,.0f}"),
                    ("p99 at that point (ms)", {s: (res[s]["at_max"] or {}).get("p99_ms") if s in res else None for s in servers}, "{:.2f}"),
                    ("server CPU-s per M at that point", {s: (res[s]["at_max"] or {}).get("cpu_s_per_million") if s in res else None for s in servers}, "{:.2f}")]
            for label, vals, f in rows:
                line = f"  {label:<42}" + "".join(f"{fmt(vals[s], f):>14}" for s in servers)
                if has_ratio:
                    g, n = vals["gateway"], vals["nchan"]
                    line += f"{(f'{g / n:.2f}' if g is not None and n else '—'):>15}"
                out.append(line)
            continue
        for k, label, f, better in metrics_for(sc):
            vals = {s: res[s]["median"].get(k) if s in res else None for s in servers}
            line = f"  {label:<42}" + "".join(f"{fmt(vals[s], f):>14}" for s in servers)
            if has_ratio:
                g, n = vals["gateway"], vals["nchan"]
                line += f"{(f'{g / n:.2f}' if g is not None and n else '—'):>15}"
            out.append(line)
        runs = {s: f"{res[s]['median']['runs']}" + (f" ({res[s]['median']['errors']} failed)" if res[s]['median']['errors'] else "") for s in servers if s in res}
        out.append(f"  {'runs':<42}" + "".join(f"{runs.get(s, '—'):>14}" for s in servers))
    return "\n".join(out)


def variant_rows(res: dict, sc: dict) -> list[str]:
    """(h): one row per variant, then the ratios against the gateway over HTTP/1.1 and against nchan."""
    out = []
    labels = {k: v["label"] for k, v in sc["variants"].items() if k in res}
    med = {k: res[k]["median"] for k in labels}
    cols = [("delivered_per_s", "events/s", "{:,.0f}", 10), ("p50_ms", "p50 ms", "{:.2f}", 9),
            ("p99_ms", "p99 ms", "{:.2f}", 9), ("cpu_s_per_million", "CPU-s/M", "{:.2f}", 9),
            ("server_cpu_pct", "CPU %", "{:.0f}", 7), ("gaps", "gaps", "{:,.0f}", 6), ("dups", "dups", "{:,.0f}", 6),
            ("disconnects", "disc", "{:,.0f}", 6), ("wire_bytes_per_event", "wire B/ev", "{:.1f}", 11),
            ("body_bytes_per_event", "SSE B/ev", "{:.1f}", 10), ("client_cpu_pct", "client %", "{:.0f}", 10),
            ("other_load_cores", "other", "{:.2f}", 7)]
    out.append(f"  {'(median of runs)':<38}" + "".join(f"{h:>{w}}" for _, h, _, w in cols) + f"{'runs':>6}")
    for k, label in labels.items():
        m = med[k]
        runs = f"{m['runs']}" + (f"({m['errors']} failed)" if m["errors"] else "")
        out.append(f"  {label:<38}" + "".join(f"{fmt(m.get(c), f):>{w}}" for c, _, f, w in cols) + f"{runs:>6}")
    nchan = med.get("nchan", {})
    rcols = [("cpu_s_per_million", "CPU/M"), ("p50_ms", "p50"), ("p99_ms", "p99"), ("wire_bytes_per_event", "wire")]
    out.append(f"  {'ratios (CPU/M: CPU-s per M deliveries; wire: B/ev)':<56}")
    out.append(f"  {'':<38}" + "".join(f"{h + ' / gw 1.1':>16}{h + ' / nchan':>15}" for _, h in rcols))

    def ratio(a, b):
        return f"{a / b:.2f}" if a is not None and b else "—"
    for k, label in labels.items():
        m = med[k]
        base = med.get(sc["variants"][k].get("baseline", "gateway-h1"), {})  # the same events, identity
        out.append(f"  {label:<38}" + "".join(f"{ratio(m.get(c), base.get(c)):>16}{ratio(m.get(c), nchan.get(c)):>15}"
                                              for c, _ in rcols))
    out.append("  (gw 1.1: the gateway over HTTP/1.1, identity, with the same events: the random pad's own run for "
               "the gzip'd random pad)")
    said = {k: [r.get("server_streams_opened") for r in res[k]["runs"] if r.get("server_streams_opened")]
            for k in labels if k.startswith("gateway")}
    for k, seen in said.items():
        if seen:
            out.append(f"  {labels[k]}: the gateway counted streams opened {seen[-1]} (protocol/encoding, last run)")
    return out


def channel_rows(res: dict, servers: list[str], sc: dict, has_ratio: bool) -> list[str]:
    """(f): the channels runs, the broadcast runs, the ratio of their CPU, the memory runs."""
    out = []

    def row(label, vals, f, ratio=True):
        line = f"  {label:<42}" + "".join(f"{fmt(vals.get(s), f):>14}" for s in servers)
        if has_ratio and not ratio:
            line += f"{'—':>15}"
        elif has_ratio:
            g, n = vals.get("gateway"), vals.get("nchan")
            line += f"{(f'{g / n:.2f}' if g is not None and n else '—'):>15}"
        out.append(line)

    def median_of(part, k):
        return {s: res[s][part]["median"].get(k) for s in servers if part in res.get(s, {})}

    for part in ("channels", "broadcast"):
        out.append(f"  {sc['parts'][part]['title']}")
        for k, label, f, better in CHANNEL_METRICS:
            row("  " + label, median_of(part, k), f, ratio=better is not None)
    ch, br = median_of("channels", "cpu_s_per_million"), median_of("broadcast", "cpu_s_per_million")
    row("CPU per M: channels / broadcast", {s: ch[s] / br[s] for s in servers if ch.get(s) is not None and br.get(s)},
        "{:.2f}")
    ch, br = median_of("channels", "rss_connected_per_client_b"), median_of("broadcast", "rss_connected_per_client_b")
    row("RSS per client: channels / broadcast", {s: ch[s] / br[s] for s in servers if ch.get(s) is not None and br.get(s)},
        "{:.2f}")
    mem = sc["memory"]
    out.append(f"  {mem['title']}")
    for k, label, f, _ in MEMORY_METRICS:
        row("  " + label, median_of("memory", k), f)
    runs = {s: "/".join(str(res[s][p]["median"]["runs"]) + (f"({res[s][p]['median']['errors']} failed)"
                                                             if res[s][p]["median"]["errors"] else "")
                        for p in ("channels", "broadcast", "memory") if p in res[s])
            for s in servers if s in res}
    out.append(f"  {'runs (channels/broadcast/memory)':<42}" + "".join(f"{runs.get(s, '—'):>14}" for s in servers))
    return out


def machine_info(args) -> dict:
    def cmd(c):
        try:
            return subprocess.run(c, capture_output=True, text=True, timeout=10).stdout.strip() or \
                   subprocess.run(c, capture_output=True, text=True, timeout=10).stderr.strip()
        except Exception:
            return None
    model = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                  if l.startswith("model name")), platform.processor())
    mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    return {"cpus": os.cpu_count(), "cpu_model": model, "mem_mib": mem, "kernel": platform.release(),
            "os": cmd(["sh", "-c", ". /etc/os-release; echo $PRETTY_NAME"]), "nginx": cmd(["nginx", "-v"]),
            "nchan_module": args.nchan_module, "gateway": cmd([args.gateway, "--version"]) if args.gateway else None,
            "swift": (cmd(["swift", "--version"]) or "").splitlines()[0:1],
            "pinning": {"server_cpu": args.server_cpu, "client_and_origin_cpu": args.client_cpu}, "nice": args.nice,
            "nofile": cmd(["sh", "-c", "ulimit -n"]), "loadavg_start": Path("/proc/loadavg").read_text().split()[:3]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a smoke run of a few seconds that proves everything starts")
    ap.add_argument("--runs", type=int, default=3, help="runs per server and scenario, alternating servers (default 3)")
    ap.add_argument("--scenarios", default=None,
                    help="comma-separated subset of a,b,c,d,e,f,g,h (e: bursts with slow readers; f: a channel per "
                         "client beside broadcast; g: a cluster on NATS JetStream, gateway only; h: browsers, the "
                         "load of (a) over HTTP/1.1, HTTP/2 and gzip; see README.md)")
    ap.add_argument("--servers", default="gateway,nchan,floor", help="comma-separated: gateway, nchan, floor")
    ap.add_argument("--gateway", default=str(ROOT / ".build" / "release" / "gateway"))
    ap.add_argument("--gateway-config", default=str(HERE / "gateway-bench.yaml"),
                    help="the gateway's configuration (BENCH_ORIGIN_URL is set to the origin's URL)")
    ap.add_argument("--gateway-channels-config", default=str(HERE / "gateway-bench-channels.yaml"),
                    help="the gateway's configuration in the channel runs of (f): one channel endpoint /sub/{ch}")
    ap.add_argument("--gateway-cluster-config", default=str(HERE / "gateway-bench-cluster.yaml"),
                    help="the gateway's configuration in (g) (BENCH_NATS_URL is set to the nats-server's URL)")
    ap.add_argument("--nats-server", default=shutil.which("nats-server") or "/usr/sbin/nats-server",
                    help="the nats-server binary for (g)")
    ap.add_argument("--publish-rates", default=None,
                    help="(g): the offered rates of the publish-throughput steps (default 5000,20000,50000,100000,200000)")
    ap.add_argument("--gateway-source", choices=["sse", "generate"], default="sse",
                    help="generate: feed the gateway from its generate source (for builds without sse)")
    ap.add_argument("--nchan-module", default="/usr/lib/nginx/modules/ngx_nchan_module.so")
    ap.add_argument("--no-pin", action="store_true", help="do not pin processes to CPUs")
    ap.add_argument("--nice", type=int, default=0,
                    help="run servers, origin and load client at this nice level (e.g. -10 on a shared machine; needs root)")
    ap.add_argument("--connect-under-load", dest="connect_first", action="store_false",
                    help="publish while the clients connect (default: connect every client, then publish)")
    ap.add_argument("--search-rates", default="100,200,300,400,500,600,800,1000,1300,1600,2000")
    ap.add_argument("--bisect", type=int, default=2, help="bisection steps after the first failing rate in (c)")
    ap.add_argument("--check-client", action="store_true",
                    help="only prove the load client is not the bottleneck: the C floor at 1M and 2M deliveries/s")
    ap.add_argument("--out", default=None, help="JSON file for the raw figures (default Benchmarks/results/…)")
    args = ap.parse_args()
    args.search_rates = [float(x) for x in args.search_rates.split(",")]
    args.nice_cmd = ["nice", "-n", str(args.nice)] if args.nice else []
    ncpu = os.cpu_count() or 1
    args.server_cpu = None if args.no_pin or ncpu < 2 else str(ncpu - 1)
    args.client_cpu = None if args.no_pin or ncpu < 2 else ",".join(str(i) for i in range(ncpu - 1))

    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    for s in servers:
        if s not in SERVERS:
            ap.error(f"unknown server {s!r}; choose from {', '.join(SERVERS)}")
    skipped = None
    if "gateway" in servers:
        skipped = gateway_unrunnable(args.gateway, args.gateway_config if args.gateway_source == "sse" else None)
        if skipped:
            log(f"gateway: skipped, {skipped}")
            servers.remove("gateway")
    defs = scenario_defs(args.quick)
    if args.scenarios:
        want = [w.strip() for w in args.scenarios.split(",") if w.strip()]
        unknown = [w for w in want if w not in scenario_defs(False)]
        if unknown:
            ap.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(scenario_defs(False))}")
        defs = {k: v for k, v in defs.items() if k in want}
    if args.publish_rates and "g" in defs:
        defs["g"]["publish_rates"] = [float(x) for x in args.publish_rates.split(",")]
    if "g" in defs and "gateway" in servers:
        why = None
        if not Path(args.nats_server).exists():
            why = f"{args.nats_server} not found (apt-get install nats-server)"
        else:
            r = subprocess.run([args.gateway, "check", args.gateway_cluster_config], capture_output=True, text=True)
            if r.returncode != 0:
                why = (f"'gateway check {Path(args.gateway_cluster_config).name}' says: "
                       f"{(r.stderr or r.stdout).strip().splitlines()[:3]}")
        if why:
            log(f"gateway: (g) skipped, {why}")
            del defs["g"]
    if "f" in defs and "gateway" in servers:
        r = subprocess.run([args.gateway, "check", args.gateway_channels_config], capture_output=True, text=True)
        if r.returncode != 0:
            log(f"gateway: its runs of (f) will fail, 'gateway check {Path(args.gateway_channels_config).name}' says: "
                f"{(r.stderr or r.stdout).strip().splitlines()[:3]}")
    runs = 1 if args.quick else args.runs
    if args.quick:
        args.search_rates, args.bisect = args.search_rates[:1], 0

    workdir = Path(tempfile.mkdtemp(prefix="gateway-bench-"))
    if args.check_client:
        return check_client(args, workdir)
    info = machine_info(args)
    log(f"machine: {info['cpus']} x {info['cpu_model']}, {info['mem_mib']} MiB, load {' '.join(info['loadavg_start'])}; "
        f"server on CPU {args.server_cpu}, load client + origin on CPU {args.client_cpu}; logs in {workdir}")
    results: dict = {}
    for key, sc in defs.items():
        log(f"{sc['title']}")
        results[key] = {}
        if sc.get("cluster"):
            if "gateway" not in servers:
                log("  skipped: (g) measures the gateway only")
                del results[key]
                continue
            results[key] = run_cluster(args, sc, runs, workdir)
            continue
        if sc.get("parts"):
            results[key] = run_channels(args, servers, sc, runs, workdir)
            continue
        if sc.get("variants"):
            results[key] = run_variants(args, servers, sc, runs, workdir)
            continue
        if sc.get("search"):
            for s in servers:
                if s == "floor":
                    continue  # the floor is a reference for (a) and (b); its maximum is the load client's
                results[key][s] = search(args, SERVERS[s](args, workdir), sc)
            continue
        per: dict[str, list] = {s: [] for s in servers}
        for i in range(runs):
            order = servers if i % 2 == 0 else list(reversed(servers))
            for s in order:
                r = safe_run(args, SERVERS[s](args, workdir), **run_kwargs(sc))
                per[s].append(r)
                log(f"    {SERVERS[s].name:8s} run {i + 1}: {brief(r)}")
        for s in servers:
            results[key][s] = {"runs": per[s], "median": summarize(per[s], metrics_for(sc))}

    shown = [s for s in servers if s in SERVERS]
    text = table(results, shown, defs)
    info["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    print()
    print(f"Machine: {info['cpus']} x {info['cpu_model']}, {info['mem_mib']} MiB, {info['os']}, kernel {info['kernel']}")
    print(f"Load average at start {' '.join(info['loadavg_start'])}, at end {' '.join(info['loadavg_end'])}; "
          f"server pinned to CPU {args.server_cpu}, load client and origin on CPU {args.client_cpu}")
    print(text)
    print("ratio = gateway / nchan (latency, CPU, RSS: lower is better; delivered/s, max deliveries/s: higher is better)")
    out = Path(args.out) if args.out else HERE / "results" / f"bench-{dt.datetime.now():%Y%m%d-%H%M%S}{'-quick' if args.quick else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": info, "quick": args.quick, "servers": shown,
                               "scenarios": {k: {"definition": defs[k], "results": v} for k, v in results.items()},
                               "table": text}, indent=1))
    print(f"raw figures: {out}")
    def all_runs(res: dict) -> list:
        if "runs" in res or "steps" in res:
            return res.get("runs", res.get("steps", []))
        return [r for part in res.values() for r in part.get("runs", [])]  # (f): one entry per part
    failed = any("error" in r for sc in results.values() for res in sc.values() for r in all_runs(res))
    if skipped:
        print(f"gateway: skipped, {skipped}")
    # A smoke run fails when anything did not start, the gateway included.
    return 1 if args.quick and (failed or skipped) else 0


def check_client(args, workdir: Path) -> int:
    """The load client against the C origin serving 1,000 clients directly, at 1M and 2M events/s.

    The origin writes each 1 ms tick's events with one write per client (1-2 events per
    segment), so the client does one read per event or two: the costly case for it."""
    log("load client capacity: C origin -> 1,000 clients, origin on its own CPU")
    for rate in (1000, 2000):
        r = safe_run(args, FloorServer(args, workdir), clients=1000, rate=rate, size=200, warmup=2, window=5)
        log(f"    {rate * 1000:>9,} ev/s offered: {brief(r)}")
    return 0


def gateway_unrunnable(binary: str, config: str | None) -> str | None:
    """Why the gateway side cannot run (no binary, no `run`, no `sse` source), or None."""
    if not Path(binary).exists():
        return f"{binary} not built"
    r = subprocess.run([binary, "check", config], capture_output=True, text=True) if config else None
    if r is not None and r.returncode != 0:
        return f"'gateway check gateway-bench.yaml' failed: {(r.stderr or r.stdout).strip().splitlines()[:3]}"
    r = subprocess.run([binary, "run", "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        return "this build has no 'gateway run'"
    return None


if __name__ == "__main__":
    sys.exit(main())
