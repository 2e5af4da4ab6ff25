"""The view on screen as a value: read from the session, written into the URL (a copied link
reopens it), saved under a name, and opened again.

A :class:`~embedding_space.views.View` holds the whole view: dataset, model, projection,
colour and size, clusters with the names given, search, selection, the kept selection shown,
the clicked point, notes and camera. Its link vocabulary and every check on a value read
from a link live in the core (:mod:`embedding_space.views`); this module only moves a view
between the session's keys and the URL.
"""

from __future__ import annotations

import streamlit as st

from components import cached, identity, routes, state
from embedding_space.analysis.filters import usable_filters
from embedding_space.analysis.projection import PARAMETERS
from embedding_space.errors import DamagedFileError, InputError
from embedding_space.limits import MAX_QUERY_CHARS
from embedding_space.views import PAGES, SearchSpec, View

_VIEW_PAGES = {route.url_path: route for route in routes.ROUTES}


def current_view(page: str = "map") -> View | None:
    """The view the session shows on ``page``, or ``None`` when there is no dataset."""
    dataset_id = state.dataset_id()
    if dataset_id is None:
        return None
    color = state.value(state.COLOR_COLUMN)
    size = state.value(state.SIZE_COLUMN)
    query = str(state.value(state.SEARCH_QUERY) or "").strip()
    if len(query) > MAX_QUERY_CHARS:
        query = ""  # the search box says why; the link would leave it out anyway
    # Rows past the dataset's end never reach the session: apply_view leaves them out.
    selection = state.selection(dataset_id)
    kept = state.of_dataset(state.KEPT_SHOWN, dataset_id)
    clusters = state.cluster_params()
    return View(
        dataset=dataset_id,
        page=page if page in PAGES else "map",
        model=state.model_name(),
        projection=state.projection_params(),
        color=str(color) if color and state.value(state.COLOR_DATASET) == dataset_id else None,
        size=str(size) if size and size != state.NO_COLOR else None,
        clusters=clusters,
        cluster_names=state.given_cluster_names(dataset_id, clusters),
        cluster_level=str(state.value(state.CLUSTER_LEVEL)),
        n_coarse=state.setting(state.N_COARSE, int),
        cluster_labels=bool(state.value(state.CLUSTER_LABELS)),
        density=bool(state.value(state.DENSITY)),
        search=SearchSpec(
            query,
            str(state.value(state.SEARCH_KIND)),
            str(state.value(state.SEARCH_COLUMN) or "") or None,
        )
        if query
        else None,
        selection=tuple(selection),
        kept=str(kept) if kept else None,
        focus=state.focus_row(dataset_id),
        camera=state.camera(dataset_id),
        fit_selection=bool(state.of_dataset(state.FIT_SELECTION, dataset_id, False)),
        annotations=tuple(state.notes(dataset_id)),
        filters=tuple(state.of_dataset(state.FILTERS, dataset_id, ())),  # type: ignore[arg-type]
    )


def _fitted_to_dataset(view: View) -> View:
    """The view without what its dataset does not have: rows past its end (selection, focus,
    notes), names of clusters KMeans will not make and filters on columns it lacks, so that
    nothing a saved view or a story keeps later fails to draw."""
    try:
        rows = cached.workspace().get(view.dataset).rows
    except InputError:
        return view
    clusters = view.clusters
    names = {
        cluster_id: name
        for cluster_id, name in view.cluster_names.items()
        if clusters.method != "kmeans" or cluster_id < clusters.n_clusters
    }
    return view.with_changes(
        selection=tuple(row for row in view.selection if row < rows),
        focus=view.focus if view.focus is not None and view.focus < rows else None,
        annotations=tuple(note for note in view.annotations if note.row is None or note.row < rows),
        cluster_names=names,
        filters=usable_filters(cached.filter_table(view.dataset), view.filters)[0],
    )


def apply_view(view: View) -> None:
    """Make ``view`` the session's: every choice it holds lands in its session key (what
    its dataset does not have left out).

    The cluster names it carries are kept in the session (``state.given_cluster_names``)
    rather than written into anyone's stored results: a link's names are the sender's.
    """
    view = _fitted_to_dataset(view)
    dataset_id = view.dataset
    state.put(state.DATASET_ID, dataset_id)
    if view.model:
        allowed = identity.allowed_models()
        # On a shared server a link must not make it load (or download) an arbitrary model.
        if allowed is None or view.model in allowed:
            state.put(state.MODEL_REQUEST, view.model)
    for name in PARAMETERS:
        state.put(name, getattr(view.projection, name))
    if view.color:
        state.put(state.COLOR_COLUMN, view.color)
        state.put(state.COLOR_DATASET, dataset_id)
    state.put(state.SIZE_COLUMN, view.size or state.NO_COLOR)
    clusters = view.clusters
    for name, chosen in (
        (state.CLUSTER_METHOD, clusters.method),
        (state.N_CLUSTERS, clusters.n_clusters),
        (state.MIN_CLUSTER_SIZE, clusters.min_cluster_size),
    ):
        state.put(name, chosen)
        state.forget(state.widget_key("pending", name))
    state.set_cluster_names(dataset_id, clusters, dict(view.cluster_names))
    state.put(state.CLUSTER_LEVEL, view.cluster_level)
    state.put(state.N_COARSE, view.n_coarse)
    state.put(state.CLUSTER_LABELS, view.cluster_labels)
    state.put(state.DENSITY, view.density)
    if view.search is not None:
        state.put(state.SEARCH_QUERY, view.search.query)
        state.put(state.SEARCH_KIND, view.search.kind)
        if view.search.column:
            state.put(state.SEARCH_COLUMN, view.search.column)
    else:
        state.put(state.SEARCH_QUERY, "")
    for name in (*PARAMETERS, state.SEARCH_QUERY, state.SEARCH_KIND, state.SEARCH_COLUMN):
        state.forget(state.widget_key("pending", name))
    state.set_selection(dataset_id, view.selection)
    state.put_for_dataset(state.KEPT_SHOWN, dataset_id, view.kept)  # after: it clears this
    state.set_focus_row(dataset_id, view.focus)
    state.put_for_dataset(state.CAMERA, dataset_id, None if view.camera.empty else view.camera)
    state.put_for_dataset(state.FIT_SELECTION, dataset_id, view.fit_selection or None)
    state.put_for_dataset(state.NOTES, dataset_id, list(view.annotations) or None)
    state.put_for_dataset(state.FILTERS, dataset_id, view.filters or None)
    # A new view's map starts afresh: no remembered drag tool or event from the last one.
    state.value(state.MAP_INTERACTIONS, {}).clear()  # type: ignore[union-attr]


def open_view(view: View) -> None:
    """Apply a saved view and go to its page."""
    apply_view(view)
    st.switch_page(_VIEW_PAGES[view.page].path)


def load_view_from_url(page: str) -> None:
    """Once per session, adopt the view a shared link describes; its parts that are not
    allowed are left out, and the rest still opens."""
    if state.value(state.URL_LOADED):
        return
    state.put(state.URL_LOADED, True)
    params = st.query_params.to_dict()
    if params.get("dataset"):
        problems: list[str] = []
        try:
            shown = page if page in PAGES else "map"
            view = View.from_query(params, page=shown, strict=False, problems=problems)
            apply_view(view)
            state.put(state.LINK_NOTICE, view.dataset)
        except DamagedFileError:
            # Open it anyway: the page names the damaged file and offers to repair or remove it.
            state.put(state.DATASET_ID, str(params["dataset"]))
        except InputError:
            pass
        if problems:
            shown = " ".join(problems[:3]) + (" …" if len(problems) > 3 else "")
            state.put(state.LINK_PROBLEM, f"Parts of this link were left out: {shown}")
    adopt_visitor_key()


KEY_COOKIE = "embedding_space_key"
"""The cookie a browser keeps its key in (multi-user mode without sign-in)."""
KEY_COOKIE_DAYS = 30


def _key_in_cookie() -> str:
    """The key this browser sent in its cookie when the session began, or ``""``."""
    found = st.context.cookies.get(KEY_COOKIE)
    return found if isinstance(found, str) else ""  # app tests have no real cookies


def adopt_visitor_key() -> None:
    """On a server without sign-in, know who this visitor is, once per session: the key in
    the link, else the key this browser keeps in its cookie (only keys this server issued),
    else a new key, remembered in the cookie, unless this address has had its share of new
    keys this hour (then a sentence, and nothing else)."""
    if not identity.multi_user() or state.value(state.SESSION_OWNER) is not None:
        return
    keys = cached.workspace().keys
    for known in (st.query_params.get("key", ""), _key_in_cookie()):
        if keys.valid(known):
            state.put(state.SESSION_OWNER, known)
            return
    if not cached.new_keys().allow(st.context.ip_address or "this machine"):
        st.error(
            "This address has started more new sessions in the last hour than this server "
            "allows. Open the app again from a link of yours (it keeps your datasets), or try "
            "again in an hour."
        )
        st.stop()
    key = keys.issue()
    state.put(state.SESSION_OWNER, key)
    state.put(state.KEY_TO_REMEMBER, key)


def remember_visitor_key() -> None:
    """Write a key issued in this session into the browser's cookie, so the next visit
    without a link is the same visitor with the same datasets and quota. Sent on every run
    of the session: a run cut short by a page switch may never reach the browser."""
    key = state.value(state.KEY_TO_REMEMBER)
    if key is None or _key_in_cookie() == key:
        return
    # The key is [A-Za-z0-9_-] (SessionKeys): safe inside the script as it stands.
    st.html(
        "<script>document.cookie = "
        f"'{KEY_COOKIE}={key}; path=/; max-age={KEY_COOKIE_DAYS * 86400}; SameSite=Lax'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


def visitor_key() -> str | None:
    """The key a link carries on a server without sign-in (it keeps a visitor's datasets
    theirs across reloads); ``None`` elsewhere."""
    if identity.multi_user() and identity.signed_in_user() is None:
        return str(state.value(state.SESSION_OWNER))
    return None


def save_view_to_url(page: str) -> None:
    """Write the current view into the URL, so a copied link reopens it."""
    try:
        view = current_view(page)
    except InputError:
        return
    if view is None:
        return
    written = view.with_changes(key=visitor_key()).query()
    if st.query_params.to_dict() != written:
        st.query_params.from_dict(written)
