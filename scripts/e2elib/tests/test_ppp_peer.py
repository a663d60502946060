"""Tests of the PPP peer and the capture decoding, without Zephyr.

From the repository root:
    python3 -m unittest discover -s scripts/e2elib/tests -v
"""

import ipaddress
import os
import struct
import sys
import time
import tty
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from e2elib import hdlc, inet  # noqa: E402
from e2elib.ppp_capture import (Captures, latest_match, one_byte_short,  # noqa: E402
                                parse_sll, tunnel_frames, tunnel_headers)
from e2elib.ppp_fsm import LCP_ACCM  # noqa: E402
from e2elib.ppp_peer import PppPeer  # noqa: E402
from e2elib.ppp_pppd import Relay  # noqa: E402

A, B = "198.51.100.2", "198.51.100.1"
# Zephyr's first LCP Configure-Request (MRU 1500, ACCM 0xffffffff), as
# its PPP driver wrote it on the UART.
ZEPHYR_LCP_CR = bytes.fromhex("7eff7d23c0217d217d217d207d2e7d217d247d25dc7d227d26ffffffffd6c67e")


def ip_frame(packet):
    return hdlc.ADDRESS_CONTROL + b"\x00\x21" + packet


class Framing(unittest.TestCase):
    def test_zephyr_frame_decodes_and_reencodes(self):
        frames = hdlc.Decoder().feed(ZEPHYR_LCP_CR)
        self.assertEqual(len(frames), 1)
        self.assertTrue(hdlc.fcs_ok(frames[0]))
        self.assertEqual(hdlc.split(frames[0])[0], 0xC021)
        self.assertEqual(hdlc.encode(frames[0][:-2]), ZEPHYR_LCP_CR)

    def test_stuffing_follows_the_accm(self):
        data = bytes(range(256))
        self.assertEqual(hdlc.stuff(data, 0), data.replace(b"\x7d", b"\x7d\x5d")
                         .replace(b"\x7e", b"\x7d\x5e"))
        self.assertEqual(len(hdlc.stuff(data, 0xFFFFFFFF)), 256 + 32 + 2)
        for accm in (0, 0xFFFFFFFF, 0x000A0000):
            self.assertEqual(hdlc.unstuff(hdlc.stuff(data, accm)), data)

    def test_decoder_byte_by_byte_and_bad_fcs(self):
        good = hdlc.encode(hdlc.ADDRESS_CONTROL + b"\xc0\x21\x09\x01\x00\x08\x00\x00\x00\x00")
        bad = bytearray(good)
        bad[6] ^= 1
        decoder = hdlc.Decoder()
        frames = []
        for byte in good + bytes(bad) + good:
            frames += decoder.feed(bytes((byte,)))
        self.assertEqual(len(frames), 2)
        self.assertEqual(decoder.bad_fcs, 1)


class Capture(unittest.TestCase):
    def test_sll_v2_and_v1(self):
        v2 = struct.pack("!HHIHBB8s", 0x19, 0, 2, 512, 4, 6, bytes(6) + b"\0\0") + b"\xff"
        self.assertEqual(parse_sll(v2, 2)["ifindex"], 2)
        self.assertEqual(parse_sll(v2, 2)["data"], b"\xff")
        v1 = struct.pack("!HHH8sH", 0, 512, 6, bytes(8), 0x19) + b"\xff\x03"
        self.assertEqual(parse_sll(v1, 1)["pkttype"], 0)
        self.assertEqual(parse_sll(v1, 1)["protocol"], 0x19)

    def test_recaptured_tunnel_packets_are_found(self):
        tunnel = inet.ipv4(B, A, 41, bytes(48))
        frame = ip_frame(tunnel)
        # The module captures sent frames whole and unstuffed.
        payload = struct.pack("!HHIHBB8s", 0x19, 0, 2, 512, 4, 6, bytes(8)) + hdlc.with_fcs(frame)
        caps = Captures([{"payload": payload}], 2)
        self.assertEqual(len(caps.outgoing), 1)
        self.assertEqual(caps.bad_outgoing(), [])
        self.assertEqual(len(tunnel_frames(caps.frames(), A)), 1)
        self.assertEqual(tunnel_headers(caps.outgoing, B, A), 1)

    def test_a_frame_missing_one_byte_is_recognised(self):
        frame = hdlc.with_fcs(ip_frame(inet.ipv4(B, A, 1, bytes(20))))
        self.assertTrue(one_byte_short(frame[:10] + frame[11:], [frame]))
        self.assertFalse(one_byte_short(frame[:10] + b"\x99" + frame[11:], [frame]))

    def test_latest_match(self):
        self.assertEqual(latest_match([1, 2], [1, 1, 2, 2]), [1, 3])
        self.assertIsNone(latest_match([2, 1], [1, 2]))


class Peers(unittest.TestCase):
    """Two peers on a pty pair."""

    def setUp(self):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.peers = []

    def tearDown(self):
        for peer in self.peers:
            peer.stop()
        os.close(self.master)
        os.close(self.slave)

    def pair(self, a_kwargs=None, b_kwargs=None):
        a = PppPeer(self.master, local=A, assign=B, name="a", **(a_kwargs or {}))
        b = PppPeer(self.slave, name="b", **(b_kwargs or {}))
        self.peers += [a, b]
        a.start()
        b.start()
        self.assertTrue(a.wait_up(10) and b.wait_up(10), (a.summary(), b.summary()))
        return a, b

    def test_negotiation_and_pings_both_ways(self):
        a, b = self.pair()
        self.assertEqual((a.local, a.remote), (ipaddress.IPv4Address(A), ipaddress.IPv4Address(B)))
        self.assertEqual((b.local, b.remote), (ipaddress.IPv4Address(B), ipaddress.IPv4Address(A)))
        self.assertEqual(a.lcp.peer_accm, 0)                 # both asked for ACCM 0
        self.assertNotEqual(a.lcp.peer_magic, 0)
        self.assertEqual(a.lcp.peer_magic, b.lcp.magic)
        self.assertEqual(a.ipv6cp.state, "opened")
        self.assertEqual(a.ping(B, 5), 5)
        self.assertEqual(b.ping(A, 5, size=1400), 5)
        self.assertEqual(a.lcp_echo(3), 3)
        self.assertEqual(a.flood(B, 300)[1], 300)
        self.assertEqual(b.burst(A, 100)[1], 100)

    def test_zephyr_like_side(self):
        """b negotiates as Zephyr does: it requests only the ACCM
        (0xffffffff), rejects every LCP option of the other side, and asks
        for 0.0.0.0 to be given an address."""
        a, b = self.pair(b_kwargs={"lcp_options": {"request": (LCP_ACCM,), "accept": (),
                                                   "accm": 0xFFFFFFFF}})
        self.assertEqual(a.lcp.rejected, {1, 2, 5})
        self.assertEqual(a.lcp.peer_accm, 0xFFFFFFFF)
        self.assertEqual(b.local, ipaddress.IPv4Address(B))
        self.assertEqual(b.ping(A, 3), 3)
        self.assertEqual(a.lcp_echo(1), 1)

    def test_ipv6cp_protocol_rejected(self):
        a, b = self.pair(b_kwargs={"ipv6": False})
        deadline = time.monotonic() + 5
        while a.ipv6cp.state != "stopped" and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(a.ipv6cp.state, "stopped")
        self.assertIn(0x8057, b.rejected_protocols)
        self.assertEqual(a.ping(B, 2), 2)

    def test_terminate(self):
        a, b = self.pair()
        self.assertTrue(a.terminate())
        self.assertEqual(b.lcp.state, "stopped")


class RelayTest(unittest.TestCase):
    """The pppd mode's relay, between two user-space peers."""

    def test_relay_between_peers(self):
        near_m, near_s = os.openpty()
        far_m, far_s = os.openpty()
        for fd in (near_s, far_s):
            tty.setraw(fd)
        device = PppPeer(near_s, name="device")
        host = PppPeer(far_s, local=A, assign=B, name="host")
        relay = Relay(near_m, far_m, pace=(64, 0.001)).start()
        try:
            device.start()
            host.start()
            self.assertTrue(device.wait_up(10) and host.wait_up(10))
            self.assertEqual(host.ping(B, 3), 3)
            body = struct.pack("!BBHI", 9, 0xA0, 18, 0) + b"zcap-relay"
            relay.inject(hdlc.ADDRESS_CONTROL + b"\xc0\x21" + body)
            deadline = time.monotonic() + 3
            while relay.echo_replies < 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(relay.echo_replies, 1)
            time.sleep(0.3)
            self.assertEqual([f for _, f in relay.rx_frames], [f for _, f in device.tx_frames])
            self.assertEqual(len(relay.rx_ipv4), 3)
        finally:
            device.stop()
            host.stop()
            relay.stop()
            for fd in (near_m, near_s, far_m, far_s):
                os.close(fd)


if __name__ == "__main__":
    unittest.main()
