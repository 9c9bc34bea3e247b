"""A grayscale image of a handwritten digit → the 28×28 the model was trained on, or "no digit".

The steps, in order:

0. *A picture inside the image?* (``picture.py``) A digit plotted with matplotlib, a canvas in a
   screenshot, a note or a sheet photographed on a desk: only the picture is read.
1. *Ink map* (``ink.py``). Decide the polarity (dark ink on light paper, or light on dark) from which tail of the
   grey levels stands out from the border (inside a frame drawn along it: a form's box cropped at
   its outer edge would pass for the paper), and turn the image into "ink" (1 = stroke). Images larger
   than ``WORK_SIDE`` are reduced by max-pooling the ink, which keeps hairline pencil strokes (a long
   strip no further than ``STRIP_SIDE`` across: a row of many digits). An
   image enlarged by repeating its pixels (a whole number of times or by a fraction), or a crop of
   one, is read at its own size, and so is one enlarged with bilinear pixels from at most
   ``SMOOTH_MAX`` a side. A
   blurred image (out of focus, or enlarged from a small one) is reduced further, by averaging,
   until its sharpest edges look like sharp strokes' edges: the resolution it really has, where
   the blur no longer leaves soft, noisy edges that read as texture or smudges. Ink that still
   reads as texture or smudges, on quiet paper, is read again 2, 3 or 4 times smaller (a pencil's
   grainy stroke: ``ink.grain_sizes``).
2. *Clean-up* (``ink.py``). Subtract a smooth background estimate (uneven light, shadows, grey or coloured paper),
   normalise the contrast, threshold; drop ruled or grid lines (ink runs across ≥ 85 % of the image,
   in bands thin for their length: a bold digit cropped tight spans the image too), the sides of a
   box drawn around the digit (a form's cell; turned 0.2–10°, the picture is made level first and
   read again) and specks (small components away from the digit).
3. *Which ink is the digit; no digit?* (``pieces.py``) Too little contrast, no component of any size
   (too few pixels, or under ``MIN_SIDE`` both ways: a fleck of paper grain), or noise everywhere
   (ink over ``NOISE_COVER`` of the image, unless it is mostly one piece with few holes: a digit
   cropped tight to its edges; or many pieces with none holding much of the ink, unless the would-be
   digit stands on clean paper) → no digit. A large piece riddled with holes (a grainy band where
   the light fades on a photo; pinholes far smaller than the strokes are wide, as JPEG leaves, do
   not count) is texture and is never taken for the digit, nor are the grains inside its box, nor a
   circle drawn around the digit or a line drawn under it, nor things lying on the paper beside the
   writing (``objects``: a blot such as a coin, shading such as a thumb's, or strokes far wider than
   the writing's, such as a pen's). Ink with no edges, most of it far below its peaks (smudges,
   shading), is no digit either, nor is a blot (strokes as wide as a filled disc's).
4. *LeCun's recipe* (here). Crop the ink's bounding box; bring thin strokes to MNIST's stroke width;
   fit into 20×20 keeping the aspect ratio, with area-averaged (anti-aliased) grey levels; place it
   in 28×28 so that its centre of mass is at MNIST's, (14, 14).

An MNIST image (28×28, white on black, centred) comes out essentially unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .ink import InkMap, coarser, grain_sizes, grainy, picture_ink
from .picture import SQUARE
from .pieces import (
    CROSS,
    DASH,
    NOISE,
    SMUDGE,
    TICK,
    blot,
    cross,
    dash,
    find_digit,
    side_by_side,
    smudged,
    stroke_width,
    tick,
)

MNIST_STROKE = 0.14  # median MNIST stroke width / the 20 px box (measured on the test set)
MNIST_COM = (14.0, 14.0)  # mean centre of mass of MNIST digits (row, column)


@dataclass
class Prepared:
    """What the model sees (28×28 uint8, white on black) and where the digit was, or why there is none."""

    image: np.ndarray | None
    box: tuple[int, int, int, int] | None  # x, y, width, height in the input's pixels
    reason: str | None = None  # why there is no digit
    dark_on_light: bool = True
    groups: int = 1  # the digit's side-by-side groups and the digits apart from it: over 1, several digits

    def __repr__(self) -> str:
        return (
            f"Prepared(box={self.box}, reason={self.reason!r})" if self.image is None else f"Prepared(box={self.box})"
        )


def prepare(gray: np.ndarray) -> Prepared:
    """Grayscale float image in [0, 1] → the model's 28×28 input, or the reason there is no digit.
    Ink that reads as texture, or as a grainy smudge, is read again smaller, coarser than it was read
    (``ink.grain_sizes``, ``ink.coarser``: a pencil's grain); that reading is kept if it finds a digit
    clear of the picture's edges (a silver pen running off a blank photo was read as a 1)."""
    prepared, ink, retry, _ = _prepare(gray)
    if retry:
        for step in grain_sizes(gray):
            again, reread, _, at_edge = _prepare(gray, step)
            if again.reason is None and not at_edge and coarser(step, reread, ink):
                return again
    return prepared


def _prepare(gray: np.ndarray, reduce: int = 1) -> tuple[Prepared, InkMap, bool, bool]:
    """``prepare`` of the picture ``reduce`` times smaller, its ink map, whether its ink read as noise
    or texture, or as a grainy smudge (``ink.grainy``), and whether the digit found touches the
    picture's edges."""
    gray, to_input, ink = picture_ink(gray, reduce)
    digit_mask, reason, apart = find_digit(ink)
    smudge = reason is None and smudged(ink.ink[digit_mask])
    if smudge or (reason is None and blot(digit_mask)):
        reason = SMUDGE
    elif reason is None and dash(digit_mask):
        reason = DASH
    elif reason is None and tick(digit_mask):
        reason = TICK
    elif reason is None and cross(digit_mask):
        reason = CROSS
    if reason:
        retry = reason == NOISE or (smudge and grainy(ink.ink, digit_mask))
        return Prepared(None, None, reason, ink.dark_on_light), ink, retry, False
    x, y, w, h = cv2.boundingRect(digit_mask.view(np.uint8))
    rows, cols = slice(y, y + h), slice(x, x + w)
    box = input_box(rows, cols, ink.scale, gray.shape, to_input)
    digit = digit_mask[rows, cols]
    groups = side_by_side(digit) + apart
    at_edge = x == 0 or y == 0 or x + w == digit_mask.shape[1] or y + h == digit_mask.shape[0]
    return Prepared(to_mnist(ink.ink[rows, cols], digit), box, None, ink.dark_on_light, groups), ink, False, at_edge


def input_box(
    rows: slice, cols: slice, scale: tuple[float, float], shape: tuple[int, int], to_input: np.ndarray
) -> tuple[int, int, int, int]:
    """A box at working resolution (``scale`` input pixels per working pixel, down and across) in a
    picture of ``shape`` whose pixels ``to_input`` takes to the input's (``inner_picture``) → (x, y,
    w, h) in the input's pixels: around the box's corners there, if the picture was straightened."""
    y0, x0 = round(rows.start * scale[0]), round(cols.start * scale[1])
    y1, x1 = min(round(rows.stop * scale[0]), shape[0]), min(round(cols.stop * scale[1]), shape[1])
    corners = np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], np.float64)
    seen = cv2.perspectiveTransform(corners, to_input)[0]
    (left, top), (right, bottom) = np.floor(seen.min(0)), np.ceil(seen.max(0))
    return (int(left), int(top), int(right - left), int(bottom - top))


def to_mnist(ink: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A cropped digit (ink in [0, 1] and its stroke mask) → 28×28 uint8, white on black, centred."""
    ink = ink * cv2.dilate(mask.view(np.uint8), SQUARE, iterations=2)  # drop anything but the digit
    ink = _thicken(ink, mask)
    h, w = ink.shape
    fit = 20.0 / max(h, w)
    size = (max(1, round(w * fit)), max(1, round(h * fit)))
    small = cv2.resize(ink, size, interpolation=cv2.INTER_AREA if fit < 1 else cv2.INTER_LINEAR)
    small = small / max(float(small.max()), 1e-6)
    canvas = np.zeros((28, 28), np.float32)
    top, left = (28 - small.shape[0]) // 2, (28 - small.shape[1]) // 2
    canvas[top : top + small.shape[0], left : left + small.shape[1]] = small
    moments = cv2.moments(canvas)
    com = (moments["m01"] / moments["m00"], moments["m10"] / moments["m00"])  # (row, column)
    bottom, right = 28 - top - small.shape[0], 28 - left - small.shape[1]
    dy = min(max(round(MNIST_COM[0] - com[0]), -top), bottom)  # move, but never off the canvas
    dx = min(max(round(MNIST_COM[1] - com[1]), -left), right)
    moved = np.zeros((28, 28), np.float32)
    moved[top + dy : top + dy + small.shape[0], left + dx : left + dx + small.shape[1]] = small
    return np.clip(moved * 255 + 0.5, 0, 255).astype(np.uint8)


def _thicken(ink: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Dilate strokes much thinner than MNIST's (thin pen or pencil on a big image)."""
    width = stroke_width(mask)
    target = MNIST_STROKE * max(ink.shape)
    if width >= 0.7 * target:
        return ink
    radius = int(round((target - width) / 2))
    if radius < 1:
        return ink
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.dilate(ink, disk)
