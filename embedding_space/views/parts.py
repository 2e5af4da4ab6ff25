"""The parts of a view that are values of their own: the camera, a note on the map, a search."""

from __future__ import annotations

import math
from dataclasses import dataclass

from embedding_space.analysis.search import SEARCH_KINDS
from embedding_space.errors import InputError
from embedding_space.text import without_direction_controls

__all__ = ["MAX_ANNOTATIONS", "MAX_ANNOTATION_CHARS", "Annotation", "Camera", "SearchSpec"]

MAX_ANNOTATIONS = 20
MAX_ANNOTATION_CHARS = 200


@dataclass(frozen=True)
class Camera:
    """Where a map looks: the axis ranges of a 2-D map, the eye of a 3-D one.

    Attributes:
        x: The 2-D map's horizontal range, low to high.
        y: Its vertical range.
        eye: The 3-D camera's position (plotly's ``scene.camera.eye``).
    """

    x: tuple[float, float] | None = None
    y: tuple[float, float] | None = None
    eye: tuple[float, float, float] | None = None

    def __post_init__(self) -> None:
        for name, numbers, count in (("x", self.x, 2), ("y", self.y, 2), ("eye", self.eye, 3)):
            if numbers is None:
                continue
            if len(numbers) != count or not all(math.isfinite(n) for n in numbers):
                raise InputError(f"{name} must be {count} finite numbers.")
            if count == 2 and numbers[0] >= numbers[1]:
                raise InputError(f"{name} must go from low to high.")

    @property
    def empty(self) -> bool:
        return self.x is None and self.y is None and self.eye is None


@dataclass(frozen=True)
class Annotation:
    """A short note pinned to a row, or to the centre of the view's selection.

    Attributes:
        text: The note, plain text (shown as typed, never as markup or a link).
        row: The row it points at; ``None`` for the centre of the selection.
    """

    text: str
    row: int | None = None

    def __post_init__(self) -> None:
        cleaned = without_direction_controls(" ".join(self.text.split()))
        if not cleaned or len(cleaned) > MAX_ANNOTATION_CHARS:
            raise InputError(f"A note needs 1 to {MAX_ANNOTATION_CHARS} characters.")
        if self.row is not None and self.row < 0:
            raise InputError("A note's row must be 0 or more.")
        object.__setattr__(self, "text", cleaned)


@dataclass(frozen=True)
class SearchSpec:
    """A search shown on the map: its kind, query and (for text and regex) column."""

    query: str
    kind: str = "text"
    column: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SEARCH_KINDS:
            raise InputError(f"qkind must be one of {', '.join(SEARCH_KINDS)}, not {self.kind!r}.")
