# Copyright (c) 2026 The zephyr-net-capture authors
# SPDX-License-Identifier: Apache-2.0
"""Measuring images: `size`, sections, symbol groups, and the bytes the
linker map attributes to the capture code (per function or object)."""

import re
import subprocess
from pathlib import Path

# Input-section prefixes GCC and rustc give per-function/per-object
# sections, longest first.
PREFIXES = (".text.", ".rodata.", ".data.rel.ro.", ".data.", ".bss.", ".noinit.",
            ".sdata.", ".sbss.", ".srodata.")
HASH_RE = re.compile(r"::h[0-9a-f]{16}$")
# The module's objects in a Zephyr build (zephyr/module.yml names it).
MODULE_OBJECTS = "modules/net-capture-rs/"
# Upstream's C implementation.
C_SOURCES = ("lib/capture/capture.c.obj", "lib/capture/cooked.c.obj")


def image_size(elf, tool="size"):
    """(text, data, bss) of an image, from binutils' size."""
    out = subprocess.run([tool, str(elf)], capture_output=True, text=True, check=True).stdout
    text, data, bss = (int(v) for v in out.splitlines()[1].split()[:3])
    return text, data, bss


def section_sizes(exe):
    out = subprocess.run(["size", "-A", str(exe)], capture_output=True, text=True,
                         check=True).stdout
    sizes = {}
    for line in out.splitlines()[2:]:
        fields = line.split()
        if len(fields) == 3 and fields[1].isdigit() and not fields[0].startswith(".debug"):
            name = fields[0]
            # Per-object .noinit sections: group them.
            if name.startswith(".noinit"):
                name = ".noinit.*"
            sizes[name] = sizes.get(name, 0) + int(fields[1])
    return sizes


def symbol_groups(exe):
    """Text/rodata/data/bss symbol bytes of the image, grouped by origin."""
    out = subprocess.run(["nm", "-S", "-C", "--size-sort", str(exe)], capture_output=True,
                         text=True, check=True).stdout
    groups = {}
    for line in out.splitlines():
        fields = line.split(None, 3)
        if len(fields) < 4:
            continue
        size, kind, name = int(fields[1], 16), fields[2].lower(), fields[3]
        if "zephyr_net_capture::" in name or name.startswith("__rustc"):
            group = "Rust: zephyr_net_capture"
        elif "core::fmt" in name or "as core::fmt::" in name:
            group = "Rust: core::fmt (formatting)"
        elif "core::net" in name:
            group = "Rust: core::net (address parsing)"
        elif "core::" in name or "compiler_builtins" in name or name.startswith("<"):
            group = "Rust: other core"
        elif name.endswith("__extern"):
            group = "bindgen wrappers of static inlines"
        else:
            group = "C: " + name
        key = (group, kind)
        groups[key] = groups.get(key, 0) + size
    return groups


def capture_object_size(build_dir):
    """text, data, bss of the in-tree capture.c object (C variant)."""
    objs = list(Path(build_dir).glob(
        "zephyr/subsys/net/CMakeFiles/subsys__net.dir/lib/capture/capture.c.obj"))
    if not objs:
        return None
    out = subprocess.run(["size", str(objs[0])], capture_output=True, text=True).stdout
    try:
        return tuple(int(v) for v in out.splitlines()[1].split()[:3])
    except (IndexError, ValueError):
        return None


def output_kinds(elf, readelf="readelf"):
    """{output section: "t" code, "r" read-only data, "d" data, "b" bss}
    of the image's allocated sections."""
    out = subprocess.run([readelf, "-SW", str(elf)], capture_output=True, text=True,
                         check=True).stdout
    kinds = {}
    for line in out.splitlines():
        if not re.match(r"\s*\[\s*\d+\]", line):
            continue
        fields = line.split("]", 1)[1].split()
        if len(fields) < 9:
            continue
        name, kind_, flags = fields[0], fields[1], fields[6] if len(fields) >= 10 else ""
        if "A" not in flags:
            continue
        kinds[name] = ("b" if kind_ == "NOBITS" else "t" if "X" in flags
                       else "d" if "W" in flags else "r")
    return kinds


def map_entries(map_path):
    """(output section, input section, bytes, object) of every input
    section the linker placed (not the discarded ones)."""
    entries = []
    out_sec = None
    pending = None
    placed = False
    full = re.compile(r"^ (\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
    wrapped = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
    with open(map_path, errors="replace") as f:
        for line in f:
            if not placed:
                placed = line.startswith("Linker script and memory map")
                continue
            if line[:1] not in (" ", "\n", "*"):
                out_sec = line.split()[0]
                pending = None
                continue
            m = full.match(line)
            if m and not m.group(1).startswith("*"):
                entries.append((out_sec, m.group(1), int(m.group(3), 16), m.group(4).strip()))
                pending = None
                continue
            m = wrapped.match(line)
            if m and pending:
                entries.append((out_sec, pending, int(m.group(2), 16), m.group(3).strip()))
                pending = None
                continue
            if line.startswith(" ") and not line.startswith("  ") and len(line.split()) == 1:
                pending = line.split()[0]
            else:
                pending = None
    return entries


def object_sections(obj, readelf="readelf"):
    """(name, bytes) of the object's sections: with the size, a section
    of upstream's lib/capture/capture.c.obj is told from one of the same
    name in the net shell's capture.c.obj (same archive member name)."""
    out = subprocess.run([readelf, "-SW", str(obj)], capture_output=True, text=True).stdout
    found = set()
    for line in out.splitlines():
        if re.match(r"\s*\[\s*\d+\]", line):
            fields = line.split("]", 1)[1].split()
            if len(fields) >= 5:
                found.add((fields[0], int(fields[4], 16)))
    return found


def symbol_name(section):
    """The function or object an input section holds."""
    name = section
    for prefix in PREFIXES:
        if section.startswith(prefix):
            name = section[len(prefix):]
            break
    if ".Lanon." in section or section.startswith(".rodata..L"):
        return "(anonymous constants)"
    if '"' in name:
        return "(net_buf data: noinit buffers)"
    m = re.match(r"(?:(.*)\.)?str1\.\d+$", name)
    if m:
        return f"{m.group(1)} (strings)" if m.group(1) else "(strings)"
    if name.startswith(".") and "static." in name:
        return name.split("static.", 1)[1] + f" ({name.split('.')[1].strip('_')})"
    return name


def demangle(names, cxxfilt="c++filt"):
    names = list(names)
    if not names:
        return {}
    out = subprocess.run([cxxfilt], input="\n".join(names), capture_output=True,
                         text=True).stdout.splitlines()
    if len(out) != len(names):
        out = names
    return {n: HASH_RE.sub("", d) for n, d in zip(names, out)}


def capture_code(build_dir, rust, tools):
    """{name: [kind, bytes]} of the capture code placed in the image: the
    module's objects (Rust library and C glue) or, for C, upstream's
    capture.c and cooked.c; None when the build has no linker map."""
    build_dir = Path(build_dir)
    map_path = build_dir / "zephyr" / "zephyr.map"
    if not map_path.is_file():
        return None
    kinds = output_kinds(build_dir / "zephyr" / "zephyr.elf", tools["readelf"])
    if rust:
        def ours(section, size, obj):
            return obj.startswith(MODULE_OBJECTS)
    else:
        # Members of libsubsys__net.a are named by file: the net shell's
        # lib/shell/capture.c.obj is a "capture.c.obj" too. A section
        # name both have is told apart by its size.
        net = build_dir / "zephyr/subsys/net/CMakeFiles/subsys__net.dir"
        wanted, others = {}, {}
        for obj in net.glob("**/*.obj"):
            if not any(obj.name == Path(src).name for src in C_SOURCES):
                continue
            into = wanted if any(str(obj).endswith(src) for src in C_SOURCES) else others
            for name, size in object_sections(obj, tools["readelf"]):
                into.setdefault((obj.name, name), set()).add(size)

        def ours(section, size, obj):
            member = re.search(r"\(([^)]*)\)$", obj)
            key = (member.group(1) if member else "", section)
            if key not in wanted:
                return False
            return key not in others or size in wanted[key]
    code = {}
    for out_sec, section, size, obj in map_entries(map_path):
        kind = kinds.get(out_sec)
        if kind is None or size == 0 or not ours(section, size, obj):
            continue
        name = symbol_name(section)
        if name.startswith("("):
            # Strings and constants without a function: say whose.
            member = re.search(r"\(([^)]*)\)$", obj)
            origin = member.group(1) if member else obj
            if origin.endswith(".rcgu.o"):
                # rustc puts C-string literals in .rodata.str1.1 and other
                # constants (and, before c"" literals, messages) apart.
                name, origin = "(strings and constants", "Rust library"
            name = f"{name.rstrip(')')}, {origin})"
        entry = code.setdefault(name, [kind, 0])
        if kind not in entry[0]:
            entry[0] += kind
        entry[1] += size
    names = demangle(code, tools["c++filt"])
    merged = {}
    for raw, (kind, size) in code.items():
        entry = merged.setdefault(names.get(raw, raw), [kind, 0])
        entry[1] += size
    return merged


def kind_totals(code):
    """{kind: bytes} of capture_code()."""
    totals = {}
    for kind, size in code.values():
        totals[kind[0]] = totals.get(kind[0], 0) + size
    return totals
