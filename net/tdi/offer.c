// SPDX-License-Identifier: GPL-2.0
/*
 * tdi offers: what a listener keeps between a CONNECT and the connector's
 * first frame after the ACCEPT.
 *
 * A CONNECT for a listener with room does not create a socket.  It
 * becomes a half-open offer, a small struct tdi_offer in the namespace's
 * offer table (by our local identifier, and by peer node and identifier
 * for duplicate CONNECTs), answered with ACCEPT.  The table holds at most
 * net.tdi.max_offers offers, and a listener at most its backlog + 1 of
 * them.  One timer per namespace retransmits their ACCEPTs and ends the
 * unanswered ones (RESET(TIMEOUT), counted under dead_offers).  The
 * connector's first frame for the offer's identifier creates the child
 * socket (tdi_offer_input()), which takes that frame as its first input.
 *
 * When the table or the listener's share of it is full, the ACCEPT is a
 * stateless cookie: its identifier and ISN are a keyed hash (siphash,
 * secret per namespace) of the offer and a coarse clock, from which the
 * connector's first frame is checked and the child rebuilt.  Cookies are
 * looked at only while cookies were sent recently, so that frames for
 * unknown connections cost nothing more otherwise.
 *
 * References: an offer in the table holds one on its listener's socket.
 * An offer leaves the table in one of four ways, each under offer_lock:
 * its first frame (tdi_offer_take()), a RESET from the peer, the timer
 * (retries exhausted), or the listener stopping (tdi_ep_stop_listen() ->
 * tdi_offers_flush_listener()).  Whoever unlinks it frees it and puts the
 * listener, after dropping offer_lock.  The timer holds no reference: it
 * belongs to the namespace, and tdi_offers_exit() marks the table closed
 * and shuts the timer down synchronously before anything is freed.
 *
 * Lock order: listener socket lock -> conn_lock -> offer_lock.  Nothing
 * else is taken under offer_lock; frames built under it are sent after.
 */

#include <linux/etherdevice.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <net/checksum.h>

#include "tdi.h"

static struct kmem_cache *tdi_offer_cache __read_mostly;

/* A cookie is good in the period it was made in and the next one. */
#define TDI_COOKIE_PERIOD	(64 * HZ)

/* The connector's MRU as a cookie keeps it: the largest of these that is
 * not above it (index in bits 3..1 of the identifier).
 */
static const u16 tdi_cookie_mru[8] = {
	TDI_MIN_MTU - TDI_HDR_LEN, 1356, 1416, 1456, 1956, 3956, 8956, 65491,
};

/* The timer runs at most this often, so that offers share its runs. */
#define TDI_OFFER_TIMER_SLACK	max(msecs_to_jiffies(10), 1UL)

/**
 * tdi_offer_cache_init() - create the slab cache of offers
 *
 * Return: 0 or -ENOMEM.
 */
int tdi_offer_cache_init(void)
{
	tdi_offer_cache = KMEM_CACHE(tdi_offer, 0);
	return tdi_offer_cache ? 0 : -ENOMEM;
}

/**
 * tdi_offer_cache_exit() - destroy the slab cache (every offer is freed)
 */
void tdi_offer_cache_exit(void)
{
	kmem_cache_destroy(tdi_offer_cache);
}

static u32 tdi_offer_id_slot(u32 id)
{
	return hash_32(id, TDI_OFFER_HASH_BITS);
}

static u32 tdi_offer_peer_slot(const u8 *mac, u32 id)
{
	return jhash(mac, ETH_ALEN, id) & (TDI_OFFER_HASH_SIZE - 1);
}

/* Caller holds offer_lock. */
static struct tdi_offer *__tdi_offer_lookup(struct tdi_net *tn, u32 id)
{
	struct tdi_offer *o;

	hlist_for_each_entry(o, &tn->offer_ids[tdi_offer_id_slot(id)], id_node)
		if (o->local_id == id)
			return o;
	return NULL;
}

/**
 * __tdi_offer_id_used() - does an offer have this local identifier
 * @tn: the namespace
 * @id: the identifier
 *
 * Caller holds conn_lock, so that no connection or offer takes @id
 * meanwhile (both are hashed under conn_lock).
 *
 * Return: true when an offer of the table has @id.
 */
bool __tdi_offer_id_used(struct tdi_net *tn, u32 id)
{
	bool used;

	spin_lock(&tn->offer_lock);
	used = __tdi_offer_lookup(tn, id);
	spin_unlock(&tn->offer_lock);
	return used;
}

/**
 * tdi_offer_peer_known() - is there an offer from this peer already
 * @tn: the namespace
 * @mac: the peer node
 * @peer_id: the peer's identifier
 *
 * Return: true when the table has an offer of that peer.
 */
bool tdi_offer_peer_known(struct tdi_net *tn, const u8 *mac, u32 peer_id)
{
	struct tdi_offer *o;
	bool found = false;

	spin_lock_bh(&tn->offer_lock);
	hlist_for_each_entry(o, &tn->offer_peers[tdi_offer_peer_slot(mac,
								     peer_id)],
			     peer_node)
		if (o->peer_id == peer_id && ether_addr_equal(o->peer_mac, mac)) {
			found = true;
			break;
		}
	spin_unlock_bh(&tn->offer_lock);
	return found;
}

/**
 * tdi_offers_pending() - offers in the table now
 * @tn: the namespace
 *
 * Return: the count (a snapshot).
 */
unsigned int tdi_offers_pending(struct tdi_net *tn)
{
	return READ_ONCE(tn->offer_count);
}

/* Caller holds offer_lock; the caller frees the offer after unlocking. */
static void __tdi_offer_unlink(struct tdi_net *tn, struct tdi_offer *o)
{
	hlist_del(&o->id_node);
	hlist_del(&o->peer_node);
	list_del(&o->list);
	WRITE_ONCE(tn->offer_count, tn->offer_count - 1);
	o->lts->offers--;
}

static void tdi_offer_free(struct tdi_offer *o)
{
	sock_put(&o->lts->sk);
	kmem_cache_free(tdi_offer_cache, o);
}

/* The window an ACCEPT of @lts offers: what a new child would advertise
 * (tdi_conn_rcv_wnd() of an empty receive buffer).
 */
static u32 tdi_offer_wnd(struct tdi_sock *lts)
{
	u64 wnd = (u64)READ_ONCE(lts->sk.sk_rcvbuf) * (TDI_RATIO_ONE / 2) /
		  TDI_RATIO_ONE;

	if (sk_under_memory_pressure(&lts->sk))
		wnd /= 4;
	return min_t(u64, wnd, U32_MAX / 4);
}

/* Queue the ACCEPT or RESET of an offer (or of a cookie) on @xmitq. */
static int tdi_offer_send(struct tdi_net *tn, const struct tdi_offer *o,
			  u8 type, u8 reason, struct sk_buff_head *xmitq)
{
	struct tdi_setup *s;
	struct tdi_frame fr;
	struct sk_buff *skb;

	u8 datalen = type == TDI_T_ACCEPT ? o->adata.len : 0;

	skb = tdi_alloc_frame(TDI_SETUP_LEN + datalen, GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	s = skb_put(skb, TDI_SETUP_LEN);
	s->mru = type == TDI_T_ACCEPT ? htons(o->mru) : 0;
	s->reason = reason;
	s->datalen = datalen;
	if (datalen)
		skb_put_data(skb, o->adata.data, datalen);
	memset(&fr, 0, sizeof(fr));
	fr.type = type;
	fr.flags = type == TDI_T_ACCEPT && o->msgmode ? TDI_F_MSGMODE : 0;
	fr.sport = o->lport;
	fr.dport = o->rport;
	fr.src_id = o->local_id;
	fr.dst_id = o->peer_id;
	fr.seq = o->isn;
	fr.ack = o->peer_isn;
	fr.wnd = type == TDI_T_ACCEPT ? o->wnd : 0;
	fr.tsval = tdi_now_us() ?: 1;
	fr.tsecr = o->peer_tsval;
	tdi_frame_push(skb, &fr, csum_partial(s, TDI_SETUP_LEN + datalen, 0));
	if (type == TDI_T_RESET)
		tdi_stat_inc(tn, TDI_STAT_RESETS_OUT);
	tdi_xmit_enqueue(xmitq, skb, o->ifindex, o->peer_mac);
	return 0;
}

static unsigned long tdi_offer_rto(struct tdi_net *tn,
				   const struct tdi_offer *o)
{
	u32 us = tdi_rto_backed_off(READ_ONCE(tn->sysctl.rto_initial_ms) *
				    USEC_PER_MSEC, o->backoff,
				    READ_ONCE(tn->sysctl.rto_max_ms) *
				    USEC_PER_MSEC);

	return max(usecs_to_jiffies(us), 1UL);
}

/* Every offer whose ACCEPT is due: send it again, or end the offer. */
static void tdi_offer_timer(struct timer_list *t)
{
	struct tdi_net *tn = from_timer(tn, t, offer_timer);
	int retries = READ_ONCE(tn->sysctl.retries);
	unsigned long now = jiffies, next = 0;
	struct tdi_offer *o, *tmp;
	struct sk_buff_head xmitq;
	LIST_HEAD(dead);
	bool armed = false;

	__skb_queue_head_init(&xmitq);
	spin_lock(&tn->offer_lock);
	list_for_each_entry_safe(o, tmp, &tn->offer_list, list) {
		if (time_before(now, o->due)) {
			if (!armed || time_before(o->due, next))
				next = o->due;
			armed = true;
			continue;
		}
		if (++o->retries > retries) {
			__tdi_offer_unlink(tn, o);
			list_add(&o->list, &dead);
			tdi_offer_send(tn, o, TDI_T_RESET, TDI_REASON_TIMEOUT,
				       &xmitq);
			tdi_stat_inc(tn, TDI_STAT_DEAD_OFFERS);
			continue;
		}
		tdi_offer_send(tn, o, TDI_T_ACCEPT, 0, &xmitq);
		if (o->backoff < 16)
			o->backoff++;
		o->due = now + tdi_offer_rto(tn, o);
		if (!armed || time_before(o->due, next))
			next = o->due;
		armed = true;
	}
	if (armed && !tn->offer_closed)
		mod_timer(&tn->offer_timer,
			  max(next, now + TDI_OFFER_TIMER_SLACK));
	spin_unlock(&tn->offer_lock);
	tdi_xmit_flush(tn->net, &xmitq);
	list_for_each_entry_safe(o, tmp, &dead, list)
		tdi_offer_free(o);
}

/**
 * tdi_offers_init() - an empty offer table for a new namespace
 * @net: the namespace
 * @tn: its tdi state
 */
void tdi_offers_init(struct net *net, struct tdi_net *tn)
{
	unsigned int i;

	tn->net = net;
	spin_lock_init(&tn->offer_lock);
	for (i = 0; i < TDI_OFFER_HASH_SIZE; i++) {
		INIT_HLIST_HEAD(&tn->offer_ids[i]);
		INIT_HLIST_HEAD(&tn->offer_peers[i]);
	}
	INIT_LIST_HEAD(&tn->offer_list);
	tn->offer_count = 0;
	tn->offer_closed = false;
	timer_setup(&tn->offer_timer, tdi_offer_timer, 0);
	tn->cookie_last = jiffies - 2 * TDI_COOKIE_PERIOD;
	get_random_bytes(&tn->cookie_key, sizeof(tn->cookie_key));
}

/**
 * tdi_offers_exit() - the namespace goes: stop the timer, free the table
 * @tn: its tdi state
 *
 * Listeners remove their offers when they stop, and a listener holds the
 * namespace, so the table is empty by now; whatever is left is freed.
 * After this no timer of the table runs or can be armed.
 */
void tdi_offers_exit(struct tdi_net *tn)
{
	struct tdi_offer *o, *tmp;
	LIST_HEAD(dead);

	spin_lock_bh(&tn->offer_lock);
	tn->offer_closed = true;
	spin_unlock_bh(&tn->offer_lock);
	timer_shutdown_sync(&tn->offer_timer);

	spin_lock_bh(&tn->offer_lock);
	WARN_ON_ONCE(tn->offer_count);
	list_for_each_entry_safe(o, tmp, &tn->offer_list, list) {
		__tdi_offer_unlink(tn, o);
		list_add(&o->list, &dead);
	}
	spin_unlock_bh(&tn->offer_lock);
	list_for_each_entry_safe(o, tmp, &dead, list)
		tdi_offer_free(o);
}

/**
 * tdi_offers_flush_listener() - a listener stopped: end its offers
 * @lts: the listener, socket lock held, no longer listening
 * @xmitq: where the RESETs go
 */
void tdi_offers_flush_listener(struct tdi_sock *lts,
			       struct sk_buff_head *xmitq)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&lts->sk));
	struct tdi_offer *o, *tmp;
	LIST_HEAD(dead);

	spin_lock_bh(&tn->offer_lock);
	list_for_each_entry_safe(o, tmp, &tn->offer_list, list) {
		if (o->lts != lts)
			continue;
		__tdi_offer_unlink(tn, o);
		list_add(&o->list, &dead);
		tdi_offer_send(tn, o, TDI_T_RESET, TDI_REASON_ABORT, xmitq);
	}
	WARN_ON_ONCE(lts->offers);
	spin_unlock_bh(&tn->offer_lock);
	/* the caller holds its own reference on @lts: never the last */
	list_for_each_entry_safe(o, tmp, &dead, list)
		tdi_offer_free(o);
}

static u32 tdi_cookie_count(void)
{
	return (u32)(jiffies / TDI_COOKIE_PERIOD);
}

/* The keyed hash of an offer's addressing, a clock value and @extra. */
static u64 tdi_cookie_hash(const struct tdi_net *tn, const struct tdi_offer *o,
			   u32 count, u64 extra)
{
	const u8 *m = o->peer_mac;
	u64 mac = (u64)m[0] << 40 | (u64)m[1] << 32 | (u64)m[2] << 24 |
		  (u64)m[3] << 16 | (u64)m[4] << 8 | m[5];

	return siphash_4u64(mac << 16 | o->rport,
			    (u64)o->peer_id << 32 | (u32)o->lport << 16,
			    (u64)(u32)o->ifindex << 32 | count, extra,
			    &tn->cookie_key);
}

/* What the ISN hides the connector's ISN with. */
static u32 tdi_cookie_mask(const struct tdi_net *tn, const struct tdi_offer *o,
			   u32 count)
{
	return (u32)tdi_cookie_hash(tn, o, count, 0);
}

/* The identifier of a cookie: 28 bits of hash over everything the child
 * needs that the first frame does not repeat, the MRU index, the type.
 */
static u32 tdi_cookie_id(const struct tdi_net *tn, const struct tdi_offer *o,
			 u32 count, unsigned int mru_idx)
{
	u64 extra = BIT_ULL(63) | (u64)mru_idx << 33 | (u64)o->msgmode << 32 |
		    o->peer_isn;

	return ((u32)tdi_cookie_hash(tn, o, count, extra) & ~0xfU) |
	       mru_idx << 1 | o->msgmode;
}

static unsigned int tdi_cookie_mru_idx(u16 mru)
{
	unsigned int i = ARRAY_SIZE(tdi_cookie_mru) - 1;

	while (i && tdi_cookie_mru[i] > mru)
		i--;
	return i;
}

/* Is @id some connection's or offer's identifier already? */
static bool tdi_id_in_use(struct tdi_net *tn, u32 id)
{
	struct tdi_sock *ts = tdi_conn_lookup(tn, id);
	bool used;

	if (ts) {
		sock_put(&ts->sk);
		return true;
	}
	spin_lock_bh(&tn->offer_lock);
	used = __tdi_offer_lookup(tn, id);
	spin_unlock_bh(&tn->offer_lock);
	return used;
}

/* Fill @o from a CONNECT for @lts (identifier and ISN not chosen yet). */
static void tdi_offer_fill(struct tdi_offer *o, struct tdi_sock *lts,
			   struct sk_buff *skb, const struct tdi_frame *fr,
			   int mtu)
{
	memset(o, 0, sizeof(*o));
	ether_addr_copy(o->peer_mac, eth_hdr(skb)->h_source);
	o->ifindex = skb->skb_iif;
	o->lport = lts->addr->port;
	o->rport = fr->sport;
	o->peer_id = fr->src_id;
	o->peer_isn = fr->seq;
	o->peer_wnd = fr->wnd;
	o->peer_tsval = fr->tsval;
	o->peer_mru = fr->mru;
	o->mru = tdi_mru_of(mtu);
	o->wnd = tdi_offer_wnd(lts);
	o->msgmode = lts->sk.sk_type == SOCK_SEQPACKET;
	tdi_udata_from_frame(&o->cdata, skb, fr);
	o->adata = lts->ud[TDI_UD_ACCEPT];
}

/* Put @o in the table for @lts and queue its first ACCEPT, if there is
 * room; false when full.  The ACCEPT is built under offer_lock: once the
 * lock is dropped the offer may be taken and freed at any time.
 */
static bool tdi_offer_insert(struct tdi_net *tn, struct tdi_sock *lts,
			     struct tdi_offer *o, struct sk_buff_head *xmitq)
{
	int max = READ_ONCE(tn->sysctl.max_offers), tries;
	bool ok = false;

	spin_lock_bh(&tn->conn_lock);
	spin_lock(&tn->offer_lock);
	if (tn->offer_closed || tn->offer_count >= max ||
	    lts->offers > READ_ONCE(lts->sk.sk_max_ack_backlog))
		goto out;
	for (tries = 0; tries < 16; tries++) {
		u32 id = get_random_u32();

		if (!id || __tdi_conn_id_used(tn, id) ||
		    __tdi_offer_lookup(tn, id))
			continue;
		o->local_id = id;
		ok = true;
		break;
	}
	if (!ok)
		goto out;
	o->isn = get_random_u32();
	o->lts = lts;
	sock_hold(&lts->sk);
	lts->offers++;
	WRITE_ONCE(tn->offer_count, tn->offer_count + 1);
	hlist_add_head(&o->id_node, &tn->offer_ids[tdi_offer_id_slot(o->local_id)]);
	hlist_add_head(&o->peer_node,
		       &tn->offer_peers[tdi_offer_peer_slot(o->peer_mac,
							    o->peer_id)]);
	list_add_tail(&o->list, &tn->offer_list);
	o->due = jiffies + tdi_offer_rto(tn, o);
	timer_reduce(&tn->offer_timer,
		     max(o->due, jiffies + TDI_OFFER_TIMER_SLACK));
	/* lost to memory, it goes again when the timer finds it due */
	tdi_offer_send(tn, o, TDI_T_ACCEPT, 0, xmitq);
out:
	spin_unlock(&tn->offer_lock);
	spin_unlock_bh(&tn->conn_lock);
	return ok;
}

/**
 * tdi_offer_connect() - answer a new offer with ACCEPT
 * @lts: the listener, socket lock held; it has room in its accept queue
 * @skb: the CONNECT (not consumed), header in TDI_FRAME_CB(skb)
 * @xmitq: where the answer goes
 *
 * The offer goes into the offer table, or, when that (or the listener's
 * share of it) is full, is answered with a cookie.  An offer that can be
 * neither is refused with INSUFFICIENT_RESOURCES.
 */
void tdi_offer_connect(struct tdi_sock *lts, struct sk_buff *skb,
		       struct sk_buff_head *xmitq)
{
	const struct tdi_frame *fr = TDI_FRAME_CB(skb);
	struct net *net = sock_net(&lts->sk);
	struct tdi_net *tn = tdi_pernet(net);
	struct tdi_offer *o, c;
	unsigned int idx;
	u32 count;
	int mtu;

	mtu = tdi_dev_mtu(net, skb->skb_iif);
	if (mtu < TDI_MIN_MTU)
		goto refuse;
	o = kmem_cache_alloc(tdi_offer_cache, GFP_ATOMIC);
	if (o) {
		tdi_offer_fill(o, lts, skb, fr, mtu);
		if (tdi_offer_insert(tn, lts, o, xmitq)) {
			/* the table has it now; the timer sends it again */
			tdi_stat_inc(tn, TDI_STAT_ACCEPTS);
			return;
		}
		kmem_cache_free(tdi_offer_cache, o);
	}
	tdi_stat_inc(tn, TDI_STAT_OFFERS_OVERFLOW);
	/* a cookie cannot keep connect data, and none is lost silently */
	if (fr->datalen)
		goto refuse;

	/* a cookie: the offer is in the ACCEPT's identifier and ISN */
	tdi_offer_fill(&c, lts, skb, fr, mtu);
	idx = tdi_cookie_mru_idx(c.peer_mru);
	c.peer_mru = tdi_cookie_mru[idx];
	count = tdi_cookie_count();
	c.local_id = tdi_cookie_id(tn, &c, count, idx);
	c.isn = c.peer_isn ^ tdi_cookie_mask(tn, &c, count);
	if (!c.local_id || tdi_id_in_use(tn, c.local_id))
		goto refuse;
	if (tdi_offer_send(tn, &c, TDI_T_ACCEPT, 0, xmitq))
		goto refuse;
	WRITE_ONCE(tn->cookie_last, jiffies);
	tdi_stat_inc(tn, TDI_STAT_COOKIES_SENT);
	tdi_stat_inc(tn, TDI_STAT_ACCEPTS);
	return;

refuse:
	tdi_reply(net, skb, TDI_T_REFUSE, TDI_REASON_INSUFFICIENT_RESOURCES,
		  xmitq);
}

/* Does a frame come from the connector of @o? */
static bool tdi_offer_match(const struct tdi_offer *o, struct sk_buff *skb,
			    const struct tdi_frame *fr)
{
	return fr->src_id == o->peer_id && fr->sport == o->rport &&
	       skb->skb_iif == o->ifindex &&
	       ether_addr_equal(eth_hdr(skb)->h_source, o->peer_mac);
}

/* Types that may be the connector's first frame after the ACCEPT. */
static bool tdi_offer_first_type(u8 type)
{
	return type == TDI_T_ACK || type == TDI_T_DATA ||
	       type == TDI_T_XDATA || type == TDI_T_RELEASE;
}

/* Decode a cookie from a first frame into @c; false when it is not one.
 * The frame acknowledges our ISN (nothing of ours has a sequence number
 * yet), which gives the connector's ISN back, and the identifier must be
 * the hash of it and of the frame's addressing, now or one period ago.
 */
static bool tdi_cookie_check(struct tdi_net *tn, struct sk_buff *skb,
			     const struct tdi_frame *fr, struct tdi_offer *c)
{
	u32 id = fr->dst_id, now = tdi_cookie_count(), count;
	unsigned int idx = (id >> 1) & 7;
	int age;

	memset(c, 0, sizeof(*c));
	ether_addr_copy(c->peer_mac, eth_hdr(skb)->h_source);
	c->ifindex = skb->skb_iif;
	c->lport = fr->dport;
	c->rport = fr->sport;
	c->peer_id = fr->src_id;
	c->msgmode = id & 1;
	for (age = 0; age < 2; age++) {
		count = now - age;
		c->isn = fr->ack;
		c->peer_isn = fr->ack ^ tdi_cookie_mask(tn, c, count);
		if (tdi_cookie_id(tn, c, count, idx) != id)
			continue;
		c->local_id = id;
		c->peer_mru = tdi_cookie_mru[idx];
		c->peer_wnd = fr->wnd;
		c->peer_tsval = fr->tsval;
		return true;
	}
	return false;
}

static bool tdi_cookies_recent(struct tdi_net *tn)
{
	return time_before(jiffies, READ_ONCE(tn->cookie_last) +
				    2 * TDI_COOKIE_PERIOD);
}

/**
 * tdi_offer_rcv() - a frame for no connection: is it for an offer
 * @net: the namespace
 * @skb: the frame, header in TDI_FRAME_CB(skb)
 * @lts: set to the listener (with a reference) when the frame goes there
 *
 * A first frame of an offer of the table, or one that carries a good
 * cookie, goes to the offer's listener (marked in TDI_FRAME_CB(skb)->offer),
 * which makes the child under its lock.  A RESET from an offer's
 * connector ends the offer.
 *
 * Return: 1 to deliver @skb to *@lts; 0 when the frame is for no offer
 * (the caller answers it as for an unknown connection); -1 when it was
 * consumed here.
 */
int tdi_offer_rcv(struct net *net, struct sk_buff *skb,
		  struct tdi_sock **lts)
{
	struct tdi_frame *fr = TDI_FRAME_CB(skb);
	struct tdi_net *tn = tdi_pernet(net);
	struct tdi_offer *o, c;
	bool first = tdi_offer_first_type(fr->type);

	if (!first && fr->type != TDI_T_RESET)
		return 0;
	spin_lock_bh(&tn->offer_lock);
	o = __tdi_offer_lookup(tn, fr->dst_id);
	if (o && tdi_offer_match(o, skb, fr)) {
		if (!first) {
			/* RESET: in the window the ACCEPT offered, as always */
			if (!tdi_seq_in(fr->seq, o->peer_isn,
					o->peer_isn + o->wnd + 2)) {
				spin_unlock_bh(&tn->offer_lock);
				return 0;
			}
			__tdi_offer_unlink(tn, o);
			spin_unlock_bh(&tn->offer_lock);
			tdi_stat_inc(tn, TDI_STAT_RESETS_IN);
			tdi_stat_inc(tn, TDI_STAT_DEAD_OFFERS);
			tdi_offer_free(o);
			consume_skb(skb);
			return -1;
		}
		if (fr->ack == o->isn) {
			*lts = o->lts;
			sock_hold(&o->lts->sk);
			spin_unlock_bh(&tn->offer_lock);
			fr->offer = 1;
			return 1;
		}
	}
	spin_unlock_bh(&tn->offer_lock);
	if (!first || !tdi_cookies_recent(tn))
		return 0;
	if (!tdi_cookie_check(tn, skb, fr, &c)) {
		tdi_stat_inc(tn, TDI_STAT_COOKIES_BAD);
		return 0;
	}
	*lts = tdi_find_listener(net, skb, c.lport,
				 c.msgmode ? SOCK_SEQPACKET : SOCK_STREAM, true);
	if (!*lts)
		return 0;
	fr->offer = 1;
	return 1;
}

/* Under the listener's lock: take the offer of a first frame, out of the
 * table or out of its cookie, into @o.  The table's offer is unlinked and
 * its listener reference is handed back (the caller holds its own).
 */
static bool tdi_offer_take(struct tdi_sock *lts, struct sk_buff *skb,
			   const struct tdi_frame *fr, struct tdi_offer *o,
			   bool *cookie)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&lts->sk));
	struct tdi_offer *t;

	spin_lock_bh(&tn->offer_lock);
	t = __tdi_offer_lookup(tn, fr->dst_id);
	if (t && t->lts == lts && tdi_offer_match(t, skb, fr) &&
	    fr->ack == t->isn) {
		__tdi_offer_unlink(tn, t);
		spin_unlock_bh(&tn->offer_lock);
		*o = *t;
		o->lts = NULL;
		tdi_offer_free(t);
		*cookie = false;
		return true;
	}
	spin_unlock_bh(&tn->offer_lock);
	*cookie = true;
	return tdi_cookie_check(tn, skb, fr, o) && o->lport == lts->addr->port &&
	       o->msgmode == (lts->sk.sk_type == SOCK_SEQPACKET);
}

/* The child of a completed offer, CONNECTED and accept pending. */
static struct tdi_sock *tdi_offer_child(struct tdi_sock *lts,
					const struct tdi_offer *o, int mtu)
{
	struct tdi_net *tn = tdi_pernet(sock_net(&lts->sk));
	struct tdi_sock *ts;

	ts = tdi_child_alloc(lts);
	if (!ts)
		return NULL;
	tdi_conn_reset(ts);
	ts->peer_ud[TDI_UD_CONNECT] = o->cdata;
	/* what its ACCEPT carries when it sends it again */
	ts->ud[TDI_UD_ACCEPT] = o->adata;
	ether_addr_copy(ts->peer_mac, o->peer_mac);
	ts->ifindex = o->ifindex;
	ts->rport = o->rport;
	ts->msgmode = o->msgmode;
	ts->peer_id = o->peer_id;
	ts->peer_mru = o->peer_mru;
	ts->mru = tdi_mru_of(mtu);
	ts->mss = min_t(u32, o->peer_mru, ts->mru);
	ts->cwnd = TDI_INIT_CWND * ts->mss;
	ts->rcv_nxt = o->peer_isn;
	/* the ACCEPT offered this much: take what the peer sends into it */
	ts->rcv_right = o->peer_isn + o->wnd;
	ts->rcv_adv = ts->rcv_right;
	ts->snd_una = o->isn;
	ts->snd_nxt = ts->snd_una;
	ts->write_seq = ts->snd_una;
	ts->snd_right = ts->snd_una + o->peer_wnd;
	tdi_ts_anchor(ts, o->peer_tsval);
	ts->accept_pending = 1;
	tdi_rtt_init(&ts->rtt, READ_ONCE(tn->sysctl.rto_initial_ms) * USEC_PER_MSEC);
	tdi_set_state(ts, TDI_STATE_CONNECTED);
	return ts;
}

/* A frame that found the child made meanwhile: hand it to the child. */
static void tdi_offer_to_child(struct tdi_sock *ts, struct sk_buff *skb,
			       struct sk_buff_head *xmitq)
{
	struct sock *sk = &ts->sk;

	local_bh_disable();
	bh_lock_sock_nested(sk);
	tdi_input_or_backlog(ts, skb, xmitq);
	bh_unlock_sock(sk);
	local_bh_enable();
	tdi_ep_deliver(ts);
}

/* Answer a first frame whose offer cannot become a connection. */
static void tdi_offer_reset(struct net *net, struct sk_buff *skb, u8 reason,
			    struct sk_buff_head *xmitq)
{
	tdi_reply(net, skb, TDI_T_RESET, reason, xmitq);
	kfree_skb(skb);
}

/**
 * tdi_offer_input() - the connector's first frame: make the child
 * @lts: the listener, socket lock held
 * @skb: the frame, header in TDI_FRAME_CB(skb) (offer set); consumed
 * @xmitq: where answers go
 *
 * The offer is checked again under the lock (it may have gone since the
 * receive path saw it).  The child is created, hashed under the offer's
 * identifier, takes @skb as its first input and goes on the accept queue.
 * A full accept queue, a missing device or memory, or an identifier taken
 * meanwhile end the offer with RESET(INSUFFICIENT_RESOURCES).  A frame
 * that is no first frame of an offer is answered as one for an unknown
 * connection.
 */
void tdi_offer_input(struct tdi_sock *lts, struct sk_buff *skb,
		     struct sk_buff_head *xmitq)
{
	struct tdi_frame fr = *TDI_FRAME_CB(skb);
	struct net *net = sock_net(&lts->sk);
	struct tdi_net *tn = tdi_pernet(net);
	struct tdi_offer o;
	struct tdi_sock *ts;
	bool cookie;
	int mtu;

	TDI_FRAME_CB(skb)->offer = 0;
	/* a second first frame, after the first made the child */
	ts = tdi_conn_lookup(tn, fr.dst_id);
	if (ts) {
		tdi_offer_to_child(ts, skb, xmitq);
		sock_put(&ts->sk);
		return;
	}
	/* a listener that stopped has no offers left (nor an address); a
	 * TDI-form listen makes no children
	 */
	if (lts->state != TDI_STATE_LISTENING || lts->tdi_listen ||
	    !tdi_offer_take(lts, skb, &fr, &o, &cookie)) {
		tdi_stat_inc(tn, TDI_STAT_DROP_BASE + TDI_DROP_NOCONN);
		tdi_offer_reset(net, skb, fr.type == TDI_T_RELEASE ?
				TDI_REASON_RELEASE : TDI_REASON_ABORT, xmitq);
		return;
	}
	tdi_reap_dead_offers(lts);
	/* the peer's clock is anchored at the frame that completes set-up */
	o.peer_tsval = fr.tsval;
	mtu = tdi_dev_mtu(net, skb->skb_iif);
	ts = NULL;
	if (!sk_acceptq_is_full(&lts->sk) && mtu >= TDI_MIN_MTU)
		ts = tdi_offer_child(lts, &o, mtu);
	if (!ts) {
		tdi_offer_reset(net, skb, TDI_REASON_INSUFFICIENT_RESOURCES,
				xmitq);
		return;
	}
	/* once hashed the child can get frames: hold its lock till set up */
	local_bh_disable();
	bh_lock_sock_nested(&ts->sk);
	if (tdi_conn_hash_id(ts, o.local_id)) {
		tdi_conn_done(ts, ECONNABORTED,
			      TDI_REASON_INSUFFICIENT_RESOURCES);
		bh_unlock_sock(&ts->sk);
		local_bh_enable();
		sock_put(&ts->sk);
		tdi_offer_reset(net, skb, TDI_REASON_INSUFFICIENT_RESOURCES,
				xmitq);
		return;
	}
	/* an RTT sample from an ACCEPT that was sent once */
	if (fr.tsecr && !o.retries) {
		u32 sample = tdi_now_us() - fr.tsecr;

		if (sample < 60 * USEC_PER_SEC)
			tdi_rtt_sample_net(tn, &ts->rtt, sample);
	}
	tdi_conn_input(ts, skb, xmitq);
	/* an inherited SO_KEEPALIVE starts its timer now */
	tdi_conn_keepalive_changed(ts);
	bh_unlock_sock(&ts->sk);
	local_bh_enable();
	tdi_ep_deliver(ts);
	tdi_link_sock(ts);
	list_add_tail(&ts->accept_node, &lts->accept_queue);
	sk_acceptq_added(&lts->sk);
	if (cookie)
		tdi_stat_inc(tn, TDI_STAT_COOKIES_OK);
	tdi_ep_indicate(lts, TDI_IND_OFFER);
}
