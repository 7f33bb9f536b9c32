#!/bin/sh
# The peer servers the benchmarks compare with, installed here only (git-ignored), never in
# the project's .venv: Kinto (+ PostgreSQL driver, gunicorn) in bench/peers/.venv, PouchDB
# Server in bench/peers/node_modules. Run from anywhere: sh bench/peers/setup.sh
set -eu
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -r requirements.txt   # kinto[postgresql], psycopg2-binary, gunicorn
npm ci --no-audit --no-fund --silent                 # pouchdb-server (LevelDB prebuilt in the package)
.venv/bin/kinto --version >/dev/null 2>&1 || .venv/bin/python -c "import kinto"
node_modules/.bin/pouchdb-server --help >/dev/null
echo "peers ready: $(.venv/bin/pip show kinto | grep ^Version), pouchdb-server $(node -p "require('pouchdb-server/package.json').version")"
