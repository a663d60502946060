/*
 * Stand-in for Zephyr 4.4's include/zephyr/net/net_compat.h in the
 * simulated 4.4 build of scripts/e2e (see ../../../names44.h). It is never
 * included; its presence tells the module the tree has the 4.4 names.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */
#error "stand-in of Zephyr 4.4's net_compat.h: only its presence matters"
