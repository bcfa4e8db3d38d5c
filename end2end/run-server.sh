#!/usr/bin/env bash
# Starts the release binary on a fresh database for the browser tests: SQLite, or PostgreSQL
# when E2E_POSTGRES names a server (the database `gatehouse_e2e` on it is dropped and created).
set -euo pipefail
cd "$(dirname "$0")"
rm -rf .e2e
mkdir -p .e2e
if [ -n "${E2E_POSTGRES:-}" ]; then
  psql "$E2E_POSTGRES" -qX -v ON_ERROR_STOP=1 \
    -c 'DROP DATABASE IF EXISTS gatehouse_e2e WITH (FORCE)' -c 'CREATE DATABASE gatehouse_e2e'
  export DATABASE_URL="${E2E_POSTGRES%/*}/gatehouse_e2e"
else
  export DATABASE_URL="sqlite://.e2e/gatehouse.db"
fi
export GATEHOUSE_ADDR="127.0.0.1:3100"
export GATEHOUSE_MAIL_DIR=".e2e/mail"
export GATEHOUSE_SITE_ROOT="../target/site"
export GATEHOUSE_LOG="${GATEHOUSE_LOG:-info,sqlx=warn}"
exec "${GATEHOUSE_BIN:-../target/release/gatehouse}" serve
