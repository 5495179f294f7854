#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, postgres, pg_dump) are installed, for the PostgreSQL
# tests. Idempotent and quiet: does nothing when they are there; otherwise installs Debian's `postgresql`
# (root or sudo needed then). The test harness (tests/helpers/backends.ts) finds the binaries in
# $SEALDROP_PG_BIN, else the newest /usr/lib/postgresql/<version>/bin, else `pg_config --bindir`; as root
# it runs the server as the `postgres` system user the package creates. It never uses the package's own
# cluster: each test run initdb's a temporary one on a free port.
set -euo pipefail
if [ -n "${SEALDROP_PG_BIN:-}" ] && [ -x "$SEALDROP_PG_BIN/initdb" ]; then exit 0; fi
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then exit 0; fi
echo "ensure-postgres: installing postgresql" >&2
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends postgresql >/dev/null
ls /usr/lib/postgresql/*/bin/initdb >/dev/null
