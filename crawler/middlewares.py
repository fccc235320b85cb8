"""Downloader middlewares: identifying User-Agent, retries with backoff, loopback routing,
redirects kept on the portal's own host, robots.txt that fails means "not now", a clear message
for a body cut at the size cap."""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import CancelledError

from crawler.listing import on_site

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
        check_loopback_proxy(proxy)
        return cls(proxy)

    def process_request(self, request: Request) -> None:
        request.meta.setdefault("proxy", self.proxy)


def check_loopback_proxy(proxy: str) -> None:
    """Refuse a proxy URL that is not plain `http://<loopback address>:<port>`.

    The URL is parsed, not prefix-matched: `http://127.0.0.1:1@evil.example:3128` has the user
    name "127.0.0.1" and the host evil.example.

    :param proxy: the CRAWL_PROXY value
    :raises ValueError: naming the value and what is wrong with it
    """
    parts = urlsplit(proxy)
    try:
        port = parts.port
    except ValueError:
        port = None
    problem = None
    if parts.scheme != "http":
        problem = "it must start with http://"
    elif parts.username is not None or parts.password is not None:
        problem = "it must not carry a user name or password"
    elif not is_loopback_host(parts.hostname or ""):
        problem = f"its host {parts.hostname!r} is not a loopback address"
    elif port is None:
        problem = "it needs a port"
    elif parts.path not in ("", "/") or parts.query or parts.fragment:
        problem = "it must not have a path, query or fragment"
    if problem:
        raise ValueError(f"CRAWL_PROXY must be a loopback address like http://127.0.0.1:8080, not {proxy!r}: {problem}")


def is_loopback_host(host: str) -> bool:
    """Whether a host name is `localhost` or a loopback IP address (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    address = _ip_address(host)
    return address is not None and address.is_loopback


# Host names of cloud metadata services, which answer with credentials to anyone who asks.
METADATA_HOSTS = frozenset({"metadata", "metadata.google.internal", "metadata.goog", "instance-data",
                            "instance-data.ec2.internal"})


def is_private_host(host: str) -> bool:
    """Whether a host is this machine, a private network or a metadata service: loopback, private,
    link-local (169.254.169.254), reserved or unspecified addresses, `localhost`, metadata names.

    Also catches the numeric forms a resolver accepts for IPv4 (`2130706433`, `0x7f.1`).
    """
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost") or name in METADATA_HOSTS:
        return True
    address = _ip_address(name)
    if address is None:
        return False
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
            or address.is_unspecified or address.is_multicast)


def _ip_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    host = host.strip("[]")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))  # 127.1, 0x7f000001, 2130706433
        except (OSError, ValueError):
            return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


class RefusedRedirect(IgnoreRequest):
    """A redirect that would leave the portal's own host (or reach a private address): not followed.

    The request's errback gets it, so the spider logs it under the portal's URL, naming the target.
    """


class _SameSiteRedirects:
    """Follow a redirect only to the portal's own host (`www.` or not, http or https).

    Article requests bypass Scrapy's off-site filter (`dont_filter`), and so would their redirects:
    a portal answering `302 Location: http://169.254.169.254/…` would make the crawler fetch that
    and store it as the portal's article. The rule is `crawler.listing.on_site`, the one that
    already keeps listing links on the site. Refusals are counted (`redirect/refused/<why>`) and
    raised as `RefusedRedirect` to the request's errback, and written to `errors` under the
    portal's URL, naming the target, even when the spider then finds the article at another of
    its addresses (through the spider's `_record_error` store hook).
    """

    crawler: Crawler

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        why = refused_redirect(redirected.url, self.crawler.spider)
        if why:
            self.crawler.stats.inc_value(f"redirect/refused/{why.split(':')[0].replace(' ', '_')}")
            refusal = RefusedRedirect(f"redirect to {redirected.url} refused ({why})")
            log.warning("%s: %s", request.url, refusal)
            record_error = getattr(self.crawler.spider, "_record_error", None)
            if record_error is not None:  # the same message as the spider's own, so recorded once
                record_error(request.url, f"{type(refusal).__name__}: {refusal}")
            raise refusal
        return super()._redirect(redirected, request, reason)


def refused_redirect(target: str, spider: Any) -> str | None:
    """Why a redirect to `target` must not be followed, or None when it stays on the portal.

    :param target: the absolute URL the response redirects to
    :param spider: the running spider; its `site` (siteconfig.SiteConfig) says which host is the portal's
    """
    host = urlsplit(target).hostname or ""
    if is_private_host(host):
        return f"private address: {host} is this machine, a private network or a metadata service"
    site = getattr(spider, "site", None)
    if site is None or not on_site(target, site):
        return f"another host: {host} is not {site.domain if site else 'the portal'}"
    return None


class SameSiteRedirectMiddleware(_SameSiteRedirects, RedirectMiddleware):
    """Scrapy's 3xx redirects, kept on the portal's host (see `_SameSiteRedirects`)."""


class SameSiteMetaRefreshMiddleware(_SameSiteRedirects, MetaRefreshMiddleware):
    """Scrapy's `<meta http-equiv="refresh">` redirects, kept on the portal's host."""


class SizeCapMessageMiddleware:
    """Name the size cap when a body without Content-Length outgrows it.

    Scrapy's HTTP/1.1 handler cancels such a download with a bare `DownloadCancelledError` (its own
    message goes to the log only; a declared Content-Length over the cap gets a message, and a time-out
    becomes TimeoutError), so the failure would read "CancelledError: " with nothing else.

    :param maxsize: DOWNLOAD_MAXSIZE in bytes
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, (CancelledError, DownloadCancelledError)) and not str(exception):
            maxsize = request.meta.get("download_maxsize", self.maxsize)
            raise ResponseTooLarge(f"body larger than the download size cap ({maxsize} bytes) "
                                   f"and sent without Content-Length: download cancelled")


class ResponseTooLarge(IgnoreRequest):
    """A response body over DOWNLOAD_MAXSIZE."""


class CautiousRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt handling, except that a robots.txt answering 5xx, not answering at all or
    redirecting to another host means "try later" (Scrapy would take it as "everything allowed"):
    this crawl fetches nothing else from that host, and the refusals say so (unlike a real
    robots.txt Disallow)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._unavailable: set[str] = set()

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            log.warning("%s answered HTTP %d: not crawling %s this time", response.url, response.status, netloc)
            self._unavailable.add(netloc)
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        # A robots.txt redirected to another host was not read: that is no permission either.
        if not isinstance(exc, IgnoreRequest) or isinstance(exc, RefusedRedirect):
            log.warning("robots.txt of %s could not be fetched (%s): not crawling it this time", netloc, exc)
            self._unavailable.add(netloc)
        super()._robots_error(exc, netloc)

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        if urlparse_cached(request).netloc in self._unavailable:
            self._stats.inc_value("robotstxt/postponed")
            raise IgnoreRequest("robots.txt unavailable: try again later")
        super().process_request_2(rp, request)
