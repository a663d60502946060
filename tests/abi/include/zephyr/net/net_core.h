/*
 * Reference of what the ABI test needs from Zephyr's net_core.h: the
 * verdict an L2 or virtual interface returns for a received packet.
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#ifndef ABI_REFERENCE_NET_CORE_H_
#define ABI_REFERENCE_NET_CORE_H_

enum net_verdict {
	NET_OK,
	NET_CONTINUE,
	NET_DROP,
};

#endif /* ABI_REFERENCE_NET_CORE_H_ */
