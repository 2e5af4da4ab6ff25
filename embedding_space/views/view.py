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

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import cast
from urllib.parse import parse_qsl, urlencode, urlsplit

from embedding_space.analysis.clustering import CLUSTER_NAME_CHARS, ClusterParams
from embedding_space.analysis.parameters import SETTINGS, ClusterMethod, Parameter, Value
from embedding_space.analysis.projection import PARAMETERS, ProjectionParams
from embedding_space.analysis.search import SEARCH_KINDS
from embedding_space.errors import InputError
from embedding_space.rows import decode_rows, encode_rows
from embedding_space.text import without_direction_controls

__all__ = [
    "CLUSTER_COLOR",
    "MAP_TRUST",
    "MAX_ANNOTATIONS",
    "MAX_ANNOTATION_CHARS",
    "NO_COLOR",
    "OUTLIER_SCORE",
    "PAGES",
    "Annotation",
    "Camera",
    "SearchSpec",
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
PAGES = ("map", "similarity", "neighbors", "concepts", "quality", "compare")
"""The explore pages a view can open (their addresses)."""
MAX_ANNOTATIONS = 20
MAX_ANNOTATION_CHARS = 200
MAX_LINK_SELECTION_CHARS = 4000
"""Longer selections are left out of a link rather than make it unusable (a saved view keeps
them whole)."""

_URL_NAMES = {"n_components": "dims", "random_state": "seed"}
_ALWAYS_IN_LINK = ("method", "n_components")
_CLUSTER_SETTINGS = {
    "cluster_method": "method",
    "n_clusters": "n_clusters",
    "min_cluster_size": "min_cluster_size",
}
"""A clustering's link names (its settings' names) -> :class:`ClusterParams` fields."""
_SCALARS = ("dataset", "model", "key", "color", "size", "kept", "q", "qkind", "qcol")
_FLAGS = ("labels", "density", "fit")


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
        cluster_names: Names given to clusters (cluster id -> name).
        cluster_labels: Whether cluster names are written on the map.
        density: Whether density contours are drawn under the points.
        search: A search whose matches are marked.
        selection: Selected rows.
        kept: The name of a kept selection shown.
        focus: The clicked row whose neighbours are listed.
        camera: Where the map looks (see the module's note on what cannot be kept).
        fit_selection: Zoom the map to the selection (when ``camera`` says nothing).
        annotations: Notes drawn on the map.
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
    cluster_labels: bool = True
    density: bool = False
    search: SearchSpec | None = None
    selection: tuple[int, ...] = ()
    kept: str | None = None
    focus: int | None = None
    camera: Camera = field(default_factory=Camera)
    fit_selection: bool = False
    annotations: tuple[Annotation, ...] = ()
    key: str | None = None

    def __post_init__(self) -> None:
        if not self.dataset or "/" in self.dataset or self.dataset.startswith("."):
            raise InputError(f"dataset must be a dataset's id, not {self.dataset!r}.")
        if self.page not in PAGES:
            raise InputError(f"The page must be one of {', '.join(PAGES)}, not {self.page!r}.")
        if len(self.annotations) > MAX_ANNOTATIONS:
            raise InputError(f"A view holds at most {MAX_ANNOTATIONS} notes.")
        names: dict[int, str] = {}
        for cluster_id, name in self.cluster_names.items():
            cleaned = " ".join(str(name).split())
            if int(cluster_id) < 0 or not cleaned or len(cleaned) > CLUSTER_NAME_CHARS:
                raise InputError(f"A cluster name needs 1 to {CLUSTER_NAME_CHARS} characters.")
            names[int(cluster_id)] = cleaned
        object.__setattr__(self, "cluster_names", names)
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
                written[_URL_NAMES.get(name, name)] = _number(chosen)
        for name, value in (("color", self.color), ("size", self.size), ("kept", self.kept)):
            if value:
                written[name] = value
        default_clusters = ClusterParams()
        for link_name, field_name in _CLUSTER_SETTINGS.items():
            chosen = getattr(self.clusters, field_name)
            if chosen != getattr(default_clusters, field_name):
                written[link_name] = str(chosen)
        for cluster_id, name in sorted(self.cluster_names.items()):
            written[f"name.{cluster_id}"] = name
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
                written[name] = ",".join(_number(n) for n in numbers)
        for index, note in enumerate(self.annotations):
            where = "sel" if note.row is None else str(note.row)
            written[f"note.{index}.{where}"] = note.text
        if self.key:
            written["key"] = self.key
        return written

    def link(self, *, whole_selection: bool = False) -> str:
        """The path and query of a link that opens this view: ``/map?dataset=…``."""
        return f"/{self.page}?{urlencode(self.query(whole_selection=whole_selection))}"

    @classmethod
    def from_link(cls, link: str) -> View:
        """The view a link (a whole address, or its path and query) describes.

        Raises:
            InputError: One line naming the first part that is not allowed.
        """
        parts = urlsplit(link.strip())
        page = parts.path.strip("/").rsplit("/", 1)[-1] or "map"
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        names = [name for name, _ in pairs]
        if repeated := sorted({name for name in names if names.count(name) > 1}):
            raise InputError(f"The link names {repeated[0]!r} twice.")
        return cls.from_query(dict(pairs), page=page)

    @classmethod
    def from_query(
        cls, query: Mapping[str, str], *, page: str = "map", strict: bool = True
    ) -> View:
        """The view a link's query describes.

        Args:
            query: Name -> value, as :meth:`query` writes them.
            page: The page's address.
            strict: Raise on the first part that is not allowed; else leave it out (a link
                opened in the app: the rest of the view still opens).

        Raises:
            InputError: ``strict``, and a part is unknown or not allowed; or no dataset.
        """
        reader = _QueryReader(query, strict)
        dataset = reader.text("dataset")
        if dataset is None:
            raise InputError("The view names no dataset (dataset=…).")
        projection = reader.projection()
        view = cls(
            dataset=dataset,
            page=page,
            model=reader.text("model"),
            projection=projection,
            color=reader.text("color"),
            size=reader.text("size"),
            clusters=reader.clusters(),
            cluster_names=reader.cluster_names(),
            cluster_labels=reader.flag("labels", True),
            density=reader.flag("density", False),
            search=reader.search(),
            selection=tuple(reader.rows("sel")),
            kept=reader.text("kept"),
            focus=reader.row("focus"),
            camera=reader.camera(),
            fit_selection=reader.flag("fit", False),
            annotations=reader.annotations(),
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


def _number(value: object) -> str:
    """A parameter as a link writes it: ``0.1``, ``15``, never ``15.0`` for a whole float."""
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() else repr(value)
    return str(value)


class _QueryReader:
    """Reads a link's parts one by one, checked; remembers which it read, to find the rest."""

    def __init__(self, query: Mapping[str, str], strict: bool) -> None:
        self._query = {str(name): str(value) for name, value in query.items()}
        self._strict = strict
        self._read: set[str] = set()

    def _bad(self, message: str) -> None:
        if self._strict:
            raise InputError(message)

    def _take(self, name: str) -> str | None:
        self._read.add(name)
        return self._query.get(name)

    def text(self, name: str) -> str | None:
        value = self._take(name)
        return value if value else None

    def flag(self, name: str, default: bool) -> bool:
        value = self._take(name)
        if value is None:
            return default
        if value not in ("0", "1"):
            self._bad(f"{name} must be 0 or 1, not {value!r}.")
            return default
        return value == "1"

    def row(self, name: str) -> int | None:
        value = self._take(name)
        if value is None:
            return None
        if not value.isdigit():
            self._bad(f"{name} must be a row number, not {value!r}.")
            return None
        return int(value)

    def rows(self, name: str) -> list[int]:
        value = self._take(name)
        if not value:
            return []
        try:
            return decode_rows(value)
        except ValueError:
            self._bad(f"{name} must be row ranges such as 0-99.120, not {value[:40]!r}.")
            return []

    def _parsed(self, parameter: Parameter, shown: str, text: str) -> Value | None:
        """A parameter's value from its text, or ``None`` (said, if strict) when not allowed."""
        try:
            value = parameter.kind(text)
            parameter.check(value, shown)
        except ValueError as error:  # InputError is a ValueError
            self._bad(str(error) if isinstance(error, InputError) else _not_a(shown, text))
            return None
        return value

    def projection(self) -> ProjectionParams:
        chosen: dict[str, object] = {}
        for name, parameter in PARAMETERS.items():
            shown = _URL_NAMES.get(name, name)
            text = self._take(shown)
            if text is None:
                continue
            parsed = self._parsed(parameter, shown, text)
            if parsed is not None:
                chosen[name] = parsed
        return ProjectionParams(**chosen)  # type: ignore[arg-type]

    def clusters(self) -> ClusterParams:
        chosen: dict[str, object] = {}
        for link_name, field_name in _CLUSTER_SETTINGS.items():
            text = self._take(link_name)
            if text is None:
                continue
            parsed = self._parsed(SETTINGS[link_name], link_name, text)
            if parsed is not None:
                chosen[field_name] = parsed
        return ClusterParams(
            method=cast(ClusterMethod, chosen.get("method", ClusterParams().method)),
            n_clusters=int(cast(int, chosen.get("n_clusters", ClusterParams().n_clusters))),
            min_cluster_size=int(
                cast(int, chosen.get("min_cluster_size", ClusterParams().min_cluster_size))
            ),
        )

    def cluster_names(self) -> dict[int, str]:
        names: dict[int, str] = {}
        for name, value in self._query.items():
            if not name.startswith("name."):
                continue
            self._read.add(name)
            cluster_id = name.removeprefix("name.")
            cleaned = " ".join(value.split())
            if not cluster_id.isdigit() or not cleaned or len(cleaned) > CLUSTER_NAME_CHARS:
                self._bad(f"{name} must name a cluster in 1 to {CLUSTER_NAME_CHARS} characters.")
                continue
            names[int(cluster_id)] = cleaned
        return names

    def search(self) -> SearchSpec | None:
        query, kind, column = self._take("q"), self._take("qkind"), self._take("qcol")
        if not query:
            return None
        if kind is not None and kind not in SEARCH_KINDS:
            self._bad(f"qkind must be one of {', '.join(SEARCH_KINDS)}, not {kind!r}.")
            kind = None
        return SearchSpec(query, kind or "text", column or None)

    def camera(self) -> Camera:
        ranges: dict[str, tuple[float, ...]] = {}
        for name, count in (("x", 2), ("y", 2), ("eye", 3)):
            text = self._take(name)
            if text is None:
                continue
            try:
                numbers = tuple(float(part) for part in text.split(","))
                Camera(**{name: numbers})  # type: ignore[arg-type]
            except (ValueError, InputError):
                self._bad(f"{name} must be {count} numbers separated by commas, not {text!r}.")
                continue
            ranges[name] = numbers
        return Camera(**ranges)  # type: ignore[arg-type]

    def annotations(self) -> tuple[Annotation, ...]:
        notes: list[tuple[int, Annotation]] = []
        for name, value in self._query.items():
            if not name.startswith("note."):
                continue
            self._read.add(name)
            index, _, where = name.removeprefix("note.").partition(".")
            try:
                if not index.isdigit() or not (where == "sel" or where.isdigit()):
                    raise InputError("")
                notes.append(
                    (int(index), Annotation(value, None if where == "sel" else int(where)))
                )
            except InputError:
                self._bad(
                    f"{name} must be note.N.ROW or note.N.sel with 1 to {MAX_ANNOTATION_CHARS} "
                    "characters."
                )
        notes.sort(key=lambda pair: pair[0])
        if len(notes) > MAX_ANNOTATIONS:
            self._bad(f"A view holds at most {MAX_ANNOTATIONS} notes.")
        return tuple(note for _, note in notes[:MAX_ANNOTATIONS])

    def check_all_read(self) -> None:
        unknown = sorted(set(self._query) - self._read - set(_SCALARS) - set(_FLAGS))
        if unknown:
            self._bad(f"The link has a part this app does not know: {unknown[0]!r}.")


def _not_a(name: str, text: str) -> str:
    return f"{name} must be a number, not {text!r}."
