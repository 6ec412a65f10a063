// SPDX-License-Identifier: GPL-2.0
/*
 * tdi kernel face: the in-kernel client API (include/net/tdi.h).
 *
 * The second face of the endpoint core, beside the socket face (socket.c):
 * the same endpoint.c, data.c and conn.c calls, with requests that complete
 * like IRPs instead of calls that wait, and the client's event handlers
 * instead of wake-ups.  Neither face calls the other.
 *
 * Objects.  A struct tdi_address is an address object's socket (a kernel
 * SOCK_DGRAM tdi_sock, bound) with its event handlers; a struct
 * tdi_endpoint is a kernel SOCK_STREAM or SOCK_SEQPACKET tdi_sock with the
 * client's connection context and its outstanding requests.  Each is its
 * socket's face data (tdi_sock.face) and is freed with the socket
 * (tdi_kapi_destruct()).  An open endpoint holds one socket reference,
 * dropped by tdi_close_endpoint().  A struct tdi_address counts its
 * holders in tdi_address.ref (the client until tdi_close_address(), and
 * each associated endpoint); while any is left it holds one socket
 * reference.  Both pin tdi.ko (the sockets' struct proto).
 *
 * Locking.  A kernel endpoint is never owned by a process (no lock_sock();
 * tdi_kapi_ep_ops.process_owned is false): every request takes its socket
 * spinlock with BHs off (tdi_kapi_lock()), as the receive path and the
 * timers do, so frames are taken at once and the backlog stays empty.
 * Outstanding requests wait on the endpoint's lists under that lock.  The
 * handlers of an address object are copied out under tdi_address.lock,
 * which is taken alone or inside a socket spinlock.
 *
 * Events.  The core's indications come through tdi_kapi_ep_ops with no
 * lock held; each sets a bit in tdi_endpoint.events and runs
 * tdi_kapi_run(), as does a request that completed something.  One CPU at
 * a time runs an endpoint's events (bit TDI_EPF_RUNNING; another caller
 * leaves its bits to the one running, which takes them before it stops),
 * in the order of enum tdi_kev, with BHs off and no lock held: for each
 * event, the requests it completes, then the handler.  Handlers and
 * completions may call requests: the events those make run in the loop
 * already running.  A close in process context waits for the loop (and
 * for address handlers) running on another CPU, so that no handler of
 * the object runs once tdi_close_endpoint() or tdi_close_address()
 * returned there; a close in softirq context does not wait.
 */

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/wait_bit.h>
#include <net/tdi.h>

#include "tdi.h"

/**
 * struct tdi_address - an address object of a kernel client
 * @ts: its socket (SOCK_DGRAM, bound, the owner of its datagrams)
 * @ref: the client's hold until it closes the object, and one per
 *	associated endpoint; the last put drops the socket reference
 * @running: handler calls in progress (tdi_close_address() waits for none)
 * @lock: protects @closed and @h
 * @closed: the client closed it: no handler is called any more
 * @h: the event handlers, by enum tdi_event (a NULL function: none)
 */
struct tdi_address {
	struct tdi_sock		*ts;
	refcount_t		ref;
	atomic_t		running;
	spinlock_t		lock;	/* protects closed, h */
	bool			closed;
	struct tdi_event_handler h[__TDI_EVENT_MAX];
};

/* Events of an endpoint, in the order tdi_kapi_run() takes them */
enum tdi_kev {
	TDI_KEV_DONE,		/* requests completed */
	TDI_KEV_CONNECTED,
	TDI_KEV_OFFER,
	TDI_KEV_XRECEIVE,	/* expedited data before normal */
	TDI_KEV_RECEIVE,
	TDI_KEV_SEND,
	TDI_KEV_XSEND,
	TDI_KEV_DISCONNECTED,	/* an error, the peer's release, the end */
};

#define TDI_EPF_RUNNING	0	/* tdi_kapi_run() is at work */
#define TDI_EPF_CLOSED	1	/* tdi_close_endpoint() was called */

/**
 * struct tdi_endpoint - a connection endpoint of a kernel client
 * @ts: its socket
 * @ctx: the client's connection context
 * @addr: the address object it is associated with (a reference held)
 * @events: enum tdi_kev bits, set by anyone, taken by tdi_kapi_run()
 * @flags: TDI_EPF_* bits
 * @connect: the outstanding tdi_connect(), tdi_listen() or tdi_accept()
 * @disconnect: the outstanding tdi_disconnect() of a release
 * @release_timer: its time-out; holds a socket reference while pending
 * @sends: outstanding normal sends, oldest first
 * @xsends: outstanding expedited sends
 * @receives: outstanding normal receives
 * @xreceives: outstanding expedited receives
 * @done: completed requests, to be called back by tdi_kapi_run()
 * @want_send: a non-blocking send found no room: tell send_possible
 * @released: the client released its side (tdi_disconnect())
 * @told_release: the disconnect handler heard of the peer's release
 * @up: a connection (or an offer) was set up on the endpoint since it
 *	was last idle: its end is told to the disconnect handler
 * @gen: counts the connections begun on the endpoint
 *
 * The fields but @events and @flags are under the socket's spinlock.
 */
struct tdi_endpoint {
	struct tdi_sock		*ts;
	void			*ctx;
	struct tdi_address	*addr;
	unsigned long		events;
	unsigned long		flags;
	struct tdi_request	*connect;
	struct tdi_request	*disconnect;
	struct timer_list	release_timer;
	struct list_head	sends;
	struct list_head	xsends;
	struct list_head	receives;
	struct list_head	xreceives;
	struct list_head	done;
	bool			want_send;
	bool			released;
	bool			told_release;
	bool			up;
	u32			gen;
};

static void tdi_kapi_run(struct tdi_endpoint *ep);
static int tdi_kapi_end_error(struct tdi_sock *ts);

/* ---- Locking and completion ---- */

static void tdi_kapi_lock(struct tdi_sock *ts)
	__acquires(&ts->sk.sk_lock.slock)
{
	local_bh_disable();
	bh_lock_sock(&ts->sk);
}

/* Unlock, send what was built, and run what happened meanwhile. */
static void tdi_kapi_unlock(struct tdi_sock *ts, struct sk_buff_head *xmitq)
	__releases(&ts->sk.sk_lock.slock)
{
	bh_unlock_sock(&ts->sk);
	tdi_xmit_flush(sock_net(&ts->sk), xmitq);
	tdi_ep_deliver(ts);
	if (ts->sk.sk_type != SOCK_DGRAM)
		tdi_kapi_run(ts->face);
	local_bh_enable();
}

/* Lock @ep for a request; -EINVAL when it was closed (locked all the same). */
static int tdi_kapi_begin(struct tdi_endpoint *ep, struct sk_buff_head *xmitq)
	__acquires(&ep->ts->sk.sk_lock.slock)
{
	__skb_queue_head_init(xmitq);
	tdi_kapi_lock(ep->ts);
	return test_bit(TDI_EPF_CLOSED, &ep->flags) ? -EINVAL : 0;
}

/* @req is taken: nothing moved, no flags, on no list yet. */
static void tdi_kapi_req_start(struct tdi_request *req)
{
	INIT_LIST_HEAD(&req->node);
	req->done = 0;
	req->flags = 0;
}

/* @req is complete: it is called back once the lock is dropped. */
static void tdi_kapi_complete(struct tdi_endpoint *ep, struct tdi_request *req,
			      int status)
{
	req->status = status;
	list_move_tail(&req->node, &ep->done);
	set_bit(TDI_KEV_DONE, &ep->events);
}

/* Complete every request of @list: with what it moved, or @status. */
static void tdi_kapi_complete_all(struct tdi_endpoint *ep,
				  struct list_head *list, int status)
{
	struct tdi_request *req, *tmp;

	list_for_each_entry_safe(req, tmp, list, node)
		tdi_kapi_complete(ep, req, req->done ? 0 : status);
}

/* Cancel every request of @list (a close): -ECONNABORTED, whatever moved. */
static void tdi_kapi_cancel_all(struct tdi_endpoint *ep,
				struct list_head *list)
{
	struct tdi_request *req, *tmp;

	list_for_each_entry_safe(req, tmp, list, node)
		tdi_kapi_complete(ep, req, -ECONNABORTED);
}

static void tdi_kapi_complete_one(struct tdi_endpoint *ep,
				  struct tdi_request **slot, int status)
{
	struct tdi_request *req = *slot;

	if (!req)
		return;
	*slot = NULL;
	INIT_LIST_HEAD(&req->node);
	tdi_kapi_complete(ep, req, status);
}

/* Call back the completed requests (no lock held). */
static void tdi_kapi_call_done(struct tdi_endpoint *ep)
{
	struct tdi_request *req, *tmp;
	LIST_HEAD(done);

	bh_lock_sock(&ep->ts->sk);
	list_splice_init(&ep->done, &done);
	bh_unlock_sock(&ep->ts->sk);
	list_for_each_entry_safe(req, tmp, &done, node) {
		list_del(&req->node);
		req->complete(req, req->status, req->status ? 0 : req->done);
	}
}

/* The release time-out is over, or no longer needed. */
static void tdi_kapi_stop_release_timer(struct tdi_endpoint *ep)
{
	if (del_timer(&ep->release_timer))
		__sock_put(&ep->ts->sk);
}

/* Keep @it in @req; a single kvec is copied into the request. */
static void tdi_kapi_take_iter(struct tdi_request *req,
			       const struct iov_iter *it)
{
	req->iter = *it;
	if (iov_iter_is_kvec(it) && it->nr_segs == 1) {
		req->kv = *it->kvec;
		req->iter.kvec = &req->kv;
	}
}

/* ---- Address objects and their handlers ---- */

static void tdi_kapi_addr_put(struct tdi_address *a);

/* The handler of @type of @a, if one is set, copied; the call is counted
 * and holds a reference on @a until tdi_kapi_handler_done().
 */
static bool tdi_kapi_handler(struct tdi_address *a, enum tdi_event type,
			     struct tdi_event_handler *h)
{
	bool ok;

	spin_lock_bh(&a->lock);
	*h = a->h[type];
	ok = !a->closed && h->connect;
	if (ok) {
		atomic_inc(&a->running);
		refcount_inc(&a->ref);
	}
	spin_unlock_bh(&a->lock);
	return ok;
}

static void tdi_kapi_handler_done(struct tdi_address *a)
{
	if (atomic_dec_and_test(&a->running))
		wake_up_var(&a->running);
	tdi_kapi_addr_put(a);
}

/* The handler of @type for @ep's events (those of the address object it
 * is associated with now), as tdi_kapi_handler(); NULL when none.
 */
static struct tdi_address *tdi_kapi_ep_handler(struct tdi_endpoint *ep,
					       enum tdi_event type,
					       struct tdi_event_handler *h)
{
	struct tdi_address *a;

	if (test_bit(TDI_EPF_CLOSED, &ep->flags))
		return NULL;
	bh_lock_sock(&ep->ts->sk);
	a = ep->addr;
	if (a && !tdi_kapi_handler(a, type, h))
		a = NULL;
	bh_unlock_sock(&ep->ts->sk);
	return a;
}

static void tdi_kapi_addr_get(struct tdi_address *a)
{
	refcount_inc(&a->ref);
}

static void tdi_kapi_addr_put(struct tdi_address *a)
{
	if (refcount_dec_and_test(&a->ref))
		sock_put(&a->ts->sk);
}

/* ---- Receiving ---- */

/* Fill the receives of @list from the queue they read; true when the
 * queue may still hold data nobody asked for.
 */
static void tdi_kapi_fill(struct tdi_endpoint *ep, bool expedited)
{
	struct list_head *list = expedited ? &ep->xreceives : &ep->receives;
	struct tdi_sock *ts = ep->ts;
	struct tdi_request *req;
	int ret;

	while ((req = list_first_entry_or_null(list, struct tdi_request,
					       node))) {
		if (expedited) {
			unsigned int f = 0;

			ret = tdi_conn_recv_xdata(ts, &req->iter, req->len, 0,
						  &f);
			if (ret == -EAGAIN)
				break;
			if (ret >= 0) {
				req->done = ret;
				req->flags = TDI_RECEIVE_EXPEDITED |
					     (f & MSG_EOR ?
					      TDI_RECEIVE_ENTIRE_MESSAGE :
					      TDI_RECEIVE_PARTIAL);
			}
			tdi_kapi_complete(ep, req, min(ret, 0));
			continue;
		} else {
			struct tdi_recv r = {
				.len = req->len,
				.copied = req->done,
				.msgmode = ts->sk.sk_type == SOCK_SEQPACKET,
			};

			ret = tdi_conn_recv_data(ts, &req->iter, &r);
			req->done = r.copied;
			if (!ret && (!r.copied || r.msgmode))
				break;		/* wait for more */
			if (r.msgmode)
				req->flags = r.eor ? TDI_RECEIVE_ENTIRE_MESSAGE :
					     TDI_RECEIVE_PARTIAL;
			tdi_kapi_complete(ep, req, min(ret, 0));
		}
	}
}

/* What the peer sent can no longer grow: the receives still waiting
 * complete with what they have (0 bytes: the end of the data).
 */
static void tdi_kapi_receives_end(struct tdi_endpoint *ep, int err)
{
	struct tdi_request *req, *tmp;

	list_for_each_entry_safe(req, tmp, &ep->receives, node) {
		if (req->done && ep->ts->sk.sk_type == SOCK_SEQPACKET)
			req->flags = TDI_RECEIVE_PARTIAL;
		tdi_kapi_complete(ep, req, req->done ? 0 : err);
	}
	list_for_each_entry_safe(req, tmp, &ep->xreceives, node)
		tdi_kapi_complete(ep, req, err);
}

/* Bytes of the TSDU at the head of the receive queue (a stream: all),
 * and whether its end is among them.
 */
static size_t tdi_kapi_head_tsdu(struct tdi_sock *ts, bool *entire)
{
	struct sk_buff *skb;
	size_t n = 0;

	*entire = false;
	skb_queue_walk(&ts->sk.sk_receive_queue, skb) {
		n += skb->len - TDI_SKB_CB(skb)->off;
		if (ts->sk.sk_type == SOCK_SEQPACKET &&
		    (TDI_SKB_CB(skb)->flags & TDI_F_EOR)) {
			*entire = true;
			break;
		}
	}
	return n;
}

/* Take @n bytes of what was indicated, if it is still where it was. */
static void tdi_kapi_take(struct tdi_endpoint *ep, struct sk_buff *skb,
			  u32 off, size_t n, bool expedited)
{
	struct tdi_sock *ts = ep->ts;
	struct sk_buff_head *q = expedited ? &ts->xrecv_queue :
				 &ts->sk.sk_receive_queue;
	struct iov_iter discard;

	if (skb_peek(q) != skb || TDI_SKB_CB(skb)->off != off)
		return;		/* gone meanwhile (the connection ended) */
	iov_iter_discard(&discard, ITER_DEST, n);
	if (expedited) {
		unsigned int f = 0;

		tdi_conn_recv_xdata(ts, &discard, n, 0, &f);
	} else {
		struct tdi_recv r = {
			.len = n,
			.msgmode = ts->sk.sk_type == SOCK_SEQPACKET,
		};

		tdi_conn_recv_data(ts, &discard, &r);
	}
}

/* What an indication left to do (tdi_kapi_indicate()) */
enum tdi_kapi_ind {
	TDI_KIND_NEXT,		/* all was taken: indicate what follows */
	TDI_KIND_STOP,		/* nothing more to indicate now */
	TDI_KIND_OTHER,		/* not for this handler: the next kind */
};

/* Indicate to the receive (or receive-expedited) handler: the unread part
 * of the head frame (kernel endpoints keep received frames linear); the
 * handler says how much it took, and that is consumed if nothing changed
 * meanwhile.
 */
static enum tdi_kapi_ind tdi_kapi_indicate_part(struct tdi_endpoint *ep,
						bool expedited)
{
	enum tdi_event type = expedited ? TDI_EVENT_RECEIVE_EXPEDITED :
					  TDI_EVENT_RECEIVE;
	struct tdi_receive_event ev = {};
	struct tdi_sock *ts = ep->ts;
	struct tdi_event_handler h;
	struct sk_buff_head xmitq;
	struct tdi_address *a;
	struct sk_buff *skb;
	bool entire;
	size_t taken;
	u32 off;

	__skb_queue_head_init(&xmitq);
	a = tdi_kapi_ep_handler(ep, type, &h);
	if (!a)
		return TDI_KIND_STOP;
	bh_lock_sock(&ts->sk);
	skb = skb_peek(expedited ? &ts->xrecv_queue : &ts->sk.sk_receive_queue);
	if (!skb || !list_empty(expedited ? &ep->xreceives : &ep->receives)) {
		bh_unlock_sock(&ts->sk);
		tdi_kapi_handler_done(a);
		return TDI_KIND_STOP;
	}
	off = TDI_SKB_CB(skb)->off;
	ev.data = skb->data + off;
	ev.indicated = skb_headlen(skb) > off ? skb_headlen(skb) - off : 0;
	if (expedited) {
		ev.available = skb->len - off;
		ev.flags = TDI_RECEIVE_EXPEDITED | TDI_RECEIVE_ENTIRE_MESSAGE;
	} else {
		ev.available = tdi_kapi_head_tsdu(ts, &entire);
		ev.flags = entire ? TDI_RECEIVE_ENTIRE_MESSAGE : 0;
	}
	skb_get(skb);
	bh_unlock_sock(&ts->sk);

	taken = expedited ? h.receive_expedited(h.context, ep, ep->ctx, &ev) :
			    h.receive(h.context, ep, ep->ctx, &ev);
	tdi_kapi_handler_done(a);
	taken = min(taken, ev.indicated);

	bh_lock_sock(&ts->sk);
	/* an empty TSDU (or its end in a frame of its own) goes with its
	 * indication
	 */
	if (taken || !ev.indicated)
		tdi_kapi_take(ep, skb, off, taken, expedited);
	if (!expedited && tdi_ep_connected(ts))
		tdi_conn_rcv_consumed(ts, &xmitq);
	bh_unlock_sock(&ts->sk);
	tdi_xmit_flush(sock_net(&ts->sk), &xmitq);
	consume_skb(skb);
	if (taken < ev.indicated || (!taken && ev.indicated))
		return TDI_KIND_STOP;	/* the client waits for tdi_receive() */
	return TDI_KIND_NEXT;
}

/* What a chained handler may be given now: a receive waiting comes
 * first; a message-mode TSDU goes whole, once all of it came (or no more
 * of it can come) -- one that fills the receive buffer without its end is
 * for the receive handler, in parts.
 */
static enum tdi_kapi_ind tdi_kapi_chain_ready(struct tdi_endpoint *ep,
					      bool expedited)
{
	struct tdi_sock *ts = ep->ts;

	if (!list_empty(expedited ? &ep->xreceives : &ep->receives))
		return TDI_KIND_STOP;
	if (expedited || ts->sk.sk_type != SOCK_SEQPACKET)
		return TDI_KIND_NEXT;
	switch (tdi_conn_head_tsdu(ts)) {
	case TDI_TSDU_READY:
		return TDI_KIND_NEXT;
	case TDI_TSDU_STUCK:
		return TDI_KIND_OTHER;
	default:
		return TDI_KIND_STOP;
	}
}

/* A chain the handler did not accept goes back to its queue, unless the
 * connection it came from is gone meanwhile (then it is freed).
 */
static void tdi_kapi_chain_back(struct tdi_endpoint *ep, struct sk_buff *chain,
				bool expedited, u32 gen)
{
	struct tdi_sock *ts = ep->ts;
	struct sk_buff_head xmitq;

	__skb_queue_head_init(&xmitq);
	tdi_kapi_lock(ts);
	if (ep->gen == gen && !test_bit(TDI_EPF_CLOSED, &ep->flags) &&
	    !tdi_kapi_end_error(ts))
		tdi_conn_recv_unchain(ts, chain, expedited);
	else
		consume_skb(chain);
	tdi_kapi_unlock(ts, &xmitq);
	sock_put(&ts->sk);
}

/* Indicate to the chained receive handler: the whole TSDU (a stream: all
 * that is queued), which the handler takes, keeps, or leaves queued.
 */
static enum tdi_kapi_ind tdi_kapi_indicate_chain(struct tdi_endpoint *ep,
						 bool expedited)
{
	enum tdi_event type = expedited ? TDI_EVENT_CHAINED_RECEIVE_EXPEDITED :
					  TDI_EVENT_CHAINED_RECEIVE;
	struct tdi_sock *ts = ep->ts;
	struct sk_buff *chain = NULL;
	struct tdi_event_handler h;
	enum tdi_kapi_ind ind;
	struct tdi_address *a;
	unsigned int flags;
	bool entire;
	u32 gen;
	int ret;

	a = tdi_kapi_ep_handler(ep, type, &h);
	if (!a)
		return TDI_KIND_OTHER;
	bh_lock_sock(&ts->sk);
	ind = tdi_kapi_chain_ready(ep, expedited);
	if (ind == TDI_KIND_NEXT) {
		chain = tdi_conn_recv_chain(ts, expedited, &entire);
		if (IS_ERR(chain))	/* no memory: in parts, then */
			ind = TDI_KIND_OTHER;
		else if (!chain)
			ind = TDI_KIND_STOP;
	}
	if (ind != TDI_KIND_NEXT) {
		bh_unlock_sock(&ts->sk);
		tdi_kapi_handler_done(a);
		return ind;
	}
	gen = ep->gen;
	sock_hold(&ts->sk);	/* the chain's, until it is freed */
	bh_unlock_sock(&ts->sk);

	flags = expedited ? TDI_RECEIVE_EXPEDITED : 0;
	if (entire && (expedited || ts->sk.sk_type == SOCK_SEQPACKET))
		flags |= TDI_RECEIVE_ENTIRE_MESSAGE;
	ret = expedited ?
	      h.chained_receive_expedited(h.context, ep, ep->ctx, flags, chain) :
	      h.chained_receive(h.context, ep, ep->ctx, flags, chain);
	tdi_kapi_handler_done(a);
	if (ret == -EAGAIN) {
		/* not accepted: for tdi_receive() or a later indication */
		tdi_kapi_chain_back(ep, chain, expedited, gen);
		return TDI_KIND_STOP;
	}
	if (ret != TDI_CHAINED_KEEP)
		tdi_return_chained_receive(chain);
	return TDI_KIND_NEXT;
}

/* Offer queued data to the client's handlers while no receive request
 * waits: a chained receive handler is given whole TSDUs, the receive
 * handler the rest; it goes on while the handler takes all it is given.
 */
static void tdi_kapi_indicate(struct tdi_endpoint *ep, bool expedited)
{
	enum tdi_kapi_ind ind;

	do {
		ind = tdi_kapi_indicate_chain(ep, expedited);
		if (ind == TDI_KIND_OTHER)
			ind = tdi_kapi_indicate_part(ep, expedited);
	} while (ind == TDI_KIND_NEXT);
}

/* ---- The events of an endpoint ---- */

/* The error a connection that ended (or never was) leaves. */
static int tdi_kapi_end_error(struct tdi_sock *ts)
{
	if (ts->local_abort)
		return -ECONNABORTED;
	if (ts->peer_abort)
		return -ECONNRESET;
	return -READ_ONCE(ts->sk.sk_err);
}

static void tdi_kapi_ev_connected(struct tdi_endpoint *ep)
{
	struct tdi_sock *ts = ep->ts;

	bh_lock_sock(&ts->sk);
	if (tdi_ep_connected(ts)) {
		ep->up = true;
		tdi_kapi_complete_one(ep, &ep->connect, 0);
	}
	bh_unlock_sock(&ts->sk);
}

/* An offer is held undecided: a query-accept listen completes. */
static void tdi_kapi_ev_offer(struct tdi_endpoint *ep)
{
	struct tdi_sock *ts = ep->ts;

	bh_lock_sock(&ts->sk);
	if (ts->state == TDI_STATE_OFFERED) {
		ep->up = true;
		tdi_kapi_complete_one(ep, &ep->connect, 0);
	}
	bh_unlock_sock(&ts->sk);
}

/* Expedited data takes precedence: a normal receive that has part of a
 * TSDU completes with it (TDI_RECEIVE_PARTIAL) before the expedited
 * TSDU is taken.
 */
static void tdi_kapi_cut_receive(struct tdi_endpoint *ep)
{
	struct tdi_request *req;

	req = list_first_entry_or_null(&ep->receives, struct tdi_request,
				       node);
	if (!req || !req->done)
		return;
	if (ep->ts->sk.sk_type == SOCK_SEQPACKET)
		req->flags = TDI_RECEIVE_PARTIAL;
	tdi_kapi_complete(ep, req, 0);
}

static void tdi_kapi_ev_receive(struct tdi_endpoint *ep, bool expedited)
{
	struct tdi_sock *ts = ep->ts;
	struct sk_buff_head xmitq;

	__skb_queue_head_init(&xmitq);
	bh_lock_sock(&ts->sk);
	if (expedited)
		tdi_kapi_cut_receive(ep);
	tdi_kapi_fill(ep, expedited);
	if (!expedited && tdi_ep_connected(ts))
		tdi_conn_rcv_consumed(ts, &xmitq);
	bh_unlock_sock(&ts->sk);
	tdi_xmit_flush(sock_net(&ts->sk), &xmitq);
	tdi_kapi_call_done(ep);
	tdi_kapi_indicate(ep, expedited);
}

/* Try the oldest sends again; true when the client waits to be told. */
static bool tdi_kapi_sends(struct tdi_endpoint *ep, struct sk_buff_head *xmitq)
{
	struct tdi_sock *ts = ep->ts;
	struct tdi_request *req;
	int err;

	while ((req = list_first_entry_or_null(&ep->xsends,
					       struct tdi_request, node))) {
		if ((u16)(ts->xsnd_nxt - ts->xsnd_una) >= TDI_XWND)
			break;
		err = tdi_ep_send_check(ts) ?:
		      tdi_conn_queue_xdata(ts, &req->iter, req->len);
		if (!err)
			req->done = req->len;
		tdi_kapi_complete(ep, req, err);
	}
	while ((req = list_first_entry_or_null(&ep->sends,
					       struct tdi_request, node))) {
		struct tdi_send s = {
			.len = req->len,
			.copied = req->done,
			.eor = ts->sk.sk_type == SOCK_SEQPACKET &&
			       !(req->rflags & TDI_SEND_PARTIAL),
		};

		err = tdi_conn_send_data(ts, &req->iter, &s);
		req->done = s.copied;
		if (err == -EAGAIN)
			break;
		tdi_kapi_complete(ep, req, req->done ? 0 : err);
	}
	tdi_conn_push(ts, xmitq);
	if (!ep->want_send || !list_empty(&ep->sends) ||
	    !list_empty(&ep->xsends) || !sk_stream_memory_free(&ts->sk))
		return false;
	ep->want_send = false;
	return true;
}

static void tdi_kapi_ev_send(struct tdi_endpoint *ep)
{
	struct tdi_sock *ts = ep->ts;
	struct tdi_address *a = NULL;
	struct tdi_event_handler h;
	struct sk_buff_head xmitq;
	bool tell;

	__skb_queue_head_init(&xmitq);
	bh_lock_sock(&ts->sk);
	tell = tdi_kapi_sends(ep, &xmitq);
	bh_unlock_sock(&ts->sk);
	tdi_xmit_flush(sock_net(&ts->sk), &xmitq);
	tdi_kapi_call_done(ep);
	if (tell)
		a = tdi_kapi_ep_handler(ep, TDI_EVENT_SEND_POSSIBLE, &h);
	if (a) {
		h.send_possible(h.context, ep, ep->ctx);
		tdi_kapi_handler_done(a);
	}
}

/* The peer released, or the connection (or the attempt at one) ended:
 * requests that can no longer be met complete, and the handlers hear of
 * what the client did not do itself -- the peer's release once, and an
 * end that was no release (the error first, then the disconnect).
 */
static void tdi_kapi_ev_disconnected(struct tdi_endpoint *ep)
{
	struct tdi_disconnect_event ev = {};
	struct tdi_sock *ts = ep->ts;
	struct tdi_event_handler h;
	struct tdi_address *a;
	struct tdi_udata ud;
	bool tell = false;
	int err = 0;

	bh_lock_sock(&ts->sk);
	if (tdi_ep_connected(ts) || ts->state == TDI_STATE_OFFERED ||
	    ts->state == TDI_STATE_LISTENING ||
	    ts->state == TDI_STATE_CONNECTING) {
		if (ts->peer_released) {
			tdi_kapi_fill(ep, false);
			tdi_kapi_receives_end(ep, 0);
			if (!ep->told_release && !ep->released) {
				ep->told_release = true;
				tell = true;
				ev.flags = TDI_DISCONNECT_RELEASE;
				ev.reason = TDI_REASON_RELEASE;
			}
		}
	} else {
		/* over: what is left of the data can still be read */
		err = tdi_kapi_end_error(ts);
		tdi_kapi_complete_one(ep, &ep->connect,
				      err ?: -ECONNREFUSED);
		tdi_kapi_fill(ep, false);
		tdi_kapi_fill(ep, true);
		tdi_kapi_receives_end(ep, ts->reason == TDI_REASON_RELEASE ?
				      0 : err ?: -ECONNRESET);
		tdi_kapi_complete_all(ep, &ep->sends, err ?: -EPIPE);
		tdi_kapi_complete_all(ep, &ep->xsends, err ?: -EPIPE);
		if (ep->disconnect) {
			tdi_kapi_stop_release_timer(ep);
			tdi_kapi_complete_one(ep, &ep->disconnect,
					      ts->reason == TDI_REASON_RELEASE ?
					      0 : err ?: -ECONNRESET);
		}
		if (ep->up && ts->reason != TDI_REASON_RELEASE &&
		    !ts->local_abort) {
			tell = true;
			ev.flags = TDI_DISCONNECT_ABORT;
			ev.reason = ts->reason;
		}
		ep->up = false;
	}
	if (tell) {
		ud = ts->peer_ud[TDI_UD_DISCONNECT];
		ev.data = ud.data;
		ev.data_len = ud.len;
	}
	bh_unlock_sock(&ts->sk);
	tdi_kapi_call_done(ep);
	if (!tell)
		return;
	if (err && err != -ECONNRESET) {
		a = tdi_kapi_ep_handler(ep, TDI_EVENT_ERROR, &h);
		if (a) {
			h.error(h.context, ep, ep->ctx, err);
			tdi_kapi_handler_done(a);
		}
	}
	a = tdi_kapi_ep_handler(ep, TDI_EVENT_DISCONNECT, &h);
	if (a) {
		h.disconnect(h.context, ep, ep->ctx, &ev);
		tdi_kapi_handler_done(a);
	}
}

/* One event of @ep, by number */
static void tdi_kapi_event(struct tdi_endpoint *ep, int kev)
{
	switch (kev) {
	case TDI_KEV_DONE:
		break;
	case TDI_KEV_CONNECTED:
		tdi_kapi_ev_connected(ep);
		break;
	case TDI_KEV_OFFER:
		tdi_kapi_ev_offer(ep);
		break;
	case TDI_KEV_XRECEIVE:
		tdi_kapi_ev_receive(ep, true);
		break;
	case TDI_KEV_RECEIVE:
		tdi_kapi_ev_receive(ep, false);
		break;
	case TDI_KEV_SEND:
	case TDI_KEV_XSEND:
		tdi_kapi_ev_send(ep);
		break;
	case TDI_KEV_DISCONNECTED:
		tdi_kapi_ev_disconnected(ep);
		break;
	}
	tdi_kapi_call_done(ep);
}

/* Run @ep's events until none is left, on one CPU at a time. */
static void tdi_kapi_run(struct tdi_endpoint *ep)
{
	unsigned long events;
	int kev;

	local_bh_disable();
	while (READ_ONCE(ep->events) &&
	       !test_and_set_bit_lock(TDI_EPF_RUNNING, &ep->flags)) {
		while ((events = xchg(&ep->events, 0)))
			for_each_set_bit(kev, &events, BITS_PER_LONG)
				tdi_kapi_event(ep, kev);
		clear_bit_unlock(TDI_EPF_RUNNING, &ep->flags);
		/* the bit clear before events is read again, and before a
		 * closer waiting for it is woken
		 */
		smp_mb__after_atomic();
		wake_up_bit(&ep->flags, TDI_EPF_RUNNING);
	}
	local_bh_enable();
}

/* ---- The core's indications (struct tdi_ep_ops) ---- */

static void tdi_kapi_post(struct tdi_sock *ts, enum tdi_kev kev)
{
	struct tdi_endpoint *ep = ts->face;

	set_bit(kev, &ep->events);
	tdi_kapi_run(ep);
}

static void tdi_kapi_connected(struct tdi_sock *ts)
{
	tdi_kapi_post(ts, TDI_KEV_CONNECTED);
}

static void tdi_kapi_offer(struct tdi_sock *ts)
{
	tdi_kapi_post(ts, TDI_KEV_OFFER);
}

static void tdi_kapi_receive(struct tdi_sock *ts)
{
	tdi_kapi_post(ts, TDI_KEV_RECEIVE);
}

static void tdi_kapi_receive_expedited(struct tdi_sock *ts)
{
	tdi_kapi_post(ts, TDI_KEV_XRECEIVE);
}

static void tdi_kapi_disconnected(struct tdi_sock *ts)
{
	tdi_kapi_post(ts, TDI_KEV_DISCONNECTED);
}

static void tdi_kapi_send_possible(struct tdi_sock *ts)
{
	tdi_kapi_post(ts, TDI_KEV_SEND);
}

static void tdi_kapi_xsend_possible(struct tdi_sock *ts)
{
	tdi_kapi_post(ts, TDI_KEV_XSEND);
}

static void tdi_kapi_destruct(struct tdi_sock *ts)
{
	kfree(ts->face);
	ts->face = NULL;
}

static const struct tdi_ep_ops tdi_kapi_ep_ops = {
	.connected		= tdi_kapi_connected,
	.offer			= tdi_kapi_offer,
	.receive		= tdi_kapi_receive,
	.receive_expedited	= tdi_kapi_receive_expedited,
	.disconnected		= tdi_kapi_disconnected,
	.error			= tdi_kapi_disconnected,
	.send_possible		= tdi_kapi_send_possible,
	.xsend_possible		= tdi_kapi_xsend_possible,
	.destruct		= tdi_kapi_destruct,
};

/* Copy user data of @kind for the endpoint to send. */
static int tdi_kapi_set_ud(struct tdi_sock *ts, int kind, const void *data,
			   u8 len)
{
	if (len > TDI_MAX_USER_DATA || (len && !data))
		return -EINVAL;
	ts->ud[kind].len = len;
	if (len)
		memcpy(ts->ud[kind].data, data, len);
	return 0;
}

/* An idle @ep cannot begin a new connection yet: the last one's
 * completions, or the disconnect handler's call for an end that was no
 * release, are on their way (the events of the end run first).
 */
static bool tdi_kapi_busy(const struct tdi_endpoint *ep)
{
	const struct tdi_sock *ts = ep->ts;

	return ep->connect || ep->disconnect ||
	       (ep->up && ts->reason != TDI_REASON_RELEASE && !ts->local_abort);
}

/* A new connection begins on @ep: what the handlers were told is reset. */
static void tdi_kapi_new_conn(struct tdi_endpoint *ep)
{
	ep->released = false;
	ep->told_release = false;
	ep->up = false;
	ep->want_send = false;
	ep->gen++;
}

/* ---- The indications of an address object ---- */

/* Datagrams: each to the receive-datagram handler, or dropped. */
static void tdi_kapi_dgram_receive(struct tdi_sock *ats)
{
	struct tdi_address *a = ats->face;
	struct tdi_event_handler h;
	struct sockaddr_tdi from;
	struct sk_buff *skb;
	int err;

	while ((skb = tdi_dgram_recv(ats, MSG_DONTWAIT, &from, &err))) {
		if (!tdi_kapi_handler(a, TDI_EVENT_RECEIVE_DATAGRAM, &h)) {
			kfree_skb(skb);
			continue;
		}
		local_bh_disable();
		h.receive_datagram(h.context, &from, skb);
		local_bh_enable();
		tdi_kapi_handler_done(a);
	}
}

/* An offer no listen took: the connect handler decides. */
static int tdi_kapi_connect_event(struct tdi_sock *ats, struct sk_buff *skb,
				  struct tdi_sock **out)
{
	const struct tdi_frame *fr = TDI_FRAME_CB(skb);
	struct tdi_connect_answer ans = {};
	struct tdi_connect_event ev = {};
	struct tdi_address *a = ats->face;
	struct tdi_event_handler h;
	struct tdi_endpoint *ep;
	struct tdi_udata cd;
	int ret;

	if (!tdi_kapi_handler(a, TDI_EVENT_CONNECT, &h))
		return -ENOENT;
	ev.remote.stdi_family = AF_TDI;
	ev.remote.stdi_port = htons(fr->sport);
	ev.remote.stdi_ifindex = skb->skb_iif;
	ether_addr_copy(ev.remote.stdi_node, eth_hdr(skb)->h_source);
	ev.type = fr->flags & TDI_F_MSGMODE ? SOCK_SEQPACKET : SOCK_STREAM;
	tdi_udata_from_frame(&cd, skb, fr);
	ev.connect_data = cd.data;
	ev.connect_data_len = cd.len;
	ret = h.connect(h.context, &ev, &ans);
	tdi_kapi_handler_done(a);
	if (ret == -ECONNREFUSED)
		return ret;
	ep = ans.ep;
	/* any other answer refuses it: insufficient resources */
	if ((ret != TDI_CONNECT_ACCEPT && ret != TDI_CONNECT_DEFER) || !ep)
		return -ENOMEM;
	bh_lock_sock(&ep->ts->sk);
	/* an endpoint that is not idle is left as it is */
	if (ep->addr != a || test_bit(TDI_EPF_CLOSED, &ep->flags) ||
	    ep->ts->state != TDI_STATE_BOUND || tdi_kapi_busy(ep) ||
	    tdi_kapi_set_ud(ep->ts, TDI_UD_ACCEPT, ans.data, ans.data_len)) {
		ret = -ENOMEM;
	} else {
		tdi_kapi_new_conn(ep);
		sock_hold(&ep->ts->sk);
		*out = ep->ts;
	}
	bh_unlock_sock(&ep->ts->sk);
	return ret;
}

static void tdi_kapi_addr_nop(struct tdi_sock *ts)
{
}

static void tdi_kapi_addr_destruct(struct tdi_sock *ts)
{
	kfree(ts->face);
	ts->face = NULL;
}

static const struct tdi_ep_ops tdi_kapi_addr_ops = {
	.connected		= tdi_kapi_addr_nop,
	.offer			= tdi_kapi_addr_nop,
	.receive		= tdi_kapi_dgram_receive,
	.receive_expedited	= tdi_kapi_addr_nop,
	.disconnected		= tdi_kapi_addr_nop,
	.error			= tdi_kapi_addr_nop,
	.send_possible		= tdi_kapi_addr_nop,
	.xsend_possible		= tdi_kapi_addr_nop,
	.connect_event		= tdi_kapi_connect_event,
	.destruct		= tdi_kapi_addr_destruct,
};

/* ---- Opening and closing ---- */

/* A kernel tdi socket of @type in @net, with @ops and @face. */
static struct tdi_sock *tdi_kapi_sk(struct net *net, int type,
				    const struct tdi_ep_ops *ops, void *face)
{
	struct tdi_sock *ts;
	struct sock *sk;

	sk = tdi_sk_alloc(net, NULL, type, GFP_KERNEL, 0);
	if (!sk)
		return NULL;
	sk->sk_allocation = GFP_ATOMIC;
	ts = tdi_sk(sk);
	ts->ep_ops = ops;
	ts->face = face;
	ts->rcv_linear = 1;
	tdi_link_sock(ts);
	return ts;
}

/**
 * tdi_open_address() - open a transport address object (TdiOpenAddress)
 * @net: the namespace
 * @sa: the address: port 0 for any free one, a node, an interface or a
 *	name as bind() takes them
 * @err: set to the error when NULL is returned
 *
 * Process context; may sleep.  The object takes datagrams for its
 * address and offers that no listen takes, once it has the handlers.
 *
 * Return: the address object, or NULL with *@err: tdi_sockaddr_check()'s
 * errors, -EADDRINUSE, -EADDRNOTAVAIL, -ENOMEM.
 */
struct tdi_address *tdi_open_address(struct net *net,
				     const struct sockaddr_tdi *sa, int *err)
{
	struct tdi_address *a;
	struct tdi_addr *addr;
	struct tdi_sock *ts;

	might_sleep();
	*err = tdi_sockaddr_check(sa, sizeof(*sa));
	if (*err)
		return NULL;
	*err = -ENOMEM;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return NULL;
	refcount_set(&a->ref, 1);
	spin_lock_init(&a->lock);
	ts = tdi_kapi_sk(net, SOCK_DGRAM, &tdi_kapi_addr_ops, a);
	if (!ts) {
		kfree(a);
		return NULL;
	}
	a->ts = ts;
	addr = tdi_addr_create(net, sa, err);
	if (addr) {
		tdi_kapi_lock(ts);
		*err = tdi_ep_associate(ts, addr);
		if (*err)
			tdi_addr_put(addr);
		else
			tdi_dgram_set_owner(addr, ts);
		bh_unlock_sock(&ts->sk);
		local_bh_enable();
	}
	if (*err) {
		sock_put(&ts->sk);	/* frees @a too */
		return NULL;
	}
	return a;
}
EXPORT_SYMBOL_GPL(tdi_open_address);

/**
 * tdi_close_address() - close an address object
 * @a: the object; not to be used again
 *
 * No handler of @a is called any more: in process context, one running on
 * another CPU is waited for.  The address stays taken while endpoints are
 * associated with it.
 */
void tdi_close_address(struct tdi_address *a)
{
	struct tdi_sock *ts = a->ts;
	struct sk_buff_head xmitq;

	spin_lock_bh(&a->lock);
	a->closed = true;
	memset(a->h, 0, sizeof(a->h));
	spin_unlock_bh(&a->lock);
	__skb_queue_head_init(&xmitq);
	sock_orphan(&ts->sk);
	tdi_kapi_lock(ts);
	tdi_ep_orphan(ts, &xmitq);
	tdi_kapi_unlock(ts, &xmitq);
	skb_queue_purge(&ts->sk.sk_receive_queue);
	if (preemptible())
		wait_var_event(&a->running, !atomic_read(&a->running));
	tdi_kapi_addr_put(a);
}
EXPORT_SYMBOL_GPL(tdi_close_address);

/**
 * tdi_set_event_handler() - set or clear one event handler of an address
 * object (TDI_SET_EVENT_HANDLER)
 * @a: the address object
 * @h: the event, the handler (NULL to clear it) and its context
 *
 * Any context.  Endpoints associated with @a have their events told to
 * these handlers; the connect handler sees the offers no listen takes.
 *
 * Return: 0, or -EINVAL for an unknown event or a closed object.
 */
int tdi_set_event_handler(struct tdi_address *a,
			  const struct tdi_event_handler *h)
{
	int err = 0;

	if (h->type < 0 || h->type >= __TDI_EVENT_MAX)
		return -EINVAL;
	spin_lock_bh(&a->lock);
	if (a->closed)
		err = -EINVAL;
	else
		a->h[h->type] = *h;
	spin_unlock_bh(&a->lock);
	return err;
}
EXPORT_SYMBOL_GPL(tdi_set_event_handler);

/* The release time-out: the disconnect completes with -ETIMEDOUT, the
 * release goes on.
 */
static void tdi_kapi_release_timer(struct timer_list *t)
{
	struct tdi_endpoint *ep = from_timer(ep, t, release_timer);
	struct tdi_sock *ts = ep->ts;
	struct sk_buff_head xmitq;

	__skb_queue_head_init(&xmitq);
	tdi_kapi_lock(ts);
	tdi_kapi_complete_one(ep, &ep->disconnect, -ETIMEDOUT);
	tdi_kapi_unlock(ts, &xmitq);
	sock_put(&ts->sk);
}

/**
 * tdi_open_endpoint() - open a connection endpoint (TdiOpenConnection)
 * @net: the namespace
 * @type: SOCK_STREAM (stream TSDUs) or SOCK_SEQPACKET (message TSDUs)
 * @conn_ctx: the client's connection context, passed to its handlers
 * @err: set to the error when NULL is returned
 *
 * Process context; may sleep.  The endpoint is idle until it is
 * associated with an address object.
 *
 * Return: the endpoint, or NULL with *@err: -ESOCKTNOSUPPORT, -ENOMEM.
 */
struct tdi_endpoint *tdi_open_endpoint(struct net *net, int type,
				       void *conn_ctx, int *err)
{
	struct tdi_endpoint *ep;

	might_sleep();
	*err = -ESOCKTNOSUPPORT;
	if (type != SOCK_STREAM && type != SOCK_SEQPACKET)
		return NULL;
	*err = -ENOMEM;
	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep)
		return NULL;
	ep->ctx = conn_ctx;
	INIT_LIST_HEAD(&ep->sends);
	INIT_LIST_HEAD(&ep->xsends);
	INIT_LIST_HEAD(&ep->receives);
	INIT_LIST_HEAD(&ep->xreceives);
	INIT_LIST_HEAD(&ep->done);
	ep->ts = tdi_kapi_sk(net, type, &tdi_kapi_ep_ops, ep);
	if (!ep->ts) {
		kfree(ep);
		return NULL;
	}
	timer_setup(&ep->release_timer, tdi_kapi_release_timer, 0);
	*err = 0;
	return ep;
}
EXPORT_SYMBOL_GPL(tdi_open_endpoint);

/**
 * tdi_close_endpoint() - close a connection endpoint
 * @ep: the endpoint; not to be used again
 *
 * Outstanding requests complete with -ECONNABORTED (TDI's cancel).  What
 * is going on ends at once: a listen stops, an undecided offer is
 * rejected, a connect and a connection -- a release in progress too --
 * are aborted (a client that wants a release asks for it, and closes once
 * it completed).  No handler is called for @ep any more: in process
 * context, one running on another CPU is waited for.
 */
void tdi_close_endpoint(struct tdi_endpoint *ep)
{
	struct tdi_sock *ts = ep->ts;
	struct sk_buff_head xmitq;
	struct tdi_address *a;

	__skb_queue_head_init(&xmitq);
	sock_orphan(&ts->sk);
	tdi_kapi_lock(ts);
	set_bit(TDI_EPF_CLOSED, &ep->flags);
	tdi_kapi_complete_one(ep, &ep->connect, -ECONNABORTED);
	tdi_kapi_complete_one(ep, &ep->disconnect, -ECONNABORTED);
	tdi_kapi_stop_release_timer(ep);
	tdi_kapi_cancel_all(ep, &ep->sends);
	tdi_kapi_cancel_all(ep, &ep->xsends);
	tdi_kapi_cancel_all(ep, &ep->receives);
	tdi_kapi_cancel_all(ep, &ep->xreceives);
	tdi_ep_close(ts, true, &xmitq);
	tdi_ep_orphan(ts, &xmitq);
	a = ep->addr;
	WRITE_ONCE(ep->addr, NULL);
	tdi_kapi_unlock(ts, &xmitq);
	if (a)
		tdi_kapi_addr_put(a);
	if (preemptible())
		wait_on_bit(&ep->flags, TDI_EPF_RUNNING, TASK_UNINTERRUPTIBLE);
	sock_put(&ts->sk);
}
EXPORT_SYMBOL_GPL(tdi_close_endpoint);

/**
 * tdi_endpoint_context() - the connection context an endpoint was opened
 * with
 * @ep: the endpoint
 *
 * Return: the context.
 */
void *tdi_endpoint_context(const struct tdi_endpoint *ep)
{
	return ep->ctx;
}
EXPORT_SYMBOL_GPL(tdi_endpoint_context);

/**
 * tdi_associate_address() - associate an endpoint with an address object
 * (TDI_ASSOCIATE_ADDRESS)
 * @ep: the endpoint, idle and not associated
 * @a: the address object, in the same namespace
 *
 * Any context.  The endpoint's events go to @a's handlers from here on.
 *
 * Return: 0; -EISCONN (associated already, or not idle), -EXDEV (another
 * namespace), -EINVAL (@a was closed).
 */
int tdi_associate_address(struct tdi_endpoint *ep, struct tdi_address *a)
{
	struct tdi_sock *ts = ep->ts;
	struct sk_buff_head xmitq;
	struct tdi_addr *addr;
	int err;

	if (!net_eq(sock_net(&ts->sk), sock_net(&a->ts->sk)))
		return -EXDEV;
	spin_lock_bh(&a->lock);
	err = a->closed ? -EINVAL : 0;
	if (!err)
		tdi_kapi_addr_get(a);
	spin_unlock_bh(&a->lock);
	if (err)
		return err;
	tdi_kapi_lock(a->ts);
	addr = a->ts->addr;
	if (addr)
		tdi_addr_get(addr);
	bh_unlock_sock(&a->ts->sk);
	local_bh_enable();
	if (!addr) {
		tdi_kapi_addr_put(a);
		return -EINVAL;
	}
	err = tdi_kapi_begin(ep, &xmitq) ?: tdi_ep_associate(ts, addr);
	if (!err)
		WRITE_ONCE(ep->addr, a);
	tdi_kapi_unlock(ts, &xmitq);
	if (err) {
		tdi_addr_put(addr);
		tdi_kapi_addr_put(a);
	}
	return err;
}
EXPORT_SYMBOL_GPL(tdi_associate_address);

/**
 * tdi_disassociate_address() - undo tdi_associate_address()
 * (TDI_DISASSOCIATE_ADDRESS)
 * @ep: the endpoint, idle
 *
 * Any context.
 *
 * Return: 0; -EINVAL (not associated), -EISCONN (not idle).
 */
int tdi_disassociate_address(struct tdi_endpoint *ep)
{
	struct tdi_sock *ts = ep->ts;
	struct sk_buff_head xmitq;
	struct tdi_address *a;
	int err;

	__skb_queue_head_init(&xmitq);
	tdi_kapi_lock(ts);
	a = ep->addr;
	err = a ? tdi_ep_disassociate(ts) : -EINVAL;
	if (!err)
		WRITE_ONCE(ep->addr, NULL);
	tdi_kapi_unlock(ts, &xmitq);
	if (!err)
		tdi_kapi_addr_put(a);
	return err;
}
EXPORT_SYMBOL_GPL(tdi_disassociate_address);

/**
 * tdi_connect() - connect to a remote address (TDI_CONNECT)
 * @ep: the endpoint, associated and idle
 * @req: completes with 0 once connected, or with the error: -ECONNREFUSED
 *	(refused, or rejected: tdi_peer_user_data() has the reject's
 *	disconnect data), -ETIMEDOUT, -ECONNABORTED (closed), -ENETDOWN
 *	(the device went down)
 * @to: the remote address (its port must not be 0)
 * @data: connect data for the CONNECT, or NULL
 * @data_len: its length, 0 to TDI_MAX_USER_DATA
 * @timeout_ms: how long to try; 0 for net.tdi.connect_timeout_ms (a held
 *	offer extends it, as for a socket)
 *
 * Any context.
 *
 * Return: 0 (@req completes), or at once: tdi_sockaddr_check()'s errors,
 * -EINVAL (port 0, user data, not associated, closed), -EALREADY
 * (connecting or listening), -EISCONN (connected), -EBUSY (a request of
 * the kind outstanding, or the last connection's end not told to the
 * handlers yet: try again from the disconnect handler), the route's
 * errors.
 */
int tdi_connect(struct tdi_endpoint *ep, struct tdi_request *req,
		const struct sockaddr_tdi *to, const void *data, u8 data_len,
		u32 timeout_ms)
{
	struct tdi_sock *ts = ep->ts;
	struct sk_buff_head xmitq;
	int err;

	err = tdi_sockaddr_check(to, sizeof(*to));
	if (err)
		return err;
	if (!to->stdi_port)
		return -EINVAL;
	err = tdi_kapi_begin(ep, &xmitq);
	if (err || !ts->addr) {
		err = -EINVAL;
	} else if (ts->state == TDI_STATE_CONNECTING ||
		   ts->state == TDI_STATE_LISTENING) {
		err = -EALREADY;
	} else if (ts->state != TDI_STATE_BOUND) {
		err = -EISCONN;
	} else if (tdi_kapi_busy(ep)) {
		err = -EBUSY;
	} else {
		err = tdi_kapi_set_ud(ts, TDI_UD_CONNECT, data, data_len);
	}
	if (!err) {
		if (!timeout_ms)
			timeout_ms = READ_ONCE(tdi_tn(ts)->sysctl.connect_timeout_ms);
		err = tdi_conn_connect(ts, to, timeout_ms, &xmitq);
	}
	if (!err) {
		tdi_kapi_new_conn(ep);
		tdi_kapi_req_start(req);
		ep->connect = req;
	}
	tdi_kapi_unlock(ts, &xmitq);
	return err;
}
EXPORT_SYMBOL_GPL(tdi_connect);

/**
 * tdi_listen() - wait for an offer on the endpoint itself (TDI_LISTEN)
 * @ep: the endpoint, associated and idle
 * @req: completes with 0 once an offer connected the endpoint (or, with
 *	TDI_QUERY_ACCEPT, is held on it undecided: then tdi_accept() or
 *	tdi_disconnect() decides), or with -ETIMEDOUT, -ECONNABORTED,
 *	-ENETDOWN
 * @l: flags, time-out and filter
 *
 * Any context.  Listens of one address object are served in the order
 * they were made, before its connect handler.
 *
 * Return: 0 (@req completes), or at once: -EINVAL (flags, filter, not
 * associated, closed), -EALREADY, -EISCONN, -EBUSY (as tdi_connect()).
 */
int tdi_listen(struct tdi_endpoint *ep, struct tdi_request *req,
	       const struct tdi_listen_request *l)
{
	struct tdi_listen tl = {
		.flags = l->flags,
		.timeout_ms = l->timeout_ms ?: -1,
		.filter = l->filter,
	};
	struct tdi_sock *ts = ep->ts;
	struct sk_buff_head xmitq;
	int err;

	if (l->timeout_ms > INT_MAX)
		return -EINVAL;
	err = tdi_kapi_begin(ep, &xmitq);
	if (!err && ts->state == TDI_STATE_BOUND && tdi_kapi_busy(ep))
		err = -EBUSY;
	if (!err)
		err = tdi_ep_listen_tdi(ts, &tl);
	if (!err) {
		tdi_kapi_new_conn(ep);
		tdi_kapi_req_start(req);
		ep->connect = req;
	}
	tdi_kapi_unlock(ts, &xmitq);
	return err;
}
EXPORT_SYMBOL_GPL(tdi_listen);

/**
 * tdi_accept() - accept the offer an endpoint holds (TDI_ACCEPT)
 * @ep: an endpoint holding an offer undecided (a query-accept listen, or
 *	a connect handler's TDI_CONNECT_DEFER)
 * @req: completes with 0 (the endpoint is connected at once), or with the
 *	offer's end: -ETIMEDOUT (it expired), -ECONNRESET (the connector gave
 *	up)
 * @data: accept data for the ACCEPT, or NULL for the endpoint's (a
 *	connect handler's answer)
 * @data_len: its length
 *
 * Any context.
 *
 * Return: 0 (@req completes), or at once: -EINVAL (no offer, user data,
 * closed), -EBUSY (a rejection outstanding).
 */
int tdi_accept(struct tdi_endpoint *ep, struct tdi_request *req,
	       const void *data, u8 data_len)
{
	struct tdi_sock *ts = ep->ts;
	struct sk_buff_head xmitq;
	int err;

	err = tdi_kapi_begin(ep, &xmitq);
	if (!err && ts->state != TDI_STATE_OFFERED)
		err = -EINVAL;
	if (!err && ep->disconnect)
		err = -EBUSY;
	if (!err && data)
		err = tdi_kapi_set_ud(ts, TDI_UD_ACCEPT, data, data_len);
	/* the listen that took the offer, if its event has not run yet */
	if (!err)
		tdi_kapi_complete_one(ep, &ep->connect, 0);
	if (!err) {
		tdi_kapi_req_start(req);
		tdi_kapi_complete(ep, req, tdi_ep_accept(ts, &xmitq));
	}
	tdi_kapi_unlock(ts, &xmitq);
	return err;
}
EXPORT_SYMBOL_GPL(tdi_accept);

/**
 * tdi_disconnect() - end a connection, or reject an offer (TDI_DISCONNECT)
 * @ep: the endpoint
 * @req: completes: an abort or a rejection at once with 0; a release with
 *	0 once both sides released and the connection ended (the endpoint is
 *	idle again), -ETIMEDOUT when @timeout_ms passed first (the release
 *	goes on), or the error the connection ended with
 * @flags: TDI_DISCONNECT_RELEASE or TDI_DISCONNECT_ABORT
 * @data: disconnect data for the RELEASE, RESET or REFUSE, or NULL
 * @data_len: its length
 * @timeout_ms: a release's time-out; 0 for net.tdi.disconnect_timeout_ms,
 *	U32_MAX for none
 *
 * Any context.  Requests that were waiting complete: sends with
 * -ECONNABORTED after an abort.
 *
 * Return: 0 (@req completes), or at once: -EINVAL (flags, user data,
 * closed), -ENOTCONN (nothing to end), -EBUSY (a release outstanding),
 * -ENOMEM (the RELEASE could not be queued).
 */
int tdi_disconnect(struct tdi_endpoint *ep, struct tdi_request *req,
		   unsigned int flags, const void *data, u8 data_len,
		   u32 timeout_ms)
{
	struct tdi_sock *ts = ep->ts;
	struct sk_buff_head xmitq;
	int err, done;

	if (flags != TDI_DISCONNECT_RELEASE && flags != TDI_DISCONNECT_ABORT)
		return -EINVAL;
	err = tdi_kapi_begin(ep, &xmitq);
	if (!err && ep->disconnect)
		err = -EBUSY;
	if (!err)
		err = tdi_kapi_set_ud(ts, TDI_UD_DISCONNECT, data, data_len);
	if (err)
		goto out;
	if (ts->state == TDI_STATE_OFFERED || flags == TDI_DISCONNECT_ABORT) {
		/* a listen whose offer is rejected (or aborted) before its
		 * event ran: it did take that offer
		 */
		if (ts->state == TDI_STATE_OFFERED ||
		    (tdi_ep_connected(ts) && ep->connect))
			tdi_kapi_complete_one(ep, &ep->connect, 0);
		err = tdi_ep_disconnect(ts, flags, &xmitq);
		if (!err) {
			/* the client's own doing: no disconnect handler */
			ep->up = false;
			tdi_kapi_req_start(req);
			tdi_kapi_complete(ep, req, 0);
		}
		goto out;
	}
	err = tdi_ep_disconnect(ts, flags, &xmitq);
	if (err)
		goto out;
	ep->released = true;
	tdi_kapi_req_start(req);
	done = tdi_ep_released(ts);
	if (done < 0 || !tdi_ep_connected(ts)) {
		/* over already: by the releases, or otherwise */
		tdi_kapi_complete(ep, req, ts->reason == TDI_REASON_RELEASE ?
				  0 : min(done, 0));
		goto out;
	}
	ep->disconnect = req;
	if (!timeout_ms)
		timeout_ms = READ_ONCE(tdi_tn(ts)->sysctl.disconnect_timeout_ms);
	if (timeout_ms != U32_MAX) {
		sock_hold(&ts->sk);
		if (mod_timer(&ep->release_timer,
			      jiffies + msecs_to_jiffies(timeout_ms)))
			__sock_put(&ts->sk);
	}
out:
	tdi_kapi_unlock(ts, &xmitq);
	return err;
}
EXPORT_SYMBOL_GPL(tdi_disconnect);

/* An expedited send: at once, or after those waiting for the window. */
static int tdi_kapi_send_expedited(struct tdi_endpoint *ep,
				   struct tdi_request *req, bool nonblock,
				   struct sk_buff_head *xmitq)
{
	struct tdi_sock *ts = ep->ts;
	int err;

	if (!req->len)
		return -EINVAL;
	if (req->len > TDI_MAX_EXPEDITED)
		return -EMSGSIZE;
	if (list_empty(&ep->xsends) &&
	    (u16)(ts->xsnd_nxt - ts->xsnd_una) < TDI_XWND) {
		err = tdi_conn_queue_xdata(ts, &req->iter, req->len);
		if (err)
			return err;
		req->done = req->len;
		tdi_kapi_complete(ep, req, 0);
		tdi_conn_push(ts, xmitq);
		return 0;
	}
	if (nonblock) {
		ep->want_send = true;
		return -EAGAIN;
	}
	list_add_tail(&req->node, &ep->xsends);
	return 0;
}

/**
 * tdi_send() - send normal or expedited data (TDI_SEND)
 * @ep: the endpoint, connected (its side not released)
 * @req: completes with 0 and the bytes taken, once all of @from is queued
 *	to be sent (a non-blocking send that found room for part of a stream
 *	TSDU: that part), or with the error the connection ended with
 * @from: the data, a kernel iov_iter; its buffer stays the client's
 *	until @req completes
 * @flags: TDI_SEND_EXPEDITED (one expedited TSDU of 1 to
 *	TDI_MAX_EXPEDITED bytes), TDI_SEND_PARTIAL (the TSDU goes on in the
 *	next send; message mode), TDI_SEND_NON_BLOCKING
 *
 * Any context.  Sends are taken in order; in message mode a TSDU that
 * fits an empty send buffer is taken whole or not at all.  A
 * non-blocking send that finds no room fails with -EAGAIN, and the
 * send-possible handler is called when room comes.
 *
 * Return: 0 (@req completes), or at once: -EAGAIN, -EMSGSIZE, -EINVAL,
 * -EPIPE (our side released), -ENOTCONN, the connection's error
 * (-ECONNRESET, -ECONNABORTED, ...), -ENOBUFS.
 */
int tdi_send(struct tdi_endpoint *ep, struct tdi_request *req,
	     struct iov_iter *from, unsigned int flags)
{
	bool nonblock = flags & TDI_SEND_NON_BLOCKING;
	struct tdi_sock *ts = ep->ts;
	struct sk_buff_head xmitq;
	struct tdi_send s = {
		.len = iov_iter_count(from),
		.eor = ts->sk.sk_type == SOCK_SEQPACKET &&
		       !(flags & TDI_SEND_PARTIAL),
		.nonblock = nonblock,
	};
	int err;

	if (flags & ~(TDI_SEND_EXPEDITED | TDI_SEND_PARTIAL |
		      TDI_SEND_NON_BLOCKING) || s.len > INT_MAX)
		return -EINVAL;
	tdi_kapi_take_iter(req, from);
	tdi_kapi_req_start(req);
	req->len = s.len;
	req->rflags = flags;
	err = tdi_kapi_begin(ep, &xmitq) ?: tdi_ep_send_check(ts);
	if (err)
		goto out;
	if (flags & TDI_SEND_EXPEDITED) {
		err = tdi_kapi_send_expedited(ep, req, nonblock, &xmitq);
		goto out;
	}
	if (!list_empty(&ep->sends)) {
		if (nonblock) {
			ep->want_send = true;
			err = -EAGAIN;
		} else {
			list_add_tail(&req->node, &ep->sends);
		}
		goto out;
	}
	err = tdi_conn_send_data(ts, &req->iter, &s);
	req->done = s.copied;
	tdi_conn_push(ts, &xmitq);
	if (err == -EAGAIN && !nonblock) {
		list_add_tail(&req->node, &ep->sends);
		err = 0;
		goto out;
	}
	if (err == -EAGAIN && !s.copied)
		ep->want_send = true;
	if (!err || s.copied) {
		tdi_kapi_complete(ep, req, 0);
		err = 0;
	}
out:
	tdi_kapi_unlock(ts, &xmitq);
	return err;
}
EXPORT_SYMBOL_GPL(tdi_send);

/**
 * tdi_receive() - receive normal or expedited data (TDI_RECEIVE)
 * @ep: the endpoint
 * @req: completes with 0 and the bytes read -- a stream as soon as some
 *	came, message mode at the end of the TSDU or when @to is full
 *	(@req->flags says which) -- 0 bytes at the end of the peer's data,
 *	or with the error the connection ended with
 * @to: where the data goes, a kernel iov_iter; its buffer is tdi's until
 *	@req completes
 * @flags: TDI_RECEIVE_EXPEDITED (an expedited TSDU, or its part that
 *	fits), TDI_RECEIVE_PEEK (complete at once with what is queued, leave
 *	it queued)
 *
 * Any context.  A receive waiting takes the data before the receive
 * handler is offered any.
 *
 * Return: 0 (@req completes), or at once: -EINVAL, -ENOTCONN (no
 * connection, and nothing left to read).
 */
int tdi_receive(struct tdi_endpoint *ep, struct tdi_request *req,
		struct iov_iter *to, unsigned int flags)
{
	bool expedited = flags & TDI_RECEIVE_EXPEDITED;
	struct tdi_sock *ts = ep->ts;
	struct sk_buff_head xmitq;
	int err;

	if (flags & ~(TDI_RECEIVE_EXPEDITED | TDI_RECEIVE_PEEK))
		return -EINVAL;
	tdi_kapi_take_iter(req, to);
	tdi_kapi_req_start(req);
	req->len = iov_iter_count(to);
	req->rflags = flags;
	err = tdi_kapi_begin(ep, &xmitq) ?: tdi_ep_recv_check(ts);
	if (err)
		goto out;
	if (flags & TDI_RECEIVE_PEEK) {
		struct tdi_recv r = {
			.len = req->len,
			.peek = true,
			.msgmode = ts->sk.sk_type == SOCK_SEQPACKET,
		};
		unsigned int f = 0;
		int n;

		if (expedited) {
			n = tdi_conn_recv_xdata(ts, &req->iter, req->len,
						MSG_PEEK, &f);
			n = n == -EAGAIN ? 0 : n;
		} else {
			n = tdi_conn_recv_data(ts, &req->iter, &r);
			n = n < 0 ? n : r.copied;
		}
		if (n >= 0)
			req->done = n;
		tdi_kapi_complete(ep, req, min(n, 0));
		goto out;
	}
	list_add_tail(&req->node, expedited ? &ep->xreceives : &ep->receives);
	/* what is queued now, or the end already there */
	set_bit(expedited ? TDI_KEV_XRECEIVE : TDI_KEV_RECEIVE, &ep->events);
	if (!tdi_ep_connected(ts) || (ts->sk.sk_shutdown & RCV_SHUTDOWN))
		set_bit(TDI_KEV_DISCONNECTED, &ep->events);
out:
	tdi_kapi_unlock(ts, &xmitq);
	return err;
}
EXPORT_SYMBOL_GPL(tdi_receive);

/**
 * tdi_send_datagram() - send a datagram from an address object
 * (TDI_SEND_DATAGRAM)
 * @a: the address object
 * @to: the destination (node ff:ff:ff:ff:ff:ff: broadcast)
 * @from: the payload, a kernel iov_iter
 *
 * Any context; never waits for room.
 *
 * Return: the bytes sent, or tdi_dgram_send()'s errors (-EAGAIN when the
 * send buffer is full).
 */
int tdi_send_datagram(struct tdi_address *a, const struct sockaddr_tdi *to,
		      struct iov_iter *from)
{
	struct tdi_sock *ts = a->ts;
	struct sk_buff_head xmitq;
	int err;

	err = tdi_sockaddr_check(to, sizeof(*to));
	if (err)
		return err;
	__skb_queue_head_init(&xmitq);
	tdi_kapi_lock(ts);
	sock_set_flag(&ts->sk, SOCK_BROADCAST);
	err = tdi_dgram_send(ts, to, from, iov_iter_count(from), true, &xmitq);
	tdi_kapi_unlock(ts, &xmitq);
	return err;
}
EXPORT_SYMBOL_GPL(tdi_send_datagram);

/**
 * tdi_query_information() - the connection's information
 * (TDI_QUERY_INFORMATION, TDI_QUERY_CONNECTION_INFO)
 * @ep: the endpoint
 * @info: filled in as getsockopt(TDI_INFO) fills it
 *
 * Any context.
 *
 * Return: 0.
 */
int tdi_query_information(struct tdi_endpoint *ep, struct tdi_info *info)
{
	struct sk_buff_head xmitq;

	tdi_kapi_begin(ep, &xmitq);
	tdi_fill_info(ep->ts, info);
	tdi_kapi_unlock(ep->ts, &xmitq);
	return 0;
}
EXPORT_SYMBOL_GPL(tdi_query_information);

/**
 * tdi_query_provider() - what the transport provides
 * (TDI_QUERY_PROVIDER_INFO)
 * @ep: an endpoint (the sizes are its own)
 * @pi: filled in as getsockopt(TDI_PROVIDER_INFO) fills it
 *
 * Any context.
 *
 * Return: 0.
 */
int tdi_query_provider(struct tdi_endpoint *ep, struct tdi_provider_info *pi)
{
	struct sk_buff_head xmitq;

	tdi_kapi_begin(ep, &xmitq);
	tdi_fill_provider(ep->ts, pi);
	tdi_kapi_unlock(ep->ts, &xmitq);
	return 0;
}
EXPORT_SYMBOL_GPL(tdi_query_provider);

/**
 * tdi_peer_user_data() - user data the peer sent
 * @ep: the endpoint
 * @kind: TDI_CONNECT_DATA, TDI_ACCEPT_DATA or TDI_DISCONNECT_DATA
 * @buf: where it goes
 * @len: room in @buf (TDI_MAX_USER_DATA is always enough)
 *
 * Any context.  Readable until the endpoint is used again.
 *
 * Return: the length of the data, or -EINVAL (@kind), -EMSGSIZE (@len
 * too small).
 */
int tdi_peer_user_data(struct tdi_endpoint *ep, int kind, void *buf,
		       size_t len)
{
	struct sk_buff_head xmitq;
	struct tdi_udata ud;
	int k;

	switch (kind) {
	case TDI_CONNECT_DATA:
		k = TDI_UD_CONNECT;
		break;
	case TDI_ACCEPT_DATA:
		k = TDI_UD_ACCEPT;
		break;
	case TDI_DISCONNECT_DATA:
		k = TDI_UD_DISCONNECT;
		break;
	default:
		return -EINVAL;
	}
	tdi_kapi_begin(ep, &xmitq);
	ud = ep->ts->peer_ud[k];
	tdi_kapi_unlock(ep->ts, &xmitq);
	if (ud.len > len)
		return -EMSGSIZE;
	memcpy(buf, ud.data, ud.len);
	return ud.len;
}
EXPORT_SYMBOL_GPL(tdi_peer_user_data);

/**
 * tdi_disconnect_reason() - why the endpoint's last connection (or offer,
 * or attempt at one) ended (TDI_DISCONNECT_REASON)
 * @ep: the endpoint
 *
 * Any context.  Readable until the endpoint is used again.
 *
 * Return: TDI_REASON_*; TDI_REASON_NONE while nothing ended.
 */
int tdi_disconnect_reason(struct tdi_endpoint *ep)
{
	return READ_ONCE(ep->ts->reason);
}
EXPORT_SYMBOL_GPL(tdi_disconnect_reason);

/**
 * tdi_return_chained_receive() - hand back a chain a chained receive
 * handler kept (TdiReturnChainedReceives)
 * @chain: the skb the handler was given, as it was given
 *
 * Any context (BHs may be off); also after the endpoint was closed.  The
 * receive buffer space the chain held is free again, and the peer is told
 * of the window that opens.  A chain must be handed back promptly: while
 * it is kept, it counts against the endpoint's receive buffer.
 */
void tdi_return_chained_receive(struct sk_buff *chain)
{
	struct tdi_sock *ts = tdi_sk(chain->sk);
	struct sk_buff_head xmitq;

	__skb_queue_head_init(&xmitq);
	tdi_kapi_lock(ts);
	consume_skb(chain);	/* each frame uncharges itself */
	if (tdi_ep_connected(ts))
		tdi_conn_rcv_consumed(ts, &xmitq);
	tdi_kapi_unlock(ts, &xmitq);
	sock_put(&ts->sk);
}
EXPORT_SYMBOL_GPL(tdi_return_chained_receive);
