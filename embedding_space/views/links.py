"""Reading a view's link: each part checked against the core's parameter tables, and the
parts no view has found."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import cast

from embedding_space.analysis.clustering import CLUSTER_NAME_CHARS, ClusterParams
from embedding_space.analysis.filters import (
    MAX_FILTERS,
    CategoryFilter,
    DateFilter,
    Filter,
    RangeFilter,
    is_midnight,
)
from embedding_space.analysis.parameters import SETTINGS, ClusterMethod, Parameter, Value
from embedding_space.analysis.projection import PARAMETERS, ProjectionParams
from embedding_space.analysis.search import SEARCH_KINDS
from embedding_space.errors import InputError
from embedding_space.limits import MAX_LINK_PARTS, MAX_LINK_VALUE_CHARS, MAX_QUERY_CHARS
from embedding_space.rows import decode_rows
from embedding_space.text import without_direction_controls
from embedding_space.views.parts import (
    MAX_ANNOTATION_CHARS,
    MAX_ANNOTATIONS,
    Annotation,
    Camera,
    SearchSpec,
)

__all__ = [
    "CLUSTER_LEVELS",
    "CLUSTER_SETTINGS",
    "FILTER_PREFIX",
    "URL_NAMES",
    "QueryReader",
    "filter_link_value",
    "is_row_number",
    "link_number",
]

_ROW_NUMBER = re.compile(r"[0-9]{1,9}")


def is_row_number(text: str) -> bool:
    """Whether ``text`` is a whole number a link may carry: ASCII digits only (``str.isdigit``
    also takes ``²``, which ``int`` refuses), and short enough to be a row."""
    return _ROW_NUMBER.fullmatch(text) is not None


URL_NAMES = {"n_components": "dims", "random_state": "seed"}
"""A projection parameter's name in links, where it differs from its name in the code."""
CLUSTER_SETTINGS = {
    "cluster_method": "method",
    "n_clusters": "n_clusters",
    "min_cluster_size": "min_cluster_size",
}
"""A clustering's link names (its settings' names) -> :class:`ClusterParams` fields."""
CLUSTER_LEVELS = ("fine", "coarse")
"""The levels of clusters a map can show: as found, or gathered (``analysis.hierarchy``)."""
_SCALARS = ("dataset", "model", "key", "color", "size", "kept", "q", "qkind", "qcol")
_FLAGS = ("labels", "density", "fit")


def link_number(value: object) -> str:
    """A parameter as a link writes it: ``0.1``, ``15``, never ``15.0`` for a whole float."""
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() else repr(value)
    return str(value)


FILTER_PREFIX = "f."
"""A filter's link name is this and its column: ``f.price=10~50``, ``f.category=a|b``,
``f.published=2024-01-01~2024-04-01``."""
_OTHER_TOKEN = "*"
_SPECIAL = "\\|~*"


def _escaped(text: str) -> str:
    return "".join("\\" + char if char in _SPECIAL else char for char in text)


def _when(moment: datetime) -> str:
    return moment.date().isoformat() if is_midnight(moment) else moment.isoformat()


def filter_link_value(one: Filter) -> str:
    """A filter's value in a link (its name is :data:`FILTER_PREFIX` and the column).

    ``low~high`` for numbers, ``start~end`` (ISO dates or times) for dates, an open end left
    empty; categories joined by ``|``, ``*`` for the "other" bar. In a category, ``\\``,
    ``|``, ``~`` and ``*`` are written with a backslash before them.
    """
    if isinstance(one, RangeFilter):
        ends = (one.low, one.high)
        return "~".join("" if end is None else link_number(float(end)) for end in ends)
    if isinstance(one, DateFilter):
        return "~".join("" if end is None else _when(end) for end in (one.start, one.end))
    tokens = [_escaped(value) for value in one.values]
    return "|".join([*tokens, _OTHER_TOKEN] if one.other else tokens)


def _cut(text: str, separator: str, *, unescape: bool) -> list[str]:
    """``text`` cut at every ``separator`` not escaped by a backslash; the parts unescaped,
    or kept as written."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
            if not unescape:
                current.append(char)
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        raise ValueError("a backslash ends the value")
    parts.append("".join(current))
    return parts


def _filter_from_link(column: str, text: str) -> Filter:
    """Raises ValueError (or InputError) when ``text`` is no filter's value."""
    tokens = _cut(text, "|", unescape=False)
    ends = _cut(text, "~", unescape=True)
    if len(tokens) == 1 and len(ends) > 1:
        if len(ends) != 2:
            raise ValueError("a range has one ~")
        try:
            low, high = (float(end) if end else None for end in ends)
            return RangeFilter(column, low, high)
        except ValueError:
            start, end = (datetime.fromisoformat(end) if end else None for end in ends)
            return DateFilter(column, start, end)
    values: list[str] = []
    other = False
    for token in tokens:
        if token == _OTHER_TOKEN:
            other = True
            continue
        pieces = _cut(token, "~", unescape=True)
        if len(pieces) != 1:
            raise ValueError("a category's ~ must be escaped")
        values.append(pieces[0])
    return CategoryFilter(column, tuple(values), other)


class QueryReader:
    """Reads a link's parts one by one, checked; remembers which it read, to find the rest.

    Before any part is read, a link of more than :data:`~embedding_space.limits.MAX_LINK_PARTS`
    parts keeps only the first ones, and a part longer than
    :data:`~embedding_space.limits.MAX_LINK_VALUE_CHARS` is left out, so a crafted link
    costs no more to open than one the app writes.

    Args:
        query: The link's parts, name -> value.
        strict: Raise an :class:`InputError` on the first part not allowed.
        problems: When not strict, a sentence for each part left out is added here.
        max_value_chars: The longest part read (a saved view's whole selection is longer
            than a link's).
    """

    def __init__(
        self,
        query: Mapping[str, str],
        strict: bool,
        problems: list[str] | None = None,
        *,
        max_value_chars: int = MAX_LINK_VALUE_CHARS,
    ) -> None:
        self._strict = strict
        self._read: set[str] = set()
        self.problems: list[str] = [] if problems is None else problems
        pairs = list(query.items())
        if len(pairs) > MAX_LINK_PARTS:
            self._bad(
                f"The link has {len(pairs):,} parts; a view has at most {MAX_LINK_PARTS}, "
                "so only the first were read."
            )
            pairs = pairs[:MAX_LINK_PARTS]
        self._query: dict[str, str] = {}
        for name, value in pairs:
            name, value = str(name), str(value)
            if (size := max(len(name), len(value))) > max_value_chars:
                self._bad(
                    f"The link's {name[:40]!r} part has {size:,} characters; a part may have "
                    f"at most {max_value_chars:,}, so it was left out."
                )
                continue
            self._query[name] = value

    def _bad(self, message: str) -> None:
        if self._strict:
            raise InputError(message)
        self.problems.append(message)

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
        if not is_row_number(value):
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
            shown = URL_NAMES.get(name, name)
            text = self._take(shown)
            if text is None:
                continue
            parsed = self._parsed(parameter, shown, text)
            if parsed is not None:
                chosen[name] = parsed
        return ProjectionParams(**chosen)  # type: ignore[arg-type]

    def clusters(self) -> ClusterParams:
        chosen: dict[str, object] = {}
        for link_name, field_name in CLUSTER_SETTINGS.items():
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

    def cluster_level(self) -> tuple[str, int]:
        """The level of clusters shown (``level``) and how many coarse ones
        (``n_coarse_clusters``, 0: automatic)."""
        level = self._take("level")
        if level is not None and level not in CLUSTER_LEVELS:
            self._bad(f"level must be one of {', '.join(CLUSTER_LEVELS)}, not {level[:40]!r}.")
            level = None
        coarse = 0
        if (text := self._take("n_coarse_clusters")) is not None:
            parsed = self._parsed(SETTINGS["n_coarse_clusters"], "n_coarse_clusters", text)
            coarse = int(cast(int, parsed)) if parsed is not None else 0
        return level or CLUSTER_LEVELS[0], coarse

    def cluster_names(self) -> dict[int, str]:
        names: dict[int, str] = {}
        for name, value in self._query.items():
            if not name.startswith("name."):
                continue
            self._read.add(name)
            cluster_id = name.removeprefix("name.")
            cleaned = without_direction_controls(" ".join(value.split()))
            if not is_row_number(cluster_id) or not cleaned or len(cleaned) > CLUSTER_NAME_CHARS:
                self._bad(f"{name} must name a cluster in 1 to {CLUSTER_NAME_CHARS} characters.")
                continue
            names[int(cluster_id)] = cleaned
        return names

    def search(self) -> SearchSpec | None:
        query, kind, column = self._take("q"), self._take("qkind"), self._take("qcol")
        if not query:
            return None
        if len(query) > MAX_QUERY_CHARS:
            self._bad(
                f"q has {len(query):,} characters; a search may have at most "
                f"{MAX_QUERY_CHARS:,}, so it was left out."
            )
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
                if not is_row_number(index) or not (where == "sel" or is_row_number(where)):
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

    def filters(self) -> tuple[Filter, ...]:
        """Every ``f.COLUMN=…`` part, in order of column (at most :data:`MAX_FILTERS`)."""
        found: list[Filter] = []
        for name, value in self._query.items():
            if not name.startswith(FILTER_PREFIX):
                continue
            self._read.add(name)
            column = name.removeprefix(FILTER_PREFIX)
            try:
                found.append(_filter_from_link(column, value))
            except ValueError as error:  # InputError is a ValueError
                detail = f" {error}" if isinstance(error, InputError) else ""
                self._bad(
                    f"{name} must be low~high, start~end or categories joined by |, "
                    f"not {value[:40]!r}.{detail}"
                )
        found.sort(key=lambda one: one.column)
        if len(found) > MAX_FILTERS:
            self._bad(f"A view holds at most {MAX_FILTERS} filters.")
        return tuple(found[:MAX_FILTERS])

    def check_all_read(self) -> None:
        unknown = sorted(set(self._query) - self._read - set(_SCALARS) - set(_FLAGS))
        if unknown:
            self._bad(f"The link has a part this app does not know: {unknown[0]!r}.")


def _not_a(name: str, text: str) -> str:
    return f"{name} must be a number, not {text!r}."
