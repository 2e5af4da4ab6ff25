"""Saved views in the sidebar: save the view on screen under a name, open one in a click,
rename or delete it. A person's views are kept with their results on the dataset, so nobody
lists views that are not theirs; a view is shared by its link."""

from __future__ import annotations

import streamlit as st

from components import cached, identity, links, state
from components.markdown import safe
from embedding_space.errors import InputError
from embedding_space.views import SAVED_NAME_CHARS, SavedStories, SavedViews, View


def saved_views_of(dataset_id: str) -> SavedViews:
    """This visitor's saved views of a dataset."""
    return SavedViews(cached.workspace().results(dataset_id, identity.identity().viewer))


def saved_stories_of(dataset_id: str) -> SavedStories:
    """This visitor's stories of a dataset."""
    return SavedStories(cached.workspace().results(dataset_id, identity.identity().viewer))


def notice(kind: str, message: str) -> None:
    """Leave the outcome of a saved-view or story edit for the next run (``success`` or
    ``error``); :func:`show_notice` shows it once."""
    state.put(state.VIEW_NOTICE, (kind, message))


def show_notice() -> None:
    """The outcome of the last saved-view or story edit, once."""
    if left := state.take(state.VIEW_NOTICE):
        kind, message = left  # type: ignore[misc]
        (st.error if kind == "error" else st.success)(safe(message))


def _save(saved: SavedViews, page: str, name_key: str) -> None:
    view = links.current_view(page)
    if view is None:
        return
    try:
        name = saved.save(str(state.value(name_key) or ""), view)
    except InputError as error:
        notice("error", str(error))
        return
    state.put(name_key, "")
    state.put(state.widget_key("saved-view", view.dataset), name)
    notice("success", f"Saved “{name}”.")


def rename_kept(kept: SavedViews | SavedStories, picker_key: str, old: str, new_key: str) -> None:
    """Rename a saved view or story to what the box ``new_key`` holds, and keep it picked in
    the box ``picker_key``."""
    try:
        name = kept.rename(old, str(state.value(new_key) or ""))
    except InputError as error:
        notice("error", str(error))
        return
    state.put(picker_key, name)
    notice("success", f"Renamed to “{name}”.")


def _delete(saved: SavedViews, name: str) -> None:
    saved.delete(name)
    notice("success", f"Deleted “{name}”.")


def saved_views(page: str) -> None:
    """The sidebar's "Views" section for the open dataset."""
    dataset_id = state.dataset_id()
    if dataset_id is None:
        return
    saved = saved_views_of(dataset_id)
    views = saved.all()
    with st.expander(f"Saved views ({len(views)})", icon=":material/bookmark:"):
        show_notice()
        name_key = state.widget_key("view-name", dataset_id)
        st.text_input(
            "Name this view",
            key=name_key,
            max_chars=SAVED_NAME_CHARS,
            placeholder="e.g. Card problems, close up",
        )
        st.button(
            "Save this view",
            on_click=_save,
            args=(saved, page, name_key),
            icon=":material/bookmark_add:",
            help="Keeps the dataset, model, map and its parameters, colour and size, clusters "
            "and their names, search, selection, notes and camera. The zoom you make with the "
            "mouse is not kept (Streamlit does not report it); use a view's camera instead.",
        )
        if not views:
            st.caption("No saved views of this dataset yet.")
            return
        chosen = st.selectbox(
            "Saved views",
            list(views),
            key=state.widget_key("saved-view", dataset_id),
        )
        if chosen is None:
            return
        view = views[chosen]
        open_button, delete_button = st.columns(2)
        if open_button.button("Open", type="primary", key=state.widget_key("open-view", chosen)):
            links.open_view(view)
        delete_button.button(
            "Delete", on_click=_delete, args=(saved, chosen), key=state.widget_key("del-view")
        )
        new_key = state.widget_key("rename-view", dataset_id)
        st.text_input("Rename to", key=new_key, max_chars=SAVED_NAME_CHARS)
        picker = state.widget_key("saved-view", dataset_id)
        st.button("Rename", on_click=rename_kept, args=(saved, picker, chosen, new_key))
        st.caption("Its link, to share (whoever opens it sees this view of the dataset):")
        st.code(_shared_link(view), language=None, wrap_lines=True)


def _shared_link(view: View) -> str:
    """The view's link to share: never with the visitor's key (on a server without sign-in
    the key is who one is; whoever holds it sees one's own datasets)."""
    return view.with_changes(key=None).link()
