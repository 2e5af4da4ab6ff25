"""The fast preview model in the app: offered by name, never the default, and always shown
with how far its neighbours agree with the bundled model's."""

from __future__ import annotations

from components import state
from embedding_space.embed.static import PREVIEW_MODEL, preview_measure
from tests.helpers import new_app, plotly_figure, plotly_values


def _captions(app: object) -> list[str]:
    return [caption.value.replace("\\", "") for caption in app.sidebar.caption]  # type: ignore[attr-defined]


def test_the_app_starts_on_minilm_and_says_nothing_of_the_preview(topics_dataset_id: str) -> None:
    app = new_app()
    app.session_state[state.DATASET_ID] = topics_dataset_id
    app.run()
    assert not app.exception
    assert app.session_state[state.MODEL_NAME] == "all-MiniLM-L6-v2"
    assert not [text for text in _captions(app) if "Fast preview" in text]
    model_box = next(box for box in app.sidebar.text_input if box.label == "Embedding model")
    assert PREVIEW_MODEL in str(model_box.help)


def test_choosing_the_preview_maps_every_row_and_states_its_agreement(
    topics_dataset_id: str,
) -> None:
    measured = preview_measure()
    assert measured is not None
    app = new_app()
    # As typing 'preview' in the sidebar files it (AppTest loses the sidebar on a second run).
    app.session_state[state.MODEL_REQUEST] = "preview"
    app.session_state[state.DATASET_ID] = topics_dataset_id
    app.run()
    assert not app.exception
    assert not [e for e in app.error], [e.value for e in app.error]
    assert app.session_state[state.MODEL_NAME] == PREVIEW_MODEL
    assert app.session_state[state.MODEL_INPUT] == PREVIEW_MODEL, "the short name is spelt out"
    notes = [text for text in _captions(app) if text.startswith("Fast preview")]
    assert len(notes) == 1
    assert f"only {100 * measured.agreement:.0f} % are also among all-MiniLM-L6-v2's" in notes[0]
    assert "measured on the BANKING77 demo" in notes[0]
    rows = {
        int(row)
        for trace in plotly_figure(app)["data"]
        for row in plotly_values(trace.get("customdata", []))
    }
    assert rows == set(range(40))
