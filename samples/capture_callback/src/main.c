/*
 * Capture to a callback: every frame eth0 sends or receives reaches
 * on_record() as a record of the capture stream (device, direction, link
 * type, interface, timestamp, lengths, sequence number, bytes), from the
 * capture drain thread, instead of going into the IP tunnel. The sample
 * sends a UDP datagram every second so that there is traffic to see.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <zephyr/kernel.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/socket.h>
#include <zephyr/net/capture.h>
#include <zephyr/sys/atomic.h>
#include <net_capture_rs.h>

static atomic_t records;
static atomic_t lost;

/* Runs on the capture drain thread: may take its time (the ring buffer
 * absorbs bursts), but every later record waits for it.
 */
static void on_record(const struct net_capture_rs_record *record, void *user_data)
{
	static const char *const direction[] = {"?", "in", "out", "?"};

	ARG_UNUSED(user_data);
	atomic_inc(&records);
	atomic_add(&lost, (atomic_val_t)record->lost);
	printk("#%u %llu.%09llu if%u %-3s linktype %u %zu/%u bytes\n", record->sequence,
	       record->timestamp_ns / 1000000000ULL, record->timestamp_ns % 1000000000ULL,
	       record->ifindex, direction[record->direction & 3], record->link_type, record->len,
	       record->orig_len);
}

int main(void)
{
	const struct device *capture_dev;
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(4243),
	};
	int sock;
	int ret;

	/* A capture device needs a tunnel even when its captures go to a
	 * callback; these are samples/net/capture's addresses.
	 */
	ret = net_capture_setup("192.0.2.2", "2001:db8:200::1", "2001:db8:200::2", &capture_dev);
	if (ret < 0) {
		printk("capture_callback: setup failed (%d)\n", ret);
		return 0;
	}
	ret = net_capture_enable(capture_dev, net_if_get_default());
	if (ret < 0) {
		printk("capture_callback: enable failed (%d)\n", ret);
		return 0;
	}
	ret = net_capture_rs_sink_register(on_record, NULL);
	if (ret < 0) {
		printk("capture_callback: register failed (%d)\n", ret);
		return 0;
	}

	net_addr_pton(AF_INET, "192.0.2.2", &to.sin_addr);
	sock = zsock_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);

	for (int i = 0; i < 5; i++) {
		(void)zsock_sendto(sock, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to));
		k_sleep(K_SECONDS(1));
		printk("capture_callback: %ld records, %ld lost\n", (long)atomic_get(&records),
		       (long)atomic_get(&lost));
	}

	(void)net_capture_rs_sink_unregister(on_record);
	return 0;
}
