/*
 * Setup, cleanup, enable, disable, events and foreach through the real
 * stack: error codes, rollback and what a set-up tunnel looks like.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <string.h>

#include <zephyr/ztest.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_mgmt.h>
#include <zephyr/net/net_event.h>
#include <zephyr/net/virtual.h>
#include <zephyr/net/capture.h>

#include "common.h"

static struct net_mgmt_event_callback event_cb;
static K_SEM_DEFINE(event_sem, 0, 8);
static uint64_t last_event;
static struct net_if *last_event_iface;

static void on_event(struct net_mgmt_event_callback *cb, uint64_t event, struct net_if *iface)
{
	ARG_UNUSED(cb);
	last_event = event;
	last_event_iface = iface;
	k_sem_give(&event_sem);
}

static void *control_setup(void)
{
	capture_suite_setup();
	net_mgmt_init_event_callback(&event_cb, on_event,
				     NET_EVENT_CAPTURE_STARTED | NET_EVENT_CAPTURE_STOPPED);
	net_mgmt_add_event_callback(&event_cb);
	return NULL;
}

static void control_before(void *fixture)
{
	ARG_UNUSED(fixture);
	k_sem_reset(&event_sem);
}

/* The event that arrives next, or 0 if none within 500 ms. */
static uint64_t next_event(struct net_if **iface)
{
	if (k_sem_take(&event_sem, K_MSEC(500)) != 0) {
		return 0;
	}
	*iface = last_event_iface;
	return last_event;
}

static struct net_if *tunnel_of(const struct device *dev)
{
	struct net_if *found = NULL;

	ARG_UNUSED(dev);
	for (int i = 1; net_if_get_by_index(i) != NULL; i++) {
		struct net_if *iface = net_if_get_by_index(i);

		if (net_if_l2(iface) == &NET_L2_GET_NAME(VIRTUAL) &&
		    (net_virtual_get_iface_capabilities(iface) & VIRTUAL_INTERFACE_IPIP)) {
			found = iface;
		}
	}
	return found;
}

ZTEST(capture_control, test_setup_refuses_bad_arguments)
{
	const struct device *dev = NULL;
	char long_port[160] = "192.0.2.2:";

	memset(long_port + strlen(long_port), '9', 100);

	zassert_equal(net_capture_setup(NULL, LOCAL6, PEER6, &dev), -EINVAL);
	zassert_equal(net_capture_setup(REMOTE, NULL, PEER6, &dev), -EINVAL);
	zassert_equal(net_capture_setup(REMOTE, LOCAL6, NULL, &dev), -EINVAL);
	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, NULL), -EINVAL);
	zassert_equal(net_capture_setup(long_port, LOCAL6, PEER6, &dev), -EINVAL);
	zassert_equal(net_capture_setup(REMOTE, "2001:db8:200::1:", PEER6, &dev), -EINVAL);
	zassert_equal(net_capture_setup(REMOTE, LOCAL6, "[2001:db8:200::2]:65536", &dev), -EINVAL);
	zassert_equal(net_capture_setup(REMOTE, "198.51.100.1", PEER6, &dev), -EINVAL,
		      "local and peer of different families");
	zassert_is_null(dev, "no device handed out on error");
	/* Nothing was left behind: a valid setup still works. */
	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev), 0);
	zassert_equal(dev, capture_device(0), "devices are handed out lowest first");
}

ZTEST(capture_control, test_setup_configures_the_tunnel_and_cleanup_restores_it)
{
	const struct device *dev;
	struct net_if *tunnel = tunnel_of(NULL);
	struct in6_addr local;
	uint16_t tunnel_mtu = net_if_get_mtu(tunnel);

	zassert_not_null(tunnel);
	zassert_equal(net_addr_pton(AF_INET6, LOCAL6, &local), 0);

	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev), 0);
	zassert_equal(net_virtual_get_iface(tunnel), carrier, "tunnel attached to the carrier");
	zassert_equal(net_if_get_mtu(tunnel), 1500 - 20, "carrier MTU less the outer header");
	zassert_equal(net_if_get_mtu(carrier), 1500, "carrier MTU untouched (W3)");
	zassert_not_null(net_if_ipv6_addr_lookup_by_iface(tunnel, &local));
	zassert_false(net_if_is_up(tunnel), "up only when enabled");

	zassert_equal(net_capture_cleanup(dev), 0);
	zassert_is_null(net_virtual_get_iface(tunnel), "detached");
	zassert_equal(net_if_get_mtu(tunnel), tunnel_mtu, "tunnel MTU restored");
	zassert_equal(net_if_get_mtu(carrier), 1500);
	zassert_is_null(net_if_ipv6_addr_lookup_by_iface(tunnel, &local), "address removed");
}

ZTEST(capture_control, test_devices_not_set_up_refuse_without_crashing)
{
	const struct device *dev = capture_device(0);

	/* The C code dereferenced a NULL tunnel here (W1). */
	zassert_equal(net_capture_enable(dev, carrier), -ENOENT);
	zassert_equal(net_capture_disable(dev), -ENOENT);
	zassert_equal(net_capture_cleanup(dev), -ENOENT);
	zassert_false(net_capture_is_enabled(dev));
	zassert_false(net_capture_is_enabled(NULL));
	zassert_equal(k_sem_count_get(&event_sem), 0, "no spurious STOPPED (W17)");
}

ZTEST(capture_control, test_enable_and_disable_raise_events_once)
{
	const struct device *dev;
	struct net_if *iface;

	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev), 0);
	zassert_equal(net_capture_enable(dev, probe), 0);
	zassert_true(net_if_is_up(tunnel_of(dev)), "tunnel up once enabled");
	zassert_equal(next_event(&iface), NET_EVENT_CAPTURE_STARTED);
	zassert_equal(iface, probe);
	zassert_true(net_capture_is_enabled(dev));
	zassert_true(net_capture_is_enabled(NULL), "NULL means NET_CAPTURE0");

	zassert_equal(net_capture_enable(dev, probe), -EALREADY);
	zassert_equal(net_capture_enable(dev, carrier), -EALREADY);

	zassert_equal(net_capture_disable(dev), 0);
	zassert_equal(next_event(&iface), NET_EVENT_CAPTURE_STOPPED);
	zassert_equal(iface, probe);
	zassert_equal(net_capture_disable(dev), 0, "set up, not capturing: 0, as upstream");
	zassert_equal(next_event(&iface), 0, "no second STOPPED");
	zassert_false(net_if_is_up(tunnel_of(dev)));
}

ZTEST(capture_control, test_enable_refuses_the_tunnel_and_unknown_interfaces)
{
	const struct device *dev;
	struct net_if bogus;

	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &dev), 0);
	zassert_equal(net_capture_enable(dev, tunnel_of(dev)), -EINVAL, "recursion");
	zassert_equal(net_capture_enable(dev, NULL), -EINVAL);
	zassert_equal(net_capture_enable(dev, &bogus), -EINVAL, "not a registered interface");
	zassert_false(net_capture_is_enabled(dev));
}

ZTEST(capture_control, test_one_tunnel_serves_one_device)
{
	const struct device *first;
	const struct device *second = NULL;

	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &first), 0);
	/* Two devices, one IPIP interface: the C code shared it (W7). */
	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &second), -EBUSY);
	zassert_is_null(second);
	zassert_equal(net_capture_cleanup(first), 0);
	zassert_equal(net_capture_setup(REMOTE, LOCAL6, PEER6, &second), 0);
	zassert_equal(second, capture_device(0));
}

struct seen {
	int count;
	struct net_capture_info info;
	struct sockaddr_in6 local;
	struct sockaddr_in6 peer;
};

static void collect(struct net_capture_info *info, void *user_data)
{
	struct seen *seen = user_data;

	seen->count++;
	seen->info = *info;
	memcpy(&seen->local, info->local, sizeof(seen->local));
	memcpy(&seen->peer, info->peer, sizeof(seen->peer));
}

ZTEST(capture_control, test_foreach_reports_set_up_devices)
{
	const struct device *dev;
	struct seen seen = {0};
	struct in6_addr local;

	net_capture_foreach(collect, &seen);
	zassert_equal(seen.count, 0);
	net_capture_foreach(NULL, NULL);

	zassert_equal(net_capture_setup(REMOTE, "[2001:db8:200::1]:9998", PEER6, &dev), 0);
	zassert_equal(net_capture_enable(dev, probe), 0);
	net_capture_foreach(collect, &seen);
	zassert_equal(seen.count, 1);
	zassert_equal(seen.info.capture_dev, dev);
	zassert_equal(seen.info.capture_iface, probe);
	zassert_equal(seen.info.tunnel_iface, tunnel_of(dev));
	zassert_true(seen.info.is_enabled);
	zassert_equal(seen.local.sin6_family, AF_INET6);
	zassert_equal(ntohs(seen.local.sin6_port), 9998);
	zassert_equal(ntohs(seen.peer.sin6_port), 4242, "default port");
	zassert_equal(net_addr_pton(AF_INET6, LOCAL6, &local), 0);
	zassert_mem_equal(&seen.local.sin6_addr, &local, sizeof(local));
}

ZTEST_SUITE(capture_control, NULL, control_setup, control_before, capture_suite_after, NULL);
