// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation-failure sweep of AF_TDI with /proc/thread-self/fail-nth and
 * failslab.
 *
 * Two network namespaces "a" (02:00:00:00:00:0a) and "b"
 * (02:00:00:00:00:0b) joined by a veth pair (made with rtnetlink, no
 * process started); b listens.  For each step of a connection's life
 * (socket, bind, listen, connect, accept, send, send MSG_OOB, recv,
 * recv MSG_OOB, shutdown(SHUT_WR), close, SO_LINGER {1, 0} close,
 * getsockopt TDI_INFO) and n = 1, 2, 3, ...: set up the state before the
 * step without faults, write n to fail-nth, make the call, read fail-nth
 * back.  0 there means the n-th allocation of the call failed; non-zero
 * means the call made fewer than n allocations, and the step is done.
 * After each call: it succeeded or failed with a clean errno, within the
 * socket time-outs (5 s) and a watchdog alarm; the connection still works
 * afterwards (a lost frame is retransmitted) or is cleanly gone (the peer
 * sees EOF or ECONNRESET); at the end every socket drains and the module
 * unloads (and kmemleak, run by vm-run, finds nothing).
 *
 * Only allocations in the calling task count (in_task()): the peer's side
 * runs in softirq and never fails.  failslab is set to fail GFP_KERNEL
 * allocations too (ignore-gfp-wait N) and to print nothing (verbose 0:
 * verbose 1 logs "FAULT_INJECTION: forcing a failure.", 2, the default, a
 * stack dump too, which a guest run counts as a kernel report).
 *
 * Each step prints its number of fault sites and what the injected
 * failures turned into: "# stream connect: 7 fault sites: ok 2, ENOMEM 5".
 *
 * Options (before the harness's own): --max-sites N (default 200) caps a
 * step's sweep; --verbose N sets failslab's verbose (default 0).
 */

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/tdi.h>
#include <linux/veth.h>

#include "kselftest_harness.h"
#include "tdi_util.h"

#define FAILSLAB	"/sys/kernel/debug/failslab/"
#define PORT		7000	/* b's listener */
#define PORT_BIND	7100	/* bind step, in a */
#define PORT_LISTEN	7200	/* listen step, in b */

static int opt_max_sites = 200;
static const char *opt_verbose = "0";

static const unsigned char mac_b[6] = { 2, 0, 0, 0, 0, 0x0b };
static const unsigned char mac_a[6] = { 2, 0, 0, 0, 0, 0x0a };

/* A "# " line now: the harness ends a test's process with _exit(). */
#define note(...) do {				\
	ksft_print_msg(__VA_ARGS__);		\
	fflush(stdout);				\
} while (0)

/* ---- fault injection ---- */

static int fail_fd = -1;

/* Arm: the n-th fault site from now on fails. */
static void fail_arm(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	if (pwrite(fail_fd, buf, len, 0) != len)
		abort();
}

/* Disarm; true when the armed fault was injected. */
static bool fail_fired(void)
{
	char buf[16] = "";

	if (pread(fail_fd, buf, sizeof(buf) - 1, 0) <= 0)
		abort();
	if (atoi(buf) == 0)
		return true;
	fail_arm(0);
	return false;
}

/* ---- outcomes ---- */

struct tally {
	const char *step;
	double start;
	int sites;
	int ok;
	int err[160];		/* by errno */
	int notes[4];		/* step-specific outcomes */
};

static void tally_add(struct tally *t, long ret, int err)
{
	if (ret >= 0)
		t->ok++;
	else if (err > 0 && err < 160)
		t->err[err]++;
}

static void tally_print(struct tally *t, const char *type,
			const char * const *notes)
{
	char line[512];
	int i, len;

	len = snprintf(line, sizeof(line), "%s %s: %d fault sites (%.1f s): ok %d",
		       type, t->step, t->sites, now_s() - t->start, t->ok);
	for (i = 1; i < 160; i++)
		if (t->err[i])
			len += snprintf(line + len, sizeof(line) - len,
					", %s %d", strerrorname_np(i) ?: "?",
					t->err[i]);
	for (i = 0; notes && i < 4 && notes[i]; i++)
		len += snprintf(line + len, sizeof(line) - len, "; %s %d",
				notes[i], t->notes[i]);
	note("%s\n", line);
}

/* The errnos an allocation failure may turn into. */
static bool clean_errno(int err)
{
	switch (err) {
	case ENOMEM:
	case ENOBUFS:
	case EAGAIN:
	case ENFILE:
	case EMFILE:
	case ECONNABORTED:
	case ECONNRESET:
	case ETIMEDOUT:
	case EADDRNOTAVAIL:
		return true;
	}
	return false;
}

/* ---- sockets ---- */

/* A socket in namespace @ns with 5 s time-outs; we stay in @ns. */
static int sock_timeo_in(int ns, int type)
{
	int fd;

	if (setns(ns, CLONE_NEWNET))
		return -1;
	fd = socket(AF_TDI, type, 0);
	if (fd >= 0)
		timeouts(fd);
	return fd;
}

static int local_port(int fd)
{
	struct sockaddr_tdi sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len))
		return -1;
	return ntohs(sa.stdi_port);
}

static int peer_port(int fd)
{
	struct sockaddr_tdi sa;
	socklen_t len = sizeof(sa);

	if (getpeername(fd, (struct sockaddr *)&sa, &len))
		return -1;
	return ntohs(sa.stdi_port);
}

static int state_of(int fd)
{
	struct tdi_info info;
	socklen_t len = sizeof(info);

	if (getsockopt(fd, SOL_TDI, TDI_INFO, &info, &len))
		return -1;
	return info.state;
}

/* A watchdog for each call: no step may hang. */
static const char *wd_step;
static int wd_n;

static void wd_fire(int sig)
{
	char msg[128];
	int len;

	len = snprintf(msg, sizeof(msg), "# watchdog: %s, fault %d hung\n",
		       wd_step, wd_n);
	if (write(2, msg, len) < 0)
		_exit(3);
	_exit(2);
}

FIXTURE(fn) {
	int home, nsa, nsb;
	int lfd;		/* b's listener on PORT */
	char saved_igw[16], saved_verbose[16];
	struct tally t;
	const char *notes[4];
};

FIXTURE_VARIANT(fn) {
	int type;
	const char *name;
};

FIXTURE_VARIANT_ADD(fn, stream) {
	.type = SOCK_STREAM,
	.name = "stream",
};

FIXTURE_VARIANT_ADD(fn, seqpacket) {
	.type = SOCK_SEQPACKET,
	.name = "seqpacket",
};

FIXTURE_SETUP(fn)
{
	struct sockaddr_tdi sa;

	memset(&self->t, 0, sizeof(self->t));
	self->t.start = now_s();
	memset(self->notes, 0, sizeof(self->notes));
	self->saved_igw[0] = 0;
	self->lfd = -1;
	self->nsa = -1;
	self->nsb = -1;
	self->home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->home);
	ASSERT_EQ(0, file_get(FAILSLAB "verbose", self->saved_verbose,
			      sizeof(self->saved_verbose))) {
		TH_LOG("no %s (CONFIG_FAILSLAB, debugfs)", FAILSLAB);
	}
	ASSERT_EQ(0, file_get(FAILSLAB "ignore-gfp-wait", self->saved_igw,
			      sizeof(self->saved_igw)));
	ASSERT_EQ(0, file_put(FAILSLAB "verbose", opt_verbose));
	ASSERT_EQ(0, file_put(FAILSLAB "ignore-gfp-wait", "N"));
	fail_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fail_fd) {
		TH_LOG("/proc/thread-self/fail-nth: %s", strerror(errno));
	}
	self->nsa = ns_new(self->home);
	self->nsb = ns_new(self->home);
	ASSERT_LE(0, self->nsa);
	ASSERT_LE(0, self->nsb);
	ASSERT_EQ(0, veth_add(-1, self->home, self->nsa, mac_a,
			      self->nsb, mac_b));
	self->lfd = sock_timeo_in(self->nsb, variant->type);
	ASSERT_LE(0, self->lfd);
	sa_of(&sa, NULL, PORT);
	ASSERT_EQ(0, bind(self->lfd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(self->lfd, 16));
	ASSERT_EQ(0, setns(self->nsa, CLONE_NEWNET));
	signal(SIGALRM, wd_fire);
}

FIXTURE_TEARDOWN(fn)
{
	alarm(0);
	if (fail_fd >= 0) {
		fail_arm(0);
		close(fail_fd);
		fail_fd = -1;
	}
	if (self->saved_igw[0]) {
		file_put(FAILSLAB "ignore-gfp-wait", self->saved_igw);
		file_put(FAILSLAB "verbose", self->saved_verbose);
	}
	if (self->t.step)
		tally_print(&self->t, variant->name, self->notes);
	if (self->lfd >= 0)
		close(self->lfd);
	if (self->nsa >= 0)
		close(self->nsa);
	if (self->nsb >= 0)
		close(self->nsb);
	close(self->home);
}

/*
 * Accept the connection of @c (by its port) from b's listener; any other
 * connection queued (left by a failed connect) is closed.  Returns the fd
 * or -1.
 */
static int accept_of(int lfd, int c, int *stale)
{
	int port = local_port(c), i, s;

	for (i = 0; i < 8; i++) {
		s = accept(lfd, NULL, NULL);
		if (s < 0)
			return -1;
		if (peer_port(s) == port) {
			timeouts(s);
			return s;
		}
		(*stale)++;
		close(s);
	}
	return -1;
}

/* A connected pair, without faults: *c in a, *s accepted in b. */
static void pair(struct __test_metadata *_metadata,
		 struct _test_data_fn *self, int type, int *c, int *s)
{
	int stale = 0;

	*c = sock_timeo_in(self->nsa, type);
	ASSERT_LE(0, *c);
	ASSERT_EQ(0, connect_to(*c, mac_b, PORT)) {
		TH_LOG("connect: %s", strerror(errno));
	}
	*s = accept_of(self->lfd, *c, &stale);
	ASSERT_LE(0, *s);
}

/* Both directions of a connection work (frames lost are sent again). */
static void expect_works(struct __test_metadata *_metadata, int c, int s,
			 const char *step, int n)
{
	EXPECT_EQ(0, exchange(c, s, 3000, n)) {
		TH_LOG("%s, fault %d: a to b broken afterwards: %s", step, n,
		       strerror(errno));
	}
	EXPECT_EQ(0, exchange(s, c, 100, n + 1)) {
		TH_LOG("%s, fault %d: b to a broken afterwards: %s", step, n,
		       strerror(errno));
	}
}

/*
 * After @c went away (closed or aborted): @s sees EOF or ECONNRESET.
 * Returns 0 for EOF, 1 for a reset, 2 when @s only learnt of it by
 * sending (the peer's RESET or RELEASE was lost), -1 when it never did.
 */
static int peer_gone(int s)
{
	char buf[64];
	int i;

	for (i = 0; i < 2; i++) {
		if (wait_poll(s, POLLIN | POLLRDHUP, i ? 5000 : 1000)) {
			ssize_t n = recv(s, buf, sizeof(buf), MSG_DONTWAIT);

			if (n == 0)
				return i * 2;
			if (n < 0 && errno == ECONNRESET)
				return i ? 2 : 1;
			if (n < 0 && errno != EAGAIN)
				return -1;
		}
		/* nothing heard: talk, and the peer's node answers */
		send(s, "?", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	return -1;
}

/* A sweep over the fault sites of one step. */
#define for_each_fault(name)						\
	for (self->t.step = wd_step = (name), n = 1, fired = 1;		\
	     fired && n <= opt_max_sites; n++)

#define INJECT(call) do {					\
	wd_n = n;						\
	alarm(20);						\
	fail_arm(n);						\
	ret = (call);						\
	err = errno;						\
	fired = fail_fired();					\
	alarm(0);						\
	if (fired) {						\
		self->t.sites = n;				\
		tally_add(&self->t, ret, err);			\
	}							\
	if (ret < 0 && fired)					\
		EXPECT_TRUE(clean_errno(err)) {			\
			TH_LOG("%s, fault %d: %s", self->t.step,	\
			       n, strerror(err));		\
		}						\
	if (ret < 0 && !fired)					\
		EXPECT_EQ(0, err) {				\
			TH_LOG("%s failed with no fault: %s",	\
			       self->t.step, strerror(err));	\
		}						\
} while (0)

TEST_F_TIMEOUT(fn, socket, 300)
{
	int n, fired, err;
	long ret;
	int c, s, stale = 0;

	for_each_fault("socket") {
		ASSERT_EQ(0, setns(self->nsa, CLONE_NEWNET));
		INJECT(socket(AF_TDI, variant->type, 0));
		if (ret >= 0) {
			c = ret;
			timeouts(c);
			ASSERT_EQ(0, connect_to(c, mac_b, PORT));
			s = accept_of(self->lfd, c, &stale);
			ASSERT_LE(0, s);
			expect_works(_metadata, c, s, "socket", n);
			close(s);
			close(c);
		}
	}
}

TEST_F_TIMEOUT(fn, bind, 300)
{
	int n, fired, err;
	long ret;
	struct sockaddr_tdi sa;
	socklen_t len;
	int fd;

	sa_of(&sa, NULL, PORT_BIND);
	for_each_fault("bind") {
		fd = sock_timeo_in(self->nsa, variant->type);
		ASSERT_LE(0, fd);
		INJECT(bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
		if (!ret) {
			EXPECT_EQ(PORT_BIND, local_port(fd));
		} else {
			/* the endpoint is still unbound and may bind */
			len = sizeof(sa);
			EXPECT_EQ(0, getsockname(fd, (struct sockaddr *)&sa,
						 &len));
			EXPECT_EQ(0, sa.stdi_port);
			sa_of(&sa, NULL, PORT_BIND);
			EXPECT_EQ(0, bind(fd, (struct sockaddr *)&sa,
					  sizeof(sa))) {
				TH_LOG("fault %d: bind again: %s", n,
				       strerror(errno));
			}
		}
		close(fd);
		/* the port is free again */
		fd = sock_timeo_in(self->nsa, variant->type);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			TH_LOG("fault %d: port not freed: %s", n,
			       strerror(errno));
		}
		close(fd);
	}
}

TEST_F_TIMEOUT(fn, listen, 300)
{
	int n, fired, err;
	long ret;
	struct sockaddr_tdi sa;
	int l, c, s, stale = 0;

	sa_of(&sa, NULL, PORT_LISTEN);
	for_each_fault("listen") {
		l = sock_timeo_in(self->nsb, variant->type);
		ASSERT_LE(0, l);
		ASSERT_EQ(0, bind(l, (struct sockaddr *)&sa, sizeof(sa)));
		INJECT(listen(l, 4));
		if (ret)
			ASSERT_EQ(0, listen(l, 4));
		c = sock_timeo_in(self->nsa, variant->type);
		ASSERT_LE(0, c);
		ASSERT_EQ(0, connect_to(c, mac_b, PORT_LISTEN));
		s = accept_of(l, c, &stale);
		ASSERT_LE(0, s);
		expect_works(_metadata, c, s, "listen", n);
		close(s);
		close(c);
		close(l);
	}
}

TEST_F_TIMEOUT(fn, connect, 300)
{
	int n, fired, err;
	long ret;
	int c, s, stale = 0;

	self->notes[0] = "stale offers";
	for_each_fault("connect") {
		c = sock_timeo_in(self->nsa, variant->type);
		ASSERT_LE(0, c);
		INJECT(connect_to(c, mac_b, PORT));
		if (ret) {
			/* the endpoint may connect again */
			EXPECT_EQ(0, connect_to(c, mac_b, PORT)) {
				TH_LOG("fault %d: connect again: %s", n,
				       strerror(errno));
			}
		}
		s = accept_of(self->lfd, c, &stale);
		EXPECT_LE(0, s) {
			TH_LOG("fault %d: accept: %s", n, strerror(errno));
		}
		if (s >= 0) {
			expect_works(_metadata, c, s, "connect", n);
			close(s);
		}
		close(c);
	}
	self->t.notes[0] = stale;
}

TEST_F_TIMEOUT(fn, accept, 300)
{
	int n, fired, err;
	long ret;
	int c, s;

	for_each_fault("accept") {
		c = sock_timeo_in(self->nsa, variant->type);
		ASSERT_LE(0, c);
		ASSERT_EQ(0, connect_to(c, mac_b, PORT));
		INJECT(accept(self->lfd, NULL, NULL));
		s = ret;
		if (ret < 0) {
			/* the connection is still queued */
			s = accept(self->lfd, NULL, NULL);
			EXPECT_LE(0, s) {
				TH_LOG("fault %d: the offer was lost: %s", n,
				       strerror(errno));
			}
		}
		if (s >= 0) {
			timeouts(s);
			EXPECT_EQ(local_port(c), peer_port(s));
			expect_works(_metadata, c, s, "accept", n);
			close(s);
		}
		close(c);
	}
}

TEST_F_TIMEOUT(fn, send, 300)
{
	int n, fired, err;
	long ret;
	unsigned char out[4000], in[8192];
	ssize_t got;
	int c, s;

	pattern(out, sizeof(out), 11);
	memset(in, 0, sizeof(in));	/* no page fault inside a call */
	self->notes[0] = "partial";
	for_each_fault("send") {
		pair(_metadata, self, variant->type, &c, &s);
		INJECT(send(c, out, sizeof(out), MSG_NOSIGNAL));
		if (ret > 0 && ret < (long)sizeof(out))
			self->t.notes[0]++;
		/* what was taken arrives, in order, then the marker */
		ASSERT_EQ(3, send(c, "end", 3, MSG_NOSIGNAL));
		if (variant->type == SOCK_SEQPACKET) {
			if (ret > 0) {
				got = recv(s, in, sizeof(in), 0);
				EXPECT_EQ(ret, got) {
					TH_LOG("fault %d: TSDU of %zd bytes, sent %ld",
					       n, got, ret);
				}
				if (got == ret)
					EXPECT_EQ(0, memcmp(in, out, ret));
			}
			got = recv(s, in, sizeof(in), 0);
			EXPECT_EQ(3, got) {
				TH_LOG("fault %d: marker TSDU of %zd bytes", n,
				       got);
			}
		} else {
			size_t want = (ret > 0 ? ret : 0) + 3;

			got = recv_loop(s, in, want, 0, true);
			EXPECT_EQ((ssize_t)want, got) {
				TH_LOG("fault %d: %zd of %zu bytes arrived", n,
				       got, want);
			}
			if (got == (ssize_t)want) {
				EXPECT_EQ(0, memcmp(in, out, want - 3));
				EXPECT_EQ(0, memcmp(in + want - 3, "end", 3));
			}
		}
		expect_works(_metadata, c, s, "send", n);
		close(s);
		close(c);
	}
}

TEST_F_TIMEOUT(fn, send_oob, 300)
{
	int n, fired, err;
	long ret;
	char buf[64];
	int c, s;

	for_each_fault("send MSG_OOB") {
		pair(_metadata, self, variant->type, &c, &s);
		INJECT(send(c, "urgent!", 7, MSG_OOB | MSG_NOSIGNAL));
		if (ret == 7) {
			EXPECT_TRUE(wait_poll(s, POLLPRI, 5000) & POLLPRI) {
				TH_LOG("fault %d: expedited data lost", n);
			}
			EXPECT_EQ(7, recv(s, buf, sizeof(buf),
					  MSG_OOB | MSG_DONTWAIT));
		} else {
			EXPECT_FALSE(wait_poll(s, POLLPRI, 300) & POLLPRI);
		}
		/* expedited data still goes */
		EXPECT_EQ(2, send(c, "ok", 2, MSG_OOB | MSG_NOSIGNAL));
		EXPECT_TRUE(wait_poll(s, POLLPRI, 5000) & POLLPRI);
		EXPECT_EQ(2, recv(s, buf, sizeof(buf), MSG_OOB | MSG_DONTWAIT));
		expect_works(_metadata, c, s, "send MSG_OOB", n);
		close(s);
		close(c);
	}
}

/* Wait until @s has @len bytes of normal data to read. */
static int wait_inq(int s, int len)
{
	int i, q;

	for (i = 0; i < 500; i++) {
		if (!ioctl(s, SIOCINQ, &q) && q >= len)
			return 0;
		usleep(10000);
	}
	return -1;
}

TEST_F_TIMEOUT(fn, recv, 300)
{
	int n, fired, err;
	long ret;
	unsigned char out[3000], in[3000];
	ssize_t rest;
	int c, s;

	pattern(out, sizeof(out), 21);
	memset(in, 0, sizeof(in));	/* no page fault inside a call */
	for_each_fault("recv") {
		pair(_metadata, self, variant->type, &c, &s);
		ASSERT_EQ(sizeof(out), send(c, out, sizeof(out), 0));
		ASSERT_EQ(0, wait_inq(s, sizeof(out)));
		INJECT(recv(s, in, sizeof(in), 0));
		if (ret > 0)
			EXPECT_EQ(0, memcmp(in, out, ret));
		if (ret < (long)sizeof(out) && variant->type == SOCK_STREAM) {
			long off = ret > 0 ? ret : 0;

			rest = recv_loop(s, in + off, sizeof(out) - off, 0,
					 true);
			EXPECT_EQ((ssize_t)sizeof(out) - off, rest);
			EXPECT_EQ(0, memcmp(in, out, sizeof(out)));
		} else if (ret < 0) {
			EXPECT_EQ(sizeof(out), recv(s, in, sizeof(in), 0));
			EXPECT_EQ(0, memcmp(in, out, sizeof(out)));
		}
		expect_works(_metadata, c, s, "recv", n);
		close(s);
		close(c);
	}
}

TEST_F_TIMEOUT(fn, recv_oob, 300)
{
	int n, fired, err;
	long ret;
	char buf[64];
	int c, s;

	for_each_fault("recv MSG_OOB") {
		pair(_metadata, self, variant->type, &c, &s);
		ASSERT_EQ(7, send(c, "urgent!", 7, MSG_OOB));
		ASSERT_TRUE(wait_poll(s, POLLPRI, 5000) & POLLPRI);
		INJECT(recv(s, buf, sizeof(buf), MSG_OOB));
		if (ret < 0)
			EXPECT_EQ(7, recv(s, buf, sizeof(buf), MSG_OOB));
		EXPECT_EQ(0, memcmp(buf, "urgent!", 7));
		expect_works(_metadata, c, s, "recv MSG_OOB", n);
		close(s);
		close(c);
	}
}

TEST_F_TIMEOUT(fn, shutdown, 300)
{
	int n, fired, err;
	long ret;
	char buf[16];
	int c, s, g;

	self->notes[0] = "released";
	self->notes[1] = "aborted";
	self->notes[2] = "ENOMEM, then released";
	for_each_fault("shutdown") {
		pair(_metadata, self, variant->type, &c, &s);
		INJECT(shutdown(c, SHUT_WR));
		if (ret < 0 && err == ENOMEM) {
			/* nothing changed: the connection works, and the
			 * call may be made again
			 */
			self->t.notes[2] += fired;
			EXPECT_EQ(TDI_STATE_CONNECTED, state_of(c));
			EXPECT_EQ(0, exchange(c, s, 100, n));
			EXPECT_EQ(0, shutdown(c, SHUT_WR));
		}
		g = peer_gone(s);
		EXPECT_TRUE(g == 0 || g == 1) {
			TH_LOG("fault %d: peer saw %d, state %d", n, g,
			       state_of(c));
		}
		if (g == 0) {
			self->t.notes[0] += fired;
			/* the peer may go on sending, then releases */
			EXPECT_EQ(TDI_STATE_RELEASE_SENT, state_of(c));
			EXPECT_EQ(0, exchange(s, c, 100, n));
			EXPECT_EQ(0, shutdown(s, SHUT_WR));
			EXPECT_EQ(0, recv(c, buf, sizeof(buf), 0));
		} else if (g == 1) {
			self->t.notes[1] += fired;
			EXPECT_EQ(TDI_STATE_BOUND, state_of(c));
		}
		close(s);
		close(c);
	}
}

static void close_sweep(struct __test_metadata *_metadata,
			struct _test_data_fn *self, int type, bool abort_it)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int c, s, g, n, fired, err;
	long ret;

	self->notes[0] = "peer saw EOF";
	self->notes[1] = "reset";
	self->notes[2] = "half-open until it sent";
	for_each_fault(abort_it ? "close SO_LINGER {1,0}" : "close") {
		pair(_metadata, self, type, &c, &s);
		if (abort_it)
			ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_LINGER, &lg,
						sizeof(lg)));
		INJECT(close(c));
		g = peer_gone(s);
		EXPECT_LE(0, g) {
			TH_LOG("fault %d: the peer never learnt of the close",
			       n);
		}
		if (abort_it)
			EXPECT_NE(0, g);
		if (fired && g >= 0)
			self->t.notes[g]++;
		close(s);
	}
}

TEST_F_TIMEOUT(fn, close, 300)
{
	close_sweep(_metadata, self, variant->type, false);
}

TEST_F_TIMEOUT(fn, close_abort, 300)
{
	close_sweep(_metadata, self, variant->type, true);
}

TEST_F_TIMEOUT(fn, getsockopt_info, 300)
{
	int n, fired, err;
	long ret;
	struct tdi_info info;
	socklen_t len;
	int c, s;

	for_each_fault("getsockopt TDI_INFO") {
		pair(_metadata, self, variant->type, &c, &s);
		len = sizeof(info);
		INJECT(getsockopt(c, SOL_TDI, TDI_INFO, &info, &len));
		if (!ret)
			EXPECT_EQ(TDI_STATE_CONNECTED, info.state);
		expect_works(_metadata, c, s, "getsockopt", n);
		close(s);
		close(c);
	}
}

/* Last: every socket drains and the module unloads and loads again. */
FIXTURE(end) {
	int unused;
};

FIXTURE_SETUP(end)
{
}

FIXTURE_TEARDOWN(end)
{
}

TEST_F_TIMEOUT(end, module_unloads, 120)
{
	const char *ko = getenv("TDI_KO");
	double t0 = now_s();
	int n, fd;

	while ((n = ko_refcnt()) > 0 && now_s() < t0 + 60)
		usleep(20000);
	note("tdi refcount %d after %.1f s\n", n, now_s() - t0);
	ASSERT_GE(0, n) {
		TH_LOG("tdi still held %d times 60 s after the sweeps", n);
	}
	if (n < 0)
		SKIP(return, "tdi is not loaded");
	if (!ko || !*ko)
		SKIP(return, "TDI_KO is not set: not unloading");
	ASSERT_EQ(0, syscall(SYS_delete_module, TDI_MOD, O_NONBLOCK)) {
		TH_LOG("delete_module: %s", strerror(errno));
	}
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, syscall(SYS_finit_module, fd, "", 0)) {
		TH_LOG("finit_module(%s): %s", ko, strerror(errno));
	}
	close(fd);
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
		if (!strcmp(argv[i], "--max-sites") && i + 1 < argc)
			opt_max_sites = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--verbose") && i + 1 < argc)
			opt_verbose = argv[++i];
		else
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	return test_harness_run(j, argv);
}
