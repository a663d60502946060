/*
 * "net capture_stats": the counters and options of each capture device;
 * "net capture_rs filter|snaplen": setting the options.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <stdlib.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/shell/shell.h>
#include <zephyr/net/capture.h>

#include "glue.h"
#include <net_capture_rs.h>
#include <net_capture_rs_pools.h>


#if defined(CONFIG_NET_CAPTURE_RS_SINK)
static void print_sink(const struct shell *sh)
{
	static const char *const names[] = {"tunnel", "uart", "callback"};
	struct net_capture_rs_sink_status st;

	if (net_capture_rs_sink_status(&st) < 0) {
		return;
	}

	shell_print(sh, "Capture sink: %s%s%s",
		    st.transport < ARRAY_SIZE(names) ? names[st.transport] : "?",
		    st.uart != NULL ? " " : "", st.uart != NULL ? st.uart->name : "");
	shell_print(sh, "Stream: sent %u lost: full %u too-big %u other %u; next sequence %u; "
			"ring %u/%u bytes used",
		    st.sent, st.lost_full, st.lost_too_big, st.lost_other, st.next_sequence,
		    st.ring_used, st.ring_size);
}

#endif

static int cmd_net_capture_stats(const struct shell *sh, size_t argc, char *argv[])
{
	size_t pkts_free, bufs_free;

	ARG_UNUSED(argc);
	ARG_UNUSED(argv);

	shell_print(sh, "Device\t\tcaptured fragmented truncated no-memory send-failed other "
			"feedback cooked cooked-lost filtered snapped");

	for (int i = 0; i < CONFIG_NET_CAPTURE_DEVICE_COUNT; i++) {
		struct net_capture_rs_stats stats;
		const struct device *dev = net_capture_rs_devices[i];

		if (net_capture_rs_stats_get(dev, &stats) < 0) {
			continue;
		}

		shell_print(sh, "%s\t%8u %10u %9u %9u %11u %5u %8u %6u %11u %8u %7u", dev->name,
			    stats.captured, stats.fragmented, stats.truncated, stats.dropped_nomem,
			    stats.dropped_send, stats.dropped_other, stats.skipped_feedback,
			    stats.cooked_captured, stats.cooked_dropped, stats.filtered,
			    stats.snapped);
	}

	for (int i = 0; i < CONFIG_NET_CAPTURE_DEVICE_COUNT; i++) {
		const struct device *dev = net_capture_rs_devices[i];
		char filter[NET_CAPTURE_RS_FILTER_TEXT_MAX + 1];
		uint32_t snaplen = 0;

		(void)net_capture_rs_snaplen_get(dev, &snaplen);
		if (net_capture_rs_filter_get(dev, filter, sizeof(filter)) <= 0) {
			strcpy(filter, "none");
		}
		shell_print(sh, "%s\tfilter: %s; snap length: %u%s", dev->name, filter, snaplen,
			    snaplen == 0 ? " (whole frames)" : "");
	}

#if defined(CONFIG_NET_CAPTURE_RS_SINK)
	print_sink(sh);
#endif

	net_capture_rs_pools_free(&pkts_free, &bufs_free);
	shell_print(sh, "Capture pools: %zu/%d packets free, %zu/%d buffers free", pkts_free,
		    CONFIG_NET_CAPTURE_PKT_COUNT, bufs_free, CONFIG_NET_CAPTURE_BUF_COUNT);

	return 0;
}

/* A capture device by index ("0") or name ("NET_CAPTURE0"). */
static const struct device *capture_device_arg(const struct shell *sh, const char *arg)
{
	char *end;
	unsigned long index = strtoul(arg, &end, 10);

	if (*arg != '\0' && *end == '\0') {
		if (index < CONFIG_NET_CAPTURE_DEVICE_COUNT) {
			return net_capture_rs_devices[index];
		}
	} else {
		for (int i = 0; i < CONFIG_NET_CAPTURE_DEVICE_COUNT; i++) {
			if (strcmp(arg, net_capture_rs_devices[i]->name) == 0) {
				return net_capture_rs_devices[i];
			}
		}
	}

	shell_error(sh, "No capture device \"%s\" (0..%d or NET_CAPTURE<n>)", arg,
		    CONFIG_NET_CAPTURE_DEVICE_COUNT - 1);
	return NULL;
}

static int cmd_net_capture_rs_filter(const struct shell *sh, size_t argc, char *argv[])
{
	const struct device *dev = capture_device_arg(sh, argv[1]);
	/* The rest of the line as typed, with or without quotes around it. */
	char *expr = argc > 2 ? argv[2] : "";
	size_t len = strlen(expr);
	int ret;

	if (dev == NULL) {
		return -EINVAL;
	}

	if (len >= 2 && (expr[0] == '"' || expr[0] == '\'') && expr[len - 1] == expr[0]) {
		expr[len - 1] = '\0';
		expr++;
		len -= 2;
	}

	ret = net_capture_rs_filter_set(dev, expr);
	if (ret < 0) {
		shell_error(sh, "Capture filter not set (%d)", ret);
		return ret;
	}

	shell_print(sh, "%s: %s", dev->name, len > 0 ? expr : "no filter, every frame captured");
	return 0;
}

static int cmd_net_capture_rs_snaplen(const struct shell *sh, size_t argc, char *argv[])
{
	const struct device *dev = capture_device_arg(sh, argv[1]);
	char *end;
	unsigned long snaplen = strtoul(argv[2], &end, 10);
	int ret;

	ARG_UNUSED(argc);

	if (dev == NULL) {
		return -EINVAL;
	}

	if (*argv[2] == '\0' || *end != '\0' || snaplen > UINT16_MAX) {
		shell_error(sh, "Snap length \"%s\" is not a number of bytes (0..65535)", argv[2]);
		return -EINVAL;
	}

	ret = net_capture_rs_snaplen_set(dev, (uint32_t)snaplen);
	if (ret < 0) {
		shell_error(sh, "Snap length not set (%d)", ret);
		return ret;
	}

	shell_print(sh, "%s: snap length %lu%s", dev->name, snaplen,
		    snaplen == 0 ? " (whole frames)" : "");
	return 0;
}

#if defined(CONFIG_NET_CAPTURE_RS_SINK)
static int cmd_net_capture_rs_sink(const struct shell *sh, size_t argc, char *argv[])
{
	int ret;

	if (argc == 1) {
		print_sink(sh);
		return 0;
	}

	if (strcmp(argv[1], "tunnel") == 0 && argc == 2) {
		ret = net_capture_rs_sink_tunnel();
#if defined(CONFIG_NET_CAPTURE_RS_SINK_UART)
	} else if (strcmp(argv[1], "uart") == 0) {
		const struct device *uart = NULL;

		if (argc > 2) {
			uart = device_get_binding(argv[2]);
			if (uart == NULL) {
				shell_error(sh, "No device \"%s\"", argv[2]);
				return -ENOENT;
			}
		}
		ret = net_capture_rs_sink_uart(uart);
#endif
	} else {
		shell_error(sh, "Unknown sink \"%s\" (tunnel%s)", argv[1],
			    IS_ENABLED(CONFIG_NET_CAPTURE_RS_SINK_UART) ? ", uart [<device>]" : "");
		return -EINVAL;
	}

	if (ret < 0) {
		shell_error(sh, "Capture sink not changed (%d)", ret);
		return ret;
	}
	print_sink(sh);
	return 0;
}
#endif /* CONFIG_NET_CAPTURE_RS_SINK */

SHELL_STATIC_SUBCMD_SET_CREATE(
	net_capture_rs_cmds,
	SHELL_CMD_ARG(filter, NULL,
		      "Keep only the frames an expression selects (tcpdump syntax);\n"
		      "no expression: capture everything.\n"
		      "net capture_rs filter <device> [expression]",
		      cmd_net_capture_rs_filter, 2, SHELL_OPT_ARG_RAW),
	SHELL_CMD_ARG(snaplen, NULL,
		      "Keep at most <bytes> of each frame (0: whole frames).\n"
		      "net capture_rs snaplen <device> <bytes>",
		      cmd_net_capture_rs_snaplen, 3, 0),
#if defined(CONFIG_NET_CAPTURE_RS_SINK)
	SHELL_CMD_ARG(sink, NULL,
		      "Where captures go: the IP tunnel (default), or a UART as the\n"
		      "capture stream (zcap -s <port>; default UART: the chosen\n"
		      "zephyr,capture-uart). No argument: show, with counters.\n"
		      "net capture_rs sink [tunnel | uart [<device>]]",
		      cmd_net_capture_rs_sink, 1, 2),
#endif
	SHELL_SUBCMD_SET_END);

SHELL_SUBCMD_ADD((net), capture_rs, &net_capture_rs_cmds,
		 "Options of the capture devices (see net capture_stats).", NULL, 1, 0);

SHELL_SUBCMD_ADD((net), capture_stats, NULL,
		 "Print the counters of each network capture device and the\n"
		 "occupancy of the capture pools.",
		 cmd_net_capture_stats, 1, 0);
