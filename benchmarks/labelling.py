"""Which connected-component labelling the reading steps use: ``picture.components`` (Grana's) against
OpenCV's default (``cv2.connectedComponentsWithStats``), each inside ``preprocess.prepare``, on one
OpenCV thread (as each worker process runs: ``digits predict DIR``, ``--multi``, ``digits serve
--workers N``) and on OpenCV's default threads.

    python benchmarks/labelling.py --data-dir ../shared/data/mnist [--rounds 12]

The images: 1,000 MNIST test digits as they are (28×28), 100 drawn on a 280-px canvas
(``inference.canvas``) and 200 enlarged to 140 px with PIL's bicubic resampling (the REST benchmark's
image). Both labellings run in this process, image by image, each image read by both in turn (which
goes first alternating), ``--rounds`` times over, so that the machine's slow and fast moments fall on
both alike (taking turns set by set, rounds of a third of a second, 28×28 digits came out 8 % slower
with Grana's in 22 of 30 rounds; image by image they are not). Reported: the median time a prepare,
and for how many of the images Grana's was the faster. Both give the same labels and stats
(``prepare_hash.py`` prints the same hash). Results go to benchmarks/results/labelling.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer import ink, picture, pieces, segment  # noqa: E402
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.decode import load_gray  # noqa: E402
from digit_recognizer.preprocess import prepare  # noqa: E402

from inference import canvas  # noqa: E402
from machine import common_arguments, write_results  # noqa: E402

GRANA = picture.components


def opencv_default(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """``picture.components`` by OpenCV's default labelling."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.view(np.uint8), connectivity=8)
    return count, labels, stats


def labelling(components) -> None:
    """Make the reading steps label with ``components``."""
    for module in (picture, ink, pieces, segment):
        module.components = components


def seconds(grays: list[np.ndarray], ways: dict, rounds: int) -> dict[str, list[float]]:
    """Seconds of each prepare, for each labelling: every image read by both in turn, ``rounds`` times."""
    times = {way: [] for way in ways}
    for round_ in range(rounds):
        for i, gray in enumerate(grays):
            for way in ways if (i + round_) % 2 == 0 else reversed(ways):
                labelling(ways[way])
                start = time.perf_counter()
                prepare(gray)
                times[way].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="times each image is read by each labelling")
    common_arguments(parser, "labelling")
    args = parser.parse_args()

    test = load_mnist(args.data_dir).test_images
    sets = {
        "28x28": [test[i] for i in range(1000)],
        "canvas 280": [canvas(test[i], 280) for i in range(100)],
        "bicubic 140": [255 - np.asarray(Image.fromarray(test[i]).resize((140, 140))) for i in range(200)],
    }
    ways = {"grana": GRANA, "opencv_default": opencv_default}
    default_threads = cv2.getNumThreads()
    rows = {}
    for threads in (1, default_threads):
        cv2.setNumThreads(threads)
        for name, images in sets.items():
            grays = [load_gray(image) for image in images]
            seconds(grays[:20], ways, 1)  # warm-up
            times = seconds(grays, ways, args.rounds)
            grana, default = (statistics.median(times[way]) * 1e3 for way in ways)
            faster = sum(g < d for g, d in zip(times["grana"], times["opencv_default"]))
            row = rows[f"{name}, {threads} thread(s)"] = {
                "images": len(grays),
                "grana_ms": round(grana, 3),
                "opencv_default_ms": round(default, 3),
                "ratio": round(grana / default, 3),
                "grana_faster": f"{faster}/{len(times['grana'])}",
            }
            print(f"{name}, {threads} thread(s): {row}", flush=True)
    cv2.setNumThreads(default_threads)
    labelling(GRANA)
    write_results(args.out, {"rounds": args.rounds, "rows": rows})


if __name__ == "__main__":
    main()
