#!/usr/bin/env bash
# Distributed training with torchrun: GPUS processes on each of NNODES nodes.
# Usage: tools/dist_train.sh CONFIG GPUS [train.py args...]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node, e.g.
#   NNODES=2 NODE_RANK=0 MASTER_ADDR=10.0.0.1 PORT=29500 tools/dist_train.sh CONFIG 8
# Without a GPU the processes train on CPU with the gloo backend.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 CONFIG GPUS [train.py args...]" >&2; exit 2
fi
source "$(dirname "${BASH_SOURCE[0]}")/dist_launch_common.sh"
CONFIG=$1
GPUS=$2
shift 2
torchrun_tool "$GPUS" train.py "$CONFIG" "$@"
