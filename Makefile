# Frontdesk: the two commands of the README, and a few helpers.
#   make run   start Frontdesk on the embedded SQLite database (./data)
#   make test  the whole suite on SQLite and on PostgreSQL, browser tests in Chromium

GO          ?= go
PG_TEST_URL ?= postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable
TESTFLAGS   ?= -count=1 -timeout 40m

.PHONY: run test test-sqlite test-postgres vet tidy-check build bench deps-test assets

run: assets
	$(GO) run ./cmd/frontdesk serve

build: assets
	$(GO) build -o bin/frontdesk ./cmd/frontdesk

# The two suites run side by side: most of each is the browser package, which
# waits on Chromium and the servers more than it computes, so on two cores the
# pair takes little longer than one. Each suite's output is printed whole
# when it ends; either failing fails the target.
test: tidy-check assets deps-test vet
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# The rrweb recorder and replayer that the binary embeds (not committed).
assets:
	@scripts/build-assets.sh

deps-test:
	@scripts/ensure-chromium.sh
	@scripts/ensure-postgres.sh
	@scripts/ensure-pgdump.sh
	@scripts/ensure-nats.sh
	@scripts/ensure-axe.sh
	@scripts/ensure-openid-client.sh

vet:
	$(GO) vet ./...

# Fails, naming what to fix, when a Go file is not gofmt'd or go.mod/go.sum are not tidy.
# It runs first in `make test` so an untidy tree stops before the long suites start.
tidy-check:
	@unformatted=$$(find . -name '*.go' -not -path '*/node_modules/*' -exec gofmt -l {} +); \
	if [ -n "$$unformatted" ]; then \
		echo "tidy-check: these files are not gofmt'd (run: gofmt -w FILE):"; \
		echo "$$unformatted" | sed 's/^/  /'; \
		exit 1; \
	fi
	@if ! diff=$$($(GO) mod tidy -diff 2>&1); then \
		echo "tidy-check: go.mod/go.sum are not tidy (run: go mod tidy); the difference:"; \
		echo "$$diff"; \
		exit 1; \
	fi

test-sqlite:
	@echo "== test suite on SQLite"
	FRONTDESK_TEST_DATABASE_URL= $(GO) test $(TESTFLAGS) ./...

test-postgres:
	@echo "== test suite on PostgreSQL"
	FRONTDESK_TEST_DATABASE_URL='$(PG_TEST_URL)' $(GO) test $(TESTFLAGS) ./...

bench:
	@scripts/ensure-postgres.sh
	$(GO) run ./bench/audit -entries 1000000
	$(GO) run ./bench/audit -entries 1000000 -postgres '$(PG_TEST_URL)'
	$(GO) build -o bin/signinbench ./bench/signin
	bin/signinbench
	bin/signinbench -postgres '$(PG_TEST_URL)'
