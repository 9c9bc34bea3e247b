"""Other people's handwriting, from fonts: the digits of every handwriting font in Google Fonts, read by
the bundled model as drawings and as photos.

    python benchmarks/handwriting_fonts.py                 # fetches the fonts once: 279 MB from npm, 9.7 MB kept
    python benchmarks/handwriting_fonts.py --fonts 20      # the first 20 fonts only
    python benchmarks/handwriting_fonts.py --drawn-only --model-path mine.h5 --out /tmp/mine.json

MNIST's writers are a few hundred American census workers and students; a user's 1, 4 or 7 may look
nothing like theirs (a 1 with a long flag and a foot, a 7 crossed in the middle, an open 4). Many
handwriting fonts are a person's hand digitised, and the Playwrite and Edu families are the
handwriting that schools teach in some forty countries. The fonts are the ones
``benchmarks/handwriting_fonts.json`` lists: every family that Google Fonts files under
"handwriting" (as the npm package google-font-metadata 6.0.8 records it) and that Fontsource
publishes on npm, but for the variants that draw guide lines, arrows or dots over another family's
letters. The list was made by ``--make-list`` (below) before any font was read, and pins each
package's version and checksum. Each package is fetched from the npm registry into ``--cache`` and
checked against it.

Each font writes each digit one way, so a font and a digit make one glyph (a font that fails a digit
fails it every time). Every glyph is read

- **drawn**: black on a white 280×280 canvas, 200 pixels tall, as the web page's canvas sends it;
- **photographed**: on paper under six conditions of ``synthetic.CONDITIONS`` (grey paper, uneven
  light, a shadow, ruled lines, sensor noise, heavy JPEG), each once, in a photo of 100 to 1,000
  pixels with the digit 45 to 80 % of its height, turned up to 8°.

It reports the share read right, read as "no digit" and misread, for each digit and each font, and
lists every glyph misread when drawn. Results go to benchmarks/results/handwriting_fonts.json.

    python benchmarks/handwriting_fonts.py --make-list package/data/api-response.json

(from ``npm pack google-font-metadata@6.0.8``) writes the list again from the npm registry's
current versions.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import re
import sys
import tarfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.synthetic import CONDITIONS  # noqa: E402

from machine import common_arguments, digits_read, shares, write_results  # noqa: E402

LIST = Path(__file__).with_name("handwriting_fonts.json")
REGISTRY = "https://registry.npmjs.org/"
MARKS = re.compile(r" (Guides|Arrows|Dots)$")  # variants that add marks to another family's letters
PHOTOS = ("grey_paper", "gradient", "shadow", "ruled", "noise", "jpeg")
DIGITS = "0123456789"
FONT_CACHE = Path.home() / ".cache" / "digit-recognizer" / "fonts"  # the fonts, once fetched


def make_list(metadata: Path) -> list[dict]:
    """The handwriting families of google-font-metadata's api-response.json that are on npm as
    @fontsource/ID, but for MARKS, with the latest version's tarball and its checksum."""
    families = [f["family"] for f in json.loads(metadata.read_text()) if f.get("category") == "handwriting"]

    def entry(family: str) -> dict:
        package = "@fontsource/" + family.lower().replace(" ", "-")
        request = urllib.request.Request(
            REGISTRY + urllib.parse.quote(package, safe="@"), headers={"Accept": "application/vnd.npm.install-v1+json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                info = json.load(answer)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return {"family": family, "package": package, "on_npm": False}
            raise
        version = info["dist-tags"]["latest"]
        dist = info["versions"][version]["dist"]
        return {"family": family, "package": package, "on_npm": True, "version": version,
                "tarball": dist["tarball"], "integrity": dist["integrity"]}  # fmt: skip

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(entry, [f for f in families if not MARKS.search(f)]))


def fetch(font: dict, cache: Path) -> Path:
    """The font's regular digits as a WOFF file in ``cache``, from its npm package (fetched and checked
    against the list's checksum the first time)."""
    name = font["package"].split("/")[1]
    woff = cache / f"{name}-{font['version']}.woff"
    if woff.exists():
        return woff
    with urllib.request.urlopen(font["tarball"], timeout=120) as answer:
        data = answer.read()
    algorithm, digest = font["integrity"].split("-", 1)
    if base64.b64encode(hashlib.new(algorithm, data).digest()).decode() != digest:
        raise ValueError(f"{font['package']}: the download does not match the list's checksum")
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        member = _digits_file(tar, name)
        cache.mkdir(parents=True, exist_ok=True)
        partial = woff.with_suffix(".part")
        partial.write_bytes(tar.extractfile(member).read())
        partial.replace(woff)
    return woff


def _digits_file(tar: tarfile.TarFile, name: str) -> tarfile.TarInfo:
    """The package's WOFF file that holds the ten digits: upright if the font has an upright style, of
    the Latin subset if there is one, of the weight nearest 400."""
    from fontTools.ttLib import TTFont

    pattern = re.compile(rf"package/files/{re.escape(name)}-(.+)-(\d+)-(normal|italic)\.woff$")
    files = [(m, pattern.match(m.name)) for m in tar.getmembers()]
    files = [(m, match.group(1), int(match.group(2)), match.group(3)) for m, match in files if match]
    files.sort(key=lambda f: (f[3] != "normal", f[1] != "latin", abs(f[2] - 400), f[2]))
    for member, *_ in files:
        cmap = TTFont(io.BytesIO(tar.extractfile(member).read()))["cmap"].getBestCmap() or {}
        if all(ord(d) in cmap for d in DIGITS):
            return member
    raise ValueError(f"{name}: no WOFF file with the ten digits")


def glyphs(woff: Path) -> list[np.ndarray]:
    """The ten digits' ink maps (float in [0, 1]), each cropped to its ink."""
    font = ImageFont.truetype(str(woff), 256)
    out = []
    for digit in DIGITS:
        image = Image.new("L", (768, 768), 0)
        ImageDraw.Draw(image).text((256, 256), digit, font=font, fill=255)
        ink = np.asarray(image)
        rows, cols = np.nonzero(ink > 25)
        if not len(rows):
            raise ValueError(f"{woff.name}: the digit {digit} draws no ink")
        out.append(ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1].astype(np.float32) / 255)
    return out


def scaled(ink: np.ndarray, height: int, angle: float = 0.0) -> np.ndarray:
    """``ink`` ``height`` pixels tall, its shape kept, turned by ``angle`` degrees (padded to fit)."""
    width = max(1, round(ink.shape[1] * height / ink.shape[0]))
    ink = cv2.resize(ink, (width, height), interpolation=cv2.INTER_AREA)
    if angle:
        pad = height // 4
        ink = np.pad(ink, pad)
        turn = cv2.getRotationMatrix2D((ink.shape[1] / 2, ink.shape[0] / 2), angle, 1.0)
        ink = cv2.warpAffine(ink, turn, (ink.shape[1], ink.shape[0]), flags=cv2.INTER_LINEAR)
    return np.clip(ink, 0, 1)


def placed(ink: np.ndarray, shape: tuple[int, int], rng: np.random.Generator | None = None) -> np.ndarray:
    """``ink`` on a canvas of ``shape``: centred, or anywhere it fits (``rng``)."""
    canvas = np.zeros(shape, np.float32)
    h, w = min(ink.shape[0], shape[0]), min(ink.shape[1], shape[1])
    room_y, room_x = shape[0] - h, shape[1] - w
    y, x = (room_y // 2, room_x // 2) if rng is None else (int(rng.integers(room_y + 1)), int(rng.integers(room_x + 1)))
    canvas[y : y + h, x : x + w] = ink[:h, :w]
    return canvas


def drawn(ink: np.ndarray) -> bytes:
    """The glyph as the web page's canvas sends it: black on white, 280×280, 200 pixels tall."""
    return CONDITIONS["canvas"](placed(scaled(ink, 200), (280, 280)), None)


def photographed(ink: np.ndarray, condition: str, rng: np.random.Generator) -> bytes:
    """The glyph on paper under ``condition``, in a photo of 100 to 1,000 pixels."""
    side = int(np.exp(rng.uniform(np.log(100), np.log(1000))))
    shape = (side, int(side * rng.uniform(0.8, 1.4)))
    ink = scaled(ink, max(20, int(side * rng.uniform(0.45, 0.8))), rng.uniform(-8, 8))
    return CONDITIONS[condition](placed(ink, shape, rng), rng)


def _or_error(function, *args):
    """``function(*args)``, or what went wrong as a line (a font that cannot be fetched or drawn is
    reported, and the others are read)."""
    try:
        return function(*args)
    except (OSError, ValueError, tarfile.TarError) as exc:
        return f"{type(exc).__name__}: {exc}"


def font_glyphs(cache: Path, count: int | None = None) -> tuple[dict[str, list[np.ndarray]], dict[str, str]]:
    """The ten digits' ink maps (``glyphs``) of the list's fonts on npm (the first ``count``), fetched
    into ``cache`` where they are not yet; and the fonts that could not be fetched or drawn, with why."""
    fonts = [f for f in json.loads(LIST.read_text())["fonts"] if f["on_npm"]][:count]
    with ThreadPoolExecutor(8) as pool:
        files = list(pool.map(lambda font: _or_error(fetch, font, cache), fonts))
    inks, failed = {}, {}
    for font, woff in zip(fonts, files):
        got = woff if isinstance(woff, str) else _or_error(glyphs, woff)
        if isinstance(got, str):
            failed[font["family"]] = got
            print(f"{font['family']:>32}: not read: {got}", flush=True)
        else:
            inks[font["family"]] = got
    return inks, failed


def read_drawn(recognizer: Recognizer, inks: list[np.ndarray]) -> list[int | None]:
    """What ``recognizer`` reads in each glyph drawn on the canvas (``drawn``)."""
    return digits_read(recognizer, [drawn(ink) for ink in inks])


def summary(readings: list[tuple]) -> dict:
    """``shares`` of (font, digit, read) readings: read right, no digit, misread."""
    return shares([r for _, _, r in readings], [d for _, d, _ in readings])


def table(readings: list[tuple], key: int) -> dict:
    """``summary`` of (font, digit, read) readings per font (``key`` 0) or per digit (1)."""
    groups = {}
    for row in readings:
        groups.setdefault(row[key], []).append(row)
    return {str(k): summary(g) for k, g in groups.items()}


def marks(got: list[int | None]) -> str:
    """One character per digit 0-9: "." read right, "-" no digit, else the digit it was read as."""
    return "".join("." if r == d else "-" if r is None else str(r) for d, r in enumerate(got))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--make-list", metavar="API_RESPONSE_JSON", type=Path,
                        help="write handwriting_fonts.json from google-font-metadata's file, then stop")  # fmt: skip
    parser.add_argument("--cache", type=Path, default=FONT_CACHE,
                        help="where the fonts are kept once fetched")  # fmt: skip
    parser.add_argument("--fonts", type=int, help="read only the first N fonts of the list")
    parser.add_argument("--drawn-only", action="store_true", help="read the drawn glyphs only (no photos)")
    parser.add_argument("--seed", type=int, default=0)
    common_arguments(parser, "handwriting_fonts")
    args = parser.parse_args()
    if args.make_list:
        fonts = make_list(args.make_list)
        LIST.write_text(json.dumps({"made": time.strftime("%Y-%m-%d"), "fonts": fonts}, indent=1) + "\n")
        print(f"{LIST}: {sum(f['on_npm'] for f in fonts)} fonts on npm, {sum(not f['on_npm'] for f in fonts)} not")
        return

    recognizer = Recognizer.load(args.model_path)
    rng = np.random.default_rng(args.seed)
    readings = {"drawn": [], **({} if args.drawn_only else {"photographed": []})}  # (font, digit, read)
    inks_of, failed = font_glyphs(args.cache, args.fonts)
    for family, inks in inks_of.items():
        got = read_drawn(recognizer, inks)
        readings["drawn"] += [(family, d, r) for d, r in enumerate(got)]
        if not args.drawn_only:
            photos = digits_read(recognizer, [photographed(ink, c, rng) for ink in inks for c in PHOTOS])
            readings["photographed"] += [(family, i // len(PHOTOS), r) for i, r in enumerate(photos)]
        print(f"{family:>32}: drawn {marks(got)}", flush=True)

    result = {
        "date": time.strftime("%Y-%m-%d"),
        "settings": vars(args),
        "fonts": len(inks_of),
        "failed": failed,
        "photo_conditions": PHOTOS,
        **{name: summary(rows) for name, rows in readings.items()},
        "per_digit": {name: table(rows, 1) for name, rows in readings.items()},
        "per_font": {name: table(rows, 0) for name, rows in readings.items()},
        "misread_drawn": [{"font": f, "digit": d, "read": r} for f, d, r in readings["drawn"] if r != d],
    }
    write_results(args.out, result)
    print(f"{len(inks_of)} fonts, {len(readings['drawn'])} glyphs; {len(failed)} fonts not read")
    for name in readings:
        print(f"{name}: " + ", ".join(f"{k} {v:.1%}" for k, v in result[name].items()))
        digits = result["per_digit"][name].items()
        print("  per digit, read right: " + ", ".join(f"{d} {v['right']:.0%}" for d, v in digits))


if __name__ == "__main__":
    main()
