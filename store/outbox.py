"""The Redis side of the single writer: the outbox that crawler workers fill, and the crawl state
the writer publishes for them.

Workers of the shared frontier never open the SQLite file. Everything they would have written
goes, in order, to one Redis list (the outbox) as JSON messages; one writer (store/writer.py)
drains it into SQLite through the same idempotent save path as a single-process crawl. What the
spider reads before a run (stored articles, links that are not articles, how the site's last run
ended) the writer publishes in Redis, so a worker on another machine needs only the Redis URL.

Messages (``kind`` and its fields):

- ``run_start``: run_id, site, started_at, site_row: the site's row and its crawl run, "running".
- ``article``: run_id, site, row (the articles row), record (extractor output or null).
- ``checked``: run_id, site, url, fetched_at: a re-check answered 304 Not Modified.
- ``error``: run_id, site, url, stage, message: an `errors` row.
- ``remember``: run_id, site, url, fetch_url, state, reason, now, wait_hours: a link that gave no
  article (store/urls.py `remember_url`); ``forget``: run_id, site, url: it gave one at last.
- ``site``: run_id, site, site_row: the site's row changed (its family was detected).
- ``run_end``: run_id, site, started_at, finished_at: the run's figures are in its stats hash.
- ``mark``: mark: once everything before it is stored, the writer sets the key `mark_key(mark)`
  (someone waits for the articles sent so far); ``stop``: mark: the same, then the writer stops
  (a local run's own writer: demo, nightly).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Iterable

import redis

from store.urls import UrlState

PREFIX = "vntrain"
OUTBOX = f"{PREFIX}:outbox"
# Messages the writer has taken but not committed yet: replayed when a killed writer restarts.
OUTBOX_TAKEN = f"{PREFIX}:outbox:taken"
# Set once the writer has published the crawl state of every site (workers wait for it).
STATE_READY = f"{PREFIX}:state:ready"
# The name of the one writer storing the outbox (a second one refuses to start).
WRITER = f"{PREFIX}:writer"


def mark_key(mark: str) -> str:
    """String: set by the writer once a `mark` or `stop` message and everything before it are stored."""
    return f"{PREFIX}:mark:{mark}"


def stored_key(site: str) -> str:
    """Hash: canonical URL -> JSON of what is stored about the article (known_articles)."""
    return f"{PREFIX}:state:{site}:stored"


def memory_key(site: str) -> str:
    """Hash: canonical URL -> JSON of the remembered link (store/urls.py UrlState)."""
    return f"{PREFIX}:state:{site}:memory"


def last_run_key(site: str) -> str:
    """String: JSON {run_id, status} of the site's last crawl run that the writer recorded."""
    return f"{PREFIX}:state:{site}:last_run"


def pending_key(site: str) -> str:
    """String: the run id of a finished run whose state the writer has not published yet."""
    return f"{PREFIX}:state:{site}:pending"


def stats_key(run_id: str, site: str) -> str:
    """Hash: the figures of one site's run; workers count crawl/*, the writer store/*."""
    return f"{PREFIX}:run:{run_id}:{site}:stats"


def connect(url: str) -> redis.Redis:
    """A Redis client for a frontier URL (`redis://HOST:PORT/N`).

    :param url: the frontier's Redis URL
    :raises ValueError: when the URL is not a redis:// URL
    """
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"a frontier is a Redis URL like redis://127.0.0.1:6379/0, not {url!r}")
    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, retry_on_timeout=True)


def encode(message: dict[str, Any]) -> bytes:
    """One outbox message as JSON bytes."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(data: bytes) -> dict[str, Any]:
    """An outbox message from its JSON bytes.

    :raises ValueError: when it is not a JSON object with a ``kind``
    """
    message = json.loads(data)
    if not isinstance(message, dict) or "kind" not in message:
        raise ValueError(f"not an outbox message: {data[:200]!r}")
    return message


class Outbox:
    """The workers' end: append messages to the outbox.

    :param server: Redis client
    """

    def __init__(self, server: redis.Redis) -> None:
        self.server = server

    def push(self, *messages: dict[str, Any]) -> None:
        """Append messages, in order, in one round trip."""
        self.server.rpush(OUTBOX, *map(encode, messages))


@dataclass
class CrawlState:
    """What a worker's spider reads before a run, as the writer published it.

    :param server: Redis client
    """

    server: redis.Redis

    def ready(self) -> bool:
        """Whether the writer has published the state of every site."""
        return bool(self.server.exists(STATE_READY))

    def pending(self, site: str) -> bool:
        """Whether a finished run of the site is not yet stored and published by the writer."""
        return bool(self.server.exists(pending_key(site)))

    def stored_articles(self, site: str) -> dict[str, dict]:
        """Canonical URL -> {content_hash, etag, last_modified, fetched_at, version}."""
        return {url.decode(): json.loads(value) for url, value in self.server.hgetall(stored_key(site)).items()}

    def remembered_urls(self, site: str) -> dict[str, UrlState]:
        """Links of the site that gave no article, with their backoff (store/urls.py)."""
        return {url.decode(): UrlState(**json.loads(value)) for url, value in self.server.hgetall(memory_key(site)).items()}

    def last_run(self, site: str) -> dict | None:
        """{run_id, status} of the site's last recorded run, or None."""
        value = self.server.get(last_run_key(site))
        return json.loads(value) if value else None


def publish_site(server: redis.Redis, site: str, stored: dict[str, dict], memory: dict[str, UrlState],
                 last_run: dict | None) -> None:
    """Replace the published state of one site (atomically: a reader sees the old or the new).

    :param server: Redis client
    :param site: domain
    :param stored: canonical URL -> stored state (store.known_articles)
    :param memory: canonical URL -> remembered link (store.urls.remembered_urls)
    :param last_run: {run_id, status} of its last run, or None
    """
    with server.pipeline(transaction=True) as pipe:
        for key, values in ((stored_key(site), stored),
                            (memory_key(site), {url: asdict(state) for url, state in memory.items()})):
            pipe.delete(key)
            for chunk in _chunks(list(values.items()), 5000):
                pipe.hset(key, mapping={url: json.dumps(value) for url, value in chunk})
        if last_run is None:
            pipe.delete(last_run_key(site))
        else:
            pipe.set(last_run_key(site), json.dumps(last_run))
        pipe.execute()


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
