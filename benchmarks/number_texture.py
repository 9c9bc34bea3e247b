"""How far handwriting stays from the texture limits of `digits predict --multi` (``segment.py``).

    python benchmarks/number_texture.py --count 400 --data-dir ../shared/data/mnist

For numbers rendered from MNIST *test* digits (2–8 digits, separated and touching, every condition
of ``synthetic.NUMBER_CONDITIONS``) it measures what the texture limits look at, per would-be digit
(glyph) and per number, and counts the numbers the limits would wrongly call noise. For images with
no digit (``synthetic.textures``: uniform noise, paper grain, blotches, specks; 64 to 1,500 px) it
records the answer, and for comparison what `digits predict` without --multi says.
Results go to benchmarks/results/number_texture.json, a summary to stdout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer import segment as seg  # noqa: E402
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.decode import load_gray  # noqa: E402
from digit_recognizer.preprocess import ink_map  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import sample_numbers, textures  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=400, help="numbers per group (separated, touching)")
    parser.add_argument("--seed", type=int, default=5)
    common_arguments(parser, "number_texture")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    numbers = rejected = 0
    glyph_pieces = glyph_holes_per_width = mean_pieces = number_holes = 0.0
    for touching in (False, True):
        for _, _, data in sample_numbers(mnist.test_images, mnist.test_labels, args.count, touching, args.seed, (2, 8)):
            ink = ink_map(load_gray(data))
            found = seg.glyph_lines(ink.mask)
            if isinstance(found, str):
                continue
            lines, labels, height = found
            glyphs = [g for line in lines for g in line]
            holes = [seg._holes(g, labels) for g in glyphs]
            pieces = [len(g.labels) for g in glyphs]
            numbers += 1
            glyph_pieces = max(glyph_pieces, *pieces)
            glyph_holes_per_width = max(
                glyph_holes_per_width, *(h / max(1.0, g.width / height) for h, g in zip(holes, glyphs))
            )
            mean_pieces = max(mean_pieces, sum(pieces) / len(glyphs))
            number_holes = max(number_holes, sum(holes) - seg.HOLES_PER_DIGIT * len(glyphs))
            rejected += any(seg._texture(g, labels, height) for g in glyphs) or seg._noise(glyphs, labels)
    handwriting = {
        "numbers": numbers,
        "called_texture_or_noise": rejected,
        "most_pieces_in_a_glyph": glyph_pieces,
        "most_holes_per_digit_width_in_a_glyph": round(glyph_holes_per_width, 2),
        "most_pieces_per_glyph_in_a_number": round(mean_pieces, 2),
        "most_holes_in_a_number_beyond_the_allowance_per_digit": number_holes,
        "limits": {
            "TEXTURE_PIECES": seg.TEXTURE_PIECES,
            "TEXTURE_HOLES": seg.TEXTURE_HOLES,
            "PIECES_PER_DIGIT": seg.PIECES_PER_DIGIT,
            "HOLES_PER_DIGIT (beyond 20)": seg.HOLES_PER_DIGIT,
        },
    }
    recognizer = Recognizer.load(args.model_path)
    rng = np.random.default_rng(args.seed)
    answers = {}
    for side in (64, 200, 600, 1500):
        for name, image in textures(side, rng).items():
            number, digit = recognizer.predict_number(image), recognizer.predict(image)
            answers[f"{name}, {side} px"] = {
                "--multi": number.reason or f"read as {number.number!r}",
                "single digit": digit.reason or f"read as {digit.digit}",
            }
    write_results(args.out, {"settings": vars(args), "handwriting": handwriting, "textures": answers})
    for key, value in handwriting.items():
        print(f"{key}: {value}")
    for key, value in answers.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
