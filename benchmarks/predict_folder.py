"""A whole `digits predict DIR` command on a folder of MNIST test digits saved as 28×28 PNG files, as a
user runs it: the process's start, decoding, preprocessing (in a worker process per core), the model and
printing a line per file. With ``--multi``, `digits predict --multi DIR` on a folder of handwritten
numbers instead (``synthetic.sample_numbers``: 2–6 test digits, half separated, half touching).

    python benchmarks/predict_folder.py --data-dir ../shared/data/mnist [--baseline 714a888] [--multi] [--workers 1]

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
from digit_recognizer.synthetic import sample_numbers  # noqa: E402

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


def write_images(folder: Path, mnist, args) -> int:
    """The benchmark's images in ``folder``: test digits as 28×28 PNGs, or with ``--multi`` numbers
    (each under its own format's suffix); how many."""
    if not args.multi:
        digits = mnist.test_images[: args.images or 3000]
        for i, digit in enumerate(digits):
            Image.fromarray(np.asarray(digit)).save(folder / f"{i:05d}.png")
        return len(digits)
    count = args.images or 300
    for touching in (False, True):
        numbers = sample_numbers(mnist.test_images, mnist.test_labels, count // 2, touching, 0)
        for i, (_, _, data) in enumerate(numbers):
            suffix = "png" if data.startswith(b"\x89PNG") else "jpg"
            (folder / f"{int(touching)}-{i:05d}.{suffix}").write_bytes(data)
    return count // 2 * 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, help="image files in the folder (default: 3,000 digits, 300 numbers)")
    parser.add_argument("--multi", action="store_true", help="numbers read with --multi")
    parser.add_argument("--runs", type=int, default=5, help="runs of each code (the median is kept)")
    parser.add_argument("--baseline", metavar="COMMIT", help="also time this commit's code, taking turns")
    parser.add_argument("--workers", type=int, help="the command's --workers (default: its own, one per core)")
    common_arguments(parser, "predict_folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "images"
        folder.mkdir()
        count = write_images(folder, load_mnist(args.data_dir), args)
        command = [sys.executable, "-m", "digit_recognizer", "predict", str(folder)]
        command += ["--multi"] if args.multi else []
        command += ["--model-path", args.model_path] if args.model_path else []
        command += ["--workers", str(args.workers)] if args.workers else []
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
        "images": count,
        "multi": args.multi,
        "workers": args.workers,
        "same_output": len(set(outputs.values())) == 1,
        **{
            name: {"median_s": statistics.median(t), "images_per_s": count / statistics.median(t), "runs_s": t}
            for name, t in times.items()
        },
    }
    write_results(args.out, result)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
