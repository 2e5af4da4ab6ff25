"""Stories in the app: a slide's caption on screen, a slide's map, and the editor that builds
a story from saved views (order, titles, captions) and exports it."""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from urllib.parse import urlencode

import plotly.graph_objects as go
import streamlit as st

from components import cached, identity, routes, state
from components.embedding import embedded_vectors
from components.markdown import escaped, safe
from components.views_panel import notice, rename_kept
from embedding_space.errors import InputError
from embedding_space.export.files import file_stem
from embedding_space.store.space import Space
from embedding_space.views import (
    MAX_CAPTION_CHARS,
    MAX_TITLE_CHARS,
    SavedStories,
    Slide,
    Story,
    View,
    caption_lines,
)
from embedding_space.views.render import render_story, slide_pngs, story_html, view_figure


def caption_markdown(caption: str) -> str:
    """A caption for ``st.markdown``: its bold and italic runs styled, everything else
    escaped (no link, image, heading or HTML), its line breaks kept."""
    lines = []
    for runs in caption_lines(caption):
        parts = []
        for run in runs:
            text = escaped(run.text)
            if run.text.strip() and (run.bold or run.italic):
                mark = "**" if run.bold else "*"
                text = f"{mark}{escaped(run.text.strip())}{mark}"
            parts.append(text)
        lines.append("".join(parts))
    return "  \n".join(lines)


def _embedded_space(view: View) -> Space:
    """A slide's space, from the caches, its dataset embedded first if it must be."""
    model_name = view.model or state.model_name()
    space = cached.space(view.dataset, model_name)
    embedded_vectors(space, view.dataset, model_name)
    return space


def slide_figure(view: View, *, height: int) -> go.Figure:
    """The map a slide's view describes, from the caches (embedded first if it must be).

    Raises:
        InputError: The view names something the dataset does not have, or its model
            cannot load.
    """
    space = _embedded_space(view)
    projection = cached.projection(space, view.projection)
    clustering = cached.clustering(space, view.clusters) if space.rows >= 2 else None
    return view_figure(space, view, height=height, projection=projection, clustering=clustering)


EXPORT_MAP_HEIGHT = 620


def _drawn_story(story: Story, *, pictures: bool) -> tuple[bytes, bytes | None]:
    """The story's HTML page and (if asked) a zip of a PNG per slide, from one drawing."""
    # The core draws the slides as the command line does, and names a slide it cannot draw.
    maps = render_story(story, _embedded_space, height=EXPORT_MAP_HEIGHT)
    figures = [drawn.figure for drawn in maps]
    if not pictures:
        return story_html(story, figures, cached.thumbnails), None
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as files:
        for number, png in enumerate(slide_pngs(story, figures), start=1):
            files.writestr(f"slide-{number:02d}.png", png)
        files.writestr("story.json", story.dumps())
    return story_html(story, figures, cached.thumbnails), archive.getvalue()


def export_buttons(story: Story) -> None:
    """Download the story as one HTML file that plays offline, a PNG per slide, and its
    STORY.json (which ``python -m embedding_space story render`` turns into the same file).

    The files are made on a click (each slide's map is drawn), then offered for download.
    """
    stem = file_stem(story.title) or "story"
    made_key = state.widget_key("story-export", story.title)
    made = state.value(made_key)
    html, pngs, data = st.columns(3)
    ready = isinstance(made, tuple) and made[0] == story.dumps()
    if ready:
        _, page, archive = made  # type: ignore[misc]
        html.download_button(
            "Download the HTML",
            page,
            f"{stem}.html",
            "text/html",
            on_click="ignore",
            icon=":material/download:",
            type="primary",
        )
    if ready and archive is not None:
        pngs.download_button(
            "Download the PNGs (zip)",
            archive,
            f"{stem}-slides.zip",
            "application/zip",
            on_click="ignore",
            icon=":material/download:",
        )
    make_html = not ready and html.button("Export HTML (plays offline)", icon=":material/html:")
    make_pngs = (not ready or archive is None) and pngs.button(
        "Slides as PNG", icon=":material/image:", help="One picture a slide, drawn by Chromium."
    )
    if make_html or make_pngs:
        try:
            with st.spinner("Drawing every slide…"):
                page, archive = _drawn_story(story, pictures=bool(make_pngs))
        except InputError as error:
            st.error(safe(error))
            return
        state.put(made_key, (story.dumps(), page, archive))
        st.rerun()
    data.download_button(
        "STORY.json",
        story.dumps().encode("utf-8"),
        f"{stem}.json",
        "application/json",
        on_click="ignore",
        help="The story as data: keep it in version control and render it again with "
        "`python -m embedding_space story render`.",
    )


def presentation_link(dataset_id: str, story: str, slide: int) -> str:
    """The address of a story's slide in presentation mode, to share: never with the
    visitor's key, which is who they are on a server without sign-in."""
    query = {"dataset": dataset_id, "story": story, "slide": str(slide)}
    return f"/{routes.PRESENT.url_path}?{urlencode(query)}"


def go_to_slide(story_title: str, number: int) -> None:
    """Show another slide (its number goes in the address, so a copied link opens it)."""
    st.query_params["slide"] = str(number)
    state.put_for_dataset(state.FOCUS_ROW, f"story:{story_title}", None)


def stories_of(dataset_id: str) -> SavedStories:
    """This visitor's stories of a dataset."""
    return SavedStories(cached.workspace().results(dataset_id, identity.identity().viewer))


# -- the editor -------------------------------------------------------------------------------


def _store(stories: SavedStories, story: Story, done: str) -> None:
    try:
        stories.save(story)
    except InputError as error:
        notice("error", str(error))
        return
    notice("success", done)


def _create(stories: SavedStories, dataset_id: str, title_key: str) -> None:
    title = str(state.value(title_key) or "")
    try:
        name = stories.save(Story(title or "Untitled story"), replace=False)
    except InputError as error:
        notice("error", str(error))
        return
    state.put(title_key, "")
    state.put(state.widget_key("story", dataset_id), name)
    notice("success", f"Created “{name}”. Add slides from your saved views.")


def _add_slide(stories: SavedStories, story: Story, view: View, title: str) -> None:
    try:
        longer = Story(story.title, (*story.slides, Slide(view, title)))
    except InputError as error:
        notice("error", str(error))
        return
    _store(stories, longer, "Slide added.")


def _change(stories: SavedStories, story: Story, index: int, action: str) -> None:
    slides = list(story.slides)
    if action == "up" and index > 0:
        slides[index - 1], slides[index] = slides[index], slides[index - 1]
    elif action == "down" and index + 1 < len(slides):
        slides[index + 1], slides[index] = slides[index], slides[index + 1]
    elif action == "duplicate":
        slides.insert(index + 1, slides[index])
    elif action == "delete":
        del slides[index]
    try:
        changed = Story(story.title, tuple(slides))
    except InputError as error:
        notice("error", str(error))
        return
    _store(stories, changed, "Saved.")


def _edit(
    stories: SavedStories, story: Story, index: int, title_key: str, caption_key: str
) -> None:
    slides = list(story.slides)
    try:
        slides[index] = Slide(
            slides[index].view, str(state.value(title_key)), str(state.value(caption_key))
        )
    except InputError as error:
        notice("error", str(error))
        return
    _store(stories, Story(story.title, tuple(slides)), f"Slide {index + 1} saved.")


def new_story_form(stories: SavedStories, dataset_id: str) -> None:
    """A title and a button that starts a story."""
    title_key = state.widget_key("new-story", dataset_id)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.text_input("New story", key=title_key, max_chars=MAX_TITLE_CHARS, placeholder="Title")
    right.button("Create", on_click=_create, args=(stories, dataset_id, title_key))


def add_slide_form(stories: SavedStories, story: Story, saved: dict[str, View]) -> None:
    """Add a saved view as the story's next slide."""
    if not saved:
        st.caption(
            "Save views first (the sidebar's *Saved views*, on any explore page); each slide "
            "shows one."
        )
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox("Add a saved view as a slide", list(saved), key="story-add-view")
    if chosen is not None:
        right.button(
            "Add slide",
            on_click=_add_slide,
            args=(stories, story, saved[chosen], chosen),
            icon=":material/add:",
        )


def slide_editor(stories: SavedStories, story: Story, index: int) -> None:
    """One slide: its title and caption, and buttons that move, copy or delete it."""
    slide = story.slides[index]
    # Keyed by what the slide holds, so its boxes show the right slide after a move.
    content = zlib.crc32(json.dumps(slide.to_json(), sort_keys=True).encode())
    prefix = f"slide-{story.title}-{index}-{content}"
    title_key, caption_key = f"{prefix}-title", f"{prefix}-caption"
    with st.expander(f"{index + 1}. {safe(slide.title) or 'Untitled slide'}"):
        st.text_input("Title", value=slide.title, key=title_key, max_chars=MAX_TITLE_CHARS)
        st.text_area(
            "Caption",
            value=slide.caption,
            key=caption_key,
            max_chars=MAX_CAPTION_CHARS,
            help="Plain text; line breaks are kept; **bold** and *italic* are the only "
            "formatting. Links and markup show as typed.",
        )
        if slide.caption:
            st.caption("Shown as:")
            st.markdown(caption_markdown(slide.caption))
        st.caption(f"View: {safe(slide.view.link())}")
        buttons = st.columns(5)
        buttons[0].button(
            "Save",
            key=f"{prefix}-save",
            type="primary",
            on_click=_edit,
            args=(stories, story, index, title_key, caption_key),
        )
        for column, (label, action) in zip(
            buttons[1:],
            (("↑", "up"), ("↓", "down"), ("Duplicate", "duplicate"), ("Delete", "delete")),
            strict=True,
        ):
            column.button(
                label,
                key=f"{prefix}-{action}",
                on_click=_change,
                args=(stories, story, index, action),
            )


def rename_story_form(stories: SavedStories, dataset_id: str, story: Story) -> None:
    """Rename or delete the story."""
    new_key = state.widget_key("rename-story", dataset_id)
    left, middle, right = st.columns([3, 1, 1], vertical_alignment="bottom")
    left.text_input("Rename to", key=new_key, max_chars=MAX_TITLE_CHARS)
    picker = state.widget_key("story", dataset_id)
    middle.button("Rename", on_click=rename_kept, args=(stories, picker, story.title, new_key))
    right.button("Delete story", on_click=stories.delete, args=(story.title,))
