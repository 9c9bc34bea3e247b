"""Choosing when a wide "digit" is a number of touching digits (``recognizer.WIDE``, ``recognizer.NOT_ONE``,
``recognizer.TOO_WIDE``), on MNIST *training* digits, never the test digits ``benchmarks/several_digits.py``
reports on.

    python benchmarks/wide_digit.py --data-dir ../shared/data/mnist [--count 5000] [--numbers 200]

Touching digits run together into one piece of ink, so single-digit reading, which flags digit-tall
groups side by side and digits apart from the one read, rarely flagged them. The one-digit model
(one_digit.py) was trained to tell one whole digit from two run together. For each pair (box
width / height over ``--aspects``, one-digit probability under ``--below``) this counts the images
flagged: ``--count`` training digits as they are and as realistic renderings (``synthetic.sample``,
seed 1), where a flag is wrong, and ``--numbers`` composed numbers of training digits (touching and
separated, seed 1), where it is right. Flags single-digit reading already gives count in every row.

The rule, fixed before the first run: the pair that flags the most touching numbers while flagging at
most 1 in 1,000 single digits (raw and rendered together), ties to the higher aspect and then the
lower probability (fewer calls to the one-digit model, fewer flags). Training digits are no fair test
of the one-digit model, whose training pieces were cut from them: ``several_digits.py`` then measures
the chosen pair on test digits. Results go to benchmarks/results/wide_digit.json, a table to stdout.

Width alone (``--too-wide``, added after the pair shipped): some touching numbers are far wider than any
one digit, yet the one-digit model gives them just over the pair's probability. With the chosen pair
kept, a box wider than A × its height is flagged whatever the model says. The rule, fixed before its
first run: the lowest A whose flags, with the pair's, stay within the same 1 in 1,000 single digits;
no such rule if that A flags no more touching numbers than the pair alone.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from handwritten_numbers import GROUPS  # noqa: E402

from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import Recognizer, prepare_many  # noqa: E402
from digit_recognizer.synthetic import CONDITIONS, sample, sample_numbers  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402

TOUCHING = "numbers, touching, 2–6 digits"


def measures(recognizer: Recognizer, images: list) -> dict[str, np.ndarray]:
    """For each image read as one digit: its box's width / height, the one-digit model's probability
    that the 28×28 digit is one whole digit, and whether single-digit reading flags it already."""
    prepared = [p for p in prepare_many(images) if not isinstance(p, Exception) and p.image is not None]
    return {
        "aspect": np.array([p.box[2] / p.box[3] for p in prepared]),
        "one": recognizer.one_digit(np.stack([p.image for p in prepared])),
        "flagged": np.array([p.groups > 1 for p in prepared]),
    }


def flags(measured: dict[str, np.ndarray], aspect: float, below: float, too_wide: float = np.inf) -> int:
    wide = (measured["aspect"] > aspect) & (measured["one"] < below)
    return int((measured["flagged"] | wide | (measured["aspect"] > too_wide)).sum())


def within_budget(row: dict, measured: dict[str, dict[str, np.ndarray]]) -> bool:
    """Whether a row flags at most 1 in 1,000 single digits, raw and rendered together."""
    singles = len(measured["training digits"]["one"]) + len(measured["rendered"]["one"])
    return (row["training digits"] + row["rendered"]) * 1000 <= singles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=5000, help="training digits, raw and rendered")
    parser.add_argument("--numbers", type=int, default=200, help="numbers per group")
    parser.add_argument("--aspects", type=float, nargs="+", default=[0.8, 1.0, 1.2, 1.4])
    parser.add_argument("--below", type=float, nargs="+", default=[0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2])
    parser.add_argument(
        "--too-wide",
        type=float,
        nargs="+",
        default=[1.2, 1.4, 1.6, 1.8, 2.0, 2.5, 3.0],
        help="aspects over which width alone flags, with the chosen pair",
    )
    parser.add_argument("--seed", type=int, default=1)
    common_arguments(parser, "wide_digit")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    rng = np.random.default_rng(args.seed)
    chosen = rng.choice(len(mnist.train_labels), args.count, replace=False)
    images, labels = mnist.train_images[chosen], mnist.train_labels[chosen]
    per_condition = -(-args.count // len(CONDITIONS))
    rendered = [data for *_, data in sample(images, labels, per_condition, args.seed)]
    groups = {"training digits": list(images), "rendered": rendered}
    for name, touching, lengths in GROUPS:
        numbers = sample_numbers(mnist.train_images, mnist.train_labels, args.numbers, touching, args.seed, lengths)
        groups[f"numbers, {name}"] = [data for *_, data in numbers]
    measured = {name: measures(recognizer, group) for name, group in groups.items()}

    rows, best = [], None
    print("| aspect over | one-digit under | " + " | ".join(measured) + " |")
    print("|---" * (2 + len(measured)) + "|")
    for aspect in sorted(args.aspects, reverse=True):
        for below in sorted(args.below):
            row = {"aspect": aspect, "below": below, **{n: flags(m, aspect, below) for n, m in measured.items()}}
            rows.append(row)
            print(f"| {aspect} | {below} | " + " | ".join(str(row[n]) for n in measured) + " |")
            if within_budget(row, measured) and (best is None or row[TOUCHING] > best[TOUCHING]):
                best = row
    print(f"chosen: aspect over {best['aspect']}, one-digit probability under {best['below']}")

    too_wide_rows, too_wide = [], None
    print("\n| with the pair, width alone over | " + " | ".join(measured) + " |")
    print("|---" * (1 + len(measured)) + "|")
    for alone in sorted(args.too_wide):
        row = {"too_wide": alone, **{n: flags(m, best["aspect"], best["below"], alone) for n, m in measured.items()}}
        too_wide_rows.append(row)
        print(f"| {alone} | " + " | ".join(str(row[n]) for n in measured) + " |")
        if too_wide is None and within_budget(row, measured):
            too_wide = row
    if too_wide is not None and too_wide[TOUCHING] <= best[TOUCHING]:
        too_wide = None
    print("chosen: " + ("no width-alone rule" if too_wide is None else f"width alone over {too_wide['too_wide']}"))
    sizes = {name: len(m["one"]) for name, m in measured.items()}
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "settings": vars(args), "images": sizes,
                             "rows": rows, "chosen": best, "too_wide_rows": too_wide_rows,
                             "too_wide_chosen": too_wide})  # fmt: skip


if __name__ == "__main__":
    main()
