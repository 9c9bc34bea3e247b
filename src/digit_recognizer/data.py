"""MNIST files → numpy arrays: find, download, verify and parse the four IDX files.

Where the data comes from, first match wins:

1. ``--data-dir`` / ``DIGITS_DATA_DIR``: a folder with the four IDX files (``.gz`` or raw), a
   torchvision-style folder holding ``MNIST/raw`` or ``raw``, or a Keras ``mnist.npz``;
2. the per-user cache, ``$XDG_CACHE_HOME/digit-recognizer/mnist`` (``~/.cache/...``);
3. an existing Keras cache, ``~/.keras/datasets/mnist.npz``;
4. a download from the first mirror that answers, into the per-user cache.

Every array is checked against the SHA-256 of the original MNIST contents, so a file from any of
these places is either the real MNIST or a clear error.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import struct
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import DataError

log = logging.getLogger(__name__)

# name -> (IDX ndim, SHA-256 of the .gz file, SHA-256 of the uint8 payload after the IDX header)
FILES: dict[str, tuple[int, str, str]] = {
    "train-images-idx3-ubyte": (
        3,
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    ),
    "train-labels-idx1-ubyte": (
        1,
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    ),
    "t10k-images-idx3-ubyte": (
        3,
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    ),
    "t10k-labels-idx1-ubyte": (
        1,
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
    ),
}
SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
NPZ_KEYS = {
    "train-images-idx3-ubyte": "x_train",
    "train-labels-idx1-ubyte": "y_train",
    "t10k-images-idx3-ubyte": "x_test",
    "t10k-labels-idx1-ubyte": "y_test",
}
# Public mirrors of the original files; DIGITS_MNIST_MIRRORS (space or comma separated) replaces them.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
IDX_UBYTE = 0x08


@dataclass
class Mnist:
    """The four MNIST arrays and where they came from."""

    train_images: np.ndarray  # (60000, 28, 28) uint8
    train_labels: np.ndarray  # (60000,) uint8
    test_images: np.ndarray  # (10000, 28, 28) uint8
    test_labels: np.ndarray  # (10000,) uint8
    source: str

    def __repr__(self) -> str:
        return f"Mnist(train={len(self.train_labels)}, test={len(self.test_labels)}, source={self.source!r})"

    def checksum(self) -> str:
        """A short fingerprint of all four arrays, stored in model files as the data they saw."""
        digest = hashlib.sha256()
        for array in (self.train_images, self.train_labels, self.test_images, self.test_labels):
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Parsing


def parse_idx(raw: bytes, name: str, ndim: int) -> np.ndarray:
    """Parse the bytes of one IDX file of unsigned bytes with ``ndim`` dimensions."""
    if len(raw) < 4 + 4 * ndim:
        raise DataError(f"{name}: file is truncated ({len(raw)} bytes, too short for an IDX header)")
    zero, dtype, dims = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != IDX_UBYTE or dims != ndim:
        raise DataError(
            f"{name}: not an MNIST IDX file (magic number 0x{raw[:4].hex()}, expected 0x0000{IDX_UBYTE:02x}{ndim:02x})"
        )
    shape = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    header = 4 + 4 * ndim
    expected = int(np.prod(shape, dtype=np.int64))
    found = len(raw) - header
    if found < expected:
        raise DataError(f"{name}: file is truncated (shape {shape} needs {expected} bytes, found {found})")
    if found > expected:
        raise DataError(f"{name}: {found - expected} unexpected bytes after the data of shape {shape}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def read_idx(path: Path, ndim: int) -> np.ndarray:
    """Read an IDX file, gzip-compressed or raw."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{path}: corrupt or truncated gzip file ({exc})") from exc
    return parse_idx(raw, str(path), ndim)


def _check(name: str, array: np.ndarray, where: str) -> np.ndarray:
    """Check an array against the original MNIST contents."""
    ndim, _, payload_sha = FILES[name]
    if array.dtype != np.uint8 or array.ndim != ndim:
        raise DataError(f"{where}: {name} has dtype {array.dtype} and {array.ndim} dims, expected uint8 with {ndim}")
    actual = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
    if actual != payload_sha:
        raise DataError(f"{where}: {name} fails its SHA-256 check (found {actual[:12]}…, expected {payload_sha[:12]}…)")
    return array


# ---------------------------------------------------------------------------------------------
# Finding


def cache_dir() -> Path:
    """The per-user cache folder for MNIST."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "digit-recognizer" / "mnist"


def keras_cache() -> Path:
    return Path.home() / ".keras" / "datasets" / "mnist.npz"


def _idx_file(folder: Path, name: str) -> Path | None:
    """The file for ``name`` in ``folder``, under any of its usual spellings."""
    dotted = name.replace("-idx", ".idx")  # the spelling of some re-distributions
    for candidate in (f"{name}.gz", name, f"{dotted}.gz", dotted):
        if (folder / candidate).is_file():
            return folder / candidate
    return None


def _idx_folder(folder: Path) -> Path | None:
    """``folder`` itself, or its torchvision-style ``MNIST/raw`` or ``raw``, if it holds any IDX file."""
    for candidate in (folder, folder / "MNIST" / "raw", folder / "raw"):
        if any(_idx_file(candidate, name) for name in FILES):
            return candidate
    return None


def _load_folder(folder: Path) -> Mnist:
    arrays = {}
    for name, (ndim, _, _) in FILES.items():
        path = _idx_file(folder, name)
        if path is None:
            raise DataError(f"{folder}: missing {name}(.gz); the folder needs all four MNIST files: {', '.join(FILES)}")
        arrays[name] = _check(name, read_idx(path, ndim), str(path))
    return _assemble(arrays, str(folder))


def _load_npz(path: Path) -> Mnist:
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: _check(name, npz[key], str(path)) for name, key in NPZ_KEYS.items()}
    except (OSError, ValueError, KeyError, zlib.error) as exc:
        raise DataError(f"{path}: not a readable Keras mnist.npz ({exc})") from exc
    return _assemble(arrays, str(path))


def _assemble(arrays: dict[str, np.ndarray], source: str) -> Mnist:
    return Mnist(
        train_images=arrays["train-images-idx3-ubyte"],
        train_labels=arrays["train-labels-idx1-ubyte"],
        test_images=arrays["t10k-images-idx3-ubyte"],
        test_labels=arrays["t10k-labels-idx1-ubyte"],
        source=source,
    )


def _load_path(path: Path) -> Mnist:
    """Load from a path the user named: a folder or a Keras ``.npz``."""
    if path.is_file() and path.suffix == ".npz":
        return _load_npz(path)
    if not path.exists():
        raise DataError(f"data folder {path} does not exist")
    if not path.is_dir():
        raise DataError(f"{path} is neither a folder of MNIST IDX files nor a Keras mnist.npz")
    if not os.access(path, os.R_OK | os.X_OK):
        raise DataError(f"data folder {path} is not readable")
    folder = _idx_folder(path)
    if folder is not None:
        return _load_folder(folder)
    if (path / "mnist.npz").is_file():
        return _load_npz(path / "mnist.npz")
    raise DataError(f"no MNIST files in {path}; it needs {', '.join(f + '.gz' for f in FILES)} (or raw IDX files)")


def load_mnist(data_dir: str | Path | None = None, download: bool = True, mirrors: list[str] | None = None) -> Mnist:
    """Find MNIST (see the module docstring for the order), downloading it if allowed."""
    explicit = data_dir or os.environ.get("DIGITS_DATA_DIR")
    if explicit:
        return _load_path(Path(explicit).expanduser())
    cache = cache_dir()
    if _idx_folder(cache) is not None:
        return _load_folder(cache)
    if keras_cache().is_file():
        return _load_npz(keras_cache())
    if not download:
        raise DataError(_where_to_put(cache))
    fetch(cache, mirrors)
    return _load_folder(cache)


def _where_to_put(cache: Path) -> str:
    return (
        f"MNIST not found. Put the four files ({', '.join(f + '.gz' for f in FILES)}) in {cache}, "
        "or pass --data-dir / set DIGITS_DATA_DIR to the folder holding them"
    )


# ---------------------------------------------------------------------------------------------
# Downloading


def mirror_list(mirrors: list[str] | None = None) -> list[str]:
    """The mirrors to try: those given, else DIGITS_MNIST_MIRRORS's, else MIRRORS; each must be a URL
    that urllib can open (a typo there raised ValueError from urlopen)."""
    configured = os.environ.get("DIGITS_MNIST_MIRRORS", "").replace(",", " ").split()
    urls = list(mirrors or configured or MIRRORS)
    for url in urls:
        if not _downloadable(url):
            where = "a mirror" if mirrors else "DIGITS_MNIST_MIRRORS"
            raise DataError(f"{where}: {url!r} is not a URL to download from (e.g. https://example.org/mnist/)")
    return urls


def _downloadable(url: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port  # a port that is not a number raises ValueError
    except ValueError:
        return False
    return parts.scheme in ("http", "https", "ftp", "file") and bool(parts.netloc or parts.path) and port != 0


def fetch(dest: Path, mirrors: list[str] | None = None, retries: int = 2, timeout: float = 30.0) -> None:
    """Download the four ``.gz`` files into ``dest``, each verified and written atomically."""
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot create the cache folder {dest} ({exc.strerror or exc})") from exc
    urls = mirror_list(mirrors)
    for name, (_, gz_sha, _) in FILES.items():
        target = dest / f"{name}.gz"
        if target.is_file() and _sha256(target) == gz_sha:
            continue
        errors = []
        for base in urls:
            url = base.rstrip("/") + f"/{name}.gz"
            for attempt in range(retries + 1):
                try:
                    _download(url, target, gz_sha, timeout)
                    break
                except DataError as exc:  # a bad file: the next mirror may have a good one
                    errors.append(str(exc))
                    break
                except urllib.error.HTTPError as exc:  # the mirror answered no: retrying will not help
                    errors.append(f"{url}: HTTP {exc.code}")
                    break
                except OSError as exc:  # network trouble: retry, then the next mirror
                    errors.append(f"{url}: {getattr(exc, 'reason', None) or exc}")
                    if attempt < retries:
                        time.sleep(0.5 * 2**attempt)
            if target.is_file():
                break
        if not target.is_file():
            tries = Counter(errors)  # one line per distinct failure, with how many tries ended in it
            failures = "; ".join(f"{error} ({n} tries)" if n > 1 else error for error, n in tries.items())
            raise DataError(f"could not download {name}.gz ({failures}). {_where_to_put(dest)}")


def _download(url: str, target: Path, sha256: str, timeout: float) -> None:
    """Stream ``url`` into a temporary file beside ``target``; rename it into place only when verified."""
    from tqdm import tqdm

    log.info("Downloading %s", url)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=target.name, leave=False) as bar:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            raise DataError(f"{url}: SHA-256 mismatch (got {digest.hexdigest()[:12]}…, expected {sha256[:12]}…)")
        tmp.chmod(0o644)
        os.replace(tmp, target)
    except OSError as exc:
        if exc.errno is not None and exc.errno in (28, 122):  # ENOSPC, EDQUOT
            raise DataError(f"disk full while writing {target}; free some space and try again") from exc
        raise
    finally:
        tmp.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
