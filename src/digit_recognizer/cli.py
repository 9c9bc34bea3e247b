"""The ``digits`` command: parses arguments, calls the stages, formats their output.

Heavy modules (torch, matplotlib) are imported inside the commands that need them, so ``--help``
and ``digits data`` start fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import asdict
from pathlib import Path

from . import __version__
from .errors import ConfigError, DataError, DigitsError, ImageError
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


def cmd_train(args: argparse.Namespace) -> int:
    from .data import load_mnist

    try:
        from .train import recipe_config, train
    except ImportError as exc:
        raise ConfigError(
            f"training needs PyTorch ({exc.name} is missing): pip install 'handwritten-digit-recognizer[train]'"
        ) from exc

    config = recipe_config(
        args.recipe,
        arch=args.arch,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        device=args.device,
        model_path=args.model_path,
        train_limit=args.train_limit,
        patience=args.patience,
        **({"arch_params": {}} if args.arch else {}),
    )
    mnist = load_mnist(args.data_dir)
    log.info("Training %s (recipe %s) for up to %d epochs on %s", config.arch, config.recipe, config.epochs, mnist.source)
    result = train(config, mnist, on_epoch=_print_epoch, resume=args.resume)
    log.info("Best model saved at %s", config.model_path)
    history = [asdict(h) for h in result.history]
    report = _evaluate_and_plot(result.model_file, mnist, Path(args.plots_dir), history)
    _record_test_metrics(config.model_path, result.model_file, report, args.argv)
    _write_history(history, Path(args.plots_dir))
    return 130 if result.interrupted else 0


def _print_epoch(stats) -> None:
    print(
        f"Epoch {stats.epoch}/{stats.epochs}: Loss: {stats.loss:.4f}, Accuracy: {stats.accuracy:.4f}, "
        f"Val Loss: {stats.val_loss:.4f}, Val Accuracy: {stats.val_accuracy:.4f} ({stats.seconds:.1f}s)"
        + (" *" if stats.best else ""),
        flush=True,
    )


def _evaluate_and_plot(model_file, mnist, plots_dir: Path, history=(), quiet_report: bool = False):
    """Test-set metrics through the same inference path as ``digits predict``, and the three plots."""
    from .evaluate import Evaluation, write_plots
    from .recognizer import Recognizer

    probabilities = Recognizer(model_file).probabilities(mnist.test_images)
    evaluation = Evaluation.from_probabilities(probabilities, mnist.test_labels)
    log.info("Test accuracy: %.4f", evaluation.accuracy)
    if not quiet_report:
        log.info("Per-class scores on the test set:\n%s", evaluation.report())
    write_plots(evaluation, mnist.test_images, plots_dir, history)
    return evaluation


def _record_test_metrics(model_path: str, model_file, evaluation, argv: list[str]) -> None:
    """Store the test figures and the command in the model's metadata (they chose nothing)."""
    from .checkpoint import write_model_file

    model_file.metadata["metrics"]["test_accuracy"] = evaluation.accuracy
    model_file.metadata["metrics"]["test_loss"] = evaluation.loss
    model_file.metadata["command"] = " ".join(["digits", *argv])
    write_model_file(model_path, model_file)


def _write_history(rows: list[dict], plots_dir: Path) -> None:
    import csv
    import json

    plots_dir.mkdir(parents=True, exist_ok=True)
    (plots_dir / "history.json").write_text(json.dumps(rows, indent=1))
    with (plots_dir / "history.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    log.info("Training history saved at %s (.csv and .json)", plots_dir / "history")


def cmd_evaluate(args: argparse.Namespace) -> int:
    import json

    from .checkpoint import read_model_file

    model_file = read_model_file(args.model_path or default_model_path())
    if args.images:
        evaluation, errors = _evaluate_images(model_file, args.images, Path(args.plots_dir))
        for path, error in errors:
            log.error("%s: %s", path, error)
    else:
        from .data import load_mnist

        mnist = load_mnist(args.data_dir)
        history = model_file.metadata.get("history", [])
        evaluation = _evaluate_and_plot(model_file, mnist, Path(args.plots_dir), history, quiet_report=args.json)
        errors = []
    if args.json:
        print(json.dumps({**evaluation.to_dict(), "unreadable": [{"path": str(p), "error": e} for p, e in errors]}))
    else:
        print(f"{'Accuracy' if args.images else 'Test accuracy'}: {evaluation.accuracy:.4f}")
        print(evaluation.report())
    return 1 if errors else 0


def _evaluate_images(model_file, source: str, plots_dir: Path):
    """Accuracy, confusion matrix and gallery on the user's own labelled images."""
    import numpy as np

    from .evaluate import Evaluation, write_plots
    from .labelled import list_labelled
    from .recognizer import Recognizer

    pairs = list_labelled(source)
    results = Recognizer(model_file).predict_batch([path for path, _ in pairs])
    errors = [(path, str(r)) for (path, _), r in zip(pairs, results) if isinstance(r, DigitsError)]
    read = [(label, r) for (_, label), r in zip(pairs, results) if not isinstance(r, DigitsError)]
    if not read:
        raise DataError(f"none of the {len(pairs)} images in {source} could be read")
    labels = np.array([label for label, _ in read])
    probabilities = np.array([r.probabilities for _, r in read])
    images = np.stack([r.image if r.image is not None else np.zeros((28, 28), np.uint8) for _, r in read])
    evaluation = Evaluation.from_probabilities(probabilities, labels)
    log.info("%d labelled images read from %s (%d unreadable)", len(read), source, len(errors))
    write_plots(evaluation, images, plots_dir)
    return evaluation, errors


def expand_inputs(items: list[str]) -> list[tuple[str, str | None]]:
    """Files, folders (their images) and globs → (path, error) pairs, in a stable order."""
    import glob

    from .decode import IMAGE_SUFFIXES

    found: list[tuple[str, str | None]] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
            found += [(str(p), None) for p in images] or [(item, "no images in this folder")]
        elif not path.exists() and glob.has_magic(item):
            matches = sorted(glob.glob(item, recursive=True))
            found += [(m, None) for m in matches] or [(item, "no file matches this pattern")]
        else:
            found.append((item, None))
    return found


def cmd_predict(args: argparse.Namespace) -> int:
    import json

    from .recognizer import Recognizer

    if args.top_k is not None and not 1 <= args.top_k <= 10:
        raise ConfigError(f"--top-k must be between 1 and 10 (got {args.top_k})")
    recognizer = Recognizer.load(args.model_path)
    inputs = expand_inputs(args.paths)
    failed = 0
    for start in range(0, len(inputs), 256):
        chunk = inputs[start : start + 256]
        readable = [path for path, error in chunk if error is None]
        answers = iter(recognizer.predict_batch(readable))
        for path, error in chunk:
            result = ImageError(error) if error else next(answers)
            if isinstance(result, DigitsError):
                failed += 1
                _report_error(path, result, args)
                continue
            if args.save_preprocessed and result.image is not None:
                _save_preprocessed(result.image, Path(args.save_preprocessed), path, start)
            if args.json:
                print(json.dumps({"path": path, **result.to_dict(args.top_k or 0)}), flush=True)
            else:
                prefix = f"{path}: " if len(inputs) > 1 else ""
                print(prefix + _describe(result, args.top_k), flush=True)
    return 1 if failed else 0


def _describe(result, top_k: int | None) -> str:
    if result.digit is None:
        return f"No digit found ({result.reason})"
    line = f"Predicted Digit: {result.digit} (Confidence: {result.confidence:.2f})"
    if result.low_confidence:
        line += " [low confidence]"
    if top_k:
        line += " Top: " + ", ".join(f"{t['digit']} {t['probability']:.2f}" for t in result.top(top_k))
    return line


def _report_error(path: str, error: Exception, args: argparse.Namespace) -> None:
    import json

    if args.json:
        print(json.dumps({"path": path, "error": str(error)}), flush=True)
    log.error("%s: %s", path, error, exc_info=args.verbose > 0)


def _save_preprocessed(image, folder: Path, path: str, index: int) -> None:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{Path(path).stem}.png"
    if target.exists():  # two inputs with one name: keep both
        target = folder / f"{Path(path).stem}-{index}.png"
    Image.fromarray(image).save(target)


def default_model_path() -> Path:
    from .recognizer import BUNDLED_MODEL

    return BUNDLED_MODEL


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

    train = sub.add_parser("train", help="train a model on MNIST, then evaluate it on the test set")
    train.add_argument("--recipe", default="default", help="default (accuracy) or fast (seconds to 99%%)")
    train.add_argument("--arch", help="architecture: cnn, lenet5, resnet, fastnet (default: the recipe's)")
    train.add_argument("--epochs", type=int, help="maximum epochs (default: the recipe's)")
    train.add_argument("--batch-size", type=int, help="images per step (default: the recipe's)")
    train.add_argument("--lr", type=float, help="peak learning rate of the one-cycle schedule")
    train.add_argument("--patience", type=int, help="early stopping: epochs without improvement (default 8)")
    train.add_argument("--model-path", default="models/digit_recognizer_model.h5", help="where the best model goes")
    train.add_argument("--plots-dir", default="plots", help="where plots and the history go (default: plots)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--device", default="auto", help="auto (CUDA > MPS > CPU), cpu, cuda, cuda:1, mps")
    train.add_argument("--resume", action="store_true", help="continue from the checkpoint at --model-path")
    train.add_argument("--train-limit", type=int, default=0, metavar="N", help="train on the first N images only")
    _data_dir(train)
    _common(train)
    train.set_defaults(func=cmd_train)

    evaluate = sub.add_parser("evaluate", help="test accuracy, per-class scores and plots for a model")
    evaluate.add_argument("--model-path", help="model file (default: the bundled model)")
    evaluate.add_argument("--plots-dir", default="plots", help="where plots go (default: plots)")
    evaluate.add_argument("--json", action="store_true", help="print the metrics as JSON")
    evaluate.add_argument(
        "--images", metavar="DIR_OR_CSV", help="evaluate on your own labelled images: a folder per digit or a CSV"
    )
    _data_dir(evaluate)
    _common(evaluate)
    evaluate.set_defaults(func=cmd_evaluate)

    predict = sub.add_parser("predict", help="read the digit in images (files, folders, globs)")
    predict.add_argument("paths", nargs="+", metavar="PATH", help="image files, folders of images, or globs")
    predict.add_argument("--model-path", help="model file (default: the bundled model)")
    predict.add_argument("--json", action="store_true", help="one JSON object per input (JSON Lines)")
    predict.add_argument("--top-k", type=int, metavar="K", help="also show the K most likely digits")
    predict.add_argument("--save-preprocessed", metavar="DIR", help="write the 28x28 image the model saw")
    _common(predict)
    predict.set_defaults(func=cmd_predict)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
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
