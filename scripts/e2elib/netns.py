"""A private network namespace with the `zeth` TAP that native_sim's
Ethernet driver attaches to, configured as net-tools' net-setup.sh does
(192.0.2.2/24 and 2001:db8::2/64 on the host side). Traffic stays inside."""

import os
import subprocess
import time


class Namespace:
    """Created on enter, deleted on exit."""

    def __init__(self, name=None):
        self.name = name or f"zcap-e2e-{os.getpid()}"

    def run(self, *command, check=True, **kwargs):
        return subprocess.run(["ip", "netns", "exec", self.name, *command],
                              check=check, **kwargs)

    def popen(self, *command, **kwargs):
        return subprocess.Popen(["ip", "netns", "exec", self.name, *command], **kwargs)

    def __enter__(self):
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        self.run("ip", "link", "set", "lo", "up")
        self.run("ip", "tuntap", "add", "dev", "zeth", "mode", "tap")
        self.run("ip", "link", "set", "zeth", "up")
        self.run("ip", "addr", "add", "192.0.2.2/24", "dev", "zeth")
        self.run("ip", "addr", "add", "2001:db8::2/64", "dev", "zeth", "nodad")
        return self

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)

    def ping(self, address, count=3, size=None, timeout=10):
        """Number of replies to `count` echo requests."""
        command = ["ping", "-c", str(count), "-i", "0.3", "-W", "2"]
        if ":" in address:
            command.append("-6")
        if size is not None:
            command += ["-s", str(size)]
        result = self.run(*command, address, check=False, capture_output=True, text=True,
                          timeout=timeout)
        for line in result.stdout.splitlines():
            if "received" in line:
                return int(line.split(",")[1].split()[0])
        return 0


class Tshark:
    """tshark capturing on zeth inside the namespace, to a pcap file; with
    `program="dumpcap"`, its capture engine alone (no dissector, lighter
    on the CPU the image shares)."""

    def __init__(self, namespace, path, program="tshark"):
        self.namespace = namespace
        self.path = path
        self.program = program
        self.process = None

    def __enter__(self):
        pcap = ["-P"] if self.program == "dumpcap" else ["-F", "pcap"]
        self.process = self.namespace.popen(
            self.program, "-i", "zeth", *pcap, "-w", str(self.path), "-q",
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # tshark says so on stderr once it captures.
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline and "Capturing on" not in line:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                raise RuntimeError("tshark exited before capturing")
        return self

    def __exit__(self, *exc):
        time.sleep(1)
        self.process.terminate()
        self.process.wait(timeout=10)
        # tshark can exit before its dumpcap has written the last packets
        # (a board run's file was read cut in the middle of a record): wait
        # until the file stops growing.
        size, deadline = -1, time.monotonic() + 5
        while time.monotonic() < deadline:
            now = self.path.stat().st_size if self.path.exists() else 0
            if now == size:
                break
            size = now
            time.sleep(0.3)
