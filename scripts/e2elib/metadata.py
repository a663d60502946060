"""Tunnel metadata (CONFIG_NET_CAPTURE_RS_TUNNEL_METADATA=y): the upstream
sample captures eth0 while the host pings it; the tunnel then carries SLL2
records (header, then the frame after its Ethernet header). Checked by an
independent decoder against the frames on the TAP, by tshark (packet type
0 for the requests the device received, 4 for the replies it sent;
interface index 1), and through zcap, which must write them as
LINKTYPE_LINUX_SLL2."""

import struct
import subprocess

from .netns import Namespace, Tshark
from .pcap import Tunnel, read_pcap, tshark_fields, with_padding, write_pcap
from .scenarios import REMOTE, alive, pool_drops

CONFIGS = ["CONFIG_NET_CAPTURE_RS_TUNNEL_METADATA=y"]
LINKTYPE_LINUX_SLL2 = 276
ETH_IFINDEX = "1"
FIELDS = ["sll.pkttype", "sll.ifindex", "sll.hatype", "sll.halen", "sll.etype",
          "icmp.type", "icmpv6.type", "frame.protocols"]
# Echo requests and replies the pings make (3 + 3 + 1 full-size + 2).
ECHOES = 9
# (family, ICMP type) of the echo requests the device receives and the
# replies it sends.
REQUESTS = {("4", "8"), ("6", "128")}
REPLIES = {("4", "0"), ("6", "129")}


def sll2_fields(record):
    """(protocol, reserved, ifindex, hatype, pkttype, halen, address) of an
    SLL2 header, or None when the record is shorter than one."""
    if len(record) < 20:
        return None
    return struct.unpack("!HHIHBB8s", record[:20])


def metadata_run(report, image, workdir, zcap_path):
    """Pings through the capture with tunnel metadata, then the checks."""
    pcap = workdir / "metadata.pcap"
    with Namespace() as ns, Tshark(ns, pcap), image.device(ns, workdir / "metadata.log") as dev:
        report.check("metadata: sample starts and asks for manual enable",
                     dev.wait_for(r'Use "net capture enable <ifindex>"', 20))
        # The shell binds NET_CAPTURE0 when it lists the devices (W24).
        dev.command("net capture")
        report.check("metadata: `net capture enable 1` starts capturing eth0",
                     dev.expect("net capture enable 1", r"Capturing started on interface 1"))
        # The largest IPv4 echo the board's NIC takes (1514-byte frames on
        # native_sim, see Target.largest_frame).
        largest = image.target.largest_frame
        for address, size, count in [("192.0.2.1", None, 3), ("2001:db8::1", None, 3),
                                     ("192.0.2.1", largest - 42, 1)]:
            replies = ns.ping(address, count=count, size=size)
            report.check(f"metadata: ping {address} (size {size or 'default'}) answered",
                         replies == count, f"{replies}/{count} replies")
        # Not the TAP file's last frames: a board run once read that file
        # damaged at its very end.
        ns.ping("192.0.2.1", count=2)
        stats = dev.command("net capture_stats")
        print("\n".join(stats[1:]))
        no_memory = pool_drops(stats)
        report.check("metadata: `net capture disable` stops capturing",
                     dev.expect("net capture disable", r"Capturing stopped on interface 1"))
        report.check("metadata: the device is alive and on the network afterwards",
                     alive(dev, ns))
    frames = read_pcap(pcap)
    records = check_records(report, frames, largest)
    decoded = workdir / "metadata-records.pcap"
    write_pcap(decoded, LINKTYPE_LINUX_SLL2, records)
    check_tshark(report, decoded, "tunnel payloads as SLL2", no_memory)
    check_zcap(report, zcap_path, pcap, workdir, no_memory)


def check_records(report, frames, largest=1514):
    """Every capture is an SLL2 record of a frame seen on the TAP (or of
    the frame padded to 60 bytes, as a NIC model may deliver it)."""
    tunnel = Tunnel(REMOTE)
    datagrams = [d for d in tunnel.datagrams(frames) if d["complete"]]
    records = [d["payload"] for d in datagrams]
    report.check("metadata: captures crossed the TAP", len(records) >= 12,
                 f"{len(records)} records")
    originals = with_padding(f for f in frames if not tunnel.is_outer(f) and len(f) >= 14)
    # What each original frame becomes: EtherType, source MAC, the rest.
    twins = {(struct.unpack("!H", f[12:14])[0], f[6:12], f[14:]) for f in originals}
    bad = []
    for record in records:
        header = sll2_fields(record)
        if header is None:
            bad.append(f"{len(record)}-byte record")
            continue
        protocol, reserved, ifindex, hatype, pkttype, halen, addr = header
        if (reserved, ifindex, hatype, halen, addr[6:]) != (0, 1, 1, 6, b"\0\0") \
                or pkttype not in (0, 1, 2, 4) \
                or (protocol, addr[:6], record[20:]) not in twins:
            bad.append(f"{record[:20].hex()} + {len(record) - 20} bytes")
    report.check("metadata: every record is an SLL2 header (reserved 0, ifindex 1, "
                 "ARPHRD_ETHER, 6-byte source MAC, EtherType) and the rest of a frame "
                 "seen on the TAP", records and not bad, "; ".join(bad[:3]))
    # The largest frame's record: its SLL2 header (20) and the frame after
    # its Ethernet header (14), more than a tunnel packet can carry whole.
    record_len = largest - 14 + 20
    report.check(f"metadata: the largest ping's record ({record_len} bytes) travels as "
                 "fragments",
                 any(len(d["frames"]) > 1 and len(d["payload"]) == record_len
                     for d in datagrams))
    oversize = [len(f) for d in datagrams for f in d["frames"] if len(f) > 1514]
    report.check("metadata: every tunnel packet fits the Ethernet MTU", not oversize,
                 f"{oversize[:3]}")
    return records


def tshark_rows(path):
    return [dict(zip(FIELDS, row)) for row in tshark_fields(path, FIELDS)]


def check_tshark(report, path, what, no_memory):
    """Echo requests say packet type 0 (to us), replies 4 (outgoing), all
    interface 1, decoded through the SLL2 header. The sample keeps
    upstream's 16 capture buffers: a reply captured while the request's
    record still holds them (the full-size one on native_sim, more on a
    slower board) may be dropped, and each one missing must then be
    counted as a pool drop."""
    rows = tshark_rows(path)
    echoes = {"request": [], "reply": []}
    for row in rows:
        for family, kind in (("4", row["icmp.type"]), ("6", row["icmpv6.type"])):
            if (family, kind) in REQUESTS:
                echoes["request"].append(row)
            elif (family, kind) in REPLIES:
                echoes["reply"].append(row)
    for name, pkttype, dropped in [("request", "0", 0), ("reply", "4", no_memory)]:
        found = echoes[name]
        wrong = [(r["sll.pkttype"], r["sll.ifindex"]) for r in found
                 if (r["sll.pkttype"], r["sll.ifindex"]) != (pkttype, ETH_IFINDEX)]
        report.check(f"metadata ({what}): tshark reads every echo {name} with "
                     f"sll.pkttype {pkttype} and sll.ifindex {ETH_IFINDEX}",
                     ECHOES - dropped <= len(found) <= ECHOES and not wrong,
                     f"{len(found)} of {ECHOES} ({no_memory} pool drops), wrong: {wrong[:3]}")
    undecoded = [r["frame.protocols"] for r in rows
                 if not r["frame.protocols"].startswith("sll:ethertype:")]
    report.check(f"metadata ({what}): tshark decodes every record as sll:ethertype:...",
                 rows and not undecoded, f"{len(rows)} rows, {undecoded[:3]}")


def check_zcap(report, zcap_path, tap_pcap, workdir, no_memory):
    """zcap, reading the recording of the TAP, recognises the records and
    writes an SLL2 interface with direction flags."""
    out = workdir / "metadata-zcap.pcapng"
    result = subprocess.run([str(zcap_path), "-r", str(tap_pcap), "-w", str(out), "-q"],
                            capture_output=True, text=True, timeout=60)
    (workdir / "metadata-zcap.stderr").write_text(result.stderr)
    report.check("metadata: zcap -r decapsulates the recording", result.returncode == 0,
                 result.stderr.strip()[-300:])
    if result.returncode != 0:
        return
    names = set(subprocess.run(
        ["tshark", "-r", str(out), "-T", "fields", "-e", "frame.interface_name"],
        capture_output=True, text=True).stdout.split())
    report.check("metadata: zcap writes the records on an SLL2 interface",
                 names and all(name.endswith("-sll2") for name in names), sorted(names))
    check_tshark(report, out, "zcap's pcapng", no_memory)
    flags = subprocess.run(
        ["tshark", "-r", str(out), "-Y", "icmp.type == 0 or icmpv6.type == 129",
         "-T", "fields", "-e", "frame.packet_flags_direction"],
        capture_output=True, text=True).stdout.split()
    report.check("metadata: zcap marks the replies outbound in pcapng (epb_flags)",
                 flags and all(flag in ("2", "0x2", "0x00000002") for flag in flags), flags[:4])
