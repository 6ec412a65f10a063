// SPDX-License-Identifier: GPL-2.0
/*
 * tdi frame parsing, validation and header construction.
 *
 * Nothing in a received frame is trusted before tdi_frame_parse() has
 * checked it: header length, version, type, the flags the type allows, the
 * identifiers it must or must not carry, the payload length it allows, the
 * checksum, and the setup payload of CONNECT, ACCEPT, REFUSE and RESET.
 */

#include <linux/skbuff.h>
#include <net/checksum.h>
#include <kunit/visibility.h>
#include <uapi/linux/tdi.h>

#include "frame.h"

enum tdi_id_rule {
	TDI_ID_ZERO,	/* must be 0 */
	TDI_ID_SET,	/* must not be 0 */
	TDI_ID_ANY,
};

struct tdi_type_rule {
	u16	flags;		/* flags this type allows */
	u8	src_id;		/* enum tdi_id_rule */
	u8	dst_id;
	u16	min_len;
	u16	max_len;
	bool	setup;		/* payload is struct tdi_setup + user data */
};

#define TDI_SETUP_MAX	(TDI_SETUP_LEN + TDI_MAX_USER_DATA)

static const struct tdi_type_rule tdi_type_rules[__TDI_T_MAX] = {
	[TDI_T_CONNECT]	= { TDI_F_MSGMODE, TDI_ID_SET, TDI_ID_ZERO,
			    TDI_SETUP_LEN, TDI_SETUP_MAX, true },
	[TDI_T_ACCEPT]	= { TDI_F_MSGMODE, TDI_ID_SET, TDI_ID_SET,
			    TDI_SETUP_LEN, TDI_SETUP_MAX, true },
	[TDI_T_REFUSE]	= { 0, TDI_ID_ANY, TDI_ID_SET,
			    TDI_SETUP_LEN, TDI_SETUP_MAX, true },
	[TDI_T_HOLD]	= { 0, TDI_ID_SET, TDI_ID_SET, 0, 0, false },
	[TDI_T_DATA]	= { TDI_F_EOR | TDI_F_ACKNOW, TDI_ID_SET, TDI_ID_SET,
			    0, U16_MAX, false },
	[TDI_T_ACK]	= { TDI_F_SACK | TDI_F_ACKNOW | TDI_F_MRU, TDI_ID_SET,
			    TDI_ID_SET, 0, TDI_MRU_OPT_LEN +
			    TDI_MAX_SACK * sizeof(struct tdi_sack), false },
	[TDI_T_XDATA]	= { TDI_F_ACKNOW, TDI_ID_SET, TDI_ID_SET,
			    1, TDI_MAX_EXPEDITED, false },
	/* RELEASE: empty, or a setup head with the disconnect data */
	[TDI_T_RELEASE]	= { TDI_F_ACKNOW, TDI_ID_SET, TDI_ID_SET,
			    0, TDI_SETUP_MAX, true },
	[TDI_T_RESET]	= { 0, TDI_ID_ANY, TDI_ID_SET,
			    TDI_SETUP_LEN, TDI_SETUP_MAX, true },
	[TDI_T_DATAGRAM] = { 0, TDI_ID_ZERO, TDI_ID_ZERO, 0, U16_MAX, false },
};

static const char *const tdi_drop_names[__TDI_DROP_MAX] = {
	[TDI_DROP_NONE]		= "none",
	[TDI_DROP_SHORT]	= "short",
	[TDI_DROP_VERSION]	= "version",
	[TDI_DROP_TYPE]		= "type",
	[TDI_DROP_FLAGS]	= "flags",
	[TDI_DROP_LENGTH]	= "length",
	[TDI_DROP_CSUM]		= "checksum",
	[TDI_DROP_IDS]		= "ids",
	[TDI_DROP_SETUP]	= "setup",
	[TDI_DROP_NOCONN]	= "no_connection",
	[TDI_DROP_WINDOW]	= "window",
	[TDI_DROP_STATE]	= "state",
	[TDI_DROP_RCVBUF]	= "rcvbuf",
	[TDI_DROP_NOMEM]	= "nomem",
	[TDI_DROP_NODEV]	= "nodev",
	[TDI_DROP_SOURCE]	= "source",
	[TDI_DROP_BROADCAST]	= "broadcast",
};

/**
 * tdi_drop_name() - the name of a drop reason, as /proc/net/tdi_stat shows it
 * @drop: the reason
 *
 * Return: a static string.
 */
const char *tdi_drop_name(enum tdi_drop drop)
{
	return drop < __TDI_DROP_MAX ? tdi_drop_names[drop] : "?";
}

static bool tdi_id_ok(u32 id, u8 rule)
{
	switch (rule) {
	case TDI_ID_ZERO:
		return !id;
	case TDI_ID_SET:
		return id;
	default:
		return true;
	}
}

static void tdi_hdr_to_frame(const struct tdi_hdr *h, struct tdi_frame *fr)
{
	fr->type = h->type;
	fr->flags = ntohs(h->flags);
	fr->sport = ntohs(h->sport);
	fr->dport = ntohs(h->dport);
	fr->src_id = ntohl(h->src_id);
	fr->dst_id = ntohl(h->dst_id);
	fr->seq = ntohl(h->seq);
	fr->ack = ntohl(h->ack);
	fr->wnd = ntohl(h->wnd);
	fr->xseq = ntohs(h->xseq);
	fr->xack = ntohs(h->xack);
	fr->tsval = ntohl(h->tsval);
	fr->tsecr = ntohl(h->tsecr);
	fr->len = ntohs(h->len);
	fr->reason = 0;
	fr->offer = 0;
	fr->mru = 0;
	fr->datalen = 0;
}

/* The payload is at skb->data; check and read the setup head. */
static enum tdi_drop tdi_setup_parse(struct sk_buff *skb,
				     struct tdi_frame *fr)
{
	const struct tdi_setup *s;

	if (!pskb_may_pull(skb, TDI_SETUP_LEN))
		return TDI_DROP_SHORT;
	s = (const struct tdi_setup *)skb->data;
	if (s->datalen > TDI_MAX_USER_DATA ||
	    TDI_SETUP_LEN + s->datalen != fr->len)
		return TDI_DROP_SETUP;
	switch (fr->type) {
	case TDI_T_CONNECT:
	case TDI_T_ACCEPT:
		if (s->reason || ntohs(s->mru) < TDI_MIN_MTU - TDI_HDR_LEN)
			return TDI_DROP_SETUP;
		break;
	case TDI_T_RELEASE:
		if (s->mru || s->reason)
			return TDI_DROP_SETUP;
		break;
	default:
		if (s->mru || s->reason > TDI_REASON_LINK_DOWN)
			return TDI_DROP_SETUP;
	}
	fr->mru = ntohs(s->mru);
	fr->reason = s->reason;
	fr->datalen = s->datalen;
	return TDI_DROP_NONE;
}

/* An ACK's MRU option at skb->data: read it and pull it, leaving the SACK
 * blocks.
 */
static enum tdi_drop tdi_mru_parse(struct sk_buff *skb, struct tdi_frame *fr)
{
	const struct tdi_mru_opt *o;

	if (!pskb_may_pull(skb, TDI_MRU_OPT_LEN))
		return TDI_DROP_SHORT;
	o = (const struct tdi_mru_opt *)skb->data;
	if (ntohs(o->mru) < TDI_MIN_MTU - TDI_HDR_LEN ||
	    memchr_inv(o->zero, 0, sizeof(o->zero)))
		return TDI_DROP_SETUP;
	fr->mru = ntohs(o->mru);
	__skb_pull(skb, TDI_MRU_OPT_LEN);
	return TDI_DROP_NONE;
}

static enum tdi_drop tdi_rule_check(const struct tdi_frame *fr)
{
	const struct tdi_type_rule *r;
	int sack;

	if (!fr->type || fr->type >= __TDI_T_MAX)
		return TDI_DROP_TYPE;
	r = &tdi_type_rules[fr->type];
	if (fr->flags & ~r->flags)
		return TDI_DROP_FLAGS;
	if (!tdi_id_ok(fr->src_id, r->src_id) ||
	    !tdi_id_ok(fr->dst_id, r->dst_id))
		return TDI_DROP_IDS;
	if (fr->len < r->min_len || fr->len > r->max_len)
		return TDI_DROP_LENGTH;
	switch (fr->type) {
	case TDI_T_DATA:
		/* only an empty TSDU may have an empty DATA frame */
		if (!fr->len && !(fr->flags & TDI_F_EOR))
			return TDI_DROP_LENGTH;
		break;
	case TDI_T_RELEASE:
		/* empty, or at least a setup head */
		if (fr->len && fr->len < TDI_SETUP_LEN)
			return TDI_DROP_LENGTH;
		break;
	case TDI_T_ACK:
		sack = fr->len - (fr->flags & TDI_F_MRU ? TDI_MRU_OPT_LEN : 0);
		if (sack < 0 || sack % sizeof(struct tdi_sack) ||
		    sack > TDI_MAX_SACK * sizeof(struct tdi_sack) ||
		    !!sack != !!(fr->flags & TDI_F_SACK))
			return TDI_DROP_LENGTH;
		break;
	}
	return TDI_DROP_NONE;
}

/* The checksum of a frame at skb->data, trimmed to header and payload.  A
 * CHECKSUM_PARTIAL frame was built on this host and has not been on a wire
 * (veth, the loopback; a qdisc that corrupts it completes the checksum
 * first), so there is nothing to verify.  A CHECKSUM_COMPLETE sum from the
 * device is used when it says the frame is good; otherwise, and for every
 * other frame, the sum is computed here.
 */
static bool tdi_csum_ok(struct sk_buff *skb)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		return true;
	if (skb->ip_summed == CHECKSUM_COMPLETE && !csum_fold(skb->csum))
		return true;
	return !csum_fold(skb_checksum(skb, 0, skb->len, 0));
}

/**
 * tdi_frame_parse() - validate a received frame and read its header
 * @skb: the frame; skb->data at the tdi header (Ethernet header pulled)
 * @fr: filled in from the header
 *
 * On success the skb is trimmed to the payload the header announces (any
 * Ethernet padding removed) and skb->data points at the payload.
 *
 * Return: %TDI_DROP_NONE, or why the frame must be dropped.
 */
enum tdi_drop tdi_frame_parse(struct sk_buff *skb, struct tdi_frame *fr)
{
	const struct tdi_hdr *h;
	enum tdi_drop drop;

	if (!pskb_may_pull(skb, TDI_HDR_LEN))
		return TDI_DROP_SHORT;
	h = (const struct tdi_hdr *)skb->data;
	if (h->version != TDI_WIRE_VERSION)
		return TDI_DROP_VERSION;
	tdi_hdr_to_frame(h, fr);
	if (skb->len < TDI_HDR_LEN + fr->len)
		return TDI_DROP_SHORT;
	drop = tdi_rule_check(fr);
	if (drop)
		return drop;
	if (pskb_trim_rcsum(skb, TDI_HDR_LEN + fr->len))
		return TDI_DROP_NOMEM;
	if (!tdi_csum_ok(skb))
		return TDI_DROP_CSUM;
	/* verified; the data is pulled and trimmed from here on */
	skb->ip_summed = CHECKSUM_NONE;
	__skb_pull(skb, TDI_HDR_LEN);
	/* only a RELEASE may go without its setup head: it is optional */
	if (tdi_type_rules[fr->type].setup && fr->len)
		return tdi_setup_parse(skb, fr);
	if (fr->flags & TDI_F_MRU)
		return tdi_mru_parse(skb, fr);
	return TDI_DROP_NONE;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_frame_parse);

/**
 * tdi_frame_push() - put a tdi header in front of a payload
 * @skb: the payload at skb->data, with TDI_HDR_LEN bytes of headroom
 * @fr: the header fields; @fr->len is taken from the skb
 * @payload_csum: csum_partial() of the payload (0 for none), so that a
 *	retransmission need not read the payload again
 */
void tdi_frame_push(struct sk_buff *skb, const struct tdi_frame *fr,
		    __wsum payload_csum)
{
	struct tdi_hdr *h;
	unsigned int len = skb->len;

	h = skb_push(skb, TDI_HDR_LEN);
	h->version = TDI_WIRE_VERSION;
	h->type = fr->type;
	h->flags = htons(fr->flags);
	h->sport = htons(fr->sport);
	h->dport = htons(fr->dport);
	h->src_id = htonl(fr->src_id);
	h->dst_id = htonl(fr->dst_id);
	h->seq = htonl(fr->seq);
	h->ack = htonl(fr->ack);
	h->wnd = htonl(fr->wnd);
	h->xseq = htons(fr->xseq);
	h->xack = htons(fr->xack);
	h->tsval = htonl(fr->tsval);
	h->tsecr = htonl(fr->tsecr);
	h->len = htons(len);
	h->csum = 0;
	/* the header is 44 bytes, even, so the payload sum adds unshifted */
	h->csum = csum_fold(csum_partial(h, TDI_HDR_LEN, payload_csum));
}
EXPORT_SYMBOL_IF_KUNIT(tdi_frame_push);

/**
 * tdi_frame_csum_offload() - leave a frame's checksum to the device
 * @skb: a frame built by tdi_frame_push(), skb->data at its tdi header
 *
 * For a device that computes any checksum (NETIF_F_HW_CSUM) and for the
 * loopback: the checksum field is zeroed and the skb marked
 * CHECKSUM_PARTIAL over the whole frame, which gives the same checksum as
 * tdi_frame_push() once the device (or skb_checksum_help()) fills it in.
 */
void tdi_frame_csum_offload(struct sk_buff *skb)
{
	struct tdi_hdr *h = (struct tdi_hdr *)skb->data;

	h->csum = 0;
	skb_partial_csum_set(skb, 0, offsetof(struct tdi_hdr, csum));
}
EXPORT_SYMBOL_IF_KUNIT(tdi_frame_csum_offload);
