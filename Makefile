# hostadm: `make run` starts the node daemon on this machine, `make test`
# runs every test. Both install the Debian packages they need first.

export PATH := /usr/local/go/bin:$(PATH)
GO      ?= go
BIN     := bin/hostadm
LISTEN  ?= :8006
RUN_ARGS ?=

.PHONY: all build run test test-deps run-deps vet bench fuzz clean

all: build

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/hostadm

run-deps:
	./scripts/deps.sh run

test-deps:
	./scripts/deps.sh test

run: run-deps build
	./scripts/run.sh $(BIN) $(LISTEN) $(RUN_ARGS)

vet:
	$(GO) vet ./...

test: test-deps vet
	$(GO) test -count=1 -timeout 12m ./...

bench: test-deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

# FUZZTIME per target; `make fuzz` runs each fuzz target for that long.
FUZZTIME ?= 20s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf bin
