"""The benchmark scripts' own behaviour (their figures are measured by running them, not here)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT


def benchmark(script: str, *options) -> subprocess.CompletedProcess:
    """``python benchmarks/SCRIPT OPTIONS`` with this checkout's package, its output captured."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, ROOT / "benchmarks" / script, *options]
    return subprocess.run(command, capture_output=True, text=True, env=env)


@pytest.mark.parametrize("script", ["realistic.py", "handwritten_numbers.py"])
def test_a_benchmark_without_mnist_says_so_in_one_line(tmp_path, script):
    run = benchmark(script, "--data-dir", tmp_path / "absent", "--out", tmp_path / "o")
    assert run.returncode == 1
    assert run.stderr == f"error: data folder {tmp_path / 'absent'} does not exist\n"  # no traceback


def test_measuring_the_bundled_model_again_runs_every_benchmark_and_names_those_that_failed(tmp_path):
    run = benchmark("bundled_model.py", "--only", "blur", "plotted", "--data-dir", tmp_path / "absent")
    assert run.returncode == 1
    # the first failure does not stop the second benchmark, and the order is the runner's own
    assert [line.split(" in ")[0] for line in run.stdout.splitlines() if "FAILED" in line] == [
        "== plotted: FAILED (exit 1)",
        "== blur: FAILED (exit 1)",
    ]
    assert run.stderr.count("does not exist") == 2
    assert run.stderr.endswith("failed: plotted, blur\n")
