"""Benchmark: SMTP intake throughput and acknowledgement latency, against a bare aiosmtpd sink.

Runs in one go, on this machine, with the same client code against two servers:
  1. a bare aiosmtpd sink (handle_DATA returns 250 at once), in a subprocess;
  2. `foibot run` on a fresh SQLite file, in a subprocess, relaying to a capture server here.
Prints messages accepted per second for both and the ratio, the time until every
acknowledgement reached the relay, and p50/p99 end-of-DATA -> acknowledgement latency at a
steady rate. Figures only; no assertions (shared, noisy machines: read the ratio).

    python bench/smtp_intake.py [--messages 2000] [--clients 20] [--size 4096] [--rate 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]

TOPICS = [
    "parking fines on {}",
    "pothole repairs in {}",
    "school transport costs for {}",
    "library visitor numbers at {}",
    "planning enforcement notices in {}",
    "agency staff spending in {}",
    "fly-tipping reports in {}",
    "council tax arrears in {}",
    "air quality monitoring near {}",
    "tree preservation orders in {}",
]
PLACES = [
    "Ambridge",
    "Borchester",
    "Felpersham",
    "Hollerton",
    "Loxley Barrett",
    "Penny Hassett",
    "Edgeley",
    "Darrington",
    "Waterley Cross",
    "Heydon Berrow",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_message(i: int, size: int, tag: str) -> tuple[str, bytes]:
    topic = TOPICS[i % len(TOPICS)].format(PLACES[(i // len(TOPICS)) % len(PLACES)])
    msgid = f"<bench-{tag}-{i}@requester.example>"
    head = (
        # A fresh sender per message and phase: the same sender and subject again would
        # (rightly) be matched to the open case as a follow-up and get no acknowledgement.
        f"From: Requester {i} <requester-{tag}{i}@requester.example>\r\n"
        f"To: foi@council.example\r\nSubject: Freedom of Information request: {topic}\r\n"
        f"Message-ID: {msgid}\r\nDate: Thu, 26 Nov 2026 09:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    body = (
        f"Dear Sir or Madam,\r\n\r\nUnder the Freedom of Information Act 2000 please "
        f"send me the figures for {topic} for each of the last {3 + i % 5} years, "
        f"broken down by month (request {i}).\r\n\r\n"
    )
    filler = "These details help me understand how the service is run.\r\n" * 200
    raw = (
        head
        + body
        + filler[: max(0, size - len(head) - len(body) - 40)]
        + f"\r\n\r\nYours faithfully,\r\nRequester {i}\r\n"
    )
    return msgid, raw.encode()


class Capture:
    """The relay: records when each acknowledgement arrived, keyed by the request it answers."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()
        self.parser = BytesHeaderParser()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.perf_counter()
        headers = self.parser.parsebytes(envelope.original_content)
        with self.lock:
            self.arrived[str(headers.get("In-Reply-To", "")).strip()] = now
        return "250 OK"


async def blast(port: int, messages: list[tuple[str, bytes]], clients: int) -> dict[str, float]:
    """Send every message over `clients` persistent connections; return end-of-DATA times."""
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for item in messages:
        queue.put_nowait(item)
    accepted: dict[str, float] = {}

    async def client() -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=60)
        await smtp.connect()
        while not queue.empty():
            msgid, raw = queue.get_nowait()
            await smtp.sendmail(f"r{len(accepted)}@requester.example", ["foi@council.example"], raw)
            accepted[msgid] = time.perf_counter()
        await smtp.quit()

    await asyncio.gather(*(client() for _ in range(clients)))
    return accepted


async def steady(port: int, messages: list[tuple[str, bytes]], rate: float) -> dict[str, float]:
    """Send at a steady rate, one connection per message (as separate servers would)."""
    accepted: dict[str, float] = {}
    start = time.perf_counter()

    async def one(msgid: str, raw: bytes) -> None:
        await aiosmtplib.send(
            raw,
            sender="steady@requester.example",
            recipients=["foi@council.example"],
            hostname="127.0.0.1",
            port=port,
            timeout=60,
        )
        accepted[msgid] = time.perf_counter()

    tasks = []
    for n, (msgid, raw) in enumerate(messages):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(msgid, raw)))
    await asyncio.gather(*tasks)
    return accepted


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listening on {port}")


def serve_sink(port: int) -> None:
    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            return "250 OK"

    async def main() -> None:
        from aiosmtpd.smtp import SMTP

        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SMTP(Sink()), "127.0.0.1", port)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        server.close()

    asyncio.run(main())


def start(
    cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--steady-seconds", type=float, default=10.0)
    parser.add_argument("--serve-sink", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sink:
        serve_sink(args.serve_sink)
        return

    batch = [make_message(i, args.size, "b") for i in range(args.messages)]

    sink_port = free_port()
    sink = start([sys.executable, __file__, "--serve-sink", str(sink_port)])
    wait_port(sink_port)
    t0 = time.perf_counter()
    asyncio.run(blast(sink_port, batch, args.clients))
    sink_seconds = time.perf_counter() - t0
    stop(sink)
    sink_rate = args.messages / sink_seconds

    capture = Capture()
    relay_port = free_port()
    relay = Controller(capture, hostname="127.0.0.1", port=relay_port)
    relay.start()
    foibot_port = free_port()
    with tempfile.TemporaryDirectory() as work:
        env = {
            **os.environ,
            "FOIBOT_SMTP_PORT": str(foibot_port),
            "FOIBOT_SMTP_MAILBOXES": "foi@council.example",
            "FOIBOT_OUTBOUND_RELAY_HOST": "127.0.0.1",
            "FOIBOT_OUTBOUND_RELAY_PORT": str(relay_port),
            "FOIBOT_INTAKE_ACKS_PER_SENDER_PER_HOUR": "1000000",
            "FOIBOT_DATABASE_URL": f"sqlite:///{work}/foibot.sqlite3",
            "PYTHONPATH": str(ROOT),
        }
        foibot = start([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=work)
        try:
            wait_port(foibot_port)
            t0 = time.perf_counter()
            accepted = asyncio.run(blast(foibot_port, batch, args.clients))
            foibot_seconds = time.perf_counter() - t0
            deadline = time.perf_counter() + 120
            while len(capture.arrived) < len(accepted) and time.perf_counter() < deadline:
                time.sleep(0.01)
            all_acked = max(capture.arrived.values()) - t0 if capture.arrived else float("nan")
            acked = sum(1 for m in accepted if m in capture.arrived)

            count = int(args.rate * args.steady_seconds)
            steady_msgs = [make_message(i, args.size, "s") for i in range(count)]
            accepted_s = asyncio.run(steady(foibot_port, steady_msgs, args.rate))
            deadline = time.perf_counter() + 60
            while (
                sum(1 for m in accepted_s if m in capture.arrived) < len(accepted_s)
                and time.perf_counter() < deadline
            ):
                time.sleep(0.01)
            latencies = [
                capture.arrived[m] - t for m, t in accepted_s.items() if m in capture.arrived
            ]
        finally:
            stop(foibot)
            relay.stop()

    foibot_rate = args.messages / foibot_seconds
    print(f"messages={args.messages} size={args.size}B clients={args.clients}")
    print(f"bare aiosmtpd sink: {sink_rate:8.1f} msg/s accepted ({sink_seconds:.2f} s)")
    print(
        f"foibot (SQLite):    {foibot_rate:8.1f} msg/s accepted ({foibot_seconds:.2f} s), "
        f"durable commit before each 250"
    )
    print(f"ratio foibot/sink:  {foibot_rate / sink_rate:8.2f}  (target >= 0.5)")
    print(
        f"all acknowledged at the relay after {all_acked:.2f} s = "
        f"{all_acked / foibot_seconds:.2f} x the accepting time  (target <= 2; "
        f"{acked}/{len(accepted)} acknowledged)"
    )
    if latencies:
        print(
            f"steady {args.rate:.0f} msg/s for {args.steady_seconds:.0f} s: end of DATA -> "
            f"acknowledgement at relay p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p99 {pct(latencies, 0.99) * 1000:.0f} ms  (target p99 < 1000 ms; "
            f"{len(latencies)}/{len(accepted_s)} acknowledged)"
        )


if __name__ == "__main__":
    main()
