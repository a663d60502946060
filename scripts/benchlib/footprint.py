# Copyright (c) 2026 The zephyr-net-capture authors
# SPDX-License-Identifier: Apache-2.0
"""The size tables: image size per target and app (C vs Rust), the
largest functions and objects of the capture code (C, before, after),
the cost of the module's Kconfig options, and the native_sim detail
(sections and symbol groups)."""

from . import sizes as sz
from .report import fmt_delta, table

KIND_NAMES = {"t": "code", "r": "rodata", "d": "data", "b": "bss"}


def tools_of(target):
    return {"size": target.tool("size"), "readelf": target.tool("readelf"),
            "c++filt": target.tool("c++filt"), "nm": target.tool("nm")}


def print_targets(rows):
    """rows: [(app, target, C elf, Rust elf, C build dir, Rust build dir)].
    Returns [(app, board, C total, Rust total)] for the goals."""
    print("\n## Image size per target (`size` of zephyr.elf, text+data+bss, bytes)\n")
    print("Default Kconfig of each app (no filter, shell command on where the net shell "
          "is). *Capture code* = what the linker map places from the module (Rust "
          "library and C glue) or from upstream's `lib/capture/capture.c` and "
          "`cooked.c`; its bss includes the capture pools' buffers, the same in both.\n")
    out, lines = [], []
    for app, target, c_elf, r_elf, c_dir, r_dir in rows:
        tools = tools_of(target)
        c, r = sz.image_size(c_elf, tools["size"]), sz.image_size(r_elf, tools["size"])
        c_code = sz.capture_code(c_dir, False, tools)
        r_code = sz.capture_code(r_dir, True, tools)
        code = "–"
        if c_code is not None and r_code is not None:
            code = (f"{sum(v[1] for v in c_code.values()):,} / "
                    f"{sum(v[1] for v in r_code.values()):,}")
        lines.append([app, target.board, f"{c[0]:,} / {r[0]:,}", f"{c[1]:,} / {r[1]:,}",
                      f"{c[2]:,} / {r[2]:,}", f"{sum(c):,}", f"{sum(r):,}",
                      fmt_delta(sum(r) - sum(c), sum(c)), code])
        out.append((app, target.board, sum(c), sum(r)))
    table(["app", "board", "text C / Rust", "data C / Rust", "bss C / Rust", "C total",
           "Rust total", "Rust − C", "capture code C / Rust"], "llrrrrrrr", lines)
    return out


def print_functions(target, c_dir, old_dir, new_dir, old_label, count=20):
    """The largest functions/objects of the capture code, before and after,
    and upstream's C for reference."""
    tools = tools_of(target)
    c = sz.capture_code(c_dir, False, tools)
    old = sz.capture_code(old_dir, True, tools) if old_dir else None
    new = sz.capture_code(new_dir, True, tools)
    if new is None or c is None:
        print(f"\n(no linker map for {target.board}: no per-function table)")
        return
    print(f"\n## Capture code on {target.board}, per function or object (linker map, "
          f"bytes)\n")
    print(f"samples/net/capture with overlay-tunnel.conf. *before* = the module at "
          f"{old_label}, *after* = this tree, *C* = upstream's capture.c + cooked.c. "
          f"Rust names without their hash; generic `impl` blocks shortened; strings "
          f"as the linker map counts them, before duplicates are merged.\n")
    header = ["kind", "C", "before", "after"]
    totals = [[KIND_NAMES[k], f"{sz.kind_totals(c).get(k, 0):,}",
               f"{sz.kind_totals(old).get(k, 0):,}" if old else "–",
               f"{sz.kind_totals(new).get(k, 0):,}"] for k in "trdb"]
    totals.append(["**total**", f"{sum(v[1] for v in c.values()):,}",
                   f"{sum(v[1] for v in old.values()):,}" if old else "–",
                   f"{sum(v[1] for v in new.values()):,}"])
    table(header, "lrrr", totals)

    def short(name):
        return (name.replace("zephyr_net_capture::", "")
                .replace("<impl capture::Captures<S,_>>::", "Captures::"))

    print(f"\n{count} largest of the module, after, with their size before "
          f"(– = not in that image):\n")
    rows = []
    for name, (kind, size) in sorted(new.items(), key=lambda kv: -kv[1][1])[:count]:
        before = old.get(name, [None, None])[1] if old else None
        rows.append([f"`{short(name)}`", kind, f"{before:,}" if before is not None else "–",
                     f"{size:,}", fmt_delta(size - before) if before is not None else "new"])
    table(["function / object", "kind", "before", "after", "Δ"], "llrrr", rows)
    if old:
        gone = sorted(((s, n) for n, (k, s) in old.items() if n not in new), reverse=True)[:5]
        if gone:
            print("\nLargest gone since before: " + ", ".join(
                f"`{short(n)}` ({s:,})" for s, n in gone) + ".")
    print(f"\n{count} largest of upstream's C (capture.c, cooked.c):\n")
    rows = [[f"`{name}`", kind, f"{size:,}"]
            for name, (kind, size) in sorted(c.items(), key=lambda kv: -kv[1][1])[:count]]
    table(["function / object", "kind", "bytes"], "llr", rows)


def print_kconfig(target, base_elf, variants):
    """variants: [(label, elf)], each against base_elf."""
    size_tool = tools_of(target)["size"]
    b = sz.image_size(base_elf, size_tool)
    print(f"\n## Kconfig options on {target.board} (samples/net/capture, "
          f"overlay-tunnel.conf; bytes against the default)\n")
    print(f"Default: {b[0]:,} text, {b[1]:,} data, {b[2]:,} bss. Flash = text + data, "
          f"RAM = data + bss.\n")
    rows, out = [], []
    for label, elf in variants:
        v = sz.image_size(elf, size_tool)
        d = [x - y for x, y in zip(v, b)]
        rows.append([label, f"{d[0]:+,}", f"{d[1]:+,}", f"{d[2]:+,}", f"{d[0] + d[1]:+,}",
                     f"{d[1] + d[2]:+,}"])
        out.append((label, d))
    table(["setting", "text", "data", "bss", "flash", "RAM"], "lrrrrr", rows)
    return out


def print_native_detail(c_exe, r_exe):
    """Images, sections and symbol groups of the samples/bench pair on
    native_sim."""
    print("\n## native_sim detail: samples/bench (`size`, bytes)\n")
    rows = []
    for name, desc in (("zephyr.exe", "zephyr.exe (linked executable)"),
                       ("zephyr.elf", "zephyr.elf (Zephyr part, before the native runner)")):
        c_path, r_path = c_exe.parent / name, r_exe.parent / name
        if not (c_path.is_file() and r_path.is_file()):
            continue
        c, r = sz.image_size(c_path), sz.image_size(r_path)
        d = [b - a for a, b in zip(c, r)]
        rows += [[f"C, {desc}"] + [f"{x:,}" for x in c] + [f"{sum(c):,}"],
                 [f"Rust, {desc}"] + [f"{x:,}" for x in r] + [f"{sum(r):,}"],
                 ["Rust − C"] + [f"{x:+,}" for x in d] + [f"{sum(d):+,}"]]
    table(["image", "text", "data", "bss", "text+data+bss"], "lrrrr", rows)

    c_sec, r_sec = sz.section_sizes(c_exe), sz.section_sizes(r_exe)
    diffs = sorted(((r_sec.get(k, 0) - c_sec.get(k, 0), k) for k in set(c_sec) | set(r_sec)),
                   key=lambda t: -abs(t[0]))
    print("\n### Sections of zephyr.exe that differ (Rust − C, bytes)\n")
    table(["section", "C", "Rust", "Rust − C"], "lrrr",
          [[k, f"{c_sec.get(k, 0):,}", f"{r_sec.get(k, 0):,}", f"{d:+,}"]
           for d, k in diffs if d])
    c_sym, r_sym = sz.symbol_groups(c_exe), sz.symbol_groups(r_exe)
    print("\n### Symbol bytes by origin (nm -S; text = t, read-only = r, data = d, "
          "bss = b)\n")
    rows = [[key[0], key[1], f"{c_sym.get(key, 0):,}", f"{r_sym[key]:,}"]
            for key in sorted({k for k in r_sym if not k[0].startswith("C: ")})]
    # C symbols whose size differs between the images (capture.c and what
    # it pulls in on one side, the C glue on the other).
    changed = sorted((r_sym.get(k, 0) - c_sym.get(k, 0), k) for k in set(c_sym) | set(r_sym)
                     if k[0].startswith("C: ") and c_sym.get(k, 0) != r_sym.get(k, 0))
    only_c = sum(-d for d, k in changed if d < 0 and k[1] in "tr")
    only_r = sum(d for d, k in changed if d > 0 and k[1] in "tr")
    rows += [["C symbols smaller or absent in the Rust image", "t/r", f"{only_c:,}", "–"],
             ["C symbols larger or only in the Rust image", "t/r", "–", f"{only_r:,}"]]
    table(["origin", "kind", "C", "Rust"], "llrr", rows)
    cobj = sz.capture_object_size(c_exe.parent.parent)
    if cobj:
        print(f"\nIn-tree capture.c object alone: text {cobj[0]:,}, data {cobj[1]:,}, "
              f"bss {cobj[2]:,}.")
    big = [f"{k[0][3:]} ({d:+,})" for d, k in changed[:6] if d < 0] + \
          [f"{k[0][3:]} ({d:+,})" for d, k in reversed(changed[-6:]) if d > 0]
    if big:
        print("Largest C-symbol differences: " + ", ".join(big) + ".")
