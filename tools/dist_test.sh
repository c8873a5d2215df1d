#!/usr/bin/env bash
# Distributed testing with torchrun: GPUS processes on each of NNODES nodes.
# Usage: tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py args...]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
# Without a GPU the processes run on CPU with the gloo backend.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 CONFIG CHECKPOINT GPUS [test.py args...]" >&2; exit 2
fi
source "$(dirname "${BASH_SOURCE[0]}")/dist_launch_common.sh"
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
shift 3
torchrun_tool "$GPUS" test.py "$CONFIG" "$CHECKPOINT" "$@"
