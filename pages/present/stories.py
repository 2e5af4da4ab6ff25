"""Stories: ordered saved views with titles and captions, presented full screen or exported
as one HTML file that plays offline."""

import streamlit as st

from components import cached, routes, state
from components.markdown import safe
from components.page_layout import compact_page
from components.stories_panel import (
    add_slide_form,
    export_buttons,
    new_story_form,
    rename_story_form,
    slide_editor,
    stories_of,
)
from components.views_panel import saved_views_of, show_notice
from embedding_space.errors import InputError

compact_page()
st.title("Stories", anchor=False)
dataset_id = state.dataset_id()
if dataset_id is None:
    st.info("No dataset yet: add one on the **Data** page.")
    st.stop()
st.caption(
    f"Of **{safe(cached.workspace().get(dataset_id).name)}**. "
    "A story is an ordered list of your saved views of this dataset, each with a title and "
    "a caption. Present it full screen (arrow keys move between slides), or export it as one "
    "HTML file that plays offline."
)
show_notice()
stories = stories_of(dataset_id)
new_story_form(stories, dataset_id)
names = stories.names()
if not names:
    st.stop()
chosen = st.selectbox("Story", names, key=state.widget_key("story", dataset_id))
if chosen is None:
    st.stop()
try:
    story = stories.get(chosen)
except InputError as error:
    st.error(safe(error))
    st.stop()
present, export = st.columns([1, 3], vertical_alignment="center")
if story.slides:
    if present.button("Present", icon=":material/slideshow:", type="primary"):
        st.switch_page(
            routes.PRESENT.path,
            query_params={"dataset": dataset_id, "story": story.title, "slide": "1"},
        )
    with export:
        export_buttons(story)
count = len(story.slides)
st.subheader(f"{count} slide" + ("" if count == 1 else "s"), anchor=False)
for index in range(len(story.slides)):
    slide_editor(stories, story, index)
add_slide_form(stories, story, saved_views_of(dataset_id).all())
with st.expander("Rename or delete this story"):
    rename_story_form(stories, dataset_id, story)
    st.caption(
        "A slide keeps its own copy of the view: the story plays even after a saved view "
        "is deleted."
    )
