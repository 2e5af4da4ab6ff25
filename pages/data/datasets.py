"""Data: upload a file or paste texts, pick the columns, embed; add rows to a dataset; manage
the workspace."""

import streamlit as st

from components import state
from components.add_rows import add_rows_flow
from components.current import show_flash
from components.data_tabs import paste_flow, upload_flow, vectors_flow, workspace_flow
from components.embedding import progress_area
from components.markdown import safe

st.title("Data")
show_flash()
st.caption(
    f"New texts are embedded with **{safe(state.model_name())}** (change it in the sidebar). "
    "Everything is kept in the workspace, so nothing is computed twice."
)
embedding_progress = progress_area()  # near the top, and in sight however far down the click
upload_tab, paste_tab, vectors_tab, add_tab, workspace_tab = st.tabs(
    ["Upload a file", "Paste texts", "Bring your own vectors", "Add rows", "Workspace"]
)
with upload_tab:
    upload_flow(embedding_progress)
with paste_tab:
    paste_flow(embedding_progress)
with vectors_tab:
    vectors_flow()
with add_tab:
    add_rows_flow()
with workspace_tab:
    workspace_flow()
