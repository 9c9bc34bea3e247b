"""Batch augmentation on the training device: random affine (rotation, shift, zoom, shear) and elastic
distortion, applied to a whole batch with one sampling grid — no per-image Python loop. Before them,
some 1s may be given a flag (``flag``), as many schools teach the 1 and MNIST's writers seldom wrote it.

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
    flag: float = 0.0  # share of the 1s given a flag, the up-stroke at the top of a 1 (needs the labels)

    def check(self) -> None:
        """Refuse strengths that break training or make no sense (a digit shifted out of the image)."""
        for name in ("rotation", "shift", "zoom", "shear", "elastic", "thickness", "flag"):
            if not (value := getattr(self, name)) >= 0:  # NaN too
                raise ConfigError(f"augmentation strength {name} must not be negative (got {value})")
        for name, most, why in (
            ("rotation", 180, "degrees either way"),
            ("shift", 0.5, "a fraction of the image either way; more moves the digit out of it"),
            ("thickness", 1, "the share of images thickened"),
            ("flag", 1, "the share of the 1s given a flag"),
        ):
            if getattr(self, name) > most:
                raise ConfigError(f"augmentation strength {name} is at most {most}, {why} (got {getattr(self, name)})")
        if self.zoom >= 1:
            raise ConfigError(f"augmentation strength zoom must be under 1: the scale is 1 ± zoom (got {self.zoom})")
        if self.elastic_grid < 1:
            raise ConfigError(f"elastic_grid must be at least 1 (got {self.elastic_grid})")

    @property
    def moves(self) -> bool:
        """Whether the digits are moved (resampled): any of rotation, shift, zoom, shear, elastic."""
        return any((self.rotation, self.shift, self.zoom, self.shear, self.elastic))

    @property
    def enabled(self) -> bool:
        return self.moves or bool(self.thickness or self.flag)

    def __call__(
        self, images: torch.Tensor, generator: torch.Generator | None = None, labels: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Distort a batch (N, C, H, W) in [0, 1]; background must be 0 (padding uses zeros). ``labels``
        (N,) tell ``flag`` which images are 1s; without them no flag is drawn."""
        if not self.enabled:
            return images
        n, _, h, w = images.shape
        if self.flag and labels is not None:
            images = self._flag(images, labels, generator)
        if self.thickness:
            images = self._thickness(images, generator)
        if not self.moves:
            return images  # no resampling where nothing moves
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

    def _flag(self, images: torch.Tensor, labels: torch.Tensor, generator) -> torch.Tensor:
        """A share of the 1s with a flag: a straight stroke from the top of the stem down to the left,
        20–45 % of the digit's height long, 30–70° below the stem's perpendicular (a 1 leaning right
        gets a flatter flag, down to 25°), as wide as the digit's strokes (its ink over its height),
        anti-aliased."""
        pick = torch.rand(len(images), generator=generator, device=images.device) < self.flag
        which = torch.nonzero(pick & (labels == 1)).flatten()
        if not len(which):
            return images
        ones = images[which, 0]
        m, h, w = ones.shape
        ink = ones > 0.5
        rows = ink.any(2)
        if not (keep := rows.any(1)).all():  # a 1 with no ink above half grey: left as it is
            which, ones, ink, rows, m = which[keep], ones[keep], ink[keep], rows[keep], int(keep.sum())
        index = torch.arange(h, device=images.device)
        top = torch.where(rows, index, h).amin(1)
        bottom = torch.where(rows, index, -1).amax(1)
        height = (bottom - top + 1).to(ones.dtype)
        columns = torch.arange(w, device=images.device, dtype=ones.dtype)

        def column(first: torch.Tensor) -> torch.Tensor:  # the mean column of the ink in rows first, first + 1
            near = (index[None] >= first[:, None]) & (index[None] < first[:, None] + 2)
            there = (ink & near[:, :, None]).to(ones.dtype)
            return (there.sum(1) * columns).sum(1) / there.sum((1, 2)).clamp(min=1)

        x0, y0 = column(top), top.to(ones.dtype)
        lean = torch.atan2(x0 - column(bottom - 1), height)  # > 0: the stem's top is right of its foot
        length = height * (0.2 + 0.25 * torch.rand(m, generator=generator, device=images.device, dtype=ones.dtype))
        angle = torch.deg2rad(30 + 40 * torch.rand(m, generator=generator, device=images.device, dtype=ones.dtype))
        # measured from the stem's perpendicular, as a slanted hand draws it, but never as flat as a 7's bar
        angle = (angle - lean).clamp(math.radians(25), math.radians(80))
        dx, dy = -length * torch.cos(angle), length * torch.sin(angle)
        width = (ones.sum((1, 2)) / height).clamp(1.5, 4.0)
        yy, xx = torch.meshgrid(index.to(ones.dtype), columns, indexing="ij")
        px, py = xx[None] - x0[:, None, None], yy[None] - y0[:, None, None]  # pixels from the flag's start
        along = ((px * dx[:, None, None] + py * dy[:, None, None]) / (length**2)[:, None, None]).clamp(0, 1)
        dist = torch.hypot(px - along * dx[:, None, None], py - along * dy[:, None, None])
        stroke = (width[:, None, None] / 2 + 0.5 - dist).clamp(0, 1)
        images = images.clone()
        images[which, 0] = torch.maximum(ones, stroke)
        return images

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
