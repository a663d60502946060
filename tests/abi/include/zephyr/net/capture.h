/*
 * Reference of the network packet capture API that Zephyr documents in
 * include/zephyr/net/capture.h (Zephyr 4.1), written from its
 * documentation for the ABI conformance test: prototypes, struct layouts
 * and enum values the Rust library must match. Not Zephyr's header.
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#ifndef ABI_REFERENCE_CAPTURE_H_
#define ABI_REFERENCE_CAPTURE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct device;
struct net_if;
struct net_pkt;
struct sockaddr;

/* Slots of a capture device's API table, in this order. */
struct net_capture_interface_api {
	int (*cleanup)(const struct device *dev);
	int (*enable)(const struct device *dev, struct net_if *iface);
	int (*disable)(const struct device *dev);
	bool (*is_enabled)(const struct device *dev);
	int (*send)(const struct device *dev, struct net_if *iface, struct net_pkt *pkt);
};

int net_capture_setup(const char *remote_addr, const char *my_local_addr,
		      const char *peer_addr, const struct device **dev);

void net_capture_pkt(struct net_if *iface, struct net_pkt *pkt);
int net_capture_pkt_with_status(struct net_if *iface, struct net_pkt *pkt);

/* Direction and type of cooked data; equal to Linux's PACKET_* values. */
enum net_capture_packet_type {
	NET_CAPTURE_HOST,
	NET_CAPTURE_BROADCAST,
	NET_CAPTURE_MULTICAST,
	NET_CAPTURE_OTHERHOST,
	NET_CAPTURE_OUTGOING,
};

#define NET_CAPTURE_LL_ADDRLEN 8

struct net_capture_cooked {
	uint16_t hatype;
	uint16_t halen;
	uint8_t addr[NET_CAPTURE_LL_ADDRLEN];
};

#if defined(CONFIG_NET_CAPTURE_COOKED_MODE)
int net_capture_cooked_setup(struct net_capture_cooked *ctx, uint16_t hatype, uint16_t halen,
			     uint8_t *addr);
void net_capture_data(struct net_capture_cooked *ctx, const uint8_t *data, size_t len,
		      enum net_capture_packet_type type, uint16_t ptype);
#endif

struct net_capture_info {
	const struct device *capture_dev;
	struct net_if *capture_iface;
	struct net_if *tunnel_iface;
	struct sockaddr *peer;
	struct sockaddr *local;
	bool is_enabled;
};

typedef void (*net_capture_cb_t)(struct net_capture_info *info, void *user_data);

void net_capture_foreach(net_capture_cb_t cb, void *user_data);

#endif /* ABI_REFERENCE_CAPTURE_H_ */
