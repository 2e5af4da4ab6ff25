"""The session-state contract: every key the pages share, what each holds, and its default.

Session state holds inputs and choices only (ids, names, row ids), never large arrays; those
come from the cached calls in :mod:`components.cached`. No other module writes a key by its
literal name: they use the constants and helpers here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar, cast

import streamlit as st

from embedding_space import views
from embedding_space.analysis.clustering import ClusterParams
from embedding_space.analysis.parameters import SETTINGS, ClusterMethod
from embedding_space.analysis.projection import PARAMETERS, ProjectionParams
from embedding_space.embed.sentence import DEFAULT_MODEL

DATASET_ID = "dataset_id"
MODEL_NAME = "model_name"  # the model the pages embed with
MODEL_REQUEST = "model_request"  # a model typed in the sidebar or named by a link, tried next run
MODEL_INPUT = "model_input"  # the sidebar's model text box
MODEL_ERROR = "model_error"  # why the last requested model did not load
COLOR_COLUMN = "color_column"
NO_COLOR = views.NO_COLOR  # the "Colour by" choice of no column
CLUSTER_COLOR = views.CLUSTER_COLOR  # the "Colour by" choice of the computed clusters
OUTLIER_SCORE = views.OUTLIER_SCORE  # a "Colour by" or "Size by" choice: how strange a row is
MAP_TRUST = views.MAP_TRUST  # a "Colour by" choice: each point's kNN recall on the map
TAGS_COLOR = views.TAGS_COLOR  # a "Colour by" choice: each row's tag
LABEL_ISSUE_SCORE = views.LABEL_ISSUE_SCORE  # a "Colour by" choice: how suspect a label is
TRUST_K = "trust_k"  # k of the map-trust figures (a setting: see SETTINGS)
JUDGE_LARGE_MAPS = "judge_large_maps"  # whether the trust figures of large maps are computed
OUTLIER_METHOD = "outlier_method"  # settings: each named as in SETTINGS
OUTLIER_K = "outlier_k"
OUTLIER_TOP = "outlier_top"
DUPLICATE_THRESHOLD = "duplicate_threshold"
LABEL_K = "label_k"
LABEL_ISSUES = "label_issues"  # the Label issues tab's choices: column, tag name, rows shown
COMPARE_K = "compare_k"
ARITHMETIC_K = "arithmetic_k"
SIZE_COLUMN = "size_column"  # a numeric column the markers are sized by, or NO_COLOR
CLUSTER_METHOD = "cluster_method"
N_CLUSTERS = "n_clusters"
MIN_CLUSTER_SIZE = "min_cluster_size"
CLUSTER_LABELS = "cluster_labels"  # whether cluster labels are written on the map
CLUSTER_LEVEL = "cluster_level"  # "fine" or "coarse": which clusters the maps show
N_COARSE = "n_coarse_clusters"  # how many coarse clusters (a setting: 0 is automatic)
DENSITY = "density"  # whether density contours are drawn under the points
MAP_PICTURES = "map_pictures"  # whether a small 2-D map of images draws its points as pictures
SEARCH_KIND = "search_kind"  # text, regex or semantic
SEARCH_QUERY = "search_query"
SEARCH_COLUMN = "search_column"
NEIGHBOR_K = "neighbor_k"  # how many neighbours the map's side panel lists
NEIGHBOR_METRIC = "neighbor_metric"
FULL_TEXTS = "full_texts"  # whether the side panel shows whole texts
COLOR_DATASET = "color_dataset"  # the dataset the colour choice was made for
SELECTION = "selection"  # dataset id -> list of selected row ids
FOCUS_ROW = "focus_row"  # dataset id -> the clicked row, or absent
SESSION_OWNER = "session_owner"  # this browser session's key in multi-user mode (server-issued)
KEY_TO_REMEMBER = "key_to_remember"  # a key issued to this browser, written into its cookie
FLASH = "flash"  # a message to show once on the next page, e.g. after an upload
LINK_NOTICE = "link_notice"  # the dataset a link asked for, until the sidebar has checked it
LINK_PROBLEM = "link_problem"  # why parts of the opened link were left out, shown once
URL_LOADED = "url_loaded"  # whether this session has read its link yet
WORKSPACE_PICK = "ws_pick"  # the dataset chosen in the Workspace tab
WORKSPACE_NOTICE = "ws_notice"  # why the last rename or delete failed
SIGN_OUT = "sign_out"  # the sidebar's sign-out button
SIGN_IN_DOWN = "sign_in_down"  # the sign-in service's host, when it did not answer
EMBEDDING_STOPPED = "embedding_stopped"  # the dataset whose embedding the user stopped
METHOD_DATASET = "method_dataset"  # the dataset the projection method was last defaulted for
MAP_INTERACTIONS = "map_interactions"  # map key -> {"tool": drag mode, "event": last event}
KEPT_SHOWN = "kept_shown"  # dataset id -> the name of the kept selection shown on the map
NOTES = "notes"  # dataset id -> the notes (views.Annotation) drawn on the map
CAMERA = "camera"  # dataset id -> where an opened view's map looks (views.Camera)
DROPPED = "dropped"  # dataset id -> the texts dropped onto its map, until cleared
NEIGHBOR_MODE = "neighbor_mode"  # what the Neighbours page searches by
FIT_SELECTION = "fit_selection"  # dataset id -> whether the map is zoomed to the selection
VIEW_NOTICE = "view_notice"  # what went wrong or right with the last saved-view action
MAP_HEIGHT = "map_height"  # "compact" or "tall": how high the explore pages draw their maps
SIDE_PANEL = "side_panel"  # whether the Map page shows its side panel beside the map
SIMILARITY_ROWS = "similarity_rows"  # how many rows the similarity heatmap shows (applied)
SIMILARITY_WHICH = "similarity_which"  # "random sample" or "first rows" (applied)
FILTERS = "filters"  # dataset id -> the filters on its other columns (analysis.filters), AND
FILTER_COLUMNS = "filter_columns"  # dataset id -> the columns the filter panel charts
FILTERS_SHOWN = "filters_shown"  # whether the Map page shows its filter charts

# Each projection parameter and each setting is kept under its own name (see PARAMETERS and
# SETTINGS, where their defaults and bounds are written once).
DEFAULTS: dict[str, object] = {
    MODEL_NAME: DEFAULT_MODEL,
    **{name: parameter.default for name, parameter in PARAMETERS.items()},
    **{name: parameter.default for name, parameter in SETTINGS.items()},
    CLUSTER_LABELS: True,
    CLUSTER_LEVEL: "fine",
    DENSITY: False,
    MAP_PICTURES: False,
    SIZE_COLUMN: NO_COLOR,
    SEARCH_KIND: "text",
    SEARCH_QUERY: "",
    FULL_TEXTS: False,
    JUDGE_LARGE_MAPS: False,
    NEIGHBOR_MODE: "a sentence",
}
_T = TypeVar("_T", int, float, str)


def init_state() -> None:
    """Fill in defaults once per session; widgets keyed by these names then own them."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    st.session_state.setdefault(SELECTION, {})
    st.session_state.setdefault(FOCUS_ROW, {})
    for per_dataset in (
        MAP_INTERACTIONS,
        KEPT_SHOWN,
        NOTES,
        CAMERA,
        FIT_SELECTION,
        DROPPED,
        FILTERS,
        FILTER_COLUMNS,
    ):
        st.session_state.setdefault(per_dataset, {})


def _copy_from_widget(widget_key: str, name: str) -> None:
    st.session_state[name] = st.session_state[widget_key]


def bind(name: str) -> dict[str, object]:
    """Widget arguments that show and update the choice stored under ``name``.

    The widget gets a key of its own and copies its value over on change: Streamlit drops the
    state of widgets a run does not draw (a page not shown, a rerun cut short by
    ``switch_page``), while plain keys stay, so the choice survives whatever page is open.

    Example:
        ``st.radio("Projection", options, **state.bind("method"))``
    """
    widget_key = f"widget:{name}"
    st.session_state[widget_key] = st.session_state.get(name)
    return {"key": widget_key, "on_change": _copy_from_widget, "args": (widget_key, name)}


def dataset_id() -> str | None:
    """The dataset the pages show, or ``None`` when the workspace has none."""
    current = st.session_state.get(DATASET_ID)
    return None if current is None else str(current)


def model_name() -> str:
    """The model the pages embed texts and queries with."""
    return str(st.session_state[MODEL_NAME])


def color_column(columns: Iterable[object]) -> str | None:
    """The column the maps are coloured by, if it is one of ``columns``; else ``None``."""
    chosen = st.session_state.get(COLOR_COLUMN)
    return str(chosen) if chosen != NO_COLOR and chosen in set(columns) else None


def colored_by_clusters() -> bool:
    """Whether the maps are coloured by the computed clusters."""
    return st.session_state.get(COLOR_COLUMN) == CLUSTER_COLOR


def widget_key(kind: str, *parts: object) -> str:
    """The key of a widget that belongs to one thing (an upload, a dataset): ``kind:part``."""
    return ":".join([kind, *map(str, parts)])


def value(key: str, default: object = None) -> object:
    """Whatever is stored under ``key`` (e.g. a :func:`widget_key`), or ``default``."""
    return st.session_state.get(key, default)


def put(key: str, stored: object) -> None:
    """Store a value under ``key`` (e.g. a :func:`widget_key` a widget is about to show)."""
    st.session_state[key] = stored


def forget(*keys: str) -> None:
    """Drop whatever is stored under ``keys`` (a widget callback: a choice that no longer
    applies, such as a text column after another sheet was picked)."""
    for key in keys:
        st.session_state.pop(key, None)


def take(key: str) -> object:
    """Remove and return what is stored under ``key``, or ``None``."""
    return st.session_state.pop(key, None)


def projection_params() -> ProjectionParams:
    """The projection the sidebar and the map's parameter expander describe."""
    chosen = {
        name: parameter.kind(st.session_state[name]) for name, parameter in PARAMETERS.items()
    }
    return ProjectionParams(**chosen)


def setting(name: str, kind: type[_T]) -> _T:
    """The value this session chose for a setting (see ``SETTINGS``), as ``kind``; its
    default when the value is not one the setting allows (an edited link, a stale state)."""
    parameter = SETTINGS[name]
    try:
        return kind(parameter.value_of(st.session_state.get(name, parameter.default)))
    except (ValueError, TypeError):  # InputError is a ValueError
        return parameter.typed_default(kind)


def cluster_params() -> ClusterParams:
    """The clustering the map's cluster controls describe."""
    return ClusterParams(
        method=cast(ClusterMethod, setting(CLUSTER_METHOD, str)),
        n_clusters=setting(N_CLUSTERS, int),
        min_cluster_size=setting(MIN_CLUSTER_SIZE, int),
    )


def selection(dataset_id: str, row_count: int | None = None) -> list[int]:
    """Row ids selected on the map for a dataset (kept across reruns and pages).

    Args:
        dataset_id: The dataset.
        row_count: Its number of rows; ids beyond it (from an edited link) are dropped.
    """
    rows: list[int] = st.session_state[SELECTION].get(dataset_id, [])
    return [row for row in rows if row_count is None or 0 <= row < row_count]


def set_selection(dataset_id: str, rows: Iterable[int]) -> None:
    """Select rows (no kept selection is then shown, until one is picked again)."""
    st.session_state[SELECTION][dataset_id] = sorted(set(rows))
    st.session_state[KEPT_SHOWN].pop(dataset_id, None)


def focus_row(dataset_id: str, row_count: int | None = None) -> int | None:
    """The point last clicked on the map, if any (and, given ``row_count``, if the dataset
    still has that row)."""
    clicked = st.session_state[FOCUS_ROW].get(dataset_id)
    if clicked is None or int(clicked) < 0:
        return None
    return int(clicked) if row_count is None or int(clicked) < row_count else None


def set_focus_row(dataset_id: str, row: int | None) -> None:
    st.session_state[FOCUS_ROW][dataset_id] = row


def map_interaction(map_key: str) -> dict[str, object]:
    """What a map remembers between reruns: its drag tool and the last event it reported."""
    interactions: dict[str, dict[str, object]] = st.session_state[MAP_INTERACTIONS]
    return interactions.setdefault(map_key, {})


def of_dataset(key: str, dataset_id: str, default: object = None) -> object:
    """What a per-dataset key (:data:`KEPT_SHOWN`, :data:`NOTES`, :data:`CAMERA`,
    :data:`FIT_SELECTION`, :data:`DROPPED`, :data:`FILTERS`, :data:`FILTER_COLUMNS`) holds
    for one dataset."""
    return st.session_state[key].get(dataset_id, default)


def put_for_dataset(key: str, dataset_id: str, stored: object) -> None:
    """Store what a per-dataset key holds for one dataset (``None`` forgets it)."""
    if stored is None:
        st.session_state[key].pop(dataset_id, None)
    else:
        st.session_state[key][dataset_id] = stored


def _names_key(dataset_id: str, params: ClusterParams) -> str:
    return widget_key("cluster-names", dataset_id, params.key())


def given_cluster_names(dataset_id: str, params: ClusterParams) -> dict[int, str]:
    """Cluster names given in this session or by the view it opened (cluster id -> name):
    they travel in links and saved views, and are shown over the computed ones."""
    names = st.session_state.get(_names_key(dataset_id, params), {})
    return dict(names) if isinstance(names, dict) else {}


def give_cluster_names(dataset_id: str, params: ClusterParams, names: dict[int, str]) -> None:
    """Add cluster names to those given (a rename in the cluster table)."""
    st.session_state[_names_key(dataset_id, params)] = {
        **given_cluster_names(dataset_id, params),
        **names,
    }


def set_cluster_names(dataset_id: str, params: ClusterParams, names: dict[int, str]) -> None:
    """Replace the cluster names given (an opened view brings its own)."""
    st.session_state[_names_key(dataset_id, params)] = dict(names)


def notes(dataset_id: str) -> list[views.Annotation]:
    """The notes drawn on a dataset's map in this session."""
    kept = st.session_state[NOTES].get(dataset_id, [])
    return [note for note in kept if isinstance(note, views.Annotation)]


def camera(dataset_id: str) -> views.Camera:
    """Where the opened view's map looks (an empty camera: wherever plotly fits it)."""
    kept = st.session_state[CAMERA].get(dataset_id)
    return kept if isinstance(kept, views.Camera) else views.Camera()
