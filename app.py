"""The Embedding Space Explorer: ``streamlit run app.py``.

The router. ``st.navigation`` comes before anything that can stop the run, so every request,
a direct page address included, goes through here: page config, the session's state and the
view its link describes, then the navigation (only the sign-in screen for an anonymous
visitor when sign-in is configured, where a sign-in that has ended counts as none and no
upload is kept), the shared sidebar, and the chosen page. Presentation
mode has no sidebar, and its link names a story rather than a view.
"""

import streamlit as st

from components import cached, identity, links, routes, sidebar, state, upload_gate

st.set_page_config(
    page_title="Embedding Space Explorer",
    page_icon=":material/scatter_plot:",
    layout="wide",
)

state.init_state()
cached.warm_up_in_background()
identity.end_ended_sign_in()
if identity.sign_in_configured():
    upload_gate.install()
    upload_gate.admit(identity.may_use_app())
if identity.may_use_app():
    page = st.navigation(routes.pages())
    if page.url_path == routes.PRESENT.url_path:
        # Presentation mode: its link names a story and a slide, not a view; no sidebar.
        links.adopt_visitor_key()
        routes.hide_sidebar()
    else:
        links.load_view_from_url(page.url_path)
        routes.leave_home(page)
        sidebar.render(page.url_path)
        links.save_view_to_url(page.url_path)
    with st.sidebar:
        links.remember_visitor_key()
else:
    page = st.navigation(routes.sign_in_pages(), position="hidden")
page.run()
