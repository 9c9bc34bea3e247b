"""Architectures, augmentation and the HDF5 model file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import h5py
import numpy as np
import onnxruntime as ort
import pytest
import torch

from digit_recognizer.augment import Augment
from digit_recognizer.checkpoint import ModelFile, read_model_file, write_model_file
from digit_recognizer.errors import ConfigError, ModelFileError
from digit_recognizer.models import (
    ARCHITECTURES,
    build_model,
    export_onnx,
    network_from_file,
    register,
    state_arrays,
)

from conftest import ROOT


@pytest.mark.parametrize("arch", sorted(ARCHITECTURES))
def test_every_architecture_maps_a_batch_to_ten_logits(arch):
    model = build_model(arch).eval()
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


def test_train_help_lists_every_architecture(capsys):
    # The CLI writes the list out instead of importing the registry: `--help` must not load torch.
    from digit_recognizer.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for arch in ARCHITECTURES:
        assert arch in text


def test_unknown_architecture_names_the_choices():
    with pytest.raises(ConfigError, match="unknown architecture 'vgg'.*cnn"):
        build_model("vgg")


def test_a_new_architecture_is_one_registered_function():
    @register("linear-test")
    def linear():
        return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))

    try:
        assert build_model("linear-test")(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    finally:
        del ARCHITECTURES["linear-test"]


def _digit_seven() -> torch.Tensor:
    image = torch.zeros(1, 1, 28, 28)
    image[0, 0, 6:9, 6:22] = 1  # the bar
    image[0, 0, 8:24, 18:21] = 1  # the stem, on the right
    return image


def test_augmentation_keeps_shape_and_never_mirrors():
    seven = _digit_seven().repeat(64, 1, 1, 1)
    aug = Augment(rotation=30, shift=0.1, zoom=0.3, shear=0.5, elastic=2)
    assert aug(seven, torch.Generator().manual_seed(1)).shape == seven.shape
    theta = aug._affine(10_000, seven, torch.Generator().manual_seed(2))
    # A reflection would have a negative determinant: every sampled transform keeps orientation.
    assert bool((torch.linalg.det(theta[:, :, :2]) > 0).all())


def test_augmentation_with_zero_strength_is_the_identity():
    seven = _digit_seven()
    assert torch.equal(Augment(0, 0, 0, 0, 0)(seven), seven)


def _digit_one() -> torch.Tensor:
    image = torch.zeros(1, 1, 28, 28)
    image[0, 0, 4:24, 13:16] = 1  # an upright stem, three pixels wide
    return image


def test_a_flag_is_drawn_on_1s_only_from_the_top_of_the_stem_down_to_the_left():
    batch = torch.cat([_digit_one(), _digit_seven()]).repeat(4, 1, 1, 1)
    labels = torch.tensor([1, 7] * 4)
    out = Augment(0, 0, 0, 0, 0, flag=1.0)(batch, torch.Generator().manual_seed(0), labels)
    assert torch.equal(out[labels == 7], batch[labels == 7])  # other digits are left as they were
    added = (out - batch)[labels == 1, 0]
    assert bool((added >= 0).all())  # a flag adds ink, never takes it away
    for flag in added:
        rows, cols = torch.nonzero(flag > 0.5, as_tuple=True)
        assert len(rows) >= 6  # a stroke, not a speck: at least 20 % of the 20-px digit long
        assert int(cols.min()) < 13  # left of the stem
        assert int(rows.min()) >= 3  # from its top (row 4) down; its round end reaches half a stroke above
        assert int(rows.max()) <= 4 + 0.45 * 20 + 2  # no longer than 45 % of the digit's height


def test_without_labels_or_with_no_share_no_flag_is_drawn():
    one = _digit_one().repeat(4, 1, 1, 1)
    generator = torch.Generator().manual_seed(0)
    assert torch.equal(Augment(0, 0, 0, 0, 0, flag=1.0)(one, generator), one)
    assert torch.equal(Augment(0, 0, 0, 0, 0)(one, generator, torch.ones(4, dtype=torch.long)), one)


def test_augmentation_is_reproducible_with_a_seed():
    batch = _digit_seven().repeat(8, 1, 1, 1)
    aug = Augment(elastic=2)
    a = aug(batch, torch.Generator().manual_seed(3))
    b = aug(batch, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_save_and_load_give_identical_predictions(tmp_path):
    torch.manual_seed(0)
    model = build_model("resnet", width=8).eval()
    path = write_model_file(tmp_path / "m.h5", ModelFile("resnet", {"width": 8}, state_arrays(model), {"note": "x"}))
    loaded = network_from_file(read_model_file(path))
    x = torch.randn(5, 1, 28, 28)
    with torch.no_grad():
        assert torch.equal(model(x), loaded(x))
    assert read_model_file(path).metadata == {"note": "x"}
    assert not list(tmp_path.glob(".*tmp"))  # the atomic write left nothing behind


def _small_file(tmp_path) -> tuple:
    model = build_model("lenet5")
    return tmp_path / "m.h5", ModelFile("lenet5", {}, state_arrays(model))


def test_truncated_model_file_is_rejected(tmp_path):
    path, model_file = _small_file(tmp_path)
    data = write_model_file(path, model_file).read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(ModelFileError, match="not a readable HDF5 model file"):
        read_model_file(path)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("m.onnx", b"\x08\x07\x12\x07pytorch", "is an ONNX graph; this program loads only its own HDF5 models"),
        ("m.pt", b"PK\x03\x04archive/data.pkl", "is a zip or pickle file (a PyTorch or Keras checkpoint?)"),
        ("m.pkl", b"\x80\x04\x95pickle", "is a zip or pickle file"),
        ("m.h5", b"plain text", "is not an HDF5 file; this program loads only its own HDF5 models"),
        ("m.h5", b"", "is not an HDF5 file"),
    ],
)
def test_other_kinds_of_file_are_named(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=re.escape(message)):
        read_model_file(path)


def test_keras_file_is_recognised_and_refused(tmp_path):
    path = tmp_path / "keras.h5"
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential"})
        f.create_group("model_weights")
    with pytest.raises(ModelFileError, match="Keras model file"):
        read_model_file(path)


def test_unknown_format_version_is_refused(tmp_path):
    path, model_file = _small_file(tmp_path)
    write_model_file(path, model_file)
    with h5py.File(path, "a") as f:
        f.attrs["format_version"] = 99
    with pytest.raises(ModelFileError, match="format version 99"):
        read_model_file(path)


@pytest.mark.parametrize(
    "attribute, value, message",
    [
        ("normalization", {"men": 0.1, "std": 0.3}, "its normalization is not a finite mean and std"),
        ("normalization", {"mean": 0.1, "std": 0}, "its normalization's std is not positive (0)"),
        ("class_names", "0123456789", "its class names are not a list of names ('0123456789')"),
        ("arch_params", [], "its architecture's parameters or its metadata are not a JSON object"),
    ],
)
def test_a_damaged_attribute_is_named_when_the_file_is_read(tmp_path, attribute, value, message):
    """Valid JSON of the wrong shape (a flipped byte can make one) failed later with KeyError."""
    path, model_file = _small_file(tmp_path)
    write_model_file(path, model_file)
    with h5py.File(path, "a") as f:
        f.attrs[attribute] = json.dumps(value)
    with pytest.raises(ModelFileError, match=re.escape(f"{path} is damaged: {message}")):
        read_model_file(path)


def test_a_damaged_onnx_graph_is_named_when_the_model_is_loaded(tmp_path):
    from digit_recognizer.recognizer import Recognizer

    path, model_file = _small_file(tmp_path)
    model_file.onnx = b"\x08\x07\x12\x07pytorch" + bytes(64)  # the start of a graph, then nothing
    write_model_file(path, model_file)
    with pytest.raises(ModelFileError, match=re.escape(f"{path}: its ONNX graph is damaged (")):
        Recognizer.load(path)


def _flip_a_bit(path, offset: int, bit: int = 0x10) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= bit
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("dataset", ["onnx", "weights/0.weight"])
def test_a_model_file_whose_data_changed_is_refused(tmp_path, dataset):
    """One bit flipped in the graph or in a weight: until 2026-11-28 the file loaded and gave other
    answers (122 of 200 files with 1-3 random bit flips in the bundled model, none refused)."""
    path, model_file = _small_file(tmp_path)
    model_file.onnx = export_onnx(network_from_file(model_file))
    write_model_file(path, model_file)
    with h5py.File(path, "r") as f:
        offset = f[dataset].id.get_chunk_info(0).byte_offset
    _flip_a_bit(path, offset + 100)
    with pytest.raises(ModelFileError, match=re.escape(f"{path} is damaged")):
        read_model_file(path)


@pytest.mark.parametrize(
    "craft, message",
    [
        (lambda f: f.create_dataset("weights/x", shape=(8,), dtype="u1", external=[("/etc/hostname", 0, 8)]),
         "keeps arrays in other files (weights/x)"),
        (lambda f: f.__setitem__("weights/x", h5py.ExternalLink("other.h5", "/x")), "links to what is not in it"),
        (lambda f: f.__setitem__("weights/x", h5py.SoftLink("/onnx")), "links to what is not in it (weights/x)"),
        (lambda f: f.create_group("weights/x"), "is damaged: weights/x should be arrays"),
        # a compressed array that would expand to 2 GiB when read, in a file of a few kB
        (lambda f: f.create_dataset("weights/x", shape=(2**31,), dtype="u1", chunks=(2**20,), compression="gzip"),
         "holds 2.0 GiB of arrays, where this program's models hold a few MB"),
    ],
)  # fmt: skip
def test_a_crafted_model_file_is_refused_before_its_arrays_are_read(tmp_path, craft, message):
    """HDF5 can keep an array's bytes in any file on the system (a crafted file read /etc/hostname as
    weights), link to other files, or hold arrays that expand to any size (2 GiB were read)."""
    path, model_file = _small_file(tmp_path)
    write_model_file(path, model_file)
    with h5py.File(path, "a") as f:
        craft(f)
    with pytest.raises(ModelFileError, match=re.escape(message)):
        read_model_file(path)


def test_a_model_file_of_the_first_layout_still_loads(tmp_path):
    """As write_model_file wrote them until 2026-11-28: text attributes as str, arrays without checksums."""
    path, model_file = _small_file(tmp_path)
    with h5py.File(path, "w") as f:
        f.attrs.update({"format": "digit-recognizer", "format_version": 1, "arch": "lenet5", "arch_params": "{}"})
        f.attrs.update({"class_names": json.dumps(list("0123456789")), "metadata": json.dumps({"note": "old"})})
        f.attrs["normalization"] = json.dumps({"mean": 0.1307, "std": 0.3081})
        for name, array in model_file.weights.items():
            f.create_dataset(f"weights/{name}", data=array)
    loaded = read_model_file(path)
    assert loaded.arch == "lenet5" and loaded.class_names == list("0123456789") and loaded.metadata == {"note": "old"}
    assert all(np.array_equal(loaded.weights[name], array) for name, array in model_file.weights.items())


def test_a_model_file_whose_attributes_changed_is_refused(tmp_path):
    path, model_file = _small_file(tmp_path)
    model_file.normalization = {"mean": 0.1307, "std": 0.3081}
    write_model_file(path, model_file)
    _flip_a_bit(path, path.read_bytes().index(b"0.1307") + 3, 0x01)  # the mean would read 0.1207
    with pytest.raises(ModelFileError, match=re.escape(str(path))):
        read_model_file(path)


def test_weights_that_do_not_fit_the_architecture_are_refused(tmp_path):
    path, model_file = _small_file(tmp_path)
    model_file.arch = "cnn"
    write_model_file(path, model_file)
    with pytest.raises(ModelFileError, match="do not fit architecture 'cnn'"):
        network_from_file(read_model_file(path))


def test_unwritable_model_path_is_a_clear_error(tmp_path):
    _, model_file = _small_file(tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ModelFileError, match="cannot write the model"):
        write_model_file(tmp_path / "file" / "m.h5", model_file)


def test_loading_reads_no_pickled_objects(tmp_path):
    path, model_file = _small_file(tmp_path)
    write_model_file(path, model_file)
    with h5py.File(path) as f:
        kinds = {type(v) for v in f.attrs.values()}
        dtypes = {ds.dtype.kind for ds in f["weights"].values()}
    assert kinds <= {np.bytes_, np.int64}  # text as fixed-length bytes, numbers
    assert dtypes <= {"f", "i"}


def test_a_dropped_onnx_graph_comes_back_from_the_weights(tmp_path):
    # benchmarks/onnx_graph.py: device_pool.sh SLIM=1 packs members without their graphs; `add` puts them back.
    model = build_model("m5", width=4).eval()
    original = ModelFile("m5", {"width": 4}, state_arrays(model), {"note": "x"}, onnx=export_onnx(model))
    path = write_model_file(tmp_path / "m.h5", original)
    junk = tmp_path / "junk.h5"
    junk.write_text("not a model")

    def run(*args):
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        script = ROOT / "benchmarks" / "onnx_graph.py"
        return subprocess.run([sys.executable, script, *args], capture_output=True, text=True, env=env)

    dropped = run("drop", junk, path)
    assert dropped.returncode == 1 and "junk.h5 is not an HDF5 file" in dropped.stderr  # the other file is still done
    assert "m.h5: graph dropped" in dropped.stdout and read_model_file(path).onnx is None

    assert run("add", path).returncode == 0
    restored = read_model_file(path)
    assert restored.metadata == original.metadata and restored.arch_params == original.arch_params
    assert all(np.array_equal(restored.weights[k], original.weights[k]) for k in original.weights)
    x = np.random.default_rng(0).normal(size=(16, 1, 28, 28)).astype(np.float32)
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    assert np.abs(ort.InferenceSession(restored.onnx).run(None, {"image": x})[0] - expected).max() <= 1e-4
    assert "has its graph already" in run("add", path).stdout


def test_a_model_file_whose_scalar_changed_is_refused(tmp_path):
    """BatchNorm's count of batches seen is a scalar, which HDF5 cannot checksum as it does arrays:
    until 2026-11-28 a flipped bit in it went unnoticed. An empty array is kept the same way."""
    path = tmp_path / "m.h5"
    weights = state_arrays(build_model("cnn"))
    count = next(name for name, array in weights.items() if array.ndim == 0)
    weights[count] = np.array(123456789, weights[count].dtype)
    weights["empty"] = np.zeros((0, 3), np.float32)
    write_model_file(path, ModelFile("cnn", {}, weights))
    loaded = read_model_file(path)
    assert loaded.weights[count] == 123456789 and loaded.weights[count].shape == ()
    assert loaded.weights["empty"].shape == (0, 3) and loaded.weights["empty"].dtype == np.float32
    _flip_a_bit(path, path.read_bytes().index(weights[count].tobytes()))
    with pytest.raises(ModelFileError, match=re.escape(f"{path} is damaged")):
        read_model_file(path)
