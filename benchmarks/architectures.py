"""The architecture table: parameters, MFLOPs, CPU training time per epoch, inference speed, accuracy.

    python benchmarks/architectures.py --epochs 3 --data-dir ../shared/data/mnist
    python benchmarks/architectures.py --epochs 3 --precision bf16 --out benchmarks/results/architectures-bf16.json
    python benchmarks/architectures.py --archs m5 --width 32 --out benchmarks/results/architectures-m5-width32.json

Each architecture is trained with the default recipe's settings (augmentation, one-cycle schedule)
for ``--epochs`` epochs on the 55,000 training images, so accuracies are those of short runs, not
converged ones. ``--precision bf16`` trains under bfloat16 autocast (`digits train --precision bf16`),
``--width N`` sizes the architectures (`digits train --width N`; m5 at width 32 is the ensembles' wide
member).
Inference speed is a batch of 1,000 images through the model file's ONNX graph.
Results go to benchmarks/results/architectures.json, a table to stdout.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.data import load_mnist  # noqa: E402
from digit_recognizer.evaluate import Evaluation  # noqa: E402
from digit_recognizer.models import build_model, count_parameters  # noqa: E402
from digit_recognizer.recognizer import Recognizer  # noqa: E402
from digit_recognizer.train import recipe_config, train  # noqa: E402

from machine import common_arguments, write_results  # noqa: E402


def mflops(model: nn.Module) -> float:
    """Multiply-accumulates of one 28×28 image through the convolutions and linear layers, in millions."""
    total = 0

    def count(module, inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            total += (
                output.numel() * module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
            )
        elif isinstance(module, nn.Linear):
            total += module.in_features * module.out_features

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model.eval()(torch.zeros(1, 1, 28, 28))
    for h in hooks:
        h.remove()
    return total / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archs", nargs="+", default=["lenet5", "fastnet", "cnn", "resnet", "m5"])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32", help="training precision")
    parser.add_argument("--width", type=int, help="channels of the first layer (cnn, resnet, m5)")
    common_arguments(parser, "architectures")
    args = parser.parse_args()

    mnist = load_mnist(args.data_dir)
    rows = {}
    for arch in args.archs:
        config = recipe_config(
            "default", arch=arch, arch_params={}, width=args.width, epochs=args.epochs, precision=args.precision
        )
        model = build_model(arch, **config.arch_params)
        with tempfile.TemporaryDirectory() as tmp:
            config.model_path = f"{tmp}/m.h5"
            result = train(config, mnist)
            recognizer = Recognizer(result.model_file)
        batch = mnist.test_images[:1000]
        recognizer.probabilities(batch)
        start = time.perf_counter()
        for _ in range(5):
            recognizer.probabilities(batch)
        per_second = 5000 / (time.perf_counter() - start)
        evaluation = Evaluation.from_probabilities(recognizer.probabilities(mnist.test_images), mnist.test_labels)
        name = arch if args.width is None else f"{arch} --width {args.width}"
        rows[name] = {
            "parameters": count_parameters(model),
            "mflops": round(mflops(model), 2),
            "train_seconds_per_epoch": round(sum(h.seconds for h in result.history) / len(result.history), 1),
            "inference_images_per_s": round(per_second),
            "test_accuracy": evaluation.accuracy,
            "epochs": args.epochs,
            "precision": args.precision,
        }
        print(name, rows[name], flush=True)
    write_results(args.out, {"settings": vars(args), "architectures": rows})
    print(f"Test accuracy after {args.epochs} epochs of the default recipe's schedule, {args.precision}:")
    print("| architecture | parameters | MFLOPs (MACs) | CPU s/epoch | inference images/s | test accuracy |")
    print("|---|---|---|---|---|---|")
    for arch, r in rows.items():
        speed = f"{r['train_seconds_per_epoch']} | {r['inference_images_per_s']:,}"
        print(f"| `{arch}` | {r['parameters']:,} | {r['mflops']} | {speed} | {r['test_accuracy']:.4f} |")


if __name__ == "__main__":
    main()
