"""Images on a map of images: the hovered point's beside its label, and on a small map, on
request, every point drawn as its picture.

Streamlit does not report hover, and plotly's label holds text only; so a small component
with no face of its own runs the core's hover script (``export.hover_images``, the one the
exported pages run) on the page, on the map drawn under the same key. The thumbnails travel
as ``data:`` URIs in the component's data or the figure, never as links.
"""

from __future__ import annotations

import re

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import cached, state
from components.current import OpenDataset
from components.markdown import safe
from embedding_space.export.hover_images import HOVER_SCRIPT, hover_thumbnails
from embedding_space.figures.point_images import IMAGE_POINTS

_MODULE = (
    HOVER_SCRIPT
    + """
const followers = new Map();

export default function ({ data, parentElement }) {
  // The card floats over the page: the component's own slot would only add a gap above the
  // map. (parentElement is the shadow root Streamlit isolates the component in.)
  const slot = (parentElement.host || parentElement).closest(".stElementContainer");
  if (slot) slot.style.display = "none";
  // Streamlit calls this again with each run's data and calls the clean-up only when the
  // component leaves the page, so one follower per mount is kept and updated.
  const selector = "." + CSS.escape(data.chart) + " .js-plotly-plot";
  const known = followers.get(parentElement);
  if (known) {
    known.update(selector, data.thumbnails);
  } else {
    followers.set(parentElement, followHoverThumbnails(selector, data.thumbnails, data.part));
  }
  return () => {
    const follower = followers.get(parentElement);
    if (follower) follower.stop();
    followers.delete(parentElement);
  };
}
"""
)
_hover_images = st.components.v2.component("map_hover_images", js=_MODULE)


def chart_class(key: str) -> str:
    """The CSS class Streamlit gives the element drawn under ``key`` (its frontend's rule)."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def hover_images(figure: go.Figure, *, key: str, dataset_id: str | None) -> None:
    """Show the hovered point's image beside its label on the map drawn under ``key``; nothing
    for a dataset of texts (or ``None``).

    Past ``HOVER_THUMBNAILS`` points, a caption says which points show theirs; the marked
    rows' thumbnails then travel apart from the fixed sample's, so that marking rows does not
    send the sample again.

    Args:
        figure: The map, as drawn: the rows its points carry get their thumbnails.
        key: The map's ``st.plotly_chart`` key.
        dataset_id: The dataset the map shows.
    """
    thumbnails = cached.thumbnails(dataset_id) if dataset_id is not None else None
    if thumbnails is None:
        return
    chosen = hover_thumbnails(figure, thumbnails)
    for part, table in (("sample", chosen.sample), ("marked", chosen.marked)):
        if table or part == "sample":
            _hover_images(
                key=f"{key}-hover-{part}",
                data={"chart": chart_class(key), "part": part, "thumbnails": dict(table)},
            )
    if note := chosen.note():
        st.caption(safe(note))


def pictures_toggle(where: DeltaGenerator, current: OpenDataset) -> None:
    """A "Pictures on the map" switch, for a dataset of images (nothing for one of texts);
    off, and saying why, past :data:`IMAGE_POINTS` rows."""
    if not current.info.images:
        return
    points = current.info.rows
    too_many = points > IMAGE_POINTS
    where.toggle(
        "Pictures on the map",
        disabled=too_many,
        help=(
            f"Draws each point as its image, on 2-D maps of up to {IMAGE_POINTS:,} points "
            f"(this one has {points:,}); hovering shows the image on any map."
            if too_many
            else "Draws each point as its image (2-D maps); the legend keeps the colours."
        ),
        **state.bind(state.MAP_PICTURES),
    )


def map_pictures(dataset_id: str, points: int, dims: int) -> list[str] | None:
    """Every row's thumbnail when the map is to draw its points as pictures (the switch is on,
    the dataset has images, the map is 2-D and draws at most :data:`IMAGE_POINTS` points);
    else ``None``."""
    if not state.value(state.MAP_PICTURES) or dims != 2 or points > IMAGE_POINTS:
        return None
    return cached.thumbnails(dataset_id)
