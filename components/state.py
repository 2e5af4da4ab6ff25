"""The session-state contract: which keys the pages share, and what each holds.

Session state holds inputs and choices only (ids, names, row ids), never large arrays; those
come from the cached calls in :mod:`components.cached`.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass

import streamlit as st

from embedding_space.embedding import DEFAULT_MODEL
from embedding_space.projection import DEFAULT_SEED, ProjectionParams

DATASET_ID = "dataset_id"
MODEL_NAME = "model_name"
METHOD = "method"
DIMS = "dims"
N_NEIGHBORS = "n_neighbors"
MIN_DIST = "min_dist"
PERPLEXITY = "perplexity"
SEED = "seed"
COLOR_COLUMN = "color_column"
NO_COLOR = "(none)"  # the "Colour by" choice of no column
COLOR_DATASET = "color_dataset"  # the dataset the colour choice was made for
SELECTION = "selection"  # dataset id -> list of selected row ids
FOCUS_ROW = "focus_row"  # dataset id -> the clicked row, or absent
SESSION_OWNER = "session_owner"
FLASH = "flash"  # a message to show once on the next page, e.g. after an upload

METHOD_LABELS = {"umap": "UMAP", "tsne": "t-SNE", "pca": "PCA"}

DEFAULTS: dict[str, object] = {
    MODEL_NAME: DEFAULT_MODEL,
    METHOD: "umap",
    DIMS: 2,
    N_NEIGHBORS: 15,
    MIN_DIST: 0.1,
    PERPLEXITY: 30.0,
    SEED: DEFAULT_SEED,
}

MULTI_USER_VARIABLE = "EMBEDDING_SPACE_MULTI_USER"


def init_state() -> None:
    """Fill in defaults once per session; widgets keyed by these names then own them."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    st.session_state.setdefault(SELECTION, {})
    st.session_state.setdefault(FOCUS_ROW, {})
    st.session_state.setdefault(SESSION_OWNER, secrets.token_urlsafe(16))


def _copy_from_widget(widget_key: str, name: str) -> None:
    st.session_state[name] = st.session_state[widget_key]


def bind(name: str) -> dict[str, object]:
    """Widget arguments that show and update the choice stored under ``name``.

    The widget gets a key of its own and copies its value over on change: Streamlit drops the
    state of widgets a run does not draw (a page not shown, a rerun cut short by
    ``switch_page``), while plain keys stay, so the choice survives whatever page is open.

    Example:
        ``st.radio("Projection", options, **state.bind(state.METHOD))``
    """
    widget_key = f"widget:{name}"
    st.session_state[widget_key] = st.session_state.get(name)
    return {"key": widget_key, "on_change": _copy_from_widget, "args": (widget_key, name)}


def sign_in_configured() -> bool:
    """Whether Streamlit's OIDC sign-in (``[auth]`` in ``.streamlit/secrets.toml``) is set up."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def require_sign_in() -> None:
    """With sign-in configured, nobody uses the app anonymously: offer sign-in and stop."""
    if sign_in_configured() and _signed_in_user() is None:
        st.title("Embedding Space Explorer")
        st.write("Sign in to see your datasets.")
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()


def multi_user() -> bool:
    """Whether the app is served to several people (each then sees only their own datasets)."""
    if os.environ.get(MULTI_USER_VARIABLE, "").lower() in {"1", "true", "yes"}:
        return True
    return sign_in_configured()


def _signed_in_user() -> str | None:
    try:
        user = st.user
        if user.get("is_logged_in"):
            return str(user.get("sub") or user.get("email"))
    except Exception:  # st.user raises where no sign-in is configured
        return None
    return None


@dataclass(frozen=True)
class Identity:
    """Who is using this session, for the workspace's ownership rules.

    Attributes:
        owner: Stored as the owner of datasets this session creates.
        viewer: Passed to ``Workspace.list_datasets``; ``None`` sees everything (one user).
    """

    owner: str
    viewer: str | None


def identity() -> Identity:
    """The signed-in user, else this browser session in multi-user mode, else the local user."""
    user = _signed_in_user()
    if user is not None:
        return Identity(owner=f"user:{user}", viewer=f"user:{user}")
    if multi_user():
        owner = f"session:{st.session_state[SESSION_OWNER]}"
        return Identity(owner=owner, viewer=owner)
    return Identity(owner="local", viewer=None)


def projection_params() -> ProjectionParams:
    """The projection the sidebar and the map's parameter expander describe."""
    return ProjectionParams(
        method=st.session_state[METHOD],
        n_components=int(st.session_state[DIMS]),
        n_neighbors=int(st.session_state[N_NEIGHBORS]),
        min_dist=float(st.session_state[MIN_DIST]),
        perplexity=float(st.session_state[PERPLEXITY]),
        random_state=int(st.session_state[SEED]),
    )


def selection(dataset_id: str, row_count: int) -> list[int]:
    """Row ids selected on the map for a dataset (kept across reruns and pages).

    Args:
        dataset_id: The dataset.
        row_count: Its number of rows; ids beyond it (from an edited link) are dropped.
    """
    return [row for row in st.session_state[SELECTION].get(dataset_id, []) if 0 <= row < row_count]


def set_selection(dataset_id: str, rows: list[int]) -> None:
    st.session_state[SELECTION][dataset_id] = sorted(set(rows))


def focus_row(dataset_id: str) -> int | None:
    """The point last clicked on the map, if any."""
    value = st.session_state[FOCUS_ROW].get(dataset_id)
    return int(value) if value is not None else None


def set_focus_row(dataset_id: str, row: int | None) -> None:
    st.session_state[FOCUS_ROW][dataset_id] = row


# -- the view in the URL ------------------------------------------------------------------------

_URL_LOADED = "url_loaded"
_OWNER_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Projection parameters a link carries when they differ from the defaults:
# (name in the URL, session key, type, lowest, highest).
_URL_PARAMETERS: tuple[tuple[str, str, type, float, float], ...] = (
    ("n_neighbors", N_NEIGHBORS, int, 2, 100),
    ("min_dist", MIN_DIST, float, 0.0, 1.0),
    ("perplexity", PERPLEXITY, float, 2.0, 100.0),
    ("seed", SEED, int, 0, 2**31 - 1),
)
LINK_NOTICE = "link_notice"
MAX_URL_SELECTION_CHARS = 4000
"""Longer selections are left out of the link rather than make it unusable."""


def encode_rows(rows: list[int]) -> str:
    """Row ids as compact ranges: ``[1, 2, 3, 7]`` -> ``"1-3.7"``."""
    parts: list[str] = []
    ordered = sorted(set(rows))
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        first, last = ordered[start], ordered[end]
        parts.append(str(first) if first == last else f"{first}-{last}")
        start = end + 1
    return ".".join(parts)


MAX_LINK_ROWS = 200_000
"""A link never selects more rows than this, whatever its ranges claim."""


def decode_rows(text: str, row_count: int = MAX_LINK_ROWS) -> list[int]:
    """The inverse of :func:`encode_rows`, keeping only ids below ``row_count``.

    Anything malformed yields no rows; ranges are clipped before they are expanded, so a
    hand-edited link cannot ask for billions of rows.
    """
    limit = min(row_count, MAX_LINK_ROWS)
    rows: set[int] = set()
    try:
        for part in filter(None, text.split(".")):
            first, _, last = part.partition("-")
            start, end = int(first), int(last or first)
            if start < 0 or end < start:
                return []
            rows.update(range(start, min(end, limit - 1) + 1))
    except ValueError:
        return []
    return sorted(rows)


def load_view_from_url() -> None:
    """Once per session, adopt the view a shared link describes."""
    if st.session_state.get(_URL_LOADED):
        return
    st.session_state[_URL_LOADED] = True
    params = st.query_params
    dataset_id = params.get("dataset")
    if dataset_id:
        st.session_state[DATASET_ID] = dataset_id
        st.session_state[LINK_NOTICE] = dataset_id
        if params.get("color"):
            st.session_state[COLOR_COLUMN] = params["color"]
            st.session_state[COLOR_DATASET] = dataset_id
        if params.get("sel"):
            set_selection(dataset_id, decode_rows(params["sel"]))
    # On a shared server a link must not make it load (or download) an arbitrary model.
    if params.get("model") and (not multi_user() or params["model"] == DEFAULT_MODEL):
        st.session_state["model_request"] = params["model"]
    if params.get("method") in ("umap", "tsne", "pca"):
        st.session_state[METHOD] = params["method"]
    if params.get("dims") in ("2", "3"):
        st.session_state[DIMS] = int(params["dims"])
    for name, key, kind, low, high in _URL_PARAMETERS:
        try:
            value = kind(params[name]) if name in params else None
        except ValueError:
            continue
        if value is not None and low <= value <= high:
            st.session_state[key] = value
    key_in_link = params.get("key", "")
    if multi_user() and _OWNER_KEY.fullmatch(key_in_link):
        st.session_state[SESSION_OWNER] = key_in_link


def save_view_to_url() -> None:
    """Write the current view into the URL, so a copied link reopens it."""
    dataset_id = st.session_state.get(DATASET_ID)
    if dataset_id is None:
        return
    view = {
        "dataset": dataset_id,
        "model": str(st.session_state[MODEL_NAME]),
        "method": str(st.session_state[METHOD]),
        "dims": str(st.session_state[DIMS]),
    }
    for name, key, _kind, _low, _high in _URL_PARAMETERS:
        if st.session_state[key] != DEFAULTS[key]:
            view[name] = str(st.session_state[key])
    if multi_user() and _signed_in_user() is None:
        # Without sign-in the key is who you are: it keeps your datasets yours across reloads.
        view["key"] = str(st.session_state[SESSION_OWNER])
    color = st.session_state.get(COLOR_COLUMN)
    if color and st.session_state.get(COLOR_DATASET) == dataset_id:
        view["color"] = str(color)
    rows = encode_rows(st.session_state[SELECTION].get(dataset_id, []))
    if rows and len(rows) <= MAX_URL_SELECTION_CHARS:
        view["sel"] = rows
    if dict(st.query_params) != view:
        st.query_params.from_dict(view)
