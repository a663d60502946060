# Copyright (c) 2026 The zephyr-net-capture authors
# SPDX-License-Identifier: Apache-2.0
"""Targets and builds: which board, toolchain and configuration an image
is built with, and building it (again only when its command changed)."""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
BENCH_APP = REPO / "samples" / "bench"


class BenchError(Exception):
    """A failure that makes the comparison meaningless."""


@dataclass(frozen=True)
class Target:
    """A board and the toolchain that builds for it."""

    key: str
    board: str
    # binutils prefix ("" for the host's), also CROSS_COMPILE when set.
    prefix: str = ""
    # Modules every build for the board needs besides this one.
    modules: tuple = ()

    def environment(self):
        env = dict(os.environ)
        if self.prefix:
            env["ZEPHYR_TOOLCHAIN_VARIANT"] = "cross-compile"
            gcc = shutil.which(self.prefix + "gcc") or "/usr/bin/" + self.prefix + "gcc"
            env["CROSS_COMPILE"] = gcc[: -len("gcc")]
        else:
            env.setdefault("ZEPHYR_TOOLCHAIN_VARIANT", "host")
        return env

    def tool(self, name):
        return self.prefix + name


NATIVE = Target("native", "native_sim/native/64")
AN385 = Target("an385", "mps2/an385", "arm-none-eabi-", ("/work/zws/modules/hal/cmsis_6",))
TARGETS = {t.key: t for t in (NATIVE, AN385)}


@dataclass(frozen=True)
class Build:
    """One image: an app built for a target against a module tree (this
    one, an older checkout of it, or none with CONFIG_NET_CAPTURE_RS=n)
    with extra Kconfig settings."""

    key: str
    app: Path
    target: Target
    rust: bool
    module: Path = REPO
    conf_files: tuple = ()
    configs: tuple = field(default=())

    def command(self, build_dir, python):
        modules = (str(self.module),) + self.target.modules
        cmd = [
            "cmake", "-GNinja", "-S", str(self.app), "-B", str(build_dir),
            f"-DBOARD={self.target.board}",
            f"-DPython3_EXECUTABLE={python}",
            f"-DZEPHYR_MODULES={';'.join(modules)}",
            f"-DCONFIG_NET_CAPTURE_RS={'y' if self.rust else 'n'}",
        ]
        if self.conf_files:
            cmd.append(f"-DEXTRA_CONF_FILE={';'.join(self.conf_files)}")
        return cmd + [f"-D{c}" for c in self.configs]


def run(cmd, log, env=None):
    """Runs cmd with output to the log file; raises BenchError on failure."""
    with open(log, "w") as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    if proc.returncode != 0:
        tail = Path(log).read_text(errors="replace").splitlines()[-25:]
        raise BenchError(
            f"{' '.join(str(c) for c in cmd[:3])} ... failed (exit {proc.returncode}); "
            f"last lines of {log}:\n" + "\n".join(tail)
        )


def build_dir(root, build):
    return Path(root) / build.key


def elf(root, build):
    """zephyr.elf of the build (on native_sim: the Zephyr part, before the
    native runner is linked in)."""
    return build_dir(root, build) / "zephyr" / "zephyr.elf"


def exe(root, build):
    return build_dir(root, build) / "zephyr" / "zephyr.exe"


def make(root, build, python, pristine=False, reuse=False):
    """Configures and builds one image; returns its build directory.
    CMake keeps -DCONFIG_... values in its cache, so a directory configured
    with another command starts afresh; an unchanged one is only rebuilt
    by ninja (a no-op when nothing changed). With reuse, nothing is built:
    the image must be there."""
    bdir = build_dir(root, build)
    if reuse:
        if not elf(root, build).is_file():
            raise BenchError(f"--no-build: {elf(root, build)} does not exist")
        return bdir
    cmd = build.command(bdir, python)
    recorded = bdir / "bench-configure.txt"
    wanted = "\n".join(cmd) + "\n"
    if bdir.exists() and (pristine or not recorded.is_file()
                          or recorded.read_text() != wanted):
        shutil.rmtree(bdir)
    bdir.mkdir(parents=True, exist_ok=True)
    print(f"building {build.key} in {bdir} ...", file=sys.stderr, flush=True)
    env = build.target.environment()
    if not (bdir / "build.ninja").is_file():
        run(cmd, Path(root) / f"{build.key}-cmake.log", env)
        recorded.write_text(wanted)
    run(["ninja", "-C", str(bdir)], Path(root) / f"{build.key}-ninja.log", env)
    dotconfig = (bdir / "zephyr" / ".config").read_text()
    wanted_rs = "CONFIG_NET_CAPTURE_RS=y" if build.rust else "# CONFIG_NET_CAPTURE_RS is not set"
    if wanted_rs not in dotconfig:
        raise BenchError(f"{bdir}/zephyr/.config does not have {wanted_rs!r}")
    for config in build.configs:
        name, value = config.split("=", 1)
        lines = set(dotconfig.splitlines())
        if (f"{name}=y" in lines) if value == "n" else (config not in lines):
            raise BenchError(f"{bdir}/zephyr/.config does not have {config} "
                             f"(a dependency is missing?)")
    if not elf(root, build).is_file():
        raise BenchError(f"{elf(root, build)} was not built")
    return bdir
