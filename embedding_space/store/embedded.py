"""Rows with their vectors: one embedding of a dataset's rows, read once, and the model that
embeds texts typed against them.

:class:`EmbeddedRows` is what a :class:`~embedding_space.store.space.Space` is made of; the
space adds every result derived from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from embedding_space.embed.base import Embedder, check_dimension, embed
from embedding_space.embed.models import load_model
from embedding_space.embed.traditional import TraditionalEmbedder
from embedding_space.errors import InputError
from embedding_space.io.columns import texts_of
from embedding_space.limits import check_typed_texts
from embedding_space.store.embedding_files import VectorSource
from embedding_space.types import FloatMatrix

__all__ = ["EmbeddedRows", "ModelLoader"]

ModelLoader = Callable[[str], Embedder]
"""Loads a model by name (the app passes its per-process cache of loaded models)."""


class EmbeddedRows:
    """A set of rows and one embedding of them.

    Args:
        model_key: What made the vectors (a model's cache key, or "uploaded vectors").
        source: Where the vectors are.
        table: Reads the rows (called once, when first needed).
        text_column: The column of ``table`` that holds the text.
        query_model: The model that embeds typed texts (a query, an expression's terms):
            ``None`` for the one the source says made the vectors, ``""`` when nobody knows
            it (vectors uploaded without its name).
        models: Loads a model by name.
        rows: The number of rows, when it is known without reading them.
    """

    def __init__(
        self,
        *,
        model_key: str,
        source: VectorSource,
        table: Callable[[], pd.DataFrame],
        text_column: str,
        query_model: str | None = None,
        models: ModelLoader = load_model,
        rows: int | None = None,
    ) -> None:
        self.model_key = model_key
        self.source = source
        self.text_column = text_column
        self._query_model = query_model
        self._read_table = table
        self._models = models
        self._rows = rows
        # Read once and held (plain attributes: on Python 3.11 a cached_property would make
        # every session wait while one reads a large dataset's vectors).
        self._vectors: FloatMatrix | None = None
        self._table: pd.DataFrame | None = None
        self._texts: list[str] | None = None
        self._fit: TraditionalEmbedder | None = None

    # -- what it is made of -------------------------------------------------------------------

    @property
    def query_model(self) -> str | None:
        """The model that embeds texts typed against this space; ``None`` when unknown."""
        if self._query_model is None:
            return self.source.model_name()
        return self._query_model or None

    def has_vectors(self) -> bool:
        """Whether the vectors are stored yet (before that, only the rows can be read)."""
        return self.source.exists()

    @property
    def vectors(self) -> FloatMatrix:
        """The vectors, shape ``(n, d)``, read once (share them read-only)."""
        if self._vectors is None:
            self._vectors = self.source.vectors()
        return self._vectors

    @property
    def table(self) -> pd.DataFrame:
        """The rows, read once (read-only: copy before changing)."""
        if self._table is None:
            self._table = self._read_table()
        return self._table

    @property
    def texts(self) -> list[str]:
        """The texts in row order."""
        if self._texts is None:
            self._texts = texts_of(self.table, self.text_column)
        return self._texts

    @property
    def rows(self) -> int:
        """The number of rows."""
        return self._rows if self._rows is not None else len(self.table)

    @property
    def dimension(self) -> int:
        """The length of each vector."""
        return int(self.vectors.shape[1])

    def truncated(self) -> int:
        """How many texts were longer than the model reads (only their start was embedded)."""
        return self.source.truncated()

    @property
    def fit(self) -> TraditionalEmbedder | None:
        """For a traditional embedder, its fit on these rows (once stored); else ``None``."""
        if self._fit is None:
            self._fit = self.source.fit()
        return self._fit

    def column_values(self, column: str | None) -> list[str] | None:
        """A column's values as text (labels for the label figures, values to search);
        ``None`` for no column.

        Raises:
            InputError: No such column.
        """
        if column is None:
            return None
        if column not in self.table.columns:
            names = ", ".join(str(name) for name in self.table.columns)
            raise InputError(f"There is no column '{column}'. Pick one of: {names}.")
        return self.table[column].astype(str).tolist()

    # -- typed texts --------------------------------------------------------------------------

    def query_embedder(self) -> Embedder:
        """The model that embeds texts typed against this space (a traditional one: its fit).

        Raises:
            InputError: Nobody named the model, or it does not load.
        """
        name = self.query_model
        if not name:
            raise InputError(
                "These vectors came without the name of their model, so there is nothing to "
                "embed a typed text with; the model that made them has to be named."
            )
        model = self._models(name)
        if not model.fitted_on_corpus:
            return model
        if self.fit is None:
            raise InputError(f"The dataset is not embedded with {name} yet.")
        return self.fit

    def embed_texts(self, texts: Sequence[str]) -> FloatMatrix:
        """Typed texts embedded with :meth:`query_embedder`, shape ``(len(texts), d)``.

        Raises:
            InputError: No model for typed texts, or one of another dimension.
        """
        model = self.query_embedder()
        check_dimension(model, self.dimension)
        return embed(list(texts), model).vectors

    def embed_typed(self, texts: Sequence[str]) -> FloatMatrix:
        """Texts a visitor typed, embedded as :meth:`embed_texts` does, once their number and
        length are checked (cluster labels, which the program writes, need no check).

        Raises:
            InputError: More than :data:`~embedding_space.limits.MAX_TYPED_TEXTS` texts, one
                longer than :data:`~embedding_space.limits.MAX_TYPED_TEXT_CHARS`, or as for
                :meth:`embed_texts`.
        """
        check_typed_texts(texts)
        return self.embed_texts(texts)

    def top_words(self, row: int, count: int = 8) -> list[str]:
        """The words weighing most in a row's vector, when a traditional embedder made it."""
        if self.fit is None:
            return []
        return [word for word, _ in self.fit.top_terms(self.vectors[row], count)]
