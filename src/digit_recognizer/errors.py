"""The project's own exception types: errors a user can cause, each with a message saying what to do.

The CLI prints them as one line and exits non-zero; the web server turns them into a 4xx JSON body.
"""


class DigitsError(Exception):
    """Base class for every error a user can cause."""


class DataError(DigitsError):
    """MNIST files missing, unreadable, corrupt, or failing their checksum."""


class ModelFileError(DigitsError):
    """A model file that is missing, corrupt, foreign or of an unknown format version."""


class ConfigError(DigitsError):
    """A bad option: unknown architecture or recipe, epochs < 1, an unwritable path, ..."""


class ImageError(DigitsError):
    """An input image that cannot be read: not an image, truncated, too big."""


class TooLargeError(ImageError):
    """A file or image over the size or pixel cap (refused before decoding)."""
