"""A grayscale image of a handwritten digit → the 28×28 the model was trained on, or "no digit".

The steps, in order:

0. *A picture inside the image?* (``picture.py``) A digit plotted with matplotlib, a canvas in a
   screenshot, a note or a sheet photographed on a desk: only the picture is read.
1. *Ink map.* Decide the polarity (dark ink on light paper, or light on dark) from which tail of the
   grey levels stands out from the border (inside a frame drawn along it: a form's box cropped at
   its outer edge would pass for the paper), and turn the image into "ink" (1 = stroke). Images larger
   than ``WORK_SIDE`` are reduced by max-pooling the ink, which keeps hairline pencil strokes (a long
   strip no further than ``STRIP_SIDE`` across: a row of many digits). An
   image enlarged by repeating its pixels (a whole number of times or by a fraction), or a crop of
   one, is read at its own size, and so is one enlarged with bilinear pixels from at most
   ``SMOOTH_MAX`` a side. A
   blurred image (out of focus, or enlarged from a small one) is reduced further, by averaging,
   until its sharpest edges look like sharp strokes' edges: the resolution it really has, where
   the blur no longer leaves soft, noisy edges that read as texture or smudges.
2. *Clean-up.* Subtract a smooth background estimate (uneven light, shadows, grey or coloured paper),
   normalise the contrast, threshold; drop ruled or grid lines (ink runs across ≥ 85 % of the image,
   in bands thin for their length: a bold digit cropped tight spans the image too), the sides of a
   box drawn around the digit (a form's cell) and specks (small components away from the digit).
3. *No digit?* Too little contrast, no component of any size (too few pixels, or under ``MIN_SIDE``
   both ways: a fleck of paper grain), or noise everywhere (ink over ``NOISE_COVER`` of the image,
   unless it is mostly one piece with few holes: a digit cropped tight to its edges; or many pieces
   with none holding much of the ink, unless the would-be digit stands on clean paper) → no digit. A
   large piece riddled with holes (a grainy band where the light fades on a photo; pinholes far
   smaller than the strokes are wide, as JPEG leaves, do not count) is texture and is
   never taken for the digit, nor are the grains inside its box, nor a circle drawn around the digit
   or a line drawn under it, nor things lying on the paper beside the writing (``objects``: a blot
   such as a coin, shading such as a thumb's, or strokes far wider than the writing's, such as a
   pen's). Ink with no edges, most of it far below its peaks (smudges, shading), is no digit
   either, nor is a blot (strokes as wide as a filled disc's).
4. *LeCun's recipe.* Crop the ink's bounding box; bring thin strokes to MNIST's stroke width; fit into
   20×20 keeping the aspect ratio, with area-averaged (anti-aliased) grey levels; place it in 28×28
   so that its centre of mass is at MNIST's, (14, 14).

An MNIST image (28×28, white on black, centred) comes out essentially unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from .picture import SQUARE, border_level, inner_picture, quantile

WORK_SIDE = 1024  # longest side the clean-up works at...
STRIP_SIDE = 256  # ...unless that takes a long strip's short side (a row of many digits) under this
BLOCKS_MIN = 8  # px a side: an image enlarged by repeating its pixels is read at its own size, if this big
SMOOTH_MAX = 64  # px a side: the largest own size looked for in an image enlarged with bilinear pixels...
SMOOTH_FACTOR = 3  # ...at least this many times over (twice over, blurred noise fits as well as an enlargement)
SMOOTH_BEND = 2.5 / 255  # a bilinear enlargement's second differences between its knots (8-bit rounding)
SMOOTH_FIT = 1.5 / 255  # the most a pixel differs from the bilinear enlargement of the image at its own size
MIN_CONTRAST = 0.12  # weakest ink, as a fraction of full scale, still read as ink
INK_THRESHOLD = 0.35  # of the normalised ink: what counts as stroke
LINE_SPAN = 0.85  # a run of ink this long (fraction of the image) is a ruled or grid line...
LINE_THICKNESS = 0.04  # ...if its band is at most this thick for its length (or 2 px): else a digit's bold stroke
FRAME_BAND = 0.15  # a frame around the digit has its sides in this outer share of its box
MNIST_STROKE = 0.14  # median MNIST stroke width / the 20 px box (measured on the test set)
MNIST_COM = (14.0, 14.0)  # mean centre of mass of MNIST digits (row, column)
NOISE_COVER = 0.45  # ink over this fraction of the image is noise or texture, not handwriting...
TIGHT_SHARE = 0.5  # ...unless this share of it is one piece, not riddled: a digit cropped tight (crowded)
MIN_SIDE = 5  # working pixels: a mark shorter than this both ways is a speck (paper grain), never a digit
SMALL_DIGIT = 8  # working pixels: a piece this tall with ALONE times the ink of the next largest piece
ALONE = 3  # is a digit on clean paper, however few pixels it has for the image's size (specks)
TEXTURE_HOLES = 10  # holes per digit-width beyond which a piece of ink is texture (a digit has at most 2)
PINHOLE = 0.35  # a hole under (this × the ink's mean stroke width)² px is a pinhole in a stroke, not counted
SIDE_BY_SIDE = 0.5  # a group of columns with ink this tall (of the tallest) beside another: several digits
APART = 0.25  # a piece apart from the digit with this share of its ink, and as tall: another digit
RING_HOLDS = 0.1  # a piece whose holes hold this much other ink (of its own) is a ring drawn around the digit
STROKE_CORE = 0.6  # of the normalised ink: a stroke's core, well inside its edges
SMUDGE_CORE = 0.5  # ink with less of its stroke pixels in the core has no edges: smudges or shading
BLOT_WIDTH = 0.35  # strokes wider than this share of the digit's longest side are a blot (digits: at most 0.27)
OBJECT_WIDTH = 2  # a piece whose strokes are this many times as wide as the writing's, which is
OBJECT_LENGTH = 2  # this many times as long as any piece of it is tall, and which fills
BAR_FILL = 0.9  # this share of its minimum-area rectangle is an object lying beside it (a pen, a pencil)
SMUDGE = "no digit: only smudges or shading, no pen strokes"
NOISE = "no digit: the image looks like noise"
BLUR_TARGET = 0.8  # px: a blurred image is reduced until its sharpest edges are about this wide
BLUR_MIN_SIDE = 24  # px: reducing a blurred image stops before its longest side is shorter than this (a 16 px
# digit enlarged smoothly to 64 px is reduced to 32 px; at 40 it was not, and 8 % of such were smudges, 41 % from 12 px)
BLUR_MAX_COVER = 0.25  # ink over more of the image is noise (uniform noise: 43-45 %), never taken for blur


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


@dataclass
class InkMap:
    ink: np.ndarray  # float32 in [0, 1], background ≈ 0, at working resolution
    mask: np.ndarray  # bool: stroke pixels after removing lines
    scale: tuple[float, float]  # input pixels per working pixel, down and across
    dark_on_light: bool
    reason: str | None = None  # set when the image holds no ink at all


def prepare(gray: np.ndarray) -> Prepared:
    """Grayscale float image in [0, 1] → the model's 28×28 input, or the reason there is no digit."""
    gray, to_input = inner_picture(gray)
    ink = ink_map(gray)
    digit_mask, reason, apart = find_digit(ink)
    if reason is None and (smudged(ink.ink[digit_mask]) or blot(digit_mask)):
        reason = SMUDGE
    if reason:
        return Prepared(None, None, reason, ink.dark_on_light)
    x, y, w, h = cv2.boundingRect(digit_mask.view(np.uint8))
    rows, cols = slice(y, y + h), slice(x, x + w)
    box = input_box(rows, cols, ink.scale, gray.shape, to_input)
    digit = digit_mask[rows, cols]
    groups = side_by_side(digit) + apart
    return Prepared(to_mnist(ink.ink[rows, cols], digit), box, None, ink.dark_on_light, groups)


def side_by_side(mask: np.ndarray) -> int:
    """How many groups of columns with ink, paper between them, are at least SIDE_BY_SIDE as tall as the
    tallest: 1 for a digit (a 5's bar or a 1's dot lies above or beside its body, not in a column of its
    own), more for a number read as one digit (``find_digit`` adds the digits apart from the one read;
    touching digits, one piece, are the one-digit model's to flag: ``recognizer.WIDE``)."""
    columns = mask.any(axis=0)
    if columns.all():  # one group, the mask being cropped to the ink: most digits
        return 1
    edges = np.flatnonzero(np.diff(np.concatenate(([0], columns.view(np.int8), [0]))))
    heights = [np.ptp(np.flatnonzero(mask[:, a:b].any(axis=1))) + 1 for a, b in zip(edges[::2], edges[1::2])]
    return int(sum(height >= SIDE_BY_SIDE * max(heights) for height in heights))


def find_digit(ink: InkMap) -> tuple[np.ndarray | None, str | None, int]:
    """The stroke pixels that make up the digit (a mask over the ink map), or why there is none; and
    how many pieces as large and as tall as a digit lie apart from it (the other digits of a number)."""
    if ink.reason:
        return None, ink.reason, 0
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.mask.view(np.uint8), connectivity=8)
    texture, rings = texture_and_rings(stats, labels)
    if crowded(stats, labels.size, texture):
        return None, NOISE, 0
    left_out = rings + objects(stats, labels, ink.ink, texture)
    keep, reason, apart = _digit_components(stats[1:], labels.size, texture, left_out)
    if reason:
        return None, reason, 0
    chosen = np.zeros(count, bool)
    chosen[keep + 1] = True
    return chosen[labels], None, apart


# ---------------------------------------------------------------------------------------------
# 1–2. Ink map and clean-up


def ink_map(gray: np.ndarray) -> InkMap:
    """Polarity, reduction to the working size, background removal, contrast and the stroke mask.

    An image enlarged by repeating its pixels (``pixel_grid``) or with bilinear pixels
    (``smooth_enlargement``) is worked on at its own size.

    A blurred image (out of focus, or enlarged from a small one) is worked on at the resolution it
    really has: reduced, by averaging, until its sharpest edges are about ``BLUR_TARGET`` pixels wide."""
    grid = pixel_grid(gray)
    own = gray[np.ix_(*grid)] if grid is not None else smooth_enlargement(gray)
    own = gray if own is None else own
    step = (gray.shape[0] / own.shape[0], gray.shape[1] / own.shape[1])
    scale = working_scale(own.shape)
    sharp = _ink_map(own, scale, step, pooled=_pool_min_max)
    factor = blur_factor(sharp)
    if factor < 2:
        return sharp
    return _ink_map(own, scale * factor, step, pooled=_pool_mean)


def working_scale(shape: tuple[int, int]) -> int:
    """Input pixels per working pixel: enough to bring the longest side to WORK_SIDE, but no more than
    keeps the shortest at STRIP_SIDE. Until 2026-11-28 a row of 50 digits written 80 px tall (3,800 px
    long) was reduced four times, its digits to 15 px, and misread; a photo is reduced as before."""
    longest, shortest = max(shape), min(shape)
    return max(1, min(-(-longest // WORK_SIDE), -(-shortest // STRIP_SIDE)))


def pixel_grid(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """If the image was enlarged by repeating its pixels (nearest neighbour: a small digit shown big,
    a whole number of times or by a fraction, each pixel 12 or 13 input pixels wide; or a crop of
    such an image, its outer pixels cut), one input row and one input column for each of its own
    pixels: the image at its own size is ``gray[np.ix_(rows, columns)]``. Else None. An 8×8 digit
    enlarged so was read as its blocks' staircase outline.

    It is such an enlargement when every change from one row to the next falls within half a pixel
    of the edges of a grid of equal cells, at least 2 input pixels high and within a pixel of the
    shortest run of identical rows between two changes, and so for the columns; the image it stands
    for keeps at least BLOCKS_MIN pixels a side. Where several grids fit (a narrow "1" has few changes
    across), the coarsest is taken."""
    h, w = gray.shape
    if min(h, w) < 2 * BLOCKS_MIN:
        return None
    # First on a few columns and rows: a row unlike the next in them is unlike it in the whole image,
    # so any photo or smooth drawing is told at once.
    if min(_runs(gray[:, :: max(1, w // 16)])) < 2 or min(_runs(gray[:: max(1, h // 16)].T)) < 2:
        return None
    rows = _grid(gray)
    columns = None if rows is None else _grid(gray.T)
    return None if columns is None else (rows, columns)


def _grid(pixels: np.ndarray) -> np.ndarray | None:
    """``pixel_grid`` down the rows of ``pixels``: the middle row of each cell, or None.

    For each number of cells between the first change and the last (fewest first), cell sizes that
    make that span within a pixel are tried: each change's distance past its nearest edge (counting
    from the first change) must fit within 1.1 px (a pixel, and a little for rounding) for some
    offset of the grid. The size and offset giving the fewest cells are taken: fewer than BLOCKS_MIN,
    and the image is too small to be read at its own size (a finer grid with cells cut at the ends
    would fit too, but not be the image's pixels). Rows exactly on a cell's edge go either way (PIL
    rounds (y + 0.5)·own/h, and floating point puts such rows on either side), so the grid is read at
    each cell's middle row, and accepted only if every run of identical rows gets one."""
    h = len(pixels)
    changes = _changes(pixels)
    if len(changes) < 2:
        return None
    shortest = int(np.diff(changes).min())  # one cell, give or take a pixel
    span = int(changes[-1] - changes[0])
    for cells in range(-(-span // (shortest + 1)), span // max(shortest - 1, 2) + 1):
        size = np.linspace((span - 1) / cells, (span + 1) / cells, 101)
        size = size[(size >= 2) & (size <= shortest + 1)]
        past = changes - np.rint((changes - changes[0]) / size[:, None]) * size[:, None]
        low, high = past.max(1) - 0.55, past.min(1) + 0.55  # the offsets that fit
        fit = low <= high
        if not fit.any():
            continue
        size, low, high = size[fit, None], low[fit, None], high[fit, None]
        offset = low + (high - low) * np.linspace(0, 1, 12)
        count = np.floor((h - 0.5 - offset) / size) - np.floor((0.5 - offset) / size) + 1
        for i, j in zip(*np.unravel_index(np.argsort(count, axis=None, kind="stable"), count.shape)):
            cell = np.floor((np.arange(h) + 0.5 - offset[i, j]) / size[i, 0])
            starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
            middle = (starts + np.r_[starts[1:], h]) // 2
            if np.all(np.diff(np.searchsorted(middle, np.r_[0, changes, h])) >= 1):
                return middle if len(middle) >= BLOCKS_MIN else None  # a finer grid would fit, but not be it
    return None


def smooth_enlargement(gray: np.ndarray) -> np.ndarray | None:
    """If the image was enlarged with bilinear pixels (OpenCV's ``INTER_LINEAR``, PIL's ``BILINEAR``)
    from one BLOCKS_MIN to SMOOTH_MAX pixels a side, by at least SMOOTH_FACTOR both ways, that image at
    its own size; else None. An 8×8 digit enlarged so to 64 px was read as a smudge. Enlargements of
    MNIST digits fit within 0.75-1.3/255 (8-bit rounding); noise blurred by a Gaussian of σ = 3 px,
    64 px a side (``synthetic.textures``' blotches), fits as well twice over (0.73-0.91/255: read
    so, 2 of 40 were digits), but three times over at best within 2.0/255 (20 of them, a ``/tmp`` run).

    Such an image runs in straight lines between knots, its own pixels' centres, down every column
    and along every row: first looked for on about 32 columns and 32 rows spread across it (a
    photo's noise, or a sharp edge, rules out every size at once), then the least-squares fit of
    the image at that size is enlarged and must be within SMOOTH_FIT of every pixel. The fewest
    pixels that fit are taken.
    Bicubic enlargements (PIL's default) overshoot and are clipped, and are read as blurred images."""
    h, w = gray.shape
    if min(h, w) < SMOOTH_FACTOR * BLOCKS_MIN:
        return None
    columns, rows = gray[:, :: max(1, w // 32)], gray[:: max(1, h // 32)].T
    if np.ptp(columns, axis=0).max() < MIN_CONTRAST:
        return None
    for high in _bilinear_sizes(columns):
        wide = round(high * w / h)
        if wide not in _bilinear_sizes(rows, (wide,)):
            continue
        down, along = _bilinear(high, h), _bilinear(wide, w)
        own = np.linalg.pinv(down) @ gray @ np.linalg.pinv(along).T
        if np.abs(gray - down @ own @ along.T).max() <= SMOOTH_FIT:
            return np.clip(own, 0, 1).astype(gray.dtype)
    return None


def _bilinear_sizes(lines: np.ndarray, sizes=None) -> list[int]:
    """The own sizes (of ``sizes``, else all from BLOCKS_MIN up) at which ``lines`` (each a column of
    the array, down the image) are a bilinear enlargement: straight between the knots, within
    SMOOTH_BEND. Enlarged by f, a line bends by at most 2 / f at a knot (grey levels in [0, 1]); and
    it bends at two pixels around each knot at most."""
    length = len(lines)
    bends = np.abs(np.diff(lines, 2, axis=0))
    top = min(SMOOTH_MAX, length // SMOOTH_FACTOR)
    if np.count_nonzero(bends > SMOOTH_BEND, axis=0).max() > 2 * top:
        return []
    low = max(BLOCKS_MIN, math.ceil(length * (bends.max() - SMOOTH_BEND) / 2))
    return [n for n in (range(low, top + 1) if sizes is None else sizes) if low <= n <= top and _straight(bends, n)]


def _straight(bends: np.ndarray, size: int) -> bool:
    """Whether ``bends`` (second differences down lines ``len(bends) + 2`` long) are within
    SMOOTH_BEND wherever no knot of a bilinear enlargement from ``size`` pixels lies between the
    pixels either side."""
    length = len(bends) + 2
    knots = (np.arange(size) + 0.5) * length / size - 0.5
    middle = np.arange(1, length - 1)
    after = np.searchsorted(knots, middle - 1, side="right")  # the first knot past the pixel before
    bent = (after < size) & (knots[np.minimum(after, size - 1)] < middle + 1)
    return bool(np.all(bends[~bent] <= SMOOTH_BEND))


def _bilinear(size: int, length: int) -> np.ndarray:
    """The matrix (length × size) that enlarges a line of ``size`` pixels to ``length`` as OpenCV's
    ``INTER_LINEAR`` does (and PIL's ``BILINEAR``): pixel centres aligned, the ends held."""
    return cv2.resize(np.eye(size, dtype=np.float32), (size, length), interpolation=cv2.INTER_LINEAR).astype(np.float64)


def _runs(pixels: np.ndarray) -> np.ndarray:
    """The lengths of the runs of consecutive identical rows of ``pixels``, top to bottom."""
    return np.diff(np.concatenate(([0], _changes(pixels), [len(pixels)])))


def _changes(pixels: np.ndarray) -> np.ndarray:
    """The rows of ``pixels`` unlike the row before them."""
    return np.flatnonzero(np.any(pixels[1:] != pixels[:-1], axis=1)) + 1


def _ink_map(gray: np.ndarray, scale: int, step: tuple[float, float], pooled) -> InkMap:
    """The ink map at ``scale`` pixels of ``gray`` per working pixel, the grey levels pooled by ``pooled``;
    each of those pixels is ``step`` input pixels high and wide."""
    lowest, highest = pooled(gray, scale)
    per_pixel = (scale * step[0], scale * step[1])
    dark = 1.0 - lowest  # ink if strokes are dark
    light = highest  # ink if strokes are light
    dark_on_light = _standout(dark) >= _standout(light)
    raw = dark if dark_on_light else light
    ink = np.clip(raw - (background := _background(raw)), 0, None) / np.maximum(1 - background, 0.2)
    strength = cv2.blur(ink, (3, 3)).max()
    if strength < MIN_CONTRAST:
        blank = "no digit: the image is blank or uniform"
        return InkMap(ink, np.zeros(ink.shape, bool), per_pixel, dark_on_light, blank)
    ink = np.clip(ink / strength, 0, 1)
    mask = ink > INK_THRESHOLD
    lines = _lines(mask)
    strokes = mask & ~lines
    # Keep line pixels where a stroke crosses a line, so the line does not cut the digit in pieces.
    mask = strokes | (lines & cv2.dilate(strokes.view(np.uint8), SQUARE).view(bool))
    return InkMap(ink.astype(np.float32), mask, per_pixel, dark_on_light)


def blur_width(ink: np.ndarray) -> float:
    """How blurred the sharpest stroke edges are, in pixels (0 when there are too few edges to tell):
    the distance over which the ink, lightly smoothed, rises from 0.3 to 0.7 at the steepest 1 % of
    such edge pixels. Sharp strokes measure 1.1 to 1.5 px; after a Gaussian blur of sigma s, about s /
    2 to s. The steepest edges, not the typical ones: paper grain beside a sharp digit is all soft
    edges, and must not make the digit look blurred."""
    return _steepest_width(*_edge_slopes(ink))


def _edge_slopes(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The edge pixels (the lightly smoothed ink between 0.3 and 0.7) and the smoothed ink's slopes."""
    smooth = cv2.GaussianBlur(ink, (0, 0), 1.0)
    edges = (smooth > 0.3) & (smooth < 0.7)
    dx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3, scale=1 / 8)
    dy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3, scale=1 / 8)
    return edges, dx, dy


def _steepest_width(edges: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> float:
    """``blur_width`` over the pixels of ``edges``."""
    if np.count_nonzero(edges) < 10:
        return 0.0
    return 0.38 / max(quantile(np.hypot(dx[edges], dy[edges]), 0.99), 1e-6)


def blur_factor(ink: InkMap) -> int:
    """How many times to reduce a blurred ink map so that its sharpest edges are about BLUR_TARGET px
    wide, keeping its longest side at least BLUR_MIN_SIDE (1: not blurred)."""
    most = max(ink.ink.shape) // BLUR_MIN_SIDE
    if ink.reason or most < 2 or np.count_nonzero(ink.mask) > BLUR_MAX_COVER * ink.mask.size:  # or noise
        return 1
    edges, dx, dy = _edge_slopes(ink.ink)
    if _steepest_width(edges, dx, dy) < 2 * BLUR_TARGET:  # sharp: the common case, decided without the pieces
        return 1
    # Specks of grain look soft once smoothed: measure only the edges of pieces larger than specks.
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink.mask.view(np.uint8), connectivity=8)
    large = stats[:, cv2.CC_STAT_AREA] >= speck_limit(labels.size)
    large[0] = False
    near = cv2.dilate(large[labels].view(np.uint8), SQUARE).view(bool)
    return max(1, int(min(_steepest_width(edges & near, dx, dy) // BLUR_TARGET, most)))


def _pool_min_max(gray: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The minimum and the maximum of every k × k block, padding once with the edge values."""
    if k == 1:
        gray = gray.astype(np.float32, copy=False)
        return gray, gray
    h, w = gray.shape
    padded = np.pad(gray, ((0, -h % k), (0, -w % k)), mode="edge")
    blocks = padded.reshape(padded.shape[0] // k, k, padded.shape[1] // k, k)
    # Across rows first, whose elements lie contiguous: three times faster on a 12-megapixel photo than
    # reducing each row's k neighbours first.
    return tuple(reduce(reduce(blocks, axis=1), axis=2).astype(np.float32) for reduce in (np.min, np.max))


def _pool_mean(gray: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The mean of every k × k block (padding with the edge values), as both the lowest and the highest
    level: a blurred image has no hairline to keep, and averaging takes out the noise."""
    h, w = gray.shape
    padded = np.pad(gray.astype(np.float32, copy=False), ((0, -h % k), (0, -w % k)), mode="edge")
    mean = cv2.resize(padded, (padded.shape[1] // k, padded.shape[0] // k), interpolation=cv2.INTER_AREA)
    return mean, mean


def _standout(ink: np.ndarray) -> float:
    """How far the strongest ink stands out from the border's level (the paper), inside any frame
    drawn along the border."""
    rows, cols = _inside_frame(ink)
    return quantile(ink.ravel(), 0.999) - border_level(ink[rows, cols])


def _inside_frame(ink: np.ndarray) -> tuple[slice, slice]:
    """The image less a frame along its edges (a form's box cropped at its outer edge), which would
    pass for the paper: on all four sides, edge lines (up to a tenth of the side) that are over 0.5
    from the image's middle level nearly all along. A digit cropped tight touches the edges, but not
    all along all four."""
    level = quantile(ink[::4, ::4].ravel(), 0.5)
    h, w = ink.shape

    def framed(lines) -> int:
        """How many of these lines, from the edge inwards, belong to a frame."""
        count = 0
        for line in lines:
            if np.count_nonzero(np.abs(line - level) > 0.5) < 0.95 * line.size:
                break
            count += 1
        return count

    sides = []
    for lines in (ink[: h // 10], ink[::-1][: h // 10], ink.T[: w // 10], ink.T[::-1][: w // 10]):
        sides.append(framed(lines))
        if sides[-1] == 0:  # a side without a frame: no frame, most often decided on the first side
            return slice(None), slice(None)
    top, bottom, left, right = sides
    return slice(top, h - bottom), slice(left, w - right)


def _background(ink: np.ndarray) -> np.ndarray:
    """A smooth estimate of the paper's own level: a wide opening on a coarse copy, scaled back up."""
    h, w = ink.shape
    k = max(1, -(-max(h, w) // 48))
    coarse = cv2.resize(ink, (max(1, w // k), max(1, h // k)), interpolation=cv2.INTER_AREA)
    size = max(3, max(coarse.shape) // 4)  # wider than any stroke, so strokes never count as paper
    paper = cv2.morphologyEx(_beyond_edges(coarse, size), cv2.MORPH_OPEN, np.ones((size, size), np.uint8))
    paper = cv2.blur(paper, (size // 2 + 1, size // 2 + 1))[size:-size, size:-size]
    return np.clip(cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR), 0, 1)


def _beyond_edges(coarse: np.ndarray, size: int) -> np.ndarray:
    """``coarse`` (ink levels) with ``size`` pixels added on every side, for the opening to see past
    the edges.

    The paper's slope is continued past the edges (odd reflection): an opening flattens a shading
    gradient near the border, and the darker paper left over there would read as ink. A stroke along
    an edge, as in a digit cropped tight to its ink, was continued so too and counted as paper (MNIST
    test digits cropped tight to 8×8: 83 of 100 read right). So past each edge the margin holds no
    more ink than the paper in from it, plus MIN_CONTRAST: along each row or column, the level a
    quarter of the way up the ``size`` pixels nearest the edge (deeper than a stroke is wide, so
    paper); a corner takes the larger of its two sides'."""
    edge = cv2.copyMakeBorder(coarse, size, size, size, size, cv2.BORDER_REPLICATE)
    mirror = cv2.copyMakeBorder(coarse, size, size, size, size, cv2.BORDER_REFLECT_101)
    top, bottom = _quarter(coarse[:size], 0), _quarter(coarse[-size:], 0)
    left, right = _quarter(coarse[:, :size], 1), _quarter(coarse[:, -size:], 1)
    paper = np.full(edge.shape, np.inf, np.float32)
    paper[:size, size:-size], paper[-size:, size:-size] = top, bottom
    paper[size:-size, :size], paper[size:-size, -size:] = left[:, None], right[:, None]
    paper[:size, :size], paper[:size, -size:] = max(top[0], left[0]), max(top[-1], right[0])
    paper[-size:, :size], paper[-size:, -size:] = max(bottom[0], left[-1]), max(bottom[-1], right[-1])
    low, high, _, _ = cv2.minMaxLoc(coarse)
    return np.clip(np.minimum(2 * edge - mirror, paper + MIN_CONTRAST), low, high)


def _quarter(pixels: np.ndarray, axis: int) -> np.ndarray:
    """The value a quarter of the way up ``pixels`` sorted along ``axis`` (np.percentile, 25, is slower)."""
    return np.sort(pixels, axis=axis).take(pixels.shape[axis] // 4, axis=axis)


def _lines(mask: np.ndarray) -> np.ndarray:
    """Pixels on straight runs of ink across ≥ LINE_SPAN of the image (ruled and grid lines), and the
    sides of a frame drawn around the digit."""
    return _thin(_long_runs(mask), mask) | _thin(_long_runs(mask.T), mask.T).T | _frame(mask)


def _thin(runs: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The bands of horizontal long runs (in the stroke ``mask``) that are thin for their length, as
    ruled lines are: at most LINE_THICKNESS of it, or 2 px, thick on average, and no slice of thicker
    ink (``_slice``). In a digit cropped tight to its edges a bold stroke spans the image too (a 4's
    bar, a 3's right side), and taking it for a line cut the digit apart. A pen lying across the photo
    6-10° from upright has a thin band of runs that long along its middle, and was cut into two
    wedges."""
    if not runs.any():  # most images: no run that long
        return runs
    count, labels, stats, _ = cv2.connectedComponentsWithStats(runs.view(np.uint8), connectivity=8)
    width, area = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_AREA]
    limit = np.maximum(2, LINE_THICKNESS * width)
    thin = area <= limit * width
    thin[0] = False
    for band in np.flatnonzero(thin):
        thin[band] = not _slice(mask, labels, band, math.ceil(limit[band]), stats[band])
    return thin[labels]


def _slice(mask: np.ndarray, labels: np.ndarray, band: int, reach: int, box: np.ndarray) -> bool:
    """Whether band ``band`` of horizontal runs (``labels``; its ``box``: x, y, w, h) is a slice of
    thicker ink: the ``mask`` goes on ``reach`` pixels above or below most of its pixels. Across a
    ruled line there is paper that far, but for the strokes crossing it."""
    x, y, w, h = box[:4]
    rows, cols = np.nonzero(labels[y : y + h, x : x + w] == band)
    rows, cols = rows + y, cols + x
    last = mask.shape[0] - 1
    beyond = mask[np.maximum(rows - reach, 0), cols] | mask[np.minimum(rows + reach, last), cols]
    return np.count_nonzero(beyond) > 0.5 * len(rows)


def _frame(mask: np.ndarray) -> np.ndarray:
    """The sides of a frame around the digit (a form's box, cropped with some paper outside it): a
    piece at least half as large as the image both ways with a straight run across ≥ LINE_SPAN of its
    own box along all four sides, each within the outer FRAME_BAND of the box."""
    out = np.zeros_like(mask)
    h, w = mask.shape
    # The common case, at once: no rows and columns long enough for the four sides of such a frame.
    # (Its top side lies above 0.575 of the image's height, its bottom side below 0.425; so across.)
    near = 1 - (1 - FRAME_BAND) / 2

    def two_sides(long: np.ndarray) -> bool:
        return long[: int(np.ceil(near * len(long)))].any() and long[int((1 - near) * len(long)) :].any()

    if not (two_sides(mask.sum(1) >= 0.5 * LINE_SPAN * w) and two_sides(mask.sum(0) >= 0.5 * LINE_SPAN * h)):
        return out
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.view(np.uint8), connectivity=8)
    for i in np.flatnonzero((stats[1:, 2] >= 0.5 * w) & (stats[1:, 3] >= 0.5 * h)) + 1:
        x, y, bw, bh = stats[i, :4]
        piece = labels[y : y + bh, x : x + bw] == i
        runs = _long_runs(piece), _long_runs(piece.T).T
        band = np.zeros_like(piece)
        across, down = max(1, int(FRAME_BAND * bh)), max(1, int(FRAME_BAND * bw))
        band[:across], band[-across:], band[:, :down], band[:, -down:] = True, True, True, True
        sides = (runs[0][:across], runs[0][-across:], runs[1][:, :down], runs[1][:, -down:])
        if all(side.any() for side in sides):
            out[y : y + bh, x : x + bw] |= (runs[0] | runs[1]) & band
    return out


def _long_runs(mask: np.ndarray) -> np.ndarray:
    """Horizontal runs of True at least LINE_SPAN of the width long."""
    out = np.zeros_like(mask)
    length = LINE_SPAN * mask.shape[1]
    if mask.shape[1] < 20 or mask.sum(1).max(initial=0) < length:  # too small, or no row that long: no line
        return out
    edges = np.diff(np.pad(mask, ((0, 0), (1, 1))).view(np.int8), axis=1)
    starts, ends = np.argwhere(edges == 1), np.argwhere(edges == -1)  # paired, in row-major order
    long = ends[:, 1] - starts[:, 1] >= length
    for (row, start), (_, end) in zip(starts[long], ends[long]):
        out[row, start:end] = True
    return out


# ---------------------------------------------------------------------------------------------
# 3. Which components are the digit; is there one at all


def _digit_components(stats: np.ndarray, area: int, texture=(), left_out=()) -> tuple[np.ndarray, str | None, int]:
    """Indices (into ``stats``: x, y, w, h, size per component) of the digit's pieces, or why there is
    none; and how many pieces like a digit lie apart from them. Components listed in ``texture``
    (indices into ``stats``), and those with their centre inside a texture piece's box, are never part
    of the digit; nor are those ``left_out`` (rings drawn around it, objects lying beside it), nor lines
    under it (``_underlines``)."""
    if len(stats) == 0:
        return np.array([], int), "no digit: no ink found", 0
    ink = stats[:, cv2.CC_STAT_AREA]
    sizes = ink.copy()
    sizes[_within(stats, list(texture))] = 0
    sizes[list(left_out)] = 0
    sizes[_underlines(stats, area)] = 0
    if sizes.max() == 0:
        return np.array([], int), NOISE, 0
    main = int(np.argmax(sizes))
    # Many pieces, none holding much of the ink, are noise, unless the would-be digit stands on clean
    # paper: the grains of a grey object's body beside it (a yellow pencil) are no noise around it.
    if len(stats) > 50 and ink.max() < 0.3 * ink.sum() and ink[_near(stats, stats[main])].sum() >= 2 * ink[main]:
        return np.array([], int), NOISE, 0
    x, y, w, h = stats[main, :4]
    if specks(sizes[main], area, h, np.partition(np.concatenate(([0], sizes)), -2)[-2]) or max(w, h) < MIN_SIDE:
        return np.array([], int), "no digit: only specks", 0
    # Other pieces count when they are not specks and lie near the main stroke (a 5's detached bar).
    keep = _near(stats, stats[main]) & (sizes >= 0.1 * sizes[main])
    keep[main] = True
    # Pieces apart from those, with APART of its ink, beside it on its line for SIDE_BY_SIDE of its
    # height: other digits of a number (a pen's cap or a pencil lying anywhere is seldom on the line).
    beside = np.minimum(stats[:, 1] + stats[:, 3], y + h) - np.maximum(stats[:, 1], y) >= SIDE_BY_SIDE * h
    apart = ~keep & (sizes >= APART * sizes[main]) & beside
    return np.flatnonzero(keep), None, int(np.count_nonzero(apart))


def _near(stats: np.ndarray, piece: np.ndarray) -> np.ndarray:
    """Which components (rows of ``stats``) have their box reach into ``piece``'s ``_reach``."""
    x0, x1, y0, y1 = _reach(piece)
    return (stats[:, 0] + stats[:, 2] > x0) & (stats[:, 0] < x1) & (stats[:, 1] + stats[:, 3] > y0) & (stats[:, 1] < y1)


def _reach(piece: np.ndarray) -> tuple[float, float, float, float]:
    """The box (x0, x1, y0, y1) around a piece (x, y, w, h) that pieces of its digit lie in: its own
    widened by 0.6 of its width and height on each side."""
    x, y, w, h = piece[:4]
    return x - 0.6 * w, x + 1.6 * w, y - 0.6 * h, y + 1.6 * h


def crowded(stats: np.ndarray, area: int, texture: list[int]) -> bool:
    """Whether there is too much ink for handwriting, given the connected components' stats (row 0 the
    paper), the image's area and which of the largest pieces are texture (``texture_and_rings``): ink
    over NOISE_COVER of the image is noise, unless at least TIGHT_SHARE of it is one piece not riddled
    with holes, as a digit (or touching digits) cropped tight to its edges is. Noise that dense is one
    piece riddled with hundreds of holes."""
    sizes = stats[1:, cv2.CC_STAT_AREA]
    if sizes.sum() <= NOISE_COVER * area:
        return False
    main = int(np.argmax(sizes))
    return sizes[main] < TIGHT_SHARE * sizes.sum() or main in texture


def _underlines(stats: np.ndarray, area: int) -> np.ndarray:
    """Which components are a line drawn under the digit: flat (under 0.3 of the height of the tallest
    piece that is not a speck), starting at or below that piece's last tenth and reaching past it on
    both sides by a tenth of its height. A 2's base, cut off by a ruled line it was taken for, lies as
    flat and low but starts where the 2's stroke does. A long underline can hold more ink than the digit."""
    if len(stats) < 2:
        return np.zeros(len(stats), bool)
    tall = np.where(stats[:, cv2.CC_STAT_AREA] >= speck_limit(area), stats[:, cv2.CC_STAT_HEIGHT], -1)
    x, y, w, h = stats[int(np.argmax(tall)), :4]
    ux, uy, uw, uh = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    return (uh < 0.3 * h) & (uy >= y + 0.9 * h) & (ux <= x - 0.1 * h) & (ux + uw >= x + w + 0.1 * h)


def _within(stats: np.ndarray, texture: list[int]) -> np.ndarray:
    """The components that are texture or have their centre inside a texture piece's box: the grains
    between the strands of a riddled piece belong to it."""
    out = np.zeros(len(stats), bool)
    if not texture:
        return out
    out[texture] = True
    centre_x = stats[:, 0] + stats[:, 2] / 2
    centre_y = stats[:, 1] + stats[:, 3] / 2
    for x, y, w, h in stats[texture, :4]:
        out |= (centre_x >= x) & (centre_x < x + w) & (centre_y >= y) & (centre_y < y + h)
    return out


def texture_and_rings(stats: np.ndarray, labels: np.ndarray, largest: int = 3) -> tuple[list[int], list[int]]:
    """Which of the largest components (indices into ``stats[1:]``) are texture rather than strokes (a
    grainy band where the light fades on a photo is one piece riddled with holes), and which are rings
    drawn around the digit without touching it (a circle or a box): their holes hold other ink, at
    least RING_HOLDS of the ring's own."""
    texture, rings = [], []
    for index in np.argsort(-stats[1:, cv2.CC_STAT_AREA])[:largest]:
        x, y, w, h = stats[index + 1, :4]
        box = labels[y : y + h, x : x + w]
        count, pockets = _holes(box == index + 1)
        own = stats[index + 1, cv2.CC_STAT_AREA]
        if riddled(count, w, h):
            texture.append(int(index))
        elif count and len(stats) > 2 and np.count_nonzero(box[pockets()]) >= RING_HOLDS * own:  # others in it
            rings.append(int(index))
    return texture, rings


def objects(stats: np.ndarray, labels: np.ndarray, ink: np.ndarray, texture=(), largest: int = 5) -> list[int]:
    """Which of the largest components (indices into ``stats[1:]``) are objects lying beside the
    writing, not written, given the normalised ``ink`` levels: blots (a coin, a thumb at the edge:
    ``blot``), ink without a pen's edges (the shading of a pencil's or a finger's side: ``smudged``),
    and bars (``_bar``) whose strokes are OBJECT_WIDTH times as wide as all the writing's: long ones,
    OBJECT_LENGTH times as long as any piece of it is tall (a pen or a pencil beside the digit, in
    one piece or cut in two by its highlight: a pen writes far thinner than it is wide, and is longer
    than a digit is tall; a bold digit beside a thin stray mark is no bar, and a bold 1 beside thin
    digits is as tall as they are), and short ones (a pen's cap, a pencil's darker end). The writing
    is the pieces that are none of these, and a piece alone is never an object. Long bars are
    objects wherever they lie: a pen put down upright right beside the digit. A short bar, a blot
    or a smudge is one only where it lies apart from all the writing, farther than a piece of the
    same digit would (``_reach``: a bold 1 among thin digits lies within their reach), and only
    while some of the writing lies beyond the reach of every such piece: not a dot or a faint bar
    of a 5 within its digit's reach, nor what a broken-off stroke lies beside (a smudged digit's
    body, enlarged smoothly from 8×8, beside its one crisp fragment). Specks, ``texture`` and the
    grains around it (in its box, or reaching it) are not looked at."""
    sizes = stats[1:, cv2.CC_STAT_AREA]
    grain = _within(stats[1:], list(texture))
    looked_at = []
    for index in np.argsort(-sizes)[:largest]:
        x, y, w, h = stats[index + 1, :4]
        if grain[index] or sizes[index] < speck_limit(labels.size) or max(w, h) < SMALL_DIGIT:
            continue
        if not any(_reaches(labels, piece + 1, stats[index + 1]) for piece in texture):
            looked_at.append(index)
    if len(looked_at) < 2:  # a piece alone (most images): no object, decided without its strokes
        return []
    pieces = []
    for index in looked_at:
        x, y, w, h = stats[index + 1, :4]
        mask = np.ascontiguousarray(labels[y : y + h, x : x + w] == index + 1)
        solid = blot(mask) or smudged(ink[y : y + h, x : x + w][mask])
        pieces.append((int(index), stroke_width(mask), solid, mask))
    # The widest strokes are an object's where a gap of OBJECT_WIDTH parts them from the rest.
    widths = sorted((width for _, width, solid, _ in pieces if not solid), reverse=True)
    wide = next((a for a, b in zip(widths, widths[1:]) if a >= OBJECT_WIDTH * b), math.inf)
    writing = [index for index, width, solid, _ in pieces if not solid and width < wide]
    if not writing:
        return []
    tallest = max(stats[index + 1, 2:4].max() for index in writing)
    bars, short = [], []
    for index, width, solid, mask in pieces:
        if not solid and width >= wide and _bar(mask, stats[index + 1], labels.shape):
            long = stats[index + 1, 2:4].max() >= OBJECT_LENGTH * tallest
            (bars if long else short).append(index)
    # Which pieces of writing each blot, smudge or short bar reaches into. What it reaches into is a
    # piece of it (a digit's stroke broken off), not writing beside it; if they reach into all of it,
    # none counts.
    reaching = {
        index: [_reaches(labels, index + 1, stats[other + 1]) for other in writing]
        for index, _, solid, _ in pieces
        if solid or index in short
    }
    if reaching and all(any(column) for column in zip(*reaching.values())):
        return bars
    return bars + [index for index, reached in reaching.items() if not any(reached)]


def _bar(mask: np.ndarray, piece: np.ndarray, shape: tuple[int, int]) -> bool:
    """Whether a component, ``mask`` over its box (``piece``: x, y, w, h, size, in an image of
    ``shape``), fills BAR_FILL of its minimum-area rectangle as far as the image shows it, as a pen's
    or a pencil's body does, turned or running off the image (the largest piece in 49 and 48 of 50
    photos with a black and a blue pen from ``benchmarks/beside.py``, a ``/tmp`` count). Written
    digits seldom do: of 300 MNIST test 1s drawn 120 px tall with ``synthetic.strokes`` at levels
    0.15 to 0.5 (bold to medium), 0.7-2 %; of 2,000 test digits at level 0.3, 0.15 %."""
    x, y, _, _, size = piece
    outline = np.concatenate(cv2.findContours(mask.view(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)[0])
    box = cv2.boxPoints(cv2.minAreaRect(outline + np.array([x, y], np.int32)))  # the hull's, as all pixels'
    height, width = shape
    image = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
    shown, _ = cv2.intersectConvexConvex(box.astype(np.float32), image)
    return size >= BAR_FILL * shown


def _reaches(labels: np.ndarray, label: int, piece: np.ndarray) -> bool:
    """Whether component ``label`` has pixels in ``piece``'s ``_reach`` (the pixels that ``_near``'s
    box test would find, had the component only that one)."""
    x0, x1, y0, y1 = _reach(piece)
    rows = slice(max(math.floor(y0), 0), max(math.ceil(y1), 0))
    cols = slice(max(math.floor(x0), 0), max(math.ceil(x1), 0))
    return bool(np.any(labels[rows, cols] == label))


def riddled(hole_count: int, width: float, digit_height: float) -> bool:
    """Whether ink with ``hole_count`` holes over ``width`` is texture: more than TEXTURE_HOLES holes
    per digit-width (a digit is about as wide as ``digit_height``; it has at most two holes)."""
    return hole_count > TEXTURE_HOLES * max(1.0, width / digit_height)


def holes(mask: np.ndarray) -> int:
    """How many holes (pockets of background it encloses) a piece of ink has, given its mask, not
    counting pinholes (``_holes``)."""
    return _holes(mask)[0]


def _holes(mask: np.ndarray) -> tuple[int, Callable[[], np.ndarray]]:
    """How many holes a piece of ink has, and a function giving where they are (a mask of the pockets
    it encloses), made only when asked for. Pinholes are left out: pockets under (PINHOLE × the mean
    stroke width)² pixels, as JPEG leaves in a broad stroke of grey pixels (a digit plotted with
    matplotlib and saved as JPEG had 11-36 of them, and was taken for texture). Texture's strands are
    one or two pixels wide, so there every pocket counts."""
    background = cv2.copyMakeBorder((~mask).view(np.uint8), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=1)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(background, connectivity=4)
    real = stats[:, cv2.CC_STAT_AREA] >= (PINHOLE * stroke_width(mask)) ** 2
    real[[0, labels[0, 0]]] = False  # the ink and the outside
    return int(real.sum()), lambda: real[labels[1:-1, 1:-1]]


def stroke_width(mask: np.ndarray) -> float:
    """The mean width of the strokes in ``mask``, in pixels: twice their area over their outline's."""
    inner = cv2.erode(mask.view(np.uint8), SQUARE, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    area = int(np.count_nonzero(mask))
    return 2.0 * area / max(area - int(np.count_nonzero(inner)), 1)


def smudged(stroke_ink: np.ndarray) -> bool:
    """Whether stroke pixels with these normalised ink levels are a smudge: a pen or pencil stroke has
    edges, so most of it lies in its core; the ink of a smudge or of shading rises gently to a few
    peaks. ``python benchmarks/number_texture.py`` measures the margins on both sides."""
    return core_share(stroke_ink) < SMUDGE_CORE


def blot(mask: np.ndarray) -> bool:
    """Whether the ink in ``mask`` is a blot, not pen strokes: its mean stroke width is over BLOT_WIDTH
    of its longest side (a disc measures 0.38-0.40: its stepped outline counts as long). A soft round
    shadow reduced as a blurred image (``blur_factor``) keeps an edge, but is still a disc; rendered
    test digits measured at most 0.27."""
    x, y, w, h = cv2.boundingRect(mask.view(np.uint8))
    return stroke_width(np.ascontiguousarray(mask[y : y + h, x : x + w])) > BLOT_WIDTH * max(w, h)


def core_share(stroke_ink: np.ndarray) -> float:
    """The share of stroke pixels (by their normalised ink levels) in the strokes' core."""
    return float(np.count_nonzero(stroke_ink > STROKE_CORE) / max(stroke_ink.size, 1))


def speck_limit(area: int) -> float:
    """The fewest ink pixels a digit can have in an image of ``area`` pixels; fewer is a speck, unless
    it stands alone on clean paper (``specks``)."""
    return max(6, 2e-4 * area)


def specks(ink: int, area: int, height: int, other: int) -> bool:
    """Whether a would-be digit (or number) ``height`` working pixels tall with ``ink`` pixels, in an
    image of ``area`` pixels whose largest other piece has ``other``, is only specks: fewer pixels
    than ``speck_limit``, unless it stands alone on clean paper, at least SMALL_DIGIT tall with ALONE
    times as much ink as ``other``. A digit in normal handwriting on a photographed page, a few per
    cent of its side, was "only specks" before that exception."""
    return ink < speck_limit(area) and not (height >= SMALL_DIGIT and ink >= ALONE * other)


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


# ---------------------------------------------------------------------------------------------
# 4. LeCun's normalisation


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
