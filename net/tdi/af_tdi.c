// SPDX-License-Identifier: GPL-2.0
/*
 * tdi: the AF_TDI socket family, module init and per-namespace state.
 *
 * The implementation notes (objects, life cycle, faces, lock order,
 * refcounts) are at the top of endpoint.c.
 */

#include <linux/delay.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/percpu_counter.h>
#include <linux/mm.h>
#include <linux/socket.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "tdi.h"

unsigned int tdi_net_id __read_mostly;

/* release_sock(): what the core indicated meanwhile goes to the face
 * (called with the socket still owned and its spinlock held: the socket
 * face only wakes and signals)
 */
static void tdi_release_cb(struct sock *sk)
{
	struct tdi_sock *ts = tdi_sk(sk);

	if (ts->ep_ops->process_owned)
		tdi_ep_deliver(ts);
}

/* SO_KEEPALIVE was set or cleared (socket lock held). */
static void tdi_set_keepalive(struct sock *sk, int val)
{
	/* called before the core sets the flag */
	sock_valbool_flag(sk, SOCK_KEEPOPEN, val);
	tdi_conn_keepalive_changed(tdi_sk(sk));
}

/* Memory of every tdi socket of the host together, in pages, as TCP counts
 * its own: net.tdi.mem (init_net) holds the three limits (below the first
 * nothing is done; above the second the sockets are under pressure; above
 * the third nothing more is charged and received frames are dropped).
 */
static atomic_long_t tdi_memory_allocated;
static DEFINE_PER_CPU(int, tdi_memory_per_cpu_fw_alloc);
static struct percpu_counter tdi_sockets_allocated;
static unsigned long tdi_memory_pressure;
long sysctl_tdi_mem[3] __read_mostly;
/* what a socket is given even under pressure (sk_get_rmem0/wmem0) */
static int sysctl_tdi_rmem[3] __read_mostly = { 4096, 131072, 6291456 };
static int sysctl_tdi_wmem[3] __read_mostly = { 4096, 16384, 4194304 };

static void tdi_enter_memory_pressure(struct sock *sk)
{
	WRITE_ONCE(tdi_memory_pressure, 1);
}

static void tdi_leave_memory_pressure(struct sock *sk)
{
	WRITE_ONCE(tdi_memory_pressure, 0);
}

static struct proto tdi_proto = {
	.name			= "TDI",
	.owner			= THIS_MODULE,
	.obj_size		= sizeof(struct tdi_sock),
	.backlog_rcv		= tdi_backlog_rcv,
	.release_cb		= tdi_release_cb,
	.keepalive		= tdi_set_keepalive,
	.enter_memory_pressure	= tdi_enter_memory_pressure,
	.leave_memory_pressure	= tdi_leave_memory_pressure,
	.memory_allocated	= &tdi_memory_allocated,
	.per_cpu_fw_alloc	= &tdi_memory_per_cpu_fw_alloc,
	.sockets_allocated	= &tdi_sockets_allocated,
	.memory_pressure	= &tdi_memory_pressure,
	.sysctl_mem		= sysctl_tdi_mem,
	.sysctl_rmem		= sysctl_tdi_rmem,
	.sysctl_wmem		= sysctl_tdi_wmem,
};

static void __init tdi_mem_init(void)
{
	unsigned long limit = max(nr_free_buffer_pages() / 16, 128UL);

	sysctl_tdi_mem[0] = limit / 4 * 3;
	sysctl_tdi_mem[1] = limit;
	sysctl_tdi_mem[2] = sysctl_tdi_mem[0] * 2;
}

/**
 * tdi_link_sock() - list a socket in its namespace (/proc/net/tdi)
 * @ts: the socket
 */
void tdi_link_sock(struct tdi_sock *ts)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	spin_lock_bh(&tn->socks_lock);
	hlist_add_head(&ts->list, &tn->socks);
	spin_unlock_bh(&tn->socks_lock);
}

static void tdi_unlink_sock(struct tdi_sock *ts)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&ts->sk));

	spin_lock_bh(&tn->socks_lock);
	hlist_del_init(&ts->list);
	spin_unlock_bh(&tn->socks_lock);
}

/* The last reference is gone: nothing may point at the socket any more. */
static void tdi_sk_destruct(struct sock *sk)
{
	struct tdi_sock *ts = tdi_sk(sk);

	WARN_ON_ONCE(ts->hashed);
	WARN_ON_ONCE(!list_empty(&ts->listen_node));
	tdi_unlink_sock(ts);
	tdi_conn_purge(ts);
	tdi_conn_purge_rcv(ts);
	__skb_queue_purge(&ts->xrecv_queue);
	/* every charged skb is gone: give back the whole forward allocation */
	if (sk->sk_forward_alloc > 0)
		__sk_mem_reclaim(sk, sk->sk_forward_alloc);
	if (ts->addr)
		tdi_addr_put(ts->addr);
	if (ts->ep_ops->destruct)
		ts->ep_ops->destruct(ts);
	sk_sockets_allocated_dec(sk);
	/* last: the namespace may go once no netless socket is left */
	if (ts->netless)
		atomic_dec(&tdi_pernet(sock_net(sk))->netless);
}

/**
 * tdi_sk_alloc() - allocate and initialise a tdi sock
 * @net: its namespace
 * @sock: the socket it belongs to, or NULL for a connection accepted in
 *	softirq context (grafted onto a socket by accept())
 * @type: SOCK_DGRAM, SOCK_STREAM or SOCK_SEQPACKET
 * @gfp: allocation flags
 * @kern: a kernel socket (holds no namespace reference)
 *
 * Return: the sock, or NULL.
 */
struct sock *tdi_sk_alloc(struct net *net, struct socket *sock, int type,
			  gfp_t gfp, int kern)
{
	struct tdi_sock *ts;
	struct sock *sk;

	sk = sk_alloc(net, PF_TDI, gfp, &tdi_proto, kern);
	if (!sk)
		return NULL;
	sock_init_data(sock, sk);
	sk->sk_type = type;
	sk->sk_protocol = 0;
	sk->sk_destruct = tdi_sk_destruct;
	sk->sk_backlog_rcv = tdi_backlog_rcv;
	if (type != SOCK_DGRAM)		/* datagrams: sock_def_write_space */
		sk->sk_write_space = tdi_write_space;
	sk_sockets_allocated_inc(sk);
	ts = tdi_sk(sk);
	ts->ep_ops = &tdi_sock_ep_ops;
	ts->addr = NULL;
	ts->state = TDI_STATE_IDLE;
	ts->reason = TDI_REASON_NONE;
	INIT_HLIST_NODE(&ts->list);
	tdi_conn_init_sock(ts);
	tdi_ep_init(ts);
	return sk;
}

/**
 * tdi_child_alloc() - a new endpoint for an offer to a BSD listener
 * @lts: the listener, socket lock held
 *
 * The child belongs to its listener's face, is associated with its
 * address object, and inherits what sk_clone_lock() would copy to a TCP
 * child; it is idle (TDI_STATE_BOUND) and in no list yet.
 *
 * Return: the child, with the one reference the accept queue will hold,
 * or NULL.
 */
struct tdi_sock *tdi_child_alloc(struct tdi_sock *lts)
{
	struct tdi_sock *ts;
	struct sock *sk;

	sk = tdi_sk_alloc(sock_net(&lts->sk), NULL, lts->sk.sk_type,
			  GFP_ATOMIC, 0);
	if (!sk)
		return NULL;
	ts = tdi_sk(sk);
	ts->ep_ops = lts->ep_ops;
	sk->sk_rcvbuf = READ_ONCE(lts->sk.sk_rcvbuf);
	sk->sk_sndbuf = READ_ONCE(lts->sk.sk_sndbuf);
	sk->sk_uid = lts->sk.sk_uid;
	if (sock_flag(&lts->sk, SOCK_KEEPOPEN))
		sock_set_flag(sk, SOCK_KEEPOPEN);
	if (sock_flag(&lts->sk, SOCK_LINGER))
		sock_set_flag(sk, SOCK_LINGER);
	sk->sk_lingertime = READ_ONCE(lts->sk.sk_lingertime);
	sk->sk_priority = READ_ONCE(lts->sk.sk_priority);
	sk->sk_mark = READ_ONCE(lts->sk.sk_mark);
	tdi_addr_get(lts->addr);
	ts->addr = lts->addr;
	tdi_set_state(ts, TDI_STATE_BOUND);
	return ts;
}

static int tdi_create(struct net *net, struct socket *sock, int protocol,
		      int kern)
{
	const struct proto_ops *ops;
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

	sock->state = SS_UNCONNECTED;
	sock->ops = ops;
	sk = tdi_sk_alloc(net, sock, sock->type, GFP_KERNEL, kern);
	if (!sk)
		return -ENOMEM;
	tdi_link_sock(tdi_sk(sk));
	return 0;
}

static const struct net_proto_family tdi_family_ops = {
	.family	= PF_TDI,
	.create	= tdi_create,
	.owner	= THIS_MODULE,
};

static const struct tdi_sysctl tdi_sysctl_defaults = {
	.connect_timeout_ms	= 5000,
	.rto_initial_ms		= 200,
	.rto_min_ms		= 20,
	.rto_max_ms		= 4000,
	.retries		= 10,
	.delack_ms		= 4,
	.disconnect_timeout_ms	= 20000,
	.max_orphans		= 4096,
	.keepalive_time_ms	= 7200000,
	.keepalive_intvl_ms	= 75000,
	.keepalive_probes	= 9,
	.max_offers		= 1024,
	.offer_timeout_ms	= 30000,
};

static int __net_init tdi_net_init(struct net *net)
{
	struct tdi_net *tn = tdi_pernet(net);
	int err;

	unsigned int i;

	tdi_ports_init(&tn->ports);
	spin_lock_init(&tn->socks_lock);
	INIT_HLIST_HEAD(&tn->socks);
	spin_lock_init(&tn->conn_lock);
	for (i = 0; i < TDI_CONN_HASH_SIZE; i++) {
		INIT_HLIST_NULLS_HEAD(&tn->conn_ids[i], i);
		INIT_HLIST_NULLS_HEAD(&tn->conn_peers[i], i);
	}
	tn->port_range = TDI_EPHEMERAL_MIN << 16 | TDI_EPHEMERAL_MAX;
	tn->sysctl = tdi_sysctl_defaults;
	atomic_set(&tn->orphans, 0);
	atomic_set(&tn->netless, 0);
	tn->stats = alloc_percpu(struct tdi_stats);
	if (!tn->stats)
		return -ENOMEM;
	tdi_offers_init(net, tn);

	err = tdi_sysctl_init(net, tn);
	if (err)
		goto err_sysctl;
	err = tdi_proc_init(net);
	if (err)
		goto err_proc;
	return 0;

err_proc:
	tdi_sysctl_exit(tn);
err_sysctl:
	free_percpu(tn->stats);
	return err;
}

static void __net_exit tdi_net_exit(struct net *net)
{
	struct tdi_net *tn = tdi_pernet(net);
	unsigned int waited = 0;

	/* only orphans can be left (every other socket held the namespace),
	 * and most ended with the devices: end the rest, then wait until
	 * every one is destroyed (RCU-freed sockets after a grace period)
	 */
	tdi_conn_end_all(net);
	for (;;) {
		rcu_barrier();
		if (!atomic_read(&tn->netless))
			break;
		msleep(20);
		WARN_ONCE(++waited == 1500, "tdi: orphans outlive their namespace");
	}
	tdi_proc_exit(net);
	tdi_sysctl_exit(tn);
	tdi_offers_exit(tn);
	WARN_ON_ONCE(!hlist_empty(&tn->socks));
	WARN_ON_ONCE(tn->ports.count);
	free_percpu(tn->stats);
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
	tdi_mem_init();

	err = percpu_counter_init(&tdi_sockets_allocated, 0, GFP_KERNEL);
	if (err)
		return err;
	err = tdi_offer_cache_init();
	if (err)
		goto err_cache;
	err = proto_register(&tdi_proto, 1);
	if (err)
		goto err_proto;
	err = register_pernet_subsys(&tdi_net_ops);
	if (err)
		goto err_pernet;
	err = tdi_dev_init(tdi_rcv);
	if (err)
		goto err_dev;
	err = sock_register(&tdi_family_ops);
	if (err)
		goto err_sock;
	return 0;

err_sock:
	tdi_dev_exit();
err_dev:
	unregister_pernet_subsys(&tdi_net_ops);
err_pernet:
	proto_unregister(&tdi_proto);
err_proto:
	tdi_offer_cache_exit();
err_cache:
	percpu_counter_destroy(&tdi_sockets_allocated);
	return err;
}

static void __exit tdi_exit(void)
{
	sock_unregister(PF_TDI);
	tdi_dev_exit();
	unregister_pernet_subsys(&tdi_net_ops);
	proto_unregister(&tdi_proto);
	tdi_offer_cache_exit();
	percpu_counter_destroy(&tdi_sockets_allocated);
}

module_init(tdi_init);
module_exit(tdi_exit);

MODULE_DESCRIPTION("TDI transport semantics over Ethernet (AF_TDI)");
MODULE_LICENSE("GPL");
MODULE_ALIAS_NETPROTO(PF_TDI);
