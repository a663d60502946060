"""PPP in HDLC-like framing (RFC 1662): FCS-16, byte stuffing, a frame
decoder for a byte stream, and the reassembly of the PPP driver's outgoing
captures. Standard library only; shares no code with the device."""

import struct

FLAG = 0x7E
ESCAPE = 0x7D
GOOD_FCS = 0xF0B8
ADDRESS_CONTROL = b"\xff\x03"

PROTOCOLS = {
    0x0021: "IPv4", 0x0057: "IPv6", 0xC021: "LCP", 0x8021: "IPCP", 0x8057: "IPV6CP",
    0xC023: "PAP", 0xC223: "CHAP", 0x80FD: "CCP",
}


def _fcs_table():
    table = []
    for byte in range(256):
        value = byte
        for _ in range(8):
            value = (value >> 1) ^ 0x8408 if value & 1 else value >> 1
        table.append(value)
    return table


FCS_TABLE = _fcs_table()


def fcs16(data, fcs=0xFFFF):
    """RFC 1662 FCS-16 over `data`, continuing from `fcs`."""
    for byte in data:
        fcs = (fcs >> 8) ^ FCS_TABLE[(fcs ^ byte) & 0xFF]
    return fcs


def with_fcs(frame):
    """`frame` (address, control, protocol, information) with its FCS
    appended, least significant byte first."""
    return bytes(frame) + struct.pack("<H", fcs16(frame) ^ 0xFFFF)


def fcs_ok(frame):
    """Whether a frame that ends in its FCS checks."""
    return len(frame) >= 4 and fcs16(frame) == GOOD_FCS


def stuff(data, accm=0xFFFFFFFF):
    """Byte stuffing: flag, escape and the control characters set in the
    async control character map are sent as 0x7d, byte ^ 0x20."""
    out = bytearray()
    for byte in data:
        if byte in (FLAG, ESCAPE) or (byte < 0x20 and accm & (1 << byte)):
            out += bytes((ESCAPE, byte ^ 0x20))
        else:
            out.append(byte)
    return bytes(out)


def unstuff(data):
    """Undoes `stuff` (any escaped byte is accepted, as RFC 1662 asks)."""
    out, escaped = bytearray(), False
    for byte in data:
        if byte == ESCAPE:
            escaped = True
            continue
        out.append(byte ^ 0x20 if escaped else byte)
        escaped = False
    return bytes(out)


def encode(frame, accm=0xFFFFFFFF):
    """A complete wire frame: flag, stuffed frame and FCS, flag."""
    return bytes((FLAG,)) + stuff(with_fcs(frame), accm) + bytes((FLAG,))


class Decoder:
    """Splits a byte stream into frames. `feed` returns the frames it
    completed, each unstuffed and still ending in its FCS; frames whose FCS
    does not check are counted in `bad_fcs` and kept in `bad`."""

    def __init__(self, max_len=65536):
        self.buffer = bytearray()
        self.max_len = max_len
        self.bad_fcs = 0
        self.bad = []
        self.overlong = 0

    def feed(self, data):
        frames = []
        for byte in data:
            if byte != FLAG:
                if len(self.buffer) < self.max_len:
                    self.buffer.append(byte)
                else:
                    self.overlong += 1
                continue
            if self.buffer:
                frame = unstuff(self.buffer)
                if fcs_ok(frame):
                    frames.append(frame)
                else:
                    self.bad_fcs += 1
                    self.bad.append(frame)
                self.buffer = bytearray()
        return frames


def split(frame):
    """(protocol, information) of an unstuffed frame ending in its FCS, or
    None. The address and control fields and the protocol may be
    compressed (ACFC, PFC)."""
    body = frame[:-2]
    if body[:2] == ADDRESS_CONTROL:
        body = body[2:]
    if not body:
        return None
    if body[0] & 1:
        return body[0], body[1:]
    if len(body) < 2:
        return None
    return (body[0] << 8) | body[1], body[2:]


def describe(frame):
    """A short text for logs: protocol name, and the code of control
    protocols or the IP protocol."""
    parts = split(frame)
    if parts is None:
        return f"runt {frame.hex()}"
    protocol, info = parts
    name = PROTOCOLS.get(protocol, f"0x{protocol:04x}")
    if protocol in (0xC021, 0x8021, 0x8057) and len(info) >= 2:
        return f"{name} code {info[0]} id {info[1]} len {len(info)}"
    if protocol == 0x0021 and len(info) >= 20:
        return f"{name} proto {info[9]} len {len(info)}"
    return f"{name} len {len(info)}"
