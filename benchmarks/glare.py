"""Handwriting photographed with a glare on it, from MNIST *test* digits: a whiteboard, glossy paper.

    python benchmarks/glare.py --data-dir ../shared/data/mnist [--count 100] [--seed 0]

A whiteboard or glossy paper photographed under a lamp or with a flash reflects a spot of light that
washes the ink under it out. Each row draws ``--count`` numbers of 2–6 digits 28–120 px tall
(``synthetic.number_ink``) or single digits 40–200 px tall (``synthetic.strokes``) under a glare
(``synthetic.glare``: the spot's brightness added at its middle, centred on a stroke) and with none.
Numbers are read with ``predict_number`` (exact), digits with ``predict``. Run it with PYTHONPATH
pointing at another commit's src for a before/after. Results go to benchmarks/results/glare.json, a
table to stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.synthetic import glare  # noqa: E402

from machine import drawn_rows_main  # noqa: E402

GLARES = {"no glare": 0.0, "a glare, 0.3 bright": 0.3, "a glare, 0.5 bright": 0.5, "a glare, 0.7 bright": 0.7}


def main() -> None:
    draws = {name: (lambda ink, rng, strength=strength: glare(ink, rng, strength)) for name, strength in GLARES.items()}
    drawn_rows_main(__doc__, "glare", "glare", draws)


if __name__ == "__main__":
    main()
