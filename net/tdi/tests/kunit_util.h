/* SPDX-License-Identifier: GPL-2.0 */
/* What the KUnit suites of tdi share (kunit_main.c). */
#ifndef _TDI_KUNIT_UTIL_H
#define _TDI_KUNIT_UTIL_H

struct net_device;

struct net_device *tdi_kunit_loopback(const char *name, int *err);

#endif /* _TDI_KUNIT_UTIL_H */
