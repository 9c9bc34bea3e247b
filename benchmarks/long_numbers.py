"""Long handwritten numbers in one row: `Recognizer.predict_number` on rows of 8 to 60 MNIST test
digits drawn as strokes (`synthetic.strokes`, 60 or 120 px tall, 16 px apart, dark on white). A row
of 60 digits 60 px tall is 80 × 4,560 px: until 2026-11-28 such a strip was reduced to the working
size by its long side, its digits to 15 px.

    python benchmarks/long_numbers.py --data-dir ../shared/data/mnist
    git archive 108e062 src | tar -x -C /tmp/before   # the code before, for comparison
    PYTHONPATH=/tmp/before/src python benchmarks/long_numbers.py --out benchmarks/results/long_numbers-108e062.json

For each length: how many rows are read exactly, and how alike the reading is to the truth on
average (difflib's ratio: 1 is the same string; a digit split in two or two read as one costs less
than every later digit counted wrong). Results go to benchmarks/results/long_numbers.json.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import strokes  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402

ROWS = ((8, 60, 40), (20, 60, 15), (40, 60, 10), (60, 60, 8), (30, 120, 8))  # digits, their height, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=7)
    common_arguments(parser, "long_numbers")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    rng = np.random.default_rng(args.seed)
    rows = {}
    for digits, height, count in ROWS:
        exact, alike, seconds = 0, [], []
        for _ in range(count):
            chosen = rng.integers(0, len(mnist.test_labels), digits)
            ink = [strokes(mnist.test_images[i], height, 0.5) for i in chosen]
            row = np.concatenate([np.pad(1 - digit, ((10, 10), (8, 8)), constant_values=1) for digit in ink], 1)
            truth = "".join(str(mnist.test_labels[i]) for i in chosen)
            start = time.perf_counter()
            read = recognizer.predict_number((row * 255).astype(np.uint8)).number
            seconds.append(time.perf_counter() - start)
            exact += read == truth
            alike.append(difflib.SequenceMatcher(None, read, truth).ratio())
        name = f"{digits} digits {height} px tall ({row.shape[0]}x{row.shape[1]})"
        rows[name] = {"rows": count, "exact": exact, "alike": float(np.mean(alike))}
        rows[name]["seconds_median"] = float(np.median(seconds))
        print(f"{name}: exact {exact}/{count}, alike {np.mean(alike):.3f}, {np.median(seconds):.2f} s each", flush=True)
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "seed": args.seed, "rows": rows})


if __name__ == "__main__":
    main()
