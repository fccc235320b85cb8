"""Datasette metadata and the printed data dictionary, both built from `schema.tables`.

`schema/metadata.yml` is the output of `build_metadata()`; regenerate it with
`pipeline.py schema --write-metadata` after changing a description (a test checks it is current).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from schema.tables import FTS_DESCRIPTION, FTS_TABLE, FTS_WEIGHTS, SEARCH_CANDIDATES, TABLES

DATABASE_NAME = "training"
METADATA_PATH = Path(__file__).resolve().parent / "metadata.yml"
PLUGINS_DIR = Path(__file__).resolve().parent / "plugins"

# How analysts look at each table: facets and default order.
TABLE_VIEWS: dict[str, dict] = {
    "events": {"facets": ["province_code", "year", "programme_id", "is_primary"], "sort_desc": "start_date"},
    "articles": {"facets": ["site", "published_year", "is_training"], "sort_desc": "published",
                 "fts_table": FTS_TABLE, "fts_pk": "id"},
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

CANNED_QUERIES: dict[str, dict] = {
    "events_by_province_and_year": {
        "title": "Events by province and year",
        "description": "Training events in a province (name with or without diacritics, or code) and year; "
                       "leave a field empty for all.",
        "sql": f"select {_EVENT_COLUMNS}\n{_EVENT_JOINS}\n"
               "where (:province = '' or e.province_code = :province\n"
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
               "where (:programme = '' or e.programme_id = :programme\n"
               "       or vn_fold(g.name) like '%' || vn_fold(:programme) || '%')\n"
               "group by g.name, e.year order by g.name, e.year",
        "params": ["programme"],
    },
    "most_cited_documents": {
        "title": "Most cited documents",
        "description": "Documents cited by the most articles; optional document type (QĐ, NĐ, TT, KH, ...).",
        "sql": "select d.id as document, d.doc_type, d.issuer, d.issued,\n"
               "  count(distinct m.article_id) as articles, count(distinct m.event_id) as events\n"
               "from documents d join mentions m on m.document_id = d.id\n"
               "where (:doc_type = '' or lower(vn_fold(d.doc_type)) = lower(vn_fold(trim(:doc_type))))\n"
               "group by d.id order by articles desc, events desc, d.id limit 100",
        "params": ["doc_type"],
    },
    "events_in_date_range": {
        "title": "Events in a date range",
        "description": "Events whose start date lies between two ISO dates (YYYY-MM-DD), inclusive.",
        "sql": f"select {_EVENT_COLUMNS}\n{_EVENT_JOINS}\n"
               "where e.start_date >= :start and e.start_date <= :end\n"
               "order by e.start_date, e.id",
        "params": ["start", "end"],
    },
    "articles_citing_document": {
        "title": "Articles citing a document number",
        "description": "Articles that cite a document number such as 90/QĐ-TTg (diacritics optional), "
                       "with the sentence text quoted.",
        "sql": "select distinct a.title, a.url, a.published, d.id as document, m.quote\n"
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
        "description": "Full-text search over titles and bodies; 'Dong Thap' finds 'Đồng Tháp', and "
                       f"articles spelled as typed rank first. Ranks the {SEARCH_CANDIDATES:,} most recent matches.",
        "sql": "select a.id, a.title, a.url, a.published, round(ranked.score, 2) as score from (\n"
               "  select rowid, score from (\n"
               f"    select rowid, bm25({FTS_TABLE}, {', '.join(map(str, FTS_WEIGHTS))}) as score\n"
               f"    from {FTS_TABLE} where {FTS_TABLE} match vn_match(:q)\n"
               f"    order by rowid desc limit {SEARCH_CANDIDATES})\n"
               "  order by score limit 50) ranked\n"
               "join articles a on a.id = ranked.rowid order by ranked.score",
        "params": ["q"],
    },
}


def build_metadata() -> dict:
    """The Datasette metadata: descriptions from schema.tables plus views, queries and plugins."""
    tables: dict[str, dict] = {}
    for table in TABLES:
        entry: dict = {"description": table.description,
                       "columns": {column.name: column.description for column in table.columns}}
        if table.label_column:
            entry["label_column"] = table.label_column
        entry.update(TABLE_VIEWS.get(table.name, {}))
        tables[table.name] = entry
    tables[FTS_TABLE] = {"description": FTS_DESCRIPTION, "hidden": True}
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
            "description": "One row per training activity in `events`; follow the links to articles, "
                           "places, programmes and documents.",
            "tables": tables,
            "queries": CANNED_QUERIES,
        }},
        "plugins": {"datasette-cluster-map": {"latitude_column": "latitude", "longitude_column": "longitude"}},
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
    """Plain-text data dictionary: every table and column with type, link and description."""
    type_names = {str: "text", int: "integer", float: "real"}
    lines = []
    for table in TABLES:
        lines.append(f"{table.name}: {table.description}")
        for column in table.columns:
            key = " (key)" if column.name == table.pk else ""
            link = f" -> {column.references}" if column.references else ""
            lines.append(f"  {column.name:<24} {type_names[column.type]:<8}{key}{link}  {column.description}")
        lines.append("")
    lines.append(f"{FTS_TABLE}: {FTS_DESCRIPTION}")
    return "\n".join(lines)
