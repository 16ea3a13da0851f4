# bigpicture-webhooks: delivers the outbox's events to webhook subscriptions
# (src/webhooks, docs/events.md).  Included from the top-level Makefile.
# libpq, libcurl, libsodium; the Standard Webhooks signature is src/core's.

WH_SRCS     = $(sort $(wildcard src/webhooks/*.c))
WH_HDRS     = $(wildcard src/webhooks/*.h) src/core/standard_webhooks.h
WH_CORE     = src/core/standard_webhooks.c
WH_CPPFLAGS = -Isrc/core -Isrc/webhooks -I$(shell $(PG_CONFIG) --includedir) $(shell pkg-config --cflags libcurl)
WH_CFLAGS   = -std=gnu11 -Wall -Wextra -Werror
WH_LIBS     = -L$(shell $(PG_CONFIG) --libdir) -lpq $(shell pkg-config --libs libcurl) -lsodium

all: build/bin/bigpicture-webhooks

build/bin/bigpicture-webhooks: $(WH_SRCS) $(WH_CORE) $(WH_HDRS)
	@mkdir -p $(dir $@)
	$(UNIT_CC) $(WH_CFLAGS) -O2 $(WH_CPPFLAGS) -o $@ $(WH_SRCS) $(WH_CORE) $(WH_LIBS)

.PHONY: webhooks install-webhooks
webhooks: build/bin/bigpicture-webhooks

# Part of `make install`; into the client's bin directory (CLIENT_PREFIX).
install-webhooks: build/bin/bigpicture-webhooks
	install -d $(DESTDIR)$(CLIENT_PREFIX)/bin
	install -m 755 build/bin/bigpicture-webhooks $(DESTDIR)$(CLIENT_PREFIX)/bin/
