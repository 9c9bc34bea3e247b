"""Digits and numbers written in pencil and photographed, from MNIST *test* digits.

    python benchmarks/pencil.py --data-dir ../shared/data/mnist [--count 100] [--seed 0]

A pencil's stroke is grey and grainy: the graphite catches on the paper's tooth. Each row draws
``--count`` test digits 80 or 200 px tall (``synthetic.strokes``, a quarter of that of paper around)
in pencil (``synthetic.pencil``: firm, medium or light pressure, on smooth or coarse paper), photographed
with a little uneven light and sensor noise, as JPEG: read right, "no digit", misread. Then numbers of
2–6 digits 80 px tall (``synthetic.number_ink``), read with ``predict_number``: exact. Run it with
PYTHONPATH pointing at another commit's src for a before/after. Results go to
benchmarks/results/pencil.json, a table to stdout.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.synthetic import PENCILS, number_ink, pencil, strokes  # noqa: E402

from machine import digit_rows_arguments, print_scores, scored_row, shares, test_digits, write_results  # noqa: E402

SIZES = (80, 200)  # the digits' height, px


def main() -> None:
    args = digit_rows_arguments(__doc__, "pencil", 100, "row")
    mnist, recognizer, chosen = test_digits(args)
    rows = {}
    for name, (pressure, grain) in PENCILS.items():
        for size in SIZES:
            rng = np.random.default_rng(args.seed)
            images = [
                pencil(np.pad(strokes(mnist.test_images[i], size, rng.uniform(0.35, 0.55)), size // 4), rng,
                       pressure, grain, size / 100)
                for i in chosen
            ]  # fmt: skip
            rows[f"{name}, {size} px"] = scored_row(recognizer, images, mnist.test_labels[chosen])
    for name, (pressure, grain) in PENCILS.items():
        rng = np.random.default_rng(args.seed)
        truth, read = [], []
        for _ in range(args.count):
            index = rng.choice(len(mnist.test_labels), int(rng.integers(2, 7)), replace=False)
            ink = np.pad(number_ink([mnist.test_images[i] for i in index], rng, False, 80), 20)
            read.append(recognizer.predict_number(pencil(ink, rng, pressure, grain, 0.8)).number)
            truth.append("".join(str(mnist.test_labels[i]) for i in index))
        rows[f"a number, {name}"] = {"images": args.count, **shares(read, truth)}
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "settings": vars(args), "rows": rows})
    print_scores("pencil", rows)


if __name__ == "__main__":
    main()
