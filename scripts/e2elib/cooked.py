"""The cooked-mode run: the upstream sample's `sample send` frames through
the tunnel, decoded by tshark as SLL v1 (113) or SLL v2 (276)."""

import subprocess

from .netns import Namespace, Tshark
from .pcap import Tunnel, read_pcap, tshark_fields, write_pcap
from .scenarios import REMOTE, alive, capture_listing, stack_check

LINKTYPES = {1: 113, 2: 276}
# What the sample sends: (packet type, ARPHRD, address length, address, protocol).
EXPECTED = [
    ("4", "280", "0", "", "0x000c"),
    ("4", "512", "6", "01:02:03:04:05:06", "0x0019"),
    ("0", "512", "6", "01:02:03:04:05:06", "0x0019"),
    ("4", "512", "6", "01:02:03:04:05:06", "0x0019"),
]
FIELDS = ["sll.pkttype", "sll.hatype", "sll.halen", "sll.src.other", "sll.src.eth",
          "sll.ltype", "sll.ifindex"]


def cooked_run(report, image, workdir, version):
    """One cooked-mode run with SLL `version` (1 or 2)."""
    tag = f"SLLv{version}"
    pcap = workdir / f"cooked-sll{version}.pcap"
    with Namespace() as ns, Tshark(ns, pcap), \
            image.device(ns, workdir / f"cooked-sll{version}.log") as dev:
        report.check(f"{tag}: sample sets up cooked capture",
                     dev.wait_for(r'Type "sample send"', 20))
        iface_out = dev.command("net iface", 1.5)
        numbering = [line for line in iface_out if line.startswith("Interface ")]
        report.check(f"{tag}: interfaces keep upstream's numbering (any 1, cooked 2)",
                     any(l.startswith("Interface any ") and l.endswith("[1]") for l in numbering)
                     and any(l.startswith("Interface cooked ") and l.endswith("[2]")
                             for l in numbering), numbering)
        enabled, rows, _ = capture_listing(dev)
        report.check(f"{tag}: capture enabled on the cooked interface",
                     enabled and rows and rows[0] and rows[0].group(1) == "2")
        dev.command("sample send", 1.5)
        stats = dev.command("net capture_stats")
        print("\n".join(stats[1:]))
        out = dev.command("net capture disable", 0.5) + dev.command("net capture enable 1")
        report.check(f"{tag}: capturing the any interface is refused",
                     any("failed (-" in line for line in out), " | ".join(out))
        dev.command("sample send", 1.0)
        report.check(f"{tag}: `sample send` afterwards does not crash the device",
                     alive(dev, ns))
        stack_check(report, dev, image, tag)
    datagrams = Tunnel(REMOTE).datagrams(read_pcap(pcap))
    report.check(f"{tag}: `sample send` produced exactly four tunnel datagrams",
                 len(datagrams) == 4, f"{len(datagrams)} datagrams")
    decoded = workdir / f"cooked-sll{version}-payloads.pcap"
    write_pcap(decoded, LINKTYPES[version], [d["payload"] for d in datagrams])
    print(subprocess.run(["tshark", "-r", str(decoded), "-V", "-O", "sll"],
                         capture_output=True, text=True).stdout)
    rows = tshark_fields(decoded, FIELDS)
    got = [(r[0], r[1], r[2], r[3] or r[4], r[5]) for r in rows]
    report.check(f"{tag}: tshark decodes the CAN and three PPP frames with direction, "
                 "ARPHRD type, address length, address and protocol",
                 got == EXPECTED, f"got {got}")
    if version == 2:
        report.check("SLLv2: interface index is the cooked interface (2)",
                     all(r[6] == "2" for r in rows), [r[6] for r in rows])
