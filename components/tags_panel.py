"""Tags: name rows as you go (the map's selection, a search's matches, a cluster, a kept
selection), untag, rename, merge, delete, undo; and take them to Label Studio.

Tags belong to the dataset (``store.tags``): everyone who can see it reads them, only its
owner changes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from components import state
from components.current import OpenDataset
from components.markdown import safe
from embedding_space.errors import InputError
from embedding_space.export import export_label_studio, label_studio_config
from embedding_space.export.files import file_stem
from embedding_space.store.tags import TAG_NAME_CHARS, Tags


def _notice_key(dataset_id: str) -> str:
    return state.widget_key("tag-notice", dataset_id)


def _say(dataset_id: str, kind: str, message: str) -> None:
    state.put(_notice_key(dataset_id), (kind, message))


def _tag(tags: Tags, dataset_id: str, rows: Sequence[int], name_key: str, remove: bool) -> None:
    name = str(state.value(name_key) or "")
    try:
        if remove:
            tags.untag(rows, name)
            _say(dataset_id, "success", f"Took “{name}” off {len(rows):,} rows.")
        else:
            kept = tags.tag(rows, name)
            _say(dataset_id, "success", f"Tagged {len(rows):,} rows “{kept}”.")
    except InputError as error:
        _say(dataset_id, "error", str(error))


def _undo(tags: Tags, dataset_id: str) -> None:
    try:
        undone = tags.undo()
    except InputError as error:
        _say(dataset_id, "error", str(error))
        return
    _say(dataset_id, "success", f"Undid: {undone}." if undone else "Nothing to undo.")


def _manage(tags: Tags, dataset_id: str, action: str, keys: Mapping[str, str]) -> None:
    read = {name: state.value(key) for name, key in keys.items()}
    try:
        if action == "rename":
            kept = tags.rename(str(read["old"] or ""), str(read["new"] or ""))
            _say(dataset_id, "success", f"Renamed to “{kept}”.")
        elif action == "merge":
            merged = list(read["merged"] or [])  # type: ignore[call-overload]
            kept = tags.merge(merged, str(read["into"] or ""))
            _say(dataset_id, "success", f"Merged {len(merged)} tags into “{kept}”.")
        else:
            tags.delete(str(read["deleted"] or ""))
            _say(dataset_id, "success", f"Deleted “{read['deleted']}”.")
    except InputError as error:
        _say(dataset_id, "error", str(error))


def tags_panel(current: OpenDataset, sources: Mapping[str, list[int]]) -> None:
    """Tag or untag the rows of one of ``sources`` (what the page has to offer: the map's
    selection, the search's matches, each cluster, each kept selection); the tags with their
    counts, their management and their export."""
    dataset_id = current.info.id
    tags = current.space.tags
    if tags is None:
        return
    if notice := state.take(_notice_key(dataset_id)):
        kind, message = notice  # type: ignore[misc]
        (st.error if kind == "error" else st.success)(safe(message))
    counts = tags.counts()
    if not tags.editable:
        st.caption("Only the owner of this dataset can change its tags.")
    elif not sources:
        st.caption("Select points on the map, search, or cluster to have rows to tag.")
    else:
        offered = state.widget_key("tag-source", dataset_id, *list(sources)[:2])
        source = st.selectbox("Tag", list(sources), key=offered)
        name_key = state.widget_key("tag-name", dataset_id)
        st.selectbox(
            "with the tag",
            list(counts),
            index=None,
            accept_new_options=True,
            placeholder="a new or existing tag",
            key=name_key,
            help=f"Pick a tag or type a new name (up to {TAG_NAME_CHARS} characters).",
        )
        add, remove, undo = st.columns(3)
        rows = sources[source]
        add.button(
            "Tag",
            on_click=_tag,
            args=(tags, dataset_id, rows, name_key, False),
            key=state.widget_key("tag-add", dataset_id),
        )
        remove.button(
            "Untag",
            on_click=_tag,
            args=(tags, dataset_id, rows, name_key, True),
            key=state.widget_key("tag-remove", dataset_id),
        )
        last = tags.last_change()
        undo.button(
            "Undo",
            on_click=_undo,
            args=(tags, dataset_id),
            disabled=last is None,
            help=f"Undo: {safe(last)}" if last else "Nothing to undo.",
            key=state.widget_key("tag-undo", dataset_id),
        )
    if not counts:
        return
    st.caption(
        " · ".join(f"{safe(name)} ({count:,})" for name, count in counts.items())
        + " — colour the map by *tags*, or search in the *tags* column."
    )
    if tags.editable:
        _tag_manager(tags, dataset_id, list(counts))
    _label_studio_export(current, tags)


def _tag_manager(tags: Tags, dataset_id: str, names: list[str]) -> None:
    with st.expander("Rename, merge or delete tags"):
        keys = {
            "old": state.widget_key("tag-old", dataset_id),
            "new": state.widget_key("tag-new", dataset_id),
            "merged": state.widget_key("tag-merged", dataset_id),
            "into": state.widget_key("tag-into", dataset_id),
            "deleted": state.widget_key("tag-deleted", dataset_id),
        }
        st.selectbox("Rename", names, key=keys["old"])
        st.text_input("to", max_chars=TAG_NAME_CHARS, key=keys["new"])
        st.button(
            "Rename",
            on_click=_manage,
            args=(tags, dataset_id, "rename", keys),
            key=state.widget_key("tag-rename", dataset_id),
        )
        st.multiselect("Merge", names, key=keys["merged"])
        st.text_input("into", max_chars=TAG_NAME_CHARS, key=keys["into"])
        st.button(
            "Merge",
            on_click=_manage,
            args=(tags, dataset_id, "merge", keys),
            key=state.widget_key("tag-merge", dataset_id),
        )
        st.selectbox("Delete", names, key=keys["deleted"])
        st.button(
            "Delete tag",
            on_click=_manage,
            args=(tags, dataset_id, "delete", keys),
            key=state.widget_key("tag-delete", dataset_id),
        )


def _label_studio_export(current: OpenDataset, tags: Tags) -> None:
    stem = file_stem(current.info.name)
    left, right = st.columns(2)
    left.download_button(
        "Label Studio tasks",
        lambda: export_label_studio(current.texts, tags.tags_of_rows()),
        f"{stem}-label-studio.json",
        "application/json",
        on_click="ignore",
        help="One task per row with its text; its tags as pre-annotations (predictions).",
    )
    right.download_button(
        "Labeling config",
        lambda: label_studio_config(tags.names()).encode(),
        f"{stem}-label-studio.xml",
        "application/xml",
        on_click="ignore",
        help="Paste into the Label Studio project's Labeling Interface (Code).",
    )
