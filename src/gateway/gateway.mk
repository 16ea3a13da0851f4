# bigpicture-gateway: a PostgREST-compatible RPC server (src/gateway).
# Included from the top-level Makefile.  Plain C with libmicrohttpd (GnuTLS
# under it for TLS), libpq and OpenSSL 3, reusing src/core for JSON and base64url.

GW_SRCS     = $(sort $(wildcard src/gateway/*.c))
GW_HDRS     = $(wildcard src/gateway/*.h) $(wildcard src/core/*.h)
# src/core pieces the gateway needs (nothing that pulls in libsodium)
GW_CORE     = src/core/json.c src/core/base64url.c
GW_PG_INC   = $(shell $(PG_CONFIG) --includedir)
GW_PG_LIB   = $(shell $(PG_CONFIG) --libdir)
GW_CPPFLAGS = -Isrc/core -Isrc/gateway -I$(GW_PG_INC) $(shell pkg-config --cflags libmicrohttpd gnutls)
GW_CFLAGS   = -std=gnu11 -Wall -Wextra -Werror -pthread
GW_LIBS     = -L$(GW_PG_LIB) -lpq $(shell pkg-config --libs libmicrohttpd gnutls) -lcrypto -lm -pthread

all: build/bin/bigpicture-gateway

build/bin/bigpicture-gateway: $(GW_SRCS) $(GW_CORE) $(GW_HDRS)
	@mkdir -p $(dir $@)
	$(UNIT_CC) $(GW_CFLAGS) -O2 $(GW_CPPFLAGS) -o $@ $(GW_SRCS) $(GW_CORE) $(GW_LIBS)

# The same with AddressSanitizer and UBSan, for the fuzz load in test/gateway.
build/asan/bigpicture-gateway: $(GW_SRCS) $(GW_CORE) $(GW_HDRS)
	@mkdir -p $(dir $@)
	$(UNIT_CC) $(GW_CFLAGS) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined $(GW_CPPFLAGS) -o $@ $(GW_SRCS) $(GW_CORE) $(GW_LIBS)

# Unit tests of the pure modules (JWT, request parsing): no database, no HTTP.
GW_UNIT_TESTS = $(patsubst test/gateway/%.c,build/gateway-unit/%,$(sort $(wildcard test/gateway/test_*.c)))
build/gateway-unit/%: test/gateway/%.c $(GW_SRCS) $(GW_CORE) $(GW_HDRS) test/unit/unit.h
	@mkdir -p $(dir $@)
	$(UNIT_CC) $(GW_CFLAGS) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		$(GW_CPPFLAGS) -Itest/unit -o $@ $< src/gateway/jwt.c src/gateway/buf.c src/gateway/request.c \
		src/gateway/errors.c src/gateway/config.c src/gateway/client_cert.c $(GW_CORE) -lcrypto -lm

.PHONY: gateway gateway-unit gateway-asan install-gateway
gateway: build/bin/bigpicture-gateway
gateway-asan: build/asan/bigpicture-gateway
gateway-unit: $(GW_UNIT_TESTS)
	@scripts/run-unit $(GW_UNIT_TESTS)

# Part of `make install`; into the client's bin directory (CLIENT_PREFIX).
install-gateway: build/bin/bigpicture-gateway
	install -d $(DESTDIR)$(CLIENT_PREFIX)/bin
	install -m 755 build/bin/bigpicture-gateway $(DESTDIR)$(CLIENT_PREFIX)/bin/
