"""Things lying on the paper beside a handwritten digit or number, as a phone photo shows them: a pen,
a pencil, a pen's cap, a coin, a thumb holding the sheet. Read right, "no digit", misread, by thing;
and the same photos with nothing written, read as a digit.

    python benchmarks/beside.py --data-dir ../shared/data/mnist [--count 50]

Each row draws the same randomly chosen test digits (seeded) with ``synthetic.strokes`` (a pen's
strokes, thinner than MNIST's) in the left half of a 1200×900 photo of white paper, 0.2 to 0.35 of
its height. The thing lies in the right part:

- a pen (black, blue or silver) or a yellow pencil: 0.25 to 0.5 times as wide as the digit is
  tall and 10 to 14 times as long as wide, turned 50 to 130° (it often runs off the photo), with a
  highlight along it and a darker grip or sharpened end;
- a pen's cap: black, a third of a pen's length;
- a coin: brass, 0.1 to 0.16 of the photo's height across;
- a thumb: skin-coloured, shaded, coming in from the photo's top, bottom or right edge.

"near" rows put the pen within half the digit's height of it. Number rows hold three digits written
side by side (``synthetic.number_ink``) and score ``predict_number``. Sensor noise (σ = 4 grey
levels), saved as JPEG. Run it with PYTHONPATH pointing at another commit's src for a before/after.
Results go to benchmarks/results/beside.json, a table to stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from machine import blank_row, digit_rows_arguments, noisy_jpeg, scored_row, shares, test_digits, write_rows  # noqa: E402

HEIGHT, WIDTH = 900, 1200
PAPER = np.array([237, 235, 230], np.float32)
PENS = {"a black pen": (20, 20, 26), "a blue pen": (26, 51, 153), "a silver pen": (190, 190, 200)}
PENCIL = (242, 204, 38)
CAP = (20, 20, 26)
BRASS = (180, 140, 75)
SKIN = np.array([225, 175, 145], np.float32)
THINGS = ("nothing", *PENS, "a yellow pencil", "a pen's cap", "a coin", "a thumb at the edge")


def bar(centre: tuple[float, float], length: float, width: float, angle: float) -> np.ndarray:
    """A filled rectangle (float mask of the photo) with soft edges."""
    mask = np.zeros((HEIGHT, WIDTH), np.float32)
    cv2.fillPoly(mask, [cv2.boxPoints((centre, (length, width), angle)).astype(np.int32)], 1.0)
    return cv2.GaussianBlur(mask, (0, 0), 1.5)


def laid(image: np.ndarray, mask: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """``colour`` (one RGB, or an image of them) laid over ``image`` where ``mask`` is."""
    return image * (1 - mask[..., None]) + colour * mask[..., None]


def pen(image: np.ndarray, colour, box: tuple[int, int, int, int], near: bool, rng: np.random.Generator):
    """A pen or pencil ``colour`` on ``image``, clear of the writing's ``box`` (x, y, w, h) by a tenth of
    its height; ``near``: upright, right of it by a tenth to a half of its height."""
    x, y, w, h = box
    while True:
        width = rng.uniform(0.25, 0.5) * h
        length = rng.uniform(10, 14) * width
        if near:
            centre, angle = (x + w + rng.uniform(0.1, 0.5) * h + width / 2, y + h / 2), rng.uniform(85, 95)
        else:
            centre, angle = (rng.uniform(0.7, 0.9) * WIDTH, rng.uniform(0.3, 0.7) * HEIGHT), rng.uniform(50, 130)
        body = bar(centre, length, width, angle)
        margin = round(0.1 * h)
        if not body[max(y - margin, 0) : y + h + margin, max(x - margin, 0) : x + w + margin].any():
            break
    shine = bar(centre, 0.9 * length, 0.15 * width, angle)
    turn = np.deg2rad(angle)
    end = (centre[0] + np.cos(turn) * 0.4 * length, centre[1] + np.sin(turn) * 0.4 * length)
    grip = bar(end, 0.2 * length, width, angle)
    colour = np.asarray(colour, np.float32) * (0.8 + 0.4 * shine[..., None]) * (1 - 0.6 * grip[..., None])
    return laid(image, body, np.clip(colour, 0, 255))


def thing(image: np.ndarray, name: str, box: tuple[int, int, int, int], rng: np.random.Generator) -> np.ndarray:
    """``image`` with the thing ``name`` (``THINGS``, or "near: " and a pen) on it, beside the
    writing's ``box`` (x, y, w, h)."""
    if name.startswith("near: "):
        return pen(image, PENS[name[6:]], box, True, rng)
    if name in PENS or name == "a yellow pencil":
        return pen(image, PENS.get(name, PENCIL), box, False, rng)
    centre = (rng.uniform(0.7, 0.9) * WIDTH, rng.uniform(0.3, 0.7) * HEIGHT)
    if name == "a pen's cap":
        length = rng.uniform(0.1, 0.14) * WIDTH
        return laid(image, bar(centre, length, rng.uniform(0.035, 0.05) * HEIGHT, rng.uniform(0, 180)), CAP)
    if name == "a coin":
        mask = np.zeros((HEIGHT, WIDTH), np.float32)
        cv2.circle(mask, (round(centre[0]), round(centre[1])), round(rng.uniform(0.05, 0.08) * HEIGHT), 1.0, -1)
        return laid(image, cv2.GaussianBlur(mask, (0, 0), 1.5), BRASS)
    if name == "a thumb at the edge":
        edge = int(rng.integers(3))  # top, bottom, right
        tips = [
            (rng.uniform(0.6, 0.9) * WIDTH, 0),
            (rng.uniform(0.6, 0.9) * WIDTH, HEIGHT),
            (WIDTH, rng.uniform(0.2, 0.8) * HEIGHT),
        ]
        tip = tips[edge]
        axes = (round(rng.uniform(0.08, 0.12) * WIDTH), round(rng.uniform(0.14, 0.2) * WIDTH))
        mask = np.zeros((HEIGHT, WIDTH), np.float32)
        cv2.ellipse(mask, (round(tip[0]), round(tip[1])), axes, 90.0 * (edge == 2), 0, 360, 1.0, -1)
        rows, cols = np.mgrid[0:HEIGHT, 0:WIDTH]
        shade = 0.75 + 0.25 * np.clip(1 - np.hypot(cols - tip[0], rows - tip[1]) / (1.2 * axes[1]), 0, 1)
        return laid(image, cv2.GaussianBlur(mask, (0, 0), 3), SKIN * shade[..., None])
    return image


def handwritten(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 28×28 test digit as a pen wrote it, 0.2 to 0.35 of the photo's height (``synthetic.strokes``)."""
    from digit_recognizer.synthetic import strokes

    return strokes(digit, round(rng.uniform(0.2, 0.35) * HEIGHT), rng.uniform(0.55, 0.8))


def photo(ink: np.ndarray, name: str, rng: np.random.Generator, written: bool = True) -> bytes:
    """``ink`` (a digit's or number's ink map) in the left half of a photo of white paper, with the
    thing ``name`` beside it, as a noisy JPEG; ``written`` False: the same photo with nothing written."""
    h, w = ink.shape
    x = int(np.clip(rng.uniform(0.15, 0.45) * WIDTH - w / 2, 0, WIDTH // 2 - w // 2))
    y = int(np.clip(rng.uniform(0.15, 0.85) * HEIGHT - h / 2, 0, HEIGHT - h))
    image = np.broadcast_to(PAPER, (HEIGHT, WIDTH, 3)).copy()
    if written:
        page = np.zeros((HEIGHT, WIDTH), np.float32)
        page[y : y + h, x : x + w] = ink
        image = laid(image, page, np.asarray(PENS["a black pen"], np.float32))
    return noisy_jpeg(thing(image, name, (x, y, w, h), rng), rng)


def main() -> None:
    from digit_recognizer.synthetic import number_ink

    args = digit_rows_arguments(__doc__, "beside", 50, "row")
    mnist, recognizer, chosen = test_digits(args)
    rng = np.random.default_rng(args.seed)
    rows = {}

    def digit(i: int) -> np.ndarray:
        return handwritten(mnist.test_images[i], rng)

    for name in (*THINGS, *(f"near: {pen}" for pen in PENS)):
        images = [photo(digit(i), name, rng) for i in chosen]
        rows[name] = scored_row(recognizer, images, mnist.test_labels[chosen])
    for name in ("nothing", "a black pen", "a coin"):
        got, truth = [], []
        for _ in chosen:
            picked = rng.choice(len(mnist.test_labels), 3, replace=False)
            ink = number_ink([mnist.test_images[i] for i in picked], rng, False, round(0.15 * HEIGHT))
            got.append(recognizer.predict_number(photo(ink, name, rng)).number)
            truth.append("".join(str(mnist.test_labels[i]) for i in picked))
        rows[f"a 3-digit number, {name}"] = {"images": len(got), **shares(got, truth)}
    for name in THINGS[1:]:
        rows[f"blank: {name}"] = blank_row(recognizer, [photo(digit(i), name, rng, written=False) for i in chosen])
    write_rows(args, rows, "beside the digit")


if __name__ == "__main__":
    main()
