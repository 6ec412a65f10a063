// SPDX-License-Identifier: GPL-2.0
/*
 * tdicat: netcat for AF_TDI.
 *
 *   tdicat [-q] [-t stream|seqpacket] [-i IFNAME] -l PORT
 *	listen on PORT, accept one connection, copy it to stdout
 *   tdicat [-q] [-t stream|seqpacket] [-i IFNAME] [-b SIZE] NODE PORT
 *	connect to NODE (aa:bb:cc:dd:ee:ff, or "self") at PORT and copy
 *	stdin to it, then release the connection and wait for the peer's
 *	release
 *   tdicat -u [-q] [-i IFNAME] [-c COUNT] -l PORT
 *	datagrams: bind PORT and copy each datagram that arrives to stdout
 *	(its sender on stderr unless -q), COUNT of them (default: forever)
 *   tdicat -u [-q] [-i IFNAME] [-b SIZE] NODE PORT
 *	send stdin as datagrams to NODE (or "broadcast", or "self") at
 *	PORT: each read of stdin, at most SIZE bytes and at most the
 *	provider's max_datagram, is one datagram
 *
 * Exit status: 0 after an orderly release (or all datagrams), 1 on any
 * error (the errno and TDI_DISCONNECT_REASON are printed), 2 on bad usage.
 * -q prints nothing but errors.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/tdi.h>

static int quiet;

static void die(const char *what)
{
	fprintf(stderr, "tdicat: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int reason(int fd)
{
	socklen_t len = sizeof(int);
	int r = -1;

	getsockopt(fd, SOL_TDI, TDI_DISCONNECT_REASON, &r, &len);
	return r;
}

static void parse_node(const char *s, unsigned char *node)
{
	if (!strcmp(s, "self")) {
		memset(node, 0, 6);
		return;
	}
	if (!strcmp(s, "broadcast")) {
		memset(node, 0xff, 6);
		return;
	}
	if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &node[0], &node[1],
		   &node[2], &node[3], &node[4], &node[5]) != 6) {
		fprintf(stderr, "tdicat: bad node address '%s'\n", s);
		exit(2);
	}
}

static void copy(int from, int to, size_t bufsize, unsigned long long *total)
{
	char *buf = malloc(bufsize);
	ssize_t n, w, off;

	if (!buf)
		die("malloc");
	while ((n = read(from, buf, bufsize)) > 0) {
		for (off = 0; off < n; off += w) {
			w = write(to, buf + off, n - off);
			if (w < 0)
				die("write");
		}
		*total += n;
	}
	if (n < 0)
		die("read");
	free(buf);
}

/* -u -l: print up to @count datagrams (0: no limit). */
static int dgram_listen(int fd, struct sockaddr_tdi *sa, unsigned long count)
{
	static char buf[65536];
	struct sockaddr_tdi from;
	unsigned long n = 0;
	socklen_t alen;
	ssize_t len;

	if (bind(fd, (struct sockaddr *)sa, sizeof(*sa)))
		die("bind");
	while (!count || n < count) {
		alen = sizeof(from);
		len = recvfrom(fd, buf, sizeof(buf), 0,
			       (struct sockaddr *)&from, &alen);
		if (len < 0)
			die("recvfrom");
		if (!quiet)
			fprintf(stderr,
				"tdicat: %zd bytes from %02x:%02x:%02x:%02x:%02x:%02x port %u\n",
				len, from.stdi_node[0], from.stdi_node[1],
				from.stdi_node[2], from.stdi_node[3],
				from.stdi_node[4], from.stdi_node[5],
				ntohs(from.stdi_port));
		if (len && write(1, buf, len) != len)
			die("write");
		n++;
	}
	return 0;
}

/* -u NODE PORT: each read of stdin is one datagram. */
static int dgram_send(int fd, struct sockaddr_tdi *sa, size_t bufsize)
{
	struct tdi_provider_info pi;
	socklen_t len = sizeof(pi);
	unsigned long n = 0;
	int one = 1;
	char *buf;
	ssize_t r;

	if (sa->stdi_node[0] == 0xff &&
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)))
		die("SO_BROADCAST");
	if (getsockopt(fd, SOL_TDI, TDI_PROVIDER_INFO, &pi, &len))
		die("TDI_PROVIDER_INFO");
	if (bufsize > pi.max_datagram)
		bufsize = pi.max_datagram;
	buf = malloc(bufsize);
	if (!buf)
		die("malloc");
	while ((r = read(0, buf, bufsize)) > 0) {
		if (sendto(fd, buf, r, 0, (struct sockaddr *)sa,
			   sizeof(*sa)) != r)
			die("sendto");
		n++;
	}
	if (r < 0)
		die("read");
	if (!quiet)
		fprintf(stderr, "tdicat: %lu datagrams\n", n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_tdi sa = { .stdi_family = AF_TDI };
	unsigned long long total = 0;
	int type = SOCK_STREAM, listening = 0, c, fd, cfd;
	unsigned long count = 0;
	size_t bufsize = 65536;
	char tmp[16];

	while ((c = getopt(argc, argv, "lqt:i:b:uc:")) != -1) {
		switch (c) {
		case 'u':
			type = SOCK_DGRAM;
			break;
		case 'c':
			count = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			listening = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 't':
			type = !strcmp(optarg, "seqpacket") ? SOCK_SEQPACKET :
			       SOCK_STREAM;
			break;
		case 'i':
			sa.stdi_ifindex = if_nametoindex(optarg);
			if (!sa.stdi_ifindex)
				die(optarg);
			break;
		case 'b':
			bufsize = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: see the comment in tdicat.c\n");
			return 2;
		}
	}
	if (argc - optind != (listening ? 1 : 2) || !bufsize) {
		fprintf(stderr,
			"usage: tdicat [-q] [-u [-c N]] [-t TYPE] [-i IF] -l PORT | NODE PORT\n");
		return 2;
	}
	fd = socket(AF_TDI, type, 0);
	if (fd < 0)
		die("socket");
	if (type == SOCK_DGRAM) {
		if (listening) {
			sa.stdi_port = htons(atoi(argv[optind]));
			return dgram_listen(fd, &sa, count);
		}
		parse_node(argv[optind], sa.stdi_node);
		sa.stdi_port = htons(atoi(argv[optind + 1]));
		return dgram_send(fd, &sa, bufsize);
	}

	if (listening) {
		sa.stdi_port = htons(atoi(argv[optind]));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
		    listen(fd, 4))
			die("listen");
		cfd = accept(fd, NULL, NULL);
		if (cfd < 0)
			die("accept");
		copy(cfd, 1, bufsize, &total);
		if (shutdown(cfd, SHUT_WR))
			die("shutdown");
		fd = cfd;
	} else {
		parse_node(argv[optind], sa.stdi_node);
		sa.stdi_port = htons(atoi(argv[optind + 1]));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			fprintf(stderr, "tdicat: connect: %s (reason %d)\n",
				strerror(errno), reason(fd));
			return 1;
		}
		copy(0, fd, bufsize, &total);
		if (shutdown(fd, SHUT_WR))
			die("shutdown");
		/* the peer's release: read to EOF */
		while (read(fd, tmp, sizeof(tmp)) > 0)
			;
	}
	if (!quiet)
		fprintf(stderr, "tdicat: %llu bytes, reason %d\n", total,
			reason(fd));
	close(fd);
	return 0;
}
