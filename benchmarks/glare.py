"""Handwriting photographed with a glare on it, from MNIST *test* digits: a whiteboard, glossy paper.

    python benchmarks/glare.py --data-dir ../shared/data/mnist [--count 100] [--seed 0]

A whiteboard or glossy paper photographed under a lamp or with a flash reflects a spot of light that
washes the ink under it out. Each row draws ``--count`` numbers of 2–6 digits 28–120 px tall
(``synthetic.number_ink``) or single digits 40–200 px tall (``synthetic.strokes``) under a glare
(``synthetic.glare``: the spot's brightness added at its middle, centred on a stroke) and with none.
Numbers are read with ``predict_number`` (exact), digits with ``predict``. Run it with PYTHONPATH
pointing at another commit's src for a before/after. Results go to benchmarks/results/glare.json, a
table to stdout.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import glare, strokes  # noqa: E402

from machine import digit_rows_arguments, print_wrong, read_numbers, scored_row, shares, write_results  # noqa: E402

GLARES = {"no glare": 0.0, "a glare, 0.3 bright": 0.3, "a glare, 0.5 bright": 0.5, "a glare, 0.7 bright": 0.7}


def main() -> None:
    args = digit_rows_arguments(__doc__, "glare", 100, "row", "numbers or digits")
    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    rows = {}
    for name, strength in GLARES.items():
        pairs = read_numbers(recognizer, mnist, args, lambda ink, rng, _, strength=strength: glare(ink, rng, strength))
        truth, read = zip(*pairs)
        rows[f"numbers, {name}"] = {
            "images": args.count,
            **shares(read, truth),
            "wrong": [p for p in pairs if p[0] != p[1]],
        }
    for name, strength in GLARES.items():
        images, labels = [], []
        for i in range(args.count):
            rng = np.random.default_rng([args.seed, 1000 + i])
            j = int(rng.integers(len(mnist.test_labels)))
            size = int(rng.integers(40, 201))
            images.append(glare(strokes(mnist.test_images[j], size, rng.uniform(0.35, 0.55)), rng, strength))
            labels.append(int(mnist.test_labels[j]))
        rows[f"single digits, {name}"] = scored_row(recognizer, images, labels)
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "settings": vars(args), "rows": rows})
    print("| glare | images | read right (numbers: exactly) | no digit | misread |")
    print("|---|---|---|---|---|")
    for name, row in rows.items():
        print(f"| {name} | {row['images']} | {row['right']:.0%} | {row['no_digit']:.0%} | {row['misread']:.0%} |")
    print_wrong(rows)


if __name__ == "__main__":
    main()
