"""A user-space PPP peer over a file descriptor (the master side of a pty),
for machines whose kernel has no PPP (no /dev/ppp, so pppd cannot run).

It speaks RFC 1662 async HDLC framing (flags, escaping with the negotiated
ACCM, FCS-16), LCP (MRU, ACCM, magic number, echo, Terminate,
Protocol-Reject), IPCP (its own address, and one it gives the other side),
IPV6CP (interface identifiers; or Protocol-Reject with ipv6=False), and
IPv4: it answers ICMP echo requests to its address, sends pings and floods,
and records every frame and IP packet it sees, both ways.

Standard library only. Tests: python3 -m unittest discover -s scripts/e2elib/tests
(from the repository root), or scripts/e2elib/ppp_peer.py --selftest.
"""

import ipaddress
import os
import select
import struct
import threading
import time

if __package__ in (None, ""):
    import sys
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "e2elib"  # noqa: A001

from . import hdlc, inet  # noqa: E402
from .ppp_protocols import Ipcp, Ipv6cp, Lcp  # noqa: E402

PROTO_IPV4 = 0x0021
PROTO_IPV6 = 0x0057
# What a UART at 115200 baud (8N1) carries: 11520 bytes/s, in 64-byte
# writes. native_sim's native-tty UART has no baud rate of its own, and
# ppp.c has no flow control: what the pty holds when its 10 ms poll comes
# goes into a ring (CONFIG_NET_PPP_RINGBUF_SIZE) or is dropped.
ZEPHYR_PACE = (64, 64 / 11520)


class PppPeer:
    """The peer on `fd`. `local`: our IPv4 address (None: ask for one);
    `assign`: the address we give the other side when it asks with
    0.0.0.0. `pace`: (bytes, seconds) written at most per interval, or None
    for no pacing. `log`: a path for a text log of events and frames."""

    def __init__(self, fd, local=None, assign=None, ipv6=True, name="peer", pace=None,
                 log=None, restart=1.0, lcp_options=None):
        self.fd = fd
        self.name = name
        self.pace = pace
        self.decoder = hdlc.Decoder()
        self.lcp = Lcp(self, restart=restart, **(lcp_options or {}))
        self.ipcp = Ipcp(self, local=local, assign=assign, restart=restart)
        self.ipv6cp = Ipv6cp(self, restart=restart) if ipv6 else None
        self.rx_frames = []        # (time, frame): every good frame received, with FCS
        self.tx_frames = []        # (time, frame): every frame sent, with FCS
        self.rx_ipv4 = []          # (time, packet)
        self.rx_ipv6 = []          # (time, packet)
        self.rejected_protocols = []   # protocols we sent Protocol-Reject for
        self.echo_answered = 0     # echo requests of the other side answered
        self.replies = {}          # (ident, seq) -> time of the echo reply
        self.ip_ready = threading.Event()
        self.lock = threading.RLock()
        self.write_lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self._next_write = 0.0
        self._stop = threading.Event()
        self._thread = None
        self._log = open(log, "w", buffering=1) if log else None
        self._ip_ident = 0
        self.io_error = None

    # lifecycle ------------------------------------------------------------
    def start(self):
        self._thread = threading.Thread(target=self._run, name=f"ppp-{self.name}", daemon=True)
        with self.lock:
            self.lcp.open()
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def summary(self):
        text = f"LCP {self.lcp.state}, IPCP {self.ipcp.state}"
        if self.ipv6cp:
            text += f", IPV6CP {self.ipv6cp.state}"
        return text + f"; local {self.local}, remote {self.remote}"

    def wait_up(self, timeout=30):
        """Whether IPCP came up within `timeout` seconds."""
        return self.ip_ready.wait(timeout)

    def note(self, text):
        if self._log:
            self._log.write(f"{time.monotonic():.3f} {text}\n")

    # the link -------------------------------------------------------------
    def _run(self):
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.05)
                data = os.read(self.fd, 65536) if ready else b""
            except OSError as err:
                # EIO once the other side of the pty is closed.
                self.io_error = err
                time.sleep(0.05)
                data = b""
            with self.lock:
                for frame in self.decoder.feed(data):
                    self._frame(frame)
                now = time.monotonic()
                for protocol in self._protocols():
                    protocol.tick(now)

    def _protocols(self):
        return [p for p in (self.lcp, self.ipcp, self.ipv6cp) if p]

    def _frame(self, frame):
        self.rx_frames.append((time.monotonic(), frame))
        parts = hdlc.split(frame)
        self.note(f"rx {hdlc.describe(frame)}")
        if parts is None:
            return
        protocol, info = parts
        if protocol == self.lcp.protocol:
            self.lcp.input(info)
            return
        if self.lcp.state != "opened":
            return  # RFC 1661: other protocols are discarded until LCP is open
        handlers = {p.protocol: p for p in self._protocols()}
        if protocol in handlers:
            handlers[protocol].input(info)
        elif protocol == PROTO_IPV4 and self.ipcp.state == "opened":
            self._ipv4(bytes(info))
        elif protocol == PROTO_IPV6 and self.ipv6cp and self.ipv6cp.state == "opened":
            self.rx_ipv6.append((time.monotonic(), bytes(info)))
        elif protocol not in (PROTO_IPV4, PROTO_IPV6):
            self.rejected_protocols.append(protocol)
            self.lcp.protocol_reject(protocol, bytes(info))

    def send_frame(self, protocol, info):
        """Sends one PPP frame (address and control fields, protocol)."""
        self.write_frames([self.wire(protocol, info)])

    def wire(self, protocol, info):
        """(frame with FCS, its bytes on the wire) of one PPP frame."""
        frame = hdlc.ADDRESS_CONTROL + struct.pack("!H", protocol) + bytes(info)
        # Until LCP is open every control character is escaped (RFC 1662).
        accm = self.lcp.peer_accm if self.lcp.state == "opened" else 0xFFFFFFFF
        return hdlc.with_fcs(frame), hdlc.encode(frame, accm)

    def write_frames(self, frames, pace=True):
        """Writes [(frame, wire bytes)] in one go, recording them as sent."""
        with self.write_lock:
            now = time.monotonic()
            for frame, _ in frames:
                self.tx_frames.append((now, frame))
                if len(frames) < 4:
                    self.note(f"tx {hdlc.describe(frame)}")
            self._write(b"".join(wire for _, wire in frames), pace)

    def _write(self, data, pace):
        step, interval = self.pace if (pace and self.pace) else (len(data) or 1, 0)
        for at in range(0, len(data), step):
            delay = self._next_write - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            piece = data[at:at + step]
            left = piece
            while left:
                try:
                    left = left[os.write(self.fd, left):]
                except BlockingIOError:
                    time.sleep(0.001)
            self._next_write = time.monotonic() + interval * len(piece) / step

    # callbacks of the control protocols -------------------------------------
    def lcp_up(self):
        self.ipcp.open()
        if self.ipv6cp:
            self.ipv6cp.open()

    def lcp_down(self):
        for protocol in (self.ipcp, self.ipv6cp):
            if protocol:
                protocol.lower_down()
        self.ip_ready.clear()

    def ipcp_up(self):
        self.ip_ready.set()

    def protocol_rejected(self, protocol):
        self.note(f"the other side rejected protocol 0x{protocol:04x}")
        for control in (self.ipcp, self.ipv6cp):
            if control and control.protocol == protocol:
                control.set_state("stopped")
                control.deadline = None

    # IPv4 -----------------------------------------------------------------
    @property
    def local(self):
        return self.ipcp.local

    @property
    def remote(self):
        return self.ipcp.remote

    def _ipv4(self, packet):
        now = time.monotonic()
        self.rx_ipv4.append((now, packet))
        ip = inet.parse_ipv4(packet)
        if not ip or ip["proto"] != inet.PROTO_ICMP or ip["fragment"]:
            return
        echo = inet.parse_echo(ip["payload"])
        if echo is None:
            return
        kind, ident, seq, data = echo
        if kind == inet.ICMP_ECHO_REQUEST and ip["dst"] == self.local:
            self.echo_answered += 1
            reply = inet.icmp_echo(inet.ICMP_ECHO_REPLY, ident, seq, data)
            self.send_ipv4(ip["src"], inet.PROTO_ICMP, reply)
        elif kind == inet.ICMP_ECHO_REPLY and ip["src"] != self.local:
            self.replies.setdefault((ident, seq), now)
            self.cond.notify_all()

    def ipv4_wire(self, dst, protocol, payload):
        """(frame, wire bytes) of an IPv4 packet from us to `dst`."""
        with self.lock:
            self._ip_ident += 1
            packet = inet.ipv4(self.local, dst, protocol, payload, self._ip_ident)
            return self.wire(PROTO_IPV4, packet)

    def send_ipv4(self, dst, protocol, payload):
        self.write_frames([self.ipv4_wire(dst, protocol, payload)])

    def _echo_request(self, ident, seq, size):
        data = bytes((seq + i) & 0xFF for i in range(size))
        return inet.icmp_echo(inet.ICMP_ECHO_REQUEST, ident, seq, data)

    def ping(self, dst, count=3, size=56, interval=0.2, timeout=2.0):
        """Number of echo replies from `dst` to `count` requests."""
        ident = struct.unpack("!H", os.urandom(2))[0]
        for seq in range(count):
            self.send_ipv4(dst, inet.PROTO_ICMP, self._echo_request(ident, seq, size))
            time.sleep(interval)
        return self._wait_replies(ident, count, timeout)

    def _wait_replies(self, ident, count, timeout):
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                got = sum(1 for key in self.replies if key[0] == ident)
                left = deadline - time.monotonic()
                if got >= count or left <= 0:
                    return got
                self.cond.wait(left)

    def flood(self, dst, count=1000, size=56, timeout=5.0):
        """`count` echo requests as fast as the (paced) link takes them;
        returns (sent, replies)."""
        ident = struct.unpack("!H", os.urandom(2))[0]
        for seq in range(count):
            self.send_ipv4(dst, inet.PROTO_ICMP, self._echo_request(ident, seq, size))
        return count, self._wait_replies(ident, count, timeout)

    def udp_flood(self, dst, count=1000, size=200, port=9):
        """`count` UDP datagrams to `dst`:`port` at link speed."""
        for seq in range(count):
            data = struct.pack("!I", seq) + bytes(max(0, size - 4))
            self.send_ipv4(dst, inet.PROTO_UDP, inet.udp(self.local, dst, 40000, port, data))
        return count

    def burst(self, dst, count=200, size=56):
        """`count` echo requests written at once, without pacing: more than
        a UART would carry in the time. Returns (sent, replies)."""
        ident = struct.unpack("!H", os.urandom(2))[0]
        frames = [self.ipv4_wire(dst, inet.PROTO_ICMP, self._echo_request(ident, seq, size))
                  for seq in range(count)]
        self.note(f"tx burst of {count} echo requests, "
                  f"{sum(len(w) for _, w in frames)} bytes")
        self.write_frames(frames, pace=False)
        return count, self._wait_replies(ident, count, 3.0)

    def lcp_echo(self, count=3, timeout=2.0):
        """Number of LCP Echo-Replies to `count` Echo-Requests."""
        with self.lock:
            before = len(self.lcp.echo_replies)
            for _ in range(count):
                self.lcp.echo(b"zcap")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.lcp.echo_replies) - before >= count:
                    break
            time.sleep(0.05)
        return len(self.lcp.echo_replies) - before

    def terminate(self, timeout=3.0):
        """Closes the link with LCP Terminate-Request; whether it was acked."""
        with self.lock:
            self.lcp.close(b"bye")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.lcp.state == "closed":
                    return any(d == "rx" and c == 6 for _, d, c, _, _ in self.lcp.history)
            time.sleep(0.05)
        return False


def selftest():
    """Two peers on a pty pair: LCP, IPCP, IPV6CP and pings both ways."""
    import tty
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        with PppPeer(master, local="198.51.100.2", assign="198.51.100.1", name="a") as a, \
                PppPeer(slave, name="b") as b:
            up = a.wait_up(10) and b.wait_up(10)
            print(f"IPCP up: {up}; a={a.local} (remote {a.remote}), "
                  f"b={b.local} (remote {b.remote})")
            print(f"LCP: a state {a.lcp.state}, b state {b.lcp.state}, "
                  f"IPV6CP: a {a.ipv6cp.state}, b {b.ipv6cp.state}")
            to_b = a.ping(ipaddress.IPv4Address("198.51.100.1"), 5)
            to_a = b.ping(ipaddress.IPv4Address("198.51.100.2"), 5)
            sent, flood = a.flood(ipaddress.IPv4Address("198.51.100.1"), 500)
            print(f"pings a->b {to_b}/5, b->a {to_a}/5, flood a->b {flood}/{sent}")
            return up and to_b == 5 and to_a == 5 and flood == sent
    finally:
        os.close(master)
        os.close(slave)


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--selftest", action="store_true", help="two peers over a pty pair")
    arguments = parser.parse_args()
    if arguments.selftest:
        raise SystemExit(0 if selftest() else 1)
    parser.print_help()
