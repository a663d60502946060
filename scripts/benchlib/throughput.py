# Copyright (c) 2026 The zephyr-net-capture authors
# SPDX-License-Identifier: Apache-2.0
"""Throughput with capture on (--throughput, --throughput-only): Zephyr's
samples/net/zperf, built for native_sim with scripts/e2elib/zperf/
capture.conf, in a private network namespace, in TCP bulk transfers with
iperf 2 on the host, receiving (host -> device) and sending (device ->
host), each without and with the Ethernet interface captured into the
tunnel; for this module, the in-tree C capture and any module checkout
named with --compare-module (e.g. an older commit). Figures are medians
of alternating off/on rounds, in Mbit/s as iperf measured them on the
host, with the capture counters of each captured run and a check that
every frame on the wire was either captured or counted as dropped."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .build import REPO

sys.path.insert(0, str(REPO / "scripts"))

from e2elib import zperf  # noqa: E402
from e2elib.build import Options, build as e2e_build  # noqa: E402
from e2elib.target import Image, target  # noqa: E402

BOARD = "native_sim/native/64"


def add_arguments(ap):
    ap.add_argument("--throughput", action="store_true",
                    help="also measure zperf TCP throughput with capture off and on "
                         "(root, iperf 2, dumpcap)")
    ap.add_argument("--throughput-only", action="store_true",
                    help="only the throughput section")
    ap.add_argument("--compare-module", action="append", default=[], metavar="LABEL=PATH",
                    help="throughput: also a build with the module checkout at PATH "
                         "(e.g. old=/path/to/an/older/checkout)")
    ap.add_argument("--seconds", type=int, default=8,
                    help="throughput: seconds per transfer (default 8)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="throughput: off/on rounds per variant and direction (default 3)")
    ap.add_argument("--directions", default="rx,tx",
                    help="throughput: rx (host sends), tx (device sends) or both (default)")


def median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def section(args, build_root, python):
    """Builds samples/net/zperf per variant, runs the transfers and prints
    the table; returns the list of errors."""
    if os.geteuid() != 0:
        return ["--throughput needs root (network namespaces)"]
    missing = [t for t in ["iperf", "dumpcap", "ip", "stdbuf"]
               + ([] if args.no_build else ["cmake", "ninja"]) if shutil.which(t) is None]
    if missing:
        return [f"--throughput: not found on PATH: {', '.join(missing)}"]
    os.environ["PATH"] = f"{Path(python).parent}{os.pathsep}{os.environ['PATH']}"
    app = Path(os.environ["ZEPHYR_BASE"]) / "samples" / "net" / "zperf"
    board = target(BOARD)
    variants = [("rust", "Rust (this module)", REPO, ["CONFIG_NET_CAPTURE_RS=y"]),
                ("c", "C (in-tree)", REPO, ["CONFIG_NET_CAPTURE_RS=n"])]
    for spec in args.compare_module:
        label, _, path = spec.partition("=")
        if not path or not (Path(path) / "zephyr" / "module.yml").is_file():
            return [f"--compare-module {spec!r}: expected LABEL=PATH to a module checkout"]
        variants.append((re.sub(r"\W", "_", label), f"Rust, {label}", Path(path).resolve(),
                         ["CONFIG_NET_CAPTURE_RS=y"]))
    directions = [d for d in args.directions.split(",") if d]
    if not directions or any(d not in ("rx", "tx") for d in directions):
        return [f"--directions {args.directions!r}: expected rx, tx or rx,tx"]
    errors, results = [], {}
    for name, label, module, configs in variants:
        bdir = build_root / f"zperf-{name}"
        if args.no_build:
            if not (bdir / "zephyr" / "zephyr.exe").is_file():
                errors.append(f"--no-build: {bdir}/zephyr/zephyr.exe does not exist")
                continue
        else:
            print(f"building zperf {name} in {bdir} ...", file=sys.stderr, flush=True)
            e2e_build(app, bdir, Options(board, [module]), [str(zperf.CONF)], configs)
        dotconfig = (bdir / "zephyr" / ".config").read_text()
        if "CONFIG_NET_TC_TX_COUNT=1" not in dotconfig:
            errors.append(f"{bdir}: not built with the sample's TX thread")
        workdir = build_root / "zperf-runs" / name
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"zperf {name}: {args.rounds} rounds of {args.seconds} s ...", file=sys.stderr,
              flush=True)
        try:
            results[name] = zperf.throughput(
                Image(board, bdir), workdir, directions, args.seconds, args.rounds,
                log=lambda line: print(line, file=sys.stderr, flush=True))
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            errors.append(f"zperf {name}: {e}")

    names = {"rx": "device receives (host iperf -c)", "tx": "device sends (zperf tcp upload)"}
    print(f"\n## Throughput with capture on (samples/net/zperf, {BOARD}, TCP, "
          f"{args.seconds} s per run)\n")
    print(f"Median of {args.rounds} alternating off/on rounds on one booted device (per-round "
          f"figures in brackets), as iperf 2 measured on the host. The sample's own "
          f"configuration (TX thread: CONFIG_NET_TC_TX_COUNT=1) plus "
          f"scripts/e2elib/zperf/capture.conf (capture pools at their defaults). Drops = "
          f"captures the device counted as lost (no-memory + send-failed + other), summed "
          f"over the captured runs; *accounted* = every frame on zeth was captured (and "
          f"reached the host through the tunnel), counted as dropped, or skipped as the "
          f"tunnel's own traffic, in every captured run (dumpcap records zeth in every run, "
          f"off and on alike).\n")
    print("| variant | direction | off Mbit/s | on Mbit/s | % of uncaptured | drops | "
          "frames / captured | accounted |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    goal = []
    details = []
    exits = []
    for name, label, _, _ in variants:
        if "exited" in results.get(name, {}):
            exits.append(f"- {label}: {results[name]['exited']}")
            if name == "rust":
                errors.append(f"{label}: {results[name]['exited']}")
        for direction in directions:
            runs = results.get(name, {}).get(direction)
            if not runs or not runs["off"] or not runs["on"]:
                off = median(r["rate"] for r in runs["off"]) if runs else None
                why = "image exited" if "exited" in results.get(name, {}) else "not run"
                print(f"| {label} | {direction} | {'–' if off is None else f'{off:.2f}'} | "
                      f"{why} | – | – | – | – |")
                continue
            off = median(r["rate"] for r in runs["off"])
            on = median(r["rate"] for r in runs["on"])
            pct = 100 * on / off if off and on is not None else None
            stats = [r["stats"] for r in runs["on"]]
            counted = bool(all(stats))
            drop = sum(zperf.drops(st) for st in stats) if counted else None
            frames = sum(r["wire"]["frames"] for r in runs["on"])
            tunnel = sum(r["wire"]["tunnel"] for r in runs["on"])
            checks = [zperf.accounted(r) for r in runs["on"]]
            if not counted:
                verdict = "no counters"
            elif all(ok for ok, _ in checks):
                verdict = "yes"
            else:
                verdict = "NO"
                errors.append(f"{label}, {direction}: frames not accounted for: "
                              + "; ".join(text for ok, text in checks if not ok))
            each = lambda key: "/".join(f"{r['rate']:.2f}" if r["rate"] is not None else "–"
                                        for r in runs[key])
            print(f"| {label} | {direction} | {off if off is None else f'{off:.2f}'} "
                  f"[{each('off')}] | {on if on is None else f'{on:.2f}'} [{each('on')}] | "
                  f"{'–' if pct is None else f'{pct:.0f} %'} | "
                  f"{'–' if drop is None else drop} | {frames} / {tunnel} | {verdict} |")
            for n, (ok, text) in enumerate(checks):
                details.append(f"- {label}, {direction}, round {n + 1}: {text}")
            if name == "rust":
                goal.append((direction, pct, verdict))
    print(f"\n{names.get('rx')}; {names.get('tx')}. Frames / captured: frames on zeth "
          f"during the captured runs / captures the host received in the tunnel.\n")
    for line in exits:
        print(line)
    if exits:
        print()
    print("### Captured runs, frame by frame\n")
    for line in details:
        print(line)
    print("\n### Goal: with capture on, at least 80 % of the uncaptured throughput, every "
          "capture not taken a counted drop (this module)\n")
    for direction, pct, verdict in goal:
        met = pct is not None and pct >= 80 and verdict == "yes"
        print(f"- {names[direction]}: goal {'met' if met else 'NOT met'} "
              f"({'no figure' if pct is None else f'{pct:.0f} %'}, accounted: {verdict})")
    return errors
