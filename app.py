"""The Embedding Space Explorer: ``streamlit run app.py``.

The router: page config, the pages (every script in ``pages/`` is registered here), the shared
sidebar, then the chosen page.
"""

import streamlit as st

from components import sidebar, state

st.set_page_config(
    page_title="Embedding Space Explorer",
    page_icon=":material/scatter_plot:",
    layout="wide",
)

PAGES = {
    "Explore": [
        st.Page("pages/map.py", title="Map", icon=":material/scatter_plot:", default=True),
        st.Page("pages/similarity.py", title="Similarity", icon=":material/grid_on:"),
        st.Page("pages/neighbors.py", title="Neighbours", icon=":material/hub:"),
    ],
    "Data": [
        st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
    ],
}

state.init_state()
state.require_sign_in()
state.load_view_from_url()
page = st.navigation(PAGES)
sidebar.render()
state.save_view_to_url()
page.run()
