"""A row's image wherever a page shows its text: a thumbnail before each line of a list of
rows, and one row's image larger where a page holds that row in focus (the thumbnails of a
table's rows are ``components.tables.text_table``'s). A dataset of texts alone shows none
of this, and keeps no empty room for it.

Images reach the page only as ``data:`` URIs made by ``io.images.thumbnail_uri``: the browser
gets the pixels themselves, never an address of a file in the workspace.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import cached
from embedding_space.io.images import THUMBNAIL_PX

FOCUS_PX = 180
"""The width of the image of a row in focus: the working copy, sharp at this size."""
LINE_PX = 44
"""The width of a thumbnail before a line of a list: about two lines of text high."""


def show_row_image(
    dataset_id: str, row: int, *, where: DeltaGenerator | None = None, width: int = FOCUS_PX
) -> None:
    """The image of ``row``, ``width`` px wide: its thumbnail up to the thumbnail's own size,
    its working copy when larger; nothing for a dataset of texts alone."""
    every = cached.thumbnails(dataset_id)
    if every is None:
        return
    uri = every[row] if width <= THUMBNAIL_PX else cached.working_image(dataset_id, row)
    shown = fitted_width(dataset_id, row, width)
    (where or st).image(uri, width=shown, alt=f"The image of row {row}")


def fitted_width(dataset_id: str, row: int, box: int) -> int:
    """The width that fits a row's image in a ``box`` px square: a tall, narrow image is
    drawn narrower, so it is never taller than a wide one (a stripe no longer fills a list)."""
    sizes = cached.image_sizes(dataset_id)
    if sizes is None:
        return box
    width, height = sizes[row]
    return max(8, round(box * min(1.0, width / max(height, 1))))


def row_lines(
    dataset_id: str,
    lines: Sequence[tuple[int | tuple[int, ...], str]],
    *,
    where: DeltaGenerator | None = None,
    bullets: bool = True,
) -> None:
    """A list of rows, a line each: with images, each line beside its row's thumbnail (a
    pair's two, one above the other); without, a bulleted list in one block (or a paragraph
    a line, for ``bullets=False``).

    Args:
        dataset_id: The dataset the rows are of.
        lines: Each line's row (or rows: a pair) and its text, already safe markdown
            (``components.markdown``).
        where: The container to draw in; the page when ``None``.
        bullets: Bullet the lines of a list without images.
    """
    place = where or st
    every = cached.thumbnails(dataset_id)
    if every is None:
        if bullets:
            place.markdown("\n".join(f"- {line}" for _, line in lines))
        else:
            for _, line in lines:
                place.markdown(line)
        return
    for rows, line in lines:
        beside = place.container(horizontal=True, wrap=False, vertical_alignment="center")
        # A pair's two images one above the other, in the order the line names them, so a
        # narrow column keeps its width for the texts.
        stacked = beside.container(width="content", gap="xsmall")
        for row in (rows,) if isinstance(rows, int) else rows:
            shown = fitted_width(dataset_id, row, LINE_PX)
            stacked.image(every[row], width=shown, alt=f"The image of row {row}")
        beside.markdown(line, width="stretch")
