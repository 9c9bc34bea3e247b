"""The MNIST data layer: parsing, validation, finding and downloading."""

from __future__ import annotations

import errno
import functools
import gzip
import hashlib
import http.server
import re
import threading
from pathlib import Path

import numpy as np
import pytest

from digit_recognizer import cli, data
from digit_recognizer.errors import DataError

from conftest import idx_bytes, write_idx


@pytest.fixture
def tiny_files(tmp_path, monkeypatch):
    """Four small, valid IDX .gz files, and data.FILES pointed at their checksums."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": np.arange(20, dtype=np.uint8) % 10,
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": np.arange(10, dtype=np.uint8),
    }
    source = tmp_path / "source"
    source.mkdir()
    files = {}
    for name, array in arrays.items():
        path = write_idx(source / f"{name}.gz", array)
        files[name] = (
            array.ndim,
            hashlib.sha256(path.read_bytes()).hexdigest(),
            hashlib.sha256(array.tobytes()).hexdigest(),
        )
    monkeypatch.setattr(data, "FILES", files)
    return source, arrays


@pytest.fixture
def http_server():
    """Serve a folder on 127.0.0.1; yields a function that starts it and returns the base URL."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.parametrize("compress", [True, False])
def test_idx_round_trip(tmp_path, compress):
    images = np.arange(2 * 28 * 28, dtype=np.uint32).reshape(2, 28, 28).astype(np.uint8)
    path = write_idx(tmp_path / "x", images, compress=compress)
    np.testing.assert_array_equal(data.read_idx(path, 3), images)


def test_wrong_magic_is_rejected_with_the_file_name(tmp_path):
    path = tmp_path / "labels.idx"
    path.write_bytes(b"\x00\x00\x08\x03" + b"\x00" * 20)  # an image header where labels are expected
    with pytest.raises(DataError, match=r"labels\.idx.*not an MNIST IDX file"):
        data.read_idx(path, 1)


def test_truncated_file_is_rejected(tmp_path):
    raw = idx_bytes(np.zeros((5, 28, 28), np.uint8))[:-100]
    path = tmp_path / "short.gz"
    path.write_bytes(gzip.compress(raw))
    with pytest.raises(DataError, match=r"short\.gz.*truncated"):
        data.read_idx(path, 3)


def test_trailing_bytes_are_rejected(tmp_path):
    path = tmp_path / "long"
    path.write_bytes(idx_bytes(np.zeros(5, np.uint8)) + b"junk")
    with pytest.raises(DataError, match="unexpected bytes"):
        data.read_idx(path, 1)


def test_corrupt_gzip_is_rejected(tmp_path):
    good = gzip.compress(idx_bytes(np.zeros((3, 28, 28), np.uint8)))
    path = tmp_path / "bad.gz"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(DataError, match=r"bad\.gz.*corrupt or truncated gzip"):
        data.read_idx(path, 3)


def test_header_only_fragment_is_rejected(tmp_path):
    path = tmp_path / "tiny"
    path.write_bytes(b"\x00\x00")
    with pytest.raises(DataError, match="too short"):
        data.read_idx(path, 3)


def test_folder_with_wrong_contents_fails_its_checksum(tmp_path, tiny_files):
    source, arrays = tiny_files
    write_idx(source / "t10k-labels-idx1-ubyte.gz", (arrays["t10k-labels-idx1-ubyte"] + 1) % 10)
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte fails its SHA-256 check"):
        data.load_mnist(source)


def test_folder_missing_a_file_names_it(tiny_files):
    source, _ = tiny_files
    (source / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="missing train-labels-idx1-ubyte"):
        data.load_mnist(source)


def test_torchvision_raw_folder_and_uncompressed_files_are_found(tmp_path, tiny_files):
    _, arrays = tiny_files
    raw = tmp_path / "tv" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name, array in arrays.items():
        write_idx(raw / name, array, compress=False)
    loaded = data.load_mnist(tmp_path / "tv")
    np.testing.assert_array_equal(loaded.test_labels, arrays["t10k-labels-idx1-ubyte"])


def test_keras_npz_is_read(tmp_path, tiny_files):
    _, arrays = tiny_files
    npz = tmp_path / "mnist.npz"
    np.savez(npz, **{data.NPZ_KEYS[name]: array for name, array in arrays.items()})
    assert len(data.load_mnist(npz).train_labels) == 20


def test_lookup_order_env_then_cache(tmp_path, tiny_files, monkeypatch):
    source, _ = tiny_files
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("DIGITS_DATA_DIR", str(source))
    assert data.load_mnist().source == str(source)
    monkeypatch.delenv("DIGITS_DATA_DIR")
    cache = tmp_path / "xdg" / "digit-recognizer" / "mnist"
    cache.mkdir(parents=True)
    for f in source.iterdir():
        (cache / f.name).write_bytes(f.read_bytes())
    assert data.load_mnist().source == str(cache)


def test_download_verifies_and_caches(tmp_path, tiny_files, http_server, monkeypatch):
    source, arrays = tiny_files
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DIGITS_DATA_DIR", raising=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    # The first mirror has nothing (HTTP 404): the second one is used.
    mirrors = [http_server(empty), http_server(source)]
    loaded = data.load_mnist(mirrors=mirrors)
    np.testing.assert_array_equal(loaded.train_images, arrays["train-images-idx3-ubyte"])
    cached = sorted(p.name for p in data.cache_dir().iterdir())
    assert cached == sorted(f"{name}.gz" for name in arrays)


def test_checksum_mismatch_caches_nothing(tmp_path, tiny_files, http_server):
    source, _ = tiny_files
    write_idx(source / "t10k-images-idx3-ubyte.gz", np.zeros((10, 28, 28), np.uint8))
    dest = tmp_path / "cache"
    with pytest.raises(DataError, match="SHA-256 mismatch"):
        data.fetch(dest, [http_server(source)], retries=0)
    assert not (dest / "t10k-images-idx3-ubyte.gz").exists()
    assert not list(dest.glob(".*part"))


def test_offline_gives_one_clear_message(tmp_path, tiny_files, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DIGITS_DATA_DIR", raising=False)
    with pytest.raises(DataError, match="could not download .*Put the four files") as info:
        data.load_mnist(mirrors=["http://127.0.0.1:9/"])  # the discard port: nothing listens
    assert "--data-dir" in str(info.value)
    assert str(info.value).count("127.0.0.1:9") == 1 and "(3 tries)" in str(info.value)  # not the same line 3 times
    assert not any(data.cache_dir().iterdir())


@pytest.mark.parametrize("mirror", ["notaurl", "http://127.0.0.1:abc/", "mailto:someone@example.org"])
def test_a_mirror_that_is_no_url_is_a_clear_error(mirror, tmp_path, monkeypatch):
    """DIGITS_MNIST_MIRRORS=notaurl raised urlopen's ValueError until 2026-11-28."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("DIGITS_DATA_DIR", raising=False)
    monkeypatch.setenv("DIGITS_MNIST_MIRRORS", f"http://127.0.0.1:9/ {mirror}")
    with pytest.raises(DataError, match=re.escape(f"DIGITS_MNIST_MIRRORS: {mirror!r} is not a URL to download from")):
        data.load_mnist()


def test_full_disk_leaves_no_partial_file(tmp_path, tiny_files, http_server, monkeypatch):
    source, _ = tiny_files

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(data.os, "fsync", no_space)
    dest = tmp_path / "cache"
    with pytest.raises(DataError, match="disk full"):
        data.fetch(dest, [http_server(source)])
    assert list(dest.iterdir()) == []


def test_real_mnist_has_the_known_shape_and_class_counts(mnist):
    assert mnist.train_images.shape == (60000, 28, 28)
    assert mnist.test_images.shape == (10000, 28, 28)
    assert np.bincount(mnist.train_labels).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(mnist.test_labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_cli_data_reports_source_and_counts(mnist_dir, capsys):
    assert cli.main(["data", "--data-dir", str(mnist_dir)]) == 0
    out = capsys.readouterr().out
    assert f"MNIST found at {mnist_dir}" in out
    assert "train: 60000 images of 28x28" in out
    assert "test: 10000 images of 28x28" in out


def test_cli_missing_folder_is_one_line_and_exit_1(tmp_path, capsys):
    assert cli.main(["data", "--data-dir", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"ERROR: data folder {tmp_path / 'nowhere'} does not exist"]
