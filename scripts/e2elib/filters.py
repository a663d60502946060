"""On-device capture filter and snap length: the sample with
CONFIG_NET_CAPTURE_RS_FILTER=y, set up from the shell, while the host
pings and sends UDP to ports 4242 and 4243. tshark judges what the
tunnel carried against what crossed the TAP."""

import subprocess
import time

from .netns import Namespace, Tshark
from .pcap import Tunnel, read_pcap, with_padding, write_pcap

CONFIGS = ["CONFIG_NET_CAPTURE_RS_FILTER=y"]
REMOTE = "192.0.2.2"
DEVICE = "192.0.2.1"
LINKTYPE_ETHERNET = 1


def tshark_numbers(pcap, display_filter):
    """Frame numbers of `pcap` that `display_filter` selects."""
    out = subprocess.run(["tshark", "-r", str(pcap), "-Y", display_filter, "-T", "fields",
                          "-e", "frame.number"], capture_output=True, text=True, check=True)
    return [int(line) for line in out.stdout.split()]


def send_udp(ns, port, count):
    """`count` UDP datagrams from the host to the device's `port`."""
    script = (f"import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
              f"for i in range({count}):\n s.sendto(b'capture-filter-%d' % i, "
              f"('{DEVICE}', {port}))\n time.sleep(0.05)\n")
    ns.run("python3", "-c", script)


def split(frames, workdir, name):
    """(originals on the TAP, captured frames carried by the tunnel), each
    written to a pcap for tshark."""
    tunnel = Tunnel(REMOTE)
    captured = [d["payload"] for d in tunnel.datagrams(frames) if d["complete"]]
    originals = [f for f in frames if not tunnel.is_outer(f)]
    paths = workdir / f"{name}-originals.pcap", workdir / f"{name}-captured.pcap"
    write_pcap(paths[0], LINKTYPE_ETHERNET, originals)
    write_pcap(paths[1], LINKTYPE_ETHERNET, captured)
    return paths, captured


def filter_run(report, image, workdir):
    """`udp port 4243` on NET_CAPTURE0, then no filter and `snaplen 64`."""
    pcap = workdir / "filter.pcap"
    with Namespace() as ns, Tshark(ns, pcap), image.device(ns, workdir / "filter.log") as dev:
        dev.wait_for(r'Use "net capture enable <ifindex>"', 30)
        out = dev.command('net capture_rs filter 0 "udp prot 4243"')
        report.check("filter: a mistyped expression is refused with the position",
                     any("udp prot 4243" in line and "at position 4" in line for line in out)
                     and any("not set (-22)" in line for line in out), " | ".join(out[1:4]))
        out = dev.command("net capture_rs filter 0 udp port 4243")
        report.check("filter: `net capture_rs filter 0 udp port 4243` is accepted",
                     any("NET_CAPTURE0: udp port 4243" in line for line in out), " | ".join(out))
        # The shell binds NET_CAPTURE0 when it lists the devices (W24).
        dev.command("net capture")
        report.check("filter: capture enabled on eth0",
                     dev.expect("net capture enable 1", r"Capturing started on interface 1"))
        ns.ping(DEVICE, count=3)
        send_udp(ns, 4242, 5)
        send_udp(ns, 4243, 5)
        time.sleep(1)
        stats = dev.command("net capture_stats")
        print("\n".join(stats[1:]))
        report.check("filter: `net capture_stats` shows the filter",
                     any("filter: udp port 4243" in line for line in stats))
        # Then the whole traffic again, cut at 64 bytes.
        dev.command("net capture_rs filter 0")
        dev.command("net capture_rs snaplen 0 64")
        time.sleep(0.5)
        ns.ping(DEVICE, count=3, size=1000)
        send_udp(ns, 4243, 3)
        time.sleep(1)
        dev.command("net capture disable")
    frames = read_pcap(pcap)
    check_filtered(report, frames, workdir)
    check_snapped(report, frames, workdir)


def check_filtered(report, frames, workdir):
    """Before the snap length: the tunnel carried exactly the UDP 4243
    frames, byte for byte."""
    cut = next((i for i, f in enumerate(frames) if len(f) > 900), len(frames))
    (originals, captured_pcap), captured = split(frames[:cut], workdir, "filter")
    wanted = tshark_numbers(originals, "udp.port == 4243 and not icmp")
    carried = tshark_numbers(captured_pcap, "udp.port == 4243 and not icmp")
    report.check("filter: every captured frame is UDP port 4243 (tshark)",
                 captured and len(carried) == len(captured),
                 f"{len(carried)} of {len(captured)} captured frames")
    report.check("filter: every UDP 4243 frame on the TAP is captured, none of 4242",
                 len(carried) == len(wanted) == 5, f"{len(carried)} captured, {len(wanted)} sent")


def check_snapped(report, frames, workdir):
    """After `snaplen 64`: every capture is the first 64 bytes of a frame
    on the TAP."""
    start = next((i for i, f in enumerate(frames) if len(f) > 900), None)
    if start is None:
        report.check("snaplen: the large pings crossed the TAP", False)
        return
    _, captured = split(frames[start:], workdir, "snaplen")
    # Any frame on the TAP: a capture taken just before the first large
    # ping may leave after it (a board is slower than the host).
    originals = {f[:64] for f in with_padding(frames)}
    report.check("snaplen: every capture is cut at 64 bytes",
                 captured and all(len(c) <= 64 for c in captured),
                 f"{len(captured)} captures, longest {max(map(len, captured), default=0)}")
    report.check("snaplen: each is the start of a frame on the TAP",
                 all(c in originals for c in captured))
