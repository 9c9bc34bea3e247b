"""Milliseconds per step of `preprocess.prepare` on six images: an MNIST digit as it is (28×28), the
same shown at 250 px with blocky pixels (each 8 or 9 px wide: an enlargement by a fraction, which
`pixel_grid` finds), a 280-px canvas (strokes drawn at that size, anti-aliased: until 2026-11-27 the
digit enlarged with bilinear pixels, now read at its own size by `smooth_enlargement`), a
12-megapixel photo (3000×4000, grey paper with sensor noise and a digit), the same photo of a note
turned 10° on a dark desk (`inner_picture` makes it upright), and the same photo with a dark desk
showing above the paper and right of it (the sheet runs off the photo: `inner_picture` cuts out the
paper and sets the desk in its box to the paper's level).

    python benchmarks/prepare_steps.py --data-dir ../shared/data/mnist [--repeat 5]

Each step is timed alone on the image it gets inside `prepare` (the best of ``--repeat`` rounds), and
so is the whole of `prepare`. Results go to benchmarks/results/prepare_steps.json, a table to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
import timeit
from functools import partial
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from machine import common_arguments, write_results  # noqa: E402


def images(digit: np.ndarray) -> dict[str, np.ndarray]:
    """The six test images, grey levels in [0, 1], dark digit on light paper."""
    from digit_recognizer.synthetic import strokes

    canvas = (1 - strokes(digit, 280, 0.5)).astype(np.float32)
    rng = np.random.default_rng(0)
    photo = np.clip(0.9 + rng.normal(0, 0.02, (3000, 4000)), 0, 1).astype(np.float32)
    ink = cv2.resize(digit, (1000, 1000), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255
    photo[1000:2000, 1500:2500] = np.minimum(photo[1000:2000, 1500:2500], 1 - ink)
    blocky = cv2.resize(255 - digit, (250, 250), interpolation=cv2.INTER_NEAREST).astype(np.float32) / 255
    desk = np.full((3000, 4000), 0.3, np.float32)
    desk[600:2400, 1100:2900] = photo[600:2400, 1100:2900]  # a note 1,800 px wide
    turn = cv2.getRotationMatrix2D((2000, 1500), 10, 1)
    desk = cv2.warpAffine(desk, turn, (4000, 3000), borderValue=0.3) + rng.normal(0, 0.02, desk.shape).astype(
        np.float32
    )
    close_up = photo.copy()
    close_up[:450], close_up[:, 3400:] = 0.3, 0.3  # the desk above the sheet and right of it
    close_up += rng.normal(0, 0.02, close_up.shape).astype(np.float32) * (close_up == 0.3)
    return {"28×28 digit": (255 - digit).astype(np.float32) / 255, "250-px blocky digit": blocky,
            "280-px canvas": canvas, "12-megapixel photo": photo,
            "12-megapixel photo, a note turned 10° on a desk": np.clip(desk, 0, 1),
            "12-megapixel photo, the desk above the sheet and right of it": np.clip(close_up, 0, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    common_arguments(parser, "prepare_steps")
    args = parser.parse_args()

    from digit_recognizer.data import load_mnist
    from digit_recognizer.ink import ink_map, pixel_grid, smooth_enlargement
    from digit_recognizer.picture import inner_picture
    from digit_recognizer.pieces import find_digit
    from digit_recognizer.preprocess import prepare

    mnist = load_mnist(args.data_dir)
    rows = {}
    for name, gray in images(mnist.test_images[0]).items():
        inner = inner_picture(gray)[0]
        ink = ink_map(inner)
        steps = {
            "inner_picture": partial(inner_picture, gray),
            "pixel_grid": partial(pixel_grid, inner),
            "smooth_enlargement": partial(smooth_enlargement, inner),
            "ink_map": partial(ink_map, inner),
            "find_digit": partial(find_digit, ink),
            "prepare": partial(prepare, gray),
        }
        number = max(1, int(0.2 / max(timeit.timeit(steps["prepare"], number=1), 1e-6)))  # about 0.2 s a round
        rows[name] = {
            step: round(min(timeit.repeat(run, number=number, repeat=args.repeat)) / number * 1000, 4)
            for step, run in steps.items()
        }
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "repeat": args.repeat, "ms": rows})
    print("| image | " + " | ".join(next(iter(rows.values()))) + " |")
    print("|---|" + "---|" * len(next(iter(rows.values()))))
    for name, row in rows.items():
        print(f"| {name} | " + " | ".join(f"{ms:.3f}" for ms in row.values()) + " |")


if __name__ == "__main__":
    main()
