#!/usr/bin/env bash
# Checks that running the tests left the machine as it was found (.ci/run calls it).
#
#   scripts/check-machine.sh snapshot FILE   record the state before the tests
#   scripts/check-machine.sh verify [FILE]   fail (exit 1) on any of:
#     - something listening on port 22 on a non-loopback address, or the system ssh service
#       enabled at boot (either, when it was not so before);
#     - an account with a usable password that is known: the test account must be locked,
#       and no account may have an empty password or one ever committed to this repository;
#     - a changed `postgres` role in a system PostgreSQL cluster, or one that accepts a
#       password ever committed to this repository;
#     - a throwaway test cluster still running.
set -euo pipefail

# Passwords that earlier versions of the test set-up committed or set.
KNOWN_PASSWORDS=("sshtest-password-4f1d" "cloudshell-test")
TEST_ACCOUNT="cloudshell-sshtest"

listening_on() { # listening_on PORT: the local addresses (hex, as the kernel shows them)
  # Read from /proc, so no tool can be missing; a listener is state 0A.
  local port
  port="$(printf '%04X' "$1")"
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null \
    | awk -v p=":$port" '$4 == "0A" && substr($2, length($2) - 4) == p { print $2 }'
}

exposed_ssh() { # listeners on port 22 not bound to loopback (127.0.0.0/8 is 7F as the low byte)
  listening_on 22 | grep -vE '^([0-9A-F]{6}7F|0{24}01000000):' | tr '\n' ' ' || true
}

ssh_enabled() { # whether the system ssh service starts at boot
  if ls /etc/rc[2-5].d/S*ssh /etc/systemd/system/*.wants/ssh.service \
    /etc/systemd/system/*.wants/ssh.socket >/dev/null 2>&1; then
    echo yes
  else
    echo no
  fi
}

clusters() { # "version cluster status datadir" per system cluster
  command -v pg_lsclusters >/dev/null 2>&1 || return 0
  pg_lsclusters --no-header 2>/dev/null | awk '{print $1, $2, $4, $6}'
}

postgres_role() { # a digest of the postgres role's password in each system cluster
  local version cluster status datadir
  while read -r version cluster status datadir; do
    [ -n "$version" ] || continue
    local seen
    if [ "$status" = "online" ]; then
      seen="$(runuser -u postgres -- psql -Atq --cluster "$version/$cluster" \
        -c "select rolpassword from pg_authid where rolname='postgres'")" \
        || { echo "cannot read the postgres role of $version/$cluster" >&2; exit 1; }
      printf '%s/%s role %s\n' "$version" "$cluster" "$(sha256sum <<<"$seen" | cut -c1-16)"
    else
      # Offline: the catalog files (pg_authid among them) cannot change without a start.
      seen="$(cat "$datadir"/global/* | sha256sum)" \
        || { echo "cannot read $datadir/global" >&2; exit 1; }
      printf '%s/%s files %s\n' "$version" "$cluster" "${seen:0:16}"
    fi
  done < <(clusters)
}

snapshot() {
  local roles
  roles="$(postgres_role)"
  { echo "ssh: $(exposed_ssh)"; echo "ssh-enabled: $(ssh_enabled)"; echo "$roles"; } > "$1"
}

problems=()
problem() { problems+=("$*"); echo "[check-machine] FAIL: $*" >&2; }

check_ssh() {
  local before="" enabled_before="no" now
  if [ -n "${1:-}" ]; then
    before="$(sed -n 's/^ssh: //p' "$1")"
    enabled_before="$(sed -n 's/^ssh-enabled: //p' "$1")"
  fi
  now="$(exposed_ssh)"
  if [ -n "$now" ] && [ "$now" != "$before" ]; then
    problem "port 22 is listening on a non-loopback address (hex): $now"
  fi
  if [ "$(ssh_enabled)" = yes ] && [ "$enabled_before" != yes ]; then
    problem "the system ssh service is enabled at boot"
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
    done < <(grep -v '^ssh' "$1" || true)
  fi
  if command -v psql >/dev/null 2>&1 && [ -n "$(listening_on 5432)" ]; then
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
