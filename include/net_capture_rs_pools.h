/*
 * Occupancy of the capture pools of the Rust net_capture library, for
 * tests and diagnostics (the pools are C objects defined in glue.c).
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#ifndef NET_CAPTURE_RS_POOLS_H_
#define NET_CAPTURE_RS_POOLS_H_

#include <stddef.h>

/**
 * @brief Free entries of the capture packet slab and buffer pool.
 *
 * @param pkts_free Set to the free packets (of CONFIG_NET_CAPTURE_PKT_COUNT).
 * @param bufs_free Set to the free buffers (of CONFIG_NET_CAPTURE_BUF_COUNT),
 *        or to CONFIG_NET_CAPTURE_BUF_COUNT when the build does not track
 *        buffer usage (CONFIG_NET_BUF_POOL_USAGE=n).
 */
void net_capture_rs_pools_free(size_t *pkts_free, size_t *bufs_free);

#endif /* NET_CAPTURE_RS_POOLS_H_ */
