"""Numbers and digits gone over with a highlighter, from MNIST *test* digits: a marked answer.

    python benchmarks/highlighted.py --data-dir ../shared/data/mnist [--count 100] [--seed 0]

People mark an answer or a total with a highlighter, over the writing. A highlighter's dye lets some
of each colour through: in luminance a yellow stroke is nearly as light as the paper, a pink one a
mid grey, as dark as pencil. Each row draws ``--count`` numbers of 2–6 digits 28–120 px tall
(``synthetic.random_number``) or single digits 40–200 px tall (``synthetic.strokes``), in a black,
blue or grey pen, with no highlighter or one of ``synthetic.HIGHLIGHTERS`` (``synthetic.highlighted``).
Numbers are read with ``predict_number`` (exact), digits with ``predict``. Run it with PYTHONPATH
pointing at another commit's src for a before/after. Results go to
benchmarks/results/highlighted.json, a table to stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.synthetic import HIGHLIGHTERS, highlighted, render_number  # noqa: E402

from machine import drawn_rows_main  # noqa: E402


def main() -> None:
    draws = {"no highlighter": lambda ink, rng: render_number(ink, "grey_paper", rng)}
    draws |= {colour: lambda ink, rng, colour=colour: highlighted(ink, rng, colour) for colour in HIGHLIGHTERS}
    drawn_rows_main(__doc__, "highlighted", "highlighter", draws)


if __name__ == "__main__":
    main()
