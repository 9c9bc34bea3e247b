"""The ``digits`` command: parses arguments, calls the stages, formats their output.

Heavy modules (torch, matplotlib) are imported inside the commands that need them, so ``--help``
and ``digits data`` start fast.
"""

from __future__ import annotations

import argparse
import logging
import sys

from . import __version__
from .errors import DigitsError
from .log import setup_logging

log = logging.getLogger("digit_recognizer")


def cmd_data(args: argparse.Namespace) -> int:
    from .data import load_mnist

    mnist = load_mnist(args.data_dir, download=not args.no_download)
    print(f"MNIST found at {mnist.source}")
    print("Checksums: all four files match the original MNIST (SHA-256)")
    for split, labels, images in (
        ("train", mnist.train_labels, mnist.train_images),
        ("test", mnist.test_labels, mnist.test_images),
    ):
        counts = ", ".join(f"{d}: {n}" for d, n in enumerate(_bincount(labels)))
        print(f"{split}: {len(labels)} images of {images.shape[1]}x{images.shape[2]} ({counts})")
    return 0


def _bincount(labels) -> list[int]:
    import numpy as np

    return np.bincount(labels, minlength=10).tolist()


def _common(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output")
    group.add_argument("-v", "--verbose", action="count", default=0, help="more detail (tracebacks on errors)")
    group.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    group.add_argument("--log-file", metavar="PATH", help="also write a detailed log to PATH")


def _data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder with the four MNIST IDX files, a torchvision MNIST/raw folder or a Keras mnist.npz "
        "(default: $DIGITS_DATA_DIR, then the user cache, then a download)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digits",
        description="Train a CNN on MNIST and read handwritten digits.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    data = sub.add_parser("data", help="find MNIST, verify its checksums and count the images")
    _data_dir(data)
    data.add_argument("--no-download", action="store_true", help="fail instead of downloading MNIST")
    _common(data)
    data.set_defaults(func=cmd_data)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose, args.quiet, args.log_file)
    try:
        return args.func(args)
    except DigitsError as exc:
        log.error("%s", exc, exc_info=args.verbose > 0)
        return 1
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
