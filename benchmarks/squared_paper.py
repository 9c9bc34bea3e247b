"""Numbers and digits written on squared paper, from MNIST *test* digits: an exercise book, a worksheet.

    python benchmarks/squared_paper.py --data-dir ../shared/data/mnist [--count 100] [--seed 0]

Maths exercise books and worksheets are printed with a grid of squares, and the writing crosses its
lines. Printed light blue the lines are fainter than any pen; photocopied, or photographed with the
contrast turned up, they are as grey as pencil or as dark as the writing. Each row draws ``--count``
numbers of 2–6 digits 28–120 px tall (``synthetic.random_number``) or single digits 40–200 px tall
(``synthetic.strokes``) on plain paper or on squared paper whose lines are one of
``synthetic.SQUARED`` (``synthetic.squared``: squares 0.4–1 of the writing's height, the grid placed
at random). Numbers are read with ``predict_number`` (exact), digits with ``predict``. Run it with
PYTHONPATH pointing at another commit's src for a before/after. Results go to
benchmarks/results/squared_paper.json, a table to stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.synthetic import SQUARED, squared  # noqa: E402

from machine import drawn_rows_main  # noqa: E402


def main() -> None:
    draws = {"plain paper": lambda ink, rng: squared(ink, rng, None)}
    draws |= {f"{lines} squares": lambda ink, rng, lines=lines: squared(ink, rng, lines) for lines in SQUARED}
    drawn_rows_main(__doc__, "squared_paper", "paper", draws)


if __name__ == "__main__":
    main()
