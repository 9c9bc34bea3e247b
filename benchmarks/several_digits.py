"""How often single-digit reading says an image looks like several digits (``Prediction.several``):
on single digits, where it should not, and on numbers read as one digit, where it should.

    python benchmarks/several_digits.py --data-dir ../shared/data/mnist [--count 200] [--per-condition 100] [--real]

Single digits: all 10,000 MNIST test digits as they are, ``benchmarks/realistic.py``'s renderings
(``synthetic.sample``: 21 conditions, ``--per-condition`` each), and ``benchmarks/beside.py``'s
photos of a digit with a pen, a pencil, a pen's cap, a coin or a thumb beside it (``--beside`` per
thing). With ``--real``, real people's single digits too: UCI's 1,797 digits of 13 writers
(``benchmarks/real_writers.py``; scikit-learn) and the ten digits of each handwriting font as drawn on the
canvas (``benchmarks/handwriting_fonts.py``; fetched from npm into its cache). Numbers:
``benchmarks/handwritten_numbers.py``'s composed numbers (``synthetic.sample_numbers``, ``--count`` per
group), read by ``Recognizer.predict`` as if each were one digit. For each group:
images flagged, and, for the single digits, how many flagged ones were read right all the same.
Results go to benchmarks/results/several_digits.json, a table to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from beside import PENS, THINGS, handwritten, photo  # noqa: E402
from handwriting_fonts import FONT_CACHE, drawn, font_glyphs  # noqa: E402
from handwritten_numbers import GROUPS  # noqa: E402
from real_writers import load_writers  # noqa: E402

from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import sample, sample_numbers  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402


def flagged(recognizer: Recognizer, images: list, labels: list) -> dict:
    """How many of ``images`` are flagged as several digits, and how many of those were read as ``labels``
    all the same (labels None for numbers)."""
    answers = recognizer.predict_batch(images)
    several = [i for i, a in enumerate(answers) if not isinstance(a, Exception) and a.several]
    row = {"images": len(images), "flagged": len(several)}
    if labels[0] is not None:
        row["flagged_read_right"] = sum(answers[i].digit == int(labels[i]) for i in several)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="numbers per group")
    parser.add_argument("--per-condition", type=int, default=100, help="realistic renderings per condition")
    parser.add_argument("--beside", type=int, default=50, help="photos per thing lying beside the digit")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--real", action="store_true", help="also UCI's writers and the handwriting fonts")
    parser.add_argument("--cache", type=Path, default=FONT_CACHE, help="the handwriting fonts' cache (--real)")
    common_arguments(parser, "several_digits")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    rows = {"MNIST test digits": flagged(recognizer, list(mnist.test_images), list(mnist.test_labels))}
    rendered = list(sample(mnist.test_images, mnist.test_labels, args.per_condition, args.seed))
    images, labels = [data for *_, data in rendered], [label for _, label, _ in rendered]
    rows["realistic renderings"] = flagged(recognizer, images, labels)
    rng = np.random.default_rng(args.seed)
    chosen = rng.choice(len(mnist.test_labels), args.beside, replace=False)
    for thing in (*THINGS, *(f"near: {pen}" for pen in PENS)):
        images = [photo(handwritten(mnist.test_images[i], rng), thing, rng) for i in chosen]
        where = f"{thing.removeprefix('near: ')} near it" if thing.startswith("near: ") else f"{thing} beside it"
        rows[f"a digit with {where}"] = flagged(recognizer, images, list(mnist.test_labels[chosen]))
    if args.real:
        images, labels = load_writers()
        rows["UCI's 13 writers"] = flagged(recognizer, list(images), list(labels))
        inks, _ = font_glyphs(args.cache)
        drawings = [(digit, drawn(ink)) for glyphs in inks.values() for digit, ink in enumerate(glyphs)]
        rows["handwriting fonts, drawn"] = flagged(recognizer, [d for _, d in drawings], [n for n, _ in drawings])
    for name, touching, lengths in GROUPS:
        numbers = sample_numbers(mnist.test_images, mnist.test_labels, args.count, touching, args.seed, lengths)
        rows[f"numbers, {name}"] = flagged(recognizer, [data for *_, data in numbers], [None])

    print("| images | flagged as several digits | of those, read right as one digit |")
    print("|---|---|---|")
    for name, row in rows.items():
        right = row.get("flagged_read_right", "")
        print(f"| {name} | {row['flagged']} of {row['images']} | {right} |")
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "settings": vars(args), "rows": rows})


if __name__ == "__main__":
    main()
