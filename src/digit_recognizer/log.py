"""One logging setup for the whole package, with messages formatted like the seed's ``INFO: ...``."""

from __future__ import annotations

import logging
from pathlib import Path

FORMAT = "%(levelname)s: %(message)s"


def setup_logging(verbose: int = 0, quiet: bool = False, log_file: str | Path | None = None) -> None:
    """Send the package's log to stderr (and optionally a file).

    ``quiet`` shows warnings and errors only; ``verbose`` adds debug messages.
    The file, when given, always receives debug messages with timestamps.
    """
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    root = logging.getLogger("digit_recognizer")
    root.handlers.clear()
    root.setLevel(logging.DEBUG)
    root.propagate = False
    console = logging.StreamHandler()
    console.setLevel(level)
    console.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(console)
    if log_file:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setLevel(logging.DEBUG)
        handler.setFormatter(logging.Formatter("%(asctime)s " + FORMAT))
        root.addHandler(handler)


def brief(names: list[str], most: int = 5) -> str:
    """The first ``most`` names, comma-separated, and how many more there are: for a warning's line."""
    rest = len(names) - most
    return ", ".join(names[:most]) + (f" and {rest} more" if rest > 0 else "")
