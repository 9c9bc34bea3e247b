"""Train each recipe twice with the same seed: are the saved weights the same bit for bit, and how long
did an epoch take? On a GPU, run it with the code before and after a change to see what reproducible
training costs there (with PYTHONPATH pointing at the other code's src).

    python benchmarks/reproducible.py --data-dir ../shared/data/mnist [--recipes fast default] [--epochs 2]

--strict also asks torch to warn about every operation it has no deterministic algorithm for
(torch.use_deterministic_algorithms(True, warn_only=True)); the warnings go into the results.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from machine import common_arguments, write_results  # noqa: E402


def run_twice(recipe: str, epochs: int, mnist, folder: Path, seed: int) -> dict:
    from digit_recognizer.checkpoint import read_model_file
    from digit_recognizer.train import RECIPES, recipe_config, train

    runs = []
    for name in ("a", "b"):
        path = folder / f"{recipe}-{name}.h5"
        config = recipe_config(recipe, model_path=str(path), seed=seed, epochs=min(epochs, RECIPES[recipe]["epochs"]))
        history = train(config, mnist).history
        runs.append((read_model_file(path).weights, history))
    (weights_a, history_a), (weights_b, history_b) = runs
    differ = [k for k in weights_a if not np.array_equal(weights_a[k], weights_b[k])]
    return {
        "recipe": recipe,
        "epochs": len(history_a),
        "identical": not differ,
        "tensors_that_differ": len(differ),
        "max_abs_difference": max((float(np.abs(weights_a[k] - weights_b[k]).max()) for k in differ), default=0.0),
        "val_loss": [history_a[-1].val_loss, history_b[-1].val_loss],
        "epoch_seconds": [[round(h.seconds, 3) for h in history] for history in (history_a, history_b)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_arguments(parser, "reproducible")
    parser.add_argument("--recipes", nargs="+", default=["fast", "default"])
    parser.add_argument("--epochs", type=int, default=2, help="at most this many epochs of each recipe")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--strict", action="store_true", help="also warn about nondeterministic operations")
    args = parser.parse_args()
    if args.strict:  # cuBLAS needs this before its first call to be deterministic across streams
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    import torch

    from digit_recognizer.data import load_mnist
    from digit_recognizer.train import select_device

    if args.strict:
        torch.use_deterministic_algorithms(True, warn_only=True)
    mnist = load_mnist(args.data_dir)
    with warnings.catch_warnings(record=True) as caught, tempfile.TemporaryDirectory() as folder:
        warnings.simplefilter("always")
        results = [run_twice(r, args.epochs, mnist, Path(folder), args.seed) for r in args.recipes]
    nondeterministic = sorted({str(w.message).split("\n")[0] for w in caught if "deterministic" in str(w.message)})
    write_results(
        args.out,
        {
            "date": time.strftime("%Y-%m-%d"),
            "device": str(select_device()),
            "strict": args.strict,
            "runs": results,
            "nondeterministic_warnings": nondeterministic,
        },
    )
    print("| recipe | epochs | same weights | tensors that differ | largest difference | epoch seconds, run a / b |")
    print("|---|---|---|---|---|---|")
    for r in results:
        a, b = (" ".join(f"{s:.2f}" for s in seconds) for seconds in r["epoch_seconds"])
        print(
            f"| {r['recipe']} | {r['epochs']} | {'yes' if r['identical'] else 'no'} | {r['tensors_that_differ']} | "
            f"{r['max_abs_difference']:.3g} | {a} / {b} |"
        )
    for message in nondeterministic:
        print("warning:", message)


if __name__ == "__main__":
    main()
