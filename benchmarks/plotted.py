"""MNIST test digits plotted with matplotlib, the way people learning deep learning save one, read by
the full pipeline: read right, "no digit", misread, per way of plotting.

    python benchmarks/plotted.py --data-dir ../shared/data/mnist [--count 100]

Each way plots the same randomly chosen test digits (seeded) with ``synthetic.plotted``:
``plt.imshow(digit, cmap=...)`` in a 4×4-inch figure at 72 dpi, saved as PNG, unless it says
otherwise. Run it with PYTHONPATH pointing at another commit's src for a before/after.
Results go to benchmarks/results/plotted.json, a table to stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from machine import digit_rows_arguments, scored_row, test_digits, write_rows  # noqa: E402

WAYS = {
    "gray": {},
    "gray, no axes": {"axes": False},
    "gray, a title and a colour bar": {"title": True, "colorbar": True},
    "gray, tight bounding box": {"tight": True},
    "gray, 6×4 inches at 100 dpi": {"size": (6, 4), "dpi": 100},
    "gray, JPEG": {"fmt": "jpeg"},
    "viridis (matplotlib's default)": {"cmap": "viridis"},
    "binary (black on white)": {"cmap": "binary"},
}


def main() -> None:
    args = digit_rows_arguments(__doc__, "plotted", 100, "way of plotting")

    from digit_recognizer.synthetic import plotted

    mnist, recognizer, chosen = test_digits(args)
    rows = {}
    for way, options in WAYS.items():
        options = dict(options)
        titled = options.pop("title", False)
        images = [
            plotted(mnist.test_images[i], title=f"Label: {mnist.test_labels[i]}" if titled else "", **options)[0]
            for i in chosen
        ]
        rows[way] = scored_row(recognizer, images, mnist.test_labels[chosen])
    write_rows(args, rows, "way of plotting", key="ways")


if __name__ == "__main__":
    main()
