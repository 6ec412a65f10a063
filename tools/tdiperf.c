// SPDX-License-Identifier: GPL-2.0
/*
 * tdiperf: AF_TDI against TCP over the same link.
 *
 *   tdiperf -s [-p PORT]
 *	serve tdi (SOCK_STREAM and SOCK_SEQPACKET) and TCP on PORT (5201)
 *   tdiperf -c DEST -f tdi|tdi-seq|tcp -m stream|rr|crr [-d SEC] [-l LEN]
 *	DEST is a node address (aa:bb:cc:dd:ee:ff) for tdi, an IPv4 address
 *	for tcp.  Modes:
 *	  stream  one connection, LEN-byte writes (default 131072) for SEC
 *		  seconds (default 5): throughput, MB/s (10^6 bytes)
 *	  rr	  one connection, LEN-byte request (default 64) and LEN-byte
 *		  answer, as many as fit in SEC seconds: transactions/s
 *	  crr	  connect, one rr transaction, close; repeated: connections/s
 *
 * Prints one line: "RESULT <family> <mode> <value> <unit>".
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/tdi.h>

enum { MODE_STREAM = 1, MODE_RR, MODE_CRR };

struct hello {
	unsigned int mode;
	unsigned int len;
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

static void serve(int fd)
{
	struct hello h;
	char *buf;

	if (full(fd, &h, sizeof(h), 0) || h.len > (1 << 24))
		_exit(1);
	buf = malloc(h.len ? h.len : 1);
	if (!buf)
		_exit(1);
	if (h.mode == MODE_STREAM) {
		while (recv(fd, buf, h.len, 0) > 0)
			;
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

static int server(int port)
{
	struct sockaddr_tdi st = { .stdi_family = AF_TDI };
	struct sockaddr_in si = { .sin_family = AF_INET };
	struct pollfd pfd[3];
	int one = 1, i;

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
	for (i = 0; i < 3; i++) {
		if (listen(pfd[i].fd, 128))
			die("listen");
		pfd[i].events = POLLIN;
	}
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		if (poll(pfd, 3, -1) < 0 && errno != EINTR)
			die("poll");
		for (i = 0; i < 3; i++) {
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

int main(int argc, char **argv)
{
	const char *dest = NULL, *fam = "tdi", *mode = "stream";
	double secs = 5, start, end;
	unsigned long long count = 0;
	struct target t = {};
	int c, port = 5201, srv = 0, fd, m;
	long len = -1;
	char *buf;

	while ((c = getopt(argc, argv, "sc:f:m:d:l:p:")) != -1) {
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
		default:
			return 2;
		}
	}
	if (srv)
		return server(port);
	if (!dest)
		return 2;
	m = !strcmp(mode, "rr") ? MODE_RR : !strcmp(mode, "crr") ? MODE_CRR :
	    MODE_STREAM;
	if (len < 0)
		len = m == MODE_STREAM ? 131072 : 64;
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
	else
		printf("RESULT %s %s %.1f %s\n", fam, mode, count / secs,
		       m == MODE_RR ? "transactions/s" : "connections/s");
	return 0;
}
