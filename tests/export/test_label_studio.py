"""The Label Studio import: tasks in the documented JSON format with the tags as
pre-annotations, and a labeling configuration that the tasks fit."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest

from embedding_space.errors import InputError
from embedding_space.export import export_label_studio, label_studio_config
from embedding_space.store import Workspace

# The task format of "Import pre-annotated data into Label Studio"
# (https://labelstud.io/guide/predictions, and the basic JSON format it points to): a JSON
# list of tasks; each has a "data" object with the values the labeling config's "$text"
# reads, and optionally "predictions", each with a "result" list whose items name the
# control ("from_name") and object ("to_name") of the config, the control's "type", and for
# "choices" a "value" of {"choices": [...]}. Result ids must differ across results.
TASKS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "object",
                "required": ["text"],
                "properties": {"text": {"type": "string"}},
            },
            "predictions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["result"],
                    "properties": {
                        "model_version": {"type": "string"},
                        "score": {"type": "number"},
                        "result": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["id", "from_name", "to_name", "type", "value"],
                                "properties": {
                                    "id": {"type": "string"},
                                    "from_name": {"type": "string"},
                                    "to_name": {"type": "string"},
                                    "type": {"const": "choices"},
                                    "value": {
                                        "type": "object",
                                        "required": ["choices"],
                                        "properties": {
                                            "choices": {
                                                "type": "array",
                                                "items": {"type": "string"},
                                                "minItems": 1,
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}

MARKUP = '<b>"bold"</b> & co'


def _config(names: list[str]) -> ElementTree.Element:
    return ElementTree.fromstring(label_studio_config(names))


def test_tasks_follow_the_documented_format_and_fit_the_config() -> None:
    texts = ["I lost my card", "Where is my refund?", "Hello =1+2"]
    tags = [["card", "lost"], [], ["greeting", MARKUP]]
    tasks = json.loads(export_label_studio(texts, tags))
    jsonschema.validate(tasks, TASKS_SCHEMA)

    assert [task["data"]["text"] for task in tasks] == texts
    assert [task["data"]["row_id"] for task in tasks] == [0, 1, 2]
    assert "predictions" not in tasks[1]
    chosen = [task["predictions"][0]["result"][0]["value"]["choices"] for task in tasks[::2]]
    assert chosen == [["card", "lost"], ["greeting", MARKUP]]
    results = [r for task in tasks for p in task.get("predictions", []) for r in p["result"]]
    assert len({result["id"] for result in results}) == len(results)

    view = _config(["card", "lost", "greeting", MARKUP])
    text = view.find("Text")
    choices = view.find("Choices")
    assert text is not None and choices is not None
    assert text.get("value") == "$" + text.get("name", "") and "text" in tasks[0]["data"]
    assert choices.get("toName") == text.get("name") and choices.get("choice") == "multiple"
    options = {choice.get("value") for choice in choices.findall("Choice")}
    for result in results:
        assert result["from_name"] == choices.get("name")
        assert result["to_name"] == text.get("name")
        assert set(result["value"]["choices"]) <= options


def test_a_tag_with_markup_stays_plain_text_in_both_files() -> None:
    config = label_studio_config([MARKUP, "a\nb"])
    assert "<b>" not in config
    values = [choice.get("value") for choice in ElementTree.fromstring(config).iter("Choice")]
    assert values == [MARKUP, "a\nb"]
    tasks = json.loads(export_label_studio(["x"], [[MARKUP]]))
    assert tasks[0]["predictions"][0]["result"][0]["value"]["choices"] == [MARKUP]


def test_a_workspace_s_tags_go_out_with_their_rows(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    frame = pd.DataFrame({"text": [f"row {i}" for i in range(6)]})
    dataset = workspace.create_dataset(frame, "text", "six").id
    tags = workspace.tags(dataset)
    tags.tag([1, 4], "refund")
    tags.tag([4], "angry")
    kept = [1, 3, 4]
    per_row = Workspace(tmp_path).tags(dataset).tags_of_rows()
    out = json.loads(
        export_label_studio(
            [workspace.texts(dataset)[row] for row in kept],
            [per_row[row] for row in kept],
            row_ids=kept,
        )
    )
    jsonschema.validate(out, TASKS_SCHEMA)
    assert [(task["data"]["row_id"], task["data"]["text"]) for task in out] == [
        (1, "row 1"),
        (3, "row 3"),
        (4, "row 4"),
    ]
    assert out[2]["predictions"][0]["result"][0]["value"]["choices"] == ["angry", "refund"]
    options = [c.get("value") for c in _config(tags.names()).iter("Choice")]
    assert options == ["angry", "refund"]


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(InputError, match="2 texts, 1 lists of tags"):
        export_label_studio(["a", "b"], [["x"]])


def test_a_config_without_tags_is_refused_as_label_studio_refuses_it() -> None:
    with pytest.raises(InputError, match="no tags to offer"):
        label_studio_config([])
