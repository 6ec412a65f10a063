/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdi private header: the objects every part of the module shares.
 */
#ifndef _NET_TDI_TDI_H
#define _NET_TDI_TDI_H

#include <linux/if_ether.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <uapi/linux/tdi.h>

#define TDI_PORT_HASH_BITS	8
#define TDI_PORT_HASH_SIZE	BIT(TDI_PORT_HASH_BITS)

#define TDI_PORT_PRIVILEGED	1024	/* ports below need CAP_NET_BIND_SERVICE */
#define TDI_EPHEMERAL_MIN	49152
#define TDI_EPHEMERAL_MAX	65535

/**
 * struct tdi_ports - the port table of one network namespace
 * @lock: protects @hash and @count; taken with BHs off
 * @hash: address objects hashed by port
 * @names: address objects with a name, hashed by name
 * @count: address objects in @hash
 */
struct tdi_ports {
	spinlock_t		lock;		/* protects hash, names and count */
	struct hlist_head	hash[TDI_PORT_HASH_SIZE];
	struct hlist_head	names[TDI_PORT_HASH_SIZE];
	unsigned int		count;
};

/**
 * struct tdi_net - per network namespace state
 * @ports: the address objects, by port
 * @socks_lock: protects @socks
 * @socks: every tdi socket of the namespace, for /proc/net/tdi
 * @port_range: ephemeral port range, low << 16 | high (sysctl)
 * @sysctl_hdr: the net.tdi sysctl table of this namespace
 */
struct tdi_net {
	struct tdi_ports	ports;
	spinlock_t		socks_lock;	/* protects socks */
	struct hlist_head	socks;
	u32			port_range;
	struct ctl_table_header	*sysctl_hdr;
};

/**
 * struct tdi_addr - a transport address object
 * @ref: held by the socket that opened it and by each associated endpoint
 * @node: in the port table of @tn
 * @name_node: in the name table of @tn, when @name is not empty
 * @tn: the namespace's state
 * @port: the port, host byte order, never 0 once hashed
 * @ifindex: 0, or the one interface this address lives on
 * @hwaddr: the node address given to bind(), all-zero for "this node"
 * @name: the NetBIOS-style name, NUL-padded
 * @rcu: to free after RCU readers
 *
 * The fields other than @ref are set before the object is hashed and never
 * change afterwards, so readers need no lock.
 */
struct tdi_addr {
	refcount_t		ref;
	struct hlist_node	node;
	struct hlist_node	name_node;
	struct tdi_net		*tn;
	u16			port;
	int			ifindex;
	u8			hwaddr[ETH_ALEN];
	char			name[TDI_NAME_LEN];
	struct rcu_head		rcu;
};

/**
 * struct tdi_sock - an AF_TDI socket
 * @sk: the socket; must come first
 * @addr: the address object this socket opened (SOCK_DGRAM) or is
 *	associated with (endpoints); NULL when none.  Set under the socket
 *	lock; read by /proc under the namespace's socks_lock.
 * @state: TDI_STATE_*, changed only by tdi_set_state()
 * @list: in the namespace's socket list
 */
struct tdi_sock {
	struct sock		sk;
	struct tdi_addr		*addr;
	int			state;
	struct hlist_node	list;
};

static inline struct tdi_sock *tdi_sk(const struct sock *sk)
{
	return container_of(sk, struct tdi_sock, sk);
}

/* af_tdi.c */
extern unsigned int tdi_net_id;
struct tdi_net *tdi_pernet(const struct net *net);
int tdi_set_state(struct tdi_sock *ts, int state);

/* addr.c */
int tdi_sockaddr_check(const struct sockaddr_tdi *sa, int len);
int tdi_addr_resolve(struct net *net, const struct sockaddr_tdi *sa);
void tdi_ports_init(struct tdi_ports *ports);
int tdi_ports_insert(struct tdi_ports *ports, struct tdi_addr *a,
		     u32 range, u32 seed);
struct tdi_addr *tdi_ports_lookup(struct tdi_ports *ports, u16 port);
void tdi_ports_remove(struct tdi_ports *ports, struct tdi_addr *a);
struct tdi_addr *tdi_addr_create(struct net *net,
				 const struct sockaddr_tdi *sa, int *err);
void tdi_addr_get(struct tdi_addr *a);
void tdi_addr_put(struct tdi_addr *a);
void tdi_addr_fill(const struct tdi_addr *a, struct sockaddr_tdi *sa);

/* sysctl.c */
int tdi_sysctl_init(struct net *net, struct tdi_net *tn);
void tdi_sysctl_exit(struct tdi_net *tn);

/* proc.c */
int tdi_proc_init(struct net *net);
void tdi_proc_exit(struct net *net);

#endif /* _NET_TDI_TDI_H */
