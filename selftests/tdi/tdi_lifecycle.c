// SPDX-License-Identifier: GPL-2.0
/*
 * Life-cycle selftests of tdi: network namespaces that come and go with
 * AF_TDI connections in every state open across them, and module
 * unload/reload with and without sockets open.
 *
 * Each namespace cycle makes two namespaces "a" (node 02:00:00:00:00:0a)
 * and "b" (02:00:00:00:00:0b) with unshare(CLONE_NEWNET), held by fd only,
 * joins them by a veth pair made with one rtnetlink request, and opens:
 * a stream and a seqpacket listener in b; three stream and one seqpacket
 * endpoint in a connected to them, with data exchanged both ways, data
 * left unread on both sides, data still in flight towards a peer that does
 * not read, an expedited TSDU unread and one read, one connection
 * half-released with shutdown(SHUT_WR), one connection never accepted; and
 * a non-blocking connect to a node that does not exist.  The cycle then
 * ends one of six ways (cycle number modulo 6):
 *
 *   0  close every socket, then drop the namespaces;
 *   1  drop the namespaces first (the sockets hold them), check that the
 *      sockets still work, then close them: the last socket takes the
 *      namespace with it;
 *   2  close b's sockets and drop both namespaces: b is dismantled, its
 *      veth end goes and a's connections end with ENETDOWN;
 *   3  leave everything open in a child process that exits;
 *   4  delete the veth pair with RTM_DELLINK: every connection ends with
 *      TDI_REASON_LINK_DOWN; then drop the namespaces and close;
 *   5  abort every connection (SO_LINGER {1, 0}) after dropping the
 *      namespaces.
 *
 * Namespace deletion is asynchronous (cleanup_net), so the test ends by
 * waiting for the module's reference count to drain to zero.
 *
 * The reload test unloads and loads tdi.ko (TDI_KO) again and again:
 * delete_module() fails while a socket is open and succeeds once every
 * socket, background releases included, is gone; namespaces living across
 * the unload get their tdi state back on load.
 *
 * Options (before the harness's own): --cycles N (default 48, about
 * 95 s in a debug guest: a cycle takes about 1.9 s there, half of it the
 * kernel making the two namespaces; --cycles 200 takes about 6 min),
 * --reloads N (default 20, about 25 s).  No process is started per cycle:
 * each one costs about half a second in a debug guest.
 */

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/tdi.h>
#include <linux/veth.h>

#include "kselftest_harness.h"
#include "tdi_util.h"

#define PORT_S		7000	/* stream listener */
#define PORT_Q		7001	/* seqpacket listener */

static int opt_cycles = 48;
static int opt_reloads = 20;

/* Where the cycles' time goes: namespaces, veth, endpoints, teardown. */
static double t_ns, t_veth, t_conn, t_end;

static const unsigned char mac_a[6] = { 2, 0, 0, 0, 0, 0x0a };
static const unsigned char mac_b[6] = { 2, 0, 0, 0, 0, 0x0b };
static const unsigned char mac_nobody[6] = { 2, 0, 0, 0, 0, 0x99 };

/* A "# " line now: the harness ends a test's process with _exit(). */
#define note(...) do {				\
	ksft_print_msg(__VA_ARGS__);		\
	fflush(stdout);				\
} while (0)

/* ---- the module ---- */

/* Wait up to @secs for the reference count to reach 0; returns it. */
static int ko_drain(double secs)
{
	double end = now_s() + secs;
	int n;

	while ((n = ko_refcnt()) > 0 && now_s() < end)
		usleep(20000);
	return n;
}

/* ---- namespaces and sockets ---- */

/* A socket with 5 s send and receive time-outs, in the current namespace. */
static int tsock(int type)
{
	int fd = socket(AF_TDI, type, 0);

	if (fd < 0)
		return -1;
	timeouts(fd);
	return fd;
}

static int tlisten(int type, int port)
{
	struct sockaddr_tdi sa;
	int fd = tsock(type);

	if (fd < 0)
		return -1;
	sa_of(&sa, NULL, port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 8)) {
		close(fd);
		return -1;
	}
	return fd;
}

enum {
	LS, LQ, S1, S2, S3,		/* namespace b */
	C1, C2, C3, C4, C5,		/* namespace a */
	NFD
};

struct world {
	int home;		/* the test's own namespace */
	int nl;			/* rtnetlink, in home */
	int nsa, nsb;
	int fd[NFD];
};

/* Drop the namespace fds: nothing outside the sockets holds them now. */
static void world_drop_ns(struct world *w)
{
	if (w->nsa >= 0)
		close(w->nsa);
	if (w->nsb >= 0)
		close(w->nsb);
	w->nsa = -1;
	w->nsb = -1;
}

static void world_close(struct world *w, int from, int to)
{
	int i;

	for (i = from; i < to; i++) {
		if (w->fd[i] >= 0)
			close(w->fd[i]);
		w->fd[i] = -1;
	}
}

static void world_abort_all(struct world *w)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int i;

	for (i = 0; i < NFD; i++)
		if (w->fd[i] >= 0)
			setsockopt(w->fd[i], SOL_SOCKET, SO_LINGER, &lg,
				   sizeof(lg));
}

/*
 * Make the namespaces, the veth pair and every endpoint.  Returns 0, or
 * the number of the step that failed (errno set), for the log.
 */
static int world_make(struct world *w)
{
	static unsigned char big[65536];
	struct timeval tv = { .tv_sec = 30 };
	unsigned char buf[4096];
	int i, err;

	double t0 = now_s(), t1, t2;

	for (i = 0; i < NFD; i++)
		w->fd[i] = -1;
	w->nsa = ns_new(w->home);
	w->nsb = ns_new(w->home);
	if (w->nsa < 0 || w->nsb < 0)
		return 1;
	t1 = now_s();
	err = veth_add(w->nl, w->home, w->nsa, mac_a, w->nsb, mac_b);
	if (err) {
		errno = -err;
		return 2;
	}
	t2 = now_s();
	t_ns += t1 - t0;
	t_veth += t2 - t1;

	if (setns(w->nsb, CLONE_NEWNET))
		return 3;
	w->fd[LS] = tlisten(SOCK_STREAM, PORT_S);
	w->fd[LQ] = tlisten(SOCK_SEQPACKET, PORT_Q);
	if (w->fd[LS] < 0 || w->fd[LQ] < 0)
		return 4;

	if (setns(w->nsa, CLONE_NEWNET))
		return 5;
	for (i = C1; i <= C5; i++)
		w->fd[i] = tsock(i == C2 ? SOCK_SEQPACKET : SOCK_STREAM);
	setns(w->home, CLONE_NEWNET);
	for (i = C1; i <= C5; i++)
		if (w->fd[i] < 0)
			return 6;

	if (connect_to(w->fd[C1], mac_b, PORT_S))
		return 7;
	w->fd[S1] = accept(w->fd[LS], NULL, NULL);
	if (connect_to(w->fd[C2], mac_b, PORT_Q))
		return 8;
	w->fd[S2] = accept(w->fd[LQ], NULL, NULL);
	if (connect_to(w->fd[C3], mac_b, PORT_S))
		return 9;
	w->fd[S3] = accept(w->fd[LS], NULL, NULL);
	if (w->fd[S1] < 0 || w->fd[S2] < 0 || w->fd[S3] < 0)
		return 10;
	/* never accepted */
	if (connect_to(w->fd[C4], mac_b, PORT_S))
		return 11;

	/* data both ways, read; then data left unread on both sides */
	if (exchange(w->fd[C1], w->fd[S1], 1000, 1) ||
	    exchange(w->fd[S1], w->fd[C1], 1000, 2))
		return 12;
	pattern(buf, sizeof(buf), 3);
	if (send(w->fd[C1], buf, 3000, 0) != 3000 ||
	    send(w->fd[S1], buf, 2000, 0) != 2000)
		return 13;
	/* more than the peer's window: some stays in flight */
	for (i = 0; i < 3; i++)
		if (send(w->fd[C1], big, sizeof(big), MSG_DONTWAIT) < 0 &&
		    errno != EAGAIN)
			return 14;

	/* a TSDU read, an expedited TSDU unread, one read */
	if (exchange(w->fd[C2], w->fd[S2], 100, 4))
		return 15;
	if (send(w->fd[C2], "urgent", 6, MSG_OOB) != 6 ||
	    send(w->fd[S2], "x", 1, MSG_OOB) != 1)
		return 16;
	if (!(wait_poll(w->fd[C2], POLLPRI, 5000) & POLLPRI) ||
	    recv(w->fd[C2], buf, sizeof(buf), MSG_OOB) != 1)
		return 17;

	/* half released: the peer sees EOF and answers */
	if (shutdown(w->fd[C3], SHUT_WR) || recv(w->fd[S3], buf, 1, 0) != 0 ||
	    send(w->fd[S3], "late", 4, 0) != 4)
		return 18;

	/* connecting to nobody, for 30 s */
	if (setsockopt(w->fd[C5], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    fcntl(w->fd[C5], F_SETFL, O_NONBLOCK))
		return 19;
	if (connect_to(w->fd[C5], mac_nobody, PORT_S) != -1 ||
	    errno != EINPROGRESS)
		return 20;
	t_conn += now_s() - t2;
	return 0;
}

FIXTURE(life) {
	struct world w;
};

FIXTURE_SETUP(life)
{
	memset(&self->w, 0, sizeof(self->w));
	self->w.home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->w.home);
	self->w.nl = nl_open();
	ASSERT_LE(0, self->w.nl);
	self->w.nsa = -1;
	self->w.nsb = -1;
}

FIXTURE_TEARDOWN(life)
{
	close(self->w.nl);
	close(self->w.home);
}

#define MAKE_WORLD(w, cycle) do {					\
	int __step = world_make(w);					\
									\
	ASSERT_EQ(0, __step) {						\
		TH_LOG("cycle %d: set-up step %d failed: %s", cycle,	\
		       __step, strerror(errno));			\
	}								\
} while (0)

/* The sockets still work once nothing but they hold the namespaces. */
static void check_orphaned_ns(struct __test_metadata *_metadata,
			      struct world *w, int cycle)
{
	unsigned char buf[4096], want[4096];
	int s4;

	pattern(want, sizeof(want), 3);
	EXPECT_EQ(3000, recv_all(w->fd[S1], buf, 3000, 0)) {
		TH_LOG("cycle %d: unread data: %s", cycle, strerror(errno));
	}
	EXPECT_EQ(0, memcmp(buf, want, 3000));
	EXPECT_TRUE(wait_poll(w->fd[S2], POLLPRI, 5000) & POLLPRI);
	EXPECT_EQ(6, recv(w->fd[S2], buf, sizeof(buf), MSG_OOB));
	s4 = accept(w->fd[LS], NULL, NULL);
	ASSERT_LE(0, s4) {
		TH_LOG("cycle %d: accept: %s", cycle, strerror(errno));
	}
	EXPECT_EQ(0, exchange(s4, w->fd[C4], 100, 5));
	EXPECT_EQ(0, exchange(w->fd[C4], s4, 100, 6));
	close(s4);
}

static void one_cycle(struct __test_metadata *_metadata, struct world *w,
		      int cycle)
{
	double t0 = now_s();
	int i, nl, status;
	pid_t pid;

	switch (cycle % 6) {
	case 0:
		MAKE_WORLD(w, cycle);
		world_close(w, 0, NFD);
		world_drop_ns(w);
		break;
	case 1:
		MAKE_WORLD(w, cycle);
		world_drop_ns(w);
		check_orphaned_ns(_metadata, w, cycle);
		world_close(w, 0, NFD);
		break;
	case 2:
		MAKE_WORLD(w, cycle);
		world_close(w, LS, C1);
		world_drop_ns(w);
		/* b goes, and its veth end with it: a's link is down */
		EXPECT_TRUE(wait_poll(w->fd[C5], POLLOUT, 20000) & POLLERR) {
			TH_LOG("cycle %d: the connect outlived the link",
			       cycle);
		}
		EXPECT_EQ(ENETDOWN, so_error(w->fd[C5]));
		EXPECT_EQ(TDI_REASON_LINK_DOWN, reason_of(w->fd[C5]));
		world_close(w, 0, NFD);
		break;
	case 3:
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid)
			_exit(world_make(w));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status)) {
			TH_LOG("cycle %d: set-up step %d failed in the child",
			       cycle, WEXITSTATUS(status));
		}
		break;
	case 4:
		MAKE_WORLD(w, cycle);
		ASSERT_EQ(0, setns(w->nsa, CLONE_NEWNET));
		nl = nl_open();
		ASSERT_EQ(0, setns(w->home, CLONE_NEWNET));
		ASSERT_LE(0, nl);
		EXPECT_EQ(0, nl_link_del(nl, "va"));
		close(nl);
		for (i = 0; i < NFD; i++) {
			if (i == LS || i == LQ)
				continue;
			EXPECT_EQ(TDI_REASON_LINK_DOWN, reason_of(w->fd[i])) {
				TH_LOG("cycle %d: socket %d: reason %d",
				       cycle, i, reason_of(w->fd[i]));
			}
		}
		world_drop_ns(w);
		world_close(w, 0, NFD);
		break;
	case 5:
		MAKE_WORLD(w, cycle);
		world_drop_ns(w);
		world_abort_all(w);
		world_close(w, 0, NFD);
		break;
	}
	t_end += now_s() - t0;
}

TEST_F_TIMEOUT(life, namespace_cycles, 1800)
{
	double t0 = now_s(), t1;
	int cycle, n;

	for (cycle = 0; cycle < opt_cycles; cycle++) {
		one_cycle(_metadata, &self->w, cycle);
		if (!_metadata->passed)
			break;
		if ((cycle + 1) % 50 == 0)
			note("cycle %d: %.1f s, tdi refcount %d\n",
			     cycle + 1, now_s() - t0, ko_refcnt());
	}
	t1 = now_s();
	note("%d namespace cycles in %.1f s (%.0f ms each)\n",
	     cycle, t1 - t0, cycle ? (t1 - t0) * 1000 / cycle : 0);
	note("set-up: namespaces %.1f s, veth %.1f s, endpoints %.1f s; the rest %.1f s\n",
	     t_ns, t_veth, t_conn, t_end - t_ns - t_veth - t_conn);
	n = ko_drain(120);
	note("sockets and namespaces gone %.1f s later, tdi refcount %d\n",
	     now_s() - t1, n);
	EXPECT_TRUE(n == 0 || n == -1) {
		TH_LOG("tdi still held %d times 120 s after the last cycle", n);
	}
}

FIXTURE(reload) {
	const char *ko;
	int home, nl, nsa, nsb;
};

FIXTURE_SETUP(reload)
{
	self->ko = getenv("TDI_KO");
	self->home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->home);
	self->nl = nl_open();
	ASSERT_LE(0, self->nl);
	self->nsa = -1;
	self->nsb = -1;
}

FIXTURE_TEARDOWN(reload)
{
	if (self->ko && ko_refcnt() < 0)
		EXPECT_EQ(0, ko_load(self->ko)) {
			TH_LOG("reloading %s: %s", self->ko, strerror(errno));
		}
	if (self->nsa >= 0)
		close(self->nsa);
	if (self->nsb >= 0)
		close(self->nsb);
	close(self->nl);
	close(self->home);
}

static void reload_pair(struct __test_metadata *_metadata,
			struct _test_data_reload *self)
{
	if (self->nsa >= 0)
		close(self->nsa);
	if (self->nsb >= 0)
		close(self->nsb);
	self->nsa = ns_new(self->home);
	self->nsb = ns_new(self->home);
	ASSERT_LE(0, self->nsa);
	ASSERT_LE(0, self->nsb);
	ASSERT_EQ(0, veth_add(self->nl, self->home, self->nsa, mac_a,
			      self->nsb, mac_b));
}

/* A connection across the veth pair: *c in a, *s in b, data both ways. */
static void reload_conn(struct __test_metadata *_metadata,
			struct _test_data_reload *self, int type, int port,
			int *l, int *c, int *s)
{
	ASSERT_EQ(0, setns(self->nsb, CLONE_NEWNET));
	*l = tlisten(type, port);
	ASSERT_EQ(0, setns(self->nsa, CLONE_NEWNET));
	*c = tsock(type);
	ASSERT_EQ(0, setns(self->home, CLONE_NEWNET));
	ASSERT_LE(0, *l);
	ASSERT_LE(0, *c);
	ASSERT_EQ(0, connect_to(*c, mac_b, port)) {
		TH_LOG("connect: %s, reason %d", strerror(errno),
		       reason_of(*c));
	}
	*s = accept(*l, NULL, NULL);
	ASSERT_LE(0, *s);
	EXPECT_EQ(0, exchange(*c, *s, 1000, 7));
	EXPECT_EQ(0, exchange(*s, *c, 1000, 8));
}

static void expect_busy(struct __test_metadata *_metadata, int round)
{
	int ret = ko_unload(), err = errno;

	EXPECT_EQ(-1, ret) {
		TH_LOG("round %d: tdi unloaded under an open socket", round);
	}
	if (ret)
		EXPECT_TRUE(err == EWOULDBLOCK || err == EBUSY) {
			TH_LOG("round %d: delete_module: %s", round,
			       strerror(err));
		}
	ASSERT_LE(0, ko_refcnt());
}

/* Unload: succeeds within @wait s (releases and RCU frees may be pending). */
static void unload_ok(struct __test_metadata *_metadata, int round,
		      double wait)
{
	double end = now_s() + wait;
	int ret;

	while ((ret = ko_unload()) && (errno == EWOULDBLOCK ||
				       errno == EBUSY) && now_s() < end)
		usleep(20000);
	ASSERT_EQ(0, ret) {
		TH_LOG("round %d: delete_module: %s, refcount %d", round,
		       strerror(errno), ko_refcnt());
	}
	ASSERT_EQ(-1, ko_refcnt());
}

TEST_F_TIMEOUT(reload, unload_reload, 900)
{
	double t0 = now_s(), t1;
	int round, fd, l, c, s;
	char buf[16];

	if (!self->ko || !*self->ko)
		SKIP(return, "TDI_KO (the path of tdi.ko) is not set");
	ASSERT_EQ(0, ko_drain(60)) {
		TH_LOG("tdi is held with no socket of this test open");
	}
	reload_pair(_metadata, self);
	for (round = 0; round < opt_reloads; round++) {
		switch (round % 3) {
		case 0:
			/* nothing open (the last round's connection, just
			 * closed, may still be releasing)
			 */
			unload_ok(_metadata, round, 10);
			break;
		case 1:
			/* one socket, unbound: busy until it is closed */
			fd = socket(AF_TDI, round & 2 ? SOCK_DGRAM :
				    SOCK_SEQPACKET, 0);
			ASSERT_LE(0, fd);
			expect_busy(_metadata, round);
			close(fd);
			/* freed after an RCU grace period (SOCK_RCU_FREE) */
			unload_ok(_metadata, round, 10);
			break;
		case 2:
			/* a connection, closed: its release may go on */
			reload_conn(_metadata, self, round & 1 ? SOCK_STREAM :
				    SOCK_SEQPACKET, 8000 + round, &l, &c, &s);
			expect_busy(_metadata, round);
			close(c);
			expect_busy(_metadata, round);
			EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));
			close(s);
			close(l);
			unload_ok(_metadata, round, 10);
			break;
		}
		/* a new pair made while tdi is out, every other round */
		if (round & 1)
			reload_pair(_metadata, self);
		ASSERT_EQ(0, ko_load(self->ko)) {
			TH_LOG("round %d: finit_module(%s): %s", round,
			       self->ko, strerror(errno));
		}
		/* the namespaces, old or new, work with the new module */
		reload_conn(_metadata, self, SOCK_STREAM, 9000, &l, &c, &s);
		close(c);
		close(s);
		close(l);
	}
	t1 = now_s();
	note("%d unload/reload rounds in %.1f s\n", round, t1 - t0);
	EXPECT_EQ(0, ko_drain(60));
}

static void __attribute__((constructor)) __constructor_order_last(void)
{
	if (!__constructor_order)
		__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD;
}

int main(int argc, char **argv)
{
	int i, j = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cycles") && i + 1 < argc)
			opt_cycles = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--reloads") && i + 1 < argc)
			opt_reloads = atoi(argv[++i]);
		else
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	return test_harness_run(j, argv);
}
