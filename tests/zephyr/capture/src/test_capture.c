/*
 * The capture path through the real stack: a packet sent on a captured
 * interface arrives in the tunnel byte for byte, sized to the carrier.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <string.h>

#include <zephyr/ztest.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_ip.h>
#include <zephyr/net/capture.h>
#include <zephyr/sys/byteorder.h>
#include <net_capture_rs.h>
#include <net_capture_rs_pools.h>

#include "common.h"

#define OUTER 20 /* IPv4 */
#define INNER 40 /* IPv6 */
#define UDP 8
#define FRAG 8

static uint8_t sent[MAX_FRAME];

static void *capture_setup(void)
{
	return capture_suite_setup();
}

static const struct device *enable_on(struct net_if *iface)
{
	const struct device *dev;

	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev), 0);
	zassert_equal(net_capture_enable(dev, iface), 0);
	recorders_reset();
	return dev;
}

/* Checks the outer IPv4 and inner IPv6 headers of a tunnel packet and
 * returns the inner payload length.
 */
static size_t check_headers(const struct recorded_frame *frame, uint8_t next_header)
{
	struct in6_addr local, peer;
	const uint8_t *ip6 = frame->data + OUTER;

	zassert_equal(net_addr_pton(AF_INET6, LOCAL6, &local), 0);
	zassert_equal(net_addr_pton(AF_INET6, PEER6, &peer), 0);
	zassert_true(frame->len > OUTER + INNER);
	zassert_equal(frame->data[0], 0x45, "outer IPv4");
	zassert_equal(frame->data[9], IPPROTO_IPV6, "outer protocol 41");
	zassert_mem_equal(&frame->data[12], ((uint8_t[]){192, 0, 2, 1}), 4);
	zassert_mem_equal(&frame->data[16], ((uint8_t[]){192, 0, 2, 2}), 4);
	zassert_equal(sys_get_be16(&frame->data[2]), frame->len, "outer length");
	zassert_equal(ip6[0] >> 4, 6, "inner IPv6");
	zassert_equal(ip6[6], next_header);
	zassert_mem_equal(&ip6[8], &local, 16);
	zassert_mem_equal(&ip6[24], &peer, 16);
	zassert_equal(sys_get_be16(&ip6[4]) + OUTER + INNER, frame->len, "inner length");
	return sys_get_be16(&ip6[4]);
}

ZTEST(capture_path, test_a_sent_packet_reaches_the_tunnel_byte_for_byte)
{
	const struct device *dev = enable_on(probe);
	const struct recorded_frame *tunnel;
	const uint8_t *udp;
	struct net_capture_rs_stats before, stats;

	/* Counters are cumulative per device, across setups. */
	zassert_equal(net_capture_rs_stats_get(dev, &before), 0);
	zassert_equal(send_udp4(probe, 100, sent), 0);
	zassert_equal(probe_frames.frames, 1, "the original went out");
	zassert_true(wait_carrier_frames(1, 100), "one tunnel packet");
	k_msleep(5);
	zassert_equal(carrier_frames.frames, 1, "only one");
	tunnel = carrier_frame(0);
	zassert_not_null(tunnel);
	zassert_equal(check_headers(tunnel, IPPROTO_UDP), UDP + 100);
	udp = tunnel->data + OUTER + INNER;
	zassert_equal(sys_get_be16(&udp[0]), 4242);
	zassert_equal(sys_get_be16(&udp[2]), 4242);
	zassert_equal(sys_get_be16(&udp[4]), UDP + 100);
	zassert_not_equal(sys_get_be16(&udp[6]), 0, "UDP checksum present");
	zassert_mem_equal(udp + UDP, sent, 100, "captured bytes");
	zassert_mem_equal(probe_frames.last[0].data, sent, 100, "original untouched");

	zassert_equal(net_capture_rs_stats_get(dev, &stats), 0);
	zassert_equal(stats.captured - before.captured, 1);
	zassert_equal(stats.dropped_nomem + stats.dropped_send + stats.dropped_other,
		      before.dropped_nomem + before.dropped_send + before.dropped_other);
}

ZTEST(capture_path, test_full_size_packets_are_fragmented_to_fit_the_carrier)
{
	const struct device *dev = enable_on(probe);
	size_t carried = 0;
	struct net_capture_rs_stats before, stats;

	zassert_equal(net_capture_rs_stats_get(dev, &before), 0);
	/* 1500 bytes + 68 of headers cannot cross a 1500-byte carrier (W29). */
	zassert_equal(send_udp4(probe, 1500, sent), 0);
	zassert_true(wait_carrier_frames(2, 100), "two inner fragments");
	k_msleep(5);
	zassert_equal(carrier_frames.frames, 2, "only two");
	for (int i = 0; i < 2; i++) {
		const struct recorded_frame *frame = carrier_frame(i);
		const uint8_t *fragment = frame->data + OUTER + INNER;
		size_t offset = sys_get_be16(&fragment[2]) & ~7;
		bool more = fragment[3] & 1;

		zassert_true(frame->len <= 1500, "fits the carrier");
		zassert_equal(check_headers(frame, 44), frame->len - OUTER - INNER);
		zassert_equal(fragment[0], IPPROTO_UDP);
		zassert_equal(offset, carried);
		zassert_equal(more, i == 0);
		carried += frame->len - OUTER - INNER - FRAG;
	}
	zassert_equal(carried, UDP + 1500);
	zassert_mem_equal(carrier_frame(1)->data + OUTER + INNER + FRAG,
			  sent + (1500 - (carrier_frame(1)->len - OUTER - INNER - FRAG)),
			  carrier_frame(1)->len - OUTER - INNER - FRAG, "tail bytes");
	zassert_equal(net_capture_rs_stats_get(dev, &stats), 0);
	zassert_equal(stats.fragmented - before.fragmented, 1);
}

ZTEST(capture_path, test_tunnel_packets_are_not_captured_again)
{
	enable_on(carrier);

	/* Sent on the carrier itself: captured once, and the tunnel packet
	 * that carries the capture leaves on the same interface uncaptured.
	 */
	zassert_equal(send_udp4(carrier, 64, sent), 0);
	zassert_true(wait_carrier_frames(2, 100), "original and one tunnel packet");
	k_msleep(5);
	zassert_equal(carrier_frames.frames, 2, "the tunnel packet is not captured again");
	/* The original leaves first: its capture waits for the work queue. */
	zassert_mem_equal(carrier_frame(0)->data, sent, 64);
	zassert_mem_equal(carrier_frame(1)->data + OUTER + INNER + UDP, sent, 64);
}

ZTEST(capture_path, test_nothing_is_captured_from_other_interfaces_or_when_disabled)
{
	const struct device *dev = enable_on(carrier);

	zassert_equal(send_udp4(probe, 64, sent), 0);
	k_msleep(5);
	zassert_equal(carrier_frames.frames, 0);
	zassert_equal(net_capture_disable(dev), 0);
	zassert_equal(send_udp4(carrier, 64, sent), 0);
	k_msleep(5);
	zassert_equal(carrier_frames.frames, 1, "only the original");
	zassert_equal(net_capture_pkt_with_status(probe, NULL), -EINVAL);
	zassert_equal(net_capture_pkt_with_status(NULL, NULL), -EINVAL);
	net_capture_pkt(NULL, NULL);
}

ZTEST(capture_path, test_capture_pools_are_returned)
{
	size_t pkts, bufs;

	enable_on(probe);
	for (int i = 0; i < 20; i++) {
		zassert_equal(send_udp4(probe, i % 2 ? 1500 : 60, sent), 0);
	}
	zassert_true(wait_pools_full(100), "the work queue sends and returns everything");
	net_capture_rs_pools_free(&pkts, &bufs);
	zassert_equal(pkts, CONFIG_NET_CAPTURE_PKT_COUNT);
	zassert_equal(bufs, CONFIG_NET_CAPTURE_BUF_COUNT);
}

ZTEST_SUITE(capture_path, NULL, capture_setup, NULL, capture_suite_after, NULL);
