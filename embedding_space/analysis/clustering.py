"""Groups in the full embedding space, and the words that tell them apart.

Clusters are found on the vectors themselves, never on the 2-D map (whose distances lie):
KMeans with a chosen or suggested ``n_clusters``, or HDBSCAN, which leaves rows that belong to
no dense group as noise (``-1``). Each cluster is labelled by its most distinctive words:
class-based TF-IDF over the cluster's texts (each cluster's texts taken as one document),
English stop words removed, single words and pairs of words.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from embedding_space.analysis.parameters import (
    CLUSTER_METHODS,
    SETTINGS,
    ClusterMethod,
    default_of,
)
from embedding_space.analysis.similarity import unit_rows
from embedding_space.errors import InputError
from embedding_space.rows import sample_rows
from embedding_space.types import FloatMatrix

__all__ = [
    "CLUSTER_METHODS",
    "CLUSTER_NAME_CHARS",
    "NOISE",
    "ClusterParams",
    "Clustering",
    "cluster",
    "cluster_keywords",
    "suggest_n_clusters",
]

NOISE = -1
"""The cluster id of rows HDBSCAN puts in no cluster."""
MAX_CLUSTERS = int(SETTINGS["n_clusters"].high or 0)
CLUSTER_NAME_CHARS = 80
"""The longest name a person may give a cluster."""
_DEFAULT_METHOD = cast(ClusterMethod, default_of("cluster_method", str))
_SETTING_OF = {
    "method": "cluster_method",
    "n_clusters": "n_clusters",
    "min_cluster_size": "min_cluster_size",
}
"""Each field of :class:`ClusterParams` and the setting that checks it."""
_SILHOUETTE_SAMPLE = 2000
KMEANS_FIT_ROWS = 100_000
"""KMeans of more rows fits its centres on a sample of this many, then assigns every row."""
HDBSCAN_MAX_ROWS = 50_000
"""The most rows HDBSCAN is run on."""
_KEYWORD_ROWS = 20_000
"""Texts per cluster read for its keywords (a sample of a larger cluster reads the same)."""


@dataclass(frozen=True)
class ClusterParams:
    """How to cluster.

    Attributes:
        method: ``kmeans`` or ``hdbscan``.
        n_clusters: KMeans's number of clusters.
        min_cluster_size: HDBSCAN's smallest group.
        random_state: KMeans's seed.
    """

    method: ClusterMethod = _DEFAULT_METHOD
    n_clusters: int = default_of("n_clusters", int)
    min_cluster_size: int = default_of("min_cluster_size", int)
    random_state: int = 42

    def __post_init__(self) -> None:
        for field_name, setting in _SETTING_OF.items():
            object.__setattr__(
                self, field_name, SETTINGS[setting].value_of(getattr(self, field_name))
            )
        object.__setattr__(self, "random_state", int(self.random_state))

    def relevant(self) -> dict[str, object]:
        """The parameters that change this method's result."""
        used = {"kmeans": ("n_clusters", "random_state"), "hdbscan": ("min_cluster_size",)}
        values = asdict(self)
        return {"method": self.method, **{name: values[name] for name in used[self.method]}}

    def key(self) -> str:
        """A short stable hash of :meth:`relevant`, for file names."""
        text = json.dumps(self.relevant(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def describe(self) -> str:
        """``"KMeans, n_clusters=4, random_state=42"``, for captions."""
        name = {"kmeans": "KMeans", "hdbscan": "HDBSCAN"}[self.method]
        rest = ", ".join(f"{k}={v}" for k, v in self.relevant().items() if k != "method")
        return f"{name}, {rest}"


@dataclass(frozen=True)
class Clustering:
    """Which cluster each row is in, and what each cluster is called.

    Attributes:
        labels: Array of shape ``(n,)``, int64: a cluster id per row, :data:`NOISE` for none.
        names: Cluster id -> its label (keywords, or a name the user gave).
        note: A sentence for the user when the result differs from what was asked, else "".
    """

    labels: npt.NDArray[np.int64]
    names: dict[int, str] = field(default_factory=dict)
    note: str = ""

    @property
    def clusters(self) -> list[int]:
        """The cluster ids, largest cluster first, noise last."""
        ids, counts = np.unique(self.labels, return_counts=True)
        pairs = zip(ids.tolist(), counts.tolist(), strict=True)
        order = sorted(pairs, key=lambda pair: (pair[0] == NOISE, -pair[1]))
        return [int(cluster_id) for cluster_id, _ in order]

    def sizes(self) -> dict[int, int]:
        """Cluster id -> number of rows."""
        ids, counts = np.unique(self.labels, return_counts=True)
        return {int(i): int(c) for i, c in zip(ids, counts, strict=True)}

    def rows_of(self, cluster_id: int) -> list[int]:
        """The rows of one cluster, ascending (empty for an id it does not have)."""
        return [int(row) for row in np.flatnonzero(self.labels == cluster_id)]

    def name_of(self, cluster_id: int) -> str:
        """A cluster's label; ``"noise"`` for rows in no cluster."""
        if cluster_id == NOISE:
            return "noise"
        return self.names.get(cluster_id, f"cluster {cluster_id}")

    def row_names(self) -> list[str]:
        """Each row's cluster label, in row order (for colouring and exports)."""
        names = {cluster_id: self.name_of(cluster_id) for cluster_id in self.sizes()}
        return [names[int(label)] for label in self.labels]

    def renamed(self, cluster_id: int, name: str) -> Clustering:
        """The same clustering with one cluster given a name of the user's.

        Raises:
            InputError: No such cluster, or the name is empty or longer than
                :data:`CLUSTER_NAME_CHARS`.
        """
        if cluster_id not in self.sizes() or cluster_id == NOISE:
            raise InputError(f"There is no cluster {cluster_id} to rename.")
        cleaned = " ".join(name.split())
        if not cleaned or len(cleaned) > CLUSTER_NAME_CHARS:
            raise InputError(f"A cluster name needs 1 to {CLUSTER_NAME_CHARS} characters.")
        return Clustering(self.labels, {**self.names, cluster_id: cleaned}, self.note)

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The clustering as named arrays, for :func:`numpy.savez`."""
        ids = sorted(self.names)
        return {
            "labels": self.labels,
            "name_ids": np.asarray(ids, dtype=np.int64),
            "names": np.asarray([self.names[i] for i in ids], dtype=np.str_),
            "note": np.array(self.note),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> Clustering:
        """The inverse of :meth:`to_arrays`."""
        names = {int(i): str(n) for i, n in zip(arrays["name_ids"], arrays["names"], strict=True)}
        return cls(np.asarray(arrays["labels"], dtype=np.int64), names, str(arrays["note"]))


def cluster(vectors: FloatMatrix, params: ClusterParams, texts: Sequence[str]) -> Clustering:
    """Cluster rows by their vectors (cosine: the vectors are made unit length first) and
    label each cluster with :func:`cluster_keywords`.

    Args:
        vectors: Array of shape ``(n, d)``.
        params: Method and parameters.
        texts: The ``n`` texts, for the labels.

    Returns:
        The clustering. With fewer rows than clusters asked for, KMeans makes one cluster
        per row and the note says so.

    Raises:
        InputError: Fewer than two rows, or the texts do not match the vectors.
    """
    count = len(vectors)
    if count < 2:
        raise InputError("Clustering needs at least two rows.")
    if len(texts) != count:
        raise InputError(f"There are {len(texts)} texts for {count} vectors.")
    points = unit_rows(np.ascontiguousarray(vectors, dtype=np.float32))
    note = ""
    if params.method == "kmeans":
        from sklearn.cluster import KMeans

        k = min(params.n_clusters, count)
        if k < params.n_clusters:
            note = f"There are only {count} rows, so {k} clusters, not {params.n_clusters}."
        model = KMeans(n_clusters=k, n_init=4, random_state=params.random_state)
        if count > KMEANS_FIT_ROWS:
            # The centres of a large sample are as good; every row is then assigned to one.
            sample = sample_rows(count, KMEANS_FIT_ROWS, params.random_state)
            labels = model.fit(points[sample]).predict(points)
            note = (
                f"The cluster centres were fitted on a uniform sample of {KMEANS_FIT_ROWS:,} "
                f"rows; all {count:,} rows are assigned to the nearest."
            )
        else:
            labels = model.fit_predict(points)
    else:
        from sklearn.cluster import HDBSCAN

        if count > HDBSCAN_MAX_ROWS:
            raise InputError(
                f"HDBSCAN is offered up to {HDBSCAN_MAX_ROWS:,} rows (its time grows faster "
                f"than the rows); for {count:,} rows use KMeans."
            )

        size = min(params.min_cluster_size, count)
        labels = HDBSCAN(min_cluster_size=size, copy=True).fit_predict(points)
        if (labels == NOISE).all():
            note = (
                f"HDBSCAN found no group of {size} or more close rows; every row is noise. "
                "Try a smaller min_cluster_size."
            )
    labels = np.asarray(labels, dtype=np.int64)
    return Clustering(labels, cluster_keywords(texts, labels), note)


def suggest_n_clusters(
    vectors: FloatMatrix, *, low: int = 2, high: int = 12, random_state: int = 42
) -> tuple[int, dict[int, float]]:
    """The KMeans ``n_clusters`` with the best silhouette (cosine) over a range.

    A sample of :data:`_SILHOUETTE_SAMPLE` rows is scored, so large datasets stay quick.

    Returns:
        The best ``n_clusters``, and the silhouette of each one tried.

    Raises:
        InputError: Fewer than three rows.
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    count = len(vectors)
    if count < 3:
        raise InputError("Suggesting a number of clusters needs at least three rows.")
    points = unit_rows(np.ascontiguousarray(vectors, dtype=np.float32))
    rng = np.random.default_rng(random_state)
    if count > _SILHOUETTE_SAMPLE:
        points = points[rng.choice(count, _SILHOUETTE_SAMPLE, replace=False)]
    scores: dict[int, float] = {}
    for k in range(max(2, low), min(high, len(points) - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=2, random_state=random_state).fit_predict(points)
        scores[k] = float(silhouette_score(points, labels, metric="cosine"))
    best = max(scores, key=lambda k: scores[k])
    return best, scores


_FILE_NAME_WORDS = frozenset({"jpg", "jpeg", "png", "webp", "gif"})
"""Image file endings: never a label, even where a dataset mixes them."""


def cluster_keywords(
    texts: Sequence[str], labels: npt.NDArray[np.int64], n_words: int = 3
) -> dict[int, str]:
    """Each cluster's most distinctive words, by class-based TF-IDF.

    A term's weight in a cluster is the share of the cluster's texts that use it, times
    ``log(1 + mean texts per cluster / texts using it anywhere)``: words many texts of the
    cluster share rank first, and words common everywhere ("my", "card" in a bank's queries)
    rank below the ones that set a cluster apart; a word every text uses is never a label. A
    pair of words ("cash withdrawal") is kept only when it says more than each of its words
    alone, and when neither is in the label yet.

    Args:
        texts: ``n`` texts.
        labels: Array of shape ``(n,)``, a cluster id per row (:data:`NOISE` is not labelled).
        n_words: Words (or pairs) per label.

    Returns:
        Cluster id -> ``"word, word, word"``; a cluster whose texts hold no word gets none.
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    ids = sorted(int(i) for i in np.unique(labels) if i != NOISE)
    if not ids:
        return {}
    rng = np.random.default_rng(0)
    rows: list[int] = []
    owners: list[int] = []
    for position, cluster_id in enumerate(ids):
        members = np.flatnonzero(labels == cluster_id)
        if len(members) > _KEYWORD_ROWS:
            members = rng.choice(members, _KEYWORD_ROWS, replace=False)
        rows += members.tolist()
        owners += [position] * len(members)
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    vectorizer = CountVectorizer(
        stop_words=sorted(ENGLISH_STOP_WORDS | _FILE_NAME_WORDS),
        ngram_range=(1, 2),
        binary=True,
        token_pattern=r"(?u)\b[^\W\d_][\w'-]{2,}\b",
        # "sunset_0020.jpg" reads as "sunset": an underscore joins the words of file names.
        preprocessor=lambda text: text.lower().replace("_", " "),
    )
    try:
        used = vectorizer.fit_transform([str(texts[row]) for row in rows])
    except ValueError:  # no words at all (only numbers, only stop words)
        return {}
    membership = sparse.csr_matrix(
        (np.ones(len(rows)), (owners, np.arange(len(rows)))), shape=(len(ids), len(rows))
    )
    texts_using = (membership @ used).toarray()  # (clusters, terms): texts that use a term
    cluster_sizes = np.bincount(owners, minlength=len(ids)).astype(np.float64)
    everywhere = texts_using.sum(axis=0)
    weights = (texts_using / cluster_sizes[:, None]) * np.log1p(
        cluster_sizes.mean() / np.maximum(everywhere, 1)
    )
    # A word every text uses sets no cluster apart: the folder and the ".png" of every file
    # name, when an image dataset without captions is labelled by its paths.
    weights[:, everywhere >= len(rows)] = 0.0
    terms = vectorizer.get_feature_names_out()
    index_of = vectorizer.vocabulary_
    pairs = np.char.count(terms.astype(str), " ") > 0
    names: dict[int, str] = {}
    for position, cluster_id in enumerate(ids):
        row = weights[position]
        chosen: list[str] = []
        # Heaviest first; on a tie a single word before a pair.
        for index in np.lexsort((pairs, -row)):
            if row[index] <= 0 or len(chosen) == n_words:
                break
            term = str(terms[index])
            words = term.split()
            if any(word in label.split() for label in chosen for word in words):
                continue
            if len(words) > 1 and any(
                row[index_of[word]] >= row[index] for word in words if word in index_of
            ):
                continue  # one of its words alone says as much
            chosen.append(term)
        if chosen:
            names[cluster_id] = ", ".join(chosen)
    return names
