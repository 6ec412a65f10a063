// SPDX-License-Identifier: GPL-2.0
/*
 * The TDI semantics of AF_TDI (SPEC section 1), seen from socket(): two
 * network namespaces joined by a veth pair, once per endpoint type.
 * Namespace "a" is node 02:00:00:00:00:0a, "b" is 02:00:00:00:00:0b.
 *
 * Rows covered so far: address objects and association
 * (TDI_ASSOCIATE_ADDRESS, TDI_DISASSOCIATE_ADDRESS), TDI_CONNECTION_CONTEXT,
 * listen filters (TDI_LISTEN_FILTER), the TDI form of listen
 * (SIOCTDILISTEN), query-accept (TDI_QUERY_ACCEPT, TDI_ACCEPT,
 * TDI_REJECT, offer_timeout_ms), user data on connect, accept, reject,
 * release and abort, every ending followed by reuse of the endpoint,
 * expedited data overtaking queued data and cutting a recv() short,
 * datagrams.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <linux/sockios.h>
#include <linux/tdi.h>

#include "kselftest_harness.h"
#include "tdi_util.h"

static const unsigned char mac_a[6] = { 2, 0, 0, 0, 0, 0x0a };
static const unsigned char mac_b[6] = { 2, 0, 0, 0, 0, 0x0b };

/* The namespaces are made by the first test and removed at exit. */
static pid_t main_pid;

static void __attribute__((constructor)) sem_init(void)
{
	main_pid = getpid();
}

static void __attribute__((destructor)) sem_exit(void)
{
	char cmd[128];

	if (getpid() != main_pid)
		return;
	snprintf(cmd, sizeof(cmd),
		 "ip netns del tdsa%d 2>/dev/null; ip netns del tdsb%d 2>/dev/null",
		 main_pid, main_pid);
	if (system(cmd))
		return;
}

FIXTURE(tdi) {
	int nsa, nsb;
	int port;		/* a port of this test's own */
};

FIXTURE_VARIANT(tdi) {
	int type;
};

FIXTURE_VARIANT_ADD(tdi, stream) {
	.type = SOCK_STREAM,
};

FIXTURE_VARIANT_ADD(tdi, seqpacket) {
	.type = SOCK_SEQPACKET,
};

/* Namespaces a and b joined by a veth pair, made once and shared. */
static void two_ns(struct __test_metadata *_metadata, int *nsa, int *nsb)
{
	char na[32], nb[32];

	snprintf(na, sizeof(na), "tdsa%d", main_pid);
	snprintf(nb, sizeof(nb), "tdsb%d", main_pid);
	*nsa = netns_fd(na);
	*nsb = netns_fd(nb);
	if (*nsa < 0 || *nsb < 0) {
		ASSERT_EQ(0, run("ip netns add %s && ip netns add %s", na, nb));
		ASSERT_EQ(0, run("ip link add va netns %s type veth peer name vb netns %s",
				 na, nb));
		ASSERT_EQ(0, run("ip -n %s link set va address 02:00:00:00:00:0a up",
				 na));
		ASSERT_EQ(0, run("ip -n %s link set vb address 02:00:00:00:00:0b up",
				 nb));
		*nsa = netns_fd(na);
		*nsb = netns_fd(nb);
	}
	ASSERT_LE(0, *nsa);
	ASSERT_LE(0, *nsb);
}

FIXTURE_SETUP(tdi)
{
	tdi_case_filter(_metadata->name);
	two_ns(_metadata, &self->nsa, &self->nsb);
	/* what a test may change, back to the default */
	ASSERT_EQ(0, sysctl_in(self->nsb, "max_offers", "1024"));
	ASSERT_EQ(0, sysctl_in(self->nsb, "offer_timeout_ms", "30000"));
	/* each test in a process of its own: ports do not collide */
	self->port = 10000 + getpid() % 30000;
}

FIXTURE_TEARDOWN(tdi)
{
	/* a test that stopped half-way may have left its qdisc */
	run("tc -n tdsa%d qdisc del dev va root 2>/dev/null", main_pid);
	run("tc -n tdsb%d qdisc del dev vb root 2>/dev/null", main_pid);
	close(self->nsa);
	close(self->nsb);
}

/* An address object bound to @port of namespace @ns (0: any port). */
static int addr_obj(int ns, int port)
{
	struct sockaddr_tdi sa;
	int fd = sock_in(ns, SOCK_DGRAM);

	if (fd < 0)
		return -1;
	sa_of(&sa, NULL, port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int associate(int ep, int addr_fd)
{
	return setsockopt(ep, SOL_TDI, TDI_ASSOCIATE_ADDRESS, &addr_fd,
			  sizeof(addr_fd));
}

static int disassociate(int ep)
{
	return setsockopt(ep, SOL_TDI, TDI_DISASSOCIATE_ADDRESS, NULL, 0);
}

/* The port getsockname() shows for @fd, or -1. */
static int port_of(int fd)
{
	struct sockaddr_tdi sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len))
		return -1;
	return ntohs(sa.stdi_port);
}

/* Whether @port of namespace @ns can be bound now. */
static int port_free(int ns, int port)
{
	int fd = addr_obj(ns, port);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/*
 * Many endpoints share one address object: in b, one listens on it (BSD
 * form) while another connects out from it to a listener in a; both
 * connections carry data at once, and every endpoint, the accepted one
 * too, shows the address object's port.
 */
TEST_F(tdi, associate_shared)
{
	int addr, l, out, la, c, s, sa_;

	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	l = socket(AF_TDI, variant->type, 0);	/* still in b */
	out = socket(AF_TDI, variant->type, 0);
	ASSERT_LE(0, l);
	ASSERT_LE(0, out);
	ASSERT_EQ(0, associate(l, addr));
	ASSERT_EQ(0, associate(out, addr));
	EXPECT_EQ(self->port, port_of(l));
	EXPECT_EQ(self->port, port_of(out));
	EXPECT_EQ(TDI_STATE_BOUND, info_of(out).state);
	ASSERT_EQ(0, listen(l, 4));

	la = listen_on(self->nsa, variant->type, self->port + 1, 4);
	ASSERT_LE(0, la);
	c = socket(AF_TDI, variant->type, 0);	/* in a */
	ASSERT_LE(0, c);
	timeouts(c);
	ASSERT_EQ(0, connect_to(c, mac_b, self->port));
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(self->port, port_of(s));

	ASSERT_EQ(0, setns(self->nsb, CLONE_NEWNET));
	timeouts(out);
	ASSERT_EQ(0, connect_to(out, mac_a, self->port + 1));
	sa_ = accept(la, NULL, NULL);
	ASSERT_LE(0, sa_);
	EXPECT_EQ(self->port, port_of(out));

	EXPECT_EQ(0, exchange(c, s, 3000, 1));
	EXPECT_EQ(0, exchange(out, sa_, 3000, 2));
	EXPECT_EQ(0, exchange(s, c, 3000, 3));
	EXPECT_EQ(0, exchange(sa_, out, 3000, 4));
	close(sa_);
	close(s);
	close(c);
	close(la);
	close(out);
	close(l);
	close(addr);
}

/*
 * An address object lives while its fd or any association holds it: its
 * port stays taken after its fd is closed, until the last associated
 * endpoint lets go (disassociates or is closed).
 */
TEST_F(tdi, associate_lifetime)
{
	int addr, e1, e2;

	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	e1 = socket(AF_TDI, variant->type, 0);
	e2 = socket(AF_TDI, variant->type, 0);
	ASSERT_EQ(0, associate(e1, addr));
	ASSERT_EQ(0, associate(e2, addr));
	close(addr);
	EXPECT_FALSE(port_free(self->nsb, self->port));
	EXPECT_EQ(self->port, port_of(e1));
	EXPECT_EQ(0, disassociate(e1));
	EXPECT_EQ(TDI_STATE_IDLE, info_of(e1).state);
	EXPECT_EQ(0, port_of(e1));
	EXPECT_FALSE(port_free(self->nsb, self->port));
	close(e2);
	EXPECT_TRUE(port_free(self->nsb, self->port));
	/* e1 is idle and may be associated anew, or bind */
	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	EXPECT_EQ(0, associate(e1, addr));
	EXPECT_EQ(self->port, port_of(e1));
	close(e1);
	close(addr);
	EXPECT_TRUE(port_free(self->nsb, self->port));
}

/* Every way association can be asked wrongly, with its errno. */
TEST_F(tdi, associate_errors)
{
	int addr, unbound, ep, ep2, other_ns, udp, pfd[2], lfd, dgram_addr;
	struct sockaddr_tdi sa;

	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	ep = socket(AF_TDI, variant->type, 0);
	ep2 = socket(AF_TDI, variant->type, 0);
	unbound = socket(AF_TDI, SOCK_DGRAM, 0);
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, ep);
	ASSERT_LE(0, ep2);
	ASSERT_LE(0, unbound);
	ASSERT_LE(0, udp);
	ASSERT_EQ(0, pipe(pfd));

	EXPECT_EQ(-1, associate(ep, -1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, associate(ep, 4095));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, associate(ep, pfd[0]));
	EXPECT_EQ(ENOTSOCK, errno);
	EXPECT_EQ(-1, associate(ep, udp));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, associate(ep, ep2));	/* an endpoint is no address */
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, associate(ep, ep));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, associate(ep, unbound));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(ep, SOL_TDI, TDI_ASSOCIATE_ADDRESS, &addr, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(ep, SOL_TDI, TDI_ASSOCIATE_ADDRESS, NULL,
				 sizeof(int)));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, disassociate(ep));	/* nothing to drop */
	EXPECT_EQ(EINVAL, errno);
	/* an address object associates with nothing */
	dgram_addr = addr_obj(self->nsb, 0);
	ASSERT_LE(0, dgram_addr);
	EXPECT_EQ(-1, associate(dgram_addr, addr));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, disassociate(dgram_addr));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* across namespaces */
	other_ns = addr_obj(self->nsa, self->port);
	ASSERT_LE(0, other_ns);
	ASSERT_EQ(0, setns(self->nsb, CLONE_NEWNET));
	EXPECT_EQ(-1, associate(ep, other_ns));
	EXPECT_EQ(EXDEV, errno);
	EXPECT_EQ(TDI_STATE_IDLE, info_of(ep).state);
	/* a second association, and one after bind() */
	ASSERT_EQ(0, associate(ep, addr));
	EXPECT_EQ(-1, associate(ep, addr));
	EXPECT_EQ(EISCONN, errno);
	EXPECT_EQ(-1, associate(ep, dgram_addr));
	EXPECT_EQ(EISCONN, errno);
	EXPECT_EQ(self->port, port_of(ep));
	lfd = socket(AF_TDI, variant->type, 0);
	ASSERT_LE(0, lfd);
	sa_of(&sa, NULL, self->port + 1);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(-1, associate(lfd, addr));
	EXPECT_EQ(EISCONN, errno);
	/* not while listening */
	ASSERT_EQ(0, listen(ep, 1));
	EXPECT_EQ(-1, disassociate(ep));
	EXPECT_EQ(EISCONN, errno);
	EXPECT_EQ(self->port, port_of(ep));
	close(lfd);
	close(other_ns);
	close(dgram_addr);
	close(pfd[0]);
	close(pfd[1]);
	close(udp);
	close(unbound);
	close(ep2);
	close(ep);
	close(addr);
}

/*
 * Disassociating needs an idle endpoint: EISCONN while connecting or
 * connected; once the connection ended the endpoint is idle again, still
 * associated (same port), may disassociate, and may connect again.
 */
TEST_F(tdi, associate_connected)
{
	int addr, la, c, s, s2, nb_l;
	char b;

	la = listen_on(self->nsa, variant->type, self->port + 1, 4);
	ASSERT_LE(0, la);
	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	c = socket(AF_TDI, variant->type, 0);
	ASSERT_LE(0, c);
	timeouts(c);
	ASSERT_EQ(0, associate(c, addr));
	ASSERT_EQ(0, connect_to(c, mac_a, self->port + 1));
	s = accept(la, NULL, NULL);
	ASSERT_LE(0, s);
	timeouts(s);
	EXPECT_EQ(-1, disassociate(c));
	EXPECT_EQ(EISCONN, errno);
	/* the peer releases, we release: the connection is over */
	ASSERT_EQ(0, shutdown(s, SHUT_WR));
	EXPECT_EQ(0, recv(c, &b, 1, 0));
	ASSERT_EQ(0, shutdown(c, SHUT_WR));
	EXPECT_EQ(0, recv(s, &b, 1, 0));
	ASSERT_TRUE(WAIT_FOR(info_of(c).state == TDI_STATE_BOUND));
	EXPECT_EQ(self->port, port_of(c));
	EXPECT_EQ(TDI_REASON_RELEASE, reason_of(c));
	/* reuse, still associated */
	ASSERT_EQ(0, connect_to(c, mac_a, self->port + 1));
	s2 = accept(la, NULL, NULL);
	ASSERT_LE(0, s2);
	EXPECT_EQ(0, exchange(c, s2, 2000, 5));
	EXPECT_EQ(self->port, port_of(c));
	close(s2);
	/* the peer released: c's side is still open */
	EXPECT_EQ(-1, disassociate(c));
	EXPECT_EQ(EISCONN, errno);
	close(c);
	/* an idle endpoint disassociates; its old reason stays readable */
	nb_l = socket(AF_TDI, variant->type, 0);
	ASSERT_LE(0, nb_l);
	ASSERT_EQ(0, associate(nb_l, addr));
	EXPECT_EQ(0, disassociate(nb_l));
	EXPECT_EQ(TDI_STATE_IDLE, info_of(nb_l).state);
	close(nb_l);
	close(s);
	close(addr);
	close(la);
}

/*
 * TDI_CONNECTION_CONTEXT: a __u64 of the client's own, 0 at first, kept
 * as set across a connection's end; an accepted endpoint has its own (0).
 * A short value or buffer is EINVAL; an address object has none.
 */
TEST_F(tdi, connection_context)
{
	__u64 ctx = 0x0123456789abcdefULL, got = 1;
	socklen_t len = sizeof(got);
	int ep, addr, l, c, s;
	char b;

	ep = sock_in(self->nsb, variant->type);
	ASSERT_LE(0, ep);
	EXPECT_EQ(0, getsockopt(ep, SOL_TDI, TDI_CONNECTION_CONTEXT, &got,
				&len));
	EXPECT_EQ(sizeof(got), len);
	EXPECT_EQ(0, got);
	ASSERT_EQ(0, setsockopt(ep, SOL_TDI, TDI_CONNECTION_CONTEXT, &ctx,
				sizeof(ctx)));
	len = sizeof(got);
	EXPECT_EQ(0, getsockopt(ep, SOL_TDI, TDI_CONNECTION_CONTEXT, &got,
				&len));
	EXPECT_EQ(ctx, got);
	EXPECT_EQ(-1, setsockopt(ep, SOL_TDI, TDI_CONNECTION_CONTEXT, &ctx, 4));
	EXPECT_EQ(EINVAL, errno);
	len = 4;
	EXPECT_EQ(-1, getsockopt(ep, SOL_TDI, TDI_CONNECTION_CONTEXT, &got,
				 &len));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(ep, SOL_TDI, TDI_CONNECTION_CONTEXT, NULL,
				 sizeof(ctx)));
	EXPECT_EQ(EFAULT, errno);
	addr = addr_obj(self->nsb, 0);
	ASSERT_LE(0, addr);
	EXPECT_EQ(-1, setsockopt(addr, SOL_TDI, TDI_CONNECTION_CONTEXT, &ctx,
				 sizeof(ctx)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	len = sizeof(got);
	EXPECT_EQ(-1, getsockopt(addr, SOL_TDI, TDI_CONNECTION_CONTEXT, &got,
				 &len));
	EXPECT_EQ(EOPNOTSUPP, errno);

	/* across a connection and its end */
	l = listen_on(self->nsa, variant->type, self->port, 4);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, setns(self->nsb, CLONE_NEWNET));
	timeouts(ep);
	ASSERT_EQ(0, connect_to(ep, mac_a, self->port));
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	got = 1;
	len = sizeof(got);
	EXPECT_EQ(0, getsockopt(s, SOL_TDI, TDI_CONNECTION_CONTEXT, &got,
				&len));
	EXPECT_EQ(0, got);
	close(s);
	EXPECT_EQ(0, recv(ep, &b, 1, 0));
	len = sizeof(got);
	EXPECT_EQ(0, getsockopt(ep, SOL_TDI, TDI_CONNECTION_CONTEXT, &got,
				&len));
	EXPECT_EQ(ctx, got);
	c = ep;
	close(c);
	close(l);
	close(addr);
}

static int set_filter(int fd, const unsigned char *node, int bits, int port)
{
	struct tdi_filter f;

	memset(&f, 0, sizeof(f));
	f.remote.stdi_family = AF_TDI;
	if (node)
		memcpy(f.remote.stdi_node, node, 6);
	f.node_prefix_bits = bits;
	f.port = htons(port);
	return setsockopt(fd, SOL_TDI, TDI_LISTEN_FILTER, &f, sizeof(f));
}

/* A connector in a, bound to @port (0: any), connected to @dport of b. */
static int connect_from(int nsa, int type, int port, int dport)
{
	struct sockaddr_tdi sa;
	int fd = sock_in(nsa, type);

	if (fd < 0)
		return -1;
	timeouts(fd);
	sa_of(&sa, NULL, port);
	if ((port && bind(fd, (struct sockaddr *)&sa, sizeof(sa))) ||
	    connect_to(fd, mac_b, dport)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * TDI_LISTEN_FILTER: two BSD listeners on one address object, one taking
 * offers from one remote port, the other from node a (48-bit prefix).
 * An offer goes to the oldest listener whose filter it passes; an offer
 * no listener passes is refused with TDI_REASON_NO_LISTENER.
 */
TEST_F(tdi, listen_filter)
{
	static const unsigned char other[6] = { 2, 0, 0, 0, 0, 0x77 };
	int addr, l1, l2, c, s, p1 = self->port + 1, p2 = self->port + 2;
	struct tdi_filter f;
	socklen_t len = sizeof(f);

	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	l1 = socket(AF_TDI, variant->type, 0);
	l2 = socket(AF_TDI, variant->type, 0);
	ASSERT_EQ(0, associate(l1, addr));
	ASSERT_EQ(0, associate(l2, addr));
	ASSERT_EQ(0, set_filter(l1, NULL, 0, p1));
	ASSERT_EQ(0, listen(l1, 4));
	ASSERT_EQ(0, listen(l2, 4));
	ASSERT_EQ(0, set_filter(l2, mac_a, 48, 0));	/* while listening */
	len = sizeof(f);
	ASSERT_EQ(0, getsockopt(l2, SOL_TDI, TDI_LISTEN_FILTER, &f, &len));
	EXPECT_EQ(sizeof(f), len);
	EXPECT_EQ(48, f.node_prefix_bits);
	EXPECT_EQ(0, memcmp(f.remote.stdi_node, mac_a, 6));

	/* from port p1: l1, the older listener */
	c = connect_from(self->nsa, variant->type, p1, self->port);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, fcntl(l2, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, fcntl(l1, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(POLLIN, wait_poll(l1, POLLIN, 5000));
	s = accept(l1, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(-1, accept(l2, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
	close(s);
	close(c);
	/* from p2: l1 does not take it, l2 (node a) does (each connector
	 * below binds a port of its own: a closed one keeps its port while
	 * its release completes)
	 */
	c = connect_from(self->nsa, variant->type, p2, self->port);
	ASSERT_LE(0, c);
	ASSERT_EQ(POLLIN, wait_poll(l2, POLLIN, 5000));
	s = accept(l2, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(-1, accept(l1, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, exchange(c, s, 1000, 3));
	close(s);
	close(c);
	/* l2 now wants another node: nothing takes an offer from p2 */
	ASSERT_EQ(0, set_filter(l2, other, 48, 0));
	EXPECT_EQ(-1, connect_from(self->nsa, variant->type, p2 + 1, self->port));
	EXPECT_EQ(ECONNREFUSED, errno);
	/* a prefix that covers a and other alike takes it again */
	ASSERT_EQ(0, set_filter(l2, other, 40, 0));
	c = connect_from(self->nsa, variant->type, p2 + 2, self->port);
	ASSERT_LE(0, c);
	ASSERT_EQ(POLLIN, wait_poll(l2, POLLIN, 5000));
	close(c);
	close(l1);
	close(l2);
	close(addr);
}

/* The reason of an offer no filter lets through, and bad filters. */
TEST_F(tdi, listen_filter_errors)
{
	static const unsigned char other[6] = { 2, 0, 0, 0, 0, 0x77 };
	struct tdi_filter f, zero;
	socklen_t len = sizeof(f);
	struct sockaddr_tdi sa;
	int l, c, addr;

	l = sock_in(self->nsb, variant->type);
	ASSERT_LE(0, l);
	memset(&zero, 0, sizeof(zero));
	memset(&f, 0xee, sizeof(f));
	ASSERT_EQ(0, getsockopt(l, SOL_TDI, TDI_LISTEN_FILTER, &f, &len));
	EXPECT_EQ(0, memcmp(&f, &zero, sizeof(f)));
	EXPECT_EQ(-1, set_filter(l, mac_a, 49, 0));
	EXPECT_EQ(EINVAL, errno);
	memset(&f, 0, sizeof(f));
	strcpy(f.remote.stdi_name, "NAME");
	EXPECT_EQ(-1, setsockopt(l, SOL_TDI, TDI_LISTEN_FILTER, &f, sizeof(f)));
	EXPECT_EQ(EINVAL, errno);
	memset(&f, 0, sizeof(f));
	f.remote.stdi_port = htons(5);
	EXPECT_EQ(-1, setsockopt(l, SOL_TDI, TDI_LISTEN_FILTER, &f, sizeof(f)));
	EXPECT_EQ(EINVAL, errno);
	f.reserved = 1;
	f.remote.stdi_port = 0;
	EXPECT_EQ(-1, setsockopt(l, SOL_TDI, TDI_LISTEN_FILTER, &f, sizeof(f)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(l, SOL_TDI, TDI_LISTEN_FILTER, &zero,
				 sizeof(zero) - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(l, SOL_TDI, TDI_LISTEN_FILTER, NULL,
				 sizeof(zero)));
	EXPECT_EQ(EFAULT, errno);
	len = sizeof(f) - 1;
	EXPECT_EQ(-1, getsockopt(l, SOL_TDI, TDI_LISTEN_FILTER, &f, &len));
	EXPECT_EQ(EINVAL, errno);
	addr = addr_obj(self->nsb, 0);
	ASSERT_LE(0, addr);
	EXPECT_EQ(-1, setsockopt(addr, SOL_TDI, TDI_LISTEN_FILTER, &zero,
				 sizeof(zero)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(addr);

	/* a single listener that wants another node */
	ASSERT_EQ(0, set_filter(l, other, 48, 0));
	sa_of(&sa, NULL, self->port);
	ASSERT_EQ(0, bind(l, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(l, 4));
	c = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, c);
	EXPECT_EQ(-1, connect_to(c, mac_b, self->port));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(TDI_REASON_NO_LISTENER, reason_of(c));
	/* the whole filter back to zero: every offer */
	ASSERT_EQ(0, setsockopt(l, SOL_TDI, TDI_LISTEN_FILTER, &zero,
				sizeof(zero)));
	EXPECT_EQ(0, connect_to(c, mac_b, self->port));
	close(c);
	close(l);
}

/* ---- User data ---- */

static int set_ud(int fd, int opt, const void *data, int len)
{
	return setsockopt(fd, SOL_TDI, opt, data, len);
}

/* The peer's user data of kind @opt into @buf: its length, or -1. */
static int get_ud(int fd, int opt, void *buf)
{
	socklen_t len = TDI_MAX_USER_DATA;

	memset(buf, 0xee, TDI_MAX_USER_DATA);
	if (getsockopt(fd, SOL_TDI, opt, buf, &len))
		return -1;
	return len;
}

/* A listener in b on @port with @accept_data (NULL: none). */
static int ud_listener(int nsb, int type, int port, const char *accept_data)
{
	int l = listen_on(nsb, type, port, 8);

	if (l >= 0 && accept_data &&
	    set_ud(l, TDI_ACCEPT_DATA, accept_data, strlen(accept_data))) {
		close(l);
		return -1;
	}
	return l;
}

/*
 * Connect data (up to 128 bytes) reaches the accepted endpoint; the
 * listener's accept data reaches the connector; each side reads only
 * what its peer sent.  129 bytes is EINVAL, length 0 clears, a buffer
 * shorter than the data is EINVAL.
 */
TEST_F(tdi, user_data_connect_accept)
{
	unsigned char cd[TDI_MAX_USER_DATA + 1], buf[TDI_MAX_USER_DATA];
	socklen_t len;
	int l, c, s;

	pattern(cd, sizeof(cd), 21);
	l = ud_listener(self->nsb, variant->type, self->port, "welcome, a");
	ASSERT_LE(0, l);
	c = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, c);
	timeouts(c);
	EXPECT_EQ(-1, set_ud(c, TDI_CONNECT_DATA, cd, TDI_MAX_USER_DATA + 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_ud(c, TDI_CONNECT_DATA, NULL, 10));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, set_ud(c, TDI_CONNECT_DATA, cd, TDI_MAX_USER_DATA));
	EXPECT_EQ(0, get_ud(c, TDI_CONNECT_DATA, buf));	/* the peer's: none */
	ASSERT_EQ(0, connect_to(c, mac_b, self->port));
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(TDI_MAX_USER_DATA, get_ud(s, TDI_CONNECT_DATA, buf));
	EXPECT_EQ(0, memcmp(buf, cd, TDI_MAX_USER_DATA));
	EXPECT_EQ(10, get_ud(c, TDI_ACCEPT_DATA, buf));
	EXPECT_EQ(0, memcmp(buf, "welcome, a", 10));
	EXPECT_EQ(0, get_ud(s, TDI_ACCEPT_DATA, buf));
	EXPECT_EQ(0, get_ud(c, TDI_DISCONNECT_DATA, buf));
	len = 9;
	EXPECT_EQ(-1, getsockopt(c, SOL_TDI, TDI_ACCEPT_DATA, buf, &len));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, exchange(c, s, 2000, 1));
	close(s);
	/* length 0 clears: the next connection carries none */
	ASSERT_EQ(0, set_ud(l, TDI_ACCEPT_DATA, NULL, 0));
	ASSERT_EQ(0, set_ud(c, TDI_CONNECT_DATA, NULL, 0));
	EXPECT_EQ(0, recv(c, buf, 1, 0));	/* s's release */
	ASSERT_EQ(0, shutdown(c, SHUT_WR));
	ASSERT_TRUE(WAIT_FOR(info_of(c).state == TDI_STATE_BOUND));
	ASSERT_EQ(0, connect_to(c, mac_b, self->port));
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(0, get_ud(s, TDI_CONNECT_DATA, buf));
	EXPECT_EQ(0, get_ud(c, TDI_ACCEPT_DATA, buf));
	close(s);
	close(c);
	close(l);
}

/* A connection from a (*c) to b's user-data listener *l, accepted as *s. */
static void ud_pair(struct __test_metadata *_metadata, int nsa, int nsb,
		    int type, int port, int *l, int *c, int *s)
{
	*l = ud_listener(nsb, type, port, NULL);
	ASSERT_LE(0, *l);
	*c = sock_in(nsa, type);
	ASSERT_LE(0, *c);
	timeouts(*c);
	ASSERT_EQ(0, connect_to(*c, mac_b, port));
	*s = accept(*l, NULL, NULL);
	ASSERT_LE(0, *s);
}

/*
 * An abort carries our disconnect data: the peer reads it (and the
 * reason) until its endpoint is used again.
 */
TEST_F(tdi, user_data_abort)
{
	struct tdi_disconnect d = { .flags = TDI_DISCONNECT_ABORT };
	unsigned char buf[TDI_MAX_USER_DATA];
	int l, c, s;

	ud_pair(_metadata, self->nsa, self->nsb, variant->type, self->port,
		&l, &c, &s);
	ASSERT_EQ(0, set_ud(s, TDI_DISCONNECT_DATA, "gone: 42", 8));
	ASSERT_EQ(0, ioctl(s, SIOCTDIDISCONNECT, &d));
	EXPECT_EQ(-1, recv(c, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(TDI_REASON_ABORT, reason_of(c));
	EXPECT_EQ(8, get_ud(c, TDI_DISCONNECT_DATA, buf));
	EXPECT_EQ(0, memcmp(buf, "gone: 42", 8));
	EXPECT_EQ(8, get_ud(c, TDI_DISCONNECT_DATA, buf));	/* still */
	/* used again: the last connection's data is gone */
	ASSERT_EQ(0, connect_to(c, mac_b, self->port));
	EXPECT_EQ(0, get_ud(c, TDI_DISCONNECT_DATA, buf));
	close(s);
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	close(s);
	close(c);
	close(l);
}

/*
 * Disconnect data travels with a release too, both ways: the side that
 * releases first sends its data with its RELEASE, the peer reads it at
 * EOF, releases with data of its own, and the first side reads that when
 * the release completes.  With a lossy link (a's frames lost 40 % of the
 * time) the retransmitted or out-of-order RELEASE still carries it.
 */
TEST_F_TIMEOUT(tdi, user_data_release, 120)
{
	struct tdi_disconnect d = { .flags = TDI_DISCONNECT_RELEASE,
				    .timeout_ms = 20000 };
	unsigned char big[TDI_MAX_USER_DATA], buf[TDI_MAX_USER_DATA];
	char data[4096];
	int l, c, s, i, round;
	ssize_t n, got;

	for (i = 0; i < TDI_MAX_USER_DATA; i++)
		big[i] = i * 5 + 1;
	l = ud_listener(self->nsb, variant->type, self->port, NULL);
	ASSERT_LE(0, l);
	for (round = 0; round < 2; round++) {
		if (round)	/* a's frames, RELEASE included, get lost */
			ASSERT_EQ(0, run("tc -n tdsa%d qdisc add dev va root netem loss 40%%",
					 main_pid));
		c = sock_in(self->nsa, variant->type);
		ASSERT_LE(0, c);
		timeouts(c);
		set_timeo(c, SO_SNDTIMEO, 30000);
		set_timeo(c, SO_RCVTIMEO, 30000);
		ASSERT_EQ(0, connect_to(c, mac_b, self->port));
		s = accept(l, NULL, NULL);
		ASSERT_LE(0, s);
		set_timeo(s, SO_RCVTIMEO, 30000);
		ASSERT_EQ(0, set_ud(c, TDI_DISCONNECT_DATA, big, sizeof(big)));
		ASSERT_EQ(0, set_ud(s, TDI_DISCONNECT_DATA, "b: bye", 6));
		/* data first, then the RELEASE right behind it */
		memset(data, 'd', sizeof(data));
		ASSERT_EQ((ssize_t)sizeof(data),
			  send(c, data, sizeof(data), MSG_NOSIGNAL));
		ASSERT_EQ(0, shutdown(c, SHUT_WR));
		for (got = 0; (n = recv(s, data, sizeof(data), 0)) > 0; )
			got += n;
		EXPECT_EQ(0, n);		/* EOF, not an error */
		EXPECT_EQ((ssize_t)sizeof(data), got);
		EXPECT_EQ(TDI_MAX_USER_DATA, get_ud(s, TDI_DISCONNECT_DATA, buf));
		EXPECT_EQ(0, memcmp(buf, big, sizeof(big)));
		/* b's release completes: a had released first */
		EXPECT_EQ(0, ioctl(s, SIOCTDIDISCONNECT, &d)) {
			TH_LOG("round %d: release: %s", round, strerror(errno));
		}
		EXPECT_EQ(0, recv(c, buf, sizeof(buf), 0));
		EXPECT_EQ(6, get_ud(c, TDI_DISCONNECT_DATA, buf));
		EXPECT_EQ(0, memcmp(buf, "b: bye", 6));
		/* each ends once its own RELEASE is acknowledged too (the
		 * call above returns when the peer's has come)
		 */
		EXPECT_TRUE(WAIT_FOR(reason_of(c) == TDI_REASON_RELEASE));
		EXPECT_TRUE(WAIT_FOR(reason_of(s) == TDI_REASON_RELEASE));
		/* each side reads what its peer sent, not its own */
		EXPECT_EQ(TDI_MAX_USER_DATA, get_ud(s, TDI_DISCONNECT_DATA, buf));
		if (round)
			run("tc -n tdsa%d qdisc del dev va root", main_pid);
		close(s);
		close(c);
	}
	close(l);
}

/*
 * The last acknowledgment of a release is lost: a has finished both sides
 * and forgotten the connection when b's RELEASE comes again, and answers
 * with a RESET (reason RELEASE).  That completes b's release and leaves
 * the disconnect data a's RELEASE brought.
 */
TEST_F_TIMEOUT(tdi, user_data_release_ack_lost, 60)
{
	struct tdi_disconnect d = { .flags = TDI_DISCONNECT_RELEASE,
				    .timeout_ms = 20000 };
	unsigned char buf[TDI_MAX_USER_DATA];
	int l, c, s;

	ud_pair(_metadata, self->nsa, self->nsb, variant->type, self->port,
		&l, &c, &s);
	timeouts(s);
	ASSERT_EQ(0, set_ud(c, TDI_DISCONNECT_DATA, "a: bye", 6));
	ASSERT_EQ(0, shutdown(c, SHUT_WR));
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(6, get_ud(s, TDI_DISCONNECT_DATA, buf));
	/* from here every frame from a is lost, its last ACK included */
	ASSERT_EQ(0, run("tc -n tdsa%d qdisc add dev va root netem loss 100%%",
			 main_pid));
	EXPECT_EQ(0, ioctl(s, SIOCTDIDISCONNECT, &d));
	EXPECT_EQ(0, recv(c, buf, sizeof(buf), 0));
	EXPECT_TRUE(WAIT_FOR(reason_of(c) == TDI_REASON_RELEASE));
	EXPECT_NE(TDI_REASON_RELEASE, reason_of(s));
	ASSERT_EQ(0, run("tc -n tdsa%d qdisc del dev va root", main_pid));
	/* b's RELEASE again; a knows nothing of it and says so */
	EXPECT_TRUE(WAIT_FOR(reason_of(s) == TDI_REASON_RELEASE));
	EXPECT_EQ(0, so_error(s));
	EXPECT_EQ(6, get_ud(s, TDI_DISCONNECT_DATA, buf));
	EXPECT_EQ(0, memcmp(buf, "a: bye", 6));
	close(s);
	close(c);
	close(l);
}

struct qdisc_del {
	pthread_t thread;
	char ns[32], dev[8];
	int ms;
};

static void *qdisc_del_main(void *arg)
{
	struct qdisc_del *q = arg;

	usleep(q->ms * 1000);
	run("tc -n %s qdisc del dev %s root", q->ns, q->dev);
	return NULL;
}

/*
 * User data survives retransmission: with every frame from a lost for a
 * while, the CONNECT that finally arrives carries the connect data; with
 * every frame from b lost, the ACCEPT the offer sends again carries the
 * accept data.
 */
TEST_F_TIMEOUT(tdi, user_data_retransmitted, 120)
{
	unsigned char buf[TDI_MAX_USER_DATA];
	struct qdisc_del q;
	int l, c, s, i;
	double t0;

	l = ud_listener(self->nsb, variant->type, self->port, "accept-data");
	ASSERT_LE(0, l);
	for (i = 0; i < 2; i++) {
		snprintf(q.ns, sizeof(q.ns), "tds%c%d", i ? 'b' : 'a', main_pid);
		snprintf(q.dev, sizeof(q.dev), "v%c", i ? 'b' : 'a');
		q.ms = 1500;
		ASSERT_EQ(0, run("tc -n %s qdisc add dev %s root netem loss 100%%",
				 q.ns, q.dev));
		c = sock_in(self->nsa, variant->type);
		ASSERT_LE(0, c);
		set_timeo(c, SO_SNDTIMEO, 20000);
		ASSERT_EQ(0, set_ud(c, TDI_CONNECT_DATA, "connect-data", 12));
		t0 = now_s();
		ASSERT_EQ(0, pthread_create(&q.thread, NULL, qdisc_del_main, &q));
		EXPECT_EQ(0, connect_to(c, mac_b, self->port)) {
			TH_LOG("%s lossy: %s", q.dev, strerror(errno));
		}
		/* the first set-up frames were lost: it took a while */
		EXPECT_LE(1.5, now_s() - t0);
		pthread_join(q.thread, NULL);
		s = accept(l, NULL, NULL);
		ASSERT_LE(0, s);
		EXPECT_EQ(12, get_ud(s, TDI_CONNECT_DATA, buf));
		EXPECT_EQ(0, memcmp(buf, "connect-data", 12));
		EXPECT_EQ(11, get_ud(c, TDI_ACCEPT_DATA, buf));
		EXPECT_EQ(0, memcmp(buf, "accept-data", 11));
		close(s);
		close(c);
	}
	close(l);
}

/*
 * A stateless cookie cannot keep connect data: an offer that carries
 * some while the offer table is full is refused
 * (TDI_REASON_INSUFFICIENT_RESOURCES), one without is answered with a
 * cookie and connects.
 */
TEST_F(tdi, user_data_no_cookie)
{
	int l, c, s;

	ASSERT_EQ(0, sysctl_in(self->nsb, "max_offers", "0"));
	l = ud_listener(self->nsb, variant->type, self->port, NULL);
	ASSERT_LE(0, l);
	c = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, c);
	timeouts(c);
	ASSERT_EQ(0, set_ud(c, TDI_CONNECT_DATA, "x", 1));
	EXPECT_EQ(-1, connect_to(c, mac_b, self->port));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(TDI_REASON_INSUFFICIENT_RESOURCES, reason_of(c));
	ASSERT_EQ(0, set_ud(c, TDI_CONNECT_DATA, NULL, 0));
	EXPECT_EQ(0, connect_to(c, mac_b, self->port));
	s = accept(l, NULL, NULL);
	EXPECT_LE(0, s);
	EXPECT_EQ(0, exchange(c, s, 100, 2));
	close(s);
	close(c);
	close(l);
}

/* ---- The TDI form of listen (SIOCTDILISTEN) and query-accept ---- */

/* A connect() in a thread of its own, for a listen that blocks meanwhile. */
struct bg_conn {
	pthread_t thread;
	int fd, port, ret, err;
	double secs;
	int done;	/* atomic: the test reads it while the thread runs */
};

static void *bg_conn_main(void *arg)
{
	struct bg_conn *b = arg;
	double t0 = now_s();

	b->ret = connect_to(b->fd, mac_b, b->port);
	b->err = errno;
	b->secs = now_s() - t0;
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* connect() @fd (made in a) to @port of b in the background. */
static int bg_connect(struct bg_conn *b, int fd, int port)
{
	memset(b, 0, sizeof(*b));
	b->fd = fd;
	b->port = port;
	return pthread_create(&b->thread, NULL, bg_conn_main, b);
}

/* A send() of @len bytes in a thread of its own, while the test reads. */
struct bg_send {
	pthread_t thread;
	int fd;
	const void *buf;
	size_t len;
	ssize_t ret;
};

static void *bg_send_main(void *arg)
{
	struct bg_send *b = arg;

	b->ret = send(b->fd, b->buf, b->len, MSG_NOSIGNAL);
	return NULL;
}

/* The background connect()'s result, errno set as it left it. */
static int bg_join(struct bg_conn *b)
{
	pthread_join(b->thread, NULL);
	errno = b->err;
	return b->ret;
}

/* An endpoint of type @type in b associated with address object @addr. */
static int ep_on(int nsb, int type, int addr)
{
	int e = sock_in(nsb, type);

	if (e < 0)
		return -1;
	if (associate(e, addr)) {
		close(e);
		return -1;
	}
	return e;
}

/* SIOCTDILISTEN on @fd with @flags, @timeout_ms and no filter. */
static int tdi_listen(int fd, unsigned int flags, int timeout_ms)
{
	struct tdi_listen l;

	memset(&l, 0, sizeof(l));
	l.flags = flags;
	l.timeout_ms = timeout_ms;
	return ioctl(fd, SIOCTDILISTEN, &l);
}

static void nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Both sides release; 0 when both see the orderly end. */
static int release_both(int c, int s)
{
	struct tdi_disconnect d = { .flags = TDI_DISCONNECT_RELEASE,
				    .timeout_ms = 10000 };
	char x;

	if (shutdown(c, SHUT_WR) || recv(s, &x, 1, 0) != 0 ||
	    ioctl(s, SIOCTDIDISCONNECT, &d) || recv(c, &x, 1, 0) != 0)
		return -1;
	return 0;
}

/*
 * SIOCTDILISTEN: the listening endpoint itself becomes the connection,
 * with the connect and accept data exchanged; blocking, the call returns
 * once connected.  After a release the same fd listens again,
 * non-blocking: EINPROGRESS, then POLLOUT when a connect comes.
 */
TEST_F(tdi, tdi_listen_connects)
{
	unsigned char buf[TDI_MAX_USER_DATA];
	struct sockaddr_tdi sa;
	socklen_t len = sizeof(sa);
	struct bg_conn b;
	int addr, e, c;

	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	e = ep_on(self->nsb, variant->type, addr);
	ASSERT_LE(0, e);
	timeouts(e);
	ASSERT_EQ(0, set_ud(e, TDI_ACCEPT_DATA, "e-accepts", 9));
	c = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, c);
	timeouts(c);
	ASSERT_EQ(0, set_ud(c, TDI_CONNECT_DATA, "c-offers", 8));
	ASSERT_EQ(0, bg_connect(&b, c, self->port));
	EXPECT_EQ(0, tdi_listen(e, 0, 0)) {
		TH_LOG("SIOCTDILISTEN: %s", strerror(errno));
	}
	EXPECT_EQ(0, bg_join(&b)) {
		TH_LOG("connect: %s, reason %d", strerror(errno), reason_of(c));
	}
	EXPECT_EQ(TDI_STATE_CONNECTED, info_of(e).state);
	ASSERT_EQ(0, getpeername(e, (struct sockaddr *)&sa, &len));
	EXPECT_EQ(0, memcmp(sa.stdi_node, mac_a, 6));
	EXPECT_EQ(port_of(c), ntohs(sa.stdi_port));
	EXPECT_EQ(self->port, port_of(e));
	EXPECT_EQ(8, get_ud(e, TDI_CONNECT_DATA, buf));
	EXPECT_EQ(0, memcmp(buf, "c-offers", 8));
	EXPECT_EQ(9, get_ud(c, TDI_ACCEPT_DATA, buf));
	EXPECT_EQ(0, memcmp(buf, "e-accepts", 9));
	EXPECT_EQ(0, exchange(c, e, 4000, 1));
	EXPECT_EQ(0, exchange(e, c, 4000, 2));
	ASSERT_EQ(0, release_both(c, e));
	close(c);
	/* idle once our RELEASE is acknowledged too */
	ASSERT_TRUE(WAIT_FOR(info_of(e).state == TDI_STATE_BOUND));
	EXPECT_EQ(TDI_REASON_RELEASE, reason_of(e));

	/* the same fd, still associated, listens again: non-blocking */
	nonblock(e);
	EXPECT_EQ(-1, tdi_listen(e, 0, 0));
	EXPECT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(0, wait_poll(e, POLLIN | POLLOUT, 0));
	EXPECT_EQ(TDI_STATE_LISTENING, info_of(e).state);
	c = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, c);
	timeouts(c);
	EXPECT_EQ(0, connect_to(c, mac_b, self->port));
	EXPECT_TRUE(wait_poll(e, POLLOUT, 5000) & POLLOUT);
	EXPECT_EQ(0, get_ud(e, TDI_CONNECT_DATA, buf));	/* this one had none */
	EXPECT_EQ(0, exchange(e, c, 1000, 3));
	close(c);
	close(e);
	close(addr);
}

/*
 * Pending TDI-form listens on one address object are served in the order
 * they were made; each endpoint gets its own offer (told apart by the
 * connect data); with none left, an offer is refused NO_LISTENER.
 */
TEST_F(tdi, tdi_listen_fifo)
{
	unsigned char buf[TDI_MAX_USER_DATA];
	int addr, e[3], c[3], i, x;

	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	for (i = 0; i < 3; i++) {
		e[i] = ep_on(self->nsb, variant->type, addr);
		ASSERT_LE(0, e[i]);
		nonblock(e[i]);
		ASSERT_EQ(-1, tdi_listen(e[i], 0, 0));
		ASSERT_EQ(EINPROGRESS, errno);
	}
	for (i = 0; i < 3; i++) {
		char d = '0' + i;

		c[i] = sock_in(self->nsa, variant->type);
		ASSERT_LE(0, c[i]);
		timeouts(c[i]);
		ASSERT_EQ(0, set_ud(c[i], TDI_CONNECT_DATA, &d, 1));
		ASSERT_EQ(0, connect_to(c[i], mac_b, self->port));
		EXPECT_TRUE(wait_poll(e[i], POLLOUT, 5000) & POLLOUT);
		for (x = i + 1; x < 3; x++)
			EXPECT_EQ(TDI_STATE_LISTENING, info_of(e[x]).state);
		EXPECT_EQ(1, get_ud(e[i], TDI_CONNECT_DATA, buf));
		EXPECT_EQ(d, buf[0]);
		EXPECT_EQ(0, exchange(c[i], e[i], 100, i));
	}
	x = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, x);
	timeouts(x);
	EXPECT_EQ(-1, connect_to(x, mac_b, self->port));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(TDI_REASON_NO_LISTENER, reason_of(x));
	close(x);
	for (i = 0; i < 3; i++) {
		close(c[i]);
		close(e[i]);
	}
	close(addr);
}

/*
 * timeout_ms ends a listen with ETIMEDOUT (reason TIMEOUT); an offer
 * after it finds no listener.  Non-blocking, the end shows in poll
 * (POLLERR) and SO_ERROR.  The endpoint listens again after either.
 */
TEST_F(tdi, tdi_listen_timeout)
{
	int addr, e, c;
	double t0, dt;

	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	e = ep_on(self->nsb, variant->type, addr);
	ASSERT_LE(0, e);
	t0 = now_s();
	EXPECT_EQ(-1, tdi_listen(e, 0, 300));
	EXPECT_EQ(ETIMEDOUT, errno);
	dt = now_s() - t0;
	EXPECT_LE(0.25, dt);
	EXPECT_GE(3.0, dt);
	EXPECT_EQ(TDI_REASON_TIMEOUT, reason_of(e));
	EXPECT_EQ(TDI_STATE_BOUND, info_of(e).state);
	c = connect_from(self->nsa, variant->type, 0, self->port);
	EXPECT_EQ(-1, c);
	EXPECT_EQ(ECONNREFUSED, errno);

	nonblock(e);
	EXPECT_EQ(-1, tdi_listen(e, 0, 300));
	EXPECT_EQ(EINPROGRESS, errno);
	EXPECT_TRUE(wait_poll(e, POLLIN, 3000) & POLLERR);
	EXPECT_EQ(ETIMEDOUT, so_error(e));
	EXPECT_EQ(TDI_REASON_TIMEOUT, reason_of(e));

	/* and again, with no limit (-1): it takes the next offer */
	EXPECT_EQ(-1, tdi_listen(e, 0, -1));
	EXPECT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(0, wait_poll(e, POLLIN | POLLOUT, 500));
	c = connect_from(self->nsa, variant->type, 0, self->port);
	EXPECT_LE(0, c);
	EXPECT_TRUE(wait_poll(e, POLLOUT, 5000) & POLLOUT);
	EXPECT_EQ(TDI_REASON_NONE, reason_of(e));
	close(c);
	close(e);
	close(addr);
}

/*
 * SIOCTDILISTEN's errors: no address object, bad flags, time-out or
 * filter (EINVAL), a bad pointer (EFAULT), a listen pending (EALREADY),
 * a BSD listener (EINVAL), a connected endpoint (EISCONN), an address
 * object (EOPNOTSUPP).  A pending listen does not connect, accept or
 * listen(); closed, it takes no offer.
 */
TEST_F(tdi, tdi_listen_errors)
{
	struct tdi_listen l;
	int addr, e, l2, c, s;

	e = sock_in(self->nsb, variant->type);
	ASSERT_LE(0, e);
	EXPECT_EQ(-1, tdi_listen(e, 0, 0));
	EXPECT_EQ(EINVAL, errno);		/* not associated */
	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	ASSERT_EQ(0, associate(e, addr));
	EXPECT_EQ(-1, tdi_listen(e, 0x80, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, tdi_listen(e, 0, -2));
	EXPECT_EQ(EINVAL, errno);
	memset(&l, 0, sizeof(l));
	l.filter.node_prefix_bits = 49;
	EXPECT_EQ(-1, ioctl(e, SIOCTDILISTEN, &l));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(e, SIOCTDILISTEN, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(addr, SIOCTDILISTEN, &l));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(TDI_STATE_BOUND, info_of(e).state);	/* nothing changed */

	nonblock(e);
	ASSERT_EQ(-1, tdi_listen(e, 0, 0));
	ASSERT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(-1, tdi_listen(e, 0, 0));
	EXPECT_EQ(EALREADY, errno);
	EXPECT_EQ(-1, listen(e, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, accept(e, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, connect_to(e, mac_a, self->port));
	EXPECT_EQ(EINVAL, errno);
	close(e);			/* withdrawn: nobody listens */
	c = connect_from(self->nsa, variant->type, 0, self->port);
	EXPECT_EQ(-1, c);
	EXPECT_EQ(ECONNREFUSED, errno);

	l2 = ep_on(self->nsb, variant->type, addr);
	ASSERT_LE(0, l2);
	ASSERT_EQ(0, listen(l2, 4));
	EXPECT_EQ(-1, tdi_listen(l2, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	c = connect_from(self->nsa, variant->type, 0, self->port);
	ASSERT_LE(0, c);
	s = accept(l2, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(-1, tdi_listen(s, 0, 0));
	EXPECT_EQ(EISCONN, errno);
	EXPECT_EQ(-1, tdi_listen(c, 0, 0));
	EXPECT_EQ(EISCONN, errno);
	close(s);
	close(c);
	close(l2);
	close(addr);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * SIOCTDILISTEN's other errors: a signal ends a blocking listen with
 * EINTR and withdraws it (an offer is then refused NO_LISTENER, and the
 * endpoint listens again); a connect in progress is EALREADY; an
 * endpoint holding an offer is EISCONN.
 */
TEST_F(tdi, tdi_listen_interrupted_and_busy)
{
	static const unsigned char nobody[6] = { 2, 0, 0, 0, 0, 0x99 };
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	int addr, e, c;
	struct bg_conn b;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	e = ep_on(self->nsb, variant->type, addr);
	ASSERT_LE(0, e);
	alarm(1);
	EXPECT_EQ(-1, tdi_listen(e, 0, 0));
	EXPECT_EQ(EINTR, errno);
	alarm(0);
	EXPECT_EQ(TDI_STATE_BOUND, info_of(e).state);
	c = connect_from(self->nsa, variant->type, 0, self->port);
	EXPECT_EQ(-1, c);
	EXPECT_EQ(ECONNREFUSED, errno);

	/* a connect in progress */
	nonblock(e);
	EXPECT_EQ(-1, connect_to(e, nobody, self->port));
	EXPECT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(-1, tdi_listen(e, 0, 0));
	EXPECT_EQ(EALREADY, errno);
	close(e);

	/* an offer held for a decision */
	e = ep_on(self->nsb, variant->type, addr);
	ASSERT_LE(0, e);
	nonblock(e);
	ASSERT_EQ(-1, tdi_listen(e, TDI_QUERY_ACCEPT, 0));
	ASSERT_EQ(EINPROGRESS, errno);
	c = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, c);
	timeouts(c);
	ASSERT_EQ(0, bg_connect(&b, c, self->port));
	EXPECT_TRUE(wait_poll(e, POLLIN, 5000) & POLLIN);
	EXPECT_EQ(TDI_STATE_OFFERED, info_of(e).state);
	EXPECT_EQ(-1, tdi_listen(e, 0, 0));
	EXPECT_EQ(EISCONN, errno);
	EXPECT_EQ(0, setsockopt(e, SOL_TDI, TDI_ACCEPT, NULL, 0));
	EXPECT_EQ(0, bg_join(&b));
	EXPECT_EQ(0, exchange(c, e, 100, 4));
	close(c);
	close(e);
	close(addr);
}

/*
 * A TDI-form listen's filter: of two listens, the older takes only offers
 * from one remote port, the other only node a; each offer goes to the
 * first listen it passes.
 */
TEST_F(tdi, tdi_listen_filter)
{
	int addr, e1, e2, c1, c2, port1 = self->port + 1;
	struct tdi_listen l;

	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	e1 = ep_on(self->nsb, variant->type, addr);
	e2 = ep_on(self->nsb, variant->type, addr);
	ASSERT_LE(0, e1);
	ASSERT_LE(0, e2);
	nonblock(e1);
	nonblock(e2);
	memset(&l, 0, sizeof(l));
	l.filter.remote.stdi_family = AF_TDI;
	l.filter.port = htons(port1);
	EXPECT_EQ(-1, ioctl(e1, SIOCTDILISTEN, &l));
	EXPECT_EQ(EINPROGRESS, errno);
	memset(&l, 0, sizeof(l));
	l.filter.remote.stdi_family = AF_TDI;
	memcpy(l.filter.remote.stdi_node, mac_a, 6);
	l.filter.node_prefix_bits = 48;
	EXPECT_EQ(-1, ioctl(e2, SIOCTDILISTEN, &l));
	EXPECT_EQ(EINPROGRESS, errno);
	/* from another port than e1's: e2 */
	c2 = connect_from(self->nsa, variant->type, port1 + 1, self->port);
	ASSERT_LE(0, c2);
	EXPECT_TRUE(wait_poll(e2, POLLOUT, 5000) & POLLOUT);
	EXPECT_EQ(TDI_STATE_LISTENING, info_of(e1).state);
	/* from e1's port: e1 */
	c1 = connect_from(self->nsa, variant->type, port1, self->port);
	ASSERT_LE(0, c1);
	EXPECT_TRUE(wait_poll(e1, POLLOUT, 5000) & POLLOUT);
	EXPECT_EQ(0, exchange(c1, e1, 100, 1));
	EXPECT_EQ(0, exchange(c2, e2, 100, 2));
	close(c1);
	close(c2);
	close(e1);
	close(e2);
	close(addr);
}

/*
 * Query-accept, TDI form: the listen completes with the endpoint OFFERED
 * (POLLIN; getpeername() and TDI_CONNECT_DATA show the offer; send and
 * recv are ENOTCONN); the connector waits past its own connect time-out
 * (HOLD) until TDI_ACCEPT, which sends the accept data; data the
 * connector sends at once arrives.  TDI_ACCEPT takes no value, and there
 * is nothing to accept twice.
 */
TEST_F_TIMEOUT(tdi, query_accept_tdi, 60)
{
	unsigned char buf[TDI_MAX_USER_DATA];
	struct sockaddr_tdi sa;
	socklen_t len = sizeof(sa);
	struct bg_conn b;
	int addr, e, c, one = 1;

	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	e = ep_on(self->nsb, variant->type, addr);
	ASSERT_LE(0, e);
	timeouts(e);
	c = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, c);
	timeouts(c);
	set_timeo(c, SO_SNDTIMEO, 1000);	/* its connect time-out */
	ASSERT_EQ(0, set_ud(c, TDI_CONNECT_DATA, "may I?", 6));
	ASSERT_EQ(0, bg_connect(&b, c, self->port));
	EXPECT_EQ(0, tdi_listen(e, TDI_QUERY_ACCEPT, 0)) {
		TH_LOG("SIOCTDILISTEN: %s", strerror(errno));
	}
	EXPECT_EQ(TDI_STATE_OFFERED, info_of(e).state);
	EXPECT_EQ(POLLIN, wait_poll(e, POLLIN | POLLOUT, 0) & ~POLLRDNORM);
	ASSERT_EQ(0, getpeername(e, (struct sockaddr *)&sa, &len));
	EXPECT_EQ(0, memcmp(sa.stdi_node, mac_a, 6));
	EXPECT_EQ(6, get_ud(e, TDI_CONNECT_DATA, buf));
	EXPECT_EQ(0, memcmp(buf, "may I?", 6));
	EXPECT_EQ(-1, send(e, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, recv(e, buf, 1, MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, setsockopt(e, SOL_TDI, TDI_ACCEPT, &one, sizeof(one)));
	EXPECT_EQ(EINVAL, errno);
	/* well past the connector's 1 s: it still waits */
	usleep(2500000);
	EXPECT_FALSE(__atomic_load_n(&b.done, __ATOMIC_ACQUIRE));
	EXPECT_EQ(TDI_STATE_OFFERED, info_of(e).state);
	ASSERT_EQ(0, set_ud(e, TDI_ACCEPT_DATA, "welcome", 7));
	EXPECT_EQ(0, setsockopt(e, SOL_TDI, TDI_ACCEPT, NULL, 0));
	EXPECT_EQ(0, bg_join(&b)) {
		TH_LOG("connect: %s, reason %d", strerror(errno), reason_of(c));
	}
	EXPECT_LE(2.5, b.secs);
	EXPECT_EQ(7, get_ud(c, TDI_ACCEPT_DATA, buf));
	EXPECT_EQ(0, memcmp(buf, "welcome", 7));
	EXPECT_EQ(0, exchange(c, e, 4000, 5));
	EXPECT_EQ(0, exchange(e, c, 4000, 6));
	EXPECT_EQ(-1, setsockopt(e, SOL_TDI, TDI_ACCEPT, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(e, SOL_TDI, TDI_REJECT, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	close(c);
	close(e);
	close(addr);
}

/*
 * Rejection: TDI_REJECT sends our disconnect data and the connector gets
 * ECONNREFUSED, reason REFUSED; so do SIOCTDIDISCONNECT and close() of
 * an OFFERED endpoint.  The endpoint listens again after each.
 */
TEST_F(tdi, query_accept_reject)
{
	struct tdi_disconnect d = { .flags = TDI_DISCONNECT_ABORT };
	unsigned char buf[TDI_MAX_USER_DATA];
	int addr, e, c, round, err;

	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	e = ep_on(self->nsb, variant->type, addr);
	ASSERT_LE(0, e);
	nonblock(e);
	ASSERT_EQ(0, set_ud(e, TDI_DISCONNECT_DATA, "no, thanks", 10));
	for (round = 0; round < 3; round++) {
		ASSERT_EQ(-1, tdi_listen(e, TDI_QUERY_ACCEPT, 0));
		ASSERT_EQ(EINPROGRESS, errno);
		c = sock_in(self->nsa, variant->type);
		ASSERT_LE(0, c);
		timeouts(c);
		nonblock(c);
		EXPECT_EQ(-1, connect_to(c, mac_b, self->port));
		EXPECT_EQ(EINPROGRESS, errno);
		EXPECT_TRUE(wait_poll(e, POLLIN, 5000) & POLLIN);
		EXPECT_EQ(TDI_STATE_OFFERED, info_of(e).state);
		/* TDI_REJECT, SIOCTDIDISCONNECT, close() */
		err = round == 0 ? setsockopt(e, SOL_TDI, TDI_REJECT, NULL, 0) :
		      round == 1 ? ioctl(e, SIOCTDIDISCONNECT, &d) : close(e);
		EXPECT_EQ(0, err);
		EXPECT_TRUE(wait_poll(c, POLLOUT, 5000) & POLLERR);
		EXPECT_EQ(ECONNREFUSED, so_error(c));
		EXPECT_EQ(TDI_REASON_REFUSED, reason_of(c));
		EXPECT_EQ(10, get_ud(c, TDI_DISCONNECT_DATA, buf));
		EXPECT_EQ(0, memcmp(buf, "no, thanks", 10));
		if (round < 2) {
			EXPECT_EQ(TDI_REASON_REFUSED, reason_of(e));
			EXPECT_EQ(TDI_STATE_BOUND, info_of(e).state);
		}
		close(c);
	}
	close(addr);
}

/*
 * Query-accept on a BSD listener (the TDI_QUERY_ACCEPT option): accept()
 * returns OFFERED endpoints; TDI_ACCEPT connects one, close() of another
 * rejects it, and closing the listener rejects the offers still queued.
 */
TEST_F(tdi, query_accept_bsd)
{
	unsigned char buf[TDI_MAX_USER_DATA];
	int l, s, c[3], i, one = 1;

	l = ud_listener(self->nsb, variant->type, self->port, "from l");
	ASSERT_LE(0, l);
	EXPECT_EQ(0, sockopt_int(l, SOL_TDI, TDI_QUERY_ACCEPT));
	ASSERT_EQ(0, setsockopt(l, SOL_TDI, TDI_QUERY_ACCEPT, &one,
				sizeof(one)));
	EXPECT_EQ(1, sockopt_int(l, SOL_TDI, TDI_QUERY_ACCEPT));
	timeouts(l);
	for (i = 0; i < 3; i++) {
		c[i] = sock_in(self->nsa, variant->type);
		ASSERT_LE(0, c[i]);
		timeouts(c[i]);
		nonblock(c[i]);
		ASSERT_EQ(0, set_ud(c[i], TDI_CONNECT_DATA, "c", 1));
		EXPECT_EQ(-1, connect_to(c[i], mac_b, self->port));
		EXPECT_EQ(EINPROGRESS, errno);
		if (i == 2)
			break;
		s = accept(l, NULL, NULL);
		ASSERT_LE(0, s);
		EXPECT_EQ(TDI_STATE_OFFERED, info_of(s).state);
		EXPECT_EQ(1, get_ud(s, TDI_CONNECT_DATA, buf));
		usleep(300000);
		EXPECT_EQ(0, wait_poll(c[i], POLLOUT, 0));	/* waits */
		if (i == 0) {
			EXPECT_EQ(0, setsockopt(s, SOL_TDI, TDI_ACCEPT, NULL, 0));
			EXPECT_TRUE(wait_poll(c[0], POLLOUT, 5000) & POLLOUT);
			EXPECT_EQ(0, so_error(c[0]));
			/* the listener's accept data, inherited */
			EXPECT_EQ(6, get_ud(c[0], TDI_ACCEPT_DATA, buf));
			EXPECT_EQ(0, exchange(s, c[0], 2000, 7));
		} else {
			close(s);
			EXPECT_TRUE(wait_poll(c[1], POLLOUT, 5000) & POLLERR);
			EXPECT_EQ(ECONNREFUSED, so_error(c[1]));
			EXPECT_EQ(TDI_REASON_REFUSED, reason_of(c[1]));
		}
		if (i == 0)
			close(s);
	}
	/* the third waits on the accept queue: the listener goes */
	EXPECT_TRUE(wait_poll(l, POLLIN, 5000) & POLLIN);
	close(l);
	EXPECT_TRUE(wait_poll(c[2], POLLOUT, 5000) & POLLERR);
	EXPECT_EQ(ECONNREFUSED, so_error(c[2]));
	EXPECT_EQ(TDI_REASON_REFUSED, reason_of(c[2]));
	for (i = 0; i < 3; i++)
		close(c[i]);
}

/*
 * An offer nobody decides expires after net.tdi.offer_timeout_ms: the
 * connector is refused with reason TIMEOUT; TDI_ACCEPT after it is
 * ETIMEDOUT.  A connector that gives up first (close()) is heard: the
 * offer ends, and TDI_ACCEPT is ECONNRESET.
 */
TEST_F(tdi, query_accept_expiry)
{
	struct bg_conn b;
	int addr, e, c;

	ASSERT_EQ(0, sysctl_in(self->nsb, "offer_timeout_ms", "700"));
	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	e = ep_on(self->nsb, variant->type, addr);
	ASSERT_LE(0, e);
	nonblock(e);
	ASSERT_EQ(-1, tdi_listen(e, TDI_QUERY_ACCEPT, 0));
	c = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, c);
	timeouts(c);
	ASSERT_EQ(0, bg_connect(&b, c, self->port));
	EXPECT_EQ(-1, bg_join(&b));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(TDI_REASON_TIMEOUT, reason_of(c));
	EXPECT_LE(0.6, b.secs);
	EXPECT_EQ(-1, setsockopt(e, SOL_TDI, TDI_ACCEPT, NULL, 0));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(TDI_REASON_TIMEOUT, reason_of(e));
	close(c);

	ASSERT_EQ(0, sysctl_in(self->nsb, "offer_timeout_ms", "30000"));
	ASSERT_EQ(-1, tdi_listen(e, TDI_QUERY_ACCEPT, 0));
	c = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, c);
	nonblock(c);
	EXPECT_EQ(-1, connect_to(c, mac_b, self->port));
	EXPECT_TRUE(wait_poll(e, POLLIN, 5000) & POLLIN);
	usleep(200000);			/* the HOLD named e to c */
	close(c);
	EXPECT_TRUE(WAIT_FOR(info_of(e).state != TDI_STATE_OFFERED));
	EXPECT_EQ(-1, setsockopt(e, SOL_TDI, TDI_ACCEPT, NULL, 0));
	EXPECT_EQ(ECONNRESET, errno);
	close(e);
	close(addr);
}

/*
 * Query-accept on a lossy link (20 % of the frames lost each way): the
 * HOLDs keep the connector waiting through a 2 s decision, the ACCEPT
 * gets through, and 256 KiB arrive intact both ways.
 */
TEST_F_TIMEOUT(tdi, query_accept_lossy, 120)
{
	static unsigned char out[262144], in[262144];
	struct bg_send snd;
	struct bg_conn b;
	int addr, e, c;

	ASSERT_EQ(0, run("tc -n tdsa%d qdisc add dev va root netem loss 20%%", main_pid));
	ASSERT_EQ(0, run("tc -n tdsb%d qdisc add dev vb root netem loss 20%%", main_pid));
	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	e = ep_on(self->nsb, variant->type, addr);
	ASSERT_LE(0, e);
	set_timeo(e, SO_RCVTIMEO, 30000);
	set_timeo(e, SO_SNDTIMEO, 30000);
	c = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, c);
	set_timeo(c, SO_RCVTIMEO, 30000);
	set_timeo(c, SO_SNDTIMEO, 30000);
	ASSERT_EQ(0, bg_connect(&b, c, self->port));
	ASSERT_EQ(0, tdi_listen(e, TDI_QUERY_ACCEPT, 0));
	usleep(2000000);
	EXPECT_FALSE(__atomic_load_n(&b.done, __ATOMIC_ACQUIRE));
	ASSERT_EQ(0, setsockopt(e, SOL_TDI, TDI_ACCEPT, NULL, 0));
	ASSERT_EQ(0, bg_join(&b)) {
		TH_LOG("connect: %s, reason %d", strerror(errno), reason_of(c));
	}
	if (variant->type == SOCK_STREAM) {
		/* more than the receive buffer: read while it is sent */
		pattern(out, sizeof(out), 9);
		snd.fd = c;
		snd.buf = out;
		snd.len = sizeof(out);
		ASSERT_EQ(0, pthread_create(&snd.thread, NULL, bg_send_main,
					    &snd));
		EXPECT_EQ((ssize_t)sizeof(in), recv_all(e, in, sizeof(in), 0));
		pthread_join(snd.thread, NULL);
		EXPECT_EQ((ssize_t)sizeof(out), snd.ret);
		EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	} else {
		EXPECT_EQ(0, exchange(c, e, 4000, 9));
	}
	EXPECT_EQ(0, exchange(e, c, 4000, 10));
	close(c);
	close(e);
	close(addr);
}

/* ---- Every ending, then the same endpoint used again ---- */

/* e's idle state after an ending: still associated, @reason readable. */
static void ended(struct __test_metadata *_metadata, int e, int port,
		  int reason, const char *what)
{
	EXPECT_TRUE(WAIT_FOR(info_of(e).state == TDI_STATE_BOUND)) {
		TH_LOG("%s: state %d", what, info_of(e).state);
	}
	EXPECT_EQ(reason, reason_of(e)) {
		TH_LOG("%s", what);
	}
	EXPECT_EQ(port, port_of(e)) {
		TH_LOG("%s: no longer on the address object", what);
	}
}

/* The peer's disconnect data on @fd is @want (twice: it stays). */
static void dd_is(struct __test_metadata *_metadata, int fd, const char *want)
{
	unsigned char buf[TDI_MAX_USER_DATA];
	int i;

	for (i = 0; i < 2; i++) {
		EXPECT_EQ((int)strlen(want), get_ud(fd, TDI_DISCONNECT_DATA, buf));
		EXPECT_EQ(0, memcmp(buf, want, strlen(want)));
	}
}

/* SIOCTDILISTEN on @fd without waiting (EINPROGRESS): 0, or -1. */
static int listen_started(int fd, unsigned int flags)
{
	int fl = fcntl(fd, F_GETFL), ret;

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	ret = tdi_listen(fd, flags, 0);
	fcntl(fd, F_SETFL, fl);
	return ret == -1 && errno == EINPROGRESS ? 0 : -1;
}

/*
 * One endpoint, associated with one address object in b, goes through
 * every kind of ending, and after each is used again -- by connect(),
 * by SIOCTDILISTEN, and last by listen() -- without being associated
 * anew: a release (its peer's disconnect data readable), its peer's
 * abort (ECONNRESET on every call, not just the first), its own abort,
 * a rejected offer, an offer that expired, a refused connect
 * (NO_LISTENER), a connect that timed out, and its device going down.
 * The reason and the peer's disconnect data stay readable until the
 * endpoint is used again, and each use starts with neither.
 */
TEST_F_TIMEOUT(tdi, endings_then_reuse, 120)
{
	static const unsigned char nobody[6] = { 2, 0, 0, 0, 0, 0x99 };
	struct tdi_disconnect abort_d = { .flags = TDI_DISCONNECT_ABORT };
	int addr, e, la, c, s, pa = self->port + 1;
	unsigned char buf[TDI_MAX_USER_DATA];
	struct bg_conn b;

	addr = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, addr);
	e = ep_on(self->nsb, variant->type, addr);
	ASSERT_LE(0, e);
	timeouts(e);
	la = listen_on(self->nsa, variant->type, pa, 8);
	ASSERT_LE(0, la);

	/* 1. release, e having listened (TDI form) */
	ASSERT_EQ(0, listen_started(e, 0));
	c = connect_from(self->nsa, variant->type, 0, self->port);
	ASSERT_LE(0, c);
	EXPECT_TRUE(wait_poll(e, POLLOUT, 5000) & POLLOUT);
	ASSERT_EQ(0, set_ud(c, TDI_DISCONNECT_DATA, "c: released", 11));
	EXPECT_EQ(0, exchange(c, e, 500, 1));
	ASSERT_EQ(0, release_both(c, e));
	ended(_metadata, e, self->port, TDI_REASON_RELEASE, "release");
	dd_is(_metadata, e, "c: released");
	close(c);

	/* 2. the peer aborts, e having connected out */
	ASSERT_EQ(0, connect_to(e, mac_a, pa));
	EXPECT_EQ(0, get_ud(e, TDI_DISCONNECT_DATA, buf));	/* new use */
	EXPECT_EQ(TDI_REASON_NONE, reason_of(e));
	s = accept(la, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(0, exchange(s, e, 500, 2));
	ASSERT_EQ(0, set_ud(s, TDI_DISCONNECT_DATA, "s: aborted", 10));
	ASSERT_EQ(0, ioctl(s, SIOCTDIDISCONNECT, &abort_d));
	EXPECT_EQ(-1, recv(e, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(-1, recv(e, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(-1, send(e, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ECONNRESET, errno);
	ended(_metadata, e, self->port, TDI_REASON_ABORT, "peer's abort");
	/* (the abort's disconnect data rides one RESET, which is never
	 * repeated: user_data_abort checks it)
	 */
	close(s);

	/* 3. e aborts, having connected out again */
	ASSERT_EQ(0, connect_to(e, mac_a, pa));
	s = accept(la, NULL, NULL);
	ASSERT_LE(0, s);
	timeouts(s);
	ASSERT_EQ(0, set_ud(e, TDI_DISCONNECT_DATA, "e: aborted", 10));
	ASSERT_EQ(0, ioctl(e, SIOCTDIDISCONNECT, &abort_d));
	EXPECT_EQ(-1, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	ended(_metadata, e, self->port, TDI_REASON_ABORT, "own abort");
	EXPECT_EQ(0, get_ud(e, TDI_DISCONNECT_DATA, buf));	/* s sent none */
	close(s);

	/* 4. e rejects an offer (TDI form, query-accept) */
	ASSERT_EQ(0, set_ud(e, TDI_DISCONNECT_DATA, "e: no", 5));
	c = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, c);
	timeouts(c);
	ASSERT_EQ(0, listen_started(e, TDI_QUERY_ACCEPT));
	ASSERT_EQ(0, bg_connect(&b, c, self->port));
	EXPECT_TRUE(wait_poll(e, POLLIN, 5000) & POLLIN);
	EXPECT_EQ(TDI_STATE_OFFERED, info_of(e).state);
	ASSERT_EQ(0, setsockopt(e, SOL_TDI, TDI_REJECT, NULL, 0));
	EXPECT_EQ(-1, bg_join(&b));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(TDI_REASON_REFUSED, reason_of(c));
	dd_is(_metadata, c, "e: no");
	ended(_metadata, e, self->port, TDI_REASON_REFUSED, "reject");
	close(c);

	/* 5. an offer e let expire */
	ASSERT_EQ(0, sysctl_in(self->nsb, "offer_timeout_ms", "500"));
	c = sock_in(self->nsa, variant->type);
	ASSERT_LE(0, c);
	timeouts(c);
	ASSERT_EQ(0, listen_started(e, TDI_QUERY_ACCEPT));
	ASSERT_EQ(0, bg_connect(&b, c, self->port));
	EXPECT_TRUE(wait_poll(e, POLLIN, 5000) & POLLIN);
	EXPECT_EQ(-1, bg_join(&b));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(TDI_REASON_TIMEOUT, reason_of(c));
	ended(_metadata, e, self->port, TDI_REASON_TIMEOUT, "offer expiry");
	ASSERT_EQ(0, sysctl_in(self->nsb, "offer_timeout_ms", "30000"));
	close(c);

	/* 6. a connect refused: nobody listens on that port of a */
	EXPECT_EQ(-1, connect_to(e, mac_a, pa + 1));
	EXPECT_EQ(ECONNREFUSED, errno);
	ended(_metadata, e, self->port, TDI_REASON_NO_LISTENER, "refused");

	/* 7. a connect timed out: nobody has that node address */
	set_timeo(e, SO_SNDTIMEO, 500);
	EXPECT_EQ(-1, connect_to(e, nobody, pa));
	EXPECT_EQ(ETIMEDOUT, errno);
	ended(_metadata, e, self->port, TDI_REASON_TIMEOUT, "connect time-out");
	timeouts(e);

	/* 8. e's device goes down under a connection */
	ASSERT_EQ(0, connect_to(e, mac_a, pa));
	s = accept(la, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, run("ip -n tdsb%d link set vb down", main_pid));
	EXPECT_EQ(-1, send(e, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ENETDOWN, errno);
	ended(_metadata, e, self->port, TDI_REASON_LINK_DOWN, "link down");
	ASSERT_EQ(0, run("ip -n tdsb%d link set vb up", main_pid));
	close(s);

	/* and last a BSD listen on the same endpoint */
	ASSERT_EQ(0, listen(e, 4));
	c = connect_from(self->nsa, variant->type, 0, self->port);
	ASSERT_LE(0, c);
	s = accept(e, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(self->port, port_of(s));
	EXPECT_EQ(0, exchange(c, s, 500, 8));
	close(s);
	close(c);
	close(la);
	close(e);
	close(addr);
}

/* ---- Orderings: expedited data ahead of normal data ---- */

/* A connection of type @type: *c in a, *s accepted in b on @port. */
static void conn_pair(struct __test_metadata *_metadata, int nsa, int nsb,
		      int type, int port, int *c, int *s)
{
	int l = listen_on(nsb, type, port, 4);

	ASSERT_LE(0, l);
	*c = connect_from(nsa, type, 0, port);
	ASSERT_LE(0, *c);
	*s = accept(l, NULL, NULL);
	ASSERT_LE(0, *s);
	timeouts(*s);
	close(l);
}

/*
 * An expedited TSDU overtakes megabytes of normal data: with the
 * receiver reading nothing, the sender queues normal data until its
 * buffer is full (several MB between its send queue and the peer's
 * receive queue); the expedited send still goes through at once, the
 * receiver gets it first, and then every normal byte, in order.
 */
TEST_F_TIMEOUT(tdi, expedited_overtakes_megabytes, 180)
{
	static unsigned char out[8 << 20], in[8 << 20];
	int c, s, big = 4 << 20;
	size_t queued = 0;
	ssize_t n;
	char x;

	conn_pair(_metadata, self->nsa, self->nsb, variant->type, self->port,
		  &c, &s);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)));
	pattern(out, sizeof(out), 31);
	/* full: no send has gone through for half a second */
	while (queued < sizeof(out)) {
		n = send(c, out + queued, 65536 < sizeof(out) - queued ?
			 65536 : sizeof(out) - queued, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			queued += n;
			continue;
		}
		ASSERT_EQ(EAGAIN, errno);
		if (wait_poll(c, POLLOUT, 500) == 0)
			break;
	}
	TH_LOG("%zu bytes of normal data queued", queued);
	EXPECT_LE((size_t)2 << 20, queued);
	ASSERT_EQ(1, send(c, "!", 1, MSG_OOB | MSG_NOSIGNAL));
	EXPECT_TRUE(wait_poll(s, POLLPRI, 5000) & POLLPRI);
	EXPECT_EQ(1, recv(s, &x, 1, MSG_OOB | MSG_DONTWAIT));
	EXPECT_EQ('!', x);
	/* and then all of the normal data, in order, nothing lost */
	set_timeo(s, SO_RCVTIMEO, 30000);
	EXPECT_EQ((ssize_t)queued, recv_all(s, in, queued, 0));
	EXPECT_EQ(0, memcmp(in, out, queued));
	close(c);
	close(s);
}

struct bg_recv {
	pthread_t thread;
	int fd, flags, done;
	ssize_t ret;
	int msg_flags, err;
	char buf[1000];
};

static void *bg_recv_main(void *arg)
{
	struct bg_recv *r = arg;
	struct iovec iov = { r->buf, sizeof(r->buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	r->ret = recvmsg(r->fd, &msg, r->flags);
	r->err = errno;
	r->msg_flags = msg.msg_flags;
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Expedited data cuts a normal receive short: a recv() that has copied
 * part of what it waits for (MSG_WAITALL on a stream, the rest of a TSDU
 * on seqpacket) returns at once when an expedited TSDU arrives, with the
 * bytes it has and MSG_OOB in msg_flags; the expedited TSDU is then
 * read, and the normal data that follows completes the next recv().
 */
TEST_F_TIMEOUT(tdi, expedited_cuts_recv_short, 60)
{
	int stream = variant->type == SOCK_STREAM, c, s;
	struct bg_recv r;
	char x, rest[1000];

	conn_pair(_metadata, self->nsa, self->nsb, variant->type, self->port,
		  &c, &s);
	memset(&r, 0, sizeof(r));
	r.fd = s;
	r.flags = stream ? MSG_WAITALL : 0;
	set_timeo(s, SO_RCVTIMEO, 20000);
	ASSERT_EQ(0, pthread_create(&r.thread, NULL, bg_recv_main, &r));
	/* the first 100 bytes: of 1000 (stream), of a TSDU going on */
	memset(rest, 'n', sizeof(rest));
	ASSERT_EQ(100, send(c, rest, 100, stream ? 0 : MSG_MORE));
	/* they arrive, the recv() takes them and waits for more */
	EXPECT_TRUE(WAIT_FOR(info_of(s).bytes_received == 100));
	usleep(300000);
	EXPECT_EQ(0, info_of(s).unread);
	EXPECT_FALSE(__atomic_load_n(&r.done, __ATOMIC_ACQUIRE));
	ASSERT_EQ(1, send(c, "!", 1, MSG_OOB));
	EXPECT_TRUE(WAIT_FOR(__atomic_load_n(&r.done, __ATOMIC_ACQUIRE)));
	pthread_join(r.thread, NULL);
	EXPECT_EQ(100, r.ret) {
		TH_LOG("recv: %s", strerror(r.err));
	}
	EXPECT_TRUE(r.msg_flags & MSG_OOB);
	EXPECT_FALSE(r.msg_flags & MSG_EOR);
	EXPECT_EQ(1, recv(s, &x, 1, MSG_OOB | MSG_DONTWAIT));
	EXPECT_EQ('!', x);
	/* the rest of the normal data: the TSDU ends */
	ASSERT_EQ(900, send(c, rest, 900, 0));
	EXPECT_EQ(900, recv_all(s, rest, 900, 0));
	close(c);
	close(s);
}

/* ---- Datagrams on address objects (one fixture: no socket type) ---- */

FIXTURE(dgram) {
	int nsa, nsb;
	int port;
};

FIXTURE_SETUP(dgram)
{
	tdi_case_filter(_metadata->name);
	two_ns(_metadata, &self->nsa, &self->nsb);
	self->port = 10000 + getpid() % 30000;
}

FIXTURE_TEARDOWN(dgram)
{
	close(self->nsa);
	close(self->nsb);
}

static ssize_t send_to(int fd, const void *buf, size_t len,
		       const unsigned char *node, int port)
{
	struct sockaddr_tdi sa;

	sa_of(&sa, node, port);
	return sendto(fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa));
}

/* recvfrom() with a time-out of @ms: the length, or -1. */
static ssize_t recv_from(int fd, void *buf, size_t len, int flags,
			 struct sockaddr_tdi *from, int ms)
{
	socklen_t alen = sizeof(*from);

	set_timeo(fd, SO_RCVTIMEO, ms);
	memset(from, 0xee, sizeof(*from));
	return recvfrom(fd, buf, len, flags, (struct sockaddr *)from, &alen);
}

/*
 * Unicast both ways: the receiver sees the sender's whole address (node,
 * port, the interface it came on) and answers to it.
 */
TEST_F(dgram, unicast)
{
	struct sockaddr_tdi from;
	char buf[64];
	int a, b, vb;

	a = addr_obj(self->nsa, self->port);
	ASSERT_LE(0, a);
	b = addr_obj(self->nsb, self->port + 1);
	ASSERT_LE(0, b);
	vb = if_nametoindex("vb");	/* still in b */
	ASSERT_LT(0, vb);
	ASSERT_EQ(5, send_to(a, "hello", 5, mac_b, self->port + 1));
	ASSERT_EQ(5, recv_from(b, buf, sizeof(buf), 0, &from, 5000));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(AF_TDI, from.stdi_family);
	EXPECT_EQ(self->port, ntohs(from.stdi_port));
	EXPECT_EQ(vb, from.stdi_ifindex);
	EXPECT_EQ(0, memcmp(from.stdi_node, mac_a, 6));
	EXPECT_EQ(0, from.stdi_name[0]);
	/* the answer goes back to the address it came from */
	ASSERT_EQ(3, sendto(b, "bye", 3, 0, (struct sockaddr *)&from,
			    sizeof(from)));
	ASSERT_EQ(3, recv_from(a, buf, sizeof(buf), 0, &from, 5000));
	EXPECT_EQ(0, memcmp(buf, "bye", 3));
	EXPECT_EQ(self->port + 1, ntohs(from.stdi_port));
	EXPECT_EQ(0, memcmp(from.stdi_node, mac_b, 6));
	/* nothing more */
	EXPECT_EQ(-1, recv(a, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(a);
	close(b);
}

/*
 * An unbound address object that sends is bound to an ephemeral port,
 * which takes the answers.
 */
TEST_F(dgram, autobind)
{
	struct sockaddr_tdi from;
	char buf[8];
	int a, b;

	b = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, b);
	a = sock_in(self->nsa, SOCK_DGRAM);
	ASSERT_LE(0, a);
	ASSERT_EQ(1, send_to(a, "x", 1, mac_b, self->port));
	EXPECT_LE(49152, port_of(a));
	ASSERT_EQ(1, recv_from(b, buf, sizeof(buf), 0, &from, 5000));
	EXPECT_EQ(port_of(a), ntohs(from.stdi_port));
	ASSERT_EQ(1, sendto(b, "y", 1, 0, (struct sockaddr *)&from,
			    sizeof(from)));
	ASSERT_EQ(1, recv_from(a, buf, sizeof(buf), 0, &from, 5000));
	EXPECT_EQ('y', buf[0]);
	close(a);
	close(b);
}

/*
 * Broadcast (node ff:ff:ff:ff:ff:ff) needs SO_BROADCAST, else EACCES; it
 * reaches the address object of that port, not one bound to a node
 * address (which takes unicast to that address only).
 */
TEST_F(dgram, broadcast)
{
	static const unsigned char bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct sockaddr_tdi from, sa;
	int a, b, bn, one = 1;
	char buf[16];

	b = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, b);
	bn = socket(AF_TDI, SOCK_DGRAM, 0);	/* in b */
	ASSERT_LE(0, bn);
	sa_of(&sa, mac_b, self->port + 1);
	ASSERT_EQ(0, bind(bn, (struct sockaddr *)&sa, sizeof(sa)));
	a = addr_obj(self->nsa, self->port);
	ASSERT_LE(0, a);
	EXPECT_EQ(-1, send_to(a, "all", 3, bcast, self->port));
	EXPECT_EQ(EACCES, errno);
	ASSERT_EQ(0, setsockopt(a, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)));
	ASSERT_EQ(3, send_to(a, "all", 3, bcast, self->port));
	ASSERT_EQ(3, recv_from(b, buf, sizeof(buf), 0, &from, 5000));
	EXPECT_EQ(0, memcmp(buf, "all", 3));
	EXPECT_EQ(0, memcmp(from.stdi_node, mac_a, 6));
	EXPECT_EQ(self->port, ntohs(from.stdi_port));
	/* bound to node b: broadcast does not reach it, unicast does */
	ASSERT_EQ(3, send_to(a, "all", 3, bcast, self->port + 1));
	ASSERT_EQ(2, send_to(a, "me", 2, mac_b, self->port + 1));
	ASSERT_EQ(2, recv_from(bn, buf, sizeof(buf), 0, &from, 5000));
	EXPECT_EQ(0, memcmp(buf, "me", 2));
	EXPECT_EQ(-1, recv(bn, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(a);
	close(bn);
	close(b);
}

/*
 * A short buffer: the datagram's head, MSG_TRUNC in msg_flags, the rest
 * dropped; with MSG_TRUNC in the flags the real length.  MSG_PEEK leaves
 * the datagram queued.  An empty datagram travels too.
 */
TEST_F(dgram, trunc_peek)
{
	struct sockaddr_tdi from;
	unsigned char out[1000], in[1000];
	struct msghdr msg;
	struct iovec iov;
	int a, b;

	pattern(out, sizeof(out), 3);
	b = addr_obj(self->nsb, self->port);
	a = addr_obj(self->nsa, self->port);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(1000, send_to(a, out, 1000, mac_b, self->port));
	ASSERT_EQ(1000, send_to(a, out, 1000, mac_b, self->port));
	ASSERT_EQ(0, send_to(a, out, 0, mac_b, self->port));
	ASSERT_EQ(100, recv_from(b, in, 100, MSG_PEEK, &from, 5000));
	EXPECT_EQ(0, memcmp(in, out, 100));
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = in;
	iov.iov_len = 10;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	ASSERT_EQ(10, recvmsg(b, &msg, 0));
	EXPECT_TRUE(msg.msg_flags & MSG_TRUNC);
	EXPECT_EQ(0, memcmp(in, out, 10));
	ASSERT_EQ(1000, recv_from(b, in, 10, MSG_TRUNC, &from, 5000));
	EXPECT_EQ(0, memcmp(in, out, 10));
	ASSERT_EQ(0, recv_from(b, in, sizeof(in), 0, &from, 5000));
	EXPECT_EQ(self->port, ntohs(from.stdi_port));
	close(a);
	close(b);
}

/*
 * max_datagram is the device's MTU less the tdi header: that much
 * travels whole, one byte more is EMSGSIZE.  Bad destinations: no node
 * EDESTADDRREQ, a group address other than broadcast or port 0 EINVAL,
 * a short address EINVAL, another family EAFNOSUPPORT, another interface
 * than the bound one EINVAL.
 */
TEST_F(dgram, size_and_errors)
{
	static const unsigned char group[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	static unsigned char out[9000], in[9000];
	struct tdi_provider_info pi;
	socklen_t len = sizeof(pi);
	struct sockaddr_tdi sa, from;
	int a, b, ab;

	b = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, b);
	a = addr_obj(self->nsa, self->port);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, getsockopt(a, SOL_TDI, TDI_PROVIDER_INFO, &pi, &len));
	EXPECT_EQ(1500 - 44, pi.max_datagram);
	EXPECT_TRUE(pi.service_flags & TDI_SERVICE_CONNECTIONLESS_MODE);
	pattern(out, sizeof(out), 9);
	ASSERT_EQ(pi.max_datagram, send_to(a, out, pi.max_datagram, mac_b,
					   self->port));
	ASSERT_EQ(pi.max_datagram, recv_from(b, in, sizeof(in), 0, &from, 5000));
	EXPECT_EQ(0, memcmp(in, out, pi.max_datagram));
	EXPECT_EQ(-1, send_to(a, out, pi.max_datagram + 1, mac_b, self->port));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(-1, send_to(a, out, 1, NULL, self->port));
	EXPECT_EQ(EDESTADDRREQ, errno);
	EXPECT_EQ(-1, send_to(a, out, 1, group, self->port));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, send_to(a, out, 1, mac_b, 0));
	EXPECT_EQ(EINVAL, errno);
	sa_of(&sa, mac_b, self->port);
	EXPECT_EQ(-1, sendto(a, out, 1, 0, (struct sockaddr *)&sa, sizeof(sa) - 1));
	EXPECT_EQ(EINVAL, errno);
	sa.stdi_family = AF_INET;
	EXPECT_EQ(-1, sendto(a, out, 1, 0, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	/* an address object bound to va sends on va only */
	ab = sock_in(self->nsa, SOCK_DGRAM);
	ASSERT_LE(0, ab);
	sa_of(&sa, NULL, self->port + 1);
	sa.stdi_ifindex = if_nametoindex("va");
	ASSERT_EQ(0, bind(ab, (struct sockaddr *)&sa, sizeof(sa)));
	sa_of(&sa, mac_b, self->port);
	sa.stdi_ifindex = 1;
	EXPECT_EQ(-1, sendto(ab, out, 1, 0, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EINVAL, errno);
	sa.stdi_ifindex = 0;
	EXPECT_EQ(1, sendto(ab, out, 1, 0, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(1, recv_from(b, in, sizeof(in), 0, &from, 5000));
	EXPECT_EQ(self->port + 1, ntohs(from.stdi_port));
	close(ab);
	close(a);
	close(b);
}

/*
 * Delivery is per namespace: the same port bound in a and in b, a
 * datagram from a to node b reaches b's address object only.  With no
 * address object on the port (or after its fd closed, even while an
 * endpoint is still associated with it) the datagram is dropped and
 * counted.
 */
TEST_F(dgram, per_namespace_and_unbound)
{
	struct sockaddr_tdi from;
	long long before;
	int a, b, ep;
	char buf[8];

	a = addr_obj(self->nsa, self->port);
	b = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(1, send_to(a, "1", 1, mac_b, self->port));
	ASSERT_EQ(1, recv_from(b, buf, sizeof(buf), 0, &from, 5000));
	EXPECT_EQ(-1, recv(a, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	/* b's fd closes while an endpoint keeps the address object */
	ep = sock_in(self->nsb, SOCK_STREAM);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, associate(ep, b));
	close(b);
	before = stat_of(self->nsb, "drop_no_connection");
	ASSERT_EQ(1, send_to(a, "2", 1, mac_b, self->port));
	ASSERT_EQ(1, send_to(a, "3", 1, mac_b, self->port + 7));
	EXPECT_TRUE(WAIT_FOR(stat_of(self->nsb, "drop_no_connection") >= before + 2));
	close(ep);
	close(a);
}

/*
 * The receive queue is bounded by SO_RCVBUF: of a burst the receiver does
 * not read, what does not fit is dropped, and every datagram is either
 * queued or counted (drop_rcvbuf, and SO_RXQ_OVFL's sk_drops).
 */
TEST_F(dgram, queue_bound)
{
	static unsigned char out[1000], in[1000];
	struct sockaddr_tdi from;
	long long before, in_before, dropped = 0, queued = 0;
	int a, b, rcvbuf = 4096, i, got = 0, sent = 200;

	b = addr_obj(self->nsb, self->port);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, setsockopt(b, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				sizeof(rcvbuf)));
	before = stat_of(self->nsb, "drop_rcvbuf");
	in_before = stat_of(self->nsb, "datagrams_in");
	a = addr_obj(self->nsa, self->port);
	ASSERT_LE(0, a);
	for (i = 0; i < sent; i++)
		ASSERT_EQ(sizeof(out), send_to(a, out, sizeof(out), mac_b,
					       self->port));
	/* every datagram is in the queue or counted as dropped */
	for (i = 0; i < 500; i++) {
		dropped = stat_of(self->nsb, "drop_rcvbuf") - before;
		queued = stat_of(self->nsb, "datagrams_in") - in_before;
		if (dropped + queued >= sent)
			break;
		usleep(10000);
	}
	while (recv_from(b, in, sizeof(in), MSG_DONTWAIT, &from, 0) >= 0)
		got++;
	EXPECT_LT(0, got);
	EXPECT_GT(sent / 4, got);
	EXPECT_EQ(queued, got);
	EXPECT_EQ(sent, got + dropped) {
		TH_LOG("%d queued, %lld dropped of %d", got, dropped, sent);
	}
	close(a);
	close(b);
}

/* tools/tdicat, next to this program's directory, or NULL. */
static const char *tdicat_path(void)
{
	static char path[600];
	char exe[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = 0;
	snprintf(path, sizeof(path), "%s/../../tools/tdicat", dirname(exe));
	return access(path, X_OK) ? NULL : path;
}

/* Run "sh -c @cmd" in namespace @ns; its pid. */
static pid_t spawn_in(int ns, const char *cmd)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	if (setns(ns, CLONE_NEWNET))
		_exit(126);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/*
 * tools/tdicat -u: a receiver takes COUNT datagrams to stdout; a sender
 * sends stdin, one datagram per read of at most -b bytes, to a node or to
 * "broadcast".  The bytes arrive whole and in order.
 */
TEST_F(dgram, tdicat)
{
	char cmd[1024], out[64], in[400];
	const char *tdicat = tdicat_path();
	int status, fd, i;
	unsigned char data[300];
	int tries;
	pid_t rx;
	FILE *f;

	ASSERT_NE(NULL, tdicat);
	snprintf(out, sizeof(out), "/tmp/tdicat_u.%d", getpid());
	pattern(data, sizeof(data), 11);
	for (i = 0; i < 2; i++) {
		unlink(out);
		snprintf(cmd, sizeof(cmd), "exec %s -u -s -c %d -l %d > %s",
			 tdicat, i ? 1 : 3, self->port, out);
		for (tries = 0; tries < 5; tries++) {
			rx = spawn_in(self->nsb, cmd);
			ASSERT_LT(0, rx);
			/* bound once its port is taken */
			if (WAIT_FOR(!port_free(self->nsb, self->port)))
				break;
			/* its bind met port_free()'s own probe: again */
			waitpid(rx, &status, 0);
		}
		ASSERT_GT(5, tries);
		ASSERT_EQ(0, setns(self->nsa, CLONE_NEWNET));
		snprintf(cmd, sizeof(cmd), "%s -u -s -b 100 %s %d", tdicat,
			 i ? "broadcast" : "02:00:00:00:00:0b", self->port);
		f = popen(cmd, "w");
		ASSERT_NE(NULL, f);
		ASSERT_EQ(i ? 100 : 300, fwrite(data, 1, i ? 100 : 300, f));
		EXPECT_EQ(0, pclose(f));
		ASSERT_EQ(rx, waitpid(rx, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
		fd = open(out, O_RDONLY);
		ASSERT_LE(0, fd);
		EXPECT_EQ(i ? 100 : 300, read(fd, in, sizeof(in)));
		EXPECT_EQ(0, memcmp(in, data, i ? 100 : 300));
		close(fd);
	}
	unlink(out);
}

TEST_HARNESS_MAIN
