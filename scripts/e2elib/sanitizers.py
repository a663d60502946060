"""The sample under AddressSanitizer and UndefinedBehaviorSanitizer on
native_sim: the tunnel and cooked scenarios with this module, a traffic
run of the in-tree C code as the baseline, and the reports of each sorted
by where they come from.

Zephyr 4.1.99's own stack produces UBSAN reports (misaligned reads of
`in_addr`/`in6_addr` in net_ip.h and net_if.c) with either implementation:
they are counted per source file next to the C baseline's, never hidden.
What must hold: no ASAN report at all, and no UBSAN report from this
module's code (its C glue; the Rust library is not instrumented, and its
`unsafe` code lives behind the glue)."""

import re
from collections import Counter

from .cooked import cooked_run
from .netns import Namespace
from .scenarios import tunnel_run

CONFIGS = ["CONFIG_ASAN=y", "CONFIG_UBSAN=y", "CONFIG_NET_STATISTICS=y"]

UBSAN_RE = re.compile(r"(\S+?):(\d+):\d+: runtime error: (.*)")
ASAN_RE = re.compile(r"ERROR: AddressSanitizer: (\S+)")
MODULE_SOURCES = ("zephyr-module/", "net-capture-rs", "glue.c", "glue_cooked.c", "shell.c")


class Prefixed:
    """A report whose check names carry a prefix (the same scenario runs
    twice: plain and under the sanitizers)."""

    def __init__(self, report, prefix):
        self.report = report
        self.prefix = prefix

    def check(self, name, passed, detail=""):
        return self.report.check(f"{self.prefix}: {name}", passed, detail)

    def section(self, title):
        self.report.section(f"{self.prefix}: {title}")


def findings(log_text):
    """(ASAN report kinds, UBSAN reports as (file, line, message)), each
    UBSAN site once (both log backends print every line)."""
    asan = ASAN_RE.findall(log_text)
    ubsan = sorted({(m.group(1), int(m.group(2)), m.group(3).strip())
                    for m in UBSAN_RE.finditer(log_text)})
    return asan, ubsan


def from_module(path):
    return any(part in path for part in MODULE_SOURCES)


def by_file(ubsan):
    return Counter(re.sub(r".*/zephyr/", "", path) for path, _, _ in ubsan)


def baseline_traffic(image, workdir):
    """The C code under the sanitizers, with the traffic of the tunnel
    scenario: enable, pings of every size, disable. Returns the log and
    how many pings were answered. (The sample's "Capturing started" line
    is not waited for: under UBSAN's flood of reports from the stack it
    may come late or be cut.)"""
    log_path = workdir / "sanitizers-c.log"
    replies = 0
    with Namespace() as ns, image.device(ns, log_path) as dev:
        dev.wait_for(r'Use "net capture enable <ifindex>"', 30)
        dev.command("net capture enable 1")
        for address, size in [("192.0.2.1", None), ("2001:db8::1", None),
                              ("192.0.2.1", 1472), ("2001:db8::1", 1452)]:
            replies += ns.ping(address, count=2, size=size)
        dev.command("net capture disable")
    return log_path.read_text(errors="replace"), replies


def sanitizer_run(report, rust_image, cooked_image, c_image, workdir):
    """Runs the scenarios under the sanitizers (logs and captures in
    `workdir`, apart from the plain runs') and checks the reports."""
    workdir.mkdir(parents=True, exist_ok=True)
    tunnel_run(Prefixed(report, "ASAN+UBSAN"), rust_image, workdir)
    cooked_run(Prefixed(report, "ASAN+UBSAN"), cooked_image, workdir, 2)
    rust_log = "\n".join((workdir / name).read_text(errors="replace")
                         for name in ("tunnel.log", "cooked-sll2.log")
                         if (workdir / name).exists())
    c_log, c_replies = baseline_traffic(c_image, workdir)

    rust_asan, rust_ubsan = findings(rust_log)
    c_asan, c_ubsan = findings(c_log)
    ours = [site for site in rust_ubsan if from_module(site[0])]
    print(f"{'UBSAN sites by file':<44}{'Rust':>6}{'C':>6}")
    rust_files, c_files = by_file(rust_ubsan), by_file(c_ubsan)
    for path in sorted(set(rust_files) | set(c_files)):
        print(f"  {path:<42}{rust_files[path]:>6}{c_files[path]:>6}")
    report.check("sanitizers: no AddressSanitizer report with this module",
                 not rust_asan, ", ".join(rust_asan))
    report.check("sanitizers: no UBSAN report from this module's code", not ours,
                 "; ".join(f"{p}:{line}: {msg}" for p, line, msg in ours[:5]))
    report.check("sanitizers: the baseline ran (C code under the same sanitizers): "
                 "capture enabled, pings answered",
                 "net capture enable 1" in c_log and "failed" not in c_log and c_replies > 0,
                 f"C: {c_replies} of 8 pings answered, {len(c_ubsan)} UBSAN sites, "
                 f"ASAN {c_asan or 'none'}")
