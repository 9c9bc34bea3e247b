"""Prediction speed: a whole `digits predict one.png` process, one image in-process (a 280×280 canvas
and a 12-megapixel phone photo), and batches.

    python benchmarks/inference.py --data-dir ../shared/data/mnist

Batches include decoding and preprocessing: the inputs are encoded PNG files in memory, MNIST test
digits drawn as 28×28 and as 96×96 canvases, prepared in one process and in a worker process per core
(``Recognizer.predict_batch``'s default). Results go to benchmarks/results/inference.json.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import render, strokes  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402

# Batch throughput, images/s (the median of --rounds): in calls of 256 images prepared in this process or
# in a worker process per core (as `digits predict` made them until 2026-11-28), and all the images in one
# call (as `digits predict` reads a folder since: one stream, ``Recognizer.predict_stream``).
WAYS = (
    ("images_per_s_one_process", 1, 256),
    ("images_per_s_process_per_core", None, 256),
    ("images_per_s_one_call_process_per_core", None, 1 << 30),
)


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def canvas(digit: np.ndarray, side: int) -> np.ndarray:
    """Black strokes on white, like a browser canvas export: drawn at that size with anti-aliased
    edges (``synthetic.strokes``). Until 2026-11-27 this was the 28×28 digit enlarged with bilinear
    pixels, which is now read at its own size (``ink.smooth_enlargement``)."""
    return np.round(255 * (1 - strokes(digit, side, 0.5))).astype(np.uint8)


def phone_photo(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    """A 12-megapixel JPEG the size of a phone photo: the digit on grey paper (``synthetic``'s photo
    rendering, with light, noise and blur), scaled up to 3000×4000."""
    small = Image.open(io.BytesIO(render(digit, "grey_paper", rng))).convert("RGB")
    buffer = io.BytesIO()
    small.resize((3000, 4000), Image.Resampling.BICUBIC).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def one_by_one(recognizer: Recognizer, images: list[bytes]) -> list[float]:
    """Seconds of ``recognizer.predict`` for each image, one call each."""
    seconds = []
    for data in images:
        start = time.perf_counter()
        recognizer.predict(data)
        seconds.append(time.perf_counter() - start)
    return seconds


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def whole_process(path: Path, runs: int, model: str | None) -> dict:
    digits = shutil.which("digits") or str(Path(sys.executable).parent / "digits")
    command = [digits, "predict", str(path)] + (["--model-path", model] if model else [])
    subprocess.run(command, check=True, capture_output=True)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return {"runs": runs, "median_s": statistics.median(times), "p90_s": percentile(times, 90), "min_s": min(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=5000, help="images per batch measurement")
    parser.add_argument("--process-runs", type=int, default=20)
    parser.add_argument("--photos", type=int, default=20, help="12-megapixel photos timed one by one")
    parser.add_argument("--rounds", type=int, default=3, help="batch measurements per way (the median is kept)")
    common_arguments(parser, "inference")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    digits = mnist.test_images[: args.images]
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "seven.png"
        one.write_bytes(png(canvas(digits[0], 280)))
        process = whole_process(one, args.process_runs, args.model_path)

    recognizer = Recognizer.load(args.model_path)
    single = [png(canvas(d, 280)) for d in digits[:300]]
    recognizer.predict(single[0])
    latencies = one_by_one(recognizer, single)
    photos = [phone_photo(d, np.random.default_rng(i)) for i, d in enumerate(digits[: args.photos])]
    photo_latencies = one_by_one(recognizer, photos)

    batches = {}
    for name, images in (
        ("png_28x28", [png(d) for d in digits]),
        ("png_canvas_96x96", [png(canvas(d, 96)) for d in digits]),
    ):
        rates = {label: [] for label, _, _ in WAYS}
        for _ in range(args.rounds):  # the ways take turns, so that a slow spell of the machine hits them all
            for label, workers, chunk in WAYS:
                start = time.perf_counter()
                for i in range(0, len(images), chunk):
                    recognizer.predict_batch(images[i : i + chunk], workers=workers)
                rates[label].append(len(images) / (time.perf_counter() - start))
        batches[name] = {"images": len(images), **{k: statistics.median(v) for k, v in rates.items()}, "rounds": rates}

    result = {
        "engine": type(recognizer.engine).__name__,
        "whole_process_one_image": process,
        "in_process_one_280px_image_ms": {
            "median": statistics.median(latencies) * 1e3,
            "p99": percentile(latencies, 99) * 1e3,
        },
        "in_process_one_12mp_photo_ms": {
            "photos": len(photos),
            "median": statistics.median(photo_latencies) * 1e3,
            "p90": percentile(photo_latencies, 90) * 1e3,
        },
        "batch": batches,
    }
    write_results(args.out, result)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
