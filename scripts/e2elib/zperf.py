"""Throughput with capture on: Zephyr's zperf sample on native_sim in the
private namespace, in a TCP bulk transfer with iperf 2 on the host,
without capture and with the Ethernet interface captured into the
tunnel. Two directions:

- "rx": the host sends (`iperf -c`), the device receives
  (`zperf tcp download`); captures run in the RX path.
- "tx": the device sends (`zperf tcp upload`) to `iperf -s` on the host;
  captures of the sent frames run in the TX thread.

The sample keeps its own configuration (one TX thread,
CONFIG_NET_TC_TX_COUNT=1); zperf/capture.conf only adds capture and the
tunnel. A capture the pools cannot hold is dropped and counted, never
waited for: the transfer keeps its pace and the counters say what was
lost. dumpcap records zeth during every run (with capture off too, so
both carry its cost), so each captured run can be checked: every frame
on the wire is either a capture the host received in the tunnel or a
counted drop."""

import re
import subprocess
import time
from pathlib import Path

from .netns import Namespace, Tshark
from .pcap import Tunnel, ip_of, read_pcap

CONF = Path(__file__).resolve().parent / "zperf" / "capture.conf"
PORT = 5001
DEVICE = "192.0.2.1"
HOST = "192.0.2.2"
SETUP = f"net capture setup {HOST} 2001:db8:200::1 2001:db8:200::2"
RATE_RE = re.compile(r"([\d.]+)\s+([KMG]?)bits/sec")
DEVICE_RATE_RE = re.compile(r"Rate:\s+([\d.]+)\s+([KMG]?)bps")
DROPS = ("no-memory", "send-failed", "other")
UPLOAD_SIZE = "1K"
SCALE = {"": 1e-6, "K": 1e-3, "M": 1.0, "G": 1e3}


def host_rate(output):
    """The last rate iperf 2 printed, in Mbit/s."""
    rates = RATE_RE.findall(output)
    if not rates:
        return None
    value, unit = rates[-1]
    return float(value) * SCALE[unit]


def counters(lines):
    """NET_CAPTURE0's row of `net capture_stats` as a dict (empty with the
    in-tree C capture, which has no such command)."""
    header = next((line.split() for line in lines if line.startswith("Device")), None)
    row = next((line.split() for line in lines if line.startswith("NET_CAPTURE0")), None)
    if not header or not row:
        return {}
    return {name: int(value) for name, value in zip(header[1:], row[1:]) if value.isdigit()}


def wire(pcap):
    """What zeth carried during a run: frames other than the tunnel's
    (each way), and the captures the host received in the tunnel (whole
    datagrams, fragments reassembled), split by the captured frame's
    direction."""
    tunnel = Tunnel(HOST)
    frames = read_pcap(pcap)
    plain = [frame for frame in frames if not tunnel.is_outer(frame)]
    sent = sum(1 for frame in plain if (ip := ip_of(frame)) and str(ip[1]) == DEVICE)
    captures = tunnel.datagrams(frames)
    captured_sent = sum(1 for c in captures
                        if (ip := ip_of(c["payload"])) and str(ip[1]) == DEVICE)
    return {"frames": len(plain), "frames_sent": sent,
            "tunnel": len(captures), "tunnel_sent": captured_sent,
            "tunnel_packets": len(frames) - len(plain)}


def download(dev, ns, seconds):
    """Host -> device; the host's iperf client's rate."""
    result = ns.run("iperf", "-c", DEVICE, "-p", str(PORT), "-t", str(seconds), "-f", "m",
                    check=False, capture_output=True, text=True, timeout=seconds + 60)
    return host_rate(result.stdout), None


def upload(dev, ns, seconds, log):
    """Device -> host; the rate the host's iperf server measured (and the
    one zperf printed)."""
    with open(log, "w") as out:
        server = ns.popen("stdbuf", "-oL", "iperf", "-s", "-p", str(PORT), "-f", "m",
                          stdout=out, stderr=subprocess.STDOUT)
    try:
        time.sleep(1)
        # zperf first echoes its parameters (a "Rate:" line among them),
        # then the result after "Upload completed!".
        line = None
        if dev.expect(f"zperf tcp upload {HOST} {PORT} {seconds} {UPLOAD_SIZE}",
                      r"Upload completed", seconds + 60):
            line = dev.wait_for(DEVICE_RATE_RE.pattern, 5)
        time.sleep(1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    device = None
    if line and (match := DEVICE_RATE_RE.search(line)):
        device = float(match.group(1)) * SCALE[match.group(2)]
    return host_rate(open(log).read()), device


def transfer(dev, ns, direction, seconds, capture, base):
    """One transfer; a dict with the rate (Mbit/s), the device's capture
    counters and what dumpcap saw on zeth."""
    pcap = base.with_suffix(".pcap")
    before = {}
    with Tshark(ns, pcap, program="dumpcap"):
        if capture:
            # The counters add up over setups: the run's are the difference.
            before = counters(dev.command("net capture_stats"))
            dev.command(SETUP)
            dev.command("net capture enable 1")
        if direction == "rx":
            rate, device = download(dev, ns, seconds)
        else:
            rate, device = upload(dev, ns, seconds, base.with_suffix(".iperf.txt"))
        time.sleep(1)
        after = counters(dev.command("net capture_stats")) if capture else {}
    stats = {name: value - before.get(name, 0) for name, value in after.items()}
    if capture:
        dev.command("net capture disable")
        dev.command("net capture cleanup")
    return {"rate": rate, "device_rate": device, "stats": stats, "wire": wire(pcap)}


def throughput(image, workdir, directions=("rx", "tx"), seconds=8, rounds=3, log=print):
    """{direction: {"off": [run, ...], "on": [run, ...]}}: on one booted
    device, `rounds` rounds of one run without and one with capture,
    alternating so that a busy host slows both alike. If the image exits,
    the runs so far and "exited": why."""
    results = {d: {"off": [], "on": []} for d in directions}
    with Namespace() as ns, image.device(ns, workdir / "zperf.log") as dev:
        if not dev.wait_for(r"uart:~\$|zperf", 20):
            raise RuntimeError(f"{image.build_dir}: the zperf sample did not start")
        time.sleep(2)
        if "rx" in directions:
            dev.command(f"zperf tcp download {PORT}")
        for n in range(rounds):
            for direction in directions:
                for label, capture in (("off", False), ("on", True)):
                    try:
                        run = transfer(dev, ns, direction, seconds, capture,
                                       workdir / f"{direction}-{label}-{n}")
                    except (BrokenPipeError, ValueError):
                        run = None
                    if not dev.alive:
                        # Recorded, not raised: the in-tree C capture is
                        # known to take the image down (see the log).
                        dev.process.wait(timeout=10)
                        results["exited"] = (f"the image exited (status {dev.process.returncode})"
                                             f" during {direction}, capture {label}, round "
                                             f"{n + 1}; log: {workdir / 'zperf.log'}")
                        log(f"  {results['exited']}")
                        return results
                    results[direction][label].append(run)
                    log(f"  {direction} capture {label}, round {n + 1}: "
                        f"{run['rate'] if run['rate'] is not None else 'no rate'} Mbit/s "
                        f"{run['stats'] or ''} {run['wire'] if capture else ''}")
    return results


def drops(stats):
    """Captures the device counted as lost."""
    return sum(stats.get(name, 0) for name in DROPS)


def accounted(run):
    """Whether every frame on the wire during a captured run is accounted
    for: (ok or None without counters, text). Each frame zeth carried
    (other than the tunnel's packets) is a capture, a counted drop, or
    skipped as the tunnel's own traffic (the host's ICMP errors about
    tunnel packets quote them); and the host received every capture the
    device counted as sent. A few frames at the edges of the enabled
    window may fall on either side."""
    stats, seen = run["stats"], run["wire"]
    if not stats:
        return None, (f"{seen['frames']} frames on zeth, {seen['tunnel']} captures in the "
                      "tunnel (no counters)")
    taken = stats.get("captured", 0)
    lost = stats.get("no-memory", 0) + stats.get("other", 0)
    slack = max(3, seen["frames"] // 100)
    balance = taken + lost + stats.get("feedback", 0) - seen["frames"]
    unsent = taken - stats.get("send-failed", 0) - seen["tunnel"]
    ok = abs(balance) <= slack and abs(unsent) <= slack
    return ok, (f"{seen['frames']} frames on zeth ({seen['frames_sent']} sent by the device); "
                f"device: captured {taken} + no-memory {stats.get('no-memory', 0)} + other "
                f"{stats.get('other', 0)} + tunnel's own {stats.get('feedback', 0)} "
                f"({balance:+d}); host received {seen['tunnel']} captures "
                f"({seen['tunnel_sent']} of sent frames), send-failed "
                f"{stats.get('send-failed', 0)} ({-unsent:+d})")
