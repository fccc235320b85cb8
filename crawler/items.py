"""The item the portal spider yields for each fetched article page."""
from __future__ import annotations

import scrapy


class ArticleItem(scrapy.Item):
    """One fetched article: the raw response (for the WARC archive) and what was parsed from it.

    Fields: url (canonical), fetch_url, site, http_status, reason, headers (list of byte pairs),
    raw_body (bytes), fetched_at (UTC ISO), etag, last_modified, article (reader.article.Article),
    warc_file and warc_offset (set by the archive pipeline).
    """

    url = scrapy.Field()
    fetch_url = scrapy.Field()
    site = scrapy.Field()
    http_status = scrapy.Field()
    reason = scrapy.Field()
    headers = scrapy.Field()
    raw_body = scrapy.Field()
    fetched_at = scrapy.Field()
    etag = scrapy.Field()
    last_modified = scrapy.Field()
    article = scrapy.Field()
    warc_file = scrapy.Field()
    warc_offset = scrapy.Field()

    def __repr__(self) -> str:
        # Scrapy logs every item; the raw body and full text would flood the log.
        return f"<ArticleItem {self.get('url')} ({len(self.get('raw_body') or b'')} bytes)>"


class NotModifiedItem(scrapy.Item):
    """A stored article re-checked with a conditional request that answered 304 Not Modified:
    only its check time changes, so it is not re-checked again before the recheck horizon."""

    url = scrapy.Field()
    site = scrapy.Field()
    fetched_at = scrapy.Field()
