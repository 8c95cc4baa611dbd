#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the project-store tests (a CTest fixture):
#   scripts/test-postgres.sh start DIR   initdb into a private folder under /tmp (which the
#                                        server's user can reach, unlike a home folder), start it
#                                        on a Unix socket there, write DIR/url (the superuser's
#                                        URL) for the tests
#   scripts/test-postgres.sh stop DIR    stop it and remove DIR
# The server listens on no TCP port (listen_addresses=''), so it never meets another one. As
# root it runs as the `postgres` user (initdb refuses root). Where PostgreSQL is not installed,
# `start` writes "absent" to DIR/url and the tests skip, unless MEDSA_REQUIRE_POSTGRES=1 (.ci/run)
# makes that a failure.
set -euo pipefail
command=${1:?start or stop}
dir=${2:?a folder for the cluster}
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac
# The server's user may not be allowed into the caller's folder (a checkout under /root), and
# initdb and pg_ctl look at their working directory.
cd /

# The newest installed server (a folder with client tools only has no initdb).
bin=""
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
  if [ -x "$candidate/initdb" ]; then bin=$candidate; fi
done
as_owner=()
if [ "$(id -u)" -eq 0 ]; then as_owner=(runuser -u postgres --); fi

case "$command" in
  start)
    if [ -f "$dir/socket" ]; then "$0" stop "$dir" || true; fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ -z "$bin" ]; then
      echo "absent" >"$dir/url"
      if [ "${MEDSA_REQUIRE_POSTGRES:-0}" = "1" ]; then
        echo "test-postgres: PostgreSQL is not installed (Debian: postgresql)" >&2
        exit 1
      fi
      echo "test-postgres: PostgreSQL is not installed; its tests will skip"
      exit 0
    fi
    socket=$(mktemp -d /tmp/medsa-pg.XXXXXX)
    echo "$socket" >"$dir/socket"
    data="$socket/data"
    if [ ${#as_owner[@]} -gt 0 ]; then chown postgres "$socket"; fi
    if ! "${as_owner[@]}" "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-sync \
      >"$dir/initdb.log" 2>&1; then
      cat "$dir/initdb.log" >&2
      exit 1
    fi
    # One role signs in with a password (scram), for the tests of PGPASSWORD and ~/.pgpass and
    # of a wrong password; everyone else is trusted on this private socket.
    {
      echo "local all medsa_password scram-sha-256"
      echo "local all all trust"
    } | "${as_owner[@]}" tee "$data/pg_hba.conf" >/dev/null
    # fsync off: a throwaway test cluster needs no durability, and it saves seconds on 2 cores.
    "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -l "$socket/server.log" -w -t 60 \
      -o "-k $socket -c listen_addresses='' -c fsync=off -c max_connections=200 -p 5433" start \
      >/dev/null || { cat "$socket/server.log" >&2; exit 1; }
    "${as_owner[@]}" "$bin/psql" -h "$socket" -p 5433 -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
      -c "CREATE ROLE medsa_password LOGIN PASSWORD 'right-password'" >/dev/null
    echo "postgresql://postgres@localhost:5433/postgres?host=$socket" >"$dir/url"
    echo "test-postgres: running on $socket"
    ;;
  stop)
    if [ -f "$dir/socket" ]; then
      socket=$(cat "$dir/socket")
      if [ -n "$bin" ] && [ -f "$socket/data/postmaster.pid" ]; then
        "${as_owner[@]}" "$bin/pg_ctl" -D "$socket/data" -m immediate -w stop >/dev/null 2>&1 || true
      fi
      rm -rf "$socket"
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
