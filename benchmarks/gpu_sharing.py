"""How well several `digits train` runs share one GPU: one run alone, N at once taking turns on the
GPU (time-slicing, the default), and N at once under NVIDIA's Multi-Process Service (MPS), which lets
their kernels run side by side.

    python benchmarks/gpu_sharing.py --data-dir path/to/mnist --runs 8 --out gpu_sharing.json

Each run is `digits train --recipe default --arch resnet --epochs 2` (the deep ensemble members'
model, a full epoch of 55,000 images); the figure is each run's second epoch (the first warms up
cuDNN), validation included, from the history it writes. MPS is started with
`nvidia-cuda-mps-control -d` and stopped again; it needs that command and may need root.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from machine import common_arguments, mps, write_results  # noqa: E402

TRAIN = ["--recipe", "default", "--arch", "resnet", "--epochs", "2", "--patience", "2"]


def run_together(count: int, folder: Path, data_dir: str | None, options: list[str]) -> dict:
    """``count`` training runs started at once; their second epochs' seconds and the wall time."""
    start = time.perf_counter()
    processes = []
    for i in range(count):
        command = [sys.executable, "-m", "digit_recognizer", "train", *TRAIN, *options, "--seed", str(i),
                   "--model-path", str(folder / f"{i}.h5"), "--plots-dir", str(folder / f"{i}-plots")]  # fmt: skip
        if data_dir:
            command += ["--data-dir", data_dir]
        processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT))
    if any(p.wait() for p in processes):
        raise SystemExit(f"a training run failed ({count} at once)")
    wall = time.perf_counter() - start
    epochs = [json.loads((folder / f"{i}-plots" / "history.json").read_text())[-1]["seconds"] for i in range(count)]
    return {"runs": count, "epoch_seconds": [round(s, 2) for s in epochs],
            "mean_epoch_seconds": round(statistics.mean(epochs), 2), "wall_seconds": round(wall, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_arguments(parser, "gpu_sharing")
    parser.add_argument("--runs", type=int, default=8, help="training runs at once (default 8)")
    parser.add_argument("--device", default="cuda", help="where to train (default cuda; cpu only checks the script)")
    parser.add_argument("--train-limit", type=int, default=0, help="train on the first N images only (0: all)")
    args = parser.parse_args()
    options = ["--device", args.device, "--train-limit", str(args.train_limit)]
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, count in (("alone", 1), ("time-slicing", args.runs)):
            rows[name] = run_together(count, Path(tmp, name), args.data_dir, options)
            print(name, rows[name], flush=True)
        if mps(True):
            try:
                rows["mps"] = run_together(args.runs, Path(tmp, "mps"), args.data_dir, options)
                print("mps", rows["mps"], flush=True)
            finally:
                mps(False)
        else:
            print("MPS could not be started", flush=True)
    alone = rows["alone"]["mean_epoch_seconds"]
    for row in rows.values():  # epochs of all runs per second of one run's epoch alone: 1 = no gain from sharing
        row["throughput_vs_alone"] = round(row["runs"] * alone / row["mean_epoch_seconds"], 2)
    write_results(args.out, {"settings": {"train": [*TRAIN, *options], "runs": args.runs}, "results": rows})


if __name__ == "__main__":
    main()
