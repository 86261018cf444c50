#!/usr/bin/env bash
# A PostgreSQL cluster of CI's own for the tests that share a database (sessions, events,
# replicas): Debian's packages, a temporary cluster beside any system one, role and database
# `shopchat`.
#
#   .ci/postgres-setup.sh install   # apt-get install postgresql when its binaries are missing
#   .ci/postgres-setup.sh start     # initdb + start on 127.0.0.1:$PG_PORT, create role/database
#   .ci/postgres-setup.sh stop      # stop it and delete its folder
#   .ci/postgres-setup.sh url       # print the URL (for SHOPCHAT_TEST_DATABASE_URL)
#
# Settings (environment): PG_PORT (5433), PG_DIR (/tmp/shopchat-ci-postgres: data, socket, log).
# initdb refuses root: as root the cluster runs as the `postgres` user the package creates.
set -euo pipefail

PG_PORT="${PG_PORT:-5433}"
PG_DIR="${PG_DIR:-/tmp/shopchat-ci-postgres}"
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
AS=()
[ "$(id -u)" = 0 ] && AS=(runuser -u postgres --)

say() { echo "[postgres-setup] $*" >&2; }

bin_dir() {  # the newest installed major version's binaries
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

install() {
  if bin_dir >/dev/null; then
    say "PostgreSQL binaries in $(bin_dir)"
    return
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  bin_dir >/dev/null || { say "no PostgreSQL binaries after apt-get install"; exit 1; }
}

start() {
  local bin
  bin=$(bin_dir) || { say "PostgreSQL is not installed (run install)"; exit 1; }
  stop 2>/dev/null || true
  mkdir -p "$PG_DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
  "${AS[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C \
    >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; exit 1; }
  "${AS[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300" start \
    >/dev/null || { cat "$PG_DIR/server.log"; exit 1; }
  "$bin/psql" -v ON_ERROR_STOP=1 -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
    -c "CREATE ROLE shopchat LOGIN SUPERUSER PASSWORD 'shopchat'" \
    -c "CREATE DATABASE shopchat OWNER shopchat"
  say "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on $(url)"
}

stop() {
  local bin
  bin=$(bin_dir) || return 0
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    "${AS[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop >/dev/null
  fi
  rm -rf "$PG_DIR"
}

url() { echo "postgresql://shopchat:shopchat@127.0.0.1:$PG_PORT/shopchat"; }

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) echo "usage: $0 [install|start|stop|url]" >&2; exit 2 ;;
esac
