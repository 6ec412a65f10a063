// SPDX-License-Identifier: GPL-2.0
/*
 * tdi_ping: a kernel client of tdi that connects out, written to be read
 * by whoever ports a TDI client.
 *
 * Writing anything to /sys/module/tdi_ping/parameters/run runs one
 * session against an echo service (tdi_echo.ko, or a userland one) and
 * leaves its outcome in .../parameters/result:
 *
 *   open an address object (any port) and an endpoint, associate them;
 *   TDI_CONNECT to node:port with connect data "cdata";
 *   send "bytes" bytes of a pattern (message mode: TSDUs of "tsdu"
 *   bytes) while receiving what comes back, both as chains of requests;
 *   check that what came back is what went, byte for byte;
 *   TDI_DISCONNECT: a release (waiting for the peer's), or an abort when
 *   "abort" is set;
 *   close everything.
 *
 * The result is "ok bytes=N accept=<the accept data> reason=R" or
 * "fail <step> <errno>".  The write returns when the session is over.
 */

#include <linux/completion.h>
#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/net_namespace.h>
#include <net/tdi.h>

static char *node = "02:00:00:00:01:01";
module_param(node, charp, 0644);
MODULE_PARM_DESC(node, "the node to connect to");

static ushort port = 7;
module_param(port, ushort, 0644);
MODULE_PARM_DESC(port, "the port to connect to");

static bool seqpacket;
module_param(seqpacket, bool, 0644);
MODULE_PARM_DESC(seqpacket, "message mode (SOCK_SEQPACKET) rather than a stream");

static uint bytes = 65536;
module_param(bytes, uint, 0644);
MODULE_PARM_DESC(bytes, "how much to send, and expect back");

static uint tsdu = 3000;
module_param(tsdu, uint, 0644);
MODULE_PARM_DESC(tsdu, "the TSDU size in message mode");

static char *cdata = "echo: from the kernel";
module_param(cdata, charp, 0644);
MODULE_PARM_DESC(cdata, "connect data");

static bool abort_end;
module_param_named(abort, abort_end, bool, 0644);
MODULE_PARM_DESC(abort, "end with an abort rather than a release");

static char result[160] = "none";
module_param_string(result, result, sizeof(result), 0444);
MODULE_PARM_DESC(result, "the outcome of the last session (read only)");

#define PING_BUF	4096

/* One session. */
struct ping {
	struct tdi_address	*a;
	struct tdi_endpoint	*ep;
	struct completion	step;		/* connect, disconnect */
	struct completion	data_done;	/* everything sent and back */
	struct tdi_request	creq, sreq, rreq, dreq;
	int			status;		/* of connect, disconnect */
	int			err;		/* of the data chains */
	size_t			sent, queued, received;
	bool			sends_over, receives_over;
	u8			out[PING_BUF];
	u8			in[PING_BUF];
	u8			*expect;	/* what must come back */
};

static DEFINE_MUTEX(ping_lock);

static void ping_step_done(struct tdi_request *req, int status, size_t n)
{
	struct ping *p = req->context;

	p->status = status;
	complete(&p->step);
}

static void ping_check_done(struct ping *p)
{
	if (p->sends_over && p->receives_over)
		complete(&p->data_done);
}

/* The byte at offset @i of the session's data */
static u8 ping_byte(size_t i)
{
	return i * 13 + (i >> 9);
}

static void ping_send_next(struct ping *p);

static void ping_sent(struct tdi_request *req, int status, size_t n)
{
	struct ping *p = req->context;

	if (status) {
		p->err = p->err ?: status;
		p->sends_over = true;
		ping_check_done(p);
		return;
	}
	p->sent += n;
	ping_send_next(p);
}

/* The next piece: in message mode a TSDU's piece, TDI_SEND_PARTIAL but
 * on its last.
 */
static void ping_send_next(struct ping *p)
{
	size_t n = min_t(size_t, bytes - p->sent, PING_BUF);
	struct kvec kv = { .iov_base = p->out };
	unsigned int flags = 0;
	struct iov_iter it;
	size_t i;
	int err;

	if (p->sent == bytes) {
		p->sends_over = true;
		ping_check_done(p);
		return;
	}
	if (seqpacket) {
		size_t in_tsdu = p->sent % tsdu;

		n = min_t(size_t, n, tsdu - in_tsdu);
		if (in_tsdu + n < tsdu && p->sent + n < bytes)
			flags |= TDI_SEND_PARTIAL;
	}
	for (i = 0; i < n; i++)
		p->out[i] = ping_byte(p->sent + i);
	kv.iov_len = n;
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, n);
	p->sreq.complete = ping_sent;
	p->sreq.context = p;
	err = tdi_send(p->ep, &p->sreq, &it, flags);
	if (err) {
		p->err = p->err ?: err;
		p->sends_over = true;
		ping_check_done(p);
	}
}

static void ping_receive_next(struct ping *p);

static void ping_received(struct tdi_request *req, int status, size_t n)
{
	struct ping *p = req->context;
	size_t i;

	if (!status && !n)
		status = -EPIPE;	/* the peer's data ended early */
	if (!status && p->received + n > bytes)
		status = -EMSGSIZE;
	for (i = 0; !status && i < n; i++)
		if (p->in[i] != ping_byte(p->received + i))
			status = -EILSEQ;
	if (status) {
		p->err = p->err ?: status;
		p->receives_over = true;
		ping_check_done(p);
		return;
	}
	p->received += n;
	ping_receive_next(p);
}

static void ping_receive_next(struct ping *p)
{
	struct kvec kv = { .iov_base = p->in, .iov_len = PING_BUF };
	struct iov_iter it;
	int err;

	if (p->received == bytes) {
		p->receives_over = true;
		ping_check_done(p);
		return;
	}
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, PING_BUF);
	p->rreq.complete = ping_received;
	p->rreq.context = p;
	err = tdi_receive(p->ep, &p->rreq, &it, 0);
	if (err) {
		p->err = p->err ?: err;
		p->receives_over = true;
		ping_check_done(p);
	}
}

/* Wait for a step; its status, or -ETIMEDOUT. */
static int ping_wait(struct ping *p, struct completion *c)
{
	if (!wait_for_completion_timeout(c, 60 * HZ))
		return -ETIMEDOUT;
	return 0;
}

/* The session; the step that failed in *@step. */
static int ping_session(struct ping *p, const char **step)
{
	struct sockaddr_tdi sa = { .stdi_family = AF_TDI };
	u8 ud[TDI_MAX_USER_DATA + 1];
	int err, len;

	*step = "node";
	if (!mac_pton(node, sa.stdi_node))
		return -EINVAL;
	sa.stdi_port = htons(port);
	*step = "open";
	p->a = tdi_open_address(&init_net, &(struct sockaddr_tdi){
					.stdi_family = AF_TDI }, &err);
	if (!p->a)
		return err;
	p->ep = tdi_open_endpoint(&init_net,
				  seqpacket ? SOCK_SEQPACKET : SOCK_STREAM, p,
				  &err);
	if (!p->ep)
		return err;
	*step = "associate";
	err = tdi_associate_address(p->ep, p->a);
	if (err)
		return err;

	*step = "connect";
	p->creq.complete = ping_step_done;
	p->creq.context = p;
	err = tdi_connect(p->ep, &p->creq, &sa, cdata,
			  min_t(size_t, strlen(cdata), TDI_MAX_USER_DATA), 0);
	if (!err)
		err = ping_wait(p, &p->step) ?: p->status;
	if (err)
		return err;
	len = tdi_peer_user_data(p->ep, TDI_ACCEPT_DATA, ud, sizeof(ud));
	ud[max(len, 0)] = 0;

	*step = "data";
	ping_receive_next(p);
	ping_send_next(p);
	err = ping_wait(p, &p->data_done) ?: p->err;
	if (err)
		return err;

	*step = "disconnect";
	reinit_completion(&p->step);
	p->dreq.complete = ping_step_done;
	p->dreq.context = p;
	err = tdi_disconnect(p->ep, &p->dreq, abort_end ?
			     TDI_DISCONNECT_ABORT : TDI_DISCONNECT_RELEASE,
			     "ping over", 9, 0);
	if (!err)
		err = ping_wait(p, &p->step) ?: p->status;
	if (err)
		return err;
	snprintf(result, sizeof(result), "ok bytes=%zu accept=%s reason=%d",
		 p->received, ud, tdi_disconnect_reason(p->ep));
	return 0;
}

static int ping_run(const char *val, const struct kernel_param *kp)
{
	const char *step = "";
	struct ping *p;
	int err;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	init_completion(&p->step);
	init_completion(&p->data_done);
	mutex_lock(&ping_lock);
	err = ping_session(p, &step);
	if (err)
		snprintf(result, sizeof(result), "fail %s %d", step, err);
	/* a close completes what is still outstanding: after it, nothing
	 * of the session runs any more and @p may go
	 */
	if (p->ep)
		tdi_close_endpoint(p->ep);
	if (p->a)
		tdi_close_address(p->a);
	mutex_unlock(&ping_lock);
	kfree(p);
	return err;
}

static const struct kernel_param_ops ping_run_ops = { .set = ping_run };
module_param_cb(run, &ping_run_ops, NULL, 0200);
MODULE_PARM_DESC(run, "write anything: run one session (write only)");

static int __init ping_init(void)
{
	return 0;
}

static void __exit ping_exit(void)
{
	/* a session still running keeps its sysfs file, which the
	 * unload drains before the module's memory goes
	 */
}

module_init(ping_init);
module_exit(ping_exit);

MODULE_DESCRIPTION("tdi sample: a kernel client that connects out");
MODULE_LICENSE("GPL");
