"""Files out: the table, the vectors and the similarity matrix (:mod:`.files`), figures as
HTML or PNG (:mod:`.render`), and a story as one HTML page (:mod:`.story`). Every function
returns ``bytes``."""

from embedding_space.export.files import (
    FORMULA_PREFIXES,
    export_projector_tsv,
    export_similarity_csv,
    export_table,
    export_vectors_npy,
    file_stem,
    neutralize_formula,
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
    "SVG_POINTS",
    "SlideContent",
    "StyledRun",
    "caption_html",
    "close_browser",
    "export_figure_html",
    "export_figure_png",
    "export_projector_tsv",
    "export_similarity_csv",
    "export_story_html",
    "export_table",
    "export_vectors_npy",
    "file_stem",
    "find_browser",
    "neutralize_formula",
    "script_json",
]
