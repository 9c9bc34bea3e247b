"""Does training with flagged 1s (`--augment flag=SHARE`) teach the model the 1 that many schools teach?

    python benchmarks/flag_augment.py --data-dir ../shared/data/mnist [--epochs 6] [--flag 0.5] [--seeds 0 1]

Trains the default recipe twice with each seed, shortened to ``--epochs`` (the whole recipe takes
about an hour a run on a 2-core CPU): as it is, and with ``--augment flag=SHARE``. Each model then
reads the drawn glyphs of the handwriting fonts (``handwriting_fonts.py``, whose fonts it fetches
once), where a 1 with a flag is the commonest error, and the MNIST test set, where giving 1s a flag
could cost the 7s, and the 1,797 digits of UCI's 13 writers as 8×8 images (``real_writers.py``;
scikit-learn: ``pip install -e ".[bench]"``), the one measure of real people's writing. The
models stay in ``--runs`` and are not trained again if they are there (``train_s`` is then null).
Results go to benchmarks/results/flag_augment.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from handwriting_fonts import font_glyphs, read_drawn, summary, table  # noqa: E402
from real_writers import load_writers  # noqa: E402

from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402

from machine import common_arguments, digits_read, train_run, write_results  # noqa: E402


def mnist_row(recognizer: Recognizer, images: np.ndarray, labels: np.ndarray) -> dict:
    """Test accuracy, the 1s and 7s read right, and how often each was taken for the other."""
    got = recognizer.probabilities(images).argmax(1)
    ones, sevens = labels == 1, labels == 7
    return {"test_accuracy": float((got == labels).mean()),
            "ones_right": float((got[ones] == 1).mean()), "ones_as_7": int((got[ones] == 7).sum()),
            "sevens_right": float((got[sevens] == 7).mean()), "sevens_as_1": int((got[sevens] == 1).sum())}  # fmt: skip


def readings_row(readings: list[tuple]) -> dict:
    """Read right overall and per digit, the 1s and 7s taken for each other, and what the misread 1s
    were read as, of (source, digit, read) readings."""
    ones_misread = Counter(str(r) for _, d, r in readings if d == 1 and r != 1)
    return {**summary(readings), "per_digit_right": {d: row["right"] for d, row in table(readings, 1).items()},
            "ones_read_as": dict(sorted(ones_misread.items())), "ones_as_7": ones_misread["7"],
            "sevens_as_1": sum(d == 7 and r == 1 for _, d, r in readings)}  # fmt: skip


def said(row: dict) -> str:
    """A ``readings_row`` in words: read right, and the 1s and 7s."""
    right = row["per_digit_right"]
    return (f"{row['right']:.1%}, their 1s {right['1']:.1%} (as 7: {row['ones_as_7']}), "
            f"7s {right['7']:.1%} (as 1: {row['sevens_as_1']})")  # fmt: skip


def fonts_row(recognizer: Recognizer, inks_of: dict) -> dict:
    """``readings_row`` of the fonts' drawn glyphs."""
    return readings_row([(f, d, r) for f, inks in inks_of.items() for d, r in enumerate(read_drawn(recognizer, inks))])


def writers_row(recognizer: Recognizer, images: np.ndarray, labels: np.ndarray) -> dict:
    """``readings_row`` of UCI's writers' 8×8 digits."""
    return readings_row([("uci", int(d), r) for d, r in zip(labels, digits_read(recognizer, list(images)))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=6, help="the default recipe's epochs, shortened")
    parser.add_argument("--flag", type=float, default=0.5, help="the share of 1s given a flag")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="a pair of runs per seed")
    parser.add_argument("--runs", type=Path, default=Path("runs/flag"), help="where the models are kept")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "digit-recognizer" / "fonts",
                        help="where the fonts are kept once fetched")  # fmt: skip
    common_arguments(parser, "flag_augment")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    test = np.asarray(mnist.test_images), np.asarray(mnist.test_labels)
    inks_of, failed = font_glyphs(args.cache)
    writers = load_writers()
    args.runs.mkdir(parents=True, exist_ok=True)
    rows = {}
    for seed in args.seeds:
        for flag in (0, args.flag):
            name = f"seed {seed}, " + (f"flag={flag}" if flag else "as it is")
            options = ["--recipe", "default", "--seed", str(seed), "--epochs", str(args.epochs)]
            options += ["--patience", str(args.epochs)] + (["--augment", f"flag={flag}"] if flag else [])
            stem = f"e{args.epochs}-s{seed}" + (f"-flag{flag}" if flag else "")
            trained_here = not (args.runs / f"{stem}.h5").exists()
            start = time.perf_counter()
            if trained_here:
                train_run(args.runs, stem, options, args.data_dir)
            recognizer = Recognizer.load(args.runs / f"{stem}.h5")
            rows[name] = {"options": options, "model": f"{stem}.h5",
                          "train_s": round(time.perf_counter() - start, 1) if trained_here else None,
                          "mnist": mnist_row(recognizer, *test),
                          "fonts_drawn": fonts_row(recognizer, inks_of),
                          "uci_writers": writers_row(recognizer, *writers)}  # fmt: skip
            m, f, w = rows[name]["mnist"], rows[name]["fonts_drawn"], rows[name]["uci_writers"]
            print(f"{name}: MNIST test {m['test_accuracy']:.2%} (1s as 7: {m['ones_as_7']}, 7s as 1: "
                  f"{m['sevens_as_1']}); fonts drawn {said(f)}; UCI writers {said(w)}", flush=True)  # fmt: skip
    write_results(args.out, {"date": time.strftime("%Y-%m-%d"), "fonts": len(inks_of), "fonts_failed": failed,
                             "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                             "rows": rows})  # fmt: skip


if __name__ == "__main__":
    main()
