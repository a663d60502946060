# Copyright (c) 2026 The zephyr-net-capture authors
# SPDX-License-Identifier: Apache-2.0
"""Reading callgrind profiles: the program total and the inclusive cost of
named functions."""

import re

from .build import BenchError


def parse_profile(path, functions, edges=()):
    """Total Ir, the inclusive Ir of each named function summed over
    threads (level-1 entries; callgrind names deeper recursion levels
    name'2 and so on), and the inclusive Ir of the calls along each
    (caller, callee) edge. Each Zephyr thread of native_sim is a host
    thread with its own call stack: a function the work queue runs is
    never counted inside one the main thread runs, and a function both
    threads call (net_capture_pkt: the bench loop pushes frames with it,
    the stack's TX path runs it on each tunnel packet the work queue
    sends) is at level 1 in both; an edge tells the calls apart."""
    ids = {}
    incl = dict.fromkeys(functions, 0)
    edge_cost = dict.fromkeys(edges, 0)
    total = None
    current = None
    callee = None
    after_calls = False

    def resolve(spec):
        spec = spec.strip()
        m = re.match(r"\((\d+)\)\s*(.*)", spec)
        if not m:
            return spec
        if m.group(2):
            ids[m.group(1)] = m.group(2)
        return ids.get(m.group(1), "")

    with open(path, errors="replace") as f:
        for line in f:
            first = line[:1]
            if first.isdigit() or first in "+-*":
                # A cost line: the function's own cost, or (after calls=)
                # the inclusive cost of a call it makes. Both are inclusive
                # cost of the current function.
                fields = line.split()
                if len(fields) > 1:
                    if current in incl:
                        incl[current] += int(fields[1])
                    if after_calls and (current, callee) in edge_cost:
                        edge_cost[(current, callee)] += int(fields[1])
                after_calls = False
            elif line.startswith("calls="):
                after_calls = True
            elif line.startswith("fn="):
                current = resolve(line[3:])
            elif line.startswith("cfn="):
                callee = resolve(line[4:])
            elif line.startswith(("summary:", "totals:")) and total is None:
                total = int(line.split()[1])
    if total is None:
        raise BenchError(f"{path}: no summary line")
    incl.update(edge_cost)
    return total, incl
