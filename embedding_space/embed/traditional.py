"""The traditional embedders, fitted on the corpus they embed: bag-of-words counts, one-hot
(word presence), TF-IDF, and TF-IDF reduced by truncated SVD (LSA).

Simple and interpretable (each dimension is a word, or for LSA a weighted mix of words), but
sparse and blind to meaning: "refund" and "money back" share nothing. Set beside a deep model
they show what the deep model adds on the user's own data.

Words are lower-cased, English stop words left out. A fit is the vocabulary and its weights
(and LSA's components); it is saved with the vectors
(:meth:`TraditionalEmbedder.save`), so a query typed later is embedded with the same fit.
The model names are ``bow``, ``onehot``, ``tfidf`` and ``lsa`` or ``lsa:DIM``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from embedding_space.errors import InputError
from embedding_space.types import FloatMatrix

__all__ = [
    "KINDS",
    "MAX_FEATURES",
    "TraditionalEmbedder",
    "lsa_dimension_for",
    "parse_traditional",
]

Kind = Literal["bow", "onehot", "tfidf", "lsa"]
KINDS: dict[str, str] = {
    "bow": "bag of words (word counts)",
    "onehot": "one-hot (word present or not)",
    "tfidf": "TF-IDF",
    "lsa": "LSA (TF-IDF reduced by truncated SVD)",
}
MAX_FEATURES = 4096
"""The vocabulary keeps the most frequent words up to this many: each is a dimension."""
_TOKENS = r"(?u)\b[^\W\d_][\w'-]+\b"


def lsa_dimension_for(rows: int) -> int:
    """LSA's default dimension: 100 for small corpora, up to 300 for large ones."""
    return int(np.clip(rows // 100, 100, 300))


def parse_traditional(name: str) -> tuple[Kind, int | None] | None:
    """``("lsa", 200)`` for ``"lsa:200"``, ``("tfidf", None)`` for ``"tfidf"``; ``None`` for a
    name that is not a traditional embedder.

    Raises:
        InputError: ``lsa:`` followed by something that is not a dimension of 2 or more.
    """
    kind, _, size = name.strip().lower().partition(":")
    if kind not in KINDS:
        return None
    if not size:
        return kind, None  # type: ignore[return-value]
    if kind != "lsa" or not size.isdigit() or int(size) < 2:
        raise InputError(f"'{name}': only LSA takes a dimension, as lsa:DIM with DIM of 2 or more.")
    return "lsa", int(size)


@dataclass(frozen=True)
class _Fit:
    terms: npt.NDArray[np.str_]
    idf: npt.NDArray[np.float64] | None
    components: npt.NDArray[np.float32] | None


class TraditionalEmbedder:
    """A bag-of-words family embedder, as an :class:`~embedding_space.embed.base.Embedder`.

    Args:
        kind: ``bow``, ``onehot``, ``tfidf`` or ``lsa``.
        lsa_dimension: LSA's dimension; :func:`lsa_dimension_for` the corpus when ``None``.
        max_features: The largest vocabulary.
    """

    fitted_on_corpus = True
    max_seq_length = None  # every word of a text counts

    def __init__(
        self, kind: Kind, lsa_dimension: int | None = None, max_features: int = MAX_FEATURES
    ) -> None:
        if kind not in KINDS:
            raise InputError(
                f"Unknown traditional embedder '{kind}'; use one of {', '.join(KINDS)}."
            )
        self.kind = kind
        self.lsa_dimension = lsa_dimension
        self.max_features = max_features
        self._fit: _Fit | None = None

    @property
    def name(self) -> str:
        """The model name as the user gives it: ``tfidf``, ``lsa`` or ``lsa:200``."""
        return self.kind if self.lsa_dimension is None else f"lsa:{self.lsa_dimension}"

    @property
    def fitted(self) -> bool:
        """Whether :meth:`fit` (or :meth:`load`) has given it a vocabulary."""
        return self._fit is not None

    def _require_fit(self) -> _Fit:
        if self._fit is None:
            raise InputError(f"The {KINDS[self.kind]} embedder must be fitted on texts first.")
        return self._fit

    @property
    def dimension(self) -> int:
        fit = self._require_fit()
        return len(fit.components) if fit.components is not None else len(fit.terms)

    @property
    def cache_key(self) -> str:
        """Names the recipe, not the fit: a dataset's vectors are stored under it with the fit
        beside them, and the per-text cache never sees corpus-fitted vectors."""
        return f"{self.name}|max_features={self.max_features}|fitted-per-dataset"

    @property
    def fingerprint(self) -> str:
        """A hash of the fit: two fits of different corpora never share one."""
        fit = self._require_fit()
        digest = hashlib.sha256("\x1f".join(fit.terms.tolist()).encode())
        if fit.idf is not None:
            digest.update(fit.idf.tobytes())
        if fit.components is not None:
            digest.update(fit.components.tobytes())
        return digest.hexdigest()[:16]

    def _vectorizer(self, vocabulary: Sequence[str] | None = None) -> Any:
        from sklearn.feature_extraction.text import CountVectorizer

        return CountVectorizer(
            lowercase=True,
            token_pattern=_TOKENS,
            # scikit-learn's English stop words: "has", "not", "my" would otherwise make two
            # texts neighbours for their grammar.
            stop_words="english",
            binary=self.kind == "onehot",
            max_features=None if vocabulary is not None else self.max_features,
            vocabulary=None if vocabulary is None else list(vocabulary),
            dtype=np.float64,
        )

    def fit(self, texts: Sequence[str]) -> TraditionalEmbedder:
        """A copy fitted on ``texts``: its vocabulary, IDF weights and LSA components.

        Raises:
            InputError: The texts hold no word at all.
        """
        from scipy import sparse

        vectorizer = self._vectorizer()
        try:
            counts = vectorizer.fit_transform([str(text) for text in texts])
        except ValueError:
            raise InputError("The texts hold no words, so there is no vocabulary to fit.") from None
        terms = np.asarray(vectorizer.get_feature_names_out(), dtype=np.str_)  # column order
        idf = None
        if self.kind in ("tfidf", "lsa"):
            present = np.asarray((sparse.csr_matrix(counts) > 0).sum(axis=0)).ravel()
            # scikit-learn's smooth IDF: log((1 + n) / (1 + df)) + 1.
            idf = np.log((1 + counts.shape[0]) / (1 + present)) + 1.0
        fitted = _with_fit(self, _Fit(terms, idf, None))
        if self.kind == "lsa":
            from sklearn.decomposition import TruncatedSVD

            weighted = fitted._weighted(counts)
            rows, words = weighted.shape
            # Left to choose, a small corpus keeps half as many components as texts: close to
            # their number, LSA keeps each text's noise and loses what texts share.
            wanted = self.lsa_dimension or min(lsa_dimension_for(rows), max(2, rows // 2))
            size = max(1, min(wanted, words - 1, rows - 1))
            svd = TruncatedSVD(n_components=size, algorithm="randomized", random_state=0)
            svd.fit(weighted)
            components = svd.components_.astype(np.float32)
            fitted = _with_fit(self, _Fit(terms, idf, components))
        return fitted

    def _weighted(self, counts: Any) -> Any:
        """Counts -> the kind's sparse rows (TF-IDF weighting), L2-normalised."""
        from sklearn.preprocessing import normalize

        fit = self._require_fit()
        if fit.idf is not None:
            from scipy import sparse

            counts = counts @ sparse.diags(fit.idf)
        return normalize(counts, norm="l2", copy=False)

    def encode_sparse(self, texts: Sequence[str]) -> Any:
        """The rows as a SciPy CSR matrix, before LSA: one column per vocabulary word."""
        fit = self._require_fit()
        counts = self._vectorizer(fit.terms.tolist()).transform([str(t) for t in texts])
        return self._weighted(counts).tocsr()

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed texts with the fit: ``(n, d)`` float32, unit rows (a text with no known word
        is the zero vector)."""
        fit = self._require_fit()
        rows = self.encode_sparse(texts)
        if fit.components is None:
            return np.asarray(rows.toarray(), dtype=np.float32)
        reduced = np.asarray(rows @ fit.components.T, dtype=np.float32)
        norms = np.linalg.norm(reduced, axis=1, keepdims=True)
        unit = np.divide(reduced, norms, out=np.zeros_like(reduced), where=norms > 0)
        return np.asarray(unit, dtype=np.float32)

    def count_truncated(self, texts: Sequence[str]) -> int:
        return 0

    def top_terms(
        self, vector: npt.NDArray[np.floating[Any]], n: int = 10
    ) -> list[tuple[str, float]]:
        """The words that weigh most in a vector of this embedder (for LSA, in the words'
        space the components span)."""
        fit = self._require_fit()
        weights = np.asarray(vector, dtype=np.float64)
        if fit.components is not None:
            weights = weights @ fit.components
        order = np.argsort(-weights)[:n]
        return [(str(fit.terms[i]), float(weights[i])) for i in order if weights[i] > 0]

    def component_terms(self, component: int, n: int = 10) -> list[tuple[str, float]]:
        """LSA only: the words with the largest weights in one component."""
        fit = self._require_fit()
        if fit.components is None:
            raise InputError("Only LSA has components.")
        row = fit.components[component]
        order = np.argsort(-np.abs(row))[:n]
        return [(str(fit.terms[i]), float(row[i])) for i in order]

    def save(self, path: Path) -> None:
        """Write the fit (``.npz``) so that a query embedded later uses the same one."""
        fit = self._require_fit()
        arrays: dict[str, Any] = {
            "kind": np.array(self.kind),
            "name": np.array(self.name),
            "max_features": np.array(self.max_features),
            "terms": fit.terms,
        }
        if fit.idf is not None:
            arrays["idf"] = fit.idf
        if fit.components is not None:
            arrays["components"] = fit.components
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(temporary, **arrays)
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> TraditionalEmbedder:
        """The embedder a :meth:`save` wrote.

        Raises:
            InputError: No such file, or not a fit.
        """
        try:
            with np.load(path, allow_pickle=False) as stored:
                kind, name = str(stored["kind"]), str(stored["name"])
                max_features = int(stored["max_features"])
                fit = _Fit(
                    stored["terms"],
                    stored.get("idf"),
                    stored.get("components"),
                )
        except (OSError, KeyError, ValueError) as error:
            raise InputError(f"'{path}' is not a saved fit ({error}).") from error
        if kind not in KINDS:
            raise InputError(f"'{path}' holds an unknown kind '{kind}'.")
        parsed = parse_traditional(name)
        dimension = parsed[1] if parsed is not None else None
        embedder = cls(kind, dimension, max_features)  # type: ignore[arg-type]
        embedder._fit = fit
        return embedder


def _with_fit(embedder: TraditionalEmbedder, fit: _Fit) -> TraditionalEmbedder:
    """A copy of ``embedder`` holding ``fit`` (the original stays unfitted)."""
    copy = TraditionalEmbedder(embedder.kind, embedder.lsa_dimension, embedder.max_features)
    copy._fit = fit
    return copy
