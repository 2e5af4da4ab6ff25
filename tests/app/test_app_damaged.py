"""Damaged datasets in the app through AppTest, with real files: a truncated table or
embeddings file is named in a sentence with a way to compute it again or remove the dataset, a
garbage manifest is listed in the workspace with a Remove button, and a full disk is a
sentence. No exception reaches the page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components import routes
from embedding_space.embed import Embedder
from embedding_space.store.datasets import embedding_file
from embedding_space.store.workspace import Workspace
from tests.helpers import TOPICS, new_app, open_app, sqlite_without_room

TEXTS = [text for group in TOPICS.values() for text in group]


def _home() -> Path:
    return Path(os.environ["EMBEDDING_SPACE_HOME"])


def _new_dataset(name: str, texts: list[str] = TEXTS) -> str:
    return Workspace().create_dataset(pd.DataFrame({"text": texts}), "text", name).id


def _errors(app: AppTest) -> list[str]:
    return [block.value.replace("\\", "") for block in app.error]


def _button(app: AppTest, label: str) -> Any:
    [button] = [button for button in app.button if button.label == label]
    return button


def test_a_truncated_table_is_named_and_the_dataset_can_be_removed() -> None:
    dataset_id = _new_dataset("cut table")
    table = _home() / "datasets" / dataset_id / "table.parquet"
    table.write_bytes(table.read_bytes()[:400])
    app = open_app(dataset_id)
    assert _errors(app) == [
        f"The table file {dataset_id}/table.parquet is damaged and cannot be read (it is cut "
        "off: it does not end as a Parquet file does). Remove the dataset and add its file again."
    ]
    assert not [button for button in app.button if button.label == "Compute it again"]
    assert _button(app, "Remove the dataset").disabled
    app.checkbox[0].check().run()
    _button(app, "Remove the dataset").click().run()
    assert not app.exception
    assert not Workspace().exists(dataset_id)
    assert not (_home() / "datasets" / dataset_id).exists()
    assert "The damaged dataset was removed." in [block.value for block in app.success]


def test_truncated_embeddings_are_named_and_computed_again(embedder: Embedder) -> None:
    dataset_id = _new_dataset("cut embeddings")
    Workspace().embeddings(dataset_id, embedder)
    npy = embedding_file(_home() / "datasets" / dataset_id, embedder.cache_key)
    npy.write_bytes(npy.read_bytes()[:2000])
    app = open_app(dataset_id)
    [message] = _errors(app)
    assert message.startswith(f"The embeddings file {dataset_id}/embeddings/{npy.name} is damaged")
    assert message.endswith("Compute it again from the table, or remove the dataset.")
    _button(app, "Compute it again").click().run()
    assert not app.exception
    assert _errors(app) == []
    assert f"{len(TEXTS)} points · PCA 2-D" in " ".join(caption.value for caption in app.caption)
    assert Workspace().space(dataset_id, embedder.cache_key).vectors.shape == (len(TEXTS), 384)


def test_a_garbage_manifest_is_listed_in_the_workspace_with_a_remove_button() -> None:
    dataset_id = _new_dataset("garbled")
    (_home() / "datasets" / dataset_id / "manifest.json").write_text("{not json")
    app = new_app()
    app.run()
    app.switch_page(routes.DATA.path).run()
    assert not app.exception
    warnings = [block.value for block in app.warning]
    assert any("cannot be opened: its description is damaged" in text for text in warnings)
    listed = " ".join(block.value for block in app.markdown).replace("\\", "")
    reason = "Its description (manifest.json) is damaged: it is not valid JSON."
    assert f"Folder **{dataset_id}**: {reason}" in listed
    confirm = [box for box in app.checkbox if box.key == f"confirm-damaged:{dataset_id}"]
    confirm[0].check().run()
    [remove] = [b for b in app.button if b.key == f"remove-damaged:{dataset_id}"]
    remove.click().run()
    assert not app.exception
    assert not (_home() / "datasets" / dataset_id).exists()
    assert Workspace().damaged() == []


def test_a_full_disk_while_embedding_is_a_sentence(
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Texts no other test embedded, so none comes from the cache: each must be written to it.
    dataset_id = _new_dataset("no room", [f"no room: {text}" for text in TEXTS])
    sqlite_without_room(monkeypatch)
    app = open_app(dataset_id)
    [message] = _errors(app)
    assert message.startswith(
        "The disk is full: the computed vectors (the cache of embeddings) could not be saved, "
        "and nothing was lost"
    )
    assert Workspace().exists(dataset_id)


def test_a_link_to_a_dataset_with_a_damaged_table_opens_it_with_the_sentence() -> None:
    dataset_id = _new_dataset("linked, cut table")
    table = _home() / "datasets" / dataset_id / "table.parquet"
    table.write_bytes(table.read_bytes()[:400])
    app = new_app()
    app.query_params["dataset"] = dataset_id
    app.run()
    assert not app.exception
    assert [title.value for title in app.title] == ["linked, cut table"]
    [message] = _errors(app)
    assert message.startswith(f"The table file {dataset_id}/table.parquet is damaged")


def test_the_data_page_names_a_damaged_table_rather_than_failing() -> None:
    dataset_id = _new_dataset("cut table, data page")
    table = _home() / "datasets" / dataset_id / "table.parquet"
    table.write_bytes(table.read_bytes()[:400])
    app = open_app(dataset_id, routes.DATA.path)  # fails on any exception shown
    assert [title.value for title in app.title] == ["Data"]
    assert any(f"{dataset_id}/table.parquet is damaged" in error for error in _errors(app))
