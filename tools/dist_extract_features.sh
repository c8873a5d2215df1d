#!/usr/bin/env bash
# Feature extraction with torchrun: GPUS processes on each of NNODES nodes, each
# taking its share of the videos (without a GPU: CPU processes, gloo backend).
# Usage: tools/dist_extract_features.sh CONFIG CHECKPOINT GPUS INPUT ... --out DIR [args...]
set -euo pipefail
if [ $# -lt 4 ]; then
  echo "usage: $0 CONFIG CHECKPOINT GPUS INPUT ... --out DIR [extract_features.py args...]" >&2
  exit 2
fi
source "$(dirname "${BASH_SOURCE[0]}")/dist_launch_common.sh"
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
shift 3
torchrun_tool "$GPUS" extract_features.py "$CONFIG" "$CHECKPOINT" "$@"
