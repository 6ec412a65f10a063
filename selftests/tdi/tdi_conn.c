// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TDI connections seen from socket(): two network namespaces joined by
 * a veth pair, once per endpoint type.  Namespace "a" (node
 * 02:00:00:00:00:0a) connects; namespace "b" (02:00:00:00:00:0b) listens
 * on a port of the test's own.
 *
 * TDI_TRANSFER_MB sets the size of the hash-checked transfer (default 64).
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <unistd.h>

#include <linux/sockios.h>
#include <linux/tdi.h>

#include "kselftest_harness.h"
#include "tdi_util.h"

/*
 * The listener's port: one per test (tests share the namespaces, and a
 * closed endpoint of the last test may still hold its port while its
 * release completes in the background).
 */
static int test_port;
#define PORT	test_port
/* expedited TSDUs a sender may have in flight (TDI_XWND in net/tdi/tdi.h) */
#define TDI_XWND_TEST	8

/* The namespaces are made by the first test and removed at exit. */
static pid_t main_pid;

static void __attribute__((constructor)) conn_init(void)
{
	main_pid = getpid();
}

static const unsigned char mac_a[6] = { 2, 0, 0, 0, 0, 0x0a };
static const unsigned char mac_b[6] = { 2, 0, 0, 0, 0, 0x0b };

/*
 * Fixture costs: a process (ip, tc) takes seconds in a debug guest, so the
 * per-test set-up resets the links with ioctls, and deletes qdiscs only
 * when a test added one (qdisc_add() leaves a marker file).
 */
static char qdisc_marker[64];

static int qdisc_add(const char *ns, const char *dev, const char *spec)
{
	int fd = open(qdisc_marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	close(fd);
	return run("tc -n %s qdisc add dev %s root netem %s", ns, dev, spec);
}

/* In namespace @ns: @dev's MTU to @mtu, and up. */
static int link_mtu_up(int ns, const char *dev, int mtu)
{
	struct ifreq ifr;
	int fd, ret = -1;

	if (setns(ns, CLONE_NEWNET))
		return -1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_mtu = mtu;
	if (!ioctl(fd, SIOCSIFMTU, &ifr) && !ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return ret;
}

/* The tunables a test may change, back to their defaults. */
static int sysctl_defaults(int ns)
{
	static const char *const defs[][2] = {
		{ "retries", "10" },
		{ "rto_initial_ms", "200" },
		{ "disconnect_timeout_ms", "20000" },
		{ "max_orphans", "4096" },
		{ "keepalive_time_ms", "7200000" },
		{ "keepalive_intvl_ms", "75000" },
		{ "keepalive_probes", "9" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(defs); i++)
		if (sysctl_in(ns, defs[i][0], defs[i][1]))
			return -1;
	return 0;
}

/* Deterministic data and a hash to check it by. */
static void fill(unsigned char *buf, size_t len, __u64 *state)
{
	size_t i;

	for (i = 0; i < len; i++) {
		*state ^= *state << 13;
		*state ^= *state >> 7;
		*state ^= *state << 17;
		buf[i] = *state >> 24;
	}
}

static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

FIXTURE(conn) {
	int nsa, nsb;
	char na[32], nb[32];
	int lfd;
};

FIXTURE_VARIANT(conn) {
	int type;
	int other;
};

FIXTURE_VARIANT_ADD(conn, stream) {
	.type = SOCK_STREAM,
	.other = SOCK_SEQPACKET,
};

FIXTURE_VARIANT_ADD(conn, seqpacket) {
	.type = SOCK_SEQPACKET,
	.other = SOCK_STREAM,
};

static void __attribute__((destructor)) conn_exit(void)
{
	char cmd[128];

	if (getpid() != main_pid)
		return;
	snprintf(cmd, sizeof(cmd),
		 "ip netns del tdia%d 2>/dev/null; ip netns del tdib%d 2>/dev/null",
		 main_pid, main_pid);
	if (system(cmd))
		return;
}

/*
 * Namespaces a and b and their veth pair are made once and shared by every
 * test (making and destroying namespaces costs seconds on a debug kernel);
 * each test starts from links up, no qdisc and the default sysctls.
 */
FIXTURE_SETUP(conn)
{
	tdi_case_filter(_metadata->name);
	snprintf(self->na, sizeof(self->na), "tdia%d", main_pid);
	snprintf(self->nb, sizeof(self->nb), "tdib%d", main_pid);
	self->nsa = netns_fd(self->na);
	self->nsb = netns_fd(self->nb);
	if (self->nsa < 0 || self->nsb < 0) {
		ASSERT_EQ(0, run("ip netns add %s && ip netns add %s", self->na,
				 self->nb));
		ASSERT_EQ(0, run("ip link add va netns %s type veth peer name vb netns %s",
				 self->na, self->nb));
		ASSERT_EQ(0, run("ip -n %s link set va address 02:00:00:00:00:0a",
				 self->na));
		ASSERT_EQ(0, run("ip -n %s link set vb address 02:00:00:00:00:0b",
				 self->nb));
		self->nsa = netns_fd(self->na);
		self->nsb = netns_fd(self->nb);
	}
	ASSERT_LE(0, self->nsa);
	ASSERT_LE(0, self->nsb);
	snprintf(qdisc_marker, sizeof(qdisc_marker), "/tmp/tdi_conn_qdisc.%d",
		 main_pid);
	if (!access(qdisc_marker, F_OK)) {
		run("tc -n %s qdisc del dev va root 2>/dev/null", self->na);
		run("tc -n %s qdisc del dev vb root 2>/dev/null", self->nb);
		unlink(qdisc_marker);
	}
	ASSERT_EQ(0, link_mtu_up(self->nsa, "va", 1500));
	ASSERT_EQ(0, link_mtu_up(self->nsb, "vb", 1500));
	ASSERT_EQ(0, sysctl_in(self->nsa, "connect_timeout_ms", "5000"));
	ASSERT_EQ(0, sysctl_defaults(self->nsa));
	ASSERT_EQ(0, sysctl_defaults(self->nsb));
	test_port = 10000 + getpid() % 30000;
	self->lfd = listen_on(self->nsb, variant->type, PORT, 128);
	ASSERT_LE(0, self->lfd);
}

FIXTURE_TEARDOWN(conn)
{
	close(self->lfd);
	close(self->nsa);
	close(self->nsb);
}

/* A connected pair: *c in namespace a, *s accepted in b. */
static void pair(struct __test_metadata *_metadata, struct _test_data_conn *self,
		 int type, int *c, int *s)
{
	*c = sock_in(self->nsa, type);
	ASSERT_LE(0, *c);
	ASSERT_EQ(0, connect_to(*c, mac_b, PORT)) {
		TH_LOG("connect: %s, reason %d", strerror(errno),
		       reason_of(*c));
	}
	*s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, *s);
}

TEST_F(conn, connect_accept)
{
	struct sockaddr_tdi sa, peer;
	socklen_t len;
	int c, s;

	pair(_metadata, self, variant->type, &c, &s);
	len = sizeof(peer);
	ASSERT_EQ(0, getpeername(c, (struct sockaddr *)&peer, &len));
	EXPECT_EQ(0, memcmp(peer.stdi_node, mac_b, 6));
	EXPECT_EQ(PORT, ntohs(peer.stdi_port));
	EXPECT_NE(0, peer.stdi_ifindex);
	len = sizeof(sa);
	ASSERT_EQ(0, getsockname(c, (struct sockaddr *)&sa, &len));
	len = sizeof(peer);
	ASSERT_EQ(0, getpeername(s, (struct sockaddr *)&peer, &len));
	EXPECT_EQ(0, memcmp(peer.stdi_node, mac_a, 6));
	EXPECT_EQ(sa.stdi_port, peer.stdi_port);
	/* the accepted endpoint shares the listener's address object */
	len = sizeof(sa);
	ASSERT_EQ(0, getsockname(s, (struct sockaddr *)&sa, &len));
	EXPECT_EQ(PORT, ntohs(sa.stdi_port));
	EXPECT_EQ(TDI_STATE_CONNECTED, info_of(c).state);
	EXPECT_EQ(TDI_STATE_CONNECTED, info_of(s).state);
	EXPECT_EQ(1500 - 44, info_of(c).frame_payload);
	/* connecting again on a connected endpoint */
	EXPECT_EQ(-1, connect_to(c, mac_b, PORT));
	EXPECT_EQ(EISCONN, errno);
	close(c);
	close(s);
}

TEST_F(conn, refused_no_listener)
{
	int c = sock_in(self->nsa, variant->type), s;

	ASSERT_LE(0, c);
	EXPECT_EQ(-1, connect_to(c, mac_b, PORT + 1));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(TDI_REASON_NO_LISTENER, reason_of(c));
	EXPECT_EQ(TDI_STATE_BOUND, info_of(c).state);
	/* the endpoint stays usable */
	ASSERT_EQ(0, connect_to(c, mac_b, PORT));
	s = accept(self->lfd, NULL, NULL);
	EXPECT_LE(0, s);
	close(s);
	close(c);
}

/* A stream endpoint does not connect to a message-mode listener. */
TEST_F(conn, refused_other_type)
{
	int c = sock_in(self->nsa, variant->other);

	ASSERT_LE(0, c);
	EXPECT_EQ(-1, connect_to(c, mac_b, PORT));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(TDI_REASON_NO_LISTENER, reason_of(c));
	close(c);
}

TEST_F(conn, refused_backlog_full)
{
	int l = listen_on(self->nsb, variant->type, PORT + 2, 0);
	int c1 = sock_in(self->nsa, variant->type);
	int c2 = sock_in(self->nsa, variant->type);

	ASSERT_LE(0, l);
	ASSERT_EQ(0, connect_to(c1, mac_b, PORT + 2));
	EXPECT_EQ(-1, connect_to(c2, mac_b, PORT + 2));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(TDI_REASON_INSUFFICIENT_RESOURCES, reason_of(c2));
	close(c1);
	close(c2);
	close(l);
}

TEST_F(conn, connect_timeout)
{
	static const unsigned char nobody[6] = { 2, 0, 0, 0, 0, 0x99 };
	struct timeval tv = { .tv_sec = 1 };
	int c = sock_in(self->nsa, variant->type);

	ASSERT_LE(0, c);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	EXPECT_EQ(-1, connect_to(c, nobody, PORT));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(TDI_REASON_TIMEOUT, reason_of(c));
	close(c);

	/* without SO_SNDTIMEO the sysctl applies */
	ASSERT_EQ(0, sysctl_in(self->nsa, "connect_timeout_ms", "300"));
	c = sock_in(self->nsa, variant->type);
	EXPECT_EQ(-1, connect_to(c, nobody, PORT));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(TDI_REASON_TIMEOUT, reason_of(c));
	close(c);
}

/*
 * A connect deadline shorter than the retransmission time-out ends the
 * wait on time.  (Before: it was only looked at when the timer fired, so
 * a 100 ms SO_SNDTIMEO waited the whole 2 s initial RTO.)
 */
TEST_F(conn, connect_short_deadline)
{
	static const unsigned char nobody[6] = { 2, 0, 0, 0, 0, 0x99 };
	struct timeval tv = { .tv_usec = 100000 };
	int c = sock_in(self->nsa, variant->type);
	double t0;

	ASSERT_LE(0, c);
	ASSERT_EQ(0, sysctl_in(self->nsa, "rto_initial_ms", "2000"));
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	t0 = now_s();
	EXPECT_EQ(-1, connect_to(c, nobody, PORT));
	EXPECT_EQ(ETIMEDOUT, errno);
	/* the deadline, not the 2 s RTO */
	EXPECT_GT(1.5, now_s() - t0) {
		TH_LOG("connect took %.2f s", now_s() - t0);
	}
	close(c);
}

TEST_F(conn, connect_nonblocking)
{
	struct pollfd pfd = { .events = POLLOUT };
	socklen_t len = sizeof(int);
	int c, s, err = -1;

	c = sock_in(self->nsa, variant->type);
	ASSERT_EQ(0, fcntl(c, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, connect_to(c, mac_b, PORT));
	EXPECT_EQ(EINPROGRESS, errno);
	pfd.fd = c;
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_TRUE(pfd.revents & POLLOUT);
	ASSERT_EQ(0, getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(0, err);
	s = accept(self->lfd, NULL, NULL);
	EXPECT_LE(0, s);
	close(s);

	/* a refused non-blocking connect shows in poll and SO_ERROR */
	close(c);
	c = sock_in(self->nsa, variant->type);
	ASSERT_EQ(0, fcntl(c, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, connect_to(c, mac_b, PORT + 1));
	EXPECT_EQ(EINPROGRESS, errno);
	pfd.fd = c;
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_TRUE(pfd.revents & POLLERR);
	ASSERT_EQ(0, getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ECONNREFUSED, err);
	close(c);
}

/* A child sends @total bytes on @fd and exits with 0 on success. */
static pid_t sender(int fd, size_t total, __u64 seed, int close_at_end)
{
	pid_t pid = fork();

	if (!pid) {
		unsigned char buf[65536];
		__u64 st = seed;
		size_t n;

		while (total) {
			n = total < sizeof(buf) ? total : sizeof(buf);
			fill(buf, n, &st);
			if (send_all(fd, buf, n))
				_exit(errno);
			total -= n;
		}
		if (close_at_end)
			close(fd);
		else
			shutdown(fd, SHUT_WR);
		_exit(0);
	}
	return pid;
}

static __u64 expect_hash(size_t total, __u64 seed)
{
	unsigned char buf[65536];
	__u64 st = seed, h = 0xcbf29ce484222325ULL;
	size_t n;

	while (total) {
		n = total < sizeof(buf) ? total : sizeof(buf);
		fill(buf, n, &st);
		h = fnv(h, buf, n);
		total -= n;
	}
	return h;
}

/* Read to EOF, hashing; returns bytes read or -1. */
static ssize_t drain(int fd, __u64 *h)
{
	static unsigned char buf[1 << 20];
	ssize_t n, total = 0;

	*h = 0xcbf29ce484222325ULL;
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		*h = fnv(*h, buf, n);
		total += n;
	}
	return n < 0 ? -1 : total;
}

TEST_F_TIMEOUT(conn, transfer_hash, 1800)
{
	const char *env = getenv("TDI_TRANSFER_MB");
	size_t total = (env ? atoi(env) : 64) << 20;
	int c, s, status;
	__u64 h;
	pid_t pid;

	pair(_metadata, self, variant->type, &c, &s);
	pid = sender(c, total, 42, 0);
	EXPECT_EQ(total, drain(s, &h));
	EXPECT_EQ(expect_hash(total, 42), h);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(total, info_of(s).bytes_received);
	EXPECT_EQ(total, info_of(c).bytes_sent);
	close(c);
	close(s);
}

/* Message mode keeps every TSDU's bounds, from 1 byte to many frames. */
TEST_F_TIMEOUT(conn, message_boundaries, 300)
{
	static const size_t sizes[] = {
		1, 2, 100, 1455, 1456, 1457, 3 * 1456 + 7, 65536, 200000,
	};
	static unsigned char in[200000], out[200001];
	struct iovec iov = { .iov_base = out };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	unsigned int i;
	int c, s, status;
	__u64 st = 7;
	pid_t pid;

	if (variant->type != SOCK_SEQPACKET)
		SKIP(return, "stream endpoints keep no boundaries");
	pair(_metadata, self, variant->type, &c, &s);
	fill(in, sizeof(in), &st);
	pid = fork();
	if (!pid) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++)
			if (send(c, in, sizes[i], 0) != (ssize_t)sizes[i])
				_exit(1);
		/* an empty TSDU, then one of 100 bytes read in pieces */
		if (send(c, in, 0, 0) || send(c, in, 100, 0) != 100 ||
		    send(c, in, 100, 0) != 100)
			_exit(2);
		_exit(0);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		iov.iov_len = sizeof(out);
		msg.msg_flags = 0;
		EXPECT_EQ(sizes[i], recvmsg(s, &msg, 0)) {
			TH_LOG("TSDU %u of %zu bytes", i, sizes[i]);
		}
		EXPECT_TRUE(msg.msg_flags & MSG_EOR);
		EXPECT_EQ(0, memcmp(in, out, sizes[i]));
	}
	iov.iov_len = sizeof(out);
	msg.msg_flags = 0;
	EXPECT_EQ(0, recvmsg(s, &msg, 0));
	EXPECT_TRUE(msg.msg_flags & MSG_EOR);
	/* partial receive: the rest stays for the next call */
	iov.iov_len = 30;
	msg.msg_flags = 0;
	EXPECT_EQ(30, recvmsg(s, &msg, 0));
	EXPECT_FALSE(msg.msg_flags & MSG_EOR);
	iov.iov_len = sizeof(out);
	msg.msg_flags = 0;
	EXPECT_EQ(70, recvmsg(s, &msg, 0));
	EXPECT_TRUE(msg.msg_flags & MSG_EOR);
	EXPECT_EQ(0, memcmp(in + 30, out, 70));
	/* MSG_TRUNC: the rest is dropped and the real length returned */
	iov.iov_len = 10;
	msg.msg_flags = 0;
	EXPECT_EQ(100, recvmsg(s, &msg, MSG_TRUNC));
	EXPECT_TRUE(msg.msg_flags & MSG_EOR);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, info_of(s).unread);
	close(c);
	close(s);
}

/* MSG_MORE continues a TSDU in the next send (TDI_SEND_PARTIAL). */
TEST_F(conn, message_more)
{
	char buf[64];
	int c, s;

	if (variant->type != SOCK_SEQPACKET)
		SKIP(return, "stream endpoints keep no boundaries");
	pair(_metadata, self, variant->type, &c, &s);
	ASSERT_EQ(5, send(c, "hello", 5, MSG_MORE));
	ASSERT_EQ(6, send(c, " world", 6, 0));
	ASSERT_EQ(3, send(c, "end", 3, 0));
	EXPECT_EQ(11, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "hello world", 11));
	EXPECT_EQ(3, recv(s, buf, sizeof(buf), 0));
	close(c);
	close(s);
}

TEST_F_TIMEOUT(conn, many_connections, 300)
{
	int c[100], s[100], seen[100] = {}, i, idx;

	for (i = 0; i < 100; i++) {
		c[i] = sock_in(self->nsa, variant->type);
		ASSERT_LE(0, c[i]);
		ASSERT_EQ(0, connect_to(c[i], mac_b, PORT)) {
			TH_LOG("connection %d: %s", i, strerror(errno));
		}
	}
	for (i = 0; i < 100; i++) {
		s[i] = accept(self->lfd, NULL, NULL);
		ASSERT_LE(0, s[i]);
	}
	for (i = 0; i < 100; i++)
		ASSERT_EQ(sizeof(i), send(c[i], &i, sizeof(i), 0));
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(sizeof(idx), recv_all(s[i], &idx, sizeof(idx), 0));
		ASSERT_LE(0, idx);
		ASSERT_GT(100, idx);
		EXPECT_EQ(0, seen[idx]);
		seen[idx] = 1;
	}
	for (i = 0; i < 100; i++) {
		close(c[i]);
		close(s[i]);
	}
}

TEST_F(conn, poll_events)
{
	struct pollfd pfd = { .events = POLLIN | POLLOUT | POLLRDHUP | POLLPRI };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	char buf[16];
	int c, s;

	pair(_metadata, self, variant->type, &c, &s);
	pfd.fd = s;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);

	ASSERT_EQ(4, send(c, "data", 4, 0));
	ASSERT_TRUE(WAIT_FOR(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN)));
	EXPECT_EQ(POLLIN | POLLOUT, pfd.revents);
	EXPECT_EQ(4, recv(s, buf, sizeof(buf), 0));

	/* the peer releases: POLLRDHUP, and EOF after the data */
	ASSERT_EQ(0, shutdown(c, SHUT_WR));
	ASSERT_TRUE(WAIT_FOR(poll(&pfd, 1, 0) == 1 &&
			     (pfd.revents & POLLRDHUP)));
	EXPECT_TRUE(pfd.revents & POLLIN);
	EXPECT_TRUE(pfd.revents & POLLOUT);
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(TDI_STATE_RELEASE_RECEIVED, info_of(s).state);
	close(c);
	close(s);

	/* the peer aborts: POLLHUP and POLLERR */
	pair(_metadata, self, variant->type, &c, &s);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(c);
	pfd.fd = s;
	ASSERT_TRUE(WAIT_FOR(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLHUP)));
	EXPECT_TRUE(pfd.revents & POLLERR);
	close(s);
}

TEST_F(conn, abort)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	char buf[16];
	int c, s;

	pair(_metadata, self, variant->type, &c, &s);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(c);
	EXPECT_EQ(-1, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(TDI_REASON_ABORT, reason_of(s));
	EXPECT_EQ(-1, send(s, buf, 1, MSG_NOSIGNAL));
	EXPECT_EQ(ECONNRESET, errno);
	close(s);
}

/* close() with data still queued delivers it all, then EOF. */
TEST_F_TIMEOUT(conn, close_with_queued_data, 300)
{
	int sndbuf = 4 << 20, c, s, status;
	size_t total = 2 << 20;
	__u64 h;
	pid_t pid;

	pair(_metadata, self, variant->type, &c, &s);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				sizeof(sndbuf)));
	pid = sender(c, total, 9, 1);
	close(c);
	EXPECT_EQ(total, drain(s, &h));
	EXPECT_EQ(expect_hash(total, 9), h);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(s);
}

/*
 * The four steps of a controlled disconnect: A releases; B reads its data
 * then EOF; B goes on sending; B releases; both are done, and both
 * endpoints may connect again.
 */
TEST_F(conn, release_four_steps)
{
	char buf[16];
	int c, s;

	pair(_metadata, self, variant->type, &c, &s);
	ASSERT_EQ(3, send(c, "abc", 3, 0));
	ASSERT_EQ(0, shutdown(c, SHUT_WR));
	EXPECT_EQ(-1, send(c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(3, recv_all(s, buf, 3, 0));
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(TDI_STATE_RELEASE_SENT, info_of(c).state);
	ASSERT_EQ(4, send(s, "more", 4, 0));
	EXPECT_EQ(4, recv_all(c, buf, 4, 0));
	EXPECT_EQ(0, memcmp(buf, "more", 4));
	ASSERT_EQ(0, shutdown(s, SHUT_WR));
	EXPECT_EQ(0, recv(c, buf, sizeof(buf), 0));
	ASSERT_TRUE(WAIT_FOR(info_of(c).state == TDI_STATE_BOUND &&
			     info_of(s).state == TDI_STATE_BOUND));
	EXPECT_EQ(TDI_REASON_RELEASE, reason_of(c));
	EXPECT_EQ(TDI_REASON_RELEASE, reason_of(s));
	close(s);

	/* the endpoint outlives its connection */
	ASSERT_EQ(0, connect_to(c, mac_b, PORT));
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(2, send(c, "ok", 2, 0));
	EXPECT_EQ(2, recv_all(s, buf, 2, 0));
	close(c);
	close(s);
}

TEST_F(conn, expedited)
{
	struct pollfd pfd = { .events = POLLPRI };
	struct iovec iov;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	char buf[2048];
	int c, s;

	pair(_metadata, self, variant->type, &c, &s);
	ASSERT_EQ(6, send(c, "urgent", 6, MSG_OOB));
	pfd.fd = s;
	ASSERT_TRUE(WAIT_FOR(poll(&pfd, 1, 0) == 1));
	EXPECT_TRUE(pfd.revents & POLLPRI);
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	EXPECT_EQ(6, recvmsg(s, &msg, MSG_OOB));
	EXPECT_TRUE(msg.msg_flags & MSG_OOB);
	EXPECT_EQ(0, memcmp(buf, "urgent", 6));
	EXPECT_EQ(-1, recv(s, buf, sizeof(buf), MSG_OOB | MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	/* the size limit of an expedited TSDU */
	memset(buf, 'x', sizeof(buf));
	EXPECT_EQ(1024, send(c, buf, 1024, MSG_OOB));
	EXPECT_EQ(-1, send(c, buf, 1025, MSG_OOB));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(1024, recv(s, buf, sizeof(buf), MSG_OOB));
	EXPECT_EQ(2, info_of(c).expedited_sent);
	EXPECT_EQ(2, info_of(s).expedited_received);
	close(c);
	close(s);
}

/* A device going down ends its connections with TDI_REASON_LINK_DOWN. */
TEST_F(conn, link_down)
{
	int c, s, status;
	pid_t pid;

	pair(_metadata, self, variant->type, &c, &s);
	pid = sender(c, (size_t)1 << 40, 3, 0);
	usleep(300000);
	ASSERT_EQ(0, run("ip -n %s link set va down", self->na));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(ENETDOWN, WEXITSTATUS(status));
	EXPECT_EQ(TDI_REASON_LINK_DOWN, reason_of(c));
	EXPECT_EQ(TDI_STATE_BOUND, info_of(c).state);
	close(c);
	close(s);
}

/*
 * The receiver's device MTU goes from 9000 to 1500 mid-transfer: it tells
 * the sender its new MRU (an ACK with TDI_F_MRU) and the sender cuts every
 * frame from then on, retransmissions included, so the transfer completes
 * intact.  (Before: the sender kept sending 9000-byte frames the device
 * could no longer take, and the connection timed out.)
 */
TEST_F_TIMEOUT(conn, mtu_shrinks_mid_transfer, 300)
{
	size_t total = 16 << 20;
	int c, s, status;
	pid_t pid, shrink;
	__u64 h;

	ASSERT_EQ(0, run("ip -n %s link set va mtu 9000; "
			 "ip -n %s link set vb mtu 9000", self->na, self->nb));
	pair(_metadata, self, variant->type, &c, &s);
	EXPECT_EQ(9000 - 44, info_of(c).frame_payload);
	EXPECT_EQ(9000 - 44, info_of(s).frame_payload);
	pid = sender(c, total, 77, 0);
	shrink = fork();
	if (!shrink) {
		usleep(500000);
		_exit(run("ip -n %s link set vb mtu 1500", self->nb));
	}
	EXPECT_EQ(total, drain(s, &h));
	EXPECT_EQ(expect_hash(total, 77), h);
	ASSERT_EQ(shrink, waitpid(shrink, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(1500 - 44, info_of(c).frame_payload);
	EXPECT_EQ(1500 - 44, info_of(s).frame_payload);
	EXPECT_LE(1, stat_of(self->nsa, "mru_changes"));
	close(c);
	close(s);
}

/* The connection columns of one /proc/net/tdi line. */
struct proc_conn {
	char state[32];
	char peer[24];
	unsigned int peer_port, txq, rxq;
	unsigned long long retrans;
};

/* Find socket @fd's line in namespace @ns's /proc/net/tdi: 0, or -1. */
static int proc_conn_of(int ns, int fd, struct proc_conn *pc)
{
	char line[512];
	struct stat st;
	int ret = -1;
	FILE *f;

	if (fstat(fd, &st) || setns(ns, CLONE_NEWNET))
		return -1;
	f = fopen("/proc/self/net/tdi", "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f) ||
	    !strstr(line, " Peer              PeerPort TxQueue RxQueue Retrans"))
		goto out;
	while (fgets(line, sizeof(line), f)) {
		unsigned long ino;

		if (sscanf(line, "%*s %31s %*u %*d %*s %*s %lu %*u %23s %u %u %u %llu",
			   pc->state, &ino, pc->peer, &pc->peer_port, &pc->txq,
			   &pc->rxq, &pc->retrans) != 7)
			break;
		if (ino == st.st_ino) {
			ret = 0;
			break;
		}
	}
out:
	fclose(f);
	return ret;
}

static int ioctl_int(int fd, unsigned long cmd)
{
	int n = -1;

	return ioctl(fd, cmd, &n) ? -1 : n;
}

/*
 * /proc/net/tdi shows each connection's peer, queues and retransmissions;
 * SIOCINQ and SIOCOUTQ agree with it.
 */
TEST_F_TIMEOUT(conn, proc_queues, 300)
{
	size_t total = 256 << 10;
	struct sockaddr_tdi sa;
	socklen_t len = sizeof(sa);
	struct proc_conn pc;
	char buf[1000] = "x";
	int c, s, status;
	__u64 h;
	pid_t pid;

	pair(_metadata, self, variant->type, &c, &s);
	ASSERT_EQ(0, getsockname(c, (struct sockaddr *)&sa, &len));
	ASSERT_EQ(0, proc_conn_of(self->nsa, c, &pc));
	EXPECT_STREQ("CONNECTED", pc.state);
	EXPECT_STREQ("02:00:00:00:00:0b", pc.peer);
	EXPECT_EQ(PORT, pc.peer_port);
	ASSERT_EQ(0, proc_conn_of(self->nsb, s, &pc));
	EXPECT_STREQ("02:00:00:00:00:0a", pc.peer);
	EXPECT_EQ(ntohs(sa.stdi_port), pc.peer_port);
	EXPECT_EQ(0, pc.txq);
	EXPECT_EQ(0, pc.rxq);
	ASSERT_EQ(0, proc_conn_of(self->nsb, self->lfd, &pc));
	EXPECT_STREQ("LISTENING", pc.state);
	EXPECT_STREQ("00:00:00:00:00:00", pc.peer);
	EXPECT_EQ(-1, ioctl_int(self->lfd, SIOCINQ));
	EXPECT_EQ(EINVAL, errno);

	/* held back by a 1 s delay: queued, not yet acknowledged */
	ASSERT_EQ(0, qdisc_add(self->na, "va", "delay 1s"));
	ASSERT_EQ(sizeof(buf), send(c, buf, sizeof(buf), 0));
	EXPECT_EQ(sizeof(buf), ioctl_int(c, SIOCOUTQ));
	ASSERT_EQ(0, proc_conn_of(self->nsa, c, &pc));
	/* a TSDU end takes a sequence number of its own */
	EXPECT_EQ(sizeof(buf) + (variant->type == SOCK_SEQPACKET), pc.txq);
	ASSERT_TRUE(WAIT_FOR(ioctl_int(c, SIOCOUTQ) == 0));
	ASSERT_EQ(0, proc_conn_of(self->nsa, c, &pc));
	EXPECT_EQ(0, pc.txq);

	/* received, partly read */
	EXPECT_EQ(sizeof(buf), ioctl_int(s, SIOCINQ));
	ASSERT_EQ(400, recv(s, buf, 400, 0));
	EXPECT_EQ(600, ioctl_int(s, SIOCINQ));
	ASSERT_EQ(0, proc_conn_of(self->nsb, s, &pc));
	EXPECT_EQ(600, pc.rxq);
	ASSERT_EQ(600, recv_all(s, buf, 600, 0));
	EXPECT_EQ(0, ioctl_int(s, SIOCINQ));

	/* 20 % loss: the retransmissions show */
	ASSERT_EQ(0, run("tc -n %s qdisc change dev va root netem loss 20%%",
			 self->na));
	pid = sender(c, total, 5, 0);
	EXPECT_EQ(total, drain(s, &h));
	EXPECT_EQ(expect_hash(total, 5), h);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, proc_conn_of(self->nsa, c, &pc));
	EXPECT_LT(0, pc.retrans);
	EXPECT_EQ(info_of(c).frames_retransmitted, pc.retrans);
	run("tc -n %s qdisc del dev va root", self->na);
	close(c);
	close(s);
}

/* Two endpoints of the same node (all-zero node: this node). */
TEST_F(conn, same_node)
{
	char buf[8];
	int c, s;

	c = sock_in(self->nsb, variant->type);
	ASSERT_EQ(0, connect_to(c, NULL, PORT));
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(4, send(c, "self", 4, 0));
	EXPECT_EQ(4, recv_all(s, buf, 4, 0));
	EXPECT_EQ(0, memcmp(buf, "self", 4));
	close(c);
	close(s);
}

/* ---- Defects of issue 7: each test fails on the code before its fix ---- */

/* Message-mode cases skip on a stream endpoint. */
static int not_msgmode(int type)
{
	return type != SOCK_SEQPACKET;
}

/* A listener of @type on @port in b whose children get @rcvbuf. */
static int listen_rcvbuf(int ns, int type, int port, int rcvbuf, int backlog)
{
	int fd = listen_on(ns, type, port, backlog);

	if (fd >= 0 && rcvbuf &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void pair_on(struct __test_metadata *_metadata,
		    struct _test_data_conn *self, int lfd, int type, int port,
		    int *c, int *s)
{
	*c = sock_in(self->nsa, type);
	ASSERT_LE(0, *c);
	ASSERT_EQ(0, connect_to(*c, mac_b, port)) {
		TH_LOG("connect: %s, reason %d", strerror(errno),
		       reason_of(*c));
	}
	*s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, *s);
}

/*
 * Empty TSDUs to a reader that never reads are charged like any frame:
 * the window closes after what the receive buffer holds, and every one
 * that was taken is read back.  (Before: each took ~2 KB without limit.)
 */
TEST_F_TIMEOUT(conn, empty_tsdus_bounded, 120)
{
	int lfd, c, s, stalls = 0, taken = 0, got = 0;
	char b;

	if (not_msgmode(variant->type))
		SKIP(return, "message mode only");
	lfd = listen_rcvbuf(self->nsb, variant->type, PORT + 1, 16384, 8);
	ASSERT_LE(0, lfd);
	pair_on(_metadata, self, lfd, variant->type, PORT + 1, &c, &s);
	while (stalls < 5 && taken < 100000) {
		if (send(c, "", 0, MSG_DONTWAIT) == 0) {
			taken++;
			stalls = 0;
			continue;
		}
		ASSERT_EQ(EAGAIN, errno);
		stalls++;
		usleep(200000);
	}
	/* in flight or dropped on the way: what the window let through */
	usleep(500000);
	TH_LOG("%d empty TSDUs queued before the window closed", taken);
	EXPECT_GT(taken, 4);
	/* 32 KiB of receive buffer at ~500 bytes of truesize or more each */
	EXPECT_LT(taken, 600);
	for (;;) {
		struct iovec iov = { &b, 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		set_timeo(s, SO_RCVTIMEO, 2000);
		n = recvmsg(s, &m, 0);
		if (n < 0)
			break;
		EXPECT_EQ(0, n);
		EXPECT_TRUE(m.msg_flags & MSG_EOR);
		got++;
	}
	EXPECT_EQ(taken, got);
	close(c);
	close(s);
	close(lfd);
}

/*
 * 10-byte TSDUs, a 32 KiB receive buffer and 3% loss: the window follows
 * the memory the frames take, out-of-order data gives way to the frame
 * that fills the hole, and the transfer finishes.  (Before: it stalled
 * for good after a few hundred messages.)
 */
TEST_F_TIMEOUT(conn, small_tsdus_loss, 300)
{
	const int count = 3000;
	int lfd, c, s, i, status;
	double t0;
	pid_t pid;

	if (not_msgmode(variant->type))
		SKIP(return, "message mode only");
	lfd = listen_rcvbuf(self->nsb, variant->type, PORT + 2, 16384, 8);
	ASSERT_LE(0, lfd);
	pair_on(_metadata, self, lfd, variant->type, PORT + 2, &c, &s);
	ASSERT_EQ(0, qdisc_add(self->na, "va", "loss 3%"));
	t0 = now_s();
	pid = fork();
	if (!pid) {
		char m[10];

		for (i = 0; i < count; i++) {
			snprintf(m, sizeof(m), "m%08d", i);
			if (send(c, m, sizeof(m), MSG_NOSIGNAL) != sizeof(m))
				_exit(1);
		}
		_exit(0);
	}
	set_timeo(s, SO_RCVTIMEO, 30000);
	for (i = 0; i < count; i++) {
		char m[16], want[10];
		ssize_t n = recv(s, m, sizeof(m), 0);

		snprintf(want, sizeof(want), "m%08d", i);
		if (n != 10 || memcmp(m, want, 10)) {
			TH_LOG("message %d: %zd bytes (%s)", i, n,
			       n < 0 ? strerror(errno) : "wrong data");
			break;
		}
	}
	EXPECT_EQ(count, i);
	TH_LOG("%d messages in %.1f s", i, now_s() - t0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(c);
	close(s);
	close(lfd);
}

/*
 * close() with data stuck behind a closed window: the peer answers every
 * probe and never reads, yet the closed endpoint's connection ends at
 * net.tdi.disconnect_timeout_ms with an abort.  (Before: never.)
 */
TEST_F_TIMEOUT(conn, orphan_deadline, 120)
{
	struct pollfd p;
	char buf[4096];
	int lfd, c, s;
	double t0, dt;

	lfd = listen_rcvbuf(self->nsb, variant->type, PORT + 3, 4096, 8);
	ASSERT_LE(0, lfd);
	pair_on(_metadata, self, lfd, variant->type, PORT + 3, &c, &s);
	ASSERT_EQ(0, sysctl_in(self->nsa, "disconnect_timeout_ms", "1500"));
	memset(buf, 'x', sizeof(buf));
	/* fill the peer's window and our send buffer */
	t0 = now_s();
	while (now_s() - t0 < 3)
		if (send(c, buf, sizeof(buf), MSG_DONTWAIT) < 0)
			usleep(50000);
	t0 = now_s();
	close(c);
	p.fd = s;
	p.events = 0;		/* s has data to read: wait for the end */
	EXPECT_EQ(1, poll(&p, 1, 15000));
	dt = now_s() - t0;
	TH_LOG("aborted %.2f s after close", dt);
	EXPECT_TRUE(p.revents & POLLERR);
	EXPECT_GE(dt, 1.0);
	EXPECT_LT(dt, 10.0);
	EXPECT_EQ(TDI_REASON_TIMEOUT, reason_of(s));
	EXPECT_LE(1, stat_of(self->nsa, "orphan_timeouts"));
	close(s);
	close(lfd);
}

/*
 * A closed endpoint whose connection goes on does not keep its namespace
 * alive: deleting the namespace ends it, and the namespace (seen through
 * its veth device's peer, which goes with it) is freed at once.  (Before:
 * the orphan held the namespace until its disconnect deadline.)
 */
TEST_F_TIMEOUT(conn, orphan_frees_netns, 120)
{
	static const unsigned char mac_y[6] = { 2, 0, 0, 0, 1, 0x0b };
	char nx[32], ny[32], buf[4096];
	int fx, fy, lfd, c = -1, s, i;
	double t0;

	snprintf(nx, sizeof(nx), "tdiox%d", getpid());
	snprintf(ny, sizeof(ny), "tdioy%d", getpid());
	ASSERT_EQ(0, run("ip netns add %s && ip netns add %s", nx, ny));
	ASSERT_EQ(0, run("ip link add vx netns %s type veth peer name vy netns %s",
			 nx, ny));
	ASSERT_EQ(0, run("ip -n %s link set vx address 02:00:00:00:01:0a up",
			 nx));
	ASSERT_EQ(0, run("ip -n %s link set vy address 02:00:00:00:01:0b up",
			 ny));
	fx = netns_fd(nx);
	fy = netns_fd(ny);
	ASSERT_LE(0, fx);
	ASSERT_LE(0, fy);
	/* the orphan would live for 2 min; the namespace must go long before */
	ASSERT_EQ(0, sysctl_in(fx, "disconnect_timeout_ms", "120000"));
	lfd = listen_rcvbuf(fy, variant->type, PORT, 4096, 8);
	ASSERT_LE(0, lfd);
	/* the carrier of a new veth pair takes a moment */
	for (i = 0; i < 50; i++) {
		c = sock_in(fx, variant->type);
		ASSERT_LE(0, c);
		if (!connect_to(c, mac_y, PORT))
			break;
		close(c);
		c = -1;
		usleep(100000);
	}
	ASSERT_LE(0, c);
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	memset(buf, 'x', sizeof(buf));
	t0 = now_s();
	while (now_s() - t0 < 2)
		if (send(c, buf, sizeof(buf), MSG_DONTWAIT) < 0)
			usleep(50000);
	close(c);	/* an orphan, for up to disconnect_timeout_ms */
	EXPECT_EQ(TDI_STATE_CONNECTED, info_of(s).state);
	/* sock_in() left this process in x: nothing but the orphan may
	 * hold it now
	 */
	ASSERT_EQ(0, setns(fy, CLONE_NEWNET));
	close(fx);
	t0 = now_s();
	ASSERT_EQ(0, run("ip netns del %s", nx));
	while (now_s() - t0 < 60 &&
	       !run("ip -n %s link show vy >/dev/null 2>&1", ny))
		usleep(100000);
	TH_LOG("namespace gone %.2f s after its deletion", now_s() - t0);
	EXPECT_LT(now_s() - t0, 60);
	close(s);
	close(lfd);
	close(fy);
	run("ip netns del %s", ny);
}

/* Beyond net.tdi.max_orphans, close() aborts instead of releasing. */
TEST_F(conn, orphan_limit)
{
	char b;
	int c, s;

	pair(_metadata, self, variant->type, &c, &s);
	ASSERT_EQ(0, sysctl_in(self->nsa, "max_orphans", "0"));
	close(c);
	set_timeo(s, SO_RCVTIMEO, 5000);
	EXPECT_EQ(-1, recv(s, &b, 1, 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(TDI_REASON_ABORT, reason_of(s));
	EXPECT_LE(1, stat_of(self->nsa, "orphan_overflow"));
	close(s);
}

/*
 * SO_KEEPALIVE: an idle connection whose peer answers stays; once the
 * peer vanishes (all our frames lost) it ends with ETIMEDOUT after the
 * probes.  (Before: SO_KEEPALIVE did nothing.)
 */
TEST_F_TIMEOUT(conn, keepalive, 120)
{
	int c, s, one = 1, err = 0;
	socklen_t len = sizeof(err);
	struct pollfd p;
	double t0;

	ASSERT_EQ(0, sysctl_in(self->nsa, "keepalive_time_ms", "300"));
	ASSERT_EQ(0, sysctl_in(self->nsa, "keepalive_intvl_ms", "200"));
	ASSERT_EQ(0, sysctl_in(self->nsa, "keepalive_probes", "3"));
	pair(_metadata, self, variant->type, &c, &s);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one,
				sizeof(one)));
	usleep(2000000);
	EXPECT_EQ(TDI_STATE_CONNECTED, info_of(c).state);
	EXPECT_LE(2, info_of(s).frames_received - 0);
	ASSERT_EQ(0, qdisc_add(self->na, "va", "loss 100%"));
	t0 = now_s();
	p.fd = c;
	p.events = POLLIN;
	EXPECT_EQ(1, poll(&p, 1, 20000));
	TH_LOG("ended %.2f s after the peer vanished", now_s() - t0);
	EXPECT_EQ(0, getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ETIMEDOUT, err);
	EXPECT_EQ(TDI_REASON_TIMEOUT, reason_of(c));
	EXPECT_LE(1, stat_of(self->nsa, "keepalive_timeouts"));
	close(c);
	close(s);
}

/*
 * An accepted endpoint inherits SO_KEEPALIVE from its listener, as TCP's
 * do, and its probes end it once the peer vanishes.  (Before: the child
 * had no SO_KEEPALIVE and lived on.)
 */
TEST_F_TIMEOUT(conn, keepalive_inherited, 120)
{
	int c, s, one = 1, val = 0, err = 0;
	socklen_t len = sizeof(val);
	struct pollfd p;

	ASSERT_EQ(0, sysctl_in(self->nsb, "keepalive_time_ms", "300"));
	ASSERT_EQ(0, sysctl_in(self->nsb, "keepalive_intvl_ms", "200"));
	ASSERT_EQ(0, sysctl_in(self->nsb, "keepalive_probes", "3"));
	ASSERT_EQ(0, setsockopt(self->lfd, SOL_SOCKET, SO_KEEPALIVE, &one,
				sizeof(one)));
	pair(_metadata, self, variant->type, &c, &s);
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &val, &len));
	EXPECT_EQ(1, val);
	usleep(1000000);
	EXPECT_EQ(TDI_STATE_CONNECTED, info_of(s).state);
	ASSERT_EQ(0, qdisc_add(self->nb, "vb", "loss 100%"));
	p.fd = s;
	p.events = POLLIN;
	EXPECT_EQ(1, poll(&p, 1, 20000));
	len = sizeof(err);
	EXPECT_EQ(0, getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ETIMEDOUT, err);
	EXPECT_LE(1, stat_of(self->nsb, "keepalive_timeouts"));
	ASSERT_EQ(0, run("tc -n %s qdisc del dev vb root", self->nb));
	close(c);
	close(s);
}

/* Send tdi frame @f (header and payload, csum computed here) from
 * namespace @ns on @dev to @dst.
 */
static int inject_frame(int ns, const char *dev, const unsigned char *dst,
			const unsigned char *src, unsigned char *f, int len)
{
	unsigned char w[14 + 44 + 40];
	struct sockaddr_ll ll;
	int fd, ret;

	put16(f + 42, 0);
	put16(f + 42, csum16(f, len));
	memcpy(w, dst, 6);
	memcpy(w + 6, src, 6);
	put16(w + 12, 0x88b5);
	memcpy(w + 14, f, len);
	if (setns(ns, CLONE_NEWNET))
		return -1;
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		return -1;
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_ifindex = if_nametoindex(dev);
	ll.sll_halen = 6;
	memcpy(ll.sll_addr, dst, 6);
	ret = sendto(fd, w, 14 + len, 0, (struct sockaddr *)&ll, sizeof(ll));
	close(fd);
	return ret == 14 + len ? 0 : -1;
}

/* Send a CONNECT from node @src to b's port @port through va (in a). */
static int inject_connect(int nsa, const unsigned char *src, int port,
			  unsigned int id, int msgmode)
{
	unsigned char f[44 + 4];

	memset(f, 0, sizeof(f));
	f[0] = 1;			/* version */
	f[1] = 1;			/* CONNECT */
	put16(f + 2, msgmode ? 0x0008 : 0);
	put16(f + 4, 40000 + id % 1000);
	put16(f + 6, port);
	put32(f + 8, id);		/* src_id */
	put32(f + 16, id * 7919);	/* seq */
	put32(f + 24, 65536);		/* wnd */
	put32(f + 32, 1);		/* tsval */
	put16(f + 40, 4);		/* len */
	put16(f + 44, 1456);		/* setup: mru */
	return inject_frame(nsa, "va", mac_b, src, f, sizeof(f));
}

/* Capture, in namespace @ns on @dev, the next ACK that namespace sends
 * (tdi header and payload into @f, at most 44 + 40 bytes); 0 or -1.
 */
static int sniff_ack(int ns, const char *dev, unsigned char *f, int *len)
{
	struct sockaddr_ll ll;
	unsigned char buf[2048];
	socklen_t sl;
	double t0 = now_s();
	int fd, n;

	if (setns(ns, CLONE_NEWNET))
		return -1;
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0)
		return -1;
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_ALL);
	ll.sll_ifindex = if_nametoindex(dev);
	if (bind(fd, (struct sockaddr *)&ll, sizeof(ll)))
		goto fail;
	set_timeo(fd, SO_RCVTIMEO, 500);
	while (now_s() - t0 < 10) {
		sl = sizeof(ll);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ll, &sl);
		if (n < 14 + 44 || ll.sll_pkttype != PACKET_OUTGOING ||
		    buf[12] != 0x88 || buf[13] != 0xb5 || buf[15] != 6)
			continue;
		*len = n - 14 < 44 + 40 ? n - 14 : 44 + 40;
		memcpy(f, buf + 14, *len);
		close(fd);
		return 0;
	}
fail:
	close(fd);
	return -1;
}

/*
 * Forged ACKs with the connection's exact identifiers, acknowledgment and
 * a closed window: one whose timestamp is far ahead of the peer's clock
 * orders nothing, so the window stays open and data flows at once; one
 * whose seq the peer could never have sent is dropped unread.  (Before:
 * the first closed the window for good, every real ACK after it being
 * "older"; the second was taken.)
 */
TEST_F_TIMEOUT(conn, forged_ack_window, 60)
{
	unsigned char f[44 + 40], m[4096];
	long long win0;
	int c, s, len;
	pid_t pid;

	pair(_metadata, self, variant->type, &c, &s);
	memset(m, 'f', sizeof(m));
	pid = fork();
	if (!pid) {
		usleep(300000);	/* the sniffer is up */
		_exit(send(c, "x", 1, 0) != 1);
	}
	ASSERT_EQ(0, sniff_ack(self->nsb, "vb", f, &len));
	waitpid(pid, NULL, 0);
	ASSERT_EQ(1, recv(s, m, sizeof(m), 0));
	usleep(200000);		/* all acknowledged: the connection is idle */
	/* b's ACK again, window 0, timestamp 2^30 us ahead, no SACK */
	put16(f + 2, 0);
	put32(f + 24, 0);
	put32(f + 32, get32(f + 32) + (1U << 30));
	put16(f + 40, 0);
	len = 44;
	ASSERT_EQ(0, inject_frame(self->nsb, "vb", mac_a, mac_b, f, len));
	usleep(100000);
	/* the same ACK from a seq b never sent, with a sane timestamp */
	win0 = stat_of(self->nsa, "drop_window");
	put32(f + 16, get32(f + 16) + (1U << 29));
	put32(f + 32, get32(f + 32) - (1U << 30) + 1);
	ASSERT_EQ(0, inject_frame(self->nsb, "vb", mac_a, mac_b, f, len));
	usleep(100000);
	EXPECT_EQ(win0 + 1, stat_of(self->nsa, "drop_window"));
	/* the window is open: a TSDU goes through at once */
	set_timeo(s, SO_RCVTIMEO, 5000);
	ASSERT_EQ(sizeof(m), send(c, m, sizeof(m), MSG_DONTWAIT));
	EXPECT_EQ(sizeof(m), recv_all(s, m, sizeof(m), 0));
	close(c);
	close(s);
}

/*
 * Offers whose ACCEPT nobody answers die on their own and give their
 * place in the backlog back, so a real client gets in; offers from a
 * group or zero source address are dropped unanswered.  (Before: the dead
 * children filled the backlog until accept() drained it, and a broadcast
 * source got answers.)
 */
TEST_F_TIMEOUT(conn, dead_offers, 120)
{
	static const unsigned char bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff,
						0xff };
	unsigned char fake[6] = { 2, 0, 0, 0, 0, 0x99 };
	long long src0, acc0;
	int lfd, c, i;

	ASSERT_EQ(0, sysctl_in(self->nsb, "retries", "1"));
	ASSERT_EQ(0, sysctl_in(self->nsb, "rto_initial_ms", "100"));
	lfd = listen_rcvbuf(self->nsb, variant->type, PORT + 4, 0, 2);
	ASSERT_LE(0, lfd);
	src0 = stat_of(self->nsb, "drop_source");
	acc0 = stat_of(self->nsb, "accepts");
	ASSERT_EQ(0, inject_connect(self->nsa, bcast, PORT + 4, 77,
				    variant->type == SOCK_SEQPACKET));
	usleep(300000);
	EXPECT_EQ(src0 + 1, stat_of(self->nsb, "drop_source"));
	EXPECT_EQ(acc0, stat_of(self->nsb, "accepts"));
	for (i = 0; i < 3; i++) {
		fake[5] = 0x90 + i;
		ASSERT_EQ(0, inject_connect(self->nsa, fake, PORT + 4, 100 + i,
					    variant->type == SOCK_SEQPACKET));
	}
	/* their ACCEPTs go unanswered: 100 + 200 ms of retries, then gone */
	usleep(1500000);
	/* a backlog of 2 holds 3 (sk_acceptq_is_full() is "more than") */
	EXPECT_EQ(acc0 + 3, stat_of(self->nsb, "accepts"));
	c = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, c);
	EXPECT_EQ(0, connect_to(c, mac_b, PORT + 4)) {
		TH_LOG("connect: %s, reason %d", strerror(errno),
		       reason_of(c));
	}
	EXPECT_LE(2, stat_of(self->nsb, "dead_offers"));
	close(c);
	close(lfd);
}

/* MSG_PEEK sees an empty TSDU as what it is. */
TEST_F(conn, peek_empty_tsdu)
{
	struct msghdr m;
	struct iovec iov;
	char buf[16];
	int c, s;

	if (not_msgmode(variant->type))
		SKIP(return, "message mode only");
	pair(_metadata, self, variant->type, &c, &s);
	ASSERT_EQ(0, send(c, "", 0, 0));
	ASSERT_EQ(3, send(c, "abc", 3, 0));
	ASSERT_TRUE(WAIT_FOR(ioctl_int(s, SIOCINQ) == 3));
	usleep(100000);
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	EXPECT_EQ(0, recvmsg(s, &m, MSG_PEEK));
	EXPECT_TRUE(m.msg_flags & MSG_EOR);
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(3, recv(s, buf, sizeof(buf), MSG_PEEK));
	EXPECT_EQ(3, recv(s, buf, sizeof(buf), 0));
	close(c);
	close(s);
}

/*
 * MSG_TRUNC: msg_flags says when bytes were dropped; a non-blocking read
 * waits (EAGAIN) for the whole TSDU instead of returning a part whose tail
 * would read as the next TSDU.  A buffer filled exactly before an end
 * marker that came alone still gets MSG_EOR.
 */
TEST_F(conn, trunc_and_marker)
{
	char big[100], buf[128];
	struct msghdr m;
	struct iovec iov;
	int c, s;

	if (not_msgmode(variant->type))
		SKIP(return, "message mode only");
	pair(_metadata, self, variant->type, &c, &s);
	memset(big, 'b', sizeof(big));
	iov.iov_base = buf;
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;

	ASSERT_EQ(100, send(c, big, 100, 0));
	ASSERT_TRUE(WAIT_FOR(ioctl_int(s, SIOCINQ) == 100));
	iov.iov_len = 10;
	EXPECT_EQ(100, recvmsg(s, &m, MSG_TRUNC));
	EXPECT_EQ(MSG_TRUNC | MSG_EOR, m.msg_flags & (MSG_TRUNC | MSG_EOR));

	ASSERT_EQ(50, send(c, big, 50, MSG_MORE));
	ASSERT_TRUE(WAIT_FOR(ioctl_int(s, SIOCINQ) == 50));
	EXPECT_EQ(-1, recv(s, buf, 10, MSG_TRUNC | MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(50, send(c, big, 50, 0));
	ASSERT_TRUE(WAIT_FOR(ioctl_int(s, SIOCINQ) == 100));
	m.msg_flags = 0;
	EXPECT_EQ(100, recvmsg(s, &m, MSG_TRUNC | MSG_DONTWAIT));
	EXPECT_TRUE(m.msg_flags & MSG_EOR);

	ASSERT_EQ(100, send(c, big, 100, MSG_MORE));
	ASSERT_TRUE(WAIT_FOR(ioctl_int(s, SIOCINQ) == 100));
	ASSERT_EQ(0, send(c, "", 0, 0));	/* the end, in a frame alone */
	usleep(300000);
	iov.iov_len = 100;
	m.msg_flags = 0;
	EXPECT_EQ(100, recvmsg(s, &m, MSG_DONTWAIT));
	EXPECT_TRUE(m.msg_flags & MSG_EOR);
	EXPECT_EQ(-1, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(c);
	close(s);
}

/*
 * A TSDU larger than the receive buffer never arrives whole: a poll()
 * driven reader using non-blocking MSG_TRUNC reads still gets all of it,
 * in parts without MSG_EOR and the last with it, and the lengths add up
 * to the TSDU's.  (Before: EAGAIN for ever while poll() said POLLIN.)
 */
TEST_F_TIMEOUT(conn, trunc_nonblocking_huge_tsdu, 120)
{
	const int total = 256 << 10;
	int lfd, c, s, eors = 0, eagains = 0, status;
	long long got = 0;
	char buf[4096];
	double end;
	pid_t pid;

	if (not_msgmode(variant->type))
		SKIP(return, "message mode only");
	lfd = listen_rcvbuf(self->nsb, variant->type, PORT + 6, 16384, 8);
	ASSERT_LE(0, lfd);
	pair_on(_metadata, self, lfd, variant->type, PORT + 6, &c, &s);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *big = calloc(1, total);

		_exit(!big || send(c, big, total, 0) != total);
	}
	end = now_s() + 60;
	while (!eors && now_s() < end) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = recvmsg(s, &m, MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0) {
			ASSERT_EQ(EAGAIN, errno);
			if (++eagains > 100000)
				break;	/* poll() says POLLIN: a busy loop */
			continue;
		}
		got += n;
		eors += !!(m.msg_flags & MSG_EOR);
	}
	TH_LOG("%lld bytes, %d EAGAIN", got, eagains);
	if (!eors)
		kill(pid, SIGKILL);	/* its send would wait for ever */
	EXPECT_EQ(1, eors);
	EXPECT_EQ(total, got);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(c);
	close(s);
	close(lfd);
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/*
 * A blocking recv() for normal data that has copied nothing sleeps while
 * an expedited TSDU waits, and SO_RCVTIMEO still ends it.  (Before: it
 * spun on the CPU and never timed out.)
 */
TEST_F_TIMEOUT(conn, recv_waits_beside_expedited, 60)
{
	double t0, c0;
	struct pollfd p;
	char b;
	int c, s;

	pair(_metadata, self, variant->type, &c, &s);
	ASSERT_EQ(1, send(s, "!", 1, MSG_OOB));
	p.fd = c;
	p.events = POLLPRI;
	ASSERT_EQ(1, poll(&p, 1, 5000));
	set_timeo(c, SO_RCVTIMEO, 1000);
	t0 = now_s();
	c0 = cpu_s();
	EXPECT_EQ(-1, recv(c, &b, 1, 0));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_GE(now_s() - t0, 0.9);
	EXPECT_LT(cpu_s() - c0, 0.5);
	EXPECT_EQ(1, recv(c, &b, 1, MSG_OOB));
	close(c);
	close(s);
}

/*
 * Expedited sends do not wait behind normal data: with the peer reading
 * only expedited data, the normal send buffer full and acknowledgments
 * delayed by 20 ms, eight expedited windows' worth of TSDUs go through,
 * each send waiting only for the acknowledgments that reopen the window.
 * (Before: the sender was woken only when normal buffer space came back,
 * so each turn of the window waited for some unrelated wake-up.)
 */
TEST_F_TIMEOUT(conn, expedited_beside_full_buffer, 180)
{
	double t0, last_ok, t, worst = 0, total;
	int lfd, c, s, i, status, sent = 0;
	char buf[4096];
	pid_t pid;

	lfd = listen_rcvbuf(self->nsb, variant->type, PORT + 5, 4096, 8);
	ASSERT_LE(0, lfd);
	pair_on(_metadata, self, lfd, variant->type, PORT + 5, &c, &s);
	/* acknowledgments take a while: the expedited window does fill */
	ASSERT_EQ(0, qdisc_add(self->nb, "vb", "delay 20ms"));
	memset(buf, 'n', sizeof(buf));
	/* full: send has failed for a second straight */
	t0 = now_s();
	last_ok = t0;
	while (now_s() - last_ok < 1 && now_s() - t0 < 30) {
		if (send(c, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			last_ok = now_s();
		else
			usleep(50000);
	}
	ASSERT_LT(now_s() - t0, 30);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char x[8];

		set_timeo(s, SO_RCVTIMEO, 30000);
		for (i = 0; i < 8 * TDI_XWND_TEST; i++)
			if (recv(s, x, sizeof(x), MSG_OOB) != 1)
				_exit(1);
		_exit(0);
	}
	/* no time-out ends a wait early: every turn of the window is a wake */
	set_timeo(c, SO_SNDTIMEO, 10000);
	t0 = now_s();
	for (i = 0; i < 8 * TDI_XWND_TEST; i++) {
		t = now_s();
		if (send(c, "x", 1, MSG_OOB) == 1)
			sent++;
		t = now_s() - t;
		if (t > worst)
			worst = t;
		if (worst > 2.0)
			break;		/* stuck: no need to wait out each one */
	}
	total = now_s() - t0;
	TH_LOG("%d expedited TSDUs in %.2f s, the longest send %.2f s", sent, total, worst);
	EXPECT_EQ(8 * TDI_XWND_TEST, sent);
	EXPECT_LT(worst, 2.0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(c);
	close(s);
	close(lfd);
}

/* recv(MSG_OOB) after the peer released returns EOF at once. */
TEST_F(conn, expedited_eof)
{
	struct pollfd p;
	double t0;
	char b;
	int c, s;

	pair(_metadata, self, variant->type, &c, &s);
	ASSERT_EQ(0, shutdown(s, SHUT_WR));
	p.fd = c;
	p.events = POLLRDHUP;
	ASSERT_EQ(1, poll(&p, 1, 5000));
	set_timeo(c, SO_RCVTIMEO, 3000);
	t0 = now_s();
	EXPECT_EQ(0, recv(c, &b, 1, MSG_OOB));
	EXPECT_LT(now_s() - t0, 1.0);
	close(c);
	close(s);
}

/*
 * TDI_PROVIDER_INFO claims what works: 128 bytes of user data; in message
 * mode max_tsdu is exactly the largest TSDU a non-blocking send takes
 * whole.
 */
TEST_F(conn, provider_info_exact)
{
	struct tdi_provider_info pi;
	socklen_t len = sizeof(pi);
	char *buf;
	int c, s;

	pair(_metadata, self, variant->type, &c, &s);
	ASSERT_EQ(0, getsockopt(c, SOL_TDI, TDI_PROVIDER_INFO, &pi, &len));
	EXPECT_EQ(TDI_MAX_USER_DATA, pi.max_user_data);
	if (variant->type == SOCK_STREAM) {
		EXPECT_EQ(0, pi.max_tsdu);
		goto out;
	}
	ASSERT_LT(0, pi.max_tsdu);
	buf = calloc(1, pi.max_tsdu + 1);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ(-1, send(c, buf, pi.max_tsdu + 1, MSG_DONTWAIT));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(pi.max_tsdu, send(c, buf, pi.max_tsdu, MSG_DONTWAIT)) {
		TH_LOG("max_tsdu %u: %s", pi.max_tsdu, strerror(errno));
	}
	EXPECT_EQ(pi.max_tsdu, recv_all(s, buf, pi.max_tsdu, 0));
	free(buf);
out:
	close(c);
	close(s);
}

/* connect() keeps to the interface its address object is bound to. */
TEST_F(conn, connect_keeps_interface)
{
	struct sockaddr_tdi sa;
	int c;

	c = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, c);
	sa_of(&sa, NULL, 0);
	sa.stdi_ifindex = if_nametoindex("va");
	ASSERT_EQ(0, bind(c, (struct sockaddr *)&sa, sizeof(sa)));
	sa_of(&sa, mac_b, PORT);
	sa.stdi_ifindex = 1;	/* lo */
	EXPECT_EQ(-1, connect(c, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EINVAL, errno);
	close(c);
}

/*
 * Aborts while the peer still sends: frames keep arriving for connections
 * whose sockets are being freed.  Under KASAN this catches a connection
 * lookup that touches a freed socket; it is a stress test, a race it
 * makes likely, not certain.
 */
TEST_F_TIMEOUT(conn, abort_churn, 300)
{
	struct linger lg = { 1, 0 };
	char buf[8192];
	int i, c, s;

	memset(buf, 'c', sizeof(buf));
	for (i = 0; i < 60; i++) {
		pair(_metadata, self, variant->type, &c, &s);
		send(s, buf, sizeof(buf), MSG_DONTWAIT);
		send(c, buf, sizeof(buf), MSG_DONTWAIT);
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		send(s, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL);
		close(c);
		send(s, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL);
		close(s);
	}
}

/* Wait up to @ms for @fd's TDI_INFO state to be @state: 0, or -1. */
static int wait_state(int fd, __u32 state, int ms)
{
	double end = now_s() + ms / 1000.0;

	while (info_of(fd).state != state) {
		if (now_s() > end)
			return -1;
		usleep(10000);
	}
	return 0;
}

/* @c, whose connection ended, connects to b again: the accepted end. */
static int reconnect(struct __test_metadata *_metadata,
		     struct _test_data_conn *self, int c)
{
	int s;

	ASSERT_EQ(0, connect_to(c, mac_b, PORT));
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	return s;
}

/* SIOCTDIDISCONNECT in a thread of its own: the call and what it returned. */
struct disc_call {
	pthread_t thread;
	int fd;
	struct tdi_disconnect d;
	int ret, err, done;
	double took;
};

static void *disc_main(void *arg)
{
	struct disc_call *dc = arg;
	double t0 = now_s();

	dc->ret = ioctl(dc->fd, SIOCTDIDISCONNECT, &dc->d);
	dc->err = errno;
	dc->took = now_s() - t0;
	__atomic_store_n(&dc->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int disc_start(struct disc_call *dc, int fd, __u32 flags, int timeout_ms)
{
	memset(dc, 0, sizeof(*dc));
	dc->fd = fd;
	dc->d.flags = flags;
	dc->d.timeout_ms = timeout_ms;
	return pthread_create(&dc->thread, NULL, disc_main, dc);
}

static int disc(int fd, __u32 flags, int timeout_ms)
{
	struct tdi_disconnect d = { .flags = flags, .timeout_ms = timeout_ms };

	return ioctl(fd, SIOCTDIDISCONNECT, &d);
}

/*
 * The four steps, with SIOCTDIDISCONNECT RELEASE on both sides: c's call
 * waits while s reads everything, sees EOF and goes on sending (c still
 * reads it); s's own RELEASE completes c's call with 0; both ends say
 * RELEASE and c connects again on the same fd.
 */
TEST_F(conn, disconnect_release)
{
	static unsigned char out[65536], in[65536];
	struct disc_call dc;
	char back[5] = { 0 };
	int c, s, n, s2;

	pair(_metadata, self, variant->type, &c, &s);
	timeouts(c);
	timeouts(s);
	pattern(out, sizeof(out), 7);
	for (n = 0; n < (int)sizeof(out); n += 8192)
		ASSERT_EQ(8192, send(c, out + n, 8192, 0));
	ASSERT_EQ(0, disc_start(&dc, c, TDI_DISCONNECT_RELEASE, 10000));
	ASSERT_EQ((ssize_t)sizeof(in), recv_all(s, in, sizeof(in), 0));
	EXPECT_EQ(0, memcmp(out, in, sizeof(in)));
	EXPECT_EQ(0, recv(s, in, sizeof(in), 0));	/* EOF */
	usleep(300000);
	/* c's call waits for s's release; s may go on sending */
	EXPECT_EQ(0, __atomic_load_n(&dc.done, __ATOMIC_ACQUIRE));
	EXPECT_EQ(TDI_STATE_RELEASE_SENT, info_of(c).state);
	EXPECT_EQ(-1, send(c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	ASSERT_EQ(5, send(s, "back!", 5, 0));
	EXPECT_EQ(5, recv_all(c, back, 5, 0));
	EXPECT_EQ(0, memcmp(back, "back!", 5));
	/* s releases: the peer had released, so it returns at once */
	EXPECT_EQ(0, disc(s, TDI_DISCONNECT_RELEASE, 10000));
	pthread_join(dc.thread, NULL);
	EXPECT_EQ(0, dc.ret) TH_LOG("c's release: %s", strerror(dc.err));
	EXPECT_EQ(0, recv(c, back, sizeof(back), 0));
	ASSERT_EQ(0, wait_state(c, TDI_STATE_BOUND, 5000));
	ASSERT_EQ(0, wait_state(s, TDI_STATE_BOUND, 5000));
	EXPECT_EQ(TDI_REASON_RELEASE, reason_of(c));
	EXPECT_EQ(TDI_REASON_RELEASE, reason_of(s));
	/* a second RELEASE finds no connection */
	EXPECT_EQ(-1, disc(c, TDI_DISCONNECT_RELEASE, 0));
	EXPECT_EQ(ENOTCONN, errno);
	/* the endpoint is reused */
	s2 = reconnect(_metadata, self, c);
	ASSERT_LE(0, s2);
	EXPECT_EQ(0, exchange(c, s2, 1000, 3));
	close(s2);
	close(c);
	close(s);
}

/*
 * A peer that never releases: RELEASE with a time-out ends in ETIMEDOUT
 * with the release still pending; an ABORT then ends the connection
 * (ECONNRESET and TDI_REASON_ABORT at the peer, ECONNABORTED for our own
 * calls until the endpoint is used again).
 */
TEST_F(conn, disconnect_release_timeout_abort)
{
	double t0;
	char buf[16];
	int c, s, s2;

	pair(_metadata, self, variant->type, &c, &s);
	timeouts(c);
	timeouts(s);
	t0 = now_s();
	EXPECT_EQ(-1, disc(c, TDI_DISCONNECT_RELEASE, 300));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_LE(0.25, now_s() - t0);
	EXPECT_GT(5.0, now_s() - t0);
	EXPECT_EQ(TDI_STATE_RELEASE_SENT, info_of(c).state);
	/* RELEASE again waits again: the release stays pending */
	EXPECT_EQ(-1, disc(c, TDI_DISCONNECT_RELEASE, 50));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(0, disc(c, TDI_DISCONNECT_ABORT, 0));
	EXPECT_EQ(TDI_STATE_BOUND, info_of(c).state);
	EXPECT_EQ(TDI_REASON_ABORT, reason_of(c));
	EXPECT_EQ(-1, send(c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ECONNABORTED, errno);
	EXPECT_EQ(-1, recv(c, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNABORTED, errno);
	EXPECT_EQ(-1, recv(c, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNABORTED, errno);
	EXPECT_EQ(-1, disc(c, TDI_DISCONNECT_ABORT, 0));
	EXPECT_EQ(ENOTCONN, errno);
	/* the peer: EOF of our release, then the reset */
	EXPECT_EQ(0, wait_state(s, TDI_STATE_BOUND, 5000));
	EXPECT_EQ(TDI_REASON_ABORT, reason_of(s));
	EXPECT_EQ(-1, send(s, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ECONNRESET, errno);
	/* used again: no error left over */
	s2 = reconnect(_metadata, self, c);
	ASSERT_LE(0, s2);
	EXPECT_EQ(0, exchange(c, s2, 1000, 5));
	EXPECT_EQ(0, exchange(s2, c, 1000, 6));
	close(s2);
	close(c);
	close(s);
}

/* A non-blocking endpoint's RELEASE starts it and returns EINPROGRESS. */
TEST_F(conn, disconnect_release_nonblocking)
{
	char buf[8];
	int c, s;

	pair(_metadata, self, variant->type, &c, &s);
	timeouts(s);
	ASSERT_EQ(0, fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK));
	EXPECT_EQ(-1, disc(c, TDI_DISCONNECT_RELEASE, -1));
	EXPECT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(TDI_STATE_RELEASE_SENT, info_of(c).state);
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(0, disc(s, TDI_DISCONNECT_RELEASE, 0));
	EXPECT_NE(0, wait_poll(c, POLLRDHUP, 5000) & POLLRDHUP);
	EXPECT_EQ(0, wait_state(c, TDI_STATE_BOUND, 5000));
	EXPECT_EQ(TDI_REASON_RELEASE, reason_of(c));
	close(c);
	close(s);
}

/* connect() in a thread of its own: what it returned. */
struct connect_call {
	pthread_t thread;
	int fd, ret, err;
	const unsigned char *node;
};

static void *connect_main(void *arg)
{
	struct connect_call *cc = arg;

	cc->ret = connect_to(cc->fd, cc->node, PORT);
	cc->err = errno;
	return NULL;
}

/*
 * ABORT during a connect: the blocked connect() returns ECONNABORTED, and
 * the endpoint connects again afterwards.
 */
TEST_F(conn, disconnect_abort_connecting)
{
	static const unsigned char nobody[6] = { 2, 0, 0, 0, 0, 0x99 };
	struct connect_call cc = { .node = nobody };
	int c = sock_in(self->nsa, variant->type), s;

	ASSERT_LE(0, c);
	set_timeo(c, SO_SNDTIMEO, 10000);
	cc.fd = c;
	ASSERT_EQ(0, pthread_create(&cc.thread, NULL, connect_main, &cc));
	ASSERT_EQ(0, wait_state(c, TDI_STATE_CONNECTING, 5000));
	usleep(200000);
	EXPECT_EQ(0, disc(c, TDI_DISCONNECT_ABORT, 0));
	pthread_join(cc.thread, NULL);
	EXPECT_EQ(-1, cc.ret);
	EXPECT_EQ(ECONNABORTED, cc.err) TH_LOG("connect: %s", strerror(cc.err));
	EXPECT_EQ(TDI_STATE_BOUND, info_of(c).state);
	EXPECT_EQ(TDI_REASON_ABORT, reason_of(c));
	s = reconnect(_metadata, self, c);
	ASSERT_LE(0, s);
	EXPECT_EQ(0, exchange(c, s, 100, 9));
	close(s);
	close(c);
}

/* A release we wait for ends in ECONNRESET when the peer aborts instead. */
TEST_F(conn, disconnect_release_peer_aborts)
{
	struct disc_call dc;
	char buf[8];
	int c, s;

	pair(_metadata, self, variant->type, &c, &s);
	timeouts(s);
	ASSERT_EQ(0, disc_start(&dc, c, TDI_DISCONNECT_RELEASE, 10000));
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));	/* EOF */
	EXPECT_EQ(0, disc(s, TDI_DISCONNECT_ABORT, 0));
	pthread_join(dc.thread, NULL);
	EXPECT_EQ(-1, dc.ret);
	EXPECT_EQ(ECONNRESET, dc.err) TH_LOG("release: %s", strerror(dc.err));
	EXPECT_EQ(TDI_REASON_ABORT, reason_of(c));
	close(c);
	close(s);
}

struct blocked_recv {
	pthread_t thread;
	int fd, oob, ret, err;
};

static void *blocked_recv_main(void *arg)
{
	struct blocked_recv *br = arg;
	char buf[64];

	br->ret = recv(br->fd, buf, sizeof(buf), br->oob ? MSG_OOB : 0);
	br->err = errno;
	return NULL;
}

/* Two calls blocked on @fd: br[0] a recv(), br[1] a recv(MSG_OOB). */
static int blocked_recvs_start(struct blocked_recv *br, int fd)
{
	int i;

	for (i = 0; i < 2; i++) {
		br[i].fd = fd;
		br[i].oob = i;
		if (pthread_create(&br[i].thread, NULL, blocked_recv_main, &br[i]))
			return -1;
	}
	usleep(300000);
	return 0;
}

/* Calls blocked on the endpoint return ECONNABORTED when it aborts. */
TEST_F(conn, disconnect_abort_wakes_blocked)
{
	struct blocked_recv br[2];
	int c, s, i;

	pair(_metadata, self, variant->type, &c, &s);
	timeouts(c);
	ASSERT_EQ(0, blocked_recvs_start(br, c));
	EXPECT_EQ(0, disc(c, TDI_DISCONNECT_ABORT, 0));
	for (i = 0; i < 2; i++) {
		pthread_join(br[i].thread, NULL);
		EXPECT_EQ(-1, br[i].ret);
		EXPECT_EQ(ECONNABORTED, br[i].err) TH_LOG("%s: %s", i ? "recv(MSG_OOB)" : "recv",
							  strerror(br[i].err));
	}
	EXPECT_EQ(0, wait_state(s, TDI_STATE_BOUND, 5000));
	EXPECT_EQ(TDI_REASON_ABORT, reason_of(s));
	close(c);
	close(s);
}

/*
 * The peer's abort is told to every call until the endpoint is used again:
 * both calls blocked when it came (one of them takes sk_err, the other
 * still gets ECONNRESET), and every later recv, recv(MSG_OOB) and send;
 * poll keeps POLLERR and POLLHUP.  Reuse clears it.  (Before: sock_error()
 * consumed the error, and later calls saw EOF or EPIPE.)
 */
TEST_F(conn, peer_abort_sticky)
{
	struct pollfd pfd = { .events = POLLIN | POLLOUT };
	struct blocked_recv br[2];
	int c, s, s2, i, err = -1;
	socklen_t len = sizeof(err);
	char buf[8];

	pair(_metadata, self, variant->type, &c, &s);
	timeouts(c);
	ASSERT_EQ(0, blocked_recvs_start(br, c));
	EXPECT_EQ(0, disc(s, TDI_DISCONNECT_ABORT, 0));
	for (i = 0; i < 2; i++) {
		pthread_join(br[i].thread, NULL);
		EXPECT_EQ(-1, br[i].ret);
		EXPECT_EQ(ECONNRESET, br[i].err) TH_LOG("%s: %s", i ? "recv(MSG_OOB)" : "recv",
							strerror(br[i].err));
	}
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(-1, recv(c, buf, sizeof(buf), 0));
		EXPECT_EQ(ECONNRESET, errno);
		EXPECT_EQ(-1, recv(c, buf, sizeof(buf), MSG_OOB));
		EXPECT_EQ(ECONNRESET, errno);
		EXPECT_EQ(-1, send(c, "x", 1, MSG_NOSIGNAL));
		EXPECT_EQ(ECONNRESET, errno);
	}
	/* SO_ERROR reports a pending error once; the calls go on failing */
	EXPECT_EQ(0, getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(-1, send(c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ECONNRESET, errno);
	pfd.fd = c;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLERR | POLLHUP, pfd.revents & (POLLERR | POLLHUP));
	EXPECT_EQ(TDI_REASON_ABORT, reason_of(c));
	/* used again: nothing left over */
	s2 = reconnect(_metadata, self, c);
	ASSERT_LE(0, s2);
	EXPECT_EQ(0, exchange(c, s2, 1000, 7));
	EXPECT_EQ(0, poll(&pfd, 1, 0) == 1 ? pfd.revents & POLLERR : 0);
	EXPECT_EQ(-1, recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(s2);
	close(c);
	close(s);
}

static int sigusr1_seen;

static void on_sigusr1(int sig)
{
	__atomic_fetch_add(&sigusr1_seen, 1, __ATOMIC_SEQ_CST);
}

struct kick {
	pthread_t thread, target;
	int ms;
};

static void *kick_main(void *arg)
{
	struct kick *k = arg;

	usleep(k->ms * 1000);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

/*
 * A signal during a blocking connect(): with SA_RESTART the call is
 * restarted and goes on waiting, and completes; without, it returns EINTR
 * and the connection goes on in the background: the next connect() waits
 * for it.  (Before: the restarted call returned EALREADY at once, found
 * by tdi_semantics when a helper thread's system() raised SIGCHLD.)
 */
TEST_F(conn, connect_signal_restart)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct kick k = { .ms = 300 };
	int c, s, i;

	ASSERT_EQ(0, qdisc_add(self->na, "va", "delay 1s"));
	for (i = 0; i < 2; i++) {
		sa.sa_flags = i ? 0 : SA_RESTART;
		ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
		__atomic_store_n(&sigusr1_seen, 0, __ATOMIC_SEQ_CST);
		c = sock_in(self->nsa, variant->type);
		ASSERT_LE(0, c);
		k.target = pthread_self();
		ASSERT_EQ(0, pthread_create(&k.thread, NULL, kick_main, &k));
		if (i) {
			EXPECT_EQ(-1, connect_to(c, mac_b, PORT));
			EXPECT_EQ(EINTR, errno);
			EXPECT_EQ(TDI_STATE_CONNECTING, info_of(c).state);
		}
		EXPECT_EQ(0, connect_to(c, mac_b, PORT)) {
			TH_LOG("%s: %s", i ? "after EINTR" : "SA_RESTART",
			       strerror(errno));
		}
		pthread_join(k.thread, NULL);
		EXPECT_EQ(1, __atomic_load_n(&sigusr1_seen, __ATOMIC_SEQ_CST));
		s = accept(self->lfd, NULL, NULL);
		ASSERT_LE(0, s);
		close(s);
		close(c);
	}
	signal(SIGUSR1, SIG_DFL);
}

TEST_HARNESS_MAIN
