# Copyright (c) 2026 The zephyr-net-capture authors
# SPDX-License-Identifier: Apache-2.0
"""Parts of scripts/bench: builds, callgrind profiles, per-frame runs, sizes."""
