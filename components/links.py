"""The view in the URL: a copied link reopens the same dataset, model, map and selection.

The link speaks its own short vocabulary (``dims``, ``seed``); everywhere else the parameters
go by their scikit-learn names. Every value read from a link is checked against the core's
parameter table, and a selection is clipped before it is expanded.
"""

from __future__ import annotations

import streamlit as st

from components import cached, identity, state
from embedding_space.analysis.projection import PARAMETERS
from embedding_space.rows import decode_rows, encode_rows

URL_NAMES = {"n_components": "dims", "random_state": "seed"}
"""A parameter's name in links, where it differs from its name in the code."""
ALWAYS_IN_LINK = ("method", "n_components")
"""Parameters a link always carries; the others only when they differ from the default."""
MAX_URL_SELECTION_CHARS = 4000
"""Longer selections are left out of the link rather than make it unusable."""


def _url_name(name: str) -> str:
    return URL_NAMES.get(name, name)


def load_view_from_url() -> None:
    """Once per session, adopt the view a shared link describes."""
    if state.value(state.URL_LOADED):
        return
    state.put(state.URL_LOADED, True)
    params = st.query_params
    dataset_id = params.get("dataset")
    if dataset_id:
        state.put(state.DATASET_ID, dataset_id)
        state.put(state.LINK_NOTICE, dataset_id)
        if params.get("color"):
            state.put(state.COLOR_COLUMN, params["color"])
            state.put(state.COLOR_DATASET, dataset_id)
        if params.get("sel"):
            state.set_selection(dataset_id, decode_rows(params["sel"]))
    # On a shared server a link must not make it load (or download) an arbitrary model.
    allowed = identity.allowed_models()
    if params.get("model") and (allowed is None or params["model"] in allowed):
        state.put(state.MODEL_REQUEST, params["model"])
    for name, parameter in PARAMETERS.items():
        text = params.get(_url_name(name))
        if text is None:
            continue
        parsed = parameter.parse(text)
        if parsed is not None:
            state.put(name, parsed)
    if identity.multi_user():
        # A key is who you are without sign-in: only one this server issued is taken.
        keys = cached.workspace().keys
        key_in_link = params.get("key", "")
        state.put(state.SESSION_OWNER, key_in_link if keys.valid(key_in_link) else keys.issue())


def save_view_to_url() -> None:
    """Write the current view into the URL, so a copied link reopens it."""
    dataset_id = state.value(state.DATASET_ID)
    if dataset_id is None:
        return
    view = {"dataset": str(dataset_id), "model": str(state.value(state.MODEL_NAME))}
    for name, parameter in PARAMETERS.items():
        chosen = state.value(name)
        if name in ALWAYS_IN_LINK or chosen != parameter.default:
            view[_url_name(name)] = str(chosen)
    if identity.multi_user() and identity.signed_in_user() is None:
        # Without sign-in the key is who you are: it keeps your datasets yours across reloads.
        view["key"] = str(state.value(state.SESSION_OWNER))
    color = state.value(state.COLOR_COLUMN)
    if color and state.value(state.COLOR_DATASET) == dataset_id:
        view["color"] = str(color)
    rows = encode_rows(state.selection(str(dataset_id)))
    if rows and len(rows) <= MAX_URL_SELECTION_CHARS:
        view["sel"] = rows
    if dict(st.query_params) != view:
        st.query_params.from_dict(view)
