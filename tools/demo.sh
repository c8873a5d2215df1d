#!/usr/bin/env bash
# The demo: on the synthetic video data set, train a small non-local network and its
# C2D baseline with tools/train.py and the configs in configs/demo/, test both with
# the 10-clip protocol, print clip- and video-level top-1, plot the training curves,
# show what the NL blocks attend to and classify a few videos with tools/infer.py.
# About 4 minutes on a 2-core CPU after the environment is set up (236 s measured).
#
# Usage: bash tools/demo.sh            (outputs in work_dirs/demo)
# Environment: DEMO_OUT (output folder), SYNTHETIC_VIDEOS_ROOT (data set folder,
# default data/synthetic_videos; generated when missing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$(bash tools/setup_env.sh --video | tail -n 1)"
OUT="${DEMO_OUT:-work_dirs/demo}"
export SYNTHETIC_VIDEOS_ROOT="${SYNTHETIC_VIDEOS_ROOT:-data/synthetic_videos}"
NL_CFG=configs/demo/nl-c2d_r50-tiny_1xb8-16x6x1-300iter_synthetic-rgb.py
C2D_CFG=configs/demo/c2d_r50-tiny_1xb8-16x6x1-300iter_synthetic-rgb.py
START=$SECONDS
step() { echo; echo "==> [$(( SECONDS - START ))s] $*"; }
# Training logs are long: show progress lines here; everything is in the work dirs.
progress() { grep --line-buffered -E 'Iter\((train|val|test)\)|Saving checkpoint|best checkpoint|metrics:|Error|error:' || true; }

mkdir -p "$OUT"
step "1/6 synthetic video data set in $SYNTHETIC_VIDEOS_ROOT"
# The set is reused only if it has the demo's classes (older versions wrote others).
classes="$("$PY" -c 'from nl_plugin.action.datasets.synthetic_videos import CLASS_NAMES; print(*CLASS_NAMES[:2], sep="\n")')"
if [ -f "$SYNTHETIC_VIDEOS_ROOT/synthetic_val_list_videos.txt" ] && \
   [ "$(cat "$SYNTHETIC_VIDEOS_ROOT/classes.txt" 2>/dev/null)" = "$classes" ]; then
  echo "already there (delete the folder to regenerate)"
else
  "$PY" tools/data/make_synthetic_videos.py --out-dir "$SYNTHETIC_VIDEOS_ROOT"
fi

train() {  # $1 = name, $2 = config
  step "$3 train $1 ($2)"
  "$PY" tools/train.py "$2" --work-dir "$OUT/$1" 2>&1 | progress
  test -f "$OUT/$1/iter_300.pth" || { echo "training $1 failed: see $OUT/$1" >&2; exit 1; }
}
train nl-c2d "$NL_CFG" "2/6"
train c2d "$C2D_CFG" "3/6"

step "4/6 test both, 10 clips per video (fully convolutional)"
for name in nl-c2d c2d; do
  cfg=$NL_CFG; [ "$name" = c2d ] && cfg=$C2D_CFG
  "$PY" tools/test.py "$cfg" "$OUT/$name/iter_300.pth" --work-dir "$OUT/$name/test" \
    --metrics-out "$OUT/$name/test_metrics.json" 2>&1 | progress
done

step "5/6 training curves and attention maps"
"$PY" tools/analysis/plot_curves.py "$OUT/nl-c2d" "$OUT/c2d" --labels "NL C2D" "C2D" \
  --out "$OUT/training_curves.png"
video="$(head -n 1 "$SYNTHETIC_VIDEOS_ROOT/synthetic_val_list_videos.txt" | cut -d' ' -f1)"
"$PY" tools/visualize_attention.py "$NL_CFG" "$OUT/nl-c2d/iter_300.pth" \
  "$SYNTHETIC_VIDEOS_ROOT/videos_val/$video" --auto --out "$OUT/attention" | tail -n 3

step "6/6 the trained NL C2D on three val videos (tools/infer.py)"
"$PY" tools/infer.py "$NL_CFG" "$OUT/nl-c2d/iter_300.pth" \
  $(head -n 3 "$SYNTHETIC_VIDEOS_ROOT/synthetic_val_list_videos.txt" | cut -d' ' -f1 |
    sed "s|^|$SYNTHETIC_VIDEOS_ROOT/videos_val/|") \
  --label-map "$SYNTHETIC_VIDEOS_ROOT/classes.txt" --topk 2 --no-progress \
  --out "$OUT/infer.json" 2>/dev/null

echo
"$PY" - "$OUT" <<'PYEOF'
import json, os.path as osp, sys
out = sys.argv[1]
print('Test on the synthetic val set, 10 clips per video (top-1, %):')
print(f"{'model':<10}{'clip-level':>12}{'video-level':>13}")
for name, label in (('nl-c2d', 'NL C2D'), ('c2d', 'C2D')):
    m = json.load(open(osp.join(out, name, 'test_metrics.json')))
    print(f"{label:<10}{100 * m['acc/clip_top1']:>12.1f}{100 * m['acc/video_top1']:>13.1f}")
PYEOF
echo
echo "checkpoints and logs: $OUT/nl-c2d, $OUT/c2d (TensorBoard: tensorboard --logdir $OUT)"
echo "training curves:      $OUT/training_curves.png"
[ -d "$OUT/attention" ] && echo "attention maps:       $OUT/attention"
echo "demo wall time: $(( SECONDS - START ))s"
