"""Compare: two embeddings of the same rows, point by point in their own full spaces."""

import streamlit as st

from components import state
from components.compare_panels import (
    choose_pair,
    compared_rows,
    comparison,
    disagreeing_rows,
    embeddings_table,
    label_column_picker,
    linked_maps,
    lsa_components,
    selection_note,
    stored_embeddings,
    summary_table,
)
from components.current import open_current
from components.markdown import safe
from components.page_layout import compact_page
from components.settings import setting_input
from embedding_space.errors import InputError
from embedding_space.figures.charts import agreement_histogram

compact_page()
current = open_current("Compare embeddings", with_projection=False)
st.caption(
    "Which model represents this data better? Every embedding of the dataset is kept; choose "
    "two, and see where their neighbourhoods agree."
)
stored = stored_embeddings(current)
with st.expander("Embeddings of this dataset", expanded=False):
    embeddings_table(stored)
pair = choose_pair(current, stored)
if pair is None:
    st.stop()
top = st.columns([1, 2, 3])
k = int(setting_input(top[0], state.COMPARE_K))
with top[1]:
    label_column = label_column_picker(current)
try:
    result = comparison(pair, k, label_column)
except InputError as error:
    st.error(safe(error))
    st.stop()
summary_table(result, pair)
st.plotly_chart(agreement_histogram(result), width="stretch")
linked_maps(current, pair, result)
lsa_components(current, pair)
rows = compared_rows(current)
selection_note(current, rows)
st.subheader("Where the two spaces disagree most", anchor=False)
if rows is None:
    st.caption("✓ marks a neighbour both models name.")
elif rows:
    st.caption(f"Among the {len(rows):,} rows taken · ✓ marks a neighbour both models name.")
else:
    st.info("No selected row passes the filters.")
disagreeing_rows(current, pair, result, rows)
