#!/usr/bin/env bash
# Shared by dist_train.sh and dist_test.sh (sourced): checks GPUS against this node,
# sets PYTHON and starts a tool under torchrun. Without a GPU, GPUS is the number of
# CPU processes (gloo backend).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python; fi
fi

available_devices() {
  if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then
    echo "$CUDA_VISIBLE_DEVICES" | tr ',' '\n' | grep -c .
  elif command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    nvidia-smi -L | grep -c '^GPU'
  else
    getconf _NPROCESSORS_ONLN  # (nproc would honour OMP_NUM_THREADS)
  fi
}

check_gpus() {  # $1 = GPUS per node
  if ! [[ "$1" =~ ^[1-9][0-9]*$ ]]; then
    echo "GPUS: expected a positive number of processes per node, got '$1'" >&2; exit 2
  fi
  local have; have="$(available_devices)"
  if [ "$1" -gt "$have" ]; then
    echo "GPUS: $1 processes per node requested but only $have device(s) are available" \
         "(GPUs, or CPU cores without a GPU)" >&2
    exit 2
  fi
}

torchrun_tool() {  # $1 = GPUS per node, $2 = tool script, then its arguments
  local gpus=$1 tool=$2
  shift 2
  check_gpus "$gpus"
  exec "$PYTHON" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="${PORT:-29500}" \
    --nproc_per_node="$gpus" "$ROOT/tools/$tool" --launcher pytorch "$@"
}
