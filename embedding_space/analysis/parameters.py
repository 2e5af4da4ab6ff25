"""The tunables: every setting a user can change, with its type, default and bounds, in one
table each.

:class:`Parameter` is one row. :data:`SETTINGS` holds the settings of the analyses (clusters,
outliers, duplicates, map trust, neighbours, comparison, search, arithmetic); the projection's
own rows are :data:`~embedding_space.analysis.projection.PARAMETERS`. The app's widgets, its
session defaults, the command line's options and the core's validation are all built from
these rows, so a default or a bound written here holds everywhere.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal, TypeVar, get_args

from embedding_space.analysis.similarity import METRICS
from embedding_space.errors import InputError

__all__ = [
    "CLUSTER_METHODS",
    "OUTLIER_METHODS",
    "SETTINGS",
    "ClusterMethod",
    "OutlierMethod",
    "Parameter",
    "Value",
    "default_of",
]

Value = int | float | str
_T = TypeVar("_T", int, float, str)

ClusterMethod = Literal["kmeans", "hdbscan"]
CLUSTER_METHODS: tuple[ClusterMethod, ...] = get_args(ClusterMethod)
OutlierMethod = Literal["knn", "lof"]
OUTLIER_METHODS: tuple[OutlierMethod, ...] = get_args(OutlierMethod)


@dataclass(frozen=True)
class Parameter:
    """One tunable: its name, what values it takes, and how it is shown.

    Attributes:
        name: Its name: scikit-learn's or umap-learn's for a projection parameter, else one
            that says what it tunes (``outlier_k``); also its session-state key.
        kind: ``int``, ``float`` or ``str``.
        default: The value when none is given.
        label: A short label for a widget.
        help: One sentence on what it changes.
        methods: For a projection parameter, the methods whose result it changes.
        low: The smallest allowed value (numbers only).
        high: The largest allowed value (numbers only).
        step: A widget's step (numbers only).
        choices: The allowed values, for a parameter with a fixed set.
    """

    name: str
    kind: type[int] | type[float] | type[str]
    default: Value
    label: str
    help: str
    methods: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[Value, ...] = ()

    def check(self, value: object, shown: str | None = None) -> None:
        """Raise an :class:`InputError` naming the parameter (or ``shown``: a command-line
        flag) and its allowed values if ``value`` is not one of them."""
        name = shown or self.name
        if self.choices:
            if value not in self.choices:
                allowed = ", ".join(str(choice) for choice in self.choices)
                raise InputError(f"{name} must be one of {allowed}, not {value!r}.")
            return
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InputError(f"{name} must be a number, not {value!r}.")
        number = float(value)  # numpy's numbers too, as an API caller may pass them
        if not math.isfinite(number):
            # NaN passes every comparison below, and would fail deep inside UMAP instead.
            raise InputError(f"{name} must be a finite number, not {value!r}.")
        if self.kind is int and not number.is_integer():
            raise InputError(f"{name} must be a whole number, not {value!r}.")
        if (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            raise InputError(
                f"{name} must be between {self.low:g} and {self.high:g}, not {value!r}."
            )

    def value_of(self, value: object) -> Value:
        """``value`` checked (see :meth:`check`) and made this parameter's own type (a numpy
        integer becomes an ``int``), so that results keyed by it are keyed alike.

        Raises:
            InputError: ``value`` is not allowed.
        """
        self.check(value)
        if self.choices:
            return next(choice for choice in self.choices if choice == value)
        return int(float(str(value))) if self.kind is int else float(str(value))

    def parse(self, text: str) -> Value | None:
        """A value from text (a link, a command line), or ``None`` if it is not allowed."""
        try:
            value = self.kind(text)
            self.check(value)
        except (InputError, ValueError):
            return None
        return value

    def typed_default(self, kind: type[_T]) -> _T:
        """The default, checked to be of ``kind`` (for a dataclass field's default)."""
        if not isinstance(self.default, kind):
            raise TypeError(f"the default of {self.name} is not a {kind.__name__}")
        return self.default

    @property
    def bounds(self) -> str:
        """``" (1 to 50)"`` for a number with bounds, else ``""``: for help texts."""
        if self.low is None or self.high is None:
            return ""
        return f" ({self.low:g} to {self.high:g})"


def _neighbours(name: str, default: int, label: str, help: str) -> Parameter:
    return Parameter(name, int, default, label, help, low=1, high=50, step=1)


SETTINGS: dict[str, Parameter] = {
    parameter.name: parameter
    for parameter in (
        Parameter(
            "cluster_method",
            str,
            "kmeans",
            "Method",
            "Found in the full embedding space, not on the map. HDBSCAN leaves rows that "
            "belong to no dense group as noise (grey on the map).",
            choices=CLUSTER_METHODS,
        ),
        Parameter(
            "n_clusters",
            int,
            8,
            "n_clusters (KMeans)",
            "How many clusters KMeans makes.",
            low=2,
            high=100,
            step=1,
        ),
        Parameter(
            "min_cluster_size",
            int,
            10,
            "min_cluster_size (HDBSCAN)",
            "The fewest rows HDBSCAN calls a cluster.",
            low=2,
            high=10_000,
            step=1,
        ),
        Parameter(
            "n_coarse_clusters",
            int,
            0,
            "Coarse clusters",
            "How many coarse groups the clusters are gathered into; 0 picks about the "
            "square root of the number of clusters (2 to 12).",
            low=0,
            high=50,
            step=1,
        ),
        Parameter(
            "weak_label_quality",
            float,
            0.3,
            "Weak label below",
            "A cluster label whose embedding has a mean cosine below this with its "
            "cluster's texts reads as weak.",
            low=0.0,
            high=1.0,
            step=0.01,
        ),
        Parameter(
            "outlier_method",
            str,
            "knn",
            "Score",
            "knn: the mean cosine distance to the k nearest rows; lof: the local outlier "
            "factor (1 is ordinary).",
            choices=OUTLIER_METHODS,
        ),
        _neighbours("outlier_k", 10, "k", "Neighbours of each row an outlier score reads."),
        Parameter(
            "outlier_top",
            int,
            20,
            "Rows",
            "How many of the strangest rows are listed.",
            low=1,
            high=1_000,
            step=1,
        ),
        Parameter(
            "duplicate_threshold",
            float,
            0.95,
            "Cosine similarity at least",
            "The lowest cosine similarity two near-duplicates have; 1.00 finds exact "
            "duplicates only.",
            low=0.5,
            high=1.0,
            step=0.01,
        ),
        _neighbours("trust_k", 10, "k (neighbours compared)", "Neighbours compared per row."),
        _neighbours("neighbor_k", 10, "k", "How many nearest rows are listed."),
        Parameter(
            "neighbor_metric",
            str,
            "cosine",
            "Metric",
            "How nearness is measured.",
            choices=METRICS,
        ),
        _neighbours("compare_k", 10, "k", "Neighbours compared per row in the two spaces."),
        Parameter(
            "search_k",
            int,
            25,
            "Rows",
            "How many rows a search by meaning lists.",
            low=1,
            high=500,
            step=1,
        ),
        _neighbours(
            "label_k",
            10,
            "k",
            "Nearest rows whose labels each row's label is checked against (the row itself "
            "never votes).",
        ),
        _neighbours(
            "arithmetic_k", 10, "k", "How many rows nearest the expression's vector are listed."
        ),
        Parameter(
            "drift_permutations",
            int,
            1_000,
            "Permutations",
            "How many shuffles of the two groups the drift test's p-value rests on (the "
            "smallest p-value it can give is one over this plus one).",
            low=50,
            high=20_000,
            step=50,
        ),
        Parameter(
            "drift_top",
            int,
            20,
            "Novel rows",
            "How many of the batch's rows least like the reference are listed.",
            low=1,
            high=1_000,
            step=1,
        ),
        Parameter(
            "drift_clusters",
            int,
            8,
            "Reference clusters",
            "How many clusters KMeans finds in the reference for the shift of shares.",
            low=2,
            high=100,
            step=1,
        ),
        Parameter(
            "recompute_share",
            float,
            0.2,
            "Recompute past",
            "A map whose rows were added later and placed on it, past this share of its rows, "
            "suggests computing it again (placed rows never move the others).",
            low=0.01,
            high=1.0,
            step=0.01,
        ),
        Parameter(
            "filter_bins",
            int,
            24,
            "Bins",
            "How many bars a filter chart of numbers has (whole numbers get one bar each when "
            "they fit).",
            low=5,
            high=100,
            step=1,
        ),
    )
}
"""Every tunable of the analyses, by name."""


def default_of(name: str, kind: type[_T]) -> _T:
    """The default of the setting ``name``, as ``kind`` (for a signature's default).

    Raises:
        KeyError: No setting of that name.
    """
    return SETTINGS[name].typed_default(kind)
