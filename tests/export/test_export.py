"""Tests for embedding_space.export: tables, vectors and figures as downloadable bytes."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from plotly.offline import get_plotlyjs_version

from embedding_space.analysis.neighbors import knn_graph
from embedding_space.errors import InputError
from embedding_space.export import (
    export_figure_html,
    export_figure_png,
    export_projector_tsv,
    export_similarity_csv,
    export_table,
    export_vectors_npy,
    neutralize_formula,
    render,
)
from embedding_space.figures import heatmap_figure, scatter_figure
from embedding_space.io.vectors import read_npy, read_projector_tsv

RNG = np.random.default_rng(7)
VECTORS = RNG.normal(size=(6, 5)).astype(np.float32)
COORDINATES = RNG.normal(size=(6, 2)).astype(np.float32)
DANGEROUS = ['=HYPERLINK("http://x")', "+1", "-cmd", "@SUM(A1)", "\tTAB", "\rCR"]
HAS_CHROMIUM = os.path.exists("/usr/bin/chromium")


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": ["alpha", *DANGEROUS[:4], "plain, with a comma\nand a line break"],
            "score": [-1.5, 2.0, -3.25, 0.0, 4.5, -0.125],
            "count": [-3, 1, 2, -4, 5, 6],
        },
        index=[10, 11, 12, 13, 14, 15],  # not 0..n-1: the index must not leak into row_id
    )


def _neighbor_ids() -> np.ndarray:
    return knn_graph(VECTORS, n_neighbors=3, metric="cosine").neighbor_ids(3)


def _read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), keep_default_na=False, na_values=[""])


# --- formula neutralisation ------------------------------------------------------------


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralize_formula_prefixes_a_quote_to_formula_starts(text: str) -> None:
    assert neutralize_formula(text) == "'" + text


@pytest.mark.parametrize("text", ["alpha", "1.5", "", " =not first", "'quoted", "a=b"])
def test_neutralize_formula_leaves_ordinary_text_alone(text: str) -> None:
    assert neutralize_formula(text) == text


# --- the table -------------------------------------------------------------------------


def test_csv_table_round_trips_row_ids_coordinates_selection_and_neighbours() -> None:
    neighbors = _neighbor_ids()
    data = export_table(
        _frame(),
        coordinates=COORDINATES,
        selected_rows=[1, 4],
        clusters=[0, 0, 1, 1, -1, 2],
        neighbor_ids=neighbors,
        format="csv",
    )
    back = _read_csv(data)
    assert list(back.columns) == [
        "row_id",
        "text",
        "score",
        "count",
        "x",
        "y",
        "selected",
        "cluster",
        "neighbors",
    ]
    assert back["row_id"].tolist() == list(range(6))
    np.testing.assert_array_equal(back[["x", "y"]].to_numpy(dtype=np.float32), COORDINATES)
    assert back["selected"].tolist() == [False, True, False, False, True, False]
    assert back["cluster"].tolist() == [0, 0, 1, 1, -1, 2]
    parsed = np.array([[int(i) for i in cell.split(" ")] for cell in back["neighbors"]])
    np.testing.assert_array_equal(parsed, neighbors)
    assert not (parsed == np.arange(6)[:, None]).any()


def test_csv_table_is_utf8_with_header_and_no_index() -> None:
    frame = pd.DataFrame({"text": ["café ☕", "naïve"]})
    data = export_table(frame, format="csv")
    text = data.decode("utf-8")
    assert text.splitlines()[0] == "row_id,text,selected"
    assert text.splitlines()[1] == "0,café ☕,False"


def test_csv_neutralises_formula_text_but_keeps_negative_numbers_numeric() -> None:
    back = _read_csv(export_table(_frame(), format="csv"))
    assert back["text"].tolist()[1:5] == ["'" + text for text in DANGEROUS[:4]]
    assert back["text"].tolist()[5] == "plain, with a comma\nand a line break"
    assert pd.api.types.is_float_dtype(back["score"])
    assert back["score"].tolist() == _frame()["score"].tolist()
    assert pd.api.types.is_integer_dtype(back["count"])
    assert back["count"].tolist() == [-3, 1, 2, -4, 5, 6]
    assert b"\n1,'=HYPERLINK" in export_table(_frame(), format="csv").replace(b'"', b"")


def test_csv_neutralises_tab_and_carriage_return_starts_and_column_names() -> None:
    frame = pd.DataFrame({"=cmd|' /C calc'!A0": ["\tTAB", "\rCR", "@x"]})
    back = _read_csv(export_table(frame, format="csv"))
    assert back.columns[1] == "'=cmd|' /C calc'!A0"
    assert back.iloc[:, 1].tolist() == ["'\tTAB", "'\rCR", "'@x"]


def test_csv_neutralises_text_clusters_but_not_numeric_ones() -> None:
    frame = pd.DataFrame({"text": ["a", "b"]})
    text_clusters = _read_csv(export_table(frame, clusters=["-noise", "ok"], format="csv"))
    assert text_clusters["cluster"].tolist() == ["'-noise", "ok"]
    numeric_clusters = _read_csv(export_table(frame, clusters=[-1, 3], format="csv"))
    assert numeric_clusters["cluster"].tolist() == [-1, 3]


def test_parquet_table_round_trips_with_neighbours_as_int64_lists_and_raw_text() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    neighbors = _neighbor_ids()
    data = export_table(
        _frame(),
        coordinates=np.c_[COORDINATES, COORDINATES[:, 0]],
        selected_rows=[0],
        clusters=["a", "b", "a", "b", "=c", "a"],
        neighbor_ids=neighbors,
        format="parquet",
    )
    schema = pq.read_schema(io.BytesIO(data))
    assert schema.field("neighbors").type == pa.list_(pa.int64())
    assert schema.field("row_id").type == pa.int64()
    back = pd.read_parquet(io.BytesIO(data))
    assert list(back.columns)[:1] == ["row_id"]
    assert back["row_id"].tolist() == list(range(6))
    assert back["text"].tolist() == _frame()["text"].tolist()  # raw: no quote prefix
    assert back["score"].tolist() == _frame()["score"].tolist()
    np.testing.assert_array_equal(back[["x", "y"]].to_numpy(), COORDINATES)
    np.testing.assert_array_equal(back["z"].to_numpy(), COORDINATES[:, 0])
    assert back["selected"].tolist() == [True, False, False, False, False, False]
    assert back["cluster"].tolist() == ["a", "b", "a", "b", "=c", "a"]
    np.testing.assert_array_equal(np.stack(back["neighbors"].to_list()), neighbors)


def test_table_keeps_a_clashing_column_under_an_original_name() -> None:
    frame = pd.DataFrame({"x": ["user x", "data"], "row_id": [7, 9]})
    back = pd.read_parquet(
        io.BytesIO(export_table(frame, coordinates=COORDINATES[:2], format="parquet"))
    )
    assert list(back.columns) == ["row_id", "x_original", "row_id_original", "x", "y", "selected"]
    assert back["x_original"].tolist() == ["user x", "data"]
    assert back["row_id"].tolist() == [0, 1]


def test_table_rejects_shapes_and_row_ids_that_do_not_fit() -> None:
    frame = _frame()
    with pytest.raises(InputError, match="coordinates have shape"):
        export_table(frame, coordinates=COORDINATES[:3], format="csv")
    with pytest.raises(InputError, match="selection names row 6"):
        export_table(frame, selected_rows=[6], format="csv")
    with pytest.raises(InputError, match="cluster labels"):
        export_table(frame, clusters=[1, 2], format="csv")
    with pytest.raises(InputError, match="outside rows"):
        export_table(frame, neighbor_ids=np.full((6, 2), 6), format="parquet")
    with pytest.raises(InputError, match="csv or parquet"):
        export_table(frame, format="xlsx")  # type: ignore[arg-type]


def test_table_with_one_row_and_no_neighbours_exports() -> None:
    frame = pd.DataFrame({"text": ["only"]})
    ids = np.zeros((1, 0), dtype=np.int64)
    csv_back = _read_csv(export_table(frame, neighbor_ids=ids, format="csv"))
    assert csv_back["row_id"].tolist() == [0]
    parquet_back = pd.read_parquet(
        io.BytesIO(export_table(frame, neighbor_ids=ids, format="parquet"))
    )
    assert list(parquet_back["neighbors"][0]) == []


# --- vectors ---------------------------------------------------------------------------


def test_npy_export_reads_back_to_identical_float32() -> None:
    loaded = read_npy(export_vectors_npy(VECTORS.astype(np.float64)))
    assert loaded.vectors.dtype == np.float32
    np.testing.assert_array_equal(loaded.vectors, VECTORS)


def test_npy_export_rejects_non_finite_vectors() -> None:
    broken = VECTORS.copy()
    broken[2, 1] = np.nan
    with pytest.raises(InputError, match="NaN or infinite"):
        export_vectors_npy(broken)


def test_projector_pair_reads_back_to_the_same_vectors_and_metadata() -> None:
    metadata = pd.DataFrame(
        {
            "text": ["a", "tab\there", "new\nline", "=formula", "crlf\r\nend", "plain"],
            "label": ["x", "y", "x", "y", "x", "y"],
            "score": [1, -2, 3, -4, 5, 6],
        }
    )
    vectors_tsv, metadata_tsv = export_projector_tsv(VECTORS, metadata)
    lines = metadata_tsv.decode("utf-8").split("\n")
    assert lines[0] == "text\tlabel\tscore"
    assert len(lines) == 1 + 6 + 1  # header, rows, final newline
    loaded = read_projector_tsv(vectors_tsv, metadata_tsv)
    np.testing.assert_allclose(loaded.vectors, VECTORS, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(loaded.vectors, VECTORS)  # 9 digits: exact float32
    assert loaded.frame["text"].tolist() == [
        "a",
        "tab here",
        "new line",
        "=formula",
        "crlf end",
        "plain",
    ]
    assert loaded.frame["label"].tolist() == metadata["label"].tolist()
    assert loaded.frame["score"].tolist() == metadata["score"].tolist()


def test_projector_single_column_metadata_has_no_header() -> None:
    metadata = pd.DataFrame({"text": ["one", "two\tcols", "three\nlines", "4", "5", "six"]})
    vectors_tsv, metadata_tsv = export_projector_tsv(VECTORS, metadata)
    assert metadata_tsv.decode("utf-8").splitlines()[0] == "one"
    loaded = read_projector_tsv(vectors_tsv, metadata_tsv)
    assert loaded.texts == ["one", "two cols", "three lines", "4", "5", "six"]
    np.testing.assert_array_equal(loaded.vectors, VECTORS)


def test_projector_vectors_file_has_no_header_and_tab_separated_rows() -> None:
    vectors_tsv, _ = export_projector_tsv(VECTORS, pd.DataFrame({"text": list("abcdef")}))
    rows = vectors_tsv.decode("utf-8").splitlines()
    assert len(rows) == 6
    assert [len(row.split("\t")) for row in rows] == [5] * 6


def test_projector_export_rejects_metadata_of_another_length() -> None:
    with pytest.raises(InputError, match="must match one to one"):
        export_projector_tsv(VECTORS, pd.DataFrame({"text": ["a"]}))


# --- similarity ------------------------------------------------------------------------


def test_similarity_csv_reads_back_to_the_same_matrix_with_neutralised_labels() -> None:
    normed = VECTORS / np.linalg.norm(VECTORS, axis=1, keepdims=True)
    matrix = (normed @ normed.T).astype(np.float32)
    labels = ["alpha", "=1+1", "gamma, with comma", "-delta", "epsilon", "zeta"]
    back = pd.read_csv(io.BytesIO(export_similarity_csv(matrix, labels)), index_col=0)
    np.testing.assert_array_equal(back.to_numpy(dtype=np.float32), matrix)
    safe = ["alpha", "'=1+1", "gamma, with comma", "'-delta", "epsilon", "zeta"]
    assert back.index.tolist() == safe
    assert back.columns.tolist() == safe


def test_similarity_csv_rejects_a_matrix_that_is_not_square() -> None:
    with pytest.raises(InputError, match="square"):
        export_similarity_csv(np.zeros((2, 3)), ["a", "b"])


# --- figures ---------------------------------------------------------------------------


def test_html_export_embeds_plotly_js_and_the_data_and_loads_nothing_remote() -> None:
    figure = scatter_figure(COORDINATES, ["alpha", "beta", "<b>gamma</b>", "d", "e", "f"])
    page = export_figure_html(figure).decode("utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>")
    # The installed plotly.js itself, inline in a script element, not a link to it.
    assert f"<script>/**\n* plotly.js v{get_plotlyjs_version()}\n" in page
    assert len(page) > 1_000_000
    assert "scattergl" in page and "alpha" in page
    assert "gamma" in page and "<b>gamma</b>" not in page  # user text stays escaped
    lowered = page.lower().replace(" ", "")
    assert '<scriptsrc="http' not in lowered and "<scriptsrc='http" not in lowered


def test_html_export_of_a_heatmap_holds_its_values() -> None:
    figure = heatmap_figure(np.eye(3, dtype=np.float32), ["a", "b", "c"], metric="cosine")
    page = export_figure_html(figure).decode("utf-8")
    assert '"type":"heatmap"' in page.replace(" ", "")


@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    render.close_browser()
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    yield
    render.close_browser()


@pytest.mark.usefixtures("no_browser")
def test_png_export_without_a_browser_says_how_to_install_one() -> None:
    figure = scatter_figure(COORDINATES, list("abcdef"))
    with pytest.raises(InputError, match=r"apt-get install chromium.*HTML export"):
        export_figure_png(figure)


def test_png_export_rejects_a_size_that_is_not_positive() -> None:
    with pytest.raises(InputError, match="positive"):
        export_figure_png(scatter_figure(COORDINATES, list("abcdef")), width=0)


@pytest.mark.browser  # it starts Chromium (through kaleido)
@pytest.mark.skipif(not HAS_CHROMIUM, reason="PNG export needs /usr/bin/chromium")
def test_png_export_draws_the_points_at_the_requested_size_and_reuses_the_browser() -> None:
    count = 3000
    points = np.random.default_rng(1).normal(size=(count, 2)).astype(np.float32)
    groups = pd.Series(np.where(np.arange(count) % 2, "odd", "even"))
    figure = scatter_figure(points, [f"text {i}" for i in range(count)], color=groups)
    first = export_figure_png(figure, width=640, height=400)
    renderer = render._renderer
    second = export_figure_png(figure, width=320, height=200, scale=2.0)

    assert first.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(first))
    image.load()
    assert image.size == (640, 400)
    assert Image.open(io.BytesIO(second)).size == (640, 400)
    # The markers are drawn: many pixels in the two trace colours (blue, orange), not blank.
    rgb = np.asarray(image.convert("RGB")).astype(int)
    blue = (rgb[..., 2] > 150) & (rgb[..., 0] < 100)
    orange = (rgb[..., 0] > 200) & (rgb[..., 1] > 100) & (rgb[..., 2] < 80)
    assert blue.sum() > 2000 and orange.sum() > 2000
    assert renderer is not None and render._renderer is renderer, "the browser is reused"
