"""Handwriting on paper printed with dots, from MNIST *test* digits: dot-grid paper, a form's dotted line.

    python benchmarks/dotted_paper.py --data-dir ../shared/data/mnist [--count 100] [--seed 0]

Dot-grid notebooks, and forms whose fields are a dotted line to write on, put printed dots between
and under the digits. Each row draws ``--count`` numbers of 2–6 digits 28–120 px tall
(``synthetic.number_ink``) or single digits 28–200 px tall (``synthetic.strokes``) on such paper
(``synthetic.dotted``: the dots grey or as dark as a pen), scanned as JPEG; and the same numbers on
plain paper. Numbers are read with ``predict_number`` (exact, and read with a mark, a point or colon,
they do not have), digits with ``predict``. Run it with PYTHONPATH pointing at another commit's src
for a before/after. Results go to benchmarks/results/dotted_paper.json, a table to stdout.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import dotted, strokes  # noqa: E402

from machine import digit_rows_arguments, print_wrong, read_numbers, scored_row, write_results  # noqa: E402

ROWS = {  # name: (a dot grid, the dots' darkness); None: plain paper
    "plain paper": None,
    "a dotted line under the number, grey": (False, 0.5),
    "a dotted line, dark": (False, 1.0),
    "dot-grid paper, grey dots": (True, 0.5),
    "dot-grid paper, dark dots": (True, 1.0),
}


def main() -> None:
    args = digit_rows_arguments(__doc__, "dotted_paper", 100, "row", "numbers or digits")
    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    rows = {}
    for name, paper in ROWS.items():
        pairs = read_numbers(
            recognizer, mnist, args, lambda ink, rng, _, paper=paper: dotted(ink, rng, *(paper or (True, 0.0)))
        )
        rows[f"numbers, {name}"] = {
            "numbers": args.count,
            "exact": sum(t == g for t, g in pairs) / args.count,
            "false_marks": sum(any(c in ".:" for c in g) for _, g in pairs) / args.count,
            "wrong": [(t, g) for t, g in pairs if t != g],
        }
    for name, paper in list(ROWS.items())[3:]:
        images, labels = [], []
        for i in range(args.count):
            rng = np.random.default_rng([args.seed, 1000 + i])
            j = int(rng.integers(len(mnist.test_labels)))
            size = int(rng.integers(28, 201))
            images.append(dotted(np.pad(strokes(mnist.test_images[j], size, rng.uniform(0.35, 0.55)), size // 4),
                                 rng, *paper))  # fmt: skip
            labels.append(int(mnist.test_labels[j]))
        rows[f"single digits, {name}"] = scored_row(recognizer, images, labels)
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "settings": vars(args), "rows": rows})
    print("| paper | count | read exactly / right | a point or colon read that is not there / misread |")
    print("|---|---|---|---|")
    for name, row in rows.items():
        if "exact" in row:
            print(f"| {name} | {row['numbers']} | {row['exact']:.0%} | {row['false_marks']:.0%} |")
        else:
            print(f"| {name} | {row['images']} | {row['right']:.0%} | {row['misread']:.0%} |")
    print_wrong(rows)


if __name__ == "__main__":
    main()
