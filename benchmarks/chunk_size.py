"""Images per model call (``recognizer.CHUNK``): speed and peak memory of scoring MNIST test digits.

    python benchmarks/chunk_size.py --data-dir ../shared/data/mnist
    python benchmarks/chunk_size.py --model-path runs/ensemble/full-s{68..75}.h5 --images 2000 \
        --chunks 128 256 512 1024 --out benchmarks/results/chunk_size-8wide.json

`digits evaluate` and `Recognizer.probabilities` run a model CHUNK images at a time. ONNX Runtime keeps
the largest working memory a session has needed, so every member of an ensemble holds one chunk's
worth for as long as it is loaded. Each chunk size is measured in a fresh process (peak resident
memory is per process), after one warm-up call on the first chunk, three times; the median is kept.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from machine import RESULTS, write_results  # noqa: E402


def measure(chunk: int, model_paths: list[str], data_dir: str | None, images: int) -> dict:
    """In this process: load the models, score ``images`` test digits with CHUNK = ``chunk``."""
    import digit_recognizer.recognizer as recognizer_module
    from digit_recognizer.data import load_mnist

    recognizer_module.CHUNK = chunk
    digits = load_mnist(data_dir).test_images[:images]
    recognizer = recognizer_module.Recognizer.load(model_paths or None)
    recognizer.probabilities(digits[:chunk])  # warm-up: sessions allocate on their first call
    seconds = []
    for _ in range(3):
        start = time.perf_counter()
        recognizer.probabilities(digits)
        seconds.append(time.perf_counter() - start)
    return {
        "chunk": chunk,
        "images_per_s": images / statistics.median(seconds),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-path", nargs="*", default=[], help="model files (several: an ensemble)")
    parser.add_argument("--data-dir", help="MNIST folder (default: as `digits data` finds it)")
    parser.add_argument("--chunks", type=int, nargs="+", default=[64, 128, 256, 512, 1024])
    parser.add_argument("--images", type=int, default=10000, help="test digits scored per run")
    parser.add_argument("--out", default=str(RESULTS / "chunk_size.json"))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process measuring one size
    args = parser.parse_args()

    if args.one:
        print(json.dumps(measure(args.one, args.model_path, args.data_dir, args.images)))
        return
    rows = []
    for chunk in args.chunks:
        command = [sys.executable, __file__, "--one", str(chunk), "--images", str(args.images)]
        command += ["--model-path", *args.model_path] if args.model_path else []
        command += ["--data-dir", args.data_dir] if args.data_dir else []
        rows.append(json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout))
        print(f"chunk {chunk:5d}: {rows[-1]['images_per_s']:8.0f} images/s, {rows[-1]['peak_rss_mb']:6.0f} MB peak")
    write_results(args.out, {"models": args.model_path or ["bundled"], "images": args.images, "rows": rows})


if __name__ == "__main__":
    main()
