# Every target covers every module of the repository: `go ... ./...` stops at
# nested go.mod files, so each module is visited on its own, with the
# workspace (go.work) off so that each builds exactly as its users build it.
SHELL   := /bin/bash
export GOWORK := off
MODULES := $(shell find . -name go.mod -not -path './.git/*' -printf '%h\n' | sort)
GOFILES  = $(shell find . -name '*.go' -not -path './.git/*')

.PHONY: api bench instr cost cost-check loadtest test deps worksum-check rules-check fmt-check tidy-check vet gotest lint lint-if-installable bench-adapters fuzz

# Fuzz targets as package:Target; make fuzz runs each for FUZZTIME.
FUZZTIME    ?= 60s
FUZZ_TARGETS = ./internal/jose:FuzzParse ./internal/jose:FuzzScanObject ./internal/jose:FuzzDecodeB64 ./internal/jose:FuzzParseSet ./middleware:FuzzVerify \
               ./middleware:FuzzExtract ./middleware:FuzzDiscovery ./rbac:FuzzParsePath ./rbac:FuzzMapper

## test: everything CI checks, in every module: gofmt, go mod tidy, go vet,
## go test -race (with the fuzz seed corpora), then make lint when its tools
## can be installed from the Go module proxy.
test: deps fmt-check tidy-check vet gotest cost-check rules-check lint-if-installable worksum-check

## deps: what Go does not bring: redis-server for the revocation store's
## tests and valgrind for the cost check (from Debian's packages when
## missing).
deps:
	@command -v redis-server >/dev/null && command -v valgrind >/dev/null || { \
		echo "installing redis-server (the Redis store's tests run a real one) and valgrind (make cost)"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server valgrind >/dev/null; }
	@command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server"; exit 1; }
	@command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind"; exit 1; }

## api: write the exported surface of every public package to api/*.txt
## and print each package's count of exported identifiers against its
## budget; git diff api/ shows what a change adds to the surface
## (TestAPIFilesAreCurrent, in make test, fails until it is regenerated).
api:
	@go run ./internal/cmd/api -root . -out api && git --no-pager diff --stat -- api/

## cost-check: make cost for RS256 (where hostile tokens weigh most against
## a valid one) and EdDSA over 20 verifications (about a minute): no hostile
## token may cost more than 3x a valid token (bounded cost on hostile input).
cost-check:
	@bin=$$(mktemp -d); trap 'rm -rf $$bin' EXIT; CGO_ENABLED=0 go build -o $$bin/cost ./internal/cmd/cost && \
	$$bin/cost -algs RS256,EdDSA -n 20 > $$bin/out || { cat $$bin/out; exit 1; }

## rules-check: promtool check rules and test rules on prometheus/alerts.yml.
## promtool comes alone from Debian's prometheus package, unpacked into a
## cache folder (installing the package would install, and may start, a
## Prometheus server); only when even that cannot be had is the check
## skipped, and it says so.
PROMTOOL_DIR := $(HOME)/.cache/jwtguard/promtool
rules-check:
	@pt=$$(command -v promtool || echo $(PROMTOOL_DIR)/usr/bin/promtool); \
	if [ ! -x "$$pt" ]; then \
		d=$$(mktemp -d); \
		( cd $$d && { apt-get download prometheus >/dev/null 2>&1 || \
			{ apt-get update -qq >/dev/null 2>&1 && apt-get download prometheus >/dev/null 2>&1; }; } && \
			mkdir -p $(PROMTOOL_DIR) && dpkg-deb -x prometheus_*.deb $(PROMTOOL_DIR) ); \
		rm -rf $$d; \
	fi; \
	if [ ! -x "$$pt" ]; then echo "promtool could not be had: prometheus/alerts.yml NOT checked"; exit 0; fi; \
	cd prometheus && $$pt check rules alerts.yml && $$pt test rules alerts_test.yml

## worksum-check: the tests (some run go in workspace mode from the root)
## left go.work.sum as committed: a clean checkout stays clean.
worksum-check: gotest
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && ! git diff --quiet -- go.work.sum; then \
		echo "go.work.sum changed: review the lines below and commit them"; git --no-pager diff -- go.work.sum; exit 1; fi

fmt-check:
	@out="$$(gofmt -l $(GOFILES))"; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

tidy-check:
	@set -e; for m in $(MODULES); do echo "go mod tidy -diff $$m"; (cd $$m && go mod tidy -diff); done

vet:
	@set -e; for m in $(MODULES); do echo "go vet $$m"; (cd $$m && go vet ./...); done

gotest:
	@set -e; for m in $(MODULES); do echo "go test -race $$m"; (cd $$m && go test -race -count=1 ./...); done

GOBIN_DIR := $(shell go env GOPATH)/bin

## lint: staticcheck (findings fail), and govulncheck where its
## vulnerability database is reachable (not fatal when it is not).
lint:
	@test -x $(GOBIN_DIR)/staticcheck || go install honnef.co/go/tools/cmd/staticcheck@latest
	@set -e; for m in $(MODULES); do echo "staticcheck $$m"; (cd $$m && $(GOBIN_DIR)/staticcheck ./...); done
	@test -x $(GOBIN_DIR)/govulncheck || go install golang.org/x/vuln/cmd/govulncheck@latest || true
	@for m in $(MODULES); do (cd $$m && timeout 120 $(GOBIN_DIR)/govulncheck ./... >/dev/null 2>&1) || \
		echo "govulncheck could not check $$m (no network to its database?); not fatal"; done

# make test runs lint unless staticcheck can neither be found nor installed
# (a machine without the module proxy): that alone must not fail the tests.
lint-if-installable:
	@if test -x $(GOBIN_DIR)/staticcheck || go install honnef.co/go/tools/cmd/staticcheck@latest; then \
		$(MAKE) --no-print-directory lint; \
	else echo "staticcheck cannot be installed here: make lint skipped"; fi

## bench-adapters: what each router adapter adds over nethttp, as a ratio of
## (adapter guarded - bare router) to (nethttp guarded - bare ServeMux).
bench-adapters:
	@for m in adapters/chi adapters/gin adapters/echo; do \
		(cd $$m && go test -run '^$$' -bench Overhead -benchmem -count 6 .) ; \
	done | go run ./internal/cmd/benchratio

## fuzz: every fuzz target for FUZZTIME each (make fuzz FUZZTIME=10m). Their
## seed corpora (testdata/fuzz) run in every make test.
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		go test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

## bench: jwtguard and its peers on the same token, then nethttp for each
## algorithm, with paired ratios to the raw signature check, serial and
## parallel: bench/RESULTS.md, medians of BENCHCOUNT runs. Each run is a
## process of its own: where a process's memory happens to lie moves a
## ratio by a percent or two for all of that process's runs, so runs in one
## process would sample it once. nethttp's paired benchmarks, which the
## targets judge, run again in processes of their own up to PAIREDCOUNT runs
## (17 s each): a median of 18 strays about 1/√3 as far as one of 6.
BENCHCOUNT ?= 6
PAIREDCOUNT ?= 18
bench: instr
	@out=$$(mktemp); bin=$$(mktemp -d); set -e -o pipefail; \
	(cd bench && GOWORK=off go test -c -o $$bin/peers.test .); \
	GOWORK=off go test -c -o $$bin/nethttp.test ./nethttp; \
	{ for i in $$(seq $(BENCHCOUNT)); do (cd bench && $$bin/peers.test -test.run '^$$' -test.bench . -test.benchmem); done && \
	  for i in $$(seq $(BENCHCOUNT)); do (cd nethttp && $$bin/nethttp.test -test.run '^$$' -test.bench Protect -test.benchmem); done && \
	  for i in $$(seq $$(( $(PAIREDCOUNT) - $(BENCHCOUNT) ))); do (cd nethttp && $$bin/nethttp.test -test.run '^$$' \
	    -test.bench 'Protect/.*/(paired|floor against itself|bad signature)$$' -test.benchmem); done; } \
	  | tee $$out | grep -E '^Benchmark'; \
	{ sed -n '1,/^<!-- wall-clock -->$$/p' bench/RESULTS.md; (cd bench && GOWORK=off go run ./cmd/benchtable < $$out); } > $$bin/RESULTS.md; \
	mv $$bin/RESULTS.md bench/RESULTS.md && cat bench/RESULTS.md; rm -rf $$out $$bin

## instr: instructions per request on the path users run, counted with
## valgrind (bench/cmd/instr): nethttp.Protect + Require(rbac.Role) with
## the verified-token cache off and on, rejections, and the gin, echo and
## chi adapters, each figure counted INSTRRUNS times. It is the view the
## performance targets are judged on; it replaces the part of
## bench/RESULTS.md above its "tuning" mark (make bench replaces the part
## below the "wall-clock" mark) and fails when a target does not hold.
INSTRRUNS ?= 3
instr: deps
	@bin=$$(mktemp -d); trap 'rm -rf $$bin' EXIT; set -o pipefail; \
	(cd bench && CGO_ENABLED=0 go build -o $$bin/instr ./cmd/instr) || exit 1; \
	rc=0; $$bin/instr -runs $(INSTRRUNS) -check > $$bin/out || rc=$$?; cat $$bin/out; \
	if [ $$rc != 2 ]; then { cat $$bin/out; echo; sed -n '/^<!-- tuning -->$$/,$$p' bench/RESULTS.md; } > $$bin/RESULTS.md && \
	  mv $$bin/RESULTS.md bench/RESULTS.md; fi; exit $$rc

## cost: instructions per verification, counted with valgrind, of a valid
## token, an ordinary token as large as the size limit allows and each
## hostile token of internal/hostile (bounded cost on hostile input), for COSTALGS: bench/COST.md. It
## fails when a hostile token costs more than 3× the ordinary one as large.
COSTALGS ?= RS256,ES256,EdDSA
cost: deps
	@bin=$$(mktemp -d); set -e -o pipefail; trap 'rm -rf $$bin' EXIT; \
	CGO_ENABLED=0 go build -o $$bin/cost ./internal/cmd/cost; \
	rc=0; $$bin/cost -algs $(COSTALGS) > $$bin/COST.md || rc=$$?; cat $$bin/COST.md; \
	if [ $$rc != 2 ]; then cp $$bin/COST.md bench/COST.md; fi; exit $$rc

## loadtest: examples/quickstart under load over loopback (requests/s, p50,
## p99; cache on, off, 1,000 tokens) and its memory over a LOADLONG run.
LOADLONG ?= 5m
loadtest:
	@cd bench && go run ./cmd/loadtest -duration 10s -long $(LOADLONG)
