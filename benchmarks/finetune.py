"""Fine-tuning on one writer's handwriting: accuracy on that writer before and after, and on MNIST.

    python benchmarks/finetune.py --data-dir ../shared/data/mnist

No real writer's digits are in the repo, so the writers are simulated: MNIST *training* digits (never
test ones) drawn turned by each of ``--angles`` degrees clockwise, as someone writing on a tilted
sheet would, saved as dark-on-white PNGs of 84×84 in a folder per digit. ``--per-digit`` of them per
digit go to `digits finetune` (which holds a quarter out and prints accuracy on those before and
after); ``--test`` further digits of the same writer, never seen by the fine-tuning, score the base
and the fine-tuned model through `Recognizer`, and the command's own report gives MNIST test accuracy
before and after. With the bundled model (trained with seed 0) and ``--seed 0`` all of these digits
come from its validation split, so it never trained on them. That split is also what `digits
finetune` measures its ``--max-mnist-drop`` on, so 150 of its 5,000 digits are shown to the
fine-tuning turned; MNIST test digits, which nothing here trains on, give the figure to trust.
Results go to benchmarks/results/finetune.json.
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
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402

from machine import common_arguments, digits_read, finetune_run, write_results  # noqa: E402

SIDE = 84  # the written digit's canvas: MNIST's 28 px three times


def written(digit: np.ndarray, angle: float) -> np.ndarray:
    """An MNIST digit as the simulated writer puts it on paper: turned ``angle``° clockwise, dark on white."""
    ink = np.pad(cv2.resize(digit, (56, 56), interpolation=cv2.INTER_CUBIC), 14)
    turn = cv2.getRotationMatrix2D((SIDE / 2, SIDE / 2), -angle, 1.0)
    return 255 - cv2.warpAffine(ink, turn, (SIDE, SIDE), flags=cv2.INTER_LINEAR)


def write_folder(folder: Path, images: np.ndarray, labels: np.ndarray, angle: float) -> None:
    for i, (digit, label) in enumerate(zip(images, labels)):
        (folder / str(label)).mkdir(parents=True, exist_ok=True)
        Image.fromarray(written(digit, angle)).save(folder / str(label) / f"{i}.png")


def one_writer(angle: float, mnist, labelled: np.ndarray, unseen: np.ndarray, args) -> dict:
    """`digits finetune` on the writer's labelled digits; both models scored on the writer's unseen ones."""
    writer_test = [written(d, angle) for d in mnist.train_images[unseen]]
    with tempfile.TemporaryDirectory() as tmp:
        folder, output = Path(tmp) / "writer", Path(tmp) / "writer.h5"
        write_folder(folder, mnist.train_images[labelled], mnist.train_labels[labelled], angle)
        options = ["--steps", str(args.steps), "--seed", str(args.seed), "--max-mnist-drop", str(args.max_mnist_drop)]
        printed, seconds, report = finetune_run(folder, output, options, args.model_path, args.data_dir)
        scores = {}
        for name, path in (("before", args.model_path), ("after", output)):
            read = digits_read(Recognizer.load(path), writer_test)
            scores[name] = float(np.mean(np.array(read) == mnist.train_labels[unseen]))
    print(f"Writer at {angle:g}°:\n{printed}", end="")
    print(f"The writer's {len(unseen)} unseen digits: {scores['before']:.4f} -> {scores['after']:.4f}")
    print(f"Whole `digits finetune` command: {seconds:.1f} s", flush=True)
    return {"angle": angle, "report": report, "unseen_accuracy": scores, "command_seconds": round(seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--angles", type=float, nargs="+", default=[20.0, 35.0], help="writers' turns, ° clockwise")
    parser.add_argument("--per-digit", type=int, default=20, help="labelled images per digit for fine-tuning")
    parser.add_argument("--test", type=int, default=2000, help="further images of the writer to score")
    parser.add_argument("--steps", type=int, default=300, help="`digits finetune --steps`")
    parser.add_argument("--max-mnist-drop", type=float, default=0.2, help="`digits finetune --max-mnist-drop`")
    parser.add_argument("--seed", type=int, default=0)
    common_arguments(parser, "finetune")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    order = np.random.default_rng(args.seed).permutation(len(mnist.train_labels))
    labelled = np.concatenate([order[mnist.train_labels[order] == d][: args.per_digit] for d in range(10)])
    unseen = np.setdiff1d(order, labelled, assume_unique=True)[: args.test]
    writers = [one_writer(angle, mnist, labelled, unseen, args) for angle in args.angles]
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "settings": vars(args), "writers": writers})


if __name__ == "__main__":
    main()
