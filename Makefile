# fastredis: build, test, benchmark and fuzz.
#
#   make demo    cmd/loadgen against a throwaway redis-server it starts and stops: fill, 1 s warm-up, 5 s measured
#   make test    install what the tests need (once), vet, run every test with -race (otel/ too), and count them
#   make bench   run the benchmarks of the main module
#   make fuzz    run each fuzz target for FUZZTIME (default 30s)
#   make lint    gofmt check, go vet, staticcheck
#   make bench-compare            fastredis, go-redis and rueidis side by side (bench/, BENCH_COUNT runs each)
#   make bench-cluster            the same on a 3-master cluster only (BenchmarkCompareCluster)
#   make bench-commits OLD=a NEW=b  the main module's benchmarks on two commits, through benchstat

GO        ?= go
FUZZTIME  ?= 30s
BENCHTIME ?= 1s
COUNT     ?= 1
BENCH_COUNT ?= 10
BENCH_TIME  ?= 500ms
OLD       ?= HEAD~1
NEW       ?= HEAD
STATICCHECK_VERSION ?= v0.8.2
REDIS_PKGS := redis-server redis-tools redis-sentinel

.PHONY: all deps demo test bench bench-compare bench-cluster bench-commits fuzz lint

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

# demo runs cmd/loadgen against a redis-server it starts and stops itself:
# it fills the key space (well under a second), warms up for 1 second and
# measures for 5, then prints its summary.
demo: deps
	$(GO) run ./cmd/loadgen -fill -warmup 1s -duration 5s

# test prints go test's usual output and, after each run, how many tests
# passed, failed and were skipped (internal/testsum). bench/ is vetted with
# the Go it declares, which is newer than the library's (see bench/README.md).
# otel/ is a module of its own (so the library never depends on
# OpenTelemetry): it is vetted and tested from its directory.
test: deps
	$(GO) vet ./...
	cd bench && $(GO) vet ./...
	cd otel && $(GO) vet ./...
	@rm -f .testsum.tally
	GO=$(GO) TESTSUM_TALLY=.testsum.tally $(GO) run ./internal/testsum -race -count=1 -timeout 20m ./...
	# The OpenTelemetry module (otel/, its own go.mod), counted with the rest.
	cd otel && GO=$(GO) TESTSUM_TALLY=../.testsum.tally $(GO) run github.com/fastredis/fastredis/internal/testsum -race -count=1 -timeout 10m ./...
	# Allocation counts, without -race (under which sync.Pool drops items).
	GO=$(GO) TESTSUM_TALLY=.testsum.tally $(GO) run ./internal/testsum -count=1 -run 'Allocs' ./fastredis/ ./cluster/ ./cmd/loadgen/
	cd otel && GO=$(GO) TESTSUM_TALLY=../.testsum.tally $(GO) run github.com/fastredis/fastredis/internal/testsum -count=1 -run 'Allocs' ./...
	@rm -f .testsum.tally

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(COUNT) ./...

# bench-compare runs bench/ (its own module, which alone depends on go-redis
# and rueidis, and needs the newer Go that go-redis needs): each workload on
# every client in turn, BENCH_COUNT times, so that machine drift hits them
# alike; then benchstat lays them side by side.
bench-compare: deps
	cd bench && $(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCH_TIME) -count $(BENCH_COUNT) -timeout 90m . | tee bench.out
	$(GO) tool benchstat -col /impl bench/bench.out

# bench-cluster runs only the cluster workloads of bench/ (bench-compare runs
# them too, after the single-server ones): fastredis's cluster.Client,
# go-redis's ClusterClient and rueidis in cluster mode on one 3-master
# cluster that bench/ starts (about 5 minutes with the defaults).
bench-cluster: deps
	cd bench && $(GO) test -run '^$$' -bench 'CompareCluster' -benchmem -benchtime $(BENCH_TIME) -count $(BENCH_COUNT) -timeout 60m . | tee bench-cluster.out
	$(GO) tool benchstat -col /impl bench/bench-cluster.out

# bench-commits runs the main module's benchmarks on commits OLD and NEW (in
# temporary worktrees) and compares them with benchstat.
bench-commits: deps
	@set -e; tmp=$$(mktemp -d); \
	for rev in $(OLD) $(NEW); do \
	  git worktree add -q --detach $$tmp/$$rev $$rev; \
	  (cd $$tmp/$$rev && $(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) ./... > $$tmp/$$rev.txt) || true; \
	  git worktree remove --force $$tmp/$$rev; \
	done; \
	$(GO) tool benchstat $$tmp/$(OLD).txt $$tmp/$(NEW).txt; rm -rf $$tmp

# fuzz runs every Fuzz target of ./fuzz (and the package-internal ones of
# ./fastredis) in turn, each for FUZZTIME.
fuzz:
	@set -e; for pkg in ./fuzz ./fastredis; do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz: $$pkg $$target for $(FUZZTIME)"; \
	    $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
