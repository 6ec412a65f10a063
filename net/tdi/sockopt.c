// SPDX-License-Identifier: GPL-2.0
/*
 * tdi socket options, level SOL_TDI: part of the socket face.
 *
 * An option that acts on the endpoint (association) calls the core in
 * endpoint.c; the others read or write the socket's fields under its
 * lock.  An option this provider does not implement yet is EOPNOTSUPP; a
 * number that is no option at all is ENOPROTOOPT.
 */

#include <linux/file.h>
#include <linux/net.h>
#include <linux/sockptr.h>
#include <net/sock.h>

#include "tdi.h"
#include "wire.h"

static bool tdi_optname_known(int optname)
{
	return optname >= TDI_ASSOCIATE_ADDRESS &&
	       optname <= TDI_PROVIDER_INFO;
}

static bool tdi_is_endpoint(const struct sock *sk)
{
	return sk->sk_type == SOCK_STREAM || sk->sk_type == SOCK_SEQPACKET;
}

/* The address object an fd names, held for the caller.  Errors: -EBADF
 * (no such fd), -ENOTSOCK (not a socket), -EINVAL (not a tdi address
 * object, or one not bound yet), -EXDEV (another namespace).
 */
static struct tdi_addr *tdi_addr_from_fd(struct sock *sk, int fd, int *err)
{
	struct tdi_addr *a = NULL;
	struct socket *sock;
	struct sock *ask;

	sock = sockfd_lookup(fd, err);
	if (!sock)
		return NULL;
	ask = sock->sk;
	*err = -EINVAL;
	if (!ask || ask->sk_family != PF_TDI || ask->sk_type != SOCK_DGRAM)
		goto out;
	*err = -EXDEV;
	if (!net_eq(sock_net(ask), sock_net(sk)))
		goto out;
	/* the address socket's lock, never nested in ours */
	lock_sock(ask);
	a = tdi_sk(ask)->addr;
	if (a)
		tdi_addr_get(a);
	else
		*err = -EINVAL;
	release_sock(ask);
out:
	sockfd_put(sock);
	return a;
}

static int tdi_opt_associate(struct sock *sk, sockptr_t optval,
			     unsigned int optlen)
{
	struct tdi_addr *a;
	int fd, err;

	if (optlen < sizeof(fd))
		return -EINVAL;
	if (copy_from_sockptr(&fd, optval, sizeof(fd)))
		return -EFAULT;
	a = tdi_addr_from_fd(sk, fd, &err);
	if (!a)
		return err;
	lock_sock(sk);
	err = tdi_ep_associate(tdi_sk(sk), a);
	release_sock(sk);
	if (err)
		tdi_addr_put(a);
	return err;
}

static int tdi_opt_filter(struct sock *sk, sockptr_t optval,
			  unsigned int optlen)
{
	struct tdi_sock *ts = tdi_sk(sk);
	struct tdi_filter f;
	int err;

	if (optlen < sizeof(f))
		return -EINVAL;
	if (copy_from_sockptr(&f, optval, sizeof(f)))
		return -EFAULT;
	err = tdi_filter_check(&f);
	if (err)
		return err;
	lock_sock(sk);
	if (ts->addr) {
		/* a listener's filter is read by the receive path under it */
		spin_lock_bh(&ts->addr->lock);
		ts->filter = f;
		spin_unlock_bh(&ts->addr->lock);
	} else {
		ts->filter = f;
	}
	release_sock(sk);
	return 0;
}

/* TDI_CONNECT_DATA, TDI_ACCEPT_DATA, TDI_DISCONNECT_DATA: the kind. */
static int tdi_ud_kind(int optname)
{
	switch (optname) {
	case TDI_CONNECT_DATA:
		return TDI_UD_CONNECT;
	case TDI_ACCEPT_DATA:
		return TDI_UD_ACCEPT;
	case TDI_DISCONNECT_DATA:
		return TDI_UD_DISCONNECT;
	}
	return -1;
}

/* The user data we send of one kind; optlen 0 clears it. */
static int tdi_opt_udata(struct sock *sk, int kind, sockptr_t optval,
			 unsigned int optlen)
{
	struct tdi_udata ud;

	if (optlen > TDI_MAX_USER_DATA)
		return -EINVAL;
	ud.len = optlen;
	if (optlen && copy_from_sockptr(ud.data, optval, optlen))
		return -EFAULT;
	lock_sock(sk);
	tdi_sk(sk)->ud[kind] = ud;
	release_sock(sk);
	return 0;
}

/* TDI_QUERY_ACCEPT on a BSD listener (or an endpoint that will listen):
 * its offers are handed out undecided.  Offers already queued stay as
 * they are.
 */
static int tdi_opt_query_accept(struct sock *sk, sockptr_t optval,
				unsigned int optlen)
{
	int val;

	if (optlen < sizeof(val))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	lock_sock(sk);
	tdi_sk(sk)->query_accept = !!val;
	release_sock(sk);
	return 0;
}

/* TDI_ACCEPT and TDI_REJECT: the decision on an OFFERED endpoint; they
 * take no value.
 */
static int tdi_opt_decide(struct socket *sock, int optname,
			  unsigned int optlen)
{
	struct sock *sk = sock->sk;
	struct sk_buff_head xmitq;
	int err;

	if (optlen)
		return -EINVAL;
	__skb_queue_head_init(&xmitq);
	lock_sock(sk);
	if (optname == TDI_ACCEPT) {
		err = tdi_ep_accept(tdi_sk(sk), &xmitq);
		if (!err)
			sock->state = SS_CONNECTED;
	} else {
		err = tdi_ep_reject(tdi_sk(sk), &xmitq);
	}
	release_sock(sk);
	tdi_xmit_flush(sock_net(sk), &xmitq);
	return err;
}

/**
 * tdi_setsockopt() - setsockopt() at level SOL_TDI
 * @sock: the socket
 * @level: SOL_TDI, else -ENOPROTOOPT
 * @optname: TDI_*
 * @optval: the value
 * @optlen: its length
 *
 * Return: 0 or a negative errno.
 */
int tdi_setsockopt(struct socket *sock, int level, int optname,
		   sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	u64 context;
	int err;

	if (level != SOL_TDI || !tdi_optname_known(optname))
		return -ENOPROTOOPT;
	if (!tdi_is_endpoint(sk))
		return -EOPNOTSUPP;
	switch (optname) {
	case TDI_ASSOCIATE_ADDRESS:
		return tdi_opt_associate(sk, optval, optlen);
	case TDI_DISASSOCIATE_ADDRESS:
		lock_sock(sk);
		err = tdi_ep_disassociate(tdi_sk(sk));
		release_sock(sk);
		return err;
	case TDI_CONNECTION_CONTEXT:
		if (optlen < sizeof(context))
			return -EINVAL;
		if (copy_from_sockptr(&context, optval, sizeof(context)))
			return -EFAULT;
		lock_sock(sk);
		tdi_sk(sk)->context = context;
		release_sock(sk);
		return 0;
	case TDI_LISTEN_FILTER:
		return tdi_opt_filter(sk, optval, optlen);
	case TDI_QUERY_ACCEPT:
		return tdi_opt_query_accept(sk, optval, optlen);
	case TDI_ACCEPT:
	case TDI_REJECT:
		return tdi_opt_decide(sock, optname, optlen);
	case TDI_CONNECT_DATA:
	case TDI_ACCEPT_DATA:
	case TDI_DISCONNECT_DATA:
		return tdi_opt_udata(sk, tdi_ud_kind(optname), optval, optlen);
	}
	return -EOPNOTSUPP;
}

/**
 * tdi_getsockopt() - getsockopt() at level SOL_TDI
 * @sock: the socket
 * @level: SOL_TDI, else -ENOPROTOOPT
 * @optname: TDI_*
 * @optval: where the value goes
 * @optlen: in: the buffer's length; out: the value's
 *
 * A buffer shorter than the option gets -EINVAL and nothing; a longer one
 * gets exactly the option's size.
 *
 * Return: 0 or a negative errno.
 */
int tdi_getsockopt(struct socket *sock, int level, int optname,
		   char __user *optval, int __user *optlen)
{
	struct sock *sk = sock->sk;
	struct tdi_sock *ts = tdi_sk(sk);
	union {
		int val;
		u64 context;
		struct tdi_filter filter;
		u8 data[TDI_MAX_USER_DATA];
		struct tdi_info info;
		struct tdi_provider_info pi;
	} u;
	int len, size;

	BUILD_BUG_ON(TDI_MAX_USER_DATA > U8_MAX);
	if (level != SOL_TDI || !tdi_optname_known(optname))
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	lock_sock(sk);
	switch (optname) {
	case TDI_CONNECTION_CONTEXT:
		if (!tdi_is_endpoint(sk))
			goto unsupported;
		u.context = ts->context;
		size = sizeof(u.context);
		break;
	case TDI_QUERY_ACCEPT:
		if (!tdi_is_endpoint(sk))
			goto unsupported;
		u.val = ts->query_accept;
		size = sizeof(u.val);
		break;
	case TDI_LISTEN_FILTER:
		if (!tdi_is_endpoint(sk))
			goto unsupported;
		u.filter = ts->filter;
		size = sizeof(u.filter);
		break;
	case TDI_CONNECT_DATA:
	case TDI_ACCEPT_DATA:
	case TDI_DISCONNECT_DATA: {
		const struct tdi_udata *ud = &ts->peer_ud[tdi_ud_kind(optname)];

		if (!tdi_is_endpoint(sk))
			goto unsupported;
		size = ud->len;
		memcpy(u.data, ud->data, size);
		break;
	}
	case TDI_DISCONNECT_REASON:
		u.val = ts->reason;
		size = sizeof(u.val);
		break;
	case TDI_INFO:
		tdi_fill_info(ts, &u.info);
		size = sizeof(u.info);
		break;
	case TDI_PROVIDER_INFO:
		tdi_fill_provider(ts, &u.pi);
		size = sizeof(u.pi);
		break;
	default:
		goto unsupported;
	}
	release_sock(sk);

	if (len < size)
		return -EINVAL;
	len = size;
	if (copy_to_user(optval, &u, len) || put_user(len, optlen))
		return -EFAULT;
	return 0;
unsupported:
	release_sock(sk);
	return -EOPNOTSUPP;
}
