"""What an HTTP response is, for every spider: an HTML page or something else."""
from __future__ import annotations

from scrapy.http import Response

HTML_TYPES = (b"text/html", b"application/xhtml+xml")


def is_html(response: Response) -> bool:
    """Whether a response is an HTML page: by its Content-Type, or by its first bytes when it has none.

    :param response: a downloaded response
    """
    content_type = response.headers.get(b"Content-Type", b"").lower()
    if content_type:
        return content_type.startswith(HTML_TYPES)
    return response.body[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html"))
