"""A dataset's record: what its ``manifest.json`` says, and how it is read back."""

from __future__ import annotations

from dataclasses import dataclass, field

from embedding_space.store.recovery import manifest_values

__all__ = ["DatasetInfo", "parse_manifest"]


@dataclass(frozen=True)
class DatasetInfo:
    """What the workspace knows of one dataset (its ``manifest.json``).

    Attributes:
        id: Unguessable id, safe as a folder name and in links.
        name: Display name, free text.
        rows: Number of rows.
        text_column: The column that holds the text.
        columns: Every column of the table.
        created: ISO timestamp (UTC).
        owner: Who may rename or delete it; ``None`` for a shared dataset such as the demo.
        shared: Whether everyone can see it.
        source: How it was loaded (file name, format, encoding, ...).
        vectors_model: For uploaded vectors, :data:`CUSTOM_VECTORS`; else ``None``.
        query_model: For uploaded vectors, the model that made them if the user named it
            (free-text search then embeds queries with it); else ``None``.
        expires: ISO timestamp after which it is deleted (anonymous owners on a shared
            server), else ``None``.
        batches: The batches added (name, date, rows; see ``store.batches``), the rows it
            started with first; empty until a batch is added.
        images: Whether each row has an image (see :mod:`~embedding_space.store.images`).
    """

    id: str
    name: str
    rows: int
    text_column: str
    columns: list[str]
    created: str
    owner: str | None = None
    shared: bool = False
    source: dict[str, object] = field(default_factory=dict)
    vectors_model: str | None = None
    query_model: str | None = None
    expires: str | None = None
    batches: list[dict[str, object]] = field(default_factory=list)
    images: bool = False


def parse_manifest(text: str) -> tuple[DatasetInfo | None, str]:
    """The dataset a manifest describes, or ``None`` and why it cannot be read."""
    values, reason = manifest_values(text)
    if values is None:
        return None, reason
    try:
        return DatasetInfo(**values), ""
    except TypeError:
        return None, "it lacks fields a dataset needs, or has unknown ones"
