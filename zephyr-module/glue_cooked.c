/*
 * C glue of cooked mode: the "cooked" virtual interface (device
 * NET_COOKED, dev_id cooked, so the interface section keeps upstream's
 * order: any = 1, cooked = 2 in the capture sample), the net_cooked log
 * module and the deferred release of packets the interface consumed. The
 * interface's API is implemented in Rust.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <zephyr/logging/log.h>
LOG_MODULE_REGISTER(net_cooked, CONFIG_NET_CAPTURE_LOG_LEVEL);

#include <zephyr/kernel.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_pkt.h>
#include <zephyr/net/virtual.h>
#include <zephyr/net/capture.h>

#include "glue.h"
#include "glue_log.h"
#include <net_capture_rs.h>

#define COOKED_MTU 1024

static const struct virtual_interface_api cooked_api = {
	.iface_api.init = net_capture_rs_cooked_init,
	.get_capabilities = net_capture_rs_cooked_capabilities,
	.start = net_capture_rs_cooked_start,
	.stop = net_capture_rs_cooked_stop,
	/* The C code had no send, and the virtual L2 jumped to NULL. */
	.send = net_capture_rs_cooked_send,
	.recv = net_capture_rs_cooked_recv,
	.attach = net_capture_rs_cooked_attach,
	.set_config = net_capture_rs_cooked_set_config,
	.get_config = net_capture_rs_cooked_get_config,
};

NET_VIRTUAL_INTERFACE_INIT(cooked, "NET_COOKED", NULL, NULL, NULL, NULL,
			   CONFIG_KERNEL_INIT_PRIORITY_DEFAULT, &cooked_api, COOKED_MTU);

void net_capture_rs_log_cooked(uint8_t level, const char *fmt, intptr_t a, intptr_t b,
			       intptr_t c)
{
	NET_CAPTURE_RS_LOG(level, fmt, a, b, c);
}

void net_capture_rs_log_cooked_text(uint8_t level, const char *fmt, const char *text,
				    intptr_t a, intptr_t b)
{
	NET_CAPTURE_RS_LOG(level, fmt, text, a, b);
}

/* The virtual L2 reads a packet's length after its receive handler
 * returned NET_OK: consumed packets are freed a moment later.
 */
static K_FIFO_DEFINE(release_queue);

static void release_consumed(struct k_work *work)
{
	struct net_pkt *pkt;

	ARG_UNUSED(work);

	while ((pkt = k_fifo_get(&release_queue, K_NO_WAIT)) != NULL) {
		net_pkt_unref(pkt);
	}
}

static K_WORK_DEFINE(release_work, release_consumed);

void net_capture_rs_release_later(struct net_pkt *pkt)
{
	k_fifo_put(&release_queue, pkt);
	k_work_submit(&release_work);
}
