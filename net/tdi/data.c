// SPDX-License-Identifier: GPL-2.0
/*
 * tdi user data: copying sends into frames, and window updates as the
 * reader drains the receive queue.  Socket lock held.
 */

#include <linux/skbuff.h>
#include <linux/uio.h>
#include <net/checksum.h>

#include "tdi.h"

/* Copy @n bytes from the user into @skb's tail, folding the checksum in. */
static int tdi_copy_in(struct sk_buff *skb, struct msghdr *msg, int n)
{
	struct tdi_skb_cb *cb = TDI_SKB_CB(skb);
	int off = skb->len;
	__wsum csum = 0;

	if (!n)
		return 0;
	if (!csum_and_copy_from_iter_full(skb_put(skb, n), n, &csum,
					  &msg->msg_iter)) {
		__skb_trim(skb, off);
		return -EFAULT;
	}
	cb->csum = csum_block_add(cb->csum, csum, off);
	return 0;
}

/* The last frame of the write queue, if it is unsent and may grow. */
static struct sk_buff *tdi_unsent_tail(struct tdi_sock *ts)
{
	struct sk_buff *skb = skb_peek_tail(&ts->sk.sk_write_queue);

	if (!skb || !ts->send_head)
		return NULL;
	if (TDI_SKB_CB(skb)->type != TDI_T_DATA ||
	    (TDI_SKB_CB(skb)->flags & TDI_F_EOR) || !skb_tailroom(skb))
		return NULL;
	return skb;
}

/* The memory (truesize) of one queued frame of @mss payload bytes. */
static u32 tdi_frame_truesize(u32 mss)
{
	u32 data = SKB_DATA_ALIGN(LL_MAX_HEADER + TDI_HDR_LEN + mss) +
		   SKB_DATA_ALIGN(sizeof(struct skb_shared_info));

	return kmalloc_size_roundup(data) + SKB_DATA_ALIGN(sizeof(struct sk_buff));
}

/* The frame payload an endpoint uses, or the smallest any device gives. */
static u32 tdi_mss_of(const struct tdi_sock *ts)
{
	return READ_ONCE(ts->mss) ?: TDI_MIN_MTU - TDI_HDR_LEN;
}

/**
 * tdi_tsdu_cost() - the send-buffer memory a TSDU of @len bytes takes
 * @ts: the endpoint
 * @len: the TSDU's length
 *
 * Return: bytes of truesize, as sk_wmem_queued counts them.
 */
u64 tdi_tsdu_cost(const struct tdi_sock *ts, size_t len)
{
	u32 mss = tdi_mss_of(ts);

	return (u64)max_t(size_t, DIV_ROUND_UP(len, mss), 1) *
	       tdi_frame_truesize(mss);
}

/**
 * tdi_max_tsdu() - the largest TSDU a non-blocking send takes whole
 * @ts: a SOCK_SEQPACKET endpoint
 *
 * A non-blocking send of a TSDU goes whole or not at all, so it must fit
 * in an empty send buffer (SO_SNDBUF).  Blocking sends take any length.
 *
 * Return: bytes.
 */
u32 tdi_max_tsdu(const struct tdi_sock *ts)
{
	u32 mss = tdi_mss_of(ts);
	u64 frames = READ_ONCE(ts->sk.sk_sndbuf) / tdi_frame_truesize(mss);

	return min_t(u64, frames * mss, INT_MAX);
}

/**
 * tdi_conn_queue_data() - copy user data into frames on the write queue
 * @ts: the connection
 * @msg: the user's data
 * @len: bytes to take from @msg
 * @eor: the data ends a TSDU (message mode)
 * @whole: take all of it even past SO_SNDBUF (the caller checked that
 *	the TSDU fits)
 *
 * Stops early when the send buffer is full (unless @whole).
 *
 * Return: bytes taken (0 is possible when the buffer is full), or a
 * negative errno when nothing could be taken: -ENOBUFS when no memory
 * could be had (the socket's or net.tdi.mem), -EFAULT.
 */
int tdi_conn_queue_data(struct tdi_sock *ts, struct msghdr *msg, int len,
			bool eor, bool whole)
{
	struct sock *sk = &ts->sk;
	int copied = 0, err;

	if (!len && !eor)
		return 0;
	do {
		u32 mss = READ_ONCE(ts->mss);
		struct sk_buff *skb = tdi_unsent_tail(ts);
		struct tdi_skb_cb *cb;
		int n;

		if (skb && skb->len < mss) {
			n = min3(len - copied, (int)(mss - skb->len),
				 (int)skb_tailroom(skb));
			err = tdi_copy_in(skb, msg, n);
			if (err)
				goto fail;
			cb = TDI_SKB_CB(skb);
		} else {
			if (!whole && !sk_stream_memory_free(sk))
				break;
			n = min_t(int, len - copied, mss);
			skb = tdi_alloc_queued_frame(mss, sk->sk_allocation);
			if (!skb) {
				err = -ENOBUFS;
				goto fail;
			}
			if (!sk_wmem_schedule(sk, skb->truesize)) {
				/* tdi as a whole is over net.tdi.mem */
				kfree_skb(skb);
				err = -ENOBUFS;
				goto fail;
			}
			cb = TDI_SKB_CB(skb);
			memset(cb, 0, sizeof(*cb));
			cb->type = TDI_T_DATA;
			cb->seq = ts->write_seq;
			err = tdi_copy_in(skb, msg, n);
			if (err) {
				kfree_skb(skb);
				goto fail;
			}
			__skb_queue_tail(&sk->sk_write_queue, skb);
			tdi_wmem_charge(sk, skb);
			if (!ts->send_head)
				ts->send_head = skb;
		}
		copied += n;
		ts->write_seq += n;
		cb->end_seq = ts->write_seq;
		if (eor && copied == len) {
			cb->flags |= TDI_F_EOR;
			cb->end_seq = ++ts->write_seq;
		}
	} while (copied < len);
	return copied;
fail:
	return copied ?: err;
}

/**
 * tdi_conn_queue_xdata() - queue one expedited TSDU
 * @ts: the connection; the expedited window has room
 * @msg: the user's data
 * @len: its length, 1 to TDI_MAX_EXPEDITED
 *
 * Return: 0 or a negative errno.
 */
int tdi_conn_queue_xdata(struct tdi_sock *ts, struct msghdr *msg, int len)
{
	struct sock *sk = &ts->sk;
	struct tdi_skb_cb *cb;
	struct sk_buff *skb;
	int err;

	skb = tdi_alloc_queued_frame(len, sk->sk_allocation);
	if (!skb)
		return -ENOBUFS;
	if (!sk_wmem_schedule(sk, skb->truesize)) {
		kfree_skb(skb);
		return -ENOBUFS;
	}
	cb = TDI_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->type = TDI_T_XDATA;
	err = tdi_copy_in(skb, msg, len);
	if (err) {
		kfree_skb(skb);
		return err;
	}
	cb->xseq = ts->xsnd_nxt++;
	cb->lost = 1;		/* to be sent */
	__skb_queue_tail(&ts->xwrite_queue, skb);
	tdi_wmem_charge(sk, skb);
	ts->st.expedited_sent++;
	return 0;
}

/**
 * tdi_conn_rcv_consumed() - tell the peer about window the reader freed
 * @ts: the connection
 * @xmitq: where a window update goes
 *
 * Sends an acknowledgment when the window we could offer now is larger
 * than the one we last offered by two frames, or by half of all the
 * window the receive buffer can give (small TSDUs make windows smaller
 * than a frame), or opens a closed one.
 */
void tdi_conn_rcv_consumed(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	u32 offered = tdi_seq_after(ts->rcv_adv, ts->rcv_nxt) ?
		      ts->rcv_adv - ts->rcv_nxt : 0;
	u32 now = tdi_conn_rcv_wnd(ts);
	u64 full;

	if (!ts->hashed || ts->state == TDI_STATE_CONNECTING ||
	    ts->peer_released)
		return;
	full = (u64)READ_ONCE(ts->sk.sk_rcvbuf) * ts->rcv_ratio / TDI_RATIO_ONE;
	if (now <= offered)
		return;
	if (!offered || now - offered >= 2 * ts->mss ||
	    now - offered >= full / 2)
		tdi_send_ack(ts, 0, xmitq);
}

/**
 * tdi_udata_from_frame() - keep the user data of a set-up or end frame
 * @ud: where it goes
 * @skb: the frame, skb->data at its set-up head (struct tdi_setup)
 * @fr: its parsed header; @fr->datalen was checked against the frame
 */
void tdi_udata_from_frame(struct tdi_udata *ud, const struct sk_buff *skb,
			  const struct tdi_frame *fr)
{
	ud->len = 0;
	if (fr->datalen &&
	    !skb_copy_bits(skb, TDI_SETUP_LEN, ud->data, fr->datalen))
		ud->len = fr->datalen;
}
