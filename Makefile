# hostadm: `make run` starts the node daemon on this machine, `make test`
# runs every test. Both install the Debian packages they need first.

export PATH := /usr/local/go/bin:$(PATH)
GO      ?= go
BIN     := bin/hostadm
LISTEN  ?= :8006
RUN_ARGS ?=

.PHONY: all build run test test-deps run-deps vet lint bench bench-report fuzz clean ui ui-test loadtest deb

all: build

build: ui
	$(GO) build -trimpath -o $(BIN) ./cmd/hostadm

# The web UI: npm installs the locked packages (only when the lock file
# changed), Vite builds into internal/web/dist, which go:embed picks up.
UI_STAMP := web/node_modules/.package-lock.json
$(UI_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

ui: $(UI_STAMP)
	cd web && npm run build

ui-test: $(UI_STAMP)
	cd web && npm test

# The Debian package: bin/hostadm_VERSION_ARCH.deb (VERSION=... overrides
# the version taken from git).
deb: ui
	./scripts/mkdeb.sh bin

run-deps:
	./scripts/deps.sh run

test-deps:
	./scripts/deps.sh test

run: run-deps build
	./scripts/run.sh $(BIN) $(LISTEN) $(RUN_ARGS)

vet:
	$(GO) vet ./...

# lint: gofmt, go vet, and staticcheck (pinned in go.mod as a Go tool;
# its settings and why ST1005 is off are in staticcheck.conf).
lint: vet
	@files=$$(gofmt -l cmd internal); if [ -n "$$files" ]; then echo "gofmt -w needed:"; echo "$$files"; exit 1; fi
	$(GO) tool staticcheck ./...

# `go test ./...` includes internal/loadtest's short form: the real
# binary for 10 s under 200 reads/s, 10 writers, 200 stalled connections
# and a JSON-bomb sender (memory, bounded answers and no lost write
# asserted; errors, rate and p99 reported). It runs beside other packages'
# tests, so it is scaled down from make loadtest.
test: test-deps lint ui ui-test
	$(GO) test -count=1 -timeout 25m ./...

# The full load test: 60 s of 1,000 authenticated reads/s and 10 writers
# beside 2,000 stalled connections and a JSON-bomb sender, with p99 < 50 ms
# and the rate required. Run it on an otherwise idle machine.
LOADTEST_DURATION ?= 60s
loadtest:
	$(GO) test -count=1 -timeout 10m -run '^TestLoad$$' -v ./internal/loadtest -args \
		-duration=$(LOADTEST_DURATION) -rate=1000 -stalled=2000 -strict

bench: test-deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The comparison benchmarks in one run, each figure beside its anchor
# (ifreload, ip -batch, ...) and the ratio; BENCH_COUNT runs each (default
# 3), BENCH_SLOW=0 skips the ifreload runs over 1,000 bridges. Writes nothing
# into the tree.
bench-report: test-deps
	$(GO) run ./scripts/benchreport

# FUZZTIME per target; `make fuzz` runs each fuzz target for that long.
FUZZTIME ?= 20s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf bin web/node_modules
	find internal/web/dist -mindepth 1 ! -name PLACEHOLDER -delete
