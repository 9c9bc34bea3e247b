#!/usr/bin/env bash
# The "shared" ensemble pool (benchmarks/ensembles.py --groups shared) on one GPU, all eight members
# at once, within a time limit; run it again on the same machine and it resumes the members (their
# checkpoints are in runs/ensemble) and, once all eight exist, scores the pool.
#
#   DIGITS_DATA_DIR=path/to/mnist OUT=out-folder LIMIT=540 [PYTHON=python3] bash benchmarks/device_pool.sh
#
# OUT gets log.txt, ensembles-shared.json (when the pool was scored) and the members' checkpoints and
# logs packed two members per tar (pool-36-37.tar, ...). LIMIT: seconds of training in this call.
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
timeout -k 10 "${LIMIT:-540}" "$PYTHON" benchmarks/ensembles.py --groups shared --parallel 8 \
  --data-dir "$DIGITS_DATA_DIR" --runs-dir "$RUNS" --out "$OUT/ensembles-shared.json" >> "$LOG" 2>&1
echo "ensembles.py exit status $? after $(( $(date +%s) - start )) s" >> "$LOG"
pkill -f "digit_recognizer train" && sleep 2  # members the time limit cut short; they resume next call
for f in "$RUNS"/*.log; do echo "== $f"; tail -n 3 "$f"; done >> "$LOG" 2>&1
(cd "$RUNS" && for pair in "36 37" "38 39" "40 41" "42 43"; do
  set -- $pair
  tar cf "$OUT/pool-$1-$2.tar" $(ls -d shared-*-s$1* shared-*-s$2* 2>/dev/null) 2>/dev/null
done)
ls -la "$OUT" >> "$LOG"
