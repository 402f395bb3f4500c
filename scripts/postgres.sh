#!/usr/bin/env bash
# A local PostgreSQL for the kit's gradebook tests: `scripts/postgres.sh start|stop|status|url`.
# start: creates the Debian cluster if there is none, starts it (tolerating a stale pid file left by
# an abrupt end), waits with a bound, and creates the role and database (idempotent).
# Debian's `postgresql` package must be installed (apt-get install postgresql), and we must be root.
set -euo pipefail
PGUSER_NAME=${COURSE_PG_USER:-course}
PGPASS=${COURSE_PG_PASSWORD:-course}
PGDB=${COURSE_PG_DB:-course_gradebook}
PGPORT=${COURSE_PG_PORT:-5432}
WAIT_S=${COURSE_PG_WAIT_S:-60}

url() { echo "postgresql://${PGUSER_NAME}:${PGPASS}@127.0.0.1:${PGPORT}/${PGDB}"; }

need() {
  command -v pg_lsclusters >/dev/null || { echo "postgres: not installed (apt-get install postgresql)" >&2; exit 1; }
}

cluster() {  # "<version> <name>" of the cluster on $PGPORT, or of the first one
  pg_lsclusters -h | awk -v p="$PGPORT" '$3==p {print $1, $2; exit}'
}

ready() { pg_isready -q -h 127.0.0.1 -p "$PGPORT"; }

as_postgres() { runuser -u postgres -- "$@"; }

start() {
  need
  local c
  c=$(cluster)
  if [ -z "$c" ]; then
    local version
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    echo "postgres: creating cluster $version main on port $PGPORT"
    pg_createcluster -p "$PGPORT" "$version" main >/dev/null
    c="$version main"
  fi
  set -- $c
  local datadir="/var/lib/postgresql/$1/$2"
  # An abrupt end leaves postmaster.pid behind; it is stale when no postgres runs on that data dir.
  if [ -f "$datadir/postmaster.pid" ] && ! ready; then
    local pid
    pid=$(head -n 1 "$datadir/postmaster.pid")
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "postgres: removing stale $datadir/postmaster.pid"
      rm -f "$datadir/postmaster.pid"
    fi
  fi
  ready || pg_ctlcluster "$1" "$2" start
  for _ in $(seq 1 "$WAIT_S"); do ready && break; sleep 1; done
  if ! ready; then
    echo "postgres: did not answer within ${WAIT_S}s; last lines of the log:" >&2
    tail -n 20 "/var/log/postgresql/postgresql-$1-$2.log" >&2 || true
    exit 1
  fi
  if [ "$(as_postgres psql -p "$PGPORT" -tAc "SELECT 1 FROM pg_roles WHERE rolname='$PGUSER_NAME'")" != 1 ]; then
    as_postgres psql -p "$PGPORT" -qc "CREATE ROLE $PGUSER_NAME LOGIN CREATEDB PASSWORD '$PGPASS'"
  fi
  if [ "$(as_postgres psql -p "$PGPORT" -tAc "SELECT 1 FROM pg_database WHERE datname='$PGDB'")" != 1 ]; then
    as_postgres createdb -p "$PGPORT" -O "$PGUSER_NAME" "$PGDB"
  fi
  echo "postgres: up ($1/$2) at $(url)"
}

stop() {
  need
  local c
  c=$(cluster)
  if [ -z "$c" ] || ! ready; then echo "postgres: not running"; return 0; fi
  set -- $c
  pg_ctlcluster "$1" "$2" stop
  echo "postgres: stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) if ready; then echo "postgres: running at $(url)"; else echo "postgres: not running"; exit 1; fi ;;
  url) url ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
