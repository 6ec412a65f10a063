// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the in-kernel client API (include/net/tdi.h) with no userland.
 * Each case registers a loopback Ethernet device of its own (what it sends
 * to its own address comes back in through netif_rx()) and runs a client
 * and a server on it, in the initial namespace: completions exactly once
 * (also before the call returns), the order of handlers, cancellation at
 * close, datagrams, and the errors of requests made in the wrong state.
 */

#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <net/tdi.h>

#include "../tdi.h"
#include "kunit_util.h"

#define KT_WAIT		(10 * HZ)
#define KT_LOG		64
#define KT_CHAIN	8192
#define KT_KEPT		512

/* A request of a case, with how often and how it completed. */
struct tdi_kt_req {
	struct tdi_request	req;
	struct tdi_kt_ctx	*ctx;
	atomic_t		calls;
	int			status;
	size_t			bytes;
	bool			in_call;	/* the request is being made */
	bool			before_return;	/* it completed meanwhile */
};

/* What the handlers saw, in order: 'c'onnect, 'r'eceive, 'x' expedited,
 * 'R'elease, 'A'bort disconnect, 'e'rror, 's'end possible, 'd'atagram,
 * 'C'hained receive, chained e'X'pedited.
 */
struct tdi_kt_ctx {
	struct kunit		*test;
	struct net_device	*dev;
	struct tdi_address	*srv_addr, *cli_addr;
	struct tdi_endpoint	*srv, *cli;
	wait_queue_head_t	wq;
	spinlock_t		lock;		/* protects log, buf */
	char			log[KT_LOG];
	int			nlog;
	char			buf[256];	/* what the handlers took */
	size_t			nbuf;
	int			connect_answer;
	struct sockaddr_tdi	dgram_from;
	char			cdata[TDI_MAX_USER_DATA + 1];
	int			chain_answer;	/* of the chained handlers */
	unsigned int		chain_flags;	/* the last chain's */
	size_t			chain_len;
	bool			chain_frags;	/* it had a frag_list */
	u8			*chain_data;	/* its bytes (KT_CHAIN) */
	struct sk_buff		*kept[KT_KEPT];	/* chains kept */
	int			nkept;
	atomic_t		send_possible;	/* calls of the handler */
	bool			hold;		/* the receive handler waits */
	bool			held;		/* and is waiting */
	struct work_struct	send_work;	/* a send from another CPU */
	struct tdi_kt_req	work_req;	/* its request */
};

static void tdi_kt_log(struct tdi_kt_ctx *ctx, char c)
{
	spin_lock_bh(&ctx->lock);
	if (ctx->nlog < KT_LOG - 1)
		ctx->log[ctx->nlog++] = c;
	spin_unlock_bh(&ctx->lock);
	wake_up(&ctx->wq);
}

static void tdi_kt_done(struct tdi_request *req, int status, size_t bytes)
{
	struct tdi_kt_req *r = container_of(req, struct tdi_kt_req, req);

	r->status = status;
	r->bytes = bytes;
	if (r->in_call)
		r->before_return = true;
	atomic_inc(&r->calls);
	wake_up(&r->ctx->wq);
}

static void tdi_kt_req_init(struct tdi_kt_ctx *ctx, struct tdi_kt_req *r)
{
	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	r->req.complete = tdi_kt_done;
}

/* Wait for @r to complete; true once it did, exactly once. */
static bool tdi_kt_wait(struct tdi_kt_ctx *ctx, struct tdi_kt_req *r)
{
	wait_event_timeout(ctx->wq, atomic_read(&r->calls), KT_WAIT);
	/* a second completion would come right after the first */
	msleep(20);
	return atomic_read(&r->calls) == 1;
}

static bool tdi_kt_wait_log(struct tdi_kt_ctx *ctx, int n)
{
	return wait_event_timeout(ctx->wq, READ_ONCE(ctx->nlog) >= n,
				  KT_WAIT) > 0;
}

/* ---- The handlers ---- */

static int tdi_kt_connect(void *c, const struct tdi_connect_event *ev,
			  struct tdi_connect_answer *ans)
{
	struct tdi_kt_ctx *ctx = c;

	memcpy(ctx->cdata, ev->connect_data, ev->connect_data_len);
	ctx->cdata[ev->connect_data_len] = 0;
	tdi_kt_log(ctx, 'c');
	ans->ep = ctx->srv;
	ans->data = "kt-accept";
	ans->data_len = 9;
	return ctx->connect_answer;
}

static size_t tdi_kt_receive(void *c, struct tdi_endpoint *ep, void *conn_ctx,
			     const struct tdi_receive_event *ev)
{
	struct tdi_kt_ctx *ctx = c;
	size_t n;

	unsigned long until = jiffies + KT_WAIT / 2;

	/* a case holds the handler, and the endpoint's events, up */
	if (READ_ONCE(ctx->hold)) {
		WRITE_ONCE(ctx->held, true);
		wake_up(&ctx->wq);
		while (READ_ONCE(ctx->hold) && time_before(jiffies, until))
			cpu_relax();
		WRITE_ONCE(ctx->held, false);
	}
	spin_lock_bh(&ctx->lock);
	n = min(ev->indicated, sizeof(ctx->buf) - ctx->nbuf);
	memcpy(ctx->buf + ctx->nbuf, ev->data, n);
	ctx->nbuf += n;
	spin_unlock_bh(&ctx->lock);
	if (n)			/* once full it takes nothing, unlogged */
		tdi_kt_log(ctx, 'r');
	return n;
}

static size_t tdi_kt_receive_x(void *c, struct tdi_endpoint *ep,
			       void *conn_ctx,
			       const struct tdi_receive_event *ev)
{
	tdi_kt_log(c, 'x');
	return ev->indicated;
}

static void tdi_kt_disconnect(void *c, struct tdi_endpoint *ep, void *conn_ctx,
			      const struct tdi_disconnect_event *ev)
{
	tdi_kt_log(c, ev->flags & TDI_DISCONNECT_RELEASE ? 'R' : 'A');
}

static void tdi_kt_error(void *c, struct tdi_endpoint *ep, void *conn_ctx,
			 int err)
{
	tdi_kt_log(c, 'e');
}

static void tdi_kt_send_possible(void *c, struct tdi_endpoint *ep,
				 void *conn_ctx)
{
	struct tdi_kt_ctx *ctx = c;

	atomic_inc(&ctx->send_possible);
	tdi_kt_log(c, 's');
}

static void tdi_kt_datagram(void *c, const struct sockaddr_tdi *from,
			    struct sk_buff *skb)
{
	struct tdi_kt_ctx *ctx = c;

	spin_lock_bh(&ctx->lock);
	ctx->dgram_from = *from;
	ctx->nbuf = min_t(size_t, skb->len, sizeof(ctx->buf));
	skb_copy_bits(skb, 0, ctx->buf, ctx->nbuf);
	spin_unlock_bh(&ctx->lock);
	kfree_skb(skb);
	tdi_kt_log(ctx, 'd');
}

/* The chained handlers: the chain's bytes and flags are kept; then the
 * answer the case set (a chain kept goes to ctx->kept).
 */
static int tdi_kt_chain(struct tdi_kt_ctx *ctx, unsigned int flags,
			struct sk_buff *chain, char c)
{
	int answer = READ_ONCE(ctx->chain_answer);

	spin_lock_bh(&ctx->lock);
	ctx->chain_flags = flags;
	ctx->chain_len = chain->len;
	ctx->chain_frags = skb_has_frag_list(chain);
	if (skb_copy_bits(chain, 0, ctx->chain_data,
			  min_t(size_t, chain->len, KT_CHAIN)))
		ctx->chain_len = -1;
	if (answer == TDI_CHAINED_KEEP) {
		if (ctx->nkept < KT_KEPT)
			ctx->kept[ctx->nkept++] = chain;
		else
			answer = TDI_CHAINED_DONE;
	}
	spin_unlock_bh(&ctx->lock);
	tdi_kt_log(ctx, c);
	return answer;
}

static int tdi_kt_chained(void *c, struct tdi_endpoint *ep, void *conn_ctx,
			  unsigned int flags, struct sk_buff *chain)
{
	return tdi_kt_chain(c, flags, chain, 'C');
}

static int tdi_kt_chained_x(void *c, struct tdi_endpoint *ep, void *conn_ctx,
			    unsigned int flags, struct sk_buff *chain)
{
	return tdi_kt_chain(c, flags, chain, 'X');
}

/* Hand back every chain kept. */
static void tdi_kt_return_kept(struct tdi_kt_ctx *ctx)
{
	struct sk_buff *chain;

	for (;;) {
		spin_lock_bh(&ctx->lock);
		chain = ctx->nkept ? ctx->kept[--ctx->nkept] : NULL;
		spin_unlock_bh(&ctx->lock);
		if (!chain)
			return;
		tdi_return_chained_receive(chain);
	}
}

/* Register every handler of the case on @a. */
static void tdi_kt_handlers(struct kunit *test, struct tdi_address *a)
{
	struct tdi_kt_ctx *ctx = test->priv;
	struct tdi_event_handler h[] = {
		{ .type = TDI_EVENT_CONNECT, .connect = tdi_kt_connect },
		{ .type = TDI_EVENT_RECEIVE, .receive = tdi_kt_receive },
		{ .type = TDI_EVENT_RECEIVE_EXPEDITED,
		  .receive_expedited = tdi_kt_receive_x },
		{ .type = TDI_EVENT_DISCONNECT,
		  .disconnect = tdi_kt_disconnect },
		{ .type = TDI_EVENT_ERROR, .error = tdi_kt_error },
		{ .type = TDI_EVENT_SEND_POSSIBLE,
		  .send_possible = tdi_kt_send_possible },
		{ .type = TDI_EVENT_RECEIVE_DATAGRAM,
		  .receive_datagram = tdi_kt_datagram },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(h); i++) {
		h[i].context = ctx;
		KUNIT_ASSERT_EQ(test, tdi_set_event_handler(a, &h[i]), 0);
	}
}

/* ---- The set-up of every case ---- */

static struct tdi_address *tdi_kt_open_address(struct kunit *test, u16 port)
{
	struct sockaddr_tdi sa = {
		.stdi_family = AF_TDI,
		.stdi_port = htons(port),
	};
	struct tdi_address *a;
	int err;

	a = tdi_open_address(&init_net, &sa, &err);
	KUNIT_ASSERT_NOT_NULL_MSG(test, a, "open address %u: %d", port, err);
	return a;
}

static struct tdi_endpoint *tdi_kt_open_ep(struct kunit *test, int type,
					   struct tdi_address *a)
{
	struct tdi_endpoint *ep;
	int err;

	ep = tdi_open_endpoint(&init_net, type, test->priv, &err);
	KUNIT_ASSERT_NOT_NULL_MSG(test, ep, "open endpoint: %d", err);
	if (a)
		KUNIT_ASSERT_EQ(test, tdi_associate_address(ep, a), 0);
	return ep;
}

static int tdi_kapi_test_init(struct kunit *test)
{
	struct tdi_kt_ctx *ctx;
	struct net_device *dev;
	int err;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->test = test;
	init_waitqueue_head(&ctx->wq);
	spin_lock_init(&ctx->lock);
	ctx->connect_answer = TDI_CONNECT_ACCEPT;
	ctx->chain_data = kunit_kzalloc(test, KT_CHAIN, GFP_KERNEL);
	if (!ctx->chain_data)
		return -ENOMEM;
	test->priv = ctx;

	dev = tdi_kunit_loopback("tdikt%d", &err);
	if (!dev)
		return err;
	ctx->dev = dev;
	ctx->srv_addr = tdi_kt_open_address(test, 4000);
	ctx->cli_addr = tdi_kt_open_address(test, 0);
	tdi_kt_handlers(test, ctx->srv_addr);
	tdi_kt_handlers(test, ctx->cli_addr);
	return 0;
}

static void tdi_kapi_test_exit(struct kunit *test)
{
	struct tdi_kt_ctx *ctx = test->priv;

	tdi_kt_return_kept(ctx);
	if (ctx->cli)
		tdi_close_endpoint(ctx->cli);
	if (ctx->srv)
		tdi_close_endpoint(ctx->srv);
	if (ctx->cli_addr)
		tdi_close_address(ctx->cli_addr);
	if (ctx->srv_addr)
		tdi_close_address(ctx->srv_addr);
	if (ctx->dev)
		unregister_netdev(ctx->dev);
}

/* The server's address, as the client connects to it. */
static void tdi_kt_srv_sa(struct tdi_kt_ctx *ctx, struct sockaddr_tdi *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->stdi_family = AF_TDI;
	sa->stdi_port = htons(4000);
	ether_addr_copy(sa->stdi_node, ctx->dev->dev_addr);
}

/* Connect the client to the server through the connect handler. */
static void tdi_kt_connect_pair(struct kunit *test, int type)
{
	struct tdi_kt_ctx *ctx = test->priv;
	struct sockaddr_tdi sa;
	struct tdi_kt_req r;
	u8 ud[TDI_MAX_USER_DATA];

	ctx->srv = tdi_kt_open_ep(test, type, ctx->srv_addr);
	ctx->cli = tdi_kt_open_ep(test, type, ctx->cli_addr);
	tdi_kt_srv_sa(ctx, &sa);
	tdi_kt_req_init(ctx, &r);
	KUNIT_ASSERT_EQ(test, tdi_connect(ctx->cli, &r.req, &sa, "kt-hello", 8,
					  0), 0);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait(ctx, &r));
	KUNIT_ASSERT_EQ(test, r.status, 0);
	KUNIT_EXPECT_STREQ(test, ctx->cdata, "kt-hello");
	KUNIT_EXPECT_EQ(test, tdi_peer_user_data(ctx->cli, TDI_ACCEPT_DATA, ud,
						 sizeof(ud)), 9);
	KUNIT_EXPECT_EQ(test, memcmp(ud, "kt-accept", 9), 0);
}

/* Send @len bytes of @data from @ep and wait for the completion. */
static int tdi_kt_send(struct kunit *test, struct tdi_endpoint *ep,
		       const void *data, size_t len, unsigned int flags)
{
	struct tdi_kt_ctx *ctx = test->priv;
	struct kvec kv = { .iov_base = (void *)data, .iov_len = len };
	struct tdi_kt_req r;
	struct iov_iter it;
	int err;

	tdi_kt_req_init(ctx, &r);
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, len);
	err = tdi_send(ep, &r.req, &it, flags);
	if (err)
		return err;
	KUNIT_EXPECT_TRUE(test, tdi_kt_wait(ctx, &r));
	KUNIT_EXPECT_EQ(test, r.bytes, len);
	return r.status;
}

/* The client sends without blocking until it finds no room (-EAGAIN). */
static void tdi_kt_fill_window(struct kunit *test)
{
	struct tdi_kt_ctx *ctx = test->priv;
	static u8 big[65536];
	struct tdi_kt_req r;
	struct iov_iter it;
	int i, err = 0;

	for (i = 0; i < 200 && !err; i++) {
		struct kvec out = { .iov_base = big, .iov_len = sizeof(big) };

		tdi_kt_req_init(ctx, &r);
		iov_iter_kvec(&it, ITER_SOURCE, &out, 1, sizeof(big));
		err = tdi_send(ctx->cli, &r.req, &it, TDI_SEND_NON_BLOCKING);
		if (!err)
			KUNIT_ASSERT_TRUE(test, tdi_kt_wait(ctx, &r));
	}
	KUNIT_ASSERT_EQ(test, err, -EAGAIN);
}

/* ---- The cases ---- */

/* The connect handler takes the offer on the endpoint it names; data
 * each way: the server's handler takes the client's, the client's
 * receive request the server's.
 */
static void tdi_kapi_connect_and_data_test(struct kunit *test)
{
	struct tdi_kt_ctx *ctx = test->priv;
	char in[32] = "";
	struct kvec kv = { .iov_base = in, .iov_len = sizeof(in) };
	struct tdi_kt_req r;
	struct iov_iter it;

	tdi_kt_connect_pair(test, SOCK_SEQPACKET);
	KUNIT_EXPECT_EQ(test, tdi_kt_send(test, ctx->cli, "to server", 9, 0),
			0);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait_log(ctx, 2));
	KUNIT_EXPECT_EQ(test, memcmp(ctx->log, "cr", 2), 0);
	KUNIT_EXPECT_EQ(test, ctx->nbuf, 9UL);
	KUNIT_EXPECT_EQ(test, memcmp(ctx->buf, "to server", 9), 0);

	tdi_kt_req_init(ctx, &r);
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, sizeof(in));
	KUNIT_ASSERT_EQ(test, tdi_receive(ctx->cli, &r.req, &it, 0), 0);
	KUNIT_EXPECT_EQ(test, tdi_kt_send(test, ctx->srv, "to client", 9, 0),
			0);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait(ctx, &r));
	KUNIT_EXPECT_EQ(test, r.status, 0);
	KUNIT_EXPECT_EQ(test, r.bytes, 9UL);
	KUNIT_EXPECT_EQ(test, r.req.flags,
			(unsigned int)TDI_RECEIVE_ENTIRE_MESSAGE);
	KUNIT_EXPECT_EQ(test, memcmp(in, "to client", 9), 0);
	/* the receive request took it: no indication for the client */
	KUNIT_EXPECT_EQ(test, ctx->nlog, 2);
}

/* The peer's release is told after the data before it; both releases
 * complete once the connection ended, and the endpoints are idle again.
 */
static void tdi_kapi_release_order_test(struct kunit *test)
{
	struct tdi_kt_ctx *ctx = test->priv;
	struct tdi_kt_req rs, rc;
	struct tdi_info info;

	tdi_kt_connect_pair(test, SOCK_STREAM);
	KUNIT_EXPECT_EQ(test, tdi_kt_send(test, ctx->cli, "last words", 10, 0),
			0);
	tdi_kt_req_init(ctx, &rc);
	KUNIT_ASSERT_EQ(test, tdi_disconnect(ctx->cli, &rc.req,
					     TDI_DISCONNECT_RELEASE, "bye", 3,
					     0), 0);
	/* the server: the data, then the client's release */
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait_log(ctx, 3));
	KUNIT_EXPECT_EQ(test, memcmp(ctx->log, "crR", 3), 0);
	KUNIT_EXPECT_EQ(test, memcmp(ctx->buf, "last words", 10), 0);
	tdi_kt_req_init(ctx, &rs);
	KUNIT_ASSERT_EQ(test, tdi_disconnect(ctx->srv, &rs.req,
					     TDI_DISCONNECT_RELEASE, NULL, 0,
					     0), 0);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait(ctx, &rs));
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait(ctx, &rc));
	KUNIT_EXPECT_EQ(test, rs.status, 0);
	KUNIT_EXPECT_EQ(test, rc.status, 0);
	KUNIT_EXPECT_EQ(test, tdi_query_information(ctx->cli, &info), 0);
	KUNIT_EXPECT_EQ(test, info.state, (__u32)TDI_STATE_BOUND);
	KUNIT_EXPECT_EQ(test, tdi_disconnect_reason(ctx->cli),
			TDI_REASON_RELEASE);
	/* the client started it: its handler hears nothing */
	KUNIT_EXPECT_EQ(test, ctx->nlog, 3);
}

/* Requests outstanding at close complete with -ECONNABORTED, once,
 * before the close returns; the connection is aborted.
 */
static void tdi_kapi_cancel_at_close_test(struct kunit *test)
{
	struct tdi_kt_ctx *ctx = test->priv;
	char in[8];
	struct kvec kv = { .iov_base = in, .iov_len = sizeof(in) };
	struct tdi_kt_req r;
	struct iov_iter it;

	tdi_kt_connect_pair(test, SOCK_STREAM);
	tdi_kt_req_init(ctx, &r);
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, sizeof(in));
	KUNIT_ASSERT_EQ(test, tdi_receive(ctx->cli, &r.req, &it, 0), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r.calls), 0);
	tdi_close_endpoint(ctx->cli);
	ctx->cli = NULL;
	KUNIT_EXPECT_EQ(test, atomic_read(&r.calls), 1);
	KUNIT_EXPECT_EQ(test, r.status, -ECONNABORTED);
	KUNIT_EXPECT_TRUE(test, tdi_kt_wait(ctx, &r));
	/* the close aborted the connection: the server hears it */
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait_log(ctx, 2));
	KUNIT_EXPECT_EQ(test, ctx->log[1], 'A');
	KUNIT_EXPECT_EQ(test, tdi_disconnect_reason(ctx->srv),
			TDI_REASON_ABORT);
}

/* An abort completes before the call returns; the peer's handler hears
 * it with the abort's disconnect data.
 */
static void tdi_kapi_abort_test(struct kunit *test)
{
	struct tdi_kt_ctx *ctx = test->priv;
	u8 ud[TDI_MAX_USER_DATA];
	struct tdi_kt_req r;
	int err;

	tdi_kt_connect_pair(test, SOCK_STREAM);
	tdi_kt_req_init(ctx, &r);
	r.in_call = true;
	err = tdi_disconnect(ctx->cli, &r.req, TDI_DISCONNECT_ABORT,
			     "abort!", 6, 0);
	r.in_call = false;
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_TRUE(test, r.before_return);
	KUNIT_EXPECT_TRUE(test, tdi_kt_wait(ctx, &r));
	KUNIT_EXPECT_EQ(test, r.status, 0);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait_log(ctx, 2));
	KUNIT_EXPECT_EQ(test, ctx->log[1], 'A');
	KUNIT_EXPECT_EQ(test, tdi_peer_user_data(ctx->srv, TDI_DISCONNECT_DATA,
						 ud, sizeof(ud)), 6);
	KUNIT_EXPECT_EQ(test, memcmp(ud, "abort!", 6), 0);
	/* and the server's endpoint can take the next offer */
	tdi_close_endpoint(ctx->cli);
	ctx->cli = tdi_kt_open_ep(test, SOCK_STREAM, ctx->cli_addr);
	{
		struct sockaddr_tdi sa;

		tdi_kt_srv_sa(ctx, &sa);
		tdi_kt_req_init(ctx, &r);
		KUNIT_ASSERT_EQ(test, tdi_connect(ctx->cli, &r.req, &sa, NULL,
						  0, 0), 0);
		KUNIT_ASSERT_TRUE(test, tdi_kt_wait(ctx, &r));
		KUNIT_EXPECT_EQ(test, r.status, 0);
	}
}

/* The connect handler's refusals reach the connector as reasons. */
static void tdi_kapi_refusals_test(struct kunit *test)
{
	static const struct { int answer, status, reason; } cases[] = {
		{ -ECONNREFUSED, -ECONNREFUSED, TDI_REASON_REFUSED },
		{ -ENOMEM, -ECONNREFUSED, TDI_REASON_INSUFFICIENT_RESOURCES },
		{ -EIO, -ECONNREFUSED, TDI_REASON_INSUFFICIENT_RESOURCES },
	};
	struct tdi_event_handler none = { .type = TDI_EVENT_CONNECT };
	struct tdi_kt_ctx *ctx = test->priv;
	struct sockaddr_tdi sa;
	struct tdi_kt_req r;
	int i;

	ctx->srv = tdi_kt_open_ep(test, SOCK_STREAM, ctx->srv_addr);
	ctx->cli = tdi_kt_open_ep(test, SOCK_STREAM, ctx->cli_addr);
	tdi_kt_srv_sa(ctx, &sa);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ctx->connect_answer = cases[i].answer;
		tdi_kt_req_init(ctx, &r);
		KUNIT_ASSERT_EQ(test, tdi_connect(ctx->cli, &r.req, &sa, NULL,
						  0, 0), 0);
		KUNIT_ASSERT_TRUE(test, tdi_kt_wait(ctx, &r));
		KUNIT_EXPECT_EQ_MSG(test, r.status, cases[i].status, "case %d",
				    i);
		KUNIT_EXPECT_EQ_MSG(test, tdi_disconnect_reason(ctx->cli),
				    cases[i].reason, "case %d", i);
	}
	/* no connect handler at all: nobody listens */
	tdi_set_event_handler(ctx->srv_addr, &none);
	tdi_kt_req_init(ctx, &r);
	KUNIT_ASSERT_EQ(test, tdi_connect(ctx->cli, &r.req, &sa, NULL, 0, 0),
			0);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait(ctx, &r));
	KUNIT_EXPECT_EQ(test, tdi_disconnect_reason(ctx->cli),
			TDI_REASON_NO_LISTENER);
}

/* A listen is served before the connect handler; with query-accept it
 * completes holding the offer, and tdi_accept() connects it.
 */
static void tdi_kapi_listen_accept_test(struct kunit *test)
{
	struct tdi_listen_request l = { .flags = TDI_QUERY_ACCEPT };
	struct tdi_kt_ctx *ctx = test->priv;
	struct tdi_kt_req rl, rc, ra;
	struct tdi_endpoint *other;
	struct sockaddr_tdi sa;
	struct tdi_info info;
	u8 ud[TDI_MAX_USER_DATA];

	ctx->srv = tdi_kt_open_ep(test, SOCK_STREAM, ctx->srv_addr);
	ctx->cli = tdi_kt_open_ep(test, SOCK_STREAM, ctx->cli_addr);
	other = tdi_kt_open_ep(test, SOCK_STREAM, ctx->srv_addr);
	tdi_kt_req_init(ctx, &rl);
	KUNIT_ASSERT_EQ(test, tdi_listen(other, &rl.req, &l), 0);
	KUNIT_EXPECT_EQ(test, tdi_listen(other, &rl.req, &l), -EALREADY);
	tdi_kt_srv_sa(ctx, &sa);
	tdi_kt_req_init(ctx, &rc);
	KUNIT_ASSERT_EQ(test, tdi_connect(ctx->cli, &rc.req, &sa, "qa", 2, 0),
			0);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait(ctx, &rl));
	KUNIT_EXPECT_EQ(test, rl.status, 0);
	tdi_query_information(other, &info);
	KUNIT_EXPECT_EQ(test, info.state, (__u32)TDI_STATE_OFFERED);
	KUNIT_EXPECT_EQ(test, tdi_peer_user_data(other, TDI_CONNECT_DATA, ud,
						 sizeof(ud)), 2);
	/* the connector waits */
	KUNIT_EXPECT_EQ(test, atomic_read(&rc.calls), 0);
	tdi_kt_req_init(ctx, &ra);
	ra.in_call = true;
	KUNIT_ASSERT_EQ(test, tdi_accept(other, &ra.req, "yes", 3), 0);
	ra.in_call = false;
	KUNIT_EXPECT_TRUE(test, ra.before_return);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait(ctx, &rc));
	KUNIT_EXPECT_EQ(test, rc.status, 0);
	KUNIT_EXPECT_EQ(test, tdi_peer_user_data(ctx->cli, TDI_ACCEPT_DATA, ud,
						 sizeof(ud)), 3);
	/* the connect handler was never asked */
	KUNIT_EXPECT_EQ(test, ctx->nlog, 0);
	tdi_close_endpoint(other);
}

/* Datagrams between two address objects, to the receive-datagram
 * handler with the sender's address.
 */
static void tdi_kapi_datagram_test(struct kunit *test)
{
	struct tdi_kt_ctx *ctx = test->priv;
	struct kvec kv = { .iov_base = "datagram!", .iov_len = 9 };
	struct sockaddr_tdi sa;
	struct iov_iter it;

	tdi_kt_srv_sa(ctx, &sa);
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, 9);
	KUNIT_ASSERT_EQ(test, tdi_send_datagram(ctx->cli_addr, &sa, &it), 9);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait_log(ctx, 1));
	KUNIT_EXPECT_EQ(test, ctx->log[0], 'd');
	KUNIT_EXPECT_EQ(test, ctx->nbuf, 9UL);
	KUNIT_EXPECT_EQ(test, memcmp(ctx->buf, "datagram!", 9), 0);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(ctx->dgram_from.stdi_node,
						 ctx->dev->dev_addr));
}

/* Requests made in the wrong state, or wrongly, are refused at once and
 * never complete.
 */
static void tdi_kapi_misuse_test(struct kunit *test)
{
	struct tdi_event_handler bad = { .type = __TDI_EVENT_MAX };
	struct tdi_listen_request l = { .flags = 0x100 };
	struct tdi_kt_ctx *ctx = test->priv;
	struct kvec kv = { .iov_base = "x", .iov_len = 1 };
	struct tdi_endpoint *lone;
	struct sockaddr_tdi sa;
	struct tdi_kt_req r;
	struct iov_iter it;
	int err;

	lone = tdi_kt_open_ep(test, SOCK_STREAM, NULL);
	ctx->cli = tdi_kt_open_ep(test, SOCK_STREAM, ctx->cli_addr);
	tdi_kt_srv_sa(ctx, &sa);
	tdi_kt_req_init(ctx, &r);
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, 1);
	/* not associated */
	KUNIT_EXPECT_EQ(test, tdi_connect(lone, &r.req, &sa, NULL, 0, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, tdi_disassociate_address(lone), -EINVAL);
	/* idle: nothing to send on, receive from, accept or end */
	KUNIT_EXPECT_EQ(test, tdi_send(ctx->cli, &r.req, &it, 0), -ENOTCONN);
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, 1);
	KUNIT_EXPECT_EQ(test, tdi_receive(ctx->cli, &r.req, &it, 0),
			-ENOTCONN);
	KUNIT_EXPECT_EQ(test, tdi_accept(ctx->cli, &r.req, NULL, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, tdi_disconnect(ctx->cli, &r.req,
					     TDI_DISCONNECT_ABORT, NULL, 0, 0),
			-ENOTCONN);
	/* bad arguments */
	KUNIT_EXPECT_EQ(test, tdi_disconnect(ctx->cli, &r.req, 0, NULL, 0, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, tdi_send(ctx->cli, &r.req, &it, 0x80), -EINVAL);
	KUNIT_EXPECT_EQ(test, tdi_listen(ctx->cli, &r.req, &l), -EINVAL);
	KUNIT_EXPECT_EQ(test, tdi_connect(ctx->cli, &r.req, &sa, "x",
					  TDI_MAX_USER_DATA + 1, 0), -EINVAL);
	sa.stdi_port = 0;
	KUNIT_EXPECT_EQ(test, tdi_connect(ctx->cli, &r.req, &sa, NULL, 0, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, tdi_set_event_handler(ctx->cli_addr, &bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, tdi_peer_user_data(ctx->cli, 99, NULL, 0),
			-EINVAL);
	/* associated already */
	KUNIT_EXPECT_EQ(test, tdi_associate_address(ctx->cli, ctx->srv_addr),
			-EISCONN);
	/* a datagram type endpoint does not exist */
	KUNIT_EXPECT_NULL(test, tdi_open_endpoint(&init_net, SOCK_DGRAM, NULL,
						  &err));
	KUNIT_EXPECT_EQ(test, err, -ESOCKTNOSUPPORT);
	tdi_close_endpoint(lone);
	msleep(50);
	KUNIT_EXPECT_EQ(test, atomic_read(&r.calls), 0);
}

/* TDI_CONNECT_DEFER: the endpoint holds the offer undecided and the
 * connector waits, until tdi_accept() (with its accept data) or
 * tdi_disconnect() (a rejection with disconnect data) decides.
 */
static void tdi_kapi_defer_test(struct kunit *test)
{
	struct tdi_kt_ctx *ctx = test->priv;
	struct tdi_kt_req rc, rd;
	u8 ud[TDI_MAX_USER_DATA];
	struct sockaddr_tdi sa;
	struct tdi_info info;
	int round, n;

	ctx->connect_answer = TDI_CONNECT_DEFER;
	ctx->srv = tdi_kt_open_ep(test, SOCK_SEQPACKET, ctx->srv_addr);
	ctx->cli = tdi_kt_open_ep(test, SOCK_SEQPACKET, ctx->cli_addr);
	tdi_kt_srv_sa(ctx, &sa);
	for (round = 0; round < 2; round++) {
		tdi_kt_req_init(ctx, &rc);
		KUNIT_ASSERT_EQ(test, tdi_connect(ctx->cli, &rc.req, &sa,
						  "decide", 6, 0), 0);
		/* the handler: "c", then "cAc" after the first round */
		KUNIT_ASSERT_TRUE(test, tdi_kt_wait_log(ctx, 1 + 2 * round));
		msleep(300);
		tdi_query_information(ctx->srv, &info);
		KUNIT_EXPECT_EQ(test, info.state, (__u32)TDI_STATE_OFFERED);
		KUNIT_EXPECT_EQ(test, atomic_read(&rc.calls), 0);
		tdi_kt_req_init(ctx, &rd);
		if (!round) {
			KUNIT_ASSERT_EQ(test, tdi_accept(ctx->srv, &rd.req,
							 "later", 5), 0);
			KUNIT_ASSERT_TRUE(test, tdi_kt_wait(ctx, &rc));
			KUNIT_EXPECT_EQ(test, rc.status, 0);
			n = tdi_peer_user_data(ctx->cli, TDI_ACCEPT_DATA, ud,
					       sizeof(ud));
			KUNIT_EXPECT_EQ(test, n, 5);
			KUNIT_EXPECT_EQ(test, memcmp(ud, "later", 5), 0);
			/* end it for the second round */
			tdi_kt_req_init(ctx, &rd);
			n = tdi_disconnect(ctx->cli, &rd.req,
					   TDI_DISCONNECT_ABORT, NULL, 0, 0);
			KUNIT_ASSERT_EQ(test, n, 0);
			KUNIT_ASSERT_TRUE(test, tdi_kt_wait_log(ctx, 2));
			continue;
		}
		KUNIT_ASSERT_EQ(test, tdi_disconnect(ctx->srv, &rd.req,
						     TDI_DISCONNECT_ABORT, "no", 2,
						     0), 0);
		KUNIT_ASSERT_TRUE(test, tdi_kt_wait(ctx, &rc));
		KUNIT_EXPECT_EQ(test, rc.status, -ECONNREFUSED);
		KUNIT_EXPECT_EQ(test, tdi_disconnect_reason(ctx->cli),
				TDI_REASON_REFUSED);
		n = tdi_peer_user_data(ctx->cli, TDI_DISCONNECT_DATA, ud,
				       sizeof(ud));
		KUNIT_EXPECT_EQ(test, n, 2);
	}
}

/* A non-blocking send that finds no room fails with -EAGAIN; the
 * send-possible handler is called once room comes back.
 */
static void tdi_kapi_send_possible_test(struct kunit *test)
{
	struct tdi_kt_ctx *ctx = test->priv;
	static u8 sink[65536];
	struct kvec kv = { .iov_base = sink, .iov_len = sizeof(sink) };
	struct tdi_kt_req r;
	struct iov_iter it;
	int i;

	tdi_kt_connect_pair(test, SOCK_STREAM);
	/* the server's handler takes 256 bytes and then nothing */
	tdi_kt_fill_window(test);
	KUNIT_EXPECT_NULL(test, memchr(ctx->log, 's', ctx->nlog));
	/* the server reads: acknowledgments free the client's buffer */
	for (i = 0; i < 200 && !memchr(ctx->log, 's', READ_ONCE(ctx->nlog));
	     i++) {
		tdi_kt_req_init(ctx, &r);
		iov_iter_kvec(&it, ITER_DEST, &kv, 1, sizeof(sink));
		KUNIT_ASSERT_EQ(test, tdi_receive(ctx->srv, &r.req, &it, 0),
				0);
		KUNIT_ASSERT_TRUE_MSG(test, tdi_kt_wait(ctx, &r),
				      "receive %d: %d calls, log %.*s", i,
				      atomic_read(&r.calls), ctx->nlog,
				      ctx->log);
	}
	KUNIT_EXPECT_NOT_NULL(test, memchr(ctx->log, 's', ctx->nlog));
	KUNIT_EXPECT_EQ(test, tdi_kt_send(test, ctx->cli, sink, 100,
					  TDI_SEND_NON_BLOCKING), 0);
}

/* The device goes down: each endpoint's error handler hears -ENETDOWN,
 * then its disconnect handler the end (TDI_REASON_LINK_DOWN).
 */
static void tdi_kapi_link_down_test(struct kunit *test)
{
	struct tdi_kt_ctx *ctx = test->priv;

	tdi_kt_connect_pair(test, SOCK_STREAM);
	rtnl_lock();
	dev_close(ctx->dev);
	rtnl_unlock();
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait_log(ctx, 5));
	KUNIT_EXPECT_EQ(test, memcmp(ctx->log, "ceAeA", 5), 0);
	KUNIT_EXPECT_EQ(test, tdi_disconnect_reason(ctx->cli),
			TDI_REASON_LINK_DOWN);
	KUNIT_EXPECT_EQ(test, tdi_disconnect_reason(ctx->srv),
			TDI_REASON_LINK_DOWN);
}

/* Set (or clear, with NULL) the chained handlers of the server. */
static void tdi_kt_set_chained(struct kunit *test, bool on)
{
	struct tdi_kt_ctx *ctx = test->priv;
	struct tdi_event_handler h[] = {
		{ .type = TDI_EVENT_CHAINED_RECEIVE, .context = ctx,
		  .chained_receive = on ? tdi_kt_chained : NULL },
		{ .type = TDI_EVENT_CHAINED_RECEIVE_EXPEDITED, .context = ctx,
		  .chained_receive_expedited = on ? tdi_kt_chained_x : NULL },
	};

	KUNIT_ASSERT_EQ(test, tdi_set_event_handler(ctx->srv_addr, &h[0]), 0);
	KUNIT_ASSERT_EQ(test, tdi_set_event_handler(ctx->srv_addr, &h[1]), 0);
}

static void tdi_kt_pattern(u8 *p, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = seed + i * 7;
}

/* The chained receive handler is given whole TSDUs as one skb, the
 * receive handler never: kept and handed back, taken, not accepted (then
 * a receive request takes it), expedited; a chain kept past the close of
 * its endpoint is handed back safely.
 */
static void tdi_kapi_chained_test(struct kunit *test)
{
	struct tdi_kt_ctx *ctx = test->priv;
	u8 *tsdu = kunit_kzalloc(test, 5000, GFP_KERNEL);
	char in[16] = "";
	struct kvec kv = { .iov_base = in, .iov_len = sizeof(in) };
	struct tdi_kt_req r;
	struct iov_iter it;

	KUNIT_ASSERT_NOT_NULL(test, tsdu);
	tdi_kt_connect_pair(test, SOCK_SEQPACKET);
	tdi_kt_set_chained(test, true);
	/* a TSDU of several frames, kept */
	ctx->chain_answer = TDI_CHAINED_KEEP;
	tdi_kt_pattern(tsdu, 5000, 3);
	KUNIT_EXPECT_EQ(test, tdi_kt_send(test, ctx->cli, tsdu, 5000, 0), 0);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait_log(ctx, 2));
	KUNIT_EXPECT_EQ(test, memcmp(ctx->log, "cC", 2), 0);
	KUNIT_EXPECT_EQ(test, ctx->chain_len, 5000UL);
	KUNIT_EXPECT_TRUE(test, ctx->chain_frags);
	KUNIT_EXPECT_EQ(test, ctx->chain_flags,
			(unsigned int)TDI_RECEIVE_ENTIRE_MESSAGE);
	KUNIT_EXPECT_EQ(test, memcmp(ctx->chain_data, tsdu, 5000), 0);
	KUNIT_EXPECT_EQ(test, ctx->nkept, 1);
	tdi_kt_return_kept(ctx);
	/* taken: tdi frees it */
	ctx->chain_answer = TDI_CHAINED_DONE;
	KUNIT_EXPECT_EQ(test, tdi_kt_send(test, ctx->cli, "done", 4, 0), 0);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait_log(ctx, 3));
	KUNIT_EXPECT_EQ(test, ctx->chain_len, 4UL);
	KUNIT_EXPECT_FALSE(test, ctx->chain_frags);
	KUNIT_EXPECT_EQ(test, memcmp(ctx->chain_data, "done", 4), 0);
	/* not accepted: it stays queued, for a receive request */
	ctx->chain_answer = -EAGAIN;
	KUNIT_EXPECT_EQ(test, tdi_kt_send(test, ctx->cli, "again", 5, 0), 0);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait_log(ctx, 4));
	tdi_kt_req_init(ctx, &r);
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, sizeof(in));
	KUNIT_ASSERT_EQ(test, tdi_receive(ctx->srv, &r.req, &it, 0), 0);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait(ctx, &r));
	KUNIT_EXPECT_EQ(test, r.status, 0);
	KUNIT_EXPECT_EQ(test, r.bytes, 5UL);
	KUNIT_EXPECT_EQ(test, r.req.flags,
			(unsigned int)TDI_RECEIVE_ENTIRE_MESSAGE);
	KUNIT_EXPECT_EQ(test, memcmp(in, "again", 5), 0);
	/* expedited, ahead of normal data */
	ctx->chain_answer = TDI_CHAINED_DONE;
	KUNIT_EXPECT_EQ(test, tdi_kt_send(test, ctx->cli, "urgent", 6,
					  TDI_SEND_EXPEDITED), 0);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait_log(ctx, 5));
	KUNIT_EXPECT_EQ(test, ctx->log[4], 'X');
	KUNIT_EXPECT_EQ(test, ctx->chain_flags,
			(unsigned int)(TDI_RECEIVE_EXPEDITED |
				       TDI_RECEIVE_ENTIRE_MESSAGE));
	KUNIT_EXPECT_EQ(test, memcmp(ctx->chain_data, "urgent", 6), 0);
	/* never the receive handlers */
	KUNIT_EXPECT_NULL(test, memchr(ctx->log, 'r', ctx->nlog));
	KUNIT_EXPECT_NULL(test, memchr(ctx->log, 'x', ctx->nlog));
	/* a chain kept past the close of its endpoint */
	ctx->chain_answer = TDI_CHAINED_KEEP;
	KUNIT_EXPECT_EQ(test, tdi_kt_send(test, ctx->cli, "kept", 4, 0), 0);
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait_log(ctx, 6));
	KUNIT_EXPECT_EQ(test, ctx->nkept, 1);
	tdi_close_endpoint(ctx->srv);
	ctx->srv = NULL;
	tdi_kt_return_kept(ctx);
}

/* Chains kept count against the receive buffer: a stream's sender runs
 * out of window while the server keeps what it is given, and is told
 * that it may send again once the chains are handed back.
 */
static void tdi_kapi_chained_window_test(struct kunit *test)
{
	struct tdi_kt_ctx *ctx = test->priv;
	int i;

	tdi_kt_connect_pair(test, SOCK_STREAM);
	tdi_kt_set_chained(test, true);
	ctx->chain_answer = TDI_CHAINED_KEEP;
	tdi_kt_fill_window(test);
	msleep(500);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->send_possible), 0);
	KUNIT_EXPECT_GT(test, ctx->nkept, 0);
	tdi_kt_return_kept(ctx);
	ctx->chain_answer = TDI_CHAINED_DONE;
	for (i = 0; i < 100 && !atomic_read(&ctx->send_possible); i++) {
		msleep(100);
		tdi_kt_return_kept(ctx);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->send_possible), 1);
}

static void tdi_kt_send_work(struct work_struct *w)
{
	struct tdi_kt_ctx *ctx = container_of(w, struct tdi_kt_ctx, send_work);
	struct kvec kv = { .iov_base = "held", .iov_len = 4 };
	struct tdi_kt_req *r = &ctx->work_req;
	struct iov_iter it;

	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, 4);
	if (tdi_send(ctx->cli, &r->req, &it, 0))
		atomic_set(&r->calls, -1);
}

/* An end that comes while the endpoint's handlers are busy on another CPU
 * is told before the endpoint can be used again: until its disconnect
 * handler ran, a new listen is refused with -EBUSY.
 */
static void tdi_kapi_end_then_listen_test(struct kunit *test)
{
	struct tdi_listen_request l = {};
	struct tdi_kt_ctx *ctx = test->priv;
	struct tdi_kt_req ra, rl;
	int other;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	tdi_kt_connect_pair(test, SOCK_STREAM);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(0)), 0);
	other = cpumask_next(0, cpu_online_mask);
	/* the server's receive handler holds its events on the other CPU */
	tdi_kt_req_init(ctx, &ctx->work_req);
	INIT_WORK(&ctx->send_work, tdi_kt_send_work);
	WRITE_ONCE(ctx->hold, true);
	queue_work_on(other, system_highpri_wq, &ctx->send_work);
	KUNIT_EXPECT_TRUE(test, wait_event_timeout(ctx->wq, READ_ONCE(ctx->held),
						   KT_WAIT) > 0);
	/* the client aborts meanwhile: the server's end waits its turn */
	tdi_kt_req_init(ctx, &ra);
	KUNIT_EXPECT_EQ(test, tdi_disconnect(ctx->cli, &ra.req,
					     TDI_DISCONNECT_ABORT, NULL, 0, 0),
			0);
	msleep(100);
	tdi_kt_req_init(ctx, &rl);
	KUNIT_EXPECT_EQ(test, tdi_listen(ctx->srv, &rl.req, &l), -EBUSY);
	WRITE_ONCE(ctx->hold, false);
	flush_work(&ctx->send_work);
	set_cpus_allowed_ptr(current, cpu_online_mask);
	/* the data, then the end, told; then the endpoint listens again */
	KUNIT_ASSERT_TRUE(test, tdi_kt_wait_log(ctx, 3));
	KUNIT_EXPECT_EQ(test, memcmp(ctx->log, "crA", 3), 0);
	KUNIT_EXPECT_EQ(test, tdi_listen(ctx->srv, &rl.req, &l), 0);
	KUNIT_EXPECT_TRUE(test, tdi_kt_wait(ctx, &ctx->work_req));
	tdi_close_endpoint(ctx->srv);
	ctx->srv = NULL;
	KUNIT_EXPECT_TRUE(test, tdi_kt_wait(ctx, &rl));
	KUNIT_EXPECT_EQ(test, rl.status, -ECONNABORTED);
}

static struct kunit_case tdi_kapi_test_cases[] = {
	KUNIT_CASE(tdi_kapi_connect_and_data_test),
	KUNIT_CASE(tdi_kapi_release_order_test),
	KUNIT_CASE(tdi_kapi_cancel_at_close_test),
	KUNIT_CASE(tdi_kapi_abort_test),
	KUNIT_CASE(tdi_kapi_refusals_test),
	KUNIT_CASE(tdi_kapi_listen_accept_test),
	KUNIT_CASE(tdi_kapi_datagram_test),
	KUNIT_CASE(tdi_kapi_misuse_test),
	KUNIT_CASE(tdi_kapi_defer_test),
	KUNIT_CASE(tdi_kapi_send_possible_test),
	KUNIT_CASE(tdi_kapi_link_down_test),
	KUNIT_CASE(tdi_kapi_chained_test),
	KUNIT_CASE(tdi_kapi_chained_window_test),
	KUNIT_CASE(tdi_kapi_end_then_listen_test),
	{}
};

static struct kunit_suite tdi_kapi_suite = {
	.name = "tdi_kapi",
	.init = tdi_kapi_test_init,
	.exit = tdi_kapi_test_exit,
	.test_cases = tdi_kapi_test_cases,
};

kunit_test_suites(&tdi_kapi_suite);
