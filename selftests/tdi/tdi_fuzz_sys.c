// SPDX-License-Identifier: GPL-2.0
/*
 * tdi_fuzz_sys: a seeded, reproducible fuzzer of every AF_TDI system call.
 *
 * Two network namespaces joined by a veth pair (nodes 02:00:00:00:00:0a
 * and 02:00:00:00:00:0b) each hold four listeners (ports 5000-5003, stream
 * and seqpacket).  Several threads share one pool of descriptors, so that
 * one thread closes, shuts down or reconnects what another is using, and
 * make random calls on them: socket, bind, connect, listen, accept(4),
 * send*, recv*, read/write, get/setsockopt (every SOL_TDI option and
 * some out of range, SOL_SOCKET options, other levels), ioctl, fcntl,
 * shutdown, close, poll, getsockname/getpeername, dup, socketpair,
 * fork (a child that uses and closes the descriptors it shares with us),
 * and reads and writes of the net.tdi sysctls (of a namespace of their
 * own).
 * Arguments are valid, mangled or bad pointers in random measure.
 *
 * Every call draws its arguments from its thread's random generator and
 * never from the results of earlier calls, so a seed replays each
 * thread's call sequence; which descriptor a pool slot holds when the call
 * runs depends on the other threads (--threads 1 removes that).
 *
 *   tdi_fuzz_sys [--seed N] [--calls N] [--threads N] [--only OP,OP...]
 *                [--verbose]
 *
 * It prints "# seed N" first: rerun with that --seed (and the same
 * --threads and --only) to replay; --verbose logs each call and its result.
 * The test fails on what the process itself can tell is impossible: a
 * returned length larger than the buffer, bytes written past the returned
 * length, an option length that grew or exceeds the option's size, a
 * value out of its range, poll events nobody asked for, a call blocked
 * for more than 30 s, a child that crashes or hangs, sockets left over at
 * the end.  Calls blocked for 10 s are interrupted (a descriptor reused by
 * an endpoint whose time-outs were not set yet may block; that is ours).
 * The kernel's own checkers (KASAN, lockdep, WARN) report in the guest's
 * log, which scripts/vm-run checks.
 *
 * Calls the module does not implement yet are fuzzed all the same: a new
 * option, ioctl or call is one entry in a table below.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/filter.h>
#include <linux/net_tstamp.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/tdi.h>

#include "kselftest_harness.h"
#include "tdi_util.h"

/*
 * Known kernel bugs the fuzzer can step around while they are being fixed
 * (1: avoid the case); both are fixed now, so both cases are fuzzed.
 *
 * FUZZ_AVOID_REASON_WARN: getsockopt(TDI_DISCONNECT_REASON) with an optlen
 * above sizeof(union { int; struct tdi_info; struct tdi_provider_info; })
 * (112) copies past the kernel's stack buffer and WARNs ("Buffer overflow
 * detected"), which panics a guest running with panic_on_warn.
 * FUZZ_AVOID_REASON_LEAK: the same option with optlen 5..112 returns that
 * length and copies uninitialised kernel stack to the caller.
 */
#define FUZZ_AVOID_REASON_WARN	0
#define FUZZ_AVOID_REASON_LEAK	0

#define FUZZ_SLOTS		64	/* descriptors the threads share */
#define FUZZ_LISTENERS		8	/* slots 0..7: the fixed listeners */
#define FUZZ_MAX_THREADS	16
#define FUZZ_MAX_OPS		48
#define FUZZ_NERRNO		140
#define FUZZ_BUF		(1024 * 1024)	/* data buffers */
#define FUZZ_GUARD		4096	/* 0xAA bytes checked after a buffer */
#define FUZZ_OPTBUF		4096
#define FUZZ_ABUF		256
#define FUZZ_SLOW_MS		10000	/* interrupt a call this slow */
#define FUZZ_HANG_MS		30000	/* a call this slow fails the test */
#define FUZZ_DRAIN_MS		30000	/* wait for released endpoints */
#define LISTEN_PORT		5000	/* fixed listeners: 5000..5003 */
#define POOL_PORT		6000	/* ports the pool binds: 6000..6007 */
#define CANARY			0xAA

static const unsigned char node_mac[2][6] = {
	{ 2, 0, 0, 0, 0, 0x0a }, { 2, 0, 0, 0, 0, 0x0b }
};

static const unsigned char nobody_mac[6] = { 2, 0, 0, 0, 0, 0x99 };

/* options */
static unsigned long long opt_seed;
static bool opt_seed_set;
static unsigned long long opt_calls = 100000;
static int opt_threads = 4;
static bool opt_verbose;
static const char *opt_only;

/* set-up */
static int ns_fd[2] = { -1, -1 };
static int ns_orig = -1;
static int ifindex_of[2];
static unsigned char *ro_page;	/* PROT_READ, a bounded timeval pattern */
static unsigned char *none_page;	/* PROT_NONE */
static const unsigned char canary_block[4096] = {
	[0 ... 4095] = CANARY
};

/*
 * The pool: each slot holds 0 (empty) or fd + 1 | ns << 32 | type << 40.
 * Whoever swaps a descriptor out of a slot owns it and closes it, so every
 * descriptor we open is closed exactly once, and a stale copy of a slot
 * can only name a socket of ours (or nothing).
 */
static __u64 pool[FUZZ_SLOTS];

static int failures;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

struct fuzz_thread {
	int id;
	pthread_t tid;
	__u64 rng;
	unsigned long long ncalls, done;
	int cur_ns;
	bool in_child;
	bool child_bad;
	__u64 call_start;	/* ms; 0 outside a call (the watchdog reads it) */
	int cur_op;
	bool slow_reported;
	unsigned char *rbuf;	/* FUZZ_BUF + FUZZ_GUARD of 0xAA, then PROT_NONE */
	unsigned char *sbuf;	/* random, read-only, then PROT_NONE */
	unsigned char optbuf[FUZZ_OPTBUF + FUZZ_GUARD];	/* 0xAA */
	unsigned char setbuf[FUZZ_OPTBUF];
	unsigned char abuf[FUZZ_ABUF + FUZZ_GUARD];	/* 0xAA */
	union {
		unsigned char ain[FUZZ_ABUF];
		__u64 ain_align;
	};
	union {
		unsigned char iobuf[4096];
		__u64 iobuf_align;
	};
	union {
		unsigned char ctl[512];
		__u64 ctl_align;
	};
	char desc[256];
	unsigned long long count[FUZZ_MAX_OPS], ok[FUZZ_MAX_OPS];
	unsigned long long maxms[FUZZ_MAX_OPS];
	unsigned int err[FUZZ_MAX_OPS][FUZZ_NERRNO];
	unsigned long long tx, rx, children, slow;
};

static struct fuzz_thread *threads;

/* ---- helpers ---- */

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One "# " line, written with one write() so threads do not mix. */
static void say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	buf[0] = '#';
	buf[1] = ' ';
	va_start(ap, fmt);
	n = vsnprintf(buf + 2, sizeof(buf) - 3, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 4)
		n = sizeof(buf) - 4;
	n += 2;
	buf[n++] = '\n';
	if (write(STDOUT_FILENO, buf, n) < 0)
		return;
}

static __u64 splitmix(__u64 *x)
{
	__u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u64 rnd(struct fuzz_thread *t)
{
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 2685821657736338717ULL;
}

static unsigned int rnd_below(struct fuzz_thread *t, unsigned int n)
{
	return (rnd(t) >> 16) % n;
}

static bool chance(struct fuzz_thread *t, unsigned int pct)
{
	return rnd_below(t, 100) < pct;
}

#define PICK(t, arr)	((arr)[rnd_below(t, sizeof(arr) / sizeof((arr)[0]))])

static void fill_random(struct fuzz_thread *t, void *p, size_t n)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i += 8) {
		__u64 v = rnd(t);

		memcpy(b + i, &v, n - i < 8 ? n - i : 8);
	}
}

/* What the call is, for --verbose. */
static void describe(struct fuzz_thread *t, const char *fmt, ...)
{
	va_list ap;

	if (!opt_verbose || t->in_child)
		return;
	va_start(ap, fmt);
	vsnprintf(t->desc, sizeof(t->desc), fmt, ap);
	va_end(ap);
}

static void anomaly(struct fuzz_thread *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (t->in_child) {
		t->child_bad = true;
		say("ANOMALY in a child of thread %d: %s", t->id, msg);
		return;
	}
	if (__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED) > 50)
		return;
	pthread_mutex_lock(&print_lock);
	say("ANOMALY thread %d call %llu (%s): %s", t->id, t->done,
	    t->desc[0] ? t->desc : "-", msg);
	pthread_mutex_unlock(&print_lock);
}

/* First byte of p[from, to) that is not the canary, or -1. */
static long canary_bad(const unsigned char *p, size_t from, size_t to)
{
	size_t i, n;

	for (i = from; i < to; i += n) {
		n = to - i < sizeof(canary_block) ? to - i : sizeof(canary_block);
		if (memcmp(p + i, canary_block, n)) {
			size_t j;

			for (j = i; j < i + n; j++)
				if (p[j] != CANARY)
					return j;
		}
	}
	return -1;
}

static void check_canary(struct fuzz_thread *t, const char *what,
			 const unsigned char *p, size_t from, size_t to)
{
	long bad = canary_bad(p, from, to);

	if (bad >= 0)
		anomaly(t, "%s: byte %ld written (0x%02x), only %zu may be",
			what, bad, p[bad], from);
}

static long sysret(long r)
{
	return r < 0 ? -errno : r;
}

/* ---- the pool ---- */

static __u64 slot_pack(int fd, int ns, int type)
{
	return (__u64)(fd + 1) | (__u64)ns << 32 | (__u64)type << 40;
}

static int slot_fd(__u64 v)
{
	return (int)(v & 0xffffffff) - 1;
}

static int slot_ns(__u64 v)
{
	return (v >> 32) & 0xff;
}

static int slot_type(__u64 v)
{
	return (v >> 40) & 0xff;
}

static void slot_put(int idx, int fd, int ns, int type)
{
	__u64 old = __atomic_exchange_n(&pool[idx], slot_pack(fd, ns, type),
					__ATOMIC_ACQ_REL);

	if (old)
		close(slot_fd(old));
}

static __u64 slot_take(int idx)
{
	return __atomic_exchange_n(&pool[idx], 0, __ATOMIC_ACQ_REL);
}

/* A slot: a listener's with @lpct percent, else one of the others. */
static int pick_slot(struct fuzz_thread *t, unsigned int lpct)
{
	unsigned int r = rnd_below(t, 100), i = rnd_below(t, FUZZ_SLOTS);

	if (r < lpct)
		return i % FUZZ_LISTENERS;
	return FUZZ_LISTENERS + i % (FUZZ_SLOTS - FUZZ_LISTENERS);
}

static const int bad_fds[] = { -1, -100, INT_MAX, 4095, INT_MIN };

/*
 * A descriptor to use: the first non-empty of three slots (always three
 * draws), now and then a bad number.  *ns and *type get the slot's hints.
 */
static int pick_fd(struct fuzz_thread *t, unsigned int lpct, int *ns, int *type)
{
	int idx[3], i, bad = PICK(t, bad_fds);
	bool use_bad = chance(t, 2);
	__u64 v = 0;

	for (i = 0; i < 3; i++)
		idx[i] = pick_slot(t, lpct);
	if (ns)
		*ns = rnd_below(t, 2);
	if (type)
		*type = SOCK_STREAM;
	if (use_bad)
		return bad;
	for (i = 0; i < 3 && !v; i++)
		v = __atomic_load_n(&pool[idx[i]], __ATOMIC_ACQUIRE);
	if (!v)
		return -1;
	if (ns)
		*ns = slot_ns(v);
	if (type)
		*type = slot_type(v);
	return slot_fd(v);
}

static int enter_ns(struct fuzz_thread *t, int ns)
{
	if (t->cur_ns == ns)
		return 0;
	if (setns(ns_fd[ns], CLONE_NEWNET))
		return -1;
	t->cur_ns = ns;
	return 0;
}

/* Short receive and send time-outs, never "no limit". */
struct fuzz_tmo {
	int rcv_us, snd_us;
};

static int gen_tmo_us(struct fuzz_thread *t)
{
	static const int us[] = { 1000, 1000, 1000, 1000, 1000, 1000, 2000,
				  2000, 5000, 20000 };

	return PICK(t, us);
}

static void gen_tmo(struct fuzz_thread *t, struct fuzz_tmo *tm)
{
	tm->rcv_us = gen_tmo_us(t);
	tm->snd_us = gen_tmo_us(t);
}

static int set_tmo(int fd, const struct fuzz_tmo *tm)
{
	struct timeval rcv = { .tv_usec = tm->rcv_us };
	struct timeval snd = { .tv_usec = tm->snd_us };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof(rcv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof(snd)))
		return -1;
	return 0;
}

/* A socket in namespace @ns with its time-outs set, or -errno. */
static int new_socket(struct fuzz_thread *t, int ns, int type, int proto,
		      const struct fuzz_tmo *tm)
{
	int fd, err;

	if (enter_ns(t, ns))
		return -errno;
	fd = socket(AF_TDI, type, proto);
	if (fd < 0)
		return -errno;
	if (set_tmo(fd, tm)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* ---- argument generators ---- */

static const int good_types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };

static unsigned short gen_port(struct fuzz_thread *t, int type, bool bind)
{
	unsigned int r = rnd_below(t, 100), a = rnd_below(t, 4);
	unsigned int b = rnd_below(t, 8), c = rnd_below(t, 65536);
	unsigned int match = LISTEN_PORT + (a & 2) +
			     (type == SOCK_SEQPACKET ? 1 : 0);

	if (type == SOCK_DGRAM)
		match = LISTEN_PORT + a;
	if (bind) {
		if (r < 25)
			return 0;
		if (r < 38)
			return LISTEN_PORT + a;
		if (r < 65)
			return POOL_PORT + b;
		if (r < 70)
			return 1 + c % 1023;
		if (r < 85)
			return 1024 + c % 64512;
		if (r < 97)
			return 32768 + c % 28232;
		return 65535;
	}
	if (r < 60)
		return match;
	if (r < 68)
		return LISTEN_PORT + a;
	if (r < 85)
		return POOL_PORT + b;
	if (r < 92)
		return c;
	if (r < 96)
		return 0;
	return 1 + c % 1023;
}

static void gen_node(struct fuzz_thread *t, unsigned char *node, int ns,
		     bool bind)
{
	unsigned int r = rnd_below(t, 100);
	__u64 v = rnd(t);

	memset(node, 0, 6);
	if (bind) {
		if (r < 60)
			return;
		if (r < 80)
			memcpy(node, node_mac[ns], 6);
		else if (r < 90)
			memcpy(node, node_mac[!ns], 6);
		else if (r < 94)
			memset(node, 0xff, 6);
		else
			memcpy(node, &v, 6);
		return;
	}
	if (r < 60)
		memcpy(node, node_mac[!ns], 6);
	else if (r < 70)
		memcpy(node, node_mac[ns], 6);
	else if (r < 80)
		return;
	else if (r < 85)
		memcpy(node, nobody_mac, 6);
	else if (r < 89)
		memset(node, 0xff, 6);
	else if (r < 93)
		memcpy(node, "\x01\x00\x5e\x00\x00\x01", 6);
	else
		memcpy(node, &v, 6);
}

static void gen_name(struct fuzz_thread *t, char *name)
{
	unsigned int r = rnd_below(t, 100), n = rnd_below(t, 8);
	__u64 v = rnd(t), w = rnd(t);

	memset(name, 0, TDI_NAME_LEN);
	if (r < 65)
		return;
	if (r < 90) {
		snprintf(name, TDI_NAME_LEN, "FUZZ%u", n);
	} else if (r < 95) {
		/* bytes after the NUL: not canonical */
		snprintf(name, TDI_NAME_LEN, "X%u", n);
		name[4 + n] = 'z';
	} else {
		memcpy(name, &v, 8);
		memcpy(name + 8, &w, 8);
	}
}

static const int bad_families[] = { AF_UNSPEC, AF_INET, AF_PACKET, AF_UNIX,
				    AF_TDI + 1, 0xffff };
static const int addr_lens[] = { 0, 1, 2, 8, 16, 31, 33, 64, 128, 129, 256,
				 -1, INT_MIN };

/* Kernel addresses: never ours to pass, EFAULT. */
#define KERNEL_PTR	((void *)0xffffffff81000000UL)

/* A struct sockaddr_tdi in t->ain, valid or mangled, and its length. */
static const void *gen_addr(struct fuzz_thread *t, int ns, int type, bool bind,
			    socklen_t *len)
{
	struct sockaddr_tdi *sa = (struct sockaddr_tdi *)t->ain;
	unsigned int rf = rnd_below(t, 100), rz = rnd_below(t, 100);
	unsigned int ri = rnd_below(t, 100), rl = rnd_below(t, 100);
	unsigned int rp = rnd_below(t, 100), rt = rnd_below(t, 100);
	int fam = PICK(t, bad_families), alen = PICK(t, addr_lens);
	static const int bad_ifindex[] = { -1, INT_MIN, INT_MAX, 9999, 2, 3 };
	int badif = PICK(t, bad_ifindex);

	memset(t->ain, 0, sizeof(t->ain));
	if (rt < 10)
		fill_random(t, t->ain + sizeof(*sa), sizeof(t->ain) - sizeof(*sa));
	sa->stdi_family = rf < 93 ? AF_TDI : fam;
	sa->stdi_port = htons(gen_port(t, type, bind));
	gen_node(t, sa->stdi_node, ns, bind);
	gen_name(t, sa->stdi_name);
	if (rz < 4)
		sa->stdi_zero[rz & 1] = 1 + rz;
	if (ri < 75)
		sa->stdi_ifindex = 0;
	else if (ri < 88)
		sa->stdi_ifindex = ifindex_of[ns];
	else if (ri < 91)
		sa->stdi_ifindex = 1;
	else
		sa->stdi_ifindex = badif;
	*len = rl < 75 ? sizeof(*sa) : (socklen_t)alen;
	if (rp < 96)
		return sa;
	if (rp < 97)
		return NULL;
	if (rp < 98)
		return ro_page;
	if (rp < 99)
		return none_page;
	return KERNEL_PTR;
}

/* Lengths: 0, 1, small, around the frame payload, large; rarely huge. */
static size_t gen_len(struct fuzz_thread *t, bool oob)
{
	static const size_t edge[] = { 1455, 1456, 1457, 2911, 2912, 2913,
				       1023, 1024, 1025, 4095, 4096, 65535,
				       65536, 65537 };
	static const size_t huge[] = { SIZE_MAX, (size_t)INT_MAX + 1, INT_MAX,
				       FUZZ_BUF + FUZZ_GUARD + 8192 };
	unsigned int r = rnd_below(t, 1000), a = rnd_below(t, 1 << 20);
	size_t e = PICK(t, edge), h = PICK(t, huge);

	if (oob && r < 500)
		return 1 + a % 1100;
	if (r < 80)
		return 0;
	if (r < 130)
		return 1;
	if (r < 380)
		return 2 + a % 63;
	if (r < 600)
		return a % 1500;
	if (r < 800)
		return a % 16384;
	if (r < 900)
		return e;
	if (r < 990)
		return a % 131072;
	if (r < 996)
		return a;
	return h;
}

static const int msg_flags_list[] = {
	MSG_OOB, MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL, MSG_TRUNC, MSG_MORE,
	MSG_EOR, MSG_NOSIGNAL, MSG_ERRQUEUE, MSG_CONFIRM, MSG_CMSG_CLOEXEC,
	MSG_FASTOPEN, MSG_ZEROCOPY, MSG_BATCH, MSG_PROXY, MSG_CTRUNC,
	MSG_DONTROUTE, MSG_WAITFORONE,
};

static int gen_flags(struct fuzz_thread *t)
{
	unsigned int r = rnd_below(t, 100), i, bit = rnd_below(t, 32);
	int f = 0;

	for (i = 0; i < ARRAY_SIZE(msg_flags_list); i++)
		if (chance(t, 10))
			f |= msg_flags_list[i];
	if (r < 20)
		return 0;
	if (r < 40)
		return MSG_DONTWAIT;
	if (r < 45)
		return MSG_NOSIGNAL;
	if (r < 50)
		return MSG_OOB | (f & MSG_DONTWAIT);
	if (r < 54)
		return MSG_PEEK | (f & MSG_DONTWAIT);
	if (r < 94)
		return f;
	return f | (int)(1U << bit);
}

/* A data pointer: ours, or NULL, read-only, unmapped or the kernel's. */
static void *gen_ptr(struct fuzz_thread *t, void *good)
{
	unsigned int r = rnd_below(t, 100);

	if (r < 95)
		return good;
	if (r < 96)
		return NULL;
	if (r < 97)
		return ro_page;
	if (r < 99)
		return none_page;
	return KERNEL_PTR;
}

/* ---- checks of what the kernel wrote ---- */

/* A received buffer: copied bytes at the start, the canary after them. */
static void check_rbuf(struct fuzz_thread *t, const char *what, size_t len,
		       long ret, bool checkable)
{
	size_t copied = ret > 0 ? (size_t)ret : 0;

	if (!checkable || len > FUZZ_BUF) {
		memset(t->rbuf, CANARY, FUZZ_BUF + FUZZ_GUARD);
		return;
	}
	if (copied > len)
		copied = len;
	check_canary(t, what, t->rbuf, copied, len + FUZZ_GUARD);
	memset(t->rbuf, CANARY, len + FUZZ_GUARD);
}

/* An address the kernel returned into t->abuf: in, out are lengths. */
static void check_abuf(struct fuzz_thread *t, const char *what, int in,
		       socklen_t out, bool success, bool must_fill)
{
	size_t span = in < 0 ? 0 : in > FUZZ_ABUF ? FUZZ_ABUF : in;
	size_t wrote = out < span ? out : span;
	const struct sockaddr_tdi *sa = (const struct sockaddr_tdi *)t->abuf;

	if (!success)
		wrote = 0;
	check_canary(t, what, t->abuf, wrote, span + FUZZ_GUARD);
	if (success && must_fill && out != sizeof(*sa))
		anomaly(t, "%s: address length %u, not %zu", what, out,
			sizeof(*sa));
	if (success && wrote >= sizeof(sa->stdi_family) &&
	    sa->stdi_family != AF_TDI)
		anomaly(t, "%s: address family %u", what, sa->stdi_family);
	if (success && wrote >= sizeof(*sa) &&
	    (sa->stdi_zero[0] || sa->stdi_zero[1]))
		anomaly(t, "%s: address padding not zero", what);
	memset(t->abuf, CANARY, sizeof(t->abuf));
}

/* ---- socket options ---- */

struct fuzz_opt;
typedef void (*opt_fill_t)(struct fuzz_thread *t, unsigned char *val);
typedef void (*opt_check_t)(struct fuzz_thread *t, const struct fuzz_opt *o,
			    const unsigned char *val, int len);

/* OPT_MAX: getsockopt never returns more than @size bytes. */
#define OPT_MAX		1

struct fuzz_opt {
	int level, name;
	const char *label;
	int size;
	int flags;
	opt_fill_t fill;
	opt_check_t check;
};

static int val_int(const unsigned char *val)
{
	int v;

	memcpy(&v, val, sizeof(v));
	return v;
}

static void put_int(unsigned char *val, int v)
{
	memcpy(val, &v, sizeof(v));
}

static void fill_none(struct fuzz_thread *t, unsigned char *val)
{
}

static void fill_bool(struct fuzz_thread *t, unsigned char *val)
{
	static const int v[] = { 0, 1, 1, 2, -1 };

	put_int(val, PICK(t, v));
}

static void fill_int(struct fuzz_thread *t, unsigned char *val)
{
	static const int v[] = { 0, 1, 2, 7, 100, 1024, 65536, INT_MAX, -1,
				 INT_MIN };

	put_int(val, chance(t, 80) ? PICK(t, v) : (int)rnd(t));
}

static void fill_buf(struct fuzz_thread *t, unsigned char *val)
{
	static const int v[] = { 0, 1, 100, 2304, 4096, 65536, 212992,
				 1 << 20, 4 << 20, INT_MAX, -1 };

	put_int(val, PICK(t, v));
}

static void fill_lowat(struct fuzz_thread *t, unsigned char *val)
{
	static const int v[] = { 0, 1, 2, 100, 1456, 65536, 1 << 20, INT_MAX,
				 -1 };

	put_int(val, PICK(t, v));
}

static void fill_prio(struct fuzz_thread *t, unsigned char *val)
{
	static const int v[] = { 0, 1, 6, 7, 15, 255, -1 };

	put_int(val, PICK(t, v));
}

/* An fd for TDI_ASSOCIATE_ADDRESS: one of the pool's, or nonsense. */
static void fill_fd(struct fuzz_thread *t, unsigned char *val)
{
	__u64 v = __atomic_load_n(&pool[rnd_below(t, FUZZ_SLOTS)],
				  __ATOMIC_ACQUIRE);
	static const int bad[] = { -1, 0, 1, 2, INT_MAX, 4095 };
	int b = PICK(t, bad);

	put_int(val, chance(t, 85) && v ? slot_fd(v) : b);
}

/* SO_RCVTIMEO/SO_SNDTIMEO (old and new): bounded, never {0, 0}. */
static void fill_tmo(struct fuzz_thread *t, unsigned char *val)
{
	long long tv[2] = { 0, gen_tmo_us(t) };
	unsigned int r = rnd_below(t, 100);

	if (r < 4)
		tv[0] = -1;		/* negative: no wait at all */
	else if (r < 7)
		tv[1] = 1000000;	/* EDOM */
	else if (r < 9)
		tv[1] = -1;		/* EDOM */
	else if (r < 12)
		tv[1] = 50000;
	memcpy(val, tv, sizeof(tv));
}

/* SO_LINGER: off, {1, 0} (abort), {1, 1} (close waits up to 1 s). */
static void fill_linger(struct fuzz_thread *t, unsigned char *val)
{
	static const struct linger v[] = { { 0, 0 }, { 1, 0 }, { 1, 0 },
					   { 1, 0 }, { 0, 7 }, { 0, 0 },
					   { 1, 0 }, { 1, 0 }, { 0, 7 },
					   { 1, 1 } };

	memcpy(val, &PICK(t, v), sizeof(struct linger));
}

static void fill_dev(struct fuzz_thread *t, unsigned char *val)
{
	static const char * const v[] = { "va", "vb", "lo", "", "nonexistent0" };
	unsigned int r = rnd_below(t, 100);

	memset(val, 0, IFNAMSIZ);
	if (r < 90)
		strcpy((char *)val, PICK(t, v));
	else
		fill_random(t, val, IFNAMSIZ);
}

static void fill_ifindex(struct fuzz_thread *t, unsigned char *val)
{
	int v[] = { 0, 1, ifindex_of[0], ifindex_of[1], -1, 9999 };

	put_int(val, PICK(t, v));
}

static void fill_random_opt(struct fuzz_thread *t, unsigned char *val)
{
	fill_random(t, val, 256);
}

static const struct sock_filter filter_all[] = {
	BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
};

static const struct sock_filter filter_none[] = {
	BPF_STMT(BPF_RET | BPF_K, 0),
};

static void fill_filter(struct fuzz_thread *t, unsigned char *val)
{
	struct sock_fprog prog = {
		.len = 1,
		.filter = (struct sock_filter *)(chance(t, 80) ? filter_all :
						 filter_none),
	};

	if (chance(t, 10))
		prog.len = 0;
	memcpy(val, &prog, sizeof(prog));
}

/* struct tdi_filter: all-zero, matching a node, or random. */
static void fill_tdi_filter(struct fuzz_thread *t, unsigned char *val)
{
	struct tdi_filter *f = (struct tdi_filter *)val;
	unsigned int r = rnd_below(t, 100), n = rnd_below(t, 2);
	static const unsigned int bits[] = { 0, 1, 8, 24, 40, 47, 48, 49, 64,
					     UINT_MAX };
	unsigned int b = PICK(t, bits);

	memset(f, 0, sizeof(*f));
	if (r < 30)
		return;
	if (r < 80) {
		f->remote.stdi_family = AF_TDI;
		memcpy(f->remote.stdi_node, node_mac[n], 6);
		f->node_prefix_bits = b;
		f->port = chance(t, 70) ? 0 : htons(1024 + rnd_below(t, 60000));
		if (chance(t, 20))
			snprintf(f->remote.stdi_name, TDI_NAME_LEN, "FUZZ%u", n);
		return;
	}
	fill_random(t, f, sizeof(*f));
}

static void check_reason(struct fuzz_thread *t, const struct fuzz_opt *o,
			 const unsigned char *val, int len)
{
	int v;

	if (len < (int)sizeof(int))
		return;
	v = val_int(val);
	if (v < TDI_REASON_NONE || v > TDI_REASON_LINK_DOWN)
		anomaly(t, "TDI_DISCONNECT_REASON %d", v);
}

static void check_info(struct fuzz_thread *t, const struct fuzz_opt *o,
		       const unsigned char *val, int len)
{
	struct tdi_info info;

	if (len != sizeof(info))
		return;
	memcpy(&info, val, sizeof(info));
	if (info.state > TDI_STATE_CLOSING || info.reserved)
		anomaly(t, "TDI_INFO state %u reserved %u", info.state,
			info.reserved);
	if (info.unread_tsdu > info.unread)
		anomaly(t, "TDI_INFO unread_tsdu %u > unread %u",
			info.unread_tsdu, info.unread);
}

static void check_provider(struct fuzz_thread *t, const struct fuzz_opt *o,
			   const unsigned char *val, int len)
{
	struct tdi_provider_info pi;

	if (len != sizeof(pi))
		return;
	memcpy(&pi, val, sizeof(pi));
	if (pi.reserved[0] || pi.reserved[1] || pi.max_expedited < 1024 ||
	    !pi.version || !(pi.service_flags & TDI_SERVICE_CONNECTION_MODE))
		anomaly(t, "TDI_PROVIDER_INFO version %#x flags %#x max_exp %u res %u %u",
			pi.version, pi.service_flags, pi.max_expedited,
			pi.reserved[0], pi.reserved[1]);
}

static void check_user_data(struct fuzz_thread *t, const struct fuzz_opt *o,
			    const unsigned char *val, int len)
{
}

static void check_domain(struct fuzz_thread *t, const struct fuzz_opt *o,
			 const unsigned char *val, int len)
{
	if (len == sizeof(int) && val_int(val) != AF_TDI)
		anomaly(t, "SO_DOMAIN %d", val_int(val));
}

static void check_type(struct fuzz_thread *t, const struct fuzz_opt *o,
		       const unsigned char *val, int len)
{
	int v = val_int(val);

	if (len == sizeof(int) && v != SOCK_STREAM && v != SOCK_DGRAM &&
	    v != SOCK_SEQPACKET)
		anomaly(t, "SO_TYPE %d", v);
}

static void check_zero(struct fuzz_thread *t, const struct fuzz_opt *o,
		       const unsigned char *val, int len)
{
	if (len == sizeof(int) && val_int(val))
		anomaly(t, "%s %d, not 0", o->label, val_int(val));
}

static void check_bool(struct fuzz_thread *t, const struct fuzz_opt *o,
		       const unsigned char *val, int len)
{
	int v = val_int(val);

	if (len == sizeof(int) && v != 0 && v != 1)
		anomaly(t, "%s %d, not 0 or 1", o->label, v);
}

static void check_errno(struct fuzz_thread *t, const struct fuzz_opt *o,
			const unsigned char *val, int len)
{
	int v = val_int(val);

	if (len == sizeof(int) && (v < 0 || v >= 4096))
		anomaly(t, "SO_ERROR %d", v);
}

static void check_none(struct fuzz_thread *t, const struct fuzz_opt *o,
		       const unsigned char *val, int len)
{
}

#define TDIO(n, sz, fill, check)	{ SOL_TDI, n, #n, sz, OPT_MAX, fill, check }
#define SOCKO(n, sz, fill, check)	{ SOL_SOCKET, n, #n, sz, 0, fill, check }

static const struct fuzz_opt tdi_opts[] = {
	TDIO(TDI_ASSOCIATE_ADDRESS, sizeof(int), fill_fd, check_none),
	TDIO(TDI_DISASSOCIATE_ADDRESS, 0, fill_none, check_none),
	TDIO(TDI_CONNECTION_CONTEXT, sizeof(__u64), fill_random_opt, check_none),
	TDIO(TDI_QUERY_ACCEPT, sizeof(int), fill_bool, check_bool),
	TDIO(TDI_LISTEN_FILTER, sizeof(struct tdi_filter), fill_tdi_filter,
	     check_none),
	TDIO(TDI_CONNECT_DATA, TDI_MAX_USER_DATA, fill_random_opt,
	     check_user_data),
	TDIO(TDI_ACCEPT_DATA, TDI_MAX_USER_DATA, fill_random_opt,
	     check_user_data),
	TDIO(TDI_DISCONNECT_DATA, TDI_MAX_USER_DATA, fill_random_opt,
	     check_user_data),
	TDIO(TDI_DISCONNECT_REASON, sizeof(int), fill_int, check_reason),
	TDIO(TDI_ACCEPT, 0, fill_none, check_none),
	TDIO(TDI_REJECT, 0, fill_none, check_none),
	TDIO(TDI_INFO, sizeof(struct tdi_info), fill_random_opt, check_info),
	TDIO(TDI_PROVIDER_INFO, sizeof(struct tdi_provider_info),
	     fill_random_opt, check_provider),
	/* out of range */
	TDIO(0, sizeof(int), fill_int, check_none),
	TDIO(14, sizeof(int), fill_int, check_none),
	TDIO(15, sizeof(int), fill_int, check_none),
	TDIO(255, sizeof(int), fill_int, check_none),
	TDIO(-1, sizeof(int), fill_int, check_none),
	TDIO(INT_MAX, sizeof(int), fill_int, check_none),
};

static const struct fuzz_opt sock_opts[] = {
	SOCKO(SO_TYPE, sizeof(int), fill_int, check_type),
	SOCKO(SO_DOMAIN, sizeof(int), fill_int, check_domain),
	SOCKO(SO_PROTOCOL, sizeof(int), fill_int, check_zero),
	SOCKO(SO_ERROR, sizeof(int), fill_int, check_errno),
	SOCKO(SO_ACCEPTCONN, sizeof(int), fill_int, check_bool),
	SOCKO(SO_LINGER, sizeof(struct linger), fill_linger, check_none),
	SOCKO(SO_LINGER, sizeof(struct linger), fill_linger, check_none),
	SOCKO(SO_RCVBUF, sizeof(int), fill_buf, check_none),
	SOCKO(SO_SNDBUF, sizeof(int), fill_buf, check_none),
	SOCKO(SO_RCVBUFFORCE, sizeof(int), fill_buf, check_none),
	SOCKO(SO_SNDBUFFORCE, sizeof(int), fill_buf, check_none),
	SOCKO(SO_KEEPALIVE, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_RCVLOWAT, sizeof(int), fill_lowat, check_none),
	SOCKO(SO_SNDLOWAT, sizeof(int), fill_lowat, check_none),
	SOCKO(SO_PRIORITY, sizeof(int), fill_prio, check_none),
	SOCKO(SO_RCVTIMEO_OLD, 2 * sizeof(long long), fill_tmo, check_none),
	SOCKO(SO_SNDTIMEO_OLD, 2 * sizeof(long long), fill_tmo, check_none),
	SOCKO(SO_RCVTIMEO_NEW, 2 * sizeof(long long), fill_tmo, check_none),
	SOCKO(SO_SNDTIMEO_NEW, 2 * sizeof(long long), fill_tmo, check_none),
	SOCKO(SO_REUSEADDR, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_REUSEPORT, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_BROADCAST, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_OOBINLINE, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_DONTROUTE, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_DEBUG, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_PASSCRED, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_PEERCRED, sizeof(struct ucred), fill_random_opt, check_none),
	SOCKO(SO_PEERNAME, sizeof(struct sockaddr_tdi), fill_random_opt,
	      check_none),
	SOCKO(SO_MARK, sizeof(int), fill_int, check_none),
	SOCKO(SO_BINDTODEVICE, IFNAMSIZ, fill_dev, check_none),
	SOCKO(SO_BINDTOIFINDEX, sizeof(int), fill_ifindex, check_none),
	SOCKO(SO_TIMESTAMP_OLD, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_TIMESTAMPNS_OLD, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_TIMESTAMPING_OLD, sizeof(int), fill_int, check_none),
	SOCKO(SO_RXQ_OVFL, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_PEEK_OFF, sizeof(int), fill_int, check_none),
	SOCKO(SO_NOFCS, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_BUSY_POLL, sizeof(int), fill_int, check_none),
	SOCKO(SO_MAX_PACING_RATE, sizeof(int), fill_int, check_none),
	SOCKO(SO_INCOMING_CPU, sizeof(int), fill_int, check_none),
	SOCKO(SO_COOKIE, sizeof(__u64), fill_random_opt, check_none),
	SOCKO(SO_MEMINFO, SK_MEMINFO_VARS * sizeof(__u32), fill_random_opt,
	      check_none),
	SOCKO(SO_ZEROCOPY, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_TXTIME, sizeof(struct sock_txtime), fill_random_opt,
	      check_none),
	SOCKO(SO_SELECT_ERR_QUEUE, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_ATTACH_FILTER, sizeof(struct sock_fprog), fill_filter,
	      check_none),
	SOCKO(SO_DETACH_FILTER, sizeof(int), fill_int, check_none),
	SOCKO(SO_LOCK_FILTER, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_BUF_LOCK, sizeof(int), fill_int, check_none),
	SOCKO(SO_RESERVE_MEM, sizeof(int), fill_buf, check_none),
	SOCKO(SO_TXREHASH, sizeof(int), fill_int, check_none),
	SOCKO(SO_RCVMARK, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_NETNS_COOKIE, sizeof(__u64), fill_random_opt, check_none),
	SOCKO(SO_PREFER_BUSY_POLL, sizeof(int), fill_bool, check_bool),
	SOCKO(SO_BUSY_POLL_BUDGET, sizeof(int), fill_int, check_none),
	SOCKO(SO_WIFI_STATUS, sizeof(int), fill_bool, check_bool),
	SOCKO(0, sizeof(int), fill_int, check_none),
	SOCKO(1000, sizeof(int), fill_int, check_none),
};

static const struct fuzz_opt other_opts[] = {
	{ SOL_IP, 1, "SOL_IP/1", sizeof(int), 0, fill_int, check_none },
	{ IPPROTO_TCP, 1, "SOL_TCP/1", sizeof(int), 0, fill_int, check_none },
	{ SOL_IPV6, 1, "SOL_IPV6/1", sizeof(int), 0, fill_int, check_none },
	{ SOL_PACKET, 1, "SOL_PACKET/1", sizeof(int), 0, fill_int, check_none },
	{ SOL_TDI + 1, 1, "SOL_TDI+1/1", sizeof(int), 0, fill_int, check_none },
	{ SOL_TDI - 1, TDI_INFO, "SOL_TDI-1/12", sizeof(int), 0, fill_int,
	  check_none },
	{ -1, 1, "-1/1", sizeof(int), 0, fill_int, check_none },
	{ INT_MAX, TDI_INFO, "INT_MAX/12", sizeof(int), 0, fill_int, check_none },
};

static const struct fuzz_opt *pick_opt(struct fuzz_thread *t)
{
	unsigned int r = rnd_below(t, 100);
	const struct fuzz_opt *a = &PICK(t, tdi_opts);
	const struct fuzz_opt *b = &PICK(t, sock_opts);
	const struct fuzz_opt *c = &PICK(t, other_opts);

	return r < 55 ? a : r < 95 ? b : c;
}

static int gen_optlen(struct fuzz_thread *t, int size)
{
	unsigned int r = rnd_below(t, 100), a = rnd_below(t, 257);

	if (r < 45)
		return size;
	if (r < 51)
		return 0;
	if (r < 56)
		return 1;
	if (r < 62)
		return size - 1;
	if (r < 70)
		return size + 1;
	if (r < 76)
		return FUZZ_OPTBUF;
	if (r < 80)
		return -1;
	if (r < 82)
		return INT_MIN;
	if (r < 90)
		return size * 2;
	return a;
}

/* ---- the calls ---- */

static long op_socket(struct fuzz_thread *t)
{
	static const int bad_types[] = { 0, SOCK_RAW, SOCK_RDM, SOCK_DCCP,
					 SOCK_PACKET, 4, 7, 11, 15 };
	static const int bad_protos[] = { 1, 6, 17, -1, ETH_P_TDI, 256,
					  INT_MAX };
	unsigned int r = rnd_below(t, 100), ns = rnd_below(t, 2);
	int idx = pick_slot(t, 0), type = PICK(t, good_types);
	int bt = PICK(t, bad_types), bp = PICK(t, bad_protos);
	int flags = 0, proto = 0, fd, base;
	unsigned int bit = rnd_below(t, 32);
	bool valid, nb = chance(t, 20), ce = chance(t, 20);
	bool badflag = chance(t, 2), badproto = chance(t, 5);
	struct fuzz_tmo tm;

	gen_tmo(t, &tm);
	if (r >= 88)
		type = bt;
	if (nb)
		flags |= SOCK_NONBLOCK;
	if (ce)
		flags |= SOCK_CLOEXEC;
	if (badflag)
		flags |= (int)(1U << bit);
	if (badproto)
		proto = bp;
	base = (type | flags) & 0xf;
	valid = (base == SOCK_STREAM || base == SOCK_SEQPACKET ||
		 base == SOCK_DGRAM) && !proto &&
		!((type | flags) & ~(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC));
	describe(t, "socket(ns %u, type %#x, proto %d)", ns, type | flags, proto);
	fd = new_socket(t, ns, type | flags, proto, &tm);
	if (fd < 0) {
		if (valid && fd != -EMFILE && fd != -ENFILE && fd != -ENOMEM &&
		    fd != -ENOBUFS)
			anomaly(t, "socket(type %#x) failed: %s", type | flags,
				strerror(-fd));
		return fd;
	}
	if (!valid)
		anomaly(t, "socket(type %#x, proto %d) succeeded", type | flags,
			proto);
	slot_put(idx, fd, ns, base);
	return fd;
}

static long op_bind(struct fuzz_thread *t)
{
	int ns, type, fd = pick_fd(t, 3, &ns, &type);
	socklen_t len;
	const void *sa = gen_addr(t, ns, type, true, &len);

	describe(t, "bind(%d, len %d)", fd, (int)len);
	return sysret(bind(fd, sa, len));
}

static long op_connect(struct fuzz_thread *t)
{
	int ns, type, fd = pick_fd(t, 3, &ns, &type);
	bool nb = chance(t, 30), nbval = chance(t, 50);
	socklen_t len;
	const void *sa = gen_addr(t, ns, type, false, &len);
	const struct sockaddr_tdi *s = (const struct sockaddr_tdi *)t->ain;

	if (nb) {
		int fl = fcntl(fd, F_GETFL);

		if (fl >= 0)
			fcntl(fd, F_SETFL, nbval ? fl | O_NONBLOCK :
			      fl & ~O_NONBLOCK);
	}
	describe(t, "connect(%d, port %u node ..:%02x ifindex %d, len %d)", fd,
		 ntohs(s->stdi_port), s->stdi_node[5], s->stdi_ifindex, (int)len);
	return sysret(connect(fd, sa, len));
}

static long op_listen(struct fuzz_thread *t)
{
	static const int backlogs[] = { 0, 1, 2, 3, 8, 128, SOMAXCONN,
					SOMAXCONN + 1, -1, INT_MAX, INT_MIN };
	int fd = pick_fd(t, 5, NULL, NULL), b = PICK(t, backlogs);

	describe(t, "listen(%d, %d)", fd, b);
	return sysret(listen(fd, b));
}

static long op_accept(struct fuzz_thread *t)
{
	static const int lens[] = { 0, 1, 2, 31, 32, 33, 128, FUZZ_ABUF, -1 };
	static const int aflags[] = { 0, SOCK_NONBLOCK, SOCK_CLOEXEC,
				      SOCK_NONBLOCK | SOCK_CLOEXEC, 1, O_APPEND };
	int ns, type, fd = pick_fd(t, 80, &ns, &type);
	int dst = pick_slot(t, 0), in = PICK(t, lens), fl = PICK(t, aflags);
	unsigned int ra = rnd_below(t, 100);
	bool four = chance(t, 50);
	socklen_t alen = in, *lenp = &alen;
	struct sockaddr *addr = (struct sockaddr *)t->abuf;
	struct fuzz_tmo tm;
	int nfd, err;

	gen_tmo(t, &tm);
	if (ra < 30) {
		addr = NULL;
		lenp = NULL;
	} else if (ra < 33) {
		addr = (struct sockaddr *)none_page;
	} else if (ra < 35) {
		lenp = (socklen_t *)ro_page;
	}
	describe(t, "accept%s(%d, len %d, flags %#x)", four ? "4" : "", fd, in,
		 four ? fl : 0);
	nfd = four ? accept4(fd, addr, lenp, fl) : accept(fd, addr, lenp);
	err = nfd < 0 ? -errno : 0;
	if (addr == (struct sockaddr *)t->abuf && lenp == &alen)
		check_abuf(t, "accept", in, alen, nfd >= 0 && in >= 0, true);
	if (nfd < 0)
		return err;
	if (set_tmo(nfd, &tm)) {
		/* not ours to publish without its time-outs */
		anomaly(t, "setting time-outs of an accepted socket: %s",
			strerror(errno));
		close(nfd);
		return nfd;
	}
	slot_put(dst, nfd, ns, type);
	return nfd;
}

static void check_sent(struct fuzz_thread *t, const char *what, long ret,
		       size_t len)
{
	if (ret > 0 && (size_t)ret > len)
		anomaly(t, "%s returned %ld for %zu bytes", what, ret, len);
	if (ret > 0)
		t->tx += ret;
}

static long op_send(struct fuzz_thread *t)
{
	int fd = pick_fd(t, 5, NULL, NULL), flags = gen_flags(t);
	size_t len = gen_len(t, flags & MSG_OOB);
	void *p = gen_ptr(t, t->sbuf);
	long ret;

	describe(t, "send(%d, %zu, %#x)", fd, len, flags);
	ret = sysret(send(fd, p, len, flags));
	check_sent(t, "send", ret, len);
	return ret;
}

static long op_sendto(struct fuzz_thread *t)
{
	int ns, type, fd = pick_fd(t, 5, &ns, &type), flags = gen_flags(t);
	size_t len = gen_len(t, flags & MSG_OOB);
	void *p = gen_ptr(t, t->sbuf);
	socklen_t alen;
	const void *sa = gen_addr(t, ns, type, false, &alen);
	bool named = chance(t, 60);
	long ret;

	describe(t, "sendto(%d, %zu, %#x, %s)", fd, len, flags,
		 named ? "name" : "NULL");
	ret = sysret(sendto(fd, p, len, flags, named ? sa : NULL,
			    named ? alen : 0));
	check_sent(t, "sendto", ret, len);
	return ret;
}

static long op_write(struct fuzz_thread *t)
{
	int fd = pick_fd(t, 5, NULL, NULL);
	size_t len = gen_len(t, false);
	void *p = gen_ptr(t, t->sbuf);
	long ret;

	describe(t, "write(%d, %zu)", fd, len);
	ret = sysret(write(fd, p, len));
	check_sent(t, "write", ret, len);
	return ret;
}

/* Up to 4 iovecs over @buf, @gap bytes apart; returns the total. */
static size_t gen_iov(struct fuzz_thread *t, struct iovec *iov, int *n,
		      unsigned char *buf, size_t gap)
{
	unsigned int cnt = rnd_below(t, 5), i, badi = rnd_below(t, 100);
	size_t off = 0, total = 0;
	size_t lens[4];

	for (i = 0; i < 4; i++) {
		lens[i] = gen_len(t, false);
		if (lens[i] > FUZZ_BUF / 4 - gap)
			lens[i] = rnd_below(t, FUZZ_BUF / 4 - gap);
		else
			rnd(t);
	}
	for (i = 0; i < cnt; i++) {
		iov[i].iov_base = buf + off;
		iov[i].iov_len = lens[i];
		off += lens[i] + gap;
		total += lens[i];
	}
	if (cnt && badi < 4) {
		iov[badi % cnt].iov_base = none_page;
		total = SIZE_MAX;	/* not checkable */
	} else if (cnt && badi < 6) {
		iov[badi % cnt].iov_base = NULL;
		if (iov[badi % cnt].iov_len)
			total = SIZE_MAX;
	}
	*n = cnt;
	return total;
}

/* Random control messages: garbage, or a well-formed header or two. */
static size_t gen_cmsg(struct fuzz_thread *t)
{
	unsigned int r = rnd_below(t, 100);
	struct cmsghdr *c = (struct cmsghdr *)t->ctl;
	static const int levels[] = { SOL_SOCKET, SOL_TDI, SOL_IP, -1 };
	static const int types[] = { SCM_RIGHTS, SCM_CREDENTIALS,
				     SO_TIMESTAMPING_OLD, SCM_TXTIME,
				     SO_MARK, SO_PRIORITY, 1, 99 };
	int lv = PICK(t, levels), ty = PICK(t, types);

	fill_random(t, t->ctl, 64);
	if (r < 40)
		return rnd_below(t, 64);
	c->cmsg_len = CMSG_LEN(sizeof(int) * (1 + rnd_below(t, 3)));
	c->cmsg_level = lv;
	c->cmsg_type = ty;
	if (lv == SOL_SOCKET && ty == SCM_RIGHTS)
		put_int(CMSG_DATA(c), -1);
	return CMSG_SPACE(sizeof(int) * 3);
}

static long op_sendmsg(struct fuzz_thread *t)
{
	int ns, type, fd = pick_fd(t, 5, &ns, &type), flags = gen_flags(t);
	struct iovec iov[4];
	struct msghdr m = { 0 };
	int n;
	size_t total = gen_iov(t, iov, &n, t->sbuf, 16);
	socklen_t alen;
	const void *sa = gen_addr(t, ns, type, false, &alen);
	bool named = chance(t, 25), ctl = chance(t, 15);
	bool manyiov = chance(t, 2);
	long ret;

	m.msg_iov = iov;
	m.msg_iovlen = manyiov ? 1025 : n;
	if (named) {
		m.msg_name = (void *)sa;
		m.msg_namelen = alen;
	}
	if (ctl) {
		m.msg_controllen = gen_cmsg(t);
		m.msg_control = t->ctl;
	}
	if (manyiov)
		m.msg_iov = (struct iovec *)none_page;
	describe(t, "sendmsg(%d, %d iov %zu bytes, %#x%s%s)", fd, n, total, flags,
		 named ? ", name" : "", ctl ? ", control" : "");
	ret = sysret(sendmsg(fd, &m, flags));
	if (total != SIZE_MAX && !manyiov)
		check_sent(t, "sendmsg", ret, total);
	return ret;
}

static long op_sendmmsg(struct fuzz_thread *t)
{
	int fd = pick_fd(t, 5, NULL, NULL), flags = gen_flags(t);
	unsigned int vlen = 1 + rnd_below(t, 4), i;
	struct mmsghdr mm[4];
	struct iovec iov[4];
	long ret;

	memset(mm, 0, sizeof(mm));
	for (i = 0; i < 4; i++) {
		size_t len = gen_len(t, flags & MSG_OOB);

		iov[i].iov_base = t->sbuf + i * (FUZZ_BUF / 4);
		iov[i].iov_len = len > FUZZ_BUF / 4 ? FUZZ_BUF / 4 : len;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	describe(t, "sendmmsg(%d, %u, %#x)", fd, vlen, flags);
	ret = sysret(sendmmsg(fd, mm, vlen, flags));
	if (ret > (long)vlen)
		anomaly(t, "sendmmsg returned %ld of %u", ret, vlen);
	for (i = 0; ret > 0 && i < (unsigned int)ret && i < vlen; i++)
		check_sent(t, "sendmmsg", mm[i].msg_len, iov[i].iov_len);
	return ret;
}

static void check_recv(struct fuzz_thread *t, const char *what, long ret,
		       size_t len, int flags)
{
	if (ret > 0 && (size_t)ret > len && !(flags & MSG_TRUNC))
		anomaly(t, "%s returned %ld for a %zu-byte buffer", what, ret,
			len);
	if (ret > 0)
		t->rx += ret;
}

static long op_recv(struct fuzz_thread *t)
{
	int fd = pick_fd(t, 5, NULL, NULL), flags = gen_flags(t);
	size_t len = gen_len(t, flags & MSG_OOB);
	void *p = gen_ptr(t, t->rbuf);
	long ret;

	describe(t, "recv(%d, %zu, %#x)", fd, len, flags);
	ret = sysret(recv(fd, p, len, flags));
	check_recv(t, "recv", ret, len, flags);
	check_rbuf(t, "recv", len, ret, p == t->rbuf);
	return ret;
}

static long op_read(struct fuzz_thread *t)
{
	int fd = pick_fd(t, 5, NULL, NULL);
	size_t len = gen_len(t, false);
	void *p = gen_ptr(t, t->rbuf);
	long ret;

	describe(t, "read(%d, %zu)", fd, len);
	ret = sysret(read(fd, p, len));
	check_recv(t, "read", ret, len, 0);
	check_rbuf(t, "read", len, ret, p == t->rbuf);
	return ret;
}

static long op_recvfrom(struct fuzz_thread *t)
{
	static const int lens[] = { 0, 1, 2, 31, 32, 33, 128, FUZZ_ABUF, -1 };
	int fd = pick_fd(t, 5, NULL, NULL), flags = gen_flags(t);
	size_t len = gen_len(t, flags & MSG_OOB);
	void *p = gen_ptr(t, t->rbuf);
	int in = PICK(t, lens);
	bool named = chance(t, 60);
	socklen_t alen = in;
	long ret;

	describe(t, "recvfrom(%d, %zu, %#x, %s %d)", fd, len, flags,
		 named ? "name" : "NULL", in);
	ret = sysret(recvfrom(fd, p, len, flags,
			      named ? (struct sockaddr *)t->abuf : NULL,
			      named ? &alen : NULL));
	check_recv(t, "recvfrom", ret, len, flags);
	/* a negative *addrlen fails after the data was copied (EINVAL) */
	check_rbuf(t, "recvfrom", len, ret, p == t->rbuf && (!named || in >= 0));
	if (named)
		check_abuf(t, "recvfrom address", in, alen, ret >= 0 && in >= 0,
			   false);
	return ret;
}

static long op_recvmsg(struct fuzz_thread *t)
{
	static const int nlens[] = { 0, 1, 16, 32, 64, 128 };
	static const size_t clens[] = { 0, 1, 16, 64, 512 };
	int fd = pick_fd(t, 5, NULL, NULL), flags = gen_flags(t);
	struct iovec iov[4];
	struct msghdr m = { 0 };
	int n, i, nin = PICK(t, nlens);
	size_t total = gen_iov(t, iov, &n, t->rbuf, 64), cin = PICK(t, clens);
	bool named = chance(t, 50), ctl = chance(t, 30);
	long ret;

	m.msg_iov = iov;
	m.msg_iovlen = n;
	if (named) {
		m.msg_name = t->abuf;
		m.msg_namelen = nin;
	}
	if (ctl) {
		memset(t->ctl, CANARY, sizeof(t->ctl));
		m.msg_control = t->ctl;
		m.msg_controllen = cin;
	}
	describe(t, "recvmsg(%d, %d iov %zu bytes, %#x%s%s)", fd, n, total, flags,
		 named ? ", name" : "", ctl ? ", control" : "");
	ret = sysret(recvmsg(fd, &m, flags));
	if (total == SIZE_MAX) {
		memset(t->rbuf, CANARY, FUZZ_BUF + FUZZ_GUARD);
	} else {
		size_t left = ret > 0 ? (size_t)ret : 0, end = 0;

		check_recv(t, "recvmsg", ret, total, flags);
		/* the copied bytes fill the iovecs in order */
		for (i = 0; i < n; i++) {
			unsigned char *b = iov[i].iov_base;
			size_t w = left < iov[i].iov_len ? left : iov[i].iov_len;

			if (!b)
				continue;
			check_canary(t, "recvmsg iovec", b, w,
				     iov[i].iov_len + 64);
			memset(b, CANARY, w);
			left -= w;
			end = b + iov[i].iov_len + 64 - t->rbuf;
		}
		check_canary(t, "recvmsg after the iovecs", t->rbuf, end,
			     end + FUZZ_GUARD);
	}
	if (ret >= 0) {
		if (named && m.msg_namelen > sizeof(struct sockaddr_storage))
			anomaly(t, "recvmsg msg_namelen %u", m.msg_namelen);
		if (ctl && m.msg_controllen > cin)
			anomaly(t, "recvmsg msg_controllen %zu > %zu",
				m.msg_controllen, cin);
		if (m.msg_flags & ~(MSG_EOR | MSG_TRUNC | MSG_CTRUNC | MSG_OOB |
				    MSG_ERRQUEUE | MSG_CMSG_CLOEXEC))
			anomaly(t, "recvmsg msg_flags %#x", m.msg_flags);
	}
	if (named)
		check_abuf(t, "recvmsg name", nin, m.msg_namelen, ret >= 0,
			   false);
	if (ctl && ret >= 0)
		check_canary(t, "recvmsg control", t->ctl, m.msg_controllen,
			     sizeof(t->ctl));
	return ret;
}

static long op_recvmmsg(struct fuzz_thread *t)
{
	int fd = pick_fd(t, 5, NULL, NULL), flags = gen_flags(t);
	unsigned int vlen = 1 + rnd_below(t, 4), i;
	bool tmo = chance(t, 50), one = chance(t, 30);
	struct timespec ts = { 0, 1000000 };
	struct mmsghdr mm[4];
	struct iovec iov[4];
	size_t stride = FUZZ_BUF / 4;
	long ret;

	memset(mm, 0, sizeof(mm));
	for (i = 0; i < 4; i++) {
		size_t len = gen_len(t, flags & MSG_OOB);

		iov[i].iov_base = t->rbuf + i * stride;
		iov[i].iov_len = len > stride - 64 ? stride - 64 : len;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	if (one)
		flags |= MSG_WAITFORONE;
	describe(t, "recvmmsg(%d, %u, %#x, %s)", fd, vlen, flags,
		 tmo ? "1 ms" : "NULL");
	ret = sysret(recvmmsg(fd, mm, vlen, flags, tmo ? &ts : NULL));
	if (ret > (long)vlen)
		anomaly(t, "recvmmsg returned %ld of %u", ret, vlen);
	for (i = 0; i < 4; i++) {
		size_t got = ret > 0 && i < (unsigned int)ret ? mm[i].msg_len : 0;

		check_recv(t, "recvmmsg", got, iov[i].iov_len, flags);
		if (got > iov[i].iov_len)
			got = iov[i].iov_len;
		check_canary(t, "recvmmsg", iov[i].iov_base, got,
			     iov[i].iov_len + 64);
		memset(iov[i].iov_base, CANARY, got);
	}
	return ret;
}

static long op_getsockopt(struct fuzz_thread *t)
{
	const struct fuzz_opt *o = pick_opt(t);
	int fd = pick_fd(t, 10, NULL, NULL), in = gen_optlen(t, o->size);
	unsigned int rp = rnd_below(t, 100);
	socklen_t len, *lenp = &len;
	void *val = t->optbuf;
	long ret;

	if (FUZZ_AVOID_REASON_WARN && o->level == SOL_TDI &&
	    o->name == TDI_DISCONNECT_REASON && in > 112)
		in = 112;
	if (FUZZ_AVOID_REASON_LEAK && o->level == SOL_TDI &&
	    o->name == TDI_DISCONNECT_REASON && in > (int)sizeof(int))
		in = sizeof(int);
	len = in;
	if (rp < 2)
		val = NULL;
	else if (rp < 4)
		val = ro_page;
	else if (rp < 5)
		val = KERNEL_PTR;
	else if (rp < 6)
		lenp = NULL;
	else if (rp < 7)
		lenp = (socklen_t *)ro_page;
	describe(t, "getsockopt(%d, %d, %s, len %d)", fd, o->level, o->label, in);
	ret = sysret(getsockopt(fd, o->level, o->name, val, lenp));
	if (val == t->optbuf && lenp == &len) {
		size_t span = in < 0 ? 0 : in;
		int out = len;

		/* SO_GET_FILTER counts optlen in filter blocks, not bytes,
		 * both ways: optlen 0 asks for the filter's length and
		 * writes nothing, optlen n >= the length writes the whole
		 * filter, 8 bytes a block (sk_get_filter())
		 */
		bool get_filter = o->level == SOL_SOCKET &&
				  o->name == SO_GET_FILTER;

		if (ret == 0 && get_filter) {
			size_t wrote = in == 0 ? 0 :
				       (size_t)out * sizeof(struct sock_filter);

			if (in > 0 && (out < 0 || out > in))
				anomaly(t, "getsockopt %s: %d blocks -> %d",
					o->label, in, out);
			else if (wrote <= sizeof(t->optbuf))
				check_canary(t, o->label, t->optbuf, wrote,
					     sizeof(t->optbuf));
		} else if (ret == 0 && in >= 0) {
			if (out < 0 || out > in)
				anomaly(t, "getsockopt %s: optlen %d -> %d",
					o->label, in, out);
			else if ((o->flags & OPT_MAX) && out > o->size)
				anomaly(t, "getsockopt %s: optlen %d -> %d, more than its %d bytes",
					o->label, in, out, o->size);
			else
				check_canary(t, o->label, t->optbuf, out,
					     span + FUZZ_GUARD);
			if (out >= 0 && out <= in)
				o->check(t, o, t->optbuf, out);
		} else if (ret < 0 && o->level == SOL_TDI) {
			check_canary(t, o->label, t->optbuf, 0,
				     span + FUZZ_GUARD);
		}
		memset(t->optbuf, CANARY, sizeof(t->optbuf));
	}
	return ret;
}

static long op_setsockopt(struct fuzz_thread *t)
{
	const struct fuzz_opt *o = pick_opt(t);
	int fd = pick_fd(t, 10, NULL, NULL), len = gen_optlen(t, o->size);
	unsigned int rp = rnd_below(t, 100);
	bool garbage = chance(t, 30);
	const void *val = t->setbuf;

	memset(t->setbuf, 0, 256);
	if (garbage)
		fill_random(t, t->setbuf, 256);
	o->fill(t, t->setbuf);
	if (rp < 3)
		val = NULL;
	else if (rp < 5)
		val = ro_page;
	else if (rp < 7)
		val = none_page;
	else if (rp < 8)
		val = KERNEL_PTR;
	describe(t, "setsockopt(%d, %d, %s, len %d)", fd, o->level, o->label, len);
	return sysret(setsockopt(fd, o->level, o->name, val, len));
}

/* ---- ioctls ---- */

enum ioc_kind {
	IOC_INT_OUT,	/* the kernel writes an int >= 0 */
	IOC_INT_IN,	/* we pass an int */
	IOC_OWNER,	/* an owner: 0, us, our group */
	IOC_LISTEN,	/* struct tdi_listen */
	IOC_DISCONNECT,	/* struct tdi_disconnect */
	IOC_BUF,	/* a buffer of random bytes */
	IOC_RANDOM,	/* a random command */
};

struct fuzz_ioctl {
	unsigned long cmd;
	const char *label;
	enum ioc_kind kind;
};

#define IOC(cmd, kind)	{ cmd, #cmd, kind }

static const struct fuzz_ioctl ioctls[] = {
	IOC(SIOCINQ, IOC_INT_OUT),
	IOC(SIOCINQ, IOC_INT_OUT),
	IOC(SIOCOUTQ, IOC_INT_OUT),
	IOC(SIOCOUTQ, IOC_INT_OUT),
	IOC(SIOCTDILISTEN, IOC_LISTEN),
	IOC(SIOCTDILISTEN, IOC_LISTEN),
	IOC(SIOCTDIDISCONNECT, IOC_DISCONNECT),
	IOC(SIOCTDIDISCONNECT, IOC_DISCONNECT),
	IOC(FIONBIO, IOC_INT_IN),
	IOC(FIONBIO, IOC_INT_IN),
	IOC(FIOASYNC, IOC_INT_IN),
	IOC(SIOCATMARK, IOC_INT_OUT),
	IOC(FIOGETOWN, IOC_INT_OUT),
	IOC(SIOCGPGRP, IOC_INT_OUT),
	IOC(FIOSETOWN, IOC_OWNER),
	IOC(SIOCSPGRP, IOC_OWNER),
	IOC(SIOCGSTAMP_OLD, IOC_BUF),
	IOC(SIOCGSTAMPNS_OLD, IOC_BUF),
	IOC(SIOCPROTOPRIVATE + 2, IOC_BUF),
	IOC(SIOCPROTOPRIVATE + 15, IOC_BUF),
	IOC(0, IOC_RANDOM),
	IOC(0, IOC_RANDOM),
	IOC(0, IOC_RANDOM),
};

/*
 * A random command, but none of the socket layer's own 0x89xx commands
 * outside the protocol-private range: those change devices and routes,
 * and those naming a device that does not exist run modprobe (seconds in
 * a test guest).
 */
static unsigned long gen_cmd(struct fuzz_thread *t)
{
	unsigned int r = rnd_below(t, 100);
	unsigned long cmd = rnd(t) & 0xffffffff;
	unsigned int p = rnd_below(t, 16);

	if (r < 40)
		return SIOCPROTOPRIVATE + p;
	if (_IOC_TYPE(cmd) == 0x89 || _IOC_TYPE(cmd) == 'X' ||
	    _IOC_TYPE(cmd) == 0x94)
		cmd ^= 0x4400;
	return cmd;
}

/* SIOCTDILISTEN and SIOCTDIDISCONNECT wait without a limit for some
 * time-outs; we pass those only on a non-blocking endpoint.
 */
static long op_ioctl(struct fuzz_thread *t)
{
	const struct fuzz_ioctl *io = &PICK(t, ioctls);
	int fd = pick_fd(t, 10, NULL, NULL), v = (int)rnd(t);
	unsigned long cmd = io->kind == IOC_RANDOM ? gen_cmd(t) : io->cmd;
	unsigned int rp = rnd_below(t, 100), r = rnd_below(t, 100);
	static const int bounded[] = { 1, 2, 5, 10, 20 };
	static const int anytmo[] = { 0, -1, 1, 5, 20, INT_MAX, INT_MIN };
	int btmo = PICK(t, bounded), atmo = PICK(t, anytmo);
	void *arg = t->iobuf;
	long ret;

	memset(t->iobuf, CANARY, 64);
	switch (io->kind) {
	case IOC_INT_OUT:
		break;
	case IOC_INT_IN:
		put_int(t->iobuf, r < 45 ? 0 : r < 90 ? 1 : v);
		break;
	case IOC_OWNER:
		put_int(t->iobuf, r < 40 ? 0 : r < 80 ? getpid() : -getpgrp());
		break;
	case IOC_LISTEN: {
		struct tdi_listen *l = (struct tdi_listen *)t->iobuf;
		int fl = fcntl(fd, F_GETFL);

		fill_tdi_filter(t, (unsigned char *)&l->filter);
		l->flags = r < 50 ? 0 : r < 85 ? TDI_QUERY_ACCEPT : v;
		l->timeout_ms = fl >= 0 && (fl & O_NONBLOCK) ? atmo : btmo;
		break;
	}
	case IOC_DISCONNECT: {
		struct tdi_disconnect *d = (struct tdi_disconnect *)t->iobuf;
		int fl = fcntl(fd, F_GETFL);

		d->flags = r < 40 ? TDI_DISCONNECT_RELEASE :
			   r < 80 ? TDI_DISCONNECT_ABORT :
			   r < 85 ? TDI_DISCONNECT_RELEASE | TDI_DISCONNECT_ABORT :
			   r < 90 ? 0 : v;
		/* a release waits for the peer's: without a short limit
		 * only where it does not wait (O_NONBLOCK, EINPROGRESS)
		 */
		d->timeout_ms = fl >= 0 && (fl & O_NONBLOCK) ? atmo : btmo * 2;
		break;
	}
	case IOC_BUF:
	case IOC_RANDOM:
		fill_random(t, t->iobuf, 256);
		break;
	}
	if (rp < 2)
		arg = NULL;
	else if (rp < 4)
		arg = ro_page;
	else if (rp < 6)
		arg = none_page;
	else if (rp < 7)
		arg = KERNEL_PTR;
	else if (rp < 8)
		arg = (void *)1UL;
	describe(t, "ioctl(%d, %s %#lx)", fd, io->label, cmd);
	ret = sysret(ioctl(fd, cmd, arg));
	if (ret == 0 && io->kind == IOC_INT_OUT && arg == t->iobuf &&
	    (cmd == SIOCINQ || cmd == SIOCOUTQ || cmd == SIOCATMARK)) {
		int n = val_int(t->iobuf);

		if (n < 0 || (cmd == SIOCATMARK && n > 1))
			anomaly(t, "ioctl %s: %d", io->label, n);
		check_canary(t, io->label, t->iobuf, sizeof(int), 64);
	}
	return ret;
}

static long op_fcntl(struct fuzz_thread *t)
{
	int fd = pick_fd(t, 10, NULL, NULL);
	unsigned int r = rnd_below(t, 100);
	bool on = chance(t, 50);
	int fl;

	if (r < 60) {
		fl = fcntl(fd, F_GETFL);
		if (fl < 0)
			return -errno;
		describe(t, "fcntl(%d, F_SETFL, %s O_NONBLOCK)", fd, on ? "+" : "-");
		return sysret(fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK :
				    fl & ~O_NONBLOCK));
	}
	if (r < 70) {
		describe(t, "fcntl(%d, F_SETFL, O_ASYNC)", fd);
		return sysret(fcntl(fd, F_SETFL, on ? O_ASYNC | O_NONBLOCK :
				    O_ASYNC));
	}
	if (r < 85) {
		describe(t, "fcntl(%d, F_SETOWN)", fd);
		return sysret(fcntl(fd, F_SETOWN, on ? getpid() : 0));
	}
	describe(t, "fcntl(%d, F_GETOWN)", fd);
	/* a process group owner comes back negative */
	return fcntl(fd, F_GETOWN) == -1 ? -errno : 0;
}

static long op_shutdown(struct fuzz_thread *t)
{
	static const int hows[] = { SHUT_RD, SHUT_WR, SHUT_WR, SHUT_RDWR, -1,
				    3, 100 };
	int fd = pick_fd(t, 3, NULL, NULL), how = PICK(t, hows);

	describe(t, "shutdown(%d, %d)", fd, how);
	return sysret(shutdown(fd, how));
}

static long op_close(struct fuzz_thread *t)
{
	int idx = pick_slot(t, 4), bad = PICK(t, bad_fds);
	bool usebad = chance(t, 3);
	__u64 v;

	if (usebad) {
		describe(t, "close(%d)", bad);
		return sysret(close(bad));
	}
	v = slot_take(idx);
	describe(t, "close(%d) slot %d", slot_fd(v), idx);
	if (!v)
		return -EBADF;
	return sysret(close(slot_fd(v)));
}

static long op_poll(struct fuzz_thread *t)
{
	static const short evs[] = { POLLIN, POLLPRI, POLLOUT, POLLRDHUP,
				     POLLERR, POLLHUP, POLLNVAL, POLLRDNORM,
				     POLLRDBAND, POLLWRNORM, POLLWRBAND,
				     POLLMSG };
	static const int tmos[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				    0, 0, 0, 1, 2, 5, 10 };
	struct pollfd pfd[4];
	unsigned int n = 1 + rnd_below(t, 4), i, j;
	int tmo = PICK(t, tmos), cnt = 0;
	long ret;

	for (i = 0; i < 4; i++) {
		unsigned int r = rnd_below(t, 100);
		short e = 0;

		pfd[i].fd = pick_fd(t, 15, NULL, NULL);
		for (j = 0; j < ARRAY_SIZE(evs); j++)
			if (chance(t, 25))
				e |= evs[j];
		if (r < 10)
			e = (short)rnd(t);
		else if (r < 40)
			e = POLLIN | POLLOUT | POLLPRI | POLLRDHUP;
		pfd[i].events = e;
		pfd[i].revents = (short)0xAAAA;
	}
	describe(t, "poll(%u fds, %d ms)", n, tmo);
	ret = sysret(poll(pfd, n, tmo));
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		unsigned short ok = (unsigned short)pfd[i].events |
				    POLLERR | POLLHUP | POLLNVAL;

		if (pfd[i].revents)
			cnt++;
		if ((unsigned short)pfd[i].revents & ~ok)
			anomaly(t, "poll fd %d events %#x revents %#x", pfd[i].fd,
				(unsigned short)pfd[i].events,
				(unsigned short)pfd[i].revents);
	}
	if (cnt != ret)
		anomaly(t, "poll returned %ld, %d fds have events", ret, cnt);
	return ret;
}

static long getname(struct fuzz_thread *t, bool peer)
{
	static const int lens[] = { 0, 1, 2, 16, 31, 32, 32, 32, 33, 128,
				    FUZZ_ABUF, -1 };
	int fd = pick_fd(t, 10, NULL, NULL), in = PICK(t, lens);
	unsigned int rp = rnd_below(t, 100);
	socklen_t len = in, *lenp = &len;
	void *addr = t->abuf;
	long ret;

	if (rp < 2)
		addr = NULL;
	else if (rp < 4)
		addr = (struct sockaddr *)none_page;
	else if (rp < 5)
		lenp = NULL;
	else if (rp < 6)
		lenp = (socklen_t *)ro_page;
	describe(t, "%s(%d, len %d)", peer ? "getpeername" : "getsockname", fd, in);
	ret = sysret(peer ? getpeername(fd, addr, lenp) :
		     getsockname(fd, addr, lenp));
	if (addr == t->abuf && lenp == &len)
		check_abuf(t, peer ? "getpeername" : "getsockname", in, len,
			   ret == 0 && in >= 0, true);
	else
		memset(t->abuf, CANARY, sizeof(t->abuf));
	return ret;
}

static long op_getsockname(struct fuzz_thread *t)
{
	return getname(t, false);
}

static long op_getpeername(struct fuzz_thread *t)
{
	return getname(t, true);
}

static long op_dup(struct fuzz_thread *t)
{
	int ns, type, fd = pick_fd(t, 10, &ns, &type), dst = pick_slot(t, 0);
	unsigned int r = rnd_below(t, 100);
	int nfd;
	__u64 v;

	if (r < 50) {
		describe(t, "dup(%d)", fd);
		nfd = dup(fd);
	} else if (r < 70) {
		describe(t, "fcntl(%d, F_DUPFD_CLOEXEC, 100)", fd);
		nfd = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	} else {
		/* onto the descriptor of a slot we own for the moment */
		v = slot_take(dst);
		if (!v) {
			describe(t, "dup2(%d, -)", fd);
			return -EBADF;
		}
		describe(t, "dup2(%d, %d)", fd, slot_fd(v));
		nfd = dup2(fd, slot_fd(v));
		if (nfd < 0) {
			nfd = -errno;
			slot_put(dst, slot_fd(v), slot_ns(v), slot_type(v));
			return nfd;
		}
	}
	if (nfd < 0)
		return -errno;
	slot_put(dst, nfd, ns, type);
	return nfd;
}

static long op_socketpair(struct fuzz_thread *t)
{
	int type = PICK(t, good_types), ns = rnd_below(t, 2), sv[2];
	int a = pick_slot(t, 0), b = pick_slot(t, 0);

	if (enter_ns(t, ns))
		return -errno;
	describe(t, "socketpair(AF_TDI, %d)", type);
	if (socketpair(AF_TDI, type, 0, sv))
		return -errno;
	slot_put(a, sv[0], ns, type);
	slot_put(b, sv[1], ns, type);
	return 0;
}

/* One of the fixed listeners: slot i, namespace i / 4, port 5000 + i % 4. */
static int make_listener(struct fuzz_thread *t, int i, int backlog,
			 const struct fuzz_tmo *tm)
{
	int ns = i / 4, type = i % 2 ? SOCK_SEQPACKET : SOCK_STREAM, fd, err;
	struct sockaddr_tdi sa = {
		.stdi_family = AF_TDI,
		.stdi_port = htons(LISTEN_PORT + i % 4),
	};

	fd = new_socket(t, ns, type, 0, tm);
	if (fd < 0)
		return fd;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, backlog)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!__atomic_compare_exchange_n(&pool[i], &(__u64){ 0 },
					 slot_pack(fd, ns, type), false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		close(fd);
	return 0;
}

static long op_relisten(struct fuzz_thread *t)
{
	int i = rnd_below(t, FUZZ_LISTENERS), backlog = 1 + rnd_below(t, 128);
	struct fuzz_tmo tm;

	gen_tmo(t, &tm);
	if (__atomic_load_n(&pool[i], __ATOMIC_ACQUIRE))
		return 0;
	describe(t, "relisten(slot %d, backlog %d)", i, backlog);
	return make_listener(t, i, backlog, &tm);
}

static void run_one(struct fuzz_thread *t);

/* A child that shares the pool's descriptors: calls, closes, exits. */
static long op_fork(struct fuzz_thread *t)
{
	int n = 1 + rnd_below(t, 24), status, i;
	__u64 seed = rnd(t);
	pid_t pid;

	if (t->in_child)
		return 0;
	describe(t, "fork(%d calls)", n);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		t->in_child = true;
		t->rng = seed | 1;
		alarm(FUZZ_HANG_MS / 1000);
		for (i = 0; i < n; i++)
			run_one(t);
		for (i = 0; i < FUZZ_SLOTS; i++) {
			__u64 v = pool[i];

			if (v && chance(t, 50))
				close(slot_fd(v));
		}
		_exit(t->child_bad ? 3 : 0);
	}
	t->children++;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			anomaly(t, "waitpid: %s", strerror(errno));
			return -errno;
		}
	}
	if (WIFSIGNALED(status))
		anomaly(t, "child %d killed by signal %d (%s)", pid,
			WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status))
		anomaly(t, "child %d exited with status %d", pid,
			WEXITSTATUS(status));
	return 0;
}

/*
 * net.tdi.* of a third namespace, "c", which holds no socket: each file is
 * opened once, in c, and shared by the threads.  They read it at offset 0
 * and beyond, and write values inside its range, at its ends, beyond it,
 * across the other RTO bound, garbage, and values at an offset.  One lock
 * covers a write and the reads that judge it: a number in range is taken
 * and reads back; one out of range fails with EINVAL and changes nothing;
 * garbage fails with EINVAL or is taken, and whatever happened, the value
 * read after lies in range and rto_min_ms <= rto_max_ms.  A write at an
 * offset is ignored (kernel.sysctl_writes_strict = 1, the default).
 * A read from offset 0, lock or not, always gives values in range.  (A
 * fork()ed child only reads.)
 */
struct fuzz_sysctl {
	const char *name;
	long lo, hi;
	int nvals;	/* 2: "low high", low <= high */
	int fd;
};

static struct fuzz_sysctl fsys[] = {
	{ "connect_timeout_ms", 100, 600000, 1, -1 },
	{ "rto_initial_ms", 1, 60000, 1, -1 },
	{ "rto_min_ms", 1, 60000, 1, -1 },
	{ "rto_max_ms", 1, 60000, 1, -1 },
	{ "retries", 1, 100, 1, -1 },
	{ "delack_ms", 1, 500, 1, -1 },
	{ "disconnect_timeout_ms", 100, 600000, 1, -1 },
	{ "max_orphans", 0, 1048576, 1, -1 },
	{ "keepalive_time_ms", 100, 86400000, 1, -1 },
	{ "keepalive_intvl_ms", 100, 3600000, 1, -1 },
	{ "keepalive_probes", 1, 100, 1, -1 },
	{ "max_offers", 0, 65536, 1, -1 },
	{ "offer_timeout_ms", 100, 600000, 1, -1 },
	{ "ephemeral_port_range", 1024, 65535, 2, -1 },
};

#define FSYS_RTO_MIN	2
#define FSYS_RTO_MAX	3

static pthread_mutex_t sysctl_lock = PTHREAD_MUTEX_INITIALIZER;
static int ns_c = -1;
static bool sysctl_strict;

/* Namespace c and its sysctl files; the caller stays where it was. */
static int open_sysctls(void)
{
	char path[128], buf[16];
	unsigned int i;
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (home < 0 || unshare(CLONE_NEWNET))
		return -1;
	ns_c = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	for (i = 0; i < ARRAY_SIZE(fsys); i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/tdi/%s", fsys[i].name);
		fsys[i].fd = open(path, O_RDWR | O_CLOEXEC);
		if (fsys[i].fd < 0)
			return -1;
	}
	sysctl_strict = !file_get("/proc/sys/kernel/sysctl_writes_strict", buf,
				  sizeof(buf)) && atoi(buf) == 1;
	if (setns(home, CLONE_NEWNET))
		return -1;
	close(home);
	return ns_c < 0 ? -1 : 0;
}

static void close_sysctls(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fsys); i++)
		if (fsys[i].fd >= 0)
			close(fsys[i].fd);
	if (ns_c >= 0)
		close(ns_c);
}

/* Parse @n bytes of @buf as @s's value(s) into @v: 0, or -1 if malformed. */
static int sysctl_parse(const struct fuzz_sysctl *s, char *buf, ssize_t n,
			long *v)
{
	char *p = buf, *end;
	int i;

	if (n <= 0 || buf[n - 1] != '\n')
		return -1;
	buf[n] = 0;
	for (i = 0; i < s->nvals; i++) {
		errno = 0;
		v[i] = strtol(p, &end, 10);
		if (end == p || errno || *end != (i + 1 < s->nvals ? '\t' : '\n'))
			return -1;
		if (v[i] < s->lo || v[i] > s->hi)
			return -1;
		p = end + 1;
	}
	return s->nvals == 2 && v[0] > v[1] ? -1 : 0;
}

static int sysctl_get(const struct fuzz_sysctl *s, long *v)
{
	char buf[64];

	return sysctl_parse(s, buf, pread(s->fd, buf, sizeof(buf) - 1, 0), v);
}

static long rnd_in(struct fuzz_thread *t, long lo, long hi)
{
	return lo + (long)(rnd(t) % (__u64)(hi - lo + 1));
}

/* Under sysctl_lock: the RTO bounds may not cross. */
static void sysctl_check_rto(struct fuzz_thread *t, const char *after)
{
	long lo, hi;

	if (sysctl_get(&fsys[FSYS_RTO_MIN], &lo) ||
	    sysctl_get(&fsys[FSYS_RTO_MAX], &hi))
		anomaly(t, "sysctl: the RTO bounds do not read back after %s", after);
	else if (lo > hi)
		anomaly(t, "sysctl: rto_min_ms %ld > rto_max_ms %ld after %s", lo,
			hi, after);
}

static long op_sysctl(struct fuzz_thread *t)
{
	static const char charset[] = "0123456789 \t\n-+xX";
	struct fuzz_sysctl *s = &fsys[rnd_below(t, ARRAY_SIZE(fsys))];
	unsigned int r = rnd_below(t, 100), i;
	long before[2], after[2], v[2], lo = s->lo, hi = s->hi;
	enum { TAKEN, REFUSED, EITHER, IGNORED } want;
	char buf[64];
	off_t off = 0;
	ssize_t n;
	int len, err;
	bool same;

	/* a child only reads: sysctl_lock may have been held at fork() */
	if (r < 30 || t->in_child) {
		if (chance(t, 20))
			off = 1 + rnd_below(t, 16);
		describe(t, "pread(%s, %lld)", s->name, (long long)off);
		n = pread(s->fd, buf, sizeof(buf) - 1, off);
		if (n < 0)
			return -errno;
		if (!off && sysctl_parse(s, buf, n, v))
			anomaly(t, "sysctl: %s reads '%.*s'", s->name, (int)n, buf);
		return n;
	}
	pthread_mutex_lock(&sysctl_lock);
	if (sysctl_get(s, before)) {
		anomaly(t, "sysctl: %s does not read back", s->name);
		pthread_mutex_unlock(&sysctl_lock);
		return -EIO;
	}
	/* the other RTO bound limits this one */
	if (s == &fsys[FSYS_RTO_MIN] && !sysctl_get(&fsys[FSYS_RTO_MAX], v))
		hi = v[0];
	if (s == &fsys[FSYS_RTO_MAX] && !sysctl_get(&fsys[FSYS_RTO_MIN], v))
		lo = v[0];
	if (r < 55) {
		want = TAKEN;
		v[0] = chance(t, 20) ? (chance(t, 50) ? lo : hi) : rnd_in(t, lo, hi);
		v[1] = rnd_in(t, v[0], hi);
	} else if (r < 70) {
		want = REFUSED;
		v[0] = chance(t, 50) ? lo - 1 - rnd_below(t, 1000) :
				       hi + 1 + rnd_below(t, 1000);
		v[1] = rnd_in(t, lo, hi);
		if (s->nvals == 2 && chance(t, 50)) {
			v[0] = rnd_in(t, lo + 1, hi);	/* inverted */
			v[1] = v[0] - 1;
		}
	} else if (r < 90) {
		want = EITHER;
	} else {
		want = sysctl_strict ? IGNORED : EITHER;
		v[0] = rnd_in(t, lo, hi);
		v[1] = rnd_in(t, v[0], hi);
		off = 1 + rnd_below(t, 8);
	}
	if (want == EITHER && r < 90) {
		len = rnd_below(t, 24);
		for (i = 0; i < (unsigned int)len; i++)
			buf[i] = PICK(t, charset);
		buf[len] = 0;
	} else if (s->nvals == 2) {
		len = snprintf(buf, sizeof(buf), "%ld %ld%s", v[0], v[1],
			       chance(t, 50) ? "\n" : "");
	} else {
		len = snprintf(buf, sizeof(buf), "%ld%s", v[0],
			       chance(t, 50) ? "\n" : "");
	}
	describe(t, "pwrite(%s, '%s', %lld)", s->name, buf, (long long)off);
	n = pwrite(s->fd, buf, len, off);
	err = n < 0 ? errno : 0;
	same = !sysctl_get(s, after) && after[0] == before[0] &&
	       (s->nvals == 1 || after[1] == before[1]);
	if (sysctl_get(s, after))
		anomaly(t, "sysctl: %s does not read back after '%s'", s->name, buf);
	else if (want == TAKEN && n != len)
		anomaly(t, "sysctl: %s = '%s' refused: %s", s->name, buf,
			strerror(err));
	else if (want == TAKEN && (after[0] != v[0] ||
				   (s->nvals == 2 && after[1] != v[1])))
		anomaly(t, "sysctl: %s = '%s' reads back %ld", s->name, buf,
			after[0]);
	else if (want == REFUSED && n >= 0)
		anomaly(t, "sysctl: %s = '%s' (out of range) taken", s->name, buf);
	else if (want != TAKEN && n < 0 && err != EINVAL)
		anomaly(t, "sysctl: %s = '%s': %s, not EINVAL", s->name, buf,
			strerror(err));
	else if ((n < 0 || want == IGNORED) && !same)
		anomaly(t, "sysctl: %s changed by '%s' (offset %lld, %s)", s->name,
			buf, (long long)off, n < 0 ? strerror(err) : "taken");
	if (s == &fsys[FSYS_RTO_MIN] || s == &fsys[FSYS_RTO_MAX])
		sysctl_check_rto(t, buf);
	pthread_mutex_unlock(&sysctl_lock);
	return n < 0 ? -err : n;
}

struct fuzz_op {
	const char *name;
	int weight;
	long (*fn)(struct fuzz_thread *t);
};

#define OP(name, w)	{ #name, w, op_##name }

static const struct fuzz_op fuzz_ops[] = {
	OP(socket, 550),
	OP(bind, 450),
	OP(connect, 700),
	OP(listen, 250),
	OP(accept, 550),
	OP(send, 550),
	OP(sendto, 200),
	OP(sendmsg, 350),
	OP(sendmmsg, 80),
	OP(write, 100),
	OP(recv, 550),
	OP(recvfrom, 200),
	OP(recvmsg, 350),
	OP(recvmmsg, 80),
	OP(read, 100),
	OP(getsockopt, 700),
	OP(setsockopt, 600),
	OP(ioctl, 450),
	OP(fcntl, 120),
	OP(shutdown, 200),
	OP(close, 450),
	OP(poll, 250),
	OP(getsockname, 150),
	OP(getpeername, 150),
	OP(dup, 120),
	OP(socketpair, 20),
	OP(relisten, 120),
	OP(fork, 3),
	OP(sysctl, 60),
};

#define FUZZ_NOPS	ARRAY_SIZE(fuzz_ops)

static int op_weight[FUZZ_MAX_OPS];
static int total_weight;

static int pick_op(struct fuzz_thread *t)
{
	int r = rnd_below(t, total_weight), i;

	for (i = 0; i < (int)FUZZ_NOPS - 1; i++) {
		if (r < op_weight[i])
			return i;
		r -= op_weight[i];
	}
	return FUZZ_NOPS - 1;
}

static void run_one(struct fuzz_thread *t)
{
	int op = pick_op(t);
	__u64 t0 = now_ms(), dt;
	long ret;

	t->desc[0] = 0;
	t->cur_op = op;
	t->slow_reported = false;
	__atomic_store_n(&t->call_start, t0, __ATOMIC_RELEASE);
	ret = fuzz_ops[op].fn(t);
	__atomic_store_n(&t->call_start, 0, __ATOMIC_RELEASE);
	dt = now_ms() - t0;
	t->count[op]++;
	if (ret >= 0)
		t->ok[op]++;
	else
		t->err[op][-ret < FUZZ_NERRNO ? -ret : 0]++;
	/* ERESTARTSYS and friends are the kernel's own */
	if (ret < 0 && -ret > EHWPOISON)
		anomaly(t, "errno %ld reached user space", -ret);
	if (dt > t->maxms[op])
		t->maxms[op] = dt;
	if (opt_verbose && !t->in_child)
		say("t%d %llu %s -> %ld%s%s (%llu ms)", t->id, t->done,
		    t->desc[0] ? t->desc : fuzz_ops[op].name, ret < 0 ? -1 : ret,
		    ret < 0 ? " " : "", ret < 0 ? strerrorname_np(-ret) ?: "?" : "",
		    (unsigned long long)dt);
	t->done++;
}

static void *fuzz_thread_fn(void *arg)
{
	struct fuzz_thread *t = arg;

	while (t->done < t->ncalls)
		run_one(t);
	return NULL;
}

static void on_sigusr1(int sig)
{
}

/*
 * Every 200 ms: a call running for FUZZ_SLOW_MS is interrupted with
 * SIGUSR1 (again each second); one running for FUZZ_HANG_MS ends the test.
 */
static int watchdog_stop;

static void *watchdog_fn(void *arg)
{
	int i;

	while (!__atomic_load_n(&watchdog_stop, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < opt_threads; i++) {
			struct fuzz_thread *t = &threads[i];
			__u64 s = __atomic_load_n(&t->call_start, __ATOMIC_ACQUIRE);
			__u64 now = now_ms();	/* after s: never before it */

			if (!s || now < s || now - s < FUZZ_SLOW_MS)
				continue;
			if (now - s >= FUZZ_HANG_MS) {
				say("HANG: thread %d call %llu (%s) blocked for %llu ms",
				    t->id, t->done, fuzz_ops[t->cur_op].name,
				    (unsigned long long)(now - s));
				say("seed %llu; not ok", opt_seed);
				_exit(1);
			}
			if (!t->slow_reported) {
				t->slow_reported = true;
				t->slow++;
				say("slow call: thread %d call %llu (%s) for %llu ms, interrupting",
				    t->id, t->done, fuzz_ops[t->cur_op].name,
				    (unsigned long long)(now - s));
			}
			if ((now - s) % 1000 < 200)
				pthread_kill(t->tid, SIGUSR1);
		}
		usleep(200000);
	}
	return NULL;
}

/* ---- set-up ---- */

/* Bring @dev up in the current namespace; return its ifindex. */
static int link_up(const char *dev)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret = -1;

	if (fd < 0)
		return -1;
	strcpy(ifr.ifr_name, dev);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		goto out;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		goto out;
	ret = if_nametoindex(dev);
out:
	close(fd);
	return ret;
}

/*
 * Namespaces "a" and "b" joined by va-vb, with one ip process.  Once we
 * hold them open, their names are removed: nothing to clean up after us.
 */
static int make_namespaces(struct __test_metadata *_metadata)
{
	static const char * const dev[2] = { "va", "vb" };
	char name[2][32], path[64];
	FILE *ip;
	int i;

	for (i = 0; i < 2; i++)
		snprintf(name[i], sizeof(name[i]), "tdifz%c%d", 'a' + i, getpid());
	ip = popen("ip -batch -", "w");
	if (!ip)
		return -1;
	fprintf(ip, "netns add %s\nnetns add %s\n", name[0], name[1]);
	fprintf(ip, "link add va netns %s address %s type veth", name[0],
		"02:00:00:00:00:0a");
	fprintf(ip, " peer name vb netns %s address %s\n", name[1],
		"02:00:00:00:00:0b");
	if (pclose(ip)) {
		TH_LOG("ip -batch failed");
		return -1;
	}
	ns_orig = open("/proc/self/ns/net", O_RDONLY);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/run/netns/%s", name[i]);
		ns_fd[i] = open(path, O_RDONLY);
		if (ns_fd[i] < 0 || setns(ns_fd[i], CLONE_NEWNET)) {
			TH_LOG("namespace %s: %s", name[i], strerror(errno));
			return -1;
		}
		umount2(path, MNT_DETACH);
		unlink(path);
		ifindex_of[i] = link_up(dev[i]);
		if (ifindex_of[i] <= 0) {
			TH_LOG("%s up: %s", dev[i], strerror(errno));
			return -1;
		}
		/* short waits: orphans and unanswered connects go quickly */
		sysctl_set("connect_timeout_ms", "1000");
		sysctl_set("rto_initial_ms", "20");
		sysctl_set("disconnect_timeout_ms", "200");
		/* undecided offers end soon: their connectors wait meanwhile */
		sysctl_set("offer_timeout_ms", "300");
	}
	return setns(ns_orig, CLONE_NEWNET);
}

static void print_tdi_stat(int ns)
{
	char line[4096];
	FILE *f;

	if (setns(ns_fd[ns], CLONE_NEWNET))
		return;
	f = fopen("/proc/thread-self/net/tdi_stat", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		say("tdi_stat %c: %s", 'a' + ns, line);
	}
	fclose(f);
}

static void print_stats(double secs)
{
	unsigned long long total = 0, errs[FUZZ_NERRNO] = { 0 };
	unsigned long long tx = 0, rx = 0, children = 0, slow = 0;
	unsigned int op, e;
	int i;

	for (i = 0; i < opt_threads; i++) {
		total += threads[i].done;
		tx += threads[i].tx;
		rx += threads[i].rx;
		children += threads[i].children;
		slow += threads[i].slow;
	}
	say("calls: %llu", total);
	say("duration: %.1f s (%.0f calls/s)", secs, secs > 0 ? total / secs : 0);
	say("bytes sent: %llu, received: %llu; children: %llu; interrupted slow calls: %llu",
	    tx, rx, children, slow);
	for (op = 0; op < FUZZ_NOPS; op++) {
		unsigned long long n = 0, ok = 0, maxms = 0;
		char hist[768];
		int len = 0;

		for (i = 0; i < opt_threads; i++) {
			n += threads[i].count[op];
			ok += threads[i].ok[op];
			if (threads[i].maxms[op] > maxms)
				maxms = threads[i].maxms[op];
		}
		hist[0] = 0;
		for (e = 0; e < FUZZ_NERRNO; e++) {
			unsigned long long c = 0;

			for (i = 0; i < opt_threads; i++)
				c += threads[i].err[op][e];
			errs[e] += c;
			if (c && len < (int)sizeof(hist) - 40)
				len += snprintf(hist + len, sizeof(hist) - len,
						" %s %llu", e ? strerrorname_np(e) ?: "?" :
						"other", c);
		}
		say("%-12s %7llu calls, %7llu ok, max %4llu ms;%s",
		    fuzz_ops[op].name, n, ok, maxms, hist);
	}
	for (e = 0; e < FUZZ_NERRNO; e++)
		if (errs[e])
			say("errno %-16s %llu", e ? strerrorname_np(e) ?: "?" :
			    "other", errs[e]);
}

static bool parse_ops(void)
{
	unsigned int i;
	char *list, *tok, *save;

	total_weight = 0;
	for (i = 0; i < FUZZ_NOPS; i++)
		op_weight[i] = opt_only ? 0 : fuzz_ops[i].weight;
	if (opt_only) {
		list = strdup(opt_only);
		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			for (i = 0; i < FUZZ_NOPS; i++)
				if (!strcmp(tok, fuzz_ops[i].name))
					op_weight[i] = fuzz_ops[i].weight;
		}
		free(list);
	}
	for (i = 0; i < FUZZ_NOPS; i++)
		total_weight += op_weight[i];
	return total_weight > 0;
}

static unsigned char *map_buf(void)
{
	size_t pg = sysconf(_SC_PAGESIZE);
	size_t len = (FUZZ_BUF + FUZZ_GUARD + pg - 1) / pg * pg;
	unsigned char *p = mmap(NULL, len + pg, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* the buffer ends right before an unmapped page */
	p += len - (FUZZ_BUF + FUZZ_GUARD);
	mprotect(p + FUZZ_BUF + FUZZ_GUARD, pg, PROT_NONE);
	return p;
}

FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, sys, 3600)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	size_t pg = sysconf(_SC_PAGESIZE);
	struct fuzz_thread boot = { .cur_ns = -1 };
	pthread_t wd;
	__u64 seed = opt_seed, t0, left_ms;
	unsigned long long per;
	struct fuzz_tmo tm = { 10000, 10000 };
	int i, left[2];
	double secs;

	say("seed %llu", opt_seed);
	say("calls %llu, threads %d", opt_calls, opt_threads);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGIO, SIG_IGN);
	signal(SIGURG, SIG_IGN);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_TRUE(parse_ops());

	ro_page = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none_page = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro_page);
	ASSERT_NE(MAP_FAILED, none_page);
	/* what a read-only argument reads: {0 s, 5000 us} time-outs */
	for (i = 0; i + 16 <= (int)pg; i += 16) {
		long long tv[2] = { 0, 5000 };

		memcpy(ro_page + i, tv, sizeof(tv));
	}
	ASSERT_EQ(0, mprotect(ro_page, pg, PROT_READ));

	ASSERT_EQ(0, make_namespaces(_metadata));
	ASSERT_EQ(0, open_sysctls()) TH_LOG("namespace c's sysctls: %s", strerror(errno));
	for (i = 0; i < FUZZ_LISTENERS; i++)
		ASSERT_EQ(0, make_listener(&boot, i, 64, &tm));

	threads = calloc(opt_threads, sizeof(*threads));
	ASSERT_NE(NULL, threads);
	per = opt_calls / opt_threads;
	for (i = 0; i < opt_threads; i++) {
		struct fuzz_thread *t = &threads[i];

		t->id = i;
		t->rng = splitmix(&seed) | 1;
		t->ncalls = per + (i == 0 ? opt_calls % opt_threads : 0);
		t->cur_ns = -1;
		t->rbuf = map_buf();
		t->sbuf = map_buf();
		ASSERT_NE(NULL, t->rbuf);
		ASSERT_NE(NULL, t->sbuf);
		memset(t->rbuf, CANARY, FUZZ_BUF + FUZZ_GUARD);
		fill_random(t, t->sbuf, FUZZ_BUF + FUZZ_GUARD);
		mprotect(t->sbuf, FUZZ_BUF, PROT_READ);
		memset(t->optbuf, CANARY, sizeof(t->optbuf));
		memset(t->abuf, CANARY, sizeof(t->abuf));
	}

	t0 = now_ms();
	for (i = 0; i < opt_threads; i++)
		ASSERT_EQ(0, pthread_create(&threads[i].tid, NULL, fuzz_thread_fn,
					    &threads[i]));
	ASSERT_EQ(0, pthread_create(&wd, NULL, watchdog_fn, NULL));
	for (i = 0; i < opt_threads; i++)
		pthread_join(threads[i].tid, NULL);
	secs = (now_ms() - t0) / 1000.0;
	__atomic_store_n(&watchdog_stop, 1, __ATOMIC_RELEASE);
	pthread_join(wd, NULL);

	for (i = 0; i < FUZZ_SLOTS; i++) {
		__u64 v = slot_take(i);

		if (v)
			close(slot_fd(v));
	}
	print_stats(secs);

	/* closed endpoints finish their release in the background */
	t0 = now_ms();
	do {
		left[0] = endpoints_in(ns_fd[0]);
		left[1] = endpoints_in(ns_fd[1]);
		if (!left[0] && !left[1])
			break;
		usleep(100000);
	} while (now_ms() - t0 < FUZZ_DRAIN_MS);
	left_ms = now_ms() - t0;
	say("endpoints gone %llu ms after the last close (left: %d in a, %d in b)",
	    (unsigned long long)left_ms, left[0], left[1]);
	print_tdi_stat(0);
	print_tdi_stat(1);
	setns(ns_orig, CLONE_NEWNET);
	close(ns_fd[0]);
	close(ns_fd[1]);
	close_sysctls();
	close(ns_orig);
	EXPECT_EQ(0, left[0]);
	EXPECT_EQ(0, left[1]);
	EXPECT_EQ(0, failures) {
		TH_LOG("%d anomalies; replay with --seed %llu --threads %d",
		       failures, opt_seed, opt_threads);
	}
	free(threads);
}

static void print_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--seed N] [--calls N] [--threads N] [--only OP,...] [--verbose]\n",
		prog);
	exit(KSFT_FAIL);
}

static void __attribute__((constructor)) __constructor_order_last(void)
{
	if (!__constructor_order)
		__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD;
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--verbose")) {
			opt_verbose = true;
			continue;
		}
		if (!v)
			print_usage(argv[0]);
		i++;
		if (!strcmp(a, "--seed")) {
			opt_seed = strtoull(v, NULL, 0);
			opt_seed_set = true;
		} else if (!strcmp(a, "--calls")) {
			opt_calls = strtoull(v, NULL, 0);
		} else if (!strcmp(a, "--threads")) {
			opt_threads = atoi(v);
		} else if (!strcmp(a, "--only")) {
			opt_only = v;
		} else {
			print_usage(argv[0]);
		}
	}
	if (opt_threads < 1 || opt_threads > FUZZ_MAX_THREADS ||
	    FUZZ_NOPS > FUZZ_MAX_OPS)
		print_usage(argv[0]);
	if (!opt_seed_set) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		opt_seed = ((__u64)ts.tv_sec * 1000000007ULL) ^ ts.tv_nsec ^
			   ((__u64)getpid() << 40);
		opt_seed %= 1000000000000ULL;
	}
	/* a limit for the whole run: about 1000 calls a second, at least */
	_fuzz_sys_object.timeout = 600 + opt_calls / 1000;
	return test_harness_run(argc, argv);
}
