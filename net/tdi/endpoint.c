// SPDX-License-Identifier: GPL-2.0
/*
 * tdi endpoints: the state machine and the requests on an endpoint that
 * both faces share (the socket face, socket.c, adds waiting to them).
 * Nothing here sleeps; every function takes the socket lock held, but
 * tdi_ep_deliver().
 *
 * Implementation notes
 * --------------------
 *
 * Objects.  A socket is a struct tdi_sock (struct sock first).  SOCK_DGRAM
 * sockets are TDI address objects once bound; SOCK_STREAM and
 * SOCK_SEQPACKET sockets are connection endpoints.  The transport address
 * itself is a struct tdi_addr, refcounted and separate from any socket: the
 * socket that opened it holds one reference and every associated endpoint
 * one more, so an address object lives while its fd or any association
 * holds it.  bind() on an endpoint opens an implicit address object.
 * Association (TDI_ASSOCIATE_ADDRESS, sockopt.c) takes the address
 * socket's lock alone to take a reference, then the endpoint's lock to
 * attach it (tdi_ep_associate()): two socket locks are never nested there.
 *
 * Per namespace.  struct tdi_net (net_generic, tdi_net_id) holds the port
 * table and the list of the namespace's sockets.  A socket is in exactly
 * one namespace's list from create to release.
 *
 * Life cycle.  tdi_create() allocates the sock and links it into the
 * namespace list; tdi_release() is the one place a socket is torn down:
 * tdi_ep_close() ends what it was doing (the close policy: stop a listen,
 * reject an offer, abort or release a connection), the face may wait
 * (SO_LINGER), then it orphans the socket, tdi_ep_orphan() drops its
 * address object (or leaves a release going on alone) and the last
 * reference the file held is put.  The socket's proto_ops and struct proto
 * pin the module, so rmmod fails while any socket is open.
 *
 * Faces.  endpoint.c holds the state machine (every state change goes
 * through tdi_set_state(), which WARNs on a transition the table does not
 * allow) and the requests both faces share, which never sleep; a face
 * adds waiting.  data.c moves TSDUs between an iov_iter and the queues
 * (tdi_conn_send_data(), tdi_conn_recv_data(), tdi_conn_recv_xdata()):
 * it copies what it can and returns, and the face waits and calls again
 * (the socket face in tdi_wait(); msghdr flags, signals and poll are the
 * socket face's alone).  The endpoint core (endpoint.c, conn.c, input.c, offer.c)
 * never wakes a reader or writer itself: it records what happened under
 * the socket lock (tdi_ep_indicate(), a bit in ts->ind) and the endpoint's
 * face hears of it through ts->ep_ops (struct tdi_ep_ops in tdi.h, which
 * states what an op may do) once the lock is released: tdi_ep_deliver()
 * runs in release_sock() through tdi_proto.release_cb (socket still
 * owned, its spinlock held; this also covers the frames a sleeping call's
 * release_sock() takes from the backlog), and after bh_unlock_sock() in
 * rcv.c, the timers and offer.c.  The caller of tdi_ep_deliver() holds a
 * reference on the endpoint.  The socket face (socket.c, tdi_sock_ep_ops,
 * set by tdi_sk_alloc()) turns each indication into wake-ups and signals;
 * a child endpoint takes its listener's ops; a datagram is indicated on
 * its address object at once, with no lock held (dgram.c).  Frames come
 * up from dev.c, which hands each one to the receive path it was given at
 * init (rcv.c, tdi_rcv()); an endpoint takes every frame through one
 * dispatch there, at once or from the socket backlog
 * (tdi_input_or_backlog(), tdi_backlog_rcv()).
 *
 * Offers.  A CONNECT for a BSD listener makes no socket: it becomes a
 * half-open offer, a struct tdi_offer in the namespace's offer table
 * (tdi_net.offer_*, bounded by net.tdi.max_offers and by each listener's
 * backlog + 1), or, when that is full, a stateless cookie in the ACCEPT.
 * The child socket is made when the connector's first frame arrives
 * (offer.c).  The exceptions, in endpoint.c (tdi_ep_connect_rcv()): a
 * TDI-form listen (SIOCTDILISTEN) is itself the endpoint the CONNECT
 * makes, and a query-accept offer is an OFFERED endpoint at once (the
 * listen's endpoint, or a child on a BSD listener's accept queue, within
 * its backlog), which repeats HOLD on its rto_timer until TDI_ACCEPT,
 * TDI_REJECT or net.tdi.offer_timeout_ms.  A retransmitted CONNECT finds
 * the endpoint it made by the peer's node and identifier before any
 * listener is looked for (rcv.c).  One timer
 * per namespace (tdi_net.offer_timer) retransmits the offers' ACCEPTs; it
 * holds no reference and is shut down (timer_shutdown_sync()) in
 * tdi_net_exit() before the table is freed, so neither netns exit nor
 * module unload leaves it running.
 *
 * Lock order (outer first):
 *	the socket lock: lock_sock(sk) in process context, bh_lock_sock(sk)
 *	in the receive path and timers (a listener, then a child:
 *	lock_sock_nested() when listening stops, bh_lock_sock_nested()
 *	when an offer's first frame makes the child)
 *	  tdi_addr.lock (spin, BH off: an address object's listeners and
 *	  the socket that takes its datagrams)
 *	  tdi_net.conn_lock (spin, BH off)
 *	    tdi_net.offer_lock (spin, BH off)
 *	  tdi_net.socks_lock (spin, BH off)
 *	  tdi_ports.lock (spin, BH off)
 * offer_lock is taken alone or inside conn_lock (offers and connections
 * share one identifier space, checked under conn_lock); tdi_addr.lock,
 * socks_lock and the ports lock are never held with another spinlock
 * (the receive path takes tdi_addr.lock with no socket lock, to find a
 * listener).  Nothing sleeps
 * under them; frames built under offer_lock are sent after it is dropped.
 * tdi_rto_bounds_lock (sysctl.c, a mutex) orders the writes of the
 * rto_min_ms and rto_max_ms sysctls; it is taken with no other lock held
 * and takes none.  Sysctl values are read with READ_ONCE(), locklessly.
 *
 * An endpoint's fields are under its socket lock (owned, or bh-locked by
 * the receive path and timers), user data and the peer's included; the
 * exceptions: tdi_sock.filter is also written under tdi_addr.lock, where
 * the receive path reads it to choose a listener; tdi_sock.state,
 * peer_abort, addr and a few counters are read locklessly with
 * READ_ONCE() by poll and /proc; tdi_sock.ind is set with set_bit()
 * under the lock and taken whole with xchg() by tdi_ep_deliver().  A
 * datagram is queued on its address object's receive queue under that
 * queue's own lock (dgram.c).
 *
 * Refcounts.  tdi_addr.ref: one per holder, as above; the last put unhashes
 * the port and frees the object after an RCU grace period, so lockless
 * readers (the receive path, /proc) may still look at it under RCU.
 * tdi_sock.addr is written under the socket lock with WRITE_ONCE() and
 * read by /proc with READ_ONCE() under RCU.  An offer in the offer table
 * holds a socket reference on its listener; whoever unlinks the offer
 * (first frame, peer's RESET, timer, tdi_ep_stop_listen()) puts it, after
 * dropping offer_lock.  The connection table holds one reference on each
 * hashed endpoint; a pending timer of an endpoint holds one (rto_timer,
 * delack_timer, and listen_timer, the time-out of a TDI-form listen,
 * stopped wherever the listen ends: an offer, close(), a signal); a child
 * on a listener's accept queue is held by the queue.
 */

#include <kunit/visibility.h>
#include <linux/etherdevice.h>
#include <linux/random.h>

#include "tdi.h"

/**
 * tdi_ep_deliver() - tell the endpoint's face what was indicated
 * @ts: the endpoint, its lock released (or in release_cb), a reference
 *	held by the caller
 *
 * Each indication recorded since the last delivery (tdi_ep_indicate())
 * goes to ts->ep_ops once, in the order of enum tdi_ind.  Any context;
 * see struct tdi_ep_ops for what the ops may do.
 */
void tdi_ep_deliver(struct tdi_sock *ts)
{
	const struct tdi_ep_ops *ops = ts->ep_ops;
	unsigned long ind;

	if (!READ_ONCE(ts->ind))
		return;
	ind = xchg(&ts->ind, 0);
	if (ind & BIT(TDI_IND_CONNECTED))
		ops->connected(ts);
	if (ind & BIT(TDI_IND_OFFER))
		ops->offer(ts);
	if (ind & BIT(TDI_IND_RECEIVE_EXPEDITED))
		ops->receive_expedited(ts);
	if (ind & BIT(TDI_IND_RECEIVE))
		ops->receive(ts);
	if (ind & BIT(TDI_IND_SEND_POSSIBLE))
		ops->send_possible(ts);
	if (ind & BIT(TDI_IND_XSEND_POSSIBLE))
		ops->xsend_possible(ts);
	if (ind & BIT(TDI_IND_ERROR))
		ops->error(ts);
	if (ind & BIT(TDI_IND_DISCONNECTED))
		ops->disconnected(ts);
}

/**
 * tdi_ep_lock() - lock an endpoint from process context
 * @ts: the endpoint
 *
 * lock_sock() for the socket face; a kernel face's endpoint is never
 * owned by a process: its spinlock is taken, BHs off.
 */
void tdi_ep_lock(struct tdi_sock *ts)
	__acquires(&ts->sk.sk_lock.slock)
{
	if (ts->ep_ops->process_owned) {
		lock_sock(&ts->sk);
		__acquire(&ts->sk.sk_lock.slock);	/* for sparse */
		return;
	}
	local_bh_disable();
	bh_lock_sock(&ts->sk);
}

/**
 * tdi_ep_unlock() - unlock what tdi_ep_lock() locked, and deliver
 * @ts: the endpoint
 */
void tdi_ep_unlock(struct tdi_sock *ts)
	__releases(&ts->sk.sk_lock.slock)
{
	if (ts->ep_ops->process_owned) {
		__release(&ts->sk.sk_lock.slock);	/* for sparse */
		release_sock(&ts->sk);
		return;
	}
	bh_unlock_sock(&ts->sk);
	tdi_ep_deliver(ts);
	local_bh_enable();
}

/**
 * tdi_set_state() - move an endpoint or address object to a new state
 * @ts: the socket; the caller holds its socket lock
 * @state: the new TDI_STATE_* value
 *
 * Every state change goes through here; a transition that is not allowed
 * is a bug of the caller (each checks the state it starts from): it WARNs
 * and leaves the state as it was.
 *
 * Return: 0, or -EINVAL for a transition that is not allowed.
 */
int tdi_set_state(struct tdi_sock *ts, int state)
{
	if (WARN_ON_ONCE(!tdi_state_allowed(ts->state, state)))
		return -EINVAL;
	WRITE_ONCE(ts->state, state);
	return 0;
}

/**
 * tdi_state_allowed() - whether an endpoint may go from one state to another
 * @old: the current TDI_STATE_*
 * @state: the new TDI_STATE_*
 *
 * Return: true for an allowed transition.
 */
bool tdi_state_allowed(int old, int state)
{
	if (old < TDI_STATE_IDLE || old > TDI_STATE_CLOSING)
		return false;
	switch (state) {
	case TDI_STATE_IDLE:
		return old == TDI_STATE_BOUND;
	case TDI_STATE_BOUND:
		/* bind or associate; or any connection, listen or offer ends */
		return old != TDI_STATE_BOUND;
	case TDI_STATE_LISTENING:
	case TDI_STATE_CONNECTING:
		return old == TDI_STATE_BOUND;
	case TDI_STATE_OFFERED:
		/* a TDI-form listen, or a query-accept listener's new child */
		return old == TDI_STATE_LISTENING || old == TDI_STATE_BOUND;
	case TDI_STATE_CONNECTED:
		return old == TDI_STATE_CONNECTING || old == TDI_STATE_BOUND ||
		       old == TDI_STATE_OFFERED;
	case TDI_STATE_RELEASE_SENT:
	case TDI_STATE_RELEASE_RECEIVED:
		return old == TDI_STATE_CONNECTED;
	case TDI_STATE_CLOSING:
		return old == TDI_STATE_RELEASE_SENT ||
		       old == TDI_STATE_RELEASE_RECEIVED;
	}
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_state_allowed);

/**
 * tdi_ep_connected() - is there a connection on this endpoint
 * @ts: the endpoint
 *
 * Lockless callers get a snapshot.
 *
 * Return: true from the connection's set-up to its end (the release
 * states included).
 */
bool tdi_ep_connected(const struct tdi_sock *ts)
{
	return tdi_state_connected(READ_ONCE(ts->state));
}

/**
 * tdi_ep_may_send() - may the user queue data on the connection
 * @ts: the endpoint
 *
 * Return: true while connected and our side not released.
 */
bool tdi_ep_may_send(const struct tdi_sock *ts)
{
	int state = READ_ONCE(ts->state);

	return state == TDI_STATE_CONNECTED ||
	       state == TDI_STATE_RELEASE_RECEIVED;
}

/**
 * tdi_ep_send_check() - can a send (normal or expedited) go on now
 * @ts: the endpoint, socket lock held
 *
 * Return: 0; the endpoint's error (tdi_ep_error()); -EPIPE once our side
 * was released (shutdown(SHUT_WR), a release); -ENOTCONN with no
 * connection to send on.
 */
int tdi_ep_send_check(struct tdi_sock *ts)
{
	int err = tdi_ep_error(ts);

	if (err)
		return err;
	if (ts->sk.sk_shutdown & SEND_SHUTDOWN)
		return -EPIPE;
	if (!tdi_ep_may_send(ts))
		return -ENOTCONN;
	return 0;
}

/**
 * tdi_ep_recv_check() - may a read look at the receive queue at all
 * @ts: the endpoint, socket lock held
 *
 * What a connection left (data, an error, EOF) stays readable after it
 * ended; before a connection is there nothing is.
 *
 * Return: 0, or -ENOTCONN: idle, listening, an offer undecided, or a
 * connection not yet (or no longer) there that left nothing to read.
 */
int tdi_ep_recv_check(const struct tdi_sock *ts)
{
	const struct sock *sk = &ts->sk;

	switch (ts->state) {
	case TDI_STATE_LISTENING:
	case TDI_STATE_IDLE:
	case TDI_STATE_OFFERED:
		return -ENOTCONN;
	case TDI_STATE_BOUND:
	case TDI_STATE_CONNECTING:
		if (skb_queue_empty(&sk->sk_receive_queue) && !sk->sk_err &&
		    !(sk->sk_shutdown & RCV_SHUTDOWN))
			return -ENOTCONN;
	}
	return 0;
}

/**
 * tdi_ep_xrcv_over() - can no expedited TSDU come any more
 * @ts: the endpoint, socket lock held
 *
 * Return: true once the peer released or the connection ended.
 */
bool tdi_ep_xrcv_over(const struct tdi_sock *ts)
{
	return (ts->sk.sk_shutdown & RCV_SHUTDOWN) || !tdi_ep_connected(ts);
}

/**
 * tdi_ep_disconnect() - TDI_DISCONNECT: start a release, or abort
 * @ts: the endpoint, socket lock held
 * @flags: TDI_DISCONNECT_RELEASE or TDI_DISCONNECT_ABORT
 * @xmitq: where frames go
 *
 * RELEASE queues our RELEASE after all data queued (the first of the four
 * steps), once; the caller waits for the peer's (tdi_ep_released()).
 * ABORT ends the connection at once, a connect in progress or a pending
 * release included: queued data is dropped, the peer is sent a RESET, and
 * every call on the endpoint gets ECONNABORTED until it is used again.
 *
 * Return: 0; -ENOTCONN with no connection to end (RELEASE: none set up
 * yet); -ENOMEM when the RELEASE could not be queued (nothing changed).
 */
int tdi_ep_disconnect(struct tdi_sock *ts, u32 flags,
		      struct sk_buff_head *xmitq)
{
	/* on an undecided offer, either is a rejection (as in TDI) */
	if (ts->state == TDI_STATE_OFFERED)
		return tdi_ep_reject(ts, xmitq);
	if (flags == TDI_DISCONNECT_ABORT) {
		if (!tdi_ep_connected(ts) && ts->state != TDI_STATE_CONNECTING)
			return -ENOTCONN;
		tdi_conn_abort(ts, TDI_REASON_ABORT, xmitq);
		ts->local_abort = 1;
		return 0;
	}
	if (!tdi_ep_connected(ts))
		return -ENOTCONN;
	if (ts->state == TDI_STATE_CONNECTED ||
	    ts->state == TDI_STATE_RELEASE_RECEIVED)
		return tdi_conn_release(ts, xmitq);
	return 0;	/* ours is queued already */
}

/**
 * tdi_ep_abort() - abort the connection or the connect in progress
 * @ts: the endpoint, socket lock held
 * @xmitq: where the RESET goes
 *
 * As TDI_DISCONNECT_ABORT, for a close() that cannot wait any longer:
 * the peer gets the reset and TDI_REASON_ABORT.
 */
void tdi_ep_abort(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	tdi_conn_abort(ts, TDI_REASON_ABORT, xmitq);	/* none: nothing */
}

/* Received data nobody read (normal or expedited) */
static bool tdi_ep_unread(struct tdi_sock *ts)
{
	return !skb_queue_empty(&ts->sk.sk_receive_queue) ||
	       !skb_queue_empty(&ts->xrecv_queue);
}

/**
 * tdi_ep_close() - the owner lets go of the endpoint (close())
 * @ts: the endpoint, socket lock held
 * @abort: end a connection abortively (SO_LINGER {1, 0})
 * @xmitq: where frames go
 *
 * A listen stops (its queued offers refused), an undecided offer is
 * rejected, a connect in progress is aborted.  A connection is aborted
 * when @abort or when data arrived that nobody read (the peer must not
 * think it was delivered), and released otherwise; a RELEASE that cannot
 * be queued for want of memory becomes an abort, so the peer never waits
 * for nothing.  tdi_ep_orphan() follows once the owner is gone.
 *
 * Return: true while a release goes on that the owner may wait for (and
 * abort with tdi_ep_abort() when tired of waiting).
 */
bool tdi_ep_close(struct tdi_sock *ts, bool abort, struct sk_buff_head *xmitq)
{
	switch (ts->state) {
	case TDI_STATE_LISTENING:
		tdi_ep_stop_listen(ts, xmitq);
		return false;
	case TDI_STATE_OFFERED:
		tdi_ep_reject(ts, xmitq);
		return false;
	case TDI_STATE_CONNECTING:
		tdi_ep_abort(ts, xmitq);
		return false;
	}
	if (!tdi_ep_connected(ts))
		return false;
	if (abort || tdi_ep_unread(ts)) {
		tdi_ep_abort(ts, xmitq);
		return false;
	}
	if ((ts->state == TDI_STATE_CONNECTED ||
	     ts->state == TDI_STATE_RELEASE_RECEIVED) &&
	    tdi_conn_release(ts, xmitq)) {
		tdi_ep_abort(ts, xmitq);
		return false;
	}
	return ts->hashed;
}

/**
 * tdi_ep_orphan() - the endpoint has no owner any more
 * @ts: the endpoint, socket lock held, orphaned (sock_orphan())
 * @xmitq: where frames go
 *
 * A connection still going on (a release under way) goes on alone,
 * bounded by net.tdi.disconnect_timeout_ms and net.tdi.max_orphans
 * (tdi_conn_orphan()), and keeps the address object; otherwise the
 * endpoint lets go of its address object now, so that the port is free
 * when close() returns.  An address object stops taking datagrams.
 */
void tdi_ep_orphan(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	struct tdi_addr *a = ts->addr;

	if (ts->hashed)
		tdi_conn_check_done(ts);
	if (ts->hashed)
		tdi_conn_orphan(ts, xmitq);
	if (ts->sk.sk_type == SOCK_DGRAM && a)
		tdi_dgram_set_owner(a, NULL);
	if (!ts->hashed && a) {
		WRITE_ONCE(ts->addr, NULL);
		tdi_addr_put(a);
	}
}

/**
 * tdi_ep_accept_child() - take the oldest endpoint off a listener's queue
 * @lts: the BSD listener, socket lock held
 *
 * The child is connected, or OFFERED under query-accept; the queue's
 * reference passes to the caller, who gives it an owner.
 *
 * Return: the child, or NULL when @lts no longer listens or its queue is
 * empty.
 */
struct tdi_sock *tdi_ep_accept_child(struct tdi_sock *lts)
{
	struct tdi_sock *child;

	if (lts->state != TDI_STATE_LISTENING)
		return NULL;
	child = list_first_entry_or_null(&lts->accept_queue, struct tdi_sock,
					 accept_node);
	if (!child)
		return NULL;
	list_del_init(&child->accept_node);
	sk_acceptq_removed(&lts->sk);
	return child;
}

/**
 * tdi_ep_released() - how a release we started stands
 * @ts: the endpoint, socket lock held
 *
 * Return: 1 when the peer has released too (the release completed), 0
 * while it has not, or a negative errno when the connection ended
 * otherwise: -ECONNABORTED (we aborted), -ECONNRESET (the peer did), or
 * the error it ended with (-ETIMEDOUT, -ENETDOWN).
 */
int tdi_ep_released(const struct tdi_sock *ts)
{
	if (ts->peer_released || ts->reason == TDI_REASON_RELEASE)
		return 1;
	if (tdi_ep_connected(ts))
		return 0;
	if (ts->local_abort)
		return -ECONNABORTED;
	return -(READ_ONCE(ts->sk.sk_err) ?: ECONNRESET);
}

/**
 * tdi_ep_aborted() - did the last connection end in an abort?
 * @ts: the endpoint, socket lock held
 *
 * Return: true from an abort, ours or the peer's, until the endpoint is
 * used again (tdi_conn_reset()).
 */
bool tdi_ep_aborted(const struct tdi_sock *ts)
{
	return ts->local_abort || ts->peer_abort;
}

/**
 * tdi_ep_error() - the error a call on the endpoint reports now
 * @ts: the endpoint, socket lock held
 *
 * A pending sk_err is reported once and cleared, as sock_error() does.
 * An abort is reported to every call until the endpoint is used again:
 * ECONNABORTED after ours, ECONNRESET after the peer's (SPEC: "the peer's
 * pending and later calls, every one of them").
 *
 * Return: 0 or a negative errno.
 */
int tdi_ep_error(struct tdi_sock *ts)
{
	int err = sock_error(&ts->sk);

	if (err)
		return err;
	if (ts->local_abort)
		return -ECONNABORTED;
	if (ts->peer_abort)
		return -ECONNRESET;
	return 0;
}

/**
 * tdi_fill_provider() - TDI_PROVIDER_INFO: what works today, exactly
 * @ts: the endpoint or address object, socket lock held
 * @pi: filled in whole
 */
void tdi_fill_provider(struct tdi_sock *ts, struct tdi_provider_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->version = TDI_WIRE_VERSION << 8;
	pi->service_flags = TDI_SERVICE_CONNECTION_MODE |
			    TDI_SERVICE_ORDERLY_RELEASE |
			    TDI_SERVICE_ERROR_FREE_DELIVERY |
			    TDI_SERVICE_EXPEDITED_DATA |
			    TDI_SERVICE_MESSAGE_MODE |
			    TDI_SERVICE_DELAYED_ACCEPTANCE |
			    TDI_SERVICE_CONNECTIONLESS_MODE |
			    TDI_SERVICE_BROADCAST_SUPPORTED;
	/* stream: no limit; message mode: what a non-blocking send takes */
	pi->max_tsdu = ts->sk.sk_type == SOCK_SEQPACKET ? tdi_max_tsdu(ts) : 0;
	pi->max_expedited = TDI_MAX_EXPEDITED;
	pi->max_user_data = TDI_MAX_USER_DATA;
	pi->max_datagram = tdi_dgram_max(sock_net(&ts->sk), ts->addr ?
					 ts->addr->ifindex : 0);
}

/**
 * tdi_ep_associate() - associate an idle endpoint with an address object
 * @ts: the endpoint (or an address object being bound), socket lock held
 * @a: the address object, held by the caller; the endpoint keeps that
 *	reference when this succeeds
 *
 * TDI_ASSOCIATE_ADDRESS, and bind()'s implicit address object.
 *
 * Return: 0, or -EISCONN when @ts has an address object already.
 */
int tdi_ep_associate(struct tdi_sock *ts, struct tdi_addr *a)
{
	if (ts->addr || ts->state != TDI_STATE_IDLE)
		return -EISCONN;
	WRITE_ONCE(ts->addr, a);
	return tdi_set_state(ts, TDI_STATE_BOUND);
}

/**
 * tdi_ep_disassociate() - drop an idle endpoint's address object
 * @ts: the endpoint, socket lock held
 *
 * TDI_DISASSOCIATE_ADDRESS.  The endpoint goes back to TDI_STATE_IDLE;
 * the reason and data of its last connection stay readable.  The address
 * object lives on while its fd or another association holds it.
 *
 * Return: 0, -EINVAL when @ts has no address object, or -EISCONN while it
 * listens, connects or has a connection.
 */
int tdi_ep_disassociate(struct tdi_sock *ts)
{
	struct tdi_addr *a = ts->addr;

	if (!a)
		return -EINVAL;
	if (ts->state != TDI_STATE_BOUND || ts->hashed)
		return -EISCONN;
	tdi_set_state(ts, TDI_STATE_IDLE);
	WRITE_ONCE(ts->addr, NULL);
	tdi_addr_put(a);
	return 0;
}

/* ---- Listening: the BSD form and the TDI form ---- */

/* Put @ts at the end of its address object's listeners (FIFO). */
static void tdi_ep_listen_link(struct tdi_sock *ts)
{
	spin_lock_bh(&ts->addr->lock);
	list_add_tail(&ts->listen_node, &ts->addr->listeners);
	spin_unlock_bh(&ts->addr->lock);
}

static void tdi_ep_listen_unlink(struct tdi_sock *ts)
{
	spin_lock_bh(&ts->addr->lock);
	list_del_init(&ts->listen_node);
	spin_unlock_bh(&ts->addr->lock);
}

/**
 * tdi_ep_listen() - TDI_LISTEN, BSD form: listen(2) on an associated endpoint
 * @ts: the endpoint, socket lock held, associated (the socket face binds
 *	port 0 first when it is not)
 * @backlog: most connections waiting for accept(); a listener takes a new
 *	backlog at any time
 *
 * Return: 0, or -EINVAL when @ts is not idle (nor a BSD listener already).
 */
int tdi_ep_listen(struct tdi_sock *ts, int backlog)
{
	WRITE_ONCE(ts->sk.sk_max_ack_backlog, clamp(backlog, 0, SOMAXCONN));
	if (ts->state == TDI_STATE_LISTENING && !ts->tdi_listen)
		return 0;
	if (ts->state != TDI_STATE_BOUND || !ts->addr)
		return -EINVAL;
	tdi_conn_reset(ts);
	tdi_set_state(ts, TDI_STATE_LISTENING);
	tdi_ep_listen_link(ts);
	return 0;
}

/**
 * tdi_ep_listen_tdi() - TDI_LISTEN, TDI form (SIOCTDILISTEN)
 * @ts: the endpoint, socket lock held
 * @l: the request: flags (%TDI_QUERY_ACCEPT), filter, timeout_ms (0 or
 *	-1: no limit)
 *
 * The endpoint itself waits for one offer that passes @l's filter, after
 * every listen queued on its address object before it (FIFO), and becomes
 * that connection: CONNECTED at once, or OFFERED with %TDI_QUERY_ACCEPT.
 * The filter replaces the endpoint's %TDI_LISTEN_FILTER.  At @timeout_ms
 * the listen ends with ETIMEDOUT (tdi_listen_timer()).
 *
 * Return: 0 with the listen pending; -EINVAL for a bad request, an
 * endpoint with no address object or a BSD listener; -EALREADY while a
 * listen or connect is in progress; -EISCONN with a connection or an offer.
 */
int tdi_ep_listen_tdi(struct tdi_sock *ts, const struct tdi_listen *l)
{
	int err;

	if (l->flags & ~TDI_QUERY_ACCEPT || l->timeout_ms < -1)
		return -EINVAL;
	err = tdi_filter_check(&l->filter);
	if (err)
		return err;
	switch (ts->state) {
	case TDI_STATE_BOUND:
		break;
	case TDI_STATE_LISTENING:
		return ts->tdi_listen ? -EALREADY : -EINVAL;
	case TDI_STATE_CONNECTING:
		return -EALREADY;
	case TDI_STATE_IDLE:
		return -EINVAL;
	default:
		return -EISCONN;
	}
	tdi_conn_reset(ts);
	spin_lock_bh(&ts->addr->lock);
	ts->filter = l->filter;
	spin_unlock_bh(&ts->addr->lock);
	ts->tdi_listen = 1;
	ts->listen_qa = !!(l->flags & TDI_QUERY_ACCEPT);
	tdi_set_state(ts, TDI_STATE_LISTENING);
	tdi_ep_listen_link(ts);
	if (l->timeout_ms > 0) {
		ts->listen_deadline = jiffies + msecs_to_jiffies(l->timeout_ms);
		sk_reset_timer(&ts->sk, &ts->listen_timer, ts->listen_deadline);
	}
	return 0;
}

/* A TDI-form listen leaves its address object's list; the endpoint is idle. */
static void tdi_ep_unlisten_tdi(struct tdi_sock *ts)
{
	tdi_ep_listen_unlink(ts);
	sk_stop_timer(&ts->sk, &ts->listen_timer);
	ts->tdi_listen = 0;
	ts->listen_qa = 0;
	tdi_set_state(ts, TDI_STATE_BOUND);
}

/* The time-out of a TDI-form listen: it ends with ETIMEDOUT. */
static void tdi_listen_timer(struct timer_list *t)
{
	struct tdi_sock *ts = from_timer(ts, t, listen_timer);
	struct sock *sk = &ts->sk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		sk_reset_timer(sk, &ts->listen_timer, jiffies + 1);
	} else if (ts->state == TDI_STATE_LISTENING && ts->tdi_listen) {
		tdi_ep_unlisten_tdi(ts);
		ts->reason = TDI_REASON_TIMEOUT;
		WRITE_ONCE(sk->sk_err, ETIMEDOUT);
		tdi_ep_indicate(ts, TDI_IND_ERROR);
		tdi_ep_indicate(ts, TDI_IND_DISCONNECTED);
	}
	bh_unlock_sock(sk);
	tdi_ep_deliver(ts);
	sock_put(sk);
}

/**
 * tdi_ep_init() - set up the endpoint part of a new socket
 * @ts: the socket
 */
void tdi_ep_init(struct tdi_sock *ts)
{
	timer_setup(&ts->listen_timer, tdi_listen_timer, 0);
}

/**
 * tdi_ep_stop_listen() - a listen ends (close(), or a signal)
 * @ts: a LISTENING endpoint, socket lock held
 * @xmitq: where frames go
 *
 * A TDI-form listen is withdrawn.  A BSD listener's half-open offers are
 * ended, its undecided offers rejected (TDI_REASON_REFUSED) and the
 * connections it had not handed out aborted.
 */
void tdi_ep_stop_listen(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	struct tdi_sock *child;

	if (ts->tdi_listen) {
		tdi_ep_unlisten_tdi(ts);
		return;
	}
	tdi_ep_listen_unlink(ts);
	tdi_set_state(ts, TDI_STATE_BOUND);
	tdi_offers_flush_listener(ts, xmitq);

	while ((child = list_first_entry_or_null(&ts->accept_queue,
						 struct tdi_sock,
						 accept_node))) {
		list_del_init(&child->accept_node);
		sk_acceptq_removed(&ts->sk);
		lock_sock_nested(&child->sk, SINGLE_DEPTH_NESTING);
		if (child->state == TDI_STATE_OFFERED)
			tdi_conn_refuse(child, TDI_REASON_REFUSED, xmitq);
		else
			tdi_conn_abort(child, TDI_REASON_ABORT, xmitq);
		sock_set_flag(&child->sk, SOCK_DEAD);
		release_sock(&child->sk);
		sock_put(&child->sk);
	}
}

/* ---- Offers that make an endpoint: TDI-form listens, query-accept ---- */

/* Set @ts up as the connection a CONNECT offers, and hash it. */
static int tdi_ep_from_connect(struct tdi_sock *ts, struct sk_buff *skb,
			       const struct tdi_frame *fr, int mtu)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	tdi_conn_reset(ts);
	tdi_udata_from_frame(&ts->peer_ud[TDI_UD_CONNECT], skb, fr);
	ether_addr_copy(ts->peer_mac, eth_hdr(skb)->h_source);
	ts->ifindex = skb->skb_iif;
	ts->rport = fr->sport;
	ts->msgmode = ts->sk.sk_type == SOCK_SEQPACKET;
	ts->peer_id = fr->src_id;
	ts->peer_mru = fr->mru;
	ts->mru = tdi_mru_of(mtu);
	ts->mss = min_t(u32, fr->mru, ts->mru);
	ts->cwnd = TDI_INIT_CWND * ts->mss;
	ts->rcv_nxt = fr->seq;
	ts->rcv_right = fr->seq;
	ts->rcv_adv = fr->seq;
	ts->snd_una = get_random_u32();
	ts->snd_nxt = ts->snd_una;
	ts->write_seq = ts->snd_una;
	ts->snd_right = ts->snd_una + fr->wnd;
	tdi_ts_anchor(ts, fr->tsval);
	tdi_rtt_init(&ts->rtt,
		     READ_ONCE(tn->sysctl.rto_initial_ms) * USEC_PER_MSEC);
	return tdi_conn_hash(ts);
}

/* Accept the offer @ts holds: CONNECTED, ACCEPT sent (and sent again until
 * the connector's first frame comes).
 */
static void tdi_ep_send_accept(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	tdi_set_state(ts, TDI_STATE_CONNECTED);
	ts->accept_pending = 1;
	ts->retries = 0;
	ts->backoff = 0;
	tdi_send_setup(ts, TDI_T_ACCEPT, 0, ts->ud[TDI_UD_ACCEPT].data,
		       ts->ud[TDI_UD_ACCEPT].len, xmitq);
	tdi_conn_rearm_rto(ts);
}

/* Hold the offer @ts has for a decision: OFFERED, HOLD sent, and again
 * every second until the decision or net.tdi.offer_timeout_ms.
 */
static void tdi_ep_hold_offer(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	tdi_set_state(ts, TDI_STATE_OFFERED);
	ts->offer_deadline = jiffies +
		msecs_to_jiffies(READ_ONCE(tn->sysctl.offer_timeout_ms));
	tdi_send_hold(ts, xmitq);
	tdi_conn_hold_timer(ts);
}

/* An idle endpoint (BOUND) takes a CONNECT: connected at once, or
 * OFFERED (@qa) for a decision.
 */
static void tdi_ep_become(struct tdi_sock *ts, struct sk_buff *skb, int mtu,
			  bool qa, struct sk_buff_head *xmitq)
{
	if (tdi_ep_from_connect(ts, skb, TDI_FRAME_CB(skb), mtu))
		goto fail;
	if (qa) {
		tdi_ep_hold_offer(ts, xmitq);
		tdi_ep_indicate(ts, TDI_IND_OFFER);
		return;
	}
	tdi_ep_send_accept(ts, xmitq);
	tdi_ep_indicate(ts, TDI_IND_CONNECTED);
	return;

fail:
	/* no identifier free: the listen is over, as with a time-out */
	ts->reason = TDI_REASON_INSUFFICIENT_RESOURCES;
	WRITE_ONCE(ts->sk.sk_err, EADDRNOTAVAIL);
	tdi_ep_indicate(ts, TDI_IND_ERROR);
	tdi_ep_indicate(ts, TDI_IND_DISCONNECTED);
	tdi_reply(sock_net(&ts->sk), skb, TDI_T_REFUSE,
		  TDI_REASON_INSUFFICIENT_RESOURCES, xmitq);
}

/* A CONNECT for a TDI-form listen: the listening endpoint becomes it. */
static void tdi_ep_take_offer(struct tdi_sock *ts, struct sk_buff *skb,
			      int mtu, struct sk_buff_head *xmitq)
{
	bool qa = ts->listen_qa;

	tdi_ep_listen_unlink(ts);
	sk_stop_timer(&ts->sk, &ts->listen_timer);
	ts->tdi_listen = 0;
	ts->listen_qa = 0;
	tdi_set_state(ts, TDI_STATE_BOUND);
	tdi_ep_become(ts, skb, mtu, qa, xmitq);
}

/* A CONNECT for a BSD listener with TDI_QUERY_ACCEPT: an OFFERED child on
 * the accept queue, for accept() to hand out undecided.
 */
static void tdi_ep_offer_child(struct tdi_sock *lts, struct sk_buff *skb,
			       int mtu, struct sk_buff_head *xmitq)
{
	struct tdi_sock *ts;
	int err;

	ts = tdi_child_alloc(lts);
	if (!ts) {
		tdi_reply(sock_net(&lts->sk), skb, TDI_T_REFUSE,
			  TDI_REASON_INSUFFICIENT_RESOURCES, xmitq);
		return;
	}
	/* the listener's accept data, unless the child sets its own */
	ts->ud[TDI_UD_ACCEPT] = lts->ud[TDI_UD_ACCEPT];
	/* once hashed the child can get frames: hold its lock till set up */
	local_bh_disable();
	bh_lock_sock_nested(&ts->sk);
	err = tdi_ep_from_connect(ts, skb, TDI_FRAME_CB(skb), mtu);
	if (!err)
		tdi_ep_hold_offer(ts, xmitq);
	bh_unlock_sock(&ts->sk);
	local_bh_enable();
	if (err) {
		sock_put(&ts->sk);
		tdi_reply(sock_net(&lts->sk), skb, TDI_T_REFUSE,
			  TDI_REASON_INSUFFICIENT_RESOURCES, xmitq);
		return;
	}
	tdi_link_sock(ts);
	list_add_tail(&ts->accept_node, &lts->accept_queue);
	sk_acceptq_added(&lts->sk);
	tdi_ep_indicate(lts, TDI_IND_OFFER);
}

/* A CONNECT again, for the connection @ts has already made of it. */
static void tdi_ep_connect_again(struct tdi_sock *ts, struct sk_buff *skb,
				 struct sk_buff_head *xmitq)
{
	tdi_stat_inc(tdi_pernet(sock_net(&ts->sk)), TDI_STAT_DUPLICATES);
	/* still undecided: say so at once, the connector is waiting */
	if (ts->state == TDI_STATE_OFFERED)
		tdi_send_hold(ts, xmitq);
	consume_skb(skb);
}

/**
 * tdi_ep_connect_rcv() - a CONNECT for an endpoint
 * @ts: the endpoint the receive path chose, socket lock held: a listener,
 *	or the connection already made of this offer (a retransmitted
 *	CONNECT, found by the peer's node and identifier)
 * @skb: the CONNECT, payload at skb->data, header in TDI_FRAME_CB(skb);
 *	consumed
 * @xmitq: where answers go
 *
 * A TDI-form listen becomes the connection (or the OFFERED endpoint, with
 * query-accept).  A BSD listener with query-accept queues an OFFERED
 * child.  Any other BSD listener answers with ACCEPT and keeps a
 * half-open offer, or a cookie in the ACCEPT (tdi_offer_connect()): no
 * socket is made before the connector's first frame.  A repeated CONNECT
 * of a known offer is a duplicate (an OFFERED endpoint answers it with
 * HOLD); a full backlog is refused with TDI_REASON_INSUFFICIENT_RESOURCES,
 * an endpoint that no longer listens with TDI_REASON_NO_LISTENER.
 */
void tdi_ep_connect_rcv(struct tdi_sock *ts, struct sk_buff *skb,
			struct sk_buff_head *xmitq)
{
	const struct tdi_frame *fr = TDI_FRAME_CB(skb);
	struct net *net = sock_net(&ts->sk);
	struct tdi_net *tn = tdi_pernet(net);
	const u8 *src = eth_hdr(skb)->h_source;
	u8 reason = TDI_REASON_INSUFFICIENT_RESOURCES;
	int mtu;

	if (ts->hashed && ts->peer_hashed && ts->peer_id == fr->src_id &&
	    ether_addr_equal(ts->peer_mac, src)) {
		tdi_ep_connect_again(ts, skb, xmitq);
		return;
	}
	if (ts->state != TDI_STATE_LISTENING) {
		reason = TDI_REASON_NO_LISTENER;
		goto refuse;
	}
	if (tdi_conn_peer_known(tn, src, fr->src_id) ||
	    tdi_offer_peer_known(tn, src, fr->src_id)) {
		/* made meanwhile, on another CPU: a duplicate after all */
		tdi_stat_inc(tn, TDI_STAT_DUPLICATES);
		consume_skb(skb);
		return;
	}
	if (!ts->tdi_listen) {
		tdi_reap_dead_offers(ts);
		if (sk_acceptq_is_full(&ts->sk))
			goto refuse;
		if (!ts->query_accept) {
			tdi_offer_connect(ts, skb, xmitq);
			consume_skb(skb);
			return;
		}
	}
	mtu = tdi_dev_mtu(net, skb->skb_iif);
	if (mtu < TDI_MIN_MTU)
		goto refuse;
	tdi_stat_inc(tn, TDI_STAT_ACCEPTS);
	if (ts->tdi_listen)
		tdi_ep_take_offer(ts, skb, mtu, xmitq);
	else
		tdi_ep_offer_child(ts, skb, mtu, xmitq);
	consume_skb(skb);
	return;

refuse:
	tdi_reply(net, skb, TDI_T_REFUSE, reason, xmitq);
	kfree_skb(skb);
}

/**
 * tdi_ep_connect_event() - an offer no listen took, given to an endpoint
 * @ts: the endpoint a connect event handler named, socket lock held (a
 *	kernel endpoint: never owned by a process)
 * @skb: the CONNECT (consumed)
 * @defer: hold the offer undecided (OFFERED) instead of accepting it
 * @xmitq: where the answer goes
 *
 * The endpoint must be idle (BOUND), of the offer's type and associated
 * with the address object the CONNECT came to; it takes the offer as a
 * TDI-form listen would (its TDI_ACCEPT_DATA in the ACCEPT).  Anything
 * else is refused with TDI_REASON_INSUFFICIENT_RESOURCES: the handler
 * named an endpoint that cannot take it.
 *
 * Return: 0, or -EINVAL for an endpoint that cannot take the offer.
 */
int tdi_ep_connect_event(struct tdi_sock *ts, struct sk_buff *skb, bool defer,
			 struct sk_buff_head *xmitq)
{
	const struct tdi_frame *fr = TDI_FRAME_CB(skb);
	int type = fr->flags & TDI_F_MSGMODE ? SOCK_SEQPACKET : SOCK_STREAM;
	struct net *net = sock_net(&ts->sk);
	struct tdi_net *tn = tdi_pernet(net);
	const u8 *src = eth_hdr(skb)->h_source;
	int mtu;

	if (tdi_conn_peer_known(tn, src, fr->src_id) ||
	    tdi_offer_peer_known(tn, src, fr->src_id)) {
		/* made meanwhile, on another CPU: a duplicate after all */
		tdi_stat_inc(tn, TDI_STAT_DUPLICATES);
		consume_skb(skb);
		return 0;
	}
	mtu = tdi_dev_mtu(net, skb->skb_iif);
	if (ts->state != TDI_STATE_BOUND || ts->sk.sk_type != type ||
	    !ts->addr || ts->addr->port != fr->dport || mtu < TDI_MIN_MTU) {
		tdi_reply(net, skb, TDI_T_REFUSE,
			  TDI_REASON_INSUFFICIENT_RESOURCES, xmitq);
		kfree_skb(skb);
		return -EINVAL;
	}
	tdi_stat_inc(tn, TDI_STAT_ACCEPTS);
	tdi_conn_reset(ts);
	tdi_ep_become(ts, skb, mtu, defer, xmitq);
	consume_skb(skb);
	return 0;
}

/* ---- The decision on an offer ---- */

/**
 * tdi_ep_accept() - TDI_ACCEPT: accept the offer an OFFERED endpoint holds
 * @ts: the endpoint, socket lock held
 * @xmitq: where the ACCEPT goes
 *
 * The endpoint is CONNECTED at once; the ACCEPT carries its
 * %TDI_ACCEPT_DATA and goes again until the connector's first frame
 * comes.  What the connector sends after it is received from here on.
 *
 * Return: 0; the offer's end (tdi_ep_error(): -ETIMEDOUT once it expired,
 * -ECONNRESET when the connector gave up), or -EINVAL when there is no
 * offer to decide.
 */
int tdi_ep_accept(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	int err;

	if (ts->state != TDI_STATE_OFFERED) {
		err = tdi_ep_error(ts);
		return err ?: -EINVAL;
	}
	/* echoing the CONNECT's timestamp would give the connector an RTT
	 * sample that includes our decision: echo none
	 */
	ts->ts_recent = 0;
	tdi_ep_send_accept(ts, xmitq);
	tdi_ep_indicate(ts, TDI_IND_CONNECTED);
	return 0;
}

/**
 * tdi_ep_reject() - TDI_REJECT: refuse the offer an OFFERED endpoint holds
 * @ts: the endpoint, socket lock held
 * @xmitq: where the REFUSE goes
 *
 * The connector gets ECONNREFUSED, reason TDI_REASON_REFUSED, and our
 * %TDI_DISCONNECT_DATA.  The endpoint is idle after, still associated.
 *
 * Return: 0, or as tdi_ep_accept() when there is no offer to decide.
 */
int tdi_ep_reject(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	int err;

	if (ts->state != TDI_STATE_OFFERED) {
		err = tdi_ep_error(ts);
		return err ?: -EINVAL;
	}
	tdi_conn_refuse(ts, TDI_REASON_REFUSED, xmitq);
	return 0;
}
