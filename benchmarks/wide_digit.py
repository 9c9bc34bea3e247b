"""Choosing when a wide "digit" is a number of touching digits (``recognizer.WIDE``, ``recognizer.NOT_ONE``),
on MNIST *training* digits, never the test digits ``benchmarks/several_digits.py`` reports on.

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


def measures(recognizer: Recognizer, images: list) -> dict[str, np.ndarray]:
    """For each image read as one digit: its box's width / height, the one-digit model's probability
    that the 28×28 digit is one whole digit, and whether single-digit reading flags it already."""
    prepared = [p for p in prepare_many(images) if not isinstance(p, Exception) and p.image is not None]
    return {
        "aspect": np.array([p.box[2] / p.box[3] for p in prepared]),
        "one": recognizer.one_digit(np.stack([p.image for p in prepared])),
        "flagged": np.array([p.groups > 1 for p in prepared]),
    }


def flags(measured: dict[str, np.ndarray], aspect: float, below: float) -> int:
    return int((measured["flagged"] | ((measured["aspect"] > aspect) & (measured["one"] < below))).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=5000, help="training digits, raw and rendered")
    parser.add_argument("--numbers", type=int, default=200, help="numbers per group")
    parser.add_argument("--aspects", type=float, nargs="+", default=[0.8, 1.0, 1.2, 1.4])
    parser.add_argument("--below", type=float, nargs="+", default=[0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2])
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
            singles = row["training digits"] + row["rendered"]
            if singles * 1000 <= len(measured["training digits"]["one"]) + len(measured["rendered"]["one"]):
                key = row["numbers, touching, 2–6 digits"]
                if best is None or key > best["numbers, touching, 2–6 digits"]:
                    best = row
    print(f"chosen: aspect over {best['aspect']}, one-digit probability under {best['below']}")
    sizes = {name: len(m["one"]) for name, m in measured.items()}
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "settings": vars(args), "images": sizes,
                             "rows": rows, "chosen": best})  # fmt: skip


if __name__ == "__main__":
    main()
