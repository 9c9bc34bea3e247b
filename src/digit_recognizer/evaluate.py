"""Evaluation: probabilities + labels → accuracy, confusion matrix, per-class scores, and PNG plots.

Metrics are computed from predicted probabilities, so any model that yields them (the PyTorch
network, the ONNX graph, an ensemble) is judged the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


@dataclass
class Evaluation:
    accuracy: float
    loss: float  # mean negative log-likelihood
    confusion: np.ndarray  # (10, 10): rows are true digits, columns predictions
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    probabilities: np.ndarray
    labels: np.ndarray

    def __repr__(self) -> str:
        return f"Evaluation(n={len(self.labels)}, accuracy={self.accuracy:.4f}, loss={self.loss:.4f})"

    @classmethod
    def from_probabilities(cls, probabilities: np.ndarray, labels: np.ndarray) -> Evaluation:
        labels = np.asarray(labels, dtype=np.int64)
        predicted = probabilities.argmax(1)
        confusion = np.zeros((10, 10), dtype=np.int64)
        np.add.at(confusion, (labels, predicted), 1)
        true_pos = np.diag(confusion).astype(float)
        precision = true_pos / np.maximum(confusion.sum(0), 1)
        recall = true_pos / np.maximum(confusion.sum(1), 1)
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        accuracy = float((predicted == labels).mean())
        return cls(accuracy, log_loss(probabilities, labels), confusion, precision, recall, f1, probabilities, labels)

    def to_dict(self) -> dict:
        """Machine-readable metrics (``--json``)."""
        return {
            "images": int(len(self.labels)),
            "accuracy": self.accuracy,
            "errors": int((self.probabilities.argmax(1) != self.labels).sum()),
            "loss": self.loss,
            "per_class": {
                str(d): {
                    "precision": float(self.precision[d]),
                    "recall": float(self.recall[d]),
                    "f1": float(self.f1[d]),
                    "support": int(self.confusion[d].sum()),
                }
                for d in range(10)
            },
            "confusion_matrix": self.confusion.tolist(),
        }

    def report(self) -> str:
        """Per-class precision/recall/F1 as a text table."""
        lines = ["digit  precision  recall  f1      support"]
        for d in range(10):
            scores = f"{self.precision[d]:9.4f}  {self.recall[d]:6.4f}  {self.f1[d]:6.4f}"
            lines.append(f"{d:>5}  {scores}  {self.confusion[d].sum():7d}")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Ensembles: choosing members' weights on held-out digits


def select_ensemble(
    probabilities: Sequence[np.ndarray], labels: np.ndarray, steps: int, calibrate: bool = True
) -> list[int]:
    """Forward selection with replacement (Caruana et al., 2004): starting from nothing, add the model
    whose probabilities most lower the log-loss of the running mean, ``steps`` times; return the
    models of the step with the lowest loss, by index, repeated as often as they were picked (so a
    model picked twice weighs twice in the mean). ``probabilities`` must be on held-out images that
    none of the models was trained or chosen on, and ``labels`` theirs.

    With ``calibrate``, each model's probabilities are first temperature-scaled on those images
    (``fit_temperature``), for the choice only: the log-loss then ranks how well a mean separates the
    right digit from the others rather than how confident its models are. Models trained with label
    smoothing are underconfident by design, each by its own amount: on raw log-loss, the most confident
    member of an eight-member pool alone beat every mean, though it had more errors than six others.
    The returned weights are meant for the models' own probabilities, as ``digits evaluate
    --model-path`` averages them."""
    if not probabilities or steps < 1:
        raise ValueError("forward selection needs at least one model and one step")
    if calibrate:
        probabilities = [temperature_scaled(p, fit_temperature(p, labels)) for p in probabilities]
    total = np.zeros_like(probabilities[0], dtype=np.float64)
    picked: list[int] = []
    best_loss, best = np.inf, []
    for _ in range(steps):
        losses = [log_loss((total + p) / (len(picked) + 1), labels) for p in probabilities]
        index = int(np.argmin(losses))  # ties go to the first model
        picked.append(index)
        total += probabilities[index]
        if losses[index] < best_loss:
            best_loss, best = losses[index], list(picked)
    return best


def log_loss(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Mean negative log-probability of the true digits."""
    return float(-np.log(np.clip(probabilities[np.arange(len(labels)), labels], 1e-12, None)).mean())


def temperature_scaled(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / T) from the probabilities softmax(logits): log p is the logits less a constant
    per image, so p ** (1 / T), renormalised, is the same thing."""
    scaled = np.log(np.clip(probabilities, 1e-12, None)) / temperature
    scaled = np.exp(scaled - scaled.max(1, keepdims=True))
    return scaled / scaled.sum(1, keepdims=True)


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that minimises the log-loss of ``temperature_scaled(probabilities, T)`` on
    ``labels`` (temperature scaling, Guo et al. 2017), searched over 1/T from 0.1 to 10 on a
    log-spaced grid of 201 points. It keeps every image's ranking of the digits, so accuracy is unchanged."""
    inverse = np.geomspace(0.1, 10, 201)
    losses = [log_loss(temperature_scaled(probabilities, 1 / k), labels) for k in inverse]
    return float(1 / inverse[int(np.argmin(losses))])


# ---------------------------------------------------------------------------------------------
# Plots


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_curves(history: Sequence[dict], path: Path) -> Path:
    """Training and validation accuracy and loss per epoch (``history``: rows as dicts); the validation
    curves only where there was a validation split."""
    plt = _pyplot()
    epochs = [h["epoch"] for h in history]
    validated = [h for h in history if h.get("val_accuracy") is not None]
    fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(11, 4))
    ax_acc.plot(epochs, [h["accuracy"] for h in history], "o-", label="train (augmented)")
    ax_loss.plot(epochs, [h["loss"] for h in history], "o-", label="train (augmented)")
    if validated:
        ax_acc.plot([h["epoch"] for h in validated], [h["val_accuracy"] for h in validated], "o-", label="validation")
        ax_loss.plot([h["epoch"] for h in validated], [h["val_loss"] for h in validated], "o-", label="validation")
    ax_acc.set(title="Accuracy", xlabel="epoch", ylabel="accuracy")
    ax_loss.set(title="Loss", xlabel="epoch", ylabel="cross-entropy")
    for ax in (ax_acc, ax_loss):
        ax.grid(alpha=0.3)
        ax.legend()
    return _save(fig, path)


def plot_confusion(confusion: np.ndarray, path: Path) -> Path:
    """The confusion matrix with the count written in every cell."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    shown = np.log1p(confusion)  # a log scale keeps the few errors visible beside ~1000 hits
    image = ax.imshow(shown, cmap="Blues")
    threshold = shown.max() / 2
    for (row, col), count in np.ndenumerate(confusion):
        colour = "white" if shown[row, col] > threshold else "black"
        ax.text(col, row, str(count), ha="center", va="center", fontsize=8, color=colour)
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true", title="Confusion matrix")
    fig.colorbar(image, ax=ax, label="log(1 + count)")
    return _save(fig, path)


def plot_misclassified(images: np.ndarray, evaluation: Evaluation, path: Path, count: int = 36) -> Path:
    """The worst errors first: those the model was most confident about, six to a row, each under its
    true label, the prediction and the confidence. The grid is one image with the labels written on it:
    one plot instead of one per digit, which took most of the time of writing the plots."""
    plt = _pyplot()
    predicted = evaluation.probabilities.argmax(1)
    wrong = np.flatnonzero(predicted != evaluation.labels)
    wrong = wrong[np.argsort(-evaluation.probabilities[wrong, predicted[wrong]])][:count]
    cols = 6
    rows = max(1, -(-len(wrong) // cols))
    height, width = images.shape[1:3]
    gap, band = width // 4, height // 2  # pixels between digits; the label band above each digit
    cell_w, cell_h = width + gap, height + band
    grid = np.zeros((rows * cell_h, cols * cell_w), dtype=np.float32)
    fig = plt.figure(figsize=(cols * 1.6, rows * 1.9 + 0.5))
    ax = fig.add_axes((0.02, 0.0, 0.96, rows * 1.9 / (rows * 1.9 + 0.5)))
    ax.axis("off")
    for k, i in enumerate(wrong):
        top, left = (k // cols) * cell_h + band, (k % cols) * cell_w + gap // 2
        grid[top : top + height, left : left + width] = images[i]
        confidence = evaluation.probabilities[i, predicted[i]]
        label = f"true {evaluation.labels[i]} → {predicted[i]}\n{confidence:.2f}"
        ax.text(left + width / 2, top - 1, label, ha="center", va="bottom", fontsize=8)
    ax.imshow(grid, cmap="gray_r", vmin=0, vmax=max(float(grid.max()), 1e-6), interpolation="nearest")
    title = f"Misclassified: {len(wrong)} most confident errors" if len(wrong) else "No misclassified images"
    fig.suptitle(title)
    return _save(fig, path, layout=False)


def write_plots(
    evaluation: Evaluation, images: np.ndarray, plots_dir: Path, history: Sequence[dict] = ()
) -> list[Path]:
    plots_dir = Path(plots_dir)
    paths = []
    if history:
        paths.append(plot_curves(history, plots_dir / "accuracy_loss_curves.png"))
    paths.append(plot_confusion(evaluation.confusion, plots_dir / "confusion_matrix.png"))
    paths.append(plot_misclassified(images, evaluation, plots_dir / "misclassified.png"))
    return paths


def _save(fig, path: Path, layout: bool = True) -> Path:
    """Write a figure as PNG and close it; ``layout``: fit it with ``tight_layout`` first."""
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    if layout:
        fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    log.info("Plot saved at %s", path)
    return path
