"""What an HTTP response is, for every spider: an HTML page or something else; what a failed request answered."""
from __future__ import annotations

from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

HTML_TYPES = (b"text/html", b"application/xhtml+xml")


def is_html(response: Response) -> bool:
    """Whether a response is an HTML page: by its Content-Type, or by its first bytes when it has none.

    :param response: a downloaded response
    """
    content_type = response.headers.get(b"Content-Type", b"").lower()
    if content_type:
        return content_type.startswith(HTML_TYPES)
    return response.body[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html"))


def failure_message(failure: Failure) -> str:
    """What a failed request answered: "HTTP 404", or the error's type and message.

    :param failure: the errback's failure
    """
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"
