/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdi private header: the objects every part of the module shares, from
 * the bottom up.
 *
 * Rule of the house: calls go downward, and upward only through an ops
 * table.  At the top, the faces (socket.c and sockopt.c: the socket face)
 * call the endpoint core; the core (endpoint.c, which holds the
 * implementation notes -- objects, life cycle, lock order, references --
 * with conn.c, offer.c, input.c, output.c, data.c, reasm.c, rtt.c and
 * rcv.c, which call one another) never calls a face but through struct
 * tdi_ep_ops; below it, addresses (addr.c, dgram.c) and frames (frame.c,
 * dev.c).  dev.c hands frames up only through the receive function it was
 * given at init (rcv.c).
 */
#ifndef _NET_TDI_TDI_H
#define _NET_TDI_TDI_H

#include <linux/if_ether.h>
#include <linux/list.h>
#include <linux/list_nulls.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/sockptr.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include <uapi/linux/tdi.h>

#include "frame.h"

#define TDI_PORT_HASH_BITS	8
#define TDI_PORT_HASH_SIZE	BIT(TDI_PORT_HASH_BITS)
#define TDI_CONN_HASH_BITS	10
#define TDI_CONN_HASH_SIZE	BIT(TDI_CONN_HASH_BITS)
#define TDI_OFFER_HASH_BITS	8
#define TDI_OFFER_HASH_SIZE	BIT(TDI_OFFER_HASH_BITS)

#define TDI_PORT_PRIVILEGED	1024	/* ports below need CAP_NET_BIND_SERVICE */
#define TDI_EPHEMERAL_MIN	49152
#define TDI_EPHEMERAL_MAX	65535

#define TDI_XWND		8	/* expedited TSDUs in flight at most */
#define TDI_INIT_CWND		10	/* initial congestion window, frames */
/* a connector held by HOLD waits at least this long after each HOLD */
#define TDI_HOLD_WAIT_MS	4000
/* an offer waiting for its decision sends a HOLD this often */
#define TDI_HOLD_INTERVAL	HZ
#define TDI_DUPACK_THRESH	3

/**
 * struct tdi_ports - the port table of one network namespace
 * @lock: protects @hash, @names and @count; taken with BHs off
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

/* Namespace counters, /proc/net/tdi_stat; the drop reasons follow them. */
enum tdi_stat_item {
	TDI_STAT_FRAMES_IN,
	TDI_STAT_FRAMES_OUT,
	TDI_STAT_BYTES_IN,
	TDI_STAT_BYTES_OUT,
	TDI_STAT_RETRANSMITS,
	TDI_STAT_DUPLICATES,
	TDI_STAT_OUT_OF_ORDER,
	TDI_STAT_RESETS_IN,
	TDI_STAT_RESETS_OUT,
	TDI_STAT_REFUSED_OUT,
	TDI_STAT_CONNECTS,
	TDI_STAT_ACCEPTS,
	TDI_STAT_TIMEOUTS,
	TDI_STAT_LINK_DOWN,
	TDI_STAT_XMIT_ERRORS,
	TDI_STAT_OFO_PRUNED,
	TDI_STAT_ORPHAN_OVERFLOW,
	TDI_STAT_ORPHAN_TIMEOUTS,
	TDI_STAT_KEEPALIVE_TIMEOUTS,
	TDI_STAT_DEAD_OFFERS,
	TDI_STAT_MRU_CHANGES,
	TDI_STAT_OFFERS_OVERFLOW,
	TDI_STAT_COOKIES_SENT,
	TDI_STAT_COOKIES_OK,
	TDI_STAT_COOKIES_BAD,
	TDI_STAT_DATAGRAMS_IN,
	TDI_STAT_DATAGRAMS_OUT,
	TDI_STAT_DROP_BASE,
	__TDI_STAT_MAX = TDI_STAT_DROP_BASE + __TDI_DROP_MAX
};

struct tdi_stats {
	unsigned long	v[__TDI_STAT_MAX];
};

/**
 * struct tdi_sysctl - per-namespace tunables (net.tdi.*)
 * @connect_timeout_ms: how long connect() waits for an answer
 * @rto_initial_ms: retransmission time-out before the first RTT sample
 * @rto_min_ms: lower bound of the retransmission time-out
 * @rto_max_ms: upper bound of the retransmission time-out
 * @retries: retransmissions without an answer before the connection ends
 * @delack_ms: longest an acknowledgment is delayed
 * @disconnect_timeout_ms: how long a closed endpoint's connection may go
 *	on in the background (its release) before it is aborted
 * @max_orphans: most closed endpoints whose connection goes on in the
 *	background; a close() beyond it aborts
 * @keepalive_time_ms: SO_KEEPALIVE: silence before the first probe
 * @keepalive_intvl_ms: SO_KEEPALIVE: time between probes
 * @keepalive_probes: SO_KEEPALIVE: unanswered probes that end a connection
 * @max_offers: most half-open offers in the offer table of the namespace;
 *	offers beyond it are answered with a cookie (0: always a cookie)
 * @offer_timeout_ms: how long a query-accept offer waits for its
 *	decision before it is rejected with TDI_REASON_TIMEOUT
 */
struct tdi_sysctl {
	int	connect_timeout_ms;
	int	rto_initial_ms;
	int	rto_min_ms;
	int	rto_max_ms;
	int	retries;
	int	delack_ms;
	int	disconnect_timeout_ms;
	int	max_orphans;
	int	keepalive_time_ms;
	int	keepalive_intvl_ms;
	int	keepalive_probes;
	int	max_offers;
	int	offer_timeout_ms;
};

/**
 * struct tdi_net - per network namespace state
 * @ports: the address objects, by port
 * @socks_lock: protects @socks
 * @socks: every tdi socket of the namespace, for /proc/net/tdi
 * @conn_lock: protects @conn_ids and @conn_peers
 * @conn_ids: connections by local identifier; the nulls value of each
 *	chain is its bucket number, so that a lockless reader that followed
 *	an entry into another chain (the entry was unhashed and hashed again
 *	meanwhile) sees it and starts over
 * @conn_peers: connections by peer node and peer identifier, nulls as above
 * @stats: counters
 * @orphans: closed endpoints whose connection goes on (sysctl max_orphans)
 * @netless: sockets that no longer hold a reference on the namespace
 *	(orphans) and are not destroyed yet; its exit waits for them
 * @port_range: ephemeral port range, low << 16 | high (sysctl)
 * @sysctl: the other tunables
 * @sysctl_hdr: the net.tdi sysctl table of this namespace
 * @net: the namespace itself (for the offer timer)
 * @offer_lock: protects the offer table: @offer_ids, @offer_peers,
 *	@offer_list, @offer_count, @offer_closed and tdi_sock.offers of the
 *	namespace's listeners; taken inside @conn_lock when both are held
 * @offer_ids: half-open offers by our local identifier
 * @offer_peers: half-open offers by peer node and peer identifier
 * @offer_list: every half-open offer, for @offer_timer
 * @offer_count: offers in the table (at most sysctl max_offers)
 * @offer_closed: the namespace is going: no offer is added, the timer is
 *	not armed again
 * @offer_timer: retransmits the offers' ACCEPTs and ends unanswered ones
 * @cookie_last: jiffies when the last cookie was sent; cookies are looked
 *	at only for two cookie periods after it
 * @cookie_key: the secret of the cookies
 */
struct tdi_net {
	struct tdi_ports	ports;
	spinlock_t		socks_lock;	/* protects socks */
	struct hlist_head	socks;
	spinlock_t		conn_lock;	/* protects conn_ids, conn_peers */
	struct hlist_nulls_head	conn_ids[TDI_CONN_HASH_SIZE];
	struct hlist_nulls_head	conn_peers[TDI_CONN_HASH_SIZE];
	struct tdi_stats __percpu *stats;
	atomic_t		orphans;
	atomic_t		netless;
	u32			port_range;
	struct tdi_sysctl	sysctl;
	struct ctl_table_header	*sysctl_hdr;
	struct net		*net;
	spinlock_t		offer_lock;	/* protects the offer table */
	struct hlist_head	offer_ids[TDI_OFFER_HASH_SIZE];
	struct hlist_head	offer_peers[TDI_OFFER_HASH_SIZE];
	struct list_head	offer_list;
	unsigned int		offer_count;
	bool			offer_closed;
	struct timer_list	offer_timer;
	unsigned long		cookie_last;
	siphash_key_t		cookie_key;
};

/**
 * struct tdi_udata - connect, accept or disconnect user data
 * @len: bytes in @data
 * @data: the bytes, at most TDI_MAX_USER_DATA
 */
struct tdi_udata {
	u8	len;
	u8	data[TDI_MAX_USER_DATA];
};

/* The kinds of user data: index of tdi_sock.ud and tdi_sock.peer_ud */
enum tdi_ud_kind {
	TDI_UD_CONNECT,
	TDI_UD_ACCEPT,
	TDI_UD_DISCONNECT,
	__TDI_UD_MAX
};

/**
 * struct tdi_offer - a half-open offer: ACCEPT sent, nothing heard since
 * @id_node: in tdi_net.offer_ids, by @local_id
 * @peer_node: in tdi_net.offer_peers, by @peer_mac and @peer_id
 * @list: in tdi_net.offer_list
 * @lts: the listener the offer is for; the offer holds a reference on
 *	it, and tdi_ep_stop_listen() removes the listener's offers
 * @due: when the ACCEPT is sent again (jiffies)
 * @local_id: our identifier, the src_id of the ACCEPT
 * @isn: our initial sequence number, the seq of the ACCEPT
 * @peer_id: the connector's identifier
 * @peer_isn: the connector's initial sequence number (CONNECT's seq)
 * @peer_wnd: the connector's window (CONNECT's wnd)
 * @peer_tsval: the CONNECT's tsval, echoed in every ACCEPT
 * @wnd: the window the ACCEPT offers
 * @ifindex: the device the CONNECT came on
 * @lport: our port
 * @rport: the connector's port
 * @peer_mru: the connector's MRU
 * @mru: our MRU, told in the ACCEPT
 * @peer_mac: the connector's node
 * @retries: ACCEPT retransmissions so far
 * @backoff: time-out doublings in force
 * @msgmode: a SOCK_SEQPACKET offer
 * @cdata: the connector's connect data (a table offer only)
 * @adata: the accept data every ACCEPT of the offer carries: the
 *	listener's when the offer was made
 *
 * A stateless cookie is decoded into one of these on the stack, never
 * hashed (its @lts is NULL).
 */
struct tdi_offer {
	struct hlist_node	id_node;
	struct hlist_node	peer_node;
	struct list_head	list;
	struct tdi_sock		*lts;
	unsigned long		due;
	u32			local_id;
	u32			isn;
	u32			peer_id;
	u32			peer_isn;
	u32			peer_wnd;
	u32			peer_tsval;
	u32			wnd;
	int			ifindex;
	u16			lport;
	u16			rport;
	u16			peer_mru;
	u16			mru;
	u8			peer_mac[ETH_ALEN];
	u8			retries;
	u8			backoff;
	bool			msgmode;
	struct tdi_udata	cdata;
	struct tdi_udata	adata;
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
 * @lock: protects @listeners and @owner
 * @listeners: listening endpoints associated with this address, oldest first
 * @owner: the address object's own socket (SOCK_DGRAM), which takes its
 *	datagrams; set by bind() or the first send, cleared by close()
 *	before the socket's last reference can go
 * @rcu: to free after RCU readers
 *
 * The fields other than @ref, @lock and @listeners are set before the
 * object is hashed and never change afterwards.
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
	spinlock_t		lock;		/* protects listeners, owner */
	struct list_head	listeners;
	struct tdi_sock		*owner;
	struct rcu_head		rcu;
};

/**
 * struct tdi_rtt - RFC 6298 round-trip estimate
 * @srtt_us: smoothed RTT, 0 before the first sample
 * @rttvar_us: RTT variation
 * @rto_us: retransmission time-out before backoff
 */
struct tdi_rtt {
	u32	srtt_us;
	u32	rttvar_us;
	u32	rto_us;
};

/**
 * struct tdi_conn_stats - per-connection counters (struct tdi_info)
 * @bytes_sent: TSDU bytes sent, first transmissions
 * @bytes_received: TSDU bytes received in order
 * @frames_sent: frames sent
 * @frames_received: frames accepted
 * @frames_retransmitted: frames sent again
 * @frames_duplicate: duplicate frames received
 * @expedited_sent: expedited TSDUs sent
 * @expedited_received: expedited TSDUs received
 */
struct tdi_conn_stats {
	u64	bytes_sent;
	u64	bytes_received;
	u64	frames_sent;
	u64	frames_received;
	u64	frames_retransmitted;
	u64	frames_duplicate;
	u64	expedited_sent;
	u64	expedited_received;
};

struct tdi_sock;

/**
 * struct tdi_ep_ops - what the endpoint core tells the face that owns it
 * @connected: a connect or an accepted offer completed: data may flow
 * @offer: a listener has a new endpoint waiting to be accepted
 * @receive: normal data, or its end, can be read; on an address object, a
 *	datagram (then called without the socket lock)
 * @receive_expedited: an expedited TSDU arrived
 * @disconnected: the peer released, or the connection ended (see state,
 *	reason and sk_err)
 * @error: sk_err was set
 * @send_possible: normal send space came free
 * @xsend_possible: the expedited window opened
 * @connect_event: on an address object: an offer (the CONNECT @skb) that
 *	no listen took; called without any lock, in softirq.  Return
 *	TDI_CONNECT_ACCEPT or TDI_CONNECT_DEFER with *@ep set to an endpoint
 *	held for the caller (tdi_ep_connect_event() follows), or a negative
 *	errno: -ECONNREFUSED, -ENOMEM, -ENOENT (nobody takes offers here:
 *	TDI_REASON_NO_LISTENER).  NULL: as -ENOENT.
 * @destruct: the socket's last reference is gone (may be NULL)
 * @process_owned: processes own the face's sockets with lock_sock() (the
 *	socket face), and the ops may run from release_sock(); a face
 *	without it (the kernel face) only ever bh-locks its sockets
 *	(tdi_ep_lock())
 *
 * The core (endpoint.c, conn.c, input.c, offer.c) never wakes a reader or
 * writer itself and never calls these with the endpoint locked: it
 * records each indication under the socket lock (tdi_ep_indicate()), and
 * tdi_ep_deliver() hands them over once the lock is released -- after
 * bh_unlock_sock() in the receive path and the timers (no tdi lock held,
 * but for a child that an offer's first frame made, whose indications
 * come under its listener's lock), and in release_sock() through
 * tdi_proto.release_cb, where the socket is still owned and its spinlock
 * held with BHs off.  So an op must not sleep nor take the socket lock;
 * the ops of one endpoint may run on two CPUs at once and beside a close()
 * that orphans the socket, and only the indications of one delivery come
 * in the order of enum tdi_ind.  The socket face (socket.c,
 * tdi_sock_ep_ops) meets this with wake-ups under RCU and SIGURG under
 * sk_callback_lock; a face calls downward only, the core reaches a face
 * only through these.
 */

/* The indications, in the order tdi_ep_deliver() delivers them */
enum tdi_ind {
	TDI_IND_CONNECTED,
	TDI_IND_OFFER,
	TDI_IND_RECEIVE_EXPEDITED,	/* expedited data before normal */
	TDI_IND_RECEIVE,
	TDI_IND_SEND_POSSIBLE,
	TDI_IND_XSEND_POSSIBLE,
	TDI_IND_ERROR,
	TDI_IND_DISCONNECTED,
};

struct tdi_ep_ops {
	void (*connected)(struct tdi_sock *ts);
	void (*offer)(struct tdi_sock *listener);
	void (*receive)(struct tdi_sock *ts);
	void (*receive_expedited)(struct tdi_sock *ts);
	void (*disconnected)(struct tdi_sock *ts);
	void (*error)(struct tdi_sock *ts);
	void (*send_possible)(struct tdi_sock *ts);
	void (*xsend_possible)(struct tdi_sock *ts);
	int (*connect_event)(struct tdi_sock *ats, struct sk_buff *skb,
			     struct tdi_sock **ep);
	void (*destruct)(struct tdi_sock *ts);
	bool process_owned;
};

/**
 * struct tdi_sock - an AF_TDI socket
 * @sk: the socket; must come first
 * @addr: the address object this socket opened (SOCK_DGRAM) or is
 *	associated with (endpoints); NULL when none
 * @state: TDI_STATE_*, changed only by tdi_set_state()
 * @list: in the namespace's socket list
 * @reason: TDI_REASON_* of the last connection that ended or was refused
 * @backlog: listener: most connections waiting for accept()
 * @offers: listener: its half-open offers in the offer table (under
 *	tdi_net.offer_lock); at most sk_max_ack_backlog + 1
 * @listen_node: listener: in @addr->listeners
 * @accept_queue: listener: connected children not yet accepted
 * @accept_node: child: in its listener's @accept_queue
 * @id_node: in the namespace's connection table, by @local_id
 * @peer_node: in the namespace's connection table, by peer, once the
 *	peer's identifier is known (never moved while hashed)
 * @hashed: @id_node is hashed (and the table holds a reference)
 * @peer_hashed: @peer_node is hashed
 * @local_id: our connection identifier
 * @peer_id: the peer's connection identifier
 * @peer_mac: the peer node
 * @ifindex: the device of the connection; 0 while connect() has not
 *	heard from the peer and the device is not known yet
 * @rport: the peer's port
 * @mss: most payload bytes we put in one frame
 * @mru: most payload bytes we take in one frame (told to the peer)
 * @msgmode: SOCK_SEQPACKET connection
 * @accept_pending: child, or an accepted offer: ACCEPT sent, nothing
 *	heard from the peer since
 * @query_accept: TDI_QUERY_ACCEPT on a BSD listener: its offers become
 *	OFFERED children that accept() returns undecided
 * @tdi_listen: the LISTENING is the TDI form (SIOCTDILISTEN): the
 *	endpoint itself takes the first offer that matches
 * @listen_qa: that listen has TDI_QUERY_ACCEPT: the offer makes the
 *	endpoint OFFERED instead of connected
 * @rcv_linear: received frames are kept linear (the kernel face indicates
 *	their bytes in place)
 * @release_queued: our RELEASE is in the write queue
 * @release_acked: our RELEASE has been acknowledged
 * @peer_released: the peer's RELEASE has been received in order
 * @in_recovery: fast recovery until @high_seq is acknowledged
 * @netless: the socket gave back its namespace reference (an orphan)
 * @local_abort: we aborted the connection (SIOCTDIDISCONNECT): calls get
 *	ECONNABORTED until the endpoint is used again
 * @peer_abort: the peer reset the connection: calls get ECONNRESET until
 *	the endpoint is used again (a bool: poll reads it without the lock)
 * @mru_changed: our device's MTU changed since set-up: every ACK carries
 *	our MRU (struct tdi_mru_opt)
 * @mru_repeats: ACKs still to send on the delayed-ACK timer to announce a
 *	new MRU, one per retransmission time-out
 * @heard: a frame came from the peer since the last retransmission
 *	time-out
 * @orphan: closed, the connection goes on; counted in tdi_net.orphans
 * @ka_probes: keepalive probes sent since the peer was last heard
 * @dupacks: duplicate acknowledgments in a row
 * @retries: retransmission time-outs without an answer
 * @backoff: retransmission time-out doublings in force
 * @connect_deadline: connect(): when to give up (jiffies)
 * @offer_deadline: OFFERED: when the undecided offer is rejected
 *	(jiffies)
 * @listen_deadline: a TDI-form listen: when it ends with ETIMEDOUT
 *	(jiffies), if @listen_timer runs
 * @listen_timer: ends a TDI-form listen at @listen_deadline; holds a
 *	socket reference while pending
 * @snd_una: first unacknowledged sequence number
 * @snd_nxt: next sequence number to send for the first time
 * @write_seq: sequence number of the next byte sendmsg() queues
 * @snd_right: the peer's window right edge
 * @snd_wl_ts: the peer's timestamp on the frame that set @snd_right (a
 *	window from an older frame does not replace it)
 * @ts_anchor: the peer's timestamp on the frame that completed set-up
 * @ts_anchor_ns: when that frame came (boot-time clock, ns): the peer's
 *	clock cannot run far ahead of @ts_anchor plus the time since
 * @send_head: first frame of the write queue not sent yet, or NULL
 * @cwnd: congestion window, bytes
 * @ssthresh: slow-start threshold, bytes
 * @high_seq: @snd_nxt when recovery started
 * @rtt: round-trip time estimate and retransmission time-out
 * @peer_mru: most payload bytes the peer takes in one frame
 * @orphan_deadline: closed socket: when to stop waiting for the peer
 * @last_rcv: when a frame last came from the peer (jiffies)
 * @ts_recent: the peer's latest timestamp, to echo
 * @rcv_nxt: next sequence number expected
 * @rcv_right: the highest window right edge we ever advertised: frames
 *	up to it are taken when memory allows
 * @rcv_adv: the right edge we advertised last (may be left of @rcv_right
 *	when memory ran short: the window shrinks)
 * @rcv_ratio: sequence space per byte of memory (truesize) that received
 *	frames take, in 1/1024 units; the window offered is the free memory
 *	times this
 * @ack_pending: frames received since we last acknowledged
 * @ofo_queue: frames received out of order, by sequence number
 * @xsnd_una: first unacknowledged expedited TSDU number
 * @xsnd_nxt: next expedited TSDU number to assign
 * @xrcv_nxt: next expedited TSDU number expected
 * @xwrite_queue: expedited TSDUs not acknowledged yet
 * @xrecv_queue: expedited TSDUs received, not read yet
 * @rto_timer: retransmission, connect and probe timer
 * @delack_timer: delayed acknowledgment timer
 * @st: counters
 * @ep_ops: the face this endpoint belongs to (struct tdi_ep_ops)
 * @face: the face's own data for the socket (the kernel face: its struct
 *	tdi_endpoint or tdi_address), NULL for the socket face
 * @ind: indications recorded for @ep_ops and not delivered yet (bits of
 *	enum tdi_ind; atomic bit operations)
 * @context: TDI_CONNECTION_CONTEXT, the client's own value; kept across
 *	reuse, 0 in an accepted endpoint
 * @ud: the user data we send: TDI_CONNECT_DATA in CONNECT,
 *	TDI_ACCEPT_DATA in the ACCEPTs of our offers (a listener's) or of
 *	ours (a child's), TDI_DISCONNECT_DATA in an abort's RESET
 * @peer_ud: what the peer sent of each, readable until the endpoint is
 *	used again
 * @filter: TDI_LISTEN_FILTER: the offers this endpoint listens for (all
 *	zero: every one); written under @addr's lock while associated, read
 *	under it by the receive path (tdi_find_listener())
 */
struct tdi_sock {
	struct sock		sk;
	const struct tdi_ep_ops	*ep_ops;
	void			*face;
	unsigned long		ind;
	struct tdi_addr		*addr;
	int			state;
	struct hlist_node	list;
	int			reason;

	int			backlog;
	int			offers;
	struct list_head	listen_node;
	struct list_head	accept_queue;
	struct list_head	accept_node;

	struct hlist_nulls_node	id_node;
	struct hlist_nulls_node	peer_node;
	bool			hashed;
	bool			peer_hashed;
	u32			local_id;
	u32			peer_id;
	u8			peer_mac[ETH_ALEN];
	int			ifindex;
	u16			rport;
	u16			mss;
	u16			mru;
	u8			msgmode:1,
				accept_pending:1,
				release_queued:1,
				release_acked:1,
				peer_released:1,
				in_recovery:1,
				heard:1,
				orphan:1;
	u8			mru_changed:1,
				mru_repeats:3,
				netless:1,
				local_abort:1,
				query_accept:1,
				tdi_listen:1;
	u8			listen_qa:1,
				rcv_linear:1;
	bool			peer_abort;
	u8			ka_probes;
	u8			dupacks;
	u8			retries;
	u8			backoff;
	unsigned long		connect_deadline;
	unsigned long		offer_deadline;
	unsigned long		listen_deadline;
	struct timer_list	listen_timer;

	u32			snd_una;
	u32			snd_nxt;
	u32			write_seq;
	u32			snd_right;
	u32			snd_wl_ts;
	u32			ts_anchor;
	u64			ts_anchor_ns;
	struct sk_buff		*send_head;
	u32			cwnd;
	u32			ssthresh;
	u32			high_seq;
	struct tdi_rtt		rtt;
	u16			peer_mru;
	unsigned long		orphan_deadline;
	unsigned long		last_rcv;
	u32			ts_recent;

	u32			rcv_nxt;
	u32			rcv_right;
	u32			rcv_adv;
	u32			rcv_ratio;
	u32			rcv_unread;
	u32			ack_pending;
	struct sk_buff_head	ofo_queue;

	u16			xsnd_una;
	u16			xsnd_nxt;
	u16			xrcv_nxt;
	struct sk_buff_head	xwrite_queue;
	struct sk_buff_head	xrecv_queue;

	struct timer_list	rto_timer;
	struct timer_list	delack_timer;
	struct tdi_conn_stats	st;
	u64			context;
	struct tdi_filter	filter;
	struct tdi_udata	ud[__TDI_UD_MAX];
	struct tdi_udata	peer_ud[__TDI_UD_MAX];
};

static inline struct tdi_sock *tdi_sk(const struct sock *sk)
{
	return container_of(sk, struct tdi_sock, sk);
}

/**
 * struct tdi_skb_cb - what tdi keeps in skb->cb
 * @seq: first sequence number of the frame or received segment
 * @end_seq: sequence number after it (payload, plus one for EOR or RELEASE)
 * @flags: TDI_F_EOR, and TDI_CB_* below
 * @type: frame type of a queued frame
 * @sacked: the peer reported it received (SACK)
 * @lost: marked for retransmission
 * @retrans: retransmitted at least once
 * @xseq: expedited TSDU number
 * @off: receive queues: bytes already read
 * @csum: payload checksum, for headers built at each transmission
 * @tx_us: time of the last transmission
 */
struct tdi_skb_cb {
	u32	seq;
	u32	end_seq;
	u16	flags;
	u8	type;
	u8	sacked:1,
		lost:1,
		retrans:1;
	u16	xseq;
	u32	off;
	__wsum	csum;
	u32	tx_us;
};

#define TDI_CB_RELEASE	0x8000	/* the segment is the peer's RELEASE */

#define TDI_SKB_CB(skb)	((struct tdi_skb_cb *)&((skb)->cb[0]))

/* A received frame's parsed header rides in skb->cb until it is queued. */
#define TDI_FRAME_CB(skb) ((struct tdi_frame *)&((skb)->cb[0]))

/**
 * struct tdi_xmit_cb - where a frame on an xmit queue goes
 * @ifindex: the device, or 0 for every usable device (CONNECT only)
 * @dst: the destination node
 */
struct tdi_xmit_cb {
	int	ifindex;
	u8	dst[ETH_ALEN];
};

#define TDI_XMIT_CB(skb) ((struct tdi_xmit_cb *)&((skb)->cb[0]))

static inline void tdi_stat_inc(struct tdi_net *tn, int item)
{
	this_cpu_inc(tn->stats->v[item]);
}

static inline void tdi_stat_add(struct tdi_net *tn, int item, unsigned long n)
{
	this_cpu_add(tn->stats->v[item], n);
}

/* Frames on the write and expedited queues are charged to the socket. */
static inline void tdi_wmem_charge(struct sock *sk, struct sk_buff *skb)
{
	sk_wmem_queued_add(sk, skb->truesize);
	sk_mem_charge(sk, skb->truesize);
}

static inline void tdi_wmem_free(struct sock *sk, struct sk_buff *skb)
{
	sk_wmem_queued_add(sk, -skb->truesize);
	sk_mem_uncharge(sk, skb->truesize);
	kfree_skb(skb);
}

/* The payload one frame takes on a device of this MTU (the header's len
 * and the set-up's mru are 16 bits).
 */
static inline u16 tdi_mru_of(int mtu)
{
	return min_t(int, mtu - TDI_HDR_LEN, U16_MAX);
}

#define TDI_RATIO_ONE	1024	/* rcv_ratio of a frame that costs its size */

static inline u32 tdi_now_us(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

/* ---- Offers held for a decision: the timing (pure, KUnit-tested) ---- */

/**
 * tdi_offer_expired() - whether an undecided offer's time is up
 * @now: jiffies now
 * @deadline: the offer's deadline (net.tdi.offer_timeout_ms after it came)
 *
 * Return: true from @deadline on (jiffies wrap-around safe).
 */
static inline bool tdi_offer_expired(unsigned long now, unsigned long deadline)
{
	return time_after_eq(now, deadline);
}

/**
 * tdi_hold_when() - when an OFFERED endpoint's timer fires next
 * @now: jiffies now
 * @deadline: the offer's deadline
 *
 * Return: one HOLD interval from @now (the next HOLD), or @deadline if
 * that comes first (the offer is rejected then).
 */
static inline unsigned long tdi_hold_when(unsigned long now,
					  unsigned long deadline)
{
	unsigned long when = now + TDI_HOLD_INTERVAL;

	return time_before(deadline, when) ? deadline : when;
}

/**
 * tdi_held_deadline() - a connector's connect deadline after a HOLD
 * @now: jiffies now
 * @deadline: its connect deadline so far
 * @timeout_ms: net.tdi.connect_timeout_ms
 *
 * Return: @deadline pushed out to at least the longer of @timeout_ms and
 * TDI_HOLD_WAIT_MS from @now; a HOLD never brings a deadline closer.
 */
static inline unsigned long tdi_held_deadline(unsigned long now,
					      unsigned long deadline,
					      unsigned int timeout_ms)
{
	unsigned long held = now + msecs_to_jiffies(max_t(unsigned int,
							   timeout_ms,
							   TDI_HOLD_WAIT_MS));

	return time_before(deadline, held) ? held : deadline;
}

/* af_tdi.c */
extern unsigned int tdi_net_id;

/**
 * tdi_pernet() - the tdi state of a network namespace
 * @net: the namespace
 *
 * Return: the namespace's struct tdi_net.
 */
static inline struct tdi_net *tdi_pernet(const struct net *net)
{
	return net_generic(net, tdi_net_id);
}

/* The tdi state of the namespace of @ts. */
static inline struct tdi_net *tdi_tn(const struct tdi_sock *ts)
{
	return tdi_pernet(sock_net(&ts->sk));
}

struct sock *tdi_sk_alloc(struct net *net, struct socket *sock, int type,
			  gfp_t gfp, int kern);
void tdi_link_sock(struct tdi_sock *ts);
struct tdi_sock *tdi_child_alloc(struct tdi_sock *lts);

/* From a connection's set-up to its end, the release states included. */
static inline bool tdi_state_connected(int state)
{
	return state >= TDI_STATE_CONNECTED && state <= TDI_STATE_CLOSING;
}

/* endpoint.c */
/**
 * tdi_ep_indicate() - record an indication for the endpoint's face
 * @ts: the endpoint, socket lock held
 * @ind: what happened (enum tdi_ind)
 *
 * Delivered by tdi_ep_deliver() once the lock is dropped; the same
 * indication recorded twice before that is delivered once.
 */
static inline void tdi_ep_indicate(struct tdi_sock *ts, enum tdi_ind ind)
{
	set_bit(ind, &ts->ind);
}

void tdi_ep_deliver(struct tdi_sock *ts);
void tdi_ep_lock(struct tdi_sock *ts);
void tdi_ep_unlock(struct tdi_sock *ts);
int tdi_set_state(struct tdi_sock *ts, int state);
bool tdi_state_allowed(int old, int state);
bool tdi_ep_connected(const struct tdi_sock *ts);
int tdi_ep_disconnect(struct tdi_sock *ts, u32 flags,
		      struct sk_buff_head *xmitq);
int tdi_ep_released(const struct tdi_sock *ts);
void tdi_ep_abort(struct tdi_sock *ts, struct sk_buff_head *xmitq);
bool tdi_ep_close(struct tdi_sock *ts, bool abort, struct sk_buff_head *xmitq);
void tdi_ep_orphan(struct tdi_sock *ts, struct sk_buff_head *xmitq);
struct tdi_sock *tdi_ep_accept_child(struct tdi_sock *lts);
int tdi_ep_error(struct tdi_sock *ts);
void tdi_fill_provider(struct tdi_sock *ts, struct tdi_provider_info *pi);
bool tdi_ep_may_send(const struct tdi_sock *ts);
int tdi_ep_send_check(struct tdi_sock *ts);
int tdi_ep_recv_check(const struct tdi_sock *ts);
bool tdi_ep_xrcv_over(const struct tdi_sock *ts);
int tdi_ep_associate(struct tdi_sock *ts, struct tdi_addr *a);
int tdi_ep_disassociate(struct tdi_sock *ts);
bool tdi_ep_aborted(const struct tdi_sock *ts);
void tdi_ep_init(struct tdi_sock *ts);
int tdi_ep_listen(struct tdi_sock *ts, int backlog);
int tdi_ep_listen_tdi(struct tdi_sock *ts, const struct tdi_listen *l);
void tdi_ep_stop_listen(struct tdi_sock *ts, struct sk_buff_head *xmitq);
void tdi_ep_connect_rcv(struct tdi_sock *ts, struct sk_buff *skb,
			struct sk_buff_head *xmitq);
int tdi_ep_connect_event(struct tdi_sock *ts, struct sk_buff *skb, bool defer,
			 struct sk_buff_head *xmitq);
int tdi_ep_accept(struct tdi_sock *ts, struct sk_buff_head *xmitq);
int tdi_ep_reject(struct tdi_sock *ts, struct sk_buff_head *xmitq);

/* sockopt.c */
int tdi_setsockopt(struct socket *sock, int level, int optname,
		   sockptr_t optval, unsigned int optlen);
int tdi_getsockopt(struct socket *sock, int level, int optname,
		   char __user *optval, int __user *optlen);

/* socket.c */
extern const struct tdi_ep_ops tdi_sock_ep_ops;
void tdi_write_space(struct sock *sk);
extern const struct proto_ops tdi_dgram_ops;
extern const struct proto_ops tdi_stream_ops;
extern const struct proto_ops tdi_seqpacket_ops;

/* addr.c */
int tdi_sockaddr_check(const struct sockaddr_tdi *sa, int len);
int tdi_addr_resolve(struct net *net, const struct sockaddr_tdi *sa);
void tdi_ports_init(struct tdi_ports *ports);
int tdi_ports_insert(struct tdi_ports *ports, struct tdi_addr *a,
		     u32 range, u32 seed);
struct tdi_addr *tdi_ports_lookup(struct tdi_ports *ports, u16 port);
struct tdi_addr *tdi_addr_for_frame(struct tdi_net *tn, struct sk_buff *skb,
				    u16 port);
void tdi_ports_remove(struct tdi_ports *ports, struct tdi_addr *a);
struct tdi_addr *tdi_addr_create(struct net *net,
				 const struct sockaddr_tdi *sa, int *err);
void tdi_addr_get(struct tdi_addr *a);
void tdi_addr_put(struct tdi_addr *a);
void tdi_addr_fill(const struct tdi_addr *a, struct sockaddr_tdi *sa);
int tdi_filter_check(const struct tdi_filter *f);
bool tdi_filter_match(const struct tdi_filter *f, const u8 *node, u16 port);
struct tdi_sock *tdi_addr_listener(struct tdi_addr *a, int type,
				   const u8 *node, u16 port, bool bsd_only);

/* conn.c */
void tdi_conn_init_sock(struct tdi_sock *ts);
void tdi_conn_reset(struct tdi_sock *ts);
void tdi_conn_purge_rcv(struct tdi_sock *ts);
int tdi_conn_hash(struct tdi_sock *ts);
int tdi_conn_hash_id(struct tdi_sock *ts, u32 id);
bool __tdi_conn_id_used(struct tdi_net *tn, u32 id);
void tdi_conn_hash_peer(struct tdi_sock *ts);
bool tdi_conn_peer_known(struct tdi_net *tn, const u8 *mac, u32 peer_id);
struct tdi_sock *tdi_conn_peer_lookup(struct tdi_net *tn, const u8 *mac,
				      u32 peer_id);
void tdi_conn_refuse(struct tdi_sock *ts, int reason,
		     struct sk_buff_head *xmitq);
void tdi_conn_hold_timer(struct tdi_sock *ts);
void tdi_conn_check_done(struct tdi_sock *ts);
void tdi_conn_orphan(struct tdi_sock *ts, struct sk_buff_head *xmitq);
void tdi_conn_idle_timer(struct tdi_sock *ts);
void tdi_conn_keepalive_changed(struct tdi_sock *ts);
void tdi_reap_dead_offers(struct tdi_sock *lts);
int tdi_conn_connect(struct tdi_sock *ts, const struct sockaddr_tdi *sa,
		     long timeo, struct sk_buff_head *xmitq);
void tdi_ts_anchor(struct tdi_sock *ts, u32 tsval);
void tdi_conn_input(struct tdi_sock *ts, struct sk_buff *skb,
		    struct sk_buff_head *xmitq);
int tdi_conn_release(struct tdi_sock *ts, struct sk_buff_head *xmitq);
void tdi_conn_abort(struct tdi_sock *ts, int reason,
		    struct sk_buff_head *xmitq);
void tdi_conn_done(struct tdi_sock *ts, int err, int reason);
void tdi_conn_stop_timers(struct tdi_sock *ts);
void tdi_conn_purge(struct tdi_sock *ts);
struct tdi_sock *tdi_conn_lookup(struct tdi_net *tn, u32 local_id);
void tdi_conn_end_all(struct net *net);
void tdi_conn_dev_event(struct net *net, int ifindex, bool down,
			unsigned int mtu);
void tdi_fill_info(struct tdi_sock *ts, struct tdi_info *info);

/* offer.c */
int tdi_offer_cache_init(void);
void tdi_offer_cache_exit(void);
void tdi_offers_init(struct net *net, struct tdi_net *tn);
void tdi_offers_exit(struct tdi_net *tn);
unsigned int tdi_offers_pending(struct tdi_net *tn);
bool __tdi_offer_id_used(struct tdi_net *tn, u32 id);
bool tdi_offer_peer_known(struct tdi_net *tn, const u8 *mac, u32 peer_id);
void tdi_offer_connect(struct tdi_sock *lts, struct sk_buff *skb,
		       struct sk_buff_head *xmitq);
void tdi_offers_flush_listener(struct tdi_sock *lts,
			       struct sk_buff_head *xmitq);
int tdi_offer_rcv(struct net *net, struct sk_buff *skb,
		  struct tdi_sock **lts);
void tdi_offer_input(struct tdi_sock *lts, struct sk_buff *skb,
		     struct sk_buff_head *xmitq);

/* data.c */

/**
 * struct tdi_send - one send of (part of) a TSDU, across calls
 * @len: bytes to take
 * @copied: bytes taken so far
 * @eor: the data ends its TSDU (message mode without MSG_MORE)
 * @nonblock: the caller will not wait for room
 * @whole: the TSDU goes whole, so room for all of it is waited for
 *	(set by tdi_conn_send_data())
 */
struct tdi_send {
	size_t	len;
	size_t	copied;
	bool	eor;
	bool	nonblock;
	bool	whole;
};

/**
 * struct tdi_recv - one read from the receive queue, across calls
 * @len: the most bytes to take
 * @copied: bytes taken so far
 * @skipped: bytes of a TSDU a truncating read dropped
 * @cursor: a peek's position: the last skb it read to its end
 * @cursor_off: where a peek stopped inside an skb (0: it did not)
 * @peek: leave what is read on the queue (MSG_PEEK)
 * @trunc: message mode: drop what of the TSDU does not fit (MSG_TRUNC)
 * @msgmode: the endpoint keeps TSDU boundaries (SOCK_SEQPACKET)
 * @eor: the read reached the end of a TSDU
 */
struct tdi_recv {
	size_t		len;
	size_t		copied;
	size_t		skipped;
	struct sk_buff	*cursor;
	u32		cursor_off;
	bool		peek;
	bool		trunc;
	bool		msgmode;
	bool		eor;
};

/* Can a truncating read take the head TSDU (tdi_conn_head_tsdu()) */
enum tdi_tsdu {
	TDI_TSDU_READY,
	TDI_TSDU_COMING,
	TDI_TSDU_STUCK,
};

u64 tdi_tsdu_cost(const struct tdi_sock *ts, size_t len);
u32 tdi_max_tsdu(const struct tdi_sock *ts);
bool tdi_conn_send_room(const struct tdi_sock *ts, size_t len);
int tdi_conn_send_data(struct tdi_sock *ts, struct iov_iter *from,
		       struct tdi_send *s);
int tdi_conn_queue_xdata(struct tdi_sock *ts, struct iov_iter *from, int len);
int tdi_conn_recv_data(struct tdi_sock *ts, struct iov_iter *to,
		       struct tdi_recv *r);
enum tdi_tsdu tdi_conn_head_tsdu(struct tdi_sock *ts);
int tdi_conn_recv_xdata(struct tdi_sock *ts, struct iov_iter *to,
			size_t len, int flags, unsigned int *msg_flags);
struct sk_buff *tdi_conn_recv_chain(struct tdi_sock *ts, bool expedited,
				    bool *entire);
void tdi_conn_recv_unchain(struct tdi_sock *ts, struct sk_buff *chain,
			   bool expedited);
void tdi_conn_rcv_consumed(struct tdi_sock *ts, struct sk_buff_head *xmitq);
void tdi_udata_from_frame(struct tdi_udata *ud, const struct sk_buff *skb,
			  const struct tdi_frame *fr);

/* output.c */
void tdi_send_hold(struct tdi_sock *ts, struct sk_buff_head *xmitq);
int tdi_send_setup(struct tdi_sock *ts, u8 type, u8 reason, const void *data,
		   u8 datalen, struct sk_buff_head *xmitq);
void tdi_send_ack(struct tdi_sock *ts, u16 flags, struct sk_buff_head *xmitq);
void tdi_conn_arm_rto(struct tdi_sock *ts);
void tdi_conn_rearm_rto(struct tdi_sock *ts);
void tdi_conn_push(struct tdi_sock *ts, struct sk_buff_head *xmitq);
u32 tdi_conn_rcv_wnd(const struct tdi_sock *ts);

/* rtt.c */
void tdi_rtt_init(struct tdi_rtt *rtt, u32 initial_us);
void tdi_rtt_sample(struct tdi_rtt *rtt, u32 sample_us, u32 min_us,
		    u32 max_us);
u32 tdi_rto_backed_off(u32 rto_us, u8 backoff, u32 max_us);
void tdi_rtt_sample_net(const struct tdi_net *tn, struct tdi_rtt *rtt,
			u32 sample_us);

/* reasm.c */
bool tdi_ofo_insert(struct sk_buff_head *q, struct sk_buff *skb);
struct sk_buff *tdi_ofo_pull(struct sk_buff_head *q, u32 rcv_nxt);
int tdi_ofo_sack(struct sk_buff_head *q, struct tdi_sack *blocks, int max);
bool tdi_seg_trim_front(struct sk_buff *skb, u32 rcv_nxt);

/* dgram.c */
int tdi_dgram_rcv(struct net *net, struct sk_buff *skb);
struct tdi_sock *tdi_dgram_dest(struct tdi_net *tn, struct sk_buff *skb,
				u16 port);
u32 tdi_dgram_max(struct net *net, int ifindex);
void tdi_dgram_set_owner(struct tdi_addr *a, struct tdi_sock *ts);
int tdi_dgram_check(struct tdi_sock *ts, const struct sockaddr_tdi *sa);
int tdi_dgram_send(struct tdi_sock *ts, const struct sockaddr_tdi *sa,
		   struct iov_iter *from, size_t len, bool noblock,
		   struct sk_buff_head *xmitq);
struct sk_buff *tdi_dgram_recv(struct tdi_sock *ts, int flags,
			       struct sockaddr_tdi *sa, int *err);

/* rcv.c */
int tdi_rcv(struct net *net, struct sk_buff *skb);
bool tdi_input_or_backlog(struct tdi_sock *ts, struct sk_buff *skb,
			  struct sk_buff_head *xmitq);
int tdi_backlog_rcv(struct sock *sk, struct sk_buff *skb);
struct tdi_sock *tdi_find_listener(struct net *net, struct sk_buff *skb,
				   u16 port, int type, bool bsd_only);

/* dev.c */
int tdi_dev_init(int (*rcv)(struct net *net, struct sk_buff *skb));
void tdi_dev_exit(void);
void tdi_xmit_flush(struct net *net, struct sk_buff_head *xmitq);
void tdi_xmit_enqueue(struct sk_buff_head *xmitq, struct sk_buff *skb,
		      int ifindex, const u8 *dst);
int tdi_dev_mtu(struct net *net, int ifindex);
int tdi_dev_min_mtu(struct net *net);
int tdi_dev_route(struct net *net, u8 *node, int ifindex, int *mtu);
struct sk_buff *tdi_alloc_frame(unsigned int payload, gfp_t gfp);
struct sk_buff *tdi_alloc_queued_frame(unsigned int payload, gfp_t gfp);
struct sk_buff *tdi_alloc_rcv_copy(unsigned int len);
void tdi_reply(struct net *net, struct sk_buff *skb, u8 type, u8 reason,
	       struct sk_buff_head *xmitq);

/* sysctl.c */
extern long sysctl_tdi_mem[3];
int tdi_sysctl_init(struct net *net, struct tdi_net *tn);
void tdi_sysctl_exit(struct tdi_net *tn);

/* proc.c */
int tdi_proc_init(struct net *net);
void tdi_proc_exit(struct net *net);
const char *tdi_state_name(int state);

#endif /* _NET_TDI_TDI_H */
