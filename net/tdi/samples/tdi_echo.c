// SPDX-License-Identifier: GPL-2.0
/*
 * tdi_echo: a kernel echo service on tdi's in-kernel client API, written
 * to be read by whoever ports a TDI client.
 *
 * It opens one address object on a port and a pool of connection
 * endpoints of each type (stream and message), associates them, and
 * registers its event handlers -- the TDI way.  An offer is decided on its
 * connect data: data that begins with the "prefix" parameter is accepted
 * (accept data "welcome"), anything else rejected (disconnect data
 * "go away").  Two ways to be offered a connection, chosen by "listen":
 *
 *   listen=1  every idle endpoint has a TDI_LISTEN with TDI_QUERY_ACCEPT
 *             outstanding; its completion holds the offer, and the
 *             service calls tdi_accept() or tdi_disconnect() (a rejection
 *             with disconnect data);
 *   listen=0  no listens: the connect handler (ClientEventConnect)
 *             accepts on an idle endpoint (TDI_CONNECT_ACCEPT), refuses
 *             (-ECONNREFUSED), or says it has no endpoint (-ENOMEM).
 *
 * Normal data is echoed from the receive handler (ClientEventReceive): it
 * takes what it is shown while no echo of its own is waiting for send
 * room, and otherwise leaves the data queued and picks it up later with a
 * receive request.  In message mode each TSDU is echoed as one TSDU.
 * Expedited data is echoed as expedited data.  With "chained", whole
 * TSDUs come to the chained receive handler (ClientEventChainedReceive)
 * instead: the service keeps the chain, sends its echo straight from the
 * chain's frames, and hands the chain back once the echo is queued.  When the peer releases, the
 * service releases too, after its last echo; the endpoint then listens
 * again.  Unloading the module closes everything: connections still going
 * are released or aborted as a close() would.
 */

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/net_namespace.h>
#include <net/tdi.h>

static ushort port = 7;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "the port the service listens on");

static char *prefix = "echo";
module_param(prefix, charp, 0444);
MODULE_PARM_DESC(prefix, "offers whose connect data begins with this are accepted");

static bool listen = true;
module_param(listen, bool, 0444);
MODULE_PARM_DESC(listen, "listen with query-accept (1) or take offers in the connect handler (0)");

static bool chained;
module_param(chained, bool, 0444);
MODULE_PARM_DESC(chained, "take data in the chained receive handlers, echoed from the chain");

static uint conns = 4;
module_param(conns, uint, 0444);
MODULE_PARM_DESC(conns, "endpoints of each type (connections at once)");

static atomic_t echoed = ATOMIC_INIT(0);
static int echoed_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&echoed));
}

static const struct kernel_param_ops echoed_ops = { .get = echoed_get };
module_param_cb(echoed, &echoed_ops, NULL, 0444);
MODULE_PARM_DESC(echoed, "bytes echoed so far (read only)");

static atomic_t chains = ATOMIC_INIT(0);
static int chains_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&chains));
}

static const struct kernel_param_ops chains_ops = { .get = chains_get };
module_param_cb(chains, &chains_ops, NULL, 0444);
MODULE_PARM_DESC(chains, "chains echoed so far (read only)");

#define ECHO_BUF	4096
#define ECHO_XBUF	1024	/* an expedited TSDU at most */

/* One endpoint of the pool and its connection. */
struct echo_conn {
	struct tdi_endpoint	*ep;
	int			type;
	atomic_t		idle;		/* connect handler: free to take */
	bool			sending;	/* an echo is being sent */
	bool			receiving;	/* a receive request is out */
	bool			xsending;	/* an expedited echo, too */
	bool			xreceiving;
	unsigned int		empties;	/* empty TSDUs to echo next */
	bool			release;	/* the peer released: so do we */
	bool			releasing;	/* our release is under way */
	struct tdi_request	lreq;		/* the listen */
	struct tdi_request	areq;		/* its accept or rejection */
	struct tdi_request	dreq;		/* our release */
	struct tdi_request	sreq;		/* the echo of normal data */
	struct tdi_request	rreq;		/* picking up what waited */
	struct tdi_request	xreq;		/* the echo of expedited data */
	struct tdi_request	xrreq;		/* picking up expedited data */
	struct sk_buff		*chain;		/* kept while it is echoed */
	struct kvec		*ckv;		/* its frames, for the send */
	char			buf[ECHO_BUF];
	char			xbuf[ECHO_XBUF];
};

static struct tdi_address *echo_addr;
static struct echo_conn *echo_pool;
static unsigned int echo_count;
static bool echo_exiting;

static void echo_listen(struct echo_conn *c);
static void echo_pickup(struct echo_conn *c);
static void echo_xpickup(struct echo_conn *c);
static bool echo_send(struct echo_conn *c, size_t len, bool eor);

/* The connection is over (or was never made): listen again.  Its
 * requests completed before the disconnect handler was called.
 */
static void echo_idle(struct echo_conn *c)
{
	c->release = false;
	c->releasing = false;
	if (listen)
		echo_listen(c);
	else
		atomic_set(&c->idle, 1);
}

static void echo_release_done(struct tdi_request *req, int status,
			      size_t bytes)
{
	struct echo_conn *c = req->context;

	if (!echo_exiting)
		echo_idle(c);
}

/* The peer released and our echoes are all queued: release too. */
static void echo_release(struct echo_conn *c)
{
	if (c->releasing || c->sending || c->receiving)
		return;
	c->releasing = true;
	c->dreq.complete = echo_release_done;
	c->dreq.context = c;
	if (tdi_disconnect(c->ep, &c->dreq, TDI_DISCONNECT_RELEASE, "bye", 3,
			   0))
		c->releasing = false;	/* it ended otherwise meanwhile */
}

static void echo_sent(struct tdi_request *req, int status, size_t bytes)
{
	struct echo_conn *c = req->context;

	c->sending = false;
	if (c->chain) {
		/* the echo of a chain is queued (or failed): hand it back */
		tdi_return_chained_receive(c->chain);
		c->chain = NULL;
		kfree(c->ckv);
		c->ckv = NULL;
	}
	if (status || echo_exiting)
		return;
	atomic_add(bytes, &echoed);
	if (c->empties) {
		/* one that came while this echo was being sent */
		c->empties--;
		echo_send(c, 0, true);
		return;
	}
	echo_pickup(c);		/* what came meanwhile, or the end */
}

/* Echo @len bytes of c->buf; false when the send was refused. */
static bool echo_send(struct echo_conn *c, size_t len, bool eor)
{
	struct kvec kv = { .iov_base = c->buf, .iov_len = len };
	struct iov_iter it;

	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, len);
	c->sending = true;
	c->sreq.complete = echo_sent;
	c->sreq.context = c;
	if (tdi_send(c->ep, &c->sreq, &it,
		     c->type == SOCK_SEQPACKET && !eor ? TDI_SEND_PARTIAL : 0)) {
		c->sending = false;
		return false;
	}
	return true;
}

/* What waited in the receive queue while an echo was being sent. */
static void echo_picked(struct tdi_request *req, int status, size_t bytes)
{
	struct echo_conn *c = req->context;

	c->receiving = false;
	if (status || echo_exiting)
		return;
	if (!bytes && !(req->flags & TDI_RECEIVE_ENTIRE_MESSAGE)) {
		/* the end of the peer's data */
		if (c->release)
			echo_release(c);
		return;
	}
	echo_send(c, bytes, !(req->flags & TDI_RECEIVE_PARTIAL));
}

static void echo_pickup(struct echo_conn *c)
{
	struct kvec kv = { .iov_base = c->buf, .iov_len = ECHO_BUF };
	struct iov_iter it;

	if (c->receiving || c->sending)
		return;
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, ECHO_BUF);
	c->receiving = true;
	c->rreq.complete = echo_picked;
	c->rreq.context = c;
	if (tdi_receive(c->ep, &c->rreq, &it, 0))
		c->receiving = false;
}

/* ClientEventReceive: echo what is shown, unless an echo still waits. */
static size_t echo_receive(void *ctx, struct tdi_endpoint *ep, void *conn_ctx,
			   const struct tdi_receive_event *ev)
{
	struct echo_conn *c = conn_ctx;
	size_t n = min_t(size_t, ev->indicated, ECHO_BUF);
	bool eor;

	if (!n && !(ev->flags & TDI_RECEIVE_ENTIRE_MESSAGE))
		return 0;
	if (!n && c->sending) {
		/* an empty TSDU is taken when it is shown: echo it later */
		c->empties++;
		return 0;
	}
	if (c->sending || c->receiving)
		return 0;
	memcpy(c->buf, ev->data, n);
	/* the TSDU ends with these bytes when its end is in what is left */
	eor = (ev->flags & TDI_RECEIVE_ENTIRE_MESSAGE) && n == ev->available;
	return echo_send(c, n, eor) ? n : 0;
}

/* ClientEventChainedReceive: a whole TSDU (a stream: what is queued) as
 * one skb, its frames on the frag_list, each linear.  The echo is sent
 * from the frames themselves; the chain is kept until it is queued.
 */
static int echo_chained(void *ctx, struct tdi_endpoint *ep, void *conn_ctx,
			unsigned int flags, struct sk_buff *chain)
{
	struct echo_conn *c = conn_ctx;
	struct sk_buff *frag;
	struct iov_iter it;
	unsigned int n = 1;
	struct kvec *kv;

	if (c->sending || c->receiving)
		return -EAGAIN;	/* not now: picked up by echo_pickup() */
	skb_walk_frags(chain, frag)
		n++;
	kv = kmalloc_array(n, sizeof(*kv), GFP_ATOMIC);
	if (!kv)
		return -EAGAIN;
	kv[0].iov_base = chain->data;
	kv[0].iov_len = skb_headlen(chain);
	n = 1;
	skb_walk_frags(chain, frag) {
		kv[n].iov_base = frag->data;
		kv[n++].iov_len = frag->len;
	}
	iov_iter_kvec(&it, ITER_SOURCE, kv, n, chain->len);
	c->chain = chain;
	c->ckv = kv;
	c->sending = true;
	c->sreq.complete = echo_sent;
	c->sreq.context = c;
	if (tdi_send(c->ep, &c->sreq, &it,
		     c->type == SOCK_SEQPACKET &&
		     !(flags & TDI_RECEIVE_ENTIRE_MESSAGE) ?
		     TDI_SEND_PARTIAL : 0)) {
		c->sending = false;
		c->chain = NULL;
		c->ckv = NULL;
		kfree(kv);
		return -EAGAIN;
	}
	atomic_inc(&chains);
	return TDI_CHAINED_KEEP;
}

static void echo_xsent(struct tdi_request *req, int status, size_t bytes)
{
	struct echo_conn *c = req->context;

	c->xsending = false;
	if (!status && !echo_exiting)
		echo_xpickup(c);
}

/* Echo the expedited TSDU in c->xbuf; false when it was refused. */
static bool echo_xsend(struct echo_conn *c, size_t len)
{
	struct kvec kv = { .iov_base = c->xbuf, .iov_len = len };
	struct iov_iter it;

	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, len);
	c->xsending = true;
	c->xreq.complete = echo_xsent;
	c->xreq.context = c;
	if (tdi_send(c->ep, &c->xreq, &it, TDI_SEND_EXPEDITED)) {
		c->xsending = false;
		return false;
	}
	return true;
}

static void echo_xpicked(struct tdi_request *req, int status, size_t bytes)
{
	struct echo_conn *c = req->context;

	c->xreceiving = false;
	if (!status && bytes && !echo_exiting)
		echo_xsend(c, bytes);
}

/* The next expedited TSDU, once the last echo of one is queued. */
static void echo_xpickup(struct echo_conn *c)
{
	struct kvec kv = { .iov_base = c->xbuf, .iov_len = ECHO_XBUF };
	struct iov_iter it;

	if (c->xreceiving || c->xsending)
		return;
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, ECHO_XBUF);
	c->xreceiving = true;
	c->xrreq.complete = echo_xpicked;
	c->xrreq.context = c;
	if (tdi_receive(c->ep, &c->xrreq, &it, TDI_RECEIVE_EXPEDITED))
		c->xreceiving = false;
}

/* ClientEventReceiveExpedited: the TSDU goes back expedited. */
static size_t echo_receive_expedited(void *ctx, struct tdi_endpoint *ep,
				     void *conn_ctx,
				     const struct tdi_receive_event *ev)
{
	struct echo_conn *c = conn_ctx;

	if (c->xsending || c->xreceiving || ev->indicated > ECHO_XBUF ||
	    ev->indicated != ev->available)
		return 0;
	memcpy(c->xbuf, ev->data, ev->indicated);
	return echo_xsend(c, ev->indicated) ? ev->indicated : 0;
}

/* ClientEventChainedReceiveExpedited: copied, and the chain taken. */
static int echo_chained_x(void *ctx, struct tdi_endpoint *ep, void *conn_ctx,
			  unsigned int flags, struct sk_buff *chain)
{
	struct echo_conn *c = conn_ctx;

	if (c->xsending || c->xreceiving || chain->len > ECHO_XBUF ||
	    skb_copy_bits(chain, 0, c->xbuf, chain->len) ||
	    !echo_xsend(c, chain->len))
		return -EAGAIN;
	return TDI_CHAINED_DONE;
}

/* ClientEventDisconnect: the peer released, or the connection ended. */
static void echo_disconnect(void *ctx, struct tdi_endpoint *ep,
			    void *conn_ctx,
			    const struct tdi_disconnect_event *ev)
{
	struct echo_conn *c = conn_ctx;

	if (ev->flags & TDI_DISCONNECT_RELEASE) {
		c->release = true;
		/* whatever is still queued is echoed first: the receive
		 * completes with 0 bytes at the end
		 */
		echo_pickup(c);
		echo_release(c);
		return;
	}
	if (!echo_exiting)
		echo_idle(c);
}

/* ClientEventSendPossible: nothing waits on it here (sends queue). */
static void echo_send_possible(void *ctx, struct tdi_endpoint *ep,
			       void *conn_ctx)
{
}

/* Does the offer's connect data begin with the prefix? */
static bool echo_welcome(const void *data, size_t len)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(data, prefix, n);
}

static void echo_decided(struct tdi_request *req, int status, size_t bytes)
{
	struct echo_conn *c = req->context;

	/* a rejection leaves the endpoint idle; an accept a connection */
	if (status && !echo_exiting)
		echo_idle(c);
}

/* TDI_LISTEN with TDI_QUERY_ACCEPT completed: an offer is held. */
static void echo_offered(struct tdi_request *req, int status, size_t bytes)
{
	struct echo_conn *c = req->context;
	u8 data[TDI_MAX_USER_DATA];
	int len;

	if (echo_exiting)
		return;
	if (status) {
		echo_listen(c);
		return;
	}
	len = tdi_peer_user_data(c->ep, TDI_CONNECT_DATA, data, sizeof(data));
	c->areq.complete = echo_decided;
	c->areq.context = c;
	if (len >= 0 && echo_welcome(data, len)) {
		if (!tdi_accept(c->ep, &c->areq, "welcome", 7))
			return;
	} else {
		/* a rejection: REFUSE with our disconnect data */
		tdi_disconnect(c->ep, &c->areq, TDI_DISCONNECT_ABORT,
			       "go away", 7, 0);
	}
	echo_listen(c);
}

static void echo_listen(struct echo_conn *c)
{
	struct tdi_listen_request l = { .flags = TDI_QUERY_ACCEPT };

	c->lreq.complete = echo_offered;
	c->lreq.context = c;
	tdi_listen(c->ep, &c->lreq, &l);
}

/* ClientEventConnect (listen=0): accept on an idle endpoint, or refuse. */
static int echo_connect(void *ctx, const struct tdi_connect_event *ev,
			struct tdi_connect_answer *ans)
{
	unsigned int i;

	if (!echo_welcome(ev->connect_data, ev->connect_data_len))
		return -ECONNREFUSED;
	for (i = 0; i < echo_count; i++) {
		struct echo_conn *c = &echo_pool[i];

		if (c->type == ev->type && atomic_cmpxchg(&c->idle, 1, 0)) {
			ans->ep = c->ep;
			ans->data = "welcome";
			ans->data_len = 7;
			return TDI_CONNECT_ACCEPT;
		}
	}
	return -ENOMEM;		/* none free: insufficient resources */
}

static int echo_handlers(void)
{
	struct tdi_event_handler h[] = {
		{ .type = TDI_EVENT_RECEIVE, .receive = echo_receive },
		{ .type = TDI_EVENT_RECEIVE_EXPEDITED,
		  .receive_expedited = echo_receive_expedited },
		{ .type = TDI_EVENT_DISCONNECT, .disconnect = echo_disconnect },
		{ .type = TDI_EVENT_SEND_POSSIBLE,
		  .send_possible = echo_send_possible },
		{ .type = TDI_EVENT_CHAINED_RECEIVE,
		  .chained_receive = chained ? echo_chained : NULL },
		{ .type = TDI_EVENT_CHAINED_RECEIVE_EXPEDITED,
		  .chained_receive_expedited = chained ? echo_chained_x : NULL },
		{ .type = TDI_EVENT_CONNECT,
		  .connect = listen ? NULL : echo_connect },
	};
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(h); i++) {
		err = tdi_set_event_handler(echo_addr, &h[i]);
		if (err)
			return err;
	}
	return 0;
}

static void echo_close_all(void)
{
	unsigned int i;

	echo_exiting = true;
	for (i = 0; i < echo_count; i++)
		tdi_close_endpoint(echo_pool[i].ep);
	echo_count = 0;
	if (echo_addr)
		tdi_close_address(echo_addr);
	echo_addr = NULL;
	kvfree(echo_pool);
}

static int __init echo_init(void)
{
	struct sockaddr_tdi sa = {
		.stdi_family = AF_TDI,
		.stdi_port = htons(port),
	};
	unsigned int i;
	int err;

	if (!conns || conns > 1024)
		return -EINVAL;
	echo_pool = kvcalloc(2 * conns, sizeof(*echo_pool), GFP_KERNEL);
	if (!echo_pool)
		return -ENOMEM;
	echo_addr = tdi_open_address(&init_net, &sa, &err);
	if (!echo_addr)
		goto fail;
	err = echo_handlers();
	if (err)
		goto fail;
	for (i = 0; i < 2 * conns; i++) {
		struct echo_conn *c = &echo_pool[i];

		c->type = i < conns ? SOCK_STREAM : SOCK_SEQPACKET;
		c->ep = tdi_open_endpoint(&init_net, c->type, c, &err);
		if (!c->ep)
			goto fail;
		echo_count++;
		err = tdi_associate_address(c->ep, echo_addr);
		if (err)
			goto fail;
		echo_idle(c);
	}
	pr_info("tdi_echo: port %u, %u endpoints of each type, %s%s\n", port,
		conns, listen ? "listens" : "connect handler",
		chained ? ", chained receives" : "");
	return 0;
fail:
	echo_close_all();
	return err;
}

static void __exit echo_exit(void)
{
	echo_close_all();
}

module_init(echo_init);
module_exit(echo_exit);
MODULE_DESCRIPTION("tdi sample: a kernel echo service");
MODULE_LICENSE("GPL");
