"""Image bytes → a grayscale float array in [0, 1], whatever the file format.

Handles PNG, JPEG, BMP, GIF (first frame), WebP, TIFF, AVIF and HEIC/HEIF (iPhone photos, through
pillow-heif, imported only when a file is one); 1-, 8- and 16-bit (a 16-bit file holding 10 or 12
bits read at their scale); palette; CMYK; transparency (composited on white, so a canvas export of
black strokes on a transparent background reads as black on white, or on black when what shows is
all one light colour: white strokes); EXIF orientation. Colours whose luminance hardly differs
(yellow ink on white paper) are read in the colour channel that tells them apart. Size and pixel
caps are checked *before* decoding, so a decompression bomb is refused without allocating its pixels.
"""

from __future__ import annotations

import io
import math
import os
import stat

import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from .errors import ImageError, TooLargeError

MAX_FILE_BYTES = 20 * 1024 * 1024  # 20 MiB
MAX_PIXELS = 40_000_000  # e.g. 8000 × 5000
READ_BLOCK = 64 * 1024  # bytes read at a time beyond a file's size (a pipe's buffer)
# A folder's images, by name: .jfif is what Chrome on Windows names the JPEG files it saves
IMAGE_SUFFIXES = set(".png .jpg .jpeg .jfif .jpe .bmp .gif .webp .tif .tiff .avif .heic .heif".split())
FORMATS = ("PNG", "JPEG", "BMP", "GIF", "WEBP", "TIFF")  # JPEG also opens phones' MPO files
FORMAT_NAMES = "PNG, JPEG, BMP, GIF, WebP, TIFF, AVIF, HEIC"
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
ORIENTATION = ExifTags.Base.Orientation
WHITE, BLACK = (255, 255, 255, 255), (0, 0, 0, 255)
SHOWN, LIGHT = 128, 128  # of 255: a pixel this opaque shows; strokes this light show on black (``_background``)
FAINT = 64  # grey levels: luminance spanning fewer than this is faint, and a colour channel may show more
SAMPLE = 250_000  # pixels: about how many of a large image are looked at to tell whether it is faint
HIGHLIGHT_SHARE = 0.05  # a highlighter's colour under the writing covers this share of the image at least...
HIGHLIGHT_LIGHT = 0.7  # ...bright in its brightest channel...
HIGHLIGHT_VIVID = 0.25  # ...its dullest channel this share of that darker...
HIGHLIGHT_DULL = 0.2  # ...but this share of it at least (a dye on paper, not a colour map's pure hues)...
WRITING_DARK = 0.4  # ...and the writing on it at most this bright in every channel

ImageSource = str | os.PathLike | bytes | bytearray | memoryview | Image.Image | np.ndarray


def read_bytes(path: str | os.PathLike, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Read a file, refusing one over ``max_bytes`` before reading it, and reading no more than that of
    what has no size (a pipe, ``/dev/zero``: read whole until 2026-11-28, without end) or grew since."""
    path = os.fspath(path)  # not a Path: making one took 15 µs between images being prepared
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            return _read_open(descriptor, path, max_bytes)
        finally:
            os.close(descriptor)
    except FileNotFoundError as exc:
        raise ImageError("no such file") from exc
    except PermissionError as exc:
        raise ImageError("permission denied") from exc
    except OSError as exc:
        raise ImageError(f"cannot read the file ({exc.strerror or exc})") from exc
    except ValueError as exc:  # a NUL character in the path
        raise ImageError(f"not a usable file path ({exc})") from exc


def _read_open(descriptor: int, path: str, max_bytes: int) -> bytes:
    """``read_bytes`` on the open file: as many bytes as its size says and one more (to see whether it
    grew), then on in blocks (a file that grew, a pipe, ``/dev/zero``) to its end or past the cap.

    Plain system calls on a descriptor, not a Python file object (eight calls, now five), and the path
    as given: ``read_bytes`` takes 27 against 38 µs for a 28×28 PNG read between images being prepared,
    as ``digits predict DIR`` reads them (a ``/tmp`` timing). Asked for the cap at once, Python would
    set that much aside, 20 MiB, for every file."""
    status = os.fstat(descriptor)
    if stat.S_ISDIR(status.st_mode):
        raise ImageError(f"{path} is a folder, not an image")
    size = status.st_size
    if size > max_bytes:
        raise TooLargeError(f"file is too large ({size / 2**20:.1f} MiB; the limit is {max_bytes / 2**20:.0f} MiB)")
    chunks, got, block = [], 0, size + 1 if size else READ_BLOCK
    while got <= max_bytes and (chunk := os.read(descriptor, min(block, max_bytes + 1 - got))):
        chunks.append(chunk)
        got += len(chunk)
        block = READ_BLOCK
    if got > max_bytes:
        raise TooLargeError(f"file is too large (over the {max_bytes / 2**20:.0f} MiB limit)")
    return b"".join(chunks)


def open_image(data: bytes, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Bytes → a loaded PIL image, checking the size cap first and the pixel cap before decoding."""
    if len(data) == 0:
        raise ImageError("empty file")
    if len(data) > MAX_FILE_BYTES:
        raise TooLargeError(
            f"file is too large ({len(data) / 2**20:.1f} MiB; the limit is {MAX_FILE_BYTES / 2**20:.0f} MiB)"
        )
    try:
        image = Image.open(io.BytesIO(data), formats=_formats(data))
    except UnidentifiedImageError as exc:
        raise ImageError(f"not an image (or a format this program does not read: {FORMAT_NAMES})") from exc
    except Image.DecompressionBombError as exc:
        raise TooLargeError(f"image is too large ({exc})") from exc
    except (OSError, ValueError, SyntaxError, RuntimeError) as exc:  # RuntimeError: the AVIF and HEIF decoders'
        raise ImageError(f"malformed image header ({exc})") from exc
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageError(f"image has no pixels ({width}×{height})")
    if width * height > max_pixels:
        raise TooLargeError(f"image is too large ({width}×{height} pixels; the limit is {max_pixels:,} pixels)")
    try:
        image.seek(0)  # the first frame of a GIF or multi-page TIFF
        image.load()
    except (OSError, ValueError, SyntaxError, EOFError, RuntimeError, Image.DecompressionBombError) as exc:
        raise ImageError(f"truncated or corrupt image data ({exc})") from exc
    return image


def _formats(data: bytes) -> tuple[str, ...]:
    """The Pillow formats to try on ``data``. A file in an ISO media container (a ``ftyp`` box) may be
    AVIF (Pillow 11.3 has it) or HEIF (pillow-heif's opener, registered on first use); other files
    are tried without them, so that Pillow does not import all its plugins (0.1 s) to read a PNG."""
    if data[4:8] != b"ftyp":
        return FORMATS
    Image.init()
    formats = tuple(name for name in (*FORMATS, "AVIF") if name in Image.OPEN)
    if data[8:12] in HEIF_BRANDS:
        if "HEIF" not in Image.OPEN:
            from pillow_heif import register_heif_opener

            register_heif_opener()  # its decoded pixels are upright: it applies and clears the orientation
        formats += ("HEIF",)
    return formats


def to_gray(image: Image.Image) -> np.ndarray:
    """A PIL image → float32 grayscale in [0, 1] (transparent areas become white, or black under light
    strokes: ``_background``): its luminance, or
    where that spans fewer than FAINT grey levels, the colour channel that tells its colours apart, or
    under dark writing on a highlighter's colour, the channel it is lightest in (``_highlighter_channel``)."""
    try:
        # exif_transpose copies even an upright image (40 ms for 12 megapixels): only turn a turned one
        if image.getexif().get(ORIENTATION, 1) != 1:
            image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, TypeError):
        pass  # broken EXIF: keep the pixels as stored
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        pixels = np.asarray(image, dtype=np.float32)
        if image.mode == "F":  # integer pixels are finite: only a float image can hold NaN
            return _rescale(_finite(pixels, "a floating-point image"))
        # The full scale of the bits the pixels use: many 16-bit files hold 8, 10 or 12 bits (a
        # scanner's, a camera's); 10-bit ink on white read as 1/64 of full scale, "blank or uniform"
        top = max(255.0, 2.0 ** math.ceil(math.log2(max(float(pixels.max()), 0.0) + 1)) - 1)
        return np.clip(pixels / top, 0, 1)
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        image = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", image.size, _background(image)), image)
    channel = None
    if image.mode in ("RGB", "RGBA"):
        channel = _colour_channel(image)
        channel = _highlighter_channel(image) if channel is None else channel
    if channel is not None:
        gray = np.asarray(image.getchannel(channel), dtype=np.float32)
    else:
        gray = np.asarray(image.convert("L"), dtype=np.float32)
    gray /= 255.0  # in place: a phone photo's float copy is 48 MB
    return gray


def _sampled(image: Image.Image) -> Image.Image:
    """About SAMPLE of the image's pixels, every k-th row and column (the image itself if smaller)."""
    step = max(1, int(np.sqrt(image.width * image.height / SAMPLE)))
    if step == 1:
        return image
    return image.resize((image.width // step, image.height // step), Image.Resampling.NEAREST)


def _background(image: Image.Image) -> tuple[int, int, int, int]:
    """The colour an RGBA image's transparent areas are composited on: white, or black where the
    pixels that show (SHOWN opaque at least, in about SAMPLE of them) are all of one light colour,
    their luminance spanning fewer than FAINT grey levels (the middle 98 %) above LIGHT: white or
    yellow strokes on a transparent canvas, as a drawing app in dark mode or a browser's canvas with
    no background exports them. On white they vanished ("no digit": ``benchmarks/pen_colours.py``)."""
    if image.getchannel("A").getextrema()[0] >= SHOWN:  # the common case: opaque, or all but
        return WHITE
    image = _sampled(image)
    shown = np.asarray(image.getchannel("A")) >= SHOWN
    if not shown.any():
        return WHITE
    luminance = np.asarray(image.convert("L"))[shown]
    low, middle, high = np.percentile(luminance, (1, 50, 99))
    return BLACK if high - low < FAINT and middle >= LIGHT else WHITE


def _colour_channel(image: Image.Image) -> int | None:
    """Where the luminance of about SAMPLE of the image's pixels (every k-th row and column) spans
    fewer than FAINT grey levels, the colour channel (0-2) whose levels span at least twice as many,
    the widest; else None. Pure yellow ink is 29 grey levels darker than white paper in luminance,
    under the contrast read as ink, and 255 levels darker in blue."""
    image = _sampled(image)
    low, high = image.convert("L").getextrema()
    if high - low >= FAINT:  # the common case
        return None
    spans = [top - bottom for bottom, top in image.getextrema()[:3]]
    widest = int(np.argmax(spans))
    return widest if spans[widest] >= 2 * (high - low) else None


def _highlighter_channel(image: Image.Image) -> int | None:
    """Where dark writing lies on a light, vivid colour, as on a highlighter's stroke, the colour
    channel (0-2) in which that colour is brightest, as light as the paper there; else None. Such a
    colour covers HIGHLIGHT_SHARE of about SAMPLE of the image's pixels: light in its brightest
    channel and vivid, yet not a pure hue (HIGHLIGHT_LIGHT, HIGHLIGHT_VIVID, HIGHLIGHT_DULL: a colour
    map's are, as jet's), and not along most of the image's edges (a light wooden desk is such a
    colour, and read in its lightest channel it was hardly darker than a sheet of paper on it); and a
    percent of the pixels are dark in every channel (WRITING_DARK). A pink highlighter is a mid grey
    in luminance, as dark as pencil: until 2026-11-29, with the writing on it, it was read as one
    smudge (``benchmarks/highlighted.py``)."""
    image = _sampled(image)
    pixels = np.asarray(image)[..., :3]
    red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]  # (max over the last axis: ten times slower)
    bright, dull = np.maximum(np.maximum(red, green), blue).astype(np.int16), np.minimum(np.minimum(red, green), blue)
    light = bright >= 255 * HIGHLIGHT_LIGHT
    vivid = light & (bright - dull >= HIGHLIGHT_VIVID * bright) & (dull >= HIGHLIGHT_DULL * bright)
    if np.count_nonzero(vivid) < HIGHLIGHT_SHARE * vivid.size:  # the common case
        return None
    if np.count_nonzero(bright <= 255 * WRITING_DARK) < 0.01 * bright.size:
        return None
    edges = np.concatenate([vivid[0], vivid[-1], vivid[:, 0], vivid[:, -1]])
    if np.count_nonzero(edges) > 0.5 * edges.size:
        return None  # the surround: a light wooden desk, coloured paper, a note filling the photo
    return int(np.argmax(pixels[vivid].mean(axis=0)))


def _rescale(pixels: np.ndarray) -> np.ndarray:
    low, high = pixels.min(), pixels.max()
    return np.zeros_like(pixels) if high <= low else (pixels - low) / (high - low)


def _finite(pixels: np.ndarray, what: str) -> np.ndarray:
    """``pixels``, unless NaN or infinity is among them (a floating-point TIFF's "no data", a bad array)."""
    if np.issubdtype(pixels.dtype, np.floating) and not (np.isfinite(pixels.min()) and np.isfinite(pixels.max())):
        raise ImageError(f"{what} must hold finite numbers; this one holds NaN or infinity")
    return pixels


def load_gray(source: ImageSource) -> np.ndarray:
    """Any supported source (path, bytes, PIL image, numpy array) → float32 grayscale in [0, 1]."""
    if isinstance(source, np.ndarray):
        return array_to_gray(source)
    if isinstance(source, Image.Image):
        if source.width * source.height > MAX_PIXELS:
            raise TooLargeError(f"image is too large ({source.width}×{source.height} pixels)")
        return to_gray(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return to_gray(open_image(bytes(source)))
    if not isinstance(source, (str, os.PathLike)):
        raise ImageError(f"not an image: {type(source).__name__} (give a path, bytes, a PIL image or a numpy array)")
    return to_gray(open_image(read_bytes(source)))


def array_to_gray(array: np.ndarray) -> np.ndarray:
    """A numpy image: (H, W), (H, W, 3) or (H, W, 4); uint8/uint16 or float in [0, 1]."""
    colour = array.ndim == 3 and array.shape[2] in (3, 4)
    if not (array.ndim == 2 or colour) or array.size == 0:
        raise ImageError(f"an image array must be (H, W), (H, W, 3) or (H, W, 4); got shape {array.shape}")
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating) or array.dtype == bool):
        raise ImageError(f"an image array must hold numbers (integers, floats or booleans); got {array.dtype}")
    _finite(array, "an image array")
    if array.shape[0] * array.shape[1] > MAX_PIXELS:
        raise TooLargeError(f"image is too large ({array.shape[1]}×{array.shape[0]} pixels)")
    if colour:  # as a decoded file is: luminance (or a colour channel), transparency on white
        return to_gray(Image.fromarray(_to_uint8(array), "RGBA" if array.shape[2] == 4 else "RGB"))
    if array.dtype == np.uint16:
        return array.astype(np.float32) / 65535.0
    if np.issubdtype(array.dtype, np.integer) or array.max(initial=0) > 1.0:
        return np.clip(array.astype(np.float32) / 255.0, 0, 1)
    return np.clip(array.astype(np.float32), 0, 1)


def _to_uint8(array: np.ndarray) -> np.ndarray:
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.uint16:
        return (array // 257).astype(np.uint8)
    scale = 255.0 if array.max(initial=0) <= 1.0 else 1.0
    return np.clip(array * scale, 0, 255).astype(np.uint8)
