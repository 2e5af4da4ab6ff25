"""The Quality page's Drift tab, through AppTest, on real demo rows embedded by the real model:
a batch with an intent the dataset never held is called drift and its rows are listed first;
a batch of the same intents is not; the novel rows can be selected for the map."""

from __future__ import annotations

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from components import cached, routes, state
from embedding_space.embed import Embedder
from embedding_space.store.workspace import Workspace
from tests.helpers import SIX_INTENTS, demo_rows, open_app, plotly_figures, plotly_values

NEW_INTENT = SIX_INTENTS[0]
OLD_INTENTS = SIX_INTENTS[1:]


def _rows(intents: tuple[str, ...], start: int, count: int) -> pd.DataFrame:
    demo = demo_rows()
    picked = [
        row
        for intent in intents
        for row in np.flatnonzero(demo.labels == intent)[start : start + count]
    ]
    return pd.DataFrame(
        {"text": [demo.texts[row] for row in picked], "intent": demo.labels[picked].tolist()}
    )


def _grown(embedder: Embedder, batch: pd.DataFrame) -> str:
    store = Workspace()
    info = store.create_dataset(_rows(OLD_INTENTS, 0, 20), "text", "five intents")
    store.embeddings(info.id, embedder)
    store.add_batch(info.id, batch, name="april", models=lambda _model: embedder)
    return info.id


def _tested(dataset_id: str) -> AppTest:
    app = open_app(dataset_id, routes.QUALITY.path)
    assert app.radio(key=state.widget_key("drift", "way", dataset_id)).value == "a batch"
    app.button(key=state.widget_key("drift", "run", dataset_id)).click().run(timeout=60)
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_a_batch_with_an_unseen_intent_is_drift_and_its_rows_come_first(
    embedder: Embedder,
) -> None:
    batch = pd.concat([_rows(OLD_INTENTS, 20, 6), _rows((NEW_INTENT,), 0, 30)])
    dataset_id = _grown(embedder, batch)
    app = _tested(dataset_id)
    assert any("batch 1" in c.value and "april" in c.value for c in app.caption)
    # Measured: p < 0.001, AUC 0.65 (most of the batch is new; at most 0.8 could be).
    assert [w.value for w in app.warning if w.value.startswith("**Drift (p < 0.001)")]
    (novel,) = [d.value for d in app.dataframe if "nearest in the reference" in d.value.columns]
    intents = pd.Series(_rows(OLD_INTENTS, 0, 20)["intent"].tolist() + batch["intent"].tolist())
    top = intents[novel["row"].head(20)].tolist()
    assert top.count(NEW_INTENT) >= 18, top
    assert novel["row"].min() >= 100, "only the batch's rows are listed"

    (drift_map,) = [
        f for f in plotly_figures(app) if f["data"][0].get("name") == "density difference"
    ]
    assert drift_map["data"][0]["type"] == "heatmap"
    ringed = next(t for t in drift_map["data"] if t.get("name") == "least like the reference")
    assert len(plotly_values(ringed["x"])) == len(novel)

    app.radio(key=state.widget_key("drift", "map_way", dataset_id)).set_value(
        "one period at a time"
    ).run()
    assert app.select_slider(key=state.widget_key("drift", "period", dataset_id)).value == "april"
    assert any(c.value.startswith("60 rows in april in colour") for c in app.caption)

    app.button(key=state.widget_key("drift", "select", dataset_id)).click().run()
    selected = app.session_state[state.SELECTION][dataset_id]
    assert sorted(selected) == sorted(novel["row"].tolist())


def test_a_batch_of_the_same_intents_is_no_drift(embedder: Embedder) -> None:
    dataset_id = _grown(embedder, _rows(OLD_INTENTS, 20, 8))
    app = _tested(dataset_id)
    assert not [w.value for w in app.warning if "Drift" in w.value]
    assert any(s.value.startswith("**No drift detected (p = ") for s in app.success)


def test_two_groups_of_a_columns_values_can_be_compared(embedder: Embedder) -> None:
    store = Workspace()
    info = store.create_dataset(_rows(SIX_INTENTS, 0, 20), "text", "six intents")
    store.embeddings(info.id, embedder)
    app = open_app(info.id, routes.QUALITY.path)
    app.radio(key=state.widget_key("drift", "way", info.id)).set_value("values of a column").run()
    app.multiselect(key=state.widget_key("drift", "ref:intent", info.id)).set_value(
        list(SIX_INTENTS[:3])
    ).run()
    app.multiselect(key=state.widget_key("drift", "batch:intent", info.id)).set_value(
        list(SIX_INTENTS[3:])
    ).run()
    app.button(key=state.widget_key("drift", "run", info.id)).click().run(timeout=60)
    assert not app.exception, [e.value for e in app.exception]
    (verdict,) = [w.value for w in app.warning if "Drift (p" in w.value]
    assert "effect large" in verdict
    # Three intents left entirely: each of their regions emptied.
    assert any("all but left" in w.value for w in app.warning)


def test_a_map_mostly_of_placed_rows_offers_a_recompute_laid_onto_the_old(
    embedder: Embedder,
) -> None:
    store = Workspace()
    info = store.create_dataset(_rows(OLD_INTENTS, 0, 12), "text", "five intents")
    store.embeddings(info.id, embedder)
    first = open_app(info.id, routes.MAP.path)
    assert not [i for i in first.info if "added after the map was drawn" in i.value]
    store.add_batch(info.id, _rows(SIX_INTENTS, 12, 6), name="more", models=lambda _m: embedder)
    cached.forget_dataset(info.id)  # as the Data page's Add rows does
    app = open_app(info.id, routes.MAP.path)
    assert any("36 of these 96 rows were added after" in i.value for i in app.info), [
        i.value for i in app.info
    ]
    refit = app.button(key=state.widget_key("refit", info.id))
    assert refit.label == "Recompute the map over all 96 rows"
    refit.click().run(timeout=60)
    assert not app.exception, [e.value for e in app.exception]
    (done,) = [s.value for s in app.success if s.value.startswith("Recomputed the map")]
    assert "the 60 rows it was fitted on moved" in done
    assert not [i for i in app.info if "added after the map was drawn" in i.value]
