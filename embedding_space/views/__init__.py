"""What the explorer shows, as values: a :class:`View` (a page's whole state, written as a
link), stories of views, and the views and stories a person saved of a dataset."""

from embedding_space.views.parts import (
    MAX_ANNOTATION_CHARS,
    MAX_ANNOTATIONS,
    Annotation,
    Camera,
    SearchSpec,
)
from embedding_space.views.saved import MAX_SAVED, SAVED_NAME_CHARS, SavedStories, SavedViews
from embedding_space.views.story import (
    MAX_CAPTION_CHARS,
    MAX_SLIDES,
    MAX_TITLE_CHARS,
    Run,
    Slide,
    Story,
    caption_lines,
)
from embedding_space.views.view import (
    CLUSTER_COLOR,
    MAP_TRUST,
    NO_COLOR,
    OUTLIER_SCORE,
    PAGES,
    View,
)

__all__ = [
    "CLUSTER_COLOR",
    "MAP_TRUST",
    "MAX_ANNOTATIONS",
    "MAX_ANNOTATION_CHARS",
    "MAX_CAPTION_CHARS",
    "MAX_SAVED",
    "MAX_SLIDES",
    "MAX_TITLE_CHARS",
    "NO_COLOR",
    "OUTLIER_SCORE",
    "PAGES",
    "SAVED_NAME_CHARS",
    "Annotation",
    "Camera",
    "Run",
    "SavedStories",
    "SavedViews",
    "SearchSpec",
    "Slide",
    "Story",
    "View",
    "caption_lines",
]
