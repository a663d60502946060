"""The pool part: the sample with a capture buffer pool too small for a
full-size frame, so that every large capture is refused for lack of
buffers. The capture path must drop and count those, log the exhaustion
once, and never make the stack's allocator log an error per capture."""

from .netns import Namespace, Tshark
from .scenarios import capture_listing, check_pool_logging, pool_drops

# Four 128-byte buffers: a small ping's capture fits, a 1000-byte one does not.
CONFIGS = ["CONFIG_NET_CAPTURE_BUF_COUNT=4"]
LARGE_PINGS = 10


def pool_run(report, image, workdir):
    log = workdir / "pool.log"
    with Namespace() as ns, Tshark(ns, workdir / "pool.pcap"), image.device(ns, log) as dev:
        dev.wait_for(r'Use "net capture enable <ifindex>"', 30)
        capture_listing(dev)  # the in-tree shell learns the device from a listing
        report.check("pool: capture enabled on eth0",
                     dev.expect("net capture enable 1", r"Capturing started on interface 1"))
        small = ns.ping("192.0.2.1", count=3)
        large = ns.ping("192.0.2.1", count=LARGE_PINGS, size=1000, timeout=30)
        report.check("pool: the device answers small and large pings while its captures fail",
                     small == 3 and large == LARGE_PINGS,
                     f"{small}/3 small, {large}/{LARGE_PINGS} large")
        stats = dev.command("net capture_stats")
        print("\n".join(stats[1:]))
        no_memory = pool_drops(stats)
        report.check("pool: the large captures are counted as no-memory drops",
                     no_memory >= LARGE_PINGS, f"{no_memory} no-memory drops")
        dev.command("net capture disable")
    check_pool_logging(report, log.read_text(errors="replace"), no_memory)
