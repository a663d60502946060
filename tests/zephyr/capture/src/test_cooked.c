/*
 * Cooked mode through the real stack: the link-type filter configured
 * with net_mgmt, and SLL v1 or v2 headers (per the build) in the tunnel.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <string.h>

#include <zephyr/ztest.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_mgmt.h>
#include <zephyr/net/virtual.h>
#include <zephyr/net/virtual_mgmt.h>
#include <zephyr/net/ethernet.h>
#include <zephyr/net/capture.h>
#include <zephyr/sys/byteorder.h>
#include <net_capture_rs.h>

#include "common.h"

#define OUTER 20
#define INNER 40
#define UDP 8
#define ARPHRD_CAN 280
#define ARPHRD_PPP 512

#if defined(CONFIG_NET_CAPTURE_COOKED_MODE_SLLV2)
#define SLL_LEN 20
#else
#define SLL_LEN 16
#endif

static struct net_if *cooked;

static void *cooked_setup(void)
{
	int index = net_if_get_by_name(CONFIG_NET_CAPTURE_COOKED_MODE_INTERFACE_NAME);

	capture_suite_setup();
	cooked = net_if_get_by_index(index);
	zassert_not_null(cooked, "cooked interface missing");
	return NULL;
}

static int set_link_types(int count, const uint16_t *types)
{
	struct virtual_interface_req_params params = {0};

	params.family = AF_UNSPEC;
	params.link_types.count = count;
	for (int i = 0; i < count && i < CONFIG_NET_CAPTURE_COOKED_MODE_MAX_LINK_TYPES; i++) {
		params.link_types.type[i] = types[i];
	}
	return net_mgmt(NET_REQUEST_VIRTUAL_INTERFACE_SET_LINK_TYPE, cooked, &params,
			sizeof(params));
}

static const struct device *capture_cooked(void)
{
	const struct device *dev;
	static const uint16_t types[] = {NET_ETH_PTYPE_CAN, NET_ETH_PTYPE_HDLC};

	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev), 0);
	zassert_equal(net_capture_enable(dev, cooked), 0);
	zassert_equal(set_link_types(2, types), 0);
	zassert_true(net_if_up(cooked) == 0 || net_if_is_up(cooked));
	recorders_reset();
	return dev;
}

ZTEST(capture_cooked, test_link_type_limits_and_readback)
{
	struct virtual_interface_req_params params = {0};
	uint16_t many[CONFIG_NET_CAPTURE_COOKED_MODE_MAX_LINK_TYPES + 1] = {0};

	zassert_equal(set_link_types(CONFIG_NET_CAPTURE_COOKED_MODE_MAX_LINK_TYPES + 1, many),
		      -ERANGE);
	zassert_equal(set_link_types(1, (uint16_t[]){NET_ETH_PTYPE_HDLC}), 0);
	zassert_equal(net_mgmt(NET_REQUEST_VIRTUAL_INTERFACE_GET_LINK_TYPE, cooked, &params,
			       sizeof(params)), 0);
	zassert_equal(params.link_types.count, 1);
	zassert_equal(params.link_types.type[0], NET_ETH_PTYPE_HDLC);
}

ZTEST(capture_cooked, test_matching_data_reaches_the_tunnel_with_its_sll_header)
{
	const struct device *dev = capture_cooked();
	struct net_capture_cooked ppp;
	uint8_t addr[6] = {1, 2, 3, 4, 5, 6};
	uint8_t data[28];
	const uint8_t *sll;
	struct net_capture_rs_stats before, stats;

	zassert_equal(net_capture_rs_stats_get(dev, &before), 0);
	for (size_t i = 0; i < sizeof(data); i++) {
		data[i] = 0xe0 + i;
	}
	zassert_equal(net_capture_cooked_setup(&ppp, ARPHRD_PPP, sizeof(addr), addr), 0);
	net_capture_data(&ppp, data, sizeof(data), NET_CAPTURE_OUTGOING, NET_ETH_PTYPE_HDLC);

	/* Sent from the system work queue. */
	zassert_true(wait_carrier_frames(1, 100));
	k_msleep(5);
	zassert_equal(carrier_frames.frames, 1);
	zassert_equal(carrier_frame(0)->len, OUTER + INNER + UDP + SLL_LEN + sizeof(data));
	sll = carrier_frame(0)->data + OUTER + INNER + UDP;
#if defined(CONFIG_NET_CAPTURE_COOKED_MODE_SLLV2)
	zassert_equal(sys_get_be16(&sll[0]), NET_ETH_PTYPE_HDLC, "protocol");
	zassert_equal(sys_get_be32(&sll[4]), net_if_get_by_iface(cooked), "ifindex, big-endian");
	zassert_equal(sys_get_be16(&sll[8]), ARPHRD_PPP);
	zassert_equal(sll[10], NET_CAPTURE_OUTGOING, "packet type (0 in the C code, W19)");
	zassert_equal(sll[11], sizeof(addr), "address length (0 in the C code, W19)");
	zassert_mem_equal(&sll[12], addr, sizeof(addr));
#else
	zassert_equal(sys_get_be16(&sll[0]), NET_CAPTURE_OUTGOING);
	zassert_equal(sys_get_be16(&sll[2]), ARPHRD_PPP);
	zassert_equal(sys_get_be16(&sll[4]), sizeof(addr));
	zassert_mem_equal(&sll[6], addr, sizeof(addr));
	zassert_equal(sys_get_be16(&sll[14]), NET_ETH_PTYPE_HDLC);
#endif
	zassert_mem_equal(sll + SLL_LEN, data, sizeof(data));
	zassert_equal(net_capture_rs_stats_get(dev, &stats), 0);
	zassert_equal(stats.cooked_captured - before.cooked_captured, 1);
}

ZTEST(capture_cooked, test_other_link_types_and_bad_input_send_nothing)
{
	const struct device *dev = capture_cooked();
	struct net_capture_cooked can = {.hatype = ARPHRD_CAN, .halen = 0};
	uint8_t data[16] = {1};
	struct net_capture_rs_stats before, stats;

	zassert_equal(net_capture_rs_stats_get(dev, &before), 0);
	net_capture_data(&can, data, sizeof(data), NET_CAPTURE_OUTGOING, NET_ETH_PTYPE_IPV6);
	k_msleep(5);
	zassert_equal(carrier_frames.frames, 0, "filtered link type");

	net_capture_data(NULL, data, sizeof(data), NET_CAPTURE_OUTGOING, NET_ETH_PTYPE_CAN);
	net_capture_data(&can, NULL, sizeof(data), NET_CAPTURE_OUTGOING, NET_ETH_PTYPE_CAN);
	k_msleep(5);
	zassert_equal(carrier_frames.frames, 0);
	zassert_equal(net_capture_rs_stats_get(dev, &stats), 0);
	zassert_equal(stats.cooked_dropped - before.cooked_dropped, 2, "NULL input is counted (W21)");

	zassert_equal(net_capture_cooked_setup(&can, ARPHRD_CAN, 0, data), -EINVAL);
	zassert_equal(net_capture_cooked_setup(&can, ARPHRD_CAN, 9, data), -EINVAL);
	zassert_equal(net_capture_cooked_setup(NULL, ARPHRD_CAN, 2, data), -EINVAL);

	/* The CAN context of the upstream sample (halen 0) still captures. */
	net_capture_data(&can, data, sizeof(data), NET_CAPTURE_OUTGOING, NET_ETH_PTYPE_CAN);
	zassert_true(wait_carrier_frames(1, 100));
	k_msleep(5);
	zassert_equal(carrier_frames.frames, 1);
}

ZTEST(capture_cooked, test_nothing_is_built_when_the_cooked_interface_is_down)
{
	struct net_capture_cooked can = {.hatype = ARPHRD_CAN};
	uint8_t data[16] = {0};

	capture_cooked();
	zassert_equal(net_if_down(cooked), 0);
	net_capture_data(&can, data, sizeof(data), NET_CAPTURE_OUTGOING, NET_ETH_PTYPE_CAN);
	k_msleep(5);
	zassert_equal(carrier_frames.frames, 0);
}

ZTEST(capture_cooked, test_the_any_interface_cannot_be_captured)
{
	const struct device *dev;
	struct net_if *any = net_if_get_by_index(net_if_get_by_name("any"));

	zassert_not_null(any);
	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev), 0);
	/* Capturing "any" shared live cooked packets and crashed (W28). */
	zassert_equal(net_capture_enable(dev, any), -EINVAL);
}

ZTEST_SUITE(capture_cooked, NULL, cooked_setup, NULL, capture_suite_after, NULL);
