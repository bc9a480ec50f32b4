# tyndau: make, make test, make bench, make run, make deps, make install, make uninstall
#   CC, CPPFLAGS, CFLAGS and LDFLAGS are honoured; the hardening flags are on by default
#   (HARDENING= turns them off); PREFIX (/usr/local) and DESTDIR place the install.
CC ?= cc
PKGS := libcjson sqlite3 libconfig hiredis libmicrohttpd libcurl xlsxwriter
DEBIAN_PACKAGES := build-essential pkg-config libcjson-dev libsqlite3-dev libconfig-dev \
	libcurl4-openssl-dev libhiredis-dev libmicrohttpd-dev libstemmer-dev libcmocka-dev \
	libxlsxwriter-dev zlib1g-dev chromium chromium-driver python3-selenium \
	redis-server kannel kannel-extras valgrind sqlite3 curl python3 clang libclang-rt-14-dev \
	prometheus podman buildah debootstrap python3-python-telegram-bot python3-redis
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)

BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -I. -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wno-missing-field-initializers \
	-DTYNDAU_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS ?= -O2 -g
HARDENING ?= -fstack-protector-strong -fstack-clash-protection -fcf-protection \
	-D_FORTIFY_SOURCE=2 -fPIE
HARDENING_LDFLAGS ?= -pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack
LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstemmer -lm -lpthread

LIB_SRC := $(filter-out bot/main.c,$(wildcard bot/*.c bot/*/*.c)) $(wildcard handlers/*.c) \
	$(wildcard gateways/*.c)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TOOL_SRC := $(wildcard tests/tools/*.c)

# Two builds side by side: plain (build/) and AddressSanitizer+UBSan (build/asan/).
B := build
SAN := $(B)/asan
# float-cast-overflow is not part of "undefined" in GCC: a 1e300 where an id belongs is caught
SAN_FLAGS := -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

.PHONY: all test bench run deps deps-check clean format asan test-bins fuzz fuzz-bins install \
	uninstall
# keep objects of test programs: they are not throwaway intermediates
.SECONDARY:

all: $(B)/tyndau

# On a fresh machine the first `make run` or `make test` installs what is missing.
deps-check:
	@pkg-config --exists $(PKGS) cmocka 2>/dev/null && [ -f /usr/include/libstemmer.h ] && \
		command -v valgrind >/dev/null && \
		command -v clang >/dev/null && command -v promtool >/dev/null && \
		command -v buildah >/dev/null && command -v chromedriver >/dev/null && \
		/usr/bin/python3 -c 'import redis, selenium' 2>/dev/null && \
		[ -d /usr/lib/python3/dist-packages/telegram ] || $(MAKE) --no-print-directory deps

# $(1) the build directory, $(2) its compile flags, $(3) its compiler, $(4) its link flags
define build_rules
$(1)/obj/%.o: %.c
	@mkdir -p $$(dir $$@)
	$(3) $$(BASE_CFLAGS) $(2) -MMD -MP -c $$< -o $$@

$(1)/libtyndau.a: $$(patsubst %.c,$(1)/obj/%.o,$$(LIB_SRC))
	@rm -f $$@
	ar rcs $$@ $$^

$(1)/tyndau: $(1)/obj/bot/main.o $(1)/libtyndau.a
	$(3) $(4) $$^ $$(LIBS) -o $$@

$(1)/tests/%: $(1)/obj/tests/unit/%.o $(1)/libtyndau.a
	@mkdir -p $$(dir $$@)
	$(3) $(4) $$^ $$(LIBS) -lcmocka -o $$@

$(1)/tools/%: $(1)/obj/tests/tools/%.o $(1)/libtyndau.a
	@mkdir -p $$(dir $$@)
	$(3) $(4) $$^ $$(LIBS) -o $$@
endef

$(eval $(call build_rules,$(B),$$(HARDENING) $$(CPPFLAGS) $$(CFLAGS),$$(CC),$$(CFLAGS) $$(LDFLAGS) $$(HARDENING_LDFLAGS)))
$(eval $(call build_rules,$(SAN),-O1 -g $(SAN_FLAGS),$$(CC),-O1 -g $(SAN_FLAGS)))

# libFuzzer targets (tests/fuzz/fuzz_*.c): clang, the library instrumented for coverage
# and built with ASan+UBSan in build/fuzz/.  `make fuzz` runs each for FUZZ_SECONDS,
# starting from the seeds in tests/fuzz/seeds/TARGET/ and keeping what it finds in
# build/fuzz/corpus/TARGET/; a crash leaves its input in build/fuzz/ and fails.
FUZZ := $(B)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_DEFS := -DFUZZ_TEXTS_DIR='"$(CURDIR)/config/texts"' -DFUZZ_CONFIG='"$(CURDIR)/config/tyndau.conf"'
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined,float-cast-overflow \
	-fno-sanitize-recover=all -fno-omit-frame-pointer $(FUZZ_DEFS)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ)/%,$(wildcard tests/fuzz/fuzz_*.c))
$(eval $(call build_rules,$(FUZZ),$(FUZZ_FLAGS),clang,$(FUZZ_FLAGS)))

$(FUZZ)/fuzz_%: $(FUZZ)/obj/tests/fuzz/fuzz_%.o $(FUZZ)/libtyndau.a
	clang -fsanitize=fuzzer,address,undefined,float-cast-overflow $^ $(LIBS) -o $@

fuzz-bins: $(FUZZ_BINS)

fuzz: deps-check fuzz-bins
	tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_BINS)

TEST_BINS := $(patsubst tests/unit/%.c,%,$(TEST_SRC))
TOOL_BINS := $(patsubst tests/tools/%.c,%,$(TOOL_SRC))

asan: $(SAN)/tyndau $(addprefix $(SAN)/tests/,$(TEST_BINS)) $(addprefix $(SAN)/tools/,$(TOOL_BINS))

test-bins: $(B)/tyndau $(addprefix $(B)/tests/,$(TEST_BINS)) $(addprefix $(B)/tools/,$(TOOL_BINS))

# The whole suite: unit and integration tests on the plain build, again under
# ASan+UBSan, and the unit tests under valgrind.  tests/run prints the summary.
test: deps-check
	$(MAKE) --no-print-directory test-bins asan fuzz-bins
	tests/run

bench: deps-check
	$(MAKE) --no-print-directory $(B)/tyndau $(B)/tools/bench_intake $(B)/tools/bench_deadlines $(B)/tools/sms_segments \
	    $(B)/tools/bench_outbox $(B)/tools/bench_http $(B)/tools/bench_web
	tests/bench

# The gateway with the example config; with no Telegram token it opens the console.
# A private redis-server is started under var/ when none answers on 127.0.0.1:6379.
run: deps-check
	$(MAKE) --no-print-directory $(B)/tyndau
	scripts/run-local

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, man pages, the systemd unit and its
# user, the example configuration, texts and secrets file in /etc/tyndau (an existing one is
# kept), the state directory; scripts/install-config says what it did.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/tyndau
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
SYSCONFDIR ?= /etc
STATEDIR ?= /var/lib/tyndau

install: $(B)/tyndau
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 0755 $(B)/tyndau $(DESTDIR)$(BINDIR)/tyndau
	install -m 0644 docs/man/tyndau.1 $(DESTDIR)$(MANDIR)/man1/tyndau.1
	install -m 0644 docs/man/tyndau.conf.5 $(DESTDIR)$(MANDIR)/man5/tyndau.conf.5
	install -m 0644 config/kannel.conf README.md CHANGELOG.md LICENSE $(DESTDIR)$(DOCDIR)/
	sed 's|@BINDIR@|$(BINDIR)|g' packaging/tyndau.service.in >$(DESTDIR)$(UNITDIR)/tyndau.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/tyndau.service
	install -m 0644 packaging/tyndau.sysusers $(DESTDIR)$(SYSUSERSDIR)/tyndau.conf
	scripts/install-config "$(DESTDIR)" "$(SYSCONFDIR)/tyndau" "$(STATEDIR)" "$(SYSUSERSDIR)"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tyndau $(DESTDIR)$(MANDIR)/man1/tyndau.1 \
		$(DESTDIR)$(MANDIR)/man5/tyndau.conf.5 $(DESTDIR)$(UNITDIR)/tyndau.service \
		$(DESTDIR)$(SYSUSERSDIR)/tyndau.conf
	rm -rf $(DESTDIR)$(DOCDIR)
	@echo "tyndau: kept $(SYSCONFDIR)/tyndau (the configuration) and $(STATEDIR) (the data)"

deps:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(DEBIAN_PACKAGES); \
	else \
		echo "As root, run:"; \
		echo "  apt-get update && apt-get install -y $(DEBIAN_PACKAGES)"; \
	fi

format:
	clang-format -i bot/*.[ch] bot/*/*.[ch] handlers/*.[ch] gateways/*.[ch] tests/unit/*.[ch] tests/tools/*.[ch] \
		tests/fuzz/*.[ch]

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
