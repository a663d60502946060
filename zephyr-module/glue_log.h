/*
 * Writes one line of the Rust library through the log module registered
 * in the including file: a printf format from the library (a static
 * string) with its arguments, packaged at run time as log_generic() does
 * (transient strings are copied into the message, static ones referenced),
 * but keeping the module as the line's source. The level was already
 * checked against CONFIG_NET_CAPTURE_LOG_LEVEL by the library; runtime
 * filtering still applies. LOG_MODE_MINIMAL prints at once.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#ifndef NET_CAPTURE_RS_GLUE_LOG_H_
#define NET_CAPTURE_RS_GLUE_LOG_H_

#include <stdarg.h>
#include <zephyr/logging/log.h>
#include <zephyr/logging/log_msg.h>

static inline void net_capture_rs_log_line(uint8_t level, const char *fmt, ...)
{
#if defined(CONFIG_LOG)
	va_list ap;

	va_start(ap, fmt);
#if defined(CONFIG_LOG_MODE_MINIMAL)
	Z_LOG_TO_VPRINTK(level, fmt, ap);
#else
	if (Z_LOG_LEVEL_ALL_CHECK(level, 0, Z_LOG_CURRENT_DATA())) {
		z_log_msg_runtime_vcreate(Z_LOG_LOCAL_DOMAIN_ID, Z_LOG_CURRENT_DATA(), level,
					  NULL, 0, 0, fmt, ap);
	}
#endif
	va_end(ap);
#else
	ARG_UNUSED(level);
	ARG_UNUSED(fmt);
#endif
}

#define NET_CAPTURE_RS_LOG(level, fmt, ...) net_capture_rs_log_line(level, fmt, __VA_ARGS__)

#endif /* NET_CAPTURE_RS_GLUE_LOG_H_ */
