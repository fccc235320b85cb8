"""Per-host politeness that holds across every worker of the shared frontier.

Each worker's Scrapy keeps a host's delay and concurrency for its own requests only: two workers
would each send a request every DOWNLOAD_DELAY seconds, twice the rate the host was promised.
So before any HTTP request leaves a worker, it takes the host's turn in Redis (one Lua script,
Redis's clock, keys `vntrain:host:<host>:…`):

- ``last``: when the last request to the host started, by any worker, and its delay. A turn is
  granted only once the larger of that delay and this request's has passed since then. A
  request's delay is its worker's downloader slot delay for the host: DOWNLOAD_DELAY, changed by
  AutoThrottle and never below the robots.txt `Crawl-delay` floor (crawler/extensions.py),
  without Scrapy's random jitter.
- ``active``: the requests in progress to the host, each with a lease the worker renews while
  the download lasts; at most the slot's concurrency (CONCURRENT_REQUESTS_PER_DOMAIN) over all
  workers. A request gives its place back when its download ends; a killed worker's places free
  themselves when their leases run out (FRONTIER_LEASE_SECONDS).

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

from crawler.frontier import LUA_NOW_MS, LUA_RENEW_LEASES
from store.outbox import PREFIX, connect

# KEYS: last (start time and delay of the host's last request, "ms:ms"), active (token -> lease
# expiry). ARGV: token, this request's delay (ms), concurrency, lease (ms). The gap before a
# request is the larger of its delay and the last request's: a worker that has not read the
# host's robots.txt yet still waits the Crawl-delay another worker has read.
_TAKE_TURN = LUA_NOW_MS + """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local last = redis.call('GET', KEYS[1])
if last then
  local at, gap = string.match(last, '^(%d+):(%d+)$')
  local wait = tonumber(at) + math.max(tonumber(gap), tonumber(ARGV[2])) - now
  if wait > 0 then return wait end
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return -1 end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[1])
redis.call('SET', KEYS[1], now .. ':' .. ARGV[2], 'PX', 3600000)
return 0
"""

# How often a request waiting for a free place at its host asks again.
FULL_POLL_SECONDS = 0.025


class HostTurns:
    """Turns at each host, shared by all workers through Redis.

    :param server: Redis client
    :param worker: this worker's name (part of each turn's token)
    :param lease_seconds: how long a place at a host stays held without a renewal (a killed
        worker's places free themselves then); renewed every third of it while the download lasts
    """

    def __init__(self, server: redis.Redis, worker: str, lease_seconds: float) -> None:
        self.server = server
        self.lease_ms = max(1, int(lease_seconds * 1000))
        self.held: dict[str, str] = {}  # token -> host
        self._tokens = (f"{worker}:{n}" for n in itertools.count(1))
        self._take = server.register_script(_TAKE_TURN)
        self._renew = server.register_script(LUA_RENEW_LEASES)
        self._renewal: asyncio.Task | None = None

    @staticmethod
    def _keys(host: str) -> list[str]:
        return [f"{PREFIX}:host:{host}:last", f"{PREFIX}:host:{host}:active"]

    async def take(self, host: str, delay: float, concurrency: int) -> str:
        """Wait for the host's turn: at least `delay` seconds (or the last request's delay if
        longer) after the last request any worker sent it, and fewer than `concurrency`
        requests in progress there.

        :return: the turn's token, for `give_back`
        """
        token = next(self._tokens)
        while True:
            wait_ms = self._take(keys=self._keys(host),
                                 args=[token, int(delay * 1000), max(1, concurrency), self.lease_ms])
            if wait_ms == 0:
                break
            await asyncio.sleep(FULL_POLL_SECONDS if wait_ms < 0 else wait_ms / 1000)
        self.held[token] = host
        if self._renewal is None:
            self._renewal = asyncio.ensure_future(self._keep_renewing())
        return token

    def give_back(self, token: str) -> None:
        """The request's download ended: its place at the host is free."""
        host = self.held.pop(token, None)
        if host is not None:
            self.server.zrem(self._keys(host)[1], token)

    def renew(self) -> None:
        """Keep the places of the downloads still in progress."""
        by_host: dict[str, list[str]] = {}
        for token, host in self.held.items():
            by_host.setdefault(host, []).append(token)
        for host, tokens in by_host.items():
            self._renew(keys=[self._keys(host)[1]], args=[self.lease_ms, *tokens])

    async def _keep_renewing(self) -> None:
        while True:
            await asyncio.sleep(self.lease_ms / 3000)
            self.renew()

    def close(self) -> None:
        if self._renewal is not None:
            self._renewal.cancel()
            self._renewal = None


class PoliteDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 download handler that first takes the host's turn (see module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.turns = HostTurns(connect(settings.get("REDIS_URL")), settings.get("FRONTIER_WORKER"),
                               settings.getfloat("FRONTIER_LEASE_SECONDS"))

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
            self.turns.give_back(token)

    async def close(self) -> None:
        self.turns.close()
        await super().close()
