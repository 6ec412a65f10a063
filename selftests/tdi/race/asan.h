/* SPDX-License-Identifier: GPL-2.0 */
/* The KASAN checks instrumented code calls (mm/kasan/kasan.h, not exported as a header). */
#ifndef TDI_RACE_ASAN_H
#define TDI_RACE_ASAN_H

void __asan_load4(unsigned long addr);
void __asan_load4_noabort(unsigned long addr);

#endif
