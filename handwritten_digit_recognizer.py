#!/usr/bin/env python3
"""The seed's script, kept working exactly: ``--mode train|predict`` with its underscore flags.

    python handwritten_digit_recognizer.py --mode train --epochs 50 --batch_size 32
    python handwritten_digit_recognizer.py --mode predict --image_path path/to/image.png

It is a thin shell over the ``digits`` command; any other ``digits train`` / ``digits predict``
option (``--recipe fast``, ``--data-dir DIR``, ...) is passed on unchanged.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))  # runs from a plain checkout too

from digit_recognizer.cli import main as digits  # noqa: E402
from digit_recognizer.cli import run  # noqa: E402

SEED_MODEL = "models/digit_recognizer_model.h5"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["train", "predict"], required=True)
    parser.add_argument("--epochs", type=int, help="maximum epochs (default: the recipe's)")
    parser.add_argument("--batch_size", type=int, help="images per step (default: the recipe's)")
    parser.add_argument("--model_path", default=SEED_MODEL, help=f"model file (default: {SEED_MODEL})")
    parser.add_argument("--image_path", help="image to read (predict mode)")
    args, passthrough = parser.parse_known_args(argv)

    if args.mode == "train":
        command = ["train", "--model-path", args.model_path, "--plots-dir", "plots"]
        command += ["--epochs", str(args.epochs)] if args.epochs is not None else []
        command += ["--batch-size", str(args.batch_size)] if args.batch_size is not None else []
        return digits(command + passthrough)

    if not args.image_path:
        parser.error("--mode predict needs --image_path")
    command = ["predict", args.image_path]
    # Before any training, the seed's default path does not exist yet: the bundled model answers.
    if args.model_path != SEED_MODEL or Path(SEED_MODEL).is_file():
        command += ["--model-path", args.model_path]
    return digits(command + passthrough)


if __name__ == "__main__":
    run(main)
