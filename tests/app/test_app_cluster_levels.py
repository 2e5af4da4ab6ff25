"""Clusters at two levels in the app, through AppTest on the demo (BANKING77): the level
switch puts the coarse clusters on the map, the Clusters tab lists the fine clusters as a tree
under the coarse ones, and a weak label is marked where a user can rename it."""

from __future__ import annotations

from typing import Any

import pandas as pd
from streamlit.testing.v1 import AppTest

from components import state
from embedding_space.demo import DEMO_DATASET_ID
from tests.helpers import open_app, plotly_figure

FINE = 8
COARSE = 3


def _open(**session: object) -> AppTest:
    app = open_app(
        DEMO_DATASET_ID,
        **{
            state.COLOR_COLUMN: state.CLUSTER_COLOR,
            state.COLOR_DATASET: DEMO_DATASET_ID,
            state.N_CLUSTERS: FINE,
            state.SIDE_PANEL: True,
            **session,
        },
    )
    assert not app.error, [e.value for e in app.error]
    return app


def _cluster_traces(figure: dict[str, Any]) -> set[str]:
    """The names of the traces that each hold one cluster's points."""
    return {
        str(trace["name"])
        for trace in figure["data"]
        if trace.get("legendgroup") or trace.get("showlegend", True)
        if trace.get("name") not in {None, "selected", "neighbours", "clicked", "query"}
    }


def _map_labels(figure: dict[str, Any]) -> set[str]:
    """The cluster labels written on the map (bold annotations), without markup."""
    notes = figure["layout"].get("annotations", [])
    return {str(note["text"]).removeprefix("<b>").removesuffix("</b>") for note in notes}


def _tree(app: AppTest) -> pd.DataFrame:
    return next(d.value for d in app.dataframe if "coarse cluster" in d.value.columns)


def test_switching_to_coarse_puts_the_coarse_clusters_on_the_map() -> None:
    app = _open()
    fine_traces = _cluster_traces(plotly_figure(app))
    assert len(fine_traces) == FINE
    switch = next(s for s in app.get("button_group") if s.label == "Cluster level")
    switch.set_value("coarse").run()
    count = next(n for n in app.number_input if n.label.startswith("Coarse clusters"))
    count.set_value(COARSE).run()
    assert not app.exception, [e.value for e in app.exception]
    figure = plotly_figure(app)
    coarse_traces = _cluster_traces(figure)
    assert len(coarse_traces) == COARSE
    tree = _tree(app)
    coarse_labels = {
        text.split(" · ")[0] for text in tree["coarse cluster"].dropna() if str(text).strip()
    }
    assert coarse_traces == coarse_labels, "the map's clusters are the tree's coarse ones"
    assert _map_labels(figure) == coarse_labels
    assert app.session_state[state.CLUSTER_LEVEL] == "coarse"


def test_every_fine_cluster_is_listed_under_exactly_one_coarse_cluster() -> None:
    app = _open(**{state.CLUSTER_LEVEL: "coarse", state.N_COARSE: COARSE})
    tree = _tree(app)
    assert sorted(tree["cluster"]) == list(range(FINE)), "each fine cluster once"
    assert tree["coarse"].nunique() == COARSE
    # Rows are grouped: each coarse cluster's rows follow one another, its label on the first.
    groups = tree["coarse"].tolist()
    assert groups == sorted(groups, key=groups.index)
    firsts = tree.groupby("coarse", sort=False).head(1).index
    assert all(str(tree.loc[i, "coarse cluster"]).strip() for i in firsts)
    others = tree.index.difference(firsts)
    assert not any(str(tree.loc[i, "coarse cluster"]).strip() for i in others)
    sizes = tree.groupby("coarse")["rows"].sum()
    for i in firsts:
        stated = str(tree.loc[i, "coarse cluster"]).split(" · ")[1]
        assert stated == f"{sizes[tree.loc[i, 'coarse']]:,} rows"


def test_a_label_renamed_to_something_unrelated_is_marked_weak_where_it_is_renamed() -> None:
    app = _open()
    tree = _tree(app)
    assert tree["quality"].notna().all(), "the demo's model scores every label"
    renamed = int(tree["cluster"].iloc[0])
    box = next(s for s in app.selectbox if s.label == "Rename a cluster")
    box.set_value(renamed).run()
    next(t for t in app.text_input if t.label == "New label").set_value(
        "Volcanic islands of the Pacific"
    ).run()
    next(b for b in app.button if b.label == "Rename").click().run()
    assert not app.exception, [e.value for e in app.exception]
    tree = _tree(app).set_index("cluster")
    assert tree.loc[renamed, "label"] == "Volcanic islands of the Pacific"
    assert bool(tree.loc[renamed, "weak"])
    assert tree.loc[renamed, "quality"] < 0.3
    assert any("weak" in c.value and "Label quality" in c.value for c in app.caption)
