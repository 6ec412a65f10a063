// SPDX-License-Identifier: GPL-2.0
/*
 * tdiperf: AF_TDI against TCP over the same link.
 *
 *   tdiperf -s [-p PORT] [-u PATH]
 *	serve tdi (SOCK_STREAM and SOCK_SEQPACKET) and TCP on PORT (5201),
 *	and AF_UNIX SOCK_SEQPACKET on the socket file PATH (made anew)
 *   tdiperf -c DEST -f tdi|tdi-seq|tcp|unix-seq -m stream|rr|crr|msg
 *	    [-d SEC] [-l LEN]
 *	DEST is a node address (aa:bb:cc:dd:ee:ff) for tdi, an IPv4 address
 *	for tcp (TCP_NODELAY on both ends), the server's PATH for unix-seq.
 *	Modes:
 *	  stream  one connection, LEN-byte writes (default 131072) for SEC
 *		  seconds (default 5): throughput, MB/s (10^6 bytes)
 *	  rr	  one connection, LEN-byte request (default 64) and LEN-byte
 *		  answer, as many as fit in SEC seconds: transactions/s
 *	  crr	  connect, one rr transaction, close; repeated: connections/s
 *	  msg	  one connection, LEN-byte messages (default 100, at least 8)
 *		  one way for SEC seconds: messages/s.  Each message carries
 *		  its number and bytes that depend on it; the receiver checks
 *		  every one (a message-mode endpoint must return one whole
 *		  message per recv, a stream is cut every LEN bytes) and the
 *		  run fails unless all arrived intact and in order.
 *
 * Prints one line: "RESULT <family> <mode> <value> <unit>" (msg mode adds
 * "len <LEN>").
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
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/tdi.h>

enum { MODE_STREAM = 1, MODE_RR, MODE_CRR, MODE_MSG };

/* A msg-mode message starts with its number: the shortest message. */
#define MSG_MIN	sizeof(unsigned long long)

struct hello {
	unsigned int mode;
	unsigned int len;
};

/* What the receiver of a msg run saw: intact messages and others. */
struct tally {
	unsigned long long good;
	unsigned long long bad;
};

static void die(const char *what)
{
	fprintf(stderr, "tdiperf: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
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

static void serve(int fd)
{
	struct hello h;
	char *buf;

	if (full(fd, &h, sizeof(h), 0) || h.len > (1 << 24) ||
	    (h.mode == MODE_MSG && h.len < MSG_MIN))
		_exit(1);
	buf = malloc(h.len + 1);
	if (!buf)
		_exit(1);
	if (h.mode == MODE_STREAM) {
		while (recv(fd, buf, h.len, 0) > 0)
			;
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

static int server(int port, const char *upath)
{
	struct sockaddr_tdi st = { .stdi_family = AF_TDI };
	struct sockaddr_in si = { .sin_family = AF_INET };
	struct pollfd pfd[4];
	int one = 1, i, nfd = 3;

	st.stdi_port = htons(port);
	si.sin_port = htons(port);
	pfd[0].fd = socket(AF_TDI, SOCK_STREAM, 0);
	pfd[1].fd = socket(AF_TDI, SOCK_SEQPACKET, 0);
	pfd[2].fd = socket(AF_INET, SOCK_STREAM, 0);
	if (pfd[0].fd < 0 || pfd[1].fd < 0 || pfd[2].fd < 0)
		die("socket");
	/* stream and seqpacket endpoints share one address object */
	if (bind(pfd[0].fd, (struct sockaddr *)&st, sizeof(st)) ||
	    setsockopt(pfd[2].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(pfd[2].fd, (struct sockaddr *)&si, sizeof(si)))
		die("bind");
	st.stdi_port = htons(port + 1);
	if (bind(pfd[1].fd, (struct sockaddr *)&st, sizeof(st)))
		die("bind seqpacket");
	if (upath) {
		struct sockaddr_un su;

		errno = ENAMETOOLONG;
		if (unix_addr(&su, upath))
			die(upath);
		pfd[nfd].fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		if (pfd[nfd].fd < 0)
			die("socket unix");
		unlink(upath);
		if (bind(pfd[nfd].fd, (struct sockaddr *)&su, sizeof(su)))
			die(upath);
		nfd++;
	}
	for (i = 0; i < nfd; i++) {
		if (listen(pfd[i].fd, 128))
			die("listen");
		pfd[i].events = POLLIN;
	}
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		if (poll(pfd, nfd, -1) < 0 && errno != EINTR)
			die("poll");
		for (i = 0; i < nfd; i++) {
			int fd;

			if (!(pfd[i].revents & POLLIN))
				continue;
			fd = accept(pfd[i].fd, NULL, NULL);
			if (fd < 0)
				continue;
			if (i == 2)
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
					   sizeof(one));
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

static int dial(const struct target *t)
{
	int fd = socket(t->family, t->type, 0), one = 1;

	if (fd < 0)
		die("socket");
	if (connect(fd, (const struct sockaddr *)&t->sa, t->len))
		die("connect");
	if (t->family == AF_INET)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void hello(int fd, int mode, unsigned int len)
{
	struct hello h = { .mode = mode, .len = len };

	if (full(fd, &h, sizeof(h), 1))
		die("hello");
}

static void finish(int fd, char *buf, size_t len)
{
	shutdown(fd, SHUT_WR);
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

int main(int argc, char **argv)
{
	const char *dest = NULL, *fam = "tdi", *mode = "stream", *upath = NULL;
	double secs = 5, start, end;
	unsigned long long count = 0;
	struct target t = {};
	int c, port = 5201, srv = 0, fd, m;
	long len = -1;
	char *buf;

	while ((c = getopt(argc, argv, "sc:f:m:d:l:p:u:")) != -1) {
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
			secs = atof(optarg);
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
		default:
			return 2;
		}
	}
	if (srv)
		return server(port, upath);
	if (!dest)
		return 2;
	m = !strcmp(mode, "rr") ? MODE_RR : !strcmp(mode, "crr") ? MODE_CRR :
	    !strcmp(mode, "msg") ? MODE_MSG : MODE_STREAM;
	if (len < 0)
		len = m == MODE_STREAM ? 131072 : m == MODE_MSG ? 100 : 64;
	if (m == MODE_MSG && (size_t)len < MSG_MIN) {
		fprintf(stderr, "tdiperf: msg mode needs -l %zu or more\n",
			MSG_MIN);
		return 2;
	}
	buf = calloc(1, len + 1);
	if (!buf)
		die("calloc");

	if (!strcmp(fam, "tcp")) {
		struct sockaddr_in *si = (struct sockaddr_in *)&t.sa;

		t.family = AF_INET;
		t.type = SOCK_STREAM;
		si->sin_family = AF_INET;
		si->sin_port = htons(port);
		if (inet_pton(AF_INET, dest, &si->sin_addr) != 1)
			return 2;
		t.len = sizeof(*si);
	} else if (!strcmp(fam, "unix-seq")) {
		t.family = AF_UNIX;
		t.type = SOCK_SEQPACKET;
		if (unix_addr((struct sockaddr_un *)&t.sa, dest))
			return 2;
		t.len = sizeof(struct sockaddr_un);
	} else {
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
	}

	start = now();
	end = start + secs;
	if (m == MODE_CRR) {
		while (now() < end) {
			fd = dial(&t);
			hello(fd, MODE_RR, len);
			if (full(fd, buf, len, 1) || full(fd, buf, len, 0))
				die("transaction");
			finish(fd, buf, len);
			count++;
		}
	} else if (m == MODE_MSG) {
		fd = dial(&t);
		hello(fd, m, len);
		count = send_msgs(fd, (unsigned char *)buf, len, end);
		finish(fd, buf, len);
	} else {
		fd = dial(&t);
		hello(fd, m, len);
		while (now() < end) {
			if (m == MODE_STREAM) {
				if (full(fd, buf, len, 1))
					die("send");
				count += len;
			} else {
				if (full(fd, buf, len, 1) ||
				    full(fd, buf, len, 0))
					die("transaction");
				count++;
			}
		}
		/* the stream is done when the server has read it all */
		finish(fd, buf, len);
	}
	secs = now() - start;
	if (m == MODE_STREAM)
		printf("RESULT %s stream %.3f MB/s\n", fam, count / secs / 1e6);
	else if (m == MODE_MSG)
		printf("RESULT %s msg %.1f msgs/s len %ld\n", fam,
		       count / secs, len);
	else
		printf("RESULT %s %s %.1f %s\n", fam, mode, count / secs,
		       m == MODE_RR ? "transactions/s" : "connections/s");
	return 0;
}
