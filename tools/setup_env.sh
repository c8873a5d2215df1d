#!/usr/bin/env bash
# Creates (or reuses) the project's virtual environment and installs the stack.
# Idempotent: a second run finds everything in place and returns in seconds.
#
# Usage: bash tools/setup_env.sh [--video | --full | --lite]
#   --video  (demo) the video parts: mmcv-lite 2.1.0 (pure Python, no compiler),
#            mmaction2, decord. A compiled mmcv already there is kept: it is a
#            superset of mmcv-lite.
#   --full   (default; the test command) everything: mmcv 2.1.0 compiled with
#            its ops (about 10 minutes on 2 cores the first time, then cached
#            by pip), mmdet, pycocotools, the test and lint tools, onnx and
#            onnxruntime (ONNX export).
#   --lite   like --video, but replaces a compiled mmcv by mmcv-lite.
# mmcv and mmcv-lite both install the mmcv/ package: one is uninstalled before
# the other goes in, never both. Prints the venv's python path on its last line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${NL_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
MODE="${1:---full}"
case "$MODE" in
  --video|--full|--lite) ;;
  *) echo "usage: $0 [--video | --full | --lite]" >&2; exit 2 ;;
esac
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

installed() { "${PIP[@]}" show -q "$1" >/dev/null 2>&1; }
has_ops() { "$PY" -c "import mmcv.ops" 2>/dev/null; }

# Fast path: nothing changed since the last set-up of this mode (a full set-up
# also serves --video).
want="$(cat "$ROOT/setup.py" "$ROOT/tools/setup_env.sh" | sha256sum | cut -c1-16)"
stamp() { cat "$VENV/.nl_plugin_stack_$1" 2>/dev/null || true; }
if [ "$MODE" = --full ] && [ "$(stamp full)" = "$want" ] && has_ops; then
  say "environment up to date ($VENV, full)"; echo "$PY"; exit 0
fi
if [ "$MODE" = --video ] && { [ "$(stamp video)" = "$want" ] ||
    { [ "$(stamp full)" = "$want" ] && has_ops; }; } &&
    "$PY" -c "import nl_plugin.action" 2>/dev/null; then
  say "environment up to date ($VENV, video)"; echo "$PY"; exit 0
fi

if "$PY" -c "import torch" 2>/dev/null; then
  say "keeping installed torch $("$PY" -c 'import torch; print(torch.__version__)')"
else
  say "installing torch (CPU build where available)"
  "${PIP[@]}" install -q "torch==2.13.0" || "${PIP[@]}" install -q "torch>=2.1"
fi
say "installing build tools"
"${PIP[@]}" install -q "setuptools>=77,<81" wheel psutil "numpy<2.3"

if [ "$MODE" = --full ]; then
  if installed mmcv-lite; then
    say "replacing mmcv-lite by mmcv with compiled ops"
    "${PIP[@]}" uninstall -q -y mmcv-lite
  fi
  if has_ops; then
    say "mmcv $("$PY" -c 'import mmcv; print(mmcv.__version__)') with ops already installed"
  else
    say "building mmcv 2.1.0 with ops from source: about 10 minutes on 2 cores (cached for next time)"
    "${PIP[@]}" install -q ninja
    MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-2}" "${PIP[@]}" install --no-build-isolation "mmcv==2.1.0"
  fi
  say "installing nl_plugin with the detection, test and deployment (ONNX) extras"
  "${PIP[@]}" install -q --no-build-isolation -e "$ROOT[det,tests,deploy]"
  "$PY" -c "import nl_plugin.action, nl_plugin.det, mmaction.models, mmdet.models"
  echo "$want" > "$VENV/.nl_plugin_stack_full"
else
  if [ "$MODE" = --lite ] && installed mmcv; then
    say "replacing the compiled mmcv by mmcv-lite"
    "${PIP[@]}" uninstall -q -y mmcv
    rm -f "$VENV/.nl_plugin_stack_full"
  fi
  if installed mmcv || installed mmcv-lite; then
    say "mmcv $("$PY" -c 'import mmcv; print(mmcv.__version__)') already installed"
  else
    say "installing mmcv-lite 2.1.0 (pure Python)"
    "${PIP[@]}" install -q "mmcv-lite==2.1.0"
  fi
  say "installing nl_plugin (video parts)"
  "${PIP[@]}" install -q --no-build-isolation -e "$ROOT"
  "$PY" -c "import nl_plugin.action, mmaction.models"
  echo "$want" > "$VENV/.nl_plugin_stack_video"
fi
say "environment ready ($VENV, ${MODE#--})"
echo "$PY"
