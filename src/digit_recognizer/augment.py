"""Batch augmentation on the training device: random affine (rotation, shift, zoom, shear) and elastic
distortion, applied to a whole batch with one sampling grid — no per-image Python loop.

No flips: a mirrored 2, 5 or 7 is not a digit any more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .errors import ConfigError


@dataclass
class Augment:
    """Strengths of each distortion; 0 turns it off. Shift is a fraction of the image size."""

    rotation: float = 10.0  # degrees, ±
    shift: float = 0.1  # ±10 % of 28 px
    zoom: float = 0.1  # scale in [0.9, 1.1]
    shear: float = 0.1  # ± shear factor
    elastic: float = 0.0  # displacement in pixels (typical: 1–3)
    elastic_grid: int = 4  # the displacement field's resolution before smooth up-sampling
    thickness: float = 0.0  # share of images whose strokes are thickened (thick markers)

    def check(self) -> None:
        """Refuse strengths that break training or make no sense (a digit shifted out of the image)."""
        for name in ("rotation", "shift", "zoom", "shear", "elastic", "thickness"):
            if not (value := getattr(self, name)) >= 0:  # NaN too
                raise ConfigError(f"augmentation strength {name} must not be negative (got {value})")
        for name, most, why in (
            ("rotation", 180, "degrees either way"),
            ("shift", 0.5, "a fraction of the image either way; more moves the digit out of it"),
            ("thickness", 1, "the share of images thickened"),
        ):
            if getattr(self, name) > most:
                raise ConfigError(f"augmentation strength {name} is at most {most}, {why} (got {getattr(self, name)})")
        if self.zoom >= 1:
            raise ConfigError(f"augmentation strength zoom must be under 1: the scale is 1 ± zoom (got {self.zoom})")
        if self.elastic_grid < 1:
            raise ConfigError(f"elastic_grid must be at least 1 (got {self.elastic_grid})")

    @property
    def enabled(self) -> bool:
        return any((self.rotation, self.shift, self.zoom, self.shear, self.elastic, self.thickness))

    def __call__(self, images: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Distort a batch (N, C, H, W); background must be 0 (padding uses zeros)."""
        if not self.enabled:
            return images
        n, _, h, w = images.shape
        if self.thickness:
            images = self._thickness(images, generator)
        grid = F.affine_grid(self._affine(n, images, generator), list(images.shape), align_corners=False)
        if self.elastic:
            grid = grid + self._elastic(n, h, w, images, generator)
        return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)

    def _thickness(self, images: torch.Tensor, generator) -> torch.Tensor:
        """Thick markers: a 3×3 grey dilation for a share of the batch.

        No thinning: an erosion erases MNIST's 2–3 px strokes, and thin pen or pencil strokes are
        brought to MNIST's width by the preprocessing instead.
        """
        pick = torch.rand(len(images), 1, 1, 1, generator=generator, device=images.device, dtype=images.dtype)
        return torch.where(pick < self.thickness, F.max_pool2d(images, 3, stride=1, padding=1), images)

    def _uniform(self, n: int, bound: float, like: torch.Tensor, generator) -> torch.Tensor:
        r = torch.rand(n, generator=generator, device=like.device, dtype=like.dtype)
        return (2 * r - 1) * bound

    def _affine(self, n: int, like: torch.Tensor, generator) -> torch.Tensor:
        """Per-image 2×3 matrices mapping output to input coordinates (normalised to [-1, 1])."""
        angle = self._uniform(n, math.radians(self.rotation), like, generator)
        scale = 1 + self._uniform(n, self.zoom, like, generator)
        shear = self._uniform(n, self.shear, like, generator)
        tx = self._uniform(n, 2 * self.shift, like, generator)
        ty = self._uniform(n, 2 * self.shift, like, generator)
        cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
        theta = torch.stack(
            [torch.stack([cos, -sin + shear * cos, tx], 1), torch.stack([sin, cos + shear * sin, ty], 1)], 1
        )
        return theta

    def _elastic(self, n: int, h: int, w: int, like: torch.Tensor, generator) -> torch.Tensor:
        """A smooth random displacement field: coarse noise, bicubically up-sampled (cf. Simard et al. 2003)."""
        g = self.elastic_grid
        coarse = torch.randn(n, 2, g, g, generator=generator, device=like.device, dtype=like.dtype)
        field = F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=False)
        scale = torch.tensor([2 * self.elastic / w, 2 * self.elastic / h], device=like.device, dtype=like.dtype)
        return field.permute(0, 2, 3, 1) * scale
