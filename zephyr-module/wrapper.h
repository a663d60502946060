/*
 * bindgen's seed header: every Zephyr declaration the Rust library uses,
 * plus typed constants for macros bindgen cannot evaluate. Zephyr's
 * network type names go through net_names.h, so the Rust code is the same
 * for every supported Zephyr release.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <errno.h>
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/spinlock.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_pkt.h>
#include <zephyr/net/net_ip.h>
#include <zephyr/net/net_mgmt.h>
#include <zephyr/net/net_event.h>
#include <zephyr/net/virtual.h>
#include <zephyr/net/virtual_mgmt.h>
#include <zephyr/net/capture.h>
#include <zephyr/net_buf.h>

#include "net_names.h"
#include "glue.h"

/* errno values differ between Zephyr's libcs: take them from this one. */
static const int NET_CAPTURE_RS_EINVAL = EINVAL;
static const int NET_CAPTURE_RS_ENOENT = ENOENT;
static const int NET_CAPTURE_RS_ENOMEM = ENOMEM;
static const int NET_CAPTURE_RS_EALREADY = EALREADY;
static const int NET_CAPTURE_RS_ENETUNREACH = ENETUNREACH;
static const int NET_CAPTURE_RS_ENOTSUP = ENOTSUP;
static const int NET_CAPTURE_RS_ERANGE = ERANGE;
static const int NET_CAPTURE_RS_EBUSY = EBUSY;
static const int NET_CAPTURE_RS_EIO = EIO;
static const int NET_CAPTURE_RS_ENETDOWN = ENETDOWN;
static const int NET_CAPTURE_RS_EMSGSIZE = EMSGSIZE;
static const int NET_CAPTURE_RS_EAGAIN = EAGAIN;

static const uint64_t NET_CAPTURE_RS_REQ_SET_PEER = NET_REQUEST_VIRTUAL_INTERFACE_SET_PEER_ADDRESS;
static const uint64_t NET_CAPTURE_RS_REQ_SET_MTU = NET_REQUEST_VIRTUAL_INTERFACE_SET_MTU;

static const int NET_CAPTURE_RS_AF_INET = NET_CAPTURE_RS_AF_INET_VALUE;
static const int NET_CAPTURE_RS_AF_INET6 = NET_CAPTURE_RS_AF_INET6_VALUE;

static const size_t NET_CAPTURE_RS_POOL_CAPACITY = NET_CAPTURE_RS_POOL_BYTES;
