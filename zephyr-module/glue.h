/*
 * What the C glue gives the Rust library: objects only C macros can
 * define, and shims for macros and static inline functions bindgen cannot
 * wrap. Included by the glue files and by bindgen's seed header, so both
 * sides see one declaration.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#ifndef NET_CAPTURE_RS_GLUE_H_
#define NET_CAPTURE_RS_GLUE_H_

#include <stdint.h>
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_pkt.h>

/* Bytes the capture buffer pool holds. */
#if defined(CONFIG_NET_BUF_FIXED_DATA_SIZE)
#define NET_CAPTURE_RS_POOL_BYTES (CONFIG_NET_CAPTURE_BUF_COUNT * CONFIG_NET_BUF_DATA_SIZE)
#else
#define NET_CAPTURE_RS_POOL_BYTES                                              \
	MAX(CONFIG_NET_PKT_BUF_RX_DATA_POOL_SIZE, CONFIG_NET_PKT_BUF_TX_DATA_POOL_SIZE)
#endif

/*
 * Logging. Each glue file owns its log module and writes the library's
 * lines: a printf format (%ld for numbers, %s for text) with up to three
 * arguments, passed as intptr_t (numbers and static strings alike).
 * LOG_* formats them on the logging thread (deferred mode), or at once.
 */

/* Module net_capture (glue.c). */
void net_capture_rs_log_capture(uint8_t level, const char *fmt, intptr_t a, intptr_t b,
				intptr_t c);
/* The same with a transient string as the first argument (copied). */
void net_capture_rs_log_capture_text(uint8_t level, const char *fmt, const char *text,
				     intptr_t a, intptr_t b);

#if defined(CONFIG_NET_CAPTURE_COOKED_MODE)
/* Module net_cooked (glue_cooked.c). */
void net_capture_rs_log_cooked(uint8_t level, const char *fmt, intptr_t a, intptr_t b,
			       intptr_t c);
void net_capture_rs_log_cooked_text(uint8_t level, const char *fmt, const char *text,
				    intptr_t a, intptr_t b);

/* Takes a packet the cooked interface consumed and frees it once the
 * calling thread is done with it (the virtual L2 still reads it after the
 * receive handler returns). False when too many wait already: the packet
 * stays the caller's.
 */
bool net_capture_rs_release_later(struct net_pkt *pkt);
#endif

/* Flushes the logs and ends in k_panic(). */
FUNC_NORETURN void net_capture_rs_panic(const char *file, size_t file_len, uint32_t line);

/* Capture devices NET_CAPTURE0 .. NET_CAPTURE<N-1>, in index order. */
extern const struct device *const net_capture_rs_devices[];

/* NET_EVENT_CAPTURE_STARTED/STOPPED, which bindgen cannot evaluate. */
extern const uint64_t net_capture_rs_event_started;
extern const uint64_t net_capture_rs_event_stopped;

/* Serialises control operations (recursive, as every k_mutex). */
extern struct k_mutex net_capture_rs_control;

/* How an interface's L2 looks to capture. */
enum net_capture_rs_l2 {
	NET_CAPTURE_RS_L2_OTHER = 0,
	NET_CAPTURE_RS_L2_ETHERNET = 1,
	NET_CAPTURE_RS_L2_DUMMY = 2,
	NET_CAPTURE_RS_L2_PPP = 3,
	NET_CAPTURE_RS_L2_VIRTUAL = 4,
	/* The "any" pseudo interface of cooked mode (dummy L2, NET_ANY). */
	NET_CAPTURE_RS_L2_ANY = 5,
	/* The loopback interface (dummy L2, device "lo"). */
	NET_CAPTURE_RS_L2_LOOPBACK = 6,
	/* IEEE 802.15.4. */
	NET_CAPTURE_RS_L2_IEEE802154 = 7,
};
enum net_capture_rs_l2 net_capture_rs_iface_l2(struct net_if *iface);

/* Which way a packet goes: 1 received (from the RX packet slab), 2 sent. */
uint8_t net_capture_rs_pkt_direction(struct net_pkt *pkt);

/* A packet from the capture slab with len bytes of buffers from the
 * capture pool, or NULL; never waits.
 */
struct net_pkt *net_capture_rs_pkt_alloc(size_t len);

/* net_pkt_unref(), which is a macro in some configurations. */
void net_capture_rs_pkt_unref(struct net_pkt *pkt);

/* Queues a finished tunnel packet (its interface set) and has the system
 * work queue call net_capture_rs_send_queued().
 */
void net_capture_rs_send_later(struct net_pkt *pkt);

/* The oldest queued tunnel packet, or NULL. */
struct net_pkt *net_capture_rs_next_queued(void);

#if defined(CONFIG_NET_CAPTURE_RS_SINK)
/* glue_sink.c: the stream sink's drain thread and what it needs. */

/* Device time in nanoseconds since boot (k_uptime_ticks() is a syscall
 * and the conversion a macro chain: neither reaches bindgen).
 */
uint64_t net_capture_rs_now_ns(void);

/* Waits up to timeout_ms for net_capture_rs_sink_wake() (-1: forever). */
void net_capture_rs_sink_wait(int32_t timeout_ms);

/* Wakes the drain thread. */
void net_capture_rs_sink_wake(void);

/* "Zephyr <version> <board>", the text of hello records. */
extern const char net_capture_rs_sink_hello[];

/* The devicetree's chosen zephyr,capture-uart, or NULL. */
extern const struct device *const net_capture_rs_sink_uart_default;

/* Whether the device is ready (device_is_ready() is a syscall). */
bool net_capture_rs_device_ready(const struct device *dev);

/* The device's name. */
const char *net_capture_rs_device_name(const struct device *dev);

/* Writes len bytes with uart_poll_out(). */
void net_capture_rs_uart_write(const struct device *uart, const uint8_t *buf, size_t len);
#endif

#endif /* NET_CAPTURE_RS_GLUE_H_ */
