#!/usr/bin/env python3
"""Datagrams per second written to a capture file by zcap and by
net-capture.py, on the same loopback load, side by side.

One sender blasts N identical capture datagrams (an Ethernet frame carrying
an ICMPv6 echo request) at [::1]:PORT as fast as it can. Each receiver runs
alone, quiet (-q), writing a file. When the file stops growing the receiver
is interrupted and the file is read back: the figure is records written
divided by the time between the first and the last record's timestamp, and
the share of the N datagrams that reached the file.

net-capture.py is not part of this repository: pass its path (from
zephyrproject-rtos/net-tools) and a Python that has scapy installed, e.g.
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scapy
    tools/zcap/bench/throughput.py --net-capture /path/to/net-capture.py \\
        --python /tmp/venv/bin/python --zcap target/release/zcap
"""

import argparse
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
        probe.bind(("::", 0))
        return probe.getsockname()[1]


def port_is_bound(port):
    """Whether some UDP socket listens on `port` (from /proc/net/udp6)."""
    for table in ("/proc/net/udp6", "/proc/net/udp"):
        try:
            with open(table) as lines:
                for line in list(lines)[1:]:
                    local = line.split()[1]
                    if int(local.rsplit(":", 1)[1], 16) == port:
                        return True
        except OSError:
            pass
    return False


def frame(size):
    """An Ethernet + IPv6 + ICMPv6 echo request frame of `size` bytes."""
    payload_len = size - 14 - 40
    icmp = struct.pack(">BBHHH", 128, 0, 0, 0x42, 1) + bytes(payload_len - 8)
    ipv6 = struct.pack(">IHBB", 6 << 28, len(icmp), 58, 64)
    ipv6 += socket.inet_pton(socket.AF_INET6, "2001:db8::1")
    ipv6 += socket.inet_pton(socket.AF_INET6, "2001:db8::2")
    eth = bytes.fromhex("00005e0053ff00005e005301") + b"\x86\xdd"
    return eth + ipv6 + icmp


def blast(port, count, datagram):
    sender = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    target = ("::1", port)
    started = time.perf_counter()
    for _ in range(count):
        sender.sendto(datagram, target)
    return time.perf_counter() - started


def wait_until_quiet(path, quiet_secs, limit_secs):
    """Waits until `path` has not grown for `quiet_secs`."""
    last_size, last_change = -1, time.monotonic()
    deadline = time.monotonic() + limit_secs
    while time.monotonic() < deadline:
        size = os.path.getsize(path) if os.path.exists(path) else 0
        if size != last_size:
            last_size, last_change = size, time.monotonic()
        elif time.monotonic() - last_change >= quiet_secs:
            return
        time.sleep(0.1)


def pcap_stamps(data):
    """Record timestamps (s) of a classic pcap file, µs or ns."""
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    magic = struct.unpack(order + "I", data[:4])[0]
    scale = 1e-9 if magic == 0xA1B23C4D else 1e-6
    stamps, at = [], 24
    while at + 16 <= len(data):
        secs, frac, caplen, _ = struct.unpack(order + "IIII", data[at:at + 16])
        stamps.append(secs + frac * scale)
        at += 16 + caplen
    return stamps


def pcapng_stamps(data):
    """EPB timestamps (s) of a native-order pcapng file written by zcap (ns)."""
    stamps, at = [], 0
    while at + 12 <= len(data):
        block_type, length = struct.unpack("=II", data[at:at + 8])
        if length < 12:
            break
        if block_type == 6:
            high, low = struct.unpack("=II", data[at + 12:at + 20])
            stamps.append(((high << 32) | low) * 1e-9)
        at += length
    return stamps


def measure(name, command, output, port, count, datagram, startup_secs):
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + startup_secs
    while not port_is_bound(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            sys.exit(f"{name} did not start: {proc.stderr.read().decode(errors='replace')}")
        time.sleep(0.05)
    send_secs = blast(port, count, datagram)
    wait_until_quiet(output, quiet_secs=2.0, limit_secs=600)
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    with open(output, "rb") as capture:
        data = capture.read()
    stamps = pcapng_stamps(data) if output.endswith(".pcapng") else pcap_stamps(data)
    written = len(stamps)
    span = stamps[-1] - stamps[0] if written > 1 else 0.0
    rate = written / span if span > 0 else float("nan")
    return {
        "name": name,
        "offered": count / send_secs,
        "written": written,
        "share": written / count,
        "rate": rate,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--net-capture", required=True, help="path to net-capture.py")
    parser.add_argument("--python", default=sys.executable, help="Python with scapy for net-capture.py")
    parser.add_argument("--zcap", default="target/release/zcap", help="zcap binary")
    parser.add_argument("-n", "--count", type=int, default=200_000, help="datagrams per run")
    parser.add_argument("--size", type=int, default=128, help="captured frame size in bytes")
    args = parser.parse_args()

    datagram = frame(args.size)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        out = os.path.join(tmp, "zcap.pcapng")
        results.append(measure("zcap", [args.zcap, "-q", "--port", str(port), "-w", out],
                               out, port, args.count, datagram, startup_secs=10))
        port = free_port()
        out = os.path.join(tmp, "net-capture.pcap")
        results.append(measure("net-capture.py",
                               [args.python, args.net_capture, "-i", "lo", "-q", "-p", str(port), "-w", out],
                               out, port, args.count, datagram, startup_secs=60))

    print(f"{args.count} datagrams of {args.size} bytes to [::1], one sender, as fast as it sends")
    print(f"{'receiver':<16} {'offered/s':>10} {'written':>9} {'of sent':>8} {'written/s':>11}")
    for r in results:
        print(f"{r['name']:<16} {r['offered']:>10.0f} {r['written']:>9} {r['share']:>8.1%} {r['rate']:>11.0f}")


if __name__ == "__main__":
    main()
