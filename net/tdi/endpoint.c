// SPDX-License-Identifier: GPL-2.0
/*
 * tdi endpoints: the state machine and the requests on an endpoint that
 * both faces share (the socket face, socket.c, adds waiting to them).
 * Nothing here sleeps; every function takes the socket lock held.
 */

#include <kunit/visibility.h>

#include "tdi.h"

/**
 * tdi_set_state() - move an endpoint or address object to a new state
 * @ts: the socket; the caller holds its socket lock
 * @state: the new TDI_STATE_* value
 *
 * Every state change goes through here; a transition that is not allowed
 * is a bug of the caller (each checks the state it starts from): it WARNs
 * and leaves the state as it was.
 *
 * Return: 0, or -EINVAL for a transition that is not allowed.
 */
int tdi_set_state(struct tdi_sock *ts, int state)
{
	if (WARN_ON_ONCE(!tdi_state_allowed(ts->state, state)))
		return -EINVAL;
	WRITE_ONCE(ts->state, state);
	return 0;
}

/**
 * tdi_state_allowed() - whether an endpoint may go from one state to another
 * @old: the current TDI_STATE_*
 * @state: the new TDI_STATE_*
 *
 * Return: true for an allowed transition.
 */
bool tdi_state_allowed(int old, int state)
{
	if (old < TDI_STATE_IDLE || old > TDI_STATE_CLOSING)
		return false;
	switch (state) {
	case TDI_STATE_IDLE:
		return old == TDI_STATE_BOUND;
	case TDI_STATE_BOUND:
		/* bind or associate; or any connection, listen or offer ends */
		return old != TDI_STATE_BOUND;
	case TDI_STATE_LISTENING:
	case TDI_STATE_CONNECTING:
		return old == TDI_STATE_BOUND;
	case TDI_STATE_OFFERED:
		return old == TDI_STATE_LISTENING;
	case TDI_STATE_CONNECTED:
		return old == TDI_STATE_CONNECTING || old == TDI_STATE_BOUND ||
		       old == TDI_STATE_OFFERED;
	case TDI_STATE_RELEASE_SENT:
	case TDI_STATE_RELEASE_RECEIVED:
		return old == TDI_STATE_CONNECTED;
	case TDI_STATE_CLOSING:
		return old == TDI_STATE_RELEASE_SENT ||
		       old == TDI_STATE_RELEASE_RECEIVED;
	}
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_state_allowed);

/**
 * tdi_ep_connected() - is there a connection on this endpoint
 * @ts: the endpoint
 *
 * Lockless callers get a snapshot.
 *
 * Return: true from the connection's set-up to its end (the release
 * states included).
 */
bool tdi_ep_connected(const struct tdi_sock *ts)
{
	return tdi_state_connected(READ_ONCE(ts->state));
}

/**
 * tdi_ep_disconnect() - TDI_DISCONNECT: start a release, or abort
 * @ts: the endpoint, socket lock held
 * @flags: TDI_DISCONNECT_RELEASE or TDI_DISCONNECT_ABORT
 * @xmitq: where frames go
 *
 * RELEASE queues our RELEASE after all data queued (the first of the four
 * steps), once; the caller waits for the peer's (tdi_ep_released()).
 * ABORT ends the connection at once, a connect in progress or a pending
 * release included: queued data is dropped, the peer is sent a RESET, and
 * every call on the endpoint gets ECONNABORTED until it is used again.
 *
 * Return: 0; -ENOTCONN with no connection to end (RELEASE: none set up
 * yet); -ENOMEM when the RELEASE could not be queued (nothing changed).
 */
int tdi_ep_disconnect(struct tdi_sock *ts, u32 flags,
		      struct sk_buff_head *xmitq)
{
	if (flags == TDI_DISCONNECT_ABORT) {
		if (!tdi_ep_connected(ts) && ts->state != TDI_STATE_CONNECTING)
			return -ENOTCONN;
		tdi_conn_abort(ts, TDI_REASON_ABORT, xmitq);
		ts->local_abort = 1;
		return 0;
	}
	if (!tdi_ep_connected(ts))
		return -ENOTCONN;
	if (ts->state == TDI_STATE_CONNECTED ||
	    ts->state == TDI_STATE_RELEASE_RECEIVED)
		return tdi_conn_release(ts, xmitq);
	return 0;	/* ours is queued already */
}

/**
 * tdi_ep_released() - how a release we started stands
 * @ts: the endpoint, socket lock held
 *
 * Return: 1 when the peer has released too (the release completed), 0
 * while it has not, or a negative errno when the connection ended
 * otherwise: -ECONNABORTED (we aborted), -ECONNRESET (the peer did), or
 * the error it ended with (-ETIMEDOUT, -ENETDOWN).
 */
int tdi_ep_released(const struct tdi_sock *ts)
{
	if (ts->peer_released || ts->reason == TDI_REASON_RELEASE)
		return 1;
	if (tdi_ep_connected(ts))
		return 0;
	if (ts->local_abort)
		return -ECONNABORTED;
	return -(READ_ONCE(ts->sk.sk_err) ?: ECONNRESET);
}

/**
 * tdi_ep_aborted() - did the last connection end in an abort?
 * @ts: the endpoint, socket lock held
 *
 * Return: true from an abort, ours or the peer's, until the endpoint is
 * used again (tdi_conn_reset()).
 */
bool tdi_ep_aborted(const struct tdi_sock *ts)
{
	return ts->local_abort || ts->peer_abort;
}

/**
 * tdi_ep_error() - the error a call on the endpoint reports now
 * @ts: the endpoint, socket lock held
 *
 * A pending sk_err is reported once and cleared, as sock_error() does.
 * An abort is reported to every call until the endpoint is used again:
 * ECONNABORTED after ours, ECONNRESET after the peer's (SPEC: "the peer's
 * pending and later calls, every one of them").
 *
 * Return: 0 or a negative errno.
 */
int tdi_ep_error(struct tdi_sock *ts)
{
	int err = sock_error(&ts->sk);

	if (err)
		return err;
	if (ts->local_abort)
		return -ECONNABORTED;
	if (ts->peer_abort)
		return -ECONNRESET;
	return 0;
}

/**
 * tdi_ep_associate() - associate an idle endpoint with an address object
 * @ts: the endpoint (or an address object being bound), socket lock held
 * @a: the address object, held by the caller; the endpoint keeps that
 *	reference when this succeeds
 *
 * TDI_ASSOCIATE_ADDRESS, and bind()'s implicit address object.
 *
 * Return: 0, or -EISCONN when @ts has an address object already.
 */
int tdi_ep_associate(struct tdi_sock *ts, struct tdi_addr *a)
{
	if (ts->addr || ts->state != TDI_STATE_IDLE)
		return -EISCONN;
	WRITE_ONCE(ts->addr, a);
	return tdi_set_state(ts, TDI_STATE_BOUND);
}

/**
 * tdi_ep_disassociate() - drop an idle endpoint's address object
 * @ts: the endpoint, socket lock held
 *
 * TDI_DISASSOCIATE_ADDRESS.  The endpoint goes back to TDI_STATE_IDLE;
 * the reason and data of its last connection stay readable.  The address
 * object lives on while its fd or another association holds it.
 *
 * Return: 0, -EINVAL when @ts has no address object, or -EISCONN while it
 * listens, connects or has a connection.
 */
int tdi_ep_disassociate(struct tdi_sock *ts)
{
	struct tdi_addr *a = ts->addr;

	if (!a)
		return -EINVAL;
	if (ts->state != TDI_STATE_BOUND || ts->hashed)
		return -EISCONN;
	tdi_set_state(ts, TDI_STATE_IDLE);
	WRITE_ONCE(ts->addr, NULL);
	tdi_addr_put(a);
	return 0;
}
