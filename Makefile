# Every target covers every module of the repository: `go ... ./...` stops at
# nested go.mod files, so each module is visited on its own.
SHELL   := /bin/bash
MODULES := $(shell find . -name go.mod -not -path './.git/*' -printf '%h\n' | sort)
GOFILES  = $(shell find . -name '*.go' -not -path './.git/*')

.PHONY: test fmt-check vet gotest lint

## test: everything CI checks (gofmt, go vet, go test -race) in every module.
test: fmt-check vet gotest

fmt-check:
	@out="$$(gofmt -l $(GOFILES))"; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	@set -e; for m in $(MODULES); do echo "go vet $$m"; (cd $$m && go vet ./...); done

gotest:
	@set -e; for m in $(MODULES); do echo "go test -race $$m"; (cd $$m && go test -race -count=1 ./...); done

## lint: staticcheck, and govulncheck where its database is reachable.
lint:
	@command -v staticcheck >/dev/null || go install honnef.co/go/tools/cmd/staticcheck@latest
	@set -e; for m in $(MODULES); do (cd $$m && $$(go env GOPATH)/bin/staticcheck ./...); done
	@command -v govulncheck >/dev/null || go install golang.org/x/vuln/cmd/govulncheck@latest || true
	@for m in $(MODULES); do (cd $$m && $$(go env GOPATH)/bin/govulncheck ./...) || \
		echo "govulncheck failed in $$m (no network to its database?); not fatal here"; done
