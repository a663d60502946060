"""The IPv4, ICMP and UDP packets the PPP peer sends and answers."""

import ipaddress
import struct

PROTO_ICMP = 1
PROTO_UDP = 17
ICMP_ECHO_REPLY = 0
ICMP_ECHO_REQUEST = 8


def checksum(data):
    """The Internet checksum (RFC 1071)."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4(src, dst, protocol, payload, ident=0, ttl=64):
    """An IPv4 packet without options."""
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000,
                         ttl, protocol, 0, ipaddress.IPv4Address(src).packed,
                         ipaddress.IPv4Address(dst).packed)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def icmp_echo(kind, ident, seq, data):
    """An ICMP echo request (8) or reply (0)."""
    message = struct.pack("!BBHHH", kind, 0, 0, ident, seq) + data
    return message[:2] + struct.pack("!H", checksum(message)) + message[4:]


def udp(src, dst, sport, dport, data):
    """A UDP datagram for IPv4, with its checksum."""
    length = 8 + len(data)
    pseudo = (ipaddress.IPv4Address(src).packed + ipaddress.IPv4Address(dst).packed
              + struct.pack("!BBH", 0, PROTO_UDP, length))
    header = struct.pack("!HHHH", sport, dport, length, 0)
    value = checksum(pseudo + header + data) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, value) + data


def parse_ipv4(packet):
    """A dict of the IPv4 header fields and payload, or None if `packet` is
    not a well-formed IPv4 packet (bad version, lengths or checksum)."""
    if len(packet) < 20 or packet[0] >> 4 != 4:
        return None
    ihl = (packet[0] & 15) * 4
    total = struct.unpack("!H", packet[2:4])[0]
    if ihl < 20 or total < ihl or total > len(packet) or checksum(packet[:ihl]):
        return None
    flags = struct.unpack("!H", packet[6:8])[0]
    return {
        "src": ipaddress.IPv4Address(packet[12:16]),
        "dst": ipaddress.IPv4Address(packet[16:20]),
        "proto": packet[9],
        "ttl": packet[8],
        "ident": struct.unpack("!H", packet[4:6])[0],
        "fragment": bool(flags & 0x2000) or bool(flags & 0x1FFF),
        "payload": packet[ihl:total],
    }


def parse_echo(payload):
    """(type, ident, seq, data) of a well-formed ICMP echo message, or None."""
    if len(payload) < 8 or checksum(payload) or payload[0] not in (0, 8):
        return None
    kind, _, _, ident, seq = struct.unpack("!BBHHH", payload[:8])
    return kind, ident, seq, payload[8:]


def ethernet(packet):
    """`packet` behind a dummy Ethernet header, for pcap.py's decoders."""
    ethertype = 0x0800 if packet and packet[0] >> 4 == 4 else 0x86DD
    return bytes(12) + struct.pack("!H", ethertype) + packet
