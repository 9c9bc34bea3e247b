"""The training loop, the train/evaluate CLI and the seed's script."""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from digit_recognizer import cli
from digit_recognizer.checkpoint import ModelFile, read_model_file
from digit_recognizer.errors import ConfigError
from digit_recognizer.train import TrainConfig, recipe_config, recorded_split, split_train_val, train

from conftest import ROOT


def test_a_short_run_clearly_learns(tiny_model):
    path, result = tiny_model
    assert result.history[-1].val_accuracy > 0.85  # from 10 % by chance
    meta = read_model_file(path).metadata
    assert meta["epoch"] == result.best_epoch
    assert meta["config"]["recipe"] == "fast"
    assert len(meta["data_checksum"]) == 16
    assert read_model_file(path).onnx  # the final file carries the ONNX graph


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"arch": "vgg"}, "unknown architecture"),
        ({"epochs": 0}, "epochs must be at least 1"),
        ({"batch_size": 0}, "batch size must be at least 1"),
        ({"ema": 1.0}, "EMA decay must be in"),
        ({"precision": "fp16"}, "unknown precision 'fp16'; choose one of: fp32, bf16"),
        ({"augment": "rot=3"}, "bad augmentation 'rot=3': write NAME=VALUE with NAME one of rotation, shift"),
        ({"augment": "rotation=x"}, "bad augmentation 'rotation=x': 'x' is not a number"),
        ({"augment": "shift"}, "bad augmentation 'shift'"),
        ({"augment": "rotation=-5"}, "strength rotation must not be negative"),
        ({"augment": "zoom=nan"}, "strength zoom must not be negative"),
        ({"augment": "zoom=1"}, "strength zoom must be under 1: the scale is 1 ± zoom"),
        ({"augment": "shift=0.6"}, "strength shift is at most 0.5, a fraction of the image either way"),
        ({"augment": "rotation=200"}, "strength rotation is at most 180, degrees either way"),
        ({"augment": "thickness=3"}, "strength thickness is at most 1, the share of images thickened"),
        ({"augment": "flag=1.5"}, "strength flag is at most 1, the share of the 1s given a flag"),
        ({"augment": "elastic=2,elastic_grid=0"}, "elastic_grid must be at least 1"),
        ({"seed": -1}, "the seed must be a whole number from 0 to 2\\*\\*63 - 1"),
        ({"seed": 2**63}, "the seed must be a whole number from 0"),
        ({"split_seed": -2}, "the split seed must be a whole number from 0"),
        ({"lr": -1.0}, "learning rate must be a positive number"),
        ({"lr": 0.0}, "learning rate must be a positive number"),
        ({"lr": float("nan")}, "learning rate must be a positive number"),
        ({"weight_decay": -1e-4}, "weight decay must not be negative"),
        ({"optimizer": "rmsprop"}, "unknown optimizer 'rmsprop'; choose one of: sgd, adam"),
        ({"patience": 0}, "patience must be at least 1 epoch"),
        ({"train_limit": -5}, "training-image limit must not be negative"),
        ({"val_size": -1}, "validation split must not be negative"),
        ({"arch": "lenet5", "arch_params": {}, "width": 8}, "architecture lenet5 has no width to set"),
        ({"arch": "m5", "arch_params": {}, "width": 0}, "width must be a whole number of channels, at least 1"),
        ({"arch": "m5", "arch_params": {"depth": 3}}, "architecture m5 has no depth to set"),
    ],
)
def test_bad_configuration_fails_before_training(overrides, message):
    with pytest.raises(ConfigError, match=message):
        recipe_config("default", **overrides)


def test_augment_changes_only_the_named_strengths_of_the_recipe():
    recipe = recipe_config("default").augment
    changed = recipe_config("default", augment="rotation=20, elastic=0,elastic_grid=6").augment
    assert (changed.rotation, changed.elastic, changed.elastic_grid) == (20.0, 0.0, 6)
    assert (changed.shift, changed.zoom, changed.shear, changed.thickness) == (
        recipe.shift, recipe.zoom, recipe.shear, recipe.thickness
    )  # fmt: skip


def test_bf16_training_learns_and_saves_float32_weights(mnist_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("digit_recognizer.train.native_bf16", lambda device: False)
    path = tmp_path / "bf16.h5"
    argv = ["train", "--recipe", "fast", "--precision", "bf16", "--augment", "rotation=5", "--train-limit", "3000",
            "--epochs", "2", "--model-path", str(path), "--plots-dir", str(tmp_path / "plots"),
            "--data-dir", str(mnist_dir)]  # fmt: skip
    assert cli.main(argv) == 0
    model_file = read_model_file(path)
    config = model_file.metadata["config"]
    assert config["precision"] == "bf16" and config["augment"]["rotation"] == 5.0
    assert all(w.dtype == np.float32 for w in model_file.weights.values() if w.dtype.kind == "f")
    assert model_file.metadata["metrics"]["test_accuracy"] > 0.9
    captured = capsys.readouterr()
    assert captured.out.count("Epoch 2/2:") == 1
    assert "no fast bfloat16 kernels" in captured.err  # told bf16 is emulated, training says fp32 is faster


@pytest.mark.parametrize("ampere_or_newer", [True, False])
def test_a_gpu_without_native_bfloat16_counts_as_slow(ampere_or_newer, monkeypatch):
    import torch

    from digit_recognizer.train import native_bf16

    # as torch answers: every CUDA GPU "supports" bf16 when emulation counts
    monkeypatch.setattr(
        torch.cuda, "is_bf16_supported", lambda including_emulation=True: including_emulation or ampere_or_newer
    )
    assert native_bf16("cuda") is ampere_or_newer


def test_bf16_on_a_device_with_fast_bfloat16_trains_without_a_warning(mnist_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("digit_recognizer.train.native_bf16", lambda device: True)
    argv = ["train", "--recipe", "fast", "--precision", "bf16", "--train-limit", "256", "--epochs", "1",
            "--model-path", str(tmp_path / "m.h5"), "--plots-dir", str(tmp_path / "plots"),
            "--data-dir", str(mnist_dir)]  # fmt: skip
    assert cli.main(argv) == 0
    assert "bfloat16" not in capsys.readouterr().err


def test_unknown_recipe_names_the_choices():
    with pytest.raises(ConfigError, match="unknown recipe 'slow'.*default, fast"):
        recipe_config("slow")


def test_a_validation_split_that_leaves_nothing_to_train_on_is_refused(mnist, tmp_path):
    config = recipe_config("fast", model_path=str(tmp_path / "m.h5"), val_size=len(mnist.train_labels) - 1)
    with pytest.raises(ConfigError, match="leaves 1 of the 60000 training images to train on; hold out fewer"):
        train(config, mnist)
    assert not (tmp_path / "m.h5").exists()
    config = recipe_config("fast", model_path=str(tmp_path / "m.h5"), train_limit=1)  # the limit is to blame
    with pytest.raises(ConfigError, match="--train-limit 1 is too few: a batch needs at least 2 images"):
        train(config, mnist)
    assert not (tmp_path / "m.h5").exists()


def test_unwritable_model_path_fails_before_training(mnist, tmp_path):
    (tmp_path / "file").write_text("x")
    config = recipe_config("fast", model_path=str(tmp_path / "file" / "m.h5"), train_limit=100)
    with pytest.raises(ConfigError, match="cannot"):
        train(config, mnist)


def ctrl_c_in_epoch(epoch: int):
    """An ``on_epoch`` callback that presses Ctrl-C once ``epoch`` has been trained (and checkpointed, if best)."""

    def on_epoch(stats):
        if stats.epoch == epoch:
            raise KeyboardInterrupt

    return on_epoch


@pytest.mark.parametrize("arch_params", [{}, {"channels": (8, 16, 32)}])  # a tuple the file stores as a list
def test_ctrl_c_keeps_the_best_checkpoint_and_resume_continues(mnist, tmp_path, arch_params):
    path = tmp_path / "m.h5"
    config = recipe_config(
        "fast", model_path=str(path), train_limit=1000, val_size=500, epochs=3, arch_params=arch_params
    )

    first = train(config, mnist, on_epoch=ctrl_c_in_epoch(2))
    assert first.interrupted
    saved = read_model_file(path).metadata
    assert saved["epoch"] in (1, 2) and saved["epoch"] == first.best_epoch
    resumed = train(config, mnist, resume=True)
    assert [h.epoch for h in resumed.history][-1] == 3
    assert len(resumed.history) == 3
    assert not (tmp_path / "m.previous.h5").exists()  # the first run found no model; --resume continues one


def test_width_sizes_the_network_the_file_records_it_and_resume_keeps_it(mnist_dir, tmp_path, capsys):
    path = tmp_path / "m.h5"
    common = ["--arch", "m5", "--epochs", "2", "--train-limit", "400", "--data-dir", str(mnist_dir)]
    common += ["--model-path", str(path), "--plots-dir", str(tmp_path / "plots")]
    assert cli.main(["train", *common, "--width", "4"]) == 0
    model_file = read_model_file(path)
    assert (model_file.arch, model_file.arch_params) == ("m5", {"width": 4})
    assert model_file.weights["0.0.weight"].shape == (4, 1, 5, 5)  # the first conv: 4 channels
    assert model_file.weights["6.weight"].shape == (10, 5 * 4 * 8 * 8)  # the last layer scaled with it
    capsys.readouterr()
    assert cli.main(["train", *common, "--width", "8", "--resume"]) == 1
    assert (
        "--resume needs the same architecture, size, epochs, validation split and optimizer as the checkpoint "
        "(m5 width=4, 2 epochs, 5000 validation images, sgd)"
    ) in capsys.readouterr().err
    assert read_model_file(path).weights["0.0.weight"].shape == (4, 1, 5, 5)  # the checkpoint is kept


def test_val_size_0_trains_on_all_images_keeps_the_last_epoch_never_stops_early(mnist_dir, mnist, tmp_path, capsys):
    path, plots = tmp_path / "m.h5", tmp_path / "plots"
    common = ["--recipe", "fast", "--epochs", "3", "--train-limit", "600", "--data-dir", str(mnist_dir)]
    common += ["--model-path", str(path), "--plots-dir", str(plots)]
    assert cli.main(["train", *common, "--val-size", "0", "--patience", "1"]) == 0
    out = capsys.readouterr().out
    epochs = [line for line in out.splitlines() if line.startswith("Epoch ")]
    assert len(epochs) == 3 and not any("Val" in line for line in epochs)  # patience 1 stopped nothing
    assert re.fullmatch(r"Epoch 3/3: Loss: \d\.\d{4}, Accuracy: \d\.\d{4} \(\d+\.\ds\)", epochs[-1])
    model_file = read_model_file(path)
    meta = model_file.metadata
    assert (meta["epoch"], meta["train_images"], meta["val_images"]) == (3, 600, 0)
    assert meta["metrics"]["val_accuracy"] is None and 0 < meta["metrics"]["test_accuracy"] <= 1
    assert [row["val_accuracy"] for row in json.loads((plots / "history.json").read_text())] == [None] * 3
    assert (plots / "accuracy_loss_curves.png").stat().st_size > 0
    x_train, _, x_val, _ = recorded_split(model_file, mnist)  # its split: all 60,000 train, none validate
    assert (len(x_train), len(x_val)) == (60000, 0)
    before = path.read_bytes()
    assert cli.main(["train", *common, "--resume"]) == 1  # another split: refused, the checkpoint kept
    assert "(fastnet, 3 epochs, 0 validation images, sgd)" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_adam_is_recorded_and_resume_refuses_another_optimizer(mnist_dir, tmp_path, capsys):
    path = tmp_path / "m.h5"
    common = ["--recipe", "fast", "--epochs", "2", "--train-limit", "1200", "--val-size", "600"]
    common += ["--data-dir", str(mnist_dir), "--model-path", str(path), "--plots-dir", str(tmp_path / "plots")]
    assert cli.main(["train", *common, "--optimizer", "adam", "--lr", "0.002", "--weight-decay", "0"]) == 0
    config = read_model_file(path).metadata["config"]
    assert (config["optimizer"], config["lr"], config["weight_decay"]) == ("adam", 0.002, 0.0)
    before = path.read_bytes()
    capsys.readouterr()
    assert cli.main(["train", *common, "--resume"]) == 1  # sgd, the default, cannot continue Adam's run
    assert "(fastnet, 2 epochs, 600 validation images, adam)" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_adam_schedule_decays_by_0_98_an_epoch_also_after_resume(mnist, tmp_path):
    config = recipe_config(
        "fast", optimizer="adam", lr=0.002, model_path=str(tmp_path / "m.h5"), train_limit=1000, val_size=500,
        epochs=3, patience=3,
    )  # fmt: skip
    assert train(config, mnist, on_epoch=ctrl_c_in_epoch(2)).interrupted
    resumed = train(config, mnist, resume=True)
    history = [(h.epoch, h.lr) for h in resumed.history]
    assert [epoch for epoch, _ in history] == [1, 2, 3]
    assert [lr for _, lr in history] == pytest.approx([0.002 * 0.98**epoch for epoch in (1, 2, 3)])


@pytest.mark.parametrize("images", [64 * 4, 64 * 5, 64 * 6])
def test_runs_of_a_few_steps_train(mnist, tmp_path, images):
    # five steps in all once made torch's one-cycle schedule divide by zero
    config = recipe_config("fast", model_path=str(tmp_path / "m.h5"), train_limit=images, val_size=100, epochs=1)
    assert config.batch_size == 64
    assert train(config, mnist).history[-1].epoch == 1


def test_a_new_run_keeps_the_model_an_earlier_run_left(mnist, tmp_path):
    path = tmp_path / "m.h5"
    config = recipe_config("fast", model_path=str(path), train_limit=600, val_size=300, epochs=1)
    train(config, mnist)
    earlier = path.read_bytes()
    later = recipe_config("fast", model_path=str(path), train_limit=600, val_size=300, epochs=1, seed=1)
    train(later, mnist)
    assert (tmp_path / "m.previous.h5").read_bytes() == earlier
    assert read_model_file(path).metadata["config"]["seed"] == 1


def test_split_seed_draws_one_validation_split_for_models_of_other_seeds(mnist):
    _, _, val_a, labels_a = split_train_val(mnist, TrainConfig(seed=1, split_seed=100))
    _, _, val_b, labels_b = split_train_val(mnist, TrainConfig(seed=2, split_seed=100))
    _, _, own, _ = split_train_val(mnist, TrainConfig(seed=1))
    assert np.array_equal(val_a, val_b) and np.array_equal(labels_a, labels_b)
    assert not np.array_equal(val_a, own)
    # a model file's recorded configuration gives back the split it was trained on
    recorded = ModelFile("cnn", {}, {}, {"config": {"seed": 2, "split_seed": 100, "val_size": 5000}})
    assert np.array_equal(recorded_split(recorded, mnist)[2], val_a)


def test_training_is_reproducible(mnist, tmp_path):
    runs = []
    for name in ("a", "b"):
        config = recipe_config("fast", model_path=str(tmp_path / f"{name}.h5"), train_limit=500, val_size=200)
        runs.append(train(config, mnist).history[-1])
    assert runs[0].val_loss == runs[1].val_loss


def test_cudnn_is_deterministic_for_a_gpu_run_and_as_before_after_it():
    import torch

    from digit_recognizer.train import _deterministic

    cudnn = torch.backends.cudnn
    saved = cudnn.deterministic, cudnn.benchmark
    cudnn.deterministic, cudnn.benchmark = False, True  # as a user's own code may have set them
    try:
        with _deterministic(torch.device("cuda")):
            assert (cudnn.deterministic, cudnn.benchmark) == (True, False)
        assert (cudnn.deterministic, cudnn.benchmark) == (False, True)
        with _deterministic(torch.device("cpu")):
            assert (cudnn.deterministic, cudnn.benchmark) == (False, True)
    finally:
        cudnn.deterministic, cudnn.benchmark = saved


def test_ema_validates_and_saves_the_averaged_weights(mnist, tmp_path):
    def run(name, **overrides):
        path = tmp_path / f"{name}.h5"
        config = recipe_config("fast", model_path=str(path), train_limit=3000, val_size=300, epochs=3, **overrides)
        return train(config, mnist), read_model_file(path).weights

    (plain, plain_weights), (forgetful, forgetful_weights) = run("plain"), run("forgetful", ema=1e-9)
    (ema, ema_weights) = run("ema", ema=0.9)
    # An average that forgets at once is the trained weights themselves ...
    assert forgetful.history[-1].val_accuracy == plain.history[-1].val_accuracy
    assert all(np.allclose(forgetful_weights[k], plain_weights[k], atol=1e-5) for k in plain_weights)
    # ... a real one is other weights, and it is what was validated and saved.
    assert any(not np.allclose(ema_weights[k], plain_weights[k], atol=1e-3) for k in plain_weights)
    assert ema.history[-1].val_accuracy > 0.9
    assert read_model_file(tmp_path / "ema.h5").metadata["config"]["ema"] == 0.9


def test_the_weight_average_follows_its_warm_up_formula_for_every_tensor():
    """The foreach average gives, bit for bit, averaged * d + current * (1 - d) with
    d = min(decay, (1 + n) / (10 + n)) for each float tensor, and the model's own batch counters."""
    import torch
    from torch.optim import swa_utils

    from digit_recognizer.models import build_model
    from digit_recognizer.train import _ema_average

    torch.manual_seed(0)
    model = build_model("fastnet")
    ema = swa_utils.AveragedModel(model, multi_avg_fn=_ema_average(0.2), use_buffers=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    expected = {k: v.clone() for k, v in model.state_dict().items()}  # n = 0: a copy
    ema.update_parameters(model)
    for n in range(1, 4):  # d = 2/11, then the decay, 0.2 (3/12 and 4/13 are above it)
        model.train()
        loss = torch.nn.functional.cross_entropy(model(torch.rand(8, 1, 28, 28)), torch.arange(8))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        ema.update_parameters(model)
        d = torch.tensor((1 + n) / (10 + n)).clamp(max=0.2)
        for k, current in model.state_dict().items():
            floating = current.is_floating_point()
            expected[k] = expected[k] * d + current * (1 - d) if floating else current.clone()
    averaged = ema.module.state_dict()
    assert any(not v.is_floating_point() for v in averaged.values())  # BatchNorm's counters are covered
    for k, v in expected.items():
        assert torch.equal(averaged[k], v), k


def test_evaluate_prints_accuracy_writes_plots_and_json(tiny_model, mnist_dir, tmp_path, capsys):
    path, _ = tiny_model
    plots = tmp_path / "plots"
    argv = ["evaluate", "--model-path", str(path), "--data-dir", str(mnist_dir), "--plots-dir", str(plots)]
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Test accuracy: 0.9")
    assert "precision" in captured.out and "precision" not in captured.err  # the per-class table, once
    for name in ("accuracy_loss_curves.png", "confusion_matrix.png", "misclassified.png"):
        with Image.open(plots / name) as image:
            assert image.format == "PNG" and image.width > 300
    assert cli.main(argv + ["--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["images"] == 10000
    assert np.array(metrics["confusion_matrix"]).sum() == 10000
    assert set(metrics["per_class"]) == {str(d) for d in range(10)}


def _seed(args, cwd, **env):
    return subprocess.run(
        [sys.executable, str(ROOT / "handwritten_digit_recognizer.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )


def test_seed_script_trains_with_its_flags_and_lines(mnist_dir, tmp_path):
    run = _seed(
        ["--mode", "train", "--epochs", "2", "--batch_size", "64", "--recipe", "fast", "--train-limit", "6000"],
        tmp_path,
        DIGITS_DATA_DIR=str(mnist_dir),
    )
    assert run.returncode == 0, run.stderr
    output = run.stdout + run.stderr
    assert "Epoch 1/2: Loss: " in output and ", Accuracy: " in output
    assert "INFO: Best model saved at models/digit_recognizer_model.h5" in output
    assert "INFO: Test accuracy: 0.9" in output
    assert (tmp_path / "models" / "digit_recognizer_model.h5").is_file()
    assert (tmp_path / "plots" / "confusion_matrix.png").is_file()

    digit = Image.fromarray(read_digit(mnist_dir, 0))  # the first test image, a 7
    digit.save(tmp_path / "seven.png")
    run = _seed(["--mode", "predict", "--image_path", "seven.png"], tmp_path)
    assert run.returncode == 0, run.stderr
    assert re.fullmatch(r"Predicted Digit: 7 \(Confidence: [01]\.\d\d\)", run.stdout.strip())


def test_the_command_exits_with_its_status_and_skips_only_its_own_last_garbage_sweep(tmp_path):
    code = (
        "import atexit, gc\n"
        "from digit_recognizer.cli import run\n"
        "atexit.register(lambda: print('frozen' if gc.get_freeze_count() else 'not frozen'))\n"
        "run(lambda: 3)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip()) == (3, "frozen")
    frozen = gc.get_freeze_count()
    assert cli.main(["predict", str(tmp_path / "missing.png")]) == 1
    assert gc.get_freeze_count() == frozen  # in-process callers keep their garbage collector


def read_digit(mnist_dir, index):
    from digit_recognizer.data import load_mnist

    return load_mnist(mnist_dir).test_images[index]


def test_cli_bad_options_exit_before_training(tmp_path, capsys):
    assert cli.main(["train", "--epochs", "0"]) == 1
    assert "epochs must be at least 1" in capsys.readouterr().err
    assert cli.main(["train", "--recipe", "nope"]) == 1
    assert cli.main(["train", "--data-dir", str(tmp_path / "missing"), "--model-path", str(tmp_path / "m.h5")]) == 1
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "a-file").write_text("")
    for command in (["train", "--model-path", str(tmp_path / "m.h5")], ["evaluate"]):
        assert cli.main([*command, "--plots-dir", str(tmp_path / "a-file")]) == 1  # before any data is read
        assert f"the plots folder {tmp_path / 'a-file'} is a file" in capsys.readouterr().err
    assert cli.main(["predict", "--save-preprocessed", str(tmp_path / "a-file"), str(tmp_path / "m.h5")]) == 1
    assert "the --save-preprocessed folder" in capsys.readouterr().err
    assert not (tmp_path / "m.h5").exists()


def test_torchrun_trains_data_parallel_and_only_rank_0_writes(mnist_dir, tmp_path):
    model = tmp_path / "ddp.h5"
    run = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
         "-m", "digit_recognizer", "train", "--recipe", "fast", "--train-limit", "6000", "--epochs", "3",
         "--model-path", str(model), "--plots-dir", str(tmp_path / "plots"), "--data-dir", str(mnist_dir),
         "--device", "cpu"],  # gloo, also on a machine with a GPU
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.count("Epoch 3/3:") == 1  # one process reports
    assert run.stderr.count("Best model saved at") == 1
    meta = read_model_file(model).metadata
    assert meta["history"][-1]["val_accuracy"] > 0.8
    assert meta["metrics"]["test_accuracy"] > 0.8


def test_torchrun_with_more_processes_than_gpus_says_what_to_run(monkeypatch):
    import torch

    from digit_recognizer.train import _init_distributed

    monkeypatch.setenv("LOCAL_RANK", "1")  # the second process on a machine with one GPU
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(ConfigError) as error:
        _init_distributed(torch.device("cuda"))
    assert str(error.value) == (
        "torchrun started more processes on this machine than it has GPUs (1); NCCL needs one GPU per process: "
        "use --nproc_per_node 1, or --device cpu to train with gloo on the CPU"
    )


@pytest.mark.parametrize(
    "environment, message",
    [
        ({"WORLD_SIZE": "abc"}, "WORLD_SIZE must be a whole number, as torchrun sets it (got 'abc')"),
        ({"WORLD_SIZE": "0"}, "RANK=0 and WORLD_SIZE=0 do not fit (0 <= RANK < WORLD_SIZE)"),
        ({"RANK": "3", "WORLD_SIZE": "2"}, "RANK=3 and WORLD_SIZE=2 do not fit"),
        ({"WORLD_SIZE": "2"}, "distributed training, but RANK, MASTER_ADDR, MASTER_PORT are not set: start it with"),
    ],
)
def test_a_stray_distributed_environment_is_a_clear_error(environment, message, monkeypatch, capsys):
    """Until 2026-11-28: ValueError tracebacks (from int() or torch's rendezvous), or a slice step of 0."""
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["train", "--recipe", "fast", "--epochs", "1"]) == 1
    assert message in capsys.readouterr().err


def test_training_without_torch_says_what_to_install():
    code = "import sys; sys.modules['torch'] = None\nfrom digit_recognizer.cli import main\nsys.exit(main(['train']))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.strip() == (
        "ERROR: training needs torch, which is not installed: pip install 'handwritten-digit-recognizer[train]'"
    )


def test_train_one_digit_writes_a_two_class_model_with_its_test_accuracy(mnist_dir, tmp_path, capsys):
    path = tmp_path / "one.h5"
    argv = ["train-one-digit", "--pieces", "1200", "--epochs", "2", "--model-path", str(path)]
    assert cli.main([*argv, "--data-dir", str(mnist_dir)]) == 0
    out = capsys.readouterr().out
    assert "Epoch 2/2:" in out and "Test accuracy on pieces of MNIST test digits:" in out
    model_file = read_model_file(path)
    assert (model_file.arch, model_file.arch_params["classes"]) == ("fastnet", 2)
    assert model_file.class_names == ["not one digit", "one digit"]
    assert model_file.metadata["command"].startswith("digits train-one-digit --pieces 1200")
    accuracy = model_file.metadata["metrics"]["test_accuracy"]
    assert f"{accuracy:.4f}" in out and accuracy > 0.6  # two epochs on 1,080 pieces: better than a coin

    from digit_recognizer.recognizer import ONE_DIGIT_CLASSES, Recognizer

    probabilities = Recognizer.load(path, classes=ONE_DIGIT_CLASSES).probabilities(np.zeros((3, 28, 28), np.uint8))
    assert probabilities.shape == (3, 2) and np.allclose(probabilities.sum(1), 1, atol=1e-5)


def test_train_one_digit_refuses_bad_settings_before_cutting_pieces(tmp_path, capsys):
    assert cli.main(["train-one-digit", "--pieces", "10", "--model-path", str(tmp_path / "m.h5")]) == 1
    assert "--pieces must be at least 100" in capsys.readouterr().err
    assert cli.main(["train-one-digit", "--epochs", "0", "--model-path", str(tmp_path / "m.h5")]) == 1
    assert "epochs must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "m.h5").exists()
