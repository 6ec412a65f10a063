// SPDX-License-Identifier: GPL-2.0
/*
 * tdi receive path: a frame from a device to the endpoint it is for.
 *
 * dev.c hands every frame of our EtherType that a usable device took for
 * this host to tdi_rcv() (given to tdi_dev_init()).  Here the frame is
 * parsed and validated, then goes to an address object (a datagram,
 * dgram.c), to a connection (by its identifier), to a listener (a CONNECT,
 * or the first frame of an offer), or is answered as a frame for nothing.
 * A broadcast frame is taken only as a datagram.  An endpoint takes every frame through one
 * dispatch, tdi_input(): at once when no process owns the socket
 * (tdi_input_or_backlog()), or from the socket backlog when the owner
 * releases it (tdi_backlog_rcv()).
 */

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <net/tdi.h>

#include "tdi.h"

/* Answer a frame that found no connection or listener, and drop it. */
static int tdi_reply_drop(struct net *net, struct sk_buff *skb, u8 type,
			  u8 reason)
{
	struct sk_buff_head xmitq;

	__skb_queue_head_init(&xmitq);
	tdi_reply(net, skb, type, reason, &xmitq);
	tdi_stat_inc(tdi_pernet(net), TDI_STAT_DROP_BASE + TDI_DROP_NOCONN);
	kfree_skb(skb);
	tdi_xmit_flush(net, &xmitq);
	return NET_RX_DROP;
}

/* One dispatch for every frame an endpoint takes, socket lock held. */
static void tdi_input(struct tdi_sock *ts, struct sk_buff *skb,
		      struct sk_buff_head *xmitq)
{
	if (TDI_FRAME_CB(skb)->type == TDI_T_CONNECT)
		tdi_ep_connect_rcv(ts, skb, xmitq);
	else if (TDI_FRAME_CB(skb)->offer)
		tdi_offer_input(ts, skb, xmitq);
	else
		tdi_conn_input(ts, skb, xmitq);
}

/**
 * tdi_input_or_backlog() - an endpoint takes a frame now, or later
 * @ts: the endpoint, bh-locked (bh_lock_sock())
 * @skb: the frame, parsed header in TDI_FRAME_CB(skb); consumed
 * @xmitq: where answers go
 *
 * While a process owns the socket the frame waits on its backlog (bounded
 * by the socket's buffers) and tdi_backlog_rcv() takes it on release.
 *
 * Return: false when the backlog was full and the frame dropped.
 */
bool tdi_input_or_backlog(struct tdi_sock *ts, struct sk_buff *skb,
			  struct sk_buff_head *xmitq)
{
	struct sock *sk = &ts->sk;
	u32 limit;

	if (!sock_owned_by_user(sk)) {
		tdi_input(ts, skb, xmitq);
		return true;
	}
	/* both may be near INT_MAX with SO_RCVBUFFORCE / SO_SNDBUFFORCE */
	limit = min_t(u64, (u64)READ_ONCE(sk->sk_rcvbuf) +
		      READ_ONCE(sk->sk_sndbuf), INT_MAX);
	if (!sk_add_backlog(sk, skb, limit))
		return true;
	tdi_stat_inc(tdi_pernet(sock_net(sk)), TDI_STAT_DROP_BASE + TDI_DROP_RCVBUF);
	kfree_skb(skb);
	return false;
}

/**
 * tdi_backlog_rcv() - a frame that waited while a process owned the socket
 * @sk: the socket
 * @skb: the frame, parsed header in TDI_FRAME_CB(skb)
 *
 * Return: 0.
 */
int tdi_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff_head xmitq;

	__skb_queue_head_init(&xmitq);
	tdi_input(tdi_sk(sk), skb, &xmitq);
	tdi_xmit_flush(sock_net(sk), &xmitq);
	return 0;
}

/* Hand @skb to @ts, whose reference the caller passes on. */
static int tdi_deliver(struct net *net, struct tdi_sock *ts,
		       struct sk_buff *skb)
{
	struct sock *sk = &ts->sk;
	struct sk_buff_head xmitq;
	bool taken;

	__skb_queue_head_init(&xmitq);
	bh_lock_sock(sk);
	taken = tdi_input_or_backlog(ts, skb, &xmitq);
	bh_unlock_sock(sk);
	tdi_ep_deliver(ts);
	tdi_xmit_flush(net, &xmitq);
	sock_put(sk);
	return taken ? NET_RX_SUCCESS : NET_RX_DROP;
}

/**
 * tdi_find_listener() - the listener a frame to a port goes to
 * @net: the namespace
 * @skb: the frame (its arrival device and Ethernet destination count)
 * @port: the port
 * @type: SOCK_STREAM or SOCK_SEQPACKET
 * @bsd_only: a BSD listener only (tdi_addr_listener())
 *
 * The oldest listener of @type of the address object bound to @port whose
 * listen filter the offering node and port pass, if that object takes
 * frames of @skb's device and destination node.
 *
 * Return: the listener with a reference the caller puts, or NULL.
 */
struct tdi_sock *tdi_find_listener(struct net *net, struct sk_buff *skb,
				   u16 port, int type, bool bsd_only)
{
	struct tdi_sock *lts;
	struct tdi_addr *a;

	a = tdi_addr_for_frame(tdi_pernet(net), skb, port);
	if (!a)
		return NULL;
	lts = tdi_addr_listener(a, type, eth_hdr(skb)->h_source,
				TDI_FRAME_CB(skb)->sport, bsd_only);
	tdi_addr_put(a);
	return lts;
}

/* A CONNECT no listen took: the address object's face may take it (a
 * kernel client's connect event handler), on an endpoint it names.
 */
static int tdi_rcv_connect_event(struct net *net, struct sk_buff *skb)
{
	struct tdi_sock *ats, *ts = NULL;
	struct sk_buff_head xmitq;
	int ret = -ENOENT;
	u8 reason;

	ats = tdi_dgram_dest(tdi_pernet(net), skb, TDI_FRAME_CB(skb)->dport);
	if (ats && ats->ep_ops->connect_event)
		ret = ats->ep_ops->connect_event(ats, skb, &ts);
	if (ats)
		sock_put(&ats->sk);
	if (ret < 0) {
		reason = ret == -ECONNREFUSED ? TDI_REASON_REFUSED :
			 ret == -ENOENT ? TDI_REASON_NO_LISTENER :
			 TDI_REASON_INSUFFICIENT_RESOURCES;
		return tdi_reply_drop(net, skb, TDI_T_REFUSE, reason);
	}
	__skb_queue_head_init(&xmitq);
	bh_lock_sock(&ts->sk);
	if (sock_owned_by_user(&ts->sk)) {
		/* busy for a moment: the CONNECT comes again */
		tdi_reply(net, skb, TDI_T_REFUSE,
			  TDI_REASON_INSUFFICIENT_RESOURCES, &xmitq);
		kfree_skb(skb);
	} else {
		tdi_ep_connect_event(ts, skb, ret == TDI_CONNECT_DEFER,
				     &xmitq);
	}
	bh_unlock_sock(&ts->sk);
	tdi_ep_deliver(ts);
	tdi_xmit_flush(net, &xmitq);
	sock_put(&ts->sk);
	return NET_RX_SUCCESS;
}

/* A CONNECT: first the connection or offer it may have made already (a
 * retransmission: a TDI-form listen that took it listens no more), then a
 * listener of the right socket type on the port.
 */
static int tdi_rcv_connect(struct net *net, struct sk_buff *skb)
{
	const struct tdi_frame *fr = TDI_FRAME_CB(skb);
	int type = fr->flags & TDI_F_MSGMODE ? SOCK_SEQPACKET : SOCK_STREAM;
	const u8 *src = eth_hdr(skb)->h_source;
	struct tdi_net *tn = tdi_pernet(net);
	struct tdi_sock *lts;

	lts = tdi_conn_peer_lookup(tn, src, fr->src_id);
	if (lts)
		return tdi_deliver(net, lts, skb);
	if (tdi_offer_peer_known(tn, src, fr->src_id)) {
		/* the offer repeats its ACCEPT on its own timer */
		tdi_stat_inc(tn, TDI_STAT_DUPLICATES);
		consume_skb(skb);
		return NET_RX_SUCCESS;
	}
	lts = tdi_find_listener(net, skb, fr->dport, type, false);
	if (!lts)
		return tdi_rcv_connect_event(net, skb);
	return tdi_deliver(net, lts, skb);
}

/* A frame for no connection: the first frame of an offer, or unknown. */
static int tdi_rcv_unknown(struct net *net, struct sk_buff *skb)
{
	const struct tdi_frame *fr = TDI_FRAME_CB(skb);
	struct tdi_sock *lts;

	switch (tdi_offer_rcv(net, skb, &lts)) {
	case 1:
		return tdi_deliver(net, lts, skb);
	case -1:
		return NET_RX_SUCCESS;
	}
	return tdi_reply_drop(net, skb, TDI_T_RESET,
			      fr->type == TDI_T_RELEASE ?
			      TDI_REASON_RELEASE : TDI_REASON_ABORT);
}

/**
 * tdi_rcv() - the receive path of every frame a device took for this host
 * @net: the namespace of the device it arrived on
 * @skb: the frame (consumed), from a unicast source on a usable device
 *
 * Return: NET_RX_SUCCESS, or NET_RX_DROP for a frame dropped.
 */
int tdi_rcv(struct net *net, struct sk_buff *skb)
{
	struct tdi_net *tn = tdi_pernet(net);
	struct tdi_frame fr;
	enum tdi_drop drop;
	struct tdi_sock *ts;

	BUILD_BUG_ON(sizeof(struct tdi_frame) > sizeof(skb->cb));
	BUILD_BUG_ON(sizeof(struct tdi_skb_cb) > sizeof(skb->cb));
	BUILD_BUG_ON(sizeof(struct tdi_xmit_cb) > sizeof(skb->cb));
	drop = tdi_frame_parse(skb, &fr);
	if (drop)
		goto drop;
	tdi_stat_inc(tn, TDI_STAT_FRAMES_IN);
	tdi_stat_add(tn, TDI_STAT_BYTES_IN, fr.len + TDI_HDR_LEN);
	*TDI_FRAME_CB(skb) = fr;

	if (fr.type == TDI_T_DATAGRAM)
		return tdi_dgram_rcv(net, skb);
	if (skb->pkt_type == PACKET_BROADCAST) {
		/* a connection is between two nodes */
		drop = TDI_DROP_BROADCAST;
		goto drop;
	}
	if (fr.type == TDI_T_CONNECT)
		return tdi_rcv_connect(net, skb);
	ts = tdi_conn_lookup(tn, fr.dst_id);
	if (!ts)
		return tdi_rcv_unknown(net, skb);
	return tdi_deliver(net, ts, skb);

drop:
	tdi_stat_inc(tn, TDI_STAT_DROP_BASE + drop);
	kfree_skb(skb);
	return NET_RX_DROP;
}
