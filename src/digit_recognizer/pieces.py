"""Preprocessing, step 3 (``preprocess.py`` gives the whole recipe): the ink map's pieces (connected
components) → those that make up the digit, or why there is none.

Texture, a ring drawn around the digit, a line drawn under it and things lying beside the writing (a
pen, a coin, a thumb) are never the digit, and specks are dropped; noise, smudges and blots are no
digit. Digit-like pieces apart from the one read, and digit-tall groups side by side in it, tell a
number read as one digit. ``segment.py`` applies the same tests to the pieces of a number.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np

from .ink import INK_THRESHOLD, InkMap, speck_limit
from .picture import components, quantile, stroke_width

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
IN_LINE = (0.6, 1.4)  # of the writing's typical height: a faint piece this tall in line with it is a digit
SMUDGE_CORE = 0.5  # ink with less of its stroke pixels in the core has no edges: smudges or shading
BLOT_WIDTH = 0.35  # strokes wider than this share of the digit's longest side are a blot (digits: at most 0.27)
DASH_ACROSS = 1.8  # stroke widths: a straight stroke at most this wide across is a dash, if lying within
DASH_SLANT = 30  # degrees of level (MNIST's training digits lying so: 2.2 stroke widths across and more)
OBJECT_WIDTH = 2  # a piece whose strokes are this many times as wide as the writing's, which is
OBJECT_LENGTH = 2  # this many times as long as any piece of it is tall, and which fills
BAR_FILL = 0.9  # this share of its minimum-area rectangle is an object lying beside it (a pen, a pencil)
TICK_ANGLE = (40, 120)  # degrees between a tick's two arms, rising from its lowest point...
TICK_SHORT = (0.2, 1 / 1.2)  # ...its left arm this share of its right arm's length...
TICK_PENS = 3  # ...and this many stroke widths long at least, each arm within a stroke width of straight
TICK_SIDE = 16  # px: a tick is told only this tall at least (a blurred 7 read 12 px tall is one)
CROSS_ANGLE = (40, 140)  # degrees between a cross's two straight strokes, each reaching past the other...
CROSS_REACH = 0.25  # ...by this share of its length on both sides at least...
CROSS_THIN = 0.2  # ...their stroke at most this share of its width and height wide...
CROSS_SHARE = 0.25  # ...each of them holding this share of the ink at least...
CROSS_BOW = 0.03  # ...bowed by this share of its length at most (its ink that near its line, and the line to ink)
SMUDGE = "no digit: only smudges or shading, no pen strokes"
DASH = "no digit: a dash or a line, not a digit"
TICK = "no digit: a tick (a check mark), not a digit"
CROSS = "no digit: a cross (an x), not a digit"
NOISE = "no digit: the image looks like noise"


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
    count, labels, stats = components(ink.mask)
    texture, rings = texture_and_rings(stats, labels)
    if crowded(stats, labels.size, texture):
        return None, NOISE, 0
    left_out = rings + objects(stats, labels, ink.ink, texture)
    left_out += _ticks_and_crosses(stats, labels, left_out)
    keep, reason, apart = _digit_components(stats[1:], labels.size, texture, left_out)
    if reason:
        return None, reason, 0
    chosen = np.zeros(count, bool)
    chosen[keep + 1] = True
    return chosen[labels], None, apart


def _ticks_and_crosses(stats: np.ndarray, labels: np.ndarray, left_out: list[int], largest: int = 5) -> list[int]:
    """Which of the ``largest`` components (indices into ``stats[1:]``), not ``left_out`` already, are
    ticks (``tick``) or crosses (``cross``) beside other writing: a teacher's check mark or cross
    beside a digit was read with it as one digit. One alone stays, to be told as one
    (``preprocess``)."""
    sizes = stats[1:, cv2.CC_STAT_AREA]
    if len(sizes) - len(left_out) < 2:
        return []
    out = []
    for i in np.argsort(sizes)[::-1][:largest]:
        if i in left_out or sizes[i] < 0.1 * sizes.max():
            continue
        x, y, w, h = stats[i + 1, :4]
        if tick(mark := labels[y : y + h, x : x + w] == i + 1) or cross(mark):
            out.append(int(i))
    return out if len(out) < len(sizes) - len(left_out) else []


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
    body, enlarged smoothly from 8×8, beside its one crisp fragment). A smudge in line with the writing
    as one more digit (``_in_line``) whose ink, at its own contrast (``own_contrast``), has a pen's
    core is writing: a digit a glare washes out. Specks, ``texture`` and the grains around it (in its
    box, or reaching it) are not looked at."""
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
    pieces, smudges = [], []
    for index in looked_at:
        x, y, w, h = stats[index + 1, :4]
        mask = np.ascontiguousarray(labels[y : y + h, x : x + w] == index + 1)
        box = ink[y : y + h, x : x + w]
        smudge = not (solid := blot(mask)) and smudged(box[mask])
        pieces.append((int(index), stroke_width(mask), solid or smudge, mask))
        smudges += [(int(index), box, mask)] if smudge else []
    # A digit washed out by a glare is faint against the others, as a smudge is, but in line with them
    # and with a pen's edges at its own contrast.
    pen = [stats[index + 1] for index, _, solid, _ in pieces if not solid]
    washed = {i for i, box, mask in smudges if _in_line(stats[i + 1], pen) and not smudged(own_contrast(box, mask))}
    pieces = [(index, width, solid and index not in washed, mask) for index, width, solid, mask in pieces]
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


def own_contrast(ink: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A piece's ink at its own contrast: ``ink`` (its box's normalised ink) cut again at INK_THRESHOLD
    of the strongest ink in ``mask`` (its stroke pixels over the box), as shares of that."""
    peak = max(quantile(ink[mask], 0.99), 1e-6)
    return ink[ink >= INK_THRESHOLD * peak] / peak


def _in_line(piece: np.ndarray, pen: list[np.ndarray]) -> bool:
    """Whether a piece (x, y, w, h) stands in a line of written pieces ``pen`` as one more digit:
    IN_LINE of their typical height tall, its rows half in one's, at most that height from it. With
    ``own_contrast``, this tells a digit under a whiteboard's glare (the light washes its ink out, and
    it was dropped as a smudge beside the writing until 2026-11-29) from a smudge or a pencil's
    shaded body lying beside the writing, whose ink is as faint."""
    if not pen:
        return False
    x, y, w, h = piece[:4]
    typical = float(np.median([p[3] for p in pen]))
    if not IN_LINE[0] * typical <= h <= IN_LINE[1] * typical:
        return False
    return any(
        min(y + h, py + ph) - max(y, py) >= 0.5 * h and max(px - (x + w), x - (px + pw)) <= typical
        for px, py, pw, ph in (p[:4] for p in pen)
    )


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


def dash(mask: np.ndarray) -> bool:
    """Whether the ink in ``mask`` is a dash (a minus sign, a line drawn alone): a straight stroke lying
    within DASH_SLANT of level, whose tightest rectangle, turned as the stroke lies, is at most
    DASH_ACROSS of its stroke width across and twice as long. Any slice of a bar looks like a bold 1
    to the classifier: until 2026-11-29 a dash was read as a 2 (low confidence), and as the number
    0111111111111111110 with ``--multi``. A digit is wider across: of 30,000 MNIST training digits
    whose tightest rectangle lies within 40° of level, the narrowest was 2.2 stroke widths across."""
    x, y, w, h = cv2.boundingRect(mask.view(np.uint8))
    if w <= h:  # such a stroke is wider than tall, by a sixth of its length at least: most digits are not
        return False
    ink = np.ascontiguousarray(mask[y : y + h, x : x + w])
    corners = cv2.boxPoints(cv2.minAreaRect(cv2.findNonZero(ink.view(np.uint8))))
    short, long = sorted((corners[1] - corners[0], corners[2] - corners[1]), key=lambda side: np.hypot(*side))
    across, length = np.hypot(*short), np.hypot(*long)
    slant = np.degrees(np.arctan2(abs(long[1]), abs(long[0])))
    return slant <= DASH_SLANT and length >= 2 * across and across <= DASH_ACROSS * stroke_width(ink)


def tick(mask: np.ndarray) -> bool:
    """Whether the ink in ``mask`` is a tick, a check mark (as a teacher marks a right answer), at
    least TICK_SIDE tall: two straight arms rising from its lowest point, left and right, each
    unbroken from there (a 7's bar is apart from its foot), TICK_ANGLE apart, the left one TICK_SHORT
    of the right one's length and TICK_PENS stroke widths long at least, all the ink within a stroke
    width of them. The classifier reads a tick as a 5, a third sure: until 2026-11-29 a number with
    a tick after it was read with a 5 at its end (``benchmarks/circled.py``: 0 of 100 exact). A
    digit is seldom drawn so: a 1's hooked foot is a short left arm (of MNIST's 10,000 test digits
    none is a tick, the suite's test; of its 60,000 training digits one). A tick drawn narrower than
    TICK_ANGLE is still read as digits."""
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    if len(rows) == 0 or rows[-1] + 1 - rows[0] < TICK_SIDE:
        return False
    high, bottom, first = rows[0], rows[-1], cols[0]
    foot, top = np.flatnonzero(mask[bottom]).mean(), np.flatnonzero(mask[high]).mean()
    left = np.flatnonzero(mask[:, first]).mean()  # its left arm's end: midway (a 1's is its foot, a 7's its top)
    if not (first < foot < top and high + 0.15 * (bottom - high) < left < bottom - 0.15 * (bottom - high)):
        return False  # at once: its top lies right of its foot, with ink left of that, ending midway
    ys, xs = np.nonzero(mask)
    if len(xs) < 10:
        return False
    pen = stroke_width(np.ascontiguousarray(mask))
    low = ys >= ys.max() - max(1.0, pen / 2)
    vertex = np.array([xs[low].mean(), ys.max() - pen / 2])
    arms = []
    for side in (xs < vertex[0] - pen / 2, xs > vertex[0] + pen / 2):  # left, right
        if np.count_nonzero(side) < 3:
            return False
        points = np.stack([xs[side], ys[side]], axis=1) - vertex
        end = points[np.argmax((points**2).sum(axis=1))]
        length = float(np.hypot(*end))
        way = end / max(length, 1e-6)
        off = np.abs(points[:, 0] * way[1] - points[:, 1] * way[0])  # from the straight arm
        along = np.sort(points @ way)
        if quantile(off, 0.95) > pen or way[1] >= 0 or along[0] > 2 * pen or np.diff(along).max() > pen:
            return False  # not straight, not rising, or not one stroke from the lowest point (a 7's bar)
        arms.append((way, length))
    (left, short), (right, long) = arms
    angle = np.degrees(np.arccos(np.clip(left @ right, -1, 1)))
    return bool(
        left[0] < 0 < right[0]
        and TICK_ANGLE[0] <= angle <= TICK_ANGLE[1]
        and TICK_SHORT[0] * long <= short <= TICK_SHORT[1] * long
        and short >= TICK_PENS * pen
    )


def cross(mask: np.ndarray) -> bool:
    """Whether the ink in ``mask`` is a cross, an x (as a teacher marks a wrong answer), at least
    TICK_SIDE tall: ink near the four corners of its box and none at the sides of its middle rows (a
    quick look first), a stroke at most CROSS_THIN of its width and height wide, and two straight
    strokes crossing (``crossing_strokes``), one falling and one rising to the right, opening
    CROSS_ANGLE upwards. The classifier reads a cross as a 4 or an 8: until 2026-11-29 a number with
    a cross after it was read with one at its end (``benchmarks/circled.py``: 0 of 100 exact). A
    narrow bold 2 is the digit nearest one (none of MNIST's 10,000 test digits is a cross, 24 or
    80 px tall: the suite's tests)."""
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    if len(rows) == 0 or rows[-1] + 1 - rows[0] < TICK_SIDE:
        return False
    box = np.ascontiguousarray(mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
    if not x_shaped(box):
        return False
    pen = stroke_width(box)
    return pen <= CROSS_THIN * min(box.shape) and x_strokes(box, pen)  # not drawn thick for its size (a bold digit)


def x_shaped(box: np.ndarray, sides: bool = True) -> bool:
    """A quick look at a mask cropped to its ink for an x: ink near the four corners and (``sides``)
    none at the sides of its middle rows (a small x's thick strokes come near them)."""
    h, w = box.shape
    q, t, side = max(1, h // 4), max(1, w // 3), w // 6
    if not (box[:q, :t].any() and box[:q, -t:].any() and box[-q:, :t].any() and box[-q:, -t:].any()):
        return False
    middle = box[int(0.4 * h) : int(0.6 * h) + 1]
    return not sides or not (middle[:, :side].any() or middle[:, w - side :].any())


def x_strokes(box: np.ndarray, pen: float) -> bool:
    """Whether a mask cropped to its ink is two straight strokes ``pen`` wide crossing
    (``crossing_strokes``), one falling and one rising to the right, opening CROSS_ANGLE upwards."""
    if (ways := crossing_strokes(box, pen, diagonal=True)) is None:
        return False
    down, up = ways
    if down[0] * down[1] <= 0 or up[0] * up[1] >= 0:
        return False
    upwards = [way if way[1] < 0 else -way for way in ways]
    return CROSS_ANGLE[0] <= np.degrees(np.arccos(np.clip(upwards[0] @ upwards[1], -1, 1))) <= CROSS_ANGLE[1]


def crossing_strokes(box: np.ndarray, pen: float, diagonal: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """The directions (x, y) of two straight strokes ``pen`` wide that cross in ``box`` (a mask cropped
    to its ink), or None: 95 % of the ink within half a stroke width of their lines (and CROSS_BOW of
    the box's longer side, for a bow, and a quarter of a pixel: a 2 drawn 24 px tall like a Z lay
    half a pixel farther), CROSS_SHARE of it nearer each line, each line within CROSS_BOW of its
    length of ink along 95 % of it, TICK_PENS stroke widths long at least and reaching past the
    other by CROSS_REACH of its length on both sides (not a V, not a T). The ink is split between
    them by the box's diagonals (``diagonal``: an x; the one falling to the right first) or by its
    middle row and column (a +; the one across first), a line fitted to each part, each point given
    to the nearer line and the lines fitted again. Two strokes crossing enclose no paper: a small 8,
    its loops a few pixels across, lies as near two lines."""
    if holes(box):
        return None
    h, w = box.shape
    ys, xs = np.nonzero(box)
    points = np.stack([xs, ys], axis=1) - np.array([w / 2, h / 2])
    first = points[:, 0] * points[:, 1] > 0 if diagonal else np.abs(points[:, 0]) * h >= np.abs(points[:, 1]) * w
    for _ in range(2):
        if min(np.count_nonzero(first), np.count_nonzero(~first)) < 3:
            return None
        fits = [_line(points[part]) for part in (first, ~first)]
        off = np.stack([np.abs((points - at) @ np.array([-way[1], way[0]])) for at, way in fits])
        first = off[0] < off[1]
    if quantile(off.min(axis=0), 0.95) > pen / 2 + CROSS_BOW * max(h, w) + 0.25:
        return None
    if min(np.count_nonzero(first), np.count_nonzero(~first)) < CROSS_SHARE * len(first):
        return None  # one line holds little of the ink (a bold slanted 1's end)
    (a, one), (b, other) = fits
    if abs(one @ other) > 0.99:
        return None  # parallel: no crossing
    crossing = a + one * np.linalg.solve(np.stack([one, -other], axis=1), b - a)[0]
    near = {}
    for part, way in ((first, one), (~first, other)):
        along = np.sort((points[part] - crossing) @ way)
        length = along[-1] - along[0]
        if length < TICK_PENS * pen or min(-along[0], along[-1]) < CROSS_REACH * length:
            return None
        reach = max(1, round(CROSS_BOW * length))  # the line runs within this of ink all along
        if reach not in near:
            near[reach] = cv2.dilate(box.view(np.uint8), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
        x, y = (crossing + np.arange(along[0], along[-1])[:, None] * way + np.array([w / 2, h / 2])).T
        on = near[reach][np.clip(np.round(y).astype(int), 0, h - 1), np.clip(np.round(x).astype(int), 0, w - 1)]
        if on.mean() < 0.95:
            return None  # not one stroke along its line (a 2's top bends away from it)
    return one, other


def _line(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The straight line that best fits ``points`` (x, y): a point on it (their mean) and its direction."""
    mean = points.mean(axis=0)
    _, vectors = np.linalg.eigh(np.cov((points - mean).T))
    return mean, vectors[:, -1]


def core_share(stroke_ink: np.ndarray) -> float:
    """The share of stroke pixels (by their normalised ink levels) in the strokes' core."""
    return float(np.count_nonzero(stroke_ink > STROKE_CORE) / max(stroke_ink.size, 1))


def specks(ink: int, area: int, height: int, other: int) -> bool:
    """Whether a would-be digit (or number) ``height`` working pixels tall with ``ink`` pixels, in an
    image of ``area`` pixels whose largest other piece has ``other``, is only specks: fewer pixels
    than ``speck_limit``, unless it stands alone on clean paper, at least SMALL_DIGIT tall with ALONE
    times as much ink as ``other``. A digit in normal handwriting on a photographed page, a few per
    cent of its side, was "only specks" before that exception."""
    return ink < speck_limit(area) and not (height >= SMALL_DIGIT and ink >= ALONE * other)
