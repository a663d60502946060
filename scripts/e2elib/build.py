"""Building Zephyr applications with this module."""

import os
import shutil
import subprocess
import sys
from pathlib import Path


def require_tools(*tools):
    """Exits with one line naming the first missing tool."""
    for tool in tools:
        if shutil.which(tool) is None:
            sys.exit(f"e2e: `{tool}` not found on PATH; install it (README, \"Tests\", lists what scripts/e2e needs)")


def zephyr_base():
    """$ZEPHYR_BASE, checked."""
    base = os.environ.get("ZEPHYR_BASE")
    if not base or not (Path(base) / "VERSION").is_file():
        sys.exit("e2e: set ZEPHYR_BASE to a Zephyr tree (tested with 4.1.99)")
    return Path(base)


class Options:
    """What every build of one e2e run shares: the target, the modules,
    and C flags forced into every translation unit (the simulated 4.4
    names)."""

    def __init__(self, target, modules, cflags=""):
        self.target = target
        self.modules = modules
        self.cflags = cflags


def build(app, build_dir, options, conf_files=(), configs=()):
    """Configures and builds `app` for `options.target`; returns the build
    directory. The build log goes to build_dir/build.log; a failure exits
    with its tail."""
    build_dir = Path(build_dir)
    target = options.target
    command = [
        "cmake", "-GNinja", "-S", str(app), "-B", str(build_dir),
        f"-DBOARD={target.name}",
        f"-DPython3_EXECUTABLE={sys.executable}",
        f"-DZEPHYR_MODULES={';'.join(str(m) for m in options.modules)}",
    ]
    conf_files = list(conf_files) + target.conf_files()
    if conf_files:
        command.append(f"-DEXTRA_CONF_FILE={';'.join(conf_files)}")
    if options.cflags:
        command.append(f"-DEXTRA_CFLAGS={options.cflags}")
    command += [f"-D{config}" for config in list(configs) + target.configs()]
    # CMake keeps -DCONFIG_... values in its cache: a build directory
    # configured with other settings starts afresh, or they would stick.
    recorded = build_dir / "e2e-configure.txt"
    wanted = "\n".join(command) + "\n"
    if build_dir.exists() and (not recorded.is_file() or recorded.read_text() != wanted):
        shutil.rmtree(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    recorded.write_text(wanted)
    log = build_dir / "build.log"
    with open(log, "w") as out:
        for step in (command, ["ninja", "-C", str(build_dir)]):
            result = subprocess.run(step, stdout=out, stderr=subprocess.STDOUT,
                                    env=target.environment())
            if result.returncode != 0:
                tail = log.read_text(errors="replace").splitlines()[-30:]
                sys.exit(f"e2e: build of {app} failed ({' '.join(step[:2])}):\n"
                         + "\n".join(tail) + f"\n(full log: {log})")
    return build_dir


def size(elf, tool="size"):
    """(text, data, bss) of an ELF image, from binutils' size."""
    out = subprocess.run([tool, str(elf)], capture_output=True, text=True, check=True).stdout
    text, data, bss = out.splitlines()[1].split()[:3]
    return int(text), int(data), int(bss)


def has_intree_capture(build_dir):
    """Whether the in-tree subsys/net/lib/capture/capture.c (or cooked.c)
    is compiled into the image: as a build source, or as a compilation
    unit in the ELF's debug information."""
    ninja = (Path(build_dir) / "build.ninja").read_text(errors="replace")
    sources = ("subsys/net/lib/capture/capture.c", "subsys/net/lib/capture/cooked.c")
    if any(f"{source}.obj" in ninja for source in sources):
        return True
    elf = Path(build_dir) / "zephyr" / "zephyr.elf"
    info = subprocess.run(["readelf", "--debug-dump=info", str(elf)],
                          capture_output=True, text=True, errors="replace").stdout
    return any(source in line for line in info.splitlines()
               if "DW_AT_name" in line for source in sources)


def panic_symbols(build_dir):
    """Rust panic machinery linked into the image (symbol names). The
    library is written so that no code path can panic; then the compiler
    drops the panic handler and core's formatting entirely."""
    elf = Path(build_dir) / "zephyr" / "zephyr.elf"
    table = subprocess.run(["readelf", "-sW", str(elf)], capture_output=True, text=True).stdout
    markers = ("core9panicking", "rust_begin_unwind", "core3fmt")
    return sorted({line.split()[-1] for line in table.splitlines()
                   if any(marker in line for marker in markers)})
