# libleak - one Makefile. `make` builds build/libleak.so and build/leakreport.
# `make check` and `make demo` first install missing packages (scripts/deps.sh).
CC       ?= gcc
B        := build
CSTD     := -std=gnu11 -O2 -g -Wall -Wextra -Wshadow -Wstrict-prototypes
ifeq ($(CI),true)
CSTD     += -Werror
endif
CFLAGS   ?=
CFLAGS   += $(CSTD)
PRELOAD_CFLAGS := -Ipreload -fPIC -fvisibility=hidden -ftls-model=initial-exec
PRELOAD_LIBS   := -ldl -lpthread

# libunwind is opened at run time with dlopen(RTLD_LOCAL) by backtrace.c, so
# its backtrace()/_Unwind_Backtrace never enter the program's symbol scope;
# only its headers are needed to build.
PRELOAD_SRCS := \
	preload/life/start.c preload/life/finish.c preload/life/state.c preload/life/dumpsrc.c preload/interpose/real.c preload/interpose/malloc.c preload/interpose/cxx.c preload/interpose/process.c preload/interpose/dl.c preload/track/track.c preload/interpose/boot.c preload/life/config.c \
	preload/track/backtrace.c preload/base/arena.c preload/track/table.c preload/track/addrmap.c preload/track/stacks.c \
	preload/dump/modules.c preload/dump/dump.c preload/dump/file.c preload/base/fmt.c preload/track/counters.c \
	preload/interpose/deepbind.c preload/scan/stopworld.c preload/scan/roots.c preload/scan/scan.c preload/scan/mark.c preload/scan/classify.c preload/scan/result.c preload/scan/blkindex.c preload/scan/helper.c \
	preload/life/snapshot.c preload/life/warn.c preload/base/procfs.c preload/track/stackcache.c preload/track/cfi.c \
	preload/life/aside.c preload/base/pathglob.c preload/base/self.c preload/scan/readable.c preload/life/exits.c preload/scan/heuristics.c

REPORT_SRCS := \
	report/main.c report/options.c report/err.c report/model.c report/readfile.c report/dump_read.c report/modmap.c \
	report/modfile.c report/symbolize.c report/suppress.c report/group.c report/regroup.c report/retain.c report/gate.c \
	report/baseline.c report/output_text.c report/output_json.c report/exe_match.c report/per_process.c \
	report/series.c report/diff.c report/trend.c report/output_diff.c report/output_trend.c
REPORT_LIBS := -ldw -lelf -lstdc++

PRELOAD_OBJS := $(PRELOAD_SRCS:%.c=$(B)/%.o)
REPORT_OBJS  := $(REPORT_SRCS:%.c=$(B)/%.o)

.PHONY: all deps check check-layers unit e2e demo fuzz bench clean check-asan check-format \
	install uninstall version deb deps-deb check-deb check-install check-man
all: $(B)/libleak.so $(B)/leakreport

deps:
	@scripts/deps.sh

$(B)/preload/%.o: preload/%.c $(wildcard preload/*.h preload/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PRELOAD_CFLAGS) -c $< -o $@

$(B)/report/%.o: report/%.c $(wildcard report/*.h) preload/dumpfmt.h preload/base/pathglob.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ipreload -c $< -o $@

$(B)/libleak.so: $(PRELOAD_OBJS)
	$(CC) -shared -o $@ $^ $(PRELOAD_LIBS) -Wl,-z,nodelete -Wl,--no-undefined

# preload/base/pathglob.c, the LEAK_ONLY patterns, is --exe's matcher too.
$(B)/leakreport: $(REPORT_OBJS) $(B)/preload/base/pathglob.o
	$(CC) $(CFLAGS) -o $@ $^ $(REPORT_LIBS)

# ---- install: GNU's directory variables, in upper case (set them on the command
# line: make install PREFIX=/opt/libleak), and DESTDIR for staging. What goes
# where, and the manifest that uninstall follows, are scripts/install.sh's.
# The version has one owner, LEAKREPORT_VERSION in report/options.h (what
# leakreport --version prints); the installed leakcheck, libleak.pc, the man
# pages and the .deb take it from there.
VERSION      := $(shell sed -n 's/^.define LEAKREPORT_VERSION[[:space:]]*"\([^"]*\)".*/\1/p' report/options.h)
PREFIX       = /usr/local
EXEC_PREFIX  = $(PREFIX)
BINDIR       = $(EXEC_PREFIX)/bin
LIBDIR       = $(EXEC_PREFIX)/lib
PKGLIBDIR    = $(LIBDIR)/libleak
INCLUDEDIR   = $(PREFIX)/include
DATAROOTDIR  = $(PREFIX)/share
MANDIR       = $(DATAROOTDIR)/man
DOCDIR       = $(DATAROOTDIR)/doc/libleak
PKGCONFIGDIR = $(LIBDIR)/pkgconfig
DESTDIR      =
# The in-code API's header (issue 14), installed when it exists.
API_HEADER   = $(wildcard preload/libleak.h)

shq = '$(subst ','\'',$(1))'
need_version = $(if $(VERSION),,$(error cannot read LEAKREPORT_VERSION from report/options.h))
INSTALL_DIRS = DESTDIR=$(call shq,$(DESTDIR)) PREFIX=$(call shq,$(PREFIX)) \
	BINDIR=$(call shq,$(BINDIR)) LIBDIR=$(call shq,$(LIBDIR)) PKGLIBDIR=$(call shq,$(PKGLIBDIR)) \
	INCLUDEDIR=$(call shq,$(INCLUDEDIR)) MANDIR=$(call shq,$(MANDIR)) DOCDIR=$(call shq,$(DOCDIR)) \
	PKGCONFIGDIR=$(call shq,$(PKGCONFIGDIR))

install: all
	$(need_version)@scripts/install.sh install $(INSTALL_DIRS) VERSION=$(call shq,$(VERSION)) \
		B=$(call shq,$(B)) API_HEADER=$(call shq,$(API_HEADER))

uninstall:
	@scripts/install.sh uninstall $(INSTALL_DIRS)

version:
	$(need_version)@echo $(VERSION)

# ---- the Debian package: build/libleak_VERSION_ARCH.deb from an install into
# build/deb/root (PREFIX=/usr, the multiarch library directory), made by
# scripts/mkdeb.sh with dpkg-deb; Depends from dpkg-shlibdeps. check-deb
# (run by .ci/run as root) lints it, installs it with apt and dpkg, runs the
# installed tools and removes it again (tests/deb/run.sh).
DEB_ROOT = $(B)/deb/root
DEB      = $(B)/libleak_$(VERSION)_$(shell dpkg --print-architecture).deb

deps-deb:
	@scripts/deps.sh --deb

deb: all deps-deb
	$(need_version)@rm -rf $(B)/deb
	@$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(DEB_ROOT) PREFIX=/usr \
		LIBDIR=/usr/lib/$(shell dpkg-architecture -qDEB_HOST_MULTIARCH) >/dev/null
	@scripts/mkdeb.sh $(DEB_ROOT) $(DEB) $(VERSION)

check-deb: deb
	@tests/deb/run.sh $(DEB)

# Only the install and man-page cases of the end-to-end tests (make check runs them).
check-install: all
	@LIBLEAK=$(CURDIR)/$(B)/libleak.so LEAKREPORT=$(CURDIR)/$(B)/leakreport tests/e2e/run.sh '^install '

check-man: all
	@LIBLEAK=$(CURDIR)/$(B)/libleak.so LEAKREPORT=$(CURDIR)/$(B)/leakreport tests/e2e/run.sh '^manpages '

# ---- unit tests: one check suite per module, linking the module's own .c files
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)
UNIT_TESTS := check_pathglob check_table check_addrmap check_counters check_stacks check_roundtrip check_dump_read \
	check_symbolize check_group check_suppress check_gate check_baseline \
	check_trend check_diff check_exe_match check_per_process check_modmap check_options check_series check_model check_readfile check_output check_err check_retain

UNIT_check_pathglob    := preload/base/pathglob.c
UNIT_check_table       := preload/track/table.c preload/base/arena.c preload/base/fmt.c
UNIT_check_addrmap     := preload/track/addrmap.c preload/track/table.c preload/base/arena.c preload/base/fmt.c
UNIT_check_counters    := preload/track/counters.c preload/base/arena.c preload/base/fmt.c
UNIT_check_stacks      := preload/track/stacks.c preload/base/arena.c preload/base/fmt.c
UNIT_check_roundtrip   := preload/dump/dump.c preload/dump/file.c preload/dump/modules.c preload/base/fmt.c \
	preload/base/procfs.c preload/base/arena.c report/dump_read.c report/readfile.c report/model.c report/modmap.c report/err.c
UNIT_check_dump_read   := report/dump_read.c report/readfile.c report/model.c report/modmap.c report/err.c
UNIT_check_symbolize   := report/symbolize.c report/modfile.c report/modmap.c report/model.c report/err.c
UNIT_check_group       := report/group.c report/regroup.c report/retain.c report/err.c report/symbolize.c report/modfile.c report/dump_read.c report/modmap.c \
	report/suppress.c report/baseline.c report/readfile.c report/model.c
UNIT_check_suppress    := report/suppress.c report/readfile.c report/err.c
UNIT_check_gate        := report/gate.c report/model.c report/err.c
UNIT_check_baseline    := report/baseline.c report/readfile.c report/model.c report/err.c
UNIT_check_exe_match   := report/exe_match.c preload/base/pathglob.c report/err.c
UNIT_check_modmap      := report/modmap.c
UNIT_check_series      := report/series.c report/err.c
UNIT_check_model       := report/model.c
UNIT_check_err         := report/err.c
UNIT_check_readfile    := report/readfile.c report/err.c
UNIT_check_output      := report/output_text.c report/output_json.c report/output_diff.c report/output_trend.c \
	report/gate.c report/group.c report/regroup.c report/retain.c report/symbolize.c report/modfile.c report/suppress.c \
	report/baseline.c report/readfile.c report/modmap.c report/model.c report/err.c
UNIT_check_retain      := report/retain.c report/group.c report/regroup.c report/symbolize.c report/modfile.c \
	report/dump_read.c report/readfile.c report/modmap.c report/suppress.c report/baseline.c report/model.c \
	report/err.c
UNIT_check_options     := report/options.c report/gate.c report/exe_match.c preload/base/pathglob.c report/group.c \
	report/regroup.c report/retain.c report/symbolize.c report/modfile.c report/suppress.c report/baseline.c report/readfile.c \
	report/modmap.c report/model.c report/err.c
UNIT_check_per_process := report/per_process.c report/group.c report/regroup.c report/retain.c report/symbolize.c report/modfile.c report/dump_read.c \
	report/modmap.c report/suppress.c report/baseline.c report/readfile.c report/model.c report/err.c
UNIT_check_trend       := report/trend.c report/series.c report/group.c report/regroup.c report/retain.c report/symbolize.c report/modfile.c \
	report/suppress.c report/baseline.c report/readfile.c report/modmap.c report/model.c report/err.c
UNIT_check_diff        := report/diff.c report/series.c report/group.c report/regroup.c report/retain.c report/symbolize.c report/modfile.c \
	report/suppress.c report/baseline.c report/readfile.c report/modmap.c report/model.c report/err.c
UNIT_LIBS_check_symbolize := -ldw -lelf -lstdc++
UNIT_LIBS_check_group     := -ldw -lelf -lstdc++
UNIT_LIBS_check_trend     := -ldw -lelf -lstdc++
UNIT_LIBS_check_diff      := -ldw -lelf -lstdc++
UNIT_LIBS_check_per_process := -ldw -lelf -lstdc++
UNIT_LIBS_check_options   := -ldw -lelf -lstdc++
UNIT_LIBS_check_output    := -ldw -lelf -lstdc++
UNIT_LIBS_check_retain    := -ldw -lelf -lstdc++
UNIT_LIBS_check_roundtrip := -ldl -lpthread

# preload modules tested alone: each suite links its module and what that takes from base/.
UNIT_TESTS += check_stackcache check_cfi check_blkindex check_fmt check_config check_scan \
	check_readable check_heuristics check_self check_exits check_procfs check_helper check_arena
UNIT_check_stackcache  := preload/track/stackcache.c preload/track/cfi.c preload/base/arena.c preload/base/fmt.c
UNIT_check_cfi         := preload/track/cfi.c
UNIT_LIBS_check_cfi    := -lunwind
UNIT_LIBS_check_stackcache := -lunwind
UNIT_check_blkindex    := preload/scan/blkindex.c preload/base/arena.c preload/base/fmt.c
UNIT_check_fmt         := preload/base/fmt.c
UNIT_check_config      := preload/life/config.c preload/scan/heuristics.c preload/base/arena.c preload/base/fmt.c
UNIT_check_scan        := preload/scan/mark.c preload/scan/classify.c preload/scan/result.c preload/scan/blkindex.c \
	preload/scan/readable.c preload/scan/heuristics.c preload/scan/helper.c preload/track/stacks.c \
	preload/base/self.c preload/base/procfs.c preload/base/arena.c preload/base/fmt.c
UNIT_check_readable    := preload/scan/readable.c preload/base/arena.c preload/base/fmt.c
UNIT_check_heuristics  := preload/scan/heuristics.c preload/scan/readable.c preload/base/arena.c preload/base/fmt.c
UNIT_check_self        := preload/base/self.c
UNIT_check_exits       := preload/life/exits.c
UNIT_check_procfs      := preload/base/procfs.c
UNIT_check_helper      := preload/scan/helper.c preload/base/procfs.c preload/base/arena.c preload/base/fmt.c
UNIT_check_arena       := preload/base/arena.c preload/base/fmt.c

define unit_rule
$(B)/tests/$(1): tests/unit/$(1).c $$(UNIT_$(1)) $(wildcard preload/*.h preload/*/*.h report/*.h tests/unit/*.h)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) -Ipreload -Ireport -o $$@ tests/unit/$(1).c $$(UNIT_$(1)) $$(CHECK_LIBS) $$(UNIT_LIBS_$(1)) -lpthread
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

# check_symbolize runs these programs and symbolizes what they print. One is
# kept whole (-g -O0), others are stripped copies of it: of DWARF only, of
# everything (alpha stays in .dynsym), and of everything with the DWARF in a
# separate file found through .gnu_debuglink.
SYM_FIX := $(B)/tests/sym_fixture
SYM_FIXTURES := $(SYM_FIX) $(SYM_FIX)_nodebug $(SYM_FIX)_stripped $(SYM_FIX)_dbglink \
	$(SYM_FIX)_inline $(SYM_FIX)_cxx
$(SYM_FIX)_common.o: tests/unit/sym_fixture_common.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) -O0 -c $< -o $@
$(SYM_FIX): tests/unit/sym_fixture.c $(SYM_FIX)_common.o
	$(CC) $(CSTD) -O0 -o $@ $^ -Wl,--export-dynamic-symbol=alpha
$(SYM_FIX)_nodebug: $(SYM_FIX)
	objcopy --strip-debug $< $@
$(SYM_FIX)_stripped: $(SYM_FIX)
	strip --strip-all -o $@ $<
$(SYM_FIX)_dbglink: $(SYM_FIX)
	objcopy --only-keep-debug $< $@.debug
	strip --strip-all -o $@ $<
	cd $(dir $@) && objcopy --add-gnu-debuglink=$(notdir $@).debug $(notdir $@)
$(SYM_FIX)_inline: tests/unit/sym_fixture_inline.c $(SYM_FIX)_common.o
	$(CC) $(CSTD) -O2 -o $@ $^
$(SYM_FIX)_cxx: tests/unit/sym_fixture_cxx.cc $(SYM_FIX)_common.o
	$(CXX) -g -O0 -Wall -Wextra -o $@ $^
$(B)/tests/check_symbolize: $(SYM_FIXTURES)

unit: $(UNIT_TESTS:%=$(B)/tests/%)
	@fail=0; for t in $(UNIT_TESTS); do \
		CK_DEFAULT_TIMEOUT=120 TEST_SRCDIR=$(CURDIR) $(B)/tests/$$t || fail=1; \
	done; exit $$fail

e2e: all
	@LIBLEAK=$(CURDIR)/$(B)/libleak.so LEAKREPORT=$(CURDIR)/$(B)/leakreport tests/e2e/run.sh

check:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory check-layers
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-format
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory e2e

# preload/'s folders are layers (scripts/check-layers.sh says which may
# include which); fails on an include upward, into interpose/, or a cycle.
check-layers:
	@scripts/check-layers.sh preload

# ---- the layout of .clang-format (written for clang-format 14, preferred when
# both are installed); part of `make check`, skipped when clang-format is not
# installed.
CLANG_FORMAT ?= $(shell command -v clang-format-14 || command -v clang-format)
FORMAT_SRCS  := $(wildcard preload/*.[ch] preload/*/*.[ch] report/*.[ch] tests/unit/*.[ch])
check-format:
	@if [ -z "$(CLANG_FORMAT)" ]; then \
		echo "check-format: clang-format is not installed; skipped"; \
	else \
		$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_SRCS) && \
		echo "check-format: $(words $(FORMAT_SRCS)) files follow .clang-format"; \
	fi

demo:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

# ---- side-by-side benchmark -> docs/bench.md (scripts/bench; knobs BENCH_ROUNDS, BENCH_ONLY).
# A tool deps.sh cannot install is skipped and marked "not installed" in the table.
bench:
	-@scripts/deps.sh --bench
	@$(MAKE) --no-print-directory all
	@scripts/bench

# ---- fuzzing: dump_read.c under libFuzzer, ASan and UBSan, for $(FUZZ_SECONDS) s on a
# copy of tests/fuzz/corpus/ (new inputs stay in build/); crashes go to build/fuzz/.
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -std=gnu11 -g -O1 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
$(B)/fuzz/fuzz_dump_read: tests/fuzz/fuzz_dump_read.c report/dump_read.c report/readfile.c report/model.c report/modmap.c \
		report/err.c report/dump_read.h report/modmap.h report/model.h report/err.h \
		preload/dumpfmt.h
	@scripts/deps.sh --fuzz
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Ipreload -Ireport -o $@ tests/fuzz/fuzz_dump_read.c \
		report/dump_read.c report/readfile.c report/model.c report/modmap.c report/err.c

fuzz: $(B)/fuzz/fuzz_dump_read
	@rm -rf $(B)/fuzz/corpus && mkdir -p $(B)/fuzz/corpus $(B)/fuzz/crashes
	@cp tests/fuzz/corpus/* $(B)/fuzz/corpus/
	$(B)/fuzz/fuzz_dump_read -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -dict=tests/fuzz/dump.dict -print_final_stats=1 \
		-artifact_prefix=$(B)/fuzz/crashes/ $(B)/fuzz/corpus tests/fuzz/regressions

clean:
	rm -rf $(B) $(B)-asan

# ---- unit tests and leakreport under ASan and UBSan, in their own build dir.
# (libleak.so is never preloaded into an ASan process.)
check-asan:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory B=build-asan \
		CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		$(B)-asan/leakreport unit
