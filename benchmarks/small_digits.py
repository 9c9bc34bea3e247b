"""A small digit on a large page, as in a photo of a whole sheet: read right, "no digit", misread, by
page size and digit size; and blank pages, which must stay "no digit".

    python benchmarks/small_digits.py --data-dir ../shared/data/mnist [--count 30]

Each row draws the same randomly chosen test digits (seeded) with ``synthetic.strokes`` (MNIST's
28-px box at a share of the page's side, so the digit itself is about 0.7 of that high) at a random
place on a square page, rendered as a clean PNG canvas (``synthetic.CONDITIONS["canvas"]``) or a
photo (``"thin_pen"``: off-white paper, sensor noise, JPEG). The blank rows are the same pages
without a digit, and with 40 flecks of 1-3 px. Run it with PYTHONPATH pointing at another commit's
src for a before/after. Results go to benchmarks/results/small_digits.json, a table to stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from machine import blank_row, digit_rows_arguments, scored_row, test_digits, write_rows  # noqa: E402

PAGES = (1000, 2000, 3000)  # px a side
SHARES = (0.02, 0.03, 0.05)  # the 28-px box's side / the page's side
RENDERINGS = ("canvas", "thin_pen")


def page(side: int, rng: np.random.Generator, digit: np.ndarray | None = None, share: float = 0.0) -> np.ndarray:
    """An ink map of a ``side``-px page: ``digit`` drawn at ``share`` of the side somewhere on it, or
    (no digit) 40 flecks of 1-3 px."""
    from digit_recognizer.synthetic import strokes

    ink = np.zeros((side, side), np.float32)
    if digit is None:
        for _ in range(40):
            y, x, h, w = *rng.integers(0, side - 3, 2), *rng.integers(1, 4, 2)
            ink[y : y + h, x : x + w] = 1
        return ink
    drawn = strokes(digit, round(share * side))
    y, x = rng.integers(side // 10, side - side // 10 - len(drawn), 2)
    ink[y : y + len(drawn), x : x + len(drawn)] = drawn
    return ink


def main() -> None:
    args = digit_rows_arguments(__doc__, "small_digits", 30, "row (and blank pages)")

    from digit_recognizer.synthetic import CONDITIONS

    mnist, recognizer, chosen = test_digits(args)
    rng = np.random.default_rng(args.seed)
    rows = {}
    for rendering in RENDERINGS:
        for side in PAGES:
            for share in SHARES:
                images = [CONDITIONS[rendering](page(side, rng, mnist.test_images[i], share), rng) for i in chosen]
                rows[f"{rendering}, {side} px, digit box {share:.0%}"] = scored_row(
                    recognizer, images, mnist.test_labels[chosen]
                )
            images = [CONDITIONS[rendering](page(side, rng), rng) for _ in chosen]
            rows[f"{rendering}, {side} px, blank with flecks"] = blank_row(recognizer, images)
    write_rows(args, rows, "page")


if __name__ == "__main__":
    main()
