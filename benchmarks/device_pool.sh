#!/usr/bin/env bash
# Ensemble members (benchmarks/ensembles.py --groups POOL; bash keeps the name GROUPS for itself)
# trained on one GPU, PARALLEL at once, within a time limit; run it again on the same machine and it
# resumes the members (their checkpoints are in runs/ensemble) and, once all exist, scores them
# (unless TRAIN_ONLY=1).
#
#   DIGITS_DATA_DIR=path/to/mnist OUT=out-folder LIMIT=540 [POOL=shared] [PARALLEL=8] [TRAIN_ONLY=1] \
#     [PER_TAR=4] [SLIM=1] [PYTHON=python3] [MPS=0] bash benchmarks/device_pool.sh
#
# OUT gets log.txt, ensembles-POOL.json (when scored) and the members' checkpoints, logs and plots,
# PER_TAR members to a tar in the order of their seeds (members-1.tar, ...). LIMIT: seconds of training
# in this call. SLIM=1 packs the members without their ONNX graphs, which double a model file (a wide
# m5 member is 9 MB with it, more than eight fit what a device call brings back):
# `python benchmarks/onnx_graph.py add FILE...` exports them again where the tars are unpacked.
# Without MPS the processes take turns on the GPU (time-slicing); a step of these small models mostly
# waits on kernel launches, and NVIDIA's Multi-Process Service lets the processes' kernels run side by
# side. On an H200 eight resnet runs at once did 2.27 times the epochs of one run
# alone time-sliced, 3.83 times under MPS (benchmarks/gpu_sharing.py). So MPS is started when it is
# there and works (MPS=0: never); the log says which was used. With it, on 2026-11-26, the eight
# "shared" members trained in 120-138 s each, all at once, and the sixteen "shared2" in 215-251 s; the
# eight wide "shared3" (PER_TAR=2 SLIM=1) in 177-199 s; on 2026-11-28 the eight "an" (150 epochs, Adam)
# in 371-387 s, 418 s for the pool.
set -u
cd "$(dirname "$0")/.."
: "${DIGITS_DATA_DIR:?set DIGITS_DATA_DIR to the MNIST folder}" "${OUT:?set OUT to a folder for the results}"
POOL=${POOL:-shared}
PARALLEL=${PARALLEL:-8}
THREADS=$(( $(nproc) / PARALLEL )); [ "$THREADS" -ge 1 ] || THREADS=1
export PYTHONPATH=$PWD/src PYTHONUNBUFFERED=1 MPLBACKEND=Agg OMP_NUM_THREADS=$THREADS  # the processes share the CPU
PYTHON=${PYTHON:-python3}
RUNS=runs/ensemble
LOG=$OUT/log.txt
mkdir -p "$OUT" "$RUNS"
start=$(date +%s)
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  "$PYTHON" -c "import sys, torch; print(sys.version.split()[0], torch.__version__, torch.cuda.is_available())"; } >> "$LOG" 2>&1
cuda_works() { timeout 60 "$PYTHON" -c "import torch; assert torch.ones(8, device='cuda').sum().item() == 8"; }
if [ "${MPS:-1}" != 0 ] && command -v nvidia-cuda-mps-control > /dev/null; then
  nvidia-cuda-mps-control -d >> "$LOG" 2>&1  # "already running" on a second call is fine
  if cuda_works >> "$LOG" 2>&1; then
    echo "MPS on after $(( $(date +%s) - start )) s" >> "$LOG"
  else
    echo quit | nvidia-cuda-mps-control >> "$LOG" 2>&1
    sleep 2
    echo "MPS failed; time-slicing instead" >> "$LOG"
  fi
else
  echo "no MPS; time-slicing" >> "$LOG"
fi
only=(); [ "${TRAIN_ONLY:-0}" = 1 ] && only=(--train-only)
# shellcheck disable=SC2086  # POOL: group names, split on spaces
timeout -k 10 "${LIMIT:-540}" "$PYTHON" benchmarks/ensembles.py --groups $POOL --parallel "$PARALLEL" "${only[@]}" \
  --data-dir "$DIGITS_DATA_DIR" --runs-dir "$RUNS" --out "$OUT/ensembles-${POOL// /+}.json" >> "$LOG" 2>&1
echo "ensembles.py exit status $? after $(( $(date +%s) - start )) s" >> "$LOG"
pkill -f "digit_recognizer train" && sleep 2  # members the time limit cut short; they resume next call
for f in "$RUNS"/*.log; do echo "== $f"; grep -E "^Epoch" "$f" | tail -n 2; tail -n 2 "$f"; done >> "$LOG" 2>&1
set -- $(cd "$RUNS" && ls ./*.h5 2>/dev/null | sed 's|^\./||; s|\.h5$||' | awk -F-s '{print $NF, $0}' | sort -n | cut -d' ' -f2)
PER_TAR=${PER_TAR:-4}
PACK=$RUNS
if [ "${SLIM:-0}" = 1 ] && [ $# -gt 0 ]; then  # copies, so that a member resumed by a later call keeps its graph
  PACK=$(mktemp -d)
  for m in "$@"; do cp -r "$RUNS/$m.h5" "$RUNS/$m.log" "$RUNS/$m-plots" "$PACK"/ 2>/dev/null; done
  "$PYTHON" benchmarks/onnx_graph.py drop "$PACK"/*.h5 >> "$LOG" 2>&1
fi
part=0
while [ $# -gt 0 ]; do
  part=$(( part + 1 )); chunk=("${@:1:$PER_TAR}"); shift $(( $# < PER_TAR ? $# : PER_TAR ))
  (cd "$PACK" && tar cf "$OUT/members-$part.tar" $(for m in "${chunk[@]}"; do ls -d "$m.h5" "$m.log" "$m-plots" 2>/dev/null; done))
done
ls -la "$OUT" >> "$LOG"
