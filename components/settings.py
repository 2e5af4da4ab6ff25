"""Widgets for the settings of the analyses, built from their rows in the core's table
(``analysis.parameters.SETTINGS``): the label, bounds, step, choices and help of each are
written once, there, and hold in the app as on the command line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from streamlit.delta_generator import DeltaGenerator

from components import state
from embedding_space.analysis.parameters import SETTINGS, Parameter


def setting_input(
    where: DeltaGenerator,
    name: str,
    *,
    label: str | None = None,
    high: float | None = None,
    slider: bool = False,
    select: bool = False,
    horizontal: bool = True,
    format_func: Callable[[Any], str] = str,
    key: str | None = None,
    **options: Any,
) -> None:
    """One setting's widget: a number box (or a slider) for a number, radio buttons (or a
    drop-down) for a choice, bound to the session's value of the setting (or to ``key``).

    A value above ``high`` (a ``k`` chosen on a larger dataset) is brought down to it first.

    Args:
        where: Where to draw it (a column, the page).
        name: The setting (a key of ``SETTINGS``, also its session key).
        label: Another label than the table's.
        high: A smaller upper bound for this dataset (``k`` of a dataset of few rows).
        slider: A slider rather than a number box.
        select: A drop-down rather than radio buttons, for a choice.
        horizontal: Radio buttons side by side.
        format_func: How a choice is shown.
        key: A widget key of its own instead of the session's value (an input whose value
            waits for an *Apply* button).
        options: Passed on to the widget (``disabled``, ``help``…).
    """
    parameter = SETTINGS[name]
    if high is not None and key is None and state.setting(name, float) > high:
        state.put(name, parameter.kind(high))
    binding = {"key": key} if key is not None else state.bind(name)
    shown = label or parameter.label
    options.setdefault("help", parameter.help)
    if parameter.choices and select:
        where.selectbox(
            shown, list(parameter.choices), format_func=format_func, **binding, **options
        )
        return
    if parameter.choices:
        where.radio(
            shown,
            list(parameter.choices),
            format_func=format_func,
            horizontal=horizontal,
            **binding,
            **options,
        )
        return
    low, top, step = _bounds(parameter, high)
    if slider:
        where.slider(shown, low, top, step=step, **binding, **options)
    else:
        where.number_input(shown, low, top, step=step, **binding, **options)


def _bounds(parameter: Parameter, high: float | None) -> tuple[Any, Any, Any]:
    kind = parameter.kind
    top = parameter.high if high is None else min(high, parameter.high or high)
    return kind(parameter.low), kind(top), kind(parameter.step or 1)
