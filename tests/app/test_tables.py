"""The one table of texts: what it sends the browser's grid for each kind of column."""

from __future__ import annotations

import json

import pandas as pd
from streamlit.testing.v1 import AppTest

from components.tables import WRAPPED_ROW_HEIGHT, text_columns


def _sent(narrow: bool, texts: int) -> tuple[dict[str, dict[str, object]], int]:
    """The column settings and row height ``text_table`` sends for a table of a number, a short
    label and ``texts`` long texts."""

    def script(narrow: bool, texts: int) -> None:
        import pandas as pd

        from components.tables import text_table

        columns: dict[str, list[object]] = {"row": [1, 2], "label": ["card", "cash"]}
        for index in range(texts):
            columns[f"text {index}"] = ["why was my card declined at the shop today? " * 2, "ok"]
        text_table(pd.DataFrame(columns), narrow=narrow)

    app = AppTest.from_function(script, kwargs={"narrow": narrow, "texts": texts}).run()
    assert not app.exception
    proto = app.dataframe[0].proto
    return json.loads(proto.columns), proto.row_height


def test_a_text_column_gets_the_width_and_the_rest_stay_narrow() -> None:
    columns, row_height = _sent(narrow=False, texts=1)
    widths = {name: int(str(columns[name]["width"])) for name in ("row", "label", "text 0")}
    assert widths["text 0"] >= 400
    assert widths["row"] < widths["label"] < widths["text 0"]
    assert row_height == WRAPPED_ROW_HEIGHT > 64, "Streamlit wraps text only past 4 rem"


def test_two_texts_share_the_width_and_a_side_panel_gets_narrow_columns() -> None:
    two, _ = _sent(narrow=False, texts=2)
    assert two["text 0"]["width"] == two["text 1"]["width"] == 300
    narrow, _ = _sent(narrow=True, texts=1)
    assert sum(int(str(column["width"])) for column in narrow.values() if "width" in column) <= 350


def test_short_strings_and_numbers_are_not_texts() -> None:
    frame = pd.DataFrame(
        {"row": [1, 2], "label": ["card", "cash"], "text": ["a" * 41, None], "empty": [None, None]}
    )
    assert text_columns(frame) == ["text"]


def test_a_table_without_texts_keeps_single_line_rows() -> None:
    def script() -> None:
        import pandas as pd

        from components.tables import text_table

        text_table(pd.DataFrame({"row": [1, 2], "label": ["card", "cash"]}))

    app = AppTest.from_function(script).run()
    assert app.dataframe[0].proto.row_height == 0
