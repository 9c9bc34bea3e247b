"""What the benchmarks share: the machine they ran on, their common options, writing their results, and
one line, not a traceback, for an error the user can mend."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def _one_line_for_user_errors(kind, value, traceback) -> None:
    """A benchmark stopped by an error the user can mend (MNIST not found, a model file that is not
    one) prints its message as ``digits`` does, not a traceback; any other error prints in full."""
    from digit_recognizer.errors import DigitsError

    if isinstance(value, DigitsError):
        print(f"error: {value}", file=sys.stderr)
    else:
        sys.__excepthook__(kind, value, traceback)


sys.excepthook = _one_line_for_user_errors  # every benchmark imports this module


def describe() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    info = {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "system": platform.system()}
    try:
        import torch

        from digit_recognizer.train import native_bf16

        info["torch"] = torch.__version__
        # "AMD EPYC" names CPUs of several generations: the vector instructions torch uses tell them apart
        info["cpu_capability"] = torch.backends.cpu.get_cpu_capability()
        info["native_bf16"] = native_bf16()
        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return info


def common_arguments(parser: argparse.ArgumentParser, result: str) -> None:
    """--model-path, --data-dir and --out (default: benchmarks/results/RESULT.json)."""
    parser.add_argument("--model-path", help="model file (default: the bundled model)")
    parser.add_argument("--data-dir", help="MNIST folder (default: as `digits data` finds it)")
    parser.add_argument("--out", default=str(RESULTS / f"{result}.json"), help="where the JSON results go")


def digit_rows_arguments(doc: str, result: str, count: int, per: str, what: str = "test digits") -> argparse.Namespace:
    """The command line of a benchmark described by ``doc`` that scores rows of test digits (or of
    ``what``): --count (``what`` per ``per``, default ``count``), --seed and the common arguments."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=count, help=f"{what} per {per}")
    parser.add_argument("--seed", type=int, default=0)
    common_arguments(parser, result)
    return parser.parse_args()


def print_scores(heading: str, rows: dict) -> None:
    """``scores`` rows as a Markdown table, ``heading`` over the first column; then ``blank_row``
    rows, a line each."""
    print(f"| {heading} | read right | no digit | misread |")
    print("|---|---|---|---|")
    for name, row in rows.items():
        if "right" in row:
            print(f"| {name} | {row['right']:.0%} | {row['no_digit']:.0%} | {row['misread']:.0%} |")
    for name, row in rows.items():
        if "read_as_digit" in row:
            print(f"{name}: {row['read_as_digit']:.0%} read as a digit")


def read_numbers(recognizer, mnist, args: argparse.Namespace, render) -> list[tuple[str, str]]:
    """``--count`` numbers of 2–6 test digits (``synthetic.random_number``), each drawn with its own
    generator from ``--seed`` and its place, so that every caller's rows hold the same numbers, made
    an image by ``render(ink, rng, i)`` and read: (truth, read) pairs."""
    import numpy as np

    from digit_recognizer.synthetic import random_number

    pairs = []
    for i in range(args.count):
        rng = np.random.default_rng([args.seed, i])
        truth, ink = random_number(mnist.test_images, mnist.test_labels, rng)
        pairs.append((truth, recognizer.predict_number(render(ink, rng, i)).number))
    return pairs


def number_row(recognizer, mnist, args: argparse.Namespace, draw) -> dict:
    """A row of ``read_numbers``' numbers, each made an image by ``draw(ink, rng)``: how many, their
    ``shares`` read exactly, as nothing and otherwise, and the wrong readings (truth, read)."""
    pairs = read_numbers(recognizer, mnist, args, lambda ink, rng, _: draw(ink, rng))
    truth, read = zip(*pairs)
    return {"images": args.count, **shares(read, truth), "wrong": [p for p in pairs if p[0] != p[1]]}


def digit_row(recognizer, mnist, args: argparse.Namespace, draw) -> dict:
    """A ``scored_row`` of ``--count`` single test digits 40–200 px tall (``synthetic.strokes``), each
    drawn with its own generator from ``--seed`` and 1000 + its place, made an image by ``draw(ink,
    rng)`` and read with ``predict``."""
    import numpy as np

    from digit_recognizer.synthetic import strokes

    images, labels = [], []
    for i in range(args.count):
        rng = np.random.default_rng([args.seed, 1000 + i])
        j = int(rng.integers(len(mnist.test_labels)))
        images.append(draw(strokes(mnist.test_images[j], int(rng.integers(40, 201)), rng.uniform(0.35, 0.55)), rng))
        labels.append(int(mnist.test_labels[j]))
    return scored_row(recognizer, images, labels)


def drawn_rows_main(doc: str, result: str, heading: str, draws: dict) -> None:
    """The whole run of a benchmark described by ``doc`` that reads ``--count`` numbers
    (``number_row``), then as many single digits (``digit_row``), drawn by each of ``draws`` (a row
    name → draw(ink, rng)): its results to ``result``.json and a table headed ``heading``."""
    from digit_recognizer.data import load_mnist
    from digit_recognizer.recognizer import Recognizer

    args = digit_rows_arguments(doc, result, 100, "row", "numbers or digits")
    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    rows = {f"numbers, {name}": number_row(recognizer, mnist, args, draw) for name, draw in draws.items()}
    rows |= {f"single digits, {name}": digit_row(recognizer, mnist, args, draw) for name, draw in draws.items()}
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "settings": vars(args), "rows": rows})
    print_rows(heading, rows)


def print_rows(heading: str, rows: dict) -> None:
    """``number_row`` and ``digit_row`` rows as a Markdown table, ``heading`` over the first column;
    then ``print_wrong``."""
    print(f"| {heading} | images | read right (numbers: exactly) | no digit | misread |")
    print("|---|---|---|---|---|")
    for name, row in rows.items():
        print(f"| {name} | {row['images']} | {row['right']:.0%} | {row['no_digit']:.0%} | {row['misread']:.0%} |")
    print_wrong(rows)


def print_wrong(rows: dict) -> None:
    """For each row with wrong readings (``wrong``: (truth, read) pairs), a line with the first six."""
    for name, row in rows.items():
        if "wrong" in row:
            print(f"{name}, wrong: {', '.join(f'{t} as {g!r}' for t, g in row['wrong'][:6]) or 'none'}")


def test_digits(args: argparse.Namespace):
    """The MNIST data, the recognizer (``--data-dir``, ``--model-path``) and ``--count`` test digits'
    indices drawn with ``--seed``."""
    import numpy as np

    from digit_recognizer.data import load_mnist
    from digit_recognizer.recognizer import Recognizer

    mnist = load_mnist(args.data_dir)
    index = np.random.default_rng(args.seed).choice(len(mnist.test_labels), args.count, replace=False)
    return mnist, Recognizer.load(args.model_path), index


def digits_read(recognizer, images: list) -> list:
    """The digit ``recognizer`` reads in each image: None for "no digit" and for an image it could not read."""
    return [getattr(p, "digit", None) for p in recognizer.predict_batch(images)]


def scores(recognizer, images: list, labels) -> dict:
    """Shares of the images that ``recognizer`` read right, read as "no digit" and misread."""
    return shares(digits_read(recognizer, images), labels)


def scored_row(recognizer, images: list, labels) -> dict:
    """A ``print_scores`` row: how many images, and ``scores``."""
    return {"images": len(images), **scores(recognizer, images, labels)}


def shares(read: list, truth) -> dict:
    """Shares of the readings (digits, or numbers as text) that match ``truth``, that are nothing (None,
    or a number of no digits: ""), and the rest."""
    none = sum(d is None or d == "" for d in read)
    right = sum(d == t for d, t in zip(read, truth))
    n = len(read)
    return {"right": right / n, "no_digit": none / n, "misread": (n - right - none) / n}


def blank_row(recognizer, images: list) -> dict:
    """How many of ``images``, none of which holds a digit, ``recognizer`` read as one (a share)."""
    read = digits_read(recognizer, images)
    return {"images": len(images), "read_as_digit": sum(d is not None for d in read) / len(images)}


def noisy_jpeg(image, rng) -> bytes:
    """An RGB float image (0-255) with sensor noise (σ = 4 grey levels), saved as JPEG (quality 85)."""
    import io

    import numpy as np
    from PIL import Image

    noisy = np.clip(image + rng.normal(0, 4, image.shape), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noisy).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def write_rows(args: argparse.Namespace, rows: dict, heading: str, key: str = "rows") -> None:
    """``scores`` and ``blank_row`` rows of a ``digit_rows_arguments`` benchmark: to ``--out``, with the
    date, ``--count`` and ``--seed``, and as a table (``print_scores``) to stdout."""
    result = {"date": time.strftime("%Y-%m-%d"), "count": args.count, "seed": args.seed, key: rows}
    write_results(args.out, result)
    print_scores(heading, rows)


def write_results(path: str | Path, result: dict) -> None:
    """The results as JSON, with the machine they were measured on; paths (settings such as a cache
    folder) as text."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": describe(), **result}, indent=1, default=_path_text))


def _path_text(value: object) -> str:
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def train_run(out: Path, name: str, options: list[str], data_dir: str | None = None, resume: bool = False) -> None:
    """`digits train OPTIONS` in a subprocess: the model to OUT/NAME.h5, plots and history to OUT/NAME-plots,
    the log to OUT/NAME.log. ``resume``: continue from the checkpoint OUT/NAME.h5 and add to the log."""
    command = [sys.executable, "-m", "digit_recognizer", "train", *options,
               "--model-path", str(out / f"{name}.h5"), "--plots-dir", str(out / f"{name}-plots")]  # fmt: skip
    if data_dir:
        command += ["--data-dir", data_dir]
    if resume:
        command.append("--resume")
    with (out / f"{name}.log").open("a" if resume else "w") as log:
        subprocess.run(command, check=True, stdout=log, stderr=subprocess.STDOUT)


def finetune_run(folder: Path, output: Path, options: list[str], model_path: str | None = None,
                 data_dir: str | None = None) -> tuple[str, float, dict]:  # fmt: skip
    """`digits finetune --images FOLDER --output OUTPUT OPTIONS` in a subprocess: what it printed, the
    whole command's seconds, and the report it wrote into the model file."""
    from digit_recognizer.checkpoint import read_model_file

    command = [sys.executable, "-m", "digit_recognizer", "finetune", "--images", str(folder), "--output", str(output),
               *options]  # fmt: skip
    if model_path:
        command += ["--model-path", model_path]
    if data_dir:
        command += ["--data-dir", data_dir]
    start = time.perf_counter()
    printed = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return printed, time.perf_counter() - start, read_model_file(output).metadata["finetune"]


def mps(on: bool) -> bool:
    """Start (or stop) the MPS control daemon; whether that worked."""
    command = ["nvidia-cuda-mps-control"] + (["-d"] if on else [])
    try:
        done = subprocess.run(command, input=None if on else "quit\n", text=True, capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    time.sleep(1)
    return done.returncode == 0
