// SPDX-License-Identifier: GPL-2.0
/*
 * tdi datagrams: connectionless TSDUs on address objects (TDI_SEND_DATAGRAM
 * and TDI_RECEIVE_DATAGRAM).
 *
 * A DATAGRAM frame carries its sender's port and goes to the address
 * object bound to its destination port in the namespace of the device it
 * came on, unicast or broadcast (node ff:ff:ff:ff:ff:ff).  An address
 * object bound to one interface takes datagrams from that interface only;
 * one bound to one node address takes only unicast to that address.
 *
 * Receive queue.  A datagram waits on the address object's
 * sk_receive_queue, charged to sk_rmem_alloc and bounded by sk_rcvbuf; one
 * that does not fit is dropped and counted (sk_drops, and the namespace's
 * drop_rcvbuf).  The charge is atomic only (tdi_dgram_rfree()), never the
 * socket's forward allocation, so the receive path needs no socket lock.
 *
 * The address object's socket is found from the struct tdi_addr through
 * tdi_addr.owner, under tdi_addr.lock: bind() (or the first send) sets it,
 * close() clears it before the socket's file reference goes, so the
 * receive path may take a reference on the socket it finds there.
 */

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <net/sock.h>

#include "tdi.h"
#include "wire.h"

/**
 * struct tdi_dgram_cb - where a queued datagram came from (skb->cb)
 * @ifindex: the device it arrived on
 * @sport: the sender's port
 * @src: the sender's node
 */
struct tdi_dgram_cb {
	int	ifindex;
	u16	sport;
	u8	src[ETH_ALEN];
};

#define TDI_DGRAM_CB(skb) ((struct tdi_dgram_cb *)&((skb)->cb[0]))

/* A queued datagram is freed: give back its receive charge. */
static void tdi_dgram_rfree(struct sk_buff *skb)
{
	atomic_sub(skb->truesize, &skb->sk->sk_rmem_alloc);
}

/* Queue @skb on @ts's receive queue, or drop it when the queue is full. */
static bool tdi_dgram_queue(struct tdi_sock *ts, struct sk_buff *skb)
{
	struct sock *sk = &ts->sk;
	unsigned long flags;

	if (atomic_read(&sk->sk_rmem_alloc) + skb->truesize >
	    READ_ONCE(sk->sk_rcvbuf)) {
		atomic_inc(&sk->sk_drops);
		return false;
	}
	skb_orphan(skb);
	skb->dev = NULL;
	skb->sk = sk;
	skb->destructor = tdi_dgram_rfree;
	atomic_add(skb->truesize, &sk->sk_rmem_alloc);
	spin_lock_irqsave(&sk->sk_receive_queue.lock, flags);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
	spin_unlock_irqrestore(&sk->sk_receive_queue.lock, flags);
	return true;
}

/**
 * tdi_dgram_dest() - the address object's own socket for a frame to a port
 * @tn: the namespace
 * @skb: the frame (its device and Ethernet destination count)
 * @port: the port
 *
 * Return: the socket that owns the object bound to @port, if the object
 * takes frames of @skb's device and destination node, with a reference;
 * or NULL.
 */
struct tdi_sock *tdi_dgram_dest(struct tdi_net *tn, struct sk_buff *skb,
				u16 port)
{
	struct tdi_addr *a = tdi_addr_for_frame(tn, skb, port);
	struct tdi_sock *ts;

	if (!a)
		return NULL;
	spin_lock_bh(&a->lock);
	ts = a->owner;
	if (ts)
		sock_hold(&ts->sk);
	spin_unlock_bh(&a->lock);
	tdi_addr_put(a);
	return ts;
}

/**
 * tdi_dgram_rcv() - a DATAGRAM frame from a device
 * @net: the namespace of the device it arrived on
 * @skb: the frame, parsed (TDI_FRAME_CB(skb)), skb->data at the payload;
 *	consumed
 *
 * Return: NET_RX_SUCCESS, or NET_RX_DROP for a datagram no address
 * object took.
 */
int tdi_dgram_rcv(struct net *net, struct sk_buff *skb)
{
	const struct tdi_frame *fr = TDI_FRAME_CB(skb);
	struct tdi_net *tn = tdi_pernet(net);
	struct tdi_dgram_cb cb;
	struct tdi_sock *ts;
	enum tdi_drop drop;

	ts = tdi_dgram_dest(tn, skb, fr->dport);
	if (!ts) {
		drop = TDI_DROP_NOCONN;
		goto drop;
	}
	cb.ifindex = skb->skb_iif;
	cb.sport = fr->sport;
	ether_addr_copy(cb.src, eth_hdr(skb)->h_source);
	memset(skb->cb, 0, sizeof(skb->cb));
	*TDI_DGRAM_CB(skb) = cb;
	if (!tdi_dgram_queue(ts, skb)) {
		sock_put(&ts->sk);
		drop = TDI_DROP_RCVBUF;
		goto drop;
	}
	tdi_stat_inc(tn, TDI_STAT_DATAGRAMS_IN);
	ts->ep_ops->receive(ts);
	sock_put(&ts->sk);
	return NET_RX_SUCCESS;
drop:
	tdi_stat_inc(tn, TDI_STAT_DROP_BASE + drop);
	kfree_skb(skb);
	return NET_RX_DROP;
}

/**
 * tdi_dgram_set_owner() - name the socket that takes an address's datagrams
 * @a: the address object
 * @ts: its SOCK_DGRAM socket, or NULL when that socket closes (before it
 *	drops its reference)
 */
void tdi_dgram_set_owner(struct tdi_addr *a, struct tdi_sock *ts)
{
	spin_lock_bh(&a->lock);
	a->owner = ts;
	spin_unlock_bh(&a->lock);
}

/**
 * tdi_dgram_max() - the largest datagram an address object can send
 * @net: its namespace
 * @ifindex: the interface it is bound to, or 0
 *
 * Return: the MTU, less the tdi header, of @ifindex, or of the usable
 * device with the smallest MTU; with none usable, what every usable
 * device carries (TDI_MIN_MTU less the header).
 */
u32 tdi_dgram_max(struct net *net, int ifindex)
{
	int mtu = ifindex ? tdi_dev_mtu(net, ifindex) : tdi_dev_min_mtu(net);

	return (mtu ?: TDI_MIN_MTU) - TDI_HDR_LEN;
}

/**
 * tdi_dgram_check() - may an address object send a datagram there?
 * @ts: the address object, socket lock held
 * @sa: the destination, checked by tdi_sockaddr_check()
 *
 * Return: 0, -EDESTADDRREQ (no node), -EACCES (broadcast without
 * SO_BROADCAST), or -EINVAL (a group address other than broadcast, port 0).
 */
int tdi_dgram_check(struct tdi_sock *ts, const struct sockaddr_tdi *sa)
{
	if (is_zero_ether_addr(sa->stdi_node))
		return -EDESTADDRREQ;
	if (is_broadcast_ether_addr(sa->stdi_node)) {
		if (!sock_flag(&ts->sk, SOCK_BROADCAST))
			return -EACCES;
	} else if (is_multicast_ether_addr(sa->stdi_node)) {
		return -EINVAL;
	}
	return sa->stdi_port ? 0 : -EINVAL;
}

/* Where a datagram goes: a node and device, or an errno. */
static int tdi_dgram_route(struct tdi_sock *ts, const struct sockaddr_tdi *sa,
			   u8 *node, int *mtu)
{
	int ifindex = sa->stdi_ifindex;
	int err;

	err = tdi_dgram_check(ts, sa);
	if (err)
		return err;
	ether_addr_copy(node, sa->stdi_node);
	if (ts->addr->ifindex) {
		if (ifindex && ifindex != ts->addr->ifindex)
			return -EINVAL;
		ifindex = ts->addr->ifindex;
	}
	return tdi_dev_route(sock_net(&ts->sk), node, ifindex, mtu);
}

/**
 * tdi_dgram_send() - send one datagram from an address object
 * @ts: the address object, bound, socket lock held
 * @sa: the destination, checked by tdi_sockaddr_check()
 * @from: the payload
 * @len: its length
 * @noblock: do not wait for send buffer space
 * @xmitq: where the frame goes; the caller sends it after unlocking
 *
 * Return: @len, or -EDESTADDRREQ (no node), -EACCES (broadcast without
 * SO_BROADCAST), -EINVAL (a group address other than broadcast, port 0,
 * another interface than the bound one), -EMSGSIZE (larger than the
 * device carries), the errors of tdi_dev_route(), -EAGAIN, -EFAULT.
 */
int tdi_dgram_send(struct tdi_sock *ts, const struct sockaddr_tdi *sa,
		   struct iov_iter *from, size_t len, bool noblock,
		   struct sk_buff_head *xmitq)
{
	unsigned int head = LL_MAX_HEADER + TDI_HDR_LEN;
	struct sock *sk = &ts->sk;
	struct tdi_frame fr;
	struct sk_buff *skb;
	u8 node[ETH_ALEN];
	int ifindex, mtu = 0, err;
	void *data;

	ifindex = tdi_dgram_route(ts, sa, node, &mtu);
	if (ifindex < 0)
		return ifindex;
	if (len > mtu - TDI_HDR_LEN)
		return -EMSGSIZE;
	skb = sock_alloc_send_skb(sk, head + len, noblock, &err);
	if (!skb)
		return err;
	skb_reserve(skb, head);
	data = skb_put(skb, len);
	if (!copy_from_iter_full(data, len, from)) {
		kfree_skb(skb);
		return -EFAULT;
	}
	memset(&fr, 0, sizeof(fr));
	fr.type = TDI_T_DATAGRAM;
	fr.sport = ts->addr->port;
	fr.dport = ntohs(sa->stdi_port);
	fr.tsval = tdi_now_us() ?: 1;
	tdi_frame_push(skb, &fr, csum_partial(data, len, 0));
	tdi_xmit_enqueue(xmitq, skb, ifindex, node);
	tdi_stat_inc(tdi_pernet(sock_net(sk)), TDI_STAT_DATAGRAMS_OUT);
	return len;
}

/**
 * tdi_dgram_recv() - take the next datagram of an address object
 * @ts: the address object
 * @flags: MSG_DONTWAIT, MSG_PEEK
 * @sa: set to the sender's address
 * @err: set to the error when there is none
 *
 * Waits (unless @flags says not to) on the receive queue, as
 * skb_recv_datagram() does; no socket lock is needed.
 *
 * Return: the datagram, its payload at skb->data, for skb_free_datagram()
 * once copied; or NULL with *@err set.
 */
struct sk_buff *tdi_dgram_recv(struct tdi_sock *ts, int flags,
			       struct sockaddr_tdi *sa, int *err)
{
	struct sk_buff *skb;

	skb = skb_recv_datagram(&ts->sk, flags, err);
	if (!skb)
		return NULL;
	memset(sa, 0, sizeof(*sa));
	sa->stdi_family = AF_TDI;
	sa->stdi_port = htons(TDI_DGRAM_CB(skb)->sport);
	sa->stdi_ifindex = TDI_DGRAM_CB(skb)->ifindex;
	ether_addr_copy(sa->stdi_node, TDI_DGRAM_CB(skb)->src);
	return skb;
}
