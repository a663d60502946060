/*
 * Two dummy-L2 test interfaces whose driver counts what it is asked to
 * send, recognises the capture tunnel's packets, and drops everything.
 *
 * The dummy L2 calls the capture hook, then send(); when send() returns 0
 * the L2 releases the packet itself, so send() must not unref it.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <string.h>
#include <zephyr/kernel.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_pkt.h>
#include <zephyr/net/dummy.h>
#include <zephyr/net/net_l2.h>
#include <zephyr/sys/byteorder.h>

#include "bench_if.h"

#define PROTO_IPIP 4
#define PROTO_IPV6 41
#define PROTO_UDP 17
#define PROTO_FRAG6 44

/* Enough for an outer IPv4 header with options, an inner IPv6 header, a
 * fragment header and the UDP ports.
 */
#define HEAD_LEN (60 + 40 + 8 + 4)

struct bench_if {
	struct net_if *iface;
	uint8_t mac[6];
	struct bench_if_counters counters;
};

static struct bench_if bench_ifs[BENCH_IF_COUNT];

static struct in_addr tunnel_remote;
static uint16_t tunnel_port;

/* Whether the UDP header at head[off] goes to the capture port. */
static bool udp_to_port(const uint8_t *head, size_t len, size_t off)
{
	return off + 4 <= len && sys_get_be16(&head[off + 2]) == tunnel_port;
}

/* Classifies the inner packet of a tunnel packet: true if it starts a
 * capture datagram.
 */
static bool starts_datagram(const uint8_t *head, size_t len, uint8_t proto, size_t off)
{
	if (proto == PROTO_IPIP) {
		if (off + 20 > len || (head[off] >> 4) != 4 || head[off + 9] != PROTO_UDP) {
			return false;
		}
		/* Later fragments carry no UDP header. */
		if ((sys_get_be16(&head[off + 6]) & 0x1fff) != 0) {
			return false;
		}
		return udp_to_port(head, len, off + (head[off] & 0x0f) * 4U);
	}

	if (off + 40 > len || (head[off] >> 4) != 6) {
		return false;
	}
	if (head[off + 6] == PROTO_UDP) {
		return udp_to_port(head, len, off + 40);
	}
	if (head[off + 6] == PROTO_FRAG6 && off + 48 <= len && head[off + 40] == PROTO_UDP) {
		if ((sys_get_be16(&head[off + 42]) & 0xfff8) != 0) {
			return false;
		}
		return udp_to_port(head, len, off + 48);
	}
	return false;
}

static int bench_if_send(const struct device *dev, struct net_pkt *pkt)
{
	struct bench_if *ctx = dev->data;
	struct bench_if_counters *c = &ctx->counters;
	size_t len = net_pkt_get_len(pkt);
	uint8_t head[HEAD_LEN];
	size_t head_len;

	c->frames++;
	if (len > BENCH_IF_MTU) {
		c->oversize++;
	}
	if (len > c->max_len) {
		c->max_len = len;
	}

	head_len = net_buf_linearize(head, sizeof(head), pkt->buffer, 0, sizeof(head));
	if (head_len >= 20 && (head[0] >> 4) == 4 &&
	    (head[9] == PROTO_IPIP || head[9] == PROTO_IPV6) &&
	    memcmp(&head[16], &tunnel_remote, sizeof(tunnel_remote)) == 0) {
		c->tunnel++;
		if (starts_datagram(head, head_len, head[9], (head[0] & 0x0f) * 4U)) {
			c->datagrams++;
		}
	}

	/* Dropped: the dummy L2 releases the packet when we return 0. */
	return 0;
}

static void bench_if_init(struct net_if *iface)
{
	struct bench_if *ctx = net_if_get_device(iface)->data;

	ctx->iface = iface;
	/* 00-00-5E-00-53-xx: documentation range (RFC 7042). */
	ctx->mac[0] = 0x00;
	ctx->mac[1] = 0x00;
	ctx->mac[2] = 0x5e;
	ctx->mac[3] = 0x00;
	ctx->mac[4] = 0x53;
	ctx->mac[5] = (uint8_t)(ctx - bench_ifs);
	net_if_set_link_addr(iface, ctx->mac, sizeof(ctx->mac), NET_LINK_DUMMY);
}

static const struct dummy_api bench_if_api = {
	.iface_api.init = bench_if_init,
	.send = bench_if_send,
};

NET_DEVICE_INIT_INSTANCE(bench_if_0, "bench0", 0, NULL, NULL, &bench_ifs[BENCH_IF_THIS], NULL,
			 CONFIG_KERNEL_INIT_PRIORITY_DEFAULT, &bench_if_api, DUMMY_L2,
			 NET_L2_GET_CTX_TYPE(DUMMY_L2), BENCH_IF_MTU);

NET_DEVICE_INIT_INSTANCE(bench_if_1, "bench1", 1, NULL, NULL, &bench_ifs[BENCH_IF_OTHER], NULL,
			 CONFIG_KERNEL_INIT_PRIORITY_DEFAULT, &bench_if_api, DUMMY_L2,
			 NET_L2_GET_CTX_TYPE(DUMMY_L2), BENCH_IF_MTU);

struct net_if *bench_if_iface(enum bench_if_id id)
{
	return bench_ifs[id].iface;
}

void bench_if_set_tunnel(const struct in_addr *remote, uint16_t port)
{
	tunnel_remote = *remote;
	tunnel_port = port;
}

void bench_if_reset(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bench_ifs); i++) {
		memset(&bench_ifs[i].counters, 0, sizeof(bench_ifs[i].counters));
	}
}

void bench_if_counters(enum bench_if_id id, struct bench_if_counters *out)
{
	*out = bench_ifs[id].counters;
}
