"""The one-digit model: does a 28×28 piece of a number hold exactly one whole digit?

Splitting touching digits (segment.py) scores every way of cutting a glyph by how sure the classifier
is of each piece. The classifier has only ever seen single digits, and it is often sure of two merged
ones as well ("49" read as a 4 at 0.91), so touching digits were mostly kept together. This second,
small network (``fastnet`` with two outputs; a 0.3 MB file) is trained on pieces of composed numbers
(``synthetic.one_digit_pieces``: one whole digit against two digits, part of one, or one with much of
its neighbour); segmentation multiplies the classifier's confidence in a piece by the square root of
its probability (``segment.ONE_DIGIT_WEIGHT``).
The package ships one, trained by::

    digits train-one-digit --data-dir ../shared/data/mnist

It is the digit classifier's companion, whichever classifier reads the digits: a model of your own
(``--model-path``) is helped by the bundled one-digit model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .augment import Augment
from .checkpoint import write_model_file
from .data import Mnist
from .recognizer import ONE_DIGIT_CLASSES, ONE_DIGIT_MODEL, Recognizer
from .synthetic import one_digit_pieces
from .train import TrainConfig, TrainResult, check_writable, train

# Training pieces from MNIST training digits (5,000 of them validate); a sixth as many test ones. 60,000 pieces
# gave test accuracy 91.4 % and touching numbers read exactly 75.7 % (seeds 1–4), 180,000 92.8 % and 78.4 %,
# 360,000 93.2 % and 79.3 %. More pieces, less overfitting: train 94.0 % against validation 93.1 % (60,000: 94.3, 90.7).
# With a 1 in the middle more often (synthetic.ONES_SHARE), the pieces are harder (test 91.6 %), and touching numbers
# read 84.5 % instead of 83.0 % on the tuning seeds (with the finer cuts of segment.CUT_STEP).
PIECES = 360_000
RECIPE = dict(
    arch="fastnet",
    arch_params={"classes": 2},
    epochs=8,
    patience=8,
    batch_size=128,
    lr=0.05,
    label_smoothing=0.0,  # the probability itself is used, so it should not be pulled towards 0.5
    augment=Augment(rotation=0, shift=0, zoom=0, shear=0, elastic=0, thickness=0),  # the pieces vary already
)


@dataclass
class OneDigitResult:
    training: TrainResult
    test_accuracy: float  # on pieces of MNIST test digits


def piece_set(mnist: Mnist, pieces: int = PIECES, seed: int = 0) -> Mnist:
    """Labelled pieces cut from MNIST's training digits (to train and validate on) and, a sixth as many,
    from its test digits."""
    train_x, train_y = one_digit_pieces(mnist.train_images, pieces, seed, mnist.train_labels)
    test_x, test_y = one_digit_pieces(mnist.test_images, max(1, pieces // 6), seed + 1, mnist.test_labels)
    return Mnist(train_x, train_y, test_x, test_y, f"pieces of numbers composed from {mnist.source}")


def one_digit_config(model_path: str | Path = ONE_DIGIT_MODEL, seed: int = 0, **overrides) -> TrainConfig:
    """The one-digit model's training configuration, checked (and the model path found writable) before
    the pieces are cut, which takes a minute or two."""
    config = replace(TrainConfig(recipe="one-digit"), **{**RECIPE, **overrides}, seed=seed, model_path=str(model_path))
    config.check()
    check_writable(Path(model_path))
    return config


def train_one_digit(
    mnist: Mnist,
    config: TrainConfig | None = None,
    pieces: int = PIECES,
    on_epoch: Callable | None = None,
    command: str | None = None,
) -> OneDigitResult:
    """Train the one-digit model (``one_digit_config()`` unless given) on pieces of numbers composed from
    ``mnist``; the saved file holds its test accuracy and ``command``, the one that made it."""
    config = config or one_digit_config()
    config.val_size = min(config.val_size, pieces // 10)
    data = piece_set(mnist, pieces, config.seed)
    result = train(config, data, on_epoch)
    chosen = Recognizer(result.model_file).probabilities(data.test_images).argmax(1)
    accuracy = float(np.mean(chosen == data.test_labels))
    result.model_file.class_names = list(ONE_DIGIT_CLASSES)
    result.model_file.metadata["metrics"]["test_accuracy"] = accuracy
    if command:
        result.model_file.metadata["command"] = command
    write_model_file(config.model_path, result.model_file)
    return OneDigitResult(result, accuracy)
