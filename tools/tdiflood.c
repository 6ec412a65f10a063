// SPDX-License-Identifier: GPL-2.0
/*
 * tdiflood: a spoofed-offer flood against a listener, and what it does to
 * a real client.
 *
 *   tdiflood -a NSA -b NSB -i IFACE -n NODE [-p PORT] [-d SEC]
 *
 * NSA and NSB are named network namespaces (/run/netns) joined by a link;
 * IFACE is the link's end in NSA and NODE the node address of its end in
 * NSB.  A listener (SOCK_STREAM, backlog 128) in NSB accepts and closes.
 * From NSA one process sends CONNECT frames from random unicast nodes and
 * identifiers through AF_PACKET on IFACE, as fast as it can, for SEC
 * seconds (default 10), while another connects to the listener and
 * closes, again and again.  Sampled twice a second in NSB: sockets
 * (/proc/net/tdi), half-open offers (offers_pending), tdi memory
 * (/proc/net/protocols, pages) and the tdi slab caches (/proc/slabinfo,
 * when readable).  Prints "RESULT flood ..." lines: frames/s, connects
 * attempted and made, and the samples before, at most during, and after.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <net/if.h>

#include <linux/tdi.h>

struct sample {
	long socks;		/* lines of /proc/net/tdi */
	long offers;		/* offers_pending */
	long mem_pages;		/* /proc/net/protocols, TDI, memory */
	long slab_kib;		/* TDI and tdi_offer caches, KiB */
};

struct shared {
	int stop;	/* set once, read with stopped() */
	long frames;
	double flood_s;
	struct sample before, most, after;
};

static int stopped(struct shared *sh)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_RELAXED);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_ns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

static void enter(int ns)
{
	if (setns(ns, CLONE_NEWNET)) {
		perror("setns");
		exit(1);
	}
}

static long count_lines(const char *path)
{
	char line[512];
	long n = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

static long stat_line(const char *path, const char *key, int col)
{
	char line[512], *tok, *save;
	long v = -1;
	int i;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		tok = strtok_r(line, " \t\n", &save);
		if (!tok || strcmp(tok, key))
			continue;
		for (i = 1; i <= col && tok; i++)
			tok = strtok_r(NULL, " \t\n", &save);
		if (tok)
			v = atol(tok);
		break;
	}
	fclose(f);
	return v;
}

/* active objects times object size of a slab cache, bytes */
static long slab_bytes(const char *name)
{
	long objs = stat_line("/proc/slabinfo", name, 1);
	long size = stat_line("/proc/slabinfo", name, 3);

	return objs < 0 || size < 0 ? -1 : objs * size;
}

static void take(struct sample *s)
{
	long a = slab_bytes("TDI"), b = slab_bytes("tdi_offer");

	s->socks = count_lines("/proc/self/net/tdi");
	s->offers = stat_line("/proc/self/net/tdi_stat", "offers_pending", 1);
	s->mem_pages = stat_line("/proc/self/net/protocols", "TDI", 3);
	s->slab_kib = a < 0 ? -1 : (a + (b < 0 ? 0 : b)) / 1024;
}

static void most(struct sample *m, const struct sample *s)
{
	if (s->socks > m->socks)
		m->socks = s->socks;
	if (s->offers > m->offers)
		m->offers = s->offers;
	if (s->mem_pages > m->mem_pages)
		m->mem_pages = s->mem_pages;
	if (s->slab_kib > m->slab_kib)
		m->slab_kib = s->slab_kib;
}

static void put16(unsigned char *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(unsigned char *p, unsigned int v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static unsigned short csum16(const unsigned char *p, size_t len)
{
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static unsigned int xs(unsigned int *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Send spoofed CONNECTs until told to stop. */
static void flood(struct shared *sh, const char *ifname, const unsigned char *node,
		  int port)
{
	unsigned char f[14 + 44 + 4];
	struct sockaddr_ll ll;
	unsigned int seed = getpid() * 2654435761u, r;
	double start;
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("AF_PACKET");
		exit(1);
	}
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_ifindex = if_nametoindex(ifname);
	ll.sll_halen = 6;
	memcpy(ll.sll_addr, node, 6);
	memset(f, 0, sizeof(f));
	memcpy(f, node, 6);
	put16(f + 12, 0x88b5);
	f[14] = 1;
	f[15] = 1;
	put16(f + 20, port);
	put32(f + 38, 65536);
	put32(f + 46, 1);
	put16(f + 54, 4);
	put16(f + 58, 1456);
	start = now_s();
	while (!stopped(sh)) {
		r = xs(&seed);
		f[6] = 0x06;		/* unicast, locally administered */
		f[7] = r;
		f[8] = r >> 8;
		f[9] = r >> 16;
		f[10] = r >> 24;
		f[11] = xs(&seed);
		put16(f + 18, 1024 + (r & 0x7fff));
		put32(f + 22, xs(&seed) | 1);
		put32(f + 30, xs(&seed));
		put16(f + 56, 0);
		put16(f + 56, csum16(f + 14, 48));
		if (sendto(fd, f, sizeof(f), 0, (struct sockaddr *)&ll,
			   sizeof(ll)) == sizeof(f))
			sh->frames++;
		else if (errno == ENOBUFS)
			usleep(100);
	}
	sh->flood_s = now_s() - start;
	close(fd);
}

static int parse_mac(const char *s, unsigned char *m)
{
	unsigned int v[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		m[i] = v[i];
	return 0;
}

static void help(void)
{
	fprintf(stderr,
		"usage: tdiflood -a NSA -b NSB -i IFACE -n NODE [-p PORT] [-d SEC]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *nsa_name = NULL, *nsb_name = NULL, *ifname = NULL;
	long attempts = 0, made = 0;
	int port = 5301, secs = 10, opt, nsa, nsb, lfd;
	unsigned char node[6];
	struct sockaddr_tdi sa;
	pid_t server, flooder, sampler;
	struct shared *sh;
	struct sample s;
	double end;
	int have_node = 0;

	while ((opt = getopt(argc, argv, "a:b:i:n:p:d:")) != -1) {
		switch (opt) {
		case 'a':
			nsa_name = optarg;
			break;
		case 'b':
			nsb_name = optarg;
			break;
		case 'i':
			ifname = optarg;
			break;
		case 'n':
			if (parse_mac(optarg, node))
				help();
			have_node = 1;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'd':
			secs = atoi(optarg);
			break;
		default:
			help();
		}
	}
	if (!nsa_name || !nsb_name || !ifname || !have_node || secs <= 0)
		help();
	nsa = open_ns(nsa_name);
	nsb = open_ns(nsb_name);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	memset(sh, 0, sizeof(*sh));

	enter(nsb);
	lfd = socket(AF_TDI, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.stdi_family = AF_TDI;
	sa.stdi_port = htons(port);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 128)) {
		perror("listener");
		return 1;
	}
	server = fork();
	if (!server) {
		for (;;) {
			int s = accept(lfd, NULL, NULL);

			if (s >= 0)
				close(s);
		}
	}
	take(&sh->before);
	sh->most = sh->before;

	sampler = fork();
	if (!sampler) {
		while (!stopped(sh)) {
			take(&s);
			most(&sh->most, &s);
			usleep(500000);
		}
		_exit(0);
	}
	enter(nsa);
	flooder = fork();
	if (!flooder) {
		flood(sh, ifname, node, port);
		_exit(0);
	}

	usleep(200000);
	memcpy(sa.stdi_node, node, 6);
	end = now_s() + secs;
	while (now_s() < end) {
		int fd = socket(AF_TDI, SOCK_STREAM, 0);

		if (fd < 0)
			break;
		attempts++;
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			made++;
		close(fd);
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	waitpid(flooder, NULL, 0);
	waitpid(sampler, NULL, 0);
	sleep(2);
	enter(nsb);
	take(&sh->after);
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	close(lfd);

	printf("RESULT flood %.0f frames/s (%ld CONNECT frames in %.1f s)\n",
	       sh->flood_s > 0 ? sh->frames / sh->flood_s : 0, sh->frames,
	       sh->flood_s);
	printf("RESULT flood legit connects %ld/%ld succeeded (%.2f%%)\n", made,
	       attempts, attempts ? 100.0 * made / attempts : 0);
	printf("RESULT flood sockets in listener ns before/max/after %ld/%ld/%ld\n",
	       sh->before.socks, sh->most.socks, sh->after.socks);
	printf("RESULT flood offers_pending before/max/after %ld/%ld/%ld\n",
	       sh->before.offers, sh->most.offers, sh->after.offers);
	printf("RESULT flood tdi memory pages before/max/after %ld/%ld/%ld\n",
	       sh->before.mem_pages, sh->most.mem_pages, sh->after.mem_pages);
	printf("RESULT flood tdi slab KiB (TDI + tdi_offer) before/max/after %ld/%ld/%ld\n",
	       sh->before.slab_kib, sh->most.slab_kib, sh->after.slab_kib);
	return 0;
}
