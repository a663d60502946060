"""Reading what crossed the TAP, finding the capture tunnel in it, and
writing extracted captures as pcap files for tshark. An independent
decoder: it shares no code with the device library."""

import ipaddress
import struct
import subprocess

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
PROTO_IPIP = 4
PROTO_IPV6 = 41
PROTO_UDP = 17
PROTO_FRAGMENT = 44


def read_pcap(path):
    """Frames of a classic pcap file, as bytes."""
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        endian = ">"
    else:
        raise ValueError(f"{path}: not a classic pcap file")
    frames, at = [], 24
    while at + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[at + 8:at + 12])[0]
        frames.append(data[at + 16:at + 16 + incl])
        at += 16 + incl
    return frames


def write_pcap(path, linktype, packets):
    """A classic pcap file of `packets` with `linktype`."""
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for seconds, packet in enumerate(packets):
            out.write(struct.pack("<IIII", seconds, 0, len(packet), len(packet)))
            out.write(packet)


def ip_of(frame):
    """(version, src, dst, protocol, payload, ident, offset, more) of the IP
    packet in an Ethernet frame, or None."""
    if len(frame) < 14:
        return None
    ethertype = struct.unpack("!H", frame[12:14])[0]
    return parse_ip(frame[14:]) if ethertype in (ETH_IPV4, ETH_IPV6) else None


def parse_ip(packet):
    """As `ip_of`, for a bare IP packet; fragment fields describe the
    fragment header of IPv6 when present."""
    if not packet:
        return None
    version = packet[0] >> 4
    if version == 4 and len(packet) >= 20:
        ihl = (packet[0] & 15) * 4
        total = struct.unpack("!H", packet[2:4])[0]
        ident, flags = struct.unpack("!HH", packet[4:8])
        return (4, ipaddress.ip_address(packet[12:16]), ipaddress.ip_address(packet[16:20]),
                packet[9], packet[ihl:total], ident, (flags & 0x1FFF) * 8, bool(flags & 0x2000))
    if version == 6 and len(packet) >= 40:
        length = struct.unpack("!H", packet[4:6])[0]
        payload = packet[40:40 + length]
        src = ipaddress.ip_address(packet[8:24])
        dst = ipaddress.ip_address(packet[24:40])
        if packet[6] == PROTO_FRAGMENT and len(payload) >= 8:
            offset_flags, ident = struct.unpack("!HI", payload[2:8])
            return (6, src, dst, payload[0], payload[8:], ident, offset_flags & ~7,
                    bool(offset_flags & 1))
        return (6, src, dst, packet[6], payload, 0, 0, False)
    return None


class Tunnel:
    """The capture tunnel as it appears on the TAP: outer IP to `remote`
    carrying inner IP (fragmented or not) with UDP to `port`."""

    def __init__(self, remote, port=4242):
        self.remote = ipaddress.ip_address(remote)
        self.port = port

    def is_outer(self, frame):
        """Whether an Ethernet frame is a tunnel packet (either way)."""
        ip = ip_of(frame)
        return bool(ip) and ip[3] in (PROTO_IPIP, PROTO_IPV6) and self.remote in (ip[1], ip[2])

    def datagrams(self, frames):
        """Captures carried by the tunnel: a list of dicts with the outer
        frames, inner addresses, UDP ports and payload, in arrival order."""
        out, partial = [], {}
        for frame in frames:
            outer = ip_of(frame)
            if not outer or outer[2] != self.remote or outer[3] not in (PROTO_IPIP, PROTO_IPV6):
                continue
            inner = parse_ip(outer[4])
            if not inner or inner[3] != PROTO_UDP:
                continue
            version, src, dst, _, payload, ident, offset, more = inner
            key = (src, dst, ident)
            pieces = partial.setdefault(key, {"frames": [], "parts": {}, "outer": outer[0],
                                              "inner": version, "src": src, "dst": dst})
            pieces["frames"].append(frame)
            pieces["parts"][offset] = payload
            if more:
                continue
            del partial[key]
            data = b""
            for at in sorted(pieces["parts"]):
                if at != len(data):
                    break
                data += pieces["parts"][at]
            if len(data) < 8:
                continue
            sport, dport, length = struct.unpack("!HHH", data[:6])
            pieces.update(sport=sport, dport=dport, udp_length=length, payload=data[8:length],
                          complete=length == len(data))
            out.append(pieces)
        return out


def with_padding(frames):
    """`frames` and each one shorter than 60 bytes padded with zeros to
    the Ethernet minimum, as a NIC delivers it (QEMU's LAN9118 does; the
    TAP shows the frame unpadded): what a device may really receive."""
    frames = set(frames)
    return frames | {frame + bytes(60 - len(frame)) for frame in frames if len(frame) < 60}


def tshark_fields(path, fields, display_filter=None):
    """The values of `fields` for each frame tshark reads in `path` (those
    `display_filter` keeps), one list of strings per frame."""
    command = ["tshark", "-r", str(path), "-T", "fields", "-E", "separator=|"]
    if display_filter:
        command += ["-Y", display_filter]
    for field in fields:
        command += ["-e", field]
    out = subprocess.run(command, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.splitlines() if line]
