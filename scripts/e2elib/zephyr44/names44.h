/*
 * Simulates Zephyr 4.4's network names on an older tree, for scripts/e2e
 * --zephyr-names 4.4. Forced into every C translation unit (and bindgen)
 * with -include, it turns each old name into the 4.4 one, the reverse of
 * 4.4's include/zephyr/net/net_compat.h: the tree's headers then declare
 * struct net_sockaddr, net_sa_family_t... and nothing by the old names,
 * as a 4.4 build without the compatibility mode does. Together with the
 * (empty) zephyr/net/net_compat.h next to this file, whose presence is
 * how the module recognises a 4.4 tree, it exercises the module's 4.4
 * spelling without a 4.4 tree. A simulation, not a 4.4 build.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#ifndef NET_CAPTURE_RS_SIMULATED_44_NAMES_H_
#define NET_CAPTURE_RS_SIMULATED_44_NAMES_H_

#define sockaddr         net_sockaddr
#define sockaddr_in      net_sockaddr_in
#define sockaddr_in6     net_sockaddr_in6
#define sockaddr_ll      net_sockaddr_ll
#define sockaddr_can     net_sockaddr_can
#define sockaddr_un      net_sockaddr_un
#define sockaddr_storage net_sockaddr_storage
#define sockaddr_ptr     net_sockaddr_ptr
#define sockaddr_in_ptr  net_sockaddr_in_ptr
#define sockaddr_in6_ptr net_sockaddr_in6_ptr
#define sockaddr_ll_ptr  net_sockaddr_ll_ptr
#define sockaddr_un_ptr  net_sockaddr_un_ptr
#define sockaddr_can_ptr net_sockaddr_can_ptr
#define in_addr          net_in_addr
#define in6_addr         net_in6_addr
#define sa_family_t      net_sa_family_t
#define socklen_t        net_socklen_t

/* The 4.4 names of the constants the module uses; 4.1 defines only the
 * old ones, as macros this file cannot rename.
 */
#define NET_AF_INET  AF_INET
#define NET_AF_INET6 AF_INET6

#endif /* NET_CAPTURE_RS_SIMULATED_44_NAMES_H_ */
