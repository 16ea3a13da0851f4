# test/fuzz/fuzz.mk — libFuzzer harnesses for src/core and the client
# library; included from the top-level Makefile.  See test/fuzz/README.md.
#
#   make fuzz-build    build every test/fuzz/fuzz_<name>.c into build/fuzz/
#   make fuzz          run each for FUZZ_SECONDS (default 600), one at a time
#   make fuzz-smoke    replay seeds and regressions, fuzz each FUZZ_SMOKE_SECONDS
#   make fuzz-seeds    regenerate the committed seeds (test/fuzz/corpus) and
#                      test/fuzz/dict/client.dict
#
# FUZZ_TARGETS="json semver" limits fuzz and fuzz-smoke to some harnesses.
# Harnesses are built with clang and libFuzzer (Debian: clang-14 and
# libclang-rt-14-dev, which scripts/install-deps installs).

FUZZ_CC            ?= clang-14
FUZZ_SECONDS       ?= 600
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_TARGETS       ?=
FUZZ_SANITIZE       = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SANITIZE_OBJ   = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS         = -std=c99 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer \
	-Wall -Wextra -Werror -Isrc/core -Isrc/client -Itest/fuzz

FUZZ_NAMES     = $(patsubst test/fuzz/fuzz_%.c,%,$(sort $(wildcard test/fuzz/fuzz_*.c)))
FUZZ_BINS      = $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
# src/core and the client library (src/client without its command-line
# tools), instrumented once and linked into every harness.
# the agent (agent*.c, artifact.c) needs libcurl and is not a fuzz target
FUZZ_LIB_SRCS  = $(CORE_SRCS) $(filter-out src/client/bigpicture_%.c src/client/agent%.c src/client/artifact.c,$(sort $(wildcard src/client/*.c)))
FUZZ_LIB_OBJS  = $(patsubst %.c,build/fuzz/obj/%.o,$(FUZZ_LIB_SRCS))
FUZZ_SRC_HDRS  = $(wildcard src/core/*.h) $(wildcard src/client/*.h)
FUZZ_HDRS      = $(FUZZ_SRC_HDRS) $(wildcard test/fuzz/*.h)

build/fuzz/obj/%.o: %.c $(FUZZ_SRC_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SANITIZE_OBJ) -c -o $@ $<

build/fuzz/fuzz_%: test/fuzz/fuzz_%.c $(FUZZ_LIB_OBJS) $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SANITIZE) -o $@ $< $(FUZZ_LIB_OBJS) -lsodium

# The seed generator is an ordinary program: no fuzzer, no sanitizers.
build/fuzz/gen_seeds: test/fuzz/gen_seeds.c $(FUZZ_LIB_SRCS) $(FUZZ_HDRS) test/unit/json_mini.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -O0 -o $@ $< $(FUZZ_LIB_SRCS) -lsodium

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-seeds
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) test/fuzz/run long $(FUZZ_TARGETS)

fuzz-smoke: fuzz-build
	@FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) test/fuzz/run smoke $(FUZZ_TARGETS)

fuzz-seeds: build/fuzz/gen_seeds
	build/fuzz/gen_seeds test/fuzz/corpus test/unit/vectors/paseto test/fuzz/dict

# The gateway's pure modules (JWT verification, request parsing): OpenSSL,
# no libmicrohttpd or libpq.  A more specific pattern than fuzz_%, so make
# picks it for test/fuzz/fuzz_gateway_*.c.
FUZZ_GW_SRCS   = src/gateway/jwt.c src/gateway/buf.c src/gateway/request.c src/core/json.c src/core/base64url.c
FUZZ_GW_CFLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror \
	-Isrc/core -Isrc/gateway -Itest/fuzz
build/fuzz/fuzz_gateway_%: test/fuzz/fuzz_gateway_%.c $(FUZZ_GW_SRCS) $(wildcard src/gateway/*.h) $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_GW_CFLAGS) $(FUZZ_SANITIZE) -o $@ $< $(FUZZ_GW_SRCS) -lcrypto -lm
