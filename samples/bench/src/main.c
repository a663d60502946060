/*
 * Capture benchmark: pushes pre-built frames through net_capture_pkt() in
 * up to four situations and reports what the test interfaces had to send.
 *
 * The measured work is bench_loop(); everything else (setup, building the
 * frames, enabling capture) happens whether the frame count is 0 or N, so
 * two runs that differ only in the count differ only in the loop.
 *
 * Copyright (c) 2026 The zephyr-net-capture authors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <stdlib.h>
#include <string.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/printk.h>
#include <zephyr/sys/byteorder.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_ip.h>
#include <zephyr/net/net_pkt.h>
#include <zephyr/net/capture.h>

#if defined(CONFIG_NET_CAPTURE_RS_SINK_CALLBACK)
#include <net_capture_rs.h>
/* Captures go to the stream sink's ring (scripts/bench-sink), drained to
 * a callback that does nothing, instead of the tunnel.
 */
#define BENCH_IMPL "rust-stream"
#define BENCH_STREAM 1
#elif defined(CONFIG_NET_CAPTURE_RS)
#include <net_capture_rs.h>
#define BENCH_IMPL "rust"
#else
#define BENCH_IMPL "c"
#endif

#if defined(CONFIG_BOARD_NATIVE_SIM)
#include "cmdline.h"
#include "posix_board_if.h"
#endif

#include "bench_if.h"

/* Addresses from the documentation ranges (RFC 5737). The carrier holds
 * CARRIER_ADDR/24, so the tunnel remote routes through it; the frames go
 * from CARRIER_ADDR to FRAME_DST, a neighbour that is not the remote.
 */
#define CARRIER_ADDR "192.0.2.1"
#define TUNNEL_REMOTE "192.0.2.2"
#define FRAME_DST "192.0.2.3"
#define OTHER_ADDR "203.0.113.1"
#define NETMASK_24 "255.255.255.0"

/* The "filtered" situation's capture filter: the bench frames (UDP from
 * 192.0.2.1:5000 to 192.0.2.3:5001) pass the first two terms and fail
 * the third, so every term is evaluated before the frame is rejected.
 */
#define REJECTING_FILTER "udp and port 5001 and host 192.0.2.9"

/* UDP port the capture tunnel uses when none is given (both sides). */
#define CAPTURE_PORT 4242

#define MAX_SIZES 8
#define MAX_FRAME 4000

enum situation {
	SIT_OFF,
	SIT_OTHER,
	SIT_THIS,
	SIT_FILTERED,
	SIT_COUNT,
};

static const char *const situation_names[SIT_COUNT] = {"off", "other", "this", "filtered"};

struct options {
	uint32_t frames;
	size_t sizes[MAX_SIZES];
	size_t size_count;
	bool situations[SIT_COUNT];
};

static uint8_t staging[MAX_FRAME];

/* The measured loop. The C implementation marks the original packet as
 * captured (spec W25) and would skip it from then on, so the mark is
 * cleared before every push; the Rust one never sets it.
 */
__noinline void bench_loop(struct net_if *iface, struct net_pkt *pkt, uint32_t frames)
{
	for (uint32_t i = 0; i < frames; i++) {
		net_pkt_set_captured(pkt, false);
		net_capture_pkt(iface, pkt);
	}
}

static int parse_sizes(const char *text, struct options *opt)
{
	const char *p = text;

	opt->size_count = 0;
	while (*p != '\0') {
		char *end;
		unsigned long size = strtoul(p, &end, 10);

		if (end == p || (*end != ',' && *end != '\0') || size == 0 || size > MAX_FRAME ||
		    opt->size_count == MAX_SIZES) {
			printk("bench: error: bad size list \"%s\" (1..%d bytes, at most %d sizes)\n",
			       text, MAX_FRAME, MAX_SIZES);
			return -EINVAL;
		}
		opt->sizes[opt->size_count++] = size;
		p = (*end == ',') ? end + 1 : end;
	}
	return opt->size_count > 0 ? 0 : -EINVAL;
}

static int parse_situations(const char *text, struct options *opt)
{
	const char *p = text;

	memset(opt->situations, 0, sizeof(opt->situations));
	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		bool known = false;

		for (int s = 0; s < SIT_COUNT; s++) {
			if (strlen(situation_names[s]) == len &&
			    strncmp(p, situation_names[s], len) == 0) {
				opt->situations[s] = true;
				known = true;
			}
		}
		if (!known) {
			printk("bench: error: bad situation list \"%s\" "
			       "(off, other, this, filtered)\n",
			       text);
			return -EINVAL;
		}
		p += len;
		if (*p == ',') {
			p++;
		}
	}
	return 0;
}

static int parse_options(struct options *opt)
{
	int ret;

	opt->frames = CONFIG_BENCH_FRAMES;
	ret = parse_sizes(CONFIG_BENCH_SIZES, opt);
	if (ret == 0) {
		ret = parse_situations(CONFIG_BENCH_SITUATIONS, opt);
	}

#if defined(CONFIG_BOARD_NATIVE_SIM)
	int argc;
	char **argv;

	native_get_test_cmd_line_args(&argc, &argv);
	for (int i = 0; ret == 0 && i < argc; i++) {
		const char *arg = argv[i];

		if (strncmp(arg, "frames=", 7) == 0) {
			char *end;

			opt->frames = strtoul(arg + 7, &end, 10);
			if (end == arg + 7 || *end != '\0') {
				printk("bench: error: bad frame count \"%s\"\n", arg);
				ret = -EINVAL;
			}
		} else if (strncmp(arg, "sizes=", 6) == 0) {
			ret = parse_sizes(arg + 6, opt);
		} else if (strncmp(arg, "situations=", 11) == 0) {
			ret = parse_situations(arg + 11, opt);
		} else {
			printk("bench: error: unknown argument \"%s\" "
			       "(frames=N sizes=a,b,.. situations=off,other,this,filtered)\n",
			       arg);
			ret = -EINVAL;
		}
	}
#endif
	return ret;
}

static int add_ipv4(struct net_if *iface, const char *addr_text)
{
	struct in_addr addr;
	struct in_addr mask;

	if (net_addr_pton(AF_INET, addr_text, &addr) < 0 ||
	    net_addr_pton(AF_INET, NETMASK_24, &mask) < 0) {
		return -EINVAL;
	}
	if (net_if_ipv4_addr_add(iface, &addr, NET_ADDR_MANUAL, 0) == NULL) {
		return -ENOMEM;
	}
	return net_if_ipv4_set_netmask_by_addr(iface, &addr, &mask) ? 0 : -EINVAL;
}

/* A raw IPv4/UDP packet of `size` bytes, as a dummy-L2 interface sends it. */
static struct net_pkt *build_frame(struct net_if *iface, size_t size)
{
	struct in_addr src;
	struct in_addr dst;
	struct net_pkt *pkt;

	for (size_t i = 0; i < size; i++) {
		staging[i] = (uint8_t)i;
	}
	if (size >= 28 && net_addr_pton(AF_INET, CARRIER_ADDR, &src) == 0 &&
	    net_addr_pton(AF_INET, FRAME_DST, &dst) == 0) {
		uint32_t sum = 0;

		staging[0] = 0x45;
		staging[1] = 0;
		sys_put_be16(size, &staging[2]);
		sys_put_be32(0, &staging[4]);
		staging[8] = 64;
		staging[9] = IPPROTO_UDP;
		sys_put_be16(0, &staging[10]);
		memcpy(&staging[12], &src, 4);
		memcpy(&staging[16], &dst, 4);
		for (int i = 0; i < 20; i += 2) {
			sum += sys_get_be16(&staging[i]);
		}
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		sys_put_be16(~sum & 0xffff, &staging[10]);
		sys_put_be16(5000, &staging[20]);
		sys_put_be16(5001, &staging[22]);
		sys_put_be16(size - 20, &staging[24]);
		sys_put_be16(0, &staging[26]);
	}

	pkt = net_pkt_alloc_with_buffer(iface, size, AF_UNSPEC, 0, K_NO_WAIT);
	if (pkt == NULL) {
		return NULL;
	}
	if (net_pkt_write(pkt, staging, size) < 0 || net_pkt_get_len(pkt) != size) {
		net_pkt_unref(pkt);
		return NULL;
	}
	net_pkt_cursor_init(pkt);
	return pkt;
}

#if defined(BENCH_STREAM)
static void on_record(const struct net_capture_rs_record *record, void *user_data)
{
	ARG_UNUSED(record);
	ARG_UNUSED(user_data);
}

/* Registers the callback and waits until the devices write into the ring. */
static int stream_start(void)
{
	struct net_capture_rs_sink_status st;
	int ret = net_capture_rs_sink_register(on_record, NULL);

	for (int i = 0; ret == 0 && i < 1000; i++) {
		if (net_capture_rs_sink_status(&st) == 0 && st.streaming) {
			return 0;
		}
		k_msleep(1);
	}
	return ret < 0 ? ret : -ETIMEDOUT;
}

/* Records the sink took since `before` (all of them, or the cell fails). */
static uint32_t stream_records(const struct net_capture_rs_sink_status *before)
{
	struct net_capture_rs_sink_status after;

	(void)net_capture_rs_sink_status(&after);
	if (after.lost_full + after.lost_too_big + after.lost_other !=
	    before->lost_full + before->lost_too_big + before->lost_other) {
		return 0;
	}
	return after.next_sequence - before->next_sequence;
}
#endif

#if defined(CONFIG_NET_CAPTURE_RS)
static void print_stats_delta(const struct device *dev, const struct net_capture_rs_stats *before)
{
	struct net_capture_rs_stats after;

	if (net_capture_rs_stats_get(dev, &after) < 0) {
		printk("bench: rs-stats unavailable\n");
		return;
	}
	printk("bench: rs-stats captured=%u fragmented=%u truncated=%u dropped_nomem=%u "
	       "dropped_send=%u dropped_other=%u skipped_feedback=%u filtered=%u\n",
	       after.captured - before->captured, after.fragmented - before->fragmented,
	       after.truncated - before->truncated, after.dropped_nomem - before->dropped_nomem,
	       after.dropped_send - before->dropped_send,
	       after.dropped_other - before->dropped_other,
	       after.skipped_feedback - before->skipped_feedback, after.filtered - before->filtered);
}
#endif

/* Sets (expr non-NULL) or clears the capture filter of the "filtered"
 * situation; -ENOTSUP in an image without CONFIG_NET_CAPTURE_RS_FILTER.
 */
static int set_filter(const struct device *dev, const char *expr)
{
#if defined(CONFIG_NET_CAPTURE_RS_FILTER)
	return net_capture_rs_filter_set(dev, expr);
#else
	ARG_UNUSED(dev);
	ARG_UNUSED(expr);
	return -ENOTSUP;
#endif
}

/* Pushes one frame `frames` times and reports; false if the counts show
 * the run did not do what the situation asks.
 */
static bool run_cell(const struct device *dev, enum situation sit, struct net_pkt *pkt,
		     size_t size, uint32_t frames)
{
	struct bench_if_counters here;
	struct bench_if_counters other;
	uint32_t stray;
	bool ok;

#if defined(CONFIG_NET_CAPTURE_RS)
	struct net_capture_rs_stats before;

	(void)net_capture_rs_stats_get(dev, &before);
#endif

#if defined(BENCH_STREAM)
	struct net_capture_rs_sink_status sink_before;

	(void)net_capture_rs_sink_status(&sink_before);
#endif

	bench_if_reset();
	bench_loop(bench_if_iface(BENCH_IF_THIS), pkt, frames);
	bench_if_counters(BENCH_IF_THIS, &here);
	bench_if_counters(BENCH_IF_OTHER, &other);

	stray = (here.frames - here.tunnel) + other.frames;
#if defined(BENCH_STREAM)
	if (sit == SIT_THIS) {
		/* Every frame became one record in the ring, none in the tunnel. */
		ok = stream_records(&sink_before) == frames && here.tunnel == 0;
		/* The drain thread empties the ring while main sleeps (outside
		 * net_capture_pkt(), so outside the measured cost).
		 */
		k_msleep(100);
	} else
#endif
	if (sit == SIT_THIS) {
		/* Every frame became exactly one datagram in the tunnel. */
		ok = here.datagrams == frames && here.tunnel >= frames;
	} else if (sit == SIT_FILTERED) {
		/* The filter rejected every frame: nothing in the tunnel. */
		ok = here.tunnel == 0 && other.tunnel == 0;
#if defined(CONFIG_NET_CAPTURE_RS)
		struct net_capture_rs_stats after;

		ok = ok && net_capture_rs_stats_get(dev, &after) == 0 &&
		     after.filtered - before.filtered == frames;
#endif
	} else {
		ok = here.tunnel == 0 && other.tunnel == 0;
	}

	printk("bench: cell impl=%s situation=%s size=%zu frames=%u tunnel=%u datagrams=%u "
	       "oversize=%u max_len=%u stray=%u result=%s\n",
	       BENCH_IMPL, situation_names[sit], size, frames, here.tunnel + other.tunnel,
	       here.datagrams + other.datagrams, here.oversize, here.max_len, stray,
	       ok ? "ok" : "FAIL");
	if (here.oversize > 0) {
		printk("bench: W29: %u tunnel packets longer than the carrier's %d-byte MTU "
		       "(longest %u)\n",
		       here.oversize, BENCH_IF_MTU, here.max_len);
	}
#if defined(CONFIG_NET_CAPTURE_RS)
	print_stats_delta(dev, &before);
#endif
	return ok;
}

static int bench(void)
{
	struct net_pkt *frames[MAX_SIZES];
	const struct device *dev = NULL;
	struct net_if *carrier = bench_if_iface(BENCH_IF_THIS);
	struct net_if *other = bench_if_iface(BENCH_IF_OTHER);
	struct options opt;
	struct in_addr remote;
	unsigned int cells = 0;
	unsigned int failed = 0;
	uint32_t tunnel_total = 0;
	int ret;

	ret = parse_options(&opt);
	if (ret < 0) {
		return ret;
	}
	if (carrier == NULL || other == NULL) {
		printk("bench: error: test interfaces missing\n");
		return -ENODEV;
	}

	ret = add_ipv4(carrier, CARRIER_ADDR);
	if (ret == 0) {
		ret = add_ipv4(other, OTHER_ADDR);
	}
	if (ret < 0) {
		printk("bench: error: cannot configure the test interfaces (%d)\n", ret);
		return ret;
	}

	ret = net_capture_setup(TUNNEL_REMOTE, CONFIG_BENCH_TUNNEL_LOCAL, CONFIG_BENCH_TUNNEL_PEER,
				&dev);
	if (ret < 0) {
		printk("bench: error: net_capture_setup() failed (%d)\n", ret);
		return ret;
	}
	(void)net_addr_pton(AF_INET, TUNNEL_REMOTE, &remote);
	bench_if_set_tunnel(&remote, CAPTURE_PORT);
#if defined(BENCH_STREAM)
	ret = stream_start();
	if (ret < 0) {
		printk("bench: error: the stream sink did not start (%d)\n", ret);
		return ret;
	}
#endif

	for (size_t i = 0; i < opt.size_count; i++) {
		frames[i] = build_frame(carrier, opt.sizes[i]);
		if (frames[i] == NULL) {
			printk("bench: error: cannot build a %zu-byte frame (TX pool too small)\n",
			       opt.sizes[i]);
			return -ENOMEM;
		}
	}

	printk("bench: start impl=%s frames=%u carrier_mtu=%u tunnel=%s->%s over %s\n", BENCH_IMPL,
	       opt.frames, net_if_get_mtu(carrier), CONFIG_BENCH_TUNNEL_LOCAL,
	       CONFIG_BENCH_TUNNEL_PEER, TUNNEL_REMOTE);

	for (int sit = 0; sit < SIT_COUNT; sit++) {
		struct net_if *target = (sit == SIT_THIS || sit == SIT_FILTERED) ? carrier : other;

		if (!opt.situations[sit]) {
			continue;
		}
		if (sit == SIT_FILTERED) {
			ret = set_filter(dev, REJECTING_FILTER);
			if (ret < 0) {
				printk("bench: error: cannot set the filter \"%s\" (%d%s)\n",
				       REJECTING_FILTER, ret,
				       ret == -ENOTSUP ? ", needs CONFIG_NET_CAPTURE_RS_FILTER=y" : "");
				return ret;
			}
		}
		if (sit != SIT_OFF) {
			ret = net_capture_enable(dev, target);
			if (ret < 0) {
				printk("bench: error: net_capture_enable() failed (%d)\n", ret);
				return ret;
			}
		}
		for (size_t i = 0; i < opt.size_count; i++) {
			struct bench_if_counters c;

			if (!run_cell(dev, sit, frames[i], opt.sizes[i], opt.frames)) {
				failed++;
			}
			bench_if_counters(BENCH_IF_THIS, &c);
			tunnel_total += c.tunnel;
			cells++;
		}
		if (sit != SIT_OFF) {
			(void)net_capture_disable(dev);
		}
		if (sit == SIT_FILTERED) {
			(void)set_filter(dev, NULL);
		}
	}

	printk("bench: summary impl=%s cells=%u frames=%u tunnel=%u result=%s\n", BENCH_IMPL,
	       cells, opt.frames, tunnel_total, failed == 0 ? "PASS" : "FAIL");
	return failed == 0 ? 0 : -EIO;
}

int main(void)
{
	int ret = bench();

	if (ret < 0 && ret != -EIO) {
		printk("bench: summary impl=%s result=ERROR (%d)\n", BENCH_IMPL, ret);
	}
#if defined(CONFIG_BOARD_NATIVE_SIM)
	posix_exit(ret == 0 ? 0 : 1);
#endif
	return 0;
}
