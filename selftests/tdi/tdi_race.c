// SPDX-License-Identifier: GPL-2.0
/*
 * tdi_race: lockless connection lookups against teardown, with the race
 * window widened.
 *
 * Every received frame finds its connection with tdi_conn_lookup(), which
 * walks a hash chain under RCU and takes a reference only once it has
 * read the entry.  If a connection's socket could be freed while a walk
 * stands on it (an abortive close() on another CPU), the walk would read
 * freed memory.  In the real kernel that window is a few instructions
 * wide; selftests/tdi/race/tdi_race.ko puts a kprobe right there (the
 * walk holds an entry it has not read) and spins for a millisecond on
 * each hit, so that every abortive close() of a connection that is
 * receiving lands inside a walk.  A sound table (sockets freed after a
 * grace period) makes the free wait; an unsound one gives a KASAN
 * use-after-free report, which fails this test (and the guest run).
 *
 * Namespaces a and b joined by veth; per round a writer in a sends to an
 * accepted endpoint in b while b's endpoint is closed with
 * SO_LINGER {1, 0}.  The probe must have fired, or the test proves
 * nothing and fails.
 */

#define _GNU_SOURCE
#include <libgen.h>
#include <pthread.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "tdi_util.h"

#define PORT		4711
#define ROUNDS		32
#define RACE_MOD	"tdi_race"

static const unsigned char mac_a[6] = { 2, 0, 0, 0, 0, 0x0a };
static const unsigned char mac_b[6] = { 2, 0, 0, 0, 0, 0x0b };

FIXTURE(race) {
	int home, nsa, nsb, lfd, kmsg;
	bool loaded;
};

FIXTURE_VARIANT(race) {
	int type;
};

FIXTURE_VARIANT_ADD(race, stream) {
	.type = SOCK_STREAM,
};

FIXTURE_VARIANT_ADD(race, seqpacket) {
	.type = SOCK_SEQPACKET,
};

/* The test module, beside this program: race/tdi_race.ko. */
static int race_ko(char *path, size_t size)
{
	char exe[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -1;
	exe[n] = 0;
	snprintf(path, size, "%s/race/%s.ko", dirname(exe), RACE_MOD);
	return access(path, R_OK);
}

/* A parameter of the loaded test module, or -1. */
static long race_param(const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", RACE_MOD, name);
	if (file_get(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static int race_load(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	return ret;
}

FIXTURE_SETUP(race)
{
	char path[300];

	if (race_ko(path, sizeof(path))) {
		/* built whenever the kernel has kprobes and outline KASAN */
		if (access("/sys/kernel/debug/kprobes", F_OK))
			return;		/* the test skips */
		ASSERT_EQ(0, race_ko(path, sizeof(path))) TH_LOG("%s is not built", path);
	}
	self->home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->home);
	self->nsa = ns_new(self->home);
	self->nsb = ns_new(self->home);
	ASSERT_LE(0, self->nsa);
	ASSERT_LE(0, self->nsb);
	ASSERT_EQ(0, veth_add(-1, self->home, self->nsa, mac_a, self->nsb, mac_b));
	self->lfd = listen_on(self->nsb, variant->type, PORT, 16);
	ASSERT_LE(0, self->lfd);
	self->kmsg = kmsg_open();
	ASSERT_LE(0, self->kmsg);
	ASSERT_EQ(0, race_load(path, "func=tdi_conn_lookup delay_us=20000 cpu=0"))
		TH_LOG("loading %s: %s", path, strerror(errno));
	self->loaded = true;
}

FIXTURE_TEARDOWN(race)
{
	if (!self->loaded)
		return;
	syscall(SYS_delete_module, RACE_MOD, O_NONBLOCK);
	close(self->lfd);
	close(self->nsa);
	close(self->nsb);
	close(self->home);
	close(self->kmsg);
}

struct writer {
	pthread_t thread;
	int fd;
	int stop;
	long sent;
};

/* Run the calling thread on CPU @cpu only (when there is one). */
static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Send until told to stop or the connection ends, on CPU 0: b's receive
 * path runs in this thread's softirq, while b's endpoint is closed on
 * CPU 1.
 */
static void *writer_main(void *arg)
{
	struct writer *w = arg;
	char buf[512];

	pin(0);
	memset(buf, 'w', sizeof(buf));
	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		ssize_t n = send(w->fd, buf, sizeof(buf), MSG_NOSIGNAL);

		if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;
		if (n > 0)
			w->sent += n;
	}
	return NULL;
}

/* One connection from a to b: @c in a, its accepted endpoint in b. */
static int race_pair(struct _test_data_race *self, int type, int *c)
{
	int s;

	*c = sock_in(self->nsa, type);
	if (*c < 0 || connect_to(*c, mac_b, PORT))
		return -1;
	s = accept(self->lfd, NULL, NULL);
	if (s >= 0)
		timeouts(s);
	return s;
}

/*
 * b's endpoint is closed abortively while a's writer keeps b's softirq
 * walking b's connection table, each walk held a millisecond on the entry
 * it stands on.
 */
TEST_F_TIMEOUT(race, lookup_vs_abortive_close, 600)
{
	struct linger lg = { 1, 0 };
	char bug[256];
	int r, c, s;
	long sent = 0, hits;
	int held, struck = 0;
	double t;

	if (!self->loaded)
		SKIP(return, "a kernel without kprobes: no tdi_race.ko");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU: nothing runs beside a held walk");
	pin(1);
	for (r = 0; r < ROUNDS; r++) {
		struct writer w = { .stop = 0 };

		s = race_pair(self, variant->type, &c);
		ASSERT_LE(0, s) TH_LOG("round %d: connect/accept: %s", r, strerror(errno));
		set_timeo(c, SO_SNDTIMEO, 2000);
		w.fd = c;
		ASSERT_EQ(0, pthread_create(&w.thread, NULL, writer_main, &w));
		usleep(20000);
		/* strike while a walk is held (in a or in b) */
		for (t = now_s(); !(held = race_param("busy") > 0) && now_s() - t < 2;)
			;
		struck += held;
		ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
		ASSERT_EQ(0, close(s));
		usleep(20000);
		__atomic_store_n(&w.stop, 1, __ATOMIC_RELAXED);
		pthread_join(w.thread, NULL);
		sent += w.sent;
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c);
		ASSERT_EQ(0, kmsg_bug(self->kmsg, bug, sizeof(bug)))
			TH_LOG("round %d: %s", r, bug);
	}
	hits = race_param("hits");
	TH_LOG("%d abortive closes, %d of them during a held walk; %ld bytes sent",
	       ROUNDS, struck, sent);
	TH_LOG("%ld walks held at tdi_conn_lookup+%#lx", hits, race_param("offset"));
	/* without strikes the test proves nothing */
	ASSERT_LE(ROUNDS / 2, struck);
}

TEST_HARNESS_MAIN
