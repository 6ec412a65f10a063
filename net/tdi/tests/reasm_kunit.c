// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the out-of-order queue, tdi_ofo_insert(), tdi_ofo_pull(),
 * tdi_ofo_sack() and tdi_seg_trim_front().
 */

#include <kunit/test.h>
#include <linux/skbuff.h>

#include "../tdi.h"

#define MARKERS		(TDI_F_EOR | TDI_CB_RELEASE)

struct tdi_reasm_ctx {
	struct sk_buff_head q;
};

/* The byte at sequence number @pos of a segment tagged @tag: each segment
 * of a test has its own tag, so a byte shows where it came from and where
 * in the sequence space it belongs.
 */
static u8 tdi_seg_byte(u32 pos, u8 tag)
{
	return pos * 7 + tag * 64;
}

static struct sk_buff *tdi_test_seg(struct kunit *test, u32 seq, u32 len,
				    u16 flags, u8 tag)
{
	struct tdi_skb_cb *cb;
	struct sk_buff *skb;
	u8 *p;
	u32 i;

	skb = alloc_skb(len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	p = skb_put(skb, len);
	for (i = 0; i < len; i++)
		p[i] = tdi_seg_byte(seq + i, tag);
	cb = TDI_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->seq = seq;
	cb->end_seq = seq + len + !!(flags & MARKERS);
	cb->flags = flags;
	return skb;
}

static int tdi_reasm_test_init(struct kunit *test)
{
	struct tdi_reasm_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	skb_queue_head_init(&ctx->q);
	test->priv = ctx;
	return 0;
}

static void tdi_reasm_test_exit(struct kunit *test)
{
	struct tdi_reasm_ctx *ctx = test->priv;

	skb_queue_purge(&ctx->q);
}

/* Queue a new segment; the caller's duty to free it is done here. */
static bool tdi_test_insert(struct kunit *test, u32 seq, u32 len, u16 flags,
			    u8 tag)
{
	struct tdi_reasm_ctx *ctx = test->priv;
	struct sk_buff *skb = tdi_test_seg(test, seq, len, flags, tag);

	if (tdi_ofo_insert(&ctx->q, skb))
		return true;
	kfree_skb(skb);
	return false;
}

struct tdi_seg_want {
	u32 seq;
	u32 end_seq;
	u16 flags;
	u8 tag;
};

static void tdi_expect_seg(struct kunit *test, const struct sk_buff *skb,
			   const struct tdi_seg_want *w, unsigned int n)
{
	const struct tdi_skb_cb *cb = TDI_SKB_CB(skb);
	u32 len = w->end_seq - w->seq - !!(w->flags & MARKERS);
	u32 i;

	KUNIT_EXPECT_EQ_MSG(test, cb->seq, w->seq, "segment %u", n);
	KUNIT_EXPECT_EQ_MSG(test, cb->end_seq, w->end_seq, "segment %u", n);
	KUNIT_EXPECT_EQ_MSG(test, cb->flags, w->flags, "segment %u", n);
	KUNIT_EXPECT_EQ_MSG(test, skb->len, len, "segment %u", n);
	if (skb->len != len || skb_headlen(skb) != len)
		return;
	for (i = 0; i < len; i++) {
		if (skb->data[i] != tdi_seg_byte(w->seq + i, w->tag)) {
			KUNIT_FAIL(test,
				   "segment %u: byte %u is %#x, want %#x (tag %u)",
				   n, i, skb->data[i],
				   tdi_seg_byte(w->seq + i, w->tag), w->tag);
			return;
		}
	}
}

/* The queue holds exactly @want. */
static void tdi_expect_queue(struct kunit *test,
			     const struct tdi_seg_want *want, unsigned int n)
{
	struct tdi_reasm_ctx *ctx = test->priv;
	struct sk_buff *skb;
	unsigned int i = 0;

	KUNIT_EXPECT_EQ(test, skb_queue_len(&ctx->q), n);
	skb_queue_walk(&ctx->q, skb) {
		if (i < n)
			tdi_expect_seg(test, skb, &want[i], i);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, n);
}

/* Pull the next segment and check it, or check that there is none. */
static void tdi_expect_pull(struct kunit *test, u32 rcv_nxt,
			    const struct tdi_seg_want *w)
{
	struct tdi_reasm_ctx *ctx = test->priv;
	struct sk_buff *skb = tdi_ofo_pull(&ctx->q, rcv_nxt);

	if (!w) {
		KUNIT_EXPECT_NULL(test, skb);
		kfree_skb(skb);
		return;
	}
	KUNIT_EXPECT_NOT_NULL(test, skb);
	if (!skb)
		return;
	KUNIT_EXPECT_NULL(test, skb->next);
	tdi_expect_seg(test, skb, w, 0);
	kfree_skb(skb);
}

static void tdi_reasm_in_order_test(struct kunit *test)
{
	static const struct tdi_seg_want want[] = {
		{ 100, 110, 0, 0 },
		{ 110, 120, 0, 1 },
		{ 120, 131, TDI_F_EOR, 2 },
	};

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 10, 0, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 110, 10, 0, 1));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 120, 10, TDI_F_EOR, 2));
	tdi_expect_queue(test, want, ARRAY_SIZE(want));
}

static void tdi_reasm_out_of_order_test(struct kunit *test)
{
	static const struct tdi_seg_want want[] = {
		{ 100, 110, 0, 0 },
		{ 110, 120, 0, 1 },
		{ 120, 130, 0, 2 },
		{ 130, 140, 0, 3 },
		{ 150, 156, TDI_F_EOR, 5 },
	};

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 130, 10, 0, 3));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 110, 10, 0, 1));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 150, 5, TDI_F_EOR, 5));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 120, 10, 0, 2));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 10, 0, 0));
	tdi_expect_queue(test, want, ARRAY_SIZE(want));
}

static void tdi_reasm_duplicate_test(struct kunit *test)
{
	static const struct tdi_seg_want want[] = {
		{ 100, 110, 0, 0 },
		{ 200, 206, TDI_F_EOR, 0 },
		{ 300, 301, TDI_CB_RELEASE, 0 },
	};

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 10, 0, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 200, 5, TDI_F_EOR, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 300, 0, TDI_CB_RELEASE,
						0));
	/* the copies bring nothing: refused, the first ones stay */
	KUNIT_EXPECT_FALSE(test, tdi_test_insert(test, 100, 10, 0, 1));
	KUNIT_EXPECT_FALSE(test, tdi_test_insert(test, 200, 5, TDI_F_EOR, 1));
	KUNIT_EXPECT_FALSE(test, tdi_test_insert(test, 300, 0,
						 TDI_CB_RELEASE, 1));
	tdi_expect_queue(test, want, ARRAY_SIZE(want));
}

/* A new segment whose front overlaps a queued one loses its front. */
static void tdi_reasm_overlap_front_test(struct kunit *test)
{
	static const struct tdi_seg_want want[] = {
		{ 100, 110, 0, 0 },
		{ 110, 115, 0, 1 },
	};

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 10, 0, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 105, 10, 0, 1));
	tdi_expect_queue(test, want, ARRAY_SIZE(want));
}

/* A new segment whose tail overlaps a queued one loses its tail. */
static void tdi_reasm_overlap_tail_test(struct kunit *test)
{
	static const struct tdi_seg_want want[] = {
		{ 100, 110, 0, 1 },
		{ 110, 120, 0, 0 },
	};

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 110, 10, 0, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 15, 0, 1));
	tdi_expect_queue(test, want, ARRAY_SIZE(want));
}

/* Overlapping on both sides: the new segment fills exactly the hole. */
static void tdi_reasm_overlap_both_test(struct kunit *test)
{
	static const struct tdi_seg_want want[] = {
		{ 100, 110, 0, 0 },
		{ 110, 120, 0, 1 },
		{ 120, 130, 0, 2 },
	};

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 10, 0, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 120, 10, 0, 2));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 105, 20, 0, 1));
	tdi_expect_queue(test, want, ARRAY_SIZE(want));
}

/* Queued segments a new one covers whole are dropped for it. */
static void tdi_reasm_cover_several_test(struct kunit *test)
{
	static const struct tdi_seg_want want[] = {
		{ 105, 130, 0, 3 },
		{ 130, 140, 0, 2 },
	};

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 110, 5, 0, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 120, 5, 0, 1));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 130, 10, 0, 2));
	/* 105..134: covers the first two, overlaps the third */
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 105, 30, 0, 3));
	tdi_expect_queue(test, want, ARRAY_SIZE(want));
}

static void tdi_reasm_cover_same_start_test(struct kunit *test)
{
	static const struct tdi_seg_want want[] = {
		{ 100, 111, TDI_F_EOR, 2 },
		{ 200, 215, 0, 4 },
	};

	/* two segments, the second with the TSDU's end */
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 5, 0, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 105, 5, TDI_F_EOR, 1));
	/* one segment with the same bytes and end replaces both */
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 10, TDI_F_EOR, 2));
	/* a longer one from the same start replaces the queued one */
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 200, 10, 0, 3));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 200, 15, 0, 4));
	tdi_expect_queue(test, want, ARRAY_SIZE(want));
}

/* A new segment inside a queued one is refused, whatever its position. */
static void tdi_reasm_covered_test(struct kunit *test)
{
	static const struct tdi_seg_want want[] = {
		{ 100, 130, 0, 0 },
		{ 200, 211, TDI_F_EOR, 0 },
	};

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 30, 0, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 200, 10, TDI_F_EOR, 0));
	KUNIT_EXPECT_FALSE(test, tdi_test_insert(test, 110, 10, 0, 1));
	KUNIT_EXPECT_FALSE(test, tdi_test_insert(test, 100, 20, 0, 1));
	KUNIT_EXPECT_FALSE(test, tdi_test_insert(test, 110, 20, 0, 1));
	KUNIT_EXPECT_FALSE(test, tdi_test_insert(test, 100, 0, 0, 1));
	KUNIT_EXPECT_FALSE(test, tdi_test_insert(test, 205, 5, TDI_F_EOR, 1));
	KUNIT_EXPECT_FALSE(test, tdi_test_insert(test, 210, 0, TDI_F_EOR, 1));
	tdi_expect_queue(test, want, ARRAY_SIZE(want));
}

/* The segment after the EOR or RELEASE marker keeps it through trims. */
static void tdi_reasm_marker_test(struct kunit *test)
{
	static const struct tdi_seg_want want[] = {
		{ 100, 110, 0, 0 },
		{ 110, 116, TDI_F_EOR, 1 },	/* front trimmed, EOR kept */
		{ 120, 121, TDI_F_EOR, 2 },	/* empty TSDU */
		{ 200, 210, 0, 3 },
		{ 210, 216, TDI_CB_RELEASE, 4 },
	};

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 10, 0, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 105, 10, TDI_F_EOR, 1));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 120, 0, TDI_F_EOR, 2));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 200, 10, 0, 3));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 202, 13, TDI_CB_RELEASE,
						4));
	tdi_expect_queue(test, want, ARRAY_SIZE(want));
}

/* Cut at its tail, a segment loses the marker past the cut. */
static void tdi_reasm_marker_cut_test(struct kunit *test)
{
	static const struct tdi_seg_want want[] = {
		{ 100, 110, 0, 1 },
		{ 110, 120, 0, 0 },
		{ 200, 210, 0, 3 },
		{ 210, 220, 0, 2 },
	};

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 110, 10, 0, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 15, TDI_F_EOR, 1));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 210, 10, 0, 2));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 200, 12, TDI_CB_RELEASE,
						3));
	tdi_expect_queue(test, want, ARRAY_SIZE(want));
}

static void tdi_reasm_pull_test(struct kunit *test)
{
	struct tdi_reasm_ctx *ctx = test->priv;
	static const struct tdi_seg_want seg1 = { 115, 120, 0, 1 };
	static const struct tdi_seg_want seg3 = { 135, 141, TDI_F_EOR, 3 };

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 10, 0, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 110, 10, 0, 1));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 130, 10, TDI_F_EOR, 3));

	/* the head is still ahead */
	tdi_expect_pull(test, 90, NULL);
	tdi_expect_pull(test, 99, NULL);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&ctx->q), 3U);

	/* 100..109 is behind: freed; 110..119 trimmed to start at 115 */
	tdi_expect_pull(test, 115, &seg1);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&ctx->q), 1U);
	/* a hole at 120..129 */
	tdi_expect_pull(test, 120, NULL);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&ctx->q), 1U);
	/* trimmed, the EOR stays at the end */
	tdi_expect_pull(test, 135, &seg3);
	tdi_expect_pull(test, 141, NULL);
	tdi_expect_queue(test, NULL, 0);
}

static void tdi_reasm_pull_exact_test(struct kunit *test)
{
	static const struct tdi_seg_want seg0 = { 100, 110, 0, 0 };
	static const struct tdi_seg_want seg1 = { 110, 121, TDI_F_EOR, 1 };

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 110, 10, TDI_F_EOR, 1));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 10, 0, 0));
	tdi_expect_pull(test, 100, &seg0);
	tdi_expect_pull(test, 110, &seg1);
	tdi_expect_pull(test, 121, NULL);
}

/* Segments wholly before rcv_nxt go, even when nothing is left to pull. */
static void tdi_reasm_pull_stale_test(struct kunit *test)
{
	static const struct tdi_seg_want want[] = {
		{ 130, 140, 0, 2 },
	};

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 10, 0, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 110, 10, TDI_F_EOR, 1));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 130, 10, 0, 2));
	/* 121 is the end of the second segment's marker */
	tdi_expect_pull(test, 121, NULL);
	tdi_expect_queue(test, want, ARRAY_SIZE(want));
	tdi_expect_pull(test, 140, NULL);
	tdi_expect_queue(test, NULL, 0);
}

/* All bytes of a segment already read: its marker alone is still news. */
static void tdi_reasm_pull_marker_only_test(struct kunit *test)
{
	static const struct tdi_seg_want eor = { 110, 111, TDI_F_EOR, 0 };
	static const struct tdi_seg_want rel = { 220, 221, TDI_CB_RELEASE, 1 };

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 10, TDI_F_EOR, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 200, 20, TDI_CB_RELEASE,
						1));
	tdi_expect_pull(test, 110, &eor);
	tdi_expect_pull(test, 220, &rel);
	tdi_expect_pull(test, 221, NULL);
}

static void tdi_expect_sack(struct kunit *test, const struct tdi_sack *b,
			    unsigned int i, u32 start, u32 end)
{
	KUNIT_EXPECT_EQ_MSG(test, ntohl(b[i].start), start, "block %u", i);
	KUNIT_EXPECT_EQ_MSG(test, ntohl(b[i].end), end, "block %u", i);
}

/* An empty queue: nothing to pull, no SACK block. */
static void tdi_reasm_empty_test(struct kunit *test)
{
	struct tdi_sack b[TDI_MAX_SACK];
	struct sk_buff_head q;

	skb_queue_head_init(&q);
	memset(b, 0xff, sizeof(b));
	KUNIT_EXPECT_EQ(test, tdi_ofo_sack(&q, b, TDI_MAX_SACK), 0);
	KUNIT_EXPECT_EQ(test, ntohl(b[0].start), 0xffffffffU);
	KUNIT_EXPECT_NULL(test, tdi_ofo_pull(&q, 0));
	KUNIT_EXPECT_NULL(test, tdi_ofo_pull(&q, 0x80000000));
}

static void tdi_reasm_sack_test(struct kunit *test)
{
	struct tdi_reasm_ctx *ctx = test->priv;
	struct tdi_sack b[TDI_MAX_SACK + 1];

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 10, 0, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 110, 10, 0, 1));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 130, 5, 0, 2));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 140, 10, 0, 3));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 150, 0, TDI_F_EOR, 4));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 151, 4, 0, 5));

	memset(b, 0xff, sizeof(b));
	KUNIT_ASSERT_EQ(test, tdi_ofo_sack(&ctx->q, b, TDI_MAX_SACK), 3);
	/* adjacent segments make one block; the EOR counts as a byte */
	tdi_expect_sack(test, b, 0, 100, 120);
	tdi_expect_sack(test, b, 1, 130, 135);
	tdi_expect_sack(test, b, 2, 140, 155);
	KUNIT_EXPECT_EQ(test, ntohl(b[3].start), 0xffffffffU);
	KUNIT_EXPECT_EQ(test, ntohl(b[3].end), 0xffffffffU);
}

static void tdi_reasm_sack_max_test(struct kunit *test)
{
	static const u32 starts[] = { 110, 100, 130, 150, 170, 190 };
	struct tdi_reasm_ctx *ctx = test->priv;
	struct tdi_sack b[7];
	unsigned int i;

	/* blocks 100..119 (two segments), 130.., 150.., 170.., 190..199 */
	for (i = 0; i < ARRAY_SIZE(starts); i++)
		KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, starts[i], 10, 0,
							i));

	memset(b, 0xff, sizeof(b));
	KUNIT_ASSERT_EQ(test, tdi_ofo_sack(&ctx->q, b, TDI_MAX_SACK),
			TDI_MAX_SACK);
	/* the lowest blocks, and nothing written past @max */
	tdi_expect_sack(test, b, 0, 100, 120);
	tdi_expect_sack(test, b, 1, 130, 140);
	tdi_expect_sack(test, b, 2, 150, 160);
	tdi_expect_sack(test, b, 3, 170, 180);
	KUNIT_EXPECT_EQ(test, ntohl(b[4].start), 0xffffffffU);
	KUNIT_EXPECT_EQ(test, ntohl(b[4].end), 0xffffffffU);

	memset(b, 0xff, sizeof(b));
	KUNIT_ASSERT_EQ(test, tdi_ofo_sack(&ctx->q, b, 1), 1);
	tdi_expect_sack(test, b, 0, 100, 120);
	KUNIT_EXPECT_EQ(test, ntohl(b[1].start), 0xffffffffU);

	memset(b, 0xff, sizeof(b));
	KUNIT_ASSERT_EQ(test, tdi_ofo_sack(&ctx->q, b, 5), 5);
	tdi_expect_sack(test, b, 4, 190, 200);
	KUNIT_EXPECT_EQ(test, ntohl(b[5].start), 0xffffffffU);

	/* room for more than there are */
	memset(b, 0xff, sizeof(b));
	KUNIT_ASSERT_EQ(test, tdi_ofo_sack(&ctx->q, b, 7), 5);
	tdi_expect_sack(test, b, 4, 190, 200);
	KUNIT_EXPECT_EQ(test, ntohl(b[5].start), 0xffffffffU);

	/* the queue is only read */
	KUNIT_EXPECT_EQ(test, skb_queue_len(&ctx->q), ARRAY_SIZE(starts));
}

/* Sorting, trimming, SACK and pulling across 2^32. */
static void tdi_reasm_wrap_test(struct kunit *test)
{
	struct tdi_reasm_ctx *ctx = test->priv;
	static const struct tdi_seg_want want[] = {
		{ 0xfffffff0, 0xfffffffa, 0, 0 },
		{ 0xfffffffa, 4, 0, 3 },
		{ 4, 15, TDI_F_EOR, 2 },
	};
	static const struct tdi_seg_want pulled[] = {
		{ 0xfffffff2, 0xfffffffa, 0, 0 },
		{ 0xfffffffa, 4, 0, 3 },
		{ 8, 15, TDI_F_EOR, 2 },
	};
	struct tdi_sack b[TDI_MAX_SACK];

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 4, 10, TDI_F_EOR, 2));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 0xfffffff0, 10, 0, 0));
	KUNIT_ASSERT_EQ(test, tdi_ofo_sack(&ctx->q, b, TDI_MAX_SACK), 2);
	tdi_expect_sack(test, b, 0, 0xfffffff0, 0xfffffffa);
	tdi_expect_sack(test, b, 1, 4, 15);

	/* 0xfffffff5..7 overlaps both neighbours: only the hole is kept */
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 0xfffffff5, 19, 0, 3));
	tdi_expect_queue(test, want, ARRAY_SIZE(want));
	KUNIT_EXPECT_FALSE(test, tdi_test_insert(test, 0xfffffffc, 4, 0, 4));
	KUNIT_ASSERT_EQ(test, tdi_ofo_sack(&ctx->q, b, TDI_MAX_SACK), 1);
	tdi_expect_sack(test, b, 0, 0xfffffff0, 15);

	tdi_expect_pull(test, 0xffffffe0, NULL);
	tdi_expect_pull(test, 0xfffffff2, &pulled[0]);
	tdi_expect_pull(test, 0xfffffffa, &pulled[1]);
	tdi_expect_pull(test, 8, &pulled[2]);
	tdi_expect_queue(test, NULL, 0);
}

static void tdi_seg_trim_front_test(struct kunit *test)
{
	static const struct tdi_seg_want whole = { 100, 111, TDI_F_EOR, 0 };
	static const struct tdi_seg_want cut = { 104, 111, TDI_F_EOR, 0 };
	static const struct tdi_seg_want marker = { 110, 111, TDI_F_EOR, 0 };
	static const struct tdi_seg_want wrap = { 2, 4, 0, 1 };
	struct sk_buff *skb;

	skb = tdi_test_seg(test, 100, 10, TDI_F_EOR, 0);
	/* before or at the start: nothing to do */
	KUNIT_EXPECT_TRUE(test, tdi_seg_trim_front(skb, 90));
	KUNIT_EXPECT_TRUE(test, tdi_seg_trim_front(skb, 100));
	KUNIT_EXPECT_TRUE(test, tdi_seg_trim_front(skb, 0xfffffff0));
	tdi_expect_seg(test, skb, &whole, 0);
	KUNIT_EXPECT_TRUE(test, tdi_seg_trim_front(skb, 104));
	tdi_expect_seg(test, skb, &cut, 0);
	KUNIT_EXPECT_TRUE(test, tdi_seg_trim_front(skb, 110));
	tdi_expect_seg(test, skb, &marker, 0);
	kfree_skb(skb);

	skb = tdi_test_seg(test, 0xfffffffe, 6, 0, 1);
	KUNIT_EXPECT_TRUE(test, tdi_seg_trim_front(skb, 0xfffffff0));
	KUNIT_EXPECT_EQ(test, skb->len, 6U);
	KUNIT_EXPECT_TRUE(test, tdi_seg_trim_front(skb, 2));
	tdi_expect_seg(test, skb, &wrap, 0);
	kfree_skb(skb);
}

/* A segment covered by two adjacent queued ones brings nothing: refused,
 * and the byte stream and the SACK blocks stay.
 */
static void tdi_reasm_covered_by_two_test(struct kunit *test)
{
	struct tdi_reasm_ctx *ctx = test->priv;
	static const struct tdi_seg_want seg0 = { 100, 110, 0, 0 };
	static const struct tdi_seg_want seg1 = { 110, 130, 0, 1 };
	struct tdi_sack b[TDI_MAX_SACK];

	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 100, 10, 0, 0));
	KUNIT_EXPECT_TRUE(test, tdi_test_insert(test, 110, 20, 0, 1));
	KUNIT_EXPECT_FALSE(test, tdi_test_insert(test, 105, 15, 0, 2));
	KUNIT_EXPECT_EQ(test, skb_queue_len(&ctx->q), 2U);
	KUNIT_ASSERT_EQ(test, tdi_ofo_sack(&ctx->q, b, TDI_MAX_SACK), 1);
	tdi_expect_sack(test, b, 0, 100, 130);
	tdi_expect_pull(test, 100, &seg0);
	tdi_expect_pull(test, 110, &seg1);
	tdi_expect_pull(test, 130, NULL);
	tdi_expect_queue(test, NULL, 0);
}

static struct kunit_case tdi_reasm_test_cases[] = {
	KUNIT_CASE(tdi_reasm_in_order_test),
	KUNIT_CASE(tdi_reasm_out_of_order_test),
	KUNIT_CASE(tdi_reasm_duplicate_test),
	KUNIT_CASE(tdi_reasm_overlap_front_test),
	KUNIT_CASE(tdi_reasm_overlap_tail_test),
	KUNIT_CASE(tdi_reasm_overlap_both_test),
	KUNIT_CASE(tdi_reasm_cover_several_test),
	KUNIT_CASE(tdi_reasm_cover_same_start_test),
	KUNIT_CASE(tdi_reasm_covered_test),
	KUNIT_CASE(tdi_reasm_marker_test),
	KUNIT_CASE(tdi_reasm_marker_cut_test),
	KUNIT_CASE(tdi_reasm_pull_test),
	KUNIT_CASE(tdi_reasm_pull_exact_test),
	KUNIT_CASE(tdi_reasm_pull_stale_test),
	KUNIT_CASE(tdi_reasm_pull_marker_only_test),
	KUNIT_CASE(tdi_reasm_empty_test),
	KUNIT_CASE(tdi_reasm_sack_test),
	KUNIT_CASE(tdi_reasm_sack_max_test),
	KUNIT_CASE(tdi_reasm_wrap_test),
	KUNIT_CASE(tdi_seg_trim_front_test),
	KUNIT_CASE(tdi_reasm_covered_by_two_test),
	{}
};

static struct kunit_suite tdi_reasm_suite = {
	.name = "tdi_reasm",
	.init = tdi_reasm_test_init,
	.exit = tdi_reasm_test_exit,
	.test_cases = tdi_reasm_test_cases,
};

kunit_test_suites(&tdi_reasm_suite);
