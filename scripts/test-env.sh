#!/usr/bin/env bash
# The throwaway services the tests need, and nothing that outlives them.
#
#   scripts/test-env.sh up     unlock the SSH test account with a fresh random password and start
#                              a throwaway PostgreSQL cluster; prints the env file to source
#   scripts/test-env.sh down   lock the account, stop and delete the cluster, delete the secrets
#
# Everything lives in $CLOUDSHELL_TEST_DIR (default ~/.cache/cloudshell-test, mode 0700):
#   sshtest-password  0600, the account's password for this run (the harness reads it)
#   env               TEST_DATABASE_URL for the throwaway cluster
#   pg-dir            where the cluster lives ($TMPDIR/cloudshell-pg.*): initdb'd for this run,
#                     on a free loopback port, stopped and removed by `down`
# The system's own PostgreSQL cluster and ssh service are never touched.
set -euo pipefail

STATE="${CLOUDSHELL_TEST_DIR:-$HOME/.cache/cloudshell-test}"
ACCOUNT="cloudshell-sshtest"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

log() { printf '\033[1;34m[test-env]\033[0m %s\n' "$*" >&2; }

random_secret() { head -c 24 /dev/urandom | base64 | tr -d '/+=\n'; }

pg_bin() { # the newest installed server binaries
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; else dirname "$(command -v initdb)"; fi
}

# Runs a command as the cluster's owner: postgres refuses to run as root.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() { # perl is part of every Debian system
  perl -MIO::Socket::INET -e \
    'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)->sockport'
}

lock_account() {
  id "$ACCOUNT" >/dev/null 2>&1 || return 0
  # '!' alone: no password hash is left at all, so no password can ever match; and the
  # account is expired (day 1 of 1970), which sshd refuses for keys too.
  $SUDO usermod -p '!' -e 1 "$ACCOUNT"
}

account_up() {
  if ! id "$ACCOUNT" >/dev/null 2>&1; then
    echo "the test account $ACCOUNT is missing: run scripts/bootstrap.sh test" >&2
    exit 1
  fi
  local password
  password="$(random_secret)"
  (umask 077 && printf '%s' "$password" > "$STATE/sshtest-password")
  printf '%s:%s\n' "$ACCOUNT" "$password" | $SUDO chpasswd
  # Should `down` never run (the run killed outright), the account still expires tomorrow.
  $SUDO usermod -e "$(date -u -d tomorrow +%F)" "$ACCOUNT"
  $SUDO mkdir -p /run/sshd
}

pg_up() {
  local bin port password dir
  bin="$(pg_bin)"
  port="$(free_port)"
  password="$(random_secret)"
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "no postgres account to run the test cluster as: run scripts/bootstrap.sh test" >&2
    exit 1
  fi
  # Its own directory, private to the cluster's owner (as root: the postgres account, which
  # could not reach into the 0700 state directory). The password file is written while only
  # we own the directory, then the whole of it is handed over (chown -R follows no links).
  dir="$(mktemp -d "${TMPDIR:-/tmp}/cloudshell-pg.XXXXXX")"
  printf '%s\n' "$dir" > "$STATE/pg-dir"
  (umask 077 && printf '%s\n' "$password" > "$dir/pwfile")
  [ "$(id -u)" -ne 0 ] || chown -R postgres: "$dir"
  as_pg "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" --auth=scram-sha-256 \
    -E UTF8 --no-instructions >/dev/null
  rm -f "$dir/pwfile"
  # A throwaway cluster: no fsync, loopback only, its socket in its own directory.
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null
  (umask 077 && printf 'TEST_DATABASE_URL=postgres://postgres:%s@127.0.0.1:%s/postgres\n' \
    "$password" "$port" > "$STATE/env")
  log "PostgreSQL throwaway cluster on 127.0.0.1:$port ($dir)"
}

pg_down() {
  [ -f "$STATE/pg-dir" ] || return 0
  local dir
  dir="$(cat "$STATE/pg-dir")"
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir" "$STATE/pg-dir"
}

case "${1:-}" in
  up)
    mkdir -p "$STATE" && chmod 700 "$STATE"
    pg_down
    account_up
    pg_up
    echo "$STATE/env"
    ;;
  down)
    # Every step runs even when one fails; the exit status says whether all succeeded.
    rc=0
    lock_account || rc=1
    pg_down || rc=1
    rm -f "$STATE/sshtest-password" "$STATE/env" || rc=1
    log "account locked, cluster removed"
    exit "$rc"
    ;;
  *)
    echo "usage: $0 up|down" >&2
    exit 2
    ;;
esac
