#!/usr/bin/env bash
# Starts the release binary on a fresh SQLite database for the browser tests.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf .e2e
mkdir -p .e2e
export DATABASE_URL="sqlite://.e2e/gatehouse.db"
export GATEHOUSE_ADDR="127.0.0.1:3100"
export GATEHOUSE_MAIL_DIR=".e2e/mail"
export GATEHOUSE_SITE_ROOT="../target/site"
export GATEHOUSE_LOG="${GATEHOUSE_LOG:-info,sqlx=warn}"
exec "${GATEHOUSE_BIN:-../target/release/gatehouse}" serve
