"""The stream part in cooked mode: the sample's `sample send` frames (a
CAN frame and three PPP frames handed to net_capture_data) go over the
second pty UART as capture stream records and come out of
`zcap --serial` as SLL v2 frames that tshark decodes."""

import signal
import subprocess
import time

from .cooked import EXPECTED, FIELDS
from .device import Device
from .netns import Namespace
from .serial_stream import CONFIGS, CONF_FILES, UART1_PTY, tshark_fields

COOKED_CONFIGS = CONFIGS + ["CONFIG_NET_CAPTURE_COOKED_MODE=y",
                            "CONFIG_NET_CAPTURE_COOKED_MODE_SLLV2=y"]
COOKED_CONF_FILES = CONF_FILES


def stream_cooked_run(report, exe, workdir, zcap_path):
    out = workdir / "stream-cooked.pcapng"
    if out.exists():
        out.unlink()
    with Namespace(name=f"zcap-cooked-{int(time.time()) % 100000}") as ns, \
            Device(ns, [exe, "-uart_stdinout"], workdir / "stream-cooked-device.log") as dev:
        line = dev.wait_for(UART1_PTY.pattern, timeout=20)
        pty = UART1_PTY.search(line).group(1) if line else None
        report.check("stream, cooked: the image has a second pty UART", pty, line or "")
        if not pty:
            return
        report.check("stream, cooked: the sample sets up cooked capture",
                     dev.wait_for(r'Type "sample send"', 20))
        zcap = ns.popen(str(zcap_path), "--serial", pty, "-w", str(out),
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        sink = dev.command("net capture_rs sink uart", settle=1.5)
        report.check("stream, cooked: `net capture_rs sink uart` selects the UART",
                     any("Capture sink: uart" in line for line in sink), " | ".join(sink))
        dev.command("sample send", settle=2.0)
        dev.command("net capture_rs sink tunnel", settle=2.0)
        zcap.send_signal(signal.SIGINT)
        try:
            zcap.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            zcap.kill()
            zcap.communicate()
        report.check("stream, cooked: the device is alive after `sample send`", dev.alive)
    rows = tshark_fields(out, FIELDS) if out.exists() else []
    got = [(r[0], r[1], r[2], r[3] or r[4], r[5]) for r in rows]
    report.check("stream, cooked: the four `sample send` frames are in the stream capture, "
                 "decoded by tshark as SLL v2 with direction, ARPHRD type, address and "
                 "protocol", got == EXPECTED, f"got {got}")
    report.check("stream, cooked: each on the cooked interface (SLL v2 ifindex 2)",
                 rows and all(r[6] == "2" for r in rows), [r[6] for r in rows])
