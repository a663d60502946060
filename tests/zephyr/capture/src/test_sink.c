/*
 * The callback sink (CONFIG_NET_CAPTURE_RS_SINK_CALLBACK): captures reach
 * the application's callback as records, from the drain thread, instead
 * of the tunnel.
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

#define KEPT 4

struct kept_record {
	struct net_capture_rs_record meta;
	uint8_t data[MAX_FRAME];
};

static struct {
	struct k_spinlock lock;
	int count;
	void *user_data;
	k_tid_t thread;
	struct kept_record records[KEPT];
} got;

static uint8_t sent[KEPT][MAX_FRAME];
static int marker;

static void on_record(const struct net_capture_rs_record *record, void *user_data)
{
	k_spinlock_key_t key = k_spin_lock(&got.lock);

	if (got.count < KEPT) {
		struct kept_record *kept = &got.records[got.count];

		kept->meta = *record;
		memcpy(kept->data, record->data, MIN(record->len, sizeof(kept->data)));
	}
	got.count++;
	got.user_data = user_data;
	got.thread = k_current_get();
	k_spin_unlock(&got.lock, key);
}

static void other_callback(const struct net_capture_rs_record *record, void *user_data)
{
	ARG_UNUSED(record);
	ARG_UNUSED(user_data);
}

static bool wait_records(int n, int timeout_ms)
{
	int64_t deadline = k_uptime_get() + timeout_ms;

	while (k_uptime_get() < deadline) {
		if (got.count >= n) {
			return true;
		}
		k_msleep(1);
	}
	return false;
}

static bool wait_streaming(bool on)
{
	struct net_capture_rs_sink_status st;

	for (int i = 0; i < 100; i++) {
		if (net_capture_rs_sink_status(&st) == 0 && st.streaming == on) {
			return true;
		}
		k_msleep(1);
	}
	return false;
}

static void sink_before(void *fixture)
{
	ARG_UNUSED(fixture);
	memset(&got, 0, sizeof(got));
}

static void sink_after(void *fixture)
{
	(void)net_capture_rs_sink_unregister(on_record);
	(void)wait_streaming(false);
	(void)net_capture_rs_snaplen_set(capture_device(0), 0);
	capture_suite_after(fixture);
}

ZTEST(capture_sink, test_registered_callback_gets_records_instead_of_the_tunnel)
{
	const struct device *dev;
	struct net_capture_rs_sink_status st;

	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev), 0);
	zassert_equal(net_capture_enable(dev, probe), 0);
	zassert_equal(net_capture_rs_sink_register(on_record, &marker), 0);
	zassert_true(wait_streaming(true), "the drain thread started the callback sink");
	zassert_equal(net_capture_rs_sink_status(&st), 0);
	zassert_equal(st.transport, 2);
	recorders_reset();

	for (int i = 0; i < 3; i++) {
		zassert_equal(send_udp4(probe, 100 + 50 * i, sent[i]), 0);
	}
	zassert_true(wait_records(3, 500), "3 records, got %d", got.count);
	k_msleep(20);
	zassert_equal(carrier_frames.frames, 0, "nothing went into the tunnel");
	zassert_equal(got.count, 3);
	zassert_equal_ptr(got.user_data, &marker);
	zassert_not_equal(got.thread, k_current_get(), "called from the drain thread");

	for (int i = 0; i < 3; i++) {
		const struct net_capture_rs_record *meta = &got.records[i].meta;

		zassert_equal(meta->sequence, (uint32_t)i, "numbered from the sink's start");
		zassert_equal(meta->lost, 0);
		zassert_equal(meta->device, 0);
		zassert_equal(meta->direction, 2, "sent by the device");
		zassert_equal(meta->link_type, 101, "dummy L2 frames are raw IP");
		zassert_equal(meta->ifindex, net_if_get_by_iface(probe));
		zassert_equal(meta->orig_len, 100 + 50 * i);
		zassert_equal(meta->len, 100 + 50 * i);
		zassert_mem_equal(got.records[i].data, sent[i], meta->len);
		if (i > 0) {
			zassert_true(meta->timestamp_ns >= got.records[i - 1].meta.timestamp_ns);
		}
	}
}

ZTEST(capture_sink, test_snap_length_cuts_the_record_and_keeps_the_original_length)
{
	const struct device *dev;

	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev), 0);
	zassert_equal(net_capture_enable(dev, probe), 0);
	zassert_equal(net_capture_rs_snaplen_set(dev, 60), 0);
	zassert_equal(net_capture_rs_sink_register(on_record, NULL), 0);
	zassert_true(wait_streaming(true));

	zassert_equal(send_udp4(probe, 400, sent[0]), 0);
	zassert_true(wait_records(1, 500));
	zassert_equal(got.records[0].meta.orig_len, 400);
	zassert_equal(got.records[0].meta.len, 60);
	zassert_mem_equal(got.records[0].data, sent[0], 60);
}

ZTEST(capture_sink, test_unregister_goes_back_to_the_tunnel)
{
	const struct device *dev;

	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev), 0);
	zassert_equal(net_capture_enable(dev, probe), 0);
	zassert_equal(net_capture_rs_sink_register(on_record, NULL), 0);
	zassert_true(wait_streaming(true));
	zassert_equal(net_capture_rs_sink_unregister(other_callback), -ENOENT,
		      "only the registered callback unregisters");
	zassert_equal(net_capture_rs_sink_unregister(on_record), 0);
	zassert_true(wait_streaming(false));

	recorders_reset();
	zassert_equal(send_udp4(probe, 100, sent[0]), 0);
	zassert_true(wait_carrier_frames(1, 100), "the tunnel carries captures again");
	zassert_equal(got.count, 0);
}

ZTEST(capture_sink, test_refusals)
{
	struct net_capture_rs_sink_status st;

	zassert_equal(net_capture_rs_sink_register(NULL, NULL), -EINVAL);
	zassert_equal(net_capture_rs_sink_status(NULL), -EINVAL);
	zassert_equal(net_capture_rs_sink_status(&st), 0);
	zassert_equal(st.transport, 0, "the tunnel is the default");
	zassert_false(st.streaming);
	zassert_equal(st.ring_size, CONFIG_NET_CAPTURE_RS_SINK_RING_SIZE);
}

ZTEST_SUITE(capture_sink, NULL, capture_suite_setup, sink_before, sink_after, NULL);
