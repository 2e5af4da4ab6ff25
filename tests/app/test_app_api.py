"""What an agent or a notebook does through the Python API (and so the MCP server) is what
the app shows: a selection kept through the API is in the Map page's Kept tab."""

from __future__ import annotations

from components import state
from embedding_space.api import open_workspace
from tests.helpers import open_app


def test_a_selection_kept_through_the_api_is_in_the_kept_tab(topics_dataset_id: str) -> None:
    open_workspace().keep_selection(topics_dataset_id, "from the agent", [0, 1, 2])
    app = open_app(topics_dataset_id, **{state.SIDE_PANEL: True})
    kept = next(box for box in app.selectbox if box.label == "Kept selections")
    assert "from the agent (3 rows)" in kept.options
    kept.set_value("from the agent").run()
    next(button for button in app.button if button.label == "Show").click().run()
    assert not app.exception
    assert app.session_state[state.SELECTION][topics_dataset_id] == [0, 1, 2]
