"""Numbers and digits written on a line, from MNIST *test* digits: a form's line, an underline.

    python benchmarks/on_a_line.py --data-dir ../shared/data/mnist [--count 100] [--seed 0]

A form often gives a printed line to write on ("Amount ________"), and people underline a total;
the digits stand on the line or reach through it, and the line joins them into one piece of ink.
Each row draws ``--count`` numbers of 2–6 digits 28–120 px tall (``synthetic.random_number``) or
single digits 40–200 px tall (``synthetic.strokes``) on a line (``synthetic.on_a_line``): printed
or drawn by hand, solid or dashed, under the writing, the writing standing on it or reaching
through it; one row turns the scan 3° (``synthetic.turned``). Numbers are read with ``predict_number`` (exact), digits
with ``predict``. Run it with PYTHONPATH pointing at another commit's src for a before/after.
Results go to benchmarks/results/on_a_line.json, a table to stdout.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import on_a_line, render_number, turned  # noqa: E402

from machine import digit_row, digit_rows_arguments, number_row, print_rows, write_results  # noqa: E402

NUMBER_ROWS = {  # name: how the number is drawn, from its ink and generator
    "no line": lambda ink, rng: render_number(ink, "grey_paper", rng),
    "a printed line under it": lambda ink, rng: on_a_line(ink, rng, "under"),
    "standing on a printed line": lambda ink, rng: on_a_line(ink, rng, "standing"),
    "reaching through a printed line": lambda ink, rng: on_a_line(ink, rng, "crossing"),
    "standing on a printed line, turned 3°": lambda ink, rng: turned(on_a_line(ink, rng, "standing"), 3.0)[0],
    "underlined by hand": lambda ink, rng: on_a_line(ink, rng, "under", by_hand=True),
    "standing on a line drawn by hand": lambda ink, rng: on_a_line(ink, rng, "standing", by_hand=True),
    "reaching through a line drawn by hand": lambda ink, rng: on_a_line(ink, rng, "crossing", by_hand=True),
    "a dashed printed line under it": lambda ink, rng: on_a_line(ink, rng, "under", dashed=True),
    "standing on a dashed printed line": lambda ink, rng: on_a_line(ink, rng, "standing", dashed=True),
    "standing on a dashed line drawn by hand": lambda ink, rng: on_a_line(ink, rng, "standing", True, dashed=True),
}
DIGIT_REACH = {"a line 1.5 to 2 times as long as it": (0.25, 0.5), "a line 3 to 4 times as long": (1.0, 1.5)}


def main() -> None:
    args = digit_rows_arguments(__doc__, "on_a_line", 100, "row", "numbers or digits")
    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    rows = {f"numbers, {name}": number_row(recognizer, mnist, args, draw) for name, draw in NUMBER_ROWS.items()}
    for name, reach in DIGIT_REACH.items():
        draw = lambda ink, rng, reach=reach: on_a_line(ink, rng, "standing", reach=reach)  # noqa: E731
        rows[f"single digits standing on {name}"] = digit_row(recognizer, mnist, args, draw)
    draw = lambda ink, rng: on_a_line(ink, rng, "standing", reach=(1.0, 1.5), dashed=True)  # noqa: E731
    rows["single digits standing on a dashed line 3 to 4 times as long"] = digit_row(recognizer, mnist, args, draw)
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "settings": vars(args), "rows": rows})
    print_rows("writing", rows)


if __name__ == "__main__":
    main()
