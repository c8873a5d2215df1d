#!/usr/bin/env bash
# Training on a SLURM cluster with srun: one task per GPU, GPUS tasks in all.
# Usage: [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#        tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py args...]
# Multi-node: GPUS=16 GPUS_PER_NODE=8 runs on 2 nodes; MASTER_ADDR (default: the
# first node) and PORT (default 29500) can be set. On CPU-only partitions set GRES=
# (empty): the tasks then train on CPU with the gloo backend.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py args...]" >&2; exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
shift 3
WORK_DIR_ARGS=()
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
  WORK_DIR_ARGS=(--work-dir "$1"); shift
fi
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-$(( GPUS < 8 ? GPUS : 8 ))}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
PYTHON=${PYTHON:-python}
GRES=${GRES-gpu:$GPUS_PER_NODE}
GRES_ARGS=()
if [ -n "$GRES" ]; then GRES_ARGS=(--gres="$GRES"); fi
export MASTER_PORT=${PORT:-${MASTER_PORT:-29500}}
# SRUN_ARGS is split on spaces on purpose: it holds extra srun options.
# shellcheck disable=SC2086
exec srun -p "$PARTITION" --job-name="$JOB_NAME" \
  "${GRES_ARGS[@]}" --ntasks="$GPUS" --ntasks-per-node="$GPUS_PER_NODE" \
  --cpus-per-task="$CPUS_PER_TASK" --kill-on-bad-exit=1 ${SRUN_ARGS:-} \
  "$PYTHON" -u "$ROOT/tools/train.py" "$CONFIG" "${WORK_DIR_ARGS[@]}" --launcher slurm "$@"
