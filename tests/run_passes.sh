#!/usr/bin/env bash
# The pytest passes of `make test`, both at once (the machine has 2 cores, each pass is mostly
# one Python process): SQLite with the browser tests, and PostgreSQL without them when
# TEST_DATABASE_URL is set. The SQLite pass prints as it runs; the PostgreSQL pass's output
# is kept in a file and printed whole after it. Exits non-zero when either pass failed.
set -uo pipefail
PY=${PY:-.venv/bin/python}
PYTEST=("$PY" -m pytest -p no:cacheprovider "$@")

pg_pid=""
pg_log=""
stop_pg() { [ -n "$pg_pid" ] && kill "$pg_pid" 2>/dev/null; }
# Background jobs of a script ignore Ctrl-C: stop the PostgreSQL pass with the script.
trap 'stop_pg; exit 130' INT TERM
trap 'stop_pg; [ -n "$pg_log" ] && rm -f "$pg_log"' EXIT

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  pg_log=$(mktemp -t choxanh-pytest-postgres.XXXXXX)
  CHOXANH_TEST_DB=postgres "${PYTEST[@]}" -m "not e2e" >"$pg_log" 2>&1 &
  pg_pid=$!
fi

echo "=== pytest on SQLite (browser tests included) ==="
CHOXANH_TEST_DB=sqlite "${PYTEST[@]}"
sqlite_rc=$?

if [ -n "$pg_pid" ]; then
  echo "=== pytest on PostgreSQL ($TEST_DATABASE_URL; browser tests ran above;" \
       "ran at the same time as the SQLite pass) ==="
  wait "$pg_pid"
  pg_rc=$?
  pg_pid=""
  cat "$pg_log"
  echo "=== pytest exit codes: SQLite $sqlite_rc, PostgreSQL $pg_rc (0 = passed) ==="
else
  echo "=== PostgreSQL pass skipped: TEST_DATABASE_URL is not set ==="
  pg_rc=0
fi
[ "$sqlite_rc" -eq 0 ] && [ "$pg_rc" -eq 0 ]
