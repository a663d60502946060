/*
 * The one place that knows how Zephyr spells its network types.
 *
 * Zephyr 4.4 renamed the socket types and constants with a net_/NET_
 * prefix (struct sockaddr -> struct net_sockaddr, AF_INET -> NET_AF_INET,
 * ...) and keeps the old names only as macros of its compatibility mode
 * (include/zephyr/net/net_compat.h). bindgen sees types, not macros, so
 * the Rust library names none of them: it uses the names below, which
 * this header maps to whichever spelling the Zephyr tree has. A rename
 * upstream is a change here, not in Rust.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#ifndef NET_CAPTURE_RS_NET_NAMES_H_
#define NET_CAPTURE_RS_NET_NAMES_H_

#include <zephyr/net/net_ip.h>

/* The renamed types exist from the release that added net_compat.h. */
#if defined(__has_include)
#if __has_include(<zephyr/net/net_compat.h>)
#define NET_CAPTURE_RS_NET_PREFIXED 1
#endif
#endif

#if defined(NET_CAPTURE_RS_NET_PREFIXED)
typedef struct net_sockaddr net_capture_rs_sockaddr;
typedef struct net_sockaddr_in net_capture_rs_sockaddr_in;
typedef struct net_sockaddr_in6 net_capture_rs_sockaddr_in6;
typedef struct net_in_addr net_capture_rs_in_addr;
typedef struct net_in6_addr net_capture_rs_in6_addr;
typedef net_sa_family_t net_capture_rs_sa_family;
#define NET_CAPTURE_RS_AF_INET_VALUE  NET_AF_INET
#define NET_CAPTURE_RS_AF_INET6_VALUE NET_AF_INET6
#else
typedef struct sockaddr net_capture_rs_sockaddr;
typedef struct sockaddr_in net_capture_rs_sockaddr_in;
typedef struct sockaddr_in6 net_capture_rs_sockaddr_in6;
typedef struct in_addr net_capture_rs_in_addr;
typedef struct in6_addr net_capture_rs_in6_addr;
typedef sa_family_t net_capture_rs_sa_family;
#define NET_CAPTURE_RS_AF_INET_VALUE  AF_INET
#define NET_CAPTURE_RS_AF_INET6_VALUE AF_INET6
#endif

#endif /* NET_CAPTURE_RS_NET_NAMES_H_ */
