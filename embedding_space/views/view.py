"""A view: everything that decides what a page of the explorer shows, as one value.

A shared link, a saved view and a story's slide all hold a :class:`View`, and all write it
the same way: as the path and query of a link (``/map?dataset=…&method=umap&dims=2&…``).
The link speaks its own short vocabulary (``dims``, ``seed``, ``sel``); everywhere else the
parameters go by their scikit-learn names. Every value read from a link is checked against
the core's parameter tables (:data:`~embedding_space.analysis.projection.PARAMETERS`,
:data:`~embedding_space.analysis.parameters.SETTINGS`), so a hand-edited link can name
nothing the app would not offer, and a row selection is clipped before it is expanded.

What a view cannot hold: the zoom and pan a person made with the mouse. Streamlit's plotly
chart reports selections and clicks, not zoom or camera moves, so a view's :class:`Camera`
is set explicitly (fitted to the selection, or written in the link), never read back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from urllib.parse import parse_qsl, urlencode, urlsplit

from embedding_space.analysis.clustering import CLUSTER_NAME_CHARS, ClusterParams
from embedding_space.analysis.filters import MAX_FILTERS, Filter
from embedding_space.analysis.parameters import SETTINGS
from embedding_space.analysis.projection import PARAMETERS, ProjectionParams
from embedding_space.errors import InputError
from embedding_space.limits import MAX_LINK_VALUE_CHARS, MAX_STORED_VALUE_CHARS
from embedding_space.rows import encode_rows
from embedding_space.text import without_direction_controls
from embedding_space.views.links import (
    CLUSTER_LEVELS,
    CLUSTER_SETTINGS,
    FILTER_PREFIX,
    URL_NAMES,
    QueryReader,
    filter_link_value,
    link_number,
)
from embedding_space.views.parts import MAX_ANNOTATIONS, Annotation, Camera, SearchSpec

__all__ = [
    "CLUSTER_COLOR",
    "LABEL_ISSUE_SCORE",
    "MAP_TRUST",
    "NO_COLOR",
    "OUTLIER_SCORE",
    "PAGES",
    "TAGS_COLOR",
    "View",
]

NO_COLOR = "(none)"
"""The "Colour by" (or "Size by") choice of no column."""
CLUSTER_COLOR = "(clusters)"
"""The "Colour by" choice of the computed clusters."""
OUTLIER_SCORE = "(outlier score)"
"""A "Colour by" or "Size by" choice: how strange each row is."""
MAP_TRUST = "(map trust)"
"""A "Colour by" choice: each point's kNN recall on the map."""
TAGS_COLOR = "(tags)"
"""A "Colour by" choice: each row's tag (or "(several)", "(untagged)")."""
LABEL_ISSUE_SCORE = "(label issue score)"
"""A "Colour by" choice: how suspect each row's label is, in the dataset's first label-like
column (NaN for a row left out: no label, or no labelled neighbour)."""
PAGES = ("map", "similarity", "neighbors", "concepts", "quality", "compare")
"""The explore pages a view can open (their addresses)."""
MAX_LINK_SELECTION_CHARS = 4000
"""Longer selections are left out of a link rather than make it unusable (a saved view keeps
them whole)."""

_ALWAYS_IN_LINK = ("method", "n_components")


@dataclass(frozen=True)
class View:
    """What one page of the explorer shows.

    Attributes:
        dataset: The dataset's id.
        page: The page's address (one of :data:`PAGES`).
        model: The model the dataset is embedded with; ``None``: the app's current one.
        projection: The map's method and parameters.
        color: A column, or :data:`CLUSTER_COLOR`, :data:`OUTLIER_SCORE`, :data:`MAP_TRUST`,
            :data:`NO_COLOR`; ``None``: the dataset's default.
        size: A numeric column or :data:`OUTLIER_SCORE`; ``None``: one size.
        clusters: How the clusters are found.
        cluster_names: Names given to clusters (cluster id -> name); fine clusters only.
        cluster_level: ``"fine"`` (the clusters as found) or ``"coarse"`` (gathered, see
            ``analysis.hierarchy``): which the map is coloured and labelled by.
        n_coarse: How many coarse clusters; ``0`` picks about the square root of the fine.
        cluster_labels: Whether cluster names are written on the map.
        density: Whether density contours are drawn under the points.
        search: A search whose matches are marked.
        selection: Selected rows.
        kept: The name of a kept selection shown.
        focus: The clicked row whose neighbours are listed.
        camera: Where the map looks (see the module's note on what cannot be kept).
        fit_selection: Zoom the map to the selection (when ``camera`` says nothing).
        annotations: Notes drawn on the map.
        filters: Filters on the other columns (AND), at most one per column, in order of
            column (:func:`~embedding_space.analysis.filters.apply_filters` gives the rows
            they keep).
        key: A visitor's key on a server without sign-in (who the results belong to).
    """

    dataset: str
    page: str = "map"
    model: str | None = None
    projection: ProjectionParams = field(default_factory=ProjectionParams)
    color: str | None = None
    size: str | None = None
    clusters: ClusterParams = field(default_factory=ClusterParams)
    cluster_names: Mapping[int, str] = field(default_factory=dict)
    cluster_level: str = CLUSTER_LEVELS[0]
    n_coarse: int = 0
    cluster_labels: bool = True
    density: bool = False
    search: SearchSpec | None = None
    selection: tuple[int, ...] = ()
    kept: str | None = None
    focus: int | None = None
    camera: Camera = field(default_factory=Camera)
    fit_selection: bool = False
    annotations: tuple[Annotation, ...] = ()
    filters: tuple[Filter, ...] = ()
    key: str | None = None

    def __post_init__(self) -> None:
        if not self.dataset or "/" in self.dataset or self.dataset.startswith("."):
            raise InputError(f"dataset must be a dataset's id, not {self.dataset!r}.")
        if self.page not in PAGES:
            raise InputError(f"The page must be one of {', '.join(PAGES)}, not {self.page!r}.")
        if len(self.annotations) > MAX_ANNOTATIONS:
            raise InputError(f"A view holds at most {MAX_ANNOTATIONS} notes.")
        if self.cluster_level not in CLUSTER_LEVELS:
            raise InputError(
                f"The cluster level must be one of {', '.join(CLUSTER_LEVELS)}, "
                f"not {self.cluster_level!r}."
            )
        SETTINGS["n_coarse_clusters"].check(self.n_coarse)
        names: dict[int, str] = {}
        for cluster_id, name in self.cluster_names.items():
            cleaned = without_direction_controls(" ".join(str(name).split()))
            if int(cluster_id) < 0 or not cleaned or len(cleaned) > CLUSTER_NAME_CHARS:
                raise InputError(f"A cluster name needs 1 to {CLUSTER_NAME_CHARS} characters.")
            names[int(cluster_id)] = cleaned
        object.__setattr__(self, "cluster_names", names)
        columns = [one.column for one in self.filters]
        if len(columns) > MAX_FILTERS:
            raise InputError(f"A view holds at most {MAX_FILTERS} filters.")
        if len(set(columns)) != len(columns):
            raise InputError("A view holds one filter per column.")
        object.__setattr__(self, "filters", tuple(sorted(self.filters, key=lambda one: one.column)))
        object.__setattr__(self, "selection", tuple(sorted(set(self.selection))))

    # -- links ----------------------------------------------------------------------------

    def query(self, *, whole_selection: bool = False) -> dict[str, str]:
        """The view as a link's query: parameters at their defaults are left out.

        Args:
            whole_selection: Keep a selection longer than :data:`MAX_LINK_SELECTION_CHARS`
                (a saved view), rather than drop it (a link someone must paste).
        """
        written: dict[str, str] = {"dataset": self.dataset}
        if self.model:
            written["model"] = self.model
        default_projection = ProjectionParams()
        for name in PARAMETERS:
            chosen = getattr(self.projection, name)
            if name in _ALWAYS_IN_LINK or chosen != getattr(default_projection, name):
                written[URL_NAMES.get(name, name)] = link_number(chosen)
        for name, value in (("color", self.color), ("size", self.size), ("kept", self.kept)):
            if value:
                written[name] = value
        default_clusters = ClusterParams()
        for link_name, field_name in CLUSTER_SETTINGS.items():
            chosen = getattr(self.clusters, field_name)
            if chosen != getattr(default_clusters, field_name):
                written[link_name] = str(chosen)
        for cluster_id, name in sorted(self.cluster_names.items()):
            written[f"name.{cluster_id}"] = name
        if self.cluster_level != CLUSTER_LEVELS[0]:
            written["level"] = self.cluster_level
        if self.n_coarse:
            written["n_coarse_clusters"] = str(self.n_coarse)
        if not self.cluster_labels:
            written["labels"] = "0"
        if self.density:
            written["density"] = "1"
        if self.search is not None:
            written["q"] = self.search.query
            written["qkind"] = self.search.kind
            if self.search.column:
                written["qcol"] = self.search.column
        rows = encode_rows(self.selection)
        if rows and (whole_selection or len(rows) <= MAX_LINK_SELECTION_CHARS):
            written["sel"] = rows
        if self.focus is not None:
            written["focus"] = str(self.focus)
        if self.fit_selection:
            written["fit"] = "1"
        for name in ("x", "y", "eye"):
            numbers = getattr(self.camera, name)
            if numbers is not None:
                written[name] = ",".join(link_number(n) for n in numbers)
        for index, note in enumerate(self.annotations):
            where = "sel" if note.row is None else str(note.row)
            written[f"note.{index}.{where}"] = note.text
        for one in self.filters:
            written[FILTER_PREFIX + one.column] = filter_link_value(one)
        if self.key:
            written["key"] = self.key
        return written

    def link(self, *, whole_selection: bool = False) -> str:
        """The path and query of a link that opens this view: ``/map?dataset=…``."""
        return f"/{self.page}?{urlencode(self.query(whole_selection=whole_selection))}"

    @classmethod
    def from_link(cls, link: str, *, stored: bool = False) -> View:
        """The view a link (a whole address, or its path and query) describes.

        Args:
            link: The link.
            stored: A link the app kept (a saved view, a story's slide), whose selection is
                whole: its parts may be as long as
                :data:`~embedding_space.limits.MAX_STORED_VALUE_CHARS` rather than
                :data:`~embedding_space.limits.MAX_LINK_VALUE_CHARS`.

        Raises:
            InputError: One line naming the first part that is not allowed.
        """
        parts = urlsplit(link.strip())
        page = parts.path.strip("/").rsplit("/", 1)[-1] or "map"
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        names = [name for name, _ in pairs]
        if repeated := sorted({name for name in names if names.count(name) > 1}):
            raise InputError(f"The link names {repeated[0]!r} twice.")
        return cls.from_query(dict(pairs), page=page, stored=stored)

    @classmethod
    def from_query(
        cls,
        query: Mapping[str, str],
        *,
        page: str = "map",
        strict: bool = True,
        problems: list[str] | None = None,
        stored: bool = False,
    ) -> View:
        """The view a link's query describes.

        Args:
            query: Name -> value, as :meth:`query` writes them.
            page: The page's address.
            strict: Raise on the first part that is not allowed; else leave it out (a link
                opened in the app: the rest of the view still opens).
            problems: When not strict, a sentence for each part left out is added here.
            stored: As for :meth:`from_link`.

        Raises:
            InputError: ``strict``, and a part is unknown or not allowed; or no dataset.
        """
        longest = MAX_STORED_VALUE_CHARS if stored else MAX_LINK_VALUE_CHARS
        reader = QueryReader(query, strict, problems, max_value_chars=longest)
        dataset = reader.text("dataset")
        if dataset is None:
            raise InputError("The view names no dataset (dataset=…).")
        projection = reader.projection()
        level, n_coarse = reader.cluster_level()
        view = cls(
            dataset=dataset,
            page=page,
            model=reader.text("model"),
            projection=projection,
            color=reader.text("color"),
            size=reader.text("size"),
            clusters=reader.clusters(),
            cluster_names=reader.cluster_names(),
            cluster_level=level,
            n_coarse=n_coarse,
            cluster_labels=reader.flag("labels", True),
            density=reader.flag("density", False),
            search=reader.search(),
            selection=tuple(reader.rows("sel")),
            kept=reader.text("kept"),
            focus=reader.row("focus"),
            camera=reader.camera(),
            fit_selection=reader.flag("fit", False),
            annotations=reader.annotations(),
            filters=reader.filters(),
            key=reader.text("key"),
        )
        reader.check_all_read()
        return view

    def with_changes(self, **changes: object) -> View:
        """A copy with some attributes changed (checked as the constructor checks)."""
        known = {item.name for item in fields(self)}
        if unknown := set(changes) - known:
            raise TypeError(f"View has no attribute {sorted(unknown)[0]}")
        return replace(self, **changes)  # type: ignore[arg-type]
