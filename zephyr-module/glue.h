/*
 * What the C glue gives the Rust library: objects only C macros can
 * define, and shims for macros. Included by glue.c and by bindgen's seed
 * header, so both sides see one declaration.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#ifndef NET_CAPTURE_RS_GLUE_H_
#define NET_CAPTURE_RS_GLUE_H_

#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_pkt.h>

/* Log modules of the C implementation, kept so log filtering and the
 * sample's expected output stay the same.
 */
enum net_capture_rs_log_module {
	NET_CAPTURE_RS_LOG_CAPTURE = 0,
	NET_CAPTURE_RS_LOG_COOKED = 1,
};

/* LOG_ERR .. LOG_DBG of the log module registered in the calling file,
 * chosen by a runtime level (the Rust library's message levels).
 */
#define NET_CAPTURE_RS_LOG_AT(level, msg)                                      \
	do {                                                                   \
		switch (level) {                                               \
		case LOG_LEVEL_ERR:                                            \
			LOG_ERR("%s", msg);                                    \
			break;                                                 \
		case LOG_LEVEL_WRN:                                            \
			LOG_WRN("%s", msg);                                    \
			break;                                                 \
		case LOG_LEVEL_INF:                                            \
			LOG_INF("%s", msg);                                    \
			break;                                                 \
		default:                                                       \
			LOG_DBG("%s", msg);                                    \
			break;                                                 \
		}                                                              \
	} while (false)

/* Writes msg through LOG_ERR .. LOG_DBG of the given module. */
void net_capture_rs_log(uint8_t module, uint8_t level, const char *msg);

#if defined(CONFIG_NET_CAPTURE_COOKED_MODE)
/* The same through the log module of cooked mode. */
void net_capture_rs_cooked_log(uint8_t level, const char *msg);
#endif

/* Flushes logs and ends in k_panic(). */
FUNC_NORETURN void net_capture_rs_panic(const char *msg);

/* Capture devices NET_CAPTURE0 .. NET_CAPTURE<N-1>, in index order. */
extern const struct device *const net_capture_rs_devices[];

/* NET_EVENT_CAPTURE_STARTED/STOPPED, which bindgen cannot evaluate. */
extern const uint64_t net_capture_rs_event_started;
extern const uint64_t net_capture_rs_event_stopped;

/* Serialises control operations (setup, cleanup, enable, disable). */
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
};
enum net_capture_rs_l2 net_capture_rs_iface_l2(struct net_if *iface);

/* A packet from the capture slab with len bytes of buffers from the
 * capture pool, or NULL. Waits up to the configured time unless in ISR.
 */
struct net_pkt *net_capture_rs_pkt_alloc(size_t len);

/* net_pkt_unref(), which is a macro in some configurations. */
void net_capture_rs_pkt_unref(struct net_pkt *pkt);

/* Bytes the capture buffer pool holds. */
size_t net_capture_rs_pool_capacity(void);

#endif /* NET_CAPTURE_RS_GLUE_H_ */
