#!/usr/bin/env bash
# The whole test suite, on a fresh machine or a warm one: installs the pinned moto emulator into
# .venv-moto (once), then checks formatting, lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION=5.2.5
VENV=.venv-moto

if ! "$VENV/bin/python" -c "import sys, moto; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    echo "installing moto[server]==$MOTO_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

# Tests start moto on free 127.0.0.1 ports and sign with static test credentials; nothing may
# reach an instance metadata service or a real AWS endpoint.
export MOTO_SERVER="$PWD/$VENV/bin/moto_server"
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_KMS
export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-line-tables-only}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# The workspace: the app and its crates (crates/domain, crates/sim), each crate's own tests too.
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
