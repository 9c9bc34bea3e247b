"""Take a model file's ONNX graph out for transport, and put it back from the weights.

    python benchmarks/onnx_graph.py drop runs/ensemble/shared3-s60.h5 ...
    python benchmarks/onnx_graph.py add runs/ensemble/shared3-s60.h5 ...

A finished model file carries its network twice: the weights, and the same network as an ONNX graph.
A wide m5 member (``--width 32``) is about 9 MB, so the eight members of the "shared3" pool do not fit
the 64 MB a device call may bring back. ``device_pool.sh`` with ``SLIM=1`` drops the graphs from
copies of the members before packing them, and ``add`` exports each graph again here from the
weights, as ``digits train`` does at the end of a run. ``ensembles.py`` tells a finished member by its
graph and its history together, so a member the time limit cut short stays unfinished either way.
Files are rewritten in place, atomically; a file that is not a model file gets a clear error, and the
others are still done.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digit_recognizer.checkpoint import read_model_file, write_model_file
from digit_recognizer.errors import ModelFileError
from digit_recognizer.models import export_onnx, network_from_file


def drop(path: Path) -> str:
    model_file = read_model_file(path)
    if model_file.onnx is None:
        return "no graph to drop"
    model_file.onnx = None
    write_model_file(path, model_file)
    return "graph dropped"


def add(path: Path) -> str:
    model_file = read_model_file(path)
    if model_file.onnx is not None:
        return "has its graph already"
    model_file.onnx = export_onnx(network_from_file(model_file))
    write_model_file(path, model_file)
    return "graph added"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["drop", "add"])
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    failed = 0
    for path in args.files:
        try:
            print(f"{path}: {(drop if args.action == 'drop' else add)(path)}")
        except ModelFileError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
