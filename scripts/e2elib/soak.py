"""The soak run: the upstream sample under a flood from the namespace while
capture is toggled every few hundred milliseconds."""

import re
import subprocess
import sys
import time

from .netns import Namespace, Tshark
from .pcap import Tunnel, read_pcap
from .scenarios import LOCAL, PEER, REMOTE, alive

SETUP = f"net capture setup {REMOTE} {LOCAL} {PEER}"
# Address, Total, Avail, MaxUsed, Name (CONFIG_NET_BUF_POOL_USAGE=y).
POOL_ROW = re.compile(r"^0x[0-9a-f]+\t+(\d+)\t(\d+)\t\S+\t(.+)$")
CAPTURE_POOLS = re.compile(r"Capture pools: (\d+)/(\d+) packets free, (\d+)/(\d+) buffers free")

UDP_FLOOD = r"""
import random, socket, sys, time
end = time.monotonic() + float(sys.argv[1])
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
sent = 0
while time.monotonic() < end:
    size = random.choice((16, 200, 1000, 1472))
    try:
        s4.sendto(bytes(size), ("192.0.2.1", 9))
        s6.sendto(bytes(min(size, 1452)), ("2001:db8::1", 9))
        sent += 2
    except OSError:
        pass
    time.sleep(0.001)
print(sent)
"""


def pool_levels(device):
    """{pool name: free} from `net mem` (needs CONFIG_NET_BUF_POOL_USAGE) and
    the capture pools from `net capture_stats`."""
    levels = {}
    for line in device.command("net mem", 1.5):
        match = POOL_ROW.match(line.strip())
        if match:
            levels[match.group(3).strip()] = int(match.group(2))
    for line in device.command("net capture_stats", 1.0):
        match = CAPTURE_POOLS.search(line)
        if match:
            levels["capture packets"] = int(match.group(1))
            levels["capture buffers"] = int(match.group(3))
    return levels


def soak_run(report, image, workdir, name, seconds, cooked):
    """Floods the device while toggling capture for `seconds`; then checks
    that it is alive, that every captured datagram decodes and that every
    pool is back at its starting level."""
    pcap = workdir / f"soak-{name}.pcap"
    capture_iface = "2" if cooked else "1"
    with Namespace() as ns, Tshark(ns, pcap), \
            image.device(ns, workdir / f"soak-{name}.log") as dev:
        booted = dev.wait_for(r'Type "sample send"' if cooked
                              else r'Use "net capture enable <ifindex>"', 20)
        report.check(f"soak {name}: sample started", booted)
        time.sleep(1)
        dev.command("net capture")
        before = pool_levels(dev)
        report.check(f"soak {name}: pool levels readable", len(before) >= 6, before)

        floods = [
            ns.popen("ping", "-f", "-s", "1200", "-w", str(seconds), "192.0.2.1",
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
            ns.popen("ping", "-6", "-f", "-s", "1200", "-w", str(seconds), "2001:db8::1",
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
            ns.popen(sys.executable, "-c", UDP_FLOOD, str(seconds),
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True),
        ]
        cycle = [f"net capture enable {capture_iface}", "sample send", "net capture disable",
                 "sample send", "net capture cleanup", SETUP, "net capture",
                 f"net capture enable {capture_iface}", "sample send"]
        commands = 0
        end = time.monotonic() + seconds
        while time.monotonic() < end and dev.alive:
            dev.command(cycle[commands % len(cycle)], settle=0.3)
            commands += 1
        for flood in floods:
            flood.wait(timeout=seconds + 30)
        udp_sent = floods[2].stdout.read().strip()
        print(f"soak {name}: {commands} shell commands, {udp_sent} UDP datagrams sent")
        print("\n".join(dev.command("net capture_stats")[1:]))

        # Capture off, queues drained, then the pools must be full again.
        dev.command("net capture disable", 0.5)
        time.sleep(3)
        after = pool_levels(dev)
        report.check(f"soak {name}: the device is alive after {seconds} s of load",
                     alive(dev, ns))
        changed = {pool: (before.get(pool), level) for pool, level in after.items()
                   if before.get(pool) != level}
        report.check(f"soak {name}: packet and buffer pools back at their starting counts",
                     after and not changed,
                     f"before {before}" if not changed else f"changed {changed}")
    datagrams = Tunnel(REMOTE).datagrams(read_pcap(pcap))
    broken = [d for d in datagrams if not d["complete"] or not decodes(d["payload"], cooked)]
    report.check(f"soak {name}: every captured datagram decodes",
                 datagrams and not broken, f"{len(datagrams)} datagrams, {len(broken)} broken")


def decodes(payload, cooked):
    """Whether a capture's payload is a well-formed frame of its link type:
    an SLL v1 header and data, or an Ethernet frame whose IP packet (if
    any) is as long as its header says."""
    if cooked:
        return len(payload) >= 16 and int.from_bytes(payload[4:6], "big") <= 8
    if len(payload) < 14:
        return False
    ethertype = int.from_bytes(payload[12:14], "big")
    body = payload[14:]
    if ethertype == 0x0800:
        return len(body) >= 20 and int.from_bytes(body[2:4], "big") <= len(body)
    if ethertype == 0x86DD:
        return len(body) >= 40 and 40 + int.from_bytes(body[4:6], "big") <= len(body)
    return True
