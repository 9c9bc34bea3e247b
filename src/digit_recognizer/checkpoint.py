"""Model files: self-describing HDF5 that is safe to load.

Layout (format version 1)::

    /                 attrs: format="digit-recognizer", format_version, arch, arch_params (JSON),
                             class_names (JSON), normalization (JSON: mean, std), metadata (JSON);
                             text as UTF-8 bytes (files written before 2026-11-28: str)
    /weights/<name>   one dataset per tensor of the PyTorch state dict
    /onnx             (optional) the same network as an ONNX graph, bytes: inference without torch

Loading reads arrays and JSON only — nothing from the file is ever executed (no pickle).
Files are written to a temporary name beside the target and renamed into place, so a crash or
Ctrl-C never leaves a half-written model where a good one was. HDF5 checks what it reads: each
array has a Fletcher-32 checksum, each scalar is kept in its dataset's header, and the file's structure,
attributes and headers are in HDF5 1.8's format, which has checksums of its own, so a damaged file is
refused instead of giving other answers.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from .errors import ModelFileError

FORMAT = "digit-recognizer"
FORMAT_VERSION = 1
CLASS_NAMES = [str(d) for d in range(10)]
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
MAX_ARRAY_BYTES = 2**30  # a model file's arrays, at most; a file that says it holds more is not read


@dataclass
class ModelFile:
    """Everything in a model file, as plain data: arrays and JSON-able values."""

    arch: str
    arch_params: dict
    weights: dict[str, np.ndarray]
    metadata: dict = field(default_factory=dict)
    normalization: dict = field(default_factory=lambda: {"mean": MNIST_MEAN, "std": MNIST_STD})
    class_names: list[str] = field(default_factory=lambda: list(CLASS_NAMES))
    onnx: bytes | None = None
    format_version: int = FORMAT_VERSION

    def __repr__(self) -> str:
        return f"ModelFile(arch={self.arch!r}, params={self.arch_params}, tensors={len(self.weights)})"


def write_model_file(path: str | Path, model: ModelFile) -> Path:
    """Write ``model`` to ``path`` atomically (temporary file + rename)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ModelFileError(f"cannot write the model to {path} ({exc.strerror or exc})") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a model file is as shareable as any other
    try:
        with h5py.File(tmp, "w", libver=("v108", "v108")) as f:  # checksummed structure; HDF5 1.8 reads it
            texts = {
                "format": FORMAT,
                "arch": model.arch,
                "arch_params": json.dumps(model.arch_params),
                "class_names": json.dumps(model.class_names),
                "normalization": json.dumps(model.normalization),
                "metadata": json.dumps(model.metadata),
            }
            for name, text in texts.items():
                # Fixed-length bytes: stored inside the checksummed header, where a str attribute's text is
                # kept apart in a heap without a checksum (a changed byte in it went unnoticed).
                f.attrs[name] = np.bytes_(text.encode())
            f.attrs["format_version"] = model.format_version
            weights = f.create_group("weights")
            for name, array in model.weights.items():
                _checked_dataset(weights, name, np.asarray(array))
            if model.onnx is not None:
                _checked_dataset(f, "onnx", np.frombuffer(model.onnx, dtype=np.uint8))
        os.replace(tmp, path)
    except OSError as exc:
        raise ModelFileError(f"cannot write the model to {path} ({exc})") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return path


def read_model_file(path: str | Path, classes: Sequence[str] | None = None) -> ModelFile:
    """Read a model file, refusing anything that is not one of ours in a format version we know, and,
    with ``classes``, a model whose outputs are other classes (the one-digit model's two, read as
    digits, would give its class index as a digit)."""
    model = _read(path)
    if classes is not None and list(model.class_names) != list(classes):
        digits = list(classes) == CLASS_NAMES
        wanted = "the digits 0-9: use a model from `digits train` or `digits finetune`" if digits else _names(classes)
        raise ModelFileError(f"{path} is a model of {_names(model.class_names)}, not of {wanted}")
    return model


def _checked_dataset(group: h5py.Group, name: str, array: np.ndarray) -> None:
    """``array`` as a dataset that HDF5 checks on every read: one chunk with a Fletcher-32 checksum (a
    file of 4 MB reads in 2-3 ms more than unchecked, against 7-10 ms for h5py's default smaller chunks).
    A scalar or an empty array cannot be chunked: it is kept in its dataset's header instead (HDF5's
    compact layout), which HDF5 1.8's format checksums. Until 2026-11-28 these were stored unchecked
    (the scalars are BatchNorm's counts of batches seen, which predicting and fine-tuning do not use)."""
    if array.ndim and array.size:
        group.create_dataset(name, data=array, chunks=array.shape, fletcher32=True)
        return
    layout = h5py.h5p.create(h5py.h5p.DATASET_CREATE)  # h5py's create_dataset makes no compact datasets
    layout.set_layout(h5py.h5d.COMPACT)
    space = h5py.h5s.create_simple(array.shape) if array.ndim else h5py.h5s.create(h5py.h5s.SCALAR)
    dataset = h5py.h5d.create(group.id, name.encode(), h5py.h5t.py_create(array.dtype), space, dcpl=layout)
    if array.size:
        dataset.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(array))


def _names(classes: Sequence[str]) -> str:
    return ", ".join(repr(name) for name in classes)


def _read(path: str | Path) -> ModelFile:
    path = Path(path)
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder, not a model file")
    if not path.is_file():
        raise ModelFileError(f"model file {path} does not exist")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise ModelFileError(_unreadable(path)) from exc
    try:
        with f:
            attrs = {name: value.decode() if isinstance(value, bytes) else value for name, value in f.attrs.items()}
            if attrs.get("format") != FORMAT:
                raise ModelFileError(_foreign(path, attrs))
            version = int(attrs.get("format_version", -1))
            if version != FORMAT_VERSION:
                raise ModelFileError(
                    f"{path} has model format version {version}; this program reads version {FORMAT_VERSION} "
                    "(upgrade handwritten-digit-recognizer, or retrain the model)"
                )
            weights, graph = _arrays(path, f)
            model = ModelFile(
                arch=str(attrs["arch"]),
                arch_params=json.loads(attrs["arch_params"]),
                weights={name: np.asarray(ds[()]) for name, ds in weights.items()},
                metadata=json.loads(attrs.get("metadata", "{}")),
                normalization=json.loads(attrs["normalization"]),
                class_names=json.loads(attrs["class_names"]),
                onnx=graph[()].tobytes() if graph is not None else None,
                format_version=version,
            )
    except ModelFileError:
        raise
    except (KeyError, ValueError, TypeError, OSError, RuntimeError) as exc:  # RuntimeError: h5py's, on bad metadata
        raise ModelFileError(f"{path} is damaged: {exc}") from exc
    if problem := _misshapen(model):
        raise ModelFileError(f"{path} is damaged: {problem}")
    return model


def _arrays(path: Path, f: h5py.File) -> tuple[dict[str, h5py.Dataset], h5py.Dataset | None]:
    """The weights' datasets and the graph's, unread; refused if one is not an array in this file (HDF5
    can link to other files, and keep an array's bytes in any file on the system: a crafted model file
    read /etc/hostname as weights), or if together they say they hold over MAX_ARRAY_BYTES (a crafted
    file could make a compressed array expand to any size)."""

    def linked(names: list[str]) -> list[str]:
        return [name for name in names if not isinstance(f.get(name, h5py.HardLink(), getlink=True), h5py.HardLink)]

    if outside := linked(["weights", "onnx"]) or linked([f"weights/{name}" for name in f["weights"]]):
        raise ModelFileError(f"{path} links to what is not in it ({', '.join(outside)}); a model holds its arrays")
    named = {f"weights/{name}": item for name, item in f["weights"].items()}
    if "onnx" in f:
        named["onnx"] = f["onnx"]
    if others := [name for name, item in named.items() if not isinstance(item, h5py.Dataset)]:
        raise ModelFileError(f"{path} is damaged: {', '.join(others)} should be arrays")
    if outside := [name for name, item in named.items() if item.external or item.is_virtual]:
        raise ModelFileError(f"{path} keeps arrays in other files ({', '.join(outside)}); a model holds its arrays")
    if (size := sum(item.nbytes for item in named.values())) > MAX_ARRAY_BYTES:
        raise ModelFileError(
            f"{path} holds {size / 2**30:.1f} GiB of arrays, where this program's models hold a few MB "
            f"(at most {MAX_ARRAY_BYTES // 2**30} GiB are read): a damaged or crafted file?"
        )
    weights = {name.removeprefix("weights/"): item for name, item in named.items() if name != "onnx"}
    return weights, named.get("onnx")


def _misshapen(model: ModelFile) -> str | None:
    """What is wrong with the JSON attributes' values, if anything: a damaged byte can leave valid JSON
    of another shape, which would fail later, far from the file."""
    norm = model.normalization
    if not isinstance(norm, dict) or not all(_finite_number(norm.get(key)) for key in ("mean", "std")):
        return f"its normalization is not a finite mean and std ({norm!r})"
    if not norm["std"] > 0:
        return f"its normalization's std is not positive ({norm['std']!r})"
    names = model.class_names
    if not isinstance(names, list) or not names or not all(isinstance(name, str) for name in names):
        return f"its class names are not a list of names ({names!r})"
    if not isinstance(model.arch_params, dict) or not isinstance(model.metadata, dict):
        return "its architecture's parameters or its metadata are not a JSON object"
    return None


def _finite_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _unreadable(path: Path) -> str:
    """Why h5py cannot open ``path``: a damaged HDF5 file, or which other kind of file it is."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head == HDF5_SIGNATURE:
        return f"{path} is not a readable HDF5 model file (corrupt or truncated?)"
    ours = "this program loads only its own HDF5 models (.h5, from `digits train` or `digits finetune`)"
    if path.suffix.lower() == ".onnx":
        return f"{path} is an ONNX graph; {ours}: load the .h5 it was exported from, or run the graph with onnxruntime"
    if head.startswith(b"PK") or head[:1] == b"\x80":
        return f"{path} is a zip or pickle file (a PyTorch or Keras checkpoint?); {ours}, which never run code"
    return f"{path} is not an HDF5 file; {ours}"


def _foreign(path: Path, attrs: dict) -> str:
    if "keras_version" in attrs or "model_config" in attrs:
        return (
            f"{path} is a Keras model file; this program reads only its own HDF5 models (train one with `digits train`)"
        )
    return f"{path} is an HDF5 file but not a digit-recognizer model"
