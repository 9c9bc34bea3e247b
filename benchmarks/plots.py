"""Seconds to write the three plots `digits train` and `digits evaluate` end with, from the bundled
model's (or --model-path's) test-set evaluation and training history.

    python benchmarks/plots.py --data-dir ../shared/data/mnist --repeat 5

Each plot is written ``--repeat`` times after one warm-up (which also imports matplotlib); the
median of each goes in the results, benchmarks/results/plots.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.evaluate import Evaluation, plot_confusion, plot_curves, plot_misclassified  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="timed writes of each plot")
    common_arguments(parser, "plots")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    evaluation = Evaluation.from_probabilities(recognizer.probabilities(mnist.test_images), mnist.test_labels)
    history = recognizer.model_file.metadata["history"]
    plots = {
        "accuracy_loss_curves": lambda path: plot_curves(history, path),
        "confusion_matrix": lambda path: plot_confusion(evaluation.confusion, path),
        "misclassified": lambda path: plot_misclassified(mnist.test_images, evaluation, path),
    }
    seconds = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, plot in plots.items():
            times = []
            for _ in range(args.repeat + 1):
                start = time.perf_counter()
                plot(Path(tmp) / f"{name}.png")
                times.append(time.perf_counter() - start)
            seconds[name] = round(statistics.median(times[1:]), 3)
    seconds["all three"] = round(sum(seconds.values()), 3)
    for name, value in seconds.items():
        print(f"| {name} | {value:.2f} s |")
    write_results(args.out, {"settings": vars(args), "seconds": seconds})


if __name__ == "__main__":
    main()
