"""`zcap --shell` against the real device: the upstream capture sample
(overlay-tunnel.conf) on native_sim, whose shell is on its UART pty, in a
private network namespace. zcap sets the capture up through that shell
(replacing the one the sample makes at boot), reads the tunnel on the
namespace's `zeth` TAP without any kernel tunnel, stops after N frames
while the host pings the device, and cleans the device up; tshark checks
the pcapng, the device's shell checks that no capture is left."""

import os
import re
import select
import subprocess
import time
import tty

from .netns import Namespace
from .scenarios import ROW

DEVICE_IP = "192.0.2.1"
PTY_LINE = re.compile(r"pseudotty: (/dev/pts/\d+)")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
PROMPT = ":~$ "


class PtyImage:
    """native_sim with its UART on a pty (no -uart_stdinout): the shell
    and the log are on the pty, the simulator's own lines on stdout."""

    def __init__(self, namespace, exe, log_path):
        self.namespace = namespace
        self.exe = exe
        self.log_path = log_path
        self.process = None
        self.pty = None

    def __enter__(self):
        self.log = open(self.log_path, "w")
        self.process = self.namespace.popen(
            str(self.exe), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.pty is None:
            line = self.process.stdout.readline()
            if not line:
                break
            self.log.write(line)
            match = PTY_LINE.search(line)
            if match:
                self.pty = match.group(1)
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self.log.close()

    @property
    def alive(self):
        return self.process.poll() is None


class PtyShell:
    """The device's shell on its pty, typed into as a person would."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd)

    def close(self):
        os.close(self.fd)

    def _read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return ""
        try:
            return os.read(self.fd, 4096).decode(errors="replace")
        except BlockingIOError:
            return ""

    def command(self, text, timeout=5.0):
        """The lines `text` printed, up to the next idle prompt; None if
        none came."""
        while self._read(0.05):
            pass
        for at in range(0, len(text), 8):
            os.write(self.fd, text[at:at + 8].encode())
            time.sleep(0.02)
        os.write(self.fd, b"\n")
        received = ""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            received += ANSI.sub("", self._read(0.1)).replace("\r", "")
            lines = received.split("\n")
            if len(lines) > 1 and lines[-1].endswith(PROMPT):
                return [line for line in lines[1:-1] if line.strip()]
        return None


def wait_until_up(namespace, timeout=30):
    """Whether the device answers a ping within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if namespace.ping(DEVICE_IP, count=1, timeout=5) == 1:
            return True
        time.sleep(0.5)
    return False


def tshark_rows(path, fields):
    command = ["tshark", "-r", str(path), "-T", "fields", "-E", "separator=|"]
    for field in fields:
        command += ["-e", field]
    result = subprocess.run(command, capture_output=True, text=True)
    return [line.split("|") for line in result.stdout.splitlines()], result.returncode


def zcap_shell_run(report, image, workdir, zcap_path, count=12):
    """`zcap --shell <pty> -w out.pcapng -c <count>` against the sample
    while the host pings it; checks the pcapng with tshark and the device's
    capture listing afterwards."""
    if not image.target.name.startswith("native_sim"):
        report.check("zcap --shell: the image runs on native_sim (its UART is a pty)", False,
                     image.target.name)
        return
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "zcap-shell.pcapng"
    if out.exists():
        out.unlink()
    exe = image.build_dir / "zephyr" / "zephyr.exe"
    with Namespace() as ns, PtyImage(ns, exe, workdir / "zcap-shell-device.log") as dev:
        report.check("zcap --shell: the device's UART is a pty", dev.pty, dev.pty or "no pty line")
        if not dev.pty:
            return
        report.check("zcap --shell: the device is on the network", wait_until_up(ns))
        ping = ns.popen("ping", "-i", "0.2", DEVICE_IP, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
        try:
            zcap = ns.run(str(zcap_path), "--shell", dev.pty, "-w", str(out), "-c", str(count),
                          check=False, capture_output=True, text=True, timeout=90)
        except subprocess.TimeoutExpired as expired:
            zcap = None
            report.check("zcap --shell: zcap ends after its frames", False, str(expired))
        finally:
            ping.terminate()
            ping.wait(timeout=10)
        (workdir / "zcap-shell.stderr").write_text(zcap.stderr if zcap else "")
        if zcap is not None:
            report.check(f"zcap --shell: zcap ends after -c {count} frames with status 0",
                         zcap.returncode == 0,
                         f"status {zcap.returncode}: {zcap.stderr.strip()[-400:]}")
            said = zcap.stderr
            report.check("zcap --shell: zcap set the capture up through the shell, towards "
                         "this host's address on zeth",
                         "net capture setup 192.0.2.2 2001:db8:200::1 2001:db8:200::2" in said
                         and "net capture enable 1" in said
                         and "reading the capture tunnel on zeth" in said,
                         " | ".join(line for line in said.splitlines() if "net capture" in line))
            report.check("zcap --shell: zcap disabled and cleaned up the capture at exit",
                         "net capture disable" in said and "net capture cleanup" in said)
        shell = PtyShell(dev.pty)
        try:
            listing = shell.command("net capture") or []
        finally:
            shell.close()
        rows = [line for line in listing if ROW.match(line) or line.startswith("NET_CAPTURE")]
        report.check("zcap --shell: afterwards `net capture` lists no device",
                     any("Network packet capture disabled" in line for line in listing)
                     and not rows, " | ".join(listing))
        report.check("zcap --shell: the device is alive and on the network afterwards",
                     dev.alive and ns.ping(DEVICE_IP, count=1) == 1)
    if not out.exists():
        report.check("zcap --shell: zcap wrote the pcapng", False, str(out))
        return
    rows, status = tshark_rows(out, ["frame.interface_name", "frame.protocols",
                                     "icmp.type", "ip.src", "ip.dst"])
    report.check(f"zcap --shell: tshark reads {count} frames from the pcapng",
                 status == 0 and len(rows) == count, f"{len(rows)} frames")
    names = {row[0] for row in rows}
    report.check("zcap --shell: every frame comes from the device's tunnel end, as Ethernet",
                 names == {"zephyr-2001:db8:200::1-eth"}
                 and all(row[1].startswith("eth:ethertype:") for row in rows), sorted(names))
    requests = [row for row in rows if row[2] == "8" and row[4] == DEVICE_IP]
    replies = [row for row in rows if row[2] == "0" and row[3] == DEVICE_IP]
    report.check("zcap --shell: the pcapng holds the host's pings and the device's replies",
                 requests and replies, f"{len(requests)} requests, {len(replies)} replies")
