# Copyright (c) 2026 The zephyr-net-capture authors
# SPDX-License-Identifier: Apache-2.0
"""The per-frame tables, goals and notes, from the callgrind results of
situations.run_all()."""

from .report import fmt_num, fmt_ratio, table
from .situations import (COUNTED, DRIVER, FILTER_EXPR, FILTER_SIZE, FILTERED, HOOK,
                         HOOK_CALLS, LOOP, SEND, SITUATIONS, VARIANTS, WORKQ,
                         c_crash_expected, per_frame)


class PerFrame:
    """Figures of one bench run; errors and notes collect what the tables
    cannot say."""

    def __init__(self, results, sizes, frames, board, exes):
        self.results = results
        self.sizes = sizes
        self.frames = frames
        self.board = board
        self.exes = exes
        self.errors = []
        self.notes = []
        self.figures = {}     # (situation, size) -> (C, Rust, Rust/C)
        self.cell_text = {}   # (variant, situation, size) -> why no figure
        self.oversize = set()
        self.checks = []
        self.split = {}       # (situation, size) -> (Rust hook, Rust queued send)

    def usable(self, variant, situation, size):
        """(0-frame run, N-frame run), or None and what to print instead."""
        base, meas = self.results[(variant, situation, size)]
        for r in (base, meas):
            if r is None or r["state"] == "ok":
                continue
            where = f"{variant} {situation} {size} B (frames={r.get('frames')})"
            if r["state"] == "crash":
                if variant == "c" and c_crash_expected(situation, size):
                    return None, "crash (W29)"
                if variant == "c":
                    self.notes.append(f"The C build crashed in {where} ({r['why']}), outside "
                                      f"the W29 case; see its log in the profile directory.")
                    return None, f"crash ({r['why']})"
                self.errors.append(f"{where}: crashed ({r['why']})")
                return None, f"crash ({r['why']})"
            if r["state"] == "fail":
                self.errors.append(f"{where}: the app's counts do not match the situation "
                                   f"({r['cell']})")
                return None, "FAIL"
            self.errors.append(f"{where}: {r['state']} {r.get('why', '')}")
            return None, r["state"]
        return (base, meas), None

    def figure(self, variant, situation, size, label):
        """The cell's per-frame figure (hook + queued send), or None; also
        fills the cross-check columns."""
        ok, text = self.usable(variant, situation, size)
        cols = {"loop": "–", "whole": "–", "driver": "–", "tunnel": "–"}
        if ok is None:
            self.cell_text[(variant, situation, size)] = text
            return None, text, cols
        base, meas = ok
        if meas["incl"][HOOK] == 0:
            self.errors.append(f"{variant} {situation} {size} B: the profile has no call "
                               f"of {HOOK}(); is {self.exes[variant]} the benchmark app?")
        value = per_frame(base, meas, COUNTED)
        shown = fmt_num(value)
        cols = {"loop": fmt_num(per_frame(base, meas, [LOOP, SEND])),
                "whole": fmt_num(per_frame(base, meas)),
                "driver": fmt_num(per_frame(base, meas, [DRIVER])),
                "tunnel": meas["cell"]["tunnel"]}
        if variant == "rust":
            self.split[(situation, size)] = (per_frame(base, meas, [HOOK_CALLS]),
                                             per_frame(base, meas, [SEND]),
                                             per_frame(base, meas, [WORKQ]))
        cell = meas["cell"]
        if int(cell.get("oversize", 0)) > 0:
            shown += " ⚠"
            self.oversize.add((variant, situation, size))
            self.notes.append(
                f"⚠ {'C' if variant == 'c' else 'Rust'}, {label}, {size} B: "
                f"{cell['oversize']} of {cell['tunnel']} tunnel packets longer than "
                f"the carrier's 1500-byte MTU (longest {cell['max_len']} B): spec "
                f"W29. A driver with a fixed frame buffer (native_sim's TAP: 1514 B) "
                f"overruns it and crashes; the counting test driver only counts, so "
                f"the run survives and its cost is shown, for an invalid packet.")
        st = meas.get("stats")
        if variant == "rust" and st and int(st.get("fragmented", 0)) > 0:
            self.notes.append(
                f"Rust, {label}, {size} B: {st['fragmented']} of {st['captured']} "
                f"captures sent as inner IPv6 fragments to fit the carrier "
                f"({cell['tunnel']} tunnel packets, {cell['datagrams']} "
                f"datagrams, longest {cell['max_len']} B).")
        return value, shown, cols

    def print_tables(self):
        print(f"## Capture hook: instructions per frame (callgrind, N={self.frames} "
              f"minus N=0)\n")
        print(f"Board {self.board}. Raw IPv4/UDP frames are pushed with `{HOOK}()` on a "
              f"dummy-L2 test interface that also carries the 6-in-4 capture tunnel. "
              f"Figure = inclusive cost of `{HOOK}()` per call plus, for Rust, the "
              f"inclusive cost of `{SEND}()`: the Rust hook only copies the frame and "
              f"queues the tunnel packet, the system work queue sends it. The C hook "
              f"sends synchronously inside the call. Both figures thus hold everything "
              f"a capture costs (copy, tunnel headers, IPIP, L2 and the counting test "
              f"driver) except, for Rust, the work queue's thread switch (next table). "
              f"Tunnel packets = what the carrier's driver saw in the N-frame run.\n")
        # First, so that the split table below has the filtered cell too.
        self.filtered_cell = self.figure("rust", FILTERED[0], FILTER_SIZE, FILTERED[1])
        rows = []
        for situation, label in SITUATIONS:
            for size in self.sizes:
                vals, shown, cols = {}, {}, {}
                for variant, _ in VARIANTS:
                    vals[variant], shown[variant], cols[variant] = \
                        self.figure(variant, situation, size, label)
                ratio = None
                if vals["c"] and vals["rust"] is not None:
                    ratio = vals["rust"] / vals["c"]
                self.figures[(situation, size)] = (vals["c"], vals["rust"], ratio)
                rows.append([label, size, shown["c"], shown["rust"], fmt_ratio(ratio),
                             f"{cols['c']['tunnel']} / {cols['rust']['tunnel']}"])
                self.checks.append([label, size] + [
                    f"{cols['c'][k]} / {cols['rust'][k]}" for k in ("loop", "whole", "driver")])
        table(["situation", "size", "C instr/frame", "Rust instr/frame", "Rust/C",
               "tunnel pkts C / Rust"], "llrrrl", rows)
        self.print_split()
        self.print_checks()
        self.print_filtered()

    def print_split(self):
        print("\n### Rust: capturing thread and work queue, instructions per frame\n")
        print(f"*hook* = `{HOOK}()` as `{LOOP}()` calls it; *queued send* = "
              f"`{SEND}()`; *work queue thread* = all the system work queue's thread "
              f"does (`{WORKQ}()`, the send plus waking up and waiting again, a host "
              f"thread switch on native_sim); *hook + work queue* = the whole cost of "
              f"a capture to the system, to compare with C's figure as an upper "
              f"bound. The work queue thread is read from a function that never "
              f"returns and carries the exit noise of *whole run* (below): tens of "
              f"instructions where nothing is sent.\n")
        rows = [[label, size, fmt_num(h), fmt_num(s), fmt_num(w), fmt_num(h + w)]
                for situation, label in SITUATIONS + [FILTERED] for size in self.sizes
                if (situation, size) in self.split
                for h, s, w in [self.split[(situation, size)]]]
        table(["situation", "size", "hook", "queued send", "work queue thread",
               "hook + work queue"], "lrrrrr", rows)

    def print_checks(self):
        print("\n### Cross-checks, instructions per frame, C / Rust\n")
        print(f"*loop* = inclusive cost of the benchmark's `{LOOP}()` (hook + the loop and "
              f"the captured-flag reset, a few instructions), plus `{SEND}()` for Rust; "
              f"*whole run* = difference of program totals: it also holds what neither "
              f"function counts (for Rust the work queue thread's wake-up and switch back, "
              f"on native_sim a host thread switch) and ±50 000 instructions of run-to-run "
              f"noise from native_sim's thread teardown at exit (libgcc unwinder), i.e. "
              f"±{50000 / self.frames:,.0f} per frame at N={self.frames}; *driver* = the "
              f"counting test driver `{DRIVER}()`, included in the figure.\n")
        table(["situation", "size", "loop", "whole run", "driver"], "llrrr", self.checks)

    def print_filtered(self):
        """Rejected by a filter vs capture off vs full capture, Rust, one size."""
        size = FILTER_SIZE
        value, shown, cols = self.filtered_cell
        off = self.figures.get(("off", size), (None, None, None))[1]
        full = self.figures.get(("this", size), (None, None, None))[1]
        self.filtered = (value, off, full)
        print(f"\n### Rust: a frame the capture filter rejects, {size} B\n")
        print(f"Same image, same run: `CONFIG_NET_CAPTURE_RS_FILTER=y`, the filter "
              f"`{FILTER_EXPR}` set on the device (the frames pass the first two terms "
              f"and fail the third, so all three are evaluated) and capture enabled on "
              f"the interface the frames are pushed on.\n")
        rows = [[FILTERED[1], shown, fmt_ratio(value / full) if value is not None and full
                 else "–", cols["whole"]]]
        for sit, text in (("off", "capture disabled"), ("this", "full capture")):
            v = self.figures.get((sit, size), (None, None, None))[1]
            rows.append([text, fmt_num(v), fmt_ratio(v / full) if v is not None and full
                         else "–", "–"])
        table([f"Rust, {size} B", "instr/frame", "÷ full capture", "whole run"], "lrrl", rows)
        if size not in self.sizes:
            self.notes.append(f"{size} B is not among --sizes: the filtered cell has no "
                              f"off/full capture figures to compare with.")

    def print_goals(self):
        def pct(f):
            return f"{100 * (f[2] - 1):+.1f} %" if f[2] is not None else "no ratio"

        def why(situation, size):
            return "; ".join(f"{v}: {self.cell_text[(v, situation, size)]}"
                             for v, _ in VARIANTS if (v, situation, size) in self.cell_text)

        print("- Capture enabled on the interface, Rust ≤ C at every size:")
        for s in self.sizes:
            f = self.figures.get(("this", s))
            if not f or f[0] is None or f[1] is None:
                print(f"  - {s} B: no comparison ({why('this', s) or 'see the table'})")
                continue
            verdict = "met" if f[1] <= f[0] else "NOT met"
            caveat = ""
            if ("c", "this", s) in self.oversize:
                caveat = (" — not like for like: C sends one over-long packet (W29), "
                          "Rust valid fragments")
            print(f"  - {s} B: {verdict}: Rust {fmt_num(f[1])} vs C {fmt_num(f[0])} "
                  f"({f[1] - f[0]:+,.0f}, {pct(f)}){caveat}")
        print("- Capture disabled or on another interface, Rust ≤ C / 10:")
        for situation, label in SITUATIONS[:2]:
            for s in self.sizes:
                f = self.figures.get((situation, s))
                if not f or f[0] is None or f[1] is None:
                    print(f"  - {label}, {s} B: no comparison "
                          f"({why(situation, s) or 'see the table'})")
                    continue
                verdict = "met" if f[1] <= f[0] / 10 else "NOT met"
                print(f"  - {label}, {s} B: {verdict}: Rust {fmt_num(f[1])} vs C "
                      f"{fmt_num(f[0])} (ratio {fmt_ratio(f[2])}, limit {f[0] / 10:,.1f})")
        value, _, full = self.filtered
        if value is None or not full:
            print(f"- Rejected by a filter < 10 % of a full capture ({FILTER_SIZE} B): "
                  f"no comparison ({why(FILTERED[0], FILTER_SIZE) or 'see the table'})")
        else:
            verdict = "met" if value < full / 10 else "NOT met"
            print(f"- Rejected by a filter < 10 % of a full capture ({FILTER_SIZE} B): "
                  f"{verdict}: {fmt_num(value)} vs {fmt_num(full)} "
                  f"({100 * value / full:.1f} %, limit {full / 10:,.1f})")

    def print_notes(self, prof_dir):
        mtus = {v: self.results[(v, "this", self.sizes[0])][1] for v, _ in VARIANTS}
        for v, label in VARIANTS:
            m = mtus[v]
            if m and m.get("mtu"):
                print(f"- {label}: carrier MTU after setup {m['mtu']} (test interface MTU "
                      f"1500{'; the C setup lowers it, spec W3' if m['mtu'] < 1500 else ''}).")
        for n in self.notes:
            print(f"- {n}")
        print(f"- Profiles and run logs: {prof_dir}/<variant>-<situation>-<size>-<frames>"
              f".callgrind (`callgrind_annotate --inclusive=yes <file>`).")
