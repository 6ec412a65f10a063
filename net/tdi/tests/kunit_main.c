// SPDX-License-Identifier: GPL-2.0
/*
 * tdi_kunit.ko: the KUnit suites of tdi.  Each tests/<area>_kunit.c file
 * registers its own suites; this file only describes the module.
 */

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "kunit_util.h"

/* The loopback device: every frame comes straight back in. */
static netdev_tx_t tdi_kunit_xmit(struct sk_buff *skb, struct net_device *dev)
{
	skb_orphan(skb);
	skb->protocol = eth_type_trans(skb, dev);
	dev->stats.tx_packets++;
	netif_rx(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops tdi_kunit_netdev_ops = {
	.ndo_start_xmit	= tdi_kunit_xmit,
};

/**
 * tdi_kunit_loopback() - register and open a loopback Ethernet device
 * @name: its name pattern ("tdikt%d")
 * @err: the error when NULL is returned
 *
 * What the device sends comes back in through netif_rx(), to its own
 * random address; unregister_netdev() frees it.
 *
 * Return: the device, or NULL.
 */
struct net_device *tdi_kunit_loopback(const char *name, int *err)
{
	struct net_device *dev;

	*err = -ENOMEM;
	dev = alloc_netdev(0, name, NET_NAME_ENUM, ether_setup);
	if (!dev)
		return NULL;
	dev->netdev_ops = &tdi_kunit_netdev_ops;
	dev->needs_free_netdev = true;
	eth_hw_addr_random(dev);
	rtnl_lock();
	*err = register_netdevice(dev);
	if (!*err)
		*err = dev_open(dev, NULL);
	rtnl_unlock();
	if (*err) {
		free_netdev(dev);
		return NULL;
	}
	return dev;
}

MODULE_DESCRIPTION("KUnit tests for tdi");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
