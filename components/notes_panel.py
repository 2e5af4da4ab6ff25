"""Notes on the map: a short text pinned to the clicked point or to the centre of the
selection, drawn as a label with a leader line and kept with the view."""

from __future__ import annotations

import streamlit as st

from components import state
from components.markdown import plain_markdown, safe
from embedding_space.errors import InputError
from embedding_space.views import MAX_ANNOTATION_CHARS, MAX_ANNOTATIONS, Annotation

_AT_POINT = "the clicked point"
_AT_SELECTION = "the centre of the selection"


def _add(dataset_id: str, text_key: str, where_key: str, focus: int | None) -> None:
    notes = state.notes(dataset_id)
    try:
        if len(notes) >= MAX_ANNOTATIONS:
            raise InputError(f"A map holds at most {MAX_ANNOTATIONS} notes; delete one first.")
        row = focus if state.value(where_key) == _AT_POINT else None
        notes.append(Annotation(str(state.value(text_key) or ""), row))
    except InputError as error:
        state.put(state.widget_key("note-error", dataset_id), str(error))
        return
    state.put_for_dataset(state.NOTES, dataset_id, notes)
    state.put(text_key, "")


def _fit(dataset_id: str, fit_key: str) -> None:
    state.put_for_dataset(state.FIT_SELECTION, dataset_id, bool(state.value(fit_key)) or None)


def _delete(dataset_id: str, index: int) -> None:
    notes = state.notes(dataset_id)
    del notes[index]
    state.put_for_dataset(state.NOTES, dataset_id, notes or None)


def notes_panel(dataset_id: str, *, focus: int | None, selected: list[int]) -> None:
    """Add a note to the clicked point or the selection's centre; list and delete notes."""
    if error := state.take(state.widget_key("note-error", dataset_id)):
        st.error(safe(error))
    places = ([_AT_POINT] if focus is not None else []) + ([_AT_SELECTION] if selected else [])
    if places:
        text_key = state.widget_key("note-text", dataset_id)
        where_key = state.widget_key("note-where", dataset_id)
        st.text_input("Note", key=text_key, max_chars=MAX_ANNOTATION_CHARS)
        st.radio("Pinned to", places, key=where_key, horizontal=True)
        st.button(
            "Add the note",
            on_click=_add,
            args=(dataset_id, text_key, where_key, focus),
            icon=":material/sticky_note_2:",
        )
    else:
        st.caption("Click a point or select some to pin a note to them.")
    if selected:
        fit_key = state.widget_key("fit-selection", dataset_id)
        state.put(fit_key, bool(state.of_dataset(state.FIT_SELECTION, dataset_id, False)))
        st.toggle(
            "Zoom the map to the selection",
            key=fit_key,
            on_change=_fit,
            args=(dataset_id, fit_key),
            help="Kept with a saved view and a story's slide, so the slide opens close up.",
        )
    for index, note in enumerate(state.notes(dataset_id)):
        text, delete = st.columns([5, 1], vertical_alignment="center")
        where = f"row {note.row}" if note.row is not None else "selection"
        text.markdown(f"{plain_markdown(note.text, 80)} · *{where}*")
        delete.button(
            "✕",
            key=state.widget_key("delete-note", dataset_id, index),
            on_click=_delete,
            args=(dataset_id, index),
            help="Delete this note.",
        )
