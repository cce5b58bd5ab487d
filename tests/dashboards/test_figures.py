"""The pure figure builders: a Table in, Plotly's JSON or the table's cells out."""

from __future__ import annotations

from dashboards.figures import build_figure, header, table_rows
from dashboards.pages import graph_config, labels
from portal.analytics.tables import NOT_APPLICABLE, Table

LABELS = {
    "acknowledged": "Acknowledged in time",
    "schools": "Schools",
    "reached": "Reached",
    "not_reached": "Not reached yet",
    "liaison": "Through a liaison",
    "column:liaison": "Liaison",
    "events": "Events",
}
HIDDEN, EMPTY = "fewer than 10", "Nothing to show for these filters."


def figure(
    table: Table, chart: str, x: str, y: tuple[str, ...], percent=(), language: str = "en"
) -> dict:
    return build_figure(
        table,
        chart=chart,
        x=x,
        y=y,
        percent=percent,
        labels=LABELS,
        language=language,
        hidden=HIDDEN,
        empty=EMPTY,
    )


def test_the_toolbar_cannot_send_a_chart_to_plotlys_cloud(app):
    with app.test_request_context(headers={"Accept-Language": "es"}):
        for language in ("en", "es"):
            config = graph_config(language)
            assert config["showSendToCloud"] is False
            assert config["plotlyServerURL"] == ""
            assert config["displaylogo"] is False


def test_the_liaison_column_and_the_liaison_channel_keep_their_own_names(app):
    for language, column, channel in (
        ("en", "Liaison", "Through a liaison"),
        ("es", "Enlace", "Por medio de un enlace familiar"),
    ):
        with app.test_request_context(headers={"Accept-Language": language}):
            names = labels()
            assert (header(names, "liaison"), names["liaison"]) == (column, channel)


def test_coded_values_on_a_bar_charts_axis_are_in_words():
    table = Table(("measure", "met", "total", "rate"), [("acknowledged", 3, 4, 0.75)])
    (trace,) = figure(table, "bar", "measure", ("rate",), percent=("rate",))["data"]
    assert trace["x"] == ["Acknowledged in time"]
    assert trace["y"] == [75.0]


def test_a_pie_with_a_hidden_slice_is_drawn_as_bars_that_say_so():
    table = Table(("status", "schools"), [("reached", None), ("not_reached", 13)])
    (trace,) = figure(table, "pie", "status", ("schools",))["data"]
    assert trace["type"] == "bar" and trace["orientation"] == "h"
    assert trace["y"] == ["Reached", "Not reached yet"]
    assert trace["x"] == [0, 13]  # no bar for the hidden count, never its share of a pie
    assert trace["text"] == [HIDDEN, ""]
    assert trace["hovertext"] == [f"Reached: {HIDDEN}", "Not reached yet: 13"]


def test_a_pie_with_every_count_shown_stays_a_pie():
    table = Table(("status", "schools"), [("reached", 12), ("not_reached", 13)])
    (trace,) = figure(table, "pie", "status", ("schools",))["data"]
    assert trace["type"] == "pie" and trace["values"] == [12, 13]
    assert "text" not in trace


def test_a_chart_with_nothing_in_it_says_so_instead_of_drawing_bare_axes():
    for rows in ([], [("acknowledged", 0, 0, NOT_APPLICABLE)]):
        table = Table(("measure", "met", "total", "rate"), rows)
        layout = figure(table, "bar", "measure", ("rate",))["layout"]
        assert [a["text"] for a in layout["annotations"]] == [EMPTY]
        assert layout["xaxis"]["visible"] is False and layout["yaxis"]["visible"] is False


def test_a_chart_of_hidden_counts_only_shows_them_as_hidden_not_as_empty():
    table = Table(("liaison", "events"), [("Ana Ruiz", None)])
    built = figure(table, "hbar", "liaison", ("events",))
    assert "annotations" not in built["layout"]
    assert built["data"][0]["text"] == [HIDDEN]


def test_table_cells_tell_hidden_from_not_applicable():
    table = Table(
        ("programme", "homework_rate"), [("Healthy Meals", NOT_APPLICABLE), ("ESL", None)]
    )
    rows = table_rows(
        table, percent=("homework_rate",), labels=LABELS, language="en", hidden=HIDDEN
    )
    assert rows == [["Healthy Meals", "—"], ["ESL", HIDDEN]]


def test_a_column_is_named_as_a_column_even_where_a_value_has_the_same_key():
    assert header(LABELS, "liaison") == "Liaison"
    assert header(LABELS, "events") == "Events"
    assert header(LABELS, "unknown_column") == "unknown_column"


def test_long_names_down_a_bar_chart_are_cut_short_on_the_axis_only():
    long = "Escuela Primaria Francisco Morazán de Westwood"
    table = Table(("school", "events"), [(long, 12), ("Goldrick", 3)])
    built = figure(table, "hbar", "school", ("events",))
    (trace,) = built["data"]
    assert trace["y"] == [long, "Goldrick"]  # the hover and the bars keep the whole name
    axis = built["layout"]["yaxis"]
    assert axis["tickvals"] == [long, "Goldrick"]
    assert axis["ticktext"] == ["Escuela Primaria Francisc…", "Goldrick"]


def test_days_and_months_along_the_bottom_read_as_the_viewers_language_writes_them():
    from datetime import date

    months = Table(("period_start", "cases"), [(date(2026, 8, 1), 3), (date(2026, 9, 1), 5)])
    weeks = Table(("period_start", "cases"), [(date(2026, 8, 3), 3), (date(2026, 8, 10), 5)])
    for language, day in (("en", "%b %-d, %Y"), ("es", "%-d %b %Y")):
        by_month = figure(months, "bar", "period_start", ("cases",), language=language)
        assert by_month["layout"]["xaxis"]["tickformat"] == "%b %Y"
        by_week = figure(weeks, "line", "period_start", ("cases",), language=language)
        assert by_week["layout"]["xaxis"]["hoverformat"] == day


def test_a_few_events_are_ticked_by_whole_numbers():
    few = figure(
        Table(("school", "events"), [("Goldrick", 1), ("Westwood", 3)]),
        "hbar",
        "school",
        ("events",),
    )
    assert few["layout"]["xaxis"]["dtick"] == 1
    many = figure(
        Table(("school", "events"), [("Goldrick", 1), ("Westwood", 300)]),
        "hbar",
        "school",
        ("events",),
    )
    assert "dtick" not in many["layout"]["xaxis"]
    rates = figure(
        Table(("measure", "rate"), [("acknowledged", 0.5)]),
        "bar",
        "measure",
        ("rate",),
        percent=("rate",),
    )
    assert "dtick" not in rates["layout"]["yaxis"]
