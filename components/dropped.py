"""Texts dropped onto a dataset's map: kept for the dataset in this session until cleared, and
drawn as stars with lines to their nearest rows on the Neighbours and Map pages.

They stay in the session only, not in saved views or links: they are whatever the user typed,
and a link would carry it into browser history and server logs, to whoever is sent the link.
"""

from __future__ import annotations

import streamlit as st

from components import cached, state
from components.current import OpenDataset
from components.markdown import safe
from embedding_space.analysis.placement import Placement, place_texts
from embedding_space.errors import InputError
from embedding_space.figures.layers import QueryMark
from embedding_space.types import FloatMatrix

MAX_DROPPED = 50
"""The most texts kept dropped on one map."""
MAX_LENGTH = 2_000
"""The most characters of a dropped text kept (a paragraph; the model reads less)."""


def dropped_texts(dataset_id: str) -> list[str]:
    """The texts dropped on a dataset's map in this session, in the order typed."""
    kept = state.of_dataset(state.DROPPED, dataset_id, [])
    return [str(text) for text in kept] if isinstance(kept, list) else []


def parse_dropped(pasted: str) -> list[str]:
    """The texts of a paste, one a line: blank lines left out, each cut to
    :data:`MAX_LENGTH` characters, at most :data:`MAX_DROPPED` of them."""
    lines = [line.strip()[:MAX_LENGTH] for line in pasted.splitlines()]
    return [line for line in lines if line][:MAX_DROPPED]


def box_key(dataset_id: str) -> str:
    """The key of the text box the dataset's dropped texts are typed in."""
    return state.widget_key("dropped", dataset_id)


def _keep_typed(dataset_id: str) -> None:
    typed = parse_dropped(str(state.value(box_key(dataset_id), "")))
    state.put_for_dataset(state.DROPPED, dataset_id, typed or None)


def _clear(dataset_id: str) -> None:
    state.put_for_dataset(state.DROPPED, dataset_id, None)
    state.put(box_key(dataset_id), "")


def dropped_box(dataset_id: str) -> list[str]:
    """The box to type texts to drop in, showing those kept (Streamlit forgets a box's text
    when its page is left; the kept texts fill it again); returns the texts kept."""
    key = box_key(dataset_id)
    if state.value(key) is None:
        state.put(key, "\n".join(dropped_texts(dataset_id)))
    st.text_area(
        "Texts, one per line",
        placeholder="Texts, one per line:\nmy card never arrived\nwhat is the exchange rate?",
        key=key,
        label_visibility="collapsed",
        height=68,
        on_change=_keep_typed,
        args=(dataset_id,),
    )
    return dropped_texts(dataset_id)


def clear_button(dataset_id: str, page: str) -> None:
    """A button that takes the dataset's dropped texts off its maps (none when there are none);
    ``page`` tells the buttons of different pages apart."""
    if dropped_texts(dataset_id):
        st.button(
            "Clear dropped texts",
            key=state.widget_key("clear-dropped", dataset_id, page),
            on_click=_clear,
            args=(dataset_id,),
        )


def placed(current: OpenDataset, texts: list[str], k: int) -> tuple[FloatMatrix, Placement]:
    """The texts embedded with the dataset's model, and where they land on its map.

    Raises:
        InputError: No model for the texts, or a map they cannot be placed on.
    """
    if current.projection is None or current.params is None:
        raise ValueError("open the dataset with its projection to place texts on its map")
    vectors = cached.embedded_texts(current.space, tuple(texts))
    where = place_texts(current.vectors, current.projection, current.params, vectors, k=k)
    return vectors, where


def dropped_marks(current: OpenDataset, k: int) -> list[QueryMark]:
    """The dataset's dropped texts as stars for its map (none, with the reason shown, when
    they cannot be placed)."""
    texts = dropped_texts(current.info.id)
    if not texts:
        return []
    try:
        _, where = placed(current, texts, k)
    except InputError as error:
        st.error(safe(error))
        return []
    return marks(texts, where)


def marks(texts: list[str], where: Placement, name: str = "dropped") -> list[QueryMark]:
    """Stars for placed texts, each with its nearest rows, under one legend entry."""
    return [
        QueryMark(text, point, rows.tolist(), name)
        for text, point, rows in zip(texts, where.points, where.neighbors, strict=True)
    ]
