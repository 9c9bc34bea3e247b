"""Shared fixtures: the real MNIST folder when present, and small generated IDX files."""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array as an IDX file."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_idx(path: Path, array: np.ndarray, compress: bool = True) -> Path:
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def real_mnist_dir() -> Path | None:
    for candidate in (os.environ.get("DIGITS_DATA_DIR"), ROOT.parent / "shared" / "data" / "mnist"):
        if candidate and (Path(candidate) / "t10k-labels-idx1-ubyte.gz").is_file():
            return Path(candidate).resolve()
    return None


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    folder = real_mnist_dir()
    if folder is None:
        pytest.skip("the real MNIST files are not here (set DIGITS_DATA_DIR)")
    return folder


@pytest.fixture(scope="session")
def mnist(mnist_dir):
    from digit_recognizer.data import load_mnist

    return load_mnist(mnist_dir)


@pytest.fixture(scope="session")
def png_of_27(mnist) -> bytes:
    """The number 27 written on a canvas (test digits 1 and 0, a 2 and a 7, side by side), as PNG."""
    from digit_recognizer.synthetic import number_ink, render_number

    ink = number_ink([mnist.test_images[i] for i in (1, 0)], np.random.default_rng(4), False, 60)
    return render_number(ink, "canvas", np.random.default_rng(4))


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, mnist):
    """A fastnet trained for three epochs on 6,000 images: quick, and good enough to read clean digits."""
    from digit_recognizer.train import recipe_config, train

    path = tmp_path_factory.mktemp("model") / "tiny.h5"
    config = recipe_config("fast", model_path=str(path), train_limit=6000, val_size=1000, epochs=3)
    result = train(config, mnist)
    return path, result
