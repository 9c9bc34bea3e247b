"""Numbers written rising or falling, not level, from MNIST *test* digits: exact-number accuracy by slant.

    python benchmarks/rising_numbers.py --data-dir ../shared/data/mnist [--count 100] [--seed 0]

``--count`` numbers of 2–6 digits, 28–120 px tall, separated (``synthetic.number_ink``), each
written level and rising or falling by each slant (``synthetic.rising``: turned about its middle,
the canvas grown to hold it), under the conditions of ``benchmarks/handwritten_numbers.py``
(canvas, white on black, transparent, grey paper, gradient, ruled paper, JPEG, noise): the same
numbers at every slant. A slant that splits the digits into several lines, or misorders them, spoils
the number. Results go to benchmarks/results/rising_numbers.json, a table to stdout.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import NUMBER_CONDITIONS, number_ink, render_number, rising  # noqa: E402

from machine import digit_rows_arguments, write_results  # noqa: E402

SLANTS = (-40, -30, -20, -15, -10, 0, 10, 15, 20, 30, 40)  # degrees; positive: rising to the right


def main() -> None:
    args = digit_rows_arguments(__doc__, "rising_numbers", 100, "slant", "numbers")
    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    rng = np.random.default_rng(args.seed)
    numbers = []
    for _ in range(args.count):
        index = rng.choice(len(mnist.test_labels), int(rng.integers(2, 7)), replace=False)
        ink = number_ink([mnist.test_images[i] for i in index], rng, False, int(rng.integers(28, 120)))
        numbers.append(("".join(str(mnist.test_labels[i]) for i in index), ink))
    rows = {}
    for slant in SLANTS:
        render = np.random.default_rng(args.seed + 1)  # the same paper, pen and noise at every slant
        read = [
            recognizer.predict_number(
                render_number(rising(ink, slant)[0], NUMBER_CONDITIONS[i % len(NUMBER_CONDITIONS)], render)
            ).number
            for i, (_, ink) in enumerate(numbers)
        ]
        wrong = [(truth, got) for (truth, _), got in zip(numbers, read) if got != truth]
        rows[f"{slant}°"] = {
            "numbers": len(numbers),
            "exact": 1 - len(wrong) / len(numbers),
            "several_lines": sum("\n" in got for _, got in wrong) / len(numbers),
            "wrong": wrong[:10],
        }
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "settings": vars(args), "rows": rows})
    print("| slant | numbers | read exactly | read as several lines |")
    print("|---|---|---|---|")
    for slant, row in rows.items():
        print(f"| {slant} | {row['numbers']} | {row['exact']:.0%} | {row['several_lines']:.0%} |")


if __name__ == "__main__":
    main()
