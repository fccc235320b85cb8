"""Datasette plugin: each facet counted once, and kept until the database file changes.

- A `?_facet=X` that the table's metadata already configures is not run (and shown) a second
  time: Datasette 0.65 runs every facet of the metadata and every facet of the request, so the
  events page with `?_facet=province_code` counted the 933,000 events per province twice.
- The facets of a page are counted side by side, not one after another.
- The counts of a facet are kept per state of the file (schema.cache.PerFileState): the same
  rows (the same SQL and parameters) counted by the same column give the same answer until a
  write. Paging, sorting and coming back to a list read the kept counts.
- A facet that times out (facet_time_limit_ms: the facets of a search that matches a third of a
  million events take about a second) is counted again in the background, one count at a time,
  for as long as any query may run (sql_time_limit_ms), and kept: the page shows it timed out,
  and the next view of the same rows (the next page, a reload) shows its counts.

All of it is done by a subclass of Datasette's ColumnFacet, put in its place in the list of facet
classes (a wrapper of the register_facet_classes hook), so Datasette's own code builds the facets.
"""
from __future__ import annotations

import asyncio
import copy
import json
import logging
from typing import Any, Hashable

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ColumnFacet

from schema.cache import PerFileState

log = logging.getLogger("vn_facets")

FACET_COUNTS_KEPT = 1024  # facet answers are a few rows each
_counts = PerFileState(FACET_COUNTS_KEPT)
# Background counts running or waiting, at most this many: each takes up to a second of a core at a
# million events, and views of many different searches (a crawler following links) must not queue
# an hour of them.
BACKGROUND_COUNTS = 8
_counting_later: dict[tuple[str, Hashable], asyncio.Task] = {}
_one_at_a_time: asyncio.Semaphore | None = None  # (made in the server's event loop) a count holds a SQL thread


class _KeptQueries:
    """The Datasette instance, except that execute() answers from `_counts`.

    ColumnFacet runs its count through `self.ds.execute`; answering there leaves Datasette's
    facet code (the SQL, the links, the labels) as it is.
    """

    def __init__(self, datasette: Any) -> None:
        self._datasette = datasette

    def __getattr__(self, name: str) -> Any:
        return getattr(self._datasette, name)

    async def execute(self, database: str, sql: str, params: Any = None, **options: Any) -> Any:
        key = (sql, json.dumps(params, sort_keys=True, default=str), json.dumps(options, sort_keys=True, default=str))
        try:
            return await _counts.get(self._datasette, database, key,
                                     lambda: self._datasette.execute(database, sql, params, **options))
        except QueryInterrupted:
            _count_later(self._datasette, database, key, sql, params, options)
            raise


def _count_later(datasette: Any, database: str, key: Hashable, sql: str, params: Any, options: dict) -> None:
    """Count a facet that timed out again in the background, with the time any query may take,
    and keep its answer under the key the page looks it up by (once per key, one at a time, and
    none while BACKGROUND_COUNTS are queued)."""
    global _one_at_a_time
    if (database, key) in _counting_later or len(_counting_later) >= BACKGROUND_COUNTS:
        return
    if _one_at_a_time is None:
        _one_at_a_time = asyncio.Semaphore(1)
    semaphore = _one_at_a_time
    patient = dict(options, custom_time_limit=int(datasette.setting("sql_time_limit_ms")))

    async def count() -> None:
        try:
            async with semaphore:
                await _counts.get(datasette, database, key, lambda: datasette.execute(database, sql, params, **patient))
        except Exception as error:  # (QueryInterrupted too) the facet stays timed out; the page is unharmed
            log.warning("facet counted in the background failed: %s: %s", type(error).__name__, error)
        finally:
            _counting_later.pop((database, key), None)

    _counting_later[(database, key)] = asyncio.get_running_loop().create_task(count())


class OnceColumnFacet(ColumnFacet):
    """Datasette's column facet, each column once (metadata first), its counts kept per file state."""

    def get_configs(self) -> list[dict]:
        """The facet configs of the metadata and the request, the first of each column only."""
        configs, columns = [], set()
        for source_and_config in super().get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config.get("simple")
            if column not in columns:
                columns.add(column)
                configs.append(source_and_config)
        return configs

    async def facet_results(self) -> tuple[list, list]:
        """Datasette's facet results, the counts read through the kept answers, the facets
        counted side by side (each count runs on one of Datasette's SQL threads, and SQLite lets
        them run at once: at a million events four counts took 430 ms one after another)."""
        parts = await asyncio.gather(*(self._results_of([config]) for config in self.get_configs()))
        results: list = []
        timed_out: list = []
        for part_results, part_timed_out in parts:
            results += part_results
            timed_out += part_timed_out
        return results, timed_out

    async def _results_of(self, configs: list[dict]) -> tuple[list, list]:
        """ColumnFacet's results for these configs alone, the counts read through the kept answers."""
        facet = copy.copy(self)
        facet.get_configs = lambda: configs
        facet.ds = _KeptQueries(self.ds)
        return await ColumnFacet.facet_results(facet)


@hookimpl(wrapper=True)
def register_facet_classes():
    """Datasette's facet classes, with OnceColumnFacet in the place of ColumnFacet."""
    classes = yield
    return [[OnceColumnFacet if facet_class is ColumnFacet else facet_class for facet_class in group]
            for group in classes]
