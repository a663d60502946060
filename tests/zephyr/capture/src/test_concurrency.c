/*
 * Control operations, captures and cooked data racing each other on the
 * real stack (W2): nothing leaks and the final state is consistent.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <zephyr/ztest.h>
#include <zephyr/random/random.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_pkt.h>
#include <zephyr/net/virtual.h>
#include <zephyr/net/ethernet.h>
#include <zephyr/net/capture.h>
#include <net_capture_rs_pools.h>

#include "common.h"

/* Simulated time only advances when every thread sleeps, so the loops
 * sleep a tick between operations instead of yielding, and run for a
 * fixed number of rounds.
 */
#define ROUNDS 400
#define STACK 4096
#define PRIO K_PRIO_PREEMPT(5)

K_THREAD_STACK_DEFINE(control_stack, STACK);
K_THREAD_STACK_DEFINE(sender_stack, STACK);
K_THREAD_STACK_DEFINE(sender2_stack, STACK);
K_THREAD_STACK_DEFINE(cooked_stack, STACK);
static struct k_thread control_thread, sender_thread, sender2_thread, cooked_thread;
static atomic_t control_ops, sends, cooked_calls;

struct levels {
	size_t rx_pkts, tx_pkts, rx_bufs, tx_bufs, capture_pkts, capture_bufs;
};

static void pool_levels(struct levels *out)
{
	struct k_mem_slab *rx, *tx;
	struct net_buf_pool *rx_data, *tx_data;

	net_pkt_get_info(&rx, &tx, &rx_data, &tx_data);
	out->rx_pkts = k_mem_slab_num_free_get(rx);
	out->tx_pkts = k_mem_slab_num_free_get(tx);
	out->rx_bufs = atomic_get(&rx_data->avail_count);
	out->tx_bufs = atomic_get(&tx_data->avail_count);
	net_capture_rs_pools_free(&out->capture_pkts, &out->capture_bufs);
}

static struct net_if *target(void)
{
#if defined(CONFIG_NET_CAPTURE_COOKED_MODE)
	if (sys_rand8_get() & 1) {
		return net_if_get_by_index(
			net_if_get_by_name(CONFIG_NET_CAPTURE_COOKED_MODE_INTERFACE_NAME));
	}
#endif
	return sys_rand8_get() & 1 ? probe : carrier;
}

static void control_loop(void *a, void *b, void *c)
{
	ARG_UNUSED(a);
	ARG_UNUSED(b);
	ARG_UNUSED(c);

	for (int round = 0; round < ROUNDS; round++) {
		const struct device *dev = capture_device(sys_rand8_get() % 2);

		switch (sys_rand8_get() % 4) {
		case 0:
			(void)net_capture_setup(REMOTE, LOCAL6, PEER6, &dev);
			break;
		case 1:
			(void)net_capture_enable(dev, target());
			break;
		case 2:
			(void)net_capture_disable(dev);
			break;
		default:
			(void)net_capture_cleanup(dev);
			break;
		}
		atomic_inc(&control_ops);
		k_sleep(K_TICKS(1));
	}
}

static void send_loop(void *a, void *b, void *c)
{
	static uint8_t frames[2][MAX_FRAME];
	int which = POINTER_TO_INT(a);

	ARG_UNUSED(b);
	ARG_UNUSED(c);

	for (int round = 0; round < ROUNDS; round++) {
		size_t len = (sys_rand16_get() % 2) ? 1500 : 28 + sys_rand8_get();

		(void)send_udp4(which ? carrier : probe, len, frames[which]);
		atomic_inc(&sends);
		k_sleep(K_TICKS(sys_rand8_get() % 2));
	}
}

static void cooked_loop(void *a, void *b, void *c)
{
#if defined(CONFIG_NET_CAPTURE_COOKED_MODE)
	static uint8_t data[300];
	struct net_capture_cooked ctx = {.hatype = 280};

	ARG_UNUSED(a);
	ARG_UNUSED(b);
	ARG_UNUSED(c);

	for (int round = 0; round < ROUNDS; round++) {
		net_capture_data(&ctx, data, 1 + sys_rand8_get(), NET_CAPTURE_OUTGOING,
				 NET_ETH_PTYPE_CAN);
		atomic_inc(&cooked_calls);
		k_sleep(K_TICKS(sys_rand8_get() % 2));
	}
#else
	ARG_UNUSED(a);
	ARG_UNUSED(b);
	ARG_UNUSED(c);
#endif
}

ZTEST(capture_concurrency, test_racing_callers_leak_nothing)
{
	struct levels before, after;

	pool_levels(&before);
	k_thread_create(&control_thread, control_stack, STACK, control_loop, NULL, NULL, NULL,
			PRIO, 0, K_NO_WAIT);
	k_thread_create(&sender_thread, sender_stack, STACK, send_loop, INT_TO_POINTER(0), NULL,
			NULL, PRIO, 0, K_NO_WAIT);
	k_thread_create(&sender2_thread, sender2_stack, STACK, send_loop, INT_TO_POINTER(1), NULL,
			NULL, PRIO, 0, K_NO_WAIT);
	k_thread_create(&cooked_thread, cooked_stack, STACK, cooked_loop, NULL, NULL, NULL, PRIO,
			0, K_NO_WAIT);
	zassert_equal(k_thread_join(&control_thread, K_SECONDS(60)), 0);
	zassert_equal(k_thread_join(&sender_thread, K_SECONDS(60)), 0);
	zassert_equal(k_thread_join(&sender2_thread, K_SECONDS(60)), 0);
	zassert_equal(k_thread_join(&cooked_thread, K_SECONDS(60)), 0);

	capture_reset();
	k_msleep(100);
	pool_levels(&after);

	TC_PRINT("%ld control operations, %ld sends, %ld cooked calls\n",
		 (long)atomic_get(&control_ops), (long)atomic_get(&sends),
		 (long)atomic_get(&cooked_calls));
	zassert_equal(atomic_get(&control_ops), ROUNDS, "the control thread ran");
	zassert_equal(atomic_get(&sends), 2 * ROUNDS, "the senders ran");
	zassert_equal(after.capture_pkts, CONFIG_NET_CAPTURE_PKT_COUNT, "capture packets leaked");
	zassert_equal(after.capture_bufs, CONFIG_NET_CAPTURE_BUF_COUNT, "capture buffers leaked");
	zassert_equal(after.rx_pkts, before.rx_pkts, "RX packets leaked");
	zassert_equal(after.tx_pkts, before.tx_pkts, "TX packets leaked");
	zassert_equal(after.rx_bufs, before.rx_bufs, "RX buffers leaked");
	zassert_equal(after.tx_bufs, before.tx_bufs, "TX buffers leaked");
	for (int i = 0; i < CONFIG_NET_CAPTURE_DEVICE_COUNT; i++) {
		zassert_false(net_capture_is_enabled(capture_device(i)));
		zassert_equal(net_capture_cleanup(capture_device(i)), -ENOENT, "device %d free", i);
	}
	zassert_equal(net_if_get_mtu(carrier), 1500);
}

ZTEST_SUITE(capture_concurrency, NULL, capture_suite_setup, NULL, capture_suite_after, NULL);
