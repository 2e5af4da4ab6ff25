"""Rows and their tags as a Label Studio import: one task per row, the tags as
pre-annotations, and the labeling configuration that the tasks fit.

Label Studio imports a JSON list of tasks in its basic JSON format; a task's ``predictions``
are shown as pre-annotations for a person to review ("Import pre-annotated data into Label
Studio", https://labelstud.io/guide/predictions). Each task here is::

    {"data": {"text": "...", "row_id": 7},
     "predictions": [{"model_version": "embedding-space-tags",
                      "result": [{"id": "row-7-tags", "from_name": "tags", "to_name": "text",
                                  "type": "choices", "value": {"choices": ["refund"]}}]}]}

``from_name`` names the ``<Choices>`` control and ``to_name`` the ``<Text>`` object of
:func:`label_studio_config`, so the file imports as it is into a project with that
configuration. A row without tags has no prediction. Texts and tag names are kept as they
are in the JSON; in the XML they are escaped as attribute values.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from xml.sax.saxutils import escape

from embedding_space.errors import InputError

__all__ = [
    "LABEL_STUDIO_CHOICES",
    "LABEL_STUDIO_TEXT",
    "MODEL_VERSION",
    "export_label_studio",
    "label_studio_config",
]

LABEL_STUDIO_CHOICES = "tags"
"""The name of the ``<Choices>`` control (a result's ``from_name``)."""
LABEL_STUDIO_TEXT = "text"
"""The name of the ``<Text>`` object (a result's ``to_name``) and the task's data key."""
MODEL_VERSION = "embedding-space-tags"
"""The predictions' ``model_version``: where the pre-annotations came from."""
_ATTRIBUTE = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
"""What else :func:`xml.sax.saxutils.escape` must escape in a double-quoted attribute."""


def label_studio_config(tag_names: Sequence[str]) -> str:
    """The labeling configuration of a project the tasks of :func:`export_label_studio` fit:
    the text, and every tag as a choice (several may be chosen).

    Args:
        tag_names: Every tag that a task may name, in the order to show them.

    Returns:
        The XML, for the project's Settings > Labeling Interface > Code.

    Raises:
        InputError: No tag names: Label Studio refuses a ``<Choices>`` without a choice.
    """
    if not tag_names:
        raise InputError("There are no tags to offer as choices; tag some rows first.")
    choices = "".join(
        f'\n    <Choice value="{escape(name, _ATTRIBUTE)}"/>' for name in dict.fromkeys(tag_names)
    )
    return (
        "<View>\n"
        f'  <Text name="{LABEL_STUDIO_TEXT}" value="${LABEL_STUDIO_TEXT}"/>\n'
        f'  <Choices name="{LABEL_STUDIO_CHOICES}" toName="{LABEL_STUDIO_TEXT}" '
        f'choice="multiple" showInLine="true">{choices}\n'
        "  </Choices>\n"
        "</View>\n"
    )


def export_label_studio(
    texts: Sequence[str],
    tags: Sequence[Sequence[str]],
    *,
    row_ids: Sequence[int] | None = None,
    model_version: str = MODEL_VERSION,
) -> bytes:
    """One Label Studio task per row, its tags as a pre-annotation (see the module's notes).

    Args:
        texts: ``n`` texts.
        tags: ``n`` lists of tag names, one per row.
        row_ids: The rows' ids in the dataset (kept in each task's data as ``row_id``, so
            labels can be joined back); ``0..n-1`` when ``None``.
        model_version: The predictions' ``model_version``.

    Returns:
        The tasks as a UTF-8 JSON list, to import into a project configured with
        :func:`label_studio_config`.

    Raises:
        InputError: The texts, tags and row ids differ in number.
    """
    ids = list(range(len(texts))) if row_ids is None else [int(row) for row in row_ids]
    if not len(texts) == len(tags) == len(ids):
        raise InputError(
            f"There are {len(texts):,} texts, {len(tags):,} lists of tags and {len(ids):,} "
            "row ids; give one of each per row."
        )
    tasks: list[dict[str, object]] = []
    for text, names, row in zip(texts, tags, ids, strict=True):
        task: dict[str, object] = {"data": {LABEL_STUDIO_TEXT: str(text), "row_id": row}}
        if names:
            result = {
                "id": f"row-{row}-tags",
                "from_name": LABEL_STUDIO_CHOICES,
                "to_name": LABEL_STUDIO_TEXT,
                "type": "choices",
                "value": {"choices": list(dict.fromkeys(names))},
            }
            task["predictions"] = [{"model_version": model_version, "result": [result]}]
        tasks.append(task)
    # One task a line: a file of 100,000 rows stays readable and no larger than it must be.
    lines = ",\n".join(json.dumps(task, ensure_ascii=False) for task in tasks)
    return f"[\n{lines}\n]\n".encode()
