# SPDX-License-Identifier: GPL-2.0
#
# rcumap: build the module, run it in a QEMU guest, test it.
#
#   make            build rcumap.ko (and its KUnit module) for the debug guest
#   make run        build everything and run a short demo in the guest
#   make check      the whole test suite; last line "N passed, N failed"
#   make lint       checkpatch --strict and sparse over our sources
#   make native     the maps in user space: tests, TSan, ASan, fuzzing
#   make model      spin over the Promela models (and their broken variants)
#   make torture DURATION=600   long torture + 10^7-op differential check
#   make fuzz-guest FUZZ_SECONDS=600   long ioctl fuzzing in the guest
#   make bench      benchmarks against rhashtable, XArray, IDR, bpf(2) in a guest
#   make bench-native  user-space benchmarks and instruction counts
#   make deps       install what a fresh Debian 12 machine lacks
#   make install    rcumap.ko, headers, rcumapctl, its man page, a udev rule,
#                   librcumap (libraries, header, rcumap.pc, man3 pages)
#                   (DESTDIR, PREFIX (/usr/local), KDIR); make uninstall
#   make dist       rcumap-VERSION.tar.xz from git archive HEAD
#   make dkms-check DKMS add, build, install and remove for the installed
#                   kernels' headers (as root; changes /lib/modules)
#
# KDIR selects the kernel to build against.  By default it is the project's
# own debug guest kernel (built once from Debian's linux-source-6.1 and cached
# under ~/.cache/rcumap); any configured kernel tree works too, e.g.
#   make KDIR=/lib/modules/$(uname -r)/build

VM	:= tools/vm
VARIANT	?= debug

ifeq ($(origin KDIR),undefined)
KDIR	:= $(shell $(VM)/kernel.sh --path $(VARIANT))
OWN_KERNEL := 1
BUILD	:= build/$(VARIANT)
else
BUILD	:= build/custom
endif

SOURCES	:= Kbuild VERSION $(wildcard kmod/*.[ch] kmod/*/*.[ch] kunit/*.[ch] \
			    include/linux/*.h include/uapi/linux/*.h)

.PHONY: all modules kernel deps lint run check clean help native bench-native fuzz bench \
	torture fuzz-guest model install uninstall dist dkms-check

all: modules

help:
	@sed -n '3,25p' Makefile

deps:
	@$(VM)/deps.sh

kernel:
ifdef OWN_KERNEL
	@$(VM)/kernel.sh $(VARIANT) >/dev/null
endif

# Kbuild writes objects next to the sources; build in a copy per kernel so
# that the debug and kcsan modules never mix.
modules: kernel
	@mkdir -p $(BUILD)
	@tar -cf - $(SOURCES) | tar -xf - -C $(BUILD)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(BUILD) W=1 modules

lint: kernel
	@tools/lint.sh $(KDIR)

run:
	@$(VM)/deps.sh --quiet
	@$(MAKE) -s modules VARIANT=debug
	@$(MAKE) -s -C tools/rcumapctl O=$(CURDIR)/build/rcumapctl
	@$(VM)/run.sh --kernel debug --out out/run --timeout 300 \
		--module build/debug/rcumap.ko --bin build/rcumapctl/rcumapctl \
		--script tools/rcumapctl/demo.sh; status=$$?; \
		cat out/run/out/demo.txt 2>/dev/null; exit $$status

check:
	@tools/check.sh

# The Promela models of the publish/retire protocol and of the ptab ring,
# each with broken variants that spin must reject.
model:
	@$(VM)/deps.sh --quiet
	@model/check.sh --long

# Long forms of make check's short runs: the torture and differential
# check in both guests, and the ioctl fuzzer.
DURATION ?= 600
DIFF_OPS ?= 10000000
FUZZ_SECONDS ?= 600

torture:
	@$(VM)/deps.sh --quiet
	@$(MAKE) -s modules VARIANT=debug
	@$(MAKE) -s modules VARIANT=kcsan
	@for v in debug kcsan; do \
		$(VM)/run.sh --kernel $$v --mem 1024 --out out/torture-$$v \
			--timeout $$(($(DURATION) * 2 + 900)) \
			--script kmod/torture/guest.sh \
			--module build/$$v/rcumap.ko --module build/$$v/rcumap_torture.ko \
			--append "RCUMAP_TORTURE_DURATION=$(DURATION) RCUMAP_TORTURE_DIFF_OPS=$(DIFF_OPS)" \
			|| exit 1; \
		grep -h 'rcumap_torture:' out/torture-$$v/out/torture.txt; \
	done

fuzz-guest:
	@$(VM)/deps.sh --quiet
	@$(MAKE) -s modules VARIANT=debug
	@$(MAKE) -s -C tools/fuzz O=$(CURDIR)/build/fuzz
	@$(VM)/run.sh --kernel debug --mem 1024 --out out/fuzz \
		--timeout $$(($(FUZZ_SECONDS) + 600)) --script tools/fuzz/guest.sh \
		--module build/debug/rcumap.ko --bin build/fuzz/rcumap_ioctl_fuzz \
		--append "RCUMAP_FUZZ_SECONDS=$(FUZZ_SECONDS)"; status=$$?; \
		tail -n 3 out/fuzz/out/fuzz.txt; exit $$status

# The maps built in user space against liburcu (tools/native/): functional
# and stress tests, TSan, ASan+UBSan, libFuzzer, benchmarks, callgrind.
native:
	@$(VM)/deps.sh --quiet
	@$(MAKE) -s -C tools/native check

# In-kernel and /dev/rcumap-vs-bpf(2) benchmarks in a guest kernel without
# the debug options (tools/vm/config/bench.config); BENCH_* variables tune
# it (see Documentation/benchmarks-guest.rst).
bench:
	@$(VM)/deps.sh --quiet
	@tools/bench/bench.sh

bench-native:
	@$(VM)/deps.sh --quiet
	@$(MAKE) -s -C tools/native bench callgrind

fuzz:
	@$(VM)/deps.sh --quiet
	@$(MAKE) -s -C tools/native fuzz

# Line and branch coverage of the maps (kmod/hash.c, hash_lru.c,
# hash_percpu.c, ptab.c) in the native build, from the KUnit suites and the
# stress programs: out/native/coverage/ (summary.txt, html/).
.PHONY: coverage
coverage:
	@$(VM)/deps.sh --quiet
	@$(MAKE) -s -C tools/native coverage

# make install: where things go.  KERNELRELEASE is the kernel's UTS_RELEASE,
# which is what modprobe looks for: Debian's headers say "6.1.0-56-amd64"
# there while their "make kernelrelease" says "6.1.192".  depmod runs only
# for a real install: a DESTDIR is a staging tree, and its packager runs
# depmod (or "depmod -b DESTDIR") when it is installed.
# Not VERSION: that one, on the command line, would reach the kernel's make.
RCUMAP_VERSION	:= $(shell cat VERSION)
PREFIX		?= /usr/local
INSTALL_MOD_DIR	?= extra
KERNELRELEASE	?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
			$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MODDIR		 = $(DESTDIR)/lib/modules/$(KERNELRELEASE)/$(INSTALL_MOD_DIR)
# Kernel API headers and Module.symvers for modules that use rcumap's
# exports, next to where DKMS keeps the source (see rcumap-install.rst).
KAPIDIR		 = $(DESTDIR)$(PREFIX)/src/rcumap-$(RCUMAP_VERSION)
UDEVRULESDIR	?= $(PREFIX)/lib/udev/rules.d
INSTALLED	 = $(MODDIR)/rcumap.ko $(DESTDIR)$(PREFIX)/include/linux/rcumap.h \
		   $(KAPIDIR)/include/linux/rcumap_hash.h \
		   $(KAPIDIR)/include/linux/rcumap_ptab.h \
		   $(KAPIDIR)/$(KERNELRELEASE)/Module.symvers \
		   $(DESTDIR)$(UDEVRULESDIR)/60-rcumap.rules

define depmod
	$(if $(DESTDIR),@echo "DESTDIR set: not running depmod",depmod -a $(KERNELRELEASE))
endef

install: modules
	@[ -n "$(KERNELRELEASE)" ] || { echo "no UTS_RELEASE in $(KDIR)" >&2; exit 1; }
	install -D -m 0644 $(BUILD)/rcumap.ko $(MODDIR)/rcumap.ko
	$(depmod)
	install -D -m 0644 include/uapi/linux/rcumap.h $(DESTDIR)$(PREFIX)/include/linux/rcumap.h
	install -d $(KAPIDIR)/include/linux $(KAPIDIR)/$(KERNELRELEASE)
	install -m 0644 include/linux/rcumap_hash.h include/linux/rcumap_ptab.h \
		$(KAPIDIR)/include/linux/
	install -m 0644 $(BUILD)/Module.symvers $(KAPIDIR)/$(KERNELRELEASE)/
	install -D -m 0644 packaging/60-rcumap.rules $(DESTDIR)$(UDEVRULESDIR)/60-rcumap.rules
	$(MAKE) -s -C tools/rcumapctl O=$(CURDIR)/build/rcumapctl \
		DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) install
	$(MAKE) -s -C tools/lib/rcumap O=$(CURDIR)/build/librcumap \
		DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) install

uninstall:
	@[ -n "$(KERNELRELEASE)" ] || { echo "no UTS_RELEASE in $(KDIR)" >&2; exit 1; }
	rm -f $(INSTALLED)
	@# Only directories of ours, deepest first, and only if empty.
	-@for d in $(MODDIR) $(KAPIDIR)/include/linux $(KAPIDIR)/include \
		$(KAPIDIR)/$(KERNELRELEASE) $(KAPIDIR); do \
		[ ! -d $$d ] || rmdir --ignore-fail-on-non-empty $$d; done
	$(depmod)
	$(MAKE) -s -C tools/rcumapctl DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) uninstall
	$(MAKE) -s -C tools/lib/rcumap DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) uninstall

# The release tarball: what HEAD holds (not the working tree), under
# rcumap-VERSION/.  git archive stamps every file with the commit's time
# and single-threaded xz always packs the same way, so the same commit
# always gives the same bytes.
DISTDIR	?= $(CURDIR)
DIST	:= rcumap-$(RCUMAP_VERSION)

dist:
	@git rev-parse --verify -q HEAD >/dev/null || { echo "make dist needs a git checkout" >&2; exit 1; }
	@git diff --quiet HEAD -- || echo "note: uncommitted changes are not in $(DIST).tar.xz" >&2
	git -c tar.umask=0022 archive --format=tar --prefix=$(DIST)/ \
		-o $(DISTDIR)/$(DIST).tar.tmp HEAD
	xz -6 -T1 -c $(DISTDIR)/$(DIST).tar.tmp >$(DISTDIR)/$(DIST).tar.xz.tmp
	rm $(DISTDIR)/$(DIST).tar.tmp
	mv $(DISTDIR)/$(DIST).tar.xz.tmp $(DISTDIR)/$(DIST).tar.xz
	@echo "$(DISTDIR)/$(DIST).tar.xz"

# DKMS for real, against the installed kernels' headers: add, build,
# install and remove the tarball of HEAD.  Root only; it runs depmod for
# each kernel, as DKMS does.  make check runs the root-free part
# (tools/pkg/check.sh: add and build in a private DKMS tree).
dkms-check:
	@tools/pkg/dkms-check.sh

clean:
	rm -rf build out
