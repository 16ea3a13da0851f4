# Big Picture — PGXS build.  See README.md for the two commands and docs/ for more.

EXTENSION  = bigpicture
EXTVERSION = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)

# The extension's SQL is written one file per concern and concatenated in
# name order into the versioned install script, which is never committed.
SQL_SRCS   = $(sort $(wildcard src/sql/*.sql))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
# The default bigpicture.master_key_command and the air-gap snapshot script,
# installed next to pg_ctl.
SCRIPTS    = scripts/bigpicture-master-key scripts/bigpicture-snapshot

CORE_SRCS  = $(sort $(wildcard src/core/*.c))
EXT_SRCS   = $(sort $(wildcard src/extension/*.c))
MODULE_big = $(EXTENSION)
OBJS       = $(CORE_SRCS:.c=.o) $(EXT_SRCS:.c=.o)
SHLIB_LINK = -lsodium
# Our own code builds warning-clean.  PostgreSQL's fmgr macros leave fcinfo
# unused in some functions and its headers use {0} initialisers, hence the two
# -Wno- flags.
PG_CPPFLAGS = -I$(srcdir)/src/core
PG_CFLAGS   = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers

# pg_regress: every file in sql/ is a test, in name order.
REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --outputdir=build/regress --load-extension=bigpicture

EXTRA_CLEAN = build results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(DATA_built): $(SQL_SRCS) $(EXTENSION).control src/sql
	@{ printf -- "-- generated from src/sql by make; do not edit\n"; \
	   for f in $(SQL_SRCS); do printf -- "\n-- %s\n" "$$f"; cat "$$f"; done; } > $@.tmp && mv $@.tmp $@

installcheck: | build/regress
build/regress:
	mkdir -p $@

# ---- C unit tests of src/core (no database) --------------------------------
UNIT_CC     ?= cc
UNIT_CFLAGS  = -std=c99 -D_POSIX_C_SOURCE=200809L -O1 -g -Wall -Wextra -Werror -Isrc/core -Itest/unit
UNIT_TESTS   = $(patsubst test/unit/%.c,build/unit/%,$(sort $(wildcard test/unit/test_*.c)))
CORE_HDRS    = $(wildcard src/core/*.h) test/unit/unit.h

build/unit/%: test/unit/%.c $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $< $(CORE_SRCS) -lsodium

# ---- command-line tools built on src/core (no database) ---------------------
# The client library's sources (src/client/bp_client.c, audit_chain.c) and
# the headers it installs; the tools are built on them.
CLIENT_SRCS = src/client/bp_client.c src/client/audit_chain.c
CLIENT_HDRS = src/client/bp_client.h src/client/audit_chain.h
TOOLS = build/bin/bigpicture-audit-verify build/bin/bigpicture-verify
all: $(TOOLS)
# The tools share src/client/cli_io.c (line input), which is not in the library.
build/bin/bigpicture-verify: src/client/bigpicture_verify.c src/client/cli_io.c src/client/cli_io.h $(CLIENT_SRCS) $(CLIENT_HDRS) $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(UNIT_CC) -std=c99 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Werror -Isrc/core -Isrc/client -o $@ $< src/client/cli_io.c $(CLIENT_SRCS) $(CORE_SRCS) -lsodium
build/bin/bigpicture-audit-verify: src/client/bigpicture_audit_verify.c src/client/cli_io.c src/client/cli_io.h $(CLIENT_SRCS) $(CLIENT_HDRS) $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(UNIT_CC) -std=c99 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Werror -Isrc/core -Isrc/client -o $@ $< src/client/cli_io.c $(CLIENT_SRCS) $(CORE_SRCS) -lsodium
# The client unit tests include the library's sources directly.
build/unit/test_client: $(CLIENT_SRCS) $(CLIENT_HDRS)
build/unit/test_audit_chain: $(CLIENT_SRCS) $(CLIENT_HDRS)
include src/gateway/gateway.mk

# ---- libbigpicture-client: what a desktop application links against --------
# A static and a shared library of src/client (bp_client.c, audit_chain.c)
# and src/core, its headers and a pkg-config file; `make install` puts them
# under CLIENT_PREFIX.
CLIENT_PREFIX ?= /usr/local
CLIENT_SOVERSION = 0
CLIENT_OBJS = $(patsubst %.c,build/client/%.o,$(CLIENT_SRCS) $(CORE_SRCS))
CLIENT_LIBS = build/lib/libbigpicture-client.a build/lib/libbigpicture-client.so.$(CLIENT_SOVERSION) \
	build/lib/bigpicture-client.pc
all: $(CLIENT_LIBS)
build/client/%.o: %.c $(CORE_HDRS) $(CLIENT_HDRS)
	@mkdir -p $(dir $@)
	$(UNIT_CC) -std=c99 -D_POSIX_C_SOURCE=200809L -O2 -fPIC -fvisibility=default -Wall -Wextra -Werror \
		-Isrc/core -Isrc/client -c -o $@ $<
build/lib/libbigpicture-client.a: $(CLIENT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
build/lib/libbigpicture-client.so.$(CLIENT_SOVERSION): $(CLIENT_OBJS)
	@mkdir -p $(dir $@)
	$(UNIT_CC) -shared -Wl,-soname,libbigpicture-client.so.$(CLIENT_SOVERSION) -o $@ $^ -lsodium
build/lib/bigpicture-client.pc: Makefile
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=$(CLIENT_PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include/bigpicture' '' \
		'Name: bigpicture-client' 'Description: Verify Big Picture update decisions, leases, key sets and audit chains' \
		'Version: $(EXTVERSION)' 'Requires: libsodium' 'Cflags: -I$${includedir}' \
		'Libs: -L$${libdir} -lbigpicture-client' >$@
install: install-client
install-client: $(CLIENT_LIBS) $(TOOLS)
	install -d $(DESTDIR)$(CLIENT_PREFIX)/lib/pkgconfig $(DESTDIR)$(CLIENT_PREFIX)/include/bigpicture \
		$(DESTDIR)$(CLIENT_PREFIX)/bin
	install -m 644 build/lib/libbigpicture-client.a $(DESTDIR)$(CLIENT_PREFIX)/lib/
	install -m 755 build/lib/libbigpicture-client.so.$(CLIENT_SOVERSION) $(DESTDIR)$(CLIENT_PREFIX)/lib/
	ln -sf libbigpicture-client.so.$(CLIENT_SOVERSION) $(DESTDIR)$(CLIENT_PREFIX)/lib/libbigpicture-client.so
	install -m 644 build/lib/bigpicture-client.pc $(DESTDIR)$(CLIENT_PREFIX)/lib/pkgconfig/
	install -m 644 $(CLIENT_HDRS) src/core/*.h $(DESTDIR)$(CLIENT_PREFIX)/include/bigpicture/
	install -m 755 $(TOOLS) $(DESTDIR)$(CLIENT_PREFIX)/bin/
	@if [ -z "$(DESTDIR)" ]; then ldconfig 2>/dev/null || true; fi

.PHONY: unit test demo stop bench install-client
unit: $(UNIT_TESTS)
	@scripts/run-unit $(UNIT_TESTS)

# The whole suite on a throwaway cluster (installs missing packages first).
test:
	@test/run-tests

# Benchmarks: ratios against baselines measured in the same run.
bench:
	@bench/run

# A local cluster with the extension and demo data; `make stop` stops it.
demo:
	@scripts/demo start

stop:
	@scripts/demo stop

include test/fuzz/fuzz.mk
