"""Segmentation, the marks between a number's digits: a decimal point (3.14), a thousands comma
(1,000), a time's colon (12:30), a minus sign (-42) or a dash between two numbers (25-11), a plus,
a times and an equals sign (12+7=19, 3×4=12).

Each is told by its shape and where it stands against the digits either side of it (its
neighbours: the nearest digit-tall pieces left and right on its line), measured in their height and
in the writing's stroke width:

- a **dot** is a small, filled, roundish spot at least 0.6 of a stroke wide and at most 0.45 of the
  digits' height (or 4 strokes), lying at their foot; two dots one above the other are a **colon**;
- a **comma** is a short stroke or a dot with a tail, starting low beside the digits and reaching
  below their foot by a tenth of their height;
- a **minus** is a flat stroke at mid-height, before a number or between two;
- an **equals** sign is two flat strokes at mid-height, one straight above the other, alike in length;
- a **plus** is two straight strokes crossing at mid-height, one about level and one about upright,
  the corners of its box empty; it may be as tall as the digits;
- a **times** sign is two straight strokes crossing at mid-height, one falling and one rising, as
  ``pieces.cross`` finds a teacher's cross (which, after the number, is dropped).

A mark stands in a gap between two digits (a minus also before the first); elsewhere a dot is a
speck and a dash a stray line, as before. Until 2026-11-29 marks were dropped as specks or read as
digits: 3.14 was read as 314, 1,000 as 11000, 12:30 as 1230, -42 as 42 (none of 500 numbers with
marks was read exactly, ``benchmarks/number_marks.py``); until 2026-11-29 (later) a plus sign was
read as a 4, a times sign as an 8 and an equals sign as a 2 or a 5 (5+4=9 as 54429; none of 100
sums or 100 products read exactly).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .pieces import crossing_strokes, stroke_width, x_shaped, x_strokes

if TYPE_CHECKING:
    from .segment import Glyph

TALL = 0.6  # of the digits' height: a piece this tall can be a digit beside a mark
DOT_MIN, DOT_MAX = 0.6, 0.45  # a dot: at least this many stroke widths across (all marks), at most this of the digits
DOT_PENS = 4  # ...or this many stroke widths (a bold pen in small writing)
DOT_ROUND, DOT_FILL = 2.5, 0.45  # a dot is at most this elongated, and fills this share of its box at least
FOOT = 0.6  # of the digits' height from their top: a dot's middle lies below, a comma starts below
COLON_TOP = (0.1, 0.65)  # a colon's upper dot's middle, from the digits' top, in their heights
MARK_HEIGHT = 0.9  # of the digits' height: a taller piece is no mark (but a colon)
COMMA_PENS, COMMA_LONG = 2.5, 1.3  # a comma is at least this many stroke widths tall, and this times as tall
BELOW = 0.5  # as wide or with this share of its height below the digits' foot (a dot sitting low has less)
DESCENT, COMMA_BELOW = 0.1, 0.6  # of the digits' height: a comma reaches this far below their foot, at most that
APART = 0.5  # stroke widths of paper at least between a mark and the digits' columns (a broken-off piece is closer)
MIDDLE = (0.3, 0.75)  # a minus sign's middle, from the digits' top, in their heights
MINUS_LENGTH = (0.25, 2.0)  # of the digits' height
MINUS_FLAT, MINUS_HEIGHT = 2, 0.35  # a minus: at least this many times as long as tall, at most this of the digits
SPECKS = 0.25  # a colon's two dots may have specks with them, with this share of the smaller dot's ink in all
GAP = 2  # digits' heights: a mark at most this far from the digit after it (and before it)
POINT_GAP, POINT_RISE = 1.0, 0.15  # a point, comma or colon: nearer than GAP; its foot near the digit before's
DARK = 0.5  # a mark's mean ink against the digits': as dark as a pen's stroke, not paper grain
PLUS_SIZE = (0.25, 1.0)  # of the digits' height: a plus sign's width and height
PLUS_TILT = 20  # degrees: its strokes this near level and upright
TIMES_THIN = 0.3  # of its box's shorter side: a times sign's stroke at most this wide
EQUALS_ALIKE, EQUALS_GAP = 0.5, 0.5  # an equals sign's shorter stroke, of the longer; the gap between, of the digits


@dataclass
class Mark:
    """A mark between digits: its character, its piece, and the top and foot of the digits beside it."""

    char: str
    glyph: Glyph
    top: float
    foot: float


def find_marks(glyphs: list[Glyph], labels: np.ndarray, ink: np.ndarray) -> list[Mark]:
    """The marks among ``glyphs`` (merged components, specks included): each glyph shorter than
    MARK_HEIGHT of the digits' height (the median of the glyphs at least half as tall as the tallest),
    or of two pieces (a colon), is tried against its neighbours, the glyphs at least TALL of it."""
    tallest = max(g.height for g in glyphs)
    height = float(np.median([g.height for g in glyphs if g.height >= 0.5 * tallest]))
    tall = [g for g in glyphs if g.height >= TALL * height]
    if not tall:
        return []

    @functools.cache
    def writing() -> tuple[float, float]:  # the digits' stroke width and ink level, when a piece needs them
        masks = [g.pixels(labels) for g in tall]
        return (
            float(np.median([stroke_width(mask) for mask in masks])),
            float(np.median([_darkness(g, mask, ink) for g, mask in zip(tall, masks)])),
        )

    marks, high = [], []
    glyphs = _stacked_bars(glyphs, height)
    # A mark is shorter than the digits; but a colon is two dots, and a plus or a times sign may be as tall
    for glyph in (g for g in glyphs if g.height < MARK_HEIGHT * height or len(g.labels) > 1 or _plus_sized(g, height)):
        left, right, after = _neighbours(glyph, [g for g in tall if g is not glyph])
        if right is None:
            continue
        beside = [g for g in (left or after, right) if g is not None]  # a minus before a number: its first two
        top, foot = float(np.mean([g.y0 for g in beside])), float(np.mean([g.y1 for g in beside]))
        if not _in_gap(glyph, left, right, foot - top):
            continue
        pen, darkness = writing()
        mask = glyph.pixels(labels)
        if _darkness(glyph, mask, ink) < DARK * darkness:
            continue
        char = _shape(glyph, mask, labels, top, foot - top, pen, left is not None)
        if glyph.height >= MARK_HEIGHT * height and len(glyph.labels) == 1 and char not in ("+", "×"):
            continue
        if char != "," and not _clear(glyph, tall, top, foot, APART * pen):  # a comma's tail may curl under a digit
            continue
        if char in (".", ":", ",") and not _between(glyph, glyphs, left, top, foot, pen if char != "," else 0.0):
            continue
        if char == "'":  # a colon's upper dot, apart from its lower one
            high.append(glyph)
        elif char:
            marks.append(Mark(char, glyph, top, foot))
    for upper in high:  # a dot at the foot straight below a high dot: the two are a colon
        for mark in marks:
            if mark.char == "." and min(upper.x1, mark.glyph.x1) > max(upper.x0, mark.glyph.x0):
                mark.char = ":"
                mark.glyph.absorb(upper)
                break
    return marks


def _shape(
    glyph: Glyph, mask: np.ndarray, labels: np.ndarray, top: float, size: float, pen: float, after_digit: bool
) -> str | None:
    """Which mark a piece (its stroke pixels ``mask``) is by its shape and place against digits ``size``
    tall whose top is at ``top``: ".", ",", ":", "-", "+", "×", "=", "'" (a dot high up: a colon's upper dot),
    or None."""
    middle = ((glyph.y0 + glyph.y1) / 2 - top) / size
    if not after_digit:  # only a minus sign stands before a number
        return "-" if _minus(glyph, middle, size, pen) else None
    below = glyph.y1 - (top + size)  # how far it reaches below the digits' foot
    if (
        DESCENT * size <= below <= COMMA_BELOW * size
        and glyph.y0 >= top + FOOT * size - pen
        and glyph.height >= COMMA_PENS * pen
        and DOT_MIN * pen <= glyph.width <= glyph.height  # drawn by the pen: as wide as its strokes
        and (glyph.height >= COMMA_LONG * glyph.width or below >= BELOW * glyph.height)  # not a dot sitting low
    ):
        return ","
    if _minus(glyph, middle, size, pen):
        return "-"
    if MIDDLE[0] <= middle <= MIDDLE[1] and _plus_sized(glyph, size):  # where a plus or a times sign stands
        box = np.ascontiguousarray(mask[: glyph.height, : glyph.width])
        if _plus(box):
            return "+"
        if _times(box):
            return "×"
    if _spot(mask, size, pen):
        if middle >= FOOT:
            return "."
        return "'" if COLON_TOP[0] <= middle <= COLON_TOP[1] else None
    if len(glyph.labels) >= 2:  # a colon whose two dots were merged as one glyph (specks with them), an equals sign
        crop = labels[glyph.y0 : glyph.y1, glyph.x0 : glyph.x1]
        pieces = sorted((crop == label for label in glyph.labels), key=np.count_nonzero, reverse=True)
        upper, lower = sorted(pieces[:2], key=lambda piece: np.flatnonzero(piece.any(1))[0])
        if sum(map(np.count_nonzero, pieces[2:])) >= SPECKS * np.count_nonzero(pieces[1]):
            return None
        if _equals(upper, lower, middle, size):
            return "="
        if (
            COLON_TOP[0] <= (glyph.y0 + _middle_row(upper) - top) / size <= COLON_TOP[1]
            and (glyph.y0 + _middle_row(lower) - top) / size >= FOOT
            and _spot(upper, size, pen)
            and _spot(lower, size, pen)
        ):
            return ":"
    return None


def _minus(glyph: Glyph, middle: float, size: float, pen: float) -> bool:
    """A flat piece at mid-height. ``pieces.dash`` asks more of a dash alone, which may be a digit
    lying down; it turned down a minus sign with specks of noise on it (3-2 read as 322)."""
    return (
        MIDDLE[0] <= middle <= MIDDLE[1]
        and MINUS_LENGTH[0] * size <= glyph.width <= MINUS_LENGTH[1] * size
        and glyph.width >= MINUS_FLAT * glyph.height
        and DOT_MIN * pen <= glyph.height <= MINUS_HEIGHT * size
    )


def _stacked_bars(glyphs: list[Glyph], height: float) -> list[Glyph]:
    """``glyphs`` with each two flat pieces (MINUS_FLAT times as wide as tall), one straight above the
    other (under it for half the shorter's width), at most EQUALS_GAP of the digits' ``height`` apart
    and EQUALS_ALIKE as long, made one glyph: an equals sign's strokes, which segmentation leaves
    apart when farther apart than a colon's dots (``_equals`` tells it)."""
    flat = [
        g for g in glyphs if len(g.labels) == 1 and g.height < MARK_HEIGHT * height and g.width >= MINUS_FLAT * g.height
    ]
    out = list(glyphs)
    for upper in flat:
        for lower in flat:
            overlap = min(upper.x1, lower.x1) - max(upper.x0, lower.x0)
            if (
                upper in out
                and lower in out
                and 0 <= lower.y0 - upper.y1 <= EQUALS_GAP * height
                and overlap >= 0.5 * min(upper.width, lower.width)
                and min(upper.width, lower.width) >= EQUALS_ALIKE * max(upper.width, lower.width)
            ):
                both = dataclasses.replace(upper, labels=list(upper.labels))
                both.absorb(lower)
                out = [both if g is upper else g for g in out if g is not lower]
    return out


def _plus_sized(glyph: Glyph, height: float) -> bool:
    """Whether a glyph is as large as a plus sign may be against digits ``height`` tall (PLUS_SIZE)."""
    return (
        PLUS_SIZE[0] * height <= min(glyph.width, glyph.height)
        and max(glyph.width, glyph.height) <= PLUS_SIZE[1] * height
    )


def _plus(box: np.ndarray) -> bool:
    """Whether a glyph at mid-height, PLUS_SIZE of the digits' height both ways (its mask cropped to
    its box), is a plus sign: no ink in the corners of its box (a quarter of its sides: a quick look
    first; a digit's strokes reach into one), two straight strokes crossing
    (``pieces.crossing_strokes``), one within PLUS_TILT of level and one of upright."""
    h, w = max(1, box.shape[0] // 4), max(1, box.shape[1] // 4)
    if box[:h, :w].any() or box[:h, -w:].any() or box[-h:, :w].any() or box[-h:, -w:].any():
        return False
    ways = crossing_strokes(box, stroke_width(box), diagonal=False)  # its own stroke: a pen pressed harder
    tilt = math.sin(math.radians(PLUS_TILT))
    return ways is not None and abs(ways[0][1]) <= tilt and abs(ways[1][0]) <= tilt


def _times(box: np.ndarray) -> bool:
    """Whether such a glyph (as ``_plus``'s) is a times sign: ink near the four corners of its box
    (``pieces.x_shaped``), an x (``pieces.x_strokes``) in its own stroke width, which is at most
    TIMES_THIN of the box's shorter side: a bold digit blurred into a blob, or a small broken one,
    fits two thick crossing strokes too (a blurred 2 in 75208 read as 75×108; 0.33–0.39 of the side,
    the times signs of ``benchmarks/number_marks.py`` at most 0.27)."""
    if not x_shaped(box, sides=False):
        return False
    pen = stroke_width(box)
    return pen <= TIMES_THIN * min(box.shape) and x_strokes(box, pen)  # a small 7 turned a little is none


def _equals(upper: np.ndarray, lower: np.ndarray, middle: float, size: float) -> bool:
    """An equals sign: two flat strokes (masks over the glyph's box) at mid-height, one above the
    other: each MINUS_LENGTH of the digits' height long and MINUS_FLAT times as long as tall, the
    shorter at least EQUALS_ALIKE of the longer and under it for most of its length, at most
    EQUALS_GAP of the digits' height between them."""
    spans = []
    for piece in (upper, lower):
        rows, cols = np.flatnonzero(piece.any(1)), np.flatnonzero(piece.any(0))
        tall, long = rows[-1] + 1 - rows[0], cols[-1] + 1 - cols[0]
        if not (MINUS_LENGTH[0] * size <= long <= MINUS_LENGTH[1] * size and long >= MINUS_FLAT * tall):
            return False
        spans.append((rows[0], rows[-1] + 1, cols[0], cols[-1] + 1))
    (top, bottom, left, right), (top2, bottom2, left2, right2) = spans
    lengths = sorted((right - left, right2 - left2))
    overlap = min(right, right2) - max(left, left2)
    return (
        MIDDLE[0] <= middle <= MIDDLE[1]
        and lengths[0] >= EQUALS_ALIKE * lengths[1]
        and overlap >= 0.5 * lengths[0]
        and top2 - bottom <= EQUALS_GAP * size
    )


def _middle_row(mask: np.ndarray) -> float:
    rows = np.flatnonzero(mask.any(1))
    return (rows[0] + rows[-1] + 1) / 2


def _spot(mask: np.ndarray, size: float, pen: float) -> bool:
    """Whether the ink in ``mask`` is a dot: small, roundish and filled."""
    cols, rows = np.flatnonzero(mask.any(0)), np.flatnonzero(mask.any(1))
    spot = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    longest, shortest = max(spot.shape), min(spot.shape)
    return (
        max(2.0, DOT_MIN * pen) <= longest <= max(DOT_MAX * size, DOT_PENS * pen)
        and longest <= DOT_ROUND * shortest
        and np.count_nonzero(spot) >= DOT_FILL * spot.size
    )


def _darkness(glyph: Glyph, mask: np.ndarray, ink: np.ndarray) -> float:
    """The glyph's mean ink level over its stroke pixels ``mask``."""
    return float(ink[glyph.y0 : glyph.y1, glyph.x0 : glyph.x1][mask].mean())


def _neighbours(glyph: Glyph, tall: list[Glyph]) -> tuple[Glyph | None, Glyph | None, Glyph | None]:
    """The nearest digit-tall glyph left of ``glyph`` and the two nearest right of it, of those whose
    rows (and a third of their height below them: a comma) hold its middle."""
    middle, centre = (glyph.y0 + glyph.y1) / 2, (glyph.x0 + glyph.x1) / 2
    level = [g for g in tall if g.y0 <= middle <= g.y1 + g.height / 3]
    left = max((g for g in level if (g.x0 + g.x1) / 2 < centre), key=lambda g: g.x1, default=None)
    right = sorted((g for g in level if (g.x0 + g.x1) / 2 > centre), key=lambda g: g.x0)[:2]
    return left, *(right + [None, None])[:2]


def _between(glyph: Glyph, glyphs: list[Glyph], left: Glyph, top: float, foot: float, clear: float) -> bool:
    """Whether a point, a comma or a colon stands between digits as one does: ``clear`` (a stroke's
    width; a comma's tail may come closer) to POINT_GAP of the digits' height from the nearest ink
    either side of it in their rows (a wider gap has room for a digit: there a dot is a piece of a
    broken one; nearer, the tip of a 9's tail cut off by its box's side, or a speck beside a digit),
    its foot as low as the foot of the digit before it, within POINT_RISE of that one's height (a
    speck beside a digit's lower half is no point: MNIST test digit 6988, a 9, has one)."""
    rows = [g for g in glyphs if g is not glyph and g.y0 < foot and top < g.y1]
    before = max((g.x1 for g in rows if g.x1 <= glyph.x0), default=-math.inf)
    after = min((g.x0 for g in rows if g.x0 >= glyph.x1), default=math.inf)
    gaps = glyph.x0 - before, after - glyph.x1
    return (
        max(gaps) <= POINT_GAP * (foot - top) and min(gaps) >= clear and glyph.y1 >= left.y1 - POINT_RISE * left.height
    )


def _clear(glyph: Glyph, tall: list[Glyph], top: float, foot: float, margin: float) -> bool:
    """Whether no digit-tall glyph with rows between ``top`` and ``foot`` comes within ``margin`` of
    ``glyph``'s columns (the bar of a 5 sticking out from above its body is no minus)."""
    return not any(
        g is not glyph and g.x0 < glyph.x1 + margin and glyph.x0 - margin < g.x1 and g.y0 < foot and top < g.y1
        for g in tall
    )


def _in_gap(glyph: Glyph, left: Glyph | None, right: Glyph, size: float) -> bool:
    """Whether ``glyph`` stands in the gap before ``right`` (after ``left``), near both: its middle
    outside their boxes, at most GAP of the digits' height from each."""
    centre = (glyph.x0 + glyph.x1) / 2
    if centre >= right.x0 or right.x0 - glyph.x1 > GAP * size:
        return False
    return left is None or (centre > left.x1 and glyph.x0 - left.x1 <= GAP * size)
