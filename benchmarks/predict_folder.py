"""A whole `digits predict DIR` command on a folder of MNIST test digits saved as 28×28 PNG files, as a
user runs it: the process's start, decoding, preprocessing (in a worker process per core), the model and
printing a line per file.

    python benchmarks/predict_folder.py --data-dir ../shared/data/mnist [--baseline 714a888]

``--baseline COMMIT`` times that commit's code too (its ``src`` folder, from ``git archive``), the two
taking turns, and checks that both print the same lines. Each is run ``--runs`` times after one run
that warms the file cache; the median is kept. Results go to benchmarks/results/predict_folder.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402

REPOSITORY = Path(__file__).resolve().parent.parent


def source_of(commit: str, into: Path) -> Path:
    """The ``src`` folder of ``commit``, unpacked under ``into``."""
    archive = subprocess.run(["git", "archive", commit, "src"], cwd=REPOSITORY, check=True, capture_output=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def timed(command: list[str], src: Path) -> tuple[float, bytes]:
    """Seconds that ``command`` took with the package from ``src``, and what it printed."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    start = time.perf_counter()
    run = subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - start, run.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=3000, help="PNG files in the folder")
    parser.add_argument("--runs", type=int, default=5, help="runs of each code (the median is kept)")
    parser.add_argument("--baseline", metavar="COMMIT", help="also time this commit's code, taking turns")
    common_arguments(parser, "predict_folder")
    args = parser.parse_args()

    digits = load_mnist(args.data_dir).test_images[: args.images]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "digits"
        folder.mkdir()
        for i, digit in enumerate(digits):
            Image.fromarray(np.asarray(digit)).save(folder / f"{i:05d}.png")
        command = [sys.executable, "-m", "digit_recognizer", "predict", str(folder)]
        command += ["--model-path", args.model_path] if args.model_path else []
        codes = {"current": REPOSITORY / "src"}
        if args.baseline:
            codes[args.baseline] = source_of(args.baseline, Path(tmp) / "baseline")
        outputs = {name: timed(command, src)[1] for name, src in codes.items()}  # warms the file cache
        times = {name: [] for name in codes}
        for _ in range(args.runs):
            for name, src in codes.items():
                seconds, output = timed(command, src)
                assert output == outputs[name], f"{name}: another output than in its first run"
                times[name].append(seconds)

    result = {
        "images": len(digits),
        "same_output": len(set(outputs.values())) == 1,
        **{
            name: {"median_s": statistics.median(t), "images_per_s": len(digits) / statistics.median(t), "runs_s": t}
            for name, t in times.items()
        },
    }
    write_results(args.out, result)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
