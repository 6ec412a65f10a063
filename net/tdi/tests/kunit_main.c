// SPDX-License-Identifier: GPL-2.0
/*
 * tdi_kunit.ko: the KUnit suites of tdi.  Each tests/<area>_kunit.c file
 * registers its own suites; this file only describes the module.
 */

#include <linux/module.h>

MODULE_DESCRIPTION("KUnit tests for tdi");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
