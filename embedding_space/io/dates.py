"""Columns of dates and times: found by trying a short list of explicit formats, never guessed
value by value.

A column is a date column when one format reads at least :data:`MIN_PARSED` of a sample of
its values. Formats are explicit (``%d.%m.%Y``), so a column is read one way throughout and
the format can be shown to the user ("DD.MM.YYYY"). Where day and month could be swapped
(``03/01/2024``), the data decides: a value above 12 in the first place makes the day come
first; when no value tells, the separator's custom does (slashes month first, as in the US;
dots and dashes day first), and the :class:`DateColumn` says so. Numbers are taken for epoch
seconds (or milliseconds) only when the column's name says it holds dates or times.

Times written with a zone (``Z``, ``+02:00``) are read as UTC; every parsed series is naive
``datetime64`` (UTC where a zone was given).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

__all__ = ["DATE_NAME_WORDS", "MIN_PARSED", "DateColumn", "date_columns", "detect_date_column"]

MIN_PARSED = 0.95
"""The share of a sample's values one format must read for the column to be dates."""
DATE_NAME_WORDS: tuple[str, ...] = (
    "date",
    "time",
    "timestamp",
    "datetime",
    "created",
    "updated",
    "modified",
    "published",
    "posted",
    "at",
)
"""Words of a column's name that let its numbers be read as epoch seconds (``created_at``)."""
_SAMPLE = 500
_LONGEST = 40
_EPOCH_UNITS: tuple[tuple[Literal["s", "ms"], str, float], ...] = (
    ("s", "epoch seconds", 1.0),
    ("ms", "epoch milliseconds", 1e3),
)
_ISO_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?", re.ASCII
)
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


@dataclass(frozen=True)
class _Format:
    strftime: str
    shown: str
    swapped: str | None = None
    """The same format with day and month the other way round (``%d/%m/%Y`` for ``%m/%d/%Y``)."""
    usual: bool = True
    """Whether this reading is the custom when the data cannot tell (of a swappable pair)."""


def _pair(month_first: str, shown: str, *, month_first_usual: bool) -> list[_Format]:
    day_first = month_first.replace("%m", "%!").replace("%d", "%m").replace("%!", "%d")
    day, _, time = shown.partition(" ")  # HH:MM has minutes, not a month
    day = day.replace("MM", "!!").replace("DD", "MM").replace("!!", "DD")
    shown_day = f"{day} {time}".rstrip()
    return [
        _Format(month_first, shown, day_first, month_first_usual),
        _Format(day_first, shown_day, month_first, not month_first_usual),
    ]


_FORMATS: tuple[_Format, ...] = (
    _Format("%Y/%m/%d", "YYYY/MM/DD"),
    *_pair("%m/%d/%Y", "MM/DD/YYYY", month_first_usual=True),
    *_pair("%m/%d/%Y %H:%M", "MM/DD/YYYY HH:MM", month_first_usual=True),
    *_pair("%m/%d/%Y %H:%M:%S", "MM/DD/YYYY HH:MM:SS", month_first_usual=True),
    *_pair("%m/%d/%y", "MM/DD/YY", month_first_usual=True),
    *_pair("%m.%d.%Y", "MM.DD.YYYY", month_first_usual=False),
    *_pair("%m.%d.%Y %H:%M", "MM.DD.YYYY HH:MM", month_first_usual=False),
    *_pair("%m.%d.%Y %H:%M:%S", "MM.DD.YYYY HH:MM:SS", month_first_usual=False),
    *_pair("%m-%d-%Y", "MM-DD-YYYY", month_first_usual=False),
    _Format("%d %b %Y", "D Mon YYYY"),
    _Format("%d %B %Y", "D Month YYYY"),
    _Format("%b %d, %Y", "Mon D, YYYY"),
    _Format("%B %d, %Y", "Month D, YYYY"),
    _Format("%a, %d %b %Y %H:%M:%S", "Day, D Mon YYYY HH:MM:SS"),
)


@dataclass(frozen=True, eq=False)
class DateColumn:
    """A column read as dates or times.

    Attributes:
        name: The column's name.
        format: The format as shown to a user: ``"YYYY-MM-DD"``, ``"DD.MM.YYYY"``, ``"epoch
            seconds"``; ``"date/time values"`` for a column that held dates already.
        strftime: The format as :func:`pandas.to_datetime` reads it (``"%d.%m.%Y"``,
            ``"ISO8601"``), ``None`` for epoch numbers and columns of dates already.
        values: The parsed column, naive ``datetime64``, ``NaT`` where a value did not read;
            same index as the table.
        parsed: The share of the column's non-empty values that read.
        note: One sentence on how day and month were told apart, or ``""``.
    """

    name: str
    format: str
    strftime: str | None
    values: pd.Series[Any]
    parsed: float
    note: str = ""

    @property
    def summary(self) -> str:
        """What the upload says: ``date column 'published' (format DD.MM.YYYY)``."""
        text = f"date column '{self.name}' (format {self.format})"
        return f"{text}; {self.note}" if self.note else text


def detect_date_column(series: pd.Series[Any], name: str | None = None) -> DateColumn | None:
    """Read a column as dates or times, if it holds them.

    Args:
        series: The column, any dtype.
        name: Its name (``series.name`` when ``None``); numbers count as epoch times only
            when a word of it is one of :data:`DATE_NAME_WORDS`.

    Returns:
        The parsed column, or ``None`` when no format reads :data:`MIN_PARSED` of a sample
        of its non-empty values (or it has none).
    """
    column = str(series.name if name is None else name)
    if pd.api.types.is_bool_dtype(series.dtype):
        return None
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return DateColumn(column, "date/time values", None, _naive(series), 1.0)
    present = series.dropna()
    if present.empty:
        return None
    if pd.api.types.is_numeric_dtype(series.dtype):
        return _epoch(series, present, column)
    found = _from_text(series, present, column)
    # the sample spoke for the column; a column it misjudged is no date column either
    return found if found is not None and found.parsed >= MIN_PARSED else None


def _from_text(series: pd.Series[Any], present: pd.Series[Any], column: str) -> DateColumn | None:
    sample = present.iloc[:: max(1, len(present) // _SAMPLE)].iloc[:_SAMPLE]
    if all(isinstance(value, pd.Timestamp) or hasattr(value, "isoformat") for value in sample):
        values = _naive(pd.to_datetime(series, errors="coerce", utc=True))
        return DateColumn(column, "date/time values", None, values, _share(values, present))
    strings = sample.astype(str).str.strip()
    # every format has a year in digits and none is long: free text is turned away here
    fit = strings.str.contains(r"\d", regex=True) & (strings.str.len() <= _LONGEST)
    if float(fit.mean()) < MIN_PARSED:
        return None
    if _share_matching(strings, _ISO_RE) >= MIN_PARSED:
        date_only = _share_matching(strings, _ISO_DATE_RE) >= MIN_PARSED
        shown = "YYYY-MM-DD" if date_only else "YYYY-MM-DDTHH:MM:SS (ISO 8601)"
        return _parsed(series, present, column, "ISO8601", shown)
    for candidate in _FORMATS:
        if _read_share(strings, candidate.strftime) < MIN_PARSED:
            continue
        if candidate.swapped is None:
            return _parsed(series, present, column, candidate.strftime, candidate.shown)
        return _decide_order(series, present, column, strings, candidate)
    return None


def date_columns(frame: pd.DataFrame, skip: str | None = None) -> dict[str, DateColumn]:
    """Every column of a table that holds dates or times (:func:`detect_date_column`), in
    the table's order; ``skip`` (the text column) is not looked at."""
    found: dict[str, DateColumn] = {}
    for position, label in enumerate(frame.columns):
        if str(label) == skip:
            continue
        detected = detect_date_column(frame.iloc[:, position], str(label))
        if detected is not None:
            found[str(label)] = detected
    return found


def _decide_order(
    series: pd.Series[Any],
    present: pd.Series[Any],
    column: str,
    strings: pd.Series[Any],
    candidate: _Format,
) -> DateColumn:
    """Day and month the way the data says; its separator's custom when it says nothing."""
    other = next(f for f in _FORMATS if f.strftime == candidate.swapped)
    if _read_share(strings, other.strftime) < MIN_PARSED:
        chosen, note = candidate, _told_apart(strings, candidate, other)
    else:
        chosen = candidate if candidate.usual else other
        first = "month" if chosen.strftime.index("%m") < chosen.strftime.index("%d") else "day"
        note = (
            f"no value has a day above 12, so day and month could be either; read {first} "
            f"first ({chosen.shown})"
        )
    whole = _parsed(series, present, column, chosen.strftime, chosen.shown)
    return DateColumn(whole.name, whole.format, whole.strftime, whole.values, whole.parsed, note)


def _told_apart(strings: pd.Series[Any], chosen: _Format, other: _Format) -> str:
    reads = pd.to_datetime(strings, format=chosen.strftime, errors="coerce")
    refused = pd.to_datetime(strings, format=other.strftime, errors="coerce")
    telling = strings[reads.notna() & refused.isna()]
    day_first = chosen.strftime.index("%d") < chosen.strftime.index("%m")
    first, place = ("day", "first") if day_first else ("month", "second")
    example = f" (such as '{telling.iloc[0]}')" if len(telling) else ""
    return f"{first} first: a value above 12 in the {place} place{example}"


def _epoch(series: pd.Series[Any], present: pd.Series[Any], column: str) -> DateColumn | None:
    words = re.split(r"[^a-z]+", column.lower())
    if not any(word in DATE_NAME_WORDS for word in words):
        return None
    numbers = pd.to_numeric(present, errors="coerce")
    low, high = float(numbers.min()), float(numbers.max())
    # 1973 to 2096: outside it a number is far likelier a count or an id than a time
    for unit, shown, scale in _EPOCH_UNITS:
        if 1e8 * scale <= low and high <= 4e9 * scale:
            numeric: pd.Series[Any] = pd.to_numeric(series, errors="coerce")
            values = pd.to_datetime(numeric, unit=unit)
            return DateColumn(column, shown, None, _naive(values), 1.0)
    return None


def _parsed(
    series: pd.Series[Any], present: pd.Series[Any], column: str, strftime: str, shown: str
) -> DateColumn:
    text = series.where(series.isna(), series.astype(str).str.strip())
    utc = strftime == "ISO8601"
    values = _naive(pd.to_datetime(text, format=strftime, errors="coerce", utc=utc))
    return DateColumn(column, shown, strftime, values, _share(values, present))


def _naive(values: pd.Series[Any]) -> pd.Series[Any]:
    if getattr(values.dt, "tz", None) is not None:
        naive: pd.Series[Any] = values.dt.tz_convert("UTC").dt.tz_localize(None)
        return naive
    return values


def _share(values: pd.Series[Any], present: pd.Series[Any]) -> float:
    return float(values.notna().sum()) / max(len(present), 1)


def _share_matching(strings: pd.Series[Any], pattern: re.Pattern[str]) -> float:
    return float(strings.map(lambda text: pattern.fullmatch(text) is not None).mean())


def _read_share(strings: pd.Series[Any], strftime: str) -> float:
    return float(pd.to_datetime(strings, format=strftime, errors="coerce").notna().mean())
