"""Search the open dataset by text, by pattern or by meaning; the matches light up the map."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import state
from components.current import OpenDataset
from components.markdown import safe
from components.tables import RowImages, text_table
from embedding_space.analysis.search import SEARCH_KINDS, Match
from embedding_space.errors import InputError
from embedding_space.store.tag_columns import TAGS_COLUMN

_KIND_LABELS = {"text": "Text", "regex": "Regex", "semantic": "Meaning"}


@dataclass(frozen=True)
class SearchResult:
    """What a search found.

    Attributes:
        query: What was searched for.
        kind: ``text``, ``regex`` or ``semantic``.
        matches: The rows, best first for meaning, in row order otherwise.
    """

    query: str
    kind: str
    matches: list[Match]

    @property
    def rows(self) -> list[int]:
        return [match.row for match in self.matches]

    @property
    def label(self) -> str:
        """What the map's legend calls the matches."""
        verb = {"text": "contains", "regex": "matches", "semantic": "nearest to"}[self.kind]
        return f"{verb} “{self.query[:40]}”"


def search_box(
    kind_place: DeltaGenerator,
    query_place: DeltaGenerator,
    column_place: DeltaGenerator,
    current: OpenDataset,
) -> SearchResult | None:
    """The search controls; returns what they found, or ``None`` when nothing is asked.

    A bad pattern, or a dataset whose model cannot embed a query, gives a message instead.
    """
    columns = [str(column) for column in current.frame.columns]
    if TAGS_COLUMN not in columns and current.space.tags is not None:
        columns.append(TAGS_COLUMN)  # the dataset's tags, searched as "name; name"
    if state.value(state.SEARCH_COLUMN) not in columns:
        state.put(state.SEARCH_COLUMN, current.info.text_column)
    kind = kind_place.selectbox(
        "Search",
        list(SEARCH_KINDS),
        format_func=_KIND_LABELS.__getitem__,
        label_visibility="collapsed",
        **state.bind(state.SEARCH_KIND),
    )
    placeholder = {
        "text": "Search, e.g. refund",
        "regex": r"Search, e.g. (?i)\bcard\b",
        "semantic": "Search, e.g. card never came",
    }[str(kind)]
    query = query_place.text_input(
        "for",
        placeholder=placeholder,
        label_visibility="collapsed",
        **state.bind(state.SEARCH_QUERY),
    ).strip()
    column_place.selectbox(
        "Search in column",
        columns,
        disabled=kind == "semantic",
        help="A search by meaning compares the query with each row's vector.",
        **state.bind(state.SEARCH_COLUMN),
    )
    if not query:
        return None
    try:
        matches = current.space.search(
            query, str(kind), column=str(state.value(state.SEARCH_COLUMN))
        )
    except InputError as error:
        st.error(safe(error))
        return None
    return SearchResult(query, str(kind), matches)


def search_results(current: OpenDataset, result: SearchResult) -> int | None:
    """The matches, listed; returns the row the user has just picked in the list, if any (a
    pick is reported once, so a later click on the map is not undone by it)."""
    count = len(result.matches)
    what = "nearest in meaning" if result.kind == "semantic" else "matching"
    st.caption(f"{count:,} rows {what} · picked rows are starred on the map")
    if not count:
        return None
    shown = result.matches[:500]
    table = pd.DataFrame(
        {
            "row": [match.row for match in shown],
            "text": [current.texts[match.row] for match in shown],
        }
    )
    if result.kind == "semantic":
        table.insert(1, "score", [round(match.score, 3) for match in shown])
    event = text_table(
        table,
        narrow=True,
        rows_shown=5,
        on_select="rerun",
        selection_mode="single-row",
        key=state.widget_key("search-results", current.info.id, result.kind, result.query),
        images=RowImages(current.info.id, table["row"].tolist()),
    )
    picked = event.selection.rows if event is not None else []
    row = int(table["row"].iloc[picked[0]]) if picked else None
    seen = state.widget_key("search-picked", current.info.id)
    if row == state.value(seen):
        return None
    state.put(seen, row)
    return row
