// SPDX-License-Identifier: GPL-2.0
/*
 * tdi_fuzz_frame: inject mutated tdi frames into live connections.
 *
 * Two network namespaces, "a" (node 02:00:00:00:00:0a, device va) and "b"
 * (02:00:00:00:00:0b, vb), made by unshare() and joined by a veth pair made
 * over rtnetlink (no process is started).  Two hash-checked transfers run
 * from a to b all through the test, one SOCK_STREAM and one SOCK_SEQPACKET
 * ("real" connections); a manager thread keeps "victim" connections between
 * a and b and "phantom" connections from a to a node that does not exist
 * (02:00:00:00:00:0c, only the fuzzer answers for it), all moving data both
 * ways, and drains every listener.  A sniffer per namespace (AF_PACKET,
 * ETH_P_ALL with a BPF filter) reads the frames that namespace's kernel
 * sends and learns each connection's identifiers, initial sequence numbers,
 * acknowledgments, windows and timestamps.  Frames the kernel sends over
 * veth carry csum 0 (checksum offload); injected frames never do, which is
 * how the sniffers tell them apart.  The kernel's own frames are checked as
 * well: valid header, no HOLD/DATAGRAM, SACK blocks above ack and
 * ascending, no data the writer never gave, no expedited data on the real
 * connections.
 *
 * The injector sends --frames N frames (default 100000) through AF_PACKET
 * sockets with sendmmsg(), in batches, to b (from va) and to a (from vb).
 * Each frame is drawn from one category (weights in percent):
 *
 * Real connections: nothing a correct implementation may act upon, so the
 * transfers must survive:
 *  3 real_wrong_dst   in-window content, dst_id not a live connection
 *  4 real_wrong_mac   exact ids, spoofed source MAC (random unicast,
 *                     broadcast, multicast, zero, the target's own, phantom)
 *  3 real_wrong_src   exact dst_id and MAC, wrong src_id or sport
 *  5 real_dup         DATA/RELEASE wholly before the target's ack (recent
 *                     and old duplicates)
 *  4 real_ahead       DATA/RELEASE starting 2^28 or more past the right edge
 *  6 real_ack         ACKs whose ack is truthful (at most what the peer
 *                     acknowledged, window not beyond the peer's edge),
 *                     stale or beyond snd_nxt; SACK blocks truthful,
 *                     overlapping, reversed, before snd_una, beyond snd_nxt
 *  4 real_reset       RESET with seq outside [rcv_nxt, rcv_right + 1],
 *                     valid and invalid reasons, mangled set-up payloads
 *  2 real_xdata       XDATA with an xseq other than the expected one
 *  3 real_state       HOLD, REFUSE, ACCEPT (safe ack) with exact ids,
 *                     CONNECT repeating the real offer, DATAGRAM
 *  5 real_replay      sniffed frames sent again, whole or cut (a cut keeps
 *                     EOR only where the message ends)
 *  6 real_future      genuine data not yet received: the stream's bytes
 *                     are a function of their offset, the message sizes a
 *                     function of the seed, so the fuzzer builds correct
 *                     in-window, out-of-order and overlapping DATA (EOR and
 *                     empty EOR frames included) for bytes the writer's
 *                     kernel has already sent (as sniffed): copies that
 *                     may arrive before the real frames (data never sent
 *                     would be acknowledged beyond the sender's snd_nxt,
 *                     which no transport takes)
 *  3 real_badcsum     acceptable lies (in-window garbage DATA, RESET at
 *                     rcv_nxt, RELEASE, acks of unsent data) with a broken
 *                     checksum field or a bit flipped after summing
 * Victims and phantoms (exact ids, anything goes, they may die):
 *  7 victim_data      in-window, overlapping and out-of-order DATA (EOR,
 *                     empty EOR), partly before rcv_nxt
 *  5 victim_ack       acks of unsent data, window inflation and zero
 *                     windows, SACK blocks valid, overlapping, reversed,
 *                     beyond snd_nxt
 *  2 victim_reset     RESET in the window, every reason
 *  2 victim_release   RELEASE at rcv_nxt or in the window, some with disconnect
 *                     data (a few of those malformed)
 *  3 victim_xdata     XDATA with the expected xseq and its neighbours
 *  2 victim_setup     ACCEPT, HOLD, REFUSE, CONNECT with exact ids
 *  4 phantom          ACCEPT/HOLD/REFUSE/RESET (right and wrong ack, sport,
 *                     MRU) for connects to the phantom node, then the victim
 *                     frames once a phantom connection is up
 * Listeners and unknown connections:
 *  8 offer            CONNECT to the listener ports from spoofed MACs
 *                     (including broadcast, multicast, zero, b's own),
 *                     random ids, MSGMODE either way, MRUs, user data
 *                     lengths, reasons, valid and mangled set-up payloads
 *  3 unknown_port     CONNECT to ports nobody listens on
 *  6 unknown_conn     every type with a dst_id that names no connection
 *  1 datagram         DATAGRAM frames, half of them to the address object
 *                     b keeps on PORT_DGRAM_B (a small receive buffer,
 *                     drained now and then), a fifth of those broadcast
 * Invalid on purpose:
 * 12 invalid          bad version, type 0 and 11..255, flags the type does
 *                     not allow, identifier and length rule breaks, frames
 *                     shorter than 44 or than 44 + len, random garbage with
 *                     and without a valid checksum, frames for other hosts
 *
 * On top, 20% of the frames get one mutation: broken checksum field, a bit
 * flipped after summing, truncation, len larger than the frame, Ethernet
 * padding, random header bytes with the checksum redone (never on frames
 * that carry a real connection's identifiers), a smaller len with the
 * checksum redone (likewise), another version, a destination MAC that is
 * not the host's, or a spoofed source MAC.
 *
 * The test passes when both transfers end in order with every byte and
 * message boundary as sent, no connection stalls for 60 s, and nothing
 * impossible was seen; then every socket is closed, the links go down and
 * the namespaces' /proc/net/tdi must empty.  It prints the frames injected
 * per category, type and mutation, the victims' fates, and the changes of
 * /proc/net/tdi_stat in each namespace.  --seed N (printed as "# seed N")
 * fixes every random choice; what is injected also depends on what the
 * sniffers saw, which depends on timing, so a run is reproducible in its
 * mix but not frame for frame.
 *
 * Options: --frames N, --seed N, --rate KiB/s (each real writer's pace,
 * default 256, 0 for none: unpaced transfers take the guest's CPU from the
 * injection), --no-empty-tsdu (no empty TSDUs in the seqpacket transfer
 * and in injected frames), --no-mutate, --only CAT,... (draw from these
 * categories only), --quiet.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <linux/tdi.h>

#include "kselftest_harness.h"
#include "tdi_util.h"

/* Wire format (Documentation/tdi-protocol.rst) */
#define HDR_LEN		44
#define SETUP_LEN	4
#define MTU		1500
#define MAX_PAY		(MTU - HDR_LEN)
#define MIN_MRU		1236
#define WIRE_MAX	(ETH_HLEN + MTU)
#define OFF_CSUM	(ETH_HLEN + 42)
#define OFF_LEN		(ETH_HLEN + 40)

enum {
	T_CONNECT = 1, T_ACCEPT, T_REFUSE, T_HOLD, T_DATA, T_ACK, T_XDATA,
	T_RELEASE, T_RESET, T_DATAGRAM,
};

#define F_EOR		0x0001
#define F_SACK		0x0002
#define F_ACKNOW	0x0004
#define F_MSGMODE	0x0008
#define F_MRU		0x0010
#define MRU_OPT_LEN	8

struct fz_hdr {
	__u8	version;
	__u8	type;
	__u16	flags;
	__u16	sport;
	__u16	dport;
	__u32	src_id;
	__u32	dst_id;
	__u32	seq;
	__u32	ack;
	__u32	wnd;
	__u16	xseq;
	__u16	xack;
	__u32	tsval;
	__u32	tsecr;
	__u16	len;
	__u16	csum;
};

/* Ports: a's ends are bound explicitly, fake offers avoid these ranges. */
#define PORT_REAL_A	30001		/* + 0 stream, + 1 seqpacket */
#define PORT_REAL_B	30101
#define PORT_VIC_B	30201
#define PORT_DGRAM_B	30301		/* b's address object, for datagrams */
#define PORT_VIC_A	40000		/* 1000 ports, cycled */
#define PORT_PH_A	41000		/* 1000 ports, cycled */
#define PORT_PHANTOM	7777
#define PORT_LOW_END	30000		/* fake sports: below, or from ... */
#define PORT_HIGH	42000		/* ... here up */

static const __u8 mac_a[6] = { 2, 0, 0, 0, 0, 0x0a };
static const __u8 mac_b[6] = { 2, 0, 0, 0, 0, 0x0b };
static const __u8 mac_ph[6] = { 2, 0, 0, 0, 0, 0x0c };

#define SEQ_FAR		0x10000000U	/* a margin no stream moves by meanwhile */
#define ACK_STALE	0x01000000U	/* more than any window or flight */

static int before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

static int after(__u32 a, __u32 b)
{
	return before(b, a);
}

static __u32 seq_max(__u32 a, __u32 b)
{
	return after(a, b) ? a : b;
}

/* Options */
static __u64 opt_frames = 100000;
static __u64 opt_seed;
static int opt_seed_set;
static int opt_empty_tsdu = 1;
static int opt_quiet;
static int opt_no_mutate;
static unsigned int opt_rate_kib = 256;	/* each real writer's pace, 0: none */
static unsigned int opt_only;	/* categories to draw from (bits), 0: all */

/* Random numbers: splitmix64 */
struct rng {
	__u64 s;
};

static __u64 mix64(__u64 z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u64 rnd(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix64(r->s);
}

static __u32 rn(struct rng *r, __u32 n)
{
	return n ? rnd(r) % n : 0;
}

static int pct(struct rng *r, int p)
{
	return (int)rn(r, 100) < p;
}

/* The transfers' bytes: a function of their offset. */
static void gen_fill(__u64 seed, __u64 off, __u8 *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		__u64 k = off + i;

		buf[i] = mix64(seed ^ ((k >> 3) * 0x9e3779b97f4a7c15ULL)) >> ((k & 7) * 8);
	}
}

/* Message sizes of the seqpacket transfer, from the seed. */
static __u32 msg_size(struct rng *r)
{
	__u32 x = rn(r, 100);

	if (x < 2)
		return opt_empty_tsdu ? 0 : 1;
	if (x < 10)
		return 4000 + rn(r, 16000);
	return 1 + rn(r, 4000);
}

static __u64 now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static void hdr_put(__u8 *p, const struct fz_hdr *h)
{
	p[0] = h->version;
	p[1] = h->type;
	put16(p + 2, h->flags);
	put16(p + 4, h->sport);
	put16(p + 6, h->dport);
	put32(p + 8, h->src_id);
	put32(p + 12, h->dst_id);
	put32(p + 16, h->seq);
	put32(p + 20, h->ack);
	put32(p + 24, h->wnd);
	put16(p + 28, h->xseq);
	put16(p + 30, h->xack);
	put32(p + 32, h->tsval);
	put32(p + 36, h->tsecr);
	put16(p + 40, h->len);
	put16(p + 42, h->csum);
}

static void hdr_get(const __u8 *p, struct fz_hdr *h)
{
	h->version = p[0];
	h->type = p[1];
	h->flags = get16(p + 2);
	h->sport = get16(p + 4);
	h->dport = get16(p + 6);
	h->src_id = get32(p + 8);
	h->dst_id = get32(p + 12);
	h->seq = get32(p + 16);
	h->ack = get32(p + 20);
	h->wnd = get32(p + 24);
	h->xseq = get16(p + 28);
	h->xack = get16(p + 30);
	h->tsval = get32(p + 32);
	h->tsecr = get32(p + 36);
	h->len = get16(p + 40);
	h->csum = get16(p + 42);
}

/*
 * Shared state.  Slots describe the connections the fuzzer knows: one per
 * real transfer, victims, phantoms.  The sniffers fill in what they learn,
 * the injector reads a copy per batch; g.lock guards them.
 */
enum { SLOT_NONE, SLOT_REAL, SLOT_VICTIM, SLOT_PHANTOM };

#define NREAL		2
#define NVICTIM		4
#define NPHANTOM	2
#define NSLOTS		(NREAL + NVICTIM + NPHANTOM)

struct side {
	__u32	id, isn, ack, right, snd_max, tsval;
	__u16	xack, port;
	int	have_id, have_ack;
};

struct slot {
	int	kind;
	int	type;
	__u32	gen;
	__u8	peer_mac[6];	/* the b end's node, as a sees it */
	struct side a, b;
	int	up;		/* ACCEPT seen (phantom: a answered ours) */
	__u32	ph_for;		/* phantom: the a id our ACCEPT answered */
	__u64	ph_sent_us;
};

struct gframe {
	struct fz_hdr h;
	int	paylen;
	__u8	pay[MAX_PAY];
};

#define RING_A		32	/* DATA frames a sent on a real connection */
#define RING_B		16	/* ACKs b sent on a real connection */
#define MSG_RING	4096	/* seqpacket messages handed to the kernel */

struct msgrec {
	__u64	seqoff;		/* offset of the first byte in sequence space */
	__u64	byteoff;	/* offset of the first byte in the data */
	__u32	size;
};

struct real {
	int	fa, fb;
	int	type;
	__u64	dseed;
	/* writer: published under g.lock */
	__u64	committed;	/* bytes (stream) or messages whose send returned */
	__u64	seq_hi;		/* sequence offset the kernel may have been given */
	__u64	total;		/* at the end: bytes, or messages */
	__u64	total_bytes;
	__u64	hash;
	int	done;
	/* reader */
	__u64	got, got_msgs, rhash;
	__u64	last_progress_us;
	int	rdone;		/* the reader has ended */
	struct msgrec msgs[MSG_RING];
	struct gframe ring_a[RING_A];
	int	na, nb;
	struct gframe ring_b[RING_B];
};

enum cat {
	C_REAL_WRONG_DST, C_REAL_WRONG_MAC, C_REAL_WRONG_SRC, C_REAL_DUP,
	C_REAL_AHEAD, C_REAL_ACK, C_REAL_RESET, C_REAL_XDATA, C_REAL_STATE,
	C_REAL_REPLAY, C_REAL_FUTURE, C_REAL_BADCSUM,
	C_VIC_DATA, C_VIC_ACK, C_VIC_RESET, C_VIC_RELEASE, C_VIC_XDATA,
	C_VIC_SETUP, C_PHANTOM,
	C_OFFER, C_UNKNOWN_PORT, C_UNKNOWN_CONN, C_DATAGRAM, C_INVALID,
	C_MAX
};

static const char * const cat_names[C_MAX] = {
	"real_wrong_dst", "real_wrong_mac", "real_wrong_src", "real_dup",
	"real_ahead", "real_ack", "real_reset", "real_xdata", "real_state",
	"real_replay", "real_future", "real_badcsum",
	"victim_data", "victim_ack", "victim_reset", "victim_release",
	"victim_xdata", "victim_setup", "phantom",
	"offer", "unknown_port", "unknown_conn", "datagram", "invalid",
};

static const int cat_weight[C_MAX] = {
	3, 4, 3, 5, 4, 6, 4, 2, 3, 5, 6, 3,
	7, 5, 2, 2, 3, 2, 4,
	8, 3, 6, 1, 12,
};

enum mut {
	M_NONE, M_CSUM, M_FLIP, M_TRUNC, M_BIGLEN, M_PAD, M_GARBAGE, M_SHORTLEN,
	M_VERSION, M_DMAC, M_SMAC, M_MAX
};

static const char * const mut_names[M_MAX] = {
	"none", "bad_csum", "bit_flip", "truncated", "len_beyond_frame",
	"eth_padding", "garbage_valid_csum", "len_shorter_valid_csum",
	"bad_version", "not_for_host", "spoofed_smac",
};

static struct {
	int	nsa, nsb, ifa, ifb;
	pthread_mutex_t lock, fail_lock;
	struct slot slots[NSLOTS];
	struct real real[NREAL];
	int	stop, stop_real, failed, ready;
	char	why[512];
	/* counters */
	__u64	cat[C_MAX], mut[M_MAX], type[256];
	__u64	send_err, sent, sniffed[2], learned[2];
	__u64	v_conn, v_up, v_err[160], v_eof, v_closed, v_abort, v_oob;
	__u64	v_bytes, ph_conn, ph_up, bogus, real_ids_changed;
	__u64	ph_accept_sent;
	__u64	dgrams_read;	/* datagrams b's address object took */
	int	dgram_fd;
	__u64	drain_start_us;	/* when the injection ended */
} g = { .lock = PTHREAD_MUTEX_INITIALIZER, .fail_lock = PTHREAD_MUTEX_INITIALIZER };

static int flag_get(int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void flag_set(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void note(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("# %s\n", buf);
	fflush(stdout);
}

static void fail(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* called with g.lock held, or not: its own lock */
	pthread_mutex_lock(&g.fail_lock);
	if (!g.failed)
		snprintf(g.why, sizeof(g.why), "%s", buf);
	flag_set(&g.failed, 1);
	pthread_mutex_unlock(&g.fail_lock);
	note("IMPOSSIBLE: %s", buf);
}

static void count(__u64 *p, __u64 n)
{
	__atomic_add_fetch(p, n, __ATOMIC_RELAXED);
}

static int in_ns(int fd)
{
	return setns(fd, CLONE_NEWNET);
}

/* rtnetlink: the veth pair */
struct nlreq {
	struct nlmsghdr n;
	struct ifinfomsg i;
	char buf[1024];
};

static struct rtattr *nla_add(struct nlmsghdr *n, int type, const void *data, int len)
{
	struct rtattr *rta = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

static void nla_end(struct nlmsghdr *n, struct rtattr *nest)
{
	nest->rta_len = (char *)n + n->nlmsg_len - (char *)nest;
}

static int nlreq_talk(struct nlreq *req)
{
	char buf[4096];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int fd, n, err = -1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	if (send(fd, req, req->n.nlmsg_len, 0) < 0)
		goto out;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n >= (int)NLMSG_LENGTH(sizeof(struct nlmsgerr)) && h->nlmsg_type == NLMSG_ERROR) {
		err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		if (err)
			errno = -err;
	}
out:
	close(fd);
	return err;
}

static void nl_init(struct nlreq *req, int flags)
{
	memset(req, 0, sizeof(*req));
	req->n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req->n.nlmsg_type = RTM_NEWLINK;
	req->n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	req->i.ifi_family = AF_UNSPEC;
}

/* Called in namespace a: va here, vb in @nsb. */
static int make_veth(int nsb)
{
	struct rtattr *info, *data, *peer;
	struct ifinfomsg pi = { .ifi_family = AF_UNSPEC };
	struct nlreq req;

	nl_init(&req, NLM_F_CREATE | NLM_F_EXCL);
	nla_add(&req.n, IFLA_IFNAME, "va", 3);
	nla_add(&req.n, IFLA_ADDRESS, mac_a, 6);
	info = nla_add(&req.n, IFLA_LINKINFO, NULL, 0);
	nla_add(&req.n, IFLA_INFO_KIND, "veth", 4);
	data = nla_add(&req.n, IFLA_INFO_DATA, NULL, 0);
	peer = nla_add(&req.n, VETH_INFO_PEER, &pi, sizeof(pi));
	nla_add(&req.n, IFLA_IFNAME, "vb", 3);
	nla_add(&req.n, IFLA_ADDRESS, mac_b, 6);
	nla_add(&req.n, IFLA_NET_NS_FD, &nsb, 4);
	nla_end(&req.n, peer);
	nla_end(&req.n, data);
	nla_end(&req.n, info);
	return nlreq_talk(&req);
}

static int link_set(int ifindex, int up)
{
	struct nlreq req;

	nl_init(&req, 0);
	req.i.ifi_index = ifindex;
	req.i.ifi_flags = up ? IFF_UP : 0;
	req.i.ifi_change = IFF_UP;
	return nlreq_talk(&req);
}

/* A new network namespace, as an fd; the calling thread stays where it was. */
static int new_ns(int home)
{
	int fd;

	if (unshare(CLONE_NEWNET))
		return -1;
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (in_ns(home)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* /proc/net/tdi_stat of a namespace */
#define NSTAT 64

struct stats {
	int	n;
	char	name[NSTAT][32];
	unsigned long long val[NSTAT];
};

static int read_stats(int ns, struct stats *st)
{
	char line[128];
	FILE *f;

	st->n = 0;
	if (in_ns(ns))
		return -1;
	f = fopen("/proc/thread-self/net/tdi_stat", "r");
	if (!f)
		return -1;
	while (st->n < NSTAT && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %llu", st->name[st->n], &st->val[st->n]) == 2)
			st->n++;
	}
	fclose(f);
	return 0;
}

static void print_stat_delta(const char *ns, const struct stats *a, const struct stats *b)
{
	int i, j;

	for (i = 0; i < b->n; i++) {
		unsigned long long old = 0;

		for (j = 0; j < a->n; j++)
			if (!strcmp(a->name[j], b->name[i]))
				old = a->val[j];
		if (b->val[i] != old)
			note("%s %-22s +%llu", ns, b->name[i], b->val[i] - old);
	}
}

/*
 * After the injection a real transfer that has not ended must keep making
 * progress: when one has read nothing for DRAIN_S seconds (counted from the
 * injection's end at the earliest), the watchdog prints the endpoints'
 * TDI_INFO and the namespaces' counters and fails the test, rather than the
 * harness killing it with nothing said.  A slow machine only makes the
 * drain longer; a stalled transfer fails.
 */
#define DRAIN_S	120
static struct stats wd_base[2];

static void print_info(const char *what, int fd)
{
	struct tdi_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, SOL_TDI, TDI_INFO, &ti, &len)) {
		note("%s: TDI_INFO: %s", what, strerror(errno));
		return;
	}
	note("%s: state %u rtt %u rto %u us, snd_wnd %u rcv_wnd %u cwnd %u, unread %u",
	     what, ti.state, ti.rtt_us, ti.rto_us, ti.snd_wnd, ti.rcv_wnd, ti.cwnd,
	     ti.unread);
	note("%s: bytes %llu out %llu in, frames %llu out %llu in, %llu again, %llu dup",
	     what, (unsigned long long)ti.bytes_sent, (unsigned long long)ti.bytes_received,
	     (unsigned long long)ti.frames_sent, (unsigned long long)ti.frames_received,
	     (unsigned long long)ti.frames_retransmitted,
	     (unsigned long long)ti.frames_duplicate);
}

static void *watchdog_main(void *arg)
{
	while (!flag_get(&g.stop)) {
		__u64 d = __atomic_load_n(&g.drain_start_us, __ATOMIC_ACQUIRE);
		struct stats st;
		int i;

		int stalled = -1;

		for (i = 0; d && i < NREAL; i++) {
			__u64 lp = __atomic_load_n(&g.real[i].last_progress_us,
						   __ATOMIC_RELAXED);

			if (lp < d)
				lp = d;
			if (!__atomic_load_n(&g.real[i].rdone, __ATOMIC_ACQUIRE) &&
			    now_us() - lp > DRAIN_S * 1000000ULL)
				stalled = i;
		}
		if (stalled < 0) {
			usleep(200000);
			continue;
		}
		note("real %d read nothing for %d s after the injection's end (%.1f s ago)",
		     stalled, DRAIN_S, (now_us() - d) / 1e6);
		for (i = 0; i < NREAL; i++) {
			char what[32];

			pthread_mutex_lock(&g.lock);
			note("real %d: %llu bytes, %llu messages read; sent: %llu %s%s",
			     i, (unsigned long long)g.real[i].got,
			     (unsigned long long)g.real[i].got_msgs,
			     (unsigned long long)g.real[i].committed,
			     g.real[i].type == SOCK_STREAM ? "bytes" : "messages",
			     g.real[i].done ? ", all" : "");
			pthread_mutex_unlock(&g.lock);
			snprintf(what, sizeof(what), "real %d writer", i);
			print_info(what, g.real[i].fa);
			snprintf(what, sizeof(what), "real %d reader", i);
			print_info(what, g.real[i].fb);
		}
		if (!read_stats(g.nsa, &st))
			print_stat_delta("a", &wd_base[0], &st);
		if (!read_stats(g.nsb, &st))
			print_stat_delta("b", &wd_base[1], &st);
		fflush(stdout);
		_exit(1);
	}
	return NULL;
}

static int tdi_socket_in(int ns, int type)
{
	if (in_ns(ns))
		return -1;
	return socket(AF_TDI, type | SOCK_CLOEXEC, 0);
}

static int bind_port(int fd, int port)
{
	struct sockaddr_tdi sa;

	sa_of(&sa, NULL, port);
	return bind(fd, (struct sockaddr *)&sa, sizeof(sa));
}

static void close_abort(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/*
 * Sniffers: learn from the frames this namespace's kernel sends, and check
 * them.
 */
static int frame_rules_ok(const struct fz_hdr *h, const __u8 *pay, int avail, char *why, int wlen)
{
	static const __u16 allowed[11] = {
		0, F_MSGMODE, F_MSGMODE, 0, 0, F_EOR | F_ACKNOW, F_SACK | F_ACKNOW | F_MRU,
		F_ACKNOW, F_ACKNOW, 0, 0,
	};
	int i, n;

	if (h->version != 1 || !h->type || h->type > T_RESET || h->type == T_HOLD) {
		snprintf(why, wlen, "version %u type %u", h->version, h->type);
		return 0;
	}
	if (h->flags & ~allowed[h->type]) {
		snprintf(why, wlen, "type %u flags %#x", h->type, h->flags);
		return 0;
	}
	if (HDR_LEN + h->len > avail || h->len > MAX_PAY) {
		snprintf(why, wlen, "type %u len %u in %d bytes", h->type, h->len, avail);
		return 0;
	}
	if ((h->type != T_REFUSE && h->type != T_RESET && !h->src_id) ||
	    (h->type == T_CONNECT ? h->dst_id != 0 : !h->dst_id)) {
		snprintf(why, wlen, "type %u ids %#x %#x", h->type, h->src_id, h->dst_id);
		return 0;
	}
	switch (h->type) {
	case T_CONNECT:
	case T_ACCEPT:
	case T_REFUSE:
	case T_RESET:
		if (h->len < SETUP_LEN || pay[3] > 128 || h->len != SETUP_LEN + pay[3] ||
		    ((h->type == T_CONNECT || h->type == T_ACCEPT) ?
		     get16(pay) < MIN_MRU || pay[2] : get16(pay) || !pay[2] || pay[2] > 6 ||
		     pay[2] == TDI_REASON_REFUSED)) {
			snprintf(why, wlen, "type %u set-up %02x%02x%02x%02x len %u", h->type,
				 pay[0], pay[1], pay[2], pay[3], h->len);
			return 0;
		}
		break;
	case T_DATA:
		if (!h->len && !(h->flags & F_EOR)) {
			snprintf(why, wlen, "empty DATA without EOR");
			return 0;
		}
		break;
	case T_ACK:
		if (h->flags & F_MRU) {
			/* an MRU option first: the MTU changed (not in this test) */
			if (h->len < MRU_OPT_LEN || get16(pay) < MIN_MRU) {
				snprintf(why, wlen, "ACK MRU option len %u", h->len);
				return 0;
			}
			pay += MRU_OPT_LEN;
			avail -= MRU_OPT_LEN;
		}
		n = (h->len - (h->flags & F_MRU ? MRU_OPT_LEN : 0)) / 8;
		if (h->len % 8 || n > 4 || !!n != !!(h->flags & F_SACK)) {
			snprintf(why, wlen, "ACK len %u flags %#x", h->len, h->flags);
			return 0;
		}
		for (i = 0; i < n; i++) {
			__u32 s = get32(pay + 8 * i), e = get32(pay + 8 * i + 4);
			__u32 prev = i ? get32(pay + 8 * i - 4) : h->ack;

			if (!after(s, prev) || !after(e, s)) {
				snprintf(why, wlen, "SACK block %d [%u, %u) ack %u prev %u",
					 i, s, e, h->ack, prev);
				return 0;
			}
		}
		break;
	case T_XDATA:
		if (!h->len || h->len > 1024) {
			snprintf(why, wlen, "XDATA len %u", h->len);
			return 0;
		}
		break;
	case T_RELEASE:
		/* empty, or a set-up head (mru 0, reason 0) with disconnect data */
		if (h->len && (h->len < SETUP_LEN || get16(pay) || pay[2] ||
			       pay[3] > 128 || h->len != SETUP_LEN + pay[3])) {
			snprintf(why, wlen, "RELEASE len %u", h->len);
			return 0;
		}
		break;
	}
	return 1;
}

static void side_reset(struct side *s, __u16 port)
{
	memset(s, 0, sizeof(*s));
	s->port = port;
}

static void ring_add(struct gframe *ring, int n, int *pos, const struct fz_hdr *h,
		     const __u8 *pay)
{
	struct gframe *e = &ring[*pos % n];

	e->h = *h;
	e->paylen = h->len;
	memcpy(e->pay, pay, h->len);
	(*pos)++;
}

/* Caller holds g.lock. */
static void learn(int si, int from_b, const struct fz_hdr *h, const __u8 *pay)
{
	struct slot *sl = &g.slots[si];
	struct side *me = from_b ? &sl->b : &sl->a, *peer = from_b ? &sl->a : &sl->b;
	struct real *rl = si < NREAL ? &g.real[si] : NULL;
	int marker = h->type == T_RELEASE || (h->flags & F_EOR);

	if (h->type == T_CONNECT) {
		if (from_b)
			return;
		if (!me->have_id || me->id != h->src_id) {
			if (rl && me->have_id)
				count(&g.real_ids_changed, 1);
			side_reset(&sl->a, sl->a.port);
			side_reset(&sl->b, sl->b.port);
			sl->up = 0;
			me->id = h->src_id;
			me->have_id = 1;
			me->isn = h->seq;
			me->snd_max = h->seq;
		}
		me->tsval = h->tsval;
		return;
	}
	if (h->type == T_ACCEPT && from_b) {
		if (!peer->have_id || h->dst_id != peer->id)
			return;
		if (!me->have_id || me->id != h->src_id) {
			me->id = h->src_id;
			me->have_id = 1;
			me->isn = h->seq;
			me->snd_max = h->seq;
			sl->up = 1;
		}
	}
	if (from_b && !me->have_id && peer->have_id && h->dst_id == peer->id &&
	    h->src_id && h->type != T_RESET && h->type != T_REFUSE &&
	    h->type != T_CONNECT) {
		/* the ACCEPT went by unseen: b's next frame names it too */
		me->id = h->src_id;
		me->have_id = 1;
		me->isn = h->seq;
		me->snd_max = h->seq;
		if (sl->kind != SLOT_PHANTOM)
			sl->up = 1;
	}
	if (!me->have_id || h->src_id != me->id)
		return;
	if (!from_b && h->type != T_RESET) {
		/* a answers the phantom (or b) it connected to */
		if (sl->kind == SLOT_PHANTOM && peer->have_id && h->dst_id == peer->id)
			sl->up = 1;
	}
	if (!me->have_ack || after(h->ack, me->ack))
		me->ack = h->ack;
	if (!me->have_ack || after(h->ack + h->wnd, me->right))
		me->right = h->ack + h->wnd;
	me->have_ack = 1;
	me->tsval = h->tsval;
	me->xack = h->xack;
	if (h->type == T_DATA || h->type == T_RELEASE)
		me->snd_max = seq_max(me->snd_max, h->seq + h->len + marker);
	else if (h->type != T_ACCEPT)
		me->snd_max = seq_max(me->snd_max, h->seq);
	count(&g.learned[from_b], 1);
	if (!rl)
		return;
	if (h->xack) {
		fail("real %d: %s sent xack %u without expedited data", si, from_b ? "b" : "a",
		     h->xack);
	}
	if (from_b && (h->type == T_DATA || h->type == T_XDATA))
		fail("real %d: the reader sent type %u", si, h->type);
	if (!from_b && (h->type == T_DATA || h->type == T_RELEASE)) {
		__u32 end = h->seq + h->len + marker;

		if (after(end, sl->a.isn + (__u32)rl->seq_hi + 1))
			fail("real %d: a sent [%u, %u) beyond the %llu bytes given (isn %u)", si,
			     h->seq, end, (unsigned long long)rl->seq_hi, sl->a.isn);
		if (h->type == T_DATA)
			ring_add(rl->ring_a, RING_A, &rl->na, h, pay);
	}
	if (from_b && h->type == T_ACK)
		ring_add(rl->ring_b, RING_B, &rl->nb, h, pay);
}

static void sniff_one(int from_b, const __u8 *buf, int n)
{
	const __u8 *own = from_b ? mac_b : mac_a;
	char why[160];
	struct fz_hdr h;
	int i;

	if (n < ETH_HLEN + HDR_LEN)
		return;
	count(&g.sniffed[from_b], 1);
	hdr_get(buf + ETH_HLEN, &h);
	if (memcmp(buf + 6, own, 6)) {
		fail("%s sent a frame from %02x:%02x:%02x:%02x:%02x:%02x", from_b ? "b" : "a",
		     buf[6], buf[7], buf[8], buf[9], buf[10], buf[11]);
		return;
	}
	if (!frame_rules_ok(&h, buf + ETH_HLEN + HDR_LEN, n - ETH_HLEN, why, sizeof(why))) {
		fail("%s sent an invalid frame: %s", from_b ? "b" : "a", why);
		return;
	}
	pthread_mutex_lock(&g.lock);
	for (i = 0; i < NSLOTS; i++) {
		struct slot *sl = &g.slots[i];

		if (sl->kind == SLOT_NONE)
			continue;
		if (!from_b && h.sport == sl->a.port && h.dport == sl->b.port &&
		    !memcmp(buf, sl->peer_mac, 6))
			break;
		if (from_b && sl->kind != SLOT_PHANTOM && h.sport == sl->b.port &&
		    h.dport == sl->a.port && !memcmp(buf, mac_a, 6))
			break;
	}
	if (i < NSLOTS)
		learn(i, from_b, &h, buf + ETH_HLEN + HDR_LEN);
	pthread_mutex_unlock(&g.lock);
}

static int sniff_socket(int ifindex)
{
	/* EtherType tdi, sent by this host, csum 0: the kernel's own frames */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_TDI, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 3),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, OFF_CSUM),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(code), .filter = code };
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	int fd, sz = 8 << 20;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	set_timeo(fd, SO_RCVTIMEO, 1000);
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

#define SNIFF_BATCH	32

static void *sniff_main(void *arg)
{
	int from_b = (long)arg;
	static __u8 bufs[2][SNIFF_BATCH][WIRE_MAX];
	struct mmsghdr mm[SNIFF_BATCH];
	struct iovec iov[SNIFF_BATCH];
	int fd, i, n;

	if (in_ns(from_b ? g.nsb : g.nsa))
		return NULL;
	fd = sniff_socket(from_b ? g.ifb : g.ifa);
	if (fd < 0) {
		fail("sniffer socket: %s", strerror(errno));
		return NULL;
	}
	__atomic_add_fetch(&g.ready, 1, __ATOMIC_RELEASE);
	while (!flag_get(&g.stop)) {
		memset(mm, 0, sizeof(mm));
		for (i = 0; i < SNIFF_BATCH; i++) {
			iov[i].iov_base = bufs[from_b][i];
			iov[i].iov_len = WIRE_MAX;
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, mm, SNIFF_BATCH, MSG_WAITFORONE, NULL);
		for (i = 0; i < n; i++)
			sniff_one(from_b, bufs[from_b][i], mm[i].msg_len);
	}
	close(fd);
	return NULL;
}

/*
 * The real transfers.  Stream: bytes gen(0), gen(1), ... in chunks of
 * random size.  Seqpacket: messages of msg_size() bytes, the same byte
 * generator over the concatenated data.  Each side checks every byte.
 */
#define CHUNK	(64 << 10)

static void *writer_main(void *arg)
{
	struct real *rl = arg;
	struct rng r = { .s = rl->dseed ^ 0x5752 };
	__u64 off = 0, msgs = 0, seqoff = 0, h = 0xcbf29ce484222325ULL;
	__u8 *buf = malloc(CHUNK);
	__u64 t0 = now_us();

	if (!buf)
		return NULL;
	while (!flag_get(&g.stop_real) && !flag_get(&g.failed)) {
		__u32 len = rl->type == SOCK_STREAM ? 1 + rn(&r, CHUNK) : msg_size(&r);
		__u64 due = opt_rate_kib ? t0 + off * 1000 / opt_rate_kib * 1000 / 1024 : 0;

		/* paced, so that the injection has the CPU */
		while (due > now_us() && !flag_get(&g.stop_real)) {
			__u64 wait = due - now_us();

			usleep(wait < 100000 ? wait : 100000);
		}
		ssize_t n;

		gen_fill(rl->dseed, off, buf, len);
		pthread_mutex_lock(&g.lock);
		if (rl->type == SOCK_SEQPACKET) {
			struct msgrec *m = &rl->msgs[msgs % MSG_RING];

			m->seqoff = seqoff;
			m->byteoff = off;
			m->size = len;
			rl->seq_hi = seqoff + len + 1;
		} else {
			rl->seq_hi = off + len;
		}
		pthread_mutex_unlock(&g.lock);
		n = send(rl->fa, buf, len, MSG_NOSIGNAL);
		if (n < 0 || (rl->type == SOCK_SEQPACKET && n != len)) {
			fail("real %s writer: send %u: %zd %s", rl->type == SOCK_STREAM ?
			     "stream" : "seqpacket", len, n, strerror(errno));
			break;
		}
		h = fnv(h, buf, n);
		off += n;
		if (rl->type == SOCK_SEQPACKET) {
			seqoff += n + 1;
			msgs++;
		}
		pthread_mutex_lock(&g.lock);
		rl->committed = rl->type == SOCK_STREAM ? off : msgs;
		pthread_mutex_unlock(&g.lock);
	}
	pthread_mutex_lock(&g.lock);
	rl->total = rl->type == SOCK_STREAM ? off : msgs;
	rl->total_bytes = off;
	rl->hash = h;
	rl->done = 1;
	pthread_mutex_unlock(&g.lock);
	free(buf);
	if (shutdown(rl->fa, SHUT_WR))
		fail("real writer: shutdown: %s", strerror(errno));
	return NULL;
}

static void *reader_main(void *arg)
{
	struct real *rl = arg;
	struct rng r = { .s = rl->dseed ^ 0x5752 };
	__u64 h = 0xcbf29ce484222325ULL, msg_got = 0;
	__u32 want = 0;
	__u8 *buf = malloc(CHUNK), *exp = malloc(CHUNK);
	const char *name = rl->type == SOCK_STREAM ? "stream" : "seqpacket";

	if (!buf || !exp)
		goto out;
	if (rl->type == SOCK_SEQPACKET)
		want = msg_size(&r);
	for (;;) {
		struct iovec iov = { .iov_base = buf, .iov_len = CHUNK };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(rl->fb, &mh, 0);

		if (n < 0) {
			fail("real %s reader: recv after %llu bytes: %s", name,
			     (unsigned long long)rl->got, strerror(errno));
			break;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			fail("real %s reader: MSG_TRUNC", name);
			break;
		}
		if (!n && !(mh.msg_flags & MSG_EOR))
			break;		/* end of file */
		gen_fill(rl->dseed, rl->got, exp, n);
		if (memcmp(buf, exp, n)) {
			ssize_t i = 0;

			while (buf[i] == exp[i])
				i++;
			fail("real %s reader: byte %llu is %#x, sent %#x", name,
			     (unsigned long long)(rl->got + i), buf[i], exp[i]);
			break;
		}
		h = fnv(h, buf, n);
		rl->got += n;
		__atomic_store_n(&rl->last_progress_us, now_us(), __ATOMIC_RELAXED);
		if (rl->type == SOCK_STREAM)
			continue;
		msg_got += n;
		if (msg_got > want || ((mh.msg_flags & MSG_EOR) && msg_got != want)) {
			fail("real seqpacket reader: message %llu has %llu%s bytes, sent %u",
			     (unsigned long long)rl->got_msgs, (unsigned long long)msg_got,
			     mh.msg_flags & MSG_EOR ? "" : "+", want);
			break;
		}
		if (mh.msg_flags & MSG_EOR) {
			rl->got_msgs++;
			msg_got = 0;
			want = msg_size(&r);
		}
	}
	rl->rhash = h;
out:
	__atomic_store_n(&rl->rdone, 1, __ATOMIC_RELEASE);
	free(buf);
	free(exp);
	return NULL;
}

/*
 * Victims and phantoms: the manager thread.  Each victim is a connection
 * from a to a victim listener in b, each phantom a connection from a to
 * the phantom node; both move small amounts of data and expedited data
 * both ways, and are replaced when they end.  The listeners' queues are
 * drained: children that are not victims are closed at once.
 */
enum { V_IDLE, V_CONNECTING, V_UP };

struct victim {
	int	fa, fb, state, slot, type, phantom;
	__u64	since_us, until_us, next_io_us;
};

static void errno_count(int e)
{
	count(&g.v_err[e < 160 && e > 0 ? e : 0], 1);
}

static int next_port(int base, int *ctr)
{
	return base + (*ctr)++ % 1000;
}

static void victim_end(struct victim *v, struct rng *r, int err)
{
	if (err)
		errno_count(err);
	if (pct(r, 50)) {
		close_abort(v->fa);
		close_abort(v->fb);
		count(&g.v_abort, 1);
	} else {
		if (v->fa >= 0)
			close(v->fa);
		if (v->fb >= 0)
			close(v->fb);
		count(&g.v_closed, 1);
	}
	v->fa = -1;
	v->fb = -1;
	v->state = V_IDLE;
	v->next_io_us = now_us() + 5000;
	pthread_mutex_lock(&g.lock);
	g.slots[v->slot].kind = SLOT_NONE;
	pthread_mutex_unlock(&g.lock);
}

static void victim_start(struct victim *v, struct rng *r, int *ctr)
{
	int i, port = 0, fd = tdi_socket_in(g.nsa, v->type | SOCK_NONBLOCK);
	struct slot *sl = &g.slots[v->slot];

	if (fd < 0) {
		errno_count(errno);
		return;
	}
	for (i = 0; i < 20; i++) {
		port = next_port(v->phantom ? PORT_PH_A : PORT_VIC_A, ctr);
		if (!bind_port(fd, port))
			break;
	}
	if (i == 20) {
		errno_count(errno);
		close(fd);
		return;
	}
	pthread_mutex_lock(&g.lock);
	memset(&sl->a, 0, sizeof(sl->a));
	memset(&sl->b, 0, sizeof(sl->b));
	sl->kind = v->phantom ? SLOT_PHANTOM : SLOT_VICTIM;
	sl->type = v->type;
	sl->gen++;
	sl->up = 0;
	sl->ph_for = 0;
	sl->a.port = port;
	sl->b.port = v->phantom ? PORT_PHANTOM : PORT_VIC_B + (v->type == SOCK_SEQPACKET);
	memcpy(sl->peer_mac, v->phantom ? mac_ph : mac_b, 6);
	pthread_mutex_unlock(&g.lock);
	v->fa = fd;
	v->fb = -1;
	v->state = V_CONNECTING;
	v->since_us = now_us();
	v->until_us = v->since_us + 500000 + rn(r, 4000000);
	count(v->phantom ? &g.ph_conn : &g.v_conn, 1);
	if (!connect_to(fd, v->phantom ? mac_ph : mac_b, sl->b.port))
		return;
	if (errno != EINPROGRESS)
		victim_end(v, r, errno);
}

/* Read what is there; 0, or the errno (-1 for end of file) that ends it. */
static int victim_read(int fd, __u8 *buf, int oob)
{
	for (;;) {
		ssize_t n = recv(fd, buf, CHUNK, MSG_DONTWAIT | (oob ? MSG_OOB : 0));

		if (n > 0) {
			if (oob && n > 1024) {
				fail("victim: expedited TSDU of %zd bytes", n);
				return -1;
			}
			count(oob ? &g.v_oob : &g.v_bytes, n);
			if (oob)
				return 0;
			continue;
		}
		if (!n)
			return oob ? 0 : -1;
		if (errno == EAGAIN || (oob && errno == EINVAL))
			return 0;
		return errno;
	}
}

static int victim_write(int fd, struct rng *r, __u8 *buf)
{
	int oob = pct(r, 5);
	__u32 len = oob ? 1 + rn(r, 1024) : rn(r, 3000);
	ssize_t n;

	if (!len && !opt_empty_tsdu)
		len = 1;
	n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL | (oob ? MSG_OOB : 0));
	if (n >= 0 || errno == EAGAIN || errno == ENOBUFS)
		return 0;
	return errno;
}

static void accept_all(int lfd, struct victim *vs, int nv, struct rng *r)
{
	for (;;) {
		struct sockaddr_tdi sa;
		socklen_t sl = sizeof(sa);
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), i;

		if (fd < 0)
			return;
		if (!getpeername(fd, (struct sockaddr *)&sa, &sl) &&
		    !memcmp(sa.stdi_node, mac_a, 6)) {
			for (i = 0; i < nv; i++) {
				if (!vs[i].phantom && vs[i].fa >= 0 && vs[i].fb < 0 &&
				    g.slots[vs[i].slot].a.port == ntohs(sa.stdi_port))
					break;
			}
			if (i < nv) {
				vs[i].fb = fd;
				continue;
			}
		}
		count(&g.bogus, 1);
		if (pct(r, 50))
			close_abort(fd);
		else
			close(fd);
	}
}

static int listeners[4];

static void *victims_main(void *arg)
{
	struct rng r = { .s = opt_seed ^ 0x7669 };
	struct victim vs[NVICTIM + NPHANTOM];
	struct pollfd pf[4 + 2 * (NVICTIM + NPHANTOM)];
	int ctr = 0, ctr_ph = 0, i, nv = NVICTIM + NPHANTOM;
	__u8 *buf = malloc(CHUNK);

	if (!buf)
		return NULL;
	memset(buf, 0x5a, CHUNK);
	for (i = 0; i < nv; i++) {
		memset(&vs[i], 0, sizeof(vs[i]));
		vs[i].fa = -1;
		vs[i].fb = -1;
		vs[i].slot = NREAL + i;
		vs[i].phantom = i >= NVICTIM;
		vs[i].type = i & 1 ? SOCK_SEQPACKET : SOCK_STREAM;
	}
	while (!flag_get(&g.stop)) {
		__u64 t = now_us();
		int np = 0;

		for (i = 0; i < 4; i++) {
			pf[np].fd = listeners[i];
			pf[np++].events = POLLIN;
		}
		for (i = 0; i < nv; i++) {
			struct victim *v = &vs[i];

			if (v->state == V_IDLE && t >= v->next_io_us)
				victim_start(v, &r, v->phantom ? &ctr_ph : &ctr);
			pf[np].fd = v->fa;
			pf[np++].events = v->state == V_CONNECTING ? POLLOUT : POLLIN | POLLPRI;
			pf[np].fd = v->state == V_UP ? v->fb : -1;
			pf[np++].events = POLLIN | POLLPRI;
		}
		if (poll(pf, np, 10) < 0)
			continue;
		for (i = 0; i < 4; i++)
			if (pf[i].revents & POLLIN)
				accept_all(listeners[i], vs, nv, &r);
		t = now_us();
		for (i = 0; i < nv; i++) {
			struct victim *v = &vs[i];
			struct pollfd *pa = &pf[4 + 2 * i], *pb = pa + 1;
			int err = 0, k;
			socklen_t el = sizeof(err);

			if (v->state == V_CONNECTING) {
				if (pa->revents & (POLLOUT | POLLERR | POLLHUP)) {
					getsockopt(v->fa, SOL_SOCKET, SO_ERROR, &err, &el);
					if (err) {
						victim_end(v, &r, err);
						continue;
					}
					v->state = V_UP;
					count(v->phantom ? &g.ph_up : &g.v_up, 1);
				} else if (t - v->since_us > 8000000) {
					victim_end(v, &r, ETIMEDOUT);
				}
				continue;
			}
			if (v->state != V_UP)
				continue;
			if (!v->phantom && v->fb < 0) {
				if (t - v->since_us > 3000000)
					victim_end(v, &r, 0);
				continue;
			}
			for (k = 0; k < 2 && !err; k++) {
				struct pollfd *p = k ? pb : pa;
				int fd = k ? v->fb : v->fa;

				if (fd < 0)
					continue;
				if (p->revents & POLLPRI)
					err = victim_read(fd, buf, 1);
				if (!err && (p->revents & (POLLIN | POLLERR | POLLHUP)))
					err = victim_read(fd, buf, 0);
				if (p->revents & POLLNVAL)
					fail("victim: POLLNVAL on a live socket");
			}
			if (err) {
				if (err == -1)
					count(&g.v_eof, 1);
				victim_end(v, &r, err > 0 ? err : 0);
				continue;
			}
			if (t >= v->until_us) {
				victim_end(v, &r, 0);
				continue;
			}
			if (t < v->next_io_us)
				continue;
			v->next_io_us = t + 2000 + rn(&r, 20000);
			err = victim_write(v->fa, &r, buf);
			if (!err && v->fb >= 0)
				err = victim_write(v->fb, &r, buf);
			if (!err && pct(&r, 2))
				shutdown(pct(&r, 50) || v->fb < 0 ? v->fa : v->fb, SHUT_WR);
			if (err)
				victim_end(v, &r, err);
		}
	}
	for (i = 0; i < nv; i++) {
		close_abort(vs[i].fa);
		close_abort(vs[i].fb);
	}
	free(buf);
	return NULL;
}

/*
 * Frame construction.  A frame is built as header fields and payload,
 * then emitted into wire bytes with its checksum, then maybe mutated.
 */
struct frame {
	struct fz_hdr h;
	__u8	dmac[6], smac[6];
	int	paylen;
	int	to_a;		/* sent from vb to a; else from va to b */
	int	real;		/* carries a real connection's identifiers */
	int	invalid;	/* already meant to be dropped */
	__u8	pay[MAX_PAY + 64];
	__u8	wire[WIRE_MAX + 64];
	int	wire_len;
};

struct snap {
	struct slot slots[NSLOTS];
	struct gframe ra[NREAL][4];
	int	nra[NREAL];
	struct gframe rb[NREAL][2];
	int	nrb[NREAL];
	__u64	committed[NREAL];
	struct msgrec msgs[NREAL][64];	/* the latest messages handed over */
	int	nmsgs[NREAL];
};

/* Target: the endpoint a frame goes to (t) and the one it pretends to be (p). */
struct tgt {
	const struct slot *sl;
	int	si, to_a;
	const struct side *t, *p;
	const __u8 *tmac, *pmac;
};

static void tgt_of(struct tgt *tg, const struct snap *s, int si, int to_a)
{
	const struct slot *sl = &s->slots[si];

	tg->sl = sl;
	tg->si = si;
	tg->to_a = to_a;
	tg->t = to_a ? &sl->a : &sl->b;
	tg->p = to_a ? &sl->b : &sl->a;
	tg->tmac = to_a ? mac_a : sl->peer_mac;
	tg->pmac = to_a ? sl->peer_mac : mac_a;
}

static int slot_ready(const struct slot *sl)
{
	return sl->kind != SLOT_NONE && sl->up && sl->a.have_id && sl->b.have_id &&
	       sl->a.have_ack && sl->b.have_ack;
}

static void rand_bytes(struct rng *r, __u8 *p, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = rnd(r);
}

static const __u8 *rand_mac(struct rng *r, __u8 *m)
{
	static const __u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const __u8 mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const __u8 mcast6[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
	static const __u8 zero[6];

	switch (rn(r, 7)) {
	case 0:
		return bcast;
	case 1:
		return mcast;
	case 2:
		return mcast6;
	case 3:
		return zero;
	case 4:
		return mac_ph;
	default:
		rand_bytes(r, m, 6);
		m[0] = (m[0] & 0xfc) | 0x02;
		return m;
	}
}

static void frame_init(struct frame *f, struct rng *r, int to_a, __u8 type)
{
	memset(&f->h, 0, sizeof(f->h));
	f->h.version = 1;
	f->h.type = type;
	f->h.tsval = rnd(r) | 1;
	f->paylen = 0;
	f->to_a = to_a;
	f->real = 0;
	f->invalid = 0;
	memcpy(f->dmac, to_a ? mac_a : mac_b, 6);
	memcpy(f->smac, to_a ? mac_b : mac_a, 6);
}

/* Exact identifiers of a connection; ack and window are the caller's. */
static void frame_exact(struct frame *f, struct rng *r, const struct tgt *tg, __u8 type)
{
	frame_init(f, r, tg->to_a, type);
	f->h.sport = tg->p->port;
	f->h.dport = pct(r, 95) ? tg->t->port : rn(r, 65536);
	f->h.src_id = tg->p->id;
	f->h.dst_id = tg->t->id;
	f->h.tsval = pct(r, 90) ? tg->p->tsval + rn(r, 1000) : rnd(r);
	f->h.tsecr = pct(r, 80) ? tg->t->tsval : rnd(r);
	f->h.xack = tg->p->xack;
	f->real = tg->sl->kind == SLOT_REAL;
	memcpy(f->dmac, tg->tmac, 6);
	memcpy(f->smac, tg->pmac, 6);
}

static void pay_rand(struct frame *f, struct rng *r, int n)
{
	rand_bytes(r, f->pay + f->paylen, n);
	f->paylen += n;
	f->h.len = f->paylen;
}

/* A set-up payload: valid for the type, or mangled in one way. */
static void pay_setup(struct frame *f, struct rng *r, int mangle)
{
	int conn = f->h.type == T_CONNECT || f->h.type == T_ACCEPT;
	int rel = f->h.type == T_RELEASE;	/* mru 0 and reason 0 */
	__u16 mru = conn ? MIN_MRU + rn(r, 3000) : 0;
	__u8 reason = conn || rel ? 0 : rn(r, 8), dl = pct(r, 70) ? 0 : rn(r, 129);
	int extra = 0;

	if (conn && pct(r, 30))
		mru = MAX_PAY;
	if (mangle) {
		switch (rn(r, 5)) {
		case 0:
			mru = conn ? rn(r, MIN_MRU) : 1 + rn(r, 65535);
			break;
		case 1:
			reason = conn || rel ? 1 + rn(r, 255) : 8 + rn(r, 248);
			break;
		case 2:
			dl = 129 + rn(r, 127);
			break;
		default:
			extra = pct(r, 50) ? 1 + rn(r, 8) : -1;
			if (extra < 0 && !dl)
				dl = 1 + rn(r, 128);
			break;
		}
		f->invalid = 1;
	}
	put16(f->pay, mru);
	f->pay[2] = reason;
	f->pay[3] = dl;
	f->paylen = SETUP_LEN;
	pay_rand(f, r, dl > 128 ? rn(r, 129) : dl + extra);
}

/* An ack that is true, stale or beyond snd_nxt for a real connection. */
static void real_ack_fields(struct frame *f, struct rng *r, const struct tgt *tg)
{
	const struct side *t = tg->t, *p = tg->p;
	__u32 x = rn(r, 100);

	if (x < 40) {
		__u32 room;

		f->h.ack = p->ack - rn(r, 65536);
		room = after(p->right, f->h.ack) ? p->right - f->h.ack : 0;
		f->h.wnd = room - rn(r, room + 1);
		/* it may acknowledge new data: a true echo, or none */
		f->h.tsecr = pct(r, 30) ? 0 : t->tsval;
	} else if (x < 70) {
		f->h.ack = p->ack - ACK_STALE - rn(r, SEQ_FAR);
		f->h.wnd = rnd(r);
	} else {
		f->h.ack = t->snd_max + ACK_STALE + rn(r, SEQ_FAR);
		f->h.wnd = rnd(r);
	}
}

/* An ack anything goes with, for victims. */
static void vic_ack_fields(struct frame *f, struct rng *r, const struct tgt *tg)
{
	const struct side *t = tg->t, *p = tg->p;

	switch (rn(r, 5)) {
	case 0:
		f->h.ack = p->ack;
		break;
	case 1:
		f->h.ack = t->snd_max;
		break;
	case 2:
		f->h.ack = p->ack + rn(r, t->snd_max - p->ack + 2);
		break;
	case 3:
		f->h.ack = rnd(r);
		break;
	default:
		f->h.ack = p->ack - rn(r, 3000);
		break;
	}
	switch (rn(r, 4)) {
	case 0:
		f->h.wnd = 0;
		break;
	case 1:
		f->h.wnd = rnd(r);
		break;
	default:
		f->h.wnd = after(p->right, f->h.ack) ? p->right - f->h.ack : rn(r, 200000);
		break;
	}
	if (pct(r, 20))
		f->h.xack = tg->p->xack + rn(r, 3) - 1;
}

/* DATA of random content [seq, seq + len); EOR as asked. */
static void data_at(struct frame *f, struct rng *r, __u32 seq, int len, int eor)
{
	f->h.seq = seq;
	if (!len && !eor)
		len = 1;
	if (eor)
		f->h.flags |= F_EOR;
	if (pct(r, 15))
		f->h.flags |= F_ACKNOW;
	pay_rand(f, r, len);
}

static int rand_len(struct rng *r)
{
	switch (rn(r, 4)) {
	case 0:
		return rn(r, 16);
	case 1:
		return MAX_PAY - rn(r, 16);
	default:
		return rn(r, MAX_PAY + 1);
	}
}

/* An acceptable lie for a connection: what real_badcsum and the wrong-id
 * categories wrap.
 */
static void acceptable_lie(struct frame *f, struct rng *r, const struct tgt *tg)
{
	const struct side *t = tg->t;

	switch (rn(r, 5)) {
	case 0:
		frame_exact(f, r, tg, T_RESET);
		f->h.seq = t->ack;
		f->h.ack = tg->p->ack;
		pay_setup(f, r, 0);
		break;
	case 1:
		frame_exact(f, r, tg, T_RELEASE);
		f->h.seq = t->ack;
		f->h.ack = tg->p->ack;
		break;
	case 2:
		frame_exact(f, r, tg, T_ACK);
		f->h.seq = tg->p->snd_max;
		f->h.ack = t->snd_max;
		f->h.wnd = rnd(r);
		break;
	default:
		frame_exact(f, r, tg, T_DATA);
		f->h.ack = tg->p->ack;
		f->h.wnd = tg->p->right - tg->p->ack;
		data_at(f, r, t->ack + rn(r, 3000), 1 + rn(r, MAX_PAY), pct(r, 30));
		break;
	}
}

/* SACK blocks for a real connection: none of them may mark data not received. */
static void real_sack(struct frame *f, struct rng *r, const struct tgt *tg)
{
	const struct side *t = tg->t, *p = tg->p;
	int i, n = 1 + rn(r, 4);

	for (i = 0; i < n; i++) {
		__u32 s, e;

		switch (rn(r, 5)) {
		case 0:	/* truthful: below what the peer acknowledged */
			e = p->ack - rn(r, 20000);
			s = e - 1 - rn(r, 20000);
			break;
		case 1:	/* reversed or empty */
			s = t->snd_max - rn(r, 30000);
			e = s - rn(r, 3000);
			break;
		case 2:	/* beyond snd_nxt */
			s = p->ack + rn(r, 30000);
			e = t->snd_max + ACK_STALE + rn(r, SEQ_FAR);
			break;
		case 3:	/* before snd_una */
			s = p->ack - ACK_STALE - rn(r, SEQ_FAR);
			e = p->ack + rn(r, 30000);
			break;
		default: /* overlapping truthful */
			s = p->ack - 5000 - rn(r, 5000);
			e = p->ack - rn(r, 3000);
			break;
		}
		put32(f->pay + 8 * i, s);
		put32(f->pay + 8 * i + 4, e);
	}
	f->paylen = 8 * n;
	f->h.len = f->paylen;
	f->h.flags |= F_SACK;
}

/* An MRU option in front of the ACK's SACK blocks: valid, too small, or
 * with reserved bytes set.
 */
static void vic_mru(struct frame *f, struct rng *r)
{
	__u8 opt[MRU_OPT_LEN] = { 0 };
	__u32 mru;

	switch (rn(r, 4)) {
	case 0:
		mru = MIN_MRU - 1 - rn(r, MIN_MRU);
		break;
	case 1:
		mru = MIN_MRU + rn(r, 65536 - MIN_MRU);
		opt[2 + rn(r, 6)] = 1 + rn(r, 255);
		break;
	default:
		mru = MIN_MRU + rn(r, 65536 - MIN_MRU);
		break;
	}
	put16(opt, mru);
	memmove(f->pay + MRU_OPT_LEN, f->pay, f->paylen);
	memcpy(f->pay, opt, MRU_OPT_LEN);
	f->paylen += MRU_OPT_LEN;
	f->h.len = f->paylen;
	f->h.flags |= F_MRU;
}

static void vic_sack(struct frame *f, struct rng *r, const struct tgt *tg)
{
	const struct side *t = tg->t, *p = tg->p;
	__u32 span = t->snd_max - p->ack + 3000;
	int i, n = 1 + rn(r, 4);

	for (i = 0; i < n; i++) {
		__u32 s = p->ack - 1000 + rn(r, span), e = s + rn(r, 6000) - 500;

		if (pct(r, 10))
			e = t->snd_max + rn(r, 100000);
		put32(f->pay + 8 * i, s);
		put32(f->pay + 8 * i + 4, e);
	}
	f->paylen = 8 * n;
	f->h.len = f->paylen;
	f->h.flags |= F_SACK;
}

/* A random unknown identifier: none of the slots' (0 allowed if @zero). */
static __u32 unknown_id(struct rng *r, const struct snap *s, int zero)
{
	for (;;) {
		__u32 id = rnd(r);
		int i;

		if (!id && !zero)
			continue;
		for (i = 0; i < NSLOTS; i++) {
			if (s->slots[i].a.id == id || s->slots[i].b.id == id)
				break;
		}
		if (i == NSLOTS)
			return id;
	}
}

static __u16 fake_sport(struct rng *r)
{
	if (pct(r, 50))
		return 1 + rn(r, PORT_LOW_END - 1);
	return PORT_HIGH + rn(r, 65536 - PORT_HIGH);
}

/* Real connection frames */
static int build_real(struct frame *f, struct rng *r, const struct snap *s, int c)
{
	struct tgt tg;
	int si = rn(r, NREAL), to_a = pct(r, 40), type, n;
	const struct side *t, *p;
	__u32 x;

	if (!slot_ready(&s->slots[si]))
		return -1;
	tgt_of(&tg, s, si, to_a);
	t = tg.t;
	p = tg.p;
	switch (c) {
	case C_REAL_WRONG_DST:
		acceptable_lie(f, r, &tg);
		f->h.dst_id = unknown_id(r, s, 0);
		break;
	case C_REAL_WRONG_MAC:
		acceptable_lie(f, r, &tg);
		memcpy(f->smac, rand_mac(r, f->smac), 6);
		if (pct(r, 15))
			memcpy(f->smac, tg.tmac, 6);
		if (!memcmp(f->smac, tg.pmac, 6))
			f->smac[5] ^= 0x40;
		break;
	case C_REAL_WRONG_SRC:
		acceptable_lie(f, r, &tg);
		if (pct(r, 50))
			f->h.src_id = unknown_id(r, s, 1);
		else
			f->h.sport = p->port + 1 + rn(r, 65535);
		break;
	case C_REAL_DUP:
		type = pct(r, 85) ? T_DATA : T_RELEASE;
		frame_exact(f, r, &tg, type);
		real_ack_fields(f, r, &tg);
		n = type == T_RELEASE ? 0 : rand_len(r);
		x = pct(r, 70) ? rn(r, 65536) : (1U << 20) + rn(r, SEQ_FAR);
		if (type == T_RELEASE) {
			f->h.seq = t->ack - 1 - x;
		} else {
			int eor = !n || (s->slots[si].type == SOCK_SEQPACKET && pct(r, 30));

			data_at(f, r, 0, n, eor);
			f->h.seq = t->ack - f->paylen - eor - x;
		}
		break;
	case C_REAL_AHEAD:
		type = pct(r, 85) ? T_DATA : T_RELEASE;
		frame_exact(f, r, &tg, type);
		real_ack_fields(f, r, &tg);
		x = t->right + SEQ_FAR + rn(r, SEQ_FAR);
		if (type == T_DATA)
			data_at(f, r, x, rand_len(r), pct(r, 20));
		else
			f->h.seq = x;
		break;
	case C_REAL_ACK:
		frame_exact(f, r, &tg, T_ACK);
		real_ack_fields(f, r, &tg);
		f->h.seq = pct(r, 80) ? p->snd_max : rnd(r);
		if (pct(r, 40))
			real_sack(f, r, &tg);
		if (pct(r, 20))
			f->h.flags |= F_ACKNOW;
		break;
	case C_REAL_RESET:
		frame_exact(f, r, &tg, T_RESET);
		f->h.ack = rnd(r);
		if (pct(r, 50))
			f->h.seq = t->ack - 1 - rn(r, SEQ_FAR);
		else
			f->h.seq = t->right + SEQ_FAR + rn(r, SEQ_FAR);
		pay_setup(f, r, pct(r, 25));
		break;
	case C_REAL_XDATA:
		frame_exact(f, r, &tg, T_XDATA);
		real_ack_fields(f, r, &tg);
		f->h.seq = p->snd_max;
		f->h.xseq = t->xack + 1 + rn(r, 0xfffe);
		pay_rand(f, r, 1 + rn(r, 1024));
		break;
	case C_REAL_STATE:
		switch (rn(r, 5)) {
		case 0:
			frame_exact(f, r, &tg, T_HOLD);
			real_ack_fields(f, r, &tg);
			break;
		case 1:
			frame_exact(f, r, &tg, T_REFUSE);
			f->h.ack = rnd(r);
			f->h.seq = rnd(r);
			pay_setup(f, r, pct(r, 20));
			break;
		case 2:
			frame_exact(f, r, &tg, T_ACCEPT);
			real_ack_fields(f, r, &tg);
			f->h.seq = rnd(r);
			if (pct(r, 50))
				f->h.flags |= F_MSGMODE;
			pay_setup(f, r, pct(r, 20));
			break;
		case 3:
			/* the real offer again: a duplicate, or a refusal */
			frame_exact(f, r, &tg, T_CONNECT);
			f->h.dst_id = 0;
			f->h.seq = p->isn;
			f->h.dport = t->port;
			if (s->slots[si].type == SOCK_SEQPACKET)
				f->h.flags |= F_MSGMODE;
			pay_setup(f, r, 0);
			break;
		default:
			frame_exact(f, r, &tg, T_DATAGRAM);
			f->h.src_id = 0;
			f->h.dst_id = 0;
			pay_rand(f, r, rn(r, MAX_PAY));
			break;
		}
		break;
	case C_REAL_BADCSUM:
		acceptable_lie(f, r, &tg);
		f->invalid = 2;		/* the checksum is broken after emit */
		break;
	default:
		return -1;
	}
	return 0;
}

/* A sniffed frame again: a's DATA whole or cut, or b's ACK. */
static int build_replay(struct frame *f, struct rng *r, const struct snap *s)
{
	int si = rn(r, NREAL), to_a = pct(r, 30);
	const struct gframe *e;
	const struct slot *sl = &s->slots[si];
	int o1, o2, eor, n;

	if (!slot_ready(sl))
		return -1;
	n = to_a ? s->nrb[si] : s->nra[si];
	if (!n)
		return -1;
	e = to_a ? &s->rb[si][rn(r, n)] : &s->ra[si][rn(r, n)];
	frame_init(f, r, to_a, e->h.type);
	f->h = e->h;
	f->real = 1;
	memcpy(f->dmac, to_a ? mac_a : mac_b, 6);
	memcpy(f->smac, to_a ? mac_b : mac_a, 6);
	if (to_a || pct(r, 40)) {
		memcpy(f->pay, e->pay, e->paylen);
		f->paylen = e->paylen;
		f->h.len = f->paylen;
		return 0;
	}
	eor = e->h.flags & F_EOR;
	o1 = rn(r, e->paylen + 1);
	o2 = o1 + rn(r, e->paylen - o1 + 1);
	if (pct(r, 40))
		o2 = e->paylen;
	f->h.flags &= ~F_EOR;
	if (eor && o2 == e->paylen)
		f->h.flags |= F_EOR;
	if (o1 == o2 && !(f->h.flags & F_EOR))
		return -1;
	if (o1 == o2 && !opt_empty_tsdu)
		return -1;
	f->h.seq = e->h.seq + o1;
	memcpy(f->pay, e->pay + o1, o2 - o1);
	f->paylen = o2 - o1;
	f->h.len = f->paylen;
	return 0;
}

/*
 * Genuine data the reader has not had yet: bytes the writer has handed
 * over, cut anywhere (seqpacket: within one message, EOR only at its end).
 */
static int build_future(struct frame *f, struct rng *r, const struct snap *s)
{
	int si = rn(r, NREAL), len;
	const struct slot *sl = &s->slots[si];
	const struct real *rl = &g.real[si];
	struct tgt tg;
	__u64 off, lim, sent;
	__u32 seq;

	if (!slot_ready(sl))
		return -1;
	tgt_of(&tg, s, si, 0);
	/* only what the writer's kernel has sent: the reader may take it
	 * before the real frame, but never data its sender has not sent
	 * (it would acknowledge beyond snd_nxt, which counts for nothing)
	 */
	sent = (__u32)(sl->a.snd_max - sl->a.isn);
	/* from a little before the reader's ack to its right edge */
	seq = tg.t->ack - 2000 + rn(r, tg.t->right - tg.t->ack + 2000 + 1);
	off = (__u32)(seq - sl->a.isn);
	frame_exact(f, r, &tg, T_DATA);
	f->h.ack = tg.p->ack;
	f->h.wnd = tg.p->right - tg.p->ack;
	f->h.tsval = tg.p->tsval;
	f->h.xack = 0;
	if (pct(r, 10))
		f->h.flags |= F_ACKNOW;
	if (rl->type == SOCK_STREAM) {
		lim = s->committed[si] < sent ? s->committed[si] : sent;
		if (off >= lim || off > (1ULL << 31))
			return -1;
		len = 1 + rn(r, MAX_PAY);
		if (off + len > lim)
			len = lim - off;
		f->h.seq = seq;
		gen_fill(rl->dseed, off, f->pay, len);
	} else {
		const struct msgrec *m = NULL;
		__u64 end;
		int i;

		for (i = 0; i < s->nmsgs[si]; i++) {
			const struct msgrec *c = &s->msgs[si][i];

			if (off >= c->seqoff && off <= c->seqoff + c->size) {
				m = c;
				break;
			}
		}
		if (!m)
			return -1;
		end = m->seqoff + m->size;	/* the marker's position */
		if (off >= sent)
			return -1;
		len = rn(r, MAX_PAY + 1);
		if (off + len > end)
			len = end - off;
		if (off + len > sent)
			len = sent - off;
		if (off + len == end && end + 1 <= sent && pct(r, 80))
			f->h.flags |= F_EOR;
		if (!len && !(f->h.flags & F_EOR))
			return -1;
		if (!len && !m->size && !opt_empty_tsdu)
			return -1;
		f->h.seq = seq;
		gen_fill(rl->dseed, m->byteoff + (off - m->seqoff), f->pay, len);
	}
	f->paylen = len;
	f->h.len = len;
	return 0;
}

/* Victim and phantom frames */
static const int setup_types[4] = { T_ACCEPT, T_HOLD, T_REFUSE, T_CONNECT };
static const __u8 conn_types[4] = { T_DATA, T_ACK, T_XDATA, T_RELEASE };

static int pick_victim(struct rng *r, const struct snap *s, int phantom)
{
	int i, base = phantom ? NREAL + NVICTIM : NREAL, n = phantom ? NPHANTOM : NVICTIM;
	int start = rn(r, n);

	for (i = 0; i < n; i++) {
		int si = base + (start + i) % n;

		if (slot_ready(&s->slots[si]))
			return si;
	}
	return -1;
}

static int build_victim(struct frame *f, struct rng *r, const struct snap *s, int c, int si)
{
	struct tgt tg;
	const struct side *t;
	int type, eor;

	if (si < 0)
		si = pick_victim(r, s, 0);
	if (si < 0)
		return -1;
	tgt_of(&tg, s, si, s->slots[si].kind == SLOT_PHANTOM || pct(r, 50));
	t = tg.t;
	switch (c) {
	case C_VIC_DATA:
		frame_exact(f, r, &tg, T_DATA);
		vic_ack_fields(f, r, &tg);
		eor = pct(r, s->slots[si].type == SOCK_SEQPACKET ? 40 : 5);
		type = rand_len(r);
		if (!type && !opt_empty_tsdu)
			type = 1;
		data_at(f, r, t->ack - rn(r, 2000) + rn(r, t->right - t->ack + 2000), type,
			eor || pct(r, 3));
		break;
	case C_VIC_ACK:
		frame_exact(f, r, &tg, T_ACK);
		vic_ack_fields(f, r, &tg);
		f->h.seq = tg.p->snd_max;
		if (pct(r, 50))
			vic_sack(f, r, &tg);
		if (pct(r, 20))
			f->h.flags |= F_ACKNOW;
		if (pct(r, 20))
			vic_mru(f, r);
		break;
	case C_VIC_RESET:
		frame_exact(f, r, &tg, T_RESET);
		f->h.ack = rnd(r);
		if (pct(r, 70))
			f->h.seq = t->ack + rn(r, t->right - t->ack + 2);
		else
			f->h.seq = t->ack + rn(r, 5) - 2;
		pay_setup(f, r, 0);
		break;
	case C_VIC_RELEASE:
		frame_exact(f, r, &tg, T_RELEASE);
		vic_ack_fields(f, r, &tg);
		f->h.seq = pct(r, 60) ? t->ack : t->ack + rn(r, t->right - t->ack + 1);
		if (pct(r, 40))		/* with disconnect data, sometimes bad */
			pay_setup(f, r, pct(r, 25));
		break;
	case C_VIC_XDATA:
		frame_exact(f, r, &tg, T_XDATA);
		vic_ack_fields(f, r, &tg);
		f->h.seq = tg.p->snd_max;
		f->h.xseq = t->xack + (pct(r, 60) ? 0 : rn(r, 3) - 1);
		pay_rand(f, r, 1 + rn(r, 1024));
		break;
	default:
		type = setup_types[rn(r, 4)];
		frame_exact(f, r, &tg, type);
		vic_ack_fields(f, r, &tg);
		f->h.seq = rnd(r);
		if (type == T_CONNECT) {
			f->h.dst_id = 0;
			f->h.seq = tg.p->isn;
		}
		if (type == T_HOLD)
			break;
		if ((type == T_CONNECT || type == T_ACCEPT) &&
		    s->slots[si].type == SOCK_SEQPACKET)
			f->h.flags |= F_MSGMODE;
		pay_setup(f, r, pct(r, 10));
		break;
	}
	return 0;
}

/* Phantom: answer the offer, then treat it as a victim. */
static int build_phantom(struct frame *f, struct rng *r, const struct snap *s)
{
	int i, si = -1, n = rn(r, NPHANTOM);
	const struct slot *sl;
	struct slot *live;
	__u32 x;

	for (i = 0; i < NPHANTOM; i++) {
		int k = NREAL + NVICTIM + (n + i) % NPHANTOM;

		if (s->slots[k].kind == SLOT_PHANTOM && s->slots[k].a.have_id) {
			si = k;
			break;
		}
	}
	if (si < 0)
		return -1;
	sl = &s->slots[si];
	if (slot_ready(sl) && pct(r, 85))
		return build_victim(f, r, s, C_VIC_DATA + rn(r, 6), si);
	frame_init(f, r, 1, T_ACCEPT);
	memcpy(f->smac, mac_ph, 6);
	f->h.sport = PORT_PHANTOM;
	f->h.dport = sl->a.port;
	f->h.dst_id = sl->a.id;
	f->h.ack = sl->a.isn;
	f->h.wnd = 50000 + rn(r, 200000);
	f->h.tsecr = sl->a.tsval;
	x = rn(r, 100);
	if (x < 55 && !sl->up) {
		/* one identifier per offer, so that a repeat ACCEPT is a repeat */
		pthread_mutex_lock(&g.lock);
		live = &g.slots[si];
		if (live->gen == sl->gen && live->a.id == sl->a.id) {
			if (live->ph_for != sl->a.id || !live->b.have_id) {
				live->ph_for = sl->a.id;
				live->b.id = rnd(r) | 1;
				live->b.isn = rnd(r);
				live->b.have_id = 1;
				live->b.ack = sl->a.isn;
				live->b.right = sl->a.isn + f->h.wnd;
				live->b.have_ack = 1;
				live->b.snd_max = live->b.isn;
				live->b.tsval = f->h.tsval;
			}
			f->h.src_id = live->b.id;
			f->h.seq = live->b.isn;
		}
		pthread_mutex_unlock(&g.lock);
		if (!f->h.src_id)
			return -1;
		pay_setup(f, r, pct(r, 5));
		count(&g.ph_accept_sent, 1);
		return 0;
	}
	f->h.src_id = sl->b.have_id ? sl->b.id : rnd(r) | 1;
	f->h.seq = sl->b.have_id ? sl->b.isn : rnd(r);
	if (x < 70) {
		f->h.type = T_HOLD;
	} else if (x < 78) {
		f->h.ack = sl->a.isn + 1 + rn(r, 1000);
	} else if (x < 84) {
		f->h.sport = PORT_PHANTOM + 1 + rn(r, 100);
	} else if (x < 88) {
		f->h.type = T_REFUSE;
		f->h.src_id = pct(r, 50) ? 0 : f->h.src_id;
	} else if (x < 92) {
		f->h.type = T_RESET;
	} else {
		f->h.type = conn_types[rn(r, 4)];
		if (f->h.type == T_DATA || f->h.type == T_XDATA)
			pay_rand(f, r, 1 + rn(r, 1000));
		return 0;
	}
	if (f->h.type != T_HOLD)
		pay_setup(f, r, pct(r, 10));
	return 0;
}

/* Offers, unknown ports and connections, datagrams */
static int build_offer(struct frame *f, struct rng *r, const struct snap *s, int c)
{
	static const int ports[] = {
		PORT_REAL_B, PORT_REAL_B + 1, PORT_VIC_B, PORT_VIC_B + 1,
	};
	__u8 m[6];
	int to_a = c == C_UNKNOWN_PORT && pct(r, 50);

	frame_init(f, r, to_a, T_CONNECT);
	f->h.src_id = pct(r, 97) ? unknown_id(r, s, 0) : 0;
	f->h.sport = fake_sport(r);
	if (c == C_OFFER) {
		f->h.dport = ports[rn(r, 4)];
		switch (rn(r, 6)) {
		case 0:
			memcpy(f->smac, rand_mac(r, m), 6);
			break;
		case 1:
			memcpy(f->smac, mac_b, 6);	/* b's own address */
			break;
		case 2:
			rand_bytes(r, f->smac, 6);
			break;
		default:	/* from a: the child's answers reach a */
			break;
		}
	} else {
		f->h.dport = rn(r, 65536);
		while (f->h.dport == PORT_REAL_B || f->h.dport == PORT_REAL_B + 1 ||
		       f->h.dport == PORT_VIC_B || f->h.dport == PORT_VIC_B + 1)
			f->h.dport = rn(r, 65536);
	}
	f->h.seq = rnd(r);
	f->h.ack = pct(r, 80) ? 0 : rnd(r);
	f->h.wnd = pct(r, 10) ? 0 : rn(r, 1U << 20);
	f->h.tsecr = pct(r, 80) ? 0 : rnd(r);
	if (pct(r, 50))
		f->h.flags |= F_MSGMODE;
	pay_setup(f, r, pct(r, 20));
	return 0;
}

static int build_unknown(struct frame *f, struct rng *r, const struct snap *s, int c)
{
	static const __u8 types[] = {
		T_ACCEPT, T_REFUSE, T_HOLD, T_DATA, T_ACK, T_XDATA, T_RELEASE, T_RESET,
	};
	__u8 m[6];
	__u8 type = c == C_DATAGRAM ? T_DATAGRAM : types[rn(r, sizeof(types))];

	frame_init(f, r, pct(r, 50), type);
	f->h.src_id = type == T_DATAGRAM ? 0 : unknown_id(r, s, type == T_REFUSE ||
							     type == T_RESET);
	f->h.dst_id = type == T_DATAGRAM ? 0 : unknown_id(r, s, 0);
	f->h.sport = fake_sport(r);
	f->h.dport = pct(r, 30) ? PORT_REAL_B + rn(r, 2) : rn(r, 65536);
	if (type == T_DATAGRAM && pct(r, 50)) {
		f->h.dport = PORT_DGRAM_B;
		if (pct(r, 20))
			memset(f->dmac, 0xff, 6);
	}
	f->h.seq = rnd(r);
	f->h.ack = rnd(r);
	f->h.wnd = rnd(r);
	f->h.xack = rnd(r);
	if (pct(r, 20))
		memcpy(f->smac, rand_mac(r, m), 6);
	switch (type) {
	case T_ACCEPT:
	case T_REFUSE:
	case T_RESET:
		if (type == T_ACCEPT && pct(r, 50))
			f->h.flags |= F_MSGMODE;
		pay_setup(f, r, pct(r, 15));
		break;
	case T_DATA:
		data_at(f, r, f->h.seq, rand_len(r), pct(r, 30));
		break;
	case T_ACK:
		if (pct(r, 50)) {
			f->h.flags |= F_SACK;
			pay_rand(f, r, 8 * (1 + rn(r, 4)));
		}
		break;
	case T_XDATA:
		f->h.xseq = rnd(r);
		pay_rand(f, r, 1 + rn(r, 1024));
		break;
	case T_DATAGRAM:
		pay_rand(f, r, rn(r, MAX_PAY + 1));
		break;
	}
	return 0;
}

/* Broken on purpose: every rule of the validation, in turn. */
static int build_invalid(struct frame *f, struct rng *r, const struct snap *s)
{
	static const __u16 allowed[11] = {
		0, F_MSGMODE, F_MSGMODE, 0, 0, F_EOR | F_ACKNOW, F_SACK | F_ACKNOW,
		F_ACKNOW, F_ACKNOW, 0, 0,
	};
	int k = rn(r, 9), si = rn(r, NREAL);

	/* most of them with a real connection's identifiers */
	if (slot_ready(&s->slots[si]) && pct(r, 60)) {
		struct tgt tg;

		tgt_of(&tg, s, si, pct(r, 50));
		acceptable_lie(f, r, &tg);
	} else {
		build_unknown(f, r, s, C_UNKNOWN_CONN);
	}
	f->invalid = 1;
	switch (k) {
	case 0:
		f->h.version = pct(r, 50) ? 0 : 2 + rn(r, 254);
		break;
	case 1:
		f->h.type = pct(r, 30) ? 0 : 11 + rn(r, 245);
		break;
	case 2:
		do {
			f->h.flags = rnd(r);
		} while (!(f->h.flags & ~allowed[f->h.type]));
		break;
	case 3:		/* identifier rules */
		if (f->h.type == T_RESET || f->h.type == T_REFUSE || pct(r, 50))
			f->h.dst_id = 0;
		else
			f->h.src_id = 0;
		break;
	case 4:		/* length rules */
		switch (f->h.type) {
		case T_ACK:
			f->paylen = pct(r, 50) ? 1 + rn(r, 7) : 40 + rn(r, 100);
			if (pct(r, 30)) {
				f->h.flags ^= F_SACK;
				f->paylen = f->h.flags & F_SACK ? 0 : 8;
			}
			break;
		case T_DATA:
			f->paylen = 0;
			f->h.flags &= ~F_EOR;
			break;
		case T_XDATA:
			f->paylen = pct(r, 50) ? 0 : 1025 + rn(r, 400);
			break;
		case T_HOLD:
		case T_RELEASE:
			f->paylen = 1 + rn(r, 100);
			break;
		default:
			f->paylen = pct(r, 50) ? rn(r, SETUP_LEN) : 133 + rn(r, 300);
			break;
		}
		rand_bytes(r, f->pay, f->paylen);
		f->h.len = f->paylen;
		break;
	case 5:		/* header cut short */
		f->invalid = 3;
		break;
	case 6:		/* garbage, valid checksum */
		rand_bytes(r, (__u8 *)&f->h, sizeof(f->h));
		f->h.version = pct(r, 50) ? 1 : f->h.version;
		f->h.type = pct(r, 70) ? 1 + rn(r, 10) : f->h.type;
		f->h.len = f->paylen;
		if (f->real)
			f->h.dst_id = unknown_id(r, s, 1);
		break;
	case 7:		/* garbage, checksum too */
		f->invalid = 4;
		break;
	default:	/* not for this host */
		f->dmac[0] |= 0x01;
		if (pct(r, 30))
			memset(f->dmac, 0xff, 6);
		else if (pct(r, 50))
			f->dmac[5] = 0x77;
		f->invalid = 0;
		break;
	}
	return 0;
}

/* Wire bytes, checksum included; never a csum of 0 (the sniffers' mark). */
static void emit(struct frame *f)
{
	__u8 *p = f->wire + ETH_HLEN;
	int n = HDR_LEN + (f->h.len < f->paylen ? f->h.len : f->paylen);

	memcpy(f->wire, f->dmac, 6);
	memcpy(f->wire + 6, f->smac, 6);
	put16(f->wire + 12, ETH_P_TDI);
	for (;;) {
		f->h.csum = 0;
		hdr_put(p, &f->h);
		memcpy(p + HDR_LEN, f->pay, f->paylen);
		f->h.csum = csum16(p, n);
		if (f->h.csum)
			break;
		f->h.tsval ^= 1;
	}
	put16(p + 42, f->h.csum);
	f->wire_len = ETH_HLEN + HDR_LEN + f->paylen;
}

static void break_csum(struct frame *f, struct rng *r, int flip)
{
	if (flip) {
		int span = f->wire_len - ETH_HLEN, i;

		do {
			i = ETH_HLEN + rn(r, span);
		} while (i == OFF_CSUM || i == OFF_CSUM + 1 || i == OFF_LEN || i == OFF_LEN + 1);
		f->wire[i] ^= 1 << rn(r, 8);
	} else {
		__u16 c;

		do {
			c = f->h.csum ^ (1 + rn(r, 0xffff));
		} while (!c);
		put16(f->wire + OFF_CSUM, c);
	}
}

static int mutate(struct frame *f, struct rng *r)
{
	int m = M_NONE, i;

	if (f->invalid == 2) {
		m = pct(r, 50) ? M_CSUM : M_FLIP;
	} else if (f->invalid == 3) {
		m = M_TRUNC;
	} else if (f->invalid == 4) {
		m = M_FLIP;
	} else if (!opt_no_mutate && pct(r, 20)) {
		m = 1 + rn(r, M_MAX - 1);
		if (f->real && (m == M_GARBAGE || m == M_SHORTLEN))
			m = M_PAD;
	}
	switch (m) {
	case M_CSUM:
		break_csum(f, r, 0);
		break;
	case M_FLIP:
		break_csum(f, r, 1);
		break;
	case M_TRUNC:
		if (pct(r, 30) || f->wire_len <= ETH_HLEN + HDR_LEN + 1)
			f->wire_len = ETH_HLEN + 1 + rn(r, HDR_LEN - 1);
		else
			f->wire_len -= 1 + rn(r, f->wire_len - ETH_HLEN - HDR_LEN);
		break;
	case M_BIGLEN:
		f->h.len = f->paylen + 1 + (pct(r, 50) ? rn(r, 64) : rn(r, 65535 - f->paylen));
		emit(f);
		break;
	case M_PAD:
		i = 1 + rn(r, 40);
		if (f->wire_len + i > WIRE_MAX)
			i = WIRE_MAX - f->wire_len;
		rand_bytes(r, f->wire + f->wire_len, i);
		f->wire_len += i;
		break;
	case M_GARBAGE:
		for (i = 1 + rn(r, 4); i; i--) {
			int o = rn(r, HDR_LEN - 2);

			f->wire[ETH_HLEN + o] = rnd(r);
		}
		hdr_get(f->wire + ETH_HLEN, &f->h);
		if (f->h.len > f->paylen)
			f->h.len = f->paylen;
		emit(f);
		break;
	case M_SHORTLEN:
		if (!f->paylen)
			return M_NONE;
		f->h.len = rn(r, f->paylen);
		emit(f);
		break;
	case M_VERSION:
		f->h.version = 2 + rn(r, 254);
		emit(f);
		break;
	case M_DMAC:
		f->wire[0] = pct(r, 50) ? 0xff : 0x01;
		if (pct(r, 30)) {
			f->wire[0] = 0x02;
			f->wire[5] = 0x55;
		}
		break;
	case M_SMAC:
		memcpy(f->wire + 6, rand_mac(r, f->smac), 6);
		break;
	}
	/* emit() redid it: an emitted frame with these must fail again */
	if (m == M_BIGLEN || m == M_VERSION)
		f->invalid = 1;
	if (f->wire_len >= OFF_CSUM + 2 && !get16(f->wire + OFF_CSUM))
		put16(f->wire + OFF_CSUM, 1);
	return m;
}

static int pick_cat(struct rng *r)
{
	int x, c;

	for (;;) {
		x = rn(r, 100);
		for (c = 0; c < C_MAX; c++) {
			x -= cat_weight[c];
			if (x < 0)
				break;
		}
		if (c == C_MAX)
			c = C_INVALID;
		if (!opt_only || (opt_only & (1U << c)))
			return c;
	}
}

static int build(struct frame *f, struct rng *r, const struct snap *s)
{
	int c = pick_cat(r), ret;

	switch (c) {
	case C_REAL_REPLAY:
		ret = build_replay(f, r, s);
		break;
	case C_REAL_FUTURE:
		ret = build_future(f, r, s);
		break;
	case C_VIC_DATA ... C_VIC_SETUP:
		ret = build_victim(f, r, s, c, -1);
		break;
	case C_PHANTOM:
		ret = build_phantom(f, r, s);
		break;
	case C_OFFER:
	case C_UNKNOWN_PORT:
		ret = build_offer(f, r, s, c);
		break;
	case C_UNKNOWN_CONN:
	case C_DATAGRAM:
		ret = build_unknown(f, r, s, c);
		break;
	case C_INVALID:
		ret = build_invalid(f, r, s);
		break;
	default:
		ret = build_real(f, r, s, c);
		break;
	}
	if (ret) {
		c = C_UNKNOWN_CONN;
		build_unknown(f, r, s, c);
	}
	emit(f);
	count(&g.mut[mutate(f, r)], 1);
	count(&g.cat[c], 1);
	count(&g.type[f->h.type], 1);
	return c;
}

static void take_snap(struct snap *s, struct rng *r)
{
	int i, k;

	pthread_mutex_lock(&g.lock);
	memcpy(s->slots, g.slots, sizeof(s->slots));
	for (i = 0; i < NREAL; i++) {
		struct real *rl = &g.real[i];
		int na = rl->na < RING_A ? rl->na : RING_A;
		int nb = rl->nb < RING_B ? rl->nb : RING_B;
		__u64 nm;

		s->nra[i] = na < 4 ? na : 4;
		for (k = 0; k < s->nra[i]; k++)
			s->ra[i][k] = rl->ring_a[rn(r, na)];
		s->nrb[i] = nb < 2 ? nb : 2;
		for (k = 0; k < s->nrb[i]; k++)
			s->rb[i][k] = rl->ring_b[rn(r, nb)];
		s->committed[i] = rl->committed;
		nm = rl->type == SOCK_SEQPACKET ? rl->committed : 0;
		s->nmsgs[i] = nm < 64 ? nm : 64;
		for (k = 0; k < s->nmsgs[i]; k++)
			s->msgs[i][k] = rl->msgs[(nm - 1 - k) % MSG_RING];
	}
	pthread_mutex_unlock(&g.lock);
}

static int inject_socket(int ns, int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = ifindex,
	};
	int fd, sz = 4 << 20;

	if (in_ns(ns))
		return -1;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

#define BATCH	64

static void send_batch(int fd, struct mmsghdr *mm, int n)
{
	int done = 0;

	while (done < n) {
		int k = sendmmsg(fd, mm + done, n - done, 0);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			count(&g.send_err, 1);
			k = 1;		/* skip the one that failed */
		}
		done += k;
	}
}

static int inject(int fa, int fb, struct rng *r)
{
	static struct frame frames[BATCH];
	static struct snap snap;
	struct mmsghdr mm[2][BATCH];
	struct iovec iov[BATCH];
	__u64 sent = 0, next_note = 0, t0 = now_us();

	while (sent < opt_frames && !flag_get(&g.failed)) {
		int n = opt_frames - sent < BATCH ? opt_frames - sent : BATCH, i, na = 0, nb = 0;

		take_snap(&snap, r);
		for (i = 0; i < n; i++) {
			struct frame *f = &frames[i];
			struct mmsghdr *m;

			build(f, r, &snap);
			iov[i].iov_base = f->wire;
			iov[i].iov_len = f->wire_len;
			m = f->to_a ? &mm[1][nb++] : &mm[0][na++];
			memset(m, 0, sizeof(*m));
			m->msg_hdr.msg_iov = &iov[i];
			m->msg_hdr.msg_iovlen = 1;
		}
		send_batch(fa, mm[0], na);
		send_batch(fb, mm[1], nb);
		sent += n;
		g.sent = sent;
		if (sent >= next_note && !opt_quiet) {
			__u64 t = now_us() - t0;

			note("%llu frames in %.1f s, stream %llu bytes, seqpacket %llu messages",
			     (unsigned long long)sent, t / 1e6, (unsigned long long)g.real[0].got,
			     (unsigned long long)g.real[1].got_msgs);
			next_note += opt_frames / 10 > 10000 ? opt_frames / 10 : 10000;
		}
		for (i = 0; i < NREAL; i++) {
			__u64 lp = __atomic_load_n(&g.real[i].last_progress_us, __ATOMIC_RELAXED);

			if (now_us() - lp > 60000000ULL)
				fail("real %d: no progress for 60 s", i);
		}
	}
	return 0;
}

/* The test */
static int real_setup(struct __test_metadata *_metadata, int i, int lfd)
{
	struct real *rl = &g.real[i];
	struct slot *sl = &g.slots[i];
	int fa;

	rl->type = i ? SOCK_SEQPACKET : SOCK_STREAM;
	rl->dseed = opt_seed * 0x9e3779b97f4a7c15ULL + i + 1;
	fa = tdi_socket_in(g.nsa, rl->type);
	if (fa < 0 || bind_port(fa, PORT_REAL_A + i))
		return -1;
	pthread_mutex_lock(&g.lock);
	sl->kind = SLOT_REAL;
	sl->type = rl->type;
	sl->a.port = PORT_REAL_A + i;
	sl->b.port = PORT_REAL_B + i;
	memcpy(sl->peer_mac, mac_b, 6);
	pthread_mutex_unlock(&g.lock);
	set_timeo(fa, SO_SNDTIMEO, 60000);
	set_timeo(fa, SO_RCVTIMEO, 60000);
	if (connect_to(fa, mac_b, PORT_REAL_B + i)) {
		TH_LOG("real connect: %s", strerror(errno));
		return -1;
	}
	rl->fa = fa;
	rl->fb = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (rl->fb < 0)
		return -1;
	set_timeo(rl->fb, SO_RCVTIMEO, 60000);
	rl->last_progress_us = now_us();
	return 0;
}

static int listen_port(int ns, int type, int port, int backlog)
{
	int fd = tdi_socket_in(ns, type);

	if (fd < 0)
		return -1;
	if (bind_port(fd, port) || listen(fd, backlog)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads what b's address object takes, now and then, until the end. */
static void *dgram_main(void *arg)
{
	char buf[2048];

	while (!flag_get(&g.stop_real)) {
		while (recv(g.dgram_fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			__atomic_fetch_add(&g.dgrams_read, 1, __ATOMIC_RELAXED);
		usleep(20000);
	}
	return NULL;
}

static void print_counts(void)
{
	static const char * const tnames[11] = {
		"0", "CONNECT", "ACCEPT", "REFUSE", "HOLD", "DATA", "ACK", "XDATA",
		"RELEASE", "RESET", "DATAGRAM",
	};
	unsigned long long inval = 0;
	int i;

	for (i = 0; i < C_MAX; i++)
		note("category %-16s %llu", cat_names[i], (unsigned long long)g.cat[i]);
	for (i = 1; i <= T_DATAGRAM; i++)
		note("type %-8s %llu", tnames[i], (unsigned long long)g.type[i]);
	for (i = 0; i < 256; i++)
		if (i < 1 || i > T_DATAGRAM)
			inval += g.type[i];
	note("type invalid  %llu", inval);
	for (i = 0; i < M_MAX; i++)
		note("mutation %-22s %llu", mut_names[i], (unsigned long long)g.mut[i]);
	note("send errors %llu", (unsigned long long)g.send_err);
	note("sniffed a %llu b %llu, learned from a %llu b %llu",
	     (unsigned long long)g.sniffed[0], (unsigned long long)g.sniffed[1],
	     (unsigned long long)g.learned[0], (unsigned long long)g.learned[1]);
	note("victims: %llu connects, %llu up, %llu eof, %llu closed, %llu aborted",
	     (unsigned long long)g.v_conn, (unsigned long long)g.v_up,
	     (unsigned long long)g.v_eof, (unsigned long long)g.v_closed,
	     (unsigned long long)g.v_abort);
	note("victims: %llu bytes, %llu expedited bytes read",
	     (unsigned long long)g.v_bytes, (unsigned long long)g.v_oob);
	note("phantoms: %llu connects, %llu up, %llu ACCEPTs sent",
	     (unsigned long long)g.ph_conn, (unsigned long long)g.ph_up,
	     (unsigned long long)g.ph_accept_sent);
	note("children closed unaccepted-by-a-victim: %llu", (unsigned long long)g.bogus);
	for (i = 0; i < 160; i++)
		if (g.v_err[i])
			note("victim/phantom ended with %s: %llu", i ? strerror(i) : "no error",
			     (unsigned long long)g.v_err[i]);
}

/* The checksum example of Documentation/tdi-protocol.rst, 6.2 */
static int csum_selftest(void)
{
	static const __u8 refuse[48] = {
		0x01, 0x03, 0x00, 0x00, 0x1b, 0x59, 0xc0, 0x30, 0x00, 0x00, 0x00, 0x00,
		0x5a, 0x17, 0xc0, 0xde, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0xeb, 0xc2, 0x01,
		0x00, 0x98, 0x96, 0x7f, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
	};

	return csum16(refuse, sizeof(refuse)) == 0x9b8c;
}

TEST(frame_fuzz)
{
	struct stats sa0, sb0, sa1, sb1;
	pthread_t sn[2], wr[NREAL], rd[NREAL], vt, wd, dg;
	struct rng r = { .s = opt_seed };
	int home, fa, fb, i, left_a = -1, left_b = -1;
	__u64 t0, t1;

	ASSERT_TRUE(csum_selftest());
	note("seed %llu", (unsigned long long)opt_seed);
	note("frames %llu", (unsigned long long)opt_frames);
	home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, home);
	g.nsa = new_ns(home);
	g.nsb = new_ns(home);
	ASSERT_LE(0, g.nsa);
	ASSERT_LE(0, g.nsb);
	ASSERT_EQ(0, in_ns(g.nsa));
	ASSERT_EQ(0, make_veth(g.nsb)) TH_LOG("veth: %s", strerror(errno));
	g.ifa = if_nametoindex("va");
	ASSERT_LT(0, g.ifa);
	ASSERT_EQ(0, link_set(g.ifa, 1));
	ASSERT_EQ(0, in_ns(g.nsb));
	g.ifb = if_nametoindex("vb");
	ASSERT_LT(0, g.ifb);
	ASSERT_EQ(0, link_set(g.ifb, 1));

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&sn[i], NULL, sniff_main, (void *)(long)i));
	for (i = 0; i < 500 && __atomic_load_n(&g.ready, __ATOMIC_ACQUIRE) < 2; i++)
		usleep(10000);
	ASSERT_EQ(2, g.ready);
	ASSERT_EQ(0, read_stats(g.nsa, &sa0));
	ASSERT_EQ(0, read_stats(g.nsb, &sb0));
	wd_base[0] = sa0;
	wd_base[1] = sb0;

	listeners[0] = listen_port(g.nsb, SOCK_STREAM, PORT_REAL_B, 16);
	listeners[1] = listen_port(g.nsb, SOCK_SEQPACKET, PORT_REAL_B + 1, 16);
	listeners[2] = listen_port(g.nsb, SOCK_STREAM, PORT_VIC_B, 64);
	listeners[3] = listen_port(g.nsb, SOCK_SEQPACKET, PORT_VIC_B + 1, 64);
	for (i = 0; i < 4; i++)
		ASSERT_LE(0, listeners[i]);
	g.dgram_fd = tdi_socket_in(g.nsb, SOCK_DGRAM);
	ASSERT_LE(0, g.dgram_fd);
	ASSERT_EQ(0, bind_port(g.dgram_fd, PORT_DGRAM_B));
	i = 8192;
	setsockopt(g.dgram_fd, SOL_SOCKET, SO_RCVBUF, &i, sizeof(i));
	ASSERT_EQ(0, pthread_create(&dg, NULL, dgram_main, NULL));
	/* the carrier of a veth pair takes a moment */
	for (i = 0; i < NREAL; i++) {
		int k, ok = -1;

		for (k = 0; k < 50 && ok; k++) {
			ok = real_setup(_metadata, i, listeners[i]);
			if (ok) {
				close(g.real[i].fa);
				usleep(100000);
			}
		}
		ASSERT_EQ(0, ok);
	}
	for (i = 0; i < 4; i++)
		fcntl(listeners[i], F_SETFL, O_NONBLOCK);
	for (i = 0; i < NREAL; i++) {
		ASSERT_EQ(0, pthread_create(&wr[i], NULL, writer_main, &g.real[i]));
		ASSERT_EQ(0, pthread_create(&rd[i], NULL, reader_main, &g.real[i]));
	}
	ASSERT_EQ(0, pthread_create(&vt, NULL, victims_main, NULL));
	ASSERT_EQ(0, pthread_create(&wd, NULL, watchdog_main, NULL));
	/* the ids, isn and a first ack of both real connections */
	for (i = 0; i < 1000; i++) {
		pthread_mutex_lock(&g.lock);
		fa = slot_ready(&g.slots[0]) && slot_ready(&g.slots[1]);
		pthread_mutex_unlock(&g.lock);
		if (fa)
			break;
		usleep(10000);
	}
	EXPECT_EQ(1, fa) {
		TH_LOG("the sniffers did not learn the real connections");
		for (i = 0; i < NREAL; i++) {
			const struct slot *sl = &g.slots[i];

			TH_LOG("real %d: kind %d up %d, a id %d ack %d port %u",
			       i, sl->kind, sl->up, sl->a.have_id, sl->a.have_ack, sl->a.port);
			TH_LOG("real %d: b id %d ack %d port %u",
			       i, sl->b.have_id, sl->b.have_ack, sl->b.port);
		}
	}

	fa = inject_socket(g.nsa, g.ifa);
	fb = inject_socket(g.nsb, g.ifb);
	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	t0 = now_us();
	if (fa >= 0 && !g.failed)
		inject(fa, fb, &r);
	t1 = now_us();
	note("injected %llu frames in %.1f s: %.0f frames/s", (unsigned long long)g.sent,
	     (t1 - t0) / 1e6, g.sent / ((t1 - t0) / 1e6 + 0.000001));
	/* the transfers end in order, watched (closing an AF_PACKET socket
	 * waits for an RCU grace period, which can take long here)
	 */
	__atomic_store_n(&g.drain_start_us, now_us(), __ATOMIC_RELEASE);
	flag_set(&g.stop_real, 1);
	close(fa);
	close(fb);
	for (i = 0; i < NREAL; i++) {
		pthread_join(wr[i], NULL);
		pthread_join(rd[i], NULL);
	}
	pthread_join(dg, NULL);
	close(g.dgram_fd);
	note("datagrams read by b's address object: %llu",
	     (unsigned long long)g.dgrams_read);
	for (i = 0; i < NREAL; i++) {
		struct real *rl = &g.real[i];
		char buf[16];
		ssize_t n;

		note("real %s: %llu bytes%s%llu, %llu messages, %.1f MB/s, hash %016llx/%016llx",
		     i ? "seqpacket" : "stream", (unsigned long long)rl->got, " of ",
		     (unsigned long long)rl->total_bytes, (unsigned long long)rl->got_msgs,
		     rl->got / ((t1 - t0) + 1.0), (unsigned long long)rl->rhash,
		     (unsigned long long)rl->hash);
		EXPECT_EQ(rl->total_bytes, rl->got);
		EXPECT_EQ(rl->hash, rl->rhash);
		if (i)
			EXPECT_EQ(rl->total, rl->got_msgs);
		/* the reader has had end of file: it releases, the writer sees it */
		close(rl->fb);
		n = recv(rl->fa, buf, sizeof(buf), 0);
		EXPECT_EQ(0, n) TH_LOG("real %d writer after release: %zd %s", i, n,
				       strerror(errno));
		close(rl->fa);
	}
	flag_set(&g.stop, 1);
	pthread_join(vt, NULL);
	pthread_join(wd, NULL);
	for (i = 0; i < 4; i++)
		close(listeners[i]);
	/* links down: whatever still runs in the background ends */
	in_ns(g.nsa);
	link_set(g.ifa, 0);
	in_ns(g.nsb);
	link_set(g.ifb, 0);
	for (i = 0; i < 300; i++) {
		left_a = endpoints_in(g.nsa);
		left_b = endpoints_in(g.nsb);
		if (!left_a && !left_b)
			break;
		usleep(100000);
	}
	EXPECT_EQ(0, left_a);
	EXPECT_EQ(0, left_b);
	for (i = 0; i < 2; i++)
		pthread_join(sn[i], NULL);
	ASSERT_EQ(0, read_stats(g.nsa, &sa1));
	ASSERT_EQ(0, read_stats(g.nsb, &sb1));
	print_counts();
	print_stat_delta("a", &sa0, &sa1);
	print_stat_delta("b", &sb0, &sb1);
	in_ns(home);
	close(g.nsa);
	close(g.nsb);
	close(home);
	EXPECT_EQ(0, g.failed) TH_LOG("%s", g.why);
}

/* --only real_ack,offer,...: draw frames from these categories only */
static int parse_only(const char *arg)
{
	char *list = strdup(arg), *tok, *save;
	int c;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (c = 0; c < C_MAX; c++)
			if (!strcmp(tok, cat_names[c]))
				break;
		if (c == C_MAX) {
			fprintf(stderr, "unknown category %s\n", tok);
			free(list);
			return -1;
		}
		opt_only |= 1U << c;
	}
	free(list);
	return 0;
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--frames") && i + 1 < argc) {
			opt_frames = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			opt_seed = strtoull(argv[++i], NULL, 0);
			opt_seed_set = 1;
		} else if (!strcmp(argv[i], "--no-empty-tsdu")) {
			opt_empty_tsdu = 0;
		} else if (!strcmp(argv[i], "--quiet")) {
			opt_quiet = 1;
		} else if (!strcmp(argv[i], "--no-mutate")) {
			opt_no_mutate = 1;
		} else if (!strcmp(argv[i], "--rate") && i + 1 < argc) {
			opt_rate_kib = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			if (parse_only(argv[++i]))
				return 2;
		} else {
			fprintf(stderr, "usage: %s [--frames N] [--seed N] %s\n", argv[0],
				"[--rate KiB/s] [--no-empty-tsdu] [--no-mutate] [--only CAT,...] [--quiet]");
			return 2;
		}
	}
	if (!opt_seed_set)
		opt_seed = now_us() ^ ((__u64)getpid() << 32);
	/* a debug guest injects some hundred frames a second at least */
	_frame_fuzz_object.timeout = 300 + opt_frames / 100;
	return test_harness_run(argc, argv);
}
