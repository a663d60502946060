/*
 * Cooked-mode fixes proven on the real stack:
 *
 * - a packet the cooked interface consumes stays valid until the virtual
 *   L2 is done with it (its virtual_recv() reads the length after the
 *   receive handler returned NET_OK when CONFIG_NET_STATISTICS=y);
 * - net_capture_data(ctx, NULL, 0, ...) sends a header-only capture, and
 *   NULL with a length is counted as lost.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <string.h>

#include <zephyr/ztest.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_pkt.h>
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
#define ARPHRD_PPP 512

#if defined(CONFIG_NET_CAPTURE_COOKED_MODE_SLLV2)
#define SLL_LEN 20
#else
#define SLL_LEN 16
#endif

#define POISON 0x5a

static struct net_if *any;
static struct net_if *cooked;

static void *reliability_cooked_setup(void)
{
	capture_suite_setup();
	any = net_if_get_by_index(net_if_get_by_name("any"));
	cooked = net_if_get_by_index(
		net_if_get_by_name(CONFIG_NET_CAPTURE_COOKED_MODE_INTERFACE_NAME));
	zassert_not_null(any, "\"any\" interface missing");
	zassert_not_null(cooked, "cooked interface missing");
	return NULL;
}

static int set_link_types(int count, const uint16_t *types)
{
	struct virtual_interface_req_params params = {0};

	params.family = AF_UNSPEC;
	params.link_types.count = count;
	for (int i = 0; i < count; i++) {
		params.link_types.type[i] = types[i];
	}
	return net_mgmt(NET_REQUEST_VIRTUAL_INTERFACE_SET_LINK_TYPE, cooked, &params,
			sizeof(params));
}

/* A device capturing the cooked interface, which is up and takes CAN only. */
static const struct device *capture_cooked_can(void)
{
	const struct device *dev;

	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev), 0);
	zassert_equal(net_capture_enable(dev, cooked), 0);
	zassert_equal(set_link_types(1, (uint16_t[]){NET_ETH_PTYPE_CAN}), 0);
	zassert_true(net_if_up(cooked) == 0 || net_if_is_up(cooked));
	recorders_reset();
	return dev;
}

/*
 * Use after free in the cooked interface's receive handler.
 *
 * The injected packet comes from a one-block test slab and its data buffer
 * from a test pool whose destroy callback overwrites the whole freed
 * struct net_buf with POISON (the real release is done by the test
 * later). So a reader of the packet after it was freed walks a buffer
 * whose length is 0x5a5a and whose next-fragment pointer is 0x5a5a...:
 * with the old code, which freed the packet inside the handler, the
 * virtual L2's net_pkt_get_len() crashes right after the handler returns.
 * In addition a high-priority thread waits in k_mem_slab_alloc() on the
 * test slab: the freed struct net_pkt is handed straight to it, and it
 * overwrites all of it with POISON before giving it back.
 */
NET_PKT_SLAB_DEFINE(uaf_pkts, 1);

static void uaf_buf_destroy(struct net_buf *buf);

NET_BUF_POOL_DEFINE(uaf_bufs, 2, 128, CONFIG_NET_PKT_BUF_USER_DATA_SIZE, uaf_buf_destroy);

static struct {
	struct net_buf *buf;
	uint8_t saved[sizeof(struct net_buf)];
	int count;
} parked;

static void uaf_buf_destroy(struct net_buf *buf)
{
	/* Park the buffer instead of returning it: the pool does not need
	 * it, so it can hold poison until the test restores it.
	 */
	parked.count++;
	if (parked.buf == NULL) {
		parked.buf = buf;
		memcpy(parked.saved, buf, sizeof(*buf));
		memset(buf, POISON, sizeof(*buf));
	} else {
		net_buf_destroy(buf);
	}
}

static void unpark(void)
{
	if (parked.buf != NULL) {
		memcpy(parked.buf, parked.saved, sizeof(parked.saved));
		net_buf_destroy(parked.buf);
		parked.buf = NULL;
	}
}

#define POISONER_STACK 2048
/* Cooperative: above every preemptible thread, so it runs as soon as the
 * thread that freed the block is done or blocks, before any preemptible
 * thread (such as an RX thread with CONFIG_NET_TC_THREAD_PREEMPTIVE)
 * resumes.
 */
#define POISONER_PRIO K_PRIO_COOP(1)

K_THREAD_STACK_DEFINE(poisoner_stack, POISONER_STACK);
static struct k_thread poisoner_thread;
static bool poisoner_started;
static atomic_t poisoned;

static void poisoner(void *a, void *b, void *c)
{
	void *block;

	ARG_UNUSED(a);
	ARG_UNUSED(b);
	ARG_UNUSED(c);

	if (k_mem_slab_alloc(&uaf_pkts, &block, K_FOREVER) == 0) {
		memset(block, POISON, sizeof(struct net_pkt));
		atomic_set(&poisoned, 1);
		k_mem_slab_free(&uaf_pkts, block);
	}
}

/* A cooked frame of link type ptype: a made-up SLL header and payload. */
static struct net_pkt *cooked_frame(uint16_t ptype, uint8_t *bytes, size_t len)
{
	struct net_pkt *pkt = net_pkt_alloc_from_slab(&uaf_pkts, K_NO_WAIT);
	struct net_buf *buf;

	zassert_not_null(pkt);
	buf = net_buf_alloc(&uaf_bufs, K_NO_WAIT);
	zassert_not_null(buf);
	for (size_t i = 0; i < len; i++) {
		bytes[i] = (uint8_t)(0xc0 + i);
	}
	net_buf_add_mem(buf, bytes, len);
	net_pkt_append_buffer(pkt, buf);
	net_pkt_set_ll_proto_type(pkt, ptype);
	net_pkt_cursor_init(pkt);
	return pkt;
}

static void reliability_cooked_before(void *fixture)
{
	ARG_UNUSED(fixture);
	memset(&parked, 0, sizeof(parked));
	atomic_set(&poisoned, 0);
}

static void reliability_cooked_after(void *fixture)
{
	if (poisoner_started) {
		/* Still waiting if the packet was never freed. */
		k_thread_abort(&poisoner_thread);
		poisoner_started = false;
	}
	unpark();
	capture_suite_after(fixture);
}

ZTEST(capture_reliability_cooked, test_consumed_packet_outlives_virtual_recv)
{
	const struct device *dev;
	struct net_capture_rs_stats before, stats;
	uint8_t frame[40];
	uint8_t dropped[24];
	struct net_pkt *pkt;
	int any_index = net_if_get_by_iface(any);
	int cooked_index = net_if_get_by_iface(cooked);
#if defined(CONFIG_NET_STATISTICS_PER_INTERFACE)
	net_stats_t received;
#endif

	/* Numbering and stacking as upstream: cooked sits on "any", which
	 * comes first.
	 */
	TC_PRINT("any is interface %d, cooked is interface %d\n", any_index, cooked_index);
	zassert_true(any_index > 0 && any_index < cooked_index);
	zassert_equal(net_virtual_get_iface(cooked), any, "cooked is attached to any");

	dev = capture_cooked_can();
	if (!net_if_is_up(any)) {
		zassert_equal(net_if_up(any), 0);
	}
	zassert_equal(net_capture_rs_stats_get(dev, &before), 0);

	/* A link type that is not captured: dropped, nothing sent, and the
	 * stack frees the packet (NET_DROP).
	 */
	pkt = cooked_frame(NET_ETH_PTYPE_HDLC, dropped, sizeof(dropped));
	zassert_equal(net_recv_data(any, pkt), 0);
	k_msleep(20);
	zassert_equal(carrier_frames.frames, 0, "filtered link type");
	zassert_equal(k_mem_slab_num_free_get(&uaf_pkts), 1, "dropped packet freed");
	zassert_equal(parked.count, 1, "its buffer too");
	unpark();
	parked.count = 0;

	/* A captured link type, with the poisoner waiting for the block. */
	pkt = cooked_frame(NET_ETH_PTYPE_CAN, frame, sizeof(frame));
	k_thread_create(&poisoner_thread, poisoner_stack, POISONER_STACK, poisoner, NULL, NULL,
			NULL, POISONER_PRIO, 0, K_NO_WAIT);
	poisoner_started = true;
	k_msleep(1); /* the poisoner now waits in k_mem_slab_alloc() */
#if defined(CONFIG_NET_STATISTICS_PER_INTERFACE)
	received = cooked->stats.bytes.received;
#endif
	zassert_equal(net_recv_data(any, pkt), 0);

	zassert_equal(k_thread_join(&poisoner_thread, K_MSEC(500)), 0,
		      "the packet was never freed");
	zassert_true(atomic_get(&poisoned), "the freed packet went to the poisoner");
	zassert_equal(parked.count, 1, "its buffer was freed once");
	k_msleep(5);

	/* The capture reached the tunnel, byte for byte. */
	zassert_equal(carrier_frames.frames, 1, "one tunnel packet");
	zassert_equal(carrier_frame(0)->len, OUTER + INNER + UDP + sizeof(frame));
	zassert_mem_equal(carrier_frame(0)->data + OUTER + INNER + UDP, frame, sizeof(frame));
	zassert_equal(net_capture_rs_stats_get(dev, &stats), 0);
	zassert_equal(stats.cooked_captured - before.cooked_captured, 1);
	zassert_equal(stats.cooked_dropped - before.cooked_dropped, 0);
#if defined(CONFIG_NET_STATISTICS_PER_INTERFACE)
	/* What the virtual L2 read after the handler returned. */
	zassert_equal(cooked->stats.bytes.received - received, sizeof(frame),
		      "virtual_recv() read the length of a live packet");
#endif

	/* Everything is back. */
	unpark();
	zassert_equal(k_mem_slab_num_free_get(&uaf_pkts), 1, "test slab full again");
	zassert_equal(atomic_get(&uaf_bufs.avail_count), 2, "test buffers returned");
}

ZTEST(capture_reliability_cooked, test_header_only_data_is_captured)
{
	const struct device *dev = capture_cooked_can();
	struct net_capture_cooked ctx;
	uint8_t addr[6] = {1, 2, 3, 4, 5, 6};
	struct net_capture_rs_stats before, stats;
	const uint8_t *sll;

	zassert_equal(net_capture_cooked_setup(&ctx, ARPHRD_PPP, sizeof(addr), addr), 0);
	zassert_equal(net_capture_rs_stats_get(dev, &before), 0);

	/* No data: a capture of the SLL header alone, as upstream. */
	net_capture_data(&ctx, NULL, 0, NET_CAPTURE_OUTGOING, NET_ETH_PTYPE_CAN);
	zassert_true(wait_carrier_frames(1, 100), "header-only capture sent");
	k_msleep(5);
	zassert_equal(carrier_frames.frames, 1);
	zassert_equal(carrier_frame(0)->len, OUTER + INNER + UDP + SLL_LEN, "just the header");
	sll = carrier_frame(0)->data + OUTER + INNER + UDP;
#if defined(CONFIG_NET_CAPTURE_COOKED_MODE_SLLV2)
	zassert_equal(sys_get_be16(&sll[0]), NET_ETH_PTYPE_CAN, "protocol");
	zassert_equal(sys_get_be16(&sll[8]), ARPHRD_PPP);
#else
	zassert_equal(sys_get_be16(&sll[2]), ARPHRD_PPP);
	zassert_equal(sys_get_be16(&sll[14]), NET_ETH_PTYPE_CAN, "protocol");
#endif
	zassert_equal(net_capture_rs_stats_get(dev, &stats), 0);
	zassert_equal(stats.cooked_captured - before.cooked_captured, 1);
	zassert_equal(stats.cooked_dropped - before.cooked_dropped, 0);

	/* No data but a length: lost, and counted. */
	net_capture_data(&ctx, NULL, 5, NET_CAPTURE_OUTGOING, NET_ETH_PTYPE_CAN);
	k_msleep(20);
	zassert_equal(carrier_frames.frames, 1, "nothing more sent");
	zassert_equal(net_capture_rs_stats_get(dev, &stats), 0);
	zassert_equal(stats.cooked_captured - before.cooked_captured, 1);
	zassert_equal(stats.cooked_dropped - before.cooked_dropped, 1);
}

ZTEST_SUITE(capture_reliability_cooked, NULL, reliability_cooked_setup,
	    reliability_cooked_before, reliability_cooked_after, NULL);
