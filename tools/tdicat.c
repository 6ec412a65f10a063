// SPDX-License-Identifier: GPL-2.0
/*
 * tdicat: netcat for AF_TDI.
 *
 *   tdicat [-s] [-t stream|seqpacket] [-i IFNAME] [-b SIZE] [-e]
 *	    [-q [--accept-if PREFIX]] [--accept-data STR]
 *	    [--expedited STR] [--disconnect-data STR]
 *	    [--release | --abort] -l PORT
 *	listen on PORT, accept one connection, copy it to stdout until the
 *	peer releases, then end it (see --release and --abort).  Unless -s,
 *	the peer's address and connect data are printed on stderr.
 *	With -e (echo), what arrives is sent back instead: normal data as
 *	normal data (in message mode TSDU by TSDU), expedited data as
 *	expedited data; the byte count is printed even when the peer
 *	aborts.
 *	-q (query-accept): the offer is not accepted by the transport but
 *	handed to tdicat undecided (TDI_QUERY_ACCEPT); with --accept-if it
 *	is accepted when its connect data starts with PREFIX and rejected
 *	otherwise, without it "accept? [y/n]" is asked on /dev/tty.  A
 *	rejected offer ends tdicat with status 1.
 *   tdicat [-s] [-t stream|seqpacket] [-i IFNAME] [-b SIZE] [-d]
 *	    [--connect-data STR] [--expedited STR] [--disconnect-data STR]
 *	    [--release | --abort] NODE PORT
 *	connect to NODE (aa:bb:cc:dd:ee:ff, or "self") at PORT, print the
 *	accept data the peer sent, copy stdin to the connection, then end
 *	it (see --release and --abort).  With -d (duplex, --release only),
 *	what the peer sends is copied to stdout meanwhile, to its end, by a
 *	child process: a client of an echo service.
 *   tdicat -u [-s] [-i IFNAME] [-c COUNT] -l PORT
 *	datagrams: bind PORT and copy each datagram that arrives to stdout
 *	(its sender on stderr unless -s), COUNT of them (default: forever)
 *   tdicat -u [-s] [-i IFNAME] [-b SIZE] NODE PORT
 *	send stdin as datagrams to NODE (or "broadcast", or "self") at
 *	PORT: each read of stdin, at most SIZE bytes and at most the
 *	provider's max_datagram, is one datagram
 *
 * User data (at most 128 bytes each):
 *   --connect-data STR      sent with the connect (TDI_CONNECT_DATA)
 *   --accept-data STR       sent with the accept (TDI_ACCEPT_DATA)
 *   --disconnect-data STR   sent with the release, the abort or the
 *			     reject (TDI_DISCONNECT_DATA)
 * How a connection ends, once stdin (connector) or the connection
 * (listener) reaches its end:
 *   --release   SIOCTDIDISCONNECT with TDI_DISCONNECT_RELEASE, waiting for
 *		 the peer's release (the default)
 *   --abort     SIOCTDIDISCONNECT with TDI_DISCONNECT_ABORT: at once, data
 *		 not yet sent is dropped
 * Expedited data (TDI_SEND_EXPEDITED, send(MSG_OOB)):
 *   --expedited STR         sent expedited once the connection is up,
 *			     before any normal data (at most 1024 bytes)
 * Expedited data that arrives while tdicat reads the connection (-l, and
 * -d's reader) is printed on stderr, quoted as user data is.
 * At the end, the byte count, TDI_DISCONNECT_REASON and the peer's
 * disconnect data are printed on stderr; a refused connect prints its
 * reason and the disconnect data of the peer's reject.
 *
 * Every option has a long form: --listen (-l), --silent (-s),
 * --query-accept (-q), --type (-t), --interface (-i), --bufsize (-b),
 * --duplex (-d), --echo (-e), --datagram (-u), --count (-c); --help
 * prints a usage
 * summary.
 *
 * Exit status: 0 after an orderly end (or all datagrams), 1 on any error
 * (the errno and TDI_DISCONNECT_REASON are printed) or a rejected offer,
 * 2 on bad usage.  -s prints nothing but errors and the rejection of an
 * offer.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/tdi.h>

static int quiet;

/* What the command line asks of a connection. */
struct conn_opts {
	int query;			/* -q: decide each offer */
	const char *accept_if;		/* accept when connect data starts so */
	const char *connect_data;
	const char *accept_data;
	const char *disconnect_data;
	unsigned int end;		/* TDI_DISCONNECT_RELEASE or _ABORT */
	int duplex;			/* -d: the peer's data to stdout */
	int echo;			/* -e: the peer's data back to it */
	int type;			/* SOCK_STREAM or SOCK_SEQPACKET */
	const char *expedited;		/* sent expedited first */
};

/* Expedited data we send: SPEC's max_expedited is at least this */
#define MAX_EXPEDITED	1024

static const char usage_text[] =
	"usage: tdicat [-s] [-t stream|seqpacket] [-i IFNAME] [-b SIZE] [-e]\n"
	"              [-q [--accept-if PREFIX]] [--accept-data STR]\n"
	"              [--expedited STR] [--disconnect-data STR]\n"
	"              [--release|--abort] -l PORT\n"
	"       tdicat [-s] [-t stream|seqpacket] [-i IFNAME] [-b SIZE] [-d]\n"
	"              [--connect-data STR] [--expedited STR]\n"
	"              [--disconnect-data STR] [--release|--abort] NODE PORT\n"
	"       tdicat -u [-s] [-i IFNAME] [-c COUNT] -l PORT\n"
	"       tdicat -u [-s] [-i IFNAME] [-b SIZE] NODE PORT\n"
	"(the comment at the top of tdicat.c says more)\n";

static void usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

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

static const char *reason_name(int r)
{
	static const char * const names[] = {
		[TDI_REASON_NONE] = "none",
		[TDI_REASON_RELEASE] = "release",
		[TDI_REASON_ABORT] = "abort",
		[TDI_REASON_REFUSED] = "refused",
		[TDI_REASON_NO_LISTENER] = "no-listener",
		[TDI_REASON_INSUFFICIENT_RESOURCES] = "insufficient-resources",
		[TDI_REASON_TIMEOUT] = "timeout",
		[TDI_REASON_LINK_DOWN] = "link-down",
	};

	if (r < 0 || r > TDI_REASON_LINK_DOWN)
		return "unknown";
	return names[r];
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

static void print_addr(const char *what, const struct sockaddr_tdi *sa)
{
	char ifname[IF_NAMESIZE] = "";

	if (sa->stdi_ifindex && !if_indextoname(sa->stdi_ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "%d", sa->stdi_ifindex);
	fprintf(stderr,
		"tdicat: %s %02x:%02x:%02x:%02x:%02x:%02x port %u%s%s\n", what,
		sa->stdi_node[0], sa->stdi_node[1], sa->stdi_node[2],
		sa->stdi_node[3], sa->stdi_node[4], sa->stdi_node[5],
		ntohs(sa->stdi_port), *ifname ? " on " : "", ifname);
}

/* Set the user data of kind @opt that we send (NULL: leave it). */
static void set_udata(int fd, int opt, const char *data, const char *what)
{
	if (data && setsockopt(fd, SOL_TDI, opt, data, strlen(data)))
		die(what);
}

/* Read the user data of kind @opt the peer sent; return its length. */
static int get_udata(int fd, int opt, char *buf)
{
	socklen_t len = TDI_MAX_USER_DATA;

	if (getsockopt(fd, SOL_TDI, opt, buf, &len))
		return -1;
	return len;
}

/* Print @len bytes of @buf on stderr after @what, quoted, bytes outside
 * printable ASCII as \xNN.
 */
static void print_quoted(const char *what, const char *buf, int len)
{
	int i;

	if (!len) {
		fprintf(stderr, "tdicat: %s: none\n", what);
		return;
	}
	fprintf(stderr, "tdicat: %s: \"", what);
	for (i = 0; i < len; i++) {
		unsigned char c = buf[i];

		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fprintf(stderr, "\" (%d bytes)\n", len);
}

/* Print the peer's user data of kind @opt. */
static void print_udata(int fd, int opt, const char *what)
{
	char buf[TDI_MAX_USER_DATA];
	int len = get_udata(fd, opt, buf);

	if (len < 0)
		fprintf(stderr, "tdicat: %s: %s\n", what, strerror(errno));
	else
		print_quoted(what, buf, len);
}

/* Send all @n bytes of @buf on @fd; in message mode the TSDU ends with
 * them only when @eor.  0, or -1 with errno set.
 */
static int send_all(int fd, const char *buf, size_t n, int type, int eor)
{
	int flags = MSG_NOSIGNAL |
		    (type == SOCK_SEQPACKET && !eor ? MSG_MORE : 0);
	size_t off = 0;
	ssize_t w;

	do {
		w = send(fd, buf + off, n - off, flags);
		if (w < 0)
			return -1;
		off += w;
	} while (off < n);
	return 0;
}

/* Send stdin on @fd to its end, in message mode each read as one TSDU.
 * Return 0, or -1 with errno set and *@failed naming the call that
 * failed.
 */
static int send_stdin(int fd, int type, size_t bufsize,
		      unsigned long long *total, const char **failed)
{
	char *buf = malloc(bufsize);
	int err = 0;
	ssize_t n;

	if (!buf)
		die("malloc");
	while ((n = read(0, buf, bufsize)) > 0) {
		if (send_all(fd, buf, n, type, 1)) {
			*failed = "send";
			err = errno;
			break;
		}
		*total += n;
	}
	if (n < 0) {
		*failed = "read";
		err = errno;
	}
	free(buf);
	errno = err;
	return err ? -1 : 0;
}

/* Take the expedited TSDUs queued on @fd, without waiting: printed on
 * stderr (unless -s) and, when @echo, sent back expedited.  0, or -1 with
 * errno set and *@failed naming the call.
 */
static int take_expedited(int fd, int echo, const char **failed)
{
	static char xbuf[65536];
	struct iovec iov = { .iov_base = xbuf, .iov_len = sizeof(xbuf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	for (;;) {
		m.msg_flags = 0;
		n = recvmsg(fd, &m, MSG_OOB | MSG_DONTWAIT);
		if (n < 0 || !(m.msg_flags & MSG_OOB))
			break;		/* none, or no more will come (0) */
		if (!quiet)
			print_quoted("expedited data", xbuf, n);
		if (echo && send(fd, xbuf, n, MSG_OOB | MSG_NOSIGNAL) != n) {
			*failed = "send(MSG_OOB)";
			return -1;
		}
	}
	if (n >= 0 || errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	*failed = "recv(MSG_OOB)";
	return -1;
}

/* Read the connection @fd to the peer's release.  Normal data goes to
 * @out, or back to the peer when @out is -1 (-e: in message mode TSDU by
 * TSDU); expedited data is printed (and echoed) by take_expedited().
 * *@total counts normal bytes.  0, or -1 with errno set and *@failed
 * naming the call that failed.
 */
static int drain(int fd, int out, int type, size_t bufsize,
		 unsigned long long *total, const char **failed)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLPRI };
	char *buf = malloc(bufsize);
	struct iovec iov = { .iov_base = buf, .iov_len = bufsize };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	int err = 0, eor;
	ssize_t n;

	if (!buf)
		die("malloc");
	for (;;) {
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			*failed = "poll";
			err = errno;
			break;
		}
		if ((p.revents & POLLPRI) &&
		    take_expedited(fd, out < 0, failed)) {
			err = errno;
			break;
		}
		if (!(p.revents & ~POLLPRI))
			continue;
		m.msg_flags = 0;
		n = recvmsg(fd, &m, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n < 0) {
			*failed = "recv";
			err = errno;
			break;
		}
		eor = !!(m.msg_flags & MSG_EOR);
		if (!n && (type != SOCK_SEQPACKET || !eor))
			break;		/* the peer released */
		*total += n;
		if (out < 0 ? send_all(fd, buf, n, type, eor) :
		    (n && write(out, buf, n) != n)) {
			*failed = out < 0 ? "send" : "write";
			err = errno;
			break;
		}
	}
	/* expedited data that came with the last normal data */
	if (!err && take_expedited(fd, out < 0, failed))
		err = errno;
	free(buf);
	errno = err;
	return err ? -1 : 0;
}

/* The connection has ended: say how, and what the peer sent with it. */
static void print_end(int fd)
{
	int r = reason(fd);

	fprintf(stderr, "tdicat: ended: reason %d (%s)\n", r, reason_name(r));
	print_udata(fd, TDI_DISCONNECT_DATA, "peer's disconnect data");
}

/* The connection failed in @what: print it all and exit 1. */
static void fail_conn(int fd, const char *what)
{
	fprintf(stderr, "tdicat: %s: %s\n", what, strerror(errno));
	print_end(fd);
	exit(1);
}

/* After the release has completed, the last acknowledgment may still be
 * in flight (TDI_STATE_CLOSING), and TDI_DISCONNECT_REASON says "none"
 * until it has come: wait for it a little.
 */
static void settle(int fd)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct tdi_info info;
	socklen_t len;
	int i;

	for (i = 0; i < 500; i++) {
		len = sizeof(info);
		if (getsockopt(fd, SOL_TDI, TDI_INFO, &info, &len) ||
		    (info.state != TDI_STATE_CLOSING &&
		     info.state != TDI_STATE_RELEASE_SENT &&
		     info.state != TDI_STATE_RELEASE_RECEIVED))
			return;
		nanosleep(&ts, NULL);
	}
}

/* -d: a child process copies the connection to stdout, to the end of
 * the peer's data, while the caller sends.  Return its pid.
 */
static pid_t start_reader(int fd, int type, size_t bufsize)
{
	unsigned long long total = 0;
	const char *failed;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid)
		return pid;
	if (drain(fd, 1, type, bufsize, &total, &failed)) {
		fprintf(stderr, "tdicat: %s: %s\n", failed, strerror(errno));
		_exit(1);
	}
	if (!quiet)
		fprintf(stderr, "tdicat: %llu bytes received\n", total);
	_exit(0);
}

/* Wait for the reader @pid; 0 when it copied everything, else 1. */
static int wait_reader(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	return !WIFEXITED(status) || WEXITSTATUS(status);
}

/* End the connection as asked (--release or --abort) and report; @reader
 * is the -d child (0: none).  Return 0, or 1 when the reader failed.
 */
static int end_conn(int fd, const struct conn_opts *o, pid_t reader)
{
	struct tdi_disconnect d = { .flags = o->end, .timeout_ms = -1 };
	char tmp[4096];
	int ret = 0;

	set_udata(fd, TDI_DISCONNECT_DATA, o->disconnect_data,
		  "TDI_DISCONNECT_DATA");
	if (ioctl(fd, SIOCTDIDISCONNECT, &d))
		fail_conn(fd, o->end == TDI_DISCONNECT_ABORT ? "abort" :
			  "release");
	/* both have released: read what the peer sent, to the end (the
	 * reader does that itself)
	 */
	if (o->end == TDI_DISCONNECT_RELEASE && !reader)
		while (read(fd, tmp, sizeof(tmp)) > 0)
			;
	if (reader)
		ret = wait_reader(reader);
	if (o->end == TDI_DISCONNECT_RELEASE && !quiet)
		settle(fd);
	if (!quiet)
		print_end(fd);
	return ret;
}

/* Ask on the terminal whether to accept the offer. */
static int ask(void)
{
	FILE *tty = fopen("/dev/tty", "r+");
	char line[64];
	int yes;

	if (!tty) {
		fprintf(stderr,
			"tdicat: no --accept-if, and no terminal for the question: %s\n",
			strerror(errno));
		return 0;
	}
	fputs("accept? [y/n] ", tty);
	fflush(tty);
	yes = fgets(line, sizeof(line), tty) &&
	      (line[0] == 'y' || line[0] == 'Y');
	fclose(tty);
	return yes;
}

/* -q: @fd holds an offer (TDI_STATE_OFFERED).  Show it, then accept it or
 * reject it and exit 1.
 */
static void decide(int fd, const struct conn_opts *o)
{
	char buf[TDI_MAX_USER_DATA];
	int len, yes;

	len = get_udata(fd, TDI_CONNECT_DATA, buf);
	if (len < 0)
		die("TDI_CONNECT_DATA");
	if (o->accept_if)
		yes = (size_t)len >= strlen(o->accept_if) &&
		      !memcmp(buf, o->accept_if, strlen(o->accept_if));
	else
		yes = ask();
	if (!yes) {
		set_udata(fd, TDI_DISCONNECT_DATA, o->disconnect_data,
			  "TDI_DISCONNECT_DATA");
		if (setsockopt(fd, SOL_TDI, TDI_REJECT, NULL, 0))
			die("TDI_REJECT");
		if (o->accept_if)
			fprintf(stderr,
				"tdicat: rejected the offer: its connect data does not start with \"%s\"\n",
				o->accept_if);
		else
			fprintf(stderr, "tdicat: rejected the offer\n");
		close(fd);
		exit(1);
	}
	set_udata(fd, TDI_ACCEPT_DATA, o->accept_data, "TDI_ACCEPT_DATA");
	if (setsockopt(fd, SOL_TDI, TDI_ACCEPT, NULL, 0))
		fail_conn(fd, "TDI_ACCEPT");
	if (!quiet)
		fprintf(stderr, "tdicat: accepted the offer\n");
}

/* --expedited: send it, one expedited TSDU. */
static void send_expedited(int fd, const struct conn_opts *o)
{
	size_t len;

	if (!o->expedited)
		return;
	len = strlen(o->expedited);
	if (send(fd, o->expedited, len, MSG_OOB | MSG_NOSIGNAL) != (ssize_t)len)
		fail_conn(fd, "send(MSG_OOB)");
}

/* -l PORT, connection endpoints: one connection, copied to stdout (-e:
 * back to the peer).
 */
static int conn_listen(int fd, struct sockaddr_tdi *sa, size_t bufsize,
		       const struct conn_opts *o)
{
	struct sockaddr_tdi peer;
	unsigned long long total = 0;
	const char *failed;
	socklen_t alen;
	int one = 1, cfd, r;

	if (bind(fd, (struct sockaddr *)sa, sizeof(*sa)))
		die("bind");
	if (o->query && setsockopt(fd, SOL_TDI, TDI_QUERY_ACCEPT, &one,
				   sizeof(one)))
		die("TDI_QUERY_ACCEPT");
	set_udata(fd, TDI_ACCEPT_DATA, o->accept_data, "TDI_ACCEPT_DATA");
	if (listen(fd, 4))
		die("listen");
	cfd = accept(fd, NULL, NULL);
	if (cfd < 0)
		die("accept");
	close(fd);

	/* the offer (-q) or the connection, as the peer made it */
	if (!quiet || (o->query && !o->accept_if)) {
		alen = sizeof(peer);
		if (getpeername(cfd, (struct sockaddr *)&peer, &alen))
			die("getpeername");
		print_addr(o->query ? "offer from" : "connection from", &peer);
		print_udata(cfd, TDI_CONNECT_DATA, "connect data");
	}
	if (o->query)
		decide(cfd, o);
	send_expedited(cfd, o);

	r = drain(cfd, o->echo ? -1 : 1, o->type, bufsize, &total, &failed);
	if (!quiet || (r && o->echo))
		fprintf(stderr, "tdicat: %llu bytes %s\n", total,
			o->echo ? "echoed" : "received");
	if (r)
		fail_conn(cfd, failed);
	end_conn(cfd, o, 0);
	close(cfd);
	return 0;
}

/* NODE PORT, connection endpoints: stdin copied to one connection. */
static int conn_connect(int fd, struct sockaddr_tdi *sa, size_t bufsize,
			const struct conn_opts *o)
{
	unsigned long long total = 0;
	struct sockaddr_tdi peer;
	pid_t reader = 0;
	const char *failed;
	socklen_t alen;
	int r;

	set_udata(fd, TDI_CONNECT_DATA, o->connect_data, "TDI_CONNECT_DATA");
	if (connect(fd, (struct sockaddr *)sa, sizeof(*sa))) {
		r = reason(fd);
		fprintf(stderr, "tdicat: connect: %s (reason %d %s)\n",
			strerror(errno), r, reason_name(r));
		print_udata(fd, TDI_DISCONNECT_DATA, "peer's disconnect data");
		return 1;
	}
	if (!quiet) {
		alen = sizeof(peer);
		if (getpeername(fd, (struct sockaddr *)&peer, &alen))
			die("getpeername");
		print_addr("connected to", &peer);
		print_udata(fd, TDI_ACCEPT_DATA, "accept data");
	}
	if (o->duplex)
		reader = start_reader(fd, o->type, bufsize);
	send_expedited(fd, o);
	if (send_stdin(fd, o->type, bufsize, &total, &failed))
		fail_conn(fd, failed);
	if (!quiet)
		fprintf(stderr, "tdicat: %llu bytes sent\n", total);
	r = end_conn(fd, o, reader);
	close(fd);
	return r;
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

enum {
	OPT_ACCEPT_IF = 256,
	OPT_CONNECT_DATA,
	OPT_ACCEPT_DATA,
	OPT_DISCONNECT_DATA,
	OPT_RELEASE,
	OPT_ABORT,
	OPT_EXPEDITED,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{ "listen",		no_argument,		NULL, 'l' },
	{ "silent",		no_argument,		NULL, 's' },
	{ "query-accept",	no_argument,		NULL, 'q' },
	{ "type",		required_argument,	NULL, 't' },
	{ "interface",		required_argument,	NULL, 'i' },
	{ "bufsize",		required_argument,	NULL, 'b' },
	{ "duplex",		no_argument,		NULL, 'd' },
	{ "echo",		no_argument,		NULL, 'e' },
	{ "datagram",		no_argument,		NULL, 'u' },
	{ "count",		required_argument,	NULL, 'c' },
	{ "accept-if",		required_argument,	NULL, OPT_ACCEPT_IF },
	{ "connect-data",	required_argument,	NULL, OPT_CONNECT_DATA },
	{ "accept-data",	required_argument,	NULL, OPT_ACCEPT_DATA },
	{ "disconnect-data",	required_argument,	NULL, OPT_DISCONNECT_DATA },
	{ "release",		no_argument,		NULL, OPT_RELEASE },
	{ "abort",		no_argument,		NULL, OPT_ABORT },
	{ "expedited",		required_argument,	NULL, OPT_EXPEDITED },
	{ "help",		no_argument,		NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

/* User data from the command line: at most TDI_MAX_USER_DATA bytes. */
static const char *user_data(const char *s, const char *opt)
{
	if (strlen(s) > TDI_MAX_USER_DATA) {
		fprintf(stderr, "tdicat: --%s: more than %d bytes\n", opt,
			TDI_MAX_USER_DATA);
		exit(2);
	}
	return s;
}

int main(int argc, char **argv)
{
	struct sockaddr_tdi sa = { .stdi_family = AF_TDI };
	struct conn_opts o = { .end = TDI_DISCONNECT_RELEASE };
	int type = SOCK_STREAM, listening = 0, c, fd;
	unsigned long count = 0;
	size_t bufsize = 65536;

	while ((c = getopt_long(argc, argv, "lsqt:i:b:deuc:", long_opts,
				NULL)) != -1) {
		switch (c) {
		case 'u':
			type = SOCK_DGRAM;
			break;
		case 'c':
			count = strtoul(optarg, NULL, 0);
			break;
		case 'd':
			o.duplex = 1;
			break;
		case 'e':
			o.echo = 1;
			break;
		case 'l':
			listening = 1;
			break;
		case 's':
			quiet = 1;
			break;
		case 'q':
			o.query = 1;
			break;
		case 't':
			if (!strcmp(optarg, "seqpacket"))
				type = SOCK_SEQPACKET;
			else if (!strcmp(optarg, "stream"))
				type = SOCK_STREAM;
			else
				usage();
			break;
		case 'i':
			sa.stdi_ifindex = if_nametoindex(optarg);
			if (!sa.stdi_ifindex)
				die(optarg);
			break;
		case 'b':
			bufsize = strtoul(optarg, NULL, 0);
			break;
		case OPT_ACCEPT_IF:
			o.accept_if = optarg;
			break;
		case OPT_CONNECT_DATA:
			o.connect_data = user_data(optarg, "connect-data");
			break;
		case OPT_ACCEPT_DATA:
			o.accept_data = user_data(optarg, "accept-data");
			break;
		case OPT_DISCONNECT_DATA:
			o.disconnect_data = user_data(optarg,
						      "disconnect-data");
			break;
		case OPT_RELEASE:
			o.end = TDI_DISCONNECT_RELEASE;
			break;
		case OPT_ABORT:
			o.end = TDI_DISCONNECT_ABORT;
			break;
		case OPT_EXPEDITED:
			if (strlen(optarg) > MAX_EXPEDITED) {
				fprintf(stderr,
					"tdicat: --expedited: more than %d bytes\n",
					MAX_EXPEDITED);
				exit(2);
			}
			o.expedited = optarg;
			break;
		case OPT_HELP:
			fputs(usage_text, stdout);
			return 0;
		default:
			usage();
		}
	}
	if (argc - optind != (listening ? 1 : 2) || !bufsize)
		usage();
	/* options that do not apply to what was asked */
	if ((o.accept_if && !o.query) ||
	    ((o.query || o.accept_data) && !listening) ||
	    (o.duplex && (listening || type == SOCK_DGRAM ||
			  o.end == TDI_DISCONNECT_ABORT)) ||
	    (o.connect_data && listening) || (o.echo && !listening) ||
	    (type == SOCK_DGRAM &&
	     (o.query || o.connect_data || o.accept_data || o.echo ||
	      o.expedited || o.disconnect_data ||
	      o.end != TDI_DISCONNECT_RELEASE)))
		usage();
	o.type = type;

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
		return conn_listen(fd, &sa, bufsize, &o);
	}
	parse_node(argv[optind], sa.stdi_node);
	sa.stdi_port = htons(atoi(argv[optind + 1]));
	return conn_connect(fd, &sa, bufsize, &o);
}
