"""Row ids as compact ranges, as links and stored selections carry them."""

from __future__ import annotations

import pytest

from embedding_space.rows import MAX_DECODED_ROWS, decode_rows, encode_rows


@pytest.mark.parametrize("rows", [[], [0], [1, 2, 3], [5, 9, 10, 11, 30]])
def test_row_ranges_round_trip(rows: list[int]) -> None:
    assert decode_rows(encode_rows(rows)) == rows


def test_neighbouring_rows_are_written_as_one_range() -> None:
    assert encode_rows([7, 1, 2, 3, 3]) == "1-3.7"
    assert len(encode_rows(range(100_000))) == len("0-99999")


def test_a_malformed_selection_in_a_link_selects_nothing() -> None:
    assert decode_rows("3-x.<script>") == []


def test_a_hand_edited_selection_is_clipped_to_the_dataset_before_it_is_expanded() -> None:
    assert decode_rows("0-2000000000", row_count=5) == [0, 1, 2, 3, 4]
    assert len(decode_rows("0-2000000000")) == MAX_DECODED_ROWS
    assert decode_rows("9-3") == []
