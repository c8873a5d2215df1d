#!/usr/bin/env bash
# Creates (or reuses) the project's virtual environment and installs the pinned stack.
# Idempotent: a second run finds everything satisfied and returns in seconds.
# Usage: source-free; prints the venv's python path on its last line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${NL_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.nl_plugin_stack"
say() { echo "[setup] $*" >&2; }

if [ ! -x "$VENV/bin/python" ]; then
  if "$PYTHON" -c "import torch" 2>/dev/null; then
    # Keep the torch the user already has (e.g. a CUDA build): the venv sees it.
    say "creating virtual environment in $VENV, reusing $PYTHON's torch"
    "$PYTHON" -m venv --system-site-packages "$VENV"
  else
    say "creating virtual environment in $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)

# Fast path: nothing changed since the last complete set-up.
want="$(cat "$ROOT/setup.py" "$ROOT/tools/setup_env.sh" | sha256sum | cut -c1-16)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && "$PY" -c "import nl_plugin" 2>/dev/null; then
  say "environment up to date ($VENV)"
  echo "$PY"; exit 0
fi

if "$PY" -c "import torch" 2>/dev/null; then
  say "keeping installed torch $("$PY" -c 'import torch; print(torch.__version__)')"
else
  say "installing torch (CPU build where available)"
  "${PIP[@]}" install -q "torch==2.13.0" || "${PIP[@]}" install -q "torch>=2.1"
fi

say "installing build tools"
"${PIP[@]}" install -q "setuptools>=77,<81" wheel ninja psutil "numpy<2.3"

if "$PY" -c "import mmcv, mmcv.ops" 2>/dev/null; then
  say "mmcv $("$PY" -c 'import mmcv; print(mmcv.__version__)') with ops already installed"
else
  say "building mmcv 2.1.0 with ops from source: about 10 minutes on 2 cores (cached for next time)"
  MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-2}" "${PIP[@]}" install --no-build-isolation "mmcv==2.1.0"
fi

say "installing nl_plugin and the rest of the stack"
"${PIP[@]}" install -q --no-build-isolation -e "$ROOT[tests]"
"$PY" -c "import nl_plugin, mmaction.models, mmdet.models" 
echo "$want" > "$STAMP"
say "environment ready ($VENV)"
echo "$PY"
