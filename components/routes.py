"""The app's pages: where each script lives, its title, icon and address.

``app.py`` builds ``st.navigation`` from this table, and components switch pages through it,
so a page is named in one place.

The page scripts sit one folder below ``pages/``. Streamlit runs a folder named ``pages/``
as an old-style multipage app until some session has reached ``st.navigation`` after a
server start: the first request for ``/similarity`` then runs ``pages/similarity.py`` alone,
skipping the router (the sign-in gate, the session's state, the view in the link), or, with
no such file, shows "Page not found". So ``pages/`` holds one handover per address, which
does nothing but run the router (:func:`hand_over_to_router`); the router then opens the
real page. After that first request Streamlit never looks at the handovers again.
"""

from __future__ import annotations

import runpy
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from components import identity
from components.page_layout import HEADER_CSS

ROUTER = Path(__file__).resolve().parent.parent / "app.py"


@dataclass(frozen=True)
class Route:
    """One page of the app.

    Attributes:
        path: The script, relative to the app's folder.
        title: Its title in the navigation.
        icon: A Material icon.
        url_path: Its address (``/map``).
        section: The navigation group it is listed under.
    """

    path: str
    title: str
    icon: str
    url_path: str
    section: str


MAP = Route("pages/explore/map.py", "Map", ":material/scatter_plot:", "map", "Explore")
SIMILARITY = Route(
    "pages/explore/similarity.py", "Similarity", ":material/grid_on:", "similarity", "Explore"
)
NEIGHBORS = Route(
    "pages/explore/neighbors.py", "Neighbours", ":material/hub:", "neighbors", "Explore"
)
CONCEPTS = Route(
    "pages/explore/concepts.py", "Concepts", ":material/explore:", "concepts", "Explore"
)
QUALITY = Route(
    "pages/explore/quality.py", "Outliers & duplicates", ":material/rule:", "quality", "Explore"
)
COMPARE = Route(
    "pages/explore/compare.py", "Compare embeddings", ":material/compare:", "compare", "Explore"
)
STORIES = Route("pages/present/stories.py", "Stories", ":material/slideshow:", "stories", "Present")
PRESENT = Route(
    "pages/present/story.py", "Present", ":material/present_to_all:", "story", "Present"
)
"""Presentation mode: one slide of a story, full width, no sidebar (not listed: opened from
the Stories page or a shared link)."""
DATA = Route("pages/data/datasets.py", "Data", ":material/upload_file:", "data", "Data")

ROUTES: tuple[Route, ...] = (
    MAP,
    SIMILARITY,
    NEIGHBORS,
    CONCEPTS,
    QUALITY,
    COMPARE,
    STORIES,
    PRESENT,
    DATA,
)
"""Every page, in navigation order; the root address opens the first."""
LISTED_ROUTES = tuple(route for route in ROUTES if route is not PRESENT)
"""The pages the navigation lists (presentation mode is opened from a story)."""
HOME_URL_PATH = "home"
"""The hidden page behind the root address (Streamlit gives its default page ``/``)."""


def open_first_page() -> None:
    """Open the first page at its own address, keeping the link's query."""
    st.switch_page(ROUTES[0].path, query_params=st.query_params.to_dict())


def leave_home(page: st.Page) -> None:
    """Forward the root address to the first page, before anything is drawn.

    Streamlit serves its default page at ``/`` only, so a default Map page would make
    ``/map`` "Page not found"; a hidden default that forwards keeps every page at its name.
    Forwarding before the sidebar draws keeps the notices it shows once (a private link, a
    model that did not load) for the page that is then shown.
    """
    if page.url_path == "":
        open_first_page()


def pages() -> dict[str, list[st.Page]]:
    """The navigation of a visitor who may use the app, by section."""
    home = st.Page(
        open_first_page,
        title=ROUTES[0].title,
        url_path=HOME_URL_PATH,
        default=True,
        visibility="hidden",
    )
    sections: dict[str, list[st.Page]] = {ROUTES[0].section: [home]}
    for route in ROUTES:
        sections.setdefault(route.section, []).append(
            st.Page(
                route.path,
                title=route.title,
                icon=route.icon,
                url_path=route.url_path,
                visibility="hidden" if route is PRESENT else "visible",
            )
        )
    return sections


def sign_in_pages() -> list[st.Page]:
    """The navigation of an anonymous visitor when sign-in is configured: every address
    answers with the sign-in screen, so none says "Page not found" and none shows data."""
    addresses = [HOME_URL_PATH, *(route.url_path for route in ROUTES)]
    return [
        st.Page(identity.sign_in_screen, title="Sign in", url_path=address, default=not index)
        for index, address in enumerate(addresses)
    ]


def hand_over_to_router() -> None:
    """Run the router in place of a handover script Streamlit's old multipage mode picked."""
    runpy.run_path(str(ROUTER), run_name="__main__")


def hide_sidebar() -> None:
    """Leave the sidebar and its toggle off the screen, and the slide near the top
    (presentation mode)."""
    st.html(
        "<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], "
        "[data-testid='stExpandSidebarButton'] {display: none;} "
        "[data-testid='stMainBlockContainer'] {padding-top: 2.5rem; padding-bottom: 1rem;}"
        f"{HEADER_CSS}</style>"
    )
