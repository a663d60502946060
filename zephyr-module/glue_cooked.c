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

/*
 * Packets the cooked interface consumed. After the receive handler returned
 * NET_OK, the virtual L2 still reads the packet (its length, for the
 * interface statistics), so the packet is freed later, once the thread
 * that handed it over (the reader) is past that read. The reader never
 * blocks on its way out of the L2, so it is past the read once it is seen
 * not runnable (waiting, sleeping, suspended or gone), or once it enters
 * the handler again. The system work queue cannot simply free the packet
 * on its next turn: it preempts a preemptible reader
 * (CONFIG_NET_TC_THREAD_PREEMPTIVE, or an application thread calling
 * net_recv_data() without RX threads) in the middle of the read.
 */
#define PARKED_MAX 4

struct parked_pkt {
	struct net_pkt *pkt;
	k_tid_t reader;
};

static struct parked_pkt parked[PARKED_MAX];
static struct k_spinlock parked_lock;

static void release_parked(struct k_work *work);
static K_WORK_DELAYABLE_DEFINE(release_work, release_parked);

/* Whether the reader may still be inside the virtual L2: it is ready to
 * run (preempted), or running on another CPU.
 */
static bool reader_may_be_reading(k_tid_t reader)
{
	if (reader == k_current_get()) {
		return false;
	}

	if ((reader->base.thread_state & _THREAD_QUEUED) != 0U) {
		return true;
	}

#if defined(CONFIG_SMP)
	unsigned int cpus = arch_num_cpus();

	for (unsigned int i = 0; i < cpus; i++) {
		if (_kernel.cpus[i].current == reader) {
			return true;
		}
	}
#endif

	return false;
}

/* Takes the parked packets that are safe to free (their reader is
 * `entering` the handler again, or not reading): returns how many it put
 * in `out`, and sets `left` when some stay parked.
 */
static size_t take_parked(k_tid_t entering, struct net_pkt **out, bool *left)
{
	size_t count = 0;

	*left = false;

	for (size_t i = 0; i < PARKED_MAX; i++) {
		if (parked[i].pkt == NULL) {
			continue;
		}

		if (parked[i].reader == entering ||
		    !reader_may_be_reading(parked[i].reader)) {
			out[count++] = parked[i].pkt;
			parked[i].pkt = NULL;
		} else {
			*left = true;
		}
	}

	return count;
}

static void unref_all(struct net_pkt **pkts, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		net_pkt_unref(pkts[i]);
	}
}

static void release_parked(struct k_work *work)
{
	struct net_pkt *done[PARKED_MAX];
	size_t count;
	bool left;
	k_spinlock_key_t key;

	ARG_UNUSED(work);

	key = k_spin_lock(&parked_lock);
	count = take_parked(NULL, done, &left);
	k_spin_unlock(&parked_lock, key);

	unref_all(done, count);

	if (left) {
		/* A reader was preempted in the middle: give it a tick. */
		k_work_reschedule(&release_work, K_TICKS(1));
	}
}

bool net_capture_rs_release_later(struct net_pkt *pkt)
{
	struct net_pkt *done[PARKED_MAX];
	k_tid_t self = k_current_get();
	bool parked_it = false;
	size_t count;
	bool left;
	k_spinlock_key_t key;

	key = k_spin_lock(&parked_lock);
	/* This thread is back in the handler: it is done with its packets. */
	count = take_parked(self, done, &left);

	for (size_t i = 0; i < PARKED_MAX; i++) {
		if (parked[i].pkt == NULL) {
			parked[i].pkt = pkt;
			parked[i].reader = self;
			parked_it = true;
			break;
		}
	}
	k_spin_unlock(&parked_lock, key);

	unref_all(done, count);

	if (parked_it) {
		k_work_reschedule(&release_work, K_NO_WAIT);
	}

	return parked_it;
}
