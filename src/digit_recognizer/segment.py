"""A handwritten number (one or more lines of digits) → one 28×28 image per digit, in reading order.

The steps, on the same cleaned-up ink map as single digits (``preprocess.ink_map``):

1. connected components of the strokes (specks and ruled lines are already out);
2. pieces of one digit merged: components that overlap horizontally (a 5's detached bar, a broken 4,
   a dotted 1);
3. what is not a digit dropped: specks far smaller than the line's digits, underlines (long and flat);
4. lines found by vertical overlap; digits ordered left to right, lines top to bottom;
5. touching digits split: a piece much wider than the line's digits is cut where the ink is thinnest,
   each candidate cut scored by the classifier (both halves must look like confident digits);
6. each digit through the same 28×28 normalisation as single digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

from .preprocess import ink_map, to_mnist

MAX_PIECES = 400  # beyond this many components the image is specks or texture, not a number
Classifier = Callable[[np.ndarray], np.ndarray]  # (N, 28, 28) uint8 → (N, 10) probabilities


@dataclass
class Glyph:
    """One digit's place: x0, x1, y0, y1 at working resolution, and the labels of its components."""

    x0: int
    x1: int
    y0: int
    y1: int
    labels: list[int]

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


@dataclass
class Segmented:
    """The digits' 28×28 images and boxes (x, y, w, h in input pixels), line by line, or why there are none."""

    lines: list[list[tuple[np.ndarray, tuple[int, int, int, int]]]]
    reason: str | None = None


def segment(gray: np.ndarray, classify: Classifier) -> Segmented:
    """Split a grayscale image in [0, 1] into digits; ``classify`` scores candidate cuts of touching digits."""
    ink = ink_map(gray)
    if ink.reason:
        return Segmented([], ink.reason)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.mask.view(np.uint8), connectivity=8)
    if count - 1 > MAX_PIECES:
        stats = stats[1:][np.argsort(-stats[1:, cv2.CC_STAT_AREA])[:MAX_PIECES]]  # the largest pieces only
        ids = np.argsort(-np.bincount(labels.ravel())[1:])[:MAX_PIECES] + 1
    else:
        stats, ids = stats[1:], np.arange(1, count)
    glyphs = _merge(stats, ids)
    glyphs = _drop_non_digits(glyphs)
    if not glyphs:
        return Segmented([], "no digits: no ink found")
    height = float(np.median([g.height for g in glyphs]))
    lines = []
    for line in _lines(glyphs):
        if max(g.height for g in line) < 0.5 * height:  # a dash or stray mark above or below the number
            continue
        digits = []
        for glyph in sorted(line, key=lambda g: g.x0):
            for part in _split(glyph, labels, ink.ink, height, classify):
                digits.append((_image(part, labels, ink.ink), _box(part, ink.scale, gray.shape)))
        lines.append(digits)
    return Segmented(lines)


def _merge(stats: np.ndarray, ids: np.ndarray) -> list[Glyph]:
    """Group components that overlap horizontally by at least half of the narrower one."""
    order = np.argsort(stats[:, 0])
    glyphs: list[Glyph] = []
    for i in order:
        x, y, w, h = (int(v) for v in stats[i, :4])
        for g in reversed(glyphs[-3:]):  # only recent neighbours can overlap a left-sorted component
            overlap = min(g.x1, x + w) - max(g.x0, x)
            if overlap >= 0.5 * min(w, g.width):
                g.x0, g.x1, g.y0, g.y1 = min(g.x0, x), max(g.x1, x + w), min(g.y0, y), max(g.y1, y + h)
                g.labels.append(int(ids[i]))
                break
        else:
            glyphs.append(Glyph(x, x + w, y, y + h, [int(ids[i])]))
    return glyphs


def _drop_non_digits(glyphs: list[Glyph]) -> list[Glyph]:
    """Drop specks (tiny against the line's digits) and underlines (long and flat)."""
    if not glyphs:
        return glyphs
    tallest = max(g.height for g in glyphs)
    big = [g for g in glyphs if g.height >= 0.4 * tallest]
    height = float(np.median([g.height for g in big]))
    return [
        g for g in glyphs
        if max(g.height, g.width) >= 0.3 * height  # not a speck
        and not (g.width > 1.5 * height and g.height < 0.3 * height)  # not an underline
    ]  # fmt: skip


def _lines(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Group glyphs into text lines: a glyph joins a line its vertical centre falls inside."""
    lines: list[list[Glyph]] = []
    for g in sorted(glyphs, key=lambda g: (g.y0 + g.y1) / 2):
        centre = (g.y0 + g.y1) / 2
        for line in lines:
            top, bottom = min(x.y0 for x in line), max(x.y1 for x in line)
            if top <= centre <= bottom:
                line.append(g)
                break
        else:
            lines.append([g])
    return sorted(lines, key=lambda line: min(g.y0 for g in line))


def _glyph_ink(glyph: Glyph, labels: np.ndarray, ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The glyph's own ink and mask, cropped to its box (other components' ink removed)."""
    window = labels[glyph.y0 : glyph.y1, glyph.x0 : glyph.x1]
    mask = np.isin(window, glyph.labels)
    return ink[glyph.y0 : glyph.y1, glyph.x0 : glyph.x1], mask


def _image(glyph: Glyph, labels: np.ndarray, ink: np.ndarray) -> np.ndarray:
    crop, mask = _glyph_ink(glyph, labels, ink)
    rows = np.flatnonzero(mask.any(1))
    return to_mnist(crop[rows[0] : rows[-1] + 1], mask[rows[0] : rows[-1] + 1])


def _split(glyph: Glyph, labels: np.ndarray, ink: np.ndarray, height: float, classify: Classifier) -> list[Glyph]:
    """Cut a glyph that is too wide for one digit, when two confident digits beat one unsure one."""
    if glyph.width < 1.0 * height:
        return [glyph]
    pieces = max(2, int(round(glyph.width / (0.75 * height))))
    crop, mask = _glyph_ink(glyph, labels, ink)
    column_ink = (crop * mask).sum(0)
    span = glyph.width / pieces
    candidates = np.arange(max(2, int(0.5 * span)), min(glyph.width - 2, int(1.5 * span)) + 1)
    if len(candidates) == 0:
        return [glyph]
    candidates = candidates[np.argsort(column_ink[candidates])[:12]]  # the thinnest places to cut
    lefts = [_part(glyph, mask, 0, c) for c in candidates]
    rights = [_part(glyph, mask, c, glyph.width) for c in candidates]
    images = np.stack([_image(p, labels, ink) for p in [glyph, *lefts, *rights]])
    confidence = np.log(classify(images).max(1) + 1e-9)
    whole, left, right = confidence[0], confidence[1 : len(candidates) + 1], confidence[len(candidates) + 1 :]
    score = left + right - 0.5 * column_ink[candidates] / max(column_ink.max(), 1e-6)  # prefer thin cuts
    best = int(np.argmax(score))
    if score[best] <= whole and glyph.width < 1.6 * height:  # one sure digit, not a touching pair
        return [glyph]
    return [lefts[best], *_split(rights[best], labels, ink, height, classify)]


def _part(glyph: Glyph, mask: np.ndarray, start: int, stop: int) -> Glyph:
    """The columns [start, stop) of a glyph, as a glyph of its own (labels kept; the window does the cut)."""
    rows = np.flatnonzero(mask[:, start:stop].any(1))
    y0, y1 = (glyph.y0 + rows[0], glyph.y0 + rows[-1] + 1) if len(rows) else (glyph.y0, glyph.y1)
    return Glyph(glyph.x0 + start, glyph.x0 + stop, int(y0), int(y1), glyph.labels)


def _box(glyph: Glyph, scale: int, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    x0, y0 = glyph.x0 * scale, glyph.y0 * scale
    x1, y1 = min(glyph.x1 * scale, shape[1]), min(glyph.y1 * scale, shape[0])
    return (int(x0), int(y0), int(x1 - x0), int(y1 - y0))
