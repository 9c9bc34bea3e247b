"""A handwritten number (one or more lines of digits) → one 28×28 image per digit, in reading order.

The steps, on the same cleaned-up ink map as single digits (``ink.picture_ink``), of the picture
inside the image if there is one (``picture.inner_picture``: a number plotted with matplotlib),
made level if a form's box or field in it is turned a little:

1. connected components of the strokes (specks, ruled lines and a form's field of boxes are already
   out), less flecks of a pixel or two (a dim photo's grain) and printed rows of dots (a form's
   dotted line, dot-grid paper);
2. pieces of one digit merged: components that overlap horizontally and nearly touch vertically (a
   5's detached bar, a broken 4, a dotted 1), and slivers joined to the digit beside them;
3. what is not a digit dropped: a circle or box drawn around the number
   (``pieces.texture_and_rings``), things lying beside it (a pen, a coin: ``pieces.objects``)
   and underlines (long and flat), before step 2; words in small print at a line's ends or on a line
   of their own (a form's printed label before or above the number, a unit after it); specks (under
   ``pieces.MIN_SIDE`` both ways, or far smaller than the line's digits);
4. lines found by vertical overlap (a line of marks far shorter than the digits is dropped);
   digits ordered left to right, lines top to bottom;
5. texture dropped: a glyph with far more pieces or holes than handwriting has (a grainy band where
   the light fades on a photo). An image that is all noise or texture has no digits: ink over 45 %
   of the image unless most of it is one piece without many holes (``pieces.crowded``, as for
   single digits), specks everywhere (the would-be digits hold under half the
   ink), glyphs that together have more pieces or holes than that many digits can, or ink without
   edges (smudges, shading: ``pieces.smudged``);
6. touching digits split: a piece at least half as wide as the line's digits are tall (two touching
   1s can be that narrow) is cut at candidate columns (its thinnest, and a grid an eighth of the
   line's height apart), and the best way of cutting it wins: each piece scored by the classifier's
   confidence and the one-digit model's probability that it is one whole digit (one_digit.py), with
   prices for every extra digit, every stroke a cut goes through, and pieces too wide or too short
   for one digit; the classifier reads only the pieces the best way could go through;
7. each digit through the same 28×28 normalisation as single digits.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from .ink import InkMap, coarser, grain_sizes, grainy, picture_ink, turned_ink
from .marks import Mark, find_marks
from .picture import components
from .pieces import (
    MIN_SIDE,
    blot,
    cross,
    crowded,
    dash,
    holes,
    objects,
    riddled,
    smudged,
    specks,
    texture_and_rings,
    tick,
)
from .preprocess import input_box, to_mnist

MAX_PIECES = 400  # only the largest this many components are tried as digits
FLECK = 2  # working pixels: a component of no more is a fleck of noise, never part of a digit
MANY_PIECES = 50  # more components than this, with under half the ink in the digits: specks or texture
# Texture (noise, blotches, a grainy band where the light fades) against handwriting, whose digits are one
# to a few strokes with at most two holes each (an 8's). On 800 rendered numbers (benchmarks/number_texture.py)
# a glyph had at most 5 pieces and 3.6 holes per digit-width, and a number 4 holes beyond 4 per digit (pinholes
# not counted: pieces.PINHOLE; 4.4 and 8 when they were).
TEXTURE_PIECES = 40  # one glyph with more pieces, or riddled with holes (pieces.riddled): dropped
PIECES_PER_DIGIT, HOLES_PER_DIGIT = 12, 4  # what is left has more on average (holes: beyond 20): noise
NOISE = "no digits: the image looks like noise"
SMUDGES = "no digits: only smudges or shading, no pen strokes"  # pieces.smudged
MARKS = "no digits: only dashes, blots, ticks or crosses"  # pieces.dash, .blot, .tick, .cross
SLANT_MOST = 45  # degrees: a number written rising or falling this steeply at most is made level (_rising)
PRINT, PRINT_MOST, PRINT_SPACE, PRINT_FOOT = 0.6, 0.7, 0.3, 0.15  # small print at a line's ends (_print)
DOT_ROW, DOT_ROW_SIZE, DOT_APART = 3, 0.3, 0.5  # printed dots (_drop_dot_rows): how many, how small, how far apart
PRINT_LINE = 0.5  # of the tallest line's digit height: a line of print alone under it is dropped (_drop_printed)
ONE_LINE = 0.35  # of the digits' height: glyphs whose middles lie this close to a straight line are one line
Classifier = Callable[[np.ndarray], np.ndarray]  # (N, 28, 28) uint8 → (N, 10) probabilities
OneDigit = Callable[[np.ndarray], np.ndarray]  # (N, 28, 28) uint8 → (N,) probability that each is one whole digit


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

    def absorb(self, other: Glyph) -> None:
        """Take ``other`` in: the box grows to hold both, and its components join."""
        self.x0, self.x1 = min(self.x0, other.x0), max(self.x1, other.x1)
        self.y0, self.y1 = min(self.y0, other.y0), max(self.y1, other.y1)
        self.labels += other.labels

    def pixels(self, labels: np.ndarray) -> np.ndarray:
        """The glyph's stroke pixels, as a mask over its box."""
        crop = labels[self.y0 : self.y1, self.x0 : self.x1]
        return crop == self.labels[0] if len(self.labels) == 1 else np.isin(crop, self.labels)  # == is 10× faster


@dataclass
class Segmented:
    """The digits' 28×28 images and boxes (x, y, w, h in input pixels), line by line, or why there are none."""

    lines: list[list[tuple[np.ndarray, tuple[int, int, int, int]]]]
    reason: str | None = None
    # Per line, its marks (marks.py) left to right: how many of the line's digits stand before each,
    # the mark (".", ",", ":", "-", "+", "×" or "=") and its box.
    marks: list[list[tuple[int, str, tuple[int, int, int, int]]]] = field(default_factory=list)


def segment(gray: np.ndarray, classify: Classifier, one_digit: OneDigit) -> Segmented:
    """Split a grayscale image in [0, 1] into digits; ``classify`` and ``one_digit`` (the one-digit
    model, one_digit.py) rate the pieces of candidate cuts of touching digits. A number whose glyphs
    read as texture (or all of it as noise, or as grainy smudges) is read again smaller, coarser than
    it was read (``ink.grain_sizes``, ``ink.coarser``: a pencil's grain), and that reading kept if
    none of its glyphs is texture and none of its digits touches the picture's edges."""
    models = (classify, one_digit)
    segmented, ink, retry, _ = _segment(gray, models)
    if retry:
        for step in grain_sizes(gray):
            again, reread, still, at_edge = _segment(gray, models, step)
            if again.reason is None and not still and not at_edge and coarser(step, reread, ink):
                return again
    return segmented


def _segment(
    gray: np.ndarray, models: tuple[Classifier, OneDigit], reduce: int = 1
) -> tuple[Segmented, InkMap, bool, bool]:
    """``segment`` of the picture ``reduce`` times smaller, its ink map, whether any of its ink read as
    texture (or all of it as noise, or as grainy smudges), and whether a digit touches its edges."""
    gray, to_input, ink = picture_ink(gray, reduce)
    if ink.reason:
        return Segmented([], ink.reason), ink, False, False
    found = glyph_lines(ink)
    if isinstance(found, str):
        return Segmented([], found), ink, found == NOISE, False
    if (angle := _rising(found[0], found[-1])) is not None:  # a number written rising or falling: made level
        turned = turned_ink(gray, to_input, angle)
        again = glyph_lines(turned[2]) if turned[2].reason is None else ""
        if not isinstance(again, str) and len(again[0]) < len(found[0]):
            (gray, to_input, ink), found = turned, again
    lines, marks, labels, sizes, height = found
    # Texture is dropped like a stray mark, and what is left must look like handwriting.
    texture = [g for line in lines for g in line if _texture(g, labels, height)]
    lines = [kept for line in lines if (kept := [g for g in line if all(g is not t for t in texture)])]
    kept = [glyph for line in lines for glyph in line]
    if not kept or _noise(kept, labels):
        return Segmented([], NOISE), ink, True, False
    other = np.delete(sizes, [0, *(label for g in kept for label in g.labels)]).max(initial=0)
    if specks(max(sizes[g.labels].sum() for g in kept), labels.size, max(g.height for g in kept), other):
        return Segmented([], "no digits: only specks"), ink, bool(texture), False
    if smudged(np.concatenate([crop[mask] for crop, mask in (_glyph_ink(g, labels, ink.ink) for g in kept)])):
        drawn = np.isin(labels, [x for g in kept for x in g.labels])
        return Segmented([], SMUDGES), ink, grainy(ink.ink, drawn), False
    # A blot, a dash, a tick or a cross is no digit, as for single digits: the classifier reads a
    # bar's slices as 1s, a tick as a 5, a cross as a 4 or an 8.
    lines = [kept for line in lines if (kept := [g for g in line if not _no_digit(g, labels)])]
    if not lines:
        return Segmented([], MARKS), ink, bool(texture), False
    parts = [[part for glyph in line for part in _split(glyph, labels, ink.ink, height, models)] for line in lines]
    box = lambda glyph: _box(glyph, ink.scale, gray.shape, to_input)  # noqa: E731
    h, w = labels.shape
    at_edge = any(p.x0 == 0 or p.y0 == 0 or p.x1 == w or p.y1 == h for line in parts for p in line)
    segmented = Segmented(
        [[(_image(part, labels, ink.ink), box(part)) for part in line] for line in parts],
        marks=[[(at, mark.char, box(mark.glyph)) for at, mark in line] for line in _place_marks(marks, parts)],
    )
    return segmented, ink, bool(texture), at_edge


def _place_marks(marks: list[Mark], lines: list[list[Glyph]]) -> list[list[tuple[int, Mark]]]:
    """Each mark on the line its digits' rows overlap most (none: dropped, as its digits were), with
    how many of the line's digits stand before it."""
    placed: list[list[tuple[int, Mark]]] = [[] for _ in lines]
    for mark in marks:
        overlap = [min(mark.foot, max(g.y1 for g in line)) - max(mark.top, min(g.y0 for g in line)) for line in lines]
        if overlap and max(overlap) > 0:
            line = int(np.argmax(overlap))
            centre = (mark.glyph.x0 + mark.glyph.x1) / 2
            placed[line].append((sum((g.x0 + g.x1) / 2 < centre for g in lines[line]), mark))
    return [sorted(line, key=lambda item: item[0]) for line in placed]


def glyph_lines(ink: InkMap) -> tuple[list[list[Glyph]], list[Mark], np.ndarray, np.ndarray, float] | str:
    """Steps 1–4 on an ink map's strokes: the would-be digits line by line, left to right (texture not yet
    dropped), the marks between them (``marks.find_marks``), the component labels, each label's pixel
    count and the line's digit height; or why there are none."""
    count, labels, stats = components(ink.mask)
    sizes = stats[:, cv2.CC_STAT_AREA]  # by label; 0 is the paper
    texture, rings = texture_and_rings(stats, labels)
    if crowded(stats, labels.size, texture):
        return NOISE
    beside = np.array(objects(stats, labels, ink.ink, texture), int) + 1  # a pen or a coin: not the number's ink
    held = stats[beside, :4]
    ids = np.setdiff1d(np.arange(1, count), np.r_[np.array(rings, int) + 1, beside])  # nor rings around it
    if len(ids) > MAX_PIECES:  # the largest pieces only
        ids = ids[np.argsort(-sizes[ids])[:MAX_PIECES]]
    flecked = len(ids)
    stats, ids = _drop_flecks(stats[ids], ids)
    flecked -= len(ids)
    stats, ids = _drop_underlines(stats, ids)
    stats, ids = _drop_dot_rows(stats, ids)
    merged = _merge(stats, ids)
    glyphs = _drop_non_digits(_drop_printed([g for g in merged if max(g.height, g.width) >= MIN_SIDE]))
    if not glyphs:
        return "no digits: only specks" if merged or flecked else "no digits: no ink found"
    ink_drawn = sizes[1:].sum() - sizes[beside].sum()
    if count - 1 > MANY_PIECES and sum(sizes[g.labels].sum() for g in glyphs) < 0.5 * ink_drawn:
        return NOISE  # specks everywhere: the would-be digits hold under half the ink
    height = float(np.median([g.height for g in glyphs]))
    # 3.14, 1,000, 12:30, -42, before a comma joins a digit; a big round dot passes for a coin beside the digits
    marks = find_marks(merged + [Glyph(x, x + w, y, y + h, [int(i)]) for i, (x, y, w, h) in zip(beside, held)],
                       labels, ink.ink)  # fmt: skip
    if marks:
        taken = {label for mark in marks for label in mark.glyph.labels}
        glyphs = [g for g in glyphs if not taken.issuperset(g.labels)]
        height = float(np.median([g.height for g in glyphs]))
    glyphs = _join_fragments(glyphs, height)
    # A line of marks well below the digits' height is a dash or stray mark above or below the number.
    lines = [sorted(line, key=lambda g: g.x0) for line in _lines(glyphs) if max(g.height for g in line) >= 0.5 * height]
    if not lines:
        return "no digits: only small marks"
    return lines, marks, labels, sizes, height


def _rising(lines: list[list[Glyph]], height: float) -> float | None:
    """The turn (degrees, counter-clockwise, as ``cv2.getRotationMatrix2D`` turns) that makes level a
    number written rising or falling: glyphs taken for several lines (``_lines`` groups them by their
    rows) whose middles (of those at least half as tall as the tallest) lie along one straight line,
    within ONE_LINE of the digits' height of it, slanted at most SLANT_MOST. Else None (a number of
    two lines, or one already level)."""
    glyphs = [g for line in lines for g in line]
    tallest = max(g.height for g in glyphs)
    glyphs = [g for g in glyphs if g.height >= 0.5 * tallest]  # digits, not a 5's broken-off bar
    if len(lines) < 2 or len(glyphs) < 2:
        return None
    middles = np.array([((g.x0 + g.x1) / 2, (g.y0 + g.y1) / 2) for g in glyphs])
    middles -= middles.mean(0)
    (along, across) = np.linalg.svd(middles)[2]  # the straight line through them: its direction, its normal
    angle = math.degrees(math.atan2(along[1], along[0]))
    angle = angle - math.copysign(180, angle) if abs(angle) > 90 else angle  # pointing right
    if abs(angle) > SLANT_MOST or np.abs(middles @ across).max() > ONE_LINE * height:
        return None
    return angle


def _texture(glyph: Glyph, labels: np.ndarray, height: float) -> bool:
    """One glyph that is texture: more pieces, or holes per digit-width, than handwriting has."""
    return len(glyph.labels) > TEXTURE_PIECES or riddled(_holes(glyph, labels), glyph.width, height)


def _noise(glyphs: list[Glyph], labels: np.ndarray) -> bool:
    """Glyphs that together are noise: more pieces, or holes, on average than digits have."""
    pieces = sum(len(g.labels) for g in glyphs)
    holes = sum(_holes(g, labels) for g in glyphs)
    return pieces > PIECES_PER_DIGIT * len(glyphs) or holes > 20 + HOLES_PER_DIGIT * len(glyphs)


def _no_digit(glyph: Glyph, labels: np.ndarray) -> bool:
    """Whether the glyph is a blot, a dash, a tick or a cross (``pieces``)."""
    mask = glyph.pixels(labels)
    return blot(mask) or dash(mask) or tick(mask) or cross(mask)


def _holes(glyph: Glyph, labels: np.ndarray) -> int:
    """How many holes the glyph's ink has (pockets of paper it encloses)."""
    return holes(glyph.pixels(labels))


def _drop_flecks(stats: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop flecks of a pixel or two (FLECK at most) before merging: a dim or grainy photo's sensor
    noise. Merged, the flecks over and under a digit joined it, each reaching further, and
    stretched it to the image's edge (633681 read as 613681), or gave its glyph more pieces than
    handwriting has ("the image looks like noise"): until 2026-11-29 numbers photographed in dim
    light were read exactly 62–74 % of the time (``benchmarks/dim_light.py``). A printed i's dot,
    2×2 in small print, stays: it makes the i as tall as print is (a unit, "min", is told by it)."""
    keep = stats[:, cv2.CC_STAT_AREA] > FLECK
    return stats[keep], ids[keep]


def _drop_underlines(stats: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop long, flat strokes under other strokes (underlines) before merging, or they would join
    every digit above them. One with nothing above or below it is kept: a minus sign before a number
    (a dash alone is dropped later, ``_no_digit``; until 2026-11-29 a minus sign longer than 1.5
    of the digits' height was dropped here, and -525 read as 525)."""
    if len(stats) == 0:
        return stats, ids
    x, w, h = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    typical = _typical_height(stats)
    flat = (w > 1.5 * typical) & (h < 0.3 * typical)
    strokes = ~flat & (h >= 0.5 * typical)
    under = [bool(np.any(strokes & (x < x[i] + w[i]) & (x[i] < x + w))) for i in np.flatnonzero(flat)]
    keep = ~flat
    keep[np.flatnonzero(flat)[np.logical_not(under)]] = True
    return stats[keep], ids[keep]


def _drop_dot_rows(stats: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop printed rows of dots before merging: a form's dotted line to write on, dot-grid paper. A
    small piece (under DOT_ROW_SIZE of the typical height both ways) is one when DOT_ROW others or more
    are level with it (their middles within half the taller's height) and alike (each side within
    half to twice its), the nearest DOT_APART of its width away at least: the small letters of a
    printed word, as alike and level, stand closer (a form's label, dropped as such dots on the day
    this rule came, left its capitals to be read as digits). A number's own marks are never so many
    in a row (1.000.000 has two points). Until 2026-11-29 such dots between digits were read as
    points (0142 as 01.42, dot-grid paper's as colons) or joined to the digit beside them as slivers
    (363 as 368)."""
    if len(stats) <= DOT_ROW:
        return stats, ids
    w, h = stats[:, cv2.CC_STAT_WIDTH].astype(float), stats[:, cv2.CC_STAT_HEIGHT].astype(float)
    middle = stats[:, cv2.CC_STAT_TOP] + h / 2
    small = np.maximum(w, h) < DOT_ROW_SIZE * _typical_height(stats)
    within_twice = lambda v: np.abs(np.log(np.divide.outer(v, v))) <= np.log(2)  # noqa: E731
    level = np.abs(np.subtract.outer(middle, middle)) <= np.maximum.outer(h, h) / 2
    alike = level & within_twice(w) & within_twice(h) & np.outer(small, small)
    np.fill_diagonal(alike, False)
    x = stats[:, cv2.CC_STAT_LEFT].astype(float)
    past = np.subtract.outer(x, x + w)  # how far each piece starts past the end of each other
    gap = np.maximum(past, past.T)  # the paper between two pieces, across (negative: they overlap)
    nearest = np.where(alike, gap, np.inf).min(1, initial=np.inf)
    dots = (alike.sum(1) >= DOT_ROW) & (nearest >= DOT_APART * w)  # letters of a word stand closer
    return stats[~dots], ids[~dots]


def _typical_height(stats: np.ndarray) -> float:
    """The median height of the components that are not specks (at least a tenth of the largest's area)."""
    area = stats[:, cv2.CC_STAT_AREA]
    return float(np.median(stats[area >= 0.1 * area.max(), cv2.CC_STAT_HEIGHT]))


def _merge(stats: np.ndarray, ids: np.ndarray) -> list[Glyph]:
    """Group components that overlap horizontally by at least half of the narrower one and are close
    vertically, against the line's typical component height (the pieces of one digit; digits of two
    lines overlap horizontally but stand apart). Repeated until nothing changes, since a grown glyph
    can reach a piece that its first part did not."""
    glyphs = [Glyph(int(x), int(x + w), int(y), int(y + h), [int(i)]) for (x, y, w, h), i in zip(stats[:, :4], ids)]
    if not glyphs:
        return glyphs
    typical = _typical_height(stats)
    while True:
        merged: list[Glyph] = []
        for c in sorted(glyphs, key=lambda g: g.x0):
            for g in reversed(merged[-8:]):  # only recent neighbours can overlap a left-sorted glyph
                overlap = min(g.x1, c.x1) - max(g.x0, c.x0)
                gap = max(g.y0, c.y0) - min(g.y1, c.y1)  # vertical distance; negative when they overlap
                if overlap >= 0.5 * min(c.width, g.width) and gap < 0.25 * max(c.height, g.height, typical):
                    g.absorb(c)
                    break
            else:
                merged.append(c)
        if len(merged) == len(glyphs):
            return merged
        glyphs = merged


def _join_fragments(glyphs: list[Glyph], height: float) -> list[Glyph]:
    """Join a fragment to the glyph beside it on the same line: a narrow or flat piece that (nearly)
    touches it (the bar of a 5 that sticks out to the right, the broken-off stem of a 4), or a short
    sliver a little further off (a broken stroke; a real 1 is as tall as its neighbours). Two digits
    joined by mistake are cut again by ``_split``."""
    joined: list[Glyph] = []
    for g in sorted(glyphs, key=lambda g: g.x0):
        prev = joined[-1] if joined else None
        if prev is not None and _belong_together(prev, g, height):
            prev.absorb(g)
        else:
            joined.append(g)
    return joined


def _belong_together(left: Glyph, right: Glyph, height: float) -> bool:
    if min(left.y1, right.y1) - max(left.y0, right.y0) <= -0.2 * height:  # not on the same line
        return False
    gap = right.x0 - left.x1
    fragment = lambda g: g.width < 0.3 * height or g.height < 0.5 * height  # noqa: E731
    sliver = lambda g: g.width < 0.15 * height and g.height < 0.75 * height  # noqa: E731
    return (gap < 0.1 * height and (fragment(left) or fragment(right))) or (
        gap < 0.3 * height and (sliver(left) or sliver(right))
    )


def _drop_non_digits(glyphs: list[Glyph]) -> list[Glyph]:
    """Drop the pieces tiny against the line's digits (specks; those under MIN_SIDE both ways, as a
    single digit's are, pieces.MIN_SIDE, are out before ``_drop_printed``)."""
    if not glyphs:
        return glyphs
    tallest = max(g.height for g in glyphs)
    height = float(np.median([g.height for g in glyphs if g.height >= 0.4 * tallest]))
    return [g for g in glyphs if max(g.height, g.width) >= 0.3 * height]


def _drop_printed(glyphs: list[Glyph]) -> list[Glyph]:
    """Drop small print: a form's printed label before a handwritten number ("Total:", "Zip code") and
    a unit after it ("kg"), word by word from either end of a line (``_print``); and a line that is all
    print, three glyphs or more each under PRINT_LINE of the tallest line's digit height (a label
    above or below the field; two small glyphs alone may be two small digits). Run before specks are
    dropped, so that a word's small letters count (an "N" whose "o." are specks)."""
    lines = [sorted(line, key=lambda g: g.x0) for line in _lines(glyphs)]
    heights = [_digit_height(line) for line in lines]
    tallest = max(heights, default=0.0)
    kept = []
    for line, digit in zip(lines, heights):
        alone = len(line) >= 3 and max(g.height for g in line) < PRINT_LINE * tallest
        if alone and _print(line, tallest, _AFTER, 0) == len(line):
            continue
        start, stop = _print(line, digit, _AFTER), len(line) - _print(line[::-1], digit, _BEFORE)
        kept += line[start:stop]
    ids = {id(g) for g in kept}
    return [g for g in glyphs if id(g) in ids]


def _digit_height(line: list[Glyph]) -> float:
    """A line's digit height: the median height of its glyphs at least 0.6 of its tallest."""
    tallest = max(g.height for g in line)
    return float(np.median([g.height for g in line if g.height >= 0.6 * tallest]))


_AFTER = lambda outer, inner: inner.x0 - outer.x1  # noqa: E731  the gap from one glyph to the next, left to right
_BEFORE = lambda outer, inner: outer.x0 - inner.x1  # noqa: E731  right to left


def _print(line: list[Glyph], digit: float, gap: Callable[[Glyph, Glyph], int], keep: int = 1) -> int:
    """How many glyphs from the line's outer end (``line`` in that order; ``gap`` between two glyphs
    in it) are words of small print against its ``digit`` height. A word is letters set close (each
    PRINT_SPACE of its height or less from the one before), each under PRINT_MOST of the digit
    height, half of them under PRINT; two of them at least as tall as half the word's tallest standing
    on one line (their feet PRINT_FOOT of its height apart at most). A comma or a full stop does not
    make a word (a digit written small beside a mark is kept), nor do the pieces of a broken digit,
    one above the other; specks among the letters go with them. The last ``keep`` glyphs are never
    print: a line's last glyph, unless the whole line is print."""
    done = 0
    while True:
        letters: list[int] = []
        for i in range(done, len(line) - keep):
            glyph = line[i]
            if glyph.height >= PRINT_MOST * digit:
                break
            if letters and gap(line[letters[-1]], glyph) > PRINT_SPACE * max(glyph.height, line[letters[-1]].height):
                break
            letters.append(i)
        while letters and np.median([line[i].height for i in letters]) >= PRINT * digit:
            letters.pop()  # taller glyphs at the inner end may be small digits
        if len(letters) < 2:
            return done
        tallest = max(line[i].height for i in letters)
        feet = np.array([line[i].y1 for i in letters if line[i].height >= 0.5 * tallest])
        if np.sum(np.abs(feet - np.median(feet)) <= PRINT_FOOT * tallest) < 2:
            return done  # not two letters standing on one line
        done = letters[-1] + 1


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
    return ink[glyph.y0 : glyph.y1, glyph.x0 : glyph.x1], glyph.pixels(labels)


def _image(glyph: Glyph, labels: np.ndarray, ink: np.ndarray) -> np.ndarray:
    crop, mask = _glyph_ink(glyph, labels, ink)
    return piece_image(crop, mask, 0, glyph.width)


def piece_image(crop: np.ndarray, mask: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The 28×28 image of the columns [start, stop) of a glyph's own ink and mask (what ``_part``
    cuts out), its empty rows dropped: cut pieces are imaged without looking their components up again,
    and the one-digit model's training pieces (synthetic.one_digit_pieces) are imaged the same way."""
    rows = np.flatnonzero(mask[:, start:stop].any(1))
    window = slice(rows[0], rows[-1] + 1), slice(start, stop)
    return to_mnist(crop[window], mask[window])


def _split(
    glyph: Glyph, labels: np.ndarray, ink: np.ndarray, height: float, models: tuple[Classifier, OneDigit]
) -> list[Glyph]:
    """Cut a glyph that may hold touching digits, by recognition: every way of cutting it at candidate
    places is scored by how sure the models are that each piece is one digit, and the best one wins
    (keeping it whole is one of the ways)."""
    if glyph.width < SPLIT_FROM * height:
        return [glyph]
    crop, mask = _glyph_ink(glyph, labels, ink)
    if glyph.width < SURE_UNTIL * height and _sure(models, piece_image(crop, mask, 0, glyph.width)[None])[0] >= SURE:
        return [glyph]  # a wide but clearly single digit (a 2, a 5): no need to try cuts
    column_ink = (crop * mask).sum(0)
    points = [0, *_cut_candidates(column_ink, height), glyph.width]
    spans = [
        (i, j) for i in range(len(points)) for j in range(i + 1, len(points))
        if 0.12 * height <= points[j] - points[i] <= 1.3 * height or (i, j) == (0, len(points) - 1)
    ]  # fmt: skip
    parts = {span: _part(glyph, mask, points[span[0]], points[span[1]]) for span in spans}
    parts = {span: part for span, part in parts.items() if part is not None}
    if len(parts) <= 1:
        return [glyph]
    order = list(parts)
    images = np.stack([piece_image(crop, mask, points[i], points[j]) for i, j in order])
    widths = {span: (points[span[1]] - points[span[0]]) / height for span in order}
    price = np.array([  # a price per digit, and doubt about pieces too wide or too short
        CUT_COST
        + WIDE_COST * max(0.0, widths[span] - 1.1)
        + SHORT_COST * max(0.0, SHORT - parts[span].height / height)
        for span in order
    ])  # fmt: skip
    # Cutting through strokes has a price too: two digits that touch meet in one stroke or two, while a
    # cut through one digit (the middle of a 3, the loop of a 9) crosses several. A piece wider than
    # CROSS_UNTIL line heights holds several digits anyway: there the strokes cut are no evidence.
    crossings = np.diff(mask.view(np.int8), axis=0, prepend=0).clip(0).sum(0)
    cross = CROSS_COST if glyph.width < CROSS_UNTIL * height else 0.0
    cut = [cross * float(crossings[min(p, glyph.width - 1)]) for p in points]
    path = _best_reading(len(points), order, images, price, cut, models)
    return [parts[span] for span in path] if path else [glyph]


def _best_reading(
    n: int,
    spans: list[tuple[int, int]],
    images: np.ndarray,
    price: np.ndarray,
    cut: list[float],
    models: tuple[Classifier, OneDigit],
) -> list[tuple[int, int]]:
    """The best path of ``_best_path`` when each span scores the log of how sure the models are that its
    piece is one digit (``_sure``), less its ``price``; the classifier reads only the pieces it must.

    The one-digit model, which is cheap, rates every piece. The classifier, which costs far more, reads
    none at first: its confidence is taken as 1, which can only overrate a piece. Whenever the best path
    goes through pieces not yet read, the classifier reads them and the path is found again. A best
    path of pieces all read is then the best of all, so the answer is the one reading every piece would
    give, for a fraction of the classifier's work (on touching numbers, 8–9 % of the pieces are read)."""
    classify, one_digit = models
    rated = one_digit(images) ** ONE_DIGIT_WEIGHT
    confidence = np.ones(len(spans))
    unread = np.ones(len(spans), bool)
    index = {span: k for k, span in enumerate(spans)}
    while True:
        worth = dict(zip(spans, (np.log(confidence * rated + 1e-9) - price).tolist()))
        path = _best_path(n, worth, cut)
        now = [index[span] for span in path if unread[index[span]]]
        if not now:
            return path
        confidence[now] = classify(images[now]).max(1)
        unread[now] = False


def _sure(models: tuple[Classifier, OneDigit], images: np.ndarray) -> np.ndarray:
    """How sure (N,) that each piece is one digit: the classifier's confidence times the one-digit
    model's probability to the power ONE_DIGIT_WEIGHT."""
    classify, one_digit = models
    return classify(images).max(1) * one_digit(images) ** ONE_DIGIT_WEIGHT


def _best_path(n: int, score: dict[tuple[int, int], float], cut: list[float]) -> list[tuple[int, int]]:
    """The spans (i, j) that lead from point 0 to point n - 1 with the highest total score, paying
    ``cut[i]`` at every inner point i where a cut is made (dynamic programming, left to right); [] if none."""
    best, back = {0: 0.0}, {}
    for j in range(1, n):
        for i in range(j):
            if i in best and (i, j) in score:
                total = best[i] + score[(i, j)] - (cut[i] if i else 0.0)
                if total > best.get(j, -np.inf):
                    best[j], back[j] = total, i
    if n - 1 not in best:
        return []
    path, end = [], n - 1
    while end:
        path.append((back[end], end))
        end = back[end]
    return path[::-1]


# Tuned on touching and separated numbers drawn with seeds 1–4 (benchmarks/handwritten_numbers.py reports seed 0).
ONE_DIGIT_WEIGHT = 0.5  # the one-digit model's say: 1 splits more touching digits and more single wide ones
SPLIT_FROM = 0.5  # line heights: a narrower piece is one digit, never cut (two touching 1s can be this narrow)
SURE_UNTIL, SURE = 1.2, 0.8  # a piece narrower than this that is this surely one digit is not cut either
CUT_PLACES = 56  # cut columns to try per piece, up to half at the thinnest (first one-digit model: 14 read 72.5 %,
# 28 75.7 % of touching numbers)
CUT_STEP = 0.125  # line heights between the other cut columns, the grid
CUT_APART = 0.06  # line heights: no two cut columns closer than this
# (A grid of 0.25 with CUT_APART 0.08 and CUT_PLACES 28 read 79.2 % of the tuning seeds' touching numbers; these 83 %.)
CUT_COST = 0.3  # log-confidence each extra digit must earn: fragments of one digit often look like digits
CROSS_COST = 0.15  # log-confidence per stroke a cut goes through
CROSS_UNTIL = 1.3  # line heights: a piece at least this wide holds several digits, cut strokes or not
WIDE_COST = 3.0  # per line-height of width beyond 1.1: one digit is rarely wider than it is tall
SHORT, SHORT_COST = 0.75, 3.0  # per line-height a piece falls short of 0.75: a cut-off stroke, not a digit


def _cut_candidates(column_ink: np.ndarray, height: float) -> list[int]:
    """Places to try a cut: the thinnest columns (local minima of the ink) and a regular grid."""
    width = len(column_ink)
    smooth = np.convolve(column_ink, np.ones(3) / 3, mode="same")
    inner = np.arange(2, width - 2)
    minima = inner[(smooth[inner] <= smooth[inner - 1]) & (smooth[inner] <= smooth[inner + 1])]
    minima = minima[np.argsort(smooth[minima])][: CUT_PLACES // 2]
    step = max(2, int(CUT_STEP * height))
    grid = np.arange(step, width - 2, step)
    chosen: list[int] = []
    for x in [*minima, *grid]:  # minima first; grid points only where no minimum is near
        if all(abs(x - c) >= CUT_APART * height for c in chosen):
            chosen.append(int(x))
    return sorted(chosen[:CUT_PLACES])


def _part(glyph: Glyph, mask: np.ndarray, start: int, stop: int) -> Glyph | None:
    """The columns [start, stop) of a glyph as a glyph of its own (labels kept; the window does the
    cut), or None when they hold no ink."""
    rows = np.flatnonzero(mask[:, start:stop].any(1))
    if len(rows) == 0:
        return None
    return Glyph(glyph.x0 + start, glyph.x0 + stop, glyph.y0 + int(rows[0]), glyph.y0 + int(rows[-1]) + 1, glyph.labels)


def _box(
    glyph: Glyph, scale: tuple[float, float], shape: tuple[int, int], to_input: np.ndarray
) -> tuple[int, int, int, int]:
    return input_box(slice(glyph.y0, glyph.y1), slice(glyph.x0, glyph.x1), scale, shape, to_input)
