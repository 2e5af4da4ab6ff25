"""Files out: the table, the vectors and the similarity matrix (:mod:`.files`), figures as
HTML or PNG (:mod:`.render`), a story as one HTML page (:mod:`.story`), and rows with their
tags as a Label Studio import (:mod:`.label_studio`). Every export function returns
``bytes``."""

from embedding_space.export.files import (
    FORMULA_PREFIXES,
    TAG_SEPARATOR,
    export_projector_tsv,
    export_similarity_csv,
    export_table,
    export_vectors_npy,
    file_stem,
    neutralize_formula,
)
from embedding_space.export.label_studio import (
    LABEL_STUDIO_CHOICES,
    LABEL_STUDIO_TEXT,
    MODEL_VERSION,
    export_label_studio,
    label_studio_config,
)
from embedding_space.export.render import (
    close_browser,
    export_figure_html,
    export_figure_png,
    find_browser,
)
from embedding_space.export.story import (
    CONTENT_SECURITY_POLICY,
    SVG_POINTS,
    SlideContent,
    StyledRun,
    caption_html,
    export_story_html,
    script_json,
)

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "FORMULA_PREFIXES",
    "LABEL_STUDIO_CHOICES",
    "LABEL_STUDIO_TEXT",
    "MODEL_VERSION",
    "SVG_POINTS",
    "TAG_SEPARATOR",
    "SlideContent",
    "StyledRun",
    "caption_html",
    "close_browser",
    "export_figure_html",
    "export_figure_png",
    "export_label_studio",
    "export_projector_tsv",
    "export_similarity_csv",
    "export_story_html",
    "export_table",
    "export_vectors_npy",
    "file_stem",
    "find_browser",
    "label_studio_config",
    "neutralize_formula",
    "script_json",
]
