"""The PPP scenario: Zephyr's PPP driver (drivers/net/ppp.c) on native_sim
with a zephyr,native-tty-uart on a pty, its cooked capture
(CONFIG_NET_PPP_CAPTURE, SLL v2) driven through the shell, and a PPP peer
on the pty's master side: the user-space peer of ppp_peer.py, or pppd
where the kernel has PPP (ppp_pppd.py).

Two runs: the capture tunnel over the Ethernet TAP (remote 192.0.2.2, as
the sample sets it up; tshark on zeth receives it) and over the PPP link
itself (remote = the peer, which receives it)."""

import os
import re
import time
import tty
from pathlib import Path

from . import hdlc, inet
from .device import Device
from .netns import Namespace, Tshark
from .pcap import Tunnel, read_pcap, write_pcap
from .ppp_capture import (LINKTYPE_PPP_WITH_DIR, Captures, is_subsequence, is_tunnel_frame,
                          latest_match, one_byte_short, tshark_rows, tunnel_frames,
                          tunnel_headers)
from .ppp_peer import ZEPHYR_PACE, PppPeer
from .scenarios import LOCAL, PEER, REMOTE, pool_drops

CONF_DIR = Path(__file__).resolve().parent / "ppp"
CONF_FILES = ["overlay-tunnel.conf", str(CONF_DIR / "ppp.conf")]
CONFIGS = [f"EXTRA_DTC_OVERLAY_FILE={CONF_DIR / 'native_sim.overlay'}"]
SLL_VERSION = 2
DEVICE_IP = "198.51.100.1"
PEER_IP = "198.51.100.2"
IFACE = re.compile(r"^Interface (\S+) \(0x[0-9a-f]+\) \(([^)]+)\) \[(\d+)\]")
CAPTURE_ROW = re.compile(r"^NET_CAPTURE0\t(\S)\s+(\d+)\s+\[")
POOLS = re.compile(r"Capture pools: (\d+)/(\d+) packets free, (\d+)/(\d+) buffers free")
REQUIRED = {"tap": {"lcp", "ipcp", "ip"}, "ppp": {"lcp", "ip"}}


class PppDevice(Device):
    """The image with its PPP UART on `port` (-ppp_uart_port=)."""

    def __init__(self, namespace, exe, log_path, port):
        super().__init__(namespace, [exe, "-uart_stdinout", f"-ppp_uart_port={port}"], log_path)
        self.port = port

    def type(self, text):
        try:
            super().type(text)
        except OSError:
            pass  # the image died; its transcript says why

    def command(self, text, settle=1.0):
        return super().command(text, settle) if self.alive else []


def interfaces(dev):
    """{name: {"index", "kind", "lines"}} from `net iface`."""
    found, current = {}, None
    for line in dev.command("net iface", 2.0):
        match = IFACE.match(line)
        if match:
            current = found[match.group(1)] = {"index": int(match.group(3)),
                                                 "kind": match.group(2), "lines": []}
        elif current is not None:
            current["lines"].append(line)
    return found


def attached_to(block):
    for line in block["lines"]:
        if line.startswith("Attached"):
            return int(line.split(":")[1].split()[0])
    return None


def device_ping(dev, address, count):
    out = dev.command(f"net ping -c {count} -i 200 {address}", 0.3 * count + 2.5)
    return sum(1 for line in out if re.search(rf"bytes from {re.escape(address)} ", line))


def capture_stats(dev):
    out = dev.command("net capture_stats", 1.0)
    print("\n".join("    " + line for line in out[1:]))
    return out


def shell_setup(report, tag, dev, remote, cooked):
    """What a user types: drop the sample's capture, set one up towards
    `remote`, enable it on the cooked interface."""
    # The shell acts on the device it set up or listed: list first.
    listing = dev.command("net capture", 1.0)
    rows = [CAPTURE_ROW.match(line) for line in listing if line.startswith("NET_CAPTURE0")]
    report.check(f"{tag}: `net capture` lists the sample's capture of the cooked interface",
                 rows and rows[0] and rows[0].group(1) == str(cooked), " | ".join(listing[1:]))
    out = dev.command("net capture disable", 0.5) + dev.command("net capture cleanup", 0.5)
    report.check(f"{tag}: `net capture disable` and `net capture cleanup` succeed",
                 not any("failed" in line for line in out), " | ".join(out))
    out = dev.command(f"net capture setup {remote} {LOCAL} {PEER}", 1.0)
    report.check(f"{tag}: `net capture setup {remote} {LOCAL} {PEER}` succeeds",
                 not any("cannot" in line.lower() or "failed" in line for line in out),
                 " | ".join(out[1:]))
    started = dev.expect(f"net capture enable {cooked}", r"Capturing started on interface", 3)
    listing = dev.command("net capture", 1.0)
    rows = [CAPTURE_ROW.match(line) for line in listing if line.startswith("NET_CAPTURE0")]
    report.check(f"{tag}: `net capture enable {cooked}` captures the cooked interface",
                 started and rows and rows[0] and rows[0].group(1) == str(cooked),
                 " | ".join(listing[1:]))
    return rows[0].group(2) if rows and rows[0] else None


def make_link(kind, master, namespace, log):
    if kind == "pppd":
        from .ppp_pppd import PppdLink
        return PppdLink(namespace, master, local=PEER_IP, assign=DEVICE_IP, log=log)
    return PppPeer(master, local=PEER_IP, assign=DEVICE_IP, pace=ZEPHYR_PACE, log=log,
                   name="peer")


def ppp_run(report, exe, workdir, over, peer_kind="user"):
    """One run; `over` is "tap" (tunnel over eth0) or "ppp" (over the link)."""
    tag = "PPP, tunnel over eth0" if over == "tap" else "PPP, tunnel over the PPP link"
    remote = REMOTE if over == "tap" else PEER_IP
    base = workdir / f"ppp-{over}"
    master, slave = os.openpty()
    tty.setraw(slave)
    state = {}
    try:
        with Namespace() as ns, Tshark(ns, Path(f"{base}-zeth.pcap")), \
                PppDevice(ns, exe, Path(f"{base}.log"), os.ttyname(slave)) as dev:
            link = make_link(peer_kind, master, ns, Path(f"{base}-peer.log"))
            try:
                drive(report, tag, dev, ns, link, over, remote, state)
            finally:
                link.stop()
            state["transcript"] = list(dev.transcript)
            state["alive_at_end"] = dev.alive
    finally:
        os.close(master)
        os.close(slave)
    analyse(report, tag, over, remote, base, link, state)


def drive(report, tag, dev, ns, link, over, remote, state):
    report.check(f"{tag}: the sample boots", dev.wait_for(r'Type "sample send"', 20))
    ifaces = interfaces(dev)
    cooked = ifaces.get("cooked", {}).get("index")
    ppp = next((name for name, i in ifaces.items() if i["kind"] == "PPP"), None)
    eth = next((name for name, i in ifaces.items() if i["kind"] == "Ethernet"), None)
    report.check(f"{tag}: interfaces cooked, Ethernet and PPP exist",
                 cooked and ppp and eth, {n: (i["index"], i["kind"]) for n, i in ifaces.items()})
    state["cooked"] = cooked
    if not (cooked and ppp):
        return
    if over == "tap":
        # Set up before the peer starts, so that LCP and IPCP are captured.
        shell_setup(report, tag, dev, remote, cooked)
    link.start()
    up = link.wait_up(30)
    report.check(f"{tag}: LCP and IPCP come up (peer {PEER_IP} gives the device {DEVICE_IP})",
                 up and str(link.remote) == DEVICE_IP, link.summary())
    ifaces = interfaces(dev)
    block = ifaces.get(ppp, {"lines": []})
    report.check(f"{tag}: `net iface` shows {DEVICE_IP} on {ppp}",
                 any(DEVICE_IP in line for line in block["lines"]),
                 [line.strip() for line in block["lines"] if "/" in line])
    if over == "ppp":
        shell_setup(report, tag, dev, remote, cooked)
        ifaces = interfaces(dev)
    carrier = ifaces.get(eth if over == "tap" else ppp, {}).get("index")
    tunnel = next((i for i in ifaces.values() if any("Capture tunnel" in line
                                                        for line in i["lines"])), None)
    report.check(f"{tag}: the capture tunnel rides on {eth if over == 'tap' else ppp}",
                 tunnel and attached_to(tunnel) == carrier,
                 f"tunnel attached to {attached_to(tunnel) if tunnel else None}, "
                 f"carrier index {carrier}")
    traffic(report, tag, dev, ns, link, over, state)


def traffic(report, tag, dev, ns, link, over, state):
    echo = link.lcp_echo(3)
    report.check(f"{tag}: LCP Echo-Requests answered", echo == 3, f"{echo}/3")
    for size, count in [(56, 5), (1000, 2), (1472, 1)]:
        got = link.ping(DEVICE_IP, count, size=size)
        report.check(f"{tag}: peer pings {DEVICE_IP} ({size} bytes of data)", got == count,
                     f"{got}/{count} replies")
    capture_stats(dev)
    got = device_ping(dev, PEER_IP, 5)
    report.check(f"{tag}: `net ping {PEER_IP}` from the device answered", got == 5,
                 f"{got}/5 replies")
    # Nothing is sent now: captures must stop once the last ones are out.
    time.sleep(2)
    start = time.monotonic()
    time.sleep(5)
    state["quiet"] = (start, time.monotonic())
    pools = [m for m in map(POOLS.search, capture_stats(dev)) if m]
    report.check(f"{tag}: with the link idle every capture packet and buffer is free",
                 pools and pools[0].group(1) == pools[0].group(2)
                 and pools[0].group(3) == pools[0].group(4),
                 pools[0].group(0) if pools else "`net capture_stats` did not answer")
    sent, answered = link.flood(DEVICE_IP, 1000)
    udp = link.udp_flood(DEVICE_IP, 300)
    burst, burst_answered = link.burst(DEVICE_IP, 300)
    report.check(f"{tag}: a flood of {sent} echo requests at 115200 baud is answered (>= 95%)",
                 answered >= 0.95 * sent, f"{answered}/{sent}")
    print(f"    then {udp} UDP datagrams at 115200 baud, and a burst of {burst} echo requests "
          f"written at once: {burst_answered} answered")
    time.sleep(2)
    shell = any(line.startswith("Interface ") for line in dev.command("net iface", 2.0))
    peer_ping = link.ping(DEVICE_IP, 3)
    own_ping = device_ping(dev, PEER_IP, 3)
    tap_ping = ns.ping("192.0.2.1", count=1) if dev.alive else 0
    report.check(f"{tag}: after the flood the device runs, answers its shell and pings",
                 dev.alive and shell and peer_ping == 3 and own_ping == 3 and tap_ping == 1,
                 f"alive={dev.alive} shell={shell} peer->device {peer_ping}/3 "
                 f"device->peer {own_ping}/3 eth0 {tap_ping}/1")
    state["stats"] = capture_stats(dev)
    dev.command("net capture disable", 0.5)


def analyse(report, tag, over, remote, base, link, state):
    if over == "tap":
        frames = read_pcap(Path(f"{base}-zeth.pcap"))
    else:
        frames = [inet.ethernet(packet) for _, packet in link.rx_ipv4]
    datagrams = Tunnel(remote).datagrams(frames)
    caps = Captures(datagrams, SLL_VERSION)
    where = "on zeth" if over == "tap" else "at the PPP peer"
    report.check(f"{tag}: captures arrive through the tunnel {where}", caps.records,
                 f"{len(caps.incoming)} incoming, {len(caps.outgoing)} outgoing records")
    if not caps.records:
        evidence(state)
        return
    addresses = {r["addr"].hex(":") for r in caps.records}
    bad = caps.headers_ok(state.get("cooked"))
    report.check(f"{tag}: every capture is SLL v{SLL_VERSION}, protocol 0x0019 (HDLC), "
                 "ARPHRD_PPP, one 6-byte address, the cooked interface's index",
                 not bad and len(addresses) == 1 and not caps.malformed,
                 f"{len(bad)} others, {caps.malformed} undecodable; address {sorted(addresses)}")
    link_pcap(Path(f"{base}-link.pcap"), link)
    sent = [frame for _, frame in link.tx_frames]
    # The tunnel's own frames on the link are not to be captured.
    received = [frame for _, frame in link.rx_frames
                if over == "tap" or not is_tunnel_frame(frame, PEER_IP)]
    truncated = caps.truncated_incoming()
    report.check(f"{tag}: incoming captures are complete unescaped frames (FCS checks)",
                 not caps.bad_incoming(), f"{len(caps.incoming)} frames, "
                 f"{len(truncated)} cut at CONFIG_NET_PPP_CAPTURE_BUF_SIZE (upstream)")
    whole = [f for f in caps.incoming if f not in truncated]
    cut_ok = all(any(s.startswith(f) for s in sent) for f in truncated)
    report.check(f"{tag}: incoming captures are the frames the peer sent, in order",
                 is_subsequence(whole, sent) and cut_ok,
                 f"{sum(1 for f in whole if f in set(sent))}/{len(whole)} found")
    bad = caps.bad_outgoing()
    damaged = [f for f in bad if one_byte_short(f, received)]
    dropped = pool_drops(state.get("stats", []))
    report.check(f"{tag}: outgoing captures are whole unstuffed frames with a good FCS "
                 "(reassembled from ppp.c's 8-byte pieces)", caps.outgoing and len(bad) == len(damaged),
                 f"{len(caps.outgoing)} frames; {len(bad)} bad FCS, of which {len(damaged)} "
                 "lack one byte ppp.c dropped (upstream)")
    # The device's frames from the first captured one on: the capture must
    # hold each of them (the same frame can come earlier too: Zephyr
    # retransmits its first Configure-Request unchanged).
    good = [f for f in caps.outgoing if f not in bad]
    indices = latest_match(good, received) if good else None
    span = received[indices[0]:indices[-1] + 1] if indices else []
    missing = len(span) - len(good) - len(bad)
    report.check(f"{tag}: outgoing frames are the frames the peer received, in order; "
                 "each one missing is counted as a pool drop",
                 indices is not None and 0 <= missing <= dropped,
                 f"{sum(1 for f in good if f in set(received))}/{len(good)} found (and "
                 f"{len(bad)} damaged); the peer received {len(span)} frames in that span; "
                 f"{dropped} captures counted as pool drops")
    caps.write(Path(f"{base}-sll.pcap"), Path(f"{base}-ppp.pcap"),
               [d["payload"] for d in datagrams])
    rows = tshark_rows(Path(f"{base}-ppp.pcap"))
    summary = {}
    for direction, protocols, _ in rows:
        key = (direction, ":".join(protocols.split(":")[:3]))
        summary[key] = summary.get(key, 0) + 1
    for (direction, protocols), count in sorted(summary.items()):
        print(f"    {direction:>3} {protocols:<28} {count}")
    decoded = {d: {p for (dd, ps, _) in rows if dd == d for p in ps.split(":")}
               for d in ("in", "out")}
    malformed = sum(1 for row in rows if row[2] or not row[1].startswith("ppp"))
    need = REQUIRED[over]
    report.check(f"{tag}: tshark decodes the rebuilt frames as PPP both ways "
                 f"({', '.join(sorted(need))})",
                 rows and not malformed and need <= decoded["in"] and need <= decoded["out"],
                 f"{len(rows)} frames, {malformed} malformed; in: "
                 f"{sorted(decoded['in'] & {'lcp', 'ipcp', 'ipv6cp', 'ip', 'ipv6', 'icmp'})}, "
                 f"out: {sorted(decoded['out'] & {'lcp', 'ipcp', 'ipv6cp', 'ip', 'ipv6', 'icmp'})}")
    if over == "ppp":
        again = tunnel_frames(caps.frames(), PEER_IP)
        headers = tunnel_headers(caps.outgoing, DEVICE_IP, PEER_IP)
        report.check(f"{tag}: no capture holds a tunnel packet (no recapture)",
                     not again and not headers,
                     f"{len(again)} rebuilt frames and {headers} outer headers in outgoing "
                     "records are tunnel packets")
        tunnel, explained = quiet_window(link, state.get("quiet", (0, 0)))
        report.check(f"{tag}: no runaway: in 5 idle seconds (2 s after the last ping) "
                     "every tunnel packet is a capture of a frame the device sent then",
                     tunnel <= explained, f"{tunnel} tunnel packets; the device's other frames "
                     f"in and just before the window make at most {explained} records")
    print(f"    the peer saw {link.decoder.bad_fcs} frames with a bad FCS from the device "
          f"and {len(link.rx_frames)} good ones")
    evidence(state)


def quiet_window(link, window):
    """(tunnel packets the peer received in `window`, how many capture
    records the device's other frames sent in it, or in the second
    before it, can account for: one each)."""
    start, end = window
    tunnel = sum(1 for t, packet in link.rx_ipv4 if start <= t <= end
                 and len(packet) > 9 and packet[9] in (4, 41))
    explained = sum(1 for t, frame in link.rx_frames
                    if start - 1 <= t <= end and not is_tunnel_frame(frame, PEER_IP))
    return tunnel, explained


def link_pcap(path, link):
    """Every frame the peer saw on the link, as the device sent (1) or
    received (0) it, in time order (LINKTYPE_PPP_WITH_DIR, no FCS)."""
    frames = sorted([(t, 1, f) for t, f in link.rx_frames] + [(t, 0, f) for t, f in link.tx_frames],
                    key=lambda item: item[0])
    write_pcap(path, LINKTYPE_PPP_WITH_DIR, [bytes((d,)) + f[:-2] for _, d, f in frames])


def evidence(state):
    """Warnings and errors the device printed, counted by kind."""
    counts = {}
    for line in state.get("transcript", []):
        if not re.search(r"<(err|wrn)>|ASSERT|Segmentation|Stack overflow|FATAL", line):
            continue
        text = re.sub(r"^.*?\[\d\d:\d\d:[\d.,]+\] ", "", line)
        text = re.sub(r"\d+", "N", text)
        counts[text] = counts.get(text, 0) + 1
    if counts:
        print("    device log, warnings and errors by kind:")
        for text, count in sorted(counts.items(), key=lambda item: -item[1])[:8]:
            print(f"      {count:>6} x {text}")
    if state.get("alive_at_end") is False:
        print("    the device process had exited by the end of the run")


def ppp_config_check(report, build_dir):
    """The options the scenario depends on took effect (Kconfig drops an
    option with unmet dependencies with only a warning)."""
    config = (Path(build_dir) / "zephyr" / ".config").read_text().splitlines()
    wanted = ["CONFIG_NET_PPP=y", "CONFIG_NET_L2_PPP=y", "CONFIG_NET_PPP_CAPTURE=y",
              "CONFIG_NET_CAPTURE_COOKED_MODE=y",
              f"CONFIG_NET_CAPTURE_COOKED_MODE_SLLV{SLL_VERSION}=y", "CONFIG_UART_NATIVE_TTY=y",
              "CONFIG_NET_CAPTURE_RS=y", "CONFIG_SHELL_BACKEND_SERIAL_API_POLLING=y"]
    missing = [line for line in wanted if line not in config]
    report.check("the PPP build has the PPP driver, its capture, cooked mode and the tty UART",
                 not missing, f"missing: {missing}" if missing else "")


def choose_peer(kind):
    """`user`, `pppd`, or for `auto` pppd where it can run."""
    from .ppp_pppd import pppd_available
    if kind == "auto":
        return "pppd" if pppd_available() else "user"
    if kind == "pppd" and not pppd_available():
        raise SystemExit("e2e: --ppp-peer pppd needs /dev/ppp and pppd on PATH")
    return kind
