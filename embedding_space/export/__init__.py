"""Files out: the table, the vectors and the similarity matrix (:mod:`.files`), and figures
as HTML or PNG (:mod:`.render`). Every function returns ``bytes``."""

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

__all__ = [
    "FORMULA_PREFIXES",
    "close_browser",
    "export_figure_html",
    "export_figure_png",
    "export_projector_tsv",
    "export_similarity_csv",
    "export_table",
    "export_vectors_npy",
    "file_stem",
    "find_browser",
    "neutralize_formula",
]
