// SPDX-License-Identifier: GPL-2.0
/*
 * tdi output: frames a connection sends.
 *
 * Queued frames (the write queue of normal data and RELEASE, the expedited
 * queue) hold only their payload; each transmission clones the frame and
 * builds a fresh header in the clone, so the acknowledgment, window and
 * timestamp are current, and the payload checksum computed when the data
 * was copied from the user is reused.  Every function here is called with
 * the socket lock held and only appends frames to @xmitq; the caller sends
 * them after unlocking (tdi_xmit_flush()).
 */

#include <linux/skbuff.h>
#include <net/checksum.h>

#include "tdi.h"

/**
 * tdi_conn_rcv_wnd() - the receive window to advertise now
 * @ts: the connection
 *
 * The free receive buffer times what received frames cost (sequence
 * space per byte of truesize, rcv_ratio), so that a window full of small
 * TSDUs fits the memory they take as well as one of full frames.  Under
 * tdi's memory pressure only a quarter of it is offered.  The window may
 * shrink; frames up to the highest edge ever offered are still taken when
 * memory allows.
 *
 * Return: the window, bytes of sequence space.
 */
u32 tdi_conn_rcv_wnd(const struct tdi_sock *ts)
{
	const struct sock *sk = &ts->sk;
	int free = READ_ONCE(sk->sk_rcvbuf) - atomic_read(&sk->sk_rmem_alloc);
	u64 wnd;

	if (free <= 0)
		return 0;
	wnd = (u64)free * ts->rcv_ratio / TDI_RATIO_ONE;
	if (sk_under_memory_pressure(sk))
		wnd /= 4;
	return min_t(u64, wnd, U32_MAX / 4);
}

static void tdi_fill_frame(struct tdi_sock *ts, struct tdi_frame *fr,
			   u8 type, u16 flags)
{
	u32 wnd = tdi_conn_rcv_wnd(ts);

	memset(fr, 0, sizeof(*fr));
	fr->type = type;
	fr->flags = flags;
	fr->sport = ts->addr ? ts->addr->port : 0;
	fr->dport = ts->rport;
	fr->src_id = ts->local_id;
	fr->dst_id = ts->peer_id;
	fr->ack = ts->rcv_nxt;
	fr->wnd = wnd;
	fr->xack = ts->xrcv_nxt;
	fr->tsval = tdi_now_us() ?: 1;
	fr->tsecr = ts->ts_recent;
	ts->rcv_adv = ts->rcv_nxt + wnd;
	if (tdi_seq_after(ts->rcv_adv, ts->rcv_right))
		ts->rcv_right = ts->rcv_adv;
}

/* Every frame of a connected endpoint carries an acknowledgment. */
static void tdi_ack_sent(struct tdi_sock *ts)
{
	ts->ack_pending = 0;
	if (!ts->mru_repeats)	/* the timer repeats a new MRU */
		sk_stop_timer(&ts->sk, &ts->delack_timer);
}

static void tdi_queue_frame(struct tdi_sock *ts, struct sk_buff *skb,
			    struct sk_buff_head *xmitq)
{
	ts->st.frames_sent++;
	tdi_xmit_enqueue(xmitq, skb, ts->ifindex, ts->peer_mac);
}

/**
 * tdi_send_setup() - send CONNECT, ACCEPT, REFUSE or RESET
 * @ts: the endpoint
 * @type: the frame type
 * @reason: TDI_REASON_* for REFUSE and RESET
 * @data: user data to carry, or NULL
 * @datalen: its length, at most TDI_MAX_USER_DATA
 * @xmitq: where the frame goes
 *
 * Return: 0 or -ENOMEM.
 */
int tdi_send_setup(struct tdi_sock *ts, u8 type, u8 reason, const void *data,
		   u8 datalen, struct sk_buff_head *xmitq)
{
	struct tdi_setup *s;
	struct tdi_frame fr;
	struct sk_buff *skb;
	u16 flags = 0;

	skb = tdi_alloc_frame(TDI_SETUP_LEN + datalen, GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	s = skb_put(skb, TDI_SETUP_LEN);
	s->mru = 0;
	s->reason = reason;
	s->datalen = datalen;
	if (datalen)
		skb_put_data(skb, data, datalen);
	if (type == TDI_T_CONNECT || type == TDI_T_ACCEPT) {
		s->mru = htons(ts->mru);
		if (ts->msgmode)
			flags |= TDI_F_MSGMODE;
	}
	tdi_fill_frame(ts, &fr, type, flags);
	fr.seq = type == TDI_T_CONNECT || type == TDI_T_ACCEPT ?
		 ts->snd_una : ts->snd_nxt;
	if (type == TDI_T_CONNECT)
		fr.dst_id = 0;
	tdi_frame_push(skb, &fr, csum_partial(skb->data, skb->len, 0));
	if (type == TDI_T_ACCEPT)
		tdi_ack_sent(ts);
	tdi_queue_frame(ts, skb, xmitq);
	return 0;
}

/**
 * tdi_send_hold() - tell the connector of an undecided offer to wait
 * @ts: an OFFERED endpoint
 * @xmitq: where the frame goes
 *
 * HOLD carries no payload; it acknowledges the connector's CONNECT (its
 * ISN), so that the connector takes it for an answer to its offer.
 */
void tdi_send_hold(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	struct tdi_frame fr;
	struct sk_buff *skb;

	skb = tdi_alloc_frame(0, GFP_ATOMIC);
	if (!skb)
		return;		/* the next one goes on time */
	tdi_fill_frame(ts, &fr, TDI_T_HOLD, 0);
	fr.seq = ts->snd_una;
	tdi_frame_push(skb, &fr, 0);
	tdi_queue_frame(ts, skb, xmitq);
}

/**
 * tdi_send_ack() - send an acknowledgment now
 * @ts: the connection
 * @flags: 0, or TDI_F_ACKNOW to ask for an answer (window probe)
 * @xmitq: where the frame goes
 *
 * Carries SACK blocks when frames wait in the out-of-order queue.
 */
void tdi_send_ack(struct tdi_sock *ts, u16 flags, struct sk_buff_head *xmitq)
{
	struct tdi_sack blocks[TDI_MAX_SACK];
	struct tdi_mru_opt *o;
	struct tdi_frame fr;
	struct sk_buff *skb;
	int n, len, opt;

	n = tdi_ofo_sack(&ts->ofo_queue, blocks, TDI_MAX_SACK);
	len = n * sizeof(struct tdi_sack);
	opt = ts->mru_changed ? TDI_MRU_OPT_LEN : 0;
	skb = tdi_alloc_frame(opt + len, GFP_ATOMIC);
	if (!skb)
		return;
	if (opt) {
		o = skb_put_zero(skb, opt);
		o->mru = htons(ts->mru);
		flags |= TDI_F_MRU;
	}
	if (len) {
		skb_put_data(skb, blocks, len);
		flags |= TDI_F_SACK;
	}
	tdi_fill_frame(ts, &fr, TDI_T_ACK, flags);
	fr.seq = ts->snd_nxt;
	tdi_frame_push(skb, &fr, opt + len ?
		       csum_partial(skb->data, opt + len, 0) : 0);
	tdi_ack_sent(ts);
	tdi_queue_frame(ts, skb, xmitq);
}

/* Transmit a queued DATA, RELEASE or XDATA frame (first time or again). */
static int tdi_xmit_queued(struct tdi_sock *ts, struct sk_buff *skb,
			   struct sk_buff_head *xmitq)
{
	struct tdi_skb_cb *cb = TDI_SKB_CB(skb);
	struct tdi_frame fr;
	struct sk_buff *c;

	c = skb_cloned(skb) ? pskb_copy(skb, GFP_ATOMIC) :
			      skb_clone(skb, GFP_ATOMIC);
	if (!c)
		return -ENOMEM;
	tdi_fill_frame(ts, &fr, cb->type, cb->flags & TDI_F_EOR);
	fr.seq = cb->type == TDI_T_XDATA ? ts->snd_nxt : cb->seq;
	fr.xseq = cb->xseq;
	tdi_frame_push(c, &fr, cb->csum);
	cb->tx_us = fr.tsval;
	tdi_ack_sent(ts);
	tdi_queue_frame(ts, c, xmitq);
	return 0;
}

/* Split a queued frame that no longer fits the path so it ends at @mss. */
static int tdi_split(struct tdi_sock *ts, struct sk_buff *skb, u32 mss)
{
	struct tdi_skb_cb *cb = TDI_SKB_CB(skb), *ncb;
	u32 rest = skb->len - mss;
	struct sk_buff *n;

	n = tdi_alloc_queued_frame(rest, GFP_ATOMIC);
	if (!n)
		return -ENOMEM;
	if (skb_copy_bits(skb, mss, skb_put(n, rest), rest)) {
		kfree_skb(n);
		return -EFAULT;
	}
	if (pskb_trim(skb, mss)) {
		kfree_skb(n);
		return -ENOMEM;
	}
	ncb = TDI_SKB_CB(n);
	*ncb = *cb;
	ncb->seq = cb->seq + mss;
	ncb->csum = csum_partial(n->data, rest, 0);
	cb->end_seq = ncb->seq;
	cb->flags &= ~TDI_F_EOR;
	cb->csum = skb_checksum(skb, 0, skb->len, 0);
	tdi_wmem_charge(&ts->sk, n);
	__skb_queue_after(&ts->sk.sk_write_queue, skb, n);
	return 0;
}

/* Bytes in flight: sent, not acknowledged, not reported received or lost. */
static u32 tdi_pipe(struct tdi_sock *ts)
{
	struct sk_buff *skb;
	u32 pipe = 0;

	if (!ts->in_recovery)
		return ts->snd_nxt - ts->snd_una;
	skb_queue_walk(&ts->sk.sk_write_queue, skb) {
		struct tdi_skb_cb *cb = TDI_SKB_CB(skb);

		if (skb == ts->send_head)
			break;
		if (cb->sacked)
			continue;
		if (!cb->lost || cb->retrans)
			pipe += cb->end_seq - cb->seq;
	}
	return pipe;
}

static void tdi_arm_rto(struct tdi_sock *ts)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));
	u32 rto = tdi_rto_backed_off(ts->rtt.rto_us, ts->backoff,
				     READ_ONCE(tn->sysctl.rto_max_ms) * USEC_PER_MSEC);
	unsigned long when = jiffies + max(usecs_to_jiffies(rto), 1UL);

	/* a closed endpoint's deadline comes first */
	if (ts->orphan_deadline && time_before(ts->orphan_deadline, when))
		when = ts->orphan_deadline;
	sk_reset_timer(&ts->sk, &ts->rto_timer, when);
}

/**
 * tdi_conn_arm_rto() - start the retransmission timer unless it runs
 * @ts: the connection
 */
void tdi_conn_arm_rto(struct tdi_sock *ts)
{
	if (!timer_pending(&ts->rto_timer))
		tdi_arm_rto(ts);
}

/**
 * tdi_conn_rearm_rto() - restart the retransmission timer
 * @ts: the connection
 */
void tdi_conn_rearm_rto(struct tdi_sock *ts)
{
	tdi_arm_rto(ts);
}

static bool tdi_can_send(const struct tdi_sock *ts)
{
	switch (ts->state) {
	case TDI_STATE_CONNECTED:
	case TDI_STATE_RELEASE_SENT:
	case TDI_STATE_RELEASE_RECEIVED:
	case TDI_STATE_CLOSING:
		return !ts->accept_pending;
	}
	return false;
}

/* Retransmit frames marked lost, as far as the congestion window lets. */
static void tdi_push_lost(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	struct sk_buff *skb;
	u32 pipe = tdi_pipe(ts);

	skb_queue_walk(&ts->sk.sk_write_queue, skb) {
		struct tdi_skb_cb *cb = TDI_SKB_CB(skb);

		if (skb == ts->send_head || pipe >= ts->cwnd)
			break;
		if (!cb->lost || cb->retrans || cb->sacked)
			continue;
		if (skb->len > READ_ONCE(ts->mss) &&
		    tdi_split(ts, skb, READ_ONCE(ts->mss)))
			break;
		if (tdi_xmit_queued(ts, skb, xmitq))
			break;
		cb->retrans = 1;
		pipe += cb->end_seq - cb->seq;
		ts->st.frames_retransmitted++;
		tdi_stat_inc(tdi_pernet(sock_net(&ts->sk)),
			     TDI_STAT_RETRANSMITS);
	}
}

static void tdi_push_expedited(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	struct sk_buff *skb;

	skb_queue_walk(&ts->xwrite_queue, skb) {
		struct tdi_skb_cb *cb = TDI_SKB_CB(skb);

		if (!cb->lost)
			continue;
		if (tdi_xmit_queued(ts, skb, xmitq))
			break;
		if (cb->retrans) {
			ts->st.frames_retransmitted++;
			tdi_stat_inc(tdi_pernet(sock_net(&ts->sk)),
				     TDI_STAT_RETRANSMITS);
		}
		cb->lost = 0;
		cb->retrans = 1;
	}
}

/**
 * tdi_conn_push() - send what the windows allow
 * @ts: the connection
 * @xmitq: where the frames go
 *
 * Expedited TSDUs first, then lost frames, then new data in sequence
 * order, as far as the peer's window and the congestion window allow.  A
 * RELEASE goes even into a closed window.
 */
void tdi_conn_push(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	struct sk_buff *skb;
	u32 pipe;

	if (!tdi_can_send(ts))
		return;
	tdi_push_expedited(ts, xmitq);
	if (ts->in_recovery)
		tdi_push_lost(ts, xmitq);
	pipe = tdi_pipe(ts);

	while ((skb = ts->send_head)) {
		struct tdi_skb_cb *cb = TDI_SKB_CB(skb);
		u32 mss = READ_ONCE(ts->mss);

		if (skb->len > mss && tdi_split(ts, skb, mss))
			break;
		if (cb->type == TDI_T_DATA &&
		    tdi_seq_after(cb->end_seq, ts->snd_right))
			break;
		if (pipe && pipe + skb->len > ts->cwnd)
			break;
		if (tdi_xmit_queued(ts, skb, xmitq))
			break;
		pipe += cb->end_seq - cb->seq;
		ts->snd_nxt = cb->end_seq;
		if (cb->type == TDI_T_DATA)
			ts->st.bytes_sent += skb->len;
		ts->send_head = skb_queue_is_last(&ts->sk.sk_write_queue, skb) ?
				NULL : skb_queue_next(&ts->sk.sk_write_queue, skb);
	}

	if (ts->snd_una != ts->snd_nxt || !skb_queue_empty(&ts->xwrite_queue))
		tdi_conn_arm_rto(ts);
	else if (ts->send_head)
		tdi_conn_arm_rto(ts);		/* window probe */
}
