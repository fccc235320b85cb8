"""Batch extraction over JSON lines: one record out per line in, in order.

A line that cannot be read (bad JSON, no text) yields a record with an `error` naming the line,
is counted, and the batch goes on.
"""
from __future__ import annotations

import json
import logging
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Iterator

from extract import EXTRACTOR_VERSION, extract_record

from progress import Progress

log = logging.getLogger("pipeline.extract")


@dataclass
class ExtractStats:
    total: int = 0
    failed: int = 0


@contextmanager
def _open(path: str, mode: str) -> Iterator[IO[str]]:
    if path == "-":
        yield sys.stdin if "r" in mode else sys.stdout
    else:
        with open(path, mode, encoding="utf-8") as f:
            yield f


def error_record(line_no: int, message: str, item: dict | None = None) -> dict:
    """The record written for an input line that could not be extracted."""
    item = item or {}
    return {"id": item.get("id"), "url": item.get("url"), "title": None, "published": None, "is_training": False,
            "events": [], "documents": [], "programmes": [], "locations": [], "organizers": [], "dates": [],
            "extractor_version": EXTRACTOR_VERSION, "error": f"line {line_no}: {message}"}


def extract_line(line_no: int, line: str) -> tuple[dict, bool]:
    """Extract one JSON line; returns (record, ok)."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as e:
        return error_record(line_no, f"bad JSON ({e.msg} at column {e.colno})"), False
    if not isinstance(item, dict):
        return error_record(line_no, "not a JSON object"), False
    text, html = item.get("text"), item.get("html")
    if not (isinstance(text, str) and text.strip()) and not (isinstance(html, str) and html.strip()):
        return error_record(line_no, "no text or html", item), False
    try:
        url, published = item.get("url"), item.get("published")
        record = extract_record(text if isinstance(text, str) and text.strip() else None,
                                html=html if isinstance(html, str) else None,
                                url=url if isinstance(url, str) else None,
                                published=str(published) if published is not None else None, id=item.get("id"))
    except Exception as e:  # one bad article must not stop the batch; the error names it
        log.exception("extraction failed on line %d (id=%r)", line_no, item.get("id"))
        return error_record(line_no, f"extraction failed: {type(e).__name__}: {e}", item), False
    return record, True


def _count_lines(path: str) -> int | None:
    """Non-empty lines of a file, for the ETA (None for stdin)."""
    if path == "-":
        return None
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def extract_jsonl(input_path: str, output_path: str) -> ExtractStats:
    """Extract every line of `input_path` into `output_path` (JSON lines, '-' for stdio).

    :param input_path: JSON lines `{id, url?, text or html, published?}`
    :param output_path: where the records go, one per input line, in order
    """
    stats = ExtractStats()
    progress = Progress("articles extracted", total=_count_lines(input_path))
    with _open(input_path, "r") as src, _open(output_path, "w") as dst:
        for line_no, line in enumerate(src, start=1):
            if not line.strip():
                continue
            record, ok = extract_line(line_no, line)
            stats.total += 1
            stats.failed += not ok
            if not ok:
                log.warning("%s: %s", input_path, record["error"])
            dst.write(json.dumps(record, ensure_ascii=False) + "\n")
            progress.advance(failed=not ok)
    progress.close()
    return stats
