"""Numbers with marks in them, from MNIST *test* digits: 3.14, 1,000, 12:30, -42, 25-11, 12+7=19, 3×4=12.

    python benchmarks/number_marks.py --data-dir ../shared/data/mnist [--count 100] [--seed 0]

For each kind (``synthetic.MARKED_KINDS``: a decimal point, a thousands comma, a time's colon, a
minus sign, a dash between two numbers; and "sum" and "product": two numbers of 1–2 digits added or
multiplied, with a plus or a times sign and an equals sign), ``--count`` numbers, the digits 28–120 px
tall, drawn as a pen makes the marks (``synthetic.marked_number``) under the conditions of
``benchmarks/handwritten_numbers.py`` (canvas, white on black, transparent, grey paper, gradient,
ruled paper, JPEG, noise). Two scores: the number read exactly, marks and all; and its digits read
exactly (the marks left out of both), which a mark read as a digit (a comma as a 1) spoils. Results
go to benchmarks/results/number_marks.json, a table to stdout.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import MARKED_KINDS, sample_marked_numbers  # noqa: E402

from machine import digit_rows_arguments, print_wrong, write_results  # noqa: E402

SUMS = ("sum", "product")  # synthetic.marked_text's kinds beyond MARKED_KINDS, each drawn with its own generator


def main() -> None:
    args = digit_rows_arguments(__doc__, "number_marks", 100, "kind", "numbers")
    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    read: dict[str, list[tuple[str, str]]] = {kind: [] for kind in (*MARKED_KINDS, *SUMS)}
    numbers = sample_marked_numbers(mnist.test_images, mnist.test_labels, args.count * len(MARKED_KINDS), args.seed)
    sums = [
        sample_marked_numbers(mnist.test_images, mnist.test_labels, args.count, args.seed, (kind,)) for kind in SUMS
    ]
    for truth, kind, _, data in itertools.chain(numbers, *sums):
        read[kind].append((truth, recognizer.predict_number(data).number))
    rows = {kind: scored(pairs) for kind, pairs in read.items()}
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "settings": vars(args), "rows": rows})
    print("| kind | numbers | read exactly | digits read exactly |")
    print("|---|---|---|---|")
    for kind, row in rows.items():
        print(f"| {kind} | {row['numbers']} | {row['exact']:.0%} | {row['digits_exact']:.0%} |")
    print_wrong(rows)


def scored(pairs: list[tuple[str, str]]) -> dict:
    """The share of (truth, read) pairs read exactly, and with the marks left out of both; the marks
    read in place of the true ones (as "." -> ""), and the first wrong readings."""
    digits = lambda text: "".join(c for c in text if c.isdigit())  # noqa: E731
    marks = Counter(
        f"{''.join(c for c in t if not c.isdigit())} -> {''.join(c for c in g if not c.isdigit() and c != chr(10))}"
        for t, g in pairs
    )
    return {
        "numbers": len(pairs),
        "exact": sum(t == g for t, g in pairs) / len(pairs),
        "digits_exact": sum(digits(t) == digits(g) for t, g in pairs) / len(pairs),
        "marks_read": dict(marks.most_common()),
        "wrong": [(t, g) for t, g in pairs if t != g],
    }


if __name__ == "__main__":
    main()
