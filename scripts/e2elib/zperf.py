"""Throughput with capture on: Zephyr's zperf sample as the receiver of a
TCP bulk transfer from the host (iperf 2), on native_sim in the private
namespace, without capture and with the Ethernet interface captured into
the tunnel. The sample keeps its own configuration (one TX thread,
CONFIG_NET_TC_TX_COUNT=1); zperf/capture.conf only adds capture and the
tunnel. A capture the pools cannot hold is dropped and counted, never
waited for: the transfer keeps its pace and the counters say what was
lost."""

import re
import time
from pathlib import Path

from .netns import Namespace

CONF = Path(__file__).resolve().parent / "zperf" / "capture.conf"
PORT = 5001
RATE_RE = re.compile(r"([\d.]+)\s+([KMG]?)bits/sec")


def host_rate(output):
    """The last rate iperf 2 printed, in Mbit/s."""
    rates = RATE_RE.findall(output)
    if not rates:
        return None
    value, unit = rates[-1]
    return float(value) * {"": 1e-6, "K": 1e-3, "M": 1.0, "G": 1e3}[unit]


def counters(lines):
    """NET_CAPTURE0's row of `net capture_stats` as a dict."""
    header = next((line.split() for line in lines if line.startswith("Device")), None)
    row = next((line.split() for line in lines if line.startswith("NET_CAPTURE0")), None)
    if not header or not row:
        return {}
    return {name: int(value) for name, value in zip(header[1:], row[1:]) if value.isdigit()}


def transfer(dev, ns, seconds, capture):
    """One TCP transfer host -> device; returns (Mbit/s, capture counters)."""
    if capture:
        dev.command("net capture setup 192.0.2.2 2001:db8:200::1 2001:db8:200::2")
        dev.command("net capture enable 1")
    result = ns.run("iperf", "-c", "192.0.2.1", "-p", str(PORT), "-t", str(seconds), "-f", "m",
                    check=False, capture_output=True, text=True, timeout=seconds + 30)
    rate = host_rate(result.stdout)
    stats = counters(dev.command("net capture_stats")) if capture else {}
    if capture:
        dev.command("net capture disable")
        dev.command("net capture cleanup")
    return rate, stats


def throughput(image, workdir, seconds=8, rounds=2):
    """[(label, Mbit/s, counters)]: alternating runs without and with
    capture, on one booted device (best of `rounds` each)."""
    results = {"off": [], "on": []}
    with Namespace() as ns, image.device(ns, workdir / "zperf.log") as dev:
        dev.wait_for(r"uart:~\$|zperf", 20)
        time.sleep(2)
        dev.command(f"zperf tcp download {PORT}")
        for _ in range(rounds):
            for label, capture in (("off", False), ("on", True)):
                results[label].append(transfer(dev, ns, seconds, capture))
    return [(label, max((r for r, _ in runs if r is not None), default=None),
             next((s for _, s in reversed(runs) if s), {}))
            for label, runs in results.items()]
