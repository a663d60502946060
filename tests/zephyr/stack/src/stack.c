/*
 * Stack use of each entry point of the capture API, measured on the real
 * stack: every call runs on a fresh thread whose stack was painted at
 * creation (CONFIG_INIT_STACKS), and what the call used is read back,
 * less what an empty call uses. The same calls run with this module and
 * with the in-tree C implementation (CONFIG_NET_CAPTURE_RS=n), so the
 * figures compare (scripts/stack prints them side by side).
 *
 * Each line reads "STACK <entry point> <bytes>".
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/ztest.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_pkt.h>
#include <zephyr/net/capture.h>
#include <zephyr/net/ethernet.h>
#include <zephyr/net/net_mgmt.h>
#include <zephyr/net/virtual_mgmt.h>

#include "common.h"

#define PROBE_STACK_SIZE 4096

K_THREAD_STACK_DEFINE(probe_stack, PROBE_STACK_SIZE);
static struct k_thread probe_thread;

typedef void (*entry_fn)(void);

static void run_entry(void *fn, void *p2, void *p3)
{
	ARG_UNUSED(p2);
	ARG_UNUSED(p3);
	((entry_fn)fn)();
}

/* Bytes of the probe stack a call of fn used. */
static size_t used_by(entry_fn fn)
{
	size_t unused = 0;

	k_thread_create(&probe_thread, probe_stack, K_THREAD_STACK_SIZEOF(probe_stack), run_entry,
			(void *)fn, NULL, NULL, K_PRIO_PREEMPT(1), 0, K_NO_WAIT);
	zassert_ok(k_thread_join(&probe_thread, K_SECONDS(10)));
	zassert_ok(k_thread_stack_space_get(&probe_thread, &unused));
	return probe_thread.stack_info.size - unused;
}

static void nothing(void)
{
}

static void report(const char *name, entry_fn fn)
{
	size_t base = used_by(nothing);
	size_t used = used_by(fn);

	zassert_true(used < PROBE_STACK_SIZE - 256, "%s nearly overflowed the probe", name);
	printk("STACK %s %zu\n", name, used - base);
}

static const struct device *dev;
static struct net_pkt *frame;
static int result;

static void setup_tunnel(void)
{
	result = net_capture_setup(REMOTE, LOCAL6, PEER6, &dev);
}

static void setup_refused(void)
{
	const struct device *unused;

	result = net_capture_setup(REMOTE ":99999999", LOCAL6, PEER6, &unused);
}

static void setup_unreachable(void)
{
	const struct device *unused;

	result = net_capture_setup("203.0.113.9", LOCAL6, PEER6, &unused);
}

static void enable_probe(void)
{
	result = net_capture_enable(dev, probe);
}

static void enable_carrier(void)
{
	result = net_capture_enable(dev, carrier);
}

static void disable(void)
{
	result = net_capture_disable(dev);
}

static void cleanup(void)
{
	result = net_capture_cleanup(dev);
}

static void count_device(struct net_capture_info *info, void *user_data)
{
	ARG_UNUSED(info);
	(*(int *)user_data)++;
}

static void foreach(void)
{
	int count = 0;

	net_capture_foreach(count_device, &count);
	result = count;
}

static void capture(void)
{
	net_capture_pkt(net_pkt_iface(frame), frame);
}

/* Captures a frame of len bytes seen on iface; the carrier must have
 * been asked to send the tunnel packets, or the figure means nothing.
 */
static void capture_frame(const char *name, struct net_if *iface, size_t len)
{
	static uint8_t bytes[MAX_FRAME];
	int before = carrier_frames.frames;

	frame = make_udp4(iface, len, bytes);
	zassert_not_null(frame, "no packet for %s", name);
	report(name, capture);
	net_pkt_unref(frame);
	frame = NULL;
	/* This module sends from the system work queue. */
	(void)wait_carrier_frames(before + 1, 100);
	printk("STACK-CHECK %s carrier frames %d\n", name, carrier_frames.frames - before);
	zassert_true(carrier_frames.frames > before, "%s reached no tunnel", name);
}

/* What the system work queue, which sends every capture of this module,
 * has used of its stack since boot (its stack is painted at creation).
 */
static void report_workqueue(void)
{
	size_t unused = 0;

	zassert_ok(k_thread_stack_space_get(&k_sys_work_q.thread, &unused));
	printk("STACK sysworkq(high-water) %zu\n", k_sys_work_q.thread.stack_info.size - unused);
}

ZTEST(capture_stack, test_entry_points)
{
	report("net_capture_setup", setup_tunnel);
	zassert_ok(result);
	report("net_capture_foreach", foreach);

	report("enable", enable_probe);
	zassert_ok(result);
	capture_frame("net_capture_pkt(64)", probe, 64);
	capture_frame("net_capture_pkt(1400)", probe, 1400);
	report("disable", disable);
	zassert_ok(result);

	/* The interface that carries the tunnel: its own traffic is told
	 * apart from what is captured.
	 */
	zassert_ok(net_capture_enable(dev, carrier));
	capture_frame("net_capture_pkt(carrier)", carrier, 200);
	zassert_ok(net_capture_disable(dev));

	report("enable(carrier)", enable_carrier);
	zassert_ok(result);
	report("cleanup(enabled)", cleanup);
	zassert_ok(result);
	report_workqueue();

	/* Refused setups last: the C code falls back to the default interface
	 * (defect W9) and takes another device, and its cleanup resets the
	 * shared tunnel.
	 */
	report("net_capture_setup(refused)", setup_refused);
	zassert_true(result < 0);
	report("net_capture_setup(unreachable)", setup_unreachable);
}

#if defined(CONFIG_NET_CAPTURE_COOKED_MODE)
static struct net_capture_cooked cooked_ctx;

static void cooked_data(void)
{
	static const uint8_t data[64];

	net_capture_data(&cooked_ctx, data, sizeof(data), NET_CAPTURE_OUTGOING,
			 NET_ETH_PTYPE_HDLC);
}

ZTEST(capture_stack, test_cooked_data)
{
	static uint8_t addr[6] = {1, 2, 3, 4, 5, 6};
	struct net_if *cooked = NULL;

	for (int i = 1; (cooked = net_if_get_by_index(i)) != NULL; i++) {
		char name[CONFIG_NET_INTERFACE_NAME_LEN + 1];

		if (net_if_get_name(cooked, name, sizeof(name)) > 0 &&
		    strcmp(name, CONFIG_NET_CAPTURE_COOKED_MODE_INTERFACE_NAME) == 0) {
			break;
		}
	}
	struct virtual_interface_req_params params = {
		.link_types = {.count = 1, .type = {NET_ETH_PTYPE_HDLC}},
	};

	zassert_not_null(cooked);
	zassert_ok(net_capture_cooked_setup(&cooked_ctx, 512, sizeof(addr), addr));
	zassert_ok(net_mgmt(NET_REQUEST_VIRTUAL_INTERFACE_SET_LINK_TYPE, cooked, &params,
			    sizeof(params)));
	zassert_ok(net_if_up(cooked));
	zassert_ok(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev));
	zassert_ok(net_capture_enable(dev, cooked));
	report("net_capture_data", cooked_data);
	k_msleep(50);
	zassert_true(carrier_frames.frames > 0, "the cooked capture reached the carrier");
	report_workqueue();
}
#endif

#if defined(CONFIG_NET_CAPTURE_RS_FILTER)
#include <net_capture_rs.h>

/* A long expression (the most NET_CAPTURE_RS_FILTER_TEXT_MAX allows):
 * ports, ranges, hosts, nets, vlan, nesting and negation, the
 * compiler's deepest path.
 */
static const char long_filter[] =
	"(udp and (dst port 4243 or portrange 5000-5100)) or (tcp and not src host 192.0.2.9) "
	"or (ip6 and net 2001:db8::/32) or vlan";
BUILD_ASSERT(sizeof(long_filter) <= NET_CAPTURE_RS_FILTER_TEXT_MAX, "filter text too long");

static void filter_set(void)
{
	result = net_capture_rs_filter_set(dev, long_filter);
}

static void filter_set_invalid(void)
{
	result = net_capture_rs_filter_set(dev, "udp and (port 53 or");
}

ZTEST(capture_stack, test_filter_set)
{
	zassert_ok(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev));
	report("net_capture_rs_filter_set", filter_set);
	zassert_ok(result);
	report("net_capture_rs_filter_set(invalid)", filter_set_invalid);
	zassert_equal(result, -EINVAL);

	/* A frame the filter rejects: tested on its first bytes, not copied. */
	static uint8_t bytes[MAX_FRAME];
	int before = carrier_frames.frames;

	zassert_ok(net_capture_rs_filter_set(dev, "tcp port 80"));
	zassert_ok(net_capture_enable(dev, probe));
	frame = make_udp4(probe, 64, bytes);
	zassert_not_null(frame);
	report("net_capture_pkt(64, filtered out)", capture);
	net_pkt_unref(frame);
	frame = NULL;
	k_msleep(20);
	zassert_equal(carrier_frames.frames, before, "a filtered-out frame reached the tunnel");
	zassert_ok(net_capture_rs_filter_set(dev, ""));
	zassert_ok(net_capture_cleanup(dev));
}
#endif

static void *stack_setup(void)
{
	return capture_suite_setup();
}

ZTEST_SUITE(capture_stack, NULL, stack_setup, NULL, capture_suite_after, NULL);
