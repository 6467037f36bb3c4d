#!/usr/bin/env bash
# Starts the built server for the end-to-end tests with a fresh data directory.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${E2E_DATA_DIR:-end2end/.data}"
rm -rf "$DATA"
export DATA_DIR="$DATA"
export LISTEN_ADDR="127.0.0.1:${E2E_PORT:-3180}"
export LEPTOS_OUTPUT_NAME="cloudshell"
export LEPTOS_SITE_ROOT="target/site"
export LEPTOS_SITE_PKG_DIR="pkg"
export LEPTOS_SITE_ADDR="$LISTEN_ADDR"
export LEPTOS_ENV="PROD"
export RUST_LOG="${RUST_LOG:-info}"
# The throttle test poses as other clients through X-Forwarded-For, so its blocks never
# touch the address every other test signs in from.
export TRUSTED_PROXIES="127.0.0.1/32"
# The test sshd listens on loopback, which devices may not reach by default.
export DEVICE_ALLOW_CIDRS="127.0.0.1/32"
exec "${SERVER_BIN:-${CARGO_TARGET_DIR:-target}/debug/server}"
