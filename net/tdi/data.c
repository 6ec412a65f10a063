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

/**
 * tdi_conn_queue_data() - copy user data into frames on the write queue
 * @ts: the connection
 * @msg: the user's data
 * @len: bytes to take from @msg
 * @eor: the data ends a TSDU (message mode)
 *
 * Stops early when the send buffer is full.
 *
 * Return: bytes taken (0 is possible when the buffer is full), or a
 * negative errno when nothing could be taken.
 */
int tdi_conn_queue_data(struct tdi_sock *ts, struct msghdr *msg, int len,
			bool eor)
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
			if (!sk_stream_memory_free(sk))
				break;
			n = min_t(int, len - copied, mss);
			skb = tdi_alloc_queued_frame(mss, sk->sk_allocation);
			if (!skb) {
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
			sk->sk_wmem_queued += skb->truesize;
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
	sk->sk_wmem_queued += skb->truesize;
	ts->st.expedited_sent++;
	return 0;
}

/**
 * tdi_conn_rcv_consumed() - tell the peer about window the reader freed
 * @ts: the connection
 * @xmitq: where a window update goes
 *
 * Sends an acknowledgment when the window we could offer now is at least
 * two frames larger than the one we last offered, or opens a closed one.
 */
void tdi_conn_rcv_consumed(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	u32 offered = ts->rcv_right - ts->rcv_nxt;
	u32 now = tdi_conn_rcv_wnd(ts);

	if (!ts->hashed || ts->state == TDI_STATE_CONNECTING ||
	    ts->peer_released)
		return;
	if (now >= offered + 2 * ts->mss ||
	    (offered < ts->mss && now >= ts->mss))
		tdi_send_ack(ts, 0, xmitq);
}
