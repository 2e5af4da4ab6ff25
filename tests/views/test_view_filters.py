"""Filters travel in a view's link and its saved copy: any text survives the round trip,
whatever characters it holds; a bad filter is refused with one line, or left out leniently."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from embedding_space.analysis.filters import CategoryFilter, DateFilter, RangeFilter
from embedding_space.errors import InputError
from embedding_space.store.workspace import Workspace
from embedding_space.views import SavedViews, View
from tests.helpers import topics_frame

AWKWARD = ("a|b", "x~y", "*", "back\\slash", "<script>alert(1)</script>", "A & B = C?", "été 🌍")
FILTERS = (
    RangeFilter("price", 10, 50.5),
    RangeFilter("stars", None, 3),
    CategoryFilter("shop", AWKWARD, other=True),
    DateFilter("published", datetime(2024, 1, 1), datetime(2024, 3, 31, 12, 30)),
    CategoryFilter("odd & name|~=?#", ("ok",)),
)


def test_every_filter_survives_the_link_whatever_its_text_holds() -> None:
    view = View("d1", filters=FILTERS)

    link = view.link()

    assert View.from_link(link) == view
    assert View.from_link("https://example.org/app" + link).filters == view.filters
    query = dict(parse_qsl(urlsplit(link).query))
    assert query["f.price"] == "10~50.5"
    assert query["f.stars"] == "~3"
    assert query["f.published"] == "2024-01-01~2024-03-31T12:30:00"
    assert query["f.shop"].split("|")[:2] == ["a\\", "b"]  # the | in a category is escaped
    assert "<" not in link and "&shop" not in link and " " not in link


def test_the_brief_vocabulary_reads_as_typed() -> None:
    link = "/map?dataset=d&f.price=10~50&f.category=a|b&f.published=2024-01-01~2024-03-31"

    view = View.from_link(link)

    assert view.filters == (
        CategoryFilter("category", ("a", "b")),
        RangeFilter("price", 10.0, 50.0),
        DateFilter("published", datetime(2024, 1, 1), datetime(2024, 3, 31)),
    )


def test_a_single_category_with_an_escaped_tilde_is_not_a_range() -> None:
    view = View("d", filters=(CategoryFilter("c", ("10~50",)),))

    assert View.from_link(view.link()).filters == (CategoryFilter("c", ("10~50",)),)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("f.p=5~1", "f.p must be low~high, start~end or categories joined by |, not '5~1'."),
        ("f.p=1~2~3", "f.p must be low~high"),
        ("f.p=a~b", "f.p must be low~high"),
        ("f.p=~", "f.p must be low~high"),
        ("f.p=a|b~c", "f.p must be low~high"),
        ("f.p=trailing\\", "f.p must be low~high"),
        ("f.d=2024-01-01T00:00:00%2B02:00~", "must be naive"),
        ("f.c=" + "|".join(str(i) for i in range(51)), "at most 50 categories"),
    ],
)
def test_a_bad_filter_is_refused_with_one_line(query: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        View.from_link(f"/map?dataset=d&{query}")

    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_at_most_eight_filters_and_one_per_column() -> None:
    nine = "&".join(f"f.c{i}=x" for i in range(9))
    with pytest.raises(InputError, match="at most 8 filters"):
        View.from_link(f"/map?dataset=d&{nine}")
    with pytest.raises(InputError, match="one filter per column"):
        View("d", filters=(RangeFilter("p", 1, 2), RangeFilter("p", 3, 4)))
    lenient = View.from_query(
        {"dataset": "d", **{f"f.c{i}": "x" for i in range(9)}, "f.bad": "5~1"}, strict=False
    )
    assert [one.column for one in lenient.filters] == [f"c{i}" for i in range(8)]


def test_a_saved_view_keeps_its_filters_after_a_restart(tmp_path: Path) -> None:
    dataset = Workspace(tmp_path).create_dataset(topics_frame(), "text", "topics").id
    view = View(dataset, filters=FILTERS)

    SavedViews(Workspace(tmp_path).results(dataset)).save("filtered", view)

    assert SavedViews(Workspace(tmp_path).results(dataset)).get("filtered") == view
