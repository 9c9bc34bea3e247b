"""The two images of the README's opening example, and what `digits predict` prints for them.

    python benchmarks/readme_examples.py --data-dir ../shared/data/mnist

Renders, with ``digit_recognizer.synthetic`` and seed 0, a phone photo of the first 7 of the MNIST
*test* set under a shadow (``photo_of_a_seven.jpg``) and the number 2026 from the first test digits of
those values on grey paper (``photo_of_2026.jpg``), into
``--images`` (default: plots/examples). Then runs the installed CLI on them, as a user would, and
prints its lines. Results go to benchmarks/results/readme_examples.json.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.synthetic import number_ink, render, render_number  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_arguments(parser, "readme_examples")
    parser.add_argument("--images", default="plots/examples", help="folder for the two rendered images")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    folder = Path(args.images)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    seven = int(np.flatnonzero(mnist.test_labels == 7)[0])
    photo = folder / "photo_of_a_seven.jpg"
    photo.write_bytes(render(mnist.test_images[seven], "shadow", rng, max_side=1500))
    # "2026": the first test digit of each value, and the second 2 for the second 2
    firsts = {d: list(np.flatnonzero(mnist.test_labels == d)[:2]) for d in (2, 0, 6)}
    indices = [firsts[2][0], firsts[0][0], firsts[2][1], firsts[6][0]]
    ink = number_ink([mnist.test_images[i] for i in indices], rng, touching=False, digit_px=80)
    number = folder / "photo_of_2026.jpg"
    number.write_bytes(render_number(ink, "grey_paper", rng))

    model = ["--model-path", args.model_path] if args.model_path else []
    runs = {"single": [str(photo)], "multi": ["--multi", str(number)]}
    printed = {}
    for name, options in runs.items():
        command = [sys.executable, "-m", "digit_recognizer", "predict", *model, *options]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        printed[name] = done.stdout.strip()
        print(f"$ digits predict {' '.join(options)}\n{printed[name]}")
    write_results(
        args.out,
        {"settings": vars(args), "mnist_test_indices": {"seven": seven, "2026": [int(i) for i in indices]},
         "printed": printed},
    )  # fmt: skip


if __name__ == "__main__":
    main()
