"""What the explorer shows, as values: a :class:`View` (a page's whole state, written as a
link), stories of views, and the views and stories a person saved of a dataset; and the map a
view describes, drawn from its space (:func:`view_figure`), and a story exported as one HTML
page (:func:`render_story`, :func:`story_html`)."""

from embedding_space.views.encodings import (
    DEFAULT_SETTINGS,
    ComputedValues,
    Encoding,
    MapEncodings,
    MapSettings,
    color_choice,
    map_encodings,
    named_clustering,
    space_values,
)
from embedding_space.views.marks import (
    FIT_MARGIN,
    ViewRows,
    apply_camera,
    map_layers,
    search_label,
    view_notes,
    view_rows,
)
from embedding_space.views.parts import (
    MAX_ANNOTATION_CHARS,
    MAX_ANNOTATIONS,
    Annotation,
    Camera,
    SearchSpec,
)
from embedding_space.views.render import (
    MAP_HEIGHT,
    ViewMap,
    render_story,
    story_html,
    view_figure,
    view_map,
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
    LABEL_ISSUE_SCORE,
    MAP_TRUST,
    NO_COLOR,
    OUTLIER_SCORE,
    PAGES,
    TAGS_COLOR,
    View,
)

__all__ = [
    "CLUSTER_COLOR",
    "DEFAULT_SETTINGS",
    "FIT_MARGIN",
    "LABEL_ISSUE_SCORE",
    "MAP_HEIGHT",
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
    "TAGS_COLOR",
    "Annotation",
    "Camera",
    "ComputedValues",
    "Encoding",
    "MapEncodings",
    "MapSettings",
    "Run",
    "SavedStories",
    "SavedViews",
    "SearchSpec",
    "Slide",
    "Story",
    "View",
    "ViewMap",
    "ViewRows",
    "apply_camera",
    "caption_lines",
    "color_choice",
    "map_encodings",
    "map_layers",
    "named_clustering",
    "render_story",
    "search_label",
    "space_values",
    "story_html",
    "view_figure",
    "view_map",
    "view_notes",
    "view_rows",
]
