"""Clusters at two levels in the app, through AppTest on the demo (BANKING77): the level
switch puts the coarse clusters on the map, the Clusters tab lists the fine clusters as a tree
under the coarse ones, and a weak label is marked where a user can rename it."""

from __future__ import annotations

from typing import Any

import pandas as pd
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import ButtonGroup

from components import state
from embedding_space.demo import DEMO_DATASET_ID
from embedding_space.embed.traditional import TraditionalEmbedder
from embedding_space.store.label_scores import TRADITIONAL
from embedding_space.store.workspace import Workspace
from tests.helpers import new_app, open_app, plotly_figure, topics_frame

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
    return next(d.value for d in app.dataframe if "level" in d.value.columns)


def test_switching_to_coarse_puts_the_coarse_clusters_on_the_map() -> None:
    app = _open()
    fine_traces = _cluster_traces(plotly_figure(app))
    assert len(fine_traces) == FINE
    switches = [s for s in app.get("button_group") if isinstance(s, ButtonGroup)]
    switch = next(s for s in switches if s.label == "Cluster level")
    switch.set_value("coarse").run()
    count = next(n for n in app.number_input if n.label.startswith("Coarse clusters"))
    count.set_value(COARSE).run()
    assert not app.exception, [e.value for e in app.exception]
    figure = plotly_figure(app)
    coarse_traces = _cluster_traces(figure)
    assert len(coarse_traces) == COARSE
    tree = _tree(app)
    coarse_labels = set(tree.loc[tree["level"] == "coarse", "label"])
    assert coarse_traces == coarse_labels, "the map's clusters are the tree's coarse ones"
    assert _map_labels(figure) == coarse_labels
    assert app.session_state[state.CLUSTER_LEVEL] == "coarse"
    assert any("Renaming applies to the fine clusters" in c.value for c in app.caption)


def test_a_link_opens_the_coarse_level_and_the_url_follows_the_switch() -> None:
    app = new_app()
    app.query_params.update(
        {
            "dataset": DEMO_DATASET_ID,
            "method": "pca",
            "color": state.CLUSTER_COLOR,
            "n_clusters": str(FINE),
            "level": "coarse",
            "n_coarse_clusters": str(COARSE),
        }
    )
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert len(_cluster_traces(plotly_figure(app))) == COARSE
    switches = [s for s in app.get("button_group") if isinstance(s, ButtonGroup)]
    next(s for s in switches if s.label == "Cluster level").set_value("fine").run()
    assert len(_cluster_traces(plotly_figure(app))) == FINE
    assert "level" not in app.query_params, "the fine level is the default, left out"
    assert app.query_params["n_coarse_clusters"] == str(COARSE)


def test_every_fine_cluster_is_listed_under_exactly_one_coarse_cluster() -> None:
    app = _open(**{state.CLUSTER_LEVEL: "coarse", state.N_COARSE: COARSE})
    tree = _tree(app)
    fine = tree[tree["level"] == "fine"]
    coarse = tree[tree["level"] == "coarse"]
    assert sorted(fine["fine"]) == list(range(FINE)), "each fine cluster once"
    assert sorted(coarse["coarse"]) == list(range(COARSE))
    # Each coarse row heads its branch: the fine rows after it, up to the next, are its own,
    # and their rows add up to its rows.
    branch = None
    members: dict[int, list[int]] = {}
    for _, row in tree.iterrows():
        if row["level"] == "coarse":
            branch = int(row["coarse"])
            members[branch] = []
        else:
            assert int(row["coarse"]) == branch
            assert str(row["cluster"]).startswith("└ ")
            members[branch].append(int(row["rows"]))
    assert all(members.values()), "no coarse cluster is empty"
    assert {c: sum(sizes) for c, sizes in members.items()} == dict(
        zip(coarse["coarse"], coarse["rows"], strict=True)
    )


def test_a_label_renamed_to_something_unrelated_is_marked_weak_where_it_is_renamed() -> None:
    app = _open()
    tree = _tree(app)
    assert tree["score"].notna().all(), "the demo's model scores every label"
    fine = tree[tree["level"] == "fine"]
    renamed = int(fine["fine"].iloc[0])
    assert fine["weak"].iloc[0] != "weak"
    box = next(s for s in app.selectbox if s.label == "Rename a cluster")
    box.set_value(renamed).run()
    next(t for t in app.text_input if t.label == "New label").set_value(
        "Volcanic islands of the Pacific"
    ).run()
    next(b for b in app.button if b.label == "Rename").click().run()
    assert not app.exception, [e.value for e in app.exception]
    tree = _tree(app)
    row = tree[(tree["level"] == "fine") & (tree["fine"] == renamed)].iloc[0]
    assert row["label"] == "Volcanic islands of the Pacific"
    assert row["weak"] == "weak"
    assert row["score"] < 0.3
    assert row["quality"] == f"{row['score']:.2f} weak"
    assert row["cluster"] == "└ ⚠ Volcanic islands of the Pacific"
    assert any("weak" in c.value and "Label quality" in c.value for c in app.caption)


def test_a_tf_idf_space_says_why_its_labels_have_no_quality() -> None:
    store = Workspace()
    info = store.create_dataset(topics_frame(), "text", "tf-idf only")
    store.embeddings(info.id, TraditionalEmbedder("tfidf"))
    app = open_app(
        info.id,
        **{
            state.MODEL_NAME: "tfidf",
            state.N_CLUSTERS: 4,
            state.SIDE_PANEL: True,
            state.CLUSTER_LEVEL: "coarse",
        },
    )
    assert not app.error, [e.value for e in app.error]
    tree = _tree(app)
    assert tree["score"].isna().all()
    assert set(tree["quality"]) == {""}
    said = [c.value for c in app.caption if c.value.startswith("Label quality not available")]
    assert said and all(TRADITIONAL[:40] in line for line in said)


def test_a_name_a_link_gave_shows_no_score_of_the_stored_label() -> None:
    app = new_app()
    app.query_params.update(
        {
            "dataset": DEMO_DATASET_ID,
            "method": "pca",
            "n_clusters": str(FINE),
            "name.0": "Sent with the link",
        }
    )
    app.session_state[state.SIDE_PANEL] = True
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    tree = _tree(app)
    named = tree[(tree["level"] == "fine") & (tree["fine"] == 0)].iloc[0]
    assert named["label"] == "Sent with the link"
    assert pd.isna(named["score"]) and named["quality"] == ""
    others = tree[(tree["level"] == "fine") & (tree["fine"] != 0)]
    assert others["score"].notna().all()
