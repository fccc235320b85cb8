"""Datasette plugin: each facet counted once, and kept until the database file changes.

- A `?_facet=X` that the table's metadata already configures is not run (and shown) a second
  time: Datasette 0.65 runs every facet of the metadata and every facet of the request, so the
  events page with `?_facet=province_code` counted the 933,000 events per province twice.
- The facets of a page are counted side by side, not one after another.
- The counts of a facet are kept per state of the file (schema.cache.PerFileState): the same
  rows (the same SQL and parameters) counted by the same column give the same answer until a
  write. Paging, sorting and coming back to a list read the kept counts. A facet that timed out
  is not kept: it is tried again on the next view.

Both are done by a subclass of Datasette's ColumnFacet, put in its place in the list of facet
classes (a wrapper of the register_facet_classes hook), so Datasette's own code builds the facets.
"""
from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

from datasette import hookimpl
from datasette.facets import ColumnFacet

from schema.cache import PerFileState

FACET_COUNTS_KEPT = 1024  # facet answers are a few rows each
_counts = PerFileState(FACET_COUNTS_KEPT)


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
        return await _counts.get(self._datasette, database, key,
                                 lambda: self._datasette.execute(database, sql, params, **options))


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
