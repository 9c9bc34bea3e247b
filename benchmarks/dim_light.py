"""Numbers and digits photographed in dim light, from MNIST *test* digits: grainy, dark photos.

    python benchmarks/dim_light.py --data-dir ../shared/data/mnist [--count 100] [--seed 0]

A phone photo taken indoors in the evening is dark, and the gain the camera raises to brighten it
makes it grainy: flecks a pixel or two across all over the paper. Each row draws ``--count`` numbers
of 2–6 digits 28–120 px tall (``synthetic.random_number``) and as many single digits 40–200 px tall
(``synthetic.strokes``) in a pen on white paper, photographed as ``synthetic.dim_photo`` does with
the light and noise of ``synthetic.DIM`` (the paper 0.93 of white when well lit, 0.28 at 0.3 of the
light). Numbers are read with ``predict_number`` (exact), digits with ``predict``. Run it with
PYTHONPATH pointing at another commit's src for a before/after. Results go to
benchmarks/results/dim_light.json, a table to stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digit_recognizer.synthetic import DIM, dim_photo  # noqa: E402

from machine import drawn_rows_main  # noqa: E402


def main() -> None:
    draws = {
        f"{name} ({light:g} light, noise {noise:g})": lambda ink, rng, light=light, noise=noise: dim_photo(
            ink, rng, light, noise
        )
        for name, (light, noise) in DIM.items()
    }
    drawn_rows_main(__doc__, "dim_light", "light", draws)


if __name__ == "__main__":
    main()
