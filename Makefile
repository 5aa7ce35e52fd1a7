# fastredis: build, test, benchmark and fuzz.
#
#   make test    install what the tests need (once), vet, and run every test with -race
#   make bench   run the benchmarks of the main module
#   make fuzz    run each fuzz target for FUZZTIME (default 30s)
#   make lint    gofmt check, go vet, staticcheck

GO        ?= go
FUZZTIME  ?= 30s
BENCHTIME ?= 1s
COUNT     ?= 1
STATICCHECK_VERSION ?= v0.8.2
REDIS_PKGS := redis-server redis-tools redis-sentinel

.PHONY: all deps test bench fuzz lint

all: test

# deps installs Debian's redis packages when any of their commands is missing,
# and does nothing when they are all present.
deps:
	@if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 \
	  && command -v redis-sentinel >/dev/null 2>&1; then :; else \
	  echo "deps: installing $(REDIS_PKGS)"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $(REDIS_PKGS) >/dev/null; \
	fi
	@redis-server --version

test: deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(COUNT) ./...

# fuzz runs every Fuzz target of ./fuzz in turn, each for FUZZTIME.
fuzz:
	@set -e; for target in $$($(GO) test -list '^Fuzz' ./fuzz | grep '^Fuzz'); do \
	  echo "fuzz: $$target for $(FUZZTIME)"; \
	  $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) ./fuzz; \
	done

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
