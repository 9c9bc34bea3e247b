"""Preprocessing, steps 1–2 (``preprocess.py`` gives the whole recipe): a grayscale image → its ink
map at working resolution, cleaned up.

The polarity; the working size (a large image reduced by max-pooling its ink, an enlarged one read at
its own size, a blurred one reduced to the resolution it really has); the background removed, the
contrast normalised; and the stroke mask, without ruled or grid lines, the sides of a box drawn
around the digit or the lines of a form's field of boxes around a number. ``picture_ink`` is the
entry point: it makes a box turned a little level first. ``segment.py`` reads numbers from the same
ink map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .picture import SQUARE, border_level, components, inner_picture, quantile, stroke_width

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
FAINT_LINE = 0.5  # ...found in the ink over this share of INK_THRESHOLD too (a grey line, broken up in the mask)...
LINE_THICKNESS = 0.04  # ...if its band is at most this thick for its length (or 2 px): else a digit's bold stroke
FRAME_BAND = 0.15  # a frame around the digit has its sides in this outer share of its box
TICK_LENGTH = 2.5  # a tick between a form field's cells is at least this many times its line's width long...
TICK_SLACK = 0.08  # ...and stands within this share of a cell's width of where equal cells put it
TICK_ALIKE = 0.1  # a field's line without a box has ticks this close in height to its ends' (printed alike)
UNDER_LENGTH = 1.5  # a line the writing stands on is this many times as long as the writing is tall...
SEVERAL = 1.3  # ...(under writing narrower than this many times its height, one digit: ONE_UNDER times as long,
ONE_UNDER = 2.0  # unless the line is at most half the pen's width: printed, not a 2's base)...
UNDER_THICK = 0.25  # ...at most this share of that height thick (a pen's stroke or thinner)...
UNDER_REACH = 0.1  # ...reaching past the writing on both sides by this share of its height or more...
UNDER_BELOW = 0.5  # ...the writing reaching at most this share of its height below it...
LINE_TILT = 5.0  # ...turned at most this many degrees...
LINE_WOBBLE = 2  # ...and its foot within this many px of a straight line
DASHED_SPAN = 0.5  # a dashed line's dashes cover this share of its length at least...
DASHES = 4  # ...and it has this many of them...
DASH_ALIKE = 0.75  # ...this share of the gaps between them alike
RING_ALL = 0.9  # a ring drawn around the writing spans this share of all the ink's width and height...
RING_COVER = 0.88  # ...has ink along this share of the ellipse of its outside...
RING_THIN = 0.18  # ...its stroke at most this share of the ellipse's shorter half-axis wide...
RING_MIDDLE = 0.7  # ...with writing in the middle of it (an ellipse this many times as large), RING_HOLDS of its
RING_HOLDS = 0.1  # ink at least (a 0 has none), which spans RING_FILL of its inside's height at least (not a
RING_FILL = 0.4  # 2's loop round its own foot) and at most RING_ROOM of it both ways (not a slashed 0)
RING_ROOM = 0.9  # (RING_FILL, RING_ROOM: a share of the inside's height and width)...
RING_CLEAR = 0.3  # ...and at most this share of a pen's width just inside the ring is ink
BOX_SIDES = 0.75  # a box drawn around the writing has ink in this share of the columns or rows along each side
BOX_BAND = 0.25  # (in this share of its shorter side from it)...
BOX_BEND = 0.03  # ...its hull is a quadrilateral within this share of its perimeter...
BOX_BOW = 0.04  # ...its sides lie in from it by at most this share of its longest side (bowed, or overshot)...
BOX_THIN = 0.3  # ...its stroke at most this share of its shorter side's half (drawn close around the writing)...
BOX_CLEAR = 0.3  # ...and paper inside its stroke along this share of its sides at least
TURN_LEAST, TURN_MOST = 0.2, 10.0  # degrees: a form's box turned this much is made level first
BOX_SIDE = 64  # px: a box or field turned, or with paper around it, is looked for only this long at least
# (at a 28-px digit's size, a digit's outline lies near its rectangle's sides; and time is saved)
GRAIN_STEPS = (2, 3, 4)  # grain_sizes: how many times smaller a picture is read again, in turn...
GRAIN_SIDE = 48  # ...while its shorter side stays this long...
QUIET_PAPER = 0.04  # ...and its paper is quiet: neighbouring edge pixels differ by this at most (mean)
GRAIN_VARY = 0.05  # a smudge is read again only if grainy: its levels vary by this share pixel to pixel
BLUR_TARGET = 0.8  # px: a blurred image is reduced until its sharpest edges are about this wide
BLUR_MIN_SIDE = 24  # px: reducing a blurred image stops before its longest side is shorter than this (a 16 px
# digit enlarged smoothly to 64 px is reduced to 32 px; at 40 it was not, and 8 % of such were smudges, 41 % from 12 px)
HAIRLINE = 2.0  # px: strokes no wider (``stroke_width``: none has a pixel inside) are sharp, never taken for blur
BLUR_MAX_COVER = 0.25  # ink over more of the image is noise (uniform noise: 43-45 %), never taken for blur


@dataclass
class InkMap:
    ink: np.ndarray  # float32 in [0, 1], background ≈ 0, at working resolution
    mask: np.ndarray  # bool: stroke pixels after removing lines
    scale: tuple[float, float]  # input pixels per working pixel, down and across
    dark_on_light: bool
    reason: str | None = None  # set when the image holds no ink at all


def picture_ink(gray: np.ndarray, reduce: int = 1) -> tuple[np.ndarray, np.ndarray, InkMap]:
    """The picture inside the image (``picture.inner_picture``), the matrix that takes its pixels to
    the input's, and its ink map; made level first if a form's box in it is turned a little
    (``box_turn``). Until 2026-11-29 a box turned by half a degree was no longer straight along the
    rows and columns its sides are looked for in, and was read with the digit: 24 of 30 digits in a
    2-px box turned 1° were misread (the suite's test), and numbers in boxes drawn apart or on a line
    with ticks, turned 2° either way, 0–16 % read right (``benchmarks/form_boxes.py --turn 2``)."""
    gray, to_input = inner_picture(gray)
    if reduce > 1:  # the picture read smaller, by averaging (a pencil's grain: ``grain_sizes``)
        gray = cv2.resize(gray, (gray.shape[1] // reduce, gray.shape[0] // reduce), interpolation=cv2.INTER_AREA)
        to_input = to_input @ np.diag([reduce, reduce, 1.0])
    ink = ink_map(gray)
    if ink.reason is None and (angle := box_turn(ink.ink > INK_THRESHOLD)) is not None:
        gray, to_input = _turned(gray, to_input, angle)
        ink = ink_map(gray)
    return gray, to_input, ink


def grain_sizes(gray: np.ndarray) -> list[int]:
    """How many times smaller to read again an image whose ink read as texture or smudges: a pencil's
    stroke is grey and grainy, the graphite caught on the paper's tooth, and at full size its grains
    read as texture (holes, specks) and its grey, far below the grains' peaks, as a smudge. Averaged
    over 2–3 pixels the grain is gone and the stroke is a stroke. Only while the shorter side stays
    GRAIN_SIDE or more, and only when the paper is quiet: neighbouring pixels along each of the
    image's four edges differ by at most QUIET_PAPER (on average), where a pencil's grain lies in its
    strokes alone but noise and paper grain cover the paper too (noise of uniform grey levels
    reduced three times had patches read as a digit, and a grainy band along one edge, where the
    light fades on a photo, digits)."""
    edges = [gray[0], gray[-1], gray[:, 0], gray[:, -1]]
    if max(float(np.mean(np.abs(np.diff(edge.astype(np.float32))))) for edge in edges) > QUIET_PAPER:
        return []
    return [step for step in GRAIN_STEPS if min(gray.shape) // step >= GRAIN_SIDE]


def grainy(ink: np.ndarray, mask: np.ndarray) -> bool:
    """Whether the ink levels of the strokes in ``mask`` vary from pixel to pixel, as a pencil's do:
    on average by GRAIN_VARY of their level or more from the same smoothed over a pixel (a pencil's
    read as a smudge: 0.07-0.41; a bold 1 cropped tight to its edges, lit unevenly, read as a
    smudge: 0.03, and as an 8 once read smaller)."""
    smooth = cv2.GaussianBlur(ink, (0, 0), 1.0)
    return float(np.abs(ink - smooth)[mask].mean()) >= GRAIN_VARY * float(ink[mask].mean())


def coarser(step: int, again: InkMap, first: InkMap) -> bool:
    """Whether ``again``, the ink map of a picture ``step`` times smaller, is read at a coarser
    resolution than ``first``, the full-size one: a blurred image is read at the resolution it has
    (``blur_factor``), and a grain retry finer than that (an image out of focus by a tenth of its
    digit's height, reduced 5 times as blurred: reduced 2 then 2 times more) read a smudge as a
    digit."""
    return step * again.scale[0] > first.scale[0]


def box_turn(mask: np.ndarray) -> float | None:
    """The turn that makes a form's box in the stroke ``mask`` level (degrees, counter-clockwise, as
    ``cv2.getRotationMatrix2D`` turns), if TURN_LEAST to TURN_MOST: a piece at least 0.4 of the
    image's height whose outline fills its tightest rectangle, turned as it lies (``cv2.minAreaRect``),
    and runs along ≥ LINE_SPAN of each of its four sides, as ``_frame`` asks of an upright one (a
    box); or one half the image's width whose outline runs so along its bottom or top and rises at
    both its ends (a field's line with its end ticks, ``_rises``). Its ink fills at most half the
    rectangle: a pen lying on the paper is a bar of solid ink (until this was asked, 1 of 50 blank
    photos with a silver pen beside them and 1 of 50 with a yellow pencil, in
    ``benchmarks/beside.py``, were made level by the pen's turn and read as a 1). A digit's outline
    meets its rectangle's sides at a few places. The image's height and width here are its ink's
    (``_around_ink``). Else None."""
    _, _, w, h = cv2.boundingRect(mask.view(np.uint8))
    if max(h, w) < BOX_SIDE:
        return None
    bridged = cv2.dilate(mask.view(np.uint8), SQUARE)  # a thin line's gaps of a pixel
    outlines, _ = cv2.findContours(bridged, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    for outline in outlines:
        x, y, bw, bh = cv2.boundingRect(outline)
        box, line = bh >= 0.4 * h and bw >= 0.4 * bh, bw >= 0.5 * w  # perhaps a box, or a field's line
        if not (box or line):
            continue
        (cx, cy), (rw, rh), angle = cv2.minAreaRect(outline)
        if abs(angle) > 45:  # OpenCV gives [-90, 0) (older versions (0, 90]): the turn from level is within ±45°
            angle, rw, rh = angle - math.copysign(90, angle), rh, rw
        if not TURN_LEAST <= abs(angle) <= TURN_MOST or max(rw, rh) < BOX_SIDE:
            continue
        if np.count_nonzero(mask[y : y + bh, x : x + bw]) > 0.5 * rw * rh:  # a bar of solid ink: a pen
            continue
        box = box and cv2.contourArea(outline) >= 0.8 * rw * rh  # a box's outline holds its inside
        line = line and rh <= 0.5 * rw  # and a field's ticks are short beside its length
        if not (box or line):
            continue
        t, xs, ys = math.radians(angle), outline[:, 0, 0] - cx, outline[:, 0, 1] - cy
        across = xs * math.cos(t) + ys * math.sin(t)  # along the rectangle's sides, made level
        down = ys * math.cos(t) - xs * math.sin(t)
        near = max(2.0, 0.05 * min(rw, rh))  # a side's line lies this close to the rectangle's edge
        top, bottom, left, right = (
            len(np.unique(np.round(along[edge * off >= size / 2 - near]))) >= LINE_SPAN * length
            for off, along, size, length in ((down, across, rh, rw), (across, down, rw, rh))
            for edge in (-1, 1)
        )
        if box and top and bottom and left and right or line and (top or bottom) and _rises(across, down, rw, rh, near):
            return angle
    return None


def _rises(across: np.ndarray, down: np.ndarray, width: float, height: float, near: float) -> bool:
    """Whether an outline (its points along and across its rectangle, made level, about its middle)
    rises, within ``near`` of both ends of the rectangle's ``width``, by a fifth of its ``height`` or
    more: a field's line has a tick at each end, an underline has none. (Digits written across the
    line make the rectangle taller than the ticks, so its ends' sides are not covered.)"""
    for edge in (-1, 1):
        end = down[edge * across >= width / 2 - near]
        if len(end) == 0 or end.max() - end.min() < 0.2 * height:
            return False
    return True


def turned_ink(gray: np.ndarray, to_input: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray, InkMap]:
    """``picture_ink``'s answer for ``gray`` turned by ``angle`` degrees, grown to hold all of it (a
    number written rising, ``segment._rising``)."""
    gray, to_input = _turned(gray, to_input, angle, grow=True)
    return gray, to_input, ink_map(gray)


def _turned(gray: np.ndarray, to_input: np.ndarray, angle: float, grow: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``gray`` turned by ``angle`` degrees about its middle, the same size (``grow``: as large as
    it takes to hold all of it), what comes in at the corners filled with the paper's level (its
    border's); and ``to_input`` for its pixels. Grown to hold all of it, the image had paper added
    above and below a form's field, and its boxes fell under the half of the image's height that
    ``_frame`` asks of them."""
    h, w = gray.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    size = (w, h)
    if grow:
        cos, sin = abs(turn[0, 0]), abs(turn[0, 1])
        size = (math.ceil(w * cos + h * sin), math.ceil(w * sin + h * cos))
        turn[:, 2] += (size[0] - w) / 2, (size[1] - h) / 2
    paper = border_level(gray)
    turned = cv2.warpAffine(gray, turn, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=paper)
    return turned, to_input @ np.linalg.inv(np.vstack([turn, [0, 0, 1]]))


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
    over = bends > SMOOTH_BEND
    top = min(SMOOTH_MAX, length // SMOOTH_FACTOR)
    if np.count_nonzero(over, axis=0).max() > 2 * top:
        return []
    low = max(BLOCKS_MIN, math.ceil(length * (bends.max() - SMOOTH_BEND) / 2))
    sizes = np.array([n for n in (range(low, top + 1) if sizes is None else sizes) if low <= n <= top], int)
    bent = np.flatnonzero(np.any(over, axis=1)) + 1  # the pixels where some line bends
    sizes = sizes[2 * sizes >= len(bent)]  # a knot lies between the pixels either side of two pixels at most
    return sizes[_straight(bent, length, sizes)].tolist()


def _straight(bent: np.ndarray, length: int, sizes: np.ndarray) -> np.ndarray:
    """For each of ``sizes``, whether lines ``length`` pixels long that bend (beyond SMOOTH_BEND) at the
    pixels ``bent``, and nowhere else, can be a bilinear enlargement from that many pixels: a knot of
    it (its own pixel's centre) lies between the pixels either side of each of them."""
    own = np.arange(sizes.max(initial=0))
    knots = (own + 0.5) * length / sizes[:, None] - 0.5  # a row of knots per size, then inf
    knots[own >= sizes[:, None]] = np.inf
    near = (knots[:, :, None] > bent - 1) & (knots[:, :, None] < bent + 1)
    return near.any(1).all(1)


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
    faint = ink > FAINT_LINE * INK_THRESHOLD
    across, down = _ruled_lines(mask, faint), _ruled_lines(mask.T, faint.T).T
    lines = across | down | _lines(mask)
    strokes = mask & ~lines
    # Keep line pixels where a stroke crosses a line, so the line does not cut the digit in pieces: a
    # ruled or grid line's with the stroke on both sides, any line's next to a stroke.
    kept = _crossed(strokes, across) | _crossed(strokes.T, down.T).T
    mask = strokes | (lines & (kept | cv2.dilate(strokes.view(np.uint8), SQUARE).view(bool)))
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
    wide, keeping its longest side at least BLUR_MIN_SIDE (1: not blurred). Strokes HAIRLINE wide at
    most are sharp: smoothed, a line a pixel wide never rises above the edge band and measured as
    blurred; reduced by averaging, it faded, and until 2026-11-29 a digit drawn with a paint program's
    pencil was "blank or uniform" a third of the time (``benchmarks/thin_lines.py``)."""
    most = max(ink.ink.shape) // BLUR_MIN_SIDE
    if ink.reason or most < 2 or np.count_nonzero(ink.mask) > BLUR_MAX_COVER * ink.mask.size:  # or noise
        return 1
    edges, dx, dy = _edge_slopes(ink.ink)
    if _steepest_width(edges, dx, dy) < 2 * BLUR_TARGET:  # sharp: the common case, decided without the pieces
        return 1
    # Specks of grain look soft once smoothed: measure only the edges of pieces larger than specks.
    _, labels, stats = components(ink.mask)
    large = stats[:, cv2.CC_STAT_AREA] >= speck_limit(labels.size)
    large[0] = False
    pieces = large[labels]
    if stroke_width(pieces) <= HAIRLINE:  # strokes a pixel or two wide: sharp, however soft they look smoothed
        return 1
    near = cv2.dilate(pieces.view(np.uint8), SQUARE).view(bool)
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
    """Pixels of lines other than ruled and grid lines (``_long_runs``, ``_thin``): the sides of a
    frame drawn around the digit and the ticks between its cells (``_frame``), or else a form's field
    printed as a line with ticks (``_field_line``) or a line the writing stands on (``_writing_line``);
    and a ring or box drawn around the writing (``_drawn_ring``)."""
    frame = _around_ink(_frame, mask)
    return (frame if frame.any() else _around_ink(_field_line, mask) | _writing_line(mask)) | _drawn_ring(mask)


def _ruled_lines(mask: np.ndarray, faint: np.ndarray) -> np.ndarray:
    """The stroke pixels of level ruled or grid lines (``_long_runs``, ``_thin``), found in the
    stroke ``mask`` and in the ``faint`` ink (over FAINT_LINE of INK_THRESHOLD: a grey line, which the
    mask holds only in pieces)."""
    return (_thin(_long_runs(mask), mask) | _thin(_long_runs(faint), faint)) & mask


def _crossed(strokes: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """The pixels of level ``lines`` (``_long_runs``' bands) with ``strokes`` just above and below
    them, as near as the lines are thick: where a stroke crosses a line. Only the line's own pixels
    next to a stroke were kept until 2026-11-29; a grid line 3 px wide inside a stroke left a pixel's
    cut there, and a number on squared paper was read in pieces."""
    rows = lines.any(1)
    if not rows.any():
        return lines
    bands = np.count_nonzero(np.diff(rows.view(np.int8), prepend=0) == 1)
    reach = math.ceil(np.count_nonzero(rows) / bands / 2) + 1
    kernel = np.ones((2 * reach + 1, 1), np.uint8)
    return cv2.morphologyEx(strokes.view(np.uint8), cv2.MORPH_CLOSE, kernel).view(bool) & lines


def _around_ink(find, mask: np.ndarray) -> np.ndarray:
    """``find`` (mask → lines) on the box around the ink, in the whole mask's place, if the ink covers
    under half the image's height or width and is BOX_SIDE long: a form's field photographed with
    paper around it is as large for it as one cropped close. (Cut to its ink, a digit's rows and
    columns pass ``_frame``'s quick test more often, which takes time.) Until 2026-11-29 a field had to be half the
    image's height: cropped with its own height of paper above and below it, 1 of 5 numbers in
    boxes drawn apart was read as with no lines (the suite's test; ``benchmarks/form_boxes.py
    --paper 1``)."""
    x, y, w, h = cv2.boundingRect(mask.view(np.uint8))
    if max(w, h) < BOX_SIDE or h >= 0.5 * mask.shape[0] and w >= 0.5 * mask.shape[1]:
        return find(mask)
    pad = 1 + math.ceil(LINE_THICKNESS * max(w, h))  # paper around it, as far as ``_slice`` looks
    around = np.zeros((h + 2 * pad, w + 2 * pad), bool)  # (np.pad takes ten times as long)
    around[pad:-pad, pad:-pad] = mask[y : y + h, x : x + w]
    out = np.zeros_like(mask)
    out[y : y + h, x : x + w] = find(around)[pad:-pad, pad:-pad]
    return out


def _thin(runs: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The bands of horizontal long runs (in the stroke ``mask``) that are thin for their length, as
    ruled lines are: at most LINE_THICKNESS of it, or 2 px, thick on average, and no slice of thicker
    ink (``_slice``). In a digit cropped tight to its edges a bold stroke spans the image too (a 4's
    bar, a 3's right side), and taking it for a line cut the digit apart. A pen lying across the photo
    6-10° from upright has a thin band of runs that long along its middle, and was cut into two
    wedges."""
    if not runs.any():  # most images: no run that long
        return runs
    count, labels, stats = components(runs)
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
    above, below = rows - reach, rows + reach
    inside = mask.shape[0] - 1  # past the image's edge counts as paper (a grid's line along the edge)
    beyond = mask[np.maximum(above, 0), cols] & (above >= 0) | mask[np.minimum(below, inside), cols] & (below <= inside)
    return np.count_nonzero(beyond) > 0.5 * len(rows)


def _frame(mask: np.ndarray) -> np.ndarray:
    """The lines of a form's boxes around the digit or number, cropped with some paper outside them:
    a frame's four sides, and the ticks that divide it into cells (``_ticks``), full height or short.

    A frame is a piece at least half the image's height with a straight run across ≥ LINE_SPAN of its
    own box along all four sides, each within the outer FRAME_BAND of the box; it is half the image's
    width too, or one of a row of such boxes drawn apart. Until 2026-11-29 a frame's cells were not
    looked for, and a number written one digit per cell was read with a 1 between every two digits
    (``benchmarks/form_boxes.py``: 0 of 100 read right); nor were boxes drawn apart (10 of 100)."""
    out = np.zeros_like(mask)
    h, w = mask.shape
    # The common case, at once: no rows and columns long enough for the four sides of such a frame.
    # (Its top side lies above 0.575 of the image's height, its bottom side below 0.425; so across.)
    near = 1 - (1 - FRAME_BAND) / 2

    def two_sides(long: np.ndarray) -> bool:
        return long[: int(np.ceil(near * len(long)))].any() and long[int((1 - near) * len(long)) :].any()

    if not (two_sides(mask.sum(1) >= 0.5 * LINE_SPAN * w) and two_sides(mask.sum(0) >= 0.5 * LINE_SPAN * h)):
        return out
    _, labels, stats = components(mask)
    frames = []
    for i in np.flatnonzero((stats[1:, 3] >= 0.5 * h) & (stats[1:, 2] >= 0.25 * stats[1:, 3])) + 1:
        x, y, bw, bh = stats[i, :4]
        piece = labels[y : y + bh, x : x + bw] == i
        runs = _long_runs(piece), _long_runs(piece.T).T
        band = np.zeros_like(piece)
        across, down = max(1, int(FRAME_BAND * bh)), max(1, int(FRAME_BAND * bw))
        band[:across], band[-across:], band[:, :down], band[:, -down:] = True, True, True, True
        sides = (runs[0][:across], runs[0][-across:], runs[1][:, :down], runs[1][:, -down:])
        if all(side.any() for side in sides):
            frames.append((bw >= 0.5 * w, (slice(y, y + bh), slice(x, x + bw)), _cells(piece, sides, band)))
    for wide, where, lines in frames:
        if wide or len(frames) > 1:
            out[where] |= lines
    return out


def _cells(piece: np.ndarray, sides: tuple[np.ndarray, ...], band: np.ndarray) -> np.ndarray:
    """A frame's lines: its ``sides`` (the long runs in each side's part of the ``band``: top, bottom,
    left, right) and the ticks between its cells, rising from the bottom side or hanging from the top.
    A tick runs across the frame, or at most halfway: a 1 that stands on the bottom side in the middle
    of a box is taller than that and stops short of the top."""
    bh, bw = piece.shape
    thick = 1 + max(np.count_nonzero(side.any(axis)) for side, axis in zip(sides, (1, 1, 0, 0)))  # px, and a px
    top = np.flatnonzero(sides[0].any(1)).max()
    bottom = bh - len(sides[1]) + np.flatnonzero(sides[1].any(1)).min()
    ends = np.flatnonzero(sides[2].any(0)).mean(), bw - sides[3].shape[1] + np.flatnonzero(sides[3].any(0)).mean()
    inside = bottom - top - 1
    kept = lambda height: (height >= inside - thick) | (height <= 0.5 * inside)  # noqa: E731
    ticks = _ticks(piece, bottom, ends, thick, kept) | _ticks(piece[::-1], bh - 1 - top, ends, thick, kept)[::-1]
    lines = np.zeros_like(piece)
    lines[: len(sides[0])], lines[-len(sides[1]) :] = sides[0], sides[1]
    lines[:, : sides[2].shape[1]] |= sides[2]
    lines[:, -sides[3].shape[1] :] |= sides[3]
    # A line's blurred edge (a scan, a picture made level) is a row of broken runs beside it: its too.
    return cv2.dilate(((lines & band) | ticks).view(np.uint8), SQUARE).view(bool) & piece


def _field_line(mask: np.ndarray) -> np.ndarray:
    """A form's field printed as a line with ticks at its ends and between the cells, and no box: a
    straight run of ink across half the image or more, thin for its length as a ruled line is, with
    ticks (``_ticks``) standing on both its ends. Until 2026-11-29 the ticks were read as 1s
    (``benchmarks/form_boxes.py``: 1 of 100 numbers read right)."""
    out = np.zeros_like(mask)
    h, w = mask.shape
    if w <= h:  # a field of two cells or more is wider than tall; most single digits are not
        return out
    runs = _thin(_long_runs(mask, 0.5), mask)  # not a slice of thicker ink: a bold number's bottom
    rows = np.flatnonzero(runs.any(1))
    for line in np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1) if len(rows) else []:
        cols = np.flatnonzero(runs[line].any(0))
        start, stop, thick = cols[0], cols[-1] + 1, 1 + len(line)
        reach = math.ceil(TICK_LENGTH * thick)  # at once: ink straight up from both ends that far
        if line[0] < reach or not all(mask[line[0] - reach : line[0], end].any(1).all() for end in (
            slice(start, start + thick), slice(stop - thick, stop))):  # fmt: skip
            continue
        ends = (thick / 2 - 1, stop - start - thick / 2)
        ticks = _ticks(mask[: line[-1] + 1, start:stop], line[0], ends, thick, None)
        if ticks.any():
            out[: line[-1] + 1, start:stop] |= ticks
            out[line] |= runs[line]
    if not out.any():
        return out
    return cv2.dilate(out.view(np.uint8), SQUARE).view(bool) & mask  # and the line's blurred edge


def _writing_line(mask: np.ndarray) -> np.ndarray:
    """A line printed or drawn under the writing, which the digits stand on or reach through (a form's
    line to write on, a number underlined), level or turned a little: a straight line (``_foot_line``)
    along which ink runs under LINE_SPAN of the ink's columns or more, unbroken, or under DASHED_SPAN
    of them in dashes (``_dashes``, two of them flat pieces of their own, ``_free_dashes``); reaching
    past the writing above it on both sides (a dashed line may stop under it), UNDER_LENGTH
    times as long as that writing is tall, as thin as a pen's stroke or thinner (UNDER_THICK of it),
    and the writing reaching through it by UNDER_BELOW of its height at most (a 4's stem below its
    bar). Under one digit it is ONE_UNDER times as long, or at most half as wide as the digit's
    strokes: a 2's base can be 1.8 times as long as the rest of the 2 is tall (MNIST's test digit
    1227). The line's pixels are those of the run of ink it makes in each column, where that run is
    no thicker than the line: where a stroke crosses it or runs along it, the ink is left to the
    digit. Until 2026-11-29 such a line joined the digits into one piece and was read as parts of
    them (``benchmarks/on_a_line.py``: 11 to 49 % of numbers exact; a dashed one 25 to 62 %)."""
    out = np.zeros_like(mask)
    h = mask.shape[0]
    cols, ink_rows = np.flatnonzero(mask.any(0)), np.flatnonzero(mask.any(1))
    if len(cols) < 2 or cols[-1] - cols[0] <= np.ptp(ink_rows) or len(cols) < DASHED_SPAN * (cols[-1] + 1 - cols[0]):
        return out  # most single digits are taller than wide; paper under many columns: between digits
    low = h - 1 - np.argmax(mask[::-1, cols], axis=0)  # each column's lowest ink
    foot = _foot_line(cols, low)
    if foot is None:
        return out
    at = np.clip(np.round(foot), 0, h - 1).astype(int)
    on = mask[np.clip(at + np.arange(-LINE_WOBBLE, LINE_WOBBLE + 1)[:, None], 0, h - 1), cols].any(0)
    span = cols[-1] + 1 - cols[0]
    solid = np.count_nonzero(on) >= LINE_SPAN * span and np.diff(cols[on]).max() <= 1 + LINE_WOBBLE
    dashes = None if solid else _dashes(cols[on])
    if not solid and (dashes is None or np.count_nonzero(on) < DASHED_SPAN * span):
        return out  # a line is unbroken or dashed: not a minus sign and a 4's bar level with it
    cols, at, low = cols[on], at[on], low[on]
    rows, column = np.arange(h)[:, None], mask[:, cols]
    paper_above = np.where(~column & (rows < at), rows, -1).max(0)  # around the line's run in each column
    paper_below = np.where(~column & (rows > at), rows, h).min(0)
    run = paper_below - paper_above - 1
    thick = quantile(run, 0.25)  # where no digit stands on it or crosses it: between them and past them
    first, last = cols[0], cols[-1] + 1
    line_top = max(int(at.min() - thick - LINE_WOBBLE), 0)
    writing = mask[:line_top, first:last]
    above = np.flatnonzero(writing.any(0))  # the writing's columns, from the line's start
    if len(above) == 0:
        return out
    tall = float(np.median(at)) - thick - int(np.argmax(writing.any(1)))
    long = UNDER_LENGTH
    if above[-1] - above[0] < SEVERAL * tall and thick > 0.5 * stroke_width(np.ascontiguousarray(writing)):
        long = ONE_UNDER
    past = min(above[0], last - first - 1 - above[-1]) >= UNDER_REACH * tall
    if dashes is not None:  # a dash is longer than thick (a row of dots is left to segment._drop_dot_rows)
        if dashes < 2 * thick + 1:
            return out
        if _free_dashes(mask, cols, low, line_top) < 2:
            return out  # digits' flat feet and a colon's dot, level and alike (number_marks.py: 36:52)
        past = True  # its pattern may stop under the writing
    if (thick > UNDER_THICK * tall or last - first < long * tall or not past
            or (low - at).max() > UNDER_BELOW * tall):  # fmt: skip
        return out
    alone = run <= 1.5 * thick + 1
    out[:, cols[alone]] = (rows > paper_above[alone]) & (rows < paper_below[alone])
    return cv2.dilate(out.view(np.uint8), SQUARE).view(bool) & mask  # and the line's blurred edge


def _dashes(cols: np.ndarray) -> float | None:
    """The dashes' length if the columns ``cols`` (ascending) that ink runs along a line in make a
    dashed line: DASHES runs or more, apart by gaps alike (DASH_ALIKE of them within half their median
    and a pixel of it) and half of them alike in length (a digit standing on the line joins some);
    else None."""
    breaks = np.flatnonzero(np.diff(cols) > 1)
    if len(breaks) + 1 < DASHES:
        return None
    starts, stops = cols[np.r_[0, breaks + 1]], cols[np.r_[breaks, len(cols) - 1]] + 1
    lengths, gaps = (stops - starts)[1:-1], starts[1:] - stops[:-1]  # the end dashes may be cut short

    def alike(values: np.ndarray, share: float) -> bool:
        middle = float(np.median(values))
        return np.count_nonzero(np.abs(values - middle) <= 0.5 * middle + 1) >= share * len(values)

    return float(np.median(lengths)) if alike(gaps, DASH_ALIKE) and alike(lengths, 0.5) else None


def _free_dashes(mask: np.ndarray, cols: np.ndarray, low: np.ndarray, top: int) -> int:
    """How many of a dashed line's dashes (the runs of its columns ``cols``, its lowest ink in each at
    row ``low``) are pieces of their own, flat (twice as wide as high) and reaching no higher than row
    ``top``: not a digit's flat foot, as a row of 2s' are, nor a colon's dot."""
    _, labels, stats = components(mask)
    box = stats[labels[low, cols]]
    free = (box[:, cv2.CC_STAT_TOP] >= top) & (box[:, cv2.CC_STAT_WIDTH] >= 2 * box[:, cv2.CC_STAT_HEIGHT])
    return sum(bool(run.all()) for run in np.split(free, np.flatnonzero(np.diff(cols) > 1) + 1))


def _drawn_ring(mask: np.ndarray) -> np.ndarray:
    """A ring or a box drawn around the writing (a number or a digit circled, or boxed by hand),
    touching it or not, closed or not quite. It is the ink piece with the largest box, spanning
    RING_ALL of the ink's box (a 0 curled inside, among other digits, is no ring), whose outside is
    an ellipse (``_ring_shape``) or a box drawn by hand (``_box_shape``), with ink along RING_COVER
    of that shape half a pen inside, its own stroke (its band's ink) thin for its size (RING_THIN,
    BOX_THIN: not a 0 drawn with a broad brush), and writing in its middle (RING_MIDDLE, RING_HOLDS)
    that spans RING_FILL of its inside's height: a 0 is a ring with nothing written in it; a 2 with
    a round loop has its foot low in the loop. A ring's writing spans at most RING_ROOM of its
    inside both ways (a slashed 0's slash, and a coin's body, span all of it), and touches it only
    here and there (RING_CLEAR: a bold 8's outside has its waist joined to it all along); a 3, a 5
    or an 8 has no ink along much of its hull. A ring's pixels are its band's and all of the piece
    outside its inside: where a digit touches it, the digit's ink inside the band stays. A box, drawn
    close around the writing, may have it fill its inside; it has paper just inside its own stroke
    along BOX_CLEAR of its sides (noise does not), and its pixels are that stroke's and whatever of
    the piece does not reach well inside (its corners, its ends past them). Looked for only where the
    ink's box could be a ring's or a box's (``_ring_box``). Until 2026-11-29 a ring was dropped only
    whole, when closed and clear of the writing, and an open one, or a box drawn by hand, was read as
    digits (``benchmarks/circled.py``: 0 to 68 % of circled numbers exact, 10 and 44 % of numbers in
    a box touching them or clear of them)."""
    out = np.zeros_like(mask)
    if (found := _ring_box(mask)) is None:
        return out
    ink_rows, ink_cols, boxed = found
    count, labels, stats = components(mask)
    if count < 2:
        return out
    index = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_WIDTH] * stats[1:, cv2.CC_STAT_HEIGHT]))
    x, y, w, h = stats[index, :4]
    if min(w, h) < 24 or w < RING_ALL * np.ptp(ink_cols) or h < RING_ALL * np.ptp(ink_rows):
        return out  # small; or not around all the writing: a 0 among other digits
    piece = np.ascontiguousarray(labels[y : y + h, x : x + w] == index)
    outline = max(cv2.findContours(piece.view(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)[0], key=len)
    pen = stroke_width(piece)
    shape = _box_shape(piece, outline, pen) if boxed else _ring_shape(piece, outline, pen)
    if shape is None:
        return out
    (long, short), draw, box_stroke = shape
    along = draw((long - pen, short - pen), 1)  # the stroke's middle, half a pen inside its outside
    near_ink = cv2.dilate(piece.view(np.uint8), SQUARE).view(bool)  # the fit is a pixel off here and there
    if np.count_nonzero(along & near_ink) < RING_COVER * np.count_nonzero(along):
        return out
    band = draw((long - pen, short - pen), max(1, math.ceil(1.5 * pen + 2)))  # a fit a few pixels off at the ends
    if stroke_width(np.ascontiguousarray(band & piece)) > (BOX_THIN if boxed else RING_THIN) * min(long, short) / 2:
        return out  # a 0 drawn with a broad brush, the ring's own stroke (a bold digit touching it is not)
    room = (long - 2 * pen - 4, short - 2 * pen - 4)  # inside the ring's stroke
    inside, middle_part = draw(room, -1), draw((RING_MIDDLE * room[0], RING_MIDDLE * room[1]), -1)
    drawn = mask[y : y + h, x : x + w]
    if np.count_nonzero(drawn & middle_part) < RING_HOLDS * np.count_nonzero(band & piece):
        return out  # nothing written in its middle: a 0, whose stroke only bends inside its ellipse here and there
    writing = drawn & inside & ~band
    if not writing.any():
        return out
    rows, cols = np.flatnonzero(writing.any(1)), np.flatnonzero(writing.any(0))
    spans = np.flatnonzero(inside.any(1)), np.flatnonzero(inside.any(0))
    if np.ptp(rows) < RING_FILL * np.ptp(spans[0]) or (
        not boxed and np.ptp(rows) >= RING_ROOM * np.ptp(spans[0]) and np.ptp(cols) >= RING_ROOM * np.ptp(spans[1])
    ):
        return out  # too low for writing (a 2's loop round its own foot), or all of it (a slashed 0)
    if box_stroke is not None:  # a box: its own stroke, where paper lies inside it along BOX_CLEAR of its sides
        stroke, clear = box_stroke
        if clear < BOX_CLEAR:
            return out  # noise, or ink all along inside
        rest = piece & ~cv2.dilate(stroke.view(np.uint8), SQUARE).view(bool)  # and its blurred edge
        _, parts, stats = components(rest)
        deep = draw((room[0] - 2 * pen - 4, room[1] - 2 * pen - 4), -1)  # a pen further in than the inside
        tall = np.flatnonzero(stats[:, cv2.CC_STAT_HEIGHT] >= RING_FILL * np.ptp(spans[0]))  # a 1 beside a side
        writing = np.union1d(parts[rest & deep], np.intersect1d(parts[rest & inside], tall))
        kept = np.isin(parts, writing)  # what reaches well inside, or inside and is as tall as writing
        out[y : y + h, x : x + w] = piece & ~(kept & rest)  # not its corners, nor its ends past them
        return out
    reach = max(1, round(pen))  # a pen's width just inside the ring: mostly paper, touched by the writing
    strip = inside & ~cv2.erode(inside.view(np.uint8), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)).view(bool)
    if np.count_nonzero(drawn & strip) > RING_CLEAR * np.count_nonzero(strip):
        return out  # a bold 8's outside, its waist joined to it all along
    # and its edges, and all of it outside the inside: the ellipse misses a thin ring's ends by a few pixels
    edges = cv2.dilate((band & piece).view(np.uint8), SQUARE).view(bool)
    out[y : y + h, x : x + w] = (edges | ~inside) & piece
    return out


def _ring_shape(piece: np.ndarray, outline: np.ndarray, pen: float):
    """The ellipse fitted to the outline of the convex hull of ``piece`` (its outside ``outline``), if
    it fills the piece's box: its axes, a function drawing it with other axes (axes, thickness → bool
    image, -1 filled), and None (no box's stroke); else None."""
    hull = np.zeros(piece.shape, np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(outline), 1)
    edge = max(cv2.findContours(hull, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)[0], key=len)
    if len(edge) < 20:
        return None
    (cx, cy), (long, short), angle = cv2.fitEllipse(edge)
    h, w = piece.shape
    t = math.radians(angle)
    across = math.hypot(long * math.cos(t), short * math.sin(t)) / 2  # half the ellipse's box, across and down
    down = math.hypot(long * math.sin(t), short * math.cos(t)) / 2
    off = abs(cx - w / 2) + abs(across - w / 2), abs(cy - h / 2) + abs(down - h / 2)
    if off[0] > max(pen + 2, 0.15 * w) or off[1] > max(pen + 2, 0.15 * h):
        return None

    def draw(axes: tuple[float, float], thickness: int) -> np.ndarray:
        canvas = np.zeros(piece.shape, np.uint8)
        cv2.ellipse(canvas, ((cx, cy), axes, angle), 1, thickness)
        return canvas.view(bool)

    return (long, short), draw, None


def _box_shape(piece: np.ndarray, outline: np.ndarray, pen: float):
    """The box drawn by hand that ``piece`` (its outside ``outline``, its strokes ``pen`` wide) is: a
    quadrilateral hull (within BOX_BEND of its perimeter), each of its sides bowed in a little as a
    hand draws a long line. Each side is followed where the ink begins, looking in from the hull as
    far as BOX_BOW of its longest side (a stroke overshooting a corner moves the hull's corner out),
    by a parabola fitted to that (a gap, or a digit touching the side, is no part of it); then, at
    each point along it, the run of ink from there and the paper after it. Returns the sides of its
    box; a function drawing the outline made of those four curves, grown or shrunk about the box's
    centre to other sides (sides, thickness → bool image, -1 filled); and the box's own stroke with
    the share of its sides where it has paper inside it. The stroke is each run no thicker than 1.5
    times their median and a pixel, and of a thicker run (a digit touching the side, or running along
    it) the median and a pixel from the outside; paper inside it is twice its width and 2 px at least
    (a digit touches a box's side here and there, noise all along). None if the hull is no
    quadrilateral."""
    hull = cv2.convexHull(outline)
    bend = BOX_BEND * cv2.arcLength(hull, True)
    corners = cv2.approxPolyDP(hull, bend, True)[:, 0].astype(np.float64)
    if len(corners) != 4:
        return None  # (the hull lies outside its corners' quadrilateral by ``bend`` at most)
    middle = corners.mean(0)
    slack = max(2.0, pen / 2)  # px: how far a side's ink may begin from its curve
    longest = float(np.linalg.norm(corners - np.roll(corners, -1, axis=0), axis=1).max())
    curves, runs = [], []
    for a, b in zip(corners, np.roll(corners, -1, axis=0)):
        length = float(np.linalg.norm(b - a))
        inward = np.array([a[1] - b[1], b[0] - a[0]]) / max(length, 1)
        inward *= np.sign(np.dot(middle - a, inward)) or 1
        t = np.linspace(0, 1, max(8, int(length)))
        out = math.ceil(min(bend, max(0.0, -float(((hull[:, 0] - a) @ inward).min()))))  # the hull past the side
        reach = out + math.ceil(BOX_BOW * longest) + 2  # the depths the side's ink begins at (a corner's overshoot)
        depth = np.arange(-out, reach - out + math.ceil(4 * pen))
        start, step = a + t[:, None] * (b - a), depth[:, None] * inward  # samples × depth, in x and y:
        xs = np.rint(start[:, :1] + step[:, 0]).astype(np.intp)
        ys = np.rint(start[:, 1:] + step[:, 1]).astype(np.intp)
        inside = (xs >= 0) & (xs < piece.shape[1]) & (ys >= 0) & (ys < piece.shape[0])
        xs, ys = np.clip(xs, 0, piece.shape[1] - 1), np.clip(ys, 0, piece.shape[0] - 1)
        hit = inside & piece[ys, xs]
        first = np.argmax(hit, axis=1)
        found = hit.any(1) & (first < reach)
        edge = np.zeros(len(t))  # where the side's ink begins, from the quadrilateral's side: in (+) or out
        if np.count_nonzero(found) >= 3:
            fit = np.polyfit(t[found], first[found], 2)
            near = np.abs(np.polyval(fit, t[found]) - first[found]) <= slack
            if np.count_nonzero(near) >= 3:
                fit = np.polyfit(t[found][near], first[found][near], 2)
            edge = np.clip(np.polyval(fit, t), 0, reach - 1)
            found &= np.abs(edge - first) <= slack
        curves.append(start + (edge + depth[0])[:, None] * inward)
        paper = _first(~hit, first)  # the run's end, and the next ink after it
        runs.append((found, first, paper - first, _first(hit, paper) - paper, ys, xs))
    curve = np.concatenate(curves)
    low, high = curve.min(0), curve.max(0)
    centre, sides = (low + high) / 2, np.maximum(high - low, 1)
    found, _, run, after = (np.concatenate([side[k] for side in runs]) for k in range(4))
    if not found.any():
        return None
    thick = float(np.median(run[found]))
    clear = float(np.mean(found & (run <= 1.5 * thick + 1) & (after >= 2 * thick + 2)))
    stroke = np.zeros(piece.shape, bool)
    for on_side, begins, lengths, _, ys, xs in runs:  # each side's; of a thicker run, the ink beyond is a digit's
        own = np.where(lengths <= 1.5 * thick + 1, lengths, np.minimum(lengths, math.ceil(thick) + 1))
        steps = np.arange(ys.shape[1]) - begins[:, None]
        taken = on_side[:, None] & (steps >= 0) & (steps < own[:, None])
        stroke[ys[taken], xs[taken]] = True

    def draw(to: tuple[float, float], thickness: int) -> np.ndarray:
        canvas = np.zeros(piece.shape, np.uint8)
        points = np.round((centre + (curve - centre) * np.divide(to, sides)) * 16).astype(np.int32)  # 4 fraction bits
        if thickness < 0:
            cv2.fillPoly(canvas, [points], 1, cv2.LINE_8, 4)
        else:
            cv2.polylines(canvas, [points], True, 1, thickness, cv2.LINE_8, 4)
        return canvas.view(bool)

    return tuple(sides), draw, (stroke & piece, clear)


def _first(rows: np.ndarray, start: np.ndarray) -> np.ndarray:
    """In each row of ``rows`` (bools), the index of the first True at or after ``start`` (one per
    row), or the row's length if there is none."""
    after = rows & (np.arange(rows.shape[1]) >= start[:, None])
    return np.where(after.any(1), np.argmax(after, axis=1), rows.shape[1])


def _ring_box(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool] | None:
    """At once, whether the ink's box could be a ring's: ink at the middle of three of its sides or all
    four (a ring left open), and none in its corners (squares a tenth of its shorter side), as an
    ellipse in its box has; or a box's: ink in BOX_SIDES of the columns or rows along each side (in
    BOX_BAND of its shorter side). If so, the rows and the columns that hold ink, and
    whether it is a box; else None."""
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    if len(rows) < 24 or len(cols) < 24:
        return None
    box = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = box.shape
    dy, dx = max(1, h // 10), max(1, w // 10)
    c = min(dy, dx)  # a corner's square: a long ellipse turned a little reaches far into its box's ends
    if box[:c, :c].any() or box[:c, -c:].any() or box[-c:, :c].any() or box[-c:, -c:].any():
        band = max(1, round(BOX_BAND * min(h, w)))
        sides = box[:band].any(0), box[-band:].any(0), box[:, :band].any(1), box[:, -band:].any(1)
        return (rows, cols, True) if all(np.count_nonzero(side) >= BOX_SIDES * len(side) for side in sides) else None
    across = box[h // 2 - dy // 2 : h // 2 + dy // 2 + 1]
    down = box[:, w // 2 - dx // 2 : w // 2 + dx // 2 + 1]
    sides = (across[:, :dx].any(), across[:, -dx:].any(), down[:dy].any(), down[-dy:].any())
    return (rows, cols, False) if sum(sides) >= 3 else None


def _foot_line(cols: np.ndarray, low: np.ndarray) -> np.ndarray | None:
    """The straight line that most of the columns' lowest ink (``low``, the row in each of ``cols``)
    lies along (within LINE_WOBBLE px), turned at most LINE_TILT: its row in each of ``cols``; None if
    there is none. The halves' medians set it, so that digits reaching below the line in under half
    the columns do not turn it."""
    half = len(cols) // 2
    left, right = np.median(cols[:half]), np.median(cols[half:])
    slope = (np.median(low[half:]) - np.median(low[:half])) / max(right - left, 1)
    if abs(slope) > math.tan(math.radians(LINE_TILT)):
        return None
    near = np.abs(low - np.median(low - slope * cols) - slope * cols) <= LINE_WOBBLE
    if np.count_nonzero(near) < 0.5 * len(cols):
        return None
    slope, base = np.polyfit(cols[near], low[near], 1)
    return slope * cols + base


def _ticks(piece: np.ndarray, base: int, ends: tuple[float, float], thick: int, kept) -> np.ndarray:
    """Ticks rising from a form field's line, whose top edge is row ``base`` of ``piece``, that mark off
    two or more equal cells between the columns ``ends``: straight, at most ``thick`` px wide, at least
    TICK_LENGTH times that tall, and of a height ``kept`` keeps (heights → bools). Without ``kept``, the
    field's ends must be ticks too. A digit's stroke meets the line anywhere, not at every cell's edge.
    Empty where there are no such ticks."""
    out = np.zeros_like(piece)
    above = piece[base - 1 :: -1] if base > 0 else piece[:0]
    height = np.where(above.all(0), len(above), above.argmin(0))  # each column's ink straight up from the line
    tall = height >= TICK_LENGTH * thick
    tall = np.r_[False, tall & kept(height) if kept else tall, False]
    starts, stops = np.flatnonzero(tall[1:] & ~tall[:-1]), np.flatnonzero(tall[:-1] & ~tall[1:])
    starts, stops = starts[stops - starts <= thick], stops[stops - starts <= thick]
    centres = (starts + stops - 1) / 2
    first, last = ends
    if kept is None:  # the ends are ticks: the first and last stand at the line's ends, and the rest are alike
        if len(centres) < 3 or abs(centres[0] - first) > thick or abs(centres[-1] - last) > thick:
            return out
        first, last = centres[0], centres[-1]
        tallest = np.array([height[start:stop].max() for start, stop in zip(starts, stops)])
        alike = np.abs(tallest - min(tallest[0], tallest[-1])) <= max(thick, TICK_ALIKE * min(tallest[0], tallest[-1]))
        starts, stops, centres = starts[alike], stops[alike], centres[alike]
    for cells in range(len(centres) + 1, 1, -1):  # the most cells that fit
        grid = first + (last - first) * np.arange(1 if kept else 0, cells + (0 if kept else 1)) / cells
        near = np.abs(centres[:, None] - grid) <= max(2, TICK_SLACK * (last - first) / cells)
        if near.any(0).all():
            for start, stop in zip(starts[near.any(1)], stops[near.any(1)]):
                for column in range(start, stop):
                    out[base - height[column] : base, column] = True
            return out
    return out


def _long_runs(mask: np.ndarray, share: float = LINE_SPAN) -> np.ndarray:
    """Horizontal runs of True at least ``share`` of the width long."""
    out = np.zeros_like(mask)
    length = share * mask.shape[1]
    sums = mask.sum(1)
    if mask.shape[1] < 20 or sums.max(initial=0) < length:  # too small, or no row that long: no line
        return out
    rows = np.flatnonzero(sums >= length)  # only these can hold one
    padded = np.zeros((len(rows), mask.shape[1] + 2), np.int8)
    padded[:, 1:-1] = mask[rows]
    edges = np.diff(padded, axis=1)
    starts, ends = np.argwhere(edges == 1), np.argwhere(edges == -1)  # paired, in row-major order
    long = ends[:, 1] - starts[:, 1] >= length
    for (row, start), (_, end) in zip(starts[long], ends[long]):
        out[rows[row], start:end] = True
    return out


def speck_limit(area: int) -> float:
    """The fewest ink pixels a digit can have in an image of ``area`` pixels; fewer is a speck, unless
    it stands alone on clean paper (``specks``)."""
    return max(6, 2e-4 * area)
