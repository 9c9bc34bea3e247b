"""One hash of what the reading steps make of a fixed, varied set of images: a check that a change
meant to make them faster (or tidier) leaves every answer as it was.

    python benchmarks/prepare_hash.py --data-dir ../shared/data/mnist [--show]

The images, all made from MNIST test digits with a fixed seed: 300 digits as they are (28×28); 100
drawn on a 280-px canvas (``inference.canvas``); 100 enlarged to 140 px with PIL's bicubic
resampling (the REST benchmark's image, ``server_load.py``); 50 shown at 250 px with blocky pixels;
10 of each of ``synthetic.CONDITIONS``' 21 photo and scan conditions, up to 1,000 px; 40 out of
focus; the four textures (no digit); 30 numbers of 2–6 digits, half touching. The single images go
through ``preprocess.prepare`` (the 28×28 image, box, reason, polarity and groups are hashed), the
numbers through ``segment.segment`` with the bundled model (each digit's image and box). It prints
the hash and the time each part took; ``--show`` also prints each part's own hash, to find which
part a change moved. Not a benchmark: nothing is written to benchmarks/results.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.decode import load_gray  # noqa: E402
from digit_recognizer.preprocess import prepare  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.segment import segment  # noqa: E402
from digit_recognizer.synthetic import out_of_focus, sample, sample_numbers, textures  # noqa: E402

import machine  # noqa: E402, F401  (one line, not a traceback, for an error the user can mend)
from inference import canvas, png  # noqa: E402


def single_images(images: np.ndarray, labels: np.ndarray) -> dict[str, list]:
    """The single-digit images by part: arrays or encoded files, as ``load_gray`` takes them."""
    rng = np.random.default_rng(0)
    pick = rng.choice(len(images), 300, replace=False)
    digits = [images[i] for i in pick]
    return {
        "mnist": digits,
        "canvas": [canvas(d, 280) for d in digits[:100]],
        "bicubic_140": [png(255 - np.asarray(Image.fromarray(d).resize((140, 140)))) for d in digits[:100]],
        "blocky_250": [np.asarray(Image.fromarray(d).resize((250, 250), Image.NEAREST)) for d in digits[:50]],
        "conditions": [data for _, _, data in sample(images, labels, 10, seed=1, max_side=1000)],
        "out_of_focus": [out_of_focus(d, b, rng) for d, b in zip(digits[:40], np.linspace(0.01, 0.08, 40))],
        "textures": list(textures(200, rng).values()),
    }


def prepared_bytes(source) -> bytes:
    p = prepare(load_gray(source))
    image = b"" if p.image is None else p.image.tobytes()
    return image + repr((p.box, p.reason, p.dark_on_light, p.groups)).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", action="store_true", help="also each part's own hash")
    parser.add_argument("--model-path", help="model file for the numbers (default: the bundled model)")
    parser.add_argument("--data-dir", help="MNIST folder (default: as `digits data` finds it)")
    args = parser.parse_args()
    mnist = load_mnist(args.data_dir)
    parts = single_images(mnist.test_images, mnist.test_labels)
    recognizer = Recognizer.load(args.model_path)
    numbers = [
        data
        for touching in (False, True)
        for *_, data in sample_numbers(mnist.test_images, mnist.test_labels, 15, touching, 3)
    ]

    whole = hashlib.sha256()
    for name, sources in [*parts.items(), ("numbers", numbers)]:
        start = time.perf_counter()
        part = hashlib.sha256()
        for source in sources:
            if name == "numbers":
                found = segment(load_gray(source), recognizer.probabilities, recognizer.one_digit)
                part.update(repr(found.reason).encode())
                for line in found.lines:
                    for image, box in line:
                        part.update(image.tobytes() + repr(box).encode())
            else:
                part.update(prepared_bytes(source))
        seconds = time.perf_counter() - start
        whole.update(part.digest())
        shown = f" {part.hexdigest()[:12]}" if args.show else ""
        print(f"{name:>13}: {len(sources):4d} images, {1000 * seconds / len(sources):7.2f} ms each{shown}")
    print(f"hash: {whole.hexdigest()}")


if __name__ == "__main__":
    main()
