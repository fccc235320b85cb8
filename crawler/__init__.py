"""Config-driven Scrapy crawler for Vietnamese government portals (see crawler/spiders/portal.py)."""
from crawler.warc import read_warc_record

__all__ = ["read_warc_record"]
