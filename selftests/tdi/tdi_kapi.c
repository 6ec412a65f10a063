// SPDX-License-Identifier: GPL-2.0
/*
 * tdi_kapi: the in-kernel client API seen from userland, through its
 * sample client tdi_echo.ko (net/tdi/samples/), a kernel echo service in
 * the initial namespace.  The userland side is in namespace tdka<pid>,
 * joined to it by veth.  Each case loads the module (next to $TDI_KO, in
 * samples/) and unloads it at the end; the kernel log is checked by the
 * guest runner.
 *
 * The service accepts offers whose connect data begins with "echo" (accept
 * data "welcome") and rejects others (disconnect data "go away"), echoes
 * normal data (TSDU by TSDU in message mode) and expedited data, releases
 * ("bye") when the peer releases, and listens again.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "tdi_util.h"

static const unsigned char mac_k[6] = { 0x02, 0, 0, 0, 0x01, 0x00 };

/* The namespace is made by the first case and removed at exit, with the
 * veth pair.
 */
static pid_t main_pid;

static void __attribute__((constructor)) kapi_init(void)
{
	main_pid = getpid();
}

static void __attribute__((destructor)) kapi_exit(void)
{
	char cmd[128];

	if (getpid() != main_pid)
		return;
	snprintf(cmd, sizeof(cmd), "ip netns del tdka%d 2>/dev/null", main_pid);
	if (system(cmd))
		return;
}

#define ECHO_PORT	7
#define ECHO_CONNS	4	/* the module's default: endpoints per type */

/* The sample module @name (samples/ next to $TDI_KO) with @params,
 * loaded; 0 or -1.
 */
static int sample_load(const char *name, const char *params)
{
	const char *ko = getenv("TDI_KO");
	char path[512], dir[512];

	if (!ko)
		return -1;
	snprintf(dir, sizeof(dir), "%s", ko);
	snprintf(path, sizeof(path), "%s/samples/%s.ko", dirname(dir), name);
	return run("insmod %s %s", path, params);
}

/* tdi_echo.ko with @params, loaded; 0 or -1. */
static int echo_load(const char *params)
{
	char p[256];

	snprintf(p, sizeof(p), "port=%d %s", ECHO_PORT, params);
	return sample_load("tdi_echo", p);
}

static int echo_unload(void)
{
	return run("rmmod tdi_echo");
}

/* A count the service keeps: bytes "echoed", "chains" echoed. */
static long echo_count(const char *name)
{
	char buf[64] = "", path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/tdi_echo/parameters/%s",
		 name);
	f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return atol(buf);
}

static int set_ud(int fd, int opt, const void *data, int len)
{
	return setsockopt(fd, SOL_TDI, opt, data, len);
}

static int get_ud(int fd, int opt, void *buf)
{
	socklen_t len = TDI_MAX_USER_DATA;

	memset(buf, 0, TDI_MAX_USER_DATA);
	if (getsockopt(fd, SOL_TDI, opt, buf, &len))
		return -1;
	return len;
}

/* The namespace of the userland side, and its veth pair with the
 * initial namespace (vk0 02:00:00:00:01:00 there, vk1 ...:01:01 here).
 */
static void kapi_ns(struct __test_metadata *_metadata, int *fd)
{
	char ns[32];

	snprintf(ns, sizeof(ns), "tdka%d", main_pid);
	*fd = netns_fd(ns);
	if (*fd < 0) {
		ASSERT_EQ(0, run("ip netns add %s", ns));
		ASSERT_EQ(0, run("ip link add vk0 type veth peer name vk1 netns %s",
				 ns));
		ASSERT_EQ(0, run("ip link set vk0 address 02:00:00:00:01:00 up"));
		ASSERT_EQ(0, run("ip -n %s link set vk1 address 02:00:00:00:01:01 up",
				 ns));
		*fd = netns_fd(ns);
	}
	ASSERT_LE(0, *fd);
}

FIXTURE(echo) {
	int ns;
};

/* The service takes data in its receive handlers, or (chained) in its
 * chained receive handlers, echoing from the chains it keeps.
 */
FIXTURE_VARIANT(echo) {
	int type;
	const char *params;
};

FIXTURE_VARIANT_ADD(echo, stream) {
	.type = SOCK_STREAM,
	.params = "",
};

FIXTURE_VARIANT_ADD(echo, seqpacket) {
	.type = SOCK_SEQPACKET,
	.params = "",
};

FIXTURE_VARIANT_ADD(echo, stream_chained) {
	.type = SOCK_STREAM,
	.params = "chained=1",
};

FIXTURE_VARIANT_ADD(echo, seqpacket_chained) {
	.type = SOCK_SEQPACKET,
	.params = "chained=1",
};

FIXTURE_SETUP(echo)
{
	tdi_case_filter(_metadata->name);
	kapi_ns(_metadata, &self->ns);
	echo_unload();		/* one a failed case left */
	ASSERT_EQ(0, echo_load(variant->params));
}

FIXTURE_TEARDOWN(echo)
{
	echo_unload();
	close(self->ns);
}

/* A connection to the service with @cdata as connect data; -1 (errno)
 * when connect() failed, with the socket in *@fd.
 */
static int echo_connect(int ns, int type, const char *cdata, int *fd)
{
	int c = sock_in(ns, type);

	*fd = c;
	if (c < 0)
		return -1;
	set_timeo(c, SO_RCVTIMEO, 20000);
	set_timeo(c, SO_SNDTIMEO, 20000);
	if (cdata && set_ud(c, TDI_CONNECT_DATA, cdata, strlen(cdata)))
		return -1;
	return connect_to(c, mac_k, ECHO_PORT);
}

/* One recvmsg() of up to @len bytes; *@eor: MSG_EOR came with them (0
 * bytes without it: the end of the data).
 */
static ssize_t recv_piece(int fd, void *buf, size_t len, bool *eor)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = recvmsg(fd, &m, 0);

	*eor = n >= 0 && (m.msg_flags & MSG_EOR);
	return n;
}

struct writer {
	pthread_t thread;
	int fd, type;
	size_t total;
	__u64 hash;
	int err;
};

/* The size of TSDU @i: small, around the service's 4 KiB, and larger. */
static size_t tsdu_size(unsigned int i)
{
	static const size_t sizes[] = { 1, 100, 4095, 4096, 4097, 9000, 0, 1500 };

	return sizes[i % ARRAY_SIZE(sizes)];
}

static void *writer_main(void *arg)
{
	static unsigned char buf[9000];
	struct writer *w = arg;
	size_t sent = 0;
	unsigned int i;

	w->hash = 0xcbf29ce484222325ULL;
	for (i = 0; sent < w->total; i++) {
		size_t n = w->type == SOCK_SEQPACKET ? tsdu_size(i) : 8192;

		pattern(buf, n, i);
		if (send(w->fd, buf, n, MSG_NOSIGNAL) != (ssize_t)n) {
			w->err = errno ?: EIO;
			return NULL;
		}
		w->hash = fnv(w->hash, buf, n);
		sent += n;
	}
	w->total = sent;
	if (shutdown(w->fd, SHUT_WR))
		w->err = errno;
	return NULL;
}

/*
 * A transfer through the service, checked by hash: what comes back is
 * what went, in message mode TSDU by TSDU (MSG_EOR on the last piece of
 * each, the sizes as sent).  Then the release: the service answers ours
 * with its own, and its disconnect data.
 */
TEST_F_TIMEOUT(echo, transfer_and_release, 180)
{
	static unsigned char buf[16384];
	struct writer w = { .type = variant->type, .total = 1 << 20 };
	__u64 hash = 0xcbf29ce484222325ULL;
	unsigned char ud[TDI_MAX_USER_DATA];
	size_t got = 0, tsdu = 0;
	unsigned int i = 0;
	bool eor;
	ssize_t n;
	int c;

	ASSERT_EQ(0, echo_connect(self->ns, variant->type, "echo: hello", &c));
	EXPECT_EQ(7, get_ud(c, TDI_ACCEPT_DATA, ud));
	EXPECT_EQ(0, memcmp(ud, "welcome", 7));
	w.fd = c;
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, writer_main, &w));
	for (;;) {
		n = recv_piece(c, buf, sizeof(buf), &eor);
		if (n < 0) {
			TH_LOG("recv after %zu bytes: %s", got, strerror(errno));
			break;
		}
		if (!n && !eor)
			break;
		hash = fnv(hash, buf, n);
		got += n;
		tsdu += n;
		if (variant->type == SOCK_SEQPACKET && eor) {
			/* the TSDUs come back whole, in order */
			EXPECT_EQ(tsdu_size(i), tsdu) {
				TH_LOG("TSDU %u", i);
				break;
			}
			tsdu = 0;
			i++;
		}
	}
	pthread_join(w.thread, NULL);
	EXPECT_EQ(0, w.err);
	EXPECT_EQ(w.total, got);
	EXPECT_EQ(w.hash, hash);
	if (variant->type == SOCK_SEQPACKET)
		EXPECT_EQ(0, tsdu);	/* nothing after the last TSDU's end */
	/* the service released after its last echo, with its data */
	EXPECT_TRUE(WAIT_FOR(reason_of(c) == TDI_REASON_RELEASE));
	EXPECT_EQ(3, get_ud(c, TDI_DISCONNECT_DATA, ud));
	EXPECT_EQ(0, memcmp(ud, "bye", 3));
	EXPECT_LE((long)got, echo_count("echoed"));
	/* the chained service echoed from chains, the other never */
	EXPECT_EQ(!!strstr(variant->params, "chained"),
		  echo_count("chains") > 0);
	close(c);
}

/* An offer whose connect data the service does not like is rejected,
 * with its disconnect data; the endpoint that held it listens again.
 */
TEST_F(echo, reject_then_accept)
{
	unsigned char ud[TDI_MAX_USER_DATA];
	int c, i;

	for (i = 0; i < 2 * ECHO_CONNS + 1; i++) {
		EXPECT_EQ(-1, echo_connect(self->ns, variant->type, "hello",
					   &c));
		EXPECT_EQ(ECONNREFUSED, errno);
		EXPECT_EQ(TDI_REASON_REFUSED, reason_of(c));
		EXPECT_EQ(7, get_ud(c, TDI_DISCONNECT_DATA, ud));
		EXPECT_EQ(0, memcmp(ud, "go away", 7));
		close(c);
	}
	/* no connect data at all is no better */
	EXPECT_EQ(-1, echo_connect(self->ns, variant->type, NULL, &c));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(c);
	ASSERT_EQ(0, echo_connect(self->ns, variant->type, "echo", &c));
	EXPECT_EQ(0, exchange(c, c, 1000, 3));
	close(c);
}

/* Expedited data comes back expedited, ahead of normal data sent after
 * it; the second goes through the service's receive request rather than
 * its handler.
 */
TEST_F(echo, expedited)
{
	char buf[64];
	int c, i;

	ASSERT_EQ(0, echo_connect(self->ns, variant->type, "echo", &c));
	for (i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), "urgent %d", i);
		ASSERT_EQ(8, send(c, buf, 8, MSG_OOB));
		EXPECT_TRUE(wait_poll(c, POLLPRI, 10000) & POLLPRI);
		memset(buf, 0, sizeof(buf));
		EXPECT_EQ(8, recv(c, buf, sizeof(buf), MSG_OOB));
		EXPECT_EQ(0, memcmp(buf, "urgent ", 7));
		EXPECT_EQ('0' + i, buf[7]);
		EXPECT_EQ(0, exchange(c, c, 500, i));
	}
	close(c);
}

/* Connections the peer aborts leave the service's endpoints idle again:
 * more connections, one after the other, than it has endpoints.
 */
TEST_F(echo, abort_then_reuse)
{
	struct tdi_disconnect d = { .flags = TDI_DISCONNECT_ABORT };
	int c, i;

	for (i = 0; i < 3 * ECHO_CONNS; i++) {
		ASSERT_EQ(0, echo_connect(self->ns, variant->type, "echo", &c)) {
			TH_LOG("connection %d: %s", i, strerror(errno));
		}
		EXPECT_EQ(0, exchange(c, c, 2000, i));
		EXPECT_EQ(0, ioctl(c, SIOCTDIDISCONNECT, &d));
		close(c);
	}
}

/* As many connections at once as the service has endpoints of the type;
 * one more finds no listen (the module has no connect handler then).
 */
TEST_F(echo, all_endpoints_busy)
{
	int c[ECHO_CONNS + 1], i;

	for (i = 0; i < ECHO_CONNS; i++)
		ASSERT_EQ(0, echo_connect(self->ns, variant->type, "echo",
					  &c[i]));
	EXPECT_EQ(-1, echo_connect(self->ns, variant->type, "echo",
				   &c[ECHO_CONNS]));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(TDI_REASON_NO_LISTENER, reason_of(c[ECHO_CONNS]));
	close(c[ECHO_CONNS]);
	for (i = 0; i < ECHO_CONNS; i++)
		EXPECT_EQ(0, exchange(c[i], c[i], 3000, i));
	for (i = 0; i < ECHO_CONNS; i++)
		close(c[i]);
}

/* listen=0: the connect handler decides.  Accepted with accept data,
 * refused (TDI_REASON_REFUSED, no data), and with every endpoint busy,
 * insufficient resources.
 */
TEST_F(echo, connect_handler)
{
	unsigned char ud[TDI_MAX_USER_DATA];
	int c[ECHO_CONNS + 1], i, r;
	bool busy;
	char params[64];

	snprintf(params, sizeof(params), "listen=0 %s", variant->params);
	ASSERT_EQ(0, echo_unload());
	ASSERT_EQ(0, echo_load(params));
	EXPECT_EQ(-1, echo_connect(self->ns, variant->type, "nope", &r));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(TDI_REASON_REFUSED, reason_of(r));
	EXPECT_EQ(0, get_ud(r, TDI_DISCONNECT_DATA, ud));
	close(r);
	for (i = 0; i < ECHO_CONNS; i++) {
		ASSERT_EQ(0, echo_connect(self->ns, variant->type, "echo",
					  &c[i]));
		EXPECT_EQ(7, get_ud(c[i], TDI_ACCEPT_DATA, ud));
		EXPECT_EQ(0, memcmp(ud, "welcome", 7));
	}
	EXPECT_EQ(-1, echo_connect(self->ns, variant->type, "echo",
				   &c[ECHO_CONNS]));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(TDI_REASON_INSUFFICIENT_RESOURCES,
		  reason_of(c[ECHO_CONNS]));
	close(c[ECHO_CONNS]);
	for (i = 0; i < ECHO_CONNS; i++)
		EXPECT_EQ(0, exchange(c[i], c[i], 3000, i));
	/* the handler's endpoints are taken again once idle: each close
	 * starts a release, which ends on its own time (until then the
	 * offer finds every endpoint busy)
	 */
	for (i = 0; i < ECHO_CONNS; i++)
		close(c[i]);
	for (i = 0; i < 100; i++) {
		if (!echo_connect(self->ns, variant->type, "echo", &r))
			break;
		busy = errno == ECONNREFUSED &&
		       reason_of(r) == TDI_REASON_INSUFFICIENT_RESOURCES;
		TH_LOG("connect %d after the others ended: %s, reason %d", i,
		       strerror(errno), reason_of(r));
		close(r);
		r = -1;
		if (!busy)
			break;
		usleep(100000);
	}
	ASSERT_LE(0, r);
	EXPECT_EQ(0, exchange(r, r, 100, 9));
	close(r);
}

/* A client module that holds objects holds tdi: tdi cannot go first. */
TEST_F(echo, client_pins_tdi)
{
	EXPECT_LT(0, ko_refcnt());
	EXPECT_EQ(-1, ko_unload());
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) {
		TH_LOG("delete_module(tdi): %s", strerror(errno));
	}
	EXPECT_LT(0, ko_refcnt());
}

/* Unloading the module with connections up aborts them: the peer's
 * calls fail with ECONNRESET, the reason is TDI_REASON_ABORT.
 */
TEST_F(echo, unload_aborts_connections)
{
	char buf[16];
	int c;

	ASSERT_EQ(0, echo_connect(self->ns, variant->type, "echo", &c));
	EXPECT_EQ(0, exchange(c, c, 100, 1));
	ASSERT_EQ(0, echo_unload());
	EXPECT_EQ(-1, recv(c, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(TDI_REASON_ABORT, reason_of(c));
	close(c);
}

/* ---- The kernel client: tdi_ping.ko against a userland echo ---- */

#define PING_PORT	9
#define PING_BYTES	65536
#define PING_TSDU	3000

/* A userland echo service: one connection, echoed TSDU by TSDU. */
struct user_echo {
	pthread_t thread;
	int l, type;
	char cdata[TDI_MAX_USER_DATA + 1];
	size_t bytes;
	int bad_tsdus;
	int end;		/* 0 at the peer's release, or the errno */
	int reason;
};

static void *user_echo_main(void *arg)
{
	static unsigned char buf[16384];
	struct user_echo *u = arg;
	size_t tsdu = 0;
	bool eor;
	ssize_t n;
	int s;

	s = accept(u->l, NULL, NULL);
	if (s < 0) {
		u->end = errno;
		return NULL;
	}
	set_timeo(s, SO_RCVTIMEO, 30000);
	get_ud(s, TDI_CONNECT_DATA, u->cdata);
	for (;;) {
		n = recv_piece(s, buf, sizeof(buf), &eor);
		if (n < 0) {
			u->end = errno;
			break;
		}
		if (!n && !eor)
			break;
		u->bytes += n;
		tsdu += n;
		if (u->type == SOCK_SEQPACKET && eor) {
			if (tsdu != PING_TSDU && u->bytes != PING_BYTES)
				u->bad_tsdus++;
			tsdu = 0;
		}
		if (send(s, buf, n, MSG_NOSIGNAL |
			 (u->type == SOCK_SEQPACKET && !eor ? MSG_MORE : 0)) != n) {
			u->end = errno;
			break;
		}
	}
	/* the kernel client released: so do we */
	shutdown(s, SHUT_WR);
	WAIT_FOR(reason_of(s) != TDI_REASON_NONE);
	u->reason = reason_of(s);
	close(s);
	return NULL;
}

static int ping_param(const char *name, const char *val)
{
	return run("echo '%s' > /sys/module/tdi_ping/parameters/%s", val, name);
}

static void ping_result(char *buf, size_t len)
{
	FILE *f = fopen("/sys/module/tdi_ping/parameters/result", "r");

	buf[0] = 0;
	if (!f)
		return;
	if (!fgets(buf, len, f))
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

FIXTURE(ping) {
	int ns;
	struct user_echo u;
};

FIXTURE_VARIANT(ping) {
	int type;
};

FIXTURE_VARIANT_ADD(ping, stream) {
	.type = SOCK_STREAM,
};

FIXTURE_VARIANT_ADD(ping, seqpacket) {
	.type = SOCK_SEQPACKET,
};

FIXTURE_SETUP(ping)
{
	char params[128];

	tdi_case_filter(_metadata->name);
	kapi_ns(_metadata, &self->ns);
	run("rmmod tdi_ping 2>/dev/null");
	snprintf(params, sizeof(params),
		 "node=02:00:00:00:01:01 port=%d bytes=%d tsdu=%d seqpacket=%d",
		 PING_PORT, PING_BYTES, PING_TSDU,
		 variant->type == SOCK_SEQPACKET);
	ASSERT_EQ(0, sample_load("tdi_ping", params));
	memset(&self->u, 0, sizeof(self->u));
	self->u.type = variant->type;
	self->u.l = listen_on(self->ns, variant->type, PING_PORT, 4);
	ASSERT_LE(0, self->u.l);
	ASSERT_EQ(0, set_ud(self->u.l, TDI_ACCEPT_DATA, "user-accept", 11));
	ASSERT_EQ(0, pthread_create(&self->u.thread, NULL, user_echo_main,
				    &self->u));
}

FIXTURE_TEARDOWN(ping)
{
	close(self->u.l);
	run("rmmod tdi_ping");
	close(self->ns);
}

/* The kernel client connects with connect data, sends 64 KiB and checks
 * the echo byte for byte, then releases: the userland side reads EOF,
 * releases too, and both see TDI_REASON_RELEASE.
 */
TEST_F_TIMEOUT(ping, release, 120)
{
	char res[160];

	EXPECT_EQ(0, ping_param("run", "1"));
	pthread_join(self->u.thread, NULL);
	ping_result(res, sizeof(res));
	EXPECT_STREQ("ok bytes=65536 accept=user-accept reason=1", res);
	EXPECT_STREQ("echo: from the kernel", self->u.cdata);
	EXPECT_EQ(PING_BYTES, self->u.bytes);
	EXPECT_EQ(0, self->u.bad_tsdus);
	EXPECT_EQ(0, self->u.end);
	EXPECT_EQ(TDI_REASON_RELEASE, self->u.reason);
}

/* The same, ended with an abort: the userland side's read fails with
 * ECONNRESET, the reason is TDI_REASON_ABORT on both sides.
 */
TEST_F_TIMEOUT(ping, abort, 120)
{
	char res[160];

	ASSERT_EQ(0, ping_param("abort", "1"));
	EXPECT_EQ(0, ping_param("run", "1"));
	pthread_join(self->u.thread, NULL);
	ping_result(res, sizeof(res));
	EXPECT_STREQ("ok bytes=65536 accept=user-accept reason=2", res);
	EXPECT_EQ(PING_BYTES, self->u.bytes);
	EXPECT_EQ(ECONNRESET, self->u.end);
	EXPECT_EQ(TDI_REASON_ABORT, self->u.reason);
}

/* Nobody listens on the port: the session fails at its connect. */
TEST_F(ping, refused)
{
	char res[160];

	ASSERT_EQ(0, ping_param("port", "10"));
	EXPECT_NE(0, ping_param("run", "1"));
	ping_result(res, sizeof(res));
	EXPECT_STREQ("fail connect -111", res);
	/* the userland echo gets no connection */
	pthread_cancel(self->u.thread);
	pthread_join(self->u.thread, NULL);
}

TEST_HARNESS_MAIN
