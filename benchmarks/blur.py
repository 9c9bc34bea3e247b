"""Out-of-focus photos: how many digits are read right as the blur grows.

    python benchmarks/blur.py --data-dir ../shared/data/mnist

MNIST *test* digits photographed on white paper (``synthetic.out_of_focus``: canvases of 60 to 1,500
px, the digit 60 % of the side, a little sensor noise, JPEG), blurred by a Gaussian whose sigma is
each of ``--blurs`` times the digit's height, drawn with a pen and with a thin pen. The same digits
and canvases at every blur (seeded). For each: read right, "no digit" (with the reasons given) and
misread. Results go to benchmarks/results/blur.json, a table to stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.synthetic import out_of_focus  # noqa: E402

from machine import common_arguments, test_digits, write_results  # noqa: E402

PENS = ("pen", "thin pen")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="digits per blur and pen")
    parser.add_argument("--blurs", type=float, nargs="+", default=[0, 0.02, 0.04, 0.06, 0.08])
    parser.add_argument("--seed", type=int, default=0)
    common_arguments(parser, "blur")
    args = parser.parse_args()

    mnist, recognizer, index = test_digits(args)
    rows = []
    print("| pen | blur (× digit height) | read right | no digit | misread |\n|---|---|---|---|---|")
    for pen in PENS:
        for blur in args.blurs:
            rng = np.random.default_rng(args.seed)  # the same canvases at every blur
            images = [out_of_focus(mnist.test_images[i], blur, rng, pen) for i in index]
            results = recognizer.predict_batch(images)
            labels = mnist.test_labels[index]
            right = sum(r.digit == label for r, label in zip(results, labels))
            reasons = Counter(r.reason for r in results if r.digit is None)
            none = sum(reasons.values())
            rows.append({"pen": pen, "blur": blur, "images": len(index), "right": int(right), "no_digit": none,
                         "misread": len(index) - int(right) - none, "reasons": dict(reasons)})  # fmt: skip
            print(f"| {pen} | {blur:g} | {right / len(index):.1%} | {none / len(index):.1%} "
                  f"| {rows[-1]['misread'] / len(index):.1%} |")  # fmt: skip
    write_results(args.out, {"settings": vars(args), "results": rows})


if __name__ == "__main__":
    main()
