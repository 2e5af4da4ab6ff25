"""Rows whose label looks wrong: each row's label checked against its neighbours' in the full
space (``Space.label_issues``), listed most suspect first, with the suggested label to accept,
a tag to put on the row, or a dismissal; corrections go to a column of their own."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import cached, state
from components.current import OpenDataset
from components.markdown import plain_markdown, safe
from components.row_images import row_lines, show_row_image
from components.settings import setting_input
from embedding_space.analysis.label_issues import LabelIssue, LabelIssues
from embedding_space.errors import InputError
from embedding_space.io.images import THUMBNAIL_PX

PAGE_ROWS = 50
"""Rows the list shows at first, and how many more each "Show more" adds."""
DEFAULT_TAG = "label issue"
NEIGHBOURS_SHOWN = 10
TEXT_CHARS = 600
NEIGHBOUR_CHARS = 200


def _key(dataset_id: str, part: str) -> str:
    return state.widget_key(state.LABEL_ISSUES, part, dataset_id)


def corrected_frame(current: OpenDataset) -> pd.DataFrame:
    """The dataset's rows with the corrected copy of each label column that has accepted
    corrections (``"category (corrected)"``, after the rest); the rows themselves when none."""
    frame = current.frame
    added = {}
    for column in cached.label_columns(current.info.id):
        corrections = current.space.corrections(column)
        if corrections.accepted() and corrections.name not in frame.columns:
            added[corrections.name] = corrections.corrected(frame[column])
    return frame.assign(**added) if added else frame


def label_issues_panel(current: OpenDataset) -> None:
    """Pick the label column and ``k``; the rows whose label looks wrong, most suspect first,
    each with Accept, Dismiss and Tag; Undo for the corrections."""
    dataset_id = current.info.id
    columns = cached.label_columns(dataset_id)
    if not columns:
        st.caption(
            "Checking labels needs a column of labels (2 to 200 distinct values besides the "
            "text); this dataset has none."
        )
        return
    left, middle, right = st.columns([2, 1, 2])
    column = left.selectbox("Label column", columns, key=_key(dataset_id, "column"))
    k = setting_input(middle, state.LABEL_K, high=max(len(current.texts) - 1, 1))
    tag_name = right.text_input(
        "Tag name", value=DEFAULT_TAG, key=_key(dataset_id, "tag"), max_chars=60
    )
    try:
        issues = cached.label_issues(current.space, str(column), int(k))
    except InputError as error:
        st.error(safe(error))
        return
    corrections = current.space.corrections(str(column))
    accepted = corrections.accepted()
    dismissed = set(corrections.dismissed())
    _summary(issues)
    toggles = st.columns(3)
    flagged_only = toggles[0].toggle(
        "Only flagged rows",
        value=True,
        key=_key(dataset_id, "flagged"),
        help="Rows confident learning counts as wrongly labelled; off: every row checked.",
    )
    show_dismissed = toggles[1].toggle(
        "Show dismissed rows", value=False, key=_key(dataset_id, "dismissed")
    )
    if corrections.can_undo():
        toggles[2].button(
            "Undo last correction",
            icon=":material/undo:",
            key=_key(dataset_id, "undo"),
            on_click=_undo,
            args=(current, str(column)),
        )
    if dismissed and not show_dismissed:
        st.caption(f"{_count(len(dismissed), 'dismissed row')} not listed.")
    notice = state.value(_key(dataset_id, "notice"))
    if notice:
        st.caption(safe(notice))
    if accepted:
        st.caption(
            f"{_count(len(accepted), 'label')} corrected: the column "
            f"“{plain_markdown(corrections.name, 80)}” is on the Map page's Colour by, and in "
            f"the table it exports. The original column is kept as it was."
        )
    candidates = [
        issue
        for issue in issues.top(flagged_only=flagged_only)
        if issue.row not in accepted and (show_dismissed or issue.row not in dismissed)
    ]
    if not candidates:
        more = " Turn off “Only flagged rows” to see every row checked." if flagged_only else ""
        st.caption(f"No row's label is left to look at.{more}")
        return
    shown_key = _key(dataset_id, "shown")
    asked = state.value(shown_key)
    shown = asked if isinstance(asked, int) else PAGE_ROWS
    tags = current.space.tags
    can_tag = tags is not None and tags.editable
    if tags is not None and not tags.editable:
        st.caption(
            "Only the owner of this dataset can tag its rows; your corrections and dismissals "
            "are your own and change nothing the owner sees."
        )
    for issue in candidates[:shown]:
        _issue_card(current, issues, issue, str(column), str(tag_name), can_tag, dismissed)
    if len(candidates) > shown:
        st.button(
            f"Show more ({len(candidates) - shown:,} left)",
            key=_key(dataset_id, "more"),
            on_click=state.put,
            args=(shown_key, shown + PAGE_ROWS),
        )


def _count(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _summary(issues: LabelIssues) -> None:
    unlabelled, unchecked = len(issues.unlabelled), len(issues.unchecked)
    checked = issues.rows - unlabelled - unchecked
    left_out = unlabelled + unchecked
    st.markdown(
        f"**{_count(issues.flagged_count, 'row')} flagged** of {checked:,} checked "
        f"({left_out:,} left out: {unlabelled:,} with no label, {unchecked:,} with no labelled "
        f"neighbour) · k = {issues.k}"
    )


def _issue_card(
    current: OpenDataset,
    issues: LabelIssues,
    issue: LabelIssue,
    column: str,
    tag_name: str,
    can_tag: bool,
    dismissed: set[int],
) -> None:
    dataset_id = current.info.id
    row = issue.row
    with st.container(border=True):
        marks = " · flagged" if issue.flagged else ""
        marks += " · dismissed" if row in dismissed else ""
        st.markdown(
            f"**Row {row}** · score {issue.score:.2f}{marks}  \n"
            f"{plain_markdown(issue.label, 80)} → **{plain_markdown(issue.suggested, 80)}** "
            f"(neighbours' confidence {issue.confidence:.0%})"
        )
        text = st.container(horizontal=True, wrap=False, vertical_alignment="center")
        show_row_image(dataset_id, row, where=text, width=THUMBNAIL_PX)
        text.markdown(plain_markdown(current.texts[row], TEXT_CHARS), width="stretch")
        if issue.disagreeing:
            with st.expander(f"{len(issue.disagreeing)} of {issues.k} neighbours disagree"):
                lines = [
                    (
                        near,
                        f"**{plain_markdown(issues.classes[int(issues.labels[near])], 80)}** · "
                        f"row {near}: {plain_markdown(current.texts[near], NEIGHBOUR_CHARS)}",
                    )
                    for near in issue.disagreeing[:NEIGHBOURS_SHOWN]
                ]
                row_lines(dataset_id, lines)
        buttons = st.container(horizontal=True)
        if issue.suggested != issue.label:
            buttons.button(
                f"Accept “{plain_markdown(issue.suggested, 40)}”",
                key=_key(dataset_id, f"accept-{column}-{row}"),
                icon=":material/check:",
                on_click=_accept,
                args=(current, column, row, issue.suggested),
            )
        if row not in dismissed:
            buttons.button(
                "Dismiss",
                key=_key(dataset_id, f"dismiss-{column}-{row}"),
                help="The label is right: keep it and leave the row out of the list.",
                on_click=_dismiss,
                args=(current, column, row),
            )
        if can_tag:
            buttons.button(
                "Tag",
                key=_key(dataset_id, f"tag-{column}-{row}"),
                icon=":material/sell:",
                help="Tag the row with the name above, to find it again on the map.",
                on_click=_tag,
                args=(current, row, tag_name),
            )


def _notice(current: OpenDataset, text: str) -> None:
    state.put(_key(current.info.id, "notice"), text)


def _accept(current: OpenDataset, column: str, row: int, label: str) -> None:
    try:
        current.space.corrections(column).accept(row, label)
        _notice(current, f"Row {row} corrected to “{label}”.")
    except InputError as error:
        _notice(current, str(error))


def _dismiss(current: OpenDataset, column: str, row: int) -> None:
    try:
        current.space.corrections(column).dismiss([row])
        _notice(current, f"Row {row}'s label kept, and the row dismissed.")
    except InputError as error:
        _notice(current, str(error))


def _undo(current: OpenDataset, column: str) -> None:
    undone = current.space.corrections(column).undo()
    _notice(current, "The last correction was undone." if undone else "Nothing to undo.")


def _tag(current: OpenDataset, row: int, name: str) -> None:
    tags = current.space.tags
    if tags is None:
        return
    try:
        tagged = tags.tag([row], name or DEFAULT_TAG)
        _notice(current, f"Row {row} tagged “{tagged}”.")
    except InputError as error:
        _notice(current, str(error))
