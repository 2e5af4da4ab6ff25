"""The Embedding Space Explorer: ``streamlit run app.py``.

The router. ``st.navigation`` comes before anything that can stop the run, so every request,
a direct page address included, goes through here: page config, the session's state and the
view its link describes, then the navigation (only the sign-in screen for an anonymous
visitor when sign-in is configured, where a sign-in that has ended counts as none), the
shared sidebar, and the chosen page. On a shared server only a visitor known by now (signed
in, or holding a key) may upload. Presentation
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
if identity.multi_user():
    upload_gate.install()
if identity.may_use_app():
    page = st.navigation(routes.pages())
    if page.url_path == routes.PRESENT.url_path:
        # Presentation mode: its link names a story and a slide, not a view; no sidebar.
        links.adopt_visitor_key()
        upload_gate.admit(True)  # known now: a visitor refused a key stopped above
        routes.hide_sidebar()
    else:
        links.load_view_from_url(page.url_path)
        upload_gate.admit(True)
        routes.leave_home(page)
        sidebar.render(page.url_path)
        links.save_view_to_url(page.url_path)
    with st.sidebar:
        links.remember_visitor_key()
else:
    upload_gate.admit(False)
    page = st.navigation(routes.sign_in_pages(), position="hidden")
page.run()
