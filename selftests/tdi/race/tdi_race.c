// SPDX-License-Identifier: GPL-2.0
/*
 * tdi_race: a test module that widens a race window in tdi.ko.
 *
 * Races between a lockless lookup and the teardown of what it walks are
 * real but short: a reader holds an entry's address for a few
 * instructions.  This module puts a kprobe on the first 4-byte load that
 * KASAN instruments (the first call of __asan_load4) in a function of
 * tdi.ko, by default tdi_conn_lookup(), where the walk holds an entry
 * whose fields it has not read yet, and spins there for delay_us
 * microseconds each time.  A teardown that frees the entry during the
 * spin is then seen by KASAN as a use-after-free in the reader; a sound
 * lookup (entries freed after an RCU grace period) makes the teardown
 * wait instead.
 *
 * Used by selftests/tdi/tdi_race.  Needs a kernel with CONFIG_KASAN
 * (outline) and CONFIG_KPROBES.  Parameters: func, delay_us and cpu
 * (load time: hold walks on that CPU only, so that the teardown on
 * another CPU, and the walks its own frames cause there, run free),
 * hits (read-only: how many times the probe fired), busy (read-only: how
 * many walks it holds right now, so that a test can strike then), offset
 * (read-only: where the probe sits in func).
 */

#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>

#include "asan.h"

static char *func = "tdi_conn_lookup";
module_param(func, charp, 0444);
MODULE_PARM_DESC(func, "function of tdi.ko to probe");

static uint delay_us = 1000;
module_param(delay_us, uint, 0444);
MODULE_PARM_DESC(delay_us, "microseconds to spin on each hit");

static int cpu = -1;
module_param(cpu, int, 0444);
MODULE_PARM_DESC(cpu, "hold walks on this CPU only (-1: on every CPU)");

static atomic_t tdi_race_hits = ATOMIC_INIT(0);
static atomic_t tdi_race_busy = ATOMIC_INIT(0);

/* read-only parameters that show an atomic_t */
static int tdi_race_atomic_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(kp->arg));
}

static const struct kernel_param_ops tdi_race_atomic_ops = {
	.get = tdi_race_atomic_get,
};
module_param_cb(hits, &tdi_race_atomic_ops, &tdi_race_hits, 0444);
MODULE_PARM_DESC(hits, "how many times the probe fired");
module_param_cb(busy, &tdi_race_atomic_ops, &tdi_race_busy, 0444);
MODULE_PARM_DESC(busy, "how many walks are held right now");

static uint offset;
module_param(offset, uint, 0444);
MODULE_PARM_DESC(offset, "where the probe sits in func (read-only)");

static int tdi_race_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (cpu >= 0 && smp_processor_id() != cpu)
		return 0;
	atomic_inc(&tdi_race_hits);
	atomic_inc(&tdi_race_busy);
	udelay(delay_us);
	atomic_dec(&tdi_race_busy);
	return 0;
}

static struct kprobe tdi_race_kp = {
	.pre_handler = tdi_race_pre,
};

/* The size of the function at @addr, from kallsyms; 0 if unknown. */
static unsigned long tdi_race_func_size(unsigned long addr)
{
	char sym[KSYM_SYMBOL_LEN];
	unsigned long size;
	char *slash;

	/* "name+0x0/0x1a0 [tdi]" */
	sprint_symbol(sym, addr);
	slash = strchr(sym, '/');
	if (!slash || sscanf(slash + 1, "%lx", &size) != 1)
		return 0;
	return size;
}

/* Is there a call to __asan_load4 at @p (e8 and a 32-bit displacement)? */
static bool tdi_race_is_load4(const u8 *p)
{
	unsigned long target;
	s32 disp;

	if (p[0] != 0xe8)
		return false;
	memcpy(&disp, p + 1, sizeof(disp));
	target = (unsigned long)p + 5 + disp;
	return target == (unsigned long)__asan_load4 ||
	       target == (unsigned long)__asan_load4_noabort;
}

static int tdi_race_find(unsigned long *where)
{
	struct kprobe probe = { .symbol_name = func };
	unsigned long start, size, i;
	int err;

	/* a kprobe resolves the symbol, whether exported or not */
	err = register_kprobe(&probe);
	if (err)
		return err;
	start = (unsigned long)probe.addr;
	unregister_kprobe(&probe);
	size = tdi_race_func_size(start);
	for (i = 0; i + 5 <= size; i++) {
		if (tdi_race_is_load4((const u8 *)start + i)) {
			*where = i;
			return 0;
		}
	}
	return -ENOENT;
}

static int __init tdi_race_init(void)
{
	unsigned long where;
	int err;

	if (delay_us > 100000)
		return -EINVAL;
	err = tdi_race_find(&where);
	if (err) {
		pr_err("tdi_race: no __asan_load4 call in %s (%d)\n", func, err);
		return err;
	}
	tdi_race_kp.symbol_name = func;
	tdi_race_kp.offset = where;
	err = register_kprobe(&tdi_race_kp);
	if (err) {
		pr_err("tdi_race: cannot probe %s+%#lx (%d)\n", func, where, err);
		return err;
	}
	offset = where;
	pr_info("tdi_race: %s+%#lx, %u us per hit\n", func, where, delay_us);
	return 0;
}

static void __exit tdi_race_exit(void)
{
	unregister_kprobe(&tdi_race_kp);
}

module_init(tdi_race_init);
module_exit(tdi_race_exit);
MODULE_DESCRIPTION("tdi test: widen the race window of a lockless lookup");
MODULE_LICENSE("GPL");
