"""Milliseconds per training step, per architecture and precision, on this machine.

    python benchmarks/train_step.py --data-dir ../shared/data/mnist
    python benchmarks/train_step.py --archs resnet m5 --precisions fp32 bf16 --steps 10
    python benchmarks/train_step.py --archs m5 --width 32 --precisions fp32

Each (architecture, precision) runs `train()` with the default recipe for two epochs of ``--steps``
batches of 128 on a validation split of 128 images: the first epoch warms up, the second is timed. A
step is the whole loop body: augmentation, forward, loss, backward, optimiser, schedule and weight
average. Its cost times 430 (the batches in a full epoch of 55,000 images) estimates a full epoch's
training. On CPUs without fast bfloat16 kernels (see `cpu_capability` and `native_bf16` in the
results' machine) bf16 is the slow one. Results go to benchmarks/results/train_step.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.train import PRECISIONS, recipe_config, train  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402

FULL_EPOCH_STEPS = 430  # ceil(55,000 / 128)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archs", nargs="+", default=["cnn", "resnet", "m5"])
    parser.add_argument("--precisions", nargs="+", choices=PRECISIONS, default=list(PRECISIONS))
    parser.add_argument("--steps", type=int, default=10, help="timed training steps per combination")
    parser.add_argument("--width", type=int, help="the architectures' width (default: each one's own)")
    common_arguments(parser, "train_step")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    rows = []
    for arch in args.archs:
        for precision in args.precisions:
            with tempfile.TemporaryDirectory() as tmp:
                config = recipe_config(
                    "default", arch=arch, arch_params={}, epochs=2, patience=2, precision=precision,
                    train_limit=128 * args.steps, val_size=128, model_path=f"{tmp}/m.h5", width=args.width,
                )  # fmt: skip
                timed = train(config, mnist).history[-1]
            ms = 1000 * timed.seconds / args.steps
            rows.append({"arch": arch, "width": args.width, "precision": precision, "ms_per_step": round(ms, 1),
                         "full_epoch_seconds": round(ms * FULL_EPOCH_STEPS / 1000)})  # fmt: skip
            print(rows[-1], flush=True)
    write_results(args.out, {"settings": vars(args), "steps": rows})
    print("| architecture | precision | ms per step (batch 128) | a full epoch, estimated |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| `{r['arch']}` | {r['precision']} | {r['ms_per_step']:,} | {r['full_epoch_seconds']:,} s |")


if __name__ == "__main__":
    main()
