"""Pure builders: a Table and the viewer's language in, a Plotly figure or a table out.

Nothing here reads the database or the request, so each is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from typing import Any

import plotly.io as pio
from babel import Locale
from babel.numbers import (
    NumberPattern,
    get_decimal_symbol,
    get_group_symbol,
    parse_pattern,
)

from portal.analytics.tables import NOT_APPLICABLE, Table

# Okabe-Ito: colours that stay apart for people with colour-blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


# What of plotly_white these charts use: the page's look, and the three kinds of trace drawn.
TEMPLATE_LAYOUT = frozenset(
    {
        "autotypenumbers",
        "colorway",
        "font",
        "hovermode",
        "hoverlabel",
        "paper_bgcolor",
        "plot_bgcolor",
        "xaxis",
        "yaxis",
        "title",
        "annotationdefaults",
        "shapedefaults",
    }
)
TEMPLATE_TRACES = ("bar", "scatter", "pie")


@cache
def template() -> dict[str, Any]:
    """plotly_white cut to what bar, line and pie charts read, worked out once.

    The whole template (every trace type, colour scales, maps, 3-D scenes) was 7 KB of each
    figure's JSON; these parts draw the same charts. Shared by every figure, never changed.
    """
    full = pio.templates["plotly_white"].to_plotly_json()
    return {
        "data": {kind: full["data"][kind] for kind in TEMPLATE_TRACES},
        "layout": {k: v for k, v in full["layout"].items() if k in TEMPLATE_LAYOUT},
    }


# Columns whose values are codes or ids to show in words.
LABELLED = frozenset({"label", "tier", "measure", "kind", "outcome", "status", "language"})


def header(labels: dict[str, str], column: str) -> str:
    """A column's name in words. Headers have their own keys ("column:liaison"): a column and
    a coded value can share a key (the liaison who ran an event; a case that came through a
    liaison), and the value's words would otherwise name the column."""
    return labels.get(f"column:{column}") or labels.get(column, column)


def separators(language: str) -> str:
    """Plotly's decimal and thousands marks: 1,234.5 in English, 1.234,5 in Spanish."""
    return ",." if language == "es" else ".,"


def _day(value: Any) -> Any:
    """A day as the text Plotly's JSON encoder would make of it, made here: the encoder tries
    half a dozen other kinds first for each one (ten years of weeks: 1,500 of them)."""
    return value.isoformat() if isinstance(value, date) else value


def _json(values: list[Any]) -> list[Any]:
    return [_day(v) for v in values]


def _values(table: Table, column: str, percent: bool) -> list[Any]:
    """A column as drawn: hidden (None) and meaningless (NOT_APPLICABLE) values as gaps."""
    values = table.column(column)
    return [
        None if v is None or v == NOT_APPLICABLE else (v * 100 if percent else v) for v in values
    ]


def build_figure(
    table: Table,
    *,
    chart: str,
    x: str,
    y: tuple[str, ...],
    percent: tuple[str, ...],
    labels: dict[str, str],
    language: str,
    series: str | None = None,
    hidden: str = "",
    empty: str = "",
) -> dict[str, Any]:
    """A chart of `y` against `x`; suppressed values (None) are left out, not drawn as 0.

    A hidden value's bar is labelled `hidden` ("fewer than 10"); a pie with one becomes bars,
    as its shares would be of what is shown only. A chart without a single value, hidden or
    not, says `empty` instead of drawing bare axes.
    With `series`, the table is long (one row per x and series value): one trace per value.
    The figure is Plotly's JSON as plain dicts: building plotly.graph_objects, which check
    every property as it is set, took most of a callback's time (bench/dashboards.py).
    """
    if series is not None:
        return _by_series(
            table, chart=chart, x=x, y=y[0], series=series, labels=labels, language=language
        )
    traces = []
    xs = table.column(x)
    if chart == "pie" and any(v is None for c in y for v in table.column(c)):
        chart = "hbar"
    coded = chart in ("pie", "hbar") or x in LABELLED
    shown_x = [labels.get(str(v), v) for v in xs] if coded else _json(xs)
    drawn = False
    for index, column in enumerate(y):
        values, raw = _values(table, column, column in percent), table.column(column)
        drawn = drawn or any(v != NOT_APPLICABLE for v in raw)
        colour = PALETTE[index % len(PALETTE)]
        name = header(labels, column)
        bars, said = _said(shown_x, values, raw, hidden, column in percent, language)
        if chart == "line":
            trace = {"type": "scatter", "x": shown_x, "y": values, "mode": "lines+markers"}
            traces.append({**trace, "name": name, "line": {"color": colour}})
        elif chart == "hbar":
            trace = {"type": "bar", "y": shown_x, "x": bars, "orientation": "h", **said}
            traces.append({**trace, "name": name, "marker": {"color": colour}})
        elif chart == "pie":
            trace = {"type": "pie", "labels": shown_x, "values": values, "sort": False}
            traces.append({**trace, "hole": 0.4, "marker": {"colors": list(PALETTE)}})
        else:
            trace = {"type": "bar", "x": shown_x, "y": bars, **said}
            traces.append({**trace, "name": name, "marker": {"color": colour}})
    figure = _figure(traces, chart=chart, rows=len(xs), y=y, percent=percent, language=language)
    if chart == "hbar":
        _short_labels(figure["layout"]["yaxis"], shown_x)
    elif chart in ("bar", "line"):
        _date_axis(figure["layout"]["xaxis"], xs, language)
    if chart != "pie":
        _whole_ticks(figure["layout"], traces, chart)
    if not drawn and empty:
        _say_empty(figure, empty)
    return figure


LABEL_CHARS = 26  # a name down the side of a bar chart, at most: the bars need the room


def _short_labels(axis: dict[str, Any], names: list[Any]) -> None:
    """Long names (schools, programmes) cut short on the axis, whole in the hover and the
    table: on a phone, whole names left the bars some 65 pixels."""
    texts = [str(n) for n in names]
    if all(len(t) <= LABEL_CHARS for t in texts):
        return
    axis.update(
        tickmode="array",
        tickvals=texts,
        ticktext=[_cut(t) for t in texts],
    )


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _said(
    names: list[Any], drawn: list[Any], raw: list[Any], hidden: str, percent: bool, language: str
) -> tuple[list[Any], dict[str, Any]]:
    """The bars to draw, and what they say. A hidden value: no bar (length 0) but a label
    saying `hidden`, and a hover that says it too instead of 0; none hidden: nothing to add."""
    if not hidden or all(v is not None for v in raw):
        return drawn, {}
    said = [
        hidden if v is None else format_cell(v, percent=percent, language=language, hidden="")
        for v in raw
    ]
    return [0 if v is None else d for v, d in zip(raw, drawn, strict=True)], {
        "text": [hidden if v is None else "" for v in raw],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertext": [f"{name}: {text}" for name, text in zip(names, said, strict=True)],
        "hovertemplate": "%{hovertext}<extra></extra>",
    }


def _say_empty(figure: dict[str, Any], text: str) -> None:
    """Nothing to draw: the message in the middle, and no axes pretending there is a scale."""
    layout = figure["layout"]
    layout["xaxis"].update(visible=False)
    layout["yaxis"].update(visible=False)
    layout["annotations"] = [
        {
            "text": text,
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "showarrow": False,
            "font": {"size": 16},
        }
    ]


def _by_series(
    table: Table, *, chart: str, x: str, y: str, series: str, labels: dict[str, str], language: str
) -> dict[str, Any]:
    groups: dict[Any, tuple[list[Any], list[Any]]] = {}
    days = table.column(x)
    for row in table.as_dicts() if hasattr(table, "as_dicts") else []:
        xs, ys = groups.setdefault(row[series], ([], []))
        xs.append(_day(row[x]))
        ys.append(row[y])
    traces = []
    for index, (value, (xs, ys)) in enumerate(sorted(groups.items(), key=lambda g: str(g[0]))):
        colour = PALETTE[index % len(PALETTE)]
        name = labels.get(f"{series}:{value}", labels.get(str(value), str(value)))
        if chart == "line":
            trace = {"type": "scatter", "x": xs, "y": ys, "mode": "lines+markers"}
            traces.append({**trace, "name": name, "line": {"color": colour}})
        else:
            traces.append(
                {"type": "bar", "x": xs, "y": ys, "name": name, "marker": {"color": colour}}
            )
    figure = _figure(
        traces,
        chart=chart,
        rows=len(groups),
        y=(y,),
        percent=(),
        language=language,
        barmode="stack",
    )
    _date_axis(figure["layout"]["xaxis"], days, language)
    return figure


def _whole_ticks(layout: dict[str, Any], traces: list[dict[str, Any]], chart: str) -> None:
    """Counts of a few (events at a school: 1, 2, 3) are ticked by whole numbers: Plotly
    would tick them by halves, and there is no half an event."""
    side = "x" if chart == "hbar" else "y"
    values = [v for trace in traces for v in trace.get(side, []) if v is not None]
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        if max(values) <= 10:
            layout[f"{side}axis"].update(dtick=1, rangemode="tozero")


# How a day reads in each language's hover (Plotly's own pattern is English: "Sep 1, 2026").
DAY_FORMAT = {"en": "%b %-d, %Y", "es": "%-d %b %Y"}


def _date_axis(axis: dict[str, Any], values: list[Any], language: str) -> None:
    """Days along the bottom, written as the viewer's language writes them; a chart of whole
    months is labelled by month ("Sep 2026"), not by the days Plotly would pick."""
    days = [v for v in values if isinstance(v, date)]
    if not days or len(days) != len(values):
        return
    if all(d.day == 1 for d in days):
        axis.update(tickformat="%b %Y", hoverformat="%B %Y")
    else:
        axis.update(hoverformat=DAY_FORMAT.get(language, DAY_FORMAT["en"]))


def _figure(
    traces: list[dict[str, Any]],
    *,
    chart: str,
    rows: int,
    y: tuple[str, ...],
    percent: tuple[str, ...],
    language: str,
    barmode: str = "group",
) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "template": template(),
        "separators": separators(language),
        # Room at the top for Plotly's toolbar, which would otherwise cover the first bar.
        "margin": {"l": 10, "r": 10, "t": 36, "b": 10},
        # A row per name, higher when several bars share it (ratings: three per programme).
        "height": max(320, (14 + 14 * len(y)) * rows + 80) if chart == "hbar" else 360,
        "legend": {"orientation": "h", "y": -0.15},
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
        "barmode": barmode,
        "xaxis": {},
        "yaxis": {},
    }
    if chart == "hbar":
        layout["yaxis"].update(autorange="reversed", automargin=True)
    if any(column in percent for column in y):
        layout["xaxis" if chart == "hbar" else "yaxis"].update(ticksuffix=" %", rangemode="tozero")
    return {"data": traces, "layout": layout}


@dataclass(frozen=True)
class _Numbers:
    locale: Locale
    decimal: NumberPattern
    percentage: NumberPattern
    group: str
    point: str
    percent_sign: str


@cache
def _numbers(language: str) -> _Numbers:
    """The locale, its patterns and symbols, worked out once: a table of every school is
    thousands of cells, and babel's format_* parse all of them again for each
    (bench/dashboards.py)."""
    locale = Locale.parse(language)
    percentage = parse_pattern("#,##0.0%")
    point = get_decimal_symbol(locale)
    # What follows the number: "%" in English and Spanish ("" turns the short cut off).
    zero = percentage.apply(0, locale)
    after = zero[3:] if zero.startswith(f"0{point}0") else ""
    return _Numbers(
        locale, parse_pattern("#,##0.##"), percentage, get_group_symbol(locale), point, after
    )


TENTH = Decimal("0.1")


def format_cell(value: Any, *, percent: bool, language: str, hidden: str) -> str:
    """A value as the table shows it, in the viewer's locale; suppressed ones say so.

    The same text as format_decimal(value, format="#,##0.##") and format_percent(value,
    format="#,##0.0%"): whole numbers and rates (under 1,000 %) are written directly, as babel
    would write them (rounded half to even from the value's decimal form), the rest by babel.
    """
    if value is None:
        return hidden
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        numbers = _numbers(language)
        if percent:
            if 0 <= value < 9.99 and numbers.percent_sign:  # under 1,000 %: no grouping
                tenths = (Decimal(str(value)) * 100).quantize(TENTH, rounding=ROUND_HALF_EVEN)
                return f"{tenths:.1f}".replace(".", numbers.point) + numbers.percent_sign
            return numbers.percentage.apply(value, numbers.locale)
        if isinstance(value, int):
            return f"{value:,}".replace(",", numbers.group)
        return numbers.decimal.apply(value, numbers.locale)
    return str(value)


def table_rows(
    table: Table,
    *,
    percent: tuple[str, ...],
    labels: dict[str, str],
    language: str,
    hidden: str,
) -> list[list[str]]:
    """Every row of the table as the screen shows it (the same rows the chart draws)."""
    rows = []
    for row in table.rows:
        cells = []
        for column, value in zip(table.columns, row, strict=True):
            if column in LABELLED and str(value) in labels:
                value = labels[str(value)]  # coded values (tier 2, "mediation") in words
            if value == NOT_APPLICABLE:
                cells.append("—")
                continue
            cells.append(
                format_cell(value, percent=column in percent, language=language, hidden=hidden)
            )
        rows.append(cells)
    return rows
