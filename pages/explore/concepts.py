"""Concepts: vector arithmetic over the dataset, and the dataset laid out on concept axes."""

import streamlit as st

from components.concepts_panel import arithmetic_panel, axes_panel
from components.current import open_current
from components.page_layout import compact_page

compact_page()
current = open_current("Concepts")
arithmetic_tab, axes_tab = st.tabs(["Vector arithmetic", "Concept axes"])
with arithmetic_tab:
    arithmetic_panel(current)
with axes_tab:
    axes_panel(current)
