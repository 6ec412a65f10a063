// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TDI half-open offers and cookies: a listener in namespace "b"
 * (02:00:00:00:00:0b), a real client in "a" (02:00:00:00:00:0a), and
 * frames injected through AF_PACKET on a's veth end from made-up nodes.
 * A listener keeps an offer as a small entry of the offer table until the
 * connector's first frame, and answers with a stateless cookie when the
 * table (net.tdi.max_offers) or the listener's share of it is full.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <unistd.h>

#include <linux/tdi.h>

#include "kselftest_harness.h"
#include "tdi_util.h"

#define ETH_P_TDI_TEST	0x88b5
#define HDR		44
#define T_CONNECT	1
#define T_ACCEPT	2
#define T_ACK		6
#define T_RESET		9

static pid_t main_pid;
static int test_port;
/* a's veth end, found in a by raw_open() (the calls between change the
 * namespace of the process)
 */
static int raw_ifindex;

static void __attribute__((constructor)) offer_init(void)
{
	main_pid = getpid();
}

static const unsigned char mac_a[6] = { 2, 0, 0, 0, 0, 0x0a };
static const unsigned char mac_b[6] = { 2, 0, 0, 0, 0, 0x0b };

/*
 * Sockets of namespace @ns (/proc/net/tdi lines), and how many of them
 * have a peer other than @peer and the zero node (made for a spoofed
 * offer).
 */
static int socks_of(int ns, const unsigned char *peer, int *strangers)
{
	char line[512], want[32];
	int n = 0;
	FILE *f;

	snprintf(want, sizeof(want), "%02x:%02x:%02x:%02x:%02x:%02x", peer[0],
		 peer[1], peer[2], peer[3], peer[4], peer[5]);
	*strangers = 0;
	if (setns(ns, CLONE_NEWNET))
		return -1;
	f = fopen("/proc/self/net/tdi", "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (strstr(line, "CONNECTED") && !strstr(line, want))
			(*strangers)++;
	}
	fclose(f);
	return n;
}

/* How many sockets in @ns name @peer (any state, children included). */
static int socks_for(int ns, const unsigned char *peer)
{
	char line[512], want[32];
	int n = 0;
	FILE *f;

	snprintf(want, sizeof(want), "%02x:%02x:%02x:%02x:%02x:%02x", peer[0],
		 peer[1], peer[2], peer[3], peer[4], peer[5]);
	if (setns(ns, CLONE_NEWNET))
		return -1;
	f = fopen("/proc/self/net/tdi", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !!strstr(line, want);
	fclose(f);
	return n;
}

/* A tdi frame as the header of section 4.1 has it (host order). */
struct frame {
	int type, flags, sport, dport;
	unsigned int src_id, dst_id, seq, ack, wnd, tsval, tsecr;
	int mru;	/* CONNECT/ACCEPT: setup payload with this mru */
};

/* An AF_PACKET socket on a's veth end (promiscuous: it sees the answers
 * to the made-up nodes too).
 */
static int raw_open(int nsa)
{
	struct packet_mreq mr;
	struct sockaddr_ll ll;
	int fd, one = 1;

	if (setns(nsa, CLONE_NEWNET))
		return -1;
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0)
		return -1;
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_ALL);
	ll.sll_ifindex = if_nametoindex("va");
	raw_ifindex = ll.sll_ifindex;
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = ll.sll_ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	/* not its own frames: hundreds of forgeries would fill its buffer,
	 * and the answers that come next would be dropped
	 */
	if (bind(fd, (struct sockaddr *)&ll, sizeof(ll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		       sizeof(one)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
		       sizeof(mr))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* An AF_PACKET socket on a's veth end that only sends. */
static int raw_tx_open(int nsa)
{
	if (setns(nsa, CLONE_NEWNET))
		return -1;
	raw_ifindex = if_nametoindex("va");
	return socket(AF_PACKET, SOCK_RAW, 0);
}

/* Send @f from node @src to b through @fd. */
static int raw_send(int fd, const unsigned char *src, const struct frame *f)
{
	unsigned char b[14 + HDR + 4];
	int plen = f->mru ? 4 : 0;
	struct sockaddr_ll ll;

	memset(b, 0, sizeof(b));
	memcpy(b, mac_b, 6);
	memcpy(b + 6, src, 6);
	put16(b + 12, ETH_P_TDI_TEST);
	b[14] = 1;
	b[15] = f->type;
	put16(b + 16, f->flags);
	put16(b + 18, f->sport);
	put16(b + 20, f->dport);
	put32(b + 22, f->src_id);
	put32(b + 26, f->dst_id);
	put32(b + 30, f->seq);
	put32(b + 34, f->ack);
	put32(b + 38, f->wnd);
	put32(b + 46, f->tsval);
	put32(b + 50, f->tsecr);
	put16(b + 54, plen);
	if (plen)
		put16(b + 58, f->mru);
	put16(b + 56, csum16(b + 14, HDR + plen));
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_ifindex = raw_ifindex;
	ll.sll_halen = 6;
	memcpy(ll.sll_addr, mac_b, 6);
	return sendto(fd, b, 14 + HDR + plen, 0, (struct sockaddr *)&ll,
		      sizeof(ll)) == 14 + HDR + plen ? 0 : -1;
}

/* A CONNECT from @src (identifier @id, ISN @isn) to b's @port. */
static int raw_connect(int fd, const unsigned char *src, int port,
		       unsigned int id, unsigned int isn, int msgmode)
{
	struct frame f = {
		.type = T_CONNECT, .flags = msgmode ? 8 : 0,
		.sport = 40000 + id % 1000, .dport = port, .src_id = id,
		.seq = isn, .wnd = 65536, .tsval = 1, .mru = 1456,
	};

	return raw_send(fd, src, &f);
}

/* Frames raw_wait() saw and skipped, the last of them. */
static int raw_seen, raw_dst;
static unsigned char raw_last[64];
static char raw_log[512];

/* Forget what the capture has queued so far. */
static void raw_drain(int fd)
{
	unsigned char b[2048];

	while (recv(fd, b, sizeof(b), MSG_DONTWAIT) > 0)
		;
}

/* Wait up to @ms for a frame of @type to node @dst; 0 and *@f, or -1. */
static int raw_wait(int fd, const unsigned char *dst, int type, int ms,
		    struct frame *f)
{
	double end = now_s() + ms / 1000.0;
	unsigned char b[2048];

	raw_seen = 0;
	raw_dst = 0;
	raw_log[0] = 0;
	while (now_s() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = recv(fd, b, sizeof(b), 0);
		raw_seen++;
		memcpy(raw_last, b, n < 64 ? (n > 0 ? n : 0) : 64);
		if (n >= 14 + HDR && !memcmp(b, dst, 6) && raw_dst++ < 8)
			snprintf(raw_log + strlen(raw_log),
				 sizeof(raw_log) - strlen(raw_log),
				 " [%04x t%d src ..%02x %u>%u len %zd]",
				 get16(b + 12), b[15], b[11], get32(b + 22),
				 get32(b + 26), n);
		if (n < 14 + HDR || memcmp(b, dst, 6) ||
		    get16(b + 12) != ETH_P_TDI_TEST || b[15] != type)
			continue;
		memset(f, 0, sizeof(*f));
		f->type = b[15];
		f->flags = get16(b + 16);
		f->sport = get16(b + 18);
		f->dport = get16(b + 20);
		f->src_id = get32(b + 22);
		f->dst_id = get32(b + 26);
		f->seq = get32(b + 30);
		f->ack = get32(b + 34);
		f->wnd = get32(b + 38);
		f->tsval = get32(b + 46);
		f->tsecr = get32(b + 50);
		if (n >= 14 + HDR + 4 && get16(b + 54) >= 4)
			f->mru = get16(b + 14 + HDR);
		return 0;
	}
	return -1;
}

/* The connector's answer to an ACCEPT @acc: its first frame (an ACK). */
static struct frame first_frame(const struct frame *acc, unsigned int isn)
{
	struct frame f = {
		.type = T_ACK, .sport = acc->dport, .dport = acc->sport,
		.src_id = acc->dst_id, .dst_id = acc->src_id, .seq = isn,
		.ack = acc->seq, .wnd = 65536, .tsval = 2, .tsecr = acc->tsval,
	};

	return f;
}

/* A random unicast, locally administered node that is not a's or b's. */
static void random_mac(unsigned char *m)
{
	unsigned int r = random(), s = random();

	m[0] = 0x06;
	m[1] = 0x80 | (r & 0x3f);
	m[2] = r >> 8;
	m[3] = r >> 16;
	m[4] = s;
	m[5] = s >> 8;
}

FIXTURE(offer) {
	int nsa, nsb;
	int raw;
};

static void __attribute__((destructor)) offer_exit(void)
{
	if (getpid() != main_pid)
		return;
	if (run("ip netns del toa%d 2>/dev/null; ip netns del tob%d 2>/dev/null",
		main_pid, main_pid))
		return;
}

static int open_ns(const char *fmt, int id)
{
	char path[64];

	snprintf(path, sizeof(path), "/run/netns/");
	snprintf(path + strlen(path), sizeof(path) - strlen(path), fmt, id);
	return open(path, O_RDONLY);
}

FIXTURE_SETUP(offer)
{
	tdi_case_filter(_metadata->name);
	self->nsa = open_ns("toa%d", main_pid);
	self->nsb = open_ns("tob%d", main_pid);
	if (self->nsa < 0 || self->nsb < 0) {
		ASSERT_EQ(0, run("ip netns add toa%d && ip netns add tob%d",
				 main_pid, main_pid));
		ASSERT_EQ(0, run("ip link add va netns toa%d type veth peer name vb netns tob%d",
				 main_pid, main_pid));
		ASSERT_EQ(0, run("ip -n toa%d link set va address 02:00:00:00:00:0a up",
				 main_pid));
		ASSERT_EQ(0, run("ip -n tob%d link set vb address 02:00:00:00:00:0b up",
				 main_pid));
		self->nsa = open_ns("toa%d", main_pid);
		self->nsb = open_ns("tob%d", main_pid);
	}
	ASSERT_LE(0, self->nsa);
	ASSERT_LE(0, self->nsb);
	ASSERT_EQ(0, sysctl_in(self->nsb, "max_offers", "1024"));
	ASSERT_EQ(0, sysctl_in(self->nsb, "retries", "10"));
	ASSERT_EQ(0, sysctl_in(self->nsb, "rto_initial_ms", "200"));
	self->raw = raw_open(self->nsa);
	ASSERT_LE(0, self->raw);
	/* each test runs in a process of its own: a port of its own */
	test_port = 20000 + getpid() % 20000;
}

FIXTURE_TEARDOWN(offer)
{
	close(self->raw);
	close(self->nsa);
	close(self->nsb);
}

/* A connection from a to @lfd's port: 0 when it works both ways. */
static int real_connect(int nsa, int lfd, int type, int port, int *why)
{
	char c = 'x', d = 0;
	int fd, s, ret = -1;

	*why = 0;
	fd = sock_in(nsa, type);
	if (fd < 0)
		return -1;
	set_timeo(fd, SO_RCVTIMEO, 5000);
	if (connect_to(fd, mac_b, port)) {
		*why = 1000 + reason_of(fd);
		goto out;
	}
	set_timeo(lfd, SO_RCVTIMEO, 5000);
	s = accept(lfd, NULL, NULL);
	if (s < 0) {
		*why = 2000 + errno;
		goto out;
	}
	set_timeo(s, SO_RCVTIMEO, 5000);
	if (send(fd, &c, 1, 0) == 1 && recv(s, &d, 1, 0) == 1 && d == 'x' &&
	    send(s, "y", 1, 0) == 1 && recv(fd, &d, 1, 0) == 1 && d == 'y')
		ret = 0;
	else
		*why = 3000 + errno;
	close(s);
out:
	close(fd);
	return ret;
}

/*
 * (a) Spoofed CONNECTs from random nodes, far more than the backlog and
 * the offer table, while a real client connects again and again: every
 * real connect works, no socket is made for a spoofed offer, the table
 * stays within max_offers and the rest is answered with cookies.  (Before:
 * each spoofed CONNECT made a child; the backlog filled and the real
 * client was refused.)
 */
TEST_F_TIMEOUT(offer, flood, 300)
{
	int lfd, i, ok = 0, tries = 0, strangers, most = 0, n, why;
	long long ovf0, ck0, pend, most_pend = 0;
	double end;
	pid_t pid;

	ASSERT_EQ(0, sysctl_in(self->nsb, "max_offers", "64"));
	lfd = listen_on(self->nsb, SOCK_STREAM, test_port, 16);
	ASSERT_LE(0, lfd);
	ovf0 = stat_of(self->nsb, "offers_overflow");
	ck0 = stat_of(self->nsb, "cookies_sent");

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int tx = raw_tx_open(self->nsa);
		unsigned char m[6];
		unsigned int k;

		srandom(getpid());
		for (k = 0; tx >= 0; k++) {
			random_mac(m);
			raw_connect(tx, m, test_port,
				    (random() | 1) & 0x7fffffff, random(), 0);
			if (!(k & 1023))
				usleep(1000);
		}
		_exit(1);
	}
	usleep(300000);
	end = now_s() + 60;
	for (i = 0; i < 30 && now_s() < end; i++) {
		tries++;
		if (!real_connect(self->nsa, lfd, SOCK_STREAM, test_port, &why))
			ok++;
		else
			TH_LOG("connect %d failed: %d", i, why);
		n = socks_of(self->nsb, mac_a, &strangers);
		if (n > most)
			most = n;
		EXPECT_EQ(0, strangers);
		pend = stat_of(self->nsb, "offers_pending");
		if (pend > most_pend)
			most_pend = pend;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	TH_LOG("%d/%d real connects, at most %d sockets and %lld offers in b, %lld cookies",
	       ok, tries, most, most_pend,
	       stat_of(self->nsb, "cookies_sent") - ck0);
	EXPECT_EQ(tries, ok);
	EXPECT_LE(10, tries);
	/* the listener, and children of the real client still closing */
	EXPECT_GE(1 + tries, most);
	EXPECT_GE(64, most_pend);
	EXPECT_LT(ovf0, stat_of(self->nsb, "offers_overflow"));
	EXPECT_LT(ck0 + 100, stat_of(self->nsb, "cookies_sent"));
	/* nothing spoofed waits on the accept queue */
	set_timeo(lfd, SO_RCVTIMEO, 0);
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	EXPECT_GT(0, accept(lfd, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
	close(lfd);
	EXPECT_EQ(0, stat_of(self->nsb, "offers_pending"));
}

static unsigned int rol32(unsigned int w, int s)
{
	return w << s | w >> (32 - s);
}

/* The kernel's jhash() of a 6-byte key: how tdi picks a peer's bucket. */
static unsigned int jhash6(const unsigned char *k, unsigned int initval)
{
	unsigned int a, b, c;

	a = 0xdeadbeef + 6 + initval;
	b = a;
	c = a;
	b += (unsigned int)k[5] << 8 | k[4];
	a += (unsigned int)k[3] << 24 | (unsigned int)k[2] << 16 |
	     (unsigned int)k[1] << 8 | k[0];
	c ^= b;
	c -= rol32(b, 14);
	a ^= c;
	a -= rol32(c, 11);
	b ^= a;
	b -= rol32(a, 25);
	c ^= b;
	c -= rol32(b, 16);
	a ^= c;
	a -= rol32(c, 4);
	b ^= a;
	b -= rol32(a, 14);
	c ^= b;
	c -= rol32(b, 24);
	return c;
}

#define GHOSTS	256

/* A connect() to @node, which never answers: the endpoint, or -1. */
static int ghost_connect(const unsigned char *node, int port)
{
	int fd = socket(AF_TDI, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd >= 0 && connect_to(fd, node, port) && errno != EINPROGRESS) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * Lookups walk the connection hash without a lock while connections end:
 * a socket must not be freed under a walker (issue 7, defect 2).  b keeps
 * GHOSTS connections to a node that never answers, aborting each and
 * opening another as fast as it can, while CONNECTs from that node, with
 * identifiers that hash to the bucket where b would hash its connections
 * to that node by peer before the peer's identifier is known, make b walk
 * that chain for each frame.  The kernel must log nothing.
 *
 * A stress test, not a reproducer: 7901576 passed it too (2 x 40 s; a
 * connect() costs about 16 ms in the debug guest, so b aborts only about
 * 30 connections a second).
 */
TEST_F_TIMEOUT(offer, lookup_vs_abort, 180)
{
	static const unsigned char ghost[6] = { 2, 0, 0, 0, 0, 0x66 };
	struct linger lg = { 1, 0 };
	unsigned int ids[64], want, id;
	int lfd, kfd, n = 0, i, rounds = 0, fds[GHOSTS];
	char bug[512] = "";
	double end;
	pid_t pid;

	want = jhash6(ghost, 0) & 1023;
	for (id = 1; n < 64; id++)
		if ((jhash6(ghost, id) & 1023) == want)
			ids[n++] = id;
	kfd = kmsg_open();
	ASSERT_LE(0, kfd);
	lfd = listen_on(self->nsb, SOCK_STREAM, test_port, 1);
	ASSERT_LE(0, lfd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int tx = raw_tx_open(self->nsa);
		unsigned int k;

		for (k = 0; tx >= 0; k++) {
			raw_connect(tx, ghost, test_port, ids[k % 64], k, 0);
			if (!(k & 255))
				usleep(1000);
		}
		_exit(1);
	}
	ASSERT_EQ(0, setns(self->nsb, CLONE_NEWNET));
	for (i = 0; i < GHOSTS; i++) {
		fds[i] = ghost_connect(ghost, test_port);
		ASSERT_LE(0, fds[i]) TH_LOG("connect: %s", strerror(errno));
	}
	end = now_s() + 20;
	while (now_s() < end && !kmsg_bug(kfd, bug, sizeof(bug))) {
		for (i = 0; i < GHOSTS; i++) {
			setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			close(fds[i]);
			fds[i] = ghost_connect(ghost, test_port);
		}
		rounds++;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	for (i = 0; i < GHOSTS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	close(lfd);
	usleep(200000);
	kmsg_bug(kfd, bug, sizeof(bug));
	close(kfd);
	TH_LOG("%d rounds of %d aborts", rounds, GHOSTS);
	EXPECT_STREQ("", bug);
	EXPECT_LE(1, rounds);
}

/* Send @len bytes of a pattern from @from, receive and check them at @to. */
static int transfer(int from, int to, size_t len, unsigned char seed)
{
	static unsigned char buf[65536], got[65536];
	size_t i, off = 0;
	pid_t pid;
	int st;

	for (i = 0; i < len; i++)
		buf[i] = seed + i * 7 + (i >> 9);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(send(from, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : 1);
	while (off < len) {
		ssize_t n = recv(to, got + off, len - off, 0);

		if (n <= 0)
			break;
		off += n;
	}
	waitpid(pid, &st, 0);
	return off == len && !memcmp(buf, got, len) && WIFEXITED(st) &&
	       !WEXITSTATUS(st) ? 0 : -1;
}

/*
 * (b) With the table full (max_offers 0: every offer is a cookie) real
 * connections of both types are made from cookies and carry data both
 * ways with a full-size frame payload.
 */
TEST_F_TIMEOUT(offer, cookie_connection, 120)
{
	static const int types[2] = { SOCK_STREAM, SOCK_SEQPACKET };
	long long ck0, ok0, pend0;
	int t;

	ASSERT_EQ(0, sysctl_in(self->nsb, "max_offers", "0"));
	for (t = 0; t < 2; t++) {
		int lfd, c, s, port = test_port + 100 * t;
		struct tdi_info ic, is;

		lfd = listen_on(self->nsb, types[t], port, 8);
		ASSERT_LE(0, lfd);
		ck0 = stat_of(self->nsb, "cookies_sent");
		ok0 = stat_of(self->nsb, "cookies_ok");
		pend0 = stat_of(self->nsb, "offers_pending");
		c = sock_in(self->nsa, types[t]);
		ASSERT_LE(0, c);
		ASSERT_EQ(0, connect_to(c, mac_b, port)) {
			TH_LOG("connect: %s, reason %d", strerror(errno),
			       reason_of(c));
		}
		s = accept(lfd, NULL, NULL);
		ASSERT_LE(0, s);
		EXPECT_EQ(ck0 + 1, stat_of(self->nsb, "cookies_sent"));
		EXPECT_EQ(ok0 + 1, stat_of(self->nsb, "cookies_ok"));
		EXPECT_EQ(pend0, stat_of(self->nsb, "offers_pending"));
		set_timeo(c, SO_RCVTIMEO, 10000);
		set_timeo(s, SO_RCVTIMEO, 10000);
		if (types[t] == SOCK_STREAM) {
			EXPECT_EQ(0, transfer(c, s, 65536, 1));
			EXPECT_EQ(0, transfer(s, c, 65536, 2));
		} else {
			EXPECT_EQ(0, transfer(c, s, 3000, 3));
			EXPECT_EQ(0, transfer(s, c, 1000, 4));
		}
		ic = info_of(c);
		is = info_of(s);
		/* veth MTU 1500: 1456 bytes of payload each way */
		EXPECT_EQ(1456, ic.frame_payload);
		EXPECT_EQ(1456, is.frame_payload);
		EXPECT_EQ(TDI_STATE_CONNECTED, is.state);
		close(c);
		close(s);
		close(lfd);
	}
}

/*
 * (c) First frames that do not answer an ACCEPT make nothing: a wrong
 * acknowledgment or identifier for an offer of the table or for a cookie,
 * and frames for random identifiers, neither make a socket nor take the
 * offer.  The right first frame, from the same made-up node, does make
 * the child (so the forgeries were near misses, not noise).
 */
TEST_F_TIMEOUT(offer, forged_first_frames, 120)
{
	unsigned char fake[6] = { 6, 0x80, 0, 0, 0x77, 1 };
	long long bad0, pend0, in0, acc0, ovf0, ck0;
	int lfd, n0, n, strangers, i, round;
	struct frame acc, f;

	lfd = listen_on(self->nsb, SOCK_STREAM, test_port, 8);
	ASSERT_LE(0, lfd);
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	for (round = 0; round < 2; round++) {
		/* round 0: an offer of the table; round 1: a cookie */
		ASSERT_EQ(0, sysctl_in(self->nsb, "max_offers",
				       round ? "0" : "1024"));
		fake[5] = 1 + round;
		pend0 = stat_of(self->nsb, "offers_pending");
		in0 = stat_of(self->nsb, "frames_in");
		acc0 = stat_of(self->nsb, "accepts");
		ovf0 = stat_of(self->nsb, "offers_overflow");
		ck0 = stat_of(self->nsb, "cookies_sent");
		raw_drain(self->raw);
		ASSERT_EQ(0, raw_connect(self->raw, fake, test_port,
					 5000 + round, 1000, 0));
		ASSERT_EQ(0, raw_wait(self->raw, fake, T_ACCEPT, 3000, &acc)) {
			TH_LOG("round %d acc +%lld in +%lld pend %lld->%lld",
			       round,
			       stat_of(self->nsb, "accepts") - acc0,
			       stat_of(self->nsb, "frames_in") - in0, pend0,
			       stat_of(self->nsb, "offers_pending"));
			TH_LOG("ovf +%lld ck +%lld dup %lld dead %lld ovf %lld src %lld",
			       stat_of(self->nsb, "offers_overflow") - ovf0,
			       stat_of(self->nsb, "cookies_sent") - ck0,
			       stat_of(self->nsb, "duplicates"),
			       stat_of(self->nsb, "dead_offers"),
			       stat_of(self->nsb, "offers_overflow"),
			       stat_of(self->nsb, "drop_source"));
			TH_LOG("%d to it:%s", raw_dst, raw_log);
			TH_LOG("saw %d frames, last %02x:%02x:%02x:%02x:%02x:%02x type %04x %02x",
			       raw_seen, raw_last[0], raw_last[1], raw_last[2],
			       raw_last[3], raw_last[4], raw_last[5],
			       get16(raw_last + 12), raw_last[15]);
		}
		EXPECT_EQ(5000 + round, acc.dst_id);
		EXPECT_EQ(1000, acc.ack);
		EXPECT_EQ(1456, acc.mru);
		EXPECT_EQ(pend0 + !round, stat_of(self->nsb, "offers_pending"));
		/*
		 * Count the sockets that name the made-up node, not all of
		 * b's: children of the tests before may still be closing.
		 */
		n0 = socks_for(self->nsb, fake);
		EXPECT_EQ(0, n0);
		bad0 = stat_of(self->nsb, "cookies_bad");

		f = first_frame(&acc, 1000);
		f.ack ^= 1;			/* wrong acknowledgment */
		ASSERT_EQ(0, raw_send(self->raw, fake, &f));
		f = first_frame(&acc, 1000);
		f.ack += 0x10000;
		ASSERT_EQ(0, raw_send(self->raw, fake, &f));
		f = first_frame(&acc, 1000);
		f.src_id ^= 0x100;		/* another connector */
		ASSERT_EQ(0, raw_send(self->raw, fake, &f));
		f = first_frame(&acc, 1000);
		f.dst_id ^= 0x10;		/* another identifier */
		ASSERT_EQ(0, raw_send(self->raw, fake, &f));
		f = first_frame(&acc, 1000);
		f.sport ^= 1;			/* another port */
		ASSERT_EQ(0, raw_send(self->raw, fake, &f));
		for (i = 0; i < 500; i++) {
			f = first_frame(&acc, 1000);
			f.dst_id = random() | 0x10000;
			f.ack = random();
			ASSERT_EQ(0, raw_send(self->raw, fake, &f));
		}
		f = first_frame(&acc, 1000);
		fake[4] ^= 0x40;		/* another node */
		ASSERT_EQ(0, raw_send(self->raw, fake, &f));
		fake[4] ^= 0x40;
		usleep(500000);
		n = socks_for(self->nsb, fake);
		EXPECT_EQ(n0, n);
		fake[4] ^= 0x40;
		EXPECT_EQ(0, socks_for(self->nsb, fake));
		fake[4] ^= 0x40;
		socks_of(self->nsb, mac_a, &strangers);
		EXPECT_EQ(0, strangers);
		EXPECT_GT(0, accept(lfd, NULL, NULL));
		EXPECT_EQ(pend0 + !round, stat_of(self->nsb, "offers_pending"));
		if (round)	/* while cookies are recent, misses are counted */
			EXPECT_LE(bad0 + 500, stat_of(self->nsb, "cookies_bad"));

		/* the real answer makes the child */
		f = first_frame(&acc, 1000);
		ASSERT_EQ(0, raw_send(self->raw, fake, &f));
		EXPECT_TRUE(({
			int s = -1, k;

			for (k = 0; k < 100 && s < 0; k++) {
				usleep(20000);
				s = accept(lfd, NULL, NULL);
			}
			if (s >= 0) {
				struct linger lg = { 1, 0 };
				struct sockaddr_tdi sa;
				socklen_t len = sizeof(sa);

				getpeername(s, (struct sockaddr *)&sa, &len);
				EXPECT_EQ(0, memcmp(sa.stdi_node, fake, 6));
				/* abort: nobody would answer its RELEASE */
				setsockopt(s, SOL_SOCKET, SO_LINGER, &lg,
					   sizeof(lg));
				close(s);
			}
			s >= 0;
		}));
		EXPECT_EQ(pend0, stat_of(self->nsb, "offers_pending"));
	}
	close(lfd);
}

/*
 * (d) Unanswered offers end after their ACCEPT retries and leave the
 * table; a listener holds at most its backlog + 1 of them (the rest are
 * cookies); namespaces that go away with a full table free it.
 */
TEST_F_TIMEOUT(offer, expire_and_teardown, 180)
{
	long long dead0, ovf0, ck0, rst0;
	int lfd, i, k, st, round;
	unsigned char m[6];
	pid_t pid;

	ASSERT_EQ(0, sysctl_in(self->nsb, "retries", "2"));
	/* slow enough that no offer ends while the 40 CONNECTs go in (a
	 * debug guest may take most of a second over them)
	 */
	ASSERT_EQ(0, sysctl_in(self->nsb, "rto_initial_ms", "500"));
	lfd = listen_on(self->nsb, SOCK_STREAM, test_port, 4);
	ASSERT_LE(0, lfd);
	dead0 = stat_of(self->nsb, "dead_offers");
	ovf0 = stat_of(self->nsb, "offers_overflow");
	ck0 = stat_of(self->nsb, "cookies_sent");
	rst0 = stat_of(self->nsb, "resets_out");
	for (i = 0; i < 40; i++) {
		random_mac(m);
		ASSERT_EQ(0, raw_connect(self->raw, m, test_port, 9000 + i, i,
					 0));
	}
	for (k = 0; k < 100 && stat_of(self->nsb, "offers_pending") +
	     stat_of(self->nsb, "offers_overflow") - ovf0 < 40; k++)
		usleep(20000);
	/* backlog 4 holds 5 offers; 35 cookies */
	EXPECT_EQ(5, stat_of(self->nsb, "offers_pending"));
	EXPECT_EQ(ovf0 + 35, stat_of(self->nsb, "offers_overflow"));
	EXPECT_EQ(ck0 + 35, stat_of(self->nsb, "cookies_sent"));
	/* ACCEPTs at 0, 0.5, 1.5 s, RESET(TIMEOUT) at 3.5 s */
	for (k = 0; k < 400 && stat_of(self->nsb, "offers_pending"); k++)
		usleep(20000);
	EXPECT_EQ(0, stat_of(self->nsb, "offers_pending"));
	EXPECT_EQ(dead0 + 5, stat_of(self->nsb, "dead_offers"));
	EXPECT_LE(rst0 + 5, stat_of(self->nsb, "resets_out"));
	close(lfd);

	/* a listener that goes with its offers, in namespaces that go */
	for (round = 0; round < 2; round++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			int nc, nd, l, raw, j;

			if (run("ip netns add toc%d && ip netns add tod%d",
				getpid(), getpid()) ||
			    run("ip link add va netns toc%d type veth peer name vb netns tod%d",
				getpid(), getpid()) ||
			    run("ip -n toc%d link set va up", getpid()) ||
			    run("ip -n tod%d link set vb address 02:00:00:00:00:0b up",
				getpid()))
				_exit(2);
			nc = open_ns("toc%d", getpid());
			nd = open_ns("tod%d", getpid());
			if (sysctl_in(nd, "max_offers", "16"))
				_exit(3);
			l = listen_on(nd, SOCK_STREAM, 7, 128);
			raw = raw_tx_open(nc);
			if (l < 0 || raw < 0)
				_exit(4);
			for (j = 0; j < 100; j++) {
				random_mac(m);
				raw_connect(raw, m, 7, 100 + j, j, 0);
			}
			for (j = 0; j < 100 &&
			     stat_of(nd, "offers_pending") < 16; j++)
				usleep(10000);
			if (stat_of(nd, "offers_pending") != 16)
				_exit(5);
			if (run("ip netns del toc%d; ip netns del tod%d",
				getpid(), getpid()))
				_exit(6);
			/* round 0: close first; round 1: exit holds it */
			if (!round)
				close(l);
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &st, 0));
		EXPECT_TRUE(WIFEXITED(st));
		EXPECT_EQ(0, WEXITSTATUS(st));
	}
}

TEST_HARNESS_MAIN
