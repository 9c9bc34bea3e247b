"""Fine-tuning on a user's images, ONNX export and ensembles."""

from __future__ import annotations

import json

import numpy as np
import onnxruntime as ort
import pytest
import torch

from digit_recognizer import cli
from digit_recognizer.augment import Augment
from digit_recognizer.checkpoint import ModelFile, read_model_file
from digit_recognizer.errors import DataError
from digit_recognizer.evaluate import fit_temperature, log_loss, select_ensemble, temperature_scaled
from digit_recognizer.finetune import (
    FALLBACK_AUGMENT,
    FinetuneConfig,
    check_user_images,
    keep_mnist,
    load_user_images,
    training_settings,
)
from digit_recognizer.models import network_from_file, predict_proba
from digit_recognizer.synthetic import render
from digit_recognizer.train import recipe_config, recorded_split, split_train_val, train


def write_user_folder(root, mnist, per_digit: int, digits=range(10), condition="thick_marker"):
    rng = np.random.default_rng(5)
    for d in digits:
        (root / str(d)).mkdir(parents=True, exist_ok=True)
        for i, index in enumerate(np.flatnonzero(mnist.test_labels == d)[:per_digit]):
            (root / str(d) / f"{i}.jpg").write_bytes(render(mnist.test_images[index], condition, rng, max_side=300))
    return root


def test_three_images_are_refused_with_a_clear_message(tmp_path, mnist):
    folder = write_user_folder(tmp_path / "few", mnist, 1, digits=[1, 2, 3])
    images, labels, problems = load_user_images(folder)
    with pytest.raises(DataError, match="only 3 usable labelled image"):
        check_user_images(labels, problems, FinetuneConfig())


def test_unreadable_files_and_missing_digits_are_named(tmp_path, mnist):
    folder = write_user_folder(tmp_path / "mine", mnist, 2, digits=range(8))
    (folder / "3" / "broken.png").write_text("not an image")
    images, labels, problems = load_user_images(folder)
    warnings = check_user_images(labels, problems, FinetuneConfig())
    text = "\n".join(warnings)
    assert "broken.png" in text and "not an image" in text
    assert "no examples of digit(s) 8, 9" in text


def test_finetune_cli_adapts_and_keeps_mnist(tmp_path, mnist, mnist_dir, tiny_model, capsys):
    base, _ = tiny_model
    folder = write_user_folder(tmp_path / "mine", mnist, 6)
    output = tmp_path / "mine.h5"
    argv = ["finetune", "--images", str(folder), "--model-path", str(base), "--output", str(output),
            "--steps", "40", "--data-dir", str(mnist_dir)]  # fmt: skip
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "Your held-out images (15):" in out and "MNIST test accuracy:" in out
    report = read_model_file(output).metadata["finetune"]
    before, after = report["before"], report["after"]
    assert f"MNIST validation accuracy: {before['mnist_val_accuracy']:.4f} -> {after['mnist_val_accuracy']:.4f}" in out
    assert after["mnist_val_accuracy"] >= before["mnist_val_accuracy"] - 0.002  # the default --max-mnist-drop 0.2
    assert read_model_file(output).onnx


def test_a_base_model_trained_on_every_mnist_image_is_refused(tmp_path, mnist, mnist_dir, capsys):
    # With --val-size 0 no MNIST training image is left to check that fine-tuning keeps the base's accuracy.
    base = tmp_path / "all.h5"
    train(recipe_config("fast", model_path=str(base), train_limit=300, val_size=0, epochs=1), mnist)
    folder = write_user_folder(tmp_path / "mine", mnist, 2)
    output = tmp_path / "mine.h5"
    argv = ["finetune", "--images", str(folder), "--model-path", str(base), "--output", str(output),
            "--steps", "5", "--data-dir", str(mnist_dir)]  # fmt: skip
    assert cli.main(argv) == 1
    assert "trained on all 60,000 MNIST training images (--val-size 0)" in capsys.readouterr().err
    assert not output.exists()


@pytest.mark.parametrize(
    "option, message",
    [
        (["--max-mnist-drop", "-1"], "--max-mnist-drop is in percentage points"),
        (["--max-mnist-drop", "101"], "--max-mnist-drop is in percentage points"),
        (["--seed", "-1"], "--seed must be a whole number from 0 to 2**63 - 1 (got -1)"),  # ValueError until 11-28
    ],
)
def test_bad_options_are_refused_before_any_work(option, message, tmp_path, capsys):
    argv = ["finetune", "--images", str(tmp_path), "--output", str(tmp_path / "o.h5"), *option]
    assert cli.main(argv) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o.h5").exists()


def test_replay_and_validation_are_the_base_models_own_split(mnist, tiny_model):
    x_replay, _, x_val, y_val = recorded_split(read_model_file(tiny_model[0]), mnist)
    trained_with = recipe_config("fast", train_limit=6000, val_size=1000, epochs=3)  # as conftest trains it
    _, _, trained_val, trained_val_labels = split_train_val(mnist, trained_with)
    assert np.array_equal(x_val, trained_val) and np.array_equal(y_val, trained_val_labels)
    assert len(x_replay) + len(x_val) == len(mnist.train_labels)  # every other training digit, not a subset


def test_a_model_that_forgot_mnist_is_blended_back_until_it_has_not(mnist, tiny_model):
    base_path, _ = tiny_model
    base = read_model_file(base_path)
    _, _, x_val, y_val = recorded_split(base, mnist)
    model = network_from_file(base)
    base_accuracy = (predict_proba(model, x_val).argmax(1) == y_val).mean()
    torch.manual_seed(0)
    with torch.no_grad():  # "fine-tuning" that wrecks MNIST: noise on every weight
        for tensor in model.parameters():
            tensor.add_(torch.randn_like(tensor) * tensor.std())
    wrecked = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    assert (predict_proba(model, x_val).argmax(1) == y_val).mean() < base_accuracy - 0.1

    share, accuracy = keep_mnist(model, base, x_val, y_val, floor=base_accuracy - 0.002)
    assert 0 <= share < 1 and accuracy >= base_accuracy - 0.002
    assert accuracy == (predict_proba(model, x_val).argmax(1) == y_val).mean()
    start = network_from_file(base).state_dict()
    for name, tensor in model.state_dict().items():  # the weights lie on the line from the base to the tuned ones
        if tensor.is_floating_point():
            assert torch.allclose(tensor, start[name] + share * (wrecked[name] - start[name]), atol=1e-6)


def test_a_model_within_the_budget_is_left_as_fine_tuned(mnist, tiny_model):
    base = read_model_file(tiny_model[0])
    _, _, x_val, y_val = recorded_split(base, mnist)
    model = network_from_file(base)
    weights = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    share, _ = keep_mnist(model, base, x_val, y_val, floor=0.0)
    assert share == 1.0
    assert all(torch.equal(weights[name], tensor) for name, tensor in model.state_dict().items())


def test_finetuning_trains_like_the_base_model_unless_told_otherwise():
    recorded = {"config": {"augment": {"rotation": 12, "elastic": 0.6, "thickness": 0.1}, "label_smoothing": 0.1}}
    base = ModelFile("cnn", {}, {}, recorded)
    assert training_settings(base, FinetuneConfig()) == (Augment(rotation=12, elastic=0.6, thickness=0.1), 0.1)
    mine = FinetuneConfig(augment=Augment(rotation=0), label_smoothing=0.0)
    assert training_settings(base, mine) == (Augment(rotation=0), 0.0)
    foreign = ModelFile("cnn", {}, {}, {})  # a file that does not say how it was trained
    assert training_settings(foreign, FinetuneConfig()) == (FALLBACK_AUGMENT, 0.0)


def test_export_onnx_matches_pytorch(tmp_path, tiny_model, mnist):
    base, _ = tiny_model
    output = tmp_path / "model.onnx"
    assert cli.main(["export", "--format", "onnx", "--model-path", str(base), "--output", str(output)]) == 0
    session = ort.InferenceSession(str(output), providers=["CPUExecutionProvider"])
    images = mnist.test_images[:500]
    x = ((images / 255.0 - 0.1307) / 0.3081).astype(np.float32)[:, None]
    logits = session.run(None, {"image": x})[0]
    onnx_probs = np.exp(logits - logits.max(1, keepdims=True))
    onnx_probs /= onnx_probs.sum(1, keepdims=True)
    torch_probs = predict_proba(network_from_file(read_model_file(base)), images)
    assert np.abs(onnx_probs - torch_probs).max() <= 1e-4


def test_export_names_the_outputs_the_graph_has(tmp_path, capsys):
    """The one-digit model exports too; the command says its graph gives 2 logits, not 10."""
    from digit_recognizer.recognizer import ONE_DIGIT_MODEL

    output = tmp_path / "one_digit.onnx"
    assert cli.main(["export", "--model-path", str(ONE_DIGIT_MODEL), "--output", str(output)]) == 0
    assert "output 'logits': N×2)" in capsys.readouterr().err
    session = ort.InferenceSession(str(output), providers=["CPUExecutionProvider"])
    assert session.run(None, {"image": np.zeros((3, 1, 28, 28), np.float32)})[0].shape == (3, 2)


def test_forward_selection_weighs_models_by_their_held_out_log_loss():
    labels = np.array([0, 1, 2, 3])

    def confident(correct: list[bool], p: float = 0.9) -> np.ndarray:
        """Probability p on the true digit where correct, else p on the next digit; the rest spread."""
        out = np.full((4, 10), (1 - p) / 9)
        out[np.arange(4), np.where(correct, labels, labels + 1)] = p
        return out

    good, flawed, bad = confident([True] * 4), confident([True, True, True, False]), confident([False] * 4)
    assert select_ensemble([bad, good], labels, steps=5) == [1]  # the best model alone, never the bad one
    # Two models wrong on different images: their mean beats either, so both are picked.
    other = confident([False, True, True, True])
    picked = select_ensemble([flawed, other], labels, steps=6)
    assert sorted(set(picked)) == [0, 1]
    with pytest.raises(ValueError):
        select_ensemble([], labels, steps=3)


def test_forward_selection_calibrates_before_it_compares_log_losses():
    """Label smoothing makes a model underconfident: on raw log-loss a confident but less accurate model
    alone beats it. Temperature-scaled, the accurate model is chosen (and the ranking kept: the
    scaling never changes which digit a model prefers)."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 2000)

    def model(accuracy: float, p: float) -> np.ndarray:
        wrong = rng.random(len(labels)) > accuracy
        out = np.full((len(labels), 10), (1 - p) / 9)
        out[np.arange(len(labels)), np.where(wrong, (labels + 1) % 10, labels)] = p
        return out

    smoothed, confident = model(0.99, 0.6), model(0.95, 0.97)
    assert select_ensemble([smoothed, confident], labels, steps=4, calibrate=False)[0] == 1
    assert select_ensemble([smoothed, confident], labels, steps=4)[0] == 0
    temperature = fit_temperature(smoothed, labels)
    assert temperature < 1  # sharpened
    assert np.array_equal(temperature_scaled(smoothed, temperature).argmax(1), smoothed.argmax(1))
    assert log_loss(temperature_scaled(smoothed, temperature), labels) < log_loss(smoothed, labels)


def test_ensemble_evaluation_averages_models(tiny_model, mnist_dir, tmp_path, capsys):
    base, _ = tiny_model
    argv = ["evaluate", "--model-path", str(base), str(base), "--data-dir", str(mnist_dir), "--json",
            "--plots-dir", str(tmp_path)]  # fmt: skip
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    ensemble = json.loads(captured.out)
    assert "Scoring the 10000 test digits with 2 models" in captured.err  # a big ensemble takes minutes
    assert cli.main(argv[:2] + argv[3:]) == 0
    single = json.loads(capsys.readouterr().out)
    assert ensemble["accuracy"] == pytest.approx(single["accuracy"])  # the mean of one model twice is itself
    assert cli.main(argv[:2] + argv[3:] + ["--tta"]) == 0
    assert "Scoring the 10000 test digits with the model, each on 5 shifted views (--tta)" in capsys.readouterr().err


def test_an_ensemble_runs_a_model_named_twice_once_and_in_chunks(tiny_model, mnist, monkeypatch):
    """Forward selection's weights name a model several times; it is loaded and run once, and counted as
    often as named. Images go through a model CHUNK at a time: a 16-model ensemble on the 10,000 test
    digits, run whole, once held 24 GB and was killed."""
    from digit_recognizer import recognizer

    base, _ = tiny_model
    monkeypatch.setattr(recognizer, "CHUNK", 16)
    ensemble = recognizer.Recognizer.load([base, base])
    assert ensemble.members[0].engine is ensemble.engine
    calls, engine = [], ensemble.engine

    def counted(x):
        calls.append(len(x))
        return engine(x)

    ensemble.engine = ensemble.members[0].engine = counted
    images = mnist.test_images[:40]
    alone = recognizer.Recognizer.load(base).probabilities(images)
    assert np.allclose(ensemble.probabilities(images), alone, atol=1e-6)
    assert calls == [16, 16, 8]


def test_test_time_augmentation_averages_the_one_pixel_shifts(tiny_model, mnist):
    from digit_recognizer.recognizer import Recognizer

    base, _ = tiny_model
    images = mnist.test_images[:50]
    plain, tta = Recognizer.load(base), Recognizer.load([base, base], tta=True)
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))  # black comes in where the digit moves away
    views = [padded[:, 1 - dy : 29 - dy, 1 - dx : 29 - dx] for dy, dx in ((0, 0), (0, 1), (0, -1), (1, 0), (-1, 0))]
    assert (views[1][:, :, 1:] == images[:, :, :-1]).all()  # (0, 1): one pixel to the right
    expected = np.mean([plain.probabilities(v) for v in views], axis=0)
    assert np.allclose(tta.probabilities(images), expected, atol=1e-6)
    assert tta.info()["tta"] is True and len(tta.info()["ensemble"]) == 2
