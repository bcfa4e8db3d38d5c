# Sourced by the scripts: tools the build must find first on PATH.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Where cargo puts binaries (CI keeps one warm across clones through CARGO_TARGET_DIR).
export GATEHOUSE_BIN="${CARGO_TARGET_DIR:-$root/target}/release/gatehouse"
