// SPDX-License-Identifier: GPL-2.0
/*
 * tdi TSDU queues: sends copied into frames on the write queue, reads
 * copied out of the receive and expedited queues (partial TSDUs, end of
 * TSDU, truncation, peek), window updates as the reader drains them, and
 * user data kept from set-up and end frames.
 *
 * The core of both faces (rxrpc's model): every function here takes the
 * endpoint with its socket lock held and an iov_iter, and never sleeps.
 * A caller that must wait gets -EAGAIN (or a read that ran out of data)
 * and waits in its own way: the socket face in tdi_wait().
 */

#include <kunit/visibility.h>
#include <linux/skbuff.h>
#include <linux/uio.h>
#include <net/checksum.h>

#include "tdi.h"

/* Copy @n bytes from @from into @skb's tail, folding the checksum in. */
static int tdi_copy_in(struct sk_buff *skb, struct iov_iter *from, int n)
{
	struct tdi_skb_cb *cb = TDI_SKB_CB(skb);
	int off = skb->len;
	__wsum csum = 0;

	if (!n)
		return 0;
	if (!csum_and_copy_from_iter_full(skb_put(skb, n), n, &csum, from)) {
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
 * @from: the user's data
 * @len: bytes to take from @from
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
static int tdi_conn_queue_data(struct tdi_sock *ts, struct iov_iter *from,
			       int len, bool eor, bool whole)
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
			err = tdi_copy_in(skb, from, n);
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
			err = tdi_copy_in(skb, from, n);
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
 * tdi_conn_send_room() - is there room for a whole TSDU in the send buffer
 * @ts: the endpoint
 * @len: the TSDU's length
 *
 * Return: true when tdi_tsdu_cost() of @len fits beside what is queued.
 */
bool tdi_conn_send_room(const struct tdi_sock *ts, size_t len)
{
	const struct sock *sk = &ts->sk;

	return READ_ONCE(sk->sk_wmem_queued) + tdi_tsdu_cost(ts, len) <=
	       READ_ONCE(sk->sk_sndbuf);
}

/**
 * tdi_conn_send_data() - take as much of a send as the buffer allows
 * @ts: the endpoint, socket lock held
 * @from: the data
 * @s: the send: @s->len, @s->eor and @s->nonblock set by the caller,
 *	@s->copied (0 at first) and @s->whole kept here across calls
 *
 * In message mode a TSDU that fits an empty send buffer (tdi_max_tsdu())
 * goes whole or not at all, so that a time-out or a signal never cuts it;
 * a larger one goes as room comes (blocking sends only: a non-blocking
 * one must fit).  A stream takes what fits.
 *
 * Return: 0 when all of it was taken; -EAGAIN when the caller must wait
 * for room (for the whole TSDU when @s->whole, for any otherwise) and
 * call again; tdi_ep_send_check()'s errors; -EMSGSIZE (non-blocking,
 * larger than tdi_max_tsdu()); -ENOBUFS (no memory; for a non-blocking
 * whole TSDU that could only be taken in part, with that part queued);
 * -EFAULT.  Whatever it returns, @s->copied says what was taken.
 */
int tdi_conn_send_data(struct tdi_sock *ts, struct iov_iter *from,
		       struct tdi_send *s)
{
	struct sock *sk = &ts->sk;
	bool msgmode = sk->sk_type == SOCK_SEQPACKET;
	int n, err;

	if (msgmode && s->nonblock && !s->copied && s->len > tdi_max_tsdu(ts))
		return -EMSGSIZE;
	for (;;) {
		err = tdi_ep_send_check(ts);
		if (err)
			return err;
		/* re-checked: SO_SNDBUF may shrink while the caller waits */
		s->whole = msgmode && !s->copied && s->len <= tdi_max_tsdu(ts);
		if (msgmode && s->nonblock && !s->whole)
			return -EMSGSIZE;
		if (s->whole ? !tdi_conn_send_room(ts, s->len) :
		    !sk_stream_memory_free(sk))
			return -EAGAIN;
		n = tdi_conn_queue_data(ts, from, s->len - s->copied, s->eor,
					s->whole);
		if (n == -ENOBUFS && sk->sk_wmem_queued && !s->whole)
			return -EAGAIN;	/* short of memory: wait for acks */
		if (n < 0)
			return n;
		s->copied += n;
		if (s->copied == s->len)
			return 0;
		/* a blocking TSDU cut short by an allocation failure goes
		 * on as soon as memory allows (the caller waits for it)
		 */
		if (s->whole && s->nonblock)
			return -ENOBUFS;
	}
}

/**
 * tdi_conn_queue_xdata() - queue one expedited TSDU
 * @ts: the connection; the expedited window has room
 * @from: the user's data
 * @len: its length, 1 to TDI_MAX_EXPEDITED
 *
 * Return: 0 or a negative errno.
 */
int tdi_conn_queue_xdata(struct tdi_sock *ts, struct iov_iter *from, int len)
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
	err = tdi_copy_in(skb, from, len);
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

/* @n bytes of the receive queue were read or dropped. */
static void tdi_rcv_consume(struct tdi_sock *ts, u32 n)
{
	WRITE_ONCE(ts->rcv_unread, ts->rcv_unread - n);
}

/* Take @skb, read to its end, off the receive queue. */
static void tdi_rcv_unlink(struct tdi_sock *ts, struct sk_buff *skb)
{
	tdi_rcv_consume(ts, skb->len - TDI_SKB_CB(skb)->off);
	__skb_unlink(skb, &ts->sk.sk_receive_queue);
	consume_skb(skb);
}

/* The skb after @skb in the receive queue, or NULL. */
static struct sk_buff *tdi_rcv_after(struct tdi_sock *ts, struct sk_buff *skb)
{
	struct sk_buff_head *q = &ts->sk.sk_receive_queue;

	return skb_queue_is_last(q, skb) ? NULL : skb_queue_next(q, skb);
}

/* The skb a read looks at next: the head, or after a peek's cursor. */
static struct sk_buff *tdi_recv_next(struct tdi_sock *ts,
				     const struct tdi_recv *r)
{
	if (r->peek && r->cursor)
		return tdi_rcv_after(ts, r->cursor);
	return skb_peek(&ts->sk.sk_receive_queue);
}

/* A read that filled its buffer also takes the end of its TSDU when that
 * came in a frame of its own (message mode): it belongs to this read, not
 * the next.
 */
static void tdi_recv_end_marker(struct tdi_sock *ts, struct tdi_recv *r)
{
	struct sk_buff *skb;

	if (!r->msgmode || r->cursor_off)
		return;
	if (r->peek)
		skb = r->cursor ? tdi_rcv_after(ts, r->cursor) : NULL;
	else
		skb = skb_peek(&ts->sk.sk_receive_queue);
	if (!skb || skb->len || !(TDI_SKB_CB(skb)->flags & TDI_F_EOR))
		return;
	r->eor = true;
	if (!r->peek) {
		__skb_unlink(skb, &ts->sk.sk_receive_queue);
		consume_skb(skb);
	}
}

/**
 * tdi_conn_recv_data() - copy from the receive queue
 * @ts: the endpoint, socket lock held
 * @to: where the data goes
 * @r: the read: @r->len, @r->peek, @r->trunc and @r->msgmode set by the
 *	caller, the rest zeroed at first and kept here across calls
 *
 * Stream: up to @r->len bytes.  Message mode: up to the end of the TSDU
 * (@r->eor set when it was reached); with @r->trunc the rest of a TSDU
 * that does not fit is dropped and counted in @r->skipped.  A peek walks
 * the queue with a cursor and consumes nothing.
 *
 * Return: 1 when the read is complete (@r->len reached, the end of a
 * TSDU, or a peek stopped inside a frame); 0 when the queue ran out first
 * (the caller decides whether to wait and call again); -EFAULT.
 */
int tdi_conn_recv_data(struct tdi_sock *ts, struct iov_iter *to,
		       struct tdi_recv *r)
{
	struct sk_buff *skb;

	while ((skb = tdi_recv_next(ts, r))) {
		struct tdi_skb_cb *cb = TDI_SKB_CB(skb);
		u32 off = cb->off;
		size_t n = min_t(size_t, r->len - r->copied, skb->len - off);
		bool full;

		if (n && skb_copy_datagram_iter(skb, off, to, n))
			return -EFAULT;
		r->copied += n;
		full = r->copied == r->len;
		if (r->trunc && full)
			r->skipped += skb->len - off - n;
		if (off + n == skb->len || (r->trunc && full)) {
			r->eor = r->msgmode && (cb->flags & TDI_F_EOR);
			if (r->peek)
				r->cursor = skb;
			else
				tdi_rcv_unlink(ts, skb);
		} else if (r->peek) {
			r->cursor_off = off + n;	/* stops here */
		} else {
			cb->off += n;
			tdi_rcv_consume(ts, n);
		}
		if (r->eor)
			return 1;
		if (full && !r->trunc) {
			tdi_recv_end_marker(ts, r);
			return 1;
		}
		if (r->cursor_off)
			return 1;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_conn_recv_data);

/* Message mode: the TSDU at the head of the receive queue has all come. */
static bool tdi_tsdu_complete(struct tdi_sock *ts)
{
	struct sk_buff *skb;

	skb_queue_walk(&ts->sk.sk_receive_queue, skb)
		if (TDI_SKB_CB(skb)->flags & TDI_F_EOR)
			return true;
	return false;
}

/**
 * tdi_conn_head_tsdu() - can a truncating read take the head TSDU now
 * @ts: a message-mode endpoint, socket lock held
 *
 * A read with MSG_TRUNC drops what does not fit, so it must not begin
 * before the whole TSDU is there, unless none of the rest can come.
 *
 * Return: %TDI_TSDU_READY when it has all come, or the connection can
 * bring no more of it (ended, an error, the peer released);
 * %TDI_TSDU_COMING while more of it is on the way; %TDI_TSDU_STUCK when
 * what came fills the receive buffer, so that no more can come before
 * some is read.
 */
enum tdi_tsdu tdi_conn_head_tsdu(struct tdi_sock *ts)
{
	struct sock *sk = &ts->sk;

	if (tdi_tsdu_complete(ts) || !tdi_ep_connected(ts) || sk->sk_err ||
	    (sk->sk_shutdown & RCV_SHUTDOWN))
		return TDI_TSDU_READY;
	if (!skb_queue_empty(&sk->sk_receive_queue) &&
	    tdi_conn_rcv_wnd(ts) < ts->mss)
		return TDI_TSDU_STUCK;
	return TDI_TSDU_COMING;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_conn_head_tsdu);

/* Append @skb, read from its start, to @head's chain at *@tail. */
static void tdi_chain_add(struct sk_buff *head, struct sk_buff ***tail,
			  struct sk_buff *skb)
{
	skb->next = NULL;
	**tail = skb;
	*tail = &skb->next;
	head->len += skb->len;
	head->data_len += skb->len;
}

/**
 * tdi_conn_recv_chain() - take what a chained receive indicates, whole
 * @ts: the endpoint, socket lock held
 * @expedited: the expedited TSDU at the head of its queue, not normal data
 * @entire: set when the chain holds the end of a TSDU (message mode, and
 *	every expedited TSDU)
 *
 * Normal data: in message mode the TSDU at the head of the receive queue,
 * up to its end or to what has come of it; on a stream, all that is
 * queued.  The frames leave the queue as one skb, the first frame with the
 * others on its frag_list, from the first unread byte; each keeps its
 * charge to the socket until the chain is freed (under the socket lock:
 * tdi_conn_recv_unchain() or consume_skb()).
 *
 * Return: the chain; NULL when nothing is queued; ERR_PTR(-ENOMEM).
 */
struct sk_buff *tdi_conn_recv_chain(struct tdi_sock *ts, bool expedited,
				    bool *entire)
{
	struct sk_buff_head *q = expedited ? &ts->xrecv_queue :
				 &ts->sk.sk_receive_queue;
	bool msgmode = ts->sk.sk_type == SOCK_SEQPACKET;
	struct sk_buff *head = skb_peek(q), *skb, **tail;

	*entire = expedited;
	if (!head)
		return NULL;
	if (!expedited && !skb_queue_is_last(q, head) &&
	    !(msgmode && (TDI_SKB_CB(head)->flags & TDI_F_EOR)) &&
	    skb_unclone(head, GFP_ATOMIC))
		return ERR_PTR(-ENOMEM);	/* its frag_list is shared */
	__skb_unlink(head, q);
	__skb_pull(head, TDI_SKB_CB(head)->off);
	TDI_SKB_CB(head)->off = 0;
	if (expedited)
		return head;
	tdi_rcv_consume(ts, head->len);
	tail = &skb_shinfo(head)->frag_list;
	for (skb = head; !(msgmode && (TDI_SKB_CB(skb)->flags & TDI_F_EOR));) {
		skb = __skb_dequeue(q);
		if (!skb)
			return head;
		tdi_rcv_consume(ts, skb->len);
		tdi_chain_add(head, &tail, skb);
	}
	*entire = true;
	return head;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_conn_recv_chain);

/**
 * tdi_conn_recv_unchain() - put a chain that was not taken back
 * @ts: the endpoint, socket lock held; the connection the chain came from
 * @chain: tdi_conn_recv_chain()'s, untouched
 * @expedited: as it was taken
 *
 * The frames go back to the head of their queue, in order, unread.
 */
void tdi_conn_recv_unchain(struct tdi_sock *ts, struct sk_buff *chain,
			   bool expedited)
{
	struct sk_buff *skb = skb_shinfo(chain)->frag_list, *next;
	struct sk_buff_head back;

	__skb_queue_head_init(&back);
	skb_shinfo(chain)->frag_list = NULL;
	chain->len -= chain->data_len;
	chain->data_len = 0;
	__skb_queue_tail(&back, chain);
	for (; skb; skb = next) {
		next = skb->next;
		skb->next = NULL;
		__skb_queue_tail(&back, skb);
	}
	if (!expedited)
		skb_queue_walk(&back, skb)
			WRITE_ONCE(ts->rcv_unread, ts->rcv_unread + skb->len);
	skb_queue_splice(&back, expedited ? &ts->xrecv_queue :
			 &ts->sk.sk_receive_queue);
}
EXPORT_SYMBOL_IF_KUNIT(tdi_conn_recv_unchain);

/**
 * tdi_conn_recv_xdata() - read the expedited TSDU at the head of its queue
 * @ts: the endpoint, socket lock held
 * @to: where the data goes
 * @len: the most bytes to take
 * @flags: MSG_PEEK (leave it queued), MSG_TRUNC (drop what does not fit)
 * @msg_flags: MSG_OOB added, MSG_EOR when the TSDU was read to its end,
 *	MSG_TRUNC when bytes of it were dropped
 *
 * An expedited TSDU may be read in parts, as a normal one.
 *
 * Return: bytes read (with MSG_TRUNC the TSDU's length from where the
 * read began); -EAGAIN when none is queued; -EFAULT.
 */
int tdi_conn_recv_xdata(struct tdi_sock *ts, struct iov_iter *to,
			size_t len, int flags, unsigned int *msg_flags)
{
	struct sk_buff *skb = skb_peek(&ts->xrecv_queue);
	struct tdi_skb_cb *cb;
	int n;

	if (!skb)
		return -EAGAIN;
	cb = TDI_SKB_CB(skb);
	n = min_t(size_t, len, skb->len - cb->off);
	if (skb_copy_datagram_iter(skb, cb->off, to, n))
		return -EFAULT;
	*msg_flags |= MSG_OOB;
	if (flags & MSG_PEEK)
		return n;
	cb->off += n;
	if (cb->off == skb->len || (flags & MSG_TRUNC)) {
		*msg_flags |= MSG_EOR;
		if (flags & MSG_TRUNC) {
			if (cb->off != skb->len)
				*msg_flags |= MSG_TRUNC;
			n = skb->len - (cb->off - n);
		}
		__skb_unlink(skb, &ts->xrecv_queue);
		consume_skb(skb);
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_conn_recv_xdata);

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
