// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: sockaddr_tdi validation, bind-address resolution, the port
 * allocator and listen filters.
 */

#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/slab.h>

#include "../tdi.h"

struct tdi_sockaddr_case {
	const char *desc;
	int len;
	u16 family;
	u8 zero[2];
	char name[TDI_NAME_LEN];
	int err;
};

static const struct tdi_sockaddr_case tdi_sockaddr_cases[] = {
	{ "valid", sizeof(struct sockaddr_tdi), AF_TDI, {}, "", 0 },
	{ "longer than the struct", 128, AF_TDI, {}, "", 0 },
	{ "valid name", sizeof(struct sockaddr_tdi), AF_TDI, {}, "SERVER", 0 },
	{ "name of 16 bytes", sizeof(struct sockaddr_tdi), AF_TDI, {},
	  "0123456789abcdef", 0 },
	{ "short by one", sizeof(struct sockaddr_tdi) - 1, AF_TDI, {}, "",
	  -EINVAL },
	{ "family only", 2, AF_TDI, {}, "", -EINVAL },
	{ "zero length", 0, AF_TDI, {}, "", -EINVAL },
	{ "negative length", -1, AF_TDI, {}, "", -EINVAL },
	{ "AF_INET", sizeof(struct sockaddr_tdi), AF_INET, {}, "",
	  -EAFNOSUPPORT },
	{ "AF_UNSPEC", sizeof(struct sockaddr_tdi), AF_UNSPEC, {}, "",
	  -EAFNOSUPPORT },
	{ "short and wrong family", 4, AF_INET, {}, "", -EINVAL },
	{ "padding byte 0 set", sizeof(struct sockaddr_tdi), AF_TDI, { 1, 0 },
	  "", -EINVAL },
	{ "padding byte 1 set", sizeof(struct sockaddr_tdi), AF_TDI, { 0, 0x80 },
	  "", -EINVAL },
	{ "byte after the name's NUL", sizeof(struct sockaddr_tdi), AF_TDI, {},
	  "AB\0C", -EINVAL },
	{ "last byte after an empty name", sizeof(struct sockaddr_tdi), AF_TDI,
	  {}, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0X", -EINVAL },
};

static void tdi_sockaddr_case_desc(const struct tdi_sockaddr_case *c,
				   char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tdi_sockaddr, tdi_sockaddr_cases, tdi_sockaddr_case_desc);

static void tdi_sockaddr_check_test(struct kunit *test)
{
	const struct tdi_sockaddr_case *c = test->param_value;
	struct sockaddr_tdi sa = {};

	sa.stdi_family = c->family;
	sa.stdi_port = htons(5000);
	memcpy(sa.stdi_zero, c->zero, sizeof(sa.stdi_zero));
	memcpy(sa.stdi_name, c->name, TDI_NAME_LEN);
	KUNIT_EXPECT_EQ(test, tdi_sockaddr_check(&sa, c->len), c->err);
}

static struct sockaddr_tdi tdi_test_sa(int ifindex, const u8 *node)
{
	struct sockaddr_tdi sa = { .stdi_family = AF_TDI };

	sa.stdi_ifindex = ifindex;
	if (node)
		ether_addr_copy(sa.stdi_node, node);
	return sa;
}

static void tdi_resolve_any_test(struct kunit *test)
{
	struct sockaddr_tdi sa = tdi_test_sa(0, NULL);

	KUNIT_EXPECT_EQ(test, tdi_addr_resolve(&init_net, &sa), 0);
}

static void tdi_resolve_bad_ifindex_test(struct kunit *test)
{
	struct sockaddr_tdi sa = tdi_test_sa(INT_MAX, NULL);

	KUNIT_EXPECT_EQ(test, tdi_addr_resolve(&init_net, &sa), -ENODEV);
	sa.stdi_ifindex = -5;
	KUNIT_EXPECT_EQ(test, tdi_addr_resolve(&init_net, &sa), -ENODEV);
}

static void tdi_resolve_not_ether_test(struct kunit *test)
{
	struct sockaddr_tdi sa = tdi_test_sa(LOOPBACK_IFINDEX, NULL);

	/* lo exists in every namespace but carries no tdi frames */
	KUNIT_EXPECT_EQ(test, tdi_addr_resolve(&init_net, &sa), -ENODEV);
}

static void tdi_resolve_foreign_node_test(struct kunit *test)
{
	/* a locally administered address no device of the guest has */
	static const u8 node[ETH_ALEN] = { 0x02, 0x7d, 0x1e, 0x00, 0xbe, 0xef };
	struct sockaddr_tdi sa = tdi_test_sa(0, node);

	KUNIT_EXPECT_EQ(test, tdi_addr_resolve(&init_net, &sa),
			-EADDRNOTAVAIL);
}

static struct kunit_case tdi_sockaddr_test_cases[] = {
	KUNIT_CASE_PARAM(tdi_sockaddr_check_test, tdi_sockaddr_gen_params),
	KUNIT_CASE(tdi_resolve_any_test),
	KUNIT_CASE(tdi_resolve_bad_ifindex_test),
	KUNIT_CASE(tdi_resolve_not_ether_test),
	KUNIT_CASE(tdi_resolve_foreign_node_test),
	{}
};

static struct kunit_suite tdi_sockaddr_suite = {
	.name = "tdi_sockaddr",
	.test_cases = tdi_sockaddr_test_cases,
};

/* The port allocator works on a private table, never the live ones. */
struct tdi_ports_ctx {
	struct tdi_ports ports;
};

static int tdi_ports_test_init(struct kunit *test)
{
	struct tdi_ports_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	tdi_ports_init(&ctx->ports);
	test->priv = ctx;
	return 0;
}

static void tdi_ports_test_exit(struct kunit *test)
{
	struct tdi_ports_ctx *ctx = test->priv;
	struct hlist_node *tmp;
	struct tdi_addr *a;
	unsigned int i;

	for (i = 0; i < TDI_PORT_HASH_SIZE; i++)
		hlist_for_each_entry_safe(a, tmp, &ctx->ports.hash[i], node)
			tdi_ports_remove(&ctx->ports, a);
	synchronize_rcu();
}

static struct tdi_addr *tdi_test_addr(struct kunit *test, u16 port,
				      const char *name)
{
	struct tdi_addr *a;

	a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	refcount_set(&a->ref, 1);
	a->port = port;
	strscpy_pad(a->name, name, TDI_NAME_LEN);
	return a;
}

#define RANGE(lo, hi) ((u32)(lo) << 16 | (hi))

static int tdi_test_insert(struct kunit *test, u16 port, const char *name,
			   u32 range, u32 seed, u16 *got)
{
	struct tdi_ports_ctx *ctx = test->priv;
	struct tdi_addr *a = tdi_test_addr(test, port, name);
	int err;

	err = tdi_ports_insert(&ctx->ports, a, range, seed);
	if (got)
		*got = a->port;
	return err;
}

static void tdi_ports_fixed_test(struct kunit *test)
{
	struct tdi_ports_ctx *ctx = test->priv;
	u16 got;

	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 5000, "", 0, 0, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 5000);
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 5000, "", 0, 0, NULL),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 5001, "", 0, 0, NULL), 0);
	/* ports that share a hash bucket stay distinct */
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 5000 + TDI_PORT_HASH_SIZE,
					      "", 0, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, ctx->ports.count, 3U);
}

static void tdi_ports_ephemeral_test(struct kunit *test)
{
	u16 got;

	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 0, "", RANGE(2000, 2009),
					      7, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 2007);
	/* the next search from the same seed skips the taken port */
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 0, "", RANGE(2000, 2009),
					      7, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 2008);
	/* a seed past the range wraps into it */
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 0, "", RANGE(2000, 2009),
					      10, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 2000);
}

static void tdi_ports_wrap_test(struct kunit *test)
{
	u16 got;

	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 2009, "", 0, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 0, "", RANGE(2000, 2009),
					      9, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 2000);
}

static void tdi_ports_exhausted_test(struct kunit *test)
{
	u16 seen = 0, got;
	int i;

	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_EQ(test, tdi_test_insert(test, 0, "",
						      RANGE(3000, 3003),
						      i * 3, &got), 0);
		KUNIT_EXPECT_GE(test, got, 3000);
		KUNIT_EXPECT_LE(test, got, 3003);
		KUNIT_EXPECT_FALSE(test, seen & BIT(got - 3000));
		seen |= BIT(got - 3000);
	}
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 0, "", RANGE(3000, 3003),
					      1, NULL), -EADDRINUSE);
	/* a fixed port outside the range is still free */
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 3004, "", 0, 0, NULL), 0);
}

static void tdi_ports_single_test(struct kunit *test)
{
	u16 got;

	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 0, "", RANGE(65535, 65535),
					      12345, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 65535);
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 0, "", RANGE(65535, 65535),
					      0, NULL), -EADDRINUSE);
}

static void tdi_ports_bad_range_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 0, "", RANGE(3000, 2000),
					      0, NULL), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 0, "", RANGE(0, 0),
					      0, NULL), -EADDRINUSE);
}

static void tdi_ports_name_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 4000, "SERVER", 0, 0,
					      NULL), 0);
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 4001, "SERVER", 0, 0,
					      NULL), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 4001, "SERVER2", 0, 0,
					      NULL), 0);
	/* unnamed addresses never clash by name */
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 4002, "", 0, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 4003, "", 0, 0, NULL), 0);
}

static void tdi_ports_lookup_test(struct kunit *test)
{
	struct tdi_ports_ctx *ctx = test->priv;
	struct tdi_addr *a = tdi_test_addr(test, 6000, "");
	struct tdi_addr *found;

	KUNIT_ASSERT_EQ(test, tdi_ports_insert(&ctx->ports, a, 0, 0), 0);
	found = tdi_ports_lookup(&ctx->ports, 6000);
	KUNIT_EXPECT_PTR_EQ(test, found, a);
	KUNIT_EXPECT_EQ(test, refcount_read(&a->ref), 2U);
	KUNIT_EXPECT_NULL(test, tdi_ports_lookup(&ctx->ports, 6001));

	/* an object whose last reference is gone is not found */
	refcount_set(&a->ref, 0);
	KUNIT_EXPECT_NULL(test, tdi_ports_lookup(&ctx->ports, 6000));
}

static void tdi_ports_remove_test(struct kunit *test)
{
	struct tdi_ports_ctx *ctx = test->priv;
	struct tdi_addr *a = tdi_test_addr(test, 7000, "NAME");

	KUNIT_ASSERT_EQ(test, tdi_ports_insert(&ctx->ports, a, 0, 0), 0);
	tdi_ports_remove(&ctx->ports, a);
	KUNIT_EXPECT_EQ(test, ctx->ports.count, 0U);
	synchronize_rcu();
	/* both the port and the name are free again */
	KUNIT_EXPECT_EQ(test, tdi_test_insert(test, 7000, "NAME", 0, 0, NULL),
			0);
}

static struct kunit_case tdi_ports_test_cases[] = {
	KUNIT_CASE(tdi_ports_fixed_test),
	KUNIT_CASE(tdi_ports_ephemeral_test),
	KUNIT_CASE(tdi_ports_wrap_test),
	KUNIT_CASE(tdi_ports_exhausted_test),
	KUNIT_CASE(tdi_ports_single_test),
	KUNIT_CASE(tdi_ports_bad_range_test),
	KUNIT_CASE(tdi_ports_name_test),
	KUNIT_CASE(tdi_ports_lookup_test),
	KUNIT_CASE(tdi_ports_remove_test),
	{}
};

static struct kunit_suite tdi_ports_suite = {
	.name = "tdi_ports",
	.init = tdi_ports_test_init,
	.exit = tdi_ports_test_exit,
	.test_cases = tdi_ports_test_cases,
};

/* Listen filters: which offers a filter lets through. */
struct tdi_filter_case {
	const char *desc;
	u8 want[ETH_ALEN];
	u32 bits;
	u16 port;
	u8 node[ETH_ALEN];
	u16 sport;
	bool match;
};

static const struct tdi_filter_case tdi_filter_cases[] = {
	{ "no filter", {}, 0, 0, { 2, 0, 0, 0, 0, 9 }, 7, true },
	{ "0 bits ignore the node", { 0xff, 1, 2, 3, 4, 5 }, 0, 0,
	  { 2, 0, 0, 0, 0, 9 }, 7, true },
	{ "48 bits, same node", { 2, 0, 0, 0, 0, 9 }, 48, 0,
	  { 2, 0, 0, 0, 0, 9 }, 7, true },
	{ "48 bits, last bit differs", { 2, 0, 0, 0, 0, 9 }, 48, 0,
	  { 2, 0, 0, 0, 0, 8 }, 7, false },
	{ "40 bits, last byte differs", { 2, 0, 0, 0, 0, 9 }, 40, 0,
	  { 2, 0, 0, 0, 0, 0xff }, 7, true },
	{ "1 bit: the top bit of byte 0", { 0x80 }, 1, 0,
	  { 0xc0, 0, 0, 0, 0, 1 }, 7, true },
	{ "1 bit differs", { 0x80 }, 1, 0, { 0x40, 0, 0, 0, 0, 1 }, 7, false },
	{ "12 bits match, 13th differs", { 0x12, 0x30 }, 12, 0,
	  { 0x12, 0x38, 0, 0, 0, 1 }, 7, true },
	{ "12 bits, 12th differs", { 0x12, 0x30 }, 12, 0,
	  { 0x12, 0x20, 0, 0, 0, 1 }, 7, false },
	{ "47 bits, last bit free", { 2, 0, 0, 0, 0, 8 }, 47, 0,
	  { 2, 0, 0, 0, 0, 9 }, 7, true },
	{ "port matches", {}, 0, 7, { 2, 0, 0, 0, 0, 9 }, 7, true },
	{ "port differs", {}, 0, 8, { 2, 0, 0, 0, 0, 9 }, 7, false },
	{ "node and port, port differs", { 2, 0, 0, 0, 0, 9 }, 48, 8,
	  { 2, 0, 0, 0, 0, 9 }, 7, false },
};

static void tdi_filter_case_desc(const struct tdi_filter_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tdi_filter, tdi_filter_cases, tdi_filter_case_desc);

static void tdi_filter_match_test(struct kunit *test)
{
	const struct tdi_filter_case *c = test->param_value;
	struct tdi_filter f = {};

	f.remote.stdi_family = AF_TDI;
	memcpy(f.remote.stdi_node, c->want, ETH_ALEN);
	f.node_prefix_bits = c->bits;
	f.port = htons(c->port);
	KUNIT_ASSERT_EQ(test, tdi_filter_check(&f), 0);
	KUNIT_EXPECT_EQ(test, tdi_filter_match(&f, c->node, c->sport), c->match);
}

/* Malformed filters are refused whole. */
static void tdi_filter_check_test(struct kunit *test)
{
	struct tdi_filter f = {};

	KUNIT_EXPECT_EQ(test, tdi_filter_check(&f), 0);	/* all zero: any */
	f.node_prefix_bits = 49;
	KUNIT_EXPECT_EQ(test, tdi_filter_check(&f), -EINVAL);
	f.node_prefix_bits = 48;
	KUNIT_EXPECT_EQ(test, tdi_filter_check(&f), 0);
	f.reserved = 1;
	KUNIT_EXPECT_EQ(test, tdi_filter_check(&f), -EINVAL);
	f.reserved = 0;
	f.remote.stdi_family = AF_INET;
	KUNIT_EXPECT_EQ(test, tdi_filter_check(&f), -EINVAL);
	f.remote.stdi_family = AF_TDI;
	f.remote.stdi_ifindex = 1;
	KUNIT_EXPECT_EQ(test, tdi_filter_check(&f), -EINVAL);
	f.remote.stdi_ifindex = 0;
	f.remote.stdi_name[15] = 'X';
	KUNIT_EXPECT_EQ(test, tdi_filter_check(&f), -EINVAL);
	f.remote.stdi_name[15] = 0;
	f.remote.stdi_zero[1] = 1;
	KUNIT_EXPECT_EQ(test, tdi_filter_check(&f), -EINVAL);
	f.remote.stdi_zero[1] = 0;
	f.remote.stdi_port = htons(5);
	KUNIT_EXPECT_EQ(test, tdi_filter_check(&f), -EINVAL);
	f.port = htons(5);
	KUNIT_EXPECT_EQ(test, tdi_filter_check(&f), 0);
	f.port = htons(6);
	KUNIT_EXPECT_EQ(test, tdi_filter_check(&f), -EINVAL);
}

/* A stand-in listening endpoint: what tdi_addr_listener() looks at. */
static struct tdi_sock *tdi_test_listener(struct kunit *test,
					  struct tdi_addr *a, int type,
					  u16 filter_port)
{
	struct tdi_sock *ts = kunit_kzalloc(test, sizeof(*ts), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ts);
	ts->sk.sk_type = type;
	refcount_set(&ts->sk.sk_refcnt, 1);
	ts->filter.remote.stdi_family = AF_TDI;
	ts->filter.port = htons(filter_port);
	list_add_tail(&ts->listen_node, &a->listeners);
	return ts;
}

/* The choice of listen for an offer: oldest first, of the offer's socket
 * type, whose filter the offer passes; a listen that took its offer
 * leaves the list and the next in line takes the next one (FIFO).
 */
static void tdi_addr_listener_fifo_test(struct kunit *test)
{
	static const u8 node[ETH_ALEN] = { 2, 0, 0, 0, 0, 0xa };
	const int st = SOCK_STREAM, sp = SOCK_SEQPACKET;
	struct tdi_sock *l[4];
	struct tdi_addr *a;

	a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	spin_lock_init(&a->lock);
	INIT_LIST_HEAD(&a->listeners);
	KUNIT_EXPECT_NULL(test, tdi_addr_listener(a, st, node, 7, false));

	l[0] = tdi_test_listener(test, a, st, 9);	/* port 9 only */
	l[1] = tdi_test_listener(test, a, sp, 0);
	l[2] = tdi_test_listener(test, a, st, 0);
	l[3] = tdi_test_listener(test, a, st, 0);

	/* from port 7: not l[0] (filter), not l[1] (type): l[2] */
	KUNIT_EXPECT_PTR_EQ(test, tdi_addr_listener(a, st, node, 7, false),
			    l[2]);
	KUNIT_EXPECT_EQ(test, refcount_read(&l[2]->sk.sk_refcnt), 2);
	/* from port 9: the older l[0] */
	KUNIT_EXPECT_PTR_EQ(test, tdi_addr_listener(a, st, node, 9, false),
			    l[0]);
	KUNIT_EXPECT_PTR_EQ(test, tdi_addr_listener(a, sp, node, 9, false),
			    l[1]);
	/* a cookie's first frame wants a BSD listener: with l[2] a
	 * TDI-form listen, l[3]
	 */
	l[2]->tdi_listen = 1;
	KUNIT_EXPECT_PTR_EQ(test, tdi_addr_listener(a, st, node, 7, true),
			    l[3]);
	KUNIT_EXPECT_PTR_EQ(test, tdi_addr_listener(a, st, node, 7, false),
			    l[2]);
	/* l[2] took its offer: the next from port 7 goes to l[3] */
	list_del_init(&l[2]->listen_node);
	KUNIT_EXPECT_PTR_EQ(test, tdi_addr_listener(a, st, node, 7, false),
			    l[3]);
	list_del_init(&l[3]->listen_node);
	KUNIT_EXPECT_NULL(test, tdi_addr_listener(a, st, node, 7, false));
	list_del_init(&l[1]->listen_node);
	KUNIT_EXPECT_NULL(test, tdi_addr_listener(a, sp, node, 7, false));
}

static struct kunit_case tdi_filter_test_cases[] = {
	KUNIT_CASE_PARAM(tdi_filter_match_test, tdi_filter_gen_params),
	KUNIT_CASE(tdi_filter_check_test),
	KUNIT_CASE(tdi_addr_listener_fifo_test),
	{}
};

static struct kunit_suite tdi_filter_suite = {
	.name = "tdi_filter",
	.test_cases = tdi_filter_test_cases,
};

kunit_test_suites(&tdi_sockaddr_suite, &tdi_ports_suite, &tdi_filter_suite);
