/*
 * "net capture_stats": the counters of each capture device.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/shell/shell.h>
#include <zephyr/net/capture.h>

#include "glue.h"
#include <net_capture_rs.h>
#include <net_capture_rs_pools.h>

static int cmd_net_capture_stats(const struct shell *sh, size_t argc, char *argv[])
{
	size_t pkts_free, bufs_free;

	ARG_UNUSED(argc);
	ARG_UNUSED(argv);

	shell_print(sh, "Device\t\tcaptured fragmented truncated no-memory send-failed other "
			"feedback cooked cooked-lost");

	for (int i = 0; i < CONFIG_NET_CAPTURE_DEVICE_COUNT; i++) {
		struct net_capture_rs_stats stats;
		const struct device *dev = net_capture_rs_devices[i];

		if (net_capture_rs_stats_get(dev, &stats) < 0) {
			continue;
		}

		shell_print(sh, "%s\t%8u %10u %9u %9u %11u %5u %8u %6u %11u", dev->name,
			    stats.captured, stats.fragmented, stats.truncated, stats.dropped_nomem,
			    stats.dropped_send, stats.dropped_other, stats.skipped_feedback,
			    stats.cooked_captured, stats.cooked_dropped);
	}

	net_capture_rs_pools_free(&pkts_free, &bufs_free);
	shell_print(sh, "Capture pools: %zu/%d packets free, %zu/%d buffers free", pkts_free,
		    CONFIG_NET_CAPTURE_PKT_COUNT, bufs_free, CONFIG_NET_CAPTURE_BUF_COUNT);

	return 0;
}

SHELL_SUBCMD_ADD((net), capture_stats, NULL,
		 "Print the counters of each network capture device and the\n"
		 "occupancy of the capture pools.",
		 cmd_net_capture_stats, 1, 0);
