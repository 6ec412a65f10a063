// SPDX-License-Identifier: GPL-2.0
/* /proc/net/tdi: the sockets of the reader's network namespace, one line
 * each, under a header line naming the columns:
 *
 *   Type       dgram, stream or seqpacket
 *   State      the endpoint state (see TDI_STATE_* in the uapi header)
 *   Port       the bound or associated port, 0 when none
 *   Ifindex    the interface the address is restricted to, 0 for any
 *   Node       the node address given to bind(), all-zero for this node
 *   Name       the NetBIOS-style name, "-" when none (octal escapes for
 *              bytes that are not printable, space and backslash)
 *   Inode      the socket's inode number
 *   Uid        the socket owner's uid in the reader's user namespace
 *   Peer       the peer's node address, all-zero when not connected
 *   PeerPort   the peer's port, 0 when not connected
 *   TxQueue    sequence space queued and not yet acknowledged: bytes, plus
 *              one for each TSDU end and for a RELEASE (0 when not
 *              connected)
 *   RxQueue    bytes of normal data received and not yet read
 *   Retrans    frames the current (or last) connection retransmitted
 *
 * The connection columns are read without the socket lock: a snapshot.
 */

#include <linux/etherdevice.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/string_helpers.h>
#include <net/net_namespace.h>

#include "tdi.h"

static const char *const tdi_state_names[] = {
	[TDI_STATE_IDLE]		= "IDLE",
	[TDI_STATE_BOUND]		= "BOUND",
	[TDI_STATE_LISTENING]		= "LISTENING",
	[TDI_STATE_CONNECTING]		= "CONNECTING",
	[TDI_STATE_OFFERED]		= "OFFERED",
	[TDI_STATE_CONNECTED]		= "CONNECTED",
	[TDI_STATE_RELEASE_SENT]	= "RELEASE_SENT",
	[TDI_STATE_RELEASE_RECEIVED]	= "RELEASE_RECEIVED",
	[TDI_STATE_CLOSING]		= "CLOSING",
};

/**
 * tdi_state_name() - the name /proc shows for an endpoint state
 * @state: TDI_STATE_*
 *
 * Return: a static string.
 */
const char *tdi_state_name(int state)
{
	return state >= 0 && state < ARRAY_SIZE(tdi_state_names) ?
	       tdi_state_names[state] : "?";
}

static const char *tdi_type_name(const struct sock *sk)
{
	switch (sk->sk_type) {
	case SOCK_DGRAM:
		return "dgram";
	case SOCK_STREAM:
		return "stream";
	default:
		return "seqpacket";
	}
}

static void *tdi_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(&tn->socks_lock)
{
	struct tdi_net *tn = tdi_pernet(seq_file_net(seq));

	spin_lock_bh(&tn->socks_lock);
	return seq_hlist_start_head(&tn->socks, *pos);
}

static void *tdi_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct tdi_net *tn = tdi_pernet(seq_file_net(seq));

	return seq_hlist_next(v, &tn->socks, pos);
}

static void tdi_seq_stop(struct seq_file *seq, void *v)
	__releases(&tn->socks_lock)
{
	struct tdi_net *tn = tdi_pernet(seq_file_net(seq));

	spin_unlock_bh(&tn->socks_lock);
}

static void tdi_seq_show_addr(struct seq_file *seq, const struct tdi_addr *a)
{
	static const u8 zero[ETH_ALEN];
	const u8 *node = a ? a->hwaddr : zero;
	size_t len;

	seq_printf(seq, "%5u %7d %pM ", a ? a->port : 0, a ? a->ifindex : 0,
		   node);
	len = a ? strnlen(a->name, TDI_NAME_LEN) : 0;
	if (!len) {
		seq_puts(seq, "-");
		return;
	}
	seq_escape_mem(seq, a->name, len,
		       ESCAPE_NP | ESCAPE_OCTAL | ESCAPE_APPEND, " \\");
}

static bool tdi_has_peer(int state)
{
	return state == TDI_STATE_CONNECTING || state == TDI_STATE_OFFERED ||
	       tdi_state_connected(state);
}

/* Peer, queues and retransmissions: a lockless snapshot. */
static void tdi_seq_show_conn(struct seq_file *seq, struct tdi_sock *ts,
			      int state)
{
	u8 peer[ETH_ALEN] = {};
	u32 txq = 0;
	u16 rport = 0;

	if (tdi_has_peer(state)) {
		memcpy(peer, ts->peer_mac, ETH_ALEN);
		rport = READ_ONCE(ts->rport);
		txq = READ_ONCE(ts->write_seq) - READ_ONCE(ts->snd_una);
	}
	seq_printf(seq, "%pM %8u %7u %7u %7llu\n", peer, rport, txq,
		   READ_ONCE(ts->rcv_unread),
		   (unsigned long long)READ_ONCE(ts->st.frames_retransmitted));
}

static int tdi_seq_show(struct seq_file *seq, void *v)
{
	struct tdi_sock *ts;
	struct sock *sk;
	int state;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "Type      State             Port Ifindex Node              Name Inode Uid Peer              PeerPort TxQueue RxQueue Retrans\n");
		return 0;
	}
	ts = hlist_entry(v, struct tdi_sock, list);
	sk = &ts->sk;
	state = READ_ONCE(ts->state);

	seq_printf(seq, "%-9s %-16s ", tdi_type_name(sk),
		   tdi_state_name(state));
	rcu_read_lock();
	tdi_seq_show_addr(seq, READ_ONCE(ts->addr));
	rcu_read_unlock();
	seq_printf(seq, " %lu %u ", sock_i_ino(sk),
		   from_kuid_munged(seq_user_ns(seq), sock_i_uid(sk)));
	tdi_seq_show_conn(seq, ts, state);
	return 0;
}

static const struct seq_operations tdi_seq_ops = {
	.start	= tdi_seq_start,
	.next	= tdi_seq_next,
	.stop	= tdi_seq_stop,
	.show	= tdi_seq_show,
};

static const char *const tdi_stat_names[TDI_STAT_DROP_BASE] = {
	[TDI_STAT_FRAMES_IN]	= "frames_in",
	[TDI_STAT_FRAMES_OUT]	= "frames_out",
	[TDI_STAT_BYTES_IN]	= "bytes_in",
	[TDI_STAT_BYTES_OUT]	= "bytes_out",
	[TDI_STAT_RETRANSMITS]	= "retransmits",
	[TDI_STAT_DUPLICATES]	= "duplicates",
	[TDI_STAT_OUT_OF_ORDER]	= "out_of_order",
	[TDI_STAT_RESETS_IN]	= "resets_in",
	[TDI_STAT_RESETS_OUT]	= "resets_out",
	[TDI_STAT_REFUSED_OUT]	= "refused_out",
	[TDI_STAT_CONNECTS]	= "connects",
	[TDI_STAT_ACCEPTS]	= "accepts",
	[TDI_STAT_TIMEOUTS]	= "timeouts",
	[TDI_STAT_LINK_DOWN]	= "link_down",
	[TDI_STAT_XMIT_ERRORS]	= "xmit_errors",
	[TDI_STAT_OFO_PRUNED]	= "ofo_pruned",
	[TDI_STAT_ORPHAN_OVERFLOW] = "orphan_overflow",
	[TDI_STAT_ORPHAN_TIMEOUTS] = "orphan_timeouts",
	[TDI_STAT_KEEPALIVE_TIMEOUTS] = "keepalive_timeouts",
	[TDI_STAT_DEAD_OFFERS]	= "dead_offers",
	[TDI_STAT_MRU_CHANGES]	= "mru_changes",
	[TDI_STAT_OFFERS_OVERFLOW] = "offers_overflow",
	[TDI_STAT_COOKIES_SENT]	= "cookies_sent",
	[TDI_STAT_COOKIES_OK]	= "cookies_ok",
	[TDI_STAT_COOKIES_BAD]	= "cookies_bad",
	[TDI_STAT_DATAGRAMS_IN]	= "datagrams_in",
	[TDI_STAT_DATAGRAMS_OUT] = "datagrams_out",
};

/* /proc/net/tdi_stat: "name value" lines, the namespace's counters, the
 * gauge offers_pending (half-open offers in the offer table now), then one
 * "drop_<reason>" line per reason a received frame is dropped for.
 */
static int tdi_stat_show(struct seq_file *seq, void *v)
{
	struct tdi_net *tn = tdi_pernet(seq_file_single_net(seq));
	unsigned long sum[__TDI_STAT_MAX] = {};
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct tdi_stats *st = per_cpu_ptr(tn->stats, cpu);

		for (i = 0; i < __TDI_STAT_MAX; i++)
			sum[i] += READ_ONCE(st->v[i]);
	}
	for (i = 0; i < TDI_STAT_DROP_BASE; i++)
		seq_printf(seq, "%s %lu\n", tdi_stat_names[i], sum[i]);
	seq_printf(seq, "offers_pending %u\n", tdi_offers_pending(tn));
	for (i = 1; i < __TDI_DROP_MAX; i++)
		seq_printf(seq, "drop_%s %lu\n", tdi_drop_name(i),
			   sum[TDI_STAT_DROP_BASE + i]);
	return 0;
}

/**
 * tdi_proc_init() - create /proc/net/tdi in a namespace
 * @net: the namespace
 *
 * Return: 0 or -ENOMEM.
 */
int tdi_proc_init(struct net *net)
{
	if (!proc_create_net("tdi", 0444, net->proc_net, &tdi_seq_ops,
			     sizeof(struct seq_net_private)))
		return -ENOMEM;
	if (!proc_create_net_single("tdi_stat", 0444, net->proc_net,
				    tdi_stat_show, NULL)) {
		remove_proc_entry("tdi", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

/**
 * tdi_proc_exit() - remove /proc/net/tdi from a namespace
 * @net: the namespace
 */
void tdi_proc_exit(struct net *net)
{
	remove_proc_entry("tdi_stat", net->proc_net);
	remove_proc_entry("tdi", net->proc_net);
}
