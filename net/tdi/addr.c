// SPDX-License-Identifier: GPL-2.0
/*
 * tdi address objects: sockaddr validation, the per-namespace port table
 * and the life cycle of struct tdi_addr.
 *
 * A port belongs to at most one address object per network namespace, and
 * a non-empty name to at most one address object per namespace.  Address
 * objects are found by RCU readers (the receive path) and by bind() under
 * the table lock; the last tdi_addr_put() unhashes the object at once, so
 * a port is free again as soon as close() returns.
 */

#include <linux/capability.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/jhash.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "tdi.h"

static bool tdi_name_canonical(const char *name)
{
	size_t len = strnlen(name, TDI_NAME_LEN);

	return !memchr_inv(name + len, 0, TDI_NAME_LEN - len);
}

/**
 * tdi_sockaddr_check() - validate the form of a struct sockaddr_tdi
 * @sa: the address, already copied from the caller
 * @len: the length the caller passed
 *
 * Return: 0, -EINVAL for a short address, non-zero padding or a name with
 * bytes after its terminating NUL, -EAFNOSUPPORT for another family.
 */
int tdi_sockaddr_check(const struct sockaddr_tdi *sa, int len)
{
	if (len < (int)sizeof(*sa))
		return -EINVAL;
	if (sa->stdi_family != AF_TDI)
		return -EAFNOSUPPORT;
	if (memchr_inv(sa->stdi_zero, 0, sizeof(sa->stdi_zero)))
		return -EINVAL;
	if (!tdi_name_canonical(sa->stdi_name))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_sockaddr_check);

static bool tdi_dev_usable(const struct net_device *dev)
{
	return dev->type == ARPHRD_ETHER && dev->addr_len == ETH_ALEN;
}

/**
 * tdi_addr_resolve() - check a bind address against the namespace's devices
 * @net: the namespace of the binding socket
 * @sa: a well-formed address (tdi_sockaddr_check() passed)
 *
 * Return: 0; -ENODEV when @sa names an interface that does not exist in
 * @net or is not an Ethernet device; -EADDRNOTAVAIL when @sa names a node
 * address that no Ethernet device of @net (or of the named interface) has.
 */
int tdi_addr_resolve(struct net *net, const struct sockaddr_tdi *sa)
{
	bool any_node = is_zero_ether_addr(sa->stdi_node);
	struct net_device *dev;
	int err = 0;

	rcu_read_lock();
	if (sa->stdi_ifindex) {
		dev = sa->stdi_ifindex > 0 ?
		      dev_get_by_index_rcu(net, sa->stdi_ifindex) : NULL;
		if (!dev || !tdi_dev_usable(dev))
			err = -ENODEV;
		else if (!any_node &&
			 !ether_addr_equal(dev->dev_addr, sa->stdi_node))
			err = -EADDRNOTAVAIL;
		goto out;
	}
	if (any_node)
		goto out;
	err = -EADDRNOTAVAIL;
	for_each_netdev_rcu(net, dev) {
		if (tdi_dev_usable(dev) &&
		    ether_addr_equal(dev->dev_addr, sa->stdi_node)) {
			err = 0;
			break;
		}
	}
out:
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_addr_resolve);

/**
 * tdi_ports_init() - initialise an empty port table
 * @ports: the table
 */
void tdi_ports_init(struct tdi_ports *ports)
{
	unsigned int i;

	spin_lock_init(&ports->lock);
	for (i = 0; i < TDI_PORT_HASH_SIZE; i++) {
		INIT_HLIST_HEAD(&ports->hash[i]);
		INIT_HLIST_HEAD(&ports->names[i]);
	}
	ports->count = 0;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_ports_init);

static struct hlist_head *tdi_port_bucket(struct tdi_ports *ports, u16 port)
{
	return &ports->hash[hash_32(port, TDI_PORT_HASH_BITS)];
}

/* Caller holds ports->lock or the RCU read lock. */
static struct tdi_addr *__tdi_ports_find(struct tdi_ports *ports, u16 port)
{
	struct tdi_addr *a;

	hlist_for_each_entry_rcu(a, tdi_port_bucket(ports, port), node,
				 lockdep_is_held(&ports->lock))
		if (a->port == port)
			return a;
	return NULL;
}

static struct hlist_head *tdi_name_bucket(struct tdi_ports *ports,
					  const char *name)
{
	return &ports->names[jhash(name, TDI_NAME_LEN, 0) &
			     (TDI_PORT_HASH_SIZE - 1)];
}

/* Caller holds ports->lock. */
static bool tdi_ports_name_taken(struct tdi_ports *ports, const char *name)
{
	struct tdi_addr *a;

	if (!name[0])
		return false;
	hlist_for_each_entry(a, tdi_name_bucket(ports, name), name_node)
		if (!memcmp(a->name, name, TDI_NAME_LEN))
			return true;
	return false;
}

/* Ports tried per hold of the table lock while looking for a free one. */
#define TDI_PORT_SCAN_CHUNK	128

/* Caller holds ports->lock.  Tries @count ports of the range from position
 * @from on; returns a free one, or 0.
 */
static u16 tdi_ports_pick(struct tdi_ports *ports, u32 low, u32 n, u32 from,
			  u32 count)
{
	u32 i, port;

	for (i = 0; i < count; i++) {
		port = low + (from + i) % n;
		if (!__tdi_ports_find(ports, port))
			return port;
	}
	return 0;
}

/**
 * tdi_ports_insert() - give an address object its port and hash it
 * @ports: the namespace's port table
 * @a: the address object; @a->port 0 asks for an ephemeral port
 * @range: the ephemeral range, low << 16 | high
 * @seed: where in the range the search for a free port starts
 *
 * The search for an ephemeral port takes the table lock for a few ports
 * at a time, and gives the CPU up in between: a crowded range is not
 * walked whole with BHs off.  Process context.
 *
 * Return: 0, or -EADDRINUSE when the port, the name or (for port 0) every
 * ephemeral port is taken.
 */
int tdi_ports_insert(struct tdi_ports *ports, struct tdi_addr *a,
		     u32 range, u32 seed)
{
	u32 low = range >> 16, high = range & 0xffff, n = 0, done = 0;
	bool pick = !a->port;
	int err = -EADDRINUSE;

	if (pick) {
		if (!low || low > high)
			return -EADDRINUSE;
		n = high - low + 1;
		seed %= n;
	}
	for (;;) {
		spin_lock_bh(&ports->lock);
		if (tdi_ports_name_taken(ports, a->name))
			goto out;
		if (pick) {
			u32 count = min_t(u32, n - done, TDI_PORT_SCAN_CHUNK);

			a->port = tdi_ports_pick(ports, low, n, seed + done,
						 count);
			done += count;
			if (!a->port) {
				spin_unlock_bh(&ports->lock);
				if (done >= n)
					return -EADDRINUSE;
				cond_resched();
				continue;
			}
		} else if (__tdi_ports_find(ports, a->port)) {
			goto out;
		}
		break;
	}
	hlist_add_head_rcu(&a->node, tdi_port_bucket(ports, a->port));
	if (a->name[0])
		hlist_add_head(&a->name_node, tdi_name_bucket(ports, a->name));
	ports->count++;
	err = 0;
out:
	spin_unlock_bh(&ports->lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_ports_insert);

/**
 * tdi_ports_lookup() - find the address object of a port and hold it
 * @ports: the port table
 * @port: the port, host byte order
 *
 * Return: the address object with a reference the caller must put, or NULL.
 */
struct tdi_addr *tdi_ports_lookup(struct tdi_ports *ports, u16 port)
{
	struct tdi_addr *a;

	rcu_read_lock();
	a = __tdi_ports_find(ports, port);
	if (a && !refcount_inc_not_zero(&a->ref))
		a = NULL;
	rcu_read_unlock();
	return a;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_ports_lookup);

/**
 * tdi_ports_remove() - unhash an address object, freeing its port
 * @ports: the port table that holds @a
 * @a: the address object
 */
void tdi_ports_remove(struct tdi_ports *ports, struct tdi_addr *a)
{
	spin_lock_bh(&ports->lock);
	hlist_del_rcu(&a->node);
	if (a->name[0])
		hlist_del(&a->name_node);
	ports->count--;
	spin_unlock_bh(&ports->lock);
}
EXPORT_SYMBOL_IF_KUNIT(tdi_ports_remove);

/**
 * tdi_addr_create() - open an address object (bind)
 * @net: the namespace of the caller's socket
 * @sa: a well-formed address (tdi_sockaddr_check() passed)
 * @err: where to store the error
 *
 * Return: the new, hashed address object holding one reference, or NULL
 * with *@err set: -EACCES for a privileged port without
 * CAP_NET_BIND_SERVICE in @net, the errors of tdi_addr_resolve() and
 * tdi_ports_insert(), or -ENOMEM.
 */
struct tdi_addr *tdi_addr_create(struct net *net,
				 const struct sockaddr_tdi *sa, int *err)
{
	struct tdi_net *tn = tdi_pernet(net);
	u16 port = ntohs(sa->stdi_port);
	struct tdi_addr *a;

	if (port && port < TDI_PORT_PRIVILEGED &&
	    !ns_capable(net->user_ns, CAP_NET_BIND_SERVICE)) {
		*err = -EACCES;
		return NULL;
	}
	*err = tdi_addr_resolve(net, sa);
	if (*err)
		return NULL;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a) {
		*err = -ENOMEM;
		return NULL;
	}
	refcount_set(&a->ref, 1);
	spin_lock_init(&a->lock);
	INIT_LIST_HEAD(&a->listeners);
	a->tn = tn;
	a->port = port;
	a->ifindex = sa->stdi_ifindex;
	ether_addr_copy(a->hwaddr, sa->stdi_node);
	memcpy(a->name, sa->stdi_name, TDI_NAME_LEN);
	*err = tdi_ports_insert(&tn->ports, a, READ_ONCE(tn->port_range),
				get_random_u32());
	if (*err) {
		kfree(a);
		return NULL;
	}
	return a;
}

/**
 * tdi_addr_get() - take a reference on an address object
 * @a: the address object, already held by the caller
 */
void tdi_addr_get(struct tdi_addr *a)
{
	refcount_inc(&a->ref);
}

/**
 * tdi_addr_put() - drop a reference; the last one frees the port
 * @a: the address object
 */
void tdi_addr_put(struct tdi_addr *a)
{
	if (!refcount_dec_and_test(&a->ref))
		return;
	tdi_ports_remove(&a->tn->ports, a);
	kfree_rcu(a, rcu);
}

/**
 * tdi_addr_fill() - the sockaddr_tdi of an address object
 * @a: the address object
 * @sa: filled in whole, padding zeroed
 */
void tdi_addr_fill(const struct tdi_addr *a, struct sockaddr_tdi *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->stdi_family = AF_TDI;
	sa->stdi_port = htons(a->port);
	sa->stdi_ifindex = a->ifindex;
	ether_addr_copy(sa->stdi_node, a->hwaddr);
	memcpy(sa->stdi_name, a->name, TDI_NAME_LEN);
}

/**
 * tdi_filter_check() - is a listen filter well formed?
 * @f: the filter, as the user gave it
 *
 * Return: 0, or -EINVAL: a prefix over 48 bits, a reserved field, family
 * other than AF_TDI or 0, an interface, a name or padding in the remote
 * address, or a remote port other than 0 or @f->port.
 */
int tdi_filter_check(const struct tdi_filter *f)
{
	const struct sockaddr_tdi *r = &f->remote;

	if (f->node_prefix_bits > 48 || f->reserved)
		return -EINVAL;
	if (r->stdi_family != AF_TDI && r->stdi_family != AF_UNSPEC)
		return -EINVAL;
	if (r->stdi_ifindex || r->stdi_zero[0] || r->stdi_zero[1] ||
	    memchr_inv(r->stdi_name, 0, TDI_NAME_LEN))
		return -EINVAL;
	if (r->stdi_port && r->stdi_port != f->port)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_filter_check);

/**
 * tdi_filter_match() - does an offer pass a listen filter?
 * @f: the filter, checked by tdi_filter_check()
 * @node: the offering node
 * @port: its port, host byte order
 *
 * The node matches when its first @f->node_prefix_bits bits (from the
 * most significant bit of the first byte, as an IP prefix) equal those of
 * @f->remote.stdi_node; the port when @f->port is 0 or equal.
 *
 * Return: true when the offer passes.
 */
bool tdi_filter_match(const struct tdi_filter *f, const u8 *node, u16 port)
{
	unsigned int bits = f->node_prefix_bits, n = bits / 8;
	const u8 *want = f->remote.stdi_node;

	if (f->port && ntohs(f->port) != port)
		return false;
	if (memcmp(want, node, n))
		return false;
	if (bits % 8 && ((want[n] ^ node[n]) & (0xff << (8 - bits % 8))))
		return false;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_filter_match);

/**
 * tdi_addr_listener() - the listen an offer to an address object goes to
 * @a: the address object
 * @type: the offer's socket type (SOCK_STREAM or SOCK_SEQPACKET)
 * @node: the offering node
 * @port: the offering port
 * @bsd_only: only a BSD listener will do (a cookie's first frame: a
 *	TDI-form listen makes no children)
 *
 * An address object's listens, BSD listeners and TDI-form listens alike,
 * are kept oldest first: the offer goes to the first of @type whose filter
 * it passes, so that pending TDI-form listens are served in FIFO order.
 *
 * Return: that listening endpoint with a reference the caller puts, or
 * NULL when none takes the offer.
 */
struct tdi_sock *tdi_addr_listener(struct tdi_addr *a, int type,
				   const u8 *node, u16 port, bool bsd_only)
{
	struct tdi_sock *l, *found = NULL;

	spin_lock_bh(&a->lock);
	list_for_each_entry(l, &a->listeners, listen_node) {
		if (l->sk.sk_type == type && !(bsd_only && l->tdi_listen) &&
		    tdi_filter_match(&l->filter, node, port)) {
			found = l;
			sock_hold(&l->sk);
			break;
		}
	}
	spin_unlock_bh(&a->lock);
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_addr_listener);

/**
 * tdi_addr_for_frame() - the address object a frame to a port goes to
 * @tn: the namespace
 * @skb: the frame, Ethernet header set (its device and destination node
 *	count)
 * @port: the port
 *
 * Return: the object bound to @port, if it takes frames of @skb's device
 * and destination node, with a reference; or NULL.
 */
struct tdi_addr *tdi_addr_for_frame(struct tdi_net *tn, struct sk_buff *skb,
				    u16 port)
{
	struct tdi_addr *a = tdi_ports_lookup(&tn->ports, port);

	if (a && ((a->ifindex && a->ifindex != skb->skb_iif) ||
		  (!is_zero_ether_addr(a->hwaddr) &&
		   !ether_addr_equal(a->hwaddr, eth_hdr(skb)->h_dest)))) {
		tdi_addr_put(a);
		a = NULL;
	}
	return a;
}
