"""The methods card: what a map was made with, in words a reader of the picture needs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from embedding_space.analysis.clustering import ClusterParams
from embedding_space.analysis.projection import METHOD_LABELS, Projection, ProjectionParams

__all__ = ["MethodsCard", "data_fingerprint"]


def data_fingerprint(texts: Sequence[str]) -> str:
    """A short hash of the texts in their order: the same data gives the same 12 characters."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class MethodsCard:
    """Everything that decides what a map shows.

    Attributes:
        rows: Rows drawn.
        fingerprint: :func:`data_fingerprint` of the texts.
        model: The embedding model (or "uploaded vectors").
        dimension: Its vectors' length.
        truncated: Texts longer than the model reads.
        max_tokens: How many tokens the model reads, when it has a limit.
        projection: The projection drawn (its method may be a fallback).
        params: The projection's parameters as asked.
        clusters: The clustering shown, if any.
        images: Whether the model embedded the rows' images (a CLIP model), not their texts.
    """

    rows: int
    fingerprint: str
    model: str
    dimension: int
    truncated: int
    max_tokens: int | None
    projection: Projection
    params: ProjectionParams
    clusters: ClusterParams | None = None
    images: bool = False

    def lines(self) -> list[str]:
        """The card, a line per fact."""
        shown = self.projection.method
        relevant = ProjectionParams(**{**self.params.__dict__, "method": shown}).relevant()
        settings = ", ".join(f"{k}={v}" for k, v in relevant.items() if k != "method")
        lines = [
            f"Data: {self.rows:,} rows, fingerprint {self.fingerprint}",
            f"Model: {self.model}, {self.dimension} dimensions"
            + (f", reads {self.max_tokens} tokens" if self.max_tokens and not self.images else ""),
            "Embedded: each row's image (a 384 px copy), typed texts into the same space"
            if self.images
            else f"Texts longer than the model reads: {self.truncated:,}",
            f"Projection: {METHOD_LABELS[shown]} ({settings})",
        ]
        if shown != self.params.method:
            lines.append(f"  {self.projection.note}")
        if self.clusters is not None:
            lines.append(f"Clusters: {self.clusters.describe()}, in the full embedding space")
        return lines

    def text(self) -> str:
        """The card as plain text, to copy."""
        return "\n".join(self.lines())

    def caption(self) -> str:
        """The card on one line, for an exported image."""
        return " · ".join(line.strip() for line in self.lines())
