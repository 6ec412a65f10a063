// SPDX-License-Identifier: GPL-2.0
/* tdi input: what a connection or a listener does with a received frame.
 *
 * Called with the socket lock held (bh_lock_sock() in the receive path,
 * or lock ownership when the frame comes from the socket backlog); frames
 * to send in answer are appended to @xmitq.  The frame's parsed header is
 * in TDI_FRAME_CB(skb); this file consumes the skb in every case.
 */

#include <linux/etherdevice.h>
#include <linux/random.h>
#include <linux/skbuff.h>

#include "tdi.h"

static void tdi_drop(struct tdi_sock *ts, struct sk_buff *skb,
		     enum tdi_drop why)
{
	tdi_stat_inc(tdi_tn(ts), TDI_STAT_DROP_BASE + why);
	kfree_skb(skb);
}

/* Acknowledge at once, or soon: every second frame, or after delack_ms. */
static void tdi_schedule_ack(struct tdi_sock *ts, bool now,
			     struct sk_buff_head *xmitq)
{
	struct tdi_net *tn = tdi_tn(ts);

	if (now || ++ts->ack_pending >= 2) {
		tdi_send_ack(ts, 0, xmitq);
		return;
	}
	if (!timer_pending(&ts->delack_timer))
		sk_reset_timer(&ts->sk, &ts->delack_timer, jiffies +
			       max(msecs_to_jiffies(READ_ONCE(tn->sysctl.delack_ms)),
				   1UL));
}

/* Mark frames the peer reported received out of order. */
static void tdi_sack_rcv(struct tdi_sock *ts, struct sk_buff *skb)
{
	const struct tdi_sack *blocks;
	int n = skb->len / sizeof(*blocks), i;
	struct sk_buff *q;

	if (!pskb_may_pull(skb, skb->len))
		return;
	blocks = (const struct tdi_sack *)skb->data;
	for (i = 0; i < n; i++) {
		u32 start = ntohl(blocks[i].start), end = ntohl(blocks[i].end);

		if (!tdi_seq_before(start, end) ||
		    tdi_seq_before(start, ts->snd_una) ||
		    tdi_seq_after(end, ts->snd_nxt))
			continue;
		skb_queue_walk(&ts->sk.sk_write_queue, q) {
			struct tdi_skb_cb *cb = TDI_SKB_CB(q);

			if (q == ts->send_head ||
			    !tdi_seq_before(cb->seq, end))
				break;
			if (!tdi_seq_before(cb->seq, start) &&
			    tdi_seq_leq(cb->end_seq, end))
				cb->sacked = 1;
		}
	}
}

/* RFC 6675 IsLost(), simplified: an unreported frame with at least three
 * frames' worth of reported bytes above it is lost.  Returns whether any
 * frame was newly marked.
 */
static bool tdi_mark_lost(struct tdi_sock *ts)
{
	u32 above = 0, thresh = TDI_DUPACK_THRESH * READ_ONCE(ts->mss);
	struct sk_buff *skb, *last;
	bool marked = false;

	last = ts->send_head ? ts->send_head->prev :
			       skb_peek_tail(&ts->sk.sk_write_queue);
	for (skb = last; skb && skb != (struct sk_buff *)&ts->sk.sk_write_queue;
	     skb = skb->prev) {
		struct tdi_skb_cb *cb = TDI_SKB_CB(skb);

		if (cb->sacked) {
			above += cb->end_seq - cb->seq;
			continue;
		}
		if (above >= thresh && !cb->lost) {
			cb->lost = 1;
			marked = true;
		}
	}
	return marked;
}

static void tdi_enter_recovery(struct tdi_sock *ts)
{
	u32 flight = ts->snd_nxt - ts->snd_una;
	struct sk_buff *head = skb_peek(&ts->sk.sk_write_queue);

	ts->ssthresh = max(flight / 2, 2U * READ_ONCE(ts->mss));
	ts->cwnd = ts->ssthresh;
	ts->high_seq = ts->snd_nxt;
	ts->in_recovery = 1;
	if (head && head != ts->send_head && !TDI_SKB_CB(head)->sacked)
		TDI_SKB_CB(head)->lost = 1;
}

static void tdi_cwnd_grow(struct tdi_sock *ts, u32 acked)
{
	u32 mss = READ_ONCE(ts->mss);

	if (ts->cwnd < ts->ssthresh)
		ts->cwnd += min(acked, 2U * mss);
	else
		ts->cwnd += max_t(u32, (u64)mss * mss / ts->cwnd, 1);
	ts->cwnd = min_t(u32, ts->cwnd, 64U << 20);
}

/* Free what the peer acknowledged; return the bytes newly acknowledged. */
static u32 tdi_clean_acked(struct tdi_sock *ts, u32 ack)
{
	struct sock *sk = &ts->sk;
	struct sk_buff *skb;
	u32 acked = ack - ts->snd_una;

	while ((skb = skb_peek(&sk->sk_write_queue)) && skb != ts->send_head) {
		struct tdi_skb_cb *cb = TDI_SKB_CB(skb);

		if (tdi_seq_after(cb->end_seq, ack))
			break;
		if (cb->type == TDI_T_RELEASE)
			ts->release_acked = 1;
		__skb_unlink(skb, &sk->sk_write_queue);
		tdi_wmem_free(sk, skb);
	}
	ts->snd_una = ack;
	return acked;
}

static void tdi_xack_rcv(struct tdi_sock *ts, u16 xack)
{
	struct sk_buff *skb;
	bool freed = false;

	while (tdi_xseq_before(ts->xsnd_una, xack) &&
	       !tdi_xseq_before(ts->xsnd_nxt, xack) &&
	       (skb = __skb_dequeue(&ts->xwrite_queue))) {
		tdi_wmem_free(&ts->sk, skb);
		ts->xsnd_una++;
		freed = true;
	}
	if (freed) {
		ts->retries = 0;	/* progress */
		tdi_ep_indicate(ts, TDI_IND_XSEND_POSSIBLE);
	}
	skb = skb_peek(&ts->xwrite_queue);
	if (skb && !TDI_SKB_CB(skb)->lost &&
	    tdi_now_us() - TDI_SKB_CB(skb)->tx_us > ts->rtt.rto_us)
		TDI_SKB_CB(skb)->lost = 1;
}

/* A forged frame may carry any timestamp; the peer's clock cannot run
 * ahead of the one it showed at set-up by more than the time since, a
 * second of slack and 1/1024 of drift (up to a minute).
 */
#define TDI_TS_SLACK_US		USEC_PER_SEC
#define TDI_TS_DRIFT_MAX_US	(60 * USEC_PER_SEC)

/**
 * tdi_ts_anchor() - the frame that completes set-up: the peer's clock
 * @ts: the connection
 * @tsval: that frame's timestamp
 */
void tdi_ts_anchor(struct tdi_sock *ts, u32 tsval)
{
	ts->ts_anchor = tsval;
	ts->ts_anchor_ns = ktime_get_boottime_ns();
	ts->ts_recent = tsval;
	ts->snd_wl_ts = tsval;
}

static bool tdi_tsval_sane(const struct tdi_sock *ts, u32 tsval)
{
	u64 el = div_u64(ktime_get_boottime_ns() - ts->ts_anchor_ns,
			 NSEC_PER_USEC);
	u32 allow = TDI_TS_SLACK_US + min_t(u64, el >> 10, TDI_TS_DRIFT_MAX_US);

	return (s32)(tsval - (ts->ts_anchor + (u32)el)) <= (s32)allow;
}

/* Process the acknowledgment, window and SACK of a frame. */
static void tdi_ack_rcv(struct tdi_sock *ts, const struct tdi_frame *fr,
			struct sk_buff *skb)
{
	struct tdi_net *tn = tdi_tn(ts);
	struct sock *sk = &ts->sk;
	u32 ack = fr->ack, old_right = ts->snd_right;
	bool sacked = fr->type == TDI_T_ACK && (fr->flags & TDI_F_SACK);
	bool progress = false;
	bool newer;

	tdi_xack_rcv(ts, fr->xack);
	if (tdi_seq_after(ack, ts->snd_nxt))
		return;
	/* the window of the newest frame counts, even when it shrank; a
	 * timestamp from beyond the peer's clock orders nothing
	 */
	newer = tdi_tsval_sane(ts, fr->tsval) &&
		(s32)(fr->tsval - ts->snd_wl_ts) >= 0;
	if (tdi_seq_after(ack, ts->snd_una) ||
	    (ack == ts->snd_una && newer)) {
		ts->snd_right = ack + fr->wnd;
		if (newer)
			ts->snd_wl_ts = fr->tsval;
	}
	if (sacked)
		tdi_sack_rcv(ts, skb);

	if (tdi_seq_after(ack, ts->snd_una)) {
		u32 acked;

		if (fr->tsecr) {
			u32 sample = tdi_now_us() - fr->tsecr;

			if (sample < 60 * USEC_PER_SEC)
				tdi_rtt_sample_net(tn, &ts->rtt, sample);
		}
		acked = tdi_clean_acked(ts, ack);
		ts->dupacks = 0;
		ts->backoff = 0;
		ts->retries = 0;	/* progress */
		if (ts->in_recovery) {
			if (!tdi_seq_before(ack, ts->high_seq)) {
				ts->in_recovery = 0;
				ts->cwnd = ts->ssthresh;
			} else {
				struct sk_buff *head =
					skb_peek(&sk->sk_write_queue);

				/* partial ACK: the new head is lost too */
				if (head && head != ts->send_head &&
				    !TDI_SKB_CB(head)->sacked)
					TDI_SKB_CB(head)->lost = 1;
			}
		} else {
			tdi_cwnd_grow(ts, acked);
		}
		progress = true;
	} else if (ack == ts->snd_una && ts->snd_una != ts->snd_nxt &&
		   fr->type == TDI_T_ACK && !ts->in_recovery &&
		   ts->snd_right == old_right) {
		if (++ts->dupacks >= TDI_DUPACK_THRESH)
			tdi_enter_recovery(ts);
	}

	/* only SACK information can show more losses than the head */
	if (sacked && ts->snd_una != ts->snd_nxt && tdi_mark_lost(ts) &&
	    !ts->in_recovery)
		tdi_enter_recovery(ts);

	if (progress) {
		if (ts->snd_una == ts->snd_nxt &&
		    skb_queue_empty(&ts->xwrite_queue))
			tdi_conn_idle_timer(ts);
		else
			tdi_conn_rearm_rto(ts);
		tdi_ep_indicate(ts, TDI_IND_SEND_POSSIBLE);
	}
}

/* The peer's RELEASE came in order: EOF for our reader. */
static void tdi_peer_released(struct tdi_sock *ts)
{
	struct sock *sk = &ts->sk;

	ts->peer_released = 1;
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	if (ts->state == TDI_STATE_CONNECTED)
		tdi_set_state(ts, TDI_STATE_RELEASE_RECEIVED);
	else if (ts->state == TDI_STATE_RELEASE_SENT)
		tdi_set_state(ts, TDI_STATE_CLOSING);
	tdi_ep_indicate(ts, TDI_IND_DISCONNECTED);
}

/* Frames this small are copied into an skb of their own size. */
#define TDI_COPYBREAK	256

/* A small frame in a large buffer is copied out of it, so that what it
 * holds in the receive buffer is close to what it carries; on failure the
 * frame is kept as it is.
 */
static struct sk_buff *tdi_rcv_compact(struct sk_buff *skb)
{
	struct sk_buff *n;

	if (skb->len > TDI_COPYBREAK ||
	    skb->truesize <= 2 * SKB_TRUESIZE(SKB_DATA_ALIGN(skb->len)))
		return skb;
	n = tdi_alloc_rcv_copy(skb->len);
	if (!n)
		return skb;
	if (skb_copy_bits(skb, 0, skb_put(n, skb->len), skb->len)) {
		kfree_skb(n);
		return skb;
	}
	consume_skb(skb);
	return n;
}

/* Drop the highest out-of-order segment; false when there is none. */
static bool tdi_prune_ofo(struct tdi_sock *ts)
{
	struct sk_buff *skb = __skb_dequeue_tail(&ts->ofo_queue);

	if (!skb)
		return false;
	tdi_stat_inc(tdi_tn(ts), TDI_STAT_OFO_PRUNED);
	kfree_skb(skb);
	return true;
}

/* Charge @skb to the receive buffer and to tdi's memory as a whole.  An
 * in-order segment may take the room of out-of-order ones: they are
 * dropped, highest first, and the peer sends them again.
 */
static bool tdi_rmem_charge(struct tdi_sock *ts, struct sk_buff *skb,
			    bool in_order)
{
	struct sock *sk = &ts->sk;

	for (;;) {
		if (atomic_read(&sk->sk_rmem_alloc) + skb->truesize <=
		    READ_ONCE(sk->sk_rcvbuf) &&
		    sk_rmem_schedule(sk, skb, skb->truesize)) {
			skb_set_owner_r(skb, sk);
			return true;
		}
		if (!in_order || !tdi_prune_ofo(ts))
			return false;
	}
}

/* Learn what frames cost: sequence space per byte of truesize. */
static void tdi_rcv_ratio_sample(struct tdi_sock *ts, u32 space, u32 truesize)
{
	u32 sample = min_t(u64, (u64)space * TDI_RATIO_ONE / truesize,
			   TDI_RATIO_ONE);

	ts->rcv_ratio = max((ts->rcv_ratio * 7 + sample) / 8, 1U);
}

/* Put an in-order segment on the receive queue (or act on its RELEASE). */
static void tdi_rcv_in_order(struct tdi_sock *ts, struct sk_buff *skb)
{
	struct tdi_skb_cb *cb = TDI_SKB_CB(skb);
	struct sock *sk = &ts->sk;

	ts->rcv_nxt = cb->end_seq;
	if (cb->flags & TDI_CB_RELEASE) {
		consume_skb(skb);
		tdi_peer_released(ts);
		return;
	}
	ts->st.bytes_received += skb->len;
	if (sk->sk_shutdown & RCV_SHUTDOWN && !ts->peer_released) {
		/* SHUT_RD: read nothing more, but acknowledge it */
		consume_skb(skb);
		return;
	}
	__skb_queue_tail(&sk->sk_receive_queue, skb);
	WRITE_ONCE(ts->rcv_unread, ts->rcv_unread + skb->len);
}

static void tdi_data_rcv(struct tdi_sock *ts, struct sk_buff *skb,
			 const struct tdi_frame *fr,
			 struct sk_buff_head *xmitq)
{
	struct tdi_net *tn = tdi_tn(ts);
	struct sock *sk = &ts->sk;
	struct tdi_skb_cb *cb;
	bool release = fr->type == TDI_T_RELEASE;
	bool marker = release || (fr->flags & TDI_F_EOR);
	/* a RELEASE's payload (disconnect data) takes no sequence space */
	u32 seq = fr->seq, end = seq + (release ? 0 : fr->len) + marker;
	bool had_ofo;

	if (tdi_seq_leq(end, ts->rcv_nxt)) {
		ts->st.frames_duplicate++;
		tdi_stat_inc(tn, TDI_STAT_DUPLICATES);
		kfree_skb(skb);
		tdi_send_ack(ts, 0, xmitq);
		return;
	}
	/* only the RELEASE goes into a closed window: it takes no memory */
	if (!tdi_seq_before(seq, ts->rcv_right) &&
	    !(release && seq == ts->rcv_nxt)) {
		tdi_drop(ts, skb, TDI_DROP_WINDOW);
		tdi_send_ack(ts, 0, xmitq);
		return;
	}
	if (sock_flag(sk, SOCK_DEAD) && !release) {
		/* closed: nobody will read this */
		kfree_skb(skb);
		tdi_conn_abort(ts, TDI_REASON_ABORT, xmitq);
		return;
	}
	if (release && fr->len) {
		/* the peer's disconnect data, kept now, whatever the order */
		tdi_udata_from_frame(&ts->peer_ud[TDI_UD_DISCONNECT], skb, fr);
		if (pskb_trim(skb, 0)) {
			tdi_drop(ts, skb, TDI_DROP_NOMEM);
			return;
		}
	}
	/* every frame that is kept is charged; an in-order RELEASE is not kept */
	if (!release || seq != ts->rcv_nxt) {
		skb = tdi_rcv_compact(skb);
		if (ts->rcv_linear && skb_linearize(skb)) {
			tdi_drop(ts, skb, TDI_DROP_NOMEM);
			return;
		}
		if (!tdi_rmem_charge(ts, skb, !tdi_seq_after(seq, ts->rcv_nxt))) {
			tdi_drop(ts, skb, TDI_DROP_RCVBUF);
			tdi_send_ack(ts, 0, xmitq);
			return;
		}
		tdi_rcv_ratio_sample(ts, end - seq, skb->truesize);
	}

	cb = TDI_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->seq = seq;
	cb->end_seq = end;
	cb->flags = (fr->flags & TDI_F_EOR) | (release ? TDI_CB_RELEASE : 0);

	if (tdi_seq_after(seq, ts->rcv_nxt)) {
		tdi_stat_inc(tn, TDI_STAT_OUT_OF_ORDER);
		if (!tdi_ofo_insert(&ts->ofo_queue, skb)) {
			ts->st.frames_duplicate++;
			tdi_stat_inc(tn, TDI_STAT_DUPLICATES);
			kfree_skb(skb);
		}
		tdi_send_ack(ts, 0, xmitq);
		return;
	}

	if (!tdi_seg_trim_front(skb, ts->rcv_nxt)) {
		tdi_drop(ts, skb, TDI_DROP_NOMEM);
		return;
	}
	had_ofo = !skb_queue_empty(&ts->ofo_queue);
	tdi_rcv_in_order(ts, skb);
	while ((skb = tdi_ofo_pull(&ts->ofo_queue, ts->rcv_nxt)))
		tdi_rcv_in_order(ts, skb);

	tdi_schedule_ack(ts, had_ofo || release ||
			 (fr->flags & TDI_F_ACKNOW), xmitq);
	if (!skb_queue_empty(&sk->sk_receive_queue))
		tdi_ep_indicate(ts, TDI_IND_RECEIVE);
}

static void tdi_xdata_rcv(struct tdi_sock *ts, struct sk_buff *skb,
			  const struct tdi_frame *fr,
			  struct sk_buff_head *xmitq)
{
	struct sock *sk = &ts->sk;
	struct tdi_skb_cb *cb;

	if (fr->xseq != ts->xrcv_nxt) {
		if (tdi_xseq_before(fr->xseq, ts->xrcv_nxt)) {
			ts->st.frames_duplicate++;
			tdi_stat_inc(tdi_tn(ts), TDI_STAT_DUPLICATES);
			kfree_skb(skb);
		} else {
			tdi_drop(ts, skb, TDI_DROP_WINDOW);
		}
		tdi_send_ack(ts, 0, xmitq);
		return;
	}
	if (sock_flag(sk, SOCK_DEAD)) {
		kfree_skb(skb);
		tdi_conn_abort(ts, TDI_REASON_ABORT, xmitq);
		return;
	}
	/* expedited data is bounded by count, not by the receive buffer
	 * that normal data may have filled; it is charged to tdi's memory
	 */
	skb = tdi_rcv_compact(skb);
	if (ts->rcv_linear && skb_linearize(skb)) {
		tdi_drop(ts, skb, TDI_DROP_NOMEM);
		return;
	}
	if (skb_queue_len(&ts->xrecv_queue) >= 4 * TDI_XWND ||
	    !sk_rmem_schedule(sk, skb, skb->truesize)) {
		/* not taken, but answered: the sender retries, and knows
		 * we are alive
		 */
		tdi_drop(ts, skb, TDI_DROP_RCVBUF);
		tdi_send_ack(ts, 0, xmitq);
		return;
	}
	cb = TDI_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	skb_set_owner_r(skb, sk);
	__skb_queue_tail(&ts->xrecv_queue, skb);
	ts->xrcv_nxt++;
	ts->st.expedited_received++;
	tdi_send_ack(ts, 0, xmitq);
	tdi_ep_indicate(ts, TDI_IND_RECEIVE_EXPEDITED);
}

/* An in-window RESET: the peer aborted, or it had already finished both
 * sides of a release and our RELEASE's acknowledgment was lost.  Only an
 * abort brings disconnect data: the one that completes a release leaves
 * what the peer's RELEASE carried.
 */
static void tdi_reset_rcv(struct tdi_sock *ts, struct sk_buff *skb,
			  const struct tdi_frame *fr)
{
	tdi_stat_inc(tdi_tn(ts), TDI_STAT_RESETS_IN);
	if (fr->reason == TDI_REASON_RELEASE && ts->release_queued &&
	    ts->state == TDI_STATE_CLOSING && ts->peer_released &&
	    ts->write_seq - ts->snd_una <= 1) {
		consume_skb(skb);
		tdi_conn_done(ts, 0, TDI_REASON_RELEASE);
		return;
	}
	tdi_udata_from_frame(&ts->peer_ud[TDI_UD_DISCONNECT], skb, fr);
	consume_skb(skb);
	/* every later call hears of it, not only the first */
	WRITE_ONCE(ts->peer_abort, true);
	tdi_conn_done(ts, ECONNRESET, fr->reason == TDI_REASON_RELEASE ?
		      TDI_REASON_ABORT : fr->reason);
}

/* CONNECTING: the answer to our offer. */
static void tdi_connecting_rcv(struct tdi_sock *ts, struct sk_buff *skb,
			       const struct tdi_frame *fr,
			       struct sk_buff_head *xmitq)
{
	struct net *net = sock_net(&ts->sk);
	u32 sample;
	int mtu;

	if (fr->sport != ts->rport) {
		tdi_drop(ts, skb, TDI_DROP_IDS);
		return;
	}
	if (fr->ack != ts->snd_una) {
		tdi_drop(ts, skb, TDI_DROP_WINDOW);
		return;
	}
	switch (fr->type) {
	case TDI_T_ACCEPT:
		mtu = tdi_dev_mtu(net, skb->skb_iif);
		if (mtu < TDI_MIN_MTU ||
		    (ts->ifindex && ts->ifindex != skb->skb_iif)) {
			tdi_drop(ts, skb, TDI_DROP_NODEV);
			return;
		}
		ts->ifindex = skb->skb_iif;
		ts->peer_id = fr->src_id;
		ts->peer_mru = fr->mru;
		ts->mss = min_t(u32, fr->mru, mtu - TDI_HDR_LEN);
		ts->cwnd = TDI_INIT_CWND * ts->mss;
		ts->rcv_nxt = fr->seq;
		ts->rcv_right = fr->seq;
		ts->rcv_adv = fr->seq;
		ts->snd_right = fr->ack + fr->wnd;
		tdi_ts_anchor(ts, fr->tsval);
		ts->retries = 0;
		ts->backoff = 0;
		sample = tdi_now_us() - fr->tsecr;
		if (fr->tsecr && sample < 60 * USEC_PER_SEC)
			tdi_rtt_sample_net(tdi_pernet(net), &ts->rtt, sample);
		ts->last_rcv = jiffies;
		tdi_udata_from_frame(&ts->peer_ud[TDI_UD_ACCEPT], skb, fr);
		tdi_conn_hash_peer(ts);
		tdi_set_state(ts, TDI_STATE_CONNECTED);
		tdi_conn_idle_timer(ts);
		ts->st.frames_received++;
		tdi_send_ack(ts, 0, xmitq);
		consume_skb(skb);
		tdi_ep_indicate(ts, TDI_IND_CONNECTED);
		tdi_conn_push(ts, xmitq);
		return;
	case TDI_T_REFUSE:
		tdi_udata_from_frame(&ts->peer_ud[TDI_UD_DISCONNECT], skb, fr);
		consume_skb(skb);
		tdi_conn_done(ts, ECONNREFUSED, fr->reason ?: TDI_REASON_REFUSED);
		return;
	case TDI_T_RESET:
		tdi_udata_from_frame(&ts->peer_ud[TDI_UD_DISCONNECT], skb, fr);
		consume_skb(skb);
		tdi_stat_inc(tdi_tn(ts), TDI_STAT_RESETS_IN);
		tdi_conn_done(ts, ECONNREFUSED, fr->reason ?: TDI_REASON_ABORT);
		return;
	case TDI_T_HOLD:
		/* the offer waits for the peer's decision: wait with it,
		 * long enough for the next HOLDs (one a second) to come
		 */
		ts->connect_deadline =
			tdi_held_deadline(jiffies, ts->connect_deadline,
					  READ_ONCE(tdi_pernet(net)->sysctl.connect_timeout_ms));
		/* whom to tell if we give up (tdi_conn_abort()) */
		if (!ts->peer_id)
			ts->peer_id = fr->src_id;
		consume_skb(skb);
		return;
	}
	tdi_drop(ts, skb, TDI_DROP_STATE);
}

/* The peer's device changed its MTU (an ACK with TDI_F_MRU): frames from
 * now on, retransmissions included, are cut to the new size.
 */
static void tdi_peer_new_mru(struct tdi_sock *ts, u16 mru)
{
	if (mru == ts->peer_mru)
		return;
	ts->peer_mru = mru;
	WRITE_ONCE(ts->mss, min(mru, ts->mru));
	tdi_stat_inc(tdi_tn(ts), TDI_STAT_MRU_CHANGES);
}

/* How far behind rcv_nxt a retransmitted frame's seq may be */
#define TDI_SEQ_BACK		BIT(30)

/**
 * tdi_conn_input() - a frame for a connection endpoint
 * @ts: the endpoint the frame's dst_id named
 * @skb: the frame, payload at skb->data, header in TDI_FRAME_CB(skb)
 * @xmitq: where answers go
 */
void tdi_conn_input(struct tdi_sock *ts, struct sk_buff *skb,
		    struct sk_buff_head *xmitq)
{
	struct tdi_frame fr = *TDI_FRAME_CB(skb);

	if (!ts->hashed || fr.dst_id != ts->local_id ||
	    !ether_addr_equal(eth_hdr(skb)->h_source, ts->peer_mac)) {
		tdi_drop(ts, skb, TDI_DROP_NOCONN);
		return;
	}
	if (ts->state == TDI_STATE_CONNECTING) {
		tdi_connecting_rcv(ts, skb, &fr, xmitq);
		return;
	}
	if (fr.src_id != ts->peer_id || fr.sport != ts->rport ||
	    skb->skb_iif != ts->ifindex) {
		tdi_drop(ts, skb, TDI_DROP_IDS);
		return;
	}
	if (fr.type == TDI_T_RESET) {
		if (!tdi_seq_in(fr.seq, ts->rcv_nxt,
				tdi_seq_max(ts->rcv_right, ts->rcv_nxt) + 2)) {
			tdi_drop(ts, skb, TDI_DROP_WINDOW);
			return;
		}
		tdi_reset_rcv(ts, skb, &fr);
		return;
	}
	if (ts->state == TDI_STATE_OFFERED) {
		/* nothing but a RESET before our ACCEPT */
		tdi_drop(ts, skb, TDI_DROP_STATE);
		return;
	}
	if (fr.type != TDI_T_DATA && fr.type != TDI_T_ACK &&
	    fr.type != TDI_T_XDATA && fr.type != TDI_T_RELEASE &&
	    fr.type != TDI_T_ACCEPT) {
		tdi_drop(ts, skb, TDI_DROP_STATE);
		return;
	}
	/* a peer's seq is never past what we let it send, and never older
	 * than a retransmission can be: anything else acknowledges nothing
	 */
	if (!tdi_seq_in(fr.seq, ts->rcv_nxt - TDI_SEQ_BACK,
			tdi_seq_max(ts->rcv_right, ts->rcv_nxt) + 2)) {
		tdi_drop(ts, skb, TDI_DROP_WINDOW);
		return;
	}

	ts->st.frames_received++;
	ts->heard = 1;
	ts->last_rcv = jiffies;
	ts->ka_probes = 0;
	if (ts->accept_pending) {
		/* the peer heard our ACCEPT: the offer is complete */
		ts->accept_pending = 0;
		ts->retries = 0;
	}
	if (tdi_seq_leq(fr.seq, ts->rcv_nxt) && tdi_tsval_sane(ts, fr.tsval))
		ts->ts_recent = fr.tsval;
	tdi_ack_rcv(ts, &fr, skb);

	switch (fr.type) {
	case TDI_T_DATA:
	case TDI_T_RELEASE:
		tdi_data_rcv(ts, skb, &fr, xmitq);
		break;
	case TDI_T_XDATA:
		tdi_xdata_rcv(ts, skb, &fr, xmitq);
		break;
	case TDI_T_ACCEPT:
		/* our acknowledgment of it was lost */
		consume_skb(skb);
		tdi_send_ack(ts, 0, xmitq);
		break;
	default:
		if (fr.mru && tdi_tsval_sane(ts, fr.tsval))
			tdi_peer_new_mru(ts, fr.mru);
		if (fr.flags & TDI_F_ACKNOW)
			tdi_send_ack(ts, 0, xmitq);
		consume_skb(skb);
	}
	tdi_conn_check_done(ts);
	tdi_conn_push(ts, xmitq);
}
