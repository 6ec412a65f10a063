// SPDX-License-Identifier: GPL-2.0
/*
 * tdiperf: AF_TDI against TCP, TIPC and AF_UNIX over the same link.
 *
 *   tdiperf -s [-p PORT] [-u PATH] [-U PATH]
 *	serve tdi SOCK_STREAM on PORT (5201) and SOCK_SEQPACKET on PORT + 1,
 *	TCP on PORT, TIPC SOCK_STREAM on the service {18888, PORT} (when the
 *	kernel has TIPC), AF_UNIX SOCK_SEQPACKET on the socket file given to
 *	-u and AF_UNIX SOCK_STREAM on the one given to -U (each made anew)
 *   tdiperf -c DEST -f FAMILY -m stream|rr|crr|msg [-d SEC] [-l LEN]
 *	    [-P N] [-B BYTES] [-V] [-T SEC]
 *	FAMILY and DEST: tdi, tdi-seq: a node address (aa:bb:cc:dd:ee:ff);
 *	tcp: an IPv4 address (TCP_NODELAY on both ends); tipc: anything (the
 *	service {18888, PORT} wherever it is in the cluster; TIPC_NODELAY on
 *	both ends); unix, unix-seq: the server's socket file.
 *	Modes:
 *	  stream  N connections (-P N, default 1) at once, each writing
 *		  LEN bytes (default 131072) at a time for SEC seconds
 *		  (default 5), then reading the receiver's count of what
 *		  arrived, which must be all: throughput of all, MB/s (10^6
 *		  bytes), each connection's, and Jain's fairness index over
 *		  them.  The bytes are a non-zero pattern of their offset in
 *		  the stream; with -V the receiver checks every byte of it.
 *	  rr	  one connection, LEN-byte request (default 64) and LEN-byte
 *		  answer, as many as fit in SEC seconds: transactions/s and
 *		  the 50th, 99th and 99.9th percentile of their times
 *	  crr	  connect, one rr transaction, close; repeated: connections/s
 *		  and percentiles as for rr
 *	  msg	  one connection, LEN-byte messages (default 100, at least 8)
 *		  one way for SEC seconds: messages/s.  Each message carries
 *		  its number and bytes that depend on it; the receiver checks
 *		  every one (a message-mode endpoint must return one whole
 *		  message per recv, a stream is cut every LEN bytes) and the
 *		  run fails unless all arrived intact and in order.
 *	-B BYTES sets SO_SNDBUF and SO_RCVBUF to BYTES on both ends (the
 *	client's before connecting, the server's once the request says so).
 *	-T SEC: give up (exit 1, "stalled") SEC seconds after the end of the
 *	measurement (default 60).
 *
 * Prints one line of key=value pairs after "RESULT": family, mode, len,
 * value and unit, secs (the measured time), cpu_s (busy CPU seconds of
 * all CPUs from /proc/stat, softirq included, over that time), cpu_util
 * (cpu_s over all CPU time), and by mode cpu_s_per_gb, conns, jain,
 * rates, sndbuf, rcvbuf (the client's, as getsockopt() gives them),
 * verified; cpu_us_per_tx, p50_us, p99_us, p999_us; cpu_us_per_msg.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/tdi.h>
#include <linux/tipc.h>

#ifndef SOL_TIPC
#define SOL_TIPC	271
#endif

enum { MODE_STREAM = 1, MODE_RR, MODE_CRR, MODE_MSG };

/* hello.flags: the receiver checks every byte of a stream */
#define HELLO_VERIFY	1

/* A msg-mode message starts with its number: the shortest message. */
#define MSG_MIN	sizeof(unsigned long long)

/* The stream pattern's period (prime, so writes do not line up with it) */
#define PAT	251

/* What a stream receiver reads at a time (at least) */
#define RBUF	131072

/* The TIPC service type; the instance is the port */
#define TIPERF_SERVICE	18888

#define MAX_CONNS	64

struct hello {
	unsigned int mode;
	unsigned int len;
	unsigned int flags;
	unsigned int bufsize;
};

/* What the receiver of a msg run saw: intact messages and others. */
struct tally {
	unsigned long long good;
	unsigned long long bad;
};

/* What the receiver of a stream saw: bytes, and chunks not as sent. */
struct stream_tally {
	unsigned long long bytes;
	unsigned long long bad;
};

/* One stream connection's result, child to parent. */
struct conn_res {
	unsigned long long bytes;
	double secs;
	int sndbuf, rcvbuf;
};

struct cpu {
	unsigned long long busy, all;
};

/* Transaction times, microseconds. */
struct lat {
	double *v;
	size_t n, cap;
};

static pid_t kids[MAX_CONNS];
static int nkids;
static double grace = 60;

static void die(const char *what)
{
	fprintf(stderr, "tdiperf: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void on_alarm(int sig)
{
	static const char msg[] = "tdiperf: stalled: no end in time\n";
	int i;

	(void)sig;
	for (i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* All CPUs' busy and total time so far, in clock ticks (/proc/stat). */
static void cpu_read(struct cpu *c)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n, i;

	c->busy = 0;
	c->all = 0;
	if (!f)
		return;
	/* user nice system idle iowait irq softirq steal (guest is in user) */
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	for (i = 0; i < n; i++) {
		c->all += v[i];
		if (i != 3 && i != 4)
			c->busy += v[i];
	}
}

static double cpu_secs(const struct cpu *a, const struct cpu *b)
{
	return (double)(b->busy - a->busy) / sysconf(_SC_CLK_TCK);
}

static double cpu_util(const struct cpu *a, const struct cpu *b)
{
	return b->all > a->all ?
	       (double)(b->busy - a->busy) / (b->all - a->all) : 0;
}

static void lat_add(struct lat *l, double us)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4096;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			die("realloc");
	}
	l->v[l->n++] = us;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile @p (0-100) of sorted times. */
static double lat_pct(const struct lat *l, double p)
{
	size_t k;

	if (!l->n)
		return 0;
	k = (size_t)(p / 100 * l->n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > l->n)
		k = l->n;
	return l->v[k - 1];
}

static int full(int fd, void *buf, size_t len, int out)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = out ? send(fd, (char *)buf + done, len - done,
				       MSG_NOSIGNAL) :
				  recv(fd, (char *)buf + done, len - done, 0);

		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

/* @len bytes of the stream pattern: the byte at offset o is 1 + o % PAT. */
static unsigned char *pattern(size_t len)
{
	unsigned char *p = malloc(len);
	size_t i;

	if (!p)
		die("malloc");
	for (i = 0; i < len; i++)
		p[i] = 1 + i % PAT;
	return p;
}

static void setbufs(int fd, int bytes)
{
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)))
		die("SO_SNDBUF/SO_RCVBUF");
}

/* Message @n of a msg run: its number, then bytes that depend on it. */
static void msg_fill(unsigned char *buf, size_t len, unsigned long long n)
{
	size_t i;

	memcpy(buf, &n, sizeof(n));
	for (i = sizeof(n); i < len; i++)
		buf[i] = n * 31 + i;
}

static int msg_bad(const unsigned char *buf, size_t len, unsigned long long n)
{
	unsigned long long got;
	size_t i;

	memcpy(&got, buf, sizeof(got));
	if (got != n)
		return 1;
	for (i = sizeof(n); i < len; i++)
		if (buf[i] != (unsigned char)(n * 31 + i))
			return 1;
	return 0;
}

/*
 * Receive a msg run until the sender's end, checking every message, then
 * tell the sender what arrived.  A message-mode socket gives one message
 * per recv (a longer one shows as len + 1 bytes); a stream is read LEN
 * bytes at a time.
 */
static void serve_msg(int fd, unsigned char *buf, unsigned int len)
{
	struct tally t = { 0, 0 };
	socklen_t optlen = sizeof(int);
	int type;
	ssize_t n;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &optlen))
		_exit(1);
	for (;;) {
		if (type == SOCK_SEQPACKET)
			n = recv(fd, buf, len + 1, 0);
		else
			n = full(fd, buf, len, 0) ? 0 : len;
		if (n <= 0)
			break;
		if (n != len || msg_bad(buf, len, t.good + t.bad))
			t.bad++;
		else
			t.good++;
	}
	if (full(fd, &t, sizeof(t), 1))
		_exit(1);
}

/*
 * Receive a stream until the sender's end, RBUF bytes (or a message) at a
 * time, checking each piece against the pattern with @verify, then tell
 * the sender how much arrived.  The end is a 0 byte (the pattern has
 * none), not a half-close: TIPC's shutdown() knows only SHUT_RDWR.
 */
static void serve_stream(int fd, unsigned int len, int verify)
{
	size_t rlen = len > RBUF ? len : RBUF;
	struct stream_tally t = { 0, 0 };
	unsigned char *buf = malloc(rlen), *pat = NULL;
	ssize_t n;

	if (!buf)
		_exit(1);
	if (verify)
		pat = pattern(rlen + PAT);
	while ((n = recv(fd, buf, rlen, 0)) > 0) {
		int end = !buf[n - 1];

		n -= end;
		if (verify && memcmp(buf, pat + t.bytes % PAT, n))
			t.bad++;
		t.bytes += n;
		if (end)
			break;
	}
	if (n < 0 || full(fd, &t, sizeof(t), 1))
		_exit(1);
}

static void serve(int fd)
{
	struct hello h;
	char *buf;

	if (full(fd, &h, sizeof(h), 0) || h.len > (1 << 24) ||
	    (h.mode == MODE_MSG && h.len < MSG_MIN))
		_exit(1);
	if (h.bufsize)
		setbufs(fd, h.bufsize);
	buf = malloc(h.len + 1);
	if (!buf)
		_exit(1);
	if (h.mode == MODE_STREAM) {
		serve_stream(fd, h.len, h.flags & HELLO_VERIFY);
	} else if (h.mode == MODE_MSG) {
		serve_msg(fd, (unsigned char *)buf, h.len);
	} else {
		while (!full(fd, buf, h.len, 0))
			if (full(fd, buf, h.len, 1))
				break;
	}
	shutdown(fd, SHUT_WR);
	while (recv(fd, buf, h.len ? h.len : 1, 0) > 0)
		;
	_exit(0);
}

/* A socket address for the file @path, or -1 when it is too long. */
static int unix_addr(struct sockaddr_un *su, const char *path)
{
	size_t n = strlen(path);

	memset(su, 0, sizeof(*su));
	su->sun_family = AF_UNIX;
	if (n >= sizeof(su->sun_path))
		return -1;
	memcpy(su->sun_path, path, n + 1);
	return 0;
}

/* The TIPC service {TIPERF_SERVICE, @port}, cluster-wide. */
static void tipc_service(struct sockaddr_tipc *a, int port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_TIPC;
	a->addrtype = TIPC_SERVICE_ADDR;
	a->scope = TIPC_CLUSTER_SCOPE;
	a->addr.name.name.type = TIPERF_SERVICE;
	a->addr.name.name.instance = port;
}

/* Set the no-delay option of a TCP or TIPC socket; others have none. */
static void nodelay(int fd, int family)
{
	int one = 1;

	if (family == AF_INET)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	else if (family == AF_TIPC)
		setsockopt(fd, SOL_TIPC, TIPC_NODELAY, &one, sizeof(one));
}

struct listener {
	int fd, family;
};

/*
 * Open, bind and add to @l[*n] a listener of @family and @type on @sa;
 * a family the kernel does not have is left out, with a note.
 */
static void add_listener(struct listener *l, int *n, int family, int type,
			 const void *sa, socklen_t salen)
{
	int fd = socket(family, type, 0), one = 1;

	if (fd < 0 && errno == EAFNOSUPPORT) {
		fprintf(stderr, "tdiperf: address family %d left out: %s\n",
			family, strerror(errno));
		return;
	}
	if (fd < 0)
		die("socket");
	if (family == AF_INET)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, sa, salen))
		die("bind");
	l[*n].fd = fd;
	l[*n].family = family;
	(*n)++;
}

static int server(int port, const char *upath, const char *uspath)
{
	struct sockaddr_tdi st = { .stdi_family = AF_TDI };
	struct sockaddr_in si = { .sin_family = AF_INET };
	struct sockaddr_tipc sti;
	struct sockaddr_un su;
	struct listener l[6];
	struct pollfd pfd[6];
	int i, n = 0;

	/* stream and seqpacket endpoints on their own ports */
	st.stdi_port = htons(port);
	add_listener(l, &n, AF_TDI, SOCK_STREAM, &st, sizeof(st));
	st.stdi_port = htons(port + 1);
	add_listener(l, &n, AF_TDI, SOCK_SEQPACKET, &st, sizeof(st));
	si.sin_port = htons(port);
	add_listener(l, &n, AF_INET, SOCK_STREAM, &si, sizeof(si));
	tipc_service(&sti, port);
	add_listener(l, &n, AF_TIPC, SOCK_STREAM, &sti, sizeof(sti));
	errno = ENAMETOOLONG;
	if (upath) {
		if (unix_addr(&su, upath))
			die(upath);
		unlink(upath);
		add_listener(l, &n, AF_UNIX, SOCK_SEQPACKET, &su, sizeof(su));
	}
	if (uspath) {
		if (unix_addr(&su, uspath))
			die(uspath);
		unlink(uspath);
		add_listener(l, &n, AF_UNIX, SOCK_STREAM, &su, sizeof(su));
	}
	for (i = 0; i < n; i++) {
		if (listen(l[i].fd, 128))
			die("listen");
		pfd[i].fd = l[i].fd;
		pfd[i].events = POLLIN;
	}
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		if (poll(pfd, n, -1) < 0 && errno != EINTR)
			die("poll");
		for (i = 0; i < n; i++) {
			int fd;

			if (!(pfd[i].revents & POLLIN))
				continue;
			fd = accept(pfd[i].fd, NULL, NULL);
			if (fd < 0)
				continue;
			nodelay(fd, l[i].family);
			if (!fork())
				serve(fd);
			close(fd);
		}
	}
	return 0;
}

struct target {
	int family, type;
	struct sockaddr_storage sa;
	socklen_t len;
};

static int dial(const struct target *t, int bufsize)
{
	int fd = socket(t->family, t->type, 0);

	if (fd < 0)
		die("socket");
	if (bufsize)
		setbufs(fd, bufsize);
	if (connect(fd, (const struct sockaddr *)&t->sa, t->len))
		die("connect");
	nodelay(fd, t->family);
	return fd;
}

static void hello(int fd, int mode, unsigned int len, unsigned int flags,
		  unsigned int bufsize)
{
	struct hello h = {
		.mode = mode, .len = len, .flags = flags, .bufsize = bufsize,
	};

	if (full(fd, &h, sizeof(h), 1))
		die("hello");
}

/* Close after the peer has seen our end (TIPC has no half-close). */
static void finish(int fd, char *buf, size_t len)
{
	if (!shutdown(fd, SHUT_WR))
		while (recv(fd, buf, len, 0) > 0)
			;
	close(fd);
}

/*
 * One msg run on @fd: numbered messages until @end, then the receiver's
 * tally, which must account for every one.  Return how many were sent.
 */
static unsigned long long send_msgs(int fd, unsigned char *buf, size_t len,
				    double end)
{
	unsigned long long n = 0;
	struct tally t;

	while (now() < end) {
		msg_fill(buf, len, n);
		if (full(fd, buf, len, 1))
			die("send");
		n++;
	}
	shutdown(fd, SHUT_WR);
	if (full(fd, &t, sizeof(t), 0))
		die("tally");
	if (t.good != n || t.bad) {
		fprintf(stderr,
			"tdiperf: %llu messages sent, %llu received intact, %llu not\n",
			n, t.good, t.bad);
		exit(1);
	}
	return n;
}

struct stream_opts {
	long len;
	int bufsize, verify, conns;
	double secs;
};

/*
 * One connection of a stream run, in a child: connect, say ready on
 * @ready, wait for the end of @go, send for o->secs, then check the
 * receiver's tally and report on @res.
 */
static void stream_conn(const struct target *t, const struct stream_opts *o,
			int ready, int go, int res)
{
	unsigned char *pat = pattern(o->len + PAT);
	struct conn_res r = { 0 };
	struct stream_tally tl;
	socklen_t sl = sizeof(int);
	double start, end;
	char c, rest[64];
	int fd;

	fd = dial(t, o->bufsize);
	hello(fd, MODE_STREAM, o->len, o->verify ? HELLO_VERIFY : 0,
	      o->bufsize);
	getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &r.sndbuf, &sl);
	sl = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &r.rcvbuf, &sl);
	if (write(ready, "r", 1) != 1 || read(go, &c, 1) != 0)
		die("start");
	start = now();
	end = start + o->secs;
	while (now() < end) {
		if (full(fd, pat + r.bytes % PAT, o->len, 1))
			die("send");
		r.bytes += o->len;
	}
	c = 0;
	if (full(fd, &c, 1, 1) || full(fd, &tl, sizeof(tl), 0))
		die("tally");
	finish(fd, rest, sizeof(rest));
	r.secs = now() - start;
	if (tl.bytes != r.bytes || tl.bad) {
		fprintf(stderr,
			"tdiperf: %llu bytes sent, %llu received, %llu pieces not as sent\n",
			r.bytes, tl.bytes, tl.bad);
		exit(1);
	}
	if (write(res, &r, sizeof(r)) != sizeof(r))
		die("result");
	_exit(0);
}

/* A stream run of o->conns connections at once; prints its RESULT line. */
static int stream_run(const struct target *t, const struct stream_opts *o,
		      const char *fam)
{
	int ready[2], go[2], res[2], i, st, fail = 0;
	struct conn_res r[MAX_CONNS];
	double t0, secs, sum = 0, sq = 0, rate, cs;
	unsigned long long bytes = 0;
	struct cpu c0, c1;
	char c;

	if (pipe(ready) || pipe(go) || pipe(res))
		die("pipe");
	for (i = 0; i < o->conns; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (!pid) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(ready[0]);
			close(go[1]);
			close(res[0]);
			stream_conn(t, o, ready[1], go[0], res[1]);
		}
		kids[nkids++] = pid;
	}
	close(ready[1]);
	close(go[0]);
	close(res[1]);
	for (i = 0; i < o->conns; i++)
		if (read(ready[0], &c, 1) != 1)
			fail = 1;
	cpu_read(&c0);
	t0 = now();
	alarm(o->secs + grace);
	close(go[1]);
	for (i = 0; !fail && i < o->conns; i++)
		if (read(res[0], &r[i], sizeof(r[i])) != sizeof(r[i]))
			fail = 1;
	secs = now() - t0;
	cpu_read(&c1);
	for (i = 0; i < nkids; i++)
		if (waitpid(kids[i], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			fail = 1;
	nkids = 0;
	if (fail) {
		fprintf(stderr, "tdiperf: a %s stream connection failed\n",
			fam);
		return 1;
	}
	for (i = 0; i < o->conns; i++) {
		rate = r[i].bytes / r[i].secs / 1e6;
		bytes += r[i].bytes;
		sum += rate;
		sq += rate * rate;
	}
	cs = cpu_secs(&c0, &c1);
	printf("RESULT family=%s mode=stream len=%ld value=%.3f unit=MB/s",
	       fam, o->len, bytes / secs / 1e6);
	printf(" secs=%.3f cpu_s=%.3f cpu_util=%.3f cpu_s_per_gb=%.3f", secs,
	       cs, cpu_util(&c0, &c1), cs / (bytes / 1e9));
	printf(" conns=%d jain=%.4f rates=", o->conns,
	       sq ? sum * sum / (o->conns * sq) : 0);
	for (i = 0; i < o->conns; i++)
		printf("%s%.3f", i ? "," : "", r[i].bytes / r[i].secs / 1e6);
	printf(" bufsize=%d sndbuf=%d rcvbuf=%d verified=%d\n", o->bufsize,
	       r[0].sndbuf, r[0].rcvbuf, o->verify);
	return 0;
}

static const char usage[] =
	"usage: tdiperf -s [-p PORT] [-u PATH] [-U PATH]\n"
	"       tdiperf -c DEST -f tdi|tdi-seq|tcp|tipc|unix|unix-seq\n"
	"               -m stream|rr|crr|msg [-d SEC] [-l LEN] [-P N]\n"
	"               [-B BYTES] [-V] [-T SEC] [-p PORT]\n";

int main(int argc, char **argv)
{
	const char *dest = NULL, *fam = "tdi", *mode = "stream";
	const char *upath = NULL, *uspath = NULL;
	struct stream_opts so = { .secs = 5, .conns = 1 };
	unsigned long long count = 0;
	struct lat lat = { 0 };
	int c, port = 5201, srv = 0, fd, m;
	struct target t = {};
	double start, end, t1, cs;
	struct cpu c0, c1;
	long len = -1;
	char *buf;

	while ((c = getopt(argc, argv, "sc:f:m:d:l:p:u:U:P:B:VT:")) != -1) {
		switch (c) {
		case 's':
			srv = 1;
			break;
		case 'c':
			dest = optarg;
			break;
		case 'f':
			fam = optarg;
			break;
		case 'm':
			mode = optarg;
			break;
		case 'd':
			so.secs = atof(optarg);
			break;
		case 'l':
			len = atol(optarg);
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'u':
			upath = optarg;
			break;
		case 'U':
			uspath = optarg;
			break;
		case 'P':
			so.conns = atoi(optarg);
			break;
		case 'B':
			so.bufsize = atoi(optarg);
			break;
		case 'V':
			so.verify = 1;
			break;
		case 'T':
			grace = atof(optarg);
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (srv)
		return server(port, upath, uspath);
	if (!dest || so.conns < 1 || so.conns > MAX_CONNS || so.bufsize < 0) {
		fputs(usage, stderr);
		return 2;
	}
	m = !strcmp(mode, "rr") ? MODE_RR : !strcmp(mode, "crr") ? MODE_CRR :
	    !strcmp(mode, "msg") ? MODE_MSG : MODE_STREAM;
	if (len < 0)
		len = m == MODE_STREAM ? 131072 : m == MODE_MSG ? 100 : 64;
	if (len < 1 || len > (1 << 24) ||
	    (m == MODE_MSG && (size_t)len < MSG_MIN)) {
		fprintf(stderr, "tdiperf: -l %ld out of range\n", len);
		return 2;
	}
	so.len = len;
	/* requests are the non-zero stream pattern, not the zero page */
	buf = (char *)pattern(len + 1);

	if (!strcmp(fam, "tcp")) {
		struct sockaddr_in *si = (struct sockaddr_in *)&t.sa;

		t.family = AF_INET;
		t.type = SOCK_STREAM;
		si->sin_family = AF_INET;
		si->sin_port = htons(port);
		if (inet_pton(AF_INET, dest, &si->sin_addr) != 1)
			return 2;
		t.len = sizeof(*si);
	} else if (!strcmp(fam, "tipc")) {
		t.family = AF_TIPC;
		t.type = SOCK_STREAM;
		tipc_service((struct sockaddr_tipc *)&t.sa, port);
		t.len = sizeof(struct sockaddr_tipc);
	} else if (!strcmp(fam, "unix-seq") || !strcmp(fam, "unix")) {
		t.family = AF_UNIX;
		t.type = fam[4] ? SOCK_SEQPACKET : SOCK_STREAM;
		if (unix_addr((struct sockaddr_un *)&t.sa, dest))
			return 2;
		t.len = sizeof(struct sockaddr_un);
	} else if (!strcmp(fam, "tdi") || !strcmp(fam, "tdi-seq")) {
		struct sockaddr_tdi *sa = (struct sockaddr_tdi *)&t.sa;
		int seq = !strcmp(fam, "tdi-seq");

		t.family = AF_TDI;
		t.type = seq ? SOCK_SEQPACKET : SOCK_STREAM;
		sa->stdi_family = AF_TDI;
		sa->stdi_port = htons(port + seq);
		if (sscanf(dest, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
			   &sa->stdi_node[0], &sa->stdi_node[1],
			   &sa->stdi_node[2], &sa->stdi_node[3],
			   &sa->stdi_node[4], &sa->stdi_node[5]) != 6)
			return 2;
		t.len = sizeof(*sa);
	} else {
		fputs(usage, stderr);
		return 2;
	}

	signal(SIGALRM, on_alarm);
	/* connecting has the same time limit as the end of a measurement */
	alarm(grace);
	if (m == MODE_STREAM)
		return stream_run(&t, &so, fam);

	if (m == MODE_CRR) {
		cpu_read(&c0);
		start = now();
		end = start + so.secs;
		alarm(so.secs + grace);
		while ((t1 = now()) < end) {
			fd = dial(&t, so.bufsize);
			hello(fd, MODE_RR, len, 0, so.bufsize);
			if (full(fd, buf, len, 1) || full(fd, buf, len, 0))
				die("transaction");
			finish(fd, buf, len);
			lat_add(&lat, (now() - t1) * 1e6);
			count++;
		}
	} else if (m == MODE_MSG) {
		fd = dial(&t, so.bufsize);
		hello(fd, m, len, 0, so.bufsize);
		cpu_read(&c0);
		start = now();
		alarm(so.secs + grace);
		count = send_msgs(fd, (unsigned char *)buf, len,
				  start + so.secs);
		finish(fd, buf, len);
	} else {
		fd = dial(&t, so.bufsize);
		hello(fd, m, len, 0, so.bufsize);
		cpu_read(&c0);
		start = now();
		end = start + so.secs;
		alarm(so.secs + grace);
		while ((t1 = now()) < end) {
			if (full(fd, buf, len, 1) || full(fd, buf, len, 0))
				die("transaction");
			lat_add(&lat, (now() - t1) * 1e6);
			count++;
		}
		finish(fd, buf, len);
	}
	so.secs = now() - start;
	cpu_read(&c1);
	cs = cpu_secs(&c0, &c1);
	printf("RESULT family=%s mode=%s len=%ld value=%.1f unit=%s", fam,
	       mode, len, count / so.secs, m == MODE_MSG ? "msgs/s" :
	       m == MODE_RR ? "transactions/s" : "connections/s");
	printf(" secs=%.3f cpu_s=%.3f cpu_util=%.3f bufsize=%d", so.secs, cs,
	       cpu_util(&c0, &c1), so.bufsize);
	if (m == MODE_MSG) {
		printf(" cpu_us_per_msg=%.2f\n", count ? cs * 1e6 / count : 0);
		return 0;
	}
	qsort(lat.v, lat.n, sizeof(*lat.v), dbl_cmp);
	printf(" cpu_us_per_tx=%.2f p50_us=%.1f p99_us=%.1f p999_us=%.1f\n",
	       count ? cs * 1e6 / count : 0, lat_pct(&lat, 50),
	       lat_pct(&lat, 99), lat_pct(&lat, 99.9));
	return 0;
}
