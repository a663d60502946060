/*
 * The capture options through the C API: a device's filter and snap
 * length, set, shown and applied to packets on the real stack.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <string.h>

#include <zephyr/ztest.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/capture.h>
#include <net_capture_rs.h>

#include "common.h"

static uint8_t sent[MAX_FRAME];

/* What device 0 started with, read before any test changes it. */
static char boot_filter[NET_CAPTURE_RS_FILTER_TEXT_MAX + 1];
static uint32_t boot_snaplen;

static void *options_setup(void)
{
	(void)net_capture_rs_filter_get(capture_device(0), boot_filter, sizeof(boot_filter));
	(void)net_capture_rs_snaplen_get(capture_device(0), &boot_snaplen);
	return capture_suite_setup();
}

ZTEST(capture_options, test_devices_start_with_the_configured_options)
{
	zassert_equal(boot_snaplen, CONFIG_NET_CAPTURE_RS_SNAPLEN_DEFAULT);
#if defined(CONFIG_NET_CAPTURE_RS_FILTER)
	zassert_str_equal(boot_filter, CONFIG_NET_CAPTURE_RS_FILTER_DEFAULT);
#else
	zassert_str_equal(boot_filter, "");
#endif
}

static void options_after(void *fixture)
{
	for (int i = 0; i < CONFIG_NET_CAPTURE_DEVICE_COUNT; i++) {
		(void)net_capture_rs_filter_set(capture_device(i), NULL);
		(void)net_capture_rs_snaplen_set(capture_device(i), 0);
	}
	capture_suite_after(fixture);
}

ZTEST(capture_options, test_refusals_change_nothing)
{
	const struct device *dev = capture_device(0);
	char text[NET_CAPTURE_RS_FILTER_TEXT_MAX + 1];
	char longest[NET_CAPTURE_RS_FILTER_TEXT_MAX + 2];
	uint32_t snaplen = 1;

	zassert_equal(net_capture_rs_filter_set(NULL, "ip"), -EINVAL);
	zassert_equal(net_capture_rs_snaplen_set(NULL, 64), -EINVAL);
	zassert_equal(net_capture_rs_snaplen_get(dev, NULL), -EINVAL);
	zassert_equal(net_capture_rs_filter_get(dev, NULL, 4), -EINVAL);
	zassert_equal(net_capture_rs_filter_get(dev, text, 0), -EINVAL);
	zassert_equal(net_capture_rs_snaplen_set(dev, 0), 0);
	zassert_equal(net_capture_rs_snaplen_get(dev, &snaplen), 0);
	zassert_equal(snaplen, 0, "0: whole frames");

#if defined(CONFIG_NET_CAPTURE_RS_FILTER)
	zassert_equal(net_capture_rs_filter_set(dev, "udp port 4243"), 0);
	zassert_equal(net_capture_rs_filter_set(dev, "udp prot 4243"), -EINVAL);
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	zassert_equal(net_capture_rs_filter_set(dev, longest), -EINVAL, "too long");
	zassert_equal(net_capture_rs_filter_get(dev, text, sizeof(text)), strlen("udp port 4243"));
	zassert_str_equal(text, "udp port 4243", "a refused filter leaves the old one");
	zassert_equal(net_capture_rs_filter_get(dev, text, 4), strlen("udp port 4243"));
	zassert_str_equal(text, "udp", "cut to the buffer, NUL-terminated");
	zassert_equal(net_capture_rs_filter_set(dev, "  "), 0);
	zassert_equal(net_capture_rs_filter_get(dev, text, sizeof(text)), 0, "blank clears");
#else
	ARG_UNUSED(longest);
	zassert_equal(net_capture_rs_filter_set(dev, "udp"), -ENOTSUP);
	zassert_equal(net_capture_rs_filter_set(dev, ""), 0, "no filter is always possible");
	zassert_equal(net_capture_rs_filter_get(dev, text, sizeof(text)), 0);
#endif
}

ZTEST(capture_options, test_snap_length_cuts_the_tunnel_copy)
{
	const struct device *dev;
	struct net_capture_rs_stats before, stats;

	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev), 0);
	zassert_equal(net_capture_enable(dev, probe), 0);
	zassert_equal(net_capture_rs_snaplen_set(dev, 60), 0);
	zassert_equal(net_capture_rs_stats_get(dev, &before), 0);
	recorders_reset();
	zassert_equal(send_udp4(probe, 400, sent), 0);
	zassert_true(wait_carrier_frames(1, 100));
	/* Outer IPv4 20, inner IPv6 40, UDP 8, then the first 60 bytes. */
	zassert_equal(carrier_frame(0)->len, 20 + 40 + 8 + 60);
	zassert_mem_equal(carrier_frame(0)->data + 68, sent, 60);
	zassert_equal(net_capture_rs_stats_get(dev, &stats), 0);
	zassert_equal(stats.snapped - before.snapped, 1);
}

#if defined(CONFIG_NET_CAPTURE_RS_FILTER)
ZTEST(capture_options, test_filter_decides_before_the_copy)
{
	const struct device *dev;
	struct net_capture_rs_stats before, stats;

	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev), 0);
	zassert_equal(net_capture_enable(dev, probe), 0);
	/* send_udp4() sends from port 7 to port 9. */
	zassert_equal(net_capture_rs_filter_set(dev, "udp dst port 9 and src host 198.51.100.1"), 0);
	zassert_equal(net_capture_rs_stats_get(dev, &before), 0);
	recorders_reset();
	zassert_equal(send_udp4(probe, 100, sent), 0);
	zassert_true(wait_carrier_frames(1, 100), "selected frame captured");
	zassert_equal(net_capture_rs_filter_set(dev, "udp port 7 and not src port 7"), 0);
	zassert_equal(send_udp4(probe, 100, sent), 0);
	k_msleep(10);
	zassert_equal(carrier_frames.frames, 1, "rejected frame not captured");
	zassert_equal(net_capture_rs_stats_get(dev, &stats), 0);
	zassert_equal(stats.captured - before.captured, 1);
	zassert_equal(stats.filtered - before.filtered, 1);
}
#endif

ZTEST_SUITE(capture_options, NULL, options_setup, NULL, options_after, NULL);
