"""What the PPP driver's cooked capture sent through the tunnel, decoded
and compared with what the PPP peer saw on the link.

The payload of each tunnel datagram is an SLL (v1 or v2) header and the
captured bytes. Wireshark does not dissect SLL protocol 0x0019 (HDLC) as
PPP, so the frames are rewritten here: incoming ones (packet type 0) are
complete unescaped frames with their FCS, as ppp.c captures them;
outgoing ones (packet type 4) are too, as this module reassembles them
from ppp.c's byte-stuffed 8-byte pieces. They are written as pcap with
LINKTYPE_PPP_WITH_DIR for tshark."""

import ipaddress
import struct

from . import hdlc
from .pcap import parse_ip, tshark_fields, write_pcap

ETH_P_HDLC = 0x0019
ARPHRD_PPP = 512
HOST, OUTGOING = 0, 4
LINKTYPE_PPP_WITH_DIR = 204
LINKTYPE_SLL = {1: 113, 2: 276}


def parse_sll(payload, version):
    """A dict of an SLL header's fields and the data behind it, or None."""
    if version == 2 and len(payload) >= 20:
        protocol, _, ifindex, hatype, pkttype, halen = struct.unpack("!HHIHBB", payload[:12])
        return {"protocol": protocol, "ifindex": ifindex, "hatype": hatype,
                "pkttype": pkttype, "halen": halen, "addr": payload[12:12 + min(halen, 8)],
                "data": payload[20:]}
    if version == 1 and len(payload) >= 16:
        pkttype, hatype, halen = struct.unpack("!HHH", payload[:6])
        protocol = struct.unpack("!H", payload[14:16])[0]
        return {"protocol": protocol, "ifindex": None, "hatype": hatype, "pkttype": pkttype,
                "halen": halen, "addr": payload[6:6 + min(halen, 8)], "data": payload[16:]}
    return None


def is_subsequence(items, sequence):
    """Whether `items` appear in `sequence` in the same order."""
    it = iter(sequence)
    return all(any(item == other for other in it) for item in items)


def latest_match(items, sequence):
    """Indices in `sequence` of `items` matched in order, each as late as
    possible (greedy from the end), or None if they are no subsequence."""
    indices, at = [], len(sequence) - 1
    for item in reversed(items):
        while at >= 0 and sequence[at] != item:
            at -= 1
        if at < 0:
            return None
        indices.append(at)
        at -= 1
    return indices[::-1]


class Captures:
    """The captures of one run: `datagrams` from pcap.Tunnel.datagrams."""

    def __init__(self, datagrams, version, capture_buf=1500):
        self.version = version
        self.capture_buf = capture_buf
        self.records = [parse_sll(d["payload"], version) for d in datagrams]
        self.malformed = sum(1 for r in self.records if r is None)
        self.records = [r for r in self.records if r is not None]
        self.incoming = [r["data"] for r in self.records if r["pkttype"] == HOST]
        self.outgoing = [r["data"] for r in self.records if r["pkttype"] == OUTGOING]

    def headers_ok(self, cooked_index, addr=None):
        """Records whose SLL fields are not those of the PPP driver."""
        bad = []
        for r in self.records:
            ok = (r["protocol"] == ETH_P_HDLC and r["hatype"] == ARPHRD_PPP and r["halen"] == 6
                  and r["pkttype"] in (HOST, OUTGOING)
                  and (addr is None or r["addr"] == addr)
                  and (self.version == 1 or r["ifindex"] == cooked_index))
            if not ok:
                bad.append(r)
        return bad

    def truncated_incoming(self):
        return [f for f in self.incoming if len(f) == self.capture_buf]

    def bad_incoming(self):
        """Incoming captures that are not complete frames with a good FCS
        (frames cut at CONFIG_NET_PPP_CAPTURE_BUF_SIZE are left out)."""
        return [f for f in self.incoming if len(f) != self.capture_buf and not hdlc.fcs_ok(f)]

    def bad_outgoing(self):
        """Outgoing captures that are not complete frames with a good FCS."""
        return [f for f in self.outgoing if not hdlc.fcs_ok(f)]

    def frames(self):
        """(direction, frame) of every rebuilt frame, in arrival order per
        direction: 'in' = received by the device, 'out' = sent by it."""
        return [("in", f) for f in self.incoming] + [("out", f) for f in self.outgoing]

    def write(self, path_sll, path_ppp, raw_payloads):
        """The raw SLL captures, and the rebuilt frames as PPP_WITH_DIR."""
        write_pcap(path_sll, LINKTYPE_SLL[self.version], raw_payloads)
        packets = []
        for direction, frame in self.frames():
            body = frame[:-2] if hdlc.fcs_ok(frame) else frame
            packets.append(bytes((1 if direction == "out" else 0,)) + body)
        write_pcap(path_ppp, LINKTYPE_PPP_WITH_DIR, packets)


def tshark_rows(path):
    """(direction, protocols, malformed) per frame as tshark decodes a
    PPP_WITH_DIR pcap: direction 'out' when sent by the device."""
    rows = []
    for fields in tshark_fields(path, ["frame.p2p_dir", "frame.protocols", "_ws.malformed"]):
        if len(fields) == 3:
            rows.append(("out" if fields[0] == "0" else "in", fields[1], bool(fields[2])))
    return rows


def is_tunnel_frame(frame, remote):
    """Whether a PPP frame carries a capture tunnel packet: an IPv4 or
    IPv6 outer header to or from `remote` with protocol 4 or 41."""
    parts = hdlc.split(frame if hdlc.fcs_ok(frame) else frame + b"\0\0")
    if not parts or parts[0] not in (0x0021, 0x0057):
        return False
    ip = parse_ip(bytes(parts[1]))
    return bool(ip) and ip[3] in (4, 41) and str(remote) in (str(ip[1]), str(ip[2]))


def tunnel_frames(frames, remote):
    """The (direction, frame) pairs of rebuilt frames that are tunnel
    packets: captures of the tunnel itself."""
    return [(d, f) for d, f in frames if is_tunnel_frame(f, remote)]


def one_byte_short(frame, frames):
    """Whether `frame` is one of `frames` with one byte missing (ppp.c
    drops the last byte of a flush when the byte after its buffer happens
    to be a flag: an upstream defect)."""
    for other in frames:
        if len(other) == len(frame) + 1:
            at = next((i for i, (a, b) in enumerate(zip(frame, other)) if a != b), len(frame))
            if frame[at:] == other[at + 1:]:
                return True
    return False


def tunnel_headers(records, local, remote):
    """How many outer IPv4 headers local -> remote with protocol 41 the
    outgoing records hold (searched in their bytes, so it counts
    recaptured tunnel packets even in damaged frames)."""
    stream = b"".join(records)
    addresses = ipaddress.IPv4Address(local).packed + ipaddress.IPv4Address(remote).packed
    count, at = 0, stream.find(addresses)
    while at >= 0:
        if at >= 3 and stream[at - 3] == 41:
            count += 1
        at = stream.find(addresses, at + 1)
    return count
