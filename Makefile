# Big Picture — PGXS build.  See README.md for the two commands and docs/ for more.

EXTENSION  = bigpicture
EXTVERSION = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)

# The extension's SQL is written one file per concern and concatenated in
# name order into the versioned install script, which is never committed.
SQL_SRCS   = $(sort $(wildcard src/sql/*.sql))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
# Released versions stay installable and upgradable: their frozen install
# scripts and the upgrade scripts between versions (docs/upgrading.md).
DATA       = $(sort $(wildcard src/sql/versions/$(EXTENSION)--*.sql))
# The default bigpicture.master_key_command and the air-gap snapshot script,
# installed next to pg_ctl.
SCRIPTS    = scripts/bigpicture-master-key scripts/bigpicture-snapshot

CORE_SRCS  = $(sort $(wildcard src/core/*.c))
EXT_SRCS   = $(sort $(wildcard src/extension/*.c))
MODULE_big = $(EXTENSION)
OBJS       = $(CORE_SRCS:.c=.o) $(EXT_SRCS:.c=.o)
SHLIB_LINK = -lsodium -ldl
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
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
# Without PGXS make would build the SQL alone and exit 0: stop instead.
ifeq ($(wildcard $(PGXS)),)
$(error PG_CONFIG=$(PG_CONFIG) does not work: "$(PG_CONFIG) --pgxs" failed or names no file. \
Install postgresql-server-dev-15 (scripts/install-deps) or pass PG_CONFIG=/path/to/pg_config)
endif
include $(PGXS)

# PGXS compiles with the CFLAGS PostgreSQL was built with, by gcc on Debian.
# clang rejects a few of them under -Werror, and PostgreSQL's headers use the
# gnu_printf format attribute, which clang ignores (PostgreSQL's own clang
# bitcode build passes -Wno-ignored-attributes for the same reason).
CC_IS_CLANG := $(shell $(CC) --version 2>/dev/null | grep -q clang && echo yes)
ifeq ($(CC_IS_CLANG),yes)
GCC_ONLY_CFLAGS = -fexcess-precision=standard -Wimplicit-fallthrough=3 -Wcast-function-type \
	-Wno-format-truncation -Wno-stringop-truncation
override CFLAGS := $(filter-out $(GCC_ONLY_CFLAGS),$(CFLAGS)) -Wno-ignored-attributes
endif

$(DATA_built): $(SQL_SRCS) $(EXTENSION).control src/sql
	@{ printf -- "-- generated from src/sql by make; do not edit\n"; \
	   for f in $(SQL_SRCS); do printf -- "\n-- %s\n" "$$f"; cat "$$f"; done; } > $@.tmp && mv $@.tmp $@

installcheck: | build/regress
build/regress:
	mkdir -p $@

# ---- C unit tests of src/core (no database) --------------------------------
# The tools, the client library and the gateway use the extension's compiler
# (make CC=clang builds everything with clang).
UNIT_CC     ?= $(CC)
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
CLIENT_HDRS = src/client/bp_client.h src/client/audit_chain.h src/client/agent.h
# The agent (the update-check cycle, agent.h) is in the library too; it is
# the part that needs libcurl (agent_curl.c, its default transport).
AGENT_SRCS = src/client/agent.c src/client/agent_state.c src/client/artifact.c src/client/agent_curl.c
AGENT_PRIVATE_HDRS = src/client/agent_state.h
TOOLS = build/bin/bigpicture-audit-verify build/bin/bigpicture-verify build/bin/bigpicture-agent
all: $(TOOLS)
# The tools share src/client/cli_io.c (line input), which is not in the library.
build/bin/bigpicture-verify: src/client/bigpicture_verify.c src/client/cli_io.c src/client/cli_io.h $(CLIENT_SRCS) $(CLIENT_HDRS) $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(UNIT_CC) -std=c99 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Werror -Isrc/core -Isrc/client -o $@ $< src/client/cli_io.c $(CLIENT_SRCS) $(CORE_SRCS) -lsodium
build/bin/bigpicture-audit-verify: src/client/bigpicture_audit_verify.c src/client/cli_io.c src/client/cli_io.h $(CLIENT_SRCS) $(CLIENT_HDRS) $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(UNIT_CC) -std=c99 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Werror -Isrc/core -Isrc/client -o $@ $< src/client/cli_io.c $(CLIENT_SRCS) $(CORE_SRCS) -lsodium
build/bin/bigpicture-agent: src/client/bigpicture_agent.c src/client/cli_io.c src/client/cli_io.h $(AGENT_SRCS) $(AGENT_PRIVATE_HDRS) $(CLIENT_SRCS) $(CLIENT_HDRS) $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(UNIT_CC) -std=c99 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Werror -Isrc/core -Isrc/client -o $@ $< src/client/cli_io.c $(AGENT_SRCS) $(CLIENT_SRCS) $(CORE_SRCS) -lsodium -lcurl
# The client unit tests include the library's sources directly.
build/unit/test_client: $(CLIENT_SRCS) $(CLIENT_HDRS)
build/unit/test_audit_chain: $(CLIENT_SRCS) $(CLIENT_HDRS)
include src/gateway/gateway.mk
include src/webhooks/webhooks.mk

# ---- libbigpicture-client: what a desktop application links against --------
# A static and a shared library of src/client (bp_client.c, audit_chain.c)
# and src/core, its headers and a pkg-config file; `make install-client` puts
# them under CLIENT_PREFIX.  Headers go to include/bigpicture/ and the Cflags
# is -I$${prefix}/include, so applications write <bigpicture/bp_client.h> and
# our json.h or semver.h cannot shadow another library's.
CLIENT_PREFIX ?= /usr/local
CLIENT_SOVERSION = 0
CLIENT_OBJS = $(patsubst %.c,build/client/%.o,$(CLIENT_SRCS) $(AGENT_SRCS) $(CORE_SRCS))
CLIENT_LIBS = build/lib/libbigpicture-client.a build/lib/libbigpicture-client.so.$(CLIENT_SOVERSION) \
	build/lib/bigpicture-client.pc
all: $(CLIENT_LIBS)
build/client/%.o: %.c $(CORE_HDRS) $(CLIENT_HDRS) $(AGENT_PRIVATE_HDRS)
	@mkdir -p $(dir $@)
	$(UNIT_CC) -std=c99 -D_POSIX_C_SOURCE=200809L -O2 -fPIC -fvisibility=default -Wall -Wextra -Werror \
		-Isrc/core -Isrc/client -c -o $@ $<
build/lib/libbigpicture-client.a: $(CLIENT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
build/lib/libbigpicture-client.so.$(CLIENT_SOVERSION): $(CLIENT_OBJS)
	@mkdir -p $(dir $@)
	$(UNIT_CC) -shared -Wl,-soname,libbigpicture-client.so.$(CLIENT_SOVERSION) -o $@ $^ -lsodium -lcurl
CLIENT_PC = printf '%s\n' 'prefix=$(CLIENT_PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
		'Name: bigpicture-client' 'Description: Verify Big Picture update decisions, leases, key sets and audit chains; the update-check cycle' \
		'Version: $(EXTVERSION)' 'Requires: libsodium' 'Requires.private: libcurl' 'Cflags: -I$${includedir}' \
		'Libs: -L$${libdir} -lbigpicture-client'
build/lib/bigpicture-client.pc: Makefile
	@mkdir -p $(dir $@)
	$(CLIENT_PC) >$@
# The installed .pc is written at install time, so it names the CLIENT_PREFIX
# given to `make install-client`, whatever `make all` was run with.
install-client: $(CLIENT_LIBS) $(TOOLS)
	install -d $(DESTDIR)$(CLIENT_PREFIX)/lib/pkgconfig $(DESTDIR)$(CLIENT_PREFIX)/include/bigpicture \
		$(DESTDIR)$(CLIENT_PREFIX)/bin
	install -m 644 build/lib/libbigpicture-client.a $(DESTDIR)$(CLIENT_PREFIX)/lib/
	install -m 755 build/lib/libbigpicture-client.so.$(CLIENT_SOVERSION) $(DESTDIR)$(CLIENT_PREFIX)/lib/
	ln -sf libbigpicture-client.so.$(CLIENT_SOVERSION) $(DESTDIR)$(CLIENT_PREFIX)/lib/libbigpicture-client.so
	$(CLIENT_PC) >$(DESTDIR)$(CLIENT_PREFIX)/lib/pkgconfig/bigpicture-client.pc
	install -m 644 $(CLIENT_HDRS) src/core/*.h $(DESTDIR)$(CLIENT_PREFIX)/include/bigpicture/
	install -m 755 $(TOOLS) $(DESTDIR)$(CLIENT_PREFIX)/bin/
	@if [ -z "$(DESTDIR)" ]; then ldconfig 2>/dev/null || true; fi

# ---- installing: one target per part (docs/development.md) -----------------
# install-extension is PGXS's own `install` (the module, control file, SQL
# scripts and SCRIPTS into pg_config's directories); `make install` is that
# plus install-client, install-gateway (src/gateway/gateway.mk) and
# install-webhooks (src/webhooks/webhooks.mk).  The
# sub-make's BP_EXTENSION_ONLY leaves the other two out.
ifeq ($(BP_EXTENSION_ONLY),)
install: install-client install-gateway install-webhooks
endif
install-extension:
	@$(MAKE) --no-print-directory install BP_EXTENSION_ONLY=1

# A C++17 program built against a copy of the client library installed under
# a temporary DESTDIR with CLIENT_PREFIX=/usr, static and shared.
cxx-check: $(CLIENT_LIBS) $(TOOLS)
	@test/client/cxx/run

.PHONY: unit test demo stop bench install-client install-extension cxx-check
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
