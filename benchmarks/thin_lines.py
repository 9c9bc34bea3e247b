"""Numbers and digits drawn with lines a pixel wide, from MNIST *test* digits: a paint program's pencil.

    python benchmarks/thin_lines.py --data-dir ../shared/data/mnist [--count 100] [--seed 0]

Needs the ``bench`` extra (scikit-image, for ``skeletonize``).

MS Paint's pencil, a plotter, an app's thinnest pen or a vector drawing exported without smoothing
draw strokes a pixel wide, whatever the digit's size. Each row draws ``--count`` numbers of 2–6
digits 28–120 px tall (``synthetic.random_number``) and as many single digits 40–200 px tall
(``synthetic.strokes``), as a pen draws them ("pen") or as the centre lines of those strokes
(scikit-image's ``skeletonize``): a pixel wide and aliased, black on white (PNG); anti-aliased (drawn
four times larger and reduced, as a smoothing app draws a 1-px line); saved as JPEG (quality 85);
white on black; two pixels wide; and a pixel wide with the writing three times larger (numbers
84–360 px tall, digits 120–600 px, as on a large canvas). Numbers are read with ``predict_number``
(exact), digits with ``predict``. Run it with PYTHONPATH pointing at another commit's src for a
before/after. Results go to benchmarks/results/thin_lines.json, a table to stdout.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from machine import drawn_rows_main  # noqa: E402


def centre_lines(ink: np.ndarray, scale: int = 1) -> np.ndarray:
    """The centre lines of the strokes of ``ink`` (``synthetic.strokes``' coverage in [0, 1]),
    ``scale`` times larger, a pixel wide: a boolean mask."""
    from skimage.morphology import skeletonize

    if scale > 1:
        ink = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    return skeletonize(ink > 0.5)


def drawn(lines: np.ndarray, fmt: str = "PNG", white_on_black: bool = False) -> bytes:
    """``lines`` (coverage in [0, 1]) in black on white paper (or white on black) with a margin a
    third of the writing's height, encoded as ``fmt``."""
    coverage = np.pad(lines.astype(np.float32), lines.shape[0] // 3)
    pixels = np.round(255 * (coverage if white_on_black else 1 - coverage)).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def anti_aliased(ink: np.ndarray) -> np.ndarray:
    """The centre lines of ``ink``'s strokes drawn four times larger, four pixels wide, then reduced by
    averaging: a smooth line a pixel wide, its coverage spread over two pixels where it runs between."""
    wide = cv2.dilate(centre_lines(ink, 4).view(np.uint8), np.ones((4, 4), np.uint8)).astype(np.float32)
    return cv2.resize(wide, (ink.shape[1], ink.shape[0]), interpolation=cv2.INTER_AREA)


DRAWS = {
    "pen": lambda ink, rng: drawn(ink),
    "1 px": lambda ink, rng: drawn(centre_lines(ink)),
    "1 px, anti-aliased": lambda ink, rng: drawn(anti_aliased(ink)),
    "1 px, JPEG": lambda ink, rng: drawn(centre_lines(ink), "JPEG"),
    "1 px, white on black": lambda ink, rng: drawn(centre_lines(ink), white_on_black=True),
    "2 px": lambda ink, rng: drawn(cv2.dilate(centre_lines(ink).view(np.uint8), np.ones((2, 2), np.uint8))),
    "1 px, three times larger": lambda ink, rng: drawn(centre_lines(ink, 3)),
}


def main() -> None:
    drawn_rows_main(__doc__, "thin_lines", "drawn", DRAWS)


if __name__ == "__main__":
    main()
