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

static u32 tdi_id_slot(u32 id)
{
	return hash_32(id, TDI_CONN_HASH_BITS);
}

static u32 tdi_peer_slot(const u8 *mac, u32 id)
{
	return jhash(mac, ETH_ALEN, id) & (TDI_CONN_HASH_SIZE - 1);
}

/**
 * tdi_conn_lookup() - the endpoint of a local connection identifier
 * @tn: the namespace
 * @local_id: the identifier
 *
 * Lockless: hashed endpoints are freed only after an RCU grace period
 * (SOCK_RCU_FREE), and a walk that ends in another chain's nulls marker
 * followed an entry that moved, so it starts over.  The caller checks the
 * identifier again under the socket lock.
 *
 * Return: the endpoint with a reference the caller puts, or NULL.
 */
struct tdi_sock *tdi_conn_lookup(struct tdi_net *tn, u32 local_id)
{
	u32 slot = tdi_id_slot(local_id);
	struct hlist_nulls_node *node;
	struct tdi_sock *ts;

	rcu_read_lock();
begin:
	hlist_nulls_for_each_entry_rcu(ts, node, &tn->conn_ids[slot], id_node) {
		if (READ_ONCE(ts->local_id) != local_id ||
		    !refcount_inc_not_zero(&ts->sk.sk_refcnt))
			continue;
		if (unlikely(READ_ONCE(ts->local_id) != local_id)) {
			sock_put(&ts->sk);
			goto begin;
		}
		rcu_read_unlock();
		return ts;
	}
	if (get_nulls_value(node) != slot)
		goto begin;
	rcu_read_unlock();
	return NULL;
}

/**
 * tdi_conn_peer_lookup() - the connection of a peer's offer
 * @tn: the namespace
 * @mac: the peer node
 * @peer_id: the peer's identifier
 *
 * Lockless, as tdi_conn_lookup(); the caller checks the peer again under
 * the socket lock.  Finds connections once the peer's identifier is known:
 * accepted offers, OFFERED endpoints, connections whose ACCEPT came.
 *
 * Return: the endpoint with a reference the caller puts, or NULL.
 */
struct tdi_sock *tdi_conn_peer_lookup(struct tdi_net *tn, const u8 *mac,
				      u32 peer_id)
{
	u32 slot = tdi_peer_slot(mac, peer_id);
	struct hlist_nulls_node *node;
	struct tdi_sock *ts;

	rcu_read_lock();
begin:
	hlist_nulls_for_each_entry_rcu(ts, node, &tn->conn_peers[slot],
				       peer_node) {
		if (READ_ONCE(ts->peer_id) != peer_id ||
		    !ether_addr_equal(ts->peer_mac, mac) ||
		    !refcount_inc_not_zero(&ts->sk.sk_refcnt))
			continue;
		if (unlikely(READ_ONCE(ts->peer_id) != peer_id)) {
			sock_put(&ts->sk);
			goto begin;
		}
		rcu_read_unlock();
		return ts;
	}
	if (get_nulls_value(node) != slot)
		goto begin;
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
	struct tdi_sock *ts = tdi_conn_peer_lookup(tn, mac, peer_id);

	if (!ts)
		return false;
	sock_put(&ts->sk);
	return true;
}

/* Caller holds conn_lock; peer_mac and peer_id are set. */
static void __tdi_conn_hash_peer(struct tdi_net *tn, struct tdi_sock *ts)
{
	hlist_nulls_add_head_rcu(&ts->peer_node,
				 &tn->conn_peers[tdi_peer_slot(ts->peer_mac,
							       ts->peer_id)]);
	ts->peer_hashed = true;
}

/**
 * __tdi_conn_id_used() - is a local identifier taken
 * @tn: the namespace
 * @id: the identifier
 *
 * Caller holds conn_lock.  Connections and half-open offers share one
 * identifier space.
 *
 * Return: true when @id is 0 or a connection's or an offer's identifier.
 */
bool __tdi_conn_id_used(struct tdi_net *tn, u32 id)
{
	struct hlist_nulls_node *node;
	struct tdi_sock *other;

	if (!id)
		return true;
	hlist_nulls_for_each_entry(other, node, &tn->conn_ids[tdi_id_slot(id)],
				   id_node)
		if (other->local_id == id)
			return true;
	return false;
}

/* Caller holds conn_lock; @id is free. */
static void __tdi_conn_hash(struct tdi_net *tn, struct tdi_sock *ts, u32 id)
{
	WRITE_ONCE(ts->local_id, id);
	hlist_nulls_add_head_rcu(&ts->id_node, &tn->conn_ids[tdi_id_slot(id)]);
	if (ts->peer_id)
		__tdi_conn_hash_peer(tn, ts);
	ts->hashed = true;
	sock_hold(&ts->sk);
}

/**
 * tdi_conn_hash() - give a connection a fresh local identifier and hash it
 * @ts: the endpoint; peer_mac and peer_id (0 while connecting) set
 *
 * The endpoint is hashed by peer as well when the peer's identifier is
 * known already (a child of a listener).  From here on the endpoint is
 * freed only after an RCU grace period.
 *
 * Return: 0, or -EADDRNOTAVAIL if no free identifier was found.
 */
int tdi_conn_hash(struct tdi_sock *ts)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));
	int tries;

	sock_set_flag(&ts->sk, SOCK_RCU_FREE);
	spin_lock_bh(&tn->conn_lock);
	for (tries = 0; tries < 16; tries++) {
		u32 id = get_random_u32();

		if (__tdi_conn_id_used(tn, id) || __tdi_offer_id_used(tn, id))
			continue;
		__tdi_conn_hash(tn, ts, id);
		spin_unlock_bh(&tn->conn_lock);
		return 0;
	}
	spin_unlock_bh(&tn->conn_lock);
	return -EADDRNOTAVAIL;
}

/**
 * tdi_conn_hash_id() - hash a connection under a given local identifier
 * @ts: the child of a completed offer; peer_mac and peer_id set
 * @id: the identifier its ACCEPT carried (the offer's, or a cookie)
 *
 * Return: 0, or -EADDRINUSE when a connection or offer has @id.
 */
int tdi_conn_hash_id(struct tdi_sock *ts, u32 id)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));
	int err = 0;

	sock_set_flag(&ts->sk, SOCK_RCU_FREE);
	spin_lock_bh(&tn->conn_lock);
	if (__tdi_conn_id_used(tn, id) || __tdi_offer_id_used(tn, id))
		err = -EADDRINUSE;
	else
		__tdi_conn_hash(tn, ts, id);
	spin_unlock_bh(&tn->conn_lock);
	return err;
}

/**
 * tdi_conn_hash_peer() - hash a connection by peer once the peer's id is known
 * @ts: a hashed endpoint whose peer_id was just set (the ACCEPT came)
 */
void tdi_conn_hash_peer(struct tdi_sock *ts)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	spin_lock_bh(&tn->conn_lock);
	if (ts->hashed && !ts->peer_hashed)
		__tdi_conn_hash_peer(tn, ts);
	spin_unlock_bh(&tn->conn_lock);
}

static void tdi_conn_timed_out(struct tdi_sock *ts,
			       struct sk_buff_head *xmitq);

static void tdi_conn_unhash(struct tdi_sock *ts)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	if (!ts->hashed)
		return;
	spin_lock_bh(&tn->conn_lock);
	hlist_nulls_del_init_rcu(&ts->id_node);
	if (ts->peer_hashed)
		hlist_nulls_del_init_rcu(&ts->peer_node);
	ts->peer_hashed = false;
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

	while ((skb = __skb_dequeue(&sk->sk_write_queue)))
		tdi_wmem_free(sk, skb);
	while ((skb = __skb_dequeue(&ts->xwrite_queue)))
		tdi_wmem_free(sk, skb);
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
	ts->local_abort = 0;
	WRITE_ONCE(ts->peer_abort, false);
	memset(ts->peer_ud, 0, sizeof(ts->peer_ud));
	ts->in_recovery = 0;
	ts->dupacks = 0;
	ts->retries = 0;
	ts->backoff = 0;
	ts->peer_id = 0;
	ts->peer_mru = 0;
	ts->rcv_nxt = 0;
	ts->rcv_right = 0;
	ts->rcv_adv = 0;
	ts->rcv_ratio = TDI_RATIO_ONE / 2;
	ts->snd_wl_ts = 0;
	ts->heard = 0;
	ts->ka_probes = 0;
	ts->last_rcv = jiffies;
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
	if (ts->orphan) {
		atomic_dec(&tn->orphans);
		ts->orphan = 0;
	}
	ts->orphan_deadline = 0;
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
		tdi_ep_indicate(ts, TDI_IND_ERROR);
	}
	tdi_ep_indicate(ts, TDI_IND_DISCONNECTED);
}

/**
 * tdi_conn_check_done() - end the connection once both sides released
 * @ts: the endpoint, socket lock held
 */
void tdi_conn_check_done(struct tdi_sock *ts)
{
	if (ts->state == TDI_STATE_CLOSING && ts->release_acked &&
	    ts->peer_released)
		tdi_conn_done(ts, 0, TDI_REASON_RELEASE);
}

/* A closed endpoint must not keep its namespace alive: the namespace's
 * exit ends it instead (its devices go first, and with them its
 * connections; tdi_net_exit() waits for the rest).
 */
static void tdi_sk_drop_netref(struct sock *sk)
{
	struct tdi_net *tn = tdi_pernet(sock_net(sk));
	struct net *net = sock_net(sk);

	if (!sk->sk_net_refcnt)
		return;
	atomic_inc(&tn->netless);
	tdi_sk(sk)->netless = 1;
	sock_inuse_add(net, -1);
	sk->sk_net_refcnt = 0;
	put_net_track(net, &sk->ns_tracker);
}

/**
 * tdi_conn_orphan() - close() left a connection going on in the background
 * @ts: the endpoint, SOCK_DEAD, hashed, socket lock held
 * @xmitq: where a RESET goes
 *
 * The connection must end within net.tdi.disconnect_timeout_ms whatever
 * the peer does: at the deadline it is aborted.  Beyond net.tdi.max_orphans
 * such connections in the namespace, close() aborts at once.  The
 * endpoint gives back its reference on the namespace.
 */
void tdi_conn_orphan(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	if (ts->orphan)
		return;
	if (atomic_inc_return(&tn->orphans) > READ_ONCE(tn->sysctl.max_orphans)) {
		atomic_dec(&tn->orphans);
		tdi_stat_inc(tn, TDI_STAT_ORPHAN_OVERFLOW);
		tdi_conn_abort(ts, TDI_REASON_ABORT, xmitq);
		return;
	}
	ts->orphan = 1;
	tdi_sk_drop_netref(&ts->sk);
	ts->orphan_deadline = jiffies +
		msecs_to_jiffies(READ_ONCE(tn->sysctl.disconnect_timeout_ms));
	if (!timer_pending(&ts->rto_timer) ||
	    time_after(ts->rto_timer.expires, ts->orphan_deadline))
		sk_reset_timer(&ts->sk, &ts->rto_timer, ts->orphan_deadline);
}

static bool tdi_conn_established(const struct tdi_sock *ts)
{
	switch (ts->state) {
	case TDI_STATE_CONNECTED:
	case TDI_STATE_RELEASE_SENT:
	case TDI_STATE_RELEASE_RECEIVED:
	case TDI_STATE_CLOSING:
		return ts->hashed;
	}
	return false;
}

/* When the next keepalive probe (or the time-out) is due. */
static unsigned long tdi_keepalive_due(const struct tdi_sock *ts)
{
	const struct tdi_sysctl *sc = &tdi_pernet(sock_net(&ts->sk))->sysctl;

	return ts->last_rcv +
	       msecs_to_jiffies(READ_ONCE(sc->keepalive_time_ms)) +
	       ts->ka_probes *
	       msecs_to_jiffies(READ_ONCE(sc->keepalive_intvl_ms));
}

/**
 * tdi_conn_idle_timer() - the retransmission timer when nothing is in flight
 * @ts: the endpoint, socket lock held
 *
 * With nothing to retransmit the timer still runs for an orphan's deadline
 * and for SO_KEEPALIVE; otherwise it stops.
 */
void tdi_conn_idle_timer(struct tdi_sock *ts)
{
	unsigned long when = 0;

	if (ts->orphan_deadline)
		when = ts->orphan_deadline;
	if (sock_flag(&ts->sk, SOCK_KEEPOPEN) && tdi_conn_established(ts)) {
		unsigned long ka = tdi_keepalive_due(ts);

		if (!when || time_before(ka, when))
			when = ka;
	}
	if (when)
		sk_reset_timer(&ts->sk, &ts->rto_timer, when);
	else
		sk_stop_timer(&ts->sk, &ts->rto_timer);
}

/**
 * tdi_conn_keepalive_changed() - SO_KEEPALIVE was set or cleared
 * @ts: the endpoint, socket lock held
 */
void tdi_conn_keepalive_changed(struct tdi_sock *ts)
{
	if (tdi_conn_established(ts) && !timer_pending(&ts->rto_timer))
		tdi_conn_idle_timer(ts);
}

/* The connection is idle: probe a silent peer (SO_KEEPALIVE), end the
 * connection when it answers none of the probes.
 */
static void tdi_keepalive(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	if (sock_flag(&ts->sk, SOCK_KEEPOPEN) &&
	    !time_before(jiffies, tdi_keepalive_due(ts))) {
		if (ts->ka_probes >= READ_ONCE(tn->sysctl.keepalive_probes)) {
			tdi_stat_inc(tn, TDI_STAT_KEEPALIVE_TIMEOUTS);
			tdi_conn_timed_out(ts, xmitq);
			return;
		}
		tdi_send_ack(ts, TDI_F_ACKNOW, xmitq);
		ts->ka_probes++;
	}
	tdi_conn_idle_timer(ts);
}

/**
 * tdi_reap_dead_offers() - unlink children that died before accept()
 * @lts: the listener, socket lock held
 *
 * A child whose ACCEPT was never answered, or that the peer reset, ends
 * on its own; it must not hold a place in the backlog.
 */
void tdi_reap_dead_offers(struct tdi_sock *lts)
{
	struct tdi_sock *child, *tmp;

	list_for_each_entry_safe(child, tmp, &lts->accept_queue, accept_node) {
		if (READ_ONCE(child->hashed))
			continue;
		list_del_init(&child->accept_node);
		sk_acceptq_removed(&lts->sk);
		tdi_stat_inc(tdi_pernet(sock_net(&lts->sk)),
			     TDI_STAT_DEAD_OFFERS);
		sock_set_flag(&child->sk, SOCK_DEAD);
		sock_put(&child->sk);
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
		/* the user's abort carries its disconnect data */
		const struct tdi_udata *ud = &ts->ud[TDI_UD_DISCONNECT];
		u8 len = reason == TDI_REASON_ABORT ? ud->len : 0;

		if (!tdi_send_setup(ts, TDI_T_RESET, reason, ud->data, len,
				    xmitq))
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
 *
 * The RELEASE carries our disconnect data, if any, after a setup head
 * (without data it is empty, as version 1 first had it); the data takes
 * no sequence space.
 *
 * Return: 0, or -ENOMEM with nothing changed (the caller may try again,
 * or abort).
 */
int tdi_conn_release(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	const struct tdi_udata *ud = &ts->ud[TDI_UD_DISCONNECT];
	struct sock *sk = &ts->sk;
	struct tdi_skb_cb *cb;
	struct sk_buff *skb;
	struct tdi_setup *s;

	if (ts->release_queued)
		return 0;
	skb = tdi_alloc_frame(ud->len ? TDI_SETUP_LEN + ud->len : 0,
			      sk->sk_allocation);
	if (!skb)
		return -ENOMEM;
	cb = TDI_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	if (ud->len) {
		s = skb_put_zero(skb, TDI_SETUP_LEN);
		s->datalen = ud->len;
		skb_put_data(skb, ud->data, ud->len);
		cb->csum = csum_partial(skb->data, skb->len, 0);
	}
	cb->type = TDI_T_RELEASE;
	cb->seq = ts->write_seq;
	cb->end_seq = ++ts->write_seq;
	__skb_queue_tail(&sk->sk_write_queue, skb);
	tdi_wmem_charge(sk, skb);
	if (!ts->send_head)
		ts->send_head = skb;
	ts->release_queued = 1;
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | SEND_SHUTDOWN);
	if (ts->state == TDI_STATE_CONNECTED)
		tdi_set_state(ts, TDI_STATE_RELEASE_SENT);
	else if (ts->state == TDI_STATE_RELEASE_RECEIVED)
		tdi_set_state(ts, TDI_STATE_CLOSING);
	tdi_conn_push(ts, xmitq);
	return 0;
}

/* A connect deadline before the next retransmission (a short
 * SO_SNDTIMEO) ends the wait on time.
 */
static void tdi_connect_deadline_timer(struct tdi_sock *ts)
{
	if (time_before(ts->connect_deadline, ts->rto_timer.expires))
		sk_reset_timer(&ts->sk, &ts->rto_timer, ts->connect_deadline);
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
	ts->mru = tdi_mru_of(mtu);
	ts->mss = ts->mru;
	ts->cwnd = TDI_INIT_CWND * ts->mss;
	ts->snd_una = get_random_u32();
	ts->snd_nxt = ts->snd_una;
	ts->write_seq = ts->snd_una;
	ts->snd_right = ts->snd_una;
	tdi_rtt_init(&ts->rtt, READ_ONCE(tn->sysctl.rto_initial_ms) * USEC_PER_MSEC);
	ts->connect_deadline = jiffies + msecs_to_jiffies(timeout_ms);

	err = tdi_conn_hash(ts);
	if (err)
		return err;
	tdi_set_state(ts, TDI_STATE_CONNECTING);
	err = tdi_send_setup(ts, TDI_T_CONNECT, 0, ts->ud[TDI_UD_CONNECT].data,
			     ts->ud[TDI_UD_CONNECT].len, xmitq);
	if (err) {
		tdi_conn_done(ts, 0, TDI_REASON_INSUFFICIENT_RESOURCES);
		return err;
	}
	tdi_stat_inc(tn, TDI_STAT_CONNECTS);
	tdi_conn_arm_rto(ts);
	tdi_connect_deadline_timer(ts);
	return 0;
}

static bool tdi_conn_retry_exhausted(struct tdi_sock *ts)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	return ++ts->retries > READ_ONCE(tn->sysctl.retries);
}

/* The peer answered nothing for too long: give up on it. */
static void tdi_conn_timed_out(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	if (!tdi_send_setup(ts, TDI_T_RESET, TDI_REASON_TIMEOUT, NULL, 0, xmitq))
		tdi_stat_inc(tdi_pernet(sock_net(&ts->sk)),
			     TDI_STAT_RESETS_OUT);
	tdi_conn_done(ts, ETIMEDOUT, TDI_REASON_TIMEOUT);
}

/**
 * tdi_conn_refuse() - end an offer we hold with REFUSE
 * @ts: an OFFERED endpoint, socket lock held
 * @reason: TDI_REASON_REFUSED (our client's decision) or
 *	TDI_REASON_TIMEOUT (nobody decided in time)
 * @xmitq: where the REFUSE goes
 *
 * A rejection carries our disconnect data.  The endpoint is idle after,
 * still associated; an expired offer leaves ETIMEDOUT for its user.
 */
void tdi_conn_refuse(struct tdi_sock *ts, int reason,
		     struct sk_buff_head *xmitq)
{
	const struct tdi_udata *ud = &ts->ud[TDI_UD_DISCONNECT];
	u8 len = reason == TDI_REASON_REFUSED ? ud->len : 0;

	if (!tdi_send_setup(ts, TDI_T_REFUSE, reason, ud->data, len, xmitq))
		tdi_stat_inc(tdi_pernet(sock_net(&ts->sk)),
			     TDI_STAT_REFUSED_OUT);
	tdi_conn_done(ts, reason == TDI_REASON_TIMEOUT ? ETIMEDOUT : 0, reason);
}

/**
 * tdi_conn_hold_timer() - arm the timer of an OFFERED endpoint
 * @ts: the endpoint, offer_deadline set, socket lock held
 *
 * It sends the next HOLD, or rejects the offer at its deadline.  HOLD goes
 * every TDI_HOLD_INTERVAL while an offer waits for its decision; the
 * connector waits at least TDI_HOLD_WAIT_MS after each (input.c), so
 * three HOLDs in a row may be lost.  A retransmitted CONNECT is answered
 * with a HOLD at once as well.
 */
void tdi_conn_hold_timer(struct tdi_sock *ts)
{
	sk_reset_timer(&ts->sk, &ts->rto_timer,
		       tdi_hold_when(jiffies, ts->offer_deadline));
}

static void tdi_rto_offered(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	if (tdi_offer_expired(jiffies, ts->offer_deadline)) {
		/* counted under timeouts; a child still queued on its
		 * listener is counted under dead_offers when it is reaped
		 */
		tdi_conn_refuse(ts, TDI_REASON_TIMEOUT, xmitq);
		return;
	}
	tdi_send_hold(ts, xmitq);
	tdi_conn_hold_timer(ts);
}

static void tdi_rto_connecting(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	if (time_after_eq(jiffies, ts->connect_deadline)) {
		/* a peer that held the offer is told: it may still hold it */
		if (ts->peer_id)
			tdi_conn_timed_out(ts, xmitq);
		else
			tdi_conn_done(ts, ETIMEDOUT, TDI_REASON_TIMEOUT);
		return;
	}
	tdi_send_setup(ts, TDI_T_CONNECT, 0, ts->ud[TDI_UD_CONNECT].data,
		       ts->ud[TDI_UD_CONNECT].len, xmitq);
	if (ts->backoff < 16)
		ts->backoff++;
	tdi_conn_rearm_rto(ts);
	tdi_connect_deadline_timer(ts);
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

/* A time-out counts towards net.tdi.retries unless the peer is only out
 * of room: its window is closed (or only expedited TSDUs, which it may
 * refuse while 32 wait unread, are outstanding) and it has been heard
 * since the last time-out: it answers, it does not read.  Progress resets
 * the count.
 */
static bool tdi_conn_retry_counts(struct tdi_sock *ts)
{
	bool closed = !tdi_seq_after(ts->snd_right, ts->snd_una) ||
		      ts->snd_una == ts->snd_nxt;
	bool heard = ts->heard;

	ts->heard = 0;
	if (closed && heard) {
		ts->retries = 0;
		return false;
	}
	return tdi_conn_retry_exhausted(ts);
}

static void tdi_rto_connected(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	bool outstanding = ts->snd_una != ts->snd_nxt ||
			   !skb_queue_empty(&ts->xwrite_queue);

	if (ts->orphan_deadline && time_after_eq(jiffies, ts->orphan_deadline)) {
		tdi_stat_inc(tdi_pernet(sock_net(&ts->sk)),
			     TDI_STAT_ORPHAN_TIMEOUTS);
		tdi_conn_abort(ts, TDI_REASON_TIMEOUT, xmitq);
		return;
	}
	if (ts->accept_pending) {
		if (tdi_conn_retry_exhausted(ts)) {
			tdi_conn_timed_out(ts, xmitq);
			return;
		}
		tdi_send_setup(ts, TDI_T_ACCEPT, 0, ts->ud[TDI_UD_ACCEPT].data,
			       ts->ud[TDI_UD_ACCEPT].len, xmitq);
	} else if (outstanding) {
		if (tdi_conn_retry_counts(ts)) {
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
		 * keeps the connection (tdi_conn_retry_counts())
		 */
		if (tdi_conn_retry_counts(ts)) {
			tdi_conn_timed_out(ts, xmitq);
			return;
		}
		tdi_send_ack(ts, TDI_F_ACKNOW, xmitq);
	} else {
		tdi_keepalive(ts, xmitq);
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
		else if (ts->state == TDI_STATE_OFFERED)
			tdi_rto_offered(ts, &xmitq);
		else
			tdi_rto_connected(ts, &xmitq);
	}
	bh_unlock_sock(sk);
	tdi_ep_deliver(ts);
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
	if (sock_owned_by_user(sk)) {
		sk_reset_timer(sk, &ts->delack_timer, jiffies + 1);
	} else if (ts->hashed && ts->mru_repeats &&
		   ts->state != TDI_STATE_CONNECTING) {
		/* announce a new MRU again (tdi_conn_new_mru()) */
		ts->mru_repeats--;
		tdi_send_ack(ts, 0, &xmitq);
		if (ts->mru_repeats)
			sk_reset_timer(sk, &ts->delack_timer, jiffies +
				       max_t(unsigned long,
					     usecs_to_jiffies(ts->rtt.rto_us), 1));
	} else if (ts->hashed && ts->ack_pending &&
		   ts->state != TDI_STATE_CONNECTING) {
		tdi_send_ack(ts, 0, &xmitq);
	}
	bh_unlock_sock(sk);
	tdi_ep_deliver(ts);
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
	ts->id_node.pprev = NULL;
	ts->peer_node.pprev = NULL;
	skb_queue_head_init(&ts->ofo_queue);
	skb_queue_head_init(&ts->xwrite_queue);
	skb_queue_head_init(&ts->xrecv_queue);
	timer_setup(&ts->rto_timer, tdi_rto_timer, 0);
	timer_setup(&ts->delack_timer, tdi_delack_timer, 0);
}

/* Announcements of a new MRU: the first at once, the rest on the timer */
#define TDI_MRU_REPEATS		4

/* The connection's device changed its MTU (socket lock held): the new
 * frame size both ways, and tell the peer.
 */
static void tdi_conn_new_mru(struct tdi_sock *ts, u16 mru)
{
	struct sk_buff_head xmitq;

	WRITE_ONCE(ts->mru, mru);
	if (!ts->peer_mru)
		return;		/* CONNECT retransmissions carry it */
	WRITE_ONCE(ts->mss, min(ts->peer_mru, mru));
	ts->mru_changed = 1;
	ts->mru_repeats = TDI_MRU_REPEATS - 1;
	__skb_queue_head_init(&xmitq);
	tdi_send_ack(ts, 0, &xmitq);
	sk_reset_timer(&ts->sk, &ts->delack_timer, jiffies +
		       max_t(unsigned long, usecs_to_jiffies(ts->rtt.rto_us), 1));
	tdi_conn_push(ts, &xmitq);
	tdi_xmit_flush(sock_net(&ts->sk), &xmitq);
}

/* Connections on @ifindex (every one for -1) whose MRU is not @mru: each
 * is ended (@down) or given the new MRU, one at a time under its socket
 * lock, before the next search.
 */
static void tdi_conn_each(struct net *net, int ifindex, bool down, u16 mru)
{
	struct tdi_net *tn = tdi_pernet(net);
	struct hlist_nulls_node *node;
	struct tdi_sock *ts, *found;
	unsigned int i;

	do {
		found = NULL;
		spin_lock_bh(&tn->conn_lock);
		for (i = 0; i < TDI_CONN_HASH_SIZE && !found; i++)
			hlist_nulls_for_each_entry(ts, node, &tn->conn_ids[i],
						   id_node)
				if ((ifindex < 0 || ts->ifindex == ifindex) &&
				    (down || READ_ONCE(ts->mru) != mru)) {
					found = ts;
					sock_hold(&ts->sk);
					break;
				}
		spin_unlock_bh(&tn->conn_lock);
		if (!found)
			break;
		tdi_ep_lock(found);
		if (found->hashed &&
		    (ifindex < 0 || found->ifindex == ifindex)) {
			if (down)
				tdi_conn_done(found, ENETDOWN,
					      TDI_REASON_LINK_DOWN);
			else
				tdi_conn_new_mru(found, mru);
		}
		tdi_ep_unlock(found);
		sock_put(&found->sk);
	} while (found);
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
 * next frame on and announce the new MRU to the peer.  Called from the
 * netdevice notifier (process context).
 */
void tdi_conn_dev_event(struct net *net, int ifindex, bool down,
			unsigned int mtu)
{
	tdi_conn_each(net, ifindex, down, down ? 0 : tdi_mru_of(mtu));
}

/**
 * tdi_conn_end_all() - end every connection of a namespace that is going
 * @net: the namespace, in its exit (only orphans can be left)
 */
void tdi_conn_end_all(struct net *net)
{
	tdi_conn_each(net, -1, true, 0);
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
	info->rcv_wnd = tdi_seq_after(ts->rcv_adv, ts->rcv_nxt) ?
			ts->rcv_adv - ts->rcv_nxt : 0;
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
