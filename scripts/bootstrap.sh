#!/usr/bin/env bash
# Installs what building and testing CloudShell needs, skipping what is already there.
# Usage: scripts/bootstrap.sh run    -> toolchain bits + npm packages (enough for `make run`)
#        scripts/bootstrap.sh test   -> also chromium, openssh-server, postgresql (no service is
#                                       started or enabled) and the locked test account
# Every download comes from a package registry (crates.io, npm, Debian): the machine has no other network.
set -euo pipefail

MODE="${1:-run}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.11"
# Must equal the wasm-bindgen crate version in Cargo.lock.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' "$ROOT/Cargo.lock")"
TOOLS_SRC="${CLOUDSHELL_TOOLS_SRC:-$HOME/.cache/cloudshell-tools}"

log() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*"; }

has_version() { # has_version CMD EXPECTED
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q "$2"
}

# Builds a crates.io tool from its source with one dependency pinned, because a plain
# `cargo install --locked` of these versions does not build on this toolchain.
install_pinned() { # install_pinned CRATE VERSION PIN_CRATE PIN_VERSION
  local crate="$1" version="$2" pin="$3" pin_version="$4"
  local dir="$TOOLS_SRC/$crate-$version"
  log "building $crate $version from source (one-time, can take many minutes)"
  cargo info "$crate@$version" >/dev/null
  local src
  src="$(ls -d "$HOME"/.cargo/registry/src/*/"$crate-$version" | head -n1)"
  rm -rf "$dir" && mkdir -p "$TOOLS_SRC" && cp -r "$src" "$dir"
  (cd "$dir" && cargo update -p "$pin" --precise "$pin_version" && cargo install --path . --locked)
}

apt_install() { # apt_install PKG... (only those missing); starts and enables no service
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -gt 0 ] || return 0
  log "apt-get install ${missing[*]}"
  local sudo="" policy=/usr/sbin/policy-rc.d own_policy=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # Debian starts a package's service on install unless policy-rc.d says no (exit 101), with
  # or without systemd. The tests run their own sshd and PostgreSQL on loopback ports.
  if [ ! -e "$policy" ]; then
    # Removed again however this script ends, so no later service start is blocked.
    trap "$sudo rm -f $policy" EXIT
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    own_policy=1
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  local rc=0
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" || rc=$?
  if [ -n "$own_policy" ]; then
    $sudo rm -f "$policy"
    trap - EXIT
  fi
  [ "$rc" -eq 0 ] || return "$rc"
  # Installing openssh-server or postgresql also enables its unit and init script: undo that,
  # so neither starts at the next boot. Only for a package this run installed.
  local pkg service
  for pkg in "${missing[@]}"; do
    case "$pkg" in
      openssh-server) service=ssh ;;
      postgresql) service=postgresql ;;
      *) continue ;;
    esac
    if command -v deb-systemd-helper >/dev/null 2>&1; then
      $sudo deb-systemd-helper disable "$service.service" "$service.socket" >/dev/null 2>&1 || true
    fi
    if [ -x "/etc/init.d/$service" ] && command -v update-rc.d >/dev/null 2>&1; then
      $sudo update-rc.d "$service" disable >/dev/null 2>&1 || true
    fi
  done
}

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  log "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

for component in clippy rustfmt; do
  if ! rustup component list --installed | grep -q "^$component"; then
    log "adding the $component component"
    rustup component add "$component"
  fi
done

if ! has_version cargo-leptos "$CARGO_LEPTOS_VERSION"; then
  install_pinned cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-util-schemas 0.14.1
fi

if ! has_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  install_pinned wasm-bindgen-cli "$WASM_BINDGEN_VERSION" webpki-roots 1.0.10
fi

if [ ! -d "$ROOT/node_modules/@xterm/xterm" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
  log "npm ci"
  (cd "$ROOT" && npm ci --no-audit --no-fund)
fi

# xterm.js, its addons and the terminal fonts are served from public/xterm and public/fonts
# (not committed): the npm packages are the source.
mkdir -p "$ROOT/public/xterm" "$ROOT/public/fonts"
cp "$ROOT/node_modules/@xterm/xterm/lib/xterm.mjs" "$ROOT/node_modules/@xterm/xterm/css/xterm.css" \
  "$ROOT/public/xterm/"
for addon in fit search web-links; do
  cp "$ROOT/node_modules/@xterm/addon-$addon/lib/addon-$addon.mjs" "$ROOT/public/xterm/"
done
# The fonts style/main.css names: Latin and Latin Extended, regular and bold, with each licence.
for font in jetbrains-mono source-code-pro ibm-plex-mono fira-mono; do
  for file in latin-400 latin-700 latin-ext-400 latin-ext-700; do
    cp "$ROOT/node_modules/@fontsource/$font/files/$font-$file-normal.woff2" "$ROOT/public/fonts/"
  done
  cp "$ROOT/node_modules/@fontsource/$font/LICENSE" "$ROOT/public/fonts/$font-LICENSE.txt"
done

if [ "$MODE" = "test" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  apt_install chromium openssh-server openssh-client postgresql
  # The account the terminal tests log into on their own sshd (127.0.0.1 only). It stays
  # locked with no password; scripts/test-env.sh gives it a random one for a run and locks it
  # again after. Without a home it starts in /.
  if ! id cloudshell-sshtest >/dev/null 2>&1; then
    log "creating the locked sshd test account cloudshell-sshtest"
    $SUDO useradd --system --no-create-home --home-dir / --shell /bin/sh cloudshell-sshtest
  fi
  # Earlier versions set a password committed in the repository: remove any password left.
  $SUDO usermod -p '!' -e 1 cloudshell-sshtest
fi

log "ready ($MODE)"
