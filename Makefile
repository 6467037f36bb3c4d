# CloudShell: the two commands that matter are `make run` and `make test`.
SHELL := /bin/bash

.PHONY: run dev build test test-rust test-postgres test-e2e lint fmt bootstrap-run bootstrap-test

## Install what is missing, build a release and serve on 127.0.0.1:3000 (SQLite in ./data).
run: bootstrap-run
	cargo leptos serve --release

## Development: rebuilds and reloads the browser on every change.
dev: bootstrap-run
	cargo leptos watch

## Install what is missing, then run every test: unit, integration and end-to-end, with a
## throwaway PostgreSQL cluster and the SSH test account unlocked only for the run.
test:
	scripts/test.sh

bootstrap-run:
	scripts/bootstrap.sh run

bootstrap-test:
	scripts/bootstrap.sh test

## Debug build of the server binary and the WASM site (target/debug/server, target/site).
build:
	cargo leptos build

## The parts of `make test` one at a time. The terminal and PostgreSQL tests need
## `scripts/test-env.sh up` first (and `down` after).
test-rust:
	cargo test --workspace --exclude frontend

## The integration tests again on PostgreSQL: TEST_DATABASE_URL if set, else the throwaway
## cluster of `scripts/test-env.sh up` (refused, not run on SQLite, when there is neither).
test-postgres:
	@url="$${TEST_DATABASE_URL:-$$(. "$${CLOUDSHELL_TEST_DIR:-$$HOME/.cache/cloudshell-test}/env" 2>/dev/null && echo "$$TEST_DATABASE_URL")}"; \
	  if [ -z "$$url" ]; then echo "no PostgreSQL: run scripts/test-env.sh up first" >&2; exit 1; fi; \
	  TEST_DATABASE_URL="$$url" cargo test -p server --tests

test-e2e:
	cd end2end && npx playwright test

## Formatting and clippy (-D warnings) for the server (ssr) and the browser (hydrate, wasm32).
lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --exclude frontend --all-targets -- -D warnings
	cargo clippy -p frontend -p app --target wasm32-unknown-unknown -- -D warnings

fmt:
	cargo fmt --all
