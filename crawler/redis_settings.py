"""Scrapy settings that turn a crawl into a worker of the shared Redis frontier.

`pipeline.py crawl --frontier redis://HOST:PORT/N` adds these to the project's settings
(crawler/settings.py): scrapy-redis's scheduler and dupefilter on the shared queue, the host turns
in the download handler, the outbox instead of the SQLite store, and WARC files of its own.
"""
from __future__ import annotations

from pathlib import Path

import redis
from scrapy.settings import Settings

from crawler.frontier import worker_name
from store.outbox import connect

# How long a request taken by a worker stays its own without a renewal (renewed every third of
# it): a killed worker's requests go back to the queue that long after it died.
FRONTIER_LEASE_SECONDS = 30.0
# How often an idle worker looks at the shared queue while other workers still hold requests.
FRONTIER_POLL_SECONDS = 0.5
# How long a worker waits for the writer to publish the crawl state before it gives up.
FRONTIER_WRITER_WAIT_SECONDS = 600.0


def use_frontier(settings: Settings, url: str, worker: str | None = None) -> None:
    """Make the crawl of `settings` a frontier worker (settings given on the command line win,
    except that the archive always gets this worker's own folder).

    :param settings: the crawl's Scrapy settings, changed in place
    :param url: the frontier's Redis URL, `redis://HOST:PORT/N`
    :param worker: the worker's name (default: setting FRONTIER_WORKER, else host and process
        id); this worker's WARC files go to `<WARC_DIR>/<worker>/`, so that workers never append
        to one file
    :raises ValueError: when the URL is not a Redis URL or Redis does not answer there
    """
    try:
        connect(url).ping()
    except redis.RedisError as error:
        raise ValueError(f"frontier {url}: {error}") from error
    worker = worker or settings.get("FRONTIER_WORKER") or worker_name()
    pipelines = settings.getdict("ITEM_PIPELINES")
    pipelines["crawler.redis_outbox.OutboxPipeline"] = pipelines.pop("crawler.pipelines.StorePipeline")
    for name, value in {
        "FRONTIER_LEASE_SECONDS": FRONTIER_LEASE_SECONDS, "FRONTIER_POLL_SECONDS": FRONTIER_POLL_SECONDS,
        "FRONTIER_WRITER_WAIT_SECONDS": FRONTIER_WRITER_WAIT_SECONDS,
    }.items():
        settings.set(name, value, priority="project")
    for name, value in {
        "REDIS_URL": url,
        "FRONTIER_WORKER": worker,
        "SCHEDULER": "crawler.redis_scheduler.FrontierScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # The queue and dupefilter belong to the run, which outlives any one worker.
        "SCHEDULER_PERSIST": True,
        "STATS_CLASS": "crawler.redis_spider.FrontierStats",
        "DOWNLOAD_HANDLERS": {"http": "crawler.redis_politeness.PoliteDownloadHandler",
                              "https": "crawler.redis_politeness.PoliteDownloadHandler"},
        "ITEM_PIPELINES": pipelines,
        "WARC_DIR": str(Path(settings.get("WARC_DIR")) / worker),
    }.items():
        settings.set(name, value, priority="cmdline")
