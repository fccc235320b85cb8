"""Batch extraction over JSON lines: one record out per entry in, in order.

Entries are read and judged one at a time by `stages.jsonl_input` (the same rule as `ingest`).
An entry that cannot be read (bad bytes or JSON, no text, a wrong type) yields a record with an
`error` naming its file and line, is counted, and the batch goes on.
"""
from __future__ import annotations

import json
import logging
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import chain
from pathlib import Path
from typing import IO, Iterator

from extract import EXTRACTOR_VERSION, extract_record
from progress import Progress
from stages.ingest import warm_up
from stages.jsonl_input import STDIN, Entry, count_entries, read_entries
from stages.workers import map_in_order, worker_processes

log = logging.getLogger("pipeline.extract")


@dataclass
class ExtractStats:
    """How many entries were read, and how many of them yielded an error record."""

    total: int = 0
    failed: int = 0


class OutputUnwritable(Exception):
    """The output file cannot be opened for writing: nothing was done."""


def error_record(entry: Entry, message: str) -> dict:
    """The record written for an input entry that could not be extracted.

    :param entry: the entry (its id and url are echoed when they could be read)
    :param message: what went wrong, prefixed with the entry's file and line
    """
    return {"id": entry.id, "url": entry.url, "title": None, "published": None, "is_training": False,
            "events": [], "documents": [], "programmes": [], "locations": [], "organizers": [], "dates": [],
            "extractor_version": EXTRACTOR_VERSION, "error": f"{entry.where}: {message}"}


def extract_entry(entry: Entry) -> tuple[dict, bool]:
    """The record of one input entry; returns (record, ok).

    :param entry: from read_entries
    """
    if entry.fields is None:
        return error_record(entry, entry.problem), False
    fields = entry.fields
    try:
        record = extract_record(fields["text"], html=fields["html"], url=fields.get("url"),
                                published=fields.get("published"), id=fields.get("id"))
    except Exception as error:  # one bad article must not stop the batch; the error names it
        log.exception("extraction failed at %s (id=%r)", entry.where, fields.get("id"))
        return error_record(entry, f"extraction failed: {type(error).__name__}: {error}"), False
    return record, True


def extract_jsonl(input_path: str, output_path: str, jobs: int = 1) -> ExtractStats:
    """Extract every entry of `input_path` into `output_path` (JSON lines, '-' for stdio).

    :param input_path: JSON lines `{id, url?, text or html, published?}` (or a folder of *.json)
    :param output_path: where the records go, one per input entry, in order
    :param jobs: extractor processes; 1 extracts in this process, 0 uses one per core
    :raises InputUnreadable: when the input cannot be opened
    :raises OutputUnwritable: when the output cannot be opened
    """
    stats = ExtractStats()
    progress = Progress("articles extracted", total=count_entries(input_path))
    entries = read_entries(input_path)
    first = next(entries, None)  # opens the input: a missing file fails before the output is created
    with _output(output_path) as out:
        if first is not None:
            records = map_in_order(extract_entry, chain([first], entries), worker_processes(jobs),
                                   warm_up=partial(warm_up, extract_record))
            for record, ok in records:
                stats.total += 1
                stats.failed += not ok
                if not ok:
                    log.warning("%s", record["error"])
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                progress.advance(failed=not ok)
    progress.close()
    return stats


@contextmanager
def _output(path: str) -> Iterator[IO[str]]:
    """The output stream: stdout for '-', else the file (created, and closed after)."""
    if path == STDIN:
        yield sys.stdout
        return
    try:
        file = open(Path(path), "w", encoding="utf-8")
    except OSError as error:
        raise OutputUnwritable(f"cannot write {path}: {error.strerror or error}") from error
    with file:
        yield file
