#!/usr/bin/env bash
# Starts the release binary on a fresh database for the browser tests (NAME: letters, digits, _):
#   run-server.sh NAME PORT
# SQLite in .e2e/NAME/, or PostgreSQL when E2E_POSTGRES names a server (the database
# `gatehouse_e2e_NAME` on it is dropped and created). Mail is written to .e2e/NAME/mail.
set -euo pipefail
cd "$(dirname "$0")"
name="${1:-main}"
port="${2:-3100}"
dir=".e2e/$name"
rm -rf "$dir"
mkdir -p "$dir"
if [ -n "${E2E_POSTGRES:-}" ]; then
  psql "$E2E_POSTGRES" -qX -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS gatehouse_e2e_$name WITH (FORCE)" -c "CREATE DATABASE gatehouse_e2e_$name"
  export DATABASE_URL="${E2E_POSTGRES%/*}/gatehouse_e2e_$name"
else
  export DATABASE_URL="sqlite://$dir/gatehouse.db"
fi
export GATEHOUSE_ADDR="127.0.0.1:$port"
export GATEHOUSE_MAIL_DIR="$dir/mail"
export GATEHOUSE_SITE_ROOT="../target/site"
export GATEHOUSE_LOG="${GATEHOUSE_LOG:-info,sqlx=warn}"
exec "${GATEHOUSE_BIN:-../target/release/gatehouse}" serve
