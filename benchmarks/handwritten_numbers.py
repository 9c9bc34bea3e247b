"""Exact-number accuracy on handwritten numbers composed from MNIST *test* digits.

    python benchmarks/handwritten_numbers.py --count 300 --data-dir ../shared/data/mnist

Numbers of 2–6 digits (and, separately, 7–8) with random spacing, baseline jitter and size variation,
rendered under several conditions (canvas, white on black, transparent, grey paper, gradient, ruled
paper, JPEG, noise); "touching" numbers overlap neighbours so their strokes run together. The
bundled one-digit model (one_digit.py) helps split them; its details go into the results too.
Each group's wrong readings are sorted by kind: digits kept together (too few digits), one split apart
(too many), or the right count with a digit misread; with the digits lost in the first kind and the
misreadings in the last, most common first. Results go to benchmarks/results/numbers.json, a table to
stdout.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import ONE_DIGIT_CLASSES, ONE_DIGIT_MODEL, Recognizer  # noqa: E402
from digit_recognizer.synthetic import sample_numbers  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402

GROUPS = (  # name, touching, lengths
    ("separated, 2–6 digits", False, (2, 6)),
    ("separated, 7–8 digits", False, (7, 8)),
    ("touching, 2–6 digits", True, (2, 6)),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=300, help="numbers per group")
    parser.add_argument("--seed", type=int, default=0)
    common_arguments(parser, "numbers")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    groups = {}
    for name, touching, lengths in GROUPS:
        right = digits_right = digits_total = 0
        wrong = []
        start = time.perf_counter()
        for truth, _, data in sample_numbers(
            mnist.test_images, mnist.test_labels, args.count, touching, args.seed, lengths
        ):
            got = recognizer.predict_number(data).number
            right += got == truth
            digits_total += len(truth)
            digits_right += sum(a == b for a, b in zip(got, truth)) if len(got) == len(truth) else 0
            if got != truth:
                wrong.append((truth, got))
        groups[name] = {
            "numbers": args.count,
            "exact": right / args.count,
            "digits_right_when_count_matches": digits_right / digits_total,
            "ms_per_number": (time.perf_counter() - start) / args.count * 1e3,
            "wrong": error_kinds(wrong),
        }
    one_digit = Recognizer.load(ONE_DIGIT_MODEL, classes=ONE_DIGIT_CLASSES)  # splits touching digits (one_digit.py)
    write_results(
        args.out,
        {"model": recognizer.info(), "one_digit_model": one_digit.info(), "settings": vars(args), "groups": groups},
    )
    print("| numbers | count | exact-number accuracy | ms per number |")
    print("|---|---|---|---|")
    for name, g in groups.items():
        print(f"| {name} | {g['numbers']} | {g['exact']:.1%} | {g['ms_per_number']:.0f} |")
    for name, g in groups.items():
        kinds = ", ".join(f"{kind} {n}" for kind, n in g["wrong"]["kinds"].items())
        lost, misread = (
            ", ".join(f"{k} ×{n}" for k, n in list(g["wrong"][key].items())[:8]) for key in ("lost", "misread")
        )
        print(f"{name}, wrong: {kinds or 'none'}; digits lost: {lost or '-'}; misread: {misread or '-'}")


def error_kinds(wrong: list[tuple[str, str]]) -> dict:
    """Wrong readings (truth, read) by kind, the digits lost where some were kept together ("1": a 1 went
    into its neighbour; "12>0": 12 was read as 0) and the misread digits ("1>4") where the count was right."""
    kinds, lost, misread = Counter(), Counter(), Counter()
    for truth, got in wrong:
        if len(got) < len(truth):
            kinds["kept together"] += 1
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, truth, got, autojunk=False).get_opcodes():
                if op in ("delete", "replace"):
                    lost[truth[i1:i2] + (f">{got[j1:j2]}" if op == "replace" else "")] += 1
        elif len(got) > len(truth):
            kinds["split apart"] += 1
        else:
            kinds["right count, misread"] += 1
            misread.update(f"{a}>{b}" for a, b in zip(truth, got) if a != b)
    return {"kinds": dict(kinds), "lost": dict(lost.most_common()), "misread": dict(misread.most_common())}


if __name__ == "__main__":
    main()
