# SPDX-License-Identifier: GPL-2.0
#
# tdi: out-of-tree build of net/tdi/tdi.ko (and tdi_kunit.ko when the
# target kernel has KUnit), plus the project's check targets.
#
#   make [KDIR=<kernel build dir>]   build the modules (W=1)
#   make check                       everything CI runs (see README.md)
#   make check-full                  the same, with larger transfers
#   make demo                        see tdi work: a guest shows a query-accept
#                                    offer, a transfer, expedited data, a release
#   make bench                       tdi against TCP in a guest (tools/tdiperf)
#   make kernel                      build (once) the debug test kernel
#   make tools                       build tools/tdicat, tdiperf and tdiflood
#   make selftests                   build the userland selftests (and tools)
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
MAKEFLAGS += --no-print-directory

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

# Sparse over every file, not only the ones make rebuilds.
sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=2 modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C selftests/tdi clean
	rm -f tools/tdicat tools/tdiperf tools/tdiflood

kernel:
	scripts/build-kernel debug

# Userland programs: tools/tdicat (netcat for AF_TDI).
TOOLS_CFLAGS := -Wall -Wextra -Werror -O2 -Iinclude/uapi

tools: tools/tdicat tools/tdiperf tools/tdiflood

tools/%: tools/%.c include/uapi/linux/tdi.h
	$(CC) $(TOOLS_CFLAGS) -o $@ $<

selftests: tools
	$(MAKE) -C selftests/tdi \
		KSFT_DIR=$$(bash -c '. scripts/lib.sh && tdi_ksrc')/tools/testing/selftests

check:
	scripts/check

check-full:
	scripts/check --full

bench:
	scripts/bench

demo:
	scripts/demo

.PHONY: all modules sparse clean kernel tools selftests check check-full bench demo
