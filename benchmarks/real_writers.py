"""Real people's handwriting, not MNIST's: how the bundled model reads it, and `digits finetune` on it.

    pip install -e ".[bench]"   # scikit-learn, which bundles the digits
    python benchmarks/real_writers.py --data-dir ../shared/data/mnist

Every other accuracy figure here comes from MNIST's writers. scikit-learn bundles the test set of
UCI's "optdigits" (Alpaydin & Kaynak, 1998): 1,797 digits written on forms by 13 people who are
not among MNIST's writers, each size-normalised to 32×32 by NIST's programs and then counted in 4×4
blocks, so an 8×8 image of grey levels 0–16 (a small digit cropped tight to its edges). They are
read as a user would hand them over: the 8×8 image itself (dark on white), enlarged four times and
6.25 times (each pixel 6 or 7 pixels wide) with blocky pixels (as an image viewer or matplotlib shows
them), enlarged eight times with smooth (bilinear) pixels, and plotted with matplotlib in a figure
with axes (``cmap="gray_r"``, as scikit-learn's own example shows them, and ``viridis``, the
default). For each: read right, "no digit", misread.

Then `digits finetune` on the 8×8 images: ``--per-digit`` of each digit (a seeded choice) are the
labelled ones it adapts to (it holds a quarter of them out and prints accuracy on those before and
after, and MNIST test accuracy before and after); the other digits, never seen by the fine-tuning,
score the base and the fine-tuned model. The writers are the same in both parts, as they are when
someone fine-tunes on their own handwriting: the dataset does not say who wrote which digit.
Results go to benchmarks/results/real_writers.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import plotted  # noqa: E402

from machine import common_arguments, finetune_run, scores, write_results  # noqa: E402

PRESENTATIONS = {
    "8x8": lambda image: image,
    "32x32 blocky": lambda image: cv2.resize(image, (32, 32), interpolation=cv2.INTER_NEAREST),
    "50x50 blocky": lambda image: cv2.resize(image, (50, 50), interpolation=cv2.INTER_NEAREST),
    "64x64 smooth": lambda image: cv2.resize(image, (64, 64), interpolation=cv2.INTER_LINEAR),
    # Plotted by `plt.imshow` in a figure with axes, saved as PNG (``synthetic.plotted``): as scikit-learn's
    # own example colours them, and in matplotlib's default colour map.
    "plotted, gray_r": lambda image: plotted(255 - image, cmap="gray_r")[0],
    "plotted, viridis": lambda image: plotted(255 - image, cmap="viridis")[0],
}


def load_writers() -> tuple[np.ndarray, np.ndarray]:
    """The optdigits test set as dark-on-white uint8 8×8 images, and their labels."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit('This benchmark reads the digits bundled with scikit-learn: pip install -e ".[bench]"')
    digits = load_digits()
    return np.round(255 - digits.images * 255 / 16).astype(np.uint8), digits.target


def finetune(images: np.ndarray, labels: np.ndarray, labelled: np.ndarray, args) -> dict:
    """`digits finetune` on the labelled images; the base and fine-tuned models on all the others."""
    unseen = np.setdiff1d(np.arange(len(labels)), labelled)
    with tempfile.TemporaryDirectory() as tmp:
        folder, output = Path(tmp) / "writers", Path(tmp) / "writers.h5"
        for i in labelled:
            (folder / str(labels[i])).mkdir(parents=True, exist_ok=True)
            Image.fromarray(images[i]).save(folder / str(labels[i]) / f"{i}.png")
        options = ["--steps", str(args.steps), "--seed", str(args.seed)]
        printed, seconds, report = finetune_run(folder, output, options, args.model_path, args.data_dir)
        before = scores(Recognizer.load(args.model_path), list(images[unseen]), labels[unseen])
        after = scores(Recognizer.load(output), list(images[unseen]), labels[unseen])
    print(printed, end="")
    print(f"The {len(unseen)} digits it never saw, read right: {before['right']:.4f} -> {after['right']:.4f}")
    print(f"Whole `digits finetune` command: {seconds:.1f} s")
    return {"labelled": len(labelled), "unseen": len(unseen), "report": report,
            "unseen_before": before, "unseen_after": after, "command_seconds": round(seconds, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-digit", type=int, default=20, help="labelled images per digit for fine-tuning")
    parser.add_argument("--steps", type=int, default=300, help="`digits finetune --steps`")
    parser.add_argument("--seed", type=int, default=0)
    common_arguments(parser, "real_writers")
    args = parser.parse_args()

    images, labels = load_writers()
    recognizer = Recognizer.load(args.model_path)
    read = {}
    for name, present in PRESENTATIONS.items():
        read[name] = scores(recognizer, [present(image) for image in images], labels)
        print(f"{name:>13}: " + ", ".join(f"{key} {value:.1%}" for key, value in read[name].items()), flush=True)
    order = np.random.default_rng(args.seed).permutation(len(labels))
    labelled = np.concatenate([order[labels[order] == d][: args.per_digit] for d in range(10)])
    tuned = finetune(images, labels, labelled, args)
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "settings": vars(args), "count": len(labels),
                             "read": read, "finetune": tuned})  # fmt: skip


if __name__ == "__main__":
    main()
