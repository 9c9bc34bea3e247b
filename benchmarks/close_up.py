"""A sheet of paper photographed close, filling most of the photo, the desk showing beyond one, two or
three of its sides: read right, "no digit", misread, by desk and view; and blank sheets, read as a
digit.

    python benchmarks/close_up.py --data-dir ../shared/data/mnist [--count 50]

Each row draws the same randomly chosen test digits (seeded) with ``synthetic.strokes`` on white
paper in an 800-px photo. The sheet runs off the photo's bottom; the desk shows above it by the row's
share of the photo's side, and beyond its right and left sides by theirs (none: the sheet runs off
that side too); then the whole view is turned by the row's angle about the photo's centre. The digit
is 0.8 times the shorter side of the paper that shows (at most 320 px), in its middle, turned with
the sheet. Sensor noise (σ = 4 grey levels), saved as JPEG. The blank rows are the same photos with
nothing drawn on the paper. Run it with PYTHONPATH pointing at another commit's src for a
before/after. Results go to benchmarks/results/close_up.json, a table to stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from machine import blank_row, digit_rows_arguments, noisy_jpeg, scored_row, test_digits, write_rows  # noqa: E402

PAPER = (235, 235, 230)
DESKS = {"a dark desk": (90, 60, 40), "a light wooden desk": (200, 170, 130)}
VIEWS = {  # the desk's share of the photo's side above the sheet, right of it, left of it; angle
    "the desk above, a tenth of the photo": (0.1, 0, 0, 0),
    "the desk above, a quarter": (0.25, 0, 0, 0),
    "the desk above, turned 8°": (0.15, 0, 0, 8),
    "the desk left of it, a third": (0, 0, 0.33, 0),
    "the desk above and right": (0.15, 0.15, 0, 0),
    "the desk above and right, turned 8°": (0.15, 0.15, 0, 8),
    "a corner of the sheet, turned 20°": (0.25, 0.25, 0, 20),
    "the desk on three sides": (0.15, 0.15, 0.15, 0),
    "the desk on three sides, turned 5°": (0.15, 0.15, 0.15, 5),
}
BLANK = ("the desk above, a tenth of the photo", "the desk above and right, turned 8°", "the desk on three sides")
SIDE = 800


def photo(digit: np.ndarray | None, desk: tuple, view: tuple, rng: np.random.Generator) -> bytes:
    """The digit (None: nothing) on white paper on ``desk``, seen as ``view`` (``VIEWS``), as a
    noisy JPEG."""
    from digit_recognizer.synthetic import strokes

    above, right, left, angle = view
    # The view upright, on a canvas three photos wide with the photo in its middle.
    scene = np.full((3 * SIDE, 3 * SIDE, 3), desk, np.float32)
    x0 = round(SIDE * (1 + left)) if left else 0
    x1 = round(SIDE * (2 - right)) if right else 3 * SIDE
    y0 = round(SIDE * (1 + above)) if above else 0
    scene[y0:, x0:x1] = PAPER
    if digit is not None:
        shown = (max(x0, SIDE), min(x1, 2 * SIDE), max(y0, SIDE), 2 * SIDE)  # the paper in the photo
        size = round(min(0.8 * min(shown[1] - shown[0], shown[3] - shown[2]), 0.4 * SIDE))
        ink = strokes(digit, size)
        top, start = (shown[2] + shown[3] - size) // 2, (shown[0] + shown[1] - size) // 2
        scene[top : top + size, start : start + size] *= 1 - 0.85 * ink[..., None]
    turn = cv2.getRotationMatrix2D((1.5 * SIDE, 1.5 * SIDE), angle, 1.0)
    turn[:, 2] -= SIDE  # the photo's pixels, not the canvas's
    image = cv2.warpAffine(scene, turn, (SIDE, SIDE), flags=cv2.INTER_LINEAR)
    return noisy_jpeg(image, rng)


def main() -> None:
    args = digit_rows_arguments(__doc__, "close_up", 50, "row")
    mnist, recognizer, chosen = test_digits(args)
    rng = np.random.default_rng(args.seed)
    rows = {}
    for desk, desk_rgb in DESKS.items():
        for name, view in VIEWS.items():
            images = [photo(mnist.test_images[i], desk_rgb, view, rng) for i in chosen]
            rows[f"{desk}, {name}"] = scored_row(recognizer, images, mnist.test_labels[chosen])
        for name in BLANK:
            images = [photo(None, desk_rgb, VIEWS[name], rng) for _ in chosen]
            rows[f"blank: {desk}, {name}"] = blank_row(recognizer, images)
    write_rows(args, rows, "photo")


if __name__ == "__main__":
    main()
