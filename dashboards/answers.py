"""Callback answers written as JSON: orjson for plain data, Plotly's own encoder for the rest.

A figure's answer is plain data (its figure, its table as Dash's JSON, a link): orjson writes
the table of every school in 0.7 ms where Plotly's `json` engine takes 6 (bench/dashboards.py).
An answer that holds Dash components (the page itself) goes to Plotly's `json` engine as it
always has: its `orjson` engine would first walk every component in Python, slower than before.
"""

from __future__ import annotations

from typing import Any

import orjson
import plotly.io as pio
from plotly.io.json import to_json_plotly

# What Plotly escapes in its JSON, so that the text is safe even inside an HTML page.
_UNSAFE = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("/", "\\u002f"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def to_json(value: Any) -> str:
    """`value` as JSON text, as Dash's own `to_json` would write it."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # a Dash component, a Decimal: not plain data
        return to_json_plotly(value, engine="json")
    for unsafe, safe in _UNSAFE:
        if unsafe in text:
            text = text.replace(unsafe, safe)
    return text


def install() -> None:
    """Dash's callback answers through `to_json`; everything else Plotly writes (the layout,
    the callback map) keeps its `json` engine, whatever else is installed."""
    import dash._callback

    pio.json.config.default_engine = "json"
    dash._callback.to_json = to_json  # looked up there for every answer (dash 4)
