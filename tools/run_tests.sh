#!/usr/bin/env bash
# Sets up the environment (idempotent) and runs the test suite. Extra args go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$(bash "$ROOT/tools/setup_env.sh" | tail -n 1)"
cd "$ROOT"
exec "$PY" -m pytest tests -q -p no:cacheprovider "$@"
