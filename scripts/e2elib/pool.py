"""The pool part: the sample with a TX thread (CONFIG_NET_TC_TX_COUNT=1,
as samples/net/zperf has), flooded with UDP. Captured frames wait for the
thread that sends them, so the capture pool runs dry during the flood.
The capture path must then drop and count, log the exhaustion once, and
never make the stack's allocator log an error per capture, nor stall
the stack's threads."""

from .netns import Namespace, Tshark
from .scenarios import alive, capture_listing, pool_drops, pool_log_counts
from .serial_stream import DEVICE_IP, FLOOD

CONFIGS = ["CONFIG_NET_TC_TX_COUNT=1"]
# UDP datagrams of the flood (to a closed port, unpaced) and their size.
FLOOD_COUNT = 300
FLOOD_SIZE = 1000


def pool_run(report, image, workdir):
    log = workdir / "pool.log"
    with Namespace() as ns, Tshark(ns, workdir / "pool.pcap"), image.device(ns, log) as dev:
        dev.wait_for(r'Use "net capture enable <ifindex>"', 30)
        capture_listing(dev)  # the in-tree shell learns the device from a listing
        report.check("pool: capture enabled on eth0",
                     dev.expect("net capture enable 1", r"Capturing started on interface 1"))
        ns.run("python3", "-c", FLOOD, str(FLOOD_COUNT), str(FLOOD_SIZE), "0")
        stats = dev.command("net capture_stats", settle=2.0)
        print("\n".join(stats[1:]))
        no_memory = pool_drops(stats)
        report.check("pool: the flood ran the capture pool dry (no-memory drops counted)",
                     no_memory > 0, f"{no_memory} no-memory drops")
        report.check("pool: the device answers its shell and pings after the flood",
                     alive(dev, ns))
        dev.command("net capture disable")
    warnings, alloc_errors = pool_log_counts(log.read_text(errors="replace"))
    report.check("pool: the exhaustion is logged once, with no allocator error per capture",
                 warnings == 1 and alloc_errors == 0,
                 f"{warnings} warning(s), {alloc_errors} allocator errors")
