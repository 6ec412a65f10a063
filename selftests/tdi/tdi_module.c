// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of the life of tdi.ko: an open AF_TDI socket pins the module,
 * the module unloads once the last socket is gone (and AF_TDI with it), and
 * it loads again and works.
 *
 * Run as root with tdi.ko loaded and TDI_KO set to its path; without
 * TDI_KO every test is skipped.  Each test leaves the module loaded, even
 * when it fails half way.
 */

#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/tdi.h>

#include "kselftest_harness.h"
#include "tdi_util.h"

#define TDI_PROC	"/proc/net/tdi"
#define TDI_RANGE	"/proc/sys/net/tdi/ephemeral_port_range"

static const int tdi_types[] = { SOCK_DGRAM, SOCK_STREAM, SOCK_SEQPACKET };

struct ko_info {
	int refcnt;
	char users[256];	/* "-" or "mod1,mod2," */
};

/*
 * Look tdi up in /proc/modules.  Returns 1 when it is loaded (and fills
 * @info if not NULL), 0 when it is not, -1 when /proc/modules is unreadable.
 */
static int ko_find(struct ko_info *info)
{
	char name[64], users[256];
	char *line = NULL;
	size_t size = 0;
	int refcnt, ret = 0;
	FILE *f;

	f = fopen("/proc/modules", "r");
	if (!f)
		return -1;
	while (getline(&line, &size, f) > 0) {
		if (sscanf(line, "%63s %*u %d %255s", name, &refcnt, users) != 3)
			continue;
		if (strcmp(name, TDI_MOD))
			continue;
		if (info) {
			info->refcnt = refcnt;
			snprintf(info->users, sizeof(info->users), "%s", users);
		}
		ret = 1;
		break;
	}
	free(line);
	fclose(f);
	return ret;
}

FIXTURE(tdi_mod)
{
	const char *ko;		/* TDI_KO */
	char skip[300];		/* why the test cannot run, or "" */
	int fd;
};

FIXTURE_SETUP(tdi_mod)
{
	struct ko_info info;
	int loaded;

	self->fd = -1;
	self->ko = getenv("TDI_KO");
	if (!self->ko || !*self->ko) {
		self->ko = NULL;
		snprintf(self->skip, sizeof(self->skip),
			 "TDI_KO (the path of tdi.ko) is not set");
		return;
	}
	loaded = ko_find(&info);
	ASSERT_LE(0, loaded) {
		TH_LOG("/proc/modules: %s", strerror(errno));
	}
	if (!loaded) {
		TH_LOG("%s is not loaded: loading %s", TDI_MOD, self->ko);
		ASSERT_EQ(0, ko_load(self->ko)) {
			TH_LOG("finit_module(%s): %s", self->ko,
			       strerror(errno));
		}
		ASSERT_EQ(1, ko_find(&info));
	}
	if (strcmp(info.users, "-")) {
		snprintf(self->skip, sizeof(self->skip),
			 "other modules use %s: %s", TDI_MOD, info.users);
		return;
	}
	/* No socket is open and no module uses it: nothing may hold it. */
	ASSERT_EQ(0, info.refcnt) {
		TH_LOG("%s is held %d times with no socket open: leaked by an earlier test?",
		       TDI_MOD, info.refcnt);
	}
}

FIXTURE_TEARDOWN(tdi_mod)
{
	if (self->fd >= 0)
		close(self->fd);
	if (!self->ko || ko_find(NULL))
		return;
	EXPECT_EQ(0, ko_load(self->ko)) {
		TH_LOG("reloading %s: %s", self->ko, strerror(errno));
	}
}

/* Unload tdi, which must work: no socket is open. */
static void tdi_unload_ok(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, ko_unload()) {
		TH_LOG("delete_module(%s): %s", TDI_MOD, strerror(errno));
	}
	ASSERT_EQ(0, ko_find(NULL));
}

/* With tdi gone, AF_TDI and its files are gone too. */
static void tdi_expect_gone(struct __test_metadata *_metadata)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tdi_types); i++) {
		EXPECT_EQ(-1, socket(AF_TDI, tdi_types[i], 0)) {
			TH_LOG("type %d: AF_TDI still works", tdi_types[i]);
		}
		EXPECT_EQ(EAFNOSUPPORT, errno) {
			TH_LOG("type %d: %s", tdi_types[i], strerror(errno));
		}
	}
	EXPECT_EQ(-1, access(TDI_PROC, F_OK));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, access(TDI_RANGE, F_OK));
	EXPECT_EQ(ENOENT, errno);
}

/* With tdi loaded, sockets of every type work. */
static void tdi_expect_works(struct __test_metadata *_metadata)
{
	struct sockaddr_tdi sa;
	socklen_t len;
	unsigned int i;
	char buf[64];
	int fd;

	for (i = 0; i < ARRAY_SIZE(tdi_types); i++) {
		fd = socket(AF_TDI, tdi_types[i], 0);
		ASSERT_LE(0, fd) {
			TH_LOG("type %d: %s", tdi_types[i], strerror(errno));
		}
		memset(&sa, 0, sizeof(sa));
		sa.stdi_family = AF_TDI;
		ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			TH_LOG("type %d: bind: %s", tdi_types[i],
			       strerror(errno));
		}
		len = sizeof(sa);
		ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sa, &len));
		EXPECT_EQ(AF_TDI, sa.stdi_family);
		EXPECT_NE(0, sa.stdi_port);
		close(fd);
	}
	EXPECT_EQ(0, access(TDI_PROC, R_OK)) {
		TH_LOG("%s: %s", TDI_PROC, strerror(errno));
	}
	fd = open(TDI_RANGE, O_RDONLY);
	ASSERT_LE(0, fd) {
		TH_LOG("%s: %s", TDI_RANGE, strerror(errno));
	}
	memset(buf, 0, sizeof(buf));
	EXPECT_LT(0, read(fd, buf, sizeof(buf) - 1));
	close(fd);
	EXPECT_STREQ("49152\t65535\n", buf);
}

/* Loading it again while it is loaded fails. */
TEST_F(tdi_mod, load_twice)
{
	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	EXPECT_EQ(-1, ko_load(self->ko));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(1, ko_find(NULL));
}

/* An open socket, of any type, bound or not, pins the module. */
TEST_F(tdi_mod, unload_busy)
{
	struct ko_info info;
	struct sockaddr_tdi sa;
	socklen_t len;
	unsigned int i;
	int ret, err;

	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	for (i = 0; i < 2 * ARRAY_SIZE(tdi_types); i++) {
		self->fd = socket(AF_TDI, tdi_types[i % ARRAY_SIZE(tdi_types)], 0);
		ASSERT_LE(0, self->fd) {
			TH_LOG("socket: %s", strerror(errno));
		}
		if (i >= ARRAY_SIZE(tdi_types)) {
			memset(&sa, 0, sizeof(sa));
			sa.stdi_family = AF_TDI;
			ASSERT_EQ(0, bind(self->fd, (struct sockaddr *)&sa,
					  sizeof(sa)));
		}
		ASSERT_EQ(1, ko_find(&info));
		EXPECT_LT(0, info.refcnt);

		ret = ko_unload();
		err = errno;
		ASSERT_EQ(-1, ret) {
			TH_LOG("round %u: tdi unloaded under an open socket",
			       i);
		}
		EXPECT_TRUE(err == EWOULDBLOCK || err == EBUSY) {
			TH_LOG("round %u: %s", i, strerror(err));
		}
		ASSERT_EQ(1, ko_find(NULL));

		/* The socket still works. */
		len = sizeof(sa);
		EXPECT_EQ(0, getsockname(self->fd, (struct sockaddr *)&sa,
					 &len));
		EXPECT_EQ(AF_TDI, sa.stdi_family);
		close(self->fd);
		self->fd = -1;
	}
	ASSERT_EQ(1, ko_find(&info));
	EXPECT_EQ(0, info.refcnt);
}

/* Once the last socket is closed the module unloads, taking AF_TDI along. */
TEST_F(tdi_mod, unload)
{
	struct sockaddr_tdi sa;
	unsigned int i;
	int fds[3];

	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		fds[i] = socket(AF_TDI, tdi_types[i], 0);
		ASSERT_LE(0, fds[i]);
		memset(&sa, 0, sizeof(sa));
		sa.stdi_family = AF_TDI;
		sa.stdi_port = htons(5000 + i);
		ASSERT_EQ(0, bind(fds[i], (struct sockaddr *)&sa, sizeof(sa)));
	}
	for (i = 0; i < ARRAY_SIZE(fds); i++)
		close(fds[i]);
	tdi_unload_ok(_metadata);
	tdi_expect_gone(_metadata);
}

/* Loaded again, it works as new. */
TEST_F(tdi_mod, reload)
{
	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	self->fd = socket(AF_TDI, SOCK_DGRAM, 0);
	ASSERT_LE(0, self->fd);
	close(self->fd);
	self->fd = -1;
	tdi_unload_ok(_metadata);
	tdi_expect_gone(_metadata);

	ASSERT_EQ(0, ko_load(self->ko)) {
		TH_LOG("finit_module(%s): %s", self->ko, strerror(errno));
	}
	ASSERT_EQ(1, ko_find(NULL));
	tdi_expect_works(_metadata);

	/* And it unloads and loads once more. */
	tdi_unload_ok(_metadata);
	ASSERT_EQ(0, ko_load(self->ko)) {
		TH_LOG("finit_module(%s): %s", self->ko, strerror(errno));
	}
	tdi_expect_works(_metadata);
}

/*
 * Unload and reload while another network namespace lives: its tdi state
 * goes with the module and comes back with it.
 */
TEST_F(tdi_mod, reload_netns)
{
	struct sockaddr_tdi sa;

	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) {
		TH_LOG("unshare(CLONE_NEWNET): %s", strerror(errno));
	}
	self->fd = socket(AF_TDI, SOCK_STREAM, 0);
	ASSERT_LE(0, self->fd);
	memset(&sa, 0, sizeof(sa));
	sa.stdi_family = AF_TDI;
	ASSERT_EQ(0, bind(self->fd, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(-1, ko_unload());
	close(self->fd);
	self->fd = -1;

	tdi_unload_ok(_metadata);
	tdi_expect_gone(_metadata);
	ASSERT_EQ(0, ko_load(self->ko)) {
		TH_LOG("finit_module(%s): %s", self->ko, strerror(errno));
	}
	tdi_expect_works(_metadata);
}

TEST_HARNESS_MAIN
