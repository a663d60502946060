/*
 * The stream sink's drain thread, and the kernel and driver calls it
 * needs that are macros or syscalls. The loop itself is Rust
 * (net_capture_rs_sink_thread(), src/zephyr/sink.rs).
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/drivers/uart.h>
#include <zephyr/sys/time_units.h>
#include <version.h>

#include "glue.h"
#include <net_capture_rs.h>

static K_SEM_DEFINE(sink_wake, 0, 1);

uint64_t net_capture_rs_now_ns(void)
{
	return k_ticks_to_ns_floor64(k_uptime_ticks());
}

void net_capture_rs_sink_wait(int32_t timeout_ms)
{
	(void)k_sem_take(&sink_wake, timeout_ms < 0 ? K_FOREVER : K_MSEC(timeout_ms));
}

void net_capture_rs_sink_wake(void)
{
	k_sem_give(&sink_wake);
}

const char net_capture_rs_sink_hello[] = "Zephyr " KERNEL_VERSION_STRING " " CONFIG_BOARD_TARGET;

#if DT_HAS_CHOSEN(zephyr_capture_uart)
const struct device *const net_capture_rs_sink_uart_default =
	DEVICE_DT_GET(DT_CHOSEN(zephyr_capture_uart));
#else
const struct device *const net_capture_rs_sink_uart_default;
#endif

bool net_capture_rs_device_ready(const struct device *dev)
{
	return device_is_ready(dev);
}

const char *net_capture_rs_device_name(const struct device *dev)
{
	return dev->name;
}

void net_capture_rs_uart_write(const struct device *uart, const uint8_t *buf, size_t len)
{
#if defined(CONFIG_NET_CAPTURE_RS_SINK_UART)
	for (size_t i = 0; i < len; i++) {
		uart_poll_out(uart, buf[i]);
	}
#else
	ARG_UNUSED(uart);
	ARG_UNUSED(buf);
	ARG_UNUSED(len);
#endif
}

static void sink_thread(void *p1, void *p2, void *p3)
{
	ARG_UNUSED(p1);
	ARG_UNUSED(p2);
	ARG_UNUSED(p3);

	net_capture_rs_sink_thread();
}

K_THREAD_DEFINE(net_capture_rs_sink_tid, CONFIG_NET_CAPTURE_RS_SINK_THREAD_STACK_SIZE, sink_thread,
		NULL, NULL, NULL, CONFIG_NET_CAPTURE_RS_SINK_THREAD_PRIORITY, 0, 0);
