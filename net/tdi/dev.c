// SPDX-License-Identifier: GPL-2.0
/*
 * tdi on netdevices: the receive handler for our EtherType (which hands
 * each frame to the receive path, rcv.c, given at init), transmission,
 * the choice of device for a peer, and the netdevice notifier.
 *
 * Any ARPHRD_ETHER device that is up and has an MTU of at least
 * TDI_MIN_MTU carries tdi.  Frames are handled in the namespace of the
 * device they arrived on.  A frame for a node address of the sending
 * device itself is looped back through netif_rx(), so two endpoints of
 * one node talk through the same code as two nodes.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <net/checksum.h>

#include "tdi.h"

static ushort ethertype = ETH_P_TDI;
module_param(ethertype, ushort, 0444);
MODULE_PARM_DESC(ethertype, "EtherType of tdi frames (default 0x88B5)");

static bool tdi_dev_ok(const struct net_device *dev)
{
	return dev->type == ARPHRD_ETHER && dev->addr_len == ETH_ALEN &&
	       (dev->flags & IFF_UP) && dev->mtu >= TDI_MIN_MTU;
}

static struct sk_buff *tdi_alloc(unsigned int payload, gfp_t gfp, int flags)
{
	unsigned int head = LL_MAX_HEADER + TDI_HDR_LEN;
	struct sk_buff *skb;

	skb = __alloc_skb(head + payload, gfp, flags, NUMA_NO_NODE);
	if (skb)
		skb_reserve(skb, head);
	return skb;
}

/**
 * tdi_alloc_frame() - an skb for a frame with room for every header
 * @payload: payload bytes the caller will put
 * @gfp: allocation flags
 *
 * Return: the skb, data empty at the payload, or NULL.
 */
struct sk_buff *tdi_alloc_frame(unsigned int payload, gfp_t gfp)
{
	return tdi_alloc(payload, gfp, 0);
}

/**
 * tdi_alloc_queued_frame() - an skb for a frame that stays queued
 * @payload: payload bytes the caller will put
 * @gfp: allocation flags
 *
 * Like tdi_alloc_frame(), from the fast-clone cache: a frame kept on a
 * write queue is cloned for each transmission, and the first clone then
 * comes with it.
 *
 * Return: the skb, data empty at the payload, or NULL.
 */
struct sk_buff *tdi_alloc_queued_frame(unsigned int payload, gfp_t gfp)
{
	return tdi_alloc(payload, gfp, SKB_ALLOC_FCLONE);
}

/**
 * tdi_alloc_rcv_copy() - an skb of just @len bytes, for a received frame
 * @len: payload bytes the caller copies in
 *
 * Return: the skb, or NULL.
 */
struct sk_buff *tdi_alloc_rcv_copy(unsigned int len)
{
	return alloc_skb(len, GFP_ATOMIC);
}

/**
 * tdi_xmit_enqueue() - put a frame on a transmit queue
 * @xmitq: the queue, sent later by tdi_xmit_flush()
 * @skb: the frame, starting with its tdi header
 * @ifindex: the device, 0 for every usable device
 * @dst: the destination node
 */
void tdi_xmit_enqueue(struct sk_buff_head *xmitq, struct sk_buff *skb,
		      int ifindex, const u8 *dst)
{
	struct tdi_xmit_cb *cb = TDI_XMIT_CB(skb);

	cb->ifindex = ifindex;
	ether_addr_copy(cb->dst, dst);
	__skb_queue_tail(xmitq, skb);
}

/* Caller holds rcu_read_lock(); consumes @skb. */
static void tdi_xmit_dev(struct net *net, struct net_device *dev,
			 struct sk_buff *skb, const u8 *dst)
{
	struct tdi_net *tn = tdi_pernet(net);
	unsigned int len = skb->len;
	bool self;

	if (!tdi_dev_ok(dev) || len > dev->mtu) {
		tdi_stat_inc(tn, TDI_STAT_XMIT_ERRORS);
		kfree_skb(skb);
		return;
	}
	self = ether_addr_equal(dst, dev->dev_addr);
	if (self || (dev->features & NETIF_F_HW_CSUM))
		tdi_frame_csum_offload(skb);
	skb->dev = dev;
	skb->protocol = htons(ethertype);
	skb_reset_network_header(skb);
	if (dev_hard_header(skb, dev, ethertype, dst, dev->dev_addr,
			    len) < 0) {
		tdi_stat_inc(tn, TDI_STAT_XMIT_ERRORS);
		kfree_skb(skb);
		return;
	}
	tdi_stat_inc(tn, TDI_STAT_FRAMES_OUT);
	tdi_stat_add(tn, TDI_STAT_BYTES_OUT, len);
	if (self) {
		/* to ourselves: receive it as if it came in on @dev */
		skb->protocol = eth_type_trans(skb, dev);
		netif_rx(skb);
		return;
	}
	if (dev_queue_xmit(skb))
		tdi_stat_inc(tn, TDI_STAT_XMIT_ERRORS);
}

/**
 * tdi_xmit_flush() - send every frame of a transmit queue
 * @net: the namespace the frames belong to
 * @xmitq: the queue, emptied
 *
 * Called with no tdi lock held.
 */
void tdi_xmit_flush(struct net *net, struct sk_buff_head *xmitq)
{
	struct net_device *dev;
	struct sk_buff *skb, *c;

	while ((skb = __skb_dequeue(xmitq))) {
		struct tdi_xmit_cb cb = *TDI_XMIT_CB(skb);

		rcu_read_lock();
		if (cb.ifindex) {
			dev = dev_get_by_index_rcu(net, cb.ifindex);
			if (dev) {
				tdi_xmit_dev(net, dev, skb, cb.dst);
			} else {
				tdi_stat_inc(tdi_pernet(net),
					     TDI_STAT_XMIT_ERRORS);
				kfree_skb(skb);
			}
			rcu_read_unlock();
			continue;
		}
		/* the device is not known yet: try every usable one */
		for_each_netdev_rcu(net, dev) {
			if (!tdi_dev_ok(dev))
				continue;
			c = skb_copy(skb, GFP_ATOMIC);
			if (c)
				tdi_xmit_dev(net, dev, c, cb.dst);
		}
		rcu_read_unlock();
		consume_skb(skb);
	}
}

/**
 * tdi_dev_mtu() - the MTU of a device usable for tdi
 * @net: the namespace
 * @ifindex: the device
 *
 * Return: its MTU, or 0 when it is missing, down or not usable.
 */
int tdi_dev_mtu(struct net *net, int ifindex)
{
	struct net_device *dev;
	int mtu = 0;

	rcu_read_lock();
	dev = dev_get_by_index_rcu(net, ifindex);
	if (dev && tdi_dev_ok(dev))
		mtu = dev->mtu;
	rcu_read_unlock();
	return mtu;
}

/**
 * tdi_dev_min_mtu() - the smallest MTU of the usable devices
 * @net: the namespace
 *
 * Return: the MTU, or 0 when no device is usable.
 */
int tdi_dev_min_mtu(struct net *net)
{
	struct net_device *dev;
	int mtu = 0;

	rcu_read_lock();
	for_each_netdev_rcu(net, dev)
		if (tdi_dev_ok(dev) && (!mtu || dev->mtu < mtu))
			mtu = dev->mtu;
	rcu_read_unlock();
	return mtu;
}

/**
 * tdi_dev_route() - the device to reach a node by
 * @net: the namespace
 * @node: the node; all-zero means this node and is replaced by the
 *	address of the device chosen
 * @ifindex: the device the caller asks for, or 0
 * @mtu: set to the MTU to use
 *
 * Without @ifindex: the device whose own address is @node (loopback), or
 * the only usable device, or 0 when several could reach @node (the caller
 * then offers the connection on each, and the answer picks the device).
 *
 * Return: the ifindex, 0, or -ENODEV (no such device), -ENETDOWN (down or
 * MTU below TDI_MIN_MTU), -ENETUNREACH (no usable device at all).
 */
int tdi_dev_route(struct net *net, u8 *node, int ifindex, int *mtu)
{
	struct net_device *dev, *only = NULL;
	int count = 0, ret;

	rcu_read_lock();
	if (ifindex) {
		dev = dev_get_by_index_rcu(net, ifindex);
		if (!dev || dev->type != ARPHRD_ETHER) {
			ret = -ENODEV;
		} else if (!tdi_dev_ok(dev)) {
			ret = -ENETDOWN;
		} else {
			*mtu = dev->mtu;
			if (is_zero_ether_addr(node))
				ether_addr_copy(node, dev->dev_addr);
			ret = ifindex;
		}
		goto out;
	}
	*mtu = INT_MAX;
	for_each_netdev_rcu(net, dev) {
		if (!tdi_dev_ok(dev))
			continue;
		if (is_zero_ether_addr(node) ||
		    ether_addr_equal(node, dev->dev_addr)) {
			ether_addr_copy(node, dev->dev_addr);
			*mtu = dev->mtu;
			ret = dev->ifindex;
			goto out;
		}
		*mtu = min_t(int, *mtu, dev->mtu);
		only = dev;
		count++;
	}
	if (!count)
		ret = -ENETUNREACH;
	else
		ret = count == 1 ? only->ifindex : 0;
out:
	rcu_read_unlock();
	return ret;
}

/**
 * tdi_reply() - answer a frame that has no connection to go to
 * @net: the namespace it arrived in
 * @skb: the frame (its header in TDI_FRAME_CB(skb)); not consumed
 * @type: TDI_T_REFUSE or TDI_T_RESET
 * @reason: TDI_REASON_* to carry
 * @xmitq: where the answer goes
 *
 * The answer swaps the frame's ports and identifiers, so that only the
 * connection the frame came from accepts it.  Resets, refusals, holds and
 * datagrams are never answered.
 */
void tdi_reply(struct net *net, struct sk_buff *skb, u8 type, u8 reason,
	       struct sk_buff_head *xmitq)
{
	const struct tdi_frame *in = TDI_FRAME_CB(skb);
	struct tdi_net *tn = tdi_pernet(net);
	struct tdi_setup *s;
	struct tdi_frame fr;
	struct sk_buff *r;

	if (in->type == TDI_T_RESET || in->type == TDI_T_REFUSE ||
	    in->type == TDI_T_HOLD || in->type == TDI_T_DATAGRAM ||
	    !in->src_id)
		return;
	r = tdi_alloc_frame(TDI_SETUP_LEN, GFP_ATOMIC);
	if (!r)
		return;
	s = skb_put(r, TDI_SETUP_LEN);
	s->mru = 0;
	s->reason = reason;
	s->datalen = 0;
	memset(&fr, 0, sizeof(fr));
	fr.type = type;
	fr.sport = in->dport;
	fr.dport = in->sport;
	fr.src_id = in->dst_id;
	fr.dst_id = in->src_id;
	fr.seq = in->ack;
	fr.ack = in->seq;
	fr.tsval = tdi_now_us() ?: 1;
	fr.tsecr = in->tsval;
	tdi_frame_push(r, &fr, csum_partial(s, TDI_SETUP_LEN, 0));
	tdi_stat_inc(tn, type == TDI_T_REFUSE ? TDI_STAT_REFUSED_OUT :
						TDI_STAT_RESETS_OUT);
	tdi_xmit_enqueue(xmitq, r, skb->skb_iif, eth_hdr(skb)->h_source);
}

/* What dev.c hands every frame to (tdi_dev_init()). */
static int (*tdi_rcv_fn)(struct net *net, struct sk_buff *skb);

/* A frame of our EtherType: for this host, from a unicast source, on a
 * device that carries tdi; the rest is the receive path's (rcv.c).
 */
static int tdi_dev_rcv(struct sk_buff *skb, struct net_device *dev,
		       struct packet_type *pt, struct net_device *orig_dev)
{
	enum tdi_drop drop;

	/* broadcast is for datagrams only; rcv.c drops the rest */
	if (skb->pkt_type != PACKET_HOST && skb->pkt_type != PACKET_BROADCAST)
		goto free;
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return NET_RX_DROP;
	if (!tdi_dev_ok(dev)) {
		drop = TDI_DROP_NODEV;
		goto drop;
	}
	/* no node sends from a group or the zero address: never answer one */
	if (!is_valid_ether_addr(eth_hdr(skb)->h_source)) {
		drop = TDI_DROP_SOURCE;
		goto drop;
	}
	return tdi_rcv_fn(dev_net(dev), skb);

drop:
	tdi_stat_inc(tdi_pernet(dev_net(dev)), TDI_STAT_DROP_BASE + drop);
free:
	kfree_skb(skb);
	return NET_RX_DROP;
}

static struct packet_type tdi_packet_type __read_mostly = {
	.func = tdi_dev_rcv,
};

static int tdi_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (dev->type != ARPHRD_ETHER)
		return NOTIFY_DONE;
	switch (event) {
	case NETDEV_DOWN:
	case NETDEV_UNREGISTER:
		tdi_conn_dev_event(dev_net(dev), dev->ifindex, true, 0);
		break;
	case NETDEV_CHANGEMTU:
		tdi_conn_dev_event(dev_net(dev), dev->ifindex,
				   dev->mtu < TDI_MIN_MTU, dev->mtu);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block tdi_netdev_notifier = {
	.notifier_call = tdi_netdev_event,
};

/**
 * tdi_dev_init() - start receiving tdi frames and device events
 * @rcv: the receive path, which every frame goes to (consumed; returns
 *	NET_RX_SUCCESS or NET_RX_DROP)
 *
 * Return: 0, or -EINVAL for an ethertype module parameter below 0x0600.
 */
int tdi_dev_init(int (*rcv)(struct net *net, struct sk_buff *skb))
{
	int err;

	if (ethertype < ETH_P_802_3_MIN)
		return -EINVAL;
	tdi_rcv_fn = rcv;
	err = register_netdevice_notifier(&tdi_netdev_notifier);
	if (err)
		return err;
	tdi_packet_type.type = htons(ethertype);
	dev_add_pack(&tdi_packet_type);
	return 0;
}

/**
 * tdi_dev_exit() - stop receiving frames and device events
 */
void tdi_dev_exit(void)
{
	dev_remove_pack(&tdi_packet_type);
	unregister_netdevice_notifier(&tdi_netdev_notifier);
}
