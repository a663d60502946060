/*
 * Reference of what the ABI test needs from Zephyr's virtual.h: the
 * virtual interface API the cooked interface implements and the
 * configuration it receives. Layouts follow Zephyr 4.1's documentation;
 * CONFIG_NET_CAPTURE_COOKED_MODE_MAX_LINK_TYPES is 2 by default.
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#ifndef ABI_REFERENCE_VIRTUAL_H_
#define ABI_REFERENCE_VIRTUAL_H_

#include <stddef.h>
#include <stdint.h>

#include <zephyr/net/net_core.h>

#ifndef CONFIG_NET_CAPTURE_COOKED_MODE_MAX_LINK_TYPES
#define CONFIG_NET_CAPTURE_COOKED_MODE_MAX_LINK_TYPES 2
#endif

struct device;
struct net_if;
struct net_pkt;

typedef uint16_t sa_family_t;

struct in_addr {
	uint8_t s4_addr[4];
};

struct in6_addr {
	uint8_t s6_addr[16];
};

enum virtual_interface_caps {
	VIRTUAL_INTERFACE_IPIP = 1 << 1,
	VIRTUAL_INTERFACE_VLAN = 1 << 2,
	VIRTUAL_INTERFACE_BRIDGE = 1 << 3,
};

enum virtual_interface_config_type {
	VIRTUAL_INTERFACE_CONFIG_TYPE_PEER_ADDRESS,
	VIRTUAL_INTERFACE_CONFIG_TYPE_MTU,
	VIRTUAL_INTERFACE_CONFIG_TYPE_LINK_TYPE,
	VIRTUAL_INTERFACE_CONFIG_TYPE_PRIVATE_KEY,
	VIRTUAL_INTERFACE_CONFIG_TYPE_PUBLIC_KEY,
};

struct virtual_interface_link_types {
	int count;
	uint16_t type[CONFIG_NET_CAPTURE_COOKED_MODE_MAX_LINK_TYPES];
};

struct virtual_interface_config {
	sa_family_t family;
	union {
		struct in_addr peer4addr;
		struct in6_addr peer6addr;
		int mtu;
		struct virtual_interface_link_types link_types;
	};
};

struct net_if_api {
	void (*init)(struct net_if *iface);
};

struct virtual_interface_api {
	struct net_if_api iface_api;
	enum virtual_interface_caps (*get_capabilities)(struct net_if *iface);
	int (*start)(const struct device *dev);
	int (*stop)(const struct device *dev);
	int (*send)(struct net_if *iface, struct net_pkt *pkt);
	enum net_verdict (*recv)(struct net_if *iface, struct net_pkt *pkt);
	int (*attach)(struct net_if *virtual_iface, struct net_if *iface);
	int (*set_config)(struct net_if *iface, enum virtual_interface_config_type type,
			  const struct virtual_interface_config *config);
	int (*get_config)(struct net_if *iface, enum virtual_interface_config_type type,
			  struct virtual_interface_config *config);
};

#endif /* ABI_REFERENCE_VIRTUAL_H_ */
