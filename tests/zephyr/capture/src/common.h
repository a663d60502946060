/*
 * Shared fixtures of the net_capture_rs ztest suites: two dummy-L2 test
 * interfaces whose driver records what it is asked to send, and helpers.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#ifndef NET_CAPTURE_RS_TEST_COMMON_H_
#define NET_CAPTURE_RS_TEST_COMMON_H_

#include <zephyr/kernel.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_pkt.h>
#include <zephyr/net/capture.h>

#define MAX_FRAME 1600
#define RECORDED 8

/* The interface that carries the tunnel: 192.0.2.1/24, 2001:db8::1/64. */
extern struct net_if *carrier;
/* An interface to capture: 198.51.100.1/24. */
extern struct net_if *probe;

#define REMOTE "192.0.2.2"
#define LOCAL6 "2001:db8:200::1"
#define PEER6 "2001:db8:200::2"

struct recorded_frame {
	size_t len;
	uint8_t data[MAX_FRAME];
};

/* Frames a test interface's driver was asked to send. */
struct recorder {
	struct k_spinlock lock;
	int frames;
	struct recorded_frame last[RECORDED];
};

extern struct recorder carrier_frames;
extern struct recorder probe_frames;

/* Forgets what both drivers recorded. */
void recorders_reset(void);

/* Waits (polling, at most timeout_ms of uptime) until the carrier has been
 * asked to send at least n frames since the last reset; returns whether it
 * was. Capture queues tunnel packets for the system work queue, which
 * sends them once the test thread sleeps.
 */
bool wait_carrier_frames(int n, int timeout_ms);

/* The same until the carrier holds at least n packets (carrier_hold). */
bool wait_carrier_held(int n, int timeout_ms);

/* The same until every capture packet and buffer is back in its pool. */
bool wait_pools_full(int timeout_ms);

/* While on, the carrier's driver keeps a reference to (holds) each packet
 * it is asked to send, up to CARRIER_HOLD_MAX, so the packets and the pools
 * they come from stay in use; carrier_release() lets them all go.
 */
#define CARRIER_HOLD_MAX 32
void carrier_hold(bool on);
int carrier_held(void);
void carrier_release(void);

/* The n-th (0-based) frame the carrier sent since the last reset, if kept. */
const struct recorded_frame *carrier_frame(int n);

/* A UDP/IPv4 packet of len bytes (headers included) on iface, its bytes
 * also written to out (which holds len bytes); NULL without memory.
 */
struct net_pkt *make_udp4(struct net_if *iface, size_t len, uint8_t *out);

/* Sends make_udp4()'s packet on iface. Returns 0 or -errno. */
int send_udp4(struct net_if *iface, size_t len, uint8_t *out);

/* NET_CAPTURE<index>. */
const struct device *capture_device(int index);

/* Cleans up every capture device, whatever its state. */
void capture_reset(void);

/* Tests' shared setup: addresses on the test interfaces. */
void *capture_suite_setup(void);
void capture_suite_after(void *fixture);

#endif /* NET_CAPTURE_RS_TEST_COMMON_H_ */
