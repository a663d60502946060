/*
 * The loopback interface shows each packet twice (sent, then received
 * again): a capture of it carries each packet once.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <string.h>

#include <zephyr/ztest.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_pkt.h>
#include <zephyr/net/net_context.h>
#include <zephyr/net/capture.h>

#include "common.h"

#define PORT 4567
#define MARKER_LEN 32

static struct net_if *lo;
static atomic_t received;

static void *loopback_setup(void)
{
	capture_suite_setup();
	for (int i = 1; net_if_get_by_index(i) != NULL; i++) {
		struct net_if *iface = net_if_get_by_index(i);

		if (strcmp(net_if_get_device(iface)->name, "lo") == 0) {
			lo = iface;
		}
	}
	zassert_not_null(lo, "loopback interface missing");
	return NULL;
}

static void on_recv(struct net_context *context, struct net_pkt *pkt, union net_ip_header *ip_hdr,
		    union net_proto_header *proto_hdr, int status, void *user_data)
{
	ARG_UNUSED(context);
	ARG_UNUSED(ip_hdr);
	ARG_UNUSED(proto_hdr);
	ARG_UNUSED(status);
	ARG_UNUSED(user_data);

	if (pkt != NULL) {
		atomic_inc(&received);
		net_pkt_unref(pkt);
	}
}

/* Tunnel frames recorded so far that carry marker somewhere. */
static int frames_carrying(const uint8_t *marker, size_t len)
{
	int count = 0;

	for (int i = 0; i < carrier_frames.frames && i < RECORDED; i++) {
		const struct recorded_frame *frame = carrier_frame(i);

		for (size_t at = 0; frame != NULL && at + len <= frame->len; at++) {
			if (memcmp(frame->data + at, marker, len) == 0) {
				count++;
				break;
			}
		}
	}
	return count;
}

static void send_to_self(sa_family_t family)
{
	const struct device *dev;
	struct net_context *rx, *tx;
	struct sockaddr_storage to = {0};
	struct sockaddr_storage from;
	socklen_t to_len;
	uint8_t marker[MARKER_LEN];
	int carrying;

	for (size_t i = 0; i < sizeof(marker); i++) {
		marker[i] = (uint8_t)(0x30 + i + (family == AF_INET6 ? 0x40 : 0));
	}
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&to;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(PORT);
		sin->sin_addr = (struct in_addr){{{127, 0, 0, 1}}};
		to_len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&to;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(PORT);
		sin6->sin6_addr = in6addr_loopback;
		to_len = sizeof(*sin6);
	}

	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev), 0);
	zassert_equal(net_capture_enable(dev, lo), 0);

	zassert_equal(net_context_get(family, SOCK_DGRAM, IPPROTO_UDP, &rx), 0);
	zassert_equal(net_context_bind(rx, (struct sockaddr *)&to, to_len), 0);
	zassert_equal(net_context_recv(rx, on_recv, K_NO_WAIT, NULL), 0);
	zassert_equal(net_context_get(family, SOCK_DGRAM, IPPROTO_UDP, &tx), 0);
	from = to;
	((struct sockaddr_in *)&from)->sin_port = 0; /* same offset in sockaddr_in6 */
	zassert_equal(net_context_bind(tx, (struct sockaddr *)&from, to_len), 0);
	net_context_set_iface(tx, lo);

	atomic_set(&received, 0);
	recorders_reset();
	zassert_equal(net_context_sendto(tx, marker, sizeof(marker), (struct sockaddr *)&to,
					 to_len, NULL, K_NO_WAIT, NULL),
		      sizeof(marker));
	for (int i = 0; i < 100 && atomic_get(&received) == 0; i++) {
		k_msleep(1);
	}
	k_msleep(20);

	carrying = frames_carrying(marker, sizeof(marker));
	TC_PRINT("%s: delivered %ld time(s), %d tunnel frame(s), %d carrying the datagram\n",
		 family == AF_INET ? "127.0.0.1" : "::1", (long)atomic_get(&received),
		 carrier_frames.frames, carrying);
	net_context_put(tx);
	net_context_put(rx);
	zassert_equal(atomic_get(&received), 1, "the datagram looped back");
	zassert_equal(carrying, 1, "captured once");
}

ZTEST(capture_loopback, test_ipv4_loopback_is_captured_once_per_packet)
{
	send_to_self(AF_INET);
}

ZTEST(capture_loopback, test_ipv6_loopback_is_captured_once_per_packet)
{
	send_to_self(AF_INET6);
}

ZTEST_SUITE(capture_loopback, NULL, loopback_setup, NULL, capture_suite_after, NULL);
