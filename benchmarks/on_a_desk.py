"""A note or a sheet of paper photographed on a desk, upright, askew, seen at a slant or from
afar: read right, "no digit", misread, by paper, desk and view; and blank notes, read as a digit.

    python benchmarks/on_a_desk.py --data-dir ../shared/data/mnist [--count 50]

Each row draws the same randomly chosen test digits (seeded) with ``synthetic.strokes`` on a square
of paper half as wide as the 800-px photo (a quarter as wide for the rows "a small note"), turned by
the row's angle about its centre and, for the rows "in perspective", seen from its near side so that
its far side is three quarters as wide and the sheet 0.85 times as tall, at a random place where all
of it shows, with sensor noise (σ = 4 grey levels), saved as JPEG. The blank rows are the same
photos with nothing drawn on the paper. Run it with PYTHONPATH pointing at another commit's src for
a before/after. Results go to benchmarks/results/on_a_desk.json, a table to stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from machine import blank_row, digit_rows_arguments, noisy_jpeg, scored_row, test_digits, write_rows  # noqa: E402

PAPERS = {"a yellow note": (250, 235, 120), "white paper": (235, 235, 230)}
DESKS = {"a dark desk": (90, 60, 40), "a light wooden desk": (200, 170, 130)}
VIEWS = {  # angle, far side's width / near side's, sheet's side / photo's
    **{f"turned {angle}°": (angle, 1.0, 0.5) for angle in (0, 3, 10, 20, 30, 40)},
    **{f"in perspective, turned {angle}°": (angle, 0.75, 0.5) for angle in (0, 15)},
    "a small note, upright": (0, 1.0, 0.25),
    "a small note, turned 10°": (10, 1.0, 0.25),
    "a small note, in perspective": (0, 0.75, 0.25),
}
BLANK = ("turned 0°", "turned 10°", "a small note, turned 10°")
SIDE = 800


def photo(digit: np.ndarray | None, paper: tuple, desk: tuple, view: tuple, rng: np.random.Generator) -> bytes:
    """The digit (None: nothing) on ``paper`` on ``desk``, seen as ``view`` (``VIEWS``), as a noisy
    JPEG."""
    from digit_recognizer.synthetic import strokes

    angle, far, share = view
    side = round(SIDE * share)
    sheet = np.full((side, side, 3), paper, np.float32)
    if digit is not None:
        ink = strokes(digit, int(0.8 * side))
        start = (side - len(ink)) // 2
        sheet[start : start + len(ink), start : start + len(ink)] *= 1 - 0.85 * ink[..., None]
    half, tall = side / 2, 1 if far == 1 else 0.85
    corners = np.array(
        [[-far * half, -tall * half], [far * half, -tall * half], [half, tall * half], [-half, tall * half]]
    )
    turn = np.radians(angle)
    corners = corners @ np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])  # anticlockwise
    low, high = -corners.min(0) + SIDE // 16, SIDE - corners.max(0) - SIDE // 16
    corners += rng.uniform(low, high)
    source = np.array([[0, 0], [side, 0], [side, side], [0, side]], np.float32)
    seen = cv2.getPerspectiveTransform(source, corners.astype(np.float32))
    image = cv2.warpPerspective(sheet, seen, (SIDE, SIDE), borderMode=cv2.BORDER_CONSTANT, borderValue=desk)
    return noisy_jpeg(image, rng)


def main() -> None:
    args = digit_rows_arguments(__doc__, "on_a_desk", 50, "row")

    mnist, recognizer, chosen = test_digits(args)
    rng = np.random.default_rng(args.seed)
    rows = {}
    for paper, paper_rgb in PAPERS.items():
        for desk, desk_rgb in DESKS.items():
            for name, view in VIEWS.items():
                images = [photo(mnist.test_images[i], paper_rgb, desk_rgb, view, rng) for i in chosen]
                rows[f"{paper} on {desk}, {name}"] = scored_row(recognizer, images, mnist.test_labels[chosen])
            for name in BLANK:
                images = [photo(None, paper_rgb, desk_rgb, VIEWS[name], rng) for _ in chosen]
                rows[f"blank: {paper} on {desk}, {name}"] = blank_row(recognizer, images)
    write_rows(args, rows, "photo")


if __name__ == "__main__":
    main()
