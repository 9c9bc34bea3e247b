"""Handwritten numbers beside a form's printed words, from MNIST *test* digits: "Total: 5795", "1271 EUR".

    python benchmarks/form_labels.py --data-dir ../shared/data/mnist [--count 100] [--seed 0]

A field on a form is cropped or photographed with its printed label, and often a unit after it. Each
row draws ``--count`` numbers of 2–6 digits 28–120 px tall (``synthetic.number_ink``), each with a
label before it (``synthetic.LABELS``), a unit after it (``synthetic.UNITS``), both, or a label above
it, printed in Pillow's own font with capitals a given share of the writing's height
(``synthetic.labelled``), under the conditions of ``benchmarks/handwritten_numbers.py`` in turn; and
the same numbers without print.
Scores: the number read exactly (the print must not be read), and read with more digits than it has
(the print read as digits). Run it with PYTHONPATH pointing at another commit's src for a
before/after. Results go to benchmarks/results/form_labels.json, a table to stdout.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import LABELS, NUMBER_CONDITIONS, UNITS, labelled, render_number  # noqa: E402

from machine import digit_rows_arguments, print_wrong, read_numbers, write_results  # noqa: E402

ROWS = {  # name: (capitals' height in the writing's heights, a label before, a unit after, the label above)
    "no print": (0.0, False, False, False),
    "a label, capitals 0.3 of the writing's height": (0.3, True, False, False),
    "a label, 0.45": (0.45, True, False, False),
    "a unit after, 0.35": (0.35, False, True, False),
    "a label and a unit, 0.35": (0.35, True, True, False),
    "a label above the number, 0.3": (0.3, True, False, True),
    "a label, 0.6": (0.6, True, False, False),
}


def main() -> None:
    args = digit_rows_arguments(__doc__, "form_labels", 100, "row", "numbers")
    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    rows = {}
    for name, (cap, label, unit, above) in ROWS.items():

        def render(ink, rng, i, cap=cap, label=label, unit=unit, above=above):
            words = rng.choice(LABELS), rng.choice(UNITS)
            if label or unit:
                ink = labelled(ink, rng, cap, words[0] if label else None, words[1] if unit else None, above)
            return render_number(ink, NUMBER_CONDITIONS[i % len(NUMBER_CONDITIONS)], rng)

        pairs = read_numbers(recognizer, mnist, args, render)
        rows[name] = {
            "numbers": args.count,
            "exact": sum(t == g for t, g in pairs) / args.count,
            "print_read": sum(len(g) > len(t) for t, g in pairs) / args.count,
            "wrong": [(t, g) for t, g in pairs if t != g],
        }
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "settings": vars(args), "rows": rows})
    print("| print beside the number | numbers | read exactly | the print read as digits |")
    print("|---|---|---|---|")
    for name, row in rows.items():
        print(f"| {name} | {row['numbers']} | {row['exact']:.0%} | {row['print_read']:.0%} |")
    print_wrong(rows)


if __name__ == "__main__":
    main()
