// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: reads from the TSDU queues -- tdi_conn_recv_data(),
 * tdi_conn_recv_xdata(), tdi_conn_head_tsdu() and the chains of a chained
 * receive (tdi_conn_recv_chain(), _unchain()) -- on an endpoint that
 * is only its queues: partial TSDUs, the end of a TSDU in a frame of its
 * own, truncation, peeking, the receive queue's byte count.
 */

#include <kunit/test.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <linux/uio.h>

#include "../tdi.h"

struct tdi_data_ctx {
	struct tdi_sock ts;
	char buf[64];
};

static int tdi_data_test_init(struct kunit *test)
{
	struct tdi_data_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	skb_queue_head_init(&ctx->ts.sk.sk_receive_queue);
	skb_queue_head_init(&ctx->ts.xrecv_queue);
	ctx->ts.state = TDI_STATE_CONNECTED;
	ctx->ts.mss = 1000;
	test->priv = ctx;
	return 0;
}

static void tdi_data_test_exit(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;

	skb_queue_purge(&ctx->ts.sk.sk_receive_queue);
	skb_queue_purge(&ctx->ts.xrecv_queue);
}

/* Queue @data (a frame of strlen(@data) bytes, maybe ""), as input.c does. */
static void tdi_data_queue(struct kunit *test, struct sk_buff_head *q,
			   const char *data, bool eor)
{
	struct tdi_data_ctx *ctx = test->priv;
	size_t len = strlen(data);
	struct sk_buff *skb;

	skb = alloc_skb(len ?: 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put_data(skb, data, len);
	memset(TDI_SKB_CB(skb), 0, sizeof(struct tdi_skb_cb));
	TDI_SKB_CB(skb)->flags = eor ? TDI_F_EOR : 0;
	skb_queue_tail(q, skb);
	if (q == &ctx->ts.sk.sk_receive_queue)
		ctx->ts.rcv_unread += len;
}

static void tdi_data_rcv(struct kunit *test, const char *data, bool eor)
{
	struct tdi_data_ctx *ctx = test->priv;

	tdi_data_queue(test, &ctx->ts.sk.sk_receive_queue, data, eor);
}

/* One tdi_conn_recv_data() call into ctx->buf (NUL-terminated after). */
static int tdi_data_read(struct kunit *test, struct tdi_recv *r)
{
	struct tdi_data_ctx *ctx = test->priv;
	size_t before = r->copied;
	struct iov_iter to;
	struct kvec kv;
	int ret;

	KUNIT_ASSERT_LT(test, r->len, sizeof(ctx->buf));
	kv.iov_base = ctx->buf;
	kv.iov_len = r->len - before;
	iov_iter_kvec(&to, ITER_DEST, &kv, 1, kv.iov_len);
	memset(ctx->buf, 0, sizeof(ctx->buf));
	ret = tdi_conn_recv_data(&ctx->ts, &to, r);
	ctx->buf[r->copied - before] = 0;
	return ret;
}

static unsigned int tdi_data_queued(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;

	return skb_queue_len(&ctx->ts.sk.sk_receive_queue);
}

/* A stream read takes what fits, across frames, and a later read goes on
 * inside the frame where the first stopped; running out returns 0.
 */
static void tdi_data_stream_test(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;
	struct tdi_recv r = { .len = 5 };

	tdi_data_rcv(test, "abc", false);
	tdi_data_rcv(test, "defg", false);
	tdi_data_rcv(test, "hi", false);
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "abcde");
	KUNIT_EXPECT_EQ(test, ctx->ts.rcv_unread, 4U);
	KUNIT_EXPECT_EQ(test, tdi_data_queued(test), 2U);
	KUNIT_EXPECT_FALSE(test, r.eor);

	r = (struct tdi_recv){ .len = 10 };
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 0);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "fghi");
	KUNIT_EXPECT_EQ(test, r.copied, 4UL);
	KUNIT_EXPECT_EQ(test, ctx->ts.rcv_unread, 0U);
	KUNIT_EXPECT_EQ(test, tdi_data_queued(test), 0U);
}

/* A stream ignores TSDU ends: a read goes across them. */
static void tdi_data_stream_eor_test(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;
	struct tdi_recv r = { .len = 6 };

	tdi_data_rcv(test, "abc", true);
	tdi_data_rcv(test, "def", true);
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "abcdef");
	KUNIT_EXPECT_FALSE(test, r.eor);
}

/* Message mode: a read ends with its TSDU, and says so. */
static void tdi_data_msg_test(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;
	struct tdi_recv r = { .len = 32, .msgmode = true };

	tdi_data_rcv(test, "abc", false);
	tdi_data_rcv(test, "de", true);
	tdi_data_rcv(test, "xyz", true);
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "abcde");
	KUNIT_EXPECT_TRUE(test, r.eor);
	r = (struct tdi_recv){ .len = 32, .msgmode = true };
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "xyz");
	KUNIT_EXPECT_TRUE(test, r.eor);
	KUNIT_EXPECT_EQ(test, ctx->ts.rcv_unread, 0U);
}

/* Message mode: a TSDU larger than the read comes in parts, the end of
 * the TSDU with the last; a TSDU not all there yet runs out with no end.
 */
static void tdi_data_msg_partial_test(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;
	struct tdi_recv r = { .len = 2, .msgmode = true };

	tdi_data_rcv(test, "abc", false);
	tdi_data_rcv(test, "de", true);
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "ab");
	KUNIT_EXPECT_FALSE(test, r.eor);
	r = (struct tdi_recv){ .len = 32, .msgmode = true };
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "cde");
	KUNIT_EXPECT_TRUE(test, r.eor);

	tdi_data_rcv(test, "fgh", false);
	r = (struct tdi_recv){ .len = 32, .msgmode = true };
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 0);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "fgh");
	KUNIT_EXPECT_FALSE(test, r.eor);
	/* the rest comes: the same read goes on */
	tdi_data_rcv(test, "i", true);
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "i");
	KUNIT_EXPECT_EQ(test, r.copied, 4UL);
	KUNIT_EXPECT_TRUE(test, r.eor);
}

/* A read that fills its buffer just before an end of TSDU that came in a
 * frame of its own takes that end too; a stream leaves it.
 */
static void tdi_data_end_marker_test(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;
	struct tdi_recv r = { .len = 3, .msgmode = true };

	tdi_data_rcv(test, "abc", false);
	tdi_data_rcv(test, "", true);
	tdi_data_rcv(test, "x", true);
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "abc");
	KUNIT_EXPECT_TRUE(test, r.eor);
	KUNIT_EXPECT_EQ(test, tdi_data_queued(test), 1U);

	skb_queue_purge(&ctx->ts.sk.sk_receive_queue);
	tdi_data_rcv(test, "abc", false);
	tdi_data_rcv(test, "", true);
	r = (struct tdi_recv){ .len = 3 };
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_FALSE(test, r.eor);
	KUNIT_EXPECT_EQ(test, tdi_data_queued(test), 1U);
}

/* Truncation drops the rest of the TSDU, across frames, and counts it. */
static void tdi_data_trunc_test(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;
	struct tdi_recv r = { .len = 2, .msgmode = true, .trunc = true };

	tdi_data_rcv(test, "abc", false);
	tdi_data_rcv(test, "de", true);
	tdi_data_rcv(test, "xyz", true);
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "ab");
	KUNIT_EXPECT_EQ(test, r.skipped, 3UL);
	KUNIT_EXPECT_TRUE(test, r.eor);
	KUNIT_EXPECT_EQ(test, tdi_data_queued(test), 1U);
	KUNIT_EXPECT_EQ(test, ctx->ts.rcv_unread, 3U);

	/* one that fits loses nothing */
	r = (struct tdi_recv){ .len = 8, .msgmode = true, .trunc = true };
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "xyz");
	KUNIT_EXPECT_EQ(test, r.skipped, 0UL);
	KUNIT_EXPECT_TRUE(test, r.eor);
}

/* A peek reads as a read would and leaves everything where it was. */
static void tdi_data_peek_test(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;
	struct tdi_recv r = { .len = 32, .msgmode = true, .peek = true };

	tdi_data_rcv(test, "abc", false);
	tdi_data_rcv(test, "de", true);
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "abcde");
	KUNIT_EXPECT_TRUE(test, r.eor);
	KUNIT_EXPECT_EQ(test, tdi_data_queued(test), 2U);
	KUNIT_EXPECT_EQ(test, ctx->ts.rcv_unread, 5U);

	/* stopping inside a frame */
	r = (struct tdi_recv){ .len = 4, .msgmode = true, .peek = true };
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "abcd");
	KUNIT_EXPECT_FALSE(test, r.eor);
	KUNIT_EXPECT_EQ(test, r.cursor_off, 1U);

	/* the real read gets the same bytes */
	r = (struct tdi_recv){ .len = 32, .msgmode = true };
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "abcde");
	KUNIT_EXPECT_EQ(test, tdi_data_queued(test), 0U);
}

/* A peek that ran out goes on after its cursor when more comes. */
static void tdi_data_peek_more_test(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;
	struct tdi_recv r = { .len = 10, .peek = true };

	tdi_data_rcv(test, "ab", false);
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 0);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "ab");
	tdi_data_rcv(test, "cd", false);
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 0);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "cd");
	KUNIT_EXPECT_EQ(test, r.copied, 4UL);
	KUNIT_EXPECT_EQ(test, tdi_data_queued(test), 2U);
}

/* A read of nothing takes nothing (and is complete). */
static void tdi_data_zero_test(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;
	struct tdi_recv r = { .len = 0 };

	tdi_data_rcv(test, "abc", false);
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_EQ(test, r.copied, 0UL);
	KUNIT_EXPECT_EQ(test, ctx->ts.rcv_unread, 3U);
	KUNIT_EXPECT_EQ(test, tdi_data_queued(test), 1U);
}

/* When may a truncating read begin: the whole TSDU is there, or no more
 * of it can come; it is coming; or what came fills the receive buffer.
 */
static void tdi_data_head_tsdu_test(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, tdi_conn_head_tsdu(&ctx->ts), TDI_TSDU_COMING);
	tdi_data_rcv(test, "abc", false);
	/* sk_rcvbuf 0: no window, the TSDU can never come whole */
	KUNIT_EXPECT_EQ(test, tdi_conn_head_tsdu(&ctx->ts), TDI_TSDU_STUCK);
	tdi_data_rcv(test, "de", true);
	KUNIT_EXPECT_EQ(test, tdi_conn_head_tsdu(&ctx->ts), TDI_TSDU_READY);

	skb_queue_purge(&ctx->ts.sk.sk_receive_queue);
	tdi_data_rcv(test, "abc", false);
	ctx->ts.sk.sk_shutdown = RCV_SHUTDOWN;
	KUNIT_EXPECT_EQ(test, tdi_conn_head_tsdu(&ctx->ts), TDI_TSDU_READY);
	ctx->ts.sk.sk_shutdown = 0;
	ctx->ts.state = TDI_STATE_BOUND;
	KUNIT_EXPECT_EQ(test, tdi_conn_head_tsdu(&ctx->ts), TDI_TSDU_READY);
}

/* One tdi_conn_recv_xdata() call of @len bytes into ctx->buf. */
static int tdi_data_xread(struct kunit *test, size_t len, int flags,
			  unsigned int *msg_flags)
{
	struct tdi_data_ctx *ctx = test->priv;
	struct iov_iter to;
	struct kvec kv = { .iov_base = ctx->buf, .iov_len = len };
	int ret;

	memset(ctx->buf, 0, sizeof(ctx->buf));
	iov_iter_kvec(&to, ITER_DEST, &kv, 1, len);
	*msg_flags = 0;
	ret = tdi_conn_recv_xdata(&ctx->ts, &to, len, flags, msg_flags);
	return ret;
}

/* Expedited TSDUs: read in parts, peeked, truncated; none is EAGAIN. */
static void tdi_data_xdata_test(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;
	unsigned int f;

	KUNIT_EXPECT_EQ(test, tdi_data_xread(test, 8, 0, &f), -EAGAIN);
	KUNIT_EXPECT_EQ(test, f, 0U);
	tdi_data_queue(test, &ctx->ts.xrecv_queue, "hello", true);
	tdi_data_queue(test, &ctx->ts.xrecv_queue, "world", true);

	KUNIT_EXPECT_EQ(test, tdi_data_xread(test, 3, MSG_PEEK, &f), 3);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "hel");
	KUNIT_EXPECT_EQ(test, f, (unsigned int)MSG_OOB);
	KUNIT_EXPECT_EQ(test, tdi_data_xread(test, 3, 0, &f), 3);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "hel");
	KUNIT_EXPECT_EQ(test, f, (unsigned int)MSG_OOB);
	KUNIT_EXPECT_EQ(test, tdi_data_xread(test, 8, 0, &f), 2);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "lo");
	KUNIT_EXPECT_EQ(test, f, (unsigned int)(MSG_OOB | MSG_EOR));

	KUNIT_EXPECT_EQ(test, tdi_data_xread(test, 2, MSG_TRUNC, &f), 5);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "wo");
	KUNIT_EXPECT_EQ(test, f, (unsigned int)(MSG_OOB | MSG_EOR | MSG_TRUNC));
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&ctx->ts.xrecv_queue));
}

/* The bytes of @chain, NUL-terminated, in ctx->buf. */
static void tdi_data_chain_bytes(struct kunit *test, struct sk_buff *chain)
{
	struct tdi_data_ctx *ctx = test->priv;

	KUNIT_ASSERT_LT(test, chain->len, sizeof(ctx->buf));
	KUNIT_ASSERT_EQ(test, skb_copy_bits(chain, 0, ctx->buf, chain->len), 0);
	ctx->buf[chain->len] = 0;
}

/* A chain is the head TSDU from its first unread byte, its frames on the
 * first one's frag_list; put back, it reads as before.
 */
static void tdi_data_chain_msg_test(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;
	struct tdi_recv r = { .len = 1, .msgmode = true };
	struct sk_buff *chain;
	bool entire;

	ctx->ts.sk.sk_type = SOCK_SEQPACKET;
	tdi_data_rcv(test, "ab", false);
	tdi_data_rcv(test, "cde", true);
	tdi_data_rcv(test, "f", true);
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);	/* "a" */
	chain = tdi_conn_recv_chain(&ctx->ts, false, &entire);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, chain);
	KUNIT_EXPECT_TRUE(test, entire);
	KUNIT_EXPECT_TRUE(test, skb_has_frag_list(chain));
	KUNIT_EXPECT_EQ(test, chain->len, 4U);
	tdi_data_chain_bytes(test, chain);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "bcde");
	KUNIT_EXPECT_EQ(test, ctx->ts.rcv_unread, 1U);
	KUNIT_EXPECT_EQ(test, tdi_data_queued(test), 1U);
	/* not accepted: back where it was */
	tdi_conn_recv_unchain(&ctx->ts, chain, false);
	KUNIT_EXPECT_EQ(test, ctx->ts.rcv_unread, 5U);
	KUNIT_EXPECT_EQ(test, tdi_data_queued(test), 3U);
	r = (struct tdi_recv){ .len = 32, .msgmode = true };
	KUNIT_EXPECT_EQ(test, tdi_data_read(test, &r), 1);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "bcde");
	KUNIT_EXPECT_TRUE(test, r.eor);
	/* a TSDU of one frame: no frag_list */
	chain = tdi_conn_recv_chain(&ctx->ts, false, &entire);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, chain);
	KUNIT_EXPECT_FALSE(test, skb_has_frag_list(chain));
	tdi_data_chain_bytes(test, chain);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "f");
	consume_skb(chain);
	KUNIT_EXPECT_NULL(test, tdi_conn_recv_chain(&ctx->ts, false, &entire));
	KUNIT_EXPECT_EQ(test, ctx->ts.rcv_unread, 0U);
}

/* A stream's chain is all that is queued, and ends no TSDU; message mode
 * with the end not there yet chains what came; expedited: one TSDU.
 */
static void tdi_data_chain_stream_test(struct kunit *test)
{
	struct tdi_data_ctx *ctx = test->priv;
	struct sk_buff *chain;
	bool entire;

	ctx->ts.sk.sk_type = SOCK_STREAM;
	tdi_data_rcv(test, "ab", false);
	tdi_data_rcv(test, "cd", true);
	tdi_data_rcv(test, "ef", false);
	chain = tdi_conn_recv_chain(&ctx->ts, false, &entire);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, chain);
	KUNIT_EXPECT_FALSE(test, entire);
	tdi_data_chain_bytes(test, chain);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "abcdef");
	KUNIT_EXPECT_EQ(test, tdi_data_queued(test), 0U);
	consume_skb(chain);

	ctx->ts.sk.sk_type = SOCK_SEQPACKET;
	tdi_data_rcv(test, "gh", false);
	chain = tdi_conn_recv_chain(&ctx->ts, false, &entire);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, chain);
	KUNIT_EXPECT_FALSE(test, entire);
	consume_skb(chain);

	tdi_data_queue(test, &ctx->ts.xrecv_queue, "urgent", true);
	tdi_data_queue(test, &ctx->ts.xrecv_queue, "more", true);
	chain = tdi_conn_recv_chain(&ctx->ts, true, &entire);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, chain);
	KUNIT_EXPECT_TRUE(test, entire);
	tdi_data_chain_bytes(test, chain);
	KUNIT_EXPECT_STREQ(test, ctx->buf, "urgent");
	tdi_conn_recv_unchain(&ctx->ts, chain, true);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&ctx->ts.xrecv_queue), 2U);
	KUNIT_EXPECT_EQ(test, ctx->ts.rcv_unread, 0U);
}

static struct kunit_case tdi_data_test_cases[] = {
	KUNIT_CASE(tdi_data_stream_test),
	KUNIT_CASE(tdi_data_stream_eor_test),
	KUNIT_CASE(tdi_data_msg_test),
	KUNIT_CASE(tdi_data_msg_partial_test),
	KUNIT_CASE(tdi_data_end_marker_test),
	KUNIT_CASE(tdi_data_trunc_test),
	KUNIT_CASE(tdi_data_peek_test),
	KUNIT_CASE(tdi_data_peek_more_test),
	KUNIT_CASE(tdi_data_zero_test),
	KUNIT_CASE(tdi_data_head_tsdu_test),
	KUNIT_CASE(tdi_data_xdata_test),
	KUNIT_CASE(tdi_data_chain_msg_test),
	KUNIT_CASE(tdi_data_chain_stream_test),
	{}
};

static struct kunit_suite tdi_data_suite = {
	.name = "tdi_data",
	.init = tdi_data_test_init,
	.exit = tdi_data_test_exit,
	.test_cases = tdi_data_test_cases,
};

kunit_test_suites(&tdi_data_suite);
