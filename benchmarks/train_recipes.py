"""Run the training recipes on full MNIST and time them.

    python benchmarks/train_recipes.py --recipes fast default --repeat 3 --data-dir ../shared/data/mnist

For each run: the whole command's wall time (start-up, data, training, test pass, plots), the
training time until validation accuracy first reached 99.0 / 99.5 / 99.7 %, and the final test
accuracy. Results go to benchmarks/results/recipes.json (with the machine), a table to stdout.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from machine import train_run, write_results  # noqa: E402

HERE = Path(__file__).parent
TARGETS = (0.99, 0.995, 0.997)


def run(recipe: str, seed: int, data_dir: str | None, out: Path, extra: list[str]) -> dict:
    name = f"{recipe}-{seed}"
    model, plots = out / f"{name}.h5", out / f"{name}-plots"
    start = time.perf_counter()
    train_run(out, name, ["--recipe", recipe, "--seed", str(seed), *extra], data_dir)
    wall = time.perf_counter() - start
    history = json.loads((plots / "history.json").read_text())
    elapsed, reached = 0.0, {}
    for row in history:
        elapsed += row["seconds"]
        for target in TARGETS:
            if row["val_accuracy"] >= target and str(target) not in reached:
                reached[str(target)] = round(elapsed, 2)
    from digit_recognizer.checkpoint import read_model_file

    metrics = read_model_file(model).metadata["metrics"]
    return {
        "recipe": recipe,
        "seed": seed,
        "wall_seconds": round(wall, 2),
        "train_seconds": round(elapsed, 2),
        "epochs": len(history),
        "seconds_to_val": reached,
        "best_val_accuracy": metrics["val_accuracy"],
        "test_accuracy": metrics["test_accuracy"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipes", nargs="+", default=["fast", "default"])
    parser.add_argument("--repeat", type=int, default=1, help="runs per recipe, seeds 0..N-1")
    parser.add_argument("--data-dir")
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--name", default="recipes", help="results file name (without .json)")
    parser.add_argument("extra", nargs="*", help="more `digits train` options, after --")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs = [run(r, seed, args.data_dir, out, args.extra) for r in args.recipes for seed in range(args.repeat)]
    summary = {}
    for recipe in args.recipes:
        mine = [r for r in runs if r["recipe"] == recipe]
        summary[recipe] = {
            key: {
                "mean": statistics.mean(r[key] for r in mine),
                "min": min(r[key] for r in mine),
                "max": max(r[key] for r in mine),
            }
            for key in ("wall_seconds", "train_seconds", "test_accuracy")
        }
    write_results(out / f"{args.name}.json", {"date": time.strftime("%Y-%m-%d"), "runs": runs, "summary": summary})
    print("| recipe | runs | whole command (s) | training (s) | to 99.0 / 99.5 / 99.7 % val (s) | test accuracy |")
    print("|---|---|---|---|---|---|")
    for recipe, s in summary.items():
        mine = [r for r in runs if r["recipe"] == recipe]
        to = " / ".join(
            str(statistics.mean(r["seconds_to_val"][str(t)] for r in mine))
            if all(str(t) in r["seconds_to_val"] for r in mine)
            else "–"
            for t in TARGETS
        )
        acc = s["test_accuracy"]
        print(
            f"| {recipe} | {len(mine)} | {s['wall_seconds']['mean']:.1f} | {s['train_seconds']['mean']:.1f} | {to} | "
            f"{acc['mean']:.4f} (min {acc['min']:.4f}, max {acc['max']:.4f}) |"
        )


if __name__ == "__main__":
    main()
