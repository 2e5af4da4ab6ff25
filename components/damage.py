"""A damaged dataset as the pages show it: the file named in a sentence, and the buttons that
repair it (compute a derived file again) or remove the dataset."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import cached, identity, state
from components.markdown import safe
from embedding_space.errors import DamagedFileError, InputError
from embedding_space.store.recovery import DamagedDataset, discard_damaged

_NOTICE = state.widget_key("damage", "notice")


def show_damaged_file(error: DamagedFileError, dataset_id: str, owner: str | None) -> None:
    """The damaged file's sentence with a button to compute it again (a file made from the
    table) and one to remove the dataset (for whoever may delete it).

    Args:
        error: What could not be read.
        dataset_id: The dataset it belongs to.
        owner: The dataset's owner when its manifest could be read; ``None`` otherwise.
    """
    st.error(safe(error))
    if notice := state.take(_NOTICE):
        st.warning(safe(notice))
    who = identity.identity()
    manifest = error.path.name == "manifest.json"
    may_remove = who.viewer is None or (owner is not None and owner == who.owner)
    again, remove = st.columns(2)
    if error.recomputable:
        again.button(
            "Compute it again",
            type="primary",
            on_click=_compute_again,
            args=(error, dataset_id),
            help="Removes the damaged file; it is computed again from the dataset's table.",
        )
    if may_remove:
        # Beside the repair when there is one, else where the eye starts.
        _remove_controls(remove if error.recomputable else again, dataset_id, manifest=manifest)


def show_damaged_datasets(damaged: list[DamagedDataset]) -> None:
    """The datasets whose description cannot be read (see ``DatasetStore.damaged``), each
    with its folder, what is wrong, and a Remove button."""
    st.warning(
        f"{len(damaged)} dataset{'s' if len(damaged) != 1 else ''} in the workspace cannot be "
        "opened: its description is damaged. Remove it, then add its file again."
    )
    if notice := state.take(_NOTICE):
        st.error(safe(notice))
    for entry in damaged:
        with st.container(border=True):
            named = f"**{safe(entry.name)}**, folder " if entry.name else "Folder "
            st.markdown(f"{named}**{safe(entry.id)}**: {safe(entry.reason)}")
            _remove_controls(st.container(), entry.id, manifest=True)


def _remove_controls(place: DeltaGenerator, dataset_id: str, *, manifest: bool) -> None:
    confirm = place.checkbox(
        "Yes, remove this dataset and everything computed from it",
        key=state.widget_key("confirm-damaged", dataset_id),
    )
    place.button(
        "Remove the dataset",
        key=state.widget_key("remove-damaged", dataset_id),
        disabled=not confirm,
        on_click=_remove,
        args=(dataset_id, manifest),
    )


def _compute_again(error: DamagedFileError, dataset_id: str) -> None:
    try:
        discard_damaged(cached.workspace().root, error)
    except InputError as refused:
        state.put(_NOTICE, str(refused))
        return
    cached.forget_dataset(dataset_id)


def _remove(dataset_id: str, manifest: bool) -> None:
    store = cached.workspace()
    who = identity.identity()
    try:
        if manifest:
            store.remove_damaged(dataset_id, user=who.viewer)
        else:
            store.delete(dataset_id, user=who.acting_user)
    except InputError as refused:
        state.put(_NOTICE, str(refused))
        return
    cached.forget_dataset(dataset_id)
    if state.dataset_id() == dataset_id:
        state.take(state.DATASET_ID)
    state.put(state.FLASH, "The damaged dataset was removed.")
