"""The control protocols the PPP peer speaks: LCP (RFC 1661), IPCP
(RFC 1332, with RFC 1877's DNS options) and IPV6CP (RFC 5072)."""

import ipaddress
import os
import struct
import time

from .ppp_fsm import (ACK, ECHO_REPLY, ECHO_REQ, DISCARD_REQ, IPCP_ADDRESS, IPCP_DNS1,
                      IPCP_DNS2, IPV6CP_IID, LCP_ACCM, LCP_MAGIC, LCP_MRU, NAK, PROTO_REJ, REJ,
                      ControlProtocol)


class Lcp(ControlProtocol):
    """LCP: MRU, ACCM and magic number; echo, discard, Protocol-Reject.
    `accept` lists the option types accepted from the other side (all
    others are rejected, as Zephyr does with everything but its auth)."""

    name = "LCP"
    protocol = 0xC021

    def __init__(self, peer, mru=1500, accm=0, request=(LCP_MRU, LCP_ACCM, LCP_MAGIC),
                 accept=(LCP_MRU, LCP_ACCM, LCP_MAGIC), **kwargs):
        super().__init__(peer, **kwargs)
        self.mru = mru
        self.accm = accm
        self.wanted = tuple(request)
        self.accept = tuple(accept)
        self.magic = struct.unpack("!I", os.urandom(4))[0] | 1
        self.peer_magic = 0
        self.peer_accm = 0xFFFFFFFF    # what the other side wants escaped
        self.peer_mru = 1500
        self.echo_replies = []
        self.protocol_rejects = []

    def my_options(self):
        values = {LCP_MRU: struct.pack("!H", self.mru), LCP_ACCM: struct.pack("!I", self.accm),
                  LCP_MAGIC: struct.pack("!I", self.magic)}
        return [(kind, values[kind]) for kind in self.wanted]

    def check(self, kind, value):
        if kind not in self.accept:
            return REJ
        if kind == LCP_MRU:
            return ACK if len(value) == 2 and struct.unpack("!H", value)[0] >= 128 else \
                (NAK, struct.pack("!H", 1500))
        if kind == LCP_ACCM:
            return ACK if len(value) == 4 else REJ
        if kind == LCP_MAGIC:
            if len(value) != 4:
                return REJ
            magic = struct.unpack("!I", value)[0]
            if magic == 0 or magic == self.magic:
                # Looped back, or no number: suggest another one.
                return NAK, struct.pack("!I", struct.unpack("!I", os.urandom(4))[0] | 2)
            return ACK
        return REJ

    def nak(self, kind, value):
        if kind == LCP_MRU and len(value) == 2:
            self.mru = struct.unpack("!H", value)[0]
        elif kind == LCP_ACCM and len(value) == 4:
            self.accm |= struct.unpack("!I", value)[0]
        elif kind == LCP_MAGIC:
            self.magic = struct.unpack("!I", os.urandom(4))[0] | 1

    def peer_acked(self, options):
        values = dict(options)
        self.peer_accm = struct.unpack("!I", values[LCP_ACCM])[0] if LCP_ACCM in values \
            else 0xFFFFFFFF
        self.peer_magic = struct.unpack("!I", values[LCP_MAGIC])[0] if LCP_MAGIC in values else 0
        self.peer_mru = struct.unpack("!H", values[LCP_MRU])[0] if LCP_MRU in values else 1500

    def up(self):
        self.peer.lcp_up()

    def down(self):
        self.peer.lcp_down()

    def our_magic(self):
        return self.magic if self.request and LCP_MAGIC in dict(self.request[1]) else 0

    def extra(self, code, ident, data):
        if code == PROTO_REJ:
            protocol = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 0
            self.protocol_rejects.append(protocol)
            self.peer.protocol_rejected(protocol)
            return True
        if code == ECHO_REQ:
            if self.state == "opened":
                self.send(ECHO_REPLY, ident, struct.pack("!I", self.our_magic()) + data[4:])
            return True
        if code == ECHO_REPLY:
            self.echo_replies.append((time.monotonic(), ident, data))
            return True
        return code == DISCARD_REQ

    def echo(self, data=b""):
        ident = self.next_ident()
        self.send(ECHO_REQ, ident, struct.pack("!I", self.our_magic()) + data)
        return ident

    def protocol_reject(self, protocol, info):
        body = struct.pack("!H", protocol) + info[:max(0, self.peer_mru - 6)]
        self.send(PROTO_REJ, self.next_ident(), body)


class Ipcp(ControlProtocol):
    """IPCP: our address (`local`, or 0.0.0.0 to be given one) and the
    address we give the other side (`assign`) when it asks with 0.0.0.0."""

    name = "IPCP"
    protocol = 0x8021

    def __init__(self, peer, local=None, assign=None, dns=None, **kwargs):
        super().__init__(peer, **kwargs)
        self.local = ipaddress.IPv4Address(local or "0.0.0.0")
        self.assign = ipaddress.IPv4Address(assign) if assign else None
        self.dns = ipaddress.IPv4Address(dns) if dns else None
        self.remote = None

    def my_options(self):
        return [(IPCP_ADDRESS, self.local.packed)]

    def check(self, kind, value):
        if kind == IPCP_ADDRESS and len(value) == 4:
            address = ipaddress.IPv4Address(value)
            if int(address) == 0 or (self.assign and address != self.assign):
                return (NAK, self.assign.packed) if self.assign else REJ
            return ACK
        if kind in (IPCP_DNS1, IPCP_DNS2) and len(value) == 4 and self.dns:
            return ACK if value == self.dns.packed else (NAK, self.dns.packed)
        return REJ

    def nak(self, kind, value):
        if kind == IPCP_ADDRESS and len(value) == 4:
            self.local = ipaddress.IPv4Address(value)

    def peer_acked(self, options):
        values = dict(options)
        if IPCP_ADDRESS in values:
            self.remote = ipaddress.IPv4Address(values[IPCP_ADDRESS])

    def up(self):
        self.peer.note(f"IPCP up: local {self.local} remote {self.remote}")
        self.peer.ipcp_up()


class Ipv6cp(ControlProtocol):
    """IPV6CP: interface identifiers for the link-local addresses."""

    name = "IPV6CP"
    protocol = 0x8057

    def __init__(self, peer, **kwargs):
        super().__init__(peer, **kwargs)
        self.iid = os.urandom(8)
        self.peer_iid = None

    def my_options(self):
        return [(IPV6CP_IID, self.iid)]

    def check(self, kind, value):
        if kind != IPV6CP_IID or len(value) != 8:
            return REJ
        if value == bytes(8) or value == self.iid:
            return NAK, os.urandom(8)
        return ACK

    def nak(self, kind, value):
        if kind == IPV6CP_IID and len(value) == 8:
            self.iid = value

    def peer_acked(self, options):
        self.peer_iid = dict(options).get(IPV6CP_IID)

    def up(self):
        self.peer.note(f"IPV6CP up: local fe80::{self.iid.hex()} remote "
                       f"fe80::{self.peer_iid.hex() if self.peer_iid else '?'}")
