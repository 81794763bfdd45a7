# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# gomem top-level Makefile.  The kernel build itself is described by Kbuild;
# this file drives it and the tests.
#
#   make [modules]     build gomem.ko for the running kernel, or KDIR=...
#   make modules-check build with W=1 -Werror against Debian's 6.1 and 6.12 headers
#   make lint          checkpatch.pl --strict on the kernel sources, shellcheck on the scripts
#   make harness       userspace harness: unit and differential tests
#   make fuzz          bounded libFuzzer run
#   make kunit         KUnit suites in QEMU on a linux-source-6.12 kernel
#   make vm-test       end-to-end tests of /dev/gomem in QEMU on Debian's 6.1
#                      and 6.12 kernel images and on the debug kernel
#                      (KASAN, lockdep, kmemleak...; scripts/debug-kernel.sh),
#                      where the system-call fuzzer runs too (scripts/vm.sh)
#   make soak SECONDS=N [SEED=S]
#                      the system-call fuzzer (userspace/fuzz) on the debug
#                      kernel for N seconds (default 3600), in rounds, some
#                      with fault injection; a failure names its seed
#   make run           the demo: producer and consumer sharing the arena, in
#                      QEMU on Debian's 6.12 kernel (installs what it needs)
#   make test          deps, then harness, fuzz, modules-check, lint, kunit,
#                      vm-test
#   make bench         the core natively vs glibc malloc, jemalloc, mimalloc on
#                      GoMem's workloads, tree growth, fragmentation (bench/)
#   make dkms-check    dkms add/build against both header versions, in scratch trees
#   make lib-check     libgomem/gomemctl checks that need no device
#   make install       module (modules_install), udev rule, library and gomemctl
#   make deps          install missing Debian packages (scripts/deps.sh)
#   make clean         remove build products
#
# GOMEM_CACHE (default ~/.cache/gomem) holds the unpacked kernel tree, the
# KUnit build directory and the kernel images of the VM tests, outside the
# repository.

KDIR ?= /lib/modules/$(shell uname -r)/build
GOMEM_CACHE ?= $(or $(HOME),$(shell getent passwd $$(id -u) | cut -d: -f6))/.cache/gomem
export GOMEM_CACHE

# KUnit suites that must run and pass: a missing one fails "make kunit".
KUNIT_SUITES ?= gomem_treap gomem_avl gomem_arena gomem_recyclable gomem_reader gomem_buddy gomem_owner

HARNESS := userspace/harness

.PHONY: all modules modules-check lint harness fuzz kunit vm-test run test bench deps \
	dkms-check lib-check install clean soak

all: modules

modules:
	@test -f $(KDIR)/Makefile || { \
		echo "gomem: no kernel build tree at $(KDIR); pass KDIR=, e.g.:"; \
		ls -d /lib/modules/*/build 2>/dev/null | sed 's/^/  make KDIR=/'; \
		exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_GOMEM=m modules

modules-check:
	scripts/modules-check.sh

lint:
	scripts/lint.sh

harness:
	$(MAKE) -C $(HARNESS) test

fuzz:
	$(MAKE) -C $(HARNESS) fuzz

kunit:
	GOMEM_KUNIT_SUITES="$(KUNIT_SUITES)" scripts/kunit.sh

# gomem.ko comes from modules-check (rebuilt by vm.sh if older than its
# sources); vm.sh builds userspace/tests and userspace/demo.
vm-test:
	scripts/vm.sh

run:
	@scripts/deps.sh
	@scripts/vm.sh --demo

soak:
	@scripts/deps.sh
	GOMEM_SOAK_SECONDS=$(or $(SECONDS),3600) $(if $(SEED),GOMEM_FUZZ_SEED=$(SEED)) \
		scripts/vm.sh --soak

test:
	scripts/test.sh

bench:
	$(MAKE) -C bench

dkms-check:
	scripts/dkms-check.sh

# libgomem and gomemctl without a device: symbols, soname, an install into a
# scratch DESTDIR used through pkg-config (C, C++, static), usage errors.
lib-check:
	$(MAKE) -C userspace/lib check

# Installs the module for KDIR's kernel (modules_install, then depmod) and
# the udev rule giving group "gomem" access to /dev/gomem.  DESTDIR and
# PREFIX also go to the userspace library and gomemctl, if present.
PREFIX ?= /usr/local
install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_GOMEM=m \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	install -D -m 0644 udev/60-gomem.rules \
		$(DESTDIR)/etc/udev/rules.d/60-gomem.rules
	@if [ -z "$(DESTDIR)" ] && ! getent group gomem >/dev/null; then \
		echo "gomem: creating group gomem"; groupadd --system gomem; fi
	@for d in userspace/lib userspace/cli; do \
		if [ -f $$d/Makefile ]; then \
			$(MAKE) -C $$d install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) \
				|| exit 1; \
		fi; \
	done

deps:
	scripts/deps.sh

clean:
	rm -rf build
	find . -path ./userspace -prune -o -path ./.git -prune -o \
		\( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name '*.symvers' -o -name 'modules.order' \
		-o -name '.*.d' -o -name '*.dwo' \) -type f -print0 | xargs -0r rm -f
	rm -rf .tmp_versions
	@if [ -f $(HARNESS)/Makefile ]; then $(MAKE) -C $(HARNESS) clean; fi
	@if [ -f userspace/fuzz/Makefile ]; then $(MAKE) -C userspace/fuzz clean; fi
