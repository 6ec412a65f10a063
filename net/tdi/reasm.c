// SPDX-License-Identifier: GPL-2.0
/*
 * tdi reassembly: the out-of-order queue of a connection.
 *
 * Segments are kept sorted by sequence number and never overlap: a new
 * segment is trimmed against its neighbours, segments it covers whole are
 * dropped, and a segment already covered is refused.  A segment's
 * sequence space is its payload followed by one position for an EOR or
 * RELEASE marker when it carries one (TDI_SKB_CB(skb)->end_seq counts it).
 *
 * Caller holds the socket lock; the queue's own lock is not used.
 */

#include <linux/skbuff.h>
#include <kunit/visibility.h>

#include "tdi.h"

static u32 tdi_seg_payload_end(const struct sk_buff *skb)
{
	return TDI_SKB_CB(skb)->seq + skb->len;
}

/**
 * tdi_seg_trim_front() - drop the part of a segment before @to
 * @skb: the segment
 * @to: the first sequence number to keep, inside the segment
 *
 * Return: false when memory for unsharing the payload could not be had.
 */
bool tdi_seg_trim_front(struct sk_buff *skb, u32 to)
{
	struct tdi_skb_cb *cb = TDI_SKB_CB(skb);
	u32 n = to - cb->seq;

	if (!tdi_seq_after(to, cb->seq))
		return true;
	n = min_t(u32, n, skb->len);
	if (n && !pskb_pull(skb, n))
		return false;
	cb->seq = to;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_seg_trim_front);

/* Cut a segment so that it ends at @to, which lies inside it. */
static bool tdi_seg_trim_tail(struct sk_buff *skb, u32 to)
{
	struct tdi_skb_cb *cb = TDI_SKB_CB(skb);

	if (tdi_seq_before(to, tdi_seg_payload_end(skb)) &&
	    pskb_trim(skb, to - cb->seq))
		return false;
	cb->end_seq = to;
	cb->flags &= ~(TDI_F_EOR | TDI_CB_RELEASE);
	return true;
}

/**
 * tdi_ofo_insert() - queue a segment that arrived ahead of a hole
 * @q: the out-of-order queue
 * @skb: the segment; TDI_SKB_CB(skb) holds its seq and end_seq
 *
 * Return: true when @skb was queued (possibly trimmed); false when it
 * brought nothing new (or could not be trimmed) and the caller frees it.
 */
bool tdi_ofo_insert(struct sk_buff_head *q, struct sk_buff *skb)
{
	struct tdi_skb_cb *cb = TDI_SKB_CB(skb);
	struct sk_buff *prev = NULL, *next, *tmp;

	/* the last segment that starts before us */
	skb_queue_reverse_walk(q, tmp) {
		if (tdi_seq_before(TDI_SKB_CB(tmp)->seq, cb->seq) ||
		    TDI_SKB_CB(tmp)->seq == cb->seq) {
			prev = tmp;
			break;
		}
	}
	if (prev) {
		struct tdi_skb_cb *pcb = TDI_SKB_CB(prev);

		if (tdi_seq_leq(cb->end_seq, pcb->end_seq))
			return false;			/* covered already */
		if (tdi_seq_after(pcb->end_seq, cb->seq)) {
			if (pcb->seq == cb->seq) {
				/* we cover prev whole: it goes */
				next = prev->prev == (struct sk_buff *)q ?
				       NULL : prev->prev;
				__skb_unlink(prev, q);
				kfree_skb(prev);
				prev = next;
			} else if (!tdi_seg_trim_front(skb, pcb->end_seq)) {
				return false;
			}
		}
	}

	/* segments after us that we cover whole go; a partial one trims us */
	if (!prev)
		next = skb_peek(q);
	else
		next = skb_queue_is_last(q, prev) ? NULL : prev->next;
	while (next) {
		struct tdi_skb_cb *ncb = TDI_SKB_CB(next);

		if (!tdi_seq_before(ncb->seq, cb->end_seq))
			break;
		if (tdi_seq_after(ncb->end_seq, cb->end_seq)) {
			if (!tdi_seg_trim_tail(skb, ncb->seq))
				return false;
			break;
		}
		tmp = skb_queue_is_last(q, next) ? NULL :
		      skb_queue_next(q, next);
		__skb_unlink(next, q);
		kfree_skb(next);
		next = tmp;
	}

	if (cb->end_seq == cb->seq)
		return false;			/* neighbours cover it all */
	if (prev)
		__skb_queue_after(q, prev, skb);
	else
		__skb_queue_head(q, skb);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_ofo_insert);

/**
 * tdi_ofo_pull() - take the next in-order segment off the queue
 * @q: the out-of-order queue
 * @rcv_nxt: the next sequence number expected
 *
 * Segments wholly before @rcv_nxt are freed on the way.
 *
 * Return: a segment starting at @rcv_nxt (trimmed if it started before),
 * or NULL when the head of the queue is still ahead of @rcv_nxt.
 */
struct sk_buff *tdi_ofo_pull(struct sk_buff_head *q, u32 rcv_nxt)
{
	struct sk_buff *skb;

	while ((skb = skb_peek(q))) {
		struct tdi_skb_cb *cb = TDI_SKB_CB(skb);

		if (tdi_seq_after(cb->seq, rcv_nxt))
			return NULL;
		__skb_unlink(skb, q);
		if (tdi_seq_leq(cb->end_seq, rcv_nxt) ||
		    !tdi_seg_trim_front(skb, rcv_nxt)) {
			kfree_skb(skb);
			continue;
		}
		return skb;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_ofo_pull);

/**
 * tdi_ofo_sack() - describe the out-of-order queue as SACK blocks
 * @q: the out-of-order queue
 * @blocks: filled with up to @max blocks, lowest first, network order
 * @max: room in @blocks
 *
 * Return: the number of blocks filled.
 */
int tdi_ofo_sack(struct sk_buff_head *q, struct tdi_sack *blocks, int max)
{
	struct sk_buff *skb;
	u32 start = 0, end = 0;
	int n = 0;

	skb_queue_walk(q, skb) {
		struct tdi_skb_cb *cb = TDI_SKB_CB(skb);

		if (n && cb->seq == end) {
			end = cb->end_seq;
			continue;
		}
		if (n) {
			blocks[n - 1].start = htonl(start);
			blocks[n - 1].end = htonl(end);
			if (n == max)
				return n;
		}
		start = cb->seq;
		end = cb->end_seq;
		n++;
	}
	if (n) {
		blocks[n - 1].start = htonl(start);
		blocks[n - 1].end = htonl(end);
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_ofo_sack);
