/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdi wire format, version 1.  Documentation/tdi-protocol.rst is the
 * normative description; this header and it must agree.
 *
 * Every frame is an Ethernet frame of EtherType ETH_P_TDI (module
 * parameter "ethertype") whose payload starts with struct tdi_hdr.  All
 * fields are big-endian.
 */
#ifndef _NET_TDI_WIRE_H
#define _NET_TDI_WIRE_H

#include <linux/types.h>

#define TDI_WIRE_VERSION	1

/* Frame types */
enum tdi_frame_type {
	TDI_T_CONNECT	= 1,	/* connection offer, carries connect data */
	TDI_T_ACCEPT	= 2,	/* offer accepted, carries accept data */
	TDI_T_REFUSE	= 3,	/* offer refused: reason and data */
	TDI_T_HOLD	= 4,	/* offer held open for a query-accept decision */
	TDI_T_DATA	= 5,	/* normal TSDU bytes */
	TDI_T_ACK	= 6,	/* acknowledgment only (optional SACK blocks) */
	TDI_T_XDATA	= 7,	/* one expedited TSDU */
	TDI_T_RELEASE	= 8,	/* orderly release: no more normal data */
	TDI_T_RESET	= 9,	/* abort: reason and disconnect data */
	TDI_T_DATAGRAM	= 10,	/* connectionless TSDU */
	__TDI_T_MAX
};

/* Flags */
#define TDI_F_EOR	0x0001	/* DATA: ends a TSDU (message mode) */
#define TDI_F_SACK	0x0002	/* ACK: payload holds SACK blocks */
#define TDI_F_ACKNOW	0x0004	/* acknowledge this frame at once */
#define TDI_F_MSGMODE	0x0008	/* CONNECT/ACCEPT: SOCK_SEQPACKET endpoint */
#define TDI_F_MRU	0x0010	/* ACK: payload starts with struct tdi_mru_opt */

/**
 * struct tdi_hdr - the fixed header of every tdi frame
 * @version: %TDI_WIRE_VERSION
 * @type: enum tdi_frame_type
 * @flags: TDI_F_*; bits a type does not allow make the frame invalid
 * @sport: sender's port
 * @dport: receiver's port
 * @src_id: sender's connection identifier (0 where the sender has none)
 * @dst_id: receiver's connection identifier (0 in CONNECT and DATAGRAM)
 * @seq: sequence number of the first payload byte (DATA), or the sequence
 *	number the frame stands for (RELEASE); the initial sequence number in
 *	CONNECT and ACCEPT
 * @ack: next normal-data sequence number the sender expects
 * @wnd: bytes the sender can take beyond @ack
 * @xseq: number of this expedited TSDU (XDATA)
 * @xack: next expedited TSDU number the sender expects
 * @tsval: sender's timestamp, microseconds
 * @tsecr: the last @tsval received from the peer, echoed
 * @len: payload bytes after the header
 * @csum: Internet checksum of header (with @csum zero) and payload
 */
struct tdi_hdr {
	__u8	version;
	__u8	type;
	__be16	flags;
	__be16	sport;
	__be16	dport;
	__be32	src_id;
	__be32	dst_id;
	__be32	seq;
	__be32	ack;
	__be32	wnd;
	__be16	xseq;
	__be16	xack;
	__be32	tsval;
	__be32	tsecr;
	__be16	len;
	__sum16	csum;
} __packed;

#define TDI_HDR_LEN		((int)sizeof(struct tdi_hdr))

/**
 * struct tdi_mru_opt - a new MRU, at the head of an ACK with %TDI_F_MRU
 * @mru: most payload bytes the sender now takes in one frame
 * @zero: must be zero
 *
 * Sent when the MTU of the sender's device changed, until the peer echoes
 * the timestamp of a frame that carried it.
 */
struct tdi_mru_opt {
	__be16	mru;
	__u8	zero[6];
} __packed;

#define TDI_MRU_OPT_LEN		((int)sizeof(struct tdi_mru_opt))

/**
 * struct tdi_setup - payload head of CONNECT, ACCEPT, REFUSE and RESET
 * @mru: largest payload the sender takes in one frame (CONNECT, ACCEPT)
 * @reason: TDI_REASON_* (REFUSE, RESET); 0 otherwise
 * @datalen: user data bytes that follow (at most TDI_MAX_USER_DATA)
 */
struct tdi_setup {
	__be16	mru;
	__u8	reason;
	__u8	datalen;
} __packed;

#define TDI_SETUP_LEN		((int)sizeof(struct tdi_setup))

/**
 * struct tdi_sack - one SACK block: bytes [@start, @end) were received
 * @start: first byte
 * @end: byte after the last
 */
struct tdi_sack {
	__be32	start;
	__be32	end;
} __packed;

#define TDI_MAX_SACK		4
#define TDI_MAX_EXPEDITED	1024
/* The smallest device MTU tdi uses: CONNECT data and XDATA fit in one frame. */
#define TDI_MIN_MTU		1280

/* Sequence arithmetic modulo 2^32 */
static inline bool tdi_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool tdi_seq_after(u32 a, u32 b)
{
	return tdi_seq_before(b, a);
}

static inline bool tdi_seq_leq(u32 a, u32 b)
{
	return !tdi_seq_after(a, b);
}

/* a <= x < b, modulo 2^32 */
static inline bool tdi_seq_in(u32 x, u32 a, u32 b)
{
	return x - a < b - a;
}

static inline u32 tdi_seq_max(u32 a, u32 b)
{
	return tdi_seq_after(a, b) ? a : b;
}

static inline u32 tdi_seq_min(u32 a, u32 b)
{
	return tdi_seq_before(a, b) ? a : b;
}

/* Expedited TSDU numbers are 16 bits */
static inline bool tdi_xseq_before(u16 a, u16 b)
{
	return (s16)(a - b) < 0;
}

#endif /* _NET_TDI_WIRE_H */
