"""The bundled model on realistic renderings of MNIST test digits (every condition of synthetic.py)."""

from __future__ import annotations

from digit_recognizer.recognizer import Recognizer
from digit_recognizer.synthetic import CONDITIONS, sample


def test_realistic_images_are_read(mnist):
    recognizer = Recognizer.load()
    rows = list(sample(mnist.test_images, mnist.test_labels, per_condition=12, seed=7, max_side=1200))
    assert {condition for condition, _, _ in rows} == set(CONDITIONS)
    right = sum(recognizer.predict(data).digit == label for _, label, data in rows)
    assert right / len(rows) >= 0.97


def test_bundled_model_metadata_records_its_training(mnist):
    recognizer = Recognizer.load()
    info = recognizer.info()
    assert info["arch"] == "cnn" and info["engine"] == "OnnxEngine"
    assert "--recipe default" in info["command"]
    # The recorded test accuracy is what the shipped graph really scores.
    accuracy = (recognizer.probabilities(mnist.test_images).argmax(1) == mnist.test_labels).mean()
    assert accuracy == info["metrics"]["test_accuracy"] >= 0.996
