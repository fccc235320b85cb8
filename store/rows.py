"""Turn one article and its extractor record into database rows (pure functions, no I/O).

The record follows schema/record.schema.json. Every derived row keeps the span and exact quote
of the text it came from, so a number in the database can be traced to its sentence.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import jsonschema_rs

from reader.title import given_title
from schema.search_index import search_values
from schema.tables import place_key_of

RECORD_SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "record.schema.json"


class InvalidRecord(ValueError):
    """An extractor record that does not conform to schema/record.schema.json."""


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(RECORD_SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _fast_validator() -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(_schema())


def validate_record(record: Any) -> None:
    """Check a record against schema/record.schema.json (JSON Schema draft 2020-12).

    jsonschema-rs decides (about 150x faster than jsonschema, which would cap ingest below
    2,000 articles/s); jsonschema words the violations of a rejected record.

    :param record: extractor output
    :raises InvalidRecord: with the first few violations, each with its JSON path
    """
    if _fast_validator().is_valid(record):
        return
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(record), key=lambda error: list(error.absolute_path))
    messages = [f"{'/'.join(map(str, e.absolute_path)) or '(record)'}: {e.message[:200]}" for e in errors]
    if not messages:  # the two validators disagree: trust the one that rejected, quote its words
        messages = [str(error).split("\n", 1)[0] for error in _fast_validator().iter_errors(record)]
    raise InvalidRecord(f"record violates record.schema.json ({len(messages)} errors): {'; '.join(messages[:3])}")


def site_of(url: str) -> str:
    """Domain of a URL without a leading www., e.g. "baothainguyen.vn"; "unknown" without a host.

    :param url: absolute URL (or a urn: for articles whose address is not known)
    """
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return "unknown"
    return host[4:] if host.startswith("www.") else host


def content_hash(body: str) -> str:
    """SHA-256 of the body text, hex.

    :param body: article plain text
    """
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def document_id(number: str, year: int | None) -> str:
    """Key of a document: its number plus year, because administrative numbers restart yearly.

    :param number: canonical number, e.g. 90/QĐ-TTg
    :param year: year of issue, when known
    """
    return f"{number} ({year})" if year else f"{number} (year unknown)"


def _year(date: str | None) -> int | None:
    """Year of an ISO date or date-time string ("--11-07" has none)."""
    if date and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


def _span(span: list[int] | None) -> tuple[int | None, int | None]:
    return (span[0], span[1]) if span else (None, None)


def _quote(body: str, span: list[int] | None) -> str | None:
    return body[span[0]:span[1]] if span else None


@dataclass
class DerivedRows:
    """Rows derived from one record, keyed by table. Catalogue rows (places, programmes,
    documents) are merged into existing rows; the others belong to the article alone."""

    places: list[dict] = field(default_factory=list)
    programmes: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    event_organizers: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)


# The type of each article field article_row reads (None is allowed for every one).
ARTICLE_FIELD_TYPES: dict[str, type] = {
    **dict.fromkeys(("url", "site", "title", "published", "byline", "body", "content_hash", "warc_file",
                     "fetched_at", "etag", "last_modified", "source", "captions"), str),
    **dict.fromkeys(("warc_offset", "http_status"), int),
}


def check_article_fields(article: dict) -> None:
    """Refuse an article whose fields have the wrong type (`"url": 5`), naming the field.

    :param article: see article_row
    :raises TypeError: for the first field that is neither None nor of its type (a bool is no int)
    """
    for name, value in article.items():
        wanted = ARTICLE_FIELD_TYPES.get(name)
        if wanted is None or value is None:
            continue
        if type(value) is not wanted and (not isinstance(value, wanted) or isinstance(value, bool)):
            raise TypeError(f"{name} must be {'a string' if wanted is str else 'an integer'}, "
                            f"not {type(value).__name__} {str(value)[:60]!r}")
        if wanted is int and not -2**63 <= value < 2**63:
            raise ValueError(f"{name} {value} does not fit in a 64-bit integer")


def article_row(article: dict, record: dict | None) -> dict:
    """The articles row (without id, version) for a crawled article and its record.

    :param article: url, site, title, published, byline, body, content_hash, warc_file,
        warc_offset, fetched_at, etag, last_modified, http_status, source, captions (one per
        line) (all but url optional)
    :param record: extractor record for the body, or None
    :raises ValueError: when the article has no url or no body
    :raises TypeError: when a field has the wrong type (see check_article_fields)
    """
    check_article_fields(article)
    url = article.get("url")
    if not url:
        raise ValueError("article has no url")
    # When the extractor was given HTML, its spans point into the plain text it returns.
    body = (record or {}).get("text") or article.get("body")
    if body is None:
        raise ValueError(f"article {url} has no body text")
    # A given title (an ingested line's) goes through the page reader's title rule: "null …",
    # "Chi tiết bài viết - Huyện X", contact lines and site names are no title.
    title = given_title(article.get("title"), body) or (record or {}).get("title")
    published = article.get("published") or (record or {}).get("published")
    return {
        "url": url,
        "site": article.get("site") or site_of(url),
        "title": title,
        "published": published,
        "published_year": _year(published),
        "byline": article.get("byline"),
        "body": body,
        "content_hash": article.get("content_hash") or content_hash(body),
        "warc_file": article.get("warc_file"),
        "warc_offset": article.get("warc_offset"),
        "http_status": article.get("http_status"),
        "fetched_at": article.get("fetched_at"),
        "etag": article.get("etag"),
        "last_modified": article.get("last_modified"),
        "extractor_version": record.get("extractor_version") if record else None,
        "is_training": int(record["is_training"]) if record else None,
        "source": article.get("source"),
        "captions": article.get("captions"),
        # Not columns: what the search indexes hold of the article (see store.save._apply).
        **search_values(title, body),
    }


def place_row(location: dict) -> dict:
    post = location.get("post_2025") or {}
    province_code = location.get("province_code")
    return {
        "code": place_key_of(location),
        "name": location.get("name"),
        "type": location.get("type"),
        "level": location.get("level"),
        "parent_code": province_code if province_code and province_code != location["code"] else None,
        "province": location.get("province"),
        "latitude": location.get("lat"),
        "longitude": location.get("lon"),
        "post_2025_code": post.get("code") or post.get("ward_code") or post.get("province_code"),
        "post_2025_name": post.get("name") or post.get("ward") or post.get("province"),
    }


def _joined(values: list | None) -> str | None:
    """A list as one '; '-separated text (a missing name stays visible as '?')."""
    return "; ".join("?" if value is None else str(value) for value in values) if values else None


def derive_rows(record: dict, body: str) -> DerivedRows:
    """All rows an article's record contributes, with spans and quotes.

    Needs no database, so it can run while another batch is written. Events are numbered 1, 2,
    ... and article ids left empty; the store gives them their real ids when it writes them.

    :param record: valid extractor record
    :param body: the text the record's spans point into
    :raises IndexError: when an event points at a location or organiser the record lacks
    """
    rows = DerivedRows()
    places: dict[str, dict] = {}

    def add_place(code: str | None, row: dict) -> None:
        if code and code not in places:
            places[code] = row

    for location in record["locations"]:
        if location.get("code"):
            add_place(place_key_of(location), place_row(location))
    # Provinces known only as the parent of a named unit get a minimal row of their own.
    for location in record["locations"]:
        if location.get("province_code"):
            add_place(location["province_code"], {"code": location["province_code"],
                                                  "name": location.get("province"), "level": "province"})

    programmes = {p["id"]: p for p in reversed(record["programmes"])}  # first mention wins
    rows.programmes = [{"id": p["id"], "name": p["name"], "period": p.get("period"), "in_catalogue": 0}
                       for p in programmes.values()]

    documents_by_number: dict[str, dict] = {}
    for document in record["documents"]:
        documents_by_number.setdefault(document["number"], document)
    document_rows: dict[str, dict] = {}

    def add_document(number: str) -> str:
        document = documents_by_number.get(number, {"number": number})
        key = document_id(number, document.get("year"))
        if key not in document_rows:
            document_rows[key] = {
                "id": key, "number": number, "year": document.get("year"),
                "doc_type": document.get("doc_type"), "doc_type_name": document.get("doc_type_name"),
                "issuer": document.get("issuer"), "issuer_name": document.get("issuer_name"),
                "issuers": _joined(document.get("issuers")), "issuer_names": _joined(document.get("issuer_names")),
                "issued": document.get("issued"), "shape": document.get("shape"),
            }
        return key

    # Which events point at each mentioned item. A mention no event points at is article-level
    # (event_id empty); one that several events point at gets a row per event.
    events_of_location: dict[int, list[int]] = defaultdict(list)
    events_of_programme: dict[str, list[int]] = defaultdict(list)
    events_of_document: dict[str, list[int]] = defaultdict(list)
    for number, event in enumerate(record["events"], start=1):
        for index in event["locations"]:
            if not 0 <= index < len(record["locations"]):
                raise IndexError(f"event {number} points at location {index}, which the record does not have")
            events_of_location[index].append(number)
        for programme_id in event["programmes"]:
            events_of_programme[programme_id].append(number)
        for number_text in event["documents"]:
            events_of_document[number_text].append(number)

    mentions = rows.mentions

    def add_mentions(kind: str, item: dict, event_ids: list[int] | None, detail: str | None,
                     document_id: str | None = None, programme_id: str | None = None,
                     place_code: str | None = None) -> None:
        start, end = _span(item.get("span"))
        quote = item.get("quote")
        for event_id in event_ids or (None,):
            mentions.append({"article_id": None, "event_id": event_id, "kind": kind, "document_id": document_id,
                             "programme_id": programme_id, "place_code": place_code, "detail": detail,
                             "span_start": start, "span_end": end, "quote": quote})

    for document in record["documents"]:
        add_mentions("document", document, events_of_document.get(document["number"]), document.get("raw"),
                     document_id=add_document(document["number"]))
    quoted_programmes = {programme["id"] for programme in record["programmes"]}
    for programme in record["programmes"]:
        add_mentions("programme", programme, events_of_programme.get(programme["id"]), programme.get("component"),
                     programme_id=programme["id"])
    for index, location in enumerate(record["locations"]):
        add_mentions("place", location, events_of_location.get(index), location.get("name"),
                     place_code=place_key_of(location))
    # Events may name a document or programme the record does not quote: link them without a span.
    for number_text, event_ids in events_of_document.items():
        if number_text not in documents_by_number:
            add_mentions("document", {}, event_ids, number_text, document_id=add_document(number_text))
    for programme_id, event_ids in events_of_programme.items():
        if programme_id not in quoted_programmes:
            add_mentions("programme", {}, event_ids, None, programme_id=programme_id)

    for number, event in enumerate(record["events"], start=1):
        province_code, district_code = event.get("province_code"), event.get("district_code")
        add_place(province_code, {"code": province_code, "name": event.get("province"), "level": "province"})
        add_place(district_code, {"code": district_code, "name": event.get("district"), "level": "district",
                                  "parent_code": province_code, "province": event.get("province")})
        for programme_id in event["programmes"]:
            if programme_id not in programmes:
                programmes[programme_id] = {"id": programme_id, "name": programme_id}
                rows.programmes.append({"id": programme_id, "name": programme_id, "period": None,
                                        "in_catalogue": 0})
        (span_start, span_end), quote = _span(span := event.get("span")), _quote(body, span)
        (date_start, date_end), date_quote = _span(date_span := event.get("date_span")), _quote(body, date_span)
        (participant_start, participant_end), participant_quote = (_span(participant_span := event.get("participant_span")),
                                                                   _quote(body, participant_span))
        rows.events.append({
            "id": number, "article_id": None, "event_no": number,
            "is_primary": int(event["is_primary"]), "kind": event.get("kind"),
            "start_date": event["start_date"], "end_date": event["end_date"],
            "date_precision": event.get("date_precision"), "year": _year(event["start_date"]),
            "duration_days": event.get("duration_days"), "participant_total": event["participant_total"],
            "participant_qualifier": event.get("participant_qualifier"),
            "participant_unit": event.get("participant_unit"), "classes": event.get("classes"),
            "province_code": province_code, "district_code": district_code,
            "latitude": event.get("lat"), "longitude": event.get("lon"),
            "programme_id": event["programmes"][0] if event["programmes"] else None,
            "span_start": span_start, "span_end": span_end, "quote": quote,
            "date_span_start": date_start, "date_span_end": date_end, "date_quote": date_quote,
            "participant_span_start": participant_start, "participant_span_end": participant_end,
            "participant_quote": participant_quote,
        })
        for index in event["organizers"]:
            organizer = record["organizers"][index]
            start, end = _span(organizer.get("span"))
            rows.event_organizers.append({
                "event_id": number, "article_id": None, "name": organizer["name"],
                "role": organizer.get("role"), "span_start": start, "span_end": end,
                "quote": organizer.get("quote")})

    rows.places = list(places.values())
    rows.documents = list(document_rows.values())
    return rows
