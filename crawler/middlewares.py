"""Downloader middlewares: identifying User-Agent, retries with backoff, loopback routing."""
from __future__ import annotations

import asyncio
import logging
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached

log = logging.getLogger(__name__)


class IdentifyingUserAgentMiddleware:
    """Send `CRAWL_USER_AGENT` with the contact URL (`CRAWL_CONTACT_URL`) filled in.

    :param user_agent: the full User-Agent header value
    """

    def __init__(self, user_agent: str) -> None:
        self.user_agent = user_agent

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        contact = crawler.settings.get("CRAWL_CONTACT_URL")
        if not contact:
            raise ValueError("CRAWL_CONTACT_URL must be set: portals need a way to reach the operator")
        return cls(crawler.settings.get("CRAWL_USER_AGENT").format(contact=contact))

    def process_request(self, request: Request) -> None:
        request.headers.setdefault(b"User-Agent", self.user_agent)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry (5xx, time-outs, connection errors) with an exponential pause before each retry.

    The pause is `RETRY_BACKOFF_BASE * 2 ** (attempt - 1)` seconds, at most `RETRY_BACKOFF_MAX`.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = super().from_crawler(crawler)
        middleware.backoff_base = crawler.settings.getfloat("RETRY_BACKOFF_BASE")
        middleware.backoff_max = crawler.settings.getfloat("RETRY_BACKOFF_MAX")
        return middleware

    async def _pause(self, retry: Request | None) -> None:
        if retry is not None and self.backoff_base > 0:
            attempt = retry.meta.get("retry_times", 1)
            await asyncio.sleep(min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)))

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._pause(result)
        return result

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._pause(result)
        return result


class LoopbackProxyMiddleware:
    """Route every request through a loopback HTTP server acting as a proxy (`CRAWL_PROXY`).

    The bundled sample portal and the tests serve several virtual sites (`*.sample.test`) from
    one local server; going through it as a proxy keeps the sites' own stable URLs. Only loopback
    addresses are accepted, so a crawl can never be diverted to another machine by this setting.
    """

    def __init__(self, proxy: str) -> None:
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        proxy = crawler.settings.get("CRAWL_PROXY")
        if not proxy:
            raise NotConfigured
        if not proxy.startswith(("http://127.0.0.1:", "http://localhost:")):
            raise ValueError(f"CRAWL_PROXY must be a loopback address, not {proxy!r}")
        return cls(proxy)

    def process_request(self, request: Request) -> None:
        request.meta.setdefault("proxy", self.proxy)


class CautiousRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt handling, except that a robots.txt answering 5xx or not answering at all
    means "try later" (Scrapy would take it as "everything allowed"): this crawl fetches nothing
    else from that host, and the refusals say so (unlike a real robots.txt Disallow)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._unavailable: set[str] = set()

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            log.warning("%s answered HTTP %d: not crawling %s this time", response.url, response.status, netloc)
            self._unavailable.add(netloc)
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if not isinstance(exc, IgnoreRequest):
            log.warning("robots.txt of %s could not be fetched (%s): not crawling it this time", netloc, exc)
            self._unavailable.add(netloc)
        super()._robots_error(exc, netloc)

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        if urlparse_cached(request).netloc in self._unavailable:
            self._stats.inc_value("robotstxt/postponed")
            raise IgnoreRequest("robots.txt unavailable: try again later")
        super().process_request_2(rp, request)
