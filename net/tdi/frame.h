/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdi frames in host order, and the reasons a received frame is dropped.
 */
#ifndef _NET_TDI_FRAME_H
#define _NET_TDI_FRAME_H

#include <linux/skbuff.h>

#include "wire.h"

/* Why a received frame was dropped; each has a counter in /proc/net/tdi_stat. */
enum tdi_drop {
	TDI_DROP_NONE,
	TDI_DROP_SHORT,		/* shorter than its header or its length field */
	TDI_DROP_VERSION,	/* unknown protocol version */
	TDI_DROP_TYPE,		/* unknown frame type */
	TDI_DROP_FLAGS,		/* flags the type does not allow */
	TDI_DROP_LENGTH,	/* payload length wrong for the type */
	TDI_DROP_CSUM,		/* checksum mismatch */
	TDI_DROP_IDS,		/* identifiers missing or not allowed */
	TDI_DROP_SETUP,		/* malformed connect/accept/refuse/reset payload */
	TDI_DROP_NOCONN,	/* no connection or listener matches */
	TDI_DROP_WINDOW,	/* outside the receive window */
	TDI_DROP_STATE,		/* not expected in the connection's state */
	TDI_DROP_RCVBUF,	/* receive buffer full */
	TDI_DROP_NOMEM,		/* out of memory */
	TDI_DROP_NODEV,		/* device not usable (MTU below the minimum) */
	TDI_DROP_SOURCE,	/* source MAC multicast, broadcast or zero */
	TDI_DROP_BROADCAST,	/* broadcast, and not a datagram */
	__TDI_DROP_MAX
};

/**
 * struct tdi_frame - a frame header in host order
 * @type: enum tdi_frame_type
 * @flags: TDI_F_*
 * @sport: sender's port
 * @dport: receiver's port
 * @src_id: sender's connection identifier
 * @dst_id: receiver's connection identifier
 * @seq: sequence number
 * @ack: acknowledgment
 * @wnd: window
 * @xseq: expedited TSDU number
 * @xack: expedited acknowledgment
 * @tsval: timestamp
 * @tsecr: echoed timestamp
 * @len: payload length
 * @reason: REFUSE and RESET: the reason from the setup payload
 * @offer: not from the wire: set by the receive path when the frame goes
 *	to a listener as the first frame of a half-open offer or cookie
 * @mru: CONNECT, ACCEPT and ACK with TDI_F_MRU: the sender's largest
 *	frame payload (0 in any other frame)
 * @datalen: setup frames: user data length (the data follows the setup)
 */
struct tdi_frame {
	u8	type;
	u16	flags;
	u16	sport;
	u16	dport;
	u32	src_id;
	u32	dst_id;
	u32	seq;
	u32	ack;
	u32	wnd;
	u16	xseq;
	u16	xack;
	u32	tsval;
	u32	tsecr;
	u16	len;
	u8	reason;
	u8	offer;
	u16	mru;
	u8	datalen;
};

enum tdi_drop tdi_frame_parse(struct sk_buff *skb, struct tdi_frame *fr);
void tdi_frame_push(struct sk_buff *skb, const struct tdi_frame *fr,
		    __wsum payload_csum);
void tdi_frame_csum_offload(struct sk_buff *skb);
const char *tdi_drop_name(enum tdi_drop drop);

#endif /* _NET_TDI_FRAME_H */
