"""Rows whose label looks wrong: each row's label checked against its neighbours' labels in the
full embedding space.

Each labelled row's nearest rows in the cosine kNN graph vote for their own labels, weighted by
their cosine similarity; the row itself never votes (the graph keeps it out of its neighbour
lists, and any neighbour entry that is the row itself is dropped here as well), so the votes
are out-of-fold predicted probabilities, lightly smoothed so that no class has probability 0.
Confident learning then reads them, as Cleanlab does and through the ``cleanlab`` library:
a row's **score** is ``1 -`` its label's self-confidence (the out-of-fold probability of the
label it was given; :func:`cleanlab.rank.get_label_quality_scores`), and the number of rows
flagged is confident learning's estimate of how many labels are wrong
(:func:`cleanlab.count.num_label_issues`, from the confident joint); the flagged rows are that
many of the most suspect, which is what ``cleanlab.filter.find_label_issues(...,
filter_by="low_self_confidence")`` returns. The suggested label is the one the neighbours give
the highest probability.

Rows without a label (an empty cell) are left out: they neither get a score nor vote; so is a
labelled row none of whose neighbours has a label (there is nothing to check it against).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from embedding_space.analysis.neighbors import KnnGraph
from embedding_space.analysis.parameters import SETTINGS, default_of
from embedding_space.errors import InputError
from embedding_space.io.columns import MAX_LABELS, is_blank, is_missing
from embedding_space.types import IdMatrix, ScoreVector

__all__ = [
    "SMOOTHING",
    "LabelIssue",
    "LabelIssues",
    "find_label_issues",
    "out_of_fold_probabilities",
]

SMOOTHING = 0.01
"""The share of each row's probability spread evenly over every class, so no class has 0 (a
label none of the neighbours gives still ranks by how many of them there are)."""
NO_LABEL = -1
"""The class of a row without a label."""
_LEAST_WEIGHT = 1e-6
"""The vote of a neighbour at cosine similarity 0 or below: still one, so that a row with a
labelled neighbour always has a vote."""


@dataclass(frozen=True)
class LabelIssue:
    """One labelled row, as the list of suspect labels shows it.

    Attributes:
        row: Its row id.
        label: The label it was given.
        suggested: The label its neighbours give the highest probability.
        score: How suspect its label is, 0 to 1: ``1 -`` the out-of-fold probability of
            ``label`` (0 when every neighbour agrees with it).
        confidence: The out-of-fold probability of ``suggested``.
        flagged: Whether confident learning counts it among the wrong labels.
        disagreeing: The neighbours (row ids, nearest first) whose label is not ``label``.
    """

    row: int
    label: str
    suggested: str
    score: float
    confidence: float
    flagged: bool
    disagreeing: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class LabelIssues:
    """Every row's label checked against its neighbours' (see the module's notes).

    Attributes:
        column: The label column.
        k: Neighbours that voted for each row.
        classes: The distinct labels (as text), sorted; the class ids below index them.
        labels: Shape ``(n,)``, int64: each row's given class, :data:`NO_LABEL` for none.
        suggested: Shape ``(n,)``, int64: the class its neighbours give the highest
            probability, :data:`NO_LABEL` for a row left out (see :attr:`unlabelled` and
            :attr:`unchecked`).
        scores: Shape ``(n,)``, float32: how suspect each label is, 0 to 1 (``1 -`` the
            out-of-fold probability of the given label); NaN for a row left out.
        confidence: Shape ``(n,)``, float32: the out-of-fold probability of the suggested
            class; NaN for a row left out.
        flagged: Shape ``(n,)``, bool: the rows confident learning counts as wrongly
            labelled (always the most suspect ones).
        neighbors: Shape ``(n, k)``, int64: the neighbours that voted, nearest first (``-1``
            pads a row of a dataset smaller than ``k + 1``).
    """

    column: str
    k: int
    classes: tuple[str, ...]
    labels: npt.NDArray[np.int64]
    suggested: npt.NDArray[np.int64]
    scores: ScoreVector
    confidence: ScoreVector
    flagged: npt.NDArray[np.bool_]
    neighbors: IdMatrix

    @property
    def rows(self) -> int:
        """Rows of the dataset, labelled or not."""
        return len(self.labels)

    @property
    def unlabelled(self) -> list[int]:
        """The rows left out because their label is empty, ascending."""
        return [int(row) for row in np.flatnonzero(self.labels == NO_LABEL)]

    @property
    def unchecked(self) -> list[int]:
        """The labelled rows left out because none of their ``k`` nearest rows has a label
        (nothing to check them against), ascending."""
        unchecked = (self.labels != NO_LABEL) & np.isnan(self.scores)
        return [int(row) for row in np.flatnonzero(unchecked)]

    @property
    def flagged_count(self) -> int:
        """How many rows are flagged."""
        return int(self.flagged.sum())

    def ranked(self) -> npt.NDArray[np.int64]:
        """The rows checked (labelled, with a labelled neighbour), most suspect first: by
        score, then by how sure the neighbours are of another label, then by row id (the
        flagged rows come first)."""
        return _most_suspect_first(self.labels, self.scores, self.confidence)

    def top(self, count: int | None = None, *, flagged_only: bool = False) -> list[LabelIssue]:
        """The ``count`` most suspect rows checked (every one when ``None``), most suspect
        first; with ``flagged_only``, only the flagged ones."""
        order = self.ranked()
        if flagged_only:
            order = order[: self.flagged_count]
        if count is not None:
            order = order[: max(count, 0)]
        return [self.issue(int(row)) for row in order]

    def issue(self, row: int) -> LabelIssue:
        """One row's check.

        Raises:
            InputError: No such row, the row has no label, or none of its neighbours has.
        """
        if not 0 <= row < self.rows:
            raise InputError(f"The row must be between 0 and {self.rows - 1}, not {row}.")
        given = int(self.labels[row])
        if given == NO_LABEL:
            raise InputError(f"Row {row} has no label in '{self.column}'.")
        if np.isnan(self.scores[row]):
            raise InputError(f"None of the {self.k} rows nearest row {row} has a label.")
        return LabelIssue(
            row=row,
            label=self.classes[given],
            suggested=self.classes[int(self.suggested[row])],
            score=float(self.scores[row]),
            confidence=float(self.confidence[row]),
            flagged=bool(self.flagged[row]),
            disagreeing=tuple(self.disagreeing(row)),
        )

    def disagreeing(self, row: int) -> list[int]:
        """The neighbours of ``row`` (nearest first) whose label is another than its own;
        neighbours without a label do not count."""
        given = int(self.labels[row])
        near = self.neighbors[row]
        near = near[near >= 0]
        theirs = self.labels[near]
        return [int(n) for n in near[(theirs != given) & (theirs != NO_LABEL)]]

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The result as named arrays, for :func:`numpy.savez`."""
        return {
            "column": np.array(self.column),
            "k": np.array(self.k),
            "classes": np.array(self.classes, dtype=str),
            "labels": self.labels,
            "suggested": self.suggested,
            "scores": self.scores,
            "confidence": self.confidence,
            "flagged": self.flagged,
            "neighbors": self.neighbors,
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> LabelIssues:
        """The inverse of :meth:`to_arrays`."""
        return cls(
            column=str(arrays["column"]),
            k=int(arrays["k"]),
            classes=tuple(str(name) for name in arrays["classes"].tolist()),
            labels=np.asarray(arrays["labels"], dtype=np.int64),
            suggested=np.asarray(arrays["suggested"], dtype=np.int64),
            scores=np.asarray(arrays["scores"], dtype=np.float32),
            confidence=np.asarray(arrays["confidence"], dtype=np.float32),
            flagged=np.asarray(arrays["flagged"], dtype=bool),
            neighbors=np.asarray(arrays["neighbors"], dtype=np.int64),
        )


def out_of_fold_probabilities(
    labels: npt.NDArray[np.int64],
    n_classes: int,
    graph: KnnGraph,
    k: int,
    smoothing: float = SMOOTHING,
) -> tuple[npt.NDArray[np.float64], IdMatrix]:
    """Each row's class probabilities from its ``k`` nearest other rows' labels.

    A neighbour's vote weighs its cosine similarity (a negative one the least); the row
    itself and neighbours without a label do not vote. A row without any vote gets the even
    distribution. Then ``smoothing`` of each row's probability is spread evenly over the
    classes.

    Args:
        labels: Shape ``(n,)``: class ids ``0 .. n_classes - 1``, :data:`NO_LABEL` for none.
        n_classes: How many classes.
        graph: The cosine kNN graph of the same ``n`` rows, the row itself in column 0.
        k: Neighbours that vote; at most the graph's.
        smoothing: Between 0 and 1.

    Returns:
        The probabilities, shape ``(n, n_classes)`` (each row sums to 1), and the neighbours
        read, shape ``(n, k)`` (``-1`` where the graph holds fewer, or where an entry was the
        row itself).

    Raises:
        ValueError: The graph is not cosine, of other rows, holds fewer than ``k`` neighbours
            per row, or does not keep each row in its own column 0.
    """
    count = len(labels)
    if graph.metric != "cosine" or len(graph.indices) != count:
        raise ValueError("label issues need the cosine kNN graph of the same rows")
    k = min(k, count - 1)
    if graph.n_neighbors < k:
        raise ValueError(f"label issues at k={k} need a graph of k neighbours per row")
    rows = np.arange(count)
    if count and not np.array_equal(graph.indices[:, 0], rows):
        raise ValueError("the graph must keep each row itself in column 0")
    neighbors = graph.neighbor_ids(k).copy()
    similarity = 1.0 - graph.distances[:, 1 : k + 1].astype(np.float64)
    weights = np.clip(similarity, _LEAST_WEIGHT, None)
    # Out of fold: whatever the graph holds, a row never votes for itself.
    itself = (neighbors == rows[:, None]) | (neighbors < 0)
    neighbors[itself] = -1
    theirs = np.where(neighbors >= 0, labels[np.clip(neighbors, 0, None)], NO_LABEL)
    weights[theirs == NO_LABEL] = 0.0
    slots = rows[:, None] * n_classes + np.clip(theirs, 0, None)
    votes = np.bincount(slots.ravel(), weights=weights.ravel(), minlength=count * n_classes)
    votes = votes.reshape(count, n_classes)
    totals = votes.sum(axis=1, keepdims=True)
    even = np.full((1, n_classes), 1.0 / n_classes)
    shares = np.where(totals > 0, votes / np.where(totals > 0, totals, 1.0), even)
    return (1.0 - smoothing) * shares + smoothing / n_classes, neighbors


def _most_suspect_first(
    labels: npt.NDArray[np.int64], scores: ScoreVector, confidence: ScoreVector
) -> npt.NDArray[np.int64]:
    """The checked rows by score, then by how sure the neighbours are of another label,
    then by row id."""
    checked = np.flatnonzero((labels != NO_LABEL) & ~np.isnan(scores))
    order = np.lexsort((checked, -confidence[checked], -scores[checked].astype(np.float64)))
    return np.asarray(checked[order], dtype=np.int64)


def _class_ids(values: Sequence[object]) -> tuple[tuple[str, ...], npt.NDArray[np.int64]]:
    """The distinct labels (text, sorted) and each row's class id (:data:`NO_LABEL` for an
    empty cell)."""
    texts = [None if is_missing(value) or is_blank(value) else str(value) for value in values]
    classes = tuple(sorted({text for text in texts if text is not None}))
    index = {name: position for position, name in enumerate(classes)}
    ids = [NO_LABEL if text is None else index[text] for text in texts]
    return classes, np.asarray(ids, dtype=np.int64)


def find_label_issues(
    values: Sequence[object],
    graph: KnnGraph,
    k: int = default_of("label_k", int),
    *,
    column: str = "",
) -> LabelIssues:
    """Check each row's label against its ``k`` nearest rows' (see the module's notes).

    Args:
        values: Each row's label, shape ``(n,)``; an empty cell (``None``, NaN, blank text)
            is a row without a label, left out. Labels are compared as text.
        graph: The cosine kNN graph of the same rows, with at least ``k`` neighbours per row
            (or every other row, in a dataset of ``k`` rows or fewer).
        k: Neighbours that vote.
        column: The label column's name, kept with the result.

    Returns:
        The check of every row.

    Raises:
        InputError: ``k`` outside its bounds, no row has a label, or more than
            :data:`~embedding_space.io.columns.MAX_LABELS` distinct labels.
        ValueError: The graph does not fit (see :func:`out_of_fold_probabilities`).
    """
    SETTINGS["label_k"].check(k)
    classes, labels = _class_ids(values)
    named = f"'{column}'" if column else "the label column"
    if not classes:
        raise InputError(f"No row has a label in {named}; pick a column of labels.")
    if len(classes) > MAX_LABELS:
        raise InputError(
            f"{named} holds {len(classes)} distinct values; checking labels needs a column of "
            f"at most {MAX_LABELS} categories."
        )
    k = max(min(k, len(labels) - 1), 0)
    probabilities, neighbors = out_of_fold_probabilities(labels, len(classes), graph, k)
    # A row none of whose neighbours has a label gets no verdict, rather than a suspect one.
    voters = (neighbors >= 0) & (labels[np.clip(neighbors, 0, None)] != NO_LABEL)
    checked = np.flatnonzero((labels != NO_LABEL) & voters.any(axis=1))
    given = labels[checked]
    suggested = np.full(len(labels), NO_LABEL, dtype=np.int64)
    suggested[checked] = probabilities[checked].argmax(axis=1)
    scores = np.full(len(labels), np.nan, dtype=np.float32)
    confidence = np.full(len(labels), np.nan, dtype=np.float32)
    confidence[checked] = probabilities[checked].max(axis=1)
    flagged = np.zeros(len(labels), dtype=bool)
    if len(classes) > 1 and len(checked):
        from cleanlab.count import num_label_issues
        from cleanlab.rank import get_label_quality_scores

        quality = get_label_quality_scores(given, probabilities[checked], method="self_confidence")
        scores[checked] = 1.0 - np.asarray(quality, dtype=np.float32)
        wrong = int(num_label_issues(given, probabilities[checked]))
    else:  # one class: nothing disagrees
        scores[checked] = 0.0
        wrong = 0
    flagged[_most_suspect_first(labels, scores, confidence)[:wrong]] = True
    return LabelIssues(
        column=column,
        k=k,
        classes=classes,
        labels=labels,
        suggested=suggested,
        scores=scores,
        confidence=confidence,
        flagged=flagged,
        neighbors=neighbors,
    )
