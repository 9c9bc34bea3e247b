"""A user's own labelled images: a folder with one sub-folder per digit (``0/`` … ``9/``), or a CSV
file of ``path,label`` rows (paths relative to the CSV). Used by ``digits evaluate --images`` and
``digits finetune``.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from .decode import IMAGE_SUFFIXES
from .errors import DataError
from .log import brief

log = logging.getLogger(__name__)


def list_labelled(source: str | Path) -> list[tuple[Path, int]]:
    """(image path, digit) pairs from a folder per digit or a ``path,label`` CSV."""
    source = Path(source)
    if source.is_file() and source.suffix.lower() == ".csv":
        return _from_csv(source)
    if not source.is_dir():
        raise DataError(f"{source} is neither a folder of digit folders (0/ … 9/) nor a CSV of path,label rows")
    digits = {str(d) for d in range(10)}
    entries = sorted(source.iterdir())
    pairs = [
        (path, int(folder.name))
        for folder in entries
        if folder.is_dir() and folder.name in digits
        for path in sorted(folder.iterdir())
        if path.suffix.lower() in IMAGE_SUFFIXES
    ]
    if not pairs:
        raise DataError(f"no labelled images in {source}: put each image in a folder named after its digit (0/ … 9/)")
    # What is not read is said: a folder named "07" or images beside the digit folders would be left out unseen.
    others = [
        p.name
        for p in entries
        if p.name not in digits and not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() in IMAGE_SUFFIXES)
    ]
    if others:
        log.warning("left out of %s (only the folders 0/ … 9/ are read): %s", source, brief(others))
    return pairs


def _from_csv(path: Path) -> list[tuple[Path, int]]:
    """The CSV's rows, read as UTF-8 (with or without the byte-order mark spreadsheets write)."""
    pairs = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            for number, row in enumerate(csv.reader(f), 1):
                if not row or (number == 1 and row[-1].strip().lower() == "label"):
                    continue  # blank line or header
                if len(row) != 2 or row[1].strip() not in {str(d) for d in range(10)}:
                    got = ",".join(row)
                    raise DataError(f"{path}, line {number}: expected 'path,label' with a label 0-9, got {got!r}")
                pairs.append(((path.parent / row[0].strip()), int(row[1])))
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not UTF-8 text (save the CSV as UTF-8)") from exc
    except csv.Error as exc:
        raise DataError(f"{path} is not a CSV of path,label rows ({exc})") from exc
    except OSError as exc:
        raise DataError(f"cannot read {path} ({exc.strerror or exc})") from exc
    if not pairs:
        raise DataError(f"{path} lists no images")
    return pairs
