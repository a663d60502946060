/*
 * C glue of the Rust net_capture library: the objects only C macros can
 * define (devices, capture pools, the control mutex, the net_capture log
 * module, the work item that sends queued captures) and shims for macros.
 * No capture logic lives here.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <zephyr/logging/log.h>
#include <zephyr/logging/log_ctrl.h>
LOG_MODULE_REGISTER(net_capture, CONFIG_NET_CAPTURE_LOG_LEVEL);

#include <string.h>
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/sys/printk.h>
#include <zephyr/sys/util.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_pkt.h>
#include <zephyr/net/net_l2.h>
#include <zephyr/net/net_event.h>
#include <zephyr/net/capture.h>

#include "glue.h"
#include "glue_log.h"
#include <net_capture_rs.h>
#include <net_capture_rs_pools.h>

/* Both sides must agree on the API table the header's dispatchers index. */
BUILD_ASSERT(sizeof(struct net_capture_interface_api) == 5 * sizeof(void *));

static const struct net_capture_interface_api capture_api = {
	.cleanup = net_capture_rs_cleanup,
	.enable = net_capture_rs_enable,
	.disable = net_capture_rs_disable,
	.is_enabled = net_capture_rs_is_enabled,
	.send = net_capture_rs_send,
};

/* The device name "NET_CAPTURE<i>" is ABI: the header, the shell and the
 * PPP driver look devices up by it. State lives in the Rust library, which
 * tells devices apart by their position in net_capture_rs_devices.
 */
/* Each device starts with the configured snap length and filter. */
static int capture_device_init(const struct device *dev)
{
	(void)net_capture_rs_snaplen_set(dev, CONFIG_NET_CAPTURE_RS_SNAPLEN_DEFAULT);
#if defined(CONFIG_NET_CAPTURE_RS_FILTER)
	if (CONFIG_NET_CAPTURE_RS_FILTER_DEFAULT[0] != '\0') {
		(void)net_capture_rs_filter_set(dev, CONFIG_NET_CAPTURE_RS_FILTER_DEFAULT);
	}
#endif
	return 0;
}

#define CAPTURE_DEVICE(i, _)                                                   \
	DEVICE_DEFINE(net_capture_##i, "NET_CAPTURE" #i, capture_device_init, NULL, NULL, \
		      NULL, POST_KERNEL, CONFIG_KERNEL_INIT_PRIORITY_DEVICE, &capture_api)

LISTIFY(CONFIG_NET_CAPTURE_DEVICE_COUNT, CAPTURE_DEVICE, (;), _);

#define CAPTURE_DEVICE_REF(i, _) DEVICE_GET(net_capture_##i)

const struct device *const net_capture_rs_devices[] = {
	LISTIFY(CONFIG_NET_CAPTURE_DEVICE_COUNT, CAPTURE_DEVICE_REF, (,), _)
};

K_MUTEX_DEFINE(net_capture_rs_control);

const uint64_t net_capture_rs_event_started = NET_EVENT_CAPTURE_STARTED;
const uint64_t net_capture_rs_event_stopped = NET_EVENT_CAPTURE_STOPPED;

/* The capture pools bound all memory capture uses for copies. */
NET_PKT_SLAB_DEFINE(capture_pkts, CONFIG_NET_CAPTURE_PKT_COUNT);

#if defined(CONFIG_NET_BUF_FIXED_DATA_SIZE)
NET_BUF_POOL_FIXED_DEFINE(capture_bufs, CONFIG_NET_CAPTURE_BUF_COUNT, CONFIG_NET_BUF_DATA_SIZE,
			  CONFIG_NET_PKT_BUF_USER_DATA_SIZE, NULL);
#else
NET_BUF_POOL_VAR_DEFINE(capture_bufs, CONFIG_NET_CAPTURE_BUF_COUNT, NET_CAPTURE_RS_POOL_BYTES,
			CONFIG_NET_PKT_BUF_USER_DATA_SIZE, NULL);
#endif

/* Buffers come straight from the pool: net_pkt_alloc_buffer() would log an
 * error for every capture the pool cannot hold, and capture never waits.
 */
struct net_pkt *net_capture_rs_pkt_alloc(size_t len)
{
	struct net_pkt *pkt = net_pkt_alloc_from_slab(&capture_pkts, K_NO_WAIT);

	if (pkt == NULL) {
		return NULL;
	}

	while (len > 0) {
#if defined(CONFIG_NET_BUF_FIXED_DATA_SIZE)
		struct net_buf *buf = net_buf_alloc_fixed(&capture_bufs, K_NO_WAIT);
#else
		struct net_buf *buf = net_buf_alloc_len(&capture_bufs, len, K_NO_WAIT);
#endif

		if (buf == NULL) {
			net_pkt_unref(pkt);
			return NULL;
		}
		net_pkt_append_buffer(pkt, buf);
		len -= MIN(len, buf->size);
	}

	return pkt;
}

void net_capture_rs_pkt_unref(struct net_pkt *pkt)
{
	net_pkt_unref(pkt);
}

uint8_t net_capture_rs_pkt_direction(struct net_pkt *pkt)
{
	struct k_mem_slab *rx;

	net_pkt_get_info(&rx, NULL, NULL, NULL);
	return pkt->slab == rx ? 1 : 2;
}

void net_capture_rs_pools_free(size_t *pkts_free, size_t *bufs_free)
{
	*pkts_free = k_mem_slab_num_free_get(&capture_pkts);
#if defined(CONFIG_NET_BUF_POOL_USAGE)
	*bufs_free = atomic_get(&capture_bufs.avail_count);
#else
	*bufs_free = CONFIG_NET_CAPTURE_BUF_COUNT;
#endif
}

/* Finished tunnel packets wait here for the system work queue (their
 * fifo word is free once they are built): the thread that captured never
 * runs the transmit path.
 */
static K_FIFO_DEFINE(send_queue);

static void send_queued(struct k_work *work)
{
	ARG_UNUSED(work);
	net_capture_rs_send_queued();
}

static K_WORK_DEFINE(send_work, send_queued);

void net_capture_rs_send_later(struct net_pkt *pkt)
{
	k_fifo_put(&send_queue, pkt);
	k_work_submit(&send_work);
}

struct net_pkt *net_capture_rs_next_queued(void)
{
	return k_fifo_get(&send_queue, K_NO_WAIT);
}

enum net_capture_rs_l2 net_capture_rs_iface_l2(struct net_if *iface)
{
	const struct net_l2 *l2 = net_if_l2(iface);

#if defined(CONFIG_NET_L2_ETHERNET)
	if (l2 == &NET_L2_GET_NAME(ETHERNET)) {
		return NET_CAPTURE_RS_L2_ETHERNET;
	}
#endif
#if defined(CONFIG_NET_L2_DUMMY)
	if (l2 == &NET_L2_GET_NAME(DUMMY)) {
		const char *name = net_if_get_device(iface)->name;

		if (IS_ENABLED(CONFIG_NET_PSEUDO_IFACE) && strcmp(name, "NET_ANY") == 0) {
			return NET_CAPTURE_RS_L2_ANY;
		}
		if (IS_ENABLED(CONFIG_NET_LOOPBACK) && strcmp(name, "lo") == 0) {
			return NET_CAPTURE_RS_L2_LOOPBACK;
		}
		return NET_CAPTURE_RS_L2_DUMMY;
	}
#endif
#if defined(CONFIG_NET_L2_PPP)
	if (l2 == &NET_L2_GET_NAME(PPP)) {
		return NET_CAPTURE_RS_L2_PPP;
	}
#endif
#if defined(CONFIG_NET_L2_VIRTUAL)
	if (l2 == &NET_L2_GET_NAME(VIRTUAL)) {
		return NET_CAPTURE_RS_L2_VIRTUAL;
	}
#endif
#if defined(CONFIG_NET_L2_IEEE802154)
	if (l2 == &NET_L2_GET_NAME(IEEE802154)) {
		return NET_CAPTURE_RS_L2_IEEE802154;
	}
#endif
	return NET_CAPTURE_RS_L2_OTHER;
}

void net_capture_rs_log_capture(uint8_t level, const char *fmt, intptr_t a, intptr_t b,
				intptr_t c)
{
	NET_CAPTURE_RS_LOG(level, fmt, a, b, c);
}

void net_capture_rs_log_capture_text(uint8_t level, const char *fmt, const char *text,
				     intptr_t a, intptr_t b)
{
	NET_CAPTURE_RS_LOG(level, fmt, text, a, b);
}

FUNC_NORETURN void net_capture_rs_panic(const char *file, size_t file_len, uint32_t line)
{
	/* Immediate mode from here on, so the text is printed before the halt. */
	LOG_PANIC();
	LOG_ERR("Rust panic at %.*s:%u", (int)file_len, file, (unsigned int)line);
	k_panic();
	CODE_UNREACHABLE;
}

/* ARM EABI helpers the Rust code calls for copies and clears. Without
 * these, the Rust library brings its own memcpy and memmove (2.5 kB on
 * Cortex-M); weak, so a C library that has them (newlib, picolibc) wins.
 */
#if defined(CONFIG_ARM)
__weak void __aeabi_memcpy(void *dest, const void *src, size_t n)
{
	memcpy(dest, src, n);
}

__weak void __aeabi_memcpy4(void *dest, const void *src, size_t n)
{
	memcpy(dest, src, n);
}

__weak void __aeabi_memcpy8(void *dest, const void *src, size_t n)
{
	memcpy(dest, src, n);
}

__weak void __aeabi_memmove(void *dest, const void *src, size_t n)
{
	memmove(dest, src, n);
}

__weak void __aeabi_memmove4(void *dest, const void *src, size_t n)
{
	memmove(dest, src, n);
}

__weak void __aeabi_memset(void *dest, size_t n, int c)
{
	memset(dest, c, n);
}

__weak void __aeabi_memclr(void *dest, size_t n)
{
	memset(dest, 0, n);
}

__weak void __aeabi_memclr4(void *dest, size_t n)
{
	memset(dest, 0, n);
}

__weak void __aeabi_memclr8(void *dest, size_t n)
{
	memset(dest, 0, n);
}
#endif
