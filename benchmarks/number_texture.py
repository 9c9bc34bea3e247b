"""How far handwriting stays from the texture limits of `digits predict --multi` (``segment.py``).

    python benchmarks/number_texture.py --count 400 --data-dir ../shared/data/mnist

For numbers rendered from MNIST *test* digits (2–8 digits, separated and touching, every condition
of ``synthetic.NUMBER_CONDITIONS``) it measures what the texture limits look at, per would-be digit
(glyph) and per number, and counts the numbers the limits would wrongly call noise. For images with
no digit (``synthetic.textures``: uniform noise, paper grain, blotches, specks; 64 to 1,500 px) it
records the answer, and for comparison what `digits predict` without --multi says. Last, test digits
and numbers with a grainy band below them (``synthetic.with_grainy_band``, where the light fades on
a photo): how many are read right, refused, or misread.
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
from digit_recognizer.preprocess import TEXTURE_HOLES, ink_map  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import number_ink, sample_numbers, textures, with_grainy_band  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=400, help="numbers per group (separated, touching)")
    parser.add_argument("--bands", type=int, default=100, help="digits, and numbers, with a grainy band")
    parser.add_argument("--seed", type=int, default=5)
    common_arguments(parser, "number_texture")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    results = {
        "handwriting": margins(mnist, args.count, args.seed),
        "textures": texture_answers(recognizer, args.seed),
        "grainy_band": band_answers(recognizer, mnist, args.bands),
    }
    write_results(args.out, {"settings": vars(args), **results})
    for part in results.values():
        for key, value in part.items():
            print(f"{key}: {value}")


def margins(mnist, count: int, seed: int) -> dict:
    """What the texture limits look at, at its highest over rendered numbers, and how many they reject."""
    numbers = rejected = 0
    glyph_pieces = glyph_holes_per_width = mean_pieces = number_holes = 0.0
    for touching in (False, True):
        for _, _, data in sample_numbers(mnist.test_images, mnist.test_labels, count, touching, seed, (2, 8)):
            ink = ink_map(load_gray(data))
            found = seg.glyph_lines(ink.mask)
            if isinstance(found, str):
                continue
            lines, labels, _, height = found
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
    return {
        "numbers": numbers,
        "called_texture_or_noise": rejected,
        "most_pieces_in_a_glyph": glyph_pieces,
        "most_holes_per_digit_width_in_a_glyph": round(glyph_holes_per_width, 2),
        "most_pieces_per_glyph_in_a_number": round(mean_pieces, 2),
        "most_holes_in_a_number_beyond_the_allowance_per_digit": number_holes,
        "limits": {
            "TEXTURE_PIECES": seg.TEXTURE_PIECES,
            "TEXTURE_HOLES": TEXTURE_HOLES,
            "PIECES_PER_DIGIT": seg.PIECES_PER_DIGIT,
            "HOLES_PER_DIGIT (beyond 20)": seg.HOLES_PER_DIGIT,
        },
    }


def texture_answers(recognizer, seed: int) -> dict:
    """What --multi and single-digit prediction say on images of noise and texture."""
    rng = np.random.default_rng(seed)
    answers = {}
    for side in (64, 200, 600, 1500):
        for name, image in textures(side, rng).items():
            number, digit = recognizer.predict_number(image), recognizer.predict(image)
            answers[f"{name}, {side} px"] = {
                "--multi": number.reason or f"read as {number.number!r}",
                "single digit": digit.reason or f"read as {digit.digit}",
            }
    return answers


def band_answers(recognizer, mnist, count: int) -> dict:
    """Test digits (single) and numbers of 2–6 of them (--multi) with a grainy band below: right,
    refused (no digit), or misread."""
    tally = {
        "single digits": {"right": 0, "no digit": 0, "misread": 0},
        "numbers": {"right": 0, "no digit": 0, "misread": 0},
    }
    for i in range(count):
        rng = np.random.default_rng(i)
        ink = with_grainy_band(np.pad(number_ink([mnist.test_images[i]], rng, False, 80), ((40, 90), (60, 60))), rng)
        got = recognizer.predict(((1 - ink) * 255).astype(np.uint8))
        truth = int(mnist.test_labels[i])
        tally["single digits"]["right" if got.digit == truth else "no digit" if got.digit is None else "misread"] += 1
        index = rng.choice(len(mnist.test_labels), int(rng.integers(2, 7)), replace=False)
        line = number_ink([mnist.test_images[j] for j in index], rng, False, 80)
        ink = with_grainy_band(np.pad(line, ((40, 90), (40, 40))), rng)
        number = recognizer.predict_number(((1 - ink) * 255).astype(np.uint8)).number
        truth = "".join(str(mnist.test_labels[j]) for j in index)
        tally["numbers"]["right" if number == truth else "no digit" if not number else "misread"] += 1
    return tally


if __name__ == "__main__":
    main()
