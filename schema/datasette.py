"""Datasette metadata and the printed data dictionary, both built from `schema.tables`.

`schema/metadata.yml` is the output of `build_metadata()`; regenerate it with
`pipeline.py schema --write-metadata` after changing a description (a test checks it is current).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from schema.event_search import event_match_sql
from schema.search import HIT_TIERS
from schema.search_index import ANY_ARTICLE_ID, ARTICLES_FTS, SEARCH_INDEXES, TITLES_FTS
from schema.tables import TABLES, TABLES_BY_NAME
from schema.views import ACTIVITIES, VIEWS, not_rejected

DATABASE_NAME = "training"
METADATA_PATH = Path(__file__).resolve().parent / "metadata.yml"
PLUGINS_DIR = Path(__file__).resolve().parent / "plugins"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_MOUNT = "vn-static"  # served at /vn-static/ (stages/serve.py)
PAGES_PLUGIN = "vn_pages"
SEARCH_PLUGIN = "vn_search"

# Provenance columns: kept in the tables and on the row pages, left out of the lists.
_PROVENANCE = ("content_hash", "warc_file", "warc_offset", "etag", "last_modified")


def _span_columns_of(table_name: str) -> list[str]:
    """The span and quote columns of a table (see schema.tables._span_columns)."""
    return [column.name for column in TABLES_BY_NAME[table_name].columns
            if column.name.endswith(("span_start", "span_end")) or column.name == "quote"
            or column.name.endswith("_quote")]


# Columns each list page leaves out by default (`?_columns=all` shows them); latitude and
# longitude stay in the page's data for the map.
HIDDEN_COLUMNS: dict[str, list[str]] = {
    "activities": [name for name in ACTIVITIES.columns if name not in
                   ("event", "dates", "kind", "province", "district", "programme", "participants", "organisers",
                    "article", "corrected")],
    "events": [*_span_columns_of("events"), "event_no", "date_precision", "duration_days", "classes", "latitude",
               "longitude", "participant_qualifier", "participant_unit", "year", "is_primary"],
    # The title links to the reading page, which has the source link: the long URL stays out of the list.
    "articles": ["url", "published_year", "body", "captions", *_PROVENANCE, "http_status", "fetched_at",
                 "extractor_version", "version"],
    "article_versions": ["body", *_PROVENANCE],
    "event_organizers": _span_columns_of("event_organizers"),
}

# Facets of a view on a code column, shown with the names of the table the code points to:
# view -> column -> (title, table, key column, name column).
FACET_NAMES: dict[str, dict[str, tuple[str, str, str, str]]] = {
    "activities": {"province_code": ("province", "places", "code", "name"),
                   "programme_id": ("programme", "programmes", "id", "name")},
}

# Tables of events whose search box (?_search=) is answered by schema/plugins/vn_search.py: an event
# matches through its article's text (what the activity was read from) or the names of its province
# and district (an article may name only the districts). Column roles per table.
EVENT_SEARCH: dict[str, dict] = {name: {"article": "article_id", "places": ["province_code", "district_code"]}
                                 for name in ("activities", "events")}

# How analysts look at each table: facets and default order.
TABLE_VIEWS: dict[str, dict] = {
    # Facets on the codes (indexed, no name lookups per row), shown with names (FACET_NAMES).
    "activities": {"facets": ["province_code", "year", "programme_id"], "facet_size": 8, "sort_desc": "start_date"},
    "events": {"facets": ["province_code", "year", "programme_id", "is_primary"], "facet_size": 8,
               "sort_desc": "start_date"},
    "articles": {"facets": ["site", "published_year", "is_training"], "facet_size": 8, "sort_desc": "published",
                 "fts_table": ARTICLES_FTS.name, "fts_pk": "id"},
    "documents": {"facets": ["doc_type", "issuer", "year"], "sort": "id"},
    "mentions": {"facets": ["kind", "programme_id", "document_id"]},
    "places": {"facets": ["level", "parent_code"], "sort": "code"},
    "programmes": {"facets": ["in_catalogue"], "sort": "id"},
    "event_organizers": {"facets": ["role"]},
    "crawl_runs": {"facets": ["site", "status"], "sort_desc": "started_at"},
    "errors": {"facets": ["stage"], "sort_desc": "occurred_at"},
    "sites": {"facets": ["family"], "sort": "domain"},
    "article_versions": {"sort_desc": "replaced_at"},
}

_EVENT_COLUMNS = (
    "e.id as event_id, e.start_date, e.end_date, e.date_precision, pr.name as province,\n"
    "  di.name as district, e.participant_total, e.participant_qualifier, e.participant_unit,\n"
    "  e.classes, g.name as programme, e.is_primary, a.title as article, a.url, a.published,\n"
    "  e.participant_quote, e.date_quote, e.quote as source_sentence")
_EVENT_JOINS = (
    "from events e\n"
    "join articles a on a.id = e.article_id\n"
    "left join places pr on pr.code = e.province_code\n"
    "left join places di on di.code = e.district_code\n"
    "left join programmes g on g.id = e.programme_id")

# The articles a search query `:q` finds, in tiers (schema.search.ranked_hit_expressions): each
# article once, in its best tier, newest first within a tier; each tier reads only the newest
# SEARCH_PAGE matches (FTS5 reads its index backwards and stops there). Every match is read first
# (as store.search_articles does): fewer than a page are all there are, so the tiers look only
# between their ids, and a query that matches nothing reads the index once.
SEARCH_PAGE = 50
_RANKED_HITS = (
    f"with every_match as (select rowid from {ARTICLES_FTS.name} where {ARTICLES_FTS.name} match vn_match(:q)\n"
    f"  order by rowid desc limit {SEARCH_PAGE}),\n"
    f"bounds as (select case when count(*) < {SEARCH_PAGE} then coalesce(min(rowid), 0) end as low,\n"
    f"  case when count(*) < {SEARCH_PAGE} then coalesce(max(rowid), -1) end as high from every_match),\n"
    "hits as (\n"
    + "\n  union all\n".join(
        f"  select rowid, {tier} as tier from (select rowid from {index}\n"
        f"    where {index} match vn_match(:q, {tier}) and rowid between coalesce((select low from bounds), {ANY_ARTICLE_ID[0]})\n"
        f"      and coalesce((select high from bounds), {ANY_ARTICLE_ID[1]}) order by rowid desc limit {SEARCH_PAGE})"
        for tier, index in enumerate((TITLES_FTS.name if in_title else ARTICLES_FTS.name
                                      for _, in_title in HIT_TIERS), 1))
    + "\n),\nranked as (\n"
    f"  select rowid, min(tier) as tier from hits group by rowid order by tier, rowid desc limit {SEARCH_PAGE})")
# What each tier of a ranked search found, in words (the results show this, not the tier number).
RANK_TIER_NAMES = tuple(f"{kind}, in the title" if in_title else kind for kind, in_title in HIT_TIERS)
_MATCH_NAME = ("case ranked.tier " + " ".join(f"when {tier} then '{name}'" for tier, name in
                                             enumerate(RANK_TIER_NAMES, 1)) + " end as found")

_ACTIVITY_FIELDS = ("event", "dates", "kind", "province", "district", "programme", "participants", "organisers",
                    "article", "article_id")
_ACTIVITY_COLUMNS = ", ".join(f"v.{name}" for name in _ACTIVITY_FIELDS)
_PLACES_NAMED = event_match_sql("v.article_id", ["v.province_code", "v.district_code"], "q", text=False)

_KEPT_IN_PROVINCE = f"from events where province_code = e.province_code and {not_rejected()}"

CANNED_QUERIES: dict[str, dict] = {
    "events_by_province_and_year": {
        "title": "Events by province and year",
        "description": "Training events in a province (name with or without diacritics, or code) and year; "
                       "leave a field empty for all.",
        "sql": f"select {_EVENT_COLUMNS}\n{_EVENT_JOINS}\n"
               f"where {not_rejected('e')}\n"
               "  and (:province = '' or e.province_code = :province\n"
               "       or vn_fold(pr.name) like '%' || vn_fold(:province) || '%')\n"
               "  and (:year = '' or e.year = cast(:year as integer))\n"
               "order by e.start_date, e.id",
        "params": ["province", "year"],
    },
    "participants_by_programme_and_year": {
        "title": "Participants by programme and year",
        "description": "Events and summed participants per programme and year (events without a count are "
                       "counted but add nothing). Optional programme id or name fragment.",
        "sql": "select coalesce(g.name, '(no programme)') as programme, e.year,\n"
               "  count(*) as events, count(e.participant_total) as events_with_count,\n"
               "  sum(e.participant_total) as participants\n"
               "from events e left join programmes g on g.id = e.programme_id\n"
               f"where {not_rejected('e')}\n"
               "  and (:programme = '' or e.programme_id = :programme\n"
               "       or vn_fold(g.name) like '%' || vn_fold(:programme) || '%')\n"
               "group by g.name, e.year order by g.name, e.year",
        "params": ["programme"],
    },
    "most_cited_documents": {
        "title": "Most cited documents",
        "description": "Documents cited by the most articles; optional document type (QĐ, NĐ, TT, KH, ...).",
        "sql": "select d.id as document, d.doc_type, d.issuer, d.issued,\n"
               "  count(distinct m.article_id) as articles,\n"
               f"  count(distinct case when {not_rejected('e')} then e.id end) as events\n"
               "from documents d join mentions m on m.document_id = d.id\n"
               "left join events e on e.id = m.event_id\n"
               "where (:doc_type = '' or lower(vn_fold(d.doc_type)) = lower(vn_fold(trim(:doc_type))))\n"
               "group by d.id order by articles desc, events desc, d.id limit 100",
        "params": ["doc_type"],
    },
    "events_in_date_range": {
        "title": "Events in a date range",
        "description": "Events whose start date lies between two ISO dates (YYYY-MM-DD), inclusive.",
        "sql": f"select {_EVENT_COLUMNS}\n{_EVENT_JOINS}\n"
               f"where {not_rejected('e')} and e.start_date >= :start and e.start_date <= :end\n"
               "order by e.start_date, e.id",
        "params": ["start", "end"],
    },
    "articles_citing_document": {
        "title": "Articles citing a document number",
        "description": "Articles that cite a document number such as 90/QĐ-TTg (diacritics optional), "
                       "with the sentence text quoted.",
        "sql": "select distinct a.id as article_id, a.title, a.url, a.published, d.id as document, m.quote\n"
               "from mentions m join documents d on d.id = m.document_id\n"
               "join articles a on a.id = m.article_id\n"
               "where lower(vn_fold(d.number)) = lower(vn_fold(trim(:number)))\n"
               "order by a.published desc, a.url",
        "params": ["number"],
    },
    "crawl_health_per_site": {
        "title": "Crawl health per site",
        "description": "Per site: runs, last run, requests, new/changed/failed articles and failure rate "
                       "since a date (empty for all time).",
        "sql": "select s.domain, s.name, count(r.id) as runs, max(r.started_at) as last_run,\n"
               "  sum(r.requests) as requests, sum(r.new) as new, sum(r.changed) as changed,\n"
               "  sum(r.failed) as failed,\n"
               "  round(1.0 * sum(r.failed) / nullif(sum(r.requests), 0), 3) as failure_rate,\n"
               "  round(avg(r.duration_s), 1) as mean_duration_s\n"
               "from sites s left join crawl_runs r on r.site = s.domain\n"
               "  and (:since = '' or r.started_at >= :since)\n"
               "group by s.domain order by failure_rate desc, s.domain",
        "params": ["since"],
    },
    "search_articles": {
        "title": "Search articles (with or without diacritics)",
        "description": "Full-text search over titles and bodies: every word, close together, with or without "
                       "diacritics ('Dong Thap' finds 'Đồng Tháp'); the exact phrase as typed first, then the "
                       "phrase without diacritics, then the words apart; in the title before the body, newest "
                       "first.",
        "sql": f"{_RANKED_HITS}\n"
               f"select a.id as article_id, a.title, a.site, a.published, a.url, {_MATCH_NAME}\n"
               "from ranked join articles a on a.id = ranked.rowid order by ranked.tier, ranked.rowid desc",
        "params": ["q"],
        "hide_sql": True,
    },
    "search_events": {
        "title": "Search training activities (with or without diacritics)",
        "description": "Activities whose article matches the words (as in 'Search articles'), best-matching "
                       "articles first, then those whose province or district the query names (an article may "
                       "name only the districts): the same rows as the search box of activities.",
        "sql": f"{_RANKED_HITS}\n"
               f"select {', '.join(_ACTIVITY_FIELDS)}, found from (\n"
               f"  select {_ACTIVITY_COLUMNS}, ranked.tier as tier, ranked.rowid as newest, {_MATCH_NAME}\n"
               "  from ranked join activities v on v.article_id = ranked.rowid\n"
               "  union all\n"
               f"  select {_ACTIVITY_COLUMNS}, {len(HIT_TIERS) + 1}, v.article_id, 'the name of its province or district'\n"
               "  from activities v where v.article_id not in (select rowid from ranked)\n"
               f"    and {_PLACES_NAMED})\n"
               "order by tier, newest desc, event",
        "params": ["q"],
        "hide_sql": True,
    },
    "events_per_year": {
        "title": "Events per year",
        "description": "Training events and participants per year of the start date (the landing page's chart).",
        "sql": "select year, count(*) as events, sum(participant_total) as participants\n"
               f"from events where year is not null and {not_rejected()} group by year order by year",
    },
    "events_per_province": {
        "title": "Events per province",
        "description": "Training events and participants per province, most events first, with the province's "
                       "position for the map (the landing page's chart and map).",
        # Counted per province first, then named: a join per event made it 3 times slower at a
        # million events. The events' own positions are averaged only for a province that places
        # has no position for.
        "sql": "select coalesce(p.name, e.province_code) as province, e.province_code, e.events, e.participants,\n"
               f"  coalesce(p.latitude, (select avg(latitude) {_KEPT_IN_PROVINCE})) as latitude,\n"
               f"  coalesce(p.longitude, (select avg(longitude) {_KEPT_IN_PROVINCE})) as longitude\n"
               "from (select province_code, count(*) as events, sum(participant_total) as participants from events\n"
               f"  where province_code is not null and {not_rejected()} group by province_code) e\n"
               "left join places p on p.code = e.province_code order by events desc, province",
    },
}


def build_metadata() -> dict:
    """The Datasette metadata: descriptions from schema.tables and schema.views plus views, queries and plugins."""
    tables: dict[str, dict] = {}
    described = [(view.name, view.description, view.columns, None) for view in VIEWS]
    described += [(table.name, table.description, {c.name: c.description for c in table.columns}, table.label_column)
                  for table in TABLES]
    for name, description, columns, label_column in described:
        entry: dict = {"description": description, "columns": columns}
        if label_column:
            entry["label_column"] = label_column
        entry.update(TABLE_VIEWS.get(name, {}))
        tables[name] = entry
    for index in SEARCH_INDEXES:
        tables[index.name] = {"description": index.description, "hidden": True}
    return {
        "title": "Training activities in Vietnamese government news",
        "description": "Who trained whom, when, where, how many, under which programme and on which legal "
                       "basis, as reported by Vietnamese government portals and newspapers. Every number "
                       "links to the article and the exact sentence it was read from.",
        "source": "Vietnamese government portals and provincial newspapers (crawled articles)",
        "license": "CC BY 4.0 for the derived data; article texts remain their publishers' and are quoted "
                   "for research",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "databases": {DATABASE_NAME: {
            # Plain text: Datasette shows a description as written (no Markdown).
            "description": "Start with the activities list: one row per training activity, with names and the "
                           "article. The events table holds the same rows with codes and provenance; the links "
                           "lead to articles, places, programmes and documents.",
            "tables": tables,
            "queries": CANNED_QUERIES,
        }},
        # At top level only: a table's own "plugins" entry would hide these for that table.
        "plugins": {
            # The map sits beside the facets (schema/static/analyst.css), above the rows.
            "datasette-cluster-map": {"latitude_column": "latitude", "longitude_column": "longitude",
                                      "container": ".facet-results"},
            SEARCH_PLUGIN: {"event_search": EVENT_SEARCH},
            PAGES_PLUGIN: {"hidden_columns": HIDDEN_COLUMNS,
                           "facet_names": {view: {column: dict(zip(("title", "table", "key", "name"), spec))
                                                  for column, spec in columns.items()}
                                           for view, columns in FACET_NAMES.items()}},
        },
    }


class _ReadableDumper(yaml.SafeDumper):
    """Writes multi-line strings (SQL) as literal blocks, so the YAML reads like the code."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ReadableDumper.add_representer(str, _represent_str)


def metadata_yaml() -> str:
    """build_metadata() as the YAML text stored in schema/metadata.yml."""
    header = "# Generated from schema/tables.py and schema/datasette.py by `pipeline.py schema --write-metadata`.\n"
    return header + yaml.dump(build_metadata(), Dumper=_ReadableDumper, allow_unicode=True, sort_keys=False,
                              width=100)


def write_metadata(path: Path = METADATA_PATH) -> Path:
    """Regenerate schema/metadata.yml.

    :param path: where to write
    :return: the path written
    """
    path.write_text(metadata_yaml(), encoding="utf-8")
    return path


def data_dictionary() -> str:
    """Plain-text data dictionary: every table, view and column with type, link and description."""
    type_names = {str: "text", int: "integer", float: "real"}
    lines = []
    for table in TABLES:
        lines.append(f"{table.name}: {table.description}")
        for column in table.columns:
            key = " (key)" if column.name == table.pk else ""
            link = f" -> {column.references}" if column.references else ""
            lines.append(f"  {column.name:<24} {type_names[column.type]:<8}{key}{link}  {column.description}")
        lines.append("")
    for view in VIEWS:
        lines.append(f"{view.name} (view): {view.description}")
        lines += [f"  {name:<24} {description}" for name, description in view.columns.items()]
        lines.append("")
    lines += [f"{index.name}: {index.description}" for index in SEARCH_INDEXES]
    return "\n".join(lines)
