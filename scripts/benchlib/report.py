# Copyright (c) 2026 The zephyr-net-capture authors
# SPDX-License-Identifier: Apache-2.0
"""Number formats and Markdown tables."""


def fmt_num(x):
    if x is None:
        return "–"
    if abs(x - round(x)) < 0.05:
        return f"{round(x):,}"
    return f"{x:,.1f}"


def fmt_ratio(r):
    if r is None:
        return "–"
    return f"{r:.3f}" if r < 0.1 else f"{r:.2f}"


def fmt_delta(d, base=None):
    """+1,234 (+5.6 %)."""
    if base:
        return f"{d:+,} ({100 * d / base:+.1f} %)"
    return f"{d:+,}"


def table(header, align, rows):
    """Prints a Markdown table; align is one of "l"/"r" per column."""
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---:" if a == "r" else "---" for a in align) + "|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
