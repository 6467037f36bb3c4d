#!/usr/bin/env bash
# Starts Debian's PostgreSQL on loopback for the integration tests and prints the admin URL
# to use as TEST_DATABASE_URL. Idempotent: an already running cluster is reused.
set -euo pipefail
PASSWORD="${PG_TEST_PASSWORD:-cloudshell-test}"
read -r version cluster _ < <(pg_lsclusters --no-header | head -n1)
if ! pg_lsclusters --no-header | grep -q online; then
  pg_ctlcluster "$version" "$cluster" start >&2
fi
# Wait until it accepts connections (bounded).
for _ in $(seq 1 50); do
  su postgres -c "pg_isready -q -h 127.0.0.1" && break
  sleep 0.2
done
su postgres -c "psql -q -h 127.0.0.1 -c \"ALTER USER postgres PASSWORD '$PASSWORD'\"" >&2 2>/dev/null \
  || su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD '$PASSWORD'\"" >&2
# Databases left by earlier test runs.
su postgres -c "psql -Atq -c \"select datname from pg_database where datname like 'cloudshell_test_%'\"" \
  | while read -r db; do su postgres -c "dropdb --if-exists '$db'" >&2; done
echo "postgres://postgres:${PASSWORD}@127.0.0.1:5432/postgres"
