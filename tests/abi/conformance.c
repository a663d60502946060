/*
 * ABI conformance of the Rust library's exports.
 *
 * The reference headers (tests/abi/include, written from Zephyr's
 * documented API) come first, then the cbindgen header of the exports.
 * C requires every redeclaration to be compatible, so a drifted prototype
 * fails to compile; the API tables below fail if a slot's type drifts; the
 * static assertions pin layouts and enum values. Built with
 * -Wall -Wextra -Werror for 64- and 32-bit, with and without cooked mode.
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include <stddef.h>
#include <stdint.h>

#include <zephyr/net/capture.h>
#include <net_capture_rs.h>

#define PTR sizeof(void *)

/* The header's inline dispatchers index this table. */
_Static_assert(sizeof(struct net_capture_interface_api) == 5 * PTR, "api table size");
_Static_assert(offsetof(struct net_capture_interface_api, cleanup) == 0 * PTR, "cleanup slot");
_Static_assert(offsetof(struct net_capture_interface_api, enable) == 1 * PTR, "enable slot");
_Static_assert(offsetof(struct net_capture_interface_api, disable) == 2 * PTR, "disable slot");
_Static_assert(offsetof(struct net_capture_interface_api, is_enabled) == 3 * PTR, "is_enabled");
_Static_assert(offsetof(struct net_capture_interface_api, send) == 4 * PTR, "send slot");

/* Five pointers then a bool, padded to pointer alignment. */
_Static_assert(sizeof(struct net_capture_info) == 6 * PTR, "net_capture_info size");
_Static_assert(offsetof(struct net_capture_info, peer) == 3 * PTR, "info.peer");
_Static_assert(offsetof(struct net_capture_info, local) == 4 * PTR, "info.local");
_Static_assert(offsetof(struct net_capture_info, is_enabled) == 5 * PTR, "info.is_enabled");

_Static_assert(sizeof(struct net_capture_cooked) == 12, "net_capture_cooked size");
_Static_assert(_Alignof(struct net_capture_cooked) == 2, "net_capture_cooked align");
_Static_assert(offsetof(struct net_capture_cooked, halen) == 2, "cooked.halen");
_Static_assert(offsetof(struct net_capture_cooked, addr) == 4, "cooked.addr");
_Static_assert(NET_CAPTURE_LL_ADDRLEN == 8, "NET_CAPTURE_LL_ADDRLEN");

_Static_assert(NET_CAPTURE_HOST == 0 && NET_CAPTURE_BROADCAST == 1 &&
	       NET_CAPTURE_MULTICAST == 2 && NET_CAPTURE_OTHERHOST == 3 &&
	       NET_CAPTURE_OUTGOING == 4, "packet types equal Linux PACKET_*");
_Static_assert(sizeof(enum net_capture_packet_type) == sizeof(int), "packet type is int-sized");

/* The library's own type, mirrored by a Rust const assertion. */
_Static_assert(sizeof(struct net_capture_rs_stats) == 11 * sizeof(uint32_t), "stats size");
_Static_assert(offsetof(struct net_capture_rs_stats, filtered) == 9 * sizeof(uint32_t),
	       "stats.filtered");

/* What glue.c puts behind every NET_CAPTURE<i> device. */
const struct net_capture_interface_api abi_capture_api = {
	.cleanup = net_capture_rs_cleanup,
	.enable = net_capture_rs_enable,
	.disable = net_capture_rs_disable,
	.is_enabled = net_capture_rs_is_enabled,
	.send = net_capture_rs_send,
};

/* The real exports, as callers use them. */
int (*const abi_setup)(const char *, const char *, const char *,
		       const struct device **) = net_capture_setup;
void (*const abi_pkt)(struct net_if *, struct net_pkt *) = net_capture_pkt;
int (*const abi_pkt_with_status)(struct net_if *, struct net_pkt *) =
	net_capture_pkt_with_status;
void (*const abi_foreach)(net_capture_cb_t, void *) = net_capture_foreach;
int (*const abi_stats)(const struct device *, struct net_capture_rs_stats *) =
	net_capture_rs_stats_get;
int (*const abi_filter_set)(const struct device *, const char *) = net_capture_rs_filter_set;
int (*const abi_filter_get)(const struct device *, char *, size_t) = net_capture_rs_filter_get;
int (*const abi_snaplen_set)(const struct device *, uint32_t) = net_capture_rs_snaplen_set;
int (*const abi_snaplen_get)(const struct device *, uint32_t *) = net_capture_rs_snaplen_get;

#if defined(CONFIG_NET_CAPTURE_COOKED_MODE)
int (*const abi_cooked_setup)(struct net_capture_cooked *, uint16_t, uint16_t, uint8_t *) =
	net_capture_cooked_setup;
void (*const abi_data)(struct net_capture_cooked *, const uint8_t *, size_t,
		       enum net_capture_packet_type, uint16_t) = net_capture_data;

/* What glue_cooked.c puts behind the NET_COOKED interface. */
const struct virtual_interface_api abi_cooked_api = {
	.iface_api.init = net_capture_rs_cooked_init,
	.get_capabilities = net_capture_rs_cooked_capabilities,
	.start = net_capture_rs_cooked_start,
	.stop = net_capture_rs_cooked_stop,
	.send = net_capture_rs_cooked_send,
	.recv = net_capture_rs_cooked_recv,
	.attach = net_capture_rs_cooked_attach,
	.set_config = net_capture_rs_cooked_set_config,
	.get_config = net_capture_rs_cooked_get_config,
};
#endif
