"""Datasette plugin: the analyst pages (templates in schema/templates/, CSS in schema/static/).

- extra_template_vars: the landing page's figures and charts (index and database pages), the
  article reading page, the event, place and document pages (row pages), the columns a list
  leaves out and the names of coded facet values (table pages).
- render_cell: names link to their rows (activities view; a province or district filters the
  list, with its place page beside it), counts read as written ("hơn 100 đại biểu"), dates of
  publication as people read them, researchers' corrections marked on the values they changed,
  and in query results (the canned searches) event and article ids and titles link to their pages.
- register_routes and menu_links: the search page (/-/search), activities and articles at once.
- extra_css_urls: schema/static/analyst.css on every page.
"""
from __future__ import annotations

import json
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from schema.datasette import PAGES_PLUGIN, STATIC_MOUNT
from schema.pages import (article_page, column_corrected, corrections_of_column, corrections_text, document_page,
                          event_corrections, event_page, landing, participants_text, place_page, readable_time, row_url,
                          search_page)
from schema.views import ACTIVITIES

SEARCH_PATH = "/-/search"
# Cells of the activities view that link to a row: column -> (table, column holding its key).
_LINKED_CELLS = {"event": ("events", "event"), "article": ("articles", "article_id"),
                 "province": ("places", "province_code"), "district": ("places", "district_code"),
                 "programme": ("programmes", "programme_id")}
# Of those, the cells whose link filters the list (the place page is linked beside it).
_FILTERING_CELLS = {"province", "district"}
_COUNT_CELLS = {(ACTIVITIES.name, "participants"), ("events", "participant_total")}
_PUBLISHED_CELLS = {(ACTIVITIES.name, "published"), ("articles", "published"), ("article_versions", "published"),
                    (None, "published")}
# In query results (table None): column -> (table, column holding its key); the canned searches
# return these names.
_RESULT_LINKS = {"event": ("events", "event"), "article_id": ("articles", "article_id"),
                 "article": ("articles", "article_id"), "title": ("articles", "article_id")}
# Row pages told in words (`?_columns=all` gives Datasette's page of every column).
_ROW_PAGES = {"articles": ("reading", article_page), "events": ("event_page", event_page),
              "places": ("place_page", place_page), "documents": ("document_page", document_page)}


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
        if not spec:
            return facet_info["name"], {}
        values = [result["value"] for result in facet_info["results"] if result["value"] is not None]
        if not values:
            return spec["title"], {}
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
            return {"landing": await landing(datasette, name) if name else None, "search_path": SEARCH_PATH}
        if view_name == "table" and database and table:
            return {"hidden_columns": _hidden_columns(datasette, database, table, request),
                    "facet_names": _facet_namer(datasette, database, table)}
        if view_name == "row" and request is not None and table in _ROW_PAGES:
            if request.args.get("_columns") == "all":
                return {}
            name, build = _ROW_PAGES[table]
            return {name: await build(datasette, database, tilde_decode(request.url_vars.get("pks", "")))}
        return {}
    return inner


def _link(href: str, label: object, css_class: str | None = None, title: str | None = None) -> str:
    attributes = (f' class="{css_class}"' if css_class else "") + (f' title="{escape(title)}"' if title else "")
    return f'<a href="{escape(href)}"{attributes}>{escape(label)}</a>'


def _linked_cell(datasette: Any, database: str, column: str, value: Any, row: Any) -> str | None:
    """A cell of the activities view as a link (module docstring), None when it has no key."""
    other_table, key_column = _LINKED_CELLS[column]
    key = _get(row, key_column)
    if key is None:
        return None
    if column in _FILTERING_CELLS:
        filtered = f"{datasette.urls.table(database, ACTIVITIES.name)}?{key_column}={tilde_encode(str(key))}"
        return (_link(filtered, value, title=f"only the activities in {value}")
                + " " + _link(row_url(datasette, database, other_table, key), "↗", "place-link", f"{value}: place page"))
    return _link(row_url(datasette, database, other_table, key), f"#{value}" if column == "event" else value)


def _result_link(datasette: Any, database: str, column: str, value: Any, row: Any) -> str | None:
    """An id or title in query results as a link to its page, when the row holds the id."""
    other_table, key_column = _RESULT_LINKS[column]
    key = _get(row, key_column)
    if key is None or not isinstance(key, int):
        return None
    return _link(row_url(datasette, database, other_table, key), f"#{value}" if column == "event" else value)


def _base_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> str | None:
    """The cell as our pages show it before corrections are marked; None: as Datasette shows it."""
    if (table, column) in _COUNT_CELLS and isinstance(value, int):
        return str(escape(participants_text(value, _get(row, "participant_qualifier"), _get(row, "participant_unit"))))
    if (table, column) in _PUBLISHED_CELLS and isinstance(value, str):
        return f'<time datetime="{escape(value)}">{escape(readable_time(value))}</time>'
    if value in (None, ""):
        return None
    if table == ACTIVITIES.name and column in _LINKED_CELLS:
        return _linked_cell(datasette, database, column, value, row)
    if table is None and column in _RESULT_LINKS:
        return _result_link(datasette, database, column, value, row)
    return None


def _corrected_cell(shown: str, column: str, corrections: list[dict]) -> str:
    """A value a researcher corrected: marked, with the value extracted and the note."""
    notes = corrections_text(corrections, column)
    values = [str(c.get("extracted_name") or c.get("extracted_value") or "(none)") for c in corrections]
    was = values[0] if len(set(values)) == 1 else "; ".join(f"{c['label']} {v}" for c, v in zip(corrections, values))
    return (f'<span class="corrected" title="{escape(notes)}">{shown}</span>'
            f' <span class="extracted">extracted: {escape(was)}</span>')


def _corrections_cell(corrections: dict[str, dict], rejected: bool) -> str:
    """The `corrected` column: which fields a researcher changed, each with the note."""
    items = [f'<li title="{escape(c["text"])}">{escape(c["label"])}'
             + (f': <span class="note">{escape(c["note"])}</span>' if c.get("note") else "")
             + (' <span class="stale">(stale)</span>' if c.get("status") == "stale" else "") + "</li>"
             for field, c in corrections.items() if field != "rejected" or rejected]
    return f'<ul class="corrections-cell">{"".join(items)}</ul>' if items else ""


def _shows_corrections(table: str | None, column: str, row: Any) -> bool:
    """Whether a cell shows researchers' corrections: the `corrected` column of the event lists,
    and the values they changed in the activities view."""
    corrected = _get(row, "corrected")
    if not corrected or table not in (ACTIVITIES.name, "events"):
        return False
    return column == "corrected" or (table == ACTIVITIES.name and column_corrected(corrected, column))


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any):
    """Readable cells (module docstring); researchers' corrections are looked up only for the
    rows that have some."""
    if table == "events" and column == "rejected" and value == 1:
        return Markup('<span class="badge badge-rejected">rejected</span>')
    shown = _base_cell(row, value, column, table, database, datasette)
    if not _shows_corrections(table, column, row):
        return None if shown is None else Markup(shown)

    async def with_corrections() -> Markup:
        event_id = _get(row, "event" if table == ACTIVITIES.name else "id")
        corrections = (await event_corrections(datasette, database, [event_id])).get(event_id, {})
        if column == "corrected":
            return Markup(_corrections_cell(corrections, _get(row, "rejected") == 1))
        text = shown if shown is not None else str(escape("" if value is None else value))
        applied = corrections_of_column(corrections, column)
        return Markup(_corrected_cell(text, column, applied) if applied else text)
    return with_corrections


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    """The analyst pages' stylesheet."""
    return [datasette.urls.path(f"/{STATIC_MOUNT}/analyst.css")]


async def _search(request: Any, datasette: Any) -> Response:
    """The search page: activities and articles a query finds, as readable lists."""
    database = await _landing_database(datasette, None)
    query = request.args.get("q") or ""
    page = await search_page(datasette, database, query) if database else None
    return Response.html(await datasette.render_template("search.html", {"page": page, "search_path": SEARCH_PATH},
                                                         request=request))


@hookimpl
def register_routes() -> list:
    """The search page."""
    return [(rf"^{SEARCH_PATH}$", _search)]


@hookimpl
def menu_links(datasette: Any) -> list[dict]:
    """The search page in the menu of every page."""
    return [{"href": datasette.urls.path(SEARCH_PATH), "label": "Search activities and articles"}]
