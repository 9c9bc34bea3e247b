"""Does TF32 cost the default recipe accuracy on a GPU? `digits train --precision fp32` leaves PyTorch's
default, under which cuDNN runs convolutions in TF32 (10-bit mantissas) on Ampere and later GPUs.
This trains the default recipe with N seeds both ways, all runs at once on one GPU (under
NVIDIA's Multi-Process Service when it starts), and reports each run's test and validation accuracy
and seconds per epoch.

    python benchmarks/tf32.py --data-dir path/to/mnist --seeds 4 --out tf32.json

"fp32" runs set ``torch.backends.cudnn.allow_tf32 = False`` before `digits train` starts; "tf32"
runs leave it True (PyTorch's default). Both keep cuDNN deterministic, as `digits train` does. The
results also give one convolution's largest error against float64 each way, to show the switch
takes effect on the GPU. Extra `digits train` options go after `--` (``-- --epochs 1
--train-limit 2000 --device cpu`` checks the script on a CPU, where the switch does nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from machine import common_arguments, mps, write_results  # noqa: E402

MODES = {"tf32": True, "fp32": False}
# `python -m digit_recognizer` with cuDNN's TF32 switch set first; train() leaves that switch alone
LAUNCH = (
    "import runpy, sys, torch; torch.backends.cudnn.allow_tf32 = {allow}; "
    "print('cudnn.allow_tf32 =', torch.backends.cudnn.allow_tf32, flush=True); "
    "runpy.run_module('digit_recognizer', run_name='__main__')"
)


def conv_error(device: str) -> dict:
    """The largest |error| of a 3x3 convolution of 64 channels, against float64, with TF32 on and off."""
    import torch
    import torch.nn.functional as F

    gen = torch.Generator().manual_seed(0)
    x, w = torch.randn(64, 64, 28, 28, generator=gen), torch.randn(64, 64, 3, 3, generator=gen)
    exact = F.conv2d(x.double(), w.double(), padding=1)
    errors = {}
    for mode, allow in MODES.items():
        torch.backends.cudnn.allow_tf32 = allow
        out = F.conv2d(x.to(device), w.to(device), padding=1).cpu().double()
        errors[mode] = float((out - exact).abs().max())
    torch.backends.cudnn.allow_tf32 = True
    return errors


def train_all(seeds: range, folder: Path, data_dir: str | None, extra: list[str]) -> list[dict]:
    """The default recipe, each seed each way, all started at once; each run's figures."""
    runs = [(mode, seed) for mode in MODES for seed in seeds]
    names = [folder / f"{mode}-{seed}" for mode, seed in runs]
    env = {**os.environ, "OMP_NUM_THREADS": str(max(1, (os.cpu_count() or 1) // len(runs)))}
    processes = []
    for (mode, seed), name in zip(runs, names):
        command = [sys.executable, "-c", LAUNCH.format(allow=MODES[mode]), "train", "--recipe", "default",
                   "--seed", str(seed), "--model-path", f"{name}.h5", "--plots-dir", f"{name}-plots",
                   *extra]  # fmt: skip
        if data_dir:
            command += ["--data-dir", data_dir]
        with open(f"{name}.log", "w") as log:
            processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env))
    for (mode, seed), name, process in zip(runs, names, processes):
        if process.wait():
            tail = Path(f"{name}.log").read_text().splitlines()[-15:]
            raise SystemExit(f"{mode} seed {seed} failed:\n" + "\n".join(tail))
    from digit_recognizer.checkpoint import read_model_file

    rows = []
    for (mode, seed), name in zip(runs, names):
        history = json.loads(Path(f"{name}-plots", "history.json").read_text())
        metrics = read_model_file(f"{name}.h5").metadata["metrics"]
        seconds = [row["seconds"] for row in history[1:]] or [history[0]["seconds"]]  # the first warms up cuDNN
        rows.append({
            "mode": mode, "seed": seed, "epochs": len(history),
            "test_accuracy": metrics["test_accuracy"], "best_val_accuracy": metrics["val_accuracy"],
            "epoch_seconds": round(statistics.mean(seconds), 2),
            "flag_seen": Path(f"{name}.log").read_text().splitlines()[0],
        })  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_arguments(parser, "tf32")
    parser.add_argument("--seeds", type=int, default=4, help="runs each way (default 4)")
    parser.add_argument("--first-seed", type=int, default=0, help="their seeds: FIRST..FIRST+N-1 (default 0)")
    parser.add_argument("--no-mps", action="store_true", help="do not start NVIDIA's Multi-Process Service")
    parser.add_argument("extra", nargs="*", help="more `digits train` options, after --")
    args = parser.parse_args()
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    sharing = not args.no_mps and device == "cuda" and mps(True)
    start = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows = train_all(range(args.first_seed, args.first_seed + args.seeds), Path(tmp), args.data_dir, args.extra)
    finally:
        if sharing:
            mps(False)
    errors = conv_error(device)  # after the runs: this process holds no CUDA context while MPS serves them
    print("largest convolution error against float64:", errors, flush=True)
    summary = {}
    for mode in MODES:
        mine = [r for r in rows if r["mode"] == mode]
        summary[mode] = {key: {"mean": round(statistics.mean(r[key] for r in mine), 5),
                               "min": min(r[key] for r in mine), "max": max(r[key] for r in mine)}
                         for key in ("test_accuracy", "best_val_accuracy", "epoch_seconds")}  # fmt: skip
    write_results(args.out, {
        "date": time.strftime("%Y-%m-%d"), "device": device, "mps": sharing, "train_extra": args.extra,
        "conv_max_error_vs_float64": errors, "wall_seconds": round(time.perf_counter() - start, 1),
        "runs": rows, "summary": summary,
    })  # fmt: skip
    print("| mode | seed | test accuracy | best validation | seconds per epoch |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['mode']} | {r['seed']} | {r['test_accuracy']:.2%} | {r['best_val_accuracy']:.2%} | "
              f"{r['epoch_seconds']} |")  # fmt: skip
    for mode, s in summary.items():
        print(mode, "mean test", f"{s['test_accuracy']['mean']:.3%}", "mean validation",
              f"{s['best_val_accuracy']['mean']:.3%}")  # fmt: skip


if __name__ == "__main__":
    main()
