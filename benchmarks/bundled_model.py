"""Measure again every README figure that depends on the bundled model's weights.

    python benchmarks/bundled_model.py --data-dir ../shared/data/mnist [--model-path new.h5] [--out-dir DIR]
        [--only blur beside]

Runs, one after another, each benchmark whose result changes when the bundled model is retrained,
with the options its README row names, and passes ``--model-path`` (a model to measure before it is
bundled; default: the bundled one) and ``--data-dir`` to each. Every benchmark writes its own JSON
to benchmarks/results/ as it always does, or, with ``--out-dir``, to DIR/SCRIPT.json, leaving the
committed results as they are. A benchmark that fails is reported and the others still
run; the exit status is 1 if any failed. Prints the seconds each took.

Not here: the training figures (`train_recipes.py`, which trains the model) and the speed figures,
which depend on the architecture, not on the weights.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent

#: (script, its options as in the README's row)
BENCHMARKS = (
    ("realistic", ["--per-condition", "100"]),
    ("real_writers", []),
    ("handwriting_fonts", []),
    ("finetune", []),
    ("plotted", []),
    ("pen_colours", []),
    ("on_a_desk", []),
    ("close_up", []),
    ("beside", []),
    ("small_digits", []),
    ("blur", []),
    ("pencil", []),
    ("handwritten_numbers", ["--count", "200"]),
    ("long_numbers", []),
    ("form_boxes", []),
    ("number_marks", []),
    ("rising_numbers", []),
    ("form_labels", []),
    ("dotted_paper", []),
    ("glare", []),
    ("on_a_line", []),
    ("circled", []),
    ("several_digits", ["--real"]),
    ("readme_examples", []),
    ("model_damage", []),
)


def main() -> None:
    names = [name for name, _ in BENCHMARKS]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-path", help="model file (default: the bundled model)")
    parser.add_argument("--data-dir", help="MNIST folder (default: as `digits data` finds it)")
    parser.add_argument("--out-dir", type=Path, help="write each result to OUT_DIR/SCRIPT.json instead")
    parser.add_argument("--only", nargs="+", choices=names, metavar="NAME", help=f"run only these: {', '.join(names)}")
    args = parser.parse_args()
    passed = [*(["--model-path", args.model_path] if args.model_path else []),
              *(["--data-dir", args.data_dir] if args.data_dir else [])]  # fmt: skip
    failed = []
    for name, options in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        command = [sys.executable, str(HERE / f"{name}.py"), *options, *passed]
        if args.out_dir:
            command += ["--out", str(args.out_dir / f"{name}.json")]
        print(f"== {name}: {' '.join(command[1:])}", flush=True)
        start = time.perf_counter()
        code = subprocess.run(command).returncode
        print(f"== {name}: {'done' if code == 0 else f'FAILED (exit {code})'} in {time.perf_counter() - start:.0f} s",
              flush=True)  # fmt: skip
        if code:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
