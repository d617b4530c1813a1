#!/usr/bin/env bash
# Run a command beside throwaway PostgreSQL and Redis servers on loopback.
#
#   scripts/with-scale-services.sh COMMAND [ARGS...]
#
# Installs the Debian packages postgresql and redis-server when missing (as root, or
# through sudo), starts a fresh PostgreSQL cluster and a Redis server in a temporary
# directory on free 127.0.0.1 ports, exports
#   DATABASE_URL=postgresql+psycopg://nudgelayer@127.0.0.1:<port>/nudgelayer
#   SOCKETIO_MESSAGE_QUEUE=redis://127.0.0.1:<port>/0
# runs COMMAND, then stops both servers and removes their data, whatever happened.
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

missing=()
[ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
PG_BIN="$(pg_bin)"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

work="$(mktemp -d /tmp/nl-scale.XXXXXX)"
chmod 755 "$work"
pg_port="$(free_port)"
redis_port="$(free_port)"

# PostgreSQL refuses to run as root: run it as the packaged "postgres" user then.
if [ "$(id -u)" = 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -f "$work/redis.pid" ]; then
    kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  fi
  if [ -f "$work/pg/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$work/pg"
[ "$(id -u)" = 0 ] && chown postgres: "$work/pg"
# trust on loopback only: a throwaway cluster that lives as long as this command.
as_pg "$PG_BIN/initdb" -D "$work/pg" -U nudgelayer --auth=trust -E UTF8 --locale=C.UTF-8 \
  >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; exit 1; }
# fsync off: the data dies with the run anyway, and tests create a database each.
as_pg "$PG_BIN/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w -t 60 start -o \
  "-k $work/pg -p $pg_port -c listen_addresses=127.0.0.1 -c fsync=off \
   -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null \
  || { cat "$work/pg/server.log" >&2; exit 1; }
"$PG_BIN/createdb" -h 127.0.0.1 -p "$pg_port" -U nudgelayer nudgelayer

redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
  --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work" \
  --maxclients 10000
for _ in $(seq 50); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$redis_port" ping >/dev/null

export DATABASE_URL="postgresql+psycopg://nudgelayer@127.0.0.1:$pg_port/nudgelayer"
export SOCKETIO_MESSAGE_QUEUE="redis://127.0.0.1:$redis_port/0"
echo "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port" >&2
"$@"
