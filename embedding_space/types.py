"""Array and callback types shared by every subpackage of the core."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = ["FloatMatrix", "IdMatrix", "ProgressCallback", "ScoreVector"]

FloatMatrix = npt.NDArray[np.float32]
"""Vectors or coordinates, one row per dataset row: shape ``(n, d)``, float32."""

IdMatrix = npt.NDArray[np.int64]
"""Row ids, one row per dataset row: shape ``(n, k)``, int64 (e.g. each row's neighbours)."""

ScoreVector = npt.NDArray[np.float32]
"""One score per dataset row: shape ``(n,)``, float32 (e.g. each row's outlier score)."""

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each batch of a long job, with counts of items."""
