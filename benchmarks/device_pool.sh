#!/usr/bin/env bash
# The "shared" ensemble pool (benchmarks/ensembles.py --groups shared) on one GPU, all eight members
# at once, within a time limit; run it again on the same machine and it resumes the members (their
# checkpoints are in runs/ensemble) and, once all eight exist, scores the pool.
#
#   DIGITS_DATA_DIR=path/to/mnist OUT=out-folder LIMIT=540 [PYTHON=python3] [MPS=0] bash benchmarks/device_pool.sh
#
# OUT gets log.txt, ensembles-shared.json (when the pool was scored) and the members' checkpoints and
# logs packed two members per tar (pool-36-37.tar, ...). LIMIT: seconds of training in this call.
# Without MPS the eight processes take turns on the GPU (time-slicing): on an H200 eight at once did
# only about 1.4 times the work of one, since a step of these small models mostly waits on kernel
# launches. So NVIDIA's Multi-Process Service is started when it is there and works (MPS=0: never),
# which lets the processes' kernels run side by side; the log says which was used.
set -u
cd "$(dirname "$0")/.."
: "${DIGITS_DATA_DIR:?set DIGITS_DATA_DIR to the MNIST folder}" "${OUT:?set OUT to a folder for the results}"
export PYTHONPATH=$PWD/src PYTHONUNBUFFERED=1 MPLBACKEND=Agg OMP_NUM_THREADS=2  # 8 processes share the CPU
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
timeout -k 10 "${LIMIT:-540}" "$PYTHON" benchmarks/ensembles.py --groups shared --parallel 8 \
  --data-dir "$DIGITS_DATA_DIR" --runs-dir "$RUNS" --out "$OUT/ensembles-shared.json" >> "$LOG" 2>&1
echo "ensembles.py exit status $? after $(( $(date +%s) - start )) s" >> "$LOG"
pkill -f "digit_recognizer train" && sleep 2  # members the time limit cut short; they resume next call
for f in "$RUNS"/*.log; do echo "== $f"; grep -E "^Epoch" "$f" | tail -n 2; tail -n 2 "$f"; done >> "$LOG" 2>&1
(cd "$RUNS" && for pair in "36 37" "38 39" "40 41" "42 43"; do
  set -- $pair
  tar cf "$OUT/pool-$1-$2.tar" $(ls -d shared-*-s$1* shared-*-s$2* 2>/dev/null) 2>/dev/null
done)
ls -la "$OUT" >> "$LOG"
