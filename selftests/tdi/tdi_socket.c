// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of the AF_TDI socket family: socket creation, bind() and its
 * checks, getsockname(), the per-namespace port space and ephemeral port
 * range, /proc/net/tdi, and the calls that are not implemented yet.
 *
 * Run as root with tdi.ko loaded.  Every test first moves to a network
 * namespace of its own, so the ports, sockets, devices and sysctl values it
 * sees are its own.
 */

#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sockios.h>
#include <linux/tdi.h>

#include "kselftest_harness.h"
#include "tdi_util.h"

#define TDI_PROC	"/proc/net/tdi"
#define TDI_RANGE	"/proc/sys/net/tdi/ephemeral_port_range"
#define TDI_PROC_HEADER	\
	"Type      State             Port Ifindex Node              Name Inode Uid " \
	"Peer              PeerPort TxQueue RxQueue Retrans"
#define TDI_PROC_MAX	16
#define TDI_NO_NODE	"00:00:00:00:00:00"

#define EPHEMERAL_LOW	49152
#define EPHEMERAL_HIGH	65535

#define NOBODY		65534

#define VETH_A		"tdiva"
#define VETH_B		"tdivb"
#define VETH_A_MAC	"02:11:22:33:44:55"
#define VETH_B_MAC	"02:11:22:33:44:66"

static const unsigned char mac_a[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const unsigned char mac_b[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x66 };
/* A node address no device of the test's namespace has. */
static const unsigned char mac_none[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x77 };

static const int tdi_types[] = { SOCK_DGRAM, SOCK_STREAM, SOCK_SEQPACKET };

static void tdi_sa_init(struct sockaddr_tdi *sa, unsigned short port)
{
	memset(sa, 0, sizeof(*sa));
	sa->stdi_family = AF_TDI;
	sa->stdi_port = htons(port);
}

static void tdi_sa_name(struct sockaddr_tdi *sa, const char *name)
{
	memset(sa->stdi_name, 0, sizeof(sa->stdi_name));
	strncpy(sa->stdi_name, name, sizeof(sa->stdi_name));
}

static int tdi_bind_sa(int fd, const struct sockaddr_tdi *sa)
{
	return bind(fd, (const struct sockaddr *)sa, sizeof(*sa));
}

static int tdi_bind_port(int fd, unsigned short port)
{
	struct sockaddr_tdi sa;

	tdi_sa_init(&sa, port);
	return tdi_bind_sa(fd, &sa);
}

/* The bound port of @fd (host order), or -1. */
static int tdi_port(int fd)
{
	struct sockaddr_tdi sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len) || len != sizeof(sa))
		return -1;
	return ntohs(sa.stdi_port);
}

static unsigned long tdi_ino(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return 0;
	return st.st_ino;
}

static void tdi_log_sa(struct __test_metadata *_metadata, const char *what,
		       const struct sockaddr_tdi *sa)
{
	const unsigned char *n = sa->stdi_node;

	TH_LOG("%s: family %u port %u ifindex %d zero %02x%02x", what,
	       sa->stdi_family, ntohs(sa->stdi_port), sa->stdi_ifindex,
	       sa->stdi_zero[0], sa->stdi_zero[1]);
	TH_LOG("%s: node %02x:%02x:%02x:%02x:%02x:%02x name '%.16s'", what,
	       n[0], n[1], n[2], n[3], n[4], n[5], sa->stdi_name);
}

/*
 * getsockname() of @fd must be exactly @want: 32 bytes, padding zero, and
 * nothing written past them.
 */
static void tdi_expect_name(struct __test_metadata *_metadata, int fd,
			    const struct sockaddr_tdi *want)
{
	struct sockaddr_storage ss;
	unsigned char *p = (unsigned char *)&ss;
	socklen_t len = sizeof(ss);
	size_t i;

	memset(&ss, 0xa5, sizeof(ss));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&ss, &len)) {
		TH_LOG("getsockname: %s", strerror(errno));
	}
	ASSERT_EQ(sizeof(*want), len);
	EXPECT_EQ(0, memcmp(want, &ss, sizeof(*want))) {
		tdi_log_sa(_metadata, "want", want);
		tdi_log_sa(_metadata, "got ", (struct sockaddr_tdi *)&ss);
	}
	for (i = sizeof(*want); i < sizeof(ss); i++) {
		ASSERT_EQ(0xa5, p[i]) {
			TH_LOG("getsockname wrote byte %zu", i);
		}
	}
}

/* One socket line of /proc/net/tdi. */
struct tdi_proc_sock {
	char type[16];
	char state[32];
	unsigned int port;
	int ifindex;
	char node[24];
	char name[80];
	unsigned long ino;
	unsigned int uid;
	char peer[24];
	unsigned int peer_port, txq, rxq;
	unsigned long long retrans;
};

struct tdi_proc {
	char header[128];
	int n;			/* socket lines, even past TDI_PROC_MAX */
	struct tdi_proc_sock s[TDI_PROC_MAX];
};

/* Read /proc/net/tdi.  Returns 0, or -1 with errno set (EBADMSG: bad line). */
static int tdi_proc_read(struct tdi_proc *p)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	int err = 0;
	FILE *f;

	memset(p, 0, sizeof(*p));
	f = fopen(TDI_PROC, "r");
	if (!f)
		return -1;
	len = getline(&line, &size, f);
	if (len <= 0 || line[len - 1] != '\n') {
		err = EBADMSG;
		goto out;
	}
	line[len - 1] = '\0';
	snprintf(p->header, sizeof(p->header), "%s", line);

	while ((len = getline(&line, &size, f)) > 0) {
		struct tdi_proc_sock s;

		if (sscanf(line, "%15s %31s %u %d %23s %79s %lu %u %23s %u %u %u %llu",
			   s.type, s.state, &s.port, &s.ifindex, s.node, s.name,
			   &s.ino, &s.uid, s.peer, &s.peer_port, &s.txq, &s.rxq,
			   &s.retrans) != 13) {
			err = EBADMSG;
			goto out;
		}
		if (p->n < TDI_PROC_MAX)
			p->s[p->n] = s;
		p->n++;
	}
out:
	free(line);
	fclose(f);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static const struct tdi_proc_sock *tdi_proc_find(const struct tdi_proc *p,
						 unsigned long ino)
{
	int i;

	for (i = 0; i < p->n && i < TDI_PROC_MAX; i++)
		if (p->s[i].ino == ino)
			return &p->s[i];
	return NULL;
}

static void tdi_proc_get(struct __test_metadata *_metadata, struct tdi_proc *p)
{
	ASSERT_EQ(0, tdi_proc_read(p)) {
		TH_LOG("reading %s: %s", TDI_PROC, strerror(errno));
	}
	ASSERT_STREQ(TDI_PROC_HEADER, p->header);
}

/* The line /proc/net/tdi should show for an unbound socket @fd. */
static void tdi_want(struct tdi_proc_sock *w, int fd, const char *type,
		     const char *state)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->type, sizeof(w->type), "%s", type);
	snprintf(w->state, sizeof(w->state), "%s", state);
	snprintf(w->node, sizeof(w->node), "%s", TDI_NO_NODE);
	snprintf(w->name, sizeof(w->name), "-");
	w->ino = tdi_ino(fd);
	w->uid = getuid();
}

/* The /proc/net/tdi line of @want->ino must be @want. */
static void tdi_expect_proc(struct __test_metadata *_metadata,
			    const struct tdi_proc_sock *want)
{
	const struct tdi_proc_sock *s;
	struct tdi_proc p;

	tdi_proc_get(_metadata, &p);
	s = tdi_proc_find(&p, want->ino);
	ASSERT_NE(NULL, s) {
		TH_LOG("socket inode %lu is not in %s (%d lines)", want->ino,
		       TDI_PROC, p.n);
	}
	EXPECT_STREQ(want->type, s->type);
	EXPECT_STREQ(want->state, s->state);
	EXPECT_EQ(want->port, s->port);
	EXPECT_EQ(want->ifindex, s->ifindex);
	EXPECT_STREQ(want->node, s->node);
	EXPECT_STREQ(want->name, s->name);
	EXPECT_EQ(want->uid, s->uid);
	/* not connected: no peer, nothing queued */
	EXPECT_STREQ(TDI_NO_NODE, s->peer);
	EXPECT_EQ(0, s->peer_port);
	EXPECT_EQ(0, s->txq);
	EXPECT_EQ(0, s->rxq);
	EXPECT_EQ(0, s->retrans);
}

/* Number of sockets /proc/net/tdi lists. */
static int tdi_proc_count(struct __test_metadata *_metadata)
{
	struct tdi_proc p;

	tdi_proc_get(_metadata, &p);
	return p.n;
}

static int tdi_range_get(char *buf, size_t size)
{
	return file_get(TDI_RANGE, buf, size);
}

/* Write @val to net.tdi.@name in one write(): 0, or -1 with errno. */
static int tdi_sysctl_write(const char *name, const char *val)
{
	size_t len = strlen(val);
	char path[128];
	ssize_t ret;
	int fd, err;

	snprintf(path, sizeof(path), "/proc/sys/net/tdi/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, val, len);
	err = errno;
	close(fd);
	if (ret == (ssize_t)len)
		return 0;
	errno = ret < 0 ? err : EIO;
	return -1;
}

static int tdi_range_set(const char *val)
{
	return tdi_sysctl_write("ephemeral_port_range", val);
}

static void tdi_expect_range(struct __test_metadata *_metadata,
			     const char *want)
{
	char buf[64];

	ASSERT_EQ(0, tdi_range_get(buf, sizeof(buf))) {
		TH_LOG("reading %s: %s", TDI_RANGE, strerror(errno));
	}
	ASSERT_STREQ(want, buf);
}

static void tdi_set_range(struct __test_metadata *_metadata, const char *val)
{
	ASSERT_EQ(0, tdi_range_set(val)) {
		TH_LOG("writing '%s' to %s: %s", val, TDI_RANGE,
		       strerror(errno));
	}
}

static void tdi_unshare(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) {
		TH_LOG("unshare(CLONE_NEWNET): %s", strerror(errno));
	}
}

static int tdi_open(struct __test_metadata *_metadata, int type)
{
	int fd = socket(AF_TDI, type, 0);

	ASSERT_LE(0, fd) {
		TH_LOG("socket(AF_TDI, %d, 0): %s (is tdi.ko loaded?)", type,
		       strerror(errno));
	}
	return fd;
}

static void tdi_run(struct __test_metadata *_metadata, const char *cmd)
{
	int ret = system(cmd);

	ASSERT_EQ(0, ret) {
		TH_LOG("'%s' failed (status %#x)", cmd, ret);
	}
}

/* A veth pair tdiva/tdivb with known MACs in the current namespace. */
static void tdi_veth(struct __test_metadata *_metadata, int *ifa, int *ifb)
{
	/* one shell, two ip runs: each process is slow in a debug guest */
	tdi_run(_metadata, "ip link add name " VETH_A " address " VETH_A_MAC
		" up type veth peer name " VETH_B " address " VETH_B_MAC
		" && ip link set " VETH_B " up");
	*ifa = if_nametoindex(VETH_A);
	*ifb = if_nametoindex(VETH_B);
	ASSERT_LT(0, *ifa);
	ASSERT_LT(0, *ifb);
}

/* What a child process reports through a pipe: a return value and errno. */
struct tdi_res {
	int ret;
	int err;
};

static void tdi_report(int wfd, int ret)
{
	struct tdi_res r = { .ret = ret, .err = ret < 0 ? errno : 0 };

	if (write(wfd, &r, sizeof(r)) != sizeof(r))
		_exit(1);
}

static size_t tdi_read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t ret;

	while (done < len) {
		ret = read(fd, (char *)buf + done, len - done);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			break;
		done += ret;
	}
	return done;
}

static int tdi_drop_privs(void)
{
	if (setgroups(0, NULL) ||
	    setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	return 0;
}

static void tdi_wait_child(struct __test_metadata *_metadata, pid_t pid)
{
	int status;

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/* socket() of every type but DGRAM, STREAM and SEQPACKET fails. */
TEST(create_bad_type)
{
	static const int types[] = { SOCK_RAW, SOCK_RDM, SOCK_DCCP,
				     SOCK_PACKET };
	unsigned int i;

	tdi_unshare(_metadata);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		EXPECT_EQ(-1, socket(AF_TDI, types[i], 0)) {
			TH_LOG("type %d", types[i]);
		}
		EXPECT_EQ(ESOCKTNOSUPPORT, errno) {
			TH_LOG("type %d", types[i]);
		}
	}
}

/* The ephemeral port range sysctl exists per namespace, default 49152-65535. */
TEST(range_default)
{
	tdi_unshare(_metadata);
	tdi_expect_range(_metadata, "49152\t65535\n");
}

TEST(range_write)
{
	tdi_unshare(_metadata);
	tdi_set_range(_metadata, "2000 3000\n");
	tdi_expect_range(_metadata, "2000\t3000\n");
	tdi_set_range(_metadata, "1024 1024");
	tdi_expect_range(_metadata, "1024\t1024\n");
	tdi_set_range(_metadata, "65535 65535");
	tdi_expect_range(_metadata, "65535\t65535\n");
	tdi_set_range(_metadata, "1024\t65535\n");
	tdi_expect_range(_metadata, "1024\t65535\n");
}

/* Out-of-bounds or inverted ranges are refused and change nothing. */
TEST(range_invalid)
{
	static const char * const bad[] = {
		"1023 2000", "0 2000", "-1 2000", "2000 1999", "2000 65536",
		"65536 65536", "1000 1000", "3001 3000", "abc",
	};
	unsigned int i;

	tdi_unshare(_metadata);
	tdi_set_range(_metadata, "2000 3000");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-1, tdi_range_set(bad[i])) {
			TH_LOG("'%s' was accepted", bad[i]);
		}
		EXPECT_EQ(EINVAL, errno) {
			TH_LOG("'%s': %s", bad[i], strerror(errno));
		}
		tdi_expect_range(_metadata, "2000\t3000\n");
	}
}

static long tdi_sysctl_read(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/proc/sys/net/tdi/%s", name);
	if (file_get(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/* Every integer sysctl, with its range and default (sysctl.c, af_tdi.c). */
static const struct {
	const char *name;
	long lo, hi, def;
} tdi_int_sysctls[] = {
	{ "connect_timeout_ms", 100, 600000, 5000 },
	{ "rto_initial_ms", 1, 60000, 200 },
	{ "rto_min_ms", 1, 60000, 20 },
	{ "rto_max_ms", 1, 60000, 4000 },
	{ "retries", 1, 100, 10 },
	{ "delack_ms", 1, 500, 4 },
	{ "disconnect_timeout_ms", 100, 600000, 20000 },
	{ "max_orphans", 0, 1048576, 4096 },
	{ "keepalive_time_ms", 100, 86400000, 7200000 },
	{ "keepalive_intvl_ms", 100, 3600000, 75000 },
	{ "keepalive_probes", 1, 100, 9 },
	{ "max_offers", 0, 65536, 1024 },
	{ "offer_timeout_ms", 100, 600000, 30000 },
};

/*
 * Each integer sysctl starts at its default, takes both ends of its range,
 * and refuses with EINVAL, changing nothing, what lies outside it or is
 * not a number.  (rto_min_ms and rto_max_ms bound each other: the other
 * is moved out of the way first.)
 */
TEST(sysctl_ranges)
{
	unsigned int i, k;

	tdi_unshare(_metadata);
	for (i = 0; i < ARRAY_SIZE(tdi_int_sysctls); i++) {
		EXPECT_EQ(tdi_int_sysctls[i].def,
			  tdi_sysctl_read(tdi_int_sysctls[i].name)) {
			TH_LOG("%s: default", tdi_int_sysctls[i].name);
		}
	}
	for (i = 0; i < ARRAY_SIZE(tdi_int_sysctls); i++) {
		const char *name = tdi_int_sysctls[i].name;
		long lo = tdi_int_sysctls[i].lo, hi = tdi_int_sysctls[i].hi;
		char bad[6][32], val[32];

		if (!strcmp(name, "rto_min_ms"))
			ASSERT_EQ(0, tdi_sysctl_write("rto_max_ms", "60000"));
		if (!strcmp(name, "rto_max_ms"))
			ASSERT_EQ(0, tdi_sysctl_write("rto_min_ms", "1"));
		snprintf(val, sizeof(val), "%ld\n", lo);
		EXPECT_EQ(0, tdi_sysctl_write(name, val)) {
			TH_LOG("%s = %ld: %s", name, lo, strerror(errno));
		}
		EXPECT_EQ(lo, tdi_sysctl_read(name));
		snprintf(val, sizeof(val), "%ld", hi);
		EXPECT_EQ(0, tdi_sysctl_write(name, val)) {
			TH_LOG("%s = %ld: %s", name, hi, strerror(errno));
		}
		EXPECT_EQ(hi, tdi_sysctl_read(name));
		snprintf(bad[0], sizeof(bad[0]), "%ld", lo - 1);
		snprintf(bad[1], sizeof(bad[1]), "%ld", hi + 1);
		snprintf(bad[2], sizeof(bad[2]), "%s", "abc");
		snprintf(bad[3], sizeof(bad[3]), "%s", "99999999999999999999");
		snprintf(bad[4], sizeof(bad[4]), "%s", "-2147483649");
		snprintf(bad[5], sizeof(bad[5]), "%ldx", lo);
		for (k = 0; k < ARRAY_SIZE(bad); k++) {
			EXPECT_EQ(-1, tdi_sysctl_write(name, bad[k])) {
				TH_LOG("%s: '%s' was accepted", name, bad[k]);
			}
			EXPECT_EQ(EINVAL, errno) {
				TH_LOG("%s: '%s': %s", name, bad[k], strerror(errno));
			}
			EXPECT_EQ(hi, tdi_sysctl_read(name)) {
				TH_LOG("%s changed by '%s'", name, bad[k]);
			}
		}
	}
}

/* rto_min_ms <= rto_max_ms: a write that would cross the other is refused. */
TEST(sysctl_rto_bounds)
{
	tdi_unshare(_metadata);
	ASSERT_EQ(0, tdi_sysctl_write("rto_min_ms", "100"));
	EXPECT_EQ(-1, tdi_sysctl_write("rto_max_ms", "99"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(4000, tdi_sysctl_read("rto_max_ms"));
	EXPECT_EQ(0, tdi_sysctl_write("rto_max_ms", "100"));
	EXPECT_EQ(-1, tdi_sysctl_write("rto_min_ms", "101"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(100, tdi_sysctl_read("rto_min_ms"));
	EXPECT_EQ(100, tdi_sysctl_read("rto_max_ms"));
	EXPECT_EQ(0, tdi_sysctl_write("rto_min_ms", "1"));
	EXPECT_EQ(0, tdi_sysctl_write("rto_max_ms", "60000"));
	EXPECT_EQ(1, tdi_sysctl_read("rto_min_ms"));
	EXPECT_EQ(60000, tdi_sysctl_read("rto_max_ms"));
}

/*
 * Two namespaces: each has its own port space, its own /proc/net/tdi and
 * its own ephemeral range.
 */
TEST(netns_independent)
{
	struct sockaddr_tdi sa;
	struct tdi_proc p;
	int nsa, nsb, fda, fdb, fda0, fdb0, fd;

	tdi_unshare(_metadata);
	nsa = open("/proc/self/ns/net", O_RDONLY);
	ASSERT_LE(0, nsa);
	tdi_set_range(_metadata, "50000 50000");
	fda = tdi_open(_metadata, SOCK_DGRAM);
	tdi_sa_init(&sa, 7000);
	tdi_sa_name(&sa, "NETNS");
	ASSERT_EQ(0, tdi_bind_sa(fda, &sa));

	tdi_unshare(_metadata);
	nsb = open("/proc/self/ns/net", O_RDONLY);
	ASSERT_LE(0, nsb);
	tdi_expect_range(_metadata, "49152\t65535\n");
	tdi_set_range(_metadata, "60000 60000");
	fdb = tdi_open(_metadata, SOCK_STREAM);
	ASSERT_EQ(0, tdi_bind_sa(fdb, &sa)) {
		TH_LOG("port and name of another namespace: %s",
		       strerror(errno));
	}
	tdi_expect_name(_metadata, fdb, &sa);
	fdb0 = tdi_open(_metadata, SOCK_DGRAM);
	ASSERT_EQ(0, tdi_bind_port(fdb0, 0));
	EXPECT_EQ(60000, tdi_port(fdb0));

	/* B lists its own two sockets only. */
	tdi_proc_get(_metadata, &p);
	EXPECT_EQ(2, p.n);
	EXPECT_NE(NULL, tdi_proc_find(&p, tdi_ino(fdb)));
	EXPECT_NE(NULL, tdi_proc_find(&p, tdi_ino(fdb0)));
	EXPECT_EQ(NULL, tdi_proc_find(&p, tdi_ino(fda)));

	ASSERT_EQ(0, setns(nsa, CLONE_NEWNET));
	tdi_expect_range(_metadata, "50000\t50000\n");
	tdi_expect_name(_metadata, fda, &sa);
	fda0 = tdi_open(_metadata, SOCK_DGRAM);
	ASSERT_EQ(0, tdi_bind_port(fda0, 0));
	EXPECT_EQ(50000, tdi_port(fda0));

	tdi_proc_get(_metadata, &p);
	EXPECT_EQ(2, p.n);
	EXPECT_NE(NULL, tdi_proc_find(&p, tdi_ino(fda)));
	EXPECT_NE(NULL, tdi_proc_find(&p, tdi_ino(fda0)));
	EXPECT_EQ(NULL, tdi_proc_find(&p, tdi_ino(fdb)));

	/* Closing B's sockets frees nothing of A's. */
	close(fdb);
	close(fdb0);
	EXPECT_EQ(2, tdi_proc_count(_metadata));
	fd = tdi_open(_metadata, SOCK_SEQPACKET);
	EXPECT_EQ(-1, tdi_bind_sa(fd, &sa));
	EXPECT_EQ(EADDRINUSE, errno);

	close(fd);
	close(fda);
	close(fda0);
	close(nsa);
	close(nsb);
}

FIXTURE(tdi)
{
	int fd;
};

FIXTURE_VARIANT(tdi)
{
	int type;
	const char *name;	/* the type as /proc/net/tdi shows it */
};

FIXTURE_VARIANT_ADD(tdi, dgram)
{
	.type = SOCK_DGRAM,
	.name = "dgram",
};

FIXTURE_VARIANT_ADD(tdi, stream)
{
	.type = SOCK_STREAM,
	.name = "stream",
};

FIXTURE_VARIANT_ADD(tdi, seqpacket)
{
	.type = SOCK_SEQPACKET,
	.name = "seqpacket",
};

FIXTURE_SETUP(tdi)
{
	tdi_case_filter(_metadata->name);
	self->fd = -1;
	tdi_unshare(_metadata);
	self->fd = tdi_open(_metadata, variant->type);
}

FIXTURE_TEARDOWN(tdi)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(tdi, create)
{
	socklen_t len;
	int val, fd;

	len = sizeof(val);
	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_TYPE, &val, &len));
	EXPECT_EQ(variant->type, val);
	len = sizeof(val);
	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_DOMAIN, &val, &len));
	EXPECT_EQ(AF_TDI, val);
	len = sizeof(val);
	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_PROTOCOL, &val,
				&len));
	EXPECT_EQ(0, val);

	fd = socket(PF_TDI, variant->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, fd) {
		TH_LOG("SOCK_NONBLOCK | SOCK_CLOEXEC: %s", strerror(errno));
	}
	EXPECT_EQ(O_NONBLOCK, fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	close(fd);
}

TEST_F(tdi, create_protocol)
{
	static const int protos[] = { 1, ETH_P_TDI, 0xb588, 255, -1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		EXPECT_EQ(-1, socket(AF_TDI, variant->type, protos[i])) {
			TH_LOG("protocol %d", protos[i]);
		}
		EXPECT_EQ(EPROTONOSUPPORT, errno) {
			TH_LOG("protocol %d", protos[i]);
		}
	}
}

TEST_F(tdi, getsockname_unbound)
{
	struct sockaddr_tdi want;

	tdi_sa_init(&want, 0);
	tdi_expect_name(_metadata, self->fd, &want);
}

TEST_F(tdi, getpeername)
{
	struct sockaddr_tdi sa;
	socklen_t len = sizeof(sa);

	EXPECT_EQ(-1, getpeername(self->fd, (struct sockaddr *)&sa, &len));
	EXPECT_EQ(ENOTCONN, errno);
	ASSERT_EQ(0, tdi_bind_port(self->fd, 5000));
	len = sizeof(sa);
	EXPECT_EQ(-1, getpeername(self->fd, (struct sockaddr *)&sa, &len));
	EXPECT_EQ(ENOTCONN, errno);
}

TEST_F(tdi, bind)
{
	struct sockaddr_tdi sa;

	tdi_sa_init(&sa, 5000);
	tdi_sa_name(&sa, "TDITEST");
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa)) {
		TH_LOG("bind: %s", strerror(errno));
	}
	tdi_expect_name(_metadata, self->fd, &sa);
}

/* A short address is refused before anything else is looked at. */
TEST_F(tdi, bind_short)
{
	static const socklen_t lens[] = { 0, 1, 2, 4, 16, 31 };
	struct sockaddr_tdi sa, bad;
	unsigned int i;

	tdi_sa_init(&sa, 5000);
	bad = sa;
	bad.stdi_family = AF_INET;
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		EXPECT_EQ(-1, bind(self->fd, (struct sockaddr *)&sa, lens[i]));
		EXPECT_EQ(EINVAL, errno) {
			TH_LOG("len %u", lens[i]);
		}
		EXPECT_EQ(-1, bind(self->fd, (struct sockaddr *)&bad, lens[i]));
		EXPECT_EQ(EINVAL, errno) {
			TH_LOG("len %u, bad family", lens[i]);
		}
	}
	ASSERT_EQ(0, bind(self->fd, (struct sockaddr *)&sa, sizeof(sa)));
	tdi_expect_name(_metadata, self->fd, &sa);
}

/* A longer address is fine; the bytes past the 32 are ignored. */
TEST_F(tdi, bind_long)
{
	struct sockaddr_storage ss;
	struct sockaddr_tdi sa;

	tdi_sa_init(&sa, 5001);
	tdi_sa_name(&sa, "LONG");
	memset(&ss, 0xff, sizeof(ss));
	memcpy(&ss, &sa, sizeof(sa));
	ASSERT_EQ(0, bind(self->fd, (struct sockaddr *)&ss, sizeof(ss))) {
		TH_LOG("bind: %s", strerror(errno));
	}
	tdi_expect_name(_metadata, self->fd, &sa);
}

TEST_F(tdi, bind_family)
{
	static const int families[] = { AF_UNSPEC, AF_INET, AF_INET6,
					AF_PACKET, AF_TDI + 1, 0xffff };
	struct sockaddr_tdi sa;
	unsigned int i;

	tdi_sa_init(&sa, 5002);
	for (i = 0; i < ARRAY_SIZE(families); i++) {
		sa.stdi_family = families[i];
		EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
		EXPECT_EQ(EAFNOSUPPORT, errno) {
			TH_LOG("family %d", families[i]);
		}
	}
	/* Nothing was bound: the port is still free. */
	sa.stdi_family = AF_TDI;
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa));
}

TEST_F(tdi, bind_padding)
{
	struct sockaddr_tdi sa;

	tdi_sa_init(&sa, 5003);
	sa.stdi_zero[0] = 1;
	EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(EINVAL, errno);
	sa.stdi_zero[0] = 0;
	sa.stdi_zero[1] = 0x80;
	EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(EINVAL, errno);
	sa.stdi_zero[1] = 0;
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa));
}

/* A name must be NUL-padded: no byte after its first NUL. */
TEST_F(tdi, bind_name_garbage)
{
	struct sockaddr_tdi sa;

	tdi_sa_init(&sa, 5004);
	memcpy(sa.stdi_name, "AB\0C", 4);
	EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(EINVAL, errno);

	tdi_sa_name(&sa, "");
	sa.stdi_name[TDI_NAME_LEN - 1] = 'X';
	EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(EINVAL, errno);

	tdi_sa_name(&sa, "ABCDEFGHIJKLMNO");
	sa.stdi_name[TDI_NAME_LEN - 1] = 'P';
	sa.stdi_name[7] = '\0';
	EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(EINVAL, errno);

	tdi_sa_name(&sa, "AB");
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa));
	tdi_expect_name(_metadata, self->fd, &sa);
}

/* A name of all 16 bytes, without a NUL, is fine. */
TEST_F(tdi, bind_name_full)
{
	struct tdi_proc_sock want;
	struct sockaddr_tdi sa;

	tdi_sa_init(&sa, 5005);
	memcpy(sa.stdi_name, "ABCDEFGHIJKLMNOP", TDI_NAME_LEN);
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa)) {
		TH_LOG("bind: %s", strerror(errno));
	}
	tdi_expect_name(_metadata, self->fd, &sa);
	tdi_want(&want, self->fd, variant->name, "BOUND");
	want.port = 5005;
	strcpy(want.name, "ABCDEFGHIJKLMNOP");
	tdi_expect_proc(_metadata, &want);
}

/* An interface that does not exist, or is not Ethernet, is no device. */
TEST_F(tdi, bind_ifindex)
{
	static const int bad[] = { 12345, -1, INT_MIN, INT_MAX };
	struct sockaddr_tdi sa;
	unsigned int i;
	int lo;

	tdi_sa_init(&sa, 5006);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		sa.stdi_ifindex = bad[i];
		EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
		EXPECT_EQ(ENODEV, errno) {
			TH_LOG("ifindex %d", bad[i]);
		}
	}
	lo = if_nametoindex("lo");
	ASSERT_LT(0, lo);
	sa.stdi_ifindex = lo;
	EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(ENODEV, errno) {
		TH_LOG("loopback, ifindex %d", lo);
	}
	sa.stdi_ifindex = 0;
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa));
}

/* A node address no device of the namespace has is not available. */
TEST_F(tdi, bind_node_unknown)
{
	struct sockaddr_tdi sa;

	tdi_sa_init(&sa, 5007);
	memcpy(sa.stdi_node, mac_none, sizeof(sa.stdi_node));
	EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	memset(sa.stdi_node, 0xff, sizeof(sa.stdi_node));
	EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	memset(sa.stdi_node, 0, sizeof(sa.stdi_node));
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa));
}

/* A bound socket cannot be bound again, and keeps its first address. */
TEST_F(tdi, bind_twice)
{
	struct sockaddr_tdi sa;
	int fd;

	tdi_sa_init(&sa, 5008);
	tdi_sa_name(&sa, "FIRST");
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(-1, tdi_bind_port(self->fd, 5009));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, tdi_bind_port(self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(EINVAL, errno);
	tdi_expect_name(_metadata, self->fd, &sa);

	/* The failed binds took nothing. */
	fd = tdi_open(_metadata, variant->type);
	EXPECT_EQ(0, tdi_bind_port(fd, 5009));
	close(fd);
}

/* All three socket types share the namespace's one port space. */
TEST_F(tdi, bind_port_in_use)
{
	struct sockaddr_tdi sa;
	unsigned int i;
	int fd;

	ASSERT_EQ(0, tdi_bind_port(self->fd, 5010));
	for (i = 0; i < ARRAY_SIZE(tdi_types); i++) {
		fd = tdi_open(_metadata, tdi_types[i]);
		EXPECT_EQ(-1, tdi_bind_port(fd, 5010));
		EXPECT_EQ(EADDRINUSE, errno) {
			TH_LOG("type %d", tdi_types[i]);
		}
		tdi_sa_init(&sa, 5010);
		tdi_sa_name(&sa, "OTHERNAME");
		EXPECT_EQ(-1, tdi_bind_sa(fd, &sa));
		EXPECT_EQ(EADDRINUSE, errno) {
			TH_LOG("type %d, with a name", tdi_types[i]);
		}
		EXPECT_EQ(0, tdi_bind_port(fd, 5011 + i)) {
			TH_LOG("type %d: %s", tdi_types[i], strerror(errno));
		}
		close(fd);
	}
}

/* A non-empty name is bound at most once per namespace. */
TEST_F(tdi, bind_name_in_use)
{
	struct sockaddr_tdi sa;
	unsigned int i;
	int fd;

	tdi_sa_init(&sa, 5020);
	tdi_sa_name(&sa, "SHARED");
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa));
	for (i = 0; i < ARRAY_SIZE(tdi_types); i++) {
		fd = tdi_open(_metadata, tdi_types[i]);
		tdi_sa_init(&sa, 5021 + i);
		tdi_sa_name(&sa, "SHARED");
		EXPECT_EQ(-1, tdi_bind_sa(fd, &sa));
		EXPECT_EQ(EADDRINUSE, errno) {
			TH_LOG("type %d", tdi_types[i]);
		}
		tdi_sa_init(&sa, 0);
		tdi_sa_name(&sa, "SHARED");
		EXPECT_EQ(-1, tdi_bind_sa(fd, &sa));
		EXPECT_EQ(EADDRINUSE, errno) {
			TH_LOG("type %d, port 0", tdi_types[i]);
		}
		/* Another name is free, even one that starts alike. */
		tdi_sa_init(&sa, 5021 + i);
		tdi_sa_name(&sa, "SHARED");
		sa.stdi_name[6] = '0' + i;
		EXPECT_EQ(0, tdi_bind_sa(fd, &sa)) {
			TH_LOG("type %d: %s", tdi_types[i], strerror(errno));
		}
		close(fd);
	}
}

/* close() frees the port and the name at once. */
TEST_F(tdi, close_frees_address)
{
	struct sockaddr_tdi sa;
	unsigned int i;
	int fd;

	tdi_sa_init(&sa, 5030);
	tdi_sa_name(&sa, "REUSE");
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa));
	close(self->fd);
	self->fd = -1;
	for (i = 0; i < 2 * ARRAY_SIZE(tdi_types); i++) {
		fd = tdi_open(_metadata, tdi_types[i % ARRAY_SIZE(tdi_types)]);
		EXPECT_EQ(0, tdi_bind_sa(fd, &sa)) {
			TH_LOG("round %u: %s", i, strerror(errno));
		}
		tdi_expect_name(_metadata, fd, &sa);
		close(fd);
	}
}

/* Root may bind the ports below 1024. */
TEST_F(tdi, bind_privileged)
{
	static const unsigned short ports[] = { 1, 80, 1023 };
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(ports); i++) {
		fd = tdi_open(_metadata, variant->type);
		EXPECT_EQ(0, tdi_bind_port(fd, ports[i])) {
			TH_LOG("port %u: %s", ports[i], strerror(errno));
		}
		EXPECT_EQ(ports[i], tdi_port(fd));
		close(fd);
	}
}

/* Run by a child: bind as nobody, reporting every step. */
static void tdi_nobody_binds(int type, int wfd)
{
	int fd;

	tdi_report(wfd, tdi_drop_privs());
	fd = socket(AF_TDI, type, 0);
	tdi_report(wfd, fd < 0 ? -1 : 0);
	tdi_report(wfd, tdi_bind_port(fd, 80));
	tdi_report(wfd, tdi_bind_port(fd, 1));
	tdi_report(wfd, tdi_bind_port(fd, 1023));
	tdi_report(wfd, tdi_bind_port(fd, 1024));
	fd = socket(AF_TDI, type, 0);
	tdi_report(wfd, tdi_bind_port(fd, 5000));
	fd = socket(AF_TDI, type, 0);
	tdi_report(wfd, tdi_bind_port(fd, 0));
	tdi_report(wfd, tdi_port(fd));
}

/* Without CAP_NET_BIND_SERVICE, ports 1-1023 are refused. */
TEST_F(tdi, bind_unprivileged)
{
	struct tdi_res r[9];
	int pfd[2];
	pid_t pid;

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(pfd[0]);
		tdi_nobody_binds(variant->type, pfd[1]);
		_exit(0);
	}
	close(pfd[1]);
	ASSERT_EQ(sizeof(r), tdi_read_full(pfd[0], r, sizeof(r)));
	close(pfd[0]);
	tdi_wait_child(_metadata, pid);

	ASSERT_EQ(0, r[0].ret) {
		TH_LOG("dropping privileges: %s", strerror(r[0].err));
	}
	ASSERT_EQ(0, r[1].ret) {
		TH_LOG("socket: %s", strerror(r[1].err));
	}
	EXPECT_EQ(-1, r[2].ret);
	EXPECT_EQ(EACCES, r[2].err) {
		TH_LOG("port 80: %s", strerror(r[2].err));
	}
	EXPECT_EQ(-1, r[3].ret);
	EXPECT_EQ(EACCES, r[3].err) {
		TH_LOG("port 1: %s", strerror(r[3].err));
	}
	EXPECT_EQ(-1, r[4].ret);
	EXPECT_EQ(EACCES, r[4].err) {
		TH_LOG("port 1023: %s", strerror(r[4].err));
	}
	EXPECT_EQ(0, r[5].ret) {
		TH_LOG("port 1024: %s", strerror(r[5].err));
	}
	EXPECT_EQ(0, r[6].ret) {
		TH_LOG("port 5000: %s", strerror(r[6].err));
	}
	EXPECT_EQ(0, r[7].ret) {
		TH_LOG("port 0: %s", strerror(r[7].err));
	}
	EXPECT_LE(EPHEMERAL_LOW, r[8].ret);
	EXPECT_GE(EPHEMERAL_HIGH, r[8].ret);
}

/* Port 0 picks a free port of the default ephemeral range. */
TEST_F(tdi, bind_ephemeral)
{
	struct tdi_proc_sock want;
	struct sockaddr_tdi sa;
	int port, fd, port2;

	tdi_sa_init(&sa, 0);
	tdi_sa_name(&sa, "EPHEMERAL");
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa));
	port = tdi_port(self->fd);
	EXPECT_LE(EPHEMERAL_LOW, port);
	EXPECT_GE(EPHEMERAL_HIGH, port);
	sa.stdi_port = htons(port);
	tdi_expect_name(_metadata, self->fd, &sa);

	tdi_want(&want, self->fd, variant->name, "BOUND");
	want.port = port;
	strcpy(want.name, "EPHEMERAL");
	tdi_expect_proc(_metadata, &want);

	/* The port it picked is taken; the next pick is another one. */
	fd = tdi_open(_metadata, variant->type);
	EXPECT_EQ(-1, tdi_bind_port(fd, port));
	EXPECT_EQ(EADDRINUSE, errno);
	ASSERT_EQ(0, tdi_bind_port(fd, 0));
	port2 = tdi_port(fd);
	EXPECT_NE(port, port2);
	EXPECT_LE(EPHEMERAL_LOW, port2);
	EXPECT_GE(EPHEMERAL_HIGH, port2);
	close(fd);
}

/* Port 0 honours the sysctl range, skips taken ports, and may run out. */
TEST_F(tdi, bind_ephemeral_range)
{
	int fd1, fd2, fd3;

	tdi_set_range(_metadata, "50000 50001");
	fd1 = tdi_open(_metadata, SOCK_DGRAM);
	ASSERT_EQ(0, tdi_bind_port(fd1, 50000));
	ASSERT_EQ(0, tdi_bind_port(self->fd, 0));
	EXPECT_EQ(50001, tdi_port(self->fd));

	fd2 = tdi_open(_metadata, SOCK_STREAM);
	EXPECT_EQ(-1, tdi_bind_port(fd2, 0));
	EXPECT_EQ(EADDRINUSE, errno);
	tdi_set_range(_metadata, "50002 50002");
	ASSERT_EQ(0, tdi_bind_port(fd2, 0));
	EXPECT_EQ(50002, tdi_port(fd2));

	tdi_set_range(_metadata, "50000 50001");
	fd3 = tdi_open(_metadata, SOCK_SEQPACKET);
	EXPECT_EQ(-1, tdi_bind_port(fd3, 0));
	EXPECT_EQ(EADDRINUSE, errno);
	close(fd1);
	ASSERT_EQ(0, tdi_bind_port(fd3, 0));
	EXPECT_EQ(50000, tdi_port(fd3));

	/* Ports outside the range may still be bound by number. */
	fd1 = tdi_open(_metadata, variant->type);
	EXPECT_EQ(0, tdi_bind_port(fd1, 49999));
	close(fd1);
	close(fd2);
	close(fd3);
}

/*
 * Connections and data transfer are not implemented yet: each call says so,
 * unbound and bound alike.
 */
/*
 * Address objects carry no connections: every connection operation on
 * SOCK_DGRAM says so.  A datagram needs a destination node (EDESTADDRREQ
 * without one), and none has come (EAGAIN); tdi_semantics tests the
 * datagrams themselves.  Endpoints that are not connected answer with the
 * errno of their state.
 */
static void tdi_dgram_unsupported(struct __test_metadata *_metadata, int fd)
{
	struct sockaddr_tdi sa;
	char buf[16] = "tdi";
	int opt;

	tdi_sa_init(&sa, 6001);
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, listen(fd, 1));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, accept(fd, NULL, NULL));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, send(fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EDESTADDRREQ, errno);
	EXPECT_EQ(-1, sendto(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EDESTADDRREQ, errno);
	EXPECT_EQ(-1, send(fd, buf, sizeof(buf), MSG_OOB));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, recv(fd, buf, sizeof(buf), MSG_OOB));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, shutdown(fd, SHUT_RDWR));
	EXPECT_EQ(EOPNOTSUPP, errno);
	opt = 1;
	EXPECT_EQ(-1, setsockopt(fd, SOL_TDI, TDI_QUERY_ACCEPT, &opt,
				 sizeof(opt)));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

TEST_F(tdi, unconnected_ops)
{
	struct sockaddr_tdi sa;
	char buf[16] = "tdi";

	if (variant->type == SOCK_DGRAM) {
		tdi_dgram_unsupported(_metadata, self->fd);
		ASSERT_EQ(0, tdi_bind_port(self->fd, 6002));
		tdi_dgram_unsupported(_metadata, self->fd);
		return;
	}
	EXPECT_EQ(-1, send(self->fd, buf, sizeof(buf),
			   MSG_DONTWAIT | MSG_NOSIGNAL));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, recv(self->fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, send(self->fd, buf, sizeof(buf), MSG_OOB | MSG_NOSIGNAL));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, recv(self->fd, buf, sizeof(buf), MSG_OOB));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, shutdown(self->fd, SHUT_WR));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, shutdown(self->fd, 7));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, accept(self->fd, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	tdi_sa_init(&sa, 6003);
	EXPECT_EQ(-1, sendto(self->fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

/* connect() checks its address before anything else. */
TEST_F(tdi, connect_bad_address)
{
	struct sockaddr_tdi sa;

	if (variant->type == SOCK_DGRAM)
		SKIP(return, "datagrams do not connect yet");
	tdi_sa_init(&sa, 6004);
	EXPECT_EQ(-1, connect(self->fd, (struct sockaddr *)&sa,
			      sizeof(sa) - 1));
	EXPECT_EQ(EINVAL, errno);
	sa.stdi_family = AF_INET;
	EXPECT_EQ(-1, connect(self->fd, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	tdi_sa_init(&sa, 0);
	EXPECT_EQ(-1, connect(self->fd, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EINVAL, errno);
	/* a fresh namespace has only lo: no device can carry tdi */
	tdi_sa_init(&sa, 6004);
	EXPECT_EQ(-1, connect(self->fd, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(ENETUNREACH, errno);
	sa.stdi_ifindex = 1;
	EXPECT_EQ(-1, connect(self->fd, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(ENODEV, errno);
}

/* listen() on an endpoint without an address gives it an ephemeral port. */
TEST_F(tdi, listen_autobind)
{
	struct sockaddr_tdi sa;
	socklen_t len = sizeof(sa);

	if (variant->type == SOCK_DGRAM)
		SKIP(return, "address objects do not listen");
	ASSERT_EQ(0, listen(self->fd, 4));
	ASSERT_EQ(0, getsockname(self->fd, (struct sockaddr *)&sa, &len));
	EXPECT_GE(ntohs(sa.stdi_port), 49152);
	/* SOCK_NONBLOCK of accept4() is for the new socket: the listener's
	 * own O_NONBLOCK decides whether accept() waits
	 */
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, accept4(self->fd, NULL, NULL, SOCK_NONBLOCK));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, accept(self->fd, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
	/* a listener neither connects nor exchanges data */
	tdi_sa_init(&sa, 6005);
	EXPECT_EQ(-1, connect(self->fd, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, recv(self->fd, &len, 1, 0));
	EXPECT_EQ(ENOTCONN, errno);
}

/*
 * Options: the queries work on any endpoint; TDI_ACCEPT and TDI_REJECT
 * take no value and need an offer (EINVAL here; query-accept itself,
 * association, TDI_CONNECTION_CONTEXT, TDI_LISTEN_FILTER and user data:
 * tdi_semantics); an address object has none of the endpoint options;
 * other numbers and levels are unknown.
 */
TEST_F(tdi, sockopt)
{
	static const int unknown[] = { 0, TDI_PROVIDER_INFO + 1, 99, -1 };
	struct tdi_provider_info pi;
	struct tdi_info info;
	unsigned char buf[256];
	socklen_t len;
	unsigned int i;
	int opt, val;

	memset(buf, 0, sizeof(buf));
	for (opt = TDI_ASSOCIATE_ADDRESS; opt <= TDI_PROVIDER_INFO; opt++) {
		/* association, the context, filters, user data: tdi_semantics */
		bool ep = variant->type != SOCK_DGRAM;

		if (opt != TDI_QUERY_ACCEPT && opt != TDI_DISCONNECT_REASON &&
		    opt < TDI_ACCEPT)
			continue;
		if (ep && opt == TDI_QUERY_ACCEPT)
			continue;
		EXPECT_EQ(-1, setsockopt(self->fd, SOL_TDI, opt, buf,
					 sizeof(int)));
		if (ep && (opt == TDI_ACCEPT || opt == TDI_REJECT)) {
			EXPECT_EQ(EINVAL, errno);	/* a value */
			EXPECT_EQ(-1, setsockopt(self->fd, SOL_TDI, opt,
						 NULL, 0));
			EXPECT_EQ(EINVAL, errno);	/* no offer */
		} else {
			EXPECT_EQ(EOPNOTSUPP, errno) {
				TH_LOG("setsockopt %d: %s", opt,
				       strerror(errno));
			}
		}
		if (opt == TDI_DISCONNECT_REASON || opt == TDI_INFO ||
		    opt == TDI_PROVIDER_INFO)
			continue;
		len = sizeof(buf);
		EXPECT_EQ(-1, getsockopt(self->fd, SOL_TDI, opt, buf, &len));
		EXPECT_EQ(EOPNOTSUPP, errno) {
			TH_LOG("getsockopt %d: %s", opt, strerror(errno));
		}
	}
	len = sizeof(val);
	val = -1;
	EXPECT_EQ(0, getsockopt(self->fd, SOL_TDI, TDI_DISCONNECT_REASON, &val,
				&len));
	EXPECT_EQ(TDI_REASON_NONE, val);
	len = 2;
	EXPECT_EQ(-1, getsockopt(self->fd, SOL_TDI, TDI_DISCONNECT_REASON,
				 &val, &len));
	EXPECT_EQ(EINVAL, errno);
	len = sizeof(info);
	memset(&info, 0xff, sizeof(info));
	EXPECT_EQ(0, getsockopt(self->fd, SOL_TDI, TDI_INFO, &info, &len));
	EXPECT_EQ(sizeof(info), len);
	EXPECT_EQ(TDI_STATE_IDLE, info.state);
	EXPECT_EQ(0, info.bytes_sent);
	len = sizeof(info) - 1;
	EXPECT_EQ(-1, getsockopt(self->fd, SOL_TDI, TDI_INFO, &info, &len));
	EXPECT_EQ(EINVAL, errno);
	len = sizeof(pi);
	EXPECT_EQ(0, getsockopt(self->fd, SOL_TDI, TDI_PROVIDER_INFO, &pi,
				&len));
	EXPECT_EQ(1 << 8, pi.version);
	EXPECT_GE(pi.max_expedited, 1024);
	EXPECT_EQ(128, pi.max_user_data);
	EXPECT_TRUE(pi.service_flags & TDI_SERVICE_CONNECTION_MODE);
	EXPECT_TRUE(pi.service_flags & TDI_SERVICE_ORDERLY_RELEASE);
	EXPECT_TRUE(pi.service_flags & TDI_SERVICE_EXPEDITED_DATA);
	EXPECT_TRUE(pi.service_flags & TDI_SERVICE_MESSAGE_MODE);
	EXPECT_TRUE(pi.service_flags & TDI_SERVICE_CONNECTIONLESS_MODE);
	EXPECT_TRUE(pi.service_flags & TDI_SERVICE_BROADCAST_SUPPORTED);
	/* no device in this namespace: what every usable device carries */
	EXPECT_EQ(1280 - 44, pi.max_datagram);
	EXPECT_TRUE(pi.service_flags & TDI_SERVICE_DELAYED_ACCEPTANCE);

	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		opt = unknown[i];
		EXPECT_EQ(-1, setsockopt(self->fd, SOL_TDI, opt, buf,
					 sizeof(int)));
		EXPECT_EQ(ENOPROTOOPT, errno) {
			TH_LOG("setsockopt %d: %s", opt, strerror(errno));
		}
		len = sizeof(buf);
		EXPECT_EQ(-1, getsockopt(self->fd, SOL_TDI, opt, buf, &len));
		EXPECT_EQ(ENOPROTOOPT, errno) {
			TH_LOG("getsockopt %d: %s", opt, strerror(errno));
		}
	}
	/* Another level, even with a known option number. */
	for (opt = TDI_ASSOCIATE_ADDRESS; opt <= 99; opt += 98) {
		EXPECT_EQ(-1, setsockopt(self->fd, 9999, opt, buf,
					 sizeof(int)));
		EXPECT_EQ(ENOPROTOOPT, errno) {
			TH_LOG("level 9999 setsockopt %d: %s", opt,
			       strerror(errno));
		}
		len = sizeof(buf);
		EXPECT_EQ(-1, getsockopt(self->fd, 9999, opt, buf, &len));
		EXPECT_EQ(ENOPROTOOPT, errno) {
			TH_LOG("level 9999 getsockopt %d: %s", opt,
			       strerror(errno));
		}
	}
}

/*
 * Every length a caller can pass to the queries: a short buffer gets
 * EINVAL and nothing written; a long one gets exactly the option's size,
 * the returned length says so, and nothing past it is written.
 */
TEST_F(tdi, sockopt_lengths)
{
	static const struct { int opt; int size; } opts[] = {
		{ TDI_DISCONNECT_REASON, sizeof(int) },
		{ TDI_INFO, sizeof(struct tdi_info) },
		{ TDI_PROVIDER_INFO, sizeof(struct tdi_provider_info) },
	};
	static unsigned char buf[4096 + 64];
	unsigned int i, j, k;

	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		int size = opts[i].size;
		int lens[] = { 0, 1, size - 1, size, size + 1, 4096 };

		for (j = 0; j < ARRAY_SIZE(lens); j++) {
			socklen_t len = lens[j];
			int ret;

			memset(buf, 0xaa, sizeof(buf));
			ret = getsockopt(self->fd, SOL_TDI, opts[i].opt, buf,
					 &len);
			if (lens[j] < size) {
				EXPECT_EQ(-1, ret);
				EXPECT_EQ(EINVAL, errno);
				EXPECT_EQ(lens[j], len);
				k = 0;
			} else {
				EXPECT_EQ(0, ret) {
					TH_LOG("opt %d len %d: %s", opts[i].opt,
					       lens[j], strerror(errno));
				}
				EXPECT_EQ(size, len);
				k = size;
			}
			for (; k < sizeof(buf); k++)
				if (buf[k] != 0xaa)
					break;
			EXPECT_EQ(sizeof(buf), k) {
				TH_LOG("opt %d len %d: byte %u written",
				       opts[i].opt, lens[j], k);
			}
		}
	}
}

/*
 * SIOCTDILISTEN: EOPNOTSUPP on an address object, EINVAL on an endpoint
 * with no address object (the rest: tdi_semantics).  SIOCTDIDISCONNECT:
 * EOPNOTSUPP on an address object; on an endpoint EFAULT, EINVAL for flags other than
 * exactly one of RELEASE and ABORT or a time-out below -1 (checked before
 * the state), ENOTCONN with no connection.
 */
TEST_F(tdi, ioctl)
{
	static const __u32 bad_flags[] = {
		0, TDI_DISCONNECT_ABORT | TDI_DISCONNECT_RELEASE, 1, 8,
		TDI_DISCONNECT_RELEASE | 0x100, 0xffffffff,
	};
	struct tdi_disconnect disc = { .flags = TDI_DISCONNECT_RELEASE };
	int dgram = variant->type == SOCK_DGRAM;
	struct tdi_listen lis;
	unsigned int i;

	memset(&lis, 0, sizeof(lis));
	EXPECT_EQ(-1, ioctl(self->fd, SIOCTDILISTEN, &lis));
	EXPECT_EQ(dgram ? EOPNOTSUPP : EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SIOCTDIDISCONNECT, &disc));
	EXPECT_EQ(dgram ? EOPNOTSUPP : ENOTCONN, errno);
	ASSERT_EQ(0, tdi_bind_port(self->fd, 6006));
	/* bound: a bad time-out is EINVAL before anything waits */
	lis.timeout_ms = -2;
	EXPECT_EQ(-1, ioctl(self->fd, SIOCTDILISTEN, &lis));
	EXPECT_EQ(dgram ? EOPNOTSUPP : EINVAL, errno);
	lis.timeout_ms = 0;
	disc.flags = TDI_DISCONNECT_ABORT;
	EXPECT_EQ(-1, ioctl(self->fd, SIOCTDIDISCONNECT, &disc));
	EXPECT_EQ(dgram ? EOPNOTSUPP : ENOTCONN, errno);
	if (dgram)
		return;
	EXPECT_EQ(-1, ioctl(self->fd, SIOCTDIDISCONNECT, NULL));
	EXPECT_EQ(EFAULT, errno);
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		disc.flags = bad_flags[i];
		disc.timeout_ms = 0;
		EXPECT_EQ(-1, ioctl(self->fd, SIOCTDIDISCONNECT, &disc));
		EXPECT_EQ(EINVAL, errno) TH_LOG("flags %#x", bad_flags[i]);
	}
	disc.flags = TDI_DISCONNECT_RELEASE;
	disc.timeout_ms = -2;
	EXPECT_EQ(-1, ioctl(self->fd, SIOCTDIDISCONNECT, &disc));
	EXPECT_EQ(EINVAL, errno);
	disc.timeout_ms = INT_MIN;
	EXPECT_EQ(-1, ioctl(self->fd, SIOCTDIDISCONNECT, &disc));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, listen(self->fd, 4));
	disc.timeout_ms = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SIOCTDIDISCONNECT, &disc));
	EXPECT_EQ(ENOTCONN, errno);
}

/* SIOCINQ/SIOCOUTQ: 0 on an idle endpoint, EINVAL on a listener. */
TEST_F(tdi, ioctl_queues)
{
	int n = -1;

	if (variant->type == SOCK_DGRAM) {
		EXPECT_EQ(-1, ioctl(self->fd, SIOCINQ, &n));
		EXPECT_EQ(EOPNOTSUPP, errno);
		return;
	}
	EXPECT_EQ(0, ioctl(self->fd, SIOCINQ, &n));
	EXPECT_EQ(0, n);
	n = -1;
	EXPECT_EQ(0, ioctl(self->fd, SIOCOUTQ, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(-1, ioctl(self->fd, SIOCINQ, (int *)8));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, tdi_bind_port(self->fd, 6007));
	ASSERT_EQ(0, listen(self->fd, 1));
	EXPECT_EQ(-1, ioctl(self->fd, SIOCINQ, &n));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SIOCOUTQ, &n));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * Nothing to read, no error: an endpoint shows no event at all; an
 * address object may always send a datagram (POLLOUT).
 */
TEST_F(tdi, poll)
{
	struct pollfd pfd = {
		.fd = self->fd,
		.events = POLLIN | POLLOUT | POLLPRI | POLLRDHUP,
	};
	short want = variant->type == SOCK_DGRAM ? POLLOUT : 0;

	EXPECT_EQ(!!want, poll(&pfd, 1, 0));
	EXPECT_EQ(want, pfd.revents);
	ASSERT_EQ(0, tdi_bind_port(self->fd, 6007));
	pfd.revents = 0;
	EXPECT_EQ(!!want, poll(&pfd, 1, 0));
	EXPECT_EQ(want, pfd.revents);
}

TEST_F(tdi, proc_unbound)
{
	struct tdi_proc_sock want;
	struct tdi_proc p;

	tdi_proc_get(_metadata, &p);
	EXPECT_EQ(1, p.n);
	tdi_want(&want, self->fd, variant->name, "IDLE");
	tdi_expect_proc(_metadata, &want);
}

TEST_F(tdi, proc_bound)
{
	struct tdi_proc_sock want;
	struct sockaddr_tdi sa;

	tdi_sa_init(&sa, 6008);
	tdi_sa_name(&sa, "PROCNAME");
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa));
	tdi_want(&want, self->fd, variant->name, "BOUND");
	want.port = 6008;
	strcpy(want.name, "PROCNAME");
	tdi_expect_proc(_metadata, &want);
}

/* A closed socket disappears from /proc/net/tdi. */
TEST_F(tdi, proc_close)
{
	unsigned long ino1, ino2;
	struct tdi_proc p;
	int fd;

	fd = tdi_open(_metadata, variant->type);
	ASSERT_EQ(0, tdi_bind_port(fd, 6009));
	ino1 = tdi_ino(self->fd);
	ino2 = tdi_ino(fd);
	ASSERT_NE(ino1, ino2);

	tdi_proc_get(_metadata, &p);
	EXPECT_EQ(2, p.n);
	EXPECT_NE(NULL, tdi_proc_find(&p, ino1));
	EXPECT_NE(NULL, tdi_proc_find(&p, ino2));

	close(fd);
	tdi_proc_get(_metadata, &p);
	EXPECT_EQ(1, p.n);
	EXPECT_NE(NULL, tdi_proc_find(&p, ino1));

	close(self->fd);
	self->fd = -1;
	tdi_proc_get(_metadata, &p);
	EXPECT_EQ(0, p.n);
}

/* The Uid column is the socket owner's. */
TEST_F(tdi, proc_uid)
{
	struct tdi_proc_sock want;
	int up[2], down[2], fd;
	unsigned long ino;
	struct tdi_res r;
	struct tdi_proc p;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(up[0]);
		close(down[1]);
		if (tdi_drop_privs())
			_exit(1);
		fd = socket(AF_TDI, variant->type, 0);
		tdi_report(up[1], fd < 0 ? -1 : 0);
		ino = tdi_ino(fd);
		if (write(up[1], &ino, sizeof(ino)) != sizeof(ino))
			_exit(1);
		/* Hold the socket until the parent has looked. */
		if (read(down[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	ASSERT_EQ(sizeof(r), tdi_read_full(up[0], &r, sizeof(r)));
	ASSERT_EQ(0, r.ret) {
		TH_LOG("socket as nobody: %s", strerror(r.err));
	}
	ASSERT_EQ(sizeof(ino), tdi_read_full(up[0], &ino, sizeof(ino)));

	tdi_proc_get(_metadata, &p);
	EXPECT_EQ(2, p.n);
	tdi_want(&want, self->fd, variant->name, "IDLE");
	tdi_expect_proc(_metadata, &want);
	want.ino = ino;
	want.uid = NOBODY;
	tdi_expect_proc(_metadata, &want);

	close(down[1]);
	close(up[0]);
	tdi_wait_child(_metadata, pid);
}

/* The same behaviours, with Ethernet devices in the namespace. */
FIXTURE(tdi_veth)
{
	int fd;
	int ifa;	/* tdiva, VETH_A_MAC */
	int ifb;	/* tdivb, VETH_B_MAC */
};

FIXTURE_VARIANT(tdi_veth)
{
	int type;
	const char *name;
};

FIXTURE_VARIANT_ADD(tdi_veth, dgram)
{
	.type = SOCK_DGRAM,
	.name = "dgram",
};

FIXTURE_VARIANT_ADD(tdi_veth, stream)
{
	.type = SOCK_STREAM,
	.name = "stream",
};

FIXTURE_VARIANT_ADD(tdi_veth, seqpacket)
{
	.type = SOCK_SEQPACKET,
	.name = "seqpacket",
};

FIXTURE_SETUP(tdi_veth)
{
	tdi_case_filter(_metadata->name);
	self->fd = -1;
	tdi_unshare(_metadata);
	tdi_veth(_metadata, &self->ifa, &self->ifb);
	self->fd = tdi_open(_metadata, variant->type);
}

FIXTURE_TEARDOWN(tdi_veth)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* A node address of any Ethernet device of the namespace will do. */
TEST_F(tdi_veth, bind_node)
{
	struct tdi_proc_sock want;
	struct sockaddr_tdi sa;
	int fd;

	tdi_sa_init(&sa, 7000);
	memcpy(sa.stdi_node, mac_a, sizeof(sa.stdi_node));
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa)) {
		TH_LOG("bind: %s", strerror(errno));
	}
	tdi_expect_name(_metadata, self->fd, &sa);
	tdi_want(&want, self->fd, variant->name, "BOUND");
	want.port = 7000;
	strcpy(want.node, VETH_A_MAC);
	tdi_expect_proc(_metadata, &want);

	fd = tdi_open(_metadata, variant->type);
	tdi_sa_init(&sa, 7001);
	memcpy(sa.stdi_node, mac_b, sizeof(sa.stdi_node));
	EXPECT_EQ(0, tdi_bind_sa(fd, &sa)) {
		TH_LOG("the peer's address: %s", strerror(errno));
	}
	tdi_expect_name(_metadata, fd, &sa);
	close(fd);
}

TEST_F(tdi_veth, bind_node_unknown)
{
	struct sockaddr_tdi sa;

	tdi_sa_init(&sa, 7002);
	memcpy(sa.stdi_node, mac_none, sizeof(sa.stdi_node));
	EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
}

TEST_F(tdi_veth, bind_ifindex)
{
	struct tdi_proc_sock want;
	struct sockaddr_tdi sa;

	tdi_sa_init(&sa, 7003);
	tdi_sa_name(&sa, "VETH");
	sa.stdi_ifindex = self->ifa;
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa)) {
		TH_LOG("bind: %s", strerror(errno));
	}
	tdi_expect_name(_metadata, self->fd, &sa);
	tdi_want(&want, self->fd, variant->name, "BOUND");
	want.port = 7003;
	want.ifindex = self->ifa;
	strcpy(want.name, "VETH");
	tdi_expect_proc(_metadata, &want);
}

TEST_F(tdi_veth, bind_ifindex_node)
{
	struct tdi_proc_sock want;
	struct sockaddr_tdi sa;
	int fd;

	tdi_sa_init(&sa, 7004);
	sa.stdi_ifindex = self->ifa;
	memcpy(sa.stdi_node, mac_a, sizeof(sa.stdi_node));
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa)) {
		TH_LOG("bind: %s", strerror(errno));
	}
	tdi_expect_name(_metadata, self->fd, &sa);
	tdi_want(&want, self->fd, variant->name, "BOUND");
	want.port = 7004;
	want.ifindex = self->ifa;
	strcpy(want.node, VETH_A_MAC);
	tdi_expect_proc(_metadata, &want);

	fd = tdi_open(_metadata, variant->type);
	tdi_sa_init(&sa, 7005);
	sa.stdi_ifindex = self->ifb;
	memcpy(sa.stdi_node, mac_b, sizeof(sa.stdi_node));
	EXPECT_EQ(0, tdi_bind_sa(fd, &sa)) {
		TH_LOG("bind: %s", strerror(errno));
	}
	tdi_expect_name(_metadata, fd, &sa);
	close(fd);
}

/* With an interface, the node address must be that interface's. */
TEST_F(tdi_veth, bind_ifindex_wrong_node)
{
	struct sockaddr_tdi sa;
	int lo;

	tdi_sa_init(&sa, 7006);
	sa.stdi_ifindex = self->ifa;
	memcpy(sa.stdi_node, mac_b, sizeof(sa.stdi_node));
	EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	memcpy(sa.stdi_node, mac_none, sizeof(sa.stdi_node));
	EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	sa.stdi_ifindex = self->ifb;
	memcpy(sa.stdi_node, mac_a, sizeof(sa.stdi_node));
	EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(EADDRNOTAVAIL, errno);

	/* The interface is checked first. */
	lo = if_nametoindex("lo");
	ASSERT_LT(0, lo);
	sa.stdi_ifindex = lo;
	EXPECT_EQ(-1, tdi_bind_sa(self->fd, &sa));
	EXPECT_EQ(ENODEV, errno);

	tdi_sa_init(&sa, 7006);
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa));
}

/* The port space is the namespace's, whatever the node or interface. */
TEST_F(tdi_veth, bind_port_in_use)
{
	struct sockaddr_tdi sa;
	unsigned int i;
	int fd;

	tdi_sa_init(&sa, 7007);
	sa.stdi_ifindex = self->ifa;
	memcpy(sa.stdi_node, mac_a, sizeof(sa.stdi_node));
	ASSERT_EQ(0, tdi_bind_sa(self->fd, &sa));
	for (i = 0; i < ARRAY_SIZE(tdi_types); i++) {
		fd = tdi_open(_metadata, tdi_types[i]);
		tdi_sa_init(&sa, 7007);
		sa.stdi_ifindex = self->ifb;
		memcpy(sa.stdi_node, mac_b, sizeof(sa.stdi_node));
		EXPECT_EQ(-1, tdi_bind_sa(fd, &sa));
		EXPECT_EQ(EADDRINUSE, errno) {
			TH_LOG("type %d", tdi_types[i]);
		}
		tdi_sa_init(&sa, 7007);
		EXPECT_EQ(-1, tdi_bind_sa(fd, &sa));
		EXPECT_EQ(EADDRINUSE, errno) {
			TH_LOG("type %d, any node", tdi_types[i]);
		}
		close(fd);
	}
}

/* Devices of another namespace are not there. */
TEST_F(tdi_veth, other_netns)
{
	struct sockaddr_tdi sa;
	int fd;

	tdi_unshare(_metadata);
	fd = tdi_open(_metadata, variant->type);
	tdi_sa_init(&sa, 7008);
	sa.stdi_ifindex = self->ifa;
	EXPECT_EQ(-1, tdi_bind_sa(fd, &sa));
	EXPECT_EQ(ENODEV, errno);
	tdi_sa_init(&sa, 7008);
	memcpy(sa.stdi_node, mac_a, sizeof(sa.stdi_node));
	EXPECT_EQ(-1, tdi_bind_sa(fd, &sa));
	EXPECT_EQ(EADDRNOTAVAIL, errno);

	/* The socket of the first namespace still has its device. */
	tdi_sa_init(&sa, 7008);
	sa.stdi_ifindex = self->ifa;
	memcpy(sa.stdi_node, mac_a, sizeof(sa.stdi_node));
	EXPECT_EQ(0, tdi_bind_sa(self->fd, &sa)) {
		TH_LOG("bind: %s", strerror(errno));
	}
	close(fd);
}

TEST_HARNESS_MAIN
