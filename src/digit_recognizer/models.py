"""Network architectures, registered by name: a new architecture is one decorated function.

Every network takes a batch of normalised 28×28 images, shape (N, 1, 28, 28), and returns (N, 10) logits
(``fastnet`` with ``classes=2`` is the one-digit model's network: see one_digit.py).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from .checkpoint import MNIST_MEAN, MNIST_STD, ModelFile
from .errors import ConfigError, ModelFileError

ARCHITECTURES: dict[str, Callable[..., nn.Module]] = {}


def register(name: str):
    def wrap(builder: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        ARCHITECTURES[name] = builder
        return builder

    return wrap


def build_model(arch: str, **params) -> nn.Module:
    """Build ``arch`` with its hyper-parameters (those stored in the model file)."""
    if arch not in ARCHITECTURES:
        raise ConfigError(f"unknown architecture {arch!r}; choose one of: {', '.join(sorted(ARCHITECTURES))}")
    try:
        return ARCHITECTURES[arch](**params)
    except TypeError as exc:
        raise ConfigError(f"bad hyper-parameters for {arch}: {exc}") from exc


def conv_bn(c_in: int, c_out: int, kernel: int = 3, padding: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel, padding=padding, bias=False), nn.BatchNorm2d(c_out), nn.ReLU())


@register("cnn")
def cnn(width: int = 32, hidden: int = 256, dropout: float = 0.25) -> nn.Module:
    """The seed's Keras CNN: two blocks of Conv2D/BatchNorm ×2 → MaxPool → Dropout, then Dense layers."""
    w = width
    return nn.Sequential(
        conv_bn(1, w), conv_bn(w, w), nn.MaxPool2d(2), nn.Dropout(dropout),  # 14×14
        conv_bn(w, 2 * w), conv_bn(2 * w, 2 * w), nn.MaxPool2d(2), nn.Dropout(dropout),  # 7×7
        nn.Flatten(),
        nn.Linear(2 * w * 7 * 7, hidden, bias=False), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(2 * dropout),
        nn.Linear(hidden, 10),
    )  # fmt: skip


@register("lenet5")
def lenet5() -> nn.Module:
    """LeCun et al. 1998, with ReLU and max-pooling in place of the scaled tanh and sub-sampling."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # 14×14
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),  # 5×5
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )  # fmt: skip


class Residual(nn.Module):
    """Two 3×3 conv/BN layers with an identity shortcut."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            conv_bn(channels, channels),
            nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x + self.body(x))


@register("resnet")
def resnet(width: int = 32, dropout: float = 0.1) -> nn.Module:
    """A small residual net: three stages (28×28, 14×14, 7×7), each a widening conv and a residual block."""
    w = width
    return nn.Sequential(
        conv_bn(1, w), Residual(w), nn.MaxPool2d(2),
        conv_bn(w, 2 * w), Residual(2 * w), nn.MaxPool2d(2),
        conv_bn(2 * w, 4 * w), Residual(4 * w),
        nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Dropout(dropout),
        nn.Linear(4 * w, 10),
    )  # fmt: skip


@register("fastnet")
def fastnet(channels: tuple[int, int, int] = (16, 32, 96), classes: int = 10) -> nn.Module:
    """A net for the fast recipe: a strided first conv keeps the FLOPs at 28×28 low; capacity sits at 7×7."""
    a, b, c = channels
    return nn.Sequential(
        nn.Conv2d(1, a, 5, stride=2, padding=2, bias=False), nn.BatchNorm2d(a), nn.ReLU(),  # 14×14
        conv_bn(a, b), nn.MaxPool2d(2),  # 7×7
        conv_bn(b, c), nn.MaxPool2d(2),  # 3×3
        nn.Flatten(), nn.Linear(c * 9, classes),
    )  # fmt: skip


@register("m5")
def m5(width: int = 16) -> nn.Module:
    """No padding, no pooling: five unpadded 5×5 conv/BN layers shrink 28×28 to 8×8 (An et al. 2020,
    "An Ensemble of Simple Convolutional Neural Network Models for MNIST Digit Recognition", model M5,
    which has ``width=32``). Its wider kernels make it an ensemble member of another kind than ``cnn``
    and ``resnet``."""
    w = width
    return nn.Sequential(
        conv_bn(1, w, 5, 0), conv_bn(w, 2 * w, 5, 0), conv_bn(2 * w, 3 * w, 5, 0),  # 16×16
        conv_bn(3 * w, 4 * w, 5, 0), conv_bn(4 * w, 5 * w, 5, 0),  # 8×8
        nn.Flatten(),
        nn.Linear(5 * w * 8 * 8, 10, bias=False), nn.BatchNorm1d(10),
    )  # fmt: skip


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def state_arrays(model: nn.Module) -> dict[str, np.ndarray]:
    """The model's weights and buffers as numpy arrays, ready for a model file."""
    return {name: tensor.detach().cpu().numpy().copy() for name, tensor in model.state_dict().items()}


def network_from_file(model_file: ModelFile) -> nn.Module:
    """Rebuild the network a model file describes, in eval mode."""
    model = build_model(model_file.arch, **model_file.arch_params)
    state = {name: torch.from_numpy(np.asarray(array)) for name, array in model_file.weights.items()}
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise ModelFileError(f"the weights do not fit architecture {model_file.arch!r}: {exc}") from exc
    return model.eval()


def to_tensor(images: np.ndarray, device: torch.device | str = "cpu", normalize: bool = True) -> torch.Tensor:
    """uint8 (N, 28, 28) → float (N, 1, 28, 28) on ``device``, channels-last; in [0, 1] unless normalised."""
    x = torch.from_numpy(np.require(images, np.uint8, ["C", "W"])).to(device).float().div_(255).unsqueeze(1)
    x = normalize_(x) if normalize else x
    return x.contiguous(memory_format=torch.channels_last)


def normalize_(x: torch.Tensor) -> torch.Tensor:
    """In place: [0, 1] pixels → the standardised input the networks are trained on."""
    return x.sub_(MNIST_MEAN).div_(MNIST_STD)


@torch.no_grad()
def predict_logits(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    model.eval()
    return torch.cat([model(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])


def predict_proba(model: nn.Module, images: np.ndarray) -> np.ndarray:
    """Class probabilities (N, 10) for uint8 images (N, 28, 28), white digits on black."""
    device = next(model.parameters()).device
    return torch.softmax(predict_logits(model, to_tensor(images, device)), 1).cpu().numpy()


def export_onnx(model: nn.Module) -> bytes:
    """The network as an ONNX graph (input ``image``: (N, 1, 28, 28) normalised; output ``logits``)."""
    import io
    import warnings

    model = model.to("cpu", memory_format=torch.contiguous_format).eval()
    buffer = io.BytesIO()
    with warnings.catch_warnings():  # the TorchScript exporter is deprecated but needs no onnxscript
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (torch.zeros(1, 1, 28, 28),),
            buffer,
            input_names=["image"],
            output_names=["logits"],
            dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    return buffer.getvalue()
