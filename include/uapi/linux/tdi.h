/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tdi: Windows Transport Driver Interface semantics as a Linux socket family.
 *
 * This header is the user ABI of AF_TDI: addresses, socket options, ioctls
 * and the structures they carry.  Every structure is made of fixed-width
 * types, holds no pointer and has no implicit padding, so the same layout
 * serves 32-bit and 64-bit callers.
 */
#ifndef _UAPI_LINUX_TDI_H
#define _UAPI_LINUX_TDI_H

#include <linux/types.h>
#include <linux/socket.h>
#include <linux/sockios.h>

/* The address family number Linux reserves for NetBEUI, the classic TDI transport. */
#define AF_TDI		13
#define PF_TDI		AF_TDI

/* Socket option level (the number Linux reserves as SOL_NETBEUI). */
#define SOL_TDI		267

/* IEEE local experimental EtherType 1; the module parameter "ethertype" overrides it. */
#define ETH_P_TDI	0x88B5

/* Length of the NetBIOS-style name in an address. */
#define TDI_NAME_LEN		16
/* Most bytes of connect, accept or disconnect user data. */
#define TDI_MAX_USER_DATA	128

/**
 * struct sockaddr_tdi - a tdi transport address
 * @stdi_family: %AF_TDI
 * @stdi_port: transport selector, network byte order; 0 means "any" and,
 *	on bind(), "pick a free ephemeral port"
 * @stdi_ifindex: interface index; 0 means any interface
 * @stdi_node: the node's Ethernet address; all-zero means unspecified,
 *	or this node on bind()
 * @stdi_name: NetBIOS-style name, NUL-padded (every byte after the first
 *	NUL is NUL); an empty name means none
 * @stdi_zero: must be zero
 *
 * 32 bytes long.  A caller passes at least sizeof(struct sockaddr_tdi).
 */
struct sockaddr_tdi {
	__kernel_sa_family_t	stdi_family;
	__be16			stdi_port;
	__s32			stdi_ifindex;
	__u8			stdi_node[6];
	char			stdi_name[TDI_NAME_LEN];
	__u8			stdi_zero[2];
};

/*
 * Socket options at level SOL_TDI.
 *
 * TDI_QUERY_ACCEPT is also the flag of the same name in struct tdi_listen,
 * which is why the option numbers leave its value free for that use.
 */
#define TDI_ASSOCIATE_ADDRESS		1	/* set: int, fd of an address object */
#define TDI_DISASSOCIATE_ADDRESS	2	/* set: no argument */
#define TDI_CONNECTION_CONTEXT		3	/* get/set: __u64 */
#define TDI_QUERY_ACCEPT		4	/* get/set: int (BSD listeners) */
#define TDI_LISTEN_FILTER		5	/* get/set: struct tdi_filter */
#define TDI_CONNECT_DATA		6	/* set: ours; get: the peer's */
#define TDI_ACCEPT_DATA			7	/* set: ours; get: the peer's */
#define TDI_DISCONNECT_DATA		8	/* set: ours; get: the peer's */
#define TDI_DISCONNECT_REASON		9	/* get: int, enum TDI_REASON_* */
#define TDI_ACCEPT			10	/* set: accept the offer */
#define TDI_REJECT			11	/* set: reject the offer */
#define TDI_INFO			12	/* get: struct tdi_info */
#define TDI_PROVIDER_INFO		13	/* get: struct tdi_provider_info */

/* ioctls, in the protocol-private range */
#define SIOCTDILISTEN		(SIOCPROTOPRIVATE + 0)	/* struct tdi_listen */
#define SIOCTDIDISCONNECT	(SIOCPROTOPRIVATE + 1)	/* struct tdi_disconnect */

/* struct tdi_disconnect flags: exactly one of them */
#define TDI_DISCONNECT_ABORT	0x0002
#define TDI_DISCONNECT_RELEASE	0x0004

/* Why the last connection ended or was refused (TDI_DISCONNECT_REASON). */
#define TDI_REASON_NONE				0
#define TDI_REASON_RELEASE			1
#define TDI_REASON_ABORT			2
#define TDI_REASON_REFUSED			3
#define TDI_REASON_NO_LISTENER			4
#define TDI_REASON_INSUFFICIENT_RESOURCES	5
#define TDI_REASON_TIMEOUT			6
#define TDI_REASON_LINK_DOWN			7

/* struct tdi_provider_info service_flags (values as in the TDI documents) */
#define TDI_SERVICE_CONNECTION_MODE		0x00000001
#define TDI_SERVICE_ORDERLY_RELEASE		0x00000002
#define TDI_SERVICE_CONNECTIONLESS_MODE		0x00000004
#define TDI_SERVICE_ERROR_FREE_DELIVERY		0x00000008
#define TDI_SERVICE_BROADCAST_SUPPORTED		0x00000020
#define TDI_SERVICE_DELAYED_ACCEPTANCE		0x00000080
#define TDI_SERVICE_EXPEDITED_DATA		0x00000100
#define TDI_SERVICE_MESSAGE_MODE		0x00002000

/* Endpoint states, as reported in struct tdi_info and /proc/net/tdi. */
#define TDI_STATE_IDLE			0	/* no address object */
#define TDI_STATE_BOUND			1	/* associated (or a bound address object) */
#define TDI_STATE_LISTENING		2
#define TDI_STATE_CONNECTING		3
#define TDI_STATE_OFFERED		4	/* offer waits for a query-accept decision */
#define TDI_STATE_CONNECTED		5
#define TDI_STATE_RELEASE_SENT		6	/* we released, the peer has not */
#define TDI_STATE_RELEASE_RECEIVED	7	/* the peer released, we have not */
#define TDI_STATE_CLOSING		8	/* both released, last frames in flight */

/**
 * struct tdi_filter - which remote addresses a listen accepts offers from
 * @remote: the remote address to compare with: AF_TDI (or all-zero);
 *	only @remote.stdi_node is compared, under @node_prefix_bits;
 *	@remote.stdi_port must be 0 or equal to @port; @remote.stdi_ifindex,
 *	@remote.stdi_name and @remote.stdi_zero must be zero (an offer
 *	carries no name)
 * @node_prefix_bits: how many leading bits of the node address must match
 *	(0 to 48; 0 matches every node)
 * @port: remote port that must match, network byte order; 0 = any
 * @reserved: must be zero
 */
struct tdi_filter {
	struct sockaddr_tdi	remote;
	__u32			node_prefix_bits;
	__be16			port;
	__u16			reserved;
};

/**
 * struct tdi_listen - argument of SIOCTDILISTEN (the TDI form of listen)
 * @flags: 0 or %TDI_QUERY_ACCEPT
 * @filter: which offers this listen takes (all-zero: any)
 * @timeout_ms: how long to wait for an offer; 0 or -1 = no limit
 */
struct tdi_listen {
	__u32			flags;
	struct tdi_filter	filter;
	__s32			timeout_ms;
};

/**
 * struct tdi_disconnect - argument of SIOCTDIDISCONNECT
 * @flags: %TDI_DISCONNECT_RELEASE or %TDI_DISCONNECT_ABORT
 * @timeout_ms: how long a release waits for the peer's release;
 *	0 = the transport's default (sysctl), -1 = no limit
 */
struct tdi_disconnect {
	__u32	flags;
	__s32	timeout_ms;
};

/**
 * struct tdi_info - TDI_QUERY_INFORMATION on a connection (TDI_INFO)
 * @state: TDI_STATE_*
 * @rtt_us: smoothed round-trip time
 * @rttvar_us: round-trip time variation
 * @rto_us: current retransmission time-out
 * @snd_wnd: peer's advertised receive window, bytes
 * @rcv_wnd: our advertised receive window, bytes
 * @cwnd: congestion window, frames
 * @ssthresh: slow-start threshold, frames
 * @frame_payload: most TSDU bytes one frame carries on this connection
 * @unread: bytes received and not yet read
 * @unread_tsdu: unread bytes of the TSDU at the head of the receive queue
 * @reserved: zero
 * @bytes_sent: TSDU bytes sent (first transmissions)
 * @bytes_received: TSDU bytes received in order
 * @frames_sent: frames sent, retransmissions included
 * @frames_received: frames received and accepted
 * @frames_retransmitted: frames sent again
 * @frames_duplicate: frames received twice (dropped)
 * @expedited_sent: expedited TSDUs sent
 * @expedited_received: expedited TSDUs received
 */
struct tdi_info {
	__u32	state;
	__u32	rtt_us;
	__u32	rttvar_us;
	__u32	rto_us;
	__u32	snd_wnd;
	__u32	rcv_wnd;
	__u32	cwnd;
	__u32	ssthresh;
	__u32	frame_payload;
	__u32	unread;
	__u32	unread_tsdu;
	__u32	reserved;
	__u64	bytes_sent;
	__u64	bytes_received;
	__u64	frames_sent;
	__u64	frames_received;
	__u64	frames_retransmitted;
	__u64	frames_duplicate;
	__u64	expedited_sent;
	__u64	expedited_received;
};

/**
 * struct tdi_provider_info - TDI_QUERY_INFORMATION on the provider
 * @version: protocol version, major << 8 | minor
 * @service_flags: TDI_SERVICE_* this provider implements
 * @max_tsdu: largest TSDU one send may carry (0 = no limit)
 * @max_expedited: largest expedited TSDU (at least 1024)
 * @max_user_data: largest connect/accept/disconnect user data
 * @max_datagram: largest connectionless datagram
 * @reserved: zero
 */
struct tdi_provider_info {
	__u32	version;
	__u32	service_flags;
	__u32	max_tsdu;
	__u32	max_expedited;
	__u32	max_user_data;
	__u32	max_datagram;
	__u32	reserved[2];
};

#endif /* _UAPI_LINUX_TDI_H */
