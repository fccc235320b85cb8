"""Results the Datasette pages keep until the database file changes.

At a million articles, counting the events per province takes as long as a whole page may; the
answer changes only when the file is written (a crawl, an ingest, a correction). So the landing
page's figures and the facet counts are computed once per state of the file: the first view
after a write pays, the next ones read the kept answer.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Hashable


def file_state(datasette: Any, database: str) -> tuple:
    """Changes whenever the database file (or its write-ahead log) is written.

    :param datasette: the Datasette instance
    :param database: database name
    """
    path = datasette.get_database(database).path
    state = []
    for name in (path, f"{path}-wal"):
        try:
            stat = os.stat(name)
            state.append((stat.st_mtime_ns, stat.st_size))
        except (OSError, TypeError):  # no such file, or an in-memory database (path None)
            state.append(None)
    return tuple(state)


class PerFileState:
    """Answers kept per database until its file changes, the least recently used dropped first.

    :param max_entries: how many answers to keep over all databases
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._states: dict[str, tuple] = {}
        self._answers: OrderedDict[tuple[str, Hashable], Any] = OrderedDict()

    async def get(self, datasette: Any, database: str, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> Any:
        """The kept answer for `key` in this state of the database's file, computed when missing.

        An exception from `compute` (a query that timed out) is raised and nothing is kept.

        :param datasette: the Datasette instance
        :param database: database name
        :param key: what was asked (e.g. the SQL and its parameters)
        :param compute: makes the answer
        """
        state = file_state(datasette, database)
        if self._states.get(database) != state:
            for stale in [entry for entry in self._answers if entry[0] == database]:
                del self._answers[stale]
            self._states[database] = state
        entry = (database, key)
        if entry in self._answers:
            self._answers.move_to_end(entry)
            return self._answers[entry]
        answer = await compute()
        if file_state(datasette, database) == state:  # not kept when the file changed meanwhile
            self._answers[entry] = answer
            while len(self._answers) > self.max_entries:
                self._answers.popitem(last=False)
        return answer
