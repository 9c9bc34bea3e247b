"""Recognition: image → decoded grayscale → 28×28 → model → result.

This is the Python API; the CLI and the web app call it and nothing else::

    from digit_recognizer import Recognizer
    recognizer = Recognizer.load()            # the bundled model, or Recognizer.load("model.h5")
    result = recognizer.predict("digit.png")  # a path, bytes, a PIL image or a numpy array
    result.digit, result.confidence           # 7, 0.98  (digit is None when there is no digit)

Inference runs the ONNX graph stored in the model file with ONNX Runtime, so predicting needs no
torch; a model file without a graph falls back to PyTorch. ``predict_batch`` shares the decoding and
preprocessing of a large batch among worker processes, one per core (``prepare_many``);
``predict_stream`` gives its answers one at a time as they are ready, as ``digits predict`` prints them.
``predict_numbers`` and ``predict_number_stream`` share many numbers among worker processes too, each
reading whole numbers with its copy of the models.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from .checkpoint import CLASS_NAMES, ModelFile, read_model_file
from .decode import ImageSource, load_gray
from .errors import ConfigError, DigitsError, ModelFileError
from .preprocess import Prepared, prepare
from .segment import segment

log = logging.getLogger(__name__)

BUNDLED_MODEL = Path(__file__).parent / "assets" / "digit_recognizer_model.h5"
ONE_DIGIT_MODEL = Path(__file__).parent / "assets" / "one_digit_model.h5"  # helps split touching digits
ONE_DIGIT_CLASSES = ("not one digit", "one digit")  # its outputs, the labels 0 and 1 of synthetic.one_digit_pieces
LOW_CONFIDENCE = 0.6  # answers below this are flagged
# Touching digits run together into one piece, which preprocessing cannot tell from one digit: a digit
# whose box is wider than WIDE × its height is flagged as several when the one-digit model gives it under
# NOT_ONE of being one whole digit, and one wider than TOO_WIDE × its height whatever the model says.
# Chosen on training digits by rules fixed before the runs: the most touching numbers flagged (190 of
# 200; with TOO_WIDE 194) for at most 1 in 1,000 single digits (benchmarks/wide_digit.py).
WIDE = 0.8
NOT_ONE = 0.005
TOO_WIDE = 2.5
TTA_SHIFTS = ((0, 1), (0, -1), (1, 0), (-1, 0))  # test-time augmentation: the image moved by one pixel
# Images per model call. ONNX Runtime keeps each session's largest working memory, so each member of an
# ensemble holds one chunk's worth: 8 wide members peaked at 4.2 GB with 1,024, 1.3 GB with 256, at the
# same speed (benchmarks/chunk_size.py).
CHUNK = 256
# Images per worker process, at least: forking the workers and stopping them costs 20-30 ms, about what
# 20 small images take to prepare (64 of them were no faster in two workers than in one process).
WORKER_MIN = 64
# Numbers per worker process, at least: two workers read 8 numbers in 208 ms where one process took 230,
# and 4 numbers in 132 ms against 134 (medians of 5, half of them touching, AVX2 EPYC; a /tmp timing).
NUMBER_WORKER_MIN = 4
# Numbers per share of the work, at most: Ctrl-C waits for the shares begun, and 25 numbers (the share of
# 200 before) took 2.9 s to stop; one number a share stops at once, and costs nothing measurable.
NUMBER_SHARE_MAX = 1
# Images per share of the work, at most: on Ctrl-C the shares begun are finished (and dropped). `digits
# predict` on 3,000 files stopped 0.15-0.23 s after Ctrl-C with 32, 0.21-0.30 s with 64 (as fast either way).
SHARE_MAX = 32


@dataclass
class Prediction:
    """One image's answer. ``digit`` is None when the image holds no digit (``reason`` says why)."""

    digit: int | None
    confidence: float
    probabilities: list[float]
    image: np.ndarray | None = field(default=None, repr=False)  # the 28×28 the model saw
    box: tuple[int, int, int, int] | None = None  # x, y, w, h of the digit in the input
    reason: str | None = None
    several: bool = False  # the image looks like several digits (a number): predict_number reads them

    @classmethod
    def from_probabilities(cls, row: np.ndarray, image: np.ndarray, box, several: bool = False) -> Prediction:
        digit = int(row.argmax())
        return cls(digit, float(row[digit]), row.tolist(), image, box, several=several)

    @property
    def low_confidence(self) -> bool:
        return self.digit is not None and self.confidence < LOW_CONFIDENCE

    def top(self, k: int) -> list[dict]:
        """The k most likely digits with their probabilities; none when the image holds no digit."""
        if self.digit is None:
            return []
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
            out["several_digits"] = self.several
        if top_k:
            out["top_k"] = self.top(top_k)
        return out


@dataclass
class Mark:
    """A mark between a number's digits (segment.py, marks.py): ".", ",", ":", "-", "+", "×" or "=", and its box."""

    mark: str
    box: tuple[int, int, int, int]


@dataclass
class NumberPrediction:
    """A handwritten number: its digits left to right (lines top to bottom), each with its box, and the
    marks between them (3.14, 1,000, 12:30, -42, 12+7=19, 3×4=12), which ``number`` holds in their places."""

    number: str
    digits: list[Prediction]
    reason: str | None = None
    marks: list[Mark] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """The least confident digit's confidence: a number is only as sure as its weakest digit."""
        return min((d.confidence for d in self.digits), default=0.0)

    def to_dict(self, top_k: int = 0) -> dict:
        out = {
            "number": self.number,
            "digits": [
                {"digit": d.digit, "confidence": round(d.confidence, 6), "box": list(d.box)} for d in self.digits
            ],
            "marks": [{"mark": m.mark, "box": list(m.box)} for m in self.marks],
            "confidence": round(self.confidence, 6),
        }
        if self.reason:
            out["message"] = self.reason
        return out


class OnnxEngine:
    """Logits from the model's ONNX graph, run by ONNX Runtime."""

    def __init__(self, graph: bytes, threads: int = 0):
        self.graph = graph
        self.pid = os.getpid()
        self.session = _session(graph, threads)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if os.getpid() != self.pid:
            # A forked worker process: its copy of the session lacks the session's threads (a fork copies
            # only the calling thread). It makes a session of its own, of one thread, as the workers share
            # the cores, and keeps the copy, never torn down: tearing it down waits for those threads (a
            # worker hung so).
            _copied_sessions.append(self.session)
            self.session, self.pid = _session(self.graph, 1), os.getpid()
        return self.session.run(None, {"image": x})[0]


_copied_sessions: list = []  # a forked worker's copies of its parent's sessions (``OnnxEngine``)


def _session(graph: bytes, threads: int):
    """An ONNX Runtime session running ``graph`` on ``threads`` threads (0: one per core)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = threads
    # ONNX Runtime's threads spin on after each run, waiting for the next, and so take the cores from
    # the preprocessing that comes between runs (its OpenCV threads, the worker processes of a batch).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # ONNX Runtime's error types (InvalidGraph, InvalidProtobuf...) derive from it
        raise ModelFileError(f"its ONNX graph is damaged ({exc})") from exc


class TorchEngine:
    """Logits from the PyTorch network (model files without a graph, or no ONNX Runtime)."""

    def __init__(self, model_file: ModelFile):
        from .models import network_from_file

        self.model = network_from_file(model_file)
        self.pid = os.getpid()

    def __call__(self, x: np.ndarray) -> np.ndarray:
        import torch

        if os.getpid() != self.pid:
            # A forked worker process: PyTorch's thread pool (OpenMP) hangs in a copy of a process that
            # used it, unless the copy runs on one thread, as the workers share the cores.
            torch.set_num_threads(1)
            self.pid = os.getpid()
        with torch.no_grad():
            return self.model(torch.from_numpy(x)).numpy()


class Recognizer:
    """One or more loaded models (an ensemble averages their probabilities) with their preprocessing."""

    def __init__(
        self,
        model_file: ModelFile,
        engine=None,
        path: Path | None = None,
        members: list | None = None,
        threads: int = 0,
    ):
        self.model_file = model_file
        self.path = path
        self.threads = threads  # ONNX Runtime's threads for each model (0: one per core)
        self.engine = engine or _engine(model_file, threads)
        self.mean = float(model_file.normalization["mean"])
        self.std = float(model_file.normalization["std"])
        self.members = members or []  # further Recognizers whose probabilities are averaged in
        self.tta = False  # also average over the image moved by one pixel each way (5× the model calls)
        self._one_digit: Recognizer | None = None  # loaded on the first number (one_digit.py)

    def __repr__(self) -> str:
        extra = f", +{len(self.members)} members" if self.members else ""
        return f"Recognizer({self.model_file.arch}, {self.path}, engine={type(self.engine).__name__}{extra})"

    @classmethod
    def load(
        cls,
        path: str | Path | list | tuple | None = None,
        tta: bool = False,
        classes: tuple = tuple(CLASS_NAMES),
        threads: int = 0,
    ) -> Recognizer:
        """Load a model file (without a path, the bundled model); several paths make an ensemble.
        With ``tta``, probabilities are averaged over the image and its one-pixel shifts. A file whose
        outputs are not ``classes`` (the digits, unless told) is refused with ModelFileError. Each
        model runs on ``threads`` of ONNX Runtime's threads (0: one per core; ``share_cores``)."""
        if isinstance(path, (list, tuple)):
            if not path:
                raise ModelFileError("an ensemble needs at least one model file")
            loaded: dict[Path, Recognizer] = {}  # a file named again shares its model (and is run once)
            models = []
            for p in map(model_path, path):
                twin = loaded.get(key := p.resolve())
                if twin:
                    models.append(cls(twin.model_file, twin.engine, twin.path, threads=threads))
                else:
                    models.append(cls.load(p, classes=classes, threads=threads))
                loaded.setdefault(key, models[-1])
            first, *rest = models
            first.members = rest
        else:
            path = model_path(path)
            model_file = read_model_file(path, classes)
            try:
                first = cls(model_file, path=path, threads=threads)
            except ModelFileError as exc:  # a damaged graph, or weights that do not fit the architecture
                raise ModelFileError(f"{path}: {exc}") from exc
        first.tta = tta
        return first

    def info(self) -> dict:
        info = {"ensemble": [self._info()] + [m.info() for m in self.members]} if self.members else self._info()
        return {**info, "tta": True} if self.tta else info

    def _info(self) -> dict:
        meta = self.model_file.metadata
        return {
            "file": self.path.name if self.path else None,  # not the folders: a server would show its layout
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
        if not self.tta:
            return self._probabilities(images)
        views = [images, *(_shifted(images, dy, dx) for dy, dx in TTA_SHIFTS)]
        return np.mean([self._probabilities(view) for view in views], axis=0)

    def _probabilities(self, images: np.ndarray) -> np.ndarray:
        """The model's probabilities, averaged with the ensemble's other members (a model named several
        times is run once and counted as often as it is named)."""
        models = [self, *self.members]
        own = {}
        for model in models:
            if id(model.engine) not in own:
                own[id(model.engine)] = model._own_probabilities(images)
        return np.mean([own[id(model.engine)] for model in models], axis=0)

    def _own_probabilities(self, images: np.ndarray) -> np.ndarray:
        """This model's probabilities alone, CHUNK images per call to keep memory bounded."""
        x = np.ascontiguousarray(((images.astype(np.float32) / 255.0 - self.mean) / self.std)[:, None])
        logits = np.concatenate([self.engine(x[i : i + CHUNK]) for i in range(0, max(len(x), 1), CHUNK)])
        logits = logits - logits.max(1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(1, keepdims=True)

    def one_digit(self, images: np.ndarray) -> np.ndarray:
        """The one-digit model's probability (N,) that each 28×28 piece of a number is one whole digit,
        not two or part of one (segment.py weighs it with the classifier's confidence)."""
        return self._one_digit_model().probabilities(images)[:, 1]

    def _one_digit_model(self) -> Recognizer:
        if self._one_digit is None:
            self._one_digit = Recognizer.load(ONE_DIGIT_MODEL, classes=ONE_DIGIT_CLASSES, threads=self.threads)
        return self._one_digit

    def predict(self, source: ImageSource) -> Prediction:
        """Read one digit from an image (path, bytes, PIL image or numpy array); bad input raises ImageError."""
        return _raise_error(self.predict_batch([source])[0])

    def predict_batch(
        self, sources: Iterable[ImageSource], workers: int | None = None
    ) -> list[Prediction | DigitsError]:
        """Read many images; a bad input gives its error in its place, never stops the rest. Decoding and
        preprocessing are shared among ``workers`` processes (see ``prepare_many``)."""
        with closing(self.predict_stream(sources, workers)) as answers:
            return list(answers)

    def predict_stream(
        self, sources: Iterable[ImageSource], workers: int | None = None
    ) -> Iterator[Prediction | DigitsError]:
        """``predict_batch``'s answers one at a time, in order, as they are ready: the model reads CHUNK
        prepared images at a time while the worker processes prepare the next (``prepare_stream``).
        ``digits predict`` prints each answer as it comes. Close it (``contextlib.closing``) to stop
        early: the images not yet started are dropped."""
        with closing(prepare_stream(list(sources), workers)) as stream:
            waiting: list[Prepared | DigitsError] = []  # prepared, their answers not given yet
            ready = 0  # how many of them hold a digit for the model
            for prepared in stream:
                waiting.append(prepared)
                ready += _has_digit(prepared)
                if ready == CHUNK:
                    yield from self._answers(waiting)
                    waiting, ready = [], 0
            yield from self._answers(waiting)

    def _answers(self, prepared: list[Prepared | DigitsError]) -> Iterator[Prediction | DigitsError]:
        """The answers for prepared images, the model reading those with a digit in one call."""
        ready = [p for p in prepared if _has_digit(p)]
        answers = iter(())
        if ready:
            images = np.stack([p.image for p in ready])
            answers = zip(self.probabilities(images), self._several(ready, images))
        for p in prepared:
            if isinstance(p, DigitsError):
                yield p
            elif p.image is None:
                yield Prediction(None, 0.0, [0.0] * 10, reason=p.reason)
            else:
                probabilities, several = next(answers)
                yield Prediction.from_probabilities(probabilities, p.image, p.box, several)

    def _several(self, prepared: list[Prepared], images: np.ndarray) -> list[bool]:
        """Which prepared digits look like several: digit-tall groups side by side or digits apart from
        the one read (``Prepared.groups``), a piece far wider than tall, or a wide piece the one-digit
        model doubts is one digit."""
        aspect = np.array([p.box[2] / p.box[3] for p in prepared])  # width / height, as wide_digit.py chose them
        several = np.array([p.groups > 1 for p in prepared], bool) | (aspect > TOO_WIDE)
        wide = np.flatnonzero(~several & (aspect > WIDE))
        if wide.size:
            several[wide] = self.one_digit(images[wide]) < NOT_ONE
        return several.tolist()

    def predict_number(self, source: ImageSource) -> NumberPrediction:
        """Read a handwritten number of one or more digits (several lines are joined by newlines)."""
        return _raise_error(self.predict_numbers([source])[0])

    def predict_numbers(
        self, sources: Iterable[ImageSource], workers: int | None = None
    ) -> list[NumberPrediction | DigitsError]:
        """``predict_number`` for many images; a bad input gives its error in its place. The numbers are
        shared among ``workers`` processes (see ``predict_number_stream``)."""
        with closing(self.predict_number_stream(sources, workers)) as answers:
            return list(answers)

    def predict_number_stream(
        self, sources: Iterable[ImageSource], workers: int | None = None
    ) -> Iterator[NumberPrediction | DigitsError]:
        """``predict_numbers``' answers one at a time, in order, as they are ready. At least 2 ×
        NUMBER_WORKER_MIN images are shared among forked worker processes, each reading whole numbers
        with its copy of the models, as ``prepare_many`` shares digits (one per core unless ``workers``
        says how many; 1: none). The answers are the same either way. Close it
        (``contextlib.closing``) to stop early."""
        self._one_digit_model()  # loaded before any worker is forked, not by each of them
        return _in_workers(self._read_number, list(sources), workers, NUMBER_WORKER_MIN, NUMBER_SHARE_MAX)

    def _read_number(self, source: ImageSource) -> NumberPrediction | DigitsError:
        try:
            segmented = segment(load_gray(source), self.probabilities, self.one_digit)
        except DigitsError as exc:
            return exc
        if segmented.reason:
            return NumberPrediction("", [], segmented.reason)
        digits_per_line = [len(line) for line in segmented.lines]
        images = np.stack([image for line in segmented.lines for image, _ in line])
        boxes = [box for line in segmented.lines for _, box in line]
        probs = self.probabilities(images)
        digits = [Prediction.from_probabilities(row, image, box) for row, image, box in zip(probs, images, boxes)]
        text, start, marks = [], 0, []
        for n, line_marks in zip(digits_per_line, segmented.marks):
            chars = [str(d.digit) for d in digits[start : start + n]]
            for at, char, _ in reversed(line_marks):  # from the right, so that each index still holds
                chars.insert(at, char)
            marks += [Mark(char, box) for _, char, box in line_marks]
            text.append("".join(chars))
            start += n
        return NumberPrediction("\n".join(text), digits, marks=marks)


def _has_digit(prepared: Prepared | DigitsError) -> bool:
    """Whether a prepared image holds a digit for the model (not an error, not "no digit")."""
    return not isinstance(prepared, DigitsError) and prepared.image is not None


def prepare_many(sources: list[ImageSource], workers: int | None = None) -> list[Prepared | DigitsError]:
    """Decode and prepare each image (``preprocess.prepare``), a bad one giving its error in its place.

    A batch of at least 2 × WORKER_MIN images is shared among forked worker processes, one per core
    unless ``workers`` says how many (1: none), each taking at least WORKER_MIN images: preparing is
    Python code that holds the interpreter's lock, so threads would not help. The workers are forked
    (started as copies of this process, which needs no ``if __name__ == "__main__"`` guard in a
    script), on Linux and from the program's main thread (the CLI, a script); elsewhere, and in a web
    server's worker threads, the batch is prepared here. The answers are the same either way."""
    with closing(prepare_stream(sources, workers)) as prepared:
        return list(prepared)


def prepare_stream(sources: list[ImageSource], workers: int | None = None) -> Iterator[Prepared | DigitsError]:
    """``prepare_many``'s answers one at a time, in order, each as soon as it and those before it are
    ready, while the workers go on with the rest. Close it (``contextlib.closing``) to stop early."""
    return _in_workers(_prepare_one, sources, workers, WORKER_MIN, SHARE_MAX)


def _in_workers(read: Callable, sources: list, workers: int | None, least: int, most: int) -> Iterator:
    """``read(source)`` for each source, in order, each answer as soon as it and those before it are
    ready: shared among forked worker processes (``_worker_count``, each taking at least ``least``
    sources) in shares of at most ``most``, four or more per worker. If the workers fail, the sources
    not yet answered are read here. Closed early, the shares not yet started are dropped, not waited
    for. While one stream's workers run, other batches and streams are read in the calling process."""
    global _pool_open
    count = _worker_count(len(sources), workers, least)
    if count == 1:
        yield from map(read, sources)
        return
    # A fork copies only the calling thread, so in a worker nothing may wait for another: OpenCV's
    # thread pool is stopped while the workers are forked (a worker that called cv2.setNumThreads hung
    # on its copy of it), and the garbage collector is kept off what this process holds (a worker
    # collected an ONNX Runtime session that the caller had dropped, and hung tearing down its threads).
    # The models' engines make their own sessions in a worker (``OnnxEngine``).
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    frozen = gc.get_freeze_count() > 0  # the program froze some objects itself: they stay so
    gc.freeze()
    # The workers find ``read`` and the sources in their copy of this process (``_worker_setup``'s
    # arguments are not sent, they are there when they are forked), and are sent only where each share
    # starts and ends.
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(count, context, initializer=_worker_setup, initargs=(read, sources))
    _pool_open, given = True, 0
    try:
        # Four shares per worker at least, so that one slow image delays little.
        step = min(most, -(-len(sources) // (4 * count)))
        starts = range(0, len(sources), step)
        for share in pool.map(_read_share, starts, [step] * len(starts)):
            for answer in share:
                yield answer
                given += 1
    except (BrokenProcessPool, OSError) as exc:  # a worker killed for memory, or none could start: redone here
        left = len(sources) - given
        log.warning("worker processes failed (%s); reading the %d images left in this process", exc, left)
        yield from map(read, sources[given:])
    finally:
        cv2.setNumThreads(threads)
        if not frozen:
            gc.unfreeze()
        pool.shutdown(cancel_futures=True)  # on Ctrl-C, the images not yet started are dropped, not waited for
        _pool_open = False


def share_cores(processes: int) -> int:
    """This process's share of the cores when ``processes`` processes like it read images at once (a web
    server's workers), for ``Recognizer.load(threads=...)``: ONNX Runtime's threads. OpenCV runs on one
    thread from now on (``one_opencv_thread``). Two processes each reading the REST benchmark's image
    over and over on the two cores of the AVX2 EPYC read 375 images/s between them on one thread each,
    341 on two (means of 6 rounds taking turns, one thread faster in each; a ``/tmp`` timing)."""
    one_opencv_thread()
    return max(1, len(os.sched_getaffinity(0)) // processes)


def one_opencv_thread() -> None:
    """Run OpenCV on one thread from now on, as ``digits predict`` and ``digits serve`` do: the reading
    steps are about as fast so, and its threads take the cores from the rest. On the two cores of the
    AVX-512 EPYC (``benchmarks/opencv_threads.py``, two runs), ``prepare`` on one thread against two,
    wall time / CPU time: a 28×28 digit 0.51–0.60 / 0.51–0.60 against 0.54–0.57 / 1.07–1.13 ms, a
    280-px canvas 3.07–3.14 / 3.1 against 3.20–3.21 / 4.7 ms, a 12-megapixel photo 106 / 106 against
    108 / 112–113 ms; a note photographed turned on a desk, the one image faster on two, 93 / 93
    against 88 / 97–98 ms. The answers are the same."""
    cv2.setNumThreads(1)


def _worker_count(images: int, workers: int | None, least: int = WORKER_MIN) -> int:
    if workers is not None and workers < 1:
        raise ConfigError(f"workers must be at least 1 (got {workers})")
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return 1
    if _pool_open:  # another stream's pool runs threads here (its manager): no fork while they do
        return 1
    cores = workers or len(os.sched_getaffinity(0))
    return max(1, min(cores, images // least))


# A worker process's copy of what it reads and how: the stream it helps with.
_worker_read: Callable | None = None
_worker_sources: list = []
_pool_open = False  # whether a stream's pool of workers is running in this process


def _worker_setup(read: Callable, sources: list) -> None:
    """A worker keeps the stream's sources and reader, and leaves Ctrl-C to its parent, which stops
    the pool."""
    global _worker_read, _worker_sources
    _worker_read, _worker_sources = read, sources
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _read_share(start: int, count: int) -> list:
    return [_worker_read(source) for source in _worker_sources[start : start + count]]


def _prepare_one(source: ImageSource) -> Prepared | DigitsError:
    try:
        return prepare(load_gray(source))
    except DigitsError as exc:
        return exc


def model_path(path: str | Path | None, bundled: Path = BUNDLED_MODEL) -> Path:
    """A model file's path; None means the bundled model. An empty one is an error rather than the bundled
    model, so that ``--model-path "$MODEL"`` with MODEL unset does not quietly use (or replace) another model."""
    if path is None:
        return bundled
    if not str(path).strip():
        raise ModelFileError("the model path is empty (leave --model-path out for the bundled model)")
    return Path(path)


def _shifted(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """(N, 28, 28) images moved by (dy, dx) pixels, with black coming in at the edges."""
    out = np.zeros_like(images)
    h, w = images.shape[1:]
    out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
        :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def _raise_error(result):
    if isinstance(result, DigitsError):
        raise result
    return result


def _engine(model_file: ModelFile, threads: int = 0):
    if model_file.onnx is not None:
        try:
            return OnnxEngine(model_file.onnx, threads)
        except ImportError:
            log.debug("onnxruntime is not installed: running the model with PyTorch")
    return TorchEngine(model_file)
