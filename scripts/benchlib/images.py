# Copyright (c) 2026 The zephyr-net-capture authors
# SPDX-License-Identifier: Apache-2.0
"""The images the bench builds: the per-frame pair of samples/bench on
native_sim, the size pairs (C, Rust) of samples/bench and of Zephyr's
samples/net/capture (overlay-tunnel.conf) per target, the Kconfig
variants of the latter on mps2/an385, and the same image built from an
older checkout of this module for the per-function "before" column."""

from pathlib import Path

from .build import AN385, BENCH_APP, NATIVE, REPO, Build

# Asked of the Rust per-frame build: the "rejected by a filter" situation.
FILTER = "CONFIG_NET_CAPTURE_RS_FILTER=y"

# qemu boards would otherwise want a UART for SLIP (samples/bench has no
# Ethernet); the C and Rust images drop it alike.
AN385_BENCH = ("CONFIG_NET_SLIP_TAP=n", "CONFIG_SLIP=n", "CONFIG_UART_PIPE=n")
# An Ethernet driver (the LAN9118 model), so that the capture sample has
# an interface to capture, as the e2e tests run it.
AN385_CONF = str(REPO / "scripts" / "e2elib" / "boards" / "mps2_an385.conf")

# Kconfig options whose cost is measured: (label, Kconfig settings).
KCONFIG_COSTS = [
    ("filter", "CONFIG_NET_CAPTURE_RS_FILTER=y (default n)",
     ("CONFIG_NET_CAPTURE_RS_FILTER=y",)),
    ("noshell", "CONFIG_NET_CAPTURE_RS_SHELL=n (default y)",
     ("CONFIG_NET_CAPTURE_RS_SHELL=n",)),
    ("truncate", "CONFIG_NET_CAPTURE_RS_OVERSIZE_TRUNCATE=y (default FRAGMENT)",
     ("CONFIG_NET_CAPTURE_RS_OVERSIZE_TRUNCATE=y",)),
]


def perframe():
    """{variant: Build} of the callgrind pair."""
    return {
        "c": Build("bench-native-c", BENCH_APP, NATIVE, rust=False),
        "rust": Build("bench-native-rust-filter", BENCH_APP, NATIVE, rust=True,
                      configs=(FILTER,)),
    }


def capture_app(zephyr_base):
    return Path(zephyr_base) / "samples" / "net" / "capture"


def sizes(zephyr_base, targets):
    """[(app label, target, {"c": Build, "rust": Build})], default Kconfig."""
    out = []
    for target in targets:
        extra = AN385_BENCH if target is AN385 else ()
        out.append(("samples/bench", target, {
            variant: Build(f"bench-{target.key}-{variant}", BENCH_APP, target,
                           rust=variant == "rust", configs=extra)
            for variant in ("c", "rust")}))
    for target in targets:
        confs = ("overlay-tunnel.conf",) + ((AN385_CONF,) if target is AN385 else ())
        out.append(("samples/net/capture", target, {
            variant: Build(f"capture-{target.key}-{variant}", capture_app(zephyr_base), target,
                           rust=variant == "rust", conf_files=confs)
            for variant in ("c", "rust")}))
    return out


def capture_an385(zephyr_base, variant, configs=(), module=REPO, key=None):
    confs = ("overlay-tunnel.conf", AN385_CONF)
    return Build(key or f"capture-an385-{variant}", capture_app(zephyr_base), AN385,
                 rust=variant != "c", module=Path(module), conf_files=confs,
                 configs=tuple(configs))


def kconfig(zephyr_base):
    """[(label, Build)] of the Kconfig variants; the baseline is
    capture_an385(.., "rust")."""
    return [(label, capture_an385(zephyr_base, "rust", configs,
                                  key=f"capture-an385-rust-{name}"))
            for name, label, configs in KCONFIG_COSTS]


def old(zephyr_base, old_tree):
    """The capture sample on mps2/an385 built from an older module tree."""
    return capture_an385(zephyr_base, "rust", module=old_tree, key="capture-an385-rust-old")
