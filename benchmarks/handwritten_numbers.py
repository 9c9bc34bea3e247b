"""Exact-number accuracy on handwritten numbers composed from MNIST *test* digits.

    python benchmarks/handwritten_numbers.py --count 300 --data-dir ../shared/data/mnist

Numbers of 2–6 digits (and, separately, 7–8) with random spacing, baseline jitter and size variation,
rendered under several conditions (canvas, white on black, transparent, grey paper, gradient, ruled
paper, JPEG, noise); "touching" numbers overlap neighbours so their strokes run together. The
bundled one-digit model (one_digit.py) helps split them; its details go into the results too.
Results go to benchmarks/results/numbers.json, a table to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import ONE_DIGIT_MODEL, Recognizer  # noqa: E402
from digit_recognizer.synthetic import sample_numbers  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=300, help="numbers per group")
    parser.add_argument("--seed", type=int, default=0)
    common_arguments(parser, "numbers")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    groups = {}
    for name, touching, lengths in (
        ("separated, 2–6 digits", False, (2, 6)),
        ("separated, 7–8 digits", False, (7, 8)),
        ("touching, 2–6 digits", True, (2, 6)),
    ):
        right = digits_right = digits_total = 0
        start = time.perf_counter()
        for truth, _, data in sample_numbers(
            mnist.test_images, mnist.test_labels, args.count, touching, args.seed, lengths
        ):
            got = recognizer.predict_number(data).number
            right += got == truth
            digits_total += len(truth)
            digits_right += sum(a == b for a, b in zip(got, truth)) if len(got) == len(truth) else 0
        groups[name] = {
            "numbers": args.count,
            "exact": right / args.count,
            "digits_right_when_count_matches": digits_right / digits_total,
            "ms_per_number": (time.perf_counter() - start) / args.count * 1e3,
        }
    one_digit = Recognizer.load(ONE_DIGIT_MODEL).info()  # splits touching digits (one_digit.py)
    write_results(
        args.out, {"model": recognizer.info(), "one_digit_model": one_digit, "settings": vars(args), "groups": groups}
    )
    print("| numbers | count | exact-number accuracy | ms per number |")
    print("|---|---|---|---|")
    for name, g in groups.items():
        print(f"| {name} | {g['numbers']} | {g['exact']:.1%} | {g['ms_per_number']:.0f} |")


if __name__ == "__main__":
    main()
