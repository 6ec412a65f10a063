// SPDX-License-Identifier: GPL-2.0
/*
 * tdi connections: life cycle, identifiers, timers, teardown.
 *
 * A connection lives in its endpoint (struct tdi_sock), so the endpoint
 * outlives it and can connect or listen again.  While a connection has
 * identifiers it is hashed in the namespace's connection table (by local
 * identifier, and by peer node and identifier), and the table holds one
 * socket reference.  tdi_conn_done() is the one place a connection ends:
 * it stops the timers, unhashes, frees the send queues, records the
 * reason and error, and returns the endpoint to TDI_STATE_BOUND.
 *
 * Timers are sk_reset_timer() timers: a pending timer holds a socket
 * reference.  A timer that finds the socket owned by a process tries again
 * a jiffy later instead of racing it.
 */

#include <linux/etherdevice.h>
#include <linux/jhash.h>
#include <linux/random.h>

#include "tdi.h"

static struct hlist_head *tdi_id_bucket(struct tdi_net *tn, u32 id)
{
	return &tn->conn_ids[hash_32(id, TDI_CONN_HASH_BITS)];
}

static struct hlist_head *tdi_peer_bucket(struct tdi_net *tn, const u8 *mac,
					  u32 id)
{
	u32 h = jhash(mac, ETH_ALEN, id);

	return &tn->conn_peers[h & (TDI_CONN_HASH_SIZE - 1)];
}

/**
 * tdi_conn_lookup() - the endpoint of a local connection identifier
 * @tn: the namespace
 * @local_id: the identifier
 *
 * Return: the endpoint with a reference the caller puts, or NULL.
 */
struct tdi_sock *tdi_conn_lookup(struct tdi_net *tn, u32 local_id)
{
	struct tdi_sock *ts;

	rcu_read_lock();
	hlist_for_each_entry_rcu(ts, tdi_id_bucket(tn, local_id), id_node) {
		if (ts->local_id == local_id &&
		    refcount_inc_not_zero(&ts->sk.sk_refcnt)) {
			rcu_read_unlock();
			return ts;
		}
	}
	rcu_read_unlock();
	return NULL;
}

/**
 * tdi_conn_peer_known() - is there a connection for this peer offer
 * @tn: the namespace
 * @mac: the peer node
 * @peer_id: the peer's identifier
 *
 * Return: true when a connection of this namespace has that peer.
 */
bool tdi_conn_peer_known(struct tdi_net *tn, const u8 *mac, u32 peer_id)
{
	struct tdi_sock *ts;
	bool found = false;

	rcu_read_lock();
	hlist_for_each_entry_rcu(ts, tdi_peer_bucket(tn, mac, peer_id),
				 peer_node) {
		if (ts->peer_id == peer_id &&
		    ether_addr_equal(ts->peer_mac, mac)) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * tdi_conn_hash() - give a connection a fresh local identifier and hash it
 * @ts: the endpoint; peer_mac and peer_id (0 while connecting) set
 *
 * Return: 0, or -EADDRNOTAVAIL if no free identifier was found.
 */
int tdi_conn_hash(struct tdi_sock *ts)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));
	struct tdi_sock *other;
	int tries;

	spin_lock_bh(&tn->conn_lock);
	for (tries = 0; tries < 16; tries++) {
		u32 id = get_random_u32();
		bool used = !id;

		hlist_for_each_entry(other, tdi_id_bucket(tn, id), id_node)
			used |= other->local_id == id;
		if (used)
			continue;
		ts->local_id = id;
		hlist_add_head_rcu(&ts->id_node, tdi_id_bucket(tn, id));
		hlist_add_head_rcu(&ts->peer_node,
				   tdi_peer_bucket(tn, ts->peer_mac,
						   ts->peer_id));
		ts->hashed = true;
		sock_hold(&ts->sk);
		spin_unlock_bh(&tn->conn_lock);
		return 0;
	}
	spin_unlock_bh(&tn->conn_lock);
	return -EADDRNOTAVAIL;
}

/**
 * tdi_conn_rehash_peer() - rehash by peer once the peer's id is known
 * @ts: a hashed endpoint whose peer_id just changed
 */
void tdi_conn_rehash_peer(struct tdi_sock *ts)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	spin_lock_bh(&tn->conn_lock);
	hlist_del_rcu(&ts->peer_node);
	hlist_add_head_rcu(&ts->peer_node,
			   tdi_peer_bucket(tn, ts->peer_mac, ts->peer_id));
	spin_unlock_bh(&tn->conn_lock);
}

static void tdi_conn_unhash(struct tdi_sock *ts)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	if (!ts->hashed)
		return;
	spin_lock_bh(&tn->conn_lock);
	hlist_del_init_rcu(&ts->id_node);
	hlist_del_init_rcu(&ts->peer_node);
	ts->hashed = false;
	spin_unlock_bh(&tn->conn_lock);
	/* the caller holds its own reference, so this is never the last */
	__sock_put(&ts->sk);
}

/**
 * tdi_conn_stop_timers() - stop every timer of a connection
 * @ts: the endpoint
 */
void tdi_conn_stop_timers(struct tdi_sock *ts)
{
	sk_stop_timer(&ts->sk, &ts->rto_timer);
	sk_stop_timer(&ts->sk, &ts->delack_timer);
}

/**
 * tdi_conn_purge() - free the send and reassembly queues
 * @ts: the endpoint
 */
void tdi_conn_purge(struct tdi_sock *ts)
{
	struct sock *sk = &ts->sk;
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue))) {
		sk->sk_wmem_queued -= skb->truesize;
		kfree_skb(skb);
	}
	while ((skb = __skb_dequeue(&ts->xwrite_queue))) {
		sk->sk_wmem_queued -= skb->truesize;
		kfree_skb(skb);
	}
	ts->send_head = NULL;
	__skb_queue_purge(&ts->ofo_queue);
}

/**
 * tdi_conn_purge_rcv() - drop the unread normal data
 * @ts: the endpoint, socket lock held (or the last reference)
 */
void tdi_conn_purge_rcv(struct tdi_sock *ts)
{
	__skb_queue_purge(&ts->sk.sk_receive_queue);
	WRITE_ONCE(ts->rcv_unread, 0);
}

/**
 * tdi_conn_reset() - prepare an endpoint for a new connection
 * @ts: the endpoint, idle (TDI_STATE_BOUND), socket lock held
 *
 * Whatever the last connection left (unread data, errors, counters) goes.
 */
void tdi_conn_reset(struct tdi_sock *ts)
{
	struct sock *sk = &ts->sk;

	tdi_conn_purge(ts);
	tdi_conn_purge_rcv(ts);
	__skb_queue_purge(&ts->xrecv_queue);
	WRITE_ONCE(sk->sk_shutdown, 0);
	sk->sk_err = 0;
	ts->reason = TDI_REASON_NONE;
	ts->accept_pending = 0;
	ts->release_queued = 0;
	ts->release_acked = 0;
	ts->peer_released = 0;
	ts->in_recovery = 0;
	ts->dupacks = 0;
	ts->retries = 0;
	ts->backoff = 0;
	ts->peer_id = 0;
	ts->peer_mru = 0;
	ts->rcv_nxt = 0;
	ts->rcv_right = 0;
	ts->orphan_deadline = 0;
	ts->ack_pending = 0;
	ts->ssthresh = U32_MAX / 2;
	ts->xsnd_una = 0;
	ts->xsnd_nxt = 0;
	ts->xrcv_nxt = 0;
	ts->ts_recent = 0;
	memset(&ts->st, 0, sizeof(ts->st));
}

/**
 * tdi_conn_done() - end a connection (the one teardown path)
 * @ts: the endpoint, socket lock held
 * @err: positive errno for sk_err (0 for an orderly end)
 * @reason: TDI_REASON_* to report
 *
 * Unread data stays readable after an orderly end and is dropped after an
 * abort.  The endpoint goes back to TDI_STATE_BOUND, still associated.
 */
void tdi_conn_done(struct tdi_sock *ts, int err, int reason)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));
	struct sock *sk = &ts->sk;

	tdi_conn_stop_timers(ts);
	tdi_conn_unhash(ts);
	tdi_conn_purge(ts);
	if (err && err != ETIMEDOUT && err != ENETDOWN) {
		tdi_conn_purge_rcv(ts);
		__skb_queue_purge(&ts->xrecv_queue);
	}
	if (err == ETIMEDOUT)
		tdi_stat_inc(tn, TDI_STAT_TIMEOUTS);
	else if (err == ENETDOWN)
		tdi_stat_inc(tn, TDI_STAT_LINK_DOWN);
	ts->reason = reason;
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	tdi_set_state(ts, TDI_STATE_BOUND);
	if (err) {
		WRITE_ONCE(sk->sk_err, err);
		sk_error_report(sk);
	}
	sk->sk_state_change(sk);
	sk->sk_write_space(sk);
}

/**
 * tdi_conn_check_done() - end the connection once both sides released
 * @ts: the endpoint, socket lock held
 */
void tdi_conn_check_done(struct tdi_sock *ts)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	if (ts->state == TDI_STATE_CLOSING && ts->release_acked &&
	    ts->peer_released) {
		tdi_conn_done(ts, 0, TDI_REASON_RELEASE);
		return;
	}
	/* a closed endpoint whose release went through waits for the peer's
	 * release a bounded time
	 */
	if (sock_flag(&ts->sk, SOCK_DEAD) && ts->release_acked &&
	    ts->state == TDI_STATE_RELEASE_SENT && !ts->orphan_deadline) {
		ts->orphan_deadline = jiffies +
			msecs_to_jiffies(tn->sysctl.connect_timeout_ms * 4);
		sk_reset_timer(&ts->sk, &ts->rto_timer, ts->orphan_deadline);
	}
}

/**
 * tdi_conn_abort() - abort a connection: RESET to the peer, then done
 * @ts: the endpoint, socket lock held
 * @reason: TDI_REASON_* to send and record
 * @xmitq: where the RESET goes
 */
void tdi_conn_abort(struct tdi_sock *ts, int reason,
		    struct sk_buff_head *xmitq)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	if (!ts->hashed)
		return;
	if (ts->state != TDI_STATE_CONNECTING || ts->peer_id) {
		if (!tdi_send_setup(ts, TDI_T_RESET, reason, NULL, 0, xmitq))
			tdi_stat_inc(tn, TDI_STAT_RESETS_OUT);
	}
	tdi_conn_done(ts, ECONNABORTED, reason);
	/* a local abort does not leave an error for the local user */
	WRITE_ONCE(ts->sk.sk_err, 0);
}

/**
 * tdi_conn_release() - queue our RELEASE after all queued data
 * @ts: the endpoint, connected, socket lock held
 * @xmitq: where frames go
 */
void tdi_conn_release(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	struct sock *sk = &ts->sk;
	struct tdi_skb_cb *cb;
	struct sk_buff *skb;

	if (ts->release_queued)
		return;
	skb = tdi_alloc_frame(0, sk->sk_allocation);
	if (!skb) {
		tdi_conn_abort(ts, TDI_REASON_ABORT, xmitq);
		return;
	}
	cb = TDI_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->type = TDI_T_RELEASE;
	cb->seq = ts->write_seq;
	cb->end_seq = ++ts->write_seq;
	__skb_queue_tail(&sk->sk_write_queue, skb);
	sk->sk_wmem_queued += skb->truesize;
	if (!ts->send_head)
		ts->send_head = skb;
	ts->release_queued = 1;
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | SEND_SHUTDOWN);
	if (ts->state == TDI_STATE_CONNECTED)
		tdi_set_state(ts, TDI_STATE_RELEASE_SENT);
	else if (ts->state == TDI_STATE_RELEASE_RECEIVED)
		tdi_set_state(ts, TDI_STATE_CLOSING);
	tdi_conn_push(ts, xmitq);
}

/**
 * tdi_conn_connect() - start a connection: CONNECT to the peer
 * @ts: the endpoint, associated and idle, socket lock held
 * @sa: the peer's address (validated form)
 * @timeout_ms: how long to wait for an answer
 * @xmitq: where the CONNECT goes
 *
 * Return: 0 with the endpoint CONNECTING, or a negative errno.
 */
int tdi_conn_connect(struct tdi_sock *ts, const struct sockaddr_tdi *sa,
		     long timeout_ms, struct sk_buff_head *xmitq)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));
	u8 node[ETH_ALEN];
	int ifindex, mtu, err;

	ether_addr_copy(node, sa->stdi_node);
	ifindex = tdi_dev_route(sock_net(&ts->sk), node,
				sa->stdi_ifindex ?: ts->addr->ifindex, &mtu);
	if (ifindex < 0)
		return ifindex;

	tdi_conn_reset(ts);
	ether_addr_copy(ts->peer_mac, node);
	ts->ifindex = ifindex;
	ts->rport = ntohs(sa->stdi_port);
	ts->msgmode = ts->sk.sk_type == SOCK_SEQPACKET;
	ts->mru = mtu - TDI_HDR_LEN;
	ts->mss = ts->mru;
	ts->cwnd = TDI_INIT_CWND * ts->mss;
	ts->snd_una = get_random_u32();
	ts->snd_nxt = ts->snd_una;
	ts->write_seq = ts->snd_una;
	ts->snd_right = ts->snd_una;
	tdi_rtt_init(&ts->rtt, tn->sysctl.rto_initial_ms * USEC_PER_MSEC);
	ts->connect_deadline = jiffies + msecs_to_jiffies(timeout_ms);

	err = tdi_conn_hash(ts);
	if (err)
		return err;
	tdi_set_state(ts, TDI_STATE_CONNECTING);
	err = tdi_send_setup(ts, TDI_T_CONNECT, 0, NULL, 0, xmitq);
	if (err) {
		tdi_conn_done(ts, 0, TDI_REASON_INSUFFICIENT_RESOURCES);
		return err;
	}
	tdi_stat_inc(tn, TDI_STAT_CONNECTS);
	tdi_conn_arm_rto(ts);
	return 0;
}

static bool tdi_conn_retry_exhausted(struct tdi_sock *ts)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	return ++ts->retries > tn->sysctl.retries;
}

/* The peer answered nothing for too long: give up on it. */
static void tdi_conn_timed_out(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	if (!tdi_send_setup(ts, TDI_T_RESET, TDI_REASON_TIMEOUT, NULL, 0, xmitq))
		tdi_stat_inc(tdi_pernet(sock_net(&ts->sk)),
			     TDI_STAT_RESETS_OUT);
	tdi_conn_done(ts, ETIMEDOUT, TDI_REASON_TIMEOUT);
}

static void tdi_rto_connecting(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	if (time_after_eq(jiffies, ts->connect_deadline)) {
		tdi_conn_done(ts, ETIMEDOUT, TDI_REASON_TIMEOUT);
		return;
	}
	tdi_send_setup(ts, TDI_T_CONNECT, 0, NULL, 0, xmitq);
	if (ts->backoff < 16)
		ts->backoff++;
	tdi_conn_rearm_rto(ts);
	if (time_before(ts->connect_deadline, ts->rto_timer.expires))
		sk_reset_timer(&ts->sk, &ts->rto_timer, ts->connect_deadline);
}

/* Every unacknowledged frame is presumed lost after a time-out. */
static void tdi_mark_all_lost(struct tdi_sock *ts)
{
	struct sk_buff *skb;

	skb_queue_walk(&ts->sk.sk_write_queue, skb) {
		struct tdi_skb_cb *cb = TDI_SKB_CB(skb);

		if (skb == ts->send_head)
			break;
		cb->sacked = 0;
		cb->lost = 1;
		cb->retrans = 0;
	}
	skb_queue_walk(&ts->xwrite_queue, skb)
		TDI_SKB_CB(skb)->lost = 1;
}

static void tdi_rto_connected(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	bool outstanding = ts->snd_una != ts->snd_nxt ||
			   !skb_queue_empty(&ts->xwrite_queue);

	if (ts->orphan_deadline && time_after_eq(jiffies, ts->orphan_deadline)) {
		tdi_conn_abort(ts, TDI_REASON_TIMEOUT, xmitq);
		return;
	}
	if (ts->accept_pending) {
		if (tdi_conn_retry_exhausted(ts)) {
			tdi_conn_timed_out(ts, xmitq);
			return;
		}
		tdi_send_setup(ts, TDI_T_ACCEPT, 0, NULL, 0, xmitq);
	} else if (outstanding) {
		if (tdi_conn_retry_exhausted(ts)) {
			tdi_conn_timed_out(ts, xmitq);
			return;
		}
		if (ts->snd_una != ts->snd_nxt) {
			ts->ssthresh = max((ts->snd_nxt - ts->snd_una) / 2,
					   2U * ts->mss);
			ts->cwnd = ts->mss;
			ts->dupacks = 0;
			ts->in_recovery = 1;
			ts->high_seq = ts->snd_nxt;
		}
		tdi_mark_all_lost(ts);
		tdi_conn_push(ts, xmitq);
	} else if (ts->send_head) {
		/* the peer's window is closed: ask it for news; an answer
		 * resets the count
		 */
		if (tdi_conn_retry_exhausted(ts)) {
			tdi_conn_timed_out(ts, xmitq);
			return;
		}
		tdi_send_ack(ts, TDI_F_ACKNOW, xmitq);
	} else {
		return;
	}
	if (ts->backoff < 16)
		ts->backoff++;
	tdi_conn_rearm_rto(ts);
}

static void tdi_rto_timer(struct timer_list *t)
{
	struct tdi_sock *ts = from_timer(ts, t, rto_timer);
	struct sock *sk = &ts->sk;
	struct sk_buff_head xmitq;

	__skb_queue_head_init(&xmitq);
	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		sk_reset_timer(sk, &ts->rto_timer, jiffies + 1);
	} else if (ts->hashed) {
		if (ts->state == TDI_STATE_CONNECTING)
			tdi_rto_connecting(ts, &xmitq);
		else
			tdi_rto_connected(ts, &xmitq);
	}
	bh_unlock_sock(sk);
	tdi_xmit_flush(sock_net(sk), &xmitq);
	sock_put(sk);
}

static void tdi_delack_timer(struct timer_list *t)
{
	struct tdi_sock *ts = from_timer(ts, t, delack_timer);
	struct sock *sk = &ts->sk;
	struct sk_buff_head xmitq;

	__skb_queue_head_init(&xmitq);
	bh_lock_sock(sk);
	if (sock_owned_by_user(sk))
		sk_reset_timer(sk, &ts->delack_timer, jiffies + 1);
	else if (ts->hashed && ts->ack_pending &&
		 ts->state != TDI_STATE_CONNECTING)
		tdi_send_ack(ts, 0, &xmitq);
	bh_unlock_sock(sk);
	tdi_xmit_flush(sock_net(sk), &xmitq);
	sock_put(sk);
}

/**
 * tdi_conn_init_sock() - set up the connection part of a new socket
 * @ts: the socket
 */
void tdi_conn_init_sock(struct tdi_sock *ts)
{
	INIT_LIST_HEAD(&ts->listen_node);
	INIT_LIST_HEAD(&ts->accept_queue);
	INIT_LIST_HEAD(&ts->accept_node);
	INIT_HLIST_NODE(&ts->id_node);
	INIT_HLIST_NODE(&ts->peer_node);
	skb_queue_head_init(&ts->ofo_queue);
	skb_queue_head_init(&ts->xwrite_queue);
	skb_queue_head_init(&ts->xrecv_queue);
	timer_setup(&ts->rto_timer, tdi_rto_timer, 0);
	timer_setup(&ts->delack_timer, tdi_delack_timer, 0);
}

/**
 * tdi_conn_dev_event() - a device went down, away, or changed its MTU
 * @net: the device's namespace
 * @ifindex: the device
 * @down: the device can no longer carry tdi
 * @mtu: the new MTU when !@down
 *
 * Connections on a device that went down end with TDI_REASON_LINK_DOWN;
 * those on a device whose MTU changed use the new frame size from their
 * next frame on.  Called from the netdevice notifier (process context).
 */
void tdi_conn_dev_event(struct net *net, int ifindex, bool down,
			unsigned int mtu)
{
	struct tdi_net *tn = tdi_pernet(net);
	struct tdi_sock *ts, *found;
	unsigned int i;

	if (!down) {
		spin_lock_bh(&tn->conn_lock);
		for (i = 0; i < TDI_CONN_HASH_SIZE; i++)
			hlist_for_each_entry(ts, &tn->conn_ids[i], id_node)
				if (ts->ifindex == ifindex && ts->peer_mru)
					WRITE_ONCE(ts->mss,
						   min_t(u32, ts->peer_mru,
							 mtu - TDI_HDR_LEN));
		spin_unlock_bh(&tn->conn_lock);
		return;
	}

	do {
		found = NULL;
		spin_lock_bh(&tn->conn_lock);
		for (i = 0; i < TDI_CONN_HASH_SIZE && !found; i++)
			hlist_for_each_entry(ts, &tn->conn_ids[i], id_node)
				if (ts->ifindex == ifindex) {
					found = ts;
					sock_hold(&ts->sk);
					break;
				}
		spin_unlock_bh(&tn->conn_lock);
		if (!found)
			break;
		lock_sock(&found->sk);
		if (found->hashed && found->ifindex == ifindex)
			tdi_conn_done(found, ENETDOWN, TDI_REASON_LINK_DOWN);
		release_sock(&found->sk);
		sock_put(&found->sk);
	} while (found);
}

/**
 * tdi_fill_info() - TDI_INFO of an endpoint
 * @ts: the endpoint, socket lock held
 * @info: filled in whole
 */
void tdi_fill_info(struct tdi_sock *ts, struct tdi_info *info)
{
	struct sk_buff *skb;
	u32 unread = 0, tsdu = 0;
	bool in_tsdu = true;

	memset(info, 0, sizeof(*info));
	skb_queue_walk(&ts->sk.sk_receive_queue, skb) {
		u32 n = skb->len - TDI_SKB_CB(skb)->off;

		unread += n;
		if (in_tsdu)
			tsdu += n;
		if (TDI_SKB_CB(skb)->flags & TDI_F_EOR)
			in_tsdu = false;
	}
	info->state = ts->state;
	info->rtt_us = ts->rtt.srtt_us;
	info->rttvar_us = ts->rtt.rttvar_us;
	info->rto_us = ts->rtt.rto_us;
	info->snd_wnd = ts->snd_right - ts->snd_una;
	info->rcv_wnd = ts->rcv_right - ts->rcv_nxt;
	info->cwnd = ts->mss ? ts->cwnd / ts->mss : 0;
	info->ssthresh = ts->mss ? min_t(u32, ts->ssthresh / ts->mss,
					 U32_MAX / 2) : 0;
	info->frame_payload = ts->mss;
	info->unread = unread;
	info->unread_tsdu = ts->msgmode ? tsdu : unread;
	info->bytes_sent = ts->st.bytes_sent;
	info->bytes_received = ts->st.bytes_received;
	info->frames_sent = ts->st.frames_sent;
	info->frames_received = ts->st.frames_received;
	info->frames_retransmitted = ts->st.frames_retransmitted;
	info->frames_duplicate = ts->st.frames_duplicate;
	info->expedited_sent = ts->st.expedited_sent;
	info->expedited_received = ts->st.expedited_received;
}
