"""Recognition: image → decoded grayscale → 28×28 → model → result.

This is the Python API; the CLI and the web app call it and nothing else::

    from digit_recognizer import Recognizer
    recognizer = Recognizer.load()            # the bundled model, or Recognizer.load("model.h5")
    result = recognizer.predict("digit.png")  # a path, bytes, a PIL image or a numpy array
    result.digit, result.confidence           # 7, 0.98  (digit is None when there is no digit)

Inference runs the ONNX graph stored in the model file with ONNX Runtime, so predicting needs no
torch; a model file without a graph falls back to PyTorch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np

from .checkpoint import ModelFile, read_model_file
from .decode import ImageSource, load_gray
from .errors import DigitsError
from .preprocess import prepare

log = logging.getLogger(__name__)

BUNDLED_MODEL = Path(__file__).parent / "assets" / "digit_recognizer_model.h5"
LOW_CONFIDENCE = 0.6  # answers below this are flagged


@dataclass
class Prediction:
    """One image's answer. ``digit`` is None when the image holds no digit (``reason`` says why)."""

    digit: int | None
    confidence: float
    probabilities: list[float]
    image: np.ndarray | None = field(default=None, repr=False)  # the 28×28 the model saw
    box: tuple[int, int, int, int] | None = None  # x, y, w, h of the digit in the input
    reason: str | None = None

    @property
    def low_confidence(self) -> bool:
        return self.digit is not None and self.confidence < LOW_CONFIDENCE

    def top(self, k: int) -> list[dict]:
        order = np.argsort(self.probabilities)[::-1][:k]
        return [{"digit": int(d), "probability": round(self.probabilities[d], 6)} for d in order]

    def to_dict(self, top_k: int = 0) -> dict:
        """The JSON object of ``digits predict --json`` (without ``path``) and of the web API."""
        out = {
            "digit": self.digit,
            "confidence": round(self.confidence, 6),
            "probabilities": [round(p, 6) for p in self.probabilities],
        }
        if self.digit is None:
            out["message"] = self.reason
        else:
            out["box"] = list(self.box) if self.box else None
            out["low_confidence"] = self.low_confidence
        if top_k:
            out["top_k"] = self.top(top_k)
        return out


class OnnxEngine:
    """Logits from the model's ONNX graph, run by ONNX Runtime."""

    def __init__(self, graph: bytes):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 3
        self.session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"image": x})[0]


class TorchEngine:
    """Logits from the PyTorch network (model files without a graph, or no ONNX Runtime)."""

    def __init__(self, model_file: ModelFile):
        from .models import network_from_file

        self.model = network_from_file(model_file)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            return self.model(torch.from_numpy(x)).numpy()


class Recognizer:
    """A loaded model with the preprocessing it expects."""

    def __init__(self, model_file: ModelFile, engine=None, path: Path | None = None):
        self.model_file = model_file
        self.path = path
        self.engine = engine or _engine(model_file)
        self.mean = float(model_file.normalization["mean"])
        self.std = float(model_file.normalization["std"])

    def __repr__(self) -> str:
        return f"Recognizer({self.model_file.arch}, {self.path}, engine={type(self.engine).__name__})"

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Recognizer":
        """Load a model file; without a path, the model bundled with the package."""
        path = Path(path) if path else BUNDLED_MODEL
        return cls(read_model_file(path), path=path)

    def info(self) -> dict:
        meta = self.model_file.metadata
        return {
            "path": str(self.path) if self.path else None,
            "arch": self.model_file.arch,
            "arch_params": self.model_file.arch_params,
            "format_version": self.model_file.format_version,
            "engine": type(self.engine).__name__,
            "metrics": meta.get("metrics", {}),
            "command": meta.get("command"),
            "date": meta.get("date"),
            "package_version": meta.get("package_version"),
        }

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities (N, 10) for 28×28 uint8 images, white digits on black."""
        x = (images.astype(np.float32) / 255.0 - self.mean) / self.std
        logits = self.engine(np.ascontiguousarray(x[:, None]))
        logits = logits - logits.max(1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(1, keepdims=True)

    def predict(self, source: ImageSource) -> Prediction:
        """Read one digit from an image (path, bytes, PIL image or numpy array)."""
        return self.predict_batch([source])[0]

    def predict_batch(self, sources: Iterable[ImageSource]) -> list[Prediction | DigitsError]:
        """Read many images in one model call; a bad input gives its error in its place, never stops the rest."""
        prepared, results = [], []
        for source in sources:
            try:
                prepared.append(prepare(load_gray(source)))
            except DigitsError as exc:
                prepared.append(exc)
        ready = [p for p in prepared if not isinstance(p, DigitsError) and p.image is not None]
        probs = iter(self.probabilities(np.stack([p.image for p in ready])) if ready else [])
        for p in prepared:
            if isinstance(p, DigitsError):
                results.append(p)
            elif p.image is None:
                results.append(Prediction(None, 0.0, [0.0] * 10, reason=p.reason))
            else:
                row = next(probs)
                digit = int(row.argmax())
                results.append(Prediction(digit, float(row[digit]), row.tolist(), p.image, p.box))
        return results


def _engine(model_file: ModelFile):
    if model_file.onnx is not None:
        try:
            return OnnxEngine(model_file.onnx)
        except ImportError:
            log.debug("onnxruntime is not installed: running the model with PyTorch")
    return TorchEngine(model_file)
