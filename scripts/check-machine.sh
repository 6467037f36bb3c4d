#!/usr/bin/env bash
# Checks that running the tests left the machine as it was found (.ci/run calls it).
#
#   scripts/check-machine.sh snapshot FILE   record the state before the tests
#   scripts/check-machine.sh verify [FILE]   fail (exit 1) on any of:
#     - something listening on port 22 on a non-loopback address (that was not there before);
#     - an account with a usable password that is known: the test account must be locked,
#       and no account may have an empty password or one ever committed to this repository;
#     - a changed `postgres` role in a system PostgreSQL cluster, or one that accepts a
#       password ever committed to this repository;
#     - a throwaway test cluster still running.
set -euo pipefail

# Passwords that earlier versions of the test set-up committed or set.
KNOWN_PASSWORDS=("sshtest-password-4f1d" "cloudshell-test")
TEST_ACCOUNT="cloudshell-sshtest"

exposed_ssh() { # listeners on port 22 not bound to loopback
  ss -Hltn 2>/dev/null | awk '{print $4}' | grep -E ':22$' \
    | grep -vE '^(127\.[0-9.]+|\[::1\]|::1):22$' || true
}

clusters() { # "version cluster status datadir" per system cluster
  command -v pg_lsclusters >/dev/null 2>&1 || return 0
  pg_lsclusters --no-header 2>/dev/null | awk '{print $1, $2, $4, $6}'
}

postgres_role() { # a digest of the postgres role's password in each system cluster
  local version cluster status datadir
  while read -r version cluster status datadir; do
    [ -n "$version" ] || continue
    if [ "$status" = "online" ]; then
      printf '%s/%s role %s\n' "$version" "$cluster" "$(runuser -u postgres -- psql -Atq \
        --cluster "$version/$cluster" -c "select rolpassword from pg_authid where rolname='postgres'" \
        2>/dev/null | sha256sum | cut -c1-16)"
    else
      # Offline: the catalog files (pg_authid among them) cannot change without a start.
      printf '%s/%s files %s\n' "$version" "$cluster" \
        "$(cat "$datadir"/global/* 2>/dev/null | sha256sum | cut -c1-16)"
    fi
  done < <(clusters)
}

snapshot() {
  { echo "ssh: $(exposed_ssh | tr '\n' ' ')"; postgres_role; } > "$1"
}

problems=()
problem() { problems+=("$*"); echo "[check-machine] FAIL: $*" >&2; }

check_ssh() {
  local before="" now
  [ -z "${1:-}" ] || before="$(sed -n 's/^ssh: //p' "$1")"
  now="$(exposed_ssh | tr '\n' ' ')"
  if [ -n "$now" ] && [ "$now" != "$before" ]; then
    problem "port 22 is listening on a non-loopback address: $now"
  fi
}

check_accounts() {
  local entry
  entry="$(getent shadow "$TEST_ACCOUNT" || true)"
  if [ -n "$entry" ]; then
    case "$(cut -d: -f2 <<<"$entry")" in
      '!'*|'*'*) ;;
      *) problem "the test account $TEST_ACCOUNT is not locked" ;;
    esac
  fi
  # Every account with a usable hash, tried against the known passwords.
  local found
  found="$(perl -e '
    my @known = @ARGV;
    open(my $shadow, "<", "/etc/shadow") or die "reading /etc/shadow: $!\n";
    while (<$shadow>) {
      my ($user, $hash) = split /:/;
      if ($hash eq "") { print "$user (empty password)\n"; next; }
      next if $hash =~ /^[!*]/;
      for my $k (@known) {
        if (crypt($k, $hash) eq $hash) { print "$user (a password committed here)\n"; last; }
      }
    }' "${KNOWN_PASSWORDS[@]}")"
  [ -z "$found" ] || problem "accounts with a known password: $(tr '\n' ' ' <<<"$found")"
}

check_postgres() {
  if [ -n "${1:-}" ]; then
    # Each cluster that existed before must be as it was. A cluster that a package install
    # created during the run (never started: no service starts) is not the system's old one.
    local now line
    now="$(postgres_role)"
    while read -r line; do
      grep -qxF "$line" <<<"$now" || problem "system PostgreSQL ${line%% *}: postgres role changed"
    done < <(grep -v '^ssh: ' "$1" || true)
  fi
  if command -v psql >/dev/null 2>&1 && ss -Hltn | awk '{print $4}' | grep -qE ':5432$'; then
    for pw in "${KNOWN_PASSWORDS[@]}"; do
      if PGPASSWORD="$pw" PGCONNECT_TIMEOUT=3 psql -h 127.0.0.1 -p 5432 -U postgres -Atqc 'select 1' \
        postgres >/dev/null 2>&1; then
        problem "PostgreSQL on 127.0.0.1:5432 accepts postgres with a committed password"
      fi
    done
  fi
  if pgrep -f 'cloudshell-pg\.' >/dev/null 2>&1; then
    problem "a throwaway test PostgreSQL cluster is still running"
  fi
}

case "${1:-}" in
  snapshot)
    snapshot "${2:?snapshot needs a file}"
    ;;
  verify)
    check_ssh "${2:-}"
    check_accounts
    check_postgres "${2:-}"
    if [ ${#problems[@]} -gt 0 ]; then exit 1; fi
    echo "[check-machine] ok: no exposed sshd, no account with a known password, postgres role unchanged"
    ;;
  *)
    echo "usage: $0 snapshot FILE | verify [FILE]" >&2
    exit 2
    ;;
esac
