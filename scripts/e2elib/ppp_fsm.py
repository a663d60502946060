"""The option negotiation automaton of RFC 1661 (section 4), shared by the
control protocols of ppp_protocols.py."""

import struct
import time

CONF_REQ, CONF_ACK, CONF_NAK, CONF_REJ = 1, 2, 3, 4
TERM_REQ, TERM_ACK, CODE_REJ, PROTO_REJ = 5, 6, 7, 8
ECHO_REQ, ECHO_REPLY, DISCARD_REQ = 9, 10, 11
ACK, NAK, REJ = "ack", "nak", "rej"

LCP_MRU, LCP_ACCM, LCP_AUTH, LCP_MAGIC, LCP_PFC, LCP_ACFC = 1, 2, 3, 5, 7, 8
IPCP_ADDRESS, IPCP_DNS1, IPCP_DNS2 = 3, 129, 131
IPV6CP_IID = 1


def parse_options(data):
    """[(type, value)] of a Configure-* body, or None if malformed."""
    options, at = [], 0
    while at < len(data):
        if at + 2 > len(data) or data[at + 1] < 2 or at + data[at + 1] > len(data):
            return None
        options.append((data[at], bytes(data[at + 2:at + data[at + 1]])))
        at += data[at + 1]
    return options


def build_options(options):
    return b"".join(bytes((kind, len(value) + 2)) + value for kind, value in options)


class ControlProtocol:
    """One control protocol's automaton. Subclasses give the options."""

    name = "?"
    protocol = 0
    codes = (CONF_REQ, CONF_ACK, CONF_NAK, CONF_REJ, TERM_REQ, TERM_ACK, CODE_REJ)

    def __init__(self, peer, restart=1.0, max_configure=10, max_terminate=2):
        self.peer = peer
        self.state = "initial"
        self.restart = restart
        self.max_configure = max_configure
        self.max_terminate = max_terminate
        self.ident = 0
        self.request = None        # (ident, options) of our last Configure-Request
        self.retries = 0
        self.deadline = None
        self.rejected = set()      # our option types the other side rejected
        self.history = []          # (time, direction, code, ident, options or data)

    # hooks --------------------------------------------------------------
    def my_options(self):
        return []

    def check(self, kind, value):
        """ACK, (NAK, value) or REJ for one option of the other side."""
        return REJ

    def nak(self, kind, value):
        """The other side suggests `value` for our option `kind`."""

    def peer_acked(self, options):
        """We acknowledged the other side's options."""

    def acked(self, options):
        """The other side acknowledged our options."""

    def up(self):
        pass

    def down(self):
        pass

    def extra(self, code, ident, data):
        """Codes beyond Code-Reject (LCP only); False = unknown code."""
        return False

    # actions ------------------------------------------------------------
    def send(self, code, ident, data=b""):
        self.history.append((time.monotonic(), "tx", code, ident, bytes(data)))
        self.peer.send_frame(self.protocol, struct.pack("!BBH", code, ident, 4 + len(data)) + data)

    def next_ident(self):
        self.ident = (self.ident + 1) & 0xFF
        return self.ident

    def send_request(self, fresh=True):
        if fresh or self.request is None:
            options = [o for o in self.my_options() if o[0] not in self.rejected]
            self.request = (self.next_ident(), options)
        else:
            self.request = (self.next_ident(), self.request[1])
        self.deadline = time.monotonic() + self.restart
        self.send(CONF_REQ, self.request[0], build_options(self.request[1]))

    def set_state(self, state):
        if state == self.state:
            return
        was_open = self.state == "opened"
        self.peer.note(f"{self.name}: {self.state} -> {state}")
        self.state = state
        if was_open:
            self.down()
        if state == "opened":
            self.deadline = None
            self.up()

    def open(self):
        """Lower layer up and administratively open: start negotiating."""
        self.retries = 0
        self.rejected = set()
        self.send_request()
        self.set_state("req-sent")

    def lower_down(self):
        self.deadline = None
        self.set_state("initial")

    def close(self, reason=b""):
        if self.state in ("initial", "closed", "stopped"):
            self.set_state("closed")
            return
        self.retries = 0
        self.deadline = time.monotonic() + self.restart
        self.send(TERM_REQ, self.next_ident(), reason)
        self.set_state("closing")

    def tick(self, now):
        if self.deadline is None or now < self.deadline:
            return
        self.retries += 1
        if self.state == "closing":
            if self.retries > self.max_terminate:
                self.deadline = None
                self.set_state("closed")
            else:
                self.deadline = now + self.restart
                self.send(TERM_REQ, self.next_ident())
        elif self.state in ("req-sent", "ack-rcvd", "ack-sent"):
            if self.retries > self.max_configure:
                self.deadline = None
                self.set_state("stopped")
            else:
                self.send_request(fresh=False)
                if self.state == "ack-rcvd":
                    self.set_state("req-sent")
        else:
            self.deadline = None

    # input --------------------------------------------------------------
    def input(self, info):
        if len(info) < 4:
            return
        code, ident, length = struct.unpack("!BBH", info[:4])
        if length < 4 or length > len(info):
            return
        data = bytes(info[4:length])
        self.history.append((time.monotonic(), "rx", code, ident, data))
        if self.state == "initial":
            return
        if code == CONF_REQ:
            self.got_request(ident, data)
        elif code in (CONF_ACK, CONF_NAK, CONF_REJ):
            self.got_answer(code, ident, data)
        elif code == TERM_REQ:
            self.send(TERM_ACK, ident)
            if self.state == "opened":
                self.set_state("stopped")
            elif self.state in ("ack-rcvd", "ack-sent"):
                self.set_state("req-sent")
        elif code == TERM_ACK:
            if self.state == "closing":
                self.deadline = None
                self.set_state("closed")
            elif self.state == "ack-rcvd":
                self.set_state("req-sent")
            elif self.state == "opened":
                self.send_request()
                self.set_state("req-sent")
        elif code == CODE_REJ:
            self.peer.note(f"{self.name}: Code-Reject {data[:4].hex()}")
        elif not self.extra(code, ident, data):
            self.send(CODE_REJ, self.next_ident(), info[:length])

    def got_request(self, ident, data):
        if self.state in ("closed", "closing"):
            if self.state == "closed":
                self.send(TERM_ACK, ident)
            return
        options = parse_options(data)
        if options is None:
            return
        rejects, naks = [], []
        for kind, value in options:
            verdict = self.check(kind, value)
            if verdict == REJ:
                rejects.append((kind, value))
            elif verdict != ACK:
                naks.append((kind, verdict[1]))
        if self.state == "stopped":
            self.retries = 0
            self.send_request()
            self.set_state("req-sent")
        elif self.state == "opened":
            self.send_request()
            self.set_state("req-sent")
        if rejects or naks:
            code, body = (CONF_REJ, rejects) if rejects else (CONF_NAK, naks)
            self.send(code, ident, build_options(body))
            if self.state == "ack-sent":
                self.set_state("req-sent")
            return
        self.send(CONF_ACK, ident, data)
        self.peer_acked(options)
        if self.state == "ack-rcvd":
            self.set_state("opened")
        elif self.state == "req-sent":
            self.set_state("ack-sent")

    def got_answer(self, code, ident, data):
        if self.request is None or ident != self.request[0]:
            return
        options = parse_options(data)
        if options is None:
            return
        if code == CONF_ACK:
            if options != self.request[1]:
                return
            self.acked(options)
            self.retries = 0
            if self.state == "req-sent":
                self.deadline = time.monotonic() + self.restart
                self.set_state("ack-rcvd")
            elif self.state == "ack-sent":
                self.set_state("opened")
            elif self.state in ("ack-rcvd", "opened"):
                self.send_request()
                self.set_state("req-sent")
            return
        for kind, value in options:
            if code == CONF_REJ:
                self.rejected.add(kind)
            else:
                self.nak(kind, value)
        if self.state in ("req-sent", "ack-sent"):
            self.retries = 0
            self.send_request()
        elif self.state in ("ack-rcvd", "opened"):
            self.send_request()
            self.set_state("req-sent")
