"""Handwritten digit recognizer: train a CNN on MNIST and read digits in real images."""

__version__ = "0.1.0"
