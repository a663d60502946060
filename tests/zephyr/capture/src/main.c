/*
 * Test interfaces and helpers shared by the suites.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/ztest.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_pkt.h>
#include <zephyr/net/dummy.h>
#include <zephyr/net/capture.h>
#if defined(CONFIG_NET_CAPTURE_RS)
#include <net_capture_rs_pools.h>
#endif

#include "common.h"

struct net_if *carrier;
struct net_if *probe;

struct recorder carrier_frames;
struct recorder probe_frames;

static void record(struct recorder *rec, struct net_pkt *pkt)
{
	k_spinlock_key_t key = k_spin_lock(&rec->lock);
	size_t len = net_pkt_get_len(pkt);
	struct recorded_frame *slot = NULL;

	if (rec->frames < RECORDED && len <= MAX_FRAME) {
		slot = &rec->last[rec->frames];
	}
	rec->frames++;
	k_spin_unlock(&rec->lock, key);

	if (slot != NULL) {
		net_pkt_cursor_init(pkt);
		if (net_pkt_read(pkt, slot->data, len) == 0) {
			slot->len = len;
		}
		net_pkt_cursor_init(pkt);
	}
}

static struct k_spinlock hold_lock;
static bool holding;
static int held_count;
static struct net_pkt *held[CARRIER_HOLD_MAX];

static int carrier_send(const struct device *dev, struct net_pkt *pkt)
{
	k_spinlock_key_t key;

	ARG_UNUSED(dev);
	record(&carrier_frames, pkt);
	key = k_spin_lock(&hold_lock);
	if (holding && held_count < CARRIER_HOLD_MAX) {
		held[held_count++] = net_pkt_ref(pkt);
	}
	k_spin_unlock(&hold_lock, key);
	return 0;
}

void carrier_hold(bool on)
{
	k_spinlock_key_t key = k_spin_lock(&hold_lock);

	holding = on;
	k_spin_unlock(&hold_lock, key);
}

int carrier_held(void)
{
	k_spinlock_key_t key = k_spin_lock(&hold_lock);
	int count = held_count;

	k_spin_unlock(&hold_lock, key);
	return count;
}

void carrier_release(void)
{
	struct net_pkt *release[CARRIER_HOLD_MAX];
	k_spinlock_key_t key = k_spin_lock(&hold_lock);
	int count = held_count;

	holding = false;
	memcpy(release, held, sizeof(held[0]) * count);
	held_count = 0;
	k_spin_unlock(&hold_lock, key);
	for (int i = 0; i < count; i++) {
		net_pkt_unref(release[i]);
	}
}

static int probe_send(const struct device *dev, struct net_pkt *pkt)
{
	ARG_UNUSED(dev);
	record(&probe_frames, pkt);
	return 0;
}

static const struct dummy_api carrier_api;

static void test_iface_init(struct net_if *iface)
{
	static uint8_t carrier_mac[6] = {0x00, 0x00, 0x5e, 0x00, 0x53, 0x01};
	static uint8_t probe_mac[6] = {0x00, 0x00, 0x5e, 0x00, 0x53, 0x02};
	bool is_carrier = net_if_get_device(iface)->api == &carrier_api;

	net_if_set_link_addr(iface, is_carrier ? carrier_mac : probe_mac, 6, NET_LINK_ETHERNET);
	if (is_carrier) {
		carrier = iface;
	} else {
		probe = iface;
	}
}

static const struct dummy_api carrier_api = {
	.iface_api.init = test_iface_init,
	.send = carrier_send,
};

static const struct dummy_api probe_api = {
	.iface_api.init = test_iface_init,
	.send = probe_send,
};

NET_DEVICE_INIT(test_carrier, "test_carrier", NULL, NULL, NULL, NULL,
		CONFIG_KERNEL_INIT_PRIORITY_DEFAULT, &carrier_api, DUMMY_L2,
		NET_L2_GET_CTX_TYPE(DUMMY_L2), 1500);

NET_DEVICE_INIT(test_probe, "test_probe", NULL, NULL, NULL, NULL,
		CONFIG_KERNEL_INIT_PRIORITY_DEFAULT, &probe_api, DUMMY_L2,
		NET_L2_GET_CTX_TYPE(DUMMY_L2), 1500);

void recorders_reset(void)
{
	k_spinlock_key_t key = k_spin_lock(&carrier_frames.lock);

	carrier_frames.frames = 0;
	k_spin_unlock(&carrier_frames.lock, key);
	key = k_spin_lock(&probe_frames.lock);
	probe_frames.frames = 0;
	k_spin_unlock(&probe_frames.lock, key);
}

/* Polls done(n) every millisecond for at most timeout_ms of uptime. */
static bool poll_until(bool (*done)(int), int n, int timeout_ms)
{
	int64_t end = k_uptime_get() + timeout_ms;

	while (!done(n)) {
		if (k_uptime_get() >= end) {
			return false;
		}
		k_msleep(1);
	}
	return true;
}

static bool carrier_sent_at_least(int n)
{
	return carrier_frames.frames >= n;
}

static bool carrier_holds_at_least(int n)
{
	return carrier_held() >= n;
}

static bool pools_full(int unused)
{
	ARG_UNUSED(unused);
#if defined(CONFIG_NET_CAPTURE_RS)
	size_t pkts, bufs;

	net_capture_rs_pools_free(&pkts, &bufs);
	return pkts == CONFIG_NET_CAPTURE_PKT_COUNT && bufs == CONFIG_NET_CAPTURE_BUF_COUNT;
#else
	/* The C baseline (stack suite): upstream's pools are private to
	 * capture.c, and nothing there waits for them.
	 */
	return true;
#endif
}

bool wait_carrier_frames(int n, int timeout_ms)
{
	return poll_until(carrier_sent_at_least, n, timeout_ms);
}

bool wait_carrier_held(int n, int timeout_ms)
{
	return poll_until(carrier_holds_at_least, n, timeout_ms);
}

bool wait_pools_full(int timeout_ms)
{
	return poll_until(pools_full, 0, timeout_ms);
}

const struct recorded_frame *carrier_frame(int n)
{
	return n < RECORDED && n < carrier_frames.frames ? &carrier_frames.last[n] : NULL;
}

struct net_pkt *make_udp4(struct net_if *iface, size_t len, uint8_t *out)
{
	struct net_pkt *pkt;
	uint16_t total = (uint16_t)len;

	zassert_true(len >= 28 && len <= MAX_FRAME);
	/* IPv4 198.51.100.1 -> 198.51.100.2, UDP 7 -> 9, payload counting up. */
	memset(out, 0, len);
	out[0] = 0x45;
	out[2] = total >> 8;
	out[3] = total & 0xff;
	out[8] = 64;
	out[9] = IPPROTO_UDP;
	memcpy(&out[12], (uint8_t[]){198, 51, 100, 1, 198, 51, 100, 2}, 8);
	out[21] = 7;
	out[23] = 9;
	out[24] = (len - 20) >> 8;
	out[25] = (len - 20) & 0xff;
	for (size_t i = 28; i < len; i++) {
		out[i] = (uint8_t)i;
	}

	pkt = net_pkt_alloc_with_buffer(iface, len, AF_INET, IPPROTO_UDP, K_SECONDS(1));
	if (pkt == NULL) {
		return NULL;
	}
	if (net_pkt_write(pkt, out, len) < 0) {
		net_pkt_unref(pkt);
		return NULL;
	}
	net_pkt_cursor_init(pkt);
	return pkt;
}

int send_udp4(struct net_if *iface, size_t len, uint8_t *out)
{
	struct net_pkt *pkt = make_udp4(iface, len, out);

	if (pkt == NULL) {
		return -ENOMEM;
	}
	if (net_if_send_data(iface, pkt) == NET_DROP) {
		net_pkt_unref(pkt);
		return -EIO;
	}
	return 0;
}

const struct device *capture_device(int index)
{
	char name[sizeof("NET_CAPTURE99")];

	snprintk(name, sizeof(name), "NET_CAPTURE%d", index);
	return device_get_binding(name);
}

void capture_reset(void)
{
	carrier_release();
	for (int i = 0; i < CONFIG_NET_CAPTURE_DEVICE_COUNT; i++) {
		(void)net_capture_cleanup(capture_device(i));
	}
	recorders_reset();
}

void *capture_suite_setup(void)
{
	static bool done;
	struct in_addr carrier4 = {{{192, 0, 2, 1}}};
	struct in_addr mask24 = {{{255, 255, 255, 0}}};
	struct in_addr probe4 = {{{198, 51, 100, 1}}};
	struct in6_addr carrier6 = {{{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}};

	if (done) {
		return NULL;
	}
	done = true;

	zassert_not_null(carrier, "carrier interface missing");
	zassert_not_null(probe, "probe interface missing");
	zassert_not_null(net_if_ipv4_addr_add(carrier, &carrier4, NET_ADDR_MANUAL, 0));
	zassert_true(net_if_ipv4_set_netmask_by_addr(carrier, &carrier4, &mask24));
	zassert_not_null(net_if_ipv6_addr_add(carrier, &carrier6, NET_ADDR_MANUAL, 0));
	zassert_not_null(net_if_ipv4_addr_add(probe, &probe4, NET_ADDR_MANUAL, 0));
	zassert_true(net_if_ipv4_set_netmask_by_addr(probe, &probe4, &mask24));
	/* The probe interface carries only the test's IPv4 traffic. */
	net_if_flag_clear(probe, NET_IF_IPV6);
	return NULL;
}

void capture_suite_after(void *fixture)
{
	ARG_UNUSED(fixture);
	capture_reset();
}
