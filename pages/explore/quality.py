"""Quality: rows that sit apart from the rest, rows that say the same thing twice, rows whose
label looks wrong, and whether a batch of rows drifted from those before it."""

import streamlit as st

from components.current import open_current
from components.drift_panel import drift_panel
from components.label_issues_panel import label_issues_panel
from components.page_layout import compact_page
from components.quality_panels import duplicates_panel, outliers_panel

compact_page()
current = open_current("Outliers and duplicates", with_projection=False)
if len(current.texts) < 2:
    st.info("One row has nothing to stand apart from, and nothing to repeat.")
    st.stop()
outliers_tab, duplicates_tab, labels_tab, drift_tab = st.tabs(
    ["Outliers", "Near-duplicates", "Label issues", "Drift"]
)
with outliers_tab:
    outliers_panel(current)
with duplicates_tab:
    duplicates_panel(current)
with labels_tab:
    label_issues_panel(current)
with drift_tab:
    drift_panel(current)
