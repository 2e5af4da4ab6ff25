"""Filters in the app: a link's filters decide the rows the map draws, the charts above it
are drawn from counts, and "the selection" the other pages take passes the filters."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components import routes, state
from embedding_space.embed import Embedder
from embedding_space.store.workspace import Workspace
from tests.helpers import new_app, plotly_figures, plotly_values, topics_frame

ROWS = 40


@pytest.fixture(scope="module")
def dated_id(embedder: Embedder) -> str:
    """The forty topic texts with a number and a date column."""
    frame = topics_frame()
    frame["price"] = np.arange(ROWS, dtype=float) * 2.5
    frame["posted"] = [f"2024-{1 + row % 12:02d}-{1 + row % 28:02d}" for row in range(ROWS)]
    store = Workspace()
    info = store.create_dataset(frame, "text", "topics with prices")
    store.embeddings(info.id, embedder)
    return info.id


def _open(dataset_id: str, **link: str) -> AppTest:
    app = new_app()
    app.query_params.update({"dataset": dataset_id, "method": "pca", "color": "(none)", **link})
    app.run()
    assert not app.exception, app.exception
    return app


def _map_rows(app: AppTest) -> list[int]:
    """The rows the map draws as points (its scattergl traces, layers aside)."""
    maps = [f for f in plotly_figures(app) if any(t["type"] == "scattergl" for t in f["data"])]
    assert len(maps) == 1
    return sorted(
        int(row)
        for trace in maps[0]["data"]
        if trace["type"] == "scattergl" and trace.get("customdata") is not None
        for row in plotly_values(trace["customdata"])
    )


def _bar_charts(app: AppTest) -> list[dict[str, Any]]:
    return [f for f in plotly_figures(app) if f["data"] and f["data"][0]["type"] == "bar"]


def _caption_text(app: AppTest) -> str:
    return " ".join(str(caption.value) for caption in app.caption)


def test_a_links_filters_decide_the_rows_on_the_map_and_its_count(dated_id: str) -> None:
    frame = Workspace().load_table(dated_id)
    app = _open(dated_id, **{"f.price": "10~50", "f.topic": "cooking|football"})
    expected = frame.index[
        frame["price"].between(10, 50) & frame["topic"].isin(["cooking", "football"])
    ].tolist()
    assert expected and len(expected) < ROWS
    assert _map_rows(app) == expected
    assert f"{len(expected)} of {ROWS} rows" in _caption_text(app)
    # The link opened the charts: one per filtered column at least, each a few bars.
    charts = _bar_charts(app)
    assert len(charts) >= 2
    assert all(len(plotly_values(trace["y"])) <= 100 for f in charts for trace in f["data"])
    # And the URL still carries them, so a copied link reopens the same map.
    assert app.query_params["f.price"] == "10~50"
    assert app.query_params["f.topic"] == "cooking|football"


def test_a_date_filter_from_a_link_keeps_its_half_open_range(dated_id: str) -> None:
    frame = Workspace().load_table(dated_id)
    app = _open(dated_id, **{"f.posted": "2024-03-01~2024-06-01"})
    posted = pd.to_datetime(frame["posted"])
    start, end = pd.Timestamp("2024-03-01"), pd.Timestamp("2024-06-01")
    expected = frame.index[(posted >= start) & (posted < end)].tolist()
    assert _map_rows(app) == expected and 0 < len(expected) < ROWS


def test_removing_a_filter_by_its_chip_and_clearing_all_bring_the_rows_back(
    dated_id: str,
) -> None:
    app = _open(dated_id, **{"f.price": "10~50", "f.topic": "cooking"})
    chip = next(b for b in app.button if str(b.label).startswith("price"))
    chip.click().run()
    frame = Workspace().load_table(dated_id)
    assert _map_rows(app) == frame.index[frame["topic"] == "cooking"].tolist()
    assert "f.price" not in app.query_params
    next(b for b in app.button if b.label == "Clear all filters").click().run()
    assert _map_rows(app) == list(range(ROWS))
    assert not any(name.startswith("f.") for name in app.query_params)


def test_the_similarity_page_takes_the_selected_rows_that_pass_the_filters(
    dated_id: str,
) -> None:
    app = _open(dated_id, sel="0-19", **{"f.topic": "cooking"})
    frame = Workspace().load_table(dated_id)
    cooking = set(frame.index[frame["topic"] == "cooking"])
    assert cooking < set(range(20)), "the selection holds the cooking rows and others"
    # The Map lists the selected rows it draws: those that pass.
    assert [h.value for h in app.subheader] == [f"{len(cooking)} selected rows"]
    app.switch_page(routes.SIMILARITY.path).run()
    assert not app.exception
    toggle = app.toggle[0]
    assert toggle.label == f"Use the filtered map selection ({len(cooking)} rows)"
    assert app.session_state[state.SELECTION][dated_id] == list(range(20)), "kept as selected"
    heatmap = next(f for f in plotly_figures(app) if f["data"][0]["type"] == "heatmap")
    assert heatmap["data"][0]["z"]["shape"] == f"{len(cooking)}, {len(cooking)}"


def test_a_tag_is_a_filter_and_a_chart(dated_id: str) -> None:
    workspace = Workspace()
    tags = workspace.tags(dated_id)
    tags.tag([2, 9, 33], "check")
    tags.tag([9, 10], "fine")
    try:
        app = _open(dated_id, **{"f.tags": "check"})
        assert _map_rows(app) == [2, 9, 33]
        assert f"3 of {ROWS} rows" in _caption_text(app)
        labels = [
            {str(item[4]) for item in chart["data"][0]["customdata"]} for chart in _bar_charts(app)
        ]
        assert {"check", "fine"} in [names & {"check", "fine"} for names in labels], (
            "the tags have a chart of their own"
        )
    finally:
        tags.delete("check")
        tags.delete("fine")
