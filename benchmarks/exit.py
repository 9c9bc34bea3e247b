"""How long a `digits` process takes to exit, with and without ``cli.run``'s ``gc.freeze()``.

    python benchmarks/exit.py --data-dir ../shared/data/mnist

Two commands, each run the way the `digits` script runs it (``cli.run()``) and the plain way
(``sys.exit(cli.main())``), alternately: ``predict`` on one 280×280 canvas (no torch in the process)
and a short ``train --recipe fast --train-limit 2000`` (torch, its compiler's modules and matplotlib).
For each run: the whole process's wall time and the part after the command returned (from the
``atexit`` callbacks to the end of the process: the interpreter's finalisation). Medians go to
benchmarks/results/exit.json (with the machine), a table to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402

from inference import canvas, png  # noqa: E402
from machine import common_arguments, write_results  # noqa: E402

# The process writes the time its atexit callbacks ran to the file named in DIGITS_EXIT_STAMP.
PROLOGUE = (
    "import atexit, os, sys, time\n"
    "atexit.register(lambda: open(os.environ['DIGITS_EXIT_STAMP'], 'w').write(repr(time.time())))\n"
    "from digit_recognizer.cli import main, run\n"
)
WAYS = {"run": "run()", "main": "sys.exit(main())"}


def timed(way: str, argv: list[str], stamp: Path) -> tuple[float, float]:
    """(whole process, after atexit) in seconds, for ``digits ARGV`` ended the way ``way``."""
    code = PROLOGUE + f"sys.argv = ['digits', *{argv!r}]\n" + WAYS[way]
    start = time.time()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                   env={**os.environ, "DIGITS_EXIT_STAMP": str(stamp)})  # fmt: skip
    end = time.time()
    return end - start, end - float(stamp.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--predict-runs", type=int, default=20, help="runs of predict, each way")
    parser.add_argument("--train-runs", type=int, default=5, help="runs of the short training, each way")
    common_arguments(parser, "exit")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "seven.png").write_bytes(png(canvas(mnist.test_images[0], 280)))
        model = ["--model-path", args.model_path] if args.model_path else []
        data = ["--data-dir", args.data_dir] if args.data_dir else []
        commands = {
            "predict": (["predict", str(tmp / "seven.png"), *model], args.predict_runs),
            "train_fast_2000": (
                ["train", "--recipe", "fast", "--train-limit", "2000", "--model-path", str(tmp / "m.h5"),
                 "--plots-dir", str(tmp / "plots"), "-q", *data],
                args.train_runs,
            ),
        }  # fmt: skip
        for name, (argv, runs) in commands.items():
            timed("run", argv, tmp / "stamp")  # warm the file cache
            times = {way: [] for way in WAYS}
            for _ in range(runs):  # the two ways in turn, so that a slower spell of the machine hits both
                for way in WAYS:
                    times[way].append(timed(way, argv, tmp / "stamp"))
            results[name] = {
                way: {
                    "runs": runs,
                    "whole_median_s": statistics.median(whole for whole, _ in pairs),
                    "exit_median_s": statistics.median(after for _, after in pairs),
                }
                for way, pairs in times.items()
            }
    write_results(args.out, {"commands": results})
    print("| command | way | runs | whole process (s) | of it, after the command returned (s) |")
    print("|---|---|---|---|---|")
    for name, ways in results.items():
        for way, r in ways.items():
            print(f"| {name} | {WAYS[way]} | {r['runs']} | {r['whole_median_s']:.3f} | {r['exit_median_s']:.3f} |")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
