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
"""
from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import os
import queue
import platform
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
        self.proc = start(pin(self.args.server_cpu) + self.args.nice_cmd + [self.args.gateway, "run", config,
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
             replay: int = 100, client_buffer: str = "1MiB", channels: int = 0, settle: float = 0) -> dict:
    """Starts origin and server, runs the load client, returns the figures of one run.

    burst: the origin publishes `rate` on average in bursts of this many events; slow: this
    fraction of the clients reads at `slow_factor` x the publish rate (the load client's -S).
    channels: the events go round-robin to this many channels and client i reads channel
    i % channels (0: broadcast). settle: once every client is in, wait this long and sample the
    server's RSS before publishing starts (rss_connected: clients connected, nothing published)."""
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
                                          + server.origin_args() + (["--paused"] if args.connect_first else []),
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
                       + path_args + ["-n", str(clients), "-w", str(warmup), "-d", str(window)] + slow_args,
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
        )
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
        if sc.get("parts"):
            out += channel_rows(res, servers, sc, has_ratio)
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
                    help="comma-separated subset of a,b,c,d,e,f (e: bursts with slow readers; f: a channel per "
                         "client beside broadcast; see README.md)")
    ap.add_argument("--servers", default="gateway,nchan,floor", help="comma-separated: gateway, nchan, floor")
    ap.add_argument("--gateway", default=str(ROOT / ".build" / "release" / "gateway"))
    ap.add_argument("--gateway-config", default=str(HERE / "gateway-bench.yaml"),
                    help="the gateway's configuration (BENCH_ORIGIN_URL is set to the origin's URL)")
    ap.add_argument("--gateway-channels-config", default=str(HERE / "gateway-bench-channels.yaml"),
                    help="the gateway's configuration in the channel runs of (f): one channel endpoint /sub/{ch}")
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
        if sc.get("parts"):
            results[key] = run_channels(args, servers, sc, runs, workdir)
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
