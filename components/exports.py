"""Download buttons for what the user sees: table, vectors, figure, similarity matrix.

Every file is built only when its button is clicked (Streamlit's deferred downloads), so an
unused export costs nothing on a rerun.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import plotly.graph_objects as go
import streamlit as st

from components import cached
from components.current import OpenDataset
from components.label_issues_panel import corrected_frame
from embedding_space.analysis.methods import MethodsCard
from embedding_space.export.files import (
    export_projector_tsv,
    export_similarity_csv,
    export_table,
    export_vectors_npy,
    file_stem,
)
from embedding_space.export.hover_images import hover_thumbnails
from embedding_space.export.render import export_figure_html, export_figure_png, find_browser
from embedding_space.figures.annotations import with_caption
from embedding_space.figures.points import with_full_legend
from embedding_space.types import FloatMatrix, IdMatrix

EXPORT_NEIGHBORS = 10


def map_exports(
    current: OpenDataset,
    selected: Sequence[int],
    figure: go.Figure,
    card: MethodsCard,
    clusters: Sequence[str] | None = None,
) -> None:
    """An "Export" popover with every download the map offers; the pictures carry the
    dataset's name and the methods card, the tables each row's cluster when there are any."""
    if current.projection is None:
        raise ValueError("open the dataset with its projection to export its map")
    info, frame, vectors = current.info, current.frame, current.vectors
    coordinates = current.projection.coordinates
    stem = file_stem(info.name)
    # On screen a long legend is a control of its own; a file carries it whole.
    pictured = with_caption(with_full_legend(figure), info.name, card.lines())
    thumbnails = cached.thumbnails(info.id)

    def map_html() -> bytes:
        # A map of images shows them on hover, as on screen, and says so if some are left out.
        lines = card.lines()
        if thumbnails is not None and (note := hover_thumbnails(figure, thumbnails).note()):
            lines = [*lines, note]
        return export_figure_html(
            with_caption(with_full_legend(figure), info.name, lines), thumbnails
        )

    def neighbor_ids() -> IdMatrix:
        # Read when the button is clicked, outside the page's run: no cache, no spinner. The
        # graph UMAP used already holds each row's 10 nearest.
        return current.space.graph(EXPORT_NEIGHBORS).neighbor_ids(EXPORT_NEIGHBORS)

    @functools.cache
    def projector_pair() -> tuple[bytes, bytes]:
        return export_projector_tsv(vectors, frame)

    def table(fmt: str) -> bytes:
        tags = current.space.tags
        return export_table(
            corrected_frame(current),  # a label column's corrections beside it
            coordinates=coordinates,
            selected_rows=list(selected),
            neighbor_ids=neighbor_ids(),
            clusters=clusters,
            tags=tags.tags_of_rows() if tags is not None and tags.names() else None,
            format="csv" if fmt == "csv" else "parquet",
        )

    with st.popover("Export", icon=":material/download:", width="stretch"):
        st.caption(
            f"The table with coordinates, a `selected` flag, each row's "
            f"{EXPORT_NEIGHBORS} nearest neighbour ids and its tags."
        )
        st.download_button(
            "Table (CSV)", lambda: table("csv"), f"{stem}.csv", "text/csv", on_click="ignore"
        )
        st.download_button(
            "Table (Parquet)",
            lambda: table("parquet"),
            f"{stem}.parquet",
            "application/vnd.apache.parquet",
            on_click="ignore",
        )
        st.caption("The vectors, for NumPy or the TensorFlow Embedding Projector.")
        st.download_button(
            "Embeddings (.npy)",
            lambda: export_vectors_npy(vectors),
            f"{stem}-embeddings.npy",
            "application/octet-stream",
            on_click="ignore",
        )
        left, right = st.columns(2)
        left.download_button(
            "vectors.tsv",
            lambda: projector_pair()[0],
            f"{stem}-vectors.tsv",
            "text/tab-separated-values",
            on_click="ignore",
        )
        right.download_button(
            "metadata.tsv",
            lambda: projector_pair()[1],
            f"{stem}-metadata.tsv",
            "text/tab-separated-values",
            on_click="ignore",
        )
        st.caption("The map as you see it.")
        st.download_button(
            "Interactive HTML",
            map_html,
            f"{stem}-map.html",
            "text/html",
            on_click="ignore",
        )
        has_browser = find_browser() is not None
        st.download_button(
            "Image (PNG)",
            lambda: export_figure_png(pictured, height=int(pictured.layout.height or 900)),
            f"{stem}-map.png",
            "image/png",
            on_click="ignore",
            disabled=not has_browser,
            help=None if has_browser else "PNG export needs Chromium: apt-get install chromium",
        )


def similarity_export(matrix: FloatMatrix, labels: Sequence[str], name: str) -> None:
    """A download button for the heatmap's matrix."""
    st.download_button(
        "Download the matrix (CSV)",
        lambda: export_similarity_csv(matrix, list(labels)),
        f"{file_stem(name)}-similarity.csv",
        "text/csv",
        on_click="ignore",
        icon=":material/download:",
    )
