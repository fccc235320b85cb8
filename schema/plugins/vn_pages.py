"""Datasette plugin: the analyst pages (templates in schema/templates/, CSS in schema/static/).

- extra_template_vars: the landing page's figures and charts (index and database pages), the
  article reading page and the event page (row pages), the columns a list leaves out and the
  names of coded facet values (table pages).
- render_cell: names link to their rows (activities view), counts read as written
  ("hơn 100 đại biểu").
- extra_css_urls: schema/static/analyst.css on every page.
"""
from __future__ import annotations

import json
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_decode
from markupsafe import Markup, escape

from schema.datasette import PAGES_PLUGIN, STATIC_MOUNT
from schema.pages import article_page, event_page, landing, participants_text, row_url
from schema.views import ACTIVITIES

# Cells of the activities view that link to a row: column -> (table, column holding its key).
_LINKED_CELLS = {"event": ("events", "event"), "article": ("articles", "article_id"),
                 "province": ("places", "province_code"), "district": ("places", "district_code"),
                 "programme": ("programmes", "programme_id")}
_COUNT_CELLS = {(ACTIVITIES.name, "participants"), ("events", "participant_total")}


def _get(row: Any, column: str) -> Any:
    """A column of a result row, None when the page did not select it (`?_nocol=`)."""
    try:
        return row[column]
    except (KeyError, IndexError):
        return None


async def _landing_database(datasette: Any, database: str | None) -> str | None:
    """The database the landing page describes: this one, or on the index the first with the view."""
    names = [database] if database else [name for name in datasette.databases if name != "_internal"]
    for name in names:
        if ACTIVITIES.name in await datasette.get_database(name).view_names():
            return name
    return None


def _facet_namer(datasette: Any, database: str, table: str):
    """For the template: facet -> (title, {value: name}) for the facets configured in facet_names."""
    config = (datasette.plugin_config(PAGES_PLUGIN) or {}).get("facet_names", {}).get(table, {})

    async def names(facet_info: dict) -> tuple[str, dict]:
        spec = config.get(facet_info["name"])
        values = [result["value"] for result in facet_info["results"] if result["value"] is not None]
        if not spec or not values:
            return facet_info["name"], {}
        found = await datasette.get_database(database).execute(
            f"select [{spec['key']}], [{spec['name']}] from [{spec['table']}] "
            f"where [{spec['key']}] in (select value from json_each(:values))", {"values": json.dumps(values)})
        return spec["title"], {key: name for key, name in found.rows if name}
    return names


def _hidden_columns(datasette: Any, database: str, table: str, request: Any) -> list[str]:
    if request is not None and request.args.get("_columns") == "all":
        return []
    config = datasette.plugin_config(PAGES_PLUGIN) or {}
    return list(config.get("hidden_columns", {}).get(table, []))


@hookimpl
def extra_template_vars(template: str, database: str | None, table: str | None, view_name: str,
                        request: Any, datasette: Any):
    """Data for our templates; computed only for the pages that show it."""
    async def inner() -> dict:
        if view_name in ("index", "database"):
            name = await _landing_database(datasette, database)
            return {"landing": await landing(datasette, name) if name else None}
        if view_name == "table" and database and table:
            return {"hidden_columns": _hidden_columns(datasette, database, table, request),
                    "facet_names": _facet_namer(datasette, database, table)}
        if view_name == "row" and request is not None and table in ("articles", "events"):
            key = tilde_decode(request.url_vars.get("pks", ""))
            if request.args.get("_columns") == "all":
                return {}
            if table == "articles":
                return {"reading": await article_page(datasette, database, key)}
            return {"event_page": await event_page(datasette, database, key)}
        return {}
    return inner


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any):
    """Readable cells: linked names in the activities view, counts with their qualifier and unit."""
    if (table, column) in _COUNT_CELLS and isinstance(value, int):
        return participants_text(value, _get(row, "participant_qualifier"), _get(row, "participant_unit"))
    if table != ACTIVITIES.name or column not in _LINKED_CELLS or value in (None, ""):
        return None
    other_table, key_column = _LINKED_CELLS[column]
    key = _get(row, key_column)
    if key is None:
        return None
    label = f"#{value}" if column == "event" else value
    return Markup(f'<a href="{escape(row_url(datasette, database, other_table, key))}">{escape(label)}</a>')


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    """The analyst pages' stylesheet."""
    return [datasette.urls.path(f"/{STATIC_MOUNT}/analyst.css")]
