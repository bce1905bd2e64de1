#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL cluster on loopback for the test suite.
#   scripts/test-postgres.sh start   -> prints the SQLAlchemy URL on stdout (exit 0), or a reason on
#                                       stderr (exit 1) when PostgreSQL is not installed / won't start
#   scripts/test-postgres.sh stop
# The cluster lives in a temp dir owned by the `postgres` user (the server refuses to run as root).
# It listens on $STEMGUI_PG_PORT (55432), or on a free port when that one is taken.
set -euo pipefail
STATE_DIR=${STEMGUI_PG_STATE:-/tmp/stemgui-test-pg}
PORT=${STEMGUI_PG_PORT:-55432}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
    if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
        echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "no 'postgres' system user to run the server as" >&2; exit 1
    fi
    if [ -f "$STATE_DIR/data/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$STATE_DIR/data" status >/dev/null 2>&1; then
        echo "postgresql+psycopg://stemgui:stemgui@127.0.0.1:$(cat "$STATE_DIR/port")/stemgui"; exit 0
    fi
    if (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then  # taken by something else: any free port
        PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    fi
    rm -rf "$STATE_DIR"; mkdir -p "$STATE_DIR"; echo "$PORT" >"$STATE_DIR/port"
    [ "$(id -u)" = 0 ] && chown postgres "$STATE_DIR"
    as_pg "$BIN/initdb" -D "$STATE_DIR/data" -U postgres --auth=trust -E UTF8 >"$STATE_DIR/initdb.log" 2>&1 \
        || { echo "initdb failed: $(tail -n 3 "$STATE_DIR/initdb.log")" >&2; exit 1; }
    as_pg "$BIN/pg_ctl" -D "$STATE_DIR/data" -l "$STATE_DIR/server.log" -w -t 30 \
        -o "-p $PORT -c listen_addresses=127.0.0.1 -k $STATE_DIR -c max_connections=200 -c fsync=off" start \
        >/dev/null || { echo "PostgreSQL did not start: $(tail -n 3 "$STATE_DIR/server.log")" >&2; exit 1; }
    as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q -c \
        "CREATE ROLE stemgui LOGIN SUPERUSER PASSWORD 'stemgui'" >/dev/null
    as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q -c "CREATE DATABASE stemgui OWNER stemgui" >/dev/null
    echo "postgresql+psycopg://stemgui:stemgui@127.0.0.1:$PORT/stemgui"
    ;;
stop)
    if [ -n "$BIN" ] && [ -d "$STATE_DIR/data" ]; then
        as_pg "$BIN/pg_ctl" -D "$STATE_DIR/data" -m fast stop >/dev/null 2>&1 || true
    fi
    ;;
*)
    echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
