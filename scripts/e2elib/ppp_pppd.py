"""pppd as the PPP peer, for machines whose kernel has PPP (/dev/ppp).

pppd needs a tty of its own, so it gets a second pty, and a relay copies
bytes between the device's pty and pppd's: it paces what goes to the
device like a 115200-baud UART (ppp.c has no flow control), decodes both
directions (the scenario compares the captures with what crossed the
link), and can inject LCP Echo-Requests of its own. Pings and floods come
from the namespace's IP stack through pppd's interface.

This path cannot run on machines without /dev/ppp (where the scenario
uses ppp_peer.PppPeer instead); the relay itself is unit-tested with two
user-space peers (tests/test_ppp_peer.py). Select it with
`scripts/e2e --ppp-peer pppd` (or `auto`).
"""

import ipaddress
import os
import re
import select
import shutil
import struct
import subprocess
import threading
import time
import tty

from . import hdlc
from .ppp_peer import ZEPHYR_PACE

RELAY_ECHO_DATA = b"zcap-relay"


def pppd_available():
    """Whether pppd can run here: the kernel's PPP device and the binary."""
    return os.path.exists("/dev/ppp") and shutil.which("pppd") is not None


class Relay:
    """Copies bytes between `near` (the device's pty master) and `far`,
    pacing what goes to the device, and records the frames both ways as
    the PPP peer sees them: rx_frames from the device, tx_frames to it."""

    def __init__(self, near, far, pace=ZEPHYR_PACE):
        self.near, self.far = near, far
        self.pace = pace
        self.paced = True
        self.rx_frames, self.tx_frames, self.rx_ipv4 = [], [], []
        self.decoder = hdlc.Decoder()        # device -> far
        self.far_decoder = hdlc.Decoder()    # far -> device
        self.echo_replies = 0
        self._to_near = bytearray()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ppp-relay", daemon=True)
        self._next = 0.0

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=5)

    def inject(self, frame):
        """Sends a frame (address, control, protocol, information) to the
        device as if the far end had sent it."""
        with self._lock:
            self.tx_frames.append((time.monotonic(), hdlc.with_fcs(frame)))
            self._to_near += hdlc.encode(frame)

    def _run(self):
        os.set_blocking(self.near, False)
        while not self._stop.is_set():
            wait = 0.05
            if self._to_near:
                wait = max(0.0, min(wait, self._next - time.monotonic()))
            try:
                ready, _, _ = select.select([self.near, self.far], [], [], wait)
            except (OSError, ValueError):
                return
            if self.near in ready:
                self._from_device(self._read(self.near))
            if self.far in ready:
                data = self._read(self.far)
                now = time.monotonic()
                with self._lock:
                    for frame in self.far_decoder.feed(data):
                        self.tx_frames.append((now, frame))
                    self._to_near += data
            self._to_device()

    def _read(self, fd):
        try:
            return os.read(fd, 65536)
        except BlockingIOError:
            return b""
        except OSError:
            time.sleep(0.01)
            return b""

    def _from_device(self, data):
        now = time.monotonic()
        for frame in self.decoder.feed(data):
            self.rx_frames.append((now, frame))
            parts = hdlc.split(frame)
            if parts and parts[0] == 0x0021:
                self.rx_ipv4.append((now, bytes(parts[1])))
            elif parts and parts[0] == 0xC021 and parts[1][:1] == b"\x0a" \
                    and parts[1][8:] == RELAY_ECHO_DATA:
                # A reply to the relay's own echo; pppd ignores it.
                self.echo_replies += 1
        try:
            os.write(self.far, data)
        except OSError:
            pass

    def _to_device(self):
        with self._lock:
            if not self._to_near:
                return
            step, interval = self.pace if self.paced else (len(self._to_near), 0)
            if time.monotonic() < self._next:
                return
            chunk = bytes(self._to_near[:step])
            try:
                written = os.write(self.near, chunk)
            except BlockingIOError:
                written = 0
            except OSError:
                written = len(chunk)  # the device is gone: drop
            del self._to_near[:written]
            self._next = time.monotonic() + (interval * written / step if written else 0.001)


class PppdLink:
    """pppd in `namespace`, with the same interface as PppPeer where the
    scenario uses it."""

    def __init__(self, namespace, device_fd, local, assign, log, ifname="zppp0", ipv6=True):
        self.namespace = namespace
        self.device_fd = device_fd
        self.local_address = ipaddress.IPv4Address(local)
        self.assign = ipaddress.IPv4Address(assign)
        self.log = log
        self.ifname = ifname
        self.ipv6 = ipv6
        self.process = None
        self.relay = None
        self._fds = ()

    def start(self):
        master, slave = os.openpty()
        tty.setraw(slave)
        self._fds = (master, slave)
        self.relay = Relay(self.device_fd, master).start()
        command = ["pppd", os.ttyname(slave), "115200", "nodetach", "noauth", "local",
                   "nocrtscts", "nodefaultroute", "noccp", "novj", "nopcomp", "noaccomp",
                   "lcp-echo-interval", "0", "mru", "1500", "mtu", "1500",
                   "ifname", self.ifname, f"{self.local_address}:{self.assign}",
                   "+ipv6" if self.ipv6 else "noipv6", "debug", "logfile", str(self.log)]
        self.process = self.namespace.popen(*command, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.STDOUT)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.relay:
            self.relay.stop()
        for fd in self._fds:
            os.close(fd)
        self._fds = ()

    def wait_up(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.namespace.run("ip", "-4", "addr", "show", "dev", self.ifname,
                                     check=False, capture_output=True, text=True).stdout
            if f"inet {self.local_address} peer {self.assign}" in out:
                return True
            time.sleep(0.3)
        return False

    @property
    def local(self):
        return self.local_address

    @property
    def remote(self):
        return self.assign

    def summary(self):
        return f"pppd on {self.ifname}: local {self.local}, remote {self.remote}"

    # what the scenario reads ---------------------------------------------
    rx_frames = property(lambda self: self.relay.rx_frames)
    tx_frames = property(lambda self: self.relay.tx_frames)
    rx_ipv4 = property(lambda self: self.relay.rx_ipv4)
    decoder = property(lambda self: self.relay.decoder)

    # traffic ------------------------------------------------------------
    def _ping(self, dst, *options, timeout=60):
        result = self.namespace.run("ping", "-n", "-I", self.ifname, *options, str(dst),
                                    check=False, capture_output=True, text=True,
                                    timeout=timeout)
        match = re.search(r"(\d+) received", result.stdout)
        return int(match.group(1)) if match else 0

    def ping(self, dst, count=3, size=56, interval=0.2, timeout=2.0):
        return self._ping(dst, "-c", str(count), "-s", str(size), "-i", str(interval),
                          "-W", str(timeout))

    def flood(self, dst, count=1000, size=56, timeout=5.0):
        return count, self._ping(dst, "-f", "-c", str(count), "-s", str(size), "-W", "1")

    def udp_flood(self, dst, count=1000, size=200, port=9):
        code = ("import socket,sys;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);"
                "[s.sendto(bytes(int(sys.argv[2])),(sys.argv[1],9)) "
                "for _ in range(int(sys.argv[3]))]")
        self.namespace.run("python3", "-c", code, str(dst), str(size), str(count),
                           check=False, timeout=120)
        return count

    def burst(self, dst, count=200, size=56):
        """The flood again, but the relay passes it on unpaced."""
        self.relay.paced = False
        try:
            return count, self._ping(dst, "-f", "-l", "50", "-c", str(count), "-s", str(size),
                                     "-W", "1")
        finally:
            self.relay.paced = True

    def lcp_echo(self, count=3, timeout=2.0):
        """LCP Echo-Requests sent by the relay itself (pppd's own echoes
        are off); their replies do not reach pppd."""
        before = self.relay.echo_replies
        for ident in range(count):
            body = struct.pack("!BBHI", 9, 0xA0 + ident, 8 + len(RELAY_ECHO_DATA), 0)
            self.relay.inject(hdlc.ADDRESS_CONTROL + b"\xc0\x21" + body + RELAY_ECHO_DATA)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.relay.echo_replies - before < count:
            time.sleep(0.05)
        return self.relay.echo_replies - before
