"""Fine-tuning on your own handwriting: a user's labelled images → a model adapted to them.

The pre-trained base is our own MNIST model (the bundled one by default). The user's images go
through the same preprocessing as at prediction time, and training uses the augmentation and label
smoothing the base model was trained with (recorded in its file); a quarter of the user's images is
held out to measure accuracy before and after. Every batch mixes the user's digits with MNIST ones
(replay), so the model keeps what it knew. Where learning a writer far from MNIST still costs more
than ``max_mnist_drop`` of MNIST validation accuracy, the fine-tuned weights are blended back towards
the base's until it does not (WiSE-FT, Wortsman et al. 2022). Validation is the base model's own
split, which neither the base nor the replay trains on; MNIST test accuracy is only reported.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .augment import Augment
from .checkpoint import ModelFile
from .data import Mnist
from .errors import DataError, DigitsError
from .labelled import list_labelled
from .models import export_onnx, network_from_file, normalize_, predict_proba, state_arrays, to_tensor
from .recognizer import prepare_many
from .train import recorded_split

log = logging.getLogger(__name__)


@dataclass
class FinetuneConfig:
    steps: int = 300
    batch_size: int = 64
    lr: float = 0.01  # a tenth of training's: adapt, don't forget
    holdout: float = 0.25  # share of the user's images kept aside to measure before/after
    mnist_share: float = 0.5  # share of every batch drawn from MNIST (replay)
    min_images: int = 10
    seed: int = 0
    # None: what the base model was trained with, from its file; FALLBACK_* when the file does not say.
    augment: Augment | None = None
    label_smoothing: float | None = None
    # Most MNIST validation accuracy fine-tuning may cost (0.002: 0.2 points); beyond it the weights are
    # blended back towards the base's, in steps of BLEND_STEP.
    max_mnist_drop: float = 0.002


BLEND_STEP = 0.1


FALLBACK_AUGMENT = Augment(rotation=10, shift=0.08, zoom=0.1, shear=0.1, elastic=1.0)
FALLBACK_LABEL_SMOOTHING = 0.0


def load_user_images(source) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The user's images as MNIST-style 28×28 arrays and labels, and a line per image that was unusable."""
    images, labels, problems = [], [], []
    pairs = list_labelled(source)
    for (path, label), prepared in zip(pairs, prepare_many([path for path, _ in pairs])):
        if isinstance(prepared, DigitsError):
            problems.append(f"{path}: {prepared}")
            continue
        if prepared.image is None:
            problems.append(f"{path}: {prepared.reason}")
            continue
        images.append(prepared.image)
        labels.append(label)
    return np.array(images, np.uint8).reshape(-1, 28, 28), np.array(labels, np.int64), problems


def check_user_images(labels: np.ndarray, problems: list[str], config: FinetuneConfig) -> list[str]:
    """Refuse too few images; return warnings (unusable files, digits with no examples)."""
    warnings = [f"skipped {len(problems)} unusable image(s):", *(f"  {p}" for p in problems)] if problems else []
    if len(labels) < config.min_images:
        detail = f" ({len(problems)} more could not be used: {'; '.join(problems[:5])})" if problems else ""
        raise DataError(
            f"only {len(labels)} usable labelled image(s){detail}; fine-tuning needs at least {config.min_images}, "
            "some of which are held out to measure the result"
        )
    missing = sorted(set(range(10)) - set(labels.tolist()))
    if missing:
        warnings.append(
            f"no examples of digit(s) {', '.join(map(str, missing))}: the model learns nothing new about them"
        )
    return warnings


def finetune(
    base: ModelFile, images: np.ndarray, labels: np.ndarray, mnist: Mnist, config: FinetuneConfig
) -> tuple[ModelFile, dict]:
    """Adapt ``base`` to the user's images; returns the new model file and a before/after report."""
    rng = np.random.default_rng(config.seed)
    order = rng.permutation(len(labels))
    n_held = max(1, int(round(config.holdout * len(labels))))
    held, train = order[:n_held], order[n_held:]
    torch.manual_seed(config.seed)
    gen = torch.Generator().manual_seed(config.seed)
    model = network_from_file(base)
    x_replay, y_replay, x_val, y_val = recorded_split(base, mnist)
    if not len(y_val):
        raise DigitsError(
            "the base model was trained on all 60,000 MNIST training images (--val-size 0), so none are left "
            "to check that fine-tuning keeps its MNIST accuracy; start from a model trained with a validation split"
        )
    before = _report(model, images[held], labels[held], mnist, _accuracy(model, x_val, y_val))

    user_x = to_tensor(images[train], normalize=False)
    user_y = torch.from_numpy(labels[train])
    mnist_x = to_tensor(x_replay, normalize=False)
    mnist_y = torch.from_numpy(y_replay.astype(np.int64))
    augment, label_smoothing = training_settings(base, config)
    n_mnist = int(config.batch_size * config.mnist_share)
    n_user = config.batch_size - n_mnist
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    model.train()
    for step in range(config.steps):
        for group in optimizer.param_groups:  # cosine decay to zero
            group["lr"] = config.lr * 0.5 * (1 + math.cos(math.pi * step / config.steps))
        ui = torch.randint(len(user_y), (n_user,), generator=gen)
        mi = torch.randint(len(mnist_y), (n_mnist,), generator=gen)
        y = torch.cat([user_y[ui], mnist_y[mi]])
        x = normalize_(augment(torch.cat([user_x[ui], mnist_x[mi]]), gen, y))
        loss = F.cross_entropy(model(x), y, label_smoothing=label_smoothing)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    model.eval()
    blend, val_after = keep_mnist(model, base, x_val, y_val, before["mnist_val_accuracy"] - config.max_mnist_drop)
    after = _report(model, images[held], labels[held], mnist, val_after)
    report = {
        "user_images": len(labels),
        "held_out": int(n_held),
        "steps": config.steps,
        "max_mnist_drop": config.max_mnist_drop,
        "blend": blend,
        "before": before,
        "after": after,
    }
    metadata = {
        **base.metadata,
        "finetune": report,
        "metrics": {
            "val_accuracy": after["mnist_val_accuracy"],
            "test_accuracy": after["mnist_test_accuracy"],
            "held_out_accuracy": after["held_out_accuracy"],
        },
    }
    model_file = ModelFile(base.arch, base.arch_params, state_arrays(model), metadata, onnx=export_onnx(model))
    return model_file, report


def training_settings(base: ModelFile, config: FinetuneConfig) -> tuple[Augment, float]:
    """The augmentation and label smoothing to fine-tune with: the config's, else the base model's own.

    Fine-tuning with another loss and augmentation than the base was trained with moves it further from
    what it knew: adapted to the simulated writers of benchmarks/finetune.py, the bundled model kept
    more of its MNIST validation accuracy with its own settings than with the fallbacks.
    """
    trained = base.metadata.get("config", {})
    augment = config.augment or (Augment(**trained["augment"]) if "augment" in trained else FALLBACK_AUGMENT)
    smoothing = config.label_smoothing
    if smoothing is None:
        smoothing = trained.get("label_smoothing", FALLBACK_LABEL_SMOOTHING)
    return augment, smoothing


def keep_mnist(model: torch.nn.Module, base: ModelFile, x_val, y_val, floor: float) -> tuple[float, float]:
    """Blend the fine-tuned ``model`` back towards ``base``, in place, until its MNIST validation accuracy
    is at least ``floor``; returns the fine-tuned weights' share (1: unchanged, 0: the base itself) and
    that accuracy.

    Fine-tuned from the base, the two sets of weights (BatchNorm statistics included) usually lie
    in one basin, so the points on the line between them are sound models that trade the user's
    handwriting for MNIST (WiSE-FT)."""
    tuned = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    start = network_from_file(base).state_dict()
    share, accuracy = 1.0, _accuracy(model, x_val, y_val)
    while accuracy < floor - 1e-9 and share > 0:  # the tolerance: floor is a difference of floats
        share = max(0.0, round(share - BLEND_STEP, 6))
        model.load_state_dict({name: _mix(start[name], tuned[name], share) for name in tuned})
        accuracy = _accuracy(model, x_val, y_val)
    return share, accuracy


def _mix(base: torch.Tensor, tuned: torch.Tensor, share: float) -> torch.Tensor:
    return torch.lerp(base, tuned, share) if tuned.is_floating_point() else tuned


def _accuracy(model, images: np.ndarray, labels: np.ndarray) -> float:
    return float((predict_proba(model, images).argmax(1) == labels).mean())


def _report(model, held_images, held_labels, mnist: Mnist, val_accuracy: float) -> dict:
    return {
        "held_out_accuracy": _accuracy(model, held_images, held_labels) if len(held_labels) else None,
        "mnist_val_accuracy": val_accuracy,
        "mnist_test_accuracy": _accuracy(model, mnist.test_images, mnist.test_labels),
    }
