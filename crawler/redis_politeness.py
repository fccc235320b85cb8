"""Per-host politeness that holds across every worker of the shared frontier.

Each worker's Scrapy keeps a host's delay and concurrency for its own requests only: two workers
would each send a request every DOWNLOAD_DELAY seconds, twice the rate the host was promised.
So before any HTTP request leaves a worker, it takes the host's turn in Redis (one Lua script,
Redis's clock, keys `vntrain:host:<host>:…`):

- ``last``: when the last request to the host started, by any worker. A turn is granted only once
  the host's delay has passed since then, the delay being this worker's downloader slot delay
  for the host: DOWNLOAD_DELAY, raised by AutoThrottle and never below the robots.txt
  `Crawl-delay` floor (crawler/extensions.py), without Scrapy's random jitter.
- ``active``: the requests in progress to the host, each with a lease; at most the slot's
  concurrency (CONCURRENT_REQUESTS_PER_DOMAIN) over all workers. A request gives its place back
  when its download ends; a killed worker's place frees itself when its lease runs out
  (DOWNLOAD_TIMEOUT plus a margin).

The turn is taken in the download handler, the last step before the request is written to the
socket (after Scrapy's own slot has let it go), so the gap between two requests' starts at the
host is the delay, whichever workers sent them.
"""
from __future__ import annotations

import asyncio
import itertools
from typing import Any

import redis
from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.frontier import LUA_NOW_MS
from store.outbox import PREFIX, connect

_TAKE_TURN = LUA_NOW_MS + """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local last = redis.call('GET', KEYS[1])
if last then
  local wait = tonumber(last) + tonumber(ARGV[2]) - now
  if wait > 0 then return wait end
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return -1 end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[1])
redis.call('SET', KEYS[1], now, 'PX', 3600000)
return 0
"""

# How often a request waiting for a free place at its host asks again.
FULL_POLL_SECONDS = 0.025


class HostTurns:
    """Turns at each host, shared by all workers through Redis.

    :param server: Redis client
    :param worker: this worker's name (part of each turn's token)
    :param lease_seconds: how long a place is held at most (a killed worker's frees itself then)
    """

    def __init__(self, server: redis.Redis, worker: str, lease_seconds: float) -> None:
        self.server = server
        self.lease_ms = int(lease_seconds * 1000)
        self._tokens = (f"{worker}:{n}" for n in itertools.count(1))
        self._take = server.register_script(_TAKE_TURN)

    @staticmethod
    def _keys(host: str) -> list[str]:
        return [f"{PREFIX}:host:{host}:last", f"{PREFIX}:host:{host}:active"]

    async def take(self, host: str, delay: float, concurrency: int) -> str:
        """Wait for the host's turn: `delay` seconds after the last request any worker sent it,
        and fewer than `concurrency` requests in progress there.

        :return: the turn's token, for `give_back`
        """
        token = next(self._tokens)
        while True:
            wait_ms = self._take(keys=self._keys(host),
                                 args=[token, int(delay * 1000), max(1, concurrency), self.lease_ms])
            if wait_ms == 0:
                return token
            await asyncio.sleep(FULL_POLL_SECONDS if wait_ms < 0 else wait_ms / 1000)

    def give_back(self, host: str, token: str) -> None:
        """The request's download ended: its place at the host is free."""
        self.server.zrem(self._keys(host)[1], token)


class PoliteDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 download handler that first takes the host's turn (see module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.turns = HostTurns(connect(settings.get("REDIS_URL")), settings.get("FRONTIER_WORKER"),
                               settings.getfloat("DOWNLOAD_TIMEOUT") + 30)

    async def download_request(self, request: Request) -> Response:
        downloader = self._crawler.engine.downloader
        host = downloader.get_slot_key(request)
        slot: Any = downloader.slots.get(host)
        settings = self._crawler.settings
        delay = slot.delay if slot is not None else settings.getfloat("DOWNLOAD_DELAY")
        concurrency = slot.concurrency if slot is not None else settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        token = await self.turns.take(host, delay, concurrency)
        try:
            return await super().download_request(request)
        finally:
            self.turns.give_back(host, token)
