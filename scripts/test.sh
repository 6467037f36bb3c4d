#!/usr/bin/env bash
# `make test`: installs what is missing, starts the throwaway services, builds once and runs
# every test: unit and integration on SQLite, the integration tests again on PostgreSQL, then
# the end-to-end tests in Chromium. The services are taken down however the run ends.
set -euo pipefail
cd "$(dirname "$0")/.."

# Tools are built without CI's clippy wrapper, which is meant for this workspace only.
env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS scripts/bootstrap.sh test
trap 'scripts/test-env.sh down' EXIT
env_file="$(scripts/test-env.sh up)"
# shellcheck disable=SC1090
pg_url="$(. "$env_file" && echo "$TEST_DATABASE_URL")"

step() { printf '\033[1;34m[test]\033[0m %s\n' "$*"; }

step "build (server and WASM site)"
cargo leptos build
step "unit and integration tests on SQLite"
env -u TEST_DATABASE_URL cargo test --workspace --exclude frontend
step "integration tests on PostgreSQL"
TEST_DATABASE_URL="$pg_url" cargo test -p server --tests -- --include-ignored
step "end-to-end tests in Chromium"
(cd end2end && npx playwright test)
