/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the tdi selftests: time, the module, rtnetlink (the
 * veth pair joining two namespaces), namespaces, files and sysctls,
 * AF_TDI addresses and sockets, test data, frame bytes.
 *
 * Header only, like kselftest_harness.h: every helper is static inline,
 * so a test that does not use one does not warn about it.  Include it
 * after kselftest_harness.h; the test defines _GNU_SOURCE before any
 * include (setns(), unshare()).
 */

#ifndef TDI_UTIL_H
#define TDI_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/tdi.h>
#include <linux/types.h>
#include <linux/veth.h>

#define TDI_MOD		"tdi"

/* ---- time ---- */

/* CLOCK_MONOTONIC in seconds. */
static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the module ---- */

/* tdi's reference count, or -1 when it is not loaded. */
static inline int ko_refcnt(void)
{
	char name[64], *line = NULL;
	int refcnt, ret = -1;
	size_t size = 0;
	FILE *f;

	f = fopen("/proc/modules", "r");
	if (!f)
		return -1;
	while (getline(&line, &size, f) > 0) {
		if (sscanf(line, "%63s %*u %d", name, &refcnt) == 2 &&
		    !strcmp(name, TDI_MOD)) {
			ret = refcnt;
			break;
		}
	}
	free(line);
	fclose(f);
	return ret;
}

/* delete_module(tdi, O_NONBLOCK): 0, or -1 with errno. */
static inline int ko_unload(void)
{
	return syscall(SYS_delete_module, TDI_MOD, O_NONBLOCK);
}

/* finit_module() of the .ko at @path: 0, or -1 with errno. */
static inline int ko_load(const char *path)
{
	int fd, ret, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

/* ---- the kernel log ---- */

/* /dev/kmsg, read from its end: what the kernel logs from now on. */
static inline int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Read what @fd has: 1 with the first record that reports a kernel bug
 * (KASAN, BUG, WARNING, an oops) in @buf, 0 when there is none.
 */
static inline int kmsg_bug(int fd, char *buf, size_t size)
{
	static const char *const bad[] = {
		"KASAN", "BUG:", "WARNING:", "general protection", "Oops",
	};
	char rec[1024];
	unsigned int i;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten: go on */
		if (n <= 0)
			return 0;
		rec[n] = 0;
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			const char *text = strchr(rec, ';');
			size_t len;

			if (!strstr(rec, bad[i]) || !size)
				continue;
			text = text ? text + 1 : rec;
			len = strcspn(text, "\n");
			len = len < size - 1 ? len : size - 1;
			memcpy(buf, text, len);
			buf[len] = 0;
			return 1;
		}
	}
}

/* ---- rtnetlink ---- */

struct nl_req {
	struct nlmsghdr nh;
	char buf[1024];
};

/* Append @len bytes of @data (a family header) to @req. */
static inline void nl_put(struct nl_req *req, const void *data, int len)
{
	char *p = (char *)&req->nh + NLMSG_ALIGN(req->nh.nlmsg_len);

	memcpy(p, data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + NLMSG_ALIGN(len);
}

/* Append attribute @type to @req; with @len 0, a nest to end later. */
static inline struct rtattr *nl_attr(struct nl_req *req, int type,
				     const void *data, int len)
{
	struct rtattr *rta;

	rta = (struct rtattr *)((char *)&req->nh + NLMSG_ALIGN(req->nh.nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) +
			    RTA_ALIGN(rta->rta_len);
	return rta;
}

/* Close nest @nest: it holds everything appended since. */
static inline void nl_nest_end(struct nl_req *req, struct rtattr *nest)
{
	nest->rta_len = (char *)&req->nh + req->nh.nlmsg_len - (char *)nest;
}

/* An rtnetlink socket in the caller's current namespace. */
static inline int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send @req and wait for its acknowledgment: 0 or a negative errno. */
static inline int nl_talk(int fd, struct nl_req *req)
{
	static unsigned int seq;
	char buf[8192];
	struct nlmsghdr *r;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	req->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nh.nlmsg_seq = ++seq;
	if (send(fd, req, req->nh.nlmsg_len, 0) != (ssize_t)req->nh.nlmsg_len)
		return -errno;
	for (;;) {
		/* the kernel answers at once; 10 s is a wedge, not a wait */
		if (poll(&p, 1, 10000) != 1)
			return -ETIMEDOUT;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (r = (struct nlmsghdr *)buf; NLMSG_OK(r, n);
		     r = NLMSG_NEXT(r, n)) {
			if (r->nlmsg_seq != seq || r->nlmsg_type != NLMSG_ERROR)
				continue;
			return ((struct nlmsgerr *)NLMSG_DATA(r))->error;
		}
	}
}

/*
 * Request @type (RTM_NEWLINK, RTM_DELLINK) for link @name of the namespace
 * @nl lives in, setting link flags @flags (and no others).
 */
static inline int nl_link(int nl, int type, unsigned int flags,
			  const char *name)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_flags = flags,
		.ifi_change = flags,
	};
	struct nl_req req;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(0);
	req.nh.nlmsg_type = type;
	nl_put(&req, &ifi, sizeof(ifi));
	nl_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
	return nl_talk(nl, &req);
}

/* Set link @name of the namespace @nl lives in up. */
static inline int nl_link_up(int nl, const char *name)
{
	return nl_link(nl, RTM_NEWLINK, IFF_UP, name);
}

/* Delete link @name of the namespace @nl lives in. */
static inline int nl_link_del(int nl, const char *name)
{
	return nl_link(nl, RTM_DELLINK, 0, name);
}

/*
 * Make the veth pair "va" in @nsa and "vb" in @nsb, with node addresses
 * @node_a and @node_b, both up, from @nl (or, when @nl is negative, from
 * a socket of its own in the current namespace) while in @home.  The peer
 * cannot be opened while the pair is being made (veth_open() finds no
 * peer yet): only "va" comes up with the request that makes the pair,
 * "vb" is set up from a netlink socket in @nsb.  0 or a negative errno.
 */
static inline int veth_add(int nl, int home, int nsa,
			   const unsigned char *node_a, int nsb,
			   const unsigned char *node_b)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_flags = IFF_UP,
		.ifi_change = IFF_UP,
	};
	struct ifinfomsg pifi = { .ifi_family = AF_UNSPEC };
	struct rtattr *info, *data, *peer;
	int own = -1, nlb, err;
	struct nl_req req;

	if (nl < 0) {
		own = nl_open();
		if (own < 0)
			return -errno;
		nl = own;
	}
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(0);
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	nl_put(&req, &ifi, sizeof(ifi));
	nl_attr(&req, IFLA_IFNAME, "va", 3);
	nl_attr(&req, IFLA_ADDRESS, node_a, 6);
	nl_attr(&req, IFLA_NET_NS_FD, &nsa, sizeof(nsa));
	info = nl_attr(&req, IFLA_LINKINFO, NULL, 0);
	nl_attr(&req, IFLA_INFO_KIND, "veth", 5);
	data = nl_attr(&req, IFLA_INFO_DATA, NULL, 0);
	peer = nl_attr(&req, VETH_INFO_PEER, NULL, 0);
	nl_put(&req, &pifi, sizeof(pifi));
	nl_attr(&req, IFLA_IFNAME, "vb", 3);
	nl_attr(&req, IFLA_ADDRESS, node_b, 6);
	nl_attr(&req, IFLA_NET_NS_FD, &nsb, sizeof(nsb));
	nl_nest_end(&req, peer);
	nl_nest_end(&req, data);
	nl_nest_end(&req, info);
	err = nl_talk(nl, &req);
	if (own >= 0)
		close(own);
	if (err)
		return err;
	if (setns(nsb, CLONE_NEWNET))
		return -errno;
	nlb = nl_open();
	err = nlb < 0 ? -errno : 0;
	if (setns(home, CLONE_NEWNET) && !err)
		err = -errno;
	if (!err)
		err = nl_link_up(nlb, "vb");
	if (nlb >= 0)
		close(nlb);
	return err;
}

/* ---- namespaces, files, sysctls ---- */

/*
 * A new network namespace, held by the returned fd; we stay in @home.
 * For a single-threaded caller: it opens /proc/self/ns/net.
 */
static inline int ns_new(int home)
{
	int fd;

	if (unshare(CLONE_NEWNET))
		return -1;
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (setns(home, CLONE_NEWNET)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Read file @path into @buf (at most @size - 1 bytes, 0-terminated). */
static inline int file_get(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* Write @val to file @path in one write(): 0 or -1. */
static inline int file_put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

/* Set /proc/sys/net/tdi/@name of the current namespace to @val: 0 or -1. */
static inline int sysctl_set(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/tdi/%s", name);
	return file_put(path, val);
}

/*
 * Endpoints in /proc/net/tdi (its header line excluded) of namespace @ns,
 * which the calling thread moves to; -1: cannot tell.
 */
static inline int endpoints_in(int ns)
{
	char line[512];
	int n = -1;
	FILE *f;

	if (setns(ns, CLONE_NEWNET))
		return -1;
	f = fopen("/proc/thread-self/net/tdi", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

/* ---- AF_TDI addresses and sockets ---- */

/* @sa: AF_TDI, @port and, if not NULL, node address @node. */
static inline void sa_of(struct sockaddr_tdi *sa, const unsigned char *node,
			 int port)
{
	memset(sa, 0, sizeof(*sa));
	sa->stdi_family = AF_TDI;
	sa->stdi_port = htons(port);
	if (node)
		memcpy(sa->stdi_node, node, 6);
}

/* connect() @fd to port @port of node @node. */
static inline int connect_to(int fd, const unsigned char *node, int port)
{
	struct sockaddr_tdi sa;

	sa_of(&sa, node, port);
	return connect(fd, (struct sockaddr *)&sa, sizeof(sa));
}

/* Time-out @opt (SO_RCVTIMEO, SO_SNDTIMEO) of @fd: @ms milliseconds. */
static inline void set_timeo(int fd, int opt, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

/* 5 s send and receive time-outs on @fd. */
static inline void timeouts(int fd)
{
	struct timeval tv = { .tv_sec = 5 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* An int socket option of @fd, or -1 when getsockopt() fails. */
static inline int sockopt_int(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int v = -1;

	if (getsockopt(fd, level, name, &v, &len))
		return -1;
	return v;
}

/* TDI_DISCONNECT_REASON of @fd, or -1. */
static inline int reason_of(int fd)
{
	return sockopt_int(fd, SOL_TDI, TDI_DISCONNECT_REASON);
}

/* SO_ERROR of @fd (clearing it), or -1. */
static inline int so_error(int fd)
{
	return sockopt_int(fd, SOL_SOCKET, SO_ERROR);
}

/* poll() @fd for @events up to @ms: its revents, 0 on a time-out. */
static inline int wait_poll(int fd, short events, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	if (poll(&pfd, 1, ms) != 1)
		return 0;
	return pfd.revents;
}

/* ---- test data ---- */

/* @len bytes of a pattern that depends on @seed. */
static inline void pattern(unsigned char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed + i * 7 + (i >> 8));
}

/*
 * recv() into @buf until @len bytes or end of stream; returns the bytes
 * got, or -1 on an error (with @partial, -1 only when none were got).
 */
static inline ssize_t recv_loop(int fd, void *buf, size_t len, int flags,
				bool partial)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, (char *)buf + got, len - got, flags);
		struct pollfd p = { .fd = fd, .events = POLLIN };

		/* a non-blocking socket waits here, up to 10 s a piece */
		if (n < 0 && errno == EAGAIN && !(flags & MSG_DONTWAIT) &&
		    poll(&p, 1, 10000) > 0)
			continue;
		if (n < 0)
			return partial && got ? (ssize_t)got : -1;
		if (!n)
			break;
		got += n;
	}
	return got;
}

/* recv() @len bytes (fewer at end of stream), or -1 on an error (a
 * non-blocking socket, without MSG_DONTWAIT, waits for each piece).
 */
static inline ssize_t recv_all(int fd, void *buf, size_t len, int flags)
{
	return recv_loop(fd, buf, len, flags, false);
}

/*
 * Send @len (at most 4096) bytes of pattern @seed from @from in one send()
 * and read them back whole on @to: 0 when they arrived intact, else -1.
 */
static inline int exchange(int from, int to, size_t len, unsigned int seed)
{
	unsigned char out[4096], in[4096];

	if (len > sizeof(out))
		return -1;
	pattern(out, len, seed);
	if (send(from, out, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	if (recv_all(to, in, len, 0) != (ssize_t)len)
		return -1;
	return memcmp(in, out, len) ? -1 : 0;
}

/* FNV-1a of @len bytes, from hash @h. */
static inline __u64 fnv(__u64 h, const unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ buf[i]) * 0x100000001b3ULL;
	return h;
}

/* ---- frame bytes (network order) ---- */

static inline void put16(unsigned char *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void put32(unsigned char *p, __u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline __u16 get16(const unsigned char *p)
{
	return p[0] << 8 | p[1];
}

static inline __u32 get32(const unsigned char *p)
{
	return (__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/*
 * Internet checksum (RFC 1071) of @len bytes, an odd length padded with a
 * zero byte, as Documentation/tdi-protocol.rst 6.2.
 */
static inline __u16 csum16(const unsigned char *p, size_t len)
{
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* ---- two namespaces joined by a veth pair (tdi_conn, tdi_offer) ---- */

/* system() of a formatted command line. */
static inline int run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* An AF_TDI socket in namespace @ns; the process stays in @ns. */
static inline int sock_in(int ns, int type)
{
	if (setns(ns, CLONE_NEWNET))
		return -1;
	return socket(AF_TDI, type, 0);
}

/* A listener on @port of namespace @ns, or -1. */
static inline int listen_on(int ns, int type, int port, int backlog)
{
	struct sockaddr_tdi sa;
	int fd = sock_in(ns, type);

	if (fd < 0)
		return -1;
	sa_of(&sa, NULL, port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, backlog)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* TDI_INFO of @fd (all 0xff when the call fails). */
static inline struct tdi_info info_of(int fd)
{
	struct tdi_info info;
	socklen_t len = sizeof(info);

	memset(&info, 0xff, sizeof(info));
	getsockopt(fd, SOL_TDI, TDI_INFO, &info, &len);
	return info;
}

/* net.tdi.@name of namespace @ns to @val; the process stays in @ns. */
static inline int sysctl_in(int ns, const char *name, const char *val)
{
	if (setns(ns, CLONE_NEWNET))
		return -1;
	return sysctl_set(name, val);
}

/* A counter of namespace @ns's /proc/net/tdi_stat, or -1. */
static inline long long stat_of(int ns, const char *name)
{
	char line[128], key[64];
	long long v, ret = -1;
	FILE *f;

	if (setns(ns, CLONE_NEWNET))
		return -1;
	f = fopen("/proc/self/net/tdi_stat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", key, &v) == 2 &&
		    !strcmp(key, name)) {
			ret = v;
			break;
		}
	fclose(f);
	return ret;
}

/*
 * TDI_CASES="word[,word...]" runs only the cases whose names contain one
 * of the words (a developer's run; make check leaves it unset): called
 * first in a fixture's setup, it ends every other case as skipped.
 */
static inline void tdi_case_filter(const char *name)
{
	const char *env = getenv("TDI_CASES");
	char buf[256], *w, *save;

	if (!env || !*env)
		return;
	snprintf(buf, sizeof(buf), "%s", env);
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save))
		if (strstr(name, w))
			return;
	_exit(255);	/* the 6.1 harness reports exit status 255 as SKIP */
}

/* Wait up to 10 s (in 10 ms steps) for @cond to hold. */
#define WAIT_FOR(cond) ({						\
	int __i, __ok = 0;						\
	for (__i = 0; __i < 1000; __i++) {				\
		if (cond) {						\
			__ok = 1;					\
			break;						\
		}							\
		usleep(10000);						\
	}								\
	__ok;								\
})

/* An fd of the named network namespace @name (ip netns), or -1. */
static inline int netns_fd(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return open(path, O_RDONLY);
}

#endif /* TDI_UTIL_H */
