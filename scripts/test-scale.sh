#!/usr/bin/env bash
# `make test-scale`: the whole suite (tests/ and e2e/) on the scale profile — real
# PostgreSQL and Redis on loopback, and the live-socket tests on two gunicorn
# processes sharing them. Extra arguments go to pytest, e.g. `-k realtime`.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Python drivers of the profile (pyproject's "scale" extra), at the locked versions.
if ! .venv/bin/python -c 'import psycopg, redis' 2>/dev/null; then
  .venv/bin/pip install -q $(grep -iE '^(psycopg|psycopg-binary|redis)==' requirements-dev.lock)
fi
# The browser tests need the built extension and Chromium, as in `make test`.
if [ -f extension/package.json ]; then
  make -s ext chromium
fi

# Two runs on the same servers: tests/conftest.py takes SOCKETIO_MESSAGE_QUEUE out of
# its process (in-process apps cannot use it), while e2e's backend must inherit it.
exec bash scripts/with-scale-services.sh bash -c '
  status=0
  for dir in tests e2e; do
    rc=0
    .venv/bin/python -m pytest "$dir" "$@" || rc=$?
    # 5: nothing selected in this folder (e.g. with -k), not a failure.
    [ "$rc" = 0 ] || [ "$rc" = 5 ] || status=$rc
  done
  exit $status' pytest-runs "$@"
