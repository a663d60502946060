/*
 * Counting test interfaces of the capture benchmark.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#ifndef BENCH_IF_H_
#define BENCH_IF_H_

#include <stdint.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_ip.h>

/* MTU of the test interfaces, as of an Ethernet link. */
#define BENCH_IF_MTU 1500

/* The interface the frames are pushed on (it also carries the tunnel),
 * and the other one.
 */
enum bench_if_id {
	BENCH_IF_THIS = 0,
	BENCH_IF_OTHER = 1,
	BENCH_IF_COUNT,
};

/* What one interface's driver was asked to send. */
struct bench_if_counters {
	/* Every frame, tunnel or not. */
	uint32_t frames;
	/* Outer IPv4 packets to the tunnel remote carrying protocol 4 or 41. */
	uint32_t tunnel;
	/* Of those, the ones that start a capture datagram: an inner IPv4 or
	 * IPv6 UDP header to the capture port (unfragmented or first fragment).
	 */
	uint32_t datagrams;
	/* Frames longer than BENCH_IF_MTU, which real hardware could not send. */
	uint32_t oversize;
	/* Longest frame. */
	uint32_t max_len;
};

struct net_if *bench_if_iface(enum bench_if_id id);

/* Tunnel packets are recognised by outer destination and inner UDP port. */
void bench_if_set_tunnel(const struct in_addr *remote, uint16_t port);

void bench_if_reset(void);
void bench_if_counters(enum bench_if_id id, struct bench_if_counters *out);

#endif /* BENCH_IF_H_ */
