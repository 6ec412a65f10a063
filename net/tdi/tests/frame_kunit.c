// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: frame header construction and validation, tdi_frame_push() and
 * tdi_frame_parse().
 */

#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/skbuff.h>
#include <net/checksum.h>

#include "../tdi.h"

#define SRC_ID		0x11223344U
#define DST_ID		0x55667788U
#define MRU_MIN		(TDI_MIN_MTU - TDI_HDR_LEN)
#define SACK_LEN	((u16)sizeof(struct tdi_sack))

/* The frames of a case; freed in tdi_frame_test_exit(), even on failure. */
struct tdi_frame_ctx {
	struct sk_buff *skb[2];
};

static int tdi_frame_test_init(struct kunit *test)
{
	struct tdi_frame_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;
	return 0;
}

static void tdi_frame_test_exit(struct kunit *test)
{
	struct tdi_frame_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ctx->skb); i++)
		kfree_skb(ctx->skb[i]);
}

static u8 tdi_test_byte(unsigned int i)
{
	return i * 7 + 3;
}

/* A payload of @len bytes: struct tdi_setup first when @setup, then a pattern. */
static u8 *tdi_test_payload(struct kunit *test, unsigned int len, bool setup,
			    u16 mru, u8 reason, u8 datalen)
{
	unsigned int i;
	u8 *p;

	p = kunit_kzalloc(test, len + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < len; i++)
		p[i] = tdi_test_byte(i);
	if (setup && len >= TDI_SETUP_LEN) {
		struct tdi_setup *s = (struct tdi_setup *)p;

		s->mru = htons(mru);
		s->reason = reason;
		s->datalen = datalen;
	}
	return p;
}

/* Build header + payload + @pad bytes of padding in ctx->skb[@slot]. */
static struct sk_buff *tdi_test_frame(struct kunit *test, unsigned int slot,
				      const struct tdi_frame *fr,
				      const u8 *payload, unsigned int len,
				      unsigned int pad)
{
	struct tdi_frame_ctx *ctx = test->priv;
	struct sk_buff *skb;
	unsigned int i;

	skb = alloc_skb(TDI_HDR_LEN + len + pad, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	kfree_skb(ctx->skb[slot]);
	ctx->skb[slot] = skb;
	skb_reserve(skb, TDI_HDR_LEN);
	skb_put_data(skb, payload, len);
	tdi_frame_push(skb, fr, len ? csum_partial(payload, len, 0) : 0);
	for (i = 0; i < pad; i++)
		skb_put_u8(skb, 0x5a + i * 13);
	return skb;
}

/* Make the checksum right again after the header was changed. */
static void tdi_test_fix_csum(struct sk_buff *skb)
{
	struct tdi_hdr *h = (struct tdi_hdr *)skb->data;

	h->csum = 0;
	h->csum = csum_fold(skb_checksum(skb, 0, skb->len, 0));
}

enum {
	SET_VERSION	= BIT(0),
	SET_LEN		= BIT(1),
};

/**
 * struct tdi_bad_case - a malformed frame
 * @desc: what is wrong
 * @type: frame type
 * @flags: header flags
 * @src_id: header src_id
 * @dst_id: header dst_id
 * @plen: payload bytes
 * @setup: the payload starts with struct tdi_setup (@mru, @reason, @datalen)
 * @mru: setup mru
 * @reason: setup reason
 * @datalen: setup datalen
 * @set: SET_* fields written over the header, checksum fixed after
 * @version: the version for SET_VERSION
 * @len: the length field for SET_LEN
 * @flip: offset of a byte whose bit 4 is flipped after the checksum (0: none)
 * @cut: bytes cut off the end of the frame
 * @drop: what tdi_frame_parse() must say
 */
struct tdi_bad_case {
	const char *desc;
	u8 type;
	u16 flags;
	u32 src_id;
	u32 dst_id;
	u16 plen;
	bool setup;
	u16 mru;
	u8 reason;
	u8 datalen;
	unsigned int set;
	u8 version;
	u16 len;
	u16 flip;
	u16 cut;
	enum tdi_drop drop;
};

/* A frame of type t, flags f, ids s and d, n payload bytes. */
#define BAD(why, t, f, s, d, n, drop_)					\
	{ .desc = why, .type = TDI_T_##t, .flags = f, .src_id = s,	\
	  .dst_id = d, .plen = n, .drop = TDI_DROP_##drop_ }
/* A setup frame: struct tdi_setup {m, r, dl}, n payload bytes in all. */
#define BAD_SETUP(why, t, f, s, d, n, m, r, dl, drop_)			\
	{ .desc = why, .type = TDI_T_##t, .flags = f, .src_id = s,	\
	  .dst_id = d, .plen = n, .setup = true, .mru = m, .reason = r,	\
	  .datalen = dl, .drop = TDI_DROP_##drop_ }

#define HDR_OFF(f)	offsetof(struct tdi_hdr, f)

static const struct tdi_bad_case tdi_bad_cases[] = {
	/* length */
	{ .desc = "empty", .type = TDI_T_HOLD, .src_id = SRC_ID,
	  .dst_id = DST_ID, .cut = TDI_HDR_LEN, .drop = TDI_DROP_SHORT },
	{ .desc = "one byte short of a header", .type = TDI_T_HOLD,
	  .src_id = SRC_ID, .dst_id = DST_ID, .cut = 1,
	  .drop = TDI_DROP_SHORT },
	{ .desc = "payload one byte short of len", .type = TDI_T_DATA,
	  .src_id = SRC_ID, .dst_id = DST_ID, .plen = 10, .set = SET_LEN,
	  .len = 11, .drop = TDI_DROP_SHORT },
	{ .desc = "len 0xffff", .type = TDI_T_DATA, .src_id = SRC_ID,
	  .dst_id = DST_ID, .plen = 10, .set = SET_LEN, .len = 0xffff,
	  .drop = TDI_DROP_SHORT },
	{ .desc = "payload cut off", .type = TDI_T_XDATA, .src_id = SRC_ID,
	  .dst_id = DST_ID, .plen = 10, .cut = 1, .drop = TDI_DROP_SHORT },
	{ .desc = "setup payload cut off", .type = TDI_T_CONNECT,
	  .src_id = SRC_ID, .plen = TDI_SETUP_LEN + 2, .setup = true,
	  .mru = MRU_MIN, .datalen = 2, .cut = 3, .drop = TDI_DROP_SHORT },
	/* version */
	{ .desc = "version 0", .type = TDI_T_DATA, .src_id = SRC_ID,
	  .dst_id = DST_ID, .plen = 1, .set = SET_VERSION, .version = 0,
	  .drop = TDI_DROP_VERSION },
	{ .desc = "version 2", .type = TDI_T_DATA, .src_id = SRC_ID,
	  .dst_id = DST_ID, .plen = 1, .set = SET_VERSION, .version = 2,
	  .drop = TDI_DROP_VERSION },
	{ .desc = "version 255", .type = TDI_T_HOLD, .src_id = SRC_ID,
	  .dst_id = DST_ID, .set = SET_VERSION, .version = 0xff,
	  .drop = TDI_DROP_VERSION },
	/* type */
	{ .desc = "type 0", .type = 0, .src_id = SRC_ID, .dst_id = DST_ID,
	  .drop = TDI_DROP_TYPE },
	{ .desc = "type __TDI_T_MAX", .type = __TDI_T_MAX, .src_id = SRC_ID,
	  .dst_id = DST_ID, .drop = TDI_DROP_TYPE },
	{ .desc = "type 255", .type = 0xff, .src_id = SRC_ID, .dst_id = DST_ID,
	  .plen = 4, .drop = TDI_DROP_TYPE },
	/* flags the type does not allow */
	BAD("EOR on ACK", ACK, TDI_F_EOR, SRC_ID, DST_ID, 0, FLAGS),
	BAD("MSGMODE on ACK", ACK, TDI_F_MSGMODE, SRC_ID, DST_ID, 0, FLAGS),
	BAD("MSGMODE on DATA", DATA, TDI_F_MSGMODE | TDI_F_EOR, SRC_ID, DST_ID, 1, FLAGS),
	BAD("SACK on DATA", DATA, TDI_F_SACK, SRC_ID, DST_ID, 8, FLAGS),
	BAD("unknown flag 0x0010 on DATA", DATA, 0x0010, SRC_ID, DST_ID, 1, FLAGS),
	BAD("unknown flag 0x8000 on DATA", DATA, 0x8000, SRC_ID, DST_ID, 1, FLAGS),
	BAD("ACKNOW on HOLD", HOLD, TDI_F_ACKNOW, SRC_ID, DST_ID, 0, FLAGS),
	BAD("EOR on XDATA", XDATA, TDI_F_EOR, SRC_ID, DST_ID, 1, FLAGS),
	BAD("EOR on RELEASE", RELEASE, TDI_F_EOR, SRC_ID, DST_ID, 0, FLAGS),
	BAD("ACKNOW on DATAGRAM", DATAGRAM, TDI_F_ACKNOW, 0, 0, 1, FLAGS),
	BAD("EOR on DATAGRAM", DATAGRAM, TDI_F_EOR, 0, 0, 1, FLAGS),
	BAD_SETUP("ACKNOW on CONNECT", CONNECT, TDI_F_ACKNOW, SRC_ID, 0,
		  TDI_SETUP_LEN, MRU_MIN, 0, 0, FLAGS),
	BAD_SETUP("EOR on ACCEPT", ACCEPT, TDI_F_EOR, SRC_ID, DST_ID,
		  TDI_SETUP_LEN, MRU_MIN, 0, 0, FLAGS),
	BAD_SETUP("MSGMODE on REFUSE", REFUSE, TDI_F_MSGMODE, SRC_ID, DST_ID,
		  TDI_SETUP_LEN, 0, TDI_REASON_REFUSED, 0, FLAGS),
	BAD_SETUP("ACKNOW on RESET", RESET, TDI_F_ACKNOW, SRC_ID, DST_ID,
		  TDI_SETUP_LEN, 0, TDI_REASON_ABORT, 0, FLAGS),
	/* identifiers */
	BAD_SETUP("CONNECT with dst_id", CONNECT, 0, SRC_ID, DST_ID,
		  TDI_SETUP_LEN, MRU_MIN, 0, 0, IDS),
	BAD_SETUP("CONNECT without src_id", CONNECT, 0, 0, 0,
		  TDI_SETUP_LEN, MRU_MIN, 0, 0, IDS),
	BAD_SETUP("ACCEPT without src_id", ACCEPT, 0, 0, DST_ID,
		  TDI_SETUP_LEN, MRU_MIN, 0, 0, IDS),
	BAD_SETUP("ACCEPT without dst_id", ACCEPT, 0, SRC_ID, 0,
		  TDI_SETUP_LEN, MRU_MIN, 0, 0, IDS),
	BAD_SETUP("REFUSE without dst_id", REFUSE, 0, SRC_ID, 0,
		  TDI_SETUP_LEN, 0, TDI_REASON_REFUSED, 0, IDS),
	BAD_SETUP("RESET without dst_id", RESET, 0, 0, 0,
		  TDI_SETUP_LEN, 0, TDI_REASON_ABORT, 0, IDS),
	BAD("HOLD without src_id", HOLD, 0, 0, DST_ID, 0, IDS),
	BAD("HOLD without dst_id", HOLD, 0, SRC_ID, 0, 0, IDS),
	BAD("DATA without src_id", DATA, 0, 0, DST_ID, 1, IDS),
	BAD("DATA without dst_id", DATA, 0, SRC_ID, 0, 1, IDS),
	BAD("ACK without src_id", ACK, 0, 0, DST_ID, 0, IDS),
	BAD("ACK without dst_id", ACK, 0, SRC_ID, 0, 0, IDS),
	BAD("XDATA without src_id", XDATA, 0, 0, DST_ID, 1, IDS),
	BAD("XDATA without dst_id", XDATA, 0, SRC_ID, 0, 1, IDS),
	BAD("RELEASE without src_id", RELEASE, 0, 0, DST_ID, 0, IDS),
	BAD("RELEASE without dst_id", RELEASE, 0, SRC_ID, 0, 0, IDS),
	BAD("DATAGRAM with src_id", DATAGRAM, 0, SRC_ID, 0, 1, IDS),
	BAD("DATAGRAM with dst_id", DATAGRAM, 0, 0, DST_ID, 1, IDS),
	/* payload length for the type */
	BAD("HOLD with payload", HOLD, 0, SRC_ID, DST_ID, 1, LENGTH),
	BAD("RELEASE with 1 byte", RELEASE, 0, SRC_ID, DST_ID, 1, LENGTH),
	BAD("RELEASE shorter than setup", RELEASE, 0, SRC_ID, DST_ID,
	    TDI_SETUP_LEN - 1, LENGTH),
	BAD_SETUP("RELEASE with 129 bytes of data", RELEASE, 0, SRC_ID, DST_ID,
		  TDI_SETUP_LEN + TDI_MAX_USER_DATA + 1, 0, 0,
		  TDI_MAX_USER_DATA + 1, LENGTH),
	BAD("XDATA empty", XDATA, 0, SRC_ID, DST_ID, 0, LENGTH),
	BAD("XDATA of 1025 bytes", XDATA, 0, SRC_ID, DST_ID, TDI_MAX_EXPEDITED + 1,
	    LENGTH),
	BAD("ACK of 12 bytes", ACK, TDI_F_SACK, SRC_ID, DST_ID, 12, LENGTH),
	BAD("ACK of 4 bytes", ACK, TDI_F_SACK, SRC_ID, DST_ID, 4, LENGTH),
	BAD("ACK of 5 SACK blocks", ACK, TDI_F_SACK, SRC_ID, DST_ID,
	    (TDI_MAX_SACK + 1) * SACK_LEN, LENGTH),
	BAD("ACK with SACK flag, no payload", ACK, TDI_F_SACK, SRC_ID, DST_ID, 0, LENGTH),
	BAD("ACK with a block, no SACK flag", ACK, 0, SRC_ID, DST_ID, SACK_LEN, LENGTH),
	BAD("ACK with MRU flag, no payload", ACK, TDI_F_MRU, SRC_ID, DST_ID, 0, LENGTH),
	BAD("ACK with MRU flag, 4 bytes", ACK, TDI_F_MRU, SRC_ID, DST_ID, 4, LENGTH),
	BAD("ACK, MRU option only, SACK flag", ACK, TDI_F_MRU | TDI_F_SACK, SRC_ID,
	    DST_ID, TDI_MRU_OPT_LEN, LENGTH),
	BAD("ACK, MRU option and a block, no SACK flag", ACK, TDI_F_MRU, SRC_ID,
	    DST_ID, TDI_MRU_OPT_LEN + SACK_LEN, LENGTH),
	BAD("ACK, MRU option and 5 blocks", ACK, TDI_F_MRU | TDI_F_SACK, SRC_ID,
	    DST_ID, TDI_MRU_OPT_LEN + (TDI_MAX_SACK + 1) * SACK_LEN, LENGTH),
	BAD("ACK, MRU option of pattern bytes", ACK, TDI_F_MRU, SRC_ID, DST_ID,
	    TDI_MRU_OPT_LEN, SETUP),
	BAD("DATA empty without EOR", DATA, 0, SRC_ID, DST_ID, 0, LENGTH),
	BAD("DATA empty with ACKNOW only", DATA, TDI_F_ACKNOW, SRC_ID, DST_ID, 0, LENGTH),
	BAD("CONNECT shorter than setup", CONNECT, 0, SRC_ID, 0,
	    TDI_SETUP_LEN - 1, LENGTH),
	BAD("CONNECT empty", CONNECT, 0, SRC_ID, 0, 0, LENGTH),
	BAD("ACCEPT empty", ACCEPT, 0, SRC_ID, DST_ID, 0, LENGTH),
	BAD("REFUSE empty", REFUSE, 0, SRC_ID, DST_ID, 0, LENGTH),
	BAD("RESET shorter than setup", RESET, 0, SRC_ID, DST_ID, 2, LENGTH),
	BAD_SETUP("ACCEPT with 129 bytes of data", ACCEPT, 0, SRC_ID, DST_ID,
		  TDI_SETUP_LEN + TDI_MAX_USER_DATA + 1, MRU_MIN, 0,
		  TDI_MAX_USER_DATA + 1, LENGTH),
	/* checksum: one bit flipped after it was computed */
	{ .desc = "DATA payload bit", .type = TDI_T_DATA, .src_id = SRC_ID,
	  .dst_id = DST_ID, .plen = 10, .flip = TDI_HDR_LEN + 9,
	  .drop = TDI_DROP_CSUM },
	{ .desc = "odd DATA payload, last bit", .type = TDI_T_DATA,
	  .src_id = SRC_ID, .dst_id = DST_ID, .plen = 11,
	  .flip = TDI_HDR_LEN + 10, .drop = TDI_DROP_CSUM },
	{ .desc = "DATAGRAM payload, first byte", .type = TDI_T_DATAGRAM,
	  .plen = 100, .flip = TDI_HDR_LEN, .drop = TDI_DROP_CSUM },
	{ .desc = "SACK block bit", .type = TDI_T_ACK, .flags = TDI_F_SACK,
	  .src_id = SRC_ID, .dst_id = DST_ID, .plen = 2 * SACK_LEN,
	  .flip = TDI_HDR_LEN + 12, .drop = TDI_DROP_CSUM },
	{ .desc = "CONNECT user data bit", .type = TDI_T_CONNECT,
	  .src_id = SRC_ID, .plen = TDI_SETUP_LEN + 5, .setup = true,
	  .mru = MRU_MIN, .datalen = 5, .flip = TDI_HDR_LEN + 6,
	  .drop = TDI_DROP_CSUM },
	{ .desc = "header seq bit", .type = TDI_T_DATA, .src_id = SRC_ID,
	  .dst_id = DST_ID, .plen = 10, .flip = HDR_OFF(seq) + 3,
	  .drop = TDI_DROP_CSUM },
	{ .desc = "header tsval bit", .type = TDI_T_HOLD, .src_id = SRC_ID,
	  .dst_id = DST_ID, .flip = HDR_OFF(tsval), .drop = TDI_DROP_CSUM },
	{ .desc = "header sport bit", .type = TDI_T_RELEASE, .src_id = SRC_ID,
	  .dst_id = DST_ID, .flip = HDR_OFF(sport) + 1,
	  .drop = TDI_DROP_CSUM },
	{ .desc = "csum field bit", .type = TDI_T_ACK, .src_id = SRC_ID,
	  .dst_id = DST_ID, .flip = HDR_OFF(csum), .drop = TDI_DROP_CSUM },
	/* setup payload */
	BAD_SETUP("CONNECT datalen 129", CONNECT, 0, SRC_ID, 0,
		  TDI_SETUP_LEN + TDI_MAX_USER_DATA, MRU_MIN, 0,
		  TDI_MAX_USER_DATA + 1, SETUP),
	BAD_SETUP("REFUSE datalen 255", REFUSE, 0, SRC_ID, DST_ID,
		  TDI_SETUP_LEN + TDI_MAX_USER_DATA, 0, 0, 255, SETUP),
	BAD_SETUP("CONNECT datalen above len", CONNECT, 0, SRC_ID, 0,
		  TDI_SETUP_LEN + 4, MRU_MIN, 0, 5, SETUP),
	BAD_SETUP("CONNECT datalen below len", CONNECT, 0, SRC_ID, 0,
		  TDI_SETUP_LEN + 4, MRU_MIN, 0, 3, SETUP),
	BAD_SETUP("ACCEPT datalen without data", ACCEPT, 0, SRC_ID, DST_ID,
		  TDI_SETUP_LEN, MRU_MIN, 0, 1, SETUP),
	BAD_SETUP("RESET with data, datalen 0", RESET, 0, SRC_ID, DST_ID,
		  TDI_SETUP_LEN + 1, 0, TDI_REASON_ABORT, 0, SETUP),
	BAD_SETUP("CONNECT with reason", CONNECT, 0, SRC_ID, 0,
		  TDI_SETUP_LEN, MRU_MIN, TDI_REASON_RELEASE, 0, SETUP),
	BAD_SETUP("ACCEPT with reason", ACCEPT, 0, SRC_ID, DST_ID,
		  TDI_SETUP_LEN, MRU_MIN, TDI_REASON_LINK_DOWN, 0, SETUP),
	BAD_SETUP("CONNECT mru one below minimum", CONNECT, 0, SRC_ID, 0,
		  TDI_SETUP_LEN, MRU_MIN - 1, 0, 0, SETUP),
	BAD_SETUP("CONNECT mru 0", CONNECT, TDI_F_MSGMODE, SRC_ID, 0,
		  TDI_SETUP_LEN, 0, 0, 0, SETUP),
	BAD_SETUP("ACCEPT mru one below minimum", ACCEPT, 0, SRC_ID, DST_ID,
		  TDI_SETUP_LEN, MRU_MIN - 1, 0, 0, SETUP),
	BAD_SETUP("REFUSE with mru 1", REFUSE, 0, SRC_ID, DST_ID,
		  TDI_SETUP_LEN, 1, TDI_REASON_REFUSED, 0, SETUP),
	BAD_SETUP("REFUSE with a valid mru", REFUSE, 0, 0, DST_ID,
		  TDI_SETUP_LEN, MRU_MIN, TDI_REASON_REFUSED, 0, SETUP),
	BAD_SETUP("REFUSE reason above LINK_DOWN", REFUSE, 0, SRC_ID, DST_ID,
		  TDI_SETUP_LEN, 0, TDI_REASON_LINK_DOWN + 1, 0, SETUP),
	BAD_SETUP("RESET with mru", RESET, 0, SRC_ID, DST_ID,
		  TDI_SETUP_LEN + 2, 1500, TDI_REASON_ABORT, 2, SETUP),
	BAD_SETUP("RESET reason 255", RESET, 0, 0, DST_ID,
		  TDI_SETUP_LEN, 0, 255, 0, SETUP),
	BAD_SETUP("RELEASE with reason", RELEASE, 0, SRC_ID, DST_ID,
		  TDI_SETUP_LEN, 0, TDI_REASON_RELEASE, 0, SETUP),
	BAD_SETUP("RELEASE with mru", RELEASE, 0, SRC_ID, DST_ID,
		  TDI_SETUP_LEN + 1, MRU_MIN, 0, 1, SETUP),
	BAD_SETUP("RELEASE datalen above len", RELEASE, 0, SRC_ID, DST_ID,
		  TDI_SETUP_LEN + 4, 0, 0, 5, SETUP),
};

static void tdi_bad_case_desc(const struct tdi_bad_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tdi_bad, tdi_bad_cases, tdi_bad_case_desc);

static void tdi_frame_bad_test(struct kunit *test)
{
	const struct tdi_bad_case *c = test->param_value;
	struct tdi_frame_ctx *ctx = test->priv;
	struct tdi_frame fr = {
		.type = c->type,
		.flags = c->flags,
		.sport = 5000,
		.dport = 6000,
		.src_id = c->src_id,
		.dst_id = c->dst_id,
		.seq = 0x10000,
		.ack = 0x20000,
		.wnd = 65536,
		.tsval = 12345,
	};
	struct tdi_frame out;
	struct sk_buff *skb;
	struct tdi_hdr *h;
	u8 *payload;

	payload = tdi_test_payload(test, c->plen, c->setup, c->mru, c->reason,
				   c->datalen);
	skb = tdi_test_frame(test, 0, &fr, payload, c->plen, 0);
	KUNIT_ASSERT_EQ(test, skb->len, TDI_HDR_LEN + c->plen);
	h = (struct tdi_hdr *)skb->data;
	if (c->set & SET_VERSION)
		h->version = c->version;
	if (c->set & SET_LEN)
		h->len = htons(c->len);
	if (c->set)
		tdi_test_fix_csum(skb);

	if (c->flip || c->cut) {
		/* the same frame unharmed is valid: only the change is wrong */
		ctx->skb[1] = skb_copy(skb, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, ctx->skb[1]);
		KUNIT_EXPECT_EQ(test, tdi_frame_parse(ctx->skb[1], &out),
				TDI_DROP_NONE);
		KUNIT_ASSERT_LT(test, c->flip, skb->len);
		KUNIT_ASSERT_LE(test, c->cut, skb->len);
		if (c->flip)
			skb->data[c->flip] ^= 0x10;
		skb_trim(skb, skb->len - c->cut);
	}

	KUNIT_EXPECT_EQ(test, tdi_frame_parse(skb, &out), c->drop);
}

/**
 * struct tdi_good_case - a valid frame
 * @desc: what it is
 * @type: frame type
 * @flags: header flags
 * @src_id: header src_id
 * @dst_id: header dst_id
 * @plen: payload bytes, unless @setup
 * @setup: the payload is struct tdi_setup (@mru, @reason, @datalen) and
 *	@datalen bytes of user data
 * @mru: setup mru
 * @reason: setup reason
 * @datalen: setup datalen
 * @pad: Ethernet padding after the payload
 * @ones: every other header field all ones rather than a pattern
 */
struct tdi_good_case {
	const char *desc;
	u8 type;
	u16 flags;
	u32 src_id;
	u32 dst_id;
	u16 plen;
	bool setup;
	u16 mru;
	u8 reason;
	u8 datalen;
	u8 pad;
	bool ones;
};

#define GOOD(why, t, f, s, d, n, pad_)					\
	{ .desc = why, .type = TDI_T_##t, .flags = f, .src_id = s,	\
	  .dst_id = d, .plen = n, .pad = pad_ }
#define GOOD_SETUP(why, t, f, s, d, m, r, dl, pad_)			\
	{ .desc = why, .type = TDI_T_##t, .flags = f, .src_id = s,	\
	  .dst_id = d, .setup = true, .mru = m, .reason = r,		\
	  .datalen = dl, .pad = pad_ }

static const struct tdi_good_case tdi_good_cases[] = {
	GOOD_SETUP("CONNECT, minimum mru", CONNECT, 0, SRC_ID, 0,
		   MRU_MIN, 0, 0, 0),
	GOOD_SETUP("CONNECT, message mode, data", CONNECT, TDI_F_MSGMODE,
		   SRC_ID, 0, 1500 - TDI_HDR_LEN, 0, 17, 0),
	GOOD_SETUP("CONNECT, 128 bytes of data", CONNECT, 0, 0xffffffff, 0,
		   9000 - TDI_HDR_LEN, 0, TDI_MAX_USER_DATA, 0),
	GOOD_SETUP("CONNECT, padded", CONNECT, 0, SRC_ID, 0,
		   MRU_MIN, 0, 3, 9),
	GOOD_SETUP("ACCEPT", ACCEPT, 0, SRC_ID, DST_ID, 0xffff, 0, 0, 0),
	GOOD_SETUP("ACCEPT, message mode, data", ACCEPT, TDI_F_MSGMODE, SRC_ID, DST_ID,
		   MRU_MIN + 1, 0, 64, 0),
	GOOD_SETUP("REFUSE, LINK_DOWN", REFUSE, 0, SRC_ID, DST_ID, 0,
		   TDI_REASON_LINK_DOWN, 3, 0),
	GOOD_SETUP("REFUSE, no src_id", REFUSE, 0, 0, DST_ID, 0,
		   TDI_REASON_NO_LISTENER, 0, 2),
	GOOD_SETUP("REFUSE, 128 bytes of data", REFUSE, 0, SRC_ID, DST_ID, 0,
		   TDI_REASON_REFUSED, TDI_MAX_USER_DATA, 0),
	GOOD("HOLD", HOLD, 0, SRC_ID, DST_ID, 0, 0),
	GOOD("HOLD, padded to 60 bytes", HOLD, 0, SRC_ID, DST_ID, 0, 2),
	GOOD("DATA, one byte", DATA, 0, SRC_ID, DST_ID, 1, 0),
	GOOD("DATA, one byte, padded", DATA, TDI_F_ACKNOW, SRC_ID, DST_ID, 1, 1),
	GOOD("DATA, empty TSDU", DATA, TDI_F_EOR, SRC_ID, DST_ID, 0, 0),
	GOOD("DATA, empty TSDU, padded", DATA, TDI_F_EOR | TDI_F_ACKNOW, SRC_ID, DST_ID,
	     0, 2),
	GOOD("DATA, odd length, EOR", DATA, TDI_F_EOR, SRC_ID, DST_ID, 1455, 0),
	GOOD("DATA, 9000 bytes", DATA, TDI_F_ACKNOW, SRC_ID, DST_ID, 9000, 0),
	GOOD("ACK", ACK, 0, SRC_ID, DST_ID, 0, 0),
	GOOD("ACK, ACKNOW, padded", ACK, TDI_F_ACKNOW, SRC_ID, DST_ID, 0, 2),
	GOOD("ACK, one SACK block", ACK, TDI_F_SACK, SRC_ID, DST_ID, SACK_LEN, 0),
	GOOD("ACK, four SACK blocks", ACK, TDI_F_SACK | TDI_F_ACKNOW, SRC_ID, DST_ID,
	     TDI_MAX_SACK * SACK_LEN, 0),
	GOOD("XDATA, one byte", XDATA, 0, SRC_ID, DST_ID, 1, 1),
	GOOD("XDATA, 1024 bytes", XDATA, TDI_F_ACKNOW, SRC_ID, DST_ID,
	     TDI_MAX_EXPEDITED, 0),
	GOOD("RELEASE", RELEASE, 0, SRC_ID, DST_ID, 0, 0),
	GOOD("RELEASE, ACKNOW", RELEASE, TDI_F_ACKNOW, SRC_ID, DST_ID, 0, 2),
	GOOD_SETUP("RELEASE, no data", RELEASE, 0, SRC_ID, DST_ID, 0, 0, 0, 0),
	GOOD_SETUP("RELEASE, 128 bytes of data", RELEASE, TDI_F_ACKNOW, SRC_ID,
		   DST_ID, 0, 0, TDI_MAX_USER_DATA, 3),
	GOOD_SETUP("RESET", RESET, 0, SRC_ID, DST_ID, 0, TDI_REASON_ABORT, 0, 0),
	GOOD_SETUP("RESET, no src_id, data", RESET, 0, 0, DST_ID, 0,
		   TDI_REASON_NONE, 31, 0),
	GOOD_SETUP("RESET, TIMEOUT, padded", RESET, 0, SRC_ID, DST_ID, 0,
		   TDI_REASON_TIMEOUT, 0, 2),
	GOOD("DATAGRAM, empty", DATAGRAM, 0, 0, 0, 0, 0),
	GOOD("DATAGRAM", DATAGRAM, 0, 0, 0, 333, 0),
	GOOD("DATAGRAM, padded", DATAGRAM, 0, 0, 0, 1, 1),
	{ .desc = "DATA, header fields all ones", .type = TDI_T_DATA,
	  .flags = TDI_F_EOR | TDI_F_ACKNOW, .src_id = 0xffffffff,
	  .dst_id = 0xffffffff, .plen = 7, .ones = true },
	{ .desc = "ACCEPT, header fields all ones", .type = TDI_T_ACCEPT,
	  .flags = TDI_F_MSGMODE, .src_id = 0xffffffff, .dst_id = 0xffffffff,
	  .setup = true, .mru = 0xffff, .datalen = 1, .ones = true },
};

static void tdi_good_case_desc(const struct tdi_good_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tdi_good, tdi_good_cases, tdi_good_case_desc);

static void tdi_test_fill_fields(struct tdi_frame *fr, bool ones)
{
	fr->sport = ones ? 0xffff : 0x8001;
	fr->dport = ones ? 0xffff : 0x1234;
	fr->seq = ones ? 0xffffffff : 0xfffffff0;
	fr->ack = ones ? 0xffffffff : 0x80000001;
	fr->wnd = ones ? 0xffffffff : 0x00c0ffee;
	fr->xseq = ones ? 0xffff : 0xbeef;
	fr->xack = ones ? 0xffff : 0x0102;
	fr->tsval = ones ? 0xffffffff : 0xdeadbeef;
	fr->tsecr = ones ? 0xffffffff : 0x01020304;
}

static void tdi_frame_good_test(struct kunit *test)
{
	const struct tdi_good_case *c = test->param_value;
	struct tdi_frame fr = {
		.type = c->type,
		.flags = c->flags,
		.src_id = c->src_id,
		.dst_id = c->dst_id,
	};
	u16 plen = c->setup ? TDI_SETUP_LEN + c->datalen : c->plen;
	struct tdi_frame out;
	struct sk_buff *skb;
	u8 *payload;

	tdi_test_fill_fields(&fr, c->ones);
	payload = tdi_test_payload(test, plen, c->setup, c->mru, c->reason,
				   c->datalen);
	skb = tdi_test_frame(test, 0, &fr, payload, plen, c->pad);
	KUNIT_ASSERT_EQ(test, skb->len, TDI_HDR_LEN + plen + c->pad);

	/* fields a frame does not carry must come back 0, not stale */
	memset(&out, 0xa5, sizeof(out));
	KUNIT_ASSERT_EQ(test, tdi_frame_parse(skb, &out), TDI_DROP_NONE);
	KUNIT_EXPECT_EQ(test, out.type, fr.type);
	KUNIT_EXPECT_EQ(test, out.flags, fr.flags);
	KUNIT_EXPECT_EQ(test, out.sport, fr.sport);
	KUNIT_EXPECT_EQ(test, out.dport, fr.dport);
	KUNIT_EXPECT_EQ(test, out.src_id, fr.src_id);
	KUNIT_EXPECT_EQ(test, out.dst_id, fr.dst_id);
	KUNIT_EXPECT_EQ(test, out.seq, fr.seq);
	KUNIT_EXPECT_EQ(test, out.ack, fr.ack);
	KUNIT_EXPECT_EQ(test, out.wnd, fr.wnd);
	KUNIT_EXPECT_EQ(test, out.xseq, fr.xseq);
	KUNIT_EXPECT_EQ(test, out.xack, fr.xack);
	KUNIT_EXPECT_EQ(test, out.tsval, fr.tsval);
	KUNIT_EXPECT_EQ(test, out.tsecr, fr.tsecr);
	KUNIT_EXPECT_EQ(test, out.len, plen);
	KUNIT_EXPECT_EQ(test, out.mru, c->setup ? c->mru : 0);
	KUNIT_EXPECT_EQ(test, out.reason, c->setup ? c->reason : 0);
	KUNIT_EXPECT_EQ(test, out.datalen, c->setup ? c->datalen : 0);

	/* the skb is the payload, padding gone */
	KUNIT_EXPECT_EQ(test, skb->len, plen);
	KUNIT_EXPECT_EQ(test, skb_headlen(skb), plen);
	KUNIT_EXPECT_EQ(test, memcmp(skb->data, payload, plen), 0);
}

/* Padding is not covered by the checksum: any bytes there are fine. */
static void tdi_frame_padding_test(struct kunit *test)
{
	struct tdi_frame fr = {
		.type = TDI_T_DATA,
		.src_id = SRC_ID,
		.dst_id = DST_ID,
	};
	struct tdi_frame out;
	struct sk_buff *skb;
	u8 *payload;

	payload = tdi_test_payload(test, 5, false, 0, 0, 0);
	skb = tdi_test_frame(test, 0, &fr, payload, 5, 200);
	memset(skb->data + TDI_HDR_LEN + 5, 0xa5, 200);
	KUNIT_ASSERT_EQ(test, tdi_frame_parse(skb, &out), TDI_DROP_NONE);
	KUNIT_EXPECT_EQ(test, out.len, 5);
	KUNIT_EXPECT_EQ(test, skb->len, 5U);
	KUNIT_EXPECT_EQ(test, memcmp(skb->data, payload, 5), 0);
}

/* tdi_frame_push() lays the header out big-endian, as wire.h says. */
static void tdi_frame_push_wire_test(struct kunit *test)
{
	static const u8 want[TDI_HDR_LEN - 2] = {
		0x01, 0x05, 0x00, 0x05,			/* version type flags */
		0x12, 0x34, 0x56, 0x78,			/* sport dport */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* ids */
		0x09, 0x0a, 0x0b, 0x0c,			/* seq */
		0x0d, 0x0e, 0x0f, 0x10,			/* ack */
		0x11, 0x12, 0x13, 0x14,			/* wnd */
		0x15, 0x16, 0x17, 0x18,			/* xseq xack */
		0x19, 0x1a, 0x1b, 0x1c,			/* tsval */
		0x1d, 0x1e, 0x1f, 0x20,			/* tsecr */
		0x00, 0x03,				/* len */
	};
	static const u8 payload[3] = { 0xc0, 0xff, 0xee };
	struct tdi_frame fr = {
		.type = TDI_T_DATA,
		.flags = TDI_F_EOR | TDI_F_ACKNOW,
		.sport = 0x1234,
		.dport = 0x5678,
		.src_id = 0x01020304,
		.dst_id = 0x05060708,
		.seq = 0x090a0b0c,
		.ack = 0x0d0e0f10,
		.wnd = 0x11121314,
		.xseq = 0x1516,
		.xack = 0x1718,
		.tsval = 0x191a1b1c,
		.tsecr = 0x1d1e1f20,
		.len = 999,	/* ignored: the skb says 3 */
	};
	struct sk_buff *skb;
	__sum16 sum;

	KUNIT_ASSERT_EQ(test, TDI_HDR_LEN, 44);
	skb = tdi_test_frame(test, 0, &fr, payload, sizeof(payload), 0);
	KUNIT_ASSERT_EQ(test, skb->len, TDI_HDR_LEN + sizeof(payload));
	KUNIT_EXPECT_EQ(test, memcmp(skb->data, want, sizeof(want)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(skb->data + TDI_HDR_LEN, payload,
				     sizeof(payload)), 0);
	/* header and payload sum to all ones */
	sum = ip_compute_csum(skb->data, skb->len);
	KUNIT_EXPECT_EQ(test, (__force u16)sum, 0);
}

/* A frame received into a page fragment: the header is pulled first. */
static void tdi_frame_paged_test(struct kunit *test)
{
	struct tdi_frame_ctx *ctx = test->priv;
	struct tdi_frame fr = {
		.type = TDI_T_CONNECT,
		.flags = TDI_F_MSGMODE,
		.src_id = SRC_ID,
		.seq = 77,
	};
	unsigned int plen = TDI_SETUP_LEN + 20;
	struct sk_buff *lin, *skb;
	struct tdi_frame out;
	struct page *page;
	u8 *payload, *got;

	payload = tdi_test_payload(test, plen, true, MRU_MIN, 0, 20);
	lin = tdi_test_frame(test, 0, &fr, payload, plen, 2);

	skb = alloc_skb(0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	ctx->skb[1] = skb;
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	memcpy(page_address(page), lin->data, lin->len);
	skb_add_rx_frag(skb, 0, page, 0, lin->len, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, skb_headlen(skb), 0U);

	KUNIT_ASSERT_EQ(test, tdi_frame_parse(skb, &out), TDI_DROP_NONE);
	KUNIT_EXPECT_EQ(test, out.type, TDI_T_CONNECT);
	KUNIT_EXPECT_EQ(test, out.flags, TDI_F_MSGMODE);
	KUNIT_EXPECT_EQ(test, out.src_id, SRC_ID);
	KUNIT_EXPECT_EQ(test, out.seq, 77U);
	KUNIT_EXPECT_EQ(test, out.mru, MRU_MIN);
	KUNIT_EXPECT_EQ(test, out.datalen, 20);
	KUNIT_EXPECT_EQ(test, out.len, plen);
	KUNIT_ASSERT_EQ(test, skb->len, plen);
	got = kunit_kzalloc(test, plen, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, got, plen), 0);
	KUNIT_EXPECT_EQ(test, memcmp(got, payload, plen), 0);
}

/* The same, with one payload bit flipped inside the fragment. */
static void tdi_frame_paged_csum_test(struct kunit *test)
{
	struct tdi_frame_ctx *ctx = test->priv;
	struct tdi_frame fr = {
		.type = TDI_T_DATA,
		.src_id = SRC_ID,
		.dst_id = DST_ID,
	};
	struct sk_buff *lin, *skb;
	struct tdi_frame out;
	struct page *page;
	u8 *payload, *p;

	payload = tdi_test_payload(test, 300, false, 0, 0, 0);
	lin = tdi_test_frame(test, 0, &fr, payload, 300, 0);

	skb = alloc_skb(0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	ctx->skb[1] = skb;
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	p = page_address(page);
	memcpy(p, lin->data, lin->len);
	skb_add_rx_frag(skb, 0, page, 0, lin->len, PAGE_SIZE);
	p[TDI_HDR_LEN + 299] ^= 0x01;
	KUNIT_EXPECT_EQ(test, tdi_frame_parse(skb, &out), TDI_DROP_CSUM);
	p[TDI_HDR_LEN + 299] ^= 0x01;
	KUNIT_EXPECT_EQ(test, tdi_frame_parse(skb, &out), TDI_DROP_NONE);
}

/* A frame left to the device: the field is zero and the skb
 * CHECKSUM_PARTIAL (trusted as it comes from this host); the checksum a
 * device without offload fills in is the one tdi_frame_push() computes,
 * and it is verified like any other once the frame has been on a wire.
 */
static void tdi_frame_offload_test(struct kunit *test)
{
	struct tdi_frame fr = {
		.type = TDI_T_DATA,
		.src_id = SRC_ID,
		.dst_id = DST_ID,
	};
	struct sk_buff *skb, *ref;
	struct tdi_frame out;
	u8 *payload;

	payload = tdi_test_payload(test, 301, false, 0, 0, 0);
	ref = tdi_test_frame(test, 0, &fr, payload, 301, 0);
	skb = tdi_test_frame(test, 1, &fr, payload, 301, 0);
	tdi_frame_csum_offload(skb);
	KUNIT_EXPECT_EQ(test, (__force u16)((struct tdi_hdr *)skb->data)->csum,
			0);
	KUNIT_ASSERT_EQ(test, (int)skb->ip_summed, CHECKSUM_PARTIAL);
	KUNIT_EXPECT_PTR_EQ(test, skb_checksum_start(skb), skb->data);
	KUNIT_ASSERT_EQ(test, skb_checksum_help(skb), 0);
	KUNIT_EXPECT_EQ(test, memcmp(skb->data, ref->data, skb->len), 0);

	/* on a wire: verified, and a flipped bit is caught */
	skb->ip_summed = CHECKSUM_NONE;
	skb->data[TDI_HDR_LEN + 7] ^= 0x10;
	KUNIT_EXPECT_EQ(test, tdi_frame_parse(skb, &out), TDI_DROP_CSUM);

	/* never on a wire: CHECKSUM_PARTIAL is not verified */
	tdi_frame_csum_offload(ref);
	KUNIT_EXPECT_EQ(test, tdi_frame_parse(ref, &out), TDI_DROP_NONE);
	KUNIT_EXPECT_EQ(test, (int)ref->ip_summed, CHECKSUM_NONE);
	KUNIT_EXPECT_EQ(test, ref->len, 301U);
}

/* CHECKSUM_COMPLETE: the device's sum is used when it says "good", and a
 * wrong or failing sum falls back to computing it.
 */
static void tdi_frame_complete_test(struct kunit *test)
{
	struct tdi_frame fr = {
		.type = TDI_T_DATA,
		.src_id = SRC_ID,
		.dst_id = DST_ID,
	};
	struct tdi_frame out;
	struct sk_buff *skb;
	u8 *payload;

	payload = tdi_test_payload(test, 100, false, 0, 0, 0);
	/* padded: the trim takes the padding out of the sum */
	skb = tdi_test_frame(test, 0, &fr, payload, 100, 17);
	skb->ip_summed = CHECKSUM_COMPLETE;
	skb->csum = skb_checksum(skb, 0, skb->len, 0);
	KUNIT_EXPECT_EQ(test, tdi_frame_parse(skb, &out), TDI_DROP_NONE);
	KUNIT_EXPECT_EQ(test, skb->len, 100U);

	/* a device sum that is wrong for a good frame: computed, accepted */
	skb = tdi_test_frame(test, 1, &fr, payload, 100, 0);
	skb->ip_summed = CHECKSUM_COMPLETE;
	skb->csum = (__force __wsum)0x1234;
	KUNIT_EXPECT_EQ(test, tdi_frame_parse(skb, &out), TDI_DROP_NONE);

	/* a corrupt frame with its true sum: dropped */
	skb = tdi_test_frame(test, 1, &fr, payload, 100, 0);
	skb->data[TDI_HDR_LEN + 3] ^= 0x01;
	skb->ip_summed = CHECKSUM_COMPLETE;
	skb->csum = skb_checksum(skb, 0, skb->len, 0);
	KUNIT_EXPECT_EQ(test, tdi_frame_parse(skb, &out), TDI_DROP_CSUM);
}

/* An ACK's MRU option: read, checked and pulled, SACK blocks left. */
static void tdi_frame_mru_test(struct kunit *test)
{
	static const struct {
		u16 mru;
		u8 zero_at;	/* 1 + index of a non-zero reserved byte */
		u8 blocks;
		enum tdi_drop drop;
	} cases[] = {
		{ 1500 - TDI_HDR_LEN, 0, 1, TDI_DROP_NONE },
		{ 9000 - TDI_HDR_LEN, 0, 0, TDI_DROP_NONE },
		{ 0xffff, 0, TDI_MAX_SACK, TDI_DROP_NONE },
		{ TDI_MIN_MTU - TDI_HDR_LEN, 0, 0, TDI_DROP_NONE },
		{ TDI_MIN_MTU - TDI_HDR_LEN - 1, 0, 0, TDI_DROP_SETUP },
		{ 0, 0, 1, TDI_DROP_SETUP },
		{ 1500 - TDI_HDR_LEN, 1, 0, TDI_DROP_SETUP },
		{ 1500 - TDI_HDR_LEN, 6, 2, TDI_DROP_SETUP },
	};
	u8 payload[TDI_MRU_OPT_LEN + TDI_MAX_SACK * SACK_LEN];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct tdi_mru_opt *o = (struct tdi_mru_opt *)payload;
		unsigned int len = TDI_MRU_OPT_LEN + cases[i].blocks * SACK_LEN;
		struct tdi_frame fr = {
			.type = TDI_T_ACK, .src_id = SRC_ID, .dst_id = DST_ID,
		};
		struct tdi_frame out;
		struct sk_buff *skb;

		fr.flags = TDI_F_MRU;
		if (cases[i].blocks)
			fr.flags |= TDI_F_SACK;
		memset(payload, 0, sizeof(payload));
		o->mru = htons(cases[i].mru);
		if (cases[i].zero_at)
			o->zero[cases[i].zero_at - 1] = 1;
		for (j = TDI_MRU_OPT_LEN; j < len; j++)
			payload[j] = tdi_test_byte(j);
		skb = tdi_test_frame(test, 0, &fr, payload, len, 0);
		KUNIT_EXPECT_EQ_MSG(test, tdi_frame_parse(skb, &out),
				    cases[i].drop, "case %u", i);
		if (cases[i].drop)
			continue;
		KUNIT_EXPECT_EQ(test, out.mru, cases[i].mru);
		KUNIT_EXPECT_EQ(test, out.len, len);
		KUNIT_EXPECT_EQ(test, skb->len, len - TDI_MRU_OPT_LEN);
		KUNIT_EXPECT_EQ(test, memcmp(skb->data, payload + TDI_MRU_OPT_LEN,
					     skb->len), 0);
	}
}

static struct kunit_case tdi_frame_test_cases[] = {
	KUNIT_CASE_PARAM(tdi_frame_bad_test, tdi_bad_gen_params),
	KUNIT_CASE_PARAM(tdi_frame_good_test, tdi_good_gen_params),
	KUNIT_CASE(tdi_frame_padding_test),
	KUNIT_CASE(tdi_frame_push_wire_test),
	KUNIT_CASE(tdi_frame_paged_test),
	KUNIT_CASE(tdi_frame_paged_csum_test),
	KUNIT_CASE(tdi_frame_offload_test),
	KUNIT_CASE(tdi_frame_complete_test),
	KUNIT_CASE(tdi_frame_mru_test),
	{}
};

static struct kunit_suite tdi_frame_suite = {
	.name = "tdi_frame",
	.init = tdi_frame_test_init,
	.exit = tdi_frame_test_exit,
	.test_cases = tdi_frame_test_cases,
};

kunit_test_suites(&tdi_frame_suite);
