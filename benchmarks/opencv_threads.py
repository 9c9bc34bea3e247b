"""`preprocess.prepare` with OpenCV on one thread and on one per core: milliseconds of wall time and of
CPU time per image, for the six images of `prepare_steps.py` (a 28×28 digit to 12-megapixel photos).

    python benchmarks/opencv_threads.py --data-dir ../shared/data/mnist [--rounds 5]

The two thread counts take turns, round by round (each round about 0.2 s of each image); the medians
of the rounds are kept. The answers are the same on any number of threads (a test checks the
labelling, the one step whose output could depend on it). Results go to
benchmarks/results/opencv_threads.json, a table to stdout.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).parent))
from prepare_steps import images  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402


def timed(run, count: int) -> tuple[float, float]:
    """Milliseconds of wall time and of this process's CPU time per call, over ``count`` calls."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        run()
    return (time.perf_counter() - wall) / count * 1000, (time.process_time() - cpu) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    common_arguments(parser, "opencv_threads")
    args = parser.parse_args()

    from digit_recognizer.data import load_mnist
    from digit_recognizer.preprocess import prepare

    cores = len(os.sched_getaffinity(0))
    counts = sorted({1, cores})
    rows = {}
    for name, gray in images(load_mnist(args.data_dir).test_images[0]).items():
        run = partial(prepare, gray)
        count = max(1, int(0.2 / timed(run, 1)[0] * 1000))
        runs = {threads: [] for threads in counts}
        for _ in range(args.rounds):
            for threads in counts:
                cv2.setNumThreads(threads)
                runs[threads].append(timed(run, count))
        rows[name] = {
            f"{threads} thread{'s' * (threads > 1)}": {
                "wall_ms": round(statistics.median(wall for wall, _ in found), 3),
                "cpu_ms": round(statistics.median(cpu for _, cpu in found), 3),
            }
            for threads, found in runs.items()
        }
        print(name, rows[name], flush=True)
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "rounds": args.rounds, "ms": rows})
    print("| image | " + " | ".join(f"{column}: wall / CPU ms" for column in next(iter(rows.values()))) + " |")
    print("|---|" + "---|" * len(counts))
    for name, row in rows.items():
        print(f"| {name} | " + " | ".join(f"{v['wall_ms']:.3f} / {v['cpu_ms']:.3f}" for v in row.values()) + " |")


if __name__ == "__main__":
    main()
