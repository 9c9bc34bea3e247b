"""What a damaged model file does: copies of a model file with a few random bits flipped, loaded and
run on MNIST test digits. Each copy is refused (a ModelFileError), or loads and gives the same
probabilities as the file itself, or loads and gives other ones (the damage went unnoticed). Also the
time `Recognizer.load` takes on the undamaged file.

    python benchmarks/model_damage.py --data-dir ../shared/data/mnist
    git show 714a888:src/digit_recognizer/assets/digit_recognizer_model.h5 > /tmp/before.h5
    python benchmarks/model_damage.py --model-path /tmp/before.h5 --out benchmarks/results/model_damage-714a888.json

(714a888: the last commit before model files were checked when read.) Results go to
benchmarks/results/model_damage.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.errors import DigitsError  # noqa: E402
from digit_recognizer.recognizer import Recognizer, model_path  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=200, help="damaged copies of the file")
    parser.add_argument("--bits", type=int, default=3, help="each copy has 1 to this many bits flipped")
    parser.add_argument("--seed", type=int, default=1)
    common_arguments(parser, "model_damage")
    args = parser.parse_args()

    source = model_path(args.model_path)
    digits = load_mnist(args.data_dir).test_images[:200]
    reference = Recognizer.load(source).probabilities(digits)
    data = source.read_bytes()
    rng = np.random.default_rng(args.seed)
    outcomes = Counter()
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / source.name
        for _ in range(args.copies):
            damaged = bytearray(data)
            for _ in range(rng.integers(1, args.bits + 1)):
                damaged[rng.integers(0, len(damaged))] ^= 1 << int(rng.integers(0, 8))
            copy.write_bytes(bytes(damaged))
            try:
                probabilities = Recognizer.load(copy).probabilities(digits)
            except DigitsError:
                outcomes["refused"] += 1
                continue
            outcomes["same answers" if np.array_equal(probabilities, reference) else "other answers"] += 1

    for _ in range(3):
        Recognizer.load(source)
    times = []
    for _ in range(30):
        start = time.perf_counter()
        Recognizer.load(source)
        times.append(time.perf_counter() - start)
    result = {
        "model": str(source),
        "copies": args.copies,
        "bits": args.bits,
        "seed": args.seed,
        "outcomes": dict(outcomes),
        "load_ms_median": 1e3 * statistics.median(times),
    }
    write_results(args.out, result)
    print(result)


if __name__ == "__main__":
    main()
