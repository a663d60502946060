"""The stream part in cooked mode: the sample's `sample send` frames (a
CAN frame and three PPP frames handed to net_capture_data) go over the
second pty UART as capture stream records and come out of
`zcap --serial` as SLL v2 frames that tshark decodes."""

import time

from .cooked import EXPECTED, FIELDS
from .device import Device
from .netns import Namespace
from .pcap import tshark_fields
from .serial_stream import CONFIGS, start_streaming, stop_streaming, stream_pty

COOKED_CONFIGS = CONFIGS + ["CONFIG_NET_CAPTURE_COOKED_MODE=y",
                            "CONFIG_NET_CAPTURE_COOKED_MODE_SLLV2=y"]


def stream_cooked_run(report, exe, workdir, zcap_path):
    out = workdir / "stream-cooked.pcapng"
    if out.exists():
        out.unlink()
    with Namespace(name=f"zcap-cooked-{int(time.time()) % 100000}") as ns, \
            Device(ns, [exe, "-uart_stdinout"], workdir / "stream-cooked-device.log") as dev:
        pty = stream_pty(report, dev, "stream, cooked")
        if not pty:
            return
        report.check("stream, cooked: the sample sets up cooked capture",
                     dev.wait_for(r'Type "sample send"', 20))
        zcap = start_streaming(report, ns, dev, zcap_path, pty, out, "stream, cooked")
        dev.command("sample send", settle=2.0)
        stop_streaming(dev, zcap)
        report.check("stream, cooked: the device is alive after `sample send`", dev.alive)
    rows = tshark_fields(out, FIELDS) if out.exists() else []
    got = [(r[0], r[1], r[2], r[3] or r[4], r[5]) for r in rows]
    report.check("stream, cooked: the four `sample send` frames are in the stream capture, "
                 "decoded by tshark as SLL v2 with direction, ARPHRD type, address and "
                 "protocol", got == EXPECTED, f"got {got}")
    report.check("stream, cooked: each on the cooked interface (SLL v2 ifindex 2)",
                 rows and all(r[6] == "2" for r in rows), [r[6] for r in rows])
