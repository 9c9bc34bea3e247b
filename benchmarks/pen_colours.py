"""MNIST test digits drawn in colours, as in a paint app or with coloured pens, read by the full
pipeline: read right, "no digit", misread, per pen and paper.

    python benchmarks/pen_colours.py --data-dir ../shared/data/mnist [--count 100]

Each row draws the same randomly chosen test digits (seeded) as smooth strokes (``synthetic.strokes``,
200 px high on a 280-px canvas) in the pen's colour on the paper's, saved as PNG unless it says JPEG
(quality 85, which halves the colours' resolution). Light colours on white hardly differ from it in
luminance (pure yellow: 29 grey levels of 255). The last rows draw on a transparent canvas, as a
drawing app or a browser's canvas with no background exports strokes: white strokes are invisible
once composited on white. Run it with PYTHONPATH pointing at another commit's
src for a before/after. Results go to benchmarks/results/pen_colours.json, a table to stdout.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from machine import digit_rows_arguments, scored_row, test_digits, write_rows  # noqa: E402

WHITE, BLACK = (255, 255, 255), (0, 0, 0)
ROWS = {  # name: (pen, paper, format)
    "black on white": (BLACK, WHITE, "PNG"),
    "blue on white": ((30, 60, 200), WHITE, "PNG"),
    "red on white": ((220, 30, 30), WHITE, "PNG"),
    "orange on white": ((255, 140, 0), WHITE, "PNG"),
    "pink on white": ((255, 130, 200), WHITE, "PNG"),
    "light grey on white": ((192, 192, 192), WHITE, "PNG"),
    "gold on white": ((255, 215, 0), WHITE, "PNG"),
    "yellow on white": ((255, 255, 0), WHITE, "PNG"),
    "yellow on white, JPEG": ((255, 255, 0), WHITE, "JPEG"),
    "pale yellow on white": ((255, 240, 120), WHITE, "PNG"),
    "light cyan on white": ((150, 255, 255), WHITE, "PNG"),
    "yellow on black": ((255, 255, 0), BLACK, "PNG"),
    "blue on black": ((30, 60, 200), BLACK, "PNG"),
    "black on transparent": (BLACK, None, "PNG"),
    "white on transparent": (WHITE, None, "PNG"),
    "yellow on transparent": ((255, 255, 0), None, "PNG"),
    "blue on transparent": ((30, 60, 200), None, "PNG"),
    "light grey on transparent": ((192, 192, 192), None, "PNG"),
}


def drawn(digit: np.ndarray, pen: tuple, paper: tuple, fmt: str) -> bytes:
    """The digit in ``pen`` on ``paper``, encoded as ``fmt``; with no paper (None), on a transparent
    canvas as a browser exports one: the strokes' coverage in the alpha channel, the pen's colour
    wherever there is any, (0, 0, 0, 0) elsewhere."""
    from digit_recognizer.synthetic import strokes

    ink = np.pad(strokes(digit, 200), 40)[..., None]
    if paper is None:
        alpha = np.round(255 * ink).astype(np.uint8)
        pixels = np.dstack([np.where(alpha > 0, np.array(pen, np.uint8), 0), alpha]).astype(np.uint8)
    else:
        pixels = np.round(np.array(paper) * (1 - ink) + np.array(pen) * ink).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def main() -> None:
    args = digit_rows_arguments(__doc__, "pen_colours", 100, "pen and paper")

    mnist, recognizer, chosen = test_digits(args)
    rows = {}
    for name, (pen, paper, fmt) in ROWS.items():
        images = [drawn(mnist.test_images[i], pen, paper, fmt) for i in chosen]
        rows[name] = scored_row(recognizer, images, mnist.test_labels[chosen])
    write_rows(args, rows, "pen and paper")


if __name__ == "__main__":
    main()
