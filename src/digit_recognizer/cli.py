"""The ``digits`` command: parses arguments, calls the stages, formats their output.

Heavy modules (torch, matplotlib) are imported inside the commands that need them, so ``--help``
and ``digits data`` start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from . import __version__
from .errors import ConfigError, DataError, DigitsError, ImageError
from .log import brief, setup_logging

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
        from .train import recipe_config, train, world
    except ImportError as exc:
        raise _missing("training", "train", exc) from exc

    config = recipe_config(
        args.recipe,
        arch=args.arch,
        epochs=args.epochs,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        lr=args.lr,
        weight_decay=args.weight_decay,
        seed=args.seed,
        split_seed=args.split_seed,
        val_size=args.val_size,
        device=args.device,
        model_path=args.model_path,
        train_limit=args.train_limit,
        patience=args.patience,
        label_smoothing=args.label_smoothing,
        ema=args.ema,
        precision=args.precision,
        augment=args.augment,
        width=args.width,
        **({"arch_params": {}} if args.arch else {}),
    )
    if world()[0] != 0:
        logging.getLogger("digit_recognizer").setLevel(logging.WARNING)
    else:
        _output_folder(args.plots_dir, "plots")
    mnist = load_mnist(args.data_dir)
    log.info(
        "Training %s (recipe %s) for up to %d epochs on %s", config.arch, config.recipe, config.epochs, mnist.source
    )
    result = train(config, mnist, on_epoch=_print_epoch, resume=args.resume)
    if result.rank != 0:  # under torchrun, rank 0 alone evaluates, plots and writes
        return 0
    log.info("%s saved at %s", "Best model" if config.val_size else "Model of the last epoch", config.model_path)
    from .recognizer import Recognizer

    history = [asdict(h) for h in result.history]
    report = _evaluate_and_plot(Recognizer(result.model_file), mnist, Path(args.plots_dir), history)
    _record_test_metrics(config.model_path, result.model_file, report, args.argv)
    _write_history(history, Path(args.plots_dir))
    return 130 if result.interrupted else 0


def _print_epoch(stats) -> None:
    validated = stats.val_accuracy is not None  # not when training on all 60,000 images (--val-size 0)
    print(
        f"Epoch {stats.epoch}/{stats.epochs}: Loss: {stats.loss:.4f}, Accuracy: {stats.accuracy:.4f}"
        + (f", Val Loss: {stats.val_loss:.4f}, Val Accuracy: {stats.val_accuracy:.4f}" if validated else "")
        + f" ({stats.seconds:.1f}s)"
        + (" *" if stats.best and validated else ""),
        flush=True,
    )


def _evaluate_and_plot(recognizer, mnist, plots_dir: Path, history=(), quiet_report: bool = False):
    """Test-set metrics through the same inference path as ``digits predict``, and the three plots."""
    from .evaluate import Evaluation, write_plots

    probabilities = recognizer.probabilities(mnist.test_images)
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


def _output_folder(path: str | Path, what: str) -> Path:
    """Create the folder for ``what`` now, so that a bad path fails before the work, not after it."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"the {what} folder {folder} is a file")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the {what} folder {folder} ({exc.strerror or exc})") from exc
    return folder


def _write_history(rows: list[dict], plots_dir: Path) -> None:
    import csv
    import json

    (plots_dir / "history.json").write_text(json.dumps(rows, indent=1))
    with (plots_dir / "history.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    log.info("Training history saved at %s (.csv and .json)", plots_dir / "history")


def cmd_evaluate(args: argparse.Namespace) -> int:
    import json

    from .recognizer import Recognizer

    recognizer = Recognizer.load(args.model_path, tta=args.tta)  # a bad model fails before a folder is made
    _output_folder(args.plots_dir, "plots")
    model_file = recognizer.model_file
    if args.images:
        evaluation, errors = _evaluate_images(recognizer, args.images, Path(args.plots_dir))
        for path, error in errors:
            log.error("%s: %s", path, error)
    else:
        from .data import load_mnist

        mnist = load_mnist(args.data_dir)
        models = 1 + len(recognizer.members)  # a big ensemble takes minutes here: say what is running
        log.info(
            "Scoring the %d test digits with %s%s",
            len(mnist.test_labels), f"{models} models" if models > 1 else "the model",
            ", each on 5 shifted views (--tta)" if recognizer.tta else "",
        )  # fmt: skip
        history = model_file.metadata.get("history", [])
        # The per-class table goes to stdout below (or into the JSON), not into the log as well.
        evaluation = _evaluate_and_plot(recognizer, mnist, Path(args.plots_dir), history, quiet_report=True)
        errors = []
    if args.json:
        print(json.dumps({**evaluation.to_dict(), "unreadable": [{"path": str(p), "error": e} for p, e in errors]}))
    else:
        print(f"{'Accuracy' if args.images else 'Test accuracy'}: {evaluation.accuracy:.4f}")
        print(evaluation.report())
    return 1 if errors else 0


def _evaluate_images(recognizer, source: str, plots_dir: Path):
    """Accuracy, confusion matrix and gallery on the user's own labelled images."""
    import numpy as np

    from .evaluate import Evaluation, write_plots
    from .labelled import list_labelled
    from .recognizer import one_opencv_thread

    one_opencv_thread()
    pairs = list_labelled(source)
    results = recognizer.predict_batch([path for path, _ in pairs])
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
            # os.scandir knows each entry's kind from the listing, where Path.is_file and is_dir asked
            # the file system twice for each: 6 against 32 ms for 3,000 files, before any is read
            with os.scandir(path) as listing:
                entries = sorted((e for e in listing if not e.name.startswith(".")), key=lambda e: e.name)
            images = [e for e in entries if os.path.splitext(e.name)[1].lower() in IMAGE_SUFFIXES and e.is_file()]
            found += [(os.path.join(path, e.name), None) for e in images] or [(item, "no images in this folder")]
            if folders := [e.name for e in entries if e.is_dir()]:  # images in them are not read
                glob_all = Path(item) / "**" / "*.png"
                log.warning("sub-folders of %s are not read (%s reads them): %s", item, glob_all, brief(folders))
        elif not path.exists() and glob.has_magic(item):
            matches = sorted(glob.glob(item, recursive=True))
            found += [(m, None) for m in matches] or [(item, "no file matches this pattern")]
        else:
            found.append((item, None))
    return found


def cmd_predict(args: argparse.Namespace) -> int:
    import json

    from .recognizer import Recognizer, one_opencv_thread

    if args.top_k is not None and not 1 <= args.top_k <= 10:
        raise ConfigError(f"--top-k must be between 1 and 10 (got {args.top_k})")
    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers must be at least 1 (got {args.workers})")
    recognizer = Recognizer.load(args.model_path, tta=args.tta)
    one_opencv_thread()
    if args.save_preprocessed:
        _output_folder(args.save_preprocessed, "--save-preprocessed")
    inputs = expand_inputs(args.paths)
    # Lines name their file unless the one file was named on the command line (the seed's output line).
    named = [path for path, _ in inputs] != list(args.paths)
    failed = 0
    readable = [_stdin_image() if path == "-" else path for path, error in inputs if error is None]
    stream = recognizer.predict_number_stream if args.multi else recognizer.predict_stream
    answers = stream(readable, args.workers)
    with contextlib.closing(answers):  # on Ctrl-C or a closed pipe, the worker processes stop at once
        for index, (path, error) in enumerate(inputs):
            result = ImageError(error) if error else next(answers)
            if isinstance(result, DigitsError):
                failed += 1
                _report_error(path, result, args)
                continue
            if args.save_preprocessed:
                _save_preprocessed(result, Path(args.save_preprocessed), path, index)
            if args.json:
                print(json.dumps({"path": path, **result.to_dict(args.top_k or 0)}), flush=True)
            else:
                prefix = f"{path}: " if named or len(inputs) > 1 else ""
                print(prefix + _describe(result, args.top_k), flush=True)
    return 1 if failed else 0


@functools.cache
def _stdin_image() -> bytes:
    """The image piped to ``digits predict -``, read once (up to one byte over the size cap, which the
    decoder then refuses)."""
    from .decode import MAX_FILE_BYTES

    if sys.stdin.isatty():  # nothing piped in: say so instead of waiting for a keyboard
        raise ConfigError("'-' reads an image piped to standard input, e.g. cat digit.png | digits predict -")
    return sys.stdin.buffer.read(MAX_FILE_BYTES + 1)


def _describe(result, top_k: int | None) -> str:
    if hasattr(result, "number"):
        if not result.number:
            return f"No digits found ({result.reason})"
        return f"Predicted Number: {result.number} (Confidence: {result.confidence:.2f})"
    if result.digit is None:
        return f"No digit found ({result.reason})"
    line = f"Predicted Digit: {result.digit} (Confidence: {result.confidence:.2f})"
    if result.low_confidence:
        line += " [low confidence]"
    if result.several:
        line += " [looks like several digits: --multi reads a number]"
    if top_k:
        line += " Top: " + ", ".join(f"{t['digit']} {t['probability']:.2f}" for t in result.top(top_k))
    return line


def _report_error(path: str, error: Exception, args: argparse.Namespace) -> None:
    import json

    if args.json:
        print(json.dumps({"path": path, "error": str(error)}), flush=True)
    log.error("%s: %s", path, error, exc_info=args.verbose > 0)


def _save_preprocessed(result, folder: Path, path: str, index: int) -> None:
    """Write the 28×28 image(s) the model saw: <name>.png, or <name>-<k>.png per digit of a number."""
    from PIL import Image

    images = [d.image for d in result.digits] if hasattr(result, "number") else [result.image]
    stem = "stdin" if path == "-" else Path(path).stem
    if (folder / f"{stem}.png").exists() or (folder / f"{stem}-0.png").exists():
        stem = f"{stem}-{index}"  # two inputs with one name: keep both
    for k, image in enumerate(i for i in images if i is not None):
        name = f"{stem}.png" if len(images) == 1 else f"{stem}-{k}.png"
        Image.fromarray(image).save(folder / name)


def cmd_finetune(args: argparse.Namespace) -> int:
    from .checkpoint import CLASS_NAMES, read_model_file, write_model_file
    from .data import load_mnist
    from .recognizer import model_path, one_opencv_thread

    try:
        from .finetune import FinetuneConfig, check_user_images, finetune, load_user_images
        from .train import check_seed
    except ImportError as exc:
        raise _missing("fine-tuning", "train", exc) from exc
    config = FinetuneConfig(steps=args.steps, seed=args.seed, max_mnist_drop=args.max_mnist_drop / 100)
    if config.steps < 1:
        raise ConfigError(f"--steps must be at least 1 (got {config.steps})")
    check_seed(config.seed, "--seed")
    if not 0 <= args.max_mnist_drop <= 100:
        raise ConfigError(f"--max-mnist-drop is in percentage points, from 0 to 100 (got {args.max_mnist_drop:g})")
    base = read_model_file(model_path(args.model_path), CLASS_NAMES)
    one_opencv_thread()
    images, labels, problems = load_user_images(args.images)
    for line in check_user_images(labels, problems, config):
        log.warning("%s", line)
    mnist = load_mnist(args.data_dir)
    model_file, report = finetune(base, images, labels, mnist, config)
    model_file.metadata["command"] = " ".join(["digits", *args.argv])
    write_model_file(args.output, model_file)
    before, after = report["before"], report["after"]
    held = f"{before['held_out_accuracy']:.4f} -> {after['held_out_accuracy']:.4f}"
    print(f"Your held-out images ({report['held_out']}): {held}")
    print(f"MNIST validation accuracy: {before['mnist_val_accuracy']:.4f} -> {after['mnist_val_accuracy']:.4f}")
    print(f"MNIST test accuracy: {before['mnist_test_accuracy']:.4f} -> {after['mnist_test_accuracy']:.4f}")
    if report["blend"] < 1:
        print(
            f"Blended back towards the base model ({report['blend']:.0%} fine-tuned weights) "
            f"to lose at most {args.max_mnist_drop:g} points of MNIST validation accuracy"
        )
    log.info("Fine-tuned model saved at %s", args.output)
    return 0


def cmd_train_one_digit(args: argparse.Namespace) -> int:
    from .data import load_mnist
    from .recognizer import model_path

    try:
        from .one_digit import ONE_DIGIT_MODEL, PIECES, one_digit_config, train_one_digit
    except ImportError as exc:
        raise _missing("training", "train", exc) from exc
    pieces = PIECES if args.pieces is None else args.pieces
    if pieces < 100:
        raise ConfigError(f"--pieces must be at least 100 (got {pieces})")
    overrides = {"epochs": args.epochs, "patience": args.epochs} if args.epochs is not None else {}
    config = one_digit_config(model_path(args.model_path, ONE_DIGIT_MODEL), args.seed, **overrides)
    mnist = load_mnist(args.data_dir)
    log.info("Cutting %d pieces of numbers from %s and training the one-digit model", pieces, mnist.source)
    command = " ".join(["digits", *args.argv])
    result = train_one_digit(mnist, config, pieces, _print_epoch, command)
    print(f"Test accuracy on pieces of MNIST test digits: {result.test_accuracy:.4f}")
    log.info("One-digit model saved at %s", config.model_path)
    return 130 if result.training.interrupted else 0


def cmd_export(args: argparse.Namespace) -> int:
    from .checkpoint import read_model_file
    from .recognizer import model_path

    model_file = read_model_file(model_path(args.model_path))
    graph = model_file.onnx
    if graph is None:  # an interrupted run's checkpoint: export it now
        try:
            from .models import export_onnx, network_from_file
        except ImportError as exc:
            raise _missing("exporting a model file that has no ONNX graph", "train", exc) from exc
        graph = export_onnx(network_from_file(model_file))
    output = Path(args.output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(graph)
    except OSError as exc:
        raise ConfigError(f"cannot write {output} ({exc.strerror or exc})") from exc
    classes = len(model_file.class_names)  # 10 digits; the one-digit model has 2
    log.info("ONNX graph written to %s (input 'image': N×1×28×28, normalised; output 'logits': N×%d)", output, classes)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from .server import serve
    except ImportError as exc:
        raise _missing("the web app", "serve", exc) from exc
    if args.workers < 1:
        raise ConfigError(f"--workers must be at least 1 (got {args.workers})")
    serve(args.host, args.port, args.model_path, args.workers, args.tta)
    return 0


def _missing(what: str, extra: str, exc: ImportError) -> ConfigError:
    """The error for a command whose optional dependencies are not installed."""
    return ConfigError(
        f"{what} needs {exc.name}, which is not installed: pip install 'handwritten-digit-recognizer[{extra}]'"
    )


def _bincount(labels) -> list[int]:
    import numpy as np

    return np.bincount(labels, minlength=10).tolist()


def _common(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output")
    group.add_argument("-v", "--verbose", action="count", default=0, help="more detail (tracebacks on errors)")
    group.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    group.add_argument("--log-file", metavar="PATH", help="also write a detailed log to PATH")


def _tta(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tta", action="store_true", help="test-time augmentation: also average over one-pixel shifts (5x slower)"
    )


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
    train.add_argument("--arch", help="architecture: cnn, lenet5, resnet, fastnet, m5 (default: the recipe's)")
    train.add_argument(
        "--width", type=int, help="channels of the first layer of cnn, resnet or m5; the later layers scale with it "
        "(default: the architecture's: 32, 32, 16)"
    )  # fmt: skip
    train.add_argument("--epochs", type=int, help="maximum epochs (default: the recipe's)")
    train.add_argument("--batch-size", type=int, help="images per step (default: the recipe's)")
    train.add_argument(
        "--optimizer",
        choices=["sgd", "adam"],
        help="sgd: Nesterov momentum under a one-cycle schedule (the recipes'); adam: Adam decaying by 0.98 an "
        "epoch, as An et al. (2020) trained (default sgd)",
    )
    train.add_argument("--lr", type=float, help="sgd: peak learning rate of the one-cycle schedule; adam: the first")
    train.add_argument("--weight-decay", type=float, help="L2 penalty on the weights (default 5e-4)")
    train.add_argument("--label-smoothing", type=float, help="0 turns it off (default: the recipe's)")
    train.add_argument("--patience", type=int, help="early stopping: epochs with no better score (default: recipe)")
    train.add_argument(
        "--ema", type=float, metavar="DECAY", help="decay of the saved weight average; 0: off (default: recipe)"
    )
    train.add_argument(
        "--augment",
        metavar="NAME=VALUE,…",
        help="change the recipe's augmentation, e.g. rotation=20,shift=0.2,elastic=0 (names: rotation in degrees, "
        "shift, zoom, shear, elastic in pixels, elastic_grid, thickness, flag: the share of 1s given a flag; "
        "0 turns one off)",
    )
    train.add_argument(
        "--precision",
        choices=["fp32", "bf16"],
        help="bf16: bfloat16 autocast, faster on CPUs with AVX-512 BF16 and on recent GPUs, many times slower on "
        "CPUs without fast bfloat16 kernels, where training warns (default fp32)",
    )
    train.add_argument("--model-path", default="models/digit_recognizer_model.h5", help="where the best model goes")
    train.add_argument("--plots-dir", default="plots", help="where plots and the history go (default: plots)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument(
        "--split-seed",
        type=int,
        metavar="SEED",
        help="draw the validation split with this seed instead of --seed; models that share it can be "
        "compared and ensembled on the same validation images",
    )
    train.add_argument(
        "--val-size",
        type=int,
        metavar="N",
        help="training images held out to choose the best epoch on (default 5000); 0: train on all 60,000, "
        "keep the last epoch and never stop early",
    )
    train.add_argument("--device", default="auto", help="auto (CUDA > MPS > CPU), cpu, cuda, cuda:1, mps")
    train.add_argument("--resume", action="store_true", help="continue from the checkpoint at --model-path")
    train.add_argument("--train-limit", type=int, default=0, metavar="N", help="train on the first N images only")
    _data_dir(train)
    _common(train)
    train.set_defaults(func=cmd_train)

    one = sub.add_parser(
        "train-one-digit",
        help="train the small model that helps split touching digits (is a piece one whole digit?)",
        description="Train the one-digit model that `digits predict --multi` uses to split touching digits: "
        "it learns from pieces of numbers composed from MNIST training digits whether a piece is one whole "
        "digit, two digits, or part of one. The package ships one; this makes it again.",
    )
    one.add_argument("--model-path", help="where it goes (default: the bundled one, replaced)")
    one.add_argument(
        "--pieces", type=int, help="pieces to cut (default 360000; a tenth of them, at most 5000, validate)"
    )
    one.add_argument("--epochs", type=int, help="epochs (default 8)")
    one.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    _data_dir(one)
    _common(one)
    one.set_defaults(func=cmd_train_one_digit)

    evaluate = sub.add_parser("evaluate", help="test accuracy, per-class scores and plots for a model")
    evaluate.add_argument(
        "--model-path", nargs="+", help="model file(s); several make an ensemble (default: the bundled model)"
    )
    evaluate.add_argument("--plots-dir", default="plots", help="where plots go (default: plots)")
    _tta(evaluate)
    evaluate.add_argument("--json", action="store_true", help="print the metrics as JSON")
    evaluate.add_argument(
        "--images", metavar="DIR_OR_CSV", help="evaluate on your own labelled images: a folder per digit or a CSV"
    )
    _data_dir(evaluate)
    _common(evaluate)
    evaluate.set_defaults(func=cmd_evaluate)

    predict = sub.add_parser("predict", help="read the digit in images (files, folders, globs)")
    predict.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="image files, folders of images, globs, or - to read one image from standard input",
    )
    predict.add_argument(
        "--model-path",
        action="append",
        help="model file (default: the bundled model); repeat it for an ensemble that averages the models",
    )
    predict.add_argument("--json", action="store_true", help="one JSON object per input (JSON Lines)")
    predict.add_argument("--top-k", type=int, metavar="K", help="also show the K most likely digits")
    predict.add_argument(
        "--multi",
        action="store_true",
        help="read a number of several digits (e.g. 2026; marks between digits too: "
        "3.14, 1,000, 12:30, -42, 12+7=19, 3×4=12)",
    )
    predict.add_argument("--save-preprocessed", metavar="DIR", help="write the 28x28 image the model saw")
    predict.add_argument(
        "--workers", type=int, metavar="N",
        help="processes that decode and prepare the images while the model reads those prepared, or with "
        "--multi read whole numbers (default: one per core, each taking at least 64 images, or 4 numbers; 1: "
        "this process only)",
    )  # fmt: skip
    _tta(predict)
    _common(predict)
    predict.set_defaults(func=cmd_predict)

    finetune = sub.add_parser("finetune", help="adapt a model to your own labelled handwriting")
    finetune.add_argument("--images", required=True, metavar="DIR_OR_CSV", help="a folder per digit (0/ … 9/) or a CSV")
    finetune.add_argument("--model-path", help="the base model (default: the bundled model)")
    finetune.add_argument("--output", required=True, help="where to write the fine-tuned model")
    finetune.add_argument("--steps", type=int, default=300, help="training steps (default 300)")
    finetune.add_argument("--seed", type=int, default=0)
    finetune.add_argument(
        "--max-mnist-drop", type=float, default=0.2, metavar="POINTS",
        help="most MNIST validation accuracy to give up, in percentage points; beyond it the fine-tuned "
        "weights are blended back towards the base model's (default 0.2; 100: never blend)",
    )  # fmt: skip
    _data_dir(finetune)
    _common(finetune)
    finetune.set_defaults(func=cmd_finetune)

    export = sub.add_parser("export", help="write a model as a standalone ONNX file")
    export.add_argument("--format", choices=["onnx"], default="onnx", help="export format (default onnx)")
    export.add_argument("--model-path", help="model file (default: the bundled model)")
    export.add_argument("--output", required=True, help="where to write the exported model")
    _common(export)
    export.set_defaults(func=cmd_export)

    serve = sub.add_parser("serve", help="the drawing web page and the REST API")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--model-path", nargs="+", help="model file(s); several make an ensemble (default: the bundled model)"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes, each reading one image at a time on its share of the cores: one per core (default 1)",
    )
    _tta(serve)
    _common(serve)
    serve.set_defaults(func=cmd_serve)
    parser.commands = sub.choices  # name → the command's parser, for errors in its own words
    return parser


def _unknown_options(command: argparse.ArgumentParser, unknown: list[str]) -> None:
    """Exit with status 2 naming the arguments ``command`` does not take, and what was probably meant."""
    known = [option for action in command._actions for option in action.option_strings]
    hints = []
    for arg in unknown:
        option = arg.split("=", 1)[0]
        if option.replace("_", "-") in known and option not in known:
            hints.append(f"{option.replace('_', '-')} instead of {option}")
        elif option in ("--image-path", "--image_path") and command.prog.endswith("predict"):
            hints.append("image paths come without an option: digits predict IMAGE [IMAGE ...]")
    hint = f" ({'; '.join(hints)})" if hints else ""
    command.error(f"unrecognized arguments: {' '.join(unknown)}{hint}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # reported by the command's own parser, with its usage and a hint
        _unknown_options(parser.commands[args.command], unknown)
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
    except BrokenPipeError:  # the output's reader stopped reading (``digits predict DIR | head``): quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the exit's flush goes nowhere
        return 128 + signal.SIGPIPE  # as a command that the signal stopped


def run(command: Callable[[], int] = main) -> None:
    """Run ``command`` (the ``digits`` command, or the seed's script around it) and exit with its status,
    skipping the interpreter's last sweep for garbage.

    That sweep walks every object still alive, and a process that imported torch holds hundreds of
    thousands. ``gc.freeze()`` takes them out of its reach (the operating system frees the memory
    anyway): a short training run's exit went from 1.6 to 0.3 s, a ``digits predict``'s from 0.12 to
    0.05 s (benchmarks/exit.py). Only for a process of its own: frozen objects are never collected,
    so code that calls ``main()`` in-process (the tests) keeps its garbage collector."""
    status = command()
    gc.freeze()
    sys.exit(status)


if __name__ == "__main__":
    run()
