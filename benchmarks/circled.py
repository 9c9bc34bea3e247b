"""Numbers and digits marked as an answer, from MNIST *test* digits: a ring or a box drawn around, a tick, a cross.

    python benchmarks/circled.py --data-dir ../shared/data/mnist [--count 100] [--seed 0]

People circle a number or a digit (a teacher marking an answer, a total picked out on a page), and
the ring often touches the digits at its ends, or is left open; or they draw a box around it by
hand, or tick it, or mark it wrong with a cross. Each row draws ``--count`` numbers of 2–6 digits
28–120 px tall (``synthetic.random_number``) or single digits 40–200 px tall (``synthetic.strokes``)
with a ring around them (``synthetic.circled``): clear of the writing, touching it, left open; or a
box drawn by hand (``synthetic.boxed_by_hand``): clear of the writing, touching it; or with a tick
after it (``synthetic.ticked``) or a cross (``synthetic.crossed``). Numbers are read with
``predict_number`` (exact), digits with ``predict``. Run it with PYTHONPATH pointing at another
commit's src for a before/after. Results go to benchmarks/results/circled.json, a table to stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.synthetic import boxed_by_hand, circled, crossed, render_number, ticked  # noqa: E402

from machine import drawn_rows_main  # noqa: E402

RINGS = {  # name: how the writing is drawn, from its ink and generator
    "no ring": lambda ink, rng: render_number(ink, "grey_paper", rng),
    "a ring clear of it": lambda ink, rng: circled(ink, rng, room=(1.15, 1.3)),
    "a ring touching it": lambda ink, rng: circled(ink, rng, room=(0.95, 1.05)),
    "a ring left open": lambda ink, rng: circled(ink, rng, ends=(-40.0, -15.0)),
    "a box clear of it": lambda ink, rng: boxed_by_hand(ink, rng, room=(0.15, 0.35)),
    "a box touching it": lambda ink, rng: boxed_by_hand(ink, rng, room=(0.0, 0.06)),
    "a tick after it": ticked,
    "a cross after it": crossed,
}


def main() -> None:
    drawn_rows_main(__doc__, "circled", "mark", RINGS)


if __name__ == "__main__":
    main()
