"""An image running in a namespace (native_sim with -uart_stdinout, or a
board in QEMU with its console on stdio), driven through its shell."""

import queue
import re
import subprocess
import threading
import time

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class Device:
    """The running image; `transcript` holds every line it printed."""

    def __init__(self, namespace, command, log_path, env=None, slow=1.0):
        """`slow` stretches every wait (QEMU emulates the board)."""
        self.namespace = namespace
        self.slow = slow
        self.argv = [str(word) for word in command]
        self.env = env
        self.log_path = log_path
        self.lines = queue.Queue()
        self.transcript = []
        self.process = None

    def __enter__(self):
        self.process = self.namespace.popen(
            *self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1, env=self.env)
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self):
        with open(self.log_path, "w") as log:
            for raw in self.process.stdout:
                line = ANSI.sub("", raw).replace("\r", "").rstrip("\n")
                log.write(line + "\n")
                log.flush()
                self.lines.put(line)

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)

    @property
    def alive(self):
        return self.process.poll() is None

    def wait_for(self, pattern, timeout=10):
        """The first new line matching `pattern`, or None after `timeout` s."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout * self.slow
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                return None
            self.transcript.append(line)
            if regex.search(line):
                return line

    def type(self, text):
        """Writes a line the way a person types it: in small pieces, since
        the UART's receive ring is smaller than a long command."""
        for at in range(0, len(text), 8):
            self.process.stdin.write(text[at:at + 8])
            self.process.stdin.flush()
            time.sleep(0.02)
        self.process.stdin.write("\n")
        self.process.stdin.flush()

    def command(self, text, settle=1.0):
        """Sends a shell command; returns the lines printed within `settle`
        seconds after it."""
        self.drain()
        self.type(text)
        out = []
        deadline = time.monotonic() + settle * self.slow
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.transcript.append(line)
            out.append(line)
        return out

    def expect(self, text, pattern, timeout=5):
        """Sends a shell command and waits for a line matching `pattern`
        among what follows; returns that line or None."""
        self.drain()
        self.type(text)
        return self.wait_for(pattern, timeout)

    def drain(self):
        while True:
            try:
                self.transcript.append(self.lines.get_nowait())
            except queue.Empty:
                return
