"""Accuracy on realistic renderings of MNIST *test* digits, per condition.

    python benchmarks/realistic.py --per-condition 200 --data-dir ../shared/data/mnist

Each condition (canvas export, phone photo on grey paper, grid lines, blur, ...) renders the same
number of randomly chosen test digits (seeded) with ``digit_recognizer.synthetic``; the bundled model
(or ``--model-path``) reads them through the full pipeline. For comparison, the "plain resize"
column feeds the same images resized straight to 28×28 (polarity fixed), as most MNIST demos do.
Results go to benchmarks/results/realistic.json, a table to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.decode import load_gray  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import sample  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402


def plain_resize(data: bytes) -> np.ndarray:
    """The naive baseline: the whole image resized to 28×28, inverted when the paper is light."""
    gray = load_gray(data)
    if np.median(gray) > 0.5:
        gray = 1 - gray
    small = Image.fromarray((gray * 255).astype(np.uint8)).resize((28, 28), Image.Resampling.LANCZOS)
    return np.asarray(small)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-condition", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-side", type=int, default=3000, help="largest canvas side in pixels")
    common_arguments(parser, "realistic")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    right, naive, total, no_digit = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int)
    start = time.perf_counter()
    for condition, label, data in sample(
        mnist.test_images, mnist.test_labels, args.per_condition, args.seed, args.max_side
    ):
        result = recognizer.predict(data)
        total[condition] += 1
        right[condition] += result.digit == label
        no_digit[condition] += result.digit is None
        naive[condition] += int(recognizer.probabilities(plain_resize(data)[None]).argmax()) == label
    seconds = time.perf_counter() - start
    rows = {
        c: {
            "images": total[c],
            "accuracy": right[c] / total[c],
            "plain_resize_accuracy": naive[c] / total[c],
            "no_digit": no_digit[c],
        }
        for c in total
    }
    overall = sum(right.values()) / sum(total.values())
    overall_naive = sum(naive.values()) / sum(total.values())
    result = {
        "model": recognizer.info(),
        "settings": vars(args),
        "overall": {"images": sum(total.values()), "accuracy": overall, "plain_resize_accuracy": overall_naive},
        "conditions": rows,
        "seconds": round(seconds, 1),
    }
    write_results(args.out, result)
    print("| condition | images | our pipeline | plain resize to 28×28 |")
    print("|---|---|---|---|")
    for c, r in rows.items():
        print(f"| {c} | {r['images']} | {r['accuracy']:.1%} | {r['plain_resize_accuracy']:.1%} |")
    print(f"| **all** | {sum(total.values())} | **{overall:.2%}** | {overall_naive:.2%} |")


if __name__ == "__main__":
    main()
