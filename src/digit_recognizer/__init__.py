"""Handwritten digit recognizer: train a CNN on MNIST and read digits in real images.

from digit_recognizer import Recognizer
Recognizer.load().predict("digit.png").digit
"""

__version__ = "0.1.0"
__all__ = ["Recognizer", "Prediction", "__version__"]


def __getattr__(name: str):
    # Imported on first use, so `digits data` and training never pay for the recognition stack.
    if name in ("Recognizer", "Prediction"):
        from . import recognizer

        return getattr(recognizer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
