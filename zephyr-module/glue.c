/*
 * C glue of the Rust net_capture library: the objects only C macros can
 * define (devices, capture pools, the control mutex, log modules) and
 * shims for macros. No capture logic lives here.
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
#include <zephyr/sys/util.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_pkt.h>
#include <zephyr/net/net_l2.h>
#include <zephyr/net/net_context.h>
#include <zephyr/net/net_event.h>
#include <zephyr/net/capture.h>

#include "glue.h"
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
#define CAPTURE_DEVICE(i, _)                                                   \
	DEVICE_DEFINE(net_capture_##i, "NET_CAPTURE" #i, NULL, NULL, NULL, NULL,  \
		      POST_KERNEL, CONFIG_KERNEL_INIT_PRIORITY_DEVICE, &capture_api)

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
#define CAPTURE_POOL_BYTES (CONFIG_NET_CAPTURE_BUF_COUNT * CONFIG_NET_BUF_DATA_SIZE)
#else
#define CAPTURE_POOL_BYTES                                                     \
	MAX(CONFIG_NET_PKT_BUF_RX_DATA_POOL_SIZE, CONFIG_NET_PKT_BUF_TX_DATA_POOL_SIZE)
NET_BUF_POOL_VAR_DEFINE(capture_bufs, CONFIG_NET_CAPTURE_BUF_COUNT, CAPTURE_POOL_BYTES,
			CONFIG_NET_PKT_BUF_USER_DATA_SIZE, NULL);
#endif

static struct k_mem_slab *capture_slab(void)
{
	return &capture_pkts;
}

static struct net_buf_pool *capture_pool(void)
{
	return &capture_bufs;
}

/* A context that exists only to point buffer allocation at capture_bufs;
 * it is attached to a packet for the allocation and detached before the
 * packet leaves.
 */
static struct net_context pool_context = {
	.tx_slab = capture_slab,
	.data_pool = capture_pool,
};

/* Waiting costs timer bookkeeping even when the pool has room, so every
 * allocation is tried without waiting first.
 */
static k_timeout_t capture_wait(void)
{
	return k_is_in_isr() ? K_NO_WAIT : K_MSEC(CONFIG_NET_CAPTURE_RS_ALLOC_TIMEOUT_MS);
}

struct net_pkt *net_capture_rs_pkt_alloc(size_t len)
{
	struct net_pkt *pkt = net_pkt_alloc_from_slab(&capture_pkts, K_NO_WAIT);

	if (pkt == NULL) {
		pkt = net_pkt_alloc_from_slab(&capture_pkts, capture_wait());
		if (pkt == NULL) {
			return NULL;
		}
	}

	net_pkt_set_context(pkt, &pool_context);
	if (net_pkt_alloc_buffer_raw(pkt, len, K_NO_WAIT) < 0 &&
	    net_pkt_alloc_buffer_raw(pkt, len, capture_wait()) < 0) {
		net_pkt_set_context(pkt, NULL);
		net_pkt_unref(pkt);
		return NULL;
	}
	net_pkt_set_context(pkt, NULL);

	return pkt;
}

void net_capture_rs_pkt_unref(struct net_pkt *pkt)
{
	net_pkt_unref(pkt);
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

size_t net_capture_rs_pool_capacity(void)
{
	return CAPTURE_POOL_BYTES;
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
		if (IS_ENABLED(CONFIG_NET_PSEUDO_IFACE) &&
		    strcmp(net_if_get_device(iface)->name, "NET_ANY") == 0) {
			return NET_CAPTURE_RS_L2_ANY;
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
	return NET_CAPTURE_RS_L2_OTHER;
}

void net_capture_rs_log(uint8_t module, uint8_t level, const char *msg)
{
#if defined(CONFIG_NET_CAPTURE_COOKED_MODE)
	if (module == NET_CAPTURE_RS_LOG_COOKED) {
		net_capture_rs_cooked_log(level, msg);
		return;
	}
#endif

	NET_CAPTURE_RS_LOG_AT(level, msg);
}

FUNC_NORETURN void net_capture_rs_panic(const char *msg)
{
	LOG_ERR("Rust panic: %s", msg);
	LOG_PANIC();
	k_panic();
	CODE_UNREACHABLE;
}
