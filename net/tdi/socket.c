// SPDX-License-Identifier: GPL-2.0
/* tdi socket operations: the proto_ops of address objects (SOCK_DGRAM)
 * and connection endpoints (SOCK_STREAM, SOCK_SEQPACKET).
 *
 * The socket face of the endpoint core: the core (endpoint.c, data.c)
 * does the work and never sleeps; this file adds what only a socket has:
 * waiting (tdi_wait()), msghdr flags, signals, poll and the ioctls.
 *
 * Process context, socket lock owned.  Frames built here are collected on
 * a local queue and sent once the socket's spinlock-protected state is
 * settled; a process may send while it owns the socket lock (never under a
 * spinlock).
 */

#include <linux/etherdevice.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/socket.h>
#include <linux/sockios.h>
#include <linux/uio.h>
#include <asm/ioctls.h>
#include <net/sock.h>

#include "tdi.h"

/**
 * tdi_wait() - wait for a condition, the socket lock held
 * @ts: the endpoint
 * @timeo: the time left (sock_rcvtimeo(), sock_sndtimeo(); 0 is
 *	non-blocking); lowered by the time waited
 * @done: what to wait for; called under the lock, first before any
 *	sleep, and again after each wake-up (sk_wait_event() also calls it
 *	once unlocked, after the backlog is processed: it must only read)
 * @arg: passed to @done
 *
 * The one wait of the socket face: every blocking call sleeps here, woken
 * by the indications the core delivers (tdi_sock_ep_ops).  The lock is
 * dropped while asleep, so the endpoint may have changed on return.
 *
 * Return: 0 once @done is true, -EAGAIN when @timeo runs out (at once,
 * without sleeping, if it was 0), or sock_intr_errno() when a signal
 * comes first.
 */
static int tdi_wait(struct tdi_sock *ts, long *timeo,
		    bool (*done)(struct tdi_sock *ts, const void *arg),
		    const void *arg)
{
	struct sock *sk = &ts->sk;
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int err = 0;

	add_wait_queue(sk_sleep(sk), &wait);
	while (!done(ts, arg)) {
		if (!*timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(*timeo);
			break;
		}
		sk_wait_event(sk, timeo, done(ts, arg), &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return err;
}

static void tdi_flush(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	tdi_xmit_flush(sock_net(&ts->sk), xmitq);
}

/* SO_LINGER: the connection has ended */
static bool tdi_unhashed(struct tdi_sock *ts, const void *arg)
{
	return !ts->hashed;
}

/* close() with SO_LINGER {1, t}: wait up to t for the release, then abort */
static void tdi_linger(struct tdi_sock *ts, struct sk_buff_head *xmitq)
{
	long timeo = ts->sk.sk_lingertime;

	tdi_flush(ts, xmitq);
	if (tdi_wait(ts, &timeo, tdi_unhashed, NULL))	/* time up, or a signal */
		tdi_ep_abort(ts, xmitq);
}

static int tdi_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct sk_buff_head xmitq;
	struct tdi_sock *ts;

	if (!sk)
		return 0;
	ts = tdi_sk(sk);
	__skb_queue_head_init(&xmitq);

	lock_sock(sk);
	/* SO_LINGER {1, 0} aborts; {1, t} waits for the release */
	if (tdi_ep_close(ts, sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime,
			 &xmitq) && sock_flag(sk, SOCK_LINGER))
		tdi_linger(ts, &xmitq);
	sock_orphan(sk);
	tdi_ep_orphan(ts, &xmitq);
	release_sock(sk);
	tdi_flush(ts, &xmitq);

	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

static int tdi_bind(struct socket *sock, struct sockaddr *uaddr, int len)
{
	struct sockaddr_tdi *sa = (struct sockaddr_tdi *)uaddr;
	struct sock *sk = sock->sk;
	struct tdi_sock *ts = tdi_sk(sk);
	struct tdi_addr *addr;
	int err;

	err = tdi_sockaddr_check(sa, len);
	if (err)
		return err;

	lock_sock(sk);
	if (ts->addr) {
		err = -EINVAL;
		goto out;
	}
	addr = tdi_addr_create(sock_net(sk), sa, &err);
	if (!addr)
		goto out;
	err = tdi_ep_associate(ts, addr);
	if (err)
		tdi_addr_put(addr);
	else if (sk->sk_type == SOCK_DGRAM)
		tdi_dgram_set_owner(addr, ts);	/* takes its datagrams */
out:
	release_sock(sk);
	return err;
}

/* connect() or listen() on an endpoint with no address: bind port 0. */
static int tdi_autobind(struct tdi_sock *ts)
{
	struct sockaddr_tdi sa = { .stdi_family = AF_TDI };
	struct tdi_addr *addr;
	int err;

	addr = tdi_addr_create(sock_net(&ts->sk), &sa, &err);
	if (!addr)
		return err;
	err = tdi_ep_associate(ts, addr);
	if (err)
		tdi_addr_put(addr);
	return err;
}

static int tdi_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sockaddr_tdi *sa = (struct sockaddr_tdi *)uaddr;
	struct sock *sk = sock->sk;
	struct tdi_sock *ts = tdi_sk(sk);
	int err = sizeof(*sa);

	lock_sock(sk);
	memset(sa, 0, sizeof(*sa));
	sa->stdi_family = AF_TDI;
	if (peer) {
		/* an OFFERED endpoint shows the offer */
		if (tdi_ep_connected(ts) || ts->state == TDI_STATE_OFFERED) {
			sa->stdi_port = htons(ts->rport);
			sa->stdi_ifindex = ts->ifindex;
			ether_addr_copy(sa->stdi_node, ts->peer_mac);
		} else {
			err = -ENOTCONN;
		}
	} else if (ts->addr) {
		tdi_addr_fill(ts->addr, sa);
	}
	release_sock(sk);
	return err;
}

static __poll_t tdi_poll(struct file *file, struct socket *sock,
			 poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct tdi_sock *ts = tdi_sk(sk);
	__poll_t mask = 0;
	u8 shutdown;

	sock_poll_wait(file, sock, wait);
	if (READ_ONCE(sk->sk_err) || READ_ONCE(ts->peer_abort))
		mask |= EPOLLERR;
	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	switch (READ_ONCE(ts->state)) {
	case TDI_STATE_LISTENING:
		if (READ_ONCE(sk->sk_ack_backlog))
			mask |= EPOLLIN | EPOLLRDNORM;
		return mask;
	case TDI_STATE_OFFERED:
		/* an offer waits for the decision */
		return mask | EPOLLIN | EPOLLRDNORM;
	}
	if (!skb_queue_empty_lockless(&sk->sk_receive_queue))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (!skb_queue_empty_lockless(&ts->xrecv_queue))
		mask |= EPOLLPRI | EPOLLRDBAND;
	if (READ_ONCE(ts->state) == TDI_STATE_CONNECTED ||
	    READ_ONCE(ts->state) == TDI_STATE_RELEASE_RECEIVED) {
		if (sk_stream_is_writeable(sk)) {
			mask |= EPOLLOUT | EPOLLWRNORM;
		} else {
			sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
			set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
			/* the race with sk_stream_write_space() */
			smp_mb__after_atomic();
			if (sk_stream_is_writeable(sk))
				mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	return mask;
}

static bool tdi_connect_over(struct tdi_sock *ts, const void *arg)
{
	return ts->state != TDI_STATE_CONNECTING;
}

/* A blocking connect() waits for the answer: 0, or the connection's error. */
static int tdi_connect_wait(struct socket *sock, struct tdi_sock *ts)
{
	long timeo = MAX_SCHEDULE_TIMEOUT;
	int err;

	err = tdi_wait(ts, &timeo, tdi_connect_over, NULL);
	if (err)
		return err;
	if (tdi_ep_connected(ts)) {
		sock->state = SS_CONNECTED;
		return 0;
	}
	sock->state = SS_UNCONNECTED;
	return tdi_ep_error(ts) ?: -ECONNREFUSED;
}

static int tdi_connect(struct socket *sock, struct sockaddr *uaddr,
		       int len, int flags)
{
	struct sockaddr_tdi *sa = (struct sockaddr_tdi *)uaddr;
	struct sock *sk = sock->sk;
	struct tdi_sock *ts = tdi_sk(sk);
	struct sk_buff_head xmitq;
	long timeout_ms;
	int err;

	err = tdi_sockaddr_check(sa, len);
	if (err)
		return err;
	if (!sa->stdi_port)
		return -EINVAL;
	__skb_queue_head_init(&xmitq);

	lock_sock(sk);
	switch (ts->state) {
	case TDI_STATE_IDLE:
		err = tdi_autobind(ts);
		if (err)
			goto out;
		break;
	case TDI_STATE_BOUND:
		break;
	case TDI_STATE_CONNECTING:
		/* non-blocking: in progress; blocking (a call restarted after
		 * a signal, or a second caller): wait for it, as TCP does
		 */
		err = flags & O_NONBLOCK ? -EALREADY :
		      tdi_connect_wait(sock, ts);
		goto out;
	case TDI_STATE_LISTENING:
		err = -EINVAL;
		goto out;
	default:
		err = -EISCONN;
		goto out;
	}
	/* an address object bound to one interface lives only there */
	if (ts->addr->ifindex && sa->stdi_ifindex &&
	    sa->stdi_ifindex != ts->addr->ifindex) {
		err = -EINVAL;
		goto out;
	}
	timeout_ms = sk->sk_sndtimeo != MAX_SCHEDULE_TIMEOUT ?
		     jiffies_to_msecs(sk->sk_sndtimeo) :
		     READ_ONCE(tdi_pernet(sock_net(sk))->sysctl.connect_timeout_ms);
	err = tdi_conn_connect(ts, sa, timeout_ms, &xmitq);
	tdi_flush(ts, &xmitq);
	if (err)
		goto out;
	sock->state = SS_CONNECTING;
	err = flags & O_NONBLOCK ? -EINPROGRESS : tdi_connect_wait(sock, ts);
out:
	release_sock(sk);
	return err;
}

static int tdi_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct tdi_sock *ts = tdi_sk(sk);
	int err = 0;

	lock_sock(sk);
	if (ts->state == TDI_STATE_IDLE) {
		err = tdi_autobind(ts);
		if (err)
			goto out;
	}
	err = tdi_ep_listen(ts, backlog);
out:
	release_sock(sk);
	return err;
}

/* accept(): an endpoint waits on the queue, or listening stopped */
static bool tdi_accept_ready(struct tdi_sock *ts, const void *arg)
{
	return ts->state != TDI_STATE_LISTENING ||
	       !list_empty(&ts->accept_queue);
}

static int tdi_accept(struct socket *sock, struct socket *newsock, int flags,
		      bool kern)
{
	struct sock *sk = sock->sk;
	struct tdi_sock *ts = tdi_sk(sk), *child;
	long timeo;
	int err = 0;

	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	if (ts->tdi_listen) {
		err = -EINVAL;		/* a TDI-form listen has no children */
		goto out;
	}
	err = tdi_wait(ts, &timeo, tdi_accept_ready, NULL);
	if (err)
		goto out;
	child = tdi_ep_accept_child(ts);
	if (!child) {
		err = -EINVAL;		/* listening stopped meanwhile */
		goto out;
	}
	release_sock(sk);

	lock_sock(&child->sk);
	sock_graft(&child->sk, newsock);
	newsock->state = tdi_ep_connected(child) ? SS_CONNECTED : SS_UNCONNECTED;
	release_sock(&child->sk);
	return 0;
out:
	release_sock(sk);
	return err;
}

/* A send's error as the socket reports it: EPIPE raises SIGPIPE too. */
static int tdi_send_error(int err, int flags)
{
	if (err == -EPIPE && !(flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
	return err;
}

/* The expedited window opened, or sending is over */
static bool tdi_xwnd_ready(struct tdi_sock *ts, const void *arg)
{
	return (u16)(ts->xsnd_nxt - ts->xsnd_una) < TDI_XWND ||
	       !tdi_ep_may_send(ts) || ts->sk.sk_err;
}

static int tdi_send_expedited(struct tdi_sock *ts, struct msghdr *msg,
			      size_t len)
{
	struct sock *sk = &ts->sk;
	struct sk_buff_head xmitq;
	long timeo;
	int err;

	if (!len)
		return -EINVAL;
	if (len > TDI_MAX_EXPEDITED)
		return -EMSGSIZE;
	__skb_queue_head_init(&xmitq);
	lock_sock(sk);
	timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	while (!(err = tdi_ep_send_check(ts)) &&
	       (u16)(ts->xsnd_nxt - ts->xsnd_una) >= TDI_XWND) {
		err = tdi_wait(ts, &timeo, tdi_xwnd_ready, NULL);
		if (err)
			break;
	}
	if (!err)
		err = tdi_conn_queue_xdata(ts, &msg->msg_iter, len);
	if (!err) {
		tdi_conn_push(ts, &xmitq);
		tdi_flush(ts, &xmitq);
	}
	release_sock(sk);
	return err ? tdi_send_error(err, msg->msg_flags) : len;
}

/* Room for the whole TSDU of *@arg bytes, an error or the end of sending */
static bool tdi_send_whole_ready(struct tdi_sock *ts, const void *arg)
{
	struct sock *sk = &ts->sk;
	size_t len = *(const size_t *)arg;

	return sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN) ||
	       !tdi_ep_connected(ts) || tdi_conn_send_room(ts, len) ||
	       len > tdi_max_tsdu(ts);
}

/* Normal data: tdi_conn_send_data() takes what it can; we wait for room
 * (for a whole TSDU, or for any) and go on.
 */
static int tdi_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	struct tdi_sock *ts = tdi_sk(sk);
	int flags = msg->msg_flags;
	struct sk_buff_head xmitq;
	struct tdi_send s = {
		.len = len,
		.eor = sk->sk_type == SOCK_SEQPACKET && !(flags & MSG_MORE),
	};
	long timeo;
	int err;

	if (flags & ~(MSG_OOB | MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE |
		      MSG_EOR | MSG_CMSG_COMPAT))
		return -EOPNOTSUPP;
	if (msg->msg_name)
		return tdi_ep_connected(ts) ? -EISCONN : -EOPNOTSUPP;
	if (flags & MSG_OOB)
		return tdi_send_expedited(ts, msg, len);
	if (len > INT_MAX)
		return -EMSGSIZE;

	__skb_queue_head_init(&xmitq);
	lock_sock(sk);
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	s.nonblock = !timeo;
	while ((err = tdi_conn_send_data(ts, &msg->msg_iter, &s)) == -EAGAIN) {
		tdi_conn_push(ts, &xmitq);
		tdi_flush(ts, &xmitq);
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		err = s.whole ? tdi_wait(ts, &timeo, tdi_send_whole_ready,
					 &s.len) :
				sk_stream_wait_memory(sk, &timeo);
		if (err)
			break;
	}
	tdi_conn_push(ts, &xmitq);
	tdi_flush(ts, &xmitq);
	release_sock(sk);
	if (s.copied)
		return s.copied;
	return tdi_send_error(err, flags);
}

/* Something a waiting recv() must look at: new data, an error, EOF, the
 * end of the connection, or (once it copied bytes) expedited data.
 */
struct tdi_rcv_wait {
	struct sk_buff *last;	/* the receive queue's tail when it began */
	bool copied;		/* the recv() has bytes already */
};

static bool tdi_rcv_ready(struct tdi_sock *ts, const void *arg)
{
	const struct tdi_rcv_wait *w = arg;
	struct sock *sk = &ts->sk;

	return skb_peek_tail(&sk->sk_receive_queue) != w->last ||
	       sk->sk_err || (sk->sk_shutdown & RCV_SHUTDOWN) ||
	       (w->copied && !skb_queue_empty(&ts->xrecv_queue)) ||
	       !tdi_ep_connected(ts);
}

static int tdi_recv_wait(struct tdi_sock *ts, long *timeo, bool copied)
{
	struct tdi_rcv_wait w = {
		.last = skb_peek_tail(&ts->sk.sk_receive_queue),
		.copied = copied,
	};

	return tdi_wait(ts, timeo, tdi_rcv_ready, &w);
}

/* recv(MSG_OOB): an expedited TSDU, an error, or none can come */
static bool tdi_xrcv_ready(struct tdi_sock *ts, const void *arg)
{
	return !skb_queue_empty(&ts->xrecv_queue) || ts->sk.sk_err ||
	       tdi_ep_xrcv_over(ts);
}

static int tdi_recv_expedited(struct tdi_sock *ts, struct msghdr *msg,
			      size_t len, int flags)
{
	struct sock *sk = &ts->sk;
	long timeo;
	int err;

	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	while ((err = tdi_conn_recv_xdata(ts, &msg->msg_iter, len, flags,
					  &msg->msg_flags)) == -EAGAIN) {
		err = tdi_ep_error(ts);
		if (err)
			break;
		err = -ENOTCONN;
		if (!tdi_ep_connected(ts) && !(sk->sk_shutdown & RCV_SHUTDOWN))
			break;
		err = 0;	/* EOF: the peer released */
		if (tdi_ep_xrcv_over(ts))
			break;
		err = tdi_wait(ts, &timeo, tdi_xrcv_ready, NULL);
		if (err)
			break;
	}
	release_sock(sk);
	return err;
}

/* Why a read that ran out of queued data stops rather than waits: 1 to
 * return what it has, or a negative errno (with nothing read).
 */
static int tdi_recv_stop(struct tdi_sock *ts, struct msghdr *msg,
			 const struct tdi_recv *r, int target, long timeo)
{
	struct sock *sk = &ts->sk;

	if (r->copied && (!r->msgmode || !timeo) && r->copied >= target)
		return 1;
	if (r->copied && !skb_queue_empty(&ts->xrecv_queue)) {
		/* expedited data takes precedence */
		msg->msg_flags |= MSG_OOB;
		return 1;
	}
	if (sk->sk_err || tdi_ep_aborted(ts))
		return r->copied ? 1 : tdi_ep_error(ts) ?: 1;
	if ((sk->sk_shutdown & RCV_SHUTDOWN) || !tdi_ep_connected(ts))
		return 1;
	if (r->peek && r->copied)
		return 1;
	return 0;
}

/* Read from the receive queue (tdi_conn_recv_data()), waiting as long as
 * the socket's rules say.  Stream: at least SO_RCVLOWAT, all with
 * MSG_WAITALL.  Message mode: one TSDU, or its part that fits, MSG_EOR on
 * its last piece; with MSG_TRUNC the rest is dropped, its whole length
 * returned and MSG_TRUNC set when bytes were dropped (a non-blocking
 * MSG_TRUNC read waits, with EAGAIN, for the whole TSDU, unless its part
 * so far fills the receive buffer: then it reads that part as a read
 * without MSG_TRUNC would).
 */
static int tdi_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		       int flags)
{
	struct sock *sk = sock->sk;
	struct tdi_sock *ts = tdi_sk(sk);
	bool msgmode = sk->sk_type == SOCK_SEQPACKET;
	struct tdi_recv r = {
		.len = len,
		.peek = flags & MSG_PEEK,
		.trunc = msgmode && (flags & MSG_TRUNC),
		.msgmode = msgmode,
	};
	struct sk_buff_head xmitq;
	int target, err;
	long timeo;

	if (flags & ~(MSG_OOB | MSG_PEEK | MSG_DONTWAIT | MSG_WAITALL |
		      MSG_TRUNC | MSG_CMSG_COMPAT | MSG_ERRQUEUE))
		return -EOPNOTSUPP;
	if (flags & MSG_ERRQUEUE)
		return -EAGAIN;
	if (flags & MSG_OOB)
		return tdi_recv_expedited(ts, msg, len, flags);

	__skb_queue_head_init(&xmitq);
	lock_sock(sk);
	err = tdi_ep_recv_check(ts);
	if (err)
		goto out;
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	if (r.trunc && !timeo) {
		switch (tdi_conn_head_tsdu(ts)) {
		case TDI_TSDU_COMING:
			err = -EAGAIN;
			goto out;
		case TDI_TSDU_STUCK:
			/* it can never come whole: a partial read, as
			 * without MSG_TRUNC (no MSG_EOR, nothing dropped)
			 */
			r.trunc = false;
			break;
		case TDI_TSDU_READY:
			break;
		}
	}
	while (!(err = tdi_conn_recv_data(ts, &msg->msg_iter, &r))) {
		err = tdi_recv_stop(ts, msg, &r, target, timeo);
		if (err)
			break;
		if (!r.peek)
			tdi_conn_rcv_consumed(ts, &xmitq);
		tdi_flush(ts, &xmitq);
		err = tdi_recv_wait(ts, &timeo, r.copied);
		if (err)
			break;
	}
	if (r.eor)
		msg->msg_flags |= MSG_EOR;
	if (!r.peek && tdi_ep_connected(ts))
		tdi_conn_rcv_consumed(ts, &xmitq);
	tdi_flush(ts, &xmitq);
out:
	release_sock(sk);
	if (r.skipped)
		msg->msg_flags |= MSG_TRUNC;
	if (r.copied || r.eor)
		return r.trunc ? r.copied + r.skipped : r.copied;
	return err < 0 ? err : 0;
}

static int tdi_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	struct tdi_sock *ts = tdi_sk(sk);
	struct sk_buff_head xmitq;
	int err = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (sk->sk_type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	__skb_queue_head_init(&xmitq);
	lock_sock(sk);
	if (!tdi_ep_connected(ts)) {
		err = -ENOTCONN;
		goto out;
	}
	if (how != SHUT_WR) {
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
		tdi_conn_purge_rcv(ts);
	}
	if (how != SHUT_RD)
		err = tdi_conn_release(ts, &xmitq);
	sk->sk_state_change(sk);
	tdi_flush(ts, &xmitq);
out:
	release_sock(sk);
	return err;
}

/* Bytes queued for sending and not yet acknowledged. */
static int tdi_outq(struct tdi_sock *ts)
{
	struct sk_buff *skb;
	int n = 0;

	skb_queue_walk(&ts->sk.sk_write_queue, skb)
		n += skb->len;
	return n;
}

/* SIOCINQ: unread bytes of normal data; SIOCOUTQ: unacknowledged bytes. */
static int tdi_ioctl_queue(struct tdi_sock *ts, unsigned int cmd,
			   int __user *argp)
{
	struct sock *sk = &ts->sk;
	int n;

	lock_sock(sk);
	if (ts->state == TDI_STATE_LISTENING) {
		release_sock(sk);
		return -EINVAL;
	}
	n = cmd == SIOCINQ ? ts->rcv_unread : tdi_outq(ts);
	release_sock(sk);
	return put_user(n, argp);
}

/* How long SIOCTDIDISCONNECT waits for the peer's release, in jiffies. */
static long tdi_disconnect_timeo(struct tdi_sock *ts, s32 timeout_ms)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	if (timeout_ms < 0)
		return MAX_SCHEDULE_TIMEOUT;
	if (!timeout_ms)
		timeout_ms = READ_ONCE(tn->sysctl.disconnect_timeout_ms);
	return msecs_to_jiffies(timeout_ms);
}

/* Our release completed, or the connection ended otherwise */
static bool tdi_release_over(struct tdi_sock *ts, const void *arg)
{
	return tdi_ep_released(ts) != 0;
}

/* SIOCTDIDISCONNECT: ABORT ends the connection at once; RELEASE starts the
 * four-step release and waits until the peer has released too (0), its
 * time-out passes (ETIMEDOUT, the release still going on) or the
 * connection ends otherwise.  A non-blocking endpoint does not wait: an
 * unfinished release is EINPROGRESS (POLLRDHUP shows the peer's).
 */
static int tdi_ioctl_disconnect(struct tdi_sock *ts, void __user *argp,
				bool nonblock)
{
	struct sock *sk = &ts->sk;
	struct tdi_disconnect d;
	struct sk_buff_head xmitq;
	bool offered;
	long timeo;
	int err;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	if ((d.flags != TDI_DISCONNECT_ABORT &&
	     d.flags != TDI_DISCONNECT_RELEASE) || d.timeout_ms < -1)
		return -EINVAL;
	__skb_queue_head_init(&xmitq);
	lock_sock(sk);
	offered = ts->state == TDI_STATE_OFFERED;	/* a rejection */
	err = tdi_ep_disconnect(ts, d.flags, &xmitq);
	tdi_flush(ts, &xmitq);
	if (err || d.flags == TDI_DISCONNECT_ABORT || offered)
		goto out;
	sk->sk_state_change(sk);
	timeo = nonblock ? 0 : tdi_disconnect_timeo(ts, d.timeout_ms);
	err = tdi_wait(ts, &timeo, tdi_release_over, NULL);
	if (err == -EAGAIN)
		err = nonblock ? -EINPROGRESS : -ETIMEDOUT;
	else if (!err)
		err = min(tdi_ep_released(ts), 0);
out:
	release_sock(sk);
	return err;
}

/* Has the TDI-form listen on @ts ended: an offer came, or it timed out. */
static bool tdi_listen_over(struct tdi_sock *ts, const void *arg)
{
	return ts->state != TDI_STATE_LISTENING || !ts->tdi_listen;
}

/* SIOCTDILISTEN: the TDI form of listen.  The endpoint waits for one offer
 * and becomes it: 0 once CONNECTED (or OFFERED with TDI_QUERY_ACCEPT, for
 * TDI_ACCEPT or TDI_REJECT to decide); ETIMEDOUT at the listen's
 * timeout_ms.  Non-blocking, or a second call while it waits: EINPROGRESS
 * and EALREADY, and poll shows the end (POLLOUT connected, POLLIN offered,
 * POLLERR timed out).  A signal withdraws a listen still waiting (EINTR).
 */
static int tdi_ioctl_listen(struct socket *sock, void __user *argp,
			    bool nonblock)
{
	struct sock *sk = sock->sk;
	struct tdi_sock *ts = tdi_sk(sk);
	struct sk_buff_head xmitq;
	long timeo = MAX_SCHEDULE_TIMEOUT;
	struct tdi_listen l;
	int err;

	if (copy_from_user(&l, argp, sizeof(l)))
		return -EFAULT;
	__skb_queue_head_init(&xmitq);
	lock_sock(sk);
	err = tdi_ep_listen_tdi(ts, &l);
	if (err || nonblock) {
		err = err ?: -EINPROGRESS;
		goto out;
	}
	if (tdi_wait(ts, &timeo, tdi_listen_over, NULL)) {
		/* a signal: the listen is withdrawn, not restarted */
		tdi_ep_stop_listen(ts, &xmitq);
		err = -EINTR;
		goto out;
	}
	if (tdi_ep_connected(ts))
		sock->state = SS_CONNECTED;
	else if (ts->state != TDI_STATE_OFFERED)
		err = tdi_ep_error(ts) ?: -ECONNRESET;
out:
	release_sock(sk);
	tdi_flush(ts, &xmitq);
	return err;
}

static int tdi_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case SIOCINQ:
	case SIOCOUTQ:
		if (sock->type == SOCK_DGRAM)
			return -EOPNOTSUPP;
		return tdi_ioctl_queue(tdi_sk(sock->sk), cmd,
				       (int __user *)arg);
	case SIOCTDIDISCONNECT:
		if (sock->type == SOCK_DGRAM)
			return -EOPNOTSUPP;
		return tdi_ioctl_disconnect(tdi_sk(sock->sk),
					    (void __user *)arg,
					    sock->file &&
					    (sock->file->f_flags & O_NONBLOCK));
	case SIOCTDILISTEN:
		if (sock->type == SOCK_DGRAM)
			return -EOPNOTSUPP;
		return tdi_ioctl_listen(sock, (void __user *)arg,
					sock->file &&
					(sock->file->f_flags & O_NONBLOCK));
	}
	return -ENOIOCTLCMD;
}

/* sendto()/sendmsg() on an address object: one datagram (dgram.c). */
static int tdi_dgram_sendmsg(struct socket *sock, struct msghdr *msg,
			     size_t len)
{
	DECLARE_SOCKADDR(struct sockaddr_tdi *, sa, msg->msg_name);
	struct sock *sk = sock->sk;
	struct tdi_sock *ts = tdi_sk(sk);
	struct sk_buff_head xmitq;
	int err;

	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (!sa)
		return -EDESTADDRREQ;
	err = tdi_sockaddr_check(sa, msg->msg_namelen);
	if (err)
		return err;
	__skb_queue_head_init(&xmitq);
	lock_sock(sk);
	/* a bad destination does not bind */
	err = tdi_dgram_check(ts, sa);
	if (!err && !ts->addr) {
		err = tdi_autobind(ts);
		if (!err)	/* it takes the answers */
			tdi_dgram_set_owner(ts->addr, ts);
	}
	if (!err)
		err = tdi_dgram_send(ts, sa, &msg->msg_iter, len,
				     msg->msg_flags & MSG_DONTWAIT, &xmitq);
	release_sock(sk);
	tdi_xmit_flush(sock_net(sk), &xmitq);
	return err;
}

/* recvfrom()/recvmsg() on an address object: the next datagram. */
static int tdi_dgram_recvmsg(struct socket *sock, struct msghdr *msg,
			     size_t len, int flags)
{
	DECLARE_SOCKADDR(struct sockaddr_tdi *, sa, msg->msg_name);
	struct sock *sk = sock->sk;
	struct sockaddr_tdi from;
	struct sk_buff *skb;
	size_t copied;
	int err;

	if (flags & (MSG_OOB | MSG_ERRQUEUE))
		return -EOPNOTSUPP;
	skb = tdi_dgram_recv(tdi_sk(sk), flags, &from, &err);
	if (!skb)
		return err;
	copied = min_t(size_t, len, skb->len);
	if (copied < skb->len)
		msg->msg_flags |= MSG_TRUNC;
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (!err) {
		if (sa) {
			memcpy(sa, &from, sizeof(from));
			msg->msg_namelen = sizeof(from);
		}
		err = flags & MSG_TRUNC ? skb->len : copied;
	}
	skb_free_datagram(sk, skb);
	return err;
}

static int tdi_dgram_connect(struct socket *sock, struct sockaddr *uaddr,
			     int len, int flags)
{
	return -EOPNOTSUPP;
}

static int tdi_dgram_shutdown(struct socket *sock, int how)
{
	return -EOPNOTSUPP;
}

/* The socket face: what the endpoint core indicates, as wake-ups */

/**
 * tdi_write_space() - send buffer space came free: wake writers
 * @sk: the socket
 *
 * sk_write_space of every tdi socket (the socket core calls it when sent
 * memory is freed) and the socket face's send_possible indication.  It may
 * run without the socket lock, beside a close() that orphans the socket:
 * sk_socket is read once, under RCU (a struct socket is freed after a
 * grace period).
 */
void tdi_write_space(struct sock *sk)
{
	struct socket_wq *wq;
	struct socket *sock;

	if (!sk_stream_is_writeable(sk))
		return;
	rcu_read_lock();
	sock = READ_ONCE(sk->sk_socket);
	if (!sock) {
		rcu_read_unlock();
		return;
	}
	clear_bit(SOCK_NOSPACE, &sock->flags);
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM |
					   EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

static void tdi_sock_wake(struct sock *sk, __poll_t events)
{
	struct socket_wq *wq;

	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, events);
	rcu_read_unlock();
}

static void tdi_sock_connected(struct tdi_sock *ts)
{
	ts->sk.sk_state_change(&ts->sk);
}

static void tdi_sock_offer(struct tdi_sock *lts)
{
	lts->sk.sk_data_ready(&lts->sk);
}

static void tdi_sock_receive(struct tdi_sock *ts)
{
	ts->sk.sk_data_ready(&ts->sk);
}

/* POLLPRI and SIGURG for the owner.  Without the socket lock a close()
 * may be orphaning the socket: sk_callback_lock keeps sk_socket (and its
 * file) in place while SIGURG is sent (sock_orphan() takes it to write).
 */
static void tdi_sock_receive_expedited(struct tdi_sock *ts)
{
	struct sock *sk = &ts->sk;

	tdi_sock_wake(sk, EPOLLPRI | EPOLLRDBAND);
	read_lock_bh(&sk->sk_callback_lock);
	if (!sock_flag(sk, SOCK_DEAD))
		sk_send_sigurg(sk);
	read_unlock_bh(&sk->sk_callback_lock);
}

/* readers and writers both wake, and see the state, EOF or the error */
static void tdi_sock_disconnected(struct tdi_sock *ts)
{
	ts->sk.sk_state_change(&ts->sk);
	ts->sk.sk_write_space(&ts->sk);
}

static void tdi_sock_error(struct tdi_sock *ts)
{
	sk_error_report(&ts->sk);
}

static void tdi_sock_send_possible(struct tdi_sock *ts)
{
	ts->sk.sk_write_space(&ts->sk);
}

/* independent of the normal send buffer, so expedited data never waits
 * behind normal data
 */
static void tdi_sock_xsend_possible(struct tdi_sock *ts)
{
	tdi_sock_wake(&ts->sk, EPOLLOUT | EPOLLWRBAND);
}

const struct tdi_ep_ops tdi_sock_ep_ops = {
	.connected		= tdi_sock_connected,
	.offer			= tdi_sock_offer,
	.receive		= tdi_sock_receive,
	.receive_expedited	= tdi_sock_receive_expedited,
	.disconnected		= tdi_sock_disconnected,
	.error			= tdi_sock_error,
	.send_possible		= tdi_sock_send_possible,
	.xsend_possible		= tdi_sock_xsend_possible,
	.process_owned		= true,
};

const struct proto_ops tdi_dgram_ops = {
	.family		= PF_TDI,
	.owner		= THIS_MODULE,
	.release	= tdi_release,
	.bind		= tdi_bind,
	.connect	= tdi_dgram_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= tdi_getname,
	.poll		= datagram_poll,
	.ioctl		= tdi_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= tdi_dgram_shutdown,
	.setsockopt	= tdi_setsockopt,
	.getsockopt	= tdi_getsockopt,
	.sendmsg	= tdi_dgram_sendmsg,
	.recvmsg	= tdi_dgram_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};

const struct proto_ops tdi_stream_ops = {
	.family		= PF_TDI,
	.owner		= THIS_MODULE,
	.release	= tdi_release,
	.bind		= tdi_bind,
	.connect	= tdi_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= tdi_accept,
	.getname	= tdi_getname,
	.poll		= tdi_poll,
	.ioctl		= tdi_ioctl,
	.listen		= tdi_listen,
	.shutdown	= tdi_shutdown,
	.setsockopt	= tdi_setsockopt,
	.getsockopt	= tdi_getsockopt,
	.sendmsg	= tdi_sendmsg,
	.recvmsg	= tdi_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};

const struct proto_ops tdi_seqpacket_ops = {
	.family		= PF_TDI,
	.owner		= THIS_MODULE,
	.release	= tdi_release,
	.bind		= tdi_bind,
	.connect	= tdi_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= tdi_accept,
	.getname	= tdi_getname,
	.poll		= tdi_poll,
	.ioctl		= tdi_ioctl,
	.listen		= tdi_listen,
	.shutdown	= tdi_shutdown,
	.setsockopt	= tdi_setsockopt,
	.getsockopt	= tdi_getsockopt,
	.sendmsg	= tdi_sendmsg,
	.recvmsg	= tdi_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};
