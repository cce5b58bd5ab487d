"""The dashboards' pages: the index, and a dashboard with its filters and figures.

The page is built from the URL once (its filters come from the query string); after that, on
every filter change one callback per figure answers with that figure, its table and its CSV
link, and one more writes the filters back into the URL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from dash import ALL, MATCH, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate
from flask import abort, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from dashboards import urlstate
from dashboards.catalogue import DASHBOARDS, Dashboard, FigureSpec, visible_to
from dashboards.figures import build_figure, header, table_rows
from dashboards.shell import PREFIX
from portal.analytics.filters import Filters, Scope
from portal.analytics.tables import Table
from portal.extensions import db
from portal.i18n import current_language
from portal.schools.models import Network, School
from portal.timeutil import district_today

COLUMN_LABELS = {
    "month": _l("Month"),
    "week": _l("Week"),
    "period_start": _l("Period"),
    "registered": _l("Registered"),
    "checked_in": _l("Checked in"),
    "walk_ins": _l("Walk-ins"),
    "show_up_rate": _l("Show-up rate"),
    "new_families": _l("New families"),
    "returning_families": _l("Returning families"),
    "school": _l("School"),
    "liaison": _l("Liaison"),
    "events": _l("Events"),
    "programme": _l("Programme"),
    "answers": _l("Answers"),
    "useful": _l("Useful"),
    "facilitator": _l("Facilitator"),
    "welcome": _l("Felt welcome"),
    "participants": _l("Participants"),
    "completed": _l("Completed"),
    "completion_rate": _l("Completion rate"),
    "homework_rate": _l("Homework done"),
    "cohorts": _l("Cohorts"),
    "parents": _l("Parents registered in their cohorts"),
    # A cohort's seats shared between its facilitators: what the limit of 40 counts.
    "committed": _l("Seats they lead"),
    "status": _l("Status"),
    "schools": _l("Schools"),
    "reached": _l("Reached"),
    "not_reached": _l("Not reached yet"),
}


# Columns that hold fractions, shown as percentages wherever they appear.
PERCENT_COLUMNS = frozenset(
    {
        "show_up_rate",
        "completion_rate",
        "homework_rate",
        "resolution_rate",
        "escalation_rate",
        "rate",
    }
)


CASE_LABELS = {
    "period_start": _l("Period"),
    "tier": _l("Tier"),
    "cases": _l("Cases"),
    "label": _l("Group"),
    "day": _l("Day"),
    "open_cases": _l("Open cases"),
    "measure": _l("Measure"),
    "within_target": _l("Within target"),
    "total": _l("Total"),
    "rate": _l("Rate"),
    "calls": _l("Calls"),
    "category": _l("Category"),
    "this_month": _l("Last full month"),
    "previous_three_avg": _l("Average of the three months before"),
    "change": _l("Change"),
    "kind": _l("Kind"),
    "meetings": _l("Meetings"),
    "outcome": _l("Outcome"),
    "resolved": _l("Resolved"),
    "resolution_rate": _l("Resolution rate"),
    "escalated": _l("Escalated"),
    "escalation_rate": _l("Escalation rate"),
    "median_days": _l("Median days"),
    "p90_days": _l("90th percentile, days"),
    "acknowledged": _l("Acknowledged"),
    "first_contact": _l("First contact"),
    "intake_to_meeting": _l("Intake to meeting"),
    "intake_to_resolution": _l("Intake to resolution"),
    "en": _l("English"),
    "es": _l("Spanish"),
    "other": _l("Another language"),
    "tier:1": _l("Tier 1"),
    "tier:2": _l("Tier 2"),
    "tier:3": _l("Tier 3"),
}


def labels() -> dict[str, str]:
    """Column headers and coded values (channels, outcomes, measures) in the viewer's language.

    Built once per language and shared, read-only: translating some eighty labels again for
    every callback cost a quarter of a small figure's server time (bench/dashboards.py).
    """
    return _labels_in(current_language())


@cache
def _labels_in(language: str) -> dict[str, str]:
    # `language` is the request's own locale: the lazy strings below are read in it.
    from portal.concerns.labels import CHANNEL, MEETING_KIND, OUTCOME

    names = {key: str(value) for key, value in {**COLUMN_LABELS, **CASE_LABELS}.items()}
    for mapping in (CHANNEL, MEETING_KIND, OUTCOME):
        names.update({key.value: str(value) for key, value in mapping.items()})
    names.update({f"kind:{key.value}": str(value) for key, value in MEETING_KIND.items()})
    for tier in (1, 2, 3):
        names[str(tier)] = names[f"tier:{tier}"]
    headers = {**COLUMN_LABELS, **CASE_LABELS}
    names.update({f"column:{key}": str(value) for key, value in headers.items()})
    return names


@cache
def _plotly_spanish(path: str) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def graph_config(language: str) -> dict[str, Any]:
    """Plotly's toolbar and month names in the viewer's language, served by the portal.

    Without its "Share chart" button: Plotly shows it by default and it uploads the chart,
    children's and families' figures included, to Plotly's cloud (plotlyServerURL). Nothing
    leaves the district's servers."""
    config: dict[str, Any] = {
        "displaylogo": False,
        "responsive": True,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "plotlyServerURL": "",
        # Only the picture download: zooming and panning a few bars help no one, and each
        # button was one more stop for a keyboard, ten a chart.
        "modeBarButtonsToRemove": [
            "zoom2d",
            "pan2d",
            "select2d",
            "lasso2d",
            "zoomIn2d",
            "zoomOut2d",
            "autoScale2d",
            "resetScale2d",
            "hoverClosestCartesian",
            "hoverCompareCartesian",
            "toggleSpikelines",
            "hoverClosestPie",
        ],
    }
    if language == "es":
        path = Path(current_app.static_folder or "") / "vendor" / "plotly-locale-es.json"
        if path.exists():
            config["locale"] = "es"
            config["locales"] = {"es": _plotly_spanish(str(path))}
    return config


def render(pathname: str, search: str, user: Any) -> Any:
    slug = pathname[len(PREFIX) :].strip("/") if pathname.startswith(PREFIX) else ""
    if not slug:
        return _index(user)
    dashboard = DASHBOARDS.get(slug)
    if dashboard is None or not user.has_role(*dashboard.roles):
        return html.Div(
            [
                html.H1(_("Not found")),
                html.P(_("There is no dashboard at this address.")),
                dcc.Link(_("All dashboards"), href=PREFIX),
            ]
        )
    return _dashboard(dashboard, urlstate.parse(search, district_today()), user)


def _index(user: Any) -> html.Div:
    cards = [
        html.Li(
            [
                html.H2(dcc.Link(str(d.title), href=PREFIX + d.slug), className="h4"),
                html.P(str(d.description)),
            ],
            className="mb-3",
        )
        for d in visible_to(user)
    ]
    return html.Div(
        [
            html.H1(_("Dashboards")),
            html.P(
                _(
                    "Figures update as you change the filters; the address keeps them, so a view "
                    "can be bookmarked and shared. Every chart has a table and a CSV file."
                )
            ),
            html.Ul(cards, className="list-unstyled"),
        ]
    )


def _dom_id(name: str) -> str:
    """The element id Dash gives a component whose id is {"type": "filter", "name": name}."""
    return json.dumps({"name": name, "type": "filter"}, separators=(",", ":"), sort_keys=True)


def _control(name: str, label: str, component: Any) -> html.Div:
    """A labelled box, and under it what the box's text could not be made into (announced)."""
    return html.Div(
        [
            html.Label(label, htmlFor=_dom_id(name), className="form-label"),
            component,
            html.Div(
                id={"type": "feedback", "name": name},
                className="invalid-feedback d-block",
                role="status",
            ),
        ],
        className="col-sm-6 col-lg-3",
    )


def _every(name: str) -> str:
    """What an empty box means, agreeing with its noun in Spanish (todas las redes)."""
    return {
        "network": _("All networks"),
        "school": _("All schools"),
        "tier": _("All tiers"),
        "category": _("All categories"),
        "language": _("All languages"),
        "programme": _("All programmes"),
    }[name]


def _typeahead(name: str, label: str, names: list[str], current: str | None) -> html.Div:
    """A text box with suggestions: native, labelled, fine with hundreds of schools."""
    return _control(
        name,
        label,
        html.Div(
            [
                dcc.Input(
                    id={"type": "filter", "name": name},
                    type="search",
                    value=current or "",
                    list=f"filter-{name}-options",
                    autoComplete="off",
                    debounce=True,
                    placeholder=_every(name),
                    className="form-control",
                ),
                html.Datalist([html.Option(value=n) for n in names], id=f"filter-{name}-options"),
            ]
        ),
    )


def _choice(name: str, label: str, names: dict[Any, str], current: Any) -> html.Div:
    """A typeahead over `names` (what the filter holds -> its name), showing `current`'s."""
    return _typeahead(name, label, list(names.values()), names.get(current))


def _name(model: Any, ident: int | None) -> str | None:
    found = db.session.get(model, ident) if ident else None
    return found.name if found else None


def _language_names() -> dict[str, str]:
    return {"en": _("English"), "es": _("Spanish")}


def _tier_names() -> dict[int, str]:
    names = labels()
    return {tier: names[f"tier:{tier}"] for tier in (1, 2, 3)}


def _tiers_in_both_languages() -> list[tuple[int, str]]:
    pairs = []
    for language in ("en", "es"):
        with force_locale(language):
            pairs += [(tier, str(CASE_LABELS[f"tier:{tier}"])) for tier in (1, 2, 3)]
    return pairs


def _categories() -> list[Any]:
    from portal.knowledge.models import Category

    query = select(Category).where(Category.active).order_by(Category.sort_order, Category.id)
    return list(db.session.scalars(query))


def _programmes() -> list[Any]:
    from portal.programmes.models import Programme

    return list(db.session.scalars(select(Programme).order_by(Programme.id)))


def resolve_names(values: dict[str, Any]) -> dict[str, Any]:
    """Typed names (school, network, tier, category, programme, language) to what the
    filters hold.

    Case and accents do not matter; a name that matches nothing is no filter at all.
    """
    from portal.textclean import fold

    # Read only for a box that holds a name: most callbacks have none, and the district's
    # schools are 1,800 rows to fetch for nothing.
    choices: dict[str, Callable[[], list[tuple[Any, str]]]] = {
        "school": lambda: [(i, n) for i, n in db.session.execute(select(School.id, School.name))],
        "network": lambda: [
            (i, n) for i, n in db.session.execute(select(Network.id, Network.name))
        ],
        "programme": lambda: [(p.id, n) for p in _programmes() for n in (p.name_en, p.name_es)],
        "category": lambda: [(c.id, n) for c in _categories() for n in (c.name_en, c.name_es)],
        "tier": _tiers_in_both_languages,
        "language": lambda: [
            (code, n)
            for code, names in (("en", ("English", "Inglés")), ("es", ("Spanish", "Español")))
            for n in (*names, _language_names()[code])
        ],
    }
    resolved = dict(values)
    for key, pairs in choices.items():
        text = str(values.get(key) or "").strip()
        if not text or (key != "language" and text.isdigit()):
            continue
        wanted = fold(text)
        resolved[key] = next((ident for ident, name in pairs() if fold(name) == wanted), None)
    return resolved


def problems(values: dict[str, Any], network_id: int | None = None) -> dict[str, str]:
    """What each box holds that the filters could not use, in words, by the box's name: a
    name that matches nothing, a day that is not one, a school outside the network someone
    may see (`network_id`). The charts then show that filter as empty (every school, the
    default days), or nothing at all for another network's school; saying so beats a silent
    view of something else."""
    resolved = resolve_names(values)
    found = {}
    school = resolved.get("school")
    if network_id is not None and isinstance(school, int):
        row = db.session.execute(
            select(School.network_id, School.name).where(School.id == school)
        ).first()
        if row is not None and row.network_id != network_id:
            found["school"] = _(
                "%(school)s is not in your network: there is nothing of it to show.",
                school=row.name,
            )
    for name, text in values.items():
        text = str(text or "").strip()
        if not text or name in found:
            continue
        if name in ("start", "end"):
            if urlstate.parse_day(text) is None:
                found[name] = _(
                    "Write the date as YYYY-MM-DD, for example %(day)s.", day="2026-07-01"
                )
        elif resolved.get(name) is None:
            found[name] = _unmatched(name, text[:80])
    start, end = urlstate.parse_day(values.get("start")), urlstate.parse_day(values.get("end"))
    if start and end and end < start and "end" not in found:
        found["end"] = _("“To” is before “From”: the charts show the days between them.")
    return found


def _unmatched(name: str, text: str) -> str:
    return {
        "network": _("No network is called “%(text)s”: the charts show every network.", text=text),
        "school": _("No school is called “%(text)s”: the charts show every school.", text=text),
        "tier": _("There is no tier “%(text)s”: the charts show every tier.", text=text),
        "category": _(
            "No category is called “%(text)s”: the charts show every category.", text=text
        ),
        "language": _(
            "“%(text)s” is not one of the languages: the charts show every language.", text=text
        ),
        "programme": _(
            "No programme is called “%(text)s”: the charts show every programme.", text=text
        ),
    }[name]


def _date(name: str, label: str, value: date) -> html.Div:
    return _control(
        name,
        label,
        dcc.Input(
            id={"type": "filter", "name": name},
            # Text, not type=date: Dash 4's Input breaks on date fields (setSelectionRange).
            # No numeric keypad either: a phone's has no "-" to write 2026-07-01 with.
            type="text",
            value=value.isoformat(),
            pattern=r"\d{4}-\d{2}-\d{2}",
            placeholder=_("YYYY-MM-DD"),
            autoComplete="off",
            className="form-control",
            debounce=True,
        ),
    )


def _filters(dashboard: Dashboard, f: Filters, scope: Scope) -> html.Div:
    language = current_language()
    controls = [_date("start", _("From"), f.start), _date("end", _("To"), f.end)]
    if "network" in dashboard.filters and scope.network_id is None:
        networks = db.session.scalars(select(Network.name).order_by(Network.name))
        controls.append(
            _typeahead("network", _("Network"), list(networks), _name(Network, f.network_id))
        )
    if "school" in dashboard.filters:
        schools = select(School.name).where(School.active).order_by(School.name)
        network = scope.network(f)
        if network is not None:
            schools = schools.where(School.network_id == network)
        controls.append(
            _typeahead(
                "school", _("School"), list(db.session.scalars(schools)), _name(School, f.school_id)
            )
        )
    if "tier" in dashboard.filters:
        controls.append(_choice("tier", _("Tier"), _tier_names(), f.tier))
    if "category" in dashboard.filters:
        categories = {c.id: c.name(language) for c in _categories()}
        controls.append(_choice("category", _("Category"), categories, f.category_id))
    if "language" in dashboard.filters:
        controls.append(_choice("language", _("Language"), _language_names(), f.language))
    if "programme" in dashboard.filters:
        programmes = {p.id: p.name(language) for p in _programmes()}
        controls.append(_choice("programme", _("Programme"), programmes, f.programme_id))
    return html.Div(
        controls,
        className="row g-3 mb-4 dashboard-filters",
        role="search",
        **{"aria-label": _("Filters")},
    )


def _figure_section(spec: FigureSpec, config: dict[str, Any]) -> html.Section:
    heading = f"figure-{spec.key}-heading"
    return html.Section(
        [
            html.H2(str(spec.title), id=heading, className="h5"),
            html.P(str(spec.description), className="small text-body-secondary")
            if spec.description
            else None,
            dcc.Graph(id={"type": "graph", "figure": spec.key}, config=config),
            html.Details(
                [
                    html.Summary(
                        _("Show the numbers as a table"),
                        id={"type": "summary", "figure": spec.key},
                        n_clicks=0,
                    ),
                    html.Div(_table_pending(), id={"type": "table", "figure": spec.key}),
                ],
                className="mb-2",
            ),
            html.A(
                _("Download CSV"),
                id={"type": "csv", "figure": spec.key},
                href="#",
                className="btn btn-outline-secondary btn-sm",
                download=f"{spec.key}.csv",
            ),
        ],
        className="card card-body mb-4",
        **{"aria-labelledby": heading},
    )


def _dashboard(dashboard: Dashboard, f: Filters, user: Any) -> html.Div:
    scope = Scope.for_user(user)
    config = graph_config(current_language())
    notes = []
    if scope.suppress_small:
        notes.append(
            html.P(
                _(
                    "Counts under 10 are shown as “fewer than 10” so that no family can be "
                    "singled out."
                ),
                className="alert alert-info",
            )
        )
    if scope.network_id is not None:
        notes.append(
            html.P(_("You see the schools of your network."), className="text-body-secondary")
        )
    return html.Div(
        [
            dcc.Link(_("All dashboards"), href=PREFIX),
            html.H1(str(dashboard.title)),
            html.P(str(dashboard.description)),
            *notes,
            _filters(dashboard, f, scope),
            *[_figure_section(spec, config) for spec in dashboard.figures],
        ]
    )


def figure_table(dashboard: Dashboard, spec: FigureSpec, f: Filters, user: Any) -> Table:
    """What a figure shows for this person: their scope applied in the query itself."""
    return spec.query(f, Scope.for_user(user), current_language())


def _html(tag: str, children: Any, **props: Any) -> dict[str, Any]:
    """html.<tag>(children, **props) as the JSON Dash sends for it, written directly.

    A table of every school is thousands of cells: as Dash components, creating them and then
    turning each back into JSON cost more than the figure's query; as plain data the answer
    is written by orjson (dashboards/answers.py, bench/dashboards.py).
    """
    return {
        "type": tag,
        "namespace": "dash_html_components",
        "props": {"children": children, **props},
    }


def _table_component(
    spec: FigureSpec, table: Table, language: str, names: dict[str, str]
) -> dict[str, Any]:
    hidden = _("fewer than 10")
    head = [_html("Th", header(names, c), scope="col") for c in table.columns]
    rows = table_rows(
        table,
        percent=tuple(PERCENT_COLUMNS | set(spec.percent)),
        labels=names,
        language=language,
        hidden=hidden,
    )
    return _html(
        "Table",
        [
            _html("Caption", str(spec.title)),
            _html("Thead", _html("Tr", head)),
            _html("Tbody", [_html("Tr", [_html("Td", cell) for cell in row]) for row in rows]),
        ],
        className="table table-sm",
    )


def _table_pending() -> dict[str, Any]:
    """What a closed table holds: it is built when opened (a table of every school is
    thousands of cells to build, send and draw for a reader who may never open it)."""
    return _html("P", _("Loading the table…"), className="text-body-secondary small")


def is_open(n_clicks: int | None) -> bool:
    """A <details> opens and closes with each click (or Enter, or Space) on its summary."""
    return bool(n_clicks) and n_clicks % 2 == 1


def _chosen(
    values: list[Any], pathname: str | None, *, filters_at: int = 0
) -> tuple[Dashboard, Filters]:
    """The dashboard at this address and the filters its boxes hold, for this person.

    `filters_at`: where the filter boxes are among the callback's inputs, then its states."""
    dashboard = _dashboard_at(pathname)
    names = [item["id"]["name"] for item in (ctx.inputs_list + ctx.states_list)[filters_at]]
    chosen = resolve_names(dict(zip(names, values, strict=True)))
    return dashboard, urlstate.from_values(chosen, district_today())


def _dashboard_at(pathname: str | None) -> Dashboard:
    """The dashboard at this address, if this person may open it (else 403)."""
    dashboard = DASHBOARDS.get((pathname or "")[len(PREFIX) :].strip("/"))
    if dashboard is None:
        raise PreventUpdate
    if not current_user.has_role(*dashboard.roles):
        abort(403)
    return dashboard


def register_callbacks(dash_app: Any) -> None:
    @dash_app.callback(
        Output("url", "search"),
        Input({"type": "filter", "name": ALL}, "value"),
        State("url", "pathname"),
    )
    def keep_in_url(values: list[Any], pathname: str | None) -> str:
        return urlstate.to_search(_chosen(values, pathname)[1])

    @dash_app.callback(
        Output({"type": "feedback", "name": ALL}, "children"),
        Output({"type": "filter", "name": ALL}, "className"),
        Input({"type": "filter", "name": ALL}, "value"),
        State("url", "pathname"),
    )
    def explain(values: list[Any], pathname: str | None):  # noqa: ANN202
        _dashboard_at(pathname)  # one this person may open; problems() reads the boxes
        names = [item["id"]["name"] for item in ctx.inputs_list[0]]
        scope = Scope.for_user(current_user)
        found = problems(dict(zip(names, values, strict=True)), scope.network_id)
        return (
            [found.get(name, "") for name in names],
            ["form-control is-invalid" if name in found else "form-control" for name in names],
        )

    # One callback per figure (MATCH): the browser asks for every figure at once and the
    # server answers them side by side, each as soon as it is ready, instead of one request
    # that waits for the slowest sum of all (bench/dashboards.py). Its table only when the
    # reader has it open; opening it asks for it (the callback after this one).
    @dash_app.callback(
        Output({"type": "graph", "figure": MATCH}, "figure"),
        Output({"type": "table", "figure": MATCH}, "children"),
        Output({"type": "csv", "figure": MATCH}, "href"),
        Input({"type": "filter", "name": ALL}, "value"),
        State("url", "pathname"),
        State({"type": "summary", "figure": MATCH}, "n_clicks"),
    )
    def update(values: list[Any], pathname: str | None, n_clicks: int | None):  # noqa: ANN202
        dashboard, f = _chosen(values, pathname)
        spec = _spec(dashboard)
        language = current_language()
        names = labels()
        table = figure_table(dashboard, spec, f, current_user)
        figure = build_figure(
            table,
            chart=spec.chart,
            x=spec.x,
            y=spec.y,
            percent=spec.percent,
            labels=names,
            language=language,
            series=spec.series,
            hidden=_("fewer than 10"),
            empty=_("Nothing to show for these filters."),
        )
        link = f"{PREFIX}export/{dashboard.slug}/{spec.key}.csv{urlstate.to_search(f)}"
        if not is_open(n_clicks):
            return figure, _table_pending(), link
        return figure, _table_component(spec, table, language, names), link

    @dash_app.callback(
        Output({"type": "table", "figure": MATCH}, "children", allow_duplicate=True),
        Input({"type": "summary", "figure": MATCH}, "n_clicks"),
        State({"type": "filter", "name": ALL}, "value"),
        State("url", "pathname"),
        prevent_initial_call=True,
    )
    def open_table(n_clicks: int | None, values: list[Any], pathname: str | None):  # noqa: ANN202
        if not is_open(n_clicks):
            raise PreventUpdate  # closing it: what it shows stays until the filters change
        dashboard, f = _chosen(values, pathname, filters_at=1)
        spec = _spec(dashboard)
        names = labels()
        table = figure_table(dashboard, spec, f, current_user)
        return _table_component(spec, table, current_language(), names)


def _spec(dashboard: Dashboard) -> FigureSpec:
    """The figure whose outputs this callback writes."""
    outputs = ctx.outputs_list  # a list for several outputs, the one itself for one
    first = outputs[0] if isinstance(outputs, list) else outputs
    spec = dashboard.figure(first["id"]["figure"])
    if spec is None:
        raise PreventUpdate
    return spec
