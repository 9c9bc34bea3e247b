"""The benchmark scripts' own behaviour (their figures are measured by running them, not here)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.parametrize("script", ["realistic.py", "handwritten_numbers.py"])
def test_a_benchmark_without_mnist_says_so_in_one_line(tmp_path, script):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, ROOT / "benchmarks" / script, "--data-dir", tmp_path / "absent", "--out", tmp_path / "o"]
    run = subprocess.run(command, capture_output=True, text=True, env=env)
    assert run.returncode == 1
    assert run.stderr == f"error: data folder {tmp_path / 'absent'} does not exist\n"  # no traceback
