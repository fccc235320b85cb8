"""The one description of every table and column of the database.

Migrations create tables from these definitions, `pipeline.py schema` prints them as a data
dictionary and `schema/metadata.yml` (Datasette) takes its table and column descriptions from
them, so a description is written once, here.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One column.

    :param name: column name
    :param type: Python type sqlite-utils maps to the SQLite type (str, int, float)
    :param description: what the value means, for analysts
    :param references: "table.column" this column is a foreign key to, if any
    :param not_null: reject NULL
    """

    name: str
    type: type
    description: str
    references: str | None = None
    not_null: bool = False


@dataclass(frozen=True)
class Table:
    """One table.

    :param name: table name
    :param description: what one row is
    :param columns: columns in display order; the first is the primary key unless `pk` says otherwise
    :param pk: primary key column
    :param label_column: column Datasette shows instead of the key when another table links here
    :param indexes: column lists to index
    :param unique: column lists that must be unique together
    :param sparse_indexes: column lists indexed only in the rows whose first column has a value
        (most rows leave it empty): each row written without one costs no index entry, and a
        lookup by value (`= ?`) or a facet (`is not null`) reads the smaller index
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    pk: str
    label_column: str | None = None
    indexes: tuple[tuple[str, ...], ...] = ()
    unique: tuple[tuple[str, ...], ...] = field(default=())
    sparse_indexes: tuple[tuple[str, ...], ...] = ()

    def column_names(self) -> list[str]:
        """Column names in definition order."""
        return [column.name for column in self.columns]


def _span_columns(prefix: str, what: str) -> tuple[Column, ...]:
    """Start, end and quote columns that tie a value to the exact text it was read from."""
    lead = f"{prefix}_" if prefix else ""
    return (
        Column(f"{lead}span_start", int, f"Start character offset of {what} in articles.body (0-based)."),
        Column(f"{lead}span_end", int, f"End character offset (exclusive) of {what} in articles.body."),
        Column(f"{lead}quote", str, f"The exact text of articles.body[start:end] for {what}."),
    )


SITES = Table(
    name="sites",
    description="News sites that are crawled: one row per domain.",
    pk="domain",
    label_column="name",
    columns=(
        Column("domain", str, "Site domain, e.g. baothainguyen.vn (key).", not_null=True),
        Column("name", str, "Human-readable site name."),
        Column("family", str, "Site family (e.g. provincial portal, provincial newspaper, ministry)."),
        Column("unit_code", str, "GSO code of the administrative unit (province) that runs the site."),
        Column("province", str, "Name of that province."),
        Column("base_url", str, "Home page URL."),
    ),
)

ARTICLES = Table(
    name="articles",
    description="Crawled news articles, current version. The canonical URL identifies an article; "
                "older versions are in article_versions.",
    pk="id",
    label_column="title",
    # No index on content_hash: nothing looks an article up by it, and the inserts of random
    # hashes touched a page of that index per article (at 1M articles as much written as the rows).
    indexes=(("site",), ("published",), ("published_year",), ("is_training",)),
    unique=(("url",),),
    columns=(
        Column("id", int, "Stable integer id of the article (used by links from other tables and the search index)."),
        Column("url", str, "Canonical URL of the article (unique natural key).", not_null=True),
        Column("site", str, "Site the article was published on.", references="sites.domain"),
        Column("title", str, "Headline."),
        Column("published", str, "Publication date or date-time, ISO 8601 (YYYY-MM-DD[THH:MM])."),
        Column("published_year", int, "Year of publication, for faceting."),
        Column("byline", str, "Author or source line as printed."),
        Column("body", str, "Plain text of the article; every span and quote elsewhere points into this text."),
        Column("content_hash", str, "Hash of the body text; a new hash means the article changed."),
        Column("warc_file", str, "WARC file holding the raw HTTP response."),
        Column("warc_offset", int, "Byte offset of the response record in the WARC file."),
        Column("http_status", int, "HTTP status of the fetch."),
        Column("fetched_at", str, "When the article was fetched (ISO 8601, UTC)."),
        Column("etag", str, "HTTP ETag of the response, for conditional re-fetching."),
        Column("last_modified", str, "HTTP Last-Modified header of the response."),
        Column("version", int, "Version number: 1 when first seen, +1 each time the body changed."),
        Column("extractor_version", str, "Version of the extractor that derived this article's events and mentions."),
        Column("is_training", int, "1 if the extractor judged the article to report a training activity."),
        Column("source", str, "The source the article names (\"Nguồn: …\", \"Theo Báo …\"): where a repost comes from."),
        Column("captions", str, "Photo captions of the page, one per line; kept out of the body."),
    ),
)

ARTICLE_VERSIONS = Table(
    name="article_versions",
    description="Earlier versions of articles whose text changed; the current version stays in articles.",
    pk="id",
    indexes=(("article_id",),),
    unique=(("article_id", "version"),),
    columns=(
        Column("id", int, "Row id."),
        Column("article_id", int, "The article this is an earlier version of.", references="articles.id"),
        Column("version", int, "Version number this row held while it was current."),
        Column("url", str, "Canonical URL."),
        Column("title", str, "Headline of that version."),
        Column("published", str, "Publication date of that version."),
        Column("byline", str, "Byline of that version."),
        Column("body", str, "Plain text of that version."),
        Column("content_hash", str, "Hash of that version's body."),
        Column("warc_file", str, "WARC file holding that version's response."),
        Column("warc_offset", int, "Byte offset in that WARC file."),
        Column("fetched_at", str, "When that version was fetched."),
        Column("etag", str, "ETag of that version."),
        Column("last_modified", str, "Last-Modified of that version."),
        Column("extractor_version", str, "Extractor version that had processed that version."),
        Column("replaced_at", str, "When a newer version replaced it (ISO 8601, UTC)."),
    ),
)

# The 2025 map reuses codes: most of its communes (1,803 of 3,321) carry a code another commune
# had before the reform (00097 was Tứ Liên, then Hồng Hà). In places they are kept apart: a
# commune of the 2025 map is keyed by this prefix and its code (its code alone is post_2025_code).
COMMUNE_2025_KEY_PREFIX = "2025-"


def place_key_of(location: dict) -> str | None:
    """The places key of a unit of a record's locations: its code, or for a commune of the 2025
    map (era "2025") COMMUNE_2025_KEY_PREFIX and its code.

    :param location: a location of an extractor record
    """
    code = location.get("code")
    if code and location.get("era") == "2025" and location.get("level") == "commune":
        return COMMUNE_2025_KEY_PREFIX + code
    return code


def reform_successor(place: dict) -> tuple[str | None, str | None]:
    """A stored unit's successor after the reform: its name, when it is another unit (another code
    or name; a unit of the 2025 map is its own), and the places key it would have, when places
    can hold it (a commune's: the 2025 map's provinces are not stored).

    :param place: a places row
    """
    code, successor = place.get("code") or "", place.get("post_2025_code")
    if not successor or code.startswith(COMMUNE_2025_KEY_PREFIX) or (
            successor == code and place.get("post_2025_name") == place.get("name")):
        return None, None
    return place.get("post_2025_name"), (COMMUNE_2025_KEY_PREFIX + successor if place.get("level") == "commune" else None)


PLACES = Table(
    name="places",
    description="Administrative units (province, district, commune) named in articles, with the "
                "codes in force when the article was published and the unit after the 2025 reform.",
    pk="code",
    label_column="name",
    indexes=(("level",), ("parent_code",)),
    columns=(
        Column("code", str, "GSO code of the unit (key); a commune of the 2025 map: '2025-' and its code "
                            "(the 2025 map reuses codes of other communes).", not_null=True),
        Column("name", str, "Official name, e.g. Huyện Định Hóa."),
        Column("type", str, "Unit type: tỉnh, thành phố, huyện, quận, thị xã, xã, phường, thị trấn."),
        Column("level", str, "province, district or commune."),
        Column("parent_code", str, "Code of the province the unit belongs to.", references="places.code"),
        Column("province", str, "Name of the province the unit belongs to."),
        Column("latitude", float, "Latitude of the unit's centroid (WGS 84)."),
        Column("longitude", float, "Longitude of the unit's centroid (WGS 84)."),
        Column("post_2025_code", str, "Code of the unit that succeeded it after the 1 July 2025 reform (of a "
                                      "commune of the 2025 map: its own code)."),
        Column("post_2025_name", str, "Name of that successor unit."),
    ),
)

PROGRAMMES = Table(
    name="programmes",
    description="National target programmes and other programmes that fund training (catalogue from "
                "data/programmes.yml, plus any id the extractor reported).",
    pk="id",
    label_column="name",
    columns=(
        Column("id", str, "Programme id, e.g. gnbv-2021-2025 (key).", not_null=True),
        Column("name", str, "Programme name."),
        Column("period", str, "Period covered, e.g. 2021-2025."),
        Column("abbreviations", str, "JSON list of abbreviations and nicknames used in the press."),
        Column("details", str, "JSON object with any further catalogue fields (approving decision, ...)."),
        Column("in_catalogue", int, "1 if the programme is in data/programmes.yml, 0 if only the extractor named it."),
    ),
)

DOCUMENTS = Table(
    name="documents",
    description="Legal and administrative documents cited by articles: one row per document. "
                "Administrative numbers restart each year, so a document is its number plus year.",
    pk="id",
    label_column="id",
    indexes=(("doc_type",), ("issuer",), ("number",)),
    unique=(("number", "year"),),
    columns=(
        Column("id", str, "Number and year, e.g. '90/QĐ-TTg (2022)'; '(year unknown)' when the text gives no year (key).", not_null=True),
        Column("number", str, "Canonical number and symbol, e.g. 90/QĐ-TTg or 46/2022/TT-BTC.", not_null=True),
        Column("year", int, "Year of issue (part of the identity: numbers restart every year)."),
        Column("doc_type", str, "Document type code, e.g. QĐ, NĐ, TT, KH; empty for official letters (công văn)."),
        Column("doc_type_name", str, "Document type in words, e.g. Quyết định."),
        Column("issuer", str, "Issuer code, e.g. TTg, UBND, BTC."),
        Column("issuer_name", str, "Issuer in words, e.g. Thủ tướng Chính phủ."),
        Column("issuers", str, "Every issuer code, '; '-separated, the first as in issuer (a joint document, "
                               "e.g. TTLT-BTC-BLĐTBXH, has several)."),
        Column("issuer_names", str, "Every issuer in words, '; '-separated, in the order of issuers."),
        Column("issued", str, "Date of issue, ISO 8601, when an article states it."),
        Column("shape", str, "Numbering family: normative, administrative, letter or party."),
    ),
)

EVENTS = Table(
    name="events",
    description="Training activities: one row per activity reported in an article. Each value can be "
                "traced to the text through its span and quote columns.",
    pk="id",
    # Facets and charts count events per value of an indexed column, reading the index alone: the
    # activities view leaves out rejected events, so `rejected` follows the value, and the charts
    # sum participants per year and province. The activities list has facets on province, year and
    # programme, and the charts link to the lists of a province and of a year (a place page lists
    # its province's latest): their indexes hold the other facet columns, so the facets of a list
    # of one value read that index alone too (at a million events, 15 ms instead of 550 ms a
    # facet), and start_date, id follow the value, so the list, newest first (the lists' order,
    # ties by id), is read in index order (20 ms instead of 540). is_primary (a facet of events
    # only) keeps an index in which a new event goes last (storing events costs the same as with
    # the narrower indexes before; start_date in is_primary's too added a seventh). The search box
    # tests each event's article and places in that order: start_date's index holds them, so the
    # newest matches are found without reading the rows (0.2 s instead of 3 at a million events
    # for a rare match). The facet indexes end with them too, so the facets of a search read
    # their index alone (at 300,000 events a facet of 'giam ngheo' took 1.3 s reading the rows,
    # 0.18 s without).
    indexes=(("article_id",),
             ("province_code", "start_date", "id", "rejected", "participant_total", "year", "programme_id",
              "is_primary", "article_id", "district_code"),
             ("year", "start_date", "id", "rejected", "participant_total", "province_code", "programme_id",
              "is_primary", "article_id", "district_code"),
             ("programme_id", "start_date", "id", "rejected", "province_code", "year", "is_primary", "article_id",
              "district_code"),
             ("is_primary",),
             ("start_date", "id", "rejected", "article_id", "province_code", "district_code")),
    columns=(
        Column("id", int, "Event id."),
        Column("article_id", int, "Article that reports the event.", references="articles.id"),
        Column("event_no", int, "Position of the event within its article (1 = first)."),
        Column("is_primary", int, "1 for the article's main activity, 0 for activities mentioned in passing."),
        Column("kind", str, "Kind of activity (tập huấn, bồi dưỡng, hội nghị, ...)."),
        Column("start_date", str, "First day, ISO 8601; may be YYYY-MM or YYYY when precision is coarser."),
        Column("end_date", str, "Last day, ISO 8601, same precision rules as start_date."),
        Column("date_precision", str, "Precision of the dates: day, month, year or day-no-year."),
        Column("year", int, "Year of start_date, for faceting."),
        Column("duration_days", float, "Length in days, when stated or derivable from the dates."),
        Column("participant_total", int, "Number of participants."),
        Column("participant_qualifier", str, "Qualifier of the count as written (gần, khoảng, hơn, trên, ...); empty when exact."),
        Column("participant_unit", str, "What was counted: người, học viên, đại biểu, hộ, ..."),
        Column("classes", int, "Number of classes (lớp) held."),
        Column("province_code", str, "Province where it took place.", references="places.code"),
        Column("district_code", str, "District where it took place (before the 2025 reform).", references="places.code"),
        Column("latitude", float, "Latitude of the most precise known place (WGS 84)."),
        Column("longitude", float, "Longitude of the most precise known place (WGS 84)."),
        Column("programme_id", str, "First programme the activity is attributed to (all of them are in mentions).", references="programmes.id"),
        Column("corrected", str, "Fields a researcher corrected (see corrections), comma-separated; empty when "
                                 "every value is as extracted."),
        Column("rejected", int, "1 when a researcher rejected the event (not a training activity)."),
        *_span_columns("", "the sentence(s) reporting the event"),
        *_span_columns("date", "the date expression"),
        *_span_columns("participant", "the participant count"),
    ),
)

EVENT_ORGANIZERS = Table(
    name="event_organizers",
    description="Organisations that organised or co-organised an event.",
    pk="id",
    indexes=(("event_id",), ("article_id",), ("name",)),
    columns=(
        Column("id", int, "Row id."),
        Column("event_id", int, "The event.", references="events.id"),
        Column("article_id", int, "Article that names the organiser.", references="articles.id"),
        Column("name", str, "Organisation name as normalised by the extractor."),
        Column("role", str, "organizer or co-organizer."),
        *_span_columns("", "the organiser's name"),
    ),
)

MENTIONS = Table(
    name="mentions",
    description="Every place in an article where a document, programme or administrative unit is "
                "named, linked to the article and (when the extractor tied it to one) the event.",
    pk="id",
    # A mention names one thing: a document, a programme or a place (at 1M articles 83% places).
    indexes=(("article_id",), ("event_id",)),
    # With the article: the pages of a place, programme or document count their articles and
    # test "does this article name it" from the index alone.
    sparse_indexes=(("document_id", "article_id"), ("programme_id", "article_id"), ("place_code", "article_id")),
    columns=(
        Column("id", int, "Row id."),
        Column("article_id", int, "Article the mention is in.", references="articles.id"),
        Column("event_id", int, "Event the mention belongs to; empty for article-level mentions.", references="events.id"),
        Column("kind", str, "What is mentioned: document, programme or place."),
        Column("document_id", str, "The cited document (kind = document).", references="documents.id"),
        Column("programme_id", str, "The programme (kind = programme).", references="programmes.id"),
        Column("place_code", str, "The administrative unit (kind = place).", references="places.code"),
        Column("detail", str, "Extra reading of the mention: raw document number, programme component, place name."),
        *_span_columns("", "the mention"),
    ),
)

CRAWL_RUNS = Table(
    name="crawl_runs",
    description="Crawl health: one row per crawl run and site.",
    pk="id",
    indexes=(("site",), ("started_at",)),
    unique=(("run_id", "site"),),
    columns=(
        Column("id", int, "Row id."),
        Column("run_id", str, "Identifier of the crawl run.", not_null=True),
        Column("site", str, "Site crawled.", references="sites.domain"),
        Column("started_at", str, "Start time (ISO 8601, UTC)."),
        Column("finished_at", str, "End time (ISO 8601, UTC)."),
        Column("requests", int, "HTTP requests made."),
        Column("new", int, "New articles stored."),
        Column("changed", int, "Articles whose text had changed."),
        Column("failed", int, "Requests or articles that failed."),
        Column("duration_s", float, "Duration in seconds."),
        Column("status", str, "How the crawl ended: finished, incomplete (a listing failed), layout_changed "
                              "(pages withheld), shutdown, running (killed)..."),
        Column("skipped", int, "Links skipped (not HTML, forbidden by robots.txt, over the size cap), retried "
                               "on a later night."),
    ),
)

URL_STATES = Table(
    name="url_states",
    description="The crawler's memory of links that gave no article: dead (404/410), skipped (not HTML, "
                "robots.txt, size) or failed, with when to try each again (backoff), so that they are "
                "neither new every night nor lost for good.",
    pk="url",
    indexes=(("site",), ("next_check",)),
    columns=(
        Column("url", str, "Canonical URL of the link (key).", not_null=True),
        Column("site", str, "Site the link is on.", references="sites.domain"),
        Column("fetch_url", str, "The address last requested for it."),
        Column("state", str, "dead, skipped or failed."),
        Column("reason", str, "What the last attempt answered, e.g. HTTP 404, not HTML (text/plain)."),
        Column("attempts", int, "Attempts in a row that gave no article."),
        Column("first_seen", str, "First failed attempt (ISO 8601, UTC)."),
        Column("last_checked", str, "Latest attempt (ISO 8601, UTC)."),
        Column("next_check", str, "Not requested again before this time (ISO 8601, UTC): the backoff."),
    ),
)

ERRORS = Table(
    name="errors",
    description="Problems met while crawling, extracting or storing; bad records land here instead of "
                "being half-written.",
    pk="id",
    # (url, stage, message): an error is recorded once (`store.runs.insert_error` looks it up
    # before it writes), and without the index each look-up read every error of its stage: a
    # records file whose lines were all refused took minutes per ten thousand.
    indexes=(("stage",), ("occurred_at",), ("url", "stage", "message")),
    columns=(
        Column("id", int, "Row id."),
        Column("url", str, "URL concerned, if any."),
        Column("stage", str, "Pipeline stage: crawl, extract, ingest, reextract, ..."),
        Column("message", str, "What went wrong."),
        Column("occurred_at", str, "When (ISO 8601, UTC)."),
    ),
)

CORRECTIONS = Table(
    name="corrections",
    description="Researchers' corrections of extracted event values, kept apart from what the extractor "
                "read and applied on top of it whenever the event is written (also after reextract). "
                "data/corrections.yml is the reviewed copy kept in version control.",
    pk="id",
    indexes=(("article_url",),),
    unique=(("article_url", "event_no", "field"),),
    columns=(
        Column("id", int, "Row id."),
        Column("article_url", str, "Canonical URL of the article (stable when events are re-derived).", not_null=True),
        Column("event_no", int, "Position of the event within its article.", not_null=True),
        Column("field", str, "Corrected field: start_date, end_date, participant_total, province_code, "
                             "district_code, programme_id, kind, or rejected.", not_null=True),
        Column("value", str, "The corrected value as text; empty when the extracted value is rejected."),
        Column("extracted_value", str, "What the extractor had read when the correction was made."),
        Column("content_hash", str, "Hash of the article's text when the correction was made."),
        Column("note", str, "Why, in the researcher's words."),
        Column("author", str, "Who made the correction."),
        Column("created_at", str, "When (ISO 8601, UTC)."),
        Column("status", str, "applied, or stale: the article's text changed and the extractor now reads "
                              "another value, so the correction is not applied until it is reviewed."),
    ),
)

# Creation order respects foreign keys: a table comes after every table it references.
TABLES: tuple[Table, ...] = (
    SITES, PLACES, PROGRAMMES, DOCUMENTS, ARTICLES, ARTICLE_VERSIONS, EVENTS, EVENT_ORGANIZERS,
    MENTIONS, CRAWL_RUNS, ERRORS, CORRECTIONS, URL_STATES,
)
TABLES_BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}

