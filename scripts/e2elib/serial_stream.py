"""The stream part: captures sent over native_sim's second pty UART as the
capture stream (CONFIG_NET_CAPTURE_RS_SINK_UART) and received by
`zcap --serial`, checked against what crossed the TAP."""

import re
import signal
from collections import Counter
import subprocess
import time
from pathlib import Path

from .device import Device
from .netns import Namespace, Tshark
from .pcap import tshark_fields

STREAM_DIR = Path(__file__).resolve().parent / "stream"
CONF_FILES = ["overlay-tunnel.conf", str(STREAM_DIR / "stream.conf")]
CONFIGS = [f"EXTRA_DTC_OVERLAY_FILE={STREAM_DIR / 'native_sim.overlay'}"]

DEVICE_IP = "192.0.2.1"
# Pings sent with a snap length: their Ethernet frames are 14 + 20 + 8 +
# the data long.
SNAP_PINGS = 3
SNAP_PING_DATA = 600  # no other frame of the part has their length
SNAP_FRAME_LEN = 14 + 20 + 8 + SNAP_PING_DATA
UART1_PTY = re.compile(r"uart_1 connected to pseudotty: (/dev/pts/\d+)")
ZCAP_LOSSES = re.compile(r"losses: (\d+) packets dropped by the device, (\d+) lost on the line")
DEVICE_ROW = re.compile(r"^NET_CAPTURE0\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)")
SINK_ROW = re.compile(r"Stream: sent (\d+) lost: full (\d+) too-big (\d+) other (\d+)")

# UDP to a closed port: count, size, pause between datagrams (s). Paced,
# the drain keeps up; unpaced, 3 MB overflow the 16 KiB ring.
FLOOD = """
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[1])):
    s.sendto(bytes([i % 251 + 1]) * int(sys.argv[2]), ("DEVICE_IP", 4243))
    time.sleep(float(sys.argv[3]))
""".replace("DEVICE_IP", DEVICE_IP)


def frames(path):
    """Raw bytes of every frame of a capture file, with pcapng's direction
    flag (empty for pcap)."""
    rows = tshark_fields(path, ["frame.packet_flags_direction", "frame.time_epoch"])
    raw = subprocess.run(["tshark", "-r", str(path), "-x"], capture_output=True,
                         text=True).stdout
    blocks = hexdump_frames(raw)
    return [(bytes(block), row[0], float(row[1] or 0)) for block, row in zip(blocks, rows)]


def hexdump_frames(text):
    """The frames of `tshark -x` output, one bytearray each."""
    out, current = [], None
    for line in text.splitlines():
        match = re.match(r"^([0-9a-f]{4,})  ((?:[0-9a-f]{2} ){1,16})", line)
        if match:
            if int(match.group(1), 16) == 0:
                current = bytearray()
                out.append(current)
            current.extend(bytes.fromhex(match.group(2).replace(" ", "")))
    return out


def host_mac(ns):
    out = ns.run("cat", "/sys/class/net/zeth/address", capture_output=True, text=True).stdout
    return bytes.fromhex(out.strip().replace(":", ""))


def stream_pty(report, dev, tag):
    """The pty native_sim gave the capture stream's UART, checked; None
    when the image has none."""
    line = dev.wait_for(UART1_PTY.pattern, timeout=20)
    pty = UART1_PTY.search(line).group(1) if line else None
    report.check(f"{tag}: the image has a second pty UART for the stream", pty, line or "")
    return pty


def start_streaming(report, ns, dev, zcap_path, pty, out, tag):
    """zcap reading the pty into `out`, then the device's captures
    switched to the UART sink; the zcap process."""
    zcap = ns.popen(str(zcap_path), "--serial", pty, "-w", str(out),
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    sink = dev.command("net capture_rs sink uart", settle=1.5)
    report.check(f"{tag}: `net capture_rs sink uart` selects the chosen zephyr,capture-uart",
                 any("Capture sink: uart" in line for line in sink), " | ".join(sink))
    return zcap


def stop_streaming(dev, zcap):
    """Back to the tunnel (the drain empties the ring, then a last stats
    record), then zcap ends; its standard error."""
    dev.command("net capture_rs sink tunnel", settle=2.0)
    zcap.send_signal(signal.SIGINT)
    try:
        return zcap.communicate(timeout=20)[1]
    except subprocess.TimeoutExpired:
        zcap.kill()
        return zcap.communicate()[1]


def stream_run(report, exe, workdir, zcap_path):
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "stream.pcapng"
    tap = workdir / "stream-tap.pcap"
    for path in (out, tap):
        if path.exists():
            path.unlink()
    with Namespace(name=f"zcap-stream-{id(report) & 0xffff}-{int(time.time()) % 100000}") as ns, \
            Device(ns, [exe, "-uart_stdinout"], workdir / "stream-device.log") as dev:
        pty = stream_pty(report, dev, "stream")
        if not pty:
            return
        dev.wait_for(r'Use "net capture enable <ifindex>"', 20)
        up = False
        for _ in range(40):
            if ns.ping(DEVICE_IP, count=1, timeout=5) == 1:
                up = True
                break
            time.sleep(0.5)
        report.check("stream: the device is on the network", up)
        # The in-tree shell learns the device set up at boot from a listing.
        dev.command("net capture", settle=1.0)
        report.check("stream: `net capture enable 1` starts capturing eth0",
                     dev.expect("net capture enable 1", r"Capturing started on interface 1"))
        zcap = start_streaming(report, ns, dev, zcap_path, pty, out, "stream")
        # The TAP from here on carries no tunnel packets: the stream has them.
        with Tshark(ns, tap):
            pings = ns.ping(DEVICE_IP, count=10, size=200)
            pings6 = ns.ping("2001:db8::1", count=5)
            ns.run("python3", "-c", FLOOD, "200", "300", "0.01")
            time.sleep(3)
        report.check("stream: the device answered the pings while streaming",
                     pings == 10 and pings6 == 5, f"{pings}/10 IPv4, {pings6}/5 IPv6")
        stats_before = dev.command("net capture_stats", settle=1.5)

        # Snap length: records keep the first 64 bytes and the frame's
        # original length (after the TAP's window: these are cut).
        dev.command("net capture_rs snaplen 0 64")
        snapped_pings = ns.ping(DEVICE_IP, count=SNAP_PINGS, size=SNAP_PING_DATA)
        time.sleep(1)
        dev.command("net capture_rs snaplen 0 0")

        # Overflow: a burst larger than the ring.
        ns.run("python3", "-c", FLOOD, "3000", "1000", "0")
        time.sleep(4)
        # Drops are reported by the next record stored: give it some.
        ns.ping(DEVICE_IP, count=3)
        time.sleep(2)
        stats = dev.command("net capture_stats", settle=1.5)
        zcap_err = stop_streaming(dev, zcap)
        (workdir / "stream-zcap.stderr").write_text(zcap_err)
        report.check("stream: the device is alive after the overflow", dev.alive)

    # The stream's frames up to the overflow: the TAP capture's window
    # (a frame the device repeats byte for byte, such as an ARP request,
    # may come again later).
    before = next((SINK_ROW.search(line) for line in stats_before if SINK_ROW.search(line)),
                  None)
    check_phase_one(report, tap, out, int(before.group(1)) if before else None)
    check_snapped(report, out, snapped_pings)
    check_overflow(report, stats_before, stats, zcap_err)


def direction_flag(text):
    try:
        return int(text, 0) & 3
    except ValueError:
        return None


def check_phase_one(report, tap, out, sent_before):
    """Every frame that crossed the TAP (before the overflow) is in the
    stream capture exactly once, byte for byte, with its direction.
    `sent_before`: packet records the sink had sent before the overflow."""
    wire = frames(tap)
    everything = frames(out)
    report.check("stream: the sink's count before the overflow was read", sent_before is not None)
    captured = everything[:sent_before]
    report.check("stream: zcap wrote a pcapng with the frames", len(captured) > 0,
                 f"{len(everything)} frames in the pcapng, {len(captured)} before the overflow; "
                 f"{len(wire)} on the TAP")
    if not wire or not captured:
        return
    on_wire = Counter(data for data, _, _ in wire)
    in_stream = Counter(data for data, _, _ in captured)
    missing = sum(1 for data in on_wire if data not in in_stream)
    twice = sum(1 for data, n in on_wire.items() if in_stream.get(data, 0) > n)
    report.check("stream: every frame that crossed the TAP is in the stream capture, byte "
                 "for byte", missing == 0, f"{len(wire)} TAP frames, {missing} missing")
    report.check("stream: none of them more often than on the wire", twice == 0,
                 f"{twice} duplicated")
    # The host's MAC: the source of an IPv4 echo request.
    host = next((data[6:12] for data, _, _ in wire
                 if len(data) > 34 and data[12:14] == b"\x08\x00" and data[23] == 1
                 and data[34] == 8), None)
    wrong = 0
    for data, flag, _ in captured:
        if data in on_wire:
            want = 1 if data[6:12] == host else 2
            wrong += direction_flag(flag) != want
    report.check("stream: each with the right direction flag (inbound: sent by the host)",
                 host is not None and wrong == 0,
                 f"{wrong} wrong; host MAC {host.hex(':') if host else '?'}")
    times = [t for _, _, t in everything]
    backwards = sum(1 for a, b in zip(times, times[1:]) if b < a)
    report.check("stream: device timestamps never go back", backwards == 0,
                 f"{backwards} steps back in {len(times)} frames")


def check_snapped(report, out, answered):
    """The pings sent with `snaplen 64`: each request and reply is in the
    stream capture cut at 64 bytes, with its length on the wire."""
    rows = tshark_fields(out, ["frame.len", "frame.cap_len"],
                         f"icmp and frame.len == {SNAP_FRAME_LEN}")
    cut = [row for row in rows if row[1] == "64"]
    report.check("stream: `net capture_rs snaplen 0 64` cuts records at 64 bytes and keeps "
                 "the original length", answered == SNAP_PINGS and len(rows) == 2 * SNAP_PINGS
                 and len(cut) == len(rows),
                 f"{answered}/{SNAP_PINGS} pings answered; {len(rows)} frames of "
                 f"{SNAP_FRAME_LEN} bytes on the wire, {len(cut)} of them with 64 captured")


def check_overflow(report, stats_before, stats, zcap_err):
    def parse(lines, regex):
        for line in lines:
            match = regex.search(line)
            if match:
                return [int(x) for x in match.groups()]
        return None

    device = parse(stats, DEVICE_ROW)
    sink = parse(stats, SINK_ROW)
    before = parse(stats_before, DEVICE_ROW)
    losses = ZCAP_LOSSES.search(zcap_err)
    report.check("stream: no capture was lost before the overflow",
                 before is not None and before[3] == 0 and before[5] == 0,
                 f"NET_CAPTURE0 row {before}")
    report.check("stream: the overflow made the device drop captures (ring full)",
                 device is not None and device[3] > 0,
                 f"no-memory {device[3] if device else '?'}; sink {sink}")
    if not losses or device is None or sink is None:
        report.check("stream: zcap reported its losses", False, zcap_err.strip()[-300:])
        return
    zcap_device, zcap_line = int(losses.group(1)), int(losses.group(2))
    dropped = device[3] + device[5]
    report.check("stream: zcap's device-drop count equals the device's drop counter "
                 "(net capture_stats)", zcap_device == dropped == sum(sink[1:]),
                 f"zcap {zcap_device}, NET_CAPTURE0 no-memory+other {dropped}, "
                 f"sink lost {sum(sink[1:])}")
    report.check("stream: nothing lost on the line", zcap_line == 0, f"{zcap_line}")
