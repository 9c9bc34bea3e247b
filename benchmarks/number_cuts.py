"""Where touching digits are cut: how the candidate cut columns limit reading touching numbers, and
how many pieces the classifier reads.

    python benchmarks/number_cuts.py --count 400 --data-dir ../shared/data/mnist

Touching numbers of 2–6 MNIST *test* digits are composed with ``synthetic.number_layout``, which
knows each digit's columns, and read from that clean ink (no rendering), by ``segment.segment``
under two settings of its candidate cut columns: the grid of 2026-11-25 (a quarter of a line height
apart, 28 columns at most) and the current one (``segment.CUT_STEP``, ``CUT_APART``, ``CUT_PLACES``).
Each setting reads the numbers twice: as it is, and with every true boundary between two digits
(the middle of their overlap) added to the candidates, which tells how much the places tried
limit the reading. It counts the pieces the one-digit model rates and those the classifier reads
(``segment._best_reading`` reads only those a best reading can go through). Seed 1 is one of the
seeds the splitting rules were tuned on; benchmarks/handwritten_numbers.py reports seed 0.
Results go to benchmarks/results/number_cuts.json, a table to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer import segment as seg  # noqa: E402
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import number_layout  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402

PAD = 20  # paper around the ink, in pixels
SETTINGS = {  # CUT_STEP, CUT_APART, CUT_PLACES
    "quarter-height grid (before 2026-11-26)": (0.25, 0.08, 28),
    "current": (seg.CUT_STEP, seg.CUT_APART, seg.CUT_PLACES),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=400, help="touching numbers")
    parser.add_argument("--seed", type=int, default=1)
    common_arguments(parser, "number_cuts")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    numbers = compose(mnist.test_images, mnist.test_labels, args.count, args.seed)
    results = {}
    for name, (step, apart, places) in SETTINGS.items():
        seg.CUT_STEP, seg.CUT_APART, seg.CUT_PLACES = step, apart, places
        for boundaries in (False, True):
            results[f"{name}{', true boundaries added' if boundaries else ''}"] = read(numbers, recognizer, boundaries)
    seg.CUT_STEP, seg.CUT_APART, seg.CUT_PLACES = SETTINGS["current"]
    write_results(args.out, {"model": recognizer.info(), "settings": vars(args), "results": results})
    print("| cut columns | exact | two digits kept together | right count, wrong digits | pieces read | ms |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['exact']:.1%} | {r['merged']:.1%} | {r['wrong']:.1%} "
            f"| {r['pieces_read']:,} of {r['pieces_rated']:,} | {r['ms_per_number']:.0f} |"
        )


def compose(images: np.ndarray, labels: np.ndarray, count: int, seed: int) -> list[tuple[str, np.ndarray, list[int]]]:
    """(number as text, grayscale image, true boundary columns in it) for ``count`` touching numbers."""
    rng = np.random.default_rng(seed)
    numbers = []
    for _ in range(count):
        index = rng.choice(len(labels), int(rng.integers(2, 7)), replace=False)
        ink, spans = number_layout([images[i] for i in index], rng, True, int(rng.integers(28, 120)))
        boundaries = [PAD + (left[1] + right[0]) // 2 for left, right in zip(spans, spans[1:])]
        numbers.append(("".join(str(labels[i]) for i in index), np.pad(1 - ink, PAD, constant_values=1.0), boundaries))
    return numbers


def read(numbers: list, recognizer: Recognizer, add_boundaries: bool) -> dict:
    """Read every number; with ``add_boundaries``, the true boundaries join each glyph's candidate cuts
    (the images stay under segment.WORK_SIDE, so image and working columns are the same)."""
    counts = {"exact": 0, "merged": 0, "wrong": 0, "split": 0}
    pieces = {"rated": 0, "read": 0}

    def classify(images: np.ndarray) -> np.ndarray:
        pieces["read"] += len(images)
        return recognizer.probabilities(images)

    def one_digit(images: np.ndarray) -> np.ndarray:
        pieces["rated"] += len(images)
        return recognizer.one_digit(images)

    candidates, split = seg._cut_candidates, seg._split
    start = time.perf_counter()
    try:
        for truth, gray, boundaries in numbers:
            if add_boundaries:
                seg._split = lambda glyph, *rest, at=boundaries: _with_boundaries(glyph, at, rest, candidates, split)
            found = seg.segment(gray, classify, one_digit)
            images = [image for line in found.lines for image, _ in line]
            got = "".join(map(str, recognizer.probabilities(np.stack(images)).argmax(1))) if images else ""
            counts[_kind(got, truth)] += 1
    finally:
        seg._cut_candidates, seg._split = candidates, split
    seconds = time.perf_counter() - start
    return {
        **{kind: n / len(numbers) for kind, n in counts.items()},
        "pieces_rated": pieces["rated"],
        "pieces_read": pieces["read"],
        "ms_per_number": seconds / len(numbers) * 1e3,
    }


def _kind(got: str, truth: str) -> str:
    if got == truth:
        return "exact"
    return "merged" if len(got) < len(truth) else "split" if len(got) > len(truth) else "wrong"


def _with_boundaries(glyph: seg.Glyph, boundaries: list[int], rest: tuple, candidates, split):
    """``segment._split`` with the true boundaries that fall inside ``glyph`` among its candidate cuts."""
    inside = [b - glyph.x0 for b in boundaries if glyph.x0 < b < glyph.x1]
    seg._cut_candidates = lambda column_ink, height: sorted({*candidates(column_ink, height), *inside})
    try:
        return split(glyph, *rest)
    finally:
        seg._cut_candidates = candidates


if __name__ == "__main__":
    main()
