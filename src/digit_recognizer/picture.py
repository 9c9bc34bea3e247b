"""The first step of reading an image: find the picture inside it, if there is one, and read only that.

A digit plotted with matplotlib is a rectangle inside the figure's margins, axes and labels; a
screenshot holds the canvas inside a window; a note photographed on a desk is a quadrilateral,
turned or seen at a slant. Such a rectangle or quadrilateral, with something drawn in it, is what
the next steps (``preprocess``) read, a quadrilateral made an upright rectangle. A sheet
photographed close runs off the photo, the desk showing beyond its other sides: the sheet's box is
read, the desk in it set to the paper's level.

``inner_picture`` is the entry point. ``border_level`` and ``quantile`` serve the later steps too.
"""

from __future__ import annotations

import cv2
import numpy as np

PANEL_LEVEL = 0.15  # grey levels this far from the border's median are not the surround of a picture in it
AXES_LEVEL = 0.25  # nor of matplotlib's axes (their spines are drawn black on white)
PANEL_SHARE = 0.02  # of the image: the least that a picture inside the image covers (a note seen from afar)...
AXES_SHARE = 0.2  # ...and the least that matplotlib's axes around one cover
PANEL_DEPTH = 0.2  # of its side: a picture runs in from its edges this far at least (median; a drawn box less)
BLANK_ALONE = 0.001  # of the image: at most this much else differs from the surround beside a blank picture
CUT_SHEET = 0.2  # of the image: the least that a sheet running off the photo's edges covers
CUT_DRAWN = 0.2  # of it: the most that is drawn on it (a digit's bold strokes cropped tight are more)
CUT_SHEET_SIDE = 100  # px: the shorter side of the least photo looked at for one (a digit's strokes in
# smaller images, a thumbnail or UCI's 8×8 enlarged, are as wide, for the image, as a strip of desk)
SHEET_ASPECT = 3  # a blank picture is at most this many times as long as wide (else a bold stroke)
TICKS_MIN = 2  # tick marks along an axes' left and bottom sides, at the least
SQUARE = np.ones((3, 3), np.uint8)  # 8-connectivity
# px: an image under this a side (MNIST's 28×28, a thumbnail) holds no picture inside it: a plotted
# digit's figure, a window around a canvas and a photographed note are hundreds of pixels. None was
# found in 20,000 MNIST test digits (either polarity), 20,000 training digits nor 183 renderings under
# 64 px, and looking took a sixth of the time a 28×28 PNG is prepared in (until 2026-11-29 only images
# under 16 px skipped it).
PICTURE_SIDE = 32


def inner_picture(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The picture inside the image, if there is one, and the 3×3 matrix that takes its pixels'
    (x, y) to the input's; else the image itself and the identity. The picture is a rectangle of
    another level than the surround (``_panel``), upright, or turned or seen at a slant and then
    made upright (``_straightened``), or else one inside matplotlib's axes (``_axes``), or else a
    sheet that runs off the image, the desk showing beyond it (``_cut_sheet``). None is looked for
    in an image under PICTURE_SIDE a side."""
    if min(gray.shape) < PICTURE_SIDE:
        return gray, np.eye(3)
    found = _panel(gray)
    if found is None or isinstance(found, np.ndarray):
        # Matplotlib draws pictures upright: a quadrilateral inside its axes is the picture's
        # rectangle cut by a light stroke drawn across it (UCI's plotted 8×8 digits).
        found = _axes(gray) or found
    if found is None:
        return _cut_sheet(gray) or (gray, np.eye(3))
    if isinstance(found, np.ndarray):
        return _straightened(gray, found)
    top, bottom, left, right = found
    return gray[top:bottom, left:right], np.array([[1.0, 0, left], [0, 1, top], [0, 0, 1]])


def _panel(gray: np.ndarray) -> tuple[int, int, int, int] | np.ndarray | None:
    """A digit plotted with matplotlib's ``imshow`` is a rectangle of the colour map's dark end, the
    digit drawn in it, inside the figure's white margins, axes and labels; a screenshot holds the
    canvas inside a window. Such a picture is an upright rectangle covering at least PANEL_SHARE of
    the image, with surround on all four sides (a shadow's or a gradient's edge touches the image's
    edges), whose level differs from the surround's (the border's median) by over PANEL_LEVEL at least
    half over, though not all over (something is drawn in it, unless nothing else in the image
    differs from the surround, ``_blank_sheet``; the corners of its box that a dark thing turned by
    under a degree leaves out are no drawing, ``_corners``), and along nine tenths of each side (a stroke drawn in
    it may reach its edge): the rows and columns (top, bottom, left, right) of what is inside, its
    edge (and any axes' spines along it) left out. Or it is a quadrilateral whose sides are not all
    upright (a note or a sheet of paper photographed askew or at a slant on a desk,
    ``_quadrilateral``): its corners (x, y) in the input, the edge left out of them, clockwise from
    the one that is its top left once made upright. Else None."""
    h, w = gray.shape
    k, small = _sampled(gray)
    every = np.abs(small - border_level(small)) > PANEL_LEVEL
    area = every.size
    if np.count_nonzero(every) < 0.5 * PANEL_SHARE * area:
        return None
    # Thin marks that touch the rectangle (axes' ticks, a caption's letters) are not part of it.
    differs = cv2.morphologyEx(every.view(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)).view(bool)
    count, labels, stats = components(differs)
    if count < 2:
        return None
    index = int(np.argmax(stats[1:, cv2.CC_STAT_AREA])) + 1
    x, y, bw, bh, own = stats[index]
    box = bw * bh
    inside = x > 0 and y > 0 and x + bw < small.shape[1] and y + bh < small.shape[0]
    if not inside or box < PANEL_SHARE * area:
        return None
    piece = labels[y : y + bh, x : x + bw] == index
    edge = _edge(gray.shape, k)
    # Along each side, the better of the outermost two rows or columns: an edge that falls between
    # two of every k-th pixel leaves the outermost one partly over the level, partly under.
    sides = (piece[:2].mean(1), piece[-2:].mean(1), piece[:, :2].mean(0), piece[:, -2:].mean(0))
    alone = np.count_nonzero(every) - np.count_nonzero(every[y : y + bh, x : x + bw]) <= BLANK_ALONE * area
    if min(side.max() for side in sides) < 0.9:  # not upright
        if (corners := _quadrilateral(piece, own, alone)) is None or _drawn_around(piece):
            return None
        corners = (corners + (x, y)) * k
        return _inset(corners, edge + k)  # a corner found on every k-th pixel may be k pixels out
    if own < 0.5 * box or (own + _corners(~piece) > 0.99 * box and not _blank_sheet(alone, bw, bh)):
        return None  # nothing drawn in it
    if _drawn_around(piece):
        return None
    top, left = y * k + edge, x * k + edge
    bottom, right = min(h, (y + bh) * k) - edge, min(w, (x + bw) * k) - edge
    return (top, bottom, left, right) if bottom - top >= 8 and right - left >= 8 else None


def _drawn_around(piece: np.ndarray) -> bool:
    """Whether a would-be picture (a mask over its box) is only a stroke drawn around paper, as a box
    drawn by hand around a digit that touches it: from each side of its box inwards, the piece's
    first run is under PANEL_DEPTH of the side deep (the median over all four sides). A plotted
    digit's panel runs in to the digit (MNIST's margin is a seventh of its side), a note or a sheet
    to its writing: 0.34 and 0.33 of the side at the least (``benchmarks/plotted.py``,
    ``benchmarks/on_a_desk.py``), a box drawn close around a bold digit 0.05–0.16. Until 2026-11-29
    such a box was taken for a picture and read inside out: 40 of ``circled.py``'s 100 single digits
    in a box touching them."""
    depths = []
    for side in (piece, piece[::-1], piece.T, piece.T[::-1]):
        start = np.argmax(side, axis=0)  # where the piece begins, in each column from this side
        after = side | (np.arange(len(side))[:, None] < start)  # ...and where it first ends after that
        end = np.where(after.all(axis=0), len(side), np.argmin(after, axis=0))
        depths.append((end - start) / len(side))
    return float(np.median(np.concatenate(depths))) < PANEL_DEPTH


def _corners(outside: np.ndarray) -> int:
    """How many pixels of ``outside`` (a mask over a piece's box of what is not the piece) are
    4-connected to the box's corners: what the box holds beside a rectangle turned a little. Until
    2026-11-27 a dark thing lying beside the digit within a degree of upright (a pen's cap) was
    taken for a picture with something drawn in it, and the image read as blank."""
    _, labels = cv2.connectedComponents(outside.view(np.uint8), connectivity=4)
    corners = labels[[0, 0, -1, -1], [0, -1, 0, -1]]
    return int(np.count_nonzero(np.isin(labels, corners[corners > 0])))


def _sampled(gray: np.ndarray) -> tuple[int, np.ndarray]:
    """k, and every k-th pixel of ``gray`` both ways: at most 256 a side, where pictures are looked for."""
    k = -(-max(gray.shape) // 256)
    return k, gray[::k, ::k]


def _edge(shape: tuple[int, int], k: int) -> int:
    """Pixels along a picture's side, found on every k-th pixel, that are its blurred edge (and any
    axes' spines drawn along it)."""
    return k + max(1, round(0.01 * max(shape)))


def _cut_sheet(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """A sheet of paper photographed close, running off the photo's edges, the desk showing beyond
    one, two or three of its sides: the image is two areas (Otsu's threshold parts them), one of
    which touches the image's edges in one stretch (``_panel`` finds a sheet that shows whole),
    whose levels differ by over PANEL_LEVEL across a sharp edge (``_levels_across``). The sheet is
    the area with something drawn in it and the desk the other, with next to nothing (``_drawn``;
    a hard shadow's edge across a digit has some of it on either side; with next to nothing in
    either, the sheet is the larger: a blank sheet); what is drawn covers at most CUT_DRAWN of
    the sheet and keeps clear of the desk. The sheet covers at least CUT_SHEET of the image and is
    a convex polygon whose sides off the image's edges are straight, with at most three corners off
    them (``_convex_polygon``), and the desk runs along the image's edges at least as far as it
    reaches in. Only in images at least CUT_SHEET_SIDE px a side. The sheet's bounding box, the
    rest of the image in it set to the sheet's level, and the matrix that takes its pixels to the
    input's; or None. Before 2026-11-27 the desk was read as well: a dark desk showing beyond one
    side or more was read as the digit, or as a bar beside it, and a blank sheet's edge as a 7
    (`benchmarks/close_up.py`)."""
    if min(gray.shape) < CUT_SHEET_SIDE:
        return None
    k, small = _sampled(gray)
    # Otsu's threshold parts the two levels, where the border's median (``_panel``'s surround) may
    # fall inside a wooden desk's grain when the border is half desk. The lighter or the darker side,
    # its grains left out and the gaps they leave filled, its largest piece with its holes filled.
    middle, _ = cv2.threshold((small * 255).astype(np.uint8), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    lighter_side = small * 255 > middle
    if not 0.05 <= np.mean(_ring(lighter_side)) <= 0.95:  # the image's edges are nearly all one side
        return None
    for lighter in (True, False):
        side = (lighter_side == lighter).view(np.uint8)
        for operation in (cv2.MORPH_OPEN, cv2.MORPH_CLOSE):
            side = cv2.morphologyEx(side, operation, np.ones((5, 5), np.uint8))
        count, labels, stats = components(side)
        if count > 1:
            outline = _outline(labels == int(np.argmax(stats[1:, cv2.CC_STAT_AREA])) + 1)
            if _one_stretch(outline):
                break
    else:
        return None
    levels = _levels_across(small, outline)
    if not abs(levels[0] - levels[1]) > PANEL_LEVEL:  # or no band on one side (NaN)
        return None
    areas = (outline, ~outline)
    drawn = [_drawn(small, cv2.erode(area.view(np.uint8), SQUARE, iterations=3).view(bool)) for area in areas]
    counts = [np.count_nonzero(mask) for mask in drawn]
    if min(counts) > BLANK_ALONE * small.size:  # a hard shadow across the digit, say: not cut
        return None
    blank = max(counts) <= BLANK_ALONE * small.size  # a few grains of a wooden desk stand out of its spread
    chosen = int(np.argmax([np.count_nonzero(area) for area in areas] if blank else counts))  # else the larger
    sheet, desk = areas[chosen], areas[1 - chosen]
    if not blank:
        # What is drawn keeps clear of the desk, and covers a small part of the sheet: a stroke drawn
        # out to a cropped image's edge, or a bold one cropped tight, leaves pieces of the paper that
        # pass for a desk, and touches them, or is most of what is left.
        clear = 3 + max(2, round(0.02 * max(small.shape)))
        near = cv2.dilate(desk.view(np.uint8), SQUARE, iterations=clear).view(bool)
        if np.any(drawn[chosen] & near) or counts[chosen] > CUT_DRAWN * np.count_nonzero(sheet):
            return None
    share = np.count_nonzero(sheet) / sheet.size
    if not CUT_SHEET <= share <= 1 - PANEL_SHARE or not _convex_polygon(sheet):
        return None
    # A desk runs along the image's edges at least as far as it reaches in from them (a strip, a
    # corner); a stroke drawn out to the edge reaches in further (a 7's tail: 22 px in along 6).
    along = np.count_nonzero(_ring(desk))
    if np.count_nonzero(desk) > along * along:
        return None
    # The rest, with its blurred edge, is set to the sheet's level: widened by the edge on the input.
    level = float(np.median(small[sheet]))
    wide = -(-_edge(gray.shape, k) // k) + 1
    rest = cv2.dilate(desk.view(np.uint8), np.ones((2 * wide + 1, 2 * wide + 1), np.uint8))
    x, y, w, h = cv2.boundingRect(sheet.view(np.uint8))
    top, left = y * k, x * k
    bottom, right = min(gray.shape[0], (y + h) * k), min(gray.shape[1], (x + w) * k)
    picture = gray[top:bottom, left:right].copy()
    rest = cv2.resize(rest[y : y + h, x : x + w], (right - left, bottom - top), interpolation=cv2.INTER_NEAREST)
    np.copyto(picture, np.float32(level), where=rest.view(bool))
    return picture, np.array([[1.0, 0, left], [0, 1, top], [0, 0, 1]])


def _one_stretch(area: np.ndarray) -> bool:
    """Whether ``area`` (a mask) touches the image's edges in one stretch (none: it is inside the
    image; two or more: a stroke drawn across it, or the paper between two strips of desk)."""
    ring = _ring(area)
    return np.count_nonzero(ring & ~np.roll(ring, 1)) == 1


def _ring(area: np.ndarray) -> np.ndarray:
    """The image's outermost pixels of ``area`` (a mask), clockwise from the top left."""
    return np.concatenate([area[0], area[1:, -1], area[-1, -2::-1], area[-2:0:-1, 0]])


def _levels_across(small: np.ndarray, area: np.ndarray) -> np.ndarray:
    """The median levels of ``small`` inside ``area`` and outside it, between one and three pixels
    from its edge: a shadow's or a gradient's levels differ there by little, a sheet's and a desk's
    by as much as anywhere."""
    bands = []
    for mask in (area, ~area):
        near, far = (cv2.erode(mask.view(np.uint8), SQUARE, iterations=n).view(bool) for n in (1, 3))
        bands.append(float(np.median(small[near & ~far])) if np.any(near & ~far) else np.nan)
    return np.array(bands)


def _drawn(small: np.ndarray, area: np.ndarray) -> np.ndarray:
    """The pixels of ``area`` (a mask over ``small``) that stand out from the area's own level (its
    median) by over PANEL_LEVEL and by over four times its spread (the median absolute deviation ×
    1.4826): a wooden desk's grain spreads its levels, but little stands out of the spread."""
    if not np.any(area):
        return area
    levels = small[area]
    deviation = np.abs(levels - np.median(levels))
    limit = max(PANEL_LEVEL, 4 * 1.4826 * float(np.median(deviation)))
    return area & (np.abs(small - np.median(levels)) > limit)


def _outline(mask: np.ndarray) -> np.ndarray:
    """``mask`` with its holes filled: all that its outer outlines hold."""
    contours, _ = cv2.findContours(mask.view(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return cv2.drawContours(np.zeros(mask.shape, np.uint8), contours, -1, 1, cv2.FILLED).view(bool)


def _convex_polygon(area: np.ndarray) -> bool:
    """Whether ``area`` (a mask touching the image's edges) is one convex polygon whose sides off the
    image's edges are straight: its outline holds within 5 % of its convex hull and of the polygon
    it reduces to, which has at most three corners off the image's edges (a sheet's corners; a digit's
    curves need more, or leave the polygon well inside or outside them)."""
    contours, _ = cv2.findContours(area.view(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if len(contours) != 1:
        return False
    outline = contours[0]
    held = cv2.contourArea(outline)
    polygon = cv2.approxPolyDP(outline, 0.02 * max(area.shape), True).reshape(-1, 2)
    h, w = area.shape
    off = (polygon[:, 0] > 2) & (polygon[:, 0] < w - 3) & (polygon[:, 1] > 2) & (polygon[:, 1] < h - 3)
    fits = [cv2.contourArea(cv2.convexHull(outline)), cv2.contourArea(polygon)]
    return np.count_nonzero(off) <= 3 and all(abs(fit - held) <= 0.05 * held for fit in fits)


def _blank_sheet(alone: bool, width: float, height: float) -> bool:
    """Whether a picture with nothing drawn in it, ``width`` by ``height``, is a blank sheet to read
    (as blank): nothing else in the image differs from the surround (``alone``: a digit beside a dark
    object is read on the page), and it is no longer than SHEET_ASPECT times its width (a bold stroke
    alone is read as a stroke). Before 2026-11-27 a blank note on a dark desk was read as the whole
    photo, and the note's edges as a 0 (0.88 confident), or as the number 10."""
    return alone and max(width, height) <= SHEET_ASPECT * min(width, height)


def _quadrilateral(piece: np.ndarray, own: int, alone: bool) -> np.ndarray | None:
    """If ``piece`` (a mask of ``own`` pixels) is a quadrilateral (what its outline holds is within a
    tenth of the area of the four-sided polygon that its convex hull reduces to, both ways: a wavy
    stroke's outline reaches well past it) with two sides turned by a degree or more
    (a sheet seen at a slant has two; an upright rectangle cut by a light stroke, one), that
    is at least half filled and has something drawn in it (it fills at most 99 % of its outline; or
    else is a blank sheet, ``alone`` in the image: ``_blank_sheet``), its
    corners (x, y) clockwise from the one that is its top left once made upright (turned back by at
    most 45°); else None. Until 2026-11-27 only upright rectangles were found, and a note turned even
    3° on a dark desk was read as a light blob on the dark; later that day turned rectangles were
    read in an upright box inside them, which cut a digit's ends at 20° and left no box at 45°.
    (UCI's plotted 8×8 digits are dark rectangles whose light strokes may break their sides or cut
    them across: 6 of them were cut short before the degree and the drawing were asked for, and 7
    others, whose remaining pieces are quadrilaterals, before two sides were asked for and matplotlib's
    axes came first: `benchmarks/real_writers.py`.)"""
    contours, _ = cv2.findContours(piece.view(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = max(contours, key=cv2.contourArea)
    hull = cv2.convexHull(outline)
    corners = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True).reshape(-1, 2).astype(np.float64)
    if len(corners) != 4:
        return None
    filled = np.count_nonzero(cv2.drawContours(np.zeros_like(piece, np.uint8), [outline], -1, 1, cv2.FILLED))
    # Within a tenth both ways: the opening in ``_panel`` rounds a turned sheet's corners, and the
    # corners kept from its hull cut them (the outline holds 6 % more at 40°); a 1's reaches 27 % past.
    quadrilateral, held = cv2.contourArea(corners.astype(np.float32)), cv2.contourArea(outline)
    if not 0.9 * quadrilateral <= held <= quadrilateral / 0.9 or own < 0.5 * filled:
        return None
    centre = corners.mean(0)
    corners = corners[np.argsort(np.arctan2(*(corners - centre).T[::-1]))]  # clockwise on the screen
    sides = np.roll(corners, -1, 0) - corners
    angles = np.degrees(np.arctan2(sides[:, 1], sides[:, 0]))
    if sum(min(a % 90, 90 - a % 90) >= 1 for a in angles) < 2:  # an upright rectangle cut by a stroke
        return None
    corners = np.roll(corners, -int(np.argmin(np.abs(angles))), 0)  # the top side runs nearest rightwards
    if own > 0.99 * filled and not _blank_sheet(alone, *_straight_size(corners)):
        return None
    return corners


def _inset(corners: np.ndarray, edge: int) -> np.ndarray | None:
    """The quadrilateral ``corners`` with ``edge`` pixels left out along its sides, as the
    straightened picture's edge (``_straightened``), or None if less than 8 pixels a side is left."""
    width, height = _straight_size(corners)
    if width - 2 * edge < 8 or height - 2 * edge < 8:
        return None
    square = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    inner = square + np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], np.float32) * edge
    seen = cv2.getPerspectiveTransform(square, corners.astype(np.float32))
    return cv2.perspectiveTransform(inner[None], seen)[0].astype(np.float64)


def _straight_size(corners: np.ndarray) -> tuple[int, int]:
    """The upright rectangle that quadrilateral ``corners`` becomes: its longer top or bottom side
    wide, its longer left or right side tall (px)."""
    side = np.linalg.norm(np.roll(corners, -1, 0) - corners, axis=1)  # top, right, bottom, left
    return round(max(side[0], side[2])), round(max(side[1], side[3]))


def _straightened(gray: np.ndarray, corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The quadrilateral ``corners`` of ``gray`` made an upright rectangle (a perspective warp), and
    the matrix that takes its pixels back to the input's."""
    width, height = _straight_size(corners)
    square = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    to_input = cv2.getPerspectiveTransform(square, corners.astype(np.float32))
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    picture = cv2.warpPerspective(gray, to_input, (width, height), flags=flags, borderMode=cv2.BORDER_REPLICATE)
    return picture, to_input


def _axes(gray: np.ndarray) -> tuple[int, int, int, int] | None:
    """Matplotlib's axes drawn around a picture whose own edges need not stand out (``cmap="gray_r"``
    leaves white on white; a digit's light strokes reach the edges of scikit-learn's 8×8 images, or
    cut the dark rectangle in two): a box of straight lines, its sides over AXES_LEVEL from the
    surround's level nearly all along, covering at least AXES_SHARE of the image with surround on
    all four sides, and tick marks (short, evenly spaced, at least TICKS_MIN) outside its left and
    bottom sides; a form's box has none. The rows and columns (top, bottom, left, right) inside its
    lines, or None."""
    h, w = gray.shape
    k, small = _sampled(gray)
    level = border_level(small)

    def far(pixels: np.ndarray) -> np.ndarray:
        return np.abs(pixels - level) > AXES_LEVEL

    # First the sides, on every k-th row (contiguous, so cheap on a large photo, which has none).
    if np.count_nonzero(far(gray[::k]).mean(0) >= AXES_SHARE) < 2:
        return None
    long = np.flatnonzero(far(gray[:, ::k]).mean(1) >= AXES_SHARE)  # on every row, every k-th column
    if len(long) == 0:
        return None
    top = int(long[0])
    left, right = _longest_run(far(gray[top]))
    if (right - left) * (h - top) < AXES_SHARE * h * w:  # too small even if its sides ran to the bottom
        return None
    down = [_leading(far(gray[top:, column])) for column in (left, right - 1)]  # the sides, from the top
    bottom = top + min(down)
    if left < 2 or right == w or top == 0 or bottom + 2 > h or abs(down[0] - down[1]) > 2:  # ticks outside
        return None
    if (right - left) * (bottom - top) < AXES_SHARE * h * w or far(gray[bottom - 1, left:right]).mean() < 0.95:
        return None
    ticks = [_ticks(far(gray[top:bottom, left - 2])), _ticks(far(gray[bottom + 1, left:right]))]
    if 0 in ticks:
        return None
    # The spines are as thick as the tick marks are wide (matplotlib draws both 0.8 points wide).
    inset = max(ticks) + 1
    top, bottom, left, right = top + inset, bottom - inset, left + inset, right - inset
    return (top, bottom, left, right) if bottom - top >= 8 and right - left >= 8 else None


def _run_bounds(line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the runs of True in ``line`` start, and where they stop (one past their last element)."""
    edges = np.diff(np.concatenate(([0], line.view(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _longest_run(line: np.ndarray) -> tuple[int, int]:
    """Where the longest run of True in ``line`` starts and ends (start, stop); (0, 0) if none."""
    starts, stops = _run_bounds(line)
    if len(starts) == 0:
        return 0, 0
    i = int(np.argmax(stops - starts))
    return int(starts[i]), int(stops[i])


def _leading(line: np.ndarray) -> int:
    """How many of ``line``'s first elements are True."""
    return len(line) if line.all() else int(np.argmin(line))


def _ticks(line: np.ndarray) -> int:
    """How wide the tick marks along ``line`` (a line of pixels just outside an axes' side) are, in
    pixels; 0 if they are not tick marks: at least TICKS_MIN short runs (at most 4 px, or 2 % of the
    side), evenly spaced (within 2 px)."""
    starts, stops = _run_bounds(line)
    if len(starts) < TICKS_MIN or (stops - starts).max() > max(4, 0.02 * len(line)):
        return 0
    spacing = np.diff(starts + stops)
    return int((stops - starts).max()) if spacing.max() - spacing.min() <= 4 else 0


def border_level(pixels: np.ndarray) -> float:
    """The median level of an image's outermost rows and columns: its paper, or a picture's surround."""
    return quantile(np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]]), 0.5)


def stroke_width(mask: np.ndarray) -> float:
    """The mean width of the strokes in ``mask``, in pixels: twice their area over their outline's."""
    inner = cv2.erode(mask.view(np.uint8), SQUARE, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    area = int(np.count_nonzero(mask))
    return 2.0 * area / max(area - int(np.count_nonzero(inner)), 1)


def quantile(values: np.ndarray, q: float) -> float:
    """``np.quantile(values, q)`` (linear interpolation) by a partial sort: the same value, without
    np.quantile's per-call overhead, which dominated small images (a third of a 28×28 image's time)."""
    position = q * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    part = np.partition(values, (low, high))
    a, b = float(part[low]), float(part[high])
    return a + (b - a) * (position - low)


def components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """The 8-connected pieces of ``mask`` (bool or uint8): their count with the background's, the labels
    and the stats (``cv2.CC_STAT_*``), as ``cv2.connectedComponentsWithStats`` gives them, by Grana's
    labelling: the same labels and stats as OpenCV's default, faster on one thread, as each worker
    process runs (a whole prepare of a 280-px canvas 5.73 against 6.34 ms, of the REST benchmark's
    140-px image 4.42 against 4.65 ms, of a 28×28 digit 1.30 against 1.31; on two threads the same;
    ``benchmarks/labelling.py``, AVX2 EPYC)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        mask.view(np.uint8), 8, cv2.CV_32S, cv2.CCL_GRANA
    )
    return count, labels, stats
