"""How far handwriting stays from the texture and smudge limits of `digits predict` (``pieces.py``,
``segment.py``), and what both say on images with no digit.

    python benchmarks/number_texture.py --count 400 --data-dir ../shared/data/mnist

For numbers rendered from MNIST *test* digits (2–8 digits, separated and touching, every condition
of ``synthetic.NUMBER_CONDITIONS``) it measures what the texture limits look at, per would-be digit
(glyph) and per number, and counts the numbers the limits would wrongly call noise or smudges; for
single test digits rendered under every condition of ``synthetic.CONDITIONS``, the share of their
stroke pixels in the strokes' core (``pieces.core_share``, which tells smudges apart). For images
with no digit (``synthetic.textures``: uniform noise, paper grain, blotches, specks; 64 to 1,500 px,
``--texture-seeds`` of each) it counts how many `digits predict` and `digits predict --multi` read
as a digit or number. Last, test digits and numbers with a grainy band below them
(``synthetic.with_grainy_band``, where the light fades on a photo): how many are read right,
refused, or misread.
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
from digit_recognizer.ink import ink_map  # noqa: E402
from digit_recognizer.pieces import SMUDGE_CORE, TEXTURE_HOLES, core_share, find_digit  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import number_ink, sample, sample_numbers, textures, with_grainy_band  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=400, help="numbers per group (separated, touching)")
    parser.add_argument("--bands", type=int, default=100, help="digits, and numbers, with a grainy band")
    parser.add_argument("--per-condition", type=int, default=100, help="single digits per rendering condition")
    parser.add_argument("--texture-seeds", type=int, default=40, help="images of each texture and size")
    parser.add_argument("--seed", type=int, default=5)
    common_arguments(parser, "number_texture")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    recognizer = Recognizer.load(args.model_path)
    results = {
        "handwriting": margins(mnist, args.count, args.seed),
        "single_digits": digit_core_shares(mnist, args.per_condition, args.seed),
        "textures": texture_answers(recognizer, args.seed, args.texture_seeds),
        "grainy_band": band_answers(recognizer, mnist, args.bands),
    }
    write_results(args.out, {"settings": vars(args), **results})
    for part in results.values():
        for key, value in part.items():
            print(f"{key}: {value}")


def margins(mnist, count: int, seed: int) -> dict:
    """What the texture limits look at, at its highest over rendered numbers, and how many they reject."""
    numbers = rejected = smudged = 0
    glyph_pieces = glyph_holes_per_width = mean_pieces = number_holes = 0.0
    least_core = least_number_core = 1.0
    for touching in (False, True):
        for _, _, data in sample_numbers(mnist.test_images, mnist.test_labels, count, touching, seed, (2, 8)):
            ink = ink_map(load_gray(data))
            found = seg.glyph_lines(ink)
            if isinstance(found, str):
                continue
            lines, _, labels, _, height = found
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
            strokes = [crop[mask] for crop, mask in (seg._glyph_ink(g, labels, ink.ink) for g in glyphs)]
            least_core = min(least_core, *map(core_share, strokes))
            number_core = core_share(np.concatenate(strokes))
            least_number_core = min(least_number_core, number_core)
            smudged += number_core < SMUDGE_CORE
    return {
        "numbers": numbers,
        "called_texture_or_noise": rejected,
        "most_pieces_in_a_glyph": glyph_pieces,
        "most_holes_per_digit_width_in_a_glyph": round(glyph_holes_per_width, 2),
        "most_pieces_per_glyph_in_a_number": round(mean_pieces, 2),
        "most_holes_in_a_number_beyond_the_allowance_per_digit": number_holes,
        "called_smudges": smudged,
        "least_core_share_of_a_glyph": round(least_core, 3),
        "least_core_share_of_a_number": round(least_number_core, 3),
        "limits": {
            "TEXTURE_PIECES": seg.TEXTURE_PIECES,
            "TEXTURE_HOLES": TEXTURE_HOLES,
            "PIECES_PER_DIGIT": seg.PIECES_PER_DIGIT,
            "HOLES_PER_DIGIT (beyond 20)": seg.HOLES_PER_DIGIT,
            "SMUDGE_CORE": SMUDGE_CORE,
        },
    }


def digit_core_shares(mnist, per_condition: int, seed: int) -> dict:
    """The share of each rendered test digit's stroke pixels in the strokes' core, at its lowest per
    condition, and how many digits the smudge limit refuses."""
    least, smudged, digits = {}, 0, 0
    for condition, _, data in sample(mnist.test_images, mnist.test_labels, per_condition, seed):
        ink = ink_map(load_gray(data))
        mask = find_digit(ink)[0]
        if mask is None:
            continue
        share = core_share(ink.ink[mask])
        least[condition] = round(min(least.get(condition, 1.0), share), 3)
        smudged += share < SMUDGE_CORE
        digits += 1
    return {"digits": digits, "called_smudges": smudged, "least_core_share": least}


def texture_answers(recognizer, seed: int, count: int) -> dict:
    """How many of ``count`` images of each texture and size --multi and single-digit prediction read as
    a number or digit, and the highest core share of a would-be digit in them."""
    answers = {}
    for side in (64, 200, 600, 1500):
        for first in range(seed, seed + count):
            for name, image in textures(side, np.random.default_rng(first)).items():
                empty = {"images": 0, "--multi read": 0, "single digit read": 0}
                tally = answers.setdefault(f"{name}, {side} px", empty)
                tally["images"] += 1
                tally["--multi read"] += bool(recognizer.predict_number(image).number)
                tally["single digit read"] += recognizer.predict(image).digit is not None
                ink = ink_map(image / 255.0)
                mask = find_digit(ink)[0]
                if mask is not None:
                    share = core_share(ink.ink[mask])
                    tally["most_core_share"] = round(max(tally.get("most_core_share", 0.0), share), 3)
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
