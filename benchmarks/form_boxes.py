"""Numbers written in a form's field, one digit per printed cell, from MNIST *test* digits.

    python benchmarks/form_boxes.py --data-dir ../shared/data/mnist [--count 100] [--seed 0] [--turn DEGREES]
        [--paper SHARE]

For each way a field is printed (``synthetic.BOX_STYLES``: a box divided into cells, boxes drawn
apart, a box with short ticks between the cells, a baseline with ticks) and each size of writing
(digits 60–85 % of a cell's height, inside the cells; 85–120 %, across the lines), ``--count``
numbers of 3–6 digits, cells 40–140 px wide, scanned as JPEG (``synthetic.render_boxed``); and the
same numbers with no lines printed, for reference. ``--turn``: the scans turned by that many degrees
(a form not quite straight on the scanner), as JPEG again. ``--paper``: that share of the field's
image's height of paper added above it and below it (a field cropped loosely from a form).
Exact-number accuracy; results go to benchmarks/results/form_boxes.json, a table to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.synthetic import BOX_STYLES, boxed_number, render_boxed, turned  # noqa: E402

from machine import common_arguments, print_scores, shares, test_digits, write_results  # noqa: E402

FILLS = {"inside the cells": (0.6, 0.85), "across the lines": (0.85, 1.2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100, help="numbers per field and size of writing")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--turn", type=float, default=0.0, help="degrees the scans are turned by")
    parser.add_argument("--paper", type=float, default=0.0, help="paper above and below, a share of the height")
    common_arguments(parser, "form_boxes")
    args = parser.parse_args()
    mnist, recognizer, _ = test_digits(args)
    rows = {}
    for fill_name, fill in FILLS.items():
        for style in ("none", *BOX_STYLES):
            rng = np.random.default_rng(args.seed)  # the same numbers for every style
            truth, read = [], []
            for _ in range(args.count):
                index = rng.choice(len(mnist.test_labels), int(rng.integers(3, 7)), replace=False)
                digits = [mnist.test_images[i] for i in index]
                cell = int(rng.integers(40, 141))
                ink, lines = boxed_number(digits, "comb" if style == "none" else style, rng, cell, fill)
                paper = ((round(args.paper * len(ink)),) * 2, (0, 0))
                ink, lines = np.pad(ink, paper), np.pad(lines, paper)
                data = render_boxed(ink, lines * (style != "none"), rng)
                data = turned(data, args.turn)[0] if args.turn else data
                truth.append("".join(str(mnist.test_labels[i]) for i in index))
                read.append(recognizer.predict_number(data).number)
            rows[f"{style}, {fill_name}"] = {"numbers": args.count, **shares(read, truth)}
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "settings": vars(args), "rows": rows})
    print_scores("field, writing", rows)


if __name__ == "__main__":
    main()
