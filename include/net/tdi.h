/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdi: the in-kernel client API.
 *
 * A kernel module is a TDI client the way a Windows kernel-mode client is:
 * it opens transport address objects and connection endpoints in a
 * namespace, associates them, registers event handlers on the address
 * objects, and issues requests that complete like IRPs.  The socket family
 * (AF_TDI) and this API share one endpoint core; neither is built on the
 * other.  Documentation/tdi-kernel-api.rst has the TDI -> tdi table and
 * the rules in full.
 *
 * Contexts.  tdi_open_address() and tdi_open_endpoint() are called in
 * process context and may sleep.  Every other request may be called in
 * process or softirq context (BHs may be off), from inside an event
 * handler or a completion too, and never sleeps.  Event handlers and
 * completions run with BHs off and no tdi lock held -- in softirq, or in
 * the context of the request that made them happen -- and may call any
 * request but a close of the object they were called for.  The handlers
 * and completions of one endpoint never run concurrently with each other,
 * and come in the order the events happened.  A close called in process
 * context returns once no handler of the object runs any more.
 *
 * Completion.  A request that may have to wait takes a struct
 * tdi_request.  It either returns a negative errno at once (refused: the
 * request never completes), or returns 0 and completes exactly once, by
 * calling @req->complete with the final status and byte count -- possibly
 * before the call returns.  Closing an endpoint completes its outstanding
 * requests with -ECONNABORTED.
 */
#ifndef _NET_TDI_H
#define _NET_TDI_H

#include <linux/list.h>
#include <uapi/linux/tdi.h>
#include <linux/types.h>
#include <linux/uio.h>

struct net;
struct sk_buff;
struct tdi_address;
struct tdi_endpoint;

/**
 * struct tdi_request - a request that completes later (an IRP)
 * @complete: called exactly once with the request's final status (0 or a
 *	negative errno) and the bytes it moved; BHs off, no tdi lock held
 * @context: the client's, untouched by tdi
 * @flags: set when a receive completes: TDI_RECEIVE_EXPEDITED for
 *	expedited data; in message mode TDI_RECEIVE_ENTIRE_MESSAGE when the
 *	TSDU ended in this receive, TDI_RECEIVE_PARTIAL when more of it is to
 *	come
 *
 * The rest is tdi's while the request is outstanding.  The memory of the
 * request, and of the buffer its iov_iter describes (a kernel buffer:
 * ITER_KVEC or ITER_BVEC), belongs to tdi from the call until @complete
 * is called; so does the iov_iter's array of segments, but for a
 * single-segment ITER_KVEC (the request keeps a copy of its kvec).
 */
struct tdi_request {
	void	(*complete)(struct tdi_request *req, int status, size_t bytes);
	void	*context;
	unsigned int	flags;
	/* private: */
	struct list_head	node;
	struct iov_iter		iter;
	struct kvec		kv;
	size_t			len;
	size_t			done;
	int			status;
	unsigned int		rflags;
};

/* tdi_send() flags */
#define TDI_SEND_EXPEDITED	0x0001	/* an expedited TSDU */
#define TDI_SEND_PARTIAL	0x0002	/* the TSDU goes on in the next send */
#define TDI_SEND_NON_BLOCKING	0x0004	/* fail with -EAGAIN rather than wait */

/* tdi_receive() flags, and the flags of a receive indication */
#define TDI_RECEIVE_EXPEDITED	0x0001	/* expedited data (request: only) */
#define TDI_RECEIVE_PEEK	0x0002	/* request: leave the data queued */
#define TDI_RECEIVE_ENTIRE_MESSAGE 0x0004 /* the TSDU's end is in the data */
#define TDI_RECEIVE_PARTIAL	0x0008	/* completion: more of the TSDU to come */

/**
 * struct tdi_connect_event - an offer, as the connect handler sees it
 * @remote: the connector's address
 * @type: SOCK_STREAM or SOCK_SEQPACKET
 * @connect_data: the connector's connect data
 * @connect_data_len: its length, 0 to TDI_MAX_USER_DATA
 */
struct tdi_connect_event {
	struct sockaddr_tdi	remote;
	int			type;
	const void		*connect_data;
	u8			connect_data_len;
};

/* What a connect handler decides (besides -ECONNREFUSED and -ENOMEM) */
#define TDI_CONNECT_ACCEPT	0	/* @ep takes the offer now */
#define TDI_CONNECT_DEFER	1	/* @ep holds the offer undecided */

/**
 * struct tdi_connect_answer - the connect handler's answer
 * @ep: the endpoint that takes or holds the offer: idle, associated with
 *	the address object, of the offer's type
 * @data: accept data (accept) or disconnect data (refusal), or NULL
 * @data_len: its length, 0 to TDI_MAX_USER_DATA
 */
struct tdi_connect_answer {
	struct tdi_endpoint	*ep;
	const void		*data;
	u8			data_len;
};

/**
 * struct tdi_receive_event - data a receive handler is offered
 * @data: the bytes indicated, from the start of what is unread
 * @indicated: how many @data holds
 * @available: how many are queued (at least @indicated)
 * @flags: TDI_RECEIVE_ENTIRE_MESSAGE when the TSDU's end is within
 *	@available (always clear on a stream), TDI_RECEIVE_EXPEDITED
 *
 * An empty TSDU (message mode) is indicated with @indicated 0 and
 * TDI_RECEIVE_ENTIRE_MESSAGE, once: it is taken whatever the handler
 * returns.  A receive request takes one as 0 bytes with
 * TDI_RECEIVE_ENTIRE_MESSAGE; 0 bytes without it is the end of the data.
 */
struct tdi_receive_event {
	const void	*data;
	size_t		indicated;
	size_t		available;
	unsigned int	flags;
};

/**
 * struct tdi_disconnect_event - how a connection ended, or the peer's
 * release
 * @flags: TDI_DISCONNECT_RELEASE (the peer released: its side is done,
 *	ours may still send) or TDI_DISCONNECT_ABORT (the connection is gone)
 * @reason: TDI_REASON_*
 * @data: the peer's disconnect data
 * @data_len: its length
 */
struct tdi_disconnect_event {
	unsigned int	flags;
	int		reason;
	const void	*data;
	u8		data_len;
};

/* What a chained receive handler returns (or -EAGAIN: not accepted, the
 * data stays queued for tdi_receive() or a later indication)
 */
#define TDI_CHAINED_DONE	0	/* taken: tdi frees the chain */
#define TDI_CHAINED_KEEP	1	/* kept: tdi_return_chained_receive() */

/* The events of an address object */
enum tdi_event {
	TDI_EVENT_CONNECT,
	TDI_EVENT_RECEIVE,
	TDI_EVENT_RECEIVE_EXPEDITED,
	TDI_EVENT_DISCONNECT,
	TDI_EVENT_ERROR,
	TDI_EVENT_SEND_POSSIBLE,
	TDI_EVENT_RECEIVE_DATAGRAM,
	TDI_EVENT_CHAINED_RECEIVE,
	TDI_EVENT_CHAINED_RECEIVE_EXPEDITED,
	__TDI_EVENT_MAX
};

/**
 * struct tdi_event_handler - one event handler (TDI_SET_EVENT_HANDLER)
 * @type: which event
 * @context: passed to the handler as @ctx
 * @connect: an offer came and no listen took it: return
 *	TDI_CONNECT_ACCEPT or TDI_CONNECT_DEFER with @ans->ep set,
 *	-ECONNREFUSED (the connector sees TDI_REASON_REFUSED) or -ENOMEM
 *	(TDI_REASON_INSUFFICIENT_RESOURCES)
 * @receive: normal data can be read (also for an endpoint whose accept
 *	has not completed yet): take some or all of @ev->data and return how
 *	many bytes were taken; the rest waits for tdi_receive() or the next
 *	indication
 * @receive_expedited: an expedited TSDU, as @receive
 * @disconnect: the peer released, or the connection ended
 * @error: the connection ended with the error @err (-ETIMEDOUT,
 *	-ENETDOWN, ...), before @disconnect
 * @send_possible: a send that failed for want of room may go now
 * @receive_datagram: a datagram for the address object from @from; @skb
 *	is the client's to free (kfree_skb())
 * @chained_receive: a whole TSDU (message mode; a stream: all that is
 *	queued) as one read-only skb, @chain: the first frame's payload with
 *	the others on its frag_list, each linear (skb_copy_bits(),
 *	skb_walk_frags() read it); @flags TDI_RECEIVE_ENTIRE_MESSAGE when it
 *	ends the TSDU.  Return TDI_CHAINED_DONE (tdi frees it),
 *	TDI_CHAINED_KEEP (the client hands it back later with
 *	tdi_return_chained_receive(); meanwhile it counts against the
 *	receive buffer), or -EAGAIN (not accepted: it stays queued).  Set,
 *	it is called instead of @receive, which still gets a message-mode
 *	TSDU too large to come whole, in parts
 * @chained_receive_expedited: an expedited TSDU, as @chained_receive
 *	(@flags TDI_RECEIVE_EXPEDITED | TDI_RECEIVE_ENTIRE_MESSAGE)
 */
struct tdi_event_handler {
	enum tdi_event	type;
	void		*context;
	union {
		int	(*connect)(void *ctx,
				   const struct tdi_connect_event *ev,
				   struct tdi_connect_answer *ans);
		size_t	(*receive)(void *ctx, struct tdi_endpoint *ep,
				   void *conn_ctx,
				   const struct tdi_receive_event *ev);
		size_t	(*receive_expedited)(void *ctx,
					     struct tdi_endpoint *ep,
					     void *conn_ctx,
					     const struct tdi_receive_event *ev);
		void	(*disconnect)(void *ctx, struct tdi_endpoint *ep,
				      void *conn_ctx,
				      const struct tdi_disconnect_event *ev);
		void	(*error)(void *ctx, struct tdi_endpoint *ep,
				 void *conn_ctx, int err);
		void	(*send_possible)(void *ctx, struct tdi_endpoint *ep,
					 void *conn_ctx);
		void	(*receive_datagram)(void *ctx,
					    const struct sockaddr_tdi *from,
					    struct sk_buff *skb);
		int	(*chained_receive)(void *ctx, struct tdi_endpoint *ep,
					   void *conn_ctx, unsigned int flags,
					   struct sk_buff *chain);
		int	(*chained_receive_expedited)(void *ctx,
						     struct tdi_endpoint *ep,
						     void *conn_ctx,
						     unsigned int flags,
						     struct sk_buff *chain);
	};
};

/**
 * struct tdi_listen_request - TDI_LISTEN's parameters
 * @flags: TDI_QUERY_ACCEPT: the offer leaves the endpoint OFFERED, for
 *	tdi_accept() or tdi_disconnect()
 * @timeout_ms: 0 for none
 * @filter: the offers the listen takes (all zero: every one)
 */
struct tdi_listen_request {
	u32			flags;
	u32			timeout_ms;
	struct tdi_filter	filter;
};

struct tdi_address *tdi_open_address(struct net *net,
				     const struct sockaddr_tdi *sa, int *err);
void tdi_close_address(struct tdi_address *a);
int tdi_set_event_handler(struct tdi_address *a,
			  const struct tdi_event_handler *h);

struct tdi_endpoint *tdi_open_endpoint(struct net *net, int type,
				       void *conn_ctx, int *err);
void tdi_close_endpoint(struct tdi_endpoint *ep);
int tdi_associate_address(struct tdi_endpoint *ep, struct tdi_address *a);
int tdi_disassociate_address(struct tdi_endpoint *ep);
void *tdi_endpoint_context(const struct tdi_endpoint *ep);

int tdi_connect(struct tdi_endpoint *ep, struct tdi_request *req,
		const struct sockaddr_tdi *to, const void *data, u8 data_len,
		u32 timeout_ms);
int tdi_listen(struct tdi_endpoint *ep, struct tdi_request *req,
	       const struct tdi_listen_request *l);
int tdi_accept(struct tdi_endpoint *ep, struct tdi_request *req,
	       const void *data, u8 data_len);
int tdi_disconnect(struct tdi_endpoint *ep, struct tdi_request *req,
		   unsigned int flags, const void *data, u8 data_len,
		   u32 timeout_ms);
int tdi_send(struct tdi_endpoint *ep, struct tdi_request *req,
	     struct iov_iter *from, unsigned int flags);
int tdi_receive(struct tdi_endpoint *ep, struct tdi_request *req,
		struct iov_iter *to, unsigned int flags);
void tdi_return_chained_receive(struct sk_buff *chain);
int tdi_send_datagram(struct tdi_address *a, const struct sockaddr_tdi *to,
		      struct iov_iter *from);
int tdi_query_information(struct tdi_endpoint *ep, struct tdi_info *info);
int tdi_query_provider(struct tdi_endpoint *ep,
		       struct tdi_provider_info *pi);
int tdi_peer_user_data(struct tdi_endpoint *ep, int kind, void *buf,
		       size_t len);
int tdi_disconnect_reason(struct tdi_endpoint *ep);

#endif /* _NET_TDI_H */
