// SPDX-License-Identifier: GPL-2.0
/*
 * tdi sysctls, per network namespace, under net.tdi.  A value out of its
 * range is refused with EINVAL and changes nothing.
 *
 *   ephemeral_port_range	"low high": ports bind() picks for port 0;
 *				1024 <= low <= high <= 65535
 *   connect_timeout_ms		how long connect() waits for an answer
 *				(100 to 600000; SO_SNDTIMEO overrides it)
 *   rto_initial_ms		retransmission time-out before any RTT
 *				sample (1 to 60000)
 *   rto_min_ms, rto_max_ms	bounds of the retransmission time-out
 *				(1 to 60000, and rto_min_ms <= rto_max_ms:
 *				a write that would cross the other is
 *				refused)
 *   retries			time-outs in a row without an answer before a
 *				connection ends with ETIMEDOUT (1 to 100)
 *   delack_ms			longest delay of an acknowledgment (1 to 500)
 *   disconnect_timeout_ms	longest a closed endpoint's connection goes on
 *				in the background before it is aborted
 *				(100 to 600000)
 *   max_orphans		most such connections in the namespace; a
 *				close() beyond it aborts (0 to 1048576)
 *   keepalive_time_ms		SO_KEEPALIVE: silence before the first probe
 *				(100 to 86400000)
 *   keepalive_intvl_ms		SO_KEEPALIVE: between probes (100 to 3600000)
 *   keepalive_probes		SO_KEEPALIVE: unanswered probes that end the
 *				connection with ETIMEDOUT (1 to 100)
 *   max_offers			most half-open offers kept in the namespace's
 *				offer table; beyond it (or beyond a
 *				listener's backlog + 1) offers are answered
 *				with a stateless cookie (0 to 65536; 0:
 *				always a cookie)
 *   offer_timeout_ms		how long a query-accept offer waits for the
 *				listener's decision before it is rejected
 *				with TDI_REASON_TIMEOUT (100 to 600000)
 *   mem			(init_net only) "min pressure max", pages: the
 *				memory of all tdi sockets of the host, as
 *				net.ipv4.tcp_mem
 */

#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "tdi.h"

static int tdi_port_floor = TDI_PORT_PRIVILEGED;
static int tdi_port_ceiling = 65535;

static int tdi_port_range_handler(struct ctl_table *table, int write,
				  void *buffer, size_t *lenp, loff_t *ppos)
{
	struct tdi_net *tn = table->data;
	u32 range = READ_ONCE(tn->port_range);
	int vals[2] = { range >> 16, range & 0xffff };
	struct ctl_table tmp = {
		.data	= vals,
		.maxlen	= sizeof(vals),
		.mode	= table->mode,
		.extra1	= &tdi_port_floor,
		.extra2	= &tdi_port_ceiling,
	};
	int err;

	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	if (vals[0] > vals[1])
		return -EINVAL;
	WRITE_ONCE(tn->port_range, (u32)vals[0] << 16 | vals[1]);
	return 0;
}

/* Serialises the writes of rto_min_ms and rto_max_ms (their order). */
static DEFINE_MUTEX(tdi_rto_bounds_lock);

static int tdi_rto_bound_handler(struct ctl_table *table, int write,
				 void *buffer, size_t *lenp, loff_t *ppos)
{
	bool is_min = !strcmp(table->procname, "rto_min_ms");
	struct tdi_sysctl *s = is_min ?
		container_of((int *)table->data, struct tdi_sysctl, rto_min_ms) :
		container_of((int *)table->data, struct tdi_sysctl, rto_max_ms);
	int val = READ_ONCE(*(int *)table->data);
	struct ctl_table tmp = {
		.data	= &val,
		.maxlen	= sizeof(val),
		.mode	= table->mode,
		.extra1	= table->extra1,
		.extra2	= table->extra2,
	};
	int err;

	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	mutex_lock(&tdi_rto_bounds_lock);
	if (is_min ? val > READ_ONCE(s->rto_max_ms) :
		     val < READ_ONCE(s->rto_min_ms))
		err = -EINVAL;
	else
		WRITE_ONCE(*(int *)table->data, val);
	mutex_unlock(&tdi_rto_bounds_lock);
	return err;
}

static int tdi_one = 1;
static int tdi_hundred = 100;
static int tdi_min_connect = 100;
static int tdi_max_connect = 600000;
static int tdi_max_rto = 60000;
static int tdi_max_delack = 500;
static int tdi_zero;
static int tdi_max_orphans = 1048576;
static int tdi_max_ka_time = 86400000;
static int tdi_max_ka_intvl = 3600000;
static int tdi_max_offers = 65536;
static long tdi_long_one = 1;
static long tdi_long_max = LONG_MAX;

#define TDI_SYSCTL_INT(name, lo, hi) {				\
	.procname	= #name,					\
	.data		= (void *)offsetof(struct tdi_sysctl, name),	\
	.maxlen		= sizeof(int),					\
	.mode		= 0644,						\
	.proc_handler	= proc_dointvec_minmax,				\
	.extra1		= lo,						\
	.extra2		= hi,						\
}

#define TDI_SYSCTL_RTO_BOUND(name) {				\
	.procname	= #name,					\
	.data		= (void *)offsetof(struct tdi_sysctl, name),	\
	.maxlen		= sizeof(int),					\
	.mode		= 0644,						\
	.proc_handler	= tdi_rto_bound_handler,			\
	.extra1		= &tdi_one,					\
	.extra2		= &tdi_max_rto,					\
}

static const struct ctl_table tdi_sysctl_template[] = {
	{
		.procname	= "ephemeral_port_range",
		.maxlen		= 2 * sizeof(int),
		.mode		= 0644,
		.proc_handler	= tdi_port_range_handler,
	},
	TDI_SYSCTL_INT(connect_timeout_ms, &tdi_min_connect, &tdi_max_connect),
	TDI_SYSCTL_INT(rto_initial_ms, &tdi_one, &tdi_max_rto),
	TDI_SYSCTL_RTO_BOUND(rto_min_ms),
	TDI_SYSCTL_RTO_BOUND(rto_max_ms),
	TDI_SYSCTL_INT(retries, &tdi_one, &tdi_hundred),
	TDI_SYSCTL_INT(delack_ms, &tdi_one, &tdi_max_delack),
	TDI_SYSCTL_INT(disconnect_timeout_ms, &tdi_min_connect,
		       &tdi_max_connect),
	TDI_SYSCTL_INT(max_orphans, &tdi_zero, &tdi_max_orphans),
	TDI_SYSCTL_INT(keepalive_time_ms, &tdi_min_connect, &tdi_max_ka_time),
	TDI_SYSCTL_INT(keepalive_intvl_ms, &tdi_min_connect,
		       &tdi_max_ka_intvl),
	TDI_SYSCTL_INT(keepalive_probes, &tdi_one, &tdi_hundred),
	TDI_SYSCTL_INT(max_offers, &tdi_zero, &tdi_max_offers),
	TDI_SYSCTL_INT(offer_timeout_ms, &tdi_min_connect, &tdi_max_connect),
	{
		/* global: kept last, only init_net shows it */
		.procname	= "mem",
		.data		= sysctl_tdi_mem,
		.maxlen		= sizeof(sysctl_tdi_mem),
		.mode		= 0644,
		.proc_handler	= proc_doulongvec_minmax,
		.extra1		= &tdi_long_one,
		.extra2		= &tdi_long_max,
	},
	{ }
};

/* Index of "mem" in the template. */
#define TDI_SYSCTL_MEM	(ARRAY_SIZE(tdi_sysctl_template) - 2)

/**
 * tdi_sysctl_init() - register net.tdi for a namespace
 * @net: the namespace
 * @tn: its tdi state, which the table's entries point to
 *
 * Return: 0 or -ENOMEM.
 */
int tdi_sysctl_init(struct net *net, struct tdi_net *tn)
{
	struct ctl_table *table;
	unsigned int i;

	table = kmemdup(tdi_sysctl_template, sizeof(tdi_sysctl_template),
			GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	/* the port range handler takes tn; the others their own field */
	table[0].data = tn;
	for (i = 1; i < TDI_SYSCTL_MEM; i++)
		table[i].data = (char *)&tn->sysctl +
				(uintptr_t)tdi_sysctl_template[i].data;
	if (!net_eq(net, &init_net))
		memset(&table[TDI_SYSCTL_MEM], 0, sizeof(table[0]));

	tn->sysctl_hdr = register_net_sysctl(net, "net/tdi", table);
	if (!tn->sysctl_hdr) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

/**
 * tdi_sysctl_exit() - unregister net.tdi for a namespace
 * @tn: the namespace's tdi state
 */
void tdi_sysctl_exit(struct tdi_net *tn)
{
	struct ctl_table *table = tn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(tn->sysctl_hdr);
	kfree(table);
}
