"""Realistic test images made from MNIST *test* digits, rendered the way people's images arrive.

Nothing is downloaded: each MNIST digit is up-sampled into smooth pen strokes and drawn on a canvas
under one named condition (a phone photo on grey paper, a canvas export with a transparent
background, a scan with grid lines, ...), or plotted with matplotlib (``plotted``). Tests assert
accuracy on a seeded sample; the benchmark ``benchmarks/realistic.py`` reports it per condition.
``textures`` makes the opposite: noise and texture with no digit, which must be read as none.
``one_digit_pieces`` cuts composed numbers into the pieces the one-digit model learns from (from MNIST
*training* digits there).
"""

from __future__ import annotations

import io
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .pieces import stroke_width
from .segment import piece_image


def strokes(digit: np.ndarray, size: int, level: float = 0.5) -> np.ndarray:
    """An MNIST digit (28×28 uint8) → a smooth ink map (size×size, float in [0, 1]).

    ``level`` is where the up-sampled grey levels are cut: high gives thin strokes, low thick ones.
    """
    big = Image.fromarray(digit.astype(np.float32) / 255.0, mode="F").resize((size, size), Image.Resampling.BICUBIC)
    soft = max(0.04, 1.5 / size * 28 / 10)  # edges about a pixel and a half wide, whatever the size
    return np.clip((np.asarray(big) - level) / soft + 0.5, 0, 1)


def _place(ink: np.ndarray, canvas: tuple[int, int], rng: np.random.Generator, off_centre: bool) -> np.ndarray:
    h, w = canvas
    out = np.zeros(canvas, np.float32)
    room_y, room_x = h - ink.shape[0], w - ink.shape[1]
    spread = 1.0 if off_centre else 0.2
    y = int(np.clip(room_y / 2 + rng.uniform(-spread, spread) * room_y / 2, 0, room_y))
    x = int(np.clip(room_x / 2 + rng.uniform(-spread, spread) * room_x / 2, 0, room_x))
    out[y : y + ink.shape[0], x : x + ink.shape[1]] = ink
    return out


def _compose(ink: np.ndarray, paper, pen) -> np.ndarray:
    """Paper and pen colours (RGB in [0, 1]) mixed by the ink map → float RGB image."""
    paper, pen = np.asarray(paper, np.float32), np.asarray(pen, np.float32)
    return paper * (1 - ink[..., None]) + pen * ink[..., None]


def _encode(rgb: np.ndarray, fmt: str = "PNG", quality: int = 90, alpha: np.ndarray | None = None) -> bytes:
    pixels = np.clip(rgb * 255 + 0.5, 0, 255).astype(np.uint8)
    if alpha is not None:
        pixels = np.dstack([pixels, np.clip(alpha * 255 + 0.5, 0, 255).astype(np.uint8)])
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt, quality=quality)
    return buffer.getvalue()


def _lines(shape: tuple[int, int], spacing: int, grid: bool, width: int) -> np.ndarray:
    mask = np.zeros(shape, np.float32)
    for y in range(spacing // 2, shape[0], spacing):
        mask[y : y + width] = 1
    if grid:
        for x in range(spacing // 2, shape[1], spacing):
            mask[:, x : x + width] = 1
    return mask


PEN_LEVELS = {"thin_pen": 0.75, "thick_marker": 0.15}  # ``strokes`` levels of the pen conditions


def render(digit: np.ndarray, condition: str, rng: np.random.Generator, max_side: int = 3000) -> bytes:
    """One encoded image of ``digit`` under ``condition`` (see ``CONDITIONS``)."""
    side = int(np.exp(rng.uniform(np.log(60), np.log(max_side))))
    if condition == "tiny":
        side = int(rng.integers(30, 60))
    canvas = (side, int(side * rng.uniform(0.8, 1.4)))
    digit_size = max(20, int(side * rng.uniform(0.45, 0.8)))
    level = PEN_LEVELS.get(condition, rng.uniform(0.35, 0.6))
    ink = strokes(digit, digit_size, level)
    if condition == "rotated":
        angle = rng.uniform(-15, 15)
        ink = np.asarray(Image.fromarray(ink, mode="F").rotate(angle, Image.Resampling.BILINEAR))
    ink = _place(ink, canvas, rng, off_centre=condition == "off_centre")
    if condition == "tight_crop":  # cut out where the ink ends, as a form's cell or a photo cropped to the digit
        x, y, w, h = cv2.boundingRect((ink > 0.1).view(np.uint8))
        ink = ink[y : y + h, x : x + w]
    if condition in ("underlined", "circled"):
        ink = _marked(ink, condition, rng)
    return CONDITIONS[condition](ink, rng)


def _marked(ink: np.ndarray, mark: str, rng: np.random.Generator) -> np.ndarray:
    """``ink`` with a line drawn under the digit or an ellipse drawn around it, clear of the digit (the
    canvas grows to hold the ellipse), in a pen stroke a twentieth to a tenth of the digit's height."""
    x, y, w, h = cv2.boundingRect((ink > 0.1).view(np.uint8))
    pen = max(1, int(h * rng.uniform(0.05, 0.1)))
    if mark == "underlined":
        out = np.zeros_like(ink)
        gap, reach = h * rng.uniform(0.12, 0.25), w * rng.uniform(0.2, 0.4) + h * 0.1
        row = int(min(y + h + gap, ink.shape[0] - pen))
        cv2.line(out, (int(max(0, x - reach)), row), (int(min(ink.shape[1] - 1, x + w + reach)), row), 1.0, pen)
        return np.maximum(ink, out)
    axes = (int(w / 2 + h * rng.uniform(0.25, 0.4)), int(h * rng.uniform(0.7, 0.8)))
    margin = max(axes) + pen  # from the digit's centre, enough for the ellipse on every side
    ink = np.pad(ink, margin)
    out = np.zeros_like(ink)
    centre = (int(x + w / 2) + margin, int(y + h / 2) + margin)
    cv2.ellipse(out, centre, axes, float(rng.uniform(-10, 10)), 0, 360, 1.0, pen)
    return np.maximum(ink, out)


def _pen(rng):
    return rng.choice([[0.05, 0.05, 0.08], [0.1, 0.15, 0.45], [0.3, 0.3, 0.32]])


def _photo(ink, rng, paper=(0.93, 0.92, 0.9), light=None, noise=0.02, blur=0.0, quality=85):
    rgb = _compose(ink, paper, _pen(rng))
    if light is not None:
        rgb = rgb * light[..., None]
    if blur:
        rgb = cv2.GaussianBlur(rgb, (0, 0), blur)
    rgb = rgb + rng.normal(0, noise, rgb.shape).astype(np.float32)
    return _encode(np.clip(rgb, 0, 1), "JPEG", quality)


PENCILS = {  # pencil: how much graphite the stroke holds, and how much it varies with the paper's tooth
    "firm": (0.8, 0.2),
    "firm, coarse paper": (0.8, 0.4),
    "medium": (0.5, 0.2),
    "medium, coarse paper": (0.5, 0.4),
    "light": (0.35, 0.3),
    "light, coarse paper": (0.35, 0.5),
}


def pencil(ink: np.ndarray, rng: np.random.Generator, pressure: float, grain: float, grain_px: float) -> bytes:
    """Ink drawn in pencil on white paper and photographed: the graphite's density is the ink times
    ``pressure``, varied by the paper's tooth (smooth noise ``grain_px`` wide, its spread ``grain``
    of the density), grey, under a little uneven light and sensor noise, as JPEG."""
    tooth = cv2.GaussianBlur(rng.normal(0, 1, ink.shape).astype(np.float32), (0, 0), grain_px)
    tooth /= tooth.std() + 1e-6
    density = np.clip(ink * pressure * (1 + grain * tooth), 0, 1)
    rgb = _compose(density, (0.93, 0.92, 0.9), (0.2, 0.2, 0.22))
    return _encode(np.clip(rgb * rng.uniform(0.85, 1.0) + rng.normal(0, 0.02, rgb.shape), 0, 1), "JPEG", 85)


def _gradient(shape, rng, low=0.45):
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    t = np.cos(angle) * xx / w + np.sin(angle) * yy / h
    t = (t - t.min()) / max(t.max() - t.min(), 1e-6)
    return low + (1 - low) * t


def _shadow(shape, rng):
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cy, cx = rng.uniform(0, h), rng.uniform(0, w)
    r = rng.uniform(0.3, 0.6) * max(h, w)
    return 1 - 0.45 * np.exp(-(((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r)))


def _ruled(ink, rng, grid: bool):
    spacing = max(8, int(ink.shape[0] / rng.uniform(4, 9)))
    lines = _lines(ink.shape, spacing, grid, max(1, ink.shape[0] // 300))
    paper = _compose(lines * 0.5, (0.96, 0.96, 0.94), (0.45, 0.6, 0.85))
    rgb = paper * (1 - ink[..., None]) + _pen(rng) * ink[..., None]
    return _encode(rgb, "JPEG", 90)


def _form_cell(ink, rng):
    """A scanned form's box around the digit, cropped with 0 to 8 % of the side outside the box."""
    h, w = ink.shape
    inset = int(rng.uniform(0, 0.08) * min(h, w))
    width = max(1, int(min(h, w) * rng.uniform(0.005, 0.02)))
    box = np.zeros(ink.shape, np.float32)
    cv2.rectangle(box, (inset, inset), (w - 1 - inset, h - 1 - inset), 1.0, width)
    paper = _compose(box, (0.97, 0.97, 0.95), (0.1, 0.1, 0.15))
    rgb = paper * (1 - ink[..., None]) + _pen(rng) * ink[..., None]
    return _encode(np.clip(rgb + rng.normal(0, 0.02, rgb.shape), 0, 1), "JPEG", 90)


CONDITIONS: dict[str, Callable[[np.ndarray, np.random.Generator], bytes]] = {
    "canvas": lambda ink, rng: _encode(_compose(ink, (1, 1, 1), (0, 0, 0))),
    "white_on_black": lambda ink, rng: _encode(_compose(ink, (0, 0, 0), (1, 1, 1))),
    "transparent": lambda ink, rng: _encode(_compose(ink, (0, 0, 0), (0, 0, 0)), alpha=ink),
    "thin_pen": lambda ink, rng: _photo(ink, rng),
    "thick_marker": lambda ink, rng: _photo(ink, rng),
    "grey_paper": lambda ink, rng: _photo(ink, rng, paper=(0.62, 0.62, 0.6)),
    "coloured_paper": lambda ink, rng: _photo(ink, rng, paper=tuple(rng.uniform(0.55, 0.95, 3))),
    "gradient": lambda ink, rng: _photo(ink, rng, light=_gradient(ink.shape, rng)),
    "shadow": lambda ink, rng: _photo(ink, rng, light=_shadow(ink.shape, rng)),
    "grid": lambda ink, rng: _ruled(ink, rng, grid=True),
    "ruled": lambda ink, rng: _ruled(ink, rng, grid=False),
    "blur": lambda ink, rng: _photo(ink, rng, blur=max(1.0, ink.shape[0] / 200)),
    "noise": lambda ink, rng: _photo(ink, rng, noise=0.08),
    "jpeg": lambda ink, rng: _photo(ink, rng, quality=15),
    "rotated": lambda ink, rng: _photo(ink, rng),
    "off_centre": lambda ink, rng: _photo(ink, rng),
    "tiny": lambda ink, rng: _encode(_compose(ink, (1, 1, 1), (0, 0, 0))),
    "tight_crop": lambda ink, rng: _photo(ink, rng),
    "form_cell": _form_cell,
    "underlined": lambda ink, rng: _photo(ink, rng),
    "circled": lambda ink, rng: _photo(ink, rng),
}


def sample(images: np.ndarray, labels: np.ndarray, per_condition: int, seed: int = 0, max_side: int = 3000):
    """Yield (condition, label, encoded image) for ``per_condition`` random test digits per condition."""
    rng = np.random.default_rng(seed)
    for condition in CONDITIONS:
        for index in rng.choice(len(labels), per_condition, replace=False):
            yield condition, int(labels[index]), render(images[index], condition, rng, max_side)


def out_of_focus(digit: np.ndarray, blur: float, rng: np.random.Generator, pen: str = "pen", max_side: int = 1500):
    """A phone photo of ``digit`` on white paper, out of focus: a Gaussian blur whose sigma is ``blur``
    times the digit's height (0.04 blurs a 240-px digit by 10 px, still plain to a person). ``pen``:
    "pen" or "thin pen" (finer strokes, which blur fades sooner). The canvas is 60 to ``max_side`` px."""
    side = int(np.exp(rng.uniform(np.log(60), np.log(max_side))))
    digit_size = int(side * 0.6)
    level = {"pen": 0.5, "thin pen": PEN_LEVELS["thin_pen"]}[pen]
    ink = _place(strokes(digit, digit_size, level), (side, side), rng, False)
    return _photo(ink, rng, blur=blur * digit_size)


def plotted(
    image: np.ndarray,
    cmap: str = "gray",
    title: str = "",
    colorbar: bool = False,
    axes: bool = True,
    size: tuple[float, float] = (4, 4),
    dpi: int = 72,
    fmt: str = "png",
    tight: bool = False,
) -> tuple[bytes, tuple[float, float, float, float]]:
    """``image`` (an MNIST digit, or a number's ink map) as ``matplotlib.pyplot.imshow`` draws it in a
    figure of ``size`` inches, saved as ``fmt``: the way people learning deep learning save a digit.
    Also where the plotted image lies in the saved pixels (left, top, right, bottom); not measured with
    ``tight`` (the figure is cropped). Needs matplotlib (the ``train`` extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=size, dpi=dpi)
    try:
        ax = fig.gca()
        shown = ax.imshow(image, cmap=cmap)
        if colorbar:
            fig.colorbar(shown)
        ax.set_title(title)
        if not axes:
            ax.axis("off")
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=dpi, **({"bbox_inches": "tight"} if tight else {}))
        extent, height = ax.get_window_extent(), fig.bbox.height
    finally:
        plt.close(fig)
    return buffer.getvalue(), (extent.x0, height - extent.y1, extent.x1, height - extent.y0)


# ---------------------------------------------------------------------------------------------
# Numbers: several digits on a line


def number_ink(digits: list[np.ndarray], rng: np.random.Generator, touching: bool, digit_px: int) -> np.ndarray:
    """Compose digits into one line of ink: random spacing, baseline jitter and size variation.

    With ``touching``, neighbours overlap a little so that their strokes run into each other.
    """
    return number_layout(digits, rng, touching, digit_px)[0]


def random_number(
    images: np.ndarray,
    labels: np.ndarray,
    rng: np.random.Generator,
    digit_px: tuple[int, int] = (28, 121),
    touching: bool = False,
    lengths: tuple[int, int] = (2, 6),
) -> tuple[str, np.ndarray]:
    """A number of ``lengths`` (a range, both ends in) digits drawn from ``images`` at random, written
    (``number_ink``, touching or not) ``digit_px`` (a range, its end out) px tall: its text, from
    ``labels``, and its ink."""
    index = rng.choice(len(labels), int(rng.integers(lengths[0], lengths[1] + 1)), replace=False)
    ink = number_ink([images[j] for j in index], rng, touching, int(rng.integers(*digit_px)))
    return "".join(str(labels[j]) for j in index), ink


def number_layout(
    digits: list[np.ndarray], rng: np.random.Generator, touching: bool, digit_px: int, overlap=(0.03, 0.1)
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """``number_ink`` and each digit's columns [start, stop) in it; touching neighbours overlap by
    ``overlap`` (a range, in digit sizes)."""
    glyphs = []
    for digit in digits:
        size = int(digit_px * rng.uniform(0.85, 1.15))
        ink = strokes(digit, size, rng.uniform(0.35, 0.55))
        cols = np.flatnonzero(ink.max(0) > 0.3)
        glyphs.append(ink[:, cols[0] : cols[-1] + 1] if len(cols) else ink)
    height = max(g.shape[0] for g in glyphs) + 2 * digit_px // 5
    gaps = [
        -int(rng.uniform(*overlap) * digit_px) if touching else int(rng.uniform(0.12, 0.5) * digit_px) for _ in glyphs
    ]
    width = sum(g.shape[1] for g in glyphs) + sum(gaps) + digit_px
    line = np.zeros((height, width), np.float32)
    x = digit_px // 2
    spans = []
    for glyph, gap in zip(glyphs, gaps):
        y = (height - glyph.shape[0]) // 2 + int(rng.uniform(-0.08, 0.08) * digit_px)
        y = int(np.clip(y, 0, height - glyph.shape[0]))
        region = line[y : y + glyph.shape[0], x : x + glyph.shape[1]]
        np.maximum(region, glyph[:, : region.shape[1]], out=region)
        spans.append((x, x + region.shape[1]))
        x += glyph.shape[1] + gap
    return line[:, : x + digit_px // 2 - gaps[-1]], spans


NUMBER_CONDITIONS = ("canvas", "white_on_black", "transparent", "grey_paper", "gradient", "ruled", "jpeg", "noise")


def render_number(ink: np.ndarray, condition: str, rng: np.random.Generator) -> bytes:
    """A composed line of ink, drawn under one of the single-digit conditions, with a margin."""
    pad = ink.shape[0] // 3
    return CONDITIONS[condition](np.pad(ink, pad), rng)


def rising(ink: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """A line of ink (``number_ink``) written rising by ``degrees`` (falling if negative): turned
    counter-clockwise about its middle, the canvas grown to hold all of it; and the 2×3 matrix that
    takes the line's pixels to it."""
    h, w = ink.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(turn[0, 0]), abs(turn[0, 1])
    size = (int(np.ceil(w * cos + h * sin)), int(np.ceil(w * sin + h * cos)))
    turn[:, 2] += (size[0] - w) / 2, (size[1] - h) / 2
    return np.clip(cv2.warpAffine(ink, turn, size, flags=cv2.INTER_CUBIC), 0, 1), turn


def sample_numbers(images: np.ndarray, labels: np.ndarray, count: int, touching: bool, seed: int = 0,
                   lengths: tuple[int, int] = (2, 6)):  # fmt: skip
    """Yield (number as text, condition, encoded image) for ``count`` random numbers of test digits."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        text, ink = random_number(images, labels, rng, (28, 120), touching, lengths)
        condition = NUMBER_CONDITIONS[i % len(NUMBER_CONDITIONS)]
        yield text, condition, render_number(ink, condition, rng)


MARKED_KINDS = ("decimal", "thousands", "time", "negative", "range")  # marked_number: 3.14, 1,000, 12:30, -42, 25-11


def marked_text(kind: str, rng: np.random.Generator) -> str:
    """A number of ``kind`` (MARKED_KINDS) with random digits: "3.14", "1,000", "12:30", "-42", "25-11";
    or a sum ("sum") or a product ("product") of two numbers of 1–2 digits: "12+7=19", "3×4=12"."""
    digits = lambda n: "".join(str(d) for d in rng.integers(0, 10, n))  # noqa: E731
    count = lambda low, high: int(rng.integers(low, high + 1))  # noqa: E731
    return {
        "decimal": lambda: f"{digits(count(1, 3))}.{digits(count(1, 2))}",
        "thousands": lambda: f"{digits(count(1, 2))},{digits(3)}",
        "time": lambda: f"{digits(2)}:{digits(2)}",
        "negative": lambda: f"-{digits(count(1, 3))}",
        "range": lambda: f"{digits(count(1, 2))}-{digits(count(1, 2))}",
        "sum": lambda: "{}+{}={}".format(*(a := rng.integers(0, 10 ** count(1, 2), 2)), a.sum()),
        "product": lambda: "{}×{}={}".format(*(a := rng.integers(0, 10 ** count(1, 2), 2)), a.prod()),
    }[kind]()


def marked_number(text: str, images: np.ndarray, labels: np.ndarray, rng: np.random.Generator, digit_px: int):
    """One line of ink writing ``text``: its digits are MNIST digits of those labels drawn from ``images``
    (as in ``number_layout``), its marks drawn as a pen makes them: a decimal point (a dot a little wider
    than the strokes, or a short dab), a comma (a short stroke curling down below the digits' foot), a
    colon (two dots), a minus sign (a short stroke about level, at mid-height), an equals sign (two,
    0.3–0.5 of the digits' height apart), a plus sign (a shorter one with a stroke about upright
    across its middle), a times sign (two strokes crossing corner to corner)."""
    glyphs = []
    for char in text:
        if char.isdigit():
            size = int(digit_px * rng.uniform(0.85, 1.15))
            ink = strokes(images[rng.choice(np.flatnonzero(labels == int(char)))], size, rng.uniform(0.35, 0.55))
            cols, rows = np.flatnonzero(ink.max(0) > 0.3), np.flatnonzero(ink.max(1) > 0.3)
            glyphs.append(ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
        else:
            glyphs.append(char)
    first = next(g for g in glyphs if not isinstance(g, str))
    pen = max(2.0, stroke_width(first > 0.5))
    height = max(g.shape[0] for g in glyphs if not isinstance(g, str)) + digit_px
    room = 2 + max(0, len(glyphs) - 6)  # digit sizes of paper for the gaps: more in a sum of 7-9 glyphs
    width = sum(g.shape[1] if not isinstance(g, str) else digit_px for g in glyphs) + room * digit_px
    line = np.zeros((height, width), np.uint8)
    x, placed = digit_px // 2, []
    for glyph in glyphs:
        if isinstance(glyph, str):
            if glyph in "-=":
                width = max(rng.uniform(0.35, 0.7) * digit_px, 4 * pen)
            elif glyph in "+×":  # its ink 0.4-0.7 of a digit's height
                width = max(rng.uniform(0.3, 0.5) * digit_px, 4 * pen)
            else:
                width = 2.5 * pen
            placed.append((glyph, x, width))
            x = int(x + width + rng.uniform(0.1, 0.3) * digit_px)
            continue
        h, w = glyph.shape
        y = (height - h) // 2 + int(rng.uniform(-0.05, 0.05) * digit_px)
        region = line[y : y + h, x : x + w]
        np.maximum(region, np.round(255 * glyph).astype(np.uint8), out=region)
        placed.append((y, y + h, x, x + w))
        x += w + int(rng.uniform(0.15, 0.4) * digit_px)
    digit_boxes = [p for p in placed if len(p) == 4]
    top = int(np.median([b[0] for b in digit_boxes]))
    foot = int(np.median([b[1] for b in digit_boxes]))
    size = foot - top
    for item in placed:
        if len(item) == 4:
            continue
        char, x0, width = item
        thick = max(1, int(round(pen)))
        if char in ".:":
            radius = pen * rng.uniform(0.5, 1.1)
            spots = [foot - radius + rng.uniform(-0.05, 0.03) * size]
            if char == ":":  # the upper dot a pen's width at least above the lower one
                spots.append(min(top + rng.uniform(0.3, 0.45) * size, spots[0] - 2.8 * radius - pen))
            for cy in spots:
                axes = (max(1, int(radius * rng.uniform(0.8, 1.4))), max(1, int(radius * rng.uniform(0.8, 1.2))))
                centre = (int(x0 + width / 2), int(cy))
                cv2.ellipse(line, centre, axes, rng.uniform(0, 180), 0, 360, 255, -1, cv2.LINE_AA)
        elif char == ",":
            head = (x0 + 1.2 * pen, foot - pen)
            tail = (head[0] - rng.uniform(0.05, 0.12) * size, foot + rng.uniform(0.15, 0.3) * size)
            bend = (head[0] + 0.3 * pen, (head[1] + tail[1]) / 2)
            curve = np.array([head, bend, tail], np.int32)
            cv2.polylines(line, [curve], False, 255, thick, cv2.LINE_AA)
            blob = max(1, int(pen * rng.uniform(0.5, 0.8)))
            cv2.circle(line, (int(head[0]), int(head[1])), blob, 255, -1, cv2.LINE_AA)
        elif char == "×":  # a times sign: two strokes from corner to corner of a square at mid-height
            cy, half = top + rng.uniform(0.4, 0.6) * size, (width - thick) / 2
            centre = np.array([x0 + width / 2, cy])
            for ends in (((-1, -1), (1, 1)), ((1, -1), (-1, 1))):
                a, b = (centre + np.array(end) * half + rng.uniform(-0.1, 0.1, 2) * half for end in ends)
                cv2.line(line, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), 255, thick, cv2.LINE_AA)
        else:  # a minus sign, its round ends inside its width; an equals sign, two; a plus, one with a stroke across
            cy = top + rng.uniform(0.4, 0.6) * size
            slant = np.tan(np.radians(rng.uniform(-8, 8))) * width
            start, stop = x0 + thick / 2, x0 + width - thick / 2
            gap = rng.uniform(0.15, 0.25) * size if char == "=" else 0.0
            for y in (cy - gap, cy + gap) if gap else (cy,):
                cv2.line(
                    line, (int(start), int(y + slant / 2)), (int(stop), int(y - slant / 2)), 255, thick, cv2.LINE_AA
                )
            if char == "+":
                half, lean = (stop - start) / 2 * rng.uniform(0.9, 1.2), np.tan(np.radians(rng.uniform(-8, 8)))
                mid = (start + stop) / 2 + rng.uniform(-0.05, 0.05) * width
                ends = [(int(mid + lean * half), int(cy - half)), (int(mid - lean * half), int(cy + half))]
                cv2.line(line, *ends, 255, thick, cv2.LINE_AA)
    return line[:, : x + digit_px // 2].astype(np.float32) / 255


def sample_marked_numbers(
    images: np.ndarray, labels: np.ndarray, count: int, seed: int = 0, kinds: tuple[str, ...] = MARKED_KINDS
):
    """Yield (number as text, kind, condition, encoded image) for ``count`` numbers with marks
    (``marked_number``), of ``kinds`` in turn (``marked_text``'s), under the conditions of ``sample_numbers``."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        kind = kinds[i % len(kinds)]
        text = marked_text(kind, rng)
        ink = marked_number(text, images, labels, rng, int(rng.integers(28, 120)))
        condition = NUMBER_CONDITIONS[(i // len(kinds)) % len(NUMBER_CONDITIONS)]
        yield text, kind, condition, render_number(ink, condition, rng)


LABELS = ("Total:", "Amount", "Age", "No.", "Date", "Qty", "Score", "Room", "Tel.", "Zip code", "Invoice", "ID")
UNITS = ("kg", "cm", "mm", "EUR", "km", "pcs", "min", "ml")


def printed(text: str, cap_px: float) -> np.ndarray:
    """``text`` printed in Pillow's own font (the same on every machine), its capitals ``cap_px`` tall,
    as ink in [0, 1] cropped to the letters."""
    font = ImageFont.load_default(size=max(4, round(cap_px / 0.72)))  # Aileron's capitals: 0.72 of its size
    left, top, right, bottom = font.getbbox(text)
    page = Image.new("L", (right - left + 2, bottom - top + 2), 0)
    ImageDraw.Draw(page).text((1 - left, 1 - top), text, fill=255, font=font)
    return np.asarray(page, np.float32) / 255


def labelled(
    ink: np.ndarray, rng: np.random.Generator, cap: float, label: str | None, unit: str | None, above: bool = False
) -> np.ndarray:
    """A line of handwritten ink (``number_ink``) with a form's printed ``label`` before it and a
    ``unit`` after it (either may be None), their capitals ``cap`` of the writing's height tall,
    standing on its foot or level with its middle, 0.3 to 1.2 of its height away. ``above``: the
    label stands above the writing instead, over its start, 0.2 to 0.6 of its height above it."""
    rows = np.flatnonzero(ink.max(1) > 0.3)
    top, foot = int(rows[0]), int(rows[-1]) + 1
    size = foot - top
    words = {before: printed(text, cap * size) for text, before in ((label, True), (unit, False)) if text}
    gaps = {before: int(rng.uniform(0.3, 1.2) * size) for before in words}
    left = words[True].shape[1] + gaps[True] if True in words and not above else 0
    right = words[False].shape[1] + gaps[False] if False in words else 0
    reach = max([p.shape[0] for p in words.values()] + [0]) + (size if above else 0)
    wide = words[True].shape[1] if True in words and above else 0  # a label above may be wider than the number
    out = np.zeros((ink.shape[0] + 2 * reach, max(left + ink.shape[1] + right, wide)), np.float32)
    out[reach : reach + ink.shape[0], left : left + ink.shape[1]] = ink
    for before, word in words.items():
        h, w = word.shape
        if before and above:
            y, x = reach + top - h - int(rng.uniform(0.2, 0.6) * size), 0
        else:
            on_foot = foot - h + int(0.28 * cap * size)  # its descenders below the foot
            level = on_foot if rng.random() < 0.5 else (top + foot - h) // 2
            y = reach + level + int(rng.uniform(-0.05, 0.05) * size)
            x = 0 if before else left + ink.shape[1] + gaps[False]
        out[y : y + h, x : x + w] = np.maximum(out[y : y + h, x : x + w], word)
    return out


DIM = {  # dim_photo: the light on the page (of a well-lit photo's) and the sensor noise's sigma
    "well lit": (1.0, 0.02),
    "dim": (0.3, 0.02),
    "dim, grainy": (0.3, 0.04),
    "dark, grainy": (0.2, 0.03),
    "half light, very grainy": (0.5, 0.06),
}


def dim_photo(ink: np.ndarray, rng: np.random.Generator, light: float, noise: float) -> bytes:
    """Handwriting (an ink map) in a pen (``_pen``) on white paper, photographed in dim light: the
    paper and the ink ``light`` as bright as in a well-lit photo, with sensor noise of sigma
    ``noise`` (of white) in each channel, which a dim photo's raised gain makes grainy; JPEG, a third
    of the writing's height of paper around it."""
    ink = np.pad(ink, ink.shape[0] // 3)
    return _photo(ink, rng, light=np.full(ink.shape, light, np.float32), noise=noise)


def glare(ink: np.ndarray, rng: np.random.Generator, strength: float) -> bytes:
    """Handwriting (an ink map) photographed on a whiteboard or glossy paper with a glare: a spot of
    light ``strength`` bright at its middle (added, clipped to white), 0.1 to 0.25 of the longer side
    across, centred on a random stroke pixel, so that it washes part of the writing out; the board
    a little grey, the pen dark blue, black or red; JPEG."""
    ink = np.pad(ink, ink.shape[0] // 3)
    h, w = ink.shape
    ys, xs = np.nonzero(ink > 0.5)
    k = int(rng.integers(len(ys)))
    radius = rng.uniform(0.1, 0.25) * max(h, w)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    spot = strength * np.exp(-((yy - ys[k]) ** 2 + (xx - xs[k]) ** 2) / (2 * radius**2))
    pen = [(0.1, 0.2, 0.6), (0.05, 0.05, 0.08), (0.7, 0.1, 0.1)][int(rng.integers(3))]
    rgb = _compose(ink, (0.86, 0.87, 0.88), pen) * rng.uniform(0.75, 0.95) + spot[..., None]
    return _encode(np.clip(rgb + rng.normal(0, 0.015, rgb.shape), 0, 1), "JPEG", 85)


def dotted(ink: np.ndarray, rng: np.random.Generator, grid: bool, level: float) -> bytes:
    """Handwriting (an ink map) on paper printed with dots, scanned as JPEG: dot-grid paper (a dot every
    0.5 to 0.9 of the writing's height both ways) or, without ``grid``, a form's dotted line to write
    on (a dot every 0.12 to 0.25 of it, 0 to 3 px below the writing's foot). The dots are 0.04 to 0.08
    of the writing's height across (2 px at least), printed grey, ``level`` of the way to dark."""
    rows = np.flatnonzero(ink.max(1) > 0.3)
    foot, size = int(rows[-1]) + 1, int(rows[-1]) + 1 - int(rows[0])
    pad = ink.shape[0] // 3
    ink = np.pad(ink, pad)
    step = max(6, int(size * (rng.uniform(0.5, 0.9) if grid else rng.uniform(0.12, 0.25))))
    radius = max(1.0, size * rng.uniform(0.02, 0.04))
    start = rng.integers(0, step, 2)
    ys = range(int(start[0]), ink.shape[0], step) if grid else [pad + foot + int(rng.integers(0, 4)) + int(radius)]
    dots = np.zeros_like(ink)
    for y in ys:
        for x in range(int(start[1]), ink.shape[1], step):
            cv2.circle(dots, (x, y), int(round(radius)), 1.0, -1, cv2.LINE_AA)
    paper = _compose(dots * level, (0.97, 0.97, 0.95), (0.2, 0.2, 0.22))
    rgb = paper * (1 - ink[..., None]) + _pen(rng) * ink[..., None]
    return _encode(np.clip(rgb + rng.normal(0, 0.02, rgb.shape), 0, 1), "JPEG", 90)


def _extent(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """The rows and the columns of an ink map that hold writing (over 0.3), and its height in px."""
    rows, cols = np.flatnonzero(ink.max(1) > 0.3), np.flatnonzero(ink.max(0) > 0.3)
    return rows, cols, int(rows[-1]) + 1 - int(rows[0])


LINE_PLACES = {"under": (0.05, 0.15), "standing": (-0.05, 0.05), "crossing": (-0.2, -0.05)}  # on_a_line: the line's
# row, in the writing's heights below its foot (negative: above it, the digits' feet reach through it)


def on_a_line(
    ink: np.ndarray, rng: np.random.Generator, place: str, by_hand: bool = False, reach=(0.1, 0.6), dashed=False
) -> bytes:
    """Handwriting (an ink map) on a line, scanned as JPEG: a form's printed line to write on (thin,
    black or blue, level) or, ``by_hand``, a line drawn under it in the pen (a pen's stroke wide,
    turned up to 1.5°); ``dashed``, in dashes 0.25–0.5 of the writing's height long with gaps of
    0.1–0.25 of it, the last cut where the line ends. The line lies at ``place`` (LINE_PLACES) and
    reaches past the writing by ``reach`` (a range) of its height on each side; the picture holds 0.3
    to 1.5 of that height of paper on each side and half of it above and below."""
    rows, cols, size = _extent(ink)
    above, sides = size // 2 + 2, [int(rng.uniform(0.3, 1.5) * size) for _ in range(2)]
    ink = np.pad(ink, ((above, above), tuple(sides)))
    y = above + rows[-1] + 1 + rng.uniform(*LINE_PLACES[place]) * size
    x0 = sides[0] + cols[0] - rng.uniform(*reach) * size
    x1 = sides[0] + cols[-1] + 1 + rng.uniform(*reach) * size
    line = np.zeros_like(ink)
    pen = _pen(rng)
    if by_hand:
        rise = np.tan(np.radians(rng.uniform(-1.5, 1.5))) * (x1 - x0) / 2
        width, colour = max(1, int(size * rng.uniform(0.05, 0.1))), pen
    else:
        rise, width = 0.0, max(1, int(size * rng.uniform(0.01, 0.03)))
        colour = (0.1, 0.1, 0.12) if rng.random() < 0.5 else (0.2, 0.3, 0.6)
    dash, gap = (rng.uniform(0.25, 0.5) * size, rng.uniform(0.1, 0.25) * size) if dashed else (x1 - x0, 0.0)
    for start in np.arange(x0, x1, dash + gap):
        stop = min(start + dash, x1)
        ends = [(int(x), int(y + rise * (2 * (x - x0) / (x1 - x0) - 1))) for x in (start, stop)]
        cv2.line(line, ends[0], ends[1], 1.0, width, cv2.LINE_AA)
    paper = _compose(line, (0.97, 0.97, 0.95), colour)
    rgb = paper * (1 - ink[..., None]) + np.asarray(pen, np.float32) * ink[..., None]
    return _encode(np.clip(rgb + rng.normal(0, 0.02, rgb.shape), 0, 1), "JPEG", 90)


def circled(ink: np.ndarray, rng: np.random.Generator, room=(1.05, 1.2), ends=(-20.0, 30.0)) -> bytes:
    """Handwriting (an ink map) with a ring drawn around it in the pen, photographed on grey paper: an
    ellipse through the corners of the writing's box (at least 0.8 as wide as tall) made ``room`` (a
    range) times as large (at 1 and under it touches the end digits), turned up to 5°, a pen's
    stroke wide (0.05–0.1 of the writing's height), its ends overlapping by up to ``ends`` degrees
    (negative: a gap), as JPEG."""
    rows, cols, h = _extent(ink)
    w = int(cols[-1]) + 1 - int(cols[0])
    grow = rng.uniform(*room) * np.sqrt(2)
    axes = (int(max(w, 0.8 * h) / 2 * grow), int(h / 2 * grow))  # round enough around a 1
    pen = max(1, int(h * rng.uniform(0.05, 0.1)))
    pad = int(max(axes[0] - w / 2, axes[1] - h / 2) + 0.3 * h + pen)
    ink = np.pad(ink, pad)
    centre = (int(pad + cols[0] + w / 2), int(pad + rows[0] + h / 2))
    start = rng.uniform(0, 360)
    ring = np.zeros_like(ink)
    cv2.ellipse(ring, centre, axes, rng.uniform(-5, 5), start, start + 360 + rng.uniform(*ends), 1.0, pen, cv2.LINE_AA)
    return CONDITIONS["grey_paper"](np.maximum(ink, ring), rng)


def boxed_by_hand(ink: np.ndarray, rng: np.random.Generator, room=(0.15, 0.35)) -> bytes:
    """Handwriting (an ink map) with a box drawn around it by hand in the pen, photographed on grey
    paper: four strokes, each a little bowed, between corners ``room`` (a range, in the writing's
    heights; at 0 and under they touch it) outside the writing's box and jittered by up to 0.06 of
    its height, each stroke reaching past its corners by up to 0.1 of that height or stopping 0.03
    short, a pen's stroke wide (0.05–0.1 of the height), as JPEG."""
    rows, cols, h = _extent(ink)
    pad = int((max(room) + 0.3) * h)
    ink = np.pad(ink, pad)
    margin = rng.uniform(*room, 4) * h  # left, top, right, bottom
    left, top = pad + cols[0] - margin[0], pad + rows[0] - margin[1]
    right, bottom = pad + cols[-1] + margin[2], pad + rows[-1] + margin[3]
    corners = (
        np.array([(left, top), (right, top), (right, bottom), (left, bottom)]) + rng.uniform(-0.06, 0.06, (4, 2)) * h
    )
    pen = max(1, int(h * rng.uniform(0.05, 0.1)))
    box = np.zeros_like(ink)
    for a, b in zip(corners, np.roll(corners, -1, axis=0)):
        along = (b - a) / np.linalg.norm(b - a)
        start, stop = a - along * rng.uniform(-0.03, 0.1) * h, b + along * rng.uniform(-0.03, 0.1) * h
        bow = (start + stop) / 2 + np.array([-along[1], along[0]]) * rng.uniform(-0.02, 0.02) * np.linalg.norm(b - a)
        points = np.round(np.array([start, bow, stop]) * 16).astype(np.int32)  # 4 bits of sub-pixel place
        cv2.polylines(box, [points], False, 1.0, pen, cv2.LINE_AA, 4)
    return CONDITIONS["grey_paper"](np.maximum(ink, box), rng)


def ticked(ink: np.ndarray, rng: np.random.Generator) -> bytes:
    """Handwriting (an ink map) with a tick (a check mark) drawn after it in the pen, as a teacher
    marks a right answer, photographed on grey paper: 0.3–0.6 of the writing's height to its right,
    0.7–1.2 of that height tall; a short arm down to the right, 0.25–0.45 of the height tall, then a
    long one up to the right, a pen's stroke wide (0.05–0.1 of the height), as JPEG."""
    rows, cols, h = _extent(ink)
    pad = int(1.6 * h)
    ink = np.pad(ink, ((h // 2, h // 2), (h // 2, pad)))
    x = h // 2 + cols[-1] + rng.uniform(0.3, 0.6) * h
    tall, short = rng.uniform(0.7, 1.2) * h, rng.uniform(0.25, 0.45) * h
    foot = h // 2 + rows[0] + rng.uniform(0.8, 1.1) * h
    vertex = (x + rng.uniform(0.15, 0.3) * h, foot)
    points = [(x, foot - short), vertex, (vertex[0] + rng.uniform(0.3, 0.6) * h, foot - tall)]
    mark, pen = np.zeros_like(ink), max(1, int(h * rng.uniform(0.05, 0.1)))
    cv2.polylines(mark, [np.round(np.array(points) * 16).astype(np.int32)], False, 1.0, pen, cv2.LINE_AA, 4)
    return CONDITIONS["grey_paper"](np.maximum(ink, mark), rng)


def crossed(ink: np.ndarray, rng: np.random.Generator) -> bytes:
    """Handwriting (an ink map) with a cross (an x) drawn after it in the pen, as a teacher marks a
    wrong answer, photographed on grey paper: 0.3–0.6 of the writing's height to its right, 0.6–1.1
    of that height tall and 0.6–1 of that as wide, its two strokes each from a corner to the
    opposite one (the corners jittered by 0.08 of the height), bowed up to 0.03 of their length, a
    pen's stroke wide (0.05–0.1 of the height), as JPEG."""
    rows, cols, h = _extent(ink)
    ink = np.pad(ink, ((h // 2, h // 2), (h // 2, int(1.6 * h))))
    tall = rng.uniform(0.6, 1.1) * h
    left, top = h // 2 + cols[-1] + rng.uniform(0.3, 0.6) * h, h // 2 + rows[0] + rng.uniform(-0.1, 0.4) * h
    corners = np.array([(0, 0), (1, 1), (1, 0), (0, 1)]) * (rng.uniform(0.6, 1.0) * tall, tall) + (left, top)
    corners += rng.uniform(-0.08, 0.08, (4, 2)) * h
    mark, pen = np.zeros_like(ink), max(1, int(h * rng.uniform(0.05, 0.1)))
    for a, b in (corners[:2], corners[2:]):
        bow = (a + b) / 2 + np.array([b[1] - a[1], a[0] - b[0]]) * rng.uniform(-0.03, 0.03)
        cv2.polylines(mark, [np.round(np.array([a, bow, b]) * 16).astype(np.int32)], False, 1.0, pen, cv2.LINE_AA, 4)
    return CONDITIONS["grey_paper"](np.maximum(ink, mark), rng)


HIGHLIGHTERS = {  # highlighted: a highlighter's dye, what it lets through of each channel
    "yellow": (1.0, 0.95, 0.3),
    "green": (0.55, 1.0, 0.45),
    "orange": (1.0, 0.7, 0.3),
    "pink": (1.0, 0.5, 0.75),
    "blue": (0.5, 0.8, 1.0),
}


def highlighted(ink: np.ndarray, rng: np.random.Generator, colour: str) -> bytes:
    """Handwriting (an ink map) in a pen (``_pen``) on white paper, gone over with a highlighter of
    ``colour`` (HIGHLIGHTERS): a band 0.6–1 of the writing's height tall, from 0.2 above its top to
    0.3 below it, reaching up to 0.3 of the height past its ends, turned a little, its dye multiplying
    paper and ink alike; photographed (noise 0.02), as JPEG."""
    rows, cols, h = _extent(ink)
    pad = int(0.6 * h)
    ink = np.pad(ink, pad)
    top, tall = pad + rows[0] + rng.uniform(-0.2, 0.3) * h, rng.uniform(0.6, 1.0) * h
    left, right = pad + cols[0] - rng.uniform(0, 0.3) * h, pad + cols[-1] + rng.uniform(0, 0.3) * h
    tilt = rng.uniform(-0.05, 0.05) * (right - left)
    corners = [(left, top), (right, top + tilt), (right, top + tilt + tall), (left, top + tall)]
    band = np.zeros_like(ink)
    cv2.fillPoly(band, [np.round(np.array(corners)).astype(np.int32)], 1.0)
    band = cv2.GaussianBlur(band, (0, 0), 1.0)[..., None]
    dye = 1 - band * (1 - np.asarray(HIGHLIGHTERS[colour], np.float32))
    rgb = _compose(ink, (0.96, 0.96, 0.94), _pen(rng)) * dye
    return _encode(np.clip(rgb + rng.normal(0, 0.02, rgb.shape), 0, 1), "JPEG", 90)


SQUARED = {  # squared: the grid lines' colour
    "light blue": (0.7, 0.8, 0.92),  # a school exercise book
    "grey": (0.7, 0.7, 0.7),
    "mid grey": (0.55, 0.55, 0.55),
    "dark grey": (0.35, 0.35, 0.35),  # a worksheet photocopied dark
}


def squared(ink: np.ndarray, rng: np.random.Generator, lines: str | None) -> bytes:
    """Handwriting (an ink map) in a pen (``_pen``) on squared paper, scanned as JPEG: grid lines of
    colour ``lines`` (SQUARED; None: plain paper), 1 px to 0.02 of the writing's height wide, a
    square 0.4 to 1 of that height, the grid placed at random (a line may lie along an edge), with
    0.6 of the height of paper around the writing."""
    _, _, h = _extent(ink)
    ink = np.pad(ink, int(0.6 * h))
    grid = np.zeros_like(ink)
    if lines is not None:
        square, width = max(4.0, h * rng.uniform(0.4, 1.0)), max(1, int(h * rng.uniform(0, 0.02)))
        start = rng.uniform(0, square, 2)
        for y in np.arange(start[0], ink.shape[0], square).astype(int):
            grid[y : y + width] = 1
        for x in np.arange(start[1], ink.shape[1], square).astype(int):
            grid[:, x : x + width] = 1
    paper = _compose(grid, (0.96, 0.96, 0.94), SQUARED.get(lines, (1, 1, 1)))
    rgb = paper * (1 - ink[..., None]) + np.asarray(_pen(rng), np.float32) * ink[..., None]
    return _encode(np.clip(rgb + rng.normal(0, 0.02, rgb.shape), 0, 1), "JPEG", 90)


BOX_STYLES = ("comb", "apart", "ticks", "baseline")  # boxed_number: how a form's field is printed


def boxed_number(digits: list[np.ndarray], style: str, rng: np.random.Generator, cell: int, fill=(0.6, 0.85)):
    """A number written one digit per cell of a form's field, as (digits' ink, printed lines), floats
    in [0, 1], with half a cell of paper around the field. Cells are ``cell`` px wide and 1.2 times as
    tall; each digit is ``fill`` (a range) of a cell tall, placed with some jitter.

    ``style``: "comb", a box divided into cells by lines; "apart", a box per cell with a gap between;
    "ticks", a box with short dividers rising from its bottom side; "baseline", a line with those
    ticks and no box."""
    n, height, margin = len(digits), int(1.2 * cell), cell // 2
    ink = np.zeros((height + 2 * margin, n * cell + 2 * margin), np.float32)
    lines = np.zeros_like(ink)
    width = max(1, int(cell * rng.uniform(0.01, 0.04)))
    top, bottom, tick = margin, margin + height, margin + int(0.7 * height)
    edges = [margin + k * cell for k in range(n + 1)]
    if style == "apart":
        gap = max(2, cell // 8)
        for left, right in zip(edges, edges[1:]):
            cv2.rectangle(lines, (left + gap // 2, top), (right - gap // 2, bottom), 1.0, width)
    else:
        if style != "baseline":
            cv2.rectangle(lines, (edges[0], top), (edges[-1], bottom), 1.0, width)
        cv2.line(lines, (edges[0], bottom), (edges[-1], bottom), 1.0, width)
        for k, x in enumerate(edges):
            if style == "baseline" or 0 < k < n:
                cv2.line(lines, (x, top if style == "comb" else tick), (x, bottom), 1.0, width)
    jitter = cell // 12
    for left, digit in zip(edges, digits):
        glyph = strokes(digit, int(cell * rng.uniform(*fill)), rng.uniform(0.35, 0.55))
        y = max(0, top + (height - glyph.shape[0]) // 2 + int(rng.integers(-jitter, jitter + 1)))
        x = max(0, left + (cell - glyph.shape[1]) // 2 + int(rng.integers(-jitter, jitter + 1)))
        region = ink[y : y + glyph.shape[0], x : x + glyph.shape[1]]
        np.maximum(region, glyph[: region.shape[0], : region.shape[1]], out=region)
    return ink, lines


def render_boxed(ink: np.ndarray, lines: np.ndarray, rng: np.random.Generator) -> bytes:
    """A scanned form: the printed lines black or blue, the digits in a pen's colour, a little noise, JPEG."""
    paper = _compose(lines, (0.97, 0.97, 0.95), (0.1, 0.1, 0.12) if rng.random() < 0.5 else (0.2, 0.3, 0.6))
    rgb = paper * (1 - ink[..., None]) + _pen(rng) * ink[..., None]
    return _encode(np.clip(rgb + rng.normal(0, 0.02, rgb.shape), 0, 1), "JPEG", 90)


def turned(data: bytes, degrees: float) -> tuple[bytes, np.ndarray]:
    """An encoded scan turned about its middle (a form not quite straight on the scanner), the same
    size, the corners filled with its paper's colour, as JPEG; and the 2×3 matrix that takes its
    pixels to the turned image's."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    h, w = image.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    paper = tuple(float(v) for v in np.median(image[0], axis=0))
    image = cv2.warpAffine(image, turn, (w, h), borderValue=paper)
    return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes(), turn


# ---------------------------------------------------------------------------------------------
# Pieces of numbers: what splitting touching digits must tell apart


ONES_SHARE = 0.2  # one_digit_pieces: how often the middle digit is drawn from the 1s, on top of their share


def one_digit_pieces(
    images: np.ndarray, count: int, seed: int = 0, digits: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` pieces of composed numbers, cut the ways segmentation tries, as (N, 28, 28) uint8
    normalised like a number's digits, and labels: 1 for one whole digit, 0 for anything else.

    Each piece comes from three digits in a line (touching, overlapping by up to 15 % of a digit, 70 %
    of the time): half are the middle digit cut near its edges; the rest are two or three digits,
    20–60 % of one, or one with 35–75 % of its neighbour. Given the images' ``digits`` (their MNIST
    labels), the middle digit is a 1 ``ONES_SHARE`` of the time besides its own share: a 1 is the
    narrowest digit, and touching numbers were most often misread by a 1 going into its neighbour.
    """
    rng = np.random.default_rng(seed)
    ones = np.flatnonzero(digits == 1) if digits is not None else np.empty(0, int)  # none: drawn as they come
    pieces, labels = [], []
    while len(pieces) < count:
        index = rng.choice(len(images), 3, replace=False)
        if ones.size and rng.random() < ONES_SHARE:
            index[1] = rng.choice(ones)
        digit_px = int(rng.integers(28, 90))
        line, spans = number_layout([images[i] for i in index], rng, rng.random() < 0.7, digit_px, (0.0, 0.15))
        start, stop, label = _cut(spans, digit_px, rng)
        start, stop, mask = max(0, int(start)), int(stop), line > 0.5
        if mask[:, start:stop].sum() >= 10:
            pieces.append(piece_image(line, mask, start, stop))
            labels.append(label)
    return np.stack(pieces), np.array(labels, np.uint8)


def _cut(spans: list[tuple[int, int]], digit_px: int, rng: np.random.Generator) -> tuple[float, float, int]:
    """Where to cut three digits' line (columns start, stop) and whether that gives one whole digit."""
    (s0, e0), (s1, e1), (s2, e2) = spans
    jitter = rng.uniform(-0.06, 0.06, 2) * digit_px
    kind = rng.random()
    if kind < 0.5:  # the middle digit: cut in the overlap with each neighbour, or in the gap just outside it
        start = (s1 + e0) / 2 if e0 > s1 else s1 - rng.uniform(0, 0.05) * digit_px
        stop = (e1 + s2) / 2 if s2 < e1 else e1 + rng.uniform(0, 0.05) * digit_px
        return start + jitter[0], stop + jitter[1], 1
    if kind < 0.7:  # two digits, or all three
        return s0 + jitter[0], (e1 if rng.random() < 0.75 else e2) + jitter[1], 0
    if kind < 0.85:  # part of one digit
        part = rng.uniform(0.2, 0.6) * (e1 - s1)
        return (s1, s1 + part, 0) if rng.random() < 0.5 else (e1 - part, e1, 0)
    if rng.random() < 0.5:  # one digit and much of its neighbour
        return s1, e1 + rng.uniform(0.35, 0.75) * (e2 - s2), 0
    return s1 - rng.uniform(0.35, 0.75) * (e0 - s0), e1, 0


# ---------------------------------------------------------------------------------------------
# No digit at all: noise and texture


def textures(side: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Square images with ink everywhere and no digit, as uint8 (255 = paper), by name."""
    specks = np.ones((side, side))
    specks[rng.integers(0, side, side * side // 32), rng.integers(0, side, side * side // 32)] = 0
    images = {
        "uniform": rng.uniform(0, 1, (side, side)),
        "paper grain": np.clip(rng.normal(0.9, 0.1, (side, side)), 0, 1),
        "blotches": cv2.GaussianBlur(rng.uniform(0, 1, (side, side)), (0, 0), 3),
        "specks": specks,
    }
    return {name: (image * 255).astype(np.uint8) for name, image in images.items()}


def with_grainy_band(ink: np.ndarray, rng: np.random.Generator, rows: int = 60) -> np.ndarray:
    """``ink`` (1 = stroke) with grain in its last ``rows`` rows, denser towards the edge, as where the
    light fades on a photo and the clean-up leaves the paper's grain."""
    out = ink.copy()
    band = out[-rows:]
    band[rng.uniform(0, 1, band.shape) < np.linspace(0, 0.6, rows)[:, None]] = 1
    return out
