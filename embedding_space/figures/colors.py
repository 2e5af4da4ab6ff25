"""One colour for each category, wherever it is drawn: the map and its legend, the density
image of a large map, the heatmap's label strip, the maps of the other pages.

A category's colour follows its place in its column's order of values (:func:`category_order`),
never the rows on screen nor the names: a sample, a selection or a subset of the rows gives
every category the colour the whole column gives it, and clusters, ordered by their id
(:func:`cluster_categories`), keep their colours when renamed.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from plotly.colors import qualitative

from embedding_space.analysis.clustering import NOISE, Clustering

__all__ = [
    "GREY",
    "MAX_LEGEND_CATEGORIES",
    "PALETTE",
    "category_colors",
    "category_names",
    "category_order",
    "category_palette",
    "cluster_categories",
    "fixed_categories",
]

PALETTE: tuple[str, ...] = tuple(
    dict.fromkeys(
        qualitative.D3
        + qualitative.Dark24
        + qualitative.Light24
        + qualitative.Alphabet
        + qualitative.Set3
    )
)
GREY = "#b0b0b0"
"""The colour of rows in no category: HDBSCAN's noise, the rare categories drawn together."""
MAX_LEGEND_CATEGORIES = 96
"""Beyond this many categories the rarest are drawn together as "(other)"."""
OTHER = "(other)"
MISSING = "(missing)"
_GREYED = (OTHER, "noise")


def category_names(values: pd.Series) -> npt.NDArray[np.object_]:
    """Each row's category as text, shape ``(n,)``; a missing value is "(missing)"."""
    return values.astype("string").fillna(MISSING).to_numpy(dtype=object)


def category_order(values: pd.Series) -> list[str]:
    """A column's categories in the order their colours are given: a categorical column's
    own order (the clusters by id), numbers from low to high, else text ignoring case;
    "(missing)" last."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        names = pd.Series(values.cat.categories).astype("string").tolist()
    else:
        present = values.dropna().drop_duplicates()
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if numeric:
            names = present.sort_values().astype("string").tolist()
        else:
            names = sorted(set(present.astype("string")), key=lambda name: (name.casefold(), name))
    if values.isna().any():
        names.append(MISSING)
    return list(dict.fromkeys(str(name) for name in names))


def category_palette(values: pd.Series) -> dict[str, str]:
    """Every category of a column (:func:`category_order`) and its colour: the palette in
    that order, grey for "noise"."""
    return {
        name: GREY if name in _GREYED else PALETTE[index % len(PALETTE)]
        for index, name in enumerate(category_order(values))
    }


def category_colors(values: pd.Series) -> tuple[npt.NDArray[np.object_], dict[str, str]]:
    """Each row's category as the legend names it, and each category drawn with its colour
    (:func:`category_palette`), in the column's order.

    Missing values become "(missing)"; beyond :data:`MAX_LEGEND_CATEGORIES` the rarest are
    drawn together as "(other)", grey like "noise".
    """
    names = category_names(values)
    palette = category_palette(values)
    counts = pd.Series(names).value_counts()
    if len(counts) > MAX_LEGEND_CATEGORIES:
        shown = list(counts.index[:MAX_LEGEND_CATEGORIES])
        names = np.where(np.isin(names, shown), names, OTHER)
    present = set(names.tolist())
    colors = {name: palette.get(name, GREY) for name in [*palette, OTHER] if name in present}
    return names, colors


def fixed_categories(values: pd.Series) -> pd.Series:
    """The column as categories in its own order, so that any part of it (a sample, a
    selection) colours each category as the whole column does."""
    categories = pd.Categorical(category_names(values), categories=category_order(values))
    return pd.Series(categories, index=values.index)


def cluster_categories(clustering: Clustering) -> pd.Series:
    """Each row's cluster name, as categories ordered by cluster id ("noise" last): a
    cluster's colour is its id's, whatever it is called."""
    ids = sorted(clustering.sizes())
    order = [clustering.name_of(i) for i in ids if i != NOISE]
    if NOISE in ids:
        order.append(clustering.name_of(NOISE))
    names = clustering.row_names()
    return pd.Series(pd.Categorical(names, categories=list(dict.fromkeys(order))))
