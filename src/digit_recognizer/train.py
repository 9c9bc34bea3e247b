"""The training loop: arrays → augmentation → model → best-on-validation HDF5 checkpoint.

One flat loop per epoch: shuffle → (augment → forward → backward → step → schedule → weight average)
per batch → validate → checkpoint if best → early-stop check → log. The test set is never looked at here.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import os
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import swa_utils

from . import __version__
from .augment import Augment
from .checkpoint import ModelFile, read_model_file, write_model_file
from .data import Mnist
from .errors import ConfigError
from .models import (
    ARCHITECTURES,
    build_model,
    export_onnx,
    network_from_file,
    normalize_,
    predict_logits,
    state_arrays,
    to_tensor,
)

log = logging.getLogger(__name__)


PRECISIONS = ("fp32", "bf16")
# sgd: SGD with Nesterov momentum under a one-cycle schedule peaking at ``lr``. adam: Adam from ``lr``,
# decaying by ADAM_DECAY an epoch (An et al. 2020: 0.001, 0.98; here smoothly, step by step).
OPTIMIZERS = ("sgd", "adam")
ADAM_DECAY = 0.98


@dataclass
class TrainConfig:
    """Every training default, written once. Recipes below override some of them."""

    arch: str = "cnn"
    arch_params: dict = field(default_factory=dict)
    epochs: int = 30
    batch_size: int = 128
    optimizer: str = "sgd"  # see OPTIMIZERS
    lr: float = 0.1  # sgd: peak of the one-cycle schedule; adam: the starting rate
    weight_decay: float = 5e-4
    label_smoothing: float = 0.1
    ema: float = 0.0  # decay of a moving average of the weights, updated every step; it is what is validated and saved
    augment: Augment = field(default_factory=Augment)
    precision: str = "fp32"  # bf16: forward and loss under bfloat16 autocast (weights, optimiser and EMA stay float32)
    val_size: int = 5000  # carved from the 60,000 training images; chooses the best epoch (0: none, keep the last)
    patience: int = 10  # epochs without a better validation score before stopping (never, without validation)
    seed: int = 0
    split_seed: int | None = None  # draws the validation split; None: ``seed`` does (members sharing one set it)
    device: str = "auto"
    train_limit: int = 0  # use only the first N training images (0: all); for quick tests
    model_path: str = "models/digit_recognizer_model.h5"
    recipe: str = "custom"

    def check(self) -> None:
        if self.arch not in ARCHITECTURES:
            raise ConfigError(f"unknown architecture {self.arch!r}; choose one of: {', '.join(sorted(ARCHITECTURES))}")
        settable = inspect.signature(ARCHITECTURES[self.arch]).parameters
        if unknown := [name for name in self.arch_params if name not in settable]:
            raise ConfigError(f"architecture {self.arch} has no {', '.join(unknown)} to set")
        if "width" in self.arch_params and not (isinstance(width := self.arch_params["width"], int) and width >= 1):
            raise ConfigError(f"the width must be a whole number of channels, at least 1 (got {width})")
        if self.epochs < 1:
            raise ConfigError(f"epochs must be at least 1 (got {self.epochs})")
        if self.batch_size < 1:
            raise ConfigError(f"batch size must be at least 1 (got {self.batch_size})")
        if not 0 < self.lr < math.inf:
            raise ConfigError(f"the learning rate must be a positive number (got {self.lr})")
        if not 0 <= self.weight_decay < math.inf:
            raise ConfigError(f"weight decay must not be negative (got {self.weight_decay})")
        if self.patience < 1:
            raise ConfigError(f"patience must be at least 1 epoch (got {self.patience})")
        if self.train_limit < 0:
            raise ConfigError(f"the training-image limit must not be negative (got {self.train_limit}; 0: all)")
        if not 0 <= self.label_smoothing < 1:
            raise ConfigError(f"label smoothing must be in [0, 1) (got {self.label_smoothing})")
        if not 0 <= self.ema < 1:
            raise ConfigError(f"the EMA decay must be in [0, 1) (got {self.ema})")
        if self.val_size < 0:
            raise ConfigError(f"the validation split must not be negative (got {self.val_size}; 0: none)")
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"unknown optimizer {self.optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
        if self.precision not in PRECISIONS:
            raise ConfigError(f"unknown precision {self.precision!r}; choose one of: {', '.join(PRECISIONS)}")
        self.augment.check()
        check_seed(self.seed, "the seed")
        if self.split_seed is not None:
            check_seed(self.split_seed, "the split seed")


def check_seed(seed: int, what: str) -> None:
    """A seed that numpy and torch both take: a whole number from 0 to 2**63 - 1 (numpy refuses negative
    seeds, torch those over 64 bits)."""
    if not 0 <= seed < 2**63:
        raise ConfigError(f"{what} must be a whole number from 0 to 2**63 - 1 (got {seed})")


def parse_augment(spec: str, base: Augment) -> Augment:
    """``base`` with the strengths named in ``spec`` ("rotation=20,shift=0.2,elastic=0") replaced."""
    names = [f.name for f in fields(Augment)]
    values = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, value = item.partition("=")
        name = name.strip()
        if name not in names or not value:
            raise ConfigError(f"bad augmentation {item!r}: write NAME=VALUE with NAME one of {', '.join(names)}")
        try:
            values[name] = int(value) if name == "elastic_grid" else float(value)
        except ValueError:
            raise ConfigError(f"bad augmentation {item!r}: {value.strip()!r} is not a number") from None
    return replace(base, **values)


RECIPES: dict[str, dict] = {
    # The accuracy recipe: the seed's CNN with strong augmentation, chosen on validation only.
    "default": dict(
        arch="cnn",
        arch_params={"hidden": 128, "dropout": 0.15},  # 128 units: weights + ONNX graph stay under 5 MB
        epochs=34,
        patience=34,  # a one-cycle schedule must finish annealing; stopping at a noisy early best cuts it
        batch_size=128,
        lr=0.05,
        label_smoothing=0.1,
        ema=0.999,  # validate and keep a moving average of the weights over the last ~1,000 steps
        augment=Augment(rotation=10, shift=0.08, zoom=0.1, shear=0.1, elastic=0.6, thickness=0.1),
    ),
    # Shortest wall time to 99 %: one epoch of a strided net, no augmentation.
    "fast": dict(
        arch="fastnet",
        epochs=1,
        batch_size=64,
        lr=0.1,
        label_smoothing=0.1,
        augment=Augment(rotation=0, shift=0, zoom=0, shear=0, elastic=0),
    ),
}


def recipe_config(
    recipe: str = "default", augment: str | None = None, width: int | None = None, **overrides
) -> TrainConfig:
    """The configuration of ``recipe``, with any explicitly given values on top; ``augment`` changes
    some of the recipe's augmentation strengths (see ``parse_augment``), ``width`` the channels of
    the architecture's first layer (the others scale with it)."""
    if recipe not in RECIPES:
        raise ConfigError(f"unknown recipe {recipe!r}; choose one of: {', '.join(RECIPES)}")
    values = {**RECIPES[recipe], **{k: v for k, v in overrides.items() if v is not None}}
    if augment:
        values["augment"] = parse_augment(augment, values.get("augment", Augment()))
    if width is not None:
        values["arch_params"] = {**values.get("arch_params", {}), "width": width}
    config = replace(TrainConfig(recipe=recipe), **values)
    config.check()
    return config


def select_device(name: str = "auto") -> torch.device:
    """CUDA > MPS > CPU, unless a device is named."""
    if name != "auto":
        try:
            device = torch.device(name)
            torch.empty(1, device=device)
        except (RuntimeError, AssertionError) as exc:
            raise ConfigError(f"device {name!r} is not available here ({exc})") from exc
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def native_bf16(device: torch.device | str = "cpu") -> bool:
    """Whether ``device`` has fast bfloat16 kernels. On a CPU for which oneDNN has none (one without
    AVX-512, say) bf16 autocast is many times slower than float32 (see benchmarks/train_step.py); so is
    it on a GPU older than NVIDIA's Ampere, which only emulates bfloat16."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported(including_emulation=False)
    if device.type != "cpu":
        return True
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a build without oneDNN: no fast bf16 path on the CPU either
        return False


def split_train_val(mnist: Mnist, config: TrainConfig) -> tuple[np.ndarray, ...]:
    """A seeded split of the training images into train and validation parts (drawn by ``split_seed``,
    else by ``seed``)."""
    split_seed = config.seed if config.split_seed is None else config.split_seed
    order = np.random.default_rng(split_seed).permutation(len(mnist.train_labels))
    val, train = order[: config.val_size], order[config.val_size :]
    if config.train_limit:
        train = train[: config.train_limit]
    return (mnist.train_images[train], mnist.train_labels[train], mnist.train_images[val], mnist.train_labels[val])


def recorded_split(model_file: ModelFile, mnist: Mnist) -> tuple[np.ndarray, ...]:
    """The split ``model_file`` was trained on, drawn again from the seeds and size its configuration
    records (training's defaults where it records none)."""
    trained = model_file.metadata.get("config", {})
    keys = ("seed", "split_seed", "val_size")
    return split_train_val(mnist, TrainConfig(**{key: trained[key] for key in keys if key in trained}))


@dataclass
class EpochStats:
    epoch: int
    epochs: int
    loss: float
    accuracy: float
    val_loss: float | None  # None: trained without a validation split (val_size 0)
    val_accuracy: float | None
    lr: float
    seconds: float
    best: bool = False


@dataclass
class TrainResult:
    model: nn.Module
    model_file: ModelFile
    history: list[EpochStats]
    best_epoch: int
    interrupted: bool = False
    rank: int = 0  # under torchrun, only rank 0 writes files and reports


def world() -> tuple[int, int]:
    """(rank, world size) as set by torchrun; (0, 1) for a plain run. A stray or half-set environment
    (WORLD_SIZE left over from another job) is a clear error, not a traceback from the rendezvous."""
    rank, size = _environ_int("RANK", 0), _environ_int("WORLD_SIZE", 1)
    if not 0 <= rank < size:
        raise ConfigError(f"RANK={rank} and WORLD_SIZE={size} do not fit (0 <= RANK < WORLD_SIZE)")
    if size > 1 and (missing := [name for name in ("RANK", "MASTER_ADDR", "MASTER_PORT") if name not in os.environ]):
        raise ConfigError(
            f"WORLD_SIZE={size} asks for distributed training, but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set: start it "
            "with torchrun (the README's 'Distributed training'), or unset WORLD_SIZE"
        )
    return rank, size


def _environ_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, as torchrun sets it (got {os.environ[name]!r})") from None


def _init_distributed(device: torch.device) -> torch.device:
    """Join the process group: NCCL with one GPU per process, gloo on CPU."""
    import torch.distributed as dist

    if device.type == "cuda":
        local_rank, gpus = _environ_int("LOCAL_RANK", 0), torch.cuda.device_count()
        if local_rank >= gpus:
            raise ConfigError(
                f"torchrun started more processes on this machine than it has GPUs ({gpus}); NCCL needs one GPU "
                f"per process: use --nproc_per_node {gpus}, or --device cpu to train with gloo on the CPU"
            )
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device


@contextmanager
def _deterministic(device: torch.device) -> Iterator[None]:
    """The same seed trains the same weights on a GPU too, as it does on a CPU: for the run cuDNN uses
    deterministic convolution algorithms only (its fastest backward passes add up in a varying order)."""
    if device.type != "cuda":
        yield
        return
    cudnn = torch.backends.cudnn
    saved = cudnn.deterministic, cudnn.benchmark
    cudnn.deterministic, cudnn.benchmark = True, False
    try:
        yield
    finally:
        cudnn.deterministic, cudnn.benchmark = saved


def _score(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    logits = predict_logits(model, x)
    return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def train(
    config: TrainConfig,
    mnist: Mnist,
    on_epoch: Callable[[EpochStats], None] | None = None,
    resume: bool = False,
) -> TrainResult:
    """Train ``config.arch`` on MNIST; the best epoch on validation (the last one, without a validation
    split) is saved to ``config.model_path``."""
    config.check()
    check_writable(Path(config.model_path))
    device = select_device(config.device)
    rank, size = world()
    if size > 1:
        device = _init_distributed(device)
    try:
        with _deterministic(device):
            return _train(config, mnist, on_epoch, resume, device, rank, size)
    finally:
        if size > 1:
            torch.distributed.destroy_process_group()


def _train(config, mnist, on_epoch, resume, device, rank, size) -> TrainResult:
    if config.precision == "bf16" and device.type not in ("cpu", "cuda"):
        raise ConfigError(f"bf16 training runs on CPU or CUDA, not on {device.type}")
    if config.precision == "bf16" and not native_bf16(device) and rank == 0:
        log.warning(
            "This %s has no fast bfloat16 kernels, so --precision bf16 trains many times slower than fp32 "
            "here; use --precision fp32 unless the run must match bf16 ones",
            "GPU" if device.type == "cuda" else "CPU",
        )
    torch.manual_seed(config.seed)
    gen = torch.Generator(device=device).manual_seed(config.seed)

    # ---- data: all of it on the device (MNIST is ~200 MB as float32). Training images stay in [0, 1]
    # so that augmentation pads with true background; they are normalised batch by batch.
    x_train, y_train, x_val, y_val = split_train_val(mnist, config)
    if len(y_train) < 2:  # BatchNorm needs two images to a batch
        if config.train_limit and config.train_limit < 2:  # the limit, not the split, left too few
            raise ConfigError(f"--train-limit {config.train_limit} is too few: a batch needs at least 2 images")
        raise ConfigError(
            f"a validation split of {config.val_size} leaves {len(y_train)} of the {len(mnist.train_labels)} "
            "training images to train on; hold out fewer (--val-size)"
        )
    x, y = to_tensor(x_train, device, normalize=False), torch.from_numpy(y_train).long().to(device)
    xv, yv = to_tensor(x_val, device), torch.from_numpy(y_val).long().to(device)
    steps_per_epoch = math.ceil(len(y) / config.batch_size)

    # ---- model, optimiser, schedule
    model = build_model(config.arch, **config.arch_params).to(device).to(memory_format=torch.channels_last)
    # Data-parallel: every process sees the same shuffled order and takes its share of each batch;
    # DistributedDataParallel averages the gradients, so the steps match a single process's.
    net = nn.parallel.DistributedDataParallel(model) if size > 1 else model
    optimizer, schedule = _optimizer(model, config, steps_per_epoch)
    history: list[EpochStats] = []
    start_epoch = 0
    if resume:
        start_epoch, history = _resume(model, schedule, config, steps_per_epoch)
    # The weights that are validated, checkpointed and returned: an exponential moving average of the
    # trained ones (BatchNorm statistics included) when config.ema > 0, else the trained ones themselves.
    # On --resume the saved (averaged) weights are where both the training and a fresh average restart.
    ema = None
    if config.ema:
        ema = swa_utils.AveragedModel(model, multi_avg_fn=_ema_average(config.ema), use_buffers=True)
    kept = model if ema is None else ema.module
    best = max(history, key=_rank, default=None)
    best_state = {k: v.clone() for k, v in kept.state_dict().items()}
    meta = {"data_checksum": mnist.checksum(), "train_images": len(y), "val_images": len(yv)}

    interrupted = False
    earlier = rank == 0 and not resume and Path(config.model_path).exists()  # another run's model
    for epoch in range(start_epoch, config.epochs):
        try:
            stats = _run_epoch(net, optimizer, schedule, (x, y, xv, yv), config, gen, epoch, (rank, size), ema)
            history.append(stats)
            if best is None or _rank(stats) > _rank(best):
                stats.best, best = True, stats
                best_state = {k: v.detach().clone() for k, v in kept.state_dict().items()}
                if rank == 0:
                    if earlier:  # replaced only now that this run has something better than nothing
                        _keep_earlier(Path(config.model_path))
                        earlier = False
                    save_checkpoint(kept, config, history, meta)
            if on_epoch and rank == 0:
                on_epoch(stats)
        except KeyboardInterrupt:  # Ctrl-C: the checkpoint on disk is the best epoch so far, untouched
            log.warning("Interrupted: keeping the best checkpoint (epoch %s)", best.epoch if best else "none")
            interrupted = True
            break
        if epoch + 1 - best.epoch >= config.patience:
            log.info("Early stopping: no better validation accuracy for %d epochs", config.patience)
            break

    if best is None:  # interrupted before the first epoch ended: nothing to keep
        raise KeyboardInterrupt
    # EarlyStopping(restore_best_weights=True): the returned model is the saved one.
    model.load_state_dict(best_state)
    model.eval()
    if rank == 0:
        model_file = read_model_file(config.model_path)
        model_file.onnx = export_onnx(model)  # the final file also carries the graph for torch-free inference
        write_model_file(config.model_path, model_file)
        model.to(device, memory_format=torch.channels_last)
    if size > 1:
        torch.distributed.barrier()
    return TrainResult(model, read_model_file(config.model_path), history, best.epoch, interrupted, rank)


def _ema_average(decay: float):
    """Exponential moving average whose decay warms up as (1 + n) / (10 + n), so early epochs are not
    dominated by the random initial weights. It updates all of a model's tensors of one dtype at once
    (``AveragedModel``'s ``multi_avg_fn``): a few foreach kernels per step instead of several per
    tensor, which on a GPU was most of a small model's step. Integer buffers (BatchNorm's batch
    counters) take the model's value."""

    @torch.no_grad()
    def average(averaged: list[torch.Tensor], current: list[torch.Tensor], n: torch.Tensor) -> None:
        if not averaged[0].is_floating_point():
            torch._foreach_copy_(averaged, current)
            return
        d = ((1 + n) / (10 + n)).clamp(max=decay).to(averaged[0].dtype)
        torch._foreach_mul_(averaged, d)  # averaged * d + current * (1 - d), in that order
        torch._foreach_add_(averaged, torch._foreach_mul(current, 1 - d))

    return average


def _optimizer(model: nn.Module, config: TrainConfig, steps_per_epoch: int):
    """The optimiser and its learning-rate schedule, which is stepped after every batch."""
    if config.optimizer == "adam":
        # fused on a GPU: one kernel for all the weights, where a small model's step waits on launches
        fused = next(model.parameters()).is_cuda
        optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay, fused=fused)
        decay = ADAM_DECAY ** (1 / steps_per_epoch)
        return optimizer, torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=decay)
    optimizer = torch.optim.SGD(
        model.parameters(), lr=config.lr, momentum=0.9, nesterov=True, weight_decay=config.weight_decay
    )
    total_steps = config.epochs * steps_per_epoch
    # A fifth of the steps warm up to the peak; torch's OneCycleLR divides by zero when that is exactly one
    # step (five in all), so such a run warms up over two.
    warm_up = 0.2 if 0.2 * total_steps != 1 else 2 / total_steps
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=config.lr, total_steps=total_steps, pct_start=warm_up
    )
    return optimizer, schedule


def _rank(stats: EpochStats) -> tuple[float, float]:
    """Higher is better: validation accuracy, then lower validation loss; without a validation split,
    the later epoch (so the last one is kept and early stopping never fires)."""
    if stats.val_accuracy is None:
        return (stats.epoch, 0.0)
    return (stats.val_accuracy, -stats.val_loss)


def _run_epoch(
    net, optimizer, schedule, tensors, config: TrainConfig, gen, epoch: int, place=(0, 1), ema=None
) -> EpochStats:
    """One pass over the training images, then a validation pass if there is a validation split
    (``place``: rank, world size).

    With ``ema`` (an AveragedModel), the average is updated after every step and is what is validated.
    """
    from tqdm import tqdm

    x, y, xv, yv = tensors
    rank, size = place
    model = net.module if size > 1 else net
    t0 = time.perf_counter()
    net.train()
    order = torch.randperm(len(y), device=x.device, generator=gen)
    total_loss = torch.zeros((), device=x.device)
    correct = torch.zeros((), device=x.device, dtype=torch.long)
    batches = range(0, len(y), config.batch_size)
    desc = f"Epoch {epoch + 1}/{config.epochs}"
    seen = 0
    for start in tqdm(batches, desc=desc, unit="batch", leave=False, disable=None if rank == 0 else True):
        idx = order[start : start + config.batch_size]
        if len(idx) < 2 * size:  # a last batch too small for BatchNorm on every process: skip it everywhere
            continue
        idx = idx[rank::size]
        xb, yb = normalize_(config.augment(x[idx], gen, y[idx])), y[idx]
        with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=config.precision == "bf16"):
            logits = net(xb)
            loss = F.cross_entropy(logits, yb, label_smoothing=config.label_smoothing)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        if ema is not None:
            ema.update_parameters(model)
        total_loss += loss.detach() * len(yb)
        correct += (logits.argmax(1) == yb).sum()
        seen += len(yb)
    val_loss, val_acc = _score(ema.module if ema is not None else model, xv, yv) if len(yv) else (None, None)
    return EpochStats(
        epoch=epoch + 1,
        epochs=config.epochs,
        loss=total_loss.item() / seen,
        accuracy=correct.item() / seen,
        val_loss=val_loss,
        val_accuracy=val_acc,
        lr=schedule.get_last_lr()[0],
        seconds=time.perf_counter() - t0,
    )


def save_checkpoint(model: nn.Module, config: TrainConfig, history: list[EpochStats], meta: dict) -> Path:
    """Write the current weights with everything needed to rebuild and judge them."""
    best = history[-1]
    config_dict = asdict(config)
    metadata = {
        **meta,
        "config": config_dict,
        "epoch": best.epoch,
        "metrics": {"val_accuracy": best.val_accuracy, "val_loss": best.val_loss},
        "history": [asdict(h) for h in history],
        "package_version": __version__,
        "torch_version": torch.__version__,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    model_file = ModelFile(config.arch, dict(config.arch_params), state_arrays(model), metadata)
    return write_model_file(config.model_path, model_file)


def _keep_earlier(path: Path) -> None:
    """Move the model an earlier run left at ``path`` to NAME.previous.SUFFIX (replacing an older one
    there), so that a new run, however short or interrupted, never destroys a trained model."""
    backup = path.with_name(f"{path.stem}.previous{path.suffix}")
    try:
        os.replace(path, backup)
    except OSError as exc:
        raise ConfigError(f"cannot keep the earlier model {path} as {backup} ({exc.strerror or exc})") from exc
    log.info("%s held a model from an earlier run: it is kept as %s", path, backup)


def _resume(model, schedule, config: TrainConfig, steps_per_epoch: int) -> tuple[int, list[EpochStats]]:
    """Continue from the checkpoint at ``model_path``: its weights, history and place in the schedule."""
    model_file = read_model_file(config.model_path)
    saved = model_file.metadata.get("config", {})
    optimizer = saved.get("optimizer", "sgd")  # files from before --optimizer trained with SGD
    found = (model_file.arch, model_file.arch_params, saved.get("epochs"), saved.get("val_size"), optimizer)
    arch_params = json.loads(json.dumps(config.arch_params))  # as stored
    if found != (config.arch, arch_params, config.epochs, config.val_size, config.optimizer):
        sized = "".join(f" {name}={value}" for name, value in model_file.arch_params.items())
        raise ConfigError(
            f"--resume needs the same architecture, size, epochs, validation split and optimizer as the checkpoint "
            f"({model_file.arch}{sized}, {saved.get('epochs')} epochs, {saved.get('val_size')} validation images, "
            f"{optimizer})"
        )
    model.load_state_dict(network_from_file(model_file).state_dict())
    epoch = int(model_file.metadata["epoch"])
    with warnings.catch_warnings():  # stepping the schedule without optimiser steps is the point here
        warnings.simplefilter("ignore", UserWarning)
        for _ in range(epoch * steps_per_epoch):
            schedule.step()
    history = [EpochStats(**h) for h in model_file.metadata["history"] if h["epoch"] <= epoch]
    log.info("Resuming after epoch %d of %d from %s", epoch, config.epochs, config.model_path)
    return epoch, history


def check_writable(path: Path) -> None:
    """Fail before training, not after it, when the model cannot be saved."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the folder for the model, {folder} ({exc.strerror or exc})") from exc
    if path.is_dir() or not _can_write(folder) or (path.exists() and not _can_write(path)):
        raise ConfigError(f"cannot write the model to {path}")


def _can_write(path: Path) -> bool:
    return os.access(path, os.W_OK)
