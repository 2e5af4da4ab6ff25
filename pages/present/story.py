"""Present: one slide of a story at a time — the map large and live (hover, zoom, click for
neighbours), its title and caption beside it, arrow keys and buttons to move, no sidebar."""

import streamlit as st

from components import cached, identity, routes, state
from components.map_view import show_map
from components.markdown import plain_markdown, safe
from components.neighbor_lists import neighbor_list
from components.row_images import show_row_image
from components.stories_panel import (
    caption_markdown,
    go_to_slide,
    presentation_link,
    slide_figure,
    stories_of,
)
from embedding_space.errors import InputError
from embedding_space.views.links import is_row_number

MAP_HEIGHT = 640

params = st.query_params
dataset_id = params.get("dataset", "")
visible = {info.id for info in cached.workspace().list_datasets(identity.identity().viewer)}
story = None
if dataset_id in visible:
    try:
        story = stories_of(dataset_id).get(params.get("story", ""))
    except InputError:
        story = None
if story is not None and not story.slides:
    st.info("This story has no slides yet: add saved views to it on the Stories page.")
    st.page_link(routes.STORIES.path, label="Back to the stories", icon=":material/arrow_back:")
    st.stop()
if story is None or any(slide.view.dataset not in visible for slide in story.slides):
    st.warning("This story is not here: it is private to its owner, or no longer exists.")
    st.page_link(routes.STORIES.path, label="Back to the stories", icon=":material/arrow_back:")
    st.stop()

count = len(story.slides)
asked = params.get("slide", "1")
number = min(max(int(asked) if is_row_number(asked) else 1, 1), count)
if asked != str(number):
    st.query_params["slide"] = str(number)  # the address names the slide shown
slide = story.slides[number - 1]


bar = st.columns([1.4, 0.7, 1.4, 5, 1.2, 1], vertical_alignment="center")
bar[0].button(
    "Previous",
    on_click=go_to_slide,
    args=(story.title, number - 1),
    disabled=number == 1,
    shortcut="ArrowLeft",
)
bar[1].markdown(f"**{number} / {count}**")
bar[2].button(
    "Next",
    on_click=go_to_slide,
    args=(story.title, number + 1),
    disabled=number == count,
    shortcut="ArrowRight",
)
bar[3].caption(safe(story.title))
with bar[4].popover("Share", icon=":material/share:"):
    st.caption(
        "This slide's address. A story is kept with your results: on a shared server others "
        "see it through its exported file."
    )
    st.code(presentation_link(dataset_id, story.title, number), language=None, wrap_lines=True)
bar[5].page_link(routes.STORIES.path, label="Exit", icon=":material/close:")

map_column, text_column = st.columns([3.2, 1], gap="medium")
focus_key = f"story:{story.title}"
with text_column:
    st.subheader(safe(slide.title) or f"Slide {number}", anchor=False)
    if slide.caption:
        st.markdown(caption_markdown(slide.caption))
with map_column:
    try:
        figure = slide_figure(slide.view, height=MAP_HEIGHT)
    except InputError as error:
        st.error(safe(error))
        st.stop()
    event = show_map(figure, key=f"story-{story.title}-{number}", dataset_id=slide.view.dataset)
if event.clicked is not None:
    state.put_for_dataset(state.FOCUS_ROW, focus_key, event.clicked)
focus = state.of_dataset(state.FOCUS_ROW, focus_key)
with text_column:
    if isinstance(focus, int):
        space = cached.space(slide.view.dataset, slide.view.model or state.model_name())
        if 0 <= focus < space.rows:
            show_row_image(slide.view.dataset, focus)
            st.markdown(f"**Row {focus}:** {plain_markdown(space.texts[focus], 300)}")
            neighbor_list(slide.view.dataset, space.neighbors(focus, 8), space.texts)
    else:
        st.caption("Click a point to see its nearest neighbours.")
