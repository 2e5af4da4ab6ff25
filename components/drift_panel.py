"""Drift: whether one group of rows differs from another in the full space (a batch against
the batches before it, some values of a column against others, the rows after a date against
those before), which of its rows are least like the reference, and where its share of each
region went."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from components import cached, state
from components.current import OpenDataset
from components.markdown import plain_markdown, safe
from components.settings import setting_input
from components.tables import RowImages, text_table
from embedding_space.analysis.drift import DriftReport, measure_drift
from embedding_space.analysis.drift_groups import (
    Periods,
    RowGroups,
    date_periods,
    groups_by_date,
    groups_by_values,
    in_order,
    value_periods,
    with_earlier,
)
from embedding_space.errors import InputError
from embedding_space.figures.colors import OTHER
from embedding_space.figures.drift import cluster_share_chart
from embedding_space.figures.drift_map import add_density_difference, density_difference
from embedding_space.figures.layers import Highlight
from embedding_space.figures.map import map_figure
from embedding_space.store.batches import BATCH_COLUMN

_BY_BATCH, _BY_VALUES, _BY_DATE = "a batch", "values of a column", "a date"
_EXAMPLE_CHARS = 90
_DENSITY, _PERIODS = "where the density changed", "one period at a time"
_MAP_HEIGHT = 560
_NOVEL_MARK = "#111111"


@dataclass(frozen=True)
class _Tested:
    """The groups of the last test run on this dataset, and its report."""

    groups: tuple[tuple[int, ...], tuple[int, ...]]
    report: DriftReport


def _key(dataset_id: str, part: str) -> str:
    return state.widget_key("drift", part, dataset_id)


def drift_panel(current: OpenDataset) -> None:
    """Choose the two groups; on *Test for drift*, the verdict, the novel rows and the shift
    of shares between the reference's regions."""
    dataset_id = current.info.id
    try:
        groups, periods = _chosen_groups(current)
    except InputError as error:
        st.info(safe(error))
        return
    if groups is None:
        return
    st.caption(
        f"Reference: **{plain_markdown(groups.reference_name, 80)}** "
        f"({len(groups.reference):,} rows) · batch: **{plain_markdown(groups.batch_name, 80)}** "
        f"({len(groups.batch):,} rows). Tested in the full space, not on the map."
    )
    tested_key = _key(dataset_id, "tested")
    chosen = (tuple(groups.reference.tolist()), tuple(groups.batch.tolist()))
    if st.button("Test for drift", type="primary", key=_key(dataset_id, "run")):
        with st.spinner("Testing…"):
            report = _drift(current, groups)
        state.put(tested_key, _Tested(chosen, report))
    tested = state.value(tested_key)
    if not isinstance(tested, _Tested) or tested.groups != chosen:
        return
    _report(current, groups, tested.report)
    _on_the_map(current, groups, tested.report, periods)


def _chosen_groups(current: OpenDataset) -> tuple[RowGroups | None, Periods | None]:
    """The reference and the batch as chosen on screen (``None`` while a choice is missing),
    and the periods their rows fall in when they are batches or dates."""
    dataset_id = current.info.id
    table = cached.filter_table(dataset_id)
    categorical = [name for name, kind in table.kinds.items() if kind == "categorical"]
    dated = [name for name, kind in table.kinds.items() if kind == "datetime"]
    has_batches = (
        BATCH_COLUMN in categorical and current.frame[BATCH_COLUMN].dropna().nunique() >= 2
    )
    ways = [_BY_BATCH] * has_batches + [_BY_VALUES] * bool(categorical) + [_BY_DATE] * bool(dated)
    if not ways:
        st.info(
            "Drift compares two groups of rows: add a batch of rows on the Data page, or "
            "bring a dataset with a column of categories or of dates."
        )
        return None, None
    way = st.radio("Compare", ways, horizontal=True, key=_key(dataset_id, "way"))
    if way == _BY_BATCH:
        later = in_order(current.frame[BATCH_COLUMN])[1:]
        batch = st.selectbox(
            "Batch",
            later,
            index=len(later) - 1,
            key=_key(dataset_id, "batch"),
            help="Compared with every batch added before it.",
        )
        earlier, chosen = with_earlier(current.frame[BATCH_COLUMN], str(batch))
        groups = groups_by_values(current.frame, BATCH_COLUMN, earlier, chosen)
        return groups, value_periods(current.frame[BATCH_COLUMN])
    if way == _BY_VALUES:
        left, middle, right = st.columns([1, 2, 2])
        column = str(left.selectbox("Column", categorical, key=_key(dataset_id, "column")))
        values = [str(value) for value in table.categories(column).names]
        reference = middle.multiselect(
            "Reference values", values, default=values[:1], key=_key(dataset_id, f"ref:{column}")
        )
        batch_values = right.multiselect(
            "Batch values",
            values,
            default=values[1:2],
            key=_key(dataset_id, f"batch:{column}"),
        )
        if not reference or not batch_values:
            st.caption("Pick at least one value for each group.")
            return None, None
        return groups_by_values(current.frame, column, reference, batch_values), None
    left, right = st.columns(2)
    column = str(left.selectbox("Date column", dated, key=_key(dataset_id, "date_column")))
    times = pd.Series(table.times(column))
    middle = times.dropna().sort_values().iloc[len(times.dropna()) // 2]
    split = right.date_input(
        "Batch starts on",
        value=middle.date(),
        min_value=times.min().date(),
        max_value=times.max().date(),
        key=_key(dataset_id, f"split:{column}"),
    )
    groups = groups_by_date(times, pd.Timestamp(split), column)  # type: ignore[arg-type]
    return groups, date_periods(times)


def _drift(current: OpenDataset, groups: RowGroups) -> DriftReport:
    vectors = current.vectors
    return measure_drift(
        vectors[groups.reference],
        vectors[groups.batch],
        permutations=int(state.setting("drift_permutations", int)),
        n_clusters=int(state.setting("drift_clusters", int)),
    )


def _report(current: OpenDataset, groups: RowGroups, report: DriftReport) -> None:
    verdict = report.verdict()
    sentence = (
        f"**{verdict[0].upper()}{verdict[1:]}.** "
        f"MMD {report.mmd:.3f} on {sum(report.tested_rows):,} rows, "
        f"{report.permutations:,} permutations."
    )
    (st.warning if report.drifted else st.success)(sentence)
    _novel_rows(current, groups, report)
    _shares(current, groups, report)


def _novel_rows(current: OpenDataset, groups: RowGroups, report: DriftReport) -> None:
    heading, count = st.columns([4, 1], vertical_alignment="bottom")
    heading.markdown("**Rows least like the reference**")
    top = int(setting_input(count, "drift_top", high=len(groups.batch)))
    novel = report.top_novel(top)
    rows = [int(groups.batch[item.row]) for item in novel]
    texts = current.texts
    nearest = [int(groups.reference[item.nearest]) for item in novel]
    text_table(
        pd.DataFrame(
            {
                "row": rows,
                "distance": [round(item.distance, 3) for item in novel],
                "text": [texts[row] for row in rows],
                "nearest in the reference": [texts[row] for row in nearest],
            }
        ),
        rows_shown=6,
        images=RowImages(current.info.id, rows, beside={"nearest in the reference": nearest}),
    )
    if st.button(
        f"Select these {len(rows):,} rows on the map",
        icon=":material/select:",
        key=_key(current.info.id, "select"),
    ):
        state.set_selection(current.info.id, rows)
        st.toast(f"Selected {len(rows):,} rows: the Map shows them marked.")


def _shares(current: OpenDataset, groups: RowGroups, report: DriftReport) -> None:
    st.markdown("**Where the batch went**")
    texts = current.texts
    names = [texts[int(groups.reference[share.example])] for share in report.clusters]
    st.plotly_chart(
        cluster_share_chart(
            report.clusters,
            names,
            reference_name=groups.reference_name,
            batch_name=groups.batch_name,
        ),
        key=_key(current.info.id, "shares"),
        config={"displayModeBar": False},
    )
    emptied = [share for share in report.clusters if share.emptied]
    regions = f"{len(report.clusters)} regions of the reference (KMeans in the full space)"
    if emptied:
        named = "; ".join(
            f"“{plain_markdown(texts[int(groups.reference[share.example])], _EXAMPLE_CHARS)}” "
            f"({share.reference:.0%} → {share.batch:.0%})"
            for share in emptied
        )
        st.warning(f"The batch all but left {len(emptied)} of the {regions}: {named}.")
    else:
        moved = float(np.sum(np.abs([share.change for share in report.clusters]))) / 2
        st.caption(
            f"Each region is named by its most central reference text. {moved:.0%} of the "
            f"batch would have to move region for its shares to match the reference's, over "
            f"{regions}; none emptied."
        )


def _on_the_map(
    current: OpenDataset, groups: RowGroups, report: DriftReport, periods: Periods | None
) -> None:
    """The map as it stands: where the batch crowds more or less than the reference, or the
    rows of one period at a time, the others grey."""
    st.markdown("**On the map**")
    projection, computing = cached.map_of(current.space, state.projection_params())
    if computing is not None or projection.coordinates.shape[1] != 2:
        st.caption("Shown on a 2-D map once it is computed: open the Map, then come back.")
        return
    dataset_id = current.info.id
    ways = [_DENSITY] + [_PERIODS] * (periods is not None and len(periods.names) > 1)
    way = st.radio("Show", ways, horizontal=True, key=_key(dataset_id, "map_way"))
    coordinates, texts = projection.coordinates, current.texts
    hover = cached.hover_labels(dataset_id)
    if way == _PERIODS and periods is not None:
        period = st.select_slider(
            "Period", periods.names, value=periods.names[-1], key=_key(dataset_id, "period")
        )
        rows = periods.rows_of(str(period))
        shown = pd.Series(OTHER, index=range(len(texts)), dtype="string")
        shown.iloc[rows] = str(period)  # the other periods grey ("(other)"), under it
        figure = map_figure(
            coordinates,
            texts,
            revision=f"drift-{dataset_id}",
            color=shown,
            color_name="period",
            height=_MAP_HEIGHT,
            hover=hover,
        )
        st.caption(
            f"{len(rows):,} rows in {plain_markdown(str(period), 60)} in colour; the other "
            "periods grey. No point moves between periods: the map is the same one."
        )
    else:
        membership = pd.Series(pd.NA, index=range(len(texts)), dtype="string")
        membership.iloc[groups.reference] = "reference: " + groups.reference_name
        membership.iloc[groups.batch] = "batch: " + groups.batch_name
        novel = [int(groups.batch[item.row]) for item in report.top_novel(_top_shown())]
        figure = map_figure(
            coordinates,
            texts,
            revision=f"drift-{dataset_id}",
            color=membership,
            color_name="group",
            highlights=[Highlight(novel, "least like the reference", _NOVEL_MARK)],
            height=_MAP_HEIGHT,
            hover=hover,
        )
        add_density_difference(
            figure,
            density_difference(coordinates, groups.reference, groups.batch),
            reference_name=groups.reference_name,
            batch_name=groups.batch_name,
        )
        st.caption(
            "Blue where the batch crowds more than the reference, red where less (each "
            "group's share of its rows, smoothed over the map); rings on the rows least like "
            "the reference. The map shows where, the test above whether."
        )
    st.plotly_chart(figure, key=_key(dataset_id, "map"), config={"displaylogo": False})


def _top_shown() -> int:
    return int(state.setting("drift_top", int))
