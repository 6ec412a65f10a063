// SPDX-License-Identifier: GPL-2.0
/*
 * tdi: the AF_TDI socket family, module init and per-namespace state.
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
 *
 * Per namespace.  struct tdi_net (net_generic, tdi_net_id) holds the port
 * table and the list of the namespace's sockets.  A socket is in exactly
 * one namespace's list from create to release.
 *
 * Life cycle.  tdi_create() allocates the sock and links it into the
 * namespace list; tdi_release() is the one place a socket is torn down: it
 * unlinks it, drops its address object, orphans it and puts the last
 * reference the file held.  The socket's proto_ops and struct proto pin
 * the module, so rmmod fails while any socket is open.
 *
 * Lock order (outer first):
 *	lock_sock(sk)
 *	  tdi_net.socks_lock (spin, BH off)
 *	  tdi_ports.lock (spin, BH off)
 * The two spinlocks are never held together.  Nothing sleeps under them.
 *
 * Refcounts.  tdi_addr.ref: one per holder, as above; the last put unhashes
 * the port and frees the object after an RCU grace period, so lockless
 * readers (the receive path, /proc) may still look at it under RCU.
 * tdi_sock.addr is written under the socket lock with WRITE_ONCE() and
 * read by /proc with READ_ONCE() under RCU.
 */

#include <linux/init.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "tdi.h"

unsigned int tdi_net_id __read_mostly;

/**
 * tdi_pernet() - the tdi state of a network namespace
 * @net: the namespace
 *
 * Return: the namespace's struct tdi_net.
 */
struct tdi_net *tdi_pernet(const struct net *net)
{
	return net_generic(net, tdi_net_id);
}

/**
 * tdi_set_state() - move an endpoint or address object to a new state
 * @ts: the socket; the caller holds its socket lock
 * @state: the new TDI_STATE_* value
 *
 * Every state change goes through here; a transition that is not allowed
 * is refused and leaves the state as it was.
 *
 * Return: 0, or -EINVAL for a transition that is not allowed.
 */
int tdi_set_state(struct tdi_sock *ts, int state)
{
	int old = ts->state;
	bool ok = false;

	switch (state) {
	case TDI_STATE_IDLE:
		ok = old == TDI_STATE_BOUND;
		break;
	case TDI_STATE_BOUND:
		ok = old == TDI_STATE_IDLE;
		break;
	}
	if (!ok)
		return -EINVAL;
	WRITE_ONCE(ts->state, state);
	return 0;
}

static struct proto tdi_proto = {
	.name		= "TDI",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct tdi_sock),
};

static void tdi_link(struct tdi_sock *ts)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	spin_lock_bh(&tn->socks_lock);
	hlist_add_head(&ts->list, &tn->socks);
	spin_unlock_bh(&tn->socks_lock);
}

static void tdi_unlink(struct tdi_sock *ts)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	spin_lock_bh(&tn->socks_lock);
	hlist_del_init(&ts->list);
	spin_unlock_bh(&tn->socks_lock);
}

static int tdi_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct tdi_addr *addr;
	struct tdi_sock *ts;

	if (!sk)
		return 0;
	ts = tdi_sk(sk);
	tdi_unlink(ts);

	lock_sock(sk);
	addr = ts->addr;
	WRITE_ONCE(ts->addr, NULL);
	sock_orphan(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;
	release_sock(sk);

	if (addr)
		tdi_addr_put(addr);
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
	err = tdi_set_state(ts, TDI_STATE_BOUND);
	if (err) {
		tdi_addr_put(addr);
		goto out;
	}
	WRITE_ONCE(ts->addr, addr);
out:
	release_sock(sk);
	return err;
}

static int tdi_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sockaddr_tdi *sa = (struct sockaddr_tdi *)uaddr;
	struct sock *sk = sock->sk;
	struct tdi_sock *ts = tdi_sk(sk);

	if (peer)
		return -ENOTCONN;

	lock_sock(sk);
	if (ts->addr) {
		tdi_addr_fill(ts->addr, sa);
	} else {
		memset(sa, 0, sizeof(*sa));
		sa->stdi_family = AF_TDI;
	}
	release_sock(sk);
	return sizeof(*sa);
}

static __poll_t tdi_poll(struct file *file, struct socket *sock,
			 poll_table *wait)
{
	struct sock *sk = sock->sk;
	__poll_t mask = 0;

	sock_poll_wait(file, sock, wait);
	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	return mask;
}

/* Connections, data and disconnects are not implemented yet: say so. */
static int tdi_connect(struct socket *sock, struct sockaddr *uaddr,
		       int len, int flags)
{
	return -EOPNOTSUPP;
}

static int tdi_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	return -EOPNOTSUPP;
}

static int tdi_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		       int flags)
{
	return -EOPNOTSUPP;
}

static int tdi_shutdown(struct socket *sock, int how)
{
	return -EOPNOTSUPP;
}

static int tdi_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case SIOCTDILISTEN:
	case SIOCTDIDISCONNECT:
		return -EOPNOTSUPP;
	}
	return -ENOIOCTLCMD;
}

static bool tdi_optname_known(int optname)
{
	return optname >= TDI_ASSOCIATE_ADDRESS &&
	       optname <= TDI_PROVIDER_INFO;
}

static int tdi_setsockopt(struct socket *sock, int level, int optname,
			  sockptr_t optval, unsigned int optlen)
{
	if (level != SOL_TDI || !tdi_optname_known(optname))
		return -ENOPROTOOPT;
	return -EOPNOTSUPP;
}

static int tdi_getsockopt(struct socket *sock, int level, int optname,
			  char __user *optval, int __user *optlen)
{
	if (level != SOL_TDI || !tdi_optname_known(optname))
		return -ENOPROTOOPT;
	return -EOPNOTSUPP;
}

static int tdi_listen(struct socket *sock, int backlog)
{
	return -EOPNOTSUPP;
}

static int tdi_accept(struct socket *sock, struct socket *newsock, int flags,
		      bool kern)
{
	return -EOPNOTSUPP;
}

static const struct proto_ops tdi_dgram_ops = {
	.family		= PF_TDI,
	.owner		= THIS_MODULE,
	.release	= tdi_release,
	.bind		= tdi_bind,
	.connect	= tdi_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= tdi_getname,
	.poll		= tdi_poll,
	.ioctl		= tdi_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= tdi_shutdown,
	.setsockopt	= tdi_setsockopt,
	.getsockopt	= tdi_getsockopt,
	.sendmsg	= tdi_sendmsg,
	.recvmsg	= tdi_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};

static const struct proto_ops tdi_stream_ops = {
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

static const struct proto_ops tdi_seqpacket_ops = {
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

static int tdi_create(struct net *net, struct socket *sock, int protocol,
		      int kern)
{
	const struct proto_ops *ops;
	struct tdi_sock *ts;
	struct sock *sk;

	switch (sock->type) {
	case SOCK_DGRAM:
		ops = &tdi_dgram_ops;
		break;
	case SOCK_STREAM:
		ops = &tdi_stream_ops;
		break;
	case SOCK_SEQPACKET:
		ops = &tdi_seqpacket_ops;
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	if (protocol)
		return -EPROTONOSUPPORT;

	sk = sk_alloc(net, PF_TDI, GFP_KERNEL, &tdi_proto, kern);
	if (!sk)
		return -ENOMEM;
	sock->state = SS_UNCONNECTED;
	sock->ops = ops;
	sock_init_data(sock, sk);

	ts = tdi_sk(sk);
	ts->addr = NULL;
	ts->state = TDI_STATE_IDLE;
	INIT_HLIST_NODE(&ts->list);
	tdi_link(ts);
	return 0;
}

static const struct net_proto_family tdi_family_ops = {
	.family	= PF_TDI,
	.create	= tdi_create,
	.owner	= THIS_MODULE,
};

static int __net_init tdi_net_init(struct net *net)
{
	struct tdi_net *tn = tdi_pernet(net);
	int err;

	tdi_ports_init(&tn->ports);
	spin_lock_init(&tn->socks_lock);
	INIT_HLIST_HEAD(&tn->socks);
	tn->port_range = TDI_EPHEMERAL_MIN << 16 | TDI_EPHEMERAL_MAX;

	err = tdi_sysctl_init(net, tn);
	if (err)
		return err;
	err = tdi_proc_init(net);
	if (err)
		goto err_proc;
	return 0;

err_proc:
	tdi_sysctl_exit(tn);
	return err;
}

static void __net_exit tdi_net_exit(struct net *net)
{
	struct tdi_net *tn = tdi_pernet(net);

	tdi_proc_exit(net);
	tdi_sysctl_exit(tn);
	WARN_ON_ONCE(!hlist_empty(&tn->socks));
	WARN_ON_ONCE(tn->ports.count);
}

static struct pernet_operations tdi_net_ops = {
	.init	= tdi_net_init,
	.exit	= tdi_net_exit,
	.id	= &tdi_net_id,
	.size	= sizeof(struct tdi_net),
};

static void __init tdi_check_abi(void)
{
	BUILD_BUG_ON(sizeof(struct sockaddr_tdi) != 32);
	BUILD_BUG_ON(sizeof(struct sockaddr_tdi) % 8);
	BUILD_BUG_ON(sizeof(struct sockaddr_tdi) >
		     sizeof(struct __kernel_sockaddr_storage));
	BUILD_BUG_ON(sizeof(struct tdi_filter) != 40);
	BUILD_BUG_ON(sizeof(struct tdi_listen) != 48);
	BUILD_BUG_ON(sizeof(struct tdi_disconnect) != 8);
	BUILD_BUG_ON(sizeof(struct tdi_info) != 112);
	BUILD_BUG_ON(sizeof(struct tdi_provider_info) != 32);
}

static int __init tdi_init(void)
{
	int err;

	tdi_check_abi();

	err = proto_register(&tdi_proto, 1);
	if (err)
		return err;
	err = register_pernet_subsys(&tdi_net_ops);
	if (err)
		goto err_pernet;
	err = sock_register(&tdi_family_ops);
	if (err)
		goto err_sock;
	return 0;

err_sock:
	unregister_pernet_subsys(&tdi_net_ops);
err_pernet:
	proto_unregister(&tdi_proto);
	return err;
}

static void __exit tdi_exit(void)
{
	sock_unregister(PF_TDI);
	unregister_pernet_subsys(&tdi_net_ops);
	proto_unregister(&tdi_proto);
}

module_init(tdi_init);
module_exit(tdi_exit);

MODULE_DESCRIPTION("TDI transport semantics over Ethernet (AF_TDI)");
MODULE_LICENSE("GPL");
MODULE_ALIAS_NETPROTO(PF_TDI);
