"""Widgets for tunables, built from their rows in the core's tables (``SETTINGS`` for the
analyses, ``PARAMETERS`` for the projection): the label, bounds, step, choices and help of
each are written once, there, and hold in the app as on the command line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from streamlit.delta_generator import DeltaGenerator

from components import state
from embedding_space.analysis.parameters import SETTINGS, Parameter, Value


def setting_input(
    where: DeltaGenerator,
    name: str,
    *,
    high: float | None = None,
    slider: bool = False,
    select: bool = False,
    format_func: Callable[[Any], str] = str,
    **options: Any,
) -> Value:
    """One setting's widget, bound to the session's value of the setting (see
    :func:`parameter_input`).

    A value above ``high`` (a ``k`` chosen on a larger dataset) is shown and used as ``high``
    here, and kept for the datasets that allow it.

    Args:
        where: Where to draw it (a column, the page).
        name: The setting (a key of ``SETTINGS``, also its session key).
        high: A smaller upper bound for this dataset (``k`` of a dataset of few rows).
        slider: A slider rather than a number box.
        select: A drop-down rather than radio buttons, for a choice.
        format_func: How a choice is shown.
        options: Passed on to the widget (``disabled``, ``help``…).

    Returns:
        The value in force on this page: the session's, within ``high``.
    """
    parameter = SETTINGS[name]
    binding = state.bind(name)
    chosen: Value = state.setting(name, parameter.kind)
    if high is not None and not parameter.choices and float(chosen) > high:
        chosen = parameter.kind(max(high, parameter.low or high))
        state.put(str(binding["key"]), chosen)
    parameter_input(
        where,
        parameter,
        key=str(binding["key"]),
        high=high,
        slider=slider,
        select=select,
        format_func=format_func,
        on_change=binding["on_change"],
        args=binding["args"],
        **options,
    )
    return chosen


def parameter_input(
    where: DeltaGenerator,
    parameter: Parameter,
    *,
    key: str,
    high: float | None = None,
    slider: bool = False,
    select: bool = False,
    format_func: Callable[[Any], str] = str,
    **options: Any,
) -> None:
    """A number box (or a slider) for a number, radio buttons (or a drop-down) for a choice,
    with the row's label, bounds, step and help.

    Args:
        where: Where to draw it.
        parameter: The row.
        key: The widget's key.
        high: A smaller upper bound than the row's.
        slider: A slider rather than a number box (a number box when the range is a
            single value, which a slider cannot show).
        select: A drop-down rather than radio buttons, for a choice.
        format_func: How a choice is shown.
        options: Passed on to the widget.
    """
    options.setdefault("help", parameter.help)
    if parameter.choices:
        choices = list(parameter.choices)
        if select:
            where.selectbox(parameter.label, choices, format_func=format_func, key=key, **options)
        else:
            where.radio(
                parameter.label,
                choices,
                format_func=format_func,
                horizontal=True,
                key=key,
                **options,
            )
        return
    kind = parameter.kind
    low = kind(parameter.low)
    top = kind(parameter.high if high is None else max(min(high, parameter.high or high), low))
    step = kind(parameter.step or 1)
    if slider and top > low:
        where.slider(parameter.label, low, top, step=step, key=key, **options)
    else:
        where.number_input(parameter.label, low, top, step=step, key=key, **options)
