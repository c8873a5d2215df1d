#!/usr/bin/env bash
# Sets up the full environment (idempotent), runs the pre-commit checks
# (flake8, isort, yapf, ...) on the whole tree, then the test suite.
# Extra args go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$(bash "$ROOT/tools/setup_env.sh" --full | tail -n 1)"
cd "$ROOT"
echo "[lint] pre-commit run --all-files" >&2
"$(dirname "$PY")/pre-commit" run --all-files --show-diff-on-failure
exec "$PY" -m pytest tests -q "$@"
